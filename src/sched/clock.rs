//! The clock: virtual under the deterministic scheduler (it advances with executed
//! instructions and with sleeps, so runs repeat byte for byte), real under the OS one.

use super::{state, state_mut};
use crate::vm::Vm;

/// Virtual nanoseconds one counted instruction takes.
pub const NS_PER_INSTRUCTION: u64 = 10;

impl Vm {
    #[inline]
    pub fn now_ns(&self) -> u64 {
        let s = state(self);
        match &s.os {
            Some(os) => os.signals.now_ns(),
            None => s.clock_ns + self.ticks * NS_PER_INSTRUCTION,
        }
    }

    /// Lets `ns` nanoseconds pass for a thread that waits with nobody to switch to.
    pub fn pass_time(&mut self, ns: u64) {
        self.let_time_pass(ns, false);
    }

    /// Time passes while no thread can run: as `pass_time`, but under os it ends early
    /// when work is posted from outside the VM (another process's wake-up).
    pub fn idle(&mut self, ns: u64) {
        self.let_time_pass(ns, true);
    }

    fn let_time_pass(&mut self, ns: u64, until_posted: bool) {
        if self.observer.is_some() {
            self.observe(|o, vm| o.idle(vm, ns));
        }
        let s = state_mut(self);
        match &s.os {
            Some(os) if until_posted => os.idle_for(ns),
            Some(_) => std::thread::sleep(std::time::Duration::from_nanos(ns)),
            None => s.clock_ns += ns,
        }
    }

    /// Whether time is real (`--sched os`).
    pub fn real_time(&self) -> bool {
        state(self).os.is_some()
    }
}
