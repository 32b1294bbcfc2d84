//! `_weakref`: weak references (`ref(obj, callback)`), which do not keep their referent
//! alive; the collector clears them when it frees the referent and calls the callback.
//! lib/weakref.py builds WeakSet and the weak dictionaries on top.

use super::{R, arg};
use crate::vm::object::{Args, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "_weakref",
        &[
            ("ref", new_ref),
            ("getweakrefcount", weakref_count),
            ("_is_ref", is_ref),
        ],
    );
    let t = Value::Obj(vm.types["weakref"]);
    vm.dict_set_str(vm.module_dict(m), "ReferenceType", t);
    Ok(m)
}

/// Which objects may be referenced weakly: as CPython, instances, classes, functions,
/// methods, sets, generators and the like; not ints, strs, tuples, lists or dicts.
fn weakly_referable(obj: &Object) -> bool {
    matches!(
        obj,
        Object::Instance(_)
            | Object::Class(_)
            | Object::Function(_)
            | Object::BoundMethod { .. }
            | Object::Set(_)
            | Object::FrozenSet(_)
            | Object::Generator(_)
            | Object::Code(_)
            | Object::Module { .. }
            | Object::Property { .. }
            | Object::WeakRef { .. }
    )
}

fn new_ref(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    if args.pos.is_empty() || args.pos.len() > 2 {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("__new__ expected at most 2 arguments, got {n}")));
    }
    let target = arg(&args, 0);
    let callback = arg(&args, 1);
    let referable = target
        .as_obj()
        .is_some_and(|r| weakly_referable(vm.heap.get(r)));
    // An instance of a subclass of a built-in type that cannot be referenced weakly
    // (class Stack(list)) can be: it is an instance.
    if !referable {
        let t = vm.type_name(target);
        return Err(vm.type_error(&format!("cannot create weak reference to '{t}' object")));
    }
    Ok(vm.alloc(Object::WeakRef {
        target: target.as_obj(),
        callback,
    }))
}

/// getweakrefcount(obj): how many weak references point at `obj`.
fn weakref_count(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let Some(target) = arg(&args, 0).as_obj() else {
        return Ok(Value::Int(0));
    };
    let n = vm
        .heap
        .objects()
        .filter(|(_, o)| matches!(o, Object::WeakRef { target: Some(t), .. } if *t == target))
        .count();
    Ok(Value::Int(n as i64))
}

fn is_ref(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let v = arg(&args, 0);
    Ok(Value::Bool(matches!(
        v.as_obj().map(|r| vm.heap.get(r)),
        Some(Object::WeakRef { .. })
    )))
}
