//! The methods of set and frozenset: add, remove, discard, pop, the set algebra and its
//! in-place forms, subset tests, and set.__init__.

use super::args::recv;
use super::dict::d_copy;
use crate::vm::object::{Args, Dict, Object};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

fn set_mut(vm: &mut Vm, r: Option<Value>) -> &mut Dict {
    match vm.heap.get_mut(recv(r).as_obj().expect("a set receiver")) {
        Object::Set(d) => d,
        _ => unreachable!("set methods are bound to sets"),
    }
}

pub(crate) fn st_add(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    vm.set_add(recv(r), args.pos.first().copied().unwrap_or(Value::None))?;
    Ok(Value::None)
}

pub(crate) fn st_remove(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    let k = vm.key_in_set(recv(r), v)?;
    if set_mut(vm, r).shift_remove(&k).is_none() {
        return Err(vm.new_exception_args("KeyError", vec![v]));
    }
    Ok(Value::None)
}

pub(crate) fn st_discard(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let k = vm.key_in_set(recv(r), args.pos.first().copied().unwrap_or(Value::None))?;
    set_mut(vm, r).shift_remove(&k);
    Ok(Value::None)
}

pub(crate) fn st_pop(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let Some(&first) = vm.set_items(recv(r).as_obj().expect("set")).first() else {
        return Err(vm.new_exception("KeyError", "pop from an empty set"));
    };
    let k = vm.dict_key(first)?;
    set_mut(vm, r).shift_remove(&k);
    Ok(first)
}

fn set_op(vm: &mut Vm, r: Option<Value>, args: Args, op: crate::bytecode::Opcode) -> R {
    let mut acc = recv(r);
    let frozen = matches!(
        vm.heap.get(acc.as_obj().expect("set")),
        Object::FrozenSet(_)
    );
    if args.pos.is_empty() {
        return d_copy(vm, r, Args::default());
    }
    for other in args.pos {
        let items = vm.collect_iterable(other)?;
        let s = vm.new_set(items)?;
        acc = vm.binary_op(op, acc, s)?;
    }
    if frozen
        && let Some(o) = acc.as_obj()
        && matches!(vm.heap.get(o), Object::Set(_))
        && let Object::Set(d) = std::mem::replace(vm.heap.get_mut(o), Object::Tuple(vec![]))
    {
        *vm.heap.get_mut(o) = Object::FrozenSet(d);
    }
    Ok(acc)
}

pub(crate) fn st_union(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op(vm, r, args, crate::bytecode::Opcode::BINARY_OR)
}
pub(crate) fn st_intersection(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op(vm, r, args, crate::bytecode::Opcode::BINARY_AND)
}
pub(crate) fn st_difference(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op(vm, r, args, crate::bytecode::Opcode::BINARY_SUBTRACT)
}
pub(crate) fn st_symmetric_difference(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op(vm, r, args, crate::bytecode::Opcode::BINARY_XOR)
}

/// `intersection_update`, `difference_update`, `symmetric_difference_update`: the
/// operation's result becomes the set's contents.
fn set_op_update(vm: &mut Vm, r: Option<Value>, args: Args, op: crate::bytecode::Opcode) -> R {
    let result = set_op(vm, r, args, op)?;
    let items = match vm.heap.get(result.as_obj().expect("a set")) {
        Object::Set(d) | Object::FrozenSet(d) => d.clone(),
        _ => Dict::default(),
    };
    vm.dict_removals += 1;
    *set_mut(vm, r) = items;
    Ok(Value::None)
}
pub(crate) fn st_intersection_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op_update(vm, r, args, crate::bytecode::Opcode::BINARY_AND)
}
pub(crate) fn st_difference_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op_update(vm, r, args, crate::bytecode::Opcode::BINARY_SUBTRACT)
}
pub(crate) fn st_symmetric_difference_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op_update(vm, r, args, crate::bytecode::Opcode::BINARY_XOR)
}

pub(crate) fn st_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    for other in args.pos {
        for v in vm.collect_iterable(other)? {
            vm.set_add(recv(r), v)?;
        }
    }
    Ok(Value::None)
}

fn subset(vm: &mut Vm, a: Value, b: Value) -> PyResult<bool> {
    for v in vm.collect_iterable(a)? {
        if !vm.contains(b, v)? {
            return Ok(false);
        }
    }
    Ok(true)
}

pub(crate) fn st_issubset(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let other = args.pos.first().copied().unwrap_or(Value::None);
    let other = {
        let items = vm.collect_iterable(other)?;
        vm.new_set(items)?
    };
    subset(vm, recv(r), other).map(Value::Bool)
}
pub(crate) fn st_issuperset(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let other = args.pos.first().copied().unwrap_or(Value::None);
    subset(vm, other, recv(r)).map(Value::Bool)
}
pub(crate) fn st_isdisjoint(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let other = args.pos.first().copied().unwrap_or(Value::None);
    for v in vm.collect_iterable(other)? {
        if vm.contains(recv(r), v)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

pub(crate) fn st_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    if let Object::Set(d) = vm.heap.get_mut(recv(r).as_obj().expect("a set")) {
        d.clear();
    }
    st_update(vm, r, args)
}
