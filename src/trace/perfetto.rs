//! The timeline as Chrome trace-event JSON, the format ui.perfetto.dev and
//! chrome://tracing open: one process (the run), a track per VM thread named by thread
//! metadata, a complete ("X") slice per stretch of running, waiting for the GIL, blocked or
//! sleeping, a thread-scoped instant ("i") at each GIL handoff on the thread that takes
//! it, and counters ("C") of handoffs and counted instructions. Times are microseconds
//! with nanosecond decimals, from the virtual clock under det and the real one under os.

use super::timeline::{Activity, Timeline};
use std::fmt::Write;

/// Escapes `text` as a JSON string body.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_json_string(&mut out, text);
    out
}

/// Appends `text` to `out` as a JSON string.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Nanoseconds as the format's microseconds (written in place: a run has millions).
struct Micros(u64);

impl std::fmt::Display for Micros {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

/// The track id of VM thread `t` (tid 0 is left to the process).
fn tid(t: usize) -> usize {
    t + 1
}

/// Starts the next event: a separator after the previous one.
fn next_event(out: &mut String, first: &mut bool) {
    if !std::mem::take(first) {
        out.push_str(",\n");
    }
}

pub fn write(timeline: &Timeline) -> String {
    // About 150 bytes an event.
    let mut out = String::with_capacity(160 * (timeline.events() + 8));
    out.push_str("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"title\":");
    push_json_string(&mut out, &timeline.title);
    out.push_str(",\"clock\":");
    push_json_string(&mut out, timeline.clock);
    let _ = write!(out, ",\"end_us\":{}", Micros(timeline.end_ns));
    if let Some(cut) = timeline.cut_ns {
        let _ = write!(out, ",\"cut_at_us\":{}", Micros(cut));
    }
    out.push_str("},\n\"traceEvents\":[\n");
    let first = &mut true;
    next_event(&mut out, first);
    out.push_str(r#"{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"#);
    push_json_string(&mut out, &timeline.title);
    out.push_str("}}");
    for (t, track) in timeline.tracks.iter().enumerate() {
        next_event(&mut out, first);
        let _ = write!(
            out,
            r#"{{"name":"thread_name","ph":"M","pid":1,"tid":{},"args":{{"name":"#,
            tid(t)
        );
        push_json_string(&mut out, &track.name);
        out.push_str("}}");
        next_event(&mut out, first);
        let _ = write!(
            out,
            r#"{{"name":"thread_sort_index","ph":"M","pid":1,"tid":{},"args":{{"sort_index":{t}}}}}"#,
            tid(t)
        );
    }
    for s in &timeline.slices {
        if s.end_ns == s.start_ns {
            continue;
        }
        next_event(&mut out, first);
        out.push_str("{\"name\":");
        push_json_string(&mut out, s.activity.name());
        let _ = write!(
            out,
            r#","cat":"gil","ph":"X","ts":{},"dur":{},"pid":1,"tid":{},"args":{{"line":{}"#,
            Micros(s.start_ns),
            Micros(s.end_ns - s.start_ns),
            tid(s.thread),
            s.line
        );
        match &s.activity {
            Activity::Running => {
                let _ = write!(
                    out,
                    r#","end line":{},"instructions":{}"#,
                    s.end_line, s.instructions
                );
            }
            Activity::Blocked(on) => {
                out.push_str(r#","on":"#);
                push_json_string(&mut out, on);
            }
            _ => {}
        }
        out.push_str("}}");
    }
    let name = |t: usize| timeline.tracks.get(t).map_or("?", |k| k.name.as_str());
    for h in &timeline.handoffs {
        next_event(&mut out, first);
        let _ = write!(
            out,
            r#"{{"name":"GIL handoff","cat":"gil","ph":"i","s":"t","ts":{},"pid":1,"tid":{},"args":{{"from":"#,
            Micros(h.at_ns),
            tid(h.to)
        );
        push_json_string(&mut out, name(h.from));
        out.push_str(r#","to":"#);
        push_json_string(&mut out, name(h.to));
        out.push_str(r#","reason":"#);
        push_json_string(&mut out, &h.reason);
        out.push_str("}}");
    }
    for &(at, handoffs, instructions) in &timeline.counters {
        next_event(&mut out, first);
        let _ = write!(
            out,
            r#"{{"name":"GIL handoffs","cat":"gil","ph":"C","ts":{},"pid":1,"args":{{"handoffs":{handoffs}}}}}"#,
            Micros(at)
        );
        next_event(&mut out, first);
        let _ = write!(
            out,
            r#"{{"name":"instructions","cat":"gil","ph":"C","ts":{},"pid":1,"args":{{"counted instructions":{instructions}}}}}"#,
            Micros(at)
        );
    }
    if let Some(cut) = timeline.cut_ns {
        next_event(&mut out, first);
        let _ = write!(
            out,
            r#"{{"name":"recording stopped (--timeline-limit {})","cat":"gil","ph":"i","s":"g","ts":{},"pid":1,"tid":0}}"#,
            timeline.limit,
            Micros(cut)
        );
    }
    out.push_str("\n]}\n");
    out
}
