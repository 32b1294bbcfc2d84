//! The compiler: AST to CPython 3.7 code objects. `symtable` resolves scopes, `fold` is
//! 3.7's AST optimizer, `codegen`/`expr` emit instructions into basic blocks (`unit`),
//! `assemble` lays them out and `peephole` applies 3.7's bytecode rewrites.

mod assemble;
mod assign;
mod codegen;
mod defs;
mod expr;
mod fold;
mod peephole;
pub mod symtable;
mod unit;

use crate::bytecode::{CodeObject, ConstValue};
use crate::syntax::SyntaxError;
use crate::syntax::ast::{Constant, Module};
use std::sync::Arc;
use unit::{Compiler, ScopeType};

pub use fold::float_divmod;

/// Converts a syntax-tree constant into a co_consts value.
pub fn to_const(c: &Constant) -> ConstValue {
    match c {
        Constant::None => ConstValue::None,
        Constant::Bool(b) => ConstValue::Bool(*b),
        Constant::Ellipsis => ConstValue::Ellipsis,
        Constant::Int(i) => ConstValue::Int(i.clone()),
        Constant::Float(f) => ConstValue::Float(*f),
        Constant::Complex(re, im) => ConstValue::Complex(*re, *im),
        Constant::Str(s) => ConstValue::Str(s.clone()),
        Constant::Bytes(b) => ConstValue::Bytes(b.clone()),
        Constant::Tuple(items) => ConstValue::Tuple(items.iter().map(to_const).collect()),
        Constant::FrozenSet(items) => ConstValue::FrozenSet(items.iter().map(to_const).collect()),
    }
}

/// Compiles a parsed module into its code object (and, through co_consts, every nested one).
pub fn compile(
    mut module: Module,
    source: &str,
    filename: &str,
) -> Result<Arc<CodeObject>, SyntaxError> {
    fold::fold_module(&mut module);
    let table = symtable::build(&module)?;
    let mut compiler = Compiler::new(source, filename);
    compiler.enter_scope("<module>", ScopeType::Module, &table, 0);
    compiler.body(&module.body)?;
    Ok(compiler.exit_scope(true))
}

/// What compile() makes of its source (its `mode` argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A module: statements, run for their effects.
    Exec,
    /// One expression, whose value the code object returns.
    Eval,
    /// Statements as typed at the prompt: each top-level expression's value is printed.
    Single,
}

/// Compiles a parsed module in one of compile()'s modes.
pub fn compile_mode(
    mut module: Module,
    source: &str,
    filename: &str,
    mode: Mode,
) -> Result<Arc<CodeObject>, SyntaxError> {
    use crate::syntax::ast::StmtKind;
    if mode == Mode::Exec {
        return compile(module, source, filename);
    }
    fold::fold_module(&mut module);
    let table = symtable::build(&module)?;
    let mut compiler = Compiler::new(source, filename);
    compiler.enter_scope("<module>", ScopeType::Module, &table, 0);
    if mode == Mode::Single {
        // Statements joined by `;` are one (3.7's simple_stmt); one on a later line is not.
        let later_line = module.body.windows(2).find(|pair| {
            let text = &source[pair[0].span.start..pair[0].span.end.min(source.len())];
            let end = pair[0].span.start + text.trim_end().len();
            source[end..pair[1].span.start].contains('\n')
        });
        if let Some([first, second]) = later_line {
            if is_compound(&first.node) {
                // After a block, the parser of 3.7's interactive input expects its end.
                return Err(at_token(source, second.span.start));
            }
            // 3.7 points at the end of the first statement's line.
            let line_end = source[first.span.start..]
                .find('\n')
                .map_or(source.len(), |i| first.span.start + i);
            return Err(SyntaxError::new(
                "multiple statements found while compiling a single statement",
                line_end,
            ));
        }
        if module.body.is_empty() {
            return Err(SyntaxError::new(
                "unexpected EOF while parsing",
                source.len(),
            ));
        }
        compiler.interactive = true;
        // No docstring at the prompt: a lone string is a value to print.
        compiler.stmts(&module.body)?;
        return Ok(compiler.exit_scope(true));
    }
    let expr = match module.body.as_slice() {
        [stmt] => match &stmt.node {
            StmtKind::Expr(e) => e,
            // eval's grammar stops at the assignment operator after the first target.
            StmtKind::Assign { targets, .. } => {
                return Err(after_target(source, targets[0].span.end));
            }
            StmtKind::AugAssign { target, .. } | StmtKind::AnnAssign { target, .. } => {
                return Err(after_target(source, target.span.end));
            }
            _ => return Err(at_token(source, stmt.span.start)),
        },
        [] => {
            return Err(SyntaxError::new(
                "unexpected EOF while parsing",
                source.len(),
            ));
        }
        [_, second, ..] => return Err(SyntaxError::new("invalid syntax", second.span.start)),
    };
    compiler.set_stmt_line(expr.span);
    compiler.expr(expr)?;
    compiler.emit(crate::bytecode::Opcode::RETURN_VALUE, 0);
    Ok(compiler.exit_scope(false))
}

/// Whether a statement has a block (a compound statement of the grammar).
pub fn is_compound(stmt: &crate::syntax::ast::StmtKind) -> bool {
    use crate::syntax::ast::StmtKind::*;
    matches!(
        stmt,
        FunctionDef { .. }
            | ClassDef { .. }
            | For { .. }
            | While { .. }
            | If { .. }
            | With { .. }
            | Try { .. }
    )
}

/// The error eval's grammar gives at the operator that follows an assignment's target.
fn after_target(source: &str, end: usize) -> SyntaxError {
    let skipped = source[end..].len() - source[end..].trim_start_matches([' ', '\t']).len();
    at_token(source, end + skipped)
}

/// "invalid syntax" at the token starting at `start` (3.7 points at its last character):
/// a keyword or name, or an operator.
fn at_token(source: &str, start: usize) -> SyntaxError {
    let rest = &source[start..];
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let len = match rest.chars().next() {
        Some(c) if word(c) => rest.find(|c: char| !word(c)).unwrap_or(rest.len()),
        Some(_) => rest
            .find(|c: char| !"+-*/%&|^<>@=:".contains(c))
            .unwrap_or(rest.len())
            .max(1),
        None => 0,
    };
    SyntaxError::new("invalid syntax", (start + len).saturating_sub(1))
}

/// Parses and compiles source in one of compile()'s modes.
pub fn compile_source_mode(
    source: &str,
    filename: &str,
    mode: Mode,
) -> Result<Arc<CodeObject>, SyntaxError> {
    with_front_end_stack(|| {
        let module = crate::syntax::parse_module(source)?;
        compile_mode(module, source, filename, mode)
    })
}

/// Runs a front-end pass on a thread with a large stack. Nesting limits reject deep input,
/// but the tree built before the check (and dropped after it) can be deep; this keeps
/// every input, however pathological, far from the end of the stack.
pub fn with_front_end_stack<T: Send>(pass: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("minipy-front-end".into())
            .stack_size(256 * 1024 * 1024)
            .spawn_scoped(scope, pass)
            .expect("spawning the front-end thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Parses and compiles a program into its module code object.
pub fn compile_source(source: &str, filename: &str) -> Result<Arc<CodeObject>, SyntaxError> {
    with_front_end_stack(|| {
        let module = crate::syntax::parse_module(source)?;
        compile(module, source, filename)
    })
}
