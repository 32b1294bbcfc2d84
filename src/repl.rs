//! The interactive prompt (`minipy`, `minipy repl`, `minipy -i`), as CPython 3.7's: `>>> `
//! and `... ` prompts, a block ended by an empty line, each input compiled in 'single' mode
//! (an expression statement's value printed with repr and kept in `builtins._`), tracebacks
//! in `File "<stdin>", line N` (line numbers count from each input's first line), a
//! SyntaxError reported without leaving the prompt, Ctrl-C at the prompt a
//! KeyboardInterrupt, Ctrl-D (end of input) the end of the session. On a terminal, lines
//! are read with rustyline (editing, history kept in ~/.minipy_history); from a pipe
//! (`minipy -i < session.txt`) prompts go to stderr and results to stdout, as `python -i`
//! prints them, so a session can be compared with CPython's byte for byte.
//!
//! Threads: the deterministic scheduler steps other threads only while typed code runs;
//! while the prompt waits for a line the main thread keeps the GIL, so the others stand
//! still (`t.join()`, `time.sleep(...)`, or any statement lets them go on): a session
//! replays the same way every time. Under `--sched os` the main thread gives the GIL up
//! while the prompt waits, so the other threads keep running, as in CPython. At the end of
//! the session the program waits for its non-daemon threads, as CPython does.
//!
//! Whether the lines so far make a complete input is decided as CPython's interactive
//! tokenizer decides it: the parser runs out of input (an open bracket, a block header, a
//! triple-quoted string, a backslash) → more lines; a compound statement → more lines until
//! an empty one; a statement on a new line after a block → SyntaxError.

use crate::compile::{Mode, compile_mode, is_compound, with_front_end_stack};
use crate::syntax::{SyntaxError, parse_module};
use crate::vm::frame::Resume;
use crate::vm::{self, ObjRef, Value, Vm};
use std::io::{BufRead, IsTerminal, Write};

/// How the session was asked for.
pub struct ReplOptions {
    pub vm: vm::Options,
    /// No banner (`-q`).
    pub quiet: bool,
    /// `--sched os`: threads on OS threads, running while the prompt waits.
    pub os_threads: bool,
}

/// The VM the prompt runs typed code in: stepped by the deterministic scheduler, or inside
/// the OS scheduler's GIL (taken for each input, let go while the prompt waits).
enum Host {
    Det(Box<Vm>),
    Os(crate::sched::os::Prompt),
}

impl Host {
    fn with<R>(&mut self, f: impl FnOnce(&mut Vm) -> R) -> R {
        match self {
            Host::Det(vm) => f(vm),
            Host::Os(prompt) => prompt.with_vm(f),
        }
    }

    /// Runs the frame `make` gives, then `after` with its result.
    fn run<R>(
        &mut self,
        make: impl FnOnce(&mut Vm) -> Box<crate::vm::frame::Frame>,
        after: impl FnOnce(&mut Vm, vm::PyResult<Value>) -> R,
    ) -> R {
        match self {
            Host::Det(vm) => {
                let frame = make(vm);
                let result = vm.run_frame(frame);
                after(vm, result)
            }
            Host::Os(prompt) => prompt.run(make, after),
        }
    }
}

/// Runs a session on standard input until it ends; returns the exit status.
pub fn run(options: ReplOptions) -> i32 {
    crate::on_vm_stack(move || session(options))
}

/// One line as the prompt got it.
enum Line {
    Text(String),
    Interrupted,
    End,
}

/// Where typed lines come from: a terminal (rustyline) or a pipe.
enum Input {
    Terminal(Box<rustyline::DefaultEditor>, Option<std::path::PathBuf>),
    Piped(std::io::StdinLock<'static>),
}

impl Input {
    fn open() -> Input {
        if std::io::stdin().is_terminal()
            && let Ok(mut editor) = rustyline::DefaultEditor::new()
        {
            let history = std::env::var_os("HOME")
                .map(|home| std::path::Path::new(&home).join(".minipy_history"));
            if let Some(path) = &history {
                let _ = editor.load_history(path);
            }
            return Input::Terminal(Box::new(editor), history);
        }
        Input::Piped(std::io::stdin().lock())
    }

    fn read(&mut self, prompt: &str) -> Line {
        match self {
            Input::Terminal(editor, _) => match editor.readline(prompt) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                    }
                    Line::Text(line)
                }
                Err(rustyline::error::ReadlineError::Interrupted) => Line::Interrupted,
                Err(_) => Line::End,
            },
            Input::Piped(stdin) => {
                crate::write_stderr(prompt);
                let mut line = String::new();
                match stdin.read_line(&mut line) {
                    Ok(0) | Err(_) => Line::End,
                    Ok(_) => {
                        let end = line.trim_end_matches(['\n', '\r']).len();
                        line.truncate(end);
                        Line::Text(line)
                    }
                }
            }
        }
    }

    /// Where CPython writes the newline at end of input and after Ctrl-C: the terminal
    /// (stdout) or stderr beside the prompts.
    fn newline(&self) {
        match self {
            Input::Terminal(..) => {
                let mut out = std::io::stdout();
                let _ = out.write_all(b"\n");
                let _ = out.flush();
            }
            Input::Piped(_) => crate::write_stderr("\n"),
        }
    }

    fn save_history(&mut self) {
        if let Input::Terminal(editor, Some(path)) = self {
            let _ = editor.save_history(path);
        }
    }
}

/// What the lines typed so far make.
#[derive(Debug)]
enum Status {
    /// Run them.
    Complete,
    /// Ask for more with `... `.
    Incomplete,
    Error(SyntaxError),
}

/// Decides whether `source` (the lines so far, each ended by a newline) is a whole input.
fn status(source: &str) -> Status {
    let last_line = source
        .strip_suffix('\n')
        .unwrap_or(source)
        .rsplit('\n')
        .next()
        .unwrap_or("");
    if last_line.ends_with('\\') {
        return Status::Incomplete;
    }
    let module = match with_front_end_stack(|| parse_module(source)) {
        Ok(module) => module,
        Err(e)
            if e.message == "unexpected EOF while parsing"
                || e.message == "EOF while scanning triple-quoted string literal" =>
        {
            return Status::Incomplete;
        }
        Err(e) => return Status::Error(e),
    };
    match module.body.first() {
        // A block goes on until an empty line (one with spaces is not empty to 3.7's
        // tokenizer); compile_mode rejects a statement after it on a new line.
        Some(first) if is_compound(&first.node) && !last_line.is_empty() => {
            let after_block = module.body.len() > 1;
            if after_block {
                Status::Complete
            } else {
                Status::Incomplete
            }
        }
        _ => Status::Complete,
    }
}

fn session(options: ReplOptions) -> i32 {
    let mut vm = crate::new_vm(options.vm);
    if options.os_threads {
        crate::sched::policy::install(&mut vm, crate::sched::policy::GilPolicy::Py37);
    }
    vm.threads.at_prompt = true;
    let globals = main_namespace(&mut vm);
    install_quitters(&mut vm);
    if let Ok(sys) = vm.import("sys", true) {
        for (name, text) in [("ps1", ">>> "), ("ps2", "... ")] {
            let text = vm.new_str(text);
            let _ = vm.setattr(sys, name, text);
        }
    }
    let mut input = Input::open();
    if !options.quiet {
        crate::write_stderr(&format!(
            "minipy {} (Python 3.7 bytecode; threads under the {} scheduler)\n\
             Type exit() or Ctrl-D to leave.\n",
            env!("CARGO_PKG_VERSION"),
            if options.os_threads {
                "OS"
            } else {
                "deterministic"
            }
        ));
    }
    let mut host = if options.os_threads {
        Host::Os(crate::sched::os::Prompt::start(vm))
    } else {
        Host::Det(Box::new(vm))
    };
    let mut source = String::new();
    let mut exit_status = None;
    while exit_status.is_none() {
        let which = if source.is_empty() { "ps1" } else { "ps2" };
        let prompt = host.with(|vm| {
            vm.flush();
            prompt(vm, which)
        });
        let line = match input.read(&prompt) {
            Line::Text(line) => line,
            Line::Interrupted => {
                // (rustyline has ended the line.)
                crate::write_stderr("KeyboardInterrupt\n");
                source.clear();
                continue;
            }
            Line::End => {
                input.newline();
                // A block waiting for its empty line runs; an unfinished statement goes.
                source.push('\n');
                if source.len() > 1 && !matches!(status(&source), Status::Incomplete) {
                    exit_status = run_input(&mut host, globals, &std::mem::take(&mut source));
                    continue;
                }
                break;
            }
        };
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if source.is_empty() && blank {
            continue;
        }
        source.push_str(&line);
        source.push('\n');
        match status(&source) {
            Status::Incomplete => {}
            Status::Complete => {
                exit_status = run_input(&mut host, globals, &std::mem::take(&mut source));
            }
            Status::Error(e) => {
                host.with(|vm| vm.flush());
                crate::write_stderr(&e.render("<stdin>", &source));
                source.clear();
            }
        }
    }
    input.save_history();
    let status = exit_status.unwrap_or(0);
    match host {
        Host::Det(mut vm) => finish(&mut vm, status),
        Host::Os(prompt) => prompt.finish(|vm| {
            vm.flush();
            crate::modules::atexit::run_registered(vm);
            vm.finalize_at_exit();
            status
        }),
    }
}

/// `sys.ps1` or `sys.ps2` as str() makes it, as CPython reads them before each line.
fn prompt(vm: &mut Vm, name: &str) -> String {
    let value = vm
        .import("sys", true)
        .ok()
        .and_then(|sys| vm.getattr_opt(sys, name).ok().flatten());
    match value.map(|v| vm.str(v)) {
        Some(Ok(text)) => text,
        _ => String::new(),
    }
}

/// Compiles and runs one input in `globals`; `Some(status)` when it ends the session
/// (SystemExit).
fn run_input(host: &mut Host, globals: ObjRef, source: &str) -> Option<i32> {
    let code = match with_front_end_stack(|| {
        parse_module(source).and_then(|m| compile_mode(m, source, "<stdin>", Mode::Single))
    }) {
        Ok(code) => code,
        Err(e) => {
            host.with(|vm| vm.flush());
            crate::write_stderr(&e.render("<stdin>", source));
            return None;
        }
    };
    host.run(
        |vm| vm.new_frame(code, globals, Some(globals), Resume::Native),
        |vm, result| {
            vm.flush();
            match result {
                Ok(_) => None,
                Err(exc) => {
                    let exits = vm.exception_is(exc, "SystemExit");
                    let status = vm.report_uncaught(exc);
                    exits.then_some(status)
                }
            }
        },
    )
}

/// The end of the session: the main thread ends, the program waits for its other
/// non-daemon threads (which run now), and what runs at exit runs.
fn finish(vm: &mut Vm, status: i32) -> i32 {
    vm.threads.at_prompt = false;
    if vm.threads.threads.len() > 1
        && let Ok(code) = crate::compile_source("pass\n", "<stdin>")
    {
        let globals = vm.new_dict();
        let globals = globals.as_obj().expect("a dict is a heap object");
        let frame = vm.new_frame(code, globals, Some(globals), Resume::Native);
        let _ = vm.run_frame(frame);
    }
    vm.flush();
    crate::modules::atexit::run_registered(vm);
    vm.finalize_at_exit();
    status
}

/// The `__main__` module typed code runs in.
fn main_namespace(vm: &mut Vm) -> ObjRef {
    let code = crate::compile_source("", "<stdin>").expect("empty source compiles");
    let frame = vm.module_frame(code, "");
    let globals = frame.globals;
    // `__file__` is not set at the prompt.
    if let crate::vm::object::Object::Dict(d) = vm.heap.get_mut(globals) {
        d.shift_remove(&crate::vm::object::DictKey::Str("__file__".into()));
    }
    globals
}

/// `exit` and `quit`, as CPython's site module adds them (`_sitebuiltins.Quitter`).
fn install_quitters(vm: &mut Vm) {
    const SITE: &str = "\
import builtins
class Quitter(object):
    def __init__(self, name, eof):
        self.name = name
        self.eof = eof
    def __repr__(self):
        return 'Use %s() or %s to exit' % (self.name, self.eof)
    def __call__(self, code=None):
        raise SystemExit(code)
builtins.exit = Quitter('exit', 'Ctrl-D (i.e. EOF)')
builtins.quit = Quitter('quit', 'Ctrl-D (i.e. EOF)')
";
    let Ok(code) = crate::compile_source(SITE, "<site>") else {
        return;
    };
    let namespace = vm.new_dict();
    let namespace = namespace.as_obj().expect("a dict is a heap object");
    let name = vm.new_str("_sitebuiltins");
    vm.dict_set_str(namespace, "__name__", name);
    let builtins = Value::Obj(vm.builtins);
    vm.dict_set_str(namespace, "__builtins__", builtins);
    let frame = vm.new_frame(code, namespace, Some(namespace), Resume::Native);
    let _ = vm.run_frame(frame);
}

#[cfg(test)]
mod tests {
    use super::{Status, status};

    fn of(source: &str) -> &'static str {
        match status(source) {
            Status::Complete => "complete",
            Status::Incomplete => "incomplete",
            Status::Error(_) => "error",
        }
    }

    #[test]
    fn inputs_end_where_cpython_s_interactive_parser_ends_them() {
        assert_eq!(of("x = 1\n"), "complete");
        assert_eq!(of("x = 1; y = 2\n"), "complete");
        assert_eq!(of("(1,\n"), "incomplete");
        assert_eq!(of("x = \\\n"), "incomplete");
        assert_eq!(of("'''a\n"), "incomplete");
        assert_eq!(of("if 1:\n"), "incomplete");
        assert_eq!(of("if 1:\n    pass\n"), "incomplete");
        assert_eq!(of("if 1:\n    pass\n    \n"), "incomplete");
        assert_eq!(of("if 1:\n    pass\n\n"), "complete");
        assert_eq!(of("if 1: pass\n"), "incomplete");
        assert_eq!(of("@d\n"), "incomplete");
        assert_eq!(of("x = = 1\n"), "error");
        assert_eq!(of("1 +\n"), "error");
        assert_eq!(of("  x = 1\n"), "error");
    }
}
