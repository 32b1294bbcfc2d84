//! `_traceback`: the natives lib/traceback.py is built on.

use super::{R, arg};
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module(
        "_traceback",
        &[("_format", tb_format), ("_format_only", tb_format_only)],
    ))
}

/// `_traceback._format(exc)`: the traceback module's report of an exception (its frames as
/// recorded while it propagated, chained exceptions first).
fn tb_format(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let text = vm.format_exception_traceback_module(arg(&args, 0));
    Ok(vm.new_str(text))
}

/// `_traceback._format_only(exc)`: the report's last line.
fn tb_format_only(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let text = vm.exception_line(arg(&args, 0), false);
    Ok(vm.new_str(text))
}
