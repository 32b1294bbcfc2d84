//! Who can run and who waits for what, kept so that the deterministic scheduler's work at a
//! GIL handoff, at a lock release that wakes a waiter and at a deadlock check does not grow
//! with the number of threads: the runnable threads in a set that names its k-th member in
//! O(log n) (the seeded draw picks the k-th runnable thread in table order, as it always
//! has), a first-come queue of waiters per lock, the joiners of each thread, and a heap of
//! deadlines. The thread table (`Vm::threads`) stays the truth: a thread whose state the core
//! changed (it blocked, it was started, it ended) is registered again at the next look
//! (`sync`), and every entry made for an older registration is ignored (its serial is stale).
//!
//! A released lock wakes its first waiter only (as a POSIX lock does), if it is still free
//! when the scheduler next looks; under an explorer (a `Chooser` is installed) it wakes every
//! waiter, so that any of them may be chosen to take it next.

use super::{state, state_mut};
use crate::vm::threads::ThreadState;
use crate::vm::{ObjRef, Vm};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A set of thread indices that can name its k-th smallest member in O(log n): a Fenwick
/// tree over 0/1 counts.
#[derive(Clone, Default)]
pub struct RunSet {
    tree: Vec<u32>,
    present: Vec<bool>,
    len: usize,
}

impl RunSet {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn insert(&mut self, i: usize) {
        if i >= self.present.len() {
            self.grow(i + 1);
        }
        if !self.present[i] {
            self.present[i] = true;
            self.len += 1;
            self.add(i, 1);
        }
    }

    pub fn remove(&mut self, i: usize) {
        if self.present.get(i).copied().unwrap_or(false) {
            self.present[i] = false;
            self.len -= 1;
            self.add(i, u32::MAX); // -1, wrapping
        }
    }

    fn add(&mut self, i: usize, delta: u32) {
        let mut j = i + 1;
        while j <= self.tree.len() {
            self.tree[j - 1] = self.tree[j - 1].wrapping_add(delta);
            j += j & j.wrapping_neg();
        }
    }

    /// The `k`-th member (from 0) in increasing order; `k < len()`.
    pub fn nth(&self, k: usize) -> usize {
        let n = self.tree.len();
        let mut pos = 0;
        let mut left = k as u32 + 1;
        let mut step = if n == 0 { 0 } else { 1 << n.ilog2() };
        while step > 0 {
            if pos + step <= n && self.tree[pos + step - 1] < left {
                pos += step;
                left -= self.tree[pos - 1];
            }
            step >>= 1;
        }
        pos
    }

    /// The members in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.present
            .iter()
            .enumerate()
            .filter(|(_, p)| **p)
            .map(|(i, _)| i)
    }

    /// Room for indices below `min`, at least doubling (the tree is rebuilt in O(n)).
    fn grow(&mut self, min: usize) {
        let size = min.max(self.present.len() * 2).max(16);
        self.present.resize(size, false);
        self.tree = self.present.iter().map(|&p| u32::from(p)).collect();
        for i in 1..=size {
            let parent = i + (i & i.wrapping_neg());
            if parent <= size {
                self.tree[parent - 1] += self.tree[i - 1];
            }
        }
    }
}

/// A queue entry: a thread and the serial of the registration that made it.
type Entry = (usize, u32);

/// The scheduler's view of the thread table (see the file's comment).
#[derive(Clone, Default)]
pub struct Queues {
    /// Runnable threads not pinned by a callback: the draw picks among them.
    pub runnable: RunSet,
    /// Each thread's state and pinned flag as last registered (None: never registered).
    known: Vec<Option<(ThreadState, bool)>>,
    /// Bumped at each registration of a thread: entries with an older serial are stale.
    serial: Vec<u32>,
    lock_waiters: FxHashMap<ObjRef, VecDeque<Entry>>,
    /// Threads waiting for each thread (by index) to end.
    joiners: FxHashMap<usize, Vec<Entry>>,
    deadlines: BinaryHeap<Reverse<(u64, usize, u32)>>,
    /// Locks released (freed) since the last look.
    pub released: Vec<ObjRef>,
    /// Threads whose state may have changed since the last look (the running one always
    /// is looked at).
    pub dirty: Vec<usize>,
    /// `Threads::changes` at the last look: until it moves, nothing needs registering.
    pub synced_changes: u64,
    /// The earliest deadline among the waiting threads (`u64::MAX`: none).
    pub next_deadline: u64,
}

impl Queues {
    pub fn new() -> Self {
        Queues {
            synced_changes: u64::MAX,
            next_deadline: 0,
            ..Default::default()
        }
    }

    pub fn has_waiters(&self, lock: ObjRef) -> bool {
        self.lock_waiters.contains_key(&lock)
    }

    fn entry_valid(&self, (i, serial): Entry) -> bool {
        self.serial[i] == serial
    }
}

impl Vm {
    /// Registers every thread whose state changed, then wakes the threads whose wait is
    /// over: the first waiter of each lock released and still free, the joiners of each
    /// thread that ended, and every thread whose deadline has passed.
    pub(super) fn sync_and_wake(&mut self) {
        let mut q = std::mem::take(&mut state_mut(self).queues);
        let wake_all = state(self).chooser.is_some();
        let mut woke_any = false;
        let current = self.threads.current;
        q.dirty.push(current);
        while let Some(i) = q.dirty.pop() {
            woke_any |= self.register(&mut q, i);
        }
        for lock in std::mem::take(&mut q.released) {
            if !self.heap.contains(lock) {
                // Collected since: its waiters, if any, were stale.
                q.lock_waiters.remove(&lock);
                continue;
            }
            if self.lock_owner(lock).is_some() {
                continue;
            }
            let Some(mut waiters) = q.lock_waiters.remove(&lock) else {
                continue;
            };
            while let Some(entry) = waiters.pop_front() {
                if q.entry_valid(entry) {
                    self.wake(&mut q, entry.0, false);
                    woke_any = true;
                    if !wake_all {
                        break;
                    }
                }
            }
            if !waiters.is_empty() {
                q.lock_waiters.insert(lock, waiters);
            }
        }
        let now = self.now_ns();
        q.next_deadline = u64::MAX;
        while let Some(&Reverse((at, i, serial))) = q.deadlines.peek() {
            if !q.entry_valid((i, serial)) {
                q.deadlines.pop();
                continue;
            }
            if at > now {
                q.next_deadline = at;
                break;
            }
            q.deadlines.pop();
            self.wake(&mut q, i, true);
            woke_any = true;
        }
        q.synced_changes = self.threads.changes;
        state_mut(self).queues = q;
        if woke_any && let Some(os) = &state(self).os {
            // (Under --sched os a thread woken here waits on its own OS thread.)
            os.signals.notify_change();
        }
    }

    /// Registers thread `i` as its state now is, if that changed; true if it was woken.
    fn register(&mut self, q: &mut Queues, i: usize) -> bool {
        let Some(thread) = self.threads.threads.get(i) else {
            return false;
        };
        let now = (thread.state, thread.pinned);
        if i >= q.known.len() {
            q.known.resize(i + 1, None);
            q.serial.resize(i + 1, 0);
        }
        if q.known[i] == Some(now) {
            return false;
        }
        q.known[i] = Some(now);
        q.serial[i] = q.serial[i].wrapping_add(1);
        let entry = (i, q.serial[i]);
        q.runnable.remove(i);
        let deadline = match now.0 {
            ThreadState::Runnable => {
                if !now.1 {
                    q.runnable.insert(i);
                }
                None
            }
            ThreadState::WaitLock(lock, deadline) => {
                if self.lock_owner(lock).is_none() {
                    self.wake(q, i, false);
                    return true;
                }
                q.lock_waiters.entry(lock).or_default().push_back(entry);
                deadline
            }
            ThreadState::WaitJoin(ident, deadline) => {
                let target = self.thread_index(ident);
                let over =
                    target.is_none_or(|t| self.threads.threads[t].state == ThreadState::Finished);
                if over {
                    self.wake(q, i, false);
                    return true;
                }
                let target = target.expect("checked above");
                q.joiners.entry(target).or_default().push(entry);
                deadline
            }
            ThreadState::Sleeping(at) => Some(at),
            ThreadState::Finished => {
                for joiner in q.joiners.remove(&i).unwrap_or_default() {
                    if q.entry_valid(joiner) {
                        self.wake(q, joiner.0, false);
                    }
                }
                None
            }
            ThreadState::Outside => None,
        };
        if let Some(at) = deadline {
            q.deadlines.push(Reverse((at, i, q.serial[i])));
        }
        false
    }

    /// Thread `i`'s wait is over (by time: `timed_out`, and the re-run call gives up).
    fn wake(&mut self, q: &mut Queues, i: usize, timed_out: bool) {
        let thread = &mut self.threads.threads[i];
        thread.state = ThreadState::Runnable;
        thread.woke = timed_out;
        let pinned = thread.pinned;
        q.known[i] = Some((ThreadState::Runnable, pinned));
        q.serial[i] = q.serial[i].wrapping_add(1);
        if !pinned {
            q.runnable.insert(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RunSet;

    #[test]
    fn nth_walks_the_members_in_order() {
        let mut set = RunSet::default();
        let members = [3, 0, 17, 5, 64, 16, 1000];
        for &m in &members {
            set.insert(m);
        }
        set.insert(5);
        set.remove(17);
        set.remove(4);
        let mut expected: Vec<usize> = members.iter().copied().filter(|&m| m != 17).collect();
        expected.sort();
        assert_eq!(set.len(), expected.len());
        for (k, &m) in expected.iter().enumerate() {
            assert_eq!(set.nth(k), m);
        }
        assert_eq!(set.iter().collect::<Vec<_>>(), expected);
    }
}
