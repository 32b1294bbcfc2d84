//! Helpers the grammar's actions call: target checks with CPython 3.7's messages
//! (ast.c's set_context), parameter and argument list assembly, comprehension
//! folding and string joining.

use super::ast::*;
use super::error::SyntaxError;
use super::literal;
use super::token::Tok;
use lalrpop_util::ParseError;

pub type ActionResult<T> = Result<T, ParseError<usize, Tok, SyntaxError>>;

fn fail<T>(message: impl Into<String>, offset: usize) -> ActionResult<T> {
    Err(ParseError::User {
        error: SyntaxError::at_node(message, offset),
    })
}

pub fn cons<T>(first: T, rest: Vec<T>) -> Vec<T> {
    let mut v = Vec::with_capacity(rest.len() + 1);
    v.push(first);
    v.extend(rest);
    v
}

pub fn non_empty<T>(items: Vec<T>, l: usize) -> ActionResult<Vec<T>> {
    if items.is_empty() {
        return fail("invalid syntax", l);
    }
    Ok(items)
}

pub fn tuple_or_single(mut items: Vec<Expr>, trailing_comma: bool, l: usize, r: usize) -> Expr {
    if items.len() == 1 && !trailing_comma {
        items.pop().expect("one item")
    } else {
        Expr::new(ExprKind::Tuple(items), l, r)
    }
}

/// `( ... )`: a parenthesised expression keeps its inner node; a comma makes a tuple.
pub fn paren(items: (Vec<Expr>, bool), l: usize, r: usize) -> Expr {
    let (mut items, trailing) = items;
    if items.len() == 1 && !trailing {
        items.pop().expect("one item")
    } else {
        Expr::new(ExprKind::Tuple(items), l, r)
    }
}

/// What an expression is called in "can't assign to ..." (ast.c's expr_name table).
fn expr_name(e: &Expr) -> &'static str {
    match &e.node {
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::Starred(_) => "starred",
        ExprKind::Name(_) => "name",
        ExprKind::List(_) => "list",
        ExprKind::Tuple(_) => "tuple",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::Call { .. } => "function call",
        ExprKind::BoolOp { .. } | ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } => "operator",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => "yield expression",
        ExprKind::Await(_) => "await expression",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::Dict { .. } => "dict display",
        ExprKind::Set(_) => "set display",
        ExprKind::JoinedStr(_) | ExprKind::FormattedValue { .. } => "f-string expression",
        ExprKind::Constant(Constant::None | Constant::Bool(_)) => "keyword",
        ExprKind::Constant(Constant::Ellipsis) => "Ellipsis",
        ExprKind::Constant(_) => "literal",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::Slice { .. } => "slice",
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Store,
    Del,
}

fn check_target(e: &Expr, ctx: Ctx) -> Result<(), SyntaxError> {
    match &e.node {
        ExprKind::Name(n) => {
            if n == "__debug__" {
                return Err(SyntaxError::at_node("assignment to keyword", e.span.start));
            }
            Ok(())
        }
        ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => Ok(()),
        ExprKind::Starred(inner) if ctx == Ctx::Store => check_target(inner, ctx),
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            if ctx == Ctx::Store || !items.is_empty() || matches!(e.node, ExprKind::List(_)) {
                items.iter().try_for_each(|i| check_target(i, ctx))
            } else {
                Ok(())
            }
        }
        _ => {
            let verb = if ctx == Ctx::Store {
                "assign to"
            } else {
                "delete"
            };
            Err(SyntaxError::at_node(
                format!("can't {verb} {}", expr_name(e)),
                e.span.start,
            ))
        }
    }
}

pub fn store_target(e: Expr) -> ActionResult<Expr> {
    check_target(&e, Ctx::Store).map_err(|error| ParseError::User { error })?;
    Ok(e)
}

pub fn del_targets(e: Expr) -> ActionResult<Vec<Expr>> {
    check_target(&e, Ctx::Del).map_err(|error| ParseError::User { error })?;
    Ok(match e.node {
        ExprKind::Tuple(items) if e.span.start != e.span.end && !items.is_empty() => items,
        _ => vec![e],
    })
}

pub fn no_starred(e: Expr) -> ActionResult<Expr> {
    if let ExprKind::Starred(_) = e.node {
        return fail("can't use starred expression here", e.span.start);
    }
    Ok(e)
}

pub fn aug_target(e: Expr) -> ActionResult<Expr> {
    match &e.node {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {
            store_target(e)
        }
        ExprKind::GeneratorExp { .. } => fail(
            "augmented assignment to generator expression not possible",
            e.span.start,
        ),
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => fail(
            "augmented assignment to yield expression not possible",
            e.span.start,
        ),
        _ => fail("illegal expression for augmented assignment", e.span.start),
    }
}

pub fn assign(first: Expr, rest: Vec<Expr>, l: usize, r: usize) -> ActionResult<Stmt> {
    let mut all = cons(first, rest);
    let value = all.pop().expect("at least one `=`");
    let targets = all
        .into_iter()
        .map(store_target)
        .collect::<ActionResult<Vec<_>>>()?;
    Ok(Stmt::new(StmtKind::Assign { targets, value }, l, r))
}

pub fn ann_assign(
    target: Expr,
    annotation: Expr,
    value: Option<Expr>,
    l: usize,
    r: usize,
) -> ActionResult<Stmt> {
    match &target.node {
        ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {}
        ExprKind::Tuple(_) => {
            return fail(
                "only single target (not tuple) can be annotated",
                target.span.start,
            );
        }
        ExprKind::List(_) => {
            return fail(
                "only single target (not list) can be annotated",
                target.span.start,
            );
        }
        _ => return fail("illegal target for annotation", target.span.start),
    }
    // A bare name is "simple"; `(x): int` is not. The parenthesis shows in the span.
    let simple = matches!(target.node, ExprKind::Name(_)) && target.span.start == l;
    let target = store_target(target)?;
    Ok(Stmt::new(
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
            simple,
        },
        l,
        r,
    ))
}

pub fn if_chain(
    test: Expr,
    body: Vec<Stmt>,
    elifs: Vec<(usize, Tok, Expr, Tok, Vec<Stmt>)>,
    orelse: Option<Vec<Stmt>>,
    l: usize,
    r: usize,
) -> Stmt {
    let mut tail = orelse.unwrap_or_default();
    for (el, _, t, _, b) in elifs.into_iter().rev() {
        tail = vec![Stmt::new(
            StmtKind::If {
                test: t,
                body: b,
                orelse: tail,
            },
            el,
            r,
        )];
    }
    Stmt::new(
        StmtKind::If {
            test,
            body,
            orelse: tail,
        },
        l,
        r,
    )
}

pub fn try_stmt(
    body: Vec<Stmt>,
    handlers: Vec<ExceptHandler>,
    orelse: Option<Vec<Stmt>>,
    finalbody: Option<Vec<Stmt>>,
    l: usize,
    r: usize,
) -> ActionResult<Stmt> {
    Ok(Stmt::new(
        StmtKind::Try {
            body,
            handlers,
            orelse: orelse.unwrap_or_default(),
            finalbody: finalbody.unwrap_or_default(),
        },
        l,
        r,
    ))
}

/// Attaches decorators. As in 3.7's ast.c, the statement starts at its first decorator.
pub fn decorate(decorators: Vec<Expr>, mut stmt: Stmt, l: usize) -> Stmt {
    match &mut stmt.node {
        StmtKind::FunctionDef { decorator_list, .. }
        | StmtKind::ClassDef { decorator_list, .. } => {
            *decorator_list = decorators;
        }
        _ => unreachable!("the grammar only decorates def and class"),
    }
    stmt.span.start = l;
    stmt
}

pub fn class_def(
    name: String,
    args: Vec<ArgItem>,
    body: Vec<Stmt>,
    l: usize,
    r: usize,
) -> ActionResult<Stmt> {
    let (bases, keywords) = split_args(args)?;
    Ok(Stmt::new(
        StmtKind::ClassDef {
            name,
            bases,
            keywords,
            body,
            decorator_list: vec![],
        },
        l,
        r,
    ))
}

/// One item of a `def` or `lambda` parameter list, before order checks.
pub enum ParamItem {
    Param(Arg, Option<Expr>),
    Star(Option<Arg>, usize),
    DoubleStar(Arg, usize),
}

pub fn arguments(items: Vec<ParamItem>, def_start: usize) -> ActionResult<Arguments> {
    let mut a = Arguments::default();
    let mut seen_star = false;
    let mut bare_star_at = None;
    let mut names: Vec<String> = Vec::new();
    let mut note = |arg: &Arg| -> ActionResult<()> {
        if names.contains(&arg.name) {
            return fail(
                format!("duplicate argument '{}' in function definition", arg.name),
                def_start,
            );
        }
        names.push(arg.name.clone());
        Ok(())
    };
    let count = items.len();
    // 3.7 reports a misplaced non-default parameter just left of the first parameter.
    let first_at = match items.first() {
        Some(ParamItem::Param(arg, _)) => arg.span.start,
        Some(ParamItem::Star(_, at) | ParamItem::DoubleStar(_, at)) => *at,
        None => def_start,
    };
    for (i, item) in items.into_iter().enumerate() {
        if a.kwarg.is_some() {
            let at = match &item {
                ParamItem::Param(arg, _) => arg.span.start,
                ParamItem::Star(_, at) | ParamItem::DoubleStar(_, at) => *at,
            };
            return fail("invalid syntax", at);
        }
        match item {
            ParamItem::Param(arg, default) => {
                note(&arg)?;
                if seen_star {
                    bare_star_at = None;
                    a.kw_defaults.push(default);
                    a.kwonlyargs.push(arg);
                } else {
                    match default {
                        Some(d) => a.defaults.push(d),
                        None if !a.defaults.is_empty() => {
                            return fail("non-default argument follows default argument", first_at);
                        }
                        None => {}
                    }
                    a.args.push(arg);
                }
            }
            ParamItem::Star(arg, at) => {
                if seen_star {
                    return fail("invalid syntax", at);
                }
                seen_star = true;
                match arg {
                    Some(arg) => {
                        note(&arg)?;
                        a.vararg = Some(arg);
                    }
                    None => {
                        bare_star_at = Some(at);
                        if i + 1 == count {
                            return fail("named arguments must follow bare *", at);
                        }
                    }
                }
            }
            ParamItem::DoubleStar(arg, _) => {
                note(&arg)?;
                a.kwarg = Some(arg);
            }
        }
    }
    if let Some(at) = bare_star_at {
        return fail("named arguments must follow bare *", at);
    }
    Ok(a)
}

/// One item of a call's argument list, before order checks.
pub enum ArgItem {
    Positional(Expr),
    Generator(Expr, Vec<CompPart>, usize, usize),
    Keyword(Expr, Expr),
    Star(Expr),
    DoubleStar(Expr),
}

fn split_args(items: Vec<ArgItem>) -> ActionResult<(Vec<Expr>, Vec<Keyword>)> {
    let count = items.len();
    let mut args = Vec::new();
    let mut keywords: Vec<Keyword> = Vec::new();
    let mut seen_keyword = false;
    let mut seen_double_star = false;
    for item in items {
        match item {
            ArgItem::Positional(e) => {
                if seen_double_star {
                    return fail(
                        "positional argument follows keyword argument unpacking",
                        e.span.start,
                    );
                }
                if seen_keyword {
                    return fail("positional argument follows keyword argument", e.span.start);
                }
                args.push(e);
            }
            ArgItem::Generator(e, parts, l, r) => {
                if count != 1 {
                    return fail("Generator expression must be parenthesized", e.span.start);
                }
                args.push(comprehension("(", e, None, parts, l, r)?);
            }
            ArgItem::Star(e) => {
                if seen_double_star {
                    return fail(
                        "iterable argument unpacking follows keyword argument unpacking",
                        e.span.start,
                    );
                }
                args.push(e);
            }
            ArgItem::Keyword(k, v) => {
                let ExprKind::Name(name) = k.node else {
                    return fail("keyword can't be an expression", k.span.start);
                };
                if keywords
                    .iter()
                    .any(|kw| kw.arg.as_deref() == Some(name.as_str()))
                {
                    return fail("keyword argument repeated", k.span.start);
                }
                seen_keyword = true;
                keywords.push(Keyword {
                    arg: Some(name),
                    value: v,
                });
            }
            ArgItem::DoubleStar(e) => {
                seen_double_star = true;
                keywords.push(Keyword {
                    arg: None,
                    value: e,
                });
            }
        }
    }
    Ok((args, keywords))
}

pub fn call(func: Expr, items: Vec<ArgItem>, l: usize, r: usize) -> ActionResult<Expr> {
    let (args, keywords) = split_args(items)?;
    Ok(Expr::new(
        ExprKind::Call {
            func: Box::new(func),
            args,
            keywords,
        },
        l,
        r,
    ))
}

/// A `for` or `if` clause of a comprehension, in source order.
pub enum CompPart {
    For(bool, Expr, Expr),
    If(Expr),
}

pub fn comprehension(
    bracket: &str,
    elt: Expr,
    value: Option<Expr>,
    parts: Vec<CompPart>,
    l: usize,
    r: usize,
) -> ActionResult<Expr> {
    if let ExprKind::Starred(_) = elt.node {
        return fail(
            "iterable unpacking cannot be used in comprehension",
            elt.span.start,
        );
    }
    let mut generators: Vec<Comprehension> = Vec::new();
    for part in parts {
        match part {
            CompPart::For(is_async, target, iter) => generators.push(Comprehension {
                target: store_target(target)?,
                iter,
                ifs: vec![],
                is_async,
            }),
            CompPart::If(cond) => generators
                .last_mut()
                .expect("a comprehension starts with `for`")
                .ifs
                .push(cond),
        }
    }
    let elt = Box::new(elt);
    let node = match (bracket, value) {
        ("(", _) => ExprKind::GeneratorExp { elt, generators },
        ("[", _) => ExprKind::ListComp { elt, generators },
        ("{", Some(v)) => ExprKind::DictComp {
            key: elt,
            value: Box::new(v),
            generators,
        },
        _ => ExprKind::SetComp { elt, generators },
    };
    Ok(Expr::new(node, l, r))
}

pub fn strings(parts: Vec<(usize, String)>, l: usize, r: usize) -> ActionResult<Expr> {
    // CPython 3.7 dates a string that spans lines by the line its first token ends on.
    let (first_start, first_text) = &parts[0];
    let l = match first_text.rfind('\n') {
        Some(i) => first_start + i + 1,
        None => l,
    };
    literal::join(parts, l, r).map_err(|error| ParseError::User { error })
}
