//! Text: repr() and str() of every object (with `[...]` for self-references and stable
//! stand-in addresses), format() and `%`.

use crate::pyfmt;
use crate::vm::object::{Args, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

impl Vm {
    pub fn repr(&mut self, v: Value) -> PyResult<String> {
        if let Value::Obj(r) = v {
            // Only containers guard against containing themselves (CPython's
            // Py_ReprEnter); a plain instance's __repr__ that recurses hits the limit.
            let payload = match self.heap.get(r) {
                Object::Instance(i) => i.payload.and_then(Value::as_obj),
                _ => Some(r),
            };
            let placeholder = payload.and_then(|p| match self.heap.get(p) {
                Object::List(_) | Object::Deque(_) => Some("[...]"),
                Object::Dict(_) => Some("{...}"),
                Object::Tuple(_) => Some("(...)"),
                Object::Set(_) | Object::FrozenSet(_) => Some("(...)"),
                _ => None,
            });
            if let Some(placeholder) = placeholder {
                if self.repr_stack.contains(&r) {
                    // A set's placeholder names its type: `set(...)`, `S(...)`.
                    let is_set = payload.is_some_and(|p| {
                        matches!(self.heap.get(p), Object::Set(_) | Object::FrozenSet(_))
                    });
                    let type_name = if is_set { self.type_name(v) } else { "".into() };
                    return Ok(format!("{type_name}{placeholder}"));
                }
                self.repr_stack.push(r);
                let result = self.repr_inner(v);
                self.repr_stack.pop();
                return result;
            }
        }
        self.repr_inner(v)
    }

    fn repr_inner(&mut self, v: Value) -> PyResult<String> {
        Ok(match v {
            Value::None => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => pyfmt::float_repr(f),
            Value::Obj(r) => {
                if self.native_depth > 400 {
                    return Err(self.new_exception(
                        "RecursionError",
                        "maximum recursion depth exceeded while getting the repr of an object",
                    ));
                }
                match self.heap.get(r) {
                    Object::Str(s) => pyfmt::str_repr(s),
                    Object::Bytes(b) => pyfmt::bytes_repr(b),
                    Object::ByteArray(b) => format!("bytearray({})", pyfmt::bytes_repr(b)),
                    Object::Complex(re, im) => crate::pycomplex::repr((*re, *im)),
                    Object::Array(_) => return self.array_repr(r),
                    Object::MemoryView(m) => {
                        let state = if m.released { "released " } else { "" };
                        format!("<{state}memory at {}>", self.address(r))
                    }
                    Object::BigInt(b) => b.to_string(),
                    Object::Tuple(items) => {
                        let items = items.clone();
                        let parts = self.reprs(&items)?;
                        if parts.len() == 1 {
                            format!("({},)", parts[0])
                        } else {
                            format!("({})", parts.join(", "))
                        }
                    }
                    Object::List(items) => {
                        let items = items.clone();
                        format!("[{}]", self.reprs(&items)?.join(", "))
                    }
                    Object::Deque(_) => self.deque_repr(r)?,
                    Object::Dict(d) => {
                        let pairs: Vec<(Value, Value)> = d.values().copied().collect();
                        let mut parts = Vec::with_capacity(pairs.len());
                        for (k, val) in pairs {
                            parts.push(format!("{}: {}", self.repr(k)?, self.repr(val)?));
                        }
                        format!("{{{}}}", parts.join(", "))
                    }
                    Object::Set(d) | Object::FrozenSet(d) => {
                        let frozen = matches!(self.heap.get(r), Object::FrozenSet(_));
                        let _ = d;
                        let keys: Vec<Value> = self.set_items(r);
                        let inner = self.reprs(&keys)?.join(", ");
                        match (frozen, keys.is_empty()) {
                            (false, true) => "set()".into(),
                            (false, false) => format!("{{{inner}}}"),
                            (true, true) => "frozenset()".into(),
                            (true, false) => format!("frozenset({{{inner}}})"),
                        }
                    }
                    Object::Super { class, receiver } => {
                        // `<super: <class 'A'>, <A object>>`: the receiver's type (the
                        // receiver itself when it is a class), or NULL.
                        let (class, receiver) = (*class, *receiver);
                        let shown = match receiver {
                            Value::None => "NULL".to_string(),
                            v => {
                                let is_class = v
                                    .as_obj()
                                    .is_some_and(|o| matches!(self.heap.get(o), Object::Class(_)));
                                let t = if is_class {
                                    v.as_obj().expect("a class")
                                } else {
                                    self.type_of(v)
                                };
                                format!("<{} object>", self.class_name(t))
                            }
                        };
                        format!("<super: <class '{}'>, {shown}>", self.class_name(class))
                    }
                    Object::Range { start, stop, step } => {
                        if *step == 1 {
                            format!("range({start}, {stop})")
                        } else {
                            format!("range({start}, {stop}, {step})")
                        }
                    }
                    Object::Slice { start, stop, step } => {
                        let (a, b, c) = (*start, *stop, *step);
                        format!(
                            "slice({}, {}, {})",
                            self.repr(a)?,
                            self.repr(b)?,
                            self.repr(c)?
                        )
                    }
                    Object::Function(f) => {
                        format!("<function {} at {}>", f.qualname, self.address(r))
                    }
                    Object::Native(n) => match n.receiver {
                        Some(recv) => {
                            let t = self.type_name(recv);
                            format!(
                                "<built-in method {} of {t} object at {}>",
                                n.name,
                                self.address(r)
                            )
                        }
                        None => format!("<built-in function {}>", n.name),
                    },
                    Object::BoundMethod { receiver, func } => {
                        let (receiver, func) = (*receiver, *func);
                        let fname = match func.as_obj().map(|x| self.heap.get(x)) {
                            Some(Object::Function(f)) => f.qualname.clone(),
                            _ => "?".into(),
                        };
                        let rr = self.repr(receiver)?;
                        format!("<bound method {fname} of {rr}>")
                    }
                    Object::Class(c)
                        if c.metaclass.is_some() && {
                            let meta = c.metaclass.expect("checked");
                            self.class_lookup(meta, "__repr__").is_some()
                        } =>
                    {
                        let s = self
                            .call_special(v, "__repr__", vec![])?
                            .expect("looked up");
                        return self.returned_str(s, "__repr__");
                    }
                    Object::Class(c) => {
                        let builtin = c.builtin.is_some() && c.builtin != Some("BaseException")
                            || self.types.get(c.name.as_str()) == Some(&r);
                        if builtin && !c.dict.contains_key("__module__") {
                            format!("<class '{}'>", c.name)
                        } else {
                            format!("<class '{}'>", self.qualified_name(r))
                        }
                    }
                    Object::Instance(_) => {
                        if let Some(s) = self.call_special(v, "__repr__", vec![])? {
                            return self.returned_str(s, "__repr__");
                        }
                        return self.instance_repr(v);
                    }
                    Object::Generator(g) => {
                        let what = g.kind.name();
                        format!("<{what} object {} at {}>", g.qualname, self.address(r))
                    }
                    Object::AsyncGenStep(step) => {
                        let what = match step.kind {
                            crate::vm::object::StepKind::Send(_) => "async_generator_asend",
                            _ => "async_generator_athrow",
                        };
                        format!("<{what} object at {}>", self.address(r))
                    }
                    Object::DictView { dict, part } => {
                        let (dict, part) = (*dict, *part);
                        let view = Value::Obj(r);
                        let items = self.collect_iterable(view)?;
                        let _ = dict;
                        let name = match part {
                            crate::vm::object::DictPart::Keys => "dict_keys",
                            crate::vm::object::DictPart::Values => "dict_values",
                            crate::vm::object::DictPart::Items => "dict_items",
                        };
                        format!("{name}([{}])", self.reprs(&items)?.join(", "))
                    }
                    Object::Module { name, dict } => {
                        // A module run from a file (`__main__`) shows where it came from.
                        match self
                            .dict_get_str(*dict, "__file__")
                            .and_then(|f| self.str_of(f))
                        {
                            Some(file) => format!("<module '{name}' from '{file}'>"),
                            // The modules compiled into CPython's interpreter say so.
                            None if matches!(
                                name.as_str(),
                                "builtins"
                                    | "sys"
                                    | "_thread"
                                    | "time"
                                    | "gc"
                                    | "_codecs"
                                    | "_weakref"
                                    | "_warnings"
                                    | "_collections"
                            ) =>
                            {
                                format!("<module '{name}' (built-in)>")
                            }
                            None => format!("<module '{name}'>"),
                        }
                    }
                    Object::WeakRef { target, .. } => {
                        let at = self.address(r);
                        match *target {
                            None => format!("<weakref at {at}; dead>"),
                            Some(t) => {
                                let t_name = self.type_name(Value::Obj(t));
                                let t_at = self.address(t);
                                format!("<weakref at {at}; to '{t_name}' at {t_at}>")
                            }
                        }
                    }
                    Object::Lock {
                        owner,
                        count,
                        reentrant,
                        ..
                    } => {
                        let state = if owner.is_some() {
                            "locked"
                        } else {
                            "unlocked"
                        };
                        let at = self.address(r);
                        if *reentrant {
                            let owner = owner.unwrap_or(0);
                            format!(
                                "<{state} _thread.RLock object owner={owner} count={count} at {at}>"
                            )
                        } else {
                            format!("<{state} _thread.lock object at {at}>")
                        }
                    }
                    Object::Code(c) => c.repr(),
                    _ => {
                        let t = self.type_name(v);
                        format!("<{t} object at {}>", self.address(r))
                    }
                }
            }
        })
    }

    pub(crate) fn reprs(&mut self, items: &[Value]) -> PyResult<Vec<String>> {
        self.native_depth += 1;
        let r = items.iter().map(|v| self.repr(*v)).collect();
        self.native_depth -= 1;
        r
    }

    /// A stable stand-in for an object's address, so output repeats from run to run.
    pub fn address(&self, r: ObjRef) -> String {
        format!("{:#x}", 0x7f00_0010_0000u64 + u64::from(r.0) * 0x30)
    }

    /// `address` for any value: inline values (ints, floats) get one derived from their
    /// bits, as stable from run to run.
    pub fn value_address(&self, v: Value) -> String {
        match v {
            Value::Obj(r) => self.address(r),
            Value::None => "0x7f0000008e60".into(),
            Value::Bool(b) => format!("{:#x}", 0x7f00_0000_9000u64 + u64::from(b) * 0x20),
            Value::Int(i) => format!("{:#x}", 0x7f00_0800_0000u64 + (i as u64 & 0xffff) * 0x20),
            Value::Float(f) => {
                format!("{:#x}", 0x7f00_0900_0000u64 + (f.to_bits() & 0xffff) * 0x20)
            }
        }
    }

    /// repr(v) or str(v) as an object (`method` is `__repr__` or `__str__`): what a Python
    /// `__repr__`/`__str__` returned, as it is (a str subclass stays one, as CPython's
    /// PyObject_Repr and PyObject_Str return it), else a new str of the text.
    pub fn text_value(&mut self, v: Value, method: &str) -> PyResult<Value> {
        if let Some(Object::Instance(inst)) = v.as_obj().map(|r| self.heap.get(r)) {
            let (class, plain) = (inst.class, inst.payload.is_none());
            // object.__str__ is repr(): a plain object's str is its __repr__'s result.
            let found = match self.class_lookup(class, method) {
                None if method == "__str__"
                    && plain
                    && !self.is_subclass(class, self.types["BaseException"]) =>
                {
                    self.class_lookup(class, "__repr__")
                        .map(|f| (f, "__repr__"))
                }
                found => found.map(|f| (f, method)),
            };
            if let Some((f, called)) = found
                && matches!(
                    f.as_obj().map(|r| self.heap.get(r)),
                    Some(Object::Function(_))
                )
            {
                let s = self.call_method_value(f, v, vec![])?;
                self.returned_str(s, called)?;
                return Ok(s);
            }
        }
        let text = if method == "__repr__" {
            self.repr(v)?
        } else {
            self.str(v)?
        };
        Ok(self.new_str(text))
    }

    /// The text a `__str__` or `__repr__` returned, which must be a str.
    fn returned_str(&mut self, s: Value, method: &str) -> PyResult<String> {
        match self.str_of(s) {
            Some(text) => Ok(text.to_string()),
            None => {
                let t = self.type_name(s);
                Err(self.type_error(&format!("{method} returned non-string (type {t})")))
            }
        }
    }

    /// object.__repr__ and BaseException.__repr__ for an instance: what `repr` gives when
    /// its class defines no `__repr__` of its own.
    pub fn instance_repr(&mut self, v: Value) -> PyResult<String> {
        let Some(r) = v
            .as_obj()
            .filter(|r| matches!(self.heap.get(*r), Object::Instance(_)))
        else {
            // object.__repr__(5): the default shape, whatever the type's own repr.
            let t = self.type_name(v);
            return Ok(format!("<{t} object at {}>", self.value_address(v)));
        };
        if let Some(p) = self.payload_of(v) {
            // A set subclass names itself, as set_repr: `S({1})`, `S()`.
            if let Some(Object::Set(d) | Object::FrozenSet(d)) =
                p.as_obj().map(|o| self.heap.get(o))
            {
                let empty = d.is_empty();
                let name = self.type_name(v);
                if empty {
                    return Ok(format!("{name}()"));
                }
                let inner = self.repr(p)?;
                let inner = inner
                    .strip_prefix("frozenset(")
                    .map_or(inner.as_str(), |rest| {
                        rest.strip_suffix(')').unwrap_or(rest)
                    });
                return Ok(format!("{name}({inner})"));
            }
            // The built-in type's repr of the value a subclass instance extends; a deque's
            // and a bytearray's name the subclass (`D([1])`, `B(b'x')`).
            let text = self.repr(p)?;
            let name = self.type_name(v);
            for base in ["deque(", "bytearray("] {
                if let Some(rest) = text.strip_prefix(base) {
                    return Ok(format!("{name}({rest}"));
                }
            }
            return Ok(text);
        }
        for singleton in ["NotImplemented", "Ellipsis"] {
            if self
                .dict_get_str(self.builtins, singleton)
                .is_some_and(|s| s.is(v))
            {
                return Ok(singleton.to_string());
            }
        }
        if self.exception_is(v, "BaseException") {
            let name = self.type_name(v);
            let args = self.exception_args(v);
            let parts = self.reprs(&args)?;
            return Ok(if parts.len() == 1 {
                format!("{name}({})", parts[0])
            } else {
                format!("{name}({})", parts.join(", "))
            });
        }
        let class = self.type_of(v);
        let name = self.qualified_name(class);
        Ok(format!("<{name} object at {}>", self.address(r)))
    }

    /// A class defined in Python as its repr names it: `module.qualname`, with the module
    /// from the class's `__module__` (`threading.Thread`, `__main__.Point`).
    fn qualified_name(&self, class: ObjRef) -> String {
        let Object::Class(c) = self.heap.get(class) else {
            return "?".into();
        };
        match c.dict.get("__module__").and_then(|m| self.str_of(*m)) {
            Some("builtins") => c.qualname.clone(),
            Some(module) => format!("{module}.{}", c.qualname),
            None if self.types.get(c.name.as_str()) == Some(&class) => c.qualname.clone(),
            None => format!("__main__.{}", c.qualname),
        }
    }

    /// object.__str__ and BaseException.__str__: what `str` gives when the class defines
    /// no `__str__` of its own (an exception's arguments; otherwise `repr`).
    pub fn instance_str(&mut self, v: Value) -> PyResult<String> {
        // The value a subclass of a built-in type extends, unless the class has its own
        // __repr__ (object.__str__ is repr).
        if let Some(p) = self.payload_of(v)
            && self.class_lookup(self.type_of(v), "__repr__").is_none()
        {
            // A set subclass's str is its repr, which names the class.
            if let Some(Object::Set(_) | Object::FrozenSet(_)) =
                p.as_obj().map(|o| self.heap.get(o))
            {
                return self.repr(v);
            }
            return self.str(p);
        }
        if self.exception_is(v, "SyntaxError")
            && let Some(msg) = self.attr_of_instance(v, "msg")
        {
            // SyntaxError's own __str__: the message with the file's name and the line.
            let msg = self.str(msg)?;
            let file = self.attr_of_instance(v, "filename");
            let file = file
                .and_then(|f| self.str_of(f))
                .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f).to_string());
            let line = self
                .attr_of_instance(v, "lineno")
                .and_then(|l| self.as_index(l));
            return Ok(match (file, line) {
                (Some(f), Some(l)) => format!("{msg} ({f}, line {l})"),
                (Some(f), None) => format!("{msg} ({f})"),
                (None, Some(l)) => format!("{msg} (line {l})"),
                (None, None) => msg,
            });
        }
        if self.exception_is(v, "BaseException") {
            let args = self.exception_args(v);
            if self.exception_is(v, "KeyError") && args.len() == 1 {
                return self.repr(args[0]);
            }
            if self.exception_is(v, "OSError") && (2..=5).contains(&args.len()) {
                // `[Errno 2] No such file or directory: 'x'`, as OSError's __str__.
                let mut text = format!("[Errno {}] {}", self.str(args[0])?, self.str(args[1])?);
                let filename = self.os_error_field(v, "filename");
                if filename != Value::None {
                    text = format!("{text}: {}", self.repr(filename)?);
                    let filename2 = self.os_error_field(v, "filename2");
                    if filename2 != Value::None {
                        text = format!("{text} -> {}", self.repr(filename2)?);
                    }
                }
                return Ok(text);
            }
            return match args.len() {
                0 => Ok(String::new()),
                1 => self.str(args[0]),
                _ => {
                    let t = self.new_tuple(args);
                    self.repr(t)
                }
            };
        }
        self.repr(v)
    }

    pub fn str(&mut self, v: Value) -> PyResult<String> {
        if let Value::Obj(r) = v {
            match self.heap.get(r) {
                Object::Str(s) => return Ok(s.text.to_string()),
                Object::Instance(_) => {
                    if let Some(s) = self.call_special(v, "__str__", vec![])? {
                        return self.returned_str(s, "__str__");
                    }
                    return self.instance_str(v);
                }
                // A class whose metaclass defines __str__.
                Object::Class(c) if c.metaclass.is_some() => {
                    let meta = c.metaclass.expect("checked");
                    if let Some(f) = self.class_lookup(meta, "__str__") {
                        let s = self.call(f, Args::new(vec![v]))?;
                        return self.returned_str(s, "__str__");
                    }
                }
                _ => {}
            }
        }
        self.repr(v)
    }

    /// format(value, spec): the format-spec mini-language for ints, floats and strings.
    pub fn format(&mut self, v: Value, spec: &str) -> PyResult<String> {
        if matches!(v, Value::Obj(r) if matches!(self.heap.get(r), Object::Instance(_)))
            && self.class_lookup(self.type_of(v), "__format__").is_some()
        {
            let spec_v = self.new_str(spec);
            let r = self
                .call_special(v, "__format__", vec![spec_v])?
                .unwrap_or(Value::None);
            return match self.str_of(r) {
                Some(s) => Ok(s.to_string()),
                None => {
                    let t = self.type_name(r);
                    Err(self.type_error(&format!("__format__ must return a str, not {t}")))
                }
            };
        }
        if spec.is_empty() {
            return self.str(v);
        }
        // A subclass of a built-in type formats as the value it extends.
        let v = self.payload_of(v).unwrap_or(v);
        crate::objects::format::format_spec(self, v, spec)
    }

    /// `str % args`.
    pub fn percent_format(&mut self, fmt: Value, args: Value) -> PyResult<String> {
        crate::objects::percent::percent_format(self, fmt, args)
    }
}

impl Vm {
    /// OSError's errno, strerror, filename and filename2: from its arguments when it was
    /// made with 2 to 5 of them (errno, strerror, filename, winerror, filename2), else None;
    /// an attribute the program set wins.
    pub fn os_error_field(&mut self, exc: Value, name: &str) -> Value {
        if let Some(set) = self.attr_of_instance(exc, name) {
            return set;
        }
        let args = self.exception_args(exc);
        if !(2..=5).contains(&args.len()) {
            return Value::None;
        }
        let index = match name {
            "errno" => 0,
            "strerror" => 1,
            "filename" => 2,
            _ => 4,
        };
        args.get(index).copied().unwrap_or(Value::None)
    }
}
