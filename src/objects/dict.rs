//! The methods of dict (get, keys, values, items, pop, popitem, setdefault, update, copy,
//! fromkeys) and dict.__init__.

use super::args::recv;
use crate::vm::object::{Args, Dict, DictPart, Object};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

fn dict_ref(vm: &Vm, r: Option<Value>) -> &Dict {
    match vm.heap.get(recv(r).as_obj().expect("a dict receiver")) {
        Object::Dict(d) | Object::Set(d) | Object::FrozenSet(d) => d,
        _ => unreachable!("dict methods are bound to dicts"),
    }
}

pub(crate) fn d_get(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let k = vm.key_in(recv(r), args.pos.first().copied().unwrap_or(Value::None))?;
    let default = args.pos.get(1).copied().unwrap_or(Value::None);
    Ok(dict_ref(vm, r).get(&k).map_or(default, |(_, v)| *v))
}

/// `d.keys()`, `d.values()`, `d.items()`: a live view of the receiver.
fn dict_view(vm: &mut Vm, r: Option<Value>, part: DictPart) -> Value {
    let dict = recv(r).as_obj().expect("a dict receiver");
    vm.alloc(Object::DictView { dict, part })
}

pub(crate) fn d_keys(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(dict_view(vm, r, DictPart::Keys))
}

pub(crate) fn d_values(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(dict_view(vm, r, DictPart::Values))
}

pub(crate) fn d_items(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(dict_view(vm, r, DictPart::Items))
}

pub(crate) fn d_pop(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    vm.dict_removals += 1;
    let key = args.pos.first().copied().unwrap_or(Value::None);
    let k = vm.key_in(recv(r), key)?;
    let removed = match vm.heap.get_mut(recv(r).as_obj().expect("dict")) {
        Object::Dict(d) => d.shift_remove(&k).map(|(_, v)| v),
        _ => None,
    };
    match (removed, args.pos.get(1)) {
        (Some(v), _) => Ok(v),
        (None, Some(d)) => Ok(*d),
        (None, None) => Err(vm.new_exception_args("KeyError", vec![key])),
    }
}

pub(crate) fn d_popitem(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    vm.dict_removals += 1;
    let last = match vm.heap.get_mut(recv(r).as_obj().expect("dict")) {
        Object::Dict(d) => d.pop().map(|(_, kv)| kv),
        _ => None,
    };
    match last {
        Some((k, v)) => Ok(vm.new_tuple(vec![k, v])),
        None => Err(vm.new_exception("KeyError", "popitem(): dictionary is empty")),
    }
}

pub(crate) fn d_setdefault(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let key = args.pos.first().copied().unwrap_or(Value::None);
    let default = args.pos.get(1).copied().unwrap_or(Value::None);
    let k = vm.key_in(recv(r), key)?;
    if let Some((_, v)) = dict_ref(vm, r).get(&k) {
        return Ok(*v);
    }
    vm.setitem(recv(r), key, default)?;
    Ok(default)
}

pub(crate) fn d_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    if let Some(v) = args.pos.first() {
        let t = Value::Obj(vm.types["dict"]);
        let built = vm.call(t, Args::new(vec![*v]))?;
        for (k, val) in vm.mapping_items(built)? {
            vm.setitem(recv(r), k, val)?;
        }
    }
    for (k, v) in args.kw {
        let key = vm.new_str(k);
        vm.setitem(recv(r), key, v)?;
    }
    Ok(Value::None)
}

pub(crate) fn d_copy(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    // A frozenset's copy is itself, as CPython's frozenset_copy.
    if let Object::FrozenSet(_) = vm.heap.get(recv(r).as_obj().expect("container")) {
        return Ok(recv(r));
    }
    let d = dict_ref(vm, r).clone();
    let obj = match vm.heap.get(recv(r).as_obj().expect("container")) {
        Object::Set(_) => Object::Set(d),
        Object::FrozenSet(_) => Object::FrozenSet(d),
        _ => Object::Dict(d),
    };
    Ok(vm.alloc(obj))
}

pub(crate) fn d_fromkeys(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let keys = vm.collect_iterable(args.pos.first().copied().unwrap_or(Value::None))?;
    let value = args.pos.get(1).copied().unwrap_or(Value::None);
    let d = vm.new_dict();
    for k in keys {
        vm.setitem(d, k, value)?;
    }
    Ok(d)
}

pub(crate) fn d_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    vm.dict_removals += 1;
    if let Object::Dict(d) = vm.heap.get_mut(recv(r).as_obj().expect("a dict")) {
        d.clear();
    }
    d_update(vm, r, args)
}
