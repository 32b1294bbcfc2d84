//! `_re`: the native half of `re` (lib/re.py holds the Python-level classes: Pattern,
//! Match, RegexFlag, error, and the module functions). Patterns are read (lex.rs,
//! parse.rs) into a tree (ast.rs), compiled (compile.rs) and run by a backtracking matcher
//! of our own (matcher.rs); chars.rs has sre's character classes and case rules, and
//! template.rs the replacement templates. Our own matcher gives sre's semantics exactly
//! where a translation to another engine's syntax could not (sre's repeat and capture
//! rules, 3.7's empty-match rules, its error messages and positions).
//! Compiled programs are cached by (pattern, flags); the functions here take the pattern
//! text and flags and look the program up, so nothing native lives on the heap.
//! Positions are character indices; bytes subjects are read as latin-1 characters.

mod ast;
mod chars;
mod compile;
mod lex;
mod matcher;
mod parse;
mod template;

use crate::vm::object::{Args, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use ast::Fail;
use compile::Program;
use matcher::{Captures, Mode};
use std::collections::HashMap;
use std::sync::Arc;
use template::{Piece, TemplateFail};

type R = PyResult<Value>;

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module(
        "_re",
        &[
            ("compile", r_compile),
            ("search", r_search),
            ("scan", r_scan),
            ("check", r_check),
            ("findall", r_findall),
            ("split", r_split),
            ("subn", r_subn),
            ("template", r_template),
            ("purge", r_purge),
        ],
    ))
}

/// Compiled programs by (bytes pattern?, pattern text, flags as given).
#[derive(Default, Clone)]
struct Cache {
    programs: HashMap<(bool, String, u32), Arc<Program>>,
}

const CACHE_LIMIT: usize = 1024;

/// A str or bytes argument as characters (bytes as latin-1), and which it was.
struct Text {
    chars: Vec<char>,
    bytes: bool,
}

fn text_of(vm: &Vm, v: Value) -> Option<Text> {
    if let Some(s) = vm.str_of(v) {
        return Some(Text {
            chars: s.chars().collect(),
            bytes: false,
        });
    }
    let r = v.as_obj()?;
    let payload = vm.payload_of(v).and_then(Value::as_obj).unwrap_or(r);
    match vm.heap.get(payload) {
        Object::Bytes(b) => Some(Text {
            chars: b.iter().map(|&b| char::from(b)).collect(),
            bytes: true,
        }),
        _ => None,
    }
}

fn arg(args: &Args, i: usize) -> Value {
    args.pos.get(i).copied().unwrap_or(Value::None)
}

fn int_arg(vm: &Vm, args: &Args, i: usize, default: i64) -> i64 {
    vm.as_index(arg(args, i)).unwrap_or(default)
}

/// The flags argument as the u32 sre keeps (callers pass ints).
fn flags_arg(vm: &Vm, args: &Args, i: usize) -> u32 {
    (vm.as_index(arg(args, i)).unwrap_or(0) as u64 & 0xffff_ffff) as u32
}

/// The program for a pattern and flags: cached, or parsed and compiled now (errors are
/// raised, `re.error` through the class the caller passes).
fn program(vm: &mut Vm, pattern: Value, flags: u32, error: Value) -> PyResult<Arc<Program>> {
    let Some(text) = text_of(vm, pattern) else {
        return Err(vm.type_error("first argument must be string or compiled pattern"));
    };
    let key_text: String = text.chars.iter().collect();
    let key = (text.bytes, key_text, flags);
    if let Some(p) = vm.module_state(Cache::default).programs.get(&key) {
        return Ok(p.clone());
    }
    let depth = vm.recursion_limit.saturating_sub(10).clamp(20, 4000);
    let mut warnings = Vec::new();
    let parsed = parse::parse(&text.chars, flags, !text.bytes, depth, &mut warnings);
    for w in &warnings {
        warn(vm, w);
    }
    let compiled = parsed.and_then(|p| compile::compile(&p));
    match compiled {
        Ok(p) => {
            let p = Arc::new(p);
            let cache = vm.module_state(Cache::default);
            if cache.programs.len() >= CACHE_LIMIT {
                cache.programs.clear();
            }
            cache.programs.insert(key, p.clone());
            Ok(p)
        }
        Err(fail) => Err(raise_fail(vm, fail, pattern, error)),
    }
}

/// Prints a parser warning as the warnings module's default filter would: attributed to
/// the innermost frame outside minipy's own modules (the caller of `re`), once per place
/// and message; a DeprecationWarning only when that code is `__main__`'s.
fn warn(vm: &mut Vm, w: &ast::Warning) {
    let Some(frame) = vm
        .frames
        .iter()
        .rev()
        .find(|f| !f.code().co_filename.starts_with("<minipy "))
    else {
        return;
    };
    let (file, line, globals) = (
        frame.code().co_filename.clone(),
        frame.lineno(),
        frame.globals,
    );
    if w.category == "DeprecationWarning" {
        let name = vm.dict_get_str(globals, "__name__");
        if name.and_then(|n| vm.str_of(n)) != Some("__main__") {
            return;
        }
    }
    let key = format!("{file}\0{}\0{}", w.category, w.message);
    if !vm.warned.insert((key, line)) {
        return;
    }
    let text = vm
        .sources
        .get(&file)
        .and_then(|l| l.get((line as usize).wrapping_sub(1)))
        .map(|l| l.trim().to_string())
        .unwrap_or_default();
    vm.flush();
    crate::reportln!("{file}:{line}: {}: {}\n  {text}", w.category, w.message);
}

fn raise_fail(vm: &mut Vm, fail: Fail, pattern: Value, error: Value) -> Value {
    match fail {
        Fail::Error { msg, pos } => {
            let msg = vm.new_str(msg);
            let pos = pos.map_or(Value::None, |p| Value::Int(p as i64));
            match vm.call(error, Args::new(vec![msg, pattern, pos])) {
                Ok(exc) | Err(exc) => exc,
            }
        }
        Fail::Overflow(m) => vm.new_exception("OverflowError", &m),
        Fail::Value(m) => vm.new_exception("ValueError", &m),
        Fail::Runtime(m) => vm.new_exception("RuntimeError", &m),
        Fail::Recursion => vm.new_exception("RecursionError", "maximum recursion depth exceeded"),
    }
}

/// compile(pattern, flags, error) -> (flags, groups, [(name, index), ...])
fn r_compile(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let flags = flags_arg(vm, &args, 1);
    let prog = program(vm, arg(&args, 0), flags, arg(&args, 2))?;
    let mut names = Vec::new();
    for (n, g) in &prog.names {
        let n = vm.new_str(n.as_str());
        names.push(vm.new_tuple(vec![n, Value::Int(*g as i64)]));
    }
    let names = vm.new_list(names);
    Ok(vm.new_tuple(vec![
        Value::Int(i64::from(prog.flags)),
        Value::Int(prog.groups as i64),
        names,
    ]))
}

/// Whether a str or bytes argument is bytes (`None`: neither).
fn is_bytes(vm: &Vm, v: Value) -> Option<bool> {
    if vm.str_of(v).is_some() {
        return Some(false);
    }
    let r = vm.payload_of(v).and_then(Value::as_obj).or(v.as_obj())?;
    matches!(vm.heap.get(r), Object::Bytes(_)).then_some(true)
}

/// The TypeError for a subject that is not a str or bytes like the pattern.
fn check_subject(vm: &mut Vm, pattern: Value, string: Value) -> PyResult<()> {
    let pattern_bytes = is_bytes(vm, pattern).unwrap_or(false);
    match (pattern_bytes, is_bytes(vm, string)) {
        (_, None) => Err(vm.type_error("expected string or bytes-like object")),
        (false, Some(true)) => {
            Err(vm.type_error("cannot use a string pattern on a bytes-like object"))
        }
        (true, Some(false)) => {
            Err(vm.type_error("cannot use a bytes pattern on a string-like object"))
        }
        _ => Ok(()),
    }
}

/// The subject of a match as an owned copy of its characters, checked against the
/// pattern's kind.
fn subject(vm: &mut Vm, pattern: Value, string: Value) -> PyResult<Text> {
    check_subject(vm, pattern, string)?;
    Ok(text_of(vm, string).expect("checked to be a str or bytes"))
}

/// pos and endpos clamped to the subject, as sre's state_init does.
fn bounds(vm: &Vm, args: &Args, i: usize, len: usize) -> (usize, usize) {
    let clamp = |v: i64| v.clamp(0, len as i64) as usize;
    let pos = clamp(int_arg(vm, args, i, 0));
    let end = clamp(int_arg(vm, args, i + 1, len as i64));
    (pos, end)
}

/// A match as Python sees it: (regs, lastindex), regs being each group's (start, end)
/// or (-1, -1).
fn captures_value(vm: &mut Vm, c: &Captures) -> Value {
    let regs: Vec<Value> = c
        .spans
        .iter()
        .map(|s| {
            let (a, b) = s.map_or((-1, -1), |(a, b)| (a as i64, b as i64));
            vm.new_tuple(vec![Value::Int(a), Value::Int(b)])
        })
        .collect();
    let regs = vm.new_tuple(regs);
    let last = c.lastindex.map_or(Value::None, |l| Value::Int(l as i64));
    vm.new_tuple(vec![regs, last])
}

/// A subject's characters, borrowed where they can be: the bytes of bytes, or of a str
/// whose characters are all ASCII; a copy of the characters of any other str.
enum Subject<'a> {
    Narrow(&'a [u8]),
    Wide(Vec<char>),
}

impl Subject<'_> {
    fn len(&self) -> usize {
        match self {
            Subject::Narrow(b) => b.len(),
            Subject::Wide(c) => c.len(),
        }
    }

    fn search(
        &self,
        prog: &Program,
        pos: usize,
        end: usize,
        mode: Mode,
        adv: bool,
    ) -> Option<Captures> {
        match self {
            Subject::Narrow(b) => matcher::search(prog, b, pos, end, mode, adv),
            Subject::Wide(c) => matcher::search(prog, c, pos, end, mode, adv),
        }
    }
}

/// The subject `v` (already checked to be a str or bytes) in place.
fn subject_of(vm: &Vm, v: Value) -> Subject<'_> {
    let r = v.as_obj().expect("a checked subject is a heap object");
    let r = vm.payload_of(v).and_then(Value::as_obj).unwrap_or(r);
    match vm.heap.get(r) {
        Object::Bytes(b) => Subject::Narrow(b),
        Object::Str(s) if s.is_single_byte() => Subject::Narrow(s.text.as_bytes()),
        Object::Str(s) => Subject::Wide(s.chars().collect()),
        _ => Subject::Narrow(&[]),
    }
}

/// search(pattern, flags, string, pos, endpos, mode, must_advance) -> (regs, lastindex) or
/// None; mode 0 is match, 1 fullmatch, 2 search.
fn r_search(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (pattern, flags) = (arg(&args, 0), flags_arg(vm, &args, 1));
    let prog = program(vm, pattern, flags, Value::None)?;
    check_subject(vm, pattern, arg(&args, 2))?;
    let mode = match int_arg(vm, &args, 5, 2) {
        0 => Mode::Match,
        1 => Mode::Full,
        _ => Mode::Search,
    };
    let must_advance = matches!(arg(&args, 6), Value::Bool(true));
    let subject = subject_of(vm, arg(&args, 2));
    let (pos, end) = bounds(vm, &args, 3, subject.len());
    match subject.search(&prog, pos, end, mode, must_advance) {
        Some(c) => Ok(captures_value(vm, &c)),
        None => Ok(Value::None),
    }
}

/// Successive matches from `pos`, with 3.7's rule: after an empty match the next may not
/// be empty at the same place (`must_advance` says whether that holds at `pos`). At most
/// `limit` (0: all).
fn all_matches<C: matcher::Unit>(
    prog: &Program,
    text: &[C],
    pos: usize,
    end: usize,
    limit: usize,
    must_advance: bool,
) -> Vec<Captures> {
    let mut out = Vec::new();
    let (mut at, mut must_advance) = (pos, must_advance);
    while at <= end && (limit == 0 || out.len() < limit) {
        let Some(c) = matcher::search(prog, text, at, end, Mode::Search, must_advance) else {
            break;
        };
        let (s, e) = c.spans[0].expect("group 0 matched");
        must_advance = s == e;
        at = e;
        out.push(c);
    }
    out
}

/// check(pattern, string): the TypeError a match of `string` would raise, now.
fn r_check(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    check_subject(vm, arg(&args, 0), arg(&args, 1))?;
    Ok(Value::None)
}

/// scan(pattern, flags, string, pos, endpos, limit, must_advance) -> [(regs, lastindex), ...]
fn r_scan(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (pattern, flags) = (arg(&args, 0), flags_arg(vm, &args, 1));
    let prog = program(vm, pattern, flags, Value::None)?;
    check_subject(vm, pattern, arg(&args, 2))?;
    let limit = int_arg(vm, &args, 5, 0).max(0) as usize;
    let must_advance = matches!(arg(&args, 6), Value::Bool(true));
    let subject = subject_of(vm, arg(&args, 2));
    let (pos, end) = bounds(vm, &args, 3, subject.len());
    let found = match &subject {
        Subject::Narrow(b) => all_matches(&prog, b, pos, end, limit, must_advance),
        Subject::Wide(c) => all_matches(&prog, c, pos, end, limit, must_advance),
    };
    let items = found.iter().map(|c| captures_value(vm, c)).collect();
    Ok(vm.new_list(items))
}

/// A slice of the subject as a new str or bytes.
fn piece(vm: &mut Vm, text: &Text, start: usize, end: usize) -> Value {
    let part = &text.chars[start..end];
    if text.bytes {
        vm.alloc(Object::Bytes(
            part.iter().map(|&c| c as u32 as u8).collect(),
        ))
    } else {
        vm.new_str(part.iter().collect::<String>())
    }
}

fn group_value(vm: &mut Vm, text: &Text, span: Option<(usize, usize)>, default: Value) -> Value {
    match span {
        Some((s, e)) => piece(vm, text, s, e),
        None => default,
    }
}

/// findall(pattern, flags, string, pos, endpos)
fn r_findall(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (pattern, flags) = (arg(&args, 0), flags_arg(vm, &args, 1));
    let prog = program(vm, pattern, flags, Value::None)?;
    let text = subject(vm, pattern, arg(&args, 2))?;
    let (pos, end) = bounds(vm, &args, 3, text.chars.len());
    let empty = piece(vm, &text, 0, 0);
    let mut out = Vec::new();
    for c in all_matches(&prog, &text.chars, pos, end, 0, false) {
        let item = match prog.groups {
            0 => group_value(vm, &text, c.spans[0], empty),
            1 => group_value(vm, &text, c.spans[1], empty),
            n => {
                let items = (1..=n)
                    .map(|g| group_value(vm, &text, c.spans[g], empty))
                    .collect();
                vm.new_tuple(items)
            }
        };
        out.push(item);
    }
    Ok(vm.new_list(out))
}

/// split(pattern, flags, string, maxsplit)
fn r_split(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (pattern, flags) = (arg(&args, 0), flags_arg(vm, &args, 1));
    let prog = program(vm, pattern, flags, Value::None)?;
    let text = subject(vm, pattern, arg(&args, 2))?;
    let maxsplit = int_arg(vm, &args, 3, 0);
    if maxsplit < 0 {
        let whole = piece(vm, &text, 0, text.chars.len());
        return Ok(vm.new_list(vec![whole]));
    }
    let len = text.chars.len();
    let mut out = Vec::new();
    let mut last = 0;
    for c in all_matches(&prog, &text.chars, 0, len, maxsplit as usize, false) {
        let (s, e) = c.spans[0].expect("group 0 matched");
        out.push(piece(vm, &text, last, s));
        for g in 1..=prog.groups {
            out.push(group_value(vm, &text, c.spans[g], Value::None));
        }
        last = e;
    }
    out.push(piece(vm, &text, last, len));
    Ok(vm.new_list(out))
}

/// The template `repl` parsed for `prog`, or the exception for a bad one.
fn parse_repl(
    vm: &mut Vm,
    prog: &Program,
    repl: &Text,
    repl_value: Value,
    error: Value,
) -> PyResult<Vec<Piece>> {
    if !repl.chars.contains(&'\\') {
        return Ok(vec![Piece::Literal(repl.chars.iter().collect())]);
    }
    match template::parse_template(&repl.chars, prog.groups, &prog.names) {
        Ok(p) => Ok(p),
        Err(TemplateFail::Index(m)) => Err(vm.new_exception("IndexError", &m)),
        Err(TemplateFail::Error(msg, pos)) => {
            let fail = Fail::Error {
                msg,
                pos: Some(pos),
            };
            Err(raise_fail(vm, fail, repl_value, error))
        }
    }
}

/// A template's expansion for one match, as characters.
fn expand(pieces: &[Piece], text: &[char], c: &Captures, out: &mut Vec<char>) {
    for p in pieces {
        match p {
            Piece::Literal(s) => out.extend(s.chars()),
            Piece::Group(g) => {
                if let Some(Some((s, e))) = c.spans.get(*g) {
                    out.extend_from_slice(&text[*s..*e]);
                }
            }
        }
    }
}

/// subn(pattern, flags, repl, string, count, error) -> (result, n), for a str or bytes
/// template (a callable replacement is handled in re.py over `scan`).
fn r_subn(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (pattern, flags) = (arg(&args, 0), flags_arg(vm, &args, 1));
    let prog = program(vm, pattern, flags, arg(&args, 5))?;
    let repl_value = arg(&args, 2);
    let repl = subject(vm, pattern, repl_value)?;
    let text = subject(vm, pattern, arg(&args, 3))?;
    let count = int_arg(vm, &args, 4, 0).max(0) as usize;
    let pieces = parse_repl(vm, &prog, &repl, repl_value, arg(&args, 5))?;
    let len = text.chars.len();
    let found = all_matches(&prog, &text.chars, 0, len, count, false);
    let mut chars = Vec::with_capacity(len);
    let mut last = 0;
    for c in &found {
        let (s, e) = c.spans[0].expect("group 0 matched");
        chars.extend_from_slice(&text.chars[last..s]);
        expand(&pieces, &text.chars, c, &mut chars);
        last = e;
    }
    chars.extend_from_slice(&text.chars[last..]);
    let n = found.len();
    let joined = Text {
        chars,
        bytes: text.bytes,
    };
    let value = piece(vm, &joined, 0, joined.chars.len());
    Ok(vm.new_tuple(vec![value, Value::Int(n as i64)]))
}

/// template(pattern, flags, repl, error) -> [str or int, ...]: a parsed template for
/// Match.expand (literal pieces as the subject's type, groups as indices).
fn r_template(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (pattern, flags) = (arg(&args, 0), flags_arg(vm, &args, 1));
    let prog = program(vm, pattern, flags, arg(&args, 3))?;
    let repl_value = arg(&args, 2);
    let repl = subject(vm, pattern, repl_value)?;
    let pieces = parse_repl(vm, &prog, &repl, repl_value, arg(&args, 3))?;
    let mut out = Vec::new();
    for p in pieces {
        out.push(match p {
            Piece::Literal(s) => {
                let t = Text {
                    chars: s.chars().collect(),
                    bytes: repl.bytes,
                };
                piece(vm, &t, 0, t.chars.len())
            }
            Piece::Group(g) => Value::Int(g as i64),
        });
    }
    Ok(vm.new_list(out))
}

fn r_purge(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    vm.module_state(Cache::default).programs.clear();
    Ok(Value::None)
}
