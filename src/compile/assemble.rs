//! The assembler (compile.c's assemble): lays out basic blocks in order, resolves jump
//! targets to byte offsets (growing EXTENDED_ARG prefixes until stable), builds co_lnotab,
//! computes co_stacksize from the opcode table, then runs 3.7's peephole pass.

use super::peephole;
use super::symtable::BlockKind;
use super::unit::{Block, BlockId, Compiler, Unit};
use crate::bytecode::code::flags::*;
use crate::bytecode::opcode::{ArgKind, instr_size, write_instr};
use crate::bytecode::{CodeObject, ConstValue, Opcode};
use std::sync::Arc;

/// Blocks in emission order: the `next` chain from the entry block.
fn block_order(blocks: &[Block]) -> Vec<BlockId> {
    let mut order = Vec::new();
    let mut seen = vec![false; blocks.len()];
    let mut b = Some(0);
    while let Some(id) = b {
        if seen[id] {
            break;
        }
        seen[id] = true;
        order.push(id);
        b = blocks[id].next;
    }
    order
}

/// compile.c's stackdepth: the deepest stack any path reaches, following jumps.
fn stack_depth(blocks: &[Block]) -> u32 {
    let mut start_depth: Vec<Option<i32>> = vec![None; blocks.len()];
    let mut stack: Vec<BlockId> = Vec::new();
    let mut max_depth = 0i32;
    let push =
        |stack: &mut Vec<BlockId>, start_depth: &mut Vec<Option<i32>>, b: BlockId, depth: i32| {
            if start_depth[b].is_none_or(|d| d < depth) {
                start_depth[b] = Some(depth);
                stack.push(b);
            }
        };
    push(&mut stack, &mut start_depth, 0, 0);
    // Well-formed code settles after a few visits per block; the cap keeps a compiler bug
    // from hanging the build of a program.
    let mut budget = blocks.len() * 8 + 16;
    while let Some(b) = stack.pop() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        let mut depth = start_depth[b].expect("pushed with a depth");
        let mut next = blocks[b].next;
        for instr in &blocks[b].instrs {
            let new_depth = depth + instr.op.stack_effect(instr.arg, false);
            max_depth = max_depth.max(new_depth);
            if let Some(target) = instr.target {
                let target_depth = depth + instr.op.stack_effect(instr.arg, true);
                max_depth = max_depth.max(target_depth);
                // CONTINUE_LOOP pops a variable number of values; its target was already
                // reached with the right depth, and nothing after it in the block runs.
                if instr.op == Opcode::CONTINUE_LOOP {
                    next = None;
                    break;
                }
                push(&mut stack, &mut start_depth, target, target_depth);
            }
            depth = new_depth;
            if matches!(
                instr.op,
                Opcode::JUMP_ABSOLUTE
                    | Opcode::JUMP_FORWARD
                    | Opcode::RETURN_VALUE
                    | Opcode::RAISE_VARARGS
                    | Opcode::BREAK_LOOP
            ) {
                next = None;
                break;
            }
        }
        if let Some(n) = next {
            push(&mut stack, &mut start_depth, n, depth);
        }
    }
    max_depth.max(0) as u32
}

/// assemble_lnotab: appends the (bytecode delta, line delta) pairs for one new line entry.
fn lnotab_entry(lnotab: &mut Vec<u8>, mut d_bytecode: usize, mut d_lineno: i64) {
    if d_bytecode == 0 && d_lineno == 0 {
        return;
    }
    while d_bytecode > 255 {
        lnotab.extend([255, 0]);
        d_bytecode -= 255;
    }
    if !(-128..=127).contains(&d_lineno) {
        let k: i64 = if d_lineno < 0 { -128 } else { 127 };
        let ncodes = d_lineno / k;
        d_lineno -= ncodes * k;
        lnotab.extend([d_bytecode as u8, k as i8 as u8]);
        d_bytecode = 0;
        for _ in 1..ncodes {
            lnotab.extend([0, k as i8 as u8]);
        }
    }
    lnotab.extend([d_bytecode as u8, d_lineno as i8 as u8]);
}

pub fn assemble(mut unit: Unit, filename: &str, address: u64) -> CodeObject {
    let order = block_order(&unit.blocks);
    if unit.firstlineno == 0 {
        unit.firstlineno = unit.blocks[0]
            .instrs
            .first()
            .map(|i| i.lineno)
            .filter(|&l| l > 0)
            .unwrap_or(1);
    }
    // Block offsets (in bytes) and jump arguments, until EXTENDED_ARG sizes settle.
    let mut offsets = vec![0usize; unit.blocks.len()];
    loop {
        let mut total = 0;
        for &b in &order {
            offsets[b] = total;
            total += unit.blocks[b]
                .instrs
                .iter()
                .map(|i| instr_size(i.arg))
                .sum::<usize>();
        }
        let mut changed = false;
        for &b in &order {
            let mut pos = offsets[b];
            let block = &mut unit.blocks[b];
            for instr in &mut block.instrs {
                let size = instr_size(instr.arg);
                pos += size;
                if let Some(target) = instr.target {
                    let arg = match instr.op.arg_kind() {
                        ArgKind::JumpRelative => offsets[target].saturating_sub(pos),
                        _ => offsets[target],
                    } as u32;
                    if instr_size(arg) != size {
                        changed = true;
                    }
                    instr.arg = arg;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut code = Vec::new();
    let mut lnotab = Vec::new();
    let (mut last_line, mut last_offset) = (i64::from(unit.firstlineno), 0usize);
    for &b in &order {
        for instr in &unit.blocks[b].instrs {
            if instr.lineno > 0 {
                let offset = code.len();
                lnotab_entry(
                    &mut lnotab,
                    offset - last_offset,
                    i64::from(instr.lineno) - last_line,
                );
                last_line = i64::from(instr.lineno);
                last_offset = offset;
            }
            write_instr(&mut code, instr.op, instr.arg);
        }
    }
    let stacksize = stack_depth(&unit.blocks);
    let mut consts = std::mem::take(&mut unit.consts);
    let (code, lnotab) = peephole::optimize(code, &mut consts, lnotab);

    let ste = unit.ste;
    let mut flags = 0;
    if ste.kind == BlockKind::Function {
        flags |= CO_NEWLOCALS | CO_OPTIMIZED;
        if ste.nested {
            flags |= CO_NESTED;
        }
        match (ste.is_generator, ste.is_coroutine) {
            (true, true) => flags |= CO_ASYNC_GENERATOR,
            (true, false) => flags |= CO_GENERATOR,
            (false, true) => flags |= CO_COROUTINE,
            (false, false) => {}
        }
        if ste.has_varargs {
            flags |= CO_VARARGS;
        }
        if ste.has_varkeywords {
            flags |= CO_VARKEYWORDS;
        }
    }
    if unit.freevars.is_empty() && unit.cellvars.is_empty() {
        flags |= CO_NOFREE;
    }
    CodeObject {
        co_argcount: unit.argcount,
        co_kwonlyargcount: unit.kwonlyargcount,
        co_nlocals: unit.varnames.len() as u32,
        co_stacksize: stacksize,
        co_flags: flags,
        co_code: code,
        co_consts: consts,
        co_names: unit.names,
        co_varnames: unit.varnames,
        co_freevars: unit.freevars,
        co_cellvars: unit.cellvars,
        co_filename: filename.to_string(),
        co_name: unit.name,
        co_firstlineno: unit.firstlineno,
        co_lnotab: lnotab,
        address,
    }
}

impl Compiler<'_> {
    /// Assembles the current unit into a code object and leaves its scope.
    pub fn exit_scope(&mut self, add_none: bool) -> Arc<CodeObject> {
        if !self.unit().blocks[self.unit().current].has_return {
            self.next_block();
            if add_none {
                self.load_const(ConstValue::None);
            }
            self.emit(Opcode::RETURN_VALUE, 0);
        }
        let unit = self.units.pop().expect("entered before");
        self.next_address += 1;
        let address = 0x7f00_0000_0000 + self.next_address * 0x1f0;
        Arc::new(assemble(unit, &self.filename, address))
    }
}
