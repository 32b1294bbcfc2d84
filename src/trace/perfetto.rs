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
    out
}

/// Nanoseconds as the format's microseconds.
fn micros(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

/// The track id of VM thread `t` (tid 0 is left to the process).
fn tid(t: usize) -> usize {
    t + 1
}

pub fn write(timeline: &Timeline) -> String {
    let mut events: Vec<String> =
        Vec::with_capacity(timeline.events() + 2 * timeline.tracks.len() + 2);
    events.push(format!(
        r#"{{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{{"name":{}}}}}"#,
        json_string(&timeline.title)
    ));
    for (t, track) in timeline.tracks.iter().enumerate() {
        events.push(format!(
            r#"{{"name":"thread_name","ph":"M","pid":1,"tid":{},"args":{{"name":{}}}}}"#,
            tid(t),
            json_string(&track.name)
        ));
        events.push(format!(
            r#"{{"name":"thread_sort_index","ph":"M","pid":1,"tid":{},"args":{{"sort_index":{t}}}}}"#,
            tid(t)
        ));
    }
    for s in &timeline.slices {
        if s.end_ns == s.start_ns {
            continue;
        }
        let mut args = format!(r#""line":{}"#, s.line);
        match &s.activity {
            Activity::Running => {
                let _ = write!(
                    args,
                    r#","end line":{},"instructions":{}"#,
                    s.end_line, s.instructions
                );
            }
            Activity::Blocked(on) => {
                let _ = write!(args, r#","on":{}"#, json_string(on));
            }
            _ => {}
        }
        events.push(format!(
            r#"{{"name":{},"cat":"gil","ph":"X","ts":{},"dur":{},"pid":1,"tid":{},"args":{{{args}}}}}"#,
            json_string(s.activity.name()),
            micros(s.start_ns),
            micros(s.end_ns - s.start_ns),
            tid(s.thread)
        ));
    }
    let name = |t: usize| timeline.tracks.get(t).map_or("?", |k| k.name.as_str());
    for h in &timeline.handoffs {
        events.push(format!(
            r#"{{"name":"GIL handoff","cat":"gil","ph":"i","s":"t","ts":{},"pid":1,"tid":{},"args":{{"from":{},"to":{},"reason":{}}}}}"#,
            micros(h.at_ns),
            tid(h.to),
            json_string(name(h.from)),
            json_string(name(h.to)),
            json_string(&h.reason)
        ));
    }
    for &(at, handoffs, instructions) in &timeline.counters {
        events.push(format!(
            r#"{{"name":"GIL handoffs","cat":"gil","ph":"C","ts":{},"pid":1,"args":{{"handoffs":{handoffs}}}}}"#,
            micros(at)
        ));
        events.push(format!(
            r#"{{"name":"instructions","cat":"gil","ph":"C","ts":{},"pid":1,"args":{{"counted instructions":{instructions}}}}}"#,
            micros(at)
        ));
    }
    if let Some(cut) = timeline.cut_ns {
        events.push(format!(
            r#"{{"name":"recording stopped (--timeline-limit {})","cat":"gil","ph":"i","s":"g","ts":{},"pid":1,"tid":0}}"#,
            timeline.limit,
            micros(cut)
        ));
    }
    let mut out = String::from("{\"displayTimeUnit\":\"ns\",\"otherData\":{");
    let _ = write!(
        out,
        "\"title\":{},\"clock\":{},\"end_us\":{}",
        json_string(&timeline.title),
        json_string(timeline.clock),
        micros(timeline.end_ns)
    );
    if let Some(cut) = timeline.cut_ns {
        let _ = write!(out, ",\"cut_at_us\":{}", micros(cut));
    }
    out.push_str("},\n\"traceEvents\":[\n");
    out.push_str(&events.join(",\n"));
    out.push_str("\n]}\n");
    out
}
