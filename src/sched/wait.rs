//! When a blocked thread's wait is over (a lock freed, a thread finished, a deadline
//! passed), waking waiters when something changed, `time.sleep`, and the report of a
//! deadlock: who holds and who waits for what.

use super::state;
use crate::vm::object::Object;
use crate::vm::threads::ThreadState;
use crate::vm::{ObjRef, PyResult, Value, Vm};

impl Vm {
    /// Makes runnable every thread whose wait is over (`queues.rs`).
    #[inline]
    pub fn wake_ready(&mut self) {
        if let Some(os) = &state(self).os
            && os.has_posted()
        {
            os.clone().run_posted(self);
        }
        // Checked at every spent check interval: most of the time nothing has changed.
        let q = &state(self).queues;
        if self.threads.changes != q.synced_changes || self.now_ns() >= q.next_deadline {
            self.sync_and_wake();
        }
    }

    /// A lock was released or a thread ended: waiting threads must look again (under
    /// `--sched os`, they are woken).
    pub fn notify_change(&mut self) {
        self.threads.changes += 1;
        if let Some(os) = &state(self).os {
            os.signals.notify_change();
        }
    }

    pub fn lock_owner(&self, lock: ObjRef) -> Option<u64> {
        match self.heap.get(lock) {
            Object::Lock { owner, .. } => *owner,
            _ => None,
        }
    }

    /// Prints which thread waits for what, and marks the run deadlocked (exit status 3).
    pub fn report_deadlock(&mut self) {
        let mut lines = vec!["minipy: deadlock: no thread can run again".to_string()];
        for (index, t) in self.threads.threads.iter().enumerate() {
            let what = match t.state {
                ThreadState::WaitLock(lock, _) => {
                    let holder = self
                        .lock_owner(lock)
                        .and_then(|o| self.threads.threads.iter().find(|h| h.ident == o))
                        .map_or("nobody".to_string(), |h| h.name.clone());
                    format!("waits for {} held by {holder}", self.lock_name(lock))
                }
                ThreadState::WaitJoin(id, _) => {
                    let other = self
                        .threads
                        .threads
                        .iter()
                        .find(|h| h.ident == id)
                        .map_or("?".into(), |h| h.name.clone());
                    format!("waits for {other} to finish")
                }
                _ => continue,
            };
            let held: Vec<String> = self
                .heap_locks_held_by(t.ident)
                .into_iter()
                .map(|l| self.lock_name(l))
                .collect();
            let holds = if held.is_empty() {
                String::new()
            } else {
                format!(", holds {}", held.join(", "))
            };
            lines.push(format!("  {} {what}{holds}", t.name));
            lines.extend(self.where_it_waits(index));
        }
        self.flush();
        crate::reportln!("{}", lines.join("\n"));
        self.threads.deadlocked = true;
    }

    /// Locks are named by creation order (`lock #1`), stable across unrelated changes.
    fn lock_name(&self, lock: ObjRef) -> String {
        match self.heap.get(lock) {
            Object::Lock { serial, .. } => format!("lock #{serial}"),
            _ => format!("lock at {}", self.address(lock)),
        }
    }

    /// The locks `ident` holds, in creation order. Only deadlock reports ask, so a walk
    /// over the heap is cheaper than keeping a registry on every lock's creation.
    fn heap_locks_held_by(&self, ident: u64) -> Vec<ObjRef> {
        let mut held: Vec<(u32, ObjRef)> = self
            .heap
            .objects()
            .filter_map(|(r, obj)| match obj {
                Object::Lock { owner, serial, .. } if *owner == Some(ident) => Some((*serial, r)),
                _ => None,
            })
            .collect();
        held.sort_unstable();
        held.into_iter().map(|(_, r)| r).collect()
    }

    /// `time.sleep`: the thread waits (virtual time under `det`, real time under `os`) while
    /// other threads run.
    pub fn sleep(&mut self, seconds: f64) -> PyResult<Value> {
        if std::mem::take(&mut self.threads.just_woke) {
            return Ok(Value::None);
        }
        let ns = (seconds * 1e9) as u64;
        // A sleep inside a callback from native code also lets other threads run
        // (`wait_in_callback`).
        if self.threads.threads.len() > 1 {
            let until = self.now_ns() + ns;
            return Err(self.block_on(ThreadState::Sleeping(until)));
        }
        self.pass_time(ns);
        Ok(Value::None)
    }
}
