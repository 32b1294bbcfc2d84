//! `_json`: the native half of `json` (lib/json.py holds the API: dumps, loads, dump,
//! load, JSONEncoder, JSONDecoder, JSONDecodeError). The decoder is CPython 3.7's C
//! scanner (_json.c) in Rust: the same grammar, positions and messages, the hooks
//! (object_hook, object_pairs_hook, parse_float, parse_int, parse_constant) and strict
//! control characters. The encoder gives both of CPython's encoders' output: the C one's
//! and, with an indent, the pure-Python one's (its messages differ a little). Nesting
//! counts against the recursion limit, as CPython's does, so deep documents raise
//! RecursionError long before the Rust stack is at risk.

use crate::objects::sort::sort_values;
use crate::vm::object::{Args, DictKey, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use num_bigint::BigInt;
use std::collections::HashSet;

type R = PyResult<Value>;

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module(
        "_json",
        &[
            ("scan_once", j_scan_once),
            ("encode", j_encode),
            ("detect_encoding", j_detect_encoding),
            ("decode_utf", j_decode_utf),
        ],
    ))
}

fn arg(args: &Args, i: usize) -> Value {
    args.pos.get(i).copied().unwrap_or(Value::None)
}

/// The deepest nesting allowed from here: what is left of the recursion limit.
fn depth_left(vm: &Vm) -> usize {
    vm.recursion_limit
        .min(20_000)
        .saturating_sub(vm.frames.len() + 1)
}

// ------------------------------------------------------------------ decoding

struct Decoder<'a> {
    s: &'a [char],
    doc: Value,
    error: Value,
    strict: bool,
    object_hook: Value,
    pairs_hook: Value,
    parse_float: Value,
    parse_int: Value,
    parse_constant: Value,
    limit: usize,
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// scan_once(error, s, idx, strict, object_hook, object_pairs_hook, parse_float,
/// parse_int, parse_constant) -> (value, end). None for a hook means the built-in
/// behaviour; `error` is JSONDecodeError.
fn j_scan_once(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let doc = arg(&args, 1);
    let Some(text) = vm.str_of(doc) else {
        let t = vm.type_name(doc);
        return Err(vm.type_error(&format!("first argument must be a string, not {t}")));
    };
    let chars: Vec<char> = text.chars().collect();
    let idx = vm.as_index(arg(&args, 2)).unwrap_or(0);
    if idx < 0 {
        return Err(vm.new_exception("ValueError", "idx cannot be negative"));
    }
    let builtin = |vm: &Vm, v: Value, name: &str| {
        v == Value::None || v.as_obj() == vm.types.get(name).copied()
    };
    let d = Decoder {
        s: &chars,
        doc,
        error: arg(&args, 0),
        strict: vm.truthy(arg(&args, 3))?,
        object_hook: arg(&args, 4),
        pairs_hook: arg(&args, 5),
        parse_float: if builtin(vm, arg(&args, 6), "float") {
            Value::None
        } else {
            arg(&args, 6)
        },
        parse_int: if builtin(vm, arg(&args, 7), "int") {
            Value::None
        } else {
            arg(&args, 7)
        },
        parse_constant: arg(&args, 8),
        limit: depth_left(vm),
    };
    let (value, end) = d.scan(vm, idx as usize, 0)?;
    Ok(vm.new_tuple(vec![value, Value::Int(end as i64)]))
}

impl Decoder<'_> {
    fn fail(&self, vm: &mut Vm, msg: &str, pos: usize) -> Value {
        let msg = vm.new_str(msg);
        let args = Args::new(vec![msg, self.doc, Value::Int(pos as i64)]);
        match vm.call(self.error, args) {
            Ok(e) | Err(e) => e,
        }
    }

    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(is_ws) {
            i += 1;
        }
        i
    }

    fn starts_with(&self, i: usize, word: &str) -> bool {
        word.chars()
            .enumerate()
            .all(|(k, c)| self.at(i + k) == Some(c))
    }

    /// One JSON value at `idx` (scan_once_unicode).
    fn scan(&self, vm: &mut Vm, idx: usize, depth: usize) -> PyResult<(Value, usize)> {
        let Some(c) = self.at(idx) else {
            return Err(self.fail(vm, "Expecting value", idx));
        };
        match c {
            '"' => {
                let (s, end) = self.string(vm, idx + 1)?;
                Ok((vm.new_str(s), end))
            }
            '{' | '[' => {
                if depth >= self.limit {
                    let what = if c == '{' { "object" } else { "array" };
                    let msg = format!(
                        "maximum recursion depth exceeded while decoding a JSON {what} from a unicode string"
                    );
                    return Err(vm.new_exception("RecursionError", &msg));
                }
                if c == '{' {
                    self.object(vm, idx + 1, depth + 1)
                } else {
                    self.array(vm, idx + 1, depth + 1)
                }
            }
            'n' if self.starts_with(idx, "null") => Ok((Value::None, idx + 4)),
            't' if self.starts_with(idx, "true") => Ok((Value::Bool(true), idx + 4)),
            'f' if self.starts_with(idx, "false") => Ok((Value::Bool(false), idx + 5)),
            'N' if self.starts_with(idx, "NaN") => self.constant(vm, "NaN", idx),
            'I' if self.starts_with(idx, "Infinity") => self.constant(vm, "Infinity", idx),
            '-' if self.starts_with(idx, "-Infinity") => self.constant(vm, "-Infinity", idx),
            _ => self.number(vm, idx),
        }
    }

    fn constant(&self, vm: &mut Vm, name: &str, idx: usize) -> PyResult<(Value, usize)> {
        let end = idx + name.len();
        if self.parse_constant != Value::None {
            let s = vm.new_str(name);
            let v = vm.call(self.parse_constant, Args::new(vec![s]))?;
            return Ok((v, end));
        }
        let f = match name {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            _ => f64::NEG_INFINITY,
        };
        Ok((Value::Float(f), end))
    }

    /// A number (_match_number_unicode): an int, or a float with a fraction or exponent.
    fn number(&self, vm: &mut Vm, start: usize) -> PyResult<(Value, usize)> {
        let digit = |i: usize| self.at(i).is_some_and(|c| c.is_ascii_digit());
        let mut i = start;
        if self.at(i) == Some('-') {
            i += 1;
        }
        match self.at(i) {
            Some('1'..='9') => {
                i += 1;
                while digit(i) {
                    i += 1;
                }
            }
            Some('0') => i += 1,
            _ => return Err(self.fail(vm, "Expecting value", start)),
        }
        let mut is_float = false;
        if self.at(i) == Some('.') && digit(i + 1) {
            is_float = true;
            i += 2;
            while digit(i) {
                i += 1;
            }
        }
        if matches!(self.at(i), Some('e' | 'E')) {
            let e_start = i;
            i += 1;
            if matches!(self.at(i), Some('-' | '+')) {
                i += 1;
            }
            let digits_start = i;
            while digit(i) {
                i += 1;
            }
            if i > digits_start {
                is_float = true;
            } else {
                i = e_start;
            }
        }
        let text: String = self.s[start..i].iter().collect();
        let custom = if is_float {
            self.parse_float
        } else {
            self.parse_int
        };
        let value = if custom != Value::None {
            let s = vm.new_str(text);
            vm.call(custom, Args::new(vec![s]))?
        } else if is_float {
            Value::Float(text.parse::<f64>().unwrap_or(f64::NAN))
        } else {
            match text.parse::<i64>() {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    let big: BigInt = text.parse().unwrap_or_default();
                    vm.new_int(big)
                }
            }
        };
        Ok((value, i))
    }

    /// A string's contents after its opening quote (scanstring_unicode): the text and the
    /// index after the closing quote.
    fn string(&self, vm: &mut Vm, start: usize) -> PyResult<(String, usize)> {
        let begin = start - 1;
        let mut out = String::new();
        let mut i = start;
        loop {
            let Some(c) = self.at(i) else {
                return Err(self.fail(vm, "Unterminated string starting at", begin));
            };
            i += 1;
            match c {
                '"' => return Ok((out, i)),
                '\\' => {}
                c if (c as u32) < 0x20 && self.strict => {
                    return Err(self.fail(vm, "Invalid control character at", i - 1));
                }
                c => {
                    out.push(c);
                    continue;
                }
            }
            let Some(e) = self.at(i) else {
                return Err(self.fail(vm, "Unterminated string starting at", begin));
            };
            if e != 'u' {
                i += 1;
                out.push(match e {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\x08',
                    'f' => '\x0c',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    _ => return Err(self.fail(vm, "Invalid \\escape", i - 2)),
                });
                continue;
            }
            // \uXXXX, perhaps the first half of a surrogate pair.
            i += 1;
            let mut c = self.hex4(vm, i, true)?;
            i += 4;
            if (0xd800..0xdc00).contains(&c)
                && i + 6 < self.s.len()
                && self.at(i) == Some('\\')
                && self.at(i + 1) == Some('u')
            {
                let c2 = self.hex4(vm, i + 2, false)?;
                if (0xdc00..0xe000).contains(&c2) {
                    c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
                    i += 6;
                }
            }
            // A lone surrogate has no place in UTF-8 text: it becomes U+FFFD.
            out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
        }
    }

    /// Four hex digits at `i`, for a `\u` escape whose `u` is at `i - 1`; the first escape
    /// of a string must leave a character after its digits (`check_room`), as _json.c asks.
    fn hex4(&self, vm: &mut Vm, i: usize, check_room: bool) -> PyResult<u32> {
        if check_room && i + 4 >= self.s.len() {
            return Err(self.fail(vm, "Invalid \\uXXXX escape", i - 1));
        }
        let mut v = 0;
        for k in 0..4 {
            match self.at(i + k).and_then(|c| c.to_digit(16)) {
                Some(d) => v = v * 16 + d,
                None => return Err(self.fail(vm, "Invalid \\uXXXX escape", i - 1)),
            }
        }
        Ok(v)
    }

    /// An object's members after `{` (_parse_object_unicode).
    fn object(&self, vm: &mut Vm, start: usize, depth: usize) -> PyResult<(Value, usize)> {
        let mut pairs: Vec<(String, Value)> = Vec::new();
        let mut i = self.skip_ws(start);
        if self.at(i) != Some('}') {
            loop {
                if self.at(i) != Some('"') {
                    let msg = "Expecting property name enclosed in double quotes";
                    return Err(self.fail(vm, msg, i));
                }
                let (key, next) = self.string(vm, i + 1)?;
                i = self.skip_ws(next);
                if self.at(i) != Some(':') {
                    return Err(self.fail(vm, "Expecting ':' delimiter", i));
                }
                i = self.skip_ws(i + 1);
                let (value, next) = self.scan(vm, i, depth)?;
                pairs.push((key, value));
                i = self.skip_ws(next);
                if self.at(i) == Some('}') {
                    break;
                }
                if self.at(i) != Some(',') {
                    return Err(self.fail(vm, "Expecting ',' delimiter", i));
                }
                i = self.skip_ws(i + 1);
            }
        }
        let end = i + 1;
        if self.pairs_hook != Value::None {
            let items = pairs
                .into_iter()
                .map(|(k, v)| {
                    let k = vm.new_str(k);
                    vm.new_tuple(vec![k, v])
                })
                .collect();
            let list = vm.new_list(items);
            return Ok((vm.call(self.pairs_hook, Args::new(vec![list]))?, end));
        }
        let dict = vm.new_dict();
        for (k, v) in pairs {
            let kv = vm.new_str(k.as_str());
            if let Some(Object::Dict(d)) = dict.as_obj().map(|r| vm.heap.get_mut(r)) {
                match d.get_mut(&DictKey::Str(k.as_str().into())) {
                    Some(entry) => entry.1 = v,
                    None => {
                        d.insert(DictKey::Str(k.into()), (kv, v));
                    }
                }
            }
        }
        if self.object_hook != Value::None {
            return Ok((vm.call(self.object_hook, Args::new(vec![dict]))?, end));
        }
        Ok((dict, end))
    }

    /// An array's items after `[` (_parse_array_unicode).
    fn array(&self, vm: &mut Vm, start: usize, depth: usize) -> PyResult<(Value, usize)> {
        let mut items = Vec::new();
        let mut i = self.skip_ws(start);
        if self.at(i) != Some(']') {
            loop {
                let (value, next) = self.scan(vm, i, depth)?;
                items.push(value);
                i = self.skip_ws(next);
                if self.at(i) == Some(']') {
                    break;
                }
                if self.at(i) != Some(',') {
                    return Err(self.fail(vm, "Expecting ',' delimiter", i));
                }
                i = self.skip_ws(i + 1);
            }
        }
        Ok((vm.new_list(items), i + 1))
    }
}

/// detect_encoding(b): the codec a JSON document in bytes is in (json.detect_encoding).
fn j_detect_encoding(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let b = bytes_of(vm, arg(&args, 0));
    let name = if b.starts_with(&[0, 0, 0xfe, 0xff]) || b.starts_with(&[0xff, 0xfe, 0, 0]) {
        "utf-32"
    } else if b.starts_with(&[0xfe, 0xff]) || b.starts_with(&[0xff, 0xfe]) {
        "utf-16"
    } else if b.starts_with(&[0xef, 0xbb, 0xbf]) {
        "utf-8-sig"
    } else if b.len() >= 4 {
        match (b[0], b[1], b[2], b[3]) {
            (0, x, _, _) => {
                if x != 0 {
                    "utf-16-be"
                } else {
                    "utf-32-be"
                }
            }
            (_, 0, x, y) => {
                if x != 0 || y != 0 {
                    "utf-16-le"
                } else {
                    "utf-32-le"
                }
            }
            _ => "utf-8",
        }
    } else if b.len() == 2 && b[0] == 0 {
        "utf-16-be"
    } else if b.len() == 2 && b[1] == 0 {
        "utf-16-le"
    } else {
        "utf-8"
    };
    Ok(vm.new_str(name))
}

fn bytes_of(vm: &Vm, v: Value) -> Vec<u8> {
    let r = vm.payload_of(v).or(Some(v)).and_then(Value::as_obj);
    match r.map(|r| vm.heap.get(r)) {
        Some(Object::Bytes(b)) => b.clone(),
        _ => Vec::new(),
    }
}

/// decode_utf(b, encoding): bytes in UTF-16 or UTF-32 (with or without a byte order
/// mark) as a str.
fn j_decode_utf(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let b = bytes_of(vm, arg(&args, 0));
    let enc = vm.str_of(arg(&args, 1)).unwrap_or("utf-8").to_string();
    let (width, mut big, mut body) = match enc.as_str() {
        "utf-16" | "utf-16-le" => (2, false, &b[..]),
        "utf-16-be" => (2, true, &b[..]),
        "utf-32" | "utf-32-le" => (4, false, &b[..]),
        _ => (4, true, &b[..]),
    };
    if enc == "utf-16" || enc == "utf-32" {
        big = body.starts_with(&[0xfe, 0xff]) || body.starts_with(&[0, 0, 0xfe, 0xff]);
        body = body.get(width..).unwrap_or(&[]);
    }
    let bad = |vm: &mut Vm| {
        let msg = format!("'{enc}' codec can't decode the data: truncated or invalid data");
        vm.new_exception("UnicodeDecodeError", &msg)
    };
    if body.len() % width != 0 {
        return Err(bad(vm));
    }
    let units: Vec<u32> = body
        .chunks(width)
        .map(|c| {
            let mut bytes = c.to_vec();
            if !big {
                bytes.reverse();
            }
            bytes.iter().fold(0u32, |acc, &x| (acc << 8) | u32::from(x))
        })
        .collect();
    let text: Option<String> = if width == 2 {
        let units: Vec<u16> = units.iter().map(|&u| u as u16).collect();
        String::from_utf16(&units).ok()
    } else {
        units.iter().map(|&u| char::from_u32(u)).collect()
    };
    match text {
        Some(t) => Ok(vm.new_str(t)),
        None => Err(bad(vm)),
    }
}

// ------------------------------------------------------------------ encoding

struct Encoder {
    default: Value,
    indent: Option<String>,
    key_sep: String,
    item_sep: String,
    sort_keys: bool,
    skipkeys: bool,
    ensure_ascii: bool,
    check_circular: bool,
    allow_nan: bool,
    markers: HashSet<ObjRef>,
    limit: usize,
}

/// encode(obj, default, indent, key_separator, item_separator, sort_keys, skipkeys,
/// ensure_ascii, check_circular, allow_nan) -> str; indent is None or a str.
fn j_encode(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let text = |vm: &Vm, i: usize| vm.str_of(arg(&args, i)).unwrap_or("").to_string();
    let indent = match arg(&args, 2) {
        Value::None => None,
        v => Some(vm.str_of(v).unwrap_or("").to_string()),
    };
    let mut flags = [false; 5];
    for (k, flag) in flags.iter_mut().enumerate() {
        *flag = vm.truthy(arg(&args, 5 + k))?;
    }
    let mut e = Encoder {
        default: arg(&args, 1),
        indent,
        key_sep: text(vm, 3),
        item_sep: text(vm, 4),
        sort_keys: flags[0],
        skipkeys: flags[1],
        ensure_ascii: flags[2],
        check_circular: flags[3],
        allow_nan: flags[4],
        markers: HashSet::new(),
        // CPython's encoder is entered through one more call than its scanner.
        limit: depth_left(vm).saturating_sub(1),
    };
    let mut out = String::new();
    e.encode(vm, arg(&args, 0), &mut out, 0, 0)?;
    Ok(vm.new_str(out))
}

/// What an object encodes as, looking through subclasses of built-in types.
enum Kind {
    Null,
    Bool(bool),
    Int(String),
    Float(f64),
    Str(String),
    List(ObjRef, Vec<Value>),
    Dict(ObjRef, Vec<(Value, Value)>),
    Other,
}

fn kind(vm: &Vm, v: Value) -> Kind {
    match v {
        Value::None => Kind::Null,
        Value::Bool(b) => Kind::Bool(b),
        Value::Int(i) => Kind::Int(i.to_string()),
        Value::Float(f) => Kind::Float(f),
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(s) => Kind::Str(s.to_string()),
            Object::BigInt(b) => Kind::Int(b.to_string()),
            Object::List(items) | Object::Tuple(items) => Kind::List(r, items.clone()),
            Object::Dict(d) => Kind::Dict(r, d.values().copied().collect()),
            Object::Instance(inst) => match inst.payload {
                Some(p) => match kind(vm, p) {
                    Kind::List(_, items) => Kind::List(r, items),
                    Kind::Dict(_, items) => Kind::Dict(r, items),
                    k => k,
                },
                None => Kind::Other,
            },
            _ => Kind::Other,
        },
    }
}

impl Encoder {
    fn float(&self, vm: &mut Vm, f: f64) -> PyResult<String> {
        if f.is_finite() {
            return Ok(crate::pyfmt::float_repr(f));
        }
        if !self.allow_nan {
            let mut msg = "Out of range float values are not JSON compliant".to_string();
            if self.indent.is_some() {
                msg.push_str(": ");
                msg.push_str(&crate::pyfmt::float_repr(f));
            }
            return Err(vm.new_exception("ValueError", &msg));
        }
        Ok(if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_string())
    }

    fn string(&self, s: &str, out: &mut String) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                c if (c as u32) < 0x20 || (self.ensure_ascii && !(' '..='~').contains(&c)) => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{u:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }

    fn enter(&mut self, vm: &mut Vm, id: ObjRef, depth: usize) -> PyResult<()> {
        if depth >= self.limit {
            let msg = if self.indent.is_some() {
                "maximum recursion depth exceeded in __instancecheck__"
            } else {
                "maximum recursion depth exceeded while encoding a JSON object"
            };
            return Err(vm.new_exception("RecursionError", msg));
        }
        if self.check_circular && !self.markers.insert(id) {
            return Err(vm.new_exception("ValueError", "Circular reference detected"));
        }
        Ok(())
    }

    fn leave(&mut self, id: ObjRef) {
        if self.check_circular {
            self.markers.remove(&id);
        }
    }

    /// The newline and indent for `level`, when indenting.
    fn newline(&self, level: usize) -> Option<String> {
        self.indent
            .as_ref()
            .map(|ind| format!("\n{}", ind.repeat(level)))
    }

    fn encode(
        &mut self,
        vm: &mut Vm,
        v: Value,
        out: &mut String,
        level: usize,
        depth: usize,
    ) -> PyResult<()> {
        match kind(vm, v) {
            Kind::Null => out.push_str("null"),
            Kind::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Kind::Int(s) => out.push_str(&s),
            Kind::Float(f) => out.push_str(&self.float(vm, f)?),
            Kind::Str(s) => self.string(&s, out),
            Kind::List(_, items) if items.is_empty() => out.push_str("[]"),
            Kind::List(id, items) => {
                self.enter(vm, id, depth)?;
                out.push('[');
                let nl = self.newline(level + 1);
                if let Some(nl) = &nl {
                    out.push_str(nl);
                }
                for (k, item) in items.into_iter().enumerate() {
                    if k > 0 {
                        out.push_str(&self.item_sep);
                        if let Some(nl) = &nl {
                            out.push_str(nl);
                        }
                    }
                    self.encode(vm, item, out, level + 1, depth + 1)?;
                }
                if let Some(nl) = self.newline(level) {
                    out.push_str(&nl);
                }
                out.push(']');
                self.leave(id);
            }
            Kind::Dict(_, items) if items.is_empty() => out.push_str("{}"),
            Kind::Dict(id, items) => {
                self.enter(vm, id, depth)?;
                self.dict(vm, items, out, level, depth)?;
                self.leave(id);
            }
            Kind::Other => {
                let id = match v {
                    Value::Obj(r) => r,
                    _ => ObjRef(u32::MAX),
                };
                self.enter(vm, id, depth)?;
                let replaced = vm.call(self.default, Args::new(vec![v]))?;
                self.encode(vm, replaced, out, level, depth + 1)?;
                self.leave(id);
            }
        }
        Ok(())
    }

    fn dict(
        &mut self,
        vm: &mut Vm,
        mut items: Vec<(Value, Value)>,
        out: &mut String,
        level: usize,
        depth: usize,
    ) -> PyResult<()> {
        if self.sort_keys {
            let mut pairs: Vec<Value> = items
                .iter()
                .map(|&(k, v)| vm.new_tuple(vec![k, v]))
                .collect();
            sort_values(vm, &mut pairs, None, false)?;
            items = pairs
                .iter()
                .map(|&p| {
                    let t = vm.tuple_items(p);
                    (t[0], t[1])
                })
                .collect();
        }
        out.push('{');
        let nl = self.newline(level + 1);
        if let Some(nl) = &nl {
            out.push_str(nl);
        }
        let mut first = true;
        for (key, value) in items {
            let key = match kind(vm, key) {
                Kind::Str(s) => s,
                Kind::Float(f) => self.float(vm, f)?,
                Kind::Bool(b) => (if b { "true" } else { "false" }).to_string(),
                Kind::Null => "null".to_string(),
                Kind::Int(s) => s,
                _ if self.skipkeys => continue,
                _ => {
                    let t = vm.type_name(key);
                    let msg = format!("keys must be str, int, float, bool or None, not {t}");
                    return Err(vm.type_error(&msg));
                }
            };
            if !first {
                out.push_str(&self.item_sep);
                if let Some(nl) = &nl {
                    out.push_str(nl);
                }
            }
            first = false;
            self.string(&key, out);
            out.push_str(&self.key_sep);
            self.encode(vm, value, out, level + 1, depth + 1)?;
        }
        if let Some(nl) = self.newline(level) {
            out.push_str(&nl);
        }
        out.push('}');
        Ok(())
    }
}
