//! The methods of list and tuple (append, extend, insert, pop, remove, index, count,
//! sort, reverse, copy, clear) and list.__init__.

use super::args::recv;
use super::sort::sort_values;
use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

fn list_mut(vm: &mut Vm, v: Value) -> &mut Vec<Value> {
    match vm.heap.get_mut(v.as_obj().expect("a list receiver")) {
        Object::List(l) => l,
        _ => unreachable!("list methods are bound to lists"),
    }
}
fn items_of(vm: &Vm, v: Value) -> Vec<Value> {
    vm.tuple_items(v)
}

pub(crate) fn l_append(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    let list = list_mut(vm, recv(r));
    let (len, capacity) = (list.len(), list.capacity());
    vm.check_growth(len, capacity, std::mem::size_of::<Value>() as u64)?;
    list_mut(vm, recv(r)).push(v);
    Ok(Value::None)
}

/// `list.__init__`, `dict.__init__`, `set.__init__` (reached through `super()` from a
/// subclass's `__init__`): the value starts again from the arguments.
pub(crate) fn l_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    list_mut(vm, recv(r)).clear();
    match args.pos.first() {
        Some(_) => l_extend(vm, r, args),
        None => Ok(Value::None),
    }
}

pub(crate) fn l_extend(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let items = vm.collect_iterable(args.pos.first().copied().unwrap_or(Value::None))?;
    let total = (list_mut(vm, recv(r)).len() + items.len()) as u64;
    vm.check_alloc(total, std::mem::size_of::<Value>() as u64)?;
    list_mut(vm, recv(r)).extend(items);
    Ok(Value::None)
}

pub(crate) fn l_insert(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let i = vm.ssize_arg(args.pos.first().copied().unwrap_or(Value::Int(0)))?;
    let v = args.pos.get(1).copied().unwrap_or(Value::None);
    let l = list_mut(vm, recv(r));
    let n = l.len() as i64;
    let i = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
    l.insert(i, v);
    Ok(Value::None)
}

pub(crate) fn l_pop(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let i = match args.pos.first() {
        Some(&i) => vm.ssize_arg(i)?,
        None => -1,
    };
    let l = list_mut(vm, recv(r));
    if l.is_empty() {
        return Err(vm.new_exception("IndexError", "pop from empty list"));
    }
    let n = l.len() as i64;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        return Err(vm.new_exception("IndexError", "pop index out of range"));
    }
    Ok(l.remove(j as usize))
}

fn position(vm: &mut Vm, seq: Value, v: Value) -> PyResult<Option<usize>> {
    let items = items_of(vm, seq);
    for (i, x) in items.into_iter().enumerate() {
        if vm.eq_full(x, v)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

pub(crate) fn l_remove(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    match position(vm, recv(r), v)? {
        Some(i) => {
            list_mut(vm, recv(r)).remove(i);
            Ok(Value::None)
        }
        None => Err(vm.new_exception("ValueError", "list.remove(x): x not in list")),
    }
}

pub(crate) fn seq_index(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    let items = items_of(vm, recv(r));
    let len = items.len() as i64;
    // start and stop as slice bounds: negative from the end, clamped.
    let mut bound = |i: usize, default: i64| -> PyResult<usize> {
        let Some(&b) = args.pos.get(i) else {
            return Ok(default as usize);
        };
        let Some(b) = vm.as_index(b) else {
            return Err(vm.type_error("slice indices must be integers or have an __index__ method"));
        };
        Ok((if b < 0 { b + len } else { b }).clamp(0, len) as usize)
    };
    let (start, stop) = (bound(1, 0)?, bound(2, len)?);
    let mut found = None;
    for (i, x) in items.iter().enumerate().take(stop).skip(start) {
        if vm.eq_full(*x, v)? {
            found = Some(i);
            break;
        }
    }
    match found {
        Some(i) => Ok(Value::Int(i as i64)),
        None => {
            let what = if vm.type_name(recv(r)) == "tuple" {
                "tuple.index(x): x not in tuple"
            } else {
                ""
            };
            if what.is_empty() {
                let rep = vm.repr(v)?;
                Err(vm.new_exception("ValueError", &format!("{rep} is not in list")))
            } else {
                Err(vm.new_exception("ValueError", what))
            }
        }
    }
}

pub(crate) fn seq_count(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    let mut n = 0;
    for x in items_of(vm, recv(r)) {
        if vm.eq_full(x, v)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

pub(crate) fn l_sort(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    crate::objects::args::check_keywords(vm, &args, "sort", &["key", "reverse"])?;
    if !args.pos.is_empty() {
        return Err(vm.type_error("sort() takes no positional arguments"));
    }
    let key = args
        .kw
        .iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| *v)
        .filter(|k| *k != Value::None);
    let reverse = match args.kw.iter().find(|(k, _)| k == "reverse") {
        Some((_, v)) => vm.truthy(*v)?,
        None => false,
    };
    // As CPython, the list is empty while it sorts: a key or comparison that changes it
    // is caught afterwards ("list modified during sort"), and the sorted items stay.
    let mut items = std::mem::take(list_mut(vm, recv(r)));
    let sorted = sort_values(vm, &mut items, key, reverse);
    let modified = !list_mut(vm, recv(r)).is_empty();
    *list_mut(vm, recv(r)) = items;
    sorted?;
    if modified {
        return Err(vm.new_exception("ValueError", "list modified during sort"));
    }
    Ok(Value::None)
}

pub(crate) fn l_reverse(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    list_mut(vm, recv(r)).reverse();
    Ok(Value::None)
}

pub(crate) fn l_copy(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let items = items_of(vm, recv(r));
    Ok(vm.new_list(items))
}

pub(crate) fn l_clear(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    vm.dict_removals += 1;
    match vm.heap.get_mut(recv(r).as_obj().expect("container")) {
        Object::List(l) => l.clear(),
        Object::Dict(d) | Object::Set(d) => d.clear(),
        _ => {}
    }
    Ok(Value::None)
}
