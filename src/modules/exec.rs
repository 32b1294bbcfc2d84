//! The builtins that compile and run code or read namespaces: compile (modes exec, eval
//! and single), exec, eval, globals, locals, vars and dir. Their default namespaces are the
//! calling frame's (`Vm::caller`, recorded by the eval loop before the call); a function's
//! locals are a snapshot dict kept with its frame, as CPython's `f_locals`.

use crate::bytecode::CodeObject;
use crate::compile::Mode;
use crate::objects::args::{arity, check_keywords, kwarg};
use crate::objects::methods::method_names;
use crate::syntax::SyntaxError;
use crate::vm::frame::Resume;
use crate::vm::object::{Args, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use std::collections::BTreeSet;
use std::sync::Arc;

type R = PyResult<Value>;

/// What every object answers through `object` (dir()'s baseline).
const OBJECT_ATTRS: &[&str] = &[
    "__class__",
    "__delattr__",
    "__dir__",
    "__doc__",
    "__eq__",
    "__format__",
    "__ge__",
    "__getattribute__",
    "__gt__",
    "__hash__",
    "__init__",
    "__init_subclass__",
    "__le__",
    "__lt__",
    "__ne__",
    "__new__",
    "__reduce__",
    "__reduce_ex__",
    "__repr__",
    "__setattr__",
    "__sizeof__",
    "__str__",
    "__subclasshook__",
];

/// The data attributes of a Python function.
const FUNCTION_ATTRS: &[&str] = &[
    "__annotations__",
    "__call__",
    "__closure__",
    "__code__",
    "__defaults__",
    "__dict__",
    "__get__",
    "__globals__",
    "__kwdefaults__",
    "__module__",
    "__name__",
    "__qualname__",
];

/// The attributes a class written in Python has besides its own namespace.
const CLASS_ATTRS: &[&str] = &["__dict__", "__module__", "__weakref__"];

/// The builtins that read the calling frame (see `Native::reads_frame`).
pub const READS_FRAME: &[&str] = &["exec", "eval", "globals", "locals", "vars", "dir"];

pub const FUNCTIONS: &[(&str, crate::vm::object::NativeFn)] = &[
    ("__import__", b_import),
    ("compile", b_compile),
    ("exec", b_exec),
    ("eval", b_eval),
    ("globals", b_globals),
    ("locals", b_locals),
    ("vars", b_vars),
    ("dir", b_dir),
];

/// The SyntaxError (or IndentationError, TabError) instance for an error in `source`,
/// with CPython's attributes: msg, filename, lineno, offset (1-based) and text.
pub fn syntax_error_value(
    vm: &mut Vm,
    e: &SyntaxError,
    filename: &str,
    source: &str,
    mode: Mode,
) -> Value {
    let offset = e.offset.min(source.len());
    let offset = (0..=offset)
        .rev()
        .find(|o| source.is_char_boundary(*o))
        .unwrap_or(0);
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[line_start..]
        .find('\n')
        .map_or(source.len(), |i| line_start + i + 1);
    let mut line = source[line_start..line_end].to_string();
    let mut lineno = e.lineno(source) as i64;
    let mut column = source[line_start..offset].chars().count() as i64 + 1;
    let mut message = e.message.clone();
    if mode == Mode::Exec {
        // exec input gets a final newline before it is read.
        if !line.ends_with('\n') {
            line.push('\n');
        }
    } else if !source.ends_with('\n') && only_comment_after(&source[offset..]) {
        // Without that newline, 3.7's tokenizer has read to the end of the string when it
        // meets a bad last token: the error is reported as the end of the input.
        message = "unexpected EOF while parsing".into();
        column = line.chars().count() as i64;
        if source.is_empty() {
            lineno = 0;
        }
    }
    let text = vm.new_str(line);
    let lineno = Value::Int(lineno);
    let column = Value::Int(column);
    let msg = vm.new_str(message);
    let file = vm.new_str(filename);
    let details = vm.new_tuple(vec![file, lineno, column, text]);
    let exc = vm.new_exception_args(e.kind.name(), vec![msg, details]);
    for (name, v) in [
        ("msg", msg),
        ("filename", file),
        ("lineno", lineno),
        ("offset", column),
        ("text", text),
    ] {
        vm.set_instance_attr(exc, name, v);
    }
    exc
}

/// Whether nothing but blanks and a comment follow the character `rest` starts with.
fn only_comment_after(rest: &str) -> bool {
    let mut chars = rest.chars();
    chars.next();
    let tail = chars.as_str().trim_start_matches([' ', '\t', '\x0c']);
    tail.is_empty() || (tail.starts_with('#') && !tail.contains('\n'))
}

/// The code object compile(), exec() or eval() runs: a code object as it is, or str/bytes
/// source compiled in `mode`.
fn code_of(vm: &mut Vm, source: Value, filename: &str, mode: Mode, who: &str) -> PyResult<Value> {
    if let Some(Object::Code(_)) = source.as_obj().map(|r| vm.heap.get(r)) {
        return Ok(source);
    }
    let text = match source.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Str(s)) => s.text.to_string(),
        Some(Object::Bytes(b)) => match std::str::from_utf8(b) {
            Ok(t) => t.to_string(),
            Err(_) => return Err(vm.new_exception("SyntaxError", "source is not valid UTF-8")),
        },
        _ => {
            let what = if who == "compile" {
                "string, bytes or AST"
            } else {
                "string, bytes or code"
            };
            return Err(vm.type_error(&format!("{who}() arg 1 must be a {what} object")));
        }
    };
    if text.contains('\0') {
        return Err(vm.new_exception("ValueError", "source code string cannot contain null bytes"));
    }
    let text = crate::syntax::universal_newlines(&text).into_owned();
    // eval() of a string ignores leading blanks, as CPython's eval does.
    let text = if who == "eval" {
        text.trim_start_matches([' ', '\t']).to_string()
    } else {
        text
    };
    match crate::compile::compile_source_mode(&text, filename, mode) {
        Ok(code) => Ok(vm.alloc(Object::Code(code))),
        Err(e) => Err(syntax_error_value(vm, &e, filename, &text, mode)),
    }
}

fn b_compile(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    check_keywords(
        vm,
        &args,
        "compile",
        &[
            "source",
            "filename",
            "mode",
            "flags",
            "dont_inherit",
            "optimize",
        ],
    )?;
    let mut pos = args.pos.clone();
    for name in ["source", "filename", "mode"] {
        if let Some(v) = kwarg(&args, name) {
            pos.push(v);
        }
    }
    if pos.len() < 3 {
        let missing = ["source", "filename", "mode"][pos.len()];
        return Err(vm.type_error(&format!(
            "compile() missing required argument '{missing}' (pos {})",
            pos.len() + 1
        )));
    }
    let filename = match vm.str_of(pos[1]) {
        Some(f) => f.to_string(),
        None => {
            let t = vm.type_name(pos[1]);
            return Err(vm.type_error(&format!(
                "compile() argument 2 must be str, bytes or os.PathLike object, not {t}"
            )));
        }
    };
    let mode = match vm.str_of(pos[2]) {
        Some("exec") => Mode::Exec,
        Some("eval") => Mode::Eval,
        Some("single") => Mode::Single,
        Some(_) => {
            return Err(vm.new_exception(
                "ValueError",
                "compile() mode must be 'exec', 'eval' or 'single'",
            ));
        }
        None => {
            let t = vm.type_name(pos[2]);
            return Err(vm.type_error(&format!("compile() argument 3 must be str, not {t}")));
        }
    };
    code_of(vm, pos[0], &filename, mode, "compile")
}

/// The namespaces exec() and eval() run in: the given ones, else the caller's; the
/// globals get `__builtins__` if they have none, as CPython gives them.
fn namespaces(vm: &mut Vm, args: &Args, who: &str) -> PyResult<(ObjRef, ObjRef)> {
    let caller = vm.caller.take();
    let globals = args
        .pos
        .get(1)
        .copied()
        .or_else(|| kwarg(args, "globals"))
        .filter(|g| *g != Value::None);
    let locals = args
        .pos
        .get(2)
        .copied()
        .or_else(|| kwarg(args, "locals"))
        .filter(|l| *l != Value::None);
    let is_dict =
        |vm: &Vm, v: Value| matches!(v.as_obj().map(|r| vm.heap.get(r)), Some(Object::Dict(_)));
    if let Some(g) = globals
        && !is_dict(vm, g)
    {
        let t = vm.type_name(g);
        let message = if who == "exec" {
            format!("exec() globals must be a dict, not {t}")
        } else if is_mapping(vm, g) {
            "globals must be a real dict; try eval(expr, {}, mapping)".to_string()
        } else {
            "globals must be a dict".to_string()
        };
        return Err(vm.type_error(&message));
    }
    // Any mapping serves as locals: the NAME opcodes go through its __getitem__.
    if let Some(l) = locals
        && !is_mapping(vm, l)
    {
        let t = vm.type_name(l);
        let message = if who == "exec" {
            format!("locals must be a mapping or None, not {t}")
        } else {
            "locals must be a mapping".to_string()
        };
        return Err(vm.type_error(&message));
    }
    let (globals, locals) = match (globals, caller) {
        (Some(g), _) => (g, locals.unwrap_or(g)),
        (None, Some(c)) => (Value::Obj(c.globals), locals.unwrap_or(c.locals)),
        (None, None) => {
            let g = vm.new_dict();
            (g, locals.unwrap_or(g))
        }
    };
    let globals = globals.as_obj().expect("checked to be a dict");
    let locals = locals.as_obj().unwrap_or(globals);
    if vm.dict_get_str(globals, "__builtins__").is_none() {
        let builtins = Value::Obj(vm.builtins);
        vm.dict_set_str(globals, "__builtins__", builtins);
    }
    Ok((globals, locals))
}

/// PyMapping_Check: anything with `__getitem__` (a sequence too) but a set.
fn is_mapping(vm: &Vm, v: Value) -> bool {
    match v.as_obj().map(|r| vm.heap.get(r)) {
        Some(
            Object::List(_)
            | Object::Tuple(_)
            | Object::Str(_)
            | Object::Bytes(_)
            | Object::Dict(_)
            | Object::Range { .. }
            | Object::Deque(_),
        ) => true,
        Some(Object::Instance(inst)) => {
            inst.payload.is_some() || vm.class_lookup(vm.type_of(v), "__getitem__").is_some()
        }
        _ => false,
    }
}

fn run_code(vm: &mut Vm, code: Value, globals: ObjRef, locals: ObjRef) -> R {
    let Some(Object::Code(c)) = code.as_obj().map(|r| vm.heap.get(r)) else {
        unreachable!("code_of returns code objects")
    };
    let code: Arc<CodeObject> = c.clone();
    let frame = vm.new_frame(code, globals, Some(locals), Resume::Native);
    vm.run_frame(frame)
}

fn exec_or_eval(vm: &mut Vm, args: Args, who: &str, mode: Mode) -> R {
    check_keywords(vm, &args, who, &["globals", "locals"])?;
    if args.pos.is_empty() {
        vm.caller = None;
        return Err(vm.type_error(&format!("{who} expected at least 1 argument, got 0")));
    }
    if args.pos.len() > 3 {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("{who} expected at most 3 arguments, got {n}")));
    }
    let (globals, locals) = namespaces(vm, &args, who)?;
    let filename = "<string>";
    let code = code_of(vm, args.pos[0], filename, mode, who)?;
    let result = run_code(vm, code, globals, locals)?;
    Ok(if mode == Mode::Exec {
        Value::None
    } else {
        result
    })
}

fn b_exec(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    exec_or_eval(vm, args, "exec", Mode::Exec)
}

fn b_eval(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    exec_or_eval(vm, args, "eval", Mode::Eval)
}

/// `__import__(name, globals=None, locals=None, fromlist=(), level=0)`: what the import
/// statement does: the top package, or with a fromlist the named module itself.
fn b_import(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    check_keywords(
        vm,
        &args,
        "__import__",
        &["name", "globals", "locals", "fromlist", "level"],
    )?;
    let param = |i: usize, key: &str| args.pos.get(i).copied().or_else(|| kwarg(&args, key));
    let Some(name_v) = param(0, "name") else {
        return Err(vm.type_error("__import__() missing required argument 'name' (pos 1)"));
    };
    let Some(name) = vm.str_of(name_v).map(str::to_string) else {
        let t = vm.type_name(name_v);
        return Err(vm.type_error(&format!("module name must be str, not {t}")));
    };
    let level = param(4, "level").unwrap_or(Value::Int(0));
    if let Some(n) = vm.as_index(level)
        && n < 0
    {
        return Err(vm.new_exception("ValueError", "level must be >= 0"));
    }
    let fromlist = param(3, "fromlist").unwrap_or(Value::None);
    let leaf = fromlist != Value::None && vm.truthy(fromlist)?;
    let globals = param(1, "globals").and_then(Value::as_obj);
    let full = match globals {
        Some(g) if matches!(vm.heap.get(g), Object::Dict(_)) => {
            vm.absolute_import_name(&name, level, g)?
        }
        _ if matches!(level, Value::Int(n) if n > 0) => {
            return Err(vm.new_exception("KeyError", "'__name__' not in globals"));
        }
        _ => name,
    };
    if full.is_empty() {
        return Err(vm.new_exception("ValueError", "Empty module name"));
    }
    vm.import(&full, leaf)
}

fn b_globals(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    match vm.caller.take() {
        Some(c) => Ok(Value::Obj(c.globals)),
        None => Ok(vm.new_dict()),
    }
}

fn b_locals(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    match vm.caller.take() {
        Some(c) => Ok(c.locals),
        None => Ok(vm.new_dict()),
    }
}

fn b_vars(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    if args.pos.len() != 1 {
        arity(vm, "vars", &args, 0, 1)?;
        return b_locals(vm, None, Args::default());
    }
    vm.caller = None;
    match vm.getattr(args.pos[0], "__dict__") {
        Err(e) if vm.exception_is(e, "AttributeError") => {
            Err(vm.type_error("vars() argument must have __dict__ attribute"))
        }
        other => other,
    }
}

/// The keys of a namespace dict that are strs.
fn str_keys(vm: &Vm, dict: ObjRef, into: &mut BTreeSet<String>) {
    if let Object::Dict(d) = vm.heap.get(dict) {
        for (k, _) in d.values() {
            if let Some(s) = vm.str_of(*k) {
                into.insert(s.to_string());
            }
        }
    }
}

/// What dir() lists for a class: every namespace along its MRO, the built-in types'
/// methods among them, and what `object` gives.
fn class_names(vm: &Vm, class: ObjRef, into: &mut BTreeSet<String>) {
    for c in vm.mro_of(class) {
        if let Object::Class(k) = vm.heap.get(c) {
            into.extend(k.dict.keys().cloned());
            match k.builtin {
                Some(tag) if vm.types.get(tag) == Some(&c) => {
                    into.extend(method_names(tag).into_iter().map(str::to_string));
                }
                Some(_) => {}
                None => into.extend(CLASS_ATTRS.iter().map(|s| s.to_string())),
            }
        }
    }
    into.extend(OBJECT_ATTRS.iter().map(|s| s.to_string()));
}

fn b_dir(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "dir", &args, 0, 1)?;
    let caller = vm.caller.take();
    let Some(&obj) = args.pos.first() else {
        // The names of the calling scope.
        let locals = caller.map(|c| c.locals).unwrap_or(Value::None);
        let keys = match locals.as_obj() {
            Some(d) => vm.collect_iterable(Value::Obj(d))?,
            None => vec![],
        };
        let list = vm.new_list(keys);
        return sorted(vm, list);
    };
    let is_instance = matches!(
        obj.as_obj().map(|r| vm.heap.get(r)),
        Some(Object::Instance(_))
    );
    if is_instance && vm.class_lookup(vm.type_of(obj), "__dir__").is_some() {
        let names = vm
            .call_special(obj, "__dir__", vec![])?
            .unwrap_or(Value::None);
        let items = vm.collect_iterable(names)?;
        let list = vm.new_list(items);
        return sorted(vm, list);
    }
    let mut names = BTreeSet::new();
    match obj.as_obj().map(|r| (r, vm.heap.get(r))) {
        Some((_, Object::Module { dict, .. })) => str_keys(vm, *dict, &mut names),
        Some((r, Object::Class(_))) => class_names(vm, r, &mut names),
        Some((_, Object::Instance(inst))) => {
            let class = inst.class;
            if let Some(dict) = vm.instance_dict(obj) {
                str_keys(vm, dict, &mut names);
            }
            class_names(vm, class, &mut names);
        }
        Some((r, Object::Function(_))) => {
            let dict = crate::objects::function::function_dict(vm, r);
            str_keys(vm, dict, &mut names);
            names.extend(FUNCTION_ATTRS.iter().map(|s| s.to_string()));
            class_names(vm, vm.type_of(obj), &mut names);
        }
        _ => class_names(vm, vm.type_of(obj), &mut names),
    }
    let items = names.into_iter().map(|n| vm.new_str(n)).collect();
    Ok(vm.new_list(items))
}

fn sorted(vm: &mut Vm, list: Value) -> R {
    if let Some(Object::List(items)) = list.as_obj().map(|r| vm.heap.get(r)) {
        let mut items = items.clone();
        crate::objects::sort::sort_values(vm, &mut items, None, false)?;
        return Ok(vm.new_list(items));
    }
    Ok(list)
}
