//! `sys`: argv, exit, exc_info, the recursion limit, the check and switch intervals, and
//! `sys.stdout`/`sys.stderr` (write, writelines, flush). `version_info` comes from
//! lib/sys_version_info.py.

use super::{R, arg, float_arg};
use crate::vm::async_gen::AsyncGenHooks;
use crate::vm::object::{Args, NativeFn};
use crate::vm::{ObjRef, PyResult, Value, Vm};

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    let m = make_bare(vm);
    // Registered first: lib/sys_version_info.py imports sys.
    vm.register_module("sys", m);
    let record = include_str!("lib/sys_version_info.py");
    let vi = vm.embedded_module("_sys_version_info", record)?;
    for name in [
        "version_info",
        "float_info",
        "int_info",
        "hash_info",
        "implementation",
    ] {
        let v = vm.dict_get_str(vm.module_dict(vi), name);
        vm.dict_set_str(vm.module_dict(m), name, v.unwrap_or(Value::None));
    }
    // The module the records were made in is an implementation detail.
    vm.unregister_module("_sys_version_info");
    Ok(m)
}

fn make_bare(vm: &mut Vm) -> ObjRef {
    let m = vm.new_module(
        "sys",
        &[
            ("exit", s_exit),
            ("getrecursionlimit", s_getrecursionlimit),
            ("setrecursionlimit", s_setrecursionlimit),
            ("exc_info", s_exc_info),
            ("getcheckinterval", s_getcheckinterval),
            ("setcheckinterval", s_setcheckinterval),
            ("getswitchinterval", s_getswitchinterval),
            ("setswitchinterval", s_setswitchinterval),
            ("set_asyncgen_hooks", s_set_asyncgen_hooks),
            ("get_asyncgen_hooks", s_get_asyncgen_hooks),
            ("getsizeof", s_getsizeof),
        ],
    );
    let dict = vm.module_dict(m);
    let argv: Vec<Value> = vm.argv.clone().into_iter().map(|a| vm.new_str(a)).collect();
    let argv = vm.new_list(argv);
    vm.dict_set_str(dict, "argv", argv);
    vm.dict_set_str(dict, "maxsize", Value::Int(i64::MAX));
    let version = vm.new_str("3.7.16 (minipy)");
    vm.dict_set_str(dict, "version", version);
    vm.dict_set_str(dict, "hexversion", Value::Int(0x0307_10f0));
    for (name, text) in [
        ("platform", "linux"),
        ("byteorder", "little"),
        ("executable", "/usr/local/bin/minipy"),
        ("prefix", "/usr/local"),
        ("exec_prefix", "/usr/local"),
    ] {
        let v = vm.new_str(text);
        vm.dict_set_str(dict, name, v);
    }
    vm.dict_set_str(dict, "modules", Value::Obj(vm.modules_dict));
    // sys.path: the script's folder first, as CPython puts it, then where the standard
    // library would be (minipy's own modules are built in).
    let script_dir = vm
        .argv
        .first()
        .map(|script| {
            let path = std::path::Path::new(script);
            let dir = path.parent().map(|p| p.to_path_buf()).unwrap_or_default();
            // A script in the current folder: that folder, absolute, as CPython shows it.
            let absolute = if dir.as_os_str().is_empty() {
                std::env::current_dir()
            } else {
                std::path::absolute(&dir)
            };
            absolute.unwrap_or(dir).to_string_lossy().into_owned()
        })
        .unwrap_or_default();
    let path: Vec<Value> = [
        script_dir.as_str(),
        "/usr/local/lib/python37.zip",
        "/usr/local/lib/python3.7",
    ]
    .into_iter()
    .map(|p| vm.new_str(p))
    .collect();
    let path = vm.new_list(path);
    vm.dict_set_str(dict, "path", path);
    let stdin = vm.new_module(
        "<stdin>",
        &[
            ("readline", s_stdin_readline),
            ("read", s_stdin_read),
            ("readlines", s_stdin_readlines),
        ],
    );
    vm.dict_set_str(dict, "stdin", Value::Obj(stdin));
    vm.dict_set_str(dict, "__stdin__", Value::Obj(stdin));
    let streams: [(&str, NativeFn, NativeFn); 2] = [
        ("stdout", s_write_out, s_writelines_out),
        ("stderr", s_write_err, s_writelines_err),
    ];
    for (stream, write, writelines) in streams {
        let s = vm.new_module(
            &format!("<{stream}>"),
            &[
                ("write", write),
                ("writelines", writelines),
                ("flush", s_flush),
            ],
        );
        let encoding = vm.new_str("utf-8");
        vm.dict_set_str(vm.module_dict(s), "encoding", encoding);
        // The binary layer under the text stream: bytes written as they are.
        let write_bytes: NativeFn = if stream == "stdout" {
            s_buffer_write_out
        } else {
            s_buffer_write_err
        };
        let buffer = vm.new_module(
            &format!("<{stream}.buffer>"),
            &[("write", write_bytes), ("flush", s_flush)],
        );
        vm.dict_set_str(vm.module_dict(s), "buffer", Value::Obj(buffer));
        vm.dict_set_str(dict, stream, Value::Obj(s));
        vm.dict_set_str(dict, &format!("__{stream}__"), Value::Obj(s));
    }
    m
}

/// `sys.stdout.buffer.write(b)`: the bytes on the stream; their number.
fn buffer_write(vm: &mut Vm, to_stderr: bool, v: Value) -> R {
    let Some(bytes) = crate::objects::buffer::bytes_like(vm, v) else {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!("a bytes-like object is required, not '{t}'")));
    };
    use std::io::Write;
    if to_stderr {
        vm.flush();
        let _ = std::io::stderr().write_all(&bytes);
    } else {
        let _ = vm.out.write_all(&bytes);
    }
    Ok(Value::Int(bytes.len() as i64))
}

fn s_buffer_write_out(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    buffer_write(vm, false, arg(&args, 0))
}

fn s_buffer_write_err(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    buffer_write(vm, true, arg(&args, 0))
}

fn read_line(vm: &mut Vm) -> String {
    vm.flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    line
}

fn s_stdin_readline(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    let line = read_line(vm);
    Ok(vm.new_str(line))
}

fn s_stdin_read(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    vm.flush();
    let mut text = String::new();
    let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text);
    Ok(vm.new_str(text))
}

fn s_stdin_readlines(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    let mut lines = Vec::new();
    loop {
        let line = read_line(vm);
        if line.is_empty() {
            break;
        }
        lines.push(vm.new_str(line));
    }
    Ok(vm.new_list(lines))
}

/// sys.getsizeof(obj): the size CPython 3.7 (64-bit) reports for common objects, a
/// plausible one for the rest; `__sizeof__` of a class that defines it, plus its header.
fn s_getsizeof(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    use crate::vm::object::Object;
    let v = arg(&args, 0);
    if let Some(n) = vm.call_special(v, "__sizeof__", vec![])? {
        let n = vm.as_index(n).unwrap_or(0);
        return Ok(Value::Int(n + 24));
    }
    let size = match v {
        Value::None => 16,
        Value::Bool(b) => 24 + 4 * i64::from(b),
        Value::Int(0) => 24,
        Value::Int(i) => 24 + 4 * ((64 - i.unsigned_abs().leading_zeros() as i64) + 29) / 30,
        Value::Float(_) => 24,
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(s) if s.is_single_byte() => 49 + s.len() as i64,
            Object::Str(s) => 74 + 4 * s.chars as i64,
            Object::Bytes(b) => 33 + b.len() as i64,
            Object::ByteArray(b) => 57 + b.len() as i64,
            Object::BigInt(b) => 24 + 4 * ((b.bits() as i64 + 29) / 30),
            Object::Tuple(t) => 48 + 8 * t.len() as i64,
            Object::List(l) => 64 + 8 * l.len() as i64,
            Object::Dict(d) if d.len() <= 5 => 240,
            Object::Dict(d) => 368 + 24 * d.len() as i64,
            Object::Set(_) | Object::FrozenSet(_) => 224,
            Object::Function(_) => 136,
            Object::Class(_) => 1056,
            Object::Module { .. } => 88,
            Object::Generator(_) => 120,
            _ => 56,
        },
    };
    Ok(Value::Int(size))
}

fn s_exit(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let code = args.pos.first().copied();
    let args = code.into_iter().collect();
    Err(vm.new_exception_args("SystemExit", args))
}

/// The value of the last sys.setcheckinterval(), which getcheckinterval() returns.
#[derive(Clone)]
struct CheckIntervalSet(Option<i64>);

fn s_getcheckinterval(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Int(
        vm.module_state(|| CheckIntervalSet(None))
            .0
            .unwrap_or(i64::from(vm.threads.check_interval)),
    ))
}

fn s_setcheckinterval(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let value = arg(&args, 0);
    let Some(set) = vm
        .as_index(value)
        .filter(|_| !matches!(value, Value::Float(_)))
    else {
        let t = vm.type_name(value);
        return Err(vm.type_error(&format!("an integer is required (got type {t})")));
    };
    // getcheckinterval() returns what was set (3.7 keeps 0 or -5); the scheduler offers the
    // GIL before every counted instruction at worst.
    vm.module_state(|| CheckIntervalSet(None)).0 = Some(set);
    let n = set.clamp(1, i64::from(u32::MAX));
    vm.threads.check_interval = n as u32;
    let left = vm.budget_left();
    vm.set_budget(left.min(n as u32));
    Ok(Value::None)
}

fn s_getswitchinterval(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Float(vm.threads.switch_interval))
}

fn s_setswitchinterval(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let s = float_arg(vm, &args, 0)?;
    if s <= 0.0 {
        return Err(vm.new_exception("ValueError", "switch interval must be strictly positive"));
    }
    // CPython keeps whole microseconds, and getswitchinterval() gives 1e-6 times them.
    vm.set_switch_interval(1e-6 * (1e6 * s).min(u64::MAX as f64) as u64 as f64);
    Ok(Value::None)
}

fn s_exc_info(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    let exc = vm.handled;
    if exc == Value::None {
        return Ok(vm.new_tuple(vec![Value::None; 3]));
    }
    let t = Value::Obj(vm.type_of(exc));
    Ok(vm.new_tuple(vec![t, exc, Value::None]))
}

fn s_getrecursionlimit(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Int(vm.recursion_limit as i64))
}

fn s_setrecursionlimit(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    match vm.as_index(arg(&args, 0)) {
        Some(n) if n >= 1 => {
            vm.recursion_limit = n as usize;
            Ok(Value::None)
        }
        _ => Err(vm.new_exception(
            "ValueError",
            "recursion limit must be greater or equal than 1",
        )),
    }
}

/// `sys.stdout.write(s)` / `sys.stderr.write(s)`: the text (a str) on that stream; its
/// length. Functions of the stream objects, which bind no receiver: one per stream.
fn write_to(vm: &mut Vm, to_stderr: bool, v: Value) -> PyResult<usize> {
    let Some(text) = vm.str_of(v).map(str::to_string) else {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!("write() argument must be str, not {t}")));
    };
    if to_stderr {
        vm.flush();
        crate::report!("{text}");
    } else {
        use std::io::Write;
        let _ = vm.out.write_all(text.as_bytes());
    }
    Ok(text.chars().count())
}

fn s_write_out(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    write_to(vm, false, arg(&args, 0)).map(|n| Value::Int(n as i64))
}

fn s_write_err(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    write_to(vm, true, arg(&args, 0)).map(|n| Value::Int(n as i64))
}

fn writelines_to(vm: &mut Vm, to_stderr: bool, args: &Args) -> R {
    for line in vm.collect_iterable(arg(args, 0))? {
        write_to(vm, to_stderr, line)?;
    }
    Ok(Value::None)
}

fn s_writelines_out(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    writelines_to(vm, false, &args)
}

fn s_writelines_err(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    writelines_to(vm, true, &args)
}

fn s_flush(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    vm.flush();
    Ok(Value::None)
}

/// sys.set_asyncgen_hooks(firstiter=..., finalizer=...): each must be callable or None;
/// a hook not given keeps its value.
fn s_set_asyncgen_hooks(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    crate::objects::args::check_keywords(
        vm,
        &args,
        "set_asyncgen_hooks",
        &["firstiter", "finalizer"],
    )?;
    let given = |i: usize, name: &str| {
        args.pos
            .get(i)
            .copied()
            .or_else(|| crate::objects::args::kwarg(&args, name))
    };
    let (firstiter, finalizer) = (given(0, "firstiter"), given(1, "finalizer"));
    for (v, name) in [(firstiter, "firstiter"), (finalizer, "finalizer")] {
        if let Some(v) = v
            && v != Value::None
            && !vm.is_callable(v)
        {
            let t = vm.type_name(v);
            return Err(vm.type_error(&format!("callable {name} expected, got {t}")));
        }
    }
    let hooks = vm.module_state(AsyncGenHooks::default);
    if let Some(v) = firstiter {
        hooks.firstiter = (v != Value::None).then_some(v);
    }
    if let Some(v) = finalizer {
        hooks.finalizer = (v != Value::None).then_some(v);
    }
    Ok(Value::None)
}

/// sys.get_asyncgen_hooks(): (firstiter, finalizer), a named tuple in CPython.
fn s_get_asyncgen_hooks(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    let hooks = vm.module_state(AsyncGenHooks::default);
    let (a, b) = (hooks.firstiter, hooks.finalizer);
    Ok(vm.new_tuple(vec![a.unwrap_or(Value::None), b.unwrap_or(Value::None)]))
}
