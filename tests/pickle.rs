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
const KNOWN_FAILURES: &[(&str, &str)] = &[];

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

/// Hostile input: pickles of many kinds, truncated, with bytes flipped, inserted and
/// dropped (a fixed seed), must each load or raise an exception, never crash the VM.
/// Globals go through a `find_class` that allows a few harmless ones, so no mutation can
/// call what it should not; pickles that name no global also go through `loads`.
#[test]
fn mutated_pickles_raise_exceptions_never_panic() {
    let program = r#"
import collections
import copyreg
import io
import pickle


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


ALLOWED = {('builtins', n) for n in ('set', 'frozenset', 'list', 'dict', 'tuple', 'bytes',
                                     'object', 'range', 'slice', 'int', 'str', 'getattr')}
ALLOWED |= {('__main__', 'Point'), ('copyreg', '_reconstructor'), ('_codecs', 'encode'),
            ('collections', 'OrderedDict'), ('copyreg', '__newobj__')}


class Guarded(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError('forbidden')


x = [1]
seeds = []
for value in [None, True, -5, 2**70, 1.5, 'h\xe9llo \U0001F600', b'\x00\xff' * 3,
              (1, (2, 3), ()), [x, x, {'k': {1, 2}}], {'a': [1.5, None], 2: frozenset({3})},
              Point(1, 'two'), [Point(0, 0)] * 2, collections.OrderedDict(a=1), range(3),
              list(range(30)), set(range(20)), b'z' * 300, 'q' * 300]:
    for proto in range(5):
        seeds.append(pickle.dumps(value, proto))

state = 12345


def rand(n):
    global state
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n


GLOBAL_OPS = b'ci\x93\x82\x83\x84'
outcomes = {}
for i in range(4000):
    data = list(seeds[rand(len(seeds))])
    for _ in range(1 + rand(3)):
        kind = rand(4)
        at = rand(len(data) + 1)
        if kind == 0:
            data = data[:at]
        elif kind == 1 and at < len(data):
            data[at] = rand(256)
        elif kind == 2:
            data.insert(at, rand(256))
        elif at < len(data):
            del data[at]
    data = bytes(data)
    try:
        Guarded(io.BytesIO(data)).load()
        outcome = 'ok'
    except Exception as e:
        outcome = type(e).__name__
    outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if not any(op in data for op in GLOBAL_OPS):
        try:
            pickle.loads(data)
        except Exception:
            pass
print('done', sum(outcomes.values()), 'ok' in outcomes, len(outcomes) > 5)
"#;
    let dir = std::env::temp_dir().join(format!("minipy-pickle-fuzz-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temporary folder");
    fs::write(dir.join("fuzz.mpy"), program).expect("program written");
    let out = common::minipy_in(dir.to_str().expect("utf-8 path"), &["run", "fuzz.mpy"]);
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(
        (out.status, out.stdout.trim()),
        (0, "done 4000 True True"),
        "stderr:\n{}",
        out.stderr
    );
}
