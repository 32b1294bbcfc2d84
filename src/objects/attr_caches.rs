//! The inline caches of LOAD_ATTR, STORE_ATTR and LOAD_METHOD: what an instruction learnt
//! about a class (where an instance attribute sits, which function a method name gives)
//! while no class namespace changed (`Vm::class_epoch`), so the next run of the
//! instruction skips the lookup; and the descriptor tests that decide when a cache may be
//! used at all.

use crate::vm::AttrSlot;
use crate::vm::frame::AttrHint;
use crate::vm::object::{Attrs, DictKey, Instance, Object, StrKey};
use crate::vm::{ObjRef, Value, Vm};
use std::cell::Cell;

/// Marks an inline cache's index as one into the class's shared attribute names (an
/// instance in split form), not into an instance's own dict.
const SHARED_SLOT: u32 = 1 << 31;

impl Vm {
    /// LOAD_ATTR through the instruction's inline cache: an instance attribute found in the
    /// instance `__dict__` when the class has no data descriptor for the name (what
    /// `getattr` would return). `None`: take the general path.
    pub fn load_attr_hinted(
        &mut self,
        obj: Value,
        name: &str,
        hint: &Cell<AttrHint>,
    ) -> Option<Value> {
        let Object::Instance(inst) = self.heap.get(obj.as_obj()?) else {
            return None;
        };
        let class = inst.class;
        let h = hint.get();
        if h.epoch == self.class_epoch && h.class == class {
            match &inst.attrs {
                // The class's shared names never change place: the index is the name's.
                Attrs::Split(values) if h.index & SHARED_SLOT != 0 => {
                    if let Some(v) = values.get((h.index & !SHARED_SLOT) as usize) {
                        return Some(*v);
                    }
                }
                Attrs::Dict(d) => {
                    if let Object::Dict(d) = self.heap.get(*d)
                        && let Some((DictKey::Str(k), (_, v))) = d.get_index(h.index as usize)
                        && k == name
                    {
                        return Some(*v);
                    }
                }
                Attrs::Split(_) => {}
            }
        } else if !self.no_data_descriptor(class, name) {
            return None;
        }
        let (index, v) = match &inst.attrs {
            Attrs::Split(values) => {
                let i = self.shared_index(class, name, values.len())?;
                (i as u32 | SHARED_SLOT, values[i])
            }
            Attrs::Dict(d) => {
                let Object::Dict(d) = self.heap.get(*d) else {
                    return None;
                };
                let (i, _, (_, v)) = d.get_full(&StrKey(name))?;
                (i as u32, *v)
            }
        };
        hint.set(AttrHint {
            epoch: self.class_epoch,
            class,
            index,
            value: Value::None,
        });
        Some(v)
    }

    /// STORE_ATTR through the instruction's inline cache: an assignment to an instance
    /// whose class has no data descriptor for the name goes to the instance `__dict__`, as
    /// in `setattr`. `false`: take the general path.
    pub fn store_attr_hinted(
        &mut self,
        obj: Value,
        name: &str,
        v: Value,
        hint: &Cell<AttrHint>,
    ) -> bool {
        let Some(r) = obj.as_obj() else {
            return false;
        };
        let Object::Instance(inst) = self.heap.get(r) else {
            return false;
        };
        let class = inst.class;
        // A threading.local goes through setattr, which runs its __init__ in a new thread.
        if !self.threads.locals.is_empty() && self.threads.locals.iter().any(|l| l.obj == r) {
            return false;
        }
        let h = hint.get();
        let mut interned = None;
        if h.epoch == self.class_epoch && h.class == class {
            match self.heap.get_mut(r) {
                Object::Instance(Instance {
                    attrs: Attrs::Split(values),
                    ..
                }) if h.index & SHARED_SLOT != 0 => {
                    // The name is the class's shared name at the index: set it, or add it
                    // as the next value (a new instance's `__init__`).
                    let i = (h.index & !SHARED_SLOT) as usize;
                    if let Some(slot) = values.get_mut(i) {
                        *slot = v;
                        return true;
                    }
                    if i == values.len() {
                        values.push(v);
                        return true;
                    }
                }
                Object::Instance(Instance {
                    attrs: Attrs::Dict(d),
                    ..
                }) if h.index & SHARED_SLOT == 0 => {
                    let d = *d;
                    if let Object::Dict(d) = self.heap.get_mut(d)
                        && let Some((DictKey::Str(k), slot)) = d.get_index_mut(h.index as usize)
                        && k == name
                    {
                        slot.1 = v;
                        return true;
                    }
                    // Another instance of the class: the name's key is known.
                    interned = Some(h.value);
                }
                _ => {}
            }
        } else if !self.no_data_descriptor(class, name) || self.python_setattr(class).is_some() {
            return false;
        }
        let (index, key) = match self.store_instance_attr(r, name, v, interned) {
            Some(AttrSlot::Shared(i)) => (i as u32 | SHARED_SLOT, Value::None),
            // The name's key object, for the next instance (see above).
            Some(AttrSlot::Own(i)) => (i as u32, self.intern(name)),
            None => return false,
        };
        hint.set(AttrHint {
            epoch: self.class_epoch,
            class,
            index,
            value: key,
        });
        true
    }

    /// A `__setattr__` written in Python on `class` (or a base): assignments go through it.
    pub(super) fn python_setattr(&self, class: ObjRef) -> Option<Value> {
        let f = self.class_lookup(class, "__setattr__")?;
        matches!(self.heap.get(f.as_obj()?), Object::Function(_)).then_some(f)
    }

    /// Whether `getattr`/`setattr` on an instance of `class` go straight to the instance
    /// `__dict__` for `name`: not one of the names answered first, and no property on the
    /// class.
    pub(super) fn no_data_descriptor(&self, class: ObjRef, name: &str) -> bool {
        if name == "__class__"
            || name == "__dict__"
            || self.python_getattribute(class).is_some()
            || self.slots_of(class).is_some()
        {
            return false;
        }
        match self.class_lookup(class, name) {
            Some(v @ Value::Obj(f)) => {
                !matches!(self.heap.get(f), Object::Property { .. }) && !self.is_data_descriptor(v)
            }
            _ => true,
        }
    }

    /// The method `name` of a descriptor: an instance whose class defines it (`__get__`,
    /// `__set__`, `__delete__`).
    pub(super) fn descriptor_method(&self, v: Value, name: &str) -> Option<Value> {
        match self.heap.get(v.as_obj()?) {
            Object::Instance(inst) => self.class_lookup(inst.class, name),
            _ => None,
        }
    }

    /// A descriptor that defines `__set__` or `__delete__`: it wins over the instance dict.
    pub(super) fn is_data_descriptor(&self, v: Value) -> bool {
        self.descriptor_method(v, "__set__").is_some()
            || self.descriptor_method(v, "__delete__").is_some()
    }

    /// `method_for_call` through the instruction's inline cache.
    pub fn method_hinted(
        &mut self,
        obj: Value,
        name: &str,
        hint: &Cell<AttrHint>,
    ) -> Option<Value> {
        let Some(Object::Instance(inst)) = obj.as_obj().map(|r| self.heap.get(r)) else {
            return self.builtin_method_hinted(obj, name, hint);
        };
        let class = inst.class;
        let h = hint.get();
        if h.epoch == self.class_epoch && h.class == class {
            // The instance's own attribute of the name would win over the method: the
            // hint holds how many shared names the class had when none was the name.
            let shadowed = match &inst.attrs {
                Attrs::Split(_) if self.shared_names(class) == h.index as usize => false,
                _ => self.attr_of_instance(obj, name).is_some(),
            };
            return (!shadowed).then_some(h.value);
        }
        let func = self.method_for_call(obj, name)?;
        let names = self.shared_names(class);
        let index = match self.shared_index(class, name, names) {
            // (Never equal to the count of names: the check above then scans.)
            Some(_) => u32::MAX,
            None => names as u32,
        };
        hint.set(AttrHint {
            epoch: self.class_epoch,
            class,
            index,
            value: func,
        });
        Some(func)
    }

    /// LOAD_METHOD's shortcut for the methods of built-in containers and strings
    /// (`items.append`, `counts.get`): the unbound native method, which CALL_METHOD calls
    /// with `obj` as receiver, where `getattr` would allocate a bound copy on every call.
    /// The cached native needs no root: a collection moves the epoch on, which retires it.
    fn builtin_method_hinted(
        &mut self,
        obj: Value,
        name: &str,
        hint: &Cell<AttrHint>,
    ) -> Option<Value> {
        let Value::Obj(r) = obj else {
            return None;
        };
        // Dunder names may be special attributes (`__class__`), answered before methods.
        if name.starts_with("__")
            || !matches!(
                self.heap.get(r),
                Object::List(_)
                    | Object::Dict(_)
                    | Object::Str(_)
                    | Object::Bytes(_)
                    | Object::ByteArray(_)
                    | Object::Tuple(_)
                    | Object::Set(_)
                    | Object::FrozenSet(_)
            )
        {
            return None;
        }
        let class = self.type_of(obj);
        let h = hint.get();
        if h.epoch == self.class_epoch && h.class == class {
            return Some(h.value);
        }
        let method = crate::objects::methods::builtin_method(self, class, name)?;
        let unbound = matches!(
            self.heap.get(method.as_obj()?),
            Object::Native(n) if n.is_method && n.receiver.is_none()
        );
        if !unbound {
            return None;
        }
        hint.set(AttrHint {
            epoch: self.class_epoch,
            class,
            index: 0,
            value: method,
        });
        Some(method)
    }
}
