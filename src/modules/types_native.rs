//! `_types`: what the types and asyncio modules need from the core about functions and
//! generators: `coroutine(func)` (types.coroutine: a generator function whose generators
//! may be awaited, flagged CO_ITERABLE_COROUTINE as CPython does) and the flag tests
//! behind `iscoroutinefunction` and `iscoroutine`.

use super::{R, arg};
use crate::bytecode::code::flags::{CO_COROUTINE, CO_GENERATOR, CO_ITERABLE_COROUTINE};
use crate::vm::object::{Args, GenKind, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};
use std::sync::Arc;

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module(
        "_types",
        &[
            ("coroutine", coroutine),
            ("_is_coroutine_function", is_coroutine_function),
            ("_is_generator_function", is_generator_function),
            ("_is_coroutine_object", is_coroutine_object),
        ],
    ))
}

fn code_flags(vm: &Vm, v: Value) -> Option<u32> {
    match vm.heap.get(v.as_obj()?) {
        Object::Function(f) => Some(f.code.co_flags),
        _ => None,
    }
}

/// types.coroutine(func): a generator function gets its code flagged CO_ITERABLE_COROUTINE
/// (in place, as CPython replaces `func.__code__`), so `await` accepts its generators;
/// anything else is returned unchanged.
fn coroutine(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let func = arg(&args, 0);
    if !vm.is_callable(func) {
        return Err(vm.type_error("types.coroutine() expects a callable"));
    }
    let Some(Object::Function(f)) = func.as_obj().map(|r| vm.heap.get(r)) else {
        return Ok(func);
    };
    if f.code.co_flags & CO_GENERATOR == 0 || f.code.co_flags & CO_ITERABLE_COROUTINE != 0 {
        return Ok(func);
    }
    let mut code = (*f.code).clone();
    code.co_flags |= CO_ITERABLE_COROUTINE;
    let code = Arc::new(code);
    let consts = vm.consts_for(&code);
    if let Some(Object::Function(f)) = func.as_obj().map(|r| vm.heap.get_mut(r)) {
        f.code = code;
        f.consts = consts;
    }
    Ok(func)
}

fn is_coroutine_function(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let flags = code_flags(vm, arg(&args, 0)).unwrap_or(0);
    Ok(Value::Bool(flags & CO_COROUTINE != 0))
}

fn is_generator_function(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let flags = code_flags(vm, arg(&args, 0)).unwrap_or(0);
    Ok(Value::Bool(flags & CO_GENERATOR != 0))
}

/// asyncio.iscoroutine: a coroutine, or a generator (what @asyncio.coroutine code returns).
fn is_coroutine_object(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let v = arg(&args, 0);
    let yes = matches!(
        v.as_obj().map(|r| vm.heap.get(r)),
        Some(Object::Generator(g)) if g.kind != GenKind::AsyncGenerator
    );
    Ok(Value::Bool(yes))
}
