//! int / int for operands past f64's exact range, rounded once as CPython rounds it.

/// Correctly rounded int / int, as CPython's long true division: a quotient of 55 or 56
/// bits with a sticky bit for any remainder rounds once, to nearest even, on conversion,
/// and is then scaled by a power of two. Infinite when past f64's range.
pub fn int_true_divide(x: &num_bigint::BigInt, y: &num_bigint::BigInt) -> f64 {
    use num_bigint::Sign;
    use num_integer::Integer;
    use num_traits::{ToPrimitive, Zero};
    if let (Some(a), Some(b)) = (x.to_i64(), y.to_i64())
        && a.unsigned_abs() < (1 << 53)
        && b.unsigned_abs() < (1 << 53)
    {
        return a as f64 / b as f64;
    }
    let negative = (x.sign() == Sign::Minus) != (y.sign() == Sign::Minus);
    let (a, b) = (x.magnitude(), y.magnitude());
    if a.bits() == 0 {
        return if negative { -0.0 } else { 0.0 };
    }
    let shift = 55 - (a.bits() as i64 - b.bits() as i64);
    let (num, den) = if shift >= 0 {
        (a << shift as usize, b.clone())
    } else {
        (a.clone(), b << (-shift) as usize)
    };
    let (q, r) = num.div_rem(&den);
    let sticky = u64::from(!r.is_zero());
    let q = q.to_u64().expect("a quotient of at most 57 bits") | sticky;
    let exponent = -shift;
    let magnitude = if exponent > 1100 {
        f64::INFINITY
    } else if exponent < -1200 {
        0.0
    } else {
        // In two steps, so a scale past f64's exponent range (a subnormal result) does not
        // underflow on its own.
        let half = exponent / 2;
        (q as f64) * 2f64.powi(half as i32) * 2f64.powi((exponent - half) as i32)
    };
    if negative { -magnitude } else { magnitude }
}
