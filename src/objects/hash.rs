//! Hashing: `hash(v)` with CPython's numbers for ints and floats, and the key a value is
//! filed under in a dict or set (`DictKey`), with CPython's rules (1 == 1.0 == True,
//! unhashable containers, `__hash__` and `__eq__` of classes).

use crate::vm::object::{Args, DictKey, DictPart, Object};
use crate::vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

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
                Object::FrozenSet(d) => {
                    let mut keys: Vec<DictKey> = d.keys().cloned().collect();
                    keys.sort_by_key(|k| format!("{k:?}"));
                    DictKey::Tuple(keys)
                }
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
                    let hash = self.class_lookup(self.type_of(v), "__hash__");
                    let native_hash = hash.is_none_or(|h| {
                        matches!(
                            h.as_obj().map(|f| self.heap.get(f)),
                            Some(Object::Native(_))
                        )
                    });
                    // A subclass of a built-in type hashing as the type does (its own
                    // __eq__ or not: `__hash__ = int.__hash__`) is the key its value is.
                    if let Some(p) = payload
                        && native_hash
                    {
                        return self.dict_key(p);
                    }
                    if let Some(h) = hash {
                        if h == Value::None {
                            let t = self.type_name(v);
                            return Err(self.type_error(&format!("unhashable type: '{t}'")));
                        }
                        if self.class_lookup(self.type_of(v), "__eq__").is_some() {
                            let hv = self.call(h, Args::new(vec![v]))?;
                            return Ok(DictKey::Tuple(vec![
                                DictKey::Str("__hash__".into()),
                                self.dict_key(hv)?,
                            ]));
                        }
                    }
                    // A subclass of a built-in type that keeps the type's __eq__ (an
                    // IntEnum member, say) is the key its value is.
                    if let Some(p) = payload
                        && self.class_lookup(self.type_of(v), "__eq__").is_none()
                    {
                        return self.dict_key(p);
                    }
                    DictKey::Id(r.0)
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
            return Ok(r);
        }
        let k = self.dict_key(v)?;
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        k.hash(&mut h);
        Ok(Value::Int((h.finish() >> 2) as i64))
    }
}

/// CPython's hash of an int (modulo the Mersenne prime 2**61 - 1).
pub fn hash_int(i: &BigInt) -> i64 {
    let m = BigInt::from((1u64 << 61) - 1);
    let mut h = (i.abs() % &m).to_i64().unwrap_or(0);
    if i.is_negative() {
        h = -h;
    }
    if h == -1 { -2 } else { h }
}

/// CPython's hash of a float: the value as a fraction modulo 2**61 - 1, so that
/// hash(2.0) == hash(2) and hash(2.5) is 1152921504606846978; inf is 314159 (NaN: 0,
/// as 3.7).
pub fn hash_float(v: f64) -> i64 {
    const BITS: u32 = 61;
    const MODULUS: u64 = (1 << BITS) - 1;
    if v.is_nan() {
        return 0;
    }
    if v.is_infinite() {
        return if v > 0.0 { 314_159 } else { -314_159 };
    }
    if v == 0.0 {
        return 0;
    }
    // frexp: v = m * 2**e with 0.5 <= |m| < 1.
    let bits = v.abs().to_bits();
    let (raw_exp, frac) = ((bits >> 52) as i32 & 0x7ff, bits & ((1 << 52) - 1));
    let (mut m, mut e) = if raw_exp == 0 {
        // Subnormal: scale up first.
        let scaled = v.abs() * 2f64.powi(64);
        let b = scaled.to_bits();
        let (re, fr) = ((b >> 52) as i32 & 0x7ff, b & ((1 << 52) - 1));
        (f64::from_bits((1022u64 << 52) | fr), re - 1022 - 64)
    } else {
        (f64::from_bits((1022u64 << 52) | frac), raw_exp - 1022)
    };
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (BITS - 28));
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 {
        e as u32 % BITS
    } else {
        BITS - 1 - ((-1 - e) as u32 % BITS)
    };
    x = ((x << e) & MODULUS) | (x >> (BITS - e));
    let h = if v < 0.0 { -(x as i64) } else { x as i64 };
    if h == -1 { -2 } else { h }
}
