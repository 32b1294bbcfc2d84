//! The teaching demos: each program in demos/ is run with the default options (seed 0, check
//! interval 100) and pinned as an insta snapshot showing the program, its output, its stderr
//! and its exit status. The scheduler is deterministic, so these snapshots are exact; the
//! tests below also check what the demos exist to show (a lost update that moves with the
//! seed, a lock that fixes it, a deadlock reported instead of a hang).

mod common;
use common::{Outcome, minipy_in};

/// `minipy run ARGS...` from the crate root.
fn run(args: &[&str]) -> Outcome {
    let args: Vec<&str> = std::iter::once("run").chain(args.iter().copied()).collect();
    minipy_in(".", &args)
}

#[test]
fn demo_snapshots() {
    insta::glob!("../demos", "*.mpy", |path| {
        let source = std::fs::read_to_string(path).expect("readable demo");
        let name = format!(
            "demos/{}",
            path.file_name().expect("file").to_string_lossy()
        );
        let o = run(&[&name]);
        insta::assert_snapshot!(format!(
            "{source}\n---- minipy run {name} (exit status {}) ----\n{}---- stderr ----\n{}",
            o.status, o.stdout, o.stderr
        ));
    });
}

#[test]
fn the_balance_race_loses_updates_and_moves_with_the_seed() {
    let balances: Vec<String> = (1..=5)
        .map(|seed| run(&["--seed", &seed.to_string(), "demos/race.mpy"]).stdout)
        .collect();
    for b in &balances {
        assert_ne!(b.trim(), "0", "the race should show: {balances:?}");
    }
    let mut distinct = balances.clone();
    distinct.sort();
    distinct.dedup();
    assert!(
        distinct.len() >= 2,
        "seeds 1-5 gave one balance: {balances:?}"
    );
    // The same seed repeats the same interleaving.
    assert_eq!(run(&["--seed", "3", "demos/race.mpy"]).stdout, balances[2]);
}

/// tests/racy: lost-update races whose loop length shares a factor with the check interval.
/// Each must lose some updates, but not all of one thread's, at every seed (the first line
/// says the total without the race): the offers must not always fall at the same few
/// instructions.
#[test]
fn races_show_whatever_the_loop_length() {
    for entry in std::fs::read_dir("tests/racy").expect("tests/racy") {
        let path = entry.expect("entry").path();
        let source = std::fs::read_to_string(&path).expect("readable");
        let total: i64 = source
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# without the race: "))
            .and_then(|n| n.trim().parse().ok())
            .expect("a first line `# without the race: N`");
        let name = path.to_string_lossy().into_owned();
        for seed in 0..4 {
            let o = run(&["--seed", &seed.to_string(), &name]);
            let got: i64 = o.stdout.trim().parse().expect("a number");
            // Losing every update of one of two threads leaves exactly half.
            assert!(
                got < total && got > total * 11 / 20,
                "{name} --seed {seed}: {got} of {total}"
            );
        }
    }
}

#[test]
fn the_lock_fixes_the_race_for_every_seed() {
    for seed in ["0", "1", "2", "7"] {
        let o = run(&["--seed", seed, "demos/race_locked.mpy"]);
        assert_eq!((o.status, o.stdout.as_str()), (0, "0\n"), "seed {seed}");
    }
    let o = run(&["--check-interval", "1", "demos/race_locked.mpy"]);
    assert_eq!(o.stdout, "0\n");
}

#[test]
fn a_deadlock_is_reported_not_hung() {
    let o = run(&["demos/deadlock.mpy"]);
    assert_eq!(o.status, 3);
    assert!(o.stderr.contains("deadlock"), "{}", o.stderr);
    assert!(
        o.stderr.contains("Thread-AB waits for lock"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("held by Thread-BA"), "{}", o.stderr);
}

#[test]
fn a_deadlock_inside_a_callback_is_reported() {
    let o = run(&["tests/deadlocks/in_callback.mpy"]);
    assert_eq!(o.status, 3, "{}", o.stderr);
    assert_eq!(
        o.stderr,
        "minipy: deadlock: no thread can run again\n  MainThread waits for lock #1 held by Thread-1\n"
    );
}

#[test]
fn max_threads_moves_the_limit() {
    let o = run(&["--max-threads", "6", "demos/cant_start_new_thread.mpy"]);
    assert_eq!(
        o.stdout,
        "RuntimeError: can't start new thread\nthreads started before the error: 5\n"
    );
}

/// Demos whose output does not depend on how the threads interleave (or on real time):
/// on real OS threads they must print exactly what the deterministic scheduler prints.
const INTERLEAVING_FREE: &[&str] = &[
    "counter",
    "race_locked",
    "thread_exception",
    "daemon",
    "cant_start_new_thread",
    "deadlock",
    "asyncio_boilerplate",
    "await_vs_yield_from",
];

#[test]
fn the_os_scheduler_prints_what_det_prints() {
    for demo in INTERLEAVING_FREE {
        let file = format!("demos/{demo}.mpy");
        let det = run(&[&file]);
        let os = run(&["--sched", "os", &file]);
        assert_eq!(
            (os.status, os.stdout.as_str(), os.stderr.as_str()),
            (det.status, det.stdout.as_str(), det.stderr.as_str()),
            "{demo} under --sched os"
        );
    }
}

#[test]
fn the_lock_fixes_the_race_on_os_threads() {
    for interval in ["1", "100"] {
        let o = run(&[
            "--sched",
            "os",
            "--check-interval",
            interval,
            "demos/race_locked.mpy",
        ]);
        assert_eq!((o.status, o.stdout.as_str()), (0, "0\n"), "{interval}");
    }
}

/// These programs' output is checked against CPython's by tests/runtime.rs under det; on
/// OS threads, in real time, it must be the same.
#[test]
fn os_threads_wait_with_timeouts_and_inside_callbacks() {
    for file in [
        "tests/programs/thread_timeouts.mpy",
        "tests/programs/thread_block_in_callbacks.mpy",
    ] {
        let os = run(&["--sched", "os", file]);
        let det = run(&[file]);
        assert_eq!((os.status, os.stderr.as_str()), (0, ""), "{file}");
        assert_eq!(os.stdout, det.stdout, "{file}");
    }
    let o = run(&["--sched", "os", "tests/deadlocks/in_callback.mpy"]);
    assert_eq!(o.status, 3, "{}", o.stderr);
}

/// An event loop that nothing can wake (tasks awaiting what no one completes, no timer,
/// no other thread) is a deadlock, reported with the tasks and where they wait, in both
/// schedulers; CPython hangs.
#[test]
fn a_stuck_event_loop_is_reported_with_its_tasks() {
    let file = "tests/deadlocks/asyncio_stuck.mpy";
    for sched in ["det", "os"] {
        let o = run(&["--sched", sched, file]);
        assert_eq!(o.status, 3, "{sched}: {}", o.stderr);
        let report = o
            .stderr
            .split("Task was destroyed")
            .next()
            .unwrap_or_default();
        assert_eq!(
            report,
            format!(
                "minipy: deadlock: no thread can run again
  MainThread waits for lock #2 held by MainThread, holds lock #2
    in SelectorEventLoop.run_until_complete, called at {file}:12 in <module>
    its asyncio event loop has no callback ready and no timer set, and no other thread can wake it:
      task main() awaits a Future at {file}:11
      task waiter() awaits a Future at {file}:6
"
            ),
            "{sched}"
        );
    }
}
