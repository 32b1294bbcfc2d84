//! `bytearray`: mutable bytes. Its own methods (append, extend, insert, pop, remove,
//! reverse, clear, copy, fromhex) and item and slice assignment are here; every other
//! method is bytes' (bytes.rs), run on a copy of the contents, with bytes results turned
//! into bytearrays as CPython's give them. Concatenation and repetition (`+=` and `*=` in
//! place), construction, and what pickle's reduction needs.

use super::args::recv;
use crate::vm::object::{Args, NativeFn, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

/// The contents of a bytes or bytearray value (what "bytes-like" means here).
pub fn bytes_like(vm: &Vm, v: Value) -> Option<Vec<u8>> {
    match vm.heap.get(v.as_obj()?) {
        Object::Bytes(b) | Object::ByteArray(b) => Some(b.clone()),
        _ => None,
    }
}

fn contents(vm: &Vm, r: ObjRef) -> Vec<u8> {
    match vm.heap.get(r) {
        Object::ByteArray(b) => b.clone(),
        _ => vec![],
    }
}

fn edit<T>(vm: &mut Vm, r: ObjRef, f: impl FnOnce(&mut Vec<u8>) -> T) -> Option<T> {
    match vm.heap.get_mut(r) {
        Object::ByteArray(b) => Some(f(b)),
        _ => None,
    }
}

/// A value that must be one byte: an int in range(0, 256).
fn byte(vm: &mut Vm, v: Value) -> PyResult<u8> {
    match vm.as_index(v) {
        Some(x @ 0..=255) if !matches!(v, Value::Float(_)) => Ok(x as u8),
        Some(_) if !matches!(v, Value::Float(_)) => {
            Err(vm.new_exception("ValueError", "byte must be in range(0, 256)"))
        }
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("'{t}' object cannot be interpreted as an integer")))
        }
    }
}

/// The bytes of an iterable source: bytes-like as they are, else ints each one byte.
fn bytes_from(vm: &mut Vm, v: Value) -> PyResult<Vec<u8>> {
    if let Some(b) = bytes_like(vm, v) {
        return Ok(b);
    }
    if vm.str_of(v).is_some() {
        return Err(vm.type_error("an integer is required"));
    }
    let items = vm.collect_iterable(v)?;
    items.into_iter().map(|item| byte(vm, item)).collect()
}

/// `bytearray()`, `bytearray(n)`, `bytearray(iterable_of_ints)`, `bytearray(bytes)`,
/// `bytearray(str, encoding[, errors])`.
pub fn construct(vm: &mut Vm, args: &Args) -> R {
    let data = match args.pos.first().copied() {
        None => vec![],
        Some(v) => {
            if let Some(s) = vm.str_of(v).map(str::to_string) {
                if args.pos.len() < 2 && args.kw.is_empty() {
                    return Err(vm.type_error("string argument without an encoding"));
                }
                let rest = Args {
                    pos: args.pos[1..].to_vec(),
                    kw: args.kw.clone(),
                };
                let encoded = super::codecs::encode(vm, &s, &rest)?;
                bytes_like(vm, encoded).unwrap_or_default()
            } else if let (Some(n), false) = (vm.as_index(v), matches!(v, Value::Float(_))) {
                if n < 0 {
                    return Err(vm.new_exception("ValueError", "negative count"));
                }
                vec![0; n as usize]
            } else {
                bytes_from(vm, v)?
            }
        }
    };
    Ok(vm.alloc(Object::ByteArray(data)))
}

/// `ba[i]` and `ba[a:b:c]`.
pub fn getitem(vm: &mut Vm, r: ObjRef, index: Value) -> R {
    let b = contents(vm, r);
    if vm.is_slice(index) {
        let (x, y, st) = vm.slice_indices(index, b.len() as i64)?;
        let part = Vm::slice_positions(x, y, st)
            .into_iter()
            .map(|i| b[i])
            .collect();
        return Ok(vm.alloc(Object::ByteArray(part)));
    }
    let i = vm.seq_index(index, b.len(), "bytearray")?;
    Ok(Value::Int(i64::from(b[i])))
}

/// `ba[i] = byte` and `ba[a:b] = bytes_like_or_ints`.
pub fn setitem(vm: &mut Vm, r: ObjRef, index: Value, v: Value) -> PyResult<()> {
    let len = contents(vm, r).len();
    if vm.is_slice(index) {
        let (x, y, st) = vm.slice_indices(index, len as i64)?;
        let new = bytes_from(vm, v)?;
        if st == 1 {
            let (x, y) = (x as usize, (y.max(x)) as usize);
            edit(vm, r, |b| b.splice(x..y, new).for_each(drop));
            return Ok(());
        }
        let positions = Vm::slice_positions(x, y, st);
        if positions.len() != new.len() {
            let msg = format!(
                "attempt to assign bytes of size {} to extended slice of size {}",
                new.len(),
                positions.len()
            );
            return Err(vm.new_exception("ValueError", &msg));
        }
        edit(vm, r, |b| {
            for (p, value) in positions.into_iter().zip(new) {
                b[p] = value;
            }
        });
        return Ok(());
    }
    let i = vm.seq_index(index, len, "bytearray")?;
    let value = byte(vm, v)?;
    edit(vm, r, |b| b[i] = value);
    Ok(())
}

/// `del ba[i]` and `del ba[a:b:c]`.
pub fn delitem(vm: &mut Vm, r: ObjRef, index: Value) -> PyResult<()> {
    let len = contents(vm, r).len();
    if vm.is_slice(index) {
        let (x, y, st) = vm.slice_indices(index, len as i64)?;
        let mut positions = Vm::slice_positions(x, y, st);
        positions.sort_unstable();
        edit(vm, r, |b| {
            for p in positions.into_iter().rev() {
                b.remove(p);
            }
        });
        return Ok(());
    }
    let i = vm.seq_index(index, len, "bytearray")?;
    edit(vm, r, |b| b.remove(i));
    Ok(())
}

/// `+`, `*` and their in-place forms when a bytearray is on the left (or an int times
/// one); None when the operands are not for bytearray.
pub fn binop(
    vm: &mut Vm,
    symbol: &str,
    inplace: bool,
    a: Value,
    b: Value,
) -> PyResult<Option<Value>> {
    let (a, b) = match (a.as_obj().map(|r| vm.heap.get(r)), symbol) {
        (Some(Object::ByteArray(_)), _) => (a, b),
        (_, "*")
            if matches!(
                b.as_obj().map(|r| vm.heap.get(r)),
                Some(Object::ByteArray(_))
            ) =>
        {
            (b, a)
        }
        (Some(Object::Bytes(x)), "+") => {
            // bytes + bytearray is bytes.
            return Ok(match bytes_like(vm, b) {
                Some(y)
                    if matches!(
                        b.as_obj().map(|r| vm.heap.get(r)),
                        Some(Object::ByteArray(_))
                    ) =>
                {
                    let joined = [x.clone(), y].concat();
                    Some(vm.alloc(Object::Bytes(joined)))
                }
                _ => None,
            });
        }
        _ => return Ok(None),
    };
    let ra = a.as_obj().expect("a bytearray");
    match symbol {
        "+" => {
            let Some(more) = bytes_like(vm, b) else {
                let t = vm.type_name(b);
                return Err(vm.type_error(&format!("can't concat {t} to bytearray")));
            };
            if inplace {
                edit(vm, ra, |x| x.extend(more));
                return Ok(Some(a));
            }
            let joined = [contents(vm, ra), more].concat();
            Ok(Some(vm.alloc(Object::ByteArray(joined))))
        }
        "*" => {
            let Some(n) = vm.as_index(b).filter(|_| !matches!(b, Value::Float(_))) else {
                return Ok(None);
            };
            let n = n.max(0) as usize;
            if inplace {
                edit(vm, ra, |x| *x = x.repeat(n));
                return Ok(Some(a));
            }
            let repeated = contents(vm, ra).repeat(n);
            Ok(Some(vm.alloc(Object::ByteArray(repeated))))
        }
        _ => Ok(None),
    }
}

/// The native method `name` of bytearray: its own, else bytes' run on its contents.
pub fn lookup(name: &str) -> Option<(&'static str, NativeFn)> {
    let own: Option<(&'static str, NativeFn)> = match name {
        "append" => Some(("append", ba_append)),
        "extend" => Some(("extend", ba_extend)),
        "insert" => Some(("insert", ba_insert)),
        "pop" => Some(("pop", ba_pop)),
        "remove" => Some(("remove", ba_remove)),
        "reverse" => Some(("reverse", ba_reverse)),
        "clear" => Some(("clear", ba_clear)),
        "copy" => Some(("copy", ba_copy)),
        "fromhex" => Some(("fromhex", ba_fromhex)),
        _ => None,
    };
    if own.is_some() {
        return own;
    }
    let (name, _) = super::bytes::lookup(name)?;
    DELEGATES.iter().find(|(n, _)| *n == name).copied()
}

fn receiver(r: Option<Value>) -> ObjRef {
    recv(r).as_obj().expect("a bytearray is a heap object")
}

fn ba_append(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let [v] = args.pos.as_slice() else {
        return Err(vm.type_error("append() takes exactly one argument"));
    };
    let value = byte(vm, *v)?;
    edit(vm, receiver(r), |b| b.push(value));
    Ok(Value::None)
}

fn ba_extend(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let [v] = args.pos.as_slice() else {
        return Err(vm.type_error("extend() takes exactly one argument"));
    };
    let more = bytes_from(vm, *v)?;
    edit(vm, receiver(r), |b| b.extend(more));
    Ok(Value::None)
}

fn ba_insert(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let [at, v] = args.pos.as_slice() else {
        return Err(vm.type_error("insert expected 2 arguments"));
    };
    let len = contents(vm, receiver(r)).len() as i64;
    let at = vm.as_index(*at).unwrap_or(0);
    let at = if at < 0 {
        (at + len).max(0)
    } else {
        at.min(len)
    } as usize;
    let value = byte(vm, *v)?;
    edit(vm, receiver(r), |b| b.insert(at, value));
    Ok(Value::None)
}

fn ba_pop(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let len = contents(vm, receiver(r)).len() as i64;
    if len == 0 {
        return Err(vm.new_exception("IndexError", "pop from empty bytearray"));
    }
    let at = args.pos.first().and_then(|v| vm.as_index(*v)).unwrap_or(-1);
    let i = if at < 0 { at + len } else { at };
    if !(0..len).contains(&i) {
        return Err(vm.new_exception("IndexError", "pop index out of range"));
    }
    let value = edit(vm, receiver(r), |b| b.remove(i as usize)).unwrap_or(0);
    Ok(Value::Int(i64::from(value)))
}

fn ba_remove(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let value = byte(vm, args.pos.first().copied().unwrap_or(Value::None))?;
    let found = edit(vm, receiver(r), |b| {
        match b.iter().position(|x| *x == value) {
            Some(i) => {
                b.remove(i);
                true
            }
            None => false,
        }
    });
    if found != Some(true) {
        return Err(vm.new_exception("ValueError", "value not found in bytearray"));
    }
    Ok(Value::None)
}

fn ba_reverse(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    edit(vm, receiver(r), |b| b.reverse());
    Ok(Value::None)
}

fn ba_clear(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    edit(vm, receiver(r), Vec::clear);
    Ok(Value::None)
}

fn ba_copy(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let b = contents(vm, receiver(r));
    Ok(vm.alloc(Object::ByteArray(b)))
}

fn ba_fromhex(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (_, fromhex) = super::bytes::lookup("fromhex").expect("bytes has fromhex");
    let b = fromhex(vm, None, args)?;
    let data = bytes_like(vm, b).unwrap_or_default();
    Ok(vm.alloc(Object::ByteArray(data)))
}

/// Runs bytes' method `name` on a copy of the receiver's contents; bytes in the result
/// (also inside a list or tuple) come back as bytearrays.
fn delegate(vm: &mut Vm, r: Option<Value>, args: Args, name: &str) -> R {
    let (_, method) = super::bytes::lookup(name).expect("a bytes method");
    let data = contents(vm, receiver(r));
    let copy = vm.alloc(Object::Bytes(data));
    let result = method(vm, Some(copy), args)?;
    Ok(to_bytearray(vm, result))
}

fn to_bytearray(vm: &mut Vm, v: Value) -> Value {
    let Some(r) = v.as_obj() else { return v };
    match vm.heap.get(r) {
        Object::Bytes(b) => {
            let b = b.clone();
            vm.alloc(Object::ByteArray(b))
        }
        Object::List(items) | Object::Tuple(items) => {
            let items = items.clone();
            let is_list = matches!(vm.heap.get(r), Object::List(_));
            let converted: Vec<Value> = items.into_iter().map(|i| to_bytearray(vm, i)).collect();
            if is_list {
                vm.new_list(converted)
            } else {
                vm.new_tuple(converted)
            }
        }
        _ => v,
    }
}

macro_rules! delegates {
    ($($name:literal => $f:ident;)*) => {
        $(fn $f(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
            delegate(vm, r, args, $name)
        })*

        const DELEGATES: &[(&str, NativeFn)] = &[$(($name, $f),)*];
    };
}

delegates! {
    "split" => d_split; "rsplit" => d_rsplit; "splitlines" => d_splitlines;
    "strip" => d_strip; "lstrip" => d_lstrip; "rstrip" => d_rstrip;
    "replace" => d_replace; "find" => d_find; "rfind" => d_rfind; "index" => d_index;
    "rindex" => d_rindex; "startswith" => d_startswith; "endswith" => d_endswith;
    "upper" => d_upper; "lower" => d_lower; "swapcase" => d_swapcase; "title" => d_title;
    "capitalize" => d_capitalize; "isdigit" => d_isdigit; "isalpha" => d_isalpha;
    "isalnum" => d_isalnum; "isspace" => d_isspace; "isupper" => d_isupper;
    "islower" => d_islower; "istitle" => d_istitle; "ljust" => d_ljust; "rjust" => d_rjust;
    "center" => d_center; "zfill" => d_zfill; "partition" => d_partition;
    "rpartition" => d_rpartition; "expandtabs" => d_expandtabs; "decode" => d_decode;
    "join" => d_join; "count" => d_count; "hex" => d_hex;
}

/// bytearray's `__reduce_ex__`: `(bytearray, (text, 'latin-1'), dict)` below protocol 3
/// (for Python 2), else `(bytearray, (bytes,), dict)` (`()` when empty).
pub fn reduce(vm: &mut Vm, obj: Value, proto: i64) -> R {
    let data = bytes_like(vm, obj).unwrap_or_default();
    let class = Value::Obj(vm.type_of(obj));
    let args = if proto < 3 {
        let text: String = data.iter().map(|&c| char::from(c)).collect();
        let text = vm.new_str(text);
        let encoding = vm.new_str("latin-1");
        vm.new_tuple(vec![text, encoding])
    } else if data.is_empty() {
        vm.new_tuple(vec![])
    } else {
        let b = vm.alloc(Object::Bytes(data));
        vm.new_tuple(vec![b])
    };
    Ok(vm.new_tuple(vec![class, args, Value::None]))
}
