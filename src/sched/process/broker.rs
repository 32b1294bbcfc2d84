//! Real processes (`--sched os`): the kernel of shared objects lives in the first process
//! (the broker), served over a Unix socket with an abstract name to every process of the
//! run; a process reaches it through a `Client`, one request and reply at a time. Children
//! are made by fork(2): the child is a copy of its parent at start(), as CPython's default
//! start method on Linux; with the spawn method a child is a new minipy (`spawned_child`)
//! that runs the main module again as `__mp_main__`. The parent reaps each child on a thread of its own and records
//! its exit code in the kernel. A thread that waits for a kernel object files a wait with
//! the broker and sleeps; the broker sends the wait's token down the process's watch
//! connection when the object changes, and the process's listener thread wakes it
//! (`Client::watch`), so a waiting process costs nothing while it waits.
//!
//! No child outlives the run: each holds a second connection to the broker (its
//! lifeline) and exits when that closes, that is when the first process has ended however
//! it ended; Ctrl-C reaches every process of the terminal's process group.

use super::kernel::Kernel;
use super::{Link, Reply, Request, Start, wire};
use crate::sched::policy;
use crate::vm::frame::Resume;
use crate::vm::object::Args;
use crate::vm::{PyResult, Value, Vm};
use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::sync::{Arc, Mutex};

/// The key a lifeline connection gives instead of a process's.
const LIFELINE: u64 = u64::MAX;

/// Added to its process's key by a watch connection: the broker writes the tokens of that
/// process's waits that have ended to it.
const WATCH: u64 = 1 << 62;

/// The broker's listening socket, in the process that runs the broker (-1 elsewhere).
static LISTENER: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// The first argument of a minipy started by the spawn method (CPython's child gets
/// `--multiprocessing-fork` too), followed by the broker's name, the child's key, and the
/// parent's check interval, switch interval, thread limit and GIL policy.
const SPAWN_FLAG: &str = "--multiprocessing-fork";

/// Python the spawned child's main thread runs: `multiprocessing.spawn._spawn_main` with
/// the data the parent wrote to the child's standard input; its result is the exit code.
const SPAWN_BOOT: &str = "import sys\n\
                          from multiprocessing.spawn import _spawn_main\n\
                          sys.exit(_spawn_main(__spawn_data__))\n";

/// A process's connection to the broker.
pub struct Client {
    stream: Mutex<UnixStream>,
    /// The broker's socket name, for children to connect to.
    name: Arc<str>,
    /// This process's key.
    key: u64,
}

fn address(name: &str) -> std::io::Result<SocketAddr> {
    SocketAddr::from_abstract_name(name.as_bytes())
}

fn lost(vm: &mut Vm) -> crate::vm::Value {
    vm.new_exception(
        "ConnectionError",
        "lost the connection to the parent process",
    )
}

impl Client {
    fn connect(name: &Arc<str>, key: u64) -> std::io::Result<Client> {
        let mut stream = UnixStream::connect_addr(&address(name)?)?;
        wire::send(&mut stream, &key.to_le_bytes())?;
        Ok(Client {
            stream: Mutex::new(stream),
            name: name.clone(),
            key,
        })
    }

    /// Starts this process's listener for ended waits: a thread, outside the VM, that
    /// reads the tokens the broker sends and posts their wake-ups (`process::apply_wakes`)
    /// to the VM. Needs the OS scheduler.
    pub fn watch(&self, vm: &mut Vm) -> std::io::Result<()> {
        let Some(link) = crate::sched::state(vm).os.clone() else {
            return Err(std::io::Error::other("not under the OS scheduler"));
        };
        let mut stream = UnixStream::connect_addr(&address(&self.name)?)?;
        wire::send(&mut stream, &(WATCH + self.key).to_le_bytes())?;
        // The broker's answer says it has filed the connection: no wake-up is sent before.
        wire::receive(&mut stream)?.ok_or(std::io::ErrorKind::UnexpectedEof)?;
        started_thread("minipy-wakes", move || {
            while let Ok(Some(frame)) = wire::receive(&mut stream) {
                let Ok(token) = <[u8; 8]>::try_from(frame.as_slice()) else {
                    return;
                };
                let token = u64::from_le_bytes(token);
                link.post(Box::new(move |vm| super::apply_wakes(vm, &[token])));
            }
        })
    }

    /// One request and its reply, without a VM (the reaper threads).
    fn exchange(&self, request: &Request) -> std::io::Result<Reply> {
        let mut stream = self.stream.lock().unwrap_or_else(|e| e.into_inner());
        wire::send(&mut *stream, &wire::encode_request(request))?;
        match wire::receive(&mut *stream)? {
            Some(frame) => wire::decode_reply(&frame),
            None => Err(std::io::ErrorKind::UnexpectedEof.into()),
        }
    }

    pub fn request(&self, vm: &mut Vm, request: Request) -> PyResult<Reply> {
        self.exchange(&request).map_err(|_| lost(vm))
    }

    pub fn reserve(&self, vm: &mut Vm, fork: bool) -> PyResult<u64> {
        match self.request(vm, Request::NewProcess { fork })? {
            Reply::Process { key, .. } => Ok(key),
            _ => Err(lost(vm)),
        }
    }

    /// Starts the reserved child `key`; returns its pid.
    pub fn start(self: &Arc<Self>, vm: &mut Vm, key: u64, how: Start) -> PyResult<i64> {
        if ensure_reaper(self).is_err() {
            return Err(vm.new_exception("RuntimeError", "can't start new thread"));
        }
        vm.flush();
        let bootstrap = match how {
            Start::Fork { bootstrap, .. } => bootstrap,
            Start::Spawn { data, .. } => return self.spawn(vm, key, data),
        };
        // The child is recorded before it can end, under the lock the reaper takes.
        let mut live = CHILDREN.live.lock().unwrap_or_else(|e| e.into_inner());
        match sys::fork() {
            Err(_) => {
                drop(live);
                Err(vm.new_exception(
                    "BlockingIOError",
                    "[Errno 11] Resource temporarily unavailable",
                ))
            }
            Ok(0) => {
                // The parent's children and reaper are not this process's.
                live.0.clear();
                live.1 = false;
                drop(live);
                forked_child(vm, &self.name, key, bootstrap)
            }
            Ok(pid) => {
                live.0.push((pid, key));
                drop(live);
                CHILDREN.added.notify_all();
                Ok(i64::from(pid))
            }
        }
    }

    /// The spawn start method: a new minipy (`SPAWN_FLAG`) that reads `data` from its
    /// standard input and runs it as `spawned_child` says.
    fn spawn(&self, vm: &mut Vm, key: u64, data: Vec<u8>) -> PyResult<i64> {
        let exe = std::env::current_exe().or_else(|_| std::fs::canonicalize("/proc/self/exe"));
        let Ok(exe) = exe else {
            return Err(vm.new_exception("OSError", "can't find the minipy executable"));
        };
        let mut command = std::process::Command::new(exe);
        command
            .arg(SPAWN_FLAG)
            .arg(&*self.name)
            .arg(key.to_string())
            .arg(vm.threads.check_interval.to_string())
            .arg(vm.threads.switch_interval.to_string())
            .arg(vm.threads.max_threads.to_string())
            .arg(policy::policy(vm).name())
            .stdin(std::process::Stdio::piped());
        // The child is recorded before it can end, under the lock the reaper takes.
        let mut live = CHILDREN.live.lock().unwrap_or_else(|e| e.into_inner());
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                drop(live);
                return Err(vm.new_exception("OSError", &e.to_string()));
            }
        };
        let pid = child.id() as i32;
        live.0.push((pid, key));
        drop(live);
        CHILDREN.added.notify_all();
        // A child that died before reading it ends the write; the reaper records its end.
        if let Some(mut stdin) = child.stdin.take() {
            let _ = std::io::Write::write_all(&mut stdin, &data);
        }
        Ok(i64::from(pid))
    }

    pub fn kill(&self, _vm: &mut Vm, pid: i64, sig: i64) -> PyResult<()> {
        if let (Ok(pid), Ok(sig)) = (i32::try_from(pid), i32::try_from(sig)) {
            sys::kill(pid, sig);
        }
        Ok(())
    }
}

/// The first process's link: starts the broker and connects to it as process 0.
pub fn connect_first(vm: &mut Vm) -> PyResult<Arc<Client>> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let name: Arc<str> = format!("minipy-mp-{}-{nanos}", std::process::id()).into();
    let started = address(&name)
        .and_then(|a| UnixListener::bind_addr(&a))
        .and_then(|listener| {
            LISTENER.store(listener.as_raw_fd(), std::sync::atomic::Ordering::Relaxed);
            started_thread("minipy-broker", move || serve(listener))
        })
        .and_then(|()| Client::connect(&name, 0));
    match started {
        Ok(client) => Ok(Arc::new(client)),
        Err(e) => Err(vm.new_exception("OSError", &format!("multiprocessing broker: {e}"))),
    }
}

/// Starts a thread and returns once it runs. Threads start before any fork, never around
/// one: the standard library holds a lock of its own while a thread starts or ends, and a
/// child forked then would find it held for good.
fn started_thread(name: &str, body: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    let (running, started) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _ = running.send(());
            body();
        })?;
    started
        .recv()
        .map_err(|_| std::io::Error::other("the thread did not start"))
}

/// A connection to the broker: its process's key (None until it has said), a lifeline,
/// or a process's watch connection (`WATCH` + its key).
struct Conn {
    stream: UnixStream,
    key: Option<u64>,
}

/// The broker: one thread answering every process's requests, in the order they come
/// (poll(2) says which connection has one). No thread per connection: see `started_thread`.
fn serve(listener: UnixListener) {
    let mut kernel = Kernel::new();
    let mut conns: Vec<Conn> = Vec::new();
    loop {
        let mut fds = vec![listener.as_raw_fd()];
        fds.extend(conns.iter().map(|c| c.stream.as_raw_fd()));
        let Ok(ready) = sys::poll_readable(&fds) else {
            continue;
        };
        let mut closed = Vec::new();
        for i in ready {
            if i == 0 {
                if let Ok((stream, _)) = listener.accept() {
                    conns.push(Conn { stream, key: None });
                }
                continue;
            }
            if !answer(&mut conns[i - 1], &mut kernel) {
                closed.push(i - 1);
            }
            deliver_wakes(&mut conns, &mut kernel);
        }
        for i in closed.into_iter().rev() {
            conns.swap_remove(i);
        }
    }
}

/// Reads one frame from `conn` and answers it; false when the connection is done.
fn answer(conn: &mut Conn, kernel: &mut Kernel) -> bool {
    let Ok(Some(frame)) = wire::receive(&mut conn.stream) else {
        return false;
    };
    let Some(key) = conn.key else {
        return match <[u8; 8]>::try_from(frame.as_slice()) {
            Ok(bytes) => {
                let key = u64::from_le_bytes(bytes);
                conn.key = Some(key);
                key == LIFELINE || key < WATCH || wire::send(&mut conn.stream, &[]).is_ok()
            }
            Err(_) => false,
        };
    };
    if key == LIFELINE || key >= WATCH {
        return false;
    }
    let Ok(request) = wire::decode_request(&frame) else {
        return false;
    };
    let reply = kernel.handle(key, request);
    wire::send(&mut conn.stream, &wire::encode_reply(&reply)).is_ok()
}

/// Sends the tokens of the waits the last request ended to their processes' watch
/// connections (a process that has none has no waits filed).
fn deliver_wakes(conns: &mut [Conn], kernel: &mut Kernel) {
    for waiter in kernel.take_woken() {
        let watch = Some(WATCH + waiter.process);
        if let Some(conn) = conns.iter_mut().find(|c| c.key == watch) {
            let _ = wire::send(&mut conn.stream, &waiter.token.to_le_bytes());
        }
    }
}

/// The children this process has started and not yet reaped (pid -> kernel key), and
/// whether its reaper runs.
struct Children {
    live: Mutex<(Vec<(i32, u64)>, bool)>,
    added: std::sync::Condvar,
}

static CHILDREN: Children = Children {
    live: Mutex::new((Vec::new(), false)),
    added: std::sync::Condvar::new(),
};

/// Starts this process's reaper unless it runs: one thread that waits for any child to
/// end and records its exit code in the kernel.
fn ensure_reaper(client: &Arc<Client>) -> std::io::Result<()> {
    let mut live = CHILDREN.live.lock().unwrap_or_else(|e| e.into_inner());
    if live.1 {
        return Ok(());
    }
    let client = client.clone();
    started_thread("minipy-reaper", move || reap(client))?;
    live.1 = true;
    Ok(())
}

fn reap(client: Arc<Client>) {
    loop {
        {
            let mut live = CHILDREN.live.lock().unwrap_or_else(|e| e.into_inner());
            while live.0.is_empty() {
                live = CHILDREN.added.wait(live).unwrap_or_else(|e| e.into_inner());
            }
        }
        let Some((pid, code)) = sys::wait_any() else {
            std::thread::sleep(std::time::Duration::from_millis(1));
            continue;
        };
        let key = {
            let mut live = CHILDREN.live.lock().unwrap_or_else(|e| e.into_inner());
            let i = live.0.iter().position(|c| c.0 == pid);
            i.map(|i| live.0.swap_remove(i).1)
        };
        if let Some(key) = key {
            let _ = client.exchange(&Request::Exited { process: key, code });
        }
    }
}

/// The process's parent's pid.
pub fn parent_pid() -> i64 {
    i64::from(std::os::unix::process::parent_id())
}

/// The child's side of fork(2): only this thread exists now. It makes its VM a process of
/// its own (the forking thread its main thread, running `bootstrap`), connects to the
/// broker, and exits with the exit code the bootstrap gives.
fn forked_child(parent: &mut Vm, name: &Arc<str>, key: u64, bootstrap: Value) -> ! {
    // The broker's listening socket came along with fork. Held here, it would keep this
    // child's own lifeline connection pending (not yet accepted) alive after the first
    // process has ended, and the child would outlive it.
    let listener = LISTENER.swap(-1, std::sync::atomic::Ordering::Relaxed);
    if listener >= 0 {
        sys::close(listener);
    }
    let (Ok(client), Ok(lifeline)) = (Client::connect(name, key), Client::connect(name, LIFELINE))
    else {
        sys::exit_now(1);
    };
    let watcher = started_thread("minipy-lifeline", move || {
        let mut stream = lifeline.stream.lock().unwrap_or_else(|e| e.into_inner());
        let _ = stream.read(&mut [0u8; 1]);
        // The first process has ended: so does this one.
        sys::exit_now(1);
    });
    if watcher.is_err() {
        sys::exit_now(1);
    }
    let mut vm = parent.fork_copy(super::next_epoch_base());
    super::keep_only_current_thread(&mut vm);
    {
        let s = super::state(&mut vm);
        s.link = Some(Link::Os(Arc::new(client)));
        s.bootstrapping = false;
        s.spawning = None;
        s.watching = false;
    }
    let frame = match vm.prepare_call(bootstrap, Args::default()) {
        Ok(crate::vm::Call::Frame(mut frame)) => {
            frame.resume = Resume::Native;
            frame
        }
        _ => sys::exit_now(1),
    };
    let status = crate::sched::os::run_main(vm, frame, |vm, result| {
        let code = match result {
            Ok(v) => match v {
                Value::Bool(b) => i32::from(b),
                v => vm.as_index(v).map_or(1, |c| c as i32),
            },
            Err(exc) => vm.report_uncaught(exc),
        };
        vm.flush();
        code
    });
    sys::exit_now(status)
}

/// When this minipy was started by the spawn method (`SPAWN_FLAG`): runs the child and
/// gives its exit status. None for any other command line.
pub fn spawned_child() -> Option<i32> {
    // args_os: any other command line, even one that is not UTF-8, is clap's to judge.
    let mut args = std::env::args_os().skip(1);
    if args.next().is_none_or(|flag| flag != SPAWN_FLAG) {
        return None;
    }
    let args: Vec<String> = args.filter_map(|a| a.into_string().ok()).collect();
    let [name, key, check, switch, max_threads, gil] = args.as_slice() else {
        return Some(2);
    };
    let (Ok(key), Ok(check_interval), Ok(switch_interval), Ok(max_threads), Some(gil)) = (
        key.parse::<u64>(),
        check.parse::<u32>(),
        switch.parse::<f64>(),
        max_threads.parse::<usize>(),
        policy::GilPolicy::parse(gil),
    ) else {
        return Some(2);
    };
    let mut data = Vec::new();
    if std::io::stdin().lock().read_to_end(&mut data).is_err() {
        return Some(1);
    }
    let name: Arc<str> = name.as_str().into();
    let (Ok(client), Ok(lifeline)) = (
        Client::connect(&name, key),
        Client::connect(&name, LIFELINE),
    ) else {
        return Some(1);
    };
    let watcher = started_thread("minipy-lifeline", move || {
        let mut stream = lifeline.stream.lock().unwrap_or_else(|e| e.into_inner());
        let _ = stream.read(&mut [0u8; 1]);
        // The first process has ended: so does this one.
        sys::exit_now(1);
    });
    if watcher.is_err() {
        return Some(1);
    }
    let options = crate::vm::Options {
        argv: Vec::new(),
        seed: 0,
        check_interval,
        max_threads,
        switch_interval,
        cpus: 1,
        // The limits of memory and steps are the defaults: the parent's are not passed.
        ..Default::default()
    };
    Some(crate::on_vm_stack(move || {
        let mut vm = crate::new_vm(options);
        policy::install(&mut vm, gil);
        super::state(&mut vm).link = Some(Link::Os(Arc::new(client)));
        let Ok(code) = crate::compile_source(SPAWN_BOOT, "<string>") else {
            return 1;
        };
        let frame = vm.module_frame(code, SPAWN_BOOT);
        let data = vm.alloc(crate::vm::object::Object::Bytes(data));
        vm.dict_set_str(frame.globals, "__spawn_data__", data);
        crate::sched::os::run_main(vm, frame, |vm, result| {
            vm.flush();
            match result {
                Ok(_) => 0,
                Err(exc) => vm.report_uncaught(exc),
            }
        })
    }))
}

/// The few system calls multiprocessing needs that the standard library does not offer.
mod sys {
    /// fork(2). Ok(0) in the child, Ok(child's pid) in the parent.
    pub fn fork() -> std::io::Result<i32> {
        // SAFETY: fork in a multi-threaded process leaves the child with only the calling
        // thread; anything another thread held locked stays locked there. The calling
        // thread holds the GIL, so no other VM thread is inside the VM or writing output;
        // the other threads of this process (VM threads waiting for the GIL, reapers, the
        // broker's) only wait on their own mutexes and sockets, which the child never
        // touches: it copies the VM it was given, connects to the broker anew, and runs
        // under a scheduler of its own. A safe alternative (starting a new minipy, as the
        // spawn method does) cannot give CPython's fork semantics: the child must be a
        // copy of the parent at start(), with module globals, open queues and unguarded
        // top-level code already run.
        match unsafe { libc::fork() } {
            -1 => Err(std::io::Error::last_os_error()),
            pid => Ok(pid),
        }
    }

    /// Waits for any child to end: its pid and exit status, or minus the signal that
    /// killed it. None when there is no child to wait for.
    pub fn wait_any() -> Option<(i32, i64)> {
        let mut status = 0;
        loop {
            // SAFETY: waitpid writes the status to the local it is given.
            let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
            if pid > 0 {
                let code = if libc::WIFSIGNALED(status) {
                    -i64::from(libc::WTERMSIG(status))
                } else {
                    i64::from(libc::WEXITSTATUS(status))
                };
                return Some((pid, code));
            }
            if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                return None;
            }
        }
    }

    /// poll(2) for input on `fds`: the indexes of those readable (or closed).
    pub fn poll_readable(fds: &[i32]) -> std::io::Result<Vec<usize>> {
        let mut polled: Vec<libc::pollfd> = fds
            .iter()
            .map(|&fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        // SAFETY: poll reads and writes only the array it is given, of the length given.
        let n = unsafe { libc::poll(polled.as_mut_ptr(), polled.len() as libc::nfds_t, -1) };
        if n < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(polled
            .iter()
            .enumerate()
            .filter(|(_, p)| p.revents != 0)
            .map(|(i, _)| i)
            .collect())
    }

    /// _exit(2): a forked child ends without the standard library's exit, which takes
    /// locks another thread of the parent may have held when it forked.
    pub fn exit_now(code: i32) -> ! {
        // SAFETY: _exit ends the process at once and touches no memory of it.
        unsafe { libc::_exit(code) }
    }

    /// close(2) of the broker's listening socket in a forked child.
    pub fn close(fd: i32) {
        // SAFETY: `fd` is the listening socket of the parent's broker thread, which does
        // not exist in this child: nothing here uses, owns or closes that descriptor.
        unsafe {
            libc::close(fd);
        }
    }

    /// kill(2): sends `sig` to `pid` (a child of this process).
    pub fn kill(pid: i32, sig: i32) {
        if pid > 0 {
            // SAFETY: kill takes two integers and touches no memory of this process.
            unsafe {
                libc::kill(pid, sig);
            }
        }
    }

    /// signal(2) with SIG_IGN or SIG_DFL: whether this process ignores `sig`.
    pub fn ignore(sig: i32, ignored: bool) {
        let handler = if ignored {
            libc::SIG_IGN
        } else {
            libc::SIG_DFL
        };
        // SAFETY: SIG_IGN and SIG_DFL run no code of this process when the signal comes.
        unsafe {
            libc::signal(sig, handler);
        }
    }
}

/// signal.signal(sig, SIG_IGN or SIG_DFL) in a real process.
pub fn set_ignored(sig: i64, ignored: bool) {
    if let Ok(sig) = i32::try_from(sig)
        && sig != libc::SIGKILL
        && sig != libc::SIGSTOP
    {
        sys::ignore(sig, ignored);
    }
}
