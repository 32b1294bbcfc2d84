//! `struct`: packing values into bytes and back by a format (`<I`, `>2hd`, `@ci`), with
//! CPython 3.7's sizes, alignment, byte orders and `struct.error` messages. The Struct
//! class is a few lines of Python over these functions.

use super::{R, arg};
use crate::vm::object::{Args, NameMap, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use num_bigint::BigInt;
use num_traits::ToPrimitive;

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "struct",
        &[
            ("pack", st_pack),
            ("unpack", st_unpack),
            ("calcsize", st_calcsize),
            ("unpack_from", st_unpack_from),
            ("iter_unpack", st_iter_unpack),
            ("pack_into", st_pack_into),
        ],
    );
    let exception = vm.types["Exception"];
    let mut dict = NameMap::default();
    dict.insert("__module__".into(), vm.new_str("struct"));
    let error = vm.new_class("error", vec![exception], dict)?;
    vm.dict_set_str(vm.module_dict(m), "error", Value::Obj(error));
    vm.run_in_module(m, "<minipy struct>", STRUCT_CLASS)?;
    Ok(m)
}

const STRUCT_CLASS: &str = r#"
class Struct:
    """A compiled format: pack and unpack with it again and again."""

    def __init__(self, format):
        if isinstance(format, bytes):
            format = format.decode('ascii')
        self.format = format
        self.size = calcsize(format)

    def pack(self, *values):
        return pack(self.format, *values)

    def pack_into(self, buffer, offset, *values):
        return pack_into(self.format, buffer, offset, *values)

    def unpack(self, buffer):
        return unpack(self.format, buffer)

    def unpack_from(self, buffer, offset=0):
        return unpack_from(self.format, buffer, offset)

    def iter_unpack(self, buffer):
        return iter_unpack(self.format, buffer)

    def __repr__(self):
        return 'Struct(%r)' % (self.format,)
"#;

/// One item of a format: its code, repeat count, and where it starts.
#[derive(Clone, Copy)]
struct Item {
    code: u8,
    count: usize,
    offset: usize,
}

/// A parsed format.
struct Layout {
    items: Vec<Item>,
    size: usize,
    little: bool,
    /// Native mode ('@', the default): native sizes and alignment.
    native: bool,
}

fn error(vm: &mut Vm, message: &str) -> Value {
    let class = vm
        .modules
        .get("struct")
        .and_then(|m| vm.dict_get_str(vm.module_dict(*m), "error"))
        .and_then(Value::as_obj);
    match class {
        Some(c) => {
            let text = vm.new_str(message);
            vm.instantiate_exception(c, vec![text])
        }
        None => vm.new_exception("ValueError", message),
    }
}

/// Size of one value of `code`, in native or standard mode; `None` for a bad code.
fn item_size(code: u8, native: bool) -> Option<usize> {
    Some(match code {
        b'x' | b'c' | b'b' | b'B' | b'?' | b's' | b'p' => 1,
        b'h' | b'H' | b'e' => 2,
        b'i' | b'I' | b'f' => 4,
        b'l' | b'L' => {
            if native {
                8
            } else {
                4
            }
        }
        b'q' | b'Q' | b'd' => 8,
        b'n' | b'N' | b'P' if native => 8,
        _ => return None,
    })
}

fn parse(vm: &mut Vm, format: &str) -> PyResult<Layout> {
    let bytes = format.as_bytes();
    let (little, native, mut i) = match bytes.first() {
        Some(b'<') => (true, false, 1),
        Some(b'>' | b'!') => (false, false, 1),
        Some(b'=') => (true, false, 1),
        Some(b'@') => (true, true, 1),
        _ => (true, true, 0),
    };
    let mut items = Vec::new();
    let mut size = 0usize;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let mut count = None;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            let digit = usize::from(bytes[i] - b'0');
            count = Some(
                count
                    .unwrap_or(0usize)
                    .saturating_mul(10)
                    .saturating_add(digit),
            );
            i += 1;
        }
        let Some(&code) = bytes.get(i) else {
            return Err(error(vm, "repeat count given without format specifier"));
        };
        i += 1;
        let Some(one) = item_size(code, native) else {
            return Err(error(vm, "bad char in struct format"));
        };
        if native && !matches!(code, b's' | b'p') {
            size = size.div_ceil(one) * one;
        }
        let count = count.unwrap_or(1);
        items.push(Item {
            code,
            count,
            offset: size,
        });
        size = one
            .checked_mul(count)
            .and_then(|bytes| size.checked_add(bytes))
            .filter(|&total| total <= isize::MAX as usize)
            .ok_or_else(|| error(vm, "total struct size too long"))?;
    }
    Ok(Layout {
        items,
        size,
        little,
        native,
    })
}

fn format_of(vm: &mut Vm, v: Value) -> PyResult<String> {
    if let Some(s) = vm.str_of(v) {
        return Ok(s.to_string());
    }
    if let Some(b) = crate::objects::buffer::bytes_like(vm, v) {
        return Ok(String::from_utf8_lossy(&b).into_owned());
    }
    let t = vm.type_name(v);
    Err(vm.type_error(&format!(
        "Struct() argument 1 must be a str or bytes object, not {t}"
    )))
}

fn st_calcsize(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let format = format_of(vm, arg(&args, 0))?;
    let layout = parse(vm, &format)?;
    Ok(Value::Int(layout.size as i64))
}

/// How many values a layout packs (pad bytes none, a string one per item).
fn value_count(layout: &Layout) -> usize {
    layout
        .items
        .iter()
        .map(|it| match it.code {
            b'x' => 0,
            b's' | b'p' => 1,
            _ => it.count,
        })
        .sum()
}

/// The integer to pack, with struct's error for anything else.
fn integer(vm: &mut Vm, v: Value) -> PyResult<BigInt> {
    if matches!(v, Value::Float(_)) {
        return Err(error(vm, "required argument is not an integer"));
    }
    let v = vm.index_via_dunder(v)?;
    match vm.as_bigint(v) {
        Some(n) => Ok(n),
        None => Err(error(vm, "required argument is not an integer")),
    }
}

/// 3.7's message for an int out of a code's range. With '<', '=' and '@' (this machine is
/// little-endian) 3.7 packs with its native routines, with '>' with its standard ones:
/// their words differ.
fn range_message(code: u8, big_endian: bool, n: &BigInt, low: &BigInt, high: &BigInt) -> String {
    let c = char::from(code);
    let unsigned = code.is_ascii_uppercase();
    let negative = n.sign() == num_bigint::Sign::Minus;
    match code {
        b'b' => return "byte format requires -128 <= number <= 127".into(),
        b'B' => return "ubyte format requires 0 <= number <= 255".into(),
        _ => {}
    }
    if code == b'Q' && negative && big_endian {
        return "int too large to convert".into();
    }
    if unsigned && negative && code != b'H' {
        return "argument out of range".into();
    }
    if code == b'H' && negative && big_endian {
        return "argument out of range".into();
    }
    if !big_endian {
        return match code {
            b'h' => "short format requires (-0x7fff - 1) <= number <= 0x7fff".into(),
            b'H' => "ushort format requires 0 <= number <= (0x7fff * 2 + 1)".into(),
            b'i' | b'I' => format!("'{c}' format requires {low} <= number <= {high}"),
            _ => "argument out of range".into(),
        };
    }
    let fits_c_long = if unsigned {
        n.to_u64().is_some()
    } else {
        n.to_i64().is_some()
    };
    match (fits_c_long, code) {
        (false, b'q' | b'Q') => "int too large to convert".into(),
        (false, _) => "argument out of range".into(),
        (true, _) => format!("'{c}' format requires {low} <= number <= {high}"),
    }
}

fn put_int(
    vm: &mut Vm,
    out: &mut [u8],
    code: u8,
    size: usize,
    big_endian: bool,
    n: &BigInt,
) -> PyResult<()> {
    let signed = matches!(code, b'b' | b'h' | b'i' | b'l' | b'q' | b'n');
    let bits = size as u32 * 8;
    let (low, high) = if signed {
        (
            -(BigInt::from(1) << (bits - 1)),
            (BigInt::from(1) << (bits - 1)) - 1,
        )
    } else {
        (BigInt::from(0), (BigInt::from(1) << bits) - 1)
    };
    if *n < low || *n > high {
        let message = range_message(code, big_endian, n, &low, &high);
        return Err(error(vm, &message));
    }
    let wide = n.to_i128().unwrap_or(0) as u128;
    out[..size].copy_from_slice(&wide.to_le_bytes()[..size]);
    Ok(())
}

fn pack_into_vec(vm: &mut Vm, format: &str, values: &[Value]) -> PyResult<Vec<u8>> {
    let layout = parse(vm, format)?;
    let wanted = value_count(&layout);
    if values.len() != wanted {
        return Err(error(
            vm,
            &format!(
                "pack expected {wanted} items for packing (got {})",
                values.len()
            ),
        ));
    }
    vm.check_alloc(layout.size as u64, 1)?;
    let mut out = vec![0u8; layout.size];
    let mut next = values.iter().copied();
    for item in &layout.items {
        let one = item_size(item.code, layout.native).expect("parsed");
        match item.code {
            b'x' => {}
            b's' | b'p' => {
                let v = next.next().expect("counted");
                let Some(data) = crate::objects::buffer::bytes_like(vm, v) else {
                    let c = char::from(item.code);
                    return Err(error(
                        vm,
                        &format!("argument for '{c}' must be a bytes object"),
                    ));
                };
                let field = &mut out[item.offset..item.offset + item.count];
                if item.code == b'p' && field.is_empty() {
                    continue;
                }
                if item.code == b'p' {
                    // A Pascal string: its length (at most 255) in the first byte.
                    let n = data.len().min(item.count.saturating_sub(1)).min(255);
                    if let Some(first) = field.first_mut() {
                        *first = n as u8;
                    }
                    field[1..1 + n].copy_from_slice(&data[..n]);
                } else {
                    let n = data.len().min(item.count);
                    field[..n].copy_from_slice(&data[..n]);
                }
            }
            code => {
                for k in 0..item.count {
                    let v = next.next().expect("counted");
                    let at = item.offset + k * one;
                    let slot = &mut out[at..at + one];
                    match code {
                        b'c' => match crate::objects::buffer::bytes_like(vm, v) {
                            Some(b) if b.len() == 1 => slot[0] = b[0],
                            _ => {
                                return Err(error(
                                    vm,
                                    "char format requires a bytes object of length 1",
                                ));
                            }
                        },
                        b'?' => slot[0] = u8::from(vm.truthy(v)?),
                        b'f' | b'd' | b'e' => {
                            let Some(x) = vm.to_f64(v).or(match v {
                                Value::Obj(_) => match vm.call_special(v, "__float__", vec![])? {
                                    Some(Value::Float(f)) => Some(f),
                                    _ => None,
                                },
                                _ => None,
                            }) else {
                                return Err(error(vm, "required argument is not a float"));
                            };
                            match code {
                                b'f' => {
                                    let f = x as f32;
                                    if f.is_infinite() && x.is_finite() {
                                        return Err(vm.new_exception(
                                            "OverflowError",
                                            "float too large to pack with f format",
                                        ));
                                    }
                                    slot.copy_from_slice(&f.to_le_bytes());
                                }
                                b'd' => slot.copy_from_slice(&x.to_le_bytes()),
                                _ => slot.copy_from_slice(&half_bits(x).to_le_bytes()),
                            }
                        }
                        _ => {
                            let n = integer(vm, v)?;
                            put_int(vm, slot, code, one, !layout.little, &n)?;
                        }
                    }
                    if !layout.little && code != b'c' && code != b'?' {
                        slot.reverse();
                    }
                }
            }
        }
    }
    Ok(out)
}

/// An f64 as IEEE half precision bits (the 'e' format), rounded to nearest even.
fn half_bits(x: f64) -> u16 {
    let f = x as f32;
    let bits = f.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let mant = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if mant != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = mant | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1 << (shift - 1);
        let rounded = (m + half - 1 + ((m >> shift) & 1)) >> shift;
        return sign | rounded as u16;
    }
    let rounded = mant + 0xfff + ((mant >> 13) & 1);
    if rounded & 0x80_0000 != 0 {
        return sign | (((e + 1) as u16) << 10);
    }
    sign | ((e as u16) << 10) | (rounded >> 13) as u16
}

fn half_value(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let mant = f64::from(bits & 0x3ff);
    sign * match exp {
        0 => mant * 2f64.powi(-24),
        0x1f if mant == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        _ => (1.0 + mant / 1024.0) * 2f64.powi(exp - 15),
    }
}

fn st_pack(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let Some(&format) = args.pos.first() else {
        return Err(vm.type_error("pack expected at least 1 argument, got 0"));
    };
    let format = format_of(vm, format)?;
    let out = pack_into_vec(vm, &format, &args.pos[1..])?;
    Ok(vm.alloc(Object::Bytes(out)))
}

fn st_pack_into(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    if args.pos.len() < 3 {
        return Err(vm.type_error("pack_into expected at least 3 arguments"));
    }
    let format = format_of(vm, args.pos[0])?;
    let offset = vm.as_index(args.pos[2]).unwrap_or(0);
    let out = pack_into_vec(vm, &format, &args.pos[3..])?;
    let Some(Object::ByteArray(target)) = args.pos[1].as_obj().map(|r| vm.heap.get_mut(r)) else {
        return Err(vm.type_error("argument must be read-write bytes-like object"));
    };
    let len = target.len() as i64;
    let start = if offset < 0 { offset + len } else { offset };
    if start < 0 || start as usize + out.len() > target.len() {
        let message = format!(
            "pack_into requires a buffer of at least {} bytes for packing {} bytes at offset {offset} (actual buffer size is {len})",
            start.max(0) as usize + out.len(),
            out.len()
        );
        return Err(error(vm, &message));
    }
    target[start as usize..start as usize + out.len()].copy_from_slice(&out);
    Ok(Value::None)
}

fn unpack_values(vm: &mut Vm, layout: &Layout, data: &[u8]) -> Vec<Value> {
    let mut values = Vec::new();
    for item in &layout.items {
        let one = item_size(item.code, layout.native).expect("parsed");
        match item.code {
            b'x' => {}
            b's' => {
                let b = data[item.offset..item.offset + item.count].to_vec();
                values.push(vm.alloc(Object::Bytes(b)));
            }
            b'p' => {
                let field = &data[item.offset..item.offset + item.count];
                let n = field
                    .first()
                    .map_or(0, |n| usize::from(*n).min(item.count.saturating_sub(1)));
                let b = field.get(1..1 + n).unwrap_or_default().to_vec();
                values.push(vm.alloc(Object::Bytes(b)));
            }
            code => {
                for k in 0..item.count {
                    let at = item.offset + k * one;
                    let mut raw = data[at..at + one].to_vec();
                    if !layout.little {
                        raw.reverse();
                    }
                    let v = match code {
                        b'c' => vm.alloc(Object::Bytes(raw)),
                        b'?' => Value::Bool(raw[0] != 0),
                        b'f' => Value::Float(f64::from(f32::from_le_bytes(
                            raw.try_into().expect("four bytes"),
                        ))),
                        b'd' => Value::Float(f64::from_le_bytes(raw.try_into().expect("eight"))),
                        b'e' => Value::Float(half_value(u16::from_le_bytes(
                            raw.try_into().expect("two bytes"),
                        ))),
                        _ => {
                            let signed = matches!(code, b'b' | b'h' | b'i' | b'l' | b'q' | b'n');
                            let n = if signed {
                                BigInt::from_signed_bytes_le(&raw)
                            } else {
                                BigInt::from_bytes_le(num_bigint::Sign::Plus, &raw)
                            };
                            vm.new_int(n)
                        }
                    };
                    values.push(v);
                }
            }
        }
    }
    values
}

fn buffer_of(vm: &mut Vm, v: Value) -> PyResult<Vec<u8>> {
    match crate::objects::buffer::bytes_like(vm, v) {
        Some(b) => Ok(b),
        None => {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("a bytes-like object is required, not '{t}'")))
        }
    }
}

fn st_unpack(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let format = format_of(vm, arg(&args, 0))?;
    let layout = parse(vm, &format)?;
    let data = buffer_of(vm, arg(&args, 1))?;
    if data.len() != layout.size {
        let message = format!("unpack requires a buffer of {} bytes", layout.size);
        return Err(error(vm, &message));
    }
    let values = unpack_values(vm, &layout, &data);
    Ok(vm.new_tuple(values))
}

fn st_unpack_from(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let format = format_of(vm, arg(&args, 0))?;
    let layout = parse(vm, &format)?;
    let data = buffer_of(vm, arg(&args, 1))?;
    let offset = args
        .pos
        .get(2)
        .copied()
        .or_else(|| crate::objects::args::kwarg(&args, "offset"))
        .and_then(|o| vm.as_index(o))
        .unwrap_or(0);
    let len = data.len() as i64;
    let start = if offset < 0 { offset + len } else { offset };
    if start < 0 || start as usize + layout.size > data.len() {
        let message = if start < 0 {
            format!("offset {offset} out of range for {len}-byte buffer")
        } else {
            // (3.7's message gives the format's size, whatever the offset.)
            format!(
                "unpack_from requires a buffer of at least {} bytes",
                layout.size
            )
        };
        return Err(error(vm, &message));
    }
    let start = start as usize;
    let values = unpack_values(vm, &layout, &data[start..start + layout.size]);
    Ok(vm.new_tuple(values))
}

fn st_iter_unpack(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let format = format_of(vm, arg(&args, 0))?;
    let layout = parse(vm, &format)?;
    let data = buffer_of(vm, arg(&args, 1))?;
    if layout.size == 0 {
        return Err(error(
            vm,
            "cannot iteratively unpack with a struct of length 0",
        ));
    }
    if data.len() % layout.size != 0 {
        let message = format!(
            "iterative unpacking requires a buffer of a multiple of {} bytes",
            layout.size
        );
        return Err(error(vm, &message));
    }
    let mut tuples = Vec::new();
    for chunk in data.chunks(layout.size) {
        let values = unpack_values(vm, &layout, chunk);
        tuples.push(vm.new_tuple(values));
    }
    Ok(vm.alloc(Object::Iter(crate::vm::object::Iter::Values {
        items: tuples,
        index: 0,
        type_name: "unpack_iterator",
    })))
}
