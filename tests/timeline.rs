//! `minipy run --timeline FILE.{json,svg,html}`, checked structurally on the two-thread
//! countdown and the balance race: the JSON follows the trace-event format Perfetto and
//! chrome://tracing read (every event has its fields, durations are not negative, every
//! thread has a named track, one thread's slices never overlap), the SVG is well-formed XML
//! with one row per thread, the HTML page needs nothing from the network, and the recorder
//! stops at --timeline-limit and says so.

mod common;
use common::{Outcome, minipy_in};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// A JSON value, as far as these checks need one.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Json>),
    Obj(BTreeMap<String, Json>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.get(key),
            _ => None,
        }
    }
    fn num(&self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }
    fn str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A strict reader of RFC 8259 JSON: anything else is an error.
struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn parse(text: &str) -> Result<Json, String> {
        let mut r = Reader {
            text: text.as_bytes(),
            at: 0,
        };
        let v = r.value()?;
        r.space();
        if r.at != r.text.len() {
            return Err(format!("text after the value at byte {}", r.at));
        }
        Ok(v)
    }
    fn space(&mut self) {
        while self.at < self.text.len() && b" \t\r\n".contains(&self.text[self.at]) {
            self.at += 1;
        }
    }
    fn eat(&mut self, b: u8) -> Result<(), String> {
        self.space();
        if self.text.get(self.at) == Some(&b) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected {:?} at byte {}", b as char, self.at))
        }
    }
    fn value(&mut self) -> Result<Json, String> {
        self.space();
        let rest = &self.text[self.at..];
        match rest.first() {
            Some(b'{') => {
                self.at += 1;
                let mut m = BTreeMap::new();
                self.space();
                if self.text.get(self.at) == Some(&b'}') {
                    self.at += 1;
                    return Ok(Json::Obj(m));
                }
                loop {
                    self.space();
                    let Json::Str(k) = self.value()? else {
                        return Err(format!("a key that is not a string at byte {}", self.at));
                    };
                    self.eat(b':')?;
                    let v = self.value()?;
                    if m.insert(k.clone(), v).is_some() {
                        return Err(format!("key {k:?} twice"));
                    }
                    self.space();
                    match self.text.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Json::Obj(m));
                        }
                        _ => return Err(format!("bad object at byte {}", self.at)),
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.text.get(self.at) == Some(&b']') {
                    self.at += 1;
                    return Ok(Json::List(items));
                }
                loop {
                    items.push(self.value()?);
                    self.space();
                    match self.text.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Json::List(items));
                        }
                        _ => return Err(format!("bad list at byte {}", self.at)),
                    }
                }
            }
            Some(b'"') => {
                self.at += 1;
                let mut s = String::new();
                loop {
                    let c = *self.text.get(self.at).ok_or("an unterminated string")?;
                    self.at += 1;
                    match c {
                        b'"' => return Ok(Json::Str(s)),
                        b'\\' => {
                            let e = *self.text.get(self.at).ok_or("a bad escape")?;
                            self.at += 1;
                            match e {
                                b'"' | b'\\' | b'/' => s.push(e as char),
                                b'n' => s.push('\n'),
                                b't' => s.push('\t'),
                                b'r' => s.push('\r'),
                                b'b' => s.push('\u{8}'),
                                b'f' => s.push('\u{c}'),
                                b'u' => {
                                    let hex = std::str::from_utf8(
                                        self.text.get(self.at..self.at + 4).ok_or("short \\u")?,
                                    )
                                    .map_err(|e| e.to_string())?;
                                    let n =
                                        u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
                                    self.at += 4;
                                    s.push(char::from_u32(n).unwrap_or('\u{fffd}'));
                                }
                                _ => return Err(format!("bad escape at byte {}", self.at)),
                            }
                        }
                        c if c < 0x20 => return Err("a control character in a string".into()),
                        _ => {
                            // Copy the whole UTF-8 sequence.
                            let start = self.at - 1;
                            let len = match c {
                                0xf0.. => 4,
                                0xe0.. => 3,
                                0xc0.. => 2,
                                _ => 1,
                            };
                            self.at = start + len;
                            s.push_str(
                                std::str::from_utf8(&self.text[start..self.at])
                                    .map_err(|e| e.to_string())?,
                            );
                        }
                    }
                }
            }
            Some(b't') if rest.starts_with(b"true") => {
                self.at += 4;
                Ok(Json::Bool(true))
            }
            Some(b'f') if rest.starts_with(b"false") => {
                self.at += 5;
                Ok(Json::Bool(false))
            }
            Some(b'n') if rest.starts_with(b"null") => {
                self.at += 4;
                Ok(Json::Null)
            }
            Some(b'-' | b'0'..=b'9') => {
                let len = rest
                    .iter()
                    .take_while(|c| b"-+.eE0123456789".contains(c))
                    .count();
                let text = std::str::from_utf8(&rest[..len]).map_err(|e| e.to_string())?;
                let bad_zero = text.trim_start_matches('-').starts_with("0")
                    && text.trim_start_matches('-').len() > 1
                    && !text.trim_start_matches('-')[1..].starts_with(['.', 'e', 'E']);
                if bad_zero || text.ends_with('.') || text.contains(".e") {
                    return Err(format!("a bad number {text:?}"));
                }
                self.at += len;
                text.parse()
                    .map(Json::Num)
                    .map_err(|e| format!("{text:?}: {e}"))
            }
            _ => Err(format!("no value at byte {}", self.at)),
        }
    }
}

fn minipy(args: &[&str]) -> Outcome {
    minipy_in(".", args)
}

/// A fresh file in a directory of this test's own.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("minipy-timeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir.join(name)
}

/// Runs `program` with `--timeline` to a file of kind `ext`; returns its text.
fn timeline(program: &str, ext: &str, extra: &[&str]) -> (Outcome, String) {
    let stem = program
        .rsplit('/')
        .next()
        .expect("a name")
        .replace('.', "_");
    let path = temp(&format!("{stem}{}.{ext}", extra.join("_")));
    let path = path.to_str().expect("a UTF-8 path");
    let mut args = vec!["run", "--timeline", path];
    args.extend_from_slice(extra);
    args.push(program);
    let o = minipy(&args);
    assert_eq!(o.status, 0, "{}", o.stderr);
    let text = std::fs::read_to_string(path).expect("the timeline file");
    (o, text)
}

const PROGRAMS: [&str; 2] = ["demos/countdown_threads.mpy", "tests/trace/balance.mpy"];

/// The trace-event format's rules, as ui.perfetto.dev and chrome://tracing read them.
fn check_trace_events(doc: &Json, threads: usize) {
    let Some(Json::List(events)) = doc.get("traceEvents") else {
        panic!("no traceEvents list");
    };
    let mut named = BTreeSet::new();
    let mut used = BTreeSet::new();
    let mut slices: BTreeMap<i64, Vec<(f64, f64)>> = BTreeMap::new();
    let mut open: BTreeMap<i64, i64> = BTreeMap::new();
    let mut handoffs = 0;
    for e in events {
        let ph = e.str("ph").unwrap_or_else(|| panic!("no ph: {e:?}"));
        assert!(e.str("name").is_some(), "no name: {e:?}");
        let pid = e.num("pid").unwrap_or_else(|| panic!("no pid: {e:?}"));
        assert_eq!(pid.fract(), 0.0);
        if ph == "C" {
            assert!(e.num("ts").is_some_and(|t| t >= 0.0), "{e:?}");
            assert!(matches!(e.get("args"), Some(Json::Obj(_))), "{e:?}");
            continue;
        }
        let tid = e.num("tid").unwrap_or_else(|| panic!("no tid: {e:?}")) as i64;
        if ph == "M" {
            if e.str("name") == Some("thread_name") {
                assert!(e.get("args").and_then(|a| a.str("name")).is_some(), "{e:?}");
                named.insert(tid);
            }
            continue;
        }
        let ts = e.num("ts").unwrap_or_else(|| panic!("no ts: {e:?}"));
        assert!(ts >= 0.0, "{e:?}");
        // A global instant (scope "g") belongs to no track.
        if e.str("s") != Some("g") {
            used.insert(tid);
        }
        match ph {
            "X" => {
                let dur = e.num("dur").unwrap_or_else(|| panic!("no dur: {e:?}"));
                assert!(dur >= 0.0, "a negative duration: {e:?}");
                slices.entry(tid).or_default().push((ts, ts + dur));
            }
            "B" => *open.entry(tid).or_default() += 1,
            "E" => {
                let n = open.entry(tid).or_default();
                *n -= 1;
                assert!(*n >= 0, "E before B: {e:?}");
            }
            "i" | "I" => {
                assert!(matches!(e.str("s"), Some("t" | "p" | "g") | None), "{e:?}");
                if e.str("name") == Some("GIL handoff") {
                    handoffs += 1;
                }
            }
            "s" | "t" | "f" => assert!(e.get("id").is_some(), "a flow event needs an id: {e:?}"),
            other => panic!("an event type this file does not use: {other:?} in {e:?}"),
        }
    }
    assert!(open.values().all(|&n| n == 0), "unbalanced B/E: {open:?}");
    assert_eq!(named.len(), threads, "a named track per thread: {named:?}");
    assert!(
        used.is_subset(&named),
        "events on unnamed tracks: {used:?} {named:?}"
    );
    assert!(handoffs > 0, "no handoff marked");
    for (tid, list) in &mut slices {
        list.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
        for pair in list.windows(2) {
            // Timestamps are printed in µs with three decimals (whole ns).
            assert!(
                pair[1].0 >= pair[0].1 - 0.0005,
                "thread {tid}: slices overlap: {pair:?}"
            );
        }
    }
}

#[test]
fn json_timelines_follow_the_trace_event_format() {
    for program in PROGRAMS {
        let (_, text) = timeline(program, "json", &[]);
        let doc = Reader::parse(&text).unwrap_or_else(|e| panic!("{program}: {e}"));
        check_trace_events(&doc, 3);
        let title = doc
            .get("otherData")
            .and_then(|o| o.str("title"))
            .expect("a title");
        assert!(title.contains("--gil py2"), "{title}");
    }
    // Under os too (real time), and with the timed policies.
    let (_, text) = timeline(PROGRAMS[1], "json", &["--sched", "os"]);
    check_trace_events(&Reader::parse(&text).expect("JSON"), 3);
    let (_, text) = timeline(
        PROGRAMS[1],
        "json",
        &["--gil", "py311", "--switch-interval", "0.00005"],
    );
    check_trace_events(&Reader::parse(&text).expect("JSON"), 3);
}

/// The tags of an XML document, checked for nesting; returns the start tags with their
/// attributes. Comments, the declaration and character data are skipped; entities must be
/// XML's five or numeric.
fn xml_tags(text: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut stack: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    let mut rest = text;
    while let Some(lt) = rest.find('<') {
        check_entities(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<?") {
            rest = &after[after.find("?>").expect("an ended declaration") + 2..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->").expect("an ended comment") + 3..];
            continue;
        }
        let gt = rest.find('>').expect("an ended tag");
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mis-nested </{name}>"
            );
            continue;
        }
        let empty = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let name = tag[..name_end].to_string();
        assert!(!name.is_empty(), "an empty tag name");
        let mut attrs = BTreeMap::new();
        let mut a = tag[name_end..].trim();
        while !a.is_empty() {
            let eq = a
                .find('=')
                .unwrap_or_else(|| panic!("an attribute without =: {a}"));
            let key = a[..eq].trim().to_string();
            let quoted = &a[eq + 1..];
            let q = quoted.chars().next().expect("a value");
            assert!(
                q == '"' || q == '\'',
                "an unquoted attribute in <{name}>: {a}"
            );
            let end = quoted[1..].find(q).expect("an ended value") + 1;
            let value = &quoted[1..end];
            assert!(!value.contains('<'), "< in an attribute");
            check_entities(value);
            assert!(
                attrs.insert(key.clone(), value.to_string()).is_none(),
                "{key} twice"
            );
            a = quoted[end + 1..].trim_start();
        }
        if !empty {
            stack.push(name.clone());
        }
        tags.push((name, attrs));
    }
    check_entities(rest);
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    tags
}

fn check_entities(text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        rest = &rest[amp + 1..];
        let semi = rest.find(';').expect("an ended entity");
        let name = &rest[..semi];
        assert!(
            matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name.strip_prefix('#').is_some_and(|n| n
                    .trim_start_matches('x')
                    .chars()
                    .all(|c| c.is_ascii_hexdigit())),
            "an entity XML does not know: &{name};"
        );
    }
}

#[test]
fn svg_timelines_are_xml_with_a_row_per_thread() {
    for program in PROGRAMS {
        let (_, text) = timeline(program, "svg", &[]);
        // <style> holds CSS, which has no markup.
        let tags = xml_tags(&text);
        assert_eq!(tags[0].0, "svg", "{program}: the root");
        assert_eq!(
            tags[0].1.get("xmlns").map(String::as_str),
            Some("http://www.w3.org/2000/svg")
        );
        let rows: Vec<&BTreeMap<String, String>> = tags
            .iter()
            .filter(|(n, a)| n == "g" && a.get("class").map(String::as_str) == Some("row"))
            .map(|(_, a)| a)
            .collect();
        let threads: BTreeSet<&str> = rows
            .iter()
            .map(|a| a.get("data-thread").map(String::as_str).expect("a thread"))
            .collect();
        assert_eq!(rows.len(), 3, "{program}: one row per thread");
        assert_eq!(threads.len(), 3);
        for label in [
            "MainThread",
            "Thread-1",
            "Thread-2",
            "running",
            "waiting for the GIL",
        ] {
            assert!(
                text.contains(&format!(">{label}<")),
                "{program}: no {label:?}"
            );
        }
        assert!(text.contains("class=\"slice running\""), "{program}");
        assert!(
            text.contains("class=\"handoff\""),
            "{program}: no handoff marks"
        );
    }
}

#[test]
fn the_html_page_is_self_contained() {
    let (_, text) = timeline(PROGRAMS[0], "html", &[]);
    assert!(text.starts_with("<!DOCTYPE html>"), "{}", &text[..80]);
    for external in ["<link", "src=", "@import", "url(", "https://", "fetch("] {
        assert!(!text.contains(external), "the page uses {external:?}");
    }
    // Its only http:// is the SVG namespace (a name, never fetched).
    assert_eq!(
        text.matches("http://").count(),
        text.matches("http://www.w3.org/2000/svg").count()
    );
    let start = text.find("<svg").expect("an inline svg");
    let end = text.find("</svg>").expect("an ended svg") + 6;
    let tags = xml_tags(&text[start..end]);
    let rows = tags
        .iter()
        .filter(|(n, a)| n == "g" && a.get("class").map(String::as_str) == Some("row"))
        .count();
    assert_eq!(rows, 3);
    let data_at = text
        .find("<script id=\"data\" type=\"application/json\">")
        .expect("the embedded data")
        + "<script id=\"data\" type=\"application/json\">".len();
    let data_end = data_at + text[data_at..].find("</script>").expect("an ended script");
    let data = Reader::parse(&text[data_at..data_end].replace("<\\/", "</")).expect("JSON data");
    let Some(Json::List(tracks)) = data.get("tracks") else {
        panic!("no tracks");
    };
    assert_eq!(tracks.len(), 3);
    for id in ["id=\"details\"", "id=\"timeline\"", "id=\"plot\""] {
        assert!(text.contains(id), "no {id}");
    }
}

#[test]
fn the_recorder_stops_at_the_limit_and_says_so() {
    let (o, text) = timeline(PROGRAMS[1], "json", &["--timeline-limit", "50"]);
    assert!(
        o.stderr.contains("--timeline-limit 50"),
        "no word of the cut: {}",
        o.stderr
    );
    let doc = Reader::parse(&text).expect("JSON");
    check_trace_events(&doc, 3);
    let Some(Json::List(events)) = doc.get("traceEvents") else {
        panic!("no events");
    };
    let recorded = events.iter().filter(|e| e.str("ph") != Some("M")).count();
    // The limit, and the mark that says where recording stopped.
    assert!(recorded <= 51, "{recorded} events kept");
    assert!(recorded >= 40, "{recorded} events kept");
    // The program ran to its end all the same.
    assert_eq!(o.stdout, minipy(&["run", PROGRAMS[1]]).stdout);
}

#[test]
fn a_timeline_file_of_no_known_kind_is_refused() {
    let o = minipy(&["run", "--timeline", "x.png", PROGRAMS[1]]);
    assert_eq!(o.status, 2);
    assert!(o.stderr.contains(".json"), "{}", o.stderr);
    assert!(o.stdout.is_empty());
}

#[test]
fn asyncio_tasks_get_a_row_each_and_recording_moves_no_switch() {
    let program = "tests/trace/asyncio_tasks.mpy";
    for seed in ["0", "1", "2"] {
        let plain = minipy(&["run", "--seed", seed, program]);
        let (recorded, text) = timeline(program, "json", &["--seed", seed]);
        assert_eq!(
            plain.stdout, recorded.stdout,
            "seed {seed}: recording changed the run"
        );
        let doc = Reader::parse(&text).expect("JSON");
        // MainThread, the executor's thread, main(), two workers, shutdown_asyncgens().
        check_trace_events(&doc, 6);
        let Some(Json::List(events)) = doc.get("traceEvents") else {
            panic!("no traceEvents");
        };
        let mut names = BTreeMap::new();
        for e in events
            .iter()
            .filter(|e| e.str("name") == Some("thread_name"))
        {
            let name = e.get("args").and_then(|a| a.str("name")).expect("a name");
            names.insert(e.num("tid").expect("tid") as i64, name.to_string());
        }
        let steps = |track: &str| {
            events
                .iter()
                .filter(|e| e.str("ph") == Some("X") && e.str("name") == Some("running"))
                .filter(|e| {
                    names
                        .get(&(e.num("tid").expect("tid") as i64))
                        .map(String::as_str)
                        == Some(track)
                })
                .count()
        };
        // A step to the first await, then one per wake-up.
        assert_eq!(steps("Task-2 worker()"), 4, "{names:?}");
        assert_eq!(steps("Task-3 worker()"), 3, "{names:?}");
        assert_eq!(steps("Task-1 main()"), 2, "{names:?}");
    }
    let (_, svg) = timeline(program, "svg", &[]);
    assert!(
        svg.contains("2 threads, "),
        "the threads counted apart from the tasks"
    );
    assert!(svg.contains("4 asyncio tasks"), "the tasks counted");
}
