//! The scheduler hooks of a simulated process: its own threads run under the
//! deterministic scheduler's draws and the run's GIL policy (`--gil`), as in a program
//! without processes; the process gives
//! the other processes their turns when its slice is spent, and when none of its threads
//! can run (instead of reporting a deadlock, or letting its clock jump to a deadline:
//! another process may end the wait first).

use super::world::Status;
use super::{earliest_deadline, report_world_deadlock, state, yield_turn};
use crate::sched::{det, policy};
use crate::vm::frame::Frame;
use crate::vm::threads::{SchedulerHooks, ThreadState, ThreadTop};
use crate::vm::{PyResult, Value, Vm};

pub static HOOKS: SchedulerHooks = SchedulerHooks {
    keeps_gil,
    quick_check,
    first_interval,
    switch_from,
    thread_finished,
    wait_in_callback,
    clone_state: det::clone_state,
};

/// The hooks of the GIL policy this process's threads follow.
fn policy_hooks(vm: &Vm) -> &'static SchedulerHooks {
    policy::hooks_of(policy::policy(vm))
}

fn first_interval(vm: &mut Vm) -> u32 {
    (policy_hooks(vm).first_interval)(vm)
}

fn slice_spent(vm: &mut Vm, tick: u64) -> bool {
    tick >= state(vm).slice_end
}

fn keeps_gil(vm: &mut Vm, f: &Frame) -> bool {
    if slice_spent(vm, vm.ticks) {
        yield_turn(vm, Status::Runnable);
    }
    if vm.threads.threads.len() == 1 {
        return true;
    }
    (policy_hooks(vm).keeps_gil)(vm, f)
}

fn quick_check(vm: &mut Vm, tick: u64) -> Option<bool> {
    if slice_spent(vm, tick) {
        return None;
    }
    if vm.threads.threads.len() == 1 {
        return Some(true);
    }
    (policy_hooks(vm).quick_check)(vm, tick)
}

/// As the deterministic scheduler's, but when none of this process's threads can run, the
/// other processes run until one of them can.
fn switch_from(vm: &mut Vm, f: ThreadTop) -> ThreadTop {
    vm.park_current(f);
    loop {
        let main_done = vm.threads.threads[0].state == ThreadState::Finished;
        if main_done && !vm.non_daemon_alive() {
            return None;
        }
        if let Some(pick) = det::draw_runnable(vm) {
            return vm.resume_thread(pick);
        }
        let deadline = earliest_deadline(vm);
        if yield_turn(vm, Status::Blocked(deadline)) {
            report_world_deadlock(vm);
            return None;
        }
    }
}

fn thread_finished(vm: &mut Vm, result: PyResult<Value>) -> ThreadTop {
    vm.end_thread(result);
    switch_from(vm, None)
}

/// As the deterministic scheduler's: the thread blocked inside a call from native code
/// waits here while this process's other threads, and the other processes, run.
fn wait_in_callback(vm: &mut Vm, waiting: ThreadState) -> Result<(), Value> {
    let me = vm.threads.current;
    vm.threads.threads[me].state = waiting;
    vm.threads.threads[me].pinned = true;
    vm.threads.pinned.push(me);
    vm.threads.changes += 1;
    vm.park_current(None);
    let saved_base = std::mem::replace(&mut vm.threads.base_depth, vm.native_depth);
    let outcome = run_others_until_woken(vm, me);
    vm.threads.base_depth = saved_base;
    vm.threads.pinned.pop();
    vm.threads.threads[me].pinned = false;
    vm.threads.changes += 1;
    crate::sched::state_mut(vm).queues.dirty.push(me);
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
            _ => det::draw_runnable(vm),
        };
        let Some(pick) = pick else {
            let deadline = earliest_deadline(vm);
            if yield_turn(vm, Status::Blocked(deadline)) {
                report_world_deadlock(vm);
                return Err(vm.new_exception_args("SystemExit", vec![Value::Int(3)]));
            }
            continue;
        };
        let top = vm
            .resume_thread(pick)
            .expect("a runnable thread has a frame");
        vm.frames.push(top);
        match vm.run_until(0) {
            Err(signal) if vm.is_block_signal(signal) => {}
            result => vm.end_thread(result),
        }
    }
}
