//! Generators and coroutines: their objects, and moving their frames in and out of the
//! eval loop (resume, suspend, finish, send, throw), the StopIteration that carries a
//! return value, the warning for a coroutine that was never awaited, and their methods
//! (send, throw, close, __next__, __await__).

use super::frame::{Frame, Resume};
use super::object::{Args, ExcField, GenKind, Generator, Iter, Object};
use super::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;
use crate::bytecode::code::flags::{CO_ASYNC_GENERATOR, CO_COROUTINE, CO_GENERATOR};
use compact_str::CompactString;

impl Vm {
    pub fn as_generator(&self, v: Value) -> Option<ObjRef> {
        match v {
            Value::Obj(r) if matches!(self.heap.get(r), Object::Generator(_)) => Some(r),
            _ => None,
        }
    }

    /// The generator a `yield from` (or `await`) steps directly: a generator or coroutine,
    /// or the coroutine behind `coroutine.__await__()`.
    pub fn as_delegate(&self, v: Value) -> Option<ObjRef> {
        match self.heap.get(v.as_obj()?) {
            Object::Generator(_) => v.as_obj(),
            Object::Iter(Iter::Await(coro)) => Some(*coro),
            _ => None,
        }
    }

    /// Takes a generator's frame to run it: `None` when it has already finished.
    pub fn resume_generator(
        &mut self,
        g: ObjRef,
        sent: Value,
        resume: Resume,
    ) -> PyResult<Option<Box<Frame>>> {
        let Object::Generator(gn) = self.heap.get_mut(g) else {
            unreachable!("resume_generator is given generators")
        };
        if gn.running {
            let what = match gn.kind {
                GenKind::AsyncGenerator => "async generator",
                other => other.name(),
            };
            return Err(self.new_exception("ValueError", &format!("{what} already executing")));
        }
        let Some(mut frame) = gn.frame.take() else {
            if gn.kind == GenKind::Coroutine {
                return Err(
                    self.new_exception("RuntimeError", "cannot reuse already awaited coroutine")
                );
            }
            return Ok(None);
        };
        gn.running = true;
        if frame.lasti >= 0 {
            frame.stack.push(sent);
        } else if sent != Value::None {
            gn.frame = Some(frame);
            gn.running = false;
            let what = match gn.kind {
                GenKind::Generator => "generator",
                _ => "coroutine",
            };
            return Err(self.type_error(&format!(
                "can't send non-None value to a just-started {what}"
            )));
        }
        frame.resume = resume;
        self.enter_generator_exc(g);
        Ok(Some(frame))
    }

    /// The generator starts running: the caller's handled exception is put aside, and the
    /// generator's own (if it was suspended in an `except` block) comes back.
    pub(super) fn enter_generator_exc(&mut self, g: ObjRef) {
        let outer = self.handled;
        if let Object::Generator(gn) = self.heap.get_mut(g) {
            gn.outer_exc = outer;
            if gn.own_exc != Value::None {
                self.handled = gn.own_exc;
            }
        }
    }

    /// The generator stops running (suspended, or finished): what it is handling stays
    /// with it, and the caller's handled exception is back.
    fn leave_generator_exc(&mut self, g: ObjRef, finished: bool) {
        let current = self.handled;
        if let Object::Generator(gn) = self.heap.get_mut(g) {
            let outer = std::mem::replace(&mut gn.outer_exc, Value::None);
            gn.own_exc = if !finished && !current.is(outer) {
                current
            } else {
                Value::None
            };
            self.handled = outer;
        }
    }

    pub(super) fn suspend_generator(&mut self, g: ObjRef, f: Box<Frame>) {
        self.leave_generator_exc(g, false);
        if let Object::Generator(gn) = self.heap.get_mut(g) {
            gn.lasti = f.lasti;
            gn.running = false;
            gn.frame = Some(f);
        }
    }

    pub(super) fn finish_generator(&mut self, g: ObjRef) -> GenKind {
        self.leave_generator_exc(g, true);
        match self.heap.get_mut(g) {
            Object::Generator(gn) => {
                gn.running = false;
                gn.frame = None;
                gn.kind
            }
            _ => GenKind::Generator,
        }
    }

    /// An exception escapes a generator's frame: the generator is finished, and a
    /// StopIteration (StopAsyncIteration from an async generator) becomes the RuntimeError
    /// of PEP 479, with the original as its cause: it is a bug, not the end of iteration.
    pub(super) fn escape_generator(&mut self, g: ObjRef, exc: Value) -> Value {
        let kind = self.finish_generator(g);
        let escaped = if self.exception_is(exc, "StopIteration") {
            "StopIteration"
        } else if kind == GenKind::AsyncGenerator && self.exception_is(exc, "StopAsyncIteration") {
            "StopAsyncIteration"
        } else {
            return exc;
        };
        let what = match kind {
            GenKind::AsyncGenerator => "async generator",
            other => other.name(),
        };
        let new = self.new_exception("RuntimeError", &format!("{what} raised {escaped}"));
        self.set_exception_field(new, ExcField::Cause, exc);
        self.set_exception_field(new, ExcField::Context, exc);
        self.set_exception_field(new, ExcField::SuppressContext, Value::Bool(true));
        new
    }

    /// Wraps a new frame of a generator or coroutine function in its object.
    pub fn make_generator(&mut self, frame: Box<Frame>, qualname: CompactString) -> Value {
        let flags = frame.code().co_flags;
        let kind = if flags & CO_ASYNC_GENERATOR != 0 {
            GenKind::AsyncGenerator
        } else if flags & CO_COROUTINE != 0 {
            GenKind::Coroutine
        } else {
            debug_assert!(frame.code().co_flags & CO_GENERATOR != 0);
            GenKind::Generator
        };
        let code = frame.code().clone();
        let g = self.heap.alloc(Object::Generator(Box::new(Generator {
            kind,
            name: CompactString::new(&code.co_name),
            qualname,
            code,
            frame: None,
            running: false,
            lasti: -1,
            own_exc: Value::None,
            outer_exc: Value::None,
            hooks_inited: false,
            finalizer: Value::None,
            closed: false,
        })));
        let mut frame = frame;
        frame.generator = Some(g);
        if let Object::Generator(gn) = self.heap.get_mut(g) {
            gn.frame = Some(frame);
        }
        Value::Obj(g)
    }

    /// Runs a generator one step from native code: `Some(value)` if it yielded, `None` if it
    /// returned (its value is kept for `take_stop_value`).
    pub fn gen_send(&mut self, g: ObjRef, sent: Value) -> PyResult<Option<Value>> {
        match self.resume_generator(g, sent, Resume::Native)? {
            None => {
                self.stop_value = Value::None;
                Ok(None)
            }
            Some(frame) => {
                let v = self.run_frame(frame)?;
                if self.gen_returned {
                    self.stop_value = v;
                    Ok(None)
                } else {
                    Ok(Some(v))
                }
            }
        }
    }

    /// Raises `exc` inside a suspended generator frame (generator.throw).
    pub fn throw_frame(&mut self, mut frame: Box<Frame>, exc: Value) -> PyResult<Option<Value>> {
        let g = frame.generator;
        let base = self.frames.len();
        match self.handle_exception(&mut frame, exc) {
            Some(exc) => match g {
                Some(g) => Err(self.escape_generator(g, exc)),
                None => Err(exc),
            },
            None => {
                self.frames.push(frame);
                self.native_depth += 1;
                let v = self.run_until(base);
                self.native_depth -= 1;
                let v = v?;
                if self.gen_returned {
                    self.stop_value = v;
                    Ok(None)
                } else {
                    Ok(Some(v))
                }
            }
        }
    }

    /// A coroutine freed before it ever ran: CPython 3.7 warns then, naming the line that
    /// was running (an expression statement that dropped it, or where the collector found
    /// it); `sys:1` when no Python code was (at exit). Once per line and coroutine name, as
    /// the warnings module's default filter.
    pub(super) fn warn_never_awaited(&mut self, coro: ObjRef, at: Option<(String, u32)>) {
        let Object::Generator(g) = self.heap.get_mut(coro) else {
            return;
        };
        // Warned once: the collector does not warn again.
        g.closed = true;
        let name = g.qualname.clone();
        let (file, line) = at.unwrap_or_else(|| ("sys".to_string(), 1));
        // A program that imported warnings filters and records it as any warning.
        if let Some(&warnings) = self.modules.get("warnings") {
            let message = self.new_str(format!("coroutine '{name}' was never awaited"));
            let category = Value::Obj(self.types["RuntimeWarning"]);
            let file_v = self.new_str(file.clone());
            let mut args = Args::new(vec![message, category, file_v, Value::Int(i64::from(line))]);
            args.kw.push(("source".into(), Value::Obj(coro)));
            let shown = self
                .getattr(Value::Obj(warnings), "warn_explicit")
                .and_then(|warn| self.call(warn, args));
            if let Err(exc) = shown {
                self.report_unraisable(Value::Obj(coro), exc);
            }
            return;
        }
        if !self.warned.insert((format!("{file}\0{name}"), line)) {
            return;
        }
        let text = self
            .sources
            .get(&file)
            .and_then(|l| l.get((line as usize).wrapping_sub(1)))
            .map(|l| format!("\n  {}", l.trim()))
            .unwrap_or_default();
        self.flush();
        crate::reportln!(
            "{file}:{line}: RuntimeWarning: coroutine '{name}' was never awaited{text}"
        );
        crate::reportln!(
            "RuntimeWarning: Enable tracemalloc to get the object allocation traceback"
        );
    }

    /// The StopIteration a finished generator raises, carrying its return value.
    pub fn stop_iteration(&mut self) -> Value {
        let value = self.take_stop_value();
        let args = if value == Value::None {
            vec![]
        } else {
            vec![value]
        };
        self.new_exception_args("StopIteration", args)
    }

    pub fn take_stop_value(&mut self) -> Value {
        std::mem::replace(&mut self.stop_value, Value::None)
    }
}

// ---------------------------------------------------------------- the methods

pub(crate) fn g_send(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let g = r
        .expect("methods are bound to a receiver")
        .as_obj()
        .expect("generator");
    if args.pos.len() != 1 {
        let n = args.pos.len();
        return Err(vm.type_error(&format!("send() takes exactly one argument ({n} given)")));
    }
    let sent = args.pos[0];
    match vm.gen_send(g, sent)? {
        Some(v) => Ok(v),
        None => Err(vm.stop_iteration()),
    }
}

pub(crate) fn g_next(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    g_send(vm, r, Args::new(vec![Value::None]))
}

/// `coroutine.__await__()`: the coroutine as an iterator (a hand-written `__await__` can
/// `yield from` it).
pub(crate) fn co_await(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let coro = r.and_then(|v| v.as_obj()).expect("bound to a coroutine");
    Ok(vm.alloc(Object::Iter(Iter::Await(coro))))
}

/// The coroutine behind a `coroutine_wrapper` method's receiver.
fn wrapped(r: Option<Value>, vm: &Vm) -> Value {
    match r.and_then(|v| v.as_obj()).map(|o| vm.heap.get(o)) {
        Some(Object::Iter(Iter::Await(coro))) => Value::Obj(*coro),
        _ => unreachable!("coroutine_wrapper methods are bound to one"),
    }
}

/// send, throw, close and __next__ of `coroutine.__await__()`: the coroutine's.
pub(crate) fn cw_send(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let coro = wrapped(r, vm);
    g_send(vm, Some(coro), args)
}

pub(crate) fn cw_next(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let coro = wrapped(r, vm);
    g_send(vm, Some(coro), Args::new(vec![Value::None]))
}

pub(crate) fn cw_throw(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let coro = wrapped(r, vm);
    g_throw(vm, Some(coro), args)
}

pub(crate) fn cw_close(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let coro = wrapped(r, vm);
    g_close(vm, Some(coro), args)
}

/// Raises `exc` inside a suspended generator at its yield.
pub(crate) fn g_throw(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let g = r
        .expect("methods are bound to a receiver")
        .as_obj()
        .expect("generator");
    let exc = thrown_exception(vm, &args)?;
    throw_into(vm, g, exc)
}

/// The exception `throw(type[, value[, tb]])` raises (generators, coroutines, `athrow`).
pub(crate) fn thrown_exception(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    let typ = args.pos.first().copied().unwrap_or(Value::None);
    if args.pos.get(2).is_some_and(|tb| *tb != Value::None) {
        return Err(vm.type_error("throw() third argument must be a traceback object"));
    }
    let is_class = matches!(typ.as_obj().map(|t| vm.heap.get(t)), Some(Object::Class(_)));
    // As CPython: throw(Type, value) makes Type(value) unless value already is a Type
    // (a tuple gives the arguments); throw(instance, value) is refused.
    let exc = match args.pos.get(1).copied().filter(|v| *v != Value::None) {
        Some(v) if is_class => {
            let typ_ref = typ.as_obj().expect("a class");
            if vm.is_subclass(vm.type_of(v), typ_ref) {
                v
            } else if matches!(v.as_obj().map(|o| vm.heap.get(o)), Some(Object::Tuple(_))) {
                let items = vm.tuple_items(v);
                vm.call(typ, Args::new(items))?
            } else {
                vm.call(typ, Args::new(vec![v]))?
            }
        }
        Some(_) if vm.exception_is(typ, "BaseException") => {
            return Err(vm.type_error("instance exception may not have a separate value"));
        }
        _ if is_class || vm.exception_is(typ, "BaseException") => vm.make_exception(typ)?,
        _ => {
            let t = vm.type_name(typ);
            return Err(vm.type_error(&format!(
                "exceptions must be classes or instances deriving from BaseException, not {t}"
            )));
        }
    };
    Ok(exc)
}

pub(crate) fn throw_into(vm: &mut Vm, g: ObjRef, mut exc: Value) -> R {
    let frame = match vm.heap.get_mut(g) {
        Object::Generator(gn) => {
            if gn.running {
                let what = match gn.kind {
                    GenKind::AsyncGenerator => "async generator",
                    other => other.name(),
                };
                let message = format!("{what} already executing");
                return Err(vm.new_exception("ValueError", &message));
            }
            match &gn.frame {
                // Finished: the exception is raised as it is.
                None => return Err(exc),
                // Not started: raised at its first line, it escapes the body at once.
                Some(f) if f.lasti < 0 => {
                    vm.enter_generator_exc(g);
                    return Err(vm.escape_generator(g, exc));
                }
                Some(_) => {}
            }
            gn.running = true;
            gn.frame.take()
        }
        _ => None,
    };
    let Some(mut frame) = frame else {
        return Err(exc);
    };
    // Suspended in `yield from`: the exception goes to the subgenerator first.
    let delegating =
        frame.code().co_code.get(frame.pc) == Some(&(crate::bytecode::Opcode::YIELD_FROM as u8));
    let inner = frame.stack.last().copied().filter(|_| delegating);
    // As PEP 380: GeneratorExit closes the subiterator, then is raised here (or what its
    // close raised is); another exception goes to the subiterator's throw, if it has one.
    let outcome = match inner {
        Some(inner) if vm.exception_is(exc, "GeneratorExit") => {
            if let Err(e) = close_iterator(vm, inner) {
                exc = e;
            }
            None
        }
        Some(inner) => match vm.as_delegate(inner) {
            Some(ig) => Some(throw_into(vm, ig, exc)),
            None if vm.as_async_gen_step(inner).is_some() => {
                Some(vm.step_throw(inner.as_obj().expect("a step"), exc))
            }
            None => match vm.getattr_opt(inner, "throw") {
                Ok(Some(throw)) => Some(vm.call(throw, Args::new(vec![exc]))),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            },
        },
        None => None,
    };
    if let Some(outcome) = outcome {
        match outcome {
            Ok(v) => {
                // The subgenerator yielded: the delegating frame stays suspended.
                if let Object::Generator(gn) = vm.heap.get_mut(g) {
                    gn.running = false;
                    gn.frame = Some(frame);
                }
                return Ok(v);
            }
            Err(e) if vm.exception_is(e, "StopIteration") => {
                // The subgenerator returned: `yield from` evaluates to its value.
                let value = vm.getattr(e, "value")?;
                frame.stack.pop();
                frame.lasti = frame.pc as i64;
                frame.pc += 2;
                if let Object::Generator(gn) = vm.heap.get_mut(g) {
                    gn.running = false;
                    gn.frame = Some(frame);
                }
                return match vm.gen_send(g, value)? {
                    Some(v) => Ok(v),
                    None => Err(vm.stop_iteration()),
                };
            }
            Err(e) => {
                frame.resume = Resume::Native;
                vm.enter_generator_exc(g);
                return match vm.throw_frame(frame, e)? {
                    Some(v) => Ok(v),
                    None => Err(vm.stop_iteration()),
                };
            }
        }
    }
    frame.resume = Resume::Native;
    vm.enter_generator_exc(g);
    match vm.throw_frame(frame, exc)? {
        Some(v) => Ok(v),
        None => Err(vm.stop_iteration()),
    }
}

/// Closes what a `yield from` delegates to: a generator's close, or the iterator's own
/// `close` if it has one.
fn close_iterator(vm: &mut Vm, it: Value) -> PyResult<()> {
    if let Some(g) = vm.as_delegate(it) {
        return g_close(vm, Some(Value::Obj(g)), Args::default()).map(|_| ());
    }
    if let Some(step) = vm.as_async_gen_step(it) {
        vm.step_close(step);
        return Ok(());
    }
    if let Some(close) = vm.getattr_opt(it, "close")? {
        vm.call(close, Args::default())?;
    }
    Ok(())
}

pub(crate) fn g_close(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let g = r
        .expect("methods are bound to a receiver")
        .as_obj()
        .expect("generator");
    let started = matches!(vm.heap.get(g), Object::Generator(gn) if gn.frame.as_ref().is_some_and(|f| f.lasti >= 0));
    if !started {
        if let Object::Generator(gn) = vm.heap.get_mut(g) {
            gn.frame = None;
        }
        return Ok(Value::None);
    }
    let exit = vm.new_exception("GeneratorExit", "");
    match throw_into(vm, g, exit) {
        Ok(_) => Err(vm.new_exception("RuntimeError", "generator ignored GeneratorExit")),
        Err(e) if vm.exception_is(e, "GeneratorExit") || vm.exception_is(e, "StopIteration") => {
            Ok(Value::None)
        }
        Err(e) => Err(e),
    }
}
