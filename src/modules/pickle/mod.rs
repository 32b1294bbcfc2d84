//! `_pickle`: CPython 3.7's pickle, native, byte for byte (the API programs use, with
//! CPython's signatures, is lib/pickle.py over this). The opcodes are below; `save.rs`
//! and `reduce.rs` are the Pickler, `load.rs` and `build.rs` the Unpickler, `text.rs`
//! the textual forms protocol 0 and Python 2 use, `compat.rs` the Python 2 names
//! fix_imports maps. What an object says rebuilds it (`object.__reduce_ex__`) is in
//! src/objects/reduce.rs; copyreg (lib/copyreg.py) holds the registries.
//!
//! The functions here take their state from the front end's Pickler and Unpickler
//! objects: the protocol, the memo (a list, or a dict for the Unpickler, kept on the
//! object so it lasts across `dump`/`load` calls and keeps its objects alive), the file
//! methods, `persistent_id` / `persistent_load`, `dispatch_table`, `fast`.

mod build;
mod compat;
mod containers;
mod load;
mod reduce;
mod save;
mod text;

use crate::vm::object::{Args, NameMap, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use load::Unpickler;
use save::Pickler;

type R = PyResult<Value>;

pub const HIGHEST_PROTOCOL: u8 = 4;
pub const DEFAULT_PROTOCOL: u8 = 3;

/// The opcodes (pickletools documents each).
pub mod op {
    pub const MARK: u8 = b'(';
    pub const STOP: u8 = b'.';
    pub const POP: u8 = b'0';
    pub const POP_MARK: u8 = b'1';
    pub const DUP: u8 = b'2';
    pub const FLOAT: u8 = b'F';
    pub const INT: u8 = b'I';
    pub const BININT: u8 = b'J';
    pub const BININT1: u8 = b'K';
    pub const LONG: u8 = b'L';
    pub const BININT2: u8 = b'M';
    pub const NONE: u8 = b'N';
    pub const PERSID: u8 = b'P';
    pub const BINPERSID: u8 = b'Q';
    pub const REDUCE: u8 = b'R';
    pub const STRING: u8 = b'S';
    pub const BINSTRING: u8 = b'T';
    pub const SHORT_BINSTRING: u8 = b'U';
    pub const UNICODE: u8 = b'V';
    pub const BINUNICODE: u8 = b'X';
    pub const APPEND: u8 = b'a';
    pub const BUILD: u8 = b'b';
    pub const GLOBAL: u8 = b'c';
    pub const DICT: u8 = b'd';
    pub const EMPTY_DICT: u8 = b'}';
    pub const APPENDS: u8 = b'e';
    pub const GET: u8 = b'g';
    pub const BINGET: u8 = b'h';
    pub const INST: u8 = b'i';
    pub const LONG_BINGET: u8 = b'j';
    pub const LIST: u8 = b'l';
    pub const EMPTY_LIST: u8 = b']';
    pub const OBJ: u8 = b'o';
    pub const PUT: u8 = b'p';
    pub const BINPUT: u8 = b'q';
    pub const LONG_BINPUT: u8 = b'r';
    pub const SETITEM: u8 = b's';
    pub const TUPLE: u8 = b't';
    pub const EMPTY_TUPLE: u8 = b')';
    pub const SETITEMS: u8 = b'u';
    pub const BINFLOAT: u8 = b'G';
    // Protocol 2.
    pub const PROTO: u8 = 0x80;
    pub const NEWOBJ: u8 = 0x81;
    pub const EXT1: u8 = 0x82;
    pub const EXT2: u8 = 0x83;
    pub const EXT4: u8 = 0x84;
    pub const TUPLE1: u8 = 0x85;
    pub const TUPLE2: u8 = 0x86;
    pub const TUPLE3: u8 = 0x87;
    pub const NEWTRUE: u8 = 0x88;
    pub const NEWFALSE: u8 = 0x89;
    pub const LONG1: u8 = 0x8a;
    pub const LONG4: u8 = 0x8b;
    // Protocol 3.
    pub const BINBYTES: u8 = b'B';
    pub const SHORT_BINBYTES: u8 = b'C';
    // Protocol 4.
    pub const SHORT_BINUNICODE: u8 = 0x8c;
    pub const BINUNICODE8: u8 = 0x8d;
    pub const BINBYTES8: u8 = 0x8e;
    pub const EMPTY_SET: u8 = 0x8f;
    pub const ADDITEMS: u8 = 0x90;
    pub const FROZENSET: u8 = 0x91;
    pub const NEWOBJ_EX: u8 = 0x92;
    pub const STACK_GLOBAL: u8 = 0x93;
    pub const MEMOIZE: u8 = 0x94;
    pub const FRAME: u8 = 0x95;
}

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "_pickle",
        &[
            ("dumps", p_dumps),
            ("loads", p_loads),
            ("pickler_dump", p_pickler_dump),
            ("unpickler_load", p_unpickler_load),
            ("find_class", p_find_class),
            ("check_protocol", p_check_protocol),
        ],
    );
    let dict = vm.module_dict(m);
    let exception = vm.types["Exception"];
    let pickle_error = error_class(vm, "PickleError", exception)?;
    let pickling_error = error_class(vm, "PicklingError", pickle_error)?;
    let unpickling_error = error_class(vm, "UnpicklingError", pickle_error)?;
    for (name, class) in [
        ("PickleError", pickle_error),
        ("PicklingError", pickling_error),
        ("UnpicklingError", unpickling_error),
    ] {
        vm.dict_set_str(dict, name, Value::Obj(class));
    }
    Ok(m)
}

/// One of the module's exception classes (`_pickle.PicklingError`, as CPython names them).
fn error_class(vm: &mut Vm, name: &str, base: ObjRef) -> PyResult<ObjRef> {
    let mut dict = NameMap::default();
    dict.insert("__module__".to_string(), vm.new_str("_pickle"));
    vm.new_class(name, vec![base], dict)
}

fn error_of(vm: &mut Vm, kind: &str, msg: &str) -> Value {
    let class = vm
        .modules
        .get("_pickle")
        .copied()
        .and_then(|m| vm.dict_get_str(vm.module_dict(m), kind))
        .and_then(|c| c.as_obj());
    match class {
        Some(class) => {
            let msg = vm.new_str(msg);
            vm.instantiate_exception(class, vec![msg])
        }
        None => vm.new_exception("RuntimeError", msg),
    }
}

pub(crate) fn pickling_error(vm: &mut Vm, msg: &str) -> Value {
    error_of(vm, "PicklingError", msg)
}

pub(crate) fn unpickling_error(vm: &mut Vm, msg: &str) -> Value {
    error_of(vm, "UnpicklingError", msg)
}

fn is_unpickling_error(vm: &Vm, e: Value) -> bool {
    let class = vm
        .modules
        .get("_pickle")
        .copied()
        .and_then(|m| vm.dict_get_str(vm.module_dict(m), "UnpicklingError"))
        .and_then(|c| c.as_obj());
    class.is_some_and(|c| vm.isinstance(e, c))
}

fn arg(args: &Args, i: usize) -> Value {
    args.pos.get(i).copied().unwrap_or(Value::None)
}

/// A protocol argument: None is the default (3), a negative number the highest (4).
fn protocol(vm: &mut Vm, v: Value) -> PyResult<u8> {
    if v == Value::None {
        return Ok(DEFAULT_PROTOCOL);
    }
    let Some(p) = vm.as_index(v).filter(|_| !matches!(v, Value::Float(_))) else {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!("an integer is required (got type {t})")));
    };
    if p < 0 {
        return Ok(HIGHEST_PROTOCOL);
    }
    if p > i64::from(HIGHEST_PROTOCOL) {
        let msg = format!("pickle protocol must be <= {HIGHEST_PROTOCOL}");
        return Err(vm.new_exception("ValueError", &msg));
    }
    Ok(p as u8)
}

/// `check_protocol(protocol)`: the protocol number a Pickler uses.
fn p_check_protocol(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let p = protocol(vm, arg(&args, 0))?;
    Ok(Value::Int(i64::from(p)))
}

/// `dumps(obj, protocol, fix_imports)`.
fn p_dumps(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let proto = protocol(vm, arg(&args, 1))?;
    let fix_imports = match args.pos.get(2) {
        Some(v) => vm.truthy(*v)?,
        None => true,
    };
    let mut pickler = Pickler::new(vm, proto, fix_imports, Vec::new());
    pickler.dump(vm, arg(&args, 0))?;
    Ok(vm.alloc(Object::Bytes(std::mem::take(&mut pickler.out))))
}

/// An attribute of a front-end object, or None when it has none.
fn attr(vm: &mut Vm, obj: Value, name: &str) -> PyResult<Option<Value>> {
    crate::objects::reduce::lookup_attr(vm, obj, name)
}

/// `pickler_dump(pickler, obj)`: the bytes of one `Pickler.dump`, the memo updated.
fn p_pickler_dump(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let (owner, obj) = (arg(&args, 0), arg(&args, 1));
    let proto = match attr(vm, owner, "_proto")? {
        Some(p) => protocol(vm, p)?,
        None => DEFAULT_PROTOCOL,
    };
    let fix_imports = match attr(vm, owner, "_fix_imports")? {
        Some(v) => vm.truthy(v)?,
        None => true,
    };
    let memo_list = attr(vm, owner, "_memo")?
        .filter(|m| matches!(m.as_obj().map(|l| vm.heap.get(l)), Some(Object::List(_))));
    let memo_objects = memo_list.map(|m| vm.tuple_items(m)).unwrap_or_default();
    let known = memo_objects.len();
    let mut pickler = Pickler::new(vm, proto, fix_imports, memo_objects);
    pickler.fast = match attr(vm, owner, "fast")? {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    pickler.persistent_id = attr(vm, owner, "persistent_id")?.filter(|v| *v != Value::None);
    pickler.dispatch_table = attr(vm, owner, "dispatch_table")?.filter(|v| *v != Value::None);
    let result = pickler.dump(vm, obj);
    if let Some(Object::List(list)) = memo_list
        .and_then(|m| m.as_obj())
        .map(|l| vm.heap.get_mut(l))
    {
        list.extend(pickler.memo_objects.drain(known..));
    }
    result?;
    Ok(vm.alloc(Object::Bytes(std::mem::take(&mut pickler.out))))
}

/// The bytes of a bytes-like argument.
fn data_of(vm: &mut Vm, v: Value) -> PyResult<Vec<u8>> {
    let value = vm.payload_of(v).unwrap_or(v);
    match value.as_obj().map(|b| vm.heap.get(b)) {
        Some(Object::Bytes(b) | Object::ByteArray(b)) => Ok(b.clone()),
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("a bytes-like object is required, not '{t}'")))
        }
    }
}

fn text_arg(vm: &mut Vm, v: Option<Value>, default: &str) -> PyResult<String> {
    match v {
        None | Some(Value::None) => Ok(default.to_string()),
        Some(v) => match vm.str_of(v) {
            Some(s) => Ok(s.to_string()),
            None => {
                let t = vm.type_name(v);
                Err(vm.type_error(&format!("argument must be str, not {t}")))
            }
        },
    }
}

/// `loads(data, fix_imports, encoding, errors)`.
fn p_loads(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let data = data_of(vm, arg(&args, 0))?;
    let mut unpickler = Unpickler::new(data, None);
    unpickler.fix_imports = match args.pos.get(1) {
        Some(v) => vm.truthy(*v)?,
        None => true,
    };
    unpickler.encoding = text_arg(vm, args.pos.get(2).copied(), "ASCII")?;
    unpickler.errors = text_arg(vm, args.pos.get(3).copied(), "strict")?;
    unpickler.load(vm)
}

/// `unpickler_load(unpickler)`: one `Unpickler.load`, the memo kept on the object.
fn p_unpickler_load(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let owner = arg(&args, 0);
    let (Some(read), Some(readline)) = (attr(vm, owner, "_read")?, attr(vm, owner, "_readline")?)
    else {
        let t = vm.type_name(owner);
        let msg = format!("Unpickler.__init__() was not called by {t}.__init__()");
        return Err(unpickling_error(vm, &msg));
    };
    let mut unpickler = Unpickler::new(Vec::new(), Some((read, readline)));
    unpickler.owner = Some(owner);
    unpickler.fix_imports = match attr(vm, owner, "_fix_imports")? {
        Some(v) => vm.truthy(v)?,
        None => true,
    };
    let encoding = attr(vm, owner, "_encoding")?;
    unpickler.encoding = text_arg(vm, encoding, "ASCII")?;
    let errors = attr(vm, owner, "_errors")?;
    unpickler.errors = text_arg(vm, errors, "strict")?;
    unpickler.persistent_load = attr(vm, owner, "persistent_load")?.filter(|v| *v != Value::None);
    let memo = attr(vm, owner, "_memo")?;
    if let Some(m) = memo {
        for (k, v) in vm.mapping_items(m)? {
            if let Some(i) = vm.as_index(k).and_then(|i| usize::try_from(i).ok()) {
                unpickler.memo.insert(i, v);
            }
        }
    }
    let result = unpickler.load(vm);
    if let Some(m) = memo
        && let Some(r) = m.as_obj()
        && matches!(vm.heap.get(r), Object::Dict(_))
    {
        let mut entries: Vec<(usize, Value)> = unpickler.memo.drain().collect();
        entries.sort_by_key(|(i, _)| *i);
        for (i, v) in entries {
            vm.setitem(m, Value::Int(i as i64), v)?;
        }
    }
    result
}

/// `find_class(unpickler, module, name)`: the default `Unpickler.find_class`.
fn p_find_class(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let owner = arg(&args, 0);
    let (Some(module), Some(name)) = (
        vm.str_of(arg(&args, 1)).map(str::to_string),
        vm.str_of(arg(&args, 2)).map(str::to_string),
    ) else {
        return Err(vm.type_error("find_class() arguments must be str"));
    };
    let proto = match attr(vm, owner, "_proto")? {
        Some(p) => vm.as_index(p).unwrap_or(0).clamp(0, 4) as u8,
        None => 0,
    };
    let fix_imports = match attr(vm, owner, "_fix_imports")? {
        Some(v) => vm.truthy(v)?,
        None => true,
    };
    build::find_class(vm, &module, &name, proto, fix_imports)
}
