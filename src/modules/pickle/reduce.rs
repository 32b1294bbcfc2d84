//! The Pickler's two ways of naming how to rebuild an object (the rest of `_pickle.c`'s
//! save side): `save_reduce` writes a reduction `(callable, args[, state[, listitems[,
//! dictitems]]])` as REDUCE (or NEWOBJ / NEWOBJ_EX for `copyreg.__newobj__` and
//! `__newobj_ex__`) followed by its items and BUILD; `save_global` writes a class or
//! function as its module and qualified name (GLOBAL, STACK_GLOBAL from protocol 4, EXT
//! for a registered extension, `getattr(parent, name)` for a nested class below 4), after
//! checking that importing the name gives the object back.

use super::op;
use super::save::{Pickler, is_tuple, python2_names};
use crate::objects::reduce::lookup_attr;
use crate::vm::object::{Args, DictKey, Object};
use crate::vm::{PyResult, Value, Vm};

impl Pickler {
    /// Writes a reduction; with `obj`, memoizes it (a reduction that reached the object
    /// again through its own arguments gives way to the memo's copy).
    pub fn save_reduce(&mut self, vm: &mut Vm, rv: Value, obj: Option<Value>) -> PyResult<()> {
        let items = vm.tuple_items(rv);
        if !(2..=5).contains(&items.len()) {
            return Err(super::pickling_error(
                vm,
                "tuple returned by __reduce__ must contain 2 through 5 elements",
            ));
        }
        let at = |i: usize| items.get(i).copied().unwrap_or(Value::None);
        let (callable, argtup, state) = (at(0), at(1), at(2));
        let (listitems, dictitems) = (at(3), at(4));
        if !vm.is_callable(callable) {
            return Err(super::pickling_error(
                vm,
                "first item of the tuple returned by __reduce__ must be callable",
            ));
        }
        if !is_tuple(vm, argtup) {
            return Err(super::pickling_error(
                vm,
                "second item of the tuple returned by __reduce__ must be a tuple",
            ));
        }
        for (value, which) in [(listitems, "fourth"), (dictitems, "fifth")] {
            if value != Value::None && !vm.is_iterator(value) {
                let t = vm.type_name(value);
                let msg = format!(
                    "{which} element of the tuple returned by __reduce__ must be an iterator, not {t}"
                );
                return Err(super::pickling_error(vm, &msg));
            }
        }
        let mut newobj = (false, false);
        if self.proto >= 2
            && let Some(name) = lookup_attr(vm, callable, "__name__")?
        {
            match vm.str_of(name) {
                Some("__newobj_ex__") => newobj.1 = true,
                Some("__newobj__") => newobj.0 = true,
                _ => {}
            }
        }
        let args = vm.tuple_items(argtup);
        if newobj.1 {
            self.save_newobj_ex(vm, &args)?;
        } else if newobj.0 {
            let Some(&cls) = args.first() else {
                return Err(super::pickling_error(vm, "__newobj__ arglist is empty"));
            };
            if !is_class(vm, cls) {
                return Err(super::pickling_error(
                    vm,
                    "args[0] from __newobj__ args is not a type",
                ));
            }
            if let Some(obj) = obj {
                let class = match lookup_attr(vm, obj, "__class__")? {
                    Some(c) => c,
                    None => Value::Obj(vm.type_of(obj)),
                };
                if !class.is(cls) {
                    return Err(super::pickling_error(
                        vm,
                        "args[0] from __newobj__ args has the wrong class",
                    ));
                }
            }
            self.save(vm, cls, false)?;
            let rest = vm.new_tuple(args[1..].to_vec());
            self.save(vm, rest, false)?;
            self.write(&[op::NEWOBJ]);
        } else {
            self.save(vm, callable, false)?;
            self.save(vm, argtup, false)?;
            self.write(&[op::REDUCE]);
        }
        if let Some(obj) = obj {
            if let Some(idx) = self.memo_index(obj) {
                self.write(&[op::POP]);
                self.memo_get(idx);
                return Ok(());
            }
            self.memo_put(obj);
        }
        if listitems != Value::None {
            self.batch_list(vm, listitems)?;
        }
        if dictitems != Value::None {
            self.batch_dict(vm, dictitems)?;
        }
        if state != Value::None {
            self.save(vm, state, false)?;
            self.write(&[op::BUILD]);
        }
        Ok(())
    }

    /// `copyreg.__newobj_ex__(cls, args, kwargs)`: NEWOBJ_EX at protocol 4, else a
    /// `functools.partial(cls.__new__, cls, *args, **kwargs)` called with no arguments.
    fn save_newobj_ex(&mut self, vm: &mut Vm, args: &[Value]) -> PyResult<()> {
        let [cls, new_args, kwargs] = args else {
            let msg = format!(
                "length of the NEWOBJ_EX argument tuple must be exactly 3, not {}",
                args.len()
            );
            return Err(super::pickling_error(vm, &msg));
        };
        let (cls, new_args, kwargs) = (*cls, *new_args, *kwargs);
        let checks = [
            (is_class(vm, cls), cls, "first", "class"),
            (is_tuple(vm, new_args), new_args, "second", "tuple"),
            (
                matches!(
                    kwargs.as_obj().map(|d| vm.heap.get(d)),
                    Some(Object::Dict(_))
                ),
                kwargs,
                "third",
                "dict",
            ),
        ];
        for (ok, value, which, what) in checks {
            if !ok {
                let t = vm.type_name(value);
                let msg =
                    format!("{which} item from NEWOBJ_EX argument tuple must be a {what}, not {t}");
                return Err(super::pickling_error(vm, &msg));
            }
        }
        if self.proto >= 4 {
            self.save(vm, cls, false)?;
            self.save(vm, new_args, false)?;
            self.save(vm, kwargs, false)?;
            self.write(&[op::NEWOBJ_EX]);
            return Ok(());
        }
        let functools = vm.import("functools", true)?;
        let partial = vm.getattr(functools, "partial")?;
        let cls_new = vm.getattr(cls, "__new__")?;
        let mut pos = vec![cls_new, cls];
        pos.extend(vm.tuple_items(new_args));
        let kw = vm
            .mapping_items(kwargs)?
            .into_iter()
            .filter_map(|(k, v)| vm.str_of(k).map(|k| (k.to_string(), v)))
            .collect();
        let callable = vm.call(partial, Args { pos, kw })?;
        let empty = vm.new_tuple(vec![]);
        self.save(vm, callable, false)?;
        self.save(vm, empty, false)?;
        self.write(&[op::REDUCE]);
        Ok(())
    }

    /// A class or function by reference: its module (imported to check that the name
    /// leads back to it) and qualified name.
    pub fn save_global(&mut self, vm: &mut Vm, obj: Value, name: Option<Value>) -> PyResult<()> {
        let global_name = match name {
            Some(n) => n,
            None => match lookup_attr(vm, obj, "__qualname__")? {
                Some(n) => n,
                None => vm.getattr(obj, "__name__")?,
            },
        };
        let Some(global_text) = vm.str_of(global_name).map(str::to_string) else {
            let t = vm.type_name(global_name);
            return Err(vm.type_error(&format!("must be str, not {t}")));
        };
        let path: Vec<String> = global_text.split('.').map(str::to_string).collect();
        if path.iter().any(|p| p == "<locals>") {
            let shown = crate::pyfmt::str_repr(&global_text);
            return Err(vm.new_exception(
                "AttributeError",
                &format!("Can't pickle local object {shown}"),
            ));
        }
        let (module_text, declared) = self.which_module(vm, obj, &path)?;
        // CPython's module names are shared str objects, which protocol 4 memoizes: a
        // module's `__name__` (in its functions' and classes' `__module__`), and the
        // interned 'builtins' of the built-in types and of sys.modules.
        let key = match (declared, obj.as_obj().map(|o| vm.heap.get(o))) {
            (None, Some(Object::Native(_))) => format!("native {module_text}"),
            _ => module_text.clone(),
        };
        let module_name = match self.shared_names.get(&key) {
            Some(v) => *v,
            None => {
                let v = declared.unwrap_or_else(|| vm.new_str(module_text.as_str()));
                self.shared_names.insert(key, v);
                v
            }
        };
        let obj_repr = vm.repr(obj)?;
        let module = match vm.import(&module_text, true) {
            Ok(m) => m,
            Err(_) => {
                let msg = format!(
                    "Can't pickle {obj_repr}: import of module {} failed",
                    crate::pyfmt::str_repr(&module_text)
                );
                return Err(super::pickling_error(vm, &msg));
            }
        };
        let mut parent = module;
        let mut found = Some(module);
        for part in &path {
            let Some(current) = found else { break };
            parent = current;
            found = lookup_attr(vm, current, part)?;
        }
        let Some(found) = found else {
            let msg = format!(
                "Can't pickle {obj_repr}: attribute lookup {global_text} on {module_text} failed"
            );
            return Err(super::pickling_error(vm, &msg));
        };
        if !found.is(obj) {
            let msg = format!(
                "Can't pickle {obj_repr}: it's not the same object as {module_text}.{global_text}"
            );
            return Err(super::pickling_error(vm, &msg));
        }
        if self.proto >= 2
            && let Some(code) = self.extension_code(vm, &module_text, &global_text, &obj_repr)?
        {
            if code <= 0xff {
                self.write(&[op::EXT1]);
                self.write(&[code as u8]);
            } else if code <= 0xffff {
                self.write(&[op::EXT2]);
                self.write(&(code as u16).to_le_bytes());
            } else {
                self.write(&[op::EXT4]);
                self.write(&(code as u32).to_le_bytes());
            }
            return Ok(());
        }
        let lastname = path.last().cloned().unwrap_or_default();
        let (global_name, global_text) = if parent.is(module) {
            (vm.new_str(lastname.as_str()), lastname.clone())
        } else {
            (global_name, global_text)
        };
        if self.proto >= 4 {
            self.save(vm, module_name, false)?;
            self.save(vm, global_name, false)?;
            self.write(&[op::STACK_GLOBAL]);
        } else if !parent.is(module) {
            let getattr = vm
                .dict_get_str(vm.builtins, "getattr")
                .unwrap_or(Value::None);
            let last = vm.new_str(lastname.as_str());
            let args = vm.new_tuple(vec![parent, last]);
            let rv = vm.new_tuple(vec![getattr, args]);
            self.save_reduce(vm, rv, None)?;
        } else {
            let (module_text, global_text) = if self.fix_imports {
                python2_names(&module_text, &global_text)
            } else {
                (module_text, global_text)
            };
            for (text, what) in [(&module_text, "module"), (&global_text, "global")] {
                if self.proto != 3 && !text.is_ascii() {
                    let msg = format!(
                        "can't pickle {what} identifier '{text}' using pickle protocol {}",
                        self.proto
                    );
                    return Err(super::pickling_error(vm, &msg));
                }
            }
            self.write(&[op::GLOBAL]);
            self.write(format!("{module_text}\n{global_text}\n").as_bytes());
        }
        self.memo_put(obj);
        Ok(())
    }

    /// The code copyreg's extension registry gives `(module, name)`, if any.
    fn extension_code(
        &mut self,
        vm: &mut Vm,
        module: &str,
        name: &str,
        obj_repr: &str,
    ) -> PyResult<Option<i64>> {
        let Some(copyreg) = vm.modules.get("copyreg").copied() else {
            return Ok(None);
        };
        let Some(registry) = vm.dict_get_str(vm.module_dict(copyreg), "_extension_registry") else {
            return Ok(None);
        };
        let key = DictKey::Tuple(vec![DictKey::Str(module.into()), DictKey::Str(name.into())]);
        let code = match registry.as_obj().map(|r| vm.heap.get(r)) {
            Some(Object::Dict(d)) => d.get(&key).map(|(_, v)| *v),
            _ => None,
        };
        let Some(code) = code else { return Ok(None) };
        let Some(n) = vm
            .as_index(code)
            .filter(|_| !matches!(code, Value::Float(_)))
        else {
            let shown = vm.repr(code)?;
            let msg = format!("Can't pickle {obj_repr}: extension code {shown} isn't an integer");
            return Err(super::pickling_error(vm, &msg));
        };
        if n <= 0 || n > 0x7fff_ffff {
            let msg = format!("Can't pickle {obj_repr}: extension code {n} is out of range");
            return Err(super::pickling_error(vm, &msg));
        }
        Ok(Some(n))
    }

    /// `whichmodule`: the object's `__module__`, else the first module (builtins first)
    /// where the dotted path leads to it, else `__main__`.
    fn which_module(
        &mut self,
        vm: &mut Vm,
        obj: Value,
        path: &[String],
    ) -> PyResult<(String, Option<Value>)> {
        let declared = match obj.as_obj().map(|o| vm.heap.get(o)) {
            Some(Object::Class(_)) => {
                let class = obj.as_obj().expect("a class");
                vm.class_lookup(class, "__module__")
            }
            Some(Object::Native(_)) => None,
            _ => lookup_attr(vm, obj, "__module__")?,
        };
        if let Some(m) = declared.filter(|m| *m != Value::None) {
            if let Some(text) = vm.str_of(m).map(str::to_string) {
                return Ok((text, Some(m)));
            }
            return Ok((vm.str(m)?, None));
        }
        let builtins = vm.builtins;
        if deep_lookup(vm, builtins, path).is_some_and(|v| v.is(obj)) {
            return Ok(("builtins".to_string(), None));
        }
        let modules: Vec<(String, crate::vm::ObjRef)> = vm
            .modules
            .iter()
            .filter(|(name, _)| name.as_str() != "__main__")
            .map(|(n, m)| (n.clone(), *m))
            .collect();
        for (name, module) in modules {
            let dict = vm.module_dict(module);
            if deep_lookup(vm, dict, path).is_some_and(|v| v.is(obj)) {
                return Ok((name, None));
            }
        }
        Ok(("__main__".to_string(), None))
    }
}

/// Follows a dotted path from a namespace dict through attributes of what it holds.
fn deep_lookup(vm: &mut Vm, dict: crate::vm::ObjRef, path: &[String]) -> Option<Value> {
    let (first, rest) = path.split_first()?;
    let mut current = vm.dict_get_str(dict, first)?;
    for part in rest {
        current = lookup_attr(vm, current, part).ok().flatten()?;
    }
    Some(current)
}

fn is_class(vm: &Vm, v: Value) -> bool {
    matches!(v.as_obj().map(|c| vm.heap.get(c)), Some(Object::Class(_)))
}
