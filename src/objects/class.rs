//! Class statements: `__build_class__` runs the class body in a fresh namespace and makes
//! the class, through its metaclass when there is one (`type(name, bases, ns)` included).

use super::args::{arity, kwarg};
use crate::vm::frame::Resume;
use crate::vm::object::{Args, ExcField, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

/// Built-in types no class may extend (CPython's types without Py_TPFLAGS_BASETYPE).
const FINAL_TYPES: &[&str] = &[
    "bool",
    "NoneType",
    "range",
    "slice",
    "memoryview",
    "function",
    "builtin_function_or_method",
    "method",
    "code",
    "cell",
    "generator",
    "coroutine",
    "async_generator",
    "list_iterator",
    "set_iterator",
    "range_iterator",
    "str_iterator",
    "dict_keys",
    "dict_values",
    "dict_items",
    "dict_keyiterator",
    "dict_valueiterator",
    "dict_itemiterator",
    "tuple_iterator",
    "list_reverseiterator",
    "bytes_iterator",
    "bytearray_iterator",
    "arrayiterator",
    "unpack_iterator",
    "callable_iterator",
];

pub fn b_build_class(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    arity(vm, "__build_class__", &args, 2, usize::MAX)?;
    let func = args.pos[0];
    let name = vm.str_of(args.pos[1]).unwrap_or_default().to_string();
    // PEP 560: a base that is not a class stands for the classes its __mro_entries__ gives.
    let orig_bases = &args.pos[2..];
    let mut bases = Vec::new();
    let mut resolved = false;
    for b in orig_bases {
        match b.as_obj() {
            Some(r) if matches!(vm.heap.get(r), Object::Class(_)) => bases.push(r),
            _ => {
                let Some(entries) = vm.class_lookup(vm.type_of(*b), "__mro_entries__") else {
                    return Err(vm.type_error("bases must be types"));
                };
                let all = vm.new_tuple(orig_bases.to_vec());
                let got = vm.call(entries, Args::new(vec![*b, all]))?;
                if !matches!(got.as_obj().map(|g| vm.heap.get(g)), Some(Object::Tuple(_))) {
                    return Err(vm.type_error("__mro_entries__ must return a tuple"));
                }
                for e in vm.tuple_items(got) {
                    match e.as_obj() {
                        Some(r) if matches!(vm.heap.get(r), Object::Class(_)) => bases.push(r),
                        _ => return Err(vm.type_error("bases must be types")),
                    }
                }
                resolved = true;
            }
        }
    }
    let Some(Object::Function(f)) = func.as_obj().map(|r| vm.heap.get(r)) else {
        return Err(vm.type_error("__build_class__: func must be a function"));
    };
    let f = f.clone();
    // The metaclass: the most derived of the one given (else the first base's) and the
    // bases' metaclasses; a given metaclass that is not a class is used as it is.
    let type_class = Value::Obj(vm.types["type"]);
    let explicit = kwarg(&args, "metaclass");
    let meta = match explicit {
        Some(m) if !matches!(m.as_obj().map(|r| vm.heap.get(r)), Some(Object::Class(_))) => m,
        given => {
            let first = match bases.first() {
                Some(b) => Value::Obj(vm.type_of(Value::Obj(*b))),
                None => type_class,
            };
            most_derived_metaclass(vm, given.unwrap_or(first), &bases)?
        }
    };
    let ns = prepare_namespace(vm, meta, &name, &bases, &args)?;
    let Some(ns_ref) = ns.as_obj() else {
        return Err(vm.type_error("__prepare__() must return a mapping"));
    };
    if resolved {
        let orig = vm.new_tuple(orig_bases.to_vec());
        let key = vm.new_str("__orig_bases__");
        vm.setitem(ns, key, orig)?;
    }
    let mut frame = vm.new_frame(f.code.clone(), f.globals, Some(ns_ref), Resume::Native);
    frame.cells.extend(f.closure.iter().copied());
    let cell = vm.run_frame(frame)?;
    let class = if meta == type_class {
        let items: Vec<(Value, Value)> = match vm.heap.get(ns_ref) {
            Object::Dict(d) => d.values().copied().collect(),
            _ => vec![],
        };
        let mut dict = crate::vm::object::NameMap::default();
        for (k, v) in items {
            dict.insert(vm.str_of(k).unwrap_or_default().to_string(), v);
        }
        Value::Obj(vm.build_class(None, &name, bases, dict)?)
    } else {
        // A metaclass makes the class: meta(name, bases, namespace).
        let bases = bases.iter().map(|b| Value::Obj(*b)).collect();
        let bases = vm.new_tuple(bases);
        let name = vm.new_str(name);
        vm.call(meta, Args::new(vec![name, bases, ns]))?
    };
    if let Some(Object::Cell(_)) = cell.as_obj().map(|r| vm.heap.get(r)) {
        *vm.heap.get_mut(cell.as_obj().expect("checked")) = Object::Cell(Some(class));
    }
    Ok(class)
}

/// CPython's _PyType_CalculateMetaclass: of `meta` and the bases' metaclasses, the one
/// that is a subclass of all the others, or the "metaclass conflict" TypeError.
fn most_derived_metaclass(vm: &mut Vm, meta: Value, bases: &[ObjRef]) -> PyResult<Value> {
    let mut winner = meta.as_obj().unwrap_or(vm.types["type"]);
    for b in bases {
        let m = vm.type_of(Value::Obj(*b));
        if vm.is_subclass(winner, m) {
            continue;
        }
        if vm.is_subclass(m, winner) {
            winner = m;
            continue;
        }
        return Err(vm.type_error(
            "metaclass conflict: the metaclass of a derived class must be a (non-strict) \
             subclass of the metaclasses of all its bases",
        ));
    }
    Ok(Value::Obj(winner))
}

/// The namespace a class body runs in: what the metaclass's `__prepare__(name, bases,
/// **kwds)` gives (any mapping, as PEP 3115), else a new dict.
fn prepare_namespace(
    vm: &mut Vm,
    meta: Value,
    name: &str,
    bases: &[ObjRef],
    args: &Args,
) -> PyResult<Value> {
    let meta_class = match meta.as_obj() {
        Some(m) if matches!(vm.heap.get(m), Object::Class(_)) => Some(m),
        _ => None,
    };
    let has_prepare = match meta_class {
        Some(m) => vm.class_lookup(m, "__prepare__").is_some(),
        None => vm.getattr_opt(meta, "__prepare__")?.is_some(),
    };
    if !has_prepare {
        return Ok(vm.new_dict());
    }
    let prepare = vm.getattr(meta, "__prepare__")?;
    let bases = bases.iter().map(|b| Value::Obj(*b)).collect();
    let mut call = Args::new(vec![vm.new_str(name), vm.new_tuple(bases)]);
    call.kw = args
        .kw
        .iter()
        .filter(|(k, _)| k != "metaclass")
        .cloned()
        .collect();
    let ns = vm.call(prepare, call)?;
    let is_mapping = match ns.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Dict(_)) => true,
        Some(_) => vm.getattr_opt(ns, "__getitem__")?.is_some(),
        None => false,
    };
    if !is_mapping {
        let (m, t) = match meta_class {
            Some(m) => (vm.class_name(m), vm.type_name(ns)),
            None => ("<metaclass>".to_string(), vm.type_name(ns)),
        };
        return Err(vm.type_error(&format!("{m}.__prepare__() must return a mapping, not {t}")));
    }
    Ok(ns)
}

impl Vm {
    /// type.__new__: a class from its name, bases and namespace, made by `meta` (None for
    /// type). Descriptors in it learn their names (__set_name__), then a base's
    /// __init_subclass__ (an implicit classmethod) hears of it, as in CPython.
    pub fn build_class(
        &mut self,
        meta: Option<ObjRef>,
        name: &str,
        bases: Vec<ObjRef>,
        mut dict: crate::vm::object::NameMap,
    ) -> PyResult<ObjRef> {
        // As type_new: __qualname__ leaves the namespace for the class's own field, and
        // __doc__ is None when the body has no docstring.
        let qualname = match dict.shift_remove("__qualname__") {
            Some(q) => match self.str_of(q) {
                Some(q) => q.to_string(),
                None => {
                    let message =
                        format!("type __qualname__ must be a str, not {}", self.type_name(q));
                    return Err(self.type_error(&message));
                }
            },
            None => name.to_string(),
        };
        dict.entry("__doc__".into()).or_insert(Value::None);
        // __new__ is a static method even undecorated, as type_new makes it.
        if let Some(&new) = dict.get("__new__")
            && matches!(
                new.as_obj().map(|f| self.heap.get(f)),
                Some(Object::Function(_))
            )
        {
            let wrapped = self.alloc(Object::StaticMethod(new));
            dict.insert("__new__".into(), wrapped);
        }
        for &base in &bases {
            let base_name = self.class_name(base);
            if FINAL_TYPES.contains(&base_name.as_str())
                && self.types.get(base_name.as_str()) == Some(&base)
            {
                let message = format!("type '{base_name}' is not an acceptable base type");
                return Err(self.type_error(&message));
            }
        }
        let slots = crate::objects::slots::slot_names(self, name, &bases, &dict)?;
        let class = self.new_class(name, bases, dict)?;
        let meta = meta.filter(|m| Some(m) != self.types.get("type"));
        if let Object::Class(c) = self.heap.get_mut(class) {
            c.qualname = qualname;
            c.metaclass = meta;
            c.slots = slots;
        }
        let members: Vec<(String, Value)> = match self.heap.get(class) {
            Object::Class(c) => c.dict.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            _ => vec![],
        };
        for (name, value) in members {
            let hook = match value.as_obj().map(|o| self.heap.get(o)) {
                Some(Object::Instance(inst)) => self.class_lookup(inst.class, "__set_name__"),
                _ => None,
            };
            if let Some(hook) = hook {
                let key = self.new_str(name.as_str());
                if let Err(cause) = self.call(hook, Args::new(vec![value, Value::Obj(class), key]))
                {
                    // 3.7's RuntimeError, caused by what the hook raised.
                    let (t, owner) = (self.type_name(value), self.class_name(class));
                    let error = self.new_exception(
                        "RuntimeError",
                        &format!(
                            "Error calling __set_name__ on '{t}' instance '{name}' in '{owner}'"
                        ),
                    );
                    self.set_exception_field(error, ExcField::Cause, cause);
                    self.set_exception_field(error, ExcField::Context, cause);
                    self.set_exception_field(error, ExcField::SuppressContext, Value::Bool(true));
                    return Err(error);
                }
            }
        }
        for base in self.mro_of(class).into_iter().skip(1) {
            let hook = match self.heap.get(base) {
                Object::Class(c) => c.dict.get("__init_subclass__").copied(),
                _ => None,
            };
            if let Some(hook) = hook {
                let func = match hook.as_obj().map(|h| self.heap.get(h)) {
                    Some(Object::ClassMethod(inner)) => *inner,
                    _ => hook,
                };
                self.call(func, Args::new(vec![Value::Obj(class)]))?;
                break;
            }
        }
        Ok(class)
    }

    /// `type.__new__(meta, name, bases, namespace)` with its arguments checked.
    pub fn class_from_args(&mut self, meta: Option<ObjRef>, args: &[Value]) -> PyResult<ObjRef> {
        let [name, bases, ns] = args[..] else {
            return Err(self.type_error("type() takes 1 or 3 arguments"));
        };
        let Some(name) = self.str_of(name).map(str::to_string) else {
            return Err(self.type_error("type.__new__() argument 1 must be str"));
        };
        let mut base_refs = Vec::new();
        for b in self.tuple_items(bases) {
            match b.as_obj() {
                Some(r) if matches!(self.heap.get(r), Object::Class(_)) => base_refs.push(r),
                _ => return Err(self.type_error("bases must be types")),
            }
        }
        let mut dict = crate::vm::object::NameMap::default();
        for (k, v) in self.mapping_items(ns)? {
            dict.insert(self.str_of(k).unwrap_or_default().to_string(), v);
        }
        // The calling module names the class (a class statement's body sets it itself).
        let caller_module = self
            .caller
            .take()
            .and_then(|c| self.dict_get_str(c.globals, "__name__"));
        if let Some(module) = caller_module {
            dict.entry("__module__".into()).or_insert(module);
        }
        self.build_class(meta, &name, base_refs, dict)
    }
}

/// `C.__bases__ = (...)`: checked as CPython's type_set_bases does, then the MROs of the
/// class and of every class below it are computed again (parents first: a class's MRO
/// holds its parents', so it is longer), and the attribute caches start over.
pub(crate) fn set_bases(vm: &mut Vm, class: ObjRef, v: Value) -> PyResult<()> {
    let name = vm.class_name(class);
    let Some(Object::Tuple(items)) = v.as_obj().map(|o| vm.heap.get(o)) else {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!(
            "can only assign tuple to {name}.__bases__, not {t}"
        )));
    };
    let items = items.clone();
    if items.is_empty() {
        return Err(vm.type_error(&format!(
            "can only assign non-empty tuple to {name}.__bases__, not ()"
        )));
    }
    let mut bases = Vec::with_capacity(items.len());
    for item in items {
        match item.as_obj() {
            Some(b) if matches!(vm.heap.get(b), Object::Class(_)) => {
                if vm.mro_of(b).contains(&class) {
                    return Err(vm.type_error("a __bases__ item causes an inheritance cycle"));
                }
                bases.push(b);
            }
            _ => {
                let t = vm.type_name(item);
                return Err(vm.type_error(&format!(
                    "{name}.__bases__ must be tuple of classes, not '{t}'"
                )));
            }
        }
    }
    let layout = |vm: &Vm, c: ObjRef| -> Option<&'static str> {
        vm.mro_of(c).iter().find_map(|m| match vm.heap.get(*m) {
            Object::Class(k) => k.builtin.filter(|b| *b != "object"),
            _ => None,
        })
    };
    let old_bases = match vm.heap.get(class) {
        Object::Class(c) => c.bases.clone(),
        _ => Vec::new(),
    };
    // The base that decides the instances' layout (CPython's best_base), in the message.
    let best = |vm: &Vm, bases: &[ObjRef]| -> (Option<&'static str>, ObjRef) {
        let solid = bases
            .iter()
            .find_map(|b| layout(vm, *b).map(|l| (Some(l), *b)));
        solid.unwrap_or((None, bases[0]))
    };
    let (old_layout, old_best) = best(vm, &old_bases);
    let (new_layout, new_best) = best(vm, &bases);
    if old_layout != new_layout {
        let (new, old) = (vm.class_name(new_best), vm.class_name(old_best));
        return Err(vm.type_error(&format!(
            "__bases__ assignment: '{new}' deallocator differs from '{old}'"
        )));
    }
    let tail = vm.linearize(&bases)?;
    let mut below: Vec<(usize, ObjRef)> = vm
        .heap
        .objects()
        .filter_map(|(r, o)| match o {
            Object::Class(c) if r != class && c.mro.contains(&class) => Some((c.mro.len(), r)),
            _ => None,
        })
        .collect();
    below.sort_unstable();
    // What each class changed had, to put back when a subclass's MRO would be inconsistent.
    let mut saved = Vec::new();
    let mut result = Ok(());
    let mut update = |vm: &mut Vm, c: ObjRef, bases: Option<Vec<ObjRef>>, tail: Vec<ObjRef>| {
        if let Object::Class(k) = vm.heap.get_mut(c) {
            let mro = std::iter::once(c).chain(tail).collect();
            let old_mro = std::mem::replace(&mut k.mro, mro);
            let old_bases = bases.map(|b| std::mem::replace(&mut k.bases, b));
            saved.push((c, old_bases, old_mro));
        }
    };
    update(vm, class, Some(bases), tail);
    for (_, sub) in below {
        let sub_bases = match vm.heap.get(sub) {
            Object::Class(c) => c.bases.clone(),
            _ => continue,
        };
        match vm.linearize(&sub_bases) {
            Ok(tail) => update(vm, sub, None, tail),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    if result.is_err() {
        for (c, old_bases, old_mro) in saved.into_iter().rev() {
            if let Object::Class(k) = vm.heap.get_mut(c) {
                k.mro = old_mro;
                if let Some(b) = old_bases {
                    k.bases = b;
                }
            }
        }
    }
    vm.class_epoch += 1;
    result
}

/// `C.__subclasses__()`: the classes that name C among their bases, oldest first.
pub(crate) fn type_subclasses(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let Some(class) = r.and_then(|v| v.as_obj()) else {
        return Err(vm.type_error("descriptor '__subclasses__' of 'type' object needs an argument"));
    };
    let subclasses = vm
        .heap
        .objects()
        .filter_map(|(r, o)| match o {
            Object::Class(c) if c.bases.contains(&class) => Some(Value::Obj(r)),
            _ => None,
        })
        .collect();
    Ok(vm.new_list(subclasses))
}

/// `obj.__class__ = C`: checked as CPython's object_set_class (a class, not a built-in
/// type, with the same instance layout); the instance's attributes move to a dict of their
/// own first, as their split order was the old class's.
pub(crate) fn set_instance_class(vm: &mut Vm, obj: Value, v: Value) -> PyResult<()> {
    let Some(new) = v
        .as_obj()
        .filter(|c| matches!(vm.heap.get(*c), Object::Class(_)))
    else {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!(
            "__class__ must be set to a class, not '{t}' object"
        )));
    };
    let old = vm.type_of(obj);
    let is_builtin = |vm: &Vm, c: ObjRef| match vm.heap.get(c) {
        Object::Class(k) => vm.types.get(k.name.as_str()) == Some(&c),
        _ => true,
    };
    if is_builtin(vm, new) || is_builtin(vm, old) {
        return Err(vm.type_error(
            "__class__ assignment only supported for heap types or ModuleType subclasses",
        ));
    }
    let layout = |vm: &Vm, c: ObjRef| -> Option<&'static str> {
        vm.mro_of(c).iter().find_map(|m| match vm.heap.get(*m) {
            Object::Class(k) => k.builtin.filter(|b| *b != "object"),
            _ => None,
        })
    };
    if layout(vm, new) != layout(vm, old) {
        let (n, o) = (vm.class_name(new), vm.class_name(old));
        return Err(vm.type_error(&format!(
            "__class__ assignment: '{n}' object layout differs from '{o}'"
        )));
    }
    vm.instance_dict(obj);
    if let Some(Object::Instance(inst)) = obj.as_obj().map(|r| vm.heap.get_mut(r)) {
        inst.class = new;
    }
    vm.class_epoch += 1;
    Ok(())
}
