//! What the built-in functions and methods share: the receiver of a bound native method,
//! and argument checks in CPython's words.

use crate::vm::object::Args;
use crate::vm::{PyResult, Value, Vm};

/// CPython's TypeError for a built-in function called with too few or too many arguments.
pub fn arity(vm: &mut Vm, name: &str, args: &Args, min: usize, max: usize) -> PyResult<()> {
    // Only these of the functions counted here take keywords (checked by their callers).
    if !args.kw.is_empty() && !matches!(name, "__build_class__" | "round" | "sorted") {
        return Err(vm.type_error(&format!("{name}() takes no keyword arguments")));
    }
    let n = args.pos.len();
    if n < min || n > max {
        let msg = if min == 1 && max == 1 && !matches!(name, "sorted" | "reversed") {
            format!("{name}() takes exactly one argument ({n} given)")
        } else if min == max {
            format!(
                "{name} expected {min} argument{}, got {n}",
                if min == 1 { "" } else { "s" }
            )
        } else if n < min {
            format!(
                "{name} expected at least {min} argument{}, got {n}",
                if min == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{name} expected at most {max} argument{}, got {n}",
                if max == 1 { "" } else { "s" }
            )
        };
        return Err(vm.type_error(&msg));
    }
    Ok(())
}

pub fn kwarg(args: &Args, name: &str) -> Option<Value> {
    args.kw.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
}

/// CPython's TypeError for a keyword argument `function` does not take: a misspelt
/// `reverse=` must not be ignored.
pub fn check_keywords(vm: &mut Vm, args: &Args, function: &str, allowed: &[&str]) -> PyResult<()> {
    match args.kw.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((k, _)) => Err(vm.type_error(&format!(
            "'{k}' is an invalid keyword argument for {function}()"
        ))),
        None => Ok(()),
    }
}

/// The receiver a native method is bound to.
pub fn recv(r: Option<Value>) -> Value {
    r.expect("methods are always bound to a receiver")
}
