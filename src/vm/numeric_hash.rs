//! CPython's hashes of numbers, modulo the Mersenne prime 2**61 - 1, so that equal numbers
//! of different types hash alike (hash(2) == hash(2.0)). Dict keys hash numbers by these
//! (`DictKey`'s Hash), and `hash()` returns them.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

/// `hash_int` of an i64, without a big int: most are their own hash.
pub fn hash_small_int(i: i64) -> i64 {
    const MODULUS: i64 = (1 << 61) - 1;
    let h = if i.unsigned_abs() < MODULUS as u64 {
        i
    } else {
        i.signum() * (i.unsigned_abs() % MODULUS as u64) as i64
    };
    if h == -1 { -2 } else { h }
}

/// CPython's hash of an int (modulo the Mersenne prime 2**61 - 1).
pub fn hash_int(i: &BigInt) -> i64 {
    let m = BigInt::from((1u64 << 61) - 1);
    let mut h = (i.abs() % &m).to_i64().unwrap_or(0);
    if i.is_negative() {
        h = -h;
    }
    if h == -1 { -2 } else { h }
}

/// CPython's hash of a float: the value as a fraction modulo 2**61 - 1, so that
/// hash(2.0) == hash(2) and hash(2.5) is 1152921504606846978; inf is 314159 (NaN: 0,
/// as 3.7).
pub fn hash_float(v: f64) -> i64 {
    const BITS: u32 = 61;
    const MODULUS: u64 = (1 << BITS) - 1;
    if v.is_nan() {
        return 0;
    }
    if v.is_infinite() {
        return if v > 0.0 { 314_159 } else { -314_159 };
    }
    if v == 0.0 {
        return 0;
    }
    // frexp: v = m * 2**e with 0.5 <= |m| < 1.
    let bits = v.abs().to_bits();
    let (raw_exp, frac) = ((bits >> 52) as i32 & 0x7ff, bits & ((1 << 52) - 1));
    let (mut m, mut e) = if raw_exp == 0 {
        // Subnormal: scale up first.
        let scaled = v.abs() * 2f64.powi(64);
        let b = scaled.to_bits();
        let (re, fr) = ((b >> 52) as i32 & 0x7ff, b & ((1 << 52) - 1));
        (f64::from_bits((1022u64 << 52) | fr), re - 1022 - 64)
    } else {
        (f64::from_bits((1022u64 << 52) | frac), raw_exp - 1022)
    };
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (BITS - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 {
        e as u32 % BITS
    } else {
        BITS - 1 - ((-1 - e) as u32 % BITS)
    };
    x = ((x << e) & MODULUS) | (x >> (BITS - e));
    let h = if v < 0.0 { -(x as i64) } else { x as i64 };
    if h == -1 { -2 } else { h }
}
