//! What the integration tests share: running the minipy binary and listing a corpus folder.
#![allow(dead_code)] // each test crate uses its own subset

use std::fs;
use std::process::Command;

/// What one minipy process did.
pub struct Outcome {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `minipy ARGS...` in `dir` (relative to the crate root).
pub fn minipy_in(dir: &str, args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_minipy"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("minipy runs");
    Outcome {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The stems of the `.mpy` programs in `dir`, sorted.
pub fn programs(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("corpus folder exists")
        .filter_map(|e| {
            let p = e.expect("readable entry").path();
            (p.extension()? == "mpy")
                .then(|| p.file_stem().expect("stem").to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}
