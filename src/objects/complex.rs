//! The complex type at run time: arithmetic with ints, floats and complexes (the math is
//! src/pycomplex.rs), its refusals (ordering, floor division, modulo, int(), float()),
//! complex() from numbers, strings and `__complex__`, and its methods and attributes.

use super::args::recv;
use crate::bytecode::Opcode as Op;
use crate::pycomplex::{self, C64};
use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

impl Vm {
    pub fn new_complex(&mut self, z: C64) -> Value {
        self.alloc(Object::Complex(z.0, z.1))
    }

    /// The complex value of a complex (or an instance of a subclass of complex).
    pub fn as_complex(&self, v: Value) -> Option<C64> {
        let v = self.payload_of(v).unwrap_or(v);
        match self.heap.get(v.as_obj()?) {
            Object::Complex(re, im) => Some((*re, *im)),
            _ => None,
        }
    }

    /// A number as a complex: ints and floats on the real axis.
    fn to_complex(&self, v: Value) -> Option<C64> {
        if let Some(z) = self.as_complex(v) {
            return Some(z);
        }
        if matches!(v, Value::Float(_)) || self.int_arg(v).is_some() {
            return Some((self.to_f64(v)?, 0.0));
        }
        None
    }

    /// `a op b` when either side is complex and the other a number; `None` otherwise.
    pub fn complex_binop(&mut self, op: Op, a: Value, b: Value) -> PyResult<Option<Value>> {
        if self.as_complex(a).is_none() && self.as_complex(b).is_none() {
            return Ok(None);
        }
        let (Some(x), Some(y)) = (self.to_complex(a), self.to_complex(b)) else {
            return Ok(None);
        };
        let overflows = |vm: &Vm, v: Value, z: C64| {
            z.0.is_infinite() && !matches!(v, Value::Float(_)) && vm.as_complex(v).is_none()
        };
        if overflows(self, a, x) || overflows(self, b, y) {
            return Err(self.new_exception("OverflowError", "int too large to convert to float"));
        }
        let r = match super::ops::binop_symbol(op) {
            "+" => pycomplex::add(x, y),
            "-" => pycomplex::sub(x, y),
            "*" => pycomplex::mul(x, y),
            "/" => match pycomplex::div(x, y) {
                Some(r) => r,
                None => return Err(self.zero_division("complex division by zero")),
            },
            "** or pow()" => match pycomplex::pow(x, y) {
                Ok(r) => r,
                Err(m) if m.starts_with("0.0") => return Err(self.zero_division(m)),
                Err(m) => return Err(self.new_exception("OverflowError", m)),
            },
            "//" => return Err(self.type_error("can't take floor of complex number.")),
            "%" => return Err(self.type_error("can't mod complex numbers.")),
            _ => return Ok(None),
        };
        Ok(Some(self.new_complex(r)))
    }

    /// `-z`, `+z`; `~z` is refused.
    pub fn complex_unary(&mut self, op: Op, z: C64) -> R {
        match op {
            Op::UNARY_NEGATIVE => Ok(self.new_complex((-z.0, -z.1))),
            Op::UNARY_POSITIVE => Ok(self.new_complex(z)),
            _ => Err(self.type_error("bad operand type for unary ~: 'complex'")),
        }
    }

    /// abs(z), with CPython's OverflowError for a finite z whose modulus is not.
    pub fn complex_abs(&mut self, z: C64) -> R {
        let r = z.0.hypot(z.1);
        if r.is_infinite() && z.0.is_finite() && z.1.is_finite() {
            return Err(self.new_exception("OverflowError", "absolute value too large"));
        }
        Ok(Value::Float(r))
    }

    /// hash(z), CPython's: hash(real) + 1000003 * hash(imag).
    pub fn complex_hash(z: C64) -> i64 {
        let (re, im) = (super::hash::hash_float(z.0), super::hash::hash_float(z.1));
        let h = re.wrapping_add(im.wrapping_mul(1_000_003));
        if h == -1 { -2 } else { h }
    }
}

/// complex(real=0, imag=0), complex(string), complex(obj with __complex__).
pub fn construct_complex(vm: &mut Vm, args: &Args) -> R {
    super::args::check_keywords(vm, args, "complex", &["real", "imag"])?;
    if args.pos.len() > 2 {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("complex() takes at most 2 arguments ({n} given)")));
    }
    let real = args
        .pos
        .first()
        .copied()
        .or_else(|| super::args::kwarg(args, "real"));
    let imag = args
        .pos
        .get(1)
        .copied()
        .or_else(|| super::args::kwarg(args, "imag"));
    let Some(real) = real else {
        let (im, im_is_complex) = match imag {
            Some(i) => part_of(vm, i, "second")?,
            None => ((0.0, 0.0), false),
        };
        let real_part = if im_is_complex { 0.0 - im.1 } else { 0.0 };
        return Ok(vm.new_complex((real_part, im.0)));
    };
    if let Some(text) = vm.str_of(real).map(str::to_string) {
        if imag.is_some() {
            return Err(vm.type_error("complex() can't take second arg if first is a string"));
        }
        return match parse(&text) {
            Some(z) => Ok(vm.new_complex(z)),
            None => Err(vm.new_exception("ValueError", "complex() arg is a malformed string")),
        };
    }
    if let Some(i) = imag
        && vm.str_of(i).is_some()
    {
        return Err(vm.type_error("complex() second arg can't be a string"));
    }
    let (re, re_is_complex) = part_of(vm, real, "first")?;
    let (im, im_is_complex) = match imag {
        Some(i) => part_of(vm, i, "second")?,
        None => ((0.0, 0.0), false),
    };
    // complex(a, b) is a + b*1j, each possibly complex; as CPython, parts that are not
    // complex are taken as they are (so complex(-1.0, -0.0) keeps its signed zero).
    let real_part = if im_is_complex { re.0 - im.1 } else { re.0 };
    let imag_part = if re_is_complex { im.0 + re.1 } else { im.0 };
    Ok(vm.new_complex((real_part, imag_part)))
}

/// One argument of complex() as a complex, and whether it was one (a complex, or what
/// `__complex__` gives) rather than a real number (or what `__float__` gives).
fn part_of(vm: &mut Vm, v: Value, which: &str) -> PyResult<(C64, bool)> {
    if let Some(z) = vm.as_complex(v) {
        return Ok((z, true));
    }
    if let Some(z) = vm.to_complex(v) {
        // An int past float's range does not become infinity.
        if z.0.is_infinite() && !matches!(v, Value::Float(_)) {
            return Err(vm.new_exception("OverflowError", "int too large to convert to float"));
        }
        return Ok((z, false));
    }
    if let Some(r) = vm.call_special(v, "__complex__", vec![])? {
        return match vm.as_complex(r) {
            Some(z) => Ok((z, true)),
            None => {
                let t = vm.type_name(r);
                Err(vm.type_error(&format!(
                    "__complex__ should return a complex object, not '{t}'"
                )))
            }
        };
    }
    if let Some(Value::Float(f)) = vm.call_special(v, "__float__", vec![])? {
        return Ok(((f, 0.0), false));
    }
    let t = vm.type_name(v);
    let what = if which == "first" {
        "a string or a number"
    } else {
        "a number"
    };
    Err(vm.type_error(&format!(
        "complex() {which} argument must be {what}, not '{t}'"
    )))
}

/// A float as complex() reads it (Python's float syntax, without surrounding blanks).
fn parse_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        let v = if body == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if lower.starts_with('-') { -v } else { v });
    }
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || "+-.eE_".contains(c))
        && s.chars().any(|c| c.is_ascii_digit());
    if !ok {
        return None;
    }
    s.replace('_', "").parse().ok()
}

/// complex("1+2j") and the like: `real`, `imagj`, `real±imagj`, optionally in parentheses.
pub fn parse(text: &str) -> Option<C64> {
    let mut s = text.trim();
    if let Some(inner) = s.strip_prefix('(') {
        s = inner.strip_suffix(')')?.trim();
    }
    if s.is_empty() {
        return None;
    }
    let Some(body) = s.strip_suffix(['j', 'J']) else {
        return Some((parse_float(s)?, 0.0));
    };
    // Where the imaginary part starts: the last sign not right after an exponent's 'e'.
    let bytes = body.as_bytes();
    let split = (1..bytes.len())
        .rev()
        .find(|&i| matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E'));
    let imag_of = |t: &str| match t {
        "" | "+" => Some(1.0),
        "-" => Some(-1.0),
        _ => parse_float(t),
    };
    match split {
        Some(i) => Some((parse_float(&body[..i])?, imag_of(&body[i..])?)),
        None => Some((0.0, imag_of(body)?)),
    }
}

pub(crate) fn c_conjugate(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let z = vm.as_complex(recv(r)).unwrap_or((0.0, 0.0));
    Ok(vm.new_complex((z.0, -z.1)))
}
