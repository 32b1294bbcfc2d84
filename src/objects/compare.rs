//! Comparison: rich comparison with CPython's rules (IEEE floats, reflected special
//! methods, ordering of sequences and sets), equality inside containers, `in`, `is` and
//! exception matching.

use super::items::range_len;
use crate::vm::object::{DictKey, DictPart, Object};
use crate::vm::{PyResult, Value, Vm};

impl Vm {
    pub fn compare_op(&mut self, arg: u32, a: Value, b: Value) -> PyResult<Value> {
        let r = match arg {
            0..=5 => return self.rich_compare(arg, a, b),
            6 => self.contains(b, a)?,
            7 => !self.contains(b, a)?,
            8 => self.is_same(a, b),
            9 => !self.is_same(a, b),
            _ => self.exception_matches(a, b)?,
        };
        Ok(Value::Bool(r))
    }

    fn is_same(&self, a: Value, b: Value) -> bool {
        a.is(b)
    }

    fn exception_matches(&mut self, exc: Value, spec: Value) -> PyResult<bool> {
        let exc_class = match exc {
            Value::Obj(r) if matches!(self.heap.get(r), Object::Class(_)) => r,
            _ => self.type_of(exc),
        };
        let specs = match spec.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Tuple(items)) => items.clone(),
            _ => vec![spec],
        };
        for s in specs {
            match s {
                Value::Obj(r) if matches!(self.heap.get(r), Object::Class(_)) => {
                    if self.is_subclass(exc_class, r) {
                        return Ok(true);
                    }
                }
                _ => {
                    return Err(self.type_error(
                        "catching classes that do not inherit from BaseException is not allowed",
                    ));
                }
            }
        }
        Ok(false)
    }

    /// `<`, `<=`, `==`, `!=`, `>`, `>=` (COMPARE_OP 0..=5).
    pub fn rich_compare(&mut self, arg: u32, a: Value, b: Value) -> PyResult<Value> {
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            return Ok(Value::Bool(compare_holds(arg, x, y)));
        }
        const METHODS: [(&str, &str); 6] = [
            ("__lt__", "__gt__"),
            ("__le__", "__ge__"),
            ("__eq__", "__eq__"),
            ("__ne__", "__ne__"),
            ("__gt__", "__lt__"),
            ("__ge__", "__le__"),
        ];
        let (m, reflected) = METHODS[arg as usize];
        // A subclass's reflected comparison goes first, as in CPython.
        // (Only instances of user classes define one: built-in values skip the lookups.)
        let b_is_instance = matches!(
            b.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Instance(_))
        );
        let (ta, tb) = (self.type_of(a), self.type_of(b));
        let overrides = |vm: &Vm, class| {
            vm.class_lookup(class, reflected).is_some()
                || (arg == 3 && vm.class_lookup(class, "__eq__").is_some())
        };
        if b_is_instance
            && ta != tb
            && self.is_subclass(tb, ta)
            && overrides(self, tb)
            && let Some(r) = self.compare_special(b, reflected, a)?
            && !self.is_not_implemented(r)
        {
            return Ok(r);
        }
        if let Some(r) = self.compare_special(a, m, b)?
            && !self.is_not_implemented(r)
        {
            return Ok(r);
        }
        if let Some(r) = self.compare_special(b, reflected, a)?
            && !self.is_not_implemented(r)
        {
            return Ok(r);
        }
        // Floats compare by IEEE rules (every comparison with NaN is false), with ints
        // exactly.
        if let Some(order) = self.float_order(a, b) {
            return Ok(Value::Bool(match order {
                Some(o) => compare_holds(arg, o, std::cmp::Ordering::Equal),
                None => arg == 3,
            }));
        }
        if let Some(holds) = self.set_compare(arg, a, b)? {
            return Ok(Value::Bool(holds));
        }
        match arg {
            2 => Ok(Value::Bool(self.eq(a, b)?)),
            3 => Ok(Value::Bool(!self.eq(a, b)?)),
            _ => match self.order(a, b)? {
                Some(ord) => Ok(Value::Bool(compare_holds(
                    arg,
                    ord,
                    std::cmp::Ordering::Equal,
                ))),
                None => {
                    let symbol = ["<", "<=", "==", "!=", ">", ">="][arg as usize];
                    let (ta, tb) = (self.type_name(a), self.type_name(b));
                    Err(self.type_error(&format!(
                        "'{symbol}' not supported between instances of '{ta}' and '{tb}'"
                    )))
                }
            },
        }
    }

    /// `x.name(y)` for a comparison method written in Python; `__ne__` that the class does
    /// not define is object.__ne__: the inverse of `__eq__` unless that is NotImplemented.
    fn compare_special(&mut self, x: Value, name: &str, y: Value) -> PyResult<Option<Value>> {
        if name == "__ne__"
            && let Some(class) = self.special_class(x)
            && self.class_lookup(class, "__ne__").is_none()
        {
            return match self.call_special(x, "__eq__", vec![y])? {
                Some(r) if !self.is_not_implemented(r) => Ok(Some(Value::Bool(!self.truthy(r)?))),
                other => Ok(other),
            };
        }
        self.call_special(x, name, vec![y])
    }

    /// The class whose Python special methods apply to `v` (see `call_special`).
    fn special_class(&self, v: Value) -> Option<crate::vm::ObjRef> {
        match self.heap.get(v.as_obj()?) {
            Object::Instance(inst) => Some(inst.class),
            Object::Class(c) => c.metaclass,
            _ => None,
        }
    }

    /// A float against an int or a float, exactly (an int is not rounded to a float
    /// first: `2**53 + 1 != 2.0**53`); `Some(None)` when a NaN is involved; `None` when
    /// neither is a float or the other is not a number.
    fn float_order(&self, a: Value, b: Value) -> Option<Option<std::cmp::Ordering>> {
        match (a, b) {
            (Value::Float(x), Value::Float(y)) => Some(x.partial_cmp(&y)),
            (Value::Float(x), _) => Some(float_int_order(x, &self.int_arg(b)?.big())),
            (_, Value::Float(y)) => {
                Some(float_int_order(y, &self.int_arg(a)?.big()).map(std::cmp::Ordering::reverse))
            }
            _ => None,
        }
    }

    /// `<`, `<=`, `>`, `>=` between sets: subset and superset tests.
    fn set_compare(&mut self, arg: u32, a: Value, b: Value) -> PyResult<Option<bool>> {
        let (Some(ra), Some(rb)) = (a.as_obj(), b.as_obj()) else {
            return Ok(None);
        };
        let (Object::Set(x) | Object::FrozenSet(x), Object::Set(y) | Object::FrozenSet(y)) =
            (self.heap.get(ra), self.heap.get(rb))
        else {
            return Ok(None);
        };
        let (x_len, y_len) = (x.len(), y.len());
        Ok(match arg {
            0 => Some(x_len < y_len && self.is_subset(a, b)?),
            1 => Some(self.is_subset(a, b)?),
            4 => Some(x_len > y_len && self.is_subset(b, a)?),
            5 => Some(self.is_subset(b, a)?),
            _ => None,
        })
    }

    /// A slice's (start, stop, step), which is how slices compare.
    fn slice_parts(&mut self, v: Value) -> Value {
        let parts = match v.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Slice { start, stop, step }) => vec![*start, *stop, *step],
            _ => vec![],
        };
        self.new_tuple(parts)
    }

    /// Value equality of built-in values; instances compare by `__eq__` or identity.
    pub fn eq(&mut self, a: Value, b: Value) -> PyResult<bool> {
        // (`==` itself never assumes a NaN, float or complex, equals itself.)
        if a.is(b)
            && !matches!(a, Value::Float(f) if f.is_nan())
            && !matches!(a.as_obj().map(|r| self.heap.get(r)), Some(Object::Complex(re, im)) if re.is_nan() || im.is_nan())
        {
            return Ok(true);
        }
        if let (Some(x), Some(y)) = (self.int_arg(a), self.int_arg(b)) {
            return Ok(x.big() == y.big());
        }
        if let Some(order) = self.float_order(a, b) {
            return Ok(order == Some(std::cmp::Ordering::Equal));
        }
        if let Some(z) = self.as_complex(a).or(self.as_complex(b)) {
            // A complex equals a number on the real axis with that value.
            let other = if self.as_complex(a).is_some() { b } else { a };
            return Ok(match self.as_complex(other) {
                Some(w) => z == w,
                None if z.1 != 0.0 => false,
                None => self.eq(Value::Float(z.0), other)?,
            });
        }
        let (Some(ra), Some(rb)) = (a.as_obj(), b.as_obj()) else {
            return Ok(false);
        };
        if let (Object::Deque(_), Object::Deque(_)) = (self.heap.get(ra), self.heap.get(rb)) {
            let x = self.deque_items(a).map(|d| d.0).unwrap_or_default();
            let y = self.deque_items(b).map(|d| d.0).unwrap_or_default();
            let (x, y) = (self.new_list(x), self.new_list(y));
            return self.eq(x, y);
        }
        match (self.heap.get(ra), self.heap.get(rb)) {
            (Object::Str(x), Object::Str(y)) => Ok(x.text == y.text),
            (Object::Bytes(x), Object::Bytes(y)) => Ok(x == y),
            (
                Object::Bytes(_) | Object::ByteArray(_) | Object::MemoryView(_),
                Object::Bytes(_) | Object::ByteArray(_) | Object::MemoryView(_),
            ) => {
                let x = super::buffer::bytes_like(self, a);
                Ok(x.is_some() && x == super::buffer::bytes_like(self, b))
            }
            (Object::Tuple(x), Object::Tuple(y)) | (Object::List(x), Object::List(y)) => {
                if x.len() != y.len() {
                    return Ok(false);
                }
                let (x, y) = (x.clone(), y.clone());
                for (p, q) in x.into_iter().zip(y) {
                    if !self.eq_full(p, q)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            (Object::Dict(x), Object::Dict(y)) => {
                if x.len() != y.len() {
                    return Ok(false);
                }
                let pairs: Vec<(DictKey, Value, Value)> =
                    x.iter().map(|(k, (kv, v))| (k.clone(), *kv, *v)).collect();
                let y = y.clone();
                for (k, kv, v) in pairs {
                    let found = self.find_key(&y, &k, kv)?;
                    match found.and_then(|k| y.get(&k)) {
                        Some((_, w)) => {
                            if !self.eq_full(v, *w)? {
                                return Ok(false);
                            }
                        }
                        None => return Ok(false),
                    }
                }
                Ok(true)
            }
            // Slices compare as their (start, stop, step).
            (Object::Slice { .. }, Object::Slice { .. }) => {
                let (x, y) = (self.slice_parts(a), self.slice_parts(b));
                self.eq(x, y)
            }
            (Object::Set(x) | Object::FrozenSet(x), Object::Set(y) | Object::FrozenSet(y)) => {
                Ok(x.len() == y.len() && self.is_subset(a, b)?)
            }
            // Weak references to live objects are equal when their referents are.
            (
                Object::WeakRef {
                    target: Some(x), ..
                },
                Object::WeakRef {
                    target: Some(y), ..
                },
            ) => {
                let (x, y) = (Value::Obj(*x), Value::Obj(*y));
                self.eq_full(x, y)
            }
            (Object::Array(_), Object::Array(_)) => {
                let x = self.array_items(ra).unwrap_or_default();
                let y = self.array_items(rb).unwrap_or_default();
                let (x, y) = (self.new_list(x), self.new_list(y));
                self.eq(x, y)
            }
            // Bound methods are equal when they bind the same function to equal objects
            // (3.7 compares the objects with ==; 3.8 made it identity).
            (
                Object::BoundMethod {
                    receiver: r1,
                    func: f1,
                },
                Object::BoundMethod {
                    receiver: r2,
                    func: f2,
                },
            ) => {
                let (r1, r2) = (*r1, *r2);
                Ok(f1.is(*f2) && self.eq_full(r1, r2)?)
            }
            // Built-in methods: the same method of the same object.
            (Object::Native(n1), Object::Native(n2)) => Ok(n1.name == n2.name
                && n1.receiver.is_some()
                && n1.receiver.zip(n2.receiver).is_some_and(|(x, y)| x.is(y))),
            // Keys and items views equal sets (and each other) with the same members.
            (
                Object::DictView {
                    part: DictPart::Keys | DictPart::Items,
                    ..
                },
                Object::DictView {
                    part: DictPart::Keys | DictPart::Items,
                    ..
                }
                | Object::Set(_)
                | Object::FrozenSet(_),
            )
            | (
                Object::Set(_) | Object::FrozenSet(_),
                Object::DictView {
                    part: DictPart::Keys | DictPart::Items,
                    ..
                },
            ) => {
                let (xs, ys) = (self.collect_iterable(a)?, self.collect_iterable(b)?);
                let (sa, sb) = (self.new_set(xs)?, self.new_set(ys)?);
                self.eq(sa, sb)
            }
            (
                Object::Range { start, stop, step },
                Object::Range {
                    start: s2,
                    stop: e2,
                    step: t2,
                },
            ) => {
                // Ranges are equal when they produce the same sequence.
                let (n1, n2) = (range_len(*start, *stop, *step), range_len(*s2, *e2, *t2));
                Ok(n1 == n2 && (n1 == 0 || (start == s2 && (n1 == 1 || step == t2))))
            }
            _ => Ok(false),
        }
    }

    /// Equality that honours `__eq__` on instances (used inside containers).
    pub fn eq_full(&mut self, a: Value, b: Value) -> PyResult<bool> {
        // As PyObject_RichCompareBool, what containers compare with: an object is equal
        // to itself whatever its __eq__ says (`x in [x]` for a NaN; floats are values
        // here, so the same NaN bits count as the same object).
        if a.is(b) {
            return Ok(true);
        }
        let r = self.rich_compare(2, a, b)?;
        self.truthy(r)
    }

    /// Ordering of built-in values; `None` when the types do not order.
    pub fn order(&mut self, a: Value, b: Value) -> PyResult<Option<std::cmp::Ordering>> {
        if let (Some(x), Some(y)) = (self.int_arg(a), self.int_arg(b)) {
            return Ok(Some(x.big().cmp(&y.big())));
        }
        if let Some(order) = self.float_order(a, b) {
            return Ok(Some(order.unwrap_or(std::cmp::Ordering::Greater)));
        }
        let (Some(ra), Some(rb)) = (a.as_obj(), b.as_obj()) else {
            return Ok(None);
        };
        if let (Object::Deque(_), Object::Deque(_)) = (self.heap.get(ra), self.heap.get(rb)) {
            let x = self.deque_items(a).map(|d| d.0).unwrap_or_default();
            let y = self.deque_items(b).map(|d| d.0).unwrap_or_default();
            let (x, y) = (self.new_list(x), self.new_list(y));
            return self.order(x, y);
        }
        match (self.heap.get(ra), self.heap.get(rb)) {
            (Object::Str(x), Object::Str(y)) => Ok(Some(x.text.cmp(&y.text))),
            (Object::Bytes(x), Object::Bytes(y)) => Ok(Some(x.cmp(y))),
            (Object::Bytes(_) | Object::ByteArray(_), Object::Bytes(_) | Object::ByteArray(_)) => {
                let x = super::buffer::bytes_like(self, a).unwrap_or_default();
                let y = super::buffer::bytes_like(self, b).unwrap_or_default();
                Ok(Some(x.cmp(&y)))
            }
            (Object::Tuple(x), Object::Tuple(y)) | (Object::List(x), Object::List(y)) => {
                let (x, y) = (x.clone(), y.clone());
                for (p, q) in x.iter().zip(&y) {
                    if !self.eq_full(*p, *q)? {
                        let lt = self.rich_compare(0, *p, *q)?;
                        return Ok(Some(if self.truthy(lt)? {
                            std::cmp::Ordering::Less
                        } else {
                            std::cmp::Ordering::Greater
                        }));
                    }
                }
                Ok(Some(x.len().cmp(&y.len())))
            }
            (Object::Slice { .. }, Object::Slice { .. }) => {
                let (x, y) = (self.slice_parts(a), self.slice_parts(b));
                self.order(x, y)
            }
            (Object::Set(x) | Object::FrozenSet(x), Object::Set(y) | Object::FrozenSet(y)) => {
                let (x_len, y_len) = (x.len(), y.len());
                let sub = x_len <= y_len && self.is_subset(a, b)?;
                let sup = y_len <= x_len && self.is_subset(b, a)?;
                Ok(Some(match (sub, sup) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) => std::cmp::Ordering::Less,
                    (false, true) => std::cmp::Ordering::Greater,
                    _ => return Ok(Some(std::cmp::Ordering::Equal)).map(|_| None),
                }))
            }
            _ => Ok(None),
        }
    }

    /// `item in container`.
    pub fn contains(&mut self, container: Value, item: Value) -> PyResult<bool> {
        if let Some(r) = self.call_special(container, "__contains__", vec![item])? {
            return self.truthy(r);
        }
        let Some(rc) = container.as_obj() else {
            let t = self.type_name(container);
            return Err(self.type_error(&format!("argument of type '{t}' is not iterable")));
        };
        match self.heap.get(rc) {
            Object::Bytes(_) | Object::ByteArray(_) | Object::MemoryView(_) => {
                let b = super::buffer::bytes_like(self, container).unwrap_or_default();
                match super::buffer::bytes_like(self, item) {
                    Some(sub) => {
                        Ok(sub.is_empty() || b.windows(sub.len()).any(|w| w == sub.as_slice()))
                    }
                    _ => match self.as_index(item) {
                        Some(i) if (0..256).contains(&i) => {
                            Ok(b.iter().any(|x| i64::from(*x) == i))
                        }
                        Some(_) => {
                            Err(self.new_exception("ValueError", "byte must be in range(0, 256)"))
                        }
                        None => {
                            let t = self.type_name(item);
                            Err(self
                                .type_error(&format!("a bytes-like object is required, not '{t}'")))
                        }
                    },
                }
            }
            Object::Str(s) => match self.str_of(item) {
                Some(sub) => Ok(s.contains(sub)),
                None => {
                    let t = self.type_name(item);
                    Err(self.type_error(&format!(
                        "'in <string>' requires string as left operand, not {t}"
                    )))
                }
            },
            Object::DictView {
                dict,
                part: crate::vm::object::DictPart::Keys,
            } => {
                let dict = *dict;
                self.contains(Value::Obj(dict), item)
            }
            Object::Dict(_) => {
                let k = self.key_in(Value::Obj(rc), item)?;
                Ok(match self.heap.get(rc) {
                    Object::Dict(d) => d.contains_key(&k),
                    _ => false,
                })
            }
            Object::Set(_) | Object::FrozenSet(_) => {
                let k = self.key_in_set(Value::Obj(rc), item)?;
                Ok(match self.heap.get(rc) {
                    Object::Dict(d) | Object::Set(d) | Object::FrozenSet(d) => d.contains_key(&k),
                    _ => false,
                })
            }
            Object::Range { start, stop, step }
                if matches!(item, Value::Int(_) | Value::Bool(_)) =>
            {
                let (start, stop, step) = (*start, *stop, *step);
                Ok(match self.as_index(item) {
                    Some(i) => {
                        (if step > 0 {
                            i >= start && i < stop
                        } else {
                            i <= start && i > stop
                        }) && (i - start) % step == 0
                    }
                    None => false,
                })
            }
            _ => {
                // Iterates only as far as the first match: `2 in generator` leaves the
                // rest of the generator to run.
                let it = self.get_iter(container).map_err(|e| {
                    if self.exception_is(e, "TypeError") {
                        let t = self.type_name(container);
                        self.type_error(&format!("argument of type '{t}' is not iterable"))
                    } else {
                        e
                    }
                })?;
                while let Some(v) = self.iter_next(it)? {
                    if self.eq_full(v, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }
}

/// COMPARE_OP 0..=5 (`<`, `<=`, `==`, `!=`, `>`, `>=`) on values Rust can compare;
/// for floats, every comparison with NaN is false, as in Python.
pub(crate) fn compare_holds<T: PartialOrd>(arg: u32, x: T, y: T) -> bool {
    match arg {
        0 => x < y,
        1 => x <= y,
        2 => x == y,
        3 => x != y,
        4 => x > y,
        _ => x >= y,
    }
}

/// How a finite or infinite float orders against an int, exactly; `None` for NaN.
fn float_int_order(x: f64, i: &num_bigint::BigInt) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering;
    if x.is_nan() {
        return None;
    }
    if x.is_infinite() {
        return Some(if x > 0.0 {
            Ordering::Greater
        } else {
            Ordering::Less
        });
    }
    let floor = x.floor();
    let whole = num_traits::FromPrimitive::from_f64(floor)?;
    Some(match num_bigint::BigInt::cmp(&whole, i) {
        Ordering::Equal if x > floor => Ordering::Greater,
        order => order,
    })
}
