//! `_warnings`: what lib/warnings.py cannot see from Python: the place (file, line,
//! module) of the code `stacklevel` calls up, and a line of a program's source.

use super::{R, arg};
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module(
        "_warnings",
        &[("_caller", caller), ("_source_line", source_line)],
    ))
}

/// `_caller(stacklevel)`: (filename, lineno, module name) of the frame `stacklevel` calls
/// above the one calling warn() (`sys:1` past the outermost frame, as CPython).
fn caller(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let level = vm.as_index(arg(&args, 0)).unwrap_or(1).max(1) as usize;
    // The frame running warn() is the eval loop's current one, outside `frames`; its
    // caller is the last of `frames`.
    let found = vm
        .frames
        .len()
        .checked_sub(level)
        .and_then(|i| vm.frames.get(i))
        .map(|f| {
            let module = vm.dict_get_str(f.globals, "__name__");
            (f.code().co_filename.clone(), f.lineno(), module)
        });
    let (file, line, module) = match found {
        Some((file, line, module)) => (
            vm.new_str(file),
            Value::Int(i64::from(line)),
            module.unwrap_or(Value::None),
        ),
        None => (vm.new_str("sys"), Value::Int(1), vm.new_str("sys")),
    };
    Ok(vm.new_tuple(vec![file, line, module]))
}

fn source_line(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let file = vm.str_of(arg(&args, 0)).unwrap_or_default().to_string();
    let line = vm.as_index(arg(&args, 1)).unwrap_or(0);
    let text = vm
        .sources
        .get(&file)
        .and_then(|lines| lines.get((line as usize).wrapping_sub(1)))
        .cloned();
    Ok(match text {
        Some(t) => vm.new_str(t),
        None => Value::None,
    })
}
