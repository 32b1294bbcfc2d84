//! The timeline of a run: for every VM thread, slices of time running, waiting for the
//! GIL, blocked (on a lock, a join, a queue, an event...) or sleeping; every GIL handoff
//! with its reason; counters of handoffs and instructions. Recorded by an observer of
//! handoffs and lock releases only (no per-instruction work), so `run --timeline` costs
//! little; at most `limit` events are kept, and the cut is said.
//!
//! Tasks of an asyncio event loop get a track each, after the threads': a slice for each
//! step the task ran (from the loop's `_enter_task` to its `_leave_task`).
//!
//! When a thread stops waiting is read off the scheduler's state at the next handoff:
//! a sleep ends at its deadline, a join when the joined thread ended, a lock wait when the
//! lock was last released (the recorder hears of releases), anything else when seen.

use super::where_blocked;
use crate::vm::threads::{Observer, TaskStep, ThreadState};
use crate::vm::{ObjRef, Vm};
use std::collections::HashMap;

/// What a thread is doing in a slice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activity {
    Running,
    /// Runnable, waiting for the GIL.
    Waiting,
    /// Blocked: on what (`lock #2`, `join Thread-1`, `Queue.get (lock #3)`).
    Blocked(String),
    Sleeping,
}

impl Activity {
    /// The slice's name in every format.
    pub fn name(&self) -> &'static str {
        match self {
            Activity::Running => "running",
            Activity::Waiting => "waiting for the GIL",
            Activity::Blocked(_) => "blocked",
            Activity::Sleeping => "sleeping",
        }
    }

    /// A small number per kind (the page's data, the SVG's classes).
    pub fn code(&self) -> usize {
        match self {
            Activity::Running => 0,
            Activity::Waiting => 1,
            Activity::Blocked(_) => 2,
            Activity::Sleeping => 3,
        }
    }
}

/// A stretch of one thread's time.
#[derive(Clone, Debug)]
pub struct Slice {
    pub thread: usize,
    pub activity: Activity,
    pub start_ns: u64,
    pub end_ns: u64,
    /// Source line where it started (and, for a running slice, where it stopped); 0 when
    /// unknown (a thread with no frame of the program's own).
    pub line: u32,
    pub end_line: u32,
    /// Counted instructions run in it (running slices).
    pub instructions: u64,
}

/// The GIL passing from one thread to another.
#[derive(Clone, Debug)]
pub struct Handoff {
    pub at_ns: u64,
    pub from: usize,
    pub to: usize,
    pub reason: std::borrow::Cow<'static, str>,
}

/// A track: one VM thread.
#[derive(Clone, Debug)]
pub struct Track {
    pub name: String,
    pub start_ns: u64,
}

/// A recorded run.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// What ran: the program, the scheduler, the policy, the seed.
    pub title: String,
    /// "virtual" (det) or "real" (os).
    pub clock: &'static str,
    pub tracks: Vec<Track>,
    /// Of the tracks, the last this many are asyncio tasks' (the others are threads').
    pub task_tracks: usize,
    pub slices: Vec<Slice>,
    pub handoffs: Vec<Handoff>,
    /// (time, handoffs so far, counted instructions so far), at each handoff and the end.
    pub counters: Vec<(u64, u64, u64)>,
    pub end_ns: u64,
    /// Recording stopped here, at the event limit.
    pub cut_ns: Option<u64>,
    pub limit: usize,
}

impl Timeline {
    /// The events the JSON file holds (a counter sample is two: handoffs, instructions),
    /// the mark of a cut left out.
    pub fn events(&self) -> usize {
        self.slices.len() + self.handoffs.len() + 2 * self.counters.len()
    }
}

/// The slice a thread is in now.
#[derive(Clone, Debug)]
struct Open {
    activity: Activity,
    since: u64,
    line: u32,
    ticks: u64,
}

/// What a sleeping or blocked thread waits for, to tell when that ended.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Wait {
    Until(u64),
    Lock(ObjRef),
    Join(u64),
}

/// The observer that builds a `Timeline`.
pub struct Recorder {
    timeline: Timeline,
    open: Vec<Option<Open>>,
    waits: Vec<Option<Wait>>,
    /// Where each thread stopped when it last gave the GIL up.
    parked_line: Vec<u32>,
    /// When each lock was last released.
    released: HashMap<ObjRef, u64>,
    /// When each thread (by ident) ended.
    ended: HashMap<u64, u64>,
    tasks: TaskTracks,
}

/// The tracks of asyncio tasks, numbered as first seen; put after the threads' at the end.
#[derive(Default)]
struct TaskTracks {
    tracks: Vec<Track>,
    slices: Vec<Slice>,
    /// A task not done yet: its track (a done task's object may be reused for a new one).
    by_task: HashMap<ObjRef, usize>,
    /// The step each VM thread's loop is running: (track, since, line, ticks).
    running: HashMap<usize, (usize, u64, u32, u64)>,
}

impl Recorder {
    pub fn new(vm: &Vm, title: String, limit: usize) -> Recorder {
        let now = vm.now_ns();
        let mut recorder = Recorder {
            timeline: Timeline {
                title,
                clock: if vm.real_time() { "real" } else { "virtual" },
                limit: limit.max(2),
                ..Timeline::default()
            },
            open: Vec::new(),
            waits: Vec::new(),
            parked_line: Vec::new(),
            released: HashMap::new(),
            ended: HashMap::new(),
            tasks: TaskTracks::default(),
        };
        recorder.sync(vm, now, Some(vm.threads.current), None);
        recorder
    }

    fn full(&self) -> bool {
        self.timeline.cut_ns.is_some()
    }

    /// Whether there is room for the events of one more handoff; at the limit, stops the
    /// recording at `now`.
    fn room(&mut self, now: u64) -> bool {
        if self.full() {
            return false;
        }
        // A handoff closes up to two slices and adds itself and a counter sample (two
        // events); a cut then closes every open slice.
        let events = self.timeline.events() + self.tasks.slices.len();
        if events + 5 + self.open.len() + self.tasks.running.len() > self.timeline.limit {
            self.close_all(now);
            self.timeline.cut_ns = Some(now);
            return false;
        }
        true
    }

    fn close(&mut self, thread: usize, at: u64, end_line: u32, ticks: u64) {
        let Some(open) = self.open[thread].take() else {
            return;
        };
        self.timeline.slices.push(Slice {
            thread,
            activity: open.activity,
            start_ns: open.since,
            end_ns: at.max(open.since),
            line: open.line,
            end_line: if end_line == 0 { open.line } else { end_line },
            instructions: ticks.saturating_sub(open.ticks),
        });
    }

    fn open_slice(&mut self, thread: usize, activity: Activity, since: u64, line: u32, ticks: u64) {
        self.open[thread] = Some(Open {
            activity,
            since,
            line,
            ticks,
        });
    }

    fn close_all(&mut self, now: u64) {
        for t in 0..self.open.len() {
            self.close(t, now, 0, 0);
        }
        let running: Vec<usize> = self.tasks.running.keys().copied().collect();
        for thread in running {
            self.end_task_step(thread, now, 0, 0);
        }
    }

    fn end_task_step(&mut self, thread: usize, now: u64, end_line: u32, ticks: u64) {
        if let Some((track, since, line, start_ticks)) = self.tasks.running.remove(&thread) {
            self.tasks.slices.push(Slice {
                thread: track,
                activity: Activity::Running,
                start_ns: since,
                end_ns: now.max(since),
                line,
                end_line: if end_line == 0 { line } else { end_line },
                instructions: ticks.saturating_sub(start_ticks),
            });
        }
    }

    /// Brings every thread's slice up to date with the scheduler's state at `now`:
    /// `running` holds the GIL; `leaving` has just given it up.
    fn sync(&mut self, vm: &Vm, now: u64, running: Option<usize>, leaving: Option<usize>) {
        let threads = &vm.threads.threads;
        while self.open.len() < threads.len() {
            let index = self.open.len();
            self.open.push(None);
            self.waits.push(None);
            self.parked_line.push(top_line(vm, index));
            self.timeline.tracks.push(Track {
                name: threads[index].name.clone(),
                start_ns: now,
            });
        }
        for (t, thread) in threads.iter().enumerate() {
            // A thread can be renamed (Thread.name = ...).
            if self.timeline.tracks[t].name != thread.name {
                self.timeline.tracks[t].name = thread.name.clone();
            }
            // Still blocked on the same thing: nothing to do (and no words to find again).
            let same_wait = match thread.state {
                ThreadState::WaitLock(lock, _) => self.waits[t] == Some(Wait::Lock(lock)),
                ThreadState::WaitJoin(ident, _) => self.waits[t] == Some(Wait::Join(ident)),
                _ => false,
            };
            if same_wait
                && running != Some(t)
                && self.open[t]
                    .as_ref()
                    .is_some_and(|o| matches!(o.activity, Activity::Blocked(_)))
            {
                continue;
            }
            let (activity, wait) = match thread.state {
                // (Outside: the main thread at the interactive prompt runs nothing.)
                ThreadState::Finished | ThreadState::Outside => (None, None),
                _ if running == Some(t) => (Some(Activity::Running), None),
                ThreadState::Runnable => (Some(Activity::Waiting), None),
                ThreadState::Sleeping(at) => (Some(Activity::Sleeping), Some(Wait::Until(at))),
                ThreadState::WaitLock(lock, _) => (
                    Some(Activity::Blocked(where_blocked(vm, t))),
                    Some(Wait::Lock(lock)),
                ),
                ThreadState::WaitJoin(ident, _) => (
                    Some(Activity::Blocked(where_blocked(vm, t))),
                    Some(Wait::Join(ident)),
                ),
            };
            let unchanged = match (&self.open[t], &activity) {
                (Some(open), Some(a)) => open.activity == *a,
                (None, None) => true,
                _ => false,
            };
            let was_running = self.open[t]
                .as_ref()
                .is_some_and(|o| o.activity == Activity::Running);
            // A thread that gives the GIL up and takes it back starts a new slice.
            let left = leaving == Some(t) && (was_running || running == Some(t));
            if unchanged && !left {
                continue;
            }
            let end_line = if left || was_running {
                let line = top_line(vm, t);
                self.parked_line[t] = line;
                line
            } else {
                0
            };
            if thread.state == ThreadState::Finished && was_running {
                self.ended.insert(thread.ident, now);
            }
            self.close(t, now, end_line, vm.ticks);
            self.waits[t] = wait;
            if let Some(activity) = activity {
                let line = match activity {
                    Activity::Running => self.parked_line[t],
                    _ => self.parked_line[t].max(top_line(vm, t)),
                };
                self.open_slice(t, activity, now, line, vm.ticks);
            }
        }
    }

    /// Threads that were sleeping or blocked and are runnable now: their waits ended at the
    /// deadline, the lock's release or the joined thread's end, when that is known.
    fn note_woken(&mut self, vm: &Vm, now: u64) {
        for (t, thread) in vm.threads.threads.iter().enumerate() {
            let Some(open) = self.open.get(t).and_then(|o| o.as_ref()) else {
                continue;
            };
            if thread.state != ThreadState::Runnable {
                continue;
            }
            let woke = match (&open.activity, self.waits[t]) {
                (Activity::Sleeping, Some(Wait::Until(at))) => Some(at),
                (Activity::Blocked(_), Some(Wait::Lock(lock))) => self.released.get(&lock).copied(),
                (Activity::Blocked(_), Some(Wait::Join(ident))) => self.ended.get(&ident).copied(),
                _ => None,
            };
            if let Some(at) = woke.filter(|&at| at >= open.since && at <= now) {
                let line = open.line;
                self.close(t, at, line, vm.ticks);
                self.waits[t] = None;
                self.open_slice(t, Activity::Waiting, at, line, vm.ticks);
            }
        }
    }

    pub fn finish(mut self, vm: &Vm) -> Timeline {
        let now = vm.now_ns();
        if !self.full() {
            self.note_woken(vm, now);
            let current = vm.threads.current;
            self.sync(vm, now, Some(current), None);
            let (handoffs, ticks) = (self.timeline.handoffs.len() as u64, vm.ticks);
            self.timeline.counters.push((now, handoffs, ticks));
            for t in 0..self.open.len() {
                let line = if t == current { top_line(vm, t) } else { 0 };
                self.close(t, now, line, ticks);
            }
            let running: Vec<usize> = self.tasks.running.keys().copied().collect();
            for thread in running {
                self.end_task_step(thread, now, 0, ticks);
            }
        }
        let first_task_track = self.timeline.tracks.len();
        self.timeline.task_tracks = self.tasks.tracks.len();
        self.timeline.tracks.append(&mut self.tasks.tracks);
        for mut slice in self.tasks.slices.drain(..) {
            slice.thread += first_task_track;
            self.timeline.slices.push(slice);
        }
        self.timeline.end_ns = self.timeline.cut_ns.unwrap_or(now);
        self.timeline
            .slices
            .sort_by_key(|s| (s.thread, s.start_ns, s.end_ns));
        self.timeline
    }
}

/// The source line of thread `t`'s innermost frame of the program's own (0: none).
fn top_line(vm: &Vm, t: usize) -> u32 {
    let frames = if t == vm.threads.current && !vm.frames.is_empty() {
        &vm.frames
    } else {
        &vm.threads.threads[t].frames
    };
    frames
        .iter()
        .rev()
        .find(|f| !f.code().co_filename.starts_with("<minipy "))
        .map_or(0, |f| f.code().line_at(f.pc))
}

impl Observer for Recorder {
    fn handoff(&mut self, vm: &Vm, from: usize) {
        let now = vm.now_ns();
        if !self.room(now) {
            return;
        }
        let to = vm.threads.current;
        self.note_woken(vm, now);
        self.sync(vm, now, Some(to), Some(from));
        if from != to {
            self.timeline.handoffs.push(Handoff {
                at_ns: now,
                from,
                to,
                reason: super::handoff_reason(vm, from),
            });
            let (handoffs, ticks) = (self.timeline.handoffs.len() as u64, vm.ticks);
            self.timeline.counters.push((now, handoffs, ticks));
        }
    }

    fn idle(&mut self, vm: &Vm, ns: u64) {
        let now = vm.now_ns();
        if !self.room(now) {
            return;
        }
        self.note_woken(vm, now);
        let current = vm.threads.current;
        let sleeps_in_place = vm.threads.threads.get(current).is_some_and(|t| {
            t.state == ThreadState::Runnable
                && self.open[current]
                    .as_ref()
                    .is_some_and(|o| o.activity == Activity::Running)
        });
        if sleeps_in_place {
            // The only thread sleeps (or times out) holding nothing: it goes on after.
            let line = top_line(vm, current);
            self.close(current, now, line, vm.ticks);
            self.open_slice(current, Activity::Sleeping, now, line, vm.ticks);
            self.close(current, now + ns, line, vm.ticks);
            self.open_slice(current, Activity::Running, now + ns, line, vm.ticks);
        } else {
            self.sync(vm, now, None, Some(current));
        }
    }

    fn lock_released(&mut self, vm: &Vm, lock: ObjRef) {
        self.released.insert(lock, vm.now_ns());
    }

    fn task_step(&mut self, vm: &Vm, step: &TaskStep) {
        let now = vm.now_ns();
        if !self.room(now) {
            return;
        }
        let thread = vm.threads.current;
        if step.begins {
            let next = self.tasks.tracks.len();
            let track = *self.tasks.by_task.entry(step.task).or_insert(next);
            if track == next {
                self.tasks.tracks.push(Track {
                    name: format!("Task-{} {}()", next + 1, step.name),
                    start_ns: now,
                });
            }
            self.end_task_step(thread, now, 0, vm.ticks);
            self.tasks
                .running
                .insert(thread, (track, now, step.line, vm.ticks));
        } else {
            self.end_task_step(thread, now, step.line, vm.ticks);
            if step.done {
                self.tasks.by_task.remove(&step.task);
            }
        }
    }

    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}
