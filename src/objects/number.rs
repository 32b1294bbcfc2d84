//! The methods of int and float.

use super::args::recv;
use crate::vm::object::Args;
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

pub(crate) fn i_bit_length(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let i = vm.as_bigint(recv(r)).unwrap_or_default();
    Ok(Value::Int(i.bits() as i64))
}

pub(crate) fn f_is_integer(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    Ok(Value::Bool(
        vm.to_f64(recv(r)).is_some_and(|f| f.fract() == 0.0),
    ))
}
