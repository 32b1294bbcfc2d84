//! The loop's callbacks in Rust: making a Handle or TimerHandle (`call_soon`, `call_at`,
//! `call_later`) and running one in its context (`Handle._run`), the steps every task and
//! future goes through several times. As with Future (accelerate.rs), the handles stay
//! instances of events.py's classes with their attributes (`_callback`, `_args`,
//! `_context`, `_when` ...), which their reprs and cancel() read; events.py and
//! contextvars file the classes and the failure report on `_asyncio`.

use super::accelerate::{
    bare_instance, field, filed, keyword, running_context_data, set_field, split,
};
use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

pub const METHODS: &[(&str, crate::vm::object::NativeFn)] = &[
    ("handle_init", handle_init),
    ("timer_handle_init", timer_handle_init),
    ("handle_run", handle_run),
    ("loop_call_soon", loop_call_soon),
    ("loop_call_at", loop_call_at),
    ("loop_call_later", loop_call_later),
];

/// Fills a handle's attributes as Handle.__init__(callback, args, loop, context=None):
/// with no context, the running context's mapping (run in a copy of it).
fn fill_handle(
    vm: &mut Vm,
    handle: Value,
    callback: Value,
    args: Value,
    loop_: Value,
    mut context: Value,
) -> PyResult<()> {
    if context == Value::None {
        context = running_context_data(vm)?;
    }
    set_field(vm, handle, "_context", context)?;
    set_field(vm, handle, "_loop", loop_)?;
    set_field(vm, handle, "_callback", callback)?;
    set_field(vm, handle, "_args", args)?;
    set_field(vm, handle, "_cancelled", Value::Bool(false))
}

fn handle_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, mut args) = split(vm, r, args)?;
    let context = take_context(vm, &mut args, 4, "__init__")?;
    if args.pos.len() < 3 {
        return Err(vm.type_error("__init__() missing required arguments: callback, args, loop"));
    }
    fill_handle(vm, this, args.pos[0], args.pos[1], args.pos[2], context)?;
    Ok(Value::None)
}

fn timer_handle_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, mut args) = split(vm, r, args)?;
    let context = take_context(vm, &mut args, 5, "__init__")?;
    if args.pos.len() < 4 {
        return Err(
            vm.type_error("__init__() missing required arguments: when, callback, args, loop")
        );
    }
    let when = args.pos[0];
    if when == Value::None {
        return Err(vm.new_exception("AssertionError", ""));
    }
    fill_handle(vm, this, args.pos[1], args.pos[2], args.pos[3], context)?;
    set_field(vm, this, "_when", when)?;
    set_field(vm, this, "_scheduled", Value::Bool(false))?;
    Ok(Value::None)
}

/// The `context` argument, by keyword or as positional argument number `at` (0-based).
fn take_context(vm: &mut Vm, args: &mut Args, at: usize, method: &str) -> R {
    if args.pos.len() > at {
        let context = args.pos.remove(at);
        keyword(vm, args, method, at, "")?;
        return Ok(context);
    }
    keyword(vm, args, method, at, "context")
}

/// Handle._run(): calls the callback with its arguments in the handle's context; an
/// exception goes to the loop's exception handler (`_callback_failed` in events.py).
fn handle_run(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (handle, _) = split(vm, r, args)?;
    let context = field(vm, handle, "_context")?;
    let callback = field(vm, handle, "_callback")?;
    let call_args = field(vm, handle, "_args")?;
    let call_args = vm.tuple_items(call_args);
    let outcome = run_in_context(vm, context, callback, call_args);
    match outcome {
        Ok(_) => Ok(Value::None),
        Err(exc) if vm.exception_is(exc, "Exception") => {
            let report = filed(vm, "_callback_failed")?;
            vm.call(report, Args::new(vec![handle, exc]))?;
            Ok(Value::None)
        }
        Err(exc) => Err(exc),
    }
}

/// Calls `callback(*args)` in `context`: a Context (entered, as Context.run), or a
/// context's mapping, run in a copy of it (contextvars._run_in_snapshot).
fn run_in_context(vm: &mut Vm, context: Value, callback: Value, args: Vec<Value>) -> R {
    let contextvars = filed(vm, "contextvars")?;
    let Some(module_dict) = module_dict(vm, contextvars) else {
        return vm.call(callback, Args::new(args));
    };
    let current = vm
        .dict_get_str(module_dict, "_current")
        .unwrap_or(Value::None);
    let is_mapping = matches!(
        context.as_obj().map(|c| vm.heap.get(c)),
        Some(Object::Dict(_))
    );
    if is_mapping {
        let saved = field(vm, current, "_data")?;
        set_field(vm, current, "_data", context)?;
        let result = vm.call(callback, Args::new(args));
        set_field(vm, current, "_data", saved)?;
        return result;
    }
    let context_class = vm.dict_get_str(module_dict, "Context");
    if context_class != Some(Value::Obj(vm.type_of(context))) {
        let run = vm.getattr(context, "run")?;
        let mut all = vec![callback];
        all.extend(args);
        return vm.call(run, Args::new(all));
    }
    let entered = field(vm, context, "_entered")?;
    if vm.truthy(entered)? {
        let shown = vm.repr(context)?;
        return Err(vm.new_exception(
            "RuntimeError",
            &format!("cannot enter context: {shown} is already entered"),
        ));
    }
    set_field(vm, context, "_entered", Value::Bool(true))?;
    vm.dict_set_str(module_dict, "_current", context);
    let result = vm.call(callback, Args::new(args));
    vm.dict_set_str(module_dict, "_current", current);
    set_field(vm, context, "_entered", Value::Bool(false))?;
    result
}

fn module_dict(vm: &Vm, module: Value) -> Option<crate::vm::ObjRef> {
    match vm.heap.get(module.as_obj()?) {
        Object::Module { dict, .. } => Some(*dict),
        _ => None,
    }
}

/// `RuntimeError('Event loop is closed')` for a closed loop.
fn check_open(vm: &mut Vm, loop_: Value) -> PyResult<()> {
    let closed = field(vm, loop_, "_closed")?;
    if vm.truthy(closed)? {
        return Err(vm.new_exception("RuntimeError", "Event loop is closed"));
    }
    Ok(())
}

/// loop.call_soon(callback, *args, context=None): a Handle at the end of the ready queue.
fn loop_call_soon(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (loop_, args) = split(vm, r, args)?;
    let context = context_keyword(vm, &args, "call_soon")?;
    let Some((&callback, rest)) = args.pos.split_first() else {
        return Err(vm.type_error("call_soon() missing 1 required positional argument: 'callback'"));
    };
    check_open(vm, loop_)?;
    let call_args = vm.new_tuple(rest.to_vec());
    let handle = bare_instance(vm, "Handle")?;
    fill_handle(vm, handle, callback, call_args, loop_, context)?;
    let ready = field(vm, loop_, "_ready")?;
    match ready.as_obj().map(|q| vm.heap.get_mut(q)) {
        Some(Object::Deque(q)) if q.maxlen.is_none() => q.items.push_back(handle),
        _ => {
            let append = vm.getattr(ready, "append")?;
            vm.call(append, Args::new(vec![handle]))?;
        }
    }
    Ok(handle)
}

/// The `context` keyword of call_soon, call_at and call_later (no other keyword).
fn context_keyword(vm: &mut Vm, args: &Args, method: &str) -> R {
    let mut found = Value::None;
    for (k, v) in &args.kw {
        if k != "context" {
            return Err(vm.type_error(&format!(
                "{method}() got an unexpected keyword argument '{k}'"
            )));
        }
        found = *v;
    }
    Ok(found)
}

/// loop.call_at(when, callback, *args, context=None): a TimerHandle on the timer heap.
fn loop_call_at(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (loop_, args) = split(vm, r, args)?;
    let context = context_keyword(vm, &args, "call_at")?;
    if args.pos.len() < 2 {
        return Err(vm.type_error("call_at() missing required arguments: 'when' and 'callback'"));
    }
    let (when, callback) = (args.pos[0], args.pos[1]);
    schedule_timer(vm, loop_, when, callback, args.pos[2..].to_vec(), context)
}

/// loop.call_later(delay, callback, *args, context=None): call_at(loop.time() + delay).
fn loop_call_later(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (loop_, args) = split(vm, r, args)?;
    let context = context_keyword(vm, &args, "call_later")?;
    if args.pos.len() < 2 {
        return Err(
            vm.type_error("call_later() missing required arguments: 'delay' and 'callback'")
        );
    }
    let (delay, callback) = (args.pos[0], args.pos[1]);
    let time = vm.getattr(loop_, "time")?;
    let now = vm.call(time, Args::default())?;
    let when = vm.binary_op(crate::bytecode::Opcode::BINARY_ADD, now, delay)?;
    schedule_timer(vm, loop_, when, callback, args.pos[2..].to_vec(), context)
}

fn schedule_timer(
    vm: &mut Vm,
    loop_: Value,
    when: Value,
    callback: Value,
    rest: Vec<Value>,
    context: Value,
) -> R {
    check_open(vm, loop_)?;
    if when == Value::None {
        return Err(vm.new_exception("AssertionError", ""));
    }
    let call_args = vm.new_tuple(rest);
    let timer = bare_instance(vm, "TimerHandle")?;
    fill_handle(vm, timer, callback, call_args, loop_, context)?;
    set_field(vm, timer, "_when", when)?;
    let scheduled = field(vm, loop_, "_scheduled")?;
    super::native::push_timer(vm, scheduled, timer)?;
    set_field(vm, timer, "_scheduled", Value::Bool(true))?;
    Ok(timer)
}
