//! `_thread`: the natives threading.py is built on (start a thread, join it, its ident,
//! locks, threading.local's registration) and `start_new_thread`.

use crate::vm::object::{Args, Object};
use crate::vm::threads::{ThreadLocal, ThreadState};
use crate::vm::{PyResult, Value, Vm};

/// Makes the `_thread` module.
pub fn make(vm: &mut Vm) -> PyResult<crate::vm::ObjRef> {
    Ok(vm.new_module(
        "_thread",
        &[
            ("_start", t_start),
            ("_join", t_join),
            ("_alive", t_alive),
            ("_current_ident", t_current_ident),
            ("_main_ident", t_main_ident),
            ("allocate_lock", t_allocate_lock),
            ("allocate_rlock", t_allocate_rlock),
            ("get_ident", t_current_ident),
            ("start_new_thread", t_start_new_thread),
            ("_local_register", t_local_register),
        ],
    ))
}

fn ident_arg(vm: &Vm, args: &Args, i: usize) -> u64 {
    args.pos.get(i).and_then(|v| vm.as_index(*v)).unwrap_or(0) as u64
}

/// `_start(thread, name, daemon)`: a new VM thread running `thread.run()`.
fn t_start(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
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
fn t_local_register(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    let [obj, init_args, kwargs] = args.pos[..] else {
        return Err(vm.type_error("_local_register(obj, args, kwargs)"));
    };
    let Some(dict) = vm.instance_dict(obj) else {
        return Err(vm.type_error("_local_register: not an instance"));
    };
    let ident = vm.current_ident();
    vm.threads.locals.push(ThreadLocal {
        obj: obj.as_obj().expect("an instance"),
        dicts: vec![(ident, dict, true)],
        args: init_args,
        kwargs,
    });
    Ok(Value::None)
}

/// `_thread.start_new_thread(function, args[, kwargs])`: a thread with no threading.Thread
/// object. Like CPython's, the program does not wait for it at exit.
fn t_start_new_thread(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
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
    let name = format!("Dummy-{}", vm.threads.next_ident);
    let ident = vm.spawn_thread(function, call, name, true, function, true)?;
    Ok(Value::Int(ident as i64))
}

fn t_join(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    let ident = ident_arg(vm, &args, 0);
    let Some(i) = vm.thread_index(ident) else {
        return Ok(Value::None);
    };
    // Finished, or re-run after a timed-out wait: return.
    let timed_out = std::mem::take(&mut vm.threads.just_woke);
    if timed_out || vm.threads.threads[i].state == ThreadState::Finished {
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

fn t_alive(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    let ident = ident_arg(vm, &args, 0);
    Ok(Value::Bool(vm.thread_index(ident).is_some_and(|i| {
        vm.threads.threads[i].state != ThreadState::Finished
    })))
}

fn t_current_ident(vm: &mut Vm, _: Option<Value>, _: Args) -> PyResult<Value> {
    Ok(Value::Int(
        vm.threads.threads[vm.threads.current].ident as i64,
    ))
}

fn t_main_ident(_: &mut Vm, _: Option<Value>, _: Args) -> PyResult<Value> {
    Ok(Value::Int(1))
}

fn t_allocate_lock(vm: &mut Vm, _: Option<Value>, _: Args) -> PyResult<Value> {
    Ok(vm.new_lock(false))
}

fn t_allocate_rlock(vm: &mut Vm, _: Option<Value>, _: Args) -> PyResult<Value> {
    Ok(vm.new_lock(true))
}
