//! `os`: the little of it programs about threads use.

use super::R;
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module("os", &[("getpid", os_getpid)]))
}

fn os_getpid(_: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Int(i64::from(std::process::id())))
}
