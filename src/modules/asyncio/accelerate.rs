//! The hot methods of Future and Task in Rust, as CPython's `_asyncio` C module has them:
//! a task's step (send into its coroutine, then wait on what it yielded) and a future's
//! state, result and callbacks. Unlike CPython's C types, the state stays in the
//! instances' attributes under the names futures.py documents (`_state`, `_result`,
//! `_callbacks` ...), so reprs, subclasses and the Python methods left (cancel of a Task,
//! remove_done_callback, __del__) see one object. What they need of the Python side (the
//! exception classes, `_current_tasks`, `get_event_loop`) futures.py and tasks.py file as
//! attributes of `_asyncio` when they load.

use crate::modules::arg;
use crate::vm::object::{Args, GenKind, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

pub const METHODS: &[(&str, crate::vm::object::NativeFn)] = &[
    ("future_init", future_init),
    ("future_done", future_done),
    ("future_cancelled", future_cancelled),
    ("future_result", future_result),
    ("future_exception", future_exception),
    ("future_get_loop", future_get_loop),
    ("future_add_done_callback", future_add_done_callback),
    ("future_set_result", future_set_result),
    ("future_set_exception", future_set_exception),
    ("future_cancel", future_cancel),
    ("future_schedule_callbacks", future_schedule_callbacks),
    ("future_del", future_del),
    ("task_del", task_del),
    ("task_init", task_init),
    ("task__step", task_step),
    ("task__wakeup", task_wakeup),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Cancelled,
    Finished,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Pending => "PENDING",
            State::Cancelled => "CANCELLED",
            State::Finished => "FINISHED",
        }
    }
}

/// The future a method works on: the receiver it was bound to, or its first argument when
/// it is called from the class (`Future.done(f)`, or `__init__` as a class calls it).
pub(super) fn split(vm: &mut Vm, r: Option<Value>, mut args: Args) -> PyResult<(Value, Args)> {
    if let Some(this) = r {
        return Ok((this, args));
    }
    if args.pos.is_empty() {
        return Err(vm.type_error("an asyncio Future method needs its future"));
    }
    let this = args.pos.remove(0);
    Ok((this, args))
}

/// An attribute of the future: its own, else what getattr finds (a class default).
pub(super) fn field(vm: &mut Vm, obj: Value, name: &str) -> R {
    if let Some(v) = vm.attr_of_instance(obj, name) {
        return Ok(v);
    }
    vm.getattr(obj, name)
}

pub(super) fn set_field(vm: &mut Vm, obj: Value, name: &str, v: Value) -> PyResult<()> {
    if matches!(
        obj.as_obj().map(|r| vm.heap.get(r)),
        Some(Object::Instance(_))
    ) {
        vm.set_instance_attr(obj, name, v);
        Ok(())
    } else {
        vm.setattr(obj, name, v)
    }
}

fn state(vm: &mut Vm, fut: Value) -> PyResult<State> {
    let s = field(vm, fut, "_state")?;
    Ok(match vm.str_of(s) {
        Some("PENDING") => State::Pending,
        Some("CANCELLED") => State::Cancelled,
        _ => State::Finished,
    })
}

fn set_state(vm: &mut Vm, fut: Value, s: State) -> PyResult<()> {
    let name = vm.intern(s.name());
    set_field(vm, fut, "_state", name)
}

/// What the Python side filed on `_asyncio` (`_asyncio.CancelledError = ...`).
pub(super) fn filed(vm: &mut Vm, name: &str) -> R {
    let module = vm.modules.get("_asyncio").copied();
    let found = module.and_then(|m| match vm.heap.get(m) {
        Object::Module { dict, .. } => vm.dict_get_str(*dict, name),
        _ => None,
    });
    found.ok_or_else(|| vm.new_exception("RuntimeError", &format!("_asyncio.{name} is not set")))
}

/// A new instance of a filed exception class, called with `args`.
fn filed_error(vm: &mut Vm, class: &str, args: Vec<Value>) -> Value {
    match filed(vm, class) {
        Ok(c) => match vm.call(c, Args::new(args)) {
            Ok(exc) | Err(exc) => exc,
        },
        Err(exc) => exc,
    }
}

fn is_instance_of_filed(vm: &mut Vm, v: Value, class: &str) -> PyResult<bool> {
    let c = filed(vm, class)?;
    Ok(c.as_obj().is_some_and(|c| vm.isinstance(v, c)))
}

/// `obj.name(*pos, context=context)`.
pub(super) fn call_method(
    vm: &mut Vm,
    obj: Value,
    name: &str,
    pos: Vec<Value>,
    context: Value,
) -> R {
    let method = vm.getattr(obj, name)?;
    let mut args = Args::new(pos);
    if context != Value::None {
        args.kw.push(("context".into(), context));
    }
    vm.call(method, args)
}

/// The keyword `name` (or None), refusing positional arguments past `max_pos`.
pub(super) fn keyword(vm: &mut Vm, args: &Args, method: &str, max_pos: usize, name: &str) -> R {
    if args.pos.len() > max_pos {
        let (takes, given) = (max_pos + 1, args.pos.len() + 1);
        return Err(vm.type_error(&format!(
            "{method}() takes {takes} positional argument{} but {given} were given",
            if takes == 1 { "" } else { "s" }
        )));
    }
    let mut found = Value::None;
    for (k, v) in &args.kw {
        if k == name {
            found = *v;
        } else {
            return Err(vm.type_error(&format!(
                "{method}() got an unexpected keyword argument '{k}'"
            )));
        }
    }
    Ok(found)
}

// ---------------------------------------------------------------- Future

/// A new instance of the filed class `name`, its __init__ not called (filled here).
pub(super) fn bare_instance(vm: &mut Vm, name: &str) -> R {
    let class = filed(vm, name)?;
    match class.as_obj() {
        Some(c) if matches!(vm.heap.get(c), Object::Class(_)) => Ok(vm.new_instance(c)),
        _ => Err(vm.type_error(&format!("_asyncio.{name} must be a class"))),
    }
}

fn future_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, args) = split(vm, r, args)?;
    let fut = this;
    let mut loop_ = keyword(vm, &args, "__init__", 0, "loop")?;
    if loop_ == Value::None {
        let get = filed(vm, "get_event_loop")?;
        loop_ = vm.call(get, Args::default())?;
    }
    set_field(vm, fut, "_loop", loop_)?;
    let callbacks = vm.new_list(Vec::new());
    set_field(vm, fut, "_callbacks", callbacks)?;
    Ok(Value::None)
}

fn future_done(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, _) = split(vm, r, args)?;
    Ok(Value::Bool(state(vm, this)? != State::Pending))
}

fn future_cancelled(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, _) = split(vm, r, args)?;
    Ok(Value::Bool(state(vm, this)? == State::Cancelled))
}

fn future_get_loop(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, _) = split(vm, r, args)?;
    field(vm, this, "_loop")
}

/// The checks result() and exception() share: CancelledError, or InvalidStateError while
/// pending; a retrieved exception is not reported when the future is freed.
fn finished(vm: &mut Vm, fut: Value, what: &str) -> PyResult<()> {
    match state(vm, fut)? {
        State::Cancelled => Err(filed_error(vm, "CancelledError", vec![])),
        State::Pending => {
            let message = vm.new_str(format!("{what} is not set."));
            Err(filed_error(vm, "InvalidStateError", vec![message]))
        }
        State::Finished => set_field(vm, fut, "_log_traceback", Value::Bool(false)),
    }
}

fn future_result(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, _) = split(vm, r, args)?;
    let fut = this;
    finished(vm, fut, "Result")?;
    let exc = field(vm, fut, "_exception")?;
    if exc != Value::None {
        return Err(exc);
    }
    field(vm, fut, "_result")
}

fn future_exception(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, _) = split(vm, r, args)?;
    let fut = this;
    finished(vm, fut, "Exception")?;
    field(vm, fut, "_exception")
}

fn future_add_done_callback(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, args) = split(vm, r, args)?;
    let fut = this;
    let mut context = keyword(vm, &args, "add_done_callback", 1, "context")?;
    let Some(&callback) = args.pos.first() else {
        return Err(
            vm.type_error("add_done_callback() missing 1 required positional argument: 'fn'")
        );
    };
    if state(vm, fut)? != State::Pending {
        let loop_ = field(vm, fut, "_loop")?;
        call_method(vm, loop_, "call_soon", vec![callback, fut], context)?;
        return Ok(Value::None);
    }
    if context == Value::None {
        context = running_context_data(vm)?;
    }
    let entry = vm.new_tuple(vec![callback, context]);
    let callbacks = field(vm, fut, "_callbacks")?;
    match callbacks.as_obj().map(|c| vm.heap.get_mut(c)) {
        Some(Object::List(items)) => items.push(entry),
        _ => {
            let append = vm.getattr(callbacks, "append")?;
            vm.call(append, Args::new(vec![entry]))?;
        }
    }
    Ok(Value::None)
}

/// `contextvars._current._data`: the running context's mapping, which a callback added
/// without a context runs in a copy of.
pub(super) fn running_context_data(vm: &mut Vm) -> R {
    let contextvars = filed(vm, "contextvars")?;
    let current = vm.getattr(contextvars, "_current")?;
    field(vm, current, "_data")
}

fn future_set_result(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, args) = split(vm, r, args)?;
    let fut = this;
    set_result(vm, fut, arg(&args, 0))?;
    Ok(Value::None)
}

fn set_result(vm: &mut Vm, fut: Value, result: Value) -> PyResult<()> {
    if state(vm, fut)? != State::Pending {
        let message = vm.new_str("invalid state");
        return Err(filed_error(vm, "InvalidStateError", vec![message]));
    }
    set_field(vm, fut, "_result", result)?;
    set_state(vm, fut, State::Finished)?;
    schedule_callbacks(vm, fut)
}

fn future_set_exception(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, args) = split(vm, r, args)?;
    let fut = this;
    set_exception(vm, fut, arg(&args, 0))?;
    Ok(Value::None)
}

fn set_exception(vm: &mut Vm, fut: Value, mut exception: Value) -> PyResult<()> {
    if state(vm, fut)? != State::Pending {
        let message = vm.new_str("invalid state");
        return Err(filed_error(vm, "InvalidStateError", vec![message]));
    }
    if matches!(
        exception.as_obj().map(|e| vm.heap.get(e)),
        Some(Object::Class(_))
    ) {
        exception = vm.call(exception, Args::default())?;
    }
    if vm.type_of(exception) == vm.types["StopIteration"] {
        return Err(vm.type_error(
            "StopIteration interacts badly with generators and cannot be raised into a Future",
        ));
    }
    set_field(vm, fut, "_exception", exception)?;
    set_state(vm, fut, State::Finished)?;
    schedule_callbacks(vm, fut)?;
    set_field(vm, fut, "_log_traceback", Value::Bool(true))
}

fn future_cancel(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, _) = split(vm, r, args)?;
    Ok(Value::Bool(cancel(vm, this)?))
}

fn cancel(vm: &mut Vm, fut: Value) -> PyResult<bool> {
    set_field(vm, fut, "_log_traceback", Value::Bool(false))?;
    if state(vm, fut)? != State::Pending {
        return Ok(false);
    }
    set_state(vm, fut, State::Cancelled)?;
    schedule_callbacks(vm, fut)?;
    Ok(true)
}

fn future_schedule_callbacks(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, _) = split(vm, r, args)?;
    schedule_callbacks(vm, this)?;
    Ok(Value::None)
}

/// Empties the callback list (the same list) and hands each callback to call_soon, in the
/// order they were added, with the context each was added in.
fn schedule_callbacks(vm: &mut Vm, fut: Value) -> PyResult<()> {
    let callbacks = field(vm, fut, "_callbacks")?;
    let entries = match callbacks.as_obj().map(|c| vm.heap.get_mut(c)) {
        Some(Object::List(items)) => std::mem::take(items),
        _ => return Ok(()),
    };
    if entries.is_empty() {
        return Ok(());
    }
    let loop_ = field(vm, fut, "_loop")?;
    let call_soon = vm.getattr(loop_, "call_soon")?;
    for entry in entries {
        let pair = vm.tuple_items(entry);
        let (callback, context) = (pair[0], pair.get(1).copied().unwrap_or(Value::None));
        let mut args = Args::new(vec![callback, fut]);
        args.kw.push(("context".into(), context));
        vm.call(call_soon, args)?;
    }
    Ok(())
}

/// Future.__del__: reports an exception set and never retrieved.
fn future_del(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (fut, _) = split(vm, r, args)?;
    let unretrieved = field(vm, fut, "_log_traceback")?;
    if vm.truthy(unretrieved)? {
        let report = filed(vm, "report_unretrieved")?;
        vm.call(report, Args::new(vec![fut]))?;
    }
    Ok(Value::None)
}

// ---------------------------------------------------------------- Task

/// Task.__del__: a pending task is reported (unless it never was a task: its coroutine
/// was refused), then what Future.__del__ reports.
fn task_del(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (task, _) = split(vm, r, args)?;
    let log = field(vm, task, "_log_destroy_pending")?;
    if state(vm, task)? == State::Pending && vm.truthy(log)? {
        let report = filed(vm, "report_pending")?;
        vm.call(report, Args::new(vec![task]))?;
    }
    future_del(vm, Some(task), Args::default())
}

/// The task running in `loop` (`_current_tasks`), for _enter_task and _leave_task.
fn current_tasks(vm: &mut Vm) -> PyResult<ObjRef> {
    let d = filed(vm, "_current_tasks")?;
    match d.as_obj() {
        Some(r) if matches!(vm.heap.get(r), Object::Dict(_)) => Ok(r),
        _ => Err(vm.type_error("_current_tasks must be a dict")),
    }
}

fn running_task(vm: &mut Vm, tasks: ObjRef, loop_: Value) -> PyResult<Option<Value>> {
    let key = vm.key_in(Value::Obj(tasks), loop_)?;
    Ok(match vm.heap.get(tasks) {
        Object::Dict(d) => d.get(&key).map(|(_, v)| *v),
        _ => None,
    })
}

fn enter_task(vm: &mut Vm, loop_: Value, task: Value) -> PyResult<()> {
    let tasks = current_tasks(vm)?;
    if let Some(current) = running_task(vm, tasks, loop_)?
        && current != Value::None
    {
        let (t, c) = (vm.repr(task)?, vm.repr(current)?);
        return Err(vm.new_exception(
            "RuntimeError",
            &format!("Cannot enter into task {t} while another task {c} is being executed."),
        ));
    }
    let key = vm.key_in(Value::Obj(tasks), loop_)?;
    if let Object::Dict(d) = vm.heap.get_mut(tasks) {
        d.insert(key, (loop_, task));
    }
    super::native::tell_task_step(vm, task, true);
    Ok(())
}

fn leave_task(vm: &mut Vm, loop_: Value, task: Value) -> PyResult<()> {
    let tasks = current_tasks(vm)?;
    let current = running_task(vm, tasks, loop_)?.unwrap_or(Value::None);
    if current != task {
        let (t, c) = (vm.repr(task)?, vm.repr(current)?);
        return Err(vm.new_exception(
            "RuntimeError",
            &format!("Leaving task {t} does not match the current task {c}."),
        ));
    }
    let key = vm.key_in(Value::Obj(tasks), loop_)?;
    vm.dict_removals += 1;
    if let Object::Dict(d) = vm.heap.get_mut(tasks) {
        d.shift_remove(&key);
    }
    super::native::tell_task_step(vm, task, false);
    Ok(())
}

/// Task.__init__(coro, *, loop=None): a future whose first step is scheduled at once, in
/// a copy of the running context; the task joins all_tasks().
fn task_init(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (task, args) = split(vm, r, args)?;
    let loop_ = keyword(vm, &args, "__init__", 1, "loop")?;
    let Some(&coro) = args.pos.first() else {
        return Err(vm.type_error("__init__() missing 1 required positional argument: 'coro'"));
    };
    let mut future_args = Args::default();
    future_args.kw.push(("loop".into(), loop_));
    future_init(vm, Some(task), future_args)?;
    let native_coroutine = matches!(
        coro.as_obj().map(|c| vm.heap.get(c)),
        Some(Object::Generator(g)) if g.kind == GenKind::Coroutine
    );
    // Anything else asks coroutines.iscoroutine (a generator of @asyncio.coroutine ...).
    let is_coroutine = native_coroutine || {
        let check = filed(vm, "iscoroutine")?;
        let answer = vm.call(check, Args::new(vec![coro]))?;
        vm.truthy(answer)?
    };
    if !is_coroutine {
        set_field(vm, task, "_log_destroy_pending", Value::Bool(false))?;
        let shown = vm.repr(coro)?;
        return Err(vm.type_error(&format!("a coroutine was expected, got {shown}")));
    }
    set_field(vm, task, "_must_cancel", Value::Bool(false))?;
    set_field(vm, task, "_fut_waiter", Value::None)?;
    set_field(vm, task, "_coro", coro)?;
    let context = copy_context(vm)?;
    set_field(vm, task, "_context", context)?;
    let step = vm.getattr(task, "_Task__step")?;
    let loop_ = field(vm, task, "_loop")?;
    call_method(vm, loop_, "call_soon", vec![step], context)?;
    let register = filed(vm, "register_task")?;
    vm.call(register, Args::new(vec![task]))?;
    Ok(Value::None)
}

/// contextvars.copy_context(): a Context sharing the running one's mapping (it is never
/// changed in place).
fn copy_context(vm: &mut Vm) -> R {
    let data = running_context_data(vm)?;
    let contextvars = filed(vm, "contextvars")?;
    let class = vm.getattr(contextvars, "Context")?;
    let Some(class) = class.as_obj() else {
        return Err(vm.type_error("contextvars.Context must be a class"));
    };
    let context = vm.new_instance(class);
    set_field(vm, context, "_data", data)?;
    set_field(vm, context, "_entered", Value::Bool(false))?;
    Ok(context)
}

fn must_cancel(vm: &mut Vm, task: Value) -> PyResult<bool> {
    let flag = field(vm, task, "_must_cancel")?;
    vm.truthy(flag)
}

/// Task.__step(exc=None): runs the coroutine to its next suspension (or its end) and
/// decides what wakes the task next, as CPython 3.7's _asyncio task_step.
fn task_step(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, args) = split(vm, r, args)?;
    step(vm, this, arg(&args, 0))?;
    Ok(Value::None)
}

fn step(vm: &mut Vm, task: Value, mut exc: Value) -> PyResult<()> {
    if state(vm, task)? != State::Pending {
        let (t, e) = (vm.repr(task)?, vm.repr(exc)?);
        let message = vm.new_str(format!("_step(): already done: {t}, {e}"));
        return Err(filed_error(vm, "InvalidStateError", vec![message]));
    }
    if must_cancel(vm, task)? {
        if !is_instance_of_filed(vm, exc, "CancelledError")? {
            exc = filed_error(vm, "CancelledError", vec![]);
        }
        set_field(vm, task, "_must_cancel", Value::Bool(false))?;
    }
    let coro = field(vm, task, "_coro")?;
    set_field(vm, task, "_fut_waiter", Value::None)?;
    let loop_ = field(vm, task, "_loop")?;
    enter_task(vm, loop_, task)?;
    let outcome = resume(vm, coro, exc);
    let handled = match outcome {
        Ok(Some(result)) => wait_on(vm, task, result),
        Ok(None) => {
            let value = vm.take_stop_value();
            returned(vm, task, value)
        }
        Err(raised) => coroutine_raised(vm, task, raised),
    };
    let left = leave_task(vm, loop_, task);
    handled.and(left)
}

/// `coro.send(None)` or `coro.throw(exc)`: Some(value) if it yielded, None if it returned
/// (the value waits in `take_stop_value`).
fn resume(vm: &mut Vm, coro: Value, exc: Value) -> PyResult<Option<Value>> {
    if exc == Value::None {
        if let Some(g) = coro.as_obj()
            && matches!(vm.heap.get(g), Object::Generator(_))
        {
            return vm.gen_send(g, Value::None);
        }
        let send = vm.getattr(coro, "send")?;
        return stop_as_return(vm, send, Value::None);
    }
    let throw = vm.getattr(coro, "throw")?;
    stop_as_return(vm, throw, exc)
}

/// Calls `method(arg)`; its StopIteration is the coroutine returning (None, value filed).
fn stop_as_return(vm: &mut Vm, method: Value, value: Value) -> PyResult<Option<Value>> {
    match vm.call(method, Args::new(vec![value])) {
        Ok(v) => Ok(Some(v)),
        Err(e) if vm.exception_is(e, "StopIteration") => {
            let value = vm.stop_iteration_value(e);
            vm.stop_value = value;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The coroutine returned `value`: the task's result, unless it was cancelled meanwhile.
fn returned(vm: &mut Vm, task: Value, value: Value) -> PyResult<()> {
    if must_cancel(vm, task)? {
        set_field(vm, task, "_must_cancel", Value::Bool(false))?;
        let cancelled = filed_error(vm, "CancelledError", vec![]);
        return set_exception(vm, task, cancelled);
    }
    set_result(vm, task, value)
}

/// The coroutine raised: CancelledError cancels the task, another exception becomes its
/// exception; one that is not an Exception (KeyboardInterrupt, SystemExit) also goes on.
fn coroutine_raised(vm: &mut Vm, task: Value, raised: Value) -> PyResult<()> {
    if vm.exception_is(raised, "StopIteration") {
        let value = vm.stop_iteration_value(raised);
        return returned(vm, task, value);
    }
    if is_instance_of_filed(vm, raised, "CancelledError")? {
        cancel(vm, task)?;
        return Ok(());
    }
    set_exception(vm, task, raised)?;
    if vm.exception_is(raised, "Exception") {
        Ok(())
    } else {
        Err(raised)
    }
}

/// The coroutine yielded `result`: a future to wait on (the task's wake-up is added to
/// it), None to give up one loop iteration, or something a task cannot wait on (the next
/// step throws a RuntimeError in).
fn wait_on(vm: &mut Vm, task: Value, result: Value) -> PyResult<()> {
    let context = field(vm, task, "_context")?;
    let blocking = match vm.getattr(result, "_asyncio_future_blocking") {
        Ok(b) => b,
        Err(e) if vm.exception_is(e, "AttributeError") => Value::None,
        Err(e) => return Err(e),
    };
    let loop_ = field(vm, task, "_loop")?;
    let problem = if blocking != Value::None {
        let their_loop = match vm.getattr(result, "get_loop") {
            Ok(get_loop) => vm.call(get_loop, Args::default())?,
            Err(e) if vm.exception_is(e, "AttributeError") => field(vm, result, "_loop")?,
            Err(e) => return Err(e),
        };
        if their_loop != loop_ {
            let (t, f) = (vm.repr(task)?, vm.repr(result)?);
            Some(format!(
                "Task {t} got Future {f} attached to a different loop"
            ))
        } else if !vm.truthy(blocking)? {
            let (t, f) = (vm.repr(task)?, vm.repr(result)?);
            Some(format!(
                "yield was used instead of yield from in task {t} with {f}"
            ))
        } else if result == task {
            let t = vm.repr(task)?;
            Some(format!("Task cannot await on itself: {t}"))
        } else {
            vm.setattr(result, "_asyncio_future_blocking", Value::Bool(false))?;
            let wakeup = vm.getattr(task, "_Task__wakeup")?;
            call_method(vm, result, "add_done_callback", vec![wakeup], context)?;
            set_field(vm, task, "_fut_waiter", result)?;
            if must_cancel(vm, task)? {
                let cancel = vm.getattr(result, "cancel")?;
                let cancelled = vm.call(cancel, Args::default())?;
                if vm.truthy(cancelled)? {
                    set_field(vm, task, "_must_cancel", Value::Bool(false))?;
                }
            }
            None
        }
    } else if result == Value::None {
        // A bare yield gives up one loop iteration.
        let again = vm.getattr(task, "_Task__step")?;
        call_method(vm, loop_, "call_soon", vec![again], context)?;
        None
    } else if matches!(
        result.as_obj().map(|g| vm.heap.get(g)),
        Some(Object::Generator(g)) if g.kind == GenKind::Generator
    ) {
        let (t, f) = (vm.repr(task)?, vm.repr(result)?);
        Some(format!(
            "yield was used instead of yield from for generator in task {t} with {f}"
        ))
    } else {
        let f = vm.repr(result)?;
        Some(format!("Task got bad yield: {f}"))
    };
    if let Some(message) = problem {
        let exc = vm.new_exception("RuntimeError", &message);
        let again = vm.getattr(task, "_Task__step")?;
        call_method(vm, loop_, "call_soon", vec![again, exc], context)?;
    }
    Ok(())
}

/// Task.__wakeup(future): the awaited future is done; the next step gets its exception
/// thrown in, or resumes the coroutine (which reads the result itself).
fn task_wakeup(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let (this, args) = split(vm, r, args)?;
    let task = this;
    let future = arg(&args, 0);
    let result = vm.getattr(future, "result")?;
    let exc = match vm.call(result, Args::default()) {
        Ok(_) => Value::None,
        Err(e) if vm.exception_is(e, "Exception") => e,
        Err(e) => return Err(e),
    };
    step(vm, task, exc)?;
    Ok(Value::None)
}
