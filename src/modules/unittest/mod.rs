//! unittest, written in minipy's Python (CPython's is Python too): the package's
//! modules, loaded in dependency order when `unittest` is first imported.

use crate::vm::{ObjRef, PyResult, Vm};

/// Makes the `unittest` package.
pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    super::make_package(
        vm,
        "unittest",
        &[
            ("case", include_str!("case.py")),
            ("suite", include_str!("suite.py")),
            ("runner", include_str!("runner.py")),
        ],
        include_str!("__init__.py"),
    )
}
