//! Checkpoints: the VM's state at a moment, to go back to and run on from again (the
//! explorer runs thousands of schedules from one). The heap keeps a journal of what it
//! changes (heap.rs); everything else the VM holds is copied here. A checkpoint is taken
//! between runs of VM threads (every thread parked, no native code on the stack), so the
//! VM's state is all in its fields.

use super::threads::Threads;
use super::{ModuleState, ObjRef, Output, TbEntry, Value, Vm};
use indexmap::IndexMap;
use std::any::{Any, TypeId};
use std::collections::HashMap;

/// What was added to the VM's caches since the checkpoint.
#[derive(Default)]
pub struct Added {
    pub interned: Vec<Box<str>>,
    pub builtin_methods: Vec<(&'static str, &'static str)>,
}

pub struct Checkpoint {
    threads: Threads,
    scheduler_state: Box<dyn Any>,
    modules: IndexMap<String, ObjRef>,
    tracebacks: HashMap<ObjRef, Vec<TbEntry>>,
    module_state: rustc_hash::FxHashMap<TypeId, ModuleState>,
    warned: std::collections::HashSet<(String, u32)>,
    handled: Value,
    ticks: u64,
    recursion_limit: usize,
    dict_removals: u64,
}

impl Vm {
    /// Takes a checkpoint of the VM as it is now (every thread parked, no native code
    /// running) and starts the heap's journal; stdout is captured from here on.
    pub fn checkpoint(&mut self) -> Checkpoint {
        debug_assert!(self.frames.is_empty(), "threads are parked at a checkpoint");
        self.heap.start_journal();
        self.added_since_checkpoint = Some(Added::default());
        self.out = Output::Captured(Vec::new());
        Checkpoint {
            threads: self.threads.clone(),
            scheduler_state: (self.scheduler.clone_state)(&*self.scheduler_state),
            modules: self.modules.clone(),
            tracebacks: self.tracebacks.clone(),
            module_state: self.module_state.clone(),
            warned: self.warned.clone(),
            handled: self.handled,
            ticks: self.ticks,
            recursion_limit: self.recursion_limit,
            dict_removals: self.dict_removals,
        }
    }

    /// Goes back to `cp`: the heap and the VM's own state as they were, what was printed
    /// since dropped. The attribute caches filled since are invalidated (the class epoch
    /// only grows), as the objects they name may be gone.
    pub fn rollback(&mut self, cp: &Checkpoint) {
        self.heap.rollback();
        self.frames.clear();
        self.frame_pool.clear();
        self.threads = cp.threads.clone();
        self.scheduler_state = (self.scheduler.clone_state)(&*cp.scheduler_state);
        // (Most runs import nothing, warn of nothing, raise little: copy only what
        // changed.)
        if self.modules.len() != cp.modules.len() {
            self.modules.clone_from(&cp.modules);
        }
        if let Some(added) = &mut self.added_since_checkpoint {
            for name in added.interned.drain(..) {
                self.interned.remove(&name);
            }
            for key in added.builtin_methods.drain(..) {
                self.builtin_methods.remove(&key);
            }
        }
        if !(self.tracebacks.is_empty() && cp.tracebacks.is_empty()) {
            self.tracebacks.clone_from(&cp.tracebacks);
        }
        self.module_state.clone_from(&cp.module_state);
        if self.warned.len() != cp.warned.len() {
            self.warned.clone_from(&cp.warned);
        }
        self.handled = cp.handled;
        self.ticks = cp.ticks;
        self.recursion_limit = cp.recursion_limit;
        self.dict_removals = cp.dict_removals;
        self.class_epoch += 1;
        self.native_depth = 0;
        self.native_calls = 0;
        self.gen_returned = false;
        self.stop_value = Value::None;
        self.caller = None;
        self.repr_stack.clear();
        self.collect_requested = false;
        self.out = Output::Captured(Vec::new());
    }

    /// What the program printed since the checkpoint (or the last rollback).
    pub fn captured_output(&mut self) -> Vec<u8> {
        match &mut self.out {
            Output::Captured(bytes) => std::mem::take(bytes),
            Output::Stdout(_) => Vec::new(),
        }
    }
}
