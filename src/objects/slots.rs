//! `__slots__`: a class that names its instances' attributes, where neither it nor a base
//! gives them a `__dict__`, refuses any other attribute (`Class::slots`). The values live
//! in the instance's attributes like any others; what changes is which names may be set,
//! and that `__dict__` and `vars()` are refused.

use crate::vm::object::{NameMap, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use compact_str::CompactString;

/// The names instances of a new class with namespace `dict` and these bases may have,
/// or None when they have a `__dict__` (no `__slots__` here or on a Python base, or
/// `'__dict__'` among them). Checked as type_new checks `__slots__`.
pub(crate) fn slot_names(
    vm: &mut Vm,
    class_name: &str,
    bases: &[ObjRef],
    dict: &NameMap,
) -> PyResult<Option<Box<[CompactString]>>> {
    let Some(&slots) = dict.get("__slots__") else {
        return Ok(None);
    };
    let items = match vm.str_of(slots) {
        Some(_) => vec![slots],
        None => vm.collect_iterable(slots)?,
    };
    let mut names: Vec<CompactString> = Vec::new();
    let mut has_dict = false;
    for item in items {
        let Some(name) = vm.str_of(item).map(CompactString::from) else {
            let t = vm.type_name(item);
            return Err(vm.type_error(&format!("__slots__ items must be strings, not '{t}'")));
        };
        let mut chars = name.chars();
        let identifier = chars
            .next()
            .is_some_and(|f| f == '_' || unicode_ident::is_xid_start(f))
            && chars.all(unicode_ident::is_xid_continue);
        if !identifier {
            return Err(vm.type_error("__slots__ must be identifiers"));
        }
        // A private name is the class's own, mangled as the compiler mangles it.
        let owner = class_name.trim_start_matches('_');
        let name = if name.starts_with("__") && !name.ends_with("__") && !owner.is_empty() {
            CompactString::from(format!("_{owner}{name}"))
        } else {
            name
        };
        if name == "__dict__" {
            has_dict = true;
        } else if name != "__weakref__" {
            if dict.contains_key(name.as_str()) {
                return Err(vm.new_exception(
                    "ValueError",
                    &format!("'{name}' in __slots__ conflicts with class variable"),
                ));
            }
            names.push(name);
        }
    }
    for &base in bases {
        // A base whose instances have a dict (a Python class without __slots__, an
        // exception) gives it to these too; object, list and the like do not.
        if crate::objects::reduce::has_instance_dict(vm, base) {
            has_dict = true;
        }
        if let Object::Class(c) = vm.heap.get(base)
            && let Some(inherited) = &c.slots
        {
            names.extend(inherited.iter().cloned());
        }
    }
    Ok((!has_dict).then(|| names.into_boxed_slice()))
}

impl Vm {
    /// The names a slotted class's instances may have; None when they have a `__dict__`.
    pub fn slots_of(&self, class: ObjRef) -> Option<&[CompactString]> {
        match self.heap.get(class) {
            Object::Class(c) => c.slots.as_deref(),
            _ => None,
        }
    }

    /// An instance of a slotted class without a slot of this name: 3.7's AttributeError.
    pub(crate) fn check_slot(&mut self, obj: Value, name: &str) -> PyResult<()> {
        let class = self.type_of(obj);
        match self.slots_of(class) {
            Some(names) if !names.iter().any(|n| n == name) => {
                let t = self.type_name(obj);
                Err(self.new_exception(
                    "AttributeError",
                    &format!("'{t}' object has no attribute '{name}'"),
                ))
            }
            _ => Ok(()),
        }
    }
}
