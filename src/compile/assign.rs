//! Assignment code generation: targets (names, attributes, subscripts, starred and nested
//! unpacking), augmented assignment (`n += 1`: load, INPLACE_*, store) and annotated
//! assignment (SETUP_ANNOTATIONS, `__annotations__`), as 3.7's compile.c emits them.

use super::codegen::inplace_opcode;
use super::unit::{Compiler, Ctx, Result, ScopeType};
use crate::bytecode::{ConstValue, Opcode};
use crate::syntax::ast::*;

impl<'a> Compiler<'a> {
    pub(super) fn aug_assign(
        &mut self,
        target: &'a Expr,
        op: Operator,
        value: &'a Expr,
    ) -> Result<()> {
        let inplace = inplace_opcode(op);
        match &target.node {
            ExprKind::Name(n) => {
                self.nameop(n, Ctx::Load);
                self.expr(value)?;
                self.emit(inplace, 0);
                self.nameop(n, Ctx::Store);
            }
            ExprKind::Attribute { value: obj, attr } => {
                self.set_expr_line(target.span);
                self.expr(obj)?;
                self.emit(Opcode::DUP_TOP, 0);
                self.emit_name(Opcode::LOAD_ATTR, attr);
                self.expr(value)?;
                self.emit(inplace, 0);
                self.emit(Opcode::ROT_TWO, 0);
                self.emit_name(Opcode::STORE_ATTR, attr);
            }
            ExprKind::Subscript { value: obj, slice } => {
                self.set_expr_line(target.span);
                self.expr(obj)?;
                self.slice(slice)?;
                self.emit(Opcode::DUP_TOP_TWO, 0);
                self.emit(Opcode::BINARY_SUBSCR, 0);
                self.expr(value)?;
                self.emit(inplace, 0);
                self.emit(Opcode::ROT_THREE, 0);
                self.emit(Opcode::STORE_SUBSCR, 0);
            }
            _ => return self.error("illegal expression for augmented assignment", target.span),
        }
        Ok(())
    }

    pub(super) fn ann_assign(
        &mut self,
        target: &'a Expr,
        annotation: &'a Expr,
        value: Option<&'a Expr>,
        simple: bool,
    ) -> Result<()> {
        if let Some(v) = value {
            self.expr(v)?;
            self.target(target, Ctx::Store)?;
        }
        let module_or_class =
            matches!(self.unit().scope_type, ScopeType::Module | ScopeType::Class);
        match &target.node {
            ExprKind::Name(n) if simple && module_or_class => {
                self.expr(annotation)?;
                self.emit_name(Opcode::LOAD_NAME, "__annotations__");
                let mangled = super::symtable::mangle(self.unit().private.as_deref(), n);
                self.load_const(ConstValue::Str(mangled));
                self.emit(Opcode::STORE_SUBSCR, 0);
            }
            ExprKind::Attribute { value: obj, .. } if value.is_none() => {
                self.expr(obj)?;
                self.emit(Opcode::POP_TOP, 0);
            }
            ExprKind::Subscript { value: obj, slice } if value.is_none() => {
                self.expr(obj)?;
                self.emit(Opcode::POP_TOP, 0);
                self.ann_subscr(slice)?;
            }
            _ => {}
        }
        if !simple && module_or_class {
            self.expr(annotation)?;
            self.emit(Opcode::POP_TOP, 0);
        }
        Ok(())
    }

    pub(super) fn ann_subscr(&mut self, slice: &'a Expr) -> Result<()> {
        match &slice.node {
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.expr(part)?;
                    self.emit(Opcode::POP_TOP, 0);
                }
                Ok(())
            }
            ExprKind::Tuple(items)
                if items
                    .iter()
                    .any(|i| matches!(i.node, ExprKind::Slice { .. })) =>
            {
                items.iter().try_for_each(|i| self.ann_subscr(i))
            }
            _ => {
                self.expr(slice)?;
                self.emit(Opcode::POP_TOP, 0);
                Ok(())
            }
        }
    }

    /// Targets of an assignment, `for`, `with ... as` or `del`.
    pub fn target(&mut self, t: &'a Expr, ctx: Ctx) -> Result<()> {
        self.set_expr_line(t.span);
        match &t.node {
            ExprKind::Name(n) => {
                self.nameop(n, ctx);
                Ok(())
            }
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                let op = if ctx == Ctx::Del {
                    Opcode::DELETE_ATTR
                } else {
                    Opcode::STORE_ATTR
                };
                self.emit_name(op, attr);
                Ok(())
            }
            ExprKind::Subscript { value, slice } => {
                self.expr(value)?;
                self.slice(slice)?;
                let op = if ctx == Ctx::Del {
                    Opcode::DELETE_SUBSCR
                } else {
                    Opcode::STORE_SUBSCR
                };
                self.emit(op, 0);
                Ok(())
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                if ctx == Ctx::Del {
                    return items.iter().try_for_each(|i| self.target(i, Ctx::Del));
                }
                let mut seen_star = false;
                for (i, item) in items.iter().enumerate() {
                    if let ExprKind::Starred(_) = item.node {
                        if seen_star {
                            return self.error("two starred expressions in assignment", t.span);
                        }
                        let after = items.len() - i - 1;
                        if i >= 256 {
                            return self.error(
                                "too many expressions in star-unpacking assignment",
                                t.span,
                            );
                        }
                        self.emit(Opcode::UNPACK_EX, (i + (after << 8)) as u32);
                        seen_star = true;
                    }
                }
                if !seen_star {
                    self.emit(Opcode::UNPACK_SEQUENCE, items.len() as u32);
                }
                for item in items {
                    match &item.node {
                        ExprKind::Starred(inner) => self.target(inner, Ctx::Store)?,
                        _ => self.target(item, Ctx::Store)?,
                    }
                }
                Ok(())
            }
            ExprKind::Starred(_) => self.error(
                "starred assignment target must be in a list or tuple",
                t.span,
            ),
            _ => self.error("can't assign to expression", t.span),
        }
    }
}
