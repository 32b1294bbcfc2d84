//! Operators and protocols: truth, arithmetic (i64 fast path, big ints on overflow),
//! comparison, subscripts, iteration, attributes, calls, repr/str/format, with CPython's
//! error messages. Instances of user classes get their special methods called.

use super::frame::Resume;
use super::object::{Args, Dict, DictKey, GenKind, Iter, Native, Object};
use super::{Call, ObjRef, PyResult, Value, Vm};
use crate::bytecode::{ConstValue, Opcode as Op};
use crate::pyfmt;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// An integer operand, small or big.
enum IntArg {
    Small(i64),
    Big(BigInt),
}

impl IntArg {
    fn big(&self) -> BigInt {
        match self {
            IntArg::Small(i) => BigInt::from(*i),
            IntArg::Big(b) => b.clone(),
        }
    }
}

fn binop_symbol(op: Op) -> &'static str {
    match op {
        Op::BINARY_ADD | Op::INPLACE_ADD => "+",
        Op::BINARY_SUBTRACT | Op::INPLACE_SUBTRACT => "-",
        Op::BINARY_MULTIPLY | Op::INPLACE_MULTIPLY => "*",
        Op::BINARY_TRUE_DIVIDE | Op::INPLACE_TRUE_DIVIDE => "/",
        Op::BINARY_FLOOR_DIVIDE | Op::INPLACE_FLOOR_DIVIDE => "//",
        Op::BINARY_MODULO | Op::INPLACE_MODULO => "%",
        Op::BINARY_POWER | Op::INPLACE_POWER => "** or pow()",
        Op::BINARY_LSHIFT | Op::INPLACE_LSHIFT => "<<",
        Op::BINARY_RSHIFT | Op::INPLACE_RSHIFT => ">>",
        Op::BINARY_AND | Op::INPLACE_AND => "&",
        Op::BINARY_OR | Op::INPLACE_OR => "|",
        Op::BINARY_XOR | Op::INPLACE_XOR => "^",
        Op::BINARY_MATRIX_MULTIPLY | Op::INPLACE_MATRIX_MULTIPLY => "@",
        _ => "?",
    }
}

/// The special method names of a binary operator: (normal, reflected, in-place).
fn binop_methods(op: Op) -> (&'static str, &'static str, &'static str) {
    match binop_symbol(op) {
        "+" => ("__add__", "__radd__", "__iadd__"),
        "-" => ("__sub__", "__rsub__", "__isub__"),
        "*" => ("__mul__", "__rmul__", "__imul__"),
        "/" => ("__truediv__", "__rtruediv__", "__itruediv__"),
        "//" => ("__floordiv__", "__rfloordiv__", "__ifloordiv__"),
        "%" => ("__mod__", "__rmod__", "__imod__"),
        "** or pow()" => ("__pow__", "__rpow__", "__ipow__"),
        "<<" => ("__lshift__", "__rlshift__", "__ilshift__"),
        ">>" => ("__rshift__", "__rrshift__", "__irshift__"),
        "&" => ("__and__", "__rand__", "__iand__"),
        "|" => ("__or__", "__ror__", "__ior__"),
        "^" => ("__xor__", "__rxor__", "__ixor__"),
        _ => ("__matmul__", "__rmatmul__", "__imatmul__"),
    }
}

pub fn is_binary(op: Op) -> bool {
    binop_symbol(op) != "?"
}

fn is_inplace(op: Op) -> bool {
    matches!(
        op,
        Op::INPLACE_ADD
            | Op::INPLACE_SUBTRACT
            | Op::INPLACE_MULTIPLY
            | Op::INPLACE_TRUE_DIVIDE
            | Op::INPLACE_FLOOR_DIVIDE
            | Op::INPLACE_MODULO
            | Op::INPLACE_POWER
            | Op::INPLACE_LSHIFT
            | Op::INPLACE_RSHIFT
            | Op::INPLACE_AND
            | Op::INPLACE_OR
            | Op::INPLACE_XOR
            | Op::INPLACE_MATRIX_MULTIPLY
    )
}

impl Vm {
    pub fn load_const(&mut self, c: &ConstValue) -> Value {
        match c {
            ConstValue::None => Value::None,
            ConstValue::Bool(b) => Value::Bool(*b),
            ConstValue::Ellipsis => self
                .dict_get_str(self.builtins, "Ellipsis")
                .unwrap_or(Value::None),
            ConstValue::Int(i) => self.new_int(i.clone()),
            ConstValue::Float(f) => Value::Float(*f),
            ConstValue::Str(s) => self.new_str(s.clone()),
            ConstValue::Bytes(b) => self.alloc(Object::Bytes(b.clone())),
            ConstValue::Tuple(items) => {
                let items = items.iter().map(|i| self.load_const(i)).collect();
                self.new_tuple(items)
            }
            ConstValue::FrozenSet(items) => {
                let items: Vec<Value> = items.iter().map(|i| self.load_const(i)).collect();
                let mut d = Dict::new();
                for v in items {
                    if let Ok(k) = self.dict_key(v) {
                        d.insert(k, (v, Value::None));
                    }
                }
                self.alloc(Object::FrozenSet(d))
            }
            ConstValue::Code(code) => self.alloc(Object::Code(code.clone())),
        }
    }

    fn int_arg(&self, v: Value) -> Option<IntArg> {
        match v {
            Value::Int(i) => Some(IntArg::Small(i)),
            Value::Bool(b) => Some(IntArg::Small(i64::from(b))),
            Value::Obj(r) => match self.heap.get(r) {
                Object::BigInt(b) => Some(IntArg::Big(b.clone())),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn to_f64(&self, v: Value) -> Option<f64> {
        match v {
            Value::Float(f) => Some(f),
            _ => self.int_arg(v).and_then(|i| match i {
                IntArg::Small(i) => Some(i as f64),
                IntArg::Big(b) => b.to_f64(),
            }),
        }
    }

    pub fn as_index(&self, v: Value) -> Option<i64> {
        match self.int_arg(v)? {
            IntArg::Small(i) => Some(i),
            IntArg::Big(b) => b.to_i64(),
        }
    }

    pub fn as_bigint(&self, v: Value) -> Option<BigInt> {
        self.int_arg(v).map(|i| i.big())
    }

    // ------------------------------------------------------------ truth

    pub fn truthy(&mut self, v: Value) -> PyResult<bool> {
        Ok(match v {
            Value::None => false,
            Value::Bool(b) => b,
            Value::Int(i) => i != 0,
            Value::Float(f) => f != 0.0,
            Value::Obj(r) => match self.heap.get(r) {
                Object::Str(s) => !s.is_empty(),
                Object::Bytes(b) => !b.is_empty(),
                Object::BigInt(b) => !b.is_zero(),
                Object::Tuple(t) | Object::List(t) => !t.is_empty(),
                Object::Dict(d) | Object::Set(d) | Object::FrozenSet(d) => !d.is_empty(),
                Object::Range { start, stop, step } => range_len(*start, *stop, *step) > 0,
                Object::Instance(_) => {
                    let class = self.type_of(v);
                    if let Some(m) = self.class_lookup(class, "__bool__") {
                        let r = self.call_method_value(m, v, vec![])?;
                        return Ok(matches!(r, Value::Bool(true)));
                    }
                    if let Some(m) = self.class_lookup(class, "__len__") {
                        let r = self.call_method_value(m, v, vec![])?;
                        return Ok(self.as_index(r).unwrap_or(0) != 0);
                    }
                    true
                }
                _ => true,
            },
        })
    }

    /// Calls a function found on a class with `receiver` as its first argument.
    pub fn call_method_value(
        &mut self,
        func: Value,
        receiver: Value,
        mut args: Vec<Value>,
    ) -> PyResult<Value> {
        args.insert(0, receiver);
        self.call(func, Args::new(args))
    }

    /// Calls `receiver.name(*args)` when the class defines it.
    pub fn call_special(
        &mut self,
        receiver: Value,
        name: &str,
        args: Vec<Value>,
    ) -> PyResult<Option<Value>> {
        // Only instances of user classes have special methods written in Python.
        let Value::Obj(r) = receiver else {
            return Ok(None);
        };
        let Object::Instance(inst) = self.heap.get(r) else {
            return Ok(None);
        };
        match self.class_lookup(inst.class, name) {
            Some(m) => self.call_method_value(m, receiver, args).map(Some),
            None => Ok(None),
        }
    }

    // ------------------------------------------------------------ arithmetic

    pub fn unary_op(&mut self, op: Op, v: Value) -> PyResult<Value> {
        if op == Op::UNARY_NOT {
            return Ok(Value::Bool(!self.truthy(v)?));
        }
        if let Value::Float(f) = v {
            return match op {
                Op::UNARY_NEGATIVE => Ok(Value::Float(-f)),
                Op::UNARY_POSITIVE => Ok(Value::Float(f)),
                _ => Err(self.type_error("bad operand type for unary ~: 'float'")),
            };
        }
        if let Some(i) = self.int_arg(v) {
            let b = i.big();
            let r = match op {
                Op::UNARY_NEGATIVE => -b,
                Op::UNARY_POSITIVE => b,
                _ => -b - 1,
            };
            return Ok(self.new_int(r));
        }
        let (method, symbol) = match op {
            Op::UNARY_NEGATIVE => ("__neg__", "-"),
            Op::UNARY_POSITIVE => ("__pos__", "+"),
            _ => ("__invert__", "~"),
        };
        if let Some(r) = self.call_special(v, method, vec![])? {
            return Ok(r);
        }
        let t = self.type_name(v);
        Err(self.type_error(&format!("bad operand type for unary {symbol}: '{t}'")))
    }

    pub fn binary_op(&mut self, op: Op, a: Value, b: Value) -> PyResult<Value> {
        // The fast path: two small ints.
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            let r = match binop_symbol(op) {
                "+" => x.checked_add(y),
                "-" => x.checked_sub(y),
                "*" => x.checked_mul(y),
                _ => None,
            };
            if let Some(r) = r {
                return Ok(Value::Int(r));
            }
        }
        if let Some(r) = self.numeric_binop(op, a, b)? {
            return Ok(r);
        }
        if let Some(r) = self.sequence_binop(op, a, b)? {
            return Ok(r);
        }
        let (method, rmethod, imethod) = binop_methods(op);
        if is_inplace(op)
            && let Some(r) = self.call_special(a, imethod, vec![b])?
            && !self.is_not_implemented(r)
        {
            return Ok(r);
        }
        if let Some(r) = self.call_special(a, method, vec![b])?
            && !self.is_not_implemented(r)
        {
            return Ok(r);
        }
        // The reflected method is only tried for operands of different types.
        if self.type_of(a) != self.type_of(b)
            && let Some(r) = self.call_special(b, rmethod, vec![a])?
            && !self.is_not_implemented(r)
        {
            return Ok(r);
        }
        let (ta, tb) = (self.type_name(a), self.type_name(b));
        let symbol = binop_symbol(op);
        let symbol = if is_inplace(op) && symbol != "** or pow()" {
            format!("{symbol}=")
        } else {
            symbol.to_string()
        };
        if symbol == "+" && ta == "str" {
            return Err(self.type_error(&format!("can only concatenate str (not \"{tb}\") to str")));
        }
        if (symbol == "+" || symbol == "+=") && ta == "list" {
            return Err(
                self.type_error(&format!("can only concatenate list (not \"{tb}\") to list"))
            );
        }
        Err(self.type_error(&format!(
            "unsupported operand type(s) for {symbol}: '{ta}' and '{tb}'"
        )))
    }

    pub fn is_not_implemented(&self, v: Value) -> bool {
        self.dict_get_str(self.builtins, "NotImplemented")
            .is_some_and(|ni| ni.is(v))
    }

    fn zero_division(&mut self, what: &str) -> Value {
        self.new_exception("ZeroDivisionError", what)
    }

    fn numeric_binop(&mut self, op: Op, a: Value, b: Value) -> PyResult<Option<Value>> {
        let symbol = binop_symbol(op);
        let (ia, ib) = (self.int_arg(a), self.int_arg(b));
        if let (Some(x), Some(y)) = (&ia, &ib) {
            let both_bool = matches!((a, b), (Value::Bool(_), Value::Bool(_)));
            let (x, y) = (x.big(), y.big());
            let r = match symbol {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "//" => {
                    if y.is_zero() {
                        return Err(self.zero_division("integer division or modulo by zero"));
                    }
                    x.div_floor(&y)
                }
                "%" => {
                    if y.is_zero() {
                        return Err(self.zero_division("integer division or modulo by zero"));
                    }
                    x.mod_floor(&y)
                }
                "/" => {
                    if y.is_zero() {
                        return Err(self.zero_division("division by zero"));
                    }
                    return Ok(Some(Value::Float(int_true_divide(&x, &y))));
                }
                "** or pow()" => {
                    if y.is_negative() {
                        if x.is_zero() {
                            return Err(
                                self.zero_division("0.0 cannot be raised to a negative power")
                            );
                        }
                        let (fx, fy) = (
                            x.to_f64().unwrap_or(f64::INFINITY),
                            y.to_f64().unwrap_or(f64::NEG_INFINITY),
                        );
                        return Ok(Some(Value::Float(fx.powf(fy))));
                    }
                    let Some(e) = y.to_u32() else {
                        return Err(self.new_exception("OverflowError", "exponent too large"));
                    };
                    num_traits::pow::pow(x, e as usize)
                }
                "<<" => {
                    if y.is_negative() {
                        return Err(self.new_exception("ValueError", "negative shift count"));
                    }
                    x << y.to_usize().unwrap_or(0)
                }
                ">>" => {
                    if y.is_negative() {
                        return Err(self.new_exception("ValueError", "negative shift count"));
                    }
                    let s = y
                        .to_usize()
                        .unwrap_or(usize::MAX)
                        .min(x.bits() as usize + 1);
                    x >> s
                }
                "&" | "|" | "^" => {
                    let r = match symbol {
                        "&" => x & y,
                        "|" => x | y,
                        _ => x ^ y,
                    };
                    if both_bool {
                        return Ok(Some(Value::Bool(!r.is_zero())));
                    }
                    r
                }
                _ => return Ok(None),
            };
            return Ok(Some(self.new_int(r)));
        }
        let is_num = |v: Value, i: &Option<IntArg>| i.is_some() || matches!(v, Value::Float(_));
        if !(is_num(a, &ia) && is_num(b, &ib)) {
            return Ok(None);
        }
        let (x, y) = (
            self.to_f64(a).unwrap_or(f64::NAN),
            self.to_f64(b).unwrap_or(f64::NAN),
        );
        let r = match symbol {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            "/" => {
                if y == 0.0 {
                    return Err(self.zero_division("float division by zero"));
                }
                x / y
            }
            "//" => {
                if y == 0.0 {
                    return Err(self.zero_division("float divmod()"));
                }
                crate::compile::float_divmod(x, y).0
            }
            "%" => {
                if y == 0.0 {
                    return Err(self.zero_division("float modulo"));
                }
                crate::compile::float_divmod(x, y).1
            }
            "** or pow()" => {
                if x == 0.0 && y < 0.0 {
                    return Err(self.zero_division("0.0 cannot be raised to a negative power"));
                }
                let r = x.powf(y);
                if r.is_infinite() && x.is_finite() && y.is_finite() {
                    let args = vec![
                        Value::Int(34),
                        self.new_str("Numerical result out of range"),
                    ];
                    return Err(self.new_exception_args("OverflowError", args));
                }
                r
            }
            _ => return Ok(None),
        };
        Ok(Some(Value::Float(r)))
    }

    fn sequence_binop(&mut self, op: Op, a: Value, b: Value) -> PyResult<Option<Value>> {
        let symbol = binop_symbol(op);
        let (Some(ra), rb) = (a.as_obj(), b.as_obj()) else {
            if symbol == "*"
                && let Some(rb) = b.as_obj()
                && self.int_arg(a).is_some()
                && matches!(
                    self.heap.get(rb),
                    Object::Str(_) | Object::List(_) | Object::Tuple(_) | Object::Bytes(_)
                )
            {
                return self.sequence_binop(op, b, a);
            }
            return Ok(None);
        };
        let repeat = |vm: &Self| vm.as_index(b).map(|n| n.max(0) as usize);
        match (self.heap.get(ra), symbol) {
            (Object::Str(s), "+") => {
                if let Some(t) = self.str_of(b) {
                    let r = format!("{}{t}", s.text);
                    return Ok(Some(self.new_str(r)));
                }
            }
            (Object::Str(s), "*") => {
                if let Some(n) = repeat(self) {
                    let r = s.repeat(n);
                    return Ok(Some(self.new_str(r)));
                }
            }
            (Object::Str(_), "%") => {
                let r = self.percent_format(a, b)?;
                return Ok(Some(self.new_str(r)));
            }
            (Object::Bytes(x), "+") => {
                if let Some(Object::Bytes(y)) = rb.map(|r| self.heap.get(r)) {
                    let r = [x.as_slice(), y].concat();
                    return Ok(Some(self.alloc(Object::Bytes(r))));
                }
            }
            (Object::List(x), "+") => {
                if let Some(Object::List(y)) = rb.map(|r| self.heap.get(r)) {
                    if is_inplace(op) {
                        let y = y.clone();
                        if let Object::List(x) = self.heap.get_mut(ra) {
                            x.extend(y);
                        }
                        return Ok(Some(a));
                    }
                    let r = [x.as_slice(), y].concat();
                    return Ok(Some(self.new_list(r)));
                }
                if is_inplace(op) {
                    let items = self.collect_iterable(b)?;
                    if let Object::List(x) = self.heap.get_mut(ra) {
                        x.extend(items);
                    }
                    return Ok(Some(a));
                }
            }
            (Object::List(x), "*") => {
                if let Some(n) = repeat(self) {
                    let r: Vec<Value> = (0..n).flat_map(|_| x.iter().copied()).collect();
                    return Ok(Some(self.new_list(r)));
                }
            }
            (Object::Tuple(x), "+") => {
                if let Some(Object::Tuple(y)) = rb.map(|r| self.heap.get(r)) {
                    let r = [x.as_slice(), y].concat();
                    return Ok(Some(self.new_tuple(r)));
                }
            }
            (Object::Tuple(x), "*") => {
                if let Some(n) = repeat(self) {
                    let r: Vec<Value> = (0..n).flat_map(|_| x.iter().copied()).collect();
                    return Ok(Some(self.new_tuple(r)));
                }
            }
            (Object::Set(x) | Object::FrozenSet(x), "|" | "&" | "-" | "^") => {
                let frozen = matches!(self.heap.get(ra), Object::FrozenSet(_));
                if let Some(Object::Set(y) | Object::FrozenSet(y)) = rb.map(|r| self.heap.get(r)) {
                    let only_in = |a: &Dict, b: &Dict| -> Dict {
                        a.iter()
                            .filter(|(k, _)| !b.contains_key(*k))
                            .map(|(k, v)| (k.clone(), *v))
                            .collect()
                    };
                    let r: Dict = match symbol {
                        "|" => {
                            let mut r = x.clone();
                            for (k, v) in y {
                                r.entry(k.clone()).or_insert(*v);
                            }
                            r
                        }
                        "&" => x
                            .iter()
                            .filter(|(k, _)| y.contains_key(*k))
                            .map(|(k, v)| (k.clone(), *v))
                            .collect(),
                        "-" => only_in(x, y),
                        _ => {
                            let mut r = only_in(x, y);
                            r.extend(only_in(y, x));
                            r
                        }
                    };
                    if is_inplace(op) && !frozen {
                        *self.heap.get_mut(ra) = Object::Set(r);
                        return Ok(Some(a));
                    }
                    let obj = if frozen {
                        Object::FrozenSet(r)
                    } else {
                        Object::Set(r)
                    };
                    return Ok(Some(self.alloc(obj)));
                }
            }
            _ => {}
        }
        Ok(None)
    }

    // ------------------------------------------------------------ comparison

    pub fn compare_op(&mut self, arg: u32, a: Value, b: Value) -> PyResult<Value> {
        let r = match arg {
            0..=5 => return self.rich_compare(arg, a, b),
            6 => self.contains(b, a)?,
            7 => !self.contains(b, a)?,
            8 => self.is_same(a, b),
            9 => !self.is_same(a, b),
            _ => self.exception_matches(a, b)?,
        };
        Ok(Value::Bool(r))
    }

    fn is_same(&self, a: Value, b: Value) -> bool {
        a.is(b)
    }

    fn exception_matches(&mut self, exc: Value, spec: Value) -> PyResult<bool> {
        let exc_class = match exc {
            Value::Obj(r) if matches!(self.heap.get(r), Object::Class(_)) => r,
            _ => self.type_of(exc),
        };
        let specs = match spec.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Tuple(items)) => items.clone(),
            _ => vec![spec],
        };
        for s in specs {
            match s {
                Value::Obj(r) if matches!(self.heap.get(r), Object::Class(_)) => {
                    if self.is_subclass(exc_class, r) {
                        return Ok(true);
                    }
                }
                _ => {
                    return Err(self.type_error(
                        "catching classes that do not inherit from BaseException is not allowed",
                    ));
                }
            }
        }
        Ok(false)
    }

    /// `<`, `<=`, `==`, `!=`, `>`, `>=` (COMPARE_OP 0..=5).
    pub fn rich_compare(&mut self, arg: u32, a: Value, b: Value) -> PyResult<Value> {
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            return Ok(Value::Bool(match arg {
                0 => x < y,
                1 => x <= y,
                2 => x == y,
                3 => x != y,
                4 => x > y,
                _ => x >= y,
            }));
        }
        const METHODS: [(&str, &str); 6] = [
            ("__lt__", "__gt__"),
            ("__le__", "__ge__"),
            ("__eq__", "__eq__"),
            ("__ne__", "__ne__"),
            ("__gt__", "__lt__"),
            ("__ge__", "__le__"),
        ];
        let (m, reflected) = METHODS[arg as usize];
        if let Some(r) = self.call_special(a, m, vec![b])?
            && !self.is_not_implemented(r)
        {
            return Ok(r);
        }
        if let Some(r) = self.call_special(b, reflected, vec![a])?
            && !self.is_not_implemented(r)
        {
            return Ok(r);
        }
        if arg == 3
            && let Some(r) = self.call_special(a, "__eq__", vec![b])?
            && !self.is_not_implemented(r)
        {
            return Ok(Value::Bool(!self.truthy(r)?));
        }
        // Floats compare by IEEE rules: every comparison with NaN is false.
        if (matches!(a, Value::Float(_)) || matches!(b, Value::Float(_)))
            && let (Some(x), Some(y)) = (self.to_f64(a), self.to_f64(b))
        {
            return Ok(Value::Bool(match arg {
                0 => x < y,
                1 => x <= y,
                2 => x == y,
                3 => x != y,
                4 => x > y,
                _ => x >= y,
            }));
        }
        match arg {
            2 => Ok(Value::Bool(self.eq(a, b)?)),
            3 => Ok(Value::Bool(!self.eq(a, b)?)),
            _ => match self.order(a, b)? {
                Some(ord) => Ok(Value::Bool(match arg {
                    0 => ord.is_lt(),
                    1 => ord.is_le(),
                    4 => ord.is_gt(),
                    _ => ord.is_ge(),
                })),
                None => {
                    let symbol = ["<", "<=", "==", "!=", ">", ">="][arg as usize];
                    let (ta, tb) = (self.type_name(a), self.type_name(b));
                    Err(self.type_error(&format!(
                        "'{symbol}' not supported between instances of '{ta}' and '{tb}'"
                    )))
                }
            },
        }
    }

    /// Value equality of built-in values; instances compare by `__eq__` or identity.
    pub fn eq(&mut self, a: Value, b: Value) -> PyResult<bool> {
        if a.is(b) && !matches!(a, Value::Float(f) if f.is_nan()) {
            return Ok(true);
        }
        if let (Some(x), Some(y)) = (self.int_arg(a), self.int_arg(b)) {
            return Ok(x.big() == y.big());
        }
        if let (Some(x), Some(y)) = (self.to_f64(a), self.to_f64(b))
            && (matches!(a, Value::Float(_)) || matches!(b, Value::Float(_)))
        {
            return Ok(x == y);
        }
        let (Some(ra), Some(rb)) = (a.as_obj(), b.as_obj()) else {
            return Ok(false);
        };
        match (self.heap.get(ra), self.heap.get(rb)) {
            (Object::Str(x), Object::Str(y)) => Ok(x.text == y.text),
            (Object::Bytes(x), Object::Bytes(y)) => Ok(x == y),
            (Object::Tuple(x), Object::Tuple(y)) | (Object::List(x), Object::List(y)) => {
                if x.len() != y.len() {
                    return Ok(false);
                }
                let (x, y) = (x.clone(), y.clone());
                for (p, q) in x.into_iter().zip(y) {
                    if !self.eq_full(p, q)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            (Object::Dict(x), Object::Dict(y)) => {
                if x.len() != y.len() {
                    return Ok(false);
                }
                let pairs: Vec<(DictKey, Value)> =
                    x.iter().map(|(k, (_, v))| (k.clone(), *v)).collect();
                let y = y.clone();
                for (k, v) in pairs {
                    match y.get(&k) {
                        Some((_, w)) => {
                            if !self.eq_full(v, *w)? {
                                return Ok(false);
                            }
                        }
                        None => return Ok(false),
                    }
                }
                Ok(true)
            }
            (Object::Set(x) | Object::FrozenSet(x), Object::Set(y) | Object::FrozenSet(y)) => {
                Ok(x.len() == y.len() && x.keys().all(|k| y.contains_key(k)))
            }
            (
                Object::Range { start, stop, step },
                Object::Range {
                    start: s2,
                    stop: e2,
                    step: t2,
                },
            ) => {
                // Ranges are equal when they produce the same sequence.
                let (n1, n2) = (range_len(*start, *stop, *step), range_len(*s2, *e2, *t2));
                Ok(n1 == n2 && (n1 == 0 || (start == s2 && (n1 == 1 || step == t2))))
            }
            _ => Ok(false),
        }
    }

    /// Equality that honours `__eq__` on instances (used inside containers).
    pub fn eq_full(&mut self, a: Value, b: Value) -> PyResult<bool> {
        let r = self.rich_compare(2, a, b)?;
        self.truthy(r)
    }

    /// Ordering of built-in values; `None` when the types do not order.
    pub fn order(&mut self, a: Value, b: Value) -> PyResult<Option<std::cmp::Ordering>> {
        if let (Some(x), Some(y)) = (self.int_arg(a), self.int_arg(b)) {
            return Ok(Some(x.big().cmp(&y.big())));
        }
        if let (Some(x), Some(y)) = (self.to_f64(a), self.to_f64(b)) {
            return Ok(x
                .partial_cmp(&y)
                .or(Some(std::cmp::Ordering::Equal))
                .filter(|_| !x.is_nan() && !y.is_nan())
                .or(Some(std::cmp::Ordering::Greater)));
        }
        let (Some(ra), Some(rb)) = (a.as_obj(), b.as_obj()) else {
            return Ok(None);
        };
        match (self.heap.get(ra), self.heap.get(rb)) {
            (Object::Str(x), Object::Str(y)) => Ok(Some(x.text.cmp(&y.text))),
            (Object::Bytes(x), Object::Bytes(y)) => Ok(Some(x.cmp(y))),
            (Object::Tuple(x), Object::Tuple(y)) | (Object::List(x), Object::List(y)) => {
                let (x, y) = (x.clone(), y.clone());
                for (p, q) in x.iter().zip(&y) {
                    if !self.eq_full(*p, *q)? {
                        let lt = self.rich_compare(0, *p, *q)?;
                        return Ok(Some(if self.truthy(lt)? {
                            std::cmp::Ordering::Less
                        } else {
                            std::cmp::Ordering::Greater
                        }));
                    }
                }
                Ok(Some(x.len().cmp(&y.len())))
            }
            (Object::Set(x) | Object::FrozenSet(x), Object::Set(y) | Object::FrozenSet(y)) => {
                let sub = x.keys().all(|k| y.contains_key(k));
                let sup = y.keys().all(|k| x.contains_key(k));
                Ok(Some(match (sub, sup) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) => std::cmp::Ordering::Less,
                    (false, true) => std::cmp::Ordering::Greater,
                    _ => return Ok(Some(std::cmp::Ordering::Equal)).map(|_| None),
                }))
            }
            _ => Ok(None),
        }
    }

    /// `item in container`.
    pub fn contains(&mut self, container: Value, item: Value) -> PyResult<bool> {
        if let Some(r) = self.call_special(container, "__contains__", vec![item])? {
            return self.truthy(r);
        }
        let Some(rc) = container.as_obj() else {
            let t = self.type_name(container);
            return Err(self.type_error(&format!("argument of type '{t}' is not iterable")));
        };
        match self.heap.get(rc) {
            Object::Bytes(b) => {
                let b = b.clone();
                match item.as_obj().map(|r| self.heap.get(r)) {
                    Some(Object::Bytes(sub)) => {
                        Ok(sub.is_empty() || b.windows(sub.len()).any(|w| w == sub.as_slice()))
                    }
                    _ => match self.as_index(item) {
                        Some(i) => Ok(b.iter().any(|x| i64::from(*x) == i)),
                        None => Err(self.type_error("a bytes-like object is required")),
                    },
                }
            }
            Object::Str(s) => match self.str_of(item) {
                Some(sub) => Ok(s.contains(sub)),
                None => {
                    let t = self.type_name(item);
                    Err(self.type_error(&format!(
                        "'in <string>' requires string as left operand, not {t}"
                    )))
                }
            },
            Object::DictView {
                dict,
                part: super::object::DictPart::Keys,
            } => {
                let dict = *dict;
                self.contains(Value::Obj(dict), item)
            }
            Object::Dict(_) | Object::Set(_) | Object::FrozenSet(_) => {
                let k = self.dict_key(item)?;
                Ok(match self.heap.get(rc) {
                    Object::Dict(d) | Object::Set(d) | Object::FrozenSet(d) => d.contains_key(&k),
                    _ => false,
                })
            }
            Object::Range { start, stop, step } => {
                let (start, stop, step) = (*start, *stop, *step);
                Ok(match self.as_index(item) {
                    Some(i) => {
                        (if step > 0 {
                            i >= start && i < stop
                        } else {
                            i <= start && i > stop
                        }) && (i - start) % step == 0
                    }
                    None => false,
                })
            }
            _ => {
                let items = self.collect_iterable(container)?;
                for v in items {
                    if self.eq_full(v, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    // ------------------------------------------------------------ subscripts

    /// Resolves a slice against a length (slice.indices).
    pub fn slice_indices(&mut self, slice: Value, len: i64) -> PyResult<(i64, i64, i64)> {
        let Some(Object::Slice { start, stop, step }) = slice.as_obj().map(|r| self.heap.get(r))
        else {
            unreachable!("slice_indices is given slices")
        };
        let (start, stop, step) = (*start, *stop, *step);
        let get = |vm: &Self, v: Value| -> Option<i64> {
            if v == Value::None {
                None
            } else {
                vm.as_index(v)
            }
        };
        let step = get(self, step).unwrap_or(1);
        if step == 0 {
            return Err(self.new_exception("ValueError", "slice step cannot be zero"));
        }
        let clamp = |v: Option<i64>, default: i64, low: i64, high: i64| -> i64 {
            match v {
                None => default,
                Some(i) => {
                    let i = if i < 0 { i + len } else { i };
                    i.clamp(low, high)
                }
            }
        };
        if step > 0 {
            Ok((
                clamp(get(self, start), 0, 0, len),
                clamp(get(self, stop), len, 0, len),
                step,
            ))
        } else {
            Ok((
                clamp(get(self, start), len - 1, -1, len - 1),
                clamp(get(self, stop), -1, -1, len - 1),
                step,
            ))
        }
    }

    fn slice_positions(start: i64, stop: i64, step: i64) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = start;
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            out.push(i as usize);
            i += step;
        }
        out
    }

    fn is_slice(&self, v: Value) -> bool {
        matches!(
            v.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Slice { .. })
        )
    }

    fn seq_index(&mut self, index: Value, len: usize, what: &str) -> PyResult<usize> {
        let Some(i) = self.as_index(index) else {
            let t = self.type_name(index);
            return Err(self.type_error(&format!(
                "{what} indices must be integers or slices, not {t}"
            )));
        };
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 {
            return Err(self.new_exception("IndexError", &format!("{what} index out of range")));
        }
        Ok(j as usize)
    }

    /// An instance used as an index converts itself with `__index__`.
    fn index_value(&mut self, index: Value) -> PyResult<Value> {
        if matches!(index, Value::Obj(r) if matches!(self.heap.get(r), Object::Instance(_)))
            && let Some(i) = self.call_special(index, "__index__", vec![])?
        {
            return Ok(i);
        }
        Ok(index)
    }

    pub fn getitem(&mut self, c: Value, index: Value) -> PyResult<Value> {
        let keyed = matches!(
            c.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Dict(_) | Object::Instance(_))
        );
        let index = if keyed {
            index
        } else {
            self.index_value(index)?
        };
        let Some(rc) = c.as_obj() else {
            let t = self.type_name(c);
            return Err(self.type_error(&format!("'{t}' object is not subscriptable")));
        };
        match self.heap.get(rc) {
            Object::List(items) | Object::Tuple(items) => {
                let is_list = matches!(self.heap.get(rc), Object::List(_));
                let len = items.len();
                if self.is_slice(index) {
                    let (a, b, s) = self.slice_indices(index, len as i64)?;
                    let items = match self.heap.get(rc) {
                        Object::List(v) | Object::Tuple(v) => v,
                        _ => unreachable!("checked above"),
                    };
                    let picked: Vec<Value> = Self::slice_positions(a, b, s)
                        .into_iter()
                        .map(|i| items[i])
                        .collect();
                    return Ok(if is_list {
                        self.new_list(picked)
                    } else {
                        self.new_tuple(picked)
                    });
                }
                let i = self.seq_index(index, len, if is_list { "list" } else { "tuple" })?;
                match self.heap.get(rc) {
                    Object::List(v) | Object::Tuple(v) => Ok(v[i]),
                    _ => unreachable!("checked above"),
                }
            }
            Object::Str(s) if s.is_single_byte() => {
                // One byte per character: positions are byte offsets, no decoding needed.
                let len = s.chars;
                if self.is_slice(index) {
                    let (a, b, st) = self.slice_indices(index, len as i64)?;
                    let Object::Str(s) = self.heap.get(rc) else {
                        unreachable!("checked above")
                    };
                    let r: String = if st == 1 {
                        if b > a {
                            s.text[a as usize..b as usize].to_string()
                        } else {
                            String::new()
                        }
                    } else {
                        let bytes = s.text.as_bytes();
                        Self::slice_positions(a, b, st)
                            .into_iter()
                            .map(|i| bytes[i] as char)
                            .collect()
                    };
                    return Ok(self.new_str(r));
                }
                let i = self.seq_index(index, len, "string")?;
                let Object::Str(s) = self.heap.get(rc) else {
                    unreachable!("checked above")
                };
                let r = s.text[i..i + 1].to_string();
                Ok(self.new_str(r))
            }
            Object::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                if self.is_slice(index) {
                    let (a, b, st) = self.slice_indices(index, chars.len() as i64)?;
                    let r: String = Self::slice_positions(a, b, st)
                        .into_iter()
                        .map(|i| chars[i])
                        .collect();
                    return Ok(self.new_str(r));
                }
                let i = self.seq_index(index, chars.len(), "string")?;
                Ok(self.new_str(chars[i].to_string()))
            }
            Object::Bytes(b) => {
                let b = b.clone();
                if self.is_slice(index) {
                    let (x, y, st) = self.slice_indices(index, b.len() as i64)?;
                    let r: Vec<u8> = Self::slice_positions(x, y, st)
                        .into_iter()
                        .map(|i| b[i])
                        .collect();
                    return Ok(self.alloc(Object::Bytes(r)));
                }
                let i = self.seq_index(index, b.len(), "index")?;
                Ok(Value::Int(i64::from(b[i])))
            }
            Object::Range { start, stop, step } => {
                let (start, stop, step) = (*start, *stop, *step);
                let len = range_len(start, stop, step);
                if self.is_slice(index) {
                    let (a, b, s) = self.slice_indices(index, len)?;
                    return Ok(self.alloc(Object::Range {
                        start: start + a * step,
                        stop: start + b * step,
                        step: step * s,
                    }));
                }
                let i = self.seq_index(index, len as usize, "range object")?;
                Ok(Value::Int(start + i as i64 * step))
            }
            Object::Dict(_) => {
                let k = self.dict_key(index)?;
                let found = match self.heap.get(rc) {
                    Object::Dict(d) => d.get(&k).map(|(_, v)| *v),
                    _ => None,
                };
                match found {
                    Some(v) => Ok(v),
                    None => {
                        if let Some(r) = self.call_special(c, "__missing__", vec![index])? {
                            return Ok(r);
                        }
                        Err(self.new_exception_args("KeyError", vec![index]))
                    }
                }
            }
            Object::Instance(_) => match self.call_special(c, "__getitem__", vec![index])? {
                Some(v) => Ok(v),
                None => {
                    let t = self.type_name(c);
                    Err(self.type_error(&format!("'{t}' object is not subscriptable")))
                }
            },
            _ => {
                let t = self.type_name(c);
                Err(self.type_error(&format!("'{t}' object is not subscriptable")))
            }
        }
    }

    pub fn setitem(&mut self, c: Value, index: Value, v: Value) -> PyResult<()> {
        let Some(rc) = c.as_obj() else {
            let t = self.type_name(c);
            return Err(self.type_error(&format!("'{t}' object does not support item assignment")));
        };
        match self.heap.get(rc) {
            Object::List(items) => {
                let len = items.len();
                if self.is_slice(index) {
                    let (a, b, s) = self.slice_indices(index, len as i64)?;
                    let new = self.collect_iterable(v)?;
                    if let Object::List(items) = self.heap.get_mut(rc) {
                        if s == 1 {
                            let b = b.max(a);
                            items.splice(a as usize..b as usize, new);
                        } else {
                            let positions = Self::slice_positions(a, b, s);
                            if positions.len() != new.len() {
                                let msg = format!(
                                    "attempt to assign sequence of size {} to extended slice of size {}",
                                    new.len(),
                                    positions.len()
                                );
                                return Err(self.new_exception("ValueError", &msg));
                            }
                            for (pos, val) in positions.into_iter().zip(new) {
                                items[pos] = val;
                            }
                        }
                    }
                    return Ok(());
                }
                let i = self.seq_index(index, len, "list assignment")?;
                if let Object::List(items) = self.heap.get_mut(rc) {
                    items[i] = v;
                }
                Ok(())
            }
            Object::Dict(_) => {
                let k = self.dict_key(index)?;
                if let Object::Dict(d) = self.heap.get_mut(rc) {
                    match d.get_mut(&k) {
                        Some(slot) => slot.1 = v,
                        None => {
                            d.insert(k, (index, v));
                        }
                    }
                }
                Ok(())
            }
            Object::Instance(_) => match self.call_special(c, "__setitem__", vec![index, v])? {
                Some(_) => Ok(()),
                None => {
                    let t = self.type_name(c);
                    Err(self.type_error(&format!("'{t}' object does not support item assignment")))
                }
            },
            _ => {
                let t = self.type_name(c);
                Err(self.type_error(&format!("'{t}' object does not support item assignment")))
            }
        }
    }

    pub fn delitem(&mut self, c: Value, index: Value) -> PyResult<()> {
        let Some(rc) = c.as_obj() else {
            let t = self.type_name(c);
            return Err(self.type_error(&format!("'{t}' object doesn't support item deletion")));
        };
        match self.heap.get(rc) {
            Object::List(items) => {
                let len = items.len();
                if self.is_slice(index) {
                    let (a, b, s) = self.slice_indices(index, len as i64)?;
                    let mut drop = Self::slice_positions(a, b, s);
                    drop.sort_unstable();
                    if let Object::List(items) = self.heap.get_mut(rc) {
                        for i in drop.into_iter().rev() {
                            items.remove(i);
                        }
                    }
                    return Ok(());
                }
                let i = self.seq_index(index, len, "list assignment")?;
                if let Object::List(items) = self.heap.get_mut(rc) {
                    items.remove(i);
                }
                Ok(())
            }
            Object::Dict(_) => {
                let k = self.dict_key(index)?;
                let removed = match self.heap.get_mut(rc) {
                    Object::Dict(d) => d.shift_remove(&k).is_some(),
                    _ => false,
                };
                if removed {
                    Ok(())
                } else {
                    Err(self.new_exception_args("KeyError", vec![index]))
                }
            }
            _ => match self.call_special(c, "__delitem__", vec![index])? {
                Some(_) => Ok(()),
                None => {
                    let t = self.type_name(c);
                    Err(self.type_error(&format!("'{t}' object doesn't support item deletion")))
                }
            },
        }
    }

    // ------------------------------------------------------------ iteration

    pub fn get_iter(&mut self, v: Value) -> PyResult<Value> {
        let not_iterable = |vm: &mut Self| {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("'{t}' object is not iterable")))
        };
        let Some(r) = v.as_obj() else {
            return not_iterable(self);
        };
        let it = match self.heap.get(r) {
            Object::List(_) | Object::Tuple(_) => Iter::Seq { seq: r, index: 0 },
            Object::Str(s) => Iter::Str {
                chars: s.chars().collect(),
                index: 0,
            },
            Object::Bytes(b) => Iter::Values {
                items: b.iter().map(|x| Value::Int(i64::from(*x))).collect(),
                index: 0,
            },
            Object::Range { start, stop, step } => Iter::Range {
                next: *start,
                stop: *stop,
                step: *step,
            },
            Object::Dict(d) => Iter::Dict {
                dict: r,
                index: 0,
                size: d.len(),
                part: super::object::DictPart::Keys,
            },
            Object::DictView { dict, part } => {
                let (dict, part) = (*dict, *part);
                let size = match self.heap.get(dict) {
                    Object::Dict(d) => d.len(),
                    _ => 0,
                };
                Iter::Dict {
                    dict,
                    index: 0,
                    size,
                    part,
                }
            }
            Object::Set(_) | Object::FrozenSet(_) => Iter::Values {
                items: self.set_items(r),
                index: 0,
            },
            Object::Iter(_) | Object::Generator(_) => return Ok(v),
            Object::Instance(_) => {
                if let Some(it) = self.call_special(v, "__iter__", vec![])? {
                    return Ok(it);
                }
                if self.class_lookup(self.type_of(v), "__getitem__").is_some() {
                    // The old sequence protocol: __getitem__(0), (1), ... until IndexError.
                    let getitem = self.getattr(v, "__getitem__")?;
                    let items = self.collect_by_getitem(getitem)?;
                    Iter::Values { items, index: 0 }
                } else {
                    return not_iterable(self);
                }
            }
            _ => return not_iterable(self),
        };
        Ok(self.alloc(Object::Iter(it)))
    }

    fn collect_by_getitem(&mut self, getitem: Value) -> PyResult<Vec<Value>> {
        let mut items = Vec::new();
        for i in 0.. {
            match self.call(getitem, Args::new(vec![Value::Int(i)])) {
                Ok(v) => items.push(v),
                Err(e)
                    if self.exception_is(e, "IndexError")
                        || self.exception_is(e, "StopIteration") =>
                {
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(items)
    }

    /// The next item of an iterator, `None` when exhausted.
    pub fn iter_next(&mut self, it: Value) -> PyResult<Option<Value>> {
        let Some(r) = it.as_obj() else {
            let t = self.type_name(it);
            return Err(self.type_error(&format!("'{t}' object is not an iterator")));
        };
        if matches!(self.heap.get(r), Object::Generator(_)) {
            return self.gen_send(r, Value::None);
        }
        if matches!(self.heap.get(r), Object::Instance(_)) {
            return match self.call_special(it, "__next__", vec![]) {
                Ok(Some(v)) => Ok(Some(v)),
                Ok(None) => {
                    let t = self.type_name(it);
                    Err(self.type_error(&format!("'{t}' object is not an iterator")))
                }
                Err(e) if self.exception_is(e, "StopIteration") => {
                    self.stop_value = self
                        .attr_of_instance(e, "args")
                        .map(|a| self.tuple_items(a))
                        .and_then(|a| a.first().copied())
                        .unwrap_or(Value::None);
                    Ok(None)
                }
                Err(e) => Err(e),
            };
        }
        // Iterators that call back into Python are handled with the heap borrow released.
        enum Step {
            Done(Option<Value>),
            Enumerate(Value, i64),
            Zip(Vec<Value>),
            Map(Value, Vec<Value>),
            Filter(Value, Value),
            Callable(Value, Value),
        }
        let step = match self.heap.get_mut(r) {
            Object::Iter(iter) => match iter {
                Iter::Dict {
                    dict,
                    index,
                    size,
                    part,
                } => {
                    let (dict, i, size, part) = (*dict, *index, *size, *part);
                    *index += 1;
                    let Object::Dict(d) = self.heap.get(dict) else {
                        unreachable!("dict iterators walk dicts")
                    };
                    if d.len() != size {
                        return Err(self.new_exception(
                            "RuntimeError",
                            "dictionary changed size during iteration",
                        ));
                    }
                    match d.get_index(i).map(|(_, kv)| *kv) {
                        None => Step::Done(None),
                        Some((k, v)) => Step::Done(Some(match part {
                            super::object::DictPart::Keys => k,
                            super::object::DictPart::Values => v,
                            super::object::DictPart::Items => self.new_tuple(vec![k, v]),
                        })),
                    }
                }
                Iter::Seq { seq, index } => {
                    let (seq, i) = (*seq, *index);
                    *index += 1;
                    let item = match self.heap.get(seq) {
                        Object::List(v) | Object::Tuple(v) => v.get(i).copied(),
                        _ => None,
                    };
                    Step::Done(item)
                }
                Iter::Str { chars, index } => {
                    let c = chars.get(*index).copied();
                    *index += 1;
                    match c {
                        Some(c) => Step::Done(Some(self.new_str(c.to_string()))),
                        None => Step::Done(None),
                    }
                }
                Iter::Range { next, stop, step } => {
                    if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) {
                        let v = *next;
                        *next += *step;
                        Step::Done(Some(Value::Int(v)))
                    } else {
                        Step::Done(None)
                    }
                }
                Iter::Values { items, index } => {
                    let v = items.get(*index).copied();
                    *index += 1;
                    Step::Done(v)
                }
                Iter::Enumerate { inner, count } => {
                    let c = *count;
                    *count += 1;
                    Step::Enumerate(*inner, c)
                }
                Iter::Zip { inners } => Step::Zip(inners.clone()),
                Iter::Map { func, inners } => Step::Map(*func, inners.clone()),
                Iter::Filter { func, inner } => Step::Filter(*func, *inner),
                Iter::Callable { func, sentinel } => Step::Callable(*func, *sentinel),
            },
            _ => {
                let t = self.type_name(it);
                return Err(self.type_error(&format!("'{t}' object is not an iterator")));
            }
        };
        match step {
            Step::Done(v) => Ok(v),
            Step::Enumerate(inner, c) => match self.iter_next(inner)? {
                Some(v) => Ok(Some(self.new_tuple(vec![Value::Int(c), v]))),
                None => Ok(None),
            },
            Step::Zip(inners) => {
                let mut items = Vec::with_capacity(inners.len());
                for i in inners {
                    match self.iter_next(i)? {
                        Some(v) => items.push(v),
                        None => return Ok(None),
                    }
                }
                if items.is_empty() {
                    return Ok(None);
                }
                Ok(Some(self.new_tuple(items)))
            }
            Step::Map(func, inners) => {
                let mut args = Vec::with_capacity(inners.len());
                for i in inners {
                    match self.iter_next(i)? {
                        Some(v) => args.push(v),
                        None => return Ok(None),
                    }
                }
                self.call(func, Args::new(args)).map(Some)
            }
            Step::Filter(func, inner) => loop {
                let Some(v) = self.iter_next(inner)? else {
                    return Ok(None);
                };
                let keep = if func == Value::None {
                    v
                } else {
                    self.call(func, Args::new(vec![v]))?
                };
                if self.truthy(keep)? {
                    return Ok(Some(v));
                }
            },
            Step::Callable(func, sentinel) => {
                let v = self.call(func, Args::default())?;
                if self.eq_full(v, sentinel)? {
                    Ok(None)
                } else {
                    Ok(Some(v))
                }
            }
        }
    }

    /// Every item of an iterable.
    pub fn collect_iterable(&mut self, v: Value) -> PyResult<Vec<Value>> {
        if let Some(r) = v.as_obj() {
            match self.heap.get(r) {
                Object::List(items) | Object::Tuple(items) => return Ok(items.clone()),
                Object::Dict(d) => return Ok(d.values().map(|(k, _)| *k).collect()),
                Object::Set(_) | Object::FrozenSet(_) => return Ok(self.set_items(r)),
                _ => {}
            }
        }
        let it = self.get_iter(v)?;
        let mut out = Vec::new();
        while let Some(x) = self.iter_next(it)? {
            out.push(x);
        }
        Ok(out)
    }

    /// (key, value) pairs of a mapping (a dict, or anything with keys() and __getitem__).
    pub fn mapping_items(&mut self, v: Value) -> PyResult<Vec<(Value, Value)>> {
        if let Some(Object::Dict(d)) = v.as_obj().map(|r| self.heap.get(r)) {
            return Ok(d.values().copied().collect());
        }
        let keys = match self.getattr(v, "keys") {
            Ok(k) => self.call(k, Args::default())?,
            Err(_) => {
                let t = self.type_name(v);
                return Err(self.type_error(&format!("'{t}' object is not a mapping")));
            }
        };
        let mut out = Vec::new();
        for k in self.collect_iterable(keys)? {
            let val = self.getitem(v, k)?;
            out.push((k, val));
        }
        Ok(out)
    }

    pub fn tuple_items(&self, v: Value) -> Vec<Value> {
        match v.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Tuple(items)) | Some(Object::List(items)) => items.clone(),
            _ => vec![],
        }
    }

    /// A set's elements in CPython's iteration order.
    pub fn set_items(&self, r: ObjRef) -> Vec<Value> {
        let (Object::Set(d) | Object::FrozenSet(d)) = self.heap.get(r) else {
            return vec![];
        };
        let items: Vec<(Value, Option<i64>)> = d
            .iter()
            .map(|(k, (v, _))| {
                let h = match k {
                    DictKey::Int(i) => Some(super::builtins::hash_int(&BigInt::from(*i))),
                    _ => None,
                };
                (*v, h)
            })
            .collect();
        set_order(&items)
    }

    pub fn new_set(&mut self, items: Vec<Value>) -> PyResult<Value> {
        let mut d = Dict::new();
        for v in items {
            let k = self.dict_key(v)?;
            d.entry(k).or_insert((v, Value::None));
        }
        Ok(self.alloc(Object::Set(d)))
    }

    pub fn set_add(&mut self, set: Value, v: Value) -> PyResult<()> {
        let k = self.dict_key(v)?;
        if let Some(Object::Set(d)) = set.as_obj().map(|r| self.heap.get_mut(r)) {
            d.entry(k).or_insert((v, Value::None));
        }
        Ok(())
    }

    // ------------------------------------------------------------ attributes

    pub fn getattr(&mut self, obj: Value, name: &str) -> PyResult<Value> {
        if let Some(v) = self.getattr_opt(obj, name)? {
            return Ok(v);
        }
        if let Value::Obj(r) = obj
            && matches!(self.heap.get(r), Object::Instance(_))
            && let Some(ga) = self.class_lookup(self.type_of(obj), "__getattr__")
        {
            let n = self.new_str(name);
            return self.call_method_value(ga, obj, vec![n]);
        }
        let msg = match obj.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Class(c)) => format!("type object '{}' has no attribute '{name}'", c.name),
            Some(Object::Module { name: m, .. }) => {
                format!("module '{m}' has no attribute '{name}'")
            }
            _ => format!("'{}' object has no attribute '{name}'", self.type_name(obj)),
        };
        Err(self.new_exception("AttributeError", &msg))
    }

    /// Binds a value found on a class to the object it was looked up on.
    fn bind(&mut self, found: Value, obj: Value, class: ObjRef) -> PyResult<Value> {
        let Some(r) = found.as_obj() else {
            return Ok(found);
        };
        Ok(match self.heap.get(r) {
            Object::Function(_) => self.alloc(Object::BoundMethod {
                receiver: obj,
                func: found,
            }),
            Object::Native(n) if n.receiver.is_none() => {
                let n = n.clone();
                self.alloc(Object::Native(Native {
                    receiver: Some(obj),
                    ..n
                }))
            }
            Object::StaticMethod(f) => *f,
            Object::ClassMethod(f) => {
                let f = *f;
                self.alloc(Object::BoundMethod {
                    receiver: Value::Obj(class),
                    func: f,
                })
            }
            Object::Property { fget, .. } => {
                let fget = *fget;
                return self.call(fget, Args::new(vec![obj]));
            }
            _ => found,
        })
    }

    pub fn getattr_opt(&mut self, obj: Value, name: &str) -> PyResult<Option<Value>> {
        let class = self.type_of(obj);
        if let Value::Obj(r) = obj {
            match self.heap.get(r) {
                Object::Instance(inst) => {
                    if name == "__class__" {
                        return Ok(Some(Value::Obj(inst.class)));
                    }
                    if name == "__dict__" {
                        return Ok(Some(Value::Obj(inst.dict)));
                    }
                    let found = self.class_lookup(class, name);
                    let is_data_descriptor = found.is_some_and(|f| {
                        matches!(
                            f.as_obj().map(|r| self.heap.get(r)),
                            Some(Object::Property { .. })
                        )
                    });
                    if !is_data_descriptor && let Some(v) = self.attr_of_instance(obj, name) {
                        return Ok(Some(v));
                    }
                    if self.exception_is(obj, "BaseException") {
                        let first_arg = || -> Value {
                            self.attr_of_instance(obj, "args")
                                .map(|a| self.tuple_items(a))
                                .and_then(|a| a.first().copied())
                                .unwrap_or(Value::None)
                        };
                        match name {
                            "__traceback__" => return Ok(Some(Value::None)),
                            "__suppress_context__" => return Ok(Some(Value::Bool(false))),
                            "value" if self.exception_is(obj, "StopIteration") => {
                                return Ok(Some(first_arg()));
                            }
                            "code" if self.exception_is(obj, "SystemExit") => {
                                return Ok(Some(first_arg()));
                            }
                            _ => {}
                        }
                    }
                    if matches!(name, "__cause__" | "__context__")
                        && self.exception_is(obj, "BaseException")
                    {
                        return Ok(Some(Value::None));
                    }
                    let found = match found {
                        Some(f) => Some(f),
                        None => super::builtins::builtin_method(self, class, name),
                    };
                    return match found {
                        Some(f) => self.bind(f, obj, class).map(Some),
                        None => Ok(None),
                    };
                }
                Object::Class(c) => {
                    match name {
                        "__name__" => return Ok(Some(self.new_str(c.name.clone()))),
                        "__qualname__" => return Ok(Some(self.new_str(c.qualname.clone()))),
                        "__mro__" => {
                            let mro = c.mro.iter().map(|m| Value::Obj(*m)).collect();
                            return Ok(Some(self.new_tuple(mro)));
                        }
                        "__base__" => {
                            return Ok(Some(
                                c.bases.first().map_or(Value::None, |b| Value::Obj(*b)),
                            ));
                        }
                        "__bases__" => {
                            let bases = c.bases.iter().map(|m| Value::Obj(*m)).collect();
                            return Ok(Some(self.new_tuple(bases)));
                        }
                        "__dict__" => {
                            let items: Vec<(String, Value)> =
                                c.dict.iter().map(|(k, v)| (k.clone(), *v)).collect();
                            let d = self.new_dict();
                            for (k, v) in items {
                                let key = self.new_str(k);
                                self.setitem(d, key, v)?;
                            }
                            return Ok(Some(d));
                        }
                        _ => {}
                    }
                    let found = self.class_lookup(r, name);
                    return Ok(match found {
                        Some(f) => match f.as_obj().map(|x| self.heap.get(x)) {
                            Some(Object::StaticMethod(func)) => Some(*func),
                            Some(Object::ClassMethod(func)) => {
                                let func = *func;
                                Some(self.alloc(Object::BoundMethod {
                                    receiver: obj,
                                    func,
                                }))
                            }
                            _ => Some(f),
                        },
                        None => super::builtins::type_attr(self, r, name),
                    });
                }
                Object::Module { dict, .. } => {
                    let dict = *dict;
                    return Ok(self.dict_get_str(dict, name));
                }
                Object::Super {
                    class: start,
                    receiver,
                } => {
                    let (start, receiver) = (*start, *receiver);
                    let recv_class = match receiver.as_obj().map(|r| self.heap.get(r)) {
                        Some(Object::Class(_)) => receiver.as_obj().expect("checked"),
                        _ => self.type_of(receiver),
                    };
                    let mro = self.mro_of(recv_class);
                    let pos = mro.iter().position(|c| *c == start).map_or(0, |p| p + 1);
                    for c in &mro[pos..] {
                        let found = match self.heap.get(*c) {
                            Object::Class(k) => k.dict.get(name).copied(),
                            _ => None,
                        };
                        if let Some(f) = found {
                            return self.bind(f, receiver, recv_class).map(Some);
                        }
                        if let Some(m) = super::builtins::builtin_method(self, *c, name) {
                            return self.bind(m, receiver, recv_class).map(Some);
                        }
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
        if let Some(v) = super::builtins::special_attr(self, obj, name)? {
            return Ok(Some(v));
        }
        match super::builtins::builtin_method(self, class, name) {
            Some(m) => self.bind(m, obj, class).map(Some),
            None => Ok(None),
        }
    }

    pub fn setattr(&mut self, obj: Value, name: &str, v: Value) -> PyResult<()> {
        let class = self.type_of(obj);
        if let Some(found) = self.class_lookup(class, name)
            && let Some(Object::Property { fset, .. }) = found.as_obj().map(|r| self.heap.get(r))
        {
            let fset = *fset;
            if fset == Value::None {
                return Err(self.new_exception("AttributeError", "can't set attribute"));
            }
            self.call(fset, Args::new(vec![obj, v]))?;
            return Ok(());
        }
        if let Value::Obj(r) = obj {
            match self.heap.get_mut(r) {
                Object::Instance(inst) => {
                    let d = inst.dict;
                    self.dict_set_str(d, name, v);
                    return Ok(());
                }
                Object::Class(c) => {
                    c.dict.insert(name.to_string(), v);
                    return Ok(());
                }
                Object::Function(func) => {
                    func.dict.insert(name.to_string(), v);
                    return Ok(());
                }
                Object::Module { dict, .. } => {
                    let dict = *dict;
                    self.dict_set_str(dict, name, v);
                    return Ok(());
                }
                _ => {}
            }
        }
        let t = self.type_name(obj);
        Err(self.new_exception(
            "AttributeError",
            &format!("'{t}' object has no attribute '{name}'"),
        ))
    }

    pub fn delattr(&mut self, obj: Value, name: &str) -> PyResult<()> {
        let class = self.type_of(obj);
        if let Some(found) = self.class_lookup(class, name)
            && let Some(Object::Property { fdel, .. }) = found.as_obj().map(|r| self.heap.get(r))
        {
            let fdel = *fdel;
            if fdel == Value::None {
                return Err(self.new_exception("AttributeError", "can't delete attribute"));
            }
            self.call(fdel, Args::new(vec![obj]))?;
            return Ok(());
        }
        if let Value::Obj(r) = obj {
            let removed = match self.heap.get_mut(r) {
                Object::Instance(inst) => {
                    let d = inst.dict;
                    self.dict_del_str(d, name)
                }
                Object::Class(c) => c.dict.shift_remove(name).is_some(),
                _ => false,
            };
            if removed {
                return Ok(());
            }
        }
        let t = self.type_name(obj);
        Err(self.new_exception(
            "AttributeError",
            &format!("'{t}' object has no attribute '{name}'"),
        ))
    }

    // ------------------------------------------------------------ calls

    /// Prepares a call: natives run now; Python functions give a frame for the eval loop.
    pub fn prepare_call(&mut self, callable: Value, mut args: Args) -> PyResult<Call> {
        let Some(r) = callable.as_obj() else {
            let t = self.type_name(callable);
            return Err(self.type_error(&format!("'{t}' object is not callable")));
        };
        match self.heap.get(r) {
            Object::Function(_) => {
                // Binding reads the function in place: it is taken out of its slot for the
                // duration (binding runs no Python code) rather than cloned on every call.
                let Object::Function(func) =
                    std::mem::replace(self.heap.get_mut(r), Object::Tuple(Vec::new()))
                else {
                    unreachable!("matched a function")
                };
                let bound = self.bind_function(&func, args);
                let is_generator = func.code.co_flags
                    & (crate::bytecode::code::flags::CO_GENERATOR
                        | crate::bytecode::code::flags::CO_COROUTINE)
                    != 0;
                let qualname = if is_generator {
                    Some(func.qualname.clone())
                } else {
                    None
                };
                *self.heap.get_mut(r) = Object::Function(func);
                let frame = bound?;
                match qualname {
                    Some(q) => Ok(Call::Done(self.make_generator(frame, q))),
                    None => Ok(Call::Frame(Box::new(frame))),
                }
            }
            Object::Native(n) => {
                let (func, mut receiver, name) = (n.func, n.receiver, n.name);
                if n.is_method && receiver.is_none() {
                    if args.pos.is_empty() {
                        return Err(
                            self.type_error(&format!("unbound method {name}() needs an argument"))
                        );
                    }
                    receiver = Some(args.pos.remove(0));
                }
                Ok(Call::Done(func(self, receiver, args)?))
            }
            Object::BoundMethod { receiver, func } => {
                let (receiver, func) = (*receiver, *func);
                args.pos.insert(0, receiver);
                self.prepare_call(func, args)
            }
            Object::Class(c) => {
                let builtin = c.builtin;
                if builtin.is_some() && builtin != Some("BaseException") {
                    let name = c.name.clone();
                    if self.class_lookup(r, "__init__").is_none()
                        || self.types.get(name.as_str()) == Some(&r)
                    {
                        return Ok(Call::Done(super::builtins::construct(self, r, args)?));
                    }
                }
                let instance = if builtin == Some("BaseException") {
                    let pos = args.pos.clone();
                    self.instantiate_exception(r, pos)
                } else {
                    self.new_instance(r)
                };
                match self.class_lookup(r, "__init__") {
                    Some(init)
                        if matches!(
                            init.as_obj().map(|x| self.heap.get(x)),
                            Some(Object::Function(_))
                        ) =>
                    {
                        args.pos.insert(0, instance);
                        match self.prepare_call(init, args)? {
                            Call::Done(_) => Ok(Call::Done(instance)),
                            Call::Frame(mut frame) => {
                                frame.resume = Resume::Replace(instance);
                                Ok(Call::Frame(frame))
                            }
                        }
                    }
                    _ => {
                        if builtin.is_none() && (!args.pos.is_empty() || !args.kw.is_empty()) {
                            let name = self.class_name(r);
                            return Err(self.type_error(&format!("{name}() takes no arguments")));
                        }
                        Ok(Call::Done(instance))
                    }
                }
            }
            Object::Instance(_) => match self.class_lookup(self.type_of(callable), "__call__") {
                Some(m) => {
                    args.pos.insert(0, callable);
                    self.prepare_call(m, args)
                }
                None => {
                    let t = self.type_name(callable);
                    Err(self.type_error(&format!("'{t}' object is not callable")))
                }
            },
            Object::StaticMethod(f) | Object::ClassMethod(f) => {
                let f = *f;
                self.prepare_call(f, args)
            }
            _ => {
                let t = self.type_name(callable);
                Err(self.type_error(&format!("'{t}' object is not callable")))
            }
        }
    }

    /// `raise X`: X may be an exception class (instantiated) or instance.
    pub fn make_exception(&mut self, v: Value) -> PyResult<Value> {
        let base = self.types["BaseException"];
        match v.as_obj().map(|r| self.heap.get(r)) {
            Some(Object::Class(_)) if self.is_subclass(v.as_obj().expect("checked"), base) => {
                self.call(v, Args::default())
            }
            Some(Object::Instance(_)) if self.isinstance(v, base) => Ok(v),
            _ => Err(self.type_error("exceptions must derive from BaseException")),
        }
    }

    pub fn get_awaitable(&mut self, v: Value) -> PyResult<Value> {
        if let Some(g) = self.as_generator(v)
            && let Object::Generator(gn) = self.heap.get(g)
            && gn.kind == GenKind::Coroutine
        {
            return Ok(v);
        }
        if let Some(r) = self.call_special(v, "__await__", vec![])? {
            return Ok(r);
        }
        let t = self.type_name(v);
        Err(self.type_error(&format!("object {t} can't be used in 'await' expression")))
    }

    // ------------------------------------------------------------ text

    pub fn repr(&mut self, v: Value) -> PyResult<String> {
        if let Value::Obj(r) = v {
            let placeholder = match self.heap.get(r) {
                Object::List(_) => Some("[...]"),
                Object::Dict(_) => Some("{...}"),
                Object::Tuple(_) | Object::Set(_) | Object::FrozenSet(_) | Object::Instance(_) => {
                    Some("...")
                }
                _ => None,
            };
            if let Some(placeholder) = placeholder {
                if self.repr_stack.contains(&r) {
                    return Ok(placeholder.to_string());
                }
                self.repr_stack.push(r);
                let result = self.repr_inner(v);
                self.repr_stack.pop();
                return result;
            }
        }
        self.repr_inner(v)
    }

    fn repr_inner(&mut self, v: Value) -> PyResult<String> {
        Ok(match v {
            Value::None => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => pyfmt::float_repr(f),
            Value::Obj(r) => {
                if self.native_depth > 400 {
                    return Err(self.new_exception(
                        "RecursionError",
                        "maximum recursion depth exceeded while getting the repr of an object",
                    ));
                }
                match self.heap.get(r) {
                    Object::Str(s) => pyfmt::str_repr(s),
                    Object::Bytes(b) => pyfmt::bytes_repr(b),
                    Object::BigInt(b) => b.to_string(),
                    Object::Tuple(items) => {
                        let items = items.clone();
                        let parts = self.reprs(&items)?;
                        if parts.len() == 1 {
                            format!("({},)", parts[0])
                        } else {
                            format!("({})", parts.join(", "))
                        }
                    }
                    Object::List(items) => {
                        let items = items.clone();
                        format!("[{}]", self.reprs(&items)?.join(", "))
                    }
                    Object::Dict(d) => {
                        let pairs: Vec<(Value, Value)> = d.values().copied().collect();
                        let mut parts = Vec::with_capacity(pairs.len());
                        for (k, val) in pairs {
                            parts.push(format!("{}: {}", self.repr(k)?, self.repr(val)?));
                        }
                        format!("{{{}}}", parts.join(", "))
                    }
                    Object::Set(d) | Object::FrozenSet(d) => {
                        let frozen = matches!(self.heap.get(r), Object::FrozenSet(_));
                        let _ = d;
                        let keys: Vec<Value> = self.set_items(r);
                        let inner = self.reprs(&keys)?.join(", ");
                        match (frozen, keys.is_empty()) {
                            (false, true) => "set()".into(),
                            (false, false) => format!("{{{inner}}}"),
                            (true, true) => "frozenset()".into(),
                            (true, false) => format!("frozenset({{{inner}}})"),
                        }
                    }
                    Object::Range { start, stop, step } => {
                        if *step == 1 {
                            format!("range({start}, {stop})")
                        } else {
                            format!("range({start}, {stop}, {step})")
                        }
                    }
                    Object::Slice { start, stop, step } => {
                        let (a, b, c) = (*start, *stop, *step);
                        format!(
                            "slice({}, {}, {})",
                            self.repr(a)?,
                            self.repr(b)?,
                            self.repr(c)?
                        )
                    }
                    Object::Function(f) => {
                        format!("<function {} at {}>", f.qualname, self.address(r))
                    }
                    Object::Native(n) => match n.receiver {
                        Some(recv) => {
                            let t = self.type_name(recv);
                            format!(
                                "<built-in method {} of {t} object at {}>",
                                n.name,
                                self.address(r)
                            )
                        }
                        None => format!("<built-in function {}>", n.name),
                    },
                    Object::BoundMethod { receiver, func } => {
                        let (receiver, func) = (*receiver, *func);
                        let fname = match func.as_obj().map(|x| self.heap.get(x)) {
                            Some(Object::Function(f)) => f.qualname.clone(),
                            _ => "?".into(),
                        };
                        let rr = self.repr(receiver)?;
                        format!("<bound method {fname} of {rr}>")
                    }
                    Object::Class(c) => {
                        if c.builtin.is_some() && c.builtin != Some("BaseException")
                            || self.types.get(c.name.as_str()) == Some(&r)
                        {
                            format!("<class '{}'>", c.name)
                        } else {
                            format!("<class '__main__.{}'>", c.qualname)
                        }
                    }
                    Object::Instance(_) => {
                        if let Some(s) = self.call_special(v, "__repr__", vec![])? {
                            return Ok(self.str_of(s).unwrap_or_default().to_string());
                        }
                        if self.exception_is(v, "BaseException") {
                            let name = self.type_name(v);
                            let args = self
                                .attr_of_instance(v, "args")
                                .map(|a| self.tuple_items(a))
                                .unwrap_or_default();
                            let parts = self.reprs(&args)?;
                            return Ok(if parts.len() == 1 {
                                format!("{name}({})", parts[0])
                            } else {
                                format!("{name}({})", parts.join(", "))
                            });
                        }
                        let class = self.type_of(v);
                        let qual = match self.heap.get(class) {
                            Object::Class(c) => c.qualname.clone(),
                            _ => "?".into(),
                        };
                        format!("<__main__.{qual} object at {}>", self.address(r))
                    }
                    Object::Generator(g) => {
                        let what = if g.kind == GenKind::Coroutine {
                            "coroutine"
                        } else {
                            "generator"
                        };
                        format!("<{what} object {} at {}>", g.qualname, self.address(r))
                    }
                    Object::DictView { dict, part } => {
                        let (dict, part) = (*dict, *part);
                        let view = Value::Obj(r);
                        let items = self.collect_iterable(view)?;
                        let _ = dict;
                        let name = match part {
                            super::object::DictPart::Keys => "dict_keys",
                            super::object::DictPart::Values => "dict_values",
                            super::object::DictPart::Items => "dict_items",
                        };
                        format!("{name}([{}])", self.reprs(&items)?.join(", "))
                    }
                    Object::Module { name, .. } => format!("<module '{name}'>"),
                    Object::Code(c) => c.repr(),
                    _ => {
                        let t = self.type_name(v);
                        format!("<{t} object at {}>", self.address(r))
                    }
                }
            }
        })
    }

    fn reprs(&mut self, items: &[Value]) -> PyResult<Vec<String>> {
        self.native_depth += 1;
        let r = items.iter().map(|v| self.repr(*v)).collect();
        self.native_depth -= 1;
        r
    }

    /// A stable stand-in for an object's address, so output repeats from run to run.
    pub fn address(&self, r: ObjRef) -> String {
        format!("{:#x}", 0x7f00_0010_0000u64 + u64::from(r.0) * 0x30)
    }

    pub fn str(&mut self, v: Value) -> PyResult<String> {
        if let Value::Obj(r) = v {
            match self.heap.get(r) {
                Object::Str(s) => return Ok(s.text.clone()),
                Object::Instance(_) => {
                    if let Some(s) = self.call_special(v, "__str__", vec![])? {
                        return Ok(self.str_of(s).unwrap_or_default().to_string());
                    }
                    if self.exception_is(v, "BaseException") {
                        let args = self
                            .attr_of_instance(v, "args")
                            .map(|a| self.tuple_items(a))
                            .unwrap_or_default();
                        if self.exception_is(v, "KeyError") && args.len() == 1 {
                            return self.repr(args[0]);
                        }
                        return match args.len() {
                            0 => Ok(String::new()),
                            1 => self.str(args[0]),
                            _ => {
                                let t = self.new_tuple(args);
                                self.repr(t)
                            }
                        };
                    }
                }
                _ => {}
            }
        }
        self.repr(v)
    }

    /// format(value, spec): the format-spec mini-language for ints, floats and strings.
    pub fn format(&mut self, v: Value, spec: &str) -> PyResult<String> {
        if matches!(v, Value::Obj(r) if matches!(self.heap.get(r), Object::Instance(_)))
            && self.class_lookup(self.type_of(v), "__format__").is_some()
        {
            let spec_v = self.new_str(spec);
            let r = self
                .call_special(v, "__format__", vec![spec_v])?
                .unwrap_or(Value::None);
            return Ok(self.str_of(r).unwrap_or_default().to_string());
        }
        if spec.is_empty() {
            return self.str(v);
        }
        super::builtins::format_spec(self, v, spec)
    }

    /// `str % args`.
    pub fn percent_format(&mut self, fmt: Value, args: Value) -> PyResult<String> {
        super::builtins::percent_format(self, fmt, args)
    }
}

/// The iteration order CPython's set table gives small-int elements: their hashes index a
/// power-of-two table (open addressing, 3.7's probing and resizing). Other elements keep
/// insertion order, which is what CPython shows for them only by chance.
pub fn set_order(items: &[(Value, Option<i64>)]) -> Vec<Value> {
    if items.iter().any(|(_, h)| h.is_none()) {
        return items.iter().map(|(v, _)| *v).collect();
    }
    let insert = |table: &mut Vec<Option<(Value, u64)>>, v: Value, hash: u64| {
        let mask = table.len() as u64 - 1;
        let mut i = hash & mask;
        let mut perturb = hash;
        loop {
            if table[i as usize].is_none() {
                table[i as usize] = Some((v, hash));
                return;
            }
            if i + 9 <= mask {
                for _ in 0..9 {
                    i += 1;
                    if table[i as usize].is_none() {
                        table[i as usize] = Some((v, hash));
                        return;
                    }
                }
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb)) & mask;
        }
    };
    let mut table: Vec<Option<(Value, u64)>> = vec![None; 8];
    let mut used = 0u64;
    for (v, h) in items {
        let hash = h.expect("checked above") as u64;
        insert(&mut table, *v, hash);
        used += 1;
        let mask = table.len() as u64 - 1;
        if used * 5 >= mask * 3 {
            let min = if used > 50_000 { used * 2 } else { used * 4 };
            let mut size = 8u64;
            while size <= min {
                size <<= 1;
            }
            let old = std::mem::replace(&mut table, vec![None; size as usize]);
            for (ov, oh) in old.into_iter().flatten() {
                insert(&mut table, ov, oh);
            }
        }
    }
    table.into_iter().flatten().map(|(v, _)| v).collect()
}

pub fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    if (step > 0 && start < stop) || (step < 0 && start > stop) {
        (stop - start + step - step.signum()) / step
    } else {
        0
    }
}

/// Correctly rounded int / int (as CPython's long true division for values in f64 range).
fn int_true_divide(x: &BigInt, y: &BigInt) -> f64 {
    match (x.to_i64(), y.to_i64()) {
        (Some(a), Some(b)) if a.unsigned_abs() < (1 << 53) && b.unsigned_abs() < (1 << 53) => {
            a as f64 / b as f64
        }
        _ => {
            let (q, r) = x.div_rem(y);
            q.to_f64().unwrap_or(f64::INFINITY)
                + r.to_f64().unwrap_or(0.0) / y.to_f64().unwrap_or(f64::INFINITY)
        }
    }
}
