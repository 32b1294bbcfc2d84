//! The core of the virtual machine: the `Vm` (the heap it owns, the frame stack of the
//! running thread, the thread table) and the services every part of the runtime uses:
//! allocation, namespaces, frames, running code, garbage collection.
//!
//! - `value.rs`, `heap.rs`, `object.rs`, `frame.rs`: values, the heap and its collector,
//!   object payloads, frames.
//! - `types.rs`: the built-in types and exceptions as classes; `calls.rs`: argument binding.
//! - `eval.rs` (with `fast_path.rs`, `eval_ops.rs`, `run.rs`, `unwind.rs`): the eval loop;
//!   `generators.rs`: generator and coroutine frames.
//! - `threads.rs`: VM threads and the hooks a scheduler plugs in; `import.rs`: the import
//!   machinery over a module table; `report.rs`: uncaught-exception reports.
//!
//! The core names no module, scheduler or tool: the module table and the scheduler are
//! handed in (`Plugins`) by the library's facade.

pub mod async_gen;
mod calls;
pub mod checkpoint;
pub mod eval;
mod eval_ops;
mod fast_path;
mod finalize;
mod fork;
pub mod frame;
pub mod generators;
pub mod heap;
pub mod import;
mod instance_attrs;
pub mod memory;
mod namespaces;
pub mod numeric_hash;
pub mod object;
mod report;
mod run;
mod stack_ops;
pub mod threads;
mod types;
pub mod unwind;
pub mod value;

use crate::bytecode::CodeObject;
pub use calls::Call;
use compact_str::CompactString;
use frame::{CodeData, Frame, Resume};
use heap::Heap;
use indexmap::IndexMap;
pub use instance_attrs::AttrSlot;
pub use object::Args;
use object::{Dict, DictKey, Instance, Native, NativeFn, Object, StrKey};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;
pub(crate) use types::{EXCEPTIONS, EXTENSIBLE, TYPES};
pub use value::{ObjRef, Value};

/// An exception in flight: the exception instance.
pub type PyResult<T> = Result<T, Value>;

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
    /// `sys.modules`: a dict of the same modules, kept in step with `modules` by
    /// `register_module` (and read by import, so a program's changes to it count).
    pub modules_dict: ObjRef,
    /// The exception being handled (sys.exc_info()), or None.
    pub handled: Value,
    /// Each exception's traceback, innermost frame first.
    pub tracebacks: HashMap<ObjRef, Vec<TbEntry>>,
    pub sources: HashMap<String, Vec<String>>,
    pub recursion_limit: usize,
    /// Native calls into Python code currently on the Rust stack.
    pub native_depth: usize,
    /// Calls made by native code in progress (`enter_native_call`): with `native_depth`,
    /// the Rust stack's depth, bounded by the recursion limit.
    pub native_calls: usize,
    pub out: Output,
    pub argv: Vec<String>,
    /// `--seed`: where the scheduler and an unseeded `random` start.
    pub seed: u64,
    /// `--max-memory`: the bytes a new object's size is checked against (`memory.rs`).
    pub max_memory: u64,
    /// `heap.allocated_since_gc` at which `check_held_memory` looks again.
    pub memory_check_at: usize,
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
    /// VM threads and the GIL's check counter.
    pub threads: threads::Threads,
    /// The scheduler: what the core asks at switch points, and what it keeps.
    pub scheduler: &'static threads::SchedulerHooks,
    pub scheduler_state: Box<dyn Any>,
    /// The modules `import` can make (`import::ModuleDef`).
    pub module_table: &'static [import::ModuleDef],
    /// Finds a module the table has no row for (`import::ModuleFinder`).
    pub module_finder: import::ModuleFinder,
    /// What native modules keep between calls, one value per type (`module_state`).
    pub module_state: rustc_hash::FxHashMap<TypeId, ModuleState>,
    /// Instructions executed: the virtual clock's tick.
    pub ticks: u64,
    /// A recorder of the run (`threads::Observer`), when one is installed.
    pub observer: Option<Box<dyn threads::Observer>>,
    /// The value a blocking native returns to suspend its thread (never seen by programs).
    pub block_signal: Value,
    /// A native (gc.collect) asked for a collection: the eval loop makes it as the call
    /// returns, when the calling frame can be rooted, and gives its count as the result.
    pub collect_requested: bool,
    /// (file, line) pairs already warned about, as the warnings module's default filter.
    pub warned: std::collections::HashSet<(String, u32)>,
    /// Finished frames, reused by new frames with their emptied buffers (value stack, fast
    /// locals, cells, blocks): every call would otherwise allocate and free them all.
    pub frame_pool: Vec<Box<Frame>>,
    /// Moves on whenever a class namespace may have changed (assignment or deletion on a
    /// class, a new class) and at every collection (a freed class's slot may be reused):
    /// attribute inline caches (`frame::AttrHint`) filled at an older epoch are ignored.
    pub class_epoch: u64,
    /// Bumped whenever a dict loses a key: a LOAD_GLOBAL cache of a builtin holds only
    /// while the module's globals have neither lost nor gained a key (see `global_hinted`).
    pub dict_removals: u64,
    /// Whether a class's own `__hash__` has made a custom dict key (`DictKey::Custom`):
    /// until then a number key missing by form is missing.
    pub custom_keys_made: bool,
    /// Whether some class has defined `__getattribute__` (in its body or later): until
    /// then no attribute read needs to look for one.
    pub getattribute_defined: bool,
    /// One str object per name stored in a namespace (attribute, global, class member):
    /// the key object `dict_set_str` files an entry under, shared as CPython interns
    /// names, so storing an attribute on a new instance allocates no key object. A root.
    pub interned: rustc_hash::FxHashMap<Box<str>, Value>,
    /// The built-in types' methods as function objects, made once each, so that
    /// `A.__init__ is object.__init__` holds as in CPython.
    pub builtin_methods: rustc_hash::FxHashMap<(&'static str, &'static str), Value>,
    /// Since a checkpoint: the keys added to the caches above (a rollback takes them out,
    /// as their values are gone).
    pub added_since_checkpoint: Option<checkpoint::Added>,
}

/// How `minipy run` configures the VM.
#[derive(Clone, Debug)]
pub struct Options {
    pub argv: Vec<String>,
    pub seed: u64,
    pub check_interval: u32,
    pub max_threads: usize,
    pub switch_interval: f64,
    /// `--cpus`: how many simulated processes run at the same virtual time under the
    /// deterministic scheduler (what `os.cpu_count()` returns there).
    pub cpus: usize,
    /// `--max-memory` in bytes (`memory.rs`).
    pub max_memory: u64,
    /// `--max-steps`: counted instructions the program may run (`u64::MAX`: no limit).
    pub max_steps: u64,
}

/// Where a program's standard output goes: the process's (buffered), or a buffer (the
/// explorer compares what each schedule printed).
pub enum Output {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    Captured(Vec<u8>),
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::Captured(bytes) => bytes.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Output::Stdout(out) => out.write_all(buf),
            Output::Captured(bytes) => bytes.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::Captured(_) => Ok(()),
        }
    }
}

/// A native module's state (`Vm::module_state`), with how to copy it for a checkpoint.
pub struct ModuleState {
    pub value: Box<dyn Any>,
    copy: fn(&dyn Any) -> Box<dyn Any>,
}

impl ModuleState {
    fn new<T: Any + Clone>(value: T) -> Self {
        ModuleState {
            value: Box::new(value),
            copy: |v| Box::new(v.downcast_ref::<T>().expect("its own type").clone()),
        }
    }
}

impl Clone for ModuleState {
    fn clone(&self) -> Self {
        ModuleState {
            value: (self.copy)(&*self.value),
            copy: self.copy,
        }
    }
}

/// What the core is created with but does not name: the builtins, the module table and a
/// scheduler.
pub struct Plugins {
    /// Fills the builtins namespace (`Vm::builtins`) once the built-in types exist.
    pub builtins: fn(&mut Vm),
    pub modules: &'static [import::ModuleDef],
    pub find_module: import::ModuleFinder,
    pub scheduler: &'static threads::SchedulerHooks,
    pub scheduler_state: Box<dyn Any>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            argv: vec![],
            seed: 0,
            check_interval: 100,
            max_threads: 1024,
            switch_interval: 0.005,
            cpus: 2,
            max_memory: memory::default_max_memory(),
            max_steps: u64::MAX,
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
    /// A VM with its built-in types and the plugins' builtins, modules and scheduler.
    pub fn with_options(options: Options, plugins: Plugins) -> Vm {
        let argv = options.argv;
        let mut heap = Heap::new();
        let builtins = heap.alloc(Object::Dict(Dict::default()));
        let modules_dict = heap.alloc(Object::Dict(Dict::default()));
        let mut vm = Vm {
            heap,
            frames: Vec::new(),
            types: Default::default(),
            builtins,
            modules: IndexMap::new(),
            modules_dict,
            handled: Value::None,
            tracebacks: HashMap::new(),
            sources: HashMap::new(),
            recursion_limit: 1000,
            native_depth: 0,
            native_calls: 0,
            out: Output::Stdout(std::io::BufWriter::new(std::io::stdout())),
            argv,
            seed: options.seed,
            max_memory: options.max_memory,
            memory_check_at: 0,
            gen_returned: false,
            stop_value: Value::None,
            caller: None,
            repr_stack: Vec::new(),
            const_cache: HashMap::new(),
            threads: threads::Threads::new(
                options.check_interval,
                options.max_threads,
                options.switch_interval,
            ),
            scheduler: plugins.scheduler,
            scheduler_state: plugins.scheduler_state,
            module_table: plugins.modules,
            module_finder: plugins.find_module,
            module_state: Default::default(),
            ticks: 0,
            observer: None,
            block_signal: Value::None,
            collect_requested: false,
            warned: Default::default(),
            frame_pool: Vec::new(),
            class_epoch: 1,
            dict_removals: 0,
            custom_keys_made: false,
            getattribute_defined: false,
            interned: Default::default(),
            builtin_methods: Default::default(),
            added_since_checkpoint: None,
        };
        vm.threads.step_limit = options.max_steps;
        vm.threads.next_check = vm.threads.next_check.min(options.max_steps);
        vm.create_types();
        (plugins.builtins)(&mut vm);
        let signal_class = vm.types["object"];
        vm.block_signal = vm.new_instance(signal_class);
        vm
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
            reads_frame: false,
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

    // ------------------------------------------------------------ running code

    /// Runs a module's code object to completion in a fresh namespace.
    pub fn run_module(&mut self, code: Arc<CodeObject>, source: &str) -> PyResult<Value> {
        let frame = self.module_frame(code, source);
        self.run_frame(frame)
    }

    /// The frame that runs a module's code in a fresh `__main__` namespace.
    pub fn module_frame(&mut self, code: Arc<CodeObject>, source: &str) -> Box<Frame> {
        // As CPython, a traceback shows no lines of `<stdin>` or `<string>` (`-c`) code.
        if !code.co_filename.starts_with('<') {
            self.sources.insert(
                code.co_filename.clone(),
                source.lines().map(str::to_string).collect(),
            );
        }
        let globals = self.new_dict();
        let globals = globals.as_obj().expect("a dict is a heap object");
        let name = self.new_str("__main__");
        let builtins_ref = Value::Obj(self.builtins);
        let file = self.new_str(code.co_filename.as_str());
        self.dict_set_str(globals, "__name__", name);
        self.dict_set_str(globals, "__builtins__", builtins_ref);
        self.dict_set_str(globals, "__file__", file);
        // The program's namespace is the module `__main__`, as `import __main__` (and
        // pickle, finding `__main__.f` by name) sees it.
        let main = self.heap.alloc(Object::Module {
            name: "__main__".into(),
            dict: globals,
        });
        self.register_module("__main__", main);
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
        if let Some(added) = &mut self.added_since_checkpoint {
            added.interned.push(name.into());
        }
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

    /// One more level of calls made by native code (`leave_native_call` takes it off), or
    /// CPython's RecursionError when the recursion limit is reached. Counted apart from
    /// `native_depth`, which says whether the GIL may be dropped and a block waited out.
    pub fn enter_native_call(&mut self) -> PyResult<()> {
        // A little past run_frame's limit: recursion that goes through Python frames
        // meets that one first, with CPython's message for it.
        let depth = self.native_depth + self.native_calls;
        if depth > self.recursion_limit.min(MAX_NATIVE_DEPTH) + 50 {
            return Err(self.new_exception(
                "RecursionError",
                "maximum recursion depth exceeded while calling a Python object",
            ));
        }
        self.native_calls += 1;
        Ok(())
    }

    pub fn leave_native_call(&mut self) {
        self.native_calls -= 1;
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
        // A built-in called from native code runs on the Rust stack: count it, so a cycle
        // of built-ins (`__repr__ = __str__`) is a RecursionError, not a stack overflow.
        self.enter_native_call()?;
        let prepared = self.prepare_call(callable, args);
        self.leave_native_call();
        match prepared? {
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
        let at = self
            .frames
            .last()
            .map(|f| (f.code().co_filename.clone(), f.lineno()));
        self.collect_at(extra, at)
    }

    /// `collect`, with the place of the code running (for the warnings finalizers give).
    pub fn collect_at(&mut self, extra: &[Value], at: Option<(String, u32)>) -> usize {
        let mut roots: Vec<Value> = extra.to_vec();
        roots.push(Value::Obj(self.builtins));
        roots.push(self.handled);
        roots.push(self.block_signal);
        for t in &self.threads.threads {
            roots.push(t.handled);
            roots.push(t.thread_obj);
            for f in &t.frames {
                f.trace(&mut |v| roots.push(v));
            }
        }
        if let Some(Ok(v) | Err(v)) = self.threads.main_result {
            roots.push(v);
        }
        for local in &self.threads.locals {
            roots.extend([Value::Obj(local.obj), local.args, local.kwargs]);
            roots.extend(local.dicts.iter().map(|(_, d, _)| Value::Obj(*d)));
        }
        roots.extend(self.types.values().map(|t| Value::Obj(*t)));
        roots.extend(self.modules.values().map(|m| Value::Obj(*m)));
        roots.push(Value::Obj(self.modules_dict));
        roots.extend(self.interned.values().copied());
        roots.extend(self.async_gen_hook_values());
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
        self.collect_and_finalize(roots, at)
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// What a native module keeps between calls: one value of type `T` per VM, made by
    /// `init` on first use.
    pub fn module_state<T: Any + Clone>(&mut self, init: impl FnOnce() -> T) -> &mut T {
        self.module_state
            .entry(TypeId::of::<T>())
            .or_insert_with(|| ModuleState::new(init()))
            .value
            .downcast_mut()
            .expect("filed under its own type")
    }
}
