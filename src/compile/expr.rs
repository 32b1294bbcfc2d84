//! Expression code generation (CPython 3.7's compile.c): operators, boolean jumps
//! (compiler_jump_if), calls with LOAD_METHOD/CALL_METHOD, CALL_FUNCTION_KW and
//! CALL_FUNCTION_EX, displays with unpacking, comprehensions, lambdas, f-strings, yield, await.

use super::symtable::BlockKind;
use super::to_const;
use super::unit::{BlockId, Compiler, Ctx, Result, ScopeType};
use crate::bytecode::{ConstValue, Opcode};
use crate::syntax::ast::*;

fn binary_opcode(op: Operator) -> Opcode {
    match op {
        Operator::Add => Opcode::BINARY_ADD,
        Operator::Sub => Opcode::BINARY_SUBTRACT,
        Operator::Mult => Opcode::BINARY_MULTIPLY,
        Operator::MatMult => Opcode::BINARY_MATRIX_MULTIPLY,
        Operator::Div => Opcode::BINARY_TRUE_DIVIDE,
        Operator::FloorDiv => Opcode::BINARY_FLOOR_DIVIDE,
        Operator::Mod => Opcode::BINARY_MODULO,
        Operator::Pow => Opcode::BINARY_POWER,
        Operator::LShift => Opcode::BINARY_LSHIFT,
        Operator::RShift => Opcode::BINARY_RSHIFT,
        Operator::BitOr => Opcode::BINARY_OR,
        Operator::BitXor => Opcode::BINARY_XOR,
        Operator::BitAnd => Opcode::BINARY_AND,
    }
}

/// COMPARE_OP's argument (3.7's PyCmp_* numbering, the index into dis.cmp_op).
pub fn cmp_arg(op: CmpOp) -> u32 {
    match op {
        CmpOp::Lt => 0,
        CmpOp::LtE => 1,
        CmpOp::Eq => 2,
        CmpOp::NotEq => 3,
        CmpOp::Gt => 4,
        CmpOp::GtE => 5,
        CmpOp::In => 6,
        CmpOp::NotIn => 7,
        CmpOp::Is => 8,
        CmpOp::IsNot => 9,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum CompKind {
    Gen,
    List,
    Set,
    Dict,
}

impl<'a> Compiler<'a> {
    pub fn expr(&mut self, e: &'a Expr) -> Result<()> {
        self.set_expr_line(e.span);
        match &e.node {
            ExprKind::Name(n) => self.nameop(n, Ctx::Load),
            ExprKind::Constant(c) => self.load_const(to_const(c)),
            ExprKind::JoinedStr(values) => {
                values.iter().try_for_each(|v| self.expr(v))?;
                if values.len() != 1 {
                    self.emit(Opcode::BUILD_STRING, values.len() as u32);
                }
            }
            ExprKind::FormattedValue {
                value,
                conversion,
                format_spec,
            } => {
                self.expr(value)?;
                let mut arg = match conversion {
                    None => 0,
                    Some('s') => 1,
                    Some('r') => 2,
                    _ => 3,
                };
                if let Some(spec) = format_spec {
                    self.expr(spec)?;
                    arg |= 4;
                }
                self.emit(Opcode::FORMAT_VALUE, arg);
            }
            ExprKind::BoolOp { op, values } => {
                let jump = match op {
                    BoolOp::And => Opcode::JUMP_IF_FALSE_OR_POP,
                    BoolOp::Or => Opcode::JUMP_IF_TRUE_OR_POP,
                };
                let end = self.new_block();
                let (last, rest) = values
                    .split_last()
                    .expect("a BoolOp has two or more values");
                for v in rest {
                    self.expr(v)?;
                    self.emit_jump(jump, end);
                }
                self.expr(last)?;
                self.use_next_block(end);
            }
            ExprKind::BinOp { left, op, right } => {
                self.expr(left)?;
                self.expr(right)?;
                self.emit(binary_opcode(*op), 0);
            }
            ExprKind::UnaryOp { op, operand } => {
                self.expr(operand)?;
                self.emit(
                    match op {
                        UnaryOp::Invert => Opcode::UNARY_INVERT,
                        UnaryOp::Not => Opcode::UNARY_NOT,
                        UnaryOp::UAdd => Opcode::UNARY_POSITIVE,
                        UnaryOp::USub => Opcode::UNARY_NEGATIVE,
                    },
                    0,
                );
            }
            ExprKind::Lambda { args, body } => self.lambda(e, args, body)?,
            ExprKind::IfExp { test, body, orelse } => {
                let end = self.new_block();
                let next = self.new_block();
                self.jump_if(test, next, false)?;
                self.expr(body)?;
                self.emit_jump(Opcode::JUMP_FORWARD, end);
                self.use_next_block(next);
                self.expr(orelse)?;
                self.use_next_block(end);
            }
            ExprKind::Dict { keys, values } => self.dict(keys, values)?,
            ExprKind::Set(items) => self.starunpack(
                items,
                Opcode::BUILD_SET,
                Opcode::BUILD_SET,
                Opcode::BUILD_SET_UNPACK,
            )?,
            ExprKind::List(items) => self.starunpack(
                items,
                Opcode::BUILD_LIST,
                Opcode::BUILD_TUPLE,
                Opcode::BUILD_LIST_UNPACK,
            )?,
            ExprKind::Tuple(items) => self.starunpack(
                items,
                Opcode::BUILD_TUPLE,
                Opcode::BUILD_TUPLE,
                Opcode::BUILD_TUPLE_UNPACK,
            )?,
            ExprKind::ListComp { elt, generators } => {
                self.comprehension(e, "<listcomp>", CompKind::List, generators, elt, None)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension(e, "<setcomp>", CompKind::Set, generators, elt, None)?
            }
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension(e, "<genexpr>", CompKind::Gen, generators, elt, None)?
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(
                e,
                "<dictcomp>",
                CompKind::Dict,
                generators,
                key,
                Some(value),
            )?,
            ExprKind::Await(v) => {
                if self.unit().ste.kind != BlockKind::Function {
                    return self.error("'await' outside function", e.span);
                }
                if !matches!(
                    self.unit().scope_type,
                    ScopeType::AsyncFunction | ScopeType::Comprehension
                ) {
                    return self.error("'await' outside async function", e.span);
                }
                self.expr(v)?;
                self.await_value();
            }
            ExprKind::Yield(v) => {
                if self.unit().ste.kind != BlockKind::Function {
                    return self.error("'yield' outside function", e.span);
                }
                match v {
                    Some(v) => self.expr(v)?,
                    None => self.load_const(ConstValue::None),
                }
                self.emit(Opcode::YIELD_VALUE, 0);
            }
            ExprKind::YieldFrom(v) => {
                if self.unit().ste.kind != BlockKind::Function {
                    return self.error("'yield' outside function", e.span);
                }
                if self.unit().scope_type == ScopeType::AsyncFunction {
                    return self.error("'yield from' inside async function", e.span);
                }
                self.expr(v)?;
                self.emit(Opcode::GET_YIELD_FROM_ITER, 0);
                self.load_const(ConstValue::None);
                self.emit(Opcode::YIELD_FROM, 0);
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => self.compare(left, ops, comparators)?,
            ExprKind::Call {
                func,
                args,
                keywords,
            } => self.call(func, args, keywords)?,
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                self.emit_name(Opcode::LOAD_ATTR, attr);
            }
            ExprKind::Subscript { value, slice } => {
                self.expr(value)?;
                self.slice(slice)?;
                self.emit(Opcode::BINARY_SUBSCR, 0);
            }
            ExprKind::Starred(_) => return self.error("can't use starred expression here", e.span),
            ExprKind::Slice { .. } => self.build_slice(e)?,
        }
        Ok(())
    }

    /// The subscript of `x[...]`: an index, a slice, or a tuple of them (an extended slice).
    pub fn slice(&mut self, s: &'a Expr) -> Result<()> {
        match &s.node {
            ExprKind::Slice { .. } => self.build_slice(s),
            ExprKind::Tuple(items)
                if items
                    .iter()
                    .any(|i| matches!(i.node, ExprKind::Slice { .. })) =>
            {
                for item in items {
                    match item.node {
                        ExprKind::Slice { .. } => self.build_slice(item)?,
                        _ => self.expr(item)?,
                    }
                }
                self.emit(Opcode::BUILD_TUPLE, items.len() as u32);
                Ok(())
            }
            _ => self.expr(s),
        }
    }

    fn build_slice(&mut self, s: &'a Expr) -> Result<()> {
        let ExprKind::Slice { lower, upper, step } = &s.node else {
            unreachable!("build_slice is only called on slices")
        };
        for part in [lower, upper] {
            match part {
                Some(p) => self.expr(p)?,
                None => self.load_const(ConstValue::None),
            }
        }
        let mut n = 2;
        if let Some(st) = step {
            self.expr(st)?;
            n = 3;
        }
        self.emit(Opcode::BUILD_SLICE, n);
        Ok(())
    }

    /// compiler_jump_if: jumps to `target` when `e` is `cond`, with 3.7's special cases
    /// for `not`, `and`/`or`, conditional expressions and chained comparisons.
    pub fn jump_if(&mut self, e: &'a Expr, target: BlockId, cond: bool) -> Result<()> {
        match &e.node {
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => return self.jump_if(operand, target, !cond),
            ExprKind::BoolOp { op, values } => {
                let cond2 = *op == BoolOp::Or;
                let next2 = if cond2 != cond {
                    self.new_block()
                } else {
                    target
                };
                let (last, rest) = values
                    .split_last()
                    .expect("a BoolOp has two or more values");
                for v in rest {
                    self.jump_if(v, next2, cond2)?;
                }
                self.jump_if(last, target, cond)?;
                if next2 != target {
                    self.use_next_block(next2);
                }
                return Ok(());
            }
            ExprKind::IfExp { test, body, orelse } => {
                let end = self.new_block();
                let next2 = self.new_block();
                self.jump_if(test, next2, false)?;
                self.jump_if(body, target, cond)?;
                self.emit_jump(Opcode::JUMP_FORWARD, end);
                self.use_next_block(next2);
                self.jump_if(orelse, target, cond)?;
                self.use_next_block(end);
                return Ok(());
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() > 1 => {
                self.set_expr_line(e.span);
                let cleanup = self.new_block();
                self.expr(left)?;
                let n = ops.len() - 1;
                for i in 0..n {
                    self.expr(&comparators[i])?;
                    self.emit(Opcode::DUP_TOP, 0);
                    self.emit(Opcode::ROT_THREE, 0);
                    self.emit(Opcode::COMPARE_OP, cmp_arg(ops[i]));
                    self.emit_jump(Opcode::POP_JUMP_IF_FALSE, cleanup);
                    self.next_block();
                }
                self.expr(&comparators[n])?;
                self.emit(Opcode::COMPARE_OP, cmp_arg(ops[n]));
                let jump = if cond {
                    Opcode::POP_JUMP_IF_TRUE
                } else {
                    Opcode::POP_JUMP_IF_FALSE
                };
                self.emit_jump(jump, target);
                let end = self.new_block();
                self.emit_jump(Opcode::JUMP_FORWARD, end);
                self.use_next_block(cleanup);
                self.emit(Opcode::POP_TOP, 0);
                if !cond {
                    self.emit_jump(Opcode::JUMP_FORWARD, target);
                }
                self.use_next_block(end);
                return Ok(());
            }
            _ => {}
        }
        self.expr(e)?;
        let jump = if cond {
            Opcode::POP_JUMP_IF_TRUE
        } else {
            Opcode::POP_JUMP_IF_FALSE
        };
        self.emit_jump(jump, target);
        Ok(())
    }

    fn compare(&mut self, left: &'a Expr, ops: &[CmpOp], comparators: &'a [Expr]) -> Result<()> {
        self.expr(left)?;
        let n = ops.len() - 1;
        if n == 0 {
            self.expr(&comparators[0])?;
            self.emit(Opcode::COMPARE_OP, cmp_arg(ops[0]));
            return Ok(());
        }
        let cleanup = self.new_block();
        for i in 0..n {
            self.expr(&comparators[i])?;
            self.emit(Opcode::DUP_TOP, 0);
            self.emit(Opcode::ROT_THREE, 0);
            self.emit(Opcode::COMPARE_OP, cmp_arg(ops[i]));
            self.emit_jump(Opcode::JUMP_IF_FALSE_OR_POP, cleanup);
            self.next_block();
        }
        self.expr(&comparators[n])?;
        self.emit(Opcode::COMPARE_OP, cmp_arg(ops[n]));
        let end = self.new_block();
        self.emit_jump(Opcode::JUMP_FORWARD, end);
        self.use_next_block(cleanup);
        self.emit(Opcode::ROT_TWO, 0);
        self.emit(Opcode::POP_TOP, 0);
        self.use_next_block(end);
        Ok(())
    }

    fn starunpack(
        &mut self,
        items: &'a [Expr],
        single: Opcode,
        inner: Opcode,
        outer: Opcode,
    ) -> Result<()> {
        let mut nsubitems = 0;
        let mut nseen = 0;
        for item in items {
            if let ExprKind::Starred(v) = &item.node {
                if nseen > 0 {
                    self.emit(inner, nseen);
                    nseen = 0;
                    nsubitems += 1;
                }
                self.expr(v)?;
                nsubitems += 1;
            } else {
                self.expr(item)?;
                nseen += 1;
            }
        }
        if nsubitems > 0 {
            if nseen > 0 {
                self.emit(inner, nseen);
                nsubitems += 1;
            }
            self.emit(outer, nsubitems);
        } else {
            self.emit(single, nseen);
        }
        Ok(())
    }

    fn subdict(&mut self, keys: &'a [Option<Expr>], values: &'a [Expr]) -> Result<()> {
        let n = keys.len();
        let all_const = keys.iter().all(|k| {
            matches!(
                k,
                Some(Expr {
                    node: ExprKind::Constant(_),
                    ..
                })
            )
        });
        if n > 1 && all_const {
            values.iter().try_for_each(|v| self.expr(v))?;
            let consts = keys
                .iter()
                .map(|k| match k {
                    Some(Expr {
                        node: ExprKind::Constant(c),
                        ..
                    }) => to_const(c),
                    _ => unreachable!("checked all_const"),
                })
                .collect();
            self.load_const(ConstValue::Tuple(consts));
            self.emit(Opcode::BUILD_CONST_KEY_MAP, n as u32);
        } else {
            for (k, v) in keys.iter().zip(values) {
                self.expr(k.as_ref().expect("no unpacking inside a sub-dict"))?;
                self.expr(v)?;
            }
            self.emit(Opcode::BUILD_MAP, n as u32);
        }
        Ok(())
    }

    fn dict(&mut self, keys: &'a [Option<Expr>], values: &'a [Expr]) -> Result<()> {
        let n = values.len();
        let mut containers = 0;
        let mut elements = 0;
        let mut is_unpacking = false;
        for i in 0..n {
            is_unpacking = keys[i].is_none();
            if elements == 0xFFFF || (elements > 0 && is_unpacking) {
                self.subdict(&keys[i - elements..i], &values[i - elements..i])?;
                containers += 1;
                elements = 0;
            }
            if is_unpacking {
                self.expr(&values[i])?;
                containers += 1;
            } else {
                elements += 1;
            }
        }
        if elements > 0 || containers == 0 {
            self.subdict(&keys[n - elements..], &values[n - elements..])?;
            containers += 1;
        }
        if containers > 1 || is_unpacking {
            self.emit(Opcode::BUILD_MAP_UNPACK, containers);
        }
        Ok(())
    }

    fn call(&mut self, func: &'a Expr, args: &'a [Expr], keywords: &'a [Keyword]) -> Result<()> {
        // maybe_optimize_method_call: `obj.m(a, b)` without keywords or stars.
        if let ExprKind::Attribute { value, attr } = &func.node
            && keywords.is_empty()
            && !args.iter().any(|a| matches!(a.node, ExprKind::Starred(_)))
        {
            self.expr(value)?;
            self.emit_name(Opcode::LOAD_METHOD, attr);
            args.iter().try_for_each(|a| self.expr(a))?;
            self.emit(Opcode::CALL_METHOD, args.len() as u32);
            return Ok(());
        }
        self.expr(func)?;
        self.call_helper(0, args, keywords)
    }

    /// compiler_call_helper: `n` positional arguments are already on the stack.
    pub fn call_helper(&mut self, n: u32, args: &'a [Expr], keywords: &'a [Keyword]) -> Result<()> {
        let must_dict_unpack = keywords.iter().any(|k| k.arg.is_none());
        let mut nseen = n;
        let mut nsubargs = 0;
        for a in args {
            if let ExprKind::Starred(v) = &a.node {
                if nseen > 0 {
                    self.emit(Opcode::BUILD_TUPLE, nseen);
                    nseen = 0;
                    nsubargs += 1;
                }
                self.expr(v)?;
                nsubargs += 1;
            } else {
                self.expr(a)?;
                nseen += 1;
            }
        }
        if nsubargs > 0 || must_dict_unpack {
            if nseen > 0 {
                self.emit(Opcode::BUILD_TUPLE, nseen);
                nsubargs += 1;
            }
            if nsubargs > 1 {
                self.emit(Opcode::BUILD_TUPLE_UNPACK_WITH_CALL, nsubargs);
            } else if nsubargs == 0 {
                self.emit(Opcode::BUILD_TUPLE, 0);
            }
            let mut nseen = 0;
            let mut nsubkwargs = 0;
            for (i, kw) in keywords.iter().enumerate() {
                if kw.arg.is_none() {
                    if nseen > 0 {
                        self.subkwargs(&keywords[i - nseen..i])?;
                        nsubkwargs += 1;
                        nseen = 0;
                    }
                    self.expr(&kw.value)?;
                    nsubkwargs += 1;
                } else {
                    nseen += 1;
                }
            }
            if nseen > 0 {
                self.subkwargs(&keywords[keywords.len() - nseen..])?;
                nsubkwargs += 1;
            }
            if nsubkwargs > 1 {
                self.emit(Opcode::BUILD_MAP_UNPACK_WITH_CALL, nsubkwargs);
            }
            self.emit(Opcode::CALL_FUNCTION_EX, u32::from(nsubkwargs > 0));
        } else if !keywords.is_empty() {
            keywords.iter().try_for_each(|k| self.expr(&k.value))?;
            let names = keywords
                .iter()
                .map(|k| ConstValue::Str(k.arg.clone().expect("no ** here")))
                .collect();
            self.load_const(ConstValue::Tuple(names));
            self.emit(
                Opcode::CALL_FUNCTION_KW,
                n + args.len() as u32 + keywords.len() as u32,
            );
        } else {
            self.emit(Opcode::CALL_FUNCTION, n + args.len() as u32);
        }
        Ok(())
    }

    fn subkwargs(&mut self, keywords: &'a [Keyword]) -> Result<()> {
        let n = keywords.len() as u32;
        if n > 1 {
            keywords.iter().try_for_each(|k| self.expr(&k.value))?;
            let keys = keywords
                .iter()
                .map(|k| ConstValue::Str(k.arg.clone().expect("named keyword")))
                .collect();
            self.load_const(ConstValue::Tuple(keys));
            self.emit(Opcode::BUILD_CONST_KEY_MAP, n);
        } else {
            for k in keywords {
                self.load_const(ConstValue::Str(k.arg.clone().expect("named keyword")));
                self.expr(&k.value)?;
            }
            self.emit(Opcode::BUILD_MAP, n);
        }
        Ok(())
    }

    fn lambda(&mut self, e: &'a Expr, args: &'a Arguments, body: &'a Expr) -> Result<()> {
        let flags = self.default_arguments(args)?;
        let ste = self.unit().ste.child((e.span.start, e.span.end));
        let line = self.line(e.span.start);
        self.enter_scope("<lambda>", ScopeType::Lambda, ste, line);
        self.add_const(ConstValue::None);
        self.u().argcount = args.args.len() as u32;
        self.u().kwonlyargcount = args.kwonlyargs.len() as u32;
        self.expr(body)?;
        let is_generator = self.unit().ste.is_generator;
        if !is_generator {
            self.emit(Opcode::RETURN_VALUE, 0);
        }
        let qualname = self.unit().qualname.clone();
        let code = self.exit_scope(!is_generator);
        self.make_closure(code, flags, &qualname);
        Ok(())
    }

    fn comprehension(
        &mut self,
        e: &'a Expr,
        name: &str,
        kind: CompKind,
        generators: &'a [Comprehension],
        elt: &'a Expr,
        value: Option<&'a Expr>,
    ) -> Result<()> {
        let is_async_function = self.unit().ste.is_coroutine;
        let outermost = &generators[0];
        let ste = self.unit().ste.child((e.span.start, e.span.end));
        let line = self.line(e.span.start);
        self.enter_scope(name, ScopeType::Comprehension, ste, line);
        let is_async_generator = ste.is_coroutine;
        if is_async_generator && !is_async_function && kind != CompKind::Gen {
            return self.error(
                "asynchronous comprehension outside of an asynchronous function",
                e.span,
            );
        }
        match kind {
            CompKind::List => self.emit(Opcode::BUILD_LIST, 0),
            CompKind::Set => self.emit(Opcode::BUILD_SET, 0),
            CompKind::Dict => self.emit(Opcode::BUILD_MAP, 0),
            CompKind::Gen => {}
        }
        self.comprehension_generator(generators, 0, elt, value, kind)?;
        if kind != CompKind::Gen {
            self.emit(Opcode::RETURN_VALUE, 0);
        }
        let qualname = self.unit().qualname.clone();
        let code = self.exit_scope(true);
        self.make_closure(code, 0, &qualname);
        self.expr(&outermost.iter)?;
        self.emit(
            if outermost.is_async {
                Opcode::GET_AITER
            } else {
                Opcode::GET_ITER
            },
            0,
        );
        self.emit(Opcode::CALL_FUNCTION, 1);
        if is_async_generator && kind != CompKind::Gen {
            self.await_value();
        }
        Ok(())
    }

    /// One `for` clause of a comprehension (3.7's sync and async comprehension generators):
    /// fetch the next item into the target, apply the `if`s, then the next clause or the element.
    fn comprehension_generator(
        &mut self,
        generators: &'a [Comprehension],
        index: usize,
        elt: &'a Expr,
        value: Option<&'a Expr>,
        kind: CompKind,
    ) -> Result<()> {
        let g = &generators[index];
        let start = self.new_block();
        let if_cleanup = self.new_block();
        let anchor = self.new_block();
        if index == 0 {
            // The outermost iterator arrives as the implicit argument `.0`.
            self.u().argcount = 1;
            self.emit(Opcode::LOAD_FAST, 0);
        } else {
            self.expr(&g.iter)?;
            self.emit(
                if g.is_async {
                    Opcode::GET_AITER
                } else {
                    Opcode::GET_ITER
                },
                0,
            );
        }
        self.use_next_block(start);
        if g.is_async {
            let except = self.new_block();
            let after_try = self.new_block();
            self.async_next(&g.target, start, except, after_try, anchor, g.target.span)?;
        } else {
            self.emit_jump(Opcode::FOR_ITER, anchor);
            self.next_block();
            self.target(&g.target, Ctx::Store)?;
        }
        for cond in &g.ifs {
            self.jump_if(cond, if_cleanup, false)?;
            self.next_block();
        }
        if index + 1 < generators.len() {
            self.comprehension_generator(generators, index + 1, elt, value, kind)?;
        } else {
            self.comprehension_element(elt, value, kind, index + 2)?;
        }
        self.use_next_block(if_cleanup);
        self.emit_jump(Opcode::JUMP_ABSOLUTE, start);
        if g.is_async {
            self.async_cleanup(anchor);
        } else {
            self.use_next_block(anchor);
        }
        Ok(())
    }

    fn comprehension_element(
        &mut self,
        elt: &'a Expr,
        value: Option<&'a Expr>,
        kind: CompKind,
        depth: usize,
    ) -> Result<()> {
        let depth = depth as u32;
        match kind {
            CompKind::Gen => {
                self.expr(elt)?;
                self.emit(Opcode::YIELD_VALUE, 0);
                self.emit(Opcode::POP_TOP, 0);
            }
            CompKind::List => {
                self.expr(elt)?;
                self.emit(Opcode::LIST_APPEND, depth);
            }
            CompKind::Set => {
                self.expr(elt)?;
                self.emit(Opcode::SET_ADD, depth);
            }
            CompKind::Dict => {
                // 3.7 evaluates the value before the key.
                self.expr(value.expect("a dict comprehension has a value"))?;
                self.expr(elt)?;
                self.emit(Opcode::MAP_ADD, depth);
            }
        }
        Ok(())
    }
}
