//! `_codecs`: `encode(obj, encoding='utf-8', errors='strict')` and `decode(...)`, the
//! functions behind str.encode and bytes.decode. Pickles of bytes at protocols 0 to 2 name
//! `_codecs.encode` (CPython's `codecs.encode`) to rebuild them.

use crate::objects::args::{check_keywords, kwarg};
use crate::vm::object::{Args, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module("_codecs", &[("encode", c_encode), ("decode", c_decode)]))
}

/// The object to convert and the `encoding`/`errors` arguments as str.encode takes them.
fn split(vm: &mut Vm, args: Args, function: &str) -> PyResult<(Value, Args)> {
    check_keywords(vm, &args, function, &["obj", "encoding", "errors"])?;
    let by_name = kwarg(&args, "obj");
    let mut pos = args.pos.into_iter();
    let Some(obj) = pos.next().or(by_name) else {
        return Err(vm.type_error(&format!(
            "{function}() missing required argument 'obj' (pos 1)"
        )));
    };
    let rest = Args {
        pos: pos.collect(),
        kw: args.kw.into_iter().filter(|(k, _)| k != "obj").collect(),
    };
    Ok((obj, rest))
}

fn c_encode(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    let (obj, rest) = split(vm, args, "encode")?;
    match vm.str_of(obj).map(str::to_string) {
        Some(text) => crate::objects::codecs::encode(vm, &text, &rest),
        None => {
            let t = vm.type_name(obj);
            Err(vm.type_error(&format!("utf_8_encode() argument 1 must be str, not {t}")))
        }
    }
}

fn c_decode(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    let (obj, rest) = split(vm, args, "decode")?;
    let bytes = match obj.as_obj().map(|o| vm.heap.get(o)) {
        Some(Object::Bytes(b)) => b.clone(),
        _ => {
            let t = vm.type_name(obj);
            return Err(vm.type_error(&format!("a bytes-like object is required, not '{t}'")));
        }
    };
    crate::objects::codecs::decode(vm, &bytes, &rest)
}
