//! Frames are heap data, not Rust stack frames: a code object's execution state (next
//! instruction, value stack, fast locals, cells, 3.7's block stack). A VM thread is a stack
//! of these; a generator keeps its own while suspended. Also why a frame stopped running
//! (`Event`) and what its caller does with the result (`Resume`).

use super::value::{ObjRef, Value};
use crate::bytecode::CodeObject;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

/// One attribute instruction's inline cache (LOAD_ATTR, STORE_ATTR, LOAD_METHOD): what was
/// learnt about `class` while `Vm::class_epoch` was `epoch`. Class namespaces cannot have
/// changed since (any change, and every collection, moves the epoch on), so the class side
/// of the lookup need not be redone. LOAD_ATTR/STORE_ATTR: the class has no data descriptor
/// for the name and `index` is where the name last sat in an instance `__dict__` (checked
/// before use). LOAD_METHOD: `value` is the plain function the class supplies.
/// LOAD_GLOBAL uses `class` and `index` for the module dict and the entry (see
/// `Vm::global_hinted`).
#[derive(Clone, Copy)]
pub struct AttrHint {
    pub epoch: u64,
    pub class: ObjRef,
    pub index: u32,
    pub value: Value,
}

impl AttrHint {
    /// Matches no epoch (the VM's starts at 1).
    pub const EMPTY: AttrHint = AttrHint {
        epoch: 0,
        class: ObjRef(0),
        index: 0,
        value: Value::None,
    };
}

/// What the VM derives once per code object and shares with all its frames: co_consts as
/// values, and one attribute cache per instruction.
pub struct CodeData {
    /// The code object itself, so the eval loop reaches it through this `Rc` without
    /// touching the frame's `Arc` (an atomic count) on every entry.
    pub code: Arc<CodeObject>,
    pub consts: Vec<Value>,
    pub hints: Box<[Cell<AttrHint>]>,
}

impl CodeData {
    pub fn new(consts: Vec<Value>, code: &Arc<CodeObject>) -> Rc<CodeData> {
        let hints = (0..code.co_code.len() / 2 + 1)
            .map(|_| Cell::new(AttrHint::EMPTY))
            .collect();
        Rc::new(CodeData {
            code: code.clone(),
            consts,
            hints,
        })
    }

    /// The inline cache of the instruction at byte offset `lasti`.
    pub fn hint(&self, lasti: i64) -> &Cell<AttrHint> {
        &self.hints[lasti as usize / 2]
    }
}

impl std::ops::Deref for CodeData {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.consts
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Loop,
    Except,
    Finally,
    /// Pushed when a handler starts; holds the previously handled exception below it.
    ExceptHandler,
}

#[derive(Clone, Copy, Debug)]
pub struct Block {
    pub kind: BlockKind,
    /// Byte offset of the handler (loop end for loops).
    pub handler: usize,
    /// Value stack height when the block was set up.
    pub level: usize,
}

/// What the caller expects when this frame returns (or, for a generator, yields).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resume {
    /// Push the result on the caller's stack.
    Push,
    /// A generator resumed by FOR_ITER: a yield pushes the value; a return pops the
    /// iterator and jumps to `exhausted`.
    ForIter { exhausted: usize },
    /// A generator resumed by YIELD_FROM in the caller: a yield re-suspends the caller's
    /// delegation; a return pushes the value and moves on.
    YieldFrom,
    /// The frame was started by native code, which takes the result itself.
    Native,
    /// `__init__` of a new instance: push the instance instead of the result.
    Replace(Value),
    /// `__enter__` of a `with`: once it returns, set up the with-block (handler offset)
    /// and push the result.
    SetupWith { handler: usize },
    /// A Python `__next__` called by FOR_ITER: a return pushes the item; StopIteration
    /// pops the iterator and jumps to `exhausted`. Run as a frame, not from native code,
    /// so the iterator can block (a queue's get) and let other threads run.
    Next { exhausted: usize },
}

#[derive(Clone)]
pub struct Frame {
    /// The code object (`consts.code`), co_consts as values, and the inline caches, shared
    /// with every frame of the same code object. The code is reached through this `Rc` so a
    /// call does not touch the `Arc`'s atomic count.
    pub consts: Rc<CodeData>,
    /// Byte offset of the next instruction.
    pub pc: usize,
    /// Byte offset of the last instruction started (-1 before the first).
    pub lasti: i64,
    pub stack: Vec<Value>,
    pub fast: Vec<Option<Value>>,
    /// co_cellvars then co_freevars, as cell objects.
    pub cells: Vec<ObjRef>,
    pub globals: ObjRef,
    /// The namespace dict of module and class bodies (NAME ops).
    pub locals: Option<ObjRef>,
    pub blocks: Vec<Block>,
    /// The generator or coroutine this frame belongs to.
    pub generator: Option<ObjRef>,
    pub resume: Resume,
}

impl Frame {
    pub fn code(&self) -> &Arc<CodeObject> {
        &self.consts.code
    }

    pub fn trace(&self, visit: &mut dyn FnMut(Value)) {
        self.stack.iter().for_each(|v| visit(*v));
        self.fast.iter().flatten().for_each(|v| visit(*v));
        self.cells.iter().for_each(|c| visit(Value::Obj(*c)));
        visit(Value::Obj(self.globals));
        self.locals.iter().for_each(|l| visit(Value::Obj(*l)));
        self.generator.iter().for_each(|g| visit(Value::Obj(*g)));
    }

    /// The line being executed, for tracebacks and f_lineno.
    pub fn lineno(&self) -> u32 {
        self.code().line_at(self.lasti.max(0) as usize)
    }
}

/// Why `execute` stopped running a frame.
pub enum Event {
    /// A new frame to run: boxed (from `Vm::frame_pool`), so calls move a pointer.
    Call(Box<Frame>),
    Return(Value),
    Yield(Value),
    Raise(Value),
    /// The check interval is spent: offer the GIL to another thread.
    Preempt,
    /// The thread blocked (lock, join, sleep); the blocking instruction re-runs on wake-up.
    Block,
}
