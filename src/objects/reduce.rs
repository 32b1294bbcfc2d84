//! `object.__reduce_ex__(protocol)` and `object.__reduce__()`: what a value says rebuilds it,
//! for pickle and copy, as CPython 3.7 answers (typeobject.c's `reduce_newobj` for protocol
//! 2 and up, copyreg's `_reduce_ex` below it, and the `__reduce__` of the built-in types
//! that have their own: set, frozenset, deque, range, slice, exceptions, built-in functions
//! and bound methods). The helpers it names (`copyreg.__newobj__`, `_reconstructor`) come
//! from the copyreg module, imported by name.

use super::args::recv;
use crate::vm::object::{Args, DictKey, ExcField, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

/// `object.__reduce_ex__(protocol)`.
pub(crate) fn o_reduce_ex(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let obj = recv(r);
    let [proto] = args.pos.as_slice() else {
        let n = args.pos.len();
        return Err(vm.type_error(&format!(
            "__reduce_ex__() takes exactly one argument ({n} given)"
        )));
    };
    let Some(proto) = vm.as_index(*proto) else {
        let t = vm.type_name(*proto);
        return Err(vm.type_error(&format!("an integer is required (got type {t})")));
    };
    reduce_ex(vm, obj, proto)
}

/// `object.__reduce__()`: the built-in reduction, at protocol 0 for plain objects.
pub(crate) fn o_reduce(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    builtin_reduce(vm, recv(r), 0)
}

/// What `obj.__reduce_ex__(proto)` gives when the class does not define it: a `__reduce__`
/// a class of the object defines wins, as in CPython.
pub fn reduce_ex(vm: &mut Vm, obj: Value, proto: i64) -> R {
    let class = vm.type_of(obj);
    if vm.class_lookup(class, "__reduce__").is_some() {
        let method = vm.getattr(obj, "__reduce__")?;
        return vm.call(method, Args::default());
    }
    builtin_reduce(vm, obj, proto)
}

/// The built-in types' own `__reduce__`, else object's (`_common_reduce`).
fn builtin_reduce(vm: &mut Vm, obj: Value, proto: i64) -> R {
    let Value::Obj(r) = obj else {
        return common_reduce(vm, obj, proto);
    };
    let class = vm.type_of(obj);
    let payload = vm.payload_of(obj);
    let kind = payload.unwrap_or(obj);
    match kind.as_obj().map(|k| vm.heap.get(k)) {
        Some(Object::Set(_) | Object::FrozenSet(_)) => {
            // set.__reduce__: (type(s), (list(s),), __dict__ or None)
            let items = vm.set_items(kind.as_obj().expect("a set"));
            let list = vm.new_list(items);
            let args = vm.new_tuple(vec![list]);
            let state = dict_or_none(vm, obj);
            return Ok(vm.new_tuple(vec![Value::Obj(class), args, state]));
        }
        Some(Object::Deque(d)) => {
            // deque.__reduce__: (type(d), () or ((), maxlen), __dict__ or None, iter(d))
            let maxlen = d.maxlen;
            let empty = vm.new_tuple(vec![]);
            let args = match maxlen {
                None => empty,
                Some(m) => vm.new_tuple(vec![empty, Value::Int(m as i64)]),
            };
            let state = dict_or_none(vm, obj);
            let items = vm.get_iter(kind)?;
            return Ok(vm.new_tuple(vec![Value::Obj(class), args, state, items]));
        }
        _ => {}
    }
    if matches!(vm.heap.get(r), Object::ByteArray(_)) {
        return super::bytearray::reduce(vm, obj, proto);
    }
    let parts = match vm.heap.get(r) {
        Object::Range { start, stop, step } => Some((
            "range",
            vec![Value::Int(*start), Value::Int(*stop), Value::Int(*step)],
        )),
        Object::Slice { start, stop, step } => Some(("slice", vec![*start, *stop, *step])),
        _ => None,
    };
    if let Some((type_name, values)) = parts {
        let args = vm.new_tuple(values);
        return Ok(vm.new_tuple(vec![Value::Obj(vm.types[type_name]), args]));
    }
    match vm.heap.get(r) {
        // A built-in function is pickled by name; a bound one as getattr(self, name).
        Object::Native(n) => {
            let (name, receiver) = (n.name, n.receiver);
            // An unbound method of a built-in type (`str.upper`): as 3.7's method
            // descriptors, getattr(type, name).
            let owner = n.owner.filter(|_| n.is_method && receiver.is_none());
            if let Some(owner) = owner {
                let class = Value::Obj(vm.types[owner.name()]);
                return getattr_reduction(vm, class, name);
            }
            return match receiver {
                None => Ok(vm.new_str(name)),
                Some(recv)
                    if matches!(
                        recv.as_obj().map(|m| vm.heap.get(m)),
                        Some(Object::Module { .. })
                    ) =>
                {
                    Ok(vm.new_str(name))
                }
                Some(recv) => getattr_reduction(vm, recv, name),
            };
        }
        Object::BoundMethod { receiver, func } => {
            let (receiver, func) = (*receiver, *func);
            let name = vm.getattr(func, "__name__")?;
            let getattr = builtin(vm, "getattr");
            let args = vm.new_tuple(vec![receiver, name]);
            return Ok(vm.new_tuple(vec![getattr, args]));
        }
        _ => {}
    }
    if vm.exception_is(obj, "BaseException") {
        return exception_reduce(vm, obj);
    }
    if let Some(name) = singleton_name(vm, obj) {
        return Ok(vm.new_str(name));
    }
    common_reduce(vm, obj, proto)
}

/// `(getattr, (receiver, name))`: how a bound built-in method pickles.
fn getattr_reduction(vm: &mut Vm, receiver: Value, name: &str) -> R {
    let getattr = builtin(vm, "getattr");
    let name = vm.new_str(name);
    let args = vm.new_tuple(vec![receiver, name]);
    Ok(vm.new_tuple(vec![getattr, args]))
}

fn builtin(vm: &Vm, name: &str) -> Value {
    vm.dict_get_str(vm.builtins, name).unwrap_or(Value::None)
}

/// Ellipsis and NotImplemented reduce to their names in builtins.
fn singleton_name(vm: &Vm, obj: Value) -> Option<&'static str> {
    ["Ellipsis", "NotImplemented"]
        .into_iter()
        .find(|n| vm.dict_get_str(vm.builtins, n).is_some_and(|v| v.is(obj)))
}

/// The `__dict__` of an instance of a subclass (even when empty), else None.
fn dict_or_none(vm: &mut Vm, obj: Value) -> Value {
    match vm.instance_dict(obj) {
        Some(d) => Value::Obj(d),
        None => Value::None,
    }
}

/// BaseException.__reduce__: `(type(e), e.args)`, with the `__dict__` when it has entries.
fn exception_reduce(vm: &mut Vm, obj: Value) -> R {
    let class = vm.type_of(obj);
    let args = match vm.exception_field(obj, ExcField::Args) {
        Some(a) => a,
        None => vm.new_tuple(vec![]),
    };
    let mut state = Vec::new();
    if let Some(d) = vm.instance_dict(obj)
        && let Object::Dict(entries) = vm.heap.get(d)
    {
        for (k, (key, value)) in entries {
            let internal = matches!(k, DictKey::Str(s) if s == "args"
                || s == "__traceback__" || s == "__cause__" || s == "__context__"
                || s == "__suppress_context__");
            if !internal {
                state.push((*key, *value));
            }
        }
    }
    if state.is_empty() {
        return Ok(vm.new_tuple(vec![Value::Obj(class), args]));
    }
    let dict = vm.new_dict();
    for (k, v) in state {
        vm.setitem(dict, k, v)?;
    }
    Ok(vm.new_tuple(vec![Value::Obj(class), args, dict]))
}

/// `_common_reduce`: `reduce_newobj` from protocol 2, copyreg's `_reduce_ex` below.
pub fn common_reduce(vm: &mut Vm, obj: Value, proto: i64) -> R {
    if proto >= 2 {
        reduce_newobj(vm, obj)
    } else {
        reduce_legacy(vm, obj, proto)
    }
}

/// CPython's name for the type of a value nothing can rebuild (`_thread.lock`).
fn full_type_name(vm: &Vm, obj: Value) -> String {
    let class = vm.type_of(obj);
    let name = vm.class_name(class);
    match vm
        .class_lookup(class, "__module__")
        .and_then(|m| vm.str_of(m))
    {
        Some("_thread") => format!("_thread.{name}"),
        _ => name,
    }
}

/// Whether `obj` is something object's reduction can rebuild: an instance (of a class of
/// the program's, or of object), or a value of a type that reduces through its
/// constructor's arguments or its items.
fn reducible(vm: &Vm, obj: Value) -> bool {
    match obj {
        Value::Obj(r) => matches!(
            vm.heap.get(r),
            Object::Instance(_)
                | Object::Str(_)
                | Object::Bytes(_)
                | Object::BigInt(_)
                | Object::Tuple(_)
                | Object::List(_)
                | Object::Dict(_)
        ),
        _ => true,
    }
}

/// The arguments `__new__` needs: `__getnewargs_ex__`, else `__getnewargs__` (the
/// built-in value a subclass of int, float, str, bytes or tuple extends), else none.
fn new_arguments(vm: &mut Vm, obj: Value) -> PyResult<(Option<Value>, Option<Value>)> {
    let class = vm.type_of(obj);
    if vm.class_lookup(class, "__getnewargs_ex__").is_some() {
        let method = vm.getattr(obj, "__getnewargs_ex__")?;
        let result = vm.call(method, Args::default())?;
        let Some(Object::Tuple(pair)) = result.as_obj().map(|t| vm.heap.get(t)) else {
            let t = vm.type_name(result);
            return Err(vm.type_error(&format!(
                "__getnewargs_ex__ should return a tuple, not '{t}'"
            )));
        };
        let [args, kwargs] = pair.as_slice() else {
            let n = pair.len();
            return Err(vm.new_exception(
                "ValueError",
                &format!("__getnewargs_ex__ should return a tuple of length 2, not {n}"),
            ));
        };
        let (args, kwargs) = (*args, *kwargs);
        if !matches!(
            args.as_obj().map(|t| vm.heap.get(t)),
            Some(Object::Tuple(_))
        ) {
            let t = vm.type_name(args);
            return Err(vm.type_error(&format!(
                "first item of the tuple returned by __getnewargs_ex__ must be a tuple, not '{t}'"
            )));
        }
        if !matches!(
            kwargs.as_obj().map(|t| vm.heap.get(t)),
            Some(Object::Dict(_))
        ) {
            let t = vm.type_name(kwargs);
            return Err(vm.type_error(&format!(
                "second item of the tuple returned by __getnewargs_ex__ must be a dict, not '{t}'"
            )));
        }
        return Ok((Some(args), Some(kwargs)));
    }
    if vm.class_lookup(class, "__getnewargs__").is_some() {
        let method = vm.getattr(obj, "__getnewargs__")?;
        let args = vm.call(method, Args::default())?;
        if !matches!(
            args.as_obj().map(|t| vm.heap.get(t)),
            Some(Object::Tuple(_))
        ) {
            let t = vm.type_name(args);
            return Err(vm.type_error(&format!("__getnewargs__ should return a tuple, not '{t}'")));
        }
        return Ok((Some(args), None));
    }
    // int, float, str, bytes and tuple have __getnewargs__: (the value,).
    let value = vm.payload_of(obj).unwrap_or(obj);
    let has_value = match value {
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => true,
        Value::Obj(v) => matches!(
            vm.heap.get(v),
            Object::Str(_) | Object::Bytes(_) | Object::BigInt(_) | Object::Tuple(_)
        ),
        Value::None => false,
    };
    if has_value {
        return Ok((Some(vm.new_tuple(vec![value])), None));
    }
    Ok((None, None))
}

/// typeobject.c's `reduce_newobj`: `(copyreg.__newobj__, (cls, *args), state, listitems,
/// dictitems)`, or `__newobj_ex__` when `__getnewargs_ex__` gave keyword arguments.
fn reduce_newobj(vm: &mut Vm, obj: Value) -> R {
    if !reducible(vm, obj) {
        let t = full_type_name(vm, obj);
        return Err(vm.type_error(&format!("can't pickle {t} objects")));
    }
    let (args, kwargs) = new_arguments(vm, obj)?;
    let copyreg = vm.import("copyreg", true)?;
    let class = Value::Obj(vm.type_of(obj));
    let has_kwargs = matches!(kwargs.and_then(|k| k.as_obj()).map(|k| vm.heap.get(k)),
        Some(Object::Dict(d)) if !d.is_empty());
    let (newobj, newargs) = if has_kwargs {
        let f = vm.getattr(copyreg, "__newobj_ex__")?;
        let args = args.expect("with keyword arguments come positional ones");
        let kwargs = kwargs.expect("checked above");
        (f, vm.new_tuple(vec![class, args, kwargs]))
    } else {
        let f = vm.getattr(copyreg, "__newobj__")?;
        let mut items = vec![class];
        if let Some(a) = args {
            items.extend(vm.tuple_items(a));
        }
        (f, vm.new_tuple(items))
    };
    let value = vm.payload_of(obj).unwrap_or(obj);
    let (is_list, is_dict) = match value.as_obj().map(|v| vm.heap.get(v)) {
        Some(Object::List(_)) => (true, false),
        Some(Object::Dict(_)) => (false, true),
        _ => (false, false),
    };
    let state = get_state(vm, obj, args.is_none() && !is_list && !is_dict)?;
    let listitems = if is_list {
        vm.get_iter(value)?
    } else {
        Value::None
    };
    let dictitems = if is_dict {
        let items = vm.getattr(value, "items")?;
        let view = vm.call(items, Args::default())?;
        vm.get_iter(view)?
    } else {
        Value::None
    };
    Ok(vm.new_tuple(vec![newobj, newargs, state, listitems, dictitems]))
}

/// `_PyObject_GetState`: `__getstate__()`, else the `__dict__` (None when empty) with the
/// slots' values beside it as `(dict, slots)`.
pub fn get_state(vm: &mut Vm, obj: Value, required: bool) -> R {
    if let Some(getstate) = lookup_attr(vm, obj, "__getstate__")? {
        return vm.call(getstate, Args::default());
    }
    if required
        && !matches!(
            obj.as_obj().map(|o| vm.heap.get(o)),
            Some(Object::Instance(_))
        )
    {
        let t = full_type_name(vm, obj);
        return Err(vm.type_error(&format!("can't pickle {t} objects")));
    }
    let class = vm.type_of(obj);
    let names = slot_names(vm, class)?;
    let mut state = Value::None;
    if has_instance_dict(vm, class)
        && let Some(d) = vm.instance_dict(obj)
    {
        // minipy keeps slot values in the instance dict too: the __dict__ state leaves
        // them out.
        let entries: Vec<(DictKey, Value, Value)> = match vm.heap.get(d) {
            Object::Dict(x) => x.iter().map(|(k, (kv, v))| (k.clone(), *kv, *v)).collect(),
            _ => vec![],
        };
        if entries.is_empty() {
            // An empty __dict__ is no state.
        } else if names.is_empty() {
            state = Value::Obj(d);
        } else {
            let kept: Vec<(Value, Value)> = entries
                .into_iter()
                .filter(|(k, _, _)| !matches!(k, DictKey::Str(s) if names.iter().any(|n| n == s.as_str())))
                .map(|(_, k, v)| (k, v))
                .collect();
            if !kept.is_empty() {
                let copy = vm.new_dict();
                for (k, v) in kept {
                    vm.setitem(copy, k, v)?;
                }
                state = copy;
            }
        }
    }
    if names.is_empty() {
        return Ok(state);
    }
    let slots = vm.new_dict();
    let mut any = false;
    for name in &names {
        if let Some(v) = lookup_attr(vm, obj, name)? {
            let key = vm.new_str(name.as_str());
            vm.setitem(slots, key, v)?;
            any = true;
        }
    }
    if any {
        return Ok(vm.new_tuple(vec![state, slots]));
    }
    Ok(state)
}

/// `getattr(obj, name)`, or None when that raises AttributeError.
pub fn lookup_attr(vm: &mut Vm, obj: Value, name: &str) -> PyResult<Option<Value>> {
    match vm.getattr(obj, name) {
        Ok(v) => Ok(Some(v)),
        Err(e) if vm.exception_is(e, "AttributeError") => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether a class is one of the program's (CPython's heap types), not a built-in type.
pub fn is_user_class(vm: &Vm, class: ObjRef) -> bool {
    match vm.heap.get(class) {
        Object::Class(c) => vm.types.get(c.name.as_str()) != Some(&class),
        _ => false,
    }
}

/// The names a class's `__slots__` declare: a str, or an iterable of them.
fn declared_slots(vm: &mut Vm, slots: Value) -> PyResult<Vec<String>> {
    if let Some(s) = vm.str_of(slots) {
        return Ok(vec![s.to_string()]);
    }
    let items = vm.collect_iterable(slots)?;
    Ok(items
        .into_iter()
        .filter_map(|v| vm.str_of(v).map(str::to_string))
        .collect())
}

/// Whether instances of `class` have a `__dict__`: some class of the program's on its MRO
/// declares no `__slots__`, or names `__dict__` in them.
pub fn has_instance_dict(vm: &mut Vm, class: ObjRef) -> bool {
    let base_exception = vm.types["BaseException"];
    for c in vm.mro_of(class) {
        if c == base_exception {
            return true;
        }
        if !is_user_class(vm, c) {
            continue;
        }
        let slots = match vm.heap.get(c) {
            Object::Class(k) => k.dict.get("__slots__").copied(),
            _ => None,
        };
        match slots {
            None => return true,
            Some(s) => {
                if declared_slots(vm, s).is_ok_and(|names| names.iter().any(|n| n == "__dict__")) {
                    return true;
                }
            }
        }
    }
    false
}

/// copyreg's `_slotnames`: the slot names of a class and its bases (private names
/// mangled, `__dict__` and `__weakref__` left out), cached as `__slotnames__` on a class
/// of the program's.
pub fn slot_names(vm: &mut Vm, class: ObjRef) -> PyResult<Vec<String>> {
    let cached = match vm.heap.get(class) {
        Object::Class(c) => c.dict.get("__slotnames__").copied(),
        _ => None,
    };
    if let Some(v) = cached
        && v != Value::None
    {
        return declared_slots(vm, v);
    }
    let mut names = Vec::new();
    if vm.class_lookup(class, "__slots__").is_some() {
        for c in vm.mro_of(class) {
            let (slots, cname) = match vm.heap.get(c) {
                Object::Class(k) => (k.dict.get("__slots__").copied(), k.name.clone()),
                _ => (None, String::new()),
            };
            let Some(slots) = slots else { continue };
            for name in declared_slots(vm, slots)? {
                if name == "__dict__" || name == "__weakref__" {
                    continue;
                }
                if name.starts_with("__") && !name.ends_with("__") {
                    let stripped = cname.trim_start_matches('_');
                    if stripped.is_empty() {
                        names.push(name);
                    } else {
                        names.push(format!("_{stripped}{name}"));
                    }
                } else {
                    names.push(name);
                }
            }
        }
    }
    if is_user_class(vm, class) {
        let items: Vec<Value> = names.iter().map(|n| vm.new_str(n.as_str())).collect();
        let list = vm.new_list(items);
        vm.class_epoch += 1;
        if let Object::Class(c) = vm.heap.get_mut(class) {
            c.dict.insert("__slotnames__".to_string(), list);
        }
    }
    Ok(names)
}

/// copyreg's `_reduce_ex` (protocols 0 and 1): `(copyreg._reconstructor, (cls, base,
/// state))` with the instance's state, where `base` is the first built-in type on the
/// MRO and `state` the value of that type the object extends.
fn reduce_legacy(vm: &mut Vm, obj: Value, _proto: i64) -> R {
    let class = vm.type_of(obj);
    let base = vm
        .mro_of(class)
        .into_iter()
        .find(|c| !is_user_class(vm, *c))
        .unwrap_or(vm.types["object"]);
    let object = vm.types["object"];
    let state = if base == object {
        Value::None
    } else {
        if base == class
            || !matches!(
                obj.as_obj().map(|o| vm.heap.get(o)),
                Some(Object::Instance(_))
            )
        {
            let name = vm.class_name(base);
            return Err(vm.type_error(&format!("can't pickle {name} objects")));
        }
        vm.payload_of(obj).unwrap_or(Value::None)
    };
    let copyreg = vm.import("copyreg", true)?;
    let reconstructor = vm.getattr(copyreg, "_reconstructor")?;
    let args = vm.new_tuple(vec![Value::Obj(class), Value::Obj(base), state]);
    let dict = match lookup_attr(vm, obj, "__getstate__")? {
        Some(getstate) => vm.call(getstate, Args::default())?,
        None => {
            let slots = vm.class_lookup(class, "__slots__");
            let has_slots = match slots {
                Some(s) => vm.truthy(s)?,
                None => false,
            };
            if has_slots {
                return Err(vm.type_error(
                    "a class that defines __slots__ without defining __getstate__ cannot be pickled",
                ));
            }
            match vm.instance_dict(obj) {
                Some(d) => Value::Obj(d),
                None => Value::None,
            }
        }
    };
    if vm.truthy(dict)? {
        Ok(vm.new_tuple(vec![reconstructor, args, dict]))
    } else {
        Ok(vm.new_tuple(vec![reconstructor, args]))
    }
}
