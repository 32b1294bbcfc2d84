//! The standard-library modules written in minipy's Python (src/modules/lib/) against
//! CPython 3.7: every tests/learner/mod_<module>* program of those modules, and the other
//! learner programs built on them, must print what python3.7 printed (stdout, exit status
//! and the last line of stderr, recorded in `.expected` by scripts/record_corpus37.py).
//! mod_re_* and mod_json_* belong to other modules and are not run here.

mod common;
use common::{minipy_in, programs};
use std::fs;

/// The modules whose `mod_<module>*` programs run here.
const MODULES: &[&str] = &[
    "abc",
    "bisect",
    "collections",
    "contextlib",
    "copy",
    "dataclasses",
    "enum",
    "fractions",
    "functools",
    "heapq",
    "inspect",
    "io",
    "operator",
    "statistics",
    "string",
    "textwrap",
    "types",
    "typing",
];

/// Learner programs outside `mod_*` that exercise these modules (and bytearray, which
/// io.BytesIO writes and pickle rebuilds).
const ALSO: &[&str] = &[
    "bytearray_methods",
    "byterun_textwrap",
    "coro_getcoroutinestate",
    "coro_types_coroutine",
    "gen_getgeneratorstate",
    "itertools_classes",
    "unicodedata_char_classes",
];

/// Programs that need what minipy's core does not have yet, each with what is missing.
/// The test fails if one of them starts passing, so the list stays true.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

const DIR: &str = "tests/learner";

fn selected() -> Vec<String> {
    programs(DIR)
        .into_iter()
        .filter(|name| {
            ALSO.contains(&name.as_str())
                || MODULES.iter().any(|m| {
                    name.strip_prefix("mod_")
                        .and_then(|rest| rest.strip_prefix(m))
                        .is_some_and(|tail| tail.is_empty() || tail.starts_with('_'))
                })
        })
        .collect()
}

#[test]
fn stdlib_programs_print_what_cpython_37_prints() {
    let names = selected();
    assert!(names.len() >= 60, "only {} programs", names.len());
    let mut failures = Vec::new();
    let mut passed = 0;
    for name in &names {
        let o = minipy_in(DIR, &["run", &format!("{name}.mpy")]);
        let last = o
            .stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim_end();
        let actual = format!("# exit: {}\n# exception: {last}\n{}", o.status, o.stdout);
        let expected =
            fs::read_to_string(format!("{DIR}/{name}.expected")).expect("recorded expectation");
        let known = KNOWN_FAILURES.iter().any(|(n, _)| n == name);
        match (actual == expected, known) {
            (true, false) => passed += 1,
            (false, true) => {}
            (true, true) => {
                failures.push(format!("{name} now passes: remove it from KNOWN_FAILURES"))
            }
            (false, false) => failures.push(format!(
                "{name}:\n--- CPython 3.7\n{expected}--- minipy\n{actual}"
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
fn known_failures_are_selected_programs() {
    let names = selected();
    for (name, _) in KNOWN_FAILURES {
        assert!(names.iter().any(|n| n == name), "{name} is not run here");
    }
}
