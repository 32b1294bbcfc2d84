//! `re` and `json` against CPython 3.7: every tests/learner/mod_re_* and mod_json_*
//! program must print exactly what CPython printed (stdout, exit status and the last line
//! of stderr, recorded in `.expected` by scripts/record_corpus37.py).

mod common;
use common::{minipy_in, programs};
use std::fs;

/// Programs that also need a module this tree may not have yet: while importing it fails
/// they are skipped; once it exists they must pass like the rest.
const NEEDS_MODULE: &[(&str, &str)] = &[("mod_json_dump_stream", "io")];

#[test]
fn re_and_json_programs_print_what_cpython_37_prints() {
    let names: Vec<String> = programs("tests/learner")
        .into_iter()
        .filter(|n| n.starts_with("mod_re_") || n.starts_with("mod_json_"))
        .collect();
    assert!(names.len() >= 28, "only {} re/json programs", names.len());
    let mut failures = Vec::new();
    let mut passed = 0;
    for name in &names {
        let o = minipy_in("tests/learner", &["run", &format!("{name}.mpy")]);
        let last = o
            .stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim_end();
        let waiting = NEEDS_MODULE.iter().any(|(n, module)| {
            n == name && last == format!("ModuleNotFoundError: No module named '{module}'")
        });
        if waiting {
            continue;
        }
        let actual = format!("# exit: {}\n# exception: {last}\n{}", o.status, o.stdout);
        let expected = fs::read_to_string(format!("tests/learner/{name}.expected"))
            .expect("recorded expectation");
        if actual == expected {
            passed += 1;
        } else {
            failures.push(format!(
                "{name}:\n--- CPython\n{expected}--- minipy\n{actual}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{passed} passed; failures:\n{}",
        failures.join("\n")
    );
}
