//! Starting and ending VM threads: a new thread's first frame (under `--sched os`, its OS
//! thread), the record of how a thread ended, and the report of an uncaught exception in a
//! thread, as CPython's threading module prints it.

use super::state;
use crate::vm::frame::Resume;
use crate::vm::object::{Args, Object};
use crate::vm::threads::{ThreadState, VmThread};
use crate::vm::{Call, PyResult, Value, Vm};

impl Vm {
    /// Records how the running thread ended: the main thread's result is kept; an uncaught
    /// exception in another thread is reported as CPython's threading module reports it.
    pub fn end_thread(&mut self, result: PyResult<Value>) {
        let cur = self.threads.current;
        if cur == 0 {
            // As CPython: the main thread's uncaught exception (or sys.exit's message) is
            // reported now, before the program waits for its other threads; only the exit
            // status waits.
            let result = match result {
                Err(exc) => {
                    self.flush();
                    let status = self.report_uncaught(exc);
                    let code = Value::Int(i64::from(status));
                    Err(self.new_exception_args("SystemExit", vec![code]))
                }
                ok => ok,
            };
            self.threads.main_result = Some(result);
        } else if let Err(exc) = result
            && !self.exception_is(exc, "SystemExit")
        {
            self.report_thread_exception(cur, exc);
        }
        self.threads.threads[cur].state = ThreadState::Finished;
        super::state_mut(self).queues.dirty.push(cur);
        // A finished thread's threading.local values go, as in CPython.
        let ident = self.threads.threads[cur].ident;
        for local in &mut self.threads.locals {
            local.dicts.retain(|(id, _, _)| *id != ident);
        }
        self.notify_change();
    }

    /// threading's "Exception in thread NAME:" report, with the thread's name as it is now
    /// and on `sys.stderr` as it is now (a replaced one gets the text through its write()).
    fn report_thread_exception(&mut self, index: usize, exc: Value) {
        let thread_obj = self.threads.threads[index].thread_obj;
        if self.threads.threads[index].raw {
            // _thread's own report: the function, then the traceback as for the main thread.
            let function = self.repr(thread_obj).unwrap_or_default();
            let report = self.format_exception(exc);
            self.flush();
            crate::report!("Unhandled exception in thread started by {function}\n{report}");
            return;
        }
        let name = match self.getattr_opt(thread_obj, "name") {
            Ok(Some(n)) => self.str(n).ok(),
            _ => None,
        }
        .unwrap_or_else(|| self.threads.threads[index].name.clone());
        let report = self.format_exception_traceback_module(exc);
        let text = format!("Exception in thread {name}:\n{report}\n");
        self.flush();
        let stderr = self
            .modules
            .get("sys")
            .copied()
            .and_then(|sys| self.getattr_opt(Value::Obj(sys), "stderr").ok().flatten());
        let replaced = stderr.filter(|s| {
            !matches!(s.as_obj().map(|r| self.heap.get(r)),
                Some(Object::Module { name, .. }) if name == "<stderr>")
        });
        if let Some(stream) = replaced {
            let piece = self.new_str(text.clone());
            let written = self
                .getattr(stream, "write")
                .and_then(|write| self.call(write, Args::new(vec![piece])));
            if written.is_ok() {
                return;
            }
        }
        crate::report!("{text}");
    }

    /// Adds a VM thread that calls `entry(args)`; returns its ident. Under the OS scheduler
    /// it gets its OS thread now. RuntimeError("can't start new thread") past --max-threads
    /// or when the OS refuses a thread.
    pub fn spawn_thread(
        &mut self,
        entry: Value,
        args: Args,
        name: String,
        daemon: bool,
        thread_obj: Value,
        raw: bool,
    ) -> PyResult<u64> {
        if self.threads.live() >= self.threads.max_threads {
            return Err(self.new_exception("RuntimeError", "can't start new thread"));
        }
        let ident = self.threads.next_ident;
        self.threads.next_ident += 1;
        let frames = match self.prepare_call(entry, args)? {
            Call::Done(_) => vec![],
            Call::Frame(mut frame) => {
                frame.resume = Resume::Native;
                vec![frame]
            }
        };
        let thread_state = if frames.is_empty() {
            ThreadState::Finished
        } else {
            ThreadState::Runnable
        };
        // The running thread's budget starts counting down once a second thread exists.
        let budget = self.budget_left();
        self.threads.threads.push(VmThread {
            ident,
            name: name.clone(),
            daemon,
            state: thread_state,
            frames,
            handled: Value::None,
            thread_obj,
            raw,
            woke: false,
            pinned: false,
        });
        self.set_budget(budget);
        self.threads.changes += 1;
        let index = self.threads.threads.len() - 1;
        super::state_mut(self).queues.dirty.push(index);
        if let Some(os) = &state(self).os
            && thread_state == ThreadState::Runnable
            && os.spawn(self.threads.threads.len() - 1, &name).is_err()
        {
            self.threads.threads.pop();
            // Idents stay one more than table indices (`thread_index`).
            self.threads.next_ident -= 1;
            if self.threads.threads.len() == 1 {
                self.set_next_check(u64::MAX);
                self.threads.budget = budget;
            }
            return Err(self.new_exception("RuntimeError", "can't start new thread"));
        }
        Ok(ident)
    }
}
