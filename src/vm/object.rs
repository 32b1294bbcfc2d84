//! Heap objects: the payloads `ObjRef`s point at, and how the collector traces them.

use super::Vm;
use super::frame::Frame;
use super::value::{ObjRef, Value};
use crate::bytecode::CodeObject;
use compact_str::CompactString;
use indexmap::IndexMap;
use num_bigint::BigInt;
use std::sync::Arc;

/// A dict key: the hashable form of a value. Equal Python values (1, 1.0, True) map to
/// equal keys; heap objects without value semantics hash by identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DictKey {
    None,
    Int(i64),
    Float(u64),
    Big(BigInt),
    Str(CompactString),
    Bytes(Vec<u8>),
    Tuple(Vec<DictKey>),
    Id(u32),
    /// An instance whose class defines `__hash__` and `__eq__`: filed under its own identity
    /// and hashed by its `__hash__`, so a container finds the keys it may equal and asks
    /// `__eq__` (`Vm::key_in`).
    Custom {
        hash: i64,
        id: u32,
    },
}

impl DictKey {
    /// Whether finding this key in a container needs `__eq__` calls, not only its form.
    pub fn contains_custom(&self) -> bool {
        match self {
            DictKey::Custom { .. } => true,
            DictKey::Tuple(items) => items.iter().any(DictKey::contains_custom),
            _ => false,
        }
    }

    /// Python's hash of a number key (CPython's, modulo 2**61 - 1), or of a custom key.
    pub fn numeric_hash(&self) -> Option<i64> {
        match self {
            DictKey::Int(i) => Some(super::numeric_hash::hash_small_int(*i)),
            DictKey::Float(bits) => Some(super::numeric_hash::hash_float(f64::from_bits(*bits))),
            DictKey::Big(b) => Some(super::numeric_hash::hash_int(b)),
            DictKey::Custom { hash, .. } => Some(*hash),
            _ => None,
        }
    }

    /// Equal but for the identities of custom keys: the keys a custom key may equal (other
    /// custom keys and numbers of its hash, whose `__eq__` may say it is equal).
    pub fn same_form(&self, other: &DictKey) -> bool {
        match (self, other) {
            (DictKey::Custom { hash: a, .. }, DictKey::Custom { hash: b, .. }) => a == b,
            (DictKey::Custom { hash, .. }, number) | (number, DictKey::Custom { hash, .. }) => {
                number.numeric_hash() == Some(*hash)
            }
            (DictKey::Tuple(a), DictKey::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_form(y))
            }
            _ => self == other,
        }
    }
}

impl std::hash::Hash for DictKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            DictKey::None => state.write_u8(0),
            // Numbers and custom keys hash by Python's hash, so a custom key lands beside
            // the numbers it may equal (`K(1) in {1: 'a'}` asks K's __eq__).
            DictKey::Int(_) | DictKey::Float(_) | DictKey::Big(_) => {
                state.write_u8(8);
                self.numeric_hash().hash(state);
            }
            DictKey::Str(s) => StrKey(s).hash(state),
            DictKey::Bytes(b) => {
                state.write_u8(5);
                b.hash(state);
            }
            DictKey::Tuple(t) => {
                state.write_u8(6);
                t.hash(state);
            }
            DictKey::Id(i) => {
                state.write_u8(7);
                i.hash(state);
            }
            // The identity stays out of the hash: keys that may be equal land together.
            DictKey::Custom { hash, .. } => {
                state.write_u8(8);
                Some(*hash).hash(state);
            }
        }
    }
}

/// A borrowed str key: looks a name up in a dict without allocating a `DictKey`.
#[derive(Clone, Copy)]
pub struct StrKey<'a>(pub &'a str);

impl std::hash::Hash for StrKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u8(4);
        self.0.hash(state);
    }
}

impl indexmap::Equivalent<DictKey> for StrKey<'_> {
    fn equivalent(&self, key: &DictKey) -> bool {
        matches!(key, DictKey::Str(s) if s == self.0)
    }
}

/// Insertion-ordered entries: the key's hashable form to (the key as given, the value).
/// Keys hash with FxHash: dict lookups (every global and attribute access) are hot, and
/// SipHash's protection against chosen collisions buys nothing in a teaching VM.
pub type Dict = IndexMap<DictKey, (Value, Value), rustc_hash::FxBuildHasher>;

/// A namespace keyed by name (class and function `__dict__`s), hashed with FxHash: every
/// method and class attribute lookup walks these along the MRO.
pub type NameMap = IndexMap<String, Value, rustc_hash::FxBuildHasher>;

/// Positional and keyword arguments of a call.
#[derive(Default, Debug, Clone)]
pub struct Args {
    pub pos: Vec<Value>,
    pub kw: Vec<(String, Value)>,
}

impl Args {
    pub fn new(pos: Vec<Value>) -> Self {
        Args {
            pos,
            kw: Vec::new(),
        }
    }
}

/// A native function: receives the bound receiver (for methods) and the arguments.
pub type NativeFn = fn(&mut Vm, Option<Value>, Args) -> Result<Value, Value>;

#[derive(Clone)]
pub struct Function {
    pub code: Arc<CodeObject>,
    /// co_consts as values, looked up once when the function is made.
    pub consts: std::rc::Rc<super::frame::CodeData>,
    pub globals: ObjRef,
    pub qualname: String,
    pub defaults: Vec<Value>,
    pub kwdefaults: Vec<(String, Value)>,
    pub closure: Vec<ObjRef>,
    /// The function's `__dict__` (attributes a program sets), made on first use.
    pub dict: Option<ObjRef>,
    /// `__name__`, `__doc__` and `__module__` once a program assigns them (a decorator
    /// copying them from the function it wraps); until then they come from the code.
    pub overrides: NameMap,
    /// `__annotations__`: the dict MAKE_FUNCTION was given, or None until first asked.
    pub annotations: Value,
}

#[derive(Clone)]
pub struct Native {
    pub name: &'static str,
    pub func: NativeFn,
    pub receiver: Option<Value>,
    /// A method of a built-in type: called unbound (`str.lower(s)`), its first argument
    /// becomes the receiver.
    pub is_method: bool,
    /// A builtin that reads its caller's frame (globals(), locals(), exec() ...): the eval
    /// loop records the frame for it (`Vm::caller`).
    pub reads_frame: bool,
    /// How many positional arguments it takes, checked before the call.
    pub arity: Arity,
    /// The built-in type whose method this is, when its receiver must be one of that type's
    /// values (or an instance of a subclass, which stands for the value it extends).
    pub owner: Option<Owner>,
}

/// The positional arguments a built-in method takes, with the wording of CPython 3.7's
/// TypeError for each kind (which depends on how CPython declares the method; 3.10 put
/// the type's name before the method's, `list.append()`, which 3.7 does not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// Not checked here (the method checks, or takes any number).
    Any,
    /// `reverse() takes no arguments (1 given)`.
    NoArgs(Owner),
    /// `append() takes exactly one argument (0 given)`.
    One(Owner),
    /// `get expected at least 1 arguments, got 0` (argument clinic; 3.7 always says
    /// "arguments").
    Range(Owner, u8, u8),
    /// `find() takes at least 1 argument (0 given)` (PyArg_ParseTuple).
    Parsed(Owner, u8, u8),
}

/// The built-in type a checked method belongs to, named in its messages. (A byte rather
/// than the name keeps `Native`, and so every heap slot, from growing.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    List,
    Tuple,
    Dict,
    Set,
    FrozenSet,
    Str,
    Bytes,
    Int,
    Float,
}

impl Owner {
    pub fn of(tag: &str) -> Option<Owner> {
        Some(match tag {
            "list" => Owner::List,
            "tuple" => Owner::Tuple,
            "dict" => Owner::Dict,
            "set" => Owner::Set,
            "frozenset" => Owner::FrozenSet,
            "str" => Owner::Str,
            "bytes" => Owner::Bytes,
            "int" => Owner::Int,
            "float" => Owner::Float,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Owner::List => "list",
            Owner::Tuple => "tuple",
            Owner::Dict => "dict",
            Owner::Set => "set",
            Owner::FrozenSet => "frozenset",
            Owner::Str => "str",
            Owner::Bytes => "bytes",
            Owner::Int => "int",
            Owner::Float => "float",
        }
    }
}

impl Arity {
    /// The TypeError message for keyword arguments: the checked methods take none.
    pub fn keywords_refused(self, name: &str) -> Option<String> {
        match self {
            Arity::Any => None,
            _ => Some(format!("{name}() takes no keyword arguments")),
        }
    }

    /// The TypeError message when `given` positional arguments do not fit, for the method
    /// `name`.
    pub fn mismatch(self, name: &str, given: usize) -> Option<String> {
        let plural = |n: u8| if n == 1 { "argument" } else { "arguments" };
        match self {
            Arity::Any => None,
            Arity::NoArgs(_) => {
                (given != 0).then(|| format!("{name}() takes no arguments ({given} given)"))
            }
            Arity::One(_) => {
                (given != 1).then(|| format!("{name}() takes exactly one argument ({given} given)"))
            }
            Arity::Range(_, min, max) => {
                let (min, max) = (usize::from(min), usize::from(max));
                if (min..=max).contains(&given) {
                    None
                } else if min == max {
                    Some(format!("{name} expected {min} arguments, got {given}"))
                } else if given < min {
                    Some(format!(
                        "{name} expected at least {min} arguments, got {given}"
                    ))
                } else {
                    Some(format!(
                        "{name} expected at most {max} arguments, got {given}"
                    ))
                }
            }
            Arity::Parsed(_, min, max) if min == max && usize::from(min) != given => Some(format!(
                "{name}() takes exactly {min} {} ({given} given)",
                plural(min)
            )),
            Arity::Parsed(_, min, max) => {
                let (lo, hi) = (usize::from(min), usize::from(max));
                if given < lo {
                    Some(format!(
                        "{name}() takes at least {lo} {} ({given} given)",
                        plural(min)
                    ))
                } else if given > hi {
                    Some(format!(
                        "{name}() takes at most {hi} {} ({given} given)",
                        plural(max)
                    ))
                } else {
                    None
                }
            }
        }
    }
}

#[derive(Clone)]
pub struct Class {
    pub name: String,
    pub qualname: String,
    pub bases: Vec<ObjRef>,
    /// Method resolution order, this class first (C3 linearisation).
    pub mro: Vec<ObjRef>,
    pub dict: NameMap,
    /// Which built-in type this class is or derives from, for instance layout and methods.
    pub builtin: Option<&'static str>,
    /// What `Vm::simple_init` found (the `__init__` a call of the class runs, or none when
    /// the class has a `__new__` or no `__init__`), valid while `Vm::class_epoch` is the
    /// first field: instantiating a class in a loop looks its methods up once.
    pub init_cache: std::cell::Cell<(u64, Option<ObjRef>)>,
    /// The class's metaclass when it is not `type` (`class A(metaclass=Meta)`).
    pub metaclass: Option<ObjRef>,
    /// The attribute names the class's instances share, in the order they were first set
    /// (CPython's key-sharing dicts): an instance keeps the values of the first few, in this
    /// order, without a dict of its own (`Attrs::Split`). Names are only ever added, so an
    /// index into them stays true.
    pub attr_names: std::cell::RefCell<Vec<CompactString>>,
    /// With `__slots__` and no `__dict__` for its instances: the only attribute names they
    /// may have (its slots and its bases').
    pub slots: Option<Box<[CompactString]>>,
}

#[derive(Clone)]
pub struct Instance {
    pub class: ObjRef,
    /// The instance's attributes (its `__dict__`).
    pub attrs: Attrs,
    /// For an instance of a subclass of a built-in type (`class Stack(list)`), the
    /// built-in value it extends: the type's methods and operations work on it.
    pub payload: Option<Value>,
    /// An exception's `args`, `__cause__`, `__context__` and `__suppress_context__`
    /// (`ExcField` order), kept out of its `__dict__` as CPython's C struct keeps them;
    /// made when one is first set.
    pub exception: Option<Box<[Option<Value>; 4]>>,
}

/// The fields of `Instance::exception`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExcField {
    Args = 0,
    Cause = 1,
    Context = 2,
    SuppressContext = 3,
}

/// Where an instance keeps its attributes.
#[derive(Clone)]
pub enum Attrs {
    /// The values of the class's first `len` shared names (`Class::attr_names`), in their
    /// order: no dict object and no key per instance.
    Split(Vec<Value>),
    /// A dict object of its own, once something asked for `__dict__` (which must be live:
    /// `vars(obj)`), deleted an attribute, or set one out of the shared order.
    Dict(ObjRef),
}

/// Which part of a dict a view or iterator shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DictPart {
    Keys,
    Values,
    Items,
}

/// Native iterators.
#[derive(Clone)]
pub enum Iter {
    /// `coroutine.__await__()`: the coroutine as an iterator, which a plain generator may
    /// `yield from` (CPython's coroutine_wrapper).
    Await(ObjRef),
    /// Over a dict, live: it fails if the dict changes size meanwhile.
    Dict {
        dict: ObjRef,
        index: usize,
        size: usize,
        part: DictPart,
    },
    /// Over a list or tuple (re-reads the sequence, so appends during iteration are seen).
    Seq {
        seq: ObjRef,
        index: usize,
    },
    Str {
        chars: Vec<char>,
        index: usize,
    },
    Range {
        next: i64,
        stop: i64,
        step: i64,
    },
    /// Over a snapshot of values (bytes, an array, a reversed list): `type_name` is the
    /// iterator's type as CPython names it.
    Values {
        items: Vec<Value>,
        index: usize,
        type_name: &'static str,
    },
    /// Over a set's elements in CPython's order (a snapshot), failing as CPython's if the
    /// set changes size meanwhile.
    Set {
        set: ObjRef,
        items: Vec<Value>,
        index: usize,
    },
    Enumerate {
        inner: Value,
        /// The next index: an int of any size.
        count: Value,
    },
    Zip {
        inners: Vec<Value>,
    },
    Map {
        func: Value,
        inners: Vec<Value>,
    },
    Filter {
        func: Value,
        inner: Value,
    },
    /// iter(callable, sentinel)
    Callable {
        func: Value,
        sentinel: Value,
    },
    /// reversed() of a sequence without `__reversed__`: `seq[index]`, counting down; a
    /// negative index once exhausted.
    Reversed {
        seq: Value,
        index: i64,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GenKind {
    Generator,
    Coroutine,
    /// `async def` with `yield`: stepped through `AsyncGenStep` awaitables.
    AsyncGenerator,
}

impl GenKind {
    /// The type's name, as errors and reprs spell it.
    pub fn name(self) -> &'static str {
        match self {
            GenKind::Generator => "generator",
            GenKind::Coroutine => "coroutine",
            GenKind::AsyncGenerator => "async_generator",
        }
    }
}

/// collections.deque: a ring buffer, O(1) at both ends; with `maxlen`, adding at one end
/// drops from the other once full.
#[derive(Clone)]
pub struct Deque {
    pub items: std::collections::VecDeque<Value>,
    pub maxlen: Option<usize>,
}

/// What one awaitable of an async generator does (`asend`/`__anext__`, `athrow`, `aclose`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StepKind {
    Send(Value),
    Throw(Value),
    Close,
}

/// Where an `AsyncGenStep` is: not started, being awaited, done (as genobject.c's states).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    Init,
    Iter,
    Closed,
}

/// The awaitable `agen.asend(v)`, `agen.athrow(exc)` or `agen.aclose()` returns: awaiting it
/// runs the async generator to its next own `yield` (the awaitable's result, through
/// StopIteration) while values its inner awaits yield pass through to the awaiter.
#[derive(Clone)]
pub struct AsyncGenStep {
    pub agen: ObjRef,
    pub kind: StepKind,
    pub state: StepState,
}

#[derive(Clone)]
pub struct Generator {
    pub kind: GenKind,
    /// Names of up to 24 bytes are kept inline: making a coroutine allocates no text.
    pub name: CompactString,
    pub qualname: CompactString,
    pub code: Arc<CodeObject>,
    /// The suspended frame; `None` once the generator has finished.
    pub frame: Option<Box<Frame>>,
    pub running: bool,
    /// `-1` before the first resumption, then the offset of the last instruction run.
    pub lasti: i64,
    /// The exception the generator is handling while suspended in an `except` block (its
    /// own, kept from its caller's), and the caller's while it runs: as CPython's
    /// gi_exc_state, neither leaks into the other.
    pub own_exc: Value,
    pub outer_exc: Value,
    /// An async generator: its first iteration has called the `firstiter` hook
    /// (sys.set_asyncgen_hooks), which gave the finalizer kept here.
    pub hooks_inited: bool,
    pub finalizer: Value,
    /// An async generator that can yield no more (aclose() ran, or it finished).
    pub closed: bool,
}

/// A str: the text and its length in characters, counted once, so `len()` is O(1) and text
/// whose characters are all one byte indexes and slices by byte offset.
#[derive(Clone)]
pub struct PyStr {
    /// Text of up to 24 bytes is stored inline: most strs a program makes (names, numbers,
    /// words) need no allocation of their own.
    pub text: CompactString,
    pub chars: usize,
}

impl PyStr {
    pub fn new(text: CompactString) -> Self {
        let chars = text.chars().count();
        PyStr { text, chars }
    }

    /// Every character is one byte, so character positions are byte offsets.
    pub fn is_single_byte(&self) -> bool {
        self.chars == self.text.len()
    }
}

impl std::ops::Deref for PyStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

/// A memoryview: a window on the bytes of a bytes or bytearray object (`obj`), item `i`
/// being byte `start + i * step`; format 'B' (unsigned bytes), 'b' or 'c' after a cast.
#[derive(Clone)]
pub struct MemoryView {
    pub obj: Value,
    pub start: usize,
    pub step: isize,
    pub len: usize,
    pub readonly: bool,
    pub released: bool,
    pub format: u8,
}

/// array.array: the typecode (b, B, u, h, H, i, I, l, L, q, Q, f, d) and the items,
/// each checked against it on the way in.
#[derive(Clone)]
pub struct TypedArray {
    pub typecode: u8,
    pub items: Vec<Value>,
}

#[derive(Clone)]
pub enum Object {
    Str(PyStr),
    Bytes(Vec<u8>),
    ByteArray(Vec<u8>),
    MemoryView(Box<MemoryView>),
    /// A complex number: (real, imag).
    Complex(f64, f64),
    Array(Box<TypedArray>),
    BigInt(BigInt),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Dict),
    Set(Dict),
    FrozenSet(Dict),
    Range {
        start: i64,
        stop: i64,
        step: i64,
    },
    Slice {
        start: Value,
        stop: Value,
        step: Value,
    },
    Code(Arc<CodeObject>),
    Function(Box<Function>),
    Native(Native),
    BoundMethod {
        receiver: Value,
        func: Value,
    },
    Cell(Option<Value>),
    Class(Box<Class>),
    Instance(Instance),
    Iter(Iter),
    Generator(Box<Generator>),
    /// An async generator's own `yield`, told apart from what its awaits yield.
    AsyncGenValue(Value),
    AsyncGenStep(Box<AsyncGenStep>),
    /// collections.deque.
    Deque(Box<Deque>),
    /// weakref.ref: the referent while it lives (the collector clears it), and the
    /// callback called with the reference when it is cleared.
    WeakRef {
        target: Option<ObjRef>,
        callback: Value,
    },
    Module {
        name: String,
        dict: ObjRef,
    },
    StaticMethod(Value),
    ClassMethod(Value),
    Property {
        fget: Value,
        fset: Value,
        fdel: Value,
        /// property(doc=...), or None to use fget's docstring.
        doc: Value,
    },
    Super {
        class: ObjRef,
        receiver: Value,
    },
    /// dict.keys() / values() / items(): a live view of the dict.
    DictView {
        dict: ObjRef,
        part: DictPart,
    },
    /// threading.Lock / RLock: the owning VM thread, the recursion count, and the lock's
    /// place in creation order (deadlock reports call it `lock #serial`).
    Lock {
        owner: Option<u64>,
        count: u32,
        reentrant: bool,
        serial: u32,
    },
}

impl Object {
    /// Calls `visit` on every value this object holds, for the collector.
    pub fn trace(&self, visit: &mut dyn FnMut(Value)) {
        let dict = |d: &Dict, visit: &mut dyn FnMut(Value)| {
            for (k, v) in d.values() {
                visit(*k);
                visit(*v);
            }
        };
        match self {
            Object::MemoryView(m) => visit(m.obj),
            Object::Array(a) => a.items.iter().for_each(|x| visit(*x)),
            Object::Str(_)
            | Object::Bytes(_)
            | Object::ByteArray(_)
            | Object::Complex(..)
            | Object::BigInt(_)
            | Object::Range { .. }
            | Object::Code(_) => {}
            Object::Tuple(v) | Object::List(v) => v.iter().for_each(|x| visit(*x)),
            Object::Dict(d) | Object::Set(d) | Object::FrozenSet(d) => dict(d, visit),
            Object::Slice { start, stop, step } => {
                [start, stop, step].into_iter().for_each(|x| visit(*x))
            }
            Object::Function(f) => {
                visit(Value::Obj(f.globals));
                f.defaults.iter().for_each(|x| visit(*x));
                f.kwdefaults.iter().for_each(|(_, x)| visit(*x));
                f.closure.iter().for_each(|c| visit(Value::Obj(*c)));
                f.dict.iter().for_each(|d| visit(Value::Obj(*d)));
                f.overrides.values().for_each(|x| visit(*x));
                visit(f.annotations);
            }
            Object::Native(n) => n.receiver.iter().for_each(|x| visit(*x)),
            Object::BoundMethod { receiver, func } => {
                visit(*receiver);
                visit(*func);
            }
            Object::Cell(v) => v.iter().for_each(|x| visit(*x)),
            Object::Class(c) => {
                c.bases
                    .iter()
                    .chain(&c.mro)
                    .chain(&c.metaclass)
                    .for_each(|b| visit(Value::Obj(*b)));
                c.dict.values().for_each(|x| visit(*x));
            }
            Object::Instance(i) => {
                visit(Value::Obj(i.class));
                match &i.attrs {
                    Attrs::Split(values) => values.iter().for_each(|v| visit(*v)),
                    Attrs::Dict(d) => visit(Value::Obj(*d)),
                }
                if let Some(p) = i.payload {
                    visit(p);
                }
                i.exception
                    .iter()
                    .flat_map(|e| e.iter().flatten())
                    .for_each(|v| visit(*v));
            }
            Object::Iter(it) => match it {
                Iter::Dict { dict, .. } => visit(Value::Obj(*dict)),
                Iter::Seq { seq, .. } => visit(Value::Obj(*seq)),
                Iter::Str { .. } | Iter::Range { .. } => {}
                Iter::Values { items, .. } => items.iter().for_each(|x| visit(*x)),
                Iter::Set { set, items, .. } => {
                    visit(Value::Obj(*set));
                    items.iter().for_each(|x| visit(*x));
                }
                Iter::Enumerate { inner, count } => {
                    visit(*inner);
                    visit(*count);
                }
                Iter::Zip { inners } => inners.iter().for_each(|x| visit(*x)),
                Iter::Map { func, inners } => {
                    visit(*func);
                    inners.iter().for_each(|x| visit(*x));
                }
                Iter::Filter { func, inner } => {
                    visit(*func);
                    visit(*inner);
                }
                Iter::Callable { func, sentinel } => {
                    visit(*func);
                    visit(*sentinel);
                }
                Iter::Await(coro) => visit(Value::Obj(*coro)),
                Iter::Reversed { seq, .. } => visit(*seq),
            },
            Object::Generator(g) => {
                if let Some(f) = &g.frame {
                    f.trace(visit);
                }
                visit(g.own_exc);
                visit(g.outer_exc);
                visit(g.finalizer);
            }
            Object::AsyncGenValue(v) => visit(*v),
            Object::Deque(d) => d.items.iter().for_each(|x| visit(*x)),
            // The referent is not traced: that is what makes the reference weak.
            Object::WeakRef { callback, .. } => visit(*callback),
            Object::AsyncGenStep(step) => {
                visit(Value::Obj(step.agen));
                if let StepKind::Send(v) | StepKind::Throw(v) = step.kind {
                    visit(v);
                }
            }
            Object::Module { dict, .. } => visit(Value::Obj(*dict)),
            Object::StaticMethod(v) | Object::ClassMethod(v) => visit(*v),
            Object::Property {
                fget,
                fset,
                fdel,
                doc,
            } => {
                visit(*fget);
                visit(*fset);
                visit(*fdel);
                visit(*doc);
            }
            Object::Super { class, receiver } => {
                visit(Value::Obj(*class));
                visit(*receiver);
            }
            Object::Lock { .. } => {}
            Object::DictView { dict, .. } => visit(Value::Obj(*dict)),
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every heap slot holds an `Object`: a payload that grows it grows every program's
    /// memory (string_building touches 700,000 slots). Big payloads go in a Box.
    #[test]
    fn heap_slots_stay_at_64_bytes() {
        assert!(std::mem::size_of::<super::Object>() <= 64);
        assert!(std::mem::size_of::<Option<super::Object>>() <= 64);
    }
}
