//! The methods of object, type and BaseException (__init__, __new__, __repr__, __eq__,
//! __getattribute__, __setattr__ ...), the dunder wrappers of the built-in types' slots
//! (__len__, __contains__, __getitem__, __iter__, __next__), and range and slice methods.

use super::args::recv;
use super::items::length;
use crate::vm::object::{Args, ExcField, Object};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

pub(crate) fn o_init(_: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::None)
}

pub(crate) fn e_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let t = vm.new_tuple(args.pos);
    vm.set_exception_field(recv(r), ExcField::Args, t);
    Ok(Value::None)
}

pub(crate) fn e_with_traceback(_: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(recv(r))
}

/// `object.__format__` and the built-in types' `__format__`: the format-spec language for a
/// value, an instance's str() for the empty spec, else 3.7's TypeError.
pub(crate) fn o_format(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = recv(r);
    let [spec] = args.pos.as_slice() else {
        let n = args.pos.len();
        return Err(vm.type_error(&format!(
            "__format__() takes exactly one argument ({n} given)"
        )));
    };
    let Some(spec) = vm.str_of(*spec).map(str::to_string) else {
        let t = vm.type_name(*spec);
        return Err(vm.type_error(&format!("__format__() argument must be str, not {t}")));
    };
    let plain_instance = matches!(
        v.as_obj().map(|o| vm.heap.get(o)),
        Some(Object::Instance(i)) if i.payload.is_none()
    );
    let text = if plain_instance {
        if !spec.is_empty() {
            let t = vm.type_name(v);
            return Err(vm.type_error(&format!(
                "unsupported format string passed to {t}.__format__"
            )));
        }
        vm.str(v)?
    } else {
        let value = vm.payload_of(v).unwrap_or(v);
        crate::objects::format::format_spec(vm, value, &spec)?
    };
    Ok(vm.new_str(text))
}

/// `object.__repr__` (and a built-in value's own `__repr__`): never the class's override,
/// so `super().__repr__()` inside one works.
pub(crate) fn o_repr(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let s = vm.instance_repr(recv(r))?;
    Ok(vm.new_str(s))
}

/// A built-in type's own `__repr__` (`(5).__repr__()`, `int.__repr__(x)`): the value's repr.
pub(crate) fn value_repr(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let v = recv(r);
    let s = if matches!(
        v.as_obj().map(|o| vm.heap.get(o)),
        Some(Object::Instance(_))
    ) {
        vm.instance_repr(v)?
    } else {
        vm.repr(v)?
    };
    Ok(vm.new_str(s))
}

/// `object.__str__`, `BaseException.__str__` (and a built-in value's own `__str__`).
pub(crate) fn o_str(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
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

pub(crate) fn o_eq(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let other = args.pos.first().copied().unwrap_or(Value::None);
    if recv(r).is(other) {
        return Ok(Value::Bool(true));
    }
    Ok(vm
        .dict_get_str(vm.builtins, "NotImplemented")
        .unwrap_or(Value::None))
}

pub(crate) fn o_hash(_: &mut Vm, r: Option<Value>, _: Args) -> R {
    // CPython hashes a plain object by its address shifted right by 4.
    let id = recv(r)
        .as_obj()
        .map_or(0, |o| 0x7f00_0010_0000i64 + i64::from(o.0) * 0x30);
    Ok(Value::Int(id >> 4))
}

/// A hashable built-in type's own `__hash__` (`int.__hash__(x)`): the value's hash.
pub(crate) fn value_hash(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let v = recv(r);
    let v = vm.payload_of(v).unwrap_or(v);
    vm.hash_value(v)
}

/// object.__getattribute__(obj, name): the lookup a `__getattr__` falls back from.
pub(crate) fn o_getattribute(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
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
pub(crate) fn o_setattr(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
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
pub(crate) fn type_call(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let Some(class) = recv(r)
        .as_obj()
        .filter(|c| matches!(vm.heap.get(*c), Object::Class(_)))
    else {
        return Err(vm.type_error("descriptor '__call__' requires a 'type' object"));
    };
    match vm.instantiate(class, args)? {
        crate::vm::Call::Done(v) => Ok(v),
        crate::vm::Call::Frame(mut frame) => {
            let replace = match frame.resume {
                crate::vm::frame::Resume::Replace(instance) => Some(instance),
                _ => None,
            };
            frame.resume = crate::vm::frame::Resume::Native;
            let result = vm.run_frame(frame)?;
            Ok(replace.unwrap_or(result))
        }
    }
}

pub(crate) fn o_new(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
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
        return crate::objects::constructors::construct(vm, class, args);
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
            .filter(|b| crate::vm::EXTENSIBLE.contains(b) && vm.types.get(*b) != Some(&class)),
        _ => None,
    };
    if extends.is_some() {
        let payload = crate::objects::constructors::construct(vm, class, args)?;
        if let Object::Instance(inst) = vm.heap.get_mut(instance.as_obj().expect("an instance")) {
            inst.payload = Some(payload);
        }
    }
    Ok(instance)
}

pub(crate) fn o_delattr(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
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

pub(crate) fn len_method(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    length(vm, recv(r)).map(|n| Value::Int(n as i64))
}

pub(crate) fn contains_method(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let item = args.pos.first().copied().unwrap_or(Value::None);
    vm.contains(recv(r), item).map(Value::Bool)
}

pub(crate) fn getitem_method(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let item = args.pos.first().copied().unwrap_or(Value::None);
    vm.getitem(recv(r), item)
}

pub(crate) fn iter_method(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    vm.get_iter(recv(r))
}

pub(crate) fn next_method(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    // On an instance of a subclass of map, zip ... (super().__next__()), its iterator.
    let it = match vm.payload_of(recv(r)) {
        Some(p) if vm.is_native_iter(p) => p,
        _ => recv(r),
    };
    match vm.iter_next(it)? {
        Some(v) => Ok(v),
        None => Err(vm.new_exception_args("StopIteration", vec![])),
    }
}

/// `cls.mro()`: the class's method resolution order, as a list.
pub(crate) fn type_mro(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let class = recv(r);
    let mro = match class.as_obj().map(|c| vm.heap.get(c)) {
        Some(Object::Class(c)) => c.mro.iter().map(|m| Value::Obj(*m)).collect(),
        _ => return Err(vm.type_error("descriptor 'mro' of 'type' object needs an argument")),
    };
    Ok(vm.new_list(mro))
}

/// `it.__length_hint__()`: how many items an iterator over a sequence, dict, set or range
/// has left (0 once exhausted); NotImplemented for the others, as operator.length_hint
/// expects.
pub(crate) fn length_hint(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    use crate::vm::object::Iter;
    let not_implemented = vm
        .dict_get_str(vm.builtins, "NotImplemented")
        .unwrap_or(Value::None);
    let Some(Object::Iter(it)) = recv(r).as_obj().map(|o| vm.heap.get(o)) else {
        return Ok(not_implemented);
    };
    let left = match it {
        Iter::Seq { seq, index } => match vm.heap.get(*seq) {
            Object::List(v) | Object::Tuple(v) => v.len().saturating_sub(*index),
            Object::Deque(d) => d.items.len().saturating_sub(*index),
            _ => 0,
        },
        Iter::Dict {
            dict, index, size, ..
        } => match vm.heap.get(*dict) {
            Object::Dict(d) if d.len() == *size => size.saturating_sub(*index),
            _ => 0,
        },
        Iter::Set { items, index, .. } | Iter::Values { items, index, .. } => {
            items.len().saturating_sub(*index)
        }
        Iter::Str { chars, index } => chars.len().saturating_sub(*index),
        Iter::Range { next, stop, step } => {
            let (next, stop, step) = (*next, *stop, *step);
            let span = if step > 0 { stop - next } else { next - stop };
            if span <= 0 {
                0
            } else {
                ((span - 1) / step.abs() + 1) as usize
            }
        }
        Iter::Reversed { index, .. } => (*index + 1).max(0) as usize,
        _ => return Ok(not_implemented),
    };
    Ok(Value::Int(left as i64))
}

/// range.index and range.count take exactly one argument.
fn one_range_arg(vm: &mut Vm, name: &str, args: &Args) -> PyResult<Value> {
    match args.pos.as_slice() {
        [v] if args.kw.is_empty() => Ok(*v),
        _ => {
            let n = args.pos.len() + args.kw.len();
            Err(vm.type_error(&format!("{name}() takes exactly one argument ({n} given)")))
        }
    }
}

pub(crate) fn r_index(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = one_range_arg(vm, "index", &args)?;
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

pub(crate) fn r_count(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = one_range_arg(vm, "count", &args)?;
    Ok(Value::Int(i64::from(vm.contains(recv(r), v)?)))
}

pub(crate) fn sl_indices(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    if args.pos.len() != 1 {
        let given = args.pos.len();
        return Err(vm.type_error(&format!(
            "slice.indices() takes exactly one argument ({given} given)"
        )));
    }
    let length = vm.index_via_dunder(args.pos[0])?;
    let Some(n) = vm.as_index(length) else {
        let t = vm.type_name(length);
        return Err(vm.type_error(&format!("'{t}' object cannot be interpreted as an integer")));
    };
    if n < 0 {
        return Err(vm.new_exception("ValueError", "length should not be negative"));
    }
    let (a, b, c) = vm.slice_indices(recv(r), n)?;
    Ok(vm.new_tuple(vec![Value::Int(a), Value::Int(b), Value::Int(c)]))
}

/// BaseException's `args`, `__cause__`, `__context__` and `__suppress_context__`: data
/// descriptors (properties) over the fields CPython keeps outside the instance `__dict__`,
/// so `vars(e)` shows only what a program set.
pub(crate) fn install_exception_fields(vm: &mut Vm) {
    type F = crate::vm::object::NativeFn;
    let fields: [(&'static str, F, F, F); 4] = [
        ("args", exc_args_get, exc_args_set, exc_args_del),
        ("__cause__", exc_cause_get, exc_cause_set, exc_cause_del),
        (
            "__context__",
            exc_context_get,
            exc_context_set,
            exc_context_del,
        ),
        (
            "__suppress_context__",
            exc_suppress_get,
            exc_suppress_set,
            exc_suppress_del,
        ),
    ];
    for (name, get, set, del) in fields {
        let fget = vm.native(name, get);
        let fset = vm.native(name, set);
        let fdel = vm.native(name, del);
        let prop = vm.alloc(Object::Property {
            fget,
            fset,
            fdel,
            doc: Value::None,
        });
        if let Object::Class(c) = vm.heap.get_mut(vm.types["BaseException"]) {
            c.dict.insert(name.to_string(), prop);
        }
    }
}

/// The exception a field descriptor was called for, and the value assigned (if any).
fn exc_operands(vm: &mut Vm, args: &Args) -> PyResult<(Value, Value)> {
    match args.pos.as_slice() {
        [exc, rest @ ..] if vm.exception_is(*exc, "BaseException") => {
            Ok((*exc, rest.first().copied().unwrap_or(Value::None)))
        }
        _ => Err(vm.type_error("descriptor needs a 'BaseException' object")),
    }
}

fn exc_args_get(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (exc, _) = exc_operands(vm, &args)?;
    match vm.exception_field(exc, ExcField::Args) {
        Some(t) => Ok(t),
        None => Ok(vm.new_tuple(vec![])),
    }
}

/// `e.args = iterable`: kept as a tuple.
fn exc_args_set(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (exc, v) = exc_operands(vm, &args)?;
    let items = vm.collect_iterable(v)?;
    let t = vm.new_tuple(items);
    vm.set_exception_field(exc, ExcField::Args, t);
    Ok(Value::None)
}

/// `e.__cause__` / `e.__context__`: None or an exception instance.
fn exc_link_set(vm: &mut Vm, args: &Args, field: ExcField, what: &str) -> R {
    let (exc, v) = exc_operands(vm, args)?;
    if v != Value::None && !vm.exception_is(v, "BaseException") {
        return Err(vm.type_error(&format!(
            "exception {what} must be None or derive from BaseException"
        )));
    }
    vm.set_exception_field(exc, field, v);
    if field == ExcField::Cause {
        vm.set_exception_field(exc, ExcField::SuppressContext, Value::Bool(true));
    }
    Ok(Value::None)
}

fn exc_cause_get(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (exc, _) = exc_operands(vm, &args)?;
    Ok(vm
        .exception_field(exc, ExcField::Cause)
        .unwrap_or(Value::None))
}

fn exc_cause_set(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    exc_link_set(vm, &args, ExcField::Cause, "cause")
}

fn exc_context_get(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (exc, _) = exc_operands(vm, &args)?;
    Ok(vm
        .exception_field(exc, ExcField::Context)
        .unwrap_or(Value::None))
}

fn exc_context_set(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    exc_link_set(vm, &args, ExcField::Context, "context")
}

fn exc_suppress_get(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (exc, _) = exc_operands(vm, &args)?;
    let v = vm.exception_field(exc, ExcField::SuppressContext);
    Ok(v.unwrap_or(Value::Bool(false)))
}

/// A bool member, as CPython's T_BOOL: only True or False.
fn exc_suppress_set(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (exc, v) = exc_operands(vm, &args)?;
    if !matches!(v, Value::Bool(_)) {
        return Err(vm.type_error("attribute value type must be bool"));
    }
    vm.set_exception_field(exc, ExcField::SuppressContext, v);
    Ok(Value::None)
}

fn exc_args_del(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Err(vm.type_error("args may not be deleted"))
}

fn exc_cause_del(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Err(vm.type_error("__cause__ may not be deleted"))
}

fn exc_context_del(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Err(vm.type_error("__context__ may not be deleted"))
}

fn exc_suppress_del(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Err(vm.type_error("can't delete numeric/char attribute"))
}
