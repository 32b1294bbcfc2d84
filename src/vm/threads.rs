//! VM threads as the core sees them: the thread table (each thread's frame stack, state and
//! handled exception), the GIL's check counter, per-thread namespaces (threading.local),
//! and the handoff of the running frames from one thread to another. Which thread runs
//! next, how time passes and when a wait ends is a scheduler's business (src/sched/): the
//! core reaches it only through `SchedulerHooks`, at switch points, never per instruction.

use super::frame::Frame;
use super::object::{Args, Object};
use super::{ObjRef, PyResult, Value, Vm};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ThreadState {
    Runnable,
    /// Waiting for a lock held by another thread, until an optional deadline (ns).
    WaitLock(ObjRef, Option<u64>),
    /// Waiting for a thread to finish, until an optional deadline (ns).
    WaitJoin(u64, Option<u64>),
    /// Sleeping until a time (ns).
    Sleeping(u64),
    /// Running no Python code, outside the VM: the main thread while the interactive
    /// prompt waits for input. Nobody wakes it; it is not deadlocked.
    Outside,
    Finished,
}

#[derive(Clone)]
pub struct VmThread {
    pub ident: u64,
    pub name: String,
    pub daemon: bool,
    pub state: ThreadState,
    /// The frame stack while the thread is not running (the running one's is `Vm::frames`).
    pub frames: Vec<Box<Frame>>,
    pub handled: Value,
    /// The threading.Thread object, or for a thread `_thread.start_new_thread` started, the
    /// function it runs (see `raw`).
    pub thread_obj: Value,
    /// Started by `_thread.start_new_thread`: no Thread object, and an uncaught exception is
    /// reported as "Unhandled exception in thread started by FUNCTION".
    pub raw: bool,
    /// Woken from a sleep: the re-run `time.sleep` call returns at once.
    pub woke: bool,
    /// Blocked inside a callback from native code (see `Threads::pinned`).
    pub pinned: bool,
}

impl VmThread {
    pub fn new(ident: u64, name: String, daemon: bool, thread_obj: Value, raw: bool) -> Self {
        VmThread {
            ident,
            name,
            daemon,
            state: ThreadState::Runnable,
            frames: Vec::new(),
            handled: Value::None,
            thread_obj,
            raw,
            woke: false,
            pinned: false,
        }
    }
}

/// A threading.local instance: one `__dict__` per thread that has used it. Whichever
/// thread holds the GIL sees its own: the instance's dict is swapped at every handoff, so
/// attribute lookup (class attributes, properties, the inline caches) works as for any
/// instance.
#[derive(Clone)]
pub struct ThreadLocal {
    pub obj: ObjRef,
    /// (thread ident, its dict, whether the subclass's `__init__` has run for it).
    pub dicts: Vec<(u64, ObjRef, bool)>,
    /// The arguments the instance was created with, for `__init__` in each new thread.
    pub args: Value,
    pub kwargs: Value,
}

/// The thread table and the GIL's check counter.
#[derive(Clone)]
pub struct Threads {
    pub threads: Vec<VmThread>,
    pub current: usize,
    pub check_interval: u32,
    /// Instructions left before the holder must offer the GIL, while there is one thread
    /// (nothing counts them down then).
    pub budget: u32,
    /// With more than one thread: the tick (`Vm::ticks`) of the instruction that offers
    /// the GIL next. `u64::MAX` while there is one thread.
    pub next_check: u64,
    /// sys.setswitchinterval's value (seconds).
    pub switch_interval: f64,
    pub max_threads: usize,
    pub next_ident: u64,
    /// The main thread's outcome once it has finished while others still run.
    pub main_result: Option<PyResult<Value>>,
    /// What the current thread is about to block on (set by a blocking native).
    pub pending: Option<ThreadState>,
    /// The running thread was just woken from a timed wait.
    pub just_woke: bool,
    /// The thread drawn to take the GIL at the last spent check interval.
    pub next_pick: Option<usize>,
    /// Bumped when a wait may have ended (a lock released, a thread finished or blocked).
    pub changes: u64,
    /// The native depth at which the running thread's own frames run: 1, or deeper while
    /// threads run on top of one blocked inside a callback from native code.
    pub base_depth: usize,
    /// Threads blocked inside a callback from native code, innermost last: their Rust
    /// stack is below the running thread's, so they can only go on when it hands back.
    pub pinned: Vec<usize>,
    /// Every VM thread has an OS thread of its own that drives it (`--sched os`): a run
    /// that must give up the GIL returns to that driver instead of switching itself.
    pub own_os_threads: bool,
    /// No thread could ever run again: the run ends with status 3.
    pub deadlocked: bool,
    /// The main thread runs statements typed at the prompt: its bottom frame returning
    /// ends the statement, not the thread.
    pub at_prompt: bool,
    /// `--max-steps`: the tick at which the program is stopped (`next_check` never passes it).
    pub step_limit: u64,
    /// Every threading.local instance (kept alive for the program's life).
    pub locals: Vec<ThreadLocal>,
    /// An observer sees every instruction (`Observer::step`): `next_check` then stays 0,
    /// so that every instruction takes the eval loop's slow path, and the scheduler's next
    /// check is kept in `due` instead (`Vm::set_next_check`).
    pub observed: bool,
    pub due: u64,
}

impl Threads {
    pub fn new(check_interval: u32, max_threads: usize, switch_interval: f64) -> Self {
        Threads {
            threads: vec![VmThread::new(
                1,
                "MainThread".into(),
                false,
                Value::None,
                false,
            )],
            current: 0,
            check_interval: check_interval.max(1),
            budget: check_interval.max(1),
            next_check: u64::MAX,
            switch_interval,
            max_threads,
            next_ident: 2,
            main_result: None,
            pending: None,
            just_woke: false,
            next_pick: None,
            changes: 0,
            base_depth: 1,
            pinned: Vec::new(),
            own_os_threads: false,
            deadlocked: false,
            at_prompt: false,
            step_limit: u64::MAX,
            locals: Vec::new(),
            observed: false,
            due: u64::MAX,
        }
    }

    pub fn live(&self) -> usize {
        self.threads
            .iter()
            .filter(|t| t.state != ThreadState::Finished)
            .count()
    }

    /// Threads other than the running one that have not finished.
    pub fn others_live(&self) -> usize {
        (self.threads.iter().enumerate())
            .filter(|&(i, t)| i != self.current && t.state != ThreadState::Finished)
            .count()
    }
}

/// What a tool that records a run (src/trace/) sees, installed in `Vm::observer`. With
/// none installed the core calls nothing: handoffs test an `Option`, and steps are only
/// looked at while `Threads::observed` is set (on a path the eval loop takes only at a
/// due GIL check).
pub trait Observer: std::any::Any {
    /// The running thread (`vm.threads.current`) is about to run the instruction at
    /// `f.pc` (after any GIL check there: it runs now). Only while `Threads::observed`.
    fn step(&mut self, _vm: &Vm, _f: &Frame) {}
    /// The GIL went from thread `from` to `vm.threads.current` (the same thread when it
    /// takes the GIL back after a wait). `from`'s frames are parked in its slot; so are the
    /// new thread's, except when it was switched to inside the eval loop.
    fn handoff(&mut self, _vm: &Vm, _from: usize) {}
    /// No thread runs for `ns` nanoseconds (0: unknown, real time) from now: every thread
    /// waits, or the only one sleeps.
    fn idle(&mut self, _vm: &Vm, _ns: u64) {}
    /// A lock was released (threads waiting for it may go on).
    fn lock_released(&mut self, _vm: &Vm, _lock: ObjRef) {}
    /// A cooperative task of an event loop in the running thread begins or ends a step.
    fn task_step(&mut self, _vm: &Vm, _step: &TaskStep) {}
    /// For taking the observer back out of the VM as what it is.
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;
}

/// A step of a cooperative task (an event loop's), as an observer hears of it.
pub struct TaskStep<'a> {
    /// The task object (its identity; freed and reused only after it is done).
    pub task: ObjRef,
    /// Its coroutine's qualified name.
    pub name: &'a str,
    /// The source line its coroutine is suspended at (0: finished).
    pub line: u32,
    /// The step begins (otherwise it ends).
    pub begins: bool,
    /// The task is done (at the end of its last step).
    pub done: bool,
}

/// A thread's top frame, handed between the core and the scheduler at a switch.
pub type ThreadTop = Option<Box<Frame>>;

/// What a scheduler supplies. The core calls these only at switch points: a spent check
/// interval, a block, the end of a thread.
pub struct SchedulerHooks {
    /// At a spent check interval, before the running thread runs an instruction of frame
    /// `f`: true when it keeps the GIL; otherwise the next thread is in
    /// `Threads::next_pick` (or a driver takes over).
    pub keeps_gil: fn(&mut Vm, &Frame) -> bool,
    /// `keeps_gil` at tick `tick` when the scheduler can decide it at once, with nothing
    /// but a draw: `None`, with nothing changed, otherwise (the hot path then stops).
    pub quick_check: fn(&mut Vm, u64) -> Option<bool>,
    /// The instructions a thread that has just taken the GIL runs before its first offer.
    pub first_interval: fn(&mut Vm) -> u32,
    /// Parks the running thread (with its top frame, if any) and picks the next thread to
    /// run: its top frame, or `None` when no thread can ever run again.
    pub switch_from: fn(&mut Vm, ThreadTop) -> ThreadTop,
    /// The running thread's bottom frame finished: records how, and moves on as
    /// `switch_from(None)`.
    pub thread_finished: fn(&mut Vm, PyResult<Value>) -> ThreadTop,
    /// The running thread blocked inside a callback from native code: runs the others on
    /// top of it until its wait is over (Ok), or says why it cannot be (Err).
    pub wait_in_callback: fn(&mut Vm, ThreadState) -> Result<(), Value>,
    /// A copy of the scheduler's state (`Vm::scheduler_state`), for a checkpoint.
    pub clone_state: fn(&dyn std::any::Any) -> Box<dyn std::any::Any>,
}

impl Vm {
    /// Whether the running thread may be switched out here: other threads exist and no
    /// native code (which holds values in Rust locals) is on the Rust stack.
    pub fn preemptible(&self) -> bool {
        self.threads.threads.len() > 1 && self.native_depth == self.threads.base_depth
    }

    /// Whether a thread's run returns to a driver when it must give up the GIL (an OS
    /// thread, or the loop running threads on top of one pinned by a callback) instead of
    /// switching threads itself.
    pub fn driven(&self) -> bool {
        self.threads.own_os_threads || !self.threads.pinned.is_empty()
    }

    /// Gives the running thread `n` more instructions before it offers the GIL.
    pub fn set_budget(&mut self, n: u32) {
        if self.threads.threads.len() > 1 {
            self.set_next_check(self.ticks + 1 + u64::from(n));
        } else {
            self.threads.budget = n;
        }
    }

    /// The tick at which the GIL check falls due next (what schedulers set; while an
    /// observer sees every step, `next_check` itself stays 0).
    #[inline]
    pub fn set_next_check(&mut self, tick: u64) {
        // (`--max-steps`: never past the step limit.)
        let tick = tick.min(self.threads.step_limit);
        if self.threads.observed {
            self.threads.due = tick;
        } else {
            self.threads.next_check = tick;
        }
    }

    /// The tick of the next GIL check, observed or not.
    pub fn next_check_at(&self) -> u64 {
        if self.threads.observed {
            self.threads.due
        } else {
            self.threads.next_check
        }
    }

    /// Installs an observer; with `steps`, it sees every instruction (the eval loop's fast
    /// path is off meanwhile), otherwise only handoffs and lock releases.
    pub fn install_observer(&mut self, observer: Box<dyn Observer>, steps: bool) {
        self.observer = Some(observer);
        if steps && !self.threads.observed {
            self.threads.due = self.threads.next_check;
            self.threads.next_check = 0;
            self.threads.observed = true;
        }
    }

    /// Takes the observer back out (the scheduler's checks as they were).
    pub fn take_observer(&mut self) -> Option<Box<dyn Observer>> {
        if self.threads.observed {
            self.threads.next_check = self.threads.due;
            self.threads.due = u64::MAX;
            self.threads.observed = false;
        }
        self.observer.take()
    }

    /// Shows the observer (if any) something, without holding it inside the VM.
    #[cold]
    pub fn observe(&mut self, what: impl FnOnce(&mut dyn Observer, &Vm)) {
        if let Some(mut observer) = self.observer.take() {
            what(&mut *observer, self);
            self.observer = Some(observer);
        }
    }

    /// Instructions the running thread has left before it offers the GIL.
    pub fn budget_left(&self) -> u32 {
        if self.threads.threads.len() > 1 {
            let left = self.next_check_at().saturating_sub(self.ticks + 1);
            left.min(u64::from(u32::MAX)) as u32
        } else {
            self.threads.budget
        }
    }

    pub fn thread_index(&self, ident: u64) -> Option<usize> {
        // Idents are handed out in table order from 1 (a failed start takes its back).
        let guess = ident.checked_sub(1)? as usize;
        if self
            .threads
            .threads
            .get(guess)
            .is_some_and(|t| t.ident == ident)
        {
            return Some(guess);
        }
        self.threads.threads.iter().position(|t| t.ident == ident)
    }

    pub fn current_ident(&self) -> u64 {
        self.threads.threads[self.threads.current].ident
    }

    /// Whether a thread that is not a daemon (the main thread included) is still alive.
    pub fn non_daemon_alive(&self) -> bool {
        self.threads
            .threads
            .iter()
            .any(|t| !t.daemon && t.state != ThreadState::Finished)
    }

    /// The check interval is spent: asks the scheduler whether the running thread keeps
    /// the GIL.
    #[inline]
    pub fn keeps_gil(&mut self, f: &Frame) -> bool {
        (self.scheduler.keeps_gil)(self, f)
    }

    /// Hands the GIL to the thread `keeps_gil` drew, from inside the eval loop: the running
    /// frame trades places with that thread's top frame (their boxes swap), and the loop
    /// goes on without returning (with `--check-interval 1` this runs every other
    /// instruction). False when no thread was drawn.
    pub fn preempt_contents(&mut self, f: &mut Box<Frame>) -> bool {
        let Some(pick) = self.threads.next_pick.take() else {
            return false;
        };
        // park_current and enter_thread, with one fewer move of the frame stacks: this
        // runs at every other spent check interval.
        let cur = self.threads.current;
        let mut theirs = std::mem::take(&mut self.threads.threads[pick].frames);
        std::mem::swap(f, theirs.last_mut().expect("a parked thread has a frame"));
        let mine = theirs.pop().expect("the swapped-out frame");
        self.frames.push(mine);
        self.threads.threads[cur].frames = std::mem::replace(&mut self.frames, theirs);
        self.threads.threads[cur].handled = self.handled;
        self.make_running(pick);
        true
    }

    /// Saves the running thread's frames, with `f` on top, and its handled exception.
    pub fn park_current(&mut self, f: Option<Box<Frame>>) {
        let cur = self.threads.current;
        if let Some(f) = f {
            self.frames.push(f);
        }
        self.threads.threads[cur].frames = std::mem::take(&mut self.frames);
        self.threads.threads[cur].handled = self.handled;
    }

    /// Gives the GIL to thread `pick` with a fresh check interval; returns its top frame.
    pub fn resume_thread(&mut self, pick: usize) -> Option<Box<Frame>> {
        self.enter_thread(pick);
        self.frames.pop()
    }

    /// Makes `pick` the running thread (its frames, its handled exception, a fresh check
    /// interval): what `park_current` saved.
    pub fn enter_thread(&mut self, pick: usize) {
        self.make_running(pick);
        self.frames = std::mem::take(&mut self.threads.threads[pick].frames);
    }

    /// Everything `enter_thread` does but bring back the frames.
    fn make_running(&mut self, pick: usize) {
        let from = self.threads.current;
        self.threads.current = pick;
        // (With an interval of 1 there is nothing to draw: this runs at every other
        // instruction then.)
        let first = if self.threads.check_interval == 1 {
            1
        } else {
            (self.scheduler.first_interval)(self)
        };
        self.set_budget(first);
        self.threads.just_woke = std::mem::take(&mut self.threads.threads[pick].woke);
        self.handled = self.threads.threads[pick].handled;
        if !self.threads.locals.is_empty() {
            self.show_thread_locals();
        }
        if self.observer.is_some() {
            self.observe(|o, vm| o.handoff(vm, from));
        }
    }

    /// Gives every threading.local the running thread's dict, a new empty one for a thread
    /// that has not used it yet (its `__init__` runs at the first attribute access).
    fn show_thread_locals(&mut self) {
        let ident = self.current_ident();
        for i in 0..self.threads.locals.len() {
            let known = self.threads.locals[i]
                .dicts
                .iter()
                .find(|(id, _, _)| *id == ident)
                .map(|(_, d, _)| *d);
            let dict = match known {
                Some(d) => d,
                None => {
                    let d = self.new_dict().as_obj().expect("a dict");
                    self.threads.locals[i].dicts.push((ident, d, false));
                    d
                }
            };
            let obj = self.threads.locals[i].obj;
            self.replace_instance_dict(obj, dict);
        }
    }

    /// Before an attribute of `obj` is read, set or deleted: when `obj` is a threading.local
    /// the running thread has not used yet, its class's `__init__` runs first, with the
    /// arguments the instance was made with, as CPython's _thread._local does.
    #[inline]
    pub fn prepare_thread_local(&mut self, obj: Value) -> PyResult<()> {
        // (Nothing to do in the common case: a program with no threading.local.)
        if self.threads.locals.is_empty() {
            return Ok(());
        }
        self.init_thread_local(obj)
    }

    #[cold]
    fn init_thread_local(&mut self, obj: Value) -> PyResult<()> {
        let Value::Obj(r) = obj else {
            return Ok(());
        };
        let ident = self.current_ident();
        let Some(local) = self.threads.locals.iter_mut().find(|l| l.obj == r) else {
            return Ok(());
        };
        let Some(entry) = local
            .dicts
            .iter_mut()
            .find(|(id, _, ready)| *id == ident && !*ready)
        else {
            return Ok(());
        };
        entry.2 = true;
        let (args, kwargs) = (local.args, local.kwargs);
        let class = self.type_of(obj);
        let init = self.class_lookup(class, "__init__");
        let object_init = self.class_lookup(self.types["object"], "__init__");
        if let Some(init) = init.filter(|i| Some(*i) != object_init) {
            let mut call = Args::new(std::iter::once(obj).chain(self.tuple_items(args)).collect());
            if let Some(Object::Dict(d)) = kwargs.as_obj().map(|k| self.heap.get(k)) {
                let pairs: Vec<(Value, Value)> = d.values().copied().collect();
                for (k, v) in pairs {
                    let k = self.str_of(k).unwrap_or_default().to_string();
                    call.kw.push((k, v));
                }
            }
            self.call(init, call)?;
        }
        Ok(())
    }

    /// Asks the running thread to block: returns the signal the eval loop turns into a
    /// suspension (the call is re-run when the thread is woken).
    pub fn block_on(&mut self, state: ThreadState) -> Value {
        self.threads.pending = Some(state);
        self.threads.changes += 1;
        self.block_signal
    }

    pub fn is_block_signal(&self, v: Value) -> bool {
        v.is(self.block_signal)
    }
}
