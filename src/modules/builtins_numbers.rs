//! The built-in functions on numbers and characters: abs, round, divmod, pow, chr, ord,
//! hex, oct and bin, with CPython's rounding and error messages.

use crate::objects::args::{arity, check_keywords, kwarg};
use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use num_traits::{Signed, Zero};

type R = PyResult<Value>;

pub(super) fn b_abs(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "abs", &args, 1, 1)?;
    let v = args.pos[0];
    if let Some(z) = vm.as_complex(v)
        && vm.payload_of(v).is_none()
    {
        return vm.complex_abs(z);
    }
    match v {
        Value::Float(f) => Ok(Value::Float(f.abs())),
        _ => match vm.as_bigint(v) {
            Some(i) => Ok(vm.new_int(i.abs())),
            None => match vm.call_special(v, "__abs__", vec![])? {
                Some(r) => Ok(r),
                None => {
                    let t = vm.type_name(v);
                    Err(vm.type_error(&format!("bad operand type for abs(): '{t}'")))
                }
            },
        },
    }
}

/// Rounds half to even at `digits` decimals, as CPython's float round does.
fn round_float(x: f64, digits: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // Past 325 decimals every double is already exact (CPython's NDIGITS_MAX); before
    // -308 every double rounds to a signed zero (NDIGITS_MIN).
    if digits > 325 {
        return x;
    }
    if digits < -308 {
        return 0.0 * x;
    }
    if digits == 0 {
        let r = x.round();
        return if (x - x.trunc()).abs() == 0.5 {
            2.0 * (x / 2.0).round()
        } else {
            r
        };
    }
    // Decimal string rounding gives the correctly rounded result CPython computes.
    let s = format!("{:.*e}", 17, x);
    let Ok(exact) = s.parse::<f64>() else {
        return x;
    };
    let text = format!("{:.*}", digits.max(0) as usize, exact);
    if digits < 0 {
        let p = 10f64.powi((-digits) as i32);
        return round_float(x / p, 0) * p;
    }
    text.parse().unwrap_or(x)
}

pub(super) fn b_round(vm: &mut Vm, _: Option<Value>, mut args: Args) -> R {
    check_keywords(vm, &args, "round", &["number", "ndigits"])?;
    if let Some(i) = args.kw.iter().position(|(k, _)| k == "number") {
        let (_, v) = args.kw.remove(i);
        args.pos.insert(0, v);
    }
    arity(vm, "round", &args, 1, 2)?;
    let v = args.pos[0];
    let digits = args
        .pos
        .get(1)
        .copied()
        .or_else(|| kwarg(&args, "ndigits"))
        .filter(|d| *d != Value::None);
    // ndigits is an index, clipped (as PyNumber_AsSsize_t with no error class).
    let digits = match digits {
        None => None,
        Some(d) => {
            let d = vm.index_via_dunder(d)?;
            match vm.as_bigint(d) {
                Some(big) => Some(Value::Int(num_traits::ToPrimitive::to_i64(&big).unwrap_or(
                    if big.sign() == num_bigint::Sign::Minus {
                        i64::MIN
                    } else {
                        i64::MAX
                    },
                ))),
                None => {
                    let t = vm.type_name(d);
                    return Err(
                        vm.type_error(&format!("'{t}' object cannot be interpreted as an integer"))
                    );
                }
            }
        }
    };
    match v {
        Value::Float(f) => match digits {
            None => {
                if !f.is_finite() {
                    let what = if f.is_nan() {
                        "ValueError"
                    } else {
                        "OverflowError"
                    };
                    let msg = if f.is_nan() {
                        "cannot convert float NaN to integer"
                    } else {
                        "cannot convert float infinity to integer"
                    };
                    return Err(vm.new_exception(what, msg));
                }
                let r = round_float(f, 0);
                // Exactly: a float past i128 (1e39) is still a whole number.
                let whole = num_traits::FromPrimitive::from_f64(r).unwrap_or_default();
                Ok(vm.new_int(whole))
            }
            Some(d) => {
                let d = vm.as_index(d).unwrap_or(0);
                Ok(Value::Float(round_float(f, d)))
            }
        },
        _ => match vm.as_bigint(v) {
            Some(i) => match digits {
                // Rounding at a place past every digit the int has gives 0.
                Some(d)
                    if vm.as_index(d).unwrap_or(0) < 0
                        && vm.as_index(d).unwrap_or(0).unsigned_abs()
                            > i.to_string().len() as u64 + 1 =>
                {
                    Ok(Value::Int(0))
                }
                Some(d) if vm.as_index(d).unwrap_or(0) < 0 => {
                    let p =
                        num_traits::pow(BigInt::from(10), (-vm.as_index(d).unwrap_or(0)) as usize);
                    let (q, r) = num_integer::Integer::div_mod_floor(&i, &p);
                    let twice = &r * 2;
                    let q = if twice > p || (twice == p && num_integer::Integer::is_odd(&q)) {
                        q + 1
                    } else {
                        q
                    };
                    Ok(vm.new_int(q * p))
                }
                _ => Ok(vm.new_int(i)),
            },
            None => match vm.call_special(v, "__round__", args.pos[1..].to_vec())? {
                Some(r) => Ok(r),
                None => {
                    let t = vm.type_name(v);
                    Err(vm.type_error(&format!("type {t} doesn't define __round__ method")))
                }
            },
        },
    }
}

pub(super) fn b_divmod(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "divmod", &args, 2, 2)?;
    let (a, b) = (args.pos[0], args.pos[1]);
    if vm.as_complex(a).is_some() || vm.as_complex(b).is_some() {
        return Err(vm.type_error("can't take floor or mod of complex number."));
    }
    let is_float = |v: Value| matches!(v, Value::Float(_));
    if vm.to_f64(b) == Some(0.0) && vm.to_f64(a).is_some() {
        let what = if is_float(a) || is_float(b) {
            "float divmod()"
        } else {
            "integer division or modulo by zero"
        };
        return Err(vm.new_exception("ZeroDivisionError", what));
    }
    let q = vm.binary_op(
        crate::bytecode::Opcode::BINARY_FLOOR_DIVIDE,
        args.pos[0],
        args.pos[1],
    )?;
    let r = vm.binary_op(
        crate::bytecode::Opcode::BINARY_MODULO,
        args.pos[0],
        args.pos[1],
    )?;
    Ok(vm.new_tuple(vec![q, r]))
}

pub(super) fn b_pow(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "pow", &args, 2, 3)?;
    if args.pos.len() == 3 {
        let (Some(b), Some(e), Some(m)) = (
            vm.as_bigint(args.pos[0]),
            vm.as_bigint(args.pos[1]),
            vm.as_bigint(args.pos[2]),
        ) else {
            return Err(
                vm.type_error("pow() 3rd argument not allowed unless all arguments are integers")
            );
        };
        // 3.7 refuses a negative exponent (3.8 made it the modular inverse).
        if e.is_negative() {
            return Err(vm.new_exception(
                "ValueError",
                "pow() 2nd argument cannot be negative when 3rd argument specified",
            ));
        }
        if m.is_zero() {
            return Err(vm.new_exception("ValueError", "pow() 3rd argument cannot be 0"));
        }
        let r = b.modpow(&e, &m);
        let r = if !r.is_zero() && r.sign() != m.sign() {
            r + &m
        } else {
            r
        };
        return Ok(vm.new_int(r));
    }
    vm.binary_op(
        crate::bytecode::Opcode::BINARY_POWER,
        args.pos[0],
        args.pos[1],
    )
}

pub(super) fn b_chr(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "chr", &args, 1, 1)?;
    let i = vm.as_index(args.pos[0]).unwrap_or(-1);
    match u32::try_from(i).ok().and_then(char::from_u32) {
        Some(c) => Ok(vm.new_str(c.to_string())),
        None => Err(vm.new_exception("ValueError", "chr() arg not in range(0x110000)")),
    }
}

pub(super) fn b_ord(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "ord", &args, 1, 1)?;
    let v = args.pos[0];
    if let Some(s) = vm.str_of(v) {
        let mut chars = s.chars();
        return match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(Value::Int(c as i64)),
            _ => {
                let n = s.chars().count();
                Err(vm.type_error(&format!(
                    "ord() expected a character, but string of length {n} found"
                )))
            }
        };
    }
    if let Some(b) = crate::objects::buffer::bytes_like(vm, v)
        && !matches!(
            v.as_obj().map(|r| vm.heap.get(r)),
            Some(Object::MemoryView(_))
        )
    {
        return match b.as_slice() {
            [byte] => Ok(Value::Int(i64::from(*byte))),
            _ => Err(vm.type_error(&format!(
                "ord() expected a character, but string of length {} found",
                b.len()
            ))),
        };
    }
    let t = vm.type_name(v);
    Err(vm.type_error(&format!("ord() expected string of length 1, but {t} found")))
}

fn radix(vm: &mut Vm, args: Args, name: &str, prefix: &str, base: u32) -> R {
    arity(vm, name, &args, 1, 1)?;
    let v = vm.index_via_dunder(args.pos[0])?;
    let Some(i) = vm.as_bigint(v) else {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!("'{t}' object cannot be interpreted as an integer")));
    };
    let digits = i.abs().to_str_radix(base);
    let sign = if i.is_negative() { "-" } else { "" };
    Ok(vm.new_str(format!("{sign}{prefix}{digits}")))
}

pub(super) fn b_hex(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    radix(vm, args, "hex", "0x", 16)
}

pub(super) fn b_oct(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    radix(vm, args, "oct", "0o", 8)
}

pub(super) fn b_bin(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    radix(vm, args, "bin", "0b", 2)
}
