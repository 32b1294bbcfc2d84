//! The Pickler's containers, as `_pickle.c` writes them: tuples (TUPLE1-3 from protocol
//! 2, else MARK ... TUPLE; a tuple reached again through its own items gives way to the
//! memo's copy), lists and dicts (APPENDS / SETITEMS in batches of 1000, one item with
//! APPEND / SETITEM; items from a reduction's iterators the same way), sets and
//! frozensets (protocol 4's EMPTY_SET + ADDITEMS and FROZENSET; earlier protocols reduce
//! them to `set(list)`). Each level of nesting counts against the recursion limit.

use super::op;
use super::save::Pickler;
use crate::vm::object::{Args, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

const BATCHSIZE: usize = 1000;

impl Pickler {
    pub(super) fn save_tuple(&mut self, vm: &mut Vm, obj: Value, items: &[Value]) -> PyResult<()> {
        let n = items.len();
        if n == 0 {
            if self.bin() {
                self.write(&[op::EMPTY_TUPLE]);
            } else {
                self.write(&[op::MARK, op::TUPLE]);
            }
            return Ok(());
        }
        if n <= 3 && self.proto >= 2 {
            for item in items {
                self.save(vm, *item, false)?;
            }
            // Reached again through its own items: the memo already has it.
            if let Some(idx) = self.memo_index(obj) {
                self.write(&vec![op::POP; n]);
                self.memo_get(idx);
                return Ok(());
            }
            self.write(&[[op::TUPLE1, op::TUPLE2, op::TUPLE3][n - 1]]);
            self.memo_put(obj);
            return Ok(());
        }
        self.write(&[op::MARK]);
        for item in items {
            self.save(vm, *item, false)?;
        }
        if let Some(idx) = self.memo_index(obj) {
            if self.bin() {
                self.write(&[op::POP_MARK]);
            } else {
                self.write(&vec![op::POP; n + 1]);
            }
            self.memo_get(idx);
            return Ok(());
        }
        self.write(&[op::TUPLE]);
        self.memo_put(obj);
        Ok(())
    }

    pub(super) fn save_list(&mut self, vm: &mut Vm, obj: Value) -> PyResult<()> {
        if self.bin() {
            self.write(&[op::EMPTY_LIST]);
        } else {
            self.write(&[op::MARK, op::LIST]);
        }
        self.memo_put(obj);
        if list_len(vm, obj) == 0 {
            return Ok(());
        }
        self.enter(vm)?;
        let result = if self.proto > 0 {
            self.batch_list_exact(vm, obj)
        } else {
            match vm.get_iter(obj) {
                Ok(it) => self.batch_list(vm, it),
                Err(e) => Err(e),
            }
        };
        self.depth -= 1;
        result
    }

    /// The items of a list, MARK ... APPENDS in batches of 1000 (one item: APPEND). The
    /// list is read afresh at each step, as it may change meanwhile.
    fn batch_list_exact(&mut self, vm: &mut Vm, obj: Value) -> PyResult<()> {
        if list_len(vm, obj) == 1 {
            let item = list_item(vm, obj, 0).unwrap_or(Value::None);
            self.save(vm, item, false)?;
            self.write(&[op::APPEND]);
            return Ok(());
        }
        let mut total = 0;
        loop {
            self.write(&[op::MARK]);
            let mut this_batch = 0;
            while let Some(item) = list_item(vm, obj, total) {
                self.save(vm, item, false)?;
                total += 1;
                this_batch += 1;
                if this_batch == BATCHSIZE {
                    break;
                }
            }
            self.write(&[op::APPENDS]);
            if total >= list_len(vm, obj) {
                return Ok(());
            }
        }
    }

    /// Items from an iterator: one APPEND each at protocol 0, else batches of MARK ...
    /// APPENDS (a lone item: APPEND).
    pub(super) fn batch_list(&mut self, vm: &mut Vm, it: Value) -> PyResult<()> {
        if self.proto == 0 {
            while let Some(item) = vm.iter_next(it)? {
                self.save(vm, item, false)?;
                self.write(&[op::APPEND]);
            }
            return Ok(());
        }
        loop {
            let Some(first) = vm.iter_next(it)? else {
                return Ok(());
            };
            let Some(mut next) = vm.iter_next(it)? else {
                self.save(vm, first, false)?;
                self.write(&[op::APPEND]);
                return Ok(());
            };
            self.write(&[op::MARK]);
            self.save(vm, first, false)?;
            let mut n = 1;
            loop {
                self.save(vm, next, false)?;
                n += 1;
                if n == BATCHSIZE {
                    break;
                }
                match vm.iter_next(it)? {
                    Some(v) => next = v,
                    None => break,
                }
            }
            self.write(&[op::APPENDS]);
            if n < BATCHSIZE {
                return Ok(());
            }
        }
    }

    pub(super) fn save_dict(&mut self, vm: &mut Vm, obj: Value) -> PyResult<()> {
        if self.bin() {
            self.write(&[op::EMPTY_DICT]);
        } else {
            self.write(&[op::MARK, op::DICT]);
        }
        self.memo_put(obj);
        let size = dict_len(vm, obj);
        if size == 0 {
            return Ok(());
        }
        self.enter(vm)?;
        let result = if self.proto > 0 {
            self.batch_dict_exact(vm, obj, size)
        } else {
            let items = vm.getattr(obj, "items");
            let it = items
                .and_then(|f| vm.call(f, Args::default()))
                .and_then(|view| vm.get_iter(view));
            match it {
                Ok(it) => self.batch_dict(vm, it),
                Err(e) => Err(e),
            }
        };
        self.depth -= 1;
        result
    }

    /// The entries of a dict, MARK key value ... SETITEMS in batches of 1000 (one entry:
    /// SETITEM); a dict that changes size meanwhile is an error.
    fn batch_dict_exact(&mut self, vm: &mut Vm, obj: Value, size: usize) -> PyResult<()> {
        if size == 1 {
            let (k, v) = dict_entry(vm, obj, 0).unwrap_or((Value::None, Value::None));
            self.save(vm, k, false)?;
            self.save(vm, v, false)?;
            self.write(&[op::SETITEM]);
            return Ok(());
        }
        let mut pos = 0;
        loop {
            self.write(&[op::MARK]);
            let mut i = 0;
            while let Some((k, v)) = dict_entry(vm, obj, pos) {
                pos += 1;
                self.save(vm, k, false)?;
                self.save(vm, v, false)?;
                i += 1;
                if i == BATCHSIZE {
                    break;
                }
            }
            self.write(&[op::SETITEMS]);
            if dict_len(vm, obj) != size {
                return Err(
                    vm.new_exception("RuntimeError", "dictionary changed size during iteration")
                );
            }
            if i < BATCHSIZE {
                return Ok(());
            }
        }
    }

    /// (key, value) pairs from an iterator, as `batch_list` does items, with SETITEM(S).
    pub(super) fn batch_dict(&mut self, vm: &mut Vm, it: Value) -> PyResult<()> {
        let pair = |vm: &mut Vm, v: Value| -> PyResult<(Value, Value)> {
            match v.as_obj().map(|t| vm.heap.get(t)) {
                Some(Object::Tuple(kv)) if kv.len() == 2 => Ok((kv[0], kv[1])),
                _ => Err(vm.type_error("dict items iterator must return 2-tuples")),
            }
        };
        if self.proto == 0 {
            while let Some(item) = vm.iter_next(it)? {
                let (k, v) = pair(vm, item)?;
                self.save(vm, k, false)?;
                self.save(vm, v, false)?;
                self.write(&[op::SETITEM]);
            }
            return Ok(());
        }
        loop {
            let Some(first) = vm.iter_next(it)? else {
                return Ok(());
            };
            let (k, v) = pair(vm, first)?;
            let Some(mut next) = vm.iter_next(it)? else {
                self.save(vm, k, false)?;
                self.save(vm, v, false)?;
                self.write(&[op::SETITEM]);
                return Ok(());
            };
            self.write(&[op::MARK]);
            self.save(vm, k, false)?;
            self.save(vm, v, false)?;
            let mut n = 1;
            loop {
                let (k, v) = pair(vm, next)?;
                self.save(vm, k, false)?;
                self.save(vm, v, false)?;
                n += 1;
                if n == BATCHSIZE {
                    break;
                }
                match vm.iter_next(it)? {
                    Some(item) => next = item,
                    None => break,
                }
            }
            self.write(&[op::SETITEMS]);
            if n < BATCHSIZE {
                return Ok(());
            }
        }
    }

    /// A set: protocol 4 has EMPTY_SET and ADDITEMS; earlier ones reduce to set(list).
    pub(super) fn save_set(&mut self, vm: &mut Vm, obj: Value) -> PyResult<()> {
        let r = obj.as_obj().expect("a set is a heap object");
        let items = vm.set_items(r);
        if self.proto < 4 {
            let list = vm.new_list(items);
            let args = vm.new_tuple(vec![list]);
            let rv = vm.new_tuple(vec![Value::Obj(vm.types["set"]), args]);
            return self.save_reduce(vm, rv, Some(obj));
        }
        self.write(&[op::EMPTY_SET]);
        self.memo_put(obj);
        let size = items.len();
        for batch in items.chunks(BATCHSIZE) {
            self.write(&[op::MARK]);
            for item in batch {
                self.save(vm, *item, false)?;
            }
            self.write(&[op::ADDITEMS]);
            if set_len(vm, r) != size {
                return Err(vm.new_exception("RuntimeError", "set changed size during iteration"));
            }
        }
        Ok(())
    }

    pub(super) fn save_frozenset(&mut self, vm: &mut Vm, obj: Value) -> PyResult<()> {
        let r = obj.as_obj().expect("a frozenset is a heap object");
        let items = vm.set_items(r);
        if self.proto < 4 {
            let list = vm.new_list(items);
            let args = vm.new_tuple(vec![list]);
            let rv = vm.new_tuple(vec![Value::Obj(vm.types["frozenset"]), args]);
            return self.save_reduce(vm, rv, Some(obj));
        }
        self.write(&[op::MARK]);
        for item in items {
            self.save(vm, item, false)?;
        }
        if let Some(idx) = self.memo_index(obj) {
            self.write(&[op::POP_MARK]);
            self.memo_get(idx);
            return Ok(());
        }
        self.write(&[op::FROZENSET]);
        self.memo_put(obj);
        Ok(())
    }
}

fn list_len(vm: &Vm, obj: Value) -> usize {
    match obj.as_obj().map(|l| vm.heap.get(l)) {
        Some(Object::List(items)) => items.len(),
        _ => 0,
    }
}

fn list_item(vm: &Vm, obj: Value, i: usize) -> Option<Value> {
    match obj.as_obj().map(|l| vm.heap.get(l)) {
        Some(Object::List(items)) => items.get(i).copied(),
        _ => None,
    }
}

fn dict_len(vm: &Vm, obj: Value) -> usize {
    match obj.as_obj().map(|d| vm.heap.get(d)) {
        Some(Object::Dict(d)) => d.len(),
        _ => 0,
    }
}

fn dict_entry(vm: &Vm, obj: Value, i: usize) -> Option<(Value, Value)> {
    match obj.as_obj().map(|d| vm.heap.get(d)) {
        Some(Object::Dict(d)) => d.get_index(i).map(|(_, kv)| *kv),
        _ => None,
    }
}

fn set_len(vm: &Vm, r: ObjRef) -> usize {
    match vm.heap.get(r) {
        Object::Set(d) | Object::FrozenSet(d) => d.len(),
        _ => 0,
    }
}
