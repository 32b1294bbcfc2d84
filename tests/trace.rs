//! `minipy trace` and the GIL policies (`--gil py2|py37|py311`): the tutorial's balance
//! race traced around a lost update (snapshots, in each format and granularity), a trace
//! that prints and interleaves exactly as `run` does at the same seed, and the policies'
//! outcomes: 3.11's prints 0 at every seed, Python 2's and 3.7's lose updates.

mod common;
use common::{Outcome, minipy_in};

fn minipy(args: &[&str]) -> Outcome {
    minipy_in(".", args)
}

const BALANCE: &str = "tests/trace/balance.mpy";

/// The table's body rows as (thread, text): a row's thread is the header of the column its
/// text starts in (`line` is right-aligned in 4, then two spaces, then the columns);
/// separator rows have the thread "----".
fn rows(table: &str) -> Vec<(String, String)> {
    let mut lines = table
        .lines()
        .skip_while(|l| !(l.trim_start().starts_with("step ") && l.contains("  line")));
    let header = lines.next().expect("a header row");
    let starts: Vec<usize> = {
        let after_line = header.find("line").expect("a line column") + 6;
        let mut starts = vec![after_line];
        let bytes = header.as_bytes();
        for i in after_line + 1..header.len() {
            if bytes[i - 1] == b' ' && bytes[i - 2] == b' ' && bytes[i] != b' ' {
                starts.push(i);
            }
        }
        starts
    };
    let mut out = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line.trim_start().starts_with("----") {
            out.push(("----".to_string(), line.trim().to_string()));
            continue;
        }
        let text_at = starts
            .iter()
            .rposition(|&s| line.len() > s && line.as_bytes()[s] != b' ')
            .expect("a row with text in a thread's column");
        let end = starts.get(text_at + 1).copied().unwrap_or(header.len());
        let thread = header[starts[text_at]..end].trim().to_string();
        out.push((thread, line[starts[text_at]..].trim().to_string()));
    }
    out
}

#[test]
fn the_balance_race_traced_around_a_lost_update() {
    // Seed 4 loses an update in the tutorial's shape: Thread-1 reads balance, Thread-2 reads
    // and writes it, Thread-1 writes what it computed from the stale value.
    let args = [
        "trace",
        "--seed",
        "4",
        "--from",
        "5213",
        "--steps",
        "12",
        "--only-shared",
        BALANCE,
    ];
    let o = minipy(&args);
    assert_eq!(o.status, 0, "{}", o.stderr);
    let run = minipy(&["run", "--seed", "4", BALANCE]);
    assert_eq!(o.stdout, run.stdout, "trace prints what run prints");
    let rows = rows(&o.stderr);
    let at = |thread: &str, text: &str| {
        rows.iter()
            .position(|(t, r)| t == thread && r.ends_with(text))
            .unwrap_or_else(|| panic!("no row {text:?} of thread {thread} in {rows:#?}"))
    };
    let t1_reads = at("Thread-1", "LOAD_GLOBAL balance -> 13");
    let t2_writes = at("Thread-2", "STORE_GLOBAL balance <- 21");
    let t1_writes = at("Thread-1", "STORE_GLOBAL balance <- 8");
    assert!(t1_reads < t2_writes && t2_writes < t1_writes, "{rows:#?}");
    insta::assert_snapshot!(format!(
        "minipy {}\n---- stdout ----\n{}---- stderr ----\n{}",
        args.join(" "),
        o.stdout,
        o.stderr
    ));
}

#[test]
fn trace_formats_and_granularity() {
    for (name, extra) in [
        ("markdown", &["--format", "markdown"][..]),
        ("csv", &["--format", "csv"][..]),
        ("line", &["--granularity", "line"][..]),
    ] {
        let mut args = vec!["trace", "--seed", "2", "--from", "3740", "--steps", "15"];
        args.extend_from_slice(extra);
        args.push(BALANCE);
        let o = minipy(&args);
        assert_eq!(o.status, 0, "{}", o.stderr);
        insta::assert_snapshot!(
            format!("trace_{name}"),
            format!("minipy {}\n{}", args.join(" "), o.stderr)
        );
    }
}

#[test]
fn a_csv_trace_has_one_field_count() {
    let o = minipy(&[
        "trace", "--seed", "1", "--steps", "300", "--format", "csv", BALANCE,
    ]);
    let lines: Vec<&str> = o.stderr.lines().filter(|l| l.contains(',')).collect();
    assert!(lines.len() > 100, "{}", o.stderr);
    let fields = |l: &str| {
        let mut n = 1;
        let mut quoted = false;
        for c in l.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => n += 1,
                _ => {}
            }
        }
        n
    };
    let n = fields(lines[0]);
    for l in &lines {
        assert_eq!(fields(l), n, "{l}");
    }
}

/// The trace sees every instruction (the eval loop's fast path is off), the timeline only
/// handoffs: both must leave the scheduler's decisions alone, so the trace, the timeline
/// and a plain run print the same, and hand the GIL over at the same points.
#[test]
fn trace_and_timeline_interleave_as_run_does() {
    let dir = std::env::temp_dir().join(format!("minipy-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    for options in [
        &["--seed", "0"][..],
        &["--seed", "3", "--check-interval", "7"][..],
        &[
            "--seed",
            "5",
            "--gil",
            "py37",
            "--switch-interval",
            "0.00003",
        ][..],
        &[
            "--seed",
            "6",
            "--gil",
            "py311",
            "--switch-interval",
            "0.00003",
        ][..],
    ] {
        let with = |cmd: &str, extra: &[&str]| {
            let mut args = vec![cmd];
            args.extend_from_slice(options);
            args.extend_from_slice(extra);
            args.push(BALANCE);
            minipy(&args)
        };
        let json = dir.join("t.json");
        let json = json.to_str().expect("a UTF-8 path");
        let run = with("run", &[]);
        let traced = with("trace", &["--steps", "1000000"]);
        let timed = with("run", &["--timeline", json]);
        assert_eq!(traced.stdout, run.stdout, "{options:?}");
        assert_eq!(timed.stdout, run.stdout, "{options:?}");
        // The handoffs between the program's threads, as each saw them (the trace joins
        // handoffs with no step of the program between them: `A -> B -> C`).
        let in_trace: Vec<String> = traced
            .stderr
            .lines()
            .filter_map(|l| l.trim().strip_prefix("----  GIL: "))
            .flat_map(|l| {
                let chain: Vec<&str> = l.split(" (").next().unwrap_or(l).split(" -> ").collect();
                chain
                    .windows(2)
                    .map(|w| format!("{} -> {}", w[0], w[1]))
                    .collect::<Vec<_>>()
            })
            .collect();
        let text = std::fs::read_to_string(json).expect("the timeline");
        let in_timeline: Vec<String> = text
            .lines()
            .filter(|l| l.contains("\"GIL handoff\""))
            .map(|l| {
                let field = |k: &str| {
                    let at = l.find(&format!("\"{k}\":\"")).expect("a field") + k.len() + 4;
                    l[at..].split('"').next().expect("a string").to_string()
                };
                format!("{} -> {}", field("from"), field("to"))
            })
            .collect();
        assert!(in_trace.len() > 3, "{options:?}: {in_trace:?}");
        assert_eq!(in_trace, in_timeline, "{options:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `args` for each seed, two at a time, and returns each stdout.
fn outputs_by_seed(args: &[&str], seeds: std::ops::Range<u64>) -> Vec<String> {
    let seeds: Vec<u64> = seeds.collect();
    let mut out = vec![String::new(); seeds.len()];
    for (chunk, slots) in seeds.chunks(2).zip(out.chunks_mut(2)) {
        std::thread::scope(|s| {
            for (seed, slot) in chunk.iter().zip(slots.iter_mut()) {
                s.spawn(move || {
                    let seed = seed.to_string();
                    let mut all = vec!["run", "--seed", &seed];
                    all.extend_from_slice(args);
                    *slot = minipy(&all).stdout;
                });
            }
        });
    }
    out
}

#[test]
fn py311_prints_0_for_the_balance_race_and_py2_and_py37_do_not() {
    let demo = "demos/why_311_prints_0.mpy";
    let balance = |out: &String| out.lines().last().unwrap_or_default().to_string();
    let py311 = outputs_by_seed(&["--gil", "py311", demo], 0..10);
    for (seed, out) in py311.iter().enumerate() {
        assert_eq!(balance(out), "balance: 0", "--gil py311 --seed {seed}");
    }
    for gil in ["py2", "py37"] {
        let outs = outputs_by_seed(&["--gil", gil, demo], 0..4);
        let lost = outs.iter().filter(|o| balance(o) != "balance: 0").count();
        assert!(
            lost >= 3,
            "--gil {gil}: {:?}",
            outs.iter().map(balance).collect::<Vec<_>>()
        );
    }
}

/// sys.setswitchinterval sets the virtual interval the timed policies wait: a hundred
/// times shorter, the two threads take turns many times more often.
#[test]
fn the_switch_interval_is_virtual_and_settable() {
    let program = "tests/trace/switch_interval.mpy";
    let turns = |interval: &str| -> (String, usize) {
        let o = minipy(&["run", "--gil", "py37", program, interval]);
        assert_eq!(o.status, 0, "{}", o.stderr);
        let mut lines = o.stdout.lines();
        let shown = lines.next().unwrap_or_default().to_string();
        let turns = lines.next().unwrap_or_default().parse().expect("a count");
        (shown, turns)
    };
    let (shown_long, long) = turns("0.005");
    let (shown_short, short) = turns("0.00005");
    assert_eq!(shown_long, "0.005");
    assert_eq!(
        shown_short, "4.9999999999999996e-05",
        "as CPython 3.7 shows it"
    );
    assert!(long >= 2 && short > 20 * long, "{long} turns, then {short}");
}

/// The demo's comment quotes a trace: it must be what minipy prints.
#[test]
fn the_demos_quoted_trace_is_current() {
    let demo = std::fs::read_to_string("demos/why_311_prints_0.mpy").expect("the demo");
    let quoted: Vec<&str> = demo
        .lines()
        .filter_map(|l| l.strip_prefix("#   "))
        .filter(|l| l.trim_start().starts_with("----") || l.trim_start().starts_with("224"))
        .collect();
    assert!(quoted.len() >= 8, "{quoted:?}");
    let o = minipy(&[
        "trace",
        "--gil",
        "py311",
        "--switch-interval",
        "0.00005",
        "--from",
        "22406",
        "--steps",
        "8",
        BALANCE,
    ]);
    let shown: Vec<&str> = o.stderr.lines().collect();
    for q in quoted {
        assert!(
            shown.iter().any(|l| l.trim_end() == q.trim_end()),
            "the demo quotes {q:?}; minipy trace prints:\n{}",
            o.stderr
        );
    }
}
