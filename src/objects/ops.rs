//! Truth and arithmetic: the i64 fast path, big ints on overflow, floats, and the special
//! methods of instances, with CPython's error messages. Sequence and set operators are
//! `sequence_ops.rs`'s; comparison, items, attributes and text live beside it
//! (`compare.rs`, `items.rs`, `attrs.rs`, `text.rs`).

use super::items::range_len;
use crate::bytecode::{ConstValue, Opcode as Op};
use crate::vm::object::{Args, Dict, Object};
use crate::vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// An integer operand, small or big.
pub(super) enum IntArg {
    Small(i64),
    Big(BigInt),
}

impl IntArg {
    pub(super) fn big(&self) -> BigInt {
        match self {
            IntArg::Small(i) => BigInt::from(*i),
            IntArg::Big(b) => b.clone(),
        }
    }
}

pub(crate) fn binop_symbol(op: Op) -> &'static str {
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

pub(crate) fn is_inplace(op: Op) -> bool {
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
            // As CPython's compiler does, str constants made of name characters are
            // interned: the same object as the attribute and global names they spell.
            ConstValue::Str(s) if s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
                self.intern(s)
            }
            ConstValue::Complex(re, im) => self.new_complex((*re, *im)),
            ConstValue::Str(s) => self.new_str(s.clone()),
            ConstValue::Bytes(b) => self.alloc(Object::Bytes(b.clone())),
            ConstValue::Tuple(items) => {
                let items = items.iter().map(|i| self.load_const(i)).collect();
                self.new_tuple(items)
            }
            ConstValue::FrozenSet(items) => {
                let items: Vec<Value> = items.iter().map(|i| self.load_const(i)).collect();
                let mut d = Dict::default();
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

    pub(super) fn int_arg(&self, v: Value) -> Option<IntArg> {
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

    /// An index argument as CPython's `n` format: `__index__` honoured, OverflowError past
    /// 64 bits, TypeError for a non-integer.
    pub fn ssize_arg(&mut self, v: Value) -> PyResult<i64> {
        let v = self.index_via_dunder(v)?;
        match self.int_arg(v) {
            Some(IntArg::Small(i)) => Ok(i),
            Some(IntArg::Big(b)) => b.to_i64().ok_or_else(|| {
                self.new_exception(
                    "OverflowError",
                    "Python int too large to convert to C ssize_t",
                )
            }),
            None => {
                let t = self.type_name(v);
                Err(self.type_error(&format!("'{t}' object cannot be interpreted as an integer")))
            }
        }
    }

    /// operator.index(v) for the places that take an integer: an instance's `__index__`
    /// result (which must be an int); anything else unchanged, for the caller to judge.
    pub fn index_via_dunder(&mut self, v: Value) -> PyResult<Value> {
        if self.int_arg(v).is_some() {
            return Ok(v);
        }
        match self.call_special(v, "__index__", vec![])? {
            Some(i) if self.int_arg(i).is_some() => Ok(i),
            Some(other) => {
                let t = self.type_name(other);
                Err(self.type_error(&format!("__index__ returned non-int (type {t})")))
            }
            None => Ok(v),
        }
    }

    /// An integer argument of any size, as CPython's PyNumber_Index: `__index__` honoured
    /// (a bool stays an int), TypeError for anything else.
    pub fn integer_value(&mut self, v: Value) -> PyResult<Value> {
        let i = self.index_via_dunder(v)?;
        match self.int_arg(i) {
            Some(IntArg::Small(n)) => Ok(Value::Int(n)),
            Some(IntArg::Big(_)) => Ok(i),
            None => {
                let t = self.type_name(v);
                Err(self.type_error(&format!("'{t}' object cannot be interpreted as an integer")))
            }
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
                Object::Bytes(b) | Object::ByteArray(b) => !b.is_empty(),
                Object::Complex(re, im) => *re != 0.0 || *im != 0.0,
                Object::MemoryView(m) => m.len > 0,
                Object::BigInt(b) => !b.is_zero(),
                Object::Tuple(t) | Object::List(t) => !t.is_empty(),
                Object::Deque(d) => !d.items.is_empty(),
                Object::Dict(d) | Object::Set(d) | Object::FrozenSet(d) => !d.is_empty(),
                Object::Range { start, stop, step } => range_len(*start, *stop, *step) > 0,
                Object::Instance(_) => {
                    let class = self.type_of(v);
                    if let Some(m) = self.class_lookup(class, "__bool__") {
                        let r = self.call_method_value(m, v, vec![])?;
                        return match r {
                            Value::Bool(b) => Ok(b),
                            _ => {
                                let t = self.type_name(r);
                                Err(self.type_error(&format!(
                                    "__bool__ should return bool, returned {t}"
                                )))
                            }
                        };
                    }
                    if let Some(m) = self.class_lookup(class, "__len__") {
                        let r = self.call_method_value(m, v, vec![])?;
                        let n = self.ssize_arg(r)?;
                        if n < 0 {
                            return Err(
                                self.new_exception("ValueError", "__len__() should return >= 0")
                            );
                        }
                        return Ok(n != 0);
                    }
                    match self.payload_of(v) {
                        Some(p) => return self.truthy(p),
                        None => true,
                    }
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
        // A special method may be a staticmethod (called without the receiver) or a
        // classmethod (called with its class), as the descriptor protocol makes them.
        let first = match func.as_obj().map(|f| self.heap.get(f)) {
            Some(Object::StaticMethod(inner)) => {
                let inner = *inner;
                return self.call(inner, Args::new(args));
            }
            Some(Object::ClassMethod(inner)) => {
                let inner = *inner;
                args.insert(0, Value::Obj(self.type_of(receiver)));
                return self.call(inner, Args::new(args));
            }
            _ => receiver,
        };
        args.insert(0, first);
        self.call(func, Args::new(args))
    }

    /// Calls `receiver.name(*args)` when the class defines it.
    pub fn call_special(
        &mut self,
        receiver: Value,
        name: &str,
        args: Vec<Value>,
    ) -> PyResult<Option<Value>> {
        // Only instances of user classes (and classes of a user metaclass) have special
        // methods written in Python.
        let Value::Obj(r) = receiver else {
            return Ok(None);
        };
        let (class, payload) = match self.heap.get(r) {
            Object::Instance(inst) => (inst.class, inst.payload),
            Object::Class(c) if c.metaclass.is_some() => (c.metaclass.expect("checked"), None),
            _ => return Ok(None),
        };
        match self.class_lookup(class, name) {
            Some(m) => self.call_method_value(m, receiver, args).map(Some),
            None => match payload {
                Some(p) => self.payload_special(receiver, p, name, &args),
                None => Ok(None),
            },
        }
    }

    /// A built-in iterator (what map, zip, enumerate ... make).
    pub(crate) fn is_native_iter(&self, v: Value) -> bool {
        matches!(v.as_obj().map(|r| self.heap.get(r)), Some(Object::Iter(_)))
    }

    /// A set, deque or bytearray: its str is its repr, which names a subclass.
    fn repr_names_class(&self, v: Value) -> bool {
        matches!(
            v.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Set(_) | Object::FrozenSet(_) | Object::Deque(_) | Object::ByteArray(_))
        )
    }

    /// A special method the built-in type of a subclass instance's value supplies, run on
    /// that value (`len(stack)`, `stack[0]`, `repr(counter)`...). `None` for the others.
    fn payload_special(
        &mut self,
        receiver: Value,
        payload: Value,
        name: &str,
        args: &[Value],
    ) -> PyResult<Option<Value>> {
        let arg = |i: usize| args.get(i).copied().unwrap_or(Value::None);
        let other = |vm: &Self, i: usize| vm.payload_of(arg(i)).unwrap_or(arg(i));
        const COMPARISONS: [&str; 6] = ["__lt__", "__le__", "__eq__", "__ne__", "__gt__", "__ge__"];
        Ok(Some(match name {
            "__len__" => Value::Int(super::items::length(self, payload)? as i64),
            "__getitem__" => {
                // dict's lookup falls back on the subclass's __missing__, as in CPython.
                let is_dict = payload
                    .as_obj()
                    .is_some_and(|r| matches!(self.heap.get(r), Object::Dict(_)));
                if is_dict
                    && !self.contains(payload, arg(0))?
                    && let Some(r) = self.call_special(receiver, "__missing__", vec![arg(0)])?
                {
                    return Ok(Some(r));
                }
                self.getitem(payload, arg(0))?
            }
            "__setitem__" => {
                self.setitem(payload, arg(0), arg(1))?;
                Value::None
            }
            "__delitem__" => {
                self.delitem(payload, arg(0))?;
                Value::None
            }
            "__contains__" => Value::Bool(self.contains(payload, arg(0))?),
            // An instance of a subclass of map, zip ... is its own iterator.
            "__iter__" if self.is_native_iter(payload) => receiver,
            "__next__" if self.is_native_iter(payload) => match self.iter_next(payload)? {
                Some(v) => v,
                None => return Err(self.new_exception_args("StopIteration", vec![])),
            },
            "__iter__" => self.get_iter(payload)?,
            // (instance_repr: a set's, deque's or bytearray's repr names a subclass.)
            "__repr__" => {
                let s = self.instance_repr(receiver)?;
                self.new_str(s)
            }
            // A __repr__ of the subclass's own is str()'s fallback, as object.__str__ does.
            "__str__"
                if self
                    .class_lookup(self.type_of(receiver), "__repr__")
                    .is_some() =>
            {
                return Ok(None);
            }
            "__str__" if self.repr_names_class(payload) => {
                let s = self.instance_repr(receiver)?;
                self.new_str(s)
            }
            "__str__" => {
                let s = self.str(payload)?;
                self.new_str(s)
            }
            "__hash__" => {
                let mutable = payload.as_obj().is_some_and(|r| {
                    matches!(
                        self.heap.get(r),
                        Object::List(_) | Object::Dict(_) | Object::Set(_) | Object::ByteArray(_)
                    )
                });
                if mutable {
                    let t = self.type_name(receiver);
                    return Err(self.type_error(&format!("unhashable type: '{t}'")));
                }
                self.hash_value(payload)?
            }
            "__index__" | "__int__" if matches!(payload, Value::Int(_)) => payload,
            "__int__" if matches!(payload, Value::Float(_)) => {
                let int = Value::Obj(self.types["int"]);
                self.call(int, Args::new(vec![payload]))?
            }
            "__round__" | "__abs__" | "__format__" | "__reversed__" => {
                // The built-in function of the same name, on the value.
                let builtin = name.trim_matches('_');
                let Some(func) = self.dict_get_str(self.builtins, builtin) else {
                    return Ok(None);
                };
                let mut call_args = vec![payload];
                call_args.extend_from_slice(args);
                self.call(func, Args::new(call_args))?
            }
            "__float__" => match self.to_f64(payload) {
                Some(f) => Value::Float(f),
                None => return Ok(None),
            },
            _ => match COMPARISONS.iter().position(|m| *m == name) {
                Some(op) => {
                    let b = other(self, 0);
                    self.rich_compare(op as u32, payload, b)?
                }
                None => return Ok(None),
            },
        }))
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
        if let Some(z) = self.as_complex(v).filter(|_| self.payload_of(v).is_none()) {
            return self.complex_unary(op, z);
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
        if let Some(p) = self.payload_of(v) {
            return self.unary_op(op, p);
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
        if let Some(r) = self.complex_binop(op, a, b)? {
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
        // A subclass that overrides the reflected method goes first, as in CPython.
        // (Only instances of user classes define one: built-in values skip the lookups.)
        let b_is_instance = matches!(
            b.as_obj().map(|r| self.heap.get(r)),
            Some(Object::Instance(_))
        );
        let (ta, tb) = (self.type_of(a), self.type_of(b));
        if b_is_instance
            && ta != tb
            && self.is_subclass(tb, ta)
            && let Some(rm) = self.class_lookup(tb, rmethod)
            && self.class_lookup(ta, rmethod) != Some(rm)
            && let Some(r) = self.call_special(b, rmethod, vec![a])?
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
        // Subclasses of built-in types: the operation on the values they extend (an
        // in-place one that returns its operand keeps the subclass instance).
        // Not for an operand whose class overrides the method in Python (it said
        // NotImplemented above): the built-in's own method is not reached then.
        let overrides = |vm: &Vm, v: Value, name: &str| {
            vm.class_lookup(vm.type_of(v), name)
                .and_then(|f| f.as_obj())
                .is_some_and(|f| matches!(vm.heap.get(f), Object::Function(_)))
        };
        let pa = self.payload_of(a).filter(|_| !overrides(self, a, method));
        let pb = self.payload_of(b).filter(|_| !overrides(self, b, rmethod));
        if pa.is_some() || pb.is_some() {
            let (va, vb) = (pa.unwrap_or(a), pb.unwrap_or(b));
            match self.binary_op(op, va, vb) {
                Ok(r) => return Ok(if pa.is_some_and(|p| p.is(r)) { a } else { r }),
                // The built-in types do not support it either: the error names the
                // operands' own types (a Counter, not a dict), below.
                Err(e)
                    if self.exception_is(e, "TypeError")
                        && self
                            .str(e)
                            .is_ok_and(|m| m.starts_with("unsupported operand type(s)")) => {}
                Err(e) => return Err(e),
            }
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
        if (symbol == "+" || symbol == "+=") && ta == "tuple" {
            return Err(self.type_error(&format!(
                "can only concatenate tuple (not \"{tb}\") to tuple"
            )));
        }
        let is_seq = |t: &str| matches!(t, "str" | "list" | "tuple" | "bytes");
        if symbol.starts_with('*') && !symbol.starts_with("**") && (is_seq(&ta) || is_seq(&tb)) {
            let other = if is_seq(&ta) { &tb } else { &ta };
            return Err(self.type_error(&format!(
                "can't multiply sequence by non-int of type '{other}'"
            )));
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

    pub(crate) fn zero_division(&mut self, what: &str) -> Value {
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
                        // 3.7's words (3.10 says "integer modulo by zero").
                        return Err(self.zero_division("integer division or modulo by zero"));
                    }
                    x.mod_floor(&y)
                }
                "/" => {
                    if y.is_zero() {
                        return Err(self.zero_division("division by zero"));
                    }
                    let q = super::true_divide::int_true_divide(&x, &y);
                    if q.is_infinite() {
                        return Err(self.new_exception(
                            "OverflowError",
                            "integer division result too large for a float",
                        ));
                    }
                    return Ok(Some(Value::Float(q)));
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
                    // The result has at least (bits - 1) * e bits: MemoryError first if
                    // they cannot fit.
                    if x.bits() > 1 {
                        let bits = (x.bits() - 1) as f64 * y.to_f64().unwrap_or(f64::INFINITY);
                        self.check_alloc((bits / 8.0).min(u64::MAX as f64) as u64, 1)?;
                    }
                    let Some(e) = y.to_u32() else {
                        if x.bits() <= 1 {
                            // 0, 1 and -1 to any power: 0, 1, or -1 for an odd one.
                            let odd = y.is_odd();
                            let r = if x.is_negative() && !odd { -x } else { x };
                            return Ok(Some(self.new_int(r)));
                        }
                        return Err(self.new_exception("OverflowError", "exponent too large"));
                    };
                    num_traits::pow::pow(x, e as usize)
                }
                "<<" => {
                    if y.is_negative() {
                        return Err(self.new_exception("ValueError", "negative shift count"));
                    }
                    if !x.is_zero() {
                        let bits = x.bits() as f64 + y.to_f64().unwrap_or(f64::INFINITY);
                        self.check_alloc((bits / 8.0).min(u64::MAX as f64) as u64, 1)?;
                    }
                    let shift = match y.to_usize() {
                        Some(shift) => shift,
                        None if x.is_zero() => 0,
                        None => {
                            return Err(
                                self.new_exception("OverflowError", "too many digits in integer")
                            );
                        }
                    };
                    x << shift
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
        // An int beyond the float range does not become inf.
        let overflows = |v: Value, f: f64| f.is_infinite() && !matches!(v, Value::Float(_));
        if overflows(a, x) || overflows(b, y) {
            return Err(self.new_exception("OverflowError", "int too large to convert to float"));
        }
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
                    // 3.7's words: its float // is divmod's (3.10: "float floor division
                    // by zero").
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
                // (0.0 ** -inf is inf, as C's pow.)
                if x == 0.0 && y < 0.0 && y.is_finite() {
                    return Err(self.zero_division("0.0 cannot be raised to a negative power"));
                }
                // A negative base to a fractional power is complex (as 3's float_pow).
                if x < 0.0 && y.is_finite() && y != y.floor() {
                    let base = self.new_complex((x, 0.0));
                    return self.complex_binop(op, base, b);
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
}
