//! `Value`: what the VM passes around. Small and `Copy`: None, bools, small ints and floats
//! live inline; everything else is a handle into the heap (`ObjRef`), reached only through
//! the VM that owns the heap.

/// A handle to a heap slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef(pub u32);

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    /// An int that fits in i64; larger ones are `Object::BigInt` on the heap.
    Int(i64),
    Float(f64),
    Obj(ObjRef),
}

impl Value {
    pub fn as_obj(self) -> Option<ObjRef> {
        match self {
            Value::Obj(r) => Some(r),
            _ => None,
        }
    }

    /// The value as two words (a tag and a payload), for caches kept in atomics.
    pub fn to_bits(self) -> (u64, u64) {
        match self {
            Value::None => (0, 0),
            Value::Bool(b) => (1, u64::from(b)),
            Value::Int(i) => (2, i as u64),
            Value::Float(f) => (3, f.to_bits()),
            Value::Obj(r) => (4, u64::from(r.0)),
        }
    }

    pub fn from_bits(tag: u64, bits: u64) -> Value {
        match tag {
            1 => Value::Bool(bits != 0),
            2 => Value::Int(bits as i64),
            3 => Value::Float(f64::from_bits(bits)),
            4 => Value::Obj(ObjRef(bits as u32)),
            _ => Value::None,
        }
    }

    /// Identity, as `is` compares: same inline value or same heap object.
    pub fn is(self, other: Value) -> bool {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            _ => self == other,
        }
    }
}
