//! `cmath`: the math functions of complex numbers. sqrt, exp, log, phase, polar and rect
//! follow CPython's algorithms (scaled square root, log1p near the unit circle) so common
//! results agree to the last digit; the trigonometric and hyperbolic functions use the
//! textbook identities.

use super::{R, arg};
use crate::pycomplex::{self, C64};
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "cmath",
        &[
            ("sqrt", cm_sqrt),
            ("exp", cm_exp),
            ("log", cm_log),
            ("log10", cm_log10),
            ("phase", cm_phase),
            ("polar", cm_polar),
            ("rect", cm_rect),
            ("isclose", cm_isclose),
            ("isnan", cm_isnan),
            ("isinf", cm_isinf),
            ("isfinite", cm_isfinite),
            ("sin", cm_sin),
            ("cos", cm_cos),
            ("tan", cm_tan),
            ("sinh", cm_sinh),
            ("cosh", cm_cosh),
            ("tanh", cm_tanh),
            ("asin", cm_asin),
            ("acos", cm_acos),
            ("atan", cm_atan),
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
    for (n, z) in [("infj", (0.0, f64::INFINITY)), ("nanj", (0.0, f64::NAN))] {
        let v = vm.new_complex(z);
        vm.dict_set_str(dict, n, v);
    }
    Ok(m)
}

/// An argument as a complex: a complex, a number, or what `__complex__`/`__float__` give.
fn complex_arg(vm: &mut Vm, args: &Args, i: usize) -> PyResult<C64> {
    let v = arg(args, i);
    if let Some(z) = vm.as_complex(v) {
        return Ok(z);
    }
    let z = crate::objects::complex::construct_complex(vm, &Args::new(vec![v]));
    match z {
        Ok(z) if vm.str_of(v).is_none() => Ok(vm.as_complex(z).unwrap_or((0.0, 0.0))),
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("must be real number, not {t}")))
        }
    }
}

fn domain_error(vm: &mut Vm) -> Value {
    vm.new_exception("ValueError", "math domain error")
}

/// A result that became infinite or NaN from finite input: CPython's errors.
fn checked(vm: &mut Vm, z: C64, input: C64) -> R {
    let finite_in = input.0.is_finite() && input.1.is_finite();
    if finite_in && (z.0.is_nan() || z.1.is_nan()) {
        return Err(domain_error(vm));
    }
    if finite_in && (z.0.is_infinite() || z.1.is_infinite()) {
        return Err(vm.new_exception("OverflowError", "math range error"));
    }
    Ok(vm.new_complex(z))
}

fn sqrt(z: C64) -> C64 {
    if z.0.is_infinite() || z.1.is_infinite() {
        return if z.1.is_infinite() {
            (f64::INFINITY, z.1)
        } else if z.0 > 0.0 {
            (f64::INFINITY, 0f64.copysign(z.1))
        } else {
            (0.0, f64::INFINITY.copysign(z.1))
        };
    }
    if z.0 == 0.0 && z.1 == 0.0 {
        return (0.0, z.1);
    }
    let (mut ax, ay) = (z.0.abs(), z.1.abs());
    let s = if ax < f64::MIN_POSITIVE && ay < f64::MIN_POSITIVE {
        // Scaled up, to keep the subnormal digits.
        let scale = 2f64.powi(53);
        ax *= scale;
        2.0 * (ax + ax.hypot(ay * scale)).sqrt() / 2f64.powi(27)
    } else {
        ax /= 8.0;
        2.0 * (ax + ax.hypot(ay / 8.0)).sqrt()
    };
    let d = ay / (2.0 * s);
    if z.0 >= 0.0 {
        (s, d.copysign(z.1))
    } else {
        (d, s.copysign(z.1))
    }
}

fn exp(z: C64) -> C64 {
    let l = z.0.exp();
    if z.1 == 0.0 {
        return (l, z.1);
    }
    (l * z.1.cos(), l * z.1.sin())
}

fn log(z: C64) -> Option<C64> {
    let (ax, ay) = (z.0.abs(), z.1.abs());
    if ax == 0.0 && ay == 0.0 {
        return None;
    }
    let h = ax.hypot(ay);
    let real = if (0.71..=1.73).contains(&h) {
        let (am, an) = if ax > ay { (ax, ay) } else { (ay, ax) };
        ((am - 1.0) * (am + 1.0) + an * an).ln_1p() / 2.0
    } else {
        h.ln()
    };
    Some((real, z.1.atan2(z.0)))
}

fn cm_sqrt(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let z = complex_arg(vm, &args, 0)?;
    Ok(vm.new_complex(sqrt(z)))
}

fn cm_exp(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let z = complex_arg(vm, &args, 0)?;
    checked(vm, exp(z), z)
}

fn cm_log(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let z = complex_arg(vm, &args, 0)?;
    let Some(mut r) = log(z) else {
        return Err(domain_error(vm));
    };
    if args.pos.len() > 1 {
        let base = complex_arg(vm, &args, 1)?;
        let Some(lb) = log(base) else {
            return Err(domain_error(vm));
        };
        r = match pycomplex::div(r, lb) {
            Some(q) => q,
            None => return Err(vm.new_exception("ZeroDivisionError", "complex division by zero")),
        };
    }
    Ok(vm.new_complex(r))
}

fn cm_log10(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let z = complex_arg(vm, &args, 0)?;
    let Some(r) = log(z) else {
        return Err(domain_error(vm));
    };
    let ln10 = std::f64::consts::LN_10;
    Ok(vm.new_complex((r.0 / ln10, r.1 / ln10)))
}

fn cm_phase(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let z = complex_arg(vm, &args, 0)?;
    Ok(Value::Float(z.1.atan2(z.0)))
}

fn cm_polar(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let z = complex_arg(vm, &args, 0)?;
    let r = vm.complex_abs(z)?;
    Ok(vm.new_tuple(vec![r, Value::Float(z.1.atan2(z.0))]))
}

fn cm_rect(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let r = super::float_arg(vm, &args, 0)?;
    let phi = super::float_arg(vm, &args, 1)?;
    if r.is_finite() && phi.is_infinite() {
        return Err(domain_error(vm));
    }
    let z = if phi == 0.0 {
        (r, r * phi)
    } else {
        (r * phi.cos(), r * phi.sin())
    };
    Ok(vm.new_complex(z))
}

fn cm_isclose(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let a = complex_arg(vm, &args, 0)?;
    let b = complex_arg(vm, &args, 1)?;
    let tolerance = |vm: &mut Vm, name: &str, default: f64| -> PyResult<f64> {
        match crate::objects::args::kwarg(&args, name) {
            Some(v) => match vm.to_f64(v) {
                Some(f) => Ok(f),
                None => Err(vm.type_error("must be real number")),
            },
            None => Ok(default),
        }
    };
    let rel = tolerance(vm, "rel_tol", 1e-9)?;
    let abs = tolerance(vm, "abs_tol", 0.0)?;
    if rel < 0.0 || abs < 0.0 {
        return Err(vm.new_exception("ValueError", "tolerances must be non-negative"));
    }
    if a == b {
        return Ok(Value::Bool(true));
    }
    if a.0.is_infinite() || a.1.is_infinite() || b.0.is_infinite() || b.1.is_infinite() {
        return Ok(Value::Bool(false));
    }
    let diff = (a.0 - b.0).hypot(a.1 - b.1);
    let (la, lb) = (a.0.hypot(a.1), b.0.hypot(b.1));
    Ok(Value::Bool(
        diff <= rel * lb || diff <= rel * la || diff <= abs,
    ))
}

fn cm_isnan(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let z = complex_arg(vm, &args, 0)?;
    Ok(Value::Bool(z.0.is_nan() || z.1.is_nan()))
}

fn cm_isinf(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let z = complex_arg(vm, &args, 0)?;
    Ok(Value::Bool(z.0.is_infinite() || z.1.is_infinite()))
}

fn cm_isfinite(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let z = complex_arg(vm, &args, 0)?;
    Ok(Value::Bool(z.0.is_finite() && z.1.is_finite()))
}

fn sinh(z: C64) -> C64 {
    (z.0.sinh() * z.1.cos(), z.0.cosh() * z.1.sin())
}

fn cosh(z: C64) -> C64 {
    (z.0.cosh() * z.1.cos(), z.0.sinh() * z.1.sin())
}

fn tanh(z: C64) -> C64 {
    pycomplex::div(sinh(z), cosh(z)).unwrap_or((f64::NAN, f64::NAN))
}

/// f(i z) / i, for the circular functions from the hyperbolic ones.
fn through_i(z: C64, f: fn(C64) -> C64) -> C64 {
    let r = f((-z.1, z.0));
    (r.1, -r.0)
}

fn unary(vm: &mut Vm, args: &Args, f: fn(C64) -> C64) -> R {
    let z = complex_arg(vm, args, 0)?;
    checked(vm, f(z), z)
}

fn cm_sinh(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    unary(vm, &args, sinh)
}

fn cm_cosh(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    unary(vm, &args, cosh)
}

fn cm_tanh(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    unary(vm, &args, tanh)
}

fn cm_sin(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    unary(vm, &args, |z| through_i(z, sinh))
}

fn cm_cos(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    unary(vm, &args, |z| cosh((-z.1, z.0)))
}

fn cm_tan(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    unary(vm, &args, |z| through_i(z, tanh))
}

/// asin z = -i log(iz + sqrt(1 - z^2)).
fn asin(z: C64) -> C64 {
    let root = sqrt(pycomplex::sub((1.0, 0.0), pycomplex::mul(z, z)));
    let inner = pycomplex::add((-z.1, z.0), root);
    let l = log(inner).unwrap_or((f64::NAN, f64::NAN));
    (l.1, -l.0)
}

fn cm_asin(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    unary(vm, &args, asin)
}

fn cm_acos(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    unary(vm, &args, |z| {
        let a = asin(z);
        (std::f64::consts::FRAC_PI_2 - a.0, -a.1)
    })
}

/// atan z = (i/2) log((i + z) / (i - z)).
fn cm_atan(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    unary(vm, &args, |z| {
        let q = pycomplex::div((z.0, 1.0 + z.1), (-z.0, 1.0 - z.1)).unwrap_or((f64::NAN, 0.0));
        let l = log(q).unwrap_or((f64::NAN, f64::NAN));
        (-l.1 / 2.0, l.0 / 2.0)
    })
}
