//! math's special functions, computed as CPython 3.7 computes them (so results agree to the
//! last digit): gamma and lgamma by CPython's own Lanczos approximation (exact for small
//! integers), erf and erfc by the C library's algorithm (math_erf.rs), and the IEEE
//! remainder.

// The constants are written as published, to more digits than an f64 keeps.
#![allow(clippy::excessive_precision)]

use super::{R, float_arg};
use crate::vm::object::Args;
use crate::vm::{Value, Vm};
use std::f64::consts::PI;

const LANCZOS_G: f64 = 6.024_680_040_776_729_583_740_234_375;
const LANCZOS_G_MINUS_HALF: f64 = 5.524_680_040_776_729_583_740_234_375;

/// The Lanczos sum's numerator and denominator coefficients (N = 13).
const LANCZOS_NUM: [f64; 13] = [
    23_531_376_880.410_759_688_572_007_674_451_636_754_734_846_804_940,
    42_919_803_642.649_098_768_957_899_047_001_988_850_926_355_848_959,
    35_711_959_237.355_668_049_440_185_451_547_166_705_960_488_635_843,
    17_921_034_426.037_209_699_919_755_754_458_931_112_671_403_265_390,
    6_039_542_586.352_028_005_064_291_644_307_297_921_069_938_842_070_8,
    1_439_720_407.311_721_673_663_223_072_794_912_393_971_548_578_677_2,
    248_874_557.862_054_156_511_460_386_413_229_423_216_321_251_278_01,
    31_426_415.585_400_194_380_614_231_628_318_205_362_874_684_987_640,
    2_876_370.628_935_372_441_225_409_051_620_849_613_599_114_537_876_8,
    186_056.265_395_223_495_040_294_989_716_045_699_282_207_842_363_28,
    8_071.672_002_365_816_210_638_002_902_272_250_613_821_851_632_502_4,
    210.824_277_751_579_345_872_509_733_920_713_362_711_669_695_802_91,
    2.506_628_274_631_000_270_164_908_177_133_837_338_626_431_079_340_8,
];
const LANCZOS_DEN: [f64; 13] = [
    0.0,
    39_916_800.0,
    120_543_840.0,
    150_917_976.0,
    105_258_076.0,
    45_995_730.0,
    13_339_535.0,
    2_637_558.0,
    357_423.0,
    32_670.0,
    1_925.0,
    66.0,
    1.0,
];

/// gamma(n) for the integers 1..=23, exactly.
const GAMMA_INTEGRAL: [f64; 23] = [
    1.0,
    1.0,
    2.0,
    6.0,
    24.0,
    120.0,
    720.0,
    5040.0,
    40320.0,
    362_880.0,
    3_628_800.0,
    39_916_800.0,
    479_001_600.0,
    6_227_020_800.0,
    87_178_291_200.0,
    1_307_674_368_000.0,
    20_922_789_888_000.0,
    355_687_428_096_000.0,
    6_402_373_705_728_000.0,
    121_645_100_408_832_000.0,
    2_432_902_008_176_640_000.0,
    51_090_942_171_709_440_000.0,
    1_124_000_727_777_607_680_000.0,
];

fn lanczos_sum(x: f64) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    // Evaluated as a rational function of x below 5, of 1/x above (for accuracy).
    if x < 5.0 {
        for i in (0..13).rev() {
            num = num * x + LANCZOS_NUM[i];
            den = den * x + LANCZOS_DEN[i];
        }
    } else {
        for i in 0..13 {
            num = num / x + LANCZOS_NUM[i];
            den = den / x + LANCZOS_DEN[i];
        }
    }
    num / den
}

/// sin(pi * x), accurate for large x too.
fn sinpi(x: f64) -> f64 {
    let y = x.abs() % 2.0;
    let n = (2.0 * y).round() as i64;
    let r = match n {
        0 => (PI * y).sin(),
        1 => (PI * (y - 0.5)).cos(),
        2 => (PI * (1.0 - y)).sin(),
        3 => -(PI * (y - 1.5)).cos(),
        _ => (PI * (y - 2.0)).sin(),
    };
    1f64.copysign(x) * r
}

fn domain_error(vm: &mut Vm) -> Value {
    vm.new_exception("ValueError", "math domain error")
}

fn range_error(vm: &mut Vm) -> Value {
    vm.new_exception("OverflowError", "math range error")
}

pub(super) fn m_gamma(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    if !x.is_finite() {
        if x.is_nan() || x > 0.0 {
            return Ok(Value::Float(x));
        }
        return Err(domain_error(vm));
    }
    if x == 0.0 {
        return Err(domain_error(vm));
    }
    if x == x.floor() {
        if x < 0.0 {
            return Err(domain_error(vm));
        }
        if x <= GAMMA_INTEGRAL.len() as f64 {
            return Ok(Value::Float(GAMMA_INTEGRAL[x as usize - 1]));
        }
    }
    let absx = x.abs();
    if absx < 1e-20 {
        let r = 1.0 / x;
        if r.is_infinite() {
            return Err(range_error(vm));
        }
        return Ok(Value::Float(r));
    }
    if absx > 200.0 {
        if x < 0.0 {
            return Ok(Value::Float(0.0 / sinpi(x)));
        }
        return Err(range_error(vm));
    }
    let y = absx + LANCZOS_G_MINUS_HALF;
    // The error of computing y, for a correction term.
    let z = if absx > LANCZOS_G_MINUS_HALF {
        let q = y - absx;
        q - LANCZOS_G_MINUS_HALF
    } else {
        let q = y - LANCZOS_G_MINUS_HALF;
        q - absx
    };
    let z = z * LANCZOS_G / y;
    let mut r;
    if x < 0.0 {
        r = -PI / sinpi(absx) / absx * y.exp() / lanczos_sum(absx);
        r -= z * r;
        if absx < 140.0 {
            r /= y.powf(absx - 0.5);
        } else {
            let sqrtpow = y.powf(absx / 2.0 - 0.25);
            r /= sqrtpow;
            r /= sqrtpow;
        }
    } else {
        r = lanczos_sum(absx) / y.exp();
        r += z * r;
        if absx < 140.0 {
            r *= y.powf(absx - 0.5);
        } else {
            let sqrtpow = y.powf(absx / 2.0 - 0.25);
            r *= sqrtpow;
            r *= sqrtpow;
        }
    }
    if r.is_infinite() {
        return Err(range_error(vm));
    }
    Ok(Value::Float(r))
}

pub(super) fn m_lgamma(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    if !x.is_finite() {
        // lgamma(±inf) is +inf.
        return Ok(Value::Float(x.abs()));
    }
    if x == x.floor() && x <= 2.0 {
        if x <= 0.0 {
            return Err(domain_error(vm));
        }
        return Ok(Value::Float(0.0));
    }
    let absx = x.abs();
    if absx < 1e-20 {
        return Ok(Value::Float(-absx.ln()));
    }
    let mut r = lanczos_sum(absx).ln() - LANCZOS_G;
    r += (absx - 0.5) * ((absx + LANCZOS_G - 0.5).ln() - 1.0);
    if x < 0.0 {
        r = PI.ln() - sinpi(absx).abs().ln() - absx.ln() - r;
    }
    if r.is_infinite() {
        return Err(range_error(vm));
    }
    Ok(Value::Float(r))
}

pub(super) fn m_erf(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    // CPython 3.7 calls the C library's erf: fdlibm's algorithm (math_erf.rs).
    let x = float_arg(vm, &args, 0)?;
    Ok(Value::Float(super::math_erf::erf(x)))
}

pub(super) fn m_erfc(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    Ok(Value::Float(super::math_erf::erfc(x)))
}

/// math.remainder(x, y): x - n*y for the integer n nearest x/y (ties to even).
pub(super) fn m_remainder(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let y = float_arg(vm, &args, 1)?;
    if x.is_nan() || y.is_nan() {
        return Ok(Value::Float(f64::NAN));
    }
    if x.is_infinite() || y == 0.0 {
        return Err(domain_error(vm));
    }
    if y.is_infinite() {
        return Ok(Value::Float(x));
    }
    let (absx, absy) = (x.abs(), y.abs());
    let m = absx % absy;
    let c = absy - m;
    let r = if m < c {
        m
    } else if m > c {
        -c
    } else {
        // Half way: the even multiple wins.
        m - 2.0 * ((0.5 * (absx - m)) % absy)
    };
    Ok(Value::Float(1f64.copysign(x) * r))
}
