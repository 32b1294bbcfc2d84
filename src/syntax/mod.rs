//! The front end: source text to tokens (`token`, `lexer`) to a spanned syntax tree
//! (`parser`, `ast`). It knows nothing of bytecode.

pub mod actions;
pub mod ast;
pub mod error;
pub mod lexer;
pub mod literal;
pub mod parser;
pub mod token;

pub use error::{Caret, SyntaxError, SyntaxErrorKind};
pub use lexer::lex;
pub use parser::parse_module;

/// Source as CPython reads it: every line ending (`\r\n`, or a bare `\r` of old Mac files)
/// becomes `\n`, in files and in strings given to compile(), exec() and eval().
pub fn universal_newlines(source: &str) -> std::borrow::Cow<'_, str> {
    if !source.contains('\r') {
        return std::borrow::Cow::Borrowed(source);
    }
    std::borrow::Cow::Owned(source.replace("\r\n", "\n").replace('\r', "\n"))
}
