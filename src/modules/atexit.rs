//! `atexit`: functions the program registers to run when it ends, after its non-daemon
//! threads, last registered first (`run_registered`, called by the runner). As CPython
//! 3.7: an exception in one is reported ("Error in atexit._run_exitfuncs:" and its
//! traceback, SystemExit silently) and the others still run. The handlers are kept in
//! the module's namespace (`_exithandlers`), where the collector sees them.

use super::R;
use crate::vm::object::{Args, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

const HANDLERS: &str = "_exithandlers";

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "atexit",
        &[
            ("register", register),
            ("unregister", unregister),
            ("_clear", clear),
            ("_ncallbacks", ncallbacks),
            ("_run_exitfuncs", run_exitfuncs),
        ],
    );
    let handlers = vm.new_list(vec![]);
    vm.dict_set_str(vm.module_dict(m), HANDLERS, handlers);
    Ok(m)
}

/// The list of (function, args, kwargs) tuples, if atexit was imported. A program that
/// put something else under `_exithandlers` gets a fresh, empty list there.
fn handlers(vm: &mut Vm) -> Option<ObjRef> {
    let m = *vm.modules.get("atexit")?;
    let dict = vm.module_dict(m);
    if let Some(list) = vm.dict_get_str(dict, HANDLERS).and_then(|v| v.as_obj())
        && matches!(vm.heap.get(list), Object::List(_))
    {
        return Some(list);
    }
    let fresh = vm.new_list(vec![]);
    vm.dict_set_str(dict, HANDLERS, fresh);
    fresh.as_obj()
}

fn entries(vm: &mut Vm) -> &mut Vec<Value> {
    // (atexit's own functions run only once it is imported: the fallback is never kept.)
    let list = match handlers(vm) {
        Some(list) => list,
        None => vm
            .new_list(vec![])
            .as_obj()
            .expect("a list is a heap object"),
    };
    match vm.heap.get_mut(list) {
        Object::List(items) => items,
        _ => unreachable!("handlers() gives a list"),
    }
}

fn register(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let Some(&func) = args.pos.first() else {
        return Err(vm.type_error("register() takes at least 1 argument (0 given)"));
    };
    if !vm.is_callable(func) {
        return Err(vm.type_error("the first argument must be callable"));
    }
    let rest = vm.new_tuple(args.pos[1..].to_vec());
    let kwargs = if args.kw.is_empty() {
        Value::None
    } else {
        let d = vm.new_dict();
        for (name, value) in args.kw {
            let key = vm.new_str(name.as_str());
            vm.setitem(d, key, value)?;
        }
        d
    };
    let entry = vm.new_tuple(vec![func, rest, kwargs]);
    entries(vm).push(entry);
    Ok(func)
}

fn unregister(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let [func] = args.pos[..] else {
        let message = format!(
            "unregister() takes exactly one argument ({} given)",
            args.pos.len()
        );
        return Err(vm.type_error(&message));
    };
    let all = entries(vm).clone();
    for (i, entry) in all.into_iter().enumerate() {
        if entry == Value::None {
            continue;
        }
        let Some(&registered) = vm.tuple_items(entry).first() else {
            continue;
        };
        // Compared with ==; the slot stays, empty, so `_ncallbacks()` still counts it,
        // as in CPython 3.7.
        // (An __eq__ may have changed the list meanwhile.)
        if vm.eq(registered, func)?
            && let Some(slot) = entries(vm).get_mut(i)
        {
            *slot = Value::None;
        }
    }
    Ok(Value::None)
}

fn clear(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    entries(vm).clear();
    Ok(Value::None)
}

fn ncallbacks(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Int(entries(vm).len() as i64))
}

/// `atexit._run_exitfuncs()`: runs and forgets every handler; the last exception one
/// raised is raised again at the end.
fn run_exitfuncs(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    match run_all(vm) {
        Some(exc) => Err(exc),
        None => Ok(Value::None),
    }
}

/// Runs the registered handlers, last first, reporting what they raise; the last
/// exception, if any.
fn run_all(vm: &mut Vm) -> Option<Value> {
    let mut last = None;
    while let Some(entry) = entries(vm).pop() {
        if entry == Value::None {
            continue; // unregistered
        }
        // (What register() filed; anything else a program put in the list is skipped.)
        let [func, rest, kwargs] = vm.tuple_items(entry)[..] else {
            continue;
        };
        let mut call_args = Args::new(vm.tuple_items(rest));
        if kwargs != Value::None {
            let Ok(items) = vm.mapping_items(kwargs) else {
                continue;
            };
            for (k, v) in items {
                let name = vm.str_of(k).unwrap_or_default().to_string();
                call_args.kw.push((name, v));
            }
        }
        if let Err(exc) = vm.call(func, call_args) {
            if !vm.exception_is(exc, "SystemExit") {
                vm.flush();
                let report = vm.format_exception(exc);
                crate::report!("Error in atexit._run_exitfuncs:\n{report}");
            }
            last = Some(exc);
        }
    }
    last
}

/// At the end of a program: its atexit handlers, if it imported atexit. Run as a call
/// from native code, so a handler that waits lets the daemon threads run.
pub fn run_registered(vm: &mut Vm) {
    if handlers(vm).is_none() {
        return;
    }
    vm.native_depth += 1;
    run_all(vm);
    vm.native_depth -= 1;
    vm.flush();
}
