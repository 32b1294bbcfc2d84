//! Items and iteration: subscripts and slices of sequences and mappings, item assignment
//! and deletion, the iterator protocol (native iterators, generators, `__iter__`/`__next__`),
//! and CPython's iteration order for sets of small ints.

use super::object::{Args, Dict, DictKey, Iter, Object};
use super::{ObjRef, PyResult, Value, Vm};
use compact_str::CompactString;
use num_bigint::BigInt;

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

    fn slice_positions(start: i64, stop: i64, step: i64) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = start;
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            out.push(i as usize);
            i += step;
        }
        out
    }

    fn is_slice(&self, v: Value) -> bool {
        matches!(
            v.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Slice { .. })
        )
    }

    fn seq_index(&mut self, index: Value, len: usize, what: &str) -> PyResult<usize> {
        let index = self.index_via_dunder(index)?;
        let Some(i) = self.as_index(index) else {
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
                let k = self.dict_key(index)?;
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
            Object::Instance(_) => match self.call_special(c, "__getitem__", vec![index])? {
                Some(v) => Ok(v),
                None => {
                    let t = self.type_name(c);
                    Err(self.type_error(&format!("'{t}' object is not subscriptable")))
                }
            },
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
                let k = self.dict_key(index)?;
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
            Object::List(items) => {
                let len = items.len();
                if self.is_slice(index) {
                    let (a, b, s) = self.slice_indices(index, len as i64)?;
                    let mut drop = Self::slice_positions(a, b, s);
                    drop.sort_unstable();
                    if let Object::List(items) = self.heap.get_mut(rc) {
                        for i in drop.into_iter().rev() {
                            items.remove(i);
                        }
                    }
                    return Ok(());
                }
                let i = self.seq_index(index, len, "list assignment")?;
                if let Object::List(items) = self.heap.get_mut(rc) {
                    items.remove(i);
                }
                Ok(())
            }
            Object::Dict(_) => {
                let k = self.dict_key(index)?;
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

    // ------------------------------------------------------------ iteration

    pub fn get_iter(&mut self, v: Value) -> PyResult<Value> {
        let not_iterable = |vm: &mut Self| {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("'{t}' object is not iterable")))
        };
        let Some(r) = v.as_obj() else {
            return not_iterable(self);
        };
        if matches!(self.heap.get(r), Object::Generator(g) if g.kind == super::object::GenKind::Coroutine)
        {
            // A coroutine is awaited, not iterated.
            return not_iterable(self);
        }
        let it = match self.heap.get(r) {
            Object::List(_) | Object::Tuple(_) => Iter::Seq { seq: r, index: 0 },
            Object::Str(s) => Iter::Str {
                chars: s.chars().collect(),
                index: 0,
            },
            Object::Bytes(b) => Iter::Values {
                items: b.iter().map(|x| Value::Int(i64::from(*x))).collect(),
                index: 0,
            },
            Object::Range { start, stop, step } => Iter::Range {
                next: *start,
                stop: *stop,
                step: *step,
            },
            Object::Dict(d) => Iter::Dict {
                dict: r,
                index: 0,
                size: d.len(),
                part: super::object::DictPart::Keys,
            },
            Object::DictView { dict, part } => {
                let (dict, part) = (*dict, *part);
                let size = match self.heap.get(dict) {
                    Object::Dict(d) => d.len(),
                    _ => 0,
                };
                Iter::Dict {
                    dict,
                    index: 0,
                    size,
                    part,
                }
            }
            Object::Set(_) | Object::FrozenSet(_) => Iter::Values {
                items: self.set_items(r),
                index: 0,
            },
            Object::Iter(_) | Object::Generator(_) => return Ok(v),
            Object::Instance(_) => {
                if let Some(it) = self.call_special(v, "__iter__", vec![])? {
                    let is_iterator = match it.as_obj().map(|r| self.heap.get(r)) {
                        Some(Object::Iter(_) | Object::Generator(_)) => true,
                        Some(Object::Instance(_)) => {
                            self.class_lookup(self.type_of(it), "__next__").is_some()
                        }
                        _ => false,
                    };
                    if !is_iterator {
                        let t = self.type_name(it);
                        return Err(
                            self.type_error(&format!("iter() returned non-iterator of type '{t}'"))
                        );
                    }
                    return Ok(it);
                }
                if self.class_lookup(self.type_of(v), "__getitem__").is_some() {
                    // The old sequence protocol: __getitem__(0), (1), ... until IndexError.
                    let getitem = self.getattr(v, "__getitem__")?;
                    let items = self.collect_by_getitem(getitem)?;
                    Iter::Values { items, index: 0 }
                } else {
                    return not_iterable(self);
                }
            }
            _ => return not_iterable(self),
        };
        Ok(self.alloc(Object::Iter(it)))
    }

    fn collect_by_getitem(&mut self, getitem: Value) -> PyResult<Vec<Value>> {
        let mut items = Vec::new();
        for i in 0.. {
            match self.call(getitem, Args::new(vec![Value::Int(i)])) {
                Ok(v) => items.push(v),
                Err(e)
                    if self.exception_is(e, "IndexError")
                        || self.exception_is(e, "StopIteration") =>
                {
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(items)
    }

    /// The next item of an iterator, `None` when exhausted.
    /// The `__next__` written in Python of an instance, for FOR_ITER to run as a frame.
    pub fn python_next_method(&self, it: Value) -> Option<Value> {
        let Object::Instance(inst) = self.heap.get(it.as_obj()?) else {
            return None;
        };
        let next = self.class_lookup(inst.class, "__next__")?;
        matches!(self.heap.get(next.as_obj()?), Object::Function(_)).then_some(next)
    }

    pub fn iter_next(&mut self, it: Value) -> PyResult<Option<Value>> {
        let Some(r) = it.as_obj() else {
            let t = self.type_name(it);
            return Err(self.type_error(&format!("'{t}' object is not an iterator")));
        };
        if let Object::Generator(g) = self.heap.get(r) {
            if g.kind == super::object::GenKind::Coroutine {
                return Err(self.type_error("'coroutine' object is not an iterator"));
            }
            return self.gen_send(r, Value::None);
        }
        if matches!(self.heap.get(r), Object::Instance(_)) {
            return match self.call_special(it, "__next__", vec![]) {
                Ok(Some(v)) => Ok(Some(v)),
                Ok(None) => {
                    let t = self.type_name(it);
                    Err(self.type_error(&format!("'{t}' object is not an iterator")))
                }
                Err(e) if self.exception_is(e, "StopIteration") => {
                    self.stop_value = self
                        .attr_of_instance(e, "args")
                        .map(|a| self.tuple_items(a))
                        .and_then(|a| a.first().copied())
                        .unwrap_or(Value::None);
                    Ok(None)
                }
                Err(e) => Err(e),
            };
        }
        // Iterators that call back into Python are handled with the heap borrow released.
        enum Step {
            Done(Option<Value>),
            Enumerate(Value, i64),
            Zip(Vec<Value>),
            Map(Value, Vec<Value>),
            Filter(Value, Value),
            Callable(Value, Value),
        }
        let step = match self.heap.get_mut(r) {
            Object::Iter(iter) => match iter {
                Iter::Dict {
                    dict,
                    index,
                    size,
                    part,
                } => {
                    let (dict, i, size, part) = (*dict, *index, *size, *part);
                    *index += 1;
                    let Object::Dict(d) = self.heap.get(dict) else {
                        unreachable!("dict iterators walk dicts")
                    };
                    if d.len() != size {
                        return Err(self.new_exception(
                            "RuntimeError",
                            "dictionary changed size during iteration",
                        ));
                    }
                    match d.get_index(i).map(|(_, kv)| *kv) {
                        None => Step::Done(None),
                        Some((k, v)) => Step::Done(Some(match part {
                            super::object::DictPart::Keys => k,
                            super::object::DictPart::Values => v,
                            super::object::DictPart::Items => self.new_tuple(vec![k, v]),
                        })),
                    }
                }
                Iter::Seq { seq, index } => {
                    let (seq, i) = (*seq, *index);
                    *index += 1;
                    let item = match self.heap.get(seq) {
                        Object::List(v) | Object::Tuple(v) => v.get(i).copied(),
                        _ => None,
                    };
                    Step::Done(item)
                }
                Iter::Str { chars, index } => {
                    let c = chars.get(*index).copied();
                    *index += 1;
                    match c {
                        Some(c) => Step::Done(Some(self.new_str(c.to_string()))),
                        None => Step::Done(None),
                    }
                }
                Iter::Range { next, stop, step } => {
                    if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) {
                        let v = *next;
                        *next += *step;
                        Step::Done(Some(Value::Int(v)))
                    } else {
                        Step::Done(None)
                    }
                }
                Iter::Values { items, index } => {
                    let v = items.get(*index).copied();
                    *index += 1;
                    Step::Done(v)
                }
                Iter::Enumerate { inner, count } => {
                    let c = *count;
                    *count += 1;
                    Step::Enumerate(*inner, c)
                }
                Iter::Zip { inners } => Step::Zip(inners.clone()),
                Iter::Map { func, inners } => Step::Map(*func, inners.clone()),
                Iter::Filter { func, inner } => Step::Filter(*func, *inner),
                Iter::Callable { func, sentinel } => Step::Callable(*func, *sentinel),
            },
            _ => {
                let t = self.type_name(it);
                return Err(self.type_error(&format!("'{t}' object is not an iterator")));
            }
        };
        match step {
            Step::Done(v) => Ok(v),
            Step::Enumerate(inner, c) => match self.iter_next(inner)? {
                Some(v) => Ok(Some(self.new_tuple(vec![Value::Int(c), v]))),
                None => Ok(None),
            },
            Step::Zip(inners) => {
                let mut items = Vec::with_capacity(inners.len());
                for i in inners {
                    match self.iter_next(i)? {
                        Some(v) => items.push(v),
                        None => return Ok(None),
                    }
                }
                if items.is_empty() {
                    return Ok(None);
                }
                Ok(Some(self.new_tuple(items)))
            }
            Step::Map(func, inners) => {
                let mut args = Vec::with_capacity(inners.len());
                for i in inners {
                    match self.iter_next(i)? {
                        Some(v) => args.push(v),
                        None => return Ok(None),
                    }
                }
                self.call(func, Args::new(args)).map(Some)
            }
            Step::Filter(func, inner) => loop {
                let Some(v) = self.iter_next(inner)? else {
                    return Ok(None);
                };
                let keep = if func == Value::None {
                    v
                } else {
                    self.call(func, Args::new(vec![v]))?
                };
                if self.truthy(keep)? {
                    return Ok(Some(v));
                }
            },
            Step::Callable(func, sentinel) => {
                let v = self.call(func, Args::default())?;
                if self.eq_full(v, sentinel)? {
                    Ok(None)
                } else {
                    Ok(Some(v))
                }
            }
        }
    }

    /// Every item of an iterable.
    pub fn collect_iterable(&mut self, v: Value) -> PyResult<Vec<Value>> {
        if let Some(r) = v.as_obj() {
            match self.heap.get(r) {
                Object::List(items) | Object::Tuple(items) => return Ok(items.clone()),
                Object::Dict(d) => return Ok(d.values().map(|(k, _)| *k).collect()),
                Object::Set(_) | Object::FrozenSet(_) => return Ok(self.set_items(r)),
                _ => {}
            }
        }
        let it = self.get_iter(v)?;
        let mut out = Vec::new();
        while let Some(x) = self.iter_next(it)? {
            out.push(x);
        }
        Ok(out)
    }

    /// (key, value) pairs of a mapping (a dict, or anything with keys() and __getitem__).
    pub fn mapping_items(&mut self, v: Value) -> PyResult<Vec<(Value, Value)>> {
        if let Some(Object::Dict(d)) = v.as_obj().map(|r| self.heap.get(r)) {
            return Ok(d.values().copied().collect());
        }
        let keys = match self.getattr(v, "keys") {
            Ok(k) => self.call(k, Args::default())?,
            Err(_) => {
                let t = self.type_name(v);
                return Err(self.type_error(&format!("'{t}' object is not a mapping")));
            }
        };
        let mut out = Vec::new();
        for k in self.collect_iterable(keys)? {
            let val = self.getitem(v, k)?;
            out.push((k, val));
        }
        Ok(out)
    }

    pub fn tuple_items(&self, v: Value) -> Vec<Value> {
        match v.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Tuple(items)) | Some(Object::List(items)) => items.clone(),
            _ => vec![],
        }
    }

    /// A set's elements in CPython's iteration order.
    pub fn set_items(&self, r: ObjRef) -> Vec<Value> {
        let (Object::Set(d) | Object::FrozenSet(d)) = self.heap.get(r) else {
            return vec![];
        };
        let items: Vec<(Value, Option<i64>)> = d
            .iter()
            .map(|(k, (v, _))| {
                let h = match k {
                    DictKey::Int(i) => Some(super::builtins::hash_int(&BigInt::from(*i))),
                    _ => None,
                };
                (*v, h)
            })
            .collect();
        set_order(&items)
    }

    pub fn new_set(&mut self, items: Vec<Value>) -> PyResult<Value> {
        let mut d = Dict::default();
        for v in items {
            let k = self.dict_key(v)?;
            d.entry(k).or_insert((v, Value::None));
        }
        Ok(self.alloc(Object::Set(d)))
    }

    pub fn set_add(&mut self, set: Value, v: Value) -> PyResult<()> {
        let k = self.dict_key(v)?;
        if let Some(Object::Set(d)) = set.as_obj().map(|r| self.heap.get_mut(r)) {
            d.entry(k).or_insert((v, Value::None));
        }
        Ok(())
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
