//! The Unpickler's text: the numbers protocol 0 writes as lines (INT with its `I01`/`I00`
//! bools, LONG, FLOAT, memo indexes), Python 2's strings (STRING's quoted escapes,
//! BINSTRING decoded with the Unpickler's encoding, or kept as bytes), UNICODE's
//! raw-unicode-escape and the UTF-8 of BINUNICODE (CPython's surrogatepass: a lone
//! surrogate, which a minipy str cannot hold, becomes U+FFFD).

use super::op;
use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use num_traits::Num;

/// INT, LONG or FLOAT from its line (the newline already removed).
pub fn number(vm: &mut Vm, code: u8, line: &[u8]) -> PyResult<Value> {
    let text = String::from_utf8_lossy(line).into_owned();
    match code {
        op::INT => {
            if let Some(x) = strtol(&text) {
                if text.len() == 2 && (x == 0 || x == 1) {
                    return Ok(Value::Bool(x == 1));
                }
                return Ok(Value::Int(x));
            }
            match int_base0(&text) {
                Some(big) => Ok(vm.new_int(big)),
                None => Err(vm.new_exception("ValueError", "could not convert string to int")),
            }
        }
        op::LONG => {
            // The trailing 'L' is optional; without it the newline stays in the text.
            let digits = match text.strip_suffix('L') {
                Some(d) => d.to_string(),
                None => format!("{text}\n"),
            };
            match int_base0(&digits) {
                Some(big) => Ok(vm.new_int(big)),
                None => {
                    let lower = digits.trim_start_matches(['+', '-']).to_ascii_lowercase();
                    let base = match lower.get(..2) {
                        Some("0x") => 16,
                        Some("0o") => 8,
                        Some("0b") => 2,
                        _ => 10,
                    };
                    let shown = crate::pyfmt::str_repr(&digits);
                    let msg = format!("invalid literal for int() with base {base}: {shown}");
                    Err(vm.new_exception("ValueError", &msg))
                }
            }
        }
        _ => match text.parse::<f64>() {
            Ok(f) if f.is_infinite() && !text.to_ascii_lowercase().contains("inf") => {
                let msg = format!("value too large to convert to float: {text}\n");
                Err(vm.new_exception("OverflowError", &msg))
            }
            Ok(f) => Ok(Value::Float(f)),
            Err(_) if float_prefix(&text) > 0 => {
                Err(vm.new_exception("ValueError", "could not convert string to float"))
            }
            Err(_) => {
                let msg = format!("could not convert string to float: {text}\n");
                Err(vm.new_exception("ValueError", &msg))
            }
        },
    }
}

/// How much of the text a float's syntax covers from the start (0: none).
fn float_prefix(text: &str) -> usize {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let lower = text[i..].to_ascii_lowercase();
    for word in ["infinity", "inf", "nan"] {
        if lower.starts_with(word) {
            return i + word.len();
        }
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    let mut any = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        any |= digits(&mut i);
    }
    if !any {
        return 0;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if digits(&mut j) {
            i = j;
        }
    }
    i
}

/// C's `strtol(s, &end, 0)` that must consume the whole text: decimal, 0x hex, 0 octal,
/// after optional whitespace and sign; None when it does not fit a long or stops early.
fn strtol(text: &str) -> Option<i64> {
    let t = text.trim_start_matches([' ', '\t', '\x0b', '\x0c', '\r']);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(rest) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"))
    {
        (16, rest)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// `int(text, 0)`: an optional sign, then 0x/0o/0b digits or decimal ones (no leading
/// zeros), underscores between digits, whitespace around.
fn int_base0(text: &str) -> Option<BigInt> {
    let t = text.trim();
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = t.to_ascii_lowercase();
    let (radix, digits) = match lower.get(..2) {
        Some("0x") => (16, &lower[2..]),
        Some("0o") => (8, &lower[2..]),
        Some("0b") => (2, &lower[2..]),
        _ => (10, lower.as_str()),
    };
    let digits = digits
        .strip_prefix('_')
        .filter(|_| radix != 10)
        .unwrap_or(digits);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c == '_' || c.is_digit(radix))
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if radix == 10 && clean.len() > 1 && clean.starts_with('0') && clean.bytes().any(|b| b != b'0')
    {
        return None;
    }
    let value = BigInt::from_str_radix(&clean, radix).ok()?;
    Some(if negative { -value } else { value })
}

/// A memo index from GET or PUT's line (decimal, as `int(text, 10)`).
pub fn decimal(vm: &mut Vm, line: &[u8]) -> PyResult<i64> {
    let text = String::from_utf8_lossy(line).into_owned();
    let t = text.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match t.parse::<i64>() {
            Ok(i) => Ok(i),
            Err(_) => Err(vm.new_exception(
                "OverflowError",
                "Python int too large to convert to C ssize_t",
            )),
        };
    }
    let shown = crate::pyfmt::str_repr(&format!("{text}\n"));
    let msg = format!("invalid literal for int() with base 10: {shown}");
    Err(vm.new_exception("ValueError", &msg))
}

fn decode(vm: &mut Vm, bytes: &[u8], encoding: &str, errors: &str) -> PyResult<Value> {
    let encoding = vm.new_str(encoding);
    let errors = vm.new_str(errors);
    let args = Args::new(vec![encoding, errors]);
    crate::objects::codecs::decode(vm, bytes, &args)
}

/// UTF-8 with surrogates let through (each becomes U+FFFD); anything else invalid is
/// CPython's UnicodeDecodeError.
pub fn utf8_surrogatepass(vm: &mut Vm, bytes: &[u8]) -> PyResult<String> {
    let mut fixed = bytes.to_vec();
    let mut i = 0;
    while i + 2 < fixed.len() {
        if fixed[i] == 0xed && (0xa0..=0xbf).contains(&fixed[i + 1]) && fixed[i + 2] & 0xc0 == 0x80
        {
            fixed[i..i + 3].copy_from_slice("\u{fffd}".as_bytes());
            i += 3;
        } else {
            i += 1;
        }
    }
    match String::from_utf8(fixed) {
        Ok(s) => Ok(s),
        Err(_) => {
            decode(vm, bytes, "utf-8", "strict")?;
            Ok(String::new())
        }
    }
}

/// A GLOBAL line: UTF-8, strictly.
pub fn utf8_strict(vm: &mut Vm, bytes: &[u8]) -> PyResult<String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(_) => {
            decode(vm, bytes, "utf-8", "strict")?;
            Ok(String::new())
        }
    }
}

/// An INST line: ASCII, strictly.
pub fn ascii_strict(vm: &mut Vm, bytes: &[u8]) -> PyResult<String> {
    if bytes.is_ascii() {
        return Ok(bytes.iter().map(|&b| char::from(b)).collect());
    }
    decode(vm, bytes, "ascii", "strict")?;
    Ok(String::new())
}

/// A Python 2 str: bytes with the encoding 'bytes', else decoded.
pub fn python2_str(vm: &mut Vm, raw: &[u8], encoding: &str, errors: &str) -> PyResult<Value> {
    if encoding == "bytes" {
        return Ok(vm.alloc(Object::Bytes(raw.to_vec())));
    }
    decode(vm, raw, encoding, errors)
}

/// STRING's argument: a quoted Python 2 literal, its escapes decoded to bytes.
pub fn unquote(vm: &mut Vm, line: &[u8]) -> PyResult<Vec<u8>> {
    let n = line.len();
    if n < 2 || line[0] != line[n - 1] || !matches!(line[0], b'\'' | b'"') {
        let msg = "the STRING opcode argument must be quoted";
        return Err(super::unpickling_error(vm, msg));
    }
    let s = &line[1..n - 1];
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = s.get(i) else {
            return Err(vm.new_exception("ValueError", "Trailing \\ in string"));
        };
        i += 1;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match s.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(v as u8);
            }
            b'x' => {
                let hex = s.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) if hex.is_some_and(|h| h.bytes().all(|d| d.is_ascii_hexdigit())) => {
                        out.push(b);
                        i += 2;
                    }
                    _ => {
                        let msg = format!("invalid \\x escape at position {}", i - 2);
                        return Err(vm.new_exception("ValueError", &msg));
                    }
                }
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// raw-unicode-escape: bytes are Latin-1 characters, except `\uXXXX` and `\UXXXXXXXX`
/// after an odd run of backslashes.
pub fn raw_unicode_unescape(vm: &mut Vm, line: &[u8]) -> PyResult<String> {
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let c = line[i];
        if c != b'\\' {
            out.push(char::from(c));
            i += 1;
            continue;
        }
        let run = line[i..].iter().take_while(|&&b| b == b'\\').count();
        let next = line.get(i + run).copied();
        if run % 2 == 0 || !matches!(next, Some(b'u' | b'U')) {
            out.extend(std::iter::repeat_n('\\', run));
            i += run;
            continue;
        }
        out.extend(std::iter::repeat_n('\\', run - 1));
        let start = i + run - 1;
        let width = if next == Some(b'u') { 4 } else { 8 };
        let digits = &line[(i + run + 1).min(line.len())..(i + run + 1 + width).min(line.len())];
        let end = i + run + 1 + digits.len();
        if digits.len() < width || !digits.iter().all(|d| d.is_ascii_hexdigit()) {
            let bad = digits.iter().take_while(|d| d.is_ascii_hexdigit()).count();
            let msg = format!(
                "'rawunicodeescape' codec can't decode bytes in position {start}-{}: truncated \\{}XXXX{} escape",
                start + 1 + bad,
                if width == 4 { 'u' } else { 'U' },
                if width == 4 { "" } else { "XXXX" }
            );
            return Err(vm.new_exception("UnicodeDecodeError", &msg));
        }
        let code = u32::from_str_radix(std::str::from_utf8(digits).unwrap_or("0"), 16).unwrap_or(0);
        if code > 0x10ffff {
            let msg = format!(
                "'rawunicodeescape' codec can't decode bytes in position {start}-{}: \\Uxxxxxxxx out of range",
                end - 1
            );
            return Err(vm.new_exception("UnicodeDecodeError", &msg));
        }
        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
        i = end;
    }
    Ok(out)
}
