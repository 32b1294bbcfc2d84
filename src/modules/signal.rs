//! `signal`: the signal numbers, SIG_DFL and SIG_IGN, and signal()/getsignal(), so that a
//! process can ignore SIGTERM (and terminate() then leaves it running). Python handlers are
//! kept and returned by getsignal(), but minipy does not call them: a signal with one acts
//! as with SIG_DFL.

use super::arg;
use crate::vm::object::Args;
use crate::vm::{ObjRef, PyResult, Value, Vm};

/// Linux's numbers.
const SIGNALS: &[(&str, i64)] = &[
    ("SIGHUP", 1),
    ("SIGINT", 2),
    ("SIGQUIT", 3),
    ("SIGILL", 4),
    ("SIGTRAP", 5),
    ("SIGABRT", 6),
    ("SIGIOT", 6),
    ("SIGBUS", 7),
    ("SIGFPE", 8),
    ("SIGKILL", 9),
    ("SIGUSR1", 10),
    ("SIGSEGV", 11),
    ("SIGUSR2", 12),
    ("SIGPIPE", 13),
    ("SIGALRM", 14),
    ("SIGTERM", 15),
    ("SIGCHLD", 17),
    ("SIGCONT", 18),
    ("SIGSTOP", 19),
    ("SIGTSTP", 20),
    ("SIGTTIN", 21),
    ("SIGTTOU", 22),
    ("SIGURG", 23),
    ("SIGXCPU", 24),
    ("SIGXFSZ", 25),
    ("SIGVTALRM", 26),
    ("SIGPROF", 27),
    ("SIGWINCH", 28),
    ("SIGIO", 29),
    ("SIGPOLL", 29),
    ("SIGPWR", 30),
    ("SIGSYS", 31),
];

const NSIG: i64 = 65;

/// The handlers set so far (signal number, handler).
#[derive(Clone, Default)]
struct Handlers(Vec<(i64, Value)>);

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = vm.new_module(
        "signal",
        &[("signal", s_signal), ("getsignal", s_getsignal)],
    );
    let dict = vm.module_dict(m);
    for (name, n) in SIGNALS {
        vm.dict_set_str(dict, name, Value::Int(*n));
    }
    vm.dict_set_str(dict, "SIG_DFL", Value::Int(0));
    vm.dict_set_str(dict, "SIG_IGN", Value::Int(1));
    vm.dict_set_str(dict, "NSIG", Value::Int(NSIG));
    Ok(m)
}

fn signal_number(vm: &mut Vm, v: Value) -> PyResult<i64> {
    let n = vm.as_index(v).ok_or_else(|| {
        let t = vm.type_name(v);
        vm.type_error(&format!("an integer is required (got type {t})"))
    })?;
    if !(1..NSIG).contains(&n) {
        return Err(vm.new_exception("ValueError", "signal number out of range"));
    }
    Ok(n)
}

fn current(vm: &mut Vm, sig: i64) -> Value {
    vm.module_state(Handlers::default)
        .0
        .iter()
        .find(|(s, _)| *s == sig)
        .map_or(Value::Int(0), |(_, h)| *h)
}

/// signal(signalnum, handler): sets the handler, returns the previous one.
fn s_signal(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    crate::objects::args::arity(vm, "signal", &args, 2, 2)?;
    let sig = signal_number(vm, arg(&args, 0))?;
    let handler = arg(&args, 1);
    let ignored = match handler {
        Value::Int(0) => false,
        Value::Int(1) => true,
        h if vm.is_callable(h) => false,
        _ => {
            return Err(vm.type_error(
                "signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object",
            ));
        }
    };
    if sig == 9 || sig == 19 {
        return Err(vm.new_exception("OSError", "[Errno 22] Invalid argument"));
    }
    let previous = current(vm, sig);
    let handlers = vm.module_state(Handlers::default);
    handlers.0.retain(|(s, _)| *s != sig);
    handlers.0.push((sig, handler));
    crate::sched::process::set_ignored(vm, sig, ignored);
    Ok(previous)
}

fn s_getsignal(vm: &mut Vm, _: Option<Value>, args: Args) -> PyResult<Value> {
    crate::objects::args::arity(vm, "getsignal", &args, 1, 1)?;
    let sig = signal_number(vm, arg(&args, 0))?;
    Ok(current(vm, sig))
}
