//! THE opcode table: CPython 3.7's opcodes (`Lib/opcode.py`), each defined once with its
//! number, argument kind and stack effect (`Python/compile.c: stack_effect`). The assembler,
//! the stack-depth pass, the peephole pass and dis all read this table; nothing else lists opcodes.

/// How an instruction's argument is interpreted (dis.py's hasconst, hasname, ... lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// No argument (opcode < 90).
    None,
    /// A plain number.
    Number,
    /// Index into co_consts.
    Const,
    /// Index into co_names.
    Name,
    /// Relative jump: target is the next instruction's offset plus the argument.
    JumpRelative,
    /// Absolute jump: target is the argument, a byte offset.
    JumpAbsolute,
    /// Index into co_varnames.
    Local,
    /// Index into dis.cmp_op.
    Compare,
    /// Index into co_cellvars + co_freevars.
    Free,
}

/// 3.7's `EXTENDED_ARG` opcode: prefixes an argument wider than one byte.
pub const EXTENDED_ARG: u8 = 144;
/// Opcodes from this number up take an argument.
pub const HAVE_ARGUMENT: u8 = 90;

/// 3.7's `dis.cmp_op`, indexed by COMPARE_OP's argument.
pub const CMP_OP: [&str; 12] = [
    "<",
    "<=",
    "==",
    "!=",
    ">",
    ">=",
    "in",
    "not in",
    "is",
    "is not",
    "exception match",
    "BAD",
];

/// MAKE_FUNCTION's flag bits.
pub mod make_function {
    pub const DEFAULTS: u32 = 0x01;
    pub const KWDEFAULTS: u32 = 0x02;
    pub const ANNOTATIONS: u32 = 0x04;
    pub const CLOSURE: u32 = 0x08;
}

macro_rules! opcodes {
    ($( $(#[doc = $doc:literal])* $name:ident = $num:literal, $kind:ident, |$arg:pat_param, $jump:pat_param| $effect:expr; )*) => {
        /// A CPython 3.7 opcode.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Opcode {
            $( $(#[doc = $doc])* $name = $num, )*
        }

        impl Opcode {
            /// Every opcode, in table order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$name,)*];

            /// Decodes a byte: a table lookup, as the eval loop does this for every instruction.
            pub fn from_byte(byte: u8) -> Option<Opcode> {
                const TABLE: [Option<Opcode>; 256] = {
                    let mut table = [None; 256];
                    $( table[$num] = Some(Opcode::$name); )*
                    table
                };
                TABLE[byte as usize]
            }

            /// The name dis prints (`LOAD_GLOBAL`).
            pub fn name(self) -> &'static str {
                match self {
                    $( Opcode::$name => stringify!($name), )*
                }
            }

            pub fn arg_kind(self) -> ArgKind {
                match self {
                    $( Opcode::$name => ArgKind::$kind, )*
                }
            }

            /// Net change of the value stack depth; `jump` selects the effect when the jump is taken.
            #[allow(unused_variables)]
            pub fn stack_effect(self, oparg: u32, jump: bool) -> i32 {
                let oparg = oparg as i32;
                match self {
                    $( Opcode::$name => { let $arg = oparg; let $jump = jump; $effect } )*
                }
            }
        }
    };
}

opcodes! {
    POP_TOP = 1, None, |_, _| -1;
    ROT_TWO = 2, None, |_, _| 0;
    ROT_THREE = 3, None, |_, _| 0;
    DUP_TOP = 4, None, |_, _| 1;
    DUP_TOP_TWO = 5, None, |_, _| 2;
    NOP = 9, None, |_, _| 0;
    UNARY_POSITIVE = 10, None, |_, _| 0;
    UNARY_NEGATIVE = 11, None, |_, _| 0;
    UNARY_NOT = 12, None, |_, _| 0;
    UNARY_INVERT = 15, None, |_, _| 0;
    BINARY_MATRIX_MULTIPLY = 16, None, |_, _| -1;
    INPLACE_MATRIX_MULTIPLY = 17, None, |_, _| -1;
    BINARY_POWER = 19, None, |_, _| -1;
    BINARY_MULTIPLY = 20, None, |_, _| -1;
    BINARY_MODULO = 22, None, |_, _| -1;
    BINARY_ADD = 23, None, |_, _| -1;
    BINARY_SUBTRACT = 24, None, |_, _| -1;
    BINARY_SUBSCR = 25, None, |_, _| -1;
    BINARY_FLOOR_DIVIDE = 26, None, |_, _| -1;
    BINARY_TRUE_DIVIDE = 27, None, |_, _| -1;
    INPLACE_FLOOR_DIVIDE = 28, None, |_, _| -1;
    INPLACE_TRUE_DIVIDE = 29, None, |_, _| -1;
    GET_AITER = 50, None, |_, _| 0;
    GET_ANEXT = 51, None, |_, _| 1;
    BEFORE_ASYNC_WITH = 52, None, |_, _| 1;
    INPLACE_ADD = 55, None, |_, _| -1;
    INPLACE_SUBTRACT = 56, None, |_, _| -1;
    INPLACE_MULTIPLY = 57, None, |_, _| -1;
    INPLACE_MODULO = 59, None, |_, _| -1;
    STORE_SUBSCR = 60, None, |_, _| -3;
    DELETE_SUBSCR = 61, None, |_, _| -2;
    BINARY_LSHIFT = 62, None, |_, _| -1;
    BINARY_RSHIFT = 63, None, |_, _| -1;
    BINARY_AND = 64, None, |_, _| -1;
    BINARY_XOR = 65, None, |_, _| -1;
    BINARY_OR = 66, None, |_, _| -1;
    INPLACE_POWER = 67, None, |_, _| -1;
    GET_ITER = 68, None, |_, _| 0;
    GET_YIELD_FROM_ITER = 69, None, |_, _| 0;
    PRINT_EXPR = 70, None, |_, _| -1;
    LOAD_BUILD_CLASS = 71, None, |_, _| 1;
    YIELD_FROM = 72, None, |_, _| -1;
    GET_AWAITABLE = 73, None, |_, _| 0;
    INPLACE_LSHIFT = 75, None, |_, _| -1;
    INPLACE_RSHIFT = 76, None, |_, _| -1;
    INPLACE_AND = 77, None, |_, _| -1;
    INPLACE_XOR = 78, None, |_, _| -1;
    INPLACE_OR = 79, None, |_, _| -1;
    BREAK_LOOP = 80, None, |_, _| 0;
    /// Pushes the exit result; 2 in 3.7's table (1 or 2 at run time).
    WITH_CLEANUP_START = 81, None, |_, _| 2;
    WITH_CLEANUP_FINISH = 82, None, |_, _| -3;
    RETURN_VALUE = 83, None, |_, _| -1;
    IMPORT_STAR = 84, None, |_, _| -1;
    SETUP_ANNOTATIONS = 85, None, |_, _| 0;
    YIELD_VALUE = 86, None, |_, _| 0;
    POP_BLOCK = 87, None, |_, _| 0;
    END_FINALLY = 88, None, |_, _| -6;
    POP_EXCEPT = 89, None, |_, _| -3;
    STORE_NAME = 90, Name, |_, _| -1;
    DELETE_NAME = 91, Name, |_, _| 0;
    UNPACK_SEQUENCE = 92, Number, |n, _| n - 1;
    FOR_ITER = 93, JumpRelative, |_, jump| if jump { -1 } else { 1 };
    UNPACK_EX = 94, Number, |n, _| (n & 0xff) + (n >> 8);
    STORE_ATTR = 95, Name, |_, _| -2;
    DELETE_ATTR = 96, Name, |_, _| -1;
    STORE_GLOBAL = 97, Name, |_, _| -1;
    DELETE_GLOBAL = 98, Name, |_, _| 0;
    LOAD_CONST = 100, Const, |_, _| 1;
    LOAD_NAME = 101, Name, |_, _| 1;
    BUILD_TUPLE = 102, Number, |n, _| 1 - n;
    BUILD_LIST = 103, Number, |n, _| 1 - n;
    BUILD_SET = 104, Number, |n, _| 1 - n;
    BUILD_MAP = 105, Number, |n, _| 1 - 2 * n;
    LOAD_ATTR = 106, Name, |_, _| 0;
    COMPARE_OP = 107, Compare, |_, _| -1;
    IMPORT_NAME = 108, Name, |_, _| -1;
    IMPORT_FROM = 109, Name, |_, _| 1;
    JUMP_FORWARD = 110, JumpRelative, |_, _| 0;
    JUMP_IF_FALSE_OR_POP = 111, JumpAbsolute, |_, jump| if jump { 0 } else { -1 };
    JUMP_IF_TRUE_OR_POP = 112, JumpAbsolute, |_, jump| if jump { 0 } else { -1 };
    JUMP_ABSOLUTE = 113, JumpAbsolute, |_, _| 0;
    POP_JUMP_IF_FALSE = 114, JumpAbsolute, |_, _| -1;
    POP_JUMP_IF_TRUE = 115, JumpAbsolute, |_, _| -1;
    LOAD_GLOBAL = 116, Name, |_, _| 1;
    CONTINUE_LOOP = 119, JumpAbsolute, |_, _| 0;
    SETUP_LOOP = 120, JumpRelative, |_, _| 0;
    /// At the handler, the exception's three values and the saved three are on the stack.
    SETUP_EXCEPT = 121, JumpRelative, |_, jump| if jump { 6 } else { 0 };
    SETUP_FINALLY = 122, JumpRelative, |_, jump| if jump { 6 } else { 0 };
    LOAD_FAST = 124, Local, |_, _| 1;
    STORE_FAST = 125, Local, |_, _| -1;
    DELETE_FAST = 126, Local, |_, _| 0;
    RAISE_VARARGS = 130, Number, |n, _| -n;
    CALL_FUNCTION = 131, Number, |n, _| -n;
    MAKE_FUNCTION = 132, Number, |n, _| -1 - (n & 1) - ((n >> 1) & 1) - ((n >> 2) & 1) - ((n >> 3) & 1);
    BUILD_SLICE = 133, Number, |n, _| if n == 3 { -2 } else { -1 };
    LOAD_CLOSURE = 135, Free, |_, _| 1;
    LOAD_DEREF = 136, Free, |_, _| 1;
    STORE_DEREF = 137, Free, |_, _| -1;
    DELETE_DEREF = 138, Free, |_, _| 0;
    CALL_FUNCTION_KW = 141, Number, |n, _| -n - 1;
    CALL_FUNCTION_EX = 142, Number, |n, _| -1 - (n & 1);
    SETUP_WITH = 143, JumpRelative, |_, jump| if jump { 6 } else { 1 };
    EXTENDED_ARG = 144, Number, |_, _| 0;
    LIST_APPEND = 145, Number, |_, _| -1;
    SET_ADD = 146, Number, |_, _| -1;
    MAP_ADD = 147, Number, |_, _| -2;
    LOAD_CLASSDEREF = 148, Free, |_, _| 1;
    BUILD_LIST_UNPACK = 149, Number, |n, _| 1 - n;
    BUILD_MAP_UNPACK = 150, Number, |n, _| 1 - n;
    BUILD_MAP_UNPACK_WITH_CALL = 151, Number, |n, _| 1 - n;
    BUILD_TUPLE_UNPACK = 152, Number, |n, _| 1 - n;
    BUILD_SET_UNPACK = 153, Number, |n, _| 1 - n;
    SETUP_ASYNC_WITH = 154, JumpRelative, |_, jump| if jump { 5 } else { 0 };
    /// Argument: conversion in the low two bits, 4 when a format spec is on the stack.
    FORMAT_VALUE = 155, Number, |n, _| if n & 4 == 4 { -1 } else { 0 };
    BUILD_CONST_KEY_MAP = 156, Number, |n, _| -n;
    BUILD_STRING = 157, Number, |n, _| 1 - n;
    BUILD_TUPLE_UNPACK_WITH_CALL = 158, Number, |n, _| 1 - n;
    LOAD_METHOD = 160, Name, |_, _| 1;
    CALL_METHOD = 161, Number, |n, _| -n - 1;
}

impl Opcode {
    pub fn has_arg(self) -> bool {
        (self as u8) >= HAVE_ARGUMENT
    }

    pub fn is_jump(self) -> bool {
        matches!(
            self.arg_kind(),
            ArgKind::JumpRelative | ArgKind::JumpAbsolute
        )
    }

    /// 3.7's UNCONDITIONAL_JUMP: the plain jumps the peephole pass threads through.
    pub fn is_unconditional_jump(self) -> bool {
        matches!(self, Opcode::JUMP_ABSOLUTE | Opcode::JUMP_FORWARD)
    }

    /// Jumps whose argument is a byte offset rather than a distance (dis.hasjabs).
    pub fn is_absolute_jump(self) -> bool {
        self.arg_kind() == ArgKind::JumpAbsolute
    }

    /// Conditional jumps taken when the tested value is true.
    pub fn jumps_on_true(self) -> bool {
        matches!(self, Opcode::POP_JUMP_IF_TRUE | Opcode::JUMP_IF_TRUE_OR_POP)
    }

    pub fn is_conditional_jump(self) -> bool {
        matches!(
            self,
            Opcode::POP_JUMP_IF_FALSE
                | Opcode::POP_JUMP_IF_TRUE
                | Opcode::JUMP_IF_FALSE_OR_POP
                | Opcode::JUMP_IF_TRUE_OR_POP
        )
    }
}

/// The instructions that do not count toward the check interval: the GIL is never offered
/// before them. They are the ones CPython's eval loop runs without its periodic check (2.7's
/// `goto fast_next_opcode`, which skips `--_Py_Ticker`; 3.7's `FAST_DISPATCH`): moves
/// between the stack, the fast locals and the constants, and the jumps that go forward or
/// test a value. JUMP_ABSOLUTE, the loops' backward jump, counts, as in both.
const UNCOUNTED: [Opcode; 14] = [
    Opcode::NOP,
    Opcode::LOAD_FAST,
    Opcode::LOAD_CONST,
    Opcode::STORE_FAST,
    Opcode::POP_TOP,
    Opcode::ROT_TWO,
    Opcode::ROT_THREE,
    Opcode::DUP_TOP,
    Opcode::DUP_TOP_TWO,
    Opcode::JUMP_FORWARD,
    Opcode::POP_JUMP_IF_FALSE,
    Opcode::POP_JUMP_IF_TRUE,
    Opcode::JUMP_IF_FALSE_OR_POP,
    Opcode::JUMP_IF_TRUE_OR_POP,
];

/// Whether the instruction whose opcode byte is `byte` counts toward the check interval
/// (a tick, and a GIL check when the interval is spent). Every other byte counts,
/// EXTENDED_ARG included: it starts the instruction it prefixes.
#[inline(always)]
pub fn counts_tick(byte: u8) -> bool {
    const COUNTS: [bool; 256] = {
        let mut table = [true; 256];
        let mut i = 0;
        while i < UNCOUNTED.len() {
            table[UNCOUNTED[i] as usize] = false;
            i += 1;
        }
        table
    };
    COUNTS[usize::from(byte)]
}

/// Bytes needed to encode an argument, EXTENDED_ARG prefixes included.
pub fn instr_size(oparg: u32) -> usize {
    match oparg {
        0..=0xff => 2,
        0x100..=0xffff => 4,
        0x1_0000..=0xff_ffff => 6,
        _ => 8,
    }
}

/// Appends one instruction, with the EXTENDED_ARG prefixes its argument needs.
pub fn write_instr(out: &mut Vec<u8>, op: Opcode, oparg: u32) {
    let size = instr_size(oparg) / 2;
    for shift in (1..size).rev() {
        out.push(EXTENDED_ARG);
        out.push(((oparg >> (8 * shift)) & 0xff) as u8);
    }
    out.push(op as u8);
    out.push((oparg & 0xff) as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_fast_instructions_go_uncounted() {
        let uncounted: Vec<&str> = Opcode::ALL
            .iter()
            .filter(|&&op| !counts_tick(op as u8))
            .map(|op| op.name())
            .collect();
        assert_eq!(uncounted.len(), UNCOUNTED.len());
        for name in ["LOAD_FAST", "STORE_FAST", "LOAD_CONST", "POP_JUMP_IF_FALSE"] {
            assert!(uncounted.contains(&name), "{name}");
        }
        for op in [
            Opcode::LOAD_GLOBAL,
            Opcode::STORE_GLOBAL,
            Opcode::JUMP_ABSOLUTE,
        ] {
            assert!(counts_tick(op as u8), "{}", op.name());
        }
        assert!(counts_tick(EXTENDED_ARG));
    }

    #[test]
    fn numbers_are_unique_and_round_trip() {
        for &op in Opcode::ALL {
            assert_eq!(Opcode::from_byte(op as u8), Some(op), "{}", op.name());
            assert_eq!(op.has_arg(), op as u8 >= 90, "{}", op.name());
        }
    }

    #[test]
    fn seed_opcode_numbers() {
        assert_eq!(Opcode::LOAD_GLOBAL as u8, 116);
        assert_eq!(Opcode::INPLACE_ADD as u8, 55);
        assert_eq!(Opcode::STORE_GLOBAL as u8, 97);
        assert_eq!(Opcode::YIELD_VALUE as u8, 86);
        assert_eq!(Opcode::CALL_FUNCTION as u8, 131);
        assert_eq!(Opcode::RETURN_VALUE as u8, 83);
        assert_eq!(Opcode::LOAD_CONST as u8, 100);
    }

    #[test]
    fn extended_args() {
        let mut out = vec![];
        write_instr(&mut out, Opcode::LOAD_CONST, 0x1234);
        assert_eq!(out, vec![EXTENDED_ARG, 0x12, 100, 0x34]);
    }
}
