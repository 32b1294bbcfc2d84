//! Function and class definitions: defaults and keyword defaults, annotations, decorators,
//! closures (MAKE_FUNCTION's flags), and the class body protocol (LOAD_BUILD_CLASS,
//! `__module__`, `__qualname__`, `__class__` cell), as 3.7's compile.c emits them.

use super::codegen::docstring;
use super::unit::{Compiler, Ctx, Result, ScopeType};
use crate::bytecode::opcode::make_function;
use crate::bytecode::{ConstValue, Opcode};
use crate::syntax::ast::*;

impl<'a> Compiler<'a> {
    /// Pushes defaults and keyword-only defaults; returns MAKE_FUNCTION's flags for them.
    pub fn default_arguments(&mut self, args: &'a Arguments) -> Result<u32> {
        let mut flags = 0;
        if !args.defaults.is_empty() {
            args.defaults.iter().try_for_each(|d| self.expr(d))?;
            self.emit(Opcode::BUILD_TUPLE, args.defaults.len() as u32);
            flags |= make_function::DEFAULTS;
        }
        let mut keys = Vec::new();
        for (arg, default) in args.kwonlyargs.iter().zip(&args.kw_defaults) {
            if let Some(d) = default {
                let mangled = super::symtable::mangle(self.unit().private.as_deref(), &arg.name);
                keys.push(ConstValue::Str(mangled));
                self.expr(d)?;
            }
        }
        if !keys.is_empty() {
            let n = keys.len() as u32;
            self.load_const(ConstValue::Tuple(keys));
            self.emit(Opcode::BUILD_CONST_KEY_MAP, n);
            flags |= make_function::KWDEFAULTS;
        }
        Ok(flags)
    }

    pub(super) fn annotations(
        &mut self,
        args: &'a Arguments,
        returns: Option<&'a Expr>,
    ) -> Result<bool> {
        let mut names = Vec::new();
        let mut visit = |c: &mut Self, name: &str, ann: Option<&'a Expr>| -> Result<()> {
            if let Some(a) = ann {
                c.expr(a)?;
                names.push(ConstValue::Str(super::symtable::mangle(
                    c.unit().private.as_deref(),
                    name,
                )));
            }
            Ok(())
        };
        for a in &args.args {
            visit(self, &a.name, a.annotation.as_ref())?;
        }
        if let Some(a) = &args.vararg {
            visit(self, &a.name, a.annotation.as_ref())?;
        }
        for a in &args.kwonlyargs {
            visit(self, &a.name, a.annotation.as_ref())?;
        }
        if let Some(a) = &args.kwarg {
            visit(self, &a.name, a.annotation.as_ref())?;
        }
        visit(self, "return", returns)?;
        if names.is_empty() {
            return Ok(false);
        }
        let n = names.len() as u32;
        self.load_const(ConstValue::Tuple(names));
        self.emit(Opcode::BUILD_CONST_KEY_MAP, n);
        Ok(true)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn function_def(
        &mut self,
        s: &'a Stmt,
        name: &str,
        args: &'a Arguments,
        body: &'a [Stmt],
        decorators: &'a [Expr],
        returns: Option<&'a Expr>,
        is_async: bool,
    ) -> Result<()> {
        decorators.iter().try_for_each(|d| self.expr(d))?;
        let firstlineno = decorators
            .first()
            .map_or(self.line(s.span.start), |d| self.line(d.span.start));
        let mut flags = self.default_arguments(args)?;
        if self.annotations(args, returns)? {
            flags |= make_function::ANNOTATIONS;
        }
        let ste = self.unit().ste.child((s.span.start, s.span.end));
        let scope = if is_async {
            ScopeType::AsyncFunction
        } else {
            ScopeType::Function
        };
        self.enter_scope(name, scope, ste, firstlineno);
        let doc = docstring(body);
        self.add_const(doc.map_or(ConstValue::None, |d| ConstValue::Str(d.to_string())));
        self.u().argcount = args.args.len() as u32;
        self.u().kwonlyargcount = args.kwonlyargs.len() as u32;
        let stmts = if doc.is_some() { &body[1..] } else { body };
        self.stmts(stmts)?;
        let qualname = self.unit().qualname.clone();
        let code = self.exit_scope(true);
        self.make_closure(code, flags, &qualname);
        for _ in decorators {
            self.emit(Opcode::CALL_FUNCTION, 1);
        }
        self.nameop(name, Ctx::Store);
        Ok(())
    }

    pub(super) fn class_def(
        &mut self,
        s: &'a Stmt,
        name: &str,
        bases: &'a [Expr],
        keywords: &'a [Keyword],
        body: &'a [Stmt],
        decorators: &'a [Expr],
    ) -> Result<()> {
        decorators.iter().try_for_each(|d| self.expr(d))?;
        let firstlineno = decorators
            .first()
            .map_or(self.line(s.span.start), |d| self.line(d.span.start));
        let ste = self.unit().ste.child((s.span.start, s.span.end));
        self.enter_scope(name, ScopeType::Class, ste, firstlineno);
        self.nameop("__name__", Ctx::Load);
        self.nameop("__module__", Ctx::Store);
        let qualname = self.unit().qualname.clone();
        self.load_const(ConstValue::Str(qualname));
        self.nameop("__qualname__", Ctx::Store);
        self.body(body)?;
        if ste.needs_class_closure {
            self.emit(Opcode::LOAD_CLOSURE, 0);
            self.emit(Opcode::DUP_TOP, 0);
            self.nameop("__classcell__", Ctx::Store);
        } else {
            self.load_const(ConstValue::None);
        }
        self.emit(Opcode::RETURN_VALUE, 0);
        let code = self.exit_scope(true);
        self.emit(Opcode::LOAD_BUILD_CLASS, 0);
        self.make_closure(code, 0, name);
        self.load_const(ConstValue::Str(name.to_string()));
        self.call_helper(2, bases, keywords)?;
        for _ in decorators {
            self.emit(Opcode::CALL_FUNCTION, 1);
        }
        self.nameop(name, Ctx::Store);
        Ok(())
    }
}
