//! tests/asyncio: race-free asyncio programs must print what CPython 3.7 printed (recorded
//! by `python3 scripts/record_corpus37.py asyncio`), under the deterministic scheduler at
//! seeds 0-3 and under the OS scheduler.

mod common;

const KNOWN_FAILURES: &[(&str, &str)] = &[];

#[test]
fn asyncio_programs_print_what_cpython_37_prints() {
    common::check_corpus(
        "tests/asyncio",
        &[
            &[],
            &["--seed", "1"],
            &["--seed", "2"],
            &["--seed", "3"],
            &["--sched", "os"],
        ],
        KNOWN_FAILURES,
    );
}
