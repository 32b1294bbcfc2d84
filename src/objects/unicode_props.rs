//! Python's character classes over Unicode's: what str.isalpha, isdecimal, isdigit,
//! isnumeric, title and the case tests count, by general category (CPython's
//! unicodectype.c), not by Rust's broader Alphabetic and Numeric properties (a combining
//! vowel sign is Alphabetic, not a letter).

use unicode_general_category::{GeneralCategory as G, get_general_category};

/// A letter: categories Lu, Ll, Lt, Lm and Lo.
pub fn is_letter(c: char) -> bool {
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
    )
}

/// A decimal digit: category Nd.
pub fn is_decimal(c: char) -> bool {
    get_general_category(c) == G::DecimalNumber
}

/// A digit: a decimal, or a character with a digit value (superscripts, circled digits).
pub fn is_digit(c: char) -> bool {
    is_decimal(c)
        || matches!(c, '\u{b2}'..='\u{b3}' | '\u{b9}' | '\u{1369}'..='\u{1371}' | '\u{19da}'
            | '\u{2070}' | '\u{2074}'..='\u{2079}' | '\u{2080}'..='\u{2089}'
            | '\u{2460}'..='\u{2468}' | '\u{2474}'..='\u{247c}' | '\u{2488}'..='\u{2490}'
            | '\u{24ea}' | '\u{24f5}'..='\u{24fd}' | '\u{24ff}' | '\u{2776}'..='\u{277e}'
            | '\u{2780}'..='\u{2788}' | '\u{278a}'..='\u{2792}' | '\u{10a40}'..='\u{10a43}'
            | '\u{10e60}'..='\u{10e68}' | '\u{11052}'..='\u{1105a}' | '\u{1f100}'..='\u{1f10a}')
}

/// CJK ideographs with a numeric value (Unihan's numeric fields), which CPython's
/// isnumeric counts: 一, 五, 萬 and the rest Python 3.7's database lists.
const NUMERIC_IDEOGRAPHS: &[u32] = &[
    0x3405, 0x3483, 0x382a, 0x3b4d, 0x4e00, 0x4e03, 0x4e07, 0x4e09, 0x4e5d, 0x4e8c, 0x4e94, 0x4e96,
    0x4ebf, 0x4ec0, 0x4edf, 0x4ee8, 0x4f0d, 0x4f70, 0x5104, 0x5146, 0x5169, 0x516b, 0x516d, 0x5341,
    0x5343, 0x5344, 0x5345, 0x534c, 0x53c1, 0x53c2, 0x53c3, 0x53c4, 0x56db, 0x58f1, 0x58f9, 0x5e7a,
    0x5efe, 0x5eff, 0x5f0c, 0x5f0d, 0x5f0e, 0x5f10, 0x62fe, 0x634c, 0x67d2, 0x6f06, 0x7396, 0x767e,
    0x8086, 0x842c, 0x8cae, 0x8cb3, 0x8d30, 0x9621, 0x9646, 0x964c, 0x9678, 0x96f6, 0xf96b, 0xf973,
    0xf978, 0xf9b2, 0xf9d1, 0xf9d3, 0xf9fd, 0x20001, 0x20064, 0x200e2, 0x20121, 0x2092a, 0x20983,
    0x2098c, 0x2099c, 0x20aea, 0x20afd, 0x20b19, 0x22390, 0x22998, 0x23b1b, 0x2626d, 0x2f890,
];

/// A numeric character: categories Nd, Nl and No, and the numeric ideographs.
pub fn is_numeric(c: char) -> bool {
    matches!(
        get_general_category(c),
        G::DecimalNumber | G::LetterNumber | G::OtherNumber
    ) || NUMERIC_IDEOGRAPHS.binary_search(&(c as u32)).is_ok()
}

pub fn is_alnum(c: char) -> bool {
    is_letter(c) || is_numeric(c)
}

pub fn is_titlecase(c: char) -> bool {
    get_general_category(c) == G::TitlecaseLetter
}

/// Cased (Unicode's derived property): what str.title() and the case tests look at.
pub fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || is_titlecase(c)
}

/// The titlecase form of a character (Unicode's simple titlecase mapping): the uppercase,
/// but for the digraphs whose titlecase is a letter of its own (ǅ, ǈ, ǋ, ǲ).
pub fn to_title(c: char, out: &mut String) {
    match c {
        '\u{1c4}'..='\u{1c6}' => out.push('\u{1c5}'),
        '\u{1c7}'..='\u{1c9}' => out.push('\u{1c8}'),
        '\u{1ca}'..='\u{1cc}' => out.push('\u{1cb}'),
        '\u{1f1}'..='\u{1f3}' => out.push('\u{1f2}'),
        // Full titlecase mappings: a capital, then small letters.
        'ß' => out.push_str("Ss"),
        'ﬀ' => out.push_str("Ff"),
        'ﬁ' => out.push_str("Fi"),
        'ﬂ' => out.push_str("Fl"),
        'ﬃ' => out.push_str("Ffi"),
        'ﬄ' => out.push_str("Ffl"),
        'ﬅ' | 'ﬆ' => out.push_str("St"),
        c => out.extend(c.to_uppercase()),
    }
}
