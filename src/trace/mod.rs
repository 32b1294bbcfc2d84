//! Seeing a run: `minipy trace` (the interleaving as a table) and `minipy run --timeline`
//! (the GIL's timeline as Perfetto JSON, SVG or a self-contained HTML page). Both are
//! observers (`vm::threads::Observer`) installed in the VM for one run: the timeline hears
//! of handoffs, idle time and lock releases only; the trace sees every instruction (the
//! eval loop's fast path is off meanwhile). Neither changes what the scheduler decides, so
//! a traced run prints what the same run untraced prints. With no observer installed the
//! core looks at nothing.
//!
//! - `timeline.rs`: the timeline recorder and its model (slices, handoffs, counters).
//! - `perfetto.rs`, `svg.rs`, `html.rs`: the timeline's three files.
//! - `steps.rs`: the trace's recorder (rows, shared places, lost updates).
//! - `table.rs`: the trace as text, markdown or CSV.
//!
//! It may use the explorer's view of what an instruction touches (`explore::access`,
//! `explore::explain`); neither uses anything of this folder.

pub mod html;
pub mod perfetto;
pub mod steps;
pub mod svg;
pub mod table;
pub mod timeline;

use crate::vm::Vm;
use crate::vm::threads::ThreadState;
use std::borrow::Cow;
use std::path::PathBuf;

/// The timeline's file format, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimelineFormat {
    Json,
    Svg,
    Html,
}

/// `--timeline FILE` and `--timeline-limit N`.
#[derive(Clone, Debug)]
pub struct TimelineRequest {
    pub path: PathBuf,
    pub format: TimelineFormat,
    pub limit: usize,
    /// The run's options, for the title: `--sched det --gil py2 --seed 0`.
    pub options: String,
}

impl TimelineRequest {
    /// The request for `path`, whose extension names the format.
    pub fn new(path: PathBuf, limit: usize, options: String) -> Result<Self, String> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let format = match ext.as_deref() {
            Some("json") => TimelineFormat::Json,
            Some("svg") => TimelineFormat::Svg,
            Some("html" | "htm") => TimelineFormat::Html,
            _ => {
                return Err(format!(
                    "--timeline {}: the file must end in .json (Perfetto), .svg or .html",
                    path.display()
                ));
            }
        };
        Ok(TimelineRequest {
            path,
            format,
            limit,
            options,
        })
    }
}

/// Starts recording `vm`'s timeline (before its program runs).
pub fn start_timeline(vm: &mut Vm, request: &TimelineRequest, filename: &str) {
    let title = format!("minipy run {} {filename}", request.options);
    let recorder = timeline::Recorder::new(vm, title, request.limit);
    vm.install_observer(Box::new(recorder), false);
}

/// Ends the recording and writes the file; returns the run's exit status (2 if the file
/// could not be written).
pub fn finish_timeline(vm: &mut Vm, request: &TimelineRequest, status: i32) -> i32 {
    let Some(recorder) = vm
        .take_observer()
        .and_then(|o| o.into_any().downcast::<timeline::Recorder>().ok())
    else {
        return status;
    };
    let timeline = recorder.finish(vm);
    let text = match request.format {
        TimelineFormat::Json => perfetto::write(&timeline),
        TimelineFormat::Svg => svg::write(&timeline),
        TimelineFormat::Html => html::write(&timeline),
    };
    if let Some(cut) = timeline.cut_ns {
        crate::reportln!(
            "minipy: the timeline holds the first {} events (--timeline-limit {}): recording stopped at {}",
            timeline.events(),
            timeline.limit,
            format_ns(cut)
        );
    }
    match std::fs::write(&request.path, text) {
        Ok(()) => status,
        Err(e) => {
            crate::reportln!(
                "minipy: can't write the timeline to '{}': {e}",
                request.path.display()
            );
            if status == 0 { 2 } else { status }
        }
    }
}

/// What blocked thread `t` waits for, in a learner's words: the lock (`lock #2`), the
/// thread it joins, and the library call it waits in (`Queue.get`, `Event.wait`).
pub fn where_blocked(vm: &Vm, t: usize) -> String {
    let thread = &vm.threads.threads[t];
    let what = match thread.state {
        ThreadState::WaitLock(lock, _) => match vm.heap.get(lock) {
            crate::vm::object::Object::Lock { serial, .. } => format!("lock #{serial}"),
            _ => "a lock".into(),
        },
        ThreadState::WaitJoin(ident, _) => {
            let name = vm
                .threads
                .threads
                .iter()
                .find(|o| o.ident == ident)
                .map_or_else(|| format!("thread {ident}"), |o| o.name.clone());
            format!("join {name}")
        }
        ThreadState::Sleeping(_) => return "sleep".into(),
        _ => return String::new(),
    };
    // The outermost call into the library (queue, threading) says what the wait is for.
    let frames = if t == vm.threads.current && !vm.frames.is_empty() {
        &vm.frames
    } else {
        &thread.frames
    };
    let library = frames
        .iter()
        .find(|f| f.code().co_filename.starts_with("<minipy "));
    match library {
        Some(f) => {
            let code = f.code();
            let owner = (code.co_varnames.first().map(String::as_str) == Some("self"))
                .then(|| f.fast.first().copied().flatten())
                .flatten()
                .map(|v| format!("{}.", vm.type_name(v)))
                .unwrap_or_default();
            format!("{owner}{} ({what})", code.co_name)
        }
        None => what,
    }
}

/// Why the GIL left thread `from` (at a handoff), in a few words (most of them fixed: a
/// timeline may hold millions).
pub fn handoff_reason(vm: &Vm, from: usize) -> Cow<'static, str> {
    use crate::sched::policy::{GilPolicy, policy};
    match vm.threads.threads[from].state {
        ThreadState::Runnable if crate::sched::state(vm).chooser.is_some() => {
            "the schedule switches".into()
        }
        ThreadState::Runnable => match policy(vm) {
            GilPolicy::Py2 => "check interval spent".into(),
            GilPolicy::Py37 | GilPolicy::Py311 => "drop request: switch interval".into(),
        },
        ThreadState::WaitLock(..) | ThreadState::WaitJoin(..) => {
            format!("blocked on {}", where_blocked(vm, from)).into()
        }
        ThreadState::Sleeping(_) => "sleep".into(),
        ThreadState::Finished => "finished".into(),
        ThreadState::Outside => "back at the prompt".into(),
    }
}

/// A time for people: `1.234 ms`, `56.789 µs`, `12 ns`.
pub fn format_ns(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns} ns"),
        1_000..1_000_000 => format!("{:.3} µs", ns as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.3} ms", ns as f64 / 1e6),
        _ => format!("{:.3} s", ns as f64 / 1e9),
    }
}

/// `minipy trace`'s options.
#[derive(Clone, Debug)]
pub struct TraceOptions {
    /// One row per instruction, or per source line.
    pub by_line: bool,
    /// The first step shown (1-based, counting the program's own instructions).
    pub from: u64,
    /// At most this many rows.
    pub steps: u64,
    /// Only rows that touch what more than one thread touched.
    pub only_shared: bool,
    pub format: table::Format,
    /// Where the table goes (default: stderr, so stdout stays the program's).
    pub output: Option<PathBuf>,
    /// The run's options, for the heading: `--seed 3 --gil py311`.
    pub options: String,
}

/// Starts tracing `vm` (before its program runs).
pub fn start_trace(vm: &mut Vm, options: &TraceOptions) {
    let recorder = steps::Recorder::new(options.from, options.steps, options.only_shared);
    vm.install_observer(Box::new(recorder), true);
}

/// Ends the trace and writes its table; returns the run's exit status (2 if the table
/// could not be written).
pub fn finish_trace(vm: &mut Vm, options: &TraceOptions, filename: &str, status: i32) -> i32 {
    let Some(recorder) = vm
        .take_observer()
        .and_then(|o| o.into_any().downcast::<steps::Recorder>().ok())
    else {
        return status;
    };
    let trace = recorder.finish(vm);
    let heading = format!("minipy trace {}{filename}", options.options);
    let text = table::render(&trace, options, &heading);
    vm.flush();
    match &options.output {
        None => {
            crate::report!("{text}");
            status
        }
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => status,
            Err(e) => {
                crate::reportln!("minipy: can't write the trace to '{}': {e}", path.display());
                if status == 0 { 2 } else { status }
            }
        },
    }
}
