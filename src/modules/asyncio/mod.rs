//! asyncio, written in minipy's Python (CPython's is Python too, with C accelerators): the
//! package's modules, loaded in dependency order when `asyncio` is first imported.

pub mod accelerate;
pub mod handles;
pub mod native;

use crate::vm::{ObjRef, PyResult, Vm};

/// Makes `_asyncio`: the timer heap and the explorer's hooks (native.rs), and the hot
/// methods of Future and Task (accelerate.rs) and of the loop's handles (handles.rs).
pub fn make_native(vm: &mut Vm) -> PyResult<ObjRef> {
    let functions: Vec<_> = native::FUNCTIONS
        .iter()
        .chain(accelerate::METHODS)
        .chain(handles::METHODS)
        .copied()
        .collect();
    Ok(vm.new_module("_asyncio", &functions))
}

/// Makes the `asyncio` package.
pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    super::make_package(
        vm,
        "asyncio",
        &[
            ("format_helpers", include_str!("format_helpers.py")),
            ("base_futures", include_str!("base_futures.py")),
            ("events", include_str!("events.py")),
            ("coroutines", include_str!("coroutines.py")),
            ("futures", include_str!("futures.py")),
            ("tasks", include_str!("tasks.py")),
            ("locks", include_str!("locks.py")),
            ("queues", include_str!("queues.py")),
            ("base_events", include_str!("base_events.py")),
            ("runners", include_str!("runners.py")),
        ],
        include_str!("__init__.py"),
    )
}
