//! multiprocessing, written in minipy's Python over the natives of `_multiprocessing`
//! (`native.rs`). `import multiprocessing` makes what CPython's does (util, process,
//! reduction, context), in dependency order; the other modules are rows of the module
//! table, made at their first import, so a program that starts a Pool does not compile
//! Pipe's or sharedctypes' code. Processes, the kernel of shared objects and the two ways
//! of running them (simulated under det, real under os) are the schedulers'
//! (src/sched/process/).

pub mod native;

use crate::vm::{ObjRef, PyResult, Vm};

/// Makes the `multiprocessing` package.
pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    super::make_package(
        vm,
        "multiprocessing",
        &[
            ("util", include_str!("util.py")),
            ("process", include_str!("process.py")),
            ("reduction", include_str!("reduction.py")),
            ("context", include_str!("context.py")),
        ],
        include_str!("__init__.py"),
    )
}
