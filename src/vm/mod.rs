//! The virtual machine: the heap it owns, the built-in types, the frame stack of the running
//! thread, and the services every part of the runtime uses (allocation, exceptions, calls,
//! attribute lookup, iteration). `eval.rs` runs frames; `ops.rs` holds the operators;
//! `builtins.rs` the built-in functions and methods.

pub mod attrs;
pub mod builtins;
pub mod bytes_methods;
mod codecs;
pub mod compare;
pub mod constructors;
pub mod eval;
mod fast_path;
pub mod format;
pub mod frame;
mod generators;
pub mod heap;
pub mod items;
pub mod methods;
pub mod modules;
pub mod object;
pub mod ops;
pub mod os_sched;
mod random;
pub mod str_methods;
pub mod text;
pub mod threads;
pub mod value;

use crate::bytecode::CodeObject;
use compact_str::CompactString;
use frame::{CodeData, Frame, Resume};
use heap::Heap;
use indexmap::IndexMap;
use object::{
    Args, Arity, Class, Dict, DictKey, Function, Instance, NameMap, Native, NativeFn, Object,
    StrKey,
};
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;
pub use value::{ObjRef, Value};

/// An exception in flight: the exception instance.
pub type PyResult<T> = Result<T, Value>;

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

/// Built-in types, by the name `type(x).__name__` gives, and whether that name is
/// also a builtin (`int` is; `generator` is not).
pub(crate) const TYPES: &[(&str, bool)] = &[
    ("object", true),
    ("type", true),
    ("int", true),
    ("bool", true),
    ("float", true),
    ("str", true),
    ("bytes", true),
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
    ("module", false),
    ("staticmethod", true),
    ("classmethod", true),
    ("property", true),
    ("super", true),
    ("iterator", false),
    ("list_iterator", false),
    ("range_iterator", false),
    ("str_iterator", false),
    ("enumerate", false),
    ("zip", false),
    ("map", false),
    ("filter", false),
    ("lock", false),
    ("RLock", false),
    ("dict_keys", false),
    ("dict_values", false),
    ("dict_items", false),
    ("dict_keyiterator", false),
];

/// One entry of an exception's traceback.
#[derive(Clone, Debug)]
pub struct TbEntry {
    pub filename: String,
    pub lineno: u32,
    pub name: String,
}

/// The deepest recursion through native code: well inside the VM thread's stack.
const MAX_NATIVE_DEPTH: usize = 30_000;

pub struct Vm {
    pub heap: Heap,
    /// Boxed so calls, returns, yields and thread switches move pointers, not frames.
    pub frames: Vec<Box<Frame>>,
    pub types: rustc_hash::FxHashMap<&'static str, ObjRef>,
    pub builtins: ObjRef,
    pub modules: IndexMap<String, ObjRef>,
    /// The exception being handled (sys.exc_info()), or None.
    pub handled: Value,
    /// Each exception's traceback, innermost frame first.
    pub tracebacks: HashMap<ObjRef, Vec<TbEntry>>,
    pub sources: HashMap<String, Vec<String>>,
    pub recursion_limit: usize,
    /// Native calls into Python code currently on the Rust stack.
    pub native_depth: usize,
    pub out: std::io::BufWriter<std::io::Stdout>,
    pub argv: Vec<String>,
    /// The `random` module's generator (CPython's Mersenne Twister).
    pub random: Box<random::MersenneTwister>,
    /// The generators of `random.Random` instances (see `random::call_with_state`).
    pub random_states: Vec<random::MersenneTwister>,
    /// `--seed`: where the scheduler and an unseeded `random` start.
    pub seed: u64,
    /// Set when a generator run from native code returned rather than yielded.
    pub gen_returned: bool,
    /// The value a finished generator returned (StopIteration.value).
    pub stop_value: Value,
    /// The calling frame's view, set before calling a builtin that reads it (super(),
    /// globals(), locals(), vars()): the running frame is held outside `frames`.
    pub caller: Option<CallerView>,
    /// Containers whose repr is being built, to print `[...]` for self-references.
    pub repr_stack: Vec<ObjRef>,
    /// Each code object's constants as values, built once (constants are immutable, so
    /// sharing them is safe), with its instructions' attribute caches. Keyed by the code object's address; the Arc kept alongside
    /// stops that address from being reused while the entry exists. A collector root.
    pub const_cache: HashMap<usize, (Arc<CodeObject>, Rc<CodeData>)>,
    /// VM threads and the deterministic scheduler.
    pub sched: threads::Scheduler,
    /// Instructions executed: the virtual clock's tick.
    pub ticks: u64,
    /// The value a blocking native returns to suspend its thread (never seen by programs).
    pub block_signal: Value,
    /// Locks created so far: the next lock's serial number.
    pub locks_created: u32,
    pub deadlocked: bool,
    /// sys.setswitchinterval's value (seconds); the OS scheduler honours it.
    pub switch_interval: f64,
    /// (file, line) pairs already warned about, as the warnings module's default filter.
    pub warned: std::collections::HashSet<(String, u32)>,
    /// The value of the last sys.setcheckinterval(), which getcheckinterval() returns.
    pub check_interval_set: Option<i64>,
    /// Finished frames, reused by new frames with their emptied buffers (value stack, fast
    /// locals, cells, blocks): every call would otherwise allocate and free them all.
    pub frame_pool: Vec<Box<Frame>>,
    /// Under `--sched os`, the GIL this VM lives in; `None` under the deterministic scheduler.
    pub os: Option<os_sched::OsLink>,
    /// Moves on whenever a class namespace may have changed (assignment or deletion on a
    /// class, a new class) and at every collection (a freed class's slot may be reused):
    /// attribute inline caches (`frame::AttrHint`) filled at an older epoch are ignored.
    pub class_epoch: u64,
    /// Bumped whenever a dict loses a key: a LOAD_GLOBAL cache of a builtin holds only
    /// while the module's globals have neither lost nor gained a key (see `global_hinted`).
    pub dict_removals: u64,
    /// One str object per name stored in a namespace (attribute, global, class member):
    /// the key object `dict_set_str` files an entry under, shared as CPython interns
    /// names, so storing an attribute on a new instance allocates no key object. A root.
    pub interned: rustc_hash::FxHashMap<Box<str>, Value>,
    /// The built-in types' methods as function objects, made once each, so that
    /// `A.__init__ is object.__init__` holds as in CPython.
    pub builtin_methods: rustc_hash::FxHashMap<(&'static str, &'static str), Value>,
}

/// How `minipy run` configures the VM.
#[derive(Clone, Debug)]
pub struct Options {
    pub argv: Vec<String>,
    pub seed: u64,
    pub check_interval: u32,
    pub max_threads: usize,
    pub switch_interval: f64,
    /// `--sched os`: one OS thread per VM thread on a real GIL, real time.
    pub os_threads: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            argv: vec![],
            seed: 0,
            check_interval: 100,
            max_threads: 1024,
            switch_interval: 0.005,
            os_threads: false,
        }
    }
}

/// What frame-reading builtins need from the frame that calls them.
#[derive(Clone)]
pub struct CallerView {
    pub globals: ObjRef,
    pub locals: Value,
    /// The `__class__` cell's class and the first argument, for zero-argument super().
    pub class: Option<ObjRef>,
    pub first_arg: Option<Value>,
}

impl Vm {
    pub fn new(argv: Vec<String>) -> Vm {
        Vm::with_options(Options {
            argv,
            ..Options::default()
        })
    }

    pub fn with_options(options: Options) -> Vm {
        let argv = options.argv;
        let mut heap = Heap::new();
        let builtins = heap.alloc(Object::Dict(Dict::default()));
        let mut vm = Vm {
            heap,
            frames: Vec::new(),
            types: Default::default(),
            builtins,
            modules: IndexMap::new(),
            handled: Value::None,
            tracebacks: HashMap::new(),
            sources: HashMap::new(),
            recursion_limit: 1000,
            native_depth: 0,
            out: std::io::BufWriter::new(std::io::stdout()),
            argv,
            random: Box::new(random::MersenneTwister::seeded(&num_bigint::BigInt::from(
                options.seed,
            ))),
            random_states: Vec::new(),
            seed: options.seed,
            gen_returned: false,
            stop_value: Value::None,
            caller: None,
            repr_stack: Vec::new(),
            const_cache: HashMap::new(),
            sched: threads::Scheduler::new(
                options.seed,
                options.check_interval,
                options.max_threads,
            ),
            ticks: 0,
            block_signal: Value::None,
            locks_created: 0,
            deadlocked: false,
            switch_interval: options.switch_interval,
            warned: Default::default(),
            check_interval_set: None,
            frame_pool: Vec::new(),
            os: None,
            class_epoch: 1,
            dict_removals: 0,
            interned: Default::default(),
            builtin_methods: Default::default(),
        };
        vm.create_types();
        builtins::install(&mut vm);
        let signal_class = vm.types["object"];
        vm.block_signal = vm.new_instance(signal_class);
        vm
    }

    fn create_types(&mut self) {
        for &(name, _) in TYPES {
            let class = self.heap.alloc(Object::Class(Box::new(Class {
                name: name.to_string(),
                qualname: name.to_string(),
                bases: vec![],
                mro: vec![],
                dict: NameMap::default(),
                builtin: Some(name),
                init_cache: Default::default(),
                metaclass: None,
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
        // The lock types live in _thread (`<class '_thread.lock'>`).
        for name in ["lock", "RLock"] {
            let module = self.new_str("_thread");
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
    }

    // ------------------------------------------------------------ allocation

    pub fn alloc(&mut self, obj: Object) -> Value {
        Value::Obj(self.heap.alloc(obj))
    }

    pub fn new_str(&mut self, s: impl Into<CompactString>) -> Value {
        self.alloc(Object::Str(object::PyStr::new(s.into())))
    }

    pub fn new_tuple(&mut self, items: Vec<Value>) -> Value {
        self.alloc(Object::Tuple(items))
    }

    pub fn new_list(&mut self, items: Vec<Value>) -> Value {
        self.alloc(Object::List(items))
    }

    pub fn new_dict(&mut self) -> Value {
        self.alloc(Object::Dict(Dict::default()))
    }

    pub fn new_int(&mut self, i: num_bigint::BigInt) -> Value {
        use num_traits::ToPrimitive;
        match i.to_i64() {
            Some(small) => Value::Int(small),
            None => self.alloc(Object::BigInt(i)),
        }
    }

    pub fn native(&mut self, name: &'static str, func: NativeFn) -> Value {
        self.alloc(Object::Native(Native {
            name,
            func,
            receiver: None,
            is_method: false,
            arity: object::Arity::Any,
            owner: None,
        }))
    }

    pub fn str_of(&self, v: Value) -> Option<&str> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Str(s) => Some(s),
                // An instance of a subclass of str.
                Object::Instance(Instance {
                    payload: Some(p @ Value::Obj(_)),
                    ..
                }) => self.str_of(*p),
                _ => None,
            },
            _ => None,
        }
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
        if dict.contains_key("__eq__") && !dict.contains_key("__hash__") {
            dict.insert("__hash__".to_string(), Value::None);
        }
        let bases = if bases.is_empty() {
            vec![self.types["object"]]
        } else {
            bases
        };
        let mut seqs: Vec<Vec<ObjRef>> = bases.iter().map(|b| self.mro_of(*b)).collect();
        seqs.push(bases.clone());
        let mut tail = Vec::new();
        loop {
            seqs.retain(|s| !s.is_empty());
            if seqs.is_empty() {
                break;
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
            metaclass: None,
        })));
        let mut mro = vec![class];
        mro.extend(tail);
        if let Object::Class(c) = self.heap.get_mut(class) {
            c.mro = mro;
        }
        Ok(class)
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
                    object::Iter::Dict { .. } => "dict_keyiterator",
                    object::Iter::Seq { .. } => "list_iterator",
                    object::Iter::Range { .. } => "range_iterator",
                    object::Iter::Str { .. } => "str_iterator",
                    object::Iter::Enumerate { .. } => "enumerate",
                    object::Iter::Zip { .. } => "zip",
                    object::Iter::Map { .. } => "map",
                    object::Iter::Filter { .. } => "filter",
                    _ => "iterator",
                },
                Object::Generator(g) => match g.kind {
                    object::GenKind::Generator => "generator",
                    object::GenKind::Coroutine => "coroutine",
                },
                Object::Module { .. } => "module",
                Object::StaticMethod(_) => "staticmethod",
                Object::ClassMethod(_) => "classmethod",
                Object::Property { .. } => "property",
                Object::Super { .. } => "super",
                Object::DictView { part, .. } => match part {
                    object::DictPart::Keys => "dict_keys",
                    object::DictPart::Values => "dict_values",
                    object::DictPart::Items => "dict_items",
                },
                Object::Lock {
                    reentrant: false, ..
                } => "lock",
                Object::Lock {
                    reentrant: true, ..
                } => "RLock",
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
        self.set_instance_attr(exc, "args", args);
        exc
    }

    /// A new instance of a class, with an empty `__dict__`.
    /// The built-in value an instance of a subclass of a built-in type extends.
    pub fn payload_of(&self, v: Value) -> Option<Value> {
        match self.heap.get(v.as_obj()?) {
            Object::Instance(inst) => inst.payload,
            _ => None,
        }
    }

    pub fn new_instance(&mut self, class: ObjRef) -> Value {
        let dict = self.heap.alloc(Object::Dict(Dict::default()));
        self.alloc(Object::Instance(Instance {
            class,
            dict,
            payload: None,
        }))
    }

    /// The `__dict__` of an instance.
    pub fn instance_dict(&self, v: Value) -> Option<ObjRef> {
        match v {
            Value::Obj(r) => match self.heap.get(r) {
                Object::Instance(i) => Some(i.dict),
                _ => None,
            },
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

    pub fn attr_of_instance(&self, v: Value, name: &str) -> Option<Value> {
        self.instance_dict(v)
            .and_then(|d| self.dict_get_str(d, name))
    }

    pub fn set_instance_attr(&mut self, v: Value, name: &str, value: Value) {
        if let Some(d) = self.instance_dict(v) {
            self.dict_set_str(d, name, value);
        }
    }

    // ------------------------------------------------------------ dict keys

    /// The hashable form of a value, or TypeError for unhashable ones.
    pub fn dict_key(&mut self, v: Value) -> PyResult<DictKey> {
        Ok(match v {
            Value::None => DictKey::None,
            Value::Bool(b) => DictKey::Int(i64::from(b)),
            Value::Int(i) => DictKey::Int(i),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 9.0e18 {
                    DictKey::Int(f as i64)
                } else {
                    DictKey::Float(f.to_bits())
                }
            }
            Value::Obj(r) => match self.heap.get(r) {
                Object::Str(s) => DictKey::Str(s.text.clone()),
                Object::Bytes(b) => DictKey::Bytes(b.clone()),
                Object::BigInt(b) => DictKey::Big(b.clone()),
                Object::Tuple(items) => {
                    let items = items.clone();
                    let mut keys = Vec::with_capacity(items.len());
                    for item in items {
                        keys.push(self.dict_key(item)?);
                    }
                    DictKey::Tuple(keys)
                }
                Object::FrozenSet(d) => {
                    let mut keys: Vec<DictKey> = d.keys().cloned().collect();
                    keys.sort_by_key(|k| format!("{k:?}"));
                    DictKey::Tuple(keys)
                }
                Object::List(_) | Object::Dict(_) | Object::Set(_) => {
                    let t = self.type_name(v);
                    return Err(self.type_error(&format!("unhashable type: '{t}'")));
                }
                Object::Instance(_) => {
                    if let Some(h) = self.class_lookup(self.type_of(v), "__hash__") {
                        if h == Value::None {
                            let t = self.type_name(v);
                            return Err(self.type_error(&format!("unhashable type: '{t}'")));
                        }
                        if self.class_lookup(self.type_of(v), "__eq__").is_some() {
                            let hv = self.call(h, Args::new(vec![v]))?;
                            return Ok(DictKey::Tuple(vec![
                                DictKey::Str("__hash__".into()),
                                self.dict_key(hv)?,
                            ]));
                        }
                    }
                    DictKey::Id(r.0)
                }
                _ => DictKey::Id(r.0),
            },
        })
    }

    // ------------------------------------------------------------ running code

    /// Runs a module's code object to completion in a fresh namespace.
    pub fn run_module(&mut self, code: Arc<CodeObject>, source: &str) -> PyResult<Value> {
        let frame = self.module_frame(code, source);
        self.run_frame(frame)
    }

    /// The frame that runs a module's code in a fresh `__main__` namespace.
    pub fn module_frame(&mut self, code: Arc<CodeObject>, source: &str) -> Box<Frame> {
        self.sources.insert(
            code.co_filename.clone(),
            source.lines().map(str::to_string).collect(),
        );
        let globals = self.new_dict();
        let globals = globals.as_obj().expect("a dict is a heap object");
        let name = self.new_str("__main__");
        let builtins_ref = Value::Obj(self.builtins);
        self.dict_set_str(globals, "__name__", name);
        self.dict_set_str(globals, "__builtins__", builtins_ref);
        self.new_frame(code, globals, Some(globals), Resume::Native)
    }

    /// A code object's constants as values, created on first use.
    pub fn consts_for(&mut self, code: &Arc<CodeObject>) -> Rc<CodeData> {
        let key = Arc::as_ptr(code) as usize;
        if let Some((_, consts)) = self.const_cache.get(&key) {
            return consts.clone();
        }
        let consts: Vec<Value> = code.co_consts.iter().map(|c| self.load_const(c)).collect();
        let consts = CodeData::new(consts, code);
        self.const_cache.insert(key, (code.clone(), consts.clone()));
        consts
    }

    /// Sets `name` in a namespace dict (a module's, a class's, an instance's); returns the
    /// entry's index.
    pub fn dict_set_str(&mut self, dict: ObjRef, name: &str, value: Value) -> usize {
        self.dict_set_name(dict, name, None, value).0
    }

    /// `dict_set_str` with the name's interned str when the caller has it (an attribute
    /// store's inline cache); returns the entry's index and its key object.
    pub fn dict_set_name(
        &mut self,
        dict: ObjRef,
        name: &str,
        interned: Option<Value>,
        value: Value,
    ) -> (usize, Value) {
        if let Object::Dict(d) = self.heap.get_mut(dict)
            && let Some((index, _, slot)) = d.get_full_mut(&StrKey(name))
        {
            slot.1 = value;
            return (index, slot.0);
        }
        let key = match interned {
            Some(key) => key,
            None => self.intern(name),
        };
        match self.heap.get_mut(dict) {
            Object::Dict(d) => {
                let (index, _) = d.insert_full(DictKey::Str(name.into()), (key, value));
                (index, key)
            }
            _ => (0, key),
        }
    }

    /// The shared str object for a name (see `interned`).
    pub fn intern(&mut self, name: &str) -> Value {
        if let Some(v) = self.interned.get(name) {
            return *v;
        }
        let v = self.new_str(name);
        self.interned.insert(name.into(), v);
        v
    }

    pub fn dict_get_str(&self, dict: ObjRef, name: &str) -> Option<Value> {
        match self.heap.get(dict) {
            Object::Dict(d) => d.get(&StrKey(name)).map(|(_, v)| *v),
            _ => None,
        }
    }

    pub fn dict_del_str(&mut self, dict: ObjRef, name: &str) -> bool {
        self.dict_removals += 1;
        match self.heap.get_mut(dict) {
            Object::Dict(d) => d.shift_remove(&StrKey(name)).is_some(),
            _ => false,
        }
    }

    pub fn new_frame(
        &mut self,
        code: Arc<CodeObject>,
        globals: ObjRef,
        locals: Option<ObjRef>,
        resume: Resume,
    ) -> Box<Frame> {
        let consts = self.consts_for(&code);
        self.new_frame_with_consts(consts, globals, locals, resume)
    }

    pub fn new_frame_with_consts(
        &mut self,
        consts: Rc<CodeData>,
        globals: ObjRef,
        locals: Option<ObjRef>,
        resume: Resume,
    ) -> Box<Frame> {
        let code = &consts.code;
        let ncells = code.co_cellvars.len();
        let Some(mut frame) = self.frame_pool.pop() else {
            let mut cells = Vec::with_capacity(ncells + code.co_freevars.len());
            for _ in 0..ncells {
                cells.push(self.heap.alloc(Object::Cell(None)));
            }
            return Box::new(Frame {
                fast: vec![None; code.co_nlocals as usize],
                stack: Vec::with_capacity(code.co_stacksize as usize),
                consts,
                pc: 0,
                lasti: -1,
                cells,
                globals,
                locals,
                blocks: Vec::new(),
                generator: None,
                resume,
            });
        };
        for _ in 0..ncells {
            let cell = self.heap.alloc(Object::Cell(None));
            frame.cells.push(cell);
        }
        frame.fast.resize(code.co_nlocals as usize, None);
        frame.stack.reserve(code.co_stacksize as usize);
        frame.consts = consts;
        frame.pc = 0;
        frame.lasti = -1;
        frame.globals = globals;
        frame.locals = locals;
        frame.generator = None;
        frame.resume = resume;
        frame
    }

    /// Keeps a finished frame, its buffers emptied, for `new_frame_with_consts` to reuse.
    pub fn recycle(&mut self, mut f: Box<Frame>) {
        const POOL: usize = 64;
        if self.frame_pool.len() < POOL {
            f.stack.clear();
            f.fast.clear();
            f.cells.clear();
            f.blocks.clear();
            self.frame_pool.push(f);
        }
    }

    /// Runs one frame (and everything it calls) to completion from native code.
    #[inline(never)]
    pub fn run_frame(&mut self, frame: Box<Frame>) -> PyResult<Value> {
        // Recursion through native code (len() calling __len__, map() calling a function)
        // counts against the same limit as plain calls; the Rust stack (512 MB) takes over
        // 30,000 such levels, so a raised limit cannot overflow it.
        if self.native_depth > self.recursion_limit.min(MAX_NATIVE_DEPTH)
            || self.frames.len() > self.recursion_limit
        {
            return Err(self.new_exception("RecursionError", "maximum recursion depth exceeded"));
        }
        let base = self.frames.len();
        self.frames.push(frame);
        self.native_depth += 1;
        let result = self.run_until(base);
        self.native_depth -= 1;
        result
    }

    /// Calls any callable from native code.
    pub fn call(&mut self, callable: Value, args: Args) -> PyResult<Value> {
        match self.prepare_call(callable, args)? {
            Call::Done(v) => Ok(v),
            Call::Frame(mut frame) => {
                let replace = match frame.resume {
                    Resume::Replace(instance) => Some(instance),
                    _ => None,
                };
                frame.resume = Resume::Native;
                let result = self.run_frame(frame)?;
                Ok(replace.unwrap_or(result))
            }
        }
    }

    /// Maybe-collects garbage: roots are every frame, the builtins and modules.
    pub fn maybe_collect(&mut self, extra: &[Value]) {
        if !self.heap.wants_collection() {
            return;
        }
        self.collect(extra);
    }

    pub fn collect(&mut self, extra: &[Value]) -> usize {
        let mut roots: Vec<Value> = extra.to_vec();
        roots.push(Value::Obj(self.builtins));
        roots.push(self.handled);
        roots.push(self.block_signal);
        for t in &self.sched.threads {
            roots.push(t.handled);
            roots.push(t.thread_obj);
            for f in &t.frames {
                f.trace(&mut |v| roots.push(v));
            }
        }
        if let Some(Ok(v) | Err(v)) = self.sched.main_result {
            roots.push(v);
        }
        for local in &self.sched.locals {
            roots.extend([Value::Obj(local.obj), local.args, local.kwargs]);
            roots.extend(local.dicts.iter().map(|(_, d, _)| Value::Obj(*d)));
        }
        roots.extend(self.types.values().map(|t| Value::Obj(*t)));
        roots.extend(self.modules.values().map(|m| Value::Obj(*m)));
        roots.extend(self.interned.values().copied());
        roots.extend(self.builtin_methods.values().copied());
        roots.extend(
            self.const_cache
                .values()
                .flat_map(|(_, consts)| consts.iter().copied()),
        );
        for f in &self.frames {
            f.trace(&mut |v| roots.push(v));
        }
        self.class_epoch += 1;
        let freed = self.heap.collect(roots);
        let heap = &self.heap;
        self.tracebacks.retain(|r, _| heap.contains(*r));
        freed
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

/// A function's name for error messages: its qualname's last part, found only when an
/// error is actually formatted (binding arguments is on every call's path).
struct ShortName<'a>(&'a str);

impl std::fmt::Display for ShortName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.rsplit('.').next().unwrap_or(self.0))
    }
}

/// What preparing a call produced: a finished native result, or a frame to run.
pub enum Call {
    Done(Value),
    Frame(Box<Frame>),
}

impl Vm {
    /// The function behind `callable` when a call with `nargs` positional arguments binds
    /// them one to one: a plain Python function (not a generator or coroutine, no `*args`,
    /// `**kwargs`, keyword-only parameters or cells) taking exactly `nargs` parameters.
    /// Such a call needs none of `bind_function`'s rules, so the eval loop builds its frame
    /// straight from the value stack (`simple_frame`) without an `Args`.
    pub fn simple_function(&self, callable: Value, nargs: usize) -> Option<ObjRef> {
        use crate::bytecode::code::flags::{
            CO_ASYNC_GENERATOR, CO_COROUTINE, CO_GENERATOR, CO_VARARGS, CO_VARKEYWORDS,
        };
        let Value::Obj(r) = callable else {
            return None;
        };
        let Object::Function(func) = self.heap.get(r) else {
            return None;
        };
        let code = &func.code;
        let simple = code.co_flags
            & (CO_VARARGS | CO_VARKEYWORDS | CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)
            == 0
            && code.co_kwonlyargcount == 0
            && code.co_argcount as usize == nargs
            && code.co_cellvars.is_empty();
        simple.then_some(r)
    }

    /// The function of an unbound native method (`list.append` as LOAD_METHOD found it),
    /// which takes its receiver apart from the arguments.
    pub fn native_method(&self, callable: Value) -> Option<(NativeFn, &'static str, Arity)> {
        match self.heap.get(callable.as_obj()?) {
            Object::Native(n) if n.is_method && n.receiver.is_none() => {
                Some((n.func, n.name, n.arity))
            }
            _ => None,
        }
    }

    /// The frame of a call of a `simple_function`: `first` (a method's receiver) then `args`
    /// become its first fast locals, exactly as `bind_function` would place them.
    pub fn simple_frame(
        &mut self,
        func: ObjRef,
        first: Option<Value>,
        args: &[Value],
    ) -> Box<Frame> {
        let Object::Function(fd) = self.heap.get(func) else {
            unreachable!("simple_function checked it is a function")
        };
        let (consts, globals) = (fd.consts.clone(), fd.globals);
        let closure = fd.closure.clone();
        let mut frame = self.new_frame_with_consts(consts, globals, None, Resume::Push);
        let mut slots = frame.fast.iter_mut();
        for v in first.iter().chain(args) {
            *slots.next().expect("co_nlocals covers the parameters") = Some(*v);
        }
        frame.cells.extend(closure);
        frame
    }

    /// Binds arguments to a Python function's parameters (3.7's rules and messages).
    pub fn bind_function(&mut self, func: &Function, args: Args) -> PyResult<Box<Frame>> {
        let code = func.code.clone();
        let mut frame =
            self.new_frame_with_consts(func.consts.clone(), func.globals, None, Resume::Push);
        let argcount = code.co_argcount as usize;
        let kwonly = code.co_kwonlyargcount as usize;
        let has_varargs = code.co_flags & crate::bytecode::code::flags::CO_VARARGS != 0;
        let has_varkw = code.co_flags & crate::bytecode::code::flags::CO_VARKEYWORDS != 0;
        let name = ShortName(&func.qualname);
        let npos = args.pos.len();
        for (i, v) in args.pos.iter().take(argcount).enumerate() {
            frame.fast[i] = Some(*v);
        }
        let mut slot = argcount + kwonly;
        if has_varargs {
            let extra = if npos > argcount {
                args.pos[argcount..].to_vec()
            } else {
                vec![]
            };
            frame.fast[slot] = Some(self.new_tuple(extra));
            slot += 1;
        } else if npos > argcount {
            let given = npos;
            let msg = if func.defaults.is_empty() {
                format!(
                    "{name}() takes {argcount} positional argument{} but {given} {} given",
                    if argcount == 1 { "" } else { "s" },
                    if given == 1 { "was" } else { "were" }
                )
            } else {
                format!(
                    "{name}() takes from {} to {argcount} positional arguments but {given} were given",
                    argcount - func.defaults.len()
                )
            };
            return Err(self.type_error(&msg));
        }
        let kwdict = if has_varkw {
            let d = self.new_dict();
            frame.fast[slot] = Some(d);
            d.as_obj()
        } else {
            None
        };
        for (k, v) in args.kw {
            let pos = code.co_varnames[..argcount + kwonly]
                .iter()
                .position(|n| *n == k);
            match pos {
                Some(i) => {
                    if frame.fast[i].is_some() {
                        return Err(self.type_error(&format!(
                            "{name}() got multiple values for argument '{k}'"
                        )));
                    }
                    frame.fast[i] = Some(v);
                }
                None => match kwdict {
                    Some(d) => {
                        let key = self.new_str(k.clone());
                        if let Object::Dict(dict) = self.heap.get_mut(d) {
                            dict.insert(DictKey::Str(k.into()), (key, v));
                        }
                    }
                    None => {
                        return Err(self.type_error(&format!(
                            "{name}() got an unexpected keyword argument '{k}'"
                        )));
                    }
                },
            }
        }
        let ndefaults = func.defaults.len();
        let mut missing = Vec::new();
        for i in 0..argcount {
            if frame.fast[i].is_none() {
                if i + ndefaults >= argcount {
                    frame.fast[i] = Some(func.defaults[i + ndefaults - argcount]);
                } else {
                    missing.push(code.co_varnames[i].clone());
                }
            }
        }
        if !missing.is_empty() {
            let list = match missing.len() {
                1 => format!("'{}'", missing[0]),
                2 => format!("'{}' and '{}'", missing[0], missing[1]),
                _ => {
                    let (last, rest) = missing.split_last().expect("several");
                    format!(
                        "{}, and '{last}'",
                        rest.iter()
                            .map(|m| format!("'{m}'"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            };
            return Err(self.type_error(&format!(
                "{name}() missing {} required positional argument{}: {list}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" }
            )));
        }
        for i in argcount..argcount + kwonly {
            if frame.fast[i].is_none() {
                let pname = &code.co_varnames[i];
                match func.kwdefaults.iter().find(|(n, _)| n == pname) {
                    Some((_, v)) => frame.fast[i] = Some(*v),
                    None => {
                        return Err(self.type_error(&format!(
                            "{name}() missing 1 required keyword-only argument: '{pname}'"
                        )));
                    }
                }
            }
        }
        // Arguments that are also cells start in their cell.
        for (ci, cname) in code.co_cellvars.iter().enumerate() {
            if let Some(ai) = code.co_varnames.iter().position(|v| v == cname)
                && let Some(v) = frame.fast[ai]
            {
                let cell = frame.cells[ci];
                *self.heap.get_mut(cell) = Object::Cell(Some(v));
            }
        }
        frame.cells.extend(func.closure.iter().copied());
        Ok(frame)
    }
}
