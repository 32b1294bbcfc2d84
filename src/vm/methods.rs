//! Methods of the built-in types (list, dict, set, tuple, range, int, float,
//! generators, exceptions; str and bytes have their own files), the table that finds them,
//! and the read-only attributes learners inspect: gi_frame,
//! f_lasti, gi_code, co_code, __name__, args ...

use super::builtins::{length, sort_values};
use super::frame::Resume;
use super::object::{Args, Arity, Dict, DictPart, GenKind, NativeFn, Object, Owner};
use super::str_methods::*;
use super::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

pub(super) fn recv(r: Option<Value>) -> Value {
    r.expect("methods are always bound to a receiver")
}

fn list_mut(vm: &mut Vm, v: Value) -> &mut Vec<Value> {
    match vm.heap.get_mut(v.as_obj().expect("a list receiver")) {
        Object::List(l) => l,
        _ => unreachable!("list methods are bound to lists"),
    }
}

fn items_of(vm: &Vm, v: Value) -> Vec<Value> {
    vm.tuple_items(v)
}

// ---------------------------------------------------------------- list and tuple

fn l_append(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    list_mut(vm, recv(r)).push(v);
    Ok(Value::None)
}

/// `list.__init__`, `dict.__init__`, `set.__init__` (reached through `super()` from a
/// subclass's `__init__`): the value starts again from the arguments.
fn l_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    list_mut(vm, recv(r)).clear();
    match args.pos.first() {
        Some(_) => l_extend(vm, r, args),
        None => Ok(Value::None),
    }
}

fn d_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    vm.dict_removals += 1;
    if let Object::Dict(d) = vm.heap.get_mut(recv(r).as_obj().expect("a dict")) {
        d.clear();
    }
    d_update(vm, r, args)
}

fn st_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    if let Object::Set(d) = vm.heap.get_mut(recv(r).as_obj().expect("a set")) {
        d.clear();
    }
    st_update(vm, r, args)
}

fn l_extend(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let items = vm.collect_iterable(args.pos.first().copied().unwrap_or(Value::None))?;
    list_mut(vm, recv(r)).extend(items);
    Ok(Value::None)
}

fn l_insert(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let i = args.pos.first().and_then(|i| vm.as_index(*i)).unwrap_or(0);
    let v = args.pos.get(1).copied().unwrap_or(Value::None);
    let l = list_mut(vm, recv(r));
    let n = l.len() as i64;
    let i = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
    l.insert(i, v);
    Ok(Value::None)
}

fn l_pop(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let i = args.pos.first().and_then(|i| vm.as_index(*i)).unwrap_or(-1);
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

fn l_remove(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    match position(vm, recv(r), v)? {
        Some(i) => {
            list_mut(vm, recv(r)).remove(i);
            Ok(Value::None)
        }
        None => Err(vm.new_exception("ValueError", "list.remove(x): x not in list")),
    }
}

fn seq_index(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
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

fn seq_count(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    let mut n = 0;
    for x in items_of(vm, recv(r)) {
        if vm.eq_full(x, v)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn l_sort(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    super::builtins::check_keywords(vm, &args, "sort", &["key", "reverse"])?;
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
    let mut items = items_of(vm, recv(r));
    sort_values(vm, &mut items, key, reverse)?;
    *list_mut(vm, recv(r)) = items;
    Ok(Value::None)
}

fn l_reverse(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    list_mut(vm, recv(r)).reverse();
    Ok(Value::None)
}

fn l_copy(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let items = items_of(vm, recv(r));
    Ok(vm.new_list(items))
}

fn l_clear(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    vm.dict_removals += 1;
    match vm.heap.get_mut(recv(r).as_obj().expect("container")) {
        Object::List(l) => l.clear(),
        Object::Dict(d) | Object::Set(d) => d.clear(),
        _ => {}
    }
    Ok(Value::None)
}

// ---------------------------------------------------------------- dict

fn dict_ref(vm: &Vm, r: Option<Value>) -> &Dict {
    match vm.heap.get(recv(r).as_obj().expect("a dict receiver")) {
        Object::Dict(d) | Object::Set(d) | Object::FrozenSet(d) => d,
        _ => unreachable!("dict methods are bound to dicts"),
    }
}

fn d_get(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let k = vm.dict_key(args.pos.first().copied().unwrap_or(Value::None))?;
    let default = args.pos.get(1).copied().unwrap_or(Value::None);
    Ok(dict_ref(vm, r).get(&k).map_or(default, |(_, v)| *v))
}

/// `d.keys()`, `d.values()`, `d.items()`: a live view of the receiver.
fn dict_view(vm: &mut Vm, r: Option<Value>, part: DictPart) -> Value {
    let dict = recv(r).as_obj().expect("a dict receiver");
    vm.alloc(Object::DictView { dict, part })
}

fn d_keys(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(dict_view(vm, r, DictPart::Keys))
}

fn d_values(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(dict_view(vm, r, DictPart::Values))
}

fn d_items(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(dict_view(vm, r, DictPart::Items))
}

fn d_pop(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    vm.dict_removals += 1;
    let key = args.pos.first().copied().unwrap_or(Value::None);
    let k = vm.dict_key(key)?;
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

fn d_popitem(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
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

fn d_setdefault(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let key = args.pos.first().copied().unwrap_or(Value::None);
    let default = args.pos.get(1).copied().unwrap_or(Value::None);
    let k = vm.dict_key(key)?;
    if let Some((_, v)) = dict_ref(vm, r).get(&k) {
        return Ok(*v);
    }
    vm.setitem(recv(r), key, default)?;
    Ok(default)
}

fn d_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    if let Some(v) = args.pos.first() {
        let d = vm.new_dict();
        let t = Value::Obj(vm.types["dict"]);
        let built = vm.call(t, Args::new(vec![*v]))?;
        let _ = d;
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

fn d_copy(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let d = dict_ref(vm, r).clone();
    let obj = match vm.heap.get(recv(r).as_obj().expect("container")) {
        Object::Set(_) => Object::Set(d),
        Object::FrozenSet(_) => Object::FrozenSet(d),
        _ => Object::Dict(d),
    };
    Ok(vm.alloc(obj))
}

fn d_fromkeys(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let keys = vm.collect_iterable(args.pos.first().copied().unwrap_or(Value::None))?;
    let value = args.pos.get(1).copied().unwrap_or(Value::None);
    let d = vm.new_dict();
    for k in keys {
        vm.setitem(d, k, value)?;
    }
    Ok(d)
}

// ---------------------------------------------------------------- set

fn set_mut(vm: &mut Vm, r: Option<Value>) -> &mut Dict {
    match vm.heap.get_mut(recv(r).as_obj().expect("a set receiver")) {
        Object::Set(d) => d,
        _ => unreachable!("set methods are bound to sets"),
    }
}

fn st_add(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    vm.set_add(recv(r), args.pos.first().copied().unwrap_or(Value::None))?;
    Ok(Value::None)
}

fn st_remove(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    let k = vm.dict_key(v)?;
    if set_mut(vm, r).shift_remove(&k).is_none() {
        return Err(vm.new_exception_args("KeyError", vec![v]));
    }
    Ok(Value::None)
}

fn st_discard(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let k = vm.dict_key(args.pos.first().copied().unwrap_or(Value::None))?;
    set_mut(vm, r).shift_remove(&k);
    Ok(Value::None)
}

fn st_pop(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
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

fn st_union(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op(vm, r, args, crate::bytecode::Opcode::BINARY_OR)
}
fn st_intersection(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op(vm, r, args, crate::bytecode::Opcode::BINARY_AND)
}
fn st_difference(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op(vm, r, args, crate::bytecode::Opcode::BINARY_SUBTRACT)
}
fn st_symmetric_difference(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
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
fn st_intersection_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op_update(vm, r, args, crate::bytecode::Opcode::BINARY_AND)
}
fn st_difference_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op_update(vm, r, args, crate::bytecode::Opcode::BINARY_SUBTRACT)
}
fn st_symmetric_difference_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    set_op_update(vm, r, args, crate::bytecode::Opcode::BINARY_XOR)
}

fn st_update(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
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

fn st_issubset(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let other = args.pos.first().copied().unwrap_or(Value::None);
    let other = {
        let items = vm.collect_iterable(other)?;
        vm.new_set(items)?
    };
    subset(vm, recv(r), other).map(Value::Bool)
}
fn st_issuperset(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let other = args.pos.first().copied().unwrap_or(Value::None);
    subset(vm, other, recv(r)).map(Value::Bool)
}
fn st_isdisjoint(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let other = args.pos.first().copied().unwrap_or(Value::None);
    for v in vm.collect_iterable(other)? {
        if vm.contains(recv(r), v)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

// ---------------------------------------------------------------- numbers

fn i_bit_length(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let i = vm.as_bigint(recv(r)).unwrap_or_default();
    Ok(Value::Int(i.bits() as i64))
}

fn f_is_integer(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(Value::Bool(
        vm.to_f64(recv(r)).is_some_and(|f| f.fract() == 0.0),
    ))
}

// ---------------------------------------------------------------- generators

fn g_send(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let g = recv(r).as_obj().expect("generator");
    if args.pos.len() != 1 {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("send() takes exactly one argument ({n} given)")));
    }
    let sent = args.pos[0];
    match vm.gen_send(g, sent)? {
        Some(v) => Ok(v),
        None => Err(vm.stop_iteration()),
    }
}

fn g_next(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    g_send(vm, r, Args::new(vec![Value::None]))
}

/// `coroutine.__await__()`: the iterator `await` drives, which for minipy's coroutines is
/// the coroutine itself (a hand-written Task can return `self.coro.__await__()`).
fn co_await(_: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(recv(r))
}

/// Raises `exc` inside a suspended generator at its yield.
fn g_throw(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let g = recv(r).as_obj().expect("generator");
    let typ = args.pos.first().copied().unwrap_or(Value::None);
    if args.pos.get(2).is_some_and(|tb| *tb != Value::None) {
        return Err(vm.type_error("throw() third argument must be a traceback object"));
    }
    let is_class = matches!(typ.as_obj().map(|t| vm.heap.get(t)), Some(Object::Class(_)));
    // As CPython: throw(Type, value) makes Type(value) unless value already is a Type
    // (a tuple gives the arguments); throw(instance, value) is refused.
    let exc = match args.pos.get(1).copied().filter(|v| *v != Value::None) {
        Some(v) if is_class => {
            let typ_ref = typ.as_obj().expect("a class");
            if vm.is_subclass(vm.type_of(v), typ_ref) {
                v
            } else if matches!(v.as_obj().map(|o| vm.heap.get(o)), Some(Object::Tuple(_))) {
                let items = vm.tuple_items(v);
                vm.call(typ, Args::new(items))?
            } else {
                vm.call(typ, Args::new(vec![v]))?
            }
        }
        Some(_) if vm.exception_is(typ, "BaseException") => {
            return Err(vm.type_error("instance exception may not have a separate value"));
        }
        _ if is_class || vm.exception_is(typ, "BaseException") => vm.make_exception(typ)?,
        _ => {
            let t = vm.type_name(typ);
            return Err(vm.type_error(&format!(
                "exceptions must be classes or instances deriving from BaseException, not {t}"
            )));
        }
    };
    throw_into(vm, g, exc)
}

fn throw_into(vm: &mut Vm, g: ObjRef, exc: Value) -> R {
    let frame = match vm.heap.get_mut(g) {
        Object::Generator(gn) => {
            if gn.frame.as_ref().is_none_or(|f| f.lasti < 0) {
                // Not started or finished: the exception is raised without running the body.
                gn.frame = None;
                return Err(exc);
            }
            gn.running = true;
            gn.frame.take()
        }
        _ => None,
    };
    let Some(mut frame) = frame else {
        return Err(exc);
    };
    // Suspended in `yield from`: the exception goes to the subgenerator first.
    let delegating =
        frame.code().co_code.get(frame.pc) == Some(&(crate::bytecode::Opcode::YIELD_FROM as u8));
    if delegating && let Some(inner) = frame.stack.last().and_then(|v| vm.as_generator(*v)) {
        let outcome = throw_into(vm, inner, exc);
        match outcome {
            Ok(v) => {
                // The subgenerator yielded: the delegating frame stays suspended.
                if let Object::Generator(gn) = vm.heap.get_mut(g) {
                    gn.running = false;
                    gn.frame = Some(frame);
                }
                return Ok(v);
            }
            Err(e) if vm.exception_is(e, "StopIteration") => {
                // The subgenerator returned: `yield from` evaluates to its value.
                let value = vm.getattr(e, "value")?;
                frame.stack.pop();
                frame.lasti = frame.pc as i64;
                frame.pc += 2;
                if let Object::Generator(gn) = vm.heap.get_mut(g) {
                    gn.running = false;
                    gn.frame = Some(frame);
                }
                return match vm.gen_send(g, value)? {
                    Some(v) => Ok(v),
                    None => Err(vm.stop_iteration()),
                };
            }
            Err(e) => {
                frame.resume = Resume::Native;
                vm.enter_generator_exc(g);
                return match vm.throw_frame(frame, e)? {
                    Some(v) => Ok(v),
                    None => Err(vm.stop_iteration()),
                };
            }
        }
    }
    frame.resume = Resume::Native;
    vm.enter_generator_exc(g);
    match vm.throw_frame(frame, exc)? {
        Some(v) => Ok(v),
        None => Err(vm.stop_iteration()),
    }
}

fn g_close(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let g = recv(r).as_obj().expect("generator");
    let started = matches!(vm.heap.get(g), Object::Generator(gn) if gn.frame.as_ref().is_some_and(|f| f.lasti >= 0));
    if !started {
        if let Object::Generator(gn) = vm.heap.get_mut(g) {
            gn.frame = None;
        }
        return Ok(Value::None);
    }
    let exit = vm.new_exception("GeneratorExit", "");
    match throw_into(vm, g, exit) {
        Ok(_) => Err(vm.new_exception("RuntimeError", "generator ignored GeneratorExit")),
        Err(e) if vm.exception_is(e, "GeneratorExit") || vm.exception_is(e, "StopIteration") => {
            Ok(Value::None)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- object and exceptions

fn o_init(_: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::None)
}

fn e_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let t = vm.new_tuple(args.pos);
    vm.set_instance_attr(recv(r), "args", t);
    Ok(Value::None)
}

fn e_with_traceback(_: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(recv(r))
}

/// `object.__repr__` (and a built-in value's own `__repr__`): never the class's override,
/// so `super().__repr__()` inside one works.
fn o_repr(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let s = vm.instance_repr(recv(r))?;
    Ok(vm.new_str(s))
}

/// `object.__str__`, `BaseException.__str__` (and a built-in value's own `__str__`).
fn o_str(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let v = recv(r);
    let s = if matches!(
        v.as_obj().map(|o| vm.heap.get(o)),
        Some(Object::Instance(_))
    ) {
        vm.instance_str(v)?
    } else {
        vm.str(v)?
    };
    Ok(vm.new_str(s))
}

fn o_eq(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let other = args.pos.first().copied().unwrap_or(Value::None);
    if recv(r).is(other) {
        return Ok(Value::Bool(true));
    }
    Ok(vm
        .dict_get_str(vm.builtins, "NotImplemented")
        .unwrap_or(Value::None))
}

fn o_hash(_: &mut Vm, r: Option<Value>, _: Args) -> R {
    // CPython hashes a plain object by its address shifted right by 4.
    let id = recv(r)
        .as_obj()
        .map_or(0, |o| 0x7f00_0010_0000i64 + i64::from(o.0) * 0x30);
    Ok(Value::Int(id >> 4))
}

/// object.__getattribute__(obj, name): the lookup a `__getattr__` falls back from.
fn o_getattribute(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let all: Vec<Value> = r.into_iter().chain(args.pos).collect();
    let [obj, name] = all.as_slice() else {
        return Err(vm.type_error(&format!("expected 2 arguments, got {}", all.len())));
    };
    let Some(n) = vm.str_of(*name).map(str::to_string) else {
        let t = vm.type_name(*name);
        return Err(vm.type_error(&format!("attribute name must be string, not '{t}'")));
    };
    vm.getattribute(*obj, &n)
}

/// object.__setattr__(obj, name, value): straight into the instance `__dict__` (what a
/// `__setattr__` written in Python calls to store).
fn o_setattr(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    // Called through the class, the instance arrives as the receiver.
    let all: Vec<Value> = r.into_iter().chain(args.pos).collect();
    let [obj, name, value] = all.as_slice() else {
        return Err(vm.type_error(&format!("expected 3 arguments, got {}", all.len())));
    };
    let Some(n) = vm.str_of(*name).map(str::to_string) else {
        let t = vm.type_name(*name);
        return Err(vm.type_error(&format!("attribute name must be string, not '{t}'")));
    };
    vm.set_instance_attr(*obj, &n, *value);
    Ok(Value::None)
}

/// `object.__new__(cls, ...)`: a new instance of `cls`; for a subclass of a built-in type,
/// carrying the value made from the other arguments (`int.__new__(cls, 5)`).
/// `type.__call__(cls, ...)`: what calling a class does, for a metaclass's `__call__`
/// (`super().__call__(*args)`).
fn type_call(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let Some(class) = recv(r)
        .as_obj()
        .filter(|c| matches!(vm.heap.get(*c), Object::Class(_)))
    else {
        return Err(vm.type_error("descriptor '__call__' requires a 'type' object"));
    };
    match vm.instantiate(class, args)? {
        super::Call::Done(v) => Ok(v),
        super::Call::Frame(mut frame) => {
            let replace = match frame.resume {
                super::frame::Resume::Replace(instance) => Some(instance),
                _ => None,
            };
            frame.resume = super::frame::Resume::Native;
            let result = vm.run_frame(frame)?;
            Ok(replace.unwrap_or(result))
        }
    }
}

fn o_new(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let cls = recv(r);
    let Some(class) = cls
        .as_obj()
        .filter(|c| matches!(vm.heap.get(*c), Object::Class(_)))
    else {
        let t = vm.type_name(cls);
        return Err(vm.type_error(&format!("object.__new__(X): X is not a type object ({t})")));
    };
    if let Object::Class(c) = vm.heap.get(class)
        && let Some(b) = c.builtin
        && vm.types.get(b) == Some(&class)
        && b != "object"
    {
        // int.__new__(int, 5) is just int(5).
        return super::builtins::construct(vm, class, args);
    }
    // type.__new__(meta, name, bases, namespace), from a metaclass's own __new__.
    if let Object::Class(c) = vm.heap.get(class)
        && c.builtin == Some("type")
    {
        return vm.class_from_args(Some(class), &args.pos).map(Value::Obj);
    }
    let instance = vm.new_instance(class);
    let extends = match vm.heap.get(class) {
        Object::Class(c) => c
            .builtin
            .filter(|b| super::attrs::EXTENSIBLE.contains(b) && vm.types.get(*b) != Some(&class)),
        _ => None,
    };
    if extends.is_some() {
        let payload = super::builtins::construct(vm, class, args)?;
        if let Object::Instance(inst) = vm.heap.get_mut(instance.as_obj().expect("an instance")) {
            inst.payload = Some(payload);
        }
    }
    Ok(instance)
}

fn o_delattr(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let all: Vec<Value> = r.into_iter().chain(args.pos).collect();
    let [obj, name] = all.as_slice() else {
        return Err(vm.type_error(&format!("expected 2 arguments, got {}", all.len())));
    };
    let Some(n) = vm.str_of(*name).map(str::to_string) else {
        let t = vm.type_name(*name);
        return Err(vm.type_error(&format!("attribute name must be string, not '{t}'")));
    };
    vm.delattr_default(*obj, &n)?;
    Ok(Value::None)
}

fn len_method(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    length(vm, recv(r)).map(|n| Value::Int(n as i64))
}

fn contains_method(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let item = args.pos.first().copied().unwrap_or(Value::None);
    vm.contains(recv(r), item).map(Value::Bool)
}

fn getitem_method(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let item = args.pos.first().copied().unwrap_or(Value::None);
    vm.getitem(recv(r), item)
}

fn iter_method(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    vm.get_iter(recv(r))
}

fn next_method(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    match vm.iter_next(recv(r))? {
        Some(v) => Ok(v),
        None => Err(vm.new_exception_args("StopIteration", vec![])),
    }
}

fn r_index(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    if let Object::Range { start, stop, step } = vm.heap.get(recv(r).as_obj().expect("range")) {
        let (start, stop, step) = (*start, *stop, *step);
        if let Some(i) = vm.as_index(v)
            && vm.contains(recv(r), v)?
        {
            let _ = stop;
            return Ok(Value::Int((i - start) / step));
        }
    }
    let rep = vm.repr(v)?;
    Err(vm.new_exception("ValueError", &format!("{rep} is not in range")))
}

fn r_count(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    Ok(Value::Int(i64::from(vm.contains(recv(r), v)?)))
}

fn sl_indices(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let n = args.pos.first().and_then(|v| vm.as_index(*v)).unwrap_or(0);
    let (a, b, c) = vm.slice_indices(recv(r), n)?;
    Ok(vm.new_tuple(vec![Value::Int(a), Value::Int(b), Value::Int(c)]))
}

/// The native method `name` of a built-in class (or of one a user class derives from).
pub fn builtin_method(vm: &mut Vm, class: ObjRef, name: &str) -> Option<Value> {
    let mro = vm.mro_of(class);
    for c in mro {
        let tag = match vm.heap.get(c) {
            Object::Class(k) => match k.builtin {
                Some(t) => t,
                None => continue,
            },
            _ => continue,
        };
        let f: Option<(&'static str, NativeFn)> = match (tag, name) {
            ("str", "split") => Some(("split", s_split)),
            ("str", "rsplit") => Some(("rsplit", s_rsplit)),
            ("str", "splitlines") => Some(("splitlines", s_splitlines)),
            ("str", "join") => Some(("join", s_join)),
            ("str", "strip") => Some(("strip", s_strip)),
            ("str", "lstrip") => Some(("lstrip", s_lstrip)),
            ("str", "rstrip") => Some(("rstrip", s_rstrip)),
            ("str", "replace") => Some(("replace", s_replace)),
            ("str", "find") => Some(("find", s_find)),
            ("str", "rfind") => Some(("rfind", s_rfind)),
            ("str", "index") => Some(("index", s_index)),
            ("str", "rindex") => Some(("rindex", s_rindex)),
            ("str", "count") => Some(("count", s_count)),
            ("str", "startswith") => Some(("startswith", s_startswith)),
            ("str", "endswith") => Some(("endswith", s_endswith)),
            ("str", "upper") => Some(("upper", s_upper)),
            ("str", "lower") => Some(("lower", s_lower)),
            ("str", "swapcase") => Some(("swapcase", s_swapcase)),
            ("str", "title") => Some(("title", s_title)),
            ("str", "capitalize") => Some(("capitalize", s_capitalize)),
            ("str", "isdigit") => Some(("isdigit", s_isdigit)),
            ("str", "isdecimal") => Some(("isdecimal", s_isdecimal)),
            ("str", "isnumeric") => Some(("isnumeric", s_isnumeric)),
            ("str", "isascii") => Some(("isascii", s_isascii)),
            ("str", "isprintable") => Some(("isprintable", s_isprintable)),
            ("str", "format_map") => Some(("format_map", s_format_map)),
            ("str", "maketrans") => Some(("maketrans", s_maketrans)),
            ("str", "translate") => Some(("translate", s_translate)),
            ("str", "isalpha") => Some(("isalpha", s_isalpha)),
            ("str", "isalnum") => Some(("isalnum", s_isalnum)),
            ("str", "isspace") => Some(("isspace", s_isspace)),
            ("str", "isupper") => Some(("isupper", s_isupper)),
            ("str", "islower") => Some(("islower", s_islower)),
            ("str", "isidentifier") => Some(("isidentifier", s_isidentifier)),
            ("str", "ljust") => Some(("ljust", s_ljust)),
            ("str", "rjust") => Some(("rjust", s_rjust)),
            ("str", "center") => Some(("center", s_center)),
            ("str", "zfill") => Some(("zfill", s_zfill)),
            ("str", "partition") => Some(("partition", s_partition)),
            ("str", "rpartition") => Some(("rpartition", s_rpartition)),
            ("str", "format") => Some(("format", s_format)),
            ("str", "encode") => Some(("encode", s_encode)),
            ("bytes", name) => super::bytes_methods::lookup(name),
            ("range", "index") => Some(("index", r_index)),
            ("range", "count") => Some(("count", r_count)),
            ("slice", "indices") => Some(("indices", sl_indices)),
            ("str", "istitle") => Some(("istitle", s_istitle)),
            ("str", "casefold") => Some(("casefold", s_casefold)),
            ("str", "expandtabs") => Some(("expandtabs", s_expandtabs)),
            ("list", "append") => Some(("append", l_append)),
            ("list", "extend") => Some(("extend", l_extend)),
            ("list", "insert") => Some(("insert", l_insert)),
            ("list", "pop") => Some(("pop", l_pop)),
            ("list", "remove") => Some(("remove", l_remove)),
            ("list", "sort") => Some(("sort", l_sort)),
            ("list", "reverse") => Some(("reverse", l_reverse)),
            ("list", "copy") => Some(("copy", l_copy)),
            ("list" | "dict" | "set", "clear") => Some(("clear", l_clear)),
            ("list" | "tuple", "index") => Some(("index", seq_index)),
            ("list" | "tuple", "count") => Some(("count", seq_count)),
            ("dict", "get") => Some(("get", d_get)),
            ("dict", "keys") => Some(("keys", d_keys)),
            ("dict", "values") => Some(("values", d_values)),
            ("dict", "items") => Some(("items", d_items)),
            ("dict", "pop") => Some(("pop", d_pop)),
            ("dict", "popitem") => Some(("popitem", d_popitem)),
            ("dict", "setdefault") => Some(("setdefault", d_setdefault)),
            ("dict", "update") => Some(("update", d_update)),
            ("list", "__init__") => Some(("__init__", l_init)),
            ("dict", "__init__") => Some(("__init__", d_init)),
            ("set", "__init__") => Some(("__init__", st_init)),
            ("dict" | "set" | "frozenset", "copy") => Some(("copy", d_copy)),
            ("dict", "fromkeys") => Some(("fromkeys", d_fromkeys)),
            ("set", "add") => Some(("add", st_add)),
            ("set", "remove") => Some(("remove", st_remove)),
            ("set", "discard") => Some(("discard", st_discard)),
            ("set", "pop") => Some(("pop", st_pop)),
            ("set", "update") => Some(("update", st_update)),
            ("set", "intersection_update") => Some(("intersection_update", st_intersection_update)),
            ("set", "difference_update") => Some(("difference_update", st_difference_update)),
            ("set", "symmetric_difference_update") => Some((
                "symmetric_difference_update",
                st_symmetric_difference_update,
            )),
            ("set" | "frozenset", "union") => Some(("union", st_union)),
            ("set" | "frozenset", "intersection") => Some(("intersection", st_intersection)),
            ("set" | "frozenset", "difference") => Some(("difference", st_difference)),
            ("set" | "frozenset", "symmetric_difference") => {
                Some(("symmetric_difference", st_symmetric_difference))
            }
            ("set" | "frozenset", "issubset") => Some(("issubset", st_issubset)),
            ("set" | "frozenset", "issuperset") => Some(("issuperset", st_issuperset)),
            ("set" | "frozenset", "isdisjoint") => Some(("isdisjoint", st_isdisjoint)),
            ("int" | "bool", "bit_length") => Some(("bit_length", i_bit_length)),
            ("float", "is_integer") => Some(("is_integer", f_is_integer)),
            ("generator" | "coroutine", "send") => Some(("send", g_send)),
            ("coroutine", "__await__") => Some(("__await__", co_await)),
            ("generator", "__next__") => Some(("__next__", g_next)),
            ("generator" | "coroutine", "throw") => Some(("throw", g_throw)),
            ("generator" | "coroutine", "close") => Some(("close", g_close)),
            ("BaseException", "__init__") => Some(("__init__", e_init)),
            ("BaseException", "with_traceback") => Some(("with_traceback", e_with_traceback)),
            (_, "__len__")
                if matches!(
                    tag,
                    "str" | "list" | "tuple" | "dict" | "set" | "frozenset" | "bytes" | "range"
                ) =>
            {
                Some(("__len__", len_method))
            }
            (_, "__contains__")
                if matches!(
                    tag,
                    "str" | "list" | "tuple" | "dict" | "set" | "frozenset" | "range"
                ) =>
            {
                Some(("__contains__", contains_method))
            }
            (_, "__getitem__")
                if matches!(tag, "str" | "list" | "tuple" | "dict" | "range" | "bytes") =>
            {
                Some(("__getitem__", getitem_method))
            }
            (_, "__iter__")
                if matches!(
                    tag,
                    "str" | "list" | "tuple" | "dict" | "set" | "frozenset" | "range" | "generator"
                ) =>
            {
                Some(("__iter__", iter_method))
            }
            (_, "__next__")
                if tag.ends_with("iterator")
                    || matches!(tag, "enumerate" | "zip" | "map" | "filter") =>
            {
                Some(("__next__", next_method))
            }
            ("lock" | "RLock", "acquire") => Some(("acquire", super::threads::l_acquire)),
            ("lock" | "RLock", "release") => Some(("release", super::threads::l_release)),
            ("lock", "locked") => Some(("locked", super::threads::l_locked)),
            ("RLock", "_release_save") => Some(("_release_save", super::threads::l_release_save)),
            ("RLock", "_acquire_restore") => {
                Some(("_acquire_restore", super::threads::l_acquire_restore))
            }
            ("RLock", "_is_owned") => Some(("_is_owned", super::threads::l_is_owned)),
            ("lock" | "RLock", "__enter__") => Some(("__enter__", super::threads::l_enter)),
            ("lock" | "RLock", "__exit__") => Some(("__exit__", super::threads::l_exit)),
            ("object", "__init__") => Some(("__init__", o_init)),
            ("object", "__repr__") => Some(("__repr__", o_repr)),
            ("object", "__str__") => Some(("__str__", o_str)),
            ("object", "__eq__") => Some(("__eq__", o_eq)),
            ("object", "__hash__") => Some(("__hash__", o_hash)),
            ("object", "__setattr__") => Some(("__setattr__", o_setattr)),
            ("object", "__delattr__") => Some(("__delattr__", o_delattr)),
            ("object", "__init_subclass__") => Some(("__init_subclass__", o_init)),
            (_, "__new__") => Some(("__new__", o_new)),
            ("type", "__call__") => Some(("__call__", type_call)),
            ("object", "__getattribute__") => Some(("__getattribute__", o_getattribute)),
            _ => None,
        };
        if let Some((n, func)) = f {
            if let Some(&made) = vm.builtin_methods.get(&(tag, n)) {
                return Some(made);
            }
            let method = vm.native(n, func);
            vm.builtin_methods.insert((tag, n), method);
            if let Value::Obj(m) = method
                && let Object::Native(native) = vm.heap.get_mut(m)
            {
                native.is_method = !matches!(n, "fromkeys" | "fromhex" | "maketrans");
                native.arity = method_arity(tag, n);
                // __new__ takes the class, not a value of the type, first.
                native.owner = Owner::of(tag).filter(|_| n != "__new__");
            }
            return Some(method);
        }
    }
    None
}

/// The positional arguments the everyday methods of lists, tuples, dicts, sets and strs
/// take, as CPython 3.11 checks them; the rest check their own or take any number.
fn method_arity(tag: &'static str, name: &str) -> Arity {
    let Some(owner) = Owner::of(tag) else {
        return Arity::Any;
    };
    match (tag, name) {
        (
            _,
            "reverse" | "copy" | "clear" | "keys" | "values" | "items" | "popitem" | "upper"
            | "lower" | "swapcase" | "title" | "capitalize" | "casefold" | "isdigit" | "isdecimal"
            | "isnumeric" | "isalpha" | "isalnum" | "isspace" | "isupper" | "islower"
            | "isidentifier" | "istitle",
        ) => Arity::NoArgs(owner),
        ("set", "pop") => Arity::NoArgs(owner),
        (
            _,
            "append"
            | "extend"
            | "remove"
            | "add"
            | "discard"
            | "issubset"
            | "issuperset"
            | "isdisjoint"
            | "symmetric_difference"
            | "join"
            | "zfill"
            | "partition"
            | "rpartition",
        ) => Arity::One(owner),
        ("list" | "tuple", "count") => Arity::One(owner),
        ("list", "insert") => Arity::Range(owner, 2, 2),
        ("list", "pop") => Arity::Range(owner, 0, 1),
        ("list" | "tuple", "index") => Arity::Range(owner, 1, 3),
        ("dict", "get" | "pop" | "setdefault") => Arity::Range(owner, 1, 2),
        ("str", "strip" | "lstrip" | "rstrip") => Arity::Range(owner, 0, 1),
        ("str", "replace") => Arity::Range(owner, 2, 3),
        ("str", "ljust" | "rjust" | "center") => Arity::Range(owner, 1, 2),
        ("str", "find" | "rfind" | "index" | "rindex" | "count" | "startswith" | "endswith") => {
            Arity::Parsed(owner, 1, 3)
        }
        _ => Arity::Any,
    }
}

/// Attributes of class objects beyond their dicts (`dict.fromkeys`, `int.__name__` ...).
pub fn type_attr(vm: &mut Vm, class: ObjRef, name: &str) -> Option<Value> {
    builtin_method(vm, class, name)
}

/// Data attributes of built-in objects.
pub fn special_attr(vm: &mut Vm, obj: Value, name: &str) -> PyResult<Option<Value>> {
    if name == "__class__" {
        return Ok(Some(Value::Obj(vm.type_of(obj))));
    }
    let Value::Obj(r) = obj else {
        return Ok(match (obj, name) {
            (Value::Int(_) | Value::Bool(_), "real" | "numerator") => Some(obj),
            (Value::Int(_) | Value::Bool(_), "imag") => Some(Value::Int(0)),
            (Value::Int(_) | Value::Bool(_), "denominator") => Some(Value::Int(1)),
            (Value::Float(_), "real") => Some(obj),
            (Value::Float(_), "imag") => Some(Value::Float(0.0)),
            _ => None,
        });
    };
    if let (Object::Function(f), "__name__" | "__doc__" | "__module__") = (vm.heap.get(r), name)
        && let Some(v) = f.dict.get(name)
    {
        // Set by the program (a decorator copying them from the function it wraps).
        return Ok(Some(*v));
    }
    let v = match (vm.heap.get(r), name) {
        (Object::Function(f), "__name__") => {
            let n = f.code.co_name.clone();
            vm.new_str(n)
        }
        (Object::Function(f), "__qualname__") => {
            let n = f.qualname.clone();
            vm.new_str(n)
        }
        (Object::Function(f), "__code__") => {
            let c = f.code.clone();
            vm.alloc(Object::Code(c))
        }
        (Object::Function(f), "__defaults__") => {
            let d = f.defaults.clone();
            if d.is_empty() {
                Value::None
            } else {
                vm.new_tuple(d)
            }
        }
        (Object::Function(f), "__doc__") => match f.code.co_consts.first() {
            Some(crate::bytecode::ConstValue::Str(s)) => {
                let s = s.clone();
                vm.new_str(s)
            }
            _ => Value::None,
        },
        (Object::Function(f), "__module__") => {
            let _ = f;
            vm.new_str("__main__")
        }
        (Object::Function(f), "__closure__") => {
            let cells: Vec<Value> = f.closure.iter().map(|c| Value::Obj(*c)).collect();
            if cells.is_empty() {
                Value::None
            } else {
                vm.new_tuple(cells)
            }
        }
        (Object::Function(f), "__kwdefaults__") => {
            let kw = f.kwdefaults.clone();
            if kw.is_empty() {
                Value::None
            } else {
                let d = vm.new_dict();
                for (k, v) in kw {
                    let key = vm.new_str(k);
                    vm.setitem(d, key, v)?;
                }
                d
            }
        }
        (Object::Function(f), "__dict__") => {
            let items: Vec<(String, Value)> = f.dict.iter().map(|(k, v)| (k.clone(), *v)).collect();
            let d = vm.new_dict();
            for (k, v) in items {
                let key = vm.new_str(k);
                vm.setitem(d, key, v)?;
            }
            d
        }
        (Object::Cell(v), "cell_contents") => match v {
            Some(v) => *v,
            None => return Err(vm.new_exception("ValueError", "Cell is empty")),
        },
        (Object::Function(f), attr) if f.dict.contains_key(attr) => f.dict[attr],
        (Object::Native(n), "__name__") => {
            let n = n.name;
            vm.new_str(n)
        }
        (Object::BoundMethod { func, .. }, "__func__") => *func,
        (Object::BoundMethod { receiver, .. }, "__self__") => *receiver,
        (Object::BoundMethod { func, .. }, "__name__") => {
            let func = *func;
            return vm.getattr_opt(func, "__name__");
        }
        (Object::Generator(g), "gi_frame" | "cr_frame") => {
            if g.frame.is_none() {
                Value::None
            } else {
                let frame = vm.new_frame_view(r);
                return Ok(Some(frame));
            }
        }
        (Object::Generator(g), "gi_running" | "cr_running") => Value::Bool(g.running),
        (Object::Generator(g), "gi_code" | "cr_code") => {
            let c = g.code.clone();
            vm.alloc(Object::Code(c))
        }
        (Object::Generator(g), "__name__") => {
            let n = g.name.clone();
            vm.new_str(n)
        }
        (Object::Generator(g), "__qualname__") => {
            let n = g.qualname.clone();
            vm.new_str(n)
        }
        (Object::Code(c), attr) => {
            let c = c.clone();
            return Ok(code_attr(vm, &c, attr));
        }
        (Object::Range { start, .. }, "start") => Value::Int(*start),
        (Object::Range { stop, .. }, "stop") => Value::Int(*stop),
        (Object::Range { step, .. }, "step") => Value::Int(*step),
        (Object::Slice { start, .. }, "start") => *start,
        (Object::Slice { stop, .. }, "stop") => *stop,
        (Object::Slice { step, .. }, "step") => *step,
        (Object::Module { name: m, .. }, "__name__") => {
            let m = m.clone();
            vm.new_str(m)
        }
        (Object::BigInt(_), "real" | "numerator") => obj,
        (Object::Property { fget, .. }, "fget") => *fget,
        (Object::Property { .. }, which @ ("setter" | "deleter")) => {
            let func: NativeFn = if which == "setter" {
                property_setter
            } else {
                property_deleter
            };
            let name: &'static str = if which == "setter" {
                "setter"
            } else {
                "deleter"
            };
            let native = vm.native(name, func);
            if let Value::Obj(n) = native
                && let Object::Native(n) = vm.heap.get_mut(n)
            {
                n.receiver = Some(obj);
            }
            return Ok(Some(native));
        }
        (Object::Property { .. }, "getter") => obj,
        (Object::Property { doc, .. }, "__doc__") if *doc != Value::None => *doc,
        (Object::Property { fget, .. }, "__doc__") => {
            let fget = *fget;
            return vm.getattr_opt(fget, "__doc__");
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// `prop.setter(f)` / `prop.deleter(f)`: a copy of the property with that accessor replaced.
fn property_with(vm: &mut Vm, r: Option<Value>, args: Args, setter: bool) -> R {
    let f = args.pos.first().copied().unwrap_or(Value::None);
    let (fget, fset, fdel, doc) = match vm.heap.get(recv(r).as_obj().expect("property")) {
        Object::Property {
            fget,
            fset,
            fdel,
            doc,
        } => (*fget, *fset, *fdel, *doc),
        _ => (Value::None, Value::None, Value::None, Value::None),
    };
    let (fset, fdel) = if setter { (f, fdel) } else { (fset, f) };
    Ok(vm.alloc(Object::Property {
        fget,
        fset,
        fdel,
        doc,
    }))
}

fn property_setter(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    property_with(vm, r, args, true)
}

fn property_deleter(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    property_with(vm, r, args, false)
}

fn code_attr(vm: &mut Vm, c: &crate::bytecode::CodeObject, name: &str) -> Option<Value> {
    let strs = |vm: &mut Vm, v: &[String]| {
        let items = v.iter().map(|s| vm.new_str(s.clone())).collect();
        vm.new_tuple(items)
    };
    Some(match name {
        "co_code" => vm.alloc(Object::Bytes(c.co_code.clone())),
        "co_name" => vm.new_str(c.co_name.clone()),
        "co_filename" => vm.new_str(c.co_filename.clone()),
        "co_firstlineno" => Value::Int(i64::from(c.co_firstlineno)),
        "co_argcount" => Value::Int(i64::from(c.co_argcount)),
        "co_kwonlyargcount" => Value::Int(i64::from(c.co_kwonlyargcount)),
        "co_nlocals" => Value::Int(i64::from(c.co_nlocals)),
        "co_stacksize" => Value::Int(i64::from(c.co_stacksize)),
        "co_flags" => Value::Int(i64::from(c.co_flags)),
        "co_lnotab" => vm.alloc(Object::Bytes(c.co_lnotab.clone())),
        "co_varnames" => strs(vm, &c.co_varnames),
        "co_names" => strs(vm, &c.co_names),
        "co_freevars" => strs(vm, &c.co_freevars),
        "co_cellvars" => strs(vm, &c.co_cellvars),
        "co_consts" => {
            let items = c.co_consts.iter().map(|k| vm.load_const(k)).collect();
            vm.new_tuple(items)
        }
        _ => return None,
    })
}

impl Vm {
    /// A snapshot view of a suspended generator's frame: f_lasti, f_lineno, f_locals, f_code.
    pub fn new_frame_view(&mut self, g: ObjRef) -> Value {
        let Object::Generator(gn) = self.heap.get(g) else {
            return Value::None;
        };
        let Some(frame) = &gn.frame else {
            return Value::None;
        };
        let lasti = frame.lasti;
        let lineno = if lasti < 0 {
            frame.code().co_firstlineno
        } else {
            frame.lineno()
        };
        let code = frame.code().clone();
        let locals: Vec<(String, Value)> = code
            .co_varnames
            .iter()
            .zip(&frame.fast)
            .filter_map(|(n, v)| v.map(|v| (n.clone(), v)))
            .collect();
        let class = self.types["object"];
        let view = self.new_instance(class);
        let code_v = self.alloc(Object::Code(code));
        let d = self.new_dict();
        for (k, v) in locals {
            let key = self.new_str(k);
            let _ = self.setitem(d, key, v);
        }
        self.set_instance_attr(view, "f_lasti", Value::Int(lasti));
        self.set_instance_attr(view, "f_lineno", Value::Int(i64::from(lineno)));
        self.set_instance_attr(view, "f_code", code_v);
        self.set_instance_attr(view, "f_locals", d);
        let _ = GenKind::Generator;
        view
    }
}
