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

    /// Identity, as `is` compares: same inline value or same heap object.
    pub fn is(self, other: Value) -> bool {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            _ => self == other,
        }
    }
}
