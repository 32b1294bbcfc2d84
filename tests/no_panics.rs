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
