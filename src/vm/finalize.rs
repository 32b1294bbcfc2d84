//! Finalization: what happens to an unreachable object that has something left to do
//! before it goes, as CPython does when it frees one (PEP 442's order, at a collection
//! instead of at the last reference): an instance's `__del__` runs; a generator suspended
//! inside try/with is closed (its finally and `__exit__` run); a coroutine that never ran
//! is reported as never awaited; an async generator goes to its loop's finalizer hook.
//! Weak references to what is freed are cleared first and their callbacks called. At exit
//! one last collection finalizes what the finished program left.

use super::frame::BlockKind;
use super::heap::Heap;
use super::object::{Args, GenKind, Object};
use super::{ObjRef, Value, Vm};
use std::cell::RefCell;
use std::collections::HashMap;

/// Whether an unreachable object needs its finalizer run (see the module comment).
fn needs_finalizer(heap: &Heap, obj: &Object, has_del: &RefCell<HashMap<ObjRef, bool>>) -> bool {
    match obj {
        Object::Instance(inst) => *has_del
            .borrow_mut()
            .entry(inst.class)
            .or_insert_with(|| class_has_del(heap, inst.class)),
        Object::Generator(g) if !g.closed => match &g.frame {
            None => false,
            Some(f) if f.lasti < 0 => g.kind == GenKind::Coroutine,
            Some(f) => {
                g.finalizer != Value::None
                    || f.blocks
                        .iter()
                        .any(|b| matches!(b.kind, BlockKind::Finally | BlockKind::Except))
            }
        },
        _ => false,
    }
}

fn class_has_del(heap: &Heap, class: ObjRef) -> bool {
    let Object::Class(c) = heap.get(class) else {
        return false;
    };
    c.mro.iter().any(|m| match heap.get(*m) {
        Object::Class(k) => k.builtin.is_none() && k.dict.contains_key("__del__"),
        _ => false,
    })
}

impl Vm {
    /// Collects with the given roots (the core's own are added): frees what is
    /// unreachable, then runs the finalizers the collection found. `at` is the place of
    /// the code running (for warnings). Returns how many objects were unreachable.
    pub(super) fn collect_and_finalize(
        &mut self,
        roots: Vec<Value>,
        at: Option<(String, u32)>,
    ) -> usize {
        let has_del = RefCell::new(HashMap::new());
        let collected = self
            .heap
            .collect(roots, |heap, obj| needs_finalizer(heap, obj, &has_del));
        let heap = &self.heap;
        self.tracebacks.retain(|r, _| heap.contains(*r));
        for weakref in collected.weakref_callbacks {
            let callback = match self.heap.get(weakref) {
                Object::WeakRef { callback, .. } => *callback,
                _ => Value::None,
            };
            if let Err(exc) = self.call(callback, Args::new(vec![Value::Obj(weakref)])) {
                self.report_unraisable(callback, exc);
            }
        }
        let found = collected.freed + collected.finalize.len();
        for r in collected.finalize {
            self.finalize(r, at.clone());
        }
        found
    }

    fn finalize(&mut self, r: ObjRef, at: Option<(String, u32)>) {
        let obj = Value::Obj(r);
        match self.heap.get(r) {
            Object::Instance(_) => {
                let Some(del) = self.class_lookup(self.type_of(obj), "__del__") else {
                    return;
                };
                if let Err(exc) = self.call(del, Args::new(vec![obj])) {
                    self.report_unraisable(del, exc);
                }
            }
            Object::Generator(g) if g.frame.as_ref().is_some_and(|f| f.lasti < 0) => {
                self.warn_never_awaited(r, at);
            }
            Object::Generator(g) if g.finalizer != Value::None => {
                let hook = g.finalizer;
                if let Err(exc) = self.call(hook, Args::new(vec![obj])) {
                    self.report_unraisable(hook, exc);
                }
            }
            Object::Generator(_) => {
                if let Err(exc) = super::generators::g_close(self, Some(obj), Args::default()) {
                    self.report_unraisable(obj, exc);
                }
            }
            _ => {}
        }
    }

    /// An exception nobody can catch (in `__del__`, a finalizer, a weakref callback):
    /// CPython's "Exception ignored in: ..." report on stderr.
    pub fn report_unraisable(&mut self, source: Value, exc: Value) {
        let what = self.repr(source).unwrap_or_else(|_| "<object>".into());
        let report = self.format_exception(exc);
        self.flush();
        crate::report!("Exception ignored in: {what}\n{report}");
    }

    /// A collection a native asked for (`collect_requested`), made as its call returns
    /// into frame `f`, whose top value (the native's result) becomes the count found.
    pub(super) fn collect_after_native(&mut self, f: &mut super::frame::Frame) {
        self.collect_requested = false;
        if self.native_depth > 1 {
            // Natives below hold values in Rust locals the collector cannot see: the
            // collection waits for the next safe point.
            self.heap.request_collection();
            return;
        }
        let mut extra = Vec::new();
        f.trace(&mut |v| extra.push(v));
        let at = (f.code().co_filename.clone(), f.lineno());
        let found = self.collect_at(&extra, Some(at));
        if let Some(top) = f.stack.last_mut() {
            *top = Value::Int(found as i64);
        }
    }

    /// `del name` dropped `old`: when it is something whose end shows (an instance with
    /// `__del__`, a generator that may need closing, anything while weak references
    /// exist), collect now, as CPython's reference counting would free it now if that was
    /// the last reference. Elsewhere than at a safe point, at the next one.
    pub(super) fn after_del(&mut self, old: Value, f: &super::frame::Frame) {
        let Some(r) = old.as_obj() else {
            return;
        };
        let shows = self.heap.weakrefs() > 0
            || match self.heap.get(r) {
                Object::Instance(inst) => class_has_del(&self.heap, inst.class),
                Object::Generator(g) => g.frame.is_some(),
                _ => false,
            };
        if !shows {
            return;
        }
        if self.native_depth > 1 {
            self.heap.request_collection();
            return;
        }
        let mut extra = Vec::new();
        f.trace(&mut |v| extra.push(v));
        let at = (f.code().co_filename.clone(), f.lineno());
        self.collect_at(&extra, Some(at));
    }

    /// The program is over: one last collection finalizes what it left (its `__main__`
    /// namespace is unreachable now), as CPython's shutdown does.
    pub fn finalize_at_exit(&mut self) {
        // As CPython's shutdown, __main__ goes first: what only it held is finalized.
        self.unregister_module("__main__");
        self.collect(&[]);
        self.flush();
    }
}
