//! Characters as CPython's sre sees them: `\d`, `\s` and `\w` in their Unicode and ASCII
//! forms (Unicode general categories, as `str.isalnum` and `str.isdecimal` use them), the
//! simple case mappings IGNORECASE compares with, sre_compile's table of characters that
//! share an uppercase form, and the str helpers the parser needs (identifiers, repr).

use unicode_general_category::{GeneralCategory as G, get_general_category};

/// The simple lowercase mapping (`İ` lowers to `i`, as UnicodeData gives it).
pub fn lower(c: u32) -> u32 {
    match char::from_u32(c) {
        Some(ch) if ch.is_ascii() => ch.to_ascii_lowercase() as u32,
        Some(ch) => ch.to_lowercase().next().map_or(c, |l| l as u32),
        None => c,
    }
}

/// The simple uppercase mapping: characters whose full mapping is several characters
/// (`ß`) keep themselves.
pub fn upper(c: u32) -> u32 {
    match char::from_u32(c) {
        Some(ch) if ch.is_ascii() => ch.to_ascii_uppercase() as u32,
        Some(ch) => {
            let mut it = ch.to_uppercase();
            match (it.next(), it.next()) {
                (Some(u), None) => u as u32,
                _ => c,
            }
        }
        None => c,
    }
}

pub fn ascii_lower(c: u32) -> u32 {
    if (b'A' as u32..=b'Z' as u32).contains(&c) {
        c + 32
    } else {
        c
    }
}

pub fn ascii_upper(c: u32) -> u32 {
    if (b'a' as u32..=b'z' as u32).contains(&c) {
        c - 32
    } else {
        c
    }
}

/// Whether a character has case (sre's `unicode_iscased`).
pub fn is_cased(c: u32, unicode: bool) -> bool {
    if unicode {
        c != lower(c) || c != upper(c)
    } else {
        c < 128 && (c as u8).is_ascii_alphabetic()
    }
}

/// sre_compile's `_equivalences`: lowercase characters that share an uppercase form.
const EQUIVALENCES: &[&[u32]] = &[
    &[0x69, 0x131],
    &[0x73, 0x17f],
    &[0xb5, 0x3bc],
    &[0x345, 0x3b9, 0x1fbe],
    &[0x390, 0x1fd3],
    &[0x3b0, 0x1fe3],
    &[0x3b2, 0x3d0],
    &[0x3b5, 0x3f5],
    &[0x3b8, 0x3d1],
    &[0x3ba, 0x3f0],
    &[0x3c0, 0x3d6],
    &[0x3c1, 0x3f1],
    &[0x3c2, 0x3c3],
    &[0x3c6, 0x3d5],
    &[0x1e61, 0x1e9b],
    &[0xfb05, 0xfb06],
];

/// The lowercase characters equivalent to `lo` under IGNORECASE (itself included).
pub fn equivalents(lo: u32) -> &'static [u32] {
    EQUIVALENCES
        .iter()
        .copied()
        .find(|t| t.contains(&lo))
        .unwrap_or(&[])
}

/// Two lowercased characters compare equal under Unicode IGNORECASE.
pub fn fold_eq(a: u32, b: u32) -> bool {
    a == b || equivalents(b).contains(&a)
}

pub fn is_digit(c: char, unicode: bool) -> bool {
    if unicode && !c.is_ascii() {
        get_general_category(c) == G::DecimalNumber
    } else {
        c.is_ascii_digit()
    }
}

pub fn is_space(c: char, unicode: bool) -> bool {
    if unicode {
        matches!(c, '\t'..='\r' | '\x1c'..='\x1f' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}'
            | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}'
            | '\u{3000}')
    } else {
        matches!(c, '\t'..='\r' | ' ')
    }
}

/// `\w`: Python's `str.isalnum()` (letters and numbers) or `_`; ASCII: `[a-zA-Z0-9_]`.
pub fn is_word(c: char, unicode: bool) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    unicode && crate::objects::unicode_props::is_alnum(c)
}

/// `str.isidentifier()`, for group names.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|f| f == '_' || f.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// `repr()` of a str, as messages quote names.
pub fn py_repr(s: &str) -> String {
    crate::pyfmt::str_repr(s)
}
