//! Attribute deletion (`del obj.name`): a class's own `__delattr__`, else a descriptor's
//! `__delete__` or a property's deleter, else the name leaves the object's namespace.

use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};

impl Vm {
    pub fn delattr(&mut self, obj: Value, name: &str) -> PyResult<()> {
        self.prepare_thread_local(obj)?;
        let class = self.type_of(obj);
        // A __delattr__ written in Python on the class (or a base) handles every `del`.
        if matches!(
            obj.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Instance(_))
        ) && let Some(hook) = self.class_lookup(class, "__delattr__")
            && matches!(
                hook.as_obj().map(|f| self.heap.get(f)),
                Some(Object::Function(_))
            )
        {
            let name = self.new_str(name);
            self.call(hook, Args::new(vec![obj, name]))?;
            return Ok(());
        }
        self.delattr_default(obj, name)
    }

    /// `object.__delattr__`: the deletion without a class's own `__delattr__`.
    pub fn delattr_default(&mut self, obj: Value, name: &str) -> PyResult<()> {
        let class = self.type_of(obj);
        if matches!(
            obj.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Instance(_))
        ) && let Some(found) = self.class_lookup(class, name)
            && let Some(delete) = self.descriptor_method(found, "__delete__")
        {
            self.call(delete, Args::new(vec![found, obj]))?;
            return Ok(());
        }
        if let Some(found) = self.class_lookup(class, name)
            && let Some(Object::Property { fdel, .. }) = found.as_obj().map(|r| self.heap.get(r))
        {
            let fdel = *fdel;
            if fdel == Value::None {
                return Err(self.new_exception("AttributeError", "can't delete attribute"));
            }
            self.call(fdel, Args::new(vec![obj]))?;
            return Ok(());
        }
        if let Value::Obj(r) = obj {
            if let Object::Function(_) = self.heap.get(r) {
                return crate::objects::function::del_function_attr(self, r, name);
            }
            let removed = match self.heap.get_mut(r) {
                // `del obj.__dict__`: the instance starts again with an empty namespace.
                Object::Instance(_) if name == "__dict__" => {
                    self.clear_instance_dict(r);
                    Some(true)
                }
                Object::Class(_) if name == "__dict__" => {
                    return Err(self.new_exception(
                        "AttributeError",
                        "attribute '__dict__' of 'type' objects is not writable",
                    ));
                }
                Object::Instance(_) => Some(self.del_instance_attr(obj, name)),
                Object::Class(c) => {
                    self.class_epoch += 1;
                    Some(c.dict.shift_remove(name).is_some())
                }
                Object::Module { dict, .. } => {
                    let d = *dict;
                    Some(self.dict_del_str(d, name))
                }
                _ => None,
            };
            match removed {
                Some(true) => return Ok(()),
                // CPython's message for a name missing from an object's __dict__ is the
                // bare name.
                Some(false) => return Err(self.new_exception("AttributeError", name)),
                None => {}
            }
        }
        let t = self.type_name(obj);
        Err(self.new_exception(
            "AttributeError",
            &format!("'{t}' object has no attribute '{name}'"),
        ))
    }
}
