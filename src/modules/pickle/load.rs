//! The Unpickler: CPython 3.7's `_pickle.c` load side. A stack machine over the bytes of a
//! pickle (given whole, or read from a file object's `read`/`readline` as it goes, a whole
//! frame at a time): one step per opcode, no recursion, so nesting costs no Rust stack.
//! Malformed data raises what CPython raises (UnpicklingError "pickle data was
//! truncated", EOFError "Ran out of input" where an opcode should start, "invalid load
//! key", stack underflow ...), never a panic. The opcodes that build objects by calling
//! into Python (REDUCE, BUILD, NEWOBJ, globals ...) are in build.rs.

use super::op;
use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use rustc_hash::FxHashMap;

pub struct Unpickler {
    data: Vec<u8>,
    pos: usize,
    /// A file's `read` and `readline`, when the pickle comes from one.
    file: Option<(Value, Value)>,
    pub(super) stack: Vec<Value>,
    marks: Vec<usize>,
    pub memo: FxHashMap<usize, Value>,
    pub(super) proto: u8,
    pub(super) fix_imports: bool,
    pub(super) encoding: String,
    pub(super) errors: String,
    /// The Python Unpickler object this one loads for: its `find_class` (which may be
    /// overridden) finds globals, and it is told the protocol (`_proto`) as it is read.
    pub owner: Option<Value>,
    pub persistent_load: Option<Value>,
}

/// What a step of the loop did.
enum Step {
    Next,
    Stop(Value),
}

impl Unpickler {
    pub fn new(data: Vec<u8>, file: Option<(Value, Value)>) -> Unpickler {
        Unpickler {
            data,
            pos: 0,
            file,
            stack: Vec::new(),
            marks: Vec::new(),
            memo: FxHashMap::default(),
            proto: 0,
            fix_imports: true,
            encoding: "ASCII".into(),
            errors: "strict".into(),
            owner: None,
            persistent_load: None,
        }
    }

    // ------------------------------------------------------------ input

    /// The next `n` bytes, as a range of `self.data`: from the buffer, else (with a file)
    /// read afresh.
    fn read(&mut self, vm: &mut Vm, n: usize) -> PyResult<std::ops::Range<usize>> {
        if self.pos > isize::MAX as usize - n.min(isize::MAX as usize) {
            let msg = "read would overflow (invalid bytecode)";
            return Err(super::unpickling_error(vm, msg));
        }
        if n <= self.data.len() - self.pos {
            let start = self.pos;
            self.pos += n;
            return Ok(start..self.pos);
        }
        let Some((read, _)) = self.file else {
            return Err(truncated(vm));
        };
        let Ok(count) = i64::try_from(n) else {
            return Err(truncated(vm));
        };
        let chunk = vm.call(read, Args::new(vec![Value::Int(count)]))?;
        self.data = bytes_of(vm, chunk)?;
        self.pos = 0;
        if self.data.len() < n {
            return Err(truncated(vm));
        }
        self.pos = n;
        Ok(0..n)
    }

    fn read_byte(&mut self, vm: &mut Vm) -> PyResult<u8> {
        let r = self.read(vm, 1)?;
        Ok(self.data[r.start])
    }

    /// `n` bytes as a little-endian unsigned number (a size or memo index).
    pub(super) fn read_size(&mut self, vm: &mut Vm, n: usize) -> PyResult<u64> {
        let r = self.read(vm, n)?;
        let mut bytes = [0u8; 8];
        bytes[..n].copy_from_slice(&self.data[r]);
        Ok(u64::from_le_bytes(bytes))
    }

    /// A size that must fit in a Python index (CPython's `calc_binsize`).
    fn read_binsize(&mut self, vm: &mut Vm, n: usize) -> PyResult<Option<usize>> {
        let size = self.read_size(vm, n)?;
        Ok(usize::try_from(size)
            .ok()
            .filter(|s| *s <= isize::MAX as usize))
    }

    /// The next line, newline included, as a range of `self.data`.
    fn readline(&mut self, vm: &mut Vm) -> PyResult<std::ops::Range<usize>> {
        if let Some(i) = self.data[self.pos..].iter().position(|&b| b == b'\n') {
            let start = self.pos;
            self.pos += i + 1;
            return Ok(start..self.pos);
        }
        let Some((_, readline)) = self.file else {
            return Err(truncated(vm));
        };
        let line = vm.call(readline, Args::default())?;
        self.data = bytes_of(vm, line)?;
        self.pos = self.data.len();
        if self.data.last() != Some(&b'\n') {
            return Err(truncated(vm));
        }
        Ok(0..self.pos)
    }

    /// The next line without its newline, which must hold something (`len < 2` is
    /// CPython's "pickle data was truncated").
    pub(super) fn line(&mut self, vm: &mut Vm) -> PyResult<Vec<u8>> {
        let r = self.readline(vm)?;
        if r.len() < 2 {
            return Err(truncated(vm));
        }
        Ok(self.data[r.start..r.end - 1].to_vec())
    }

    /// The next line without its newline (which may be empty).
    pub(super) fn line_any(&mut self, vm: &mut Vm) -> PyResult<Vec<u8>> {
        let r = self.readline(vm)?;
        Ok(self.data[r.start..r.end - 1].to_vec())
    }

    // ------------------------------------------------------------ stack and marks

    pub(super) fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    pub(super) fn underflow(&self, vm: &mut Vm) -> Value {
        let msg = if self.marks.is_empty() {
            "unpickling stack underflow"
        } else {
            "unexpected MARK found"
        };
        super::unpickling_error(vm, msg)
    }

    pub(super) fn pop(&mut self, vm: &mut Vm) -> PyResult<Value> {
        if self.stack.len() <= self.fence() {
            return Err(self.underflow(vm));
        }
        Ok(self.stack.pop().expect("above the fence"))
    }

    pub(super) fn top(&mut self, vm: &mut Vm) -> PyResult<Value> {
        if self.stack.len() <= self.fence() {
            return Err(self.underflow(vm));
        }
        Ok(*self.stack.last().expect("above the fence"))
    }

    pub(super) fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    /// Pops the topmost mark: where its items start.
    pub(super) fn marker(&mut self, vm: &mut Vm) -> PyResult<usize> {
        match self.marks.pop() {
            Some(m) => Ok(m),
            None => Err(super::unpickling_error(vm, "could not find MARK")),
        }
    }

    /// The items from `start` to the top, taken off the stack.
    pub(super) fn pop_from(&mut self, vm: &mut Vm, start: usize) -> PyResult<Vec<Value>> {
        if start < self.fence() || start > self.stack.len() {
            return Err(self.underflow(vm));
        }
        Ok(self.stack.split_off(start))
    }

    fn set_proto(&mut self, vm: &mut Vm, proto: u8) -> PyResult<()> {
        self.proto = proto;
        if let Some(owner) = self.owner {
            vm.setattr(owner, "_proto", Value::Int(i64::from(proto)))?;
        }
        Ok(())
    }

    // ------------------------------------------------------------ the loop

    /// Loads one pickle: runs opcodes until STOP.
    pub fn load(&mut self, vm: &mut Vm) -> PyResult<Value> {
        self.stack.clear();
        self.marks.clear();
        self.set_proto(vm, 0)?;
        loop {
            let code = match self.read_byte(vm) {
                Ok(c) => c,
                Err(e) if super::is_unpickling_error(vm, e) => {
                    return Err(vm.new_exception("EOFError", "Ran out of input"));
                }
                Err(e) => return Err(e),
            };
            if let Step::Stop(v) = self.step(vm, code)? {
                return Ok(v);
            }
        }
    }

    fn step(&mut self, vm: &mut Vm, code: u8) -> PyResult<Step> {
        match code {
            op::STOP => return Ok(Step::Stop(self.pop(vm)?)),
            op::PROTO => {
                let p = self.read_byte(vm)?;
                if p > super::HIGHEST_PROTOCOL {
                    let msg = format!("unsupported pickle protocol: {p}");
                    return Err(vm.new_exception("ValueError", &msg));
                }
                self.set_proto(vm, p)?;
            }
            op::FRAME => {
                let Some(len) = self.read_binsize(vm, 8)? else {
                    let msg = format!(
                        "FRAME length exceeds system's maximum of {} bytes",
                        isize::MAX
                    );
                    return Err(vm.new_exception("OverflowError", &msg));
                };
                self.read(vm, len)?;
                self.pos -= len;
            }
            op::NONE => self.push(Value::None),
            op::NEWTRUE => self.push(Value::Bool(true)),
            op::NEWFALSE => self.push(Value::Bool(false)),
            op::BININT | op::BININT1 | op::BININT2 => {
                let n = match code {
                    op::BININT => 4,
                    op::BININT1 => 1,
                    _ => 2,
                };
                let raw = self.read_size(vm, n)?;
                let v = if n == 4 {
                    i64::from(raw as u32 as i32)
                } else {
                    raw as i64
                };
                self.push(Value::Int(v));
            }
            op::LONG1 | op::LONG4 => {
                let n = if code == op::LONG1 { 1 } else { 4 };
                let raw = self.read_size(vm, n)?;
                let size = if n == 4 {
                    i64::from(raw as u32 as i32)
                } else {
                    raw as i64
                };
                if size < 0 {
                    let msg = "LONG pickle has negative byte count";
                    return Err(super::unpickling_error(vm, msg));
                }
                let r = self.read(vm, size as usize)?;
                let big = BigInt::from_signed_bytes_le(&self.data[r]);
                let v = vm.new_int(big);
                self.push(v);
            }
            op::INT | op::LONG | op::FLOAT => {
                let line = self.line(vm)?;
                let v = super::text::number(vm, code, &line)?;
                self.push(v);
            }
            op::BINFLOAT => {
                let r = self.read(vm, 8)?;
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(&self.data[r]);
                self.push(Value::Float(f64::from_be_bytes(bytes)));
            }
            op::SHORT_BINBYTES | op::BINBYTES | op::BINBYTES8 => {
                let n = match code {
                    op::SHORT_BINBYTES => 1,
                    op::BINBYTES => 4,
                    _ => 8,
                };
                let Some(size) = self.read_binsize(vm, n)? else {
                    return Err(too_big(vm, "BINBYTES"));
                };
                let r = self.read(vm, size)?;
                let b = vm.alloc(Object::Bytes(self.data[r].to_vec()));
                self.push(b);
            }
            op::SHORT_BINUNICODE | op::BINUNICODE | op::BINUNICODE8 => {
                let n = match code {
                    op::SHORT_BINUNICODE => 1,
                    op::BINUNICODE => 4,
                    _ => 8,
                };
                let Some(size) = self.read_binsize(vm, n)? else {
                    return Err(too_big(vm, "BINUNICODE"));
                };
                let r = self.read(vm, size)?;
                let text = super::text::utf8_surrogatepass(vm, &self.data[r])?;
                let s = vm.new_str(text);
                self.push(s);
            }
            op::SHORT_BINSTRING | op::BINSTRING => {
                let n = if code == op::SHORT_BINSTRING { 1 } else { 4 };
                let Some(size) = self.read_binsize(vm, n)? else {
                    let msg = format!(
                        "BINSTRING exceeds system's maximum size of {} bytes",
                        isize::MAX
                    );
                    return Err(super::unpickling_error(vm, &msg));
                };
                let r = self.read(vm, size)?;
                let raw = self.data[r].to_vec();
                let v = super::text::python2_str(vm, &raw, &self.encoding, &self.errors)?;
                self.push(v);
            }
            op::STRING => {
                let r = self.readline(vm)?;
                let line = self.data[r.start..r.end - 1].to_vec();
                let raw = super::text::unquote(vm, &line)?;
                let v = super::text::python2_str(vm, &raw, &self.encoding, &self.errors)?;
                self.push(v);
            }
            op::UNICODE => {
                let r = self.readline(vm)?;
                let line = self.data[r.start..r.end - 1].to_vec();
                let text = super::text::raw_unicode_unescape(vm, &line)?;
                let s = vm.new_str(text);
                self.push(s);
            }
            op::EMPTY_TUPLE => {
                let t = vm.new_tuple(vec![]);
                self.push(t);
            }
            op::TUPLE1 | op::TUPLE2 | op::TUPLE3 => {
                let n = usize::from(code - op::TUPLE1 + 1);
                if self.stack.len() < n {
                    return Err(self.underflow(vm));
                }
                let items = self.pop_from(vm, self.stack.len() - n)?;
                let t = vm.new_tuple(items);
                self.push(t);
            }
            op::TUPLE => {
                let mark = self.marker(vm)?;
                let items = self.pop_from(vm, mark)?;
                let t = vm.new_tuple(items);
                self.push(t);
            }
            op::EMPTY_LIST => {
                let l = vm.new_list(vec![]);
                self.push(l);
            }
            op::LIST => {
                let mark = self.marker(vm)?;
                let items = self.pop_from(vm, mark)?;
                let l = vm.new_list(items);
                self.push(l);
            }
            op::EMPTY_DICT => {
                let d = vm.new_dict();
                self.push(d);
            }
            op::DICT => {
                let mark = self.marker(vm)?;
                let items = self.pop_from(vm, mark)?;
                if items.len() % 2 != 0 {
                    return Err(super::unpickling_error(vm, "odd number of items for DICT"));
                }
                let d = vm.new_dict();
                for pair in items.chunks(2) {
                    vm.setitem(d, pair[0], pair[1])?;
                }
                self.push(d);
            }
            op::EMPTY_SET => {
                let s = vm.new_set(vec![])?;
                self.push(s);
            }
            op::FROZENSET => {
                let mark = self.marker(vm)?;
                let items = self.pop_from(vm, mark)?;
                let set = vm.new_set(items)?;
                if let Some(r) = set.as_obj()
                    && let Object::Set(d) = vm.heap.get_mut(r)
                {
                    let d = std::mem::take(d);
                    *vm.heap.get_mut(r) = Object::FrozenSet(d);
                }
                self.push(set);
            }
            op::MARK => self.marks.push(self.stack.len()),
            op::POP => {
                if self.marks.last() == Some(&self.stack.len()) {
                    self.marks.pop();
                } else {
                    self.pop(vm)?;
                }
            }
            op::POP_MARK => {
                let mark = self.marker(vm)?;
                self.pop_from(vm, mark)?;
            }
            op::DUP => {
                let v = self.top(vm)?;
                self.push(v);
            }
            op::PUT | op::BINPUT | op::LONG_BINPUT => {
                let idx = match code {
                    op::PUT => {
                        let line = self.line(vm)?;
                        let idx = super::text::decimal(vm, &line)?;
                        let Ok(idx) = usize::try_from(idx) else {
                            return Err(vm.new_exception("ValueError", "negative PUT argument"));
                        };
                        idx
                    }
                    op::BINPUT => usize::from(self.read_byte(vm)?),
                    _ => self.read_size(vm, 4)? as usize,
                };
                let v = self.top(vm)?;
                self.memo.insert(idx, v);
            }
            op::MEMOIZE => {
                let v = self.top(vm)?;
                self.memo.insert(self.memo.len(), v);
            }
            op::GET | op::BINGET | op::LONG_BINGET => {
                let idx = match code {
                    op::GET => {
                        let line = self.line(vm)?;
                        super::text::decimal(vm, &line)?
                    }
                    op::BINGET => i64::from(self.read_byte(vm)?),
                    _ => self.read_size(vm, 4)? as i64,
                };
                let found = usize::try_from(idx).ok().and_then(|i| self.memo.get(&i));
                let Some(v) = found.copied() else {
                    let key = Value::Int(idx);
                    let e = vm.new_exception_args("KeyError", vec![key]);
                    return Err(e);
                };
                self.push(v);
            }
            _ => self.build_step(vm, code)?,
        }
        Ok(Step::Next)
    }
}

pub(super) fn truncated(vm: &mut Vm) -> Value {
    super::unpickling_error(vm, "pickle data was truncated")
}

fn too_big(vm: &mut Vm, what: &str) -> Value {
    let msg = format!(
        "{what} exceeds system's maximum size of {} bytes",
        isize::MAX
    );
    vm.new_exception("OverflowError", &msg)
}

/// The bytes a file's `read` or `readline` returned.
fn bytes_of(vm: &mut Vm, v: Value) -> PyResult<Vec<u8>> {
    match v.as_obj().map(|b| vm.heap.get(b)) {
        Some(Object::Bytes(b) | Object::ByteArray(b)) => Ok(b.clone()),
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("a bytes-like object is required, not '{t}'")))
        }
    }
}
