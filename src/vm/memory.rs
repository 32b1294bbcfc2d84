//! The memory limit (`--max-memory BYTES`): a size computed for a new object (a repeated
//! or concatenated sequence, a padded string, a big integer's digits) that overflows or
//! would take the process past the limit raises MemoryError before anything is allocated,
//! as CPython raises it where malloc fails, instead of the process aborting. The default
//! limit is half the machine's memory. Large requests (a megabyte or more) are also
//! checked against what the process holds already, so a structure that keeps doubling
//! gets MemoryError when it reaches the limit; a list or dict about to double is checked
//! so, and what the process holds is looked at after each collection and every
//! `HELD_CHECK_ALLOCATIONS` allocations, so a program growing by small objects stops too.
//! (What the process holds counts pages the allocator keeps after a free.) Also the end
//! of a run that spent `--max-steps`.

use super::frame::Frame;
use super::{PyResult, Value, Vm};

/// The exit status of a program stopped by `--max-steps` or `--timeout` (as GNU timeout's).
pub const LIMIT_STATUS: i32 = 124;

/// Requests below this are not measured against the process's size (reading it costs a
/// system call; small requests cannot take a process far past the limit at once).
const MEASURED_REQUEST: u64 = 1 << 20;

/// Allocations between two looks at what the process holds (each is a small file read).
const HELD_CHECK_ALLOCATIONS: usize = 1 << 17;

/// Half the machine's memory (`MemTotal` in /proc/meminfo), or 4 GiB where that is unknown.
pub fn default_max_memory() -> u64 {
    let total_kb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
    total_kb.map_or(4 << 30, |kb| kb * 1024 / 2)
}

/// The process's resident size in bytes (/proc/self/statm), if it can be read.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

impl Vm {
    /// `--max-steps` is spent: the program stops here, with what it printed so far.
    #[cold]
    pub fn out_of_steps(&mut self) -> ! {
        self.flush();
        crate::reportln!(
            "minipy: stopped after --max-steps {} counted instructions",
            self.threads.step_limit
        );
        std::process::exit(LIMIT_STATUS)
    }

    /// MemoryError unless `count` items of `item_bytes` each fit in the memory limit.
    pub fn check_alloc(&mut self, count: u64, item_bytes: u64) -> PyResult<()> {
        if self.exceeds_memory(count, item_bytes) {
            return Err(self.memory_error());
        }
        Ok(())
    }

    /// Whether `count` items of `item_bytes` each would pass the memory limit.
    pub fn exceeds_memory(&self, count: u64, item_bytes: u64) -> bool {
        let bytes = count.saturating_mul(item_bytes);
        if bytes < MEASURED_REQUEST {
            return false;
        }
        let held = resident_bytes().unwrap_or(0);
        bytes > self.max_memory || held.saturating_add(bytes) > self.max_memory
    }

    /// A bare MemoryError, as CPython's PyErr_NoMemory raises it.
    pub fn memory_error(&mut self) -> Value {
        self.new_exception_args("MemoryError", vec![])
    }

    /// A list or dict of `len` items with room for `capacity` is about to grow by one: when
    /// that doubles a large one, MemoryError first if the doubled size would not fit.
    pub fn check_growth(&mut self, len: usize, capacity: usize, item_bytes: u64) -> PyResult<()> {
        if len < capacity || len < 1 << 16 {
            return Ok(());
        }
        self.check_alloc(2 * len as u64, item_bytes)
    }

    /// Collects garbage at a backward jump, but only when no native code is on the Rust
    /// stack: natives hold values in Rust locals the collector cannot see. Then MemoryError
    /// if the process has grown past `--max-memory`.
    #[inline]
    pub(super) fn maybe_collect_with(&mut self, f: &Frame) -> PyResult<()> {
        let collect = self.heap.wants_collection() && self.native_depth <= 1;
        if !collect && self.heap.allocated_since_gc < self.memory_check_at {
            return Ok(());
        }
        self.collect_and_measure(f, collect)
    }

    #[cold]
    #[inline(never)]
    fn collect_and_measure(&mut self, f: &Frame, collect: bool) -> PyResult<()> {
        if collect {
            let mut extra = Vec::new();
            f.trace(&mut |v| extra.push(v));
            let at = (f.code().co_filename.clone(), f.lineno());
            self.collect_at(&extra, Some(at));
        }
        self.check_held_memory(collect)
    }

    /// Every `HELD_CHECK_ALLOCATIONS` allocations and after each collection (at a backward
    /// jump): MemoryError if the process already holds more than the limit, so a program
    /// that grows by many small objects stops too.
    pub fn check_held_memory(&mut self, collected: bool) -> PyResult<()> {
        if !collected && self.heap.allocated_since_gc < self.memory_check_at {
            return Ok(());
        }
        self.memory_check_at = self.heap.allocated_since_gc + HELD_CHECK_ALLOCATIONS;
        if resident_bytes().is_some_and(|held| held > self.max_memory) {
            return Err(self.memory_error());
        }
        Ok(())
    }

    /// The items of a sequence repeated `n` times: MemoryError first if they would not fit
    /// (CPython's list and tuple repeat raise it for any size overflow too).
    pub fn check_repeat(&mut self, len: usize, n: usize, item_bytes: u64) -> PyResult<()> {
        let count = (len as u64).saturating_mul(n as u64);
        self.check_alloc(count, item_bytes)
    }
}
