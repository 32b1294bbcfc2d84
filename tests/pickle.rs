//! pickle against CPython 3.7. Every tests/pickle program must print what python3.7
//! printed (stdout, exit status, last stderr line; recorded by scripts/record_corpus37.py).
//! And the table of tests/pickle_table (recorded by scripts/record_pickle_table37.py):
//! for each of its values and protocols, minipy's `pickle.dumps` must give CPython's bytes
//! (or CPython's error), and loading CPython's bytes and pickling what comes back must
//! give those bytes again (for the values that CPython itself rebuilds as they were).

mod common;
use std::fs;

const DIR: &str = "tests/pickle";
const TABLE: &str = "tests/pickle_table";

/// Programs that need what minipy's core does not have yet, each with what is missing.
/// The test fails if one of them starts passing, so the list stays true.
const KNOWN_FAILURES: &[(&str, &str)] = &[("pickle_str_bytes", "the bytearray builtin")];

#[test]
fn pickle_programs_print_what_cpython_printed() {
    common::check_corpus(DIR, &[&[]], KNOWN_FAILURES);
}

/// One row of the recorded table.
struct Row {
    expr: String,
    proto: u8,
    /// `=`: re-pickling what loads gives must give `data` back; `~`: loading gives another
    /// value (a reduction to something else); `!`: `data` is CPython's error.
    kind: char,
    data: String,
}

fn table() -> Vec<Row> {
    let text = fs::read_to_string(format!("{TABLE}/cpython37.tsv")).expect("recorded table");
    text.lines()
        .map(|line| {
            let mut parts = line.splitn(4, '\t');
            let mut next = || parts.next().expect("four columns").to_string();
            let (expr, proto, kind, data) = (next(), next(), next(), next());
            Row {
                expr,
                proto: proto.parse().expect("a protocol number"),
                kind: kind.chars().next().expect("a kind"),
                data,
            }
        })
        .collect()
}

/// The program that pickles every row: one line per row, `dumps` as hex (or `!` and the
/// error), a tab, then the re-pickled CPython bytes as hex (or `-`). Each value is made at
/// module level (a lambda there is named `<lambda>`, as where CPython evaluated it).
fn driver(rows: &[Row]) -> String {
    let mut program = fs::read_to_string(format!("{TABLE}/prelude.mpy")).expect("prelude");
    program.push_str("\nimport re\n\n\nclass Broken:\n    def __init__(self, e):\n        self.e = e\n\n\nV = {}\n");
    let mut index: Vec<&str> = Vec::new();
    for row in rows {
        if !index.contains(&row.expr.as_str()) {
            program.push_str(&format!(
                "try:\n    V[{}] = {}\nexcept Exception as e:\n    V[{}] = Broken(e)\n",
                index.len(),
                row.expr,
                index.len()
            ));
            index.push(&row.expr);
        }
    }
    program.push_str("ROWS = [\n");
    for row in rows {
        let i = index.iter().position(|e| *e == row.expr).expect("indexed");
        let data = if row.kind == '!' { "" } else { &row.data };
        program.push_str(&format!(
            "    ({i}, {}, '{}', '{data}'),\n",
            row.proto, row.kind
        ));
    }
    program.push_str(
        r#"]


def masked(e):
    return re.sub(r'0x[0-9a-fA-F]+', '0x...', '!%s: %s' % (type(e).__name__, e))


for i, proto, kind, data in ROWS:
    try:
        value = V[i]
        if isinstance(value, Broken):
            raise value.e
        got = pickle.dumps(value, proto).hex()
    except Exception as e:
        got = masked(e)
    again = '-'
    if kind == '=':
        try:
            again = pickle.dumps(pickle.loads(bytes.fromhex(data)), proto).hex()
        except Exception as e:
            again = masked(e)
    print(got + '\t' + again)
"#,
    );
    program
}

#[test]
fn dumps_gives_cpython_bytes_and_loads_reads_them() {
    let rows = table();
    let mut values: Vec<&str> = rows.iter().map(|r| r.expr.as_str()).collect();
    values.dedup();
    assert!(values.len() >= 40, "the table has {} values", values.len());
    let dir = std::env::temp_dir().join(format!("minipy-pickle-table-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temporary folder");
    fs::write(dir.join("table.mpy"), driver(&rows)).expect("driver written");
    let out = common::minipy_in(dir.to_str().expect("utf-8 path"), &["run", "table.mpy"]);
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(out.status, 0, "the driver failed:\n{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), rows.len(), "one line per row");
    let mut failures = Vec::new();
    for (row, line) in rows.iter().zip(&lines) {
        let (got, again) = line.split_once('\t').unwrap_or((line, "-"));
        let want = match row.kind {
            '!' => format!("!{}", row.data),
            _ => row.data.clone(),
        };
        if got != want {
            failures.push(format!(
                "dumps({}, {}):\n  CPython {want}\n  minipy  {got}",
                row.expr, row.proto
            ));
        }
        if row.kind == '=' && again != row.data {
            failures.push(format!(
                "dumps(loads(CPython's pickle of {}), {}):\n  CPython {}\n  minipy  {again}",
                row.expr, row.proto, row.data
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
