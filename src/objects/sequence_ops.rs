//! Sequence and set operators: concatenation and repetition of str, bytes, lists, tuples
//! and arrays (in place for `+=` and `*=` on a list), with CPython's size checks, and the
//! set operators. The numbers' operators are `ops.rs`'s, which calls these.

use super::ops::{binop_symbol, is_inplace};
use crate::bytecode::Opcode as Op;
use crate::vm::object::{Dict, Object, PyStr};
use crate::vm::{PyResult, Value, Vm};

impl Vm {
    /// The count a sequence is repeated by (`None`: not an int); OverflowError for one
    /// that does not fit an index, as CPython's.
    fn repeat_count(&mut self, b: Value) -> PyResult<Option<usize>> {
        if self.int_arg(b).is_none() {
            return Ok(None);
        }
        match self.as_index(b) {
            Some(n) => Ok(Some(n.max(0) as usize)),
            None => Err(self.new_exception(
                "OverflowError",
                "cannot fit 'int' into an index-sized integer",
            )),
        }
    }

    /// MemoryError (or, for str and bytes, CPython's OverflowError past the largest
    /// index) before a sequence is repeated `n` times.
    fn check_repeat_size(&mut self, seq: crate::vm::ObjRef, n: usize) -> PyResult<()> {
        let value = std::mem::size_of::<Value>() as u64;
        let (len, item, too_long) = match self.heap.get(seq) {
            Object::Str(s) => (s.text.len(), 1, Some("repeated string is too long")),
            Object::Bytes(x) => (x.len(), 1, Some("repeated bytes are too long")),
            Object::ByteArray(x) => (x.len(), 1, None),
            Object::List(x) | Object::Tuple(x) => (x.len(), value, None),
            Object::Array(x) => (x.items.len(), value, None),
            _ => match self.deque_items(Value::Obj(seq)) {
                Some((items, _)) => (items.len(), value, None),
                None => return Ok(()),
            },
        };
        if let Some(message) = too_long
            && (len as u128) * (n as u128) > i64::MAX as u128
        {
            return Err(self.new_exception("OverflowError", message));
        }
        self.check_repeat(len, n, item)
    }

    /// MemoryError before two sequences are concatenated into one past the memory limit.
    fn check_concat_size(
        &mut self,
        x: crate::vm::ObjRef,
        y: Option<crate::vm::ObjRef>,
    ) -> PyResult<()> {
        let size = |obj: &Object| match obj {
            Object::Str(s) => Some((s.text.len() as u64, 1)),
            Object::Bytes(b) | Object::ByteArray(b) => Some((b.len() as u64, 1)),
            Object::List(v) | Object::Tuple(v) => {
                Some((v.len() as u64, std::mem::size_of::<Value>() as u64))
            }
            _ => None,
        };
        let (Some((a, item)), Some((b, _))) = (
            size(self.heap.get(x)),
            y.and_then(|y| size(self.heap.get(y))),
        ) else {
            return Ok(());
        };
        self.check_alloc(a + b, item)
    }

    pub(super) fn sequence_binop(&mut self, op: Op, a: Value, b: Value) -> PyResult<Option<Value>> {
        let symbol = binop_symbol(op);
        // Keys and items views are set-like: `d.keys() & {'a'}` is a set.
        let is_view = |v: Value| {
            matches!(
                v.as_obj().map(|r| self.heap.get(r)),
                Some(Object::DictView {
                    part: crate::vm::object::DictPart::Keys | crate::vm::object::DictPart::Items,
                    ..
                })
            )
        };
        if matches!(symbol, "|" | "&" | "-" | "^") && (is_view(a) || is_view(b)) {
            let (xs, ys) = (self.collect_iterable(a)?, self.collect_iterable(b)?);
            let (sa, sb) = (self.new_set(xs)?, self.new_set(ys)?);
            return self.binary_op(op, sa, sb).map(Some);
        }
        let (Some(ra), rb) = (a.as_obj(), b.as_obj()) else {
            if symbol == "*"
                && let Some(rb) = b.as_obj()
                && self.int_arg(a).is_some()
                && matches!(
                    self.heap.get(rb),
                    Object::Str(_)
                        | Object::List(_)
                        | Object::Tuple(_)
                        | Object::Bytes(_)
                        | Object::ByteArray(_)
                )
            {
                return self.sequence_binop(op, b, a);
            }
            return Ok(None);
        };
        let b = if symbol == "*" {
            self.index_via_dunder(b)?
        } else {
            b
        };
        let times = if symbol == "*" {
            self.repeat_count(b)?
        } else {
            None
        };
        let repeat = |_: &Self| times;
        if let Some(n) = times {
            self.check_repeat_size(ra, n)?;
        }
        if symbol == "+" {
            self.check_concat_size(ra, rb)?;
        }
        if let Some((items, maxlen)) = self.deque_items(a) {
            return Ok(match symbol {
                // `d += iterable` extends d itself.
                "+" if is_inplace(op) => {
                    let more = self.collect_iterable(b)?;
                    self.deque_extend(a, more);
                    Some(a)
                }
                "+" => match self.deque_items(b) {
                    Some((more, _)) => Some(self.deque_from([items, more].concat(), maxlen)),
                    None => {
                        let t = self.type_name(b);
                        return Err(self.type_error(&format!(
                            "can only concatenate deque (not \"{t}\") to deque"
                        )));
                    }
                },
                "*" => repeat(self).map(|n| self.deque_from(items.repeat(n), maxlen)),
                _ => None,
            });
        }
        match (self.heap.get(ra), symbol) {
            (Object::Str(s), "+") => {
                if let Some(Object::Str(t)) = rb.map(|r| self.heap.get(r)) {
                    // Both character counts are known: the result's needs no recount.
                    let mut text =
                        compact_str::CompactString::with_capacity(s.text.len() + t.text.len());
                    text.push_str(&s.text);
                    text.push_str(&t.text);
                    let chars = s.chars + t.chars;
                    return Ok(Some(self.alloc(Object::Str(PyStr { text, chars }))));
                }
            }
            (Object::Str(s), "*") => {
                if let Some(n) = repeat(self) {
                    let r = s.repeat(n);
                    return Ok(Some(self.new_str(r)));
                }
            }
            (Object::Str(_), "%") => {
                let r = self.percent_format(a, b)?;
                return Ok(Some(self.new_str(r)));
            }
            (Object::Bytes(x), "%") => {
                let x = x.clone();
                let r = crate::objects::percent::bytes_percent_format(self, &x, b)?;
                return Ok(Some(self.alloc(Object::Bytes(r))));
            }
            (Object::Bytes(x), "+") => {
                if let Some(y) = super::buffer::bytes_like(self, b) {
                    let r = [x.as_slice(), &y].concat();
                    return Ok(Some(self.alloc(Object::Bytes(r))));
                }
            }
            (Object::ByteArray(_), "+" | "*" | "%") => return self.bytearray_binop(op, a, b),
            (Object::Array(_), "+" | "*") => return self.array_binop(symbol, a, b),
            (Object::Bytes(x), "*") => {
                if let Some(n) = repeat(self) {
                    let r = x.repeat(n);
                    return Ok(Some(self.alloc(Object::Bytes(r))));
                }
            }
            (Object::List(x), "+") => {
                if let Some(Object::List(y)) = rb.map(|r| self.heap.get(r)) {
                    if is_inplace(op) {
                        let y = y.clone();
                        if let Object::List(x) = self.heap.get_mut(ra) {
                            x.extend(y);
                        }
                        return Ok(Some(a));
                    }
                    let r = [x.as_slice(), y].concat();
                    return Ok(Some(self.new_list(r)));
                }
                if is_inplace(op) {
                    let items = self.collect_iterable(b)?;
                    if let Object::List(x) = self.heap.get_mut(ra) {
                        x.extend(items);
                    }
                    return Ok(Some(a));
                }
            }
            (Object::List(x), "*") => {
                if let Some(n) = repeat(self) {
                    let r: Vec<Value> = (0..n).flat_map(|_| x.iter().copied()).collect();
                    // `x *= n` repeats the list itself: every name for it sees the change.
                    if is_inplace(op) {
                        if let Object::List(x) = self.heap.get_mut(ra) {
                            *x = r;
                        }
                        return Ok(Some(a));
                    }
                    return Ok(Some(self.new_list(r)));
                }
            }
            (Object::Tuple(x), "+") => {
                if let Some(Object::Tuple(y)) = rb.map(|r| self.heap.get(r)) {
                    let r = [x.as_slice(), y].concat();
                    return Ok(Some(self.new_tuple(r)));
                }
            }
            (Object::Tuple(x), "*") => {
                if let Some(n) = repeat(self) {
                    let r: Vec<Value> = (0..n).flat_map(|_| x.iter().copied()).collect();
                    return Ok(Some(self.new_tuple(r)));
                }
            }
            (Object::Set(_) | Object::FrozenSet(_), "|" | "&" | "-" | "^") => {
                let frozen = matches!(self.heap.get(ra), Object::FrozenSet(_));
                if let Some(Object::Set(_) | Object::FrozenSet(_)) = rb.map(|r| self.heap.get(r)) {
                    let r = self.set_algebra(symbol, a, b)?;
                    if is_inplace(op) && !frozen {
                        *self.heap.get_mut(ra) = Object::Set(r);
                        return Ok(Some(a));
                    }
                    let obj = if frozen {
                        Object::FrozenSet(r)
                    } else {
                        Object::Set(r)
                    };
                    return Ok(Some(self.alloc(obj)));
                }
            }
            _ => {}
        }
        Ok(None)
    }
}

impl Vm {
    /// `a | b`, `a & b`, `a - b`, `a ^ b` of two sets, as a new set's entries.
    fn set_algebra(&mut self, symbol: &str, a: Value, b: Value) -> PyResult<Dict> {
        let (Some(x), Some(y)) = (self.dict_of_container(a), self.dict_of_container(b)) else {
            return Ok(Dict::default());
        };
        let (x, y) = (x.clone(), y.clone());
        // The entries of `from` that are (or are not) in `other`.
        let select = |vm: &mut Vm, from: &Dict, other: &Dict, wanted: bool| {
            let mut r = Dict::default();
            for (k, entry) in from {
                if vm.find_key(other, k, entry.0)?.is_some() == wanted {
                    r.insert(k.clone(), *entry);
                }
            }
            Ok::<Dict, Value>(r)
        };
        let r = match symbol {
            "|" => {
                let mut r = x;
                for (k, entry) in y {
                    if self.find_key(&r, &k, entry.0)?.is_none() {
                        r.insert(k, entry);
                    }
                }
                r
            }
            "&" => select(self, &x, &y, true)?,
            "-" => select(self, &x, &y, false)?,
            _ => {
                let mut r = select(self, &x, &y, false)?;
                r.extend(select(self, &y, &x, false)?);
                r
            }
        };
        Ok(r)
    }
}
