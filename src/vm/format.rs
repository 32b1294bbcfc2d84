//! Text formatting: the format-spec mini-language (format(), f-strings, str.format) and
//! printf-style `%` formatting, for ints, floats and strings.

use super::object::{Args, Object};
use super::{PyResult, Value, Vm};
use crate::pyfmt;
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

fn group(digits: &str, sep: char) -> String {
    let (int, frac) = match digits.find('.') {
        Some(p) => (&digits[..p], &digits[p..]),
        None => (digits, ""),
    };
    let mut out = String::new();
    for (n, c) in int.chars().enumerate() {
        if n > 0 && (int.len() - n) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out + frac
}

fn pad(body: &str, sign: &str, spec: &Spec, default_align: char) -> String {
    let len = body.chars().count() + sign.chars().count();
    if len >= spec.width {
        return format!("{sign}{body}");
    }
    let fill = spec.fill.unwrap_or(if spec.zero && spec.align.is_none() {
        '0'
    } else {
        ' '
    });
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

/// Formats a float with a fixed/exponent/general presentation type, as Python does.
pub fn format_float(x: f64, kind: char, precision: Option<usize>, alternate: bool) -> String {
    if x.is_nan() {
        return if kind.is_uppercase() {
            "NAN".into()
        } else {
            "nan".into()
        };
    }
    if x.is_infinite() {
        return if kind.is_uppercase() {
            "INF".into()
        } else {
            "inf".into()
        };
    }
    match kind {
        'f' | 'F' => format!("{:.*}", precision.unwrap_or(6), x),
        '%' => format!("{:.*}%", precision.unwrap_or(6), x * 100.0),
        'e' | 'E' => {
            let s = format!("{:.*e}", precision.unwrap_or(6), x);
            let (m, e) = s.split_once('e').expect("exponent form");
            let e: i32 = e.parse().expect("exponent");
            let r = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
            if kind == 'E' { r.to_uppercase() } else { r }
        }
        _ => {
            // 'g' / 'G' / none with a precision.
            let p = precision.unwrap_or(6).max(1);
            if x == 0.0 {
                return if alternate {
                    format!("{:.*}", p - 1, 0.0)
                } else {
                    "0".into()
                };
            }
            let exp = format!("{:.*e}", p - 1, x);
            let (_, e) = exp.split_once('e').expect("exponent form");
            let e: i32 = e.parse().expect("exponent");
            let s = if e < -4 || e >= p as i32 {
                let s = format!("{:.*e}", p - 1, x);
                let (m, _) = s.split_once('e').expect("exponent form");
                let m = if alternate {
                    m.to_string()
                } else {
                    trim_zeros(m)
                };
                format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
            } else {
                let s = format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, x);
                if alternate { s } else { trim_zeros(&s) }
            };
            if kind == 'G' { s.to_uppercase() } else { s }
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
    let Some(spec) = parse_spec(spec_text) else {
        return Err(vm.new_exception("ValueError", "Invalid format specifier"));
    };
    let is_str = vm.str_of(v).is_some();
    if is_str {
        if spec.kind.is_some_and(|k| k != 's') {
            let k = spec.kind.unwrap_or('s');
            return Err(vm.new_exception(
                "ValueError",
                &format!("Unknown format code '{k}' for object of type 'str'"),
            ));
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
        if let Some(g) = spec.grouping {
            body = group(&body, g);
        }
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
    let kind = spec
        .kind
        .unwrap_or(if spec.precision.is_some() { 'g' } else { 'r' });
    let mut body = if kind == 'r' {
        pyfmt::float_repr(x.abs())
    } else {
        format_float(x.abs(), kind, spec.precision, spec.alternate)
    };
    if kind == 'g' && spec.kind.is_none() && !body.contains(['.', 'e', 'n', 'i']) {
        body.push_str(".0");
    }
    if let Some(g) = spec.grouping {
        body = group(&body, g);
    }
    let sign = match (x.is_sign_negative() && !x.is_nan(), spec.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    };
    Ok(pad(&body, sign, &spec, '>'))
}

/// str.format: `{}` / `{0}` / `{name}` fields with conversions, attribute/index access and specs.
pub fn str_format(vm: &mut Vm, template: &str, args: &Args) -> PyResult<String> {
    let mut out = String::new();
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    let mut auto = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' && chars.get(i + 1) == Some(&'{') {
            out.push('{');
            i += 2;
            continue;
        }
        if c == '}' && chars.get(i + 1) == Some(&'}') {
            out.push('}');
            i += 2;
            continue;
        }
        if c != '{' {
            out.push(c);
            i += 1;
            continue;
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
        let (head, spec) = match field.find(':') {
            Some(p) => (field[..p].to_string(), field[p + 1..].to_string()),
            None => (field.clone(), String::new()),
        };
        let (head, conv) = match head.find('!') {
            Some(p) => (head[..p].to_string(), head[p + 1..].chars().next()),
            None => (head, None),
        };
        let name_end = head.find(['.', '[']).unwrap_or(head.len());
        let key = &head[..name_end];
        let mut value = if key.is_empty() {
            let v = args.pos.get(auto).copied();
            auto += 1;
            v
        } else if let Ok(n) = key.parse::<usize>() {
            args.pos.get(n).copied()
        } else {
            args.kw.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
        };
        let Some(mut v) = value.take() else {
            return Err(if key.is_empty() || key.parse::<usize>().is_ok() {
                vm.new_exception(
                    "IndexError",
                    "Replacement index 0 out of range for positional args tuple",
                )
            } else {
                {
                    let k = vm.new_str(key);
                    vm.new_exception_args("KeyError", vec![k])
                }
            });
        };
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
            Some('r') | Some('a') => {
                let s = vm.repr(v)?;
                vm.new_str(s)
            }
            Some('s') => {
                let s = vm.str(v)?;
                vm.new_str(s)
            }
            _ => v,
        };
        let spec = if spec.contains('{') {
            str_format(vm, &spec, args)?
        } else {
            spec
        };
        out.push_str(&vm.format(v, &spec)?);
    }
    Ok(out)
}

/// `fmt % args` for str.
pub fn percent_format(vm: &mut Vm, fmt: Value, args: Value) -> PyResult<String> {
    let template = vm.str_of(fmt).unwrap_or_default().to_string();
    let is_tuple = matches!(
        args.as_obj().map(|r| vm.heap.get(r)),
        Some(Object::Tuple(_))
    );
    let is_mapping = matches!(args.as_obj().map(|r| vm.heap.get(r)), Some(Object::Dict(_)));
    let values = if is_tuple {
        vm.tuple_items(args)
    } else {
        vec![args]
    };
    let mut next = 0;
    let mut out = String::new();
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut key = None;
        if chars.get(i) == Some(&'(') {
            let end = chars[i..]
                .iter()
                .position(|c| *c == ')')
                .map_or(chars.len(), |p| i + p);
            key = Some(chars[i + 1..end].iter().collect::<String>());
            i = end + 1;
        }
        let mut flags = String::new();
        while i < chars.len() && "-+ #0123456789.*".contains(chars[i]) {
            if chars[i] == '*' {
                // `*` takes the width (or precision) from the arguments.
                let Some(w) = values.get(next).copied() else {
                    return Err(vm.type_error("not enough arguments for format string"));
                };
                next += 1;
                flags.push_str(&vm.as_index(w).unwrap_or(0).to_string());
            } else {
                flags.push(chars[i]);
            }
            i += 1;
        }
        let Some(&kind) = chars.get(i) else {
            return Err(vm.new_exception("ValueError", "incomplete format"));
        };
        i += 1;
        if kind == '%' {
            out.push('%');
            continue;
        }
        let v = match &key {
            Some(k) if is_mapping => {
                let kv = vm.new_str(k.clone());
                vm.getitem(args, kv)?
            }
            _ => {
                let Some(v) = values.get(next).copied() else {
                    return Err(vm.type_error("not enough arguments for format string"));
                };
                next += 1;
                v
            }
        };
        let (left, zero, plus, space) = (
            flags.contains('-'),
            flags.starts_with('0') || flags.contains("-0") || flags.contains("+0"),
            flags.contains('+'),
            flags.contains(' '),
        );
        let nums: String = flags.chars().skip_while(|c| "-+ #0".contains(*c)).collect();
        let (width, precision) = match nums.split_once('.') {
            Some((w, p)) => (w.parse().unwrap_or(0), Some(p.parse().unwrap_or(0))),
            None => (nums.parse().unwrap_or(0), None),
        };
        let mut spec = String::new();
        if left {
            spec.push('<');
        }
        if plus {
            spec.push('+');
        } else if space {
            spec.push(' ');
        }
        if zero && !left {
            spec.push('0');
        }
        if width > 0 {
            spec.push_str(&width.to_string());
        }
        // The numeric conversions see the number a subclass of int or float extends.
        let v = match kind {
            's' | 'r' | 'a' => v,
            _ => vm.payload_of(v).unwrap_or(v),
        };
        let text = match kind {
            's' | 'r' | 'a' => {
                let s = if kind == 's' { vm.str(v)? } else { vm.repr(v)? };
                let s: String = match precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                };
                let sv = vm.new_str(s);
                let spec = if left {
                    format!(
                        "<{}",
                        if width > 0 {
                            width.to_string()
                        } else {
                            String::new()
                        }
                    )
                } else if width > 0 {
                    format!(">{width}")
                } else {
                    String::new()
                };
                vm.format(sv, &spec)?
            }
            'd' | 'i' | 'u' => {
                let n = match v {
                    Value::Float(f) => Value::Int(f.trunc() as i64),
                    _ if vm.as_bigint(v).is_some() => v,
                    _ => {
                        let t = vm.type_name(v);
                        return Err(vm.type_error(&format!(
                            "%{kind} format: a number is required, not {t}"
                        )));
                    }
                };
                vm.format(n, &format!("{spec}d"))?
            }
            'x' | 'X' | 'o' => {
                let alt = if flags.contains('#') { "#" } else { "" };
                vm.format(v, &format!("{alt}{spec}{kind}"))?
            }
            'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
                let p = precision.unwrap_or(6);
                let f = vm.to_f64(v).unwrap_or(f64::NAN);
                vm.format(Value::Float(f), &format!("{spec}.{p}{kind}"))?
            }
            'c' => match vm.str_of(v) {
                Some(s) => s.to_string(),
                None => char::from_u32(vm.as_index(v).unwrap_or(0) as u32)
                    .unwrap_or('?')
                    .to_string(),
            },
            other => {
                return Err(vm.new_exception(
                    "ValueError",
                    &format!(
                        "unsupported format character '{other}' (0x{:x}) at index {}",
                        other as u32,
                        i - 1
                    ),
                ));
            }
        };
        out.push_str(&text);
    }
    if is_tuple && next < values.len() {
        return Err(vm.type_error("not all arguments converted during string formatting"));
    }
    Ok(out)
}
