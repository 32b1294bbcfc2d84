//! Async generators (`async def` with `yield`), as CPython 3.7's genobject.c: the body runs
//! as a generator frame whose own `yield`s are wrapped (`Object::AsyncGenValue`, made by
//! YIELD_VALUE) so they can be told apart from what its `await`s yield. `__anext__`,
//! `asend`, `athrow` and `aclose` return an awaitable (`AsyncGenStep`); awaiting it steps the
//! body: a wrapped value ends the step (StopIteration carrying it), anything else passes up
//! to whoever drives the awaiter (an event loop), and the end of the body is
//! StopAsyncIteration. Also the `firstiter` hook of sys.set_asyncgen_hooks.

use super::generators::throw_into;
use super::object::{Args, AsyncGenStep, GenKind, Object, StepKind, StepState};
use super::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

/// sys.set_asyncgen_hooks(firstiter, finalizer): called with each async generator when it
/// is first iterated; the finalizer is kept with the generator.
#[derive(Default, Clone)]
pub struct AsyncGenHooks {
    pub firstiter: Option<Value>,
    pub finalizer: Option<Value>,
}

impl Vm {
    pub fn as_async_gen(&self, v: Value) -> Option<ObjRef> {
        let r = v.as_obj()?;
        matches!(self.heap.get(r), Object::Generator(g) if g.kind == GenKind::AsyncGenerator)
            .then_some(r)
    }

    pub fn as_async_gen_step(&self, v: Value) -> Option<ObjRef> {
        let r = v.as_obj()?;
        matches!(self.heap.get(r), Object::AsyncGenStep(_)).then_some(r)
    }

    /// The hooks' values, as collector roots.
    pub fn async_gen_hook_values(&mut self) -> Vec<Value> {
        let hooks = self.module_state(AsyncGenHooks::default);
        hooks.firstiter.into_iter().chain(hooks.finalizer).collect()
    }

    /// The first `__anext__`/`asend`/`athrow` of an async generator calls the `firstiter`
    /// hook (asyncio's loop registers the generator there) and keeps the finalizer.
    fn init_async_gen_hooks(&mut self, agen: ObjRef) -> PyResult<()> {
        let Object::Generator(g) = self.heap.get_mut(agen) else {
            return Ok(());
        };
        if g.hooks_inited {
            return Ok(());
        }
        g.hooks_inited = true;
        let hooks = self.module_state(AsyncGenHooks::default);
        let (firstiter, finalizer) = (hooks.firstiter, hooks.finalizer);
        if let Some(f) = finalizer
            && let Object::Generator(g) = self.heap.get_mut(agen)
        {
            g.finalizer = f;
        }
        if let Some(first) = firstiter {
            self.call(first, Args::new(vec![Value::Obj(agen)]))?;
        }
        Ok(())
    }

    fn new_step(&mut self, agen: ObjRef, kind: StepKind) -> PyResult<Value> {
        self.init_async_gen_hooks(agen)?;
        Ok(self.alloc(Object::AsyncGenStep(Box::new(AsyncGenStep {
            agen,
            kind,
            state: StepState::Init,
        }))))
    }

    fn step_parts(&self, step: ObjRef) -> (ObjRef, StepKind, StepState) {
        match self.heap.get(step) {
            Object::AsyncGenStep(s) => (s.agen, s.kind, s.state),
            _ => unreachable!("step methods are bound to steps"),
        }
    }

    fn set_step_state(&mut self, step: ObjRef, state: StepState) {
        if let Object::AsyncGenStep(s) = self.heap.get_mut(step) {
            s.state = state;
        }
    }

    fn mark_closed(&mut self, agen: ObjRef) {
        if let Object::Generator(g) = self.heap.get_mut(agen) {
            g.closed = true;
        }
    }

    /// What one run of the body means to the awaiter: its own `yield x` ends the step
    /// (StopIteration(x)); a value an inner await yielded passes up; the end of the body is
    /// StopAsyncIteration (and, like GeneratorExit, leaves the generator closed).
    fn unwrap_step(&mut self, agen: ObjRef, ran: PyResult<Option<Value>>) -> R {
        match ran {
            Ok(Some(v)) => match v.as_obj().map(|r| self.heap.get(r)) {
                Some(Object::AsyncGenValue(inner)) => {
                    let inner = *inner;
                    let args = if inner == Value::None {
                        vec![]
                    } else {
                        vec![inner]
                    };
                    Err(self.new_exception_args("StopIteration", args))
                }
                _ => Ok(v),
            },
            Ok(None) => {
                self.mark_closed(agen);
                Err(self.new_exception_args("StopAsyncIteration", vec![]))
            }
            Err(e) => {
                if self.exception_is(e, "StopAsyncIteration")
                    || self.exception_is(e, "GeneratorExit")
                {
                    self.mark_closed(agen);
                }
                Err(e)
            }
        }
    }

    /// Runs the body one step by throwing `exc` into it: `Some` what it yielded next.
    fn agen_throw(&mut self, agen: ObjRef, exc: Value) -> PyResult<Option<Value>> {
        match throw_into(self, agen, exc) {
            Ok(v) => Ok(Some(v)),
            // The body returned: throw_into reports that as StopIteration.
            Err(e) if self.exception_is(e, "StopIteration") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `step.send(arg)`: one step of the awaitable.
    pub fn step_send(&mut self, step: ObjRef, arg: Value) -> R {
        let (agen, kind, state) = self.step_parts(step);
        if state == StepState::Closed {
            return Err(self.new_exception_args("StopIteration", vec![]));
        }
        let result = match (kind, state) {
            (StepKind::Send(first), StepState::Init) => {
                let arg = if arg == Value::None { first } else { arg };
                self.set_step_state(step, StepState::Iter);
                let ran = self.gen_send(agen, arg);
                self.unwrap_step(agen, ran)
            }
            (StepKind::Send(_), _) => {
                let ran = self.gen_send(agen, arg);
                self.unwrap_step(agen, ran)
            }
            (_, StepState::Init) => {
                let closed = matches!(self.heap.get(agen), Object::Generator(g) if g.closed);
                if closed {
                    self.set_step_state(step, StepState::Closed);
                    return Err(self.new_exception_args("StopIteration", vec![]));
                }
                if arg != Value::None {
                    return Err(self.new_exception(
                        "RuntimeError",
                        "can't send non-None value to a just-started coroutine",
                    ));
                }
                self.set_step_state(step, StepState::Iter);
                match kind {
                    StepKind::Throw(exc) => {
                        let ran = self.agen_throw(agen, exc);
                        self.unwrap_step(agen, ran)
                    }
                    _ => {
                        self.mark_closed(agen);
                        let exit = self.new_exception("GeneratorExit", "");
                        let ran = self.agen_throw(agen, exit);
                        self.close_outcome(agen, ran)
                    }
                }
            }
            (StepKind::Throw(_), _) => {
                let ran = self.gen_send(agen, arg);
                self.unwrap_step(agen, ran)
            }
            (StepKind::Close, _) => {
                let ran = self.gen_send(agen, arg);
                self.close_outcome(agen, ran)
            }
        };
        self.finish_step(step, kind, result)
    }

    /// `aclose()`'s step: the body must not yield a value of its own after GeneratorExit.
    fn close_outcome(&mut self, agen: ObjRef, ran: PyResult<Option<Value>>) -> R {
        match ran {
            Ok(Some(v))
                if matches!(
                    v.as_obj().map(|r| self.heap.get(r)),
                    Some(Object::AsyncGenValue(_))
                ) =>
            {
                Err(self.new_exception("RuntimeError", "async generator ignored GeneratorExit"))
            }
            Ok(Some(v)) => Ok(v),
            Ok(None) => {
                self.mark_closed(agen);
                Err(self.new_exception_args("StopAsyncIteration", vec![]))
            }
            Err(e) => Err(e),
        }
    }

    /// A step that ended: closed for good; aclose() (and athrow) count the body's end
    /// (StopAsyncIteration, GeneratorExit) as success.
    fn finish_step(&mut self, step: ObjRef, kind: StepKind, result: R) -> R {
        let Err(e) = result else {
            return result;
        };
        self.set_step_state(step, StepState::Closed);
        let ended =
            self.exception_is(e, "StopAsyncIteration") || self.exception_is(e, "GeneratorExit");
        if kind == StepKind::Close && ended {
            return Err(self.new_exception_args("StopIteration", vec![]));
        }
        Err(e)
    }

    /// `step.throw(exc)`: raises `exc` inside the body at the await it is suspended in.
    pub fn step_throw(&mut self, step: ObjRef, exc: Value) -> R {
        let (agen, kind, state) = self.step_parts(step);
        if state == StepState::Closed {
            return Err(self.new_exception_args("StopIteration", vec![]));
        }
        let ran = self.agen_throw(agen, exc);
        let result = if kind == StepKind::Close {
            self.close_outcome(agen, ran)
        } else {
            self.unwrap_step(agen, ran)
        };
        self.finish_step(step, kind, result)
    }

    pub fn step_close(&mut self, step: ObjRef) {
        self.set_step_state(step, StepState::Closed);
    }
}

fn agen_of(r: Option<Value>) -> ObjRef {
    r.and_then(|v| v.as_obj())
        .expect("async generator methods are bound to one")
}

pub(crate) fn ag_aiter(_: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(r.expect("bound"))
}

pub(crate) fn ag_anext(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    vm.new_step(agen_of(r), StepKind::Send(Value::None))
}

pub(crate) fn ag_asend(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    vm.new_step(agen_of(r), StepKind::Send(v))
}

pub(crate) fn ag_athrow(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let exc = super::generators::thrown_exception(vm, &args)?;
    vm.new_step(agen_of(r), StepKind::Throw(exc))
}

pub(crate) fn ag_aclose(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    vm.new_step(agen_of(r), StepKind::Close)
}

fn step_of(r: Option<Value>) -> ObjRef {
    r.and_then(|v| v.as_obj())
        .expect("step methods are bound to one")
}

pub(crate) fn st_send(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let v = args.pos.first().copied().unwrap_or(Value::None);
    vm.step_send(step_of(r), v)
}

pub(crate) fn st_next(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    vm.step_send(step_of(r), Value::None)
}

pub(crate) fn st_throw(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let exc = super::generators::thrown_exception(vm, &args)?;
    vm.step_throw(step_of(r), exc)
}

pub(crate) fn st_close(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    vm.step_close(step_of(r));
    Ok(Value::None)
}

/// `__iter__` and `__await__` of a step: the step itself.
pub(crate) fn st_self(_: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(r.expect("bound"))
}
