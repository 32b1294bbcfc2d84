//! The lock objects (`_thread.lock`, `_thread.RLock`): creation, and the methods threading
//! is built on: acquire (blocking, with a timeout, or not at all), release, and the RLock
//! internals Condition uses. A thread that cannot take a lock blocks on it (`ThreadState::
//! WaitLock`); `wait.rs` wakes it when the lock is free or its deadline passes.

use super::state_mut;
use crate::vm::object::{Args, Object};
use crate::vm::threads::ThreadState;
use crate::vm::{ObjRef, PyResult, Value, Vm};

impl Vm {
    pub fn new_lock(&mut self, reentrant: bool) -> Value {
        let serial = {
            let s = state_mut(self);
            s.locks_created += 1;
            s.locks_created
        };
        let lock = self.heap.alloc(Object::Lock {
            owner: None,
            count: 0,
            reentrant,
            serial,
        });
        Value::Obj(lock)
    }
}

fn lock_ref(r: Option<Value>) -> ObjRef {
    r.and_then(|v| v.as_obj())
        .expect("lock methods are bound to a lock")
}

/// lock.acquire(blocking=True, timeout=-1)
pub fn l_acquire(vm: &mut Vm, r: Option<Value>, args: Args) -> PyResult<Value> {
    // A misspelt `blocking=` must not turn a non-blocking acquire into a deadlock.
    crate::objects::args::check_keywords(vm, &args, "acquire", &["blocking", "timeout"])?;
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
    let timed_out = std::mem::take(&mut vm.threads.just_woke);
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
            if !vm.preemptible() && vm.threads.others_live() == 0 {
                // The only thread waits for a lock it can never get. (The main thread
                // that runs the exit functions has ended, and daemon threads live on.)
                let deadline = timeout.map(|t| vm.now_ns() + (t * 1e9) as u64);
                if let Some(d) = deadline {
                    vm.pass_time(d.saturating_sub(vm.now_ns()));
                    return Ok(Value::Bool(false));
                }
                vm.threads.threads[vm.threads.current].state = ThreadState::WaitLock(lock, None);
                vm.report_deadlock();
                return Err(vm.new_exception_args("SystemExit", vec![Value::Int(3)]));
            }
            let deadline = timeout.map(|t| vm.now_ns() + (t * 1e9) as u64);
            Err(vm.block_on(ThreadState::WaitLock(lock, deadline)))
        }
    }
}

/// The lock is free: its first waiter is woken at the scheduler's next look (`queues.rs`).
fn lock_freed(vm: &mut Vm, lock: ObjRef) {
    // (A thread that blocked on it has been registered as its waiter before any other
    // thread ran: with no waiter, there is nobody to wake.)
    let queues = &mut state_mut(vm).queues;
    if queues.has_waiters(lock) {
        queues.released.push(lock);
    }
    vm.notify_change();
}

/// Tells a recorder of the run (if there is one) that `lock` is free.
fn note_release(vm: &mut Vm, lock: ObjRef) {
    if vm.observer.is_some() {
        vm.observe(|o, vm| o.lock_released(vm, lock));
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
    lock_freed(vm, lock);
    note_release(vm, lock);
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
                lock_freed(vm, lock);
                note_release(vm, lock);
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
