//! `minipy tokens` and `minipy ast` on a small program: layout tokens (brackets suspend
//! NEWLINE, comments and blank lines vanish, DEDENT is zero-width) and a spanned tree.
//! The expected token listing was reviewed by hand against Python's tokenizer rules.

use std::process::Command;

fn minipy(args: &[&str]) -> (i32, String) {
    // One folder per command: the tests run in parallel and must not share a file being written.
    let dir = std::env::temp_dir().join(format!("minipy-front-end-{}", args[0]));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("tk.mpy"),
        "if x:\n    y = (1,\n         2)  # c\n\nz = \"s\"\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_minipy"))
        .args(args)
        .current_dir(&dir)
        .output()
        .expect("minipy runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn tokens_show_layout() {
    let expected = "1:0-1:2\tOP \"if\"
1:3-1:4\tNAME \"x\"
1:4-1:5\tOP \":\"
1:5-2:0\tNEWLINE
2:0-2:4\tINDENT
2:4-2:5\tNAME \"y\"
2:6-2:7\tOP \"=\"
2:8-2:9\tOP \"(\"
2:9-2:10\tNUMBER 1
2:10-2:11\tOP \",\"
3:9-3:10\tNUMBER 2
3:10-3:11\tOP \")\"
3:16-4:0\tNEWLINE
5:0-5:0\tDEDENT
5:0-5:1\tNAME \"z\"
5:2-5:3\tOP \"=\"
5:4-5:7\tSTRING \"s\"
5:7-6:0\tNEWLINE
";
    assert_eq!(minipy(&["tokens", "tk.mpy"]), (0, expected.to_string()));
}

#[test]
fn ast_shows_spanned_nodes() {
    let (status, out) = minipy(&["ast", "tk.mpy"]);
    assert_eq!(status, 0);
    for needle in [
        "If {",
        "Assign {",
        "Tuple(",
        "Constant(",
        "Str(",
        "span: Span {",
        "start: 3,",
    ] {
        assert!(out.contains(needle), "missing {needle} in:\n{out}");
    }
}
