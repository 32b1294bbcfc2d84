//! The syntax tree. Every node carries its source span (byte offsets), so every later
//! error can point at source. Shapes follow CPython 3.7's `ast` module where it matters
//! to code generation (Starred, keyword with arg None for `**`, Dict keys None for `**`).

use num_bigint::BigInt;

/// Byte offsets `start..end` into the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    None,
    Bool(bool),
    Ellipsis,
    Int(BigInt),
    Float(f64),
    /// A complex constant (real, imag): an imaginary literal, or folded arithmetic.
    Complex(f64, f64),
    Str(String),
    Bytes(Vec<u8>),
    /// Produced by constant folding only.
    Tuple(Vec<Constant>),
    /// Produced by constant folding only (`x in {1, 2}`).
    FrozenSet(Vec<Constant>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Add,
    Sub,
    Mult,
    MatMult,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitOr,
    BitXor,
    BitAnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Invert,
    Not,
    UAdd,
    USub,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    LtE,
    Eq,
    NotEq,
    Gt,
    GtE,
    In,
    NotIn,
    Is,
    IsNot,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub node: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    pub target: Expr,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
    pub is_async: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keyword {
    /// `None` for `**mapping`.
    pub arg: Option<String>,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Name(String),
    Constant(Constant),
    /// An f-string: literal `Constant::Str` parts and `FormattedValue`s.
    JoinedStr(Vec<Expr>),
    FormattedValue {
        value: Box<Expr>,
        /// `'s'`, `'r'` or `'a'`.
        conversion: Option<char>,
        format_spec: Option<Box<Expr>>,
    },
    BoolOp {
        op: BoolOp,
        values: Vec<Expr>,
    },
    BinOp {
        left: Box<Expr>,
        op: Operator,
        right: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Lambda {
        args: Box<Arguments>,
        body: Box<Expr>,
    },
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    /// A `None` key marks `**mapping` in the display.
    Dict {
        keys: Vec<Option<Expr>>,
        values: Vec<Expr>,
    },
    Set(Vec<Expr>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    ListComp {
        elt: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    SetComp {
        elt: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    DictComp {
        key: Box<Expr>,
        value: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    GeneratorExp {
        elt: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    Await(Box<Expr>),
    Yield(Option<Box<Expr>>),
    YieldFrom(Box<Expr>),
    Compare {
        left: Box<Expr>,
        ops: Vec<CmpOp>,
        comparators: Vec<Expr>,
    },
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        keywords: Vec<Keyword>,
    },
    Attribute {
        value: Box<Expr>,
        attr: String,
    },
    Subscript {
        value: Box<Expr>,
        slice: Box<Expr>,
    },
    Starred(Box<Expr>),
    Slice {
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: String,
    pub annotation: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Arguments {
    pub args: Vec<Arg>,
    pub vararg: Option<Arg>,
    pub kwonlyargs: Vec<Arg>,
    /// One per keyword-only argument; `None` where it has no default.
    pub kw_defaults: Vec<Option<Expr>>,
    pub kwarg: Option<Arg>,
    /// Defaults of the last `defaults.len()` positional arguments.
    pub defaults: Vec<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    pub name: String,
    pub asname: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExceptHandler {
    pub typ: Option<Expr>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WithItem {
    pub context_expr: Expr,
    pub optional_vars: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub node: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    FunctionDef {
        name: String,
        args: Box<Arguments>,
        body: Vec<Stmt>,
        decorator_list: Vec<Expr>,
        returns: Option<Expr>,
        is_async: bool,
    },
    ClassDef {
        name: String,
        bases: Vec<Expr>,
        keywords: Vec<Keyword>,
        body: Vec<Stmt>,
        decorator_list: Vec<Expr>,
    },
    Return(Option<Expr>),
    Delete(Vec<Expr>),
    Assign {
        targets: Vec<Expr>,
        value: Expr,
    },
    AugAssign {
        target: Expr,
        op: Operator,
        value: Expr,
    },
    AnnAssign {
        target: Expr,
        annotation: Expr,
        value: Option<Expr>,
        /// A bare name not in parentheses.
        simple: bool,
    },
    For {
        target: Expr,
        iter: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
        is_async: bool,
    },
    While {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    If {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    With {
        items: Vec<WithItem>,
        body: Vec<Stmt>,
        is_async: bool,
    },
    Raise {
        exc: Option<Expr>,
        cause: Option<Expr>,
    },
    Try {
        body: Vec<Stmt>,
        handlers: Vec<ExceptHandler>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    Assert {
        test: Expr,
        msg: Option<Expr>,
    },
    Import(Vec<Alias>),
    ImportFrom {
        module: Option<String>,
        names: Vec<Alias>,
        level: usize,
    },
    Global(Vec<String>),
    Nonlocal(Vec<String>),
    Expr(Expr),
    Pass,
    Break,
    Continue,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub body: Vec<Stmt>,
}

impl Expr {
    pub fn new(node: ExprKind, start: usize, end: usize) -> Self {
        Expr {
            node,
            span: Span::new(start, end),
        }
    }
}

impl Stmt {
    pub fn new(node: StmtKind, start: usize, end: usize) -> Self {
        Stmt {
            node,
            span: Span::new(start, end),
        }
    }
}

impl Arguments {
    /// Defaults and annotations: the expressions evaluated where the function is defined.
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out: Vec<&Expr> = Vec::new();
        out.extend(&self.defaults);
        out.extend(self.kw_defaults.iter().flatten());
        let all = self
            .args
            .iter()
            .chain(&self.vararg)
            .chain(&self.kwonlyargs)
            .chain(&self.kwarg);
        out.extend(all.filter_map(|a| a.annotation.as_ref()));
        out
    }
}

impl Stmt {
    /// The statement's own expressions and the blocks nested in it, in no particular order.
    pub fn parts(&self) -> (Vec<&Expr>, Vec<&Vec<Stmt>>) {
        let stmt = self;
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
                exprs.extend(args.exprs());
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
        (exprs, blocks)
    }
}

impl Expr {
    /// The expressions directly inside this one.
    pub fn children(&self) -> Vec<&Expr> {
        let e = self;
        let mut out: Vec<&Expr> = Vec::new();
        match &e.node {
            ExprKind::Name(_) | ExprKind::Constant(_) => {}
            ExprKind::JoinedStr(v)
            | ExprKind::Set(v)
            | ExprKind::List(v)
            | ExprKind::Tuple(v)
            | ExprKind::BoolOp { values: v, .. } => out.extend(v),
            ExprKind::FormattedValue {
                value, format_spec, ..
            } => {
                out.push(value);
                out.extend(format_spec.as_deref());
            }
            ExprKind::BinOp { left, right, .. } => {
                out.push(left);
                out.push(right);
            }
            ExprKind::UnaryOp { operand, .. } => out.push(operand),
            ExprKind::Lambda { args, body } => {
                out.extend(args.exprs());
                out.push(body);
            }
            ExprKind::IfExp { test, body, orelse } => {
                out.push(test);
                out.push(body);
                out.push(orelse);
            }
            ExprKind::Dict { keys, values } => {
                out.extend(keys.iter().flatten());
                out.extend(values);
            }
            ExprKind::ListComp { elt, generators }
            | ExprKind::SetComp { elt, generators }
            | ExprKind::GeneratorExp { elt, generators } => {
                out.push(elt);
                comprehension_parts(&mut out, generators);
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => {
                out.push(key);
                out.push(value);
                comprehension_parts(&mut out, generators);
            }
            ExprKind::Await(x) | ExprKind::YieldFrom(x) | ExprKind::Starred(x) => out.push(x),
            ExprKind::Yield(x) => out.extend(x.as_deref()),
            ExprKind::Compare {
                left, comparators, ..
            } => {
                out.push(left);
                out.extend(comparators);
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                out.push(func);
                out.extend(args);
                out.extend(keywords.iter().map(|k| &k.value));
            }
            ExprKind::Attribute { value, .. } => out.push(value),
            ExprKind::Subscript { value, slice } => {
                out.push(value);
                out.push(slice);
            }
            ExprKind::Slice { lower, upper, step } => {
                out.extend([lower, upper, step].into_iter().flatten().map(|b| &**b));
            }
        }
        out
    }
}

fn comprehension_parts<'a>(out: &mut Vec<&'a Expr>, generators: &'a [Comprehension]) {
    for g in generators {
        out.push(&g.target);
        out.push(&g.iter);
        out.extend(&g.ifs);
    }
}
