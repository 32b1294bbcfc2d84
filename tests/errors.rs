//! Compile-time errors against CPython 3.7: `minipy dis` on every program in tests/errors/
//! must print on stderr exactly what `python3.7 PROGRAM` printed (the `.stderr37` files,
//! recorded by scripts/record_errors37.py) and exit with its status, except for the few
//! differences listed in KNOWN_DIFFERENCES, each with its reason and what minipy prints.

mod common;
use common::{minipy_in, programs};
use std::fs;
use std::process::Command;

/// (program, why minipy differs, the last stderr line minipy prints instead)
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "nested_parens_93",
        "3.7's parser dies with MemoryError at 93 levels; minipy allows 200 and compiles it",
        "",
    ),
    (
        "nested_parens_300",
        "3.7 prints `s_push: parser stack overflow` / MemoryError; minipy reports a SyntaxError by design",
        "SyntaxError: too many nested parentheses",
    ),
    (
        "nested_parens_100000",
        "as nested_parens_300",
        "SyntaxError: too many nested parentheses",
    ),
    (
        "eof_unclosed_bracket",
        "3.7 reports a line past the end of the file with an empty text; minipy points after the last token",
        "SyntaxError: unexpected EOF while parsing",
    ),
    (
        "string_triple_eof",
        "3.7 reports a line past the end of the file; minipy reports the last line",
        "SyntaxError: EOF while scanning triple-quoted string literal",
    ),
    (
        "except_default_not_last",
        "3.7 reports the last statement compiled before the handler; minipy points at the bare except",
        "SyntaxError: default 'except:' must be last",
    ),
];

fn run_dis(name: &str) -> (i32, String) {
    let o = minipy_in("tests/errors", &["dis", &format!("{name}.mpy")]);
    (o.status, o.stderr)
}

#[test]
fn syntax_errors_match_cpython_37() {
    let names = programs("tests/errors");
    assert!(names.len() >= 50, "only {} error programs", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let (status, stderr) = run_dis(name);
        let actual = format!("# exit: {status}\n{stderr}");
        if let Some((_, _, last_line)) = KNOWN_DIFFERENCES.iter().find(|(n, _, _)| n == name) {
            let ok = if last_line.is_empty() {
                status == 0
            } else {
                status == 1 && stderr.lines().last() == Some(*last_line)
            };
            if !ok {
                failures.push(format!("{name} (known difference) printed:\n{actual}"));
            }
            let recorded = fs::read_to_string(format!("tests/errors/{name}.stderr37"))
                .expect("recorded expectation");
            if actual == recorded {
                failures.push(format!(
                    "{name} now matches CPython 3.7: remove it from KNOWN_DIFFERENCES"
                ));
            }
            continue;
        }
        let expected = fs::read_to_string(format!("tests/errors/{name}.stderr37"))
            .expect("recorded expectation");
        if actual != expected {
            failures.push(format!(
                "{name}:\n--- CPython 3.7\n{expected}--- minipy\n{actual}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn missing_file_is_a_one_line_error_with_status_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_minipy"))
        .args(["dis", "no/such/file.mpy"])
        .output()
        .expect("minipy runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("can't open file 'no/such/file.mpy'"),
        "{stderr}"
    );
}

#[test]
fn deep_nesting_without_brackets_is_a_syntax_error() {
    let cases = [
        format!("x = {}1\n", "-".repeat(100_000)),
        format!("x = {}y\n", "not ".repeat(100_000)),
        format!("f = {}1\n", "lambda: ".repeat(20_000)),
        format!("x = {}\n", vec!["a"; 100_000].join(" + ")),
        (0..150)
            .map(|i| format!("{}if x:\n", "    ".repeat(i)))
            .collect::<String>()
            + &"    ".repeat(150)
            + "pass\n",
    ];
    for src in &cases {
        // The check must not overflow the test thread's ordinary stack either.
        let result = std::thread::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .spawn({
                let src = src.clone();
                move || {
                    minipy::compile_source(&src, "deep.mpy")
                        .map(|_| ())
                        .map_err(|e| e.message)
                }
            })
            .expect("spawn")
            .join()
            .expect("compiling deep input must not crash");
        let err = result.expect_err("deep nesting is rejected");
        assert!(
            err.contains("too many") || err.contains("nested"),
            "unexpected message: {err}"
        );
    }
}
