//! `_asyncio`: the loop's timer heap in Rust, and the explorer's say in which ready callback
//! runs next (`explored`, `pick_ready`: asked of the scheduler's chooser, if any), and what
//! a recording tool hears of tasks' steps (`task_step`: run --timeline).
//! The timer heap: Timers are TimerHandle objects ordered by
//! their `_when` (TimerHandle.__lt__ compares nothing else), kept with heapq's algorithm,
//! so timers due at the same time leave in the order CPython's heap gives them; comparing
//! the floats here saves the Python `__lt__` call each step of a sift would make.

use crate::modules::{R, arg};
use crate::vm::object::{Args, NativeFn, Object};
use crate::vm::threads::TaskStep;
use crate::vm::{ObjRef, PyResult, Value, Vm};

/// The functions of this file (accelerate.rs and handles.rs add Future's, Task's and the
/// handles' methods; mod.rs makes the module of all).
pub const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("timer_push", timer_push),
    ("timer_pop", timer_pop),
    ("timer_heapify", timer_heapify),
    ("explored", explored),
    ("pick_ready", pick_ready),
    ("task_step", task_step),
];

/// A timer's due time: its `_when` attribute. `at` remembers where the timers' class keeps
/// it, for the other timers of one heap operation.
fn when(vm: &Vm, timer: Value, at: &mut Option<(ObjRef, usize)>) -> f64 {
    match vm.attr_of_instance_cached(timer, "_when", at) {
        Some(Value::Float(f)) => f,
        Some(Value::Int(i)) => i as f64,
        _ => f64::NAN,
    }
}

/// The list a heap lives in.
fn heap_list(vm: &mut Vm, heap: Value) -> PyResult<ObjRef> {
    match heap.as_obj() {
        Some(r) if matches!(vm.heap.get(r), Object::List(_)) => Ok(r),
        _ => Err(vm.type_error("heap argument must be a list")),
    }
}

fn items(vm: &Vm, r: ObjRef) -> &Vec<Value> {
    match vm.heap.get(r) {
        Object::List(l) => l,
        _ => unreachable!("checked to be a list"),
    }
}

fn items_mut(vm: &mut Vm, r: ObjRef) -> &mut Vec<Value> {
    match vm.heap.get_mut(r) {
        Object::List(l) => l,
        _ => unreachable!("checked to be a list"),
    }
}

/// heapq's _siftdown: the item at `pos` moves up past parents due later.
fn sift_down(vm: &mut Vm, r: ObjRef, start: usize, mut pos: usize) {
    let item = items(vm, r)[pos];
    let mut at = None;
    let key = when(vm, item, &mut at);
    while pos > start {
        let parent = (pos - 1) >> 1;
        let p = items(vm, r)[parent];
        if key < when(vm, p, &mut at) {
            items_mut(vm, r)[pos] = p;
            pos = parent;
            continue;
        }
        break;
    }
    items_mut(vm, r)[pos] = item;
}

/// heapq's _siftup: the earlier child rises until a leaf, then the item sifts down.
fn sift_up(vm: &mut Vm, r: ObjRef, mut pos: usize) {
    let end = items(vm, r).len();
    let start = pos;
    let item = items(vm, r)[pos];
    let mut child = 2 * pos + 1;
    let mut at = None;
    while child < end {
        let right = child + 1;
        if right < end {
            let (c, rt) = (items(vm, r)[child], items(vm, r)[right]);
            // `not heap[child] < heap[right]`, as heapq.
            let (wc, wr) = (when(vm, c, &mut at), when(vm, rt, &mut at));
            if wc.partial_cmp(&wr) != Some(std::cmp::Ordering::Less) {
                child = right;
            }
        }
        let c = items(vm, r)[child];
        items_mut(vm, r)[pos] = c;
        pos = child;
        child = 2 * pos + 1;
    }
    items_mut(vm, r)[pos] = item;
    sift_down(vm, r, start, pos);
}

fn timer_push(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    push_timer(vm, arg(&args, 0), arg(&args, 1))?;
    Ok(Value::None)
}

/// Adds a timer to a heap (a list), keeping heapq's order.
pub fn push_timer(vm: &mut Vm, heap: Value, timer: Value) -> PyResult<()> {
    let r = heap_list(vm, heap)?;
    let list = items_mut(vm, r);
    list.push(timer);
    let last = list.len() - 1;
    sift_down(vm, r, 0, last);
    Ok(())
}

fn timer_pop(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let r = heap_list(vm, arg(&args, 0))?;
    let list = items_mut(vm, r);
    let Some(last) = list.pop() else {
        return Err(vm.new_exception("IndexError", "index out of range"));
    };
    if list.is_empty() {
        return Ok(last);
    }
    let top = std::mem::replace(&mut list[0], last);
    sift_up(vm, r, 0);
    Ok(top)
}

fn timer_heapify(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let r = heap_list(vm, arg(&args, 0))?;
    for i in (0..items(vm, r).len() / 2).rev() {
        sift_up(vm, r, i);
    }
    Ok(Value::None)
}

/// explored(): whether something other than FIFO decides which ready callback runs next.
fn explored(vm: &mut Vm, _: Option<Value>, _: Args) -> R {
    Ok(Value::Bool(crate::sched::chooses_callbacks(vm)))
}

/// pick_ready(n): which of the first `n` ready callbacks runs next (0: the first). The
/// explorer may park the thread here first (for its checkpoint): the call then runs again
/// when the thread is resumed.
fn pick_ready(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    let count = vm.as_index(arg(&args, 0)).unwrap_or(1).max(1) as usize;
    match crate::sched::choose_callback(vm, count) {
        Some(crate::sched::Choice::Park) => {
            Err(vm.block_on(crate::vm::threads::ThreadState::Runnable))
        }
        Some(crate::sched::Choice::Thread(k)) => Ok(Value::Int(k.min(count - 1) as i64)),
        None => Ok(Value::Int(0)),
    }
}

/// task_step(task, begins): a task's step begins or ends. Only a recording tool hears of
/// it: the task (by identity), its coroutine's name (not qualified: it labels a row), the line the coroutine is suspended
/// at (0 when it has finished) and whether the task is done.
fn task_step(vm: &mut Vm, _: Option<Value>, args: Args) -> R {
    tell_task_step(
        vm,
        arg(&args, 0),
        matches!(arg(&args, 1), Value::Bool(true)),
    );
    Ok(Value::None)
}

/// What task_step tells a recording tool (nothing when none listens).
pub fn tell_task_step(vm: &mut Vm, task: Value, begins: bool) {
    if vm.observer.is_none() {
        return;
    }
    let Value::Obj(task_ref) = task else {
        return;
    };
    let coro = vm.attr_of_instance(task, "_coro").and_then(Value::as_obj);
    let (name, line) = match coro.map(|c| vm.heap.get(c)) {
        Some(Object::Generator(g)) => (
            g.name.to_string(),
            g.frame.as_ref().map_or(0, |f| f.lineno()),
        ),
        _ => (String::from("?"), 0),
    };
    let done = vm
        .attr_of_instance(task, "_state")
        .is_some_and(|s| vm.str_of(s) != Some("PENDING"));
    vm.observe(|observer, vm| {
        let step = TaskStep {
            task: task_ref,
            name: &name,
            line,
            begins,
            done,
        };
        observer.task_step(vm, &step)
    });
}
