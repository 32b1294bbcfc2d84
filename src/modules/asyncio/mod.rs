//! asyncio, written in minipy's Python (CPython's is Python too, with C accelerators): the
//! package's modules, loaded in dependency order when `asyncio` is first imported.

pub mod native;

use crate::vm::{ObjRef, PyResult, Vm};

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
