//! The one located error type of the front end (lexer, parser, compiler), printed in CPython's layout.

use std::fmt::Write;

/// Which exception class CPython would raise for this error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    SyntaxError,
    IndentationError,
    TabError,
}

impl SyntaxErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            SyntaxErrorKind::SyntaxError => "SyntaxError",
            SyntaxErrorKind::IndentationError => "IndentationError",
            SyntaxErrorKind::TabError => "TabError",
        }
    }
}

/// Where CPython 3.7 puts the caret for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caret {
    /// Under the byte at `offset` (tokenizer and parser errors).
    At,
    /// One column left of a node's start: 3.7's ast.c and compile.c pass a 0-based column
    /// where the traceback printer expects a 1-based one.
    LeftOfNode,
    /// No location at all: only `SyntaxError: message` is printed.
    None,
}

/// A syntax error at a byte offset of the source.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub message: String,
    /// Byte offset the error is located at.
    pub offset: usize,
    pub caret: Caret,
}

impl SyntaxError {
    pub fn new(message: impl Into<String>, offset: usize) -> Self {
        SyntaxError {
            kind: SyntaxErrorKind::SyntaxError,
            message: message.into(),
            offset,
            caret: Caret::At,
        }
    }

    /// An error found on a syntax-tree node starting at `offset` (ast.c, symtable, compiler).
    pub fn at_node(message: impl Into<String>, offset: usize) -> Self {
        SyntaxError {
            caret: Caret::LeftOfNode,
            ..SyntaxError::new(message, offset)
        }
    }

    /// An error CPython 3.7 reports without a location.
    pub fn unlocated(message: impl Into<String>) -> Self {
        SyntaxError {
            caret: Caret::None,
            ..SyntaxError::new(message, 0)
        }
    }

    pub fn indentation(message: impl Into<String>, offset: usize) -> Self {
        SyntaxError {
            kind: SyntaxErrorKind::IndentationError,
            message: message.into(),
            offset,
            caret: Caret::At,
        }
    }

    pub fn tab(offset: usize) -> Self {
        SyntaxError {
            kind: SyntaxErrorKind::TabError,
            message: "inconsistent use of tabs and spaces in indentation".into(),
            offset,
            caret: Caret::At,
        }
    }

    /// The 1-based line number of the error.
    pub fn lineno(&self, source: &str) -> usize {
        line_of(source, self.offset)
    }

    /// CPython 3.7's report: `  File "f", line N`, the stripped line, the caret, `Kind: message`.
    pub fn render(&self, filename: &str, source: &str) -> String {
        if self.caret == Caret::None {
            return format!("{}: {}\n", self.kind.name(), self.message);
        }
        let mut offset = self.offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[line_start..]
            .find('\n')
            .map_or(source.len(), |i| line_start + i);
        let line = source[line_start..line_end].trim_end_matches('\r');
        let text = line.trim_start_matches([' ', '\t', '\x0c']);
        // 3.7 prints the line's trailing whitespace too (only the newline goes).
        let stripped = line.len() - text.len();
        let column = source[line_start..offset].chars().count();
        let line_chars = line.chars().count();
        let column = match self.caret {
            Caret::LeftOfNode => column.saturating_sub(1),
            // 3.7 moves a caret at the end of the line (the NEWLINE token a missing `:`
            // meets) back onto the line's last character.
            Caret::At if column >= line_chars => line_chars.saturating_sub(1),
            _ => column,
        };
        let caret = column.saturating_sub(stripped).min(text.chars().count());
        let mut out = String::new();
        let _ = writeln!(
            out,
            "  File \"{filename}\", line {}",
            line_of(source, offset)
        );
        let _ = writeln!(out, "    {text}");
        let _ = writeln!(out, "    {}^", " ".repeat(caret));
        let message = legacy_statement_message(line).unwrap_or_else(|| self.message.clone());
        let _ = writeln!(out, "{}: {message}", self.kind.name());
        out
    }
}

/// 3.7's hint for a Python 2 `print` or `exec` statement: the message of any SyntaxError
/// whose line has no `(` and starts, or goes on after its first `:`, with `print ` or
/// `exec ` (what CPython's SyntaxError constructor checks).
fn legacy_statement_message(line: &str) -> Option<String> {
    if line.contains('(') {
        return None;
    }
    let check = |part: &str| {
        let part = part.trim_start();
        if let Some(args) = part.strip_prefix("print ") {
            let args = args.split(';').next().unwrap_or_default();
            let args = args.trim_matches([' ', '\t', '\r', '\n']);
            let end = if args.ends_with(',') {
                " end=\" \""
            } else {
                ""
            };
            return Some(format!(
                "Missing parentheses in call to 'print'. Did you mean print({args}{end})?"
            ));
        }
        part.starts_with("exec ")
            .then(|| "Missing parentheses in call to 'exec'".to_string())
    };
    check(line).or_else(|| check(&line[line.find(':')? + 1..]))
}

/// 1-based line number of a byte offset.
pub fn line_of(source: &str, offset: usize) -> usize {
    let offset = offset.min(source.len());
    source.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
