//! tests/multiprocessing: programs using multiprocessing must print what CPython 3.7
//! printed (recorded by `python3 scripts/record_corpus37.py tests/multiprocessing`), under
//! the deterministic scheduler at seeds 0-3, where the processes are simulated, and under
//! the OS scheduler, where they are real (fork or spawn) and none may be left behind.

mod common;

use std::io::BufRead;
use std::time::{Duration, Instant};

/// What minipy does not match yet, in either mode.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

#[test]
fn multiprocessing_programs_print_what_cpython_37_prints_under_det() {
    common::check_corpus(
        "tests/multiprocessing",
        &[&[], &["--seed", "1"], &["--seed", "2"], &["--seed", "3"]],
        KNOWN_FAILURES,
    );
}

#[test]
fn multiprocessing_programs_print_what_cpython_37_prints_with_real_processes() {
    common::check_corpus(
        "tests/multiprocessing",
        &[&["--sched", "os"]],
        KNOWN_FAILURES,
    );
    let left = wait_for_no_orphans(Duration::from_secs(3));
    assert!(left.is_empty(), "processes left behind: {left:?}");
}

/// Processes running the minipy binary whose parent is not this test (a forked child
/// whose parent has ended), after waiting up to `grace` for them to go.
fn wait_for_no_orphans(grace: Duration) -> Vec<u32> {
    let binary = std::fs::canonicalize(env!("CARGO_BIN_EXE_minipy")).expect("the binary");
    let me = std::process::id();
    let start = Instant::now();
    loop {
        let orphans: Vec<u32> = std::fs::read_dir("/proc")
            .expect("/proc")
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary)
                    && parent_of(*pid).is_some_and(|ppid| ppid != me)
            })
            .collect();
        if orphans.is_empty() || start.elapsed() > grace {
            return orphans;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ...: comm may hold spaces, so read after its last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Ctrl-C (SIGINT) to the parent alone ends its children too, forked or spawned: a child
/// sleeping for a minute is gone soon after its parent is interrupted.
#[test]
fn interrupting_the_parent_stops_its_children() {
    for method in ["fork", "spawn"] {
        interrupt_the_parent_of_a_sleeping_child(method);
    }
}

fn interrupt_the_parent_of_a_sleeping_child(method: &str) {
    let program = format!(
        "import multiprocessing as mp, time, sys\n\
         def sleeper():\n    time.sleep(60)\n\
         if __name__ == '__main__':\n\
         \x20   p = mp.get_context('{method}').Process(target=sleeper)\n    p.start()\n\
         \x20   print(p.pid)\n    sys.stdout.flush()\n    p.join()\n"
    );
    let dir =
        std::env::temp_dir().join(format!("minipy-mp-sigint-{method}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join("sleeper.mpy");
    std::fs::write(&path, program).expect("the program is written");
    let mut parent = std::process::Command::new(env!("CARGO_BIN_EXE_minipy"))
        .args(["run", "--sched", "os"])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("minipy starts");
    let mut line = String::new();
    std::io::BufReader::new(parent.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the child's pid");
    let child: u32 = line.trim().parse().expect("a pid");
    assert!(alive(child), "{method}: the child runs");
    let status = std::process::Command::new("kill")
        .args(["-INT", &parent.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let _ = parent.wait();
    let start = Instant::now();
    while alive(child) && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !alive(child),
        "{method}: the child outlived its interrupted parent"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Running (not ended, not a zombie waiting to be reaped).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat[stat.rfind(')').map_or(0, |i| i + 1)..]
            .split_whitespace()
            .next()
            .unwrap_or("");
        state != "Z" && state != "X"
    })
}

/// The last number on each line of `text` that has one.
fn numbers(text: &str) -> Vec<f64> {
    text.lines()
        .filter_map(|l| l.split_whitespace().last()?.parse().ok())
        .collect()
}

/// The notes' Pool countdown under det: two simulated CPUs run the two halves at once, so
/// the printed time is about half the one-process time; with one CPU there is no gain.
#[test]
fn pool_of_two_halves_the_virtual_time_of_the_countdown() {
    for (cpus, low, high) in [("2", 0.45, 0.55), ("1", 0.95, 1.05)] {
        let o = common::minipy_in(".", &["run", "--cpus", cpus, "demos/mp_pool_countdown.mpy"]);
        let t = numbers(&o.stdout);
        assert_eq!(t.len(), 2, "two times printed: {}", o.stdout);
        let ratio = t[1] / t[0];
        assert!(
            (low..=high).contains(&ratio),
            "--cpus {cpus}: Pool(2) / one process = {ratio}"
        );
    }
}

/// The processes' balance race: `v.value += 1` from four processes loses updates, at
/// every seed under det and on real processes; holding the Value's lock makes it exact.
#[test]
fn the_value_race_loses_updates_and_its_lock_fixes_it() {
    let modes: [&[&str]; 5] = [
        &[],
        &["--seed", "1"],
        &["--seed", "2"],
        &["--seed", "3"],
        &["--sched", "os"],
    ];
    for options in modes {
        let mut args = vec!["run"];
        args.extend_from_slice(options);
        args.push("demos/mp_value_race.mpy");
        let o = common::minipy_in(".", &args);
        let totals = numbers(&o.stdout);
        assert_eq!(totals.len(), 2, "{options:?}: {}{}", o.stdout, o.stderr);
        assert!(
            totals[0] < 8000.0,
            "{options:?}: no update lost: {}",
            o.stdout
        );
        assert_eq!(totals[1], 8000.0, "{options:?}: the lock: {}", o.stdout);
    }
}
