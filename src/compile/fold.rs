//! CPython 3.7's AST optimizer (Python/ast_opt.c): folds unary and binary operations on
//! constants (with its size limits), tuples of constants, constant subscripts, `not` over
//! `is`/`in` comparisons, and list/set literals iterated or tested with `in`.

use crate::syntax::ast::*;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

const MAX_INT_SIZE: u64 = 128;
const MAX_COLLECTION_SIZE: usize = 256;
const MAX_STR_SIZE: usize = 4096;
const MAX_TOTAL_ITEMS: usize = 1024;

pub fn fold_module(module: &mut Module) {
    fold_body(&mut module.body);
}

fn fold_body(body: &mut [Stmt]) {
    for s in body {
        fold_stmt(s);
    }
}

/// An assignment or deletion target: its parts are folded, the target itself is not (3.7
/// folds only loads: `'a'[0] = 1` compiles, and fails when it runs).
fn fold_target(e: &mut Expr) {
    match &mut e.node {
        ExprKind::Subscript { value, slice } => {
            fold_expr(value);
            fold_expr(slice);
        }
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter_mut().for_each(fold_target),
        ExprKind::Starred(inner) => fold_target(inner),
        _ => fold_expr(e),
    }
}

fn fold_stmt(s: &mut Stmt) {
    match &mut s.node {
        StmtKind::FunctionDef {
            args,
            body,
            decorator_list,
            returns,
            ..
        } => {
            fold_args(args);
            fold_body(body);
            decorator_list.iter_mut().for_each(fold_expr);
            returns.iter_mut().for_each(fold_expr);
        }
        StmtKind::ClassDef {
            bases,
            keywords,
            body,
            decorator_list,
            ..
        } => {
            bases.iter_mut().for_each(fold_expr);
            keywords.iter_mut().for_each(|k| fold_expr(&mut k.value));
            fold_body(body);
            decorator_list.iter_mut().for_each(fold_expr);
        }
        StmtKind::Return(v) => v.iter_mut().for_each(fold_expr),
        StmtKind::Delete(t) => t.iter_mut().for_each(fold_target),
        StmtKind::Assign { targets, value } => {
            targets.iter_mut().for_each(fold_target);
            fold_expr(value);
        }
        StmtKind::AugAssign { target, value, .. } => {
            fold_target(target);
            fold_expr(value);
        }
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
            ..
        } => {
            fold_target(target);
            fold_expr(annotation);
            value.iter_mut().for_each(fold_expr);
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
            is_async,
        } => {
            fold_target(target);
            fold_expr(iter);
            fold_body(body);
            fold_body(orelse);
            // As 3.7's ast_opt.c: `for` only; `async for` keeps its list.
            if !*is_async {
                fold_iter(iter);
            }
        }
        StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
            fold_expr(test);
            fold_body(body);
            fold_body(orelse);
        }
        StmtKind::With { items, body, .. } => {
            for item in items {
                fold_expr(&mut item.context_expr);
                item.optional_vars.iter_mut().for_each(fold_target);
            }
            fold_body(body);
        }
        StmtKind::Raise { exc, cause } => {
            exc.iter_mut().for_each(fold_expr);
            cause.iter_mut().for_each(fold_expr);
        }
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            fold_body(body);
            for h in handlers {
                h.typ.iter_mut().for_each(fold_expr);
                fold_body(&mut h.body);
            }
            fold_body(orelse);
            fold_body(finalbody);
        }
        StmtKind::Assert { test, msg } => {
            fold_expr(test);
            msg.iter_mut().for_each(fold_expr);
        }
        StmtKind::Expr(e) => fold_expr(e),
        StmtKind::Import(_)
        | StmtKind::ImportFrom { .. }
        | StmtKind::Global(_)
        | StmtKind::Nonlocal(_)
        | StmtKind::Pass
        | StmtKind::Break
        | StmtKind::Continue => {}
    }
}

fn fold_args(args: &mut Arguments) {
    args.defaults.iter_mut().for_each(fold_expr);
    args.kw_defaults.iter_mut().flatten().for_each(fold_expr);
    let all = args
        .args
        .iter_mut()
        .chain(args.vararg.iter_mut())
        .chain(args.kwonlyargs.iter_mut())
        .chain(args.kwarg.iter_mut());
    for a in all {
        a.annotation.iter_mut().for_each(fold_expr);
    }
}

fn fold_comprehensions(gens: &mut [Comprehension]) {
    for g in gens {
        fold_expr(&mut g.target);
        fold_expr(&mut g.iter);
        g.ifs.iter_mut().for_each(fold_expr);
        fold_iter(&mut g.iter);
    }
}

fn constant(e: &Expr) -> Option<&Constant> {
    match &e.node {
        ExprKind::Constant(c) => Some(c),
        _ => None,
    }
}

fn const_tuple(items: &[Expr]) -> Option<Vec<Constant>> {
    items.iter().map(|e| constant(e).cloned()).collect()
}

/// A list literal iterated or tested with `in` becomes a tuple; a set literal a frozenset.
fn fold_iter(e: &mut Expr) {
    match &mut e.node {
        ExprKind::List(items) => {
            if items.iter().any(|i| matches!(i.node, ExprKind::Starred(_))) {
                return;
            }
            // 3.7 folds only a list of constants (3.8 also makes [a, b] a tuple).
            if let Some(c) = const_tuple(items) {
                e.node = ExprKind::Constant(Constant::Tuple(c));
            }
        }
        ExprKind::Set(items) => {
            if let Some(c) = const_tuple(items) {
                let mut unique: Vec<Constant> = Vec::new();
                for item in c {
                    if !unique.contains(&item) {
                        unique.push(item);
                    }
                }
                e.node = ExprKind::Constant(Constant::FrozenSet(unique));
            }
        }
        _ => {}
    }
}

fn fold_expr(e: &mut Expr) {
    match &mut e.node {
        // 3.7's AST optimizer: __debug__ is the constant True (no -O).
        ExprKind::Name(n) if n == "__debug__" => {
            e.node = ExprKind::Constant(Constant::Bool(true));
        }
        ExprKind::Name(_) | ExprKind::Constant(_) => {}
        ExprKind::JoinedStr(v) | ExprKind::Set(v) | ExprKind::List(v) => {
            v.iter_mut().for_each(fold_expr)
        }
        ExprKind::Tuple(v) => {
            v.iter_mut().for_each(fold_expr);
            if let Some(c) = const_tuple(v) {
                e.node = ExprKind::Constant(Constant::Tuple(c));
            }
        }
        ExprKind::FormattedValue {
            value, format_spec, ..
        } => {
            fold_expr(value);
            if let Some(s) = format_spec {
                fold_expr(s);
            }
        }
        ExprKind::BoolOp { values, .. } => values.iter_mut().for_each(fold_expr),
        ExprKind::BinOp { left, op, right } => {
            fold_expr(left);
            fold_expr(right);
            if let (Some(l), Some(r)) = (constant(left), constant(right))
                && let Some(v) = binop(l, *op, r)
            {
                e.node = ExprKind::Constant(v);
            }
        }
        ExprKind::UnaryOp { op, operand } => {
            fold_expr(operand);
            if let Some(c) = constant(operand) {
                if let Some(v) = unaryop(*op, c) {
                    e.node = ExprKind::Constant(v);
                }
            } else if *op == UnaryOp::Not
                && let ExprKind::Compare { ops, .. } = &mut operand.node
                && ops.len() == 1
            {
                let flipped = match ops[0] {
                    CmpOp::Is => Some(CmpOp::IsNot),
                    CmpOp::IsNot => Some(CmpOp::Is),
                    CmpOp::In => Some(CmpOp::NotIn),
                    CmpOp::NotIn => Some(CmpOp::In),
                    _ => None,
                };
                if let Some(f) = flipped {
                    ops[0] = f;
                    let inner =
                        std::mem::replace(&mut operand.node, ExprKind::Constant(Constant::None));
                    e.node = inner;
                }
            }
        }
        ExprKind::Lambda { args, body } => {
            fold_args(args);
            fold_expr(body);
        }
        ExprKind::IfExp { test, body, orelse } => {
            fold_expr(test);
            fold_expr(body);
            fold_expr(orelse);
        }
        ExprKind::Dict { keys, values } => {
            keys.iter_mut().flatten().for_each(fold_expr);
            values.iter_mut().for_each(fold_expr);
        }
        ExprKind::ListComp { elt, generators }
        | ExprKind::SetComp { elt, generators }
        | ExprKind::GeneratorExp { elt, generators } => {
            fold_expr(elt);
            fold_comprehensions(generators);
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => {
            fold_expr(key);
            fold_expr(value);
            fold_comprehensions(generators);
        }
        ExprKind::Await(v) | ExprKind::YieldFrom(v) | ExprKind::Starred(v) => fold_expr(v),
        ExprKind::Yield(v) => {
            if let Some(v) = v {
                fold_expr(v);
            }
        }
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } => {
            fold_expr(left);
            comparators.iter_mut().for_each(fold_expr);
            if matches!(ops.last(), Some(CmpOp::In | CmpOp::NotIn))
                && let Some(last) = comparators.last_mut()
            {
                fold_iter(last);
            }
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            fold_expr(func);
            args.iter_mut().for_each(fold_expr);
            keywords.iter_mut().for_each(|k| fold_expr(&mut k.value));
        }
        ExprKind::Attribute { value, .. } => fold_expr(value),
        ExprKind::Subscript { value, slice } => {
            fold_expr(value);
            fold_expr(slice);
            if let (Some(v), Some(i)) = (constant(value), constant(slice))
                && let Some(item) = subscript(v, i)
            {
                e.node = ExprKind::Constant(item);
            }
        }
        ExprKind::Slice { lower, upper, step } => {
            for part in [lower, upper, step].into_iter().flatten() {
                fold_expr(part);
            }
        }
    }
}

fn as_int(c: &Constant) -> Option<BigInt> {
    match c {
        Constant::Int(i) => Some(i.clone()),
        Constant::Bool(b) => Some(BigInt::from(u8::from(*b))),
        _ => None,
    }
}

fn as_float(c: &Constant) -> Option<f64> {
    match c {
        Constant::Float(f) => Some(*f),
        _ => as_int(c).and_then(|i| i.to_f64()),
    }
}

fn bits(i: &BigInt) -> u64 {
    i.bits()
}

fn is_truthy(c: &Constant) -> bool {
    match c {
        Constant::None => false,
        Constant::Bool(b) => *b,
        Constant::Ellipsis => true,
        Constant::Int(i) => !i.is_zero(),
        Constant::Float(f) => *f != 0.0,
        Constant::Complex(re, im) => *re != 0.0 || *im != 0.0,
        Constant::Str(s) => !s.is_empty(),
        Constant::Bytes(b) => !b.is_empty(),
        Constant::Tuple(t) | Constant::FrozenSet(t) => !t.is_empty(),
    }
}

fn unaryop(op: UnaryOp, c: &Constant) -> Option<Constant> {
    match op {
        UnaryOp::Not => Some(Constant::Bool(!is_truthy(c))),
        UnaryOp::USub => match c {
            Constant::Float(f) => Some(Constant::Float(-f)),
            Constant::Complex(re, im) => Some(Constant::Complex(-re, -im)),
            _ => as_int(c).map(|i| Constant::Int(-i)),
        },
        UnaryOp::UAdd => match c {
            Constant::Float(f) => Some(Constant::Float(*f)),
            Constant::Complex(re, im) => Some(Constant::Complex(*re, *im)),
            _ => as_int(c).map(Constant::Int),
        },
        UnaryOp::Invert => as_int(c).map(|i| Constant::Int(-i - 1)),
    }
}

fn total_items(items: &[Constant]) -> usize {
    items
        .iter()
        .map(|c| match c {
            Constant::Tuple(t) | Constant::FrozenSet(t) => 1 + total_items(t),
            _ => 1,
        })
        .sum()
}

fn repeat(n: &BigInt, len: usize, limit: usize) -> Option<usize> {
    let n = n.to_i64()?;
    if len == 0 {
        return Some(0);
    }
    if n < 0 || n as usize > limit / len {
        return None;
    }
    Some(n as usize)
}

fn binop(l: &Constant, op: Operator, r: &Constant) -> Option<Constant> {
    use Constant as C;
    // Sequences first: str, bytes and tuple concatenation and repetition.
    match (l, op, r) {
        (C::Str(a), Operator::Add, C::Str(b)) => return Some(C::Str(format!("{a}{b}"))),
        (C::Bytes(a), Operator::Add, C::Bytes(b)) => {
            return Some(C::Bytes([a.as_slice(), b].concat()));
        }
        (C::Tuple(a), Operator::Add, C::Tuple(b)) => {
            return Some(C::Tuple([a.as_slice(), b].concat()));
        }
        (C::Str(s), Operator::Mult, n) | (n, Operator::Mult, C::Str(s)) if as_int(n).is_some() => {
            let k = repeat(&as_int(n)?, s.chars().count(), MAX_STR_SIZE)?;
            return Some(C::Str(s.repeat(k)));
        }
        (C::Bytes(s), Operator::Mult, n) | (n, Operator::Mult, C::Bytes(s))
            if as_int(n).is_some() =>
        {
            let k = repeat(&as_int(n)?, s.len(), MAX_STR_SIZE)?;
            return Some(C::Bytes(s.repeat(k)));
        }
        (C::Tuple(t), Operator::Mult, n) | (n, Operator::Mult, C::Tuple(t))
            if as_int(n).is_some() =>
        {
            let k = repeat(&as_int(n)?, t.len(), MAX_COLLECTION_SIZE)?;
            if k > 0 && total_items(t) > MAX_TOTAL_ITEMS / k {
                return None;
            }
            return Some(C::Tuple((0..k).flat_map(|_| t.iter().cloned()).collect()));
        }
        _ => {}
    }
    if let (Some(a), Some(b)) = (as_int(l), as_int(r)) {
        let both_bool = matches!((l, r), (C::Bool(_), C::Bool(_)));
        return int_binop(&a, op, &b, both_bool);
    }
    if matches!(l, C::Complex(..)) || matches!(r, C::Complex(..)) {
        return complex_binop(l, op, r);
    }
    let (a, b) = (as_float(l)?, as_float(r)?);
    if !matches!(l, C::Float(_) | C::Int(_) | C::Bool(_))
        || !matches!(r, C::Float(_) | C::Int(_) | C::Bool(_))
    {
        return None;
    }
    let v = match op {
        Operator::Add => a + b,
        Operator::Sub => a - b,
        Operator::Mult => a * b,
        Operator::Div => {
            if b == 0.0 {
                return None;
            }
            a / b
        }
        Operator::FloorDiv => {
            if b == 0.0 {
                return None;
            }
            float_divmod(a, b).0
        }
        Operator::Mod => {
            if b == 0.0 {
                return None;
            }
            float_divmod(a, b).1
        }
        Operator::Pow => {
            if a == 0.0 && b < 0.0 || a < 0.0 && b.fract() != 0.0 {
                return None;
            }
            a.powf(b)
        }
        _ => return None,
    };
    if v.is_infinite() && a.is_finite() && b.is_finite() {
        return None; // OverflowError in CPython: not folded
    }
    Some(C::Float(v))
}

/// Arithmetic with a complex constant, folded as CPython computes it (what would raise is
/// left to run time).
fn complex_binop(l: &Constant, op: Operator, r: &Constant) -> Option<Constant> {
    use crate::pycomplex;
    let as_complex = |c: &Constant| match c {
        Constant::Complex(re, im) => Some((*re, *im)),
        _ => as_float(c).map(|f| (f, 0.0)),
    };
    let (a, b) = (as_complex(l)?, as_complex(r)?);
    let (re, im) = match op {
        Operator::Add => pycomplex::add(a, b),
        Operator::Sub => pycomplex::sub(a, b),
        Operator::Mult => pycomplex::mul(a, b),
        Operator::Div => pycomplex::div(a, b)?,
        Operator::Pow => pycomplex::pow(a, b).ok()?,
        _ => return None,
    };
    Some(Constant::Complex(re, im))
}

/// Python's float floor division and modulo (floatobject.c float_divmod).
pub fn float_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(a / b)
    };
    (floordiv, m)
}

fn int_binop(a: &BigInt, op: Operator, b: &BigInt, both_bool: bool) -> Option<Constant> {
    use Constant as C;
    let int = |v: BigInt| Some(C::Int(v));
    match op {
        Operator::Add => int(a + b),
        Operator::Sub => int(a - b),
        Operator::Mult => {
            if !a.is_zero() && !b.is_zero() && bits(a) + bits(b) > MAX_INT_SIZE {
                return None;
            }
            int(a * b)
        }
        Operator::Div => {
            if b.is_zero() {
                return None;
            }
            // Exact only when both fit in a double's mantissa; larger ones are left unfolded.
            let (x, y) = (a.to_i64()?, b.to_i64()?);
            if x.unsigned_abs() > 1 << 53 || y.unsigned_abs() > 1 << 53 {
                return None;
            }
            Some(C::Float(x as f64 / y as f64))
        }
        Operator::FloorDiv => {
            if b.is_zero() {
                return None;
            }
            int(a.div_floor(b))
        }
        Operator::Mod => {
            if b.is_zero() {
                return None;
            }
            int(a.mod_floor(b))
        }
        Operator::Pow => {
            if b.is_negative() {
                if a.is_zero() {
                    return None;
                }
                let (x, y) = (a.to_f64()?, b.to_f64()?);
                return Some(C::Float(x.powf(y)));
            }
            if !a.is_zero() && !b.is_zero() {
                let w = b.to_u64()?;
                if bits(a) > MAX_INT_SIZE / w {
                    return None;
                }
            }
            int(num_traits::pow::pow(a.clone(), b.to_usize()?))
        }
        Operator::LShift => {
            if b.is_negative() {
                return None;
            }
            if !a.is_zero() && !b.is_zero() {
                let w = b.to_u64()?;
                if w > MAX_INT_SIZE || bits(a) > MAX_INT_SIZE - w {
                    return None;
                }
            }
            int(a << b.to_usize()?)
        }
        Operator::RShift => {
            if b.is_negative() {
                return None;
            }
            let shift = b.to_usize().unwrap_or(usize::MAX);
            if shift > a.bits() as usize {
                return int(if a.is_negative() {
                    BigInt::from(-1)
                } else {
                    BigInt::zero()
                });
            }
            int(a >> shift)
        }
        Operator::BitAnd | Operator::BitOr | Operator::BitXor => {
            let v = match op {
                Operator::BitAnd => a & b,
                Operator::BitOr => a | b,
                _ => a ^ b,
            };
            if both_bool {
                Some(C::Bool(!v.is_zero()))
            } else {
                int(v)
            }
        }
        Operator::MatMult => None,
    }
}

fn subscript(v: &Constant, i: &Constant) -> Option<Constant> {
    let idx = as_int(i)?.to_i64()?;
    let pick = |len: usize| -> Option<usize> {
        let j = if idx < 0 { idx + len as i64 } else { idx };
        (0..len as i64).contains(&j).then_some(j as usize)
    };
    match v {
        Constant::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            Some(Constant::Str(chars[pick(chars.len())?].to_string()))
        }
        Constant::Bytes(b) => Some(Constant::Int(BigInt::from(b[pick(b.len())?]))),
        Constant::Tuple(t) => Some(t[pick(t.len())?].clone()),
        _ => None,
    }
}
