//! The `minipy` command line: argument parsing and exit codes only; the work lives in the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: the VM allocates and frees small objects
/// (instance dicts, strings, argument vectors) at a high rate, and glibc's malloc was a
/// third of the method-call benchmark's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    /// mimalloc's `mi_option_set` (mimalloc.h), linked in by the mimalloc crate.
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Tells mimalloc never to give freed pages back to the OS. By default it decommits them
/// 10 ms after they empty; the collector empties many pages at once, and the program
/// faults the same memory in again straight after, so the kernel spent half of a
/// 200,000-object program's time zeroing pages (0.96 s, 0.43 s without; scripts/bench).
/// Peak memory is unchanged: what is kept is what the program already used.
fn keep_freed_pages() {
    /// `mi_option_purge_delay`'s place in mimalloc's `mi_option_e` (v2 and v3 alike);
    /// -1 means "never purge".
    const PURGE_DELAY: std::ffi::c_int = 15;
    // SAFETY: mi_option_set only stores an integer in mimalloc's option table; it is
    // called before any other thread exists, with an option and value mimalloc defines.
    unsafe { mi_option_set(PURGE_DELAY, -1) }
}

#[derive(Parser)]
#[command(
    name = "minipy",
    version,
    about = "A teaching bytecode VM for a small Python: CPython 3.7 bytecode, a GIL, deterministic threads",
    long_about = "minipy compiles a small Python to CPython 3.7 bytecode and shows it the way CPython 3.7's \
                  dis module does, so learners can compare it with tutorials."
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Run CODE as the program (sys.argv[0] is '-c'), as `python -c`
    #[arg(short = 'c', value_name = "CODE")]
    code: Option<String>,
    /// Open the interactive prompt even when stdin is not a terminal (prompts on stderr,
    /// results on stdout, as `python -i`)
    #[arg(short = 'i')]
    interactive: bool,
    /// No banner at the interactive prompt
    #[arg(short = 'q')]
    quiet: bool,
    /// Arguments the program sees in sys.argv[1:] (with -c)
    args: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program. Threads share one GIL. Under --sched det (the default) it is handed to
    /// the next thread every --check-interval instructions by a scheduler seeded with --seed,
    /// and time is virtual: the same program and options print the same bytes on every run
    /// and machine. Under --sched os every thread is an OS thread and time is real.
    Run {
        #[command(flatten)]
        scheduling: Scheduling,
        /// Under --sched det: how many simulated processes (multiprocessing) run at the
        /// same virtual time, and what os.cpu_count() returns
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1024))]
        cpus: u32,
        /// Run the one schedule a replay token from `minipy explore` holds (the GIL offered
        /// before every counted instruction, as explore runs it); the token must be for
        /// this program
        #[arg(long, value_name = "TOKEN")]
        replay: Option<String>,
        /// With --replay: print the accesses to shared state that made the outcome, per
        /// thread, with the values read and written, and the updates that were lost
        #[arg(long, requires = "replay")]
        explain: bool,
        /// Report data races: accesses of two threads to the same global, attribute or
        /// item, one a write, that no lock, join, queue or event orders, with both places
        /// in the source, even when this run's output is right. Exit status 66 when it
        /// reported one (as ThreadSanitizer), unless --race-report=warn
        #[arg(long, value_name = "MODE", num_args = 0..=1, require_equals = true,
              default_missing_value = "error", value_parser = ["error", "warn"],
              conflicts_with = "replay")]
        race_report: Option<String>,
        /// Bytes the program may use: an object whose size would pass it (or overflow)
        /// raises MemoryError before it is allocated (default: half the machine's memory)
        #[arg(long, value_name = "BYTES")]
        max_memory: Option<u64>,
        /// Stop the program after this many seconds of real time: a message on stderr and
        /// exit status 124 (as GNU timeout)
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
        /// Stop the program after this many counted instructions: a message on stderr and
        /// exit status 124
        #[arg(long, value_name = "N")]
        max_steps: Option<u64>,
        /// Record the run's timeline to FILE: .json (Chrome trace events, for
        /// ui.perfetto.dev), .svg, or .html (a self-contained page with zoom and details)
        #[arg(long, value_name = "FILE", conflicts_with_all = ["replay", "race_report"])]
        timeline: Option<PathBuf>,
        /// The most events the timeline keeps (it says where it stopped)
        #[arg(
            long,
            default_value_t = 1_000_000,
            value_name = "N",
            requires = "timeline"
        )]
        timeline_limit: usize,
        /// The program (.mpy or .py source)
        file: PathBuf,
        /// Arguments the program sees in sys.argv[1:]
        args: Vec<String>,
    },
    /// Run a program as `run` does (the same output for the same options) and print its
    /// interleaving as a table on stderr (or --output FILE): a column per thread, a row per
    /// step of the program's own code with its source line, its instruction and the values
    /// it reads or writes, GIL handoffs as separator rows with their reason, then the
    /// updates the run lost
    Trace(TraceArgs),
    /// Run a racy program under many schedules and list every distinct outcome (stdout,
    /// exit status, --invariant) with its count, its share and a replay token
    /// (`minipy run --replay TOKEN FILE` reruns that schedule). A switch may happen before
    /// any counted instruction and at every block. The default strategy, dpor, varies only
    /// the order of dependent steps (two threads touching the same global, attribute,
    /// container or lock, one writing) and says when it has exhausted every outcome.
    Explore {
        /// dpor: systematic, with partial-order reduction; pct: probabilistic concurrency
        /// testing (--depth); random: a uniformly random thread at every decision
        #[arg(long, default_value = "dpor", value_parser = ["dpor", "pct", "random"])]
        strategy: String,
        /// Seed of the pct and random strategies
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// PCT's depth: the bug depth it aims at (depth - 1 priority changes per run)
        #[arg(long, default_value_t = 3)]
        depth: usize,
        /// At most this many preemptions per schedule (switching away from a thread that
        /// could go on), as CHESS bounds them
        #[arg(long)]
        preemptions: Option<usize>,
        /// Stop after this many schedules (pct and random run 1,000 by default)
        #[arg(long)]
        max_schedules: Option<usize>,
        /// Stop after this many seconds
        #[arg(long, value_name = "SECONDS")]
        time_limit: Option<f64>,
        /// Stop at the first schedule whose --invariant is false
        #[arg(long)]
        stop_on_first: bool,
        /// Parallel workers for pct and random (default: the machine's cores); dpor's
        /// depth-first search runs in one
        #[arg(long)]
        jobs: Option<usize>,
        /// A Python expression evaluated in the program's globals at the end of each
        /// schedule; its value is part of the outcome, and a false one a failure
        #[arg(long, value_name = "EXPR")]
        invariant: Option<String>,
        /// After the table, explain each outcome (each failing one, with --invariant): the
        /// conflicting accesses that produced it and what update was lost
        #[arg(long)]
        explain: bool,
        /// Most threads alive at once
        #[arg(long, default_value_t = 1024)]
        max_threads: usize,
        /// The program (.mpy or .py source)
        file: PathBuf,
        /// Arguments the program sees in sys.argv[1:]
        args: Vec<String>,
    },
    /// The interactive prompt, as CPython 3.7's (`minipy` with no arguments on a terminal
    /// opens it too). Under the deterministic scheduler other threads run while typed code
    /// runs and stand still while the prompt waits for a line (a session replays the same
    /// way every time); under --sched os they keep running while it waits, as in CPython
    Repl {
        /// Scheduler: `det` (deterministic, virtual time) or `os` (OS threads, real time)
        #[arg(long, default_value = "det", value_parser = ["det", "os"])]
        sched: String,
        /// Seed of the scheduler's choice of the next thread (and of the random module)
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Instructions a thread runs before it offers the GIL
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
        check_interval: u32,
        /// Most threads alive at once
        #[arg(long, default_value_t = 1024)]
        max_threads: usize,
        /// No banner
        #[arg(short = 'q')]
        quiet: bool,
    },
    /// Print the bytecode of a program, and of every code object nested in it, as CPython 3.7's dis prints it
    Dis {
        /// The program (.mpy or .py source)
        file: PathBuf,
    },
    /// Print the token stream the lexer produces, layout tokens (NEWLINE, INDENT, DEDENT) included
    Tokens {
        /// The program (.mpy or .py source)
        file: PathBuf,
    },
    /// Print the syntax tree the parser builds
    Ast {
        /// The program (.mpy or .py source)
        file: PathBuf,
    },
}

/// How a run is scheduled: the options run and trace share.
#[derive(clap::Args)]
struct Scheduling {
    /// Scheduler: `det` steps every VM thread from one OS thread, deterministically, on a
    /// virtual clock; `os` runs one OS thread per VM thread, contending for a real GIL
    /// (CPython's drop-request protocol), in real time
    #[arg(long, default_value = "det", value_parser = ["det", "os"])]
    sched: String,
    /// Seed of the scheduler's choice of the next thread (and of the random module)
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Instructions a thread runs before it offers the GIL (Python 2's default: 100;
    /// the fast ones such as LOAD_FAST and LOAD_CONST do not count, as in CPython, and a
    /// thread that has just taken the GIL first offers it after a seeded 1 to N); under
    /// --sched os, how often the holder checks for a drop request
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    check_interval: u32,
    /// Seconds between GIL drop requests under --sched os (CPython's default 0.005);
    /// also what sys.getswitchinterval() returns
    #[arg(long, default_value_t = 0.005)]
    switch_interval: f64,
    /// Most threads alive at once; starting one more raises RuntimeError
    #[arg(long, default_value_t = 1024)]
    max_threads: usize,
    /// The GIL's policy: py2 offers it every --check-interval counted instructions; py37
    /// drops it on a drop request after --switch-interval seconds, at the next counted
    /// instruction; py311 only at a call or a backward jump, as CPython 3.10+ (default:
    /// py2 under det, py37 under os)
    #[arg(long, value_parser = ["py2", "py37", "py311"])]
    gil: Option<String>,
}

impl Scheduling {
    /// The options a VM gets from these (the rest at their defaults), or the message for
    /// a switch interval that is not a positive number of seconds.
    fn vm_options(&self, argv: Vec<String>) -> Result<minipy::vm::Options, &'static str> {
        if self.switch_interval.is_nan() || self.switch_interval <= 0.0 {
            return Err("minipy: --switch-interval must be a positive number of seconds");
        }
        Ok(minipy::vm::Options {
            argv,
            seed: self.seed,
            check_interval: self.check_interval,
            max_threads: self.max_threads,
            switch_interval: self.switch_interval,
            ..Default::default()
        })
    }

    fn plan(&self) -> (minipy::RunPlan, String) {
        plan_of(
            &self.sched,
            self.gil.as_deref(),
            self.seed,
            self.check_interval,
        )
    }
}

#[derive(clap::Args)]
struct TraceArgs {
    /// A row per instruction, or per source line
    #[arg(long, default_value = "instruction", value_parser = ["instruction", "line"])]
    granularity: String,
    /// The first step shown (steps count the program's own instructions from 1)
    #[arg(long, default_value_t = 1, value_name = "STEP")]
    from: u64,
    /// At most this many rows
    #[arg(long, default_value_t = 200, value_name = "N")]
    steps: u64,
    /// Only rows that touch a place more than one thread touched (one of them writing)
    #[arg(long)]
    only_shared: bool,
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "csv"])]
    format: String,
    /// Write the table to FILE instead of stderr
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    scheduling: Scheduling,
    /// Trace the schedule of a replay token from `minipy explore`
    #[arg(long, value_name = "TOKEN")]
    replay: Option<String>,
    /// The program (.mpy or .py source)
    file: PathBuf,
    /// Arguments the program sees in sys.argv[1:]
    args: Vec<String>,
}

/// The scheduler, the GIL's policy and the words that name them in a title.
fn plan_of(sched: &str, gil: Option<&str>, seed: u64, interval: u32) -> (minipy::RunPlan, String) {
    use minipy::sched::policy::GilPolicy;
    let sched = if sched == "os" {
        minipy::Sched::Os
    } else {
        minipy::Sched::Det
    };
    let gil = gil.and_then(GilPolicy::parse);
    let shown = gil.unwrap_or(if sched == minipy::Sched::Os {
        GilPolicy::Py37
    } else {
        GilPolicy::Py2
    });
    let mut words = format!("--seed {seed} --gil {}", shown.name());
    if sched == minipy::Sched::Os {
        words.insert_str(0, "--sched os ");
    }
    if shown == GilPolicy::Py2 && interval != 100 {
        words.push_str(&format!(" --check-interval {interval}"));
    }
    let plan = minipy::RunPlan {
        sched,
        gil,
        timeline: None,
    };
    (plan, words)
}

fn main() -> ExitCode {
    keep_freed_pages();
    // A child that multiprocessing's spawn start method started (not a command line).
    if let Some(status) = minipy::sched::process::broker::spawned_child() {
        return ExitCode::from(status as u8);
    }
    let cli = Cli::parse();
    // Deeply nested programs are rejected by the front end, but the passes up to that check
    // recurse; a large stack keeps them well inside it.
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024 * 1024)
        .spawn(move || run(cli))
        .expect("spawning the interpreter thread");
    worker.join().unwrap_or(ExitCode::from(70))
}

fn run(cli: Cli) -> ExitCode {
    let command = match cli.command {
        Some(Command::Repl {
            sched,
            seed,
            check_interval,
            max_threads,
            quiet,
        }) => {
            let vm = minipy::vm::Options {
                argv: vec![String::new()],
                seed,
                check_interval,
                max_threads,
                ..Default::default()
            };
            let os_threads = sched == "os";
            return exit_status(minipy::repl::run(minipy::repl::ReplOptions {
                vm,
                quiet,
                os_threads,
            }));
        }
        Some(command) => command,
        None => return run_without_command(cli.code, cli.interactive, cli.quiet, cli.args),
    };
    let (Command::Run { file, .. }
    | Command::Trace(TraceArgs { file, .. })
    | Command::Explore { file, .. }
    | Command::Dis { file }
    | Command::Tokens { file }
    | Command::Ast { file }) = &command
    else {
        unreachable!("handled above");
    };
    // `run -`: the program is standard input.
    let from_stdin = file.as_os_str() == "-";
    let read = if from_stdin {
        read_stdin()
    } else {
        std::fs::read(file)
    };
    let source = match read {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => {
                eprintln!("minipy: {}: not valid UTF-8 source", file.display());
                return ExitCode::from(2);
            }
        },
        Err(e) => {
            eprintln!(
                "minipy: can't open file '{}': {}",
                file.display(),
                io_reason(&e)
            );
            return ExitCode::from(2);
        }
    };
    let filename = if from_stdin {
        "<stdin>".to_string()
    } else {
        file.display().to_string()
    };
    let source = minipy::syntax::universal_newlines(&source).into_owned();
    let result = match command {
        Command::Run {
            args,
            scheduling,
            cpus,
            replay,
            explain,
            race_report,
            max_memory,
            timeout,
            max_steps,
            timeline,
            timeline_limit,
            ..
        } => {
            if let Some(seconds) = timeout {
                if !(seconds > 0.0 && seconds < 1e9) {
                    eprintln!("minipy: --timeout must be a positive number of seconds");
                    return ExitCode::from(2);
                }
                start_watchdog(seconds);
            }
            let mut argv = vec![if from_stdin {
                "-".to_string()
            } else {
                filename.clone()
            }];
            argv.extend(args);
            let options = match scheduling.vm_options(argv) {
                Ok(options) => minipy::vm::Options {
                    cpus: cpus as usize,
                    max_memory: max_memory.unwrap_or_else(minipy::vm::memory::default_max_memory),
                    max_steps: max_steps.unwrap_or(u64::MAX),
                    ..options
                },
                Err(message) => {
                    eprintln!("{message}");
                    return ExitCode::from(2);
                }
            };
            let sched = if scheduling.sched == "os" {
                minipy::Sched::Os
            } else {
                minipy::Sched::Det
            };
            if race_report.is_some() && sched == minipy::Sched::Os {
                eprintln!(
                    "minipy: --race-report runs under the deterministic scheduler (--sched det)"
                );
                return ExitCode::from(2);
            }
            let status = match (replay, race_report) {
                (Some(token), _) => minipy::on_vm_stack(|| {
                    minipy::explore::replay(&source, &filename, options, &token, explain)
                }),
                (None, Some(mode)) => minipy::on_vm_stack(|| {
                    minipy::explore::race_report(&source, &filename, options, mode == "warn")
                }),
                (None, None) => {
                    let (mut plan, words) = scheduling.plan();
                    if let Some(path) = timeline {
                        match minipy::trace::TimelineRequest::new(path, timeline_limit, words) {
                            Ok(request) => plan.timeline = Some(request),
                            Err(message) => {
                                eprintln!("minipy: {message}");
                                return ExitCode::from(2);
                            }
                        }
                    }
                    minipy::run_planned(&source, &filename, options, &plan)
                }
            };
            // As the OS takes an exit status: its low byte (sys.exit(-1) is 255).
            return ExitCode::from(status as u8);
        }
        Command::Trace(t) => {
            let mut argv = vec![filename.clone()];
            argv.extend(t.args);
            let options = match t.scheduling.vm_options(argv) {
                Ok(options) => options,
                Err(message) => {
                    eprintln!("{message}");
                    return ExitCode::from(2);
                }
            };
            let (plan, words) = t.scheduling.plan();
            let trace = minipy::trace::TraceOptions {
                by_line: t.granularity == "line",
                from: t.from,
                steps: t.steps,
                only_shared: t.only_shared,
                format: minipy::trace::table::Format::parse(&t.format)
                    .unwrap_or(minipy::trace::table::Format::Text),
                output: t.output,
                options: match &t.replay {
                    Some(token) => format!("--replay {token} "),
                    None => format!("{words} "),
                },
            };
            let status = match t.replay {
                Some(token) => minipy::on_vm_stack(|| {
                    minipy::trace_replay(&source, &filename, options, &token, &trace)
                }),
                None => minipy::trace_source(&source, &filename, options, &plan, &trace),
            };
            return ExitCode::from(status as u8);
        }
        Command::Explore {
            strategy,
            seed,
            depth,
            preemptions,
            max_schedules,
            time_limit,
            stop_on_first,
            jobs,
            invariant,
            explain,
            max_threads,
            args,
            ..
        } => {
            let mut argv = vec![filename.clone()];
            argv.extend(args);
            let options = minipy::vm::Options {
                argv,
                max_threads,
                ..Default::default()
            };
            let explore = minipy::explore::ExploreOptions {
                strategy: match strategy.as_str() {
                    "pct" => minipy::explore::StrategyKind::Pct,
                    "random" => minipy::explore::StrategyKind::Random,
                    _ => minipy::explore::StrategyKind::Dpor,
                },
                seed,
                depth,
                preemptions,
                max_schedules,
                time_limit,
                stop_on_first,
                jobs: jobs
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                invariant,
                explain,
                progress: true,
            };
            let status = minipy::on_vm_stack(|| {
                minipy::explore::explore(&source, &filename, options, &explore)
            });
            return ExitCode::from(status as u8);
        }
        Command::Dis { .. } => minipy::dis_source(&source, &filename),
        Command::Tokens { .. } => minipy::tokens_listing(&source),
        Command::Ast { .. } => minipy::ast_listing(&source),
        Command::Repl { .. } => unreachable!("handled above"),
    };
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprint!("{}", err.render(&filename, &source));
            ExitCode::from(1)
        }
    }
}

/// `minipy` with no subcommand: `-c CODE`, the prompt (on a terminal, or with `-i`), or
/// standard input run as a program, as `python` does.
fn run_without_command(
    code: Option<String>,
    interactive: bool,
    quiet: bool,
    args: Vec<String>,
) -> ExitCode {
    use std::io::IsTerminal;
    let (source, filename, argv0) = match code {
        Some(code) => (code, "<string>", "-c"),
        None if interactive || std::io::stdin().is_terminal() => {
            let vm = minipy::vm::Options {
                argv: std::iter::once(String::new()).chain(args).collect(),
                ..Default::default()
            };
            return exit_status(minipy::repl::run(minipy::repl::ReplOptions {
                vm,
                quiet,
                os_threads: false,
            }));
        }
        None => match read_stdin().map(String::from_utf8) {
            Ok(Ok(source)) => (source, "<stdin>", ""),
            _ => {
                eprintln!("minipy: <stdin>: not valid UTF-8 source");
                return ExitCode::from(2);
            }
        },
    };
    let source = minipy::syntax::universal_newlines(&source).into_owned();
    let options = minipy::vm::Options {
        argv: std::iter::once(argv0.to_string()).chain(args).collect(),
        ..Default::default()
    };
    exit_status(minipy::run_source(
        &source,
        filename,
        options,
        minipy::Sched::Det,
    ))
}

/// `--timeout`: after `seconds` of real time the process ends, whatever the VM is doing
/// (a long computation inside one instruction included).
fn start_watchdog(seconds: f64) {
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs_f64(seconds));
        eprintln!("minipy: stopped after the --timeout of {seconds} seconds");
        std::process::exit(minipy::vm::memory::LIMIT_STATUS);
    });
}

fn read_stdin() -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
    Ok(bytes)
}

/// As the OS takes an exit status: its low byte (sys.exit(-1) is 255).
fn exit_status(status: i32) -> ExitCode {
    ExitCode::from(status as u8)
}

/// The OS reason without Rust's " (os error N)" suffix, as CPython prints it.
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => format!("[Errno {}] {}", e.raw_os_error().unwrap_or(0), &text[..i]),
        None => text,
    }
}
