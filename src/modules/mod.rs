//! The importable modules and the builtins. Modules register in one table (`TABLE`) that
//! the import machinery reads: a native module is a file here with a `make` function and
//! a row; a module written in minipy's Python is a file in lib/ and a row.

mod array;
mod asyncio;
pub mod atexit;
pub mod builtins;
mod builtins_numbers;
mod cmath;
mod codecs;
mod dis;
mod exec;
mod gc;
mod json;
mod math;
mod math_erf;
mod math_special;
mod multiprocessing;
mod os;
mod pickle;
mod random;
mod re;
mod signal;
pub mod source_files;
mod struct_module;
mod sys;
mod thread;
mod time;
mod traceback;
mod types_native;
mod unicodedata;
mod unittest;
mod warnings_native;
mod weakref;

use crate::vm::import::{ModuleDef, ModuleSource};
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

/// Every importable module, by the name `import` uses.
pub static TABLE: &[ModuleDef] = &[
    native("sys", sys::make),
    native("math", math::make),
    native("cmath", cmath::make),
    native("unicodedata", unicodedata::make),
    native("_thread", thread::make),
    python("threading", include_str!("lib/threading.py")),
    python("queue", include_str!("lib/queue.py")),
    python("collections", include_str!("lib/collections.py")),
    python("_collections_user", include_str!("lib/collections_user.py")),
    python("functools", include_str!("lib/functools.py")),
    python("itertools", include_str!("lib/itertools.py")),
    native("time", time::make),
    python("dis", include_str!("lib/dis.py")),
    python("traceback", include_str!("lib/traceback.py")),
    native("_traceback", traceback::make),
    native("_dis", dis::make),
    native("os", os::make),
    python("random", include_str!("lib/random.py")),
    native("_random", random::make),
    native("concurrent", make_concurrent),
    native("asyncio", asyncio::make),
    native("unittest", unittest::make),
    native("_asyncio", asyncio::make_native),
    native("_collections", make_collections),
    native("_types", types_native::make),
    native("_weakref", weakref::make),
    python("weakref", include_str!("lib/weakref.py")),
    native("gc", gc::make),
    native("atexit", atexit::make),
    native("_warnings", warnings_native::make),
    python("warnings", include_str!("lib/warnings.py")),
    python("contextvars", include_str!("lib/contextvars.py")),
    python("heapq", include_str!("lib/heapq.py")),
    python("bisect", include_str!("lib/bisect.py")),
    python("operator", include_str!("lib/operator.py")),
    python("copy", include_str!("lib/copy.py")),
    python("platform", include_str!("lib/platform.py")),
    python("string", include_str!("lib/string.py")),
    python("textwrap", include_str!("lib/textwrap.py")),
    python("enum", include_str!("lib/enum.py")),
    python("abc", include_str!("lib/abc.py")),
    python("_collections_abc", include_str!("lib/collections_abc.py")),
    python("contextlib", include_str!("lib/contextlib.py")),
    python("io", include_str!("lib/io.py")),
    python("dataclasses", include_str!("lib/dataclasses.py")),
    python("types", include_str!("lib/types.py")),
    python("typing", include_str!("lib/typing.py")),
    python("numbers", include_str!("lib/numbers.py")),
    python("fractions", include_str!("lib/fractions.py")),
    python("statistics", include_str!("lib/statistics.py")),
    python("inspect", include_str!("lib/inspect.py")),
    python("re", include_str!("lib/re.py")),
    native("_re", re::make),
    python("json", include_str!("lib/json.py")),
    python("importlib", include_str!("lib/importlib.py")),
    native("_json", json::make),
    python("pickle", include_str!("lib/pickle.py")),
    native("_pickle", pickle::make),
    python("copyreg", include_str!("lib/copyreg.py")),
    native("_codecs", codecs::make),
    native("builtins", make_builtins),
    native("struct", struct_module::make),
    native("array", array::make),
    native("multiprocessing", multiprocessing::make),
    // Made at their first import (`import multiprocessing` makes util, process,
    // reduction and context).
    python(
        "multiprocessing.synchronize",
        include_str!("multiprocessing/synchronize.py"),
    ),
    python(
        "multiprocessing.queues",
        include_str!("multiprocessing/queues.py"),
    ),
    python(
        "multiprocessing.connection",
        include_str!("multiprocessing/connection.py"),
    ),
    python(
        "multiprocessing.sharedctypes",
        include_str!("multiprocessing/sharedctypes.py"),
    ),
    python(
        "multiprocessing.pool",
        include_str!("multiprocessing/pool.py"),
    ),
    python(
        "multiprocessing.spawn",
        include_str!("multiprocessing/spawn.py"),
    ),
    native("_multiprocessing", multiprocessing::native::make),
    python("ctypes", include_str!("lib/ctypes.py")),
    native("signal", signal::make),
];

const fn native(name: &'static str, make: fn(&mut Vm) -> PyResult<ObjRef>) -> ModuleDef {
    ModuleDef {
        name,
        source: ModuleSource::Native(make),
    }
}

const fn python(name: &'static str, source: &'static str) -> ModuleDef {
    ModuleDef {
        name,
        source: ModuleSource::Python(source),
    }
}

/// The `concurrent` package, made with its one module, `concurrent.futures`.
fn make_concurrent(vm: &mut Vm) -> PyResult<ObjRef> {
    make_package(
        vm,
        "concurrent",
        &[("futures", include_str!("lib/concurrent_futures.py"))],
        "",
    )
}

/// `builtins`: the builtins namespace as a module (pickle finds `builtins.len` there).
fn make_builtins(vm: &mut Vm) -> PyResult<ObjRef> {
    let dict = vm.builtins;
    Ok(vm.heap.alloc(crate::vm::object::Object::Module {
        name: "builtins".to_string(),
        dict,
    }))
}

/// `_collections`: the native types lib/collections.py re-exports (deque).
fn make_collections(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module("_collections", &[]);
    let deque = Value::Obj(vm.types["deque"]);
    vm.dict_set_str(vm.module_dict(m), "deque", deque);
    Ok(m)
}

/// A package written in minipy's Python: its modules (`name.sub`) run in the order given,
/// each becoming an attribute of the package as it is made (so later ones can import
/// earlier ones), then `init` runs in the package's own namespace. The package is
/// registered first, so imports inside its modules find it.
fn make_package(
    vm: &mut Vm,
    name: &str,
    modules: &[(&str, &'static str)],
    init: &'static str,
) -> PyResult<ObjRef> {
    let package = vm.new_module(name, &[]);
    vm.register_module(name, package);
    let made = (|| {
        for (sub, source) in modules {
            let m = vm.embedded_module(&format!("{name}.{sub}"), source)?;
            vm.dict_set_str(vm.module_dict(package), sub, Value::Obj(m));
        }
        if !init.is_empty() {
            vm.run_in_module(package, &format!("<minipy {name}>"), init)?;
        }
        Ok(package)
    })();
    if made.is_err() {
        vm.unregister_module(name);
    }
    made
}

pub(crate) fn arg(args: &Args, i: usize) -> Value {
    args.pos.get(i).copied().unwrap_or(Value::None)
}

pub(crate) fn float_arg(vm: &mut Vm, args: &Args, i: usize) -> PyResult<f64> {
    let v = arg(args, i);
    match vm.to_f64(v) {
        Some(f) if f.is_infinite() && !matches!(v, Value::Float(_)) => {
            Err(vm.new_exception("OverflowError", "int too large to convert to float"))
        }
        Some(f) => Ok(f),
        None => {
            // An object with __float__ (a Fraction) converts through it, as in CPython.
            if let Some(f) = vm.call_special(v, "__float__", vec![])? {
                return match f {
                    Value::Float(x) => Ok(x),
                    _ => {
                        let t = vm.type_name(f);
                        Err(vm.type_error(&format!("__float__ returned non-float (type {t})")))
                    }
                };
            }
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("must be real number, not {t}")))
        }
    }
}
