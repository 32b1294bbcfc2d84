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
