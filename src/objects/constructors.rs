//! Calling a built-in type: int(), float(), str(), bytes(), list(), dict(), set(), range(),
//! slice(), type(), property(), super(), object() and the exception classes, with CPython's
//! argument checks and messages.

use crate::objects::args::kwarg;
use crate::pyfmt;
use crate::vm::object::{Args, Object, PyStr};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use num_bigint::BigInt;

type R = PyResult<Value>;

/// bytes and bytearray as int() and float() parse them: their text (a byte a character)
/// and how the ValueError shows them (`b'x'`).
fn bytes_as_text(vm: &mut Vm, v: Value) -> PyResult<Option<(String, String)>> {
    let Some(Object::Bytes(b) | Object::ByteArray(b)) = v.as_obj().map(|r| vm.heap.get(r)) else {
        return Ok(None);
    };
    let text: String = b.iter().map(|&c| char::from(c)).collect();
    Ok(Some((text, vm.repr(v)?)))
}

fn parse_int(vm: &mut Vm, text: &str, base: i64) -> R {
    parse_int_shown(vm, text, base, &pyfmt::str_repr(text))
}

/// int(text, base); `shown` is how the argument appears in the ValueError (a str's repr,
/// or a bytes object's).
fn parse_int_shown(vm: &mut Vm, text: &str, base: i64, shown: &str) -> R {
    if base != 0 && !(2..=36).contains(&base) {
        return Err(vm.new_exception("ValueError", "int() base must be >= 2 and <= 36, or 0"));
    }
    let invalid = |vm: &mut Vm| {
        Err(vm.new_exception(
            "ValueError",
            &format!("invalid literal for int() with base {base}: {shown}"),
        ))
    };
    let t = text.trim();
    let (neg, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = unsigned.to_ascii_lowercase();
    let prefixed = match lower.get(..2) {
        Some("0x") if base == 0 || base == 16 => Some(16),
        Some("0o") if base == 0 || base == 8 => Some(8),
        Some("0b") if base == 0 || base == 2 => Some(2),
        _ => None,
    };
    let (radix, digits) = match prefixed {
        // One underscore may follow the prefix (`0x_ff`).
        Some(radix) => (
            radix,
            unsigned[2..].strip_prefix('_').unwrap_or(&unsigned[2..]),
        ),
        None => (if base == 0 { 10 } else { base as u32 }, unsigned),
    };
    // Underscores only between digits; base 0 takes no leading zeros (`010`) but `000`.
    let bad_underscores = digits.starts_with('_') || digits.ends_with('_') || digits.contains("__");
    let leading_zero = base == 0
        && prefixed.is_none()
        && digits.len() > 1
        && digits.starts_with('0')
        && digits
            .trim_start_matches(['0', '_'])
            .chars()
            .any(|c| c != '0');
    if digits.is_empty() || bad_underscores || leading_zero || digits.starts_with(['+', '-']) {
        return invalid(vm);
    }
    match BigInt::parse_bytes(digits.replace('_', "").as_bytes(), radix) {
        Some(i) => Ok(vm.new_int(if neg { -i } else { i })),
        None => invalid(vm),
    }
}

fn parse_float(vm: &mut Vm, text: &str) -> R {
    parse_float_shown(vm, text, &pyfmt::str_repr(text))
}

/// float(text); `shown` is how the argument appears in the ValueError.
fn parse_float_shown(vm: &mut Vm, text: &str, shown: &str) -> R {
    let t = text.trim().to_ascii_lowercase();
    // Underscores only between two digits.
    let bytes = t.as_bytes();
    let underscores_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'_'
            || (i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    });
    let t = t.replace('_', "");
    let v = match t.as_str() {
        _ if !underscores_ok => None,
        "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" | "+nan" | "-nan" => Some(f64::NAN),
        _ => t.parse::<f64>().ok(),
    };
    match v {
        Some(f) => Ok(Value::Float(f)),
        None => Err(vm.new_exception(
            "ValueError",
            &format!("could not convert string to float: {shown}"),
        )),
    }
}

/// Calls a built-in type: int(...), str(...), list(...), ...
pub fn construct(vm: &mut Vm, class: ObjRef, args: Args) -> R {
    let name = match vm.heap.get(class) {
        Object::Class(c) => c.builtin.unwrap_or("object"),
        _ => "object",
    };
    let first = args.pos.first().copied();
    if name == "int" {
        crate::objects::args::check_keywords(vm, &args, "int", &["base"])?;
    }
    if let Some(made) = super::iter_types::construct(vm, name, args.clone()) {
        return made;
    }
    match name {
        "int" => match first {
            None if kwarg(&args, "base").is_some() => {
                Err(vm.type_error("int() missing string argument"))
            }
            None => Ok(Value::Int(0)),
            Some(v) => {
                let base = args.pos.get(1).copied().or_else(|| kwarg(&args, "base"));
                if let Some((text, shown)) = bytes_as_text(vm, v)? {
                    let base = base.and_then(|b| vm.as_index(b)).unwrap_or(10);
                    return parse_int_shown(vm, &text, base, &shown);
                }
                if base.is_some() && vm.str_of(v).is_none() {
                    return Err(vm.type_error("int() can't convert non-string with explicit base"));
                }
                if vm.as_complex(v).is_some() && vm.class_lookup(vm.type_of(v), "__int__").is_none()
                {
                    return Err(vm.type_error("can't convert complex to int"));
                }
                if let Some(s) = vm.str_of(v).map(str::to_string) {
                    let base = base.and_then(|b| vm.as_index(b)).unwrap_or(10);
                    return parse_int(vm, &s, base);
                }
                match v {
                    Value::Float(f) => {
                        if f.is_nan() {
                            return Err(vm.new_exception(
                                "ValueError",
                                "cannot convert float NaN to integer",
                            ));
                        }
                        if f.is_infinite() {
                            return Err(vm.new_exception(
                                "OverflowError",
                                "cannot convert float infinity to integer",
                            ));
                        }
                        Ok(vm.new_int(float_to_bigint(f)))
                    }
                    Value::Bool(b) => Ok(Value::Int(i64::from(b))),
                    _ => match vm.as_bigint(v) {
                        Some(i) => Ok(vm.new_int(i)),
                        None => match int_dunder(vm, v)? {
                            Some(r) => Ok(r),
                            None => {
                                let t = vm.type_name(v);
                                Err(vm.type_error(&format!(
                                    "int() argument must be a string, a bytes-like object or a number, not '{t}'"
                                )))
                            }
                        },
                    },
                }
            }
        },
        "float" => match first {
            None => Ok(Value::Float(0.0)),
            Some(v) => {
                if let Some(s) = vm.str_of(v).map(str::to_string) {
                    return parse_float(vm, &s);
                }
                if let Some((text, shown)) = bytes_as_text(vm, v)? {
                    return parse_float_shown(vm, &text, &shown);
                }
                if vm.as_complex(v).is_some()
                    && vm.class_lookup(vm.type_of(v), "__float__").is_none()
                {
                    return Err(vm.type_error("can't convert complex to float"));
                }
                match vm.to_f64(v) {
                    Some(f) if f.is_infinite() && !matches!(v, Value::Float(_)) => {
                        Err(vm.new_exception("OverflowError", "int too large to convert to float"))
                    }
                    Some(f) => Ok(Value::Float(f)),
                    None => match vm.call_special(v, "__float__", vec![])? {
                        Some(r @ Value::Float(_)) => Ok(r),
                        Some(r)
                            if vm
                                .payload_of(r)
                                .is_some_and(|p| matches!(p, Value::Float(_))) =>
                        {
                            Ok(vm.payload_of(r).expect("checked"))
                        }
                        Some(r) => {
                            let (t, rt) = (vm.type_name(v), vm.type_name(r));
                            Err(vm.type_error(&format!(
                                "{t}.__float__ returned non-float (type {rt})"
                            )))
                        }
                        None => {
                            let t = vm.type_name(v);
                            Err(vm.type_error(&format!(
                                "float() argument must be a string or a number, not '{t}'"
                            )))
                        }
                    },
                }
            }
        },
        "bool" => Ok(Value::Bool(match first {
            Some(v) => vm.truthy(v)?,
            None => false,
        })),
        "str"
            if args.pos.len() + args.kw.len() > 1
                && first.is_some_and(|v| vm.str_of(v).is_some()) =>
        {
            Err(vm.type_error("decoding str is not supported"))
        }
        "str" if args.pos.len() + args.kw.len() > 3 => {
            let given = args.pos.len() + args.kw.len();
            Err(vm.type_error(&format!("str() takes at most 3 arguments ({given} given)")))
        }
        "str" => match first {
            None => Ok(vm.new_str("")),
            Some(v) => {
                if let Some(Object::Bytes(b)) = v.as_obj().map(|r| vm.heap.get(r))
                    && (args.pos.len() > 1 || !args.kw.is_empty())
                {
                    // str(b, encoding, errors) decodes.
                    let b = b.clone();
                    let codec_args = Args {
                        pos: args.pos[1..].to_vec(),
                        kw: args.kw.clone(),
                    };
                    return super::codecs::decode(vm, &b, &codec_args);
                }
                // str(s) of an exact str is s itself, as CPython's.
                if vm.types.get("str") == Some(&class)
                    && matches!(v.as_obj().map(|r| vm.heap.get(r)), Some(Object::Str(_)))
                {
                    return Ok(v);
                }
                if let Value::Int(i) = v {
                    // The everyday str(n): ASCII digits, formatted without a String.
                    let text = compact_str::ToCompactString::to_compact_string(&i);
                    let chars = text.len();
                    return Ok(vm.alloc(Object::Str(PyStr { text, chars })));
                }
                // str(obj) is what its __str__ returned (a str subclass stays one); a
                // subclass of str made from obj keeps only the text.
                if vm.types.get("str") == Some(&class) {
                    return vm.text_value(v, "__str__");
                }
                let s = vm.str(v)?;
                Ok(vm.new_str(s))
            }
        },
        "bytes" => {
            if let Some(v) = first
                && let Some(b) = vm.call_special(v, "__bytes__", vec![])?
            {
                if !matches!(b.as_obj().map(|r| vm.heap.get(r)), Some(Object::Bytes(_))) {
                    let t = vm.type_name(b);
                    return Err(vm.type_error(&format!("__bytes__ returned non-bytes (type {t})")));
                }
                return Ok(b);
            }
            let data = super::bytearray::bytes_data(vm, &args, "bytes")?;
            Ok(vm.alloc(Object::Bytes(data)))
        }
        "deque" => super::deque::construct(vm, &args),
        "bytearray" => super::bytearray::construct_bytearray(vm, &args),
        "complex" => super::complex::construct_complex(vm, &args),
        "array" => super::array::construct_array(vm, &args),
        "memoryview" => super::bytearray::construct_memoryview(vm, &args),
        "list" => {
            let items = match first {
                Some(v) => vm.collect_iterable(v)?,
                None => vec![],
            };
            Ok(vm.new_list(items))
        }
        "tuple" => {
            let items = match first {
                Some(v) => vm.collect_iterable(v)?,
                None => vec![],
            };
            Ok(vm.new_tuple(items))
        }
        "set" | "frozenset" => {
            // frozenset(fs) is fs itself: it cannot change.
            if name == "frozenset"
                && vm.types.get("frozenset") == Some(&class)
                && let Some(v) = first
                && matches!(
                    v.as_obj().map(|r| vm.heap.get(r)),
                    Some(Object::FrozenSet(_))
                )
            {
                return Ok(v);
            }
            let items = match first {
                Some(v) => vm.collect_iterable(v)?,
                None => vec![],
            };
            let s = vm.new_set(items)?;
            if name == "frozenset"
                && let Some(r) = s.as_obj()
                && let Object::Set(d) = std::mem::replace(vm.heap.get_mut(r), Object::Tuple(vec![]))
            {
                *vm.heap.get_mut(r) = Object::FrozenSet(d);
            }
            Ok(s)
        }
        "dict" => {
            let d = vm.new_dict();
            if let Some(v) = first {
                update_dict(vm, d, v)?;
            }
            for (k, v) in args.kw {
                let key = vm.new_str(k);
                vm.setitem(d, key, v)?;
            }
            Ok(d)
        }
        "range" => {
            if !args.kw.is_empty() {
                return Err(vm.type_error("range() takes no keyword arguments"));
            }
            let mut ints = Vec::with_capacity(args.pos.len());
            for v in &args.pos {
                let v = vm.index_via_dunder(*v)?;
                match vm.as_index(v) {
                    Some(i) => ints.push(i),
                    None => {
                        let t = vm.type_name(v);
                        return Err(vm.type_error(&format!(
                            "'{t}' object cannot be interpreted as an integer"
                        )));
                    }
                }
            }
            let (start, stop, step) = match ints.as_slice() {
                [stop] => (0, *stop, 1),
                [start, stop] => (*start, *stop, 1),
                [start, stop, step] => (*start, *stop, *step),
                _ => {
                    return Err(vm.type_error(&format!(
                        "range expected at most 3 arguments, got {}",
                        ints.len()
                    )));
                }
            };
            if step == 0 {
                return Err(vm.new_exception("ValueError", "range() arg 3 must not be zero"));
            }
            Ok(vm.alloc(Object::Range { start, stop, step }))
        }
        "slice" => {
            let (start, stop, step) = match args.pos.as_slice() {
                [stop] => (Value::None, *stop, Value::None),
                [start, stop] => (*start, *stop, Value::None),
                [start, stop, step, ..] => (*start, *stop, *step),
                [] => return Err(vm.type_error("slice expected at least 1 argument, got 0")),
            };
            Ok(vm.alloc(Object::Slice { start, stop, step }))
        }
        "type" => {
            if args.pos.len() == 1 {
                return Ok(Value::Obj(vm.type_of(args.pos[0])));
            }
            if args.pos.len() == 3 {
                return vm.class_from_args(None, &args.pos).map(Value::Obj);
            }
            Err(vm.type_error("type() takes 1 or 3 arguments"))
        }
        "staticmethod" => Ok(vm.alloc(Object::StaticMethod(first.unwrap_or(Value::None)))),
        "classmethod" => Ok(vm.alloc(Object::ClassMethod(first.unwrap_or(Value::None)))),
        "property" => {
            let fget = first
                .or_else(|| kwarg(&args, "fget"))
                .unwrap_or(Value::None);
            let fset = args
                .pos
                .get(1)
                .copied()
                .or_else(|| kwarg(&args, "fset"))
                .unwrap_or(Value::None);
            let fdel = args
                .pos
                .get(2)
                .copied()
                .or_else(|| kwarg(&args, "fdel"))
                .unwrap_or(Value::None);
            let doc = args
                .pos
                .get(3)
                .copied()
                .or_else(|| kwarg(&args, "doc"))
                .unwrap_or(Value::None);
            Ok(vm.alloc(Object::Property {
                fget,
                fset,
                fdel,
                doc,
            }))
        }
        "super" => {
            let is_class = |vm: &Vm, v: Value| {
                matches!(v.as_obj().map(|r| vm.heap.get(r)), Some(Object::Class(_)))
            };
            if let Some(&first) = args.pos.first()
                && !is_class(vm, first)
            {
                let t = vm.type_name(first);
                return Err(vm.type_error(&format!("super() argument 1 must be type, not {t}")));
            }
            let (class, receiver) = match args.pos.as_slice() {
                // super(C) and super(C, None): unbound, with no receiver.
                [c] | [c, Value::None] => (c.as_obj().unwrap_or(class), Value::None),
                [c, r] => {
                    let c = c.as_obj().unwrap_or(class);
                    let fits = vm.isinstance(*r, c)
                        || (is_class(vm, *r) && r.as_obj().is_some_and(|k| vm.is_subclass(k, c)));
                    if !fits {
                        return Err(vm.type_error(
                            "super(type, obj): obj must be an instance or subtype of type",
                        ));
                    }
                    (c, *r)
                }
                _ => {
                    // Zero-argument super(): the calling method's __class__ cell and first argument.
                    match vm.caller.take() {
                        Some(crate::vm::CallerView {
                            class: Some(c),
                            first_arg: Some(r),
                            ..
                        }) => (c, r),
                        _ => return Err(vm.new_exception("RuntimeError", "super(): no arguments")),
                    }
                }
            };
            Ok(vm.alloc(Object::Super { class, receiver }))
        }
        "object" => Ok(vm.new_instance(class)),
        // types.MethodType(func, obj) and types.ModuleType(name, doc=None).
        "method" => match args.pos.as_slice() {
            [func, receiver] if vm.is_callable(*func) && *receiver != Value::None => {
                Ok(vm.alloc(Object::BoundMethod {
                    receiver: *receiver,
                    func: *func,
                }))
            }
            [_, Value::None] => Err(vm.type_error("self must not be None")),
            [_, _] => Err(vm.type_error("first argument must be callable")),
            _ => Err(vm.type_error(&format!(
                "method expected 2 arguments, got {}",
                args.pos.len()
            ))),
        },
        "module" => {
            let Some(name) = first.and_then(|n| vm.str_of(n)).map(str::to_string) else {
                return Err(vm.type_error("module.__init__() argument 1 must be str"));
            };
            let m = vm.new_module(&name, &[]);
            let doc = args.pos.get(1).copied().unwrap_or(Value::None);
            vm.dict_set_str(vm.module_dict(m), "__doc__", doc);
            Ok(Value::Obj(m))
        }
        "NoneType" if args.pos.is_empty() && args.kw.is_empty() => Ok(Value::None),
        "NoneType" => Err(vm.type_error("NoneType takes no arguments")),
        _ => {
            let n = vm.class_name(class);
            Err(vm.type_error(&format!("cannot create '{n}' instances")))
        }
    }
}

fn float_to_bigint(f: f64) -> BigInt {
    if f.abs() < 9.0e18 {
        BigInt::from(f.trunc() as i64)
    } else {
        let s = format!("{:.0}", f.trunc());
        BigInt::parse_bytes(s.as_bytes(), 10).unwrap_or_default()
    }
}

fn update_dict(vm: &mut Vm, d: Value, v: Value) -> PyResult<()> {
    if matches!(v.as_obj().map(|r| vm.heap.get(r)), Some(Object::Dict(_)))
        || vm.getattr_opt(v, "keys")?.is_some()
    {
        for (k, val) in vm.mapping_items(v)? {
            vm.setitem(d, k, val)?;
        }
        return Ok(());
    }
    for pair in vm.collect_iterable(v)? {
        let kv = vm.collect_iterable(pair)?;
        if kv.len() != 2 {
            let msg = format!(
                "dictionary update sequence element #0 has length {}; 2 is required",
                kv.len()
            );
            return Err(vm.new_exception("ValueError", &msg));
        }
        vm.setitem(d, kv[0], kv[1])?;
    }
    Ok(())
}

/// int(x) of an object: its `__int__` (which must return an int), else its `__trunc__`
/// (whose result is made an int in turn), as 3.7's PyNumber_Long; `None` if it has neither.
fn int_dunder(vm: &mut Vm, v: Value) -> PyResult<Option<Value>> {
    if let Some(r) = vm.call_special(v, "__int__", vec![])? {
        if vm.as_bigint(r).is_some() {
            return Ok(Some(vm.payload_of(r).unwrap_or(r)));
        }
        let t = vm.type_name(r);
        return Err(vm.type_error(&format!("__int__ returned non-int (type {t})")));
    }
    if let Some(r) = vm.call_special(v, "__trunc__", vec![])? {
        if let Some(i) = vm.as_bigint(r) {
            return Ok(Some(vm.new_int(i)));
        }
        return match vm.call_special(r, "__int__", vec![])? {
            Some(i) if vm.as_bigint(i).is_some() => Ok(Some(i)),
            _ => {
                let t = vm.type_name(r);
                Err(vm.type_error(&format!("__trunc__ returned non-Integral (type {t})")))
            }
        };
    }
    Ok(None)
}
