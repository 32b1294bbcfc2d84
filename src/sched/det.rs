//! The deterministic scheduler (`--sched det`, the default): every VM thread is stepped from
//! one OS thread. The GIL is offered every `check_interval` counted instructions
//! (`opcode::counts_tick`) or handed on when the holder blocks; the next thread is drawn by
//! a generator seeded with `--seed` (the holder may be drawn again). Time is virtual
//! (`clock.rs`), so the same program, options and seed print the same bytes on every run.

use super::clock::NS_PER_INSTRUCTION;
use super::{Choice, state, state_mut};
use crate::vm::frame::Frame;
use crate::vm::threads::{SchedulerHooks, ThreadState};
use crate::vm::{PyResult, Value, Vm};

pub static HOOKS: SchedulerHooks = SchedulerHooks {
    keeps_gil,
    quick_check,
    first_interval,
    switch_from,
    thread_finished,
    wait_in_callback,
    clone_state,
};

pub(super) fn clone_state(state: &dyn std::any::Any) -> Box<dyn std::any::Any> {
    Box::new(
        state
            .downcast_ref::<super::State>()
            .expect("the deterministic scheduler's state")
            .clone(),
    )
}

/// The check interval is spent: draws the next thread. True when the running thread keeps
/// the GIL (it could be picked again); otherwise the pick waits in `next_pick`. In the
/// common case, every thread runnable, this allocates nothing.
fn keeps_gil(vm: &mut Vm, f: &Frame) -> bool {
    // The common case, decided with nothing but a draw.
    if let Some(keeps) = quick_check(vm, vm.ticks) {
        return keeps;
    }
    if let Some(keeps) = pinned_goes_on(vm) {
        return keeps;
    }
    if let Some(mut chooser) = state_mut(vm).chooser.take() {
        // A chooser sees every counted instruction, whatever the check interval.
        vm.set_next_check(vm.ticks + 1);
        let current = vm.threads.current;
        let goes_on = chooser.goes_on(vm, (current, f));
        state_mut(vm).chooser = Some(chooser);
        if goes_on {
            return true;
        }
        return match choose(vm, Some((current, f))) {
            Some(Choice::Thread(pick)) if pick == current => true,
            Some(Choice::Thread(pick)) => {
                vm.threads.next_pick = Some(pick);
                false
            }
            _ => {
                vm.threads.next_pick = None;
                false
            }
        };
    }
    match draw_runnable(vm) {
        Some(pick) if pick == vm.threads.current => true,
        pick => {
            vm.threads.next_pick = pick;
            false
        }
    }
}

/// A thread blocked inside a callback goes on as soon as it can: `Some(false)` then.
pub(super) fn pinned_goes_on(vm: &mut Vm) -> Option<bool> {
    let &pinned = vm.threads.pinned.last()?;
    vm.wake_ready();
    if vm.threads.threads[pinned].state == ThreadState::Runnable {
        vm.threads.next_pick = None;
        return Some(false);
    }
    None
}

/// The GIL check at tick `tick` as `keeps_gil` would make it, when nothing but the draw is
/// needed (no thread pinned, no wait that may have ended, the runnable list current).
#[inline]
fn quick_check(vm: &mut Vm, tick: u64) -> Option<bool> {
    let threads = &mut vm.threads;
    let s = vm.scheduler_state.downcast_mut::<super::State>()?;
    let simple = threads.pinned.is_empty()
        && s.chooser.is_none()
        && threads.changes == s.queues.synced_changes
        && s.clock_ns + tick * NS_PER_INSTRUCTION < s.queues.next_deadline
        && !s.queues.runnable.is_empty();
    if !simple {
        return None;
    }
    let pick = pick_runnable(s);
    if pick == threads.current {
        return Some(true);
    }
    threads.next_pick = Some(pick);
    Some(false)
}

/// The threads that can run now (their waits checked), in table order.
pub fn runnable(vm: &mut Vm) -> Vec<usize> {
    vm.wake_ready();
    state(vm).queues.runnable.iter().collect()
}

/// Asks the chooser (there is one) who runs next; `None` when nobody can run now.
pub(super) fn choose(vm: &mut Vm, running: Option<(usize, &Frame)>) -> Option<Choice> {
    let runnable = runnable(vm);
    if runnable.is_empty() {
        return None;
    }
    let mut chooser = state_mut(vm).chooser.take()?;
    let choice = chooser.choose(vm, running, &runnable);
    state_mut(vm).chooser = Some(chooser);
    Some(choice)
}

/// One draw from the (non-empty) runnable set: its k-th thread in table order.
fn pick_runnable(s: &mut super::State) -> usize {
    let count = s.queues.runnable.len();
    let r = s.next_random();
    // The same k as `r % count`, without a division in the common power-of-two cases
    // (this runs at every spent check interval).
    let k = if count.is_power_of_two() {
        (r & (count as u64 - 1)) as usize
    } else {
        (r % count as u64) as usize
    };
    s.queues.runnable.nth(k)
}

/// Wakes the threads whose wait is over, then draws one runnable thread at random.
#[inline]
pub(super) fn draw_runnable(vm: &mut Vm) -> Option<usize> {
    vm.wake_ready();
    let s = state_mut(vm);
    if s.queues.runnable.is_empty() {
        return None;
    }
    Some(pick_runnable(s))
}

/// The instructions a thread that has just taken the GIL runs before it is first offered
/// it: a draw from 1 to the check interval (then the full interval at every offer it
/// keeps). With a fixed first interval, a loop whose length shares a factor with the
/// interval is offered the GIL at the same few instructions every time, so a race can
/// hide (or lose every update) by arithmetic alone.
pub(super) fn first_interval(vm: &mut Vm) -> u32 {
    let interval = vm.threads.check_interval;
    if interval == 1 || state(vm).chooser.is_some() {
        return 1;
    }
    let r = state_mut(vm).next_random();
    1 + (r % u64::from(interval)) as u32
}

/// Saves the running thread's frames (with `f` on top) and picks the next thread to run;
/// `None` when no thread can ever run again (finished, or deadlocked and reported).
pub(super) fn switch_from(vm: &mut Vm, f: Option<Box<Frame>>) -> Option<Box<Frame>> {
    vm.park_current(f);
    loop {
        let main_done = vm.threads.threads[0].state == ThreadState::Finished;
        if main_done && !vm.non_daemon_alive() {
            return None;
        }
        let pick = if state(vm).chooser.is_some() {
            match choose(vm, None) {
                Some(Choice::Thread(pick)) => Some(pick),
                _ => None,
            }
        } else {
            draw_runnable(vm)
        };
        if let Some(pick) = pick {
            return vm.resume_thread(pick);
        }
        // Nobody can run: let virtual time pass to the earliest wake-up, if there is one.
        if !pass_time_to_next_deadline(vm) {
            vm.report_deadlock();
            return None;
        }
    }
}

/// The running thread's bottom frame finished with `result`: record it, report an
/// uncaught exception in a thread, and move on to another thread.
pub(super) fn thread_finished(vm: &mut Vm, result: PyResult<Value>) -> Option<Box<Frame>> {
    vm.end_thread(result);
    switch_from(vm, None)
}

/// The running thread blocked inside a callback from native code, its top frame (rewound
/// to the blocking call) held by the Rust stack: runs the other threads here, on top of it,
/// until its wait is over. Under `--sched os` too: the GIL cannot be released from inside
/// native code, so this OS thread keeps it and runs the others' frames itself; their own OS
/// threads pick them up again afterwards. Ok when the call can re-run; Err with the
/// exception to raise in that frame (a deadlock, or a wait that cannot be met). The
/// collector does not run meanwhile: it only runs with no native code on the stack, whose
/// Rust locals hold values it cannot see.
pub(super) fn wait_in_callback(vm: &mut Vm, state: ThreadState) -> Result<(), Value> {
    let me = vm.threads.current;
    vm.threads.threads[me].state = state;
    vm.threads.threads[me].pinned = true;
    vm.threads.pinned.push(me);
    vm.threads.changes += 1;
    // Its frames below the callback stay in its slot, which nobody resumes while pinned.
    vm.park_current(None);
    let saved_base = std::mem::replace(&mut vm.threads.base_depth, vm.native_depth);
    let outcome = run_others_until_woken(vm, me);
    vm.threads.base_depth = saved_base;
    vm.threads.pinned.pop();
    vm.threads.threads[me].pinned = false;
    vm.threads.changes += 1;
    state_mut(vm).queues.dirty.push(me);
    vm.enter_thread(me);
    outcome
}

fn run_others_until_woken(vm: &mut Vm, me: usize) -> Result<(), Value> {
    loop {
        vm.wake_ready();
        if vm.threads.threads[me].state == ThreadState::Runnable {
            return Ok(());
        }
        let pick = match vm.threads.next_pick.take() {
            Some(p) if !vm.threads.threads[p].pinned => Some(p),
            _ if state(vm).chooser.is_some() => match choose(vm, None) {
                Some(Choice::Thread(pick)) => Some(pick),
                _ => None,
            },
            _ => draw_runnable(vm),
        };
        let Some(pick) = pick else {
            if pass_time_to_next_deadline(vm) {
                continue;
            }
            // Under os, real time may have ended its own wait since the loop looked.
            if vm.threads.threads[me].state == ThreadState::Runnable {
                return Ok(());
            }
            if vm.threads.pinned.len() > 1 || !vm.non_daemon_alive() {
                // An outer pinned thread (or the end of the program) is what this one
                // waits for: neither can come while this callback holds the stack.
                return Err(vm.new_exception(
                    "RuntimeError",
                    "minipy cannot block here: the wait needs a thread whose callback is below this one",
                ));
            }
            vm.report_deadlock();
            return Err(vm.new_exception_args("SystemExit", vec![Value::Int(3)]));
        };
        let top = vm
            .resume_thread(pick)
            .expect("a runnable thread has a frame");
        vm.frames.push(top);
        match vm.run_until(0) {
            // Parked, with its state: the loop picks again.
            Err(signal) if vm.is_block_signal(signal) => {}
            result => vm.end_thread(result),
        }
    }
}

/// Nobody can run: lets virtual time pass to the earliest wake-up. False if none.
pub fn pass_time_to_next_deadline(vm: &mut Vm) -> bool {
    vm.wake_ready();
    if !state(vm).queues.runnable.is_empty() {
        return true; // a deadline had passed already
    }
    match state(vm).queues.next_deadline {
        u64::MAX => false,
        at => {
            let now = vm.now_ns();
            vm.idle(at.saturating_sub(now));
            true
        }
    }
}
