//! Bytecode: the opcode table, code objects and dis. It knows nothing of the AST.

pub mod code;
pub mod dis;
pub mod opcode;

pub use code::{CodeObject, ConstValue};
pub use opcode::Opcode;
