//! Calling objects: preparing a call (natives run at once; Python functions, bound methods
//! and generators' code become frames for the eval loop), instantiating classes (`__new__`,
//! `__init__`, metaclasses, built-in payloads), exceptions made from classes, and awaitables.

use crate::vm::frame::Resume;
use crate::vm::object::{Args, GenKind, Object};
use crate::vm::{Call, ObjRef, PyResult, Value, Vm};

impl Vm {
    /// Prepares a call: natives run now; Python functions give a frame for the eval loop.
    pub fn prepare_call(&mut self, callable: Value, mut args: Args) -> PyResult<Call> {
        let Some(r) = callable.as_obj() else {
            let t = self.type_name(callable);
            return Err(self.type_error(&format!("'{t}' object is not callable")));
        };
        match self.heap.get(r) {
            Object::Function(_) => {
                // Binding reads the function in place: it is taken out of its slot for the
                // duration (binding runs no Python code) rather than cloned on every call.
                let Object::Function(func) =
                    std::mem::replace(self.heap.get_mut(r), Object::Tuple(Vec::new()))
                else {
                    unreachable!("matched a function")
                };
                let bound = self.bind_function(&func, args);
                let is_generator = func.code.co_flags
                    & (crate::bytecode::code::flags::CO_GENERATOR
                        | crate::bytecode::code::flags::CO_COROUTINE
                        | crate::bytecode::code::flags::CO_ASYNC_GENERATOR)
                    != 0;
                let qualname = if is_generator {
                    Some(compact_str::CompactString::new(&func.qualname))
                } else {
                    None
                };
                *self.heap.get_mut(r) = Object::Function(func);
                let frame = bound?;
                match qualname {
                    Some(q) => Ok(Call::Done(self.make_generator(frame, q))),
                    None => Ok(Call::Frame(frame)),
                }
            }
            Object::Native(n) => {
                let (func, mut receiver, name, arity) = (n.func, n.receiver, n.name, n.arity);
                let owner = n.owner;
                if n.is_method && receiver.is_none() {
                    if args.pos.is_empty() {
                        let message = match owner {
                            Some(owner) => format!(
                                "descriptor '{name}' of '{}' object needs an argument",
                                owner.name()
                            ),
                            None => format!("unbound method {name}() needs an argument"),
                        };
                        return Err(self.type_error(&message));
                    }
                    let first = args.pos.remove(0);
                    receiver = Some(match owner {
                        // `list.append(x, 1)`: x must be a list (or extend one).
                        Some(owner) => self.receiver_of(owner, name, first)?,
                        None => first,
                    });
                }
                let refused = if args.kw.is_empty() {
                    None
                } else {
                    arity.keywords_refused(name)
                };
                if let Some(message) = refused.or_else(|| arity.mismatch(name, args.pos.len())) {
                    return Err(self.type_error(&message));
                }
                Ok(Call::Done(func(self, receiver, args)?))
            }
            Object::WeakRef { target, .. } => {
                if !args.pos.is_empty() || !args.kw.is_empty() {
                    let n = args.pos.len() + args.kw.len();
                    return Err(
                        self.type_error(&format!("weakref() takes no arguments ({n} given)"))
                    );
                }
                Ok(Call::Done(target.map_or(Value::None, Value::Obj)))
            }
            Object::BoundMethod { receiver, func } => {
                let (receiver, func) = (*receiver, *func);
                args.pos.insert(0, receiver);
                self.prepare_call(func, args)
            }
            Object::Class(c) => {
                // A metaclass's __call__ written in Python takes over the call (a singleton
                // metaclass); `super().__call__(...)` in it comes back to `instantiate`.
                if let Some(meta) = c.metaclass
                    && let Some(call) = self.class_lookup(meta, "__call__")
                    && matches!(
                        call.as_obj().map(|x| self.heap.get(x)),
                        Some(Object::Function(_))
                    )
                {
                    args.pos.insert(0, callable);
                    return self.prepare_call(call, args);
                }
                self.instantiate(r, args)
            }
            Object::Instance(_) => match self.class_lookup(self.type_of(callable), "__call__") {
                Some(m) => {
                    args.pos.insert(0, callable);
                    // `__call__` may itself be an instance with a `__call__`: a chain that
                    // can loop, as CPython counts it.
                    self.enter_native_call()?;
                    let call = self.prepare_call(m, args);
                    self.leave_native_call();
                    call
                }
                None => {
                    let t = self.type_name(callable);
                    Err(self.type_error(&format!("'{t}' object is not callable")))
                }
            },
            Object::StaticMethod(f) | Object::ClassMethod(f) => {
                let f = *f;
                self.prepare_call(f, args)
            }
            _ => {
                let t = self.type_name(callable);
                Err(self.type_error(&format!("'{t}' object is not callable")))
            }
        }
    }

    /// `type.__call__`: calling class `r` makes an instance (`__new__`, then `__init__`).
    pub fn instantiate(&mut self, r: ObjRef, mut args: Args) -> PyResult<Call> {
        let Object::Class(c) = self.heap.get(r) else {
            unreachable!("instantiate is given a class")
        };
        let builtin = c.builtin;
        // A built-in type itself (`str(i)`, the common case) needs no lookup.
        let exact = self.types.get(c.name.as_str()) == Some(&r);
        let extends = builtin.filter(|b| !exact && crate::vm::EXTENSIBLE.contains(b));
        if builtin == Some("type") && !exact {
            return self.instantiate_metaclass(r, args).map(Call::Done);
        }
        if builtin.is_some()
            && builtin != Some("BaseException")
            && extends.is_none()
            && (exact || self.class_lookup(r, "__init__").is_none())
        {
            return Ok(Call::Done(crate::objects::constructors::construct(
                self, r, args,
            )?));
        }
        // A __new__ written in Python makes the instance (a singleton may return
        // an old one); __init__ then runs only on an instance of this class.
        let user_new = self.python_new(r);
        let instance = if let Some(new_fn) = user_new {
            let mut new_args = args.clone();
            new_args.pos.insert(0, Value::Obj(r));
            let made = self.call(new_fn, new_args)?;
            if !self.is_subclass(self.type_of(made), r) {
                return Ok(Call::Done(made));
            }
            made
        } else if builtin == Some("BaseException") {
            let pos = args.pos.clone();
            self.instantiate_exception(r, pos)
        } else if let Some(kind) = extends {
            // The built-in value is made first, as the type's __new__ would: from
            // the arguments for an immutable type; empty for a mutable one whose
            // class has an __init__ (which fills it, often through super()).
            let has_init = self.class_lookup(r, "__init__").is_some();
            let value_args = if has_init && matches!(kind, "list" | "dict" | "set" | "bytearray") {
                Args::new(Vec::new())
            } else {
                args.clone()
            };
            let payload = crate::objects::constructors::construct(self, r, value_args)?;
            let instance = self.new_instance(r);
            if let Object::Instance(inst) =
                self.heap.get_mut(instance.as_obj().expect("an instance"))
            {
                inst.payload = Some(payload);
            }
            instance
        } else {
            self.new_instance(r)
        };
        match self.class_lookup(r, "__init__") {
            // A Python __init__, or a module's native function a class took as its
            // __init__ (asyncio's Future: it gets the instance first).
            Some(init)
                if matches!(
                    init.as_obj().map(|x| self.heap.get(x)),
                    Some(Object::Function(_))
                ) || matches!(
                    init.as_obj().map(|x| self.heap.get(x)),
                    Some(Object::Native(n)) if n.receiver.is_none() && n.owner.is_none() && !n.is_method
                ) =>
            {
                args.pos.insert(0, instance);
                match self.prepare_call(init, args)? {
                    Call::Done(_) => Ok(Call::Done(instance)),
                    Call::Frame(mut frame) => {
                        frame.resume = Resume::Replace(instance);
                        Ok(Call::Frame(frame))
                    }
                }
            }
            _ => {
                if builtin.is_none()
                    && user_new.is_none()
                    && (!args.pos.is_empty() || !args.kw.is_empty())
                {
                    let name = self.class_name(r);
                    return Err(self.type_error(&format!("{name}() takes no arguments")));
                }
                Ok(Call::Done(instance))
            }
        }
    }

    /// A `__new__` written in Python on `class` (or a base): the function to call.
    fn python_new(&self, class: ObjRef) -> Option<Value> {
        let f = self.class_lookup(class, "__new__")?;
        match self.heap.get(f.as_obj()?) {
            Object::Function(_) => Some(f),
            Object::StaticMethod(inner) => Some(*inner),
            _ => None,
        }
    }

    /// Calling metaclass `meta` (a subclass of type) makes a class: its own `__new__` (which
    /// calls type.__new__) or type.__new__, then its own `__init__`.
    fn instantiate_metaclass(&mut self, meta: ObjRef, mut args: Args) -> PyResult<Value> {
        let user_new = self.python_new(meta);
        let made = match user_new {
            Some(new_fn) => {
                let mut new_args = args.clone();
                new_args.pos.insert(0, Value::Obj(meta));
                self.call(new_fn, new_args)?
            }
            None => Value::Obj(self.class_from_args(Some(meta), &args.pos)?),
        };
        if self.is_subclass(self.type_of(made), meta)
            && let Some(init) = self.class_lookup(meta, "__init__")
            && matches!(
                init.as_obj().map(|x| self.heap.get(x)),
                Some(Object::Function(_))
            )
        {
            args.pos.insert(0, made);
            self.call(init, args)?;
        }
        Ok(made)
    }

    /// `raise X`: X may be an exception class (instantiated) or instance.
    pub fn make_exception(&mut self, v: Value) -> PyResult<Value> {
        let base = self.types["BaseException"];
        match v.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Class(_)) if self.is_subclass(v.as_obj().expect("checked"), base) => {
                self.call(v, Args::default())
            }
            Some(Object::Instance(_)) if self.isinstance(v, base) => Ok(v),
            _ => Err(self.type_error("exceptions must derive from BaseException")),
        }
    }

    pub fn get_awaitable(&mut self, v: Value) -> PyResult<Value> {
        if let Some(g) = self.as_generator(v)
            && let Object::Generator(gn) = self.heap.get(g)
            && (gn.kind == GenKind::Coroutine
                || gn.code.co_flags & crate::bytecode::code::flags::CO_ITERABLE_COROUTINE != 0)
        {
            return Ok(v);
        }
        if self.as_async_gen_step(v).is_some() {
            return Ok(v);
        }
        let Some(r) = self.call_special(v, "__await__", vec![])? else {
            let t = self.type_name(v);
            return Err(self.type_error(&format!("object {t} can't be used in 'await' expression")));
        };
        // As 3.7's _PyCoro_GetAwaitableIter: __await__ must give an iterator, and not a
        // coroutine.
        if matches!(r.as_obj().map(|o| self.heap.get(o)), Some(Object::Generator(g)) if g.kind == GenKind::Coroutine)
        {
            return Err(self.type_error("__await__() returned a coroutine"));
        }
        if !self.is_iterator(r) {
            let t = self.type_name(r);
            return Err(
                self.type_error(&format!("__await__() returned non-iterator of type '{t}'"))
            );
        }
        Ok(r)
    }
}
