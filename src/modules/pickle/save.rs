//! The Pickler: CPython 3.7's `_pickle.c` save side, byte for byte. `save` dispatches on
//! the value (None, bools, ints, floats, then the memo, then bytes, str, the containers of
//! containers.rs, classes and functions), and everything else goes through a reduction (a
//! dispatch table, `__reduce_ex__`, `__reduce__`) that `save_reduce` (reduce.rs) writes as
//! REDUCE, NEWOBJ or NEWOBJ_EX with its state, list items and dict items. Here too: the
//! output and its frames (protocol 4 frames as CPython does: a frame closes once it holds
//! 64 KiB, a frame of under 4 bytes is no frame, payloads of 64 KiB or more go outside
//! frames), the memo, and the depth count that makes deep data raise RecursionError.

use super::compat;
use super::op;
use crate::objects::reduce;
use crate::vm::object::{Args, DictKey, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use num_bigint::BigInt;
use rustc_hash::FxHashMap;

const FRAME_SIZE_MIN: usize = 4;
const FRAME_SIZE_TARGET: usize = 64 * 1024;
const FRAME_HEADER_SIZE: usize = 9;

/// The deepest nesting a pickle may have, whatever the recursion limit says: the Rust
/// stack takes it comfortably.
const MAX_DEPTH: usize = 100_000;

pub struct Pickler {
    pub proto: u8,
    pub fix_imports: bool,
    /// Fast mode: no memo (and no protection against cycles).
    pub fast: bool,
    pub out: Vec<u8>,
    framing: bool,
    frame_start: Option<usize>,
    /// The memo: object -> index, and the objects in index order (kept alive by whoever
    /// owns the Pickler across `dump` calls).
    memo: FxHashMap<ObjRef, u32>,
    pub memo_objects: Vec<Value>,
    pub persistent_id: Option<Value>,
    pub dispatch_table: Option<Value>,
    pub(super) depth: usize,
    limit: usize,
    /// The 'latin1' of protocols 0-2's bytes: one str object, as CPython's is, which the
    /// memo then finds.
    latin1: Option<Value>,
    /// The module names `save_global` writes, by what they are (see there).
    pub(super) shared_names: FxHashMap<String, Value>,
}

impl Pickler {
    /// A Pickler for `proto` (already checked to be 0 to 4), starting from a memo.
    pub fn new(vm: &Vm, proto: u8, fix_imports: bool, memo_objects: Vec<Value>) -> Pickler {
        let memo = memo_objects
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_obj().map(|r| (r, i as u32)))
            .collect();
        let base = vm.frames.len();
        Pickler {
            proto,
            fix_imports: fix_imports && proto < 3,
            fast: false,
            out: Vec::new(),
            framing: false,
            frame_start: None,
            memo,
            memo_objects,
            persistent_id: None,
            dispatch_table: None,
            depth: base,
            limit: vm.recursion_limit.min(MAX_DEPTH),
            latin1: None,
            shared_names: FxHashMap::default(),
        }
    }

    pub(super) fn bin(&self) -> bool {
        self.proto > 0
    }

    // ------------------------------------------------------------ output and frames

    pub(super) fn write(&mut self, data: &[u8]) {
        if self.framing && self.frame_start.is_none() {
            self.frame_start = Some(self.out.len());
            self.out.extend_from_slice(&[0xfe; FRAME_HEADER_SIZE]);
        }
        self.out.extend_from_slice(data);
    }

    fn commit_frame(&mut self) {
        let Some(start) = self.frame_start.take() else {
            return;
        };
        let len = self.out.len() - start - FRAME_HEADER_SIZE;
        if len >= FRAME_SIZE_MIN {
            self.out[start] = op::FRAME;
            self.out[start + 1..start + FRAME_HEADER_SIZE]
                .copy_from_slice(&(len as u64).to_le_bytes());
        } else {
            self.out.drain(start..start + FRAME_HEADER_SIZE);
        }
    }

    /// Between opcodes: a frame that has reached its target size is closed.
    fn opcode_boundary(&mut self) {
        if let Some(start) = self.frame_start
            && self.out.len() - start - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET
        {
            self.commit_frame();
        }
    }

    /// A header and its payload; a payload of 64 KiB or more goes outside any frame.
    fn write_payload(&mut self, header: &[u8], data: &[u8]) {
        if data.len() >= FRAME_SIZE_TARGET {
            self.commit_frame();
            let framing = std::mem::replace(&mut self.framing, false);
            self.write(header);
            self.write(data);
            self.framing = framing;
        } else {
            self.write(header);
            self.write(data);
        }
    }

    /// One whole pickle of `obj`: PROTO, the object, STOP.
    pub fn dump(&mut self, vm: &mut Vm, obj: Value) -> PyResult<()> {
        if self.proto >= 2 {
            self.write(&[op::PROTO, self.proto]);
            if self.proto >= 4 {
                self.framing = true;
            }
        }
        let saved = self.save(vm, obj, false);
        if saved.is_ok() {
            self.write(&[op::STOP]);
        }
        self.commit_frame();
        self.framing = false;
        saved
    }

    // ------------------------------------------------------------ the memo

    pub(super) fn memo_index(&self, obj: Value) -> Option<u32> {
        obj.as_obj().and_then(|r| self.memo.get(&r).copied())
    }

    pub(super) fn memo_put(&mut self, obj: Value) {
        let Some(r) = obj.as_obj() else { return };
        if self.fast {
            return;
        }
        let idx = self.memo_objects.len() as u32;
        self.memo.insert(r, idx);
        self.memo_objects.push(obj);
        if self.proto >= 4 {
            self.write(&[op::MEMOIZE]);
        } else if !self.bin() {
            self.write(format!("p{idx}\n").as_bytes());
        } else if idx < 256 {
            self.write(&[op::BINPUT, idx as u8]);
        } else {
            let mut data = vec![op::LONG_BINPUT];
            data.extend_from_slice(&idx.to_le_bytes());
            self.write(&data);
        }
    }

    pub(super) fn memo_get(&mut self, idx: u32) {
        if !self.bin() {
            self.write(format!("g{idx}\n").as_bytes());
        } else if idx < 256 {
            self.write(&[op::BINGET, idx as u8]);
        } else {
            let mut data = vec![op::LONG_BINGET];
            data.extend_from_slice(&idx.to_le_bytes());
            self.write(&data);
        }
    }

    // ------------------------------------------------------------ save

    pub(super) fn enter(&mut self, vm: &mut Vm) -> PyResult<()> {
        self.depth += 1;
        if self.depth >= self.limit {
            self.depth -= 1;
            return Err(vm.new_exception(
                "RecursionError",
                "maximum recursion depth exceeded while pickling an object",
            ));
        }
        Ok(())
    }

    pub fn save(&mut self, vm: &mut Vm, obj: Value, pers_save: bool) -> PyResult<()> {
        self.opcode_boundary();
        self.enter(vm)?;
        let result = self.save_inner(vm, obj, pers_save);
        self.depth -= 1;
        result
    }

    fn save_inner(&mut self, vm: &mut Vm, obj: Value, pers_save: bool) -> PyResult<()> {
        if !pers_save
            && let Some(pid_fn) = self.persistent_id
            && self.save_pers(vm, pid_fn, obj)?
        {
            return Ok(());
        }
        let r = match obj {
            Value::None => {
                self.write(&[op::NONE]);
                return Ok(());
            }
            Value::Bool(b) => {
                match (self.proto >= 2, b) {
                    (true, true) => self.write(&[op::NEWTRUE]),
                    (true, false) => self.write(&[op::NEWFALSE]),
                    (false, true) => self.write(b"I01\n"),
                    (false, false) => self.write(b"I00\n"),
                }
                return Ok(());
            }
            Value::Int(i) => {
                match i32::try_from(i) {
                    Ok(small) => self.save_small_int(small),
                    Err(_) => self.save_long(&BigInt::from(i)),
                }
                return Ok(());
            }
            Value::Float(f) => {
                self.save_float(f);
                return Ok(());
            }
            Value::Obj(r) => r,
        };
        if let Object::BigInt(b) = vm.heap.get(r) {
            let b = b.clone();
            self.save_long(&b);
            return Ok(());
        }
        if let Some(idx) = self.memo_index(obj) {
            self.memo_get(idx);
            return Ok(());
        }
        match vm.heap.get(r) {
            Object::Bytes(b) => {
                let b = b.clone();
                return self.save_bytes(vm, obj, &b);
            }
            Object::Str(s) => {
                let s = s.text.to_string();
                self.save_unicode(&s)?;
                self.memo_put(obj);
                return Ok(());
            }
            Object::Dict(_) => return self.save_dict(vm, obj),
            Object::Set(_) => return self.save_set(vm, obj),
            Object::FrozenSet(_) => return self.save_frozenset(vm, obj),
            Object::List(_) => return self.save_list(vm, obj),
            Object::Tuple(items) => {
                let items = items.clone();
                return self.save_tuple(vm, obj, &items);
            }
            Object::Class(c) if c.metaclass.is_none() => return self.save_type(vm, obj),
            Object::Function(_) => return self.save_global(vm, obj, None),
            _ => {}
        }
        let class = vm.type_of(obj);
        let reduce_value = match self.dispatch_function(vm, class)? {
            Some(f) => vm.call(f, Args::new(vec![obj]))?,
            None if matches!(vm.heap.get(r), Object::Class(_)) => {
                return self.save_global(vm, obj, None);
            }
            None => {
                if vm.class_lookup(class, "__reduce_ex__").is_some() {
                    let method = vm.getattr(obj, "__reduce_ex__")?;
                    vm.call(method, Args::new(vec![Value::Int(i64::from(self.proto))]))?
                } else {
                    reduce::reduce_ex(vm, obj, i64::from(self.proto))?
                }
            }
        };
        if vm.str_of(reduce_value).is_some() {
            return self.save_global(vm, obj, Some(reduce_value));
        }
        if !is_tuple(vm, reduce_value) {
            return Err(super::pickling_error(
                vm,
                "__reduce__ must return a string or tuple",
            ));
        }
        self.save_reduce(vm, reduce_value, Some(obj))
    }

    /// The reduction function a dispatch table (the Pickler's own, else copyreg's) holds
    /// for a type.
    fn dispatch_function(&mut self, vm: &mut Vm, class: ObjRef) -> PyResult<Option<Value>> {
        let table = match self.dispatch_table {
            Some(t) => t,
            None => {
                let Some(copyreg) = vm.modules.get("copyreg").copied() else {
                    return Ok(None);
                };
                match vm.dict_get_str(vm.module_dict(copyreg), "dispatch_table") {
                    Some(t) => t,
                    None => return Ok(None),
                }
            }
        };
        if let Some(Object::Dict(d)) = table.as_obj().map(|t| vm.heap.get(t)) {
            return Ok(d.get(&DictKey::Id(class.0)).map(|(_, f)| *f));
        }
        match vm.getitem(table, Value::Obj(class)) {
            Ok(f) => Ok(Some(f)),
            Err(e) if vm.exception_is(e, "KeyError") => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn save_pers(&mut self, vm: &mut Vm, pid_fn: Value, obj: Value) -> PyResult<bool> {
        let pid = vm.call(pid_fn, Args::new(vec![obj]))?;
        if pid == Value::None {
            return Ok(false);
        }
        if self.bin() {
            self.save(vm, pid, true)?;
            self.write(&[op::BINPERSID]);
        } else {
            let text = vm.str(pid)?;
            if !text.is_ascii() {
                return Err(super::pickling_error(
                    vm,
                    "persistent IDs in protocol 0 must be ASCII strings",
                ));
            }
            self.write(format!("P{text}\n").as_bytes());
        }
        Ok(true)
    }

    /// An int that fits in 4 signed bytes: BININT1, BININT2 or BININT (INT at protocol 0).
    fn save_small_int(&mut self, v: i32) {
        if !self.bin() {
            self.write(format!("I{v}\n").as_bytes());
        } else if (0..=0xff).contains(&v) {
            self.write(&[op::BININT1, v as u8]);
        } else if (0..=0xffff).contains(&v) {
            let b = (v as u16).to_le_bytes();
            self.write(&[op::BININT2, b[0], b[1]]);
        } else {
            let mut data = vec![op::BININT];
            data.extend_from_slice(&v.to_le_bytes());
            self.write(&data);
        }
    }

    /// A bigger int: LONG1/LONG4 (little-endian two's complement) from protocol 2, else
    /// LONG with its decimal digits.
    fn save_long(&mut self, value: &BigInt) {
        if let Ok(small) = i32::try_from(value) {
            return self.save_small_int(small);
        }
        if self.proto >= 2 {
            let bytes = value.to_signed_bytes_le();
            if bytes.len() < 256 {
                self.write(&[op::LONG1, bytes.len() as u8]);
            } else {
                let mut header = vec![op::LONG4];
                header.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                self.write(&header);
            }
            self.write(&bytes);
        } else {
            self.write(format!("L{value}L\n").as_bytes());
        }
    }

    fn save_float(&mut self, f: f64) {
        if self.bin() {
            let mut data = vec![op::BINFLOAT];
            data.extend_from_slice(&f.to_be_bytes());
            self.write(&data);
        } else {
            let text = crate::pyfmt::float_repr(f);
            self.write(format!("F{text}\n").as_bytes());
        }
    }

    fn save_bytes(&mut self, vm: &mut Vm, obj: Value, b: &[u8]) -> PyResult<()> {
        if self.proto < 3 {
            // bytes(), or _codecs.encode(the text the bytes spell in Latin-1, 'latin1'):
            // what Python 2 reads as str and Python 3 as bytes.
            let reduce_value = if b.is_empty() {
                let bytes_type = Value::Obj(vm.types["bytes"]);
                let empty = vm.new_tuple(vec![]);
                vm.new_tuple(vec![bytes_type, empty])
            } else {
                let codecs = vm.import("_codecs", true)?;
                let encode = vm.getattr(codecs, "encode")?;
                let text: String = b.iter().map(|&c| char::from(c)).collect();
                let text = vm.new_str(text);
                let latin1 = match self.latin1 {
                    Some(v) => v,
                    None => *self.latin1.insert(vm.new_str("latin1")),
                };
                let args = vm.new_tuple(vec![text, latin1]);
                vm.new_tuple(vec![encode, args])
            };
            return self.save_reduce(vm, reduce_value, Some(obj));
        }
        let n = b.len();
        let header = if n <= 0xff {
            vec![op::SHORT_BINBYTES, n as u8]
        } else if n as u64 <= 0xffff_ffff {
            let mut h = vec![op::BINBYTES];
            h.extend_from_slice(&(n as u32).to_le_bytes());
            h
        } else if self.proto >= 4 {
            let mut h = vec![op::BINBYTES8];
            h.extend_from_slice(&(n as u64).to_le_bytes());
            h
        } else {
            return Err(vm.new_exception(
                "OverflowError",
                "cannot serialize a bytes object larger than 4 GiB",
            ));
        };
        self.write_payload(&header, b);
        self.memo_put(obj);
        Ok(())
    }

    fn save_unicode(&mut self, s: &str) -> PyResult<()> {
        if !self.bin() {
            let mut data = vec![op::UNICODE];
            raw_unicode_escape(s, &mut data);
            data.push(b'\n');
            self.write(&data);
            return Ok(());
        }
        let n = s.len();
        let header = if n <= 0xff && self.proto >= 4 {
            vec![op::SHORT_BINUNICODE, n as u8]
        } else if n as u64 <= 0xffff_ffff {
            let mut h = vec![op::BINUNICODE];
            h.extend_from_slice(&(n as u32).to_le_bytes());
            h
        } else {
            // Only protocol 4 gets here with text this long (BINUNICODE8); a smaller one
            // would say "cannot serialize a string larger than 4GiB".
            let mut h = vec![op::BINUNICODE8];
            h.extend_from_slice(&(n as u64).to_le_bytes());
            h
        };
        self.write_payload(&header, s.as_bytes());
        Ok(())
    }

    /// A class: the types of None, Ellipsis and NotImplemented as `type(singleton)`, the
    /// rest by name.
    fn save_type(&mut self, vm: &mut Vm, obj: Value) -> PyResult<()> {
        let singletons = [
            Value::None,
            vm.dict_get_str(vm.builtins, "Ellipsis")
                .unwrap_or(Value::None),
            vm.dict_get_str(vm.builtins, "NotImplemented")
                .unwrap_or(Value::None),
        ];
        for singleton in singletons {
            if Value::Obj(vm.type_of(singleton)).is(obj) {
                let type_type = Value::Obj(vm.types["type"]);
                let args = vm.new_tuple(vec![singleton]);
                let rv = vm.new_tuple(vec![type_type, args]);
                return self.save_reduce(vm, rv, Some(obj));
            }
        }
        self.save_global(vm, obj, None)
    }
}

/// CPython's raw-unicode-escape for protocol 0's UNICODE, with backslash, newline, carriage
/// return, NUL and Ctrl-Z escaped too, so the text fits on its line.
fn raw_unicode_escape(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        let u = c as u32;
        if u >= 0x10000 {
            out.extend_from_slice(format!("\\U{u:08x}").as_bytes());
        } else if u >= 0x100 || matches!(c, '\\' | '\n' | '\r' | '\0' | '\x1a') {
            out.extend_from_slice(format!("\\u{u:04x}").as_bytes());
        } else {
            out.push(u as u8);
        }
    }
}

pub(super) fn is_tuple(vm: &Vm, v: Value) -> bool {
    matches!(v.as_obj().map(|t| vm.heap.get(t)), Some(Object::Tuple(_)))
}

/// The Python 2 names protocols 0 to 2 write for a module and a global (fix_imports).
pub(super) fn python2_names(module: &str, name: &str) -> (String, String) {
    if let Some((m, n)) = compat::reverse_name(module, name) {
        return (m.to_string(), n.to_string());
    }
    match compat::reverse_import(module) {
        Some(m) => (m.to_string(), name.to_string()),
        None => (module.to_string(), name.to_string()),
    }
}
