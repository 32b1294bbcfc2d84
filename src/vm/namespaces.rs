//! The NAME opcodes' namespaces: a module's or class body's locals are usually a dict, but
//! a metaclass's `__prepare__` may give any mapping (a dict subclass with `__setitem__`,
//! say), and `exec`/`eval` take any mapping as locals. A plain dict is read directly;
//! anything else through its `__getitem__`, `__setitem__` and `__delitem__`, with KeyError
//! meaning "not here", as CPython's LOAD_NAME does. Also the GLOBAL opcodes' lookup: the
//! module dict, then the builtins the frame sees, through LOAD_GLOBAL's inline cache.

use super::frame::{AttrHint, Frame};
use super::object::{Dict, DictKey, Object, StrKey};
use super::{ObjRef, PyResult, Value, Vm};
use std::cell::Cell;

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

    /// LOAD_GLOBAL through the instruction's inline cache (`AttrHint::class` is the module
    /// dict). A name found in the module: `index` is its entry, used only while it still
    /// holds that name, so no change to the dict can make it wrong. A builtin: `index` is
    /// its entry in the builtins, used while that holds the name and the module dict has
    /// the length (`value`) and the removal count (`epoch - 1`) it had, so no key that could
    /// shadow it has been added since. `None`: a NameError.
    #[inline]
    pub(super) fn global_hinted(
        &self,
        globals: ObjRef,
        n: &str,
        hint: &Cell<AttrHint>,
    ) -> Option<Value> {
        let Object::Dict(d) = self.heap.get(globals) else {
            return None;
        };
        let entry_is = |dict: &Dict, index: usize| match dict.get_index(index) {
            Some((DictKey::Str(k), (_, v))) if k == n => Some(*v),
            _ => None,
        };
        let h = hint.get();
        if h.class == globals
            && h.epoch == 0
            && let Some(v) = entry_is(d, h.index as usize)
        {
            return Some(v);
        }
        let Object::Dict(builtins) = self.heap.get(self.builtins) else {
            return None;
        };
        let unshadowed = AttrHint {
            epoch: self.dict_removals + 1,
            class: globals,
            index: 0,
            value: Value::Int(d.len() as i64),
        };
        if h.class == globals
            && h.epoch == unshadowed.epoch
            && h.value == unshadowed.value
            && let Some(v) = entry_is(builtins, h.index as usize)
        {
            return Some(v);
        }
        let (cached, v) = match d.get_full(&StrKey(n)) {
            Some((index, _, (_, v))) => (AttrHint::EMPTY, (index, *v)),
            // Globals with builtins of their own (exec's `{"__builtins__": {}}`) are left
            // to load_global, uncached.
            None if self.builtins_of(globals) != self.builtins => return None,
            None => {
                let (index, _, (_, v)) = builtins.get_full(&StrKey(n))?;
                (unshadowed, (index, *v))
            }
        };
        hint.set(AttrHint {
            class: globals,
            index: v.0 as u32,
            ..cached
        });
        Some(v.1)
    }

    /// The builtins a frame with these globals sees: their `__builtins__` (a dict, or a
    /// module's dict), else the interpreter's, as CPython's frames take them.
    pub(super) fn builtins_of(&self, globals: ObjRef) -> ObjRef {
        match self.dict_get_str(globals, "__builtins__") {
            Some(Value::Obj(b)) => match self.heap.get(b) {
                Object::Dict(_) => b,
                Object::Module { dict, .. } => *dict,
                _ => self.builtins,
            },
            _ => self.builtins,
        }
    }

    pub(super) fn load_global(&mut self, f: &Frame, n: &str) -> PyResult<Value> {
        if let Some(v) = self.dict_get_str(f.globals, n) {
            return Ok(v);
        }
        if let Some(v) = self.dict_get_str(self.builtins_of(f.globals), n) {
            return Ok(v);
        }
        Err(self.new_exception("NameError", &format!("name '{n}' is not defined")))
    }
}
