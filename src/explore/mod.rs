//! `minipy explore`: every outcome of a racy program, each with a replay token and, on
//! request, an explanation; and `minipy run --replay TOKEN`. The program's threads are
//! run from one checkpoint (taken where the first decision between threads falls) under a
//! strategy that decides who runs before every counted instruction and at every block:
//! systematic search with partial-order reduction (`dpor`, exhaustive when it finishes),
//! PCT or uniform random choice. The deterministic scheduler learns nothing of this: the
//! strategy answers its "who runs next" hook (sched::Chooser).
//!
//! `minipy run --race-report` (race.rs) uses the same hook and the same view of what an
//! instruction touches, to run the program once with vector clocks.
//!
//! - `access.rs`: what an instruction touches; `run.rs`: running one schedule;
//!   `strategy.rs`, `dpor.rs`: the strategies; `token.rs`: replay tokens;
//!   `explain.rs`: the interleaving behind an outcome.

pub mod access;
mod dpor;
pub mod explain;
mod race;
mod run;
mod strategy;
mod token;

pub use race::race_report;
use run::{Log, Outcome, Prepared, Record};
use std::collections::HashMap;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyKind {
    Dpor,
    Pct,
    Random,
}

#[derive(Clone, Debug)]
pub struct ExploreOptions {
    pub strategy: StrategyKind,
    pub seed: u64,
    pub depth: usize,
    pub preemptions: Option<usize>,
    pub max_schedules: Option<usize>,
    pub time_limit: Option<f64>,
    pub stop_on_first: bool,
    pub jobs: usize,
    pub invariant: Option<String>,
    pub explain: bool,
    pub progress: bool,
}

/// One outcome and how often it came, with the first schedule that gave it.
struct Seen {
    outcome: Outcome,
    count: usize,
    /// (schedule number, its choices), the earliest.
    first: (usize, Vec<(usize, usize)>),
    /// What that schedule's stderr came to, in a few words (a deadlock, the exception a
    /// thread died of).
    stderr: Option<String>,
}

/// A line for what a run wrote to stderr: "deadlock", or its last line (an exception).
fn stderr_summary(stderr: &str) -> Option<String> {
    if stderr.contains("minipy: deadlock") {
        return Some("deadlock".into());
    }
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty())?.trim();
    let mut line: String = last.chars().take(60).collect();
    if line.len() < last.len() {
        line.push_str("...");
    }
    Some(line)
}

fn program_hash(source: &str, filename: &str) -> Result<String, String> {
    let listing = crate::dis_source(source, filename).map_err(|e| e.render(filename, source))?;
    Ok(token::program_hash(&listing))
}

/// Whether an outcome breaks the invariant (its value is false, or raised).
fn fails(outcome: &Outcome) -> bool {
    match &outcome.invariant {
        None => false,
        Some(v) => {
            matches!(
                v.as_str(),
                "False" | "0" | "0.0" | "None" | "''" | "[]" | "{}" | "()"
            ) || v.starts_with("raised ")
        }
    }
}

/// Runs `explore`; prints the outcome table and summary; returns the exit status (1 when
/// an invariant failed, 2 for bad input).
pub fn explore(
    source: &str,
    filename: &str,
    vm_options: crate::vm::Options,
    options: &ExploreOptions,
) -> i32 {
    let hash = match program_hash(source, filename) {
        Ok(h) => h,
        Err(report) => {
            crate::report!("{report}");
            return 1;
        }
    };
    let start = Instant::now();
    let results = match options.strategy {
        StrategyKind::Dpor => search_dpor(source, filename, &vm_options, options, start),
        _ => search_sampled(source, filename, &vm_options, options, start),
    };
    let Found {
        seen,
        schedules,
        given_up,
        exhausted,
        callbacks_bounded,
    } = match results {
        Ok(r) => r,
        Err(message) => {
            crate::report!("{message}");
            return 1;
        }
    };
    let elapsed = start.elapsed().as_secs_f64();
    let mut rows: Vec<&Seen> = seen.values().collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.first.0.cmp(&b.first.0)));
    let mut out = String::new();
    out.push_str(&format!("{:>6}  {:>6}  outcome\n", "count", "share"));
    for row in &rows {
        let share = 100.0 * row.count as f64 / schedules.max(1) as f64;
        out.push_str(&format!(
            "{:>6}  {:>5.1}%  {}\n",
            row.count,
            share,
            describe_row(row)
        ));
        out.push_str(&format!(
            "                replay: {}\n",
            token::encode(&hash, &row.first.1)
        ));
    }
    let verdict = match (options.strategy, exhausted) {
        (StrategyKind::Dpor, true) if options.preemptions.is_some() => {
            format!(
                "exhausted within {} preemptions",
                options.preemptions.unwrap_or(0)
            )
        }
        (StrategyKind::Dpor, true) if callbacks_bounded => format!(
            "exhausted with up to {} ready asyncio callbacks taken out of turn (--preemptions N for more)",
            dpor::DEFAULT_CALLBACK_REORDERS
        ),
        (StrategyKind::Dpor, true) => "exhausted: these are all the outcomes".into(),
        (StrategyKind::Dpor, false) => "not exhausted (stopped at a limit)".into(),
        _ => "sampled (not exhaustive)".into(),
    };
    let given_up_count = given_up;
    let given_up = if given_up > 0 {
        format!(" (and {given_up} runs given up as repeats)")
    } else {
        String::new()
    };
    out.push_str(&format!(
        "{schedules} schedules{given_up}, {} distinct outcomes, {verdict}\n",
        rows.len(),
    ));
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(out.as_bytes());
    let _ = std::io::stdout().flush();
    // The speed goes to stderr: stdout is the same bytes on every machine.
    crate::report!(
        "minipy explore: {} runs in {elapsed:.2} s, {:.0} schedules/s\n",
        schedules + given_up_count,
        (schedules + given_up_count) as f64 / elapsed.max(1e-9)
    );
    if options.explain {
        let explain_all = options.invariant.is_none();
        for row in &rows {
            if explain_all || fails(&row.outcome) {
                explain_schedule(source, filename, &vm_options, options, &hash, row);
            }
        }
    }
    i32::from(rows.iter().any(|r| fails(&r.outcome)))
}

fn describe_row(row: &Seen) -> String {
    let mut text = describe_outcome(&row.outcome);
    if let Some(line) = &row.stderr {
        text.push_str(&format!(", stderr: {line}"));
    }
    text
}

fn describe_outcome(o: &Outcome) -> String {
    let mut stdout = o.stdout.trim_end().replace('\n', " | ");
    if stdout.len() > 60 {
        let cut = stdout
            .char_indices()
            .nth(57)
            .map_or(stdout.len(), |(i, _)| i);
        stdout.truncate(cut);
        stdout.push_str("...");
    }
    let mut text = format!("stdout {stdout:?}, exit {}", o.status);
    if let Some(v) = &o.invariant {
        text.push_str(&format!(
            ", invariant {v}{}",
            if fails(o) { " (FAILS)" } else { "" }
        ));
    }
    text
}

fn explain_schedule(
    source: &str,
    filename: &str,
    vm_options: &crate::vm::Options,
    options: &ExploreOptions,
    hash: &str,
    row: &Seen,
) {
    let Ok(mut prepared) = run::prepare(
        source,
        filename,
        vm_options.clone(),
        options.invariant.as_deref(),
    ) else {
        return;
    };
    let (_, log) = prepared.run(
        Box::new(strategy::Follow::new(row.first.1.clone())),
        Record::Explained,
    );
    println!(
        "\n{} ({}):",
        describe_row(row),
        token::encode(hash, &row.first.1)
    );
    print!("{}", explanation(&prepared, &log));
}

/// The explanation of an explained run: its shared accesses, thread by thread.
fn explanation(prepared: &Prepared, log: &Log) -> String {
    let names: Vec<String> = prepared
        .vm
        .threads
        .threads
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let shown: Vec<explain::Shown> = log.steps.iter().filter_map(|s| s.shown.clone()).collect();
    explain::explain(&shown, &names)
}

/// What a search found.
struct Found {
    seen: HashMap<Outcome, Seen>,
    /// Schedules run to the end.
    schedules: usize,
    /// Runs given up (every thread that could run was asleep: an explored order again).
    given_up: usize,
    exhausted: bool,
    /// Orders of asyncio's ready callbacks were left out by the default bound on them.
    callbacks_bounded: bool,
}

fn note(seen: &mut HashMap<Outcome, Seen>, outcome: Outcome, number: usize, log: &Log) {
    match seen.get_mut(&outcome) {
        Some(s) => {
            s.count += 1;
            if number < s.first.0 {
                s.first = (number, log.choices.clone());
                s.stderr = stderr_summary(&log.stderr);
            }
        }
        None => {
            let row = Seen {
                outcome: outcome.clone(),
                count: 1,
                first: (number, log.choices.clone()),
                stderr: stderr_summary(&log.stderr),
            };
            seen.insert(outcome, row);
        }
    }
}

fn deadline(options: &ExploreOptions, start: Instant) -> Option<Instant> {
    options
        .time_limit
        .map(|t| start + std::time::Duration::from_secs_f64(t.max(0.0)))
}

fn out_of_time(options: &ExploreOptions, start: Instant) -> bool {
    options
        .time_limit
        .is_some_and(|t| start.elapsed().as_secs_f64() >= t)
}

fn progress_bar(options: &ExploreOptions, len: Option<usize>) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !options.progress || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match len {
        Some(n) => indicatif::ProgressBar::new(n as u64),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_message("schedules");
    Some(bar)
}

fn search_dpor(
    source: &str,
    filename: &str,
    vm_options: &crate::vm::Options,
    options: &ExploreOptions,
    start: Instant,
) -> Result<Found, String> {
    let mut prepared = run::prepare(
        source,
        filename,
        vm_options.clone(),
        options.invariant.as_deref(),
    )?;
    prepared.deadline = deadline(options, start);
    let mut seen = HashMap::new();
    let mut dpor = dpor::Dpor::new(options.preemptions);
    let bar = progress_bar(options, None);
    let mut schedules = 0;
    let mut given_up = 0;
    let exhausted = loop {
        let (outcome, log) = prepared.run(Box::new(dpor.next_strategy()), Record::Steps);
        if log.timed_out {
            crate::report!(
                "minipy explore: the time limit was reached halfway through a run (runs of a long program take long: fewer iterations explore faster)\n"
            );
            break false;
        }
        if std::env::var_os("MINIPY_EXPLORE_DEBUG").is_some() {
            eprintln!("run {schedules}: {:?}", outcome.stdout);
            for (k, s) in log.steps.iter().enumerate() {
                if let Some(a) = &s.access {
                    eprintln!(
                        "  {k} t{} d{:?} {:?} w={} {}",
                        s.thread, s.decision, a.location, a.write, a.opname
                    );
                }
            }
        }
        let failed = !log.abandoned && fails(&outcome);
        if log.abandoned {
            given_up += 1;
        } else {
            note(&mut seen, outcome, schedules, &log);
            schedules += 1;
        }
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        if !dpor.record(&log) {
            break true;
        }
        if (options.stop_on_first && failed)
            || options.max_schedules.is_some_and(|m| schedules >= m)
            || out_of_time(options, start)
        {
            break false;
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(Found {
        seen,
        schedules,
        given_up,
        exhausted,
        callbacks_bounded: dpor.callbacks_bounded,
    })
}

/// What a sampling worker found, and how many schedules it ran.
type Sampled = (HashMap<Outcome, Seen>, usize);

/// PCT and random: `max_schedules` (default 1,000) schedules, numbered, schedule n seeded
/// from `--seed` and n; with several jobs, each takes every jobs-th number, so the table
/// is the same whatever the number of jobs.
fn search_sampled(
    source: &str,
    filename: &str,
    vm_options: &crate::vm::Options,
    options: &ExploreOptions,
    start: Instant,
) -> Result<Found, String> {
    let total = options.max_schedules.unwrap_or(1000);
    let jobs = options.jobs.max(1).min(total.max(1));
    let bar = progress_bar(options, Some(total));
    let results: Vec<Result<Sampled, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs)
            .map(|job| {
                let bar = bar.clone();
                // Each worker has its own VM (a VM lives in one thread), and a stack
                // as large as the VM thread's.
                std::thread::Builder::new()
                    .name(format!("minipy-explore-{job}"))
                    .stack_size(256 * 1024 * 1024)
                    .spawn_scoped(scope, move || {
                        sample_worker(
                            source, filename, vm_options, options, start, job, jobs, total, bar,
                        )
                    })
                    .expect("spawning an explore worker")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a worker failed".into())))
            .collect()
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if options.time_limit.is_some() && out_of_time(options, start) {
        crate::report!(
            "minipy explore: the time limit was reached (runs of a long program take long: fewer iterations explore faster)\n"
        );
    }
    let mut seen: HashMap<Outcome, Seen> = HashMap::new();
    let mut schedules = 0;
    for result in results {
        let (found, runs) = result?;
        schedules += runs;
        for (outcome, row) in found {
            match seen.get_mut(&outcome) {
                Some(s) => {
                    s.count += row.count;
                    if row.first.0 < s.first.0 {
                        s.first = row.first;
                        s.stderr = row.stderr;
                    }
                }
                None => {
                    seen.insert(outcome, row);
                }
            }
        }
    }
    Ok(Found {
        seen,
        schedules,
        given_up: 0,
        exhausted: false,
        callbacks_bounded: false,
    })
}

#[allow(clippy::too_many_arguments)]
fn sample_worker(
    source: &str,
    filename: &str,
    vm_options: &crate::vm::Options,
    options: &ExploreOptions,
    start: Instant,
    job: usize,
    jobs: usize,
    total: usize,
    bar: Option<indicatif::ProgressBar>,
) -> Result<Sampled, String> {
    let mut prepared: Prepared = run::prepare(
        source,
        filename,
        vm_options.clone(),
        options.invariant.as_deref(),
    )?;
    prepared.deadline = deadline(options, start);
    let expected = prepared
        .run(Box::new(strategy::Follow::new(vec![])), Record::Choices)
        .1
        .decision_count;
    let mut seen = HashMap::new();
    let mut runs = 0;
    let mut number = job;
    while number < total {
        let seed = options
            .seed
            .wrapping_mul(1_000_003)
            .wrapping_add(number as u64);
        let strategy: Box<dyn run::Strategy> = match options.strategy {
            StrategyKind::Pct => Box::new(strategy::Pct::new(
                seed,
                options.depth,
                expected,
                options.preemptions,
            )),
            _ => Box::new(strategy::Random::new(seed, options.preemptions)),
        };
        let (outcome, log) = prepared.run(strategy, Record::Choices);
        if log.timed_out {
            break;
        }
        let failed = fails(&outcome);
        note(&mut seen, outcome, number, &log);
        runs += 1;
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        if (options.stop_on_first && failed) || out_of_time(options, start) {
            break;
        }
        number += jobs;
    }
    Ok((seen, runs))
}

/// `minipy run --replay TOKEN`: runs the program under the schedule the token holds,
/// printing what it prints; returns its exit status.
pub fn replay(
    source: &str,
    filename: &str,
    vm_options: crate::vm::Options,
    token_text: &str,
    explain: bool,
) -> i32 {
    replay_observed(
        source,
        filename,
        vm_options,
        token_text,
        explain,
        |_| {},
        |_, status| status,
    )
}

/// `replay`, with `start` seeing the VM before the program starts and `end` after it
/// ended (with the exit status, which it may change): a recorder of the run (`minipy
/// trace --replay`).
pub fn replay_observed(
    source: &str,
    filename: &str,
    vm_options: crate::vm::Options,
    token_text: &str,
    explain: bool,
    start: impl FnOnce(&mut crate::vm::Vm),
    end: impl FnOnce(&mut crate::vm::Vm, i32) -> i32,
) -> i32 {
    let hash = match program_hash(source, filename) {
        Ok(h) => h,
        Err(report) => {
            crate::report!("{report}");
            return 1;
        }
    };
    let choices = match token::decode(token_text, &hash) {
        Ok(c) => c,
        Err(message) => {
            crate::report!("minipy: {message}\n");
            return 2;
        }
    };
    let mut prepared = match run::prepare_with(source, filename, vm_options, None, start) {
        Ok(p) => p,
        Err(report) => {
            crate::report!("{report}");
            return 1;
        }
    };
    let record = if explain {
        Record::Explained
    } else {
        Record::Choices
    };
    let (outcome, log) = prepared.run(Box::new(strategy::Follow::new(choices.clone())), record);
    // A token this program's schedules never take (edited by hand, say) is refused too.
    if log.choices != choices {
        crate::report!(
            "minipy: this replay token does not fit this program's schedules (it chooses a \
             thread that cannot run at one of its decisions)\n"
        );
        return 2;
    }
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stdout().flush();
    crate::report!("{}", log.stderr);
    if explain {
        crate::report!("{}", explanation(&prepared, &log));
    }
    end(&mut prepared.vm, outcome.status)
}
