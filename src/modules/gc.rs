//! `gc`: the collector as a program sees it. minipy's heap is traced (cycles are freed like
//! everything else) at safe points when enough has been allocated; `collect()` runs it now,
//! finalizers included, and returns how many objects were unreachable.

use super::R;
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "gc",
        &[
            ("collect", collect),
            ("enable", enable),
            ("disable", disable),
            ("isenabled", isenabled),
        ],
    );
    let garbage = vm.new_list(vec![]);
    vm.dict_set_str(vm.module_dict(m), "garbage", garbage);
    Ok(m)
}

fn collect(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    // The calling frame is outside `frames` while a native runs, so its values could not
    // be rooted here: the eval loop collects as this call returns, and the count it finds
    // replaces this result.
    vm.collect_requested = true;
    Ok(Value::Int(0))
}

fn enable(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    vm.heap.automatic_off = false;
    Ok(Value::None)
}

fn disable(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    vm.heap.automatic_off = true;
    Ok(Value::None)
}

fn isenabled(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Bool(!vm.heap.automatic_off))
}
