//! The built-in functions (print, len, sorted, isinstance, round, hex ...) and the builtins
//! module's installation. Calling a built-in type (int(), list(), range() ...) is in
//! src/objects/constructors.rs, the types' methods in src/objects/ (found through methods.rs).

use crate::vm::object::{Args, Iter, NativeFn, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

use super::builtins_numbers::{b_abs, b_bin, b_chr, b_divmod, b_hex, b_oct, b_ord, b_pow, b_round};
use crate::objects::args::{arity, check_keywords, kwarg};
use crate::objects::items::length;
use crate::objects::sort::sort_values;

type R = PyResult<Value>;

/// Registers the built-in namespace.
pub fn install(vm: &mut Vm) {
    let functions: &[(&'static str, NativeFn)] = &[
        ("print", b_print),
        ("len", b_len),
        ("repr", b_repr),
        ("ascii", b_ascii),
        ("abs", b_abs),
        ("min", b_min),
        ("max", b_max),
        ("sum", b_sum),
        ("sorted", b_sorted),
        ("any", b_any),
        ("all", b_all),
        ("isinstance", b_isinstance),
        ("issubclass", b_issubclass),
        ("id", b_id),
        ("hash", b_hash),
        ("iter", b_iter),
        ("next", b_next),
        ("getattr", b_getattr),
        ("setattr", b_setattr),
        ("hasattr", b_hasattr),
        ("delattr", b_delattr),
        ("callable", b_callable),
        ("round", b_round),
        ("divmod", b_divmod),
        ("pow", b_pow),
        ("chr", b_chr),
        ("ord", b_ord),
        ("hex", b_hex),
        ("oct", b_oct),
        ("bin", b_bin),
        ("format", b_format),
        ("__build_class__", crate::objects::class::b_build_class),
        ("input", b_input),
    ];
    for (name, f) in functions.iter().chain(super::exec::FUNCTIONS) {
        let v = vm.native(name, *f);
        if let Value::Obj(r) = v
            && let Object::Native(n) = vm.heap.get_mut(r)
        {
            n.reads_frame = super::exec::READS_FRAME.contains(name);
        }
        vm.dict_set_str(vm.builtins, name, v);
    }
    let name = vm.new_str("builtins");
    vm.dict_set_str(vm.builtins, "__name__", name);
    // `import builtins` (and sys.modules['builtins']): a module over the same namespace.
    let module = vm.heap.alloc(Object::Module {
        name: "builtins".into(),
        dict: vm.builtins,
    });
    vm.register_module("builtins", module);
    // Table order, so the builtins dict is laid out the same on every run.
    let types = crate::vm::TYPES
        .iter()
        .filter(|(_, named)| *named)
        .map(|(n, _)| n);
    let exceptions = crate::vm::EXCEPTIONS.iter().map(|(n, _)| n);
    for &name in types.chain(exceptions) {
        let t = Value::Obj(vm.types[name]);
        vm.dict_set_str(vm.builtins, name, t);
    }
    // Old names of OSError, the same class.
    let os_error = Value::Obj(vm.types["OSError"]);
    vm.dict_set_str(vm.builtins, "IOError", os_error);
    vm.dict_set_str(vm.builtins, "EnvironmentError", os_error);
    let not_implemented = vm
        .new_class("NotImplementedType", vec![], Default::default())
        .expect("plain class");
    let ni = vm.new_instance(not_implemented);
    vm.dict_set_str(vm.builtins, "NotImplemented", ni);
    let ellipsis_class = vm
        .new_class("ellipsis", vec![], Default::default())
        .expect("plain class");
    let ell = vm.new_instance(ellipsis_class);
    vm.dict_set_str(vm.builtins, "Ellipsis", ell);
}

// ---------------------------------------------------------------- functions

fn b_print(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    check_keywords(vm, &args, "print", &["sep", "end", "file", "flush"])?;
    // sep and end: None or a str (of a subclass too), as 3.7 checks them.
    let text_arg = |vm: &mut Vm, name: &str, default: &str| -> PyResult<String> {
        match kwarg(&args, name) {
            Some(Value::None) | None => Ok(default.to_string()),
            Some(v) => match vm.str_of(v) {
                Some(s) => Ok(s.to_string()),
                None => {
                    let t = vm.type_name(v);
                    Err(vm.type_error(&format!("{name} must be None or a string, not {t}")))
                }
            },
        }
    };
    let sep = text_arg(vm, "sep", " ")?;
    let end = text_arg(vm, "end", "\n")?;
    let stream = |vm: &Vm, v: Value| match v.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Module { name, .. }) if name == "<stdout>" || name == "<stderr>" => {
            Some(name == "<stderr>")
        }
        _ => None,
    };
    // No file: sys.stdout, which a program may have replaced (redirect_stdout, a StringIO).
    let file = kwarg(&args, "file")
        .filter(|f| *f != Value::None)
        .or_else(|| {
            let sys = vm.modules.get("sys").copied()?;
            vm.dict_get_str(vm.module_dict(sys), "stdout")
        });
    let flush = match kwarg(&args, "flush") {
        Some(f) => vm.truthy(f)?,
        None => false,
    };
    // Another object than sys.stdout or sys.stderr: its write() gets each piece, as
    // CPython's print calls it.
    if let Some(file) = file
        && stream(vm, file).is_none()
    {
        let write = vm.getattr(file, "write")?;
        for (i, v) in args.pos.iter().enumerate() {
            if i > 0 {
                let piece = vm.new_str(sep.clone());
                vm.call(write, Args::new(vec![piece]))?;
            }
            let piece = vm.str(*v)?;
            let piece = vm.new_str(piece);
            vm.call(write, Args::new(vec![piece]))?;
        }
        let piece = vm.new_str(end);
        vm.call(write, Args::new(vec![piece]))?;
        if flush {
            let flush = vm.getattr(file, "flush")?;
            vm.call(flush, Args::default())?;
        }
        return Ok(Value::None);
    }
    let mut text = String::new();
    for (i, v) in args.pos.iter().enumerate() {
        if i > 0 {
            text.push_str(&sep);
        }
        text.push_str(&vm.str(*v)?);
    }
    text.push_str(&end);
    if file.and_then(|f| stream(vm, f)) == Some(true) {
        vm.flush();
        crate::report!("{text}");
    } else {
        use std::io::Write;
        let _ = vm.out.write_all(text.as_bytes());
        if flush {
            vm.flush();
        }
    }
    Ok(Value::None)
}

fn b_input(vm: &mut Vm, _: Option<Value>, _args: Args) -> R {
    vm.flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    Ok(vm.new_str(line.trim_end_matches('\n')))
}

fn b_len(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    if !args.kw.is_empty() {
        return Err(vm.type_error("len() takes no keyword arguments"));
    }
    arity(vm, "len", &args, 1, 1)?;
    length(vm, args.pos[0]).map(|n| Value::Int(n as i64))
}

fn b_repr(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "repr", &args, 1, 1)?;
    vm.text_value(args.pos[0], "__repr__")
}

/// ascii(v): the repr as it is when it is all ASCII (a str subclass stays one), else
/// escaped into a new str.
fn b_ascii(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "ascii", &args, 1, 1)?;
    let shown = vm.text_value(args.pos[0], "__repr__")?;
    let text = vm.str_of(shown).unwrap_or_default();
    if text.is_ascii() {
        return Ok(shown);
    }
    let escaped = crate::pyfmt::ascii_escape(text);
    Ok(vm.new_str(escaped))
}

fn min_max(vm: &mut Vm, args: Args, name: &str, want_less: bool) -> R {
    check_keywords(vm, &args, name, &["key", "default"])?;
    if args.pos.is_empty() {
        return Err(vm.type_error(&format!("{name} expected 1 arguments, got 0")));
    }
    let key = kwarg(&args, "key").filter(|k| *k != Value::None);
    let default = kwarg(&args, "default");
    let items = if args.pos.len() == 1 {
        vm.collect_iterable(args.pos[0])?
    } else {
        args.pos.clone()
    };
    if items.is_empty() {
        return match default {
            Some(d) => Ok(d),
            None => {
                Err(vm.new_exception("ValueError", &format!("{name}() arg is an empty sequence")))
            }
        };
    }
    let mut best = items[0];
    let mut best_key = match key {
        Some(k) => vm.call(k, Args::new(vec![best]))?,
        None => best,
    };
    for &item in &items[1..] {
        let k = match key {
            Some(kf) => vm.call(kf, Args::new(vec![item]))?,
            None => item,
        };
        let better = if want_less {
            vm.rich_compare(0, k, best_key)?
        } else {
            vm.rich_compare(4, k, best_key)?
        };
        if vm.truthy(better)? {
            best = item;
            best_key = k;
        }
    }
    Ok(best)
}

fn b_min(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    min_max(vm, args, "min", true)
}

fn b_max(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    min_max(vm, args, "max", false)
}

fn b_sum(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    check_keywords(vm, &args, "sum", &["start"])?;
    arity(vm, "sum", &args, 1, 2)?;
    let mut total = args
        .pos
        .get(1)
        .copied()
        .or_else(|| kwarg(&args, "start"))
        .unwrap_or(Value::Int(0));
    let start = total.as_obj().map(|r| vm.heap.get(r));
    if matches!(start, Some(Object::Str(_))) {
        return Err(vm.type_error("sum() can't sum strings [use ''.join(seq) instead]"));
    }
    if matches!(start, Some(Object::Bytes(_))) {
        return Err(vm.type_error("sum() can't sum bytes [use b''.join(seq) instead]"));
    }
    let it = vm.get_iter(args.pos[0])?;
    while let Some(v) = vm.iter_next(it)? {
        total = vm.binary_op(crate::bytecode::Opcode::BINARY_ADD, total, v)?;
    }
    Ok(total)
}

fn b_sorted(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "sorted", &args, 1, 1)?;
    check_keywords(vm, &args, "sort", &["key", "reverse"])?;
    let mut items = vm.collect_iterable(args.pos[0])?;
    let key = kwarg(&args, "key").filter(|k| *k != Value::None);
    let reverse = match kwarg(&args, "reverse") {
        Some(r) => vm.truthy(r)?,
        None => false,
    };
    sort_values(vm, &mut items, key, reverse)?;
    Ok(vm.new_list(items))
}

fn b_any(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "any", &args, 1, 1)?;
    let it = vm.get_iter(args.pos[0])?;
    while let Some(v) = vm.iter_next(it)? {
        if vm.truthy(v)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn b_all(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "all", &args, 1, 1)?;
    let it = vm.get_iter(args.pos[0])?;
    while let Some(v) = vm.iter_next(it)? {
        if !vm.truthy(v)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn classes_of(vm: &mut Vm, spec: Value, fname: &str) -> PyResult<Vec<ObjRef>> {
    match spec.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Class(_)) => Ok(vec![spec.as_obj().expect("checked")]),
        Some(Object::Tuple(items)) => {
            let items = items.clone();
            let mut out = Vec::new();
            for i in items {
                out.extend(classes_of(vm, i, fname)?);
            }
            Ok(out)
        }
        _ => Err(vm.type_error(&format!("{fname}() arg 2 must be a type or tuple of types"))),
    }
}

/// The metaclass method `name` of class `c` (`__instancecheck__`, `__subclasscheck__`),
/// when its metaclass is written in Python and defines it (abc.ABCMeta does).
fn metaclass_hook(vm: &Vm, c: ObjRef, name: &str) -> Option<Value> {
    let Object::Class(k) = vm.heap.get(c) else {
        return None;
    };
    vm.class_lookup(k.metaclass?, name)
}

/// The `name` hook (`__instancecheck__`, `__subclasscheck__`) of an object that is not a
/// class or tuple, as isinstance's second argument (typing.List is one).
fn object_hook(vm: &Vm, spec: Value, name: &str) -> Option<Value> {
    match spec.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Instance(inst)) => vm.class_lookup(inst.class, name),
        _ => None,
    }
}

fn b_isinstance(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "isinstance", &args, 2, 2)?;
    let v = args.pos[0];
    if let Some(hook) = object_hook(vm, args.pos[1], "__instancecheck__") {
        let r = vm.call(hook, Args::new(vec![args.pos[1], v]))?;
        return Ok(Value::Bool(vm.truthy(r)?));
    }
    for c in classes_of(vm, args.pos[1], "isinstance")? {
        let found = if vm.type_of(v) == c {
            true
        } else if let Some(hook) = metaclass_hook(vm, c, "__instancecheck__") {
            let r = vm.call(hook, Args::new(vec![Value::Obj(c), v]))?;
            vm.truthy(r)?
        } else {
            vm.isinstance(v, c)
        };
        if found {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn b_issubclass(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "issubclass", &args, 2, 2)?;
    let Some(c) = args.pos[0]
        .as_obj()
        .filter(|r| matches!(vm.heap.get(*r), Object::Class(_)))
    else {
        return Err(vm.type_error("issubclass() arg 1 must be a class"));
    };
    if let Some(hook) = object_hook(vm, args.pos[1], "__subclasscheck__") {
        let r = vm.call(hook, Args::new(vec![args.pos[1], Value::Obj(c)]))?;
        return Ok(Value::Bool(vm.truthy(r)?));
    }
    for k in classes_of(vm, args.pos[1], "issubclass")? {
        let found = if let Some(hook) = metaclass_hook(vm, k, "__subclasscheck__") {
            let r = vm.call(hook, Args::new(vec![Value::Obj(k), Value::Obj(c)]))?;
            vm.truthy(r)?
        } else {
            vm.is_subclass(c, k)
        };
        if found {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn b_id(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "id", &args, 1, 1)?;
    Ok(Value::Int(match args.pos[0] {
        Value::Obj(r) => 0x7f00_0010_0000i64 + i64::from(r.0) * 0x30,
        Value::None => 0x7f00_0000_1000,
        Value::Bool(b) => 0x7f00_0000_2000 + i64::from(b) * 0x20,
        Value::Int(i) => 0x7f00_0000_3000 + i.wrapping_mul(0x20),
        Value::Float(f) => f.to_bits() as i64,
    }))
}

fn b_hash(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "hash", &args, 1, 1)?;
    vm.hash_value(args.pos[0])
}

fn b_iter(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "iter", &args, 1, 2)?;
    if args.pos.len() == 2 {
        return Ok(vm.alloc(Object::Iter(Iter::Callable {
            func: args.pos[0],
            sentinel: args.pos[1],
        })));
    }
    vm.get_iter(args.pos[0])
}

fn b_next(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "next", &args, 1, 2)?;
    let it = args.pos[0];
    let is_iter = match it.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Iter(_) | Object::Generator(_)) => true,
        Some(Object::Instance(inst)) => {
            inst.payload.is_some_and(|p| vm.is_native_iter(p))
                || vm.class_lookup(vm.type_of(it), "__next__").is_some()
        }
        _ => false,
    };
    if !is_iter {
        let t = vm.type_name(it);
        return Err(vm.type_error(&format!("'{t}' object is not an iterator")));
    }
    match vm.iter_next(it)? {
        Some(v) => Ok(v),
        None => match args.pos.get(1) {
            Some(d) => Ok(*d),
            None => Err(vm.stop_iteration()),
        },
    }
}

fn attr_name(vm: &mut Vm, v: Value) -> PyResult<String> {
    match vm.str_of(v) {
        Some(s) => Ok(s.to_string()),
        None => {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("attribute name must be string, not '{t}'")))
        }
    }
}

fn b_getattr(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "getattr", &args, 2, 3)?;
    let name = attr_name(vm, args.pos[1])?;
    match vm.getattr(args.pos[0], &name) {
        Ok(v) => Ok(v),
        Err(e) if args.pos.len() == 3 && vm.exception_is(e, "AttributeError") => Ok(args.pos[2]),
        Err(e) => Err(e),
    }
}

fn b_setattr(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "setattr", &args, 3, 3)?;
    let name = attr_name(vm, args.pos[1])?;
    vm.setattr(args.pos[0], &name, args.pos[2])?;
    Ok(Value::None)
}

fn b_hasattr(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "hasattr", &args, 2, 2)?;
    let name = attr_name(vm, args.pos[1])?;
    match vm.getattr(args.pos[0], &name) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(e) if vm.exception_is(e, "AttributeError") => Ok(Value::Bool(false)),
        Err(e) => Err(e),
    }
}

fn b_delattr(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "delattr", &args, 2, 2)?;
    let name = attr_name(vm, args.pos[1])?;
    vm.delattr(args.pos[0], &name)?;
    Ok(Value::None)
}

fn b_callable(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "callable", &args, 1, 1)?;
    Ok(Value::Bool(vm.is_callable(args.pos[0])))
}

impl Vm {
    /// `callable(v)`.
    pub fn is_callable(&self, v: Value) -> bool {
        match v.as_obj().map(|r| self.heap.get(r)) {
            Some(
                Object::Function(_)
                | Object::Native(_)
                | Object::BoundMethod { .. }
                | Object::Class(_),
            ) => true,
            Some(Object::Instance(_)) => self.class_lookup(self.type_of(v), "__call__").is_some(),
            _ => false,
        }
    }
}

fn b_format(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "format", &args, 1, 2)?;
    let spec = match args.pos.get(1) {
        Some(s) => match vm.str_of(*s) {
            Some(text) => text.to_string(),
            None => {
                let t = vm.type_name(*s);
                let message = format!("format() argument 2 must be str, not {t}");
                return Err(vm.type_error(&message));
            }
        },
        None => String::new(),
    };
    let s = vm.format(args.pos[0], &spec)?;
    Ok(vm.new_str(s))
}
