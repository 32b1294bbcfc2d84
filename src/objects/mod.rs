//! What the built-in types do: operators, comparison, items and iteration, attributes,
//! repr/str, format, codecs, constructors, and each type's methods.

pub mod args;
pub mod array;
pub mod attrs;
pub mod buffer;
pub mod bytearray;
pub mod bytes;
pub mod call;
pub mod class;
pub mod codecs;
pub mod codecs_wide;
pub mod compare;
pub mod complex;
pub mod constructors;
pub mod deque;
pub mod dict;
pub mod dunders;
pub mod format;
pub mod function;
pub mod hash;
pub mod items;
pub mod iter;
pub mod iter_types;
pub mod list;
pub mod methods;
pub mod number;
pub mod object;
pub mod ops;
pub mod percent;
pub mod reduce;
pub mod sequence_ops;
pub mod set;
pub mod sort;
pub mod special;
pub mod str;
pub mod text;
