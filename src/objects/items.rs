//! Items and iteration: subscripts and slices of sequences and mappings, item assignment
//! and deletion, the iterator protocol (native iterators, generators, `__iter__`/`__next__`),
//! and CPython's iteration order for sets of small ints.

use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};
use compact_str::CompactString;

impl Vm {
    /// Resolves a slice against a length (slice.indices).
    pub fn slice_indices(&mut self, slice: Value, len: i64) -> PyResult<(i64, i64, i64)> {
        let Some(Object::Slice { start, stop, step }) = slice.as_obj().map(|r| self.heap.get(r))
        else {
            unreachable!("slice_indices is given slices")
        };
        let (start, stop, step) = (*start, *stop, *step);
        // None, an int (a huge one clamps), or what __index__ gives; anything else (a
        // float from `/` where `//` was meant) is CPython's TypeError.
        let get = |vm: &mut Self, v: Value| -> PyResult<Option<i64>> {
            if v == Value::None {
                return Ok(None);
            }
            let v = vm.index_via_dunder(v)?;
            if let Some(i) = vm.as_index(v) {
                return Ok(Some(i));
            }
            if let Some(big) = vm.as_bigint(v).filter(|_| !matches!(v, Value::Float(_))) {
                return Ok(Some(if big.sign() == num_bigint::Sign::Minus {
                    i64::MIN / 2
                } else {
                    i64::MAX / 2
                }));
            }
            Err(vm.type_error("slice indices must be integers or None or have an __index__ method"))
        };
        let (start, stop) = (get(self, start)?, get(self, stop)?);
        let step = get(self, step)?.unwrap_or(1);
        if step == 0 {
            return Err(self.new_exception("ValueError", "slice step cannot be zero"));
        }
        let clamp = |v: Option<i64>, default: i64, low: i64, high: i64| -> i64 {
            match v {
                None => default,
                Some(i) => {
                    let i = if i < 0 { i + len } else { i };
                    i.clamp(low, high)
                }
            }
        };
        if step > 0 {
            Ok((clamp(start, 0, 0, len), clamp(stop, len, 0, len), step))
        } else {
            Ok((
                clamp(start, len - 1, -1, len - 1),
                clamp(stop, -1, -1, len - 1),
                step,
            ))
        }
    }

    pub(crate) fn slice_positions(start: i64, stop: i64, step: i64) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = start;
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            out.push(i as usize);
            i += step;
        }
        out
    }

    pub(crate) fn is_slice(&self, v: Value) -> bool {
        matches!(
            v.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Slice { .. })
        )
    }

    pub(crate) fn seq_index(&mut self, index: Value, len: usize, what: &str) -> PyResult<usize> {
        let index = self.index_via_dunder(index)?;
        let Some(i) = self.as_index(index) else {
            // 3.7's str says less than its list and tuple.
            if what == "string" {
                return Err(self.type_error("string indices must be integers"));
            }
            let t = self.type_name(index);
            return Err(self.type_error(&format!(
                "{what} indices must be integers or slices, not {t}"
            )));
        };
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 {
            return Err(self.new_exception("IndexError", &format!("{what} index out of range")));
        }
        Ok(j as usize)
    }

    /// An instance used as an index converts itself with `__index__`.
    fn index_value(&mut self, index: Value) -> PyResult<Value> {
        if matches!(index, Value::Obj(r) if matches!(self.heap.get(r), Object::Instance(_)))
            && let Some(i) = self.call_special(index, "__index__", vec![])?
        {
            return Ok(i);
        }
        Ok(index)
    }

    pub fn getitem(&mut self, c: Value, index: Value) -> PyResult<Value> {
        let keyed = matches!(
            c.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Dict(_) | Object::Instance(_))
        );
        let index = if keyed {
            index
        } else {
            self.index_value(index)?
        };
        let Some(rc) = c.as_obj() else {
            let t = self.type_name(c);
            return Err(self.type_error(&format!("'{t}' object is not subscriptable")));
        };
        match self.heap.get(rc) {
            Object::Deque(_) => self.deque_getitem(rc, index),
            Object::List(items) | Object::Tuple(items) => {
                let is_list = matches!(self.heap.get(rc), Object::List(_));
                let len = items.len();
                if self.is_slice(index) {
                    let (a, b, s) = self.slice_indices(index, len as i64)?;
                    let items = match self.heap.get(rc) {
                        Object::List(v) | Object::Tuple(v) => v,
                        _ => unreachable!("checked above"),
                    };
                    let picked: Vec<Value> = Self::slice_positions(a, b, s)
                        .into_iter()
                        .map(|i| items[i])
                        .collect();
                    return Ok(if is_list {
                        self.new_list(picked)
                    } else {
                        self.new_tuple(picked)
                    });
                }
                let i = self.seq_index(index, len, if is_list { "list" } else { "tuple" })?;
                match self.heap.get(rc) {
                    Object::List(v) | Object::Tuple(v) => Ok(v[i]),
                    _ => unreachable!("checked above"),
                }
            }
            Object::Str(s) if s.is_single_byte() => {
                // One byte per character: positions are byte offsets, no decoding needed.
                let len = s.chars;
                if self.is_slice(index) {
                    let (a, b, st) = self.slice_indices(index, len as i64)?;
                    let Object::Str(s) = self.heap.get(rc) else {
                        unreachable!("checked above")
                    };
                    let r: CompactString = if st == 1 {
                        if b > a {
                            CompactString::from(&s.text[a as usize..b as usize])
                        } else {
                            CompactString::default()
                        }
                    } else {
                        let bytes = s.text.as_bytes();
                        Self::slice_positions(a, b, st)
                            .into_iter()
                            .map(|i| bytes[i] as char)
                            .collect()
                    };
                    return Ok(self.new_str(r));
                }
                let i = self.seq_index(index, len, "string")?;
                let Object::Str(s) = self.heap.get(rc) else {
                    unreachable!("checked above")
                };
                let r = CompactString::from(&s.text[i..i + 1]);
                Ok(self.new_str(r))
            }
            Object::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                if self.is_slice(index) {
                    let (a, b, st) = self.slice_indices(index, chars.len() as i64)?;
                    let r: String = Self::slice_positions(a, b, st)
                        .into_iter()
                        .map(|i| chars[i])
                        .collect();
                    return Ok(self.new_str(r));
                }
                let i = self.seq_index(index, chars.len(), "string")?;
                Ok(self.new_str(chars[i].to_string()))
            }
            Object::ByteArray(_) | Object::MemoryView(_) => self.buffer_getitem(rc, index),
            Object::Array(_) => self.array_getitem(rc, index),
            Object::Bytes(b) => {
                let b = b.clone();
                if self.is_slice(index) {
                    let (x, y, st) = self.slice_indices(index, b.len() as i64)?;
                    let r: Vec<u8> = Self::slice_positions(x, y, st)
                        .into_iter()
                        .map(|i| b[i])
                        .collect();
                    return Ok(self.alloc(Object::Bytes(r)));
                }
                let i = self.seq_index(index, b.len(), "index")?;
                Ok(Value::Int(i64::from(b[i])))
            }
            Object::Range { start, stop, step } => {
                let (start, stop, step) = (*start, *stop, *step);
                let len = range_len(start, stop, step);
                if self.is_slice(index) {
                    let (a, b, s) = self.slice_indices(index, len)?;
                    return Ok(self.alloc(Object::Range {
                        start: start + a * step,
                        stop: start + b * step,
                        step: step * s,
                    }));
                }
                let i = self.seq_index(index, len as usize, "range object")?;
                Ok(Value::Int(start + i as i64 * step))
            }
            Object::Dict(_) => {
                let k = self.key_in(Value::Obj(rc), index)?;
                let found = match self.heap.get(rc) {
                    Object::Dict(d) => d.get(&k).map(|(_, v)| *v),
                    _ => None,
                };
                match found {
                    Some(v) => Ok(v),
                    None => {
                        if let Some(r) = self.call_special(c, "__missing__", vec![index])? {
                            return Ok(r);
                        }
                        Err(self.new_exception_args("KeyError", vec![index]))
                    }
                }
            }
            Object::Instance(_) | Object::Class(_) => {
                match self.call_special(c, "__getitem__", vec![index])? {
                    Some(v) => Ok(v),
                    // PEP 560: `C[int]` calls C.__class_getitem__, a class method.
                    None if let Some(f) = self.class_lookup(rc, "__class_getitem__") => {
                        let f = match f.as_obj().map(|o| self.heap.get(o)) {
                            Some(Object::ClassMethod(inner)) => *inner,
                            _ => f,
                        };
                        self.call(f, Args::new(vec![c, index]))
                    }
                    None => {
                        let t = self.type_name(c);
                        Err(self.type_error(&format!("'{t}' object is not subscriptable")))
                    }
                }
            }
            _ => {
                let t = self.type_name(c);
                Err(self.type_error(&format!("'{t}' object is not subscriptable")))
            }
        }
    }

    pub fn setitem(&mut self, c: Value, index: Value, v: Value) -> PyResult<()> {
        let Some(rc) = c.as_obj() else {
            let t = self.type_name(c);
            return Err(self.type_error(&format!("'{t}' object does not support item assignment")));
        };
        match self.heap.get(rc) {
            Object::Deque(_) => self.deque_setitem(rc, index, v),
            Object::ByteArray(_) | Object::MemoryView(_) => self.buffer_setitem(rc, index, v),
            Object::Array(_) => self.array_setitem(rc, index, v),
            Object::List(items) => {
                let len = items.len();
                if self.is_slice(index) {
                    let (a, b, s) = self.slice_indices(index, len as i64)?;
                    let new = self.collect_iterable(v)?;
                    if let Object::List(items) = self.heap.get_mut(rc) {
                        if s == 1 {
                            let b = b.max(a);
                            items.splice(a as usize..b as usize, new);
                        } else {
                            let positions = Self::slice_positions(a, b, s);
                            if positions.len() != new.len() {
                                let msg = format!(
                                    "attempt to assign sequence of size {} to extended slice of size {}",
                                    new.len(),
                                    positions.len()
                                );
                                return Err(self.new_exception("ValueError", &msg));
                            }
                            for (pos, val) in positions.into_iter().zip(new) {
                                items[pos] = val;
                            }
                        }
                    }
                    return Ok(());
                }
                let i = self.seq_index(index, len, "list assignment")?;
                if let Object::List(items) = self.heap.get_mut(rc) {
                    items[i] = v;
                }
                Ok(())
            }
            Object::Dict(_) => {
                let k = self.key_in(Value::Obj(rc), index)?;
                if let Object::Dict(d) = self.heap.get(rc)
                    && !d.contains_key(&k)
                {
                    let entry = std::mem::size_of::<(crate::vm::object::DictKey, (Value, Value))>();
                    self.check_growth(d.len(), d.capacity(), entry as u64 + 8)?;
                }
                if let Object::Dict(d) = self.heap.get_mut(rc) {
                    match d.get_mut(&k) {
                        Some(slot) => slot.1 = v,
                        None => {
                            d.insert(k, (index, v));
                        }
                    }
                }
                Ok(())
            }
            Object::Instance(_) => match self.call_special(c, "__setitem__", vec![index, v])? {
                Some(_) => Ok(()),
                None => {
                    let t = self.type_name(c);
                    Err(self.type_error(&format!("'{t}' object does not support item assignment")))
                }
            },
            _ => {
                let t = self.type_name(c);
                Err(self.type_error(&format!("'{t}' object does not support item assignment")))
            }
        }
    }

    pub fn delitem(&mut self, c: Value, index: Value) -> PyResult<()> {
        let Some(rc) = c.as_obj() else {
            let t = self.type_name(c);
            return Err(self.type_error(&format!("'{t}' object doesn't support item deletion")));
        };
        match self.heap.get(rc) {
            Object::Deque(_) => self.deque_delitem(rc, index),
            Object::ByteArray(_) | Object::MemoryView(_) => self.buffer_delitem(rc, index),
            Object::Array(_) => self.array_delitem(rc, index),
            Object::List(items) => {
                let len = items.len();
                if self.is_slice(index) {
                    let (a, b, s) = self.slice_indices(index, len as i64)?;
                    let Object::List(items) = self.heap.get_mut(rc) else {
                        unreachable!("matched a list")
                    };
                    if s == 1 {
                        // A contiguous run: one move of the tail, not one per item.
                        let (a, b) = (a.clamp(0, len as i64) as usize, b.clamp(0, len as i64));
                        items.drain(a..(b as usize).max(a));
                        return Ok(());
                    }
                    let mut drop = Self::slice_positions(a, b, s);
                    drop.sort_unstable();
                    let mut keep = drop.into_iter().peekable();
                    let mut i = 0;
                    items.retain(|_| {
                        let gone = keep.peek() == Some(&i);
                        if gone {
                            keep.next();
                        }
                        i += 1;
                        !gone
                    });
                    return Ok(());
                }
                let i = self.seq_index(index, len, "list assignment")?;
                if let Object::List(items) = self.heap.get_mut(rc) {
                    items.remove(i);
                }
                Ok(())
            }
            Object::Dict(_) => {
                let k = self.key_in(Value::Obj(rc), index)?;
                self.dict_removals += 1;
                let removed = match self.heap.get_mut(rc) {
                    Object::Dict(d) => d.shift_remove(&k).is_some(),
                    _ => false,
                };
                if removed {
                    Ok(())
                } else {
                    Err(self.new_exception_args("KeyError", vec![index]))
                }
            }
            _ => match self.call_special(c, "__delitem__", vec![index])? {
                Some(_) => Ok(()),
                None => {
                    let t = self.type_name(c);
                    Err(self.type_error(&format!("'{t}' object doesn't support item deletion")))
                }
            },
        }
    }
}

/// The iteration order CPython's set table gives small-int elements: their hashes index a
/// power-of-two table (open addressing, 3.7's probing and resizing). Other elements keep
/// insertion order, which is what CPython shows for them only by chance.
pub fn set_order(items: &[(Value, Option<i64>)]) -> Vec<Value> {
    if items.iter().any(|(_, h)| h.is_none()) {
        return items.iter().map(|(v, _)| *v).collect();
    }
    let insert = |table: &mut Vec<Option<(Value, u64)>>, v: Value, hash: u64| {
        let mask = table.len() as u64 - 1;
        let mut i = hash & mask;
        let mut perturb = hash;
        loop {
            if table[i as usize].is_none() {
                table[i as usize] = Some((v, hash));
                return;
            }
            if i + 9 <= mask {
                for _ in 0..9 {
                    i += 1;
                    if table[i as usize].is_none() {
                        table[i as usize] = Some((v, hash));
                        return;
                    }
                }
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb)) & mask;
        }
    };
    let mut table: Vec<Option<(Value, u64)>> = vec![None; 8];
    let mut used = 0u64;
    for (v, h) in items {
        let hash = h.expect("checked above") as u64;
        insert(&mut table, *v, hash);
        used += 1;
        let mask = table.len() as u64 - 1;
        if used * 5 >= mask * 3 {
            let min = if used > 50_000 { used * 2 } else { used * 4 };
            let mut size = 8u64;
            while size <= min {
                size <<= 1;
            }
            let old = std::mem::replace(&mut table, vec![None; size as usize]);
            for (ov, oh) in old.into_iter().flatten() {
                insert(&mut table, ov, oh);
            }
        }
    }
    table.into_iter().flatten().map(|(v, _)| v).collect()
}

pub fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    if (step > 0 && start < stop) || (step < 0 && start > stop) {
        (stop - start + step - step.signum()) / step
    } else {
        0
    }
}

/// `len(v)`: the built-in types' lengths, then `__len__` (which must give an int >= 0).
pub fn length(vm: &mut Vm, v: Value) -> PyResult<usize> {
    if let Value::Obj(r) = v {
        match vm.heap.get(r) {
            Object::Str(s) => return Ok(s.chars),
            Object::Bytes(b) | Object::ByteArray(b) => return Ok(b.len()),
            Object::Array(a) => return Ok(a.items.len()),
            Object::MemoryView(m) => {
                if m.released {
                    return Err(vm.new_exception(
                        "ValueError",
                        "operation forbidden on released memoryview object",
                    ));
                }
                return Ok(m.len);
            }
            Object::Tuple(t) | Object::List(t) => return Ok(t.len()),
            Object::Deque(d) => return Ok(d.items.len()),
            Object::Dict(d) | Object::Set(d) | Object::FrozenSet(d) => return Ok(d.len()),
            Object::DictView { dict, .. } => {
                if let Object::Dict(d) = vm.heap.get(*dict) {
                    return Ok(d.len());
                }
            }
            Object::Range { start, stop, step } => {
                return Ok(crate::objects::items::range_len(*start, *stop, *step) as usize);
            }
            Object::Instance(_) | Object::Class(_) => {
                if let Some(n) = vm.call_special(v, "__len__", vec![])? {
                    return vm
                        .as_index(n)
                        .map(|n| n as usize)
                        .ok_or_else(|| vm.type_error("an integer is required"));
                }
            }
            _ => {}
        }
    }
    let t = vm.type_name(v);
    Err(vm.type_error(&format!("object of type '{t}' has no len()")))
}
