//! The one place that includes the LALRPOP-generated parser: entry points for a module and
//! an f-string field, the conversion of every `lalrpop_util::ParseError` into a
//! `SyntaxError` with CPython 3.7's wording, and the nesting limit that keeps later
//! recursive passes off the edge of the stack.

use super::ast::*;
use super::error::SyntaxError;
use super::lexer::Layout;
use super::token::Tok;
use lalrpop_util::ParseError;

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        unused_parens,
        unused_imports,
        unused_variables,
        dead_code
    )]
    grammar,
    "/minipy.rs"
);

/// Deeper expression or statement nesting than this is a SyntaxError.
pub const MAX_NESTING: usize = 600;

/// Parses a whole file.
pub fn parse_module(src: &str) -> Result<Module, SyntaxError> {
    let module = grammar::ModuleParser::new()
        .parse(Layout::new(src))
        .map_err(|e| convert(e, src.len()))?;
    check_nesting(&module)?;
    Ok(module)
}

/// Parses the expression of an f-string field found at byte `offset` of the file.
pub fn parse_fstring_expression(text: &str, offset: usize) -> Result<Expr, SyntaxError> {
    let wrapped = format!("({text})");
    let base = offset.saturating_sub(1);
    let module = grammar::ModuleParser::new()
        .parse(Layout::with_base(&wrapped, base))
        .map_err(|e| convert(e, base + wrapped.len()))?;
    match module.body.as_slice() {
        [
            Stmt {
                node: StmtKind::Expr(e),
                ..
            },
        ] => Ok(e.clone()),
        _ => Err(SyntaxError::new("f-string: invalid expression", offset)),
    }
}

fn convert(err: ParseError<usize, Tok, SyntaxError>, eof: usize) -> SyntaxError {
    match err {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => SyntaxError::new("invalid syntax", location),
        ParseError::UnrecognizedEof { location, .. } => {
            SyntaxError::new("unexpected EOF while parsing", location)
        }
        ParseError::UnrecognizedToken {
            token: (start, tok, end),
            expected,
        } => {
            let at_eof = start >= eof;
            if tok == Tok::Indent {
                SyntaxError::indentation("unexpected indent", end)
            } else if at_eof {
                SyntaxError::new("unexpected EOF while parsing", start)
            } else if expected.iter().any(|e| e == "Indent") {
                SyntaxError::indentation(
                    "expected an indented block",
                    end.saturating_sub(1).max(start),
                )
            } else {
                SyntaxError::new("invalid syntax", start)
            }
        }
        ParseError::ExtraToken {
            token: (start, _, _),
        } => SyntaxError::new("invalid syntax", start),
    }
}

/// Rejects trees nested deeper than `MAX_NESTING`, without recursing past that depth itself.
fn check_nesting(module: &Module) -> Result<(), SyntaxError> {
    for stmt in &module.body {
        stmt_depth(stmt, 0)?;
    }
    Ok(())
}

fn too_deep(offset: usize) -> SyntaxError {
    SyntaxError::new("too many nested expressions or blocks", offset)
}

fn stmt_depth(stmt: &Stmt, depth: usize) -> Result<(), SyntaxError> {
    if depth > MAX_NESTING {
        return Err(too_deep(stmt.span.start));
    }
    let d = depth + 1;
    let mut exprs: Vec<&Expr> = Vec::new();
    let mut blocks: Vec<&Vec<Stmt>> = Vec::new();
    match &stmt.node {
        StmtKind::FunctionDef {
            args,
            body,
            decorator_list,
            returns,
            ..
        } => {
            exprs.extend(decorator_list);
            exprs.extend(returns);
            exprs.extend(args_exprs(args));
            blocks.push(body);
        }
        StmtKind::ClassDef {
            bases,
            keywords,
            body,
            decorator_list,
            ..
        } => {
            exprs.extend(bases);
            exprs.extend(keywords.iter().map(|k| &k.value));
            exprs.extend(decorator_list);
            blocks.push(body);
        }
        StmtKind::Return(e) => exprs.extend(e),
        StmtKind::Delete(t) => exprs.extend(t),
        StmtKind::Assign { targets, value } => {
            exprs.extend(targets);
            exprs.push(value);
        }
        StmtKind::AugAssign { target, value, .. } => exprs.extend([target, value]),
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
            ..
        } => {
            exprs.extend([target, annotation]);
            exprs.extend(value);
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
            ..
        } => {
            exprs.extend([target, iter]);
            blocks.extend([body, orelse]);
        }
        StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
            exprs.push(test);
            blocks.extend([body, orelse]);
        }
        StmtKind::With { items, body, .. } => {
            for item in items {
                exprs.push(&item.context_expr);
                exprs.extend(&item.optional_vars);
            }
            blocks.push(body);
        }
        StmtKind::Raise { exc, cause } => {
            exprs.extend(exc);
            exprs.extend(cause);
        }
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            blocks.extend([body, orelse, finalbody]);
            for h in handlers {
                exprs.extend(&h.typ);
                blocks.push(&h.body);
            }
        }
        StmtKind::Assert { test, msg } => {
            exprs.push(test);
            exprs.extend(msg);
        }
        StmtKind::Expr(e) => exprs.push(e),
        StmtKind::Import(_)
        | StmtKind::ImportFrom { .. }
        | StmtKind::Global(_)
        | StmtKind::Nonlocal(_)
        | StmtKind::Pass
        | StmtKind::Break
        | StmtKind::Continue => {}
    }
    for e in exprs {
        expr_depth(e, d)?;
    }
    for block in blocks {
        for s in block {
            stmt_depth(s, d)?;
        }
    }
    Ok(())
}

fn args_exprs(args: &Arguments) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    out.extend(&args.defaults);
    out.extend(args.kw_defaults.iter().flatten());
    let all = args
        .args
        .iter()
        .chain(&args.vararg)
        .chain(&args.kwonlyargs)
        .chain(&args.kwarg);
    out.extend(all.filter_map(|a| a.annotation.as_ref()));
    out
}

fn expr_depth(e: &Expr, depth: usize) -> Result<(), SyntaxError> {
    if depth > MAX_NESTING {
        return Err(too_deep(e.span.start));
    }
    let d = depth + 1;
    let visit = |x: &Expr| expr_depth(x, d);
    let comps = |gens: &[Comprehension]| -> Result<(), SyntaxError> {
        for g in gens {
            visit(&g.target)?;
            visit(&g.iter)?;
            g.ifs.iter().try_for_each(visit)?;
        }
        Ok(())
    };
    match &e.node {
        ExprKind::Name(_) | ExprKind::Constant(_) => Ok(()),
        ExprKind::JoinedStr(v)
        | ExprKind::Set(v)
        | ExprKind::List(v)
        | ExprKind::Tuple(v)
        | ExprKind::BoolOp { values: v, .. } => v.iter().try_for_each(visit),
        ExprKind::FormattedValue {
            value, format_spec, ..
        } => {
            visit(value)?;
            format_spec.iter().try_for_each(|s| visit(s))
        }
        ExprKind::BinOp { left, right, .. } => {
            visit(left)?;
            visit(right)
        }
        ExprKind::UnaryOp { operand, .. } => visit(operand),
        ExprKind::Lambda { args, body } => {
            args_exprs(args).into_iter().try_for_each(visit)?;
            visit(body)
        }
        ExprKind::IfExp { test, body, orelse } => {
            visit(test)?;
            visit(body)?;
            visit(orelse)
        }
        ExprKind::Dict { keys, values } => {
            keys.iter().flatten().try_for_each(visit)?;
            values.iter().try_for_each(visit)
        }
        ExprKind::ListComp { elt, generators }
        | ExprKind::SetComp { elt, generators }
        | ExprKind::GeneratorExp { elt, generators } => {
            visit(elt)?;
            comps(generators)
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => {
            visit(key)?;
            visit(value)?;
            comps(generators)
        }
        ExprKind::Await(x) | ExprKind::YieldFrom(x) | ExprKind::Starred(x) => visit(x),
        ExprKind::Yield(x) => x.iter().try_for_each(|x| visit(x)),
        ExprKind::Compare {
            left, comparators, ..
        } => {
            visit(left)?;
            comparators.iter().try_for_each(visit)
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            visit(func)?;
            args.iter().try_for_each(visit)?;
            keywords.iter().try_for_each(|k| visit(&k.value))
        }
        ExprKind::Attribute { value, .. } => visit(value),
        ExprKind::Subscript { value, slice } => {
            visit(value)?;
            visit(slice)
        }
        ExprKind::Slice { lower, upper, step } => {
            for part in [lower, upper, step].into_iter().flatten() {
                visit(part)?;
            }
            Ok(())
        }
    }
}
