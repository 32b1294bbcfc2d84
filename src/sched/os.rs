//! The OS scheduler (`--sched os`): one OS thread per VM thread, contending for a real GIL,
//! a parking_lot mutex around the whole VM, with CPython 3.2+'s protocol. A thread that waits
//! longer than the switch interval sets a drop request; the holder honours it at its next
//! check (every `--check-interval` instructions), releases the GIL fairly and waits until
//! another thread has taken it. Blocking calls (lock waits, join, sleep) release the GIL
//! while they wait. Time is real. The eval loop is the same one the deterministic scheduler
//! drives: a thread's run stops with the block signal when it must give up the GIL.

use super::policy::{self, GilPolicy};
use super::{det, state_mut};
use crate::vm::frame::Frame;
use crate::vm::threads::{SchedulerHooks, ThreadState};
use crate::vm::{PyResult, Value, Vm};
use parking_lot::{Condvar, Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// The OS scheduler's answers: the GIL changes hands when a waiting thread asks (a drop
/// request), not by a draw; the rest is the deterministic scheduler's, which runs only
/// when threads run on top of one blocked inside a callback.
static HOOKS: SchedulerHooks = SchedulerHooks {
    keeps_gil,
    quick_check,
    first_interval: det::first_interval,
    switch_from: det::switch_from,
    thread_finished: det::thread_finished,
    wait_in_callback: det::wait_in_callback,
    clone_state: det::clone_state,
};

fn drop_requested(vm: &Vm) -> bool {
    super::state(vm)
        .os
        .as_ref()
        .is_some_and(|os| os.signals.drop_requested())
}

/// At a check: the holder keeps the GIL while nobody asks for it (py37), until a boundary
/// where 3.10+ looks (py311); under py2 it lets go at every spent check interval.
fn keeps_gil(vm: &mut Vm, f: &Frame) -> bool {
    if let Some(keeps) = det::pinned_goes_on(vm) {
        return keeps;
    }
    match policy::policy(vm) {
        GilPolicy::Py2 => false,
        GilPolicy::Py37 => !drop_requested(vm),
        GilPolicy::Py311 => {
            if !drop_requested(vm) {
                return true;
            }
            if policy::honours_request_py311(vm, f) {
                return false;
            }
            vm.set_next_check(vm.ticks + 1);
            true
        }
    }
}

fn quick_check(vm: &mut Vm, _tick: u64) -> Option<bool> {
    let keeps =
        vm.threads.pinned.is_empty() && !drop_requested(vm) && policy::policy(vm) != GilPolicy::Py2;
    keeps.then_some(true)
}

/// Stack of each OS thread running a VM thread: native helpers recurse (bounded by the
/// VM's own limits); Python calls do not use it.
const THREAD_STACK: usize = 64 * 1024 * 1024;

/// What VM threads share outside the GIL.
pub struct Signals {
    /// A thread has waited a whole switch interval for the GIL.
    drop_request: AtomicBool,
    /// sys.getswitchinterval(), in nanoseconds.
    switch_interval_ns: AtomicU64,
    /// GIL hand-overs so far: a thread that dropped the GIL waits until this moves.
    switches: Mutex<u64>,
    switched: Condvar,
    /// Bumped when a lock is released or a thread ends: blocked threads look again.
    changes: Mutex<u64>,
    changed: Condvar,
    /// The program is over: threads still running (daemons) stop at their next GIL take.
    shutdown: AtomicBool,
    started: Instant,
    /// Work left by OS threads outside the VM (`OsLink::post`), and whether there is any.
    posted: Mutex<Vec<Posted>>,
    any_posted: AtomicBool,
}

/// The GIL: whoever holds the mutex runs Python code.
pub struct Gil {
    vm: Mutex<SendVm>,
    signals: Arc<Signals>,
}

/// The VM's link to the GIL it lives in, so natives can start OS threads and wake waiters.
#[derive(Clone)]
pub struct OsLink {
    gil: Weak<Gil>,
    pub signals: Arc<Signals>,
}

type Held<'a> = MutexGuard<'a, SendVm>;

/// The VM, movable between OS threads.
pub struct SendVm(Vm);

// SAFETY: a Vm is !Send only because of the `Rc`s it holds (code objects' derived data,
// shared by its functions and frames). Every clone of those lives inside this one Vm (its
// heap, frames and caches, or a Rust local of code running on its behalf), and the Vm is
// reached only through the GIL mutex: no two OS threads ever touch the same Rc at once,
// and a thread releases the GIL only after the code that cloned them has returned.
unsafe impl Send for SendVm {}

impl std::ops::Deref for SendVm {
    type Target = Vm;
    fn deref(&self) -> &Vm {
        &self.0
    }
}

impl std::ops::DerefMut for SendVm {
    fn deref_mut(&mut self) -> &mut Vm {
        &mut self.0
    }
}

impl Signals {
    pub fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Relaxed)
    }

    pub fn set_switch_interval(&self, seconds: f64) {
        let ns = (seconds * 1e9).clamp(1_000.0, 3_600e9) as u64;
        self.switch_interval_ns.store(ns, Ordering::Relaxed);
    }

    fn switch_interval(&self) -> Duration {
        Duration::from_nanos(self.switch_interval_ns.load(Ordering::Relaxed))
    }

    /// Real nanoseconds since the program started: the OS scheduler's clock.
    pub fn now_ns(&self) -> u64 {
        self.started.elapsed().as_nanos() as u64
    }

    /// Something a blocked thread may wait for happened: wake them to look again.
    pub fn notify_change(&self) {
        *self.changes.lock() += 1;
        self.changed.notify_all();
    }
}

/// Work an OS thread outside the VM (a process's wake-up listener) leaves for whichever
/// VM thread next looks (`Vm::wake_ready`): it needs the VM but must not wait for the GIL,
/// which a thread waiting inside a call from native code keeps.
pub type Posted = Box<dyn FnOnce(&mut Vm) + Send>;

impl OsLink {
    /// Leaves `job` for the VM and wakes the blocked threads to look.
    pub fn post(&self, job: Posted) {
        self.signals.posted.lock().push(job);
        self.signals.any_posted.store(true, Ordering::Release);
        self.signals.notify_change();
    }

    /// Whether work was posted since the VM last looked.
    #[inline]
    pub fn has_posted(&self) -> bool {
        self.signals.any_posted.load(Ordering::Acquire)
    }

    /// Runs the posted work (the caller holds the GIL).
    pub fn run_posted(&self, vm: &mut Vm) {
        let jobs = {
            let mut posted = self.signals.posted.lock();
            self.signals.any_posted.store(false, Ordering::Release);
            std::mem::take(&mut *posted)
        };
        for job in jobs {
            job(vm);
        }
    }

    /// No thread can run and this one keeps the GIL: waits `ns`, or less if work is
    /// posted meanwhile.
    pub fn idle_for(&self, ns: u64) {
        let s = &self.signals;
        let mut changes = s.changes.lock();
        if !self.has_posted() {
            let _ = s.changed.wait_for(&mut changes, Duration::from_nanos(ns));
        }
    }
}

impl Gil {
    /// Takes the GIL. Waiting longer than the switch interval asks the holder to drop it.
    fn take(&self) -> Held<'_> {
        loop {
            if let Some(vm) = self.vm.try_lock_for(self.signals.switch_interval()) {
                *self.signals.switches.lock() += 1;
                self.signals.switched.notify_all();
                return vm;
            }
            self.signals.drop_request.store(true, Ordering::Relaxed);
        }
    }

    /// Honours a drop request: hands the GIL to a waiting thread and waits until one has
    /// taken it (so the dropping thread cannot take it straight back), then queues again.
    fn hand_over<'a>(&'a self, vm: Held<'a>) -> Held<'a> {
        let before = *self.signals.switches.lock();
        self.signals.drop_request.store(false, Ordering::Relaxed);
        MutexGuard::unlock_fair(vm);
        let mut switches = self.signals.switches.lock();
        while *switches == before {
            let interval = self.signals.switch_interval();
            if self
                .signals
                .switched
                .wait_for(&mut switches, interval)
                .timed_out()
            {
                break; // nobody wanted it after all
            }
        }
        drop(switches);
        self.take()
    }

    /// Thread `me` cannot run (it waits for a lock, a thread or time): releases the GIL
    /// until something changes or its deadline passes. Reports a deadlock and ends the
    /// process when no thread can ever run again.
    fn wait<'a>(&'a self, mut vm: Held<'a>, me: usize) -> Held<'a> {
        vm.wake_ready();
        let state = vm.threads.threads[me].state;
        if state == ThreadState::Runnable {
            return vm;
        }
        if vm.os_deadlocked() {
            vm.report_deadlock();
            vm.flush();
            std::process::exit(3);
        }
        let deadline = match state {
            ThreadState::Sleeping(at)
            | ThreadState::WaitLock(_, Some(at))
            | ThreadState::WaitJoin(_, Some(at)) => Some(at),
            _ => None,
        };
        let seen = *self.signals.changes.lock();
        if vm.observer.is_some() {
            vm.observe(|o, vm| o.idle(vm, 0));
        }
        drop(vm);
        let mut changes = self.signals.changes.lock();
        while *changes == seen {
            match deadline {
                None => self.signals.changed.wait(&mut changes),
                Some(at) => {
                    let left = at.saturating_sub(self.signals.now_ns());
                    if left == 0 {
                        break;
                    }
                    let _ = self
                        .signals
                        .changed
                        .wait_for(&mut changes, Duration::from_nanos(left));
                }
            }
        }
        drop(changes);
        self.take()
    }

    /// Runs VM thread `me` until it ends; `None` when the program ended first.
    fn drive<'a>(&'a self, mut vm: Held<'a>, me: usize) -> (Held<'a>, Option<PyResult<Value>>) {
        loop {
            if self.signals.shutdown.load(Ordering::Acquire) {
                return (vm, None);
            }
            match vm.threads.threads[me].state {
                ThreadState::Runnable => {}
                // Run to its end by a thread that was blocked in a callback (see
                // `det::wait_in_callback`), which also reported how it ended.
                ThreadState::Finished => return (vm, None),
                _ => {
                    vm = self.wait(vm, me);
                    continue;
                }
            }
            let top = vm.resume_thread(me).expect("a runnable thread has a frame");
            vm.frames.push(top);
            vm.native_depth = 1;
            let result = vm.run_until(0);
            vm.native_depth = 0;
            match result {
                // The thread gave up the GIL: its frames are parked with its state.
                Err(signal) if vm.is_block_signal(signal) => {
                    if vm.threads.threads[me].state == ThreadState::Runnable {
                        vm = if policy::policy(&vm) == GilPolicy::Py2 {
                            // Python 2: release and take again at once; a waiting thread
                            // gets it only if the OS wakes it first.
                            drop(vm);
                            self.take()
                        } else {
                            self.hand_over(vm)
                        };
                    }
                }
                result => return (vm, Some(result)),
            }
        }
    }
}

impl Signals {
    fn new() -> Arc<Signals> {
        Arc::new(Signals {
            drop_request: AtomicBool::new(false),
            switch_interval_ns: AtomicU64::new(0),
            switches: Mutex::new(0),
            switched: Condvar::new(),
            changes: Mutex::new(0),
            changed: Condvar::new(),
            shutdown: AtomicBool::new(false),
            started: Instant::now(),
            posted: Mutex::new(Vec::new()),
            any_posted: AtomicBool::new(false),
        })
    }
}

/// Puts `vm` inside a GIL of its own, under this scheduler.
fn into_gil(mut vm: Vm) -> Arc<Gil> {
    let signals = Signals::new();
    signals.set_switch_interval(vm.threads.switch_interval);
    vm.threads.own_os_threads = true;
    vm.scheduler = &HOOKS;
    Arc::new_cyclic(|weak| {
        state_mut(&mut vm).os = Some(OsLink {
            gil: weak.clone(),
            signals: signals.clone(),
        });
        Gil {
            vm: Mutex::new(SendVm(vm)),
            signals,
        }
    })
}

/// The interactive prompt under this scheduler: the main VM thread runs each typed input
/// holding the GIL and is outside the VM while the prompt waits for a line, so the other
/// threads go on running on their OS threads meanwhile.
pub struct Prompt {
    gil: Arc<Gil>,
}

impl Prompt {
    pub fn start(mut vm: Vm) -> Prompt {
        vm.threads.threads[0].state = ThreadState::Outside;
        Prompt { gil: into_gil(vm) }
    }

    /// Runs `f` holding the GIL (the other threads wait).
    pub fn with_vm<R>(&self, f: impl FnOnce(&mut Vm) -> R) -> R {
        let mut vm = self.gil.take();
        f(&mut vm)
    }

    /// Runs the frame `make` gives as the main thread until it returns, other threads taking
    /// turns, then `after` with its result; all under one hold of the GIL, so nothing of the
    /// VM's is kept while another thread has it.
    pub fn run<R>(
        &self,
        make: impl FnOnce(&mut Vm) -> Box<Frame>,
        after: impl FnOnce(&mut Vm, PyResult<Value>) -> R,
    ) -> R {
        let mut vm = self.gil.take();
        let frame = make(&mut vm);
        vm.threads.threads[0].frames = vec![frame];
        vm.threads.threads[0].state = ThreadState::Runnable;
        let (mut vm, result) = self.gil.drive(vm, 0);
        vm.threads.threads[0].state = ThreadState::Outside;
        after(&mut vm, result.unwrap_or(Ok(Value::None)))
    }

    /// The end of the session: the main thread ends, the non-daemon threads are waited for,
    /// then `finish` runs with the GIL held.
    pub fn finish(self, finish: impl FnOnce(&mut Vm) -> i32) -> i32 {
        let mut vm = self.gil.take();
        vm.threads.threads[0].state = ThreadState::Runnable;
        vm.threads.current = 0;
        vm.end_thread(Ok(Value::None));
        while vm.non_daemon_alive() {
            vm = self.gil.wait(vm, 0);
        }
        self.gil.signals.shutdown.store(true, Ordering::Release);
        finish(&mut vm)
    }
}

/// Runs the main module's frame as the main VM thread; other threads start on their own OS
/// threads. When the main thread is done, waits for the non-daemon threads, then `finish`
/// turns the main thread's result into the exit status, with the GIL held.
pub fn run_main(
    mut vm: Vm,
    frame: Box<Frame>,
    finish: impl FnOnce(&mut Vm, PyResult<Value>) -> i32,
) -> i32 {
    vm.threads.threads[0].frames = vec![frame];
    let gil = into_gil(vm);
    let vm = gil.take();
    let (mut vm, result) = gil.drive(vm, 0);
    // (None: a thread blocked in a callback ran the main thread to its end.)
    if let Some(result) = result {
        vm.end_thread(result);
    }
    // Like threading._shutdown: the program ends when its last non-daemon thread does.
    while vm.non_daemon_alive() {
        vm = gil.wait(vm, 0);
    }
    gil.signals.shutdown.store(true, Ordering::Release);
    let result = vm.threads.main_result.take().unwrap_or(Ok(Value::None));
    finish(&mut vm, result)
}

impl OsLink {
    /// Starts the OS thread that runs VM thread `index` (already in the thread table).
    pub fn spawn(&self, index: usize, name: &str) -> std::io::Result<()> {
        let gil = self
            .gil
            .upgrade()
            .expect("the GIL outlives the VM inside it");
        std::thread::Builder::new()
            .name(format!("minipy-{name}"))
            .stack_size(THREAD_STACK)
            .spawn(move || {
                let vm = gil.take();
                let (mut vm, result) = gil.drive(vm, index);
                if let Some(result) = result {
                    vm.end_thread(result);
                }
            })
            .map(|_| ())
    }
}

impl Vm {
    /// sys.setswitchinterval: the interval, and under `--sched os` the GIL's timing.
    pub fn set_switch_interval(&mut self, seconds: f64) {
        self.threads.switch_interval = seconds;
        if let Some(os) = &super::state(self).os {
            os.signals.set_switch_interval(seconds);
        }
    }

    /// No thread can ever run again: none is runnable or waits with a deadline, and a
    /// non-daemon thread is left to wait for. (Call after `wake_ready`.)
    fn os_deadlocked(&self) -> bool {
        self.non_daemon_alive()
            && !self.threads.threads.iter().any(|t| {
                matches!(
                    t.state,
                    ThreadState::Runnable
                        | ThreadState::Outside
                        | ThreadState::Sleeping(_)
                        | ThreadState::WaitLock(_, Some(_))
                        | ThreadState::WaitJoin(_, Some(_))
                )
            })
    }
}
