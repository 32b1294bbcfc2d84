//! The eval loop's hot path: runs a frame's simplest instructions (fast locals, constants,
//! small-int arithmetic and comparisons, jumps) in a small function whose state stays in
//! registers, and hands every other instruction back to `execute`.
//!
//! `execute` is one large function; the compiler keeps little of it in registers, so each
//! instruction reloads the frame, the program counter and the code from memory. Loops such
//! as the seed's countdown run only these instructions. Each one counts its tick exactly as
//! `execute` would, and `run_simple` stops before the tick at which the GIL check is due;
//! `run_hot` makes that check when the deterministic scheduler needs nothing but its draw,
//! and goes on if the thread keeps the GIL. Thread interleavings are the same with or
//! without this path: the draws and their ticks are the same.

use super::Vm;
use super::frame::Frame;
use super::value::Value;
use crate::bytecode::Opcode as Op;
use crate::bytecode::opcode::counts_tick;
use crate::objects::compare::compare_holds;

/// The opcodes `run_simple` runs (it may still hand one back: a NULL local, a non-int
/// operand). `execute` calls it only at one of these, so code made of other instructions
/// (calls, attributes, globals) does not pay a call per instruction for nothing.
const SIMPLE: [bool; 256] = {
    let mut table = [false; 256];
    let ops = [
        Op::LOAD_FAST,
        Op::STORE_FAST,
        Op::LOAD_CONST,
        Op::JUMP_FORWARD,
        Op::JUMP_ABSOLUTE,
        Op::POP_JUMP_IF_FALSE,
        Op::POP_JUMP_IF_TRUE,
        Op::COMPARE_OP,
        Op::BINARY_ADD,
        Op::INPLACE_ADD,
        Op::BINARY_SUBTRACT,
        Op::INPLACE_SUBTRACT,
        Op::BINARY_MULTIPLY,
        Op::INPLACE_MULTIPLY,
    ];
    let mut i = 0;
    while i < ops.len() {
        table[ops[i] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `run_simple` may run the instruction whose opcode byte is `byte`.
#[inline(always)]
pub(super) fn starts_simple(byte: u8) -> bool {
    SIMPLE[usize::from(byte)]
}

/// Why `run_hot` returned.
#[derive(PartialEq, Eq)]
pub(super) enum Hot {
    /// At an instruction `run_simple` does not run (or with a check `execute` must make).
    Stopped,
    /// A GIL check was made, at the tick now counted, and drew another thread (in
    /// `next_pick`): `execute` switches without drawing again.
    Switch,
}

impl Vm {
    /// `run_simple`, making the GIL checks that fall due on the way when the deterministic
    /// scheduler can decide them at once (`quick_check`); a thread that keeps the GIL goes
    /// straight back to the hot path. `run_simple` itself makes no calls, so its state
    /// stays in registers.
    #[inline(never)]
    pub(super) fn run_hot(&mut self, f: &mut Frame, bytes: &[u8], consts: &[Value]) -> Hot {
        loop {
            self.run_simple(f, bytes, consts);
            if self.ticks + 1 < self.threads.next_check
                || self.native_depth != self.threads.base_depth
                || !counts_tick(bytes[f.pc])
            {
                return Hot::Stopped;
            }
            // The check at the next instruction's tick, as execute makes it.
            let tick = self.ticks + 1;
            if tick >= self.threads.step_limit {
                return Hot::Stopped;
            }
            match (self.scheduler.quick_check)(self, tick) {
                None => return Hot::Stopped,
                Some(keeps) => {
                    self.set_next_check(tick + u64::from(self.threads.check_interval));
                    if !keeps {
                        self.ticks = tick;
                        return Hot::Switch;
                    }
                    // The instruction counts the tick when it runs.
                }
            }
            if !starts_simple(bytes[f.pc]) {
                return Hot::Stopped;
            }
        }
    }

    /// Runs `f`'s instructions from `f.pc` while they are simple; returns at the first that
    /// is not (or that would raise), with `f.pc` at it, for `execute` to run.
    #[inline(never)]
    pub(super) fn run_simple(&mut self, f: &mut Frame, bytes: &[u8], consts: &[Value]) {
        let mut pc = f.pc;
        let mut lasti = f.lasti;
        let mut ticks = self.ticks;
        // The tick at which execute must run the GIL check itself.
        let due = self.threads.next_check;
        let stack = &mut f.stack;
        let fast = &mut f.fast;
        // The instructions that count toward the check interval (`counts_tick`) stop
        // here when their tick is the one at which the check falls due.
        loop {
            let arg = usize::from(bytes[pc + 1]);
            let Some(op) = Op::from_byte(bytes[pc]) else {
                break;
            };
            match op {
                Op::LOAD_FAST => match fast[arg] {
                    Some(v) => stack.push(v),
                    None => break,
                },
                Op::STORE_FAST => match stack.pop() {
                    Some(v) => fast[arg] = Some(v),
                    None => break,
                },
                Op::LOAD_CONST => stack.push(consts[arg]),
                Op::JUMP_FORWARD => {
                    lasti = pc as i64;
                    pc += 2 + arg;
                    continue;
                }
                // A backward jump may collect garbage: execute decides.
                Op::JUMP_ABSOLUTE if ticks + 1 < due && !self.heap.wants_collection() => {
                    ticks += 1;
                    lasti = pc as i64;
                    pc = arg;
                    continue;
                }
                Op::POP_JUMP_IF_FALSE | Op::POP_JUMP_IF_TRUE => {
                    let Some(&Value::Bool(b)) = stack.last() else {
                        break;
                    };
                    stack.pop();
                    lasti = pc as i64;
                    pc = if b == (op == Op::POP_JUMP_IF_TRUE) {
                        arg
                    } else {
                        pc + 2
                    };
                    continue;
                }
                Op::COMPARE_OP if arg <= 5 && ticks + 1 < due => {
                    let n = stack.len();
                    let (Some(&Value::Int(x)), Some(&Value::Int(y))) =
                        (stack.get(n.wrapping_sub(2)), stack.get(n.wrapping_sub(1)))
                    else {
                        break;
                    };
                    stack.truncate(n - 2);
                    stack.push(Value::Bool(compare_holds(arg as u32, x, y)));
                    ticks += 1;
                }
                Op::BINARY_ADD
                | Op::INPLACE_ADD
                | Op::BINARY_SUBTRACT
                | Op::INPLACE_SUBTRACT
                | Op::BINARY_MULTIPLY
                | Op::INPLACE_MULTIPLY
                    if ticks + 1 < due =>
                {
                    let n = stack.len();
                    let (Some(&Value::Int(x)), Some(&Value::Int(y))) =
                        (stack.get(n.wrapping_sub(2)), stack.get(n.wrapping_sub(1)))
                    else {
                        break;
                    };
                    let r = match op {
                        Op::BINARY_ADD | Op::INPLACE_ADD => x.checked_add(y),
                        Op::BINARY_SUBTRACT | Op::INPLACE_SUBTRACT => x.checked_sub(y),
                        _ => x.checked_mul(y),
                    };
                    // Overflow widens to a big int: execute's binary_op does that.
                    let Some(r) = r else {
                        break;
                    };
                    stack.truncate(n - 2);
                    stack.push(Value::Int(r));
                    ticks += 1;
                }
                _ => break,
            }
            lasti = pc as i64;
            pc += 2;
        }
        f.pc = pc;
        f.lasti = lasti;
        self.ticks = ticks;
    }
}
