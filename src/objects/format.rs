//! Text formatting: the format-spec mini-language (format(), f-strings, str.format) and
//! printf-style `%` formatting, for ints, floats and strings.

use crate::pyfmt;
use crate::vm::object::Args;
use crate::vm::{PyResult, Value, Vm};
use num_traits::Signed;

#[derive(Default)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    alternate: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

fn parse_spec(spec: &str) -> Option<Spec> {
    let chars: Vec<char> = spec.chars().collect();
    let mut s = Spec::default();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = Some(chars[0]);
        s.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if i < chars.len() && matches!(chars[i], '+' | '-' | ' ') {
        s.sign = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '#' {
        s.alternate = true;
        i += 1;
    }
    if i < chars.len() && chars[i] == '0' {
        s.zero = true;
        i += 1;
    }
    let start = i;
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    s.width = chars[start..i]
        .iter()
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    if i < chars.len() && matches!(chars[i], ',' | '_') {
        s.grouping = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        s.precision = Some(chars[start..i].iter().collect::<String>().parse().ok()?);
    }
    if i < chars.len() {
        s.kind = Some(chars[i]);
        i += 1;
    }
    (i == chars.len()).then_some(s)
}

/// Separates the leading run of digits into groups of `every` (3, or 4 for binary, octal
/// and hex); a fraction or exponent after it is left alone.
fn group(digits: &str, sep: char, every: usize) -> String {
    let end = digits
        .find(|c: char| !c.is_ascii_alphanumeric() || c == 'e' && every == 3)
        .unwrap_or(digits.len());
    let (int, rest) = digits.split_at(end);
    let mut out = String::new();
    for (n, c) in int.chars().enumerate() {
        if n > 0 && (int.len() - n) % every == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out + rest
}

/// Grouped digits, zero-padded first when the padding is zeros: the zeros are grouped
/// too (`0,001,234.5`), and the result may pass `width` by a separator, as in CPython.
fn group_padded(digits: &str, sep: char, every: usize, spec: &Spec, outside: usize) -> String {
    let zero_padded = spec.zero && spec.fill.is_none() && matches!(spec.align, None | Some('='));
    let mut digits = digits.to_string();
    let mut grouped = group(&digits, sep, every);
    while zero_padded && grouped.chars().count() + outside < spec.width {
        digits.insert(0, '0');
        grouped = group(&digits, sep, every);
    }
    grouped
}

fn pad(body: &str, sign: &str, spec: &Spec, default_align: char) -> String {
    let len = body.chars().count() + sign.chars().count();
    if len >= spec.width {
        return format!("{sign}{body}");
    }
    // The '0' flag fills with zeros unless a fill is given, whatever the alignment.
    let fill = spec.fill.unwrap_or(if spec.zero { '0' } else { ' ' });
    let align = spec
        .align
        .unwrap_or(if spec.zero { '=' } else { default_align });
    let n = spec.width - len;
    let f = |k: usize| fill.to_string().repeat(k);
    match align {
        '<' => format!("{sign}{body}{}", f(n)),
        '^' => format!("{}{sign}{body}{}", f(n / 2), f(n - n / 2)),
        '=' => format!("{sign}{}{body}", f(n)),
        _ => format!("{}{sign}{body}", f(n)),
    }
}

/// Digits after the point past which a double's exact decimal value has only zeros (its
/// smallest step is 2**-1074): Rust's formatter stops at 65,535, Python's precision does not.
const EXACT_DIGITS: usize = 1100;

/// `x` with `precision` digits after the point (any precision).
fn fixed(x: f64, precision: usize) -> String {
    let p = precision.min(EXACT_DIGITS);
    let mut s = format!("{x:.p$}");
    s.extend(std::iter::repeat_n('0', precision - p));
    s
}

/// `x` in exponent form (Rust's `1.5e3`) with `precision` digits after the point (any
/// precision).
fn scientific(x: f64, precision: usize) -> String {
    let p = precision.min(EXACT_DIGITS);
    let s = format!("{x:.p$e}");
    if p == precision {
        return s;
    }
    let (m, e) = s.split_once('e').expect("exponent form");
    format!("{m}{}e{e}", "0".repeat(precision - p))
}

/// Formats a float with a fixed/exponent/general presentation type, as Python does.
pub fn format_float(x: f64, kind: char, precision: Option<usize>, alternate: bool) -> String {
    if !x.is_finite() {
        let word = match (x.is_nan(), kind.is_uppercase()) {
            (true, false) => "nan",
            (true, true) => "NAN",
            (false, false) => "inf",
            (false, true) => "INF",
        };
        return if kind == '%' {
            format!("{word}%")
        } else {
            word.into()
        };
    }
    // `#` keeps the point even with no digits after it.
    let dot = |s: String| {
        if alternate && !s.contains('.') {
            s + "."
        } else {
            s
        }
    };
    match kind {
        'f' | 'F' => dot(fixed(x, precision.unwrap_or(6))),
        '%' => dot(fixed(x * 100.0, precision.unwrap_or(6))) + "%",
        'e' | 'E' => {
            let s = scientific(x, precision.unwrap_or(6));
            let (m, e) = s.split_once('e').expect("exponent form");
            let e: i32 = e.parse().expect("exponent");
            let m = dot(m.to_string());
            let r = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
            if kind == 'E' { r.to_uppercase() } else { r }
        }
        _ => {
            let s = format_general(x, precision.unwrap_or(6), alternate, false);
            if kind == 'G' { s.to_uppercase() } else { s }
        }
    }
}

/// The 'g' presentation of a finite non-negative `x` with `precision` significant digits.
/// `repr_style` is the no-type form: the exponent form from `precision - 1` on, and a
/// fixed-point result keeps at least one digit after the point.
fn format_general(x: f64, precision: usize, alternate: bool, repr_style: bool) -> String {
    if !x.is_finite() {
        return format_float(x, 'g', None, false);
    }
    let p = precision.max(1);
    if x == 0.0 {
        return match (alternate, repr_style) {
            (true, _) => fixed(0.0, p - 1),
            (false, true) => "0.0".into(),
            (false, false) => "0".into(),
        };
    }
    let exp = scientific(x, p - 1);
    let (m, e) = exp.split_once('e').expect("exponent form");
    let e: i32 = e.parse().expect("exponent");
    let threshold = if repr_style { p as i64 - 1 } else { p as i64 };
    if e < -4 || i64::from(e) >= threshold {
        let m = if alternate {
            m.to_string()
        } else {
            trim_zeros(m)
        };
        let m = if alternate && !m.contains('.') {
            m + "."
        } else {
            m
        };
        format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
    } else {
        let s = fixed(x, (p as i64 - 1 - i64::from(e)).max(0) as usize);
        let s = if alternate { s } else { trim_zeros(&s) };
        if repr_style && !s.contains('.') {
            s + ".0"
        } else if alternate && !s.contains('.') {
            s + "."
        } else {
            s
        }
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

pub fn format_spec(vm: &mut Vm, v: Value, spec_text: &str) -> PyResult<String> {
    let parsed = parse_spec(spec_text);
    if let Some(spec) = &parsed {
        vm.check_alloc(spec.width as u64, 4)?;
        // (Only a float's digits grow with the precision; a string's is a cut.)
        if let (Some(precision), Value::Float(_)) = (spec.precision, v) {
            if precision > i32::MAX as usize {
                return Err(vm.new_exception("ValueError", "precision too big"));
            }
            vm.check_alloc(precision as u64, 1)?;
        }
    }
    let Some(spec) = parsed else {
        return Err(vm.new_exception("ValueError", "Invalid format specifier"));
    };
    if let Some(g) = spec.grouping {
        let allowed = match spec.kind {
            None | Some('d' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%') => true,
            Some('b' | 'o' | 'x' | 'X') => g == '_',
            _ => false,
        };
        if !allowed {
            let k = spec.kind.unwrap_or(' ');
            return Err(
                vm.new_exception("ValueError", &format!("Cannot specify '{g}' with '{k}'."))
            );
        }
    }
    let is_str = vm.str_of(v).is_some();
    if is_str {
        if spec.kind.is_some_and(|k| k != 's') {
            let k = spec.kind.unwrap_or('s');
            return Err(vm.new_exception(
                "ValueError",
                &format!("Unknown format code '{k}' for object of type 'str'"),
            ));
        }
        let refusal = if spec.sign.is_some() {
            Some("Sign not allowed in string format specifier")
        } else if spec.alternate {
            Some("Alternate form (#) not allowed in string format specifier")
        } else if spec.align == Some('=') || (spec.zero && spec.align.is_none()) {
            // (In 3.7 a leading 0 asks for '=' alignment, for a str too.)
            Some("'=' alignment not allowed in string format specifier")
        } else {
            None
        };
        if let Some(message) = refusal {
            return Err(vm.new_exception("ValueError", message));
        }
        let mut s = vm.str_of(v).unwrap_or_default().to_string();
        if let Some(p) = spec.precision {
            s = s.chars().take(p).collect();
        }
        return Ok(pad(&s, "", &spec, '<'));
    }
    let int = if matches!(v, Value::Float(_)) {
        None
    } else {
        vm.as_bigint(v)
    };
    if let Some(i) = int
        && !matches!(spec.kind, Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%'))
    {
        if spec.precision.is_some() {
            let message = "Precision not allowed in integer format specifier";
            return Err(vm.new_exception("ValueError", message));
        }
        if spec.kind == Some('c') && (spec.sign.is_some() || spec.alternate) {
            let message = if spec.sign.is_some() {
                "Sign not allowed with integer format specifier 'c'"
            } else {
                "Alternate form (#) not allowed with integer format specifier 'c'"
            };
            return Err(vm.new_exception("ValueError", message));
        }
        let (neg, mag) = (i.is_negative(), i.abs());
        let mut body = match spec.kind {
            Some('x') => mag.to_str_radix(16),
            Some('X') => mag.to_str_radix(16).to_uppercase(),
            Some('o') => mag.to_str_radix(8),
            Some('b') => mag.to_str_radix(2),
            Some('c') => char::from_u32(num_traits::ToPrimitive::to_u32(&mag).unwrap_or(0))
                .unwrap_or('?')
                .to_string(),
            Some('d' | 'n') | None => mag.to_string(),
            Some(k) => {
                let t = vm.type_name(v);
                return Err(vm.new_exception(
                    "ValueError",
                    &format!("Unknown format code '{k}' for object of type '{t}'"),
                ));
            }
        };
        let prefix = match (spec.alternate, spec.kind) {
            (true, Some('x')) => "0x",
            (true, Some('X')) => "0X",
            (true, Some('o')) => "0o",
            (true, Some('b')) => "0b",
            _ => "",
        };
        let sign = match (neg, spec.sign) {
            (true, _) => "-",
            (false, Some('+')) => "+",
            (false, Some(' ')) => " ",
            _ => "",
        };
        if let Some(g) = spec.grouping {
            let every = if matches!(spec.kind, Some('x' | 'X' | 'o' | 'b')) {
                4
            } else {
                3
            };
            body = group_padded(&body, g, every, &spec, sign.len() + prefix.len());
        }
        // The base prefix stays with the sign, before any zero padding.
        return Ok(pad(&body, &format!("{sign}{prefix}"), &spec, '>'));
    }
    let Some(x) = vm.to_f64(v) else {
        if spec_text.is_empty() {
            return vm.str(v);
        }
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!(
            "unsupported format string passed to {t}.__format__"
        )));
    };
    if let Some(k) = spec.kind
        && !matches!(k, 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%')
    {
        let t = vm.type_name(v);
        return Err(vm.new_exception(
            "ValueError",
            &format!("Unknown format code '{k}' for object of type '{t}'"),
        ));
    }
    let mut body = match (spec.kind, spec.precision) {
        (None, None) => pyfmt::float_repr(x.abs()),
        // No type but a precision: 'g' that keeps a digit after the point, switching to
        // the exponent one digit sooner (CPython's repr-style formatting).
        (None, Some(p)) => format_general(x.abs(), p, spec.alternate, true),
        (Some(kind), precision) => format_float(x.abs(), kind, precision, spec.alternate),
    };
    let sign = match (x.is_sign_negative() && !x.is_nan(), spec.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    };
    if let Some(g) = spec.grouping {
        body = group_padded(&body, g, 3, &spec, sign.len());
    }
    Ok(pad(&body, sign, &spec, '>'))
}

/// How a format string numbers its positional fields: `{}` counts up, `{0}` names one;
/// one string (its nested specs included) may not mix the two.
#[derive(Default)]
struct Numbering {
    next: usize,
    automatic: Option<bool>,
}

/// str.format: `{}` / `{0}` / `{name}` fields with conversions, attribute/index access and specs.
pub fn str_format(vm: &mut Vm, template: &str, args: &Args) -> PyResult<String> {
    format_fields(vm, template, args, &mut Numbering::default())
}

fn format_fields(
    vm: &mut Vm,
    template: &str,
    args: &Args,
    numbering: &mut Numbering,
) -> PyResult<String> {
    let mut out = String::new();
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' && chars.get(i + 1) == Some(&'{') {
            out.push('{');
            i += 2;
            continue;
        }
        if c == '}' {
            if chars.get(i + 1) != Some(&'}') {
                return Err(
                    vm.new_exception("ValueError", "Single '}' encountered in format string")
                );
            }
            out.push('}');
            i += 2;
            continue;
        }
        if c != '{' {
            out.push(c);
            i += 1;
            continue;
        }
        if i + 1 == chars.len() {
            return Err(vm.new_exception("ValueError", "Single '{' encountered in format string"));
        }
        let mut depth = 1;
        let mut j = i + 1;
        while j < chars.len() && depth > 0 {
            match chars[j] {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            j += 1;
        }
        if depth > 0 {
            return Err(vm.new_exception("ValueError", "expected '}' before end of string"));
        }
        let field: String = chars[i + 1..j - 1].iter().collect();
        i = j;
        // `name!c:spec`, parsed as CPython does: the character after `!` is the
        // conversion, whatever it is, and only `:` or the end may follow it.
        let (head, conv, spec) = match field.find(['!', ':']) {
            Some(p) if field[p..].starts_with('!') => {
                let mut after = field[p + 1..].chars();
                let Some(c) = after.next() else {
                    return Err(vm.new_exception("ValueError", "unmatched '{' in format spec"));
                };
                let rest = after.as_str();
                if !rest.is_empty() && !rest.starts_with(':') {
                    return Err(
                        vm.new_exception("ValueError", "expected ':' after conversion specifier")
                    );
                }
                let spec = rest.strip_prefix(':').unwrap_or_default();
                (field[..p].to_string(), Some(c), spec.to_string())
            }
            Some(p) => (field[..p].to_string(), None, field[p + 1..].to_string()),
            None => (field.clone(), None, String::new()),
        };
        let name_end = head.find(['.', '[']).unwrap_or(head.len());
        let key = &head[..name_end];
        let index = if key.is_empty() {
            Some(None)
        } else {
            key.parse::<usize>().ok().map(Some)
        };
        let value = match index {
            Some(explicit) => {
                let automatic = explicit.is_none();
                if numbering.automatic.is_some_and(|a| a != automatic) {
                    let msg = if automatic {
                        "cannot switch from manual field specification to automatic field numbering"
                    } else {
                        "cannot switch from automatic field numbering to manual field specification"
                    };
                    return Err(vm.new_exception("ValueError", msg));
                }
                numbering.automatic = Some(automatic);
                let n = explicit.unwrap_or_else(|| {
                    numbering.next += 1;
                    numbering.next - 1
                });
                match args.pos.get(n) {
                    Some(v) => *v,
                    None => {
                        return Err(vm.new_exception(
                            "IndexError",
                            &format!(
                                "Replacement index {n} out of range for positional args tuple"
                            ),
                        ));
                    }
                }
            }
            None => match args.kw.iter().find(|(k, _)| k == key) {
                Some((_, v)) => *v,
                None => {
                    let k = vm.new_str(key);
                    return Err(vm.new_exception_args("KeyError", vec![k]));
                }
            },
        };
        let mut v = value;
        let mut rest = &head[name_end..];
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                v = vm.getattr(v, &r[..end])?;
                rest = &r[end..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']').unwrap_or(r.len());
                let idx = &r[..end];
                let k = match idx.parse::<i64>() {
                    Ok(n) => Value::Int(n),
                    Err(_) => vm.new_str(idx),
                };
                v = vm.getitem(v, k)?;
                rest = r.get(end + 1..).unwrap_or("");
            } else {
                break;
            }
        }
        let v = match conv {
            None => v,
            Some(c) => convert_field(vm, v, c)?,
        };
        let spec = if spec.contains('{') {
            format_fields(vm, &spec, args, numbering)?
        } else {
            spec
        };
        out.push_str(&vm.format(v, &spec)?);
    }
    Ok(out)
}

/// A replacement field's `!r`, `!s` or `!a`.
fn convert_field(vm: &mut Vm, v: Value, conversion: char) -> PyResult<Value> {
    let text = match conversion {
        'r' => vm.repr(v)?,
        's' => vm.str(v)?,
        'a' => {
            let r = vm.repr(v)?;
            crate::pyfmt::ascii_escape(&r)
        }
        c => {
            return Err(
                vm.new_exception("ValueError", &format!("Unknown conversion specifier {c}"))
            );
        }
    };
    Ok(vm.new_str(text))
}
