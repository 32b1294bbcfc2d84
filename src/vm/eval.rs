//! The eval loop: executes CPython 3.7 wordcode on heap frames. `execute` runs the current
//! frame until it calls, returns, yields or lets an exception escape (`run.rs` moves between
//! frames on those events; `unwind.rs` handles exceptions and the block stack). The GIL check
//! comes before every counted instruction; the simplest instructions run in `fast_path.rs`,
//! and the rarer opcode families in `eval_ops.rs`.

use super::fast_path::{Hot, starts_simple};
use super::frame::{Block, BlockKind, Event, Frame, Resume};
use super::object::{Args, GenKind, Object};
use super::stack_ops::Delegation;
use super::unwind::{Unwind, WHY_SILENCED};
use super::{Call, Value, Vm};
use crate::bytecode::Opcode as Op;
use crate::bytecode::code::flags::CO_ASYNC_GENERATOR;
use crate::bytecode::opcode::{EXTENDED_ARG, counts_tick};

impl Vm {
    /// The GIL check before a counted instruction while an observer sees every step
    /// (`next_check` stays 0 then): the scheduler's own check falls due at `threads.due`.
    /// True when the thread must give up the GIL; otherwise the observer sees the step.
    #[cold]
    #[inline(never)]
    fn observed_check(&mut self, f: &Frame) -> bool {
        if self.ticks >= self.threads.due {
            self.threads.due = self.ticks + u64::from(self.threads.check_interval);
            if self.native_depth == self.threads.base_depth && !self.keeps_gil(f) {
                return true;
            }
        }
        self.observe(|o, vm| o.step(vm, f));
        false
    }

    /// Executes instructions of `f` until it hands control elsewhere.
    ///
    /// Calls, returns and yields between frames of this run (above `base`) switch frames
    /// here, as `run_until` would, without leaving the loop; the rest go to `run_until`.
    pub fn execute(&mut self, f: &mut Box<Frame>, base: usize) -> Event {
        // On error: run a handler in this frame (continuing the dispatch loop, even from
        // inside an opcode's own loop) or let the exception escape.
        macro_rules! tryv {
            ($label:lifetime, $e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(exc) => match self.handle_exception(f, exc) {
                        None => continue $label,
                        Some(exc) => return Event::Raise(exc),
                    },
                }
            };
        }
        // A re-raise: unwind without a new traceback entry.
        macro_rules! reraise {
            ($label:lifetime, $exc:expr) => {
                match self.unwind_exception(f, $exc) {
                    None => continue $label,
                    Some(exc) => return Event::Raise(exc),
                }
            };
        }
        // The end of CALL_FUNCTION, CALL_METHOD, CALL_FUNCTION_KW and CALL_FUNCTION_EX. The
        // operands stay on the stack until the call is made, so a call that blocks (a lock,
        // a join, a sleep) leaves them there and re-runs when the thread wakes.
        macro_rules! finish_call {
            ($frame_label:lifetime, $label:lifetime, $result:expr, $base:expr) => {{
                let result = $result;
                if let Err(e) = result
                    && self.is_block_signal(e)
                {
                    f.pc = f.lasti as usize;
                    return Event::Block;
                }
                f.stack.truncate($base);
                match tryv!($label, result) {
                    Call::Done(v) => {
                        f.stack.push(v);
                        if self.collect_requested {
                            self.collect_after_native(f);
                        }
                    }
                    Call::Frame(frame) => enter!($frame_label, frame),
                }
            }};
        }
        // A call: the new frame runs next, its caller waits on `frames` (run_until's
        // Event::Call, whose RecursionError it leaves to run_until).
        macro_rules! enter {
            ($label:lifetime, $frame:expr) => {{
                let frame = $frame;
                if self.frames.len() + 1 >= self.recursion_limit {
                    return Event::Call(frame);
                }
                let caller = std::mem::replace(f, frame);
                self.frames.push(caller);
                continue $label;
            }};
        }
        macro_rules! pop {
            () => {
                f.stack
                    .pop()
                    .expect("the compiler's stack depth keeps pops balanced")
            };
        }
        macro_rules! top {
            () => {
                *f.stack
                    .last()
                    .expect("the compiler's stack depth keeps pops balanced")
            };
        }
        // Re-entered with another thread's frame when the GIL changes hands at a check.
        'frame: loop {
            let consts = f.consts.clone();
            let code = &consts.code;
            let bytes: &[u8] = &code.co_code;
            'dispatch: loop {
                // (At a due check the hot path would return at once.)
                if self.ticks + 1 < self.threads.next_check
                    && starts_simple(bytes[f.pc])
                    && self.run_hot(f, bytes, &consts.consts) == Hot::Switch
                {
                    if !self.driven() && self.preempt_contents(f) {
                        continue 'frame;
                    }
                    return Event::Preempt;
                }
                // An instruction that counts toward the check interval takes a tick, and the
                // GIL is offered before it when the interval is spent (never while there is
                // one thread).
                if counts_tick(bytes[f.pc]) {
                    self.ticks += 1;
                    if self.ticks >= self.threads.next_check {
                        if self.ticks >= self.threads.step_limit {
                            self.out_of_steps();
                        }
                        // Leave the frame only if another thread takes the GIL.
                        let leaves = if self.threads.observed {
                            self.observed_check(f)
                        } else {
                            self.set_next_check(
                                self.ticks + u64::from(self.threads.check_interval),
                            );
                            self.native_depth == self.threads.base_depth && !self.keeps_gil(f)
                        };
                        if leaves {
                            if !self.driven() && self.preempt_contents(f) {
                                continue 'frame;
                            }
                            return Event::Preempt;
                        }
                    }
                } else if self.threads.observed {
                    // (Observed, `next_check` stays 0: the hot path never runs.)
                    self.observe(|o, vm| o.step(vm, f));
                }
                let mut pc = f.pc;
                let mut arg = u32::from(bytes[pc + 1]);
                while bytes[pc] == EXTENDED_ARG {
                    pc += 2;
                    arg = (arg << 8) | u32::from(bytes[pc + 1]);
                }
                let Some(op) = Op::from_byte(bytes[pc]) else {
                    let exc =
                        self.new_exception("SystemError", &format!("unknown opcode {}", bytes[pc]));
                    return Event::Raise(exc);
                };
                f.lasti = pc as i64;
                f.pc = pc + 2;
                let name = |i: u32| code.co_names[i as usize].as_str();
                match op {
                    Op::NOP | Op::EXTENDED_ARG => {}
                    Op::POP_TOP => {
                        let v = pop!();
                        if let Value::Obj(r) = v
                            && let Object::Generator(g) = self.heap.get(r)
                            && g.kind == GenKind::Coroutine
                            && g.frame.as_ref().is_some_and(|fr| fr.lasti < 0)
                        {
                            let at = (f.code().co_filename.clone(), f.lineno());
                            self.warn_never_awaited(r, Some(at));
                        }
                    }
                    Op::ROT_TWO => {
                        let n = f.stack.len();
                        f.stack.swap(n - 1, n - 2);
                    }
                    Op::ROT_THREE => {
                        let v = pop!();
                        let n = f.stack.len();
                        f.stack.insert(n - 2, v);
                    }
                    Op::DUP_TOP => {
                        let v = top!();
                        f.stack.push(v);
                    }
                    Op::DUP_TOP_TWO => {
                        let n = f.stack.len();
                        let (a, b) = (f.stack[n - 2], f.stack[n - 1]);
                        f.stack.push(a);
                        f.stack.push(b);
                    }
                    Op::LOAD_CONST => f.stack.push(consts[arg as usize]),
                    Op::LOAD_FAST => match f.fast[arg as usize] {
                        Some(v) => f.stack.push(v),
                        None => {
                            let exc = self.unbound_local_error(code, arg as usize);
                            tryv!('dispatch, Err(exc))
                        }
                    },
                    Op::STORE_FAST => f.fast[arg as usize] = Some(pop!()),
                    Op::DELETE_FAST => match f.fast[arg as usize].take() {
                        Some(old) => self.after_del(old, f),
                        None => {
                            let exc = self.unbound_local_error(code, arg as usize);
                            tryv!('dispatch, Err(exc))
                        }
                    },
                    Op::LOAD_GLOBAL => {
                        let n = name(arg);
                        let v = match self.global_hinted(f.globals, n, consts.hint(f.lasti)) {
                            Some(v) => v,
                            None => tryv!('dispatch, self.load_global(f, n)),
                        };
                        f.stack.push(v);
                    }
                    Op::STORE_GLOBAL => {
                        let v = pop!();
                        self.dict_set_str(f.globals, name(arg), v);
                    }
                    Op::DELETE_GLOBAL => {
                        let n = name(arg).to_string();
                        let old = self.dict_get_str(f.globals, &n);
                        tryv!('dispatch, self.dict_del_name(f.globals, &n));
                        if let Some(old) = old {
                            self.after_del(old, f);
                        }
                    }
                    Op::LOAD_NAME => {
                        let v = tryv!('dispatch, self.load_name(f, name(arg)));
                        f.stack.push(v);
                    }
                    Op::STORE_NAME => {
                        let v = pop!();
                        tryv!('dispatch, self.store_name(f, name(arg), v));
                    }
                    Op::DELETE_NAME => {
                        let old = tryv!('dispatch, self.delete_name(f, name(arg)));
                        if let Some(old) = old {
                            self.after_del(old, f);
                        }
                    }
                    Op::LOAD_DEREF | Op::LOAD_CLASSDEREF | Op::LOAD_CLOSURE => {
                        let cell = f.cells[arg as usize];
                        if op == Op::LOAD_CLOSURE {
                            f.stack.push(Value::Obj(cell));
                            continue;
                        }
                        if op == Op::LOAD_CLASSDEREF {
                            let i = arg as usize - code.co_cellvars.len().min(arg as usize);
                            let n = code.co_freevars.get(i).cloned().unwrap_or_default();
                            if let Some(v) = tryv!('dispatch, self.local_name(f, &n)) {
                                f.stack.push(v);
                                continue;
                            }
                        }
                        match self.heap.get(cell) {
                            Object::Cell(Some(v)) => f.stack.push(*v),
                            _ => {
                                let exc = self.unbound_cell_error(code, arg as usize);
                                tryv!('dispatch, Err(exc))
                            }
                        }
                    }
                    Op::STORE_DEREF => {
                        let v = pop!();
                        let cell = f.cells[arg as usize];
                        *self.heap.get_mut(cell) = Object::Cell(Some(v));
                    }
                    Op::DELETE_DEREF => {
                        let cell = f.cells[arg as usize];
                        *self.heap.get_mut(cell) = Object::Cell(None);
                    }
                    Op::LOAD_ATTR => {
                        let obj = pop!();
                        let v = match self.load_attr_hinted(obj, name(arg), consts.hint(f.lasti)) {
                            Some(v) => v,
                            None => tryv!('dispatch, self.getattr(obj, name(arg))),
                        };
                        f.stack.push(v);
                    }
                    Op::STORE_ATTR => {
                        let obj = pop!();
                        let v = pop!();
                        if !self.store_attr_hinted(obj, name(arg), v, consts.hint(f.lasti)) {
                            tryv!('dispatch, self.setattr(obj, name(arg), v));
                        }
                    }
                    Op::DELETE_ATTR => {
                        let obj = pop!();
                        tryv!('dispatch, self.delattr(obj, name(arg)));
                    }
                    Op::LOAD_METHOD => {
                        // As CPython: [function, self] for a method found on the class, else
                        // [None, attribute] (None standing for NULL: a method is never None).
                        let obj = pop!();
                        match self.method_hinted(obj, name(arg), consts.hint(f.lasti)) {
                            Some(func) => {
                                f.stack.push(func);
                                f.stack.push(obj);
                            }
                            None => {
                                let v = tryv!('dispatch, self.getattr(obj, name(arg)));
                                f.stack.push(Value::None);
                                f.stack.push(v);
                            }
                        }
                    }
                    Op::CALL_METHOD | Op::CALL_FUNCTION => {
                        let n = arg as usize;
                        let args_at = f.stack.len() - n;
                        let (base, callable, first) = if op == Op::CALL_METHOD {
                            // The pair LOAD_METHOD left below the arguments.
                            let base = args_at - 2;
                            match (f.stack[base], f.stack[base + 1]) {
                                (Value::None, attr) => (base, attr, None),
                                (func, obj) => (base, func, Some(obj)),
                            }
                        } else {
                            (args_at - 1, f.stack[args_at - 1], None)
                        };
                        let nargs = n + usize::from(first.is_some());
                        if let Some(func) = self.simple_function(callable, nargs) {
                            let frame = self.simple_frame(func, first, &f.stack[args_at..]);
                            f.stack.truncate(base);
                            enter!('frame, frame);
                        }
                        if first.is_none()
                            && let Some((class, init)) = self.simple_init(callable, n)
                        {
                            // A new instance, then its __init__ frame (as prepare_call would).
                            let instance = self.new_instance(class);
                            let mut frame =
                                self.simple_frame(init, Some(instance), &f.stack[args_at..]);
                            frame.resume = Resume::Replace(instance);
                            f.stack.truncate(base);
                            enter!('frame, frame);
                        }
                        if let Some(receiver) = first
                            && let Some((method, name, arity)) = self.native_method(callable)
                        {
                            // A built-in type's method from LOAD_METHOD: no bound copy.
                            let result = match arity.mismatch(name, n) {
                                Some(message) => Err(self.type_error(&message)),
                                None => {
                                    let args = Args::new(f.stack[args_at..].to_vec());
                                    method(self, Some(receiver), args).map(Call::Done)
                                }
                            };
                            finish_call!('frame, 'dispatch, result, base);
                            continue 'dispatch;
                        }
                        let mut args = Vec::with_capacity(nargs);
                        args.extend(first);
                        args.extend_from_slice(&f.stack[args_at..]);
                        self.note_caller(callable, f);
                        finish_call!('frame, 'dispatch, self.prepare_call(callable, Args::new(args)), base);
                    }
                    Op::CALL_FUNCTION_KW => {
                        let n = arg as usize;
                        let top = f.stack.len() - 1;
                        let names = self.tuple_items(f.stack[top]);
                        let base = top - n - 1;
                        let mut all = f.stack[base + 1..top].to_vec();
                        let kwvals = all.split_off(n - names.len());
                        let kw = names
                            .iter()
                            .zip(kwvals)
                            .map(|(k, v)| (self.str_of(*k).unwrap_or_default().to_string(), v))
                            .collect();
                        let callable = f.stack[base];
                        self.note_caller(callable, f);
                        finish_call!('frame, 'dispatch, self.prepare_call(callable, Args { pos: all, kw }), base);
                    }
                    Op::CALL_FUNCTION_EX => {
                        let has_kwargs = arg & 1 == 1;
                        let top = f.stack.len() - 1;
                        let base = top - 1 - usize::from(has_kwargs);
                        let callable = f.stack[base];
                        let kwargs = has_kwargs.then(|| f.stack[top]);
                        let args = tryv!('dispatch, self.ex_call_args(callable, f.stack[base + 1], kwargs));
                        finish_call!('frame, 'dispatch, self.prepare_call(callable, args), base);
                    }
                    Op::MAKE_FUNCTION => {
                        let v = tryv!('dispatch, self.make_function(f, arg));
                        f.stack.push(v);
                    }
                    Op::RETURN_VALUE => {
                        let v = pop!();
                        // No block to unwind (a function without try/with/loop around
                        // its return) is the common case.
                        let returned = if f.blocks.is_empty() {
                            Some(v)
                        } else {
                            self.unwind(f, Unwind::Return(v))
                        };
                        if let Some(v) = returned {
                            if self.frames.len() > base && !matches!(f.resume, Resume::Native) {
                                // As run_until's Event::Return, for a caller in this run.
                                let resume = f.resume;
                                if let Some(g) = f.generator {
                                    self.finish_generator(g);
                                    self.gen_returned = true;
                                }
                                self.return_to_caller(f, resume, v);
                                continue 'frame;
                            }
                            return Event::Return(v);
                        }
                    }
                    Op::YIELD_VALUE => {
                        let mut v = pop!();
                        if code.co_flags & CO_ASYNC_GENERATOR != 0 {
                            // The async generator's own yield, told from its awaits'.
                            v = self.alloc(Object::AsyncGenValue(v));
                        }
                        if self.frames.len() > base && !matches!(f.resume, Resume::YieldFrom) {
                            // As run_until's Event::Yield: the generator's caller resumes.
                            let g = f.generator.expect("only generator frames yield");
                            let caller = self.frames.pop().expect("a caller below");
                            let suspended = std::mem::replace(f, caller);
                            self.suspend_generator(g, suspended);
                            self.gen_returned = false;
                            f.stack.push(v);
                            continue 'frame;
                        }
                        return Event::Yield(v);
                    }
                    Op::YIELD_FROM => {
                        let sent = pop!();
                        let receiver = top!();
                        if let Some(g) = self.as_delegate(receiver) {
                            match tryv!('dispatch, self.resume_generator(g, sent, Resume::YieldFrom))
                            {
                                Some(frame) => enter!('frame, frame),
                                None => {
                                    // An exhausted generator raises StopIteration(None) at once.
                                    pop!();
                                    f.stack.push(Value::None);
                                    continue;
                                }
                            }
                        }
                        match tryv!('dispatch, self.delegate_step(receiver, sent)) {
                            Delegation::Yielded(v) => {
                                // Suspended in the delegation: YIELD_FROM runs again on resume.
                                f.pc = f.lasti as usize;
                                f.lasti -= 2;
                                return Event::Yield(v);
                            }
                            Delegation::Finished(v) => {
                                pop!();
                                f.stack.push(v);
                            }
                        }
                    }
                    Op::GET_ITER => {
                        let v = pop!();
                        let it = tryv!('dispatch, self.get_iter(v));
                        f.stack.push(it);
                    }
                    Op::FOR_ITER => {
                        let it = top!();
                        let exhausted = f.pc + arg as usize;
                        if let Some(g) = self.as_delegate(it) {
                            if let Some(frame) = tryv!('dispatch, self.resume_generator(
                                g,
                                Value::None,
                                Resume::ForIter { exhausted }
                            )) {
                                enter!('frame, frame);
                            }
                            pop!();
                            f.pc = exhausted;
                            continue;
                        }
                        if let Some(next) = self.python_next_method(it) {
                            match tryv!('dispatch, self.prepare_call(next, Args::new(vec![it]))) {
                                Call::Frame(mut frame) => {
                                    frame.resume = Resume::Next { exhausted };
                                    enter!('frame, frame);
                                }
                                Call::Done(v) => {
                                    f.stack.push(v);
                                    continue;
                                }
                            }
                        }
                        match tryv!('dispatch, self.iter_next(it)) {
                            Some(v) => f.stack.push(v),
                            None => {
                                pop!();
                                f.pc = exhausted;
                            }
                        }
                    }
                    Op::JUMP_FORWARD => f.pc += arg as usize,
                    Op::JUMP_ABSOLUTE => {
                        f.pc = arg as usize;
                        tryv!('dispatch, self.maybe_collect_with(f));
                    }
                    Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE => {
                        let v = pop!();
                        let t = match v {
                            Value::Bool(b) => b,
                            _ => tryv!('dispatch, self.truthy(v)),
                        };
                        if t == (op == Op::POP_JUMP_IF_TRUE) {
                            f.pc = arg as usize;
                        }
                    }
                    Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP => {
                        let v = top!();
                        let t = tryv!('dispatch, self.truthy(v));
                        if t == (op == Op::JUMP_IF_TRUE_OR_POP) {
                            f.pc = arg as usize;
                        } else {
                            pop!();
                        }
                    }
                    Op::SETUP_LOOP | Op::SETUP_EXCEPT | Op::SETUP_FINALLY => {
                        let kind = match op {
                            Op::SETUP_LOOP => BlockKind::Loop,
                            Op::SETUP_EXCEPT => BlockKind::Except,
                            _ => BlockKind::Finally,
                        };
                        f.blocks.push(Block {
                            kind,
                            handler: f.pc + arg as usize,
                            level: f.stack.len(),
                        });
                    }
                    Op::POP_BLOCK => {
                        let block = f.blocks.pop().expect("POP_BLOCK matches a SETUP");
                        f.stack.truncate(block.level);
                    }
                    Op::POP_EXCEPT => {
                        let block = f.blocks.pop().expect("POP_EXCEPT matches a handler");
                        self.unwind_except_handler(f, block);
                    }
                    Op::BREAK_LOOP => {
                        self.unwind(f, Unwind::Break);
                    }
                    Op::CONTINUE_LOOP => {
                        self.unwind(f, Unwind::Continue(arg as usize));
                    }
                    Op::END_FINALLY => {
                        let status = pop!();
                        match status {
                            Value::None => {}
                            Value::Int(why) => {
                                if let Some(v) = self.end_finally_why(f, why) {
                                    return Event::Return(v);
                                }
                            }
                            _ => {
                                // An exception class: re-raise the exception below it.
                                let exc = pop!();
                                let _tb = pop!();
                                reraise!('dispatch, exc)
                            }
                        }
                    }
                    Op::SETUP_WITH | Op::SETUP_ASYNC_WITH | Op::BEFORE_ASYNC_WITH => {
                        let mgr = pop!();
                        let (enter_name, exit_name) = if op == Op::SETUP_WITH {
                            ("__enter__", "__exit__")
                        } else {
                            ("__aenter__", "__aexit__")
                        };
                        if op == Op::SETUP_ASYNC_WITH {
                            // The awaited __aenter__ result is on the stack; set up the block under it.
                            let res = mgr;
                            f.blocks.push(Block {
                                kind: BlockKind::Finally,
                                handler: f.pc + arg as usize,
                                level: f.stack.len(),
                            });
                            f.stack.push(res);
                            continue;
                        }
                        let (enter, exit) =
                            tryv!('dispatch, self.context_methods(mgr, enter_name, exit_name));
                        let handler = f.pc + arg as usize;
                        match self.prepare_call(enter, Args::default()) {
                            Err(e) if self.is_block_signal(e) => {
                                f.stack.push(mgr);
                                f.pc = f.lasti as usize;
                                return Event::Block;
                            }
                            Err(e) => tryv!('dispatch, Err(e)),
                            Ok(Call::Done(res)) => {
                                f.stack.push(exit);
                                if op == Op::SETUP_WITH {
                                    f.blocks.push(Block {
                                        kind: BlockKind::Finally,
                                        handler,
                                        level: f.stack.len(),
                                    });
                                }
                                f.stack.push(res);
                            }
                            Ok(Call::Frame(mut frame)) => {
                                // A Python __enter__ runs as a frame of this thread (so it may
                                // block); the with-block is set up when it returns.
                                f.stack.push(exit);
                                frame.resume = if op == Op::SETUP_WITH {
                                    Resume::SetupWith { handler }
                                } else {
                                    Resume::Push
                                };
                                enter!('frame, frame);
                            }
                        }
                    }
                    Op::WITH_CLEANUP_START => tryv!('dispatch, self.with_cleanup_start(f)),
                    Op::WITH_CLEANUP_FINISH => {
                        let res = pop!();
                        let exc = pop!();
                        if exc != Value::None && tryv!('dispatch, self.truthy(res)) {
                            f.stack.push(Value::Int(WHY_SILENCED));
                        }
                    }
                    Op::RAISE_VARARGS => {
                        let exc = tryv!('dispatch, self.exception_to_raise(f, arg));
                        if arg == 0 && self.handled != Value::None {
                            // A bare raise re-raises with the traceback it already has.
                            reraise!('dispatch, exc)
                        }
                        // An instance raised again keeps its traceback, and this raise's
                        // frames go on top of it, as CPython's __traceback__ does (so a
                        // thread's exception re-raised by the main thread shows both).
                        tryv!('dispatch, Err(exc))
                    }
                    Op::UNARY_POSITIVE | Op::UNARY_NEGATIVE | Op::UNARY_INVERT | Op::UNARY_NOT => {
                        let v = pop!();
                        let r = tryv!('dispatch, self.unary_op(op, v));
                        f.stack.push(r);
                    }
                    Op::COMPARE_OP => {
                        let b = pop!();
                        let a = pop!();
                        let r = match (a, b) {
                            (Value::Int(x), Value::Int(y)) if arg <= 5 => {
                                Value::Bool(crate::objects::compare::compare_holds(arg, x, y))
                            }
                            _ => tryv!('dispatch, self.compare_op(arg, a, b)),
                        };
                        f.stack.push(r);
                    }
                    Op::BINARY_SUBSCR => {
                        let i = pop!();
                        let c = pop!();
                        let r = tryv!('dispatch, self.getitem(c, i));
                        f.stack.push(r);
                    }
                    Op::STORE_SUBSCR => {
                        let i = pop!();
                        let c = pop!();
                        let v = pop!();
                        tryv!('dispatch, self.setitem(c, i, v));
                    }
                    Op::DELETE_SUBSCR => {
                        let i = pop!();
                        let c = pop!();
                        tryv!('dispatch, self.delitem(c, i));
                    }
                    Op::BUILD_TUPLE | Op::BUILD_LIST | Op::BUILD_SET => {
                        let items = f.stack.split_off(f.stack.len() - arg as usize);
                        let v = match op {
                            Op::BUILD_TUPLE => self.new_tuple(items),
                            Op::BUILD_LIST => self.new_list(items),
                            _ => tryv!('dispatch, self.new_set(items)),
                        };
                        f.stack.push(v);
                    }
                    Op::LIST_APPEND | Op::SET_ADD | Op::MAP_ADD => {
                        let (k, v) = if op == Op::MAP_ADD {
                            let k = pop!();
                            let v = pop!();
                            (k, v)
                        } else {
                            (Value::None, pop!())
                        };
                        let depth = arg as usize;
                        let container = f.stack[f.stack.len() - depth];
                        match op {
                            Op::LIST_APPEND => {
                                if let Some(Object::List(l)) =
                                    container.as_obj().map(|r| self.heap.get_mut(r))
                                {
                                    l.push(v);
                                }
                            }
                            Op::SET_ADD => tryv!('dispatch, self.set_add(container, v)),
                            _ => tryv!('dispatch, self.setitem(container, k, v)),
                        }
                    }
                    Op::BINARY_ADD
                    | Op::INPLACE_ADD
                    | Op::BINARY_SUBTRACT
                    | Op::INPLACE_SUBTRACT
                    | Op::BINARY_MULTIPLY
                    | Op::INPLACE_MULTIPLY
                    | Op::BINARY_MODULO
                    | Op::INPLACE_MODULO
                    | Op::BINARY_FLOOR_DIVIDE
                    | Op::INPLACE_FLOOR_DIVIDE => {
                        use num_integer::Integer;
                        let b = pop!();
                        let a = pop!();
                        // Small ints inline; everything else (zero divisors, overflow: MIN // -1)
                        // in binary_op, which raises or widens.
                        let quick = match (a, b) {
                            (Value::Int(x), Value::Int(y)) => match op {
                                Op::BINARY_ADD | Op::INPLACE_ADD => x.checked_add(y),
                                Op::BINARY_SUBTRACT | Op::INPLACE_SUBTRACT => x.checked_sub(y),
                                Op::BINARY_MULTIPLY | Op::INPLACE_MULTIPLY => x.checked_mul(y),
                                _ if y == 0 || (x == i64::MIN && y == -1) => None,
                                Op::BINARY_MODULO | Op::INPLACE_MODULO => {
                                    Some(Integer::mod_floor(&x, &y))
                                }
                                _ => Some(Integer::div_floor(&x, &y)),
                            },
                            _ => None,
                        };
                        let r = match quick {
                            Some(r) => Value::Int(r),
                            None => tryv!('dispatch, self.binary_op(op, a, b)),
                        };
                        f.stack.push(r);
                    }
                    // The rest only take operands from the stack and push a result.
                    _ => tryv!('dispatch, self.stack_op(f, op, arg)),
                }
            }
        }
    }

    /// Records the calling frame for the few builtins that read it.
    #[inline]
    fn note_caller(&mut self, callable: Value, f: &mut Frame) {
        let Value::Obj(r) = callable else { return };
        // Whether the builtin reads the frame, and then whether it needs its locals.
        let reads_frame = match self.heap.get(r) {
            Object::Native(n) if n.reads_frame => Some(n.name != "globals"),
            // type(name, bases, ns) names the class after the calling module.
            Object::Class(_) if r == self.types["super"] || r == self.types["type"] => Some(false),
            _ => None,
        };
        if let Some(with_locals) = reads_frame {
            self.record_caller(f, with_locals);
        }
    }
}
