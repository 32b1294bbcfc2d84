//! The eval loop's rarer opcode families, out of `execute` so the dispatch loop stays small:
//! making functions, building containers from parts (`*a`, `**k`, dict displays), f-string
//! pieces, unpacking assignments, `from m import x` and `import *`, the exception a `raise`
//! raises, `with` cleanup, and the async-iteration steps.

use super::frame::Frame;
use super::object::{Args, Dict, ExcField, Function, GenKind, Object};
use super::unwind::{Unwind, WHY_BREAK, WHY_CONTINUE, WHY_RETURN, WHY_SILENCED};
use super::{CallerView, ObjRef, PyResult, Value, Vm};
use crate::bytecode::CodeObject;
use crate::bytecode::Opcode as Op;
use crate::bytecode::code::flags::CO_OPTIMIZED;

impl Vm {
    /// MAKE_FUNCTION: the function object from the code object, qualname and the optional
    /// parts `flags` says are on the stack (closure, annotations, keyword defaults, defaults).
    pub(super) fn make_function(&mut self, f: &mut Frame, flags: u32) -> PyResult<Value> {
        let mut pop = || f.stack.pop().expect("MAKE_FUNCTION's operands");
        let qualname = pop();
        let codev = pop();
        let closure = if flags & 8 != 0 { Some(pop()) } else { None };
        let annotations = if flags & 4 != 0 { pop() } else { Value::None };
        let kwdefaults = if flags & 2 != 0 { Some(pop()) } else { None };
        let defaults = if flags & 1 != 0 { Some(pop()) } else { None };
        let closure = closure.map_or(vec![], |c| self.tuple_items(c));
        let kwdefaults = match kwdefaults {
            Some(d) => self
                .mapping_items(d)?
                .into_iter()
                .map(|(k, v)| (self.str_of(k).unwrap_or_default().to_string(), v))
                .collect(),
            None => vec![],
        };
        let defaults = defaults.map_or(vec![], |d| self.tuple_items(d));
        let Some(Object::Code(c)) = codev.as_obj().map(|r| self.heap.get(r)) else {
            unreachable!("MAKE_FUNCTION always gets a code object")
        };
        let c = c.clone();
        let consts = self.consts_for(&c);
        let func = Function {
            consts,
            code: c,
            globals: f.globals,
            qualname: self.str_of(qualname).unwrap_or_default().to_string(),
            defaults,
            kwdefaults,
            closure: closure.iter().filter_map(|c| c.as_obj()).collect(),
            dict: None,
            overrides: Default::default(),
            annotations,
        };
        Ok(self.alloc(Object::Function(Box::new(func))))
    }

    /// LOAD_DEREF of an empty cell: UnboundLocalError for a cell of this frame, NameError
    /// for a free variable.
    pub(super) fn unbound_cell_error(&mut self, code: &CodeObject, index: usize) -> Value {
        let n = code
            .co_cellvars
            .iter()
            .chain(&code.co_freevars)
            .nth(index)
            .cloned()
            .unwrap_or_default();
        if index < code.co_cellvars.len() {
            self.unbound_local_named(&n)
        } else {
            self.new_exception(
                "NameError",
                &format!("free variable '{n}' referenced before assignment in enclosing scope"),
            )
        }
    }

    /// LOAD_FAST or DELETE_FAST of a local not bound yet.
    pub(super) fn unbound_local_error(&mut self, code: &CodeObject, index: usize) -> Value {
        let n = code.co_varnames[index].clone();
        self.unbound_local_named(&n)
    }

    fn unbound_local_named(&mut self, n: &str) -> Value {
        self.new_exception(
            "UnboundLocalError",
            &format!("local variable '{n}' referenced before assignment"),
        )
    }

    /// How a call's errors name the callable (CPython's PyEval_GetFuncName and
    /// GetFuncDesc): `foo()` for a function, a method or a built-in function, else
    /// `TYPE object` (`type object` for a class).
    pub(super) fn call_label(&self, callable: Value) -> String {
        let mut target = callable;
        if let Some(Object::BoundMethod { func, .. }) = target.as_obj().map(|r| self.heap.get(r)) {
            target = *func;
        }
        match target.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Function(func)) => format!("{}()", func.code.co_name),
            Some(Object::Native(n)) if !n.is_method || n.receiver.is_some() => {
                format!("{}()", n.name)
            }
            _ => format!("{} object", self.type_name(callable)),
        }
    }

    /// `f(*x)`'s `x`, as a list: TypeError naming the callable when `x` is not iterable.
    pub(super) fn star_args(&mut self, callable: Value, posargs: Value) -> PyResult<Vec<Value>> {
        if let Some(Object::List(items) | Object::Tuple(items)) =
            posargs.as_obj().map(|r| self.heap.get(r))
        {
            return Ok(items.clone());
        }
        let it = match self.get_iter(posargs) {
            Ok(it) => it,
            // An __iter__ of the program's that raised: its error, as it is.
            Err(e)
                if self
                    .class_lookup(self.type_of(posargs), "__iter__")
                    .is_some() =>
            {
                return Err(e);
            }
            Err(_) => {
                let (label, t) = (self.call_label(callable), self.type_name(posargs));
                return Err(self.type_error(&format!(
                    "{label} argument after * must be an iterable, not {t}"
                )));
            }
        };
        let mut items = Vec::new();
        while let Some(x) = self.iter_next(it)? {
            let value_size = std::mem::size_of::<Value>() as u64;
            self.check_growth(items.len(), items.capacity(), value_size)?;
            items.push(x);
        }
        Ok(items)
    }

    /// `f(**m)`'s `m`, as pairs: TypeError naming the callable when `m` is not a mapping.
    pub(super) fn star_star_args(
        &mut self,
        callable: Value,
        mapping: Value,
    ) -> PyResult<Vec<(Value, Value)>> {
        let is_dict = matches!(
            mapping.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Dict(_))
        );
        if !is_dict && self.getattr(mapping, "keys").is_err() {
            let (label, t) = (self.call_label(callable), self.type_name(mapping));
            return Err(self.type_error(&format!(
                "{label} argument after ** must be a mapping, not {t}"
            )));
        }
        self.mapping_items(mapping)
    }

    /// CALL_FUNCTION_EX's arguments: the positional iterable and the optional mapping.
    pub(super) fn ex_call_args(
        &mut self,
        callable: Value,
        posargs: Value,
        kwargs: Option<Value>,
    ) -> PyResult<Args> {
        let pos = self.star_args(callable, posargs)?;
        let mut kw = Vec::new();
        if let Some(kwargs) = kwargs {
            for (key, value) in self.star_star_args(callable, kwargs)? {
                match self.str_of(key) {
                    Some(s) => kw.push((s.to_string(), value)),
                    None => return Err(self.type_error("keywords must be strings")),
                }
            }
        }
        Ok(Args { pos, kw })
    }

    /// GET_YIELD_FROM_ITER: a generator or coroutine as it is (a coroutine only in a
    /// coroutine), anything else through iter().
    pub(super) fn yield_from_iter(&mut self, f: &Frame, v: Value) -> PyResult<Value> {
        let Some(g) = self.as_generator(v) else {
            return self.get_iter(v);
        };
        let is_coroutine =
            matches!(self.heap.get(g), Object::Generator(gn) if gn.kind == GenKind::Coroutine);
        let flags = f.code().co_flags;
        use crate::bytecode::code::flags::{CO_COROUTINE, CO_ITERABLE_COROUTINE};
        if is_coroutine && flags & (CO_COROUTINE | CO_ITERABLE_COROUTINE) == 0 {
            return Err(self.type_error(
                "cannot 'yield from' a coroutine object in a non-coroutine generator",
            ));
        }
        Ok(v)
    }

    /// WITH_CLEANUP_START: calls the `__exit__` below the block's status with the exception
    /// (or three Nones), leaving the status and `__exit__`'s result on the stack.
    /// A context manager's enter and exit methods (`__enter__`/`__exit__`, or the async
    /// pair), exit looked up first and a missing one an AttributeError naming it, as 3.7's
    /// SETUP_WITH does.
    pub(super) fn context_methods(
        &mut self,
        mgr: Value,
        enter_name: &str,
        exit_name: &str,
    ) -> PyResult<(Value, Value)> {
        let Ok(exit) = self.getattr(mgr, exit_name) else {
            return Err(self.new_exception("AttributeError", exit_name));
        };
        let Ok(enter) = self.getattr(mgr, enter_name) else {
            return Err(self.new_exception("AttributeError", enter_name));
        };
        Ok((enter, exit))
    }

    /// END_FINALLY with a `why` status on the stack (a return, break or continue that ran
    /// the finally block, or an exception a with's __exit__ silenced): goes on with it.
    /// `Some(value)` when the frame returns.
    pub(super) fn end_finally_why(&mut self, f: &mut Frame, why: i64) -> Option<Value> {
        let mut pop = || {
            f.stack
                .pop()
                .expect("the compiler's stack depth keeps pops balanced")
        };
        match why {
            WHY_RETURN => {
                let v = pop();
                self.unwind(f, Unwind::Return(v))
            }
            WHY_CONTINUE => {
                let Value::Int(target) = pop() else {
                    unreachable!("continue pushes its target")
                };
                self.unwind(f, Unwind::Continue(target as usize));
                None
            }
            WHY_BREAK => {
                self.unwind(f, Unwind::Break);
                None
            }
            WHY_SILENCED => {
                let block = f
                    .blocks
                    .pop()
                    .expect("a silenced exception's handler block");
                self.unwind_except_handler(f, block);
                None
            }
            _ => None,
        }
    }

    pub(super) fn with_cleanup_start(&mut self, f: &mut Frame) -> PyResult<()> {
        let pop = |f: &mut Frame| f.stack.pop().expect("WITH_CLEANUP_START's operands");
        let exc = *f.stack.last().expect("WITH_CLEANUP_START's operands");
        let (exit, args) = match exc {
            Value::None => {
                pop(f);
                let exit = pop(f);
                f.stack.push(exc);
                (exit, vec![Value::None; 3])
            }
            Value::Int(why) => {
                pop(f);
                let exit = if why == WHY_RETURN || why == WHY_CONTINUE {
                    let retval = pop(f);
                    let exit = pop(f);
                    f.stack.push(retval);
                    exit
                } else {
                    pop(f)
                };
                f.stack.push(exc);
                (exit, vec![Value::None; 3])
            }
            _ => {
                // [exit, tb2, exc2, tp2, tb, val, exc] -> [tb2, exc2, tp2, None, tb, val, exc]
                let n = f.stack.len();
                let exit = f.stack.remove(n - 7);
                f.stack.insert(n - 4, Value::None);
                if let Some(b) = f.blocks.last_mut() {
                    b.level -= 1;
                }
                let val = f.stack[n - 2];
                (exit, vec![exc, val, Value::None])
            }
        };
        let res = self.call(exit, Args::new(args))?;
        let exc_now = if exc == Value::None || matches!(exc, Value::Int(_)) {
            Value::None
        } else {
            exc
        };
        f.stack.push(exc_now);
        f.stack.push(res);
        Ok(())
    }

    /// RAISE_VARARGS: the exception to raise: the one being handled (bare `raise`), an
    /// instance made from a class, with `from`'s cause attached.
    pub(super) fn exception_to_raise(&mut self, f: &mut Frame, argc: u32) -> PyResult<Value> {
        let mut pop = || f.stack.pop().expect("RAISE_VARARGS's operands");
        Ok(match argc {
            0 => {
                if self.handled == Value::None {
                    self.new_exception("RuntimeError", "No active exception to reraise")
                } else {
                    self.handled
                }
            }
            1 => {
                let e = pop();
                self.make_exception(e)?
            }
            _ => {
                let cause = pop();
                let e = pop();
                let e = self.make_exception(e)?;
                let cause = if cause == Value::None {
                    cause
                } else {
                    self.make_exception(cause)?
                };
                self.set_exception_field(e, ExcField::Cause, cause);
                self.set_exception_field(e, ExcField::SuppressContext, Value::Bool(true));
                e
            }
        })
    }

    /// The BUILD_* opcodes that take their parts from the stack and may fail: `*a` in
    /// tuple, list and set displays and calls, and dict displays (`**k` included).
    pub(super) fn build_from_parts(&mut self, f: &mut Frame, op: Op, n: usize) -> PyResult<Value> {
        match op {
            Op::BUILD_MAP => {
                let items = f.stack.split_off(f.stack.len() - 2 * n);
                let mut d = Dict::default();
                for pair in items.chunks(2) {
                    let k = self.key_in_dict(&d, pair[0])?;
                    d.entry(k)
                        .and_modify(|slot| slot.1 = pair[1])
                        .or_insert((pair[0], pair[1]));
                }
                Ok(self.alloc(Object::Dict(d)))
            }
            Op::BUILD_CONST_KEY_MAP => {
                let keys = f.stack.pop().expect("BUILD_CONST_KEY_MAP's keys");
                let keys = self.tuple_items(keys);
                let values = f.stack.split_off(f.stack.len() - n);
                let mut d = Dict::default();
                for (k, v) in keys.into_iter().zip(values) {
                    let hk = self.key_in_dict(&d, k)?;
                    d.entry(hk).and_modify(|slot| slot.1 = v).or_insert((k, v));
                }
                Ok(self.alloc(Object::Dict(d)))
            }
            Op::BUILD_MAP_UNPACK | Op::BUILD_MAP_UNPACK_WITH_CALL => {
                // A call's maps lie above the callable and its positional tuple.
                let callable =
                    (op == Op::BUILD_MAP_UNPACK_WITH_CALL).then(|| f.stack[f.stack.len() - n - 2]);
                let parts = f.stack.split_off(f.stack.len() - n);
                let mut d = Dict::default();
                for p in parts {
                    let pairs = match callable {
                        Some(c) => self.star_star_args(c, p)?,
                        None => self.mapping_items(p)?,
                    };
                    for (k, v) in pairs {
                        let hk = self.key_in_dict(&d, k)?;
                        if let Some(c) = callable
                            && d.contains_key(&hk)
                        {
                            let ks = self.str_of(k).unwrap_or_default().to_string();
                            let label = self.call_label(c);
                            return Err(self.type_error(&format!(
                                "{label} got multiple values for keyword argument '{ks}'"
                            )));
                        }
                        d.insert(hk, (k, v));
                    }
                }
                Ok(self.alloc(Object::Dict(d)))
            }
            _ => {
                // A call's parts lie above the callable.
                let callable = (op == Op::BUILD_TUPLE_UNPACK_WITH_CALL)
                    .then(|| f.stack[f.stack.len() - n - 1]);
                let parts = f.stack.split_off(f.stack.len() - n);
                let mut items = Vec::new();
                for p in parts {
                    match callable {
                        Some(c) => items.extend(self.star_args(c, p)?),
                        None => items.extend(self.collect_iterable(p)?),
                    }
                }
                match op {
                    Op::BUILD_LIST_UNPACK => Ok(self.new_list(items)),
                    Op::BUILD_SET_UNPACK => self.new_set(items),
                    _ => Ok(self.new_tuple(items)),
                }
            }
        }
    }

    /// BUILD_STRING: an f-string's pieces joined.
    pub(super) fn build_string(&mut self, parts: &[Value]) -> Value {
        let mut s = String::new();
        for p in parts {
            s.push_str(self.str_of(*p).unwrap_or_default());
        }
        self.new_str(s)
    }

    /// FORMAT_VALUE: `{v!s}`, `{v!r}`, `{v!a}` and the format spec.
    pub(super) fn format_value(
        &mut self,
        v: Value,
        conversion: u32,
        spec: Option<Value>,
    ) -> PyResult<Value> {
        let converted = match conversion {
            1 => {
                let s = self.str(v)?;
                self.new_str(s)
            }
            2 => {
                let s = self.repr(v)?;
                self.new_str(s)
            }
            3 => {
                let s = self.repr(v)?;
                self.new_str(crate::pyfmt::ascii_escape(&s))
            }
            _ => v,
        };
        let spec = spec
            .and_then(|s| self.str_of(s).map(str::to_string))
            .unwrap_or_default();
        let s = self.format(converted, &spec)?;
        Ok(self.new_str(s))
    }

    /// UNPACK_SEQUENCE and UNPACK_EX: the values in the order they go on the stack (the
    /// first target's on top), with 3.7's messages for the wrong number.
    pub(super) fn unpack_for_store(&mut self, v: Value, op: Op, arg: u32) -> PyResult<Vec<Value>> {
        let items = self.unpack_iterable(v)?;
        if op == Op::UNPACK_SEQUENCE {
            let n = arg as usize;
            if items.len() != n {
                let msg = if items.len() > n {
                    format!("too many values to unpack (expected {n})")
                } else {
                    format!(
                        "not enough values to unpack (expected {n}, got {})",
                        items.len()
                    )
                };
                return Err(self.new_exception("ValueError", &msg));
            }
            return Ok(items.into_iter().rev().collect());
        }
        let (before, after) = ((arg & 0xff) as usize, (arg >> 8) as usize);
        if items.len() < before + after {
            let msg = format!(
                "not enough values to unpack (expected at least {}, got {})",
                before + after,
                items.len()
            );
            return Err(self.new_exception("ValueError", &msg));
        }
        let middle = self.new_list(items[before..items.len() - after].to_vec());
        let mut out = Vec::with_capacity(before + after + 1);
        out.extend(items[items.len() - after..].iter().rev());
        out.push(middle);
        out.extend(items[..before].iter().rev());
        Ok(out)
    }

    /// IMPORT_FROM: `from m import n`, with 3.7's ImportError; `n` may be a module of
    /// package `m` not imported yet.
    /// The absolute name a relative import (`from .a import b`, `level` dots) means in the
    /// module whose globals are `globals`, as importlib's _resolve_name.
    pub fn absolute_import_name(
        &mut self,
        name: &str,
        level: Value,
        globals: ObjRef,
    ) -> PyResult<String> {
        let level = match level {
            Value::Int(n) if n > 0 => n as usize,
            _ => return Ok(name.to_string()),
        };
        let package = match self.dict_get_str(globals, "__package__") {
            Some(p) if self.str_of(p).is_some() => self.str_of(p).unwrap_or("").to_string(),
            _ => {
                let module = self.dict_get_str(globals, "__name__");
                let module = module
                    .and_then(|m| self.str_of(m))
                    .unwrap_or("")
                    .to_string();
                if self.dict_get_str(globals, "__path__").is_some() {
                    module
                } else {
                    module.rsplit_once('.').map_or("", |(p, _)| p).to_string()
                }
            }
        };
        if package.is_empty() {
            return Err(self.new_exception(
                "ImportError",
                "attempted relative import with no known parent package",
            ));
        }
        let bits: Vec<&str> = package.rsplitn(level, '.').collect();
        if bits.len() < level {
            return Err(self.new_exception(
                "ValueError",
                "attempted relative import beyond top-level package",
            ));
        }
        let base = bits[bits.len() - 1];
        Ok(if name.is_empty() {
            base.to_string()
        } else {
            format!("{base}.{name}")
        })
    }

    pub(super) fn import_from(&mut self, m: Value, n: &str) -> PyResult<Value> {
        match self.getattr(m, n) {
            Ok(v) => Ok(v),
            Err(_) => {
                let mname = match m.as_obj().map(|r| self.heap.get(r)) {
                    Some(Object::Module { name, .. }) => name.clone(),
                    _ => "?".into(),
                };
                if let Some(package) = m.as_obj()
                    && let Some(sub) = self.submodule(package, &format!("{mname}.{n}"), n)?
                {
                    return Ok(Value::Obj(sub));
                }
                // Where the module came from: its file, if it has one.
                let file = match m.as_obj().map(|r| self.heap.get(r)) {
                    Some(Object::Module { dict, .. }) => self.dict_get_str(*dict, "__file__"),
                    _ => None,
                };
                let location = file
                    .and_then(|f| self.str_of(f))
                    .unwrap_or("unknown location")
                    .to_string();
                Err(self.new_exception(
                    "ImportError",
                    &format!("cannot import name '{n}' from '{mname}' ({location})"),
                ))
            }
        }
    }

    /// IMPORT_STAR: the module's public names into namespace `ns`.
    pub(super) fn import_star(&mut self, m: Value, ns: ObjRef) {
        let Some(Object::Module { dict, .. }) = m.as_obj().map(|r| self.heap.get(r)) else {
            return;
        };
        let items: Vec<(Value, Value)> = match self.heap.get(*dict) {
            Object::Dict(d) => d.values().copied().collect(),
            _ => vec![],
        };
        for (k, v) in items {
            let ks = self.str_of(k).unwrap_or_default().to_string();
            if !ks.starts_with('_') {
                self.dict_set_str(ns, &ks, v);
            }
        }
    }

    /// GET_AITER (`__aiter__()`) and GET_ANEXT (the awaitable of `__anext__()`), with
    /// 3.7's messages for an object that cannot be iterated so.
    pub(super) fn async_iter_step(&mut self, op: Op, v: Value) -> PyResult<Value> {
        let t = self.type_name(v);
        if op == Op::GET_AITER {
            let Some(method) = self.getattr_opt(v, "__aiter__")? else {
                return Err(self.type_error(&format!(
                    "'async for' requires an object with __aiter__ method, got {t}"
                )));
            };
            let aiter = self.call(method, Args::default())?;
            if self.getattr_opt(aiter, "__anext__")?.is_none() {
                let t = self.type_name(aiter);
                return Err(self.type_error(&format!(
                    "'async for' received an object from __aiter__ that does not implement __anext__: {t}"
                )));
            }
            return Ok(aiter);
        }
        let Some(method) = self.getattr_opt(v, "__anext__")? else {
            return Err(self.type_error(&format!(
                "'async for' requires an iterator with __anext__ method, got {t}"
            )));
        };
        let next = self.call(method, Args::default())?;
        self.get_awaitable(next).map_err(|e| {
            if self.exception_is(e, "TypeError") {
                let t = self.type_name(next);
                self.type_error(&format!(
                    "'async for' received an invalid object from __anext__: {t}"
                ))
            } else {
                e
            }
        })
    }

    pub(super) fn dict_del_name(&mut self, dict: ObjRef, n: &str) -> PyResult<()> {
        if self.dict_del_str(dict, n) {
            Ok(())
        } else {
            Err(self.new_exception("NameError", &format!("name '{n}' is not defined")))
        }
    }

    /// The items an unpacking assignment takes apart, with its own error message.
    fn unpack_iterable(&mut self, v: Value) -> PyResult<Vec<Value>> {
        match self.collect_iterable(v) {
            Err(e) if self.exception_is(e, "TypeError") && self.get_iter(v).is_err() => {
                let t = self.type_name(v);
                Err(self.type_error(&format!("cannot unpack non-iterable {t} object")))
            }
            other => other,
        }
    }

    /// What frame-reading builtins (globals(), locals(), vars(), super()) need from the
    /// frame that calls them: its namespaces, `__class__` and first argument.
    #[cold]
    /// PRINT_EXPR (code compiled in 'single' mode): what the default sys.displayhook does,
    /// the value's repr printed (through the builtin print, so to sys.stdout) unless it is
    /// None, and kept as `builtins._`.
    pub(super) fn display_value(&mut self, v: Value) -> PyResult<()> {
        if v == Value::None {
            return Ok(());
        }
        self.dict_set_str(self.builtins, "_", Value::None);
        let text = self.repr(v)?;
        let text = self.new_str(text);
        if let Some(print) = self.dict_get_str(self.builtins, "print") {
            self.call(print, Args::new(vec![text]))?;
        }
        self.dict_set_str(self.builtins, "_", v);
        Ok(())
    }

    /// A function frame's locals as a dict (CPython's PyFrame_FastToLocals): one dict kept
    /// with the frame, brought up to date with its fast locals, cells and free variables
    /// (names no longer bound leave it; names exec() added stay).
    fn fast_to_locals(&mut self, f: &mut Frame) -> ObjRef {
        let dict = match f.locals {
            Some(d) => d,
            None => {
                let d = self.heap.alloc(Object::Dict(Dict::default()));
                f.locals = Some(d);
                d
            }
        };
        let code = f.code().clone();
        let mut pairs: Vec<(&str, Option<Value>)> = code
            .co_varnames
            .iter()
            .zip(&f.fast)
            .map(|(n, v)| (n.as_str(), *v))
            .collect();
        for (n, cell) in code
            .co_cellvars
            .iter()
            .chain(&code.co_freevars)
            .zip(&f.cells)
        {
            let v = match self.heap.get(*cell) {
                Object::Cell(v) => *v,
                _ => None,
            };
            pairs.push((n.as_str(), v));
        }
        for (n, v) in pairs {
            match v {
                Some(v) => {
                    self.dict_set_str(dict, n, v);
                }
                None => {
                    if self.dict_get_str(dict, n).is_some() {
                        self.dict_del_str(dict, n);
                    }
                }
            }
        }
        dict
    }

    pub(super) fn record_caller(&mut self, f: &mut Frame, with_locals: bool) {
        let class = f
            .code()
            .co_freevars
            .iter()
            .position(|n| n == "__class__")
            .and_then(|i| f.cells.get(f.code().co_cellvars.len() + i))
            .and_then(|cell| match self.heap.get(*cell) {
                Object::Cell(Some(Value::Obj(c))) => Some(*c),
                _ => None,
            });
        let first_arg = if f.code().co_argcount > 0 {
            f.fast.first().copied().flatten().or_else(|| {
                // A first argument that is also a cell lives in its cell.
                let name = f.code().co_varnames.first()?;
                let i = f.code().co_cellvars.iter().position(|c| c == name)?;
                match self.heap.get(f.cells[i]) {
                    Object::Cell(v) => *v,
                    _ => None,
                }
            })
        } else {
            None
        };
        let locals = if !with_locals {
            Value::None
        } else if f.code().co_flags & CO_OPTIMIZED == 0 {
            Value::Obj(f.locals.unwrap_or(f.globals))
        } else {
            Value::Obj(self.fast_to_locals(f))
        };
        self.caller = Some(CallerView {
            globals: f.globals,
            locals,
            class,
            first_arg,
        });
    }
}
