//! The schedulers: who holds the GIL, and how time passes. Both plug into the core through
//! `SchedulerHooks` and keep what they need beside the core's thread table in `State`.
//!
//! - `det.rs`: the deterministic scheduler (one OS thread steps every VM thread; seeded draws).
//! - `policy.rs`: the GIL's policies (`--gil py2|py37|py311`): when the holder gives it up.
//! - `os.rs`: the OS-thread scheduler and its real GIL.
//! - `clock.rs`: the clock both read (virtual under det, real under os).
//! - `wait.rs`: when a blocked thread's wait is over, and the deadlock report.
//! - `deadlock.rs`: where each thread of a deadlock waits (and an event loop's tasks).
//! - `locks.rs`: the lock objects' acquire and release.
//! - `lifecycle.rs`: starting and ending VM threads, and reports of their exceptions.
//! - `process/`: processes (multiprocessing): simulated under det, real under os.

pub mod clock;
mod deadlock;
pub mod det;
pub mod lifecycle;
pub mod locks;
pub mod os;
pub mod policy;
pub mod process;
pub mod queues;
pub mod wait;

use crate::vm::Vm;
use crate::vm::frame::Frame;
use crate::vm::threads::SchedulerHooks;

/// Who runs next, when something other than the seeded draw decides: the explorer's
/// strategies and replays (src/explore/). The deterministic scheduler asks at every GIL
/// check (with the check interval 1, before every counted instruction) and whenever the
/// running thread blocks or ends; it does not know who answers.
pub trait Chooser {
    /// `running`: the thread holding the GIL, if it may keep it, and the frame whose next
    /// instruction it is about to run; `runnable`: every thread that could run next, in
    /// table order (`running` among them).
    fn choose(&mut self, vm: &Vm, running: Option<(usize, &Frame)>, runnable: &[usize]) -> Choice;

    /// Asked first at a GIL check: whether the running thread just goes on (there is
    /// nothing to decide before this instruction), without `choose` being asked.
    fn goes_on(&mut self, _vm: &Vm, _running: (usize, &Frame)) -> bool {
        false
    }

    /// Whether it also decides which of an event loop's ready callbacks runs next.
    fn chooses_callbacks(&self) -> bool {
        false
    }

    /// Which of `count` ready callbacks runs next (`Choice::Thread(k)`: the k-th, 0 the
    /// first in line), or `Park`.
    fn choose_callback(&mut self, _vm: &Vm, _count: usize) -> Choice {
        Choice::Thread(0)
    }
}

/// A chooser's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// This thread runs next.
    Thread(usize),
    /// The running thread stops here and control goes back to whoever drives the VM (the
    /// explorer takes its checkpoint there).
    Park,
}

/// What the schedulers keep beside the core's thread table (`Vm::threads`).
pub struct State {
    /// The generator behind every draw, seeded with `--seed`.
    pub rng: u64,
    /// Virtual nanoseconds passed in sleeps and waits (instructions add theirs: `clock.rs`).
    pub clock_ns: u64,
    /// Who can run and who waits for what (`queues.rs`): the draw at every spent check
    /// interval picks from its runnable set instead of walking the thread table.
    pub queues: queues::Queues,
    /// Locks created so far: the next lock's serial number (deadlock reports name them).
    pub locks_created: u32,
    /// Under `--sched os`, the GIL this VM lives in.
    pub os: Option<os::OsLink>,
    /// Who decides instead of the seeded draw (not part of a copy: its owner puts it back).
    pub chooser: Option<Box<dyn Chooser>>,
    /// The GIL's policy (`--gil`), and the holder's turn as the timed ones keep it.
    pub gil: policy::GilPolicy,
    pub timed: policy::Turn,
}

impl Clone for State {
    fn clone(&self) -> Self {
        State {
            rng: self.rng,
            clock_ns: self.clock_ns,
            queues: self.queues.clone(),
            locks_created: self.locks_created,
            os: self.os.clone(),
            chooser: None,
            gil: self.gil,
            timed: self.timed.clone(),
        }
    }
}

impl State {
    fn new(seed: u64) -> Self {
        State {
            rng: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x2545_f491_4f6c_dd1d,
            clock_ns: 0,
            queues: queues::Queues::new(),
            locks_created: 0,
            os: None,
            chooser: None,
            gil: policy::GilPolicy::Py2,
            timed: policy::Turn::default(),
        }
    }

    fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }
}

/// Asks the chooser installed in `vm` who runs next, as the deterministic scheduler does
/// at a decision: for a driver of the VM's threads (the explorer). `None` when no thread
/// can run now (or no chooser is installed).
pub fn ask_chooser(vm: &mut Vm, running: Option<(usize, &Frame)>) -> Option<Choice> {
    det::choose(vm, running)
}

/// Whether the installed chooser decides the order of ready callbacks (asyncio).
pub fn chooses_callbacks(vm: &Vm) -> bool {
    vm.scheduler_state
        .downcast_ref::<State>()
        .and_then(|s| s.chooser.as_ref())
        .is_some_and(|c| c.chooses_callbacks())
}

/// Asks the installed chooser which of `count` ready callbacks runs next; `None` when no
/// chooser is installed.
pub fn choose_callback(vm: &mut Vm, count: usize) -> Option<Choice> {
    let mut chooser = vm.scheduler_state.downcast_mut::<State>()?.chooser.take()?;
    let choice = chooser.choose_callback(vm, count);
    state_mut(vm).chooser = Some(chooser);
    Some(choice)
}

/// The schedulers' state inside a VM they were installed in.
pub fn state(vm: &Vm) -> &State {
    vm.scheduler_state
        .downcast_ref()
        .expect("a scheduler is installed")
}

pub fn state_mut(vm: &mut Vm) -> &mut State {
    vm.scheduler_state
        .downcast_mut()
        .expect("a scheduler is installed")
}

/// The deterministic scheduler, seeded, for a new VM (`os::run_main` moves a VM to the OS
/// scheduler).
pub fn deterministic(seed: u64) -> (&'static SchedulerHooks, Box<dyn std::any::Any>) {
    (&det::HOOKS, Box::new(State::new(seed)))
}
