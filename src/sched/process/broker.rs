//! Real processes (`--sched os`): fork(2) and spawn, and the kernel served to them.

use super::{Reply, Request, Start};
use crate::vm::{PyResult, Vm};
use std::sync::Arc;

/// A process's connection to the kernel.
pub struct Client {}

impl Client {
    pub fn request(&self, vm: &mut Vm, _request: Request) -> PyResult<Reply> {
        Err(vm.new_exception("NotImplementedError", "multiprocessing under --sched os"))
    }

    pub fn reserve(&self, vm: &mut Vm, _fork: bool) -> PyResult<u64> {
        Err(vm.new_exception("NotImplementedError", "multiprocessing under --sched os"))
    }

    pub fn start(&self, vm: &mut Vm, _key: u64, _how: Start) -> PyResult<i64> {
        Err(vm.new_exception("NotImplementedError", "multiprocessing under --sched os"))
    }

    pub fn kill(&self, vm: &mut Vm, _pid: i64, _sig: i64) -> PyResult<()> {
        Err(vm.new_exception("NotImplementedError", "multiprocessing under --sched os"))
    }
}

pub fn connect_first(vm: &mut Vm) -> PyResult<Arc<Client>> {
    Err(vm.new_exception("NotImplementedError", "multiprocessing under --sched os"))
}

pub fn parent_pid() -> i64 {
    0
}
