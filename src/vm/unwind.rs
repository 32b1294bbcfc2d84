//! Exceptions and the block stack, as 3.7's ceval: an exception unwinds to the nearest
//! SETUP_EXCEPT/SETUP_FINALLY handler (pushing the EXCEPT_HANDLER block and the saved
//! exception), recording a traceback entry per frame; return, break and continue unwind
//! through finally blocks with END_FINALLY's why codes.

use super::frame::{Block, BlockKind, Event, Frame};
use super::object::ExcField;
use super::{TbEntry, Value, Vm};

/// Why a block is being unwound (ceval.c's why_code), as pushed for END_FINALLY.
pub const WHY_RETURN: i64 = 0x0008;
pub const WHY_BREAK: i64 = 0x0010;
pub const WHY_CONTINUE: i64 = 0x0020;
pub const WHY_SILENCED: i64 = 0x0080;

/// What a non-exception unwinding of the block stack is for.
pub(super) enum Unwind {
    Return(Value),
    Break,
    Continue(usize),
}

impl Vm {
    /// An exception reaches frame `f`: record it in the traceback and run a handler if one
    /// is set up, else let it escape.
    pub(super) fn raise_in(&mut self, f: &mut Box<Frame>, exc: Value, base: usize) -> Event {
        match self.handle_exception(f, exc) {
            None => self.execute(f, base),
            Some(exc) => Event::Raise(exc),
        }
    }

    pub(super) fn add_traceback(&mut self, f: &Frame, exc: Value) {
        if let Value::Obj(r) = exc {
            let entry = TbEntry {
                filename: f.code().co_filename.clone(),
                lineno: f.lineno(),
                name: f.code().co_name.clone(),
            };
            // Innermost first: pushing keeps unwinding linear; reports print it reversed.
            self.tracebacks.entry(r).or_default().push(entry);
        }
    }

    /// Unwinds `f`'s block stack for an exception; `None` when a handler now runs.
    pub(super) fn handle_exception(&mut self, f: &mut Frame, exc: Value) -> Option<Value> {
        // Implicit chaining: an exception raised while another is handled records it.
        let prev = self.handled;
        if prev != Value::None
            && !prev.is(exc)
            && self.exception_field(exc, ExcField::Context).is_none()
        {
            self.set_exception_field(exc, ExcField::Context, prev);
        }
        self.add_traceback(f, exc);
        self.unwind_exception(f, exc)
    }

    /// Unwinds for an exception without adding a traceback entry: a re-raise (bare
    /// `raise`, END_FINALLY) keeps the traceback it already has, as ceval's exception_unwind.
    pub(super) fn unwind_exception(&mut self, f: &mut Frame, exc: Value) -> Option<Value> {
        while let Some(block) = f.blocks.pop() {
            if block.kind == BlockKind::ExceptHandler {
                self.unwind_except_handler(f, block);
                continue;
            }
            f.stack.truncate(block.level);
            if matches!(block.kind, BlockKind::Except | BlockKind::Finally) {
                f.blocks.push(Block {
                    kind: BlockKind::ExceptHandler,
                    handler: 0,
                    level: f.stack.len(),
                });
                let prev = self.handled;
                let prev_type = if prev == Value::None {
                    Value::None
                } else {
                    Value::Obj(self.type_of(prev))
                };
                f.stack.push(Value::None);
                f.stack.push(prev);
                f.stack.push(prev_type);
                self.handled = exc;
                let exc_type = Value::Obj(self.type_of(exc));
                f.stack.push(Value::None);
                f.stack.push(exc);
                f.stack.push(exc_type);
                f.pc = block.handler;
                return None;
            }
        }
        Some(exc)
    }

    /// UNWIND_EXCEPT_HANDLER: drop to the block's level and restore the saved exception.
    pub(super) fn unwind_except_handler(&mut self, f: &mut Frame, block: Block) {
        f.stack.truncate(block.level + 3);
        let _type = f.stack.pop();
        let value = f.stack.pop().unwrap_or(Value::None);
        let _tb = f.stack.pop();
        self.handled = value;
    }

    /// Unwinds blocks for return, break or continue; `Some` when the frame should return.
    pub(super) fn unwind(&mut self, f: &mut Frame, why: Unwind) -> Option<Value> {
        while let Some(block) = f.blocks.pop() {
            match (block.kind, &why) {
                (BlockKind::ExceptHandler, _) => {
                    self.unwind_except_handler(f, block);
                    continue;
                }
                (BlockKind::Loop, Unwind::Continue(target)) => {
                    f.blocks.push(block);
                    f.pc = *target;
                    return None;
                }
                _ => {}
            }
            f.stack.truncate(block.level);
            match (block.kind, &why) {
                (BlockKind::Loop, Unwind::Break) => {
                    f.pc = block.handler;
                    return None;
                }
                (BlockKind::Finally, _) => {
                    match why {
                        Unwind::Return(v) => {
                            f.stack.push(v);
                            f.stack.push(Value::Int(WHY_RETURN));
                        }
                        Unwind::Continue(target) => {
                            f.stack.push(Value::Int(target as i64));
                            f.stack.push(Value::Int(WHY_CONTINUE));
                        }
                        Unwind::Break => f.stack.push(Value::Int(WHY_BREAK)),
                    }
                    f.pc = block.handler;
                    return None;
                }
                _ => {}
            }
        }
        match why {
            Unwind::Return(v) => Some(v),
            _ => None,
        }
    }
}
