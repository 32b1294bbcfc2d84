//! The trace as a table: one column per thread, one row per step (an instruction, or with
//! `--granularity line` a source line's run of instructions), GIL handoffs as separator
//! rows naming their reason; then, over the whole run, the updates that were lost. As
//! aligned text, as markdown (for slides and notes) or as CSV (for a spreadsheet).

use super::TraceOptions;
use super::steps::{Row, Step, Trace};
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Csv,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "text" => Some(Format::Text),
            "markdown" => Some(Format::Markdown),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// A row as shown.
enum Shown {
    Step {
        steps: String,
        line: u32,
        thread: usize,
        text: String,
    },
    /// A separator row's text.
    Handoff(String),
    /// A handoff before runs of them are merged into separators.
    RawHandoff(usize, usize, String),
}

/// Longest cell in the text format; longer ones end in `...`.
const CELL_WIDTH: usize = 48;

/// The line rows: consecutive steps of one thread on one line of one frame (a jump back
/// starts a new row: the next iteration of a one-line loop).
fn by_line(rows: &[Row]) -> Vec<Shown> {
    let mut out = Vec::new();
    let mut group: Vec<&Step> = Vec::new();
    let flush = |group: &mut Vec<&Step>, out: &mut Vec<Shown>| {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            return;
        };
        let values: Vec<&str> = group.iter().filter_map(|s| s.values.as_deref()).collect();
        let mut text = first.source.clone();
        if !values.is_empty() {
            let _ = write!(text, "   [{}]", values.join(", "));
        }
        let steps = if first.number == last.number {
            first.number.to_string()
        } else {
            format!("{}-{}", first.number, last.number)
        };
        out.push(Shown::Step {
            steps,
            line: first.line,
            thread: first.thread,
            text,
        });
        group.clear();
    };
    for row in rows {
        match row {
            Row::Step(s) => {
                let joins = group.last().is_some_and(|p| {
                    p.thread == s.thread
                        && p.code == s.code
                        && p.line == s.line
                        && p.offset < s.offset
                        && p.number + 1 == s.number
                });
                if !joins {
                    flush(&mut group, &mut out);
                }
                group.push(s);
            }
            Row::Handoff { .. } => {
                flush(&mut group, &mut out);
                out.push(handoff_text(row));
            }
        }
    }
    flush(&mut group, &mut out);
    out
}

fn handoff_text(row: &Row) -> Shown {
    match row {
        Row::Handoff { from, to, reason } => Shown::RawHandoff(*from, *to, reason.clone()),
        Row::Step(_) => unreachable!("only handoffs"),
    }
}

/// Runs of handoffs with no step shown between become one separator row.
fn separators(rows: Vec<Shown>, names: &[String]) -> Vec<Shown> {
    let name = |t: usize| {
        names
            .get(t)
            .cloned()
            .unwrap_or_else(|| format!("thread {t}"))
    };
    let mut out: Vec<Shown> = Vec::new();
    let mut run: Vec<(usize, usize, String)> = Vec::new();
    let flush = |run: &mut Vec<(usize, usize, String)>, out: &mut Vec<Shown>| {
        if run.is_empty() {
            return;
        }
        let text = if run.len() == 1 {
            let (from, to, reason) = &run[0];
            format!("GIL: {} -> {} ({reason})", name(*from), name(*to))
        } else {
            let mut path: Vec<String> = vec![name(run[0].0)];
            path.extend(run.iter().map(|(_, to, _)| name(*to)));
            if path.len() > 6 {
                path.drain(3..path.len() - 2);
                path.insert(3, "...".into());
            }
            format!(
                "GIL: {} ({} handoffs; the last: {})",
                path.join(" -> "),
                run.len(),
                run[run.len() - 1].2
            )
        };
        out.push(Shown::Handoff(text));
        run.clear();
    };
    for row in rows {
        match row {
            Shown::RawHandoff(from, to, reason) => run.push((from, to, reason)),
            step => {
                flush(&mut run, &mut out);
                out.push(step);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

fn shown_rows(trace: &Trace, options: &TraceOptions) -> Vec<Shown> {
    let rows = if options.by_line {
        by_line(&trace.rows)
    } else {
        trace
            .rows
            .iter()
            .map(|row| match row {
                Row::Step(s) => Shown::Step {
                    steps: s.number.to_string(),
                    line: s.line,
                    thread: s.thread,
                    text: s.text.clone(),
                },
                handoff => handoff_text(handoff),
            })
            .collect()
    };
    let mut rows = separators(rows, &trace.thread_names);
    // A separator before the first step or after the last says nothing about the window.
    while matches!(rows.last(), Some(Shown::Handoff(_) | Shown::RawHandoff(..))) {
        rows.pop();
    }
    rows
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(3)).collect();
    out.push_str("...");
    out
}

/// The table, with its heading and its lost-update sentences.
pub fn render(trace: &Trace, options: &TraceOptions, heading: &str) -> String {
    let rows = shown_rows(trace, options);
    let mut threads: Vec<usize> = rows
        .iter()
        .filter_map(|r| match r {
            Shown::Step { thread, .. } => Some(*thread),
            _ => None,
        })
        .collect();
    threads.sort_unstable();
    threads.dedup();
    let names: Vec<String> = threads
        .iter()
        .map(|&t| {
            trace
                .thread_names
                .get(t)
                .cloned()
                .unwrap_or_else(|| format!("thread {t}"))
        })
        .collect();
    let column = |t: usize| threads.iter().position(|&x| x == t).unwrap_or(0);
    let first = trace.rows.iter().find_map(|r| match r {
        Row::Step(s) => Some(s.number),
        Row::Handoff { .. } => None,
    });
    let last = trace.rows.iter().rev().find_map(|r| match r {
        Row::Step(s) => Some(s.number),
        Row::Handoff { .. } => None,
    });
    let window = match (first, last) {
        (Some(a), Some(b)) => format!("steps {a}-{b} of {}", trace.total_steps),
        _ => format!("no steps shown of {}", trace.total_steps),
    };
    let filter = if options.only_shared {
        ", only those that touch what more than one thread touched (one writing)"
    } else {
        ""
    };
    let unit = if options.by_line {
        "a row per source line"
    } else {
        "a row per instruction"
    };
    match options.format {
        Format::Csv => csv(&rows, &names, column),
        Format::Markdown => {
            let mut out = format!("**{heading}**: {window}, {unit}{filter}\n\n");
            out.push_str("| step | line |");
            for n in &names {
                let _ = write!(out, " {} |", md_escape(n));
            }
            out.push_str("\n| ---: | ---: |");
            out.push_str(&" --- |".repeat(names.len()));
            out.push('\n');
            for row in &rows {
                match row {
                    Shown::Step {
                        steps,
                        line,
                        thread,
                        text,
                    } => {
                        let _ = write!(out, "| {steps} | {line} |");
                        for c in 0..names.len() {
                            if c == column(*thread) {
                                let _ = write!(out, " {} |", md_code(text));
                            } else {
                                out.push_str(" |");
                            }
                        }
                    }
                    Shown::Handoff(text) | Shown::RawHandoff(_, _, text) => {
                        let _ = write!(out, "| | | *{}* |", md_escape(text));
                        out.push_str(&" |".repeat(names.len().saturating_sub(1)));
                    }
                }
                out.push('\n');
            }
            out.push_str(&footer(trace, (first, last), "\n"));
            out
        }
        Format::Text => {
            // A line's cell holds its source and what it touched.
            let cell_width = if options.by_line {
                2 * CELL_WIDTH
            } else {
                CELL_WIDTH
            };
            let mut widths: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
            let mut step_width = 4;
            for row in &rows {
                if let Shown::Step {
                    steps,
                    thread,
                    text,
                    ..
                } = row
                {
                    let w = &mut widths[column(*thread)];
                    *w = (*w).max(text.chars().count().min(cell_width));
                    step_width = step_width.max(steps.len());
                }
            }
            let mut out = format!("{heading}\n{window}, {unit}{filter}\n\n");
            let mut line = format!("{:>step_width$}  line", "step");
            for (n, w) in names.iter().zip(&widths) {
                let _ = write!(line, "  {n:<w$}");
            }
            out.push_str(line.trim_end());
            out.push('\n');
            for row in &rows {
                let mut line = String::new();
                match row {
                    Shown::Step {
                        steps,
                        line: l,
                        thread,
                        text,
                    } => {
                        let _ = write!(line, "{steps:>step_width$}  {l:>4}");
                        for (c, w) in widths.iter().enumerate() {
                            let cell = if c == column(*thread) {
                                cut(text, cell_width)
                            } else {
                                String::new()
                            };
                            let _ = write!(line, "  {cell:<w$}");
                        }
                    }
                    Shown::Handoff(text) | Shown::RawHandoff(_, _, text) => {
                        let _ = write!(line, "{:>step_width$}  {text}", "----");
                    }
                }
                out.push_str(line.trim_end());
                out.push('\n');
            }
            out.push_str(&footer(trace, (first, last), "\n"));
            out
        }
    }
}

/// What the whole run lost, and how to see it.
fn footer(trace: &Trace, shown: (Option<u64>, Option<u64>), gap: &str) -> String {
    let shown = |step: &u64| match shown {
        (Some(a), Some(b)) => (a..=b).contains(step),
        _ => false,
    };
    let mut out = String::new();
    if trace.truncated {
        out.push_str(gap);
        out.push_str("(the window was cut short: narrow it with --from and --steps)\n");
    }
    let name = |t: usize| {
        trace
            .thread_names
            .get(t)
            .cloned()
            .unwrap_or_else(|| format!("thread {t}"))
    };
    out.push_str(gap);
    if trace.lost_count == 0 {
        out.push_str("No update was lost in this run.\n");
        return out;
    }
    let n = trace.lost_count;
    let _ = writeln!(
        out,
        "{n} update{} lost in this run: a thread wrote a place after another thread had \
         written it since the first one read it.",
        if n == 1 { " was" } else { "s were" }
    );
    // Those the table shows first, else the run's first.
    let in_table: Vec<_> = trace
        .lost
        .iter()
        .filter(|l| shown(&l.read_step) && shown(&l.step))
        .collect();
    let any_in_table = !in_table.is_empty();
    let listed = if in_table.is_empty() {
        trace.lost.iter().take(3).collect()
    } else {
        in_table
    };
    for lost in listed.iter().take(3) {
        let _ = writeln!(
            out,
            "  step {}: {}'s write of {} = {} overwrote {}'s write of {} (step {}): {}'s update \
             was lost ({} had read {} at step {}).",
            lost.step,
            name(lost.thread),
            lost.place,
            lost.value,
            name(lost.other),
            lost.other_value,
            lost.other_step,
            name(lost.other),
            name(lost.thread),
            lost.place,
            lost.read_step
        );
    }
    // The shortest one is the easiest to read: the tutorial's table.
    if let Some(short) = trace
        .lost
        .iter()
        .min_by_key(|l| (l.step - l.read_step, l.step))
    {
        let from = short.read_step.saturating_sub(3).max(1);
        let steps = short.step + 3 - from;
        if !any_in_table {
            let _ = writeln!(
                out,
                "  The shortest of these (step {}) is in --from {from} --steps {steps}.",
                short.step
            );
        }
    }
    out
}

fn md_escape(text: &str) -> String {
    text.replace('|', "\\|").replace('*', "\\*")
}

/// A markdown code span holding `text` (a cell of a table: `|` escaped).
fn md_code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv(rows: &[Shown], names: &[String], column: impl Fn(usize) -> usize) -> String {
    let mut out = String::from("step,line");
    for n in names {
        let _ = write!(out, ",{}", csv_field(n));
    }
    out.push_str(",gil\n");
    for row in rows {
        match row {
            Shown::Step {
                steps,
                line,
                thread,
                text,
            } => {
                let _ = write!(out, "{steps},{line}");
                for c in 0..names.len() {
                    let cell = if c == column(*thread) {
                        csv_field(text)
                    } else {
                        String::new()
                    };
                    let _ = write!(out, ",{cell}");
                }
                out.push_str(",\n");
            }
            Shown::Handoff(text) | Shown::RawHandoff(_, _, text) => {
                out.push_str(",,");
                out.push_str(&",".repeat(names.len()));
                out.push_str(&csv_field(text));
                out.push('\n');
            }
        }
    }
    out
}
