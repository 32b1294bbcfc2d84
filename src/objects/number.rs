//! The methods of int and float.

use super::args::recv;
use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use num_traits::{Signed, Zero};

type R = PyResult<Value>;

pub(crate) fn i_bit_length(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let i = vm.as_bigint(recv(r)).unwrap_or_default();
    Ok(Value::Int(i.bits() as i64))
}

pub(crate) fn f_is_integer(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(Value::Bool(
        vm.to_f64(recv(r)).is_some_and(|f| f.fract() == 0.0),
    ))
}

/// The `byteorder` argument of to_bytes/from_bytes: big-endian or not.
fn big_endian(vm: &mut Vm, order: Option<Value>) -> PyResult<bool> {
    match order.and_then(|o| vm.str_of(o)) {
        Some("big") => Ok(true),
        Some("little") => Ok(false),
        Some(_) => {
            Err(vm.new_exception("ValueError", "byteorder must be either 'little' or 'big'"))
        }
        None => match order {
            None => Err(vm.type_error("to_bytes() missing required argument 'byteorder' (pos 2)")),
            Some(o) => {
                let t = vm.type_name(o);
                Err(vm.type_error(&format!("to_bytes() argument 2 must be str, not {t}")))
            }
        },
    }
}

/// int.to_bytes(length, byteorder, *, signed=False).
pub(crate) fn i_to_bytes(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    super::args::check_keywords(vm, &args, "to_bytes", &["length", "byteorder", "signed"])?;
    let n = vm.as_bigint(recv(r)).unwrap_or_default();
    let length = args
        .pos
        .first()
        .copied()
        .or_else(|| super::args::kwarg(&args, "length"));
    let Some(length) = length else {
        return Err(vm.type_error("to_bytes() missing required argument 'length' (pos 1)"));
    };
    let length = vm.ssize_arg(length)?;
    let order = args
        .pos
        .get(1)
        .copied()
        .or_else(|| super::args::kwarg(&args, "byteorder"));
    let big = big_endian(vm, order)?;
    let signed = match super::args::kwarg(&args, "signed") {
        Some(s) => vm.truthy(s)?,
        None => false,
    };
    if length < 0 {
        return Err(vm.new_exception("ValueError", "length argument must be non-negative"));
    }
    if n.is_negative() && !signed {
        return Err(vm.new_exception("OverflowError", "can't convert negative int to unsigned"));
    }
    let mut bytes = if signed {
        n.to_signed_bytes_le()
    } else {
        n.to_bytes_le().1
    };
    // Zero has no significant bytes; a sign byte of its own is dropped when not needed.
    if n.is_zero() {
        bytes.clear();
    }
    let length = length as usize;
    if bytes.len() > length {
        return Err(vm.new_exception("OverflowError", "int too big to convert"));
    }
    let fill = if n.is_negative() { 0xff } else { 0 };
    bytes.resize(length, fill);
    if big {
        bytes.reverse();
    }
    Ok(vm.alloc(Object::Bytes(bytes)))
}

/// int.from_bytes(bytes, byteorder, *, signed=False): a class method.
pub(crate) fn i_from_bytes(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    super::args::check_keywords(vm, &args, "from_bytes", &["bytes", "byteorder", "signed"])?;
    let Some(source) = args
        .pos
        .first()
        .copied()
        .or_else(|| super::args::kwarg(&args, "bytes"))
    else {
        return Err(vm.type_error("from_bytes() missing required argument 'bytes' (pos 1)"));
    };
    let order = args
        .pos
        .get(1)
        .copied()
        .or_else(|| super::args::kwarg(&args, "byteorder"));
    let big = big_endian(vm, order)?;
    let signed = match super::args::kwarg(&args, "signed") {
        Some(s) => vm.truthy(s)?,
        None => false,
    };
    let mut bytes = match super::buffer::bytes_like(vm, source) {
        Some(b) => b,
        None => {
            if vm.str_of(source).is_some() {
                return Err(vm.type_error("cannot convert 'str' object to bytes"));
            }
            let items = vm.collect_iterable(source)?;
            items
                .into_iter()
                .map(|x| super::bytearray::byte_value(vm, x))
                .collect::<PyResult<Vec<u8>>>()?
        }
    };
    if big {
        bytes.reverse();
    }
    let n = if signed {
        BigInt::from_signed_bytes_le(&bytes)
    } else {
        BigInt::from_bytes_le(num_bigint::Sign::Plus, &bytes)
    };
    Ok(vm.new_int(n))
}

/// The float a float method's receiver is (a float subclass instance holds one).
fn float_recv(vm: &Vm, r: Option<Value>) -> f64 {
    let me = recv(r);
    vm.to_f64(vm.payload_of(me).unwrap_or(me)).unwrap_or(0.0)
}

/// float.as_integer_ratio(): the exact fraction, in lowest terms, positive denominator.
pub(crate) fn f_as_integer_ratio(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let f = float_recv(vm, r);
    if f.is_infinite() {
        let message = "cannot convert Infinity to integer ratio";
        return Err(vm.new_exception("OverflowError", message));
    }
    if f.is_nan() {
        return Err(vm.new_exception("ValueError", "cannot convert NaN to integer ratio"));
    }
    let (mut mantissa, mut exponent) = decompose(f);
    // In lowest terms: the mantissa's trailing zero bits cancel powers of the denominator.
    if mantissa == 0 {
        exponent = 0;
    } else if exponent < 0 {
        let cut = (mantissa.trailing_zeros() as i32).min(-exponent);
        mantissa >>= cut;
        exponent += cut;
    }
    let mut numerator = BigInt::from(mantissa);
    let mut denominator = BigInt::from(1);
    if exponent >= 0 {
        numerator <<= exponent as usize;
    } else {
        denominator <<= (-exponent) as usize;
    }
    if f < 0.0 {
        numerator = -numerator;
    }
    let (n, d) = (vm.new_int(numerator), vm.new_int(denominator));
    Ok(vm.new_tuple(vec![n, d]))
}

/// A finite float's magnitude as mantissa * 2**exponent (the mantissa an integer).
fn decompose(f: f64) -> (u64, i32) {
    let bits = f.abs().to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    }
}

/// float.hex(): '0x1.8000000000000p+1', as CPython writes it.
pub(crate) fn f_hex(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let f = float_recv(vm, r);
    let text = if f.is_nan() {
        "nan".to_string()
    } else if f.is_infinite() {
        if f < 0.0 { "-inf" } else { "inf" }.to_string()
    } else {
        let sign = if f.is_sign_negative() { "-" } else { "" };
        let bits = f.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1 << 52) - 1);
        if biased == 0 && fraction == 0 {
            format!("{sign}0x0.0p+0")
        } else if biased == 0 {
            format!("{sign}0x0.{fraction:013x}p-1022")
        } else {
            format!("{sign}0x1.{fraction:013x}p{:+}", biased - 1023)
        }
    };
    Ok(vm.new_str(text))
}

/// float.fromhex(s): the float a hexadecimal string (float.hex's form, or a shorter one)
/// denotes, rounded to nearest.
pub(crate) fn f_fromhex(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let [text] = args.pos[..] else {
        let given = args.pos.len();
        return Err(vm.type_error(&format!(
            "fromhex() takes exactly one argument ({given} given)"
        )));
    };
    let Some(s) = vm.str_of(text).map(str::to_string) else {
        let t = vm.type_name(text);
        return Err(vm.type_error(&format!("must be str, not {t}")));
    };
    match parse_hex_float(s.trim()) {
        Some(f) if f.is_finite() || f.is_nan() || s.to_ascii_lowercase().contains("inf") => {
            Ok(Value::Float(f))
        }
        Some(_) => Err(vm.new_exception(
            "OverflowError",
            "hexadecimal value too large to represent as a float",
        )),
        None => Err(vm.new_exception("ValueError", "invalid hexadecimal floating-point string")),
    }
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            let digits = lower.strip_prefix("0x").unwrap_or(&lower);
            let (number, power) = match digits.split_once('p') {
                Some((n, p)) => (n, p.parse::<i64>().ok()?),
                None => (digits, 0),
            };
            let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
            if whole.is_empty() && fraction.is_empty() {
                return None;
            }
            // The first 60 significant bits exactly, the rest as a sticky bit for rounding.
            let mut mantissa: u64 = 0;
            let mut exponent = power;
            let mut sticky = false;
            for (i, c) in whole.chars().chain(fraction.chars()).enumerate() {
                let d = u64::from(c.to_digit(16)?);
                if mantissa >> 56 == 0 {
                    mantissa = mantissa * 16 + d;
                    if i >= whole.len() {
                        exponent -= 4;
                    }
                } else {
                    sticky |= d != 0;
                    if i < whole.len() {
                        exponent += 4;
                    }
                }
            }
            let mantissa = mantissa | u64::from(sticky);
            scale(mantissa as f64, exponent)
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `m * 2**e` in steps that stay exact until the last one.
fn scale(mut m: f64, mut e: i64) -> f64 {
    while e > 1000 {
        m *= 2f64.powi(1000);
        e -= 1000;
        if m.is_infinite() {
            return m;
        }
    }
    while e < -1000 {
        m *= 2f64.powi(-1000);
        e += 1000;
        if m == 0.0 {
            return m;
        }
    }
    m * 2f64.powi(e as i32)
}
