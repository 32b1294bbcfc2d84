//! The world of simulated processes (`--sched det`): every process is a VM of its own,
//! run by an OS thread of its own, but only one runs at a time: the one holding the turn.
//! Whoever holds it hands it on at a yield point, always to the process whose next event
//! comes first in virtual time (its clock if it can run, its earliest deadline if it
//! waits with one, or the time it was woken), a rank drawn from the seed breaking ties.
//! Processes share nothing but the kernel's objects, so the order of their steps matters
//! only at kernel operations, which are made in virtual-time order (`sync`); between
//! them a process may run ahead, in slices so that the others keep up.
//!
//! Why OS threads rather than one thread stepping every VM: a VM blocked inside a call
//! from native code (`sorted(q.get() for ...)`) holds a Rust stack; with a thread per
//! process it simply waits for its turn, and each VM keeps the deterministic scheduler
//! for its own threads unchanged. The turn is handed over under one mutex, so runs
//! repeat exactly.

use super::kernel::{Kernel, Request, Waiter};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A process as the world sees it.
pub struct Proc {
    pub status: Status,
    /// Its virtual time when it last yielded (ns).
    pub clock: u64,
    /// Breaks ties between processes due at the same time.
    pub rank: u64,
    /// Tokens of its waits that kernel changes have ended, to apply when it runs.
    pub wakes: Vec<u64>,
    /// The latest time one of those wake-ups happened.
    pub wake_at: u64,
    turn: Arc<Condvar>,
    pub pid: i64,
    pub ppid: i64,
    /// Signals it ignores (signal.SIG_IGN).
    pub ignored: Vec<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Runnable,
    /// No thread can run until a kernel change wakes one, or the deadline.
    Blocked(Option<u64>),
    Finished,
}

pub struct Inner {
    pub kernel: Kernel,
    pub procs: Vec<Proc>,
    /// The process holding the turn.
    pub running: usize,
    pub cpus: usize,
    rng: u64,
    /// No process could ever run again: the first process reports it and ends the run.
    pub deadlocked: bool,
}

pub struct World {
    inner: Mutex<Inner>,
}

/// The first process's pid under det (each child's is the next free one): fixed, so
/// output that shows pids repeats.
pub const FIRST_PID: i64 = 1000;

impl Inner {
    pub fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// When process `i` acts next, if it can without another's help.
    pub fn due(&self, i: usize) -> Option<u64> {
        let p = &self.procs[i];
        match p.status {
            Status::Finished => None,
            Status::Runnable => Some(p.clock),
            Status::Blocked(_) if !p.wakes.is_empty() => Some(p.clock.max(p.wake_at)),
            Status::Blocked(deadline) => deadline.map(|d| d.max(p.clock)),
        }
    }

    /// The process that acts next.
    pub fn next(&self) -> Option<usize> {
        (0..self.procs.len())
            .filter_map(|i| self.due(i).map(|t| (t, self.procs[i].rank, i)))
            .min()
            .map(|(_, _, i)| i)
    }

    /// Processes that can run now (for the share of the CPUs each gets).
    pub fn runnable(&self) -> usize {
        self.procs
            .iter()
            .filter(|p| p.status == Status::Runnable)
            .count()
    }

    /// Answers process `me`'s request at time `now`; the wake-ups it causes for other
    /// processes are filed with them, its own are returned.
    pub fn handle(&mut self, me: usize, now: u64, request: Request) -> (super::Reply, Vec<u64>) {
        let reply = self.kernel.handle(me as u64, request);
        let mine = self.route(me, now);
        (reply, mine)
    }

    /// Files the kernel's wake-ups with their processes; returns `me`'s.
    pub fn route(&mut self, me: usize, now: u64) -> Vec<u64> {
        let mut mine = Vec::new();
        for Waiter { process, token } in self.kernel.take_woken() {
            let p = process as usize;
            if p == me {
                mine.push(token);
            } else if let Some(proc) = self.procs.get_mut(p)
                && proc.status != Status::Finished
            {
                proc.wakes.push(token);
                proc.wake_at = proc.wake_at.max(now);
            }
        }
        mine
    }

    /// Adds a process (started at `clock` by `parent`); returns its index.
    pub fn add(&mut self, clock: u64, parent: usize) -> usize {
        let rank = self.next_random();
        let pid = FIRST_PID + self.procs.len() as i64;
        let ppid = self.procs.get(parent).map_or(FIRST_PID - 1, |p| p.pid);
        self.procs.push(Proc {
            status: Status::Runnable,
            clock,
            rank,
            wakes: Vec::new(),
            wake_at: 0,
            turn: Arc::new(Condvar::new()),
            pid,
            ppid,
            ignored: Vec::new(),
        });
        self.procs.len() - 1
    }
}

impl World {
    /// A world whose first process (index 0) is the one running now, at `clock`.
    pub fn new(cpus: usize, seed: u64, clock: u64) -> Arc<World> {
        let mut inner = Inner {
            kernel: Kernel::new(),
            procs: Vec::new(),
            running: 0,
            cpus: cpus.max(1),
            rng: seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ 0x9e37_79b9_7f4a_7c15,
            deadlocked: false,
        };
        inner.add(clock, usize::MAX);
        Arc::new(World {
            inner: Mutex::new(inner),
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        // A process thread that panicked leaves the world as it was: go on with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands the turn to `next` and waits until it comes back to `me`.
    pub fn hand_over<'a>(
        &'a self,
        mut inner: MutexGuard<'a, Inner>,
        me: usize,
        next: usize,
    ) -> MutexGuard<'a, Inner> {
        inner.running = next;
        inner.procs[next].turn.notify_one();
        let mine = inner.procs[me].turn.clone();
        mine.wait_while(inner, |i| i.running != me)
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Gives the turn to `next` without waiting for it back (a process that has ended).
    pub fn pass_on(&self, mut inner: MutexGuard<'_, Inner>, next: usize) {
        inner.running = next;
        inner.procs[next].turn.notify_one();
    }

    /// Blocks the thread of process `me` until it holds the turn (a new process's first).
    pub fn wait_for_turn(&self, me: usize) -> MutexGuard<'_, Inner> {
        let inner = self.lock();
        let mine = inner.procs[me].turn.clone();
        mine.wait_while(inner, |i| i.running != me)
            .unwrap_or_else(|e| e.into_inner())
    }
}
