//! multiprocessing, written in minipy's Python over the natives of `_multiprocessing`
//! (`native.rs`): the package's modules, loaded in dependency order when `multiprocessing`
//! is first imported. Processes, the kernel of shared objects and the two ways of running
//! them (simulated under det, real under os) are the schedulers' (src/sched/process/).

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
            ("synchronize", include_str!("synchronize.py")),
            ("queues", include_str!("queues.py")),
            ("connection", include_str!("connection.py")),
            ("sharedctypes", include_str!("sharedctypes.py")),
            ("pool", include_str!("pool.py")),
            ("spawn", include_str!("spawn.py")),
        ],
        include_str!("__init__.py"),
    )
}
