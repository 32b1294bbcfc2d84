//! VM threads and the deterministic scheduler: every VM thread is a frame stack; the GIL is
//! a token offered every `check_interval` counted instructions (`opcode::counts_tick`) or
//! handed on when the holder blocks, the next thread chosen by a generator seeded with
//! `--seed`. Time is virtual: it
//! advances with executed instructions and with sleeps, so runs repeat byte for byte.
//! Also the `_thread` primitives threading.py is built on, and locks.

use super::frame::{Frame, Resume};
use super::object::{Args, Object};
use super::{Call, ObjRef, PyResult, Value, Vm};

/// Virtual nanoseconds one counted instruction takes.
const NS_PER_INSTRUCTION: u64 = 10;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ThreadState {
    Runnable,
    /// Waiting for a lock held by another thread, until an optional virtual deadline (ns).
    WaitLock(ObjRef, Option<u64>),
    /// Waiting for a thread to finish, until an optional virtual deadline (ns).
    WaitJoin(u64, Option<u64>),
    /// Sleeping until a virtual time (ns).
    Sleeping(u64),
    Finished,
}

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
    /// Blocked inside a callback from native code (see `Scheduler::pinned`).
    pub pinned: bool,
}

/// A threading.local instance: one `__dict__` per thread that has used it. Whichever
/// thread holds the GIL sees its own: the instance's dict is swapped at every handoff, so
/// attribute lookup (class attributes, properties, the inline caches) works as for any
/// instance.
pub struct ThreadLocal {
    pub obj: ObjRef,
    /// (thread ident, its dict, whether the subclass's `__init__` has run for it).
    pub dicts: Vec<(u64, ObjRef, bool)>,
    /// The arguments the instance was created with, for `__init__` in each new thread.
    pub args: Value,
    pub kwargs: Value,
}

/// Scheduler settings and state.
pub struct Scheduler {
    pub threads: Vec<VmThread>,
    pub current: usize,
    pub check_interval: u32,
    /// Instructions left before the holder must offer the GIL, while there is one thread
    /// (nothing counts them down then).
    pub budget: u32,
    /// With more than one thread: the tick (`Vm::ticks`) of the instruction that offers
    /// the GIL next. `u64::MAX` while there is one thread.
    pub next_check: u64,
    pub rng: u64,
    /// Virtual time in nanoseconds.
    pub clock_ns: u64,
    pub max_threads: usize,
    pub next_ident: u64,
    /// The main thread's outcome once it has finished while others still run.
    pub main_result: Option<PyResult<Value>>,
    /// What the current thread is about to block on (set by a blocking native).
    pub pending: Option<ThreadState>,
    /// The running thread was just woken from a sleep.
    pub just_woke: bool,
    /// The thread drawn to take the GIL at the last spent check interval.
    pub next_pick: Option<usize>,
    /// Bumped when a wait may have ended (a lock released, a thread finished or blocked).
    pub changes: u64,
    /// `changes` when the waiting threads were last looked at, and the earliest deadline
    /// among them then: until either moves, no wait can have ended.
    pub scanned_changes: u64,
    pub next_deadline: u64,
    /// The runnable, unpinned threads as of `changes == runnable_at`: the draw at every
    /// spent check interval picks from this list instead of walking the thread table.
    pub runnable: Vec<usize>,
    pub runnable_at: u64,
    /// The native depth at which the running thread's own frames run: 1, or deeper while
    /// threads run on top of one blocked inside a callback from native code.
    pub base_depth: usize,
    /// Threads blocked inside a callback from native code, innermost last: their Rust
    /// stack is below the running thread's, so they can only go on when it hands back.
    pub pinned: Vec<usize>,
    /// Every threading.local instance (kept alive for the program's life).
    pub locals: Vec<ThreadLocal>,
}

impl Scheduler {
    pub fn new(seed: u64, check_interval: u32, max_threads: usize) -> Self {
        Scheduler {
            threads: vec![VmThread {
                ident: 1,
                name: "MainThread".into(),
                daemon: false,
                state: ThreadState::Runnable,
                frames: Vec::new(),
                handled: Value::None,
                thread_obj: Value::None,
                raw: false,
                woke: false,
                pinned: false,
            }],
            current: 0,
            check_interval: check_interval.max(1),
            budget: check_interval.max(1),
            next_check: u64::MAX,
            rng: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x2545_f491_4f6c_dd1d,
            clock_ns: 0,
            max_threads,
            next_ident: 2,
            main_result: None,
            pending: None,
            just_woke: false,
            next_pick: None,
            changes: 0,
            scanned_changes: u64::MAX,
            next_deadline: 0,
            runnable: Vec::new(),
            runnable_at: u64::MAX,
            base_depth: 1,
            pinned: Vec::new(),
            locals: Vec::new(),
        }
    }

    /// One draw from the (non-empty) runnable list.
    fn pick_runnable(&mut self) -> usize {
        let count = self.runnable.len();
        let r = self.next_random();
        // The same k as `r % count`, without a division in the common power-of-two cases
        // (this runs at every spent check interval).
        let k = if count.is_power_of_two() {
            (r & (count as u64 - 1)) as usize
        } else {
            (r % count as u64) as usize
        };
        self.runnable[k]
    }

    fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    pub fn live(&self) -> usize {
        self.threads
            .iter()
            .filter(|t| t.state != ThreadState::Finished)
            .count()
    }
}

impl Vm {
    /// Whether the running thread may be switched out here: other threads exist and no
    /// native code (which holds values in Rust locals) is on the Rust stack.
    pub fn preemptible(&self) -> bool {
        self.sched.threads.len() > 1 && self.native_depth == self.sched.base_depth
    }

    /// Whether a thread's run returns to a driver when it must give up the GIL (an OS
    /// thread, or the loop running threads on top of one pinned by a callback) instead of
    /// switching threads itself.
    pub fn driven(&self) -> bool {
        self.os.is_some() || !self.sched.pinned.is_empty()
    }

    #[inline]
    pub fn now_ns(&self) -> u64 {
        match &self.os {
            Some(os) => os.signals.now_ns(),
            None => self.sched.clock_ns + self.ticks * NS_PER_INSTRUCTION,
        }
    }

    /// Lets `ns` nanoseconds pass for a thread that waits with nobody to switch to.
    pub fn pass_time(&mut self, ns: u64) {
        match &self.os {
            Some(_) => std::thread::sleep(std::time::Duration::from_nanos(ns)),
            None => self.sched.clock_ns += ns,
        }
    }

    /// Gives the running thread `n` more instructions before it offers the GIL.
    pub fn set_budget(&mut self, n: u32) {
        if self.sched.threads.len() > 1 {
            self.sched.next_check = self.ticks + 1 + u64::from(n);
        } else {
            self.sched.budget = n;
        }
    }

    /// Instructions the running thread has left before it offers the GIL.
    pub fn budget_left(&self) -> u32 {
        if self.sched.threads.len() > 1 {
            let left = self.sched.next_check.saturating_sub(self.ticks + 1);
            left.min(u64::from(u32::MAX)) as u32
        } else {
            self.sched.budget
        }
    }

    fn thread_index(&self, ident: u64) -> Option<usize> {
        self.sched.threads.iter().position(|t| t.ident == ident)
    }

    /// The check interval is spent: draws the next thread. True when the running thread
    /// keeps the GIL (it could be picked again); otherwise the pick waits in `next_pick`.
    /// In the common case, every thread runnable, this allocates nothing.
    pub fn keeps_gil(&mut self) -> bool {
        if let Some(&pinned) = self.sched.pinned.last() {
            // The thread blocked in a callback goes on as soon as it can.
            self.wake_ready();
            if self.sched.threads[pinned].state == ThreadState::Runnable {
                self.sched.next_pick = None;
                return false;
            }
        }
        if let Some(os) = &self.os {
            // Under the OS scheduler a waiting thread asks for the GIL with a drop request.
            return !os.signals.drop_requested();
        }
        match self.draw_runnable() {
            Some(pick) if pick == self.sched.current => true,
            pick => {
                self.sched.next_pick = pick;
                false
            }
        }
    }

    /// The GIL check at tick `tick` as `keeps_gil` would make it, when the deterministic
    /// scheduler needs nothing but the draw (no thread pinned, no wait that may have
    /// ended, the runnable list current): `Some(true)` when the running thread keeps the
    /// GIL, `Some(false)` with the pick in `next_pick`. Under the OS scheduler, `Some(true)`
    /// while no thread asks for the GIL. `None`, with nothing changed, otherwise.
    pub fn quick_check(&mut self, tick: u64) -> Option<bool> {
        if let Some(os) = &self.os {
            // Under the OS scheduler: the holder keeps the GIL while nobody asks for it.
            let keeps = self.sched.pinned.is_empty() && !os.signals.drop_requested();
            return keeps.then_some(true);
        }
        let sched = &mut self.sched;
        let simple = sched.pinned.is_empty()
            && sched.changes == sched.scanned_changes
            && sched.runnable_at == sched.changes
            && sched.clock_ns + tick * NS_PER_INSTRUCTION < sched.next_deadline
            && !sched.runnable.is_empty();
        if !simple {
            return None;
        }
        let pick = sched.pick_runnable();
        if pick == sched.current {
            return Some(true);
        }
        sched.next_pick = Some(pick);
        Some(false)
    }

    /// Wakes the threads whose wait is over, then draws one runnable thread at random.
    #[inline]
    fn draw_runnable(&mut self) -> Option<usize> {
        self.wake_ready();
        if self.sched.runnable_at != self.sched.changes {
            let runnable = self.sched.threads.iter().enumerate();
            self.sched.runnable = runnable
                .filter(|(_, t)| t.state == ThreadState::Runnable && !t.pinned)
                .map(|(i, _)| i)
                .collect();
            self.sched.runnable_at = self.sched.changes;
        }
        if self.sched.runnable.is_empty() {
            return None;
        }
        Some(self.sched.pick_runnable())
    }

    /// Hands the GIL to the thread `keeps_gil` drew, from inside the eval loop: the running
    /// frame trades places with that thread's top frame (their boxes swap), and the loop
    /// goes on without returning (with `--check-interval 1` this runs every other
    /// instruction). False when no thread was drawn.
    pub fn preempt_contents(&mut self, f: &mut Box<Frame>) -> bool {
        let Some(pick) = self.sched.next_pick.take() else {
            return false;
        };
        // park_current and enter_thread, with one fewer move of the frame stacks: this
        // runs at every other spent check interval.
        let cur = self.sched.current;
        let mut theirs = std::mem::take(&mut self.sched.threads[pick].frames);
        std::mem::swap(f, theirs.last_mut().expect("a parked thread has a frame"));
        let mine = theirs.pop().expect("the swapped-out frame");
        self.frames.push(mine);
        self.sched.threads[cur].frames = std::mem::replace(&mut self.frames, theirs);
        self.sched.threads[cur].handled = self.handled;
        self.make_running(pick);
        true
    }

    /// Saves the running thread's frames, with `f` on top, and its handled exception.
    pub fn park_current(&mut self, f: Option<Box<Frame>>) {
        let cur = self.sched.current;
        if let Some(f) = f {
            self.frames.push(f);
        }
        self.sched.threads[cur].frames = std::mem::take(&mut self.frames);
        self.sched.threads[cur].handled = self.handled;
    }

    /// Gives the GIL to thread `pick` with a fresh check interval; returns its top frame.
    pub fn resume_thread(&mut self, pick: usize) -> Option<Box<Frame>> {
        self.enter_thread(pick);
        self.frames.pop()
    }

    /// Makes `pick` the running thread (its frames, its handled exception, a fresh check
    /// interval): what `park_current` saved.
    fn enter_thread(&mut self, pick: usize) {
        self.make_running(pick);
        self.frames = std::mem::take(&mut self.sched.threads[pick].frames);
    }

    /// Everything `enter_thread` does but bring back the frames.
    fn make_running(&mut self, pick: usize) {
        self.sched.current = pick;
        let first = self.first_interval();
        self.set_budget(first);
        self.sched.just_woke = std::mem::take(&mut self.sched.threads[pick].woke);
        self.handled = self.sched.threads[pick].handled;
        if !self.sched.locals.is_empty() {
            self.show_thread_locals();
        }
    }

    /// Gives every threading.local the running thread's dict, a new empty one for a thread
    /// that has not used it yet (its `__init__` runs at the first attribute access).
    fn show_thread_locals(&mut self) {
        let ident = self.current_ident();
        for i in 0..self.sched.locals.len() {
            let known = self.sched.locals[i]
                .dicts
                .iter()
                .find(|(id, _, _)| *id == ident)
                .map(|(_, d, _)| *d);
            let dict = match known {
                Some(d) => d,
                None => {
                    let d = self.new_dict().as_obj().expect("a dict");
                    self.sched.locals[i].dicts.push((ident, d, false));
                    d
                }
            };
            let obj = self.sched.locals[i].obj;
            if let Object::Instance(inst) = self.heap.get_mut(obj) {
                inst.dict = dict;
            }
        }
    }

    /// Before an attribute of `obj` is read, set or deleted: when `obj` is a threading.local
    /// the running thread has not used yet, its class's `__init__` runs first, with the
    /// arguments the instance was made with, as CPython's _thread._local does.
    #[inline]
    pub fn prepare_thread_local(&mut self, obj: Value) -> PyResult<()> {
        // (Nothing to do in the common case: a program with no threading.local.)
        if self.sched.locals.is_empty() {
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
        let Some(local) = self.sched.locals.iter_mut().find(|l| l.obj == r) else {
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

    /// The instructions a thread that has just taken the GIL runs before it is first offered
    /// it: a draw from 1 to the check interval (then the full interval at every offer it
    /// keeps). With a fixed first interval, a loop whose length shares a factor with the
    /// interval is offered the GIL at the same few instructions every time, so a race can
    /// hide (or lose every update) by arithmetic alone.
    fn first_interval(&mut self) -> u32 {
        let interval = self.sched.check_interval;
        if interval == 1 {
            return 1;
        }
        let r = self.sched.next_random();
        1 + (r % u64::from(interval)) as u32
    }

    /// Saves the running thread's frames (with `f` on top) and picks the next thread to run;
    /// `None` when no thread can ever run again (finished, or deadlocked and reported).
    pub fn switch_from(&mut self, f: Option<Box<Frame>>) -> Option<Box<Frame>> {
        self.park_current(f);
        loop {
            let main_done = self.sched.threads[0].state == ThreadState::Finished;
            let non_daemon_alive = self
                .sched
                .threads
                .iter()
                .any(|t| !t.daemon && t.state != ThreadState::Finished);
            if main_done && !non_daemon_alive {
                return None;
            }
            if let Some(pick) = self.draw_runnable() {
                return self.resume_thread(pick);
            }
            // Nobody can run: let virtual time pass to the earliest wake-up, if there is one.
            if !self.pass_time_to_next_deadline() {
                self.report_deadlock();
                return None;
            }
        }
    }

    /// Makes runnable every thread whose wait is over.
    #[inline]
    pub fn wake_ready(&mut self) {
        // Checked at every spent check interval: most of the time nothing has changed.
        if self.sched.changes != self.sched.scanned_changes
            || self.now_ns() >= self.sched.next_deadline
        {
            self.wake_ready_scan();
        }
    }

    fn wake_ready_scan(&mut self) {
        let now = self.now_ns();
        self.sched.next_deadline = u64::MAX;
        let mut woke_any = false;
        for i in 0..self.sched.threads.len() {
            // (ready, woken by time rather than by the event it waited for)
            let (ready, timed_out) = match self.sched.threads[i].state {
                ThreadState::Sleeping(at) => (at <= now, true),
                ThreadState::WaitJoin(id, deadline) => {
                    let done = self
                        .sched
                        .threads
                        .iter()
                        .any(|t| t.ident == id && t.state == ThreadState::Finished);
                    (done || deadline.is_some_and(|d| d <= now), !done)
                }
                ThreadState::WaitLock(lock, deadline) => {
                    let free = self.lock_owner(lock).is_none();
                    (free || deadline.is_some_and(|d| d <= now), !free)
                }
                _ => (false, false),
            };
            if ready {
                self.sched.threads[i].state = ThreadState::Runnable;
                self.sched.threads[i].woke = timed_out;
                woke_any = true;
            } else if let ThreadState::Sleeping(at)
            | ThreadState::WaitJoin(_, Some(at))
            | ThreadState::WaitLock(_, Some(at)) = self.sched.threads[i].state
            {
                self.sched.next_deadline = self.sched.next_deadline.min(at);
            }
        }
        if woke_any {
            self.sched.changes += 1;
        }
        self.sched.scanned_changes = self.sched.changes;
    }

    fn lock_owner(&self, lock: ObjRef) -> Option<u64> {
        match self.heap.get(lock) {
            Object::Lock { owner, .. } => *owner,
            _ => None,
        }
    }

    /// Prints which thread waits for what, and marks the run deadlocked (exit status 3).
    pub fn report_deadlock(&mut self) {
        let mut lines = vec!["minipy: deadlock: no thread can run again".to_string()];
        for t in &self.sched.threads {
            let what = match t.state {
                ThreadState::WaitLock(lock, _) => {
                    let holder = self
                        .lock_owner(lock)
                        .and_then(|o| self.sched.threads.iter().find(|h| h.ident == o))
                        .map_or("nobody".to_string(), |h| h.name.clone());
                    format!("waits for {} held by {holder}", self.lock_name(lock))
                }
                ThreadState::WaitJoin(id, _) => {
                    let other = self
                        .sched
                        .threads
                        .iter()
                        .find(|h| h.ident == id)
                        .map_or("?".into(), |h| h.name.clone());
                    format!("waits for {other} to finish")
                }
                _ => continue,
            };
            let held: Vec<String> = self
                .heap_locks_held_by(t.ident)
                .into_iter()
                .map(|l| self.lock_name(l))
                .collect();
            let holds = if held.is_empty() {
                String::new()
            } else {
                format!(", holds {}", held.join(", "))
            };
            lines.push(format!("  {} {what}{holds}", t.name));
        }
        self.flush();
        crate::reportln!("{}", lines.join("\n"));
        self.deadlocked = true;
    }

    /// Locks are named by creation order (`lock #1`), stable across unrelated changes.
    fn lock_name(&self, lock: ObjRef) -> String {
        match self.heap.get(lock) {
            Object::Lock { serial, .. } => format!("lock #{serial}"),
            _ => format!("lock at {}", self.address(lock)),
        }
    }

    /// The locks `ident` holds, in creation order. Only deadlock reports ask, so a walk
    /// over the heap is cheaper than keeping a registry on every lock's creation.
    fn heap_locks_held_by(&self, ident: u64) -> Vec<ObjRef> {
        let mut held: Vec<(u32, ObjRef)> = self
            .heap
            .objects()
            .filter_map(|(r, obj)| match obj {
                Object::Lock { owner, serial, .. } if *owner == Some(ident) => Some((*serial, r)),
                _ => None,
            })
            .collect();
        held.sort_unstable();
        held.into_iter().map(|(_, r)| r).collect()
    }

    /// The running thread's bottom frame finished with `result`: record it, report an
    /// uncaught exception in a thread, and move on to another thread.
    pub fn thread_finished(&mut self, result: PyResult<Value>) -> Option<Box<Frame>> {
        self.end_thread(result);
        self.switch_from(None)
    }

    /// Records how the running thread ended: the main thread's result is kept; an uncaught
    /// exception in another thread is reported as CPython's threading module reports it.
    pub fn end_thread(&mut self, result: PyResult<Value>) {
        let cur = self.sched.current;
        if cur == 0 {
            // As CPython: the main thread's uncaught exception (or sys.exit's message) is
            // reported now, before the program waits for its other threads; only the exit
            // status waits.
            let result = match result {
                Err(exc) => {
                    self.flush();
                    let status = self.report_uncaught(exc);
                    let code = Value::Int(i64::from(status));
                    Err(self.new_exception_args("SystemExit", vec![code]))
                }
                ok => ok,
            };
            self.sched.main_result = Some(result);
        } else if let Err(exc) = result
            && !self.exception_is(exc, "SystemExit")
        {
            self.report_thread_exception(cur, exc);
        }
        self.sched.threads[cur].state = ThreadState::Finished;
        // A finished thread's threading.local values go, as in CPython.
        let ident = self.sched.threads[cur].ident;
        for local in &mut self.sched.locals {
            local.dicts.retain(|(id, _, _)| *id != ident);
        }
        self.notify_change();
    }

    /// threading's "Exception in thread NAME:" report, with the thread's name as it is now
    /// and on `sys.stderr` as it is now (a replaced one gets the text through its write()).
    fn report_thread_exception(&mut self, index: usize, exc: Value) {
        let thread_obj = self.sched.threads[index].thread_obj;
        if self.sched.threads[index].raw {
            // _thread's own report: the function, then the traceback as for the main thread.
            let function = self.repr(thread_obj).unwrap_or_default();
            let report = self.format_exception(exc);
            self.flush();
            crate::report!("Unhandled exception in thread started by {function}\n{report}");
            return;
        }
        let name = match self.getattr_opt(thread_obj, "name") {
            Ok(Some(n)) => self.str(n).ok(),
            _ => None,
        }
        .unwrap_or_else(|| self.sched.threads[index].name.clone());
        let report = self.format_exception_traceback_module(exc);
        let text = format!("Exception in thread {name}:\n{report}\n");
        self.flush();
        let stderr = self
            .modules
            .get("sys")
            .copied()
            .and_then(|sys| self.getattr_opt(Value::Obj(sys), "stderr").ok().flatten());
        let replaced = stderr.filter(|s| {
            !matches!(s.as_obj().map(|r| self.heap.get(r)),
                Some(Object::Module { name, .. }) if name == "<stderr>")
        });
        if let Some(stream) = replaced {
            let piece = self.new_str(text.clone());
            let written = self
                .getattr(stream, "write")
                .and_then(|write| self.call(write, Args::new(vec![piece])));
            if written.is_ok() {
                return;
            }
        }
        crate::report!("{text}");
    }

    /// Asks the running thread to block: returns the signal the eval loop turns into a
    /// suspension (the call is re-run when the thread is woken).
    pub fn block_on(&mut self, state: ThreadState) -> Value {
        self.sched.pending = Some(state);
        self.sched.changes += 1;
        self.block_signal
    }

    pub fn is_block_signal(&self, v: Value) -> bool {
        v.is(self.block_signal)
    }

    /// The running thread blocked inside a callback from native code, its top frame
    /// (rewound to the blocking call) held by the Rust stack: runs the other threads here,
    /// on top of it, until its wait is over. Under `--sched os` too: the GIL cannot be
    /// released from inside native code, so this OS thread keeps it and runs the others'
    /// frames itself; their own OS threads pick them up again afterwards. Ok when the call can re-run; Err with the
    /// exception to raise in that frame (a deadlock, or a wait that cannot be met). The
    /// collector does not run meanwhile: it only runs with no native code on the stack,
    /// whose Rust locals hold values it cannot see.
    pub fn run_others_while_blocked(&mut self, state: ThreadState) -> Result<(), Value> {
        let me = self.sched.current;
        self.sched.threads[me].state = state;
        self.sched.threads[me].pinned = true;
        self.sched.pinned.push(me);
        self.sched.changes += 1;
        // Its frames below the callback stay in its slot, which nobody resumes while pinned.
        self.park_current(None);
        let saved_base = std::mem::replace(&mut self.sched.base_depth, self.native_depth);
        let outcome = self.run_others_until_woken(me);
        self.sched.base_depth = saved_base;
        self.sched.pinned.pop();
        self.sched.threads[me].pinned = false;
        self.sched.changes += 1;
        self.enter_thread(me);
        outcome
    }

    fn run_others_until_woken(&mut self, me: usize) -> Result<(), Value> {
        loop {
            self.wake_ready();
            if self.sched.threads[me].state == ThreadState::Runnable {
                return Ok(());
            }
            let pick = match self.sched.next_pick.take() {
                Some(p) if !self.sched.threads[p].pinned => Some(p),
                _ => self.draw_runnable(),
            };
            let Some(pick) = pick else {
                if self.pass_time_to_next_deadline() {
                    continue;
                }
                if self.sched.pinned.len() > 1 || !self.non_daemon_alive() {
                    // An outer pinned thread (or the end of the program) is what this one
                    // waits for: neither can come while this callback holds the stack.
                    return Err(self.new_exception(
                        "RuntimeError",
                        "minipy cannot block here: the wait needs a thread whose callback is below this one",
                    ));
                }
                self.report_deadlock();
                return Err(self.new_exception_args("SystemExit", vec![Value::Int(3)]));
            };
            let top = self
                .resume_thread(pick)
                .expect("a runnable thread has a frame");
            self.frames.push(top);
            match self.run_until(0) {
                // Parked, with its state: the loop picks again.
                Err(signal) if self.is_block_signal(signal) => {}
                result => self.end_thread(result),
            }
        }
    }

    /// Nobody can run: lets virtual time pass to the earliest wake-up. False if none.
    fn pass_time_to_next_deadline(&mut self) -> bool {
        let wake = self
            .sched
            .threads
            .iter()
            .filter_map(|t| match t.state {
                ThreadState::Sleeping(at)
                | ThreadState::WaitJoin(_, Some(at))
                | ThreadState::WaitLock(_, Some(at)) => Some(at),
                _ => None,
            })
            .min();
        match wake {
            Some(at) => {
                let now = self.now_ns();
                self.pass_time(at.saturating_sub(now));
                true
            }
            None => false,
        }
    }
}

// ---------------------------------------------------------------- _thread natives

fn ident_arg(vm: &Vm, args: &Args, i: usize) -> u64 {
    args.pos.get(i).and_then(|v| vm.as_index(*v)).unwrap_or(0) as u64
}

/// `_start(thread, name, daemon)`: a new VM thread running `thread.run()`.
pub fn t_start(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    let thread_obj = args.pos.first().copied().unwrap_or(Value::None);
    let name = args
        .pos
        .get(1)
        .and_then(|v| vm.str_of(*v))
        .unwrap_or("Thread")
        .to_string();
    let daemon = match args.pos.get(2) {
        Some(d) => vm.truthy(*d)?,
        None => false,
    };
    // threading.Thread starts in _bootstrap_inner, which registers it and calls run().
    let run = match vm.getattr_opt(thread_obj, "_bootstrap_inner")? {
        Some(entry) => entry,
        None => vm.getattr(thread_obj, "run")?,
    };
    let ident = vm.spawn_thread(run, Args::default(), name, daemon, thread_obj, false)?;
    Ok(Value::Int(ident as i64))
}

/// `_local_register(obj, args, kwargs)`: makes `obj` (a new threading.local) keep one
/// `__dict__` per thread; the running thread's is the one it has now.
pub fn t_local_register(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    let [obj, init_args, kwargs] = args.pos[..] else {
        return Err(vm.type_error("_local_register(obj, args, kwargs)"));
    };
    let Some(Object::Instance(inst)) = obj.as_obj().map(|r| vm.heap.get(r)) else {
        return Err(vm.type_error("_local_register: not an instance"));
    };
    let dict = inst.dict;
    let ident = vm.current_ident();
    vm.sched.locals.push(ThreadLocal {
        obj: obj.as_obj().expect("an instance"),
        dicts: vec![(ident, dict, true)],
        args: init_args,
        kwargs,
    });
    Ok(Value::None)
}

/// `_thread.start_new_thread(function, args[, kwargs])`: a thread with no threading.Thread
/// object. Like CPython's, the program does not wait for it at exit.
pub fn t_start_new_thread(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    if !args.kw.is_empty() {
        return Err(vm.type_error("start_new_thread() takes no keyword arguments"));
    }
    let n = args.pos.len();
    if !(2..=3).contains(&n) {
        let msg = if n < 2 {
            format!("start_new_thread expected at least 2 arguments, got {n}")
        } else {
            format!("start_new_thread expected at most 3 arguments, got {n}")
        };
        return Err(vm.type_error(&msg));
    }
    let function = args.pos[0];
    if !vm.is_callable(function) {
        return Err(vm.type_error("first arg must be callable"));
    }
    let Some(Object::Tuple(items)) = args.pos[1].as_obj().map(|r| vm.heap.get(r)) else {
        return Err(vm.type_error("2nd arg must be a tuple"));
    };
    let mut call = Args::new(items.to_vec());
    if let Some(&kwargs) = args.pos.get(2) {
        let Some(Object::Dict(d)) = kwargs.as_obj().map(|r| vm.heap.get(r)) else {
            return Err(vm.type_error("optional 3rd arg must be a dictionary"));
        };
        let pairs: Vec<(Value, Value)> = d.values().copied().collect();
        for (k, v) in pairs {
            let Some(k) = vm.str_of(k).map(str::to_string) else {
                return Err(vm.type_error("keywords must be strings"));
            };
            call.kw.push((k, v));
        }
    }
    let name = format!("Dummy-{}", vm.sched.next_ident);
    let ident = vm.spawn_thread(function, call, name, true, function, true)?;
    Ok(Value::Int(ident as i64))
}

impl Vm {
    /// Adds a VM thread that calls `entry(args)`; returns its ident. Under the OS scheduler
    /// it gets its OS thread now. RuntimeError("can't start new thread") past --max-threads
    /// or when the OS refuses a thread.
    fn spawn_thread(
        &mut self,
        entry: Value,
        args: Args,
        name: String,
        daemon: bool,
        thread_obj: Value,
        raw: bool,
    ) -> PyResult<u64> {
        if self.sched.live() >= self.sched.max_threads {
            return Err(self.new_exception("RuntimeError", "can't start new thread"));
        }
        let ident = self.sched.next_ident;
        self.sched.next_ident += 1;
        let frames = match self.prepare_call(entry, args)? {
            Call::Done(_) => vec![],
            Call::Frame(mut frame) => {
                frame.resume = Resume::Native;
                vec![frame]
            }
        };
        let state = if frames.is_empty() {
            ThreadState::Finished
        } else {
            ThreadState::Runnable
        };
        // The running thread's budget starts counting down once a second thread exists.
        let budget = self.budget_left();
        self.sched.threads.push(VmThread {
            ident,
            name: name.clone(),
            daemon,
            state,
            frames,
            handled: Value::None,
            thread_obj,
            raw,
            woke: false,
            pinned: false,
        });
        self.set_budget(budget);
        self.sched.changes += 1;
        if let Some(os) = &self.os
            && state == ThreadState::Runnable
            && os.spawn(self.sched.threads.len() - 1, &name).is_err()
        {
            self.sched.threads.pop();
            if self.sched.threads.len() == 1 {
                self.sched.next_check = u64::MAX;
                self.sched.budget = budget;
            }
            return Err(self.new_exception("RuntimeError", "can't start new thread"));
        }
        Ok(ident)
    }
}

pub fn t_join(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    let ident = ident_arg(vm, &args, 0);
    let Some(i) = vm.thread_index(ident) else {
        return Ok(Value::None);
    };
    // Finished, or re-run after a timed-out wait: return.
    let timed_out = std::mem::take(&mut vm.sched.just_woke);
    if timed_out || vm.sched.threads[i].state == ThreadState::Finished {
        return Ok(Value::None);
    }
    let timeout = args
        .pos
        .get(1)
        .copied()
        .filter(|t| *t != Value::None)
        .and_then(|t| vm.to_f64(t));
    let deadline = timeout.map(|s| vm.now_ns() + (s.max(0.0) * 1e9) as u64);
    if let Some(d) = deadline
        && d <= vm.now_ns()
    {
        return Ok(Value::None);
    }
    Err(vm.block_on(ThreadState::WaitJoin(ident, deadline)))
}

pub fn t_alive(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    let ident = ident_arg(vm, &args, 0);
    Ok(Value::Bool(vm.thread_index(ident).is_some_and(|i| {
        vm.sched.threads[i].state != ThreadState::Finished
    })))
}

pub fn t_current_ident(vm: &mut Vm, _: Option<Value>, _: Args) -> PyResult<Value> {
    Ok(Value::Int(vm.sched.threads[vm.sched.current].ident as i64))
}

pub fn t_main_ident(_: &mut Vm, _: Option<Value>, _: Args) -> PyResult<Value> {
    Ok(Value::Int(1))
}

pub fn t_allocate_lock(vm: &mut Vm, _: Option<Value>, _: Args) -> PyResult<Value> {
    Ok(vm.new_lock(false))
}

pub fn t_allocate_rlock(vm: &mut Vm, _: Option<Value>, _: Args) -> PyResult<Value> {
    Ok(vm.new_lock(true))
}

impl Vm {
    pub fn new_lock(&mut self, reentrant: bool) -> Value {
        self.locks_created += 1;
        let lock = self.heap.alloc(Object::Lock {
            owner: None,
            count: 0,
            reentrant,
            serial: self.locks_created,
        });
        Value::Obj(lock)
    }

    fn current_ident(&self) -> u64 {
        self.sched.threads[self.sched.current].ident
    }
}

fn lock_ref(r: Option<Value>) -> ObjRef {
    r.and_then(|v| v.as_obj())
        .expect("lock methods are bound to a lock")
}

/// lock.acquire(blocking=True, timeout=-1)
pub fn l_acquire(vm: &mut Vm, r: Option<Value>, args: Args) -> PyResult<Value> {
    // A misspelt `blocking=` must not turn a non-blocking acquire into a deadlock.
    super::builtins::check_keywords(vm, &args, "acquire", &["blocking", "timeout"])?;
    if args.pos.len() > 2 {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("acquire() takes at most 2 arguments ({n} given)")));
    }
    let lock = lock_ref(r);
    let kw = |name: &str| args.kw.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    // 3.7's argument parsing: `blocking` is an integer ("p" would take any object).
    let blocking = match args.pos.first().copied().or_else(|| kw("blocking")) {
        None => true,
        Some(Value::Float(_)) => {
            return Err(vm.type_error("integer argument expected, got float"));
        }
        Some(b) => match vm.as_index(b) {
            Some(i) => i != 0,
            None => {
                let t = vm.type_name(b);
                return Err(vm.type_error(&format!("an integer is required (got type {t})")));
            }
        },
    };
    // -1, the default, waits for ever; other negative timeouts are refused.
    let timeout = match args.pos.get(1).copied().or_else(|| kw("timeout")) {
        None => None,
        Some(t) => match vm.to_f64(t) {
            Some(-1.0) => None,
            Some(_) if !blocking => {
                return Err(vm.new_exception(
                    "ValueError",
                    "can't specify a timeout for a non-blocking call",
                ));
            }
            Some(t) if t < 0.0 => {
                return Err(vm.new_exception("ValueError", "timeout value must be positive"));
            }
            // Beyond what a 64-bit count of nanoseconds holds, as CPython's _PyTime_t.
            Some(t) if t * 1e9 >= i64::MAX as f64 => {
                return Err(vm.new_exception(
                    "OverflowError",
                    "timestamp too large to convert to C _PyTime_t",
                ));
            }
            Some(t) => Some(t),
            None => {
                let t = vm.type_name(t);
                return Err(vm.type_error(&format!("an integer is required (got type {t})")));
            }
        },
    };
    // Re-run after a timed-out wait: give up.
    let timed_out = std::mem::take(&mut vm.sched.just_woke);
    let me = vm.current_ident();
    let Object::Lock {
        owner,
        count,
        reentrant,
        ..
    } = vm.heap.get_mut(lock)
    else {
        unreachable!("lock methods are bound to locks")
    };
    match *owner {
        None => {
            *owner = Some(me);
            *count = 1;
            Ok(Value::Bool(true))
        }
        Some(o) if o == me && *reentrant => {
            *count += 1;
            Ok(Value::Bool(true))
        }
        Some(_) if !blocking || timed_out || timeout == Some(0.0) => Ok(Value::Bool(false)),
        Some(_) => {
            if !vm.preemptible() && vm.sched.live() <= 1 {
                // The only thread waits for a lock it can never get.
                let deadline = timeout.map(|t| vm.now_ns() + (t * 1e9) as u64);
                if let Some(d) = deadline {
                    vm.pass_time(d.saturating_sub(vm.now_ns()));
                    return Ok(Value::Bool(false));
                }
                vm.sched.threads[vm.sched.current].state = ThreadState::WaitLock(lock, None);
                vm.report_deadlock();
                return Err(vm.new_exception_args("SystemExit", vec![Value::Int(3)]));
            }
            let deadline = timeout.map(|t| vm.now_ns() + (t * 1e9) as u64);
            Err(vm.block_on(ThreadState::WaitLock(lock, deadline)))
        }
    }
}

/// RLock internals Condition uses: release every level, and restore them.
pub fn l_release_save(vm: &mut Vm, r: Option<Value>, _: Args) -> PyResult<Value> {
    let lock = lock_ref(r);
    let Object::Lock { owner, count, .. } = vm.heap.get_mut(lock) else {
        unreachable!("lock methods are bound to locks")
    };
    let saved = (*count, owner.unwrap_or(0));
    *owner = None;
    *count = 0;
    vm.notify_change();
    Ok(vm.new_tuple(vec![
        Value::Int(i64::from(saved.0)),
        Value::Int(saved.1 as i64),
    ]))
}

pub fn l_acquire_restore(vm: &mut Vm, r: Option<Value>, args: Args) -> PyResult<Value> {
    let lock = lock_ref(r);
    let state = args
        .pos
        .first()
        .map(|s| vm.tuple_items(*s))
        .unwrap_or_default();
    let levels = state.first().and_then(|c| vm.as_index(*c)).unwrap_or(1) as u32;
    l_acquire(vm, r, Args::default())?;
    if let Object::Lock { count, .. } = vm.heap.get_mut(lock) {
        *count = levels.max(1);
    }
    Ok(Value::None)
}

pub fn l_is_owned(vm: &mut Vm, r: Option<Value>, _: Args) -> PyResult<Value> {
    let me = vm.current_ident();
    Ok(Value::Bool(vm.lock_owner(lock_ref(r)) == Some(me)))
}

/// A lock method that takes no arguments refuses some, in 3.7's words.
fn no_arguments(vm: &mut Vm, method: &str, args: &Args) -> PyResult<()> {
    let n = args.pos.len() + args.kw.len();
    if n > 0 {
        return Err(vm.type_error(&format!("{method}() takes no arguments ({n} given)")));
    }
    Ok(())
}

pub fn l_release(vm: &mut Vm, r: Option<Value>, args: Args) -> PyResult<Value> {
    no_arguments(vm, "release", &args)?;
    let lock = lock_ref(r);
    let me = vm.current_ident();
    let Object::Lock {
        owner,
        count,
        reentrant,
        ..
    } = vm.heap.get_mut(lock)
    else {
        unreachable!("lock methods are bound to locks")
    };
    match *owner {
        None if *reentrant => {
            Err(vm.new_exception("RuntimeError", "cannot release un-acquired lock"))
        }
        None => Err(vm.new_exception("RuntimeError", "release unlocked lock")),
        Some(o) if *reentrant && o != me => {
            Err(vm.new_exception("RuntimeError", "cannot release un-acquired lock"))
        }
        Some(_) => {
            *count -= 1;
            if *count == 0 || !*reentrant {
                *owner = None;
                *count = 0;
                vm.notify_change();
            }
            Ok(Value::None)
        }
    }
}

pub fn l_locked(vm: &mut Vm, r: Option<Value>, args: Args) -> PyResult<Value> {
    no_arguments(vm, "locked", &args)?;
    Ok(Value::Bool(vm.lock_owner(lock_ref(r)).is_some()))
}

pub fn l_enter(vm: &mut Vm, r: Option<Value>, _: Args) -> PyResult<Value> {
    l_acquire(vm, r, Args::default())
}

pub fn l_exit(vm: &mut Vm, r: Option<Value>, _: Args) -> PyResult<Value> {
    l_release(vm, r, Args::default())?;
    Ok(Value::None)
}

/// `time.sleep`: the thread waits (virtual time under `det`, real time under `os`) while
/// other threads run.
pub fn sleep(vm: &mut Vm, seconds: f64) -> PyResult<Value> {
    if std::mem::take(&mut vm.sched.just_woke) {
        return Ok(Value::None);
    }
    let ns = (seconds * 1e9) as u64;
    // A sleep inside a callback from native code also lets other threads run
    // (`run_others_while_blocked`).
    if vm.sched.threads.len() > 1 {
        let until = vm.now_ns() + ns;
        return Err(vm.block_on(ThreadState::Sleeping(until)));
    }
    vm.pass_time(ns);
    Ok(Value::None)
}
