//! Python's text forms of primitive values (`repr` of str, bytes and float), shared by
//! dis and the runtime so both print exactly what CPython prints.

/// `repr(s)` for a str: single quotes unless the text holds a single quote and no double one.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// `str.isprintable` of one character, as CPython's: not a control, format, surrogate,
/// private-use or unassigned character, nor a separator other than the space.
pub fn is_printable(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    let u = c as u32;
    if u < 0x7f {
        return u >= 0x20;
    }
    !matches!(
        get_general_category(c),
        G::Control
            | G::Format
            | G::Surrogate
            | G::PrivateUse
            | G::Unassigned
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::SpaceSeparator
    )
}

/// `ascii(x)` from `repr(x)`: every non-ASCII character escaped as `\xhh`, `\uhhhh` or
/// `\Uhhhhhhhh`.
pub fn ascii_escape(repr: &str) -> String {
    let mut out = String::with_capacity(repr.len());
    for c in repr.chars() {
        match c as u32 {
            0..=0x7f => out.push(c),
            u @ 0x80..=0xff => out.push_str(&format!("\\x{u:02x}")),
            u @ 0x100..=0xffff => out.push_str(&format!("\\u{u:04x}")),
            u => out.push_str(&format!("\\U{u:08x}")),
        }
    }
    out
}

/// `repr(b)` for bytes.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote);
    for &byte in b {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push(quote);
    out
}

/// The shortest round-tripping digits of `x` (`digits` × 10^(exponent + 1 - len)), with a
/// tie between two equally near candidates broken towards an even last digit, as
/// CPython's dtoa does (Rust's formatting may pick the other: 1125899906842624.3 for
/// 2**50 + 0.25, where CPython prints ...624.2). Ties need 16 or more digits.
fn even_on_tie(x: f64, digits: String, exponent: i32) -> String {
    use num_bigint::BigInt;
    if digits.len() < 16 || digits.ends_with(['0', '2', '4', '6', '8']) {
        return digits;
    }
    let power = exponent - (digits.len() as i32 - 1);
    let Ok(d) = digits.parse::<i128>() else {
        return digits;
    };
    // x = m × 2^e exactly; both sides scaled to integers.
    let bits = x.to_bits();
    let (raw_exp, frac) = ((bits >> 52) & 0x7ff, bits & ((1 << 52) - 1));
    let (m, e) = if raw_exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), raw_exp as i32 - 1075)
    };
    let ten = |k: i32| BigInt::from(10).pow(k.max(0) as u32);
    let two = |k: i32| BigInt::from(2).pow(k.max(0) as u32);
    let exact = BigInt::from(m) * two(e) * ten(-power);
    let scaled = |c: i128| BigInt::from(c) * ten(power) * two(-e);
    let distance = |c: i128| (scaled(c) - &exact).magnitude().clone();
    let here = distance(d);
    for neighbour in [d - 1, d + 1] {
        let round_trips = format!("{neighbour}e{power}").parse::<f64>() == Ok(x);
        if round_trips && neighbour.to_string().len() == digits.len() && distance(neighbour) == here
        {
            return neighbour.to_string();
        }
    }
    digits
}

/// `repr(x)` for a float: the shortest digits that round-trip, in fixed notation when the
/// decimal exponent is in CPython's window (-4, 16], else in scientific notation.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-tripping digits, e.g. "1.2345e-5".
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e').expect("{:e} always has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().expect("{:e} exponent is an integer");
    let digits = even_on_tie(x.abs(), digits, exponent);
    let decpt = exponent + 1;
    let sign = if x < 0.0 { "-" } else { "" };
    let body = if -4 < decpt && decpt <= 16 {
        let n = digits.len() as i32;
        if decpt <= 0 {
            format!("0.{}{}", "0".repeat((-decpt) as usize), digits)
        } else if decpt >= n {
            format!("{}{}.0", digits, "0".repeat((decpt - n) as usize))
        } else {
            format!(
                "{}.{}",
                &digits[..decpt as usize],
                &digits[decpt as usize..]
            )
        }
    } else {
        let mantissa = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        let exp = decpt - 1;
        format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_cpython() {
        // Expected strings are what CPython 3.11's repr() prints for the same values.
        let cases = [
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1.0 / 3.0, "0.3333333333333333"),
            (-2.5, "-2.5"),
            (-0.0, "-0.0"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "nan"),
            (2.0, "2.0"),
            (1e22, "1e+22"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "{x:?}");
        }
    }

    #[test]
    fn strings_print_as_cpython() {
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(str_repr("tab\there\n"), "'tab\\there\\n'");
        assert_eq!(str_repr("\x01é"), "'\\x01é'");
        assert_eq!(bytes_repr(b"a\x00'"), "b\"a\\x00'\"");
    }
}
