//! Complex arithmetic and text as CPython 3.7's complexobject.c does it (the compiler's
//! constant folding and the runtime share it): the product, the quotient (Smith's method),
//! powers (repeated squaring for small integer exponents, polar form otherwise), and
//! repr. Errors are returned as CPython's message for the caller to raise.

use crate::pyfmt;

/// A complex number: (real, imag).
pub type C64 = (f64, f64);

pub fn add(a: C64, b: C64) -> C64 {
    (a.0 + b.0, a.1 + b.1)
}

pub fn sub(a: C64, b: C64) -> C64 {
    (a.0 - b.0, a.1 - b.1)
}

pub fn mul(a: C64, b: C64) -> C64 {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// a / b; `None` when b is zero (ZeroDivisionError "complex division by zero").
pub fn div(a: C64, b: C64) -> Option<C64> {
    let (abs_real, abs_imag) = (b.0.abs(), b.1.abs());
    if abs_real >= abs_imag {
        if abs_real == 0.0 {
            return None;
        }
        let ratio = b.1 / b.0;
        let denom = b.0 + b.1 * ratio;
        Some(((a.0 + a.1 * ratio) / denom, (a.1 - a.0 * ratio) / denom))
    } else if abs_imag >= abs_real {
        let ratio = b.0 / b.1;
        let denom = b.0 * ratio + b.1;
        Some(((a.0 * ratio + a.1) / denom, (a.1 * ratio - a.0) / denom))
    } else {
        // A NaN in b.
        Some((f64::NAN, f64::NAN))
    }
}

/// x ** n for n >= 0 by repeated squaring.
fn pow_unsigned(x: C64, n: u64) -> C64 {
    let (mut r, mut p) = ((1.0, 0.0), x);
    let mut mask = 1u64;
    while mask > 0 && n >= mask {
        if n & mask != 0 {
            r = mul(r, p);
        }
        mask <<= 1;
        p = mul(p, p);
    }
    r
}

/// a ** b, with CPython's errors: Err("0.0 to a negative or complex power") (a
/// ZeroDivisionError) and Err("complex exponentiation") (an OverflowError).
pub fn pow(a: C64, b: C64) -> Result<C64, &'static str> {
    let r = if b.1 == 0.0 && b.0 == b.0.floor() && b.0.abs() <= 100.0 {
        let n = b.0 as i64;
        if n >= 0 {
            pow_unsigned(a, n as u64)
        } else {
            match div((1.0, 0.0), pow_unsigned(a, n.unsigned_abs())) {
                Some(r) => r,
                None => return Err("0.0 to a negative or complex power"),
            }
        }
    } else if b == (0.0, 0.0) {
        (1.0, 0.0)
    } else if a == (0.0, 0.0) {
        if b.1 != 0.0 || b.0 < 0.0 {
            return Err("0.0 to a negative or complex power");
        }
        (0.0, 0.0)
    } else {
        let vabs = a.0.hypot(a.1);
        let mut len = vabs.powf(b.0);
        let at = a.1.atan2(a.0);
        let mut phase = at * b.0;
        if b.1 != 0.0 {
            len /= (at * b.1).exp();
            phase += b.1 * vabs.ln();
        }
        (len * phase.cos(), len * phase.sin())
    };
    if (r.0.is_infinite() || r.1.is_infinite()) && a.0.is_finite() && a.1.is_finite() {
        return Err("complex exponentiation");
    }
    Ok(r)
}

/// A part of a complex repr: the float's repr without a trailing ".0".
fn part(x: f64) -> String {
    let s = pyfmt::float_repr(x);
    match s.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => s,
    }
}

/// `repr(z)`: `1j`, `(1+2j)`, `(-0-1j)`, `(inf+nanj)`.
pub fn repr(z: C64) -> String {
    let imag = part(z.1);
    if z.0 == 0.0 && z.0.is_sign_positive() {
        return format!("{imag}j");
    }
    let sign = if imag.starts_with('-') { "" } else { "+" };
    format!("({}{sign}{imag}j)", part(z.0))
}
