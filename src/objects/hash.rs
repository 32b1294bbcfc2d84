//! Hashing: `hash(v)` with CPython's numbers for ints and floats, and the key a value is
//! filed under in a dict or set (`DictKey`), with CPython's rules (1 == 1.0 == True,
//! unhashable containers, `__hash__` and `__eq__` of classes).

use crate::vm::object::{Args, Dict, DictKey, DictPart, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use num_traits::ToPrimitive;

impl Vm {
    /// The hashable form of a value, or TypeError for unhashable ones.
    pub fn dict_key(&mut self, v: Value) -> PyResult<DictKey> {
        Ok(match v {
            Value::None => DictKey::None,
            Value::Bool(b) => DictKey::Int(i64::from(b)),
            Value::Int(i) => DictKey::Int(i),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 9.0e18 {
                    DictKey::Int(f as i64)
                } else {
                    DictKey::Float(f.to_bits())
                }
            }
            Value::Obj(r) => match self.heap.get(r) {
                Object::Str(s) => DictKey::Str(s.text.clone()),
                Object::Bytes(b) => DictKey::Bytes(b.clone()),
                Object::BigInt(b) => DictKey::Big(b.clone()),
                Object::Tuple(items) => {
                    let items = items.clone();
                    let mut keys = Vec::with_capacity(items.len());
                    for item in items {
                        keys.push(self.dict_key(item)?);
                    }
                    DictKey::Tuple(keys)
                }
                Object::FrozenSet(d) => frozen_key(d),
                // (Keys and items views compare as sets, so they have no hash; a values
                // view hashes by identity.)
                Object::List(_)
                | Object::Dict(_)
                | Object::Set(_)
                | Object::ByteArray(_)
                | Object::MemoryView(_)
                | Object::DictView {
                    part: DictPart::Keys | DictPart::Items,
                    ..
                } => {
                    let t = self.type_name(v);
                    return Err(self.type_error(&format!("unhashable type: '{t}'")));
                }
                Object::Instance(inst) => {
                    let payload = inst.payload;
                    match self.own_hash(self.type_of(v)) {
                        Some(Value::None) => {
                            let t = self.type_name(v);
                            return Err(self.type_error(&format!("unhashable type: '{t}'")));
                        }
                        // Its own __hash__ is asked (even without an __eq__, which may
                        // raise or count its calls), as CPython asks it.
                        Some(h) if !self.is_native(h) => {
                            let hv = self.call(h, Args::new(vec![v]))?;
                            let Some(big) = self.as_bigint(hv) else {
                                return Err(
                                    self.type_error("__hash__ method should return an integer")
                                );
                            };
                            self.custom_keys_made = true;
                            DictKey::Custom {
                                hash: hash_int(&big),
                                id: r.0,
                            }
                        }
                        // A built-in type's hash: a subclass instance (an IntEnum member,
                        // `__hash__ = int.__hash__`) is the key its value is; a plain
                        // object is its identity.
                        _ => match payload {
                            Some(p) => return self.dict_key(p),
                            None => DictKey::Id(r.0),
                        },
                    }
                }
                // As range_hash: a range is the key of (len, start, step), with None for
                // what its length makes irrelevant, so equal ranges are one key.
                Object::Range { start, stop, step } => {
                    let (start, stop, step) = (*start, *stop, *step);
                    let len = crate::objects::items::range_len(start, stop, step);
                    let parts = match len {
                        0 => vec![Value::Int(0), Value::None, Value::None],
                        1 => vec![Value::Int(1), Value::Int(start), Value::None],
                        n => vec![Value::Int(n), Value::Int(start), Value::Int(step)],
                    };
                    let t = self.new_tuple(parts);
                    return self.dict_key(t);
                }
                // As 3.7's method_hash: the object's hash with the function's.
                Object::Complex(re, im) => {
                    let (re, im) = (*re, *im);
                    if im == 0.0 {
                        return self.dict_key(Value::Float(re));
                    }
                    DictKey::Tuple(vec![
                        DictKey::Str("<complex>".into()),
                        DictKey::Float(re.to_bits()),
                        DictKey::Float(im.to_bits()),
                    ])
                }
                Object::BoundMethod { receiver, func } => {
                    let (receiver, func) = (*receiver, *func);
                    let receiver = self.dict_key(receiver)?;
                    let func = self.dict_key(func)?;
                    DictKey::Tuple(vec![DictKey::Str("<method>".into()), receiver, func])
                }
                _ => DictKey::Id(r.0),
            },
        })
    }

    /// The `__hash__` a class defines first along its MRO, when that is a class written in
    /// Python (a function, or None for an unhashable class); None when a built-in type
    /// (int, str, object...) comes first and supplies it.
    fn own_hash(&self, class: ObjRef) -> Option<Value> {
        let Object::Class(c) = self.heap.get(class) else {
            return None;
        };
        for &k in &c.mro {
            let Object::Class(kc) = self.heap.get(k) else {
                continue;
            };
            if self.types.get(kc.name.as_str()) == Some(&k) {
                return None;
            }
            if let Some(&h) = kc.dict.get("__hash__") {
                return Some(h);
            }
        }
        None
    }

    fn is_native(&self, f: Value) -> bool {
        matches!(
            f.as_obj().map(|f| self.heap.get(f)),
            Some(Object::Native(_))
        )
    }

    /// `hash(v)`.
    pub fn hash_value(&mut self, v: Value) -> PyResult<Value> {
        if let Some(i) = self.as_bigint(v) {
            return Ok(Value::Int(hash_int(&i)));
        }
        if let Value::Float(f) = v {
            return Ok(Value::Int(hash_float(f)));
        }
        if let Some(z) = self.as_complex(v)
            && self.payload_of(v).is_none()
        {
            return Ok(Value::Int(Vm::complex_hash(z)));
        }
        // A class that defines __eq__ but not __hash__ has __hash__ = None: unhashable.
        if matches!(
            v.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Instance(_))
        ) && self.class_lookup(self.type_of(v), "__hash__") == Some(Value::None)
        {
            let t = self.type_name(v);
            return Err(self.type_error(&format!("unhashable type: '{t}'")));
        }
        if let Some(r) = self.call_special(v, "__hash__", vec![])? {
            // An int too wide for a hash is hashed again, as CPython's slot does; -1 is -2.
            return match self.as_bigint(r) {
                Some(big) => Ok(Value::Int(match big.to_i64() {
                    Some(-1) => -2,
                    Some(h) => h,
                    None => hash_int(&big),
                })),
                None => Err(self.type_error("__hash__ method should return an integer")),
            };
        }
        let k = self.dict_key(v)?;
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        k.hash(&mut h);
        Ok(Value::Int((h.finish() >> 2) as i64))
    }
}

/// A frozenset's key: its elements' keys in a fixed order.
fn frozen_key(d: &Dict) -> DictKey {
    let mut keys: Vec<DictKey> = d.keys().cloned().collect();
    keys.sort_by_key(|k| format!("{k:?}"));
    DictKey::Tuple(keys)
}

/// Probes a container for the keys a custom key may equal. hashbrown shows `equivalent`
/// every entry that shares the probe's hash before it gives up, so a probe that records
/// the entries of the same form and matches none collects them all.
struct SameForm<'a> {
    key: &'a DictKey,
    found: std::cell::RefCell<Vec<DictKey>>,
}

impl std::hash::Hash for SameForm<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl indexmap::Equivalent<DictKey> for SameForm<'_> {
    fn equivalent(&self, stored: &DictKey) -> bool {
        if self.key.same_form(stored) {
            self.found.borrow_mut().push(stored.clone());
        }
        false
    }
}

/// The entries of `d` that the custom key `k` may equal, with the key values they hold.
fn same_form_entries(d: &Dict, k: &DictKey) -> Vec<(DictKey, Value)> {
    let probe = SameForm {
        key: k,
        found: Default::default(),
    };
    d.get_index_of(&probe);
    let found = probe.found.into_inner();
    found
        .into_iter()
        .filter_map(|stored| d.get(&stored).map(|(kv, _)| (stored, *kv)))
        .collect()
}

impl Vm {
    /// The key `v` is filed under in the dict or set `container`. For an instance with its
    /// own `__hash__` and `__eq__`, that is the key of an equal entry already there, asked
    /// of the stored key's `__eq__` as CPython's lookdict does.
    pub fn key_in(&mut self, container: Value, v: Value) -> PyResult<DictKey> {
        let k = self.dict_key(v)?;
        if !k.contains_custom() && !self.may_equal_custom(&k) {
            return Ok(k);
        }
        let entries = match self.dict_of_container(container) {
            Some(d) if !d.contains_key(&k) => same_form_entries(d, &k),
            _ => return Ok(k),
        };
        Ok(self.first_equal(entries, v)?.unwrap_or(k))
    }

    /// `key_in` for a set's `in`, `remove` and `discard`: a set (unhashable) stands for
    /// the frozenset of its elements, as CPython's set_contains_key retries it.
    pub fn key_in_set(&mut self, set: Value, v: Value) -> PyResult<DictKey> {
        let elements = self.payload_of(v).unwrap_or(v);
        if let Some(Object::Set(d)) = elements.as_obj().map(|r| self.heap.get(r)) {
            return Ok(frozen_key(d));
        }
        self.key_in(set, v)
    }

    /// `key_in` for a dict or set being built, not yet on the heap.
    pub fn key_in_dict(&mut self, d: &Dict, v: Value) -> PyResult<DictKey> {
        let k = self.dict_key(v)?;
        // (Only a custom key, or a number that may equal one, needs the search: the
        // caller's insert hashes the others.)
        if !k.contains_custom() && !self.may_equal_custom(&k) {
            return Ok(k);
        }
        Ok(self.find_key(d, &k, v)?.unwrap_or(k))
    }

    /// The key of `d` equal to `k`, the key of `v`: `k` itself, or for a custom key an
    /// entry whose key `__eq__` says is equal.
    pub fn find_key(&mut self, d: &Dict, k: &DictKey, v: Value) -> PyResult<Option<DictKey>> {
        if d.contains_key(k) {
            return Ok(Some(k.clone()));
        }
        if !k.contains_custom() && !self.may_equal_custom(k) {
            return Ok(None);
        }
        let entries = same_form_entries(d, k);
        self.first_equal(entries, v)
    }

    /// Whether a number key missing by form may still equal a custom key of its hash:
    /// only once some class's `__hash__` has made one.
    fn may_equal_custom(&self, k: &DictKey) -> bool {
        self.custom_keys_made && matches!(k, DictKey::Int(_) | DictKey::Float(_) | DictKey::Big(_))
    }

    fn first_equal(
        &mut self,
        entries: Vec<(DictKey, Value)>,
        v: Value,
    ) -> PyResult<Option<DictKey>> {
        for (stored, stored_value) in entries {
            if self.eq_full(stored_value, v)? {
                return Ok(Some(stored));
            }
        }
        Ok(None)
    }

    /// Whether every element of the set `a` is in the set `b`. Keys equal in form decide
    /// without `__eq__`; only a custom key missing by form costs the calls.
    pub fn is_subset(&mut self, a: Value, b: Value) -> PyResult<bool> {
        let (Some(x), Some(y)) = (self.dict_of_container(a), self.dict_of_container(b)) else {
            return Ok(false);
        };
        if x.len() > y.len() {
            return Ok(false);
        }
        let mut needs_eq = false;
        for k in x.keys() {
            if !y.contains_key(k) {
                if !k.contains_custom() && !self.may_equal_custom(k) {
                    return Ok(false);
                }
                needs_eq = true;
            }
        }
        if !needs_eq {
            return Ok(true);
        }
        let (x, y) = (x.clone(), y.clone());
        for (k, (kv, _)) in &x {
            if self.find_key(&y, k, *kv)?.is_none() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The entries of a dict, set or frozenset (or of the built-in value a subclass
    /// instance extends).
    pub fn dict_of_container(&self, container: Value) -> Option<&Dict> {
        match self.heap.get(container.as_obj()?) {
            Object::Dict(d) | Object::Set(d) | Object::FrozenSet(d) => Some(d),
            Object::Instance(inst) => self.dict_of_container(inst.payload?),
            _ => None,
        }
    }
}

pub use crate::vm::numeric_hash::{hash_float, hash_int, hash_small_int};
