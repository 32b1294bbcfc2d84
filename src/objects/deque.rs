//! collections.deque: construction, the methods (append and pop at both ends, extend,
//! rotate, maxlen ...), and the pieces the protocols use (indexing, repr, `+`, `*`), with
//! CPython's messages.

use super::args::{check_keywords, kwarg, recv};
use crate::vm::object::{Args, Deque, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use std::collections::VecDeque;

type R = PyResult<Value>;

fn deque_mut(vm: &mut Vm, r: Option<Value>) -> &mut Deque {
    let v = recv(r);
    let v = vm.payload_of(v).unwrap_or(v);
    match vm.heap.get_mut(v.as_obj().expect("a deque receiver")) {
        Object::Deque(d) => d,
        _ => unreachable!("deque methods are bound to deques"),
    }
}

fn deque_ref(vm: &Vm, v: Value) -> Option<&Deque> {
    let v = vm.payload_of(v).unwrap_or(v);
    match vm.heap.get(v.as_obj()?) {
        Object::Deque(d) => Some(d),
        _ => None,
    }
}

/// `deque(iterable=(), maxlen=None)`.
pub fn construct(vm: &mut Vm, args: &Args) -> R {
    check_keywords(vm, args, "deque", &["iterable", "maxlen"])?;
    if args.pos.len() > 2 {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("deque() takes at most 2 arguments ({n} given)")));
    }
    let iterable = args
        .pos
        .first()
        .copied()
        .or_else(|| kwarg(args, "iterable"));
    let maxlen = match args.pos.get(1).copied().or_else(|| kwarg(args, "maxlen")) {
        None | Some(Value::None) => None,
        Some(m) => match vm.as_index(m) {
            Some(n) if n < 0 => {
                return Err(vm.new_exception("ValueError", "maxlen must be non-negative"));
            }
            Some(n) => Some(n as usize),
            None => return Err(vm.type_error("an integer is required")),
        },
    };
    let mut items = VecDeque::new();
    if let Some(it) = iterable {
        for v in vm.collect_iterable(it)? {
            push_back(&mut items, maxlen, v);
        }
    }
    Ok(vm.alloc(Object::Deque(Box::new(Deque { items, maxlen }))))
}

fn push_back(items: &mut VecDeque<Value>, maxlen: Option<usize>, v: Value) {
    if maxlen == Some(0) {
        return;
    }
    if maxlen.is_some_and(|m| items.len() >= m) {
        items.pop_front();
    }
    items.push_back(v);
}

fn push_front(items: &mut VecDeque<Value>, maxlen: Option<usize>, v: Value) {
    if maxlen == Some(0) {
        return;
    }
    if maxlen.is_some_and(|m| items.len() >= m) {
        items.pop_back();
    }
    items.push_front(v);
}

fn one_arg(vm: &mut Vm, args: &Args, name: &str) -> PyResult<Value> {
    match args.pos.as_slice() {
        [v] => Ok(*v),
        _ => {
            let n = args.pos.len();
            Err(vm.type_error(&format!("{name}() takes exactly one argument ({n} given)")))
        }
    }
}

pub(crate) fn dq_append(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = one_arg(vm, &args, "append")?;
    let d = deque_mut(vm, r);
    push_back(&mut d.items, d.maxlen, v);
    Ok(Value::None)
}

pub(crate) fn dq_appendleft(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = one_arg(vm, &args, "appendleft")?;
    let d = deque_mut(vm, r);
    push_front(&mut d.items, d.maxlen, v);
    Ok(Value::None)
}

pub(crate) fn dq_pop(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    match deque_mut(vm, r).items.pop_back() {
        Some(v) => Ok(v),
        None => Err(vm.new_exception("IndexError", "pop from an empty deque")),
    }
}

pub(crate) fn dq_popleft(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    match deque_mut(vm, r).items.pop_front() {
        Some(v) => Ok(v),
        None => Err(vm.new_exception("IndexError", "pop from an empty deque")),
    }
}

pub(crate) fn dq_extend(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let it = one_arg(vm, &args, "extend")?;
    let values = vm.collect_iterable(it)?;
    let d = deque_mut(vm, r);
    for v in values {
        push_back(&mut d.items, d.maxlen, v);
    }
    Ok(Value::None)
}

pub(crate) fn dq_extendleft(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let it = one_arg(vm, &args, "extendleft")?;
    let values = vm.collect_iterable(it)?;
    let d = deque_mut(vm, r);
    for v in values {
        push_front(&mut d.items, d.maxlen, v);
    }
    Ok(Value::None)
}

pub(crate) fn dq_clear(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    deque_mut(vm, r).items.clear();
    Ok(Value::None)
}

pub(crate) fn dq_copy(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let d = deque_mut(vm, r);
    let copy = Deque {
        items: d.items.clone(),
        maxlen: d.maxlen,
    };
    Ok(vm.alloc(Object::Deque(Box::new(copy))))
}

pub(crate) fn dq_rotate(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let n = match args.pos.first() {
        Some(v) => vm
            .as_index(*v)
            .ok_or_else(|| vm.type_error("an integer is required"))?,
        None => 1,
    };
    let d = deque_mut(vm, r);
    let len = d.items.len() as i64;
    if len > 0 {
        let k = n.rem_euclid(len) as usize;
        d.items.rotate_right(k);
    }
    Ok(Value::None)
}

pub(crate) fn dq_reverse(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let d = deque_mut(vm, r);
    d.items.make_contiguous().reverse();
    Ok(Value::None)
}

fn items_of(vm: &mut Vm, r: Option<Value>) -> Vec<Value> {
    deque_mut(vm, r).items.iter().copied().collect()
}

pub(crate) fn dq_count(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let x = one_arg(vm, &args, "count")?;
    let mut n = 0;
    for v in items_of(vm, r) {
        if vm.eq(v, x)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

pub(crate) fn dq_index(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let Some(&x) = args.pos.first() else {
        return Err(vm.type_error("index expected at least 1 argument, got 0"));
    };
    let items = items_of(vm, r);
    let len = items.len() as i64;
    let bound = |vm: &Vm, i: usize, default: i64| {
        let n = args
            .pos
            .get(i)
            .and_then(|v| vm.as_index(*v))
            .unwrap_or(default);
        (if n < 0 { n + len } else { n }).clamp(0, len) as usize
    };
    let (start, stop) = (bound(vm, 1, 0), bound(vm, 2, len));
    for (i, v) in items.iter().enumerate().take(stop).skip(start) {
        if vm.eq(*v, x)? {
            return Ok(Value::Int(i as i64));
        }
    }
    let rep = vm.repr(x)?;
    Err(vm.new_exception("ValueError", &format!("{rep} is not in deque")))
}

pub(crate) fn dq_insert(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let [i, x] = args.pos[..] else {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("insert expected 2 arguments, got {n}")));
    };
    let i = vm
        .as_index(i)
        .ok_or_else(|| vm.type_error("an integer is required"))?;
    let d = deque_mut(vm, r);
    if d.maxlen.is_some_and(|m| d.items.len() >= m) {
        return Err(vm.new_exception("IndexError", "deque already at its maximum size"));
    }
    let len = d.items.len() as i64;
    let at = (if i < 0 { i + len } else { i }).clamp(0, len) as usize;
    d.items.insert(at, x);
    Ok(Value::None)
}

pub(crate) fn dq_remove(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let x = one_arg(vm, &args, "remove")?;
    for (i, v) in items_of(vm, r).into_iter().enumerate() {
        if vm.eq(v, x)? {
            deque_mut(vm, r).items.remove(i);
            return Ok(Value::None);
        }
    }
    Err(vm.new_exception("ValueError", "deque.remove(x): x not in deque"))
}

/// The position `index` names in a deque of `len` items (CPython's IndexError otherwise).
fn position(vm: &mut Vm, len: usize, index: Value) -> PyResult<usize> {
    let Some(i) = vm.as_index(index) else {
        let t = vm.type_name(index);
        return Err(vm.type_error(&format!("sequence index must be integer, not '{t}'")));
    };
    let at = if i < 0 { i + len as i64 } else { i };
    if at < 0 || at >= len as i64 {
        return Err(vm.new_exception("IndexError", "deque index out of range"));
    }
    Ok(at as usize)
}

impl Vm {
    pub(crate) fn deque_getitem(&mut self, d: ObjRef, index: Value) -> R {
        let len = deque_ref(self, Value::Obj(d)).map_or(0, |q| q.items.len());
        let at = position(self, len, index)?;
        Ok(deque_ref(self, Value::Obj(d)).expect("a deque").items[at])
    }

    pub(crate) fn deque_setitem(&mut self, d: ObjRef, index: Value, v: Value) -> PyResult<()> {
        let len = deque_ref(self, Value::Obj(d)).map_or(0, |q| q.items.len());
        let at = position(self, len, index)?;
        if let Object::Deque(q) = self.heap.get_mut(d) {
            q.items[at] = v;
        }
        Ok(())
    }

    pub(crate) fn deque_delitem(&mut self, d: ObjRef, index: Value) -> PyResult<()> {
        let len = deque_ref(self, Value::Obj(d)).map_or(0, |q| q.items.len());
        let at = position(self, len, index)?;
        if let Object::Deque(q) = self.heap.get_mut(d) {
            q.items.remove(at);
        }
        Ok(())
    }

    /// `deque([...])` or `deque([...], maxlen=N)`.
    pub(crate) fn deque_repr(&mut self, d: ObjRef) -> PyResult<String> {
        let (items, maxlen) = match self.heap.get(d) {
            Object::Deque(q) => (q.items.iter().copied().collect::<Vec<_>>(), q.maxlen),
            _ => (vec![], None),
        };
        let inner = self.reprs(&items)?.join(", ");
        Ok(match maxlen {
            None => format!("deque([{inner}])"),
            Some(m) => format!("deque([{inner}], maxlen={m})"),
        })
    }

    /// The values of a deque, for comparison and the sequence operators.
    pub(crate) fn deque_items(&self, v: Value) -> Option<(Vec<Value>, Option<usize>)> {
        deque_ref(self, v).map(|d| (d.items.iter().copied().collect(), d.maxlen))
    }

    /// Appends `values` to deque `d` (or the deque a subclass instance extends).
    pub(crate) fn deque_extend(&mut self, d: Value, values: Vec<Value>) {
        let d = self.payload_of(d).unwrap_or(d);
        if let Some(Object::Deque(q)) = d.as_obj().map(|r| self.heap.get_mut(r)) {
            for v in values {
                push_back(&mut q.items, q.maxlen, v);
            }
        }
    }

    /// `deque + deque` and `deque * n`: a new deque with the left one's maxlen.
    pub(crate) fn deque_from(&mut self, items: Vec<Value>, maxlen: Option<usize>) -> Value {
        let mut q = VecDeque::new();
        for v in items {
            push_back(&mut q, maxlen, v);
        }
        self.alloc(Object::Deque(Box::new(Deque { items: q, maxlen })))
    }
}
