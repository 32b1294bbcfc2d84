//! Statement code generation (CPython 3.7's compile.c): module, function and class bodies,
//! loops with SETUP_LOOP/POP_BLOCK, try/except/finally with SETUP_EXCEPT/SETUP_FINALLY/
//! END_FINALLY and the hidden cleanup of `except E as e`, with, imports, assignments.

use super::unit::{BlockId, Compiler, Ctx, FBlock, Result, ScopeType};
use crate::bytecode::{ConstValue, Opcode};
use crate::syntax::ast::*;

/// The docstring of a body: its first statement when that is a string literal.
pub fn docstring(body: &[Stmt]) -> Option<&str> {
    match body.first().map(|s| &s.node) {
        Some(StmtKind::Expr(Expr {
            node: ExprKind::Constant(Constant::Str(s)),
            ..
        })) => Some(s),
        _ => None,
    }
}

/// Whether a body holds an annotated assignment (outside nested defs and classes).
fn find_ann(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.node {
        StmtKind::AnnAssign { .. } => true,
        StmtKind::For { body, orelse, .. }
        | StmtKind::While { body, orelse, .. }
        | StmtKind::If { body, orelse, .. } => find_ann(body) || find_ann(orelse),
        StmtKind::With { body, .. } => find_ann(body),
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            find_ann(body)
                || find_ann(orelse)
                || find_ann(finalbody)
                || handlers.iter().any(|h| find_ann(&h.body))
        }
        _ => false,
    })
}

pub fn is_const(e: &Expr) -> bool {
    matches!(e.node, ExprKind::Constant(_))
}

impl<'a> Compiler<'a> {
    /// compiler_body: annotations set-up, the docstring, then the statements.
    pub fn body(&mut self, body: &'a [Stmt]) -> Result<()> {
        let doc = docstring(body);
        let stmts = if doc.is_some() { &body[1..] } else { body };
        if self.unit().scope_type == ScopeType::Module
            && self.unit().lineno == 0
            && let Some(first) = body.first()
        {
            // SETUP_ANNOTATIONS takes the line of the module's first statement.
            let line = self.line(first.span.start);
            self.u().lineno = line;
        }
        if find_ann(stmts) {
            self.emit(Opcode::SETUP_ANNOTATIONS, 0);
        }
        if let Some(doc) = doc
            && let StmtKind::Expr(doc_expr) = &body[0].node
        {
            self.set_stmt_line(doc_expr.span);
            self.load_const(ConstValue::Str(doc.to_string()));
            self.nameop("__doc__", Ctx::Store);
        }
        self.stmts(stmts)
    }

    pub fn stmts(&mut self, body: &'a [Stmt]) -> Result<()> {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn in_loop(&self) -> bool {
        self.unit().fblocks.iter().any(|(k, _)| *k == FBlock::Loop)
    }

    pub fn stmt(&mut self, s: &'a Stmt) -> Result<()> {
        self.set_stmt_line(s.span);
        match &s.node {
            StmtKind::FunctionDef {
                name,
                args,
                body,
                decorator_list,
                returns,
                is_async,
            } => self.function_def(
                s,
                name,
                args,
                body,
                decorator_list,
                returns.as_ref(),
                *is_async,
            ),
            StmtKind::ClassDef {
                name,
                bases,
                keywords,
                body,
                decorator_list,
            } => self.class_def(s, name, bases, keywords, body, decorator_list),
            StmtKind::Return(value) => {
                if self.unit().ste.kind != super::symtable::BlockKind::Function {
                    return self.error("'return' outside function", s.span);
                }
                match value {
                    Some(v) => {
                        if self.unit().ste.is_coroutine && self.unit().ste.is_generator {
                            return self.error("'return' with value in async generator", s.span);
                        }
                        self.expr(v)?;
                    }
                    None => self.load_const(ConstValue::None),
                }
                self.emit(Opcode::RETURN_VALUE, 0);
                Ok(())
            }
            StmtKind::Delete(targets) => targets.iter().try_for_each(|t| self.target(t, Ctx::Del)),
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                for (i, t) in targets.iter().enumerate() {
                    if i + 1 < targets.len() {
                        self.emit(Opcode::DUP_TOP, 0);
                    }
                    self.target(t, Ctx::Store)?;
                }
                Ok(())
            }
            StmtKind::AugAssign { target, op, value } => self.aug_assign(target, *op, value),
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
                simple,
            } => self.ann_assign(target, annotation, value.as_ref(), *simple),
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
                is_async,
            } => {
                if *is_async {
                    self.async_for(s, target, iter, body, orelse)
                } else {
                    self.for_loop(s, target, iter, body, orelse)
                }
            }
            StmtKind::While { test, body, orelse } => self.while_loop(s, test, body, orelse),
            StmtKind::If { test, body, orelse } => self.if_stmt(test, body, orelse),
            StmtKind::With {
                items,
                body,
                is_async,
            } => self.with(s, items, 0, body, *is_async),
            StmtKind::Raise { exc, cause } => {
                let mut n = 0;
                if let Some(e) = exc {
                    self.expr(e)?;
                    n += 1;
                    if let Some(c) = cause {
                        self.expr(c)?;
                        n += 1;
                    }
                }
                self.emit(Opcode::RAISE_VARARGS, n);
                Ok(())
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                if finalbody.is_empty() {
                    self.try_except(s, body, handlers, orelse)
                } else {
                    self.try_finally(s, body, handlers, orelse, finalbody)
                }
            }
            StmtKind::Assert { test, msg } => {
                let end = self.new_block();
                self.jump_if(test, end, true)?;
                self.emit_name(Opcode::LOAD_GLOBAL, "AssertionError");
                if let Some(m) = msg {
                    self.expr(m)?;
                    self.emit(Opcode::CALL_FUNCTION, 1);
                }
                self.emit(Opcode::RAISE_VARARGS, 1);
                self.use_next_block(end);
                Ok(())
            }
            StmtKind::Import(names) => {
                for alias in names {
                    self.load_const(ConstValue::Int(0.into()));
                    self.load_const(ConstValue::None);
                    self.emit_name(Opcode::IMPORT_NAME, &alias.name);
                    match &alias.asname {
                        Some(asname) => self.import_as(&alias.name, asname),
                        None => {
                            let first = alias.name.split('.').next().unwrap_or_default();
                            self.nameop(first, Ctx::Store);
                        }
                    }
                }
                Ok(())
            }
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => {
                self.load_const(ConstValue::Int((*level).into()));
                let tuple = names
                    .iter()
                    .map(|a| ConstValue::Str(a.name.clone()))
                    .collect();
                self.load_const(ConstValue::Tuple(tuple));
                self.emit_name(Opcode::IMPORT_NAME, module.as_deref().unwrap_or(""));
                for (i, alias) in names.iter().enumerate() {
                    if i == 0 && alias.name == "*" {
                        self.emit(Opcode::IMPORT_STAR, 0);
                        return Ok(());
                    }
                    self.emit_name(Opcode::IMPORT_FROM, &alias.name);
                    self.nameop(alias.asname.as_ref().unwrap_or(&alias.name), Ctx::Store);
                }
                self.emit(Opcode::POP_TOP, 0);
                Ok(())
            }
            StmtKind::Global(_) | StmtKind::Nonlocal(_) | StmtKind::Pass => Ok(()),
            StmtKind::Expr(e) => {
                if self.interactive && self.units.len() == 1 {
                    // As the interactive prompt: the value goes to sys.displayhook.
                    self.expr(e)?;
                    self.emit(Opcode::PRINT_EXPR, 0);
                    return Ok(());
                }
                if is_const(e) {
                    return Ok(());
                }
                self.expr(e)?;
                self.emit(Opcode::POP_TOP, 0);
                Ok(())
            }
            StmtKind::Break => {
                if !self.in_loop() {
                    return self.error("'break' outside loop", s.span);
                }
                self.emit(Opcode::BREAK_LOOP, 0);
                Ok(())
            }
            StmtKind::Continue => self.continue_stmt(s),
        }
    }

    fn continue_stmt(&mut self, s: &Stmt) -> Result<()> {
        const LOOP_ERROR: &str = "'continue' not properly in loop";
        const FINALLY_ERROR: &str = "'continue' not supported inside 'finally' clause";
        let fblocks = self.unit().fblocks.clone();
        let Some(&(kind, block)) = fblocks.last() else {
            return self.error(LOOP_ERROR, s.span);
        };
        match kind {
            FBlock::Loop => {
                self.emit_jump(Opcode::JUMP_ABSOLUTE, block);
                Ok(())
            }
            FBlock::Except | FBlock::FinallyTry => {
                for &(k, b) in fblocks[..fblocks.len() - 1].iter().rev() {
                    match k {
                        FBlock::Loop => {
                            self.emit_jump(Opcode::CONTINUE_LOOP, b);
                            return Ok(());
                        }
                        FBlock::FinallyEnd => return self.error(FINALLY_ERROR, s.span),
                        _ => {}
                    }
                }
                self.error(LOOP_ERROR, s.span)
            }
            FBlock::FinallyEnd => self.error(FINALLY_ERROR, s.span),
        }
    }

    fn import_as(&mut self, name: &str, asname: &str) {
        let mut parts = name.split('.').skip(1).peekable();
        if parts.peek().is_none() {
            self.nameop(asname, Ctx::Store);
            return;
        }
        while let Some(attr) = parts.next() {
            self.emit_name(Opcode::IMPORT_FROM, attr);
            if parts.peek().is_none() {
                break;
            }
            self.emit(Opcode::ROT_TWO, 0);
            self.emit(Opcode::POP_TOP, 0);
        }
        self.nameop(asname, Ctx::Store);
        self.emit(Opcode::POP_TOP, 0);
    }

    fn for_loop(
        &mut self,
        s: &Stmt,
        target: &'a Expr,
        iter: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) -> Result<()> {
        let start = self.new_block();
        let cleanup = self.new_block();
        let end = self.new_block();
        self.loop_prologue(s, iter, Opcode::GET_ITER, start, end)?;
        self.emit_jump(Opcode::FOR_ITER, cleanup);
        self.target(target, Ctx::Store)?;
        self.stmts(body)?;
        self.emit_jump(Opcode::JUMP_ABSOLUTE, start);
        self.use_next_block(cleanup);
        self.emit(Opcode::POP_BLOCK, 0);
        self.pop_fblock();
        self.stmts(orelse)?;
        self.use_next_block(end);
        Ok(())
    }

    /// SETUP_LOOP, the iterator (GET_ITER or GET_AITER), then the loop's first block.
    fn loop_prologue(
        &mut self,
        s: &Stmt,
        iter: &'a Expr,
        get_iter: Opcode,
        start: BlockId,
        end: BlockId,
    ) -> Result<()> {
        self.emit_jump(Opcode::SETUP_LOOP, end);
        self.push_fblock(FBlock::Loop, start, s.span)?;
        self.expr(iter)?;
        self.emit(get_iter, 0);
        self.use_next_block(start);
        Ok(())
    }

    fn async_for(
        &mut self,
        s: &Stmt,
        target: &'a Expr,
        iter: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) -> Result<()> {
        if self.unit().scope_type != ScopeType::AsyncFunction {
            return self.error("'async for' outside async function", s.span);
        }
        let try_ = self.new_block();
        let except = self.new_block();
        let end = self.new_block();
        let after_try = self.new_block();
        let try_cleanup = self.new_block();
        let after_loop_else = self.new_block();
        self.loop_prologue(s, iter, Opcode::GET_AITER, try_, end)?;
        self.async_next(target, try_, except, after_try, try_cleanup, s.span)?;
        self.stmts(body)?;
        self.emit_jump(Opcode::JUMP_ABSOLUTE, try_);
        self.async_cleanup(try_cleanup);
        self.emit(Opcode::POP_BLOCK, 0);
        self.pop_fblock();
        self.use_next_block(after_loop_else);
        self.stmts(orelse)?;
        self.use_next_block(end);
        Ok(())
    }

    /// The body of one `async for` step (3.7): await the next item into `target`, and on
    /// StopAsyncIteration jump to `try_cleanup`; the loop goes on at `after_try`.
    pub fn async_next(
        &mut self,
        target: &'a Expr,
        try_: BlockId,
        except: BlockId,
        after_try: BlockId,
        try_cleanup: BlockId,
        span: Span,
    ) -> Result<()> {
        self.emit_jump(Opcode::SETUP_EXCEPT, except);
        self.push_fblock(FBlock::Except, try_, span)?;
        self.emit(Opcode::GET_ANEXT, 0);
        self.load_const(ConstValue::None);
        self.emit(Opcode::YIELD_FROM, 0);
        self.target(target, Ctx::Store)?;
        self.emit(Opcode::POP_BLOCK, 0);
        self.pop_fblock();
        self.emit_jump(Opcode::JUMP_FORWARD, after_try);
        self.use_next_block(except);
        self.emit(Opcode::DUP_TOP, 0);
        self.emit_name(Opcode::LOAD_GLOBAL, "StopAsyncIteration");
        self.emit(Opcode::COMPARE_OP, 10);
        self.emit_jump(Opcode::POP_JUMP_IF_TRUE, try_cleanup);
        self.emit(Opcode::END_FINALLY, 0);
        self.use_next_block(after_try);
        Ok(())
    }

    /// Where an exhausted `async for` lands: drop the exception and its handler block.
    pub fn async_cleanup(&mut self, try_cleanup: BlockId) {
        self.use_next_block(try_cleanup);
        for _ in 0..3 {
            self.emit(Opcode::POP_TOP, 0);
        }
        self.emit(Opcode::POP_EXCEPT, 0);
        self.emit(Opcode::POP_TOP, 0);
    }

    /// 1 for a constant true test, 0 for a constant false one, -1 otherwise (expr_constant).
    fn constant_truth(e: &Expr) -> i8 {
        match &e.node {
            ExprKind::Constant(c) => i8::from(crate::compile::to_const(c).is_true()),
            ExprKind::Name(n) if n == "__debug__" => 1,
            _ => -1,
        }
    }

    fn while_loop(
        &mut self,
        s: &Stmt,
        test: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
    ) -> Result<()> {
        let constant = Self::constant_truth(test);
        if constant == 0 {
            return self.stmts(orelse);
        }
        let loop_ = self.new_block();
        let end = self.new_block();
        let anchor = if constant == -1 {
            Some(self.new_block())
        } else {
            None
        };
        self.emit_jump(Opcode::SETUP_LOOP, end);
        self.use_next_block(loop_);
        self.push_fblock(FBlock::Loop, loop_, s.span)?;
        if let Some(anchor) = anchor {
            self.jump_if(test, anchor, false)?;
        }
        self.stmts(body)?;
        self.emit_jump(Opcode::JUMP_ABSOLUTE, loop_);
        if let Some(anchor) = anchor {
            self.use_next_block(anchor);
        }
        self.emit(Opcode::POP_BLOCK, 0);
        self.pop_fblock();
        self.stmts(orelse)?;
        self.use_next_block(end);
        Ok(())
    }

    fn if_stmt(&mut self, test: &'a Expr, body: &'a [Stmt], orelse: &'a [Stmt]) -> Result<()> {
        let end = self.new_block();
        match Self::constant_truth(test) {
            0 => self.stmts(orelse)?,
            1 => self.stmts(body)?,
            _ => {
                let next = if orelse.is_empty() {
                    end
                } else {
                    self.new_block()
                };
                self.jump_if(test, next, false)?;
                self.stmts(body)?;
                if !orelse.is_empty() {
                    self.emit_jump(Opcode::JUMP_FORWARD, end);
                    self.use_next_block(next);
                    self.stmts(orelse)?;
                }
            }
        }
        self.use_next_block(end);
        Ok(())
    }

    fn with(
        &mut self,
        s: &'a Stmt,
        items: &'a [WithItem],
        pos: usize,
        body: &'a [Stmt],
        is_async: bool,
    ) -> Result<()> {
        if is_async && self.unit().scope_type != ScopeType::AsyncFunction {
            return self.error("'async with' outside async function", s.span);
        }
        let item = &items[pos];
        let block = self.new_block();
        let finally = self.new_block();
        self.expr(&item.context_expr)?;
        if is_async {
            self.emit(Opcode::BEFORE_ASYNC_WITH, 0);
            self.await_value();
            self.emit_jump(Opcode::SETUP_ASYNC_WITH, finally);
        } else {
            self.emit_jump(Opcode::SETUP_WITH, finally);
        }
        self.use_next_block(block);
        self.push_fblock(FBlock::FinallyTry, block, s.span)?;
        match &item.optional_vars {
            Some(v) => self.target(v, Ctx::Store)?,
            None => self.emit(Opcode::POP_TOP, 0),
        }
        if pos + 1 == items.len() {
            self.stmts(body)?;
        } else {
            self.with(s, items, pos + 1, body, is_async)?;
        }
        self.emit(Opcode::POP_BLOCK, 0);
        self.pop_fblock();
        self.load_const(ConstValue::None);
        self.use_next_block(finally);
        self.push_fblock(FBlock::FinallyEnd, finally, s.span)?;
        self.emit(Opcode::WITH_CLEANUP_START, 0);
        if is_async {
            self.await_value();
        }
        self.emit(Opcode::WITH_CLEANUP_FINISH, 0);
        self.emit(Opcode::END_FINALLY, 0);
        self.pop_fblock();
        Ok(())
    }

    /// GET_AWAITABLE; LOAD_CONST None; YIELD_FROM: what `await` compiles to.
    pub fn await_value(&mut self) {
        self.emit(Opcode::GET_AWAITABLE, 0);
        self.load_const(ConstValue::None);
        self.emit(Opcode::YIELD_FROM, 0);
    }

    fn try_finally(
        &mut self,
        s: &'a Stmt,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
        finalbody: &'a [Stmt],
    ) -> Result<()> {
        let body_block = self.new_block();
        let end = self.new_block();
        self.emit_jump(Opcode::SETUP_FINALLY, end);
        self.use_next_block(body_block);
        self.push_fblock(FBlock::FinallyTry, body_block, s.span)?;
        if handlers.is_empty() {
            self.stmts(body)?;
        } else {
            self.try_except(s, body, handlers, orelse)?;
        }
        self.emit(Opcode::POP_BLOCK, 0);
        self.pop_fblock();
        self.load_const(ConstValue::None);
        self.use_next_block(end);
        self.push_fblock(FBlock::FinallyEnd, end, s.span)?;
        self.stmts(finalbody)?;
        self.emit(Opcode::END_FINALLY, 0);
        self.pop_fblock();
        Ok(())
    }

    fn try_except(
        &mut self,
        s: &'a Stmt,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
    ) -> Result<()> {
        let body_block = self.new_block();
        let mut except = self.new_block();
        let orelse_block = self.new_block();
        let end = self.new_block();
        self.emit_jump(Opcode::SETUP_EXCEPT, except);
        self.use_next_block(body_block);
        self.push_fblock(FBlock::Except, body_block, s.span)?;
        self.stmts(body)?;
        self.emit(Opcode::POP_BLOCK, 0);
        self.pop_fblock();
        self.emit_jump(Opcode::JUMP_FORWARD, orelse_block);
        self.use_next_block(except);
        for (i, handler) in handlers.iter().enumerate() {
            if handler.typ.is_none() && i + 1 < handlers.len() {
                return self.error("default 'except:' must be last", handler.span);
            }
            let line = self.line(handler.span.start);
            self.u().lineno = line;
            self.u().lineno_set = false;
            except = self.new_block();
            if let Some(t) = &handler.typ {
                self.emit(Opcode::DUP_TOP, 0);
                self.expr(t)?;
                self.emit(Opcode::COMPARE_OP, 10);
                self.emit_jump(Opcode::POP_JUMP_IF_FALSE, except);
            }
            self.emit(Opcode::POP_TOP, 0);
            if let Some(name) = &handler.name {
                let cleanup_end = self.new_block();
                let cleanup_body = self.new_block();
                self.nameop(name, Ctx::Store);
                self.emit(Opcode::POP_TOP, 0);
                self.emit_jump(Opcode::SETUP_FINALLY, cleanup_end);
                self.use_next_block(cleanup_body);
                self.push_fblock(FBlock::FinallyTry, cleanup_body, handler.span)?;
                self.stmts(&handler.body)?;
                self.emit(Opcode::POP_BLOCK, 0);
                self.pop_fblock();
                self.load_const(ConstValue::None);
                self.use_next_block(cleanup_end);
                self.push_fblock(FBlock::FinallyEnd, cleanup_end, handler.span)?;
                self.load_const(ConstValue::None);
                self.nameop(name, Ctx::Store);
                self.nameop(name, Ctx::Del);
                self.emit(Opcode::END_FINALLY, 0);
                self.emit(Opcode::POP_EXCEPT, 0);
                self.pop_fblock();
            } else {
                let cleanup_body = self.new_block();
                self.emit(Opcode::POP_TOP, 0);
                self.emit(Opcode::POP_TOP, 0);
                self.use_next_block(cleanup_body);
                self.push_fblock(FBlock::FinallyTry, cleanup_body, handler.span)?;
                self.stmts(&handler.body)?;
                self.emit(Opcode::POP_EXCEPT, 0);
                self.pop_fblock();
            }
            self.emit_jump(Opcode::JUMP_FORWARD, end);
            self.use_next_block(except);
        }
        self.emit(Opcode::END_FINALLY, 0);
        self.use_next_block(orelse_block);
        self.stmts(orelse)?;
        self.use_next_block(end);
        Ok(())
    }
}

pub fn inplace_opcode(op: Operator) -> Opcode {
    match op {
        Operator::Add => Opcode::INPLACE_ADD,
        Operator::Sub => Opcode::INPLACE_SUBTRACT,
        Operator::Mult => Opcode::INPLACE_MULTIPLY,
        Operator::MatMult => Opcode::INPLACE_MATRIX_MULTIPLY,
        Operator::Div => Opcode::INPLACE_TRUE_DIVIDE,
        Operator::FloorDiv => Opcode::INPLACE_FLOOR_DIVIDE,
        Operator::Mod => Opcode::INPLACE_MODULO,
        Operator::Pow => Opcode::INPLACE_POWER,
        Operator::LShift => Opcode::INPLACE_LSHIFT,
        Operator::RShift => Opcode::INPLACE_RSHIFT,
        Operator::BitOr => Opcode::INPLACE_OR,
        Operator::BitXor => Opcode::INPLACE_XOR,
        Operator::BitAnd => Opcode::INPLACE_AND,
    }
}
