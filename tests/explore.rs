//! `minipy explore`, `minipy run --replay` and `minipy run --race-report` on the programs in
//! tests/explore/ (small racy and race-free thread programs) and on the corpora. Explore's
//! table is deterministic for a strategy and seed (the speed goes to stderr), so it is
//! pinned as an insta snapshot; every replay token in those tables must replay to its
//! outcome; the counter programs must give exactly the values that are reachable.

mod common;
use common::{Outcome, minipy_in};
use std::collections::BTreeSet;

const DIR: &str = "tests/explore";

fn minipy(args: &[&str]) -> Outcome {
    minipy_in(".", args)
}

fn explore(args: &[&str]) -> Outcome {
    let args: Vec<&str> = ["explore", "--jobs", "1"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    minipy(&args)
}

/// One row of explore's table: the outcome's text, its stdout and exit status as shown, and
/// its replay token.
struct Row {
    stdout: String,
    status: i32,
    token: String,
}

/// The rows of an outcome table (`stdout "1 | 2", exit 0 ...` then `replay: TOKEN`).
fn rows(table: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut pending: Option<(String, i32)> = None;
    for line in table.lines() {
        if let Some(token) = line.trim().strip_prefix("replay: ") {
            let (stdout, status) = pending.take().expect("a replay line follows an outcome");
            rows.push(Row {
                stdout,
                status,
                token: token.to_string(),
            });
        } else if let Some(at) = line.find("stdout \"") {
            let rest = &line[at + 8..];
            let end = rest.find("\", exit ").expect("the outcome's exit status");
            let status: String = rest[end + 8..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            pending = Some((rest[..end].to_string(), status.parse().expect("a status")));
        }
    }
    rows
}

fn outcomes(table: &str) -> BTreeSet<String> {
    rows(table).into_iter().map(|r| r.stdout).collect()
}

fn programs() -> Vec<String> {
    common::programs(DIR)
}

#[test]
fn explore_tables() {
    for name in programs() {
        let path = format!("{DIR}/{name}.mpy");
        let o = explore(&[&path]);
        assert_eq!(o.status, 0, "{name}: {}", o.stderr);
        insta::assert_snapshot!(format!("explore_{name}"), o.stdout);
    }
}

#[test]
fn every_token_replays_to_its_outcome() {
    let mut checked = 0;
    for name in programs() {
        let path = format!("{DIR}/{name}.mpy");
        let table = explore(&[&path]).stdout;
        let rows = rows(&table);
        assert!(!rows.is_empty(), "{name}: no outcomes in {table}");
        for row in rows {
            let o = minipy(&["run", "--replay", &row.token, &path]);
            let shown = o.stdout.trim_end().replace('\n', " | ");
            assert_eq!(
                (shown.as_str(), o.status),
                (row.stdout.as_str(), row.status),
                "{name}: {} replays to something else (stderr: {})",
                row.token,
                o.stderr
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} tokens checked");
}

#[test]
fn the_counter_reaches_exactly_two_to_2n() {
    for n in 1..=3 {
        let o = explore(&[&format!("{DIR}/counter{n}.mpy")]);
        assert!(o.stdout.contains("exhausted: these are all the outcomes"));
        let expected: BTreeSet<String> = (2..=2 * n).map(|v| v.to_string()).collect();
        // One increment each: 1 or 2.
        let expected = if n == 1 {
            ["1", "2"].iter().map(|s| s.to_string()).collect()
        } else {
            expected
        };
        assert_eq!(outcomes(&o.stdout), expected, "N = {n}");
    }
}

#[test]
fn asyncio_tasks_lose_an_update_only_across_an_await() {
    // `split` reads, awaits, writes: 1 when one task overtakes the other; `whole` has no
    // await inside `+= 1`: always 2. CPython's FIFO loop prints "1 2".
    let path = format!("{DIR}/asyncio_await_race.mpy");
    assert_eq!(minipy(&["run", &path]).stdout, "1 2\n");
    let o = explore(&[&path]);
    let expected: BTreeSet<String> = ["1 2", "2 2"].iter().map(|s| s.to_string()).collect();
    assert_eq!(outcomes(&o.stdout), expected);
    assert!(
        o.stdout
            .contains("ready asyncio callbacks taken out of turn")
    );
}

#[test]
fn the_tutorials_balance_can_print_minus_8_and_explains_why() {
    let path = format!("{DIR}/balance.mpy");
    let o = explore(&[&path]);
    assert!(o.stdout.contains("exhausted"));
    let row = rows(&o.stdout)
        .into_iter()
        .find(|r| r.stdout == "-8")
        .expect("-8 is among the outcomes");
    let replay = minipy(&["run", "--replay", &row.token, "--explain", &path]);
    assert_eq!(replay.stdout, "-8\n");
    // The table of shared accesses, ending with the update that was lost.
    assert!(
        replay.stderr.contains("STORE_GLOBAL balance <- -8")
            && replay.stderr.contains("overwrote Thread-2's write of 13")
            && replay.stderr.contains("update was lost"),
        "{}",
        replay.stderr
    );
    // The lock leaves one outcome.
    let locked = explore(&[&format!("{DIR}/balance_locked.mpy")]);
    assert_eq!(outcomes(&locked.stdout), BTreeSet::from(["0".to_string()]));
}

#[test]
fn a_deadlock_is_an_outcome() {
    let o = explore(&[&format!("{DIR}/lock_order_deadlock.mpy")]);
    assert!(
        o.stdout.contains("exit 3, stderr: deadlock"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("stdout \"done\", exit 0"));
}

#[test]
fn an_invariant_is_checked_in_every_schedule() {
    let path = format!("{DIR}/invariant_transfer.mpy");
    let o = explore(&["--invariant", "accounts['x'] + accounts['y'] == 200", &path]);
    assert_eq!(o.status, 1, "a failing invariant gives status 1");
    assert!(o.stdout.contains("invariant True"));
    assert!(o.stdout.contains("invariant False (FAILS)"));
    let first = explore(&[
        "--stop-on-first",
        "--invariant",
        "accounts['x'] + accounts['y'] == 200",
        &path,
    ]);
    assert!(first.stdout.contains("not exhausted"));
}

#[test]
fn sampled_tables_do_not_depend_on_the_number_of_jobs() {
    for strategy in ["random", "pct"] {
        let path = format!("{DIR}/balance.mpy");
        let args = [
            "--strategy",
            strategy,
            "--seed",
            "7",
            "--max-schedules",
            "300",
        ];
        let one = explore(&[&args[..], &[&path]].concat());
        let two = minipy(&[&["explore", "--jobs", "2"], &args[..], &[&path]].concat());
        assert_eq!(one.stdout, two.stdout, "{strategy}");
        assert!(one.stdout.contains("300 schedules"), "{}", one.stdout);
    }
}

#[test]
fn a_token_for_another_program_or_schedule_is_refused() {
    let balance = format!("{DIR}/balance.mpy");
    let row = rows(&explore(&[&balance]).stdout).remove(1);
    let other = minipy(&[
        "run",
        "--replay",
        &row.token,
        &format!("{DIR}/counter1.mpy"),
    ]);
    assert_eq!(other.status, 2);
    assert!(
        other.stderr.contains("for another program"),
        "{}",
        other.stderr
    );
    let (hash, _) = row.token.rsplit_once('-').expect("a token has choices");
    let edited = format!("{hash}-1.9");
    let bad = minipy(&["run", "--replay", &edited, &balance]);
    assert_eq!(bad.status, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("does not fit"), "{}", bad.stderr);
    let garbage = minipy(&["run", "--replay", "not-a-token", &balance]);
    assert_eq!(garbage.status, 2, "{}", garbage.stderr);
}

#[test]
fn the_race_detector_reports_the_balance_race_even_when_the_balance_is_right() {
    let o = minipy(&["run", "--race-report", &format!("{DIR}/balance.mpy")]);
    assert_eq!(o.stdout, "0\n", "this run's balance happens to be right");
    assert_eq!(o.status, 66);
    assert!(o.stderr.contains("a data race on balance"), "{}", o.stderr);
    assert!(o.stderr.contains("balance = balance + n"));
    let warn = minipy(&["run", "--race-report=warn", &format!("{DIR}/balance.mpy")]);
    assert_eq!(warn.status, 0);
    assert!(warn.stderr.contains("a data race on balance"));
    for racy in ["counter1", "nonlocal_counter", "dict_items"] {
        let o = minipy(&["run", "--race-report", &format!("{DIR}/{racy}.mpy")]);
        assert_eq!(o.status, 66, "{racy}: {}", o.stderr);
    }
    // Different keys of one dict are different places: only "both" races.
    let items = minipy(&["run", "--race-report", &format!("{DIR}/dict_items.mpy")]);
    assert!(items.stderr.contains("[\"both\"]"), "{}", items.stderr);
    assert!(!items.stderr.contains("[\"a\"]"), "{}", items.stderr);
}

#[test]
fn the_race_detector_is_quiet_on_race_free_programs() {
    let mut checked = Vec::new();
    for name in ["balance_locked", "queue_handoff"] {
        checked.push(format!("{DIR}/{name}.mpy"));
    }
    for name in common::programs("tests/programs") {
        let path = format!("tests/programs/{name}.mpy");
        let source = std::fs::read_to_string(&path).expect("readable");
        if source.contains("threading") || source.contains("_thread") {
            checked.push(path);
        }
    }
    for name in ["countdown_threads", "worker_pool", "daemon"] {
        checked.push(format!("demos/{name}.mpy"));
    }
    assert!(checked.len() >= 20, "{checked:?}");
    for path in &checked {
        let o = minipy(&["run", "--race-report", path]);
        assert!(
            !o.stderr.contains("data race"),
            "{path} is race-free, yet: {}",
            o.stderr
        );
        assert_ne!(o.status, 66, "{path}");
    }
}
