//! The NAME opcodes' namespaces: a module's or class body's locals are usually a dict, but
//! a metaclass's `__prepare__` may give any mapping (a dict subclass with `__setitem__`,
//! say), and `exec`/`eval` take any mapping as locals. A plain dict is read directly;
//! anything else through its `__getitem__`, `__setitem__` and `__delitem__`, with KeyError
//! meaning "not here", as CPython's LOAD_NAME does.

use super::frame::Frame;
use super::object::Object;
use super::{ObjRef, PyResult, Value, Vm};

impl Vm {
    fn is_plain_dict(&self, ns: ObjRef) -> bool {
        matches!(self.heap.get(ns), Object::Dict(_))
    }

    /// `name` in the frame's locals: None when they do not hold it.
    pub(super) fn local_name(&mut self, f: &Frame, name: &str) -> PyResult<Option<Value>> {
        let Some(ns) = f.locals else {
            return Ok(None);
        };
        if self.is_plain_dict(ns) {
            return Ok(self.dict_get_str(ns, name));
        }
        let key = self.new_str(name);
        match self.getitem(Value::Obj(ns), key) {
            Ok(v) => Ok(Some(v)),
            Err(e) if self.exception_is(e, "KeyError") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// LOAD_NAME: the locals, then the globals and builtins.
    pub(super) fn load_name(&mut self, f: &Frame, name: &str) -> PyResult<Value> {
        match self.local_name(f, name)? {
            Some(v) => Ok(v),
            None => self.load_global(f, name),
        }
    }

    /// STORE_NAME: into the locals (the globals at module level).
    pub(super) fn store_name(&mut self, f: &Frame, name: &str, v: Value) -> PyResult<()> {
        let ns = f.locals.unwrap_or(f.globals);
        if self.is_plain_dict(ns) {
            self.dict_set_str(ns, name, v);
            return Ok(());
        }
        let key = self.new_str(name);
        self.setitem(Value::Obj(ns), key, v)
    }

    /// DELETE_NAME: NameError when the locals do not hold the name. Returns what was bound.
    pub(super) fn delete_name(&mut self, f: &Frame, name: &str) -> PyResult<Option<Value>> {
        let ns = f.locals.unwrap_or(f.globals);
        if self.is_plain_dict(ns) {
            let old = self.dict_get_str(ns, name);
            self.dict_del_name(ns, name)?;
            return Ok(old);
        }
        let key = self.new_str(name);
        match self.delitem(Value::Obj(ns), key) {
            Ok(()) => Ok(None),
            Err(e) if self.exception_is(e, "KeyError") => {
                Err(self.new_exception("NameError", &format!("name '{name}' is not defined")))
            }
            Err(e) => Err(e),
        }
    }
}
