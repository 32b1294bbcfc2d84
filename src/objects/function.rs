//! The attributes of Python functions: the ones CPython keeps in slots (`__name__`,
//! `__qualname__`, `__doc__`, `__module__`, `__defaults__`, `__kwdefaults__`,
//! `__annotations__`, `__code__`, `__globals__`, `__closure__`) with their type checks on
//! assignment, and the live `__dict__` that holds whatever else a program sets (`f.calls = 0`).

use crate::bytecode::ConstValue;
use crate::vm::object::{Dict, Function, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

fn func(vm: &Vm, r: ObjRef) -> &Function {
    match vm.heap.get(r) {
        Object::Function(f) => f,
        _ => unreachable!("function attributes are asked of functions"),
    }
}

fn func_mut(vm: &mut Vm, r: ObjRef) -> &mut Function {
    match vm.heap.get_mut(r) {
        Object::Function(f) => f,
        _ => unreachable!("function attributes are set on functions"),
    }
}

/// The function's `__dict__`, made on first use.
pub fn function_dict(vm: &mut Vm, r: ObjRef) -> ObjRef {
    if let Some(d) = func(vm, r).dict {
        return d;
    }
    let d = vm.heap.alloc(Object::Dict(Dict::default()));
    func_mut(vm, r).dict = Some(d);
    d
}

/// `f.name` for a Python function `r`; `None` when it has no such attribute.
pub fn function_attr(vm: &mut Vm, r: ObjRef, name: &str) -> PyResult<Option<Value>> {
    if let Some(v) = func(vm, r).overrides.get(name) {
        return Ok(Some(*v));
    }
    let f = func(vm, r);
    let v = match name {
        "__name__" => {
            let n = f.code.co_name.clone();
            vm.new_str(n)
        }
        "__qualname__" => {
            let n = f.qualname.clone();
            vm.new_str(n)
        }
        "__doc__" => match f.code.co_consts.first() {
            Some(ConstValue::Str(s)) => {
                let s = s.clone();
                vm.new_str(s)
            }
            _ => Value::None,
        },
        // As CPython, the module is the `__name__` of the globals it was defined in.
        "__module__" => {
            let globals = f.globals;
            vm.dict_get_str(globals, "__name__").unwrap_or(Value::None)
        }
        "__globals__" => Value::Obj(f.globals),
        "__code__" => {
            let c = f.code.clone();
            vm.alloc(Object::Code(c))
        }
        "__defaults__" => {
            let d = f.defaults.clone();
            if d.is_empty() {
                Value::None
            } else {
                vm.new_tuple(d)
            }
        }
        "__kwdefaults__" => {
            let kw = f.kwdefaults.clone();
            if kw.is_empty() {
                Value::None
            } else {
                let d = vm.new_dict();
                for (k, v) in kw {
                    let key = vm.new_str(k);
                    vm.setitem(d, key, v)?;
                }
                d
            }
        }
        "__closure__" => {
            let cells: Vec<Value> = f.closure.iter().map(|c| Value::Obj(*c)).collect();
            if cells.is_empty() {
                Value::None
            } else {
                vm.new_tuple(cells)
            }
        }
        "__annotations__" => {
            if f.annotations != Value::None {
                f.annotations
            } else {
                let d = vm.new_dict();
                func_mut(vm, r).annotations = d;
                d
            }
        }
        "__dict__" => Value::Obj(function_dict(vm, r)),
        _ => match f.dict {
            Some(d) => match vm.dict_get_str(d, name) {
                Some(v) => v,
                None => return Ok(None),
            },
            None => return Ok(None),
        },
    };
    Ok(Some(v))
}

/// `f.name = v` for a Python function `r`, with CPython's checks of the slot attributes.
pub fn set_function_attr(vm: &mut Vm, r: ObjRef, name: &str, v: Value) -> PyResult<()> {
    let type_name = vm.type_name(v);
    let is = |vm: &Vm, kind: &str| vm.type_name(v) == kind;
    match name {
        "__name__" | "__qualname__" => {
            let Some(text) = vm.str_of(v).map(str::to_string) else {
                return Err(vm.type_error(&format!("{name} must be set to a string object")));
            };
            if name == "__qualname__" {
                func_mut(vm, r).qualname = text;
            } else {
                func_mut(vm, r).overrides.insert(name.into(), v);
            }
        }
        "__doc__" | "__module__" => {
            func_mut(vm, r).overrides.insert(name.into(), v);
        }
        "__defaults__" => {
            if v != Value::None && !is(vm, "tuple") {
                return Err(vm.type_error("__defaults__ must be set to a tuple object"));
            }
            let items = if v == Value::None {
                vec![]
            } else {
                vm.tuple_items(v)
            };
            func_mut(vm, r).defaults = items;
        }
        "__kwdefaults__" => {
            if v != Value::None && !is(vm, "dict") {
                return Err(vm.type_error("__kwdefaults__ must be set to a dict object"));
            }
            let mut kw = Vec::new();
            if v != Value::None {
                for (k, val) in vm.mapping_items(v)? {
                    kw.push((vm.str_of(k).unwrap_or_default().to_string(), val));
                }
            }
            func_mut(vm, r).kwdefaults = kw;
        }
        "__annotations__" => {
            if v != Value::None && !is(vm, "dict") {
                return Err(vm.type_error("__annotations__ must be set to a dict object"));
            }
            func_mut(vm, r).annotations = v;
        }
        "__dict__" => {
            let Some(d) = v.as_obj().filter(|_| is(vm, "dict")) else {
                return Err(vm.type_error(&format!(
                    "__dict__ must be set to a dictionary, not a '{type_name}'"
                )));
            };
            func_mut(vm, r).dict = Some(d);
        }
        "__code__" => {
            let Some(Object::Code(c)) = v.as_obj().map(|o| vm.heap.get(o)) else {
                return Err(vm.type_error("__code__ must be set to a code object"));
            };
            let c = c.clone();
            let consts = vm.consts_for(&c);
            let f = func_mut(vm, r);
            f.code = c;
            f.consts = consts;
        }
        "__globals__" | "__closure__" => {
            return Err(vm.new_exception("AttributeError", "readonly attribute"));
        }
        _ => {
            let d = function_dict(vm, r);
            vm.dict_set_str(d, name, v);
        }
    }
    Ok(())
}

/// `del f.name` for a Python function `r`.
pub fn del_function_attr(vm: &mut Vm, r: ObjRef, name: &str) -> PyResult<()> {
    match name {
        "__defaults__" => func_mut(vm, r).defaults.clear(),
        "__kwdefaults__" => func_mut(vm, r).kwdefaults.clear(),
        "__annotations__" => func_mut(vm, r).annotations = Value::None,
        "__doc__" => {
            func_mut(vm, r).overrides.insert(name.into(), Value::None);
        }
        "__name__" | "__qualname__" => {
            return Err(vm.type_error(&format!("{name} must be set to a string object")));
        }
        "__dict__" => return Err(vm.type_error("cannot delete __dict__")),
        "__module__" | "__code__" | "__globals__" | "__closure__" => {
            return Err(vm.new_exception("AttributeError", "readonly attribute"));
        }
        _ => {
            let removed = match func(vm, r).dict {
                Some(d) => vm.dict_del_str(d, name),
                None => false,
            };
            if !removed {
                return Err(vm.new_exception("AttributeError", name));
            }
        }
    }
    Ok(())
}
