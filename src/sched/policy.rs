//! The GIL's policies (`--gil`): when the holder gives the GIL up, as three generations of
//! CPython did. Under the deterministic scheduler, on its virtual clock, where every counted
//! instruction (`opcode::counts_tick`) takes `clock::NS_PER_INSTRUCTION` (10 ns):
//!
//! - `py2`: Python 2's check interval, the deterministic scheduler's own rule (`det.rs`):
//!   the GIL is offered every `--check-interval` counted instructions to a seeded draw.
//! - `py37`: CPython 3.2-3.9's protocol. A thread that has waited `--switch-interval`
//!   seconds (`sys.setswitchinterval`) for the GIL sets a drop request; the holder drops
//!   the GIL at the next instruction boundary 3.7's eval loop checks (before every counted
//!   instruction: all but the fast-dispatch ones) and another thread takes it (3.7's
//!   FORCE_SWITCHING: never the one that dropped it). The waiter's timed wait ends late by
//!   a seeded 0-50 µs, Linux's default timer slack: that, and the draw among several
//!   waiters, is what the seed varies.
//! - `py311`: the same request, honoured only where CPython 3.10+ checks its eval breaker:
//!   at calls (3.11 checks at a Python function's RESUME and after a C call returns; here,
//!   before the call instruction), at backward jumps, and when a generator is resumed by a
//!   `for` loop. `balance = balance + n` has none of these inside, so no switch can split it.
//!
//! The scheduler looks for threads that became ready (a lock released, a sleep over) at
//! every sleeper's deadline and otherwise every 1/16 of the switch interval; a thread's wait
//! for the GIL counts from then. Under `--sched os` (`os.rs`), `py37` is the real GIL's
//! drop request, `py311` honours it at the same boundaries, and `py2` releases and retakes
//! the GIL every check interval without asking anyone (Python 2's convoy).

use super::clock::NS_PER_INSTRUCTION;
use super::{det, state, state_mut};
use crate::bytecode::Opcode as Op;
use crate::bytecode::opcode::EXTENDED_ARG;
use crate::vm::frame::Frame;
use crate::vm::object::Object;
use crate::vm::threads::SchedulerHooks;
use crate::vm::{Value, Vm};

/// Which CPython's GIL a run imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum GilPolicy {
    /// Python 2: the GIL offered every --check-interval counted instructions.
    #[default]
    Py2,
    /// CPython 3.2-3.9: a drop request after --switch-interval, honoured at every check.
    Py37,
    /// CPython 3.10+: the same request, honoured only at calls and backward jumps.
    Py311,
}

impl GilPolicy {
    pub fn parse(name: &str) -> Option<GilPolicy> {
        match name {
            "py2" => Some(GilPolicy::Py2),
            "py37" => Some(GilPolicy::Py37),
            "py311" => Some(GilPolicy::Py311),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            GilPolicy::Py2 => "py2",
            GilPolicy::Py37 => "py37",
            GilPolicy::Py311 => "py311",
        }
    }
}

/// Makes `vm`'s deterministic scheduler follow `policy` (and records it for `--sched os`).
pub fn install(vm: &mut Vm, policy: GilPolicy) {
    state_mut(vm).gil = policy;
    vm.scheduler = hooks_of(policy);
}

/// The deterministic scheduler's hooks under `policy` (a simulated process's hooks defer
/// to them for its own threads).
pub fn hooks_of(policy: GilPolicy) -> &'static SchedulerHooks {
    match policy {
        GilPolicy::Py2 => &det::HOOKS,
        GilPolicy::Py37 => &PY37_HOOKS,
        GilPolicy::Py311 => &PY311_HOOKS,
    }
}

/// The policy a VM runs under.
pub fn policy(vm: &Vm) -> GilPolicy {
    state(vm).gil
}

static PY37_HOOKS: SchedulerHooks = SchedulerHooks {
    keeps_gil: keeps_gil_py37,
    quick_check: undecided,
    first_interval: turn_begins,
    switch_from: det::switch_from,
    thread_finished: det::thread_finished,
    wait_in_callback: det::wait_in_callback,
    clone_state: det::clone_state,
};

static PY311_HOOKS: SchedulerHooks = SchedulerHooks {
    keeps_gil: keeps_gil_py311,
    ..PY37_HOOKS
};

/// The holder's turn, as the timed policies keep it (in `State::timed`).
#[derive(Clone, Debug, Default)]
pub struct Turn {
    /// The thread this turn is the turn of.
    holder: usize,
    /// When another thread was first seen waiting for the GIL this turn (virtual ns).
    waiting_since: Option<u64>,
    /// How late the waiter's timed wait ends (the OS's timer slack), drawn per turn.
    latency_ns: u64,
}

/// Linux's default timer slack: a timed wait may end this much late.
const TIMER_SLACK_NS: u64 = 50_000;

/// While nobody waits for the GIL, the scheduler looks again after this share of the
/// switch interval (or at the next sleeper's deadline, if sooner).
const LOOKS_PER_INTERVAL: u64 = 16;

/// The check interval of the timed policies decides nothing: they say when to look again.
fn undecided(_: &mut Vm, _: u64) -> Option<bool> {
    None
}

fn switch_interval_ns(vm: &Vm) -> u64 {
    (vm.threads.switch_interval * 1e9).clamp(1_000.0, 3_600e9) as u64
}

/// Counted instructions that take at least `ns` of virtual time (at least one).
fn ticks_for(ns: u64) -> u64 {
    ns.div_ceil(NS_PER_INSTRUCTION).max(1)
}

/// The runnable threads other than the holder (their waits checked first).
fn waiting_threads(vm: &mut Vm) -> Vec<usize> {
    let current = vm.threads.current;
    let mut ready = det::runnable(vm);
    ready.retain(|&t| t != current);
    ready
}

/// A thread has just taken the GIL: its turn starts now. Returns the counted instructions
/// until the scheduler looks again.
fn turn_begins(vm: &mut Vm) -> u32 {
    if state(vm).chooser.is_some() {
        return (det::HOOKS.first_interval)(vm);
    }
    begin_turn(vm);
    let ticks = ticks_until_next_look(vm);
    ticks.min(u64::from(u32::MAX)) as u32
}

fn begin_turn(vm: &mut Vm) {
    let now = vm.now_ns();
    let waiting = !waiting_threads(vm).is_empty();
    let holder = vm.threads.current;
    let s = state_mut(vm);
    let latency_ns = s.next_random() % TIMER_SLACK_NS;
    s.timed = Turn {
        holder,
        waiting_since: waiting.then_some(now),
        latency_ns,
    };
}

/// When the drop request comes, if a thread waits.
fn request_at(vm: &Vm) -> Option<u64> {
    let turn = &state(vm).timed;
    let since = turn.waiting_since?;
    Some(since + switch_interval_ns(vm) + turn.latency_ns)
}

fn ticks_until_next_look(vm: &Vm) -> u64 {
    let now = vm.now_ns();
    if let Some(at) = request_at(vm) {
        return ticks_for(at.saturating_sub(now));
    }
    let look = switch_interval_ns(vm) / LOOKS_PER_INTERVAL;
    let deadline = state(vm).queues.next_deadline.saturating_sub(now);
    ticks_for(look.min(deadline))
}

fn keeps_gil_py37(vm: &mut Vm, f: &Frame) -> bool {
    keeps_gil_timed(vm, f, |_, _| true)
}

fn keeps_gil_py311(vm: &mut Vm, f: &Frame) -> bool {
    keeps_gil_timed(vm, f, honours_request_py311)
}

/// At a check of a timed policy: the holder keeps the GIL until a waiting thread's request
/// is due and the boundary honours it; then a waiting thread (a seeded draw) takes it.
fn keeps_gil_timed(vm: &mut Vm, f: &Frame, honours: fn(&Vm, &Frame) -> bool) -> bool {
    if let Some(keeps) = det::pinned_goes_on(vm) {
        return keeps;
    }
    if state(vm).chooser.is_some() {
        return (det::HOOKS.keeps_gil)(vm, f);
    }
    if state(vm).timed.holder != vm.threads.current {
        begin_turn(vm);
    }
    let now = vm.now_ns();
    let waiting = waiting_threads(vm);
    let turn = &mut state_mut(vm).timed;
    if waiting.is_empty() {
        turn.waiting_since = None;
    } else if turn.waiting_since.is_none() {
        turn.waiting_since = Some(now);
    }
    match request_at(vm) {
        Some(at) if now >= at => {
            if !honours(vm, f) {
                // The request stays set: look again before the next counted instruction.
                vm.set_next_check(vm.ticks + 1);
                return true;
            }
            let s = state_mut(vm);
            let pick = waiting[(s.next_random() % waiting.len() as u64) as usize];
            vm.threads.next_pick = Some(pick);
            false
        }
        _ => {
            let next = vm.ticks + ticks_until_next_look(vm);
            vm.set_next_check(next);
            true
        }
    }
}

/// The instruction at `f.pc`, its argument folded (EXTENDED_ARG).
fn next_instruction(f: &Frame) -> Option<(Op, usize)> {
    let bytes = &f.code().co_code;
    let mut pc = f.pc;
    let mut arg = usize::from(*bytes.get(pc + 1)?);
    while *bytes.get(pc)? == EXTENDED_ARG {
        pc += 2;
        arg = (arg << 8) | usize::from(*bytes.get(pc + 1)?);
    }
    Some((Op::from_byte(bytes[pc])?, arg))
}

/// Whether CPython 3.10+ would check its eval breaker at the boundary before `f`'s next
/// instruction: a call, a backward jump, or a `for` loop resuming a generator.
pub fn honours_request_py311(vm: &Vm, f: &Frame) -> bool {
    let Some((op, arg)) = next_instruction(f) else {
        return true;
    };
    match op {
        Op::CALL_FUNCTION | Op::CALL_FUNCTION_KW | Op::CALL_FUNCTION_EX | Op::CALL_METHOD => true,
        Op::JUMP_ABSOLUTE | Op::CONTINUE_LOOP => arg <= f.pc,
        Op::FOR_ITER => matches!(
            f.stack.last().copied(),
            Some(Value::Obj(r)) if matches!(vm.heap.get(r), Object::Generator(_))
        ),
        _ => false,
    }
}
