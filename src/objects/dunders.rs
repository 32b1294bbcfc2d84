//! The operator methods of the built-in types (`int.__add__`, `list.__setitem__`,
//! `dict.__delitem__`, `set.__or__`...): what `super().__setitem__(k, v)` in a dict
//! subclass, `int.__add__(1, 2)` or `map(int.__neg__, xs)` call. Each runs the built-in
//! operation on the receiver (for an instance of a subclass, the built-in value inside it,
//! so a subclass's own operator is not called again). A number's or a set's method given an
//! operand of a type it does not take returns NotImplemented, as CPython's slot wrappers do.

use super::args::recv;
use crate::bytecode::Opcode as Op;
use crate::vm::object::{Args, NativeFn, Object};
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

const NUMBER_BINARY: &[&str] = &[
    "__add__",
    "__sub__",
    "__mul__",
    "__truediv__",
    "__floordiv__",
    "__mod__",
    "__pow__",
    "__radd__",
    "__rsub__",
    "__rmul__",
    "__rtruediv__",
    "__rfloordiv__",
    "__rmod__",
    "__rpow__",
];
const INT_BITS: &[&str] = &[
    "__and__",
    "__or__",
    "__xor__",
    "__lshift__",
    "__rshift__",
    "__rand__",
    "__ror__",
    "__rxor__",
    "__rlshift__",
    "__rrshift__",
];
const NUMBER_UNARY: &[&str] = &["__neg__", "__pos__", "__abs__", "__bool__"];
const INT_UNARY: &[&str] = &["__invert__", "__index__", "__int__", "__float__"];
/// divmod(), round() and math.trunc/floor/ceil by name, and what pickle asks a value for.
const REAL_NUMBER: &[&str] = &[
    "__divmod__",
    "__rdivmod__",
    "__round__",
    "__trunc__",
    "__getnewargs__",
];
const SEQUENCE: &[&str] = &["__add__", "__mul__", "__rmul__"];
const MUTABLE_SEQUENCE: &[&str] = &["__setitem__", "__delitem__", "__iadd__", "__imul__"];
const SET_BINARY: &[&str] = &[
    "__and__", "__or__", "__xor__", "__sub__", "__rand__", "__ror__", "__rxor__", "__rsub__",
];
const SET_INPLACE: &[&str] = &["__iand__", "__ior__", "__ixor__", "__isub__"];
const BYTES_ITEMS: &[&str] = &["__len__", "__contains__", "__getitem__", "__iter__"];
const COMPARISONS: &[&str] = &["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"];

/// The operator methods type `tag` has here, for dir().
pub fn names(tag: &str) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    let mut add = |list: &[&'static str]| names.extend_from_slice(list);
    match tag {
        "int" | "bool" => {
            add(NUMBER_BINARY);
            add(INT_BITS);
            add(NUMBER_UNARY);
            add(INT_UNARY);
            add(REAL_NUMBER);
            add(&["__floor__", "__ceil__"]);
        }
        "float" => {
            add(NUMBER_BINARY);
            add(NUMBER_UNARY);
            add(&["__int__", "__float__"]);
            add(REAL_NUMBER);
        }
        "complex" => {
            add(NUMBER_BINARY);
            add(NUMBER_UNARY);
            add(&["__getnewargs__"]);
        }
        "str" | "tuple" => {
            add(SEQUENCE);
            add(&["__getnewargs__"]);
        }
        "bytes" => {
            add(SEQUENCE);
            add(BYTES_ITEMS);
            add(&["__getnewargs__"]);
        }
        "list" => {
            add(SEQUENCE);
            add(MUTABLE_SEQUENCE);
            add(&["__reversed__"]);
        }
        "bytearray" => {
            add(SEQUENCE);
            add(&["__iadd__", "__imul__"]);
        }
        "dict" => add(&["__setitem__", "__delitem__"]),
        "set" => {
            add(SET_BINARY);
            add(SET_INPLACE);
        }
        "frozenset" => add(SET_BINARY),
        "NoneType" => add(&["__bool__"]),
        "builtin_function_or_method" | "function" | "method" => add(&["__call__"]),
        _ => {}
    }
    if matches!(tag, "str" | "bytes" | "bytearray") {
        names.extend_from_slice(&["__mod__", "__rmod__"]);
    }
    if matches!(
        tag,
        "int"
            | "bool"
            | "float"
            | "str"
            | "bytes"
            | "bytearray"
            | "list"
            | "tuple"
            | "set"
            | "frozenset"
            | "dict"
            | "object"
    ) {
        // (object's own __eq__ is identity, found elsewhere.)
        let own = if tag == "object" {
            &COMPARISONS[1..]
        } else {
            COMPARISONS
        };
        names.extend_from_slice(own);
    }
    names
}

/// The operator method `name` of the built-in type `tag`, if it has one here.
pub fn lookup(tag: &str, name: &str) -> Option<(&'static str, NativeFn)> {
    let known = names(tag).into_iter().find(|n| *n == name)?;
    let func: NativeFn = match known {
        "__add__" => d_add,
        "__sub__" => d_sub,
        "__mul__" => d_mul,
        "__truediv__" => d_truediv,
        "__floordiv__" => d_floordiv,
        "__mod__" => d_mod,
        "__pow__" => d_pow,
        "__radd__" => d_radd,
        "__rsub__" => d_rsub,
        "__rmul__" => d_rmul,
        "__rtruediv__" => d_rtruediv,
        "__rfloordiv__" => d_rfloordiv,
        "__rmod__" => d_rmod,
        "__rpow__" => d_rpow,
        "__and__" => d_and,
        "__or__" => d_or,
        "__xor__" => d_xor,
        "__lshift__" => d_lshift,
        "__rshift__" => d_rshift,
        "__rand__" => d_rand,
        "__ror__" => d_ror,
        "__rxor__" => d_rxor,
        "__rlshift__" => d_rlshift,
        "__rrshift__" => d_rrshift,
        "__iand__" => d_iand,
        "__ior__" => d_ior,
        "__ixor__" => d_ixor,
        "__isub__" => d_isub,
        "__iadd__" => d_iadd,
        "__imul__" => d_imul,
        "__neg__" => d_neg,
        "__pos__" => d_pos,
        "__invert__" => d_invert,
        "__abs__" => d_abs,
        "__bool__" => d_bool,
        "__index__" | "__int__" => d_int,
        "__float__" => d_float,
        "__call__" => d_call,
        "__divmod__" => d_divmod,
        "__rdivmod__" => d_rdivmod,
        "__round__" => d_round,
        "__trunc__" | "__floor__" | "__ceil__" => d_trunc,
        "__getnewargs__" => d_getnewargs,
        "__reversed__" => d_reversed,
        "__eq__" => d_eq,
        "__ne__" => d_ne,
        "__lt__" => d_lt,
        "__le__" => d_le,
        "__gt__" => d_gt,
        "__ge__" => d_ge,
        "__setitem__" => d_setitem,
        "__delitem__" => d_delitem,
        "__len__" => super::object::len_method,
        "__contains__" => super::object::contains_method,
        "__getitem__" => super::object::getitem_method,
        "__iter__" => super::object::iter_method,
        _ => return None,
    };
    Some((known, func))
}

/// The built-in value a receiver or operand is (itself, or what a subclass instance holds).
fn plain(vm: &Vm, v: Value) -> Value {
    vm.payload_of(v).unwrap_or(v)
}

fn not_implemented(vm: &Vm) -> Value {
    vm.dict_get_str(vm.builtins, "NotImplemented")
        .unwrap_or(Value::None)
}

/// How wide a number is: int (and bool) 0, float 1, complex 2; None for a non-number.
fn number_rank(vm: &Vm, v: Value) -> Option<u8> {
    match v {
        Value::Int(_) | Value::Bool(_) => Some(0),
        Value::Float(_) => Some(1),
        Value::Obj(r) => match vm.heap.get(r) {
            Object::BigInt(_) => Some(0),
            Object::Complex(..) => Some(2),
            _ => None,
        },
        Value::None => None,
    }
}

fn is_set(vm: &Vm, v: Value) -> bool {
    matches!(
        v.as_obj().map(|r| vm.heap.get(r)),
        Some(Object::Set(_) | Object::FrozenSet(_))
    )
}

fn one_arg(vm: &mut Vm, args: &Args) -> PyResult<Value> {
    match args.pos[..] {
        [v] if args.kw.is_empty() => Ok(v),
        _ => {
            let given = args.pos.len() + args.kw.len();
            Err(vm.type_error(&format!("expected 1 argument, got {given}")))
        }
    }
}

/// `me op other` (or `other op me` when reflected) with the built-in operation.
fn binary(vm: &mut Vm, r: Option<Value>, args: &Args, op: Op, reflected: bool) -> R {
    let me = plain(vm, recv(r));
    let other = one_arg(vm, args)?;
    let other = plain(vm, other);
    let accepted = match number_rank(vm, me) {
        Some(rank) => number_rank(vm, other).is_some_and(|o| o <= rank),
        None if is_set(vm, me) => is_set(vm, other),
        // A sequence repeated by a non-integer.
        None if matches!(op, Op::BINARY_MULTIPLY | Op::INPLACE_MULTIPLY) => {
            if vm.as_index(other).is_none() {
                let t = vm.type_name(other);
                let message = format!("'{t}' object cannot be interpreted as an integer");
                return Err(vm.type_error(&message));
            }
            true
        }
        None => !reflected || matches!(op, Op::BINARY_MODULO),
    };
    if !accepted {
        return Ok(not_implemented(vm));
    }
    if reflected {
        vm.binary_op(op, other, me)
    } else {
        vm.binary_op(op, me, other)
    }
}

macro_rules! binary_methods {
    ($($name:ident => $op:ident, $reflected:expr;)*) => {
        $(fn $name(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
            binary(vm, r, &args, Op::$op, $reflected)
        })*
    };
}

binary_methods! {
    d_add => BINARY_ADD, false;
    d_sub => BINARY_SUBTRACT, false;
    d_mul => BINARY_MULTIPLY, false;
    d_truediv => BINARY_TRUE_DIVIDE, false;
    d_floordiv => BINARY_FLOOR_DIVIDE, false;
    d_mod => BINARY_MODULO, false;
    d_pow => BINARY_POWER, false;
    d_radd => BINARY_ADD, true;
    d_rsub => BINARY_SUBTRACT, true;
    d_rmul => BINARY_MULTIPLY, true;
    d_rtruediv => BINARY_TRUE_DIVIDE, true;
    d_rfloordiv => BINARY_FLOOR_DIVIDE, true;
    d_rmod => BINARY_MODULO, true;
    d_rpow => BINARY_POWER, true;
    d_and => BINARY_AND, false;
    d_or => BINARY_OR, false;
    d_xor => BINARY_XOR, false;
    d_lshift => BINARY_LSHIFT, false;
    d_rshift => BINARY_RSHIFT, false;
    d_rand => BINARY_AND, true;
    d_ror => BINARY_OR, true;
    d_rxor => BINARY_XOR, true;
    d_rlshift => BINARY_LSHIFT, true;
    d_rrshift => BINARY_RSHIFT, true;
    d_iand => INPLACE_AND, false;
    d_ior => INPLACE_OR, false;
    d_ixor => INPLACE_XOR, false;
    d_isub => INPLACE_SUBTRACT, false;
    d_iadd => INPLACE_ADD, false;
    d_imul => INPLACE_MULTIPLY, false;
}

fn no_args(vm: &mut Vm, args: &Args) -> PyResult<()> {
    if args.pos.is_empty() && args.kw.is_empty() {
        return Ok(());
    }
    let given = args.pos.len() + args.kw.len();
    Err(vm.type_error(&format!("expected 0 arguments, got {given}")))
}

fn unary(vm: &mut Vm, r: Option<Value>, args: &Args, op: Op) -> R {
    no_args(vm, args)?;
    let me = plain(vm, recv(r));
    vm.unary_op(op, me)
}

fn d_neg(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    unary(vm, r, &args, Op::UNARY_NEGATIVE)
}

fn d_pos(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    unary(vm, r, &args, Op::UNARY_POSITIVE)
}

fn d_invert(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    unary(vm, r, &args, Op::UNARY_INVERT)
}

/// The builtin function `name` (abs, int, float) applied to `args`.
fn call_builtin(vm: &mut Vm, name: &str, args: Vec<Value>) -> R {
    match vm.dict_get_str(vm.builtins, name) {
        Some(f) => vm.call(f, Args::new(args)),
        None => Err(vm.type_error(&format!("no builtin {name}"))),
    }
}

fn d_abs(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    no_args(vm, &args)?;
    let me = plain(vm, recv(r));
    call_builtin(vm, "abs", vec![me])
}

fn d_bool(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    no_args(vm, &args)?;
    let me = plain(vm, recv(r));
    Ok(Value::Bool(vm.truthy(me)?))
}

fn d_int(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    no_args(vm, &args)?;
    let me = plain(vm, recv(r));
    call_builtin(vm, "int", vec![me])
}

fn d_float(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    no_args(vm, &args)?;
    let me = plain(vm, recv(r));
    call_builtin(vm, "float", vec![me])
}

fn d_setitem(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let [key, value] = args.pos[..] else {
        let given = args.pos.len();
        return Err(vm.type_error(&format!("expected 2 arguments, got {given}")));
    };
    let me = plain(vm, recv(r));
    vm.setitem(me, key, value)?;
    Ok(Value::None)
}

fn d_delitem(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let key = one_arg(vm, &args)?;
    let me = plain(vm, recv(r));
    vm.delitem(me, key)?;
    Ok(Value::None)
}

fn d_call(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    vm.call(recv(r), args)
}

/// divmod(me, other), or divmod(other, me) when reflected; NotImplemented for an operand
/// wider than the receiver's type (a float's divmod takes ints and floats).
fn divmod(vm: &mut Vm, r: Option<Value>, args: &Args, reflected: bool) -> R {
    let me = plain(vm, recv(r));
    let other = one_arg(vm, args)?;
    let other = plain(vm, other);
    let (Some(rank), Some(o)) = (number_rank(vm, me), number_rank(vm, other)) else {
        return Ok(not_implemented(vm));
    };
    if o > rank {
        return Ok(not_implemented(vm));
    }
    let operands = if reflected {
        vec![other, me]
    } else {
        vec![me, other]
    };
    call_builtin(vm, "divmod", operands)
}

fn d_divmod(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    divmod(vm, r, &args, false)
}

fn d_rdivmod(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    divmod(vm, r, &args, true)
}

/// `round(me[, ndigits])`.
fn d_round(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    let me = plain(vm, recv(r));
    let mut operands = vec![me];
    operands.extend(args.pos);
    call_builtin(vm, "round", operands)
}

/// An int's __trunc__, __floor__ and __ceil__ are the int itself (bool's, the int);
/// a float's __trunc__ rounds towards zero.
fn d_trunc(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    no_args(vm, &args)?;
    let me = plain(vm, recv(r));
    call_builtin(vm, "int", vec![me])
}

/// `(value,)`: the built-in value a copy or pickle is made from.
fn d_getnewargs(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    no_args(vm, &args)?;
    let me = match plain(vm, recv(r)) {
        Value::Bool(b) => Value::Int(i64::from(b)),
        v => v,
    };
    // A complex number is rebuilt from its two parts.
    if let Some(Object::Complex(re, im)) = me.as_obj().map(|o| vm.heap.get(o)) {
        let parts = vec![Value::Float(*re), Value::Float(*im)];
        return Ok(vm.new_tuple(parts));
    }
    Ok(vm.new_tuple(vec![me]))
}

fn d_reversed(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    no_args(vm, &args)?;
    let me = plain(vm, recv(r));
    call_builtin(vm, "reversed", vec![me])
}

/// `conjugate()` of an int or a float: the number itself (an int for a bool).
pub fn conjugate(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
    d_getnewargs(vm, r, args).map(|t| vm.tuple_items(t)[0])
}

/// Which kind of built-in container or text a value is, for comparisons: values of one
/// kind compare with each other (0: none of these).
fn comparison_kind(vm: &Vm, v: Value) -> u8 {
    match v.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Str(_)) => 1,
        Some(Object::Bytes(_) | Object::ByteArray(_)) => 2,
        Some(Object::List(_)) => 3,
        Some(Object::Tuple(_)) => 4,
        Some(Object::Set(_) | Object::FrozenSet(_)) => 5,
        Some(Object::Dict(_)) => 6,
        _ => 0,
    }
}

const DICT_KIND: u8 = 6;

/// `me <op> other` as the built-in type compares (COMPARE_OP's `arg`): numbers no wider
/// than the receiver's type, or the same kind of text, sequence, set or mapping; anything
/// else is NotImplemented. object's orderings and a dict's are NotImplemented too, and
/// object's != is False for the object itself.
fn compare(vm: &mut Vm, r: Option<Value>, args: &Args, arg: u32) -> R {
    let me = plain(vm, recv(r));
    let other = one_arg(vm, args)?;
    let other = plain(vm, other);
    let comparable = match (number_rank(vm, me), comparison_kind(vm, me)) {
        (Some(rank), _) => rank < 2 && number_rank(vm, other).is_some_and(|o| o <= rank),
        (None, 0) => {
            return Ok(match arg {
                3 if me.is(other) => Value::Bool(false),
                _ => not_implemented(vm),
            });
        }
        (None, DICT_KIND) => matches!(arg, 2 | 3) && comparison_kind(vm, other) == DICT_KIND,
        (None, kind) => comparison_kind(vm, other) == kind,
    };
    if !comparable {
        return Ok(not_implemented(vm));
    }
    vm.rich_compare(arg, me, other)
}

macro_rules! compare_methods {
    ($($name:ident => $arg:expr;)*) => {
        $(fn $name(vm: &mut Vm, r: Option<Value>, args: Args) -> R {
            compare(vm, r, &args, $arg)
        })*
    };
}

compare_methods! {
    d_lt => 0;
    d_le => 1;
    d_eq => 2;
    d_ne => 3;
    d_gt => 4;
    d_ge => 5;
}
