//! `os`: the little of it programs about threads and processes use: getpid, getppid,
//! cpu_count and _exit. Under `--sched det` the pids are the simulated processes' (the
//! first is 1000), and cpu_count is `--cpus`, so output that shows them repeats.

use super::R;
use crate::sched::process;
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module(
        "os",
        &[
            ("getpid", os_getpid),
            ("getppid", os_getppid),
            ("cpu_count", os_cpu_count),
            ("_exit", os_exit),
        ],
    ))
}

fn os_getpid(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    crate::objects::args::arity(vm, "getpid", &args, 0, 0)?;
    Ok(Value::Int(process::getpid(vm)))
}

fn os_getppid(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    crate::objects::args::arity(vm, "getppid", &args, 0, 0)?;
    Ok(Value::Int(process::getppid(vm)))
}

fn os_cpu_count(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    crate::objects::args::arity(vm, "cpu_count", &args, 0, 0)?;
    Ok(Value::Int(process::cpu_count(vm) as i64))
}

/// os._exit(n): the process ends at once: no cleanup, nothing flushed.
fn os_exit(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    crate::objects::args::arity(vm, "_exit", &args, 1, 1)?;
    let code = args.pos[0];
    let Some(code) = vm
        .as_index(code)
        .filter(|_| !matches!(code, Value::Float(_)))
    else {
        let t = vm.type_name(code);
        return Err(vm.type_error(&format!("an integer is required (got type {t})")));
    };
    process::exit_now(vm, code)
}
