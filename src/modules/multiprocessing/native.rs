//! `_multiprocessing`: what the multiprocessing package (the Python files beside this one)
//! is built on: starting a process (fork or spawn), the kernel's shared objects by id
//! (semaphores, queues, pipe ends, shared memory, process records), and `wait`, which
//! blocks the calling thread until one of them changes. Payloads are pickles made by the
//! Python side: everything that crosses a process boundary goes through pickle.

use crate::modules::arg;
use crate::sched::process::{self, Fault, Reply, Request, SemKind, Start};
use crate::vm::object::{Args, Object};
use crate::vm::{ObjRef, PyResult, Value, Vm};

type R = PyResult<Value>;

pub fn make(vm: &mut Vm) -> PyResult<ObjRef> {
    Ok(vm.new_module(
        "_multiprocessing",
        &[
            ("start", mp_start),
            ("wait", mp_wait),
            ("sem_new", sem_new),
            ("sem_acquire", sem_acquire),
            ("sem_release", sem_release),
            ("sem_info", sem_info),
            ("queue_new", queue_new),
            ("queue_put", queue_put),
            ("queue_get", queue_get),
            ("queue_info", queue_info),
            ("queue_reserve", queue_reserve),
            ("queue_send", queue_send),
            ("task_done", task_done),
            ("pipe_new", pipe_new),
            ("pipe_send", pipe_send),
            ("pipe_recv", pipe_recv),
            ("pipe_poll", pipe_poll),
            ("pipe_close", pipe_close),
            ("pipe_hold", pipe_hold),
            ("mem_new", mem_new),
            ("mem_read", mem_read),
            ("mem_write", mem_write),
            ("process_status", process_status),
            ("kill", mp_kill),
            ("bootstrapping", mp_bootstrapping),
            ("run_main", mp_run_main),
            ("spawning_key", mp_spawning_key),
            ("child_seed", mp_child_seed),
        ],
    ))
}

fn int_arg(vm: &mut Vm, args: &Args, i: usize) -> PyResult<i64> {
    let v = arg(args, i);
    vm.as_index(v).ok_or_else(|| {
        let t = vm.type_name(v);
        vm.type_error(&format!("an integer is required (got type {t})"))
    })
}

fn id_arg(vm: &mut Vm, args: &Args, i: usize) -> PyResult<u64> {
    Ok(int_arg(vm, args, i)? as u64)
}

fn bytes_arg(vm: &mut Vm, args: &Args, i: usize) -> PyResult<Vec<u8>> {
    let v = arg(args, i);
    crate::objects::buffer::bytes_like(vm, v).ok_or_else(|| {
        let t = vm.type_name(v);
        vm.type_error(&format!("a bytes-like object is required, not '{t}'"))
    })
}

fn timeout_arg(vm: &mut Vm, args: &Args, i: usize) -> PyResult<Option<f64>> {
    match arg(args, i) {
        Value::None => Ok(None),
        v => match vm.to_f64(v) {
            Some(t) => Ok(Some(t)),
            None => {
                let t = vm.type_name(v);
                Err(vm.type_error(&format!("timeout must be a number, not {t}")))
            }
        },
    }
}

fn bytes(vm: &mut Vm, data: Vec<u8>) -> Value {
    vm.alloc(Object::Bytes(data))
}

fn version(v: u64) -> Value {
    Value::Int(v as i64)
}

/// The kernel's refusal, raised in CPython's words.
fn fault(vm: &mut Vm, f: Fault) -> Value {
    match f {
        Fault::ReleasedTooMany => {
            vm.new_exception("ValueError", "semaphore or lock released too many times")
        }
        Fault::NotOwner => vm.new_exception(
            "AssertionError",
            "attempt to release recursive lock not owned by thread",
        ),
        Fault::TaskDoneTooMany => {
            vm.new_exception("ValueError", "task_done() called too many times")
        }
        Fault::BrokenPipe => vm.new_exception("BrokenPipeError", "[Errno 32] Broken pipe"),
        Fault::Closed => vm.new_exception("OSError", "handle is closed"),
    }
}

fn ask(vm: &mut Vm, request: Request) -> PyResult<Reply> {
    match process::request(vm, request)? {
        Reply::Error(f) => Err(fault(vm, f)),
        reply => Ok(reply),
    }
}

fn unexpected(vm: &mut Vm, reply: Reply) -> Value {
    vm.new_exception("SystemError", &format!("unexpected kernel reply {reply:?}"))
}

fn new_id(vm: &mut Vm, request: Request) -> R {
    match ask(vm, request)? {
        Reply::Id(id) => Ok(Value::Int(id as i64)),
        other => Err(unexpected(vm, other)),
    }
}

fn done(vm: &mut Vm, request: Request) -> R {
    match ask(vm, request)? {
        Reply::Done => Ok(Value::None),
        other => Err(unexpected(vm, other)),
    }
}

/// (flag, version)
fn flag(vm: &mut Vm, request: Request) -> R {
    match ask(vm, request)? {
        Reply::Flag(ok, v) => Ok(vm.new_tuple(vec![Value::Bool(ok), version(v)])),
        other => Err(unexpected(vm, other)),
    }
}

/// (bytes or None, version)
fn data(vm: &mut Vm, request: Request) -> R {
    match ask(vm, request)? {
        Reply::Data(d, v) => {
            let d = match d {
                Some(d) => bytes(vm, d),
                None => Value::None,
            };
            Ok(vm.new_tuple(vec![d, version(v)]))
        }
        Reply::Eof => Err(vm.new_exception_args("EOFError", vec![])),
        other => Err(unexpected(vm, other)),
    }
}

/// start(process_obj, method): starts a child running `process_obj._bootstrap()`; fork
/// copies this process, spawn (and forkserver) start a fresh interpreter that runs the
/// main module as `__mp_main__` first. Returns (kernel key, pid).
fn mp_start(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let process_obj = arg(&args, 0);
    let method = vm.str_of(arg(&args, 1)).unwrap_or("fork").to_string();
    let key = process::reserve(vm, method == "fork")?;
    let started = start_child(vm, key, process_obj, &method);
    match started {
        Ok(pid) => Ok(vm.new_tuple(vec![Value::Int(key as i64), Value::Int(pid)])),
        Err(exc) => {
            process::abandon(vm, key);
            Err(exc)
        }
    }
}

fn start_child(vm: &mut Vm, key: u64, process_obj: Value, method: &str) -> PyResult<i64> {
    let start = if method == "fork" {
        let entry: process::Entry = Box::new(move |vm: &mut Vm| run_bootstrap(vm, process_obj));
        let bootstrap = vm.getattr(process_obj, "_bootstrap")?;
        Start::Fork { entry, bootstrap }
    } else {
        // The pickled process and what the child needs before it (spawn.py).
        let spawn = vm.import("multiprocessing.spawn", true)?;
        let prepare = vm.getattr(spawn, "_preparation_data")?;
        process::state(vm).spawning = Some(key);
        let data = vm.call(prepare, Args::new(vec![process_obj]));
        process::state(vm).spawning = None;
        let data = data?;
        let data = crate::objects::buffer::bytes_like(vm, data).unwrap_or_default();
        let child = if vm.real_time() {
            None
        } else {
            let options = crate::vm::Options {
                argv: vm.argv.clone(),
                seed: vm
                    .seed
                    .wrapping_add(key.wrapping_mul(0x5851_f42d_4c95_7f2d)),
                check_interval: vm.threads.check_interval,
                max_threads: vm.threads.max_threads,
                switch_interval: vm.threads.switch_interval,
                cpus: process::state(vm).cpus,
                max_memory: vm.max_memory,
                max_steps: vm.threads.step_limit,
            };
            let data = data.clone();
            let entry: process::Entry = Box::new(move |vm: &mut Vm| run_spawned(vm, data));
            let mut child = crate::new_vm(options);
            // The run's --gil holds in every process.
            crate::sched::policy::install(&mut child, crate::sched::policy::policy(vm));
            Some(Box::new((child, entry)))
        };
        Start::Spawn { data, child }
    };
    process::start(vm, key, start)
}

/// child_seed(): a seed for a child's random module (deterministic under det).
fn mp_child_seed(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Int((process::child_seed(vm) >> 2) as i64))
}

/// A forked child's life: `process_obj._bootstrap()`, whose result is the exit code.
pub fn run_bootstrap(vm: &mut Vm, process_obj: Value) -> i64 {
    let result = vm
        .getattr(process_obj, "_bootstrap")
        .and_then(|b| vm.call(b, Args::default()));
    exit_code(vm, result)
}

/// A spawned child's life: `multiprocessing.spawn._spawn_main(data)`.
pub fn run_spawned(vm: &mut Vm, data: Vec<u8>) -> i64 {
    let data = bytes(vm, data);
    let result = vm
        .import("multiprocessing.spawn", true)
        .and_then(|m| vm.getattr(m, "_spawn_main"))
        .and_then(|f| vm.call(f, Args::new(vec![data])));
    exit_code(vm, result)
}

fn exit_code(vm: &mut Vm, result: PyResult<Value>) -> i64 {
    let code = match result {
        Ok(v) => match v {
            Value::Bool(b) => i64::from(b),
            v => vm.as_index(v).unwrap_or(1),
        },
        Err(exc) => i64::from(vm.report_uncaught(exc)),
    };
    vm.flush();
    code
}

/// run_main(path): runs the program at `path` as the module `__mp_main__` (also
/// `__main__`), as a spawned child does before it unpickles its process object.
fn mp_run_main(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let path = vm.str_of(arg(&args, 0)).unwrap_or_default().to_string();
    let source = match std::fs::read(&path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            return Err(vm.new_exception(
                "FileNotFoundError",
                &format!("[Errno 2] No such file or directory: '{path}' ({e})"),
            ));
        }
    };
    let source = crate::syntax::universal_newlines(&source).into_owned();
    let code = match crate::compile_source(&source, &path) {
        Ok(code) => code,
        Err(e) => return Err(vm.new_exception("SyntaxError", &e.message)),
    };
    let frame = vm.module_frame(code, &source);
    let globals = frame.globals;
    let name = vm.new_str("__mp_main__");
    vm.dict_set_str(globals, "__name__", name);
    if let Some(&main) = vm.modules.get("__main__") {
        vm.register_module("__mp_main__", main);
    }
    process::state(vm).bootstrapping = true;
    let result = vm.run_frame(frame);
    process::state(vm).bootstrapping = false;
    result.map(|_| Value::None)
}

/// wait(objects, timeout, lock): see `process::wait`; `objects` is a list of (id, version).
fn mp_wait(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let mut objects = Vec::new();
    for pair in vm.tuple_items(arg(&args, 0)) {
        let items = vm.tuple_items(pair);
        let (Some(&id), Some(&v)) = (items.first(), items.get(1)) else {
            return Err(vm.type_error("wait() takes (id, version) pairs"));
        };
        let id = vm.as_index(id).unwrap_or(0) as u64;
        let v = vm.as_index(v).unwrap_or(0) as u64;
        objects.push((id, v));
    }
    let timeout = timeout_arg(vm, &args, 1)?;
    let Some(lock) = arg(&args, 2)
        .as_obj()
        .filter(|r| matches!(vm.heap.get(*r), Object::Lock { .. }))
    else {
        return Err(vm.type_error("wait() needs a lock"));
    };
    process::wait(vm, objects, timeout, lock)
}

fn sem_new(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let kind = if int_arg(vm, &args, 0)? == 1 {
        SemKind::Recursive
    } else {
        SemKind::Semaphore
    };
    let value = int_arg(vm, &args, 1)?;
    let max = int_arg(vm, &args, 2)?;
    new_id(vm, Request::NewSem { kind, value, max })
}

fn sem_acquire(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    let thread = vm.current_ident();
    flag(vm, Request::SemAcquire { id, thread })
}

fn sem_release(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    let thread = vm.current_ident();
    done(vm, Request::SemRelease { id, thread })
}

/// sem_info(id) -> (value, mine, count)
fn sem_info(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    let thread = vm.current_ident();
    match ask(vm, Request::SemInfo { id, thread })? {
        Reply::Sem {
            value, mine, count, ..
        } => Ok(vm.new_tuple(vec![
            Value::Int(value),
            Value::Bool(mine),
            Value::Int(count as i64),
        ])),
        other => Err(unexpected(vm, other)),
    }
}

fn queue_new(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let maxsize = int_arg(vm, &args, 0)?;
    let joinable = vm.truthy(arg(&args, 1))?;
    new_id(vm, Request::NewQueue { maxsize, joinable })
}

fn queue_put(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    let data = bytes_arg(vm, &args, 1)?;
    flag(vm, Request::QueuePut { id, data })
}

fn queue_get(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    data(vm, Request::QueueGet { id })
}

/// queue_reserve(id, delta): an item put() and held by the feeder thread (+1), or one
/// it could not pickle (-1).
fn queue_reserve(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    let delta = int_arg(vm, &args, 1)?;
    done(vm, Request::QueueReserve { id, delta })
}

/// queue_send(id, data): the feeder thread sends a reserved item.
fn queue_send(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    let data = bytes_arg(vm, &args, 1)?;
    done(vm, Request::QueueSend { id, data })
}

/// queue_info(id) -> (size, unfinished tasks, version, reserved items not yet sent)
fn queue_info(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    match ask(vm, Request::QueueInfo { id })? {
        Reply::Queue {
            size,
            unfinished,
            version: v,
            pending,
        } => Ok(vm.new_tuple(vec![
            Value::Int(size as i64),
            Value::Int(unfinished),
            version(v),
            Value::Int(pending),
        ])),
        other => Err(unexpected(vm, other)),
    }
}

fn task_done(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    done(vm, Request::TaskDone { id })
}

fn pipe_new(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    match ask(vm, Request::NewPipe)? {
        Reply::Ids(a, b) => Ok(vm.new_tuple(vec![Value::Int(a as i64), Value::Int(b as i64)])),
        other => Err(unexpected(vm, other)),
    }
}

fn pipe_send(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let end = id_arg(vm, &args, 0)?;
    let data = bytes_arg(vm, &args, 1)?;
    done(vm, Request::PipeSend { end, data })
}

/// pipe_recv(end) -> (bytes or None, version); EOFError once the other end is closed.
fn pipe_recv(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let end = id_arg(vm, &args, 0)?;
    data(vm, Request::PipeRecv { end })
}

/// pipe_poll(end) -> (readable, version): a message waits, or the other end is closed.
fn pipe_poll(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let end = id_arg(vm, &args, 0)?;
    match ask(vm, Request::PipePoll { end })? {
        Reply::Data(d, v) => Ok(vm.new_tuple(vec![Value::Bool(d.is_some()), version(v)])),
        Reply::Eof => Ok(vm.new_tuple(vec![Value::Bool(true), version(0)])),
        other => Err(unexpected(vm, other)),
    }
}

fn pipe_close(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let end = id_arg(vm, &args, 0)?;
    done(vm, Request::PipeClose { end })
}

/// pipe_hold(end, key): process `key` (a child being spawned) holds this end too.
fn pipe_hold(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let end = id_arg(vm, &args, 0)?;
    let process = id_arg(vm, &args, 1)?;
    done(vm, Request::PipeHold { end, process })
}

fn mem_new(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let size = int_arg(vm, &args, 0)?.max(0) as usize;
    new_id(vm, Request::NewMemory { size })
}

fn mem_read(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    let offset = int_arg(vm, &args, 1)?.max(0) as usize;
    let len = int_arg(vm, &args, 2)?.max(0) as usize;
    match ask(vm, Request::MemRead { id, offset, len })? {
        Reply::Data(Some(d), _) => Ok(bytes(vm, d)),
        other => Err(unexpected(vm, other)),
    }
}

fn mem_write(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let id = id_arg(vm, &args, 0)?;
    let offset = int_arg(vm, &args, 1)?.max(0) as usize;
    let data = bytes_arg(vm, &args, 2)?;
    done(vm, Request::MemWrite { id, offset, data })
}

/// process_status(key) -> (exitcode or None, version, record id)
fn process_status(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let process = id_arg(vm, &args, 0)?;
    match ask(vm, Request::ProcessStatus { process })? {
        Reply::Status {
            exitcode,
            version: v,
            record,
        } => {
            let code = exitcode.map_or(Value::None, Value::Int);
            Ok(vm.new_tuple(vec![code, version(v), Value::Int(record as i64)]))
        }
        other => Err(unexpected(vm, other)),
    }
}

/// kill(key, pid, signal)
fn mp_kill(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let key = id_arg(vm, &args, 0)?;
    let pid = int_arg(vm, &args, 1)?;
    let sig = int_arg(vm, &args, 2)?;
    process::kill(vm, key, pid, sig)?;
    Ok(Value::None)
}

fn mp_bootstrapping(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Bool(process::bootstrapping(vm)))
}

/// The kernel key of the child being spawned (for the pipe ends pickled for it).
fn mp_spawning_key(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(process::state(vm)
        .spawning
        .map_or(Value::None, |k| Value::Int(k as i64)))
}
