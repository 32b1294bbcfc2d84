//! The eval loop's rarer opcodes that only take operands from the stack and push a result
//! (or raise): building, formatting, unpacking, imports, async iteration, the binary
//! operators without an inline fast case. None of them jumps, calls into a frame or blocks,
//! so `execute` hands them over in its default arm. Also YIELD_FROM's step into a
//! delegate that is not a VM generator.

use super::frame::Frame;
use super::object::{Args, Object};
use super::{PyResult, Value, Vm};
use crate::bytecode::Opcode as Op;

/// What one YIELD_FROM step into a delegate gave.
pub(super) enum Delegation {
    /// The delegate yielded: the delegating frame suspends with the value.
    Yielded(Value),
    /// The delegate finished with this value (StopIteration's).
    Finished(Value),
}

impl Vm {
    pub(super) fn stack_op(&mut self, f: &mut Frame, op: Op, arg: u32) -> PyResult<()> {
        let mut pop = || {
            f.stack
                .pop()
                .expect("the compiler's stack depth keeps pops balanced")
        };
        let pushed = match op {
            Op::GET_YIELD_FROM_ITER => {
                let v = pop();
                self.yield_from_iter(f, v)?
            }
            Op::GET_AWAITABLE => {
                let v = pop();
                self.get_awaitable(v)?
            }
            Op::BUILD_TUPLE_UNPACK
            | Op::BUILD_TUPLE_UNPACK_WITH_CALL
            | Op::BUILD_LIST_UNPACK
            | Op::BUILD_SET_UNPACK
            | Op::BUILD_MAP
            | Op::BUILD_CONST_KEY_MAP
            | Op::BUILD_MAP_UNPACK
            | Op::BUILD_MAP_UNPACK_WITH_CALL => self.build_from_parts(f, op, arg as usize)?,
            Op::BUILD_SLICE => {
                let step = if arg == 3 { pop() } else { Value::None };
                let stop = pop();
                let start = pop();
                self.alloc(Object::Slice { start, stop, step })
            }
            Op::BUILD_STRING => {
                let parts = f.stack.split_off(f.stack.len() - arg as usize);
                self.build_string(&parts)
            }
            Op::FORMAT_VALUE => {
                let spec = if arg & 4 != 0 { Some(pop()) } else { None };
                let v = pop();
                self.format_value(v, arg & 3, spec)?
            }
            Op::UNPACK_SEQUENCE | Op::UNPACK_EX => {
                let v = pop();
                let items = self.unpack_for_store(v, op, arg)?;
                f.stack.extend(items);
                return Ok(());
            }
            Op::LOAD_BUILD_CLASS => self
                .dict_get_str(self.builtins, "__build_class__")
                .unwrap_or(Value::None),
            Op::SETUP_ANNOTATIONS => {
                let ns = f.locals.unwrap_or(f.globals);
                if self.dict_get_str(ns, "__annotations__").is_none() {
                    let d = self.new_dict();
                    self.dict_set_str(ns, "__annotations__", d);
                }
                return Ok(());
            }
            Op::IMPORT_NAME => {
                let fromlist = pop();
                let level = pop();
                // `from a.b import x` wants a.b itself; `import a.b`, the package a.
                let leaf = fromlist != Value::None;
                let code = f.code().clone();
                let name = code.co_names[arg as usize].as_str();
                let full = self.absolute_import_name(name, level, f.globals)?;
                self.import(&full, leaf)?
            }
            Op::IMPORT_FROM => {
                let m = *f.stack.last().expect("IMPORT_NAME left the module");
                let code = f.code().clone();
                self.import_from(m, code.co_names[arg as usize].as_str())?
            }
            Op::IMPORT_STAR => {
                let m = pop();
                self.import_star(m, f.locals.unwrap_or(f.globals));
                return Ok(());
            }
            Op::PRINT_EXPR => {
                let v = pop();
                self.display_value(v)?;
                return Ok(());
            }
            Op::GET_AITER | Op::GET_ANEXT => {
                let v = if op == Op::GET_AITER {
                    pop()
                } else {
                    *f.stack.last().expect("the async iterator")
                };
                self.async_iter_step(op, v)?
            }
            op if crate::objects::ops::is_binary(op) => {
                let b = pop();
                let a = pop();
                self.binary_op(op, a, b)?
            }
            _ => {
                return Err(self.new_exception(
                    "SystemError",
                    &format!("opcode {} is not implemented", op.name()),
                ));
            }
        };
        f.stack.push(pushed);
        Ok(())
    }

    /// One YIELD_FROM step into a delegate that is not a VM generator: `next()` when
    /// None is sent, else its `send`.
    pub(super) fn delegate_step(&mut self, receiver: Value, sent: Value) -> PyResult<Delegation> {
        let next = if sent == Value::None {
            self.iter_next(receiver)
        } else {
            let send = self.getattr(receiver, "send")?;
            self.call(send, Args::new(vec![sent])).map(Some)
        };
        match next {
            Ok(Some(v)) => Ok(Delegation::Yielded(v)),
            Ok(None) => Ok(Delegation::Finished(self.take_stop_value())),
            Err(exc) if self.exception_is(exc, "StopIteration") => {
                Ok(Delegation::Finished(self.stop_iteration_value(exc)))
            }
            Err(exc) => Err(exc),
        }
    }
}
