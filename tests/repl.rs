//! The interactive prompt: sessions typed into `minipy -q -i` (tests/repl/NAME.mpy, the
//! lines as typed) print what `python3.7 -q -i` printed for them (NAME.expected, recorded by
//! scripts/record_repl37.py; object addresses masked); `-c`, `run -` and a program piped
//! into `minipy` run as CPython runs them.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs minipy with `args` in tests/repl, `input` on its stdin: (status, stdout, stderr).
fn minipy_with_stdin(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_minipy"))
        .args(args)
        .current_dir("tests/repl")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("minipy starts");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(input).expect("the input is written");
    drop(stdin);
    let out = child.wait_with_output().expect("minipy ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// ` at 0x7f...` becomes ` at 0x...`, as the recorder writes it.
fn mask_addresses(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(" at 0x") {
        out.push_str(&rest[..i + 6]);
        rest = &rest[i + 6..];
        let digits = rest
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len());
        if digits > 0 {
            out.push_str("...");
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn sessions_print_what_python37_printed() {
    let mut failures = Vec::new();
    let sessions = common::programs("tests/repl");
    assert!(sessions.len() >= 5, "the sessions are there");
    for name in sessions {
        let typed = std::fs::read(format!("tests/repl/{name}.mpy")).expect("session");
        let expected =
            std::fs::read_to_string(format!("tests/repl/{name}.expected")).expect("recorded");
        let (status, stdout, stderr) = minipy_with_stdin(&["-q", "-i"], &typed);
        let got = mask_addresses(&format!(
            "# exit: {status}\n---- stdout ----\n{stdout}---- stderr ----\n{stderr}"
        ));
        if got != expected {
            failures.push(format!("{name}:\n--- expected\n{expected}\n--- got\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dash_c_runs_its_argument_with_its_argv() {
    // As `python3.7 -c ... a b`: sys.argv[0] is '-c'; tracebacks name "<string>" without
    // its line.
    let (status, stdout, stderr) =
        minipy_with_stdin(&["-c", "import sys; print(sys.argv)\n1/0", "a", "b"], b"");
    assert_eq!(status, 1);
    assert_eq!(stdout, "['-c', 'a', 'b']\n");
    assert_eq!(
        stderr,
        "Traceback (most recent call last):\n  File \"<string>\", line 2, in <module>\nZeroDivisionError: division by zero\n"
    );
}

#[test]
fn run_dash_and_a_piped_program_read_stdin() {
    let program = b"import sys\nprint(sys.argv, __name__)\nfor i in range(2):\n    print(i)\nraise SystemExit(4)\n";
    // `python3.7 - x` prints ['-', 'x'] __main__; piped into `python3.7`, [''] __main__.
    let (status, stdout, _) = minipy_with_stdin(&["run", "-", "x"], program);
    assert_eq!(
        (status, stdout.as_str()),
        (4, "['-', 'x'] __main__\n0\n1\n")
    );
    let (status, stdout, _) = minipy_with_stdin(&[], program);
    assert_eq!((status, stdout.as_str()), (4, "[''] __main__\n0\n1\n"));
    let (status, _, stderr) = minipy_with_stdin(&[], b"x = (1,\n");
    assert_eq!(status, 1);
    assert!(
        stderr.starts_with("  File \"<stdin>\", line 1\n"),
        "{stderr}"
    );
}

/// Threads while the prompt waits for a line: under det they stand still (a session
/// replays the same way every time); under `--sched os` they keep running, as in CPython.
#[test]
fn threads_run_while_the_prompt_waits_only_under_os() {
    const START: &str = "import threading, time\nticks = []\n\
        def ticker():\n    for i in range(5):\n        ticks.append(i)\n        time.sleep(0.01)\n\n\
        t = threading.Thread(target=ticker)\nt.start()\n";
    let session = |sched: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_minipy"))
            .args(["repl", "-q", "--sched", sched])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("minipy starts");
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin.write_all(START.as_bytes()).expect("written");
        stdin.flush().expect("flushed");
        // The ticker needs 50 ms; the prompt waits two seconds for the next line.
        std::thread::sleep(std::time::Duration::from_secs(2));
        stdin.write_all(b"len(ticks)\n").expect("written");
        drop(stdin);
        let out = child.wait_with_output().expect("minipy ends");
        assert_eq!(out.status.code(), Some(0), "{sched}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        session("det"),
        "0\n",
        "det: the thread stands still at the prompt"
    );
    assert_eq!(
        session("os"),
        "5\n",
        "os: the thread ran while the prompt waited"
    );
}
