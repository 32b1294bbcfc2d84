//! Running a program under a strategy: the VM's threads are driven from here (as the OS
//! scheduler drives each from its own OS thread, but all from this one), the GIL offered
//! before every counted instruction, and every decision of who runs next asked of a
//! `Strategy` through the deterministic scheduler's chooser hook. A run records the
//! decisions (where there was a choice) and every step with what it touched, and ends in
//! an `Outcome`. The first decision with a choice parks the running thread, so that the
//! whole VM sits in its fields: the checkpoint later runs start from.

use super::access::{Access, Location, next_access, would_block};
pub use super::strategy::{Decision, Strategy};
use crate::sched::{Choice, Chooser, det};
use crate::vm::checkpoint::Checkpoint;
use crate::vm::frame::Frame;
use crate::vm::{Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// How one schedule ends.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Outcome {
    pub stdout: String,
    pub status: i32,
    /// The value (repr) of the `--invariant` expression at the end, if one was given.
    pub invariant: Option<String>,
}

/// One step: the counted instruction a thread ran next (and what it touched).
#[derive(Clone, Debug)]
pub struct Step {
    pub thread: usize,
    pub access: Option<Access>,
    /// The decision made just before it, if there was a choice.
    pub decision: Option<usize>,
    /// With explanations on: the access with the values it reads or writes.
    pub shown: Option<super::explain::Shown>,
}

/// Everything a run records. Decisions and steps only when asked (the systematic search
/// and explanations need them; sampling needs only the choices).
#[derive(Default, Debug)]
pub struct Log {
    pub decisions: Vec<Decision>,
    pub steps: Vec<Step>,
    /// The choices that did not keep to the running thread: (decision index, thread), what
    /// a replay token holds.
    pub choices: Vec<(usize, usize)>,
    pub decision_count: usize,
    /// The strategy gave the run up (every thread that could run was asleep: its outcome
    /// is one seen already), or time ran out.
    pub abandoned: bool,
    pub timed_out: bool,
    /// Each thread's creator (by table index) and the step count when it first showed.
    pub created: Vec<(usize, usize, usize)>,
    /// Whether the run parked for the checkpoint (and at which decision).
    pub parked_at: Option<usize>,
    /// What the program wrote to stderr (before the checkpoint, then in this run).
    pub stderr: String,
}

/// The scheduler's chooser during a run: asks the strategy, records what happens.
struct Controller {
    strategy: Box<dyn Strategy>,
    log: Rc<RefCell<Log>>,
    /// Park at the first decision with a choice (once).
    park_first: bool,
    /// Record every decision and step (else only the choices).
    record: bool,
    accesses: bool,
    seen: usize,
    last_running: usize,
    explain: bool,
    /// The decision being made (reused, so that sampling allocates nothing per step).
    scratch: Decision,
    /// Steps the running thread took in a row that touched nothing shared.
    invisible: usize,
    deadline: Option<std::time::Instant>,
}

/// The most steps a thread takes in a row without a decision.
const MAX_INVISIBLE: usize = 1000;

/// The frame whose next instruction thread `t` runs, and whether it is the thread's
/// bottom frame (a return from it ends the thread).
fn next_frame<'a>(
    vm: &'a Vm,
    running: Option<(usize, &'a Frame)>,
    t: usize,
) -> Option<(&'a Frame, bool)> {
    match running {
        Some((r, f)) if r == t => Some((f, vm.frames.is_empty())),
        _ => {
            let frames = &vm.threads.threads[t].frames;
            frames.last().map(|f| (&**f, frames.len() == 1))
        }
    }
}

fn thread_access(vm: &Vm, running: Option<(usize, &Frame)>, t: usize) -> Option<Access> {
    let (f, bottom) = next_frame(vm, running, t)?;
    let ident = (bottom && t != 0).then(|| vm.threads.threads[t].ident);
    next_access(vm, f, ident)
}

impl Controller {
    /// Records a decision among `options` made by the strategy (None: the run is given
    /// up). `accesses` fills in what each option touches, if the strategy asks.
    fn decide(
        &mut self,
        log: &mut Log,
        options: &[usize],
        running: Option<usize>,
        callbacks: bool,
        accesses: impl FnOnce() -> Vec<Option<Access>>,
    ) -> Option<(usize, usize)> {
        let index = log.decision_count;
        if index % 1024 == 1023
            && self
                .deadline
                .is_some_and(|d| std::time::Instant::now() >= d)
        {
            log.abandoned = true;
            log.timed_out = true;
            return None;
        }
        log.decision_count += 1;
        let d = &mut self.scratch;
        d.options.clear();
        d.options.extend_from_slice(options);
        d.running = running;
        d.callbacks = callbacks;
        d.accesses.clear();
        d.sleep.clear();
        if self.accesses && !callbacks {
            d.accesses.extend(accesses());
        }
        let Some(pick) = self.strategy.pick(index, d) else {
            log.abandoned = true;
            return None;
        };
        d.chosen = pick;
        if pick != super::strategy::default_choice(running, options) {
            log.choices.push((index, pick));
        }
        if self.record {
            log.decisions.push(d.clone());
        }
        Some((pick, index))
    }
}

impl Chooser for Controller {
    fn chooses_callbacks(&self) -> bool {
        true
    }

    /// An event loop's ready callbacks: which runs next is a decision of its own (the
    /// first in line by default), with no access to reduce by.
    fn choose_callback(&mut self, _vm: &Vm, count: usize) -> Choice {
        let log = self.log.clone();
        let mut log = log.borrow_mut();
        if log.abandoned || count < 2 {
            return if log.abandoned {
                Choice::Park
            } else {
                Choice::Thread(0)
            };
        }
        if self.park_first {
            self.park_first = false;
            log.parked_at = Some(log.decision_count);
            return Choice::Park;
        }
        let options: Vec<usize> = (0..count).collect();
        match self.decide(&mut log, &options, Some(0), true, Vec::new) {
            Some((pick, _)) => Choice::Thread(pick),
            None => Choice::Park,
        }
    }

    /// Before a step that touches nothing shared, nothing another thread could do would
    /// change what it does: the running thread goes on without a decision (for at most
    /// MAX_INVISIBLE steps in a row, so that one spinning on its locals still lets the
    /// others run).
    fn goes_on(&mut self, vm: &Vm, running: (usize, &Frame)) -> bool {
        // (A thread can come back without a choice: one blocked in a callback.)
        self.last_running = running.0;
        if self.invisible >= MAX_INVISIBLE || self.log.borrow().abandoned {
            return false;
        }
        let invisible = thread_access(vm, Some(running), running.0).is_none();
        self.invisible += usize::from(invisible);
        invisible
    }

    fn choose(&mut self, vm: &Vm, running: Option<(usize, &Frame)>, runnable: &[usize]) -> Choice {
        let log = self.log.clone();
        let mut log = log.borrow_mut();
        for &t in runnable {
            if t >= self.seen {
                let creator = running.map_or(self.last_running, |r| r.0);
                let at = log.steps.len();
                log.created.push((t, creator, at));
                self.seen = t + 1;
            }
        }
        if log.abandoned {
            return Choice::Park;
        }
        // (`goes_on` found the running thread's next step shared.)
        let running_access = running
            .filter(|_| self.accesses || self.record)
            .map(|(r, _)| (r, thread_access(vm, running, r)));
        self.invisible = 0;
        // A thread whose next step would only block is not a choice (unless every one's
        // would: then one runs, and blocks, and the scheduler sees what is left).
        let enabled: Vec<usize>;
        let runnable = if runnable.len() > 1 {
            enabled = runnable
                .iter()
                .copied()
                .filter(|&t| {
                    let ident = vm.threads.threads[t].ident;
                    !next_frame(vm, running, t).is_some_and(|(f, _)| would_block(vm, f, ident))
                })
                .collect();
            if enabled.is_empty() {
                runnable
            } else {
                &enabled[..]
            }
        } else {
            runnable
        };
        if self.park_first && runnable.len() > 1 {
            self.park_first = false;
            log.parked_at = Some(log.decision_count);
            return Choice::Park;
        }
        // Asked by the driver (the running thread stopped), the thread that ran last may
        // still go on: strategies that keep to one thread prefer it.
        let current = vm.threads.current;
        let running_index = running
            .map(|r| r.0)
            .or(Some(current))
            .filter(|r| runnable.contains(r));
        let (pick, decision) = if runnable.len() > 1 {
            let accesses = || {
                runnable
                    .iter()
                    .map(|&t| match &running_access {
                        Some((r, a)) if *r == t => a.clone(),
                        _ => thread_access(vm, running, t),
                    })
                    .collect()
            };
            match self.decide(&mut log, runnable, running_index, false, accesses) {
                Some((pick, index)) => (pick, Some(index)),
                None => return Choice::Park,
            }
        } else {
            (runnable[0], None)
        };
        self.last_running = pick;
        if self.record {
            let access = match running_access {
                Some((r, a)) if r == pick => a,
                _ => thread_access(vm, running, pick),
            };
            let shown = match (self.explain, next_frame(vm, running, pick), &access) {
                (true, Some((f, _)), Some(a)) => Some(super::explain::show(vm, f, a, pick)),
                _ => None,
            };
            log.steps.push(Step {
                thread: pick,
                access,
                decision,
                shown,
            });
        }
        Choice::Thread(pick)
    }
}

/// A program ready to be run under strategies: the VM at its checkpoint.
pub struct Prepared {
    pub vm: Vm,
    pub checkpoint: Checkpoint,
    /// The main module's namespace, where `--invariant` is evaluated.
    pub globals: crate::vm::ObjRef,
    pub invariant: Option<std::sync::Arc<crate::bytecode::CodeObject>>,
    /// The program ended before any decision: there is only one schedule.
    pub finished: Option<Outcome>,
    /// What the program printed before the checkpoint (every run prints it first), on
    /// stdout and stderr.
    prefix: String,
    prefix_stderr: String,
    /// When runs are to stop, even halfway (`--time-limit`).
    pub deadline: Option<std::time::Instant>,
}

/// Runs the program's single-threaded beginning and stops at the first decision with a
/// choice, where the checkpoint is taken. `first` decides nothing (it only parks).
pub fn prepare(
    source: &str,
    filename: &str,
    options: crate::vm::Options,
    invariant: Option<&str>,
) -> Result<Prepared, String> {
    prepare_with(source, filename, options, invariant, |_| {})
}

/// `prepare`, with `setup` seeing the VM before the program starts (a recorder installs
/// itself there).
pub fn prepare_with(
    source: &str,
    filename: &str,
    options: crate::vm::Options,
    invariant: Option<&str>,
    setup: impl FnOnce(&mut Vm),
) -> Result<Prepared, String> {
    let code = crate::compile_source(source, filename).map_err(|e| e.render(filename, source))?;
    let invariant = match invariant {
        Some(expr) => Some(
            crate::compile_source(&format!("__minipy_invariant__ = ({expr})\n"), "<invariant>")
                .map_err(|e| format!("--invariant: {}", e.message))?,
        ),
        None => None,
    };
    let mut vm = crate::new_vm(crate::vm::Options {
        check_interval: 1,
        ..options
    });
    vm.threads.own_os_threads = true;
    setup(&mut vm);
    vm.out = crate::vm::Output::Captured(Vec::new());
    let stderr = crate::capture_stderr(true);
    let frame = vm.module_frame(code, source);
    let globals = frame.globals;
    vm.threads.threads[0].frames = vec![frame];
    let log = Rc::new(RefCell::new(Log::default()));
    install(
        &mut vm,
        Box::new(First),
        log.clone(),
        true,
        Record::Choices,
        None,
    );
    let parked = drive(&mut vm, true, &log);
    crate::sched::state_mut(&mut vm).chooser = None;
    let finished = if parked {
        None
    } else {
        Some(outcome(&mut vm, globals, invariant.as_ref()))
    };
    let prefix_stderr = crate::capture_stderr(stderr.is_some()).unwrap_or_default();
    let prefix = String::from_utf8_lossy(&vm.captured_output()).into_owned();
    let checkpoint = vm.checkpoint();
    Ok(Prepared {
        vm,
        checkpoint,
        globals,
        invariant,
        finished,
        prefix,
        prefix_stderr,
        deadline: None,
    })
}

/// What a run's log keeps.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Record {
    /// The choices a token needs.
    Choices,
    /// Every decision and step, with what it touched.
    Steps,
    /// Steps with the values they read and write, for explanations.
    Explained,
}

/// Before the checkpoint nothing is decided: the first decision parks.
struct First;

impl Strategy for First {
    fn pick(&mut self, _: usize, d: &mut Decision) -> Option<usize> {
        Some(d.running.unwrap_or(d.options[0]))
    }
}

fn install(
    vm: &mut Vm,
    strategy: Box<dyn Strategy>,
    log: Rc<RefCell<Log>>,
    park_first: bool,
    record: Record,
    deadline: Option<std::time::Instant>,
) {
    let seen = vm.threads.threads.len();
    let accesses = strategy.wants_accesses();
    crate::sched::state_mut(vm).chooser = Some(Box::new(Controller {
        strategy,
        log,
        park_first,
        record: record != Record::Choices,
        accesses,
        seen,
        last_running: vm.threads.current,
        explain: record == Record::Explained,
        scratch: Decision::default(),
        invisible: 0,
        deadline,
    }));
}

impl Prepared {
    /// Runs one schedule from the checkpoint: the strategy decides at every choice; the
    /// log keeps what `record` asks.
    pub fn run(&mut self, strategy: Box<dyn Strategy>, record: Record) -> (Outcome, Log) {
        if let Some(done) = &self.finished {
            let log = Log {
                stderr: self.prefix_stderr.clone(),
                ..Log::default()
            };
            return (done.clone(), log);
        }
        self.vm.rollback(&self.checkpoint);
        let log = Rc::new(RefCell::new(Log::default()));
        install(
            &mut self.vm,
            strategy,
            log.clone(),
            false,
            record,
            self.deadline,
        );
        let stderr = crate::capture_stderr(true);
        drive(&mut self.vm, false, &log);
        // (The invariant runs with no chooser: nothing is left to decide.)
        crate::sched::state_mut(&mut self.vm).chooser = None;
        let mut outcome = outcome(&mut self.vm, self.globals, self.invariant.as_ref());
        outcome.stdout.insert_str(0, &self.prefix);
        let stderr = crate::capture_stderr(stderr.is_some()).unwrap_or_default();
        let mut log = Rc::try_unwrap(log)
            .map(RefCell::into_inner)
            .unwrap_or_default();
        log.stderr = format!("{}{stderr}", self.prefix_stderr);
        (outcome, log)
    }
}

/// Drives the VM's threads until the program ends; with `stop_at_park`, until the chooser
/// parks the running thread (true then).
fn drive(vm: &mut Vm, stop_at_park: bool, log: &Rc<RefCell<Log>>) -> bool {
    loop {
        if log.borrow().abandoned {
            return false;
        }
        let main_done = vm.threads.threads[0].state == crate::vm::threads::ThreadState::Finished;
        if main_done && !vm.non_daemon_alive() {
            return false;
        }
        let pick = match vm.threads.next_pick.take() {
            Some(p) => Some(p),
            None => match crate::sched::ask_chooser(vm, None) {
                Some(Choice::Thread(p)) => Some(p),
                Some(Choice::Park) if stop_at_park => return true,
                Some(Choice::Park) => None,
                None => {
                    if det::pass_time_to_next_deadline(vm) {
                        continue;
                    }
                    vm.report_deadlock();
                    vm.threads.main_result =
                        Some(Err(vm.new_exception_args("SystemExit", vec![Value::Int(3)])));
                    return false;
                }
            },
        };
        let Some(pick) = pick else {
            continue;
        };
        let top = vm
            .resume_thread(pick)
            .expect("a runnable thread has a frame");
        vm.frames.push(top);
        vm.native_depth = 1;
        let result = vm.run_until(0);
        vm.native_depth = 0;
        match result {
            Err(signal) if vm.is_block_signal(signal) => {
                if stop_at_park && vm.threads.next_pick.is_none() && parked(vm) {
                    return true;
                }
            }
            result => {
                // A thread's end is a write of the thread (joining it reads it): what
                // it did happens before what its joiner does next. Its last step (the
                // return from its bottom frame) was recorded as that write, unless the
                // thread ended by an exception.
                let thread = vm.threads.current;
                let location = Location::Thread(vm.threads.threads[thread].ident);
                let mut log = log.borrow_mut();
                let recorded = log
                    .steps
                    .iter()
                    .rev()
                    .find(|s| s.thread == thread)
                    .and_then(|s| s.access.as_ref())
                    .is_some_and(|a| a.location == location && a.write);
                // (Steps are recorded when the log has any.)
                if !log.steps.is_empty() && !recorded {
                    log.steps.push(Step {
                        thread,
                        access: Some(Access {
                            location,
                            write: true,
                            release: false,
                            atomic: false,
                            key: None,
                            line: 0,
                            opname: "(end)",
                        }),
                        decision: None,
                        shown: None,
                    });
                }
                drop(log);
                vm.end_thread(result);
            }
        }
    }
}

/// Whether the last stop was the chooser parking the running thread (for the checkpoint).
fn parked(vm: &Vm) -> bool {
    crate::sched::state(vm).chooser.is_some()
        && vm.threads.threads[vm.threads.current].state == crate::vm::threads::ThreadState::Runnable
}

/// The exit status, stdout and invariant of a finished run.
fn outcome(
    vm: &mut Vm,
    globals: crate::vm::ObjRef,
    invariant: Option<&std::sync::Arc<crate::bytecode::CodeObject>>,
) -> Outcome {
    let status = match vm.threads.main_result.take() {
        Some(Ok(_)) | None => 0,
        Some(Err(exc)) => vm.report_uncaught(exc),
    };
    let invariant = invariant.map(|code| {
        // The main thread runs it, as if the program went on for one more line.
        vm.threads.current = 0;
        vm.threads.threads[0].state = crate::vm::threads::ThreadState::Runnable;
        vm.threads.changes += 1;
        let frame = vm.new_frame(
            code.clone(),
            globals,
            Some(globals),
            crate::vm::frame::Resume::Native,
        );
        match vm.run_frame(frame) {
            Ok(_) => match vm.dict_get_str(globals, "__minipy_invariant__") {
                Some(v) => vm.repr(v).unwrap_or_else(|_| "?".into()),
                None => "?".into(),
            },
            Err(exc) => format!("raised {}", vm.exception_line(exc, false).trim_end()),
        }
    });
    let stdout = String::from_utf8_lossy(&vm.captured_output()).into_owned();
    Outcome {
        stdout,
        status,
        invariant,
    }
}
