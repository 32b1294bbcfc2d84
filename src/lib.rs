//! minipy: a teaching bytecode VM for a small Python.
//!
//! Data flows one way: `syntax` (source → tokens → AST) → `compile` (AST → CPython 3.7
//! code objects) → `bytecode` (the opcode table, code objects, dis).

pub mod syntax;

use syntax::SyntaxError;

/// `minipy tokens`: one token a line, with its line:column span.
pub fn tokens_listing(source: &str) -> Result<String, SyntaxError> {
    use std::fmt::Write;
    let mut out = String::new();
    for (start, tok, end) in syntax::lex(source)? {
        let (l1, c1) = line_col(source, start);
        let (l2, c2) = line_col(source, end);
        let _ = writeln!(out, "{l1}:{c1}-{l2}:{c2}\t{}", tok.describe());
    }
    Ok(out)
}

/// `minipy ast`: the syntax tree, pretty-printed.
pub fn ast_listing(source: &str) -> Result<String, SyntaxError> {
    let module = syntax::parse_module(source)?;
    Ok(format!("{:#?}\n", module.body))
}

/// `minipy dis`: placeholder until the compiler lands.
pub fn dis_source(source: &str, _filename: &str) -> Result<String, SyntaxError> {
    syntax::parse_module(source)?;
    Ok(String::new())
}

fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let line = syntax::error::line_of(source, offset);
    let line_start = source[..offset.min(source.len())].rfind('\n').map_or(0, |i| i + 1);
    (line, source[line_start..offset.min(source.len())].chars().count())
}
