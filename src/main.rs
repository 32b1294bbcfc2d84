//! The `minipy` command line: argument parsing and exit codes only; the work lives in the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "minipy",
    version,
    about = "A teaching bytecode VM for a small Python: CPython 3.7 bytecode, a GIL, deterministic threads",
    long_about = "minipy compiles a small Python to CPython 3.7 bytecode and shows it the way CPython 3.7's \
                  dis module does, so learners can compare it with tutorials."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program
    Run {
        /// The program (.mpy or .py source)
        file: PathBuf,
        /// Arguments the program sees in sys.argv[1:]
        args: Vec<String>,
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

fn main() -> ExitCode {
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
    let (Command::Run { file, .. }
    | Command::Dis { file }
    | Command::Tokens { file }
    | Command::Ast { file }) = &cli.command;
    let source = match std::fs::read(file) {
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
    let filename = file.display().to_string();
    let result = match cli.command {
        Command::Run { args, .. } => {
            let mut argv = vec![filename.clone()];
            argv.extend(args);
            let status = minipy::run_source(&source, &filename, argv);
            return ExitCode::from(status.clamp(0, 255) as u8);
        }
        Command::Dis { .. } => minipy::dis_source(&source, &filename),
        Command::Tokens { .. } => minipy::tokens_listing(&source),
        Command::Ast { .. } => minipy::ast_listing(&source),
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

/// The OS reason without Rust's " (os error N)" suffix, as CPython prints it.
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => format!("[Errno {}] {}", e.raw_os_error().unwrap_or(0), &text[..i]),
        None => text,
    }
}
