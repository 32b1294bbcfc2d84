//! The built-in types and exceptions as class objects, and the object model's questions
//! about classes: `type(v)`, the MRO (C3), `isinstance`, lookup along the MRO; making
//! exceptions and plain instances.

use super::object::{Class, ExcField, NameMap, Object};
use super::{ObjRef, PyResult, Value, Vm};

/// The built-in exception hierarchy (name, base), in creation order.
pub(crate) const EXCEPTIONS: &[(&str, &str)] = &[
    ("BaseException", "object"),
    ("SystemExit", "BaseException"),
    ("KeyboardInterrupt", "BaseException"),
    ("GeneratorExit", "BaseException"),
    ("Exception", "BaseException"),
    ("StopIteration", "Exception"),
    ("StopAsyncIteration", "Exception"),
    ("ArithmeticError", "Exception"),
    ("FloatingPointError", "ArithmeticError"),
    ("OverflowError", "ArithmeticError"),
    ("ZeroDivisionError", "ArithmeticError"),
    ("AssertionError", "Exception"),
    ("AttributeError", "Exception"),
    ("BufferError", "Exception"),
    ("EOFError", "Exception"),
    ("ImportError", "Exception"),
    ("ModuleNotFoundError", "ImportError"),
    ("LookupError", "Exception"),
    ("IndexError", "LookupError"),
    ("KeyError", "LookupError"),
    ("MemoryError", "Exception"),
    ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("OSError", "Exception"),
    ("ConnectionError", "OSError"),
    ("BrokenPipeError", "ConnectionError"),
    ("ConnectionAbortedError", "ConnectionError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("ConnectionResetError", "ConnectionError"),
    ("BlockingIOError", "OSError"),
    ("ChildProcessError", "OSError"),
    ("FileExistsError", "OSError"),
    ("FileNotFoundError", "OSError"),
    ("InterruptedError", "OSError"),
    ("IsADirectoryError", "OSError"),
    ("NotADirectoryError", "OSError"),
    ("PermissionError", "OSError"),
    ("ProcessLookupError", "OSError"),
    ("TimeoutError", "OSError"),
    ("ReferenceError", "Exception"),
    ("RuntimeError", "Exception"),
    ("NotImplementedError", "RuntimeError"),
    ("RecursionError", "RuntimeError"),
    ("SyntaxError", "Exception"),
    ("SystemError", "Exception"),
    ("TypeError", "Exception"),
    ("ValueError", "Exception"),
    ("UnicodeError", "ValueError"),
    ("UnicodeDecodeError", "UnicodeError"),
    ("UnicodeEncodeError", "UnicodeError"),
    ("IndentationError", "SyntaxError"),
    ("TabError", "IndentationError"),
    ("Warning", "Exception"),
    ("DeprecationWarning", "Warning"),
    ("RuntimeWarning", "Warning"),
    ("UserWarning", "Warning"),
    ("FutureWarning", "Warning"),
    ("PendingDeprecationWarning", "Warning"),
    ("SyntaxWarning", "Warning"),
    ("ImportWarning", "Warning"),
    ("UnicodeWarning", "Warning"),
    ("BytesWarning", "Warning"),
    ("ResourceWarning", "Warning"),
];

/// The built-in types a class may extend with its own methods and attributes: its
/// instances carry a value of the type (`Instance::payload`).
pub const EXTENSIBLE: [&str; 16] = [
    "bytearray",
    "map",
    "filter",
    "zip",
    "enumerate",
    "reversed",
    "int",
    "float",
    "str",
    "bytes",
    "tuple",
    "list",
    "dict",
    "set",
    "frozenset",
    "deque",
];

/// Built-in types, by the name `type(x).__name__` gives, and whether that name is
/// also a builtin (`int` is; `generator` is not).
pub(crate) const TYPES: &[(&str, bool)] = &[
    ("object", true),
    ("type", true),
    ("int", true),
    ("bool", true),
    ("float", true),
    ("complex", true),
    ("str", true),
    ("bytes", true),
    ("bytearray", true),
    ("memoryview", true),
    ("list", true),
    ("tuple", true),
    ("dict", true),
    ("set", true),
    ("frozenset", true),
    ("range", true),
    ("slice", true),
    ("NoneType", false),
    ("function", false),
    ("builtin_function_or_method", false),
    ("method", false),
    ("code", false),
    ("cell", false),
    ("generator", false),
    ("coroutine", false),
    ("async_generator", false),
    ("coroutine_wrapper", false),
    ("weakref", false),
    ("deque", false),
    ("async_generator_asend", false),
    ("async_generator_athrow", false),
    ("async_generator_wrapped_value", false),
    ("module", false),
    ("staticmethod", true),
    ("classmethod", true),
    ("property", true),
    ("super", true),
    ("iterator", false),
    ("list_iterator", false),
    ("set_iterator", false),
    ("range_iterator", false),
    ("str_iterator", false),
    ("enumerate", true),
    ("zip", true),
    ("map", true),
    ("filter", true),
    ("lock", false),
    ("RLock", false),
    ("dict_keys", false),
    ("dict_values", false),
    ("dict_items", false),
    ("dict_keyiterator", false),
    ("dict_valueiterator", false),
    ("dict_itemiterator", false),
    ("tuple_iterator", false),
    ("list_reverseiterator", false),
    ("bytes_iterator", false),
    ("bytearray_iterator", false),
    ("arrayiterator", false),
    ("unpack_iterator", false),
    ("callable_iterator", false),
    ("reversed", true),
    ("array", false),
];

impl Vm {
    pub(super) fn create_types(&mut self) {
        for &(name, _) in TYPES {
            let class = self.heap.alloc(Object::Class(Box::new(Class {
                name: name.to_string(),
                qualname: name.to_string(),
                bases: vec![],
                mro: vec![],
                dict: NameMap::default(),
                builtin: Some(name),
                init_cache: Default::default(),
                attr_names: Default::default(),
                metaclass: None,
                slots: None,
            })));
            self.types.insert(name, class);
        }
        let object = self.types["object"];
        for &(name, _) in TYPES {
            let class = self.types[name];
            let (bases, mro) = match name {
                "object" => (vec![], vec![class]),
                "bool" => (
                    vec![self.types["int"]],
                    vec![class, self.types["int"], object],
                ),
                _ => (vec![object], vec![class, object]),
            };
            if let Object::Class(c) = self.heap.get_mut(class) {
                c.bases = bases;
                c.mro = mro;
            }
        }
        // The lock types live in _thread (`<class '_thread.lock'>`), deque in collections.
        for (name, module) in [
            ("lock", "_thread"),
            ("RLock", "_thread"),
            ("deque", "collections"),
            ("array", "array"),
        ] {
            let module = self.new_str(module);
            if let Object::Class(c) = self.heap.get_mut(self.types[name]) {
                c.dict.insert("__module__".into(), module);
            }
        }
        for &(name, base) in EXCEPTIONS {
            let base = self.types[base];
            let class = self
                .new_class(name, vec![base], NameMap::default())
                .expect("built-in hierarchy is consistent");
            if let Object::Class(c) = self.heap.get_mut(class) {
                c.builtin = Some("BaseException");
            }
            self.types.insert(name, class);
        }
        crate::objects::object::install_exception_fields(self);
    }

    // ------------------------------------------------------------ classes

    /// Creates a class, computing its MRO by C3 linearisation.
    pub fn new_class(
        &mut self,
        name: &str,
        bases: Vec<ObjRef>,
        mut dict: NameMap,
    ) -> PyResult<ObjRef> {
        // A class that defines __eq__ but not __hash__ is unhashable, as in CPython.
        if dict.contains_key("__getattribute__") {
            self.getattribute_defined = true;
        }
        if dict.contains_key("__eq__") && !dict.contains_key("__hash__") {
            dict.insert("__hash__".to_string(), Value::None);
        }
        let bases = if bases.is_empty() {
            vec![self.types["object"]]
        } else {
            bases
        };
        let tail = self.linearize(&bases)?;
        self.class_epoch += 1;
        let builtin = tail.iter().find_map(|c| match self.heap.get(*c) {
            Object::Class(k) => k.builtin.filter(|b| *b != "object"),
            _ => None,
        });
        let class = self.heap.alloc(Object::Class(Box::new(Class {
            name: name.to_string(),
            qualname: name.to_string(),
            bases,
            mro: vec![],
            dict,
            builtin,
            init_cache: Default::default(),
            attr_names: Default::default(),
            metaclass: None,
            slots: None,
        })));
        let mut mro = vec![class];
        mro.extend(tail);
        if let Object::Class(c) = self.heap.get_mut(class) {
            c.mro = mro;
        }
        Ok(class)
    }

    /// The C3 linearisation of `bases`: a class's MRO after the class itself.
    pub fn linearize(&mut self, bases: &[ObjRef]) -> PyResult<Vec<ObjRef>> {
        let mut seqs: Vec<Vec<ObjRef>> = bases.iter().map(|b| self.mro_of(*b)).collect();
        seqs.push(bases.to_vec());
        let mut tail = Vec::new();
        loop {
            seqs.retain(|s| !s.is_empty());
            if seqs.is_empty() {
                return Ok(tail);
            }
            let candidate = seqs
                .iter()
                .map(|s| s[0])
                .find(|c| !seqs.iter().any(|s| s[1..].contains(c)));
            let Some(c) = candidate else {
                let names: Vec<String> = bases.iter().map(|b| self.class_name(*b)).collect();
                return Err(self.new_exception(
                    "TypeError",
                    &format!(
                        "Cannot create a consistent method resolution\norder (MRO) for bases {}",
                        names.join(", ")
                    ),
                ));
            };
            tail.push(c);
            for s in &mut seqs {
                if s[0] == c {
                    s.remove(0);
                }
            }
        }
    }

    pub fn mro_of(&self, class: ObjRef) -> Vec<ObjRef> {
        match self.heap.get(class) {
            Object::Class(c) => c.mro.clone(),
            _ => vec![],
        }
    }

    pub fn class_name(&self, class: ObjRef) -> String {
        match self.heap.get(class) {
            Object::Class(c) => c.name.clone(),
            _ => "?".into(),
        }
    }

    /// The class of any value (`type(v)`).
    pub fn type_of(&self, v: Value) -> ObjRef {
        let name = match v {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Obj(r) => match self.heap.get(r) {
                Object::Instance(i) => return i.class,
                Object::Str(_) => "str",
                Object::Bytes(_) => "bytes",
                Object::ByteArray(_) => "bytearray",
                Object::MemoryView(_) => "memoryview",
                Object::Complex(..) => "complex",
                Object::Array(_) => "array",
                Object::BigInt(_) => "int",
                Object::Tuple(_) => "tuple",
                Object::List(_) => "list",
                Object::Dict(_) => "dict",
                Object::Set(_) => "set",
                Object::FrozenSet(_) => "frozenset",
                Object::Range { .. } => "range",
                Object::Slice { .. } => "slice",
                Object::Code(_) => "code",
                Object::Function(_) => "function",
                Object::Native(_) => "builtin_function_or_method",
                Object::BoundMethod { .. } => "method",
                Object::Cell(_) => "cell",
                Object::Class(c) => match c.metaclass {
                    Some(meta) => return meta,
                    None => "type",
                },
                Object::Iter(it) => match it {
                    super::object::Iter::Dict { part, .. } => match part {
                        super::object::DictPart::Keys => "dict_keyiterator",
                        super::object::DictPart::Values => "dict_valueiterator",
                        super::object::DictPart::Items => "dict_itemiterator",
                    },
                    super::object::Iter::Seq { seq, .. } => match self.heap.get(*seq) {
                        Object::Tuple(_) => "tuple_iterator",
                        _ => "list_iterator",
                    },
                    super::object::Iter::Values { type_name, .. } => type_name,
                    super::object::Iter::Callable { .. } => "callable_iterator",
                    super::object::Iter::Set { .. } => "set_iterator",
                    super::object::Iter::Range { .. } => "range_iterator",
                    super::object::Iter::Str { .. } => "str_iterator",
                    super::object::Iter::Enumerate { .. } => "enumerate",
                    super::object::Iter::Zip { .. } => "zip",
                    super::object::Iter::Map { .. } => "map",
                    super::object::Iter::Filter { .. } => "filter",
                    super::object::Iter::Await(_) => "coroutine_wrapper",
                    super::object::Iter::Reversed { .. } => "reversed",
                },
                Object::Generator(g) => g.kind.name(),
                Object::AsyncGenValue(_) => "async_generator_wrapped_value",
                Object::AsyncGenStep(step) => match step.kind {
                    super::object::StepKind::Send(_) => "async_generator_asend",
                    _ => "async_generator_athrow",
                },
                Object::Module { .. } => "module",
                Object::StaticMethod(_) => "staticmethod",
                Object::ClassMethod(_) => "classmethod",
                Object::Property { .. } => "property",
                Object::Super { .. } => "super",
                Object::DictView { part, .. } => match part {
                    super::object::DictPart::Keys => "dict_keys",
                    super::object::DictPart::Values => "dict_values",
                    super::object::DictPart::Items => "dict_items",
                },
                Object::Lock {
                    reentrant: false, ..
                } => "lock",
                Object::Lock {
                    reentrant: true, ..
                } => "RLock",
                Object::WeakRef { .. } => "weakref",
                Object::Deque(_) => "deque",
            },
        };
        self.types[name]
    }

    pub fn type_name(&self, v: Value) -> String {
        self.class_name(self.type_of(v))
    }

    pub fn is_subclass(&self, class: ObjRef, of: ObjRef) -> bool {
        match self.heap.get(class) {
            Object::Class(c) => c.mro.contains(&of),
            _ => false,
        }
    }

    pub fn isinstance(&self, v: Value, class: ObjRef) -> bool {
        self.is_subclass(self.type_of(v), class)
    }

    /// Looks a name up along a class's MRO.
    pub fn class_lookup(&self, class: ObjRef, name: &str) -> Option<Value> {
        let Object::Class(c) = self.heap.get(class) else {
            return None;
        };
        c.mro.iter().find_map(|m| match self.heap.get(*m) {
            Object::Class(k) => k.dict.get(name).copied(),
            _ => None,
        })
    }
    // ------------------------------------------------------------ exceptions

    /// A new instance of the named built-in exception with one message argument.
    pub fn new_exception(&mut self, kind: &str, message: &str) -> Value {
        let args = if message.is_empty() {
            vec![]
        } else {
            vec![self.new_str(message)]
        };
        self.new_exception_args(kind, args)
    }

    pub fn new_exception_args(&mut self, kind: &str, args: Vec<Value>) -> Value {
        let class = self.types[kind];
        self.instantiate_exception(class, args)
    }

    pub fn instantiate_exception(&mut self, class: ObjRef, args: Vec<Value>) -> Value {
        let args = self.new_tuple(args);
        let exc = self.new_instance(class);
        self.set_exception_field(exc, ExcField::Args, args);
        exc
    }

    /// The built-in value an instance of a subclass of a built-in type extends.
    pub fn payload_of(&self, v: Value) -> Option<Value> {
        match self.heap.get(v.as_obj()?) {
            Object::Instance(inst) => inst.payload,
            _ => None,
        }
    }

    pub fn type_error(&mut self, message: &str) -> Value {
        self.new_exception("TypeError", message)
    }

    /// Whether an exception instance is of the named built-in class.
    pub fn exception_is(&self, exc: Value, kind: &str) -> bool {
        self.isinstance(exc, self.types[kind])
    }
}
