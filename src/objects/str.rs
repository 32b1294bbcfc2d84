//! The methods of `str` (split, strip, find, padding, partition, translate, format,
//! encode; the case conversions and character-class tests are in str_case.rs). bytes
//! reuses them over a text view (bytes.rs).

use super::args::recv;
use crate::vm::object::{Args, Object, PyStr};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

pub(super) fn str_recv(vm: &Vm, r: Option<Value>) -> String {
    vm.str_of(recv(r)).unwrap_or_default().to_string()
}

/// Positional argument `i` of the str method `method` as text (None when absent, or None
/// where the method takes None), with CPython 3.7's TypeError for anything else.
pub(super) fn arg_str(
    vm: &mut Vm,
    args: &Args,
    i: usize,
    method: &str,
) -> PyResult<Option<String>> {
    let takes_none = matches!(method, "split" | "rsplit" | "strip" | "lstrip" | "rstrip");
    match args.pos.get(i) {
        None => Ok(None),
        Some(Value::None) if takes_none => Ok(None),
        Some(v) => match vm.str_of(*v) {
            Some(s) => Ok(Some(s.to_string())),
            None => {
                let t = vm.type_name(*v);
                let message = match method {
                    "split" | "rsplit" => format!("must be str or None, not {t}"),
                    "strip" | "lstrip" | "rstrip" => format!("{method} arg must be None or str"),
                    "replace" => format!("replace() argument {} must be str, not {t}", i + 1),
                    "pad" => format!("The fill character must be a unicode character, not {t}"),
                    _ => format!("must be str, not {t}"),
                };
                Err(vm.type_error(&message))
            }
        },
    }
}

/// Positional argument `i` as an int, or `default` when it is absent (or not an int).
fn int_arg(vm: &mut Vm, args: &Args, i: usize, default: i64) -> PyResult<i64> {
    match args.pos.get(i) {
        Some(&v) => index_or(vm, v, |t| {
            format!("'{t}' object cannot be interpreted as an integer")
        }),
        None => Ok(default),
    }
}

/// `v` as an int (through `__index__`), or TypeError with `message(type name)`.
fn index_or(vm: &mut Vm, v: Value, message: impl Fn(&str) -> String) -> PyResult<i64> {
    let v = vm.index_via_dunder(v)?;
    match vm.as_index(v) {
        Some(n) => Ok(n),
        None => {
            let t = vm.type_name(v);
            Err(vm.type_error(&message(&t)))
        }
    }
}

/// split's and rsplit's parameters, `sep=None, maxsplit=-1`, given by keyword: moved to
/// their positions, with CPython's errors for an unknown name or one given twice.
fn split_keywords(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<()> {
    const PARAMS: [&str; 2] = ["sep", "maxsplit"];
    let defaults = [Value::None, Value::Int(-1)];
    let mut given = [None, None];
    // Argument clinic counts before it looks at the names.
    let total = args.pos.len() + args.kw.len();
    if total > PARAMS.len() {
        return Err(vm.type_error(&format!(
            "{method}() takes at most 2 {} ({total} given)",
            if args.pos.is_empty() {
                "keyword arguments"
            } else {
                "arguments"
            }
        )));
    }
    for (name, value) in std::mem::take(&mut args.kw) {
        let Some(i) = PARAMS.iter().position(|p| *p == name) else {
            return Err(vm.type_error(&format!(
                "'{name}' is an invalid keyword argument for {method}()"
            )));
        };
        if i < args.pos.len() {
            return Err(vm.type_error(&format!(
                "argument for {method}() given by name ('{name}') and position ({})",
                i + 1
            )));
        }
        given[i] = Some(value);
    }
    if let Some(last) = given.iter().rposition(Option::is_some) {
        for i in args.pos.len()..=last {
            args.pos.push(given[i].unwrap_or(defaults[i]));
        }
    }
    Ok(())
}

/// The receiver, separator and limit of split and rsplit, from positions or keywords; an
/// empty separator is a ValueError.
fn split_args(
    vm: &mut Vm,
    r: Option<Value>,
    args: &mut Args,
    method: &str,
) -> PyResult<(String, Option<String>, i64)> {
    split_keywords(vm, args, method)?;
    let sep = arg_str(vm, args, 0, method)?;
    if sep.as_deref() == Some("") {
        return Err(vm.new_exception("ValueError", "empty separator"));
    }
    Ok((str_recv(vm, r), sep, int_arg(vm, args, 1, -1)?))
}

pub(super) fn s_split(vm: &mut Vm, r: Option<Value>, mut args: Args) -> R {
    let (s, sep, maxsplit) = split_args(vm, r, &mut args, "split")?;
    let parts: Vec<String> = match sep {
        Some(sep) => {
            if maxsplit < 0 {
                s.split(sep.as_str()).map(str::to_string).collect()
            } else {
                s.splitn(maxsplit as usize + 1, sep.as_str())
                    .map(str::to_string)
                    .collect()
            }
        }
        None => {
            let mut out = Vec::new();
            let mut rest = s.trim_start();
            while !rest.is_empty() {
                if maxsplit >= 0 && out.len() as i64 == maxsplit {
                    out.push(rest.to_string());
                    break;
                }
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                out.push(rest[..end].to_string());
                rest = rest[end..].trim_start();
            }
            out
        }
    };
    let items = parts.into_iter().map(|p| vm.new_str(p)).collect();
    Ok(vm.new_list(items))
}

pub(super) fn s_rsplit(vm: &mut Vm, r: Option<Value>, mut args: Args) -> R {
    let (s, sep, maxsplit) = split_args(vm, r, &mut args, "rsplit")?;
    let parts: Vec<String> = match sep {
        // Matches are found from the right: "aaa".rsplit("aa") is ['a', ''].
        Some(sep) => {
            let mut parts: Vec<String> = if maxsplit < 0 {
                s.rsplit(sep.as_str()).map(str::to_string).collect()
            } else {
                s.rsplitn(maxsplit as usize + 1, sep.as_str())
                    .map(str::to_string)
                    .collect()
            };
            parts.reverse();
            parts
        }
        // Without a limit, whitespace splits the same from either end.
        None if maxsplit < 0 => return s_split(vm, r, args),
        None => {
            // Runs of whitespace, from the right; what is left keeps its leading space.
            let mut parts = Vec::new();
            let mut rest = s.trim_end();
            while !rest.is_empty() {
                if parts.len() as i64 == maxsplit {
                    parts.push(rest.to_string());
                    break;
                }
                let start = rest
                    .char_indices()
                    .rev()
                    .find(|(_, c)| c.is_whitespace())
                    .map_or(0, |(i, c)| i + c.len_utf8());
                parts.push(rest[start..].to_string());
                rest = rest[..start].trim_end();
            }
            parts.reverse();
            parts
        }
    };
    let items = parts.into_iter().map(|p| vm.new_str(p)).collect();
    Ok(vm.new_list(items))
}

pub(super) fn s_splitlines(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    crate::objects::args::check_keywords(vm, &args, "splitlines", &["keepends"])?;
    let s = str_recv(vm, r);
    let keep = match args
        .pos
        .first()
        .copied()
        .or_else(|| crate::objects::args::kwarg(&args, "keepends"))
    {
        Some(k) => vm.truthy(k)?,
        None => false,
    };
    let mut out = Vec::new();
    let mut start = 0;
    let bytes: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        // Every line boundary str.splitlines knows, \r\n counting as one.
        if matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        ) {
            let mut end = i + 1;
            if c == '\r' && bytes.get(i + 1) == Some(&'\n') {
                end += 1;
            }
            let line: String = bytes[start..if keep { end } else { i }].iter().collect();
            out.push(line);
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if start < bytes.len() {
        out.push(bytes[start..].iter().collect());
    }
    let items = out.into_iter().map(|p| vm.new_str(p)).collect();
    Ok(vm.new_list(items))
}

pub(super) fn s_join(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let iterable = args.pos.first().copied().unwrap_or(Value::None);
    // A list or tuple is read in place; anything else is collected first.
    let in_place = matches!(
        iterable.as_obj().map(|o| vm.heap.get(o)),
        Some(Object::List(_) | Object::Tuple(_))
    );
    let collected = if in_place {
        Vec::new()
    } else {
        match vm.collect_iterable(iterable) {
            Err(e) if vm.exception_is(e, "TypeError") && vm.get_iter(iterable).is_err() => {
                return Err(vm.type_error("can only join an iterable"));
            }
            other => other?,
        }
    };
    let mut items: &[Value] = match iterable.as_obj().map(|o| vm.heap.get(o)) {
        Some(Object::List(v) | Object::Tuple(v)) if in_place => v,
        _ => &collected,
    };
    // Instances of subclasses of str join as the strs they extend.
    let extended: Vec<Value>;
    if items.iter().any(|v| vm.payload_of(*v).is_some()) {
        extended = items
            .iter()
            .map(|v| vm.payload_of(*v).unwrap_or(*v))
            .collect();
        items = &extended;
    }
    let (sep, sep_chars) = match recv(r).as_obj().map(|o| vm.heap.get(o)) {
        Some(Object::Str(s)) => (s.text.as_str(), s.chars),
        _ => ("", 0),
    };
    // One pass for the size (and the first item that is not a str), one to copy: the
    // parts are not cloned.
    let (mut bytes, mut chars) = (0, 0);
    let mut bad = None;
    for (i, v) in items.iter().enumerate() {
        match v.as_obj().map(|o| vm.heap.get(o)) {
            Some(Object::Str(part)) => {
                bytes += part.text.len();
                chars += part.chars;
            }
            _ => {
                bad = Some((i, *v));
                break;
            }
        }
    }
    if let Some((i, v)) = bad {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!(
            "sequence item {i}: expected str instance, {t} found"
        )));
    }
    let gaps = items.len().saturating_sub(1);
    let size = (bytes as u64).saturating_add((gaps as u64).saturating_mul(sep.len() as u64));
    if vm.exceeds_memory(size, 1) {
        return Err(vm.memory_error());
    }
    let mut text = String::with_capacity(bytes + gaps * sep.len());
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            text.push_str(sep);
        }
        if let Some(Object::Str(part)) = v.as_obj().map(|o| vm.heap.get(o)) {
            text.push_str(&part.text);
        }
    }
    let chars = chars + gaps * sep_chars;
    Ok(vm.alloc(Object::Str(PyStr {
        text: text.into(),
        chars,
    })))
}

pub(super) fn strip_with(vm: &mut Vm, r: Option<Value>, args: &Args, left: bool, right: bool) -> R {
    let s = str_recv(vm, r);
    let method = match (left, right) {
        (true, false) => "lstrip",
        (false, true) => "rstrip",
        _ => "strip",
    };
    let chars = arg_str(vm, args, 0, method)?;
    let pred = |c: char| match &chars {
        Some(set) => set.contains(c),
        None => c.is_whitespace(),
    };
    let mut t = s.as_str();
    if left {
        t = t.trim_start_matches(pred);
    }
    if right {
        t = t.trim_end_matches(pred);
    }
    Ok(vm.new_str(t))
}

pub(super) fn s_strip(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    strip_with(vm, r, &args, true, true)
}
pub(super) fn s_lstrip(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    strip_with(vm, r, &args, true, false)
}
pub(super) fn s_rstrip(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    strip_with(vm, r, &args, false, true)
}

pub(super) fn s_replace(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let s = str_recv(vm, r);
    let old = arg_str(vm, &args, 0, "replace")?.unwrap_or_default();
    let new = arg_str(vm, &args, 1, "replace")?.unwrap_or_default();
    let count = int_arg(vm, &args, 2, -1)?;
    if new.len() > old.len() {
        // The result's size first: MemoryError before making one too big.
        let found = if old.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(old.as_str()).count()
        };
        let replaced = if count < 0 {
            found
        } else {
            found.min(count as usize)
        };
        let grows = (replaced as u64).saturating_mul((new.len() - old.len()) as u64);
        vm.check_alloc((s.len() as u64).saturating_add(grows), 1)?;
    }
    let out = if count < 0 {
        s.replace(&old, &new)
    } else {
        s.replacen(&old, &new, count as usize)
    };
    Ok(vm.new_str(out))
}

/// Converts a char index range argument pair to byte offsets in `s`.
pub(super) fn char_range(vm: &Vm, s: &str, args: &Args, from: usize) -> (usize, usize) {
    let n = s.chars().count() as i64;
    let norm = |i: i64| if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
    let start = args
        .pos
        .get(from)
        .and_then(|v| vm.as_index(*v))
        .map_or(0, norm);
    let end = args
        .pos
        .get(from + 1)
        .and_then(|v| vm.as_index(*v))
        .map_or(n as usize, norm);
    let byte = |ci: usize| s.char_indices().nth(ci).map_or(s.len(), |(b, _)| b);
    (byte(start), byte(end.max(start)))
}

/// Whether `[start:end]` (arguments `from`, `from + 1`) starts past its end once CPython
/// adjusts the indices: then find is -1, count 0 and startswith False, even for "".
fn range_is_inverted(vm: &Vm, s: &str, args: &Args, from: usize) -> bool {
    let n = s.chars().count() as i64;
    let index = |i: usize| args.pos.get(i).and_then(|v| vm.as_index(*v));
    let start = index(from).map_or(0, |i| if i < 0 { (i + n).max(0) } else { i });
    let end = index(from + 1).map_or(n, |i| if i < 0 { (i + n).max(0) } else { i.min(n) });
    start > end
}

pub(super) fn char_index(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64
}

pub(super) fn find_impl(
    vm: &mut Vm,
    r: Option<Value>,
    args: &Args,
    reverse: bool,
) -> PyResult<i64> {
    let s = str_recv(vm, r);
    let sub = arg_str(vm, args, 0, "find")?.unwrap_or_default();
    if range_is_inverted(vm, &s, args, 1) {
        return Ok(-1);
    }
    let (a, b) = char_range(vm, &s, args, 1);
    let hay = &s[a..b];
    let found = if reverse {
        hay.rfind(&sub)
    } else {
        hay.find(&sub)
    };
    Ok(found.map_or(-1, |i| char_index(&s, a + i)))
}

pub(super) fn s_find(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    find_impl(vm, r, &args, false).map(Value::Int)
}
pub(super) fn s_rfind(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    find_impl(vm, r, &args, true).map(Value::Int)
}
pub(super) fn s_index(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    match find_impl(vm, r, &args, false)? {
        -1 => Err(vm.new_exception("ValueError", "substring not found")),
        i => Ok(Value::Int(i)),
    }
}
pub(super) fn s_rindex(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    match find_impl(vm, r, &args, true)? {
        -1 => Err(vm.new_exception("ValueError", "substring not found")),
        i => Ok(Value::Int(i)),
    }
}

pub(super) fn s_count(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let s = str_recv(vm, r);
    let sub = arg_str(vm, &args, 0, "count")?.unwrap_or_default();
    if range_is_inverted(vm, &s, &args, 1) {
        return Ok(Value::Int(0));
    }
    let (a, b) = char_range(vm, &s, &args, 1);
    let hay = &s[a..b];
    let n = if sub.is_empty() {
        hay.chars().count() + 1
    } else {
        hay.matches(&sub).count()
    };
    Ok(Value::Int(n as i64))
}

pub(super) fn affix(vm: &mut Vm, r: Option<Value>, args: &Args, start: bool) -> R {
    let s = str_recv(vm, r);
    let method = if start { "startswith" } else { "endswith" };
    let options = match args.pos.first() {
        Some(v) if vm.str_of(*v).is_some() => vec![vm.str_of(*v).unwrap_or_default().to_string()],
        Some(v) if matches!(v.as_obj().map(|o| vm.heap.get(o)), Some(Object::Tuple(_))) => {
            // Checked in order, as CPython: an earlier match wins before a bad element.
            let mut options = Vec::new();
            for x in vm.tuple_items(*v) {
                match vm.str_of(x) {
                    Some(o) => options.push(o.to_string()),
                    None if options.is_empty() || !affix_matches(vm, &s, args, start, &options) => {
                        let t = vm.type_name(x);
                        return Err(vm.type_error(&format!(
                            "tuple for {method} must only contain str, not {t}"
                        )));
                    }
                    None => break,
                }
            }
            options
        }
        Some(v) => {
            let t = vm.type_name(*v);
            return Err(vm.type_error(&format!(
                "{method} first arg must be str or a tuple of str, not {t}"
            )));
        }
        None => vec![],
    };
    Ok(Value::Bool(affix_matches(vm, &s, args, start, &options)))
}

/// Whether `s[start:end]` starts (or ends) with one of `options`.
fn affix_matches(vm: &Vm, s: &str, args: &Args, start: bool, options: &[String]) -> bool {
    if range_is_inverted(vm, s, args, 1) {
        return false;
    }
    let (a, b) = char_range(vm, s, args, 1);
    let hay = &s[a..b];
    options.iter().any(|o| {
        if start {
            hay.starts_with(o.as_str())
        } else {
            hay.ends_with(o.as_str())
        }
    })
}

pub(super) fn s_startswith(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    affix(vm, r, &args, true)
}
pub(super) fn s_endswith(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    affix(vm, r, &args, false)
}

/// str.format_map(mapping): the fields are looked up in the mapping.
pub(super) fn s_format_map(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let template = str_recv(vm, r);
    let mapping = args.pos.first().copied().unwrap_or(Value::None);
    let mut kw = Vec::new();
    for (k, v) in vm.mapping_items(mapping)? {
        if let Some(k) = vm.str_of(k) {
            kw.push((k.to_string(), v));
        }
    }
    let s = super::format::str_format(vm, &template, &Args { pos: vec![], kw })?;
    Ok(vm.new_str(s))
}

/// str.maketrans(x[, y[, z]]): the dict str.translate takes (code point to code point,
/// str or None).
pub(super) fn s_maketrans(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let table = vm.new_dict();
    match args.pos.as_slice() {
        [mapping] => {
            if !matches!(
                mapping.as_obj().map(|o| vm.heap.get(o)),
                Some(Object::Dict(_))
            ) {
                return Err(
                    vm.type_error("if you give only one argument to maketrans it must be a dict")
                );
            }
            for (k, v) in vm.mapping_items(*mapping)? {
                let key = match vm.str_of(k).map(|s| s.chars().collect::<Vec<_>>()) {
                    Some(chars) if chars.len() == 1 => Value::Int(i64::from(u32::from(chars[0]))),
                    Some(_) => {
                        return Err(vm.new_exception(
                            "ValueError",
                            "string keys in translate table must be of length 1",
                        ));
                    }
                    None => k,
                };
                vm.setitem(table, key, v)?;
            }
        }
        [from, to, rest @ ..] => {
            let (Some(from), Some(to)) = (vm.str_of(*from), vm.str_of(*to)) else {
                return Err(vm.type_error("maketrans() arguments must be str"));
            };
            let (from, to): (Vec<char>, Vec<char>) = (from.chars().collect(), to.chars().collect());
            if from.len() != to.len() {
                return Err(vm.new_exception(
                    "ValueError",
                    "the first two maketrans arguments must have equal length",
                ));
            }
            for (f, t) in from.into_iter().zip(to) {
                let (k, v) = (i64::from(u32::from(f)), i64::from(u32::from(t)));
                vm.setitem(table, Value::Int(k), Value::Int(v))?;
            }
            if let Some(delete) = rest.first() {
                let chars: Vec<char> = vm.str_of(*delete).unwrap_or_default().chars().collect();
                for c in chars {
                    vm.setitem(table, Value::Int(i64::from(u32::from(c))), Value::None)?;
                }
            }
        }
        _ => return Err(vm.type_error("maketrans() takes at least 1 argument")),
    }
    Ok(table)
}

/// str.translate(table): each character's code point looked up in the table (missing:
/// kept; None: deleted; an int: that character; a str: that text).
pub(super) fn s_translate(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let s = str_recv(vm, r);
    let table = args.pos.first().copied().unwrap_or(Value::None);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let key = Value::Int(i64::from(u32::from(c)));
        let mapped = match vm.getitem(table, key) {
            Ok(v) => v,
            Err(e) if vm.exception_is(e, "LookupError") => {
                out.push(c);
                continue;
            }
            Err(e) => return Err(e),
        };
        if mapped == Value::None {
            continue;
        }
        if let Some(text) = vm.str_of(mapped) {
            out.push_str(text);
        } else if let Some(code) = vm.as_index(mapped) {
            match u32::try_from(code).ok().and_then(char::from_u32) {
                Some(ch) => out.push(ch),
                None => {
                    return Err(vm.new_exception(
                        "ValueError",
                        "character mapping must be in range(0x110000)",
                    ));
                }
            }
        } else {
            return Err(vm.type_error("character mapping must return integer, None or str"));
        }
    }
    Ok(vm.new_str(out))
}
pub(super) fn pad(vm: &mut Vm, r: Option<Value>, args: &Args, align: char) -> R {
    let s = str_recv(vm, r);
    let width = int_arg(vm, args, 0, 0)?.max(0) as usize;
    let fill = match arg_str(vm, args, 1, "pad")? {
        None => ' ',
        Some(f) => {
            let mut chars = f.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(
                        vm.type_error("The fill character must be exactly one character long")
                    );
                }
            }
        }
    };
    let n = s.chars().count();
    if n >= width {
        return Ok(vm.new_str(s));
    }
    let total = width - n;
    vm.check_alloc(total as u64, fill.len_utf8() as u64)?;
    let (left, right) = match align {
        '<' => (0, total),
        '>' => (total, 0),
        _ => {
            let left = total / 2 + (total & width & 1);
            (left, total - left)
        }
    };
    let out = format!(
        "{}{s}{}",
        fill.to_string().repeat(left),
        fill.to_string().repeat(right)
    );
    Ok(vm.new_str(out))
}
pub(super) fn s_ljust(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    pad(vm, r, &args, '<')
}
pub(super) fn s_rjust(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    pad(vm, r, &args, '>')
}
pub(super) fn s_center(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    pad(vm, r, &args, '^')
}
pub(super) fn s_zfill(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let s = str_recv(vm, r);
    let width = int_arg(vm, &args, 0, 0)?.max(0) as usize;
    let n = s.chars().count();
    if n >= width {
        return Ok(vm.new_str(s));
    }
    let (sign, digits) = match s.chars().next() {
        Some(c @ ('+' | '-')) => (c.to_string(), &s[1..]),
        _ => (String::new(), s.as_str()),
    };
    vm.check_alloc((width - n) as u64, 1)?;
    Ok(vm.new_str(format!("{sign}{}{digits}", "0".repeat(width - n))))
}

pub(super) fn s_partition(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    partition(vm, r, &args, false)
}
pub(super) fn s_rpartition(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    partition(vm, r, &args, true)
}
pub(super) fn partition(vm: &mut Vm, r: Option<Value>, args: &Args, reverse: bool) -> R {
    let s = str_recv(vm, r);
    let sep = arg_str(vm, args, 0, "partition")?.unwrap_or_default();
    if sep.is_empty() {
        return Err(vm.new_exception("ValueError", "empty separator"));
    }
    let found = if reverse { s.rfind(&sep) } else { s.find(&sep) };
    let (a, b, c) = match found {
        Some(i) => (
            s[..i].to_string(),
            sep.clone(),
            s[i + sep.len()..].to_string(),
        ),
        None if reverse => (String::new(), String::new(), s.clone()),
        None => (s.clone(), String::new(), String::new()),
    };
    let parts = vec![vm.new_str(a), vm.new_str(b), vm.new_str(c)];
    Ok(vm.new_tuple(parts))
}

pub(super) fn s_format(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let s = str_recv(vm, r);
    let out = super::format::str_format(vm, &s, &args)?;
    Ok(vm.new_str(out))
}

pub(super) fn s_encode(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let s = str_recv(vm, r);
    super::codecs::encode(vm, &s, &args)
}

pub(super) fn s_istitle(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let s = str_recv(vm, r);
    let mut prev_cased = false;
    let mut any = false;
    for c in s.chars() {
        // Upper- and titlecase letters (ǅ) may only start a word.
        if c.is_uppercase() || super::unicode_props::is_titlecase(c) {
            if prev_cased {
                return Ok(Value::Bool(false));
            }
            prev_cased = true;
            any = true;
        } else if c.is_lowercase() {
            if !prev_cased {
                return Ok(Value::Bool(false));
            }
            prev_cased = true;
            any = true;
        } else {
            prev_cased = false;
        }
    }
    Ok(Value::Bool(any))
}

/// expandtabs' tabsize: an int (3.7's "an integer is required" otherwise).
fn tab_size(vm: &mut Vm, v: Value) -> PyResult<i64> {
    index_or(vm, v, |t| format!("an integer is required (got type {t})"))
}

pub(super) fn s_expandtabs(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    crate::objects::args::check_keywords(vm, &args, "expandtabs", &["tabsize"])?;
    let s = str_recv(vm, r);
    let size = match crate::objects::args::kwarg(&args, "tabsize") {
        Some(t) => tab_size(vm, t)?,
        None => match args.pos.first() {
            Some(&t) => tab_size(vm, t)?,
            None => 8,
        },
    }
    .max(0) as usize;
    let mut out = String::new();
    let mut col = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                let n = if size == 0 { 0 } else { size - col % size };
                vm.check_alloc((out.len() + n) as u64, 1)?;
                out.push_str(&" ".repeat(n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    Ok(vm.new_str(out))
}
