//! The objects processes share (what CPython keeps in the OS: semaphores, pipes, shared
//! memory, and the parent's record of its children): semaphores and locks, queues of
//! pickled messages, the two ends of pipes, blocks of shared memory, and a record per
//! process. Each object has a version, moved on by every change; a process that must wait
//! for one registers a waiter, woken at the next change (it then looks again). The same
//! kernel serves both schedulers: under det it sits in the world of simulated processes,
//! under os in the broker of the first process. Processes are named by a key the kernel
//! gives out (0 is the first process); a lock's owner is (process key, thread ident).

use std::collections::{HashMap, VecDeque};

pub type Id = u64;

/// A lock's holder: (process key, thread ident).
pub type Owner = (u64, u64);

/// A registered wait: the process it belongs to and its token there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiter {
    pub process: u64,
    pub token: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemKind {
    /// A counting semaphore (Lock is one with a maximum of 1).
    Semaphore,
    /// RLock: re-entrant in its owner thread, released only by it.
    Recursive,
}

/// What a process asks of the kernel.
#[derive(Clone, Debug)]
pub enum Request {
    NewSem {
        kind: SemKind,
        value: i64,
        max: i64,
    },
    /// Takes the semaphore if it can (never waits here).
    SemAcquire {
        id: Id,
        thread: u64,
    },
    SemRelease {
        id: Id,
        thread: u64,
    },
    SemInfo {
        id: Id,
        thread: u64,
    },
    NewQueue {
        maxsize: i64,
        joinable: bool,
    },
    QueuePut {
        id: Id,
        data: Vec<u8>,
    },
    QueueGet {
        id: Id,
    },
    QueueInfo {
        id: Id,
    },
    /// An item put() and not yet sent (a feeder thread holds it): `delta` +1 at put(),
    /// -1 when it cannot be pickled. It counts in qsize() and in unfinished tasks.
    QueueReserve {
        id: Id,
        delta: i64,
    },
    /// A reserved item, sent.
    QueueSend {
        id: Id,
        data: Vec<u8>,
    },
    TaskDone {
        id: Id,
    },
    /// A pipe: two ends, each reading what the other sends.
    NewPipe,
    PipeSend {
        end: Id,
        data: Vec<u8>,
    },
    PipeRecv {
        end: Id,
    },
    PipePoll {
        end: Id,
    },
    /// The process lets go of its end (the end closes when no process holds it).
    PipeClose {
        end: Id,
    },
    /// The process holds this end too (a spawned child that received it).
    PipeHold {
        end: Id,
        process: u64,
    },
    NewMemory {
        size: usize,
    },
    MemRead {
        id: Id,
        offset: usize,
        len: usize,
    },
    MemWrite {
        id: Id,
        offset: usize,
        data: Vec<u8>,
    },
    /// A new process, child of the asker, holding what the asker holds when `fork`.
    NewProcess {
        fork: bool,
    },
    /// A process ended with this exit code (negative: killed by that signal).
    Exited {
        process: u64,
        code: i64,
    },
    ProcessStatus {
        process: u64,
    },
    /// Wait until one of these objects has moved past the version given.
    Wait {
        objects: Vec<(Id, u64)>,
        token: u64,
    },
    Cancel {
        token: u64,
    },
    /// Whether one of these objects has moved past the version given (no waiter is left:
    /// a real process looks again later).
    Changed {
        objects: Vec<(Id, u64)>,
    },
}

/// The kernel's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Done,
    Id(Id),
    Ids(Id, Id),
    /// A yes/no answer and the object's version after it.
    Flag(bool, u64),
    /// A message (None: nothing there), and the object's version.
    Data(Option<Vec<u8>>, u64),
    /// The pipe's peer is closed and nothing is left to read.
    Eof,
    Sem {
        value: i64,
        mine: bool,
        count: u64,
        owner: Option<Owner>,
    },
    Queue {
        size: usize,
        unfinished: i64,
        version: u64,
        /// Reserved, not yet sent.
        pending: i64,
    },
    Process {
        key: u64,
        record: Id,
    },
    Status {
        exitcode: Option<i64>,
        version: u64,
        record: Id,
    },
    Error(Fault),
}

/// What went wrong, for the asker to raise in CPython's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// ValueError: semaphore or lock released too many times.
    ReleasedTooMany,
    /// AssertionError: attempt to release recursive lock not owned by thread.
    NotOwner,
    /// ValueError: task_done() called too many times.
    TaskDoneTooMany,
    /// BrokenPipeError: [Errno 32] Broken pipe.
    BrokenPipe,
    /// OSError: handle is closed (no such object, or out of range).
    Closed,
}

struct Sem {
    kind: SemKind,
    value: i64,
    max: i64,
    owner: Option<Owner>,
    count: u64,
}

struct Queue {
    items: VecDeque<Vec<u8>>,
    maxsize: i64,
    unfinished: i64,
    joinable: bool,
    pending: i64,
}

struct PipeEnd {
    inbox: VecDeque<Vec<u8>>,
    peer: Id,
    holders: Vec<u64>,
}

struct Record {
    exitcode: Option<i64>,
}

enum Kind {
    Sem(Sem),
    Queue(Queue),
    Pipe(PipeEnd),
    Memory(Vec<u8>),
    Process(Record),
}

struct Entry {
    kind: Kind,
    version: u64,
    waiters: Vec<Waiter>,
}

/// Every shared object, and the waiters a change has woken since they were last taken.
#[derive(Default)]
pub struct Kernel {
    objects: HashMap<Id, Entry>,
    next_id: Id,
    /// Process key -> its record's id.
    records: HashMap<u64, Id>,
    next_process: u64,
    woken: Vec<Waiter>,
}

impl Kernel {
    /// A kernel whose first process (key 0) is the one that made it.
    pub fn new() -> Self {
        let mut k = Kernel {
            next_id: 1,
            ..Default::default()
        };
        let record = k.add(Kind::Process(Record { exitcode: None }));
        k.records.insert(0, record);
        k.next_process = 1;
        k
    }

    fn add(&mut self, kind: Kind) -> Id {
        let id = self.next_id;
        self.next_id += 1;
        self.objects.insert(
            id,
            Entry {
                kind,
                version: 0,
                waiters: Vec::new(),
            },
        );
        id
    }

    /// The waiters woken since the last call.
    pub fn take_woken(&mut self) -> Vec<Waiter> {
        std::mem::take(&mut self.woken)
    }

    /// Object `id` changed: its version moves on and its waiters wake.
    fn changed(&mut self, id: Id) {
        let Some(e) = self.objects.get_mut(&id) else {
            return;
        };
        e.version += 1;
        let woken = std::mem::take(&mut e.waiters);
        for w in woken {
            self.forget_waiter(w);
            self.woken.push(w);
        }
    }

    /// A waiter registered on several objects stops waiting on all of them.
    fn forget_waiter(&mut self, w: Waiter) {
        for e in self.objects.values_mut() {
            e.waiters.retain(|x| *x != w);
        }
    }

    fn version(&self, id: Id) -> u64 {
        self.objects.get(&id).map_or(0, |e| e.version)
    }

    /// Answers `from`'s request.
    pub fn handle(&mut self, from: u64, request: Request) -> Reply {
        match request {
            Request::NewSem { kind, value, max } => Reply::Id(self.add(Kind::Sem(Sem {
                kind,
                value,
                max,
                owner: None,
                count: 0,
            }))),
            Request::SemAcquire { id, thread } => self.sem_acquire(id, (from, thread)),
            Request::SemRelease { id, thread } => self.sem_release(id, (from, thread)),
            Request::SemInfo { id, thread } => match self.objects.get(&id).map(|e| &e.kind) {
                Some(Kind::Sem(s)) => Reply::Sem {
                    value: s.value,
                    mine: s.count > 0 && s.owner == Some((from, thread)),
                    count: if s.owner.is_some_and(|o| o.0 == from) {
                        s.count
                    } else {
                        0
                    },
                    owner: s.owner,
                },
                _ => Reply::Error(Fault::Closed),
            },
            Request::NewQueue { maxsize, joinable } => Reply::Id(self.add(Kind::Queue(Queue {
                items: VecDeque::new(),
                maxsize,
                unfinished: 0,
                joinable,
                pending: 0,
            }))),
            Request::QueuePut { id, data } => self.queue_put(id, data),
            Request::QueueReserve { id, delta } => self.queue_reserve(id, delta),
            Request::QueueSend { id, data } => self.queue_send(id, data),
            Request::QueueGet { id } => self.queue_get(id),
            Request::QueueInfo { id } => match self.objects.get(&id) {
                Some(Entry {
                    kind: Kind::Queue(q),
                    version,
                    ..
                }) => Reply::Queue {
                    size: q.items.len(),
                    unfinished: q.unfinished,
                    version: *version,
                    pending: q.pending,
                },
                _ => Reply::Error(Fault::Closed),
            },
            Request::TaskDone { id } => self.task_done(id),
            Request::NewPipe => {
                let a = self.add(Kind::Pipe(PipeEnd {
                    inbox: VecDeque::new(),
                    peer: 0,
                    holders: vec![from],
                }));
                let b = self.add(Kind::Pipe(PipeEnd {
                    inbox: VecDeque::new(),
                    peer: a,
                    holders: vec![from],
                }));
                if let Some(Entry {
                    kind: Kind::Pipe(end),
                    ..
                }) = self.objects.get_mut(&a)
                {
                    end.peer = b;
                }
                Reply::Ids(a, b)
            }
            Request::PipeSend { end, data } => self.pipe_send(end, data),
            Request::PipeRecv { end } => self.pipe_recv(end, true),
            Request::PipePoll { end } => self.pipe_recv(end, false),
            Request::PipeClose { end } => {
                self.let_go(end, from);
                Reply::Done
            }
            Request::PipeHold { end, process } => {
                if let Some(Entry {
                    kind: Kind::Pipe(p),
                    ..
                }) = self.objects.get_mut(&end)
                    && !p.holders.contains(&process)
                {
                    p.holders.push(process);
                }
                Reply::Done
            }
            Request::NewMemory { size } => Reply::Id(self.add(Kind::Memory(vec![0; size]))),
            Request::MemRead { id, offset, len } => match self.objects.get(&id).map(|e| &e.kind) {
                Some(Kind::Memory(m)) if offset + len <= m.len() => {
                    Reply::Data(Some(m[offset..offset + len].to_vec()), 0)
                }
                _ => Reply::Error(Fault::Closed),
            },
            Request::MemWrite { id, offset, data } => {
                match self.objects.get_mut(&id).map(|e| &mut e.kind) {
                    Some(Kind::Memory(m)) if offset + data.len() <= m.len() => {
                        m[offset..offset + data.len()].copy_from_slice(&data);
                        Reply::Done
                    }
                    _ => Reply::Error(Fault::Closed),
                }
            }
            Request::NewProcess { fork } => {
                let key = self.next_process;
                self.next_process += 1;
                let record = self.add(Kind::Process(Record { exitcode: None }));
                self.records.insert(key, record);
                if fork {
                    for e in self.objects.values_mut() {
                        if let Kind::Pipe(p) = &mut e.kind
                            && p.holders.contains(&from)
                        {
                            p.holders.push(key);
                        }
                    }
                }
                Reply::Process { key, record }
            }
            Request::Exited { process, code } => {
                self.exited(process, code);
                Reply::Done
            }
            Request::ProcessStatus { process } => match self.records.get(&process) {
                Some(&record) => match self.objects.get(&record).map(|e| (&e.kind, e.version)) {
                    Some((Kind::Process(r), version)) => Reply::Status {
                        exitcode: r.exitcode,
                        version,
                        record,
                    },
                    _ => Reply::Error(Fault::Closed),
                },
                None => Reply::Error(Fault::Closed),
            },
            Request::Wait { objects, token } => {
                let waiter = Waiter {
                    process: from,
                    token,
                };
                if objects.iter().any(|&(id, v)| self.version(id) != v) {
                    return Reply::Flag(true, 0);
                }
                for (id, _) in objects {
                    if let Some(e) = self.objects.get_mut(&id) {
                        e.waiters.push(waiter);
                    }
                }
                Reply::Flag(false, 0)
            }
            Request::Cancel { token } => {
                self.forget_waiter(Waiter {
                    process: from,
                    token,
                });
                Reply::Done
            }
            Request::Changed { objects } => {
                let changed = objects.iter().any(|&(id, v)| self.version(id) != v);
                Reply::Flag(changed, 0)
            }
        }
    }

    fn sem_acquire(&mut self, id: Id, who: Owner) -> Reply {
        let Some(e) = self.objects.get_mut(&id) else {
            return Reply::Error(Fault::Closed);
        };
        let Kind::Sem(s) = &mut e.kind else {
            return Reply::Error(Fault::Closed);
        };
        if s.kind == SemKind::Recursive && s.owner == Some(who) && s.count > 0 {
            s.count += 1;
            return Reply::Flag(true, e.version);
        }
        if s.value <= 0 {
            return Reply::Flag(false, e.version);
        }
        s.value -= 1;
        if s.owner == Some(who) && s.kind == SemKind::Semaphore {
            s.count += 1;
        } else {
            s.owner = Some(who);
            s.count = 1;
        }
        let version = e.version;
        self.changed(id);
        Reply::Flag(true, version + 1)
    }

    fn sem_release(&mut self, id: Id, who: Owner) -> Reply {
        let Some(e) = self.objects.get_mut(&id) else {
            return Reply::Error(Fault::Closed);
        };
        let Kind::Sem(s) = &mut e.kind else {
            return Reply::Error(Fault::Closed);
        };
        match s.kind {
            SemKind::Recursive => {
                if s.owner != Some(who) || s.count == 0 {
                    return Reply::Error(Fault::NotOwner);
                }
                s.count -= 1;
                if s.count > 0 {
                    return Reply::Done;
                }
                s.owner = None;
                s.value = 1;
            }
            SemKind::Semaphore => {
                if s.value >= s.max {
                    return Reply::Error(Fault::ReleasedTooMany);
                }
                s.value += 1;
                if s.owner.is_some_and(|o| o.0 == who.0) {
                    s.count = s.count.saturating_sub(1);
                }
                if s.count == 0 || s.value >= s.max {
                    s.owner = None;
                    s.count = 0;
                }
            }
        }
        self.changed(id);
        Reply::Done
    }

    fn queue_put(&mut self, id: Id, data: Vec<u8>) -> Reply {
        let Some(e) = self.objects.get_mut(&id) else {
            return Reply::Error(Fault::Closed);
        };
        let Kind::Queue(q) = &mut e.kind else {
            return Reply::Error(Fault::Closed);
        };
        if q.maxsize > 0 && q.items.len() as i64 >= q.maxsize {
            return Reply::Flag(false, e.version);
        }
        q.items.push_back(data);
        if q.joinable {
            q.unfinished += 1;
        }
        let version = e.version;
        self.changed(id);
        Reply::Flag(true, version + 1)
    }

    fn queue_reserve(&mut self, id: Id, delta: i64) -> Reply {
        let Some(e) = self.objects.get_mut(&id) else {
            return Reply::Error(Fault::Closed);
        };
        let Kind::Queue(q) = &mut e.kind else {
            return Reply::Error(Fault::Closed);
        };
        q.pending = (q.pending + delta).max(0);
        if q.joinable {
            q.unfinished = (q.unfinished + delta).max(0);
        }
        self.changed(id);
        Reply::Done
    }

    fn queue_send(&mut self, id: Id, data: Vec<u8>) -> Reply {
        let Some(e) = self.objects.get_mut(&id) else {
            return Reply::Error(Fault::Closed);
        };
        let Kind::Queue(q) = &mut e.kind else {
            return Reply::Error(Fault::Closed);
        };
        q.pending = (q.pending - 1).max(0);
        q.items.push_back(data);
        self.changed(id);
        Reply::Done
    }

    fn queue_get(&mut self, id: Id) -> Reply {
        let Some(e) = self.objects.get_mut(&id) else {
            return Reply::Error(Fault::Closed);
        };
        let Kind::Queue(q) = &mut e.kind else {
            return Reply::Error(Fault::Closed);
        };
        match q.items.pop_front() {
            Some(item) => {
                let version = e.version;
                self.changed(id);
                Reply::Data(Some(item), version + 1)
            }
            None => Reply::Data(None, e.version),
        }
    }

    fn task_done(&mut self, id: Id) -> Reply {
        let Some(e) = self.objects.get_mut(&id) else {
            return Reply::Error(Fault::Closed);
        };
        let Kind::Queue(q) = &mut e.kind else {
            return Reply::Error(Fault::Closed);
        };
        if q.unfinished <= 0 {
            return Reply::Error(Fault::TaskDoneTooMany);
        }
        q.unfinished -= 1;
        self.changed(id);
        Reply::Done
    }

    fn pipe(&self, end: Id) -> Option<&PipeEnd> {
        match self.objects.get(&end).map(|e| &e.kind) {
            Some(Kind::Pipe(p)) => Some(p),
            _ => None,
        }
    }

    fn pipe_send(&mut self, end: Id, data: Vec<u8>) -> Reply {
        let Some(peer) = self.pipe(end).map(|p| p.peer) else {
            return Reply::Error(Fault::Closed);
        };
        match self.objects.get_mut(&peer).map(|e| &mut e.kind) {
            Some(Kind::Pipe(p)) if !p.holders.is_empty() => p.inbox.push_back(data),
            _ => return Reply::Error(Fault::BrokenPipe),
        }
        self.changed(peer);
        Reply::Done
    }

    /// recv (`take`) or poll: a message, EOF once the peer is closed and nothing is left,
    /// or nothing yet.
    fn pipe_recv(&mut self, end: Id, take: bool) -> Reply {
        let Some(p) = self.pipe(end) else {
            return Reply::Error(Fault::Closed);
        };
        let version = self.version(end);
        let peer_open = self.pipe(p.peer).is_some_and(|q| !q.holders.is_empty());
        if p.inbox.is_empty() {
            return if peer_open {
                Reply::Data(None, version)
            } else {
                Reply::Eof
            };
        }
        if !take {
            return Reply::Data(Some(Vec::new()), version);
        }
        let item = match self.objects.get_mut(&end).map(|e| &mut e.kind) {
            Some(Kind::Pipe(p)) => p.inbox.pop_front(),
            _ => None,
        };
        self.changed(end);
        Reply::Data(item, version + 1)
    }

    /// `process` lets go of a pipe end; at the last holder the end closes, which the
    /// peer's readers see as EOF.
    fn let_go(&mut self, end: Id, process: u64) {
        let Some(Entry {
            kind: Kind::Pipe(p),
            ..
        }) = self.objects.get_mut(&end)
        else {
            return;
        };
        let held = p.holders.len();
        p.holders.retain(|&h| h != process);
        if p.holders.len() != held && p.holders.is_empty() {
            let peer = p.peer;
            self.changed(end);
            self.changed(peer);
        }
    }

    /// A process ended: its pipe ends close, its waits end, its record shows the code.
    fn exited(&mut self, process: u64, code: i64) {
        let ends: Vec<Id> = self
            .objects
            .iter()
            .filter_map(|(id, e)| match &e.kind {
                Kind::Pipe(p) if p.holders.contains(&process) => Some(*id),
                _ => None,
            })
            .collect();
        for end in ends {
            self.let_go(end, process);
        }
        for e in self.objects.values_mut() {
            e.waiters.retain(|w| w.process != process);
        }
        if let Some(&record) = self.records.get(&process) {
            if let Some(Entry {
                kind: Kind::Process(r),
                ..
            }) = self.objects.get_mut(&record)
                && r.exitcode.is_none()
            {
                r.exitcode = Some(code);
            }
            self.changed(record);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_wakes_at_the_next_change_and_only_once() {
        let mut k = Kernel::new();
        let Reply::Id(q) = k.handle(
            0,
            Request::NewQueue {
                maxsize: 0,
                joinable: false,
            },
        ) else {
            panic!("a queue")
        };
        let Reply::Data(None, v) = k.handle(1, Request::QueueGet { id: q }) else {
            panic!("empty")
        };
        let wait = Request::Wait {
            objects: vec![(q, v)],
            token: 7,
        };
        assert_eq!(k.handle(1, wait), Reply::Flag(false, 0));
        k.handle(
            0,
            Request::QueuePut {
                id: q,
                data: vec![1],
            },
        );
        k.handle(
            0,
            Request::QueuePut {
                id: q,
                data: vec![2],
            },
        );
        assert_eq!(
            k.take_woken(),
            vec![Waiter {
                process: 1,
                token: 7
            }]
        );
    }

    #[test]
    fn a_pipe_end_closes_when_its_last_holder_lets_go() {
        let mut k = Kernel::new();
        let Reply::Ids(a, b) = k.handle(0, Request::NewPipe) else {
            panic!("a pipe")
        };
        let Reply::Process { key, .. } = k.handle(0, Request::NewProcess { fork: true }) else {
            panic!("a process")
        };
        k.handle(0, Request::PipeClose { end: b });
        assert!(matches!(
            k.handle(0, Request::PipeRecv { end: a }),
            Reply::Data(None, _)
        ));
        k.handle(
            key,
            Request::PipeSend {
                end: b,
                data: vec![9],
            },
        );
        k.handle(
            key,
            Request::Exited {
                process: key,
                code: 0,
            },
        );
        assert!(matches!(
            k.handle(0, Request::PipeRecv { end: a }),
            Reply::Data(Some(_), _)
        ));
        assert_eq!(k.handle(0, Request::PipeRecv { end: a }), Reply::Eof);
    }
}
