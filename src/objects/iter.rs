//! Iteration: `iter()` of every built-in type and of classes (`__iter__`, or `__getitem__`
//! from 0), `next()` (generators resumed, `__next__` called), and collecting an iterable
//! into values (tuple, list, set and dict items, unpacking).

use super::items::set_order;
use crate::vm::object::{Args, Dict, DictKey, Iter, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use num_bigint::BigInt;

impl Vm {
    pub fn get_iter(&mut self, v: Value) -> PyResult<Value> {
        let not_iterable = |vm: &mut Self| {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("'{t}' object is not iterable")))
        };
        let Some(r) = v.as_obj() else {
            return not_iterable(self);
        };
        if matches!(self.heap.get(r), Object::Generator(g) if g.kind == crate::vm::object::GenKind::Coroutine)
        {
            // A coroutine is awaited, not iterated.
            return not_iterable(self);
        }
        let it = match self.heap.get(r) {
            Object::List(_) | Object::Tuple(_) | Object::Deque(_) => Iter::Seq { seq: r, index: 0 },
            Object::Bytes(b) => Iter::Values {
                items: b.iter().map(|x| Value::Int(i64::from(*x))).collect(),
                index: 0,
                type_name: "bytes_iterator",
            },
            Object::Str(s) => Iter::Str {
                chars: s.chars().collect(),
                index: 0,
            },
            Object::ByteArray(b) => Iter::Values {
                items: b.iter().map(|x| Value::Int(i64::from(*x))).collect(),
                index: 0,
                type_name: "bytearray_iterator",
            },
            Object::MemoryView(_) => {
                let items = super::bytearray::memoryview_items(self, r)?;
                Iter::Values {
                    items,
                    index: 0,
                    type_name: "iterator",
                }
            }
            Object::Array(a) => Iter::Values {
                items: a.items.clone(),
                index: 0,
                type_name: "arrayiterator",
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
                part: crate::vm::object::DictPart::Keys,
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
            Object::Set(_) | Object::FrozenSet(_) => Iter::Set {
                set: r,
                items: self.set_items(r),
                index: 0,
            },
            Object::Iter(_) | Object::Generator(_) | Object::AsyncGenStep(_) => return Ok(v),
            Object::Instance(_) | Object::Class(_) => {
                if let Some(it) = self.call_special(v, "__iter__", vec![])? {
                    let is_iterator = match it.as_obj().map(|r| self.heap.get(r)) {
                        Some(Object::Iter(_) | Object::Generator(_)) => true,
                        Some(Object::Instance(inst)) => {
                            let extends_iter = inst.payload.is_some_and(|p| self.is_native_iter(p));
                            extends_iter
                                || self.class_lookup(self.type_of(it), "__next__").is_some()
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
                    Iter::Values {
                        items,
                        index: 0,
                        type_name: "iterator",
                    }
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
            if g.kind == crate::vm::object::GenKind::Coroutine {
                return Err(self.type_error("'coroutine' object is not an iterator"));
            }
            return self.gen_send(r, Value::None);
        }
        let step = matches!(self.heap.get(r), Object::AsyncGenStep(_));
        if step || matches!(self.heap.get(r), Object::Instance(_)) {
            let next = if step {
                self.step_send(r, Value::None).map(Some)
            } else {
                self.call_special(it, "__next__", vec![])
            };
            return match next {
                Ok(Some(v)) => Ok(Some(v)),
                Ok(None) => {
                    let t = self.type_name(it);
                    Err(self.type_error(&format!("'{t}' object is not an iterator")))
                }
                Err(e) if self.exception_is(e, "StopIteration") => {
                    self.stop_value = self.stop_iteration_value(e);
                    Ok(None)
                }
                Err(e) => Err(e),
            };
        }
        // Iterators that call back into Python are handled with the heap borrow released.
        enum Step {
            Done(Option<Value>),
            Enumerate(Value, Value),
            Zip(Vec<Value>),
            Map(Value, Vec<Value>),
            Filter(Value, Value),
            Callable(Value, Value),
            Reversed(Value, i64),
        }
        let step = match self.heap.get_mut(r) {
            Object::Iter(iter) => match iter {
                Iter::Await(_) => unreachable!("handled above"),
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
                            crate::vm::object::DictPart::Keys => k,
                            crate::vm::object::DictPart::Values => v,
                            crate::vm::object::DictPart::Items => self.new_tuple(vec![k, v]),
                        })),
                    }
                }
                Iter::Seq { seq, index } => {
                    let (seq, i) = (*seq, *index);
                    *index += 1;
                    let item = match self.heap.get(seq) {
                        Object::List(v) | Object::Tuple(v) => v.get(i).copied(),
                        Object::Deque(d) => d.items.get(i).copied(),
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
                Iter::Set { set, items, index } => {
                    let (set, size) = (*set, items.len());
                    let v = items.get(*index).copied();
                    *index += 1;
                    let (Object::Set(d) | Object::FrozenSet(d)) = self.heap.get(set) else {
                        unreachable!("set iterators walk sets")
                    };
                    if d.len() != size {
                        return Err(
                            self.new_exception("RuntimeError", "Set changed size during iteration")
                        );
                    }
                    Step::Done(v)
                }
                Iter::Values { items, index, .. } => {
                    let v = items.get(*index).copied();
                    *index += 1;
                    Step::Done(v)
                }
                Iter::Enumerate { inner, count } => {
                    let c = *count;
                    if let Value::Int(i) = c
                        && let Some(next) = i.checked_add(1)
                    {
                        *count = Value::Int(next);
                    }
                    Step::Enumerate(*inner, c)
                }
                Iter::Zip { inners } => Step::Zip(inners.clone()),
                Iter::Map { func, inners } => Step::Map(*func, inners.clone()),
                Iter::Filter { func, inner } => Step::Filter(*func, *inner),
                Iter::Callable { func, sentinel } => Step::Callable(*func, *sentinel),
                Iter::Reversed { seq, index } => {
                    let i = *index;
                    *index -= 1;
                    Step::Reversed(*seq, i)
                }
            },
            _ => {
                let t = self.type_name(it);
                return Err(self.type_error(&format!("'{t}' object is not an iterator")));
            }
        };
        match step {
            Step::Done(v) => Ok(v),
            Step::Enumerate(inner, c) => match self.iter_next(inner)? {
                Some(v) => {
                    // Past i64: the next index is a big int (the fast path above left it).
                    if !matches!(c, Value::Int(i) if i < i64::MAX) {
                        let next =
                            self.binary_op(crate::bytecode::Opcode::BINARY_ADD, c, Value::Int(1))?;
                        if let Object::Iter(Iter::Enumerate { count, .. }) = self.heap.get_mut(r) {
                            *count = next;
                        }
                    }
                    Ok(Some(self.new_tuple(vec![c, v])))
                }
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
                self.call_ending_iteration(func, args)
            }
            Step::Filter(func, inner) => loop {
                let Some(v) = self.iter_next(inner)? else {
                    return Ok(None);
                };
                let keep = if func == Value::None {
                    v
                } else {
                    match self.call_ending_iteration(func, vec![v])? {
                        Some(keep) => keep,
                        None => return Ok(None),
                    }
                };
                if self.truthy(keep)? {
                    return Ok(Some(v));
                }
            },
            Step::Reversed(_, i) if i < 0 => Ok(None),
            Step::Reversed(seq, i) => match self.getitem(seq, Value::Int(i)) {
                Ok(v) => Ok(Some(v)),
                Err(e)
                    if self.exception_is(e, "IndexError")
                        || self.exception_is(e, "StopIteration") =>
                {
                    if let Object::Iter(Iter::Reversed { index, .. }) = self.heap.get_mut(r) {
                        *index = -1;
                    }
                    Ok(None)
                }
                Err(e) => Err(e),
            },
            Step::Callable(func, sentinel) => {
                let Some(v) = self.call_ending_iteration(func, vec![])? else {
                    return Ok(None);
                };
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
            self.check_growth(
                out.len(),
                out.capacity(),
                std::mem::size_of::<Value>() as u64,
            )?;
            out.push(x);
        }
        Ok(out)
    }

    /// (key, value) pairs of a mapping (a dict, or anything with keys() and __getitem__).
    pub fn mapping_items(&mut self, v: Value) -> PyResult<Vec<(Value, Value)>> {
        if let Some(Object::Dict(d)) = v.as_obj().map(|r| self.heap.get(r)) {
            return Ok(d.values().copied().collect());
        }
        // A dict subclass that keeps dict's iteration is copied entry by entry, its own
        // __getitem__ unasked, as PyDict_Merge does.
        if let Some(Value::Obj(payload)) = self.payload_of(v)
            && let Object::Dict(d) = self.heap.get(payload)
            && self.class_lookup(self.type_of(v), "__iter__").is_none()
        {
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
    /// The value a StopIteration carries (a generator's return value): its first argument.
    pub fn stop_iteration_value(&self, exc: Value) -> Value {
        self.exception_args(exc)
            .first()
            .copied()
            .unwrap_or(Value::None)
    }

    /// A call made by a native iterator's `__next__` (map's function, filter's predicate,
    /// iter(f, sentinel)'s f): StopIteration raised in it ends the iteration, as it
    /// escapes CPython's C `__next__` to the consumer.
    fn call_ending_iteration(&mut self, func: Value, args: Vec<Value>) -> PyResult<Option<Value>> {
        match self.call(func, Args::new(args)) {
            Ok(v) => Ok(Some(v)),
            Err(e) if self.exception_is(e, "StopIteration") => {
                self.stop_value = self.stop_iteration_value(e);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub fn set_items(&self, r: ObjRef) -> Vec<Value> {
        let (Object::Set(d) | Object::FrozenSet(d)) = self.heap.get(r) else {
            return vec![];
        };
        let items: Vec<(Value, Option<i64>)> = d
            .iter()
            .map(|(k, (v, _))| {
                let h = match k {
                    DictKey::Int(i) => Some(crate::objects::hash::hash_int(&BigInt::from(*i))),
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
            let k = self.key_in_dict(&d, v)?;
            d.entry(k).or_insert((v, Value::None));
        }
        Ok(self.alloc(Object::Set(d)))
    }

    pub fn set_add(&mut self, set: Value, v: Value) -> PyResult<()> {
        let k = self.key_in(set, v)?;
        if let Some(Object::Set(d)) = set.as_obj().map(|r| self.heap.get_mut(r)) {
            d.entry(k).or_insert((v, Value::None));
        }
        Ok(())
    }

    /// Whether `v` is an iterator: a built-in one, or an object with `__next__`.
    pub fn is_iterator(&mut self, v: Value) -> bool {
        match v.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Iter(_) | Object::AsyncGenStep(_)) => true,
            Some(Object::Generator(g)) => g.kind != crate::vm::object::GenKind::Coroutine,
            Some(Object::Instance(_)) => self.class_lookup(self.type_of(v), "__next__").is_some(),
            _ => false,
        }
    }
}
