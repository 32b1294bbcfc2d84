//! `minipy run` against CPython: every race-free program in tests/programs/ must print what
//! CPython printed (stdout, exit status and the last line of stderr, recorded in `.expected`
//! by scripts/record_expectations.py), uncaught exceptions must print CPython 3.7's full
//! report (tests/tracebacks/, recorded by scripts/record_tracebacks37.py), and the
//! collector must reclaim cycles.

mod common;
use common::{Outcome, minipy_in, programs};
use std::fs;

/// Programs minipy does not match yet, each with what is missing. The test fails if one of
/// them starts passing, so the list stays true.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn run(dir: &str, file: &str) -> Outcome {
    minipy_in(dir, &["run", file])
}

#[test]
fn programs_print_what_cpython_prints() {
    let names = programs("tests/programs");
    assert!(names.len() >= 150, "only {} programs", names.len());
    let mut failures = Vec::new();
    let mut passed = 0;
    for name in &names {
        let o = run("tests/programs", &format!("{name}.mpy"));
        let last = o
            .stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim_end();
        let actual = format!("# exit: {}\n# exception: {last}\n{}", o.status, o.stdout);
        let expected = fs::read_to_string(format!("tests/programs/{name}.expected"))
            .expect("recorded expectation");
        let known = KNOWN_FAILURES.iter().any(|(n, _)| n == name);
        match (actual == expected, known) {
            (true, false) => passed += 1,
            (false, true) => {}
            (true, true) => {
                failures.push(format!("{name} now passes: remove it from KNOWN_FAILURES"))
            }
            (false, false) => failures.push(format!(
                "{name}:\n--- CPython\n{expected}--- minipy\n{actual}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} passed; failures:\n{}",
        passed,
        failures.join("\n")
    );
    assert_eq!(passed + KNOWN_FAILURES.len(), names.len());
}

#[test]
fn uncaught_exceptions_print_cpython_37_reports() {
    let names = programs("tests/tracebacks");
    assert!(names.len() >= 6);
    for name in names {
        let o = run("tests/tracebacks", &format!("{name}.mpy"));
        let actual = format!("# exit: {}\n{}# stderr\n{}", o.status, o.stdout, o.stderr);
        let expected =
            fs::read_to_string(format!("tests/tracebacks/{name}.out37")).expect("recorded report");
        assert_eq!(actual, expected, "{name}");
    }
}

/// tests/merged: stdout and stderr as one stream (`2>&1`), recorded from CPython 3.7 by
/// scripts/record_merged37.py, so where a report falls among the prints is checked.
#[test]
fn reports_come_where_cpython_37_prints_them() {
    let names = programs("tests/merged");
    assert!(!names.is_empty());
    for name in names {
        let (read, write) = std::io::pipe().expect("a pipe");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_minipy"))
            .args(["run", &format!("{name}.mpy")])
            .current_dir("tests/merged")
            .stdout(write.try_clone().expect("pipe clone"))
            .stderr(write)
            .spawn()
            .expect("minipy runs");
        let mut merged = String::new();
        std::io::Read::read_to_string(&mut { read }, &mut merged).expect("utf-8 output");
        let status = child.wait().expect("exits").code().unwrap_or(-1);
        let actual = format!("{merged}# exit: {status}\n");
        let expected =
            fs::read_to_string(format!("tests/merged/{name}.merged37")).expect("recorded output");
        assert_eq!(actual, expected, "{name}");
    }
}

#[test]
fn collector_reclaims_cycles_in_bounded_memory() {
    // 300,000 iterations each make two instances (and their dicts) that point at each other.
    let source = "class Node:\n    def __init__(self):\n        self.other = None\n\
                  for i in range(300000):\n    a = Node()\n    b = Node()\n    a.other = b\n    b.other = a\n";
    let code = minipy::compile_source(source, "cycles.mpy").expect("compiles");
    let mut vm = minipy::new_vm(minipy::vm::Options {
        argv: vec!["cycles.mpy".into()],
        ..Default::default()
    });
    let baseline = vm.heap.live();
    vm.run_module(code, source).expect("runs");
    let high_water = vm.heap.capacity();
    vm.collect(&[]);
    let live = vm.heap.live();
    // Without collection the loop would need 1,200,000 slots.
    assert!(high_water < 600_000, "heap grew to {high_water} slots");
    assert!(
        live < baseline + 100,
        "{live} objects live after collection (baseline {baseline})"
    );
}

#[test]
fn sys_exit_sets_the_status() {
    let dir = std::env::temp_dir().join("minipy-runtime-exit");
    fs::create_dir_all(&dir).expect("temp dir");
    fs::write(
        dir.join("exit.mpy"),
        "import sys\nprint('bye')\nsys.exit(7)\n",
    )
    .expect("write");
    let o = run(dir.to_str().expect("utf-8 path"), "exit.mpy");
    assert_eq!(
        (o.status, o.stdout.as_str(), o.stderr.as_str()),
        (7, "bye\n", "")
    );
}
