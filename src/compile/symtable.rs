//! Symbol tables with CPython 3.7's scoping (Python/symtable.c): one table per module,
//! class, function, lambda and comprehension; names resolve to local, global (explicit or
//! implicit), free or cell, and class bodies do not leak their names into methods.

use crate::syntax::SyntaxError;
use crate::syntax::ast::*;
use std::collections::{HashMap, HashSet};

pub const DEF_GLOBAL: u32 = 1;
pub const DEF_LOCAL: u32 = 2;
pub const DEF_PARAM: u32 = 4;
pub const DEF_NONLOCAL: u32 = 8;
pub const USE: u32 = 16;
pub const DEF_FREE_CLASS: u32 = 64;
pub const DEF_IMPORT: u32 = 128;
pub const DEF_ANNOT: u32 = 256;
pub const DEF_BOUND: u32 = DEF_LOCAL | DEF_PARAM | DEF_IMPORT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Module,
    Class,
    Function,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Local,
    GlobalExplicit,
    GlobalImplicit,
    Free,
    Cell,
}

/// Identifies the AST node that opened a scope: its span.
pub type ScopeKey = (usize, usize);

#[derive(Debug)]
pub struct SymbolTable {
    pub kind: BlockKind,
    pub name: String,
    /// Flags per (mangled) name, in first-seen order.
    pub symbols: Vec<(String, u32)>,
    pub scopes: HashMap<String, Scope>,
    /// Parameters, in co_varnames order.
    pub varnames: Vec<String>,
    pub children: HashMap<ScopeKey, SymbolTable>,
    child_order: Vec<ScopeKey>,
    pub nested: bool,
    pub is_generator: bool,
    pub is_coroutine: bool,
    pub has_varargs: bool,
    pub has_varkeywords: bool,
    pub needs_class_closure: bool,
    /// Where each `global`/`nonlocal` name was declared, for error locations.
    directives: Vec<(String, usize)>,
    has_free: bool,
    child_free: bool,
    returns_value: bool,
}

impl SymbolTable {
    fn new(kind: BlockKind, name: &str, nested: bool) -> Self {
        SymbolTable {
            kind,
            name: name.to_string(),
            symbols: Vec::new(),
            scopes: HashMap::new(),
            varnames: Vec::new(),
            children: HashMap::new(),
            child_order: Vec::new(),
            nested,
            is_generator: false,
            is_coroutine: false,
            has_varargs: false,
            has_varkeywords: false,
            needs_class_closure: false,
            directives: Vec::new(),
            has_free: false,
            child_free: false,
            returns_value: false,
        }
    }

    pub fn flags(&self, name: &str) -> u32 {
        self.symbols
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, f)| *f)
    }

    fn flags_mut(&mut self, name: &str) -> &mut u32 {
        if let Some(i) = self.symbols.iter().position(|(n, _)| n == name) {
            &mut self.symbols[i].1
        } else {
            self.symbols.push((name.to_string(), 0));
            &mut self.symbols.last_mut().expect("just pushed").1
        }
    }

    pub fn scope(&self, name: &str) -> Option<Scope> {
        self.scopes.get(name).copied()
    }

    /// Names of the given scope, sorted, as CPython's dictbytype builds co_cellvars/co_freevars.
    pub fn names_sorted(&self, scope: Scope, or_flag: u32) -> Vec<String> {
        let mut names: Vec<String> = self
            .symbols
            .iter()
            .filter(|(n, f)| self.scopes.get(n) == Some(&scope) || f & or_flag != 0)
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        names
    }

    pub fn child(&self, key: ScopeKey) -> &SymbolTable {
        self.children
            .get(&key)
            .expect("every scope-opening node was visited by the symbol table pass")
    }
}

/// CPython's private name mangling: `__x` inside `class C` becomes `_C__x`.
pub fn mangle(private: Option<&str>, name: &str) -> String {
    let Some(class) = private else {
        return name.to_string();
    };
    if !name.starts_with("__") || name.ends_with("__") || name.contains('.') {
        return name.to_string();
    }
    let stripped = class.trim_start_matches('_');
    if stripped.is_empty() {
        return name.to_string();
    }
    format!("_{stripped}{name}")
}

struct Builder<'a> {
    stack: Vec<SymbolTable>,
    /// Where each open block starts (3.7 reports `import *` errors at the enclosing def).
    starts: Vec<usize>,
    private: Option<String>,
    line_of: &'a dyn Fn(usize) -> usize,
}

type Result<T> = std::result::Result<T, SyntaxError>;

/// Builds and analyses the symbol table of a module.
pub fn build(module: &Module) -> Result<SymbolTable> {
    let line_of = |_: usize| 0usize;
    let mut b = Builder {
        stack: vec![SymbolTable::new(BlockKind::Module, "top", false)],
        starts: vec![0],
        private: None,
        line_of: &line_of,
    };
    for stmt in &module.body {
        b.visit_stmt(stmt)?;
    }
    let _ = b.line_of;
    let mut top = b.stack.pop().expect("module table");
    let mut free = HashSet::new();
    let mut global = HashSet::new();
    analyze_block(&mut top, None, &mut free, &mut global)?;
    Ok(top)
}

impl Builder<'_> {
    fn cur(&mut self) -> &mut SymbolTable {
        self.stack.last_mut().expect("a block is always open")
    }

    fn add_def(&mut self, name: &str, flag: u32, at: usize) -> Result<()> {
        let mangled = mangle(self.private.as_deref(), name);
        let cur = self.cur();
        let flags = cur.flags_mut(&mangled);
        if flag & DEF_PARAM != 0 && *flags & DEF_PARAM != 0 {
            return Err(SyntaxError::at_node(
                format!("duplicate argument '{name}' in function definition"),
                at,
            ));
        }
        *flags |= flag;
        if flag & DEF_PARAM != 0 {
            cur.varnames.push(mangled.clone());
        }
        // symtable.c records every `global` declaration in the module's table too, so a
        // module-level store of that name becomes STORE_GLOBAL.
        if flag & DEF_GLOBAL != 0 {
            *self.stack[0].flags_mut(&mangled) |= flag;
        }
        Ok(())
    }

    fn enter(&mut self, kind: BlockKind, name: &str, start: usize) {
        self.starts.push(start);
        let parent = self.stack.last().expect("a block is always open");
        let nested = parent.nested || parent.kind == BlockKind::Function;
        self.stack.push(SymbolTable::new(kind, name, nested));
    }

    fn exit(&mut self, key: ScopeKey) {
        self.starts.pop();
        let table = self.stack.pop().expect("entered before");
        let cur = self.cur();
        cur.child_order.push(key);
        cur.children.insert(key, table);
    }

    fn visit_body(&mut self, body: &[Stmt]) -> Result<()> {
        body.iter().try_for_each(|s| self.visit_stmt(s))
    }

    fn visit_params(&mut self, args: &Arguments) -> Result<()> {
        for a in &args.args {
            self.add_def(&a.name, DEF_PARAM, a.span.start)?;
        }
        for a in &args.kwonlyargs {
            self.add_def(&a.name, DEF_PARAM, a.span.start)?;
        }
        if let Some(a) = &args.vararg {
            self.add_def(&a.name, DEF_PARAM, a.span.start)?;
            self.cur().has_varargs = true;
        }
        if let Some(a) = &args.kwarg {
            self.add_def(&a.name, DEF_PARAM, a.span.start)?;
            self.cur().has_varkeywords = true;
        }
        Ok(())
    }

    fn visit_defaults(&mut self, args: &Arguments) -> Result<()> {
        args.defaults.iter().try_for_each(|e| self.visit_expr(e))?;
        args.kw_defaults
            .iter()
            .flatten()
            .try_for_each(|e| self.visit_expr(e))
    }

    fn visit_annotations(&mut self, args: &Arguments) -> Result<()> {
        let all = args
            .args
            .iter()
            .chain(&args.vararg)
            .chain(&args.kwonlyargs)
            .chain(&args.kwarg);
        for a in all {
            if let Some(ann) = &a.annotation {
                self.visit_expr(ann)?;
            }
        }
        Ok(())
    }

    fn declare(&mut self, names: &[String], flag: u32, at: usize) -> Result<()> {
        let (what, after_assign, after_use, annot) = if flag == DEF_GLOBAL {
            (
                "global",
                "is assigned to before global declaration",
                "is used prior to global declaration",
                "can't be global",
            )
        } else {
            (
                "nonlocal",
                "is assigned to before nonlocal declaration",
                "is used prior to nonlocal declaration",
                "can't be nonlocal",
            )
        };
        let _ = what;
        for name in names {
            let mangled = mangle(self.private.as_deref(), name);
            let cur = self.cur().flags(&mangled);
            if cur & (DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                let msg = if cur & DEF_ANNOT != 0 {
                    format!("annotated name '{name}' {annot}")
                } else if cur & DEF_LOCAL != 0 {
                    format!("name '{name}' {after_assign}")
                } else {
                    format!("name '{name}' {after_use}")
                };
                return Err(SyntaxError::at_node(msg, at));
            }
            self.add_def(name, flag, at)?;
            self.cur().directives.push((mangled, at));
        }
        Ok(())
    }

    fn visit_stmt(&mut self, s: &Stmt) -> Result<()> {
        let at = s.span.start;
        match &s.node {
            StmtKind::FunctionDef {
                name,
                args,
                body,
                decorator_list,
                returns,
                is_async,
            } => {
                self.add_def(name, DEF_LOCAL, at)?;
                self.visit_defaults(args)?;
                self.visit_annotations(args)?;
                if let Some(r) = returns {
                    self.visit_expr(r)?;
                }
                decorator_list.iter().try_for_each(|d| self.visit_expr(d))?;
                self.enter(BlockKind::Function, name, s.span.start);
                self.cur().is_coroutine = *is_async;
                self.visit_params(args)?;
                self.visit_body(body)?;
                self.exit((s.span.start, s.span.end));
            }
            StmtKind::ClassDef {
                name,
                bases,
                keywords,
                body,
                decorator_list,
            } => {
                self.add_def(name, DEF_LOCAL, at)?;
                bases.iter().try_for_each(|e| self.visit_expr(e))?;
                keywords
                    .iter()
                    .try_for_each(|k| self.visit_expr(&k.value))?;
                decorator_list.iter().try_for_each(|d| self.visit_expr(d))?;
                self.enter(BlockKind::Class, name, s.span.start);
                let saved = self.private.replace(name.clone());
                self.visit_body(body)?;
                self.private = saved;
                self.exit((s.span.start, s.span.end));
            }
            StmtKind::Return(value) => {
                if let Some(v) = value {
                    self.visit_expr(v)?;
                    self.cur().returns_value = true;
                }
            }
            StmtKind::Delete(targets) => targets
                .iter()
                .try_for_each(|t| self.visit_target(t, DEF_LOCAL))?,
            StmtKind::Assign { targets, value } => {
                targets
                    .iter()
                    .try_for_each(|t| self.visit_target(t, DEF_LOCAL))?;
                self.visit_expr(value)?;
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => {
                if let ExprKind::Name(n) = &target.node {
                    let mangled = mangle(self.private.as_deref(), n);
                    let cur = self.cur().flags(&mangled);
                    if cur & (DEF_GLOBAL | DEF_NONLOCAL) != 0 && cur & DEF_ANNOT == 0 {
                        let which = if cur & DEF_GLOBAL != 0 {
                            "global"
                        } else {
                            "nonlocal"
                        };
                        return Err(SyntaxError::at_node(
                            format!("annotated name '{n}' can't be {which}"),
                            target.span.start,
                        ));
                    }
                    if *simple {
                        self.add_def(n, DEF_ANNOT | DEF_LOCAL, target.span.start)?;
                    } else if value.is_some() {
                        self.add_def(n, DEF_LOCAL, target.span.start)?;
                    }
                } else {
                    self.visit_target(target, DEF_LOCAL)?;
                }
                self.visit_expr(annotation)?;
                if let Some(v) = value {
                    self.visit_expr(v)?;
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.visit_target(target, DEF_LOCAL)?;
                self.visit_expr(value)?;
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
                ..
            } => {
                self.visit_target(target, DEF_LOCAL)?;
                self.visit_expr(iter)?;
                self.visit_body(body)?;
                self.visit_body(orelse)?;
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                self.visit_expr(test)?;
                self.visit_body(body)?;
                self.visit_body(orelse)?;
            }
            StmtKind::With { items, body, .. } => {
                for item in items {
                    self.visit_expr(&item.context_expr)?;
                    if let Some(v) = &item.optional_vars {
                        self.visit_target(v, DEF_LOCAL)?;
                    }
                }
                self.visit_body(body)?;
            }
            StmtKind::Raise { exc, cause } => {
                exc.iter()
                    .chain(cause)
                    .try_for_each(|e| self.visit_expr(e))?;
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.visit_body(body)?;
                self.visit_body(orelse)?;
                for h in handlers {
                    if let Some(t) = &h.typ {
                        self.visit_expr(t)?;
                    }
                    if let Some(n) = &h.name {
                        self.add_def(n, DEF_LOCAL, h.span.start)?;
                    }
                    self.visit_body(&h.body)?;
                }
                self.visit_body(finalbody)?;
            }
            StmtKind::Assert { test, msg } => {
                self.visit_expr(test)?;
                msg.iter().try_for_each(|m| self.visit_expr(m))?;
            }
            StmtKind::Import(names) => {
                for alias in names {
                    let store = alias
                        .asname
                        .clone()
                        .unwrap_or_else(|| alias.name.split('.').next().unwrap_or("").to_string());
                    self.add_def(&store, DEF_IMPORT, at)?;
                }
            }
            StmtKind::ImportFrom { names, .. } => {
                for alias in names {
                    if alias.name == "*" {
                        if self.cur().kind != BlockKind::Module {
                            // 3.7 reports it at the enclosing def or class.
                            let scope_at = self.starts.last().copied().unwrap_or(at);
                            return Err(SyntaxError::at_node(
                                "import * only allowed at module level",
                                scope_at,
                            ));
                        }
                        continue;
                    }
                    let store = alias.asname.as_ref().unwrap_or(&alias.name).clone();
                    self.add_def(&store, DEF_IMPORT, at)?;
                }
            }
            StmtKind::Global(names) => self.declare(names, DEF_GLOBAL, at)?,
            StmtKind::Nonlocal(names) => self.declare(names, DEF_NONLOCAL, at)?,
            StmtKind::Expr(e) => self.visit_expr(e)?,
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
        }
        Ok(())
    }

    /// A target in a store or delete context.
    fn visit_target(&mut self, e: &Expr, flag: u32) -> Result<()> {
        match &e.node {
            ExprKind::Name(n) => self.add_def(n, flag, e.span.start),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().try_for_each(|i| self.visit_target(i, flag))
            }
            ExprKind::Starred(inner) => self.visit_target(inner, flag),
            _ => self.visit_expr(e),
        }
    }

    fn visit_comprehension(
        &mut self,
        e: &Expr,
        name: &str,
        generators: &[Comprehension],
        elt: &Expr,
        value: Option<&Expr>,
        is_generator: bool,
    ) -> Result<()> {
        let outermost = &generators[0];
        self.visit_expr(&outermost.iter)?;
        self.enter(BlockKind::Function, name, e.span.start);
        if outermost.is_async {
            self.cur().is_coroutine = true;
        }
        self.cur().is_generator = is_generator;
        self.add_def(".0", DEF_PARAM, e.span.start)?;
        self.visit_target(&outermost.target, DEF_LOCAL)?;
        outermost.ifs.iter().try_for_each(|c| self.visit_expr(c))?;
        for g in &generators[1..] {
            if g.is_async {
                self.cur().is_coroutine = true;
            }
            self.visit_target(&g.target, DEF_LOCAL)?;
            self.visit_expr(&g.iter)?;
            g.ifs.iter().try_for_each(|c| self.visit_expr(c))?;
        }
        if let Some(v) = value {
            self.visit_expr(v)?;
        }
        self.visit_expr(elt)?;
        self.exit((e.span.start, e.span.end));
        Ok(())
    }

    fn visit_expr(&mut self, e: &Expr) -> Result<()> {
        match &e.node {
            ExprKind::Name(n) => {
                self.add_def(n, USE, e.span.start)?;
                if n == "super" && self.cur().kind == BlockKind::Function {
                    self.add_def("__class__", USE, e.span.start)?;
                }
                Ok(())
            }
            ExprKind::Constant(_) => Ok(()),
            ExprKind::JoinedStr(v) | ExprKind::Set(v) | ExprKind::List(v) | ExprKind::Tuple(v) => {
                v.iter().try_for_each(|x| self.visit_expr(x))
            }
            ExprKind::BoolOp { values, .. } => values.iter().try_for_each(|x| self.visit_expr(x)),
            ExprKind::FormattedValue {
                value, format_spec, ..
            } => {
                self.visit_expr(value)?;
                format_spec.iter().try_for_each(|s| self.visit_expr(s))
            }
            ExprKind::BinOp { left, right, .. } => {
                self.visit_expr(left)?;
                self.visit_expr(right)
            }
            ExprKind::UnaryOp { operand, .. } => self.visit_expr(operand),
            ExprKind::Lambda { args, body } => {
                self.visit_defaults(args)?;
                self.enter(BlockKind::Function, "lambda", e.span.start);
                self.visit_params(args)?;
                self.visit_expr(body)?;
                self.exit((e.span.start, e.span.end));
                Ok(())
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.visit_expr(test)?;
                self.visit_expr(body)?;
                self.visit_expr(orelse)
            }
            ExprKind::Dict { keys, values } => {
                for (k, v) in keys.iter().zip(values) {
                    if let Some(k) = k {
                        self.visit_expr(k)?;
                    }
                    self.visit_expr(v)?;
                }
                Ok(())
            }
            ExprKind::ListComp { elt, generators } => {
                self.visit_comprehension(e, "listcomp", generators, elt, None, false)
            }
            ExprKind::SetComp { elt, generators } => {
                self.visit_comprehension(e, "setcomp", generators, elt, None, false)
            }
            ExprKind::GeneratorExp { elt, generators } => {
                self.visit_comprehension(e, "genexpr", generators, elt, None, true)
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.visit_comprehension(e, "dictcomp", generators, key, Some(value), false),
            ExprKind::Await(v) => {
                // An await inside a comprehension makes it an asynchronous comprehension,
                // whose result the enclosing coroutine awaits.
                if matches!(
                    self.cur().name.as_str(),
                    "listcomp" | "setcomp" | "dictcomp" | "genexpr"
                ) {
                    self.cur().is_coroutine = true;
                }
                self.visit_expr(v)
            }
            ExprKind::Yield(v) => {
                self.cur().is_generator = true;
                v.iter().try_for_each(|x| self.visit_expr(x))
            }
            ExprKind::YieldFrom(v) => {
                self.cur().is_generator = true;
                self.visit_expr(v)
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.visit_expr(left)?;
                comparators.iter().try_for_each(|x| self.visit_expr(x))
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.visit_expr(func)?;
                args.iter().try_for_each(|x| self.visit_expr(x))?;
                keywords.iter().try_for_each(|k| self.visit_expr(&k.value))
            }
            ExprKind::Attribute { value, .. } => self.visit_expr(value),
            ExprKind::Subscript { value, slice } => {
                self.visit_expr(value)?;
                self.visit_expr(slice)
            }
            ExprKind::Starred(v) => self.visit_expr(v),
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.visit_expr(part)?;
                }
                Ok(())
            }
        }
    }
}

/// symtable.c's analyze_block: resolves every name's scope, then the children's.
fn analyze_block(
    ste: &mut SymbolTable,
    bound: Option<&HashSet<String>>,
    free: &mut HashSet<String>,
    global: &mut HashSet<String>,
) -> Result<()> {
    let mut local: HashSet<String> = HashSet::new();
    let mut newglobal: HashSet<String> = HashSet::new();
    let mut newfree: HashSet<String> = HashSet::new();
    let mut newbound: HashSet<String> = HashSet::new();
    // Class namespaces are invisible to nested functions: pass down what came in.
    if ste.kind == BlockKind::Class {
        newglobal.extend(global.iter().cloned());
        if let Some(b) = bound {
            newbound.extend(b.iter().cloned());
        }
    }
    let symbols = ste.symbols.clone();
    let mut bound_local: Option<HashSet<String>> = bound.cloned();
    for (name, flags) in &symbols {
        analyze_name(
            ste,
            name,
            *flags,
            bound_local.as_mut(),
            &mut local,
            free,
            global,
        )?;
    }
    if ste.kind != BlockKind::Class {
        if ste.kind == BlockKind::Function {
            newbound.extend(local.iter().cloned());
        }
        if let Some(b) = bound {
            newbound.extend(b.iter().cloned());
        }
        newglobal.extend(global.iter().cloned());
    } else {
        newbound.insert("__class__".to_string());
    }
    let mut allfree: HashSet<String> = HashSet::new();
    let order = ste.child_order.clone();
    for key in order {
        let child = ste.children.get_mut(&key).expect("child recorded");
        let mut child_free: HashSet<String> = HashSet::new();
        let mut child_global = newglobal.clone();
        let child_bound = newbound.clone();
        analyze_block(
            child,
            Some(&child_bound),
            &mut child_free,
            &mut child_global,
        )?;
        allfree.extend(child_free);
        if child.has_free || child.child_free {
            ste.child_free = true;
        }
    }
    newfree.extend(allfree);
    if ste.kind == BlockKind::Function {
        // analyze_cells: locals that children close over become cells.
        let locals: Vec<String> = ste
            .scopes
            .iter()
            .filter(|(_, s)| **s == Scope::Local)
            .map(|(n, _)| n.clone())
            .collect();
        for name in locals {
            if newfree.remove(&name) {
                ste.scopes.insert(name, Scope::Cell);
            }
        }
    } else if ste.kind == BlockKind::Class && newfree.remove("__class__") {
        ste.needs_class_closure = true;
    }
    // update_symbols: free names of children that pass through this block.
    let class_flag = ste.kind == BlockKind::Class;
    let mut pass_through: Vec<String> = newfree.iter().cloned().collect();
    pass_through.sort();
    for name in pass_through {
        if let Some(entry) = ste.symbols.iter_mut().find(|(n, _)| *n == name) {
            if class_flag && entry.1 & (DEF_BOUND | DEF_GLOBAL) != 0 {
                entry.1 |= DEF_FREE_CLASS;
            }
            continue;
        }
        if let Some(b) = bound
            && !b.contains(&name)
        {
            continue;
        }
        ste.symbols.push((name.clone(), 0));
        ste.scopes.insert(name, Scope::Free);
    }
    free.extend(newfree);
    Ok(())
}

fn analyze_name(
    ste: &mut SymbolTable,
    name: &str,
    flags: u32,
    bound: Option<&mut HashSet<String>>,
    local: &mut HashSet<String>,
    free: &mut HashSet<String>,
    global: &mut HashSet<String>,
) -> Result<()> {
    let set = |ste: &mut SymbolTable, scope| {
        ste.scopes.insert(name.to_string(), scope);
    };
    // 3.7 points these errors at the `global`/`nonlocal` statement.
    let directive = ste
        .directives
        .iter()
        .find(|(n, _)| n == name)
        .map_or(0, |(_, at)| *at);
    let err = |msg: String| Err::<(), _>(SyntaxError::new(msg, directive));
    if flags & DEF_GLOBAL != 0 {
        if flags & DEF_PARAM != 0 {
            return err(format!("name '{name}' is parameter and global"));
        }
        if flags & DEF_NONLOCAL != 0 {
            return err(format!("name '{name}' is nonlocal and global"));
        }
        set(ste, Scope::GlobalExplicit);
        global.insert(name.to_string());
        if let Some(b) = bound {
            b.remove(name);
        }
        return Ok(());
    }
    if flags & DEF_NONLOCAL != 0 {
        if flags & DEF_PARAM != 0 {
            return err(format!("name '{name}' is parameter and nonlocal"));
        }
        let Some(b) = bound else {
            return err("nonlocal declaration not allowed at module level".to_string());
        };
        if !b.contains(name) {
            return err(format!("no binding for nonlocal '{name}' found"));
        }
        set(ste, Scope::Free);
        ste.has_free = true;
        free.insert(name.to_string());
        return Ok(());
    }
    if flags & DEF_BOUND != 0 {
        set(ste, Scope::Local);
        local.insert(name.to_string());
        global.remove(name);
        return Ok(());
    }
    if let Some(b) = &bound
        && b.contains(name)
    {
        set(ste, Scope::Free);
        ste.has_free = true;
        free.insert(name.to_string());
        return Ok(());
    }
    if global.contains(name) {
        set(ste, Scope::GlobalImplicit);
        return Ok(());
    }
    if ste.nested {
        ste.has_free = true;
    }
    set(ste, Scope::GlobalImplicit);
    Ok(())
}
