//! array.array: a sequence of numbers of one C type (its typecode), with CPython 3.7's
//! range checks and messages: construction, items and slices, concatenation, the methods
//! (append, extend, insert, pop, remove, index, count, reverse, tolist, tobytes,
//! frombytes, fromlist, tounicode, fromunicode, byteswap, buffer_info) and repr.

use super::args::recv;
use super::buffer::{array_bytes, itemsize};
use crate::vm::object::{Args, NativeFn, Object, TypedArray};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use num_bigint::BigInt;

type R = PyResult<Value>;

pub const TYPECODES: &str = "bBuhHiIlLqQfd";

/// An item checked and converted for an array of `code`, with 3.7's errors.
fn item(vm: &mut Vm, code: u8, v: Value) -> PyResult<Value> {
    match code {
        b'f' | b'd' => {
            if let Some(f) = vm.to_f64(v) {
                return Ok(Value::Float(if code == b'f' {
                    f64::from(f as f32)
                } else {
                    f
                }));
            }
            if let Some(Value::Float(f)) = vm.call_special(v, "__float__", vec![])? {
                return Ok(Value::Float(f));
            }
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("must be real number, not {t}")))
        }
        b'u' => match vm.str_of(v) {
            Some(s) if s.chars().count() == 1 => Ok(v),
            _ => Err(vm.type_error("array item must be unicode character")),
        },
        _ => {
            if matches!(v, Value::Float(_)) {
                return Err(vm.type_error("integer argument expected, got float"));
            }
            let v = vm.index_via_dunder(v)?;
            let Some(n) = vm.as_bigint(v) else {
                let t = vm.type_name(v);
                return Err(vm.type_error(&format!("an integer is required (got type {t})")));
            };
            check_range(vm, code, &n)?;
            Ok(vm.new_int(n))
        }
    }
}

fn check_range(vm: &mut Vm, code: u8, n: &BigInt) -> PyResult<()> {
    let bits = itemsize(code) as u32 * 8;
    let signed = code.is_ascii_lowercase();
    let (low, high) = if signed {
        (
            -(BigInt::from(1) << (bits - 1)),
            (BigInt::from(1) << (bits - 1)) - 1,
        )
    } else {
        (BigInt::from(0), (BigInt::from(1) << bits) - 1)
    };
    if *n >= low && *n <= high {
        return Ok(());
    }
    let below = *n < low;
    let message = match (code, below) {
        (b'b', true) => "signed char is less than minimum",
        (b'b', false) => "signed char is greater than maximum",
        (b'B', true) => "unsigned byte integer is less than minimum",
        (b'B', false) => "unsigned byte integer is greater than maximum",
        (b'h', true) => "signed short integer is less than minimum",
        (b'h', false) => "signed short integer is greater than maximum",
        (b'H', true) => "unsigned short is less than minimum",
        (b'H', false) => "unsigned short is greater than maximum",
        (b'i', true) => "signed integer is less than minimum",
        (b'i', false) => "signed integer is greater than maximum",
        (b'I' | b'L', true) => "can't convert negative value to unsigned int",
        (b'I', false) => "unsigned int is greater than maximum",
        (b'l', _) => "Python int too large to convert to C long",
        (b'L', false) => "Python int too large to convert to C unsigned long",
        (b'Q', true) => "can't convert negative int to unsigned",
        _ => "int too big to convert",
    };
    Err(vm.new_exception("OverflowError", message))
}

fn items_of(vm: &mut Vm, code: u8, values: Vec<Value>) -> PyResult<Vec<Value>> {
    values.into_iter().map(|v| item(vm, code, v)).collect()
}

fn new_array(vm: &mut Vm, typecode: u8, items: Vec<Value>) -> Value {
    vm.alloc(Object::Array(Box::new(TypedArray { typecode, items })))
}

/// array(typecode[, initializer]).
pub fn construct_array(vm: &mut Vm, args: &Args) -> R {
    let Some(&code) = args.pos.first() else {
        return Err(vm.type_error("array() takes at least 1 argument (0 given)"));
    };
    let code = match vm.str_of(code).map(|s| s.chars().collect::<Vec<char>>()) {
        Some(chars) if chars.len() == 1 => chars[0],
        _ => {
            let t = vm.type_name(code);
            return Err(vm.type_error(&format!(
                "array() argument 1 must be a unicode character, not {t}"
            )));
        }
    };
    if !code.is_ascii() || !TYPECODES.contains(code) {
        return Err(vm.new_exception(
            "ValueError",
            "bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)",
        ));
    }
    let code = code as u8;
    let array = new_array(vm, code, vec![]);
    if let Some(&init) = args.pos.get(1) {
        if let Some(text) = vm.str_of(init).map(str::to_string) {
            if code != b'u' {
                return Err(vm.type_error(&format!(
                    "cannot use a str to initialize an array with typecode '{}'",
                    char::from(code)
                )));
            }
            let chars = text.chars().map(|c| vm.new_str(c.to_string())).collect();
            set_items(vm, array, chars);
        } else if let Some(b) = super::buffer::bytes_like(vm, init)
            && !matches!(
                init.as_obj().map(|r| vm.heap.get(r)),
                Some(Object::Array(_))
            )
        {
            frombytes_into(vm, array, &b)?;
        } else {
            let values = vm.collect_iterable(init)?;
            let values = items_of(vm, code, values)?;
            set_items(vm, array, values);
        }
    }
    Ok(array)
}

fn set_items(vm: &mut Vm, array: Value, values: Vec<Value>) {
    if let Some(Object::Array(a)) = array.as_obj().map(|r| vm.heap.get_mut(r)) {
        a.items = values;
    }
}

fn parts(vm: &Vm, v: Value) -> Option<(u8, Vec<Value>)> {
    match vm.heap.get(v.as_obj()?) {
        Object::Array(a) => Some((a.typecode, a.items.clone())),
        _ => None,
    }
}

fn with_items<T>(vm: &mut Vm, r: Option<Value>, f: impl FnOnce(&mut Vec<Value>) -> T) -> T {
    match recv(r).as_obj().map(|o| vm.heap.get_mut(o)) {
        Some(Object::Array(a)) => f(&mut a.items),
        _ => f(&mut Vec::new()),
    }
}

fn code_of(vm: &Vm, r: Option<Value>) -> u8 {
    parts(vm, recv(r)).map_or(b'b', |p| p.0)
}

fn frombytes_into(vm: &mut Vm, array: Value, data: &[u8]) -> PyResult<()> {
    let Some((code, mut items)) = parts(vm, array) else {
        return Ok(());
    };
    let size = itemsize(code);
    if !data.len().is_multiple_of(size) {
        return Err(vm.new_exception("ValueError", "bytes length not a multiple of item size"));
    }
    for chunk in data.chunks(size) {
        let v = match code {
            b'f' => Value::Float(f64::from(f32::from_le_bytes(
                chunk.try_into().expect("four bytes"),
            ))),
            b'd' => Value::Float(f64::from_le_bytes(chunk.try_into().expect("eight bytes"))),
            b'u' => {
                let c = u32::from_le_bytes(chunk.try_into().expect("four bytes"));
                vm.new_str(char::from_u32(c).unwrap_or('\u{fffd}').to_string())
            }
            c if c.is_ascii_lowercase() => vm.new_int(BigInt::from_signed_bytes_le(chunk)),
            _ => vm.new_int(BigInt::from_bytes_le(num_bigint::Sign::Plus, chunk)),
        };
        items.push(v);
    }
    set_items(vm, array, items);
    Ok(())
}

impl Vm {
    /// `a[i]`, `a[i:j]`.
    pub fn array_getitem(&mut self, r: ObjRef, index: Value) -> R {
        let (code, items) = parts(self, Value::Obj(r)).expect("an array");
        if let Some(Object::Slice { .. }) = index.as_obj().map(|i| self.heap.get(i)) {
            let (a, b, s) = self.slice_indices(index, items.len() as i64)?;
            let picked = slice_positions(a, b, s).map(|i| items[i]).collect();
            return Ok(new_array(self, code, picked));
        }
        let i = self.array_index(index, items.len())?;
        Ok(items[i])
    }

    fn array_index(&mut self, index: Value, len: usize) -> PyResult<usize> {
        let index = self.index_via_dunder(index)?;
        let Some(i) = self.as_index(index) else {
            return Err(self.type_error("array indices must be integers"));
        };
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 {
            return Err(self.new_exception("IndexError", "array index out of range"));
        }
        Ok(j as usize)
    }

    /// `a[i] = v`, `a[i:j] = other_array`.
    pub fn array_setitem(&mut self, r: ObjRef, index: Value, v: Value) -> PyResult<()> {
        let (code, mut items) = parts(self, Value::Obj(r)).expect("an array");
        if let Some(Object::Slice { .. }) = index.as_obj().map(|i| self.heap.get(i)) {
            let Some((other_code, new)) = parts(self, v) else {
                let t = self.type_name(v);
                return Err(self.type_error(&format!(
                    "can only assign array (not \"{t}\") to array slice"
                )));
            };
            if other_code != code {
                return Err(self.type_error("bad argument type for built-in operation"));
            }
            let (a, b, s) = self.slice_indices(index, items.len() as i64)?;
            if s == 1 {
                items.splice(a as usize..b.max(a) as usize, new);
            } else {
                let spots: Vec<usize> = slice_positions(a, b, s).collect();
                if spots.len() != new.len() {
                    return Err(self.new_exception(
                        "ValueError",
                        &format!(
                            "attempt to assign array of size {} to extended slice of size {}",
                            new.len(),
                            spots.len()
                        ),
                    ));
                }
                for (spot, x) in spots.into_iter().zip(new) {
                    items[spot] = x;
                }
            }
        } else {
            let i = self.array_index(index, items.len())?;
            items[i] = item(self, code, v)?;
        }
        set_items(self, Value::Obj(r), items);
        Ok(())
    }

    /// `del a[i]`, `del a[i:j]`.
    pub fn array_delitem(&mut self, r: ObjRef, index: Value) -> PyResult<()> {
        let (_, items) = parts(self, Value::Obj(r)).expect("an array");
        let gone: Vec<usize> =
            if let Some(Object::Slice { .. }) = index.as_obj().map(|i| self.heap.get(i)) {
                let (a, b, s) = self.slice_indices(index, items.len() as i64)?;
                slice_positions(a, b, s).collect()
            } else {
                vec![self.array_index(index, items.len())?]
            };
        let kept = items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !gone.contains(i))
            .map(|(_, v)| v)
            .collect();
        set_items(self, Value::Obj(r), kept);
        Ok(())
    }

    /// `a + b` (same typecode) and `a * n`.
    pub fn array_binop(&mut self, symbol: &str, a: Value, b: Value) -> PyResult<Option<Value>> {
        let (code, items) = parts(self, a).expect("an array");
        match symbol {
            "+" => match parts(self, b) {
                Some((other, more)) if other == code => {
                    Ok(Some(new_array(self, code, [items, more].concat())))
                }
                Some(_) => Err(self.type_error("bad argument type for built-in operation")),
                None => {
                    let t = self.type_name(b);
                    Err(self.type_error(&format!("can only append array (not \"{t}\") to array")))
                }
            },
            "*" => match self.as_index(b) {
                Some(n) => Ok(Some(new_array(self, code, items.repeat(n.max(0) as usize)))),
                None => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// repr(a): `array('i', [1, 2])`, `array('u', 'hi')`, `array('d')`.
    pub fn array_repr(&mut self, r: ObjRef) -> PyResult<String> {
        let (code, items) = parts(self, Value::Obj(r)).expect("an array");
        let c = char::from(code);
        if items.is_empty() {
            return Ok(format!("array('{c}')"));
        }
        if code == b'u' {
            let text: String = items.iter().filter_map(|v| self.str_of(*v)).collect();
            let text = self.new_str(text);
            return Ok(format!("array('{c}', {})", self.repr(text)?));
        }
        let list = self.new_list(items);
        Ok(format!("array('{c}', {})", self.repr(list)?))
    }

    /// The items of an array (iteration, ==, list()).
    pub fn array_items(&self, r: ObjRef) -> Option<Vec<Value>> {
        parts(self, Value::Obj(r)).map(|p| p.1)
    }
}

fn slice_positions(start: i64, stop: i64, step: i64) -> impl Iterator<Item = usize> {
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

fn a_append(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let code = code_of(vm, r);
    let [v] = args.pos[..] else {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("append() takes exactly one argument ({n} given)")));
    };
    let v = item(vm, code, v)?;
    with_items(vm, r, |items| items.push(v));
    Ok(Value::None)
}

fn a_extend(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let code = code_of(vm, r);
    let source = args.pos.first().copied().unwrap_or(Value::None);
    let values = match parts(vm, source) {
        Some((other, _)) if other != code => {
            return Err(vm.type_error("can only extend with array of same kind"));
        }
        Some((_, values)) => values,
        None => {
            let values = vm.collect_iterable(source)?;
            items_of(vm, code, values)?
        }
    };
    with_items(vm, r, |items| items.extend(values));
    Ok(Value::None)
}

fn a_insert(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let code = code_of(vm, r);
    let at = args.pos.first().and_then(|i| vm.as_index(*i)).unwrap_or(0);
    let v = item(vm, code, args.pos.get(1).copied().unwrap_or(Value::None))?;
    with_items(vm, r, |items| {
        let len = items.len() as i64;
        let i = if at < 0 {
            (at + len).max(0)
        } else {
            at.min(len)
        };
        items.insert(i as usize, v);
    });
    Ok(Value::None)
}

fn a_pop(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let at = args.pos.first().and_then(|i| vm.as_index(*i)).unwrap_or(-1);
    let popped = with_items(vm, r, |items| {
        if items.is_empty() {
            return Err("pop from empty array");
        }
        let len = items.len() as i64;
        let i = if at < 0 { at + len } else { at };
        if !(0..len).contains(&i) {
            return Err("pop index out of range");
        }
        Ok(items.remove(i as usize))
    });
    popped.map_err(|m| vm.new_exception("IndexError", m))
}

/// The position of the first item equal to `v`.
fn position(vm: &mut Vm, r: Option<Value>, v: Value) -> PyResult<Option<usize>> {
    let items = parts(vm, recv(r)).map(|p| p.1).unwrap_or_default();
    for (i, x) in items.into_iter().enumerate() {
        if vm.eq_full(x, v)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn a_index(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    match position(vm, r, args.pos.first().copied().unwrap_or(Value::None))? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.new_exception("ValueError", "array.index(x): x not in array")),
    }
}

fn a_remove(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    match position(vm, r, args.pos.first().copied().unwrap_or(Value::None))? {
        Some(i) => {
            with_items(vm, r, |items| items.remove(i));
            Ok(Value::None)
        }
        None => Err(vm.new_exception("ValueError", "array.remove(x): x not in array")),
    }
}

fn a_count(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    let items = parts(vm, recv(r)).map(|p| p.1).unwrap_or_default();
    let mut n = 0;
    for x in items {
        if vm.eq_full(x, v)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn a_reverse(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    with_items(vm, r, |items| items.reverse());
    Ok(Value::None)
}

fn a_tolist(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let items = parts(vm, recv(r)).map(|p| p.1).unwrap_or_default();
    Ok(vm.new_list(items))
}

fn a_tobytes(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let (code, items) = parts(vm, recv(r)).unwrap_or((b'b', vec![]));
    let bytes = array_bytes(vm, code, &items);
    Ok(vm.alloc(Object::Bytes(bytes)))
}

fn a_frombytes(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let source = args.pos.first().copied().unwrap_or(Value::None);
    let Some(data) = super::buffer::bytes_like(vm, source) else {
        let t = vm.type_name(source);
        return Err(vm.type_error(&format!("a bytes-like object is required, not '{t}'")));
    };
    frombytes_into(vm, recv(r), &data)?;
    Ok(Value::None)
}

fn a_fromlist(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let source = args.pos.first().copied().unwrap_or(Value::None);
    if !matches!(
        source.as_obj().map(|o| vm.heap.get(o)),
        Some(Object::List(_))
    ) {
        return Err(vm.type_error("arg must be list"));
    }
    let code = code_of(vm, r);
    let values = vm.collect_iterable(source)?;
    let values = items_of(vm, code, values)?;
    with_items(vm, r, |items| items.extend(values));
    Ok(Value::None)
}

fn a_tounicode(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let (code, items) = parts(vm, recv(r)).unwrap_or((b'b', vec![]));
    if code != b'u' {
        return Err(vm.new_exception(
            "ValueError",
            "tounicode() may only be called on unicode type arrays",
        ));
    }
    let text: String = items.iter().filter_map(|v| vm.str_of(*v)).collect();
    Ok(vm.new_str(text))
}

fn a_fromunicode(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    if code_of(vm, r) != b'u' {
        return Err(vm.new_exception(
            "ValueError",
            "fromunicode() may only be called on unicode type arrays",
        ));
    }
    let text = args
        .pos
        .first()
        .and_then(|v| vm.str_of(*v))
        .unwrap_or_default()
        .to_string();
    let chars: Vec<Value> = text.chars().map(|c| vm.new_str(c.to_string())).collect();
    with_items(vm, r, |items| items.extend(chars));
    Ok(Value::None)
}

fn a_byteswap(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let (code, items) = parts(vm, recv(r)).unwrap_or((b'b', vec![]));
    let size = itemsize(code);
    let mut bytes = array_bytes(vm, code, &items);
    for chunk in bytes.chunks_mut(size) {
        chunk.reverse();
    }
    set_items(vm, recv(r), vec![]);
    frombytes_into(vm, recv(r), &bytes)?;
    Ok(Value::None)
}

fn a_buffer_info(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let n = parts(vm, recv(r)).map_or(0, |p| p.1.len());
    let address = recv(r)
        .as_obj()
        .map_or(0, |o| 0x7f00_2000_0000i64 + i64::from(o.0) * 0x40);
    Ok(vm.new_tuple(vec![Value::Int(address), Value::Int(n as i64)]))
}

const METHODS: &[(&str, NativeFn)] = &[
    ("append", a_append),
    ("extend", a_extend),
    ("insert", a_insert),
    ("pop", a_pop),
    ("remove", a_remove),
    ("index", a_index),
    ("count", a_count),
    ("reverse", a_reverse),
    ("tolist", a_tolist),
    ("tobytes", a_tobytes),
    ("frombytes", a_frombytes),
    ("fromlist", a_fromlist),
    ("tounicode", a_tounicode),
    ("fromunicode", a_fromunicode),
    ("byteswap", a_byteswap),
    ("buffer_info", a_buffer_info),
];

pub fn lookup(name: &str) -> Option<(&'static str, NativeFn)> {
    METHODS.iter().find(|(n, _)| *n == name).copied()
}

pub fn method_names() -> impl Iterator<Item = &'static str> {
    METHODS.iter().map(|(n, _)| *n)
}

/// `a.typecode`, `a.itemsize`.
pub fn array_attr(vm: &mut Vm, r: ObjRef, name: &str) -> Option<Value> {
    let (code, _) = parts(vm, Value::Obj(r))?;
    match name {
        "typecode" => Some(vm.new_str(char::from(code).to_string())),
        "itemsize" => Some(Value::Int(itemsize(code) as i64)),
        _ => None,
    }
}
