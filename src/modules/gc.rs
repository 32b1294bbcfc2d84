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
            ("get_objects", get_objects),
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

/// Every container object on the heap (what CPython's collector tracks): lists, dicts, sets,
/// tuples, instances, classes, functions, generators and modules. Garbage not yet collected
/// is listed too, as in CPython between collections.
fn get_objects(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    use crate::vm::object::Object;
    crate::objects::args::arity(vm, "get_objects", &args, 0, 0)?;
    let tracked: Vec<Value> = vm
        .heap
        .objects()
        .filter(|(_, obj)| {
            matches!(
                obj,
                Object::List(_)
                    | Object::Dict(_)
                    | Object::Set(_)
                    | Object::Tuple(_)
                    | Object::Instance(_)
                    | Object::Class(_)
                    | Object::Function(_)
                    | Object::Generator(_)
                    | Object::Module { .. }
                    | Object::BoundMethod { .. }
                    | Object::Cell(_)
            )
        })
        .map(|(r, _)| Value::Obj(r))
        .collect();
    Ok(vm.new_list(tracked))
}
