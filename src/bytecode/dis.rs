//! CPython 3.7's `dis`: decodes co_code into instructions and prints them in dis.py's
//! column layout, then, recursively, every code object in co_consts.

use super::code::CodeObject;
use super::opcode::{ArgKind, CMP_OP, EXTENDED_ARG, Opcode};
use std::fmt::Write;

/// One decoded instruction (dis.Instruction).
#[derive(Debug, Clone)]
pub struct Instruction {
    /// `None` for a byte that is no 3.7 opcode.
    pub opcode: Option<Opcode>,
    /// The name dis prints: the opcode's, or `<N>` for an unknown byte (as dis.py does).
    pub opname: String,
    /// The full argument, EXTENDED_ARG prefixes folded in; `None` for opcodes without one.
    pub arg: Option<u32>,
    pub argrepr: String,
    /// Offset of the instruction itself (after its EXTENDED_ARG prefixes).
    pub offset: usize,
    pub starts_line: Option<u32>,
    pub is_jump_target: bool,
}

/// Offsets that some jump targets (dis.findlabels).
pub fn find_labels(code: &[u8]) -> Vec<usize> {
    let mut labels = Vec::new();
    let mut ext: u32 = 0;
    for (i, pair) in code.chunks_exact(2).enumerate() {
        let (op, arg) = (pair[0], u32::from(pair[1]) | ext);
        ext = if op == EXTENDED_ARG { arg << 8 } else { 0 };
        let Some(opcode) = Opcode::from_byte(op) else {
            continue;
        };
        let target = match opcode.arg_kind() {
            ArgKind::JumpRelative => i * 2 + 2 + arg as usize,
            ArgKind::JumpAbsolute => arg as usize,
            _ => continue,
        };
        if !labels.contains(&target) {
            labels.push(target);
        }
    }
    labels
}

/// Decodes co_code into instructions (dis.get_instructions).
pub fn instructions(code: &CodeObject) -> Vec<Instruction> {
    let labels = find_labels(&code.co_code);
    let line_starts = code.line_starts();
    let mut out = Vec::new();
    let mut ext: u32 = 0;
    for (i, pair) in code.co_code.chunks_exact(2).enumerate() {
        let offset = i * 2;
        let (op, raw_arg) = (pair[0], u32::from(pair[1]) | ext);
        ext = if op == EXTENDED_ARG { raw_arg << 8 } else { 0 };
        let opcode = Opcode::from_byte(op);
        let arg = (op >= super::opcode::HAVE_ARGUMENT).then_some(raw_arg);
        out.push(Instruction {
            opcode,
            opname: opcode.map_or_else(|| format!("<{op}>"), |o| o.name().to_string()),
            arg,
            argrepr: match (opcode, arg) {
                (Some(o), Some(a)) => argrepr(code, o, a, offset),
                _ => String::new(),
            },
            offset,
            starts_line: line_starts
                .iter()
                .find(|(o, _)| *o == offset)
                .map(|(_, l)| *l),
            is_jump_target: labels.contains(&offset),
        });
    }
    out
}

fn argrepr(code: &CodeObject, opcode: Opcode, arg: u32, offset: usize) -> String {
    let idx = arg as usize;
    let name = |names: &[String]| names.get(idx).cloned().unwrap_or_else(|| idx.to_string());
    match opcode.arg_kind() {
        ArgKind::Const => code
            .co_consts
            .get(idx)
            .map(|c| c.repr())
            .unwrap_or_default(),
        ArgKind::Name => name(&code.co_names),
        ArgKind::Local => name(&code.co_varnames),
        ArgKind::Free => code
            .co_cellvars
            .iter()
            .chain(&code.co_freevars)
            .nth(idx)
            .cloned()
            .unwrap_or_else(|| idx.to_string()),
        ArgKind::Compare => CMP_OP.get(idx).copied().unwrap_or("BAD").to_string(),
        ArgKind::JumpRelative => format!("to {}", offset + 2 + idx),
        ArgKind::JumpAbsolute | ArgKind::None => String::new(),
        ArgKind::Number if opcode == Opcode::FORMAT_VALUE => {
            let mut text = ["", "str", "repr", "ascii"][idx & 3].to_string();
            if idx & 4 != 0 {
                if !text.is_empty() {
                    text.push_str(", ");
                }
                text.push_str("with format");
            }
            text
        }
        ArgKind::Number => String::new(),
    }
}

/// dis.disassemble: one code object's listing.
pub fn disassemble(code: &CodeObject, lasti: Option<usize>) -> String {
    let starts = code.line_starts();
    let max_line = starts.iter().map(|(_, l)| *l).max().unwrap_or(0);
    let lineno_width = if max_line >= 1000 {
        max_line.to_string().len()
    } else {
        3
    };
    let max_offset = code.co_code.len().saturating_sub(2);
    let offset_width = if max_offset >= 10000 {
        max_offset.to_string().len()
    } else {
        4
    };
    let mut out = String::new();
    for instr in instructions(code) {
        if instr.starts_line.is_some() && instr.offset > 0 {
            out.push('\n');
        }
        let mut line = String::new();
        match instr.starts_line {
            Some(l) => {
                let _ = write!(line, "{l:>lineno_width$}");
            }
            None => line.push_str(&" ".repeat(lineno_width)),
        }
        line.push(' ');
        line.push_str(if lasti == Some(instr.offset) {
            "-->"
        } else {
            "   "
        });
        line.push(' ');
        line.push_str(if instr.is_jump_target { ">>" } else { "  " });
        let _ = write!(
            line,
            " {:>offset_width$} {:<20}",
            instr.offset, instr.opname
        );
        if let Some(arg) = instr.arg {
            let _ = write!(line, " {arg:>5}");
            if !instr.argrepr.is_empty() {
                let _ = write!(line, " ({})", instr.argrepr);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// dis.dis on a code object: its listing, then every nested code object's.
pub fn dis_recursive(code: &CodeObject) -> String {
    let mut out = disassemble(code, None);
    for nested in code.nested() {
        let _ = write!(out, "\nDisassembly of {}:\n", nested.repr());
        out.push_str(&dis_recursive(nested));
    }
    out
}
