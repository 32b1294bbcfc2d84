//! The timeline as a self-contained SVG in the classic GIL-visualisation style: time
//! across, a row per thread, a colour per state (running, waiting for the GIL, blocked,
//! sleeping), a mark at each handoff on the row of the thread that takes the GIL, a legend
//! and a time axis. A run has far more slices than the picture has pixels, so each row is
//! drawn pixel column by pixel column: a column shows the state that filled most of its
//! time, split with the second when that had a quarter or more (two threads thrashing
//! show as half running, half waiting), and equal neighbours merge into one rectangle.

use super::timeline::Timeline;
use std::fmt::Write;

/// The drawing's geometry, shared with the HTML page's script.
pub const WIDTH: f64 = 1200.0;
pub const LABEL_WIDTH: f64 = 130.0;
pub const PLOT_WIDTH: f64 = WIDTH - LABEL_WIDTH - 30.0;
pub const ROW_HEIGHT: f64 = 22.0;
pub const ROW_GAP: f64 = 8.0;
pub const TOP: f64 = 64.0;

/// CSS classes and colours of the four states, by `Activity::code`.
pub const CLASSES: [&str; 4] = ["running", "waiting", "blocked", "sleeping"];
pub const COLOURS: [&str; 4] = ["#2e9e44", "#e8574a", "#7b8fb0", "#9ecae1"];
pub const LABELS: [&str; 4] = ["running", "waiting for the GIL", "blocked", "sleeping"];

/// Escapes text for XML.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A drawn piece of a row: columns `x0..x1` (pixels from the plot's left), the state that
/// filled most of their time and, when another had a quarter or more, that one with its
/// share of the height.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub x0: usize,
    pub x1: usize,
    pub main: usize,
    pub second: Option<(usize, u8)>,
}

/// Thread `t`'s row between `t0` and `t1` (ns) on `width` pixel columns.
pub fn row_runs(timeline: &Timeline, t: usize, t0: u64, t1: u64, width: usize) -> Vec<Run> {
    let span = (t1.saturating_sub(t0)).max(1) as f64;
    let mut columns = vec![[0f64; 4]; width];
    for s in timeline.slices.iter().filter(|s| s.thread == t) {
        if s.end_ns <= t0 || s.start_ns >= t1 || s.end_ns == s.start_ns {
            continue;
        }
        let a = (s.start_ns.max(t0) - t0) as f64 / span * width as f64;
        let b = (s.end_ns.min(t1) - t0) as f64 / span * width as f64;
        let code = s.activity.code();
        let (first, last) = (a.floor() as usize, (b.ceil() as usize).min(width));
        for (c, column) in columns.iter_mut().enumerate().take(last).skip(first) {
            let overlap = b.min(c as f64 + 1.0) - a.max(c as f64);
            if overlap > 0.0 {
                column[code] += overlap;
            }
        }
    }
    let mut runs: Vec<Run> = Vec::new();
    for (c, column) in columns.iter().enumerate() {
        let total: f64 = column.iter().sum();
        if total <= 0.0 {
            continue;
        }
        let mut order = [0usize, 1, 2, 3];
        order.sort_by(|&x, &y| column[y].total_cmp(&column[x]).then(x.cmp(&y)));
        let share = column[order[1]] / total;
        let second = (share >= 0.25).then(|| (order[1], (share * 4.0).round() as u8));
        let run = Run {
            x0: c,
            x1: c + 1,
            main: order[0],
            second,
        };
        match runs.last_mut() {
            Some(last) if last.x1 == c && last.main == run.main && last.second == run.second => {
                last.x1 = c + 1;
            }
            _ => runs.push(run),
        }
    }
    runs
}

/// Times for the axis's ticks: about `count` of them, at 1, 2 or 5 times a power of ten.
pub fn ticks(t0: u64, t1: u64, count: u64) -> (u64, Vec<u64>) {
    let span = t1.saturating_sub(t0).max(1);
    let raw = (span / count.max(1)).max(1);
    let mut step = 1u64;
    while step * 10 <= raw {
        step *= 10;
    }
    let step = [1, 2, 5, 10]
        .iter()
        .map(|m| step * m)
        .find(|s| *s >= raw)
        .unwrap_or(step * 10);
    let first = t0.div_ceil(step) * step;
    let marks = (0..)
        .map(|k| first + k * step)
        .take_while(|t| *t <= t1)
        .collect();
    (step, marks)
}

/// A tick's label, in the unit its step suits.
pub fn tick_label(t: u64, step: u64) -> String {
    let (unit, scale) = match step {
        0..1_000 => ("ns", 1.0),
        1_000..1_000_000 => ("µs", 1e3),
        1_000_000..1_000_000_000 => ("ms", 1e6),
        _ => ("s", 1e9),
    };
    let value = t as f64 / scale;
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {unit}")
}

/// The picture's height for `rows` threads.
pub fn height(rows: usize) -> f64 {
    TOP + rows as f64 * (ROW_HEIGHT + ROW_GAP) + 56.0
}

/// The legend, the rows' labels and backgrounds, the rows and the axis, between `t0` and
/// `t1`: the body of the SVG (the HTML page draws the same with its script).
pub fn body(timeline: &Timeline, t0: u64, t1: u64) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<text x="10" y="22" font-size="15" font-weight="bold">{}</text>"#,
        xml_escape(&timeline.title)
    );
    let mut x = 10.0;
    let _ = write!(out, r#"<g class="legend" font-size="12">"#);
    for k in 0..4 {
        let _ = write!(
            out,
            r#"<rect x="{x}" y="34" width="14" height="12" class="{}"/><text x="{}" y="45">{}</text>"#,
            CLASSES[k],
            x + 19.0,
            LABELS[k]
        );
        x += 40.0 + 7.0 * LABELS[k].len() as f64;
    }
    let _ = write!(
        out,
        r#"<line x1="{x}" y1="32" x2="{x}" y2="48" class="handoff"/><text x="{}" y="45">GIL handoff</text></g>"#,
        x + 6.0
    );
    out.push_str(r#"<g id="plot">"#);
    let width = PLOT_WIDTH as usize;
    let scale = PLOT_WIDTH / (t1.saturating_sub(t0)).max(1) as f64;
    for (t, track) in timeline.tracks.iter().enumerate() {
        let y = TOP + t as f64 * (ROW_HEIGHT + ROW_GAP);
        let _ = write!(
            out,
            r#"<g class="row" data-thread="{t}"><text x="{}" y="{}" text-anchor="end" class="label">{}</text><rect x="{LABEL_WIDTH}" y="{y}" width="{PLOT_WIDTH}" height="{ROW_HEIGHT}" class="track"/>"#,
            LABEL_WIDTH - 8.0,
            y + ROW_HEIGHT * 0.7,
            xml_escape(&track.name)
        );
        for run in row_runs(timeline, t, t0, t1, width) {
            let x = LABEL_WIDTH + run.x0 as f64;
            let w = (run.x1 - run.x0) as f64;
            let split = run
                .second
                .map_or(0.0, |(_, q)| ROW_HEIGHT * f64::from(q) / 4.0);
            let _ = write!(
                out,
                r#"<rect x="{x}" y="{y}" width="{w}" height="{}" class="slice {}"/>"#,
                ROW_HEIGHT - split,
                CLASSES[run.main]
            );
            if let Some((second, _)) = run.second {
                let _ = write!(
                    out,
                    r#"<rect x="{x}" y="{}" width="{w}" height="{split}" class="slice {}"/>"#,
                    y + ROW_HEIGHT - split,
                    CLASSES[second]
                );
            }
        }
        // Handoff marks, at most one per pixel column.
        let mut last_column = usize::MAX;
        for h in timeline.handoffs.iter().filter(|h| h.to == t) {
            if h.at_ns < t0 || h.at_ns > t1 {
                continue;
            }
            let column = ((h.at_ns - t0) as f64 * scale) as usize;
            if column == last_column {
                continue;
            }
            last_column = column;
            let x = LABEL_WIDTH + column as f64 + 0.5;
            let _ = write!(
                out,
                r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" class="handoff"/>"#,
                y - 3.0,
                y + 4.0
            );
        }
        out.push_str("</g>");
    }
    let axis_y = TOP + timeline.tracks.len() as f64 * (ROW_HEIGHT + ROW_GAP) + 4.0;
    let _ = write!(
        out,
        r##"<g class="axis"><line x1="{LABEL_WIDTH}" y1="{axis_y}" x2="{}" y2="{axis_y}" stroke="#444"/>"##,
        LABEL_WIDTH + PLOT_WIDTH
    );
    let (step, marks) = ticks(t0, t1, 8);
    for t in marks {
        let x = LABEL_WIDTH + (t - t0) as f64 * scale;
        let _ = write!(
            out,
            r##"<line x1="{x}" y1="{axis_y}" x2="{x}" y2="{}" stroke="#444"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
            axis_y + 5.0,
            axis_y + 18.0,
            tick_label(t, step)
        );
    }
    let threads = timeline.tracks.len() - timeline.task_tracks;
    let mut note = format!(
        "{} clock; {} thread{}, {} GIL handoffs",
        timeline.clock,
        threads,
        if threads == 1 { "" } else { "s" },
        timeline.handoffs.len()
    );
    if timeline.task_tracks > 0 {
        let _ = write!(
            note,
            "; {} asyncio tasks (a slice per step)",
            timeline.task_tracks
        );
    }
    if let Some(cut) = timeline.cut_ns {
        let _ = write!(
            note,
            "; recording stopped at {} (--timeline-limit {})",
            super::format_ns(cut),
            timeline.limit
        );
    }
    let _ = write!(
        out,
        r##"</g></g><text x="{LABEL_WIDTH}" y="{}" fill="#555" class="note">{}</text>"##,
        axis_y + 38.0,
        xml_escape(&note)
    );
    out
}

/// The stylesheet of the states' colours.
pub fn style() -> String {
    let mut css = String::from(
        ".track{fill:#f2f2f2}.handoff{stroke:#222;stroke-width:1}.label{font-size:13px}",
    );
    for k in 0..4 {
        let _ = write!(css, ".{}{{fill:{}}}", CLASSES[k], COLOURS[k]);
    }
    css
}

pub fn write(timeline: &Timeline) -> String {
    let h = height(timeline.tracks.len());
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{h}\" viewBox=\"0 0 {WIDTH} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n<style>{}</style>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n{}\n</svg>\n",
        style(),
        body(timeline, 0, timeline.end_ns.max(1))
    )
}
