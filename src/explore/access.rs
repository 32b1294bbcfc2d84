//! What a thread's next instruction touches that another thread could touch too: a global,
//! an attribute of an object, the items of a container, a lock, a thread (joined). Read
//! off a frame before the instruction runs, without running anything. Two accesses are
//! dependent when they touch the same place and one of them writes (a lock operation
//! counts as a write): only the order of dependent accesses can change what a program
//! does, so only theirs is varied.
//!
//! Only the program's own code is watched, and lock operations anywhere: the library's
//! bookkeeping (threading's tables of threads) is left out, as the tools it is compared
//! with (frontrun) leave it out; what the library does for the program under a lock (a
//! Queue, an Event) is ordered by that lock's operations.

use crate::bytecode::Opcode as Op;
use crate::bytecode::opcode::EXTENDED_ARG;
use crate::vm::frame::Frame;
use crate::vm::object::{Iter, Object};
use crate::vm::{ObjRef, Value, Vm};

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Location {
    /// A name in a module's namespace (the dict).
    Global(ObjRef, String),
    /// An attribute of an object.
    Attr(ObjRef, String),
    /// The items of a container (a list, dict, set or deque), as one place.
    Items(ObjRef),
    Lock(ObjRef),
    /// A thread, by ident: its end is a write, a join of it a read.
    Thread(u64),
    /// A cell: a variable of an enclosing function (`nonlocal`), with its name.
    Cell(ObjRef, String),
    /// What the program prints (stdout and stderr): the order of prints is an outcome.
    Output,
}

/// The location an access touches, shown to a learner.
pub fn describe(vm: &Vm, location: &Location) -> String {
    match location {
        Location::Global(_, name) => name.clone(),
        Location::Attr(obj, name) => format!("{}.{name}", vm.type_name(Value::Obj(*obj))),
        Location::Items(obj) => format!("items of a {}", vm.type_name(Value::Obj(*obj))),
        Location::Lock(obj) => match vm.heap.get(*obj) {
            Object::Lock { serial, .. } => format!("lock #{serial}"),
            _ => "a lock".into(),
        },
        Location::Thread(ident) => format!("thread {ident}"),
        Location::Cell(_, name) => format!("{name} (a variable of an enclosing function)"),
        Location::Output => "the output".into(),
    }
}

/// A subscript's key, as far as the race detector tells keys apart.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Key {
    Int(i64),
    Str(String),
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Access {
    pub location: Location,
    pub write: bool,
    /// A lock's release: it orders what follows it, but never races (no other thread
    /// could take the lock before it).
    pub release: bool,
    /// A built-in container's method (append, pop, get...): one step, atomic under the
    /// GIL, so two of them never race with each other.
    pub atomic: bool,
    /// For a subscript, the key when it is a plain int or str: the race detector tells
    /// `d["a"]` from `d["b"]` (the search treats the container as one place).
    pub key: Option<Key>,
    /// The source line and instruction, for explanations.
    pub line: u32,
    pub opname: &'static str,
}

/// The instruction at `f.pc`: its opcode and argument (EXTENDED_ARG prefixes folded).
fn next_instruction(f: &Frame) -> Option<(Op, u32)> {
    let bytes = &f.code().co_code;
    let mut pc = f.pc;
    let mut arg = u32::from(*bytes.get(pc + 1)?);
    while *bytes.get(pc)? == EXTENDED_ARG {
        pc += 2;
        arg = (arg << 8) | u32::from(*bytes.get(pc + 1)?);
    }
    Some((Op::from_byte(bytes[pc])?, arg))
}

fn is_library(f: &Frame) -> bool {
    f.code().co_filename.starts_with("<minipy ")
}

/// The stack entry `depth` below the top (0: the top).
fn peek(f: &Frame, depth: usize) -> Option<Value> {
    f.stack.len().checked_sub(depth + 1).map(|i| f.stack[i])
}

/// What the instruction `f` runs next touches, if anything another thread could.
/// `thread_bottom`: the ident of the thread whose bottom frame `f` is (a return from it
/// ends the thread: a write of the thread), if it is one and not the main thread.
pub fn next_access(vm: &Vm, f: &Frame, thread_bottom: Option<u64>) -> Option<Access> {
    let (op, arg) = next_instruction(f)?;
    let code = f.code();
    let name = |i: u32| code.co_names.get(i as usize).cloned().unwrap_or_default();
    let access = |location, write| {
        Some(Access {
            location,
            write,
            release: false,
            atomic: false,
            key: None,
            // (Filled in where an explanation shows it: finding it costs.)
            line: 0,
            opname: op.name(),
        })
    };
    if let (Op::RETURN_VALUE, Some(ident)) = (op, thread_bottom) {
        return access(Location::Thread(ident), true);
    }
    if matches!(op, Op::CALL_FUNCTION | Op::CALL_METHOD) {
        let (location, write, release) = call_access(vm, f, op, arg as usize)?;
        let atomic = matches!(location, Location::Items(_));
        return Some(Access {
            release,
            atomic,
            ..access(location, write)?
        });
    }
    // `with lock:` acquires it, and its end releases it (wherever the code is).
    if op == Op::SETUP_WITH
        && let Some(r) = peek(f, 0).and_then(|v| v.as_obj())
        && matches!(vm.heap.get(r), Object::Lock { .. })
    {
        return access(Location::Lock(r), true);
    }
    if op == Op::WITH_CLEANUP_START
        && let Some((lock, LockOp::Release)) = with_exit(f).and_then(|e| lock_call(vm, e, None))
    {
        return Some(Access {
            release: true,
            ..access(Location::Lock(lock), true)?
        });
    }
    if is_library(f) {
        return None;
    }
    let namespace = f.locals.unwrap_or(f.globals);
    match op {
        Op::LOAD_GLOBAL => access(Location::Global(f.globals, name(arg)), false),
        Op::STORE_GLOBAL | Op::DELETE_GLOBAL => {
            access(Location::Global(f.globals, name(arg)), true)
        }
        Op::LOAD_NAME if namespace == f.globals => {
            access(Location::Global(f.globals, name(arg)), false)
        }
        Op::STORE_NAME | Op::DELETE_NAME if namespace == f.globals => {
            access(Location::Global(f.globals, name(arg)), true)
        }
        Op::LOAD_ATTR | Op::LOAD_METHOD => {
            access(attribute(vm, peek(f, 0)?.as_obj()?, name(arg))?, false)
        }
        Op::STORE_ATTR | Op::DELETE_ATTR => {
            access(attribute(vm, peek(f, 0)?.as_obj()?, name(arg))?, true)
        }
        Op::LOAD_DEREF | Op::LOAD_CLASSDEREF | Op::STORE_DEREF | Op::DELETE_DEREF => {
            let cell = *f.cells.get(arg as usize)?;
            let i = arg as usize;
            let name = code
                .co_cellvars
                .get(i)
                .or_else(|| code.co_freevars.get(i - code.co_cellvars.len()))
                .cloned()
                .unwrap_or_default();
            let write = matches!(op, Op::STORE_DEREF | Op::DELETE_DEREF);
            access(Location::Cell(cell, name), write)
        }
        Op::BINARY_SUBSCR | Op::STORE_SUBSCR | Op::DELETE_SUBSCR => Some(Access {
            key: key(vm, peek(f, 0)?),
            ..access(
                Location::Items(container(vm, peek(f, 1)?)?),
                op != Op::BINARY_SUBSCR,
            )?
        }),
        // `shared += [...]` extends the list in place (`|=` a set or dict).
        Op::INPLACE_ADD
        | Op::INPLACE_OR
        | Op::INPLACE_AND
        | Op::INPLACE_SUBTRACT
        | Op::INPLACE_XOR
        | Op::INPLACE_MULTIPLY => access(Location::Items(container(vm, peek(f, 1)?)?), true),
        // `x in shared` (6: in, 7: not in)
        Op::COMPARE_OP if arg == 6 || arg == 7 => {
            access(Location::Items(container(vm, peek(f, 0)?)?), false)
        }
        Op::FOR_ITER => iteration(vm, peek(f, 0)?).and_then(|(l, w)| access(l, w)),
        _ => None,
    }
}

fn key(vm: &Vm, v: Value) -> Option<Key> {
    match v {
        Value::Int(i) => Some(Key::Int(i)),
        Value::Bool(b) => Some(Key::Int(i64::from(b))),
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(s) => Some(Key::Str(s.text.to_string())),
            _ => None,
        },
        _ => None,
    }
}

/// An attribute of `obj`; a module's attributes are its globals; a `threading.local`'s
/// are the running thread's own (nothing shared: none).
fn attribute(vm: &Vm, obj: ObjRef, name: String) -> Option<Location> {
    if vm.threads.locals.iter().any(|l| l.obj == obj) {
        return None;
    }
    Some(match vm.heap.get(obj) {
        Object::Module { dict, .. } => Location::Global(*dict, name),
        _ => Location::Attr(obj, name),
    })
}

/// What stepping an iterator touches: the container a list, dict or deque iterator reads
/// (live), or the generator it runs (a step of a generator changes it).
fn iteration(vm: &Vm, it: Value) -> Option<(Location, bool)> {
    let r = it.as_obj()?;
    match vm.heap.get(r) {
        Object::Iter(Iter::Seq { seq, .. }) => {
            Some((Location::Items(container(vm, Value::Obj(*seq))?), false))
        }
        Object::Iter(Iter::Dict { dict, .. }) => Some((Location::Items(*dict), false)),
        Object::Generator(_) => Some((Location::Items(r), true)),
        _ => None,
    }
}

/// A container whose items threads share: a list, dict, set or deque.
fn container(vm: &Vm, v: Value) -> Option<ObjRef> {
    let r = v.as_obj()?;
    match vm.heap.get(r) {
        Object::List(_) | Object::Dict(_) | Object::Set(_) | Object::Deque(_) => Some(r),
        Object::Instance(inst) => inst.payload.and_then(|p| container(vm, p)),
        _ => None,
    }
}

/// The native function a callable is (bound to what, if anything): locks' methods and
/// `_thread._join` are natives.
fn native_callee(
    vm: &Vm,
    callable: Value,
    receiver: Option<Value>,
) -> Option<(&'static str, Option<Value>)> {
    match vm.heap.get(callable.as_obj()?) {
        Object::Native(n) => Some((n.name, receiver.or(n.receiver))),
        Object::BoundMethod { receiver, func } => match vm.heap.get(func.as_obj()?) {
            Object::Native(n) => Some((n.name, Some(*receiver))),
            _ => None,
        },
        _ => None,
    }
}

/// The callable a CALL_FUNCTION or CALL_METHOD of `nargs` positional arguments calls,
/// and the receiver CALL_METHOD passes.
fn callee(f: &Frame, op: Op, nargs: usize) -> Option<(Value, Option<Value>)> {
    if op == Op::CALL_METHOD {
        let first = peek(f, nargs + 1)?;
        let second = peek(f, nargs)?;
        Some(if first == Value::None {
            (second, None)
        } else {
            (first, Some(second))
        })
    } else {
        Some((peek(f, nargs)?, None))
    }
}

/// What a lock method does to the lock.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LockOp {
    Acquire,
    Release,
    Look,
}

fn lock_op(method: &str) -> LockOp {
    match method {
        "acquire" | "__enter__" | "_acquire_restore" => LockOp::Acquire,
        "release" | "__exit__" | "_release_save" => LockOp::Release,
        _ => LockOp::Look,
    }
}

/// A lock operation: (the lock, what it does), if `callable` is a lock's method.
fn lock_call(vm: &Vm, callable: Value, receiver: Option<Value>) -> Option<(ObjRef, LockOp)> {
    let (name, bound) = native_callee(vm, callable, receiver)?;
    let lock = bound?.as_obj()?;
    matches!(vm.heap.get(lock), Object::Lock { .. }).then(|| (lock, lock_op(name)))
}

/// The `__exit__` WITH_CLEANUP_START calls (where it sits depends on how the block ended;
/// as eval_ops.rs's with_cleanup_start).
fn with_exit(f: &Frame) -> Option<Value> {
    use crate::vm::unwind::{WHY_CONTINUE, WHY_RETURN};
    match peek(f, 0)? {
        Value::None => peek(f, 1),
        Value::Int(why) if why == WHY_RETURN || why == WHY_CONTINUE => peek(f, 2),
        Value::Int(_) => peek(f, 1),
        _ => peek(f, 6),
    }
}

/// A call that touches shared state itself: a lock's methods (wherever called), a
/// built-in container's methods (from the program's code), and `_thread._join`.
fn call_access(vm: &Vm, f: &Frame, op: Op, nargs: usize) -> Option<(Location, bool, bool)> {
    let (callable, receiver) = callee(f, op, nargs)?;
    let (native_name, bound) = native_callee(vm, callable, receiver)?;
    // print() and sys.stdout.write: the order of what threads print is an outcome.
    if native_name == "print" || (bound.is_none() && matches!(native_name, "write" | "writelines"))
    {
        return Some((Location::Output, true, false));
    }
    if native_name == "len" && nargs == 1 && !is_library(f) {
        return container(vm, peek(f, 0)?).map(|c| (Location::Items(c), false, false));
    }
    // Joining a thread, or finding it ended, reads the thread (its end is a write).
    if native_name == "_join" || native_name == "_alive" {
        let ident = vm.as_index(peek(f, nargs.checked_sub(1)?)?)?;
        return Some((Location::Thread(ident as u64), false, false));
    }
    let target = bound?.as_obj()?;
    match vm.heap.get(target) {
        Object::Lock { .. } => {
            let op = lock_op(native_name);
            Some((
                Location::Lock(target),
                op != LockOp::Look,
                op == LockOp::Release,
            ))
        }
        _ if !is_library(f) => {
            container(vm, Value::Obj(target)).map(|c| (Location::Items(c), true, false))
        }
        _ => None,
    }
}

/// Whether thread `ident`'s next instruction (in `f`) would block for good as things
/// stand: a join of a live thread, or an acquire of a lock held by another thread (or,
/// not reentrant, by this one), without a timeout. Such a step is not enabled: the
/// explorer runs other threads until it is (running it would only block).
pub fn would_block(vm: &Vm, f: &Frame, ident: u64) -> bool {
    let Some((op, arg)) = next_instruction(f) else {
        return false;
    };
    let lock = match op {
        Op::CALL_FUNCTION | Op::CALL_METHOD => {
            let nargs = arg as usize;
            let Some((callable, receiver)) = callee(f, op, nargs) else {
                return false;
            };
            match native_callee(vm, callable, receiver) {
                // _join(ident) or _join(ident, None): no timeout.
                Some(("_join", _))
                    if nargs == 1 || (nargs == 2 && peek(f, 0) == Some(Value::None)) =>
                {
                    let target = peek(f, nargs - 1).and_then(|v| vm.as_index(v));
                    return target
                        .and_then(|t| vm.thread_index(t as u64))
                        .is_some_and(|i| {
                            vm.threads.threads[i].state != crate::vm::threads::ThreadState::Finished
                        });
                }
                _ if nargs > 1 => return false,
                _ => {}
            }
            // acquire() or acquire(True): blocking without a timeout.
            if nargs == 1 && peek(f, 0) != Some(Value::Bool(true)) {
                return false;
            }
            lock_call(vm, callable, receiver)
        }
        Op::SETUP_WITH => peek(f, 0)
            .and_then(|v| v.as_obj())
            .filter(|r| matches!(vm.heap.get(*r), Object::Lock { .. }))
            .map(|r| (r, LockOp::Acquire)),
        _ => None,
    };
    match lock {
        Some((lock, LockOp::Acquire)) => match vm.heap.get(lock) {
            Object::Lock {
                owner: Some(owner),
                reentrant,
                ..
            } => !*reentrant || *owner != ident,
            _ => false,
        },
        _ => false,
    }
}
