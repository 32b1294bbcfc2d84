//! `_dis`: the natives lib/dis.py is built on: listings, instructions and the opcode table,
//! all from the one opcode table in src/bytecode/.

use super::{R, arg};
use crate::vm::object::{Args, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module(
        "_dis",
        &[
            ("dis", d_dis),
            ("_listing", d_listing),
            ("_instructions", d_instructions),
            ("_opcodes", d_opcodes),
        ],
    ))
}

/// The code object `dis` works on: a function's, a method's, a generator's, a code
/// object, or source text compiled.
fn code_to_show(
    vm: &mut Vm,
    target: Value,
) -> PyResult<std::sync::Arc<crate::bytecode::CodeObject>> {
    let code = match target.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Function(f)) => Some(f.code.clone()),
        Some(Object::Code(c)) => Some(c.clone()),
        Some(Object::Generator(g)) => Some(g.code.clone()),
        Some(Object::BoundMethod { func, .. }) => match func.as_obj().map(|r| vm.heap.get(r)) {
            Some(Object::Function(f)) => Some(f.code.clone()),
            _ => None,
        },
        Some(Object::Str(s)) => {
            let s = s.text.clone();
            match crate::compile_source(&s, "<dis>") {
                Ok(c) => Some(c),
                Err(e) => return Err(vm.new_exception("SyntaxError", &e.message)),
            }
        }
        _ => None,
    };
    code.ok_or_else(|| {
        let t = vm.type_name(target);
        vm.type_error(&format!("don't know how to disassemble {t} objects"))
    })
}

fn d_dis(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let code = code_to_show(vm, arg(&args, 0))?;
    let text = crate::bytecode::dis::dis_recursive(&code);
    use std::io::Write;
    let _ = vm.out.write_all(text.as_bytes());
    Ok(Value::None)
}

/// `_listing(x)`: what dis.dis(x) prints, as a str (dis.Bytecode(x).dis()).
fn d_listing(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let code = code_to_show(vm, arg(&args, 0))?;
    Ok(vm.new_str(crate::bytecode::dis::disassemble(&code, None)))
}

/// `_instructions(x)`: dis.get_instructions(x)'s fields, a tuple per instruction (opname,
/// opcode, arg, argval, argrepr, offset, starts_line, is_jump_target).
fn d_instructions(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    use crate::bytecode::opcode::ArgKind;
    let code = code_to_show(vm, arg(&args, 0))?;
    let consts = vm.consts_for(&code);
    let mut rows = Vec::new();
    for instr in crate::bytecode::dis::instructions(&code) {
        let Some(op) = instr.opcode else { continue };
        if op == crate::bytecode::Opcode::EXTENDED_ARG {
            continue;
        }
        let argval = match instr.arg {
            None => Value::None,
            Some(a) => match op.arg_kind() {
                ArgKind::Const => consts
                    .consts
                    .get(a as usize)
                    .copied()
                    .unwrap_or(Value::None),
                ArgKind::Name | ArgKind::Local | ArgKind::Free | ArgKind::Compare => {
                    vm.new_str(instr.argrepr.clone())
                }
                ArgKind::JumpRelative => Value::Int((instr.offset + 2 + a as usize) as i64),
                _ => Value::Int(i64::from(a)),
            },
        };
        let fields = vec![
            vm.new_str(instr.opname.clone()),
            Value::Int(op as i64),
            instr.arg.map_or(Value::None, |a| Value::Int(i64::from(a))),
            argval,
            vm.new_str(instr.argrepr.clone()),
            Value::Int(instr.offset as i64),
            instr
                .starts_line
                .map_or(Value::None, |l| Value::Int(i64::from(l))),
            Value::Bool(instr.is_jump_target),
        ];
        rows.push(vm.new_tuple(fields));
    }
    Ok(vm.new_list(rows))
}

/// `_opcodes()`: (number, name, argument kind) for every 3.7 opcode, from the opcode table.
fn d_opcodes(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    use crate::bytecode::opcode::ArgKind;
    let mut rows = Vec::new();
    for &op in crate::bytecode::Opcode::ALL {
        let kind = match op.arg_kind() {
            ArgKind::None | ArgKind::Number => "",
            ArgKind::Const => "const",
            ArgKind::Name => "name",
            ArgKind::JumpRelative => "jrel",
            ArgKind::JumpAbsolute => "jabs",
            ArgKind::Local => "local",
            ArgKind::Compare => "compare",
            ArgKind::Free => "free",
        };
        let fields = vec![
            Value::Int(op as i64),
            vm.new_str(op.name()),
            vm.new_str(kind),
        ];
        rows.push(vm.new_tuple(fields));
    }
    Ok(vm.new_list(rows))
}
