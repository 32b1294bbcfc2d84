//! tests/multiprocessing: programs using multiprocessing must print what CPython 3.7
//! printed (recorded by `python3 scripts/record_corpus37.py tests/multiprocessing`), under
//! the deterministic scheduler at seeds 0-3, where the processes are simulated.

mod common;

const KNOWN_FAILURES: &[(&str, &str)] = &[
    (
        "futures_process_exception",
        "concurrent.futures.ProcessPoolExecutor is not built yet",
    ),
    (
        "futures_process_pool",
        "concurrent.futures.ProcessPoolExecutor is not built yet",
    ),
    (
        "queue_put_get",
        "Queue.put pickles at once; CPython's feeder thread pickles later, so a list \
         changed right after put() arrives changed",
    ),
];

#[test]
fn multiprocessing_programs_print_what_cpython_37_prints_under_det() {
    common::check_corpus(
        "tests/multiprocessing",
        &[
            &[],
            &["--seed", "1"],
            &["--seed", "2"],
            &["--seed", "3"],
        ],
        KNOWN_FAILURES,
    );
}
