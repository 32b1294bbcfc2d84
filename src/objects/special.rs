//! Data attributes of built-in objects that learners inspect: `__class__`, a generator's
//! gi_frame, gi_code and gi_running, a frame's f_lasti and f_lineno, a code object's
//! co_code and co_consts, a function's __name__, an exception's args, a property's
//! setter ...

use super::args::recv;
use crate::vm::object::{Args, GenKind, NativeFn, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

/// What the method type itself answers; a bound method forwards other names to its function.
const METHOD_TYPE_ATTRS: &[&str] = &[
    "__call__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__hash__",
    "__repr__",
    "__str__",
    "__get__",
    "__reduce__",
    "__reduce_ex__",
    "__init__",
    "__new__",
    "__getattribute__",
    "__setattr__",
    "__delattr__",
    "__format__",
    "__sizeof__",
    "__dir__",
];

/// Data attributes of built-in objects.
pub fn special_attr(vm: &mut Vm, obj: Value, name: &str) -> PyResult<Option<Value>> {
    if name == "__class__" {
        return Ok(Some(Value::Obj(vm.type_of(obj))));
    }
    let Value::Obj(r) = obj else {
        return Ok(match (obj, name) {
            (Value::Int(_), "real" | "numerator") => Some(obj),
            (Value::Bool(b), "real" | "numerator") => Some(Value::Int(i64::from(b))),
            (Value::Int(_) | Value::Bool(_), "imag") => Some(Value::Int(0)),
            (Value::Int(_) | Value::Bool(_), "denominator") => Some(Value::Int(1)),
            (Value::Float(_), "real") => Some(obj),
            (Value::Float(_), "imag") => Some(Value::Float(0.0)),
            _ => None,
        });
    };

    if let Object::Function(_) = vm.heap.get(r) {
        return super::function::function_attr(vm, r, name);
    }
    if let Object::MemoryView(_) = vm.heap.get(r) {
        return super::bytearray::memoryview_attr(vm, r, name);
    }
    if let Object::Array(_) = vm.heap.get(r)
        && let Some(v) = super::array::array_attr(vm, r, name)
    {
        return Ok(Some(v));
    }
    let v = match (vm.heap.get(r), name) {
        (Object::Cell(v), "cell_contents") => match v {
            Some(v) => *v,
            None => return Err(vm.new_exception("ValueError", "Cell is empty")),
        },
        (Object::Native(n), "__name__" | "__qualname__") => {
            let n = n.name;
            vm.new_str(n)
        }
        (Object::BoundMethod { func, .. }, "__func__") => *func,
        (Object::StaticMethod(f) | Object::ClassMethod(f), "__func__") => *f,
        (Object::BoundMethod { receiver, .. }, "__self__") => *receiver,
        // Anything else a method is asked for is its function's (`m.__name__`).
        (Object::BoundMethod { func, .. }, _) if !METHOD_TYPE_ATTRS.contains(&name) => {
            let func = *func;
            return vm.getattr_opt(func, name);
        }
        (Object::Generator(g), "ag_frame" | "ag_running" | "ag_code" | "ag_await")
            if g.kind != GenKind::AsyncGenerator =>
        {
            return Ok(None);
        }
        (Object::Generator(g), "gi_frame" | "gi_running" | "gi_code" | "gi_yieldfrom")
            if g.kind != GenKind::Generator =>
        {
            return Ok(None);
        }
        (Object::Generator(g), "cr_frame" | "cr_running" | "cr_code" | "cr_await")
            if g.kind != GenKind::Coroutine =>
        {
            return Ok(None);
        }
        (Object::Generator(g), "gi_yieldfrom" | "cr_await" | "ag_await") => {
            // What a `yield from` or `await` it is suspended in delegates to.
            match &g.frame {
                Some(f)
                    if !g.running
                        && f.code().co_code.get(f.pc)
                            == Some(&(crate::bytecode::Opcode::YIELD_FROM as u8)) =>
                {
                    f.stack.last().copied().unwrap_or(Value::None)
                }
                _ => Value::None,
            }
        }
        (Object::Generator(g), "gi_frame" | "cr_frame" | "ag_frame") => {
            if g.frame.is_none() {
                Value::None
            } else {
                let frame = vm.new_frame_view(r);
                return Ok(Some(frame));
            }
        }
        (Object::Generator(g), "gi_running" | "cr_running" | "ag_running") => {
            Value::Bool(g.running)
        }
        (Object::Generator(g), "gi_code" | "cr_code" | "ag_code") => {
            let c = g.code.clone();
            vm.alloc(Object::Code(c))
        }
        (Object::Generator(g), "__name__") => {
            let n = g.name.clone();
            vm.new_str(n)
        }
        (Object::Generator(g), "__qualname__") => {
            let n = g.qualname.clone();
            vm.new_str(n)
        }
        (Object::Code(c), attr) => {
            let c = c.clone();
            return Ok(code_attr(vm, &c, attr));
        }
        (Object::Deque(d), "maxlen") => d.maxlen.map_or(Value::None, |m| Value::Int(m as i64)),
        (Object::Range { start, .. }, "start") => Value::Int(*start),
        (Object::Range { stop, .. }, "stop") => Value::Int(*stop),
        (Object::Range { step, .. }, "step") => Value::Int(*step),
        (Object::Slice { start, .. }, "start") => *start,
        (Object::Slice { stop, .. }, "stop") => *stop,
        (Object::Slice { step, .. }, "step") => *step,
        (Object::Module { name: m, .. }, "__name__") => {
            let m = m.clone();
            vm.new_str(m)
        }
        (Object::BigInt(_), "real" | "numerator") => obj,
        (Object::Complex(re, _), "real") => Value::Float(*re),
        (Object::Complex(_, im), "imag") => Value::Float(*im),
        (Object::Property { fget, .. }, "fget") => *fget,
        (Object::Property { fset, .. }, "fset") => *fset,
        (Object::Property { fdel, .. }, "fdel") => *fdel,
        (
            Object::Property { .. },
            which @ ("getter" | "setter" | "deleter" | "__get__" | "__set__" | "__delete__"),
        ) => {
            let (name, func): (&'static str, NativeFn) = match which {
                "getter" => ("getter", property_getter),
                "setter" => ("setter", property_setter),
                "deleter" => ("deleter", property_deleter),
                "__get__" => ("__get__", property_get),
                "__set__" => ("__set__", property_set),
                _ => ("__delete__", property_delete),
            };
            let native = vm.native(name, func);
            if let Value::Obj(n) = native
                && let Object::Native(n) = vm.heap.get_mut(n)
            {
                n.receiver = Some(obj);
            }
            return Ok(Some(native));
        }
        (Object::Property { doc, .. }, "__doc__") if *doc != Value::None => *doc,
        (Object::Property { fget, .. }, "__doc__") => {
            let fget = *fget;
            return vm.getattr_opt(fget, "__doc__");
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// The property's three functions.
fn accessors(vm: &Vm, r: Option<Value>) -> (Value, Value, Value) {
    match recv(r).as_obj().map(|p| vm.heap.get(p)) {
        Some(Object::Property {
            fget, fset, fdel, ..
        }) => (*fget, *fset, *fdel),
        _ => (Value::None, Value::None, Value::None),
    }
}

/// `prop.__get__(obj, type=None)`: the property itself for None, else fget(obj).
fn property_get(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let obj = args.pos.first().copied().unwrap_or(Value::None);
    if obj == Value::None {
        return Ok(recv(r));
    }
    let (fget, _, _) = accessors(vm, r);
    if fget == Value::None {
        return Err(vm.new_exception("AttributeError", "unreadable attribute"));
    }
    vm.call(fget, Args::new(vec![obj]))
}

/// `prop.__set__(obj, value)`: fset(obj, value).
fn property_set(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (_, fset, _) = accessors(vm, r);
    call_accessor(vm, fset, args, "can't set attribute")
}

/// `prop.__delete__(obj)`: fdel(obj).
fn property_delete(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (_, _, fdel) = accessors(vm, r);
    call_accessor(vm, fdel, args, "can't delete attribute")
}

/// Calls a property's setter or deleter, or raises AttributeError(`missing`) without one.
fn call_accessor(vm: &mut Vm, accessor: Value, args: Args, missing: &str) -> R {
    if accessor == Value::None {
        return Err(vm.new_exception("AttributeError", missing));
    }
    vm.call(accessor, args)?;
    Ok(Value::None)
}

/// Which accessor `prop.getter(f)`, `prop.setter(f)` or `prop.deleter(f)` replaces.
#[derive(Clone, Copy, PartialEq)]
enum Accessor {
    Get,
    Set,
    Delete,
}

/// `prop.getter(f)` / `prop.setter(f)` / `prop.deleter(f)`: a copy of the property with
/// that accessor replaced.
fn property_with(vm: &mut Vm, r: Option<Value>, args: Args, which: Accessor) -> R {
    let f = args.pos.first().copied().unwrap_or(Value::None);
    let (mut fget, mut fset, mut fdel, doc) = match vm.heap.get(recv(r).as_obj().expect("property"))
    {
        Object::Property {
            fget,
            fset,
            fdel,
            doc,
        } => (*fget, *fset, *fdel, *doc),
        _ => (Value::None, Value::None, Value::None, Value::None),
    };
    match which {
        Accessor::Get => fget = f,
        Accessor::Set => fset = f,
        Accessor::Delete => fdel = f,
    }
    Ok(vm.alloc(Object::Property {
        fget,
        fset,
        fdel,
        doc,
    }))
}

fn property_getter(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    property_with(vm, r, args, Accessor::Get)
}

fn property_setter(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    property_with(vm, r, args, Accessor::Set)
}

fn property_deleter(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    property_with(vm, r, args, Accessor::Delete)
}

fn code_attr(vm: &mut Vm, c: &crate::bytecode::CodeObject, name: &str) -> Option<Value> {
    let strs = |vm: &mut Vm, v: &[String]| {
        let items = v.iter().map(|s| vm.new_str(s.clone())).collect();
        vm.new_tuple(items)
    };
    Some(match name {
        "co_code" => vm.alloc(Object::Bytes(c.co_code.clone())),
        "co_name" => vm.new_str(c.co_name.clone()),
        "co_filename" => vm.new_str(c.co_filename.clone()),
        "co_firstlineno" => Value::Int(i64::from(c.co_firstlineno)),
        "co_argcount" => Value::Int(i64::from(c.co_argcount)),
        "co_kwonlyargcount" => Value::Int(i64::from(c.co_kwonlyargcount)),
        "co_nlocals" => Value::Int(i64::from(c.co_nlocals)),
        "co_stacksize" => Value::Int(i64::from(c.co_stacksize)),
        "co_flags" => Value::Int(i64::from(c.co_flags)),
        "co_lnotab" => vm.alloc(Object::Bytes(c.co_lnotab.clone())),
        "co_varnames" => strs(vm, &c.co_varnames),
        "co_names" => strs(vm, &c.co_names),
        "co_freevars" => strs(vm, &c.co_freevars),
        "co_cellvars" => strs(vm, &c.co_cellvars),
        "co_consts" => {
            let items = c.co_consts.iter().map(|k| vm.load_const(k)).collect();
            vm.new_tuple(items)
        }
        _ => return None,
    })
}

impl Vm {
    /// A snapshot view of a suspended generator's frame: f_lasti, f_lineno, f_locals, f_code.
    pub fn new_frame_view(&mut self, g: ObjRef) -> Value {
        let Object::Generator(gn) = self.heap.get(g) else {
            return Value::None;
        };
        let Some(frame) = &gn.frame else {
            return Value::None;
        };
        let lasti = frame.lasti;
        let lineno = if lasti < 0 {
            frame.code().co_firstlineno
        } else {
            frame.lineno()
        };
        let code = frame.code().clone();
        let locals: Vec<(String, Value)> = code
            .co_varnames
            .iter()
            .zip(&frame.fast)
            .filter_map(|(n, v)| v.map(|v| (n.clone(), v)))
            .collect();
        let class = self.types["object"];
        let view = self.new_instance(class);
        let code_v = self.alloc(Object::Code(code));
        let d = self.new_dict();
        for (k, v) in locals {
            let key = self.new_str(k);
            let _ = self.setitem(d, key, v);
        }
        self.set_instance_attr(view, "f_lasti", Value::Int(lasti));
        self.set_instance_attr(view, "f_lineno", Value::Int(i64::from(lineno)));
        self.set_instance_attr(view, "f_code", code_v);
        self.set_instance_attr(view, "f_locals", d);
        view
    }
}
