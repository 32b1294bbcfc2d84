//! printf-style formatting, `fmt % args`, for str and for bytes (PEP 461), with CPython
//! 3.7's rules: a tuple gives the arguments in turn, a mapping is indexed by `%(name)s`
//! keys, anything else is the one argument; and 3.7's TypeError and ValueError wording.
//! A bytes template is handled as text whose characters are its bytes (latin-1), so the
//! same engine serves both.

use crate::vm::object::Object;
use crate::vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

/// `fmt % args` for str.
pub fn percent_format(vm: &mut Vm, fmt: Value, args: Value) -> PyResult<String> {
    let template = vm.str_of(fmt).unwrap_or_default().to_string();
    format_core(vm, &template, args, false)
}

/// `fmt % args` for bytes: the formatted bytes.
pub fn bytes_percent_format(vm: &mut Vm, fmt: &[u8], args: Value) -> PyResult<Vec<u8>> {
    let template: String = fmt.iter().map(|&b| char::from(b)).collect();
    let text = format_core(vm, &template, args, true)?;
    Ok(text.chars().map(|c| c as u32 as u8).collect())
}

/// Where the arguments come from (CPython's `argidx`/`arglen` and `dict`).
struct Source {
    values: Vec<Value>,
    next: usize,
    /// A mapping given as the argument: `%(key)` looks keys up in it.
    mapping: Option<Value>,
}

impl Source {
    fn next_arg(&mut self, vm: &mut Vm) -> PyResult<Value> {
        match self.values.get(self.next) {
            Some(v) => {
                self.next += 1;
                Ok(*v)
            }
            None => Err(vm.type_error("not enough arguments for format string")),
        }
    }
}

/// PyMapping_Check without tuple and str: what `%` treats as a mapping of keys.
fn is_mapping(vm: &Vm, v: Value) -> bool {
    match v.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Dict(_) | Object::List(_) | Object::Bytes(_) | Object::Range { .. }) => true,
        Some(Object::Instance(inst)) => {
            let class = inst.class;
            vm.payload_of(v).is_some_and(|p| is_mapping(vm, p))
                || vm.class_lookup(class, "__getitem__").is_some()
        }
        _ => false,
    }
}

fn format_core(vm: &mut Vm, template: &str, args: Value, bytes: bool) -> PyResult<String> {
    let is_tuple = matches!(
        vm.payload_of(args)
            .unwrap_or(args)
            .as_obj()
            .map(|r| vm.heap.get(r)),
        Some(Object::Tuple(_))
    );
    let mut source = if is_tuple {
        let items = vm.tuple_items(vm.payload_of(args).unwrap_or(args));
        Source {
            values: items,
            next: 0,
            mapping: None,
        }
    } else {
        let mapping = (vm.str_of(args).is_none() && is_mapping(vm, args)).then_some(args);
        Source {
            values: vec![args],
            next: 0,
            mapping,
        }
    };
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut keyed = None;
        if chars.get(i) == Some(&'(') {
            let Some(mapping) = source.mapping else {
                return Err(vm.type_error("format requires a mapping"));
            };
            // The key runs to the matching parenthesis.
            let mut depth = 1;
            let start = i + 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err(vm.new_exception("ValueError", "incomplete format key"));
            }
            let key: String = chars[start..i - 1].iter().collect();
            let key = if bytes {
                let b = key.chars().map(|c| c as u32 as u8).collect();
                vm.alloc(Object::Bytes(b))
            } else {
                vm.new_str(key)
            };
            keyed = Some(vm.getitem(mapping, key)?);
            // After a key, a positional conversion finds no arguments left.
            source.next = source.values.len();
        }
        let mut flags = String::new();
        while i < chars.len() && "-+ #0".contains(chars[i]) {
            flags.push(chars[i]);
            i += 1;
        }
        let mut width = String::new();
        let mut precision: Option<String> = None;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '*' || chars[i] == '.') {
            let c = chars[i];
            i += 1;
            let in_precision = precision.is_some();
            let target = match &mut precision {
                Some(p) => p,
                None if c == '.' => {
                    precision = Some(String::new());
                    continue;
                }
                None => &mut width,
            };
            if c == '.' {
                break;
            }
            if c == '*' {
                // `*` takes the width (or precision) from the arguments.
                let w = source.next_arg(vm)?;
                let Some(n) = vm.as_index(w) else {
                    return Err(vm.type_error("* wants int"));
                };
                if in_precision && n > i64::from(i32::MAX) {
                    let message = "Python int too large to convert to C int";
                    return Err(vm.new_exception("OverflowError", message));
                }
                target.push_str(&n.to_string());
            } else {
                target.push(c);
            }
        }
        // Length modifiers (h, l, L) are accepted and ignored, as C's printf has them.
        while i < chars.len() && matches!(chars[i], 'h' | 'l' | 'L') {
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
        let spec = Conversion {
            kind,
            left: flags.contains('-'),
            zero: flags.contains('0'),
            plus: flags.contains('+'),
            space: flags.contains(' '),
            alternate: flags.contains('#'),
            width: width.trim_start_matches('-').parse().unwrap_or(0),
            precision: precision.map(|p| p.parse().unwrap_or(0)),
            index: i - 1,
        };
        vm.check_alloc(spec.width.max(spec.precision.unwrap_or(0)) as u64, 1)?;
        let v = match keyed {
            Some(v) => v,
            None => source.next_arg(vm)?,
        };
        out.push_str(&convert(vm, v, &spec, bytes)?);
    }
    if source.mapping.is_none() && source.next < source.values.len() {
        return Err(vm.type_error("not all arguments converted during string formatting"));
    }
    Ok(out)
}

/// One conversion specifier: `%-08.3f` and the like.
struct Conversion {
    kind: char,
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alternate: bool,
    width: usize,
    precision: Option<usize>,
    /// Where the conversion character is, for the error about an unknown one.
    index: usize,
}

impl Conversion {
    /// `text` padded to the width with spaces (left or right).
    fn pad(&self, text: String) -> String {
        let fill = self.width.saturating_sub(text.chars().count());
        if self.left {
            text + &" ".repeat(fill)
        } else {
            " ".repeat(fill) + &text
        }
    }

    /// A number's sign, prefix and digits, padded as the flags say.
    fn pad_number(&self, negative: bool, prefix: &str, digits: &str) -> String {
        let sign = if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        };
        let len = sign.len() + prefix.len() + digits.chars().count();
        let fill = self.width.saturating_sub(len);
        if self.left {
            format!("{sign}{prefix}{digits}{}", " ".repeat(fill))
        } else if self.zero {
            format!("{sign}{prefix}{}{digits}", "0".repeat(fill))
        } else {
            format!("{}{sign}{prefix}{digits}", " ".repeat(fill))
        }
    }
}

/// The int `%d` (and `%x`, `%o`) formats: an int, a float truncated (`%d` only), or what
/// the object's `__int__` (`%d`) or `__index__` gives.
fn integer_of(vm: &mut Vm, v: Value, kind: char) -> PyResult<Option<BigInt>> {
    let decimal = matches!(kind, 'd' | 'i' | 'u');
    if let Some(n) = vm.as_bigint(v) {
        return Ok(Some(n));
    }
    if let Value::Float(f) = v {
        if !decimal {
            return Ok(None);
        }
        if f.is_nan() {
            return Err(vm.new_exception("ValueError", "cannot convert float NaN to integer"));
        }
        if f.is_infinite() {
            return Err(
                vm.new_exception("OverflowError", "cannot convert float infinity to integer")
            );
        }
        return Ok(num_bigint::BigInt::from(f.trunc() as i128).into());
    }
    let names: &[&str] = if decimal {
        &["__int__", "__index__"]
    } else {
        &["__index__"]
    };
    for name in names {
        if let Some(r) = vm.call_special(v, name, vec![])? {
            return Ok(vm.as_bigint(r));
        }
    }
    Ok(None)
}

fn convert(vm: &mut Vm, v: Value, c: &Conversion, bytes: bool) -> PyResult<String> {
    // The numeric conversions see the number a subclass of int or float extends.
    let number = vm.payload_of(v).unwrap_or(v);
    Ok(match c.kind {
        's' | 'r' | 'a' | 'b' if bytes => {
            let text = match c.kind {
                's' | 'b' => latin1_bytes_of(vm, v)?,
                _ => crate::pyfmt::ascii_escape(&vm.repr(v)?),
            };
            let text = match c.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            c.pad(text)
        }
        's' | 'r' | 'a' => {
            let text = match c.kind {
                's' => vm.str(v)?,
                'r' => vm.repr(v)?,
                _ => crate::pyfmt::ascii_escape(&vm.repr(v)?),
            };
            let text = match c.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            c.pad(text)
        }
        'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
            let Some(n) = integer_of(vm, number, c.kind)? else {
                let t = vm.type_name(v);
                let what = if matches!(c.kind, 'd' | 'i' | 'u') {
                    "a number"
                } else {
                    "an integer"
                };
                let kind = c.kind;
                return Err(vm.type_error(&format!("%{kind} format: {what} is required, not {t}")));
            };
            let mut digits = match c.kind {
                'x' => n.abs().to_str_radix(16),
                'X' => n.abs().to_str_radix(16).to_uppercase(),
                'o' => n.abs().to_str_radix(8),
                _ => n.abs().to_string(),
            };
            if let Some(p) = c.precision {
                while digits.len() < p {
                    digits.insert(0, '0');
                }
            }
            let prefix = match (c.alternate, c.kind) {
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                (true, 'o') => "0o",
                _ => "",
            };
            c.pad_number(n.is_negative(), prefix, &digits)
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            let f = match vm.to_f64(number) {
                Some(f) => f,
                None => match vm.call_special(number, "__float__", vec![])? {
                    Some(Value::Float(f)) => f,
                    _ => {
                        let t = vm.type_name(v);
                        return Err(vm.type_error(&format!("must be real number, not {t}")));
                    }
                },
            };
            let p = c.precision.unwrap_or(6);
            let body = super::format::format_float(f.abs(), c.kind, Some(p), c.alternate);
            let negative = f.is_sign_negative() && !f.is_nan();
            c.pad_number(negative, "", &body)
        }
        'c' => {
            let ch = char_of(vm, v, bytes)?;
            c.pad(ch.to_string())
        }
        other => {
            return Err(vm.new_exception(
                "ValueError",
                &format!(
                    "unsupported format character '{other}' (0x{:x}) at index {}",
                    other as u32, c.index
                ),
            ));
        }
    })
}

/// `%c`: a str of one character or a code point (str); a byte value or a bytes of one
/// byte (bytes).
fn char_of(vm: &mut Vm, v: Value, bytes: bool) -> PyResult<char> {
    if bytes {
        if let Some(b) = byte_string(vm, v)
            && b.len() == 1
        {
            return Ok(char::from(b[0]));
        }
        return match vm.as_index(v).filter(|_| vm.str_of(v).is_none()) {
            Some(n) if (0..256).contains(&n) => Ok(char::from(n as u8)),
            Some(_) => Err(vm.new_exception("OverflowError", "%c arg not in range(256)")),
            None => Err(vm.type_error("%c requires an integer in range(256) or a single byte")),
        };
    }
    if let Some(s) = vm.str_of(v) {
        let mut chars = s.chars();
        if let (Some(ch), None) = (chars.next(), chars.next()) {
            return Ok(ch);
        }
        return Err(vm.type_error("%c requires int or char"));
    }
    match vm.as_bigint(v) {
        Some(n) => match n.to_u32().and_then(char::from_u32) {
            Some(ch) => Ok(ch),
            None => Err(vm.new_exception("OverflowError", "%c arg not in range(0x110000)")),
        },
        None => Err(vm.type_error("%c requires int or char")),
    }
}

/// The bytes of a bytes-like value (bytes, or a subclass instance extending bytes).
fn byte_string(vm: &Vm, v: Value) -> Option<Vec<u8>> {
    let v = vm.payload_of(v).unwrap_or(v);
    match vm.heap.get(v.as_obj()?) {
        Object::Bytes(b) => Some(b.clone()),
        _ => crate::objects::buffer::bytes_like(vm, v),
    }
}

/// `%s`/`%b` of bytes formatting: the value's bytes (a bytes-like object or what its
/// `__bytes__` returns), as latin-1 text.
fn latin1_bytes_of(vm: &mut Vm, v: Value) -> PyResult<String> {
    let found = match byte_string(vm, v) {
        Some(b) => Some(b),
        None => match vm.call_special(v, "__bytes__", vec![])? {
            Some(r) => byte_string(vm, r),
            None => None,
        },
    };
    match found {
        Some(b) => Ok(b.iter().map(|&x| char::from(x)).collect()),
        None => {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!(
                "%b requires a bytes-like object, or an object that implements __bytes__, not '{t}'"
            )))
        }
    }
}
