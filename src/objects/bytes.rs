//! The methods of `bytes`. Most are str's methods run over a text view of the bytes: ASCII
//! bytes as themselves, bytes 0x80-0xFF as private-use characters, which no str method
//! treats as letters, digits, space or cased, just as bytes methods treat them. Text results
//! turn back into bytes. Only what has no str counterpart (decode, hex, fromhex, count of an int)
//! is written here.

use super::args::recv;
use super::str::*;
use super::str_case::*;
use crate::vm::object::{Args, NativeFn, Object};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

/// Where bytes 0x80-0xFF live in the text view.
const HIGH_BYTES: u32 = 0xE000;

fn to_text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                char::from_u32(HIGH_BYTES + u32::from(b)).expect("a private-use character")
            }
        })
        .collect()
}

fn from_text(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| match c as u32 {
            b @ 0..0x80 => Some(b as u8),
            b if (HIGH_BYTES + 0x80..HIGH_BYTES + 0x100).contains(&b) => {
                Some((b - HIGH_BYTES) as u8)
            }
            _ => None,
        })
        .collect()
}

/// The bytes of any bytes-like value (bytes, bytearray, memoryview).
fn bytes_of(vm: &Vm, v: Value) -> Option<Vec<u8>> {
    super::buffer::bytes_like(vm, v)
}

/// An argument in the text view: bytes become text, and so do the bytes in a tuple or list
/// (startswith's tuple of prefixes, join's items); str is refused as bytes methods refuse it.
fn arg_to_text(vm: &mut Vm, v: Value, str_refusal: &str) -> R {
    if let Some(b) = bytes_of(vm, v) {
        let text = to_text(&b);
        return Ok(vm.new_str(text));
    }
    if vm.str_of(v).is_some() {
        return Err(vm.type_error(str_refusal));
    }
    let items = match v.as_obj().map(|o| vm.heap.get(o)) {
        Some(Object::Tuple(items)) => (items.clone(), true),
        Some(Object::List(items)) => (items.clone(), false),
        _ => return Ok(v),
    };
    let converted = items
        .0
        .into_iter()
        .map(|item| arg_to_text(vm, item, str_refusal))
        .collect::<PyResult<Vec<Value>>>()?;
    Ok(if items.1 {
        vm.new_tuple(converted)
    } else {
        vm.new_list(converted)
    })
}

/// A str method's result back from the text view: text becomes bytes, also inside the
/// list or tuple split and partition return.
fn result_to_bytes(vm: &mut Vm, v: Value) -> R {
    if let Some(text) = vm.str_of(v) {
        return match from_text(text) {
            Some(b) => Ok(vm.alloc(Object::Bytes(b))),
            None => Err(vm.new_exception("ValueError", "byte must be in range(0, 256)")),
        };
    }
    let (items, is_tuple) = match v.as_obj().map(|o| vm.heap.get(o)) {
        Some(Object::Tuple(items)) => (items.clone(), true),
        Some(Object::List(items)) => (items.clone(), false),
        _ => return Ok(v),
    };
    let converted = items
        .into_iter()
        .map(|item| result_to_bytes(vm, item))
        .collect::<PyResult<Vec<Value>>>()?;
    Ok(if is_tuple {
        vm.new_tuple(converted)
    } else {
        vm.new_list(converted)
    })
}

/// What bytes methods say when given a str.
const BYTES_REQUIRED: &str = "a bytes-like object is required, not 'str'";
/// ... and what the searching ones (find, index, count) say.
const INT_OR_BYTES: &str = "argument should be integer or bytes-like object, not 'str'";

/// Runs str's `method` on the text view of the receiver and arguments.
fn via_str(vm: &mut Vm, r: Option<Value>, mut args: Args, method: NativeFn, refusal: &str) -> R {
    let receiver = bytes_of(vm, recv(r))
        .map(|b| to_text(&b))
        .unwrap_or_default();
    let receiver = vm.new_str(receiver);
    // The searching methods take a byte as an int too (find(98)).
    if refusal == INT_OR_BYTES
        && let Some(first) = args.pos.first_mut()
        && bytes_of(vm, *first).is_none()
        && vm.str_of(*first).is_none()
        && let Some(n) = vm.as_index(*first)
    {
        let Ok(byte) = u8::try_from(n) else {
            return Err(vm.new_exception("ValueError", "byte must be in range(0, 256)"));
        };
        *first = vm.alloc(Object::Bytes(vec![byte]));
    }
    let pos = args
        .pos
        .into_iter()
        .map(|a| arg_to_text(vm, a, refusal))
        .collect::<PyResult<Vec<Value>>>()?;
    let kw = args
        .kw
        .into_iter()
        .map(|(k, a)| Ok((k, arg_to_text(vm, a, refusal)?)))
        .collect::<PyResult<Vec<(String, Value)>>>()?;
    let result = method(vm, Some(receiver), Args { pos, kw })?;
    result_to_bytes(vm, result)
}

/// The native method `name` of bytes, if it has one.
pub fn lookup(name: &str) -> Option<(&'static str, NativeFn)> {
    METHODS.iter().find(|(n, _)| *n == name).copied()
}

/// The names of bytes' methods (for dir()).
pub fn method_names() -> impl Iterator<Item = &'static str> {
    METHODS.iter().map(|(n, _)| *n)
}

macro_rules! str_methods {
    ($($name:literal => $bytes_fn:ident via $str_fn:ident $(, $refusal:ident)?;)*) => {
        $(fn $bytes_fn(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
            let refusals: &[&str] = &[$($refusal,)? BYTES_REQUIRED];
            via_str(vm, r, args, $str_fn, refusals[0])
        })*

        /// The native methods of bytes.
        const METHODS: &[(&str, NativeFn)] = &[
            $(($name, $bytes_fn),)*
            ("decode", b_decode),
            ("join", b_join),
            ("count", b_count),
            ("hex", b_hex),
            ("fromhex", b_fromhex),
            ("isascii", b_isascii),
            ("maketrans", b_maketrans),
            ("translate", b_translate),
        ];
    };
}

str_methods! {
    "split" => b_split via s_split;
    "rsplit" => b_rsplit via s_rsplit;
    "splitlines" => b_splitlines via s_splitlines;
    "strip" => b_strip via s_strip;
    "lstrip" => b_lstrip via s_lstrip;
    "rstrip" => b_rstrip via s_rstrip;
    "replace" => b_replace via s_replace;
    "find" => b_find via s_find, INT_OR_BYTES;
    "rfind" => b_rfind via s_rfind, INT_OR_BYTES;
    "index" => b_index via s_index, INT_OR_BYTES;
    "rindex" => b_rindex via s_rindex, INT_OR_BYTES;
    "startswith" => b_startswith via s_startswith;
    "endswith" => b_endswith via s_endswith;
    "upper" => b_upper via s_upper;
    "lower" => b_lower via s_lower;
    "swapcase" => b_swapcase via s_swapcase;
    "title" => b_title via s_title;
    "capitalize" => b_capitalize via s_capitalize;
    "isdigit" => b_isdigit via s_isdigit;
    "isalpha" => b_isalpha via s_isalpha;
    "isalnum" => b_isalnum via s_isalnum;
    "isspace" => b_isspace via s_isspace;
    "isupper" => b_isupper via s_isupper;
    "islower" => b_islower via s_islower;
    "istitle" => b_istitle via s_istitle;
    "ljust" => b_ljust via s_ljust;
    "rjust" => b_rjust via s_rjust;
    "center" => b_center via s_center;
    "zfill" => b_zfill via s_zfill;
    "partition" => b_partition via s_partition;
    "rpartition" => b_rpartition via s_rpartition;
    "expandtabs" => b_expandtabs via s_expandtabs;
}

/// sep.join(iterable): any iterable of bytes, collected first.
fn b_join(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let items = match args.pos.first() {
        Some(v) => vm.collect_iterable(*v)?,
        None => vec![],
    };
    for (i, item) in items.iter().enumerate() {
        if bytes_of(vm, *item).is_none() {
            let msg = format!(
                "sequence item {i}: expected a bytes-like object, {} found",
                vm.type_name(*item)
            );
            return Err(vm.type_error(&msg));
        }
    }
    let list = vm.new_list(items);
    via_str(vm, r, Args::new(vec![list]), s_join, BYTES_REQUIRED)
}

/// count(sub[, start[, end]]); `sub` may be a single byte as an int (`via_str` checks its
/// range).
fn b_count(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    via_str(vm, r, args, s_count, INT_OR_BYTES)
}

fn b_hex(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let hex: String = bytes_of(vm, recv(r))
        .unwrap_or_default()
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    Ok(vm.new_str(hex))
}

/// bytes.fromhex(s): two hex digits a byte, ASCII whitespace allowed between bytes (not
/// inside one); ValueError at the position of the first character that does not fit.
fn b_fromhex(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let text = match args.pos.first() {
        Some(&v) => match vm.str_of(v) {
            Some(t) => t.to_string(),
            None => {
                let t = vm.type_name(v);
                return Err(vm.type_error(&format!("fromhex() argument must be str, not {t}")));
            }
        },
        None => return Err(vm.type_error("fromhex() takes exactly one argument (0 given)")),
    };
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: usize| chars.get(i).and_then(|c| c.to_digit(16));
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while chars
            .get(i)
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'))
        {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let bad = match (digit(i), digit(i + 1)) {
            (Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 2;
                continue;
            }
            (None, _) => i,
            (Some(_), None) => i + 1,
        };
        return Err(vm.new_exception(
            "ValueError",
            &format!("non-hexadecimal number found in fromhex() arg at position {bad}"),
        ));
    }
    Ok(vm.alloc(Object::Bytes(out)))
}

fn b_decode(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let b = bytes_of(vm, recv(r)).unwrap_or_default();
    super::codecs::decode(vm, &b, &args)
}

fn b_isascii(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let b = bytes_of(vm, recv(r)).unwrap_or_default();
    Ok(Value::Bool(b.is_ascii()))
}

/// A bytes-like argument of maketrans/translate, with CPython's TypeError otherwise.
fn bytes_arg(vm: &mut Vm, v: Value) -> PyResult<Vec<u8>> {
    bytes_of(vm, v).ok_or_else(|| {
        let t = vm.type_name(v);
        vm.type_error(&format!("a bytes-like object is required, not '{t}'"))
    })
}

/// bytes.maketrans(from, to): the 256-byte table mapping each byte of `from` to the byte
/// of `to` at the same place.
fn b_maketrans(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let [from, to] = args.pos[..] else {
        let given = args.pos.len();
        let message = format!("maketrans expected 2 arguments, got {given}");
        return Err(vm.type_error(&message));
    };
    let (from, to) = (bytes_arg(vm, from)?, bytes_arg(vm, to)?);
    if from.len() != to.len() {
        let message = "maketrans arguments must have same length";
        return Err(vm.new_exception("ValueError", message));
    }
    let mut table: Vec<u8> = (0..=255).collect();
    for (f, t) in from.into_iter().zip(to) {
        table[usize::from(f)] = t;
    }
    Ok(vm.alloc(Object::Bytes(table)))
}

/// b.translate(table, delete=b''): each byte mapped through the 256-byte table (None
/// keeps it), the bytes in `delete` left out.
fn b_translate(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let me = bytes_of(vm, recv(r)).unwrap_or_default();
    let table = match args.pos.first().copied() {
        None => return Err(vm.type_error("translate() missing required argument 'table' (pos 1)")),
        Some(Value::None) => None,
        Some(t) => {
            let t = bytes_arg(vm, t)?;
            if t.len() != 256 {
                let message = "translation table must be 256 characters long";
                return Err(vm.new_exception("ValueError", message));
            }
            Some(t)
        }
    };
    let delete = match args
        .pos
        .get(1)
        .copied()
        .or_else(|| super::args::kwarg(&args, "delete"))
    {
        Some(d) => bytes_arg(vm, d)?,
        None => Vec::new(),
    };
    let out: Vec<u8> = me
        .into_iter()
        .filter(|b| !delete.contains(b))
        .map(|b| table.as_ref().map_or(b, |t| t[usize::from(b)]))
        .collect();
    let result = vm.alloc(Object::Bytes(out));
    Ok(result)
}
