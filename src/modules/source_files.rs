//! Modules from source files: what `import` finds when the module table has no row for a
//! name. A top-level module is looked for along `sys.path` (the script's folder first), a
//! package's module in the package's `__path__`: `NAME.py` (or `NAME.mpy`, minipy's own
//! extension), else a package `NAME/__init__.py`. The module runs once, in its own
//! namespace with `__file__`, and is kept in `sys.modules` like any other.

use crate::compile::Mode;
use crate::vm::frame::Resume;
use crate::vm::object::Object;
use crate::vm::{ObjRef, PyResult, Value, Vm};
use std::path::{Path, PathBuf};

/// The file a module comes from, and the package folder when it is a package.
struct Found {
    file: PathBuf,
    package_dir: Option<PathBuf>,
}

/// The module `full` (a dotted name), from a source file; None when there is none.
/// `package` is the module's package for a dotted name.
pub fn find(vm: &mut Vm, full: &str, package: Option<ObjRef>) -> PyResult<Option<ObjRef>> {
    let leaf = full.rsplit('.').next().unwrap_or(full);
    let folders = match package {
        Some(p) => package_path(vm, p),
        None => sys_path(vm),
    };
    let Some(found) = folders.iter().find_map(|dir| locate(Path::new(dir), leaf)) else {
        return Ok(None);
    };
    let source = match std::fs::read(&found.file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            let message = format!("{}: '{}'", e, found.file.display());
            return Err(vm.new_exception("ImportError", &message));
        }
    };
    load(vm, full, &found, &source).map(Some)
}

/// `NAME.py`, `NAME.mpy` or `NAME/__init__.py` in `dir`.
fn locate(dir: &Path, name: &str) -> Option<Found> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let package_dir = dir.join(name);
    for init in ["__init__.py", "__init__.mpy"] {
        let file = package_dir.join(init);
        if file.is_file() {
            return Some(Found {
                file,
                package_dir: Some(package_dir),
            });
        }
    }
    ["py", "mpy"].iter().find_map(|ext| {
        let file = dir.join(format!("{name}.{ext}"));
        file.is_file().then_some(Found {
            file,
            package_dir: None,
        })
    })
}

/// Compiles and runs the module's source in a new module registered under `full`.
fn load(vm: &mut Vm, full: &str, found: &Found, source: &str) -> PyResult<ObjRef> {
    let filename = found.file.to_string_lossy().into_owned();
    let code = match crate::compile::compile_source(source, &filename) {
        Ok(code) => code,
        Err(e) => {
            return Err(super::exec::syntax_error_value(
                vm,
                &e,
                &filename,
                source,
                Mode::Exec,
            ));
        }
    };
    vm.sources.insert(
        filename.clone(),
        source.lines().map(str::to_string).collect(),
    );
    let m = vm.new_module(full, &[]);
    let dict = vm.module_dict(m);
    let file = vm.new_str(filename.as_str());
    vm.dict_set_str(dict, "__file__", file);
    let builtins = Value::Obj(vm.builtins);
    vm.dict_set_str(dict, "__builtins__", builtins);
    vm.dict_set_str(dict, "__doc__", Value::None);
    // __package__: the package itself for a package, else the one the module is in.
    let package = match &found.package_dir {
        Some(dir) => {
            let dir = vm.new_str(dir.to_string_lossy().into_owned());
            let path = vm.new_list(vec![dir]);
            vm.dict_set_str(dict, "__path__", path);
            full.to_string()
        }
        None => full.rsplit_once('.').map_or("", |(p, _)| p).to_string(),
    };
    let package = vm.new_str(package);
    vm.dict_set_str(dict, "__package__", package);
    // Registered first, so imports that lead back to the module find it half-made, as
    // CPython's do.
    vm.register_module(full, m);
    let frame = vm.new_frame(code, dict, Some(dict), Resume::Native);
    if let Err(e) = vm.run_frame(frame) {
        vm.unregister_module(full);
        return Err(e);
    }
    Ok(m)
}

/// The folders of `sys.path` (its str entries), as the program has left it.
fn sys_path(vm: &mut Vm) -> Vec<String> {
    // sys is made on first import; its path is what it starts with until then.
    let Ok(Value::Obj(sys)) = vm.import("sys", true) else {
        return vec![];
    };
    let dict = vm.module_dict(sys);
    let path = vm.dict_get_str(dict, "path");
    strings(vm, path)
}

/// A package's `__path__` folders.
fn package_path(vm: &mut Vm, package: ObjRef) -> Vec<String> {
    let path = match vm.heap.get(package) {
        Object::Module { dict, .. } => vm.dict_get_str(*dict, "__path__"),
        _ => None,
    };
    strings(vm, path)
}

fn strings(vm: &Vm, list: Option<Value>) -> Vec<String> {
    let Some(Object::List(items)) = list.and_then(Value::as_obj).map(|r| vm.heap.get(r)) else {
        return vec![];
    };
    items
        .iter()
        .filter_map(|v| vm.str_of(*v).map(str::to_string))
        .collect()
}
