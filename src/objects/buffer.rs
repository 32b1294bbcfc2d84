//! The buffer protocol, as far as minipy has it: the bytes a bytes-like object exposes
//! (bytes, bytearray, a memoryview's view), for the functions that accept any of them.

use crate::vm::ObjRef;
use crate::vm::object::{MemoryView, Object};
use crate::vm::{Value, Vm};

/// A copy of the bytes of a bytes-like value; `None` for anything else.
pub fn bytes_like(vm: &Vm, v: Value) -> Option<Vec<u8>> {
    match vm.heap.get(v.as_obj()?) {
        Object::Bytes(b) | Object::ByteArray(b) => Some(b.clone()),
        Object::MemoryView(_) => memoryview_bytes(vm, v.as_obj()?),
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
