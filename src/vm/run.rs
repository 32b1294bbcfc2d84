//! Running frames: `run_until` moves between frames on the events `execute` stops with
//! (call, return, yield, raise, a spent check interval, a block) without growing the Rust
//! stack, so Python recursion depth is bounded by `sys.getrecursionlimit()`, not by Rust;
//! at a thread's end or a handoff it asks the scheduler for the next thread.

use super::frame::{Block, BlockKind, Event, Frame, Resume};
use super::{PyResult, Value, Vm};

impl Vm {
    /// Runs frames until the frame stack is back to `base` frames; returns the result of the
    /// frame that was on top when called.
    pub fn run_until(&mut self, base: usize) -> PyResult<Value> {
        let mut f = self.frames.pop().expect("run_until needs a frame");
        let mut event = self.execute(&mut f, base);
        loop {
            match event {
                Event::Call(new) => {
                    if self.frames.len() + 1 >= self.recursion_limit {
                        let exc = self
                            .new_exception("RecursionError", "maximum recursion depth exceeded");
                        event = self.raise_in(&mut f, exc, base);
                        continue;
                    }
                    self.frames.push(f);
                    f = new;
                    event = self.execute(&mut f, base);
                }
                Event::Return(v) => {
                    let resume = f.resume;
                    if let Some(g) = f.generator {
                        self.finish_generator(g);
                        self.gen_returned = true;
                    }
                    if self.frames.len() == base {
                        if self.at_thread_bottom(base) {
                            match (self.scheduler.thread_finished)(self, Ok(v)) {
                                Some(next) => {
                                    f = next;
                                    event = self.execute(&mut f, base);
                                    continue;
                                }
                                None => return self.end_of_threads(),
                            }
                        }
                        return Ok(v);
                    }
                    self.return_to_caller(&mut f, resume, v);
                    event = self.execute(&mut f, base);
                }
                Event::Yield(v) => {
                    let resume = f.resume;
                    let g = f.generator.expect("only generator frames yield");
                    self.suspend_generator(g, f);
                    self.gen_returned = false;
                    if self.frames.len() == base {
                        return Ok(v);
                    }
                    let mut caller = self.frames.pop().expect("a caller below");
                    if resume == Resume::YieldFrom {
                        // The delegating frame yields the value too, and re-runs its
                        // YIELD_FROM when resumed.
                        caller.pc = caller.lasti as usize;
                        caller.lasti -= 2;
                        f = caller;
                        event = Event::Yield(v);
                    } else {
                        caller.stack.push(v);
                        f = caller;
                        event = self.execute(&mut f, base);
                    }
                }
                Event::Block if self.native_depth != self.threads.base_depth => {
                    // A wait inside a callback from native code (a key function, map's
                    // function, __repr__ ...): the thread's Rust stack cannot be put aside,
                    // so other threads run on top of it until the wait is over.
                    let state = self
                        .threads
                        .pending
                        .take()
                        .expect("a blocking native names its wait");
                    event = match (self.scheduler.wait_in_callback)(self, state) {
                        Ok(()) => self.execute(&mut f, base),
                        Err(exc) => self.raise_in(&mut f, exc, base),
                    };
                }
                Event::Preempt | Event::Block => {
                    if let Event::Block = event {
                        let state = self
                            .threads
                            .pending
                            .take()
                            .expect("a blocking native names its wait");
                        let cur = self.threads.current;
                        self.threads.threads[cur].state = state;
                        self.threads.changes += 1;
                    }
                    if self.driven() {
                        // The thread's driver (its OS thread, or the loop running threads on
                        // top of a pinned one) hands the GIL on.
                        self.park_current(Some(f));
                        return Err(self.block_signal);
                    }
                    let next = (self.scheduler.switch_from)(self, Some(f));
                    match next {
                        Some(next) => {
                            f = next;
                            event = self.execute(&mut f, base);
                        }
                        None => return self.end_of_threads(),
                    }
                }
                Event::Raise(mut exc) => {
                    if let Some(g) = f.generator {
                        exc = self.escape_generator(g, exc);
                    }
                    if self.frames.len() == base {
                        if self.at_thread_bottom(base) {
                            match (self.scheduler.thread_finished)(self, Err(exc)) {
                                Some(next) => {
                                    f = next;
                                    event = self.execute(&mut f, base);
                                    continue;
                                }
                                None => return self.end_of_threads(),
                            }
                        }
                        return Err(exc);
                    }
                    let resume = f.resume;
                    f = self.frames.pop().expect("a caller below");
                    if let Resume::Next { exhausted } = resume
                        && self.exception_is(exc, "StopIteration")
                    {
                        // The iterator is exhausted: the for loop ends.
                        f.stack.pop();
                        f.pc = exhausted;
                        event = self.execute(&mut f, base);
                        continue;
                    }
                    event = self.raise_in(&mut f, exc, base);
                }
            }
        }
    }

    /// A frame returned `v`: its caller (below it on `frames`) becomes `f` and receives the
    /// value as the frame's `resume` says; the finished frame goes back to the pool.
    pub(super) fn return_to_caller(&mut self, f: &mut Box<Frame>, resume: Resume, v: Value) {
        let caller = self.frames.pop().expect("a caller below");
        let finished = std::mem::replace(f, caller);
        self.recycle(finished);
        let caller = f;
        match resume {
            Resume::Push | Resume::Native | Resume::Next { .. } => caller.stack.push(v),
            Resume::Replace(x) => caller.stack.push(x),
            Resume::SetupWith { handler } => {
                caller.blocks.push(Block {
                    kind: BlockKind::Finally,
                    handler,
                    level: caller.stack.len(),
                });
                caller.stack.push(v);
            }
            Resume::ForIter { exhausted } => {
                caller.stack.pop();
                caller.pc = exhausted;
            }
            Resume::YieldFrom => {
                caller.stack.pop();
                caller.stack.push(v);
            }
        }
    }

    /// Whether a frame finishing at `base` ends a VM thread (the outermost run with threads)
    /// that the deterministic scheduler must switch away from.
    pub(super) fn at_thread_bottom(&self, base: usize) -> bool {
        base == 0
            && !(self.threads.at_prompt && self.threads.current == 0)
            && self.native_depth == self.threads.base_depth
            && self.threads.threads.len() > 1
            && !self.driven()
    }

    /// Every thread is done (or deadlocked): the program's result is the main thread's.
    pub(super) fn end_of_threads(&mut self) -> PyResult<Value> {
        if self.threads.deadlocked {
            return Err(self.new_exception_args("SystemExit", vec![Value::Int(3)]));
        }
        self.threads.main_result.take().unwrap_or(Ok(Value::None))
    }
}
