//! A copy of the whole VM (heap, modules, threads, caches), as `fork(2)` copies a process:
//! what a simulated process made by the fork start method begins as. The caller flushes
//! the original's output first, and decides what the copy's threads do.

use super::{Output, Vm};

impl Vm {
    /// A copy of this VM. Code objects' derived data (`CodeData`: constants and inline
    /// caches) stays shared, as it is immutable but for the caches, which are checked
    /// against the class epoch and the dict removal count before use: the copy's counts
    /// start at `epoch_base`, so an entry one VM filled never matches in another.
    /// `epoch_base` must be above every count this VM reaches, and distinct for every
    /// copy: a base added to this VM's count would let two copies of copies meet (the
    /// fourth copy of a VM at `1 << 40` and the third of one at `2 << 40`).
    pub fn fork_copy(&self, epoch_base: u64) -> Vm {
        Vm {
            heap: self.heap.clone(),
            frames: self.frames.clone(),
            types: self.types.clone(),
            builtins: self.builtins,
            modules: self.modules.clone(),
            modules_dict: self.modules_dict,
            handled: self.handled,
            tracebacks: self.tracebacks.clone(),
            sources: self.sources.clone(),
            recursion_limit: self.recursion_limit,
            native_depth: self.native_depth,
            native_calls: self.native_calls,
            out: Output::Stdout(std::io::BufWriter::new(std::io::stdout())),
            argv: self.argv.clone(),
            seed: self.seed,
            gen_returned: self.gen_returned,
            stop_value: self.stop_value,
            caller: self.caller.clone(),
            repr_stack: self.repr_stack.clone(),
            const_cache: self.const_cache.clone(),
            threads: self.threads.clone(),
            scheduler: self.scheduler,
            scheduler_state: (self.scheduler.clone_state)(&*self.scheduler_state),
            module_table: self.module_table,
            module_finder: self.module_finder,
            module_state: self.module_state.clone(),
            ticks: self.ticks,
            block_signal: self.block_signal,
            collect_requested: false,
            warned: self.warned.clone(),
            frame_pool: Vec::new(),
            class_epoch: epoch_base,
            dict_removals: epoch_base,
            custom_keys_made: self.custom_keys_made,
            getattribute_defined: self.getattribute_defined,
            interned: self.interned.clone(),
            builtin_methods: self.builtin_methods.clone(),
            added_since_checkpoint: None,
            // A recording (trace, timeline) follows the first process only.
            observer: None,
            max_memory: self.max_memory,
            memory_check_at: self.memory_check_at,
        }
    }
}
