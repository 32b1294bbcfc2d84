//! bytearray (mutable bytes) and memoryview (a window on the bytes of a bytes or bytearray
//! object): construction, items and slices (read, assign, delete), the mutating methods of
//! bytearray, the methods and attributes of memoryview. bytearray's other methods are
//! bytes' (bytes.rs), their bytes results made bytearrays.

use super::args::recv;
use super::buffer::{bytes_like, view_bytes};
use crate::vm::object::{Args, MemoryView, NativeFn, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

/// The data `bytes(...)` and `bytearray(...)` make from their arguments: nothing, a size,
/// a str with an encoding, a bytes-like object, or an iterable of ints in range(256).
pub fn bytes_data(vm: &mut Vm, args: &Args, what: &str) -> PyResult<Vec<u8>> {
    let given = args.pos.len() + args.kw.len();
    if given > 3 {
        return Err(vm.type_error(&format!(
            "{what}() takes at most 3 arguments ({given} given)"
        )));
    }
    let first = args
        .pos
        .first()
        .copied()
        .or_else(|| super::args::kwarg(args, "source"));
    let encoding = args
        .pos
        .get(1)
        .copied()
        .or_else(|| super::args::kwarg(args, "encoding"));
    let Some(v) = first else {
        if encoding.is_some() {
            return Err(vm.type_error("encoding without a string argument"));
        }
        return Ok(vec![]);
    };
    if let Some(text) = vm.str_of(v).map(str::to_string) {
        if encoding.is_none() {
            return Err(vm.type_error("string argument without an encoding"));
        }
        let codec_args = Args {
            pos: args.pos[1..].to_vec(),
            kw: args
                .kw
                .iter()
                .filter(|(k, _)| k != "source")
                .cloned()
                .collect(),
        };
        let encoded = super::codecs::encode(vm, &text, &codec_args)?;
        return Ok(bytes_like(vm, encoded).unwrap_or_default());
    }
    if encoding.is_some() {
        return Err(vm.type_error("encoding without a string argument"));
    }
    if let Some(b) = bytes_like(vm, v) {
        return Ok(b);
    }
    if let Some(n) = vm.as_index(v).filter(|_| !matches!(v, Value::Float(_))) {
        if n < 0 {
            return Err(vm.new_exception("ValueError", "negative count"));
        }
        vm.check_alloc(n as u64, 1)?;
        return Ok(vec![0; n as usize]);
    }
    if what == "bytes" && (matches!(v, Value::Float(_)) || !vm.is_iterable(v)) {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!("cannot convert '{t}' object to {what}")));
    }
    let items = vm.collect_iterable(v)?;
    let bytes: PyResult<Vec<u8>> = items.into_iter().map(|item| byte_value(vm, item)).collect();
    match bytes {
        // bytes() words the range error in the plural.
        Err(e) if what == "bytes" && vm.exception_is(e, "ValueError") => {
            Err(vm.new_exception("ValueError", "bytes must be in range(0, 256)"))
        }
        other => other,
    }
}

/// An int in range(256) as a byte, with CPython's errors.
pub fn byte_value(vm: &mut Vm, v: Value) -> PyResult<u8> {
    let v = vm.index_via_dunder(v)?;
    match vm.as_bigint(v) {
        Some(n) => match u8::try_from(n) {
            Ok(b) => Ok(b),
            Err(_) => Err(vm.new_exception("ValueError", "byte must be in range(0, 256)")),
        },
        None => {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("'{t}' object cannot be interpreted as an integer")))
        }
    }
}

/// `bytearray.__init__(source, ...)`: the contents made anew, as a subclass's `__init__`
/// calling `super().__init__(...)` expects.
pub(crate) fn ba_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let data = bytes_data(vm, &args, "bytearray")?;
    let target = super::args::recv(r);
    let target = vm.payload_of(target).unwrap_or(target);
    if let Some(Object::ByteArray(b)) = target.as_obj().map(|o| vm.heap.get_mut(o)) {
        *b = data;
    }
    Ok(Value::None)
}

pub fn construct_bytearray(vm: &mut Vm, args: &Args) -> R {
    let data = bytes_data(vm, args, "bytearray")?;
    Ok(vm.alloc(Object::ByteArray(data)))
}

pub fn construct_memoryview(vm: &mut Vm, args: &Args) -> R {
    let Some(&obj) = args.pos.first() else {
        return Err(vm.type_error("memoryview() missing required argument 'object' (pos 1)"));
    };
    // A bytes or bytearray subclass's view is of the value it extends.
    let obj = vm.payload_of(obj).unwrap_or(obj);
    let (len, readonly) = match obj.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Bytes(b)) => (b.len(), true),
        Some(Object::ByteArray(b)) => (b.len(), false),
        Some(Object::MemoryView(m)) => {
            let m = MemoryView { ..**m };
            return Ok(vm.alloc(Object::MemoryView(Box::new(m))));
        }
        _ => {
            let t = vm.type_name(obj);
            return Err(vm.type_error(&format!(
                "memoryview: a bytes-like object is required, not '{t}'"
            )));
        }
    };
    Ok(vm.alloc(Object::MemoryView(Box::new(MemoryView {
        obj,
        start: 0,
        step: 1,
        len,
        readonly,
        released: false,
        format: b'B',
    }))))
}

/// A memoryview's fields, or the ValueError of a released one.
fn live_view(vm: &mut Vm, r: ObjRef) -> PyResult<MemoryView> {
    match vm.heap.get(r) {
        Object::MemoryView(m) if !m.released => Ok(MemoryView { ..**m }),
        _ => Err(vm.new_exception(
            "ValueError",
            "operation forbidden on released memoryview object",
        )),
    }
}

/// A byte as the item a memoryview of this format gives.
fn item_of(vm: &mut Vm, byte: u8, format: u8) -> Value {
    match format {
        b'b' => Value::Int(i64::from(byte as i8)),
        b'c' => vm.alloc(Object::Bytes(vec![byte])),
        _ => Value::Int(i64::from(byte)),
    }
}

impl Vm {
    fn is_iterable(&mut self, v: Value) -> bool {
        self.get_iter(v).is_ok()
    }

    /// `+`, `*` and `%` with a bytearray on the left; `+=` and `*=` change it in place.
    pub fn bytearray_binop(
        &mut self,
        op: crate::bytecode::Opcode,
        a: Value,
        b: Value,
    ) -> PyResult<Option<Value>> {
        let data = bytes_like(self, a).unwrap_or_default();
        let inplace = super::ops::is_inplace(op);
        let result = match super::ops::binop_symbol(op) {
            "+" => match bytes_like(self, b) {
                Some(more) => [data, more].concat(),
                None => {
                    let t = self.type_name(b);
                    return Err(self.type_error(&format!("can't concat {t} to bytearray")));
                }
            },
            "*" => match self.as_index(b) {
                Some(n) => data.repeat(n.max(0) as usize),
                None => return Ok(None),
            },
            _ => super::percent::bytes_percent_format(self, &data, b)?,
        };
        if inplace && let Some(Object::ByteArray(target)) = a.as_obj().map(|r| self.heap.get_mut(r))
        {
            *target = result;
            return Ok(Some(a));
        }
        Ok(Some(self.alloc(Object::ByteArray(result))))
    }

    /// `obj[index]` of a bytearray or memoryview.
    pub fn buffer_getitem(&mut self, r: ObjRef, index: Value) -> R {
        let is_slice = matches!(
            index.as_obj().map(|i| self.heap.get(i)),
            Some(Object::Slice { .. })
        );
        if let Object::ByteArray(b) = self.heap.get(r) {
            let len = b.len();
            if is_slice {
                let (a, stop, s) = self.slice_indices(index, len as i64)?;
                let Object::ByteArray(b) = self.heap.get(r) else {
                    unreachable!("matched a bytearray")
                };
                let picked = positions(a, stop, s).map(|i| b[i]).collect();
                return Ok(self.alloc(Object::ByteArray(picked)));
            }
            let i = self.buffer_index(index, len, "bytearray")?;
            let Object::ByteArray(b) = self.heap.get(r) else {
                unreachable!("matched a bytearray")
            };
            return Ok(Value::Int(i64::from(b[i])));
        }
        let m = live_view(self, r)?;
        if is_slice {
            let (a, stop, s) = self.slice_indices(index, m.len as i64)?;
            let len = positions(a, stop, s).count();
            let view = MemoryView {
                start: (m.start as isize + a as isize * m.step).max(0) as usize,
                step: m.step * s as isize,
                len,
                ..m
            };
            return Ok(self.alloc(Object::MemoryView(Box::new(view))));
        }
        let i = self.buffer_index(index, m.len, "memoryview")?;
        // (The bytearray under the view may have shrunk since.)
        match view_bytes(self, &m).get(i) {
            Some(&byte) => Ok(item_of(self, byte, m.format)),
            None => Err(self.new_exception("IndexError", "index out of bounds on dimension 1")),
        }
    }

    fn buffer_index(&mut self, index: Value, len: usize, what: &str) -> PyResult<usize> {
        let index = self.index_via_dunder(index)?;
        let Some(i) = self.as_index(index) else {
            let t = self.type_name(index);
            let message = if what == "memoryview" {
                "memoryview: invalid slice key".to_string()
            } else {
                format!("{what} indices must be integers or slices, not {t}")
            };
            return Err(self.type_error(&message));
        };
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 {
            let message = if what == "memoryview" {
                "index out of bounds on dimension 1".to_string()
            } else {
                format!("{what} index out of range")
            };
            return Err(self.new_exception("IndexError", &message));
        }
        Ok(j as usize)
    }

    /// `obj[index] = v` of a bytearray or memoryview.
    pub fn buffer_setitem(&mut self, r: ObjRef, index: Value, v: Value) -> PyResult<()> {
        let is_slice = matches!(
            index.as_obj().map(|i| self.heap.get(i)),
            Some(Object::Slice { .. })
        );
        if let Object::ByteArray(b) = self.heap.get(r) {
            let len = b.len();
            if is_slice {
                let (a, stop, s) = self.slice_indices(index, len as i64)?;
                let new = match bytes_like(self, v) {
                    Some(b) => b,
                    None if self.as_index(v).is_some() || self.str_of(v).is_some() => {
                        let t = self.type_name(v);
                        return Err(self.type_error(&format!(
                            "can assign only bytes, buffers, or iterables of ints in range(0, 256), not {}",
                            if t == "str" { "str".to_string() } else { t }
                        )));
                    }
                    None => {
                        let items = self.collect_iterable(v)?;
                        items
                            .into_iter()
                            .map(|x| byte_value(self, x))
                            .collect::<PyResult<Vec<u8>>>()?
                    }
                };
                let spots: Vec<usize> = positions(a, stop, s).collect();
                if s != 1 && spots.len() != new.len() {
                    return Err(self.new_exception(
                        "ValueError",
                        &format!(
                            "attempt to assign bytes of size {} to extended slice of size {}",
                            new.len(),
                            spots.len()
                        ),
                    ));
                }
                let Object::ByteArray(b) = self.heap.get_mut(r) else {
                    unreachable!("matched a bytearray")
                };
                if s == 1 {
                    let (a, stop) = (a as usize, (stop.max(a)) as usize);
                    b.splice(a..stop, new);
                } else {
                    for (pos, byte) in spots.into_iter().zip(new) {
                        b[pos] = byte;
                    }
                }
                return Ok(());
            }
            let i = self.buffer_index(index, len, "bytearray")?;
            let byte = byte_value(self, v)?;
            if let Object::ByteArray(b) = self.heap.get_mut(r) {
                b[i] = byte;
            }
            return Ok(());
        }
        let m = live_view(self, r)?;
        if m.readonly {
            return Err(self.type_error("cannot modify read-only memory"));
        }
        let spots: Vec<usize> = if is_slice {
            let (a, stop, s) = self.slice_indices(index, m.len as i64)?;
            positions(a, stop, s).collect()
        } else {
            vec![self.buffer_index(index, m.len, "memoryview")?]
        };
        let new = if is_slice {
            match bytes_like(self, v) {
                Some(b) => b,
                None => {
                    let t = self.type_name(v);
                    return Err(
                        self.type_error(&format!("a bytes-like object is required, not '{t}'"))
                    );
                }
            }
        } else {
            match self.as_index(v) {
                Some(x) if (0..256).contains(&x) && m.format == b'B' => vec![x as u8],
                Some(x) if (-128..128).contains(&x) && m.format == b'b' => vec![x as i8 as u8],
                _ => {
                    let f = char::from(m.format);
                    return Err(self.new_exception(
                        "ValueError",
                        &format!("memoryview: invalid value for format '{f}'"),
                    ));
                }
            }
        };
        if new.len() != spots.len() {
            return Err(self.new_exception(
                "ValueError",
                "memoryview assignment: lvalue and rvalue have different structures",
            ));
        }
        if let Some(target) = m.obj.as_obj()
            && let Object::ByteArray(b) = self.heap.get_mut(target)
        {
            for (spot, byte) in spots.into_iter().zip(new) {
                let at = (m.start as isize + spot as isize * m.step) as usize;
                if let Some(slot) = b.get_mut(at) {
                    *slot = byte;
                }
            }
        }
        Ok(())
    }

    /// `del obj[index]` of a bytearray (a memoryview cannot delete).
    pub fn buffer_delitem(&mut self, r: ObjRef, index: Value) -> PyResult<()> {
        let Object::ByteArray(b) = self.heap.get(r) else {
            return Err(self.type_error("'memoryview' object doesn't support item deletion"));
        };
        let len = b.len();
        let gone: Vec<usize> = if matches!(
            index.as_obj().map(|i| self.heap.get(i)),
            Some(Object::Slice { .. })
        ) {
            let (a, stop, s) = self.slice_indices(index, len as i64)?;
            positions(a, stop, s).collect()
        } else {
            vec![self.buffer_index(index, len, "bytearray")?]
        };
        if let Object::ByteArray(b) = self.heap.get_mut(r) {
            let mut i = 0;
            b.retain(|_| {
                i += 1;
                !gone.contains(&(i - 1))
            });
        }
        Ok(())
    }
}

/// The positions a resolved slice picks.
fn positions(start: i64, stop: i64, step: i64) -> impl Iterator<Item = usize> {
    let mut i = start;
    std::iter::from_fn(move || {
        if (step > 0 && i < stop) || (step < 0 && i > stop) {
            let at = i as usize;
            i += step;
            Some(at)
        } else {
            None
        }
    })
}

// ---------------------------------------------------------------- bytearray's methods

fn array_of(vm: &Vm, r: Option<Value>) -> ObjRef {
    let v = recv(r);
    let v = vm.payload_of(v).unwrap_or(v);
    v.as_obj()
        .expect("bytearray methods are bound to a bytearray")
}

fn with_array<T>(vm: &mut Vm, r: Option<Value>, f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    let a = array_of(vm, r);
    match vm.heap.get_mut(a) {
        Object::ByteArray(b) => f(b),
        _ => f(&mut Vec::new()),
    }
}

fn ba_append(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let [v] = args.pos[..] else {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("append() takes exactly one argument ({n} given)")));
    };
    let byte = byte_value(vm, v)?;
    with_array(vm, r, |b| b.push(byte));
    Ok(Value::None)
}

fn ba_extend(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    let more = match bytes_like(vm, v) {
        Some(b) => b,
        None => {
            let items = vm.collect_iterable(v)?;
            items
                .into_iter()
                .map(|x| byte_value(vm, x))
                .collect::<PyResult<Vec<u8>>>()?
        }
    };
    with_array(vm, r, |b| b.extend(more));
    Ok(Value::None)
}

fn ba_insert(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let [at, v] = args.pos[..] else {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("insert expected 2 arguments, got {n}")));
    };
    let at = vm.as_index(at).unwrap_or(0);
    let byte = byte_value(vm, v)?;
    with_array(vm, r, |b| {
        let len = b.len() as i64;
        let i = if at < 0 {
            (at + len).max(0)
        } else {
            at.min(len)
        };
        b.insert(i as usize, byte);
    });
    Ok(Value::None)
}

fn ba_pop(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let at = args.pos.first().and_then(|v| vm.as_index(*v)).unwrap_or(-1);
    let popped = with_array(vm, r, |b| {
        if b.is_empty() {
            return Err("pop from empty bytearray");
        }
        let len = b.len() as i64;
        let i = if at < 0 { at + len } else { at };
        if !(0..len).contains(&i) {
            return Err("pop index out of range");
        }
        Ok(b.remove(i as usize))
    });
    match popped {
        Ok(byte) => Ok(Value::Int(i64::from(byte))),
        Err(message) => Err(vm.new_exception("IndexError", message)),
    }
}

fn ba_remove(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    let byte = byte_value(vm, v)?;
    let found = with_array(vm, r, |b| match b.iter().position(|x| *x == byte) {
        Some(i) => {
            b.remove(i);
            true
        }
        None => false,
    });
    if !found {
        return Err(vm.new_exception("ValueError", "value not found in bytearray"));
    }
    Ok(Value::None)
}

fn ba_reverse(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    with_array(vm, r, |b| b.reverse());
    Ok(Value::None)
}

fn ba_clear(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    with_array(vm, r, |b| b.clear());
    Ok(Value::None)
}

fn ba_copy(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let data = with_array(vm, r, |b| b.clone());
    Ok(vm.alloc(Object::ByteArray(data)))
}

/// A bytes method's result as bytearray's: bytes become bytearrays (inside the list or
/// tuple split and partition give, too).
fn to_bytearray(vm: &mut Vm, v: Value) -> R {
    match v.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Bytes(b)) => {
            let b = b.clone();
            Ok(vm.alloc(Object::ByteArray(b)))
        }
        Some(Object::List(items)) => {
            let items = items.clone();
            let items = items
                .into_iter()
                .map(|x| to_bytearray(vm, x))
                .collect::<PyResult<Vec<Value>>>()?;
            Ok(vm.new_list(items))
        }
        Some(Object::Tuple(items)) => {
            let items = items.clone();
            let items = items
                .into_iter()
                .map(|x| to_bytearray(vm, x))
                .collect::<PyResult<Vec<Value>>>()?;
            Ok(vm.new_tuple(items))
        }
        _ => Ok(v),
    }
}

/// Runs bytes' method `name` for a bytearray receiver.
fn via_bytes(vm: &mut Vm, r: Option<Value>, args: Args, name: &str) -> R {
    let (_, method) = super::bytes::lookup(name).expect("a method bytes has");
    let receiver = match r {
        Some(v) => {
            let data = bytes_like(vm, vm.payload_of(v).unwrap_or(v)).unwrap_or_default();
            Some(vm.alloc(Object::Bytes(data)))
        }
        None => None,
    };
    let result = method(vm, receiver, args)?;
    if matches!(
        name,
        "decode" | "hex" | "count" | "find" | "rfind" | "index" | "rindex"
    ) {
        return Ok(result);
    }
    to_bytearray(vm, result)
}

macro_rules! bytes_methods {
    ($($name:literal => $fn_name:ident;)*) => {
        $(fn $fn_name(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
            via_bytes(vm, r, args, $name)
        })*

        /// bytearray's methods: its own mutating ones, then bytes'.
        const BYTEARRAY_METHODS: &[(&str, NativeFn)] = &[
            ("append", ba_append),
            ("extend", ba_extend),
            ("insert", ba_insert),
            ("pop", ba_pop),
            ("remove", ba_remove),
            ("reverse", ba_reverse),
            ("clear", ba_clear),
            ("copy", ba_copy),
            ("__setitem__", setitem_method),
            ("__delitem__", delitem_method),
            $(($name, $fn_name),)*
        ];
    };
}

bytes_methods! {
    "split" => ba_split;
    "rsplit" => ba_rsplit;
    "splitlines" => ba_splitlines;
    "strip" => ba_strip;
    "lstrip" => ba_lstrip;
    "rstrip" => ba_rstrip;
    "replace" => ba_replace;
    "find" => ba_find;
    "rfind" => ba_rfind;
    "index" => ba_index;
    "rindex" => ba_rindex;
    "count" => ba_count;
    "startswith" => ba_startswith;
    "endswith" => ba_endswith;
    "upper" => ba_upper;
    "lower" => ba_lower;
    "swapcase" => ba_swapcase;
    "title" => ba_title;
    "capitalize" => ba_capitalize;
    "isdigit" => ba_isdigit;
    "isalpha" => ba_isalpha;
    "isalnum" => ba_isalnum;
    "isspace" => ba_isspace;
    "isupper" => ba_isupper;
    "islower" => ba_islower;
    "istitle" => ba_istitle;
    "ljust" => ba_ljust;
    "rjust" => ba_rjust;
    "center" => ba_center;
    "zfill" => ba_zfill;
    "partition" => ba_partition;
    "rpartition" => ba_rpartition;
    "expandtabs" => ba_expandtabs;
    "decode" => ba_decode;
    "join" => ba_join;
    "hex" => ba_hex;
    "fromhex" => ba_fromhex;
}

// ---------------------------------------------------------------- memoryview's methods

fn view_of(vm: &mut Vm, r: Option<Value>) -> PyResult<(ObjRef, MemoryView)> {
    let m = recv(r)
        .as_obj()
        .expect("memoryview methods are bound to one");
    Ok((m, live_view(vm, m)?))
}

fn mv_tobytes(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let (_, m) = view_of(vm, r)?;
    let b = view_bytes(vm, &m);
    Ok(vm.alloc(Object::Bytes(b)))
}

fn mv_tolist(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let m = recv(r).as_obj().expect("a memoryview");
    let items = memoryview_items(vm, m)?;
    Ok(vm.new_list(items))
}

/// A memoryview's items, as its format gives them (what iteration and tolist() see).
pub fn memoryview_items(vm: &mut Vm, r: ObjRef) -> PyResult<Vec<Value>> {
    let m = live_view(vm, r)?;
    Ok(view_bytes(vm, &m)
        .into_iter()
        .map(|b| item_of(vm, b, m.format))
        .collect())
}

fn mv_hex(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let (_, m) = view_of(vm, r)?;
    let hex: String = view_bytes(vm, &m)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    Ok(vm.new_str(hex))
}

fn mv_cast(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (_, m) = view_of(vm, r)?;
    let format = match args.pos.first().and_then(|f| vm.str_of(*f)) {
        Some("B") => b'B',
        Some("b") => b'b',
        Some("c") => b'c',
        Some(_) => {
            return Err(vm.new_exception(
                "ValueError",
                "memoryview: destination format must be a native single character format prefixed with an optional '@'",
            ));
        }
        None => return Err(vm.type_error("cast() argument 'format' must be str")),
    };
    Ok(vm.alloc(Object::MemoryView(Box::new(MemoryView { format, ..m }))))
}

fn mv_release(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let m = recv(r).as_obj().expect("a memoryview");
    if let Object::MemoryView(view) = vm.heap.get_mut(m) {
        view.released = true;
    }
    Ok(Value::None)
}

fn mv_enter(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    view_of(vm, r)?;
    Ok(recv(r))
}

fn mv_exit(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    mv_release(vm, r, Args::default())?;
    Ok(Value::Bool(false))
}

fn setitem_method(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let [index, v] = args.pos[..] else {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("expected 2 arguments, got {n}")));
    };
    vm.setitem(recv(r), index, v)?;
    Ok(Value::None)
}

fn delitem_method(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let index = args.pos.first().copied().unwrap_or(Value::None);
    vm.delitem(recv(r), index)?;
    Ok(Value::None)
}

const MEMORYVIEW_METHODS: &[(&str, NativeFn)] = &[
    ("__setitem__", setitem_method),
    ("tobytes", mv_tobytes),
    ("tolist", mv_tolist),
    ("hex", mv_hex),
    ("cast", mv_cast),
    ("release", mv_release),
    ("__enter__", mv_enter),
    ("__exit__", mv_exit),
];

/// The native method `name` of bytearray or memoryview (`tag`).
pub fn lookup(tag: &str, name: &str) -> Option<(&'static str, NativeFn)> {
    let table = match tag {
        "bytearray" => BYTEARRAY_METHODS,
        _ => MEMORYVIEW_METHODS,
    };
    table.iter().find(|(n, _)| *n == name).copied()
}

/// The names of their methods (for dir()).
pub fn method_names(tag: &str) -> impl Iterator<Item = &'static str> {
    let table = match tag {
        "bytearray" => BYTEARRAY_METHODS,
        _ => MEMORYVIEW_METHODS,
    };
    table.iter().map(|(n, _)| *n)
}

/// memoryview's data attributes: obj, format, itemsize, readonly, ndim, nbytes, shape ...
pub fn memoryview_attr(vm: &mut Vm, r: ObjRef, name: &str) -> PyResult<Option<Value>> {
    let m = live_view(vm, r)?;
    Ok(Some(match name {
        "obj" => m.obj,
        "format" => vm.new_str(char::from(m.format).to_string()),
        "itemsize" => Value::Int(1),
        "readonly" => Value::Bool(m.readonly),
        "ndim" => Value::Int(1),
        "nbytes" => Value::Int(m.len as i64),
        "shape" => vm.new_tuple(vec![Value::Int(m.len as i64)]),
        "strides" => vm.new_tuple(vec![Value::Int(m.step as i64)]),
        "suboffsets" => vm.new_tuple(vec![]),
        "c_contiguous" | "f_contiguous" | "contiguous" => Value::Bool(m.step == 1),
        _ => return Ok(None),
    }))
}

/// bytearray's `__reduce_ex__`: `(bytearray, (text, 'latin-1'), dict)` below protocol 3
/// (for Python 2), else `(bytearray, (bytes,), dict)` (`()` when empty).
pub fn reduce(vm: &mut Vm, obj: Value, proto: i64) -> R {
    let data = bytes_like(vm, obj).unwrap_or_default();
    let class = Value::Obj(vm.type_of(obj));
    let args = if proto < 3 {
        let text: String = data.iter().map(|&c| char::from(c)).collect();
        let text = vm.new_str(text);
        let encoding = vm.new_str("latin-1");
        vm.new_tuple(vec![text, encoding])
    } else if data.is_empty() {
        vm.new_tuple(vec![])
    } else {
        let b = vm.alloc(Object::Bytes(data));
        vm.new_tuple(vec![b])
    };
    Ok(vm.new_tuple(vec![class, args, Value::None]))
}
