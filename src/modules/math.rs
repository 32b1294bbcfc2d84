//! `math`, with CPython's results and errors at the edges (domain and range errors,
//! integer arguments of any size).

use super::{R, arg, float_arg};
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "math",
        &[
            ("sqrt", m_sqrt),
            ("floor", m_floor),
            ("ceil", m_ceil),
            ("trunc", m_trunc),
            ("isclose", m_isclose),
            ("gcd", m_gcd),
            ("factorial", m_factorial),
            ("log", m_log),
            ("log2", m_log2),
            ("log10", m_log10),
            ("exp", m_exp),
            ("sin", m_sin),
            ("cos", m_cos),
            ("tan", m_tan),
            ("atan", m_atan),
            ("atan2", m_atan2),
            ("hypot", m_hypot),
            ("pow", m_pow),
            ("fabs", m_fabs),
            ("isnan", m_isnan),
            ("isinf", m_isinf),
            ("isfinite", m_isfinite),
            ("degrees", m_degrees),
            ("radians", m_radians),
            ("copysign", m_copysign),
            ("fmod", m_fmod),
            ("modf", m_modf),
            ("fsum", m_fsum),
            ("gamma", super::math_special::m_gamma),
            ("lgamma", super::math_special::m_lgamma),
            ("erf", super::math_special::m_erf),
            ("erfc", super::math_special::m_erfc),
            ("remainder", super::math_special::m_remainder),
            ("frexp", m_frexp),
            ("ldexp", m_ldexp),
            ("expm1", m_expm1),
            ("log1p", m_log1p),
            ("asin", m_asin),
            ("acos", m_acos),
            ("sinh", m_sinh),
            ("cosh", m_cosh),
            ("tanh", m_tanh),
            ("asinh", m_asinh),
            ("acosh", m_acosh),
            ("atanh", m_atanh),
        ],
    );
    let dict = vm.module_dict(m);
    for (n, v) in [
        ("pi", std::f64::consts::PI),
        ("e", std::f64::consts::E),
        ("tau", std::f64::consts::TAU),
        ("inf", f64::INFINITY),
        ("nan", f64::NAN),
    ] {
        vm.dict_set_str(dict, n, Value::Float(v));
    }
    Ok(m)
}

/// A math function of one float, with CPython's errors: a NaN from a number is a domain
/// error, and (for the functions that can overflow) an infinity from a finite number a
/// range error.
macro_rules! unary_math {
    ($name:ident, $f:expr) => {
        unary_math!($name, $f, false);
    };
    ($name:ident, $f:expr, $can_overflow:expr) => {
        fn $name(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
            let x = float_arg(vm, &args, 0)?;
            let f: fn(f64) -> f64 = $f;
            let r = f(x);
            if r.is_nan() && !x.is_nan() {
                return Err(vm.new_exception("ValueError", "math domain error"));
            }
            if $can_overflow && r.is_infinite() && x.is_finite() {
                return Err(vm.new_exception("OverflowError", "math range error"));
            }
            Ok(Value::Float(r))
        }
    };
}

unary_math!(m_exp, f64::exp, true);
unary_math!(m_expm1, f64::exp_m1, true);
unary_math!(m_log1p, f64::ln_1p);
unary_math!(m_asin, f64::asin);
unary_math!(m_acos, f64::acos);
unary_math!(m_sinh, f64::sinh, true);
unary_math!(m_cosh, f64::cosh, true);
unary_math!(m_tanh, f64::tanh);
// The inverse hyperbolic functions are musl's (the libm crate), whose results match the C
// library CPython calls; atanh(±1) is a domain error in CPython, not an infinity.
unary_math!(m_asinh, libm::asinh);
unary_math!(m_acosh, libm::acosh);
unary_math!(m_atanh, |x| if x.abs() >= 1.0 {
    f64::NAN
} else {
    libm::atanh(x)
});

fn m_copysign(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let y = float_arg(vm, &args, 1)?;
    Ok(Value::Float(x.copysign(y)))
}

fn m_fmod(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let y = float_arg(vm, &args, 1)?;
    // fmod(x, inf) is x; fmod(inf, y) and fmod(x, 0) are domain errors.
    if y.is_infinite() && x.is_finite() {
        return Ok(Value::Float(x));
    }
    let r = x % y;
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(vm.new_exception("ValueError", "math domain error"));
    }
    Ok(Value::Float(r))
}

fn m_modf(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    // modf(±inf) is (±0.0, ±inf), as C's modf.
    let whole = x.trunc();
    let frac = if x.is_infinite() {
        0.0f64.copysign(x)
    } else {
        (x - whole).copysign(x)
    };
    Ok(vm.new_tuple(vec![Value::Float(frac), Value::Float(whole)]))
}

fn m_frexp(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    if x == 0.0 || !x.is_finite() {
        return Ok(vm.new_tuple(vec![Value::Float(x), Value::Int(0)]));
    }
    let mut e = x.abs().log2().floor() as i32 + 1;
    let mut m = x / 2f64.powi(e);
    if m.abs() >= 1.0 {
        m /= 2.0;
        e += 1;
    } else if m.abs() < 0.5 {
        m *= 2.0;
        e -= 1;
    }
    Ok(vm.new_tuple(vec![Value::Float(m), Value::Int(i64::from(e))]))
}

fn m_ldexp(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let e = vm.as_index(arg(&args, 1)).unwrap_or(0);
    Ok(Value::Float(x * 2f64.powi(e as i32)))
}

/// CPython's math.fsum: exact partial sums (Shewchuk), correctly rounded at the end.
fn m_fsum(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let items = vm.collect_iterable(arg(&args, 0))?;
    let mut partials: Vec<f64> = Vec::new();
    let (mut special, mut inf_sum) = (0.0f64, 0.0f64);
    for v in items {
        let mut x = match vm.to_f64(v) {
            Some(x) => x,
            None => {
                let t = vm.type_name(v);
                return Err(vm.type_error(&format!("must be real number, not {t}")));
            }
        };
        let original = x;
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                // An infinity or NaN among the inputs, or an intermediate overflow.
                if original.is_finite() {
                    return Err(vm.new_exception("OverflowError", "intermediate overflow in fsum"));
                }
                if original.is_infinite() {
                    inf_sum += original;
                }
                special += original;
                partials.clear();
            } else {
                partials.push(x);
            }
        }
    }
    if special != 0.0 {
        if inf_sum.is_nan() {
            return Err(vm.new_exception("ValueError", "-inf + inf in fsum"));
        }
        return Ok(Value::Float(special));
    }
    let mut hi = 0.0f64;
    if let Some(&top) = partials.last() {
        let mut n = partials.len() - 1;
        hi = top;
        let mut lo = 0.0f64;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = partials[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even across the remaining partials, as CPython does.
        if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
    }
    Ok(Value::Float(hi))
}
unary_math!(m_sin, f64::sin);
unary_math!(m_cos, f64::cos);
unary_math!(m_tan, f64::tan);
unary_math!(m_atan, f64::atan);
unary_math!(m_fabs, f64::abs);
unary_math!(m_degrees, f64::to_degrees);
unary_math!(m_radians, f64::to_radians);

fn m_sqrt(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    if x < 0.0 {
        return Err(vm.new_exception("ValueError", "math domain error"));
    }
    Ok(Value::Float(x.sqrt()))
}

/// CPython's loghelper: `func` of a number; an int too large for a float is taken as
/// mantissa * 2**e, its log being func(mantissa) + func(2.0) * e.
fn log_of(vm: &mut Vm, x: Value, func: fn(f64) -> f64) -> PyResult<f64> {
    if let Some(i) = vm.as_bigint(x).filter(|_| !matches!(x, Value::Float(_))) {
        if i.sign() != num_bigint::Sign::Plus {
            return Err(vm.new_exception("ValueError", "math domain error"));
        }
        if let Some(f) = num_traits::ToPrimitive::to_f64(&i).filter(|f| f.is_finite()) {
            return Ok(func(f));
        }
        let bits = i.bits();
        let shift = bits.saturating_sub(55);
        let top: num_bigint::BigInt = &i >> shift;
        let top = num_traits::ToPrimitive::to_f64(&top).unwrap_or(1.0);
        let mantissa = top / 2f64.powi(55.min(bits as i32));
        return Ok(func(mantissa) + func(2.0) * bits as f64);
    }
    let f = float_arg(vm, &Args::new(vec![x]), 0)?;
    if f <= 0.0 {
        return Err(vm.new_exception("ValueError", "math domain error"));
    }
    Ok(func(f))
}

fn m_log(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let num = log_of(vm, arg(&args, 0), f64::ln)?;
    if args.pos.len() < 2 {
        return Ok(Value::Float(num));
    }
    // log(x, base) is log(x) / log(base), as CPython computes it.
    let den = log_of(vm, arg(&args, 1), f64::ln)?;
    if den == 0.0 {
        return Err(vm.new_exception("ZeroDivisionError", "float division by zero"));
    }
    Ok(Value::Float(num / den))
}

fn m_log2(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    log_of(vm, arg(&args, 0), f64::log2).map(Value::Float)
}

fn m_log10(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    log_of(vm, arg(&args, 0), f64::log10).map(Value::Float)
}

fn round_to_int(vm: &mut Vm, args: &Args, f: fn(f64) -> f64) -> R {
    let v = arg(args, 0);
    if let Some(i) = vm.as_bigint(v) {
        return Ok(vm.new_int(i));
    }
    let x = float_arg(vm, args, 0)?;
    if x.is_nan() {
        return Err(vm.new_exception("ValueError", "cannot convert float NaN to integer"));
    }
    if x.is_infinite() {
        return Err(vm.new_exception("OverflowError", "cannot convert float infinity to integer"));
    }
    let r = f(x);
    let text = format!("{r:.0}");
    Ok(vm.new_int(text.parse().unwrap_or_default()))
}

fn m_floor(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    if let Some(r) = vm.call_special(arg(&args, 0), "__floor__", vec![])? {
        return Ok(r);
    }
    round_to_int(vm, &args, f64::floor)
}
fn m_ceil(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    if let Some(r) = vm.call_special(arg(&args, 0), "__ceil__", vec![])? {
        return Ok(r);
    }
    round_to_int(vm, &args, f64::ceil)
}
fn m_trunc(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    if let Some(r) = vm.call_special(arg(&args, 0), "__trunc__", vec![])? {
        return Ok(r);
    }
    round_to_int(vm, &args, f64::trunc)
}

fn m_isclose(vm: &mut Vm, _: Option<Value>, mut args: Args) -> R {
    // a and b may be given by keyword too.
    for name in ["a", "b"] {
        if let Some(i) = args.kw.iter().position(|(k, _)| k == name) {
            let (_, v) = args.kw.remove(i);
            let at = usize::from(name == "b").min(args.pos.len());
            args.pos.insert(at, v);
        }
    }
    let a = float_arg(vm, &args, 0)?;
    let b = float_arg(vm, &args, 1)?;
    let kw = |n: &str| args.kw.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
    let rel = kw("rel_tol").and_then(|v| vm.to_f64(v)).unwrap_or(1e-9);
    let abs = kw("abs_tol").and_then(|v| vm.to_f64(v)).unwrap_or(0.0);
    if rel < 0.0 || abs < 0.0 {
        return Err(vm.new_exception("ValueError", "tolerances must be non-negative"));
    }
    if a == b {
        return Ok(Value::Bool(true));
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(Value::Bool(false));
    }
    let diff = (b - a).abs();
    Ok(Value::Bool(
        diff <= (rel * b).abs() || diff <= (rel * a).abs() || diff <= abs,
    ))
}

fn m_gcd(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    // 3.7's gcd takes exactly two ints (3.9 took any number).
    if args.pos.len() != 2 {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("gcd expected 2 arguments, got {n}")));
    }
    let mut g = num_bigint::BigInt::from(0);
    for v in &args.pos {
        let v = vm.index_via_dunder(*v)?;
        let Some(i) = vm.as_bigint(v).filter(|_| !matches!(v, Value::Float(_))) else {
            let t = vm.type_name(v);
            return Err(vm.type_error(&format!("'{t}' object cannot be interpreted as an integer")));
        };
        g = num_integer::Integer::gcd(&g, &i);
    }
    Ok(vm.new_int(g))
}

fn m_factorial(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let v = arg(&args, 0);
    // 3.7 takes a float with an integral value (3.9 deprecated it).
    let n = match v {
        Value::Float(f) if f.is_finite() && f == f.floor() => num_bigint::BigInt::from(f as i128),
        Value::Float(_) => {
            return Err(vm.new_exception("ValueError", "factorial() only accepts integral values"));
        }
        _ => match vm.as_bigint(v) {
            Some(n) => n,
            None => {
                let t = vm.type_name(v);
                return Err(vm.type_error(&format!("an integer is required (got type {t})")));
            }
        },
    };
    if n.sign() == num_bigint::Sign::Minus {
        return Err(vm.new_exception("ValueError", "factorial() not defined for negative values"));
    }
    let Ok(n) = i64::try_from(&n) else {
        return Err(vm.new_exception(
            "OverflowError",
            "factorial() argument should not exceed 9223372036854775807",
        ));
    };
    let mut r = num_bigint::BigInt::from(1);
    for k in 2..=n {
        r *= k;
    }
    Ok(vm.new_int(r))
}

fn m_atan2(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let y = float_arg(vm, &args, 0)?;
    let x = float_arg(vm, &args, 1)?;
    Ok(Value::Float(y.atan2(x)))
}

fn m_hypot(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    // 3.7's hypot takes two coordinates (3.8 took any number).
    if args.pos.len() != 2 {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("hypot expected 2 arguments, got {n}")));
    }
    let x = float_arg(vm, &args, 0)?;
    let y = float_arg(vm, &args, 1)?;
    Ok(Value::Float(x.hypot(y)))
}

fn m_pow(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let y = float_arg(vm, &args, 1)?;
    let r = x.powf(y);
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(vm.new_exception("ValueError", "math domain error"));
    }
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        // 0.0 ** negative is a domain error, a finite overflow a range error.
        let (kind, msg) = if x == 0.0 {
            ("ValueError", "math domain error")
        } else {
            ("OverflowError", "math range error")
        };
        return Err(vm.new_exception(kind, msg));
    }
    Ok(Value::Float(r))
}

fn m_isnan(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    Ok(Value::Bool(float_arg(vm, &args, 0)?.is_nan()))
}
fn m_isinf(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    Ok(Value::Bool(float_arg(vm, &args, 0)?.is_infinite()))
}
fn m_isfinite(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    Ok(Value::Bool(float_arg(vm, &args, 0)?.is_finite()))
}
