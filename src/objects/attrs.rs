//! Attributes: lookup with descriptors (functions bind, properties run, static and class
//! methods unwrap) and assignment (the inline caches of LOAD_ATTR, STORE_ATTR and
//! LOAD_METHOD are in attr_caches.rs, deletion in attr_delete.rs).

use crate::vm::object::{Args, Native, Object, Owner};
use crate::vm::{ObjRef, PyResult, Value, Vm};

impl Vm {
    pub fn getattr(&mut self, obj: Value, name: &str) -> PyResult<Value> {
        if let Value::Obj(r) = obj
            && matches!(self.heap.get(r), Object::Instance(_))
            && let Some(ga) = self.python_getattribute(self.type_of(obj))
        {
            return self.custom_getattribute(ga, obj, name);
        }
        if let Some(v) = self.getattr_opt(obj, name)? {
            return Ok(v);
        }
        if let Value::Obj(r) = obj
            && matches!(self.heap.get(r), Object::Instance(_))
            && let Some(ga) = self.class_lookup(self.type_of(obj), "__getattr__")
        {
            let n = self.new_str(name);
            return self.call_method_value(ga, obj, vec![n]);
        }
        // A class whose metaclass defines __getattr__.
        if let Value::Obj(r) = obj
            && let Object::Class(c) = self.heap.get(r)
            && let Some(meta) = c.metaclass
            && let Some(ga) = self.class_lookup(meta, "__getattr__")
        {
            let n = self.new_str(name);
            return self.call(ga, Args::new(vec![obj, n]));
        }
        Err(self.no_attribute(obj, name))
    }

    /// A class's own `__getattribute__` answers every attribute read; when it raises
    /// AttributeError, `__getattr__` (if any) has the last word, as CPython's
    /// slot_tp_getattr_hook.
    fn custom_getattribute(&mut self, ga: Value, obj: Value, name: &str) -> PyResult<Value> {
        let n = self.new_str(name);
        match self.call_method_value(ga, obj, vec![n]) {
            Err(e) if self.exception_is(e, "AttributeError") => {
                match self.class_lookup(self.type_of(obj), "__getattr__") {
                    Some(fallback) => self.call_method_value(fallback, obj, vec![n]),
                    None => Err(e),
                }
            }
            result => result,
        }
    }

    /// A `__getattribute__` written in Python on `class` (or a base): attribute reads go
    /// through it, and the inline caches stay off.
    pub(super) fn python_getattribute(&self, class: ObjRef) -> Option<Value> {
        if !self.getattribute_defined {
            return None;
        }
        let f = self.class_lookup(class, "__getattribute__")?;
        matches!(self.heap.get(f.as_obj()?), Object::Function(_)).then_some(f)
    }

    /// object.__getattribute__: the lookup without a class's `__getattr__` fallback.
    pub fn getattribute(&mut self, obj: Value, name: &str) -> PyResult<Value> {
        match self.getattr_opt(obj, name)? {
            Some(v) => Ok(v),
            None => Err(self.no_attribute(obj, name)),
        }
    }

    fn no_attribute(&mut self, obj: Value, name: &str) -> Value {
        let msg = match obj.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Class(c)) => format!("type object '{}' has no attribute '{name}'", c.name),
            Some(Object::Module { name: m, .. }) => {
                format!("module '{m}' has no attribute '{name}'")
            }
            _ => {
                // The types of CPython's _thread are C types, named with their module.
                let class = self.type_of(obj);
                let t = match self.heap.get(class) {
                    Object::Class(c)
                        if c.dict
                            .get("__module__")
                            .is_some_and(|m| self.str_of(*m) == Some("_thread")) =>
                    {
                        format!("_thread.{}", c.name)
                    }
                    _ => self.type_name(obj).to_string(),
                };
                format!("'{t}' object has no attribute '{name}'")
            }
        };
        self.new_exception("AttributeError", &msg)
    }

    /// Binds a value found on a class to the object it was looked up on.
    fn bind(&mut self, found: Value, obj: Value, class: ObjRef) -> PyResult<Value> {
        let Some(r) = found.as_obj() else {
            return Ok(found);
        };
        Ok(match self.heap.get(r) {
            Object::Function(_) => self.alloc(Object::BoundMethod {
                receiver: obj,
                func: found,
            }),
            // __new__ is a static method: `super().__new__(cls)` passes the class itself.
            Object::Native(n) if n.name == "__new__" => found,
            Object::Native(n) if n.receiver.is_none() => {
                let n = n.clone();
                // A built-in type's method works on the value a subclass instance extends.
                let receiver = match n.owner {
                    Some(_) => self.payload_of(obj).unwrap_or(obj),
                    None => obj,
                };
                self.alloc(Object::Native(Native {
                    receiver: Some(receiver),
                    ..n
                }))
            }
            Object::StaticMethod(f) => *f,
            Object::ClassMethod(f) => {
                let f = *f;
                self.alloc(Object::BoundMethod {
                    receiver: Value::Obj(class),
                    func: f,
                })
            }
            Object::Property { fget, .. } => {
                let fget = *fget;
                if fget == Value::None {
                    return Err(self.new_exception("AttributeError", "unreadable attribute"));
                }
                return self.call(fget, Args::new(vec![obj]));
            }
            _ => found,
        })
    }

    /// LOAD_METHOD's shortcut: the Python function `obj.name` would bind, when `obj` is an
    /// instance whose class (not its `__dict__`) supplies a plain function under `name`.
    /// The eval loop then calls it with `obj` as first argument instead of allocating a
    /// bound method; `getattr` would have returned exactly that bound method.
    pub fn method_for_call(&self, obj: Value, name: &str) -> Option<Value> {
        let Value::Obj(r) = obj else {
            return None;
        };
        let Object::Instance(inst) = self.heap.get(r) else {
            return None;
        };
        // Names `getattr_opt` answers before binding (exceptions' special attributes).
        if matches!(
            name,
            "__class__"
                | "__dict__"
                | "__traceback__"
                | "__suppress_context__"
                | "value"
                | "code"
                | "errno"
                | "strerror"
                | "filename"
                | "filename2"
                | "__cause__"
                | "__context__"
        ) || self.python_getattribute(inst.class).is_some()
        {
            return None;
        }
        let found = self.class_lookup(inst.class, name)?;
        if !matches!(
            found.as_obj().map(|f| self.heap.get(f)),
            Some(Object::Function(_))
        ) {
            return None;
        }
        if self.attr_of_instance(obj, name).is_some() {
            return None;
        }
        Some(found)
    }

    /// The receiver an unbound method of a built-in type is called with: a value of the
    /// type, or what a subclass instance extends. CPython's TypeError for anything else.
    pub(super) fn receiver_of(&mut self, owner: Owner, name: &str, v: Value) -> PyResult<Value> {
        let v = self.payload_of(v).unwrap_or(v);
        let fits = match (owner, v) {
            (Owner::Int, Value::Int(_) | Value::Bool(_)) => true,
            (Owner::Float, Value::Float(_)) => true,
            (_, Value::Obj(r)) => matches!(
                (owner, self.heap.get(r)),
                (Owner::List, Object::List(_))
                    | (Owner::Tuple, Object::Tuple(_))
                    | (Owner::Dict, Object::Dict(_))
                    | (Owner::Set, Object::Set(_))
                    | (Owner::FrozenSet, Object::FrozenSet(_))
                    | (Owner::Str, Object::Str(_))
                    | (Owner::Bytes, Object::Bytes(_))
                    | (Owner::Int, Object::BigInt(_))
            ),
            _ => false,
        };
        if fits {
            return Ok(v);
        }
        let (o, t) = (owner.name(), self.type_name(v));
        Err(self.type_error(&format!(
            "descriptor '{name}' requires a '{o}' object but received a '{t}'"
        )))
    }

    /// A call of a plain class (no built-in base) whose `__init__` is a `simple_function`
    /// for the instance and `nargs` arguments: the class and that `__init__`.
    pub fn simple_init(&self, callable: Value, nargs: usize) -> Option<(ObjRef, ObjRef)> {
        let Value::Obj(r) = callable else {
            return None;
        };
        let Object::Class(c) = self.heap.get(r) else {
            return None;
        };
        // (A metaclass may define __call__.)
        if c.builtin.is_some() || c.metaclass.is_some() {
            return None;
        }
        let (epoch, cached) = c.init_cache.get();
        let init = if epoch == self.class_epoch {
            cached?
        } else {
            let found = match self.class_lookup(r, "__new__") {
                Some(_) => None,
                None => self.class_lookup(r, "__init__").and_then(|i| i.as_obj()),
            };
            c.init_cache.set((self.class_epoch, found));
            found?
        };
        Some((r, self.simple_function(Value::Obj(init), nargs + 1)?))
    }

    pub fn getattr_opt(&mut self, obj: Value, name: &str) -> PyResult<Option<Value>> {
        self.prepare_thread_local(obj)?;
        let class = self.type_of(obj);
        if let Value::Obj(r) = obj {
            match self.heap.get(r) {
                Object::Instance(inst) => {
                    if name == "__class__" {
                        return Ok(Some(Value::Obj(inst.class)));
                    }
                    if name == "__dict__" {
                        // Instances of a class whose `__slots__` leave `__dict__` out have none.
                        if !crate::objects::reduce::has_instance_dict(self, class) {
                            return Ok(None);
                        }
                        return Ok(self.instance_dict(obj).map(Value::Obj));
                    }
                    let found = self.class_lookup(class, name);
                    let is_data_descriptor = found.is_some_and(|f| {
                        matches!(
                            f.as_obj().map(|r| self.heap.get(r)),
                            Some(Object::Property { .. })
                        ) || self.is_data_descriptor(f)
                    });
                    if !is_data_descriptor && let Some(v) = self.attr_of_instance(obj, name) {
                        return Ok(Some(v));
                    }
                    // A descriptor object on the class: its __get__(instance, owner).
                    if let Some(f) = found
                        && let Some(get) = self.descriptor_method(f, "__get__")
                    {
                        let args = vec![f, obj, Value::Obj(class)];
                        return self.call(get, Args::new(args)).map(Some);
                    }
                    if self.exception_is(obj, "BaseException") {
                        // StopIteration.value and SystemExit.code: the first argument.
                        let first_arg = || self.stop_iteration_value(obj);
                        match name {
                            "__traceback__" => return Ok(Some(Value::None)),
                            "value" if self.exception_is(obj, "StopIteration") => {
                                return Ok(Some(first_arg()));
                            }
                            "code" if self.exception_is(obj, "SystemExit") => {
                                return Ok(Some(first_arg()));
                            }
                            "errno" | "strerror" | "filename" | "filename2"
                                if self.exception_is(obj, "OSError") =>
                            {
                                return Ok(Some(self.os_error_field(obj, name)));
                            }
                            _ => {}
                        }
                    }
                    let found = match found {
                        Some(f) => Some(f),
                        None => crate::objects::methods::builtin_method(self, class, name),
                    };
                    return match found {
                        Some(f) => self.bind(f, obj, class).map(Some),
                        // A subclass of int or float: the number's parts of its value.
                        None => match self.payload_of(obj) {
                            Some(p)
                                if matches!(
                                    name,
                                    "real" | "imag" | "numerator" | "denominator"
                                ) =>
                            {
                                crate::objects::special::special_attr(self, p, name)
                            }
                            _ => Ok(None),
                        },
                    };
                }
                Object::Class(c) => {
                    match name {
                        "__name__" => return Ok(Some(self.new_str(c.name.clone()))),
                        "__qualname__" => return Ok(Some(self.new_str(c.qualname.clone()))),
                        "__class__" => return Ok(Some(Value::Obj(self.type_of(obj)))),
                        "__mro__" => {
                            let mro = c.mro.iter().map(|m| Value::Obj(*m)).collect();
                            return Ok(Some(self.new_tuple(mro)));
                        }
                        "__base__" => {
                            return Ok(Some(
                                c.bases.first().map_or(Value::None, |b| Value::Obj(*b)),
                            ));
                        }
                        "__bases__" => {
                            let bases = c.bases.iter().map(|m| Value::Obj(*m)).collect();
                            return Ok(Some(self.new_tuple(bases)));
                        }
                        "__dict__" => {
                            let items: Vec<(String, Value)> =
                                c.dict.iter().map(|(k, v)| (k.clone(), *v)).collect();
                            let d = self.new_dict();
                            for (k, v) in items {
                                let key = self.new_str(k);
                                self.setitem(d, key, v)?;
                            }
                            // A read-only view, as CPython's mappingproxy.
                            let types = self.import("types", true)?;
                            let proxy = self.getattr(types, "mappingproxy")?;
                            return self.call(proxy, Args::new(vec![d])).map(Some);
                        }
                        _ => {}
                    }
                    let found = self.class_lookup(r, name);
                    // A descriptor read through the class: __get__(None, owner).
                    if let Some(f) = found
                        && let Some(get) = self.descriptor_method(f, "__get__")
                    {
                        let args = vec![f, Value::None, obj];
                        return self.call(get, Args::new(args)).map(Some);
                    }
                    return Ok(match found {
                        Some(f) => match f.as_obj().map(|x| self.heap.get(x)) {
                            Some(Object::StaticMethod(func)) => Some(*func),
                            Some(Object::ClassMethod(func)) => {
                                let func = *func;
                                Some(self.alloc(Object::BoundMethod {
                                    receiver: obj,
                                    func,
                                }))
                            }
                            _ => Some(f),
                        },
                        None => {
                            // Then the metaclass: its methods bind to the class.
                            let meta = match self.heap.get(r) {
                                Object::Class(c) => c.metaclass,
                                _ => None,
                            };
                            match meta.and_then(|m| self.class_lookup(m, name).map(|f| (m, f))) {
                                Some((m, f)) => return self.bind(f, obj, m).map(Some),
                                None => match crate::objects::methods::type_attr(self, r, name) {
                                    // type's own methods (`A.mro()`) bind to the class.
                                    None if name == "mro" || name == "__subclasses__" => {
                                        let t = self.types["type"];
                                        match crate::objects::methods::type_attr(self, t, name) {
                                            Some(f) => return self.bind(f, obj, t).map(Some),
                                            None => None,
                                        }
                                    }
                                    found => found,
                                },
                            }
                        }
                    });
                }
                Object::Module { dict, .. } => {
                    let dict = *dict;
                    if name == "__dict__" {
                        return Ok(Some(Value::Obj(dict)));
                    }
                    return Ok(self.dict_get_str(dict, name));
                }
                Object::Super {
                    class: start,
                    receiver,
                } => {
                    let (start, receiver) = (*start, *receiver);
                    let is_class = |v: Value| {
                        matches!(v.as_obj().map(|r| self.heap.get(r)), Some(Object::Class(_)))
                    };
                    match name {
                        "__thisclass__" => return Ok(Some(Value::Obj(start))),
                        "__self__" => return Ok(Some(receiver)),
                        "__self_class__" if receiver == Value::None => {
                            return Ok(Some(Value::None));
                        }
                        "__self_class__" if is_class(receiver) => return Ok(Some(receiver)),
                        "__self_class__" => return Ok(Some(Value::Obj(self.type_of(receiver)))),
                        // An unbound super (super(C)) finds only what `super` itself has.
                        _ if receiver == Value::None => return Ok(None),
                        _ => {}
                    }
                    // As CPython's super: a class that derives from `start` (a classmethod's
                    // cls) is searched itself; anything else, a class made by a metaclass
                    // included, through its type.
                    let recv_class = match receiver.as_obj() {
                        Some(c)
                            if matches!(self.heap.get(c), Object::Class(_))
                                && self.is_subclass(c, start) =>
                        {
                            c
                        }
                        _ => self.type_of(receiver),
                    };
                    let mro = self.mro_of(recv_class);
                    let pos = mro.iter().position(|c| *c == start).map_or(0, |p| p + 1);
                    for c in &mro[pos..] {
                        let found = match self.heap.get(*c) {
                            Object::Class(k) => k.dict.get(name).copied(),
                            _ => None,
                        };
                        if let Some(f) = found {
                            return self.bind(f, receiver, recv_class).map(Some);
                        }
                        // Only a built-in type's own methods: a class of the program's would
                        // answer with object's (its MRO's), ahead of the classes between.
                        let builtin =
                            matches!(self.heap.get(*c), Object::Class(k) if k.builtin.is_some());
                        if !builtin {
                            continue;
                        }
                        if let Some(m) = crate::objects::methods::builtin_method(self, *c, name) {
                            return self.bind(m, receiver, recv_class).map(Some);
                        }
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
        if let Some(v) = crate::objects::special::special_attr(self, obj, name)? {
            return Ok(Some(v));
        }
        match crate::objects::methods::builtin_method(self, class, name) {
            Some(m) => self.bind(m, obj, class).map(Some),
            None => Ok(None),
        }
    }

    pub fn setattr(&mut self, obj: Value, name: &str, v: Value) -> PyResult<()> {
        self.prepare_thread_local(obj)?;
        let class = self.type_of(obj);
        if matches!(
            obj.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Instance(_))
        ) && let Some(setattr) = self.python_setattr(class)
        {
            let name = self.new_str(name);
            self.call(setattr, Args::new(vec![obj, name, v]))?;
            return Ok(());
        }
        if matches!(
            obj.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Instance(_))
        ) && let Some(found) = self.class_lookup(class, name)
            && let Some(set) = self.descriptor_method(found, "__set__")
        {
            self.call(set, Args::new(vec![found, obj, v]))?;
            return Ok(());
        }
        if let Some(found) = self.class_lookup(class, name)
            && let Some(Object::Property { fset, .. }) = found.as_obj().map(|r| self.heap.get(r))
        {
            let fset = *fset;
            if fset == Value::None {
                return Err(self.new_exception("AttributeError", "can't set attribute"));
            }
            self.call(fset, Args::new(vec![obj, v]))?;
            return Ok(());
        }
        if let Some(r) = obj.as_obj()
            && self.is_builtin_type(r)
        {
            let t = self.class_name(r);
            return Err(self.type_error(&format!(
                "can't set attributes of built-in/extension type '{t}'"
            )));
        }
        if let Value::Obj(r) = obj {
            match self.heap.get_mut(r) {
                // `obj.__dict__ = d`: d becomes the instance's namespace.
                Object::Instance(_) if name == "__dict__" => {
                    let is_dict =
                        matches!(v.as_obj().map(|d| self.heap.get(d)), Some(Object::Dict(_)));
                    let (Value::Obj(d), true) = (v, is_dict) else {
                        let t = self.type_name(v);
                        return Err(self.type_error(&format!(
                            "__dict__ must be set to a dictionary, not a '{t}'"
                        )));
                    };
                    self.replace_instance_dict(r, d);
                    return Ok(());
                }
                Object::Instance(_) if name == "__class__" => {
                    return crate::objects::class::set_instance_class(self, obj, v);
                }
                Object::Instance(_) => {
                    self.check_slot(obj, name)?;
                    self.set_instance_attr(obj, name, v);
                    return Ok(());
                }
                Object::Class(_) if matches!(name, "__name__" | "__qualname__") => {
                    let Some(text) = self.str_of(v).map(str::to_string) else {
                        let t = self.type_name(v);
                        let class = self.class_name(r);
                        return Err(self.type_error(&format!(
                            "can only assign string to {class}.{name}, not '{t}'"
                        )));
                    };
                    if let Object::Class(c) = self.heap.get_mut(r) {
                        if name == "__name__" {
                            c.name = text;
                        } else {
                            c.qualname = text;
                        }
                    }
                    self.class_epoch += 1;
                    return Ok(());
                }
                Object::Class(_) if name == "__bases__" => {
                    return crate::objects::class::set_bases(self, r, v);
                }
                Object::Class(c) => {
                    c.dict.insert(name.to_string(), v);
                    self.getattribute_defined |= name == "__getattribute__";
                    self.class_epoch += 1;
                    return Ok(());
                }
                Object::Function(_) => {
                    return crate::objects::function::set_function_attr(self, r, name, v);
                }
                Object::Module { dict, .. } => {
                    let dict = *dict;
                    self.dict_set_str(dict, name, v);
                    return Ok(());
                }
                _ => {}
            }
        }
        if name == "__class__" {
            // A built-in value's class is fixed (after the same check of the value).
            return crate::objects::class::set_instance_class(self, obj, v);
        }
        let t = self.type_name(obj);
        Err(self.new_exception(
            "AttributeError",
            &format!("'{t}' object has no attribute '{name}'"),
        ))
    }

    /// One of the built-in types (`int`, `list`, `type(len)`), whose attributes are fixed.
    fn is_builtin_type(&self, r: ObjRef) -> bool {
        match self.heap.get(r) {
            Object::Class(c) => self.types.get(c.name.as_str()) == Some(&r),
            _ => false,
        }
    }
}
