//! The importable modules and the builtins. Modules register in one table (`TABLE`) that
//! the import machinery reads: a native module is a file here with a `make` function and
//! a row; a module written in minipy's Python is a file in lib/ and a row.

pub mod builtins;
mod dis;
mod json;
mod math;
mod os;
mod random;
mod re;
mod sys;
mod thread;
mod time;
mod traceback;

use crate::vm::import::{ModuleDef, ModuleSource};
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

/// Every importable module, by the name `import` uses.
pub static TABLE: &[ModuleDef] = &[
    native("sys", sys::make),
    native("math", math::make),
    native("_thread", thread::make),
    python("threading", include_str!("lib/threading.py")),
    python("queue", include_str!("lib/queue.py")),
    python("collections", include_str!("lib/collections.py")),
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
    python("re", include_str!("lib/re.py")),
    native("_re", re::make),
    python("json", include_str!("lib/json.py")),
    native("_json", json::make),
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
    let package = vm.new_module("concurrent", &[]);
    let futures = vm.embedded_module(
        "concurrent.futures",
        include_str!("lib/concurrent_futures.py"),
    )?;
    vm.dict_set_str(vm.module_dict(package), "futures", Value::Obj(futures));
    Ok(package)
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
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("must be real number, not {t}")))
        }
    }
}
