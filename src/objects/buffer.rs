//! The buffer protocol, as far as minipy has it: the bytes a bytes-like object exposes
//! (bytes, bytearray, a memoryview's view, an array's items), for the functions that
//! accept any of them.

use crate::vm::ObjRef;
use crate::vm::object::{MemoryView, Object};
use crate::vm::{Value, Vm};
use num_traits::ToPrimitive;

/// A copy of the bytes of a bytes-like value; `None` for anything else.
pub fn bytes_like(vm: &Vm, v: Value) -> Option<Vec<u8>> {
    match vm.heap.get(v.as_obj()?) {
        Object::Bytes(b) | Object::ByteArray(b) => Some(b.clone()),
        Object::MemoryView(_) => memoryview_bytes(vm, v.as_obj()?),
        // An array exports its items' machine bytes, as CPython's buffer protocol.
        Object::Array(a) => Some(array_bytes(vm, a.typecode, &a.items)),
        _ => None,
    }
}

/// The bytes under an exporter (a bytes or bytearray object).
fn exported(vm: &Vm, obj: Value) -> &[u8] {
    match obj.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Bytes(b) | Object::ByteArray(b)) => b,
        _ => &[],
    }
}

/// The bytes a memoryview shows, in order.
pub fn view_bytes(vm: &Vm, m: &MemoryView) -> Vec<u8> {
    let data = exported(vm, m.obj);
    (0..m.len)
        .filter_map(|i| data.get((m.start as isize + i as isize * m.step) as usize))
        .copied()
        .collect()
}

/// The bytes of a memoryview (for the buffer protocol); `None` once released.
pub fn memoryview_bytes(vm: &Vm, r: ObjRef) -> Option<Vec<u8>> {
    match vm.heap.get(r) {
        Object::MemoryView(m) if !m.released => Some(view_bytes(vm, m)),
        _ => None,
    }
}

/// The size in bytes of one item of an array's typecode.
pub fn itemsize(code: u8) -> usize {
    match code {
        b'b' | b'B' => 1,
        b'h' | b'H' => 2,
        b'i' | b'I' | b'f' | b'u' => 4,
        _ => 8,
    }
}

/// The array's items as bytes, in the machine's (little-endian) order.
pub fn array_bytes(vm: &Vm, code: u8, items: &[Value]) -> Vec<u8> {
    let size = itemsize(code);
    let mut out = Vec::with_capacity(items.len() * size);
    for v in items {
        match code {
            b'f' => out.extend((vm.to_f64(*v).unwrap_or(0.0) as f32).to_le_bytes()),
            b'd' => out.extend(vm.to_f64(*v).unwrap_or(0.0).to_le_bytes()),
            b'u' => {
                let c = vm.str_of(*v).and_then(|s| s.chars().next()).unwrap_or('\0');
                out.extend((c as u32).to_le_bytes());
            }
            _ => {
                let n = vm.as_bigint(*v).unwrap_or_default().to_i128().unwrap_or(0);
                out.extend(&n.to_le_bytes()[..size]);
            }
        }
    }
    out
}
