//! `time`: the clock (virtual under the deterministic scheduler, real under the OS one)
//! and `sleep`; the calendar (struct_time, gmtime, strftime ...) is lib/time_struct.py.

use super::{R, float_arg};
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "time",
        &[
            ("time", t_time),
            ("perf_counter", t_perf_counter),
            ("monotonic", t_perf_counter),
            ("process_time", t_perf_counter),
            ("time_ns", t_time_ns),
            ("perf_counter_ns", t_perf_counter_ns),
            ("monotonic_ns", t_perf_counter_ns),
            ("sleep", t_sleep),
        ],
    );
    // The calendar functions are Python, run in this module's namespace.
    vm.run_in_module(m, "<minipy time>", include_str!("lib/time_struct.py"))?;
    Ok(m)
}

/// time.time(): under the deterministic scheduler, a virtual clock that advances with
/// executed instructions and sleeps, so output that depends on it repeats exactly; under
/// the OS scheduler, the real clock.
fn t_time(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    if vm.real_time() {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        return Ok(Value::Float(since_epoch.as_secs_f64()));
    }
    Ok(Value::Float(1_600_000_000.0 + vm.now_ns() as f64 / 1e9))
}

fn t_time_ns(vm: &mut Vm, this: Option<Value>, args: Args) -> R {
    let seconds = t_time(vm, this, args)?;
    let ns = vm.to_f64(seconds).unwrap_or(0.0) * 1e9;
    Ok(Value::Int(ns as i64))
}

fn t_perf_counter_ns(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Int(vm.now_ns() as i64))
}

fn t_perf_counter(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Float(vm.now_ns() as f64 / 1e9))
}

fn t_sleep(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let secs = float_arg(vm, &args, 0)?;
    if secs < 0.0 {
        return Err(vm.new_exception("ValueError", "sleep length must be non-negative"));
    }
    vm.sleep(secs)
}
