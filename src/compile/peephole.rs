//! CPython 3.7's peephole optimizer (Python/peephole.c), on assembled wordcode: skips
//! `LOAD_CONST true; POP_JUMP_IF_FALSE`, folds BUILD_TUPLE of constants (appending the
//! tuple to co_consts), turns small BUILD_TUPLE/UNPACK_SEQUENCE pairs into ROTs, threads
//! jumps to jumps, removes code after RETURN_VALUE up to the next jump target, then drops
//! the NOPs and fixes jump arguments and co_lnotab.

use crate::bytecode::ConstValue;
use crate::bytecode::Opcode as Op;
use crate::bytecode::opcode::{EXTENDED_ARG, instr_size};

/// One 16-bit code unit.
#[derive(Clone, Copy)]
struct Unit {
    op: u8,
    arg: u8,
}

const NOP: Unit = Unit {
    op: Op::NOP as u8,
    arg: 0,
};

struct Code {
    units: Vec<Unit>,
}

impl Code {
    fn op(&self, i: usize) -> u8 {
        self.units[i].op
    }

    fn is(&self, i: usize, op: Op) -> bool {
        self.units[i].op == op as u8
    }

    fn find_op(&self, mut i: usize) -> usize {
        while i < self.units.len() && self.units[i].op == EXTENDED_ARG {
            i += 1;
        }
        i
    }

    fn get_arg(&self, i: usize) -> u32 {
        let mut arg = u32::from(self.units[i].arg);
        for k in 1..=3 {
            if i >= k && self.units[i - k].op == EXTENDED_ARG {
                arg |= u32::from(self.units[i - k].arg) << (8 * k);
            } else {
                break;
            }
        }
        arg
    }

    fn fill_nops(&mut self, start: usize, end: usize) {
        for u in &mut self.units[start..end] {
            *u = NOP;
        }
    }

    fn write_op_arg(&mut self, at: usize, op: u8, arg: u32, ilen: usize) {
        for k in 0..ilen {
            let shift = 8 * (ilen - 1 - k);
            let byte = ((arg >> shift) & 0xff) as u8;
            self.units[at + k] = Unit {
                op: if k + 1 == ilen { op } else { EXTENDED_ARG },
                arg: byte,
            };
        }
    }

    /// Jump target, in code units.
    fn jump_target(&self, i: usize) -> usize {
        let arg = self.get_arg(i) as usize / 2;
        if is_absolute_jump(self.op(i)) {
            arg
        } else {
            arg + i + 1
        }
    }

    fn set_arg(&mut self, i: usize, arg: u32) -> Option<usize> {
        let cur = self.get_arg(i);
        if cur == arg {
            return Some(i);
        }
        let (curlen, newlen) = (instr_size(cur) / 2, instr_size(arg) / 2);
        if curlen < newlen {
            return None;
        }
        let op = self.op(i);
        self.write_op_arg(i + 1 - curlen, op, arg, newlen);
        self.fill_nops(i + 1 - curlen + newlen, i + 1);
        Some(i + newlen - curlen)
    }

    fn copy_op_arg(&mut self, start: usize, op: u8, arg: u32, maxi: usize) -> Option<usize> {
        let ilen = instr_size(arg) / 2;
        if start + ilen > maxi {
            return None;
        }
        self.write_op_arg(maxi - ilen, op, arg, ilen);
        self.fill_nops(start, maxi - ilen);
        Some(maxi - 1)
    }

    /// Start of the n consecutive LOAD_CONSTs before `i`, skipping NOPs.
    fn lastn_const_start(&self, mut i: usize, mut n: usize) -> usize {
        loop {
            i -= 1;
            if self.is(i, Op::LOAD_CONST) {
                n -= 1;
                if n == 0 {
                    while i > 0 && self.units[i - 1].op == EXTENDED_ARG {
                        i -= 1;
                    }
                    return i;
                }
            }
        }
    }
}

/// Asks the opcode table about a raw opcode byte (bytes that are no opcode answer false).
fn op_is(op: u8, property: fn(Op) -> bool) -> bool {
    Op::from_byte(op).is_some_and(property)
}

fn is_absolute_jump(op: u8) -> bool {
    op_is(op, Op::is_absolute_jump)
}

fn is_unconditional_jump(op: u8) -> bool {
    op_is(op, Op::is_unconditional_jump)
}

fn is_conditional_jump(op: u8) -> bool {
    op_is(op, Op::is_conditional_jump)
}

fn jumps_on_true(op: u8) -> bool {
    op_is(op, Op::jumps_on_true)
}

fn is_jump(op: u8) -> bool {
    op_is(op, Op::is_jump)
}

/// Basic-block numbers: blocks[i] counts the jump targets at or before unit i.
fn mark_blocks(code: &Code) -> Vec<u32> {
    let n = code.units.len();
    let mut blocks = vec![0u32; n];
    for i in 0..n {
        if is_jump(code.op(i)) {
            let t = code.jump_target(i);
            if t < n {
                blocks[t] = 1;
            }
        }
    }
    let mut count = 0;
    for b in &mut blocks {
        count += *b;
        *b = count;
    }
    blocks
}

pub fn optimize(
    bytes: Vec<u8>,
    consts: &mut Vec<ConstValue>,
    lnotab: Vec<u8>,
) -> (Vec<u8>, Vec<u8>) {
    // 3.7 leaves code alone when co_lnotab is too complex. (Unlike 3.6, it optimizes code
    // that does not end in a return: statements after a `return` leave none at the end.)
    if lnotab.contains(&255) || bytes.len() < 2 {
        return (bytes, lnotab);
    }
    let mut code = Code {
        units: bytes
            .chunks_exact(2)
            .map(|p| Unit {
                op: p[0],
                arg: p[1],
            })
            .collect(),
    };
    let len = code.units.len();
    let blocks = mark_blocks(&code);
    let same_block = |a: usize, b: usize| blocks[a] == blocks[b];
    let mut cumlc = 0usize;
    let mut i = code.find_op(0);
    while i < len {
        let opcode = code.op(i);
        let mut op_start = i;
        while op_start >= 1 && code.units[op_start - 1].op == EXTENDED_ARG {
            op_start -= 1;
        }
        let mut nexti = i + 1;
        while nexti < len && code.units[nexti].op == EXTENDED_ARG {
            nexti += 1;
        }
        let nextop = if nexti < len { code.op(nexti) } else { 0 };
        let lastlc = cumlc;
        cumlc = 0;
        let op = Op::from_byte(opcode);
        match op {
            Some(Op::LOAD_CONST) => {
                cumlc = lastlc + 1;
                let truthy = consts
                    .get(code.get_arg(i) as usize)
                    .is_some_and(ConstValue::is_true);
                if nextop == Op::POP_JUMP_IF_FALSE as u8 && same_block(op_start, i + 1) && truthy {
                    code.fill_nops(op_start, nexti + 1);
                    cumlc = 0;
                }
            }
            // 3.7 rewrites BUILD_TUPLE/UNPACK_SEQUENCE only, not a list or set display.
            Some(Op::BUILD_TUPLE) => {
                let j = code.get_arg(i) as usize;
                if op == Some(Op::BUILD_TUPLE) && j > 0 && lastlc >= j {
                    let h = code.lastn_const_start(op_start, j);
                    if same_block(h, op_start) {
                        let mut items = Vec::with_capacity(j);
                        let mut pos = h;
                        for _ in 0..j {
                            pos = code.find_op(pos);
                            while code.is(pos, Op::NOP) {
                                pos = code.find_op(pos + 1);
                            }
                            items.push(consts[code.get_arg(pos) as usize].clone());
                            pos += 1;
                        }
                        let index = consts.len() as u32;
                        consts.push(ConstValue::Tuple(items));
                        code.copy_op_arg(h, Op::LOAD_CONST as u8, index, i + 1);
                        i = nexti;
                        continue;
                    }
                }
                if nextop == Op::UNPACK_SEQUENCE as u8
                    && same_block(op_start, i + 1)
                    && j == code.get_arg(nexti) as usize
                {
                    match j {
                        0 | 1 => code.fill_nops(op_start, nexti + 1),
                        2 => {
                            code.units[op_start] = Unit {
                                op: Op::ROT_TWO as u8,
                                arg: 0,
                            };
                            code.fill_nops(op_start + 1, nexti + 1);
                        }
                        3 => {
                            code.units[op_start] = Unit {
                                op: Op::ROT_THREE as u8,
                                arg: 0,
                            };
                            code.units[op_start + 1] = Unit {
                                op: Op::ROT_TWO as u8,
                                arg: 0,
                            };
                            code.fill_nops(op_start + 2, nexti + 1);
                        }
                        _ => {}
                    }
                }
            }
            Some(Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP) => {
                let tgt = code.find_op(code.get_arg(i) as usize / 2);
                let j = code.op(tgt);
                if is_conditional_jump(j) {
                    let (h, new_op) = if jumps_on_true(j) == jumps_on_true(opcode) {
                        (code.set_arg(i, code.get_arg(tgt)), j)
                    } else {
                        let new_op = if opcode == Op::JUMP_IF_TRUE_OR_POP as u8 {
                            Op::POP_JUMP_IF_TRUE
                        } else {
                            Op::POP_JUMP_IF_FALSE
                        };
                        (code.set_arg(i, ((tgt + 1) * 2) as u32), new_op as u8)
                    };
                    if let Some(h) = h {
                        code.units[h].op = new_op;
                        i = h;
                        continue;
                    }
                }
                thread_jump(&mut code, i, op_start, opcode);
            }
            Some(
                Op::POP_JUMP_IF_FALSE
                | Op::POP_JUMP_IF_TRUE
                | Op::FOR_ITER
                | Op::JUMP_FORWARD
                | Op::JUMP_ABSOLUTE
                | Op::CONTINUE_LOOP
                | Op::SETUP_LOOP
                | Op::SETUP_EXCEPT
                | Op::SETUP_FINALLY
                | Op::SETUP_WITH
                | Op::SETUP_ASYNC_WITH,
            ) => thread_jump(&mut code, i, op_start, opcode),
            Some(Op::RETURN_VALUE) => {
                let mut h = i + 1;
                while h < len && same_block(i, h) {
                    h += 1;
                }
                if h > i + 1 {
                    code.fill_nops(i + 1, h);
                    nexti = code.find_op(h);
                }
            }
            _ => {}
        }
        i = nexti;
    }

    // Old unit index -> new unit index, counting the NOPs removed before it.
    let mut new_index = vec![0usize; len + 1];
    let mut nops = 0;
    for (k, slot) in new_index.iter_mut().enumerate().take(len) {
        *slot = k - nops;
        if code.is(k, Op::NOP) {
            nops += 1;
        }
    }
    new_index[len] = len - nops;
    let mut lnotab = lnotab;
    let (mut cum_orig, mut last_offset) = (0usize, 0usize);
    for pair in lnotab.chunks_exact_mut(2) {
        cum_orig += usize::from(pair[0]);
        let new_offset = new_index[(cum_orig / 2).min(len)] * 2;
        pair[0] = (new_offset - last_offset) as u8;
        last_offset = new_offset;
    }

    let mut out: Vec<Unit> = Vec::with_capacity(len);
    let mut k = 0;
    while k < len {
        let op_start = k;
        let mut arg = u32::from(code.units[k].arg);
        while code.units[k].op == EXTENDED_ARG && k + 1 < len {
            k += 1;
            arg = (arg << 8) | u32::from(code.units[k].arg);
        }
        let opcode = code.op(k);
        if opcode == Op::NOP as u8 {
            k += 1;
            continue;
        }
        if is_jump(opcode) {
            arg = if is_absolute_jump(opcode) {
                (new_index[(arg / 2) as usize] * 2) as u32
            } else {
                let target = (arg / 2) as usize + k + 1;
                ((new_index[target] - new_index[k] - 1) * 2) as u32
            };
        }
        let width = k - op_start + 1;
        if instr_size(arg) / 2 > width {
            return (bytes, lnotab);
        }
        let at = out.len();
        out.extend(std::iter::repeat_n(NOP, width));
        let mut tmp = Code { units: out };
        tmp.write_op_arg(at, opcode, arg, width);
        out = tmp.units;
        k += 1;
    }
    (out.iter().flat_map(|u| [u.op, u.arg]).collect(), lnotab)
}

/// Replaces a jump to a RETURN_VALUE by the return, and a jump to an unconditional jump
/// by a jump to its target.
fn thread_jump(code: &mut Code, i: usize, op_start: usize, opcode: u8) {
    let h = code.jump_target(i);
    if h >= code.units.len() {
        return;
    }
    let tgt = code.find_op(h);
    if is_unconditional_jump(opcode) && code.is(tgt, Op::RETURN_VALUE) {
        code.units[op_start] = Unit {
            op: Op::RETURN_VALUE as u8,
            arg: 0,
        };
        code.fill_nops(op_start + 1, i + 1);
    } else if is_unconditional_jump(code.op(tgt)) {
        let mut j = code.jump_target(tgt);
        let mut op = opcode;
        if opcode == Op::JUMP_FORWARD as u8 {
            op = Op::JUMP_ABSOLUTE as u8;
        } else if !is_absolute_jump(opcode) {
            if j < i + 1 {
                return;
            }
            j -= i + 1;
        }
        code.copy_op_arg(op_start, op, (j * 2) as u32, i + 1);
    }
}
