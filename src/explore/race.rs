//! `minipy run --race-report`: a happens-before race detector. The program runs once under
//! the deterministic scheduler's rules (the GIL offered every --check-interval
//! instructions, the next thread drawn with --seed), with the detector as the scheduler's
//! chooser so that it sees every instruction before it runs. Each thread carries a vector
//! clock; what orders two threads' steps is what a learner uses to order them: a lock's
//! release and its next acquire (Queue, Event, Condition and Semaphore are built on
//! locks), starting a thread, and joining it (or seeing it ended). Two accesses to the
//! same global, attribute, cell or container item by two threads, one of them a write,
//! that nothing orders, are a race: reported with both places in the source, even when
//! this run's output happened to be right. Two calls of a built-in container's methods
//! (append, pop...) never race with each other: each is one atomic step under the GIL.

use super::access::{Access, Key, Location, describe, next_access};
use super::strategy::Rng;
use crate::bytecode::CodeObject;
use crate::sched::{Choice, Chooser};
use crate::vm::frame::Frame;
use crate::vm::{ObjRef, Vm};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

/// The exit status when a race was reported (as ThreadSanitizer's).
pub const RACE_STATUS: i32 = 66;

type Clock = Vec<u32>;

/// Where an access happened: the frames of the program's own code, innermost first (code,
/// instruction offset).
#[derive(Clone)]
struct Site(Vec<(Arc<CodeObject>, usize)>);

/// A site by identity: (code object address, offset) per frame.
type SiteKey = Vec<(usize, usize)>;

impl Site {
    fn key(&self) -> SiteKey {
        self.0
            .iter()
            .map(|(c, pc)| (Arc::as_ptr(c) as usize, *pc))
            .collect()
    }
}

/// One access, as the shadow of its place remembers it.
#[derive(Clone)]
struct Event {
    thread: usize,
    /// The thread's own clock entry when it made the access.
    at: u32,
    write: bool,
    atomic: bool,
    opname: &'static str,
    site: Site,
}

/// What is known of one place: its last write and the reads since (one per thread).
#[derive(Default)]
struct Shadow {
    write: Option<Event>,
    reads: Vec<Event>,
}

/// A place as the detector tells places apart: a container's item by key when the key is
/// plain (`None`: the container as a whole).
type Place = (Location, Option<Key>);

/// A race found: the place, and the earlier and later access.
struct Race {
    place: String,
    earlier: Event,
    later: Event,
}

#[derive(Default)]
pub struct Findings {
    races: Vec<Race>,
    /// Races beyond the first of each pair of source places.
    repeats: usize,
}

struct Detector {
    rng: Rng,
    /// Instructions left before the GIL is offered again.
    left: u32,
    clocks: Vec<Clock>,
    seen: usize,
    last_running: usize,
    /// Per lock: the clock of its last release.
    locks: HashMap<ObjRef, Clock>,
    /// Per thread ident: its clock when it ended.
    ended: HashMap<u64, Clock>,
    shadows: HashMap<Place, Shadow>,
    /// Per container: the keys its items were touched by.
    keys: HashMap<ObjRef, HashSet<Option<Key>>>,
    /// The pairs of sites reported (as `Site::key`s).
    reported: HashSet<(SiteKey, SiteKey)>,
    findings: Rc<RefCell<Findings>>,
}

fn join(into: &mut Clock, other: &Clock) {
    if into.len() < other.len() {
        into.resize(other.len(), 0);
    }
    for (a, b) in into.iter_mut().zip(other) {
        *a = (*a).max(*b);
    }
}

impl Detector {
    fn clock(&mut self, t: usize) -> &mut Clock {
        if self.clocks.len() <= t {
            self.clocks.resize_with(t + 1, Vec::new);
        }
        let c = &mut self.clocks[t];
        if c.len() <= t {
            c.resize(t + 1, 0);
            c[t] = c[t].max(1);
        }
        c
    }

    /// Threads that appeared since the last look were started by `creator`: what it did
    /// before happens before everything they do.
    fn note_new_threads(&mut self, vm: &Vm, creator: usize) {
        while self.seen < vm.threads.threads.len() {
            let child = self.seen;
            let mut c = self.clock(creator).clone();
            self.clock(creator)[creator] += 1;
            if c.len() <= child {
                c.resize(child + 1, 0);
            }
            c[child] = 1;
            if self.clocks.len() <= child {
                self.clocks.resize_with(child + 1, Vec::new);
            }
            self.clocks[child] = c;
            self.seen += 1;
        }
    }

    /// A thread that ended (by returning or by an exception) did all it will do: joining
    /// it, or seeing it ended, orders what it did before what the joiner does next. (Its
    /// clock does not change after its last step, so any moment after it will do.)
    fn note_ended_threads(&mut self, vm: &Vm) {
        for (t, thread) in vm.threads.threads.iter().enumerate() {
            if thread.state == crate::vm::threads::ThreadState::Finished
                && !self.ended.contains_key(&thread.ident)
            {
                let c = self.clock(t).clone();
                self.ended.insert(thread.ident, c);
            }
        }
    }

    /// Thread `t` is about to run the instruction in `f` (the top of `stack`).
    fn observe(&mut self, vm: &Vm, t: usize, f: &Frame, bottom: bool, stack: &[Box<Frame>]) {
        let ident = (bottom && t != 0).then(|| vm.threads.threads[t].ident);
        let Some(access) = next_access(vm, f, ident) else {
            return;
        };
        match &access.location {
            Location::Lock(lock) => {
                if access.release {
                    let c = self.clock(t).clone();
                    self.locks.insert(*lock, c);
                    self.clock(t)[t] += 1;
                } else if access.write
                    && let Some(released) = self.locks.get(lock).cloned()
                {
                    join(self.clock(t), &released);
                }
            }
            Location::Thread(ident) => {
                if access.write {
                    let c = self.clock(t).clone();
                    self.ended.insert(*ident, c);
                } else if let Some(end) = self.ended.get(ident).cloned() {
                    join(self.clock(t), &end);
                }
            }
            Location::Output => {}
            _ => self.data_access(vm, t, access, f, stack),
        }
    }

    fn data_access(&mut self, vm: &Vm, t: usize, access: Access, f: &Frame, stack: &[Box<Frame>]) {
        let at = self.clock(t)[t];
        let event = Event {
            thread: t,
            at,
            write: access.write,
            atomic: access.atomic,
            opname: access.opname,
            site: site(f, stack),
        };
        // An item is touched by an access to its key and by one to the whole container.
        let mut places: Vec<Place> = vec![(access.location.clone(), access.key.clone())];
        if let Location::Items(c) = access.location {
            let keys = self.keys.entry(c).or_default();
            keys.insert(access.key.clone());
            match &access.key {
                Some(_) => places.push((access.location.clone(), None)),
                None => places.extend(
                    keys.iter()
                        .filter(|k| k.is_some())
                        .map(|k| (access.location.clone(), k.clone())),
                ),
            }
        }
        for place in &places {
            let Some(shadow) = self.shadows.get(place) else {
                continue;
            };
            let mut earlier: Vec<Event> = shadow.write.iter().cloned().collect();
            if access.write {
                earlier.extend(shadow.reads.iter().cloned());
            }
            for e in earlier {
                let ordered = self.clock(t).get(e.thread).is_some_and(|&c| c >= e.at);
                if e.thread != t && !ordered && !(e.atomic && event.atomic) {
                    self.report(vm, &access, e, event.clone());
                }
            }
        }
        let shadow = self.shadows.entry(places.swap_remove(0)).or_default();
        if access.write {
            shadow.reads.clear();
            shadow.write = Some(event);
        } else {
            shadow.reads.retain(|r| r.thread != t);
            shadow.reads.push(event);
        }
    }

    fn report(&mut self, vm: &Vm, access: &Access, earlier: Event, later: Event) {
        let mut findings = self.findings.borrow_mut();
        if !self.reported.insert((earlier.site.key(), later.site.key())) {
            findings.repeats += 1;
            return;
        }
        let mut place = describe(vm, &access.location);
        match &access.key {
            Some(Key::Int(i)) => place.push_str(&format!(" [{i}]")),
            Some(Key::Str(s)) => place.push_str(&format!(" [{s:?}]")),
            None => {}
        }
        findings.races.push(Race {
            place,
            earlier,
            later,
        });
    }
}

/// The program's own frames of a stack, innermost first (the top: the instruction about
/// to run; below: the calls).
fn site(f: &Frame, stack: &[Box<Frame>]) -> Site {
    let mut frames = vec![(f.code().clone(), f.pc)];
    for caller in stack.iter().rev() {
        if frames.len() >= 8 {
            break;
        }
        if !caller.code().co_filename.starts_with("<minipy ") {
            frames.push((caller.code().clone(), caller.lasti.max(0) as usize));
        }
    }
    Site(frames)
}

impl Chooser for Detector {
    fn goes_on(&mut self, vm: &Vm, (r, f): (usize, &Frame)) -> bool {
        // (A thread can come back without a choice: one blocked in a callback.)
        self.last_running = r;
        self.note_new_threads(vm, r);
        if self.left <= 1 {
            return false;
        }
        self.left -= 1;
        self.observe(vm, r, f, vm.frames.is_empty(), &vm.frames);
        true
    }

    fn choose(&mut self, vm: &Vm, running: Option<(usize, &Frame)>, runnable: &[usize]) -> Choice {
        self.note_new_threads(vm, running.map_or(self.last_running, |r| r.0));
        self.note_ended_threads(vm);
        let pick = runnable[self.rng.below(runnable.len())];
        // A thread that keeps the GIL runs a full interval; one that takes it, 1 to N.
        // (The program may change the interval: sys.setcheckinterval.)
        let interval = vm.threads.check_interval.max(1);
        self.left = if running.is_some_and(|r| r.0 == pick) {
            interval
        } else {
            1 + self.rng.below(interval as usize) as u32
        };
        match running {
            Some((r, f)) if r == pick => self.observe(vm, r, f, vm.frames.is_empty(), &vm.frames),
            _ => {
                let frames = &vm.threads.threads[pick].frames;
                if let Some(top) = frames.last() {
                    let below = &frames[..frames.len() - 1];
                    self.observe(vm, pick, top, frames.len() == 1, below);
                }
            }
        }
        self.last_running = pick;
        Choice::Thread(pick)
    }
}

fn format_site(vm: &Vm, site: &Site) -> String {
    let mut out = String::new();
    for (code, pc) in &site.0 {
        let line = code.line_at(*pc);
        out.push_str(&format!(
            "    File \"{}\", line {line}, in {}\n",
            code.co_filename, code.co_name
        ));
        if let Some(text) = vm
            .sources
            .get(&code.co_filename)
            .and_then(|lines| lines.get(line.saturating_sub(1) as usize))
        {
            out.push_str(&format!("      {}\n", text.trim()));
        }
    }
    out
}

fn verb(e: &Event) -> &'static str {
    if e.write { "writes" } else { "reads" }
}

fn render(vm: &Vm, findings: &Findings) -> String {
    let name = |t: usize| {
        vm.threads
            .threads
            .get(t)
            .map_or_else(|| format!("thread {t}"), |th| th.name.clone())
    };
    let mut out = String::new();
    for race in &findings.races {
        out.push_str("==================\n");
        out.push_str(&format!(
            "minipy race-report: a data race on {}\n",
            race.place
        ));
        out.push_str(&format!(
            "  {} {} it ({}):\n{}",
            name(race.later.thread),
            verb(&race.later),
            race.later.opname,
            format_site(vm, &race.later.site)
        ));
        out.push_str(&format!(
            "  and {} {} it before ({}), with nothing between the two threads (no lock, \
             join, queue or event) to order them:\n{}",
            name(race.earlier.thread),
            if race.earlier.write { "wrote" } else { "read" },
            race.earlier.opname,
            format_site(vm, &race.earlier.site)
        ));
    }
    if !findings.races.is_empty() {
        out.push_str("==================\n");
        let repeats = if findings.repeats > 0 {
            format!(" ({} more times at the same places)", findings.repeats)
        } else {
            String::new()
        };
        let n = findings.races.len();
        out.push_str(&format!(
            "minipy race-report: {n} race{} reported{repeats}\n",
            if n == 1 { "" } else { "s" }
        ));
    }
    out
}

/// Runs the program with the detector; prints what the program prints, then the races.
/// The exit status is the program's, or 66 when a race was reported (unless `warn_only`).
pub fn race_report(
    source: &str,
    filename: &str,
    options: crate::vm::Options,
    warn_only: bool,
) -> i32 {
    let code = match crate::compile_source(source, filename) {
        Ok(code) => code,
        Err(err) => {
            crate::report!("{}", err.render(filename, source));
            return 1;
        }
    };
    let interval = options.check_interval.max(1);
    let seed = options.seed;
    let mut vm = crate::new_vm(options);
    let findings = Rc::new(RefCell::new(Findings::default()));
    crate::sched::state_mut(&mut vm).chooser = Some(Box::new(Detector {
        rng: Rng::new(seed),
        left: interval,
        clocks: Vec::new(),
        seen: 1,
        last_running: 0,
        locks: HashMap::new(),
        ended: HashMap::new(),
        shadows: HashMap::new(),
        keys: HashMap::new(),
        reported: HashSet::new(),
        findings: findings.clone(),
    }));
    let result = vm.run_module(code, source);
    vm.flush();
    let status = match result {
        Ok(_) => 0,
        Err(exc) => vm.report_uncaught(exc),
    };
    crate::modules::atexit::run_registered(&mut vm);
    vm.finalize_at_exit();
    vm.flush();
    let text = render(&vm, &findings.borrow());
    if text.is_empty() {
        return status;
    }
    crate::report!("{text}");
    if warn_only { status } else { RACE_STATUS }
}
