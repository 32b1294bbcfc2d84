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
    let Some(length) = length.and_then(|l| vm.as_index(l)) else {
        return Err(vm.type_error("to_bytes() missing required argument 'length' (pos 1)"));
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
