//! The one place that includes the LALRPOP-generated parser: entry points for a module and
//! an f-string field, the conversion of every `lalrpop_util::ParseError` into a
//! `SyntaxError` with CPython 3.7's wording, and the nesting limit that keeps later
//! recursive passes off the edge of the stack.

use super::ast::*;
use super::error::SyntaxError;
use super::lexer::Layout;
use super::token::Tok;
use lalrpop_util::ParseError;

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        unused_parens,
        unused_imports,
        unused_variables,
        dead_code
    )]
    grammar,
    "/minipy.rs"
);

/// Deeper expression or statement nesting than this is a SyntaxError.
pub const MAX_NESTING: usize = 600;

/// Parses a whole file.
pub fn parse_module(src: &str) -> Result<Module, SyntaxError> {
    let module = grammar::ModuleParser::new()
        .parse(Layout::new(src))
        .map_err(|e| convert(e, src.len()))?;
    check_nesting(&module)?;
    Ok(module)
}

/// Parses the expression of an f-string field found at byte `offset` of the file.
pub fn parse_fstring_expression(text: &str, offset: usize) -> Result<Expr, SyntaxError> {
    let wrapped = format!("({text})");
    let base = offset.saturating_sub(1);
    let module = grammar::ModuleParser::new()
        .parse(Layout::with_base(&wrapped, base))
        .map_err(|e| convert(e, base + wrapped.len()))?;
    match module.body.as_slice() {
        [
            Stmt {
                node: StmtKind::Expr(e),
                ..
            },
        ] => Ok(e.clone()),
        _ => Err(SyntaxError::new("f-string: invalid expression", offset)),
    }
}

fn convert(err: ParseError<usize, Tok, SyntaxError>, eof: usize) -> SyntaxError {
    match err {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => SyntaxError::new("invalid syntax", location),
        ParseError::UnrecognizedEof { location, .. } => {
            SyntaxError::new("unexpected EOF while parsing", location)
        }
        ParseError::UnrecognizedToken {
            token: (start, tok, end),
            expected,
        } => {
            // The NEWLINE that ends a last line without one is not the end of the file.
            let at_eof = start >= eof && tok != Tok::Newline;
            if tok == Tok::Indent {
                SyntaxError::indentation("unexpected indent", end)
            } else if at_eof {
                SyntaxError::new("unexpected EOF while parsing", start)
            } else if expected.iter().any(|e| e == "Indent") {
                SyntaxError::indentation(
                    "expected an indented block",
                    end.saturating_sub(1).max(start),
                )
            } else {
                // 3.7 points at the offending token's last character.
                SyntaxError::new("invalid syntax", end.saturating_sub(1).max(start))
            }
        }
        ParseError::ExtraToken {
            token: (start, _, _),
        } => SyntaxError::new("invalid syntax", start),
    }
}

/// Rejects trees nested deeper than `MAX_NESTING`, without recursing past that depth itself.
fn check_nesting(module: &Module) -> Result<(), SyntaxError> {
    for stmt in &module.body {
        stmt_depth(stmt, 0)?;
    }
    Ok(())
}

fn too_deep(offset: usize) -> SyntaxError {
    SyntaxError::new("too many nested expressions or blocks", offset)
}

fn stmt_depth(stmt: &Stmt, depth: usize) -> Result<(), SyntaxError> {
    if depth > MAX_NESTING {
        return Err(too_deep(stmt.span.start));
    }
    let (exprs, blocks) = stmt.parts();
    for e in exprs {
        expr_depth(e, depth + 1)?;
    }
    for s in blocks.into_iter().flatten() {
        stmt_depth(s, depth + 1)?;
    }
    Ok(())
}

fn expr_depth(e: &Expr, depth: usize) -> Result<(), SyntaxError> {
    if depth > MAX_NESTING {
        return Err(too_deep(e.span.start));
    }
    e.children()
        .into_iter()
        .try_for_each(|c| expr_depth(c, depth + 1))
}
