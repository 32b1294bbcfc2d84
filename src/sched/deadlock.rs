//! What a deadlock report says of each waiting thread beyond what it waits for: where in
//! the program it waits (and in which library call), and for a thread whose asyncio event
//! loop waits for a wake-up nothing can send, which tasks wait and where.

use crate::vm::frame::Frame;
use crate::vm::object::Object;
use crate::vm::{Value, Vm};

/// Library code (the modules minipy writes in Python) runs under this file-name prefix.
const LIBRARY: &str = "<minipy ";

impl Vm {
    /// Lines for thread `t`'s entry in a deadlock report.
    pub(super) fn where_it_waits(&self, t: usize) -> Vec<String> {
        let frames: &[Box<Frame>] = if t == self.threads.current && !self.frames.is_empty() {
            &self.frames
        } else {
            &self.threads.threads[t].frames
        };
        // The innermost frame of the program's own, and the library call it made, if any.
        let own_index = frames
            .iter()
            .rposition(|f| !f.code().co_filename.starts_with(LIBRARY));
        let own = own_index.map(|i| &frames[i]);
        let library = own_index.and_then(|i| frames.get(i + 1));
        let mut lines = Vec::new();
        let place = own.map(|f| {
            let code = f.code();
            format!("{}:{} in {}", code.co_filename, f.lineno(), code.co_name)
        });
        match (library, place) {
            (Some(lib), Some(place)) => {
                lines.push(format!("    in {}, called at {place}", self.call_name(lib)))
            }
            (None, Some(place)) => lines.push(format!("    at {place}")),
            _ => {}
        }
        let in_event_loop = frames
            .iter()
            .any(|f| f.code().co_name == "_run_once" && f.code().co_filename.contains("asyncio"));
        if in_event_loop {
            lines.push(
                "    its asyncio event loop has no callback ready and no timer set, and no other \
                 thread can wake it:"
                    .into(),
            );
            lines.extend(self.pending_tasks());
        }
        lines
    }

    /// `Class.method` for a method's frame, else the function's name.
    fn call_name(&self, f: &Frame) -> String {
        let code = f.code();
        let receiver = (code.co_varnames.first().map(String::as_str) == Some("self"))
            .then(|| f.fast.first().copied().flatten())
            .flatten();
        match receiver {
            Some(v) => format!("{}.{}", self.type_name(v), code.co_name),
            None => code.co_name.clone(),
        }
    }

    /// The asyncio tasks not done, each with what it awaits and where its coroutine waits.
    fn pending_tasks(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (r, object) in self.heap.objects() {
            let Object::Instance(_) = object else {
                continue;
            };
            let field = |name| self.attr_of_instance(Value::Obj(r), name);
            let Some(Value::Obj(coro)) = field("_coro") else {
                continue;
            };
            // A pending future has no `_state` of its own: the class's says PENDING.
            if field("_state").is_some_and(|s| self.str_of(s) != Some("PENDING")) {
                continue;
            }
            let Object::Generator(g) = self.heap.get(coro) else {
                continue;
            };
            let awaits = match field("_fut_waiter") {
                Some(Value::None) | None => String::new(),
                Some(w) => format!(" awaits a {}", self.type_name(w)),
            };
            let place = g.frame.as_ref().map_or(String::new(), |f| {
                format!(" at {}:{}", g.code.co_filename, f.lineno())
            });
            lines.push(format!("      task {}(){awaits}{place}", g.qualname));
        }
        lines
    }
}
