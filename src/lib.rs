//! minipy: a teaching bytecode VM for a small Python.
//!
//! Data flows one way: `syntax` (source → tokens → AST) → `compile` (AST → CPython 3.7
//! code objects) → `bytecode` (the opcode table, code objects, dis) → `vm` (the core: the
//! eval loop on heap frames), which `objects` (what the built-in types do), `sched` (the
//! schedulers) and `modules` (builtins and importable modules) plug into. This file is the
//! facade that puts them together: compile, dis, run.

/// `eprint!` that ignores a failed write: a closed stderr (`2>&1 | head -1`) must not
/// panic a VM thread, which under `--sched os` left the program waiting for it for ever.
/// While this thread captures stderr (the explorer's runs), the text is kept instead.
#[macro_export]
macro_rules! report {
    ($($arg:tt)*) => {{
        $crate::write_stderr(&format!($($arg)*));
    }};
}

/// `eprintln!` that ignores a failed write (see `report!`).
#[macro_export]
macro_rules! reportln {
    ($($arg:tt)*) => {{
        $crate::write_stderr(&format!("{}\n", format!($($arg)*)));
    }};
}

thread_local! {
    static STDERR_CAPTURE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Writes a VM's stderr text: to the process's stderr, or to this thread's capture.
pub fn write_stderr(text: &str) {
    let captured = STDERR_CAPTURE.with(|c| match c.borrow_mut().as_mut() {
        Some(buf) => {
            buf.push_str(text);
            true
        }
        None => false,
    });
    if !captured {
        use std::io::Write as _;
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}

/// Starts (`Some`) or ends (`None`, returning what was kept) this thread's capture of the
/// VM's stderr.
pub fn capture_stderr(on: bool) -> Option<String> {
    STDERR_CAPTURE.with(|c| {
        let mut c = c.borrow_mut();
        if on {
            c.replace(String::new())
        } else {
            c.take()
        }
    })
}

pub mod bytecode;
pub mod compile;
pub mod explore;
pub mod modules;
pub mod objects;
pub mod pycomplex;
pub mod pyfmt;
pub mod repl;
pub mod sched;
pub mod syntax;
pub mod trace;
pub mod vm;

use syntax::SyntaxError;

/// `minipy tokens`: one token a line, with its line:column span.
pub fn tokens_listing(source: &str) -> Result<String, SyntaxError> {
    use std::fmt::Write;
    let mut out = String::new();
    for (start, tok, end) in syntax::lex(source)? {
        let (l1, c1) = line_col(source, start);
        let (l2, c2) = line_col(source, end);
        let _ = writeln!(out, "{l1}:{c1}-{l2}:{c2}\t{}", tok.describe());
    }
    Ok(out)
}

/// `minipy ast`: the syntax tree, pretty-printed.
pub fn ast_listing(source: &str) -> Result<String, SyntaxError> {
    with_front_end_stack(|| {
        let module = syntax::parse_module(source)?;
        Ok(format!("{:#?}\n", module.body))
    })
}

pub use compile::{compile_source, with_front_end_stack};

/// `minipy dis`: the module's listing, then every nested code object's, as CPython 3.7 prints them.
pub fn dis_source(source: &str, filename: &str) -> Result<String, SyntaxError> {
    let code = compile_source(source, filename)?;
    Ok(bytecode::dis::dis_recursive(&code))
}

fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let line = syntax::error::line_of(source, offset);
    let line_start = source[..offset.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    (
        line,
        source[line_start..offset.min(source.len())].chars().count(),
    )
}

/// Which scheduler runs a program's threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sched {
    /// `--sched det`: every VM thread stepped from one OS thread, seeded, on a virtual clock.
    #[default]
    Det,
    /// `--sched os`: one OS thread per VM thread on a real GIL, in real time.
    Os,
}

/// A VM with the builtins, every module and the deterministic scheduler (`sched::os::run_main`
/// moves one to the OS scheduler).
pub fn new_vm(options: vm::Options) -> vm::Vm {
    let (scheduler, scheduler_state) = sched::deterministic(options.seed);
    let plugins = vm::Plugins {
        builtins: modules::builtins::install,
        modules: modules::TABLE,
        find_module: modules::source_files::find,
        scheduler,
        scheduler_state,
    };
    let cpus = options.cpus;
    let mut vm = vm::Vm::with_options(options, plugins);
    sched::process::set_cpus(&mut vm, cpus);
    vm
}

/// Runs `f` on a thread with the VM thread's large stack (native helpers recurse, bounded
/// by the VM's own limits).
pub fn on_vm_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("minipy-vm".into())
            .stack_size(512 * 1024 * 1024)
            .spawn_scoped(scope, f)
            .expect("spawning the VM thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// `minipy run`: compiles and runs a program; prints its output, and an uncaught exception
/// as CPython's traceback on stderr. Returns the process exit status.
pub fn run_source(source: &str, filename: &str, options: vm::Options, sched: Sched) -> i32 {
    let plan = RunPlan {
        sched,
        ..RunPlan::default()
    };
    run_planned(source, filename, options, &plan)
}

/// How `run_planned` runs a program, beyond the VM's options.
#[derive(Clone, Debug, Default)]
pub struct RunPlan {
    pub sched: Sched,
    /// `--gil`; `None`: py2 under det (the check interval), py37 under os (CPython 3.2+'s
    /// drop request, the real GIL's protocol).
    pub gil: Option<sched::policy::GilPolicy>,
    /// `--timeline FILE`: the run's timeline is recorded and written there.
    pub timeline: Option<trace::TimelineRequest>,
}

/// `minipy run` with a plan: the scheduler, the GIL's policy, a timeline.
pub fn run_planned(source: &str, filename: &str, options: vm::Options, plan: &RunPlan) -> i32 {
    let timeline = plan.timeline.as_ref();
    run_observed(
        source,
        filename,
        options,
        plan,
        |vm| {
            if let Some(request) = timeline {
                trace::start_timeline(vm, request, filename);
            }
        },
        |vm, status| match timeline {
            Some(request) => trace::finish_timeline(vm, request, status),
            None => status,
        },
    )
}

/// `minipy trace`: runs the program as `run_planned` would, printing what it prints, and
/// writes the table of its interleaving.
pub fn trace_source(
    source: &str,
    filename: &str,
    options: vm::Options,
    plan: &RunPlan,
    trace_options: &trace::TraceOptions,
) -> i32 {
    run_observed(
        source,
        filename,
        options,
        plan,
        |vm| trace::start_trace(vm, trace_options),
        |vm, status| trace::finish_trace(vm, trace_options, filename, status),
    )
}

/// `minipy trace --replay TOKEN`: the schedule of a replay token, traced.
pub fn trace_replay(
    source: &str,
    filename: &str,
    options: vm::Options,
    token: &str,
    trace_options: &trace::TraceOptions,
) -> i32 {
    explore::replay_observed(
        source,
        filename,
        options,
        token,
        false,
        |vm| trace::start_trace(vm, trace_options),
        |vm, status| trace::finish_trace(vm, trace_options, filename, status),
    )
}

/// Runs a program; `start` sees the VM before it runs, `end` after (with the exit status,
/// which it may change).
fn run_observed(
    source: &str,
    filename: &str,
    options: vm::Options,
    plan: &RunPlan,
    start: impl FnOnce(&mut vm::Vm) + Send,
    end: impl FnOnce(&mut vm::Vm, i32) -> i32 + Send,
) -> i32 {
    let sched = plan.sched;
    let gil = plan.gil.unwrap_or(match sched {
        Sched::Det => sched::policy::GilPolicy::Py2,
        Sched::Os => sched::policy::GilPolicy::Py37,
    });
    let code = match compile_source(source, filename) {
        Ok(code) => code,
        Err(err) => {
            report!("{}", err.render(filename, source));
            return 1;
        }
    };
    // The VM runs on a thread with a large stack: native helpers (repr of deep structures,
    // callbacks from sorted() or map()) recurse, bounded by the VM's own limits.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("minipy-vm".into())
            .stack_size(512 * 1024 * 1024)
            .spawn_scoped(scope, || {
                let mut machine = new_vm(options);
                sched::policy::install(&mut machine, gil);
                start(&mut machine);
                let finish = |machine: &mut vm::Vm, result: vm::PyResult<vm::Value>| {
                    machine.flush();
                    let status = match result {
                        Ok(_) => 0,
                        Err(exc) => machine.report_uncaught(exc),
                    };
                    modules::atexit::run_registered(machine);
                    sched::process::at_exit(machine);
                    machine.finalize_at_exit();
                    end(machine, status)
                };
                if sched == Sched::Os {
                    let frame = machine.module_frame(code, source);
                    return sched::os::run_main(machine, frame, finish);
                }
                let result = machine.run_module(code, source);
                finish(&mut machine, result)
            })
            .expect("spawning the VM thread")
            .join()
            .unwrap_or(70)
    })
}
