//! tests/asyncio: race-free asyncio programs must print what CPython 3.7 printed (recorded
//! by `python3 scripts/record_corpus37.py asyncio`), under the deterministic scheduler at
//! seeds 0-3 and under the OS scheduler.

mod common;

const KNOWN_FAILURES: &[(&str, &str)] = &[
    ("err_never_awaited", "no gc module; coroutines freed unawaited are not reported"),
    ("err_never_awaited_recorded", "no gc or warnings module"),
    ("err_never_retrieved", "no gc module; no finalizers (Task.__del__)"),
    (
        "loop_already_running",
        "an exception nobody retrieved is reported at loop close, where CPython reports it when the task is freed",
    ),
    ("types_coroutine", "no types module"),
];

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
