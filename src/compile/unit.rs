//! The compiler's state (CPython's `struct compiler` and `compiler_unit`): the stack of
//! code units being compiled, their basic blocks, constant/name tables, line tracking and
//! frame-block stack, and the helpers every code generation routine uses to emit.

use super::symtable::{BlockKind, Scope, SymbolTable, mangle};
use crate::bytecode::{CodeObject, ConstValue, Opcode};
use crate::syntax::SyntaxError;
use crate::syntax::ast::Span;
use std::sync::Arc;

pub type Result<T> = std::result::Result<T, SyntaxError>;

/// CPython's CO_MAXBLOCKS: how deeply loops, try and with may nest.
pub const MAX_BLOCKS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeType {
    Module,
    Class,
    Function,
    AsyncFunction,
    Lambda,
    Comprehension,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FBlock {
    Loop,
    Except,
    FinallyTry,
    FinallyEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Load,
    Store,
    Del,
}

pub type BlockId = usize;

#[derive(Debug, Clone)]
pub struct Instr {
    pub op: Opcode,
    pub arg: u32,
    pub target: Option<BlockId>,
    /// 0 when the instruction does not start a new line entry.
    pub lineno: u32,
}

#[derive(Debug, Default, Clone)]
pub struct Block {
    pub instrs: Vec<Instr>,
    pub next: Option<BlockId>,
    pub has_return: bool,
}

pub struct Unit<'a> {
    pub ste: &'a SymbolTable,
    pub scope_type: ScopeType,
    pub name: String,
    pub qualname: String,
    pub private: Option<String>,
    pub blocks: Vec<Block>,
    pub current: BlockId,
    pub consts: Vec<ConstValue>,
    pub names: Vec<String>,
    pub varnames: Vec<String>,
    pub cellvars: Vec<String>,
    pub freevars: Vec<String>,
    pub argcount: u32,
    pub kwonlyargcount: u32,
    pub firstlineno: u32,
    pub lineno: u32,
    pub lineno_set: bool,
    pub fblocks: Vec<(FBlock, BlockId)>,
}

pub struct Compiler<'a> {
    pub filename: String,
    line_starts: Vec<usize>,
    pub units: Vec<Unit<'a>>,
    /// Code objects made so far: their stable addresses in listings.
    pub(super) next_address: u64,
    /// compile(..., 'single'): a top-level expression statement prints its value.
    pub interactive: bool,
}

fn index_of(list: &mut Vec<String>, name: &str) -> u32 {
    match list.iter().position(|n| n == name) {
        Some(i) => i as u32,
        None => {
            list.push(name.to_string());
            (list.len() - 1) as u32
        }
    }
}

impl<'a> Compiler<'a> {
    pub fn new(source: &str, filename: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        Compiler {
            filename: filename.to_string(),
            line_starts,
            units: Vec::new(),
            next_address: 0,
            interactive: false,
        }
    }

    pub fn line(&self, offset: usize) -> u32 {
        self.line_starts.partition_point(|&s| s <= offset) as u32
    }

    pub fn error<T>(&self, message: impl Into<String>, span: Span) -> Result<T> {
        Err(SyntaxError::at_node(message, span.start))
    }

    pub fn u(&mut self) -> &mut Unit<'a> {
        self.units
            .last_mut()
            .expect("a unit is always open while compiling")
    }

    pub fn unit(&self) -> &Unit<'a> {
        self.units
            .last()
            .expect("a unit is always open while compiling")
    }

    // ------------------------------------------------------------ scopes

    pub fn enter_scope(
        &mut self,
        name: &str,
        scope_type: ScopeType,
        ste: &'a SymbolTable,
        firstlineno: u32,
    ) {
        let mut cellvars = ste.names_sorted(Scope::Cell, 0);
        if ste.kind == BlockKind::Class && ste.needs_class_closure {
            cellvars = vec!["__class__".to_string()];
        }
        let freevars = ste.names_sorted(Scope::Free, super::symtable::DEF_FREE_CLASS);
        let private = match scope_type {
            ScopeType::Class => Some(name.to_string()),
            _ => self.units.last().and_then(|u| u.private.clone()),
        };
        let mut unit = Unit {
            ste,
            scope_type,
            name: name.to_string(),
            qualname: String::new(),
            private,
            blocks: vec![Block::default()],
            current: 0,
            consts: Vec::new(),
            names: Vec::new(),
            varnames: ste.varnames.clone(),
            cellvars,
            freevars,
            argcount: 0,
            kwonlyargcount: 0,
            firstlineno,
            lineno: 0,
            lineno_set: false,
            fblocks: Vec::new(),
        };
        unit.qualname = self.qualname_for(&unit);
        self.units.push(unit);
    }

    /// compiler_set_qualname: `outer.<locals>.inner`, `C.method`, `<listcomp>.<lambda>`.
    fn qualname_for(&self, unit: &Unit) -> String {
        if self.units.len() <= 1 {
            return unit.name.clone();
        }
        let parent = self.units.last().expect("checked above");
        if matches!(
            unit.scope_type,
            ScopeType::Function | ScopeType::AsyncFunction | ScopeType::Class
        ) {
            let mangled = mangle(parent.private.as_deref(), &unit.name);
            if parent.ste.scope(&mangled) == Some(Scope::GlobalExplicit) {
                return unit.name.clone();
            }
        }
        let base = if matches!(
            parent.scope_type,
            ScopeType::Function | ScopeType::AsyncFunction | ScopeType::Lambda
        ) {
            format!("{}.<locals>", parent.qualname)
        } else {
            parent.qualname.clone()
        };
        format!("{base}.{}", unit.name)
    }

    // ------------------------------------------------------------ blocks

    pub fn new_block(&mut self) -> BlockId {
        let u = self.u();
        u.blocks.push(Block::default());
        u.blocks.len() - 1
    }

    /// compiler_use_next_block: links `block` after the current one and makes it current.
    pub fn use_next_block(&mut self, block: BlockId) {
        let u = self.u();
        let cur = u.current;
        u.blocks[cur].next = Some(block);
        u.current = block;
    }

    /// NEXT_BLOCK: starts a fresh block after the current one.
    pub fn next_block(&mut self) {
        let b = self.new_block();
        self.use_next_block(b);
    }

    pub fn push_fblock(&mut self, kind: FBlock, block: BlockId, span: Span) -> Result<()> {
        if self.unit().fblocks.len() >= MAX_BLOCKS {
            // 3.7 raises this one without a location.
            let _ = span;
            return Err(SyntaxError::unlocated("too many statically nested blocks"));
        }
        self.u().fblocks.push((kind, block));
        Ok(())
    }

    pub fn pop_fblock(&mut self) {
        self.u().fblocks.pop();
    }

    // ------------------------------------------------------------ lines

    /// A statement starts: its line applies to the next instruction.
    pub fn set_stmt_line(&mut self, span: Span) {
        let line = self.line(span.start);
        let u = self.u();
        u.lineno = line;
        u.lineno_set = false;
    }

    /// An expression on a later line than the last one moves the line forward (never back).
    pub fn set_expr_line(&mut self, span: Span) {
        let line = self.line(span.start);
        let u = self.u();
        if line > u.lineno {
            u.lineno = line;
            u.lineno_set = false;
        }
    }

    // ------------------------------------------------------------ emitting

    fn push_instr(&mut self, op: Opcode, arg: u32, target: Option<BlockId>) {
        let u = self.u();
        let lineno = if u.lineno_set {
            0
        } else {
            u.lineno_set = true;
            u.lineno
        };
        let cur = u.current;
        let block = &mut u.blocks[cur];
        if op == Opcode::RETURN_VALUE {
            block.has_return = true;
        }
        block.instrs.push(Instr {
            op,
            arg,
            target,
            lineno,
        });
    }

    pub fn emit(&mut self, op: Opcode, arg: u32) {
        self.push_instr(op, arg, None);
    }

    pub fn emit_jump(&mut self, op: Opcode, target: BlockId) {
        self.push_instr(op, 0, Some(target));
    }

    pub fn add_const(&mut self, value: ConstValue) -> u32 {
        let u = self.u();
        match u.consts.iter().position(|c| c.same_as(&value)) {
            Some(i) => i as u32,
            None => {
                u.consts.push(value);
                (u.consts.len() - 1) as u32
            }
        }
    }

    pub fn load_const(&mut self, value: ConstValue) {
        let i = self.add_const(value);
        self.emit(Opcode::LOAD_CONST, i);
    }

    /// An instruction whose argument indexes co_names (the name is mangled first).
    pub fn emit_name(&mut self, op: Opcode, name: &str) {
        let mangled = mangle(self.unit().private.as_deref(), name);
        let i = index_of(&mut self.u().names, &mangled);
        self.emit(op, i);
    }

    /// compiler_nameop: picks FAST, DEREF, GLOBAL or NAME access by the name's scope.
    pub fn nameop(&mut self, name: &str, ctx: Ctx) {
        let mangled = mangle(self.unit().private.as_deref(), name);
        let u = self.unit();
        let is_function = u.ste.kind == BlockKind::Function;
        enum Access {
            Fast,
            Global,
            Deref(bool),
            Name,
        }
        let access = match u.ste.scope(&mangled) {
            Some(Scope::Free) => Access::Deref(true),
            Some(Scope::Cell) => Access::Deref(false),
            Some(Scope::Local) if is_function => Access::Fast,
            Some(Scope::GlobalImplicit) if is_function => Access::Global,
            Some(Scope::GlobalExplicit) => Access::Global,
            _ => Access::Name,
        };
        let load_store_del = |load, store, del| match ctx {
            Ctx::Load => load,
            Ctx::Store => store,
            Ctx::Del => del,
        };
        match access {
            Access::Fast => {
                let op = load_store_del(Opcode::LOAD_FAST, Opcode::STORE_FAST, Opcode::DELETE_FAST);
                let i = index_of(&mut self.u().varnames, &mangled);
                self.emit(op, i);
            }
            Access::Deref(is_free) => {
                let load = if u.ste.kind == BlockKind::Class {
                    Opcode::LOAD_CLASSDEREF
                } else {
                    Opcode::LOAD_DEREF
                };
                let op = load_store_del(load, Opcode::STORE_DEREF, Opcode::DELETE_DEREF);
                let i = if is_free {
                    let ncells = u.cellvars.len() as u32;
                    ncells + index_of(&mut self.u().freevars, &mangled)
                } else {
                    index_of(&mut self.u().cellvars, &mangled)
                };
                self.emit(op, i);
            }
            Access::Global => {
                let op = load_store_del(
                    Opcode::LOAD_GLOBAL,
                    Opcode::STORE_GLOBAL,
                    Opcode::DELETE_GLOBAL,
                );
                let i = index_of(&mut self.u().names, &mangled);
                self.emit(op, i);
            }
            Access::Name => {
                let op = load_store_del(Opcode::LOAD_NAME, Opcode::STORE_NAME, Opcode::DELETE_NAME);
                let i = index_of(&mut self.u().names, &mangled);
                self.emit(op, i);
            }
        }
    }

    /// compiler_make_closure: LOAD_CLOSUREs, the code, the qualname, MAKE_FUNCTION.
    pub fn make_closure(&mut self, code: Arc<CodeObject>, mut flags: u32, qualname: &str) {
        if !code.co_freevars.is_empty() {
            for name in &code.co_freevars {
                let u = self.unit();
                let in_cells = u.cellvars.iter().position(|c| c == name);
                let arg = match in_cells {
                    Some(i)
                        if u.ste.scope(name) == Some(Scope::Cell)
                            || u.ste.kind == BlockKind::Class =>
                    {
                        i as u32
                    }
                    _ => {
                        let ncells = u.cellvars.len() as u32;
                        match u.freevars.iter().position(|f| f == name) {
                            Some(i) => ncells + i as u32,
                            None => in_cells.map_or(ncells, |i| i as u32),
                        }
                    }
                };
                self.emit(Opcode::LOAD_CLOSURE, arg);
            }
            flags |= crate::bytecode::opcode::make_function::CLOSURE;
            self.emit(Opcode::BUILD_TUPLE, code.co_freevars.len() as u32);
        }
        self.load_const(ConstValue::Code(code));
        self.load_const(ConstValue::Str(qualname.to_string()));
        self.emit(Opcode::MAKE_FUNCTION, flags);
    }
}
