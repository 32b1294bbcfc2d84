//! The built-in iterator types whose names are builtins (map, filter, zip, enumerate,
//! reversed): what calling each makes. They are classes, as in CPython, so isinstance()
//! knows them and a program may subclass them (the instance extends the iterator).

use super::args::{arity, check_keywords, kwarg};
use super::items::length;
use crate::vm::object::{Args, Iter, Object};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

/// The iterator the type `name` makes of `args`, if `name` is one of these types.
pub fn construct(vm: &mut Vm, name: &str, args: Args) -> Option<R> {
    let make: fn(&mut Vm, Option<Value>, Args) -> R = match name {
        "map" => b_map,
        "filter" => b_filter,
        "zip" => b_zip,
        "enumerate" => b_enumerate,
        "reversed" => b_reversed,
        _ => return None,
    };
    Some(make(vm, None, args))
}

pub(super) fn b_reversed(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "reversed", &args, 1, 1)?;
    let v = args.pos[0];
    if let Some(r) = vm.call_special(v, "__reversed__", vec![])? {
        return Ok(r);
    }
    // Sequences only: an iterator cannot be reversed, nor (in 3.7) a dict or its views.
    let reversible = match v.as_obj().map(|r| vm.heap.get(r)) {
        Some(
            Object::List(_)
            | Object::Tuple(_)
            | Object::Str(_)
            | Object::Bytes(_)
            | Object::Range { .. }
            | Object::Deque(_)
            | Object::ByteArray(_)
            | Object::Array(_),
        ) => true,
        Some(Object::Instance(_)) if vm.payload_of(v).is_some() => true,
        Some(Object::Instance(_)) => {
            // The sequence protocol, walked back from len() - 1 as items are asked for.
            let class = vm.type_of(v);
            if vm.class_lookup(class, "__getitem__").is_some() {
                let n = length(vm, v)? as i64;
                let it = Iter::Reversed {
                    seq: v,
                    index: n - 1,
                };
                return Ok(vm.alloc(Object::Iter(it)));
            }
            false
        }
        _ => false,
    };
    if !reversible {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!("'{t}' object is not reversible")));
    }
    // The type CPython's reversed() gives: the sequence's own reverse iterator, or the
    // sequence protocol's.
    let type_name = match v.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::List(_)) => "list_reverseiterator",
        Some(Object::Range { .. }) => "range_iterator",
        _ => "reversed",
    };
    let mut items = vm.collect_iterable(v)?;
    items.reverse();
    Ok(vm.alloc(Object::Iter(Iter::Values {
        items,
        index: 0,
        type_name,
    })))
}

pub(super) fn b_enumerate(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    check_keywords(vm, &args, "enumerate", &["iterable", "start"])?;
    let Some(iterable) = args
        .pos
        .first()
        .copied()
        .or_else(|| kwarg(&args, "iterable"))
    else {
        let message = "enumerate() missing required argument 'iterable' (pos 1)";
        return Err(vm.type_error(message));
    };
    if args.pos.len() > 2 {
        let given = args.pos.len();
        let message = format!("enumerate() takes at most 2 arguments ({given} given)");
        return Err(vm.type_error(&message));
    }
    let inner = vm.get_iter(iterable)?;
    let start = match args.pos.get(1).copied().or_else(|| kwarg(&args, "start")) {
        Some(s) => vm.integer_value(s)?,
        None => Value::Int(0),
    };
    Ok(vm.alloc(Object::Iter(Iter::Enumerate {
        inner,
        count: start,
    })))
}

pub(super) fn b_zip(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    if !args.kw.is_empty() {
        return Err(vm.type_error("zip() takes no keyword arguments"));
    }
    let mut inners = Vec::new();
    for (i, v) in args.pos.into_iter().enumerate() {
        match vm.get_iter(v) {
            Ok(it) => inners.push(it),
            // An __iter__ of the program's that raised: its error, as it is.
            Err(e) if vm.class_lookup(vm.type_of(v), "__iter__").is_some() => return Err(e),
            Err(_) => {
                let n = i + 1;
                return Err(vm.type_error(&format!("zip argument #{n} must support iteration")));
            }
        }
    }
    Ok(vm.alloc(Object::Iter(Iter::Zip { inners })))
}

pub(super) fn b_map(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    if !args.kw.is_empty() {
        return Err(vm.type_error("map() takes no keyword arguments"));
    }
    if args.pos.len() < 2 {
        return Err(vm.type_error("map() must have at least two arguments."));
    }
    let func = args.pos[0];
    let mut inners = Vec::new();
    for v in &args.pos[1..] {
        inners.push(vm.get_iter(*v)?);
    }
    Ok(vm.alloc(Object::Iter(Iter::Map { func, inners })))
}

pub(super) fn b_filter(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "filter", &args, 2, 2)?;
    let inner = vm.get_iter(args.pos[1])?;
    Ok(vm.alloc(Object::Iter(Iter::Filter {
        func: args.pos[0],
        inner,
    })))
}
