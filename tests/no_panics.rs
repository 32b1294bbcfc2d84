//! No input panics the front end: every program of the corpora, truncated at many points
//! and mutated byte by byte with a fixed-seed generator, goes through the lexer, parser
//! and compiler, and each time a result (a code object or a SyntaxError) comes back.

use std::fs;
use std::panic;

/// xorshift64*: deterministic, so a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    "\n",
    "\n    ",
    "\t",
    "\\\n",
    "'",
    "\"",
    "\"\"\"",
    "f'{",
    "}",
    "=",
    "==",
    "+=",
    "*",
    "**",
    ",",
    ".",
    "...",
    "@",
    "->",
    "lambda",
    "yield",
    "await",
    "async ",
    "def ",
    "class ",
    "return",
    "break",
    "continue",
    "global x",
    "nonlocal x",
    "del ",
    "not ",
    "in ",
    "is ",
    "if ",
    "else",
    "elif ",
    "for ",
    "while ",
    "try:",
    "except",
    "finally:",
    "with ",
    "as ",
    "import ",
    "from ",
    "0x",
    "1e",
    "0o8",
    "1_",
    "b'\\x",
    "r'\\",
    "\\N{",
    "€",
    "\u{0}",
];

fn corpus() -> Vec<String> {
    let mut texts = Vec::new();
    for dir in ["tests/dis", "tests/errors", "tests/programs"] {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("readable entry").path();
            if path.extension().is_some_and(|e| e == "mpy")
                && let Ok(text) = fs::read_to_string(&path)
                && text.len() < 20_000
            {
                texts.push(text);
            }
        }
    }
    texts.sort();
    texts
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s = text.to_string();
    for _ in 0..1 + rng.below(4) {
        let mut at = rng.below(s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        match rng.below(4) {
            0 => s.truncate(at),
            1 => s.insert_str(at, FRAGMENTS[rng.below(FRAGMENTS.len())]),
            2 => {
                let mut end = (at + 1 + rng.below(8)).min(s.len());
                while !s.is_char_boundary(end) {
                    end += 1;
                }
                s.replace_range(at..end, "");
            }
            _ => {
                let mut end = (at + rng.below(40)).min(s.len());
                while !s.is_char_boundary(end) {
                    end += 1;
                }
                let piece = s[at..end].to_string();
                s.insert_str(at, &piece);
            }
        }
    }
    s
}

#[test]
fn malformed_and_mutated_programs_never_panic() {
    let corpus = corpus();
    assert!(
        corpus.len() >= 80,
        "corpus has only {} programs",
        corpus.len()
    );
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut errors = 0;
    let mut cases = 0;
    let previous_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut panicked = Vec::new();
    for text in &corpus {
        let mut inputs = Vec::new();
        for k in 1..6 {
            let mut cut = text.len() * k / 6;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            inputs.push(text[..cut].to_string());
        }
        for _ in 0..12 {
            inputs.push(mutate(&mut rng, text));
        }
        for input in inputs {
            cases += 1;
            let outcome = panic::catch_unwind(|| {
                let _ = minipy::tokens_listing(&input);
                minipy::compile_source(&input, "fuzz.mpy").is_err()
            });
            match outcome {
                Ok(true) => errors += 1,
                Ok(false) => {}
                Err(_) => {
                    // Keep the case on disk so it can be replayed with `minipy dis`.
                    let _ = fs::write(
                        std::env::temp_dir().join(format!("minipy-panic-{}.mpy", panicked.len())),
                        &input,
                    );
                    panicked.push(input)
                }
            }
        }
    }
    panic::set_hook(previous_hook);
    assert!(
        panicked.is_empty(),
        "{} of {cases} inputs panicked; first:\n{}",
        panicked.len(),
        panicked[0]
    );
    // The mutations must actually reach the error paths, or this test proves little.
    assert!(
        errors * 3 > cases,
        "only {errors} of {cases} inputs were rejected"
    );
}

/// Runs `minipy run OPTIONS FILE` on `source` (written to a temporary file): (status,
/// stderr, seconds taken).
fn run_limited(name: &str, source: &str, options: &[&str]) -> (i32, String, f64) {
    let file = std::env::temp_dir().join(format!("minipy-big-{}-{name}.py", std::process::id()));
    fs::write(&file, source).expect("the program is written");
    let start = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_minipy"))
        .arg("run")
        .args(options)
        .arg(&file)
        .output()
        .expect("minipy runs");
    let _ = fs::remove_file(&file);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        start.elapsed().as_secs_f64(),
    )
}

#[test]
fn big_requests_raise_memory_error_instead_of_aborting() {
    // The cases, and the other size computations checked before allocating; each
    // ends at once with CPython's MemoryError (or its OverflowError past the largest index)
    // under --max-memory 1000000000, never with an abort or a Rust backtrace.
    let cases = [
        ("str_repeat", "'x' * 2**62\n", "MemoryError"),
        ("list_repeat", "[0] * 10**12\n", "MemoryError"),
        ("bytes_repeat", "b'\\0' * 2**62\n", "MemoryError"),
        ("tuple_repeat", "(0,) * 10**12\n", "MemoryError"),
        (
            "bytearray_repeat",
            "bytearray(b'x') * 10**12\n",
            "MemoryError",
        ),
        (
            "str_too_long",
            "'ab' * 2**62\n",
            "OverflowError: repeated string is too long",
        ),
        (
            "bytes_too_long",
            "b'ab' * 2**62\n",
            "OverflowError: repeated bytes are too long",
        ),
        (
            "index_sized",
            "'x' * 2**63\n",
            "OverflowError: cannot fit 'int' into an index-sized integer",
        ),
        (
            "list_doubles",
            "l = [0]\nwhile True:\n    l = l + l\n",
            "MemoryError",
        ),
        (
            "list_doubles_in_place",
            "l = [0]\nwhile True:\n    l *= 2\n",
            "MemoryError",
        ),
        (
            "list_extends_itself",
            "l = [0]\nwhile True:\n    l.extend(l)\n",
            "MemoryError",
        ),
        (
            "str_doubles",
            "s = 'x'\nwhile True:\n    s = ''.join([s, s])\n",
            "MemoryError",
        ),
        ("power", "10**(10**10)\n", "MemoryError"),
        ("shift", "1 << 10**10\n", "MemoryError"),
        ("bytes_count", "bytes(10**12)\n", "MemoryError"),
        ("ljust", "'x'.ljust(2**62)\n", "MemoryError"),
        (
            "format_width",
            "'{:>{w}}'.format(1, w=2**40)\n",
            "MemoryError",
        ),
        ("percent_width", "'%*d' % (2**40, 1)\n", "MemoryError"),
        ("tuple_of_range", "tuple(range(10**12))\n", "MemoryError"),
        (
            "replace_grows",
            "'ab'.replace('a', 'a' * 10**6).replace('a', 'a' * 10**6)\n",
            "MemoryError",
        ),
        (
            "struct_pack",
            "import struct\nstruct.pack('10000000000s', b'')\n",
            "MemoryError",
        ),
        (
            "struct_size",
            "import struct\nstruct.calcsize('99999999999999999999q')\n",
            "struct.error: total struct size too long",
        ),
        (
            "getrandbits",
            "import random\nrandom.getrandbits(10**12)\n",
            "OverflowError: signed integer is greater than maximum",
        ),
        (
            "float_precision",
            "'{:.{p}f}'.format(1.0, p=2**40)\n",
            "ValueError: precision too big",
        ),
    ];
    // Programs that grow by many small steps, under a lower limit to end sooner: the
    // process's size is looked at as it grows.
    let growing = [
        (
            "many_small_lists",
            "l = []\nwhile True:\n    l.append([1, 2, 3])\n",
            "MemoryError",
        ),
        (
            "dict_grows",
            "d = {}\ni = 0\nwhile True:\n    d[i] = i\n    i += 1\n",
            "MemoryError",
        ),
    ];
    let mut failures = Vec::new();
    let cases = cases.iter().map(|case| (case, "1000000000"));
    for ((name, source, last_line), limit) in cases.chain(growing.iter().map(|c| (c, "300000000")))
    {
        let options = ["--max-memory", limit, "--timeout", "10"];
        let (status, stderr, seconds) = run_limited(name, source, &options);
        let last = stderr.lines().last().unwrap_or("");
        if status != 1 || last != *last_line || stderr.contains("panicked") || seconds > 10.0 {
            failures.push(format!(
                "{name}: status {status} in {seconds:.1} s:\n{stderr}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn max_steps_and_timeout_stop_a_runaway_program() {
    let forever = "i = 0\nwhile True:\n    i += 1\n";
    let (status, stderr, _) = run_limited("steps", forever, &["--max-steps", "100000"]);
    assert_eq!(status, 124, "{stderr}");
    assert_eq!(
        stderr,
        "minipy: stopped after --max-steps 100000 counted instructions\n"
    );
    let (status, stderr, seconds) = run_limited("timeout", forever, &["--timeout", "0.5"]);
    assert_eq!(status, 124, "{stderr}");
    assert_eq!(
        stderr,
        "minipy: stopped after the --timeout of 0.5 seconds\n"
    );
    assert!(seconds < 5.0, "stopped after {seconds} s");
    // A program that ends within its limits is not touched.
    let (status, stderr, _) = run_limited(
        "within",
        "print(sum(range(10)))\n",
        &["--max-steps", "100000", "--timeout", "5"],
    );
    assert_eq!((status, stderr.as_str()), (0, ""));
}
