//! Processes (multiprocessing), as the schedulers run them. Under `--sched det` every
//! process is simulated: a VM of its own in the world (`world.rs`), made by copying the
//! parent's VM (fork) or from scratch (spawn), its clock the shared virtual clock; under
//! `--sched os` every process is a real one (`broker.rs`). Either way what processes
//! share lives in a kernel (`kernel.rs`) reached only by requests, and a thread that must
//! wait for a kernel object blocks on a lock of its own, released when the object changes
//! (`wait`), so both schedulers' waiting machinery serves unchanged.
//!
//! - `world.rs`: who runs next among simulated processes; `hooks.rs`: the scheduler hooks
//!   of a simulated process (its threads under the deterministic scheduler, yielding to
//!   the world when none can run or its slice is spent).
//! - `broker.rs`: real processes: fork(2) and spawn, the kernel served over a socket.

pub mod broker;
mod hooks;
pub mod kernel;
mod wire;
mod world;

pub use kernel::{Fault, Reply, Request, SemKind};

use super::clock::NS_PER_INSTRUCTION;
use crate::vm::object::Object;
use crate::vm::threads::{ThreadState, VmThread};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use std::sync::Arc;
use world::{Status, World};

/// Instructions a simulated process runs before the others get a turn (200 µs of virtual
/// time): between kernel operations processes cannot see each other, so slices matter
/// only for sharing the CPUs and for processes that wait without asking the kernel.
const SLICE: u64 = 20_000;

/// Virtual time a kernel operation takes (a system call's order of magnitude), and the
/// seeded jitter on it that makes interleavings, and so races, depend on `--seed`.
const OP_NS: u64 = 1_000;
const OP_JITTER_NS: u64 = 2_000;

/// Virtual time from start() until the child runs.
const START_NS: u64 = 200_000;

/// The owner of the lock a thread blocks on while it waits for a kernel object: no thread.
const NO_THREAD: u64 = u64::MAX;

/// How a process reaches the others.
#[derive(Clone)]
pub enum Link {
    /// A simulated process: the world and its index there (also its kernel key).
    Det { world: Arc<World>, me: usize },
    /// A real process: its connection to the broker.
    Os(Arc<broker::Client>),
}

/// What each VM keeps about its process (a module state, so it travels with the VM).
#[derive(Clone)]
pub struct ProcessState {
    pub link: Option<Link>,
    /// Waits in progress: (thread ident, token, the lock the thread blocks on).
    waits: Vec<(u64, u64, ObjRef)>,
    next_token: u64,
    /// Under det: the tick that ends this process's slice, the tick it last resumed at,
    /// and how many processes could run then.
    slice_end: u64,
    resumed_ticks: u64,
    load: usize,
    pub cpus: usize,
    /// While a spawned child runs its main module (CPython's `_inheriting`): starting a
    /// process then is the bootstrapping error.
    pub bootstrapping: bool,
    /// While the process object of a child to spawn is pickled: the child's key.
    pub spawning: Option<u64>,
    /// Under os: this process's listener for ended waits runs (`broker::Client::watch`).
    pub watching: bool,
}

impl Default for ProcessState {
    fn default() -> Self {
        ProcessState {
            link: None,
            waits: Vec::new(),
            next_token: 1,
            slice_end: u64::MAX,
            resumed_ticks: 0,
            load: 1,
            cpus: 2,
            bootstrapping: false,
            spawning: None,
            watching: false,
        }
    }
}

pub fn state(vm: &mut Vm) -> &mut ProcessState {
    vm.module_state(ProcessState::default)
}

/// `--cpus`, kept with the VM for simulated processes and `os.cpu_count()`.
pub fn set_cpus(vm: &mut Vm, cpus: usize) {
    state(vm).cpus = cpus.max(1);
}

/// What the new process does on its own thread (or in the forked child): run its
/// bootstrap and give its exit code.
pub type Entry = Box<dyn FnOnce(&mut Vm) -> i64 + Send>;

/// A VM moved to the OS thread that runs its simulated process.
struct ProcessVm(Vm);

// SAFETY: a Vm is !Send for the `Rc`s and `Cell`s of code objects' derived data, which a
// forked copy shares with the VM it was copied from, and for its boxed `dyn Any` states
// (module and scheduler states, all plain data or `Arc`s). The world lets exactly one
// process thread run at a time: the turn passes under the world's mutex, whose release
// and acquire order every access of one thread before the next thread's. A thread that
// gives the turn away touches its VM again only after it gets the turn back, and drops
// its VM before it passes the turn on for the last time, so no two threads ever touch
// those counts or cells at once.
unsafe impl Send for ProcessVm {}

/// This VM's link to the other processes, made on first use: under det a world with this
/// process as its first; under os a connection to the broker (started here).
pub fn link(vm: &mut Vm) -> PyResult<Link> {
    if let Some(link) = state(vm).link.clone() {
        return Ok(link);
    }
    let link = if vm.real_time() {
        Link::Os(broker::connect_first(vm)?)
    } else {
        let cpus = state(vm).cpus;
        let world = World::new(cpus, vm.seed, vm.now_ns());
        vm.scheduler = &hooks::HOOKS;
        Link::Det { world, me: 0 }
    };
    state(vm).link = Some(link.clone());
    if let Link::Det { .. } = link {
        resumed(vm, 1);
    }
    Ok(link)
}

/// The process's pid: deterministic under det (the first process's is 1000).
pub fn getpid(vm: &mut Vm) -> i64 {
    match state(vm).link.clone() {
        Some(Link::Det { world, me }) => world.lock().procs[me].pid,
        _ if !vm.real_time() => world::FIRST_PID,
        _ => i64::from(std::process::id()),
    }
}

pub fn getppid(vm: &mut Vm) -> i64 {
    match state(vm).link.clone() {
        Some(Link::Det { world, me }) => world.lock().procs[me].ppid,
        _ if !vm.real_time() => world::FIRST_PID - 1,
        _ => broker::parent_pid(),
    }
}

/// os.cpu_count(): `--cpus` under det, the machine's under os.
pub fn cpu_count(vm: &mut Vm) -> usize {
    if vm.real_time() {
        return std::thread::available_parallelism().map_or(1, |n| n.get());
    }
    state(vm).cpus
}

/// Asks the kernel. Under det the request is made at this process's virtual time, after
/// every process due earlier has had its turn.
pub fn request(vm: &mut Vm, request: Request) -> PyResult<Reply> {
    match link(vm)? {
        Link::Det { world, me } => {
            sync(vm, &world, me);
            let now = vm.now_ns();
            let (reply, mine, cost) = {
                let mut inner = world.lock();
                let (reply, mine) = inner.handle(me, now, request);
                (reply, mine, OP_NS + inner.next_random() % OP_JITTER_NS)
            };
            apply_wakes(vm, &mine);
            vm.pass_time(cost);
            Ok(reply)
        }
        Link::Os(client) => client.request(vm, request),
    }
}

/// `wait(objects, timeout, lock)`: blocks the calling thread until one of the kernel
/// objects moves past the version given (True), or the timeout passes (False). `lock` is a
/// lock the caller holds: the thread waits for it, and a kernel change releases it. The
/// call re-runs when the thread wakes, and then reports why.
pub fn wait(
    vm: &mut Vm,
    objects: Vec<(u64, u64)>,
    timeout: Option<f64>,
    lock: ObjRef,
) -> PyResult<Value> {
    let ident = vm.current_ident();
    if let Some(i) = state(vm).waits.iter().position(|w| w.0 == ident) {
        let (_, token, lock) = state(vm).waits.remove(i);
        let timed_out = std::mem::take(&mut vm.threads.just_woke);
        if vm.lock_owner(lock).is_some() {
            request(vm, Request::Cancel { token })?;
        }
        return Ok(Value::Bool(!timed_out));
    }
    // Under os the listener must exist before the wait is filed, or its wake-up is lost.
    let woken_by_broker = !vm.real_time() || watching(vm);
    let token = {
        let s = state(vm);
        s.next_token += 1;
        s.next_token
    };
    if let Reply::Flag(true, _) = request(vm, Request::Wait { objects, token })? {
        return Ok(Value::Bool(true));
    }
    let deadline = match timeout {
        Some(t) => Some(vm.now_ns() + (t.max(0.0) * 1e9) as u64),
        // Under os the broker's wake-up comes from outside the VM, which would take a
        // wait no thread of this process can end for a deadlock: the thread looks again
        // now and then (the caller loops), as it also must if it has no listener.
        None if vm.real_time() => Some(vm.now_ns() + OS_LOOK_AGAIN_NS),
        None => None,
    };
    let deadline = match deadline {
        Some(at) if !woken_by_broker => Some(at.min(vm.now_ns() + 1_000_000)),
        d => d,
    };
    if let Object::Lock { owner, count, .. } = vm.heap.get_mut(lock) {
        *owner = Some(NO_THREAD);
        *count = 1;
    }
    state(vm).waits.push((ident, token, lock));
    Err(vm.block_on(ThreadState::WaitLock(lock, deadline)))
}

/// Under os, how long a wait with no timeout sleeps before its thread looks again.
const OS_LOOK_AGAIN_NS: u64 = 1_000_000_000;

/// Under os: whether this process's listener for ended waits runs, starting it if not.
fn watching(vm: &mut Vm) -> bool {
    if state(vm).watching {
        return true;
    }
    let Some(Link::Os(client)) = state(vm).link.clone() else {
        return false;
    };
    let started = client.watch(vm).is_ok();
    state(vm).watching = started;
    started
}

/// Ends the waits whose tokens are given: their threads' locks are released.
pub fn apply_wakes(vm: &mut Vm, tokens: &[u64]) {
    let mut any = false;
    for &token in tokens {
        let Some(&(_, _, lock)) = state(vm).waits.iter().find(|w| w.1 == token) else {
            continue;
        };
        if let Object::Lock { owner, count, .. } = vm.heap.get_mut(lock) {
            *owner = None;
            *count = 0;
            any = true;
            // Its waiter is woken at the scheduler's next look, as after a release.
            let queues = &mut super::state_mut(vm).queues;
            if queues.has_waiters(lock) {
                queues.released.push(lock);
            }
        }
    }
    if any {
        vm.notify_change();
    }
}

/// Under det, waits until no other process is due before this one's present time.
fn sync(vm: &mut Vm, world: &Arc<World>, me: usize) {
    let now = vm.now_ns();
    {
        let mut inner = world.lock();
        inner.procs[me].clock = now;
        if inner.next() == Some(me) {
            return;
        }
    }
    yield_turn(vm, Status::Runnable);
}

/// Under det, gives the other processes their turns until this one's comes back (now, if
/// it is the one due first). `Blocked`: none of its threads can run until a kernel change
/// or the deadline. True when no process can ever run again.
pub(super) fn yield_turn(vm: &mut Vm, status: Status) -> bool {
    let Some(Link::Det { world, me }) = state(vm).link.clone() else {
        return false;
    };
    account_cpu_share(vm);
    let now = vm.now_ns();
    let mut inner = world.lock();
    inner.procs[me].clock = now;
    inner.procs[me].status = status;
    match inner.next() {
        Some(next) if next == me => {}
        Some(next) => inner = world.hand_over(inner, me, next),
        None => {
            inner.deadlocked = true;
            if me != 0 {
                inner = world.hand_over(inner, me, 0);
            }
        }
    }
    if inner.deadlocked {
        return true;
    }
    let due = inner.due(me).unwrap_or(now);
    let wakes = std::mem::take(&mut inner.procs[me].wakes);
    inner.procs[me].status = Status::Runnable;
    inner.procs[me].wake_at = 0;
    let load = inner.runnable();
    drop(inner);
    apply_wakes(vm, &wakes);
    let now = vm.now_ns();
    if due > now {
        vm.pass_time(due - now);
    }
    resumed(vm, load);
    false
}

/// A simulated process got the turn: its slice starts.
fn resumed(vm: &mut Vm, load: usize) {
    let ticks = vm.ticks;
    let s = state(vm);
    s.resumed_ticks = ticks;
    s.slice_end = ticks + SLICE;
    s.load = load;
    if vm.threads.threads.len() == 1 {
        // One thread: nothing else makes the GIL checks at which a slice can end.
        vm.threads.next_check = vm.threads.next_check.min(ticks + SLICE);
    }
}

/// With more runnable processes than CPUs, each runs at a share of one: the instructions
/// of the slice just run take longer in virtual time.
fn account_cpu_share(vm: &mut Vm) {
    let ticks = vm.ticks;
    let s = state(vm);
    let ran = ticks.saturating_sub(s.resumed_ticks);
    s.resumed_ticks = ticks;
    if s.load > s.cpus {
        let extra = ran * NS_PER_INSTRUCTION * (s.load - s.cpus) as u64 / s.cpus as u64;
        vm.pass_time(extra);
    }
}

/// The earliest deadline among this VM's waiting threads.
fn earliest_deadline(vm: &Vm) -> Option<u64> {
    vm.threads
        .threads
        .iter()
        .filter_map(|t| match t.state {
            ThreadState::Sleeping(at)
            | ThreadState::WaitJoin(_, Some(at))
            | ThreadState::WaitLock(_, Some(at)) => Some(at),
            _ => None,
        })
        .min()
}

/// How a child begins.
pub enum Start {
    /// As a copy of the parent (fork(2) under os, a copy of the VM under det), running
    /// `entry` in its one thread.
    /// Under det `entry` runs in the copy; under os the child's main thread calls
    /// `bootstrap` (the process object's `_bootstrap`), whose result is the exit code.
    Fork { entry: Entry, bootstrap: Value },
    /// As a fresh interpreter given `data` (spawn.py's pickle): under det, `child` is the
    /// new VM and what it runs; under os, a new minipy process reads `data`.
    Spawn {
        data: Vec<u8>,
        child: Option<Box<(Vm, Entry)>>,
    },
}

/// Registers a child of this process about to start (its kernel key, so that what is
/// pickled for it can name it); `fork`: it holds what this process holds.
pub fn reserve(vm: &mut Vm, fork: bool) -> PyResult<u64> {
    match link(vm)? {
        Link::Os(client) => client.reserve(vm, fork),
        Link::Det { world, me } => {
            sync(vm, &world, me);
            let now = vm.now_ns();
            let mut inner = world.lock();
            let Reply::Process { key, .. } =
                inner.kernel.handle(me as u64, Request::NewProcess { fork })
            else {
                unreachable!("a new process has a key")
            };
            let index = inner.add(now + START_NS, me);
            inner.procs[index].status = Status::Blocked(None);
            debug_assert_eq!(key as usize, index, "kernel keys are world indexes");
            Ok(key)
        }
    }
}

/// A reserved child that will not start after all: it counts as ended.
pub fn abandon(vm: &mut Vm, key: u64) {
    let _ = request(
        vm,
        Request::Exited {
            process: key,
            code: 1,
        },
    );
    if let Some(Link::Det { world, .. }) = state(vm).link.clone()
        && let Some(p) = world.lock().procs.get_mut(key as usize)
    {
        p.status = Status::Finished;
    }
}

/// A distinct base for each copy's cache counters (`Vm::fork_copy`).
fn next_epoch_base() -> u64 {
    static FORKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    (FORKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1) << 40
}

/// Starts the reserved child `key`; returns its pid.
pub fn start(parent: &mut Vm, key: u64, how: Start) -> PyResult<i64> {
    match link(parent)? {
        Link::Os(client) => client.start(parent, key, how),
        Link::Det { world, me } => {
            let (mut child, entry) = match how {
                Start::Fork { entry, .. } => {
                    parent.flush();
                    let mut child = parent.fork_copy(next_epoch_base());
                    keep_only_current_thread(&mut child);
                    (child, entry)
                }
                Start::Spawn {
                    child: Some(child), ..
                } => *child,
                Start::Spawn { child: None, .. } => {
                    return Err(parent.new_exception("SystemError", "spawn without a child VM"));
                }
            };
            sync(parent, &world, me);
            parent.flush();
            let now = parent.now_ns();
            let index = key as usize;
            let (pid, rng) = {
                let mut inner = world.lock();
                let rng = inner.next_random();
                let p = &mut inner.procs[index];
                p.status = Status::Runnable;
                p.clock = now + START_NS;
                (p.pid, rng)
            };
            {
                let s = state(&mut child);
                s.link = Some(Link::Det {
                    world: world.clone(),
                    me: index,
                });
                s.waits.clear();
                s.bootstrapping = false;
                s.spawning = None;
            }
            child.scheduler = &hooks::HOOKS;
            super::state_mut(&mut child).rng = rng | 1;
            let child = ProcessVm(child);
            let spawned = std::thread::Builder::new()
                .name(format!("minipy-process-{index}"))
                .stack_size(512 * 1024 * 1024)
                .spawn(move || child_main(world, index, child, entry));
            if spawned.is_err() {
                abandon(parent, key);
                return Err(parent.new_exception(
                    "BlockingIOError",
                    "[Errno 11] Resource temporarily unavailable",
                ));
            }
            Ok(pid)
        }
    }
}

/// The pid of child `key` (under det, known before it starts).
pub fn child_pid(vm: &mut Vm, key: u64) -> Option<i64> {
    match state(vm).link.clone() {
        Some(Link::Det { world, .. }) => world.lock().procs.get(key as usize).map(|p| p.pid),
        _ => None,
    }
}

/// A seed for a child's `random` (CPython reseeds it after fork): under det, one that
/// depends on the run's seed and the process, so runs repeat.
pub fn child_seed(vm: &mut Vm) -> u64 {
    let pid = getpid(vm) as u64;
    if vm.real_time() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        return t ^ pid.rotate_left(32);
    }
    vm.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ pid.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// The OS thread of a simulated process: waits for its first turn, runs the process, and
/// passes the turn on for good.
fn child_main(world: Arc<World>, me: usize, vm: ProcessVm, entry: Entry) {
    let load = {
        let mut inner = world.wait_for_turn(me);
        inner.procs[me].status = Status::Runnable;
        inner.runnable()
    };
    let mut vm = vm.0;
    let clock = world.lock().procs[me].clock;
    let now = vm.now_ns();
    if clock > now {
        vm.pass_time(clock - now);
    } else {
        super::state_mut(&mut vm).clock_ns -= now - clock;
    }
    resumed(&mut vm, load);
    let code =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| entry(&mut vm))).unwrap_or(70);
    vm.flush();
    sync(&mut vm, &world, me);
    let now = vm.now_ns();
    drop(vm);
    let mut inner = world.lock();
    inner.procs[me].status = Status::Finished;
    inner.procs[me].clock = now;
    inner.kernel.handle(
        me as u64,
        Request::Exited {
            process: me as u64,
            code,
        },
    );
    inner.route(me, now);
    pass_on(&world, inner);
}

/// Hands the turn to whoever is due (the first process, to report it, if nobody is).
fn pass_on(world: &Arc<World>, mut inner: std::sync::MutexGuard<'_, world::Inner>) {
    match inner.next() {
        Some(next) => world.pass_on(inner, next),
        None => {
            inner.deadlocked = true;
            world.pass_on(inner, 0);
        }
    }
}

/// Makes the copy of a VM made at fork a process of its own: the thread that forked is
/// its only thread (its main thread), with `frames` to run; the others are gone, as after
/// fork(2).
pub fn keep_only_current_thread(vm: &mut Vm) {
    let cur = vm.threads.current;
    let ident = vm.threads.threads[cur].ident;
    let old = &vm.threads.threads[cur];
    let mut thread = VmThread::new(ident, old.name.clone(), false, old.thread_obj, false);
    thread.state = ThreadState::Runnable;
    // The scheduler's queues named the old table's threads.
    super::state_mut(vm).queues = super::queues::Queues::new();
    let t = &mut vm.threads;
    t.changes += 1;
    t.threads = vec![thread];
    t.current = 0;
    t.budget = t.check_interval;
    t.next_check = u64::MAX;
    t.main_result = None;
    t.pending = None;
    t.just_woke = false;
    t.next_pick = None;
    t.changes += 1;
    t.base_depth = 1;
    t.pinned.clear();
    t.deadlocked = false;
    for local in &mut t.locals {
        local.dicts.retain(|(id, _, _)| *id == ident);
    }
    vm.frames.clear();
    vm.native_depth = 0;
    vm.handled = Value::None;
    vm.caller = None;
    vm.repr_stack.clear();
    state(vm).waits.clear();
}

/// `terminate()`/`kill()`: sends signal `sig` to process `key` (`pid` under os).
pub fn kill(vm: &mut Vm, key: u64, pid: i64, sig: i64) -> PyResult<()> {
    match link(vm)? {
        Link::Os(client) => client.kill(vm, pid, sig),
        Link::Det { world, me } => {
            sync(vm, &world, me);
            let now = vm.now_ns();
            let mine = {
                let mut inner = world.lock();
                let Some(p) = inner.procs.get(key as usize) else {
                    return Ok(());
                };
                if p.status == Status::Finished || (sig != 9 && p.ignored.contains(&sig)) {
                    return Ok(());
                }
                inner.procs[key as usize].status = Status::Finished;
                inner.kernel.handle(
                    me as u64,
                    Request::Exited {
                        process: key,
                        code: -sig,
                    },
                );
                inner.route(me, now)
            };
            apply_wakes(vm, &mine);
            Ok(())
        }
    }
}

/// signal.signal(sig, SIG_IGN or SIG_DFL) for terminate()/kill() under det.
pub fn set_ignored(vm: &mut Vm, sig: i64, ignored: bool) {
    if vm.real_time() {
        broker::set_ignored(sig, ignored);
    }
    if let Some(Link::Det { world, me }) = state(vm).link.clone() {
        let mut inner = world.lock();
        let list = &mut inner.procs[me].ignored;
        list.retain(|&s| s != sig);
        if ignored {
            list.push(sig);
        }
    }
}

/// `os._exit(code)`: the process ends now, nothing flushed. Under det a simulated child's
/// thread stops for good; the first process (or a real one) exits.
pub fn exit_now(vm: &mut Vm, code: i64) -> ! {
    if let Some(Link::Det { world, me }) = state(vm).link.clone()
        && me != 0
    {
        sync(vm, &world, me);
        let now = vm.now_ns();
        let mut inner = world.lock();
        inner.procs[me].status = Status::Finished;
        inner.kernel.handle(
            me as u64,
            Request::Exited {
                process: me as u64,
                code,
            },
        );
        inner.route(me, now);
        pass_on(&world, inner);
        loop {
            std::thread::park();
        }
    }
    std::process::exit(code as i32)
}

/// At the end of a program: multiprocessing's exit function (terminate the daemonic
/// children, join the others), if multiprocessing was used.
pub fn at_exit(vm: &mut Vm) {
    if state(vm).link.is_none() {
        return;
    }
    let Some(&util) = vm.modules.get("multiprocessing.util") else {
        return;
    };
    let Ok(Some(exit)) = vm.getattr_opt(Value::Obj(util), "_exit_function") else {
        return;
    };
    // Run as a call from native code: its waits let the other threads and processes run.
    vm.native_depth += 1;
    let _ = vm.call(exit, crate::vm::Args::default());
    vm.native_depth -= 1;
    vm.flush();
}

/// Whether the running process is a spawned child still running its main module.
pub fn bootstrapping(vm: &mut Vm) -> bool {
    state(vm).bootstrapping
}

/// Under det, reports that no process can run again (the first process does, and ends
/// the run with status 3).
fn report_world_deadlock(vm: &mut Vm) {
    vm.flush();
    crate::reportln!("minipy: deadlock: every process waits for another");
    vm.report_deadlock();
}
