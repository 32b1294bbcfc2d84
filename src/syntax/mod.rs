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
