//! Code objects: CPython 3.7's co_* fields, and the constants they hold.

use crate::pyfmt;
use num_bigint::BigInt;
use std::sync::Arc;

/// co_flags bits (`Include/code.h`).
pub mod flags {
    pub const CO_OPTIMIZED: u32 = 0x0001;
    pub const CO_NEWLOCALS: u32 = 0x0002;
    pub const CO_VARARGS: u32 = 0x0004;
    pub const CO_VARKEYWORDS: u32 = 0x0008;
    pub const CO_NESTED: u32 = 0x0010;
    pub const CO_GENERATOR: u32 = 0x0020;
    pub const CO_NOFREE: u32 = 0x0040;
    pub const CO_COROUTINE: u32 = 0x0080;
    pub const CO_ITERABLE_COROUTINE: u32 = 0x0100;
    pub const CO_ASYNC_GENERATOR: u32 = 0x0200;
}

/// A constant in co_consts.
#[derive(Debug, Clone)]
pub enum ConstValue {
    None,
    Bool(bool),
    Ellipsis,
    Int(BigInt),
    Float(f64),
    Complex(f64, f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<ConstValue>),
    FrozenSet(Vec<ConstValue>),
    Code(Arc<CodeObject>),
}

impl ConstValue {
    /// Identity for co_consts de-duplication: CPython keys constants by (type, value), so
    /// `1`, `1.0` and `True` stay distinct, and `0.0` and `-0.0` too.
    pub fn same_as(&self, other: &ConstValue) -> bool {
        use ConstValue::*;
        match (self, other) {
            (None, None) | (Ellipsis, Ellipsis) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (Complex(a, b), Complex(c, d)) => {
                a.to_bits() == c.to_bits() && b.to_bits() == d.to_bits()
            }
            (Str(a), Str(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (Tuple(a), Tuple(b)) | (FrozenSet(a), FrozenSet(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (Code(a), Code(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Python truthiness of a constant.
    pub fn is_true(&self) -> bool {
        use ConstValue::*;
        match self {
            None => false,
            Bool(b) => *b,
            Ellipsis | Code(_) => true,
            Int(i) => i.sign() != num_bigint::Sign::NoSign,
            Float(f) => *f != 0.0,
            Complex(re, im) => *re != 0.0 || *im != 0.0,
            Str(s) => !s.is_empty(),
            Bytes(b) => !b.is_empty(),
            Tuple(t) | FrozenSet(t) => !t.is_empty(),
        }
    }

    /// `repr()` of the constant, as dis shows it in parentheses.
    pub fn repr(&self) -> String {
        use ConstValue::*;
        match self {
            None => "None".into(),
            Bool(true) => "True".into(),
            Bool(false) => "False".into(),
            Ellipsis => "Ellipsis".into(),
            Int(i) => i.to_string(),
            Float(f) => pyfmt::float_repr(*f),
            Complex(re, im) => crate::pycomplex::repr((*re, *im)),
            Str(s) => pyfmt::str_repr(s),
            Bytes(b) => pyfmt::bytes_repr(b),
            Tuple(items) => {
                let parts: Vec<String> = items.iter().map(ConstValue::repr).collect();
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            FrozenSet(items) => {
                if items.is_empty() {
                    "frozenset()".into()
                } else {
                    let parts: Vec<String> = items.iter().map(ConstValue::repr).collect();
                    format!("frozenset({{{}}})", parts.join(", "))
                }
            }
            Code(code) => code.repr(),
        }
    }
}

/// A compiled code object with CPython 3.7's fields.
#[derive(Debug, Clone, Default)]
pub struct CodeObject {
    pub co_argcount: u32,
    pub co_kwonlyargcount: u32,
    pub co_nlocals: u32,
    pub co_stacksize: u32,
    pub co_flags: u32,
    pub co_code: Vec<u8>,
    pub co_consts: Vec<ConstValue>,
    pub co_names: Vec<String>,
    pub co_varnames: Vec<String>,
    pub co_freevars: Vec<String>,
    pub co_cellvars: Vec<String>,
    pub co_filename: String,
    pub co_name: String,
    pub co_firstlineno: u32,
    pub co_lnotab: Vec<u8>,
    /// A stable stand-in for the object's address, so listings do not churn between runs.
    pub address: u64,
}

impl CodeObject {
    /// `<code object NAME at 0x..., file "F", line L>`
    pub fn repr(&self) -> String {
        format!(
            "<code object {} at {:#x}, file \"{}\", line {}>",
            self.co_name, self.address, self.co_filename, self.co_firstlineno
        )
    }

    /// (byte offset, line number) pairs where a source line starts: dis.findlinestarts.
    pub fn line_starts(&self) -> Vec<(usize, u32)> {
        let mut starts = Vec::new();
        let mut last_line: Option<i64> = None;
        let mut line = i64::from(self.co_firstlineno);
        let mut addr = 0usize;
        for pair in self.co_lnotab.chunks_exact(2) {
            let (byte_incr, line_incr) = (pair[0], pair[1] as i8);
            if byte_incr != 0 {
                if last_line != Some(line) {
                    starts.push((addr, line as u32));
                    last_line = Some(line);
                }
                addr += usize::from(byte_incr);
            }
            line += i64::from(line_incr);
        }
        if last_line != Some(line) {
            starts.push((addr, line as u32));
        }
        starts
    }

    /// The line of the instruction at `offset` (as frame.f_lineno computes it).
    pub fn line_at(&self, offset: usize) -> u32 {
        let mut line = self.co_firstlineno;
        for (start, l) in self.line_starts() {
            if start > offset {
                break;
            }
            line = l;
        }
        line
    }

    /// Every code object nested in co_consts, depth first.
    pub fn nested(&self) -> impl Iterator<Item = &Arc<CodeObject>> {
        self.co_consts.iter().filter_map(|c| match c {
            ConstValue::Code(code) => Some(code),
            _ => None,
        })
    }
}
