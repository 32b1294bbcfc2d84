//! The Unpickler's opcodes that build objects by calling into Python: globals (GLOBAL,
//! STACK_GLOBAL, EXT through copyreg's registry, each through `find_class`), calls
//! (REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ), filling containers (APPEND(S), SETITEM(S),
//! ADDITEMS, through the container's own methods when it is not a built-in one), BUILD
//! (`__setstate__`, else the instance `__dict__` and slots) and persistent ids. Also the
//! default `find_class`: import the module, then follow the (dotted) name.

use super::compat;
use super::load::Unpickler;
use super::op;
use crate::objects::reduce::lookup_attr;
use crate::vm::object::{Args, DictKey, Object};
use crate::vm::{PyResult, Value, Vm};

impl Unpickler {
    pub(super) fn build_step(&mut self, vm: &mut Vm, code: u8) -> PyResult<()> {
        match code {
            op::GLOBAL => {
                let module = self.line(vm)?;
                let module = super::text::utf8_strict(vm, &module)?;
                let name = self.line(vm)?;
                let name = super::text::utf8_strict(vm, &name)?;
                let global = self.find_class(vm, &module, &name)?;
                self.push(global);
            }
            op::STACK_GLOBAL => {
                let name = self.pop(vm);
                let module = self.pop(vm);
                let texts = match (module, name) {
                    (Ok(m), Ok(n)) => exact_str(vm, m).zip(exact_str(vm, n)),
                    _ => None,
                };
                let Some((module, name)) = texts else {
                    return Err(super::unpickling_error(vm, "STACK_GLOBAL requires str"));
                };
                let global = self.find_class(vm, &module, &name)?;
                self.push(global);
            }
            op::INST => {
                let mark = self.marker(vm)?;
                let module = self.line(vm)?;
                let module = super::text::ascii_strict(vm, &module)?;
                let name = self.line(vm)?;
                let name = super::text::ascii_strict(vm, &name)?;
                let cls = self.find_class(vm, &module, &name)?;
                let args = self.pop_from(vm, mark)?;
                let obj = instantiate(vm, cls, args)?;
                self.push(obj);
            }
            op::OBJ => {
                let mark = self.marker(vm)?;
                if self.stack.len() < mark + 1 {
                    return Err(self.underflow(vm));
                }
                let args = self.pop_from(vm, mark + 1)?;
                let cls = self.pop(vm)?;
                let obj = instantiate(vm, cls, args)?;
                self.push(obj);
            }
            op::NEWOBJ => {
                let args = self.pop(vm)?;
                if !is_tuple(vm, args) {
                    return Err(super::unpickling_error(vm, "NEWOBJ expected an arg tuple."));
                }
                let cls = self.pop(vm)?;
                if !is_class(vm, cls) {
                    let msg = "NEWOBJ class argument isn't a type object";
                    return Err(super::unpickling_error(vm, msg));
                }
                let mut pos = vec![cls];
                pos.extend(vm.tuple_items(args));
                let obj = call_new(vm, cls, Args { pos, kw: vec![] })?;
                self.push(obj);
            }
            op::NEWOBJ_EX => {
                let kwargs = self.pop(vm)?;
                let args = self.pop(vm)?;
                let cls = self.pop(vm)?;
                if !is_class(vm, cls) {
                    let t = vm.type_name(cls);
                    let msg = format!("NEWOBJ_EX class argument must be a type, not {t}");
                    return Err(super::unpickling_error(vm, &msg));
                }
                if !is_tuple(vm, args) {
                    return Err(vm.type_error("argument list must be a tuple"));
                }
                let mut pos = vec![cls];
                pos.extend(vm.tuple_items(args));
                let mut kw = Vec::new();
                for (k, v) in vm.mapping_items(kwargs)? {
                    match vm.str_of(k) {
                        Some(k) => kw.push((k.to_string(), v)),
                        None => return Err(vm.type_error("keywords must be strings")),
                    }
                }
                let obj = call_new(vm, cls, Args { pos, kw })?;
                self.push(obj);
            }
            op::REDUCE => {
                let args = self.pop(vm)?;
                let callable = self.pop(vm)?;
                if !is_tuple(vm, args) {
                    return Err(vm.type_error("argument list must be a tuple"));
                }
                let args = vm.tuple_items(args);
                let obj = vm.call(callable, Args::new(args))?;
                self.push(obj);
            }
            op::BUILD => self.build(vm)?,
            op::APPEND => {
                let Some(x) = self.stack.len().checked_sub(1) else {
                    return Err(self.underflow(vm));
                };
                self.append_from(vm, x)?;
            }
            op::APPENDS => {
                let mark = self.marker(vm)?;
                self.append_from(vm, mark)?;
            }
            op::SETITEM => {
                let Some(x) = self.stack.len().checked_sub(2) else {
                    return Err(self.underflow(vm));
                };
                self.setitems_from(vm, x)?;
            }
            op::SETITEMS => {
                let mark = self.marker(vm)?;
                self.setitems_from(vm, mark)?;
            }
            op::ADDITEMS => {
                let mark = self.marker(vm)?;
                self.additems_from(vm, mark)?;
            }
            op::EXT1 | op::EXT2 | op::EXT4 => self.extension(vm, code)?,
            op::PERSID | op::BINPERSID => {
                let Some(load) = self.persistent_load else {
                    let msg = "A load persistent id instruction was encountered,\n\
                               but no persistent_load function was specified.";
                    return Err(super::unpickling_error(vm, msg));
                };
                let pid = if code == op::PERSID {
                    let line = self.line_any(vm)?;
                    if !line.is_ascii() {
                        let msg = "persistent IDs in protocol 0 must be ASCII strings";
                        return Err(super::unpickling_error(vm, msg));
                    }
                    let text: String = line.iter().map(|&b| char::from(b)).collect();
                    vm.new_str(text)
                } else {
                    self.pop(vm)?
                };
                let obj = vm.call(load, Args::new(vec![pid]))?;
                self.push(obj);
            }
            _ => {
                let shown = if (0x20..=0x7e).contains(&code) && code != b'\'' && code != b'\\' {
                    char::from(code).to_string()
                } else {
                    format!("\\x{code:02x}")
                };
                let msg = format!("invalid load key, '{shown}'.");
                return Err(super::unpickling_error(vm, &msg));
            }
        }
        Ok(())
    }

    /// A global by module and name: the Python Unpickler's `find_class` (perhaps the
    /// program's override), else the default one.
    fn find_class(&mut self, vm: &mut Vm, module: &str, name: &str) -> PyResult<Value> {
        if let Some(owner) = self.owner {
            let method = vm.getattr(owner, "find_class")?;
            let module = vm.new_str(module);
            let name = vm.new_str(name);
            return vm.call(method, Args::new(vec![module, name]));
        }
        find_class(vm, module, name, self.proto, self.fix_imports)
    }

    /// BUILD: `inst.__setstate__(state)`, else the state dict into `inst.__dict__` and the
    /// slot state (from `(state, slotstate)`) set as attributes.
    fn build(&mut self, vm: &mut Vm) -> PyResult<()> {
        if self.stack.len() < 2 || self.stack.len() - 2 < self.fence() {
            return Err(self.underflow(vm));
        }
        let state = self.pop(vm)?;
        let inst = self.top(vm)?;
        if let Some(setstate) = lookup_attr(vm, inst, "__setstate__")? {
            vm.call(setstate, Args::new(vec![state]))?;
            return Ok(());
        }
        let (state, slotstate) = match state.as_obj().map(|t| vm.heap.get(t)) {
            Some(Object::Tuple(pair)) if pair.len() == 2 => (pair[0], Some(pair[1])),
            _ => (state, None),
        };
        if state != Value::None {
            if !is_dict(vm, state) {
                return Err(super::unpickling_error(vm, "state is not a dictionary"));
            }
            let dict = vm.getattr(inst, "__dict__")?;
            for (k, v) in vm.mapping_items(state)? {
                // Attribute names are interned, as CPython interns them here.
                match (dict.as_obj(), vm.str_of(k).map(str::to_string)) {
                    (Some(d), Some(name)) if matches!(vm.heap.get(d), Object::Dict(_)) => {
                        vm.dict_set_str(d, &name, v);
                    }
                    _ => vm.setitem(dict, k, v)?,
                }
            }
        }
        if let Some(slots) = slotstate {
            if !is_dict(vm, slots) {
                return Err(super::unpickling_error(
                    vm,
                    "slot state is not a dictionary",
                ));
            }
            for (k, v) in vm.mapping_items(slots)? {
                let Some(name) = vm.str_of(k).map(str::to_string) else {
                    let t = vm.type_name(k);
                    let msg = format!("attribute name must be string, not '{t}'");
                    return Err(vm.type_error(&msg));
                };
                vm.setattr(inst, &name, v)?;
            }
        }
        Ok(())
    }

    /// APPEND(S): the items above `x` onto the list at `x - 1` (through `extend`, or
    /// `append`, when it is not a list).
    fn append_from(&mut self, vm: &mut Vm, x: usize) -> PyResult<()> {
        let items = self.items_above(vm, x)?;
        if items.is_empty() {
            return Ok(());
        }
        let target = self.stack[x - 1];
        if let Some(Object::List(list)) = target.as_obj().map(|l| vm.heap.get_mut(l)) {
            list.extend(items);
            return Ok(());
        }
        match vm.getattr(target, "extend") {
            Ok(extend) => {
                let list = vm.new_list(items);
                vm.call(extend, Args::new(vec![list]))?;
            }
            Err(_) => {
                let append = vm.getattr(target, "append")?;
                for item in items {
                    vm.call(append, Args::new(vec![item]))?;
                }
            }
        }
        Ok(())
    }

    /// SETITEM(S): the key/value pairs above `x` into the mapping at `x - 1`.
    fn setitems_from(&mut self, vm: &mut Vm, x: usize) -> PyResult<()> {
        let len = self.stack.len();
        if x > len || x <= self.fence() {
            return Err(self.underflow(vm));
        }
        if !(len - x).is_multiple_of(2) {
            let msg = "odd number of items for SETITEMS";
            return Err(super::unpickling_error(vm, msg));
        }
        let items = self.stack.split_off(x);
        let target = self.stack[x - 1];
        for pair in items.chunks(2) {
            vm.setitem(target, pair[0], pair[1])?;
        }
        Ok(())
    }

    /// ADDITEMS: the items above `x` into the set at `x - 1` (through `add` when it is not
    /// a set).
    fn additems_from(&mut self, vm: &mut Vm, x: usize) -> PyResult<()> {
        let items = self.items_above(vm, x)?;
        if items.is_empty() {
            return Ok(());
        }
        let target = self.stack[x - 1];
        let set = vm.payload_of(target).unwrap_or(target);
        if matches!(set.as_obj().map(|s| vm.heap.get(s)), Some(Object::Set(_))) {
            for item in items {
                vm.set_add(set, item)?;
            }
            return Ok(());
        }
        let add = vm.getattr(target, "add")?;
        for item in items {
            vm.call(add, Args::new(vec![item]))?;
        }
        Ok(())
    }

    /// The items from `x` to the top, taken off the stack; the container at `x - 1` must
    /// be above the fence.
    fn items_above(&mut self, vm: &mut Vm, x: usize) -> PyResult<Vec<Value>> {
        if x > self.stack.len() || x <= self.fence() {
            return Err(self.underflow(vm));
        }
        Ok(self.stack.split_off(x))
    }

    /// EXT1/EXT2/EXT4: a global registered with copyreg under a code.
    fn extension(&mut self, vm: &mut Vm, code: u8) -> PyResult<()> {
        let n = match code {
            op::EXT1 => 1,
            op::EXT2 => 2,
            _ => 4,
        };
        let raw = self.read_size(vm, n)?;
        let value = if n == 4 {
            i64::from(raw as u32 as i32)
        } else {
            raw as i64
        };
        if value <= 0 {
            return Err(super::unpickling_error(vm, "EXT specifies code <= 0"));
        }
        let copyreg = vm.import("copyreg", true)?;
        let cache = vm.getattr(copyreg, "_extension_cache")?;
        let key = Value::Int(value);
        if let Some(obj) = dict_lookup(vm, cache, DictKey::Int(value)) {
            self.push(obj);
            return Ok(());
        }
        let inverted = vm.getattr(copyreg, "_inverted_registry")?;
        let Some(pair) = dict_lookup(vm, inverted, DictKey::Int(value)) else {
            let msg = format!("unregistered extension code {value}");
            return Err(vm.new_exception("ValueError", &msg));
        };
        let names = match pair.as_obj().map(|p| vm.heap.get(p)) {
            Some(Object::Tuple(t)) if t.len() == 2 => {
                let (m, n) = (t[0], t[1]);
                vm.str_of(m)
                    .map(str::to_string)
                    .zip(vm.str_of(n).map(str::to_string))
            }
            _ => None,
        };
        let Some((module, name)) = names else {
            let msg = format!("_inverted_registry[{value}] isn't a 2-tuple of strings");
            return Err(vm.new_exception("ValueError", &msg));
        };
        let obj = self.find_class(vm, &module, &name)?;
        vm.setitem(cache, key, obj)?;
        self.push(obj);
        Ok(())
    }
}

/// The default `find_class`: Python 2 names mapped (below protocol 3, with
/// fix_imports), the module imported, the name looked up (dotted from protocol 4).
pub fn find_class(
    vm: &mut Vm,
    module: &str,
    name: &str,
    proto: u8,
    fix_imports: bool,
) -> PyResult<Value> {
    let (mut module, mut name) = (module.to_string(), name.to_string());
    if proto < 3 && fix_imports {
        if let Some((m, n)) = compat::name_2to3(&module, &name) {
            (module, name) = (m.to_string(), n.to_string());
        } else if let Some(m) = compat::import_2to3(&module) {
            module = m.to_string();
        }
    }
    let m = vm.import(&module, true)?;
    get_attribute(vm, m, &name, proto >= 4)
}

/// `getattribute` of _pickle.c: the attribute, following dots when allowed.
fn get_attribute(vm: &mut Vm, obj: Value, name: &str, dotted: bool) -> PyResult<Value> {
    let shown = crate::pyfmt::str_repr(name);
    let found = if dotted {
        if name.split('.').any(|p| p == "<locals>") {
            let obj_repr = vm.repr(obj)?;
            let msg = format!("Can't get local attribute {shown} on {obj_repr}");
            return Err(vm.new_exception("AttributeError", &msg));
        }
        let mut current = Some(obj);
        for part in name.split('.') {
            let Some(c) = current else { break };
            current = lookup_attr(vm, c, part)?;
        }
        current
    } else {
        lookup_attr(vm, obj, name)?
    };
    match found {
        Some(v) => Ok(v),
        None => {
            let obj_repr = vm.repr(obj)?;
            let msg = format!("Can't get attribute {shown} on {obj_repr}");
            Err(vm.new_exception("AttributeError", &msg))
        }
    }
}

/// INST and OBJ: `cls(*args)`, or `cls.__new__(cls)` for a class called with no
/// arguments that has no `__getinitargs__`.
fn instantiate(vm: &mut Vm, cls: Value, args: Vec<Value>) -> PyResult<Value> {
    if args.is_empty() && is_class(vm, cls) && lookup_attr(vm, cls, "__getinitargs__")?.is_none() {
        return call_new(vm, cls, Args::new(vec![cls]));
    }
    vm.call(cls, Args::new(args))
}

/// `cls.__new__(cls, *args, **kwargs)`.
fn call_new(vm: &mut Vm, cls: Value, args: Args) -> PyResult<Value> {
    let new = vm.getattr(cls, "__new__")?;
    vm.call(new, args)
}

fn exact_str(vm: &Vm, v: Value) -> Option<String> {
    match v.as_obj().map(|s| vm.heap.get(s)) {
        Some(Object::Str(s)) => Some(s.text.to_string()),
        _ => None,
    }
}

fn is_tuple(vm: &Vm, v: Value) -> bool {
    matches!(v.as_obj().map(|t| vm.heap.get(t)), Some(Object::Tuple(_)))
}

fn is_class(vm: &Vm, v: Value) -> bool {
    matches!(v.as_obj().map(|c| vm.heap.get(c)), Some(Object::Class(_)))
}

/// A dict, or an instance of a subclass of dict.
fn is_dict(vm: &Vm, v: Value) -> bool {
    let v = vm.payload_of(v).unwrap_or(v);
    matches!(v.as_obj().map(|d| vm.heap.get(d)), Some(Object::Dict(_)))
}

fn dict_lookup(vm: &Vm, dict: Value, key: DictKey) -> Option<Value> {
    match dict.as_obj().map(|d| vm.heap.get(d)) {
        Some(Object::Dict(d)) => d.get(&key).map(|(_, v)| *v),
        _ => None,
    }
}
