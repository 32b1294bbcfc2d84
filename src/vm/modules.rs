//! The importable modules, made when first imported: sys, math, time, os, _thread, _random,
//! _dis and _traceback natively; threading, queue, random, dis, traceback, collections,
//! functools, itertools and concurrent.futures from minipy's Python in lib/. Uncaught-exception reports (CPython's traceback layout)
//! live here too.

use super::object::{Args, Dict, NativeFn, Object};
use super::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

fn arg(args: &Args, i: usize) -> Value {
    args.pos.get(i).copied().unwrap_or(Value::None)
}

fn float_arg(vm: &mut Vm, args: &Args, i: usize) -> PyResult<f64> {
    let v = arg(args, i);
    match vm.to_f64(v) {
        Some(f) if f.is_infinite() && !matches!(v, Value::Float(_)) => {
            Err(vm.new_exception("OverflowError", "int too large to convert to float"))
        }
        Some(f) => Ok(f),
        None => {
            let t = vm.type_name(v);
            Err(vm.type_error(&format!("must be real number, not {t}")))
        }
    }
}

impl Vm {
    fn new_module(&mut self, name: &str, functions: &[(&'static str, NativeFn)]) -> ObjRef {
        let dict = self.heap.alloc(Object::Dict(Dict::default()));
        for (n, f) in functions {
            let v = self.native(n, *f);
            self.dict_set_str(dict, n, v);
        }
        let name_v = self.new_str(name);
        self.dict_set_str(dict, "__name__", name_v);
        self.heap.alloc(Object::Module {
            name: name.to_string(),
            dict,
        })
    }

    fn module_dict(&self, m: ObjRef) -> ObjRef {
        match self.heap.get(m) {
            Object::Module { dict, .. } => *dict,
            _ => unreachable!("modules have dicts"),
        }
    }

    /// `import name`: the module object (for `import a.b`, the package `a`), built on first
    /// import. With `leaf`, the last module of a dotted name (`from a.b import x`).
    pub fn import(&mut self, name: &str, leaf: bool) -> PyResult<Value> {
        let top = name.split('.').next().unwrap_or(name);
        let package = self.import_top(top)?;
        let mut module = package;
        for (i, part) in name.split('.').enumerate().skip(1) {
            // A package's modules are made with it, as attributes.
            let found = match self.heap.get(module) {
                Object::Module { dict, .. } => self.dict_get_str(*dict, part),
                _ => None,
            };
            match found.and_then(|v| v.as_obj()) {
                Some(m) if matches!(self.heap.get(m), Object::Module { .. }) => module = m,
                _ => {
                    let missing = name.split('.').take(i + 1).collect::<Vec<_>>().join(".");
                    return Err(self.new_exception(
                        "ModuleNotFoundError",
                        &format!("No module named '{missing}'"),
                    ));
                }
            }
        }
        Ok(Value::Obj(if leaf { module } else { package }))
    }

    /// A top-level module, built on first import.
    fn import_top(&mut self, top: &str) -> PyResult<ObjRef> {
        if let Some(m) = self.modules.get(top) {
            return Ok(*m);
        }
        let m = match top {
            "sys" => {
                let sys = self.make_sys();
                self.modules.insert("sys".into(), sys);
                let record = include_str!("lib/sys_version_info.py");
                let vi = self.embedded_module("_sys_version_info", record)?;
                let vi = self.dict_get_str(self.module_dict(vi), "version_info");
                self.dict_set_str(
                    self.module_dict(sys),
                    "version_info",
                    vi.unwrap_or(Value::None),
                );
                sys
            }
            "math" => self.make_math(),
            "_thread" => self.new_module(
                "_thread",
                &[
                    ("_start", super::threads::t_start),
                    ("_join", super::threads::t_join),
                    ("_alive", super::threads::t_alive),
                    ("_current_ident", super::threads::t_current_ident),
                    ("_main_ident", super::threads::t_main_ident),
                    ("allocate_lock", super::threads::t_allocate_lock),
                    ("allocate_rlock", super::threads::t_allocate_rlock),
                    ("get_ident", super::threads::t_current_ident),
                    ("start_new_thread", super::threads::t_start_new_thread),
                    ("_local_register", super::threads::t_local_register),
                ],
            ),
            "threading" => self.embedded_module("threading", include_str!("lib/threading.py"))?,
            "queue" => self.embedded_module("queue", include_str!("lib/queue.py"))?,
            "collections" => {
                self.embedded_module("collections", include_str!("lib/collections.py"))?
            }
            "functools" => self.embedded_module("functools", include_str!("lib/functools.py"))?,
            "itertools" => self.embedded_module("itertools", include_str!("lib/itertools.py"))?,
            "time" => self.new_module(
                "time",
                &[
                    ("time", t_time),
                    ("perf_counter", t_perf_counter),
                    ("monotonic", t_perf_counter),
                    ("process_time", t_perf_counter),
                    ("time_ns", t_time_ns),
                    ("perf_counter_ns", t_perf_counter_ns),
                    ("monotonic_ns", t_perf_counter_ns),
                    ("sleep", t_sleep),
                ],
            ),
            "dis" => self.embedded_module("dis", include_str!("lib/dis.py"))?,
            "traceback" => self.embedded_module("traceback", include_str!("lib/traceback.py"))?,
            "_traceback" => self.new_module(
                "_traceback",
                &[("_format", tb_format), ("_format_only", tb_format_only)],
            ),
            "_dis" => self.new_module(
                "_dis",
                &[
                    ("dis", d_dis),
                    ("_listing", d_listing),
                    ("_instructions", d_instructions),
                    ("_opcodes", d_opcodes),
                ],
            ),
            "os" => self.new_module("os", &[("getpid", os_getpid)]),
            "random" => self.embedded_module("random", include_str!("lib/random.py"))?,
            "_random" => self.new_module(
                "_random",
                &[
                    ("_new_state", super::random::new_state),
                    ("_call_with_state", super::random::call_with_state),
                    ("seed", super::random::seed),
                    ("random", super::random::random),
                    ("randint", super::random::randint),
                    ("choice", super::random::choice),
                    ("choices", super::random::choices),
                    ("shuffle", super::random::shuffle),
                    ("sample", super::random::sample),
                    ("uniform", super::random::uniform),
                    ("randrange", super::random::randrange),
                    ("getrandbits", super::random::getrandbits),
                    ("gauss", super::random::gauss),
                ],
            ),
            "concurrent" => {
                let package = self.new_module("concurrent", &[]);
                let futures = self.embedded_module(
                    "concurrent.futures",
                    include_str!("lib/concurrent_futures.py"),
                )?;
                self.dict_set_str(self.module_dict(package), "futures", Value::Obj(futures));
                package
            }
            _ => {
                return Err(
                    self.new_exception("ModuleNotFoundError", &format!("No module named '{top}'"))
                );
            }
        };
        self.modules.insert(top.to_string(), m);
        Ok(m)
    }

    /// A module written in minipy's Python, compiled and run on first import.
    fn embedded_module(&mut self, name: &str, source: &str) -> PyResult<ObjRef> {
        let filename = format!("<minipy {name}>");
        let code = match crate::compile_source(source, &filename) {
            Ok(code) => code,
            Err(e) => return Err(self.new_exception("SyntaxError", &e.message)),
        };
        self.sources
            .insert(filename, source.lines().map(str::to_string).collect());
        let m = self.new_module(name, &[]);
        let dict = self.module_dict(m);
        let builtins = Value::Obj(self.builtins);
        self.dict_set_str(dict, "__builtins__", builtins);
        // Registered first, so imports inside the module that lead back to it find it.
        self.modules.insert(name.to_string(), m);
        let frame = self.new_frame(code, dict, Some(dict), super::frame::Resume::Native);
        if let Err(e) = self.run_frame(frame) {
            self.modules.shift_remove(name);
            return Err(e);
        }
        Ok(m)
    }

    fn make_sys(&mut self) -> ObjRef {
        let m = self.new_module(
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
            ],
        );
        let dict = self.module_dict(m);
        let argv: Vec<Value> = self
            .argv
            .clone()
            .into_iter()
            .map(|a| self.new_str(a))
            .collect();
        let argv = self.new_list(argv);
        self.dict_set_str(dict, "argv", argv);
        self.dict_set_str(dict, "maxsize", Value::Int(i64::MAX));
        let version = self.new_str("3.7.16 (minipy)");
        self.dict_set_str(dict, "version", version);
        let streams: [(&str, NativeFn, NativeFn); 2] = [
            ("stdout", s_write_out, s_writelines_out),
            ("stderr", s_write_err, s_writelines_err),
        ];
        for (stream, write, writelines) in streams {
            let s = self.new_module(
                &format!("<{stream}>"),
                &[
                    ("write", write),
                    ("writelines", writelines),
                    ("flush", s_flush),
                ],
            );
            self.dict_set_str(dict, stream, Value::Obj(s));
        }
        m
    }

    fn make_math(&mut self) -> ObjRef {
        let m = self.new_module(
            "math",
            &[
                ("sqrt", m_sqrt),
                ("floor", m_floor),
                ("ceil", m_ceil),
                ("trunc", m_trunc),
                ("isclose", m_isclose),
                ("gcd", m_gcd),
                ("factorial", m_factorial),
                ("log", m_log),
                ("log2", m_log2),
                ("log10", m_log10),
                ("exp", m_exp),
                ("sin", m_sin),
                ("cos", m_cos),
                ("tan", m_tan),
                ("atan", m_atan),
                ("atan2", m_atan2),
                ("hypot", m_hypot),
                ("pow", m_pow),
                ("fabs", m_fabs),
                ("isnan", m_isnan),
                ("isinf", m_isinf),
                ("isfinite", m_isfinite),
                ("degrees", m_degrees),
                ("radians", m_radians),
                ("copysign", m_copysign),
                ("fmod", m_fmod),
                ("modf", m_modf),
                ("fsum", m_fsum),
                ("frexp", m_frexp),
                ("ldexp", m_ldexp),
                ("expm1", m_expm1),
                ("log1p", m_log1p),
                ("asin", m_asin),
                ("acos", m_acos),
                ("sinh", m_sinh),
                ("cosh", m_cosh),
                ("tanh", m_tanh),
                ("comb", m_comb),
                ("perm", m_perm),
                ("isqrt", m_isqrt),
                ("prod", m_prod),
                ("dist", m_dist),
            ],
        );
        let dict = self.module_dict(m);
        for (n, v) in [
            ("pi", std::f64::consts::PI),
            ("e", std::f64::consts::E),
            ("tau", std::f64::consts::TAU),
            ("inf", f64::INFINITY),
            ("nan", f64::NAN),
        ] {
            self.dict_set_str(dict, n, Value::Float(v));
        }
        m
    }
}

// ---------------------------------------------------------------- sys

fn s_exit(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let code = args.pos.first().copied();
    let args = code.into_iter().collect();
    Err(vm.new_exception_args("SystemExit", args))
}

fn s_getcheckinterval(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Int(
        vm.check_interval_set
            .unwrap_or(i64::from(vm.sched.check_interval)),
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
    vm.check_interval_set = Some(set);
    let n = set.clamp(1, i64::from(u32::MAX));
    vm.sched.check_interval = n as u32;
    let left = vm.budget_left();
    vm.set_budget(left.min(n as u32));
    Ok(Value::None)
}

fn s_getswitchinterval(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Float(vm.switch_interval))
}

fn s_setswitchinterval(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let s = float_arg(vm, &args, 0)?;
    if s <= 0.0 {
        return Err(vm.new_exception("ValueError", "switch interval must be strictly positive"));
    }
    vm.switch_interval = s;
    if let Some(os) = &vm.os {
        os.signals.set_switch_interval(s);
    }
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

// ---------------------------------------------------------------- math

/// A math function of one float, with CPython's errors: a NaN from a number is a domain
/// error, and (for the functions that can overflow) an infinity from a finite number a
/// range error.
macro_rules! unary_math {
    ($name:ident, $f:expr) => {
        unary_math!($name, $f, false);
    };
    ($name:ident, $f:expr, $can_overflow:expr) => {
        fn $name(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
            let x = float_arg(vm, &args, 0)?;
            let f: fn(f64) -> f64 = $f;
            let r = f(x);
            if r.is_nan() && !x.is_nan() {
                return Err(vm.new_exception("ValueError", "math domain error"));
            }
            if $can_overflow && r.is_infinite() && x.is_finite() {
                return Err(vm.new_exception("OverflowError", "math range error"));
            }
            Ok(Value::Float(r))
        }
    };
}

unary_math!(m_exp, f64::exp, true);
unary_math!(m_expm1, f64::exp_m1, true);
unary_math!(m_log1p, f64::ln_1p);
unary_math!(m_asin, f64::asin);
unary_math!(m_acos, f64::acos);
unary_math!(m_sinh, f64::sinh, true);
unary_math!(m_cosh, f64::cosh, true);
unary_math!(m_tanh, f64::tanh);

fn m_copysign(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let y = float_arg(vm, &args, 1)?;
    Ok(Value::Float(x.copysign(y)))
}

fn m_fmod(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let y = float_arg(vm, &args, 1)?;
    if y == 0.0 {
        return Err(vm.new_exception("ValueError", "math domain error"));
    }
    Ok(Value::Float(x % y))
}

fn m_modf(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let whole = x.trunc();
    Ok(vm.new_tuple(vec![Value::Float(x - whole), Value::Float(whole)]))
}

fn m_frexp(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    if x == 0.0 || !x.is_finite() {
        return Ok(vm.new_tuple(vec![Value::Float(x), Value::Int(0)]));
    }
    let mut e = x.abs().log2().floor() as i32 + 1;
    let mut m = x / 2f64.powi(e);
    if m.abs() >= 1.0 {
        m /= 2.0;
        e += 1;
    } else if m.abs() < 0.5 {
        m *= 2.0;
        e -= 1;
    }
    Ok(vm.new_tuple(vec![Value::Float(m), Value::Int(i64::from(e))]))
}

fn m_ldexp(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let e = vm.as_index(arg(&args, 1)).unwrap_or(0);
    Ok(Value::Float(x * 2f64.powi(e as i32)))
}

/// CPython's math.fsum: exact partial sums (Shewchuk), correctly rounded at the end.
fn m_fsum(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let items = vm.collect_iterable(arg(&args, 0))?;
    let mut partials: Vec<f64> = Vec::new();
    let (mut special, mut inf_sum) = (0.0f64, 0.0f64);
    for v in items {
        let mut x = match vm.to_f64(v) {
            Some(x) => x,
            None => {
                let t = vm.type_name(v);
                return Err(vm.type_error(&format!("must be real number, not {t}")));
            }
        };
        let original = x;
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                // An infinity or NaN among the inputs, or an intermediate overflow.
                if original.is_finite() {
                    return Err(vm.new_exception("OverflowError", "intermediate overflow in fsum"));
                }
                if original.is_infinite() {
                    inf_sum += original;
                }
                special += original;
                partials.clear();
            } else {
                partials.push(x);
            }
        }
    }
    if special != 0.0 {
        if inf_sum.is_nan() {
            return Err(vm.new_exception("ValueError", "-inf + inf in fsum"));
        }
        return Ok(Value::Float(special));
    }
    let mut hi = 0.0f64;
    if let Some(&top) = partials.last() {
        let mut n = partials.len() - 1;
        hi = top;
        let mut lo = 0.0f64;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = partials[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even across the remaining partials, as CPython does.
        if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
    }
    Ok(Value::Float(hi))
}
unary_math!(m_sin, f64::sin);
unary_math!(m_cos, f64::cos);
unary_math!(m_tan, f64::tan);
unary_math!(m_atan, f64::atan);
unary_math!(m_fabs, f64::abs);
unary_math!(m_degrees, f64::to_degrees);
unary_math!(m_radians, f64::to_radians);

fn m_sqrt(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    if x < 0.0 {
        return Err(vm.new_exception("ValueError", "math domain error"));
    }
    Ok(Value::Float(x.sqrt()))
}

/// CPython's loghelper: `func` of a number; an int too large for a float is taken as
/// mantissa * 2**e, its log being func(mantissa) + func(2.0) * e.
fn log_of(vm: &mut Vm, x: Value, func: fn(f64) -> f64) -> PyResult<f64> {
    if let Some(i) = vm.as_bigint(x).filter(|_| !matches!(x, Value::Float(_))) {
        if i.sign() != num_bigint::Sign::Plus {
            return Err(vm.new_exception("ValueError", "math domain error"));
        }
        if let Some(f) = num_traits::ToPrimitive::to_f64(&i).filter(|f| f.is_finite()) {
            return Ok(func(f));
        }
        let bits = i.bits();
        let shift = bits.saturating_sub(55);
        let top: num_bigint::BigInt = &i >> shift;
        let top = num_traits::ToPrimitive::to_f64(&top).unwrap_or(1.0);
        let mantissa = top / 2f64.powi(55.min(bits as i32));
        return Ok(func(mantissa) + func(2.0) * bits as f64);
    }
    let f = float_arg(vm, &Args::new(vec![x]), 0)?;
    if f <= 0.0 {
        return Err(vm.new_exception("ValueError", "math domain error"));
    }
    Ok(func(f))
}

fn m_log(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let num = log_of(vm, arg(&args, 0), f64::ln)?;
    if args.pos.len() < 2 {
        return Ok(Value::Float(num));
    }
    // log(x, base) is log(x) / log(base), as CPython computes it.
    let den = log_of(vm, arg(&args, 1), f64::ln)?;
    if den == 0.0 {
        return Err(vm.new_exception("ZeroDivisionError", "float division by zero"));
    }
    Ok(Value::Float(num / den))
}

fn m_log2(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    log_of(vm, arg(&args, 0), f64::log2).map(Value::Float)
}

fn m_log10(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    log_of(vm, arg(&args, 0), f64::log10).map(Value::Float)
}

fn round_to_int(vm: &mut Vm, args: &Args, f: fn(f64) -> f64) -> R {
    let v = arg(args, 0);
    if let Some(i) = vm.as_bigint(v) {
        return Ok(vm.new_int(i));
    }
    let x = float_arg(vm, args, 0)?;
    if x.is_nan() {
        return Err(vm.new_exception("ValueError", "cannot convert float NaN to integer"));
    }
    if x.is_infinite() {
        return Err(vm.new_exception("OverflowError", "cannot convert float infinity to integer"));
    }
    let r = f(x);
    let text = format!("{r:.0}");
    Ok(vm.new_int(text.parse().unwrap_or_default()))
}

fn m_floor(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    round_to_int(vm, &args, f64::floor)
}
fn m_ceil(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    round_to_int(vm, &args, f64::ceil)
}
fn m_trunc(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    round_to_int(vm, &args, f64::trunc)
}

fn m_isclose(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let a = float_arg(vm, &args, 0)?;
    let b = float_arg(vm, &args, 1)?;
    let kw = |n: &str| args.kw.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
    let rel = kw("rel_tol").and_then(|v| vm.to_f64(v)).unwrap_or(1e-9);
    let abs = kw("abs_tol").and_then(|v| vm.to_f64(v)).unwrap_or(0.0);
    if rel < 0.0 || abs < 0.0 {
        return Err(vm.new_exception("ValueError", "tolerances must be non-negative"));
    }
    if a == b {
        return Ok(Value::Bool(true));
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(Value::Bool(false));
    }
    let diff = (b - a).abs();
    Ok(Value::Bool(
        diff <= (rel * b).abs() || diff <= (rel * a).abs() || diff <= abs,
    ))
}

fn m_gcd(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let mut g = num_bigint::BigInt::from(0);
    for v in &args.pos {
        let Some(i) = vm.as_bigint(*v) else {
            return Err(vm.type_error("'float' object cannot be interpreted as an integer"));
        };
        g = num_integer::Integer::gcd(&g, &i);
    }
    Ok(vm.new_int(g))
}

fn m_factorial(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let v = arg(&args, 0);
    let Some(n) = vm.as_index(v).filter(|_| !matches!(v, Value::Float(_))) else {
        let t = vm.type_name(v);
        return Err(vm.type_error(&format!("'{t}' object cannot be interpreted as an integer")));
    };
    if n < 0 {
        return Err(vm.new_exception("ValueError", "factorial() not defined for negative values"));
    }
    let mut r = num_bigint::BigInt::from(1);
    for k in 2..=n {
        r *= k;
    }
    Ok(vm.new_int(r))
}

fn m_atan2(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let y = float_arg(vm, &args, 0)?;
    let x = float_arg(vm, &args, 1)?;
    Ok(Value::Float(y.atan2(x)))
}

fn m_hypot(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    match args.pos.len() {
        2 => {
            let x = float_arg(vm, &args, 0)?;
            let y = float_arg(vm, &args, 1)?;
            Ok(Value::Float(x.hypot(y)))
        }
        n => {
            let mut total = 0.0f64;
            for i in 0..n {
                let x = float_arg(vm, &args, i)?;
                total = total.hypot(x);
            }
            Ok(Value::Float(total))
        }
    }
}

fn m_pow(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let x = float_arg(vm, &args, 0)?;
    let y = float_arg(vm, &args, 1)?;
    let r = x.powf(y);
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(vm.new_exception("ValueError", "math domain error"));
    }
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        // 0.0 ** negative is a domain error, a finite overflow a range error.
        let (kind, msg) = if x == 0.0 {
            ("ValueError", "math domain error")
        } else {
            ("OverflowError", "math range error")
        };
        return Err(vm.new_exception(kind, msg));
    }
    Ok(Value::Float(r))
}

/// The integer arguments of comb, perm and isqrt.
fn int_args(vm: &mut Vm, args: &Args, name: &str) -> PyResult<Vec<num_bigint::BigInt>> {
    let mut out = Vec::new();
    for v in &args.pos {
        match vm.as_bigint(*v).filter(|_| !matches!(v, Value::Float(_))) {
            Some(i) => out.push(i),
            None => {
                let t = vm.type_name(*v);
                return Err(
                    vm.type_error(&format!("'{t}' object cannot be interpreted as an integer"))
                );
            }
        }
    }
    if out.iter().any(|i| i.sign() == num_bigint::Sign::Minus) {
        let what = if name == "isqrt" {
            "isqrt() argument must be nonnegative".to_string()
        } else {
            "n must be a non-negative integer".to_string()
        };
        return Err(vm.new_exception("ValueError", &what));
    }
    Ok(out)
}

fn m_comb(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let v = int_args(vm, &args, "comb")?;
    let (Some(n), Some(k)) = (v.first(), v.get(1)) else {
        return Err(vm.type_error("comb expected 2 arguments"));
    };
    if k > n {
        return Ok(Value::Int(0));
    }
    let k = std::cmp::min(k.clone(), n - k);
    let mut r = num_bigint::BigInt::from(1);
    let mut i = num_bigint::BigInt::from(0);
    while i < k {
        r = r * (n - &i) / (&i + 1);
        i += 1;
    }
    Ok(vm.new_int(r))
}

fn m_perm(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let v = int_args(vm, &args, "perm")?;
    let Some(n) = v.first() else {
        return Err(vm.type_error("perm expected at least 1 argument"));
    };
    let k = v.get(1).cloned().unwrap_or_else(|| n.clone());
    if &k > n {
        return Ok(Value::Int(0));
    }
    let mut r = num_bigint::BigInt::from(1);
    let mut i = num_bigint::BigInt::from(0);
    while i < k {
        r *= n - &i;
        i += 1;
    }
    Ok(vm.new_int(r))
}

fn m_isqrt(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let v = int_args(vm, &args, "isqrt")?;
    let n = v.into_iter().next().unwrap_or_default();
    Ok(vm.new_int(n.sqrt()))
}

fn m_prod(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let mut total = super::builtins::kwarg(&args, "start").unwrap_or(Value::Int(1));
    for v in vm.collect_iterable(arg(&args, 0))? {
        total = vm.binary_op(crate::bytecode::Opcode::BINARY_MULTIPLY, total, v)?;
    }
    Ok(total)
}

fn m_dist(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let p = vm.collect_iterable(arg(&args, 0))?;
    let q = vm.collect_iterable(arg(&args, 1))?;
    if p.len() != q.len() {
        return Err(vm.new_exception(
            "ValueError",
            "both points must have the same number of dimensions",
        ));
    }
    let mut total = 0.0f64;
    for (a, b) in p.into_iter().zip(q) {
        let (a, b) = (
            float_arg(vm, &Args::new(vec![a]), 0)?,
            float_arg(vm, &Args::new(vec![b]), 0)?,
        );
        total = total.hypot(a - b);
    }
    Ok(Value::Float(total))
}

fn m_isnan(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    Ok(Value::Bool(float_arg(vm, &args, 0)?.is_nan()))
}
fn m_isinf(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    Ok(Value::Bool(float_arg(vm, &args, 0)?.is_infinite()))
}
fn m_isfinite(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    Ok(Value::Bool(float_arg(vm, &args, 0)?.is_finite()))
}

// ---------------------------------------------------------------- time, os, dis

/// time.time(): under the deterministic scheduler, a virtual clock that advances with
/// executed instructions and sleeps, so output that depends on it repeats exactly; under
/// the OS scheduler, the real clock.
fn t_time(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    if vm.os.is_some() {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        return Ok(Value::Float(since_epoch.as_secs_f64()));
    }
    Ok(Value::Float(1_600_000_000.0 + vm.now_ns() as f64 / 1e9))
}

fn t_time_ns(vm: &mut Vm, this: Option<Value>, args: Args) -> R {
    let seconds = t_time(vm, this, args)?;
    let ns = vm.to_f64(seconds).unwrap_or(0.0) * 1e9;
    Ok(Value::Int(ns as i64))
}

fn t_perf_counter_ns(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Int(vm.now_ns() as i64))
}

fn t_perf_counter(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Float(vm.now_ns() as f64 / 1e9))
}

fn t_sleep(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let secs = float_arg(vm, &args, 0)?;
    if secs < 0.0 {
        return Err(vm.new_exception("ValueError", "sleep length must be non-negative"));
    }
    super::threads::sleep(vm, secs)
}

fn os_getpid(_: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Int(i64::from(std::process::id())))
}

/// The code object `dis` works on: a function's, a method's, a generator's, a code
/// object, or source text compiled.
fn code_to_show(
    vm: &mut Vm,
    target: Value,
) -> PyResult<std::sync::Arc<crate::bytecode::CodeObject>> {
    let code = match target.as_obj().map(|r| vm.heap.get(r)) {
        Some(Object::Function(f)) => Some(f.code.clone()),
        Some(Object::Code(c)) => Some(c.clone()),
        Some(Object::Generator(g)) => Some(g.code.clone()),
        Some(Object::BoundMethod { func, .. }) => match func.as_obj().map(|r| vm.heap.get(r)) {
            Some(Object::Function(f)) => Some(f.code.clone()),
            _ => None,
        },
        Some(Object::Str(s)) => {
            let s = s.text.clone();
            match crate::compile_source(&s, "<dis>") {
                Ok(c) => Some(c),
                Err(e) => return Err(vm.new_exception("SyntaxError", &e.message)),
            }
        }
        _ => None,
    };
    code.ok_or_else(|| {
        let t = vm.type_name(target);
        vm.type_error(&format!("don't know how to disassemble {t} objects"))
    })
}

fn d_dis(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let code = code_to_show(vm, arg(&args, 0))?;
    let text = crate::bytecode::dis::dis_recursive(&code);
    use std::io::Write;
    let _ = vm.out.write_all(text.as_bytes());
    Ok(Value::None)
}

/// `_listing(x)`: what dis.dis(x) prints, as a str (dis.Bytecode(x).dis()).
fn d_listing(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let code = code_to_show(vm, arg(&args, 0))?;
    Ok(vm.new_str(crate::bytecode::dis::disassemble(&code, None)))
}

/// `_instructions(x)`: dis.get_instructions(x)'s fields, a tuple per instruction (opname,
/// opcode, arg, argval, argrepr, offset, starts_line, is_jump_target).
fn d_instructions(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    use crate::bytecode::opcode::ArgKind;
    let code = code_to_show(vm, arg(&args, 0))?;
    let consts = vm.consts_for(&code);
    let mut rows = Vec::new();
    for instr in crate::bytecode::dis::instructions(&code) {
        let Some(op) = instr.opcode else { continue };
        if op == crate::bytecode::Opcode::EXTENDED_ARG {
            continue;
        }
        let argval = match instr.arg {
            None => Value::None,
            Some(a) => match op.arg_kind() {
                ArgKind::Const => consts
                    .consts
                    .get(a as usize)
                    .copied()
                    .unwrap_or(Value::None),
                ArgKind::Name | ArgKind::Local | ArgKind::Free | ArgKind::Compare => {
                    vm.new_str(instr.argrepr.clone())
                }
                ArgKind::JumpRelative => Value::Int((instr.offset + 2 + a as usize) as i64),
                _ => Value::Int(i64::from(a)),
            },
        };
        let fields = vec![
            vm.new_str(instr.opname.clone()),
            Value::Int(op as i64),
            instr.arg.map_or(Value::None, |a| Value::Int(i64::from(a))),
            argval,
            vm.new_str(instr.argrepr.clone()),
            Value::Int(instr.offset as i64),
            instr
                .starts_line
                .map_or(Value::None, |l| Value::Int(i64::from(l))),
            Value::Bool(instr.is_jump_target),
        ];
        rows.push(vm.new_tuple(fields));
    }
    Ok(vm.new_list(rows))
}

/// `_opcodes()`: (number, name, argument kind) for every 3.7 opcode, from the opcode table.
fn d_opcodes(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    use crate::bytecode::opcode::ArgKind;
    let mut rows = Vec::new();
    for &op in crate::bytecode::Opcode::ALL {
        let kind = match op.arg_kind() {
            ArgKind::None | ArgKind::Number => "",
            ArgKind::Const => "const",
            ArgKind::Name => "name",
            ArgKind::JumpRelative => "jrel",
            ArgKind::JumpAbsolute => "jabs",
            ArgKind::Local => "local",
            ArgKind::Compare => "compare",
            ArgKind::Free => "free",
        };
        let fields = vec![
            Value::Int(op as i64),
            vm.new_str(op.name()),
            vm.new_str(kind),
        ];
        rows.push(vm.new_tuple(fields));
    }
    Ok(vm.new_list(rows))
}

// ---------------------------------------------------------------- reports

impl Vm {
    /// The program's exit status for an exception nothing caught, after printing what
    /// CPython prints: nothing for `SystemExit` with an int or None, its text for another
    /// code, else the traceback.
    pub fn report_uncaught(&mut self, exc: Value) -> i32 {
        if self.exception_is(exc, "SystemExit") {
            let args = self
                .attr_of_instance(exc, "args")
                .map(|a| self.tuple_items(a))
                .unwrap_or_default();
            // The code is the one argument, or the tuple of several.
            let code = match args.as_slice() {
                [] => Value::None,
                [one] => *one,
                many => self.new_tuple(many.to_vec()),
            };
            return match code {
                Value::None => 0,
                v => match self.as_index(v) {
                    Some(code) => code as i32,
                    None => {
                        let text = self.str(v).unwrap_or_default();
                        crate::reportln!("{text}");
                        1
                    }
                },
            };
        }
        let report = self.format_exception(exc);
        crate::report!("{report}");
        1
    }

    /// CPython's report of an uncaught exception, chained causes and contexts first.
    pub fn format_exception(&mut self, exc: Value) -> String {
        self.format_report(exc, true)
    }

    /// The report as Python's traceback module formats it (threading's "Exception in
    /// thread" report): there, 3.7 leaves out the `__main__.` prefix.
    pub fn format_exception_traceback_module(&mut self, exc: Value) -> String {
        self.format_report(exc, false)
    }

    fn format_report(&mut self, exc: Value, main_prefix: bool) -> String {
        let mut out = String::new();
        let cause = self
            .attr_of_instance(exc, "__cause__")
            .filter(|c| *c != Value::None);
        let suppress = self
            .attr_of_instance(exc, "__suppress_context__")
            .is_some_and(|s| s == Value::Bool(true));
        let context = self
            .attr_of_instance(exc, "__context__")
            .filter(|c| *c != Value::None);
        if let Some(c) = cause {
            out.push_str(&self.format_report(c, main_prefix));
            out.push_str(
                "\nThe above exception was the direct cause of the following exception:\n\n",
            );
        } else if let Some(c) = context.filter(|_| !suppress) {
            out.push_str(&self.format_report(c, main_prefix));
            out.push_str(
                "\nDuring handling of the above exception, another exception occurred:\n\n",
            );
        }
        let tb = exc
            .as_obj()
            .and_then(|r| self.tracebacks.get(&r))
            .cloned()
            .unwrap_or_default();
        if !tb.is_empty() {
            out.push_str("Traceback (most recent call last):\n");
            // As 3.7's traceback printer: a line repeated more than three times is summarised.
            let mut last: Option<(String, u32, String)> = None;
            let mut repeats = 0;
            let summary = |n: usize| format!("  [Previous line repeated {n} more times]\n");
            for e in tb.iter().rev() {
                let key = (e.filename.clone(), e.lineno, e.name.clone());
                if last.as_ref() == Some(&key) {
                    repeats += 1;
                } else {
                    if repeats > 3 {
                        out.push_str(&summary(repeats - 3));
                    }
                    last = Some(key);
                    repeats = 1;
                }
                if repeats > 3 {
                    continue;
                }
                out.push_str(&format!(
                    "  File \"{}\", line {}, in {}\n",
                    e.filename, e.lineno, e.name
                ));
                if let Some(line) = self
                    .sources
                    .get(&e.filename)
                    .and_then(|l| l.get(e.lineno as usize - 1))
                {
                    let t = line.trim();
                    if !t.is_empty() {
                        out.push_str(&format!("    {t}\n"));
                    }
                }
            }
            if repeats > 3 {
                out.push_str(&summary(repeats - 3));
            }
        }
        out.push_str(&self.exception_line(exc, main_prefix));
        out
    }

    /// The last line of a report: the exception's class and message.
    pub fn exception_line(&mut self, exc: Value, main_prefix: bool) -> String {
        let mut name = self.type_name(exc);
        // As CPython 3.7's report: a class from another module than builtins is named with
        // its module, `__main__.ValidationError` included (3.8+ leaves out `__main__`).
        if let Some(module) = self.class_lookup(self.type_of(exc), "__module__")
            && let Some(module) = self.str_of(module)
            && module != "builtins"
            && (main_prefix || module != "__main__")
        {
            name = format!("{module}.{name}");
        }
        // An exception whose __str__ fails: CPython's placeholders (the interpreter's report,
        // and the traceback module's, which threading uses).
        let msg = match self.str(exc) {
            Ok(m) => m,
            Err(_) if main_prefix => "<exception str() failed>".to_string(),
            Err(_) => format!("<unprintable {} object>", self.type_name(exc)),
        };
        if msg.is_empty() {
            format!("{name}\n")
        } else {
            format!("{name}: {msg}\n")
        }
    }
}

/// `_traceback._format(exc)`: the traceback module's report of an exception (its frames as
/// recorded while it propagated, chained exceptions first).
fn tb_format(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let text = vm.format_exception_traceback_module(arg(&args, 0));
    Ok(vm.new_str(text))
}

/// `_traceback._format_only(exc)`: the report's last line.
fn tb_format_only(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let text = vm.exception_line(arg(&args, 0), false);
    Ok(vm.new_str(text))
}
