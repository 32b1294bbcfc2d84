//! `array`: the module of the array type (its behaviour is src/objects/array.rs).

use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module("array", &[]);
    let dict = vm.module_dict(m);
    let array = Value::Obj(vm.types["array"]);
    vm.dict_set_str(dict, "array", array);
    vm.dict_set_str(dict, "ArrayType", array);
    let codes = vm.new_str(crate::objects::array::TYPECODES);
    vm.dict_set_str(dict, "typecodes", codes);
    Ok(m)
}
