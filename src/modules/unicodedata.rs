//! `unicodedata`: a character's general category, name, numeric values and combining
//! class, names looked up, and the four normalization forms, in CPython 3.7's words.
//! The tables are the unicode crates' (a newer Unicode than 3.7's 11.0 for characters
//! added since); `decomposition`, `bidirectional`, `mirrored` and `east_asian_width` are
//! not here.

use super::{R, arg};
use crate::objects::unicode_props;
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};
use unicode_general_category::{GeneralCategory as G, get_general_category};
use unicode_normalization::UnicodeNormalization;

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "unicodedata",
        &[
            ("category", category),
            ("name", name),
            ("lookup", lookup),
            ("decimal", decimal),
            ("digit", digit),
            ("numeric", numeric),
            ("combining", combining),
            ("normalize", normalize),
        ],
    );
    let version = vm.new_str("11.0.0");
    vm.dict_set_str(vm.module_dict(m), "unidata_version", version);
    Ok(m)
}

/// The one character a function of the module takes, with CPython's TypeErrors.
fn character(vm: &mut Vm, function: &str, args: &Args) -> PyResult<char> {
    let v = arg(args, 0);
    if let Some(text) = vm.str_of(v) {
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(c);
        }
    }
    let t = vm.type_name(v);
    Err(vm.type_error(&format!(
        "{function}() argument must be a unicode character, not {t}"
    )))
}

/// The default a lookup falls back to, or the ValueError it raises without one.
fn or_default(vm: &mut Vm, args: &Args, found: Option<Value>, message: &str) -> R {
    match (found, args.pos.get(1)) {
        (Some(v), _) => Ok(v),
        (None, Some(default)) => Ok(*default),
        (None, None) => Err(vm.new_exception("ValueError", message)),
    }
}

fn category(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let c = character(vm, "category", &args)?;
    let code = category_code(get_general_category(c));
    Ok(vm.new_str(code))
}

fn category_code(category: G) -> &'static str {
    match category {
        G::UppercaseLetter => "Lu",
        G::LowercaseLetter => "Ll",
        G::TitlecaseLetter => "Lt",
        G::ModifierLetter => "Lm",
        G::OtherLetter => "Lo",
        G::NonspacingMark => "Mn",
        G::SpacingMark => "Mc",
        G::EnclosingMark => "Me",
        G::DecimalNumber => "Nd",
        G::LetterNumber => "Nl",
        G::OtherNumber => "No",
        G::ConnectorPunctuation => "Pc",
        G::DashPunctuation => "Pd",
        G::OpenPunctuation => "Ps",
        G::ClosePunctuation => "Pe",
        G::InitialPunctuation => "Pi",
        G::FinalPunctuation => "Pf",
        G::OtherPunctuation => "Po",
        G::MathSymbol => "Sm",
        G::CurrencySymbol => "Sc",
        G::ModifierSymbol => "Sk",
        G::OtherSymbol => "So",
        G::SpaceSeparator => "Zs",
        G::LineSeparator => "Zl",
        G::ParagraphSeparator => "Zp",
        G::Control => "Cc",
        G::Format => "Cf",
        G::Surrogate => "Cs",
        G::PrivateUse => "Co",
        // (Unassigned, and any category a later Unicode adds.)
        _ => "Cn",
    }
}

fn name(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let c = character(vm, "name", &args)?;
    let found = unicode_names2::name(c).map(|n| vm.new_str(n.to_string()));
    or_default(vm, &args, found, "no such name")
}

fn lookup(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let v = arg(&args, 0);
    let Some(text) = vm.str_of(v).map(str::to_string) else {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!("lookup() argument must be str, not {t}")));
    };
    match unicode_names2::character(&text) {
        Some(c) => Ok(vm.new_str(c.to_string())),
        None => {
            let key = vm.new_str(format!("undefined character name '{text}'"));
            let exc = vm.new_exception_args("KeyError", vec![key]);
            Err(exc)
        }
    }
}

/// A decimal digit's value: Nd digits come in runs of ten, from zero.
fn decimal_value(c: char) -> Option<u32> {
    if !unicode_props::is_decimal(c) {
        return None;
    }
    let mut run = 0;
    let mut at = c as u32;
    while at > 0 && char::from_u32(at - 1).is_some_and(unicode_props::is_decimal) {
        at -= 1;
        run += 1;
    }
    Some(run % 10)
}

/// The value of a digit that is not a decimal (², ①, ⑴ ...).
fn digit_value(c: char) -> Option<u32> {
    let n = c as u32;
    let value = match c {
        '\u{b2}' => 2,
        '\u{b3}' => 3,
        '\u{b9}' => 1,
        '\u{2070}' => 0,
        '\u{2074}'..='\u{2079}' | '\u{2080}'..='\u{2089}' => (n & 0xf) % 10,
        '\u{2460}'..='\u{2468}' => n - 0x2460 + 1,
        '\u{2474}'..='\u{247c}' => n - 0x2474 + 1,
        '\u{2488}'..='\u{2490}' => n - 0x2488 + 1,
        '\u{24ea}' | '\u{24ff}' => 0,
        '\u{24f5}'..='\u{24fd}' => n - 0x24f5 + 1,
        '\u{2776}'..='\u{277e}' => n - 0x2776 + 1,
        '\u{2780}'..='\u{2788}' => n - 0x2780 + 1,
        '\u{278a}'..='\u{2792}' => n - 0x278a + 1,
        // DIGIT ZERO FULL STOP, then DIGIT ZERO COMMA to DIGIT NINE COMMA.
        '\u{1f100}'..='\u{1f10a}' => (n - 0x1f100).saturating_sub(1),
        '\u{1369}'..='\u{1371}' => n - 0x1369 + 1,
        '\u{19da}' => 1,
        '\u{10a40}'..='\u{10a43}' => n - 0x10a40 + 1,
        '\u{10e60}'..='\u{10e68}' => n - 0x10e60 + 1,
        '\u{11052}'..='\u{1105a}' => n - 0x11052 + 1,
        _ => return None,
    };
    Some(value)
}

/// Numeric values beyond the digits: vulgar fractions, Roman numerals, CJK numerals.
fn other_numeric(c: char) -> Option<f64> {
    let n = c as u32;
    Some(match c {
        '¼' => 0.25,
        '½' => 0.5,
        '¾' => 0.75,
        '⅐' => 1.0 / 7.0,
        '⅑' => 1.0 / 9.0,
        '⅒' => 0.1,
        '⅓' => 1.0 / 3.0,
        '⅔' => 2.0 / 3.0,
        '⅕' => 0.2,
        '⅖' => 0.4,
        '⅗' => 0.6,
        '⅘' => 0.8,
        '⅙' => 1.0 / 6.0,
        '⅚' => 5.0 / 6.0,
        '⅛' => 0.125,
        '⅜' => 0.375,
        '⅝' => 0.625,
        '⅞' => 0.875,
        '\u{2160}'..='\u{216b}' => f64::from(n - 0x2160 + 1),
        '\u{2170}'..='\u{217b}' => f64::from(n - 0x2170 + 1),
        'Ⅼ' | 'ⅼ' => 50.0,
        'Ⅽ' | 'ⅽ' => 100.0,
        'Ⅾ' | 'ⅾ' => 500.0,
        'Ⅿ' | 'ⅿ' => 1000.0,
        '〇' | '零' => 0.0,
        '一' => 1.0,
        '二' => 2.0,
        '三' => 3.0,
        '四' => 4.0,
        '五' => 5.0,
        '六' => 6.0,
        '七' => 7.0,
        '八' => 8.0,
        '九' => 9.0,
        '十' => 10.0,
        '百' => 100.0,
        '千' => 1000.0,
        '万' | '萬' => 10000.0,
        '億' => 1e8,
        '兆' => 1e12,
        _ => return None,
    })
}

fn decimal(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let c = character(vm, "decimal", &args)?;
    let found = decimal_value(c).map(|d| Value::Int(i64::from(d)));
    or_default(vm, &args, found, "not a decimal")
}

fn digit(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let c = character(vm, "digit", &args)?;
    let found = decimal_value(c)
        .or_else(|| digit_value(c))
        .map(|d| Value::Int(i64::from(d)));
    or_default(vm, &args, found, "not a digit")
}

fn numeric(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let c = character(vm, "numeric", &args)?;
    let found = decimal_value(c)
        .or_else(|| digit_value(c))
        .map(f64::from)
        .or_else(|| other_numeric(c))
        .map(Value::Float);
    or_default(vm, &args, found, "not a numeric character")
}

fn combining(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let c = character(vm, "combining", &args)?;
    let class = unicode_normalization::char::canonical_combining_class(c);
    Ok(Value::Int(i64::from(class)))
}

fn normalize(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (form, text) = (arg(&args, 0), arg(&args, 1));
    let Some(form) = vm.str_of(form).map(str::to_string) else {
        let t = vm.type_name(form);
        return Err(vm.type_error(&format!("normalize() argument 1 must be str, not {t}")));
    };
    let Some(text) = vm.str_of(text).map(str::to_string) else {
        let t = vm.type_name(text);
        return Err(vm.type_error(&format!("normalize() argument 2 must be str, not {t}")));
    };
    let normalized: String = match form.as_str() {
        "NFC" => text.nfc().collect(),
        "NFD" => text.nfd().collect(),
        "NFKC" => text.nfkc().collect(),
        "NFKD" => text.nfkd().collect(),
        _ => return Err(vm.new_exception("ValueError", "invalid normalization form")),
    };
    Ok(vm.new_str(normalized))
}
