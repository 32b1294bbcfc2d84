//! The import machinery: `import a.b` finds a module in `Vm::modules` or makes it on first
//! import from the module table the VM was created with (`ModuleDef`: a native installer or
//! Python source). The core names no module: the table is handed in (src/modules/).

use super::frame::Resume;
use super::object::{Dict, NativeFn, Object};
use super::{ObjRef, PyResult, Value, Vm};
use crate::bytecode::CodeObject;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// How a module is made on first import.
pub enum ModuleSource {
    /// A native installer: builds the module object (and may import others).
    Native(fn(&mut Vm) -> PyResult<ObjRef>),
    /// Source in minipy's Python, compiled and run in the module's namespace.
    Python(&'static str),
}

/// One row of the module table.
pub struct ModuleDef {
    pub name: &'static str,
    pub source: ModuleSource,
}

/// Makes the module with a dotted name that the table has no row for (a source file on
/// `sys.path`, say), given its package for a dotted name; None when there is none.
pub type ModuleFinder = fn(&mut Vm, &str, Option<ObjRef>) -> PyResult<Option<ObjRef>>;

/// A library module's code, compiled once per process: its source is part of the binary,
/// so the code object never changes, and VMs made after the first (the explorer makes
/// thousands) skip the compiler.
fn compiled_library_module(
    source: &'static str,
    filename: &str,
) -> Result<Arc<CodeObject>, String> {
    static CACHE: OnceLock<Mutex<HashMap<usize, Arc<CodeObject>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = source.as_ptr() as usize;
    if let Some(code) = cache.lock().get(&key) {
        return Ok(code.clone());
    }
    let code = crate::compile::compile_source(source, filename).map_err(|e| e.message)?;
    cache.lock().insert(key, code.clone());
    Ok(code)
}

impl Vm {
    /// A module object named `name` holding the given native functions.
    pub fn new_module(&mut self, name: &str, functions: &[(&'static str, NativeFn)]) -> ObjRef {
        let dict = self.heap.alloc(Object::Dict(Dict::default()));
        for (n, f) in functions {
            let v = self.native(n, *f);
            self.dict_set_str(dict, n, v);
        }
        let name_v = self.new_str(name);
        self.dict_set_str(dict, "__name__", name_v);
        self.heap.alloc(Object::Module {
            name: name.to_string(),
            dict,
        })
    }

    pub fn module_dict(&self, m: ObjRef) -> ObjRef {
        match self.heap.get(m) {
            Object::Module { dict, .. } => *dict,
            _ => unreachable!("modules have dicts"),
        }
    }

    /// Records a module as imported (`modules` and `sys.modules`).
    pub fn register_module(&mut self, name: &str, m: ObjRef) {
        self.modules.insert(name.to_string(), m);
        let key = self.new_str(name);
        if let Ok(k) = self.dict_key(key)
            && let Object::Dict(d) = self.heap.get_mut(self.modules_dict)
        {
            d.insert(k, (key, Value::Obj(m)));
        }
    }

    /// Forgets a module whose making failed.
    pub fn unregister_module(&mut self, name: &str) {
        self.modules.shift_remove(name);
        self.dict_del_str(self.modules_dict, name);
    }

    /// `import name`: the module object (for `import a.b`, the package `a`), built on first
    /// import. With `leaf`, the last module of a dotted name (`from a.b import x`).
    pub fn import(&mut self, name: &str, leaf: bool) -> PyResult<Value> {
        let top = name.split('.').next().unwrap_or(name);
        let package = self.import_top(top)?;
        let mut module = package;
        for (i, part) in name.split('.').enumerate().skip(1) {
            // A package's modules are made with it, as attributes.
            let found = match self.heap.get(module) {
                Object::Module { dict, .. } => self.dict_get_str(*dict, part),
                _ => None,
            };
            let prefix = || name.split('.').take(i + 1).collect::<Vec<_>>().join(".");
            match found.and_then(|v| v.as_obj()) {
                Some(m) if matches!(self.heap.get(m), Object::Module { .. }) => module = m,
                _ => match self.submodule(module, &prefix(), part)? {
                    Some(m) => module = m,
                    None => {
                        let missing = prefix();
                        return Err(self.new_exception(
                            "ModuleNotFoundError",
                            &format!("No module named '{missing}'"),
                        ));
                    }
                },
            }
        }
        Ok(Value::Obj(if leaf { module } else { package }))
    }

    /// A package's module that is made on first import (a row of the table under its
    /// dotted name), then kept as the package's attribute, as CPython's import does.
    pub(crate) fn submodule(
        &mut self,
        package: ObjRef,
        full: &str,
        part: &str,
    ) -> PyResult<Option<ObjRef>> {
        if let Some(&m) = self.modules.get(full) {
            return Ok(Some(m));
        }
        let m = match self.build_from_table(full)? {
            Some(m) => m,
            None => match (self.module_finder)(self, full, Some(package))? {
                Some(m) => m,
                None => return Ok(None),
            },
        };
        if let Object::Module { dict, .. } = self.heap.get(package) {
            let dict = *dict;
            self.dict_set_str(dict, part, Value::Obj(m));
        }
        Ok(Some(m))
    }

    /// A top-level module, built on first import.
    fn import_top(&mut self, top: &str) -> PyResult<ObjRef> {
        // sys.modules first: a program may have put a module there, or taken one out.
        if let Some(Value::Obj(m)) = self.dict_get_str(self.modules_dict, top)
            && matches!(self.heap.get(m), Object::Module { .. })
        {
            return Ok(m);
        }
        if let Some(m) = self.modules.get(top) {
            return Ok(*m);
        }
        if let Some(m) = self.build_from_table(top)? {
            return Ok(m);
        }
        match (self.module_finder)(self, top, None)? {
            Some(m) => Ok(m),
            None => {
                Err(self.new_exception("ModuleNotFoundError", &format!("No module named '{top}'")))
            }
        }
    }

    /// Builds and registers the module the table has under `name`; None if it has none.
    fn build_from_table(&mut self, name: &str) -> PyResult<Option<ObjRef>> {
        let Some(def) = self.module_table.iter().find(|d| d.name == name) else {
            return Ok(None);
        };
        let m = match def.source {
            ModuleSource::Native(make) => make(self)?,
            ModuleSource::Python(source) => self.embedded_module(def.name, source)?,
        };
        self.register_module(name, m);
        Ok(Some(m))
    }

    /// A module written in minipy's Python, compiled and run on first import.
    pub fn embedded_module(&mut self, name: &str, source: &'static str) -> PyResult<ObjRef> {
        let m = self.new_module(name, &[]);
        // Registered first, so imports inside the module that lead back to it find it.
        self.register_module(name, m);
        if let Err(e) = self.run_in_module(m, &format!("<minipy {name}>"), source) {
            self.unregister_module(name);
            return Err(e);
        }
        Ok(m)
    }

    /// Compiles `source` and runs it in module `m`'s namespace.
    pub fn run_in_module(
        &mut self,
        m: ObjRef,
        filename: &str,
        source: &'static str,
    ) -> PyResult<()> {
        let code = match compiled_library_module(source, filename) {
            Ok(code) => code,
            Err(message) => return Err(self.new_exception("SyntaxError", &message)),
        };
        self.sources.insert(
            filename.to_string(),
            source.lines().map(str::to_string).collect(),
        );
        let dict = self.module_dict(m);
        let builtins = Value::Obj(self.builtins);
        self.dict_set_str(dict, "__builtins__", builtins);
        let frame = self.new_frame(code, dict, Some(dict), Resume::Native);
        self.run_frame(frame).map(|_| ())
    }
}
