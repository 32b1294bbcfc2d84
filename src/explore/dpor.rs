//! Systematic search with dynamic partial-order reduction (Flanagan and Godefroid's DPOR)
//! and sleep sets (Godefroid). Runs are followed depth-first: each run takes the choices
//! of a path of decisions, then keeps to the running thread. After a run, every pair of
//! steps by different threads that touch the same place (one writing) and that nothing
//! orders (no chain of such pairs and of each thread's own order, vector clocks) marks the
//! decision before the earlier step: there, the later step's thread is to be tried too.
//! Steps that touch nothing shared never mark anything, so their interleavings are not
//! multiplied. A thread whose step was explored from a decision sleeps, in the runs that
//! try its siblings, until a step dependent on its own runs: running it earlier would only
//! repeat an explored order. A run where every thread that could run sleeps is given up.
//! When no decision on the path has a thread left to try, the search is exhausted: every
//! outcome reachable by reordering dependent steps has been seen.

use super::access::{Access, Location};
use super::run::{Decision, Log, Strategy};
use std::collections::{BTreeSet, HashMap};

/// Whether two steps' accesses must keep their order: the same place, one writing.
pub fn dependent(a: &Option<Access>, b: &Option<Access>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.location == b.location && (a.write || b.write),
        _ => false,
    }
}

/// A decision on the current path: what was taken, what is still to be tried.
struct Node {
    /// A choice among an event loop's ready callbacks (options: their places in line).
    callbacks: bool,
    options: Vec<usize>,
    /// What each option's next step touches.
    accesses: Vec<Option<Access>>,
    /// The threads asleep on arriving here.
    sleep: Vec<(usize, Option<Access>)>,
    running: Option<usize>,
    chosen: usize,
    done: BTreeSet<usize>,
    backtrack: BTreeSet<usize>,
    /// Preemptions on the path up to and including this decision's choice.
    preemptions: usize,
}

pub struct Dpor {
    path: Vec<Node>,
    bound: Option<usize>,
    /// A backtrack point was left out because of the preemption bound.
    pub bounded: bool,
    /// A reordering of ready callbacks was left out because of the default bound on them.
    pub callbacks_bounded: bool,
}

/// Without `--preemptions`, how many times a run may take a ready callback out of FIFO
/// order: every order of every round is more runs than anyone waits for, and a lost
/// update needs only one task overtaken.
pub const DEFAULT_CALLBACK_REORDERS: usize = 2;

/// What taking `pick` at a decision costs against the bound: a thread preempted, or a
/// ready callback taken out of FIFO order.
fn cost_of(callbacks: bool, running: Option<usize>, options: &[usize], pick: usize) -> usize {
    if callbacks {
        usize::from(pick != 0)
    } else {
        usize::from(preempts(running, options, pick))
    }
}

fn preempts(running: Option<usize>, options: &[usize], pick: usize) -> bool {
    running.is_some_and(|r| options.contains(&r) && r != pick)
}

impl Dpor {
    pub fn new(bound: Option<usize>) -> Dpor {
        Dpor {
            path: Vec::new(),
            bound,
            bounded: false,
            callbacks_bounded: false,
        }
    }

    /// The strategy of the next run: the path's choices, then its own (with sleep sets).
    pub fn next_strategy(&self) -> Systematic {
        let start_sleep = match self.path.last() {
            // (A choice among callbacks has no threads to put to sleep.)
            Some(n) if n.callbacks => n.sleep.clone(),
            Some(n) => {
                let mut sleep = n.sleep.clone();
                for &t in n.done.iter().filter(|&&t| t != n.chosen) {
                    sleep.push((t, n.access_of(t)));
                }
                sleep
            }
            None => Vec::new(),
        };
        Systematic {
            prefix: self.path.iter().map(|n| n.chosen).collect(),
            start_sleep,
            sleep: Vec::new(),
            bound: self.bound,
            preemptions: self.path.last().map_or(0, |n| n.preemptions),
        }
    }

    /// Takes in a finished run (which followed `next_choices`); false when the search is
    /// exhausted.
    pub fn record(&mut self, log: &Log) -> bool {
        self.extend_path(&log.decisions);
        self.add_backtracks(log);
        self.advance()
    }

    fn extend_path(&mut self, decisions: &[Decision]) {
        for d in decisions.iter().skip(self.path.len()) {
            let before = self.path.last().map_or(0, |n| n.preemptions);
            let preemptions = before + cost_of(d.callbacks, d.running, &d.options, d.chosen);
            // Which ready callback runs next touches nothing the race analysis sees: every
            // order is tried, within the bound.
            let mut backtrack = BTreeSet::new();
            if d.callbacks {
                let bound = self.bound.unwrap_or(DEFAULT_CALLBACK_REORDERS);
                for &o in d.options.iter().filter(|&&o| o != d.chosen) {
                    if before + cost_of(true, None, &d.options, o) <= bound {
                        backtrack.insert(o);
                    } else if self.bound.is_none() {
                        self.callbacks_bounded = true;
                    } else {
                        self.bounded = true;
                    }
                }
            }
            self.path.push(Node {
                callbacks: d.callbacks,
                options: d.options.clone(),
                accesses: d.accesses.clone(),
                sleep: d.sleep.clone(),
                running: d.running,
                chosen: d.chosen,
                done: BTreeSet::from([d.chosen]),
                backtrack,
                preemptions,
            });
        }
    }

    /// Marks, for each race between two steps, the decision before the earlier one.
    fn add_backtracks(&mut self, log: &Log) {
        let threads = log.steps.iter().map(|s| s.thread).max().unwrap_or(0) + 1;
        let threads = threads.max(log.created.iter().map(|c| c.0 + 1).max().unwrap_or(0));
        let mut clock: Vec<Vec<u32>> = vec![vec![0; threads]; threads];
        let mut step_clock: Vec<Vec<u32>> = Vec::with_capacity(log.steps.len());
        // Per place (step indices): the last write, the last write that was not a lock's
        // release (one that may race), and the reads since the last write.
        #[derive(Default)]
        struct Place {
            last_write: Option<usize>,
            last_racing_write: Option<usize>,
            reads: Vec<usize>,
        }
        let mut places: HashMap<&Location, Place> = HashMap::new();
        let mut creations = log.created.iter().peekable();
        for (k, step) in log.steps.iter().enumerate() {
            while let Some(&&(thread, creator, at)) = creations.peek() {
                if at > k {
                    break;
                }
                if thread < threads && creator < threads && thread != creator {
                    clock[thread] = clock[creator].clone();
                }
                creations.next();
            }
            let p = step.thread;
            let mut vc = clock[p].clone();
            vc[p] += 1;
            if let Some(access) = &step.access {
                let place = places.entry(&access.location).or_default();
                let mut racing: Vec<usize> = place.last_racing_write.iter().copied().collect();
                if access.write {
                    racing.extend(place.reads.iter().copied());
                }
                // The latest step that races with k (as Flanagan and Godefroid's rule): the
                // earlier ones are reached through it. Pairs that could not run in the
                // other order never race: a lock's release and what follows it (the lock
                // was held), a thread's end and its join (the join waits for it).
                let latest = racing
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let q = log.steps[i].thread;
                        // i happens before k when k's thread already knows i's step.
                        q != p && step_clock[i][q] > clock[p][q]
                    })
                    .max()
                    .filter(|_| !access.release && !matches!(access.location, Location::Thread(_)));
                if let Some(i) = latest {
                    self.race(log, i, k);
                }
                let ordering = place.last_write.iter().chain(&racing);
                for &i in ordering {
                    for (t, c) in step_clock[i].iter().enumerate() {
                        vc[t] = vc[t].max(*c);
                    }
                }
                if access.write {
                    place.last_write = Some(k);
                    if !access.release {
                        place.last_racing_write = Some(k);
                    }
                    place.reads.clear();
                } else {
                    place.reads.push(k);
                }
            }
            clock[p] = vc.clone();
            step_clock.push(vc);
        }
    }

    /// Steps `i` and `k` race: at the decision before `i`, `k`'s thread (or, if it could
    /// not run there, every thread that could) is to be tried.
    fn race(&mut self, log: &Log, i: usize, k: usize) {
        let Some(d) = log.steps[i].decision else {
            return;
        };
        let Some(node) = self.path.get(d) else {
            return;
        };
        let p = log.steps[k].thread;
        let candidates: Vec<usize> = if node.options.contains(&p) {
            vec![p]
        } else {
            node.options.clone()
        };
        let before = if d == 0 {
            0
        } else {
            self.path[d - 1].preemptions
        };
        let bound = self.bound;
        let node = &mut self.path[d];
        for q in candidates {
            if node.done.contains(&q) {
                continue;
            }
            let cost = before + usize::from(preempts(node.running, &node.options, q));
            if bound.is_some_and(|b| cost > b) {
                self.bounded = true;
                continue;
            }
            node.backtrack.insert(q);
        }
    }

    /// Moves to the deepest decision with a thread left to try; false when none is left.
    fn advance(&mut self) -> bool {
        while let Some(node) = self.path.last_mut() {
            let next = node.backtrack.iter().copied().find(|q| {
                !node.done.contains(q) && (node.callbacks || !node.sleep.iter().any(|s| s.0 == *q))
            });
            if let Some(q) = next {
                node.done.insert(q);
                node.backtrack.remove(&q);
                node.chosen = q;
                let d = self.path.len() - 1;
                let before = if d == 0 {
                    0
                } else {
                    self.path[d - 1].preemptions
                };
                let node = &mut self.path[d];
                node.preemptions =
                    before + cost_of(node.callbacks, node.running, &node.options, node.chosen);
                return true;
            }
            self.path.pop();
        }
        false
    }
}

impl Node {
    fn access_of(&self, t: usize) -> Option<Access> {
        let i = self.options.iter().position(|&o| o == t)?;
        self.accesses.get(i).cloned().flatten()
    }
}

/// A run of the search: the path's choices, then the running thread while it is awake
/// (else the first thread awake), carrying the sleep set along.
pub struct Systematic {
    prefix: Vec<usize>,
    /// The sleep set at the path's last decision: what slept on arriving there, and the
    /// siblings explored from it.
    start_sleep: Vec<(usize, Option<Access>)>,
    sleep: Vec<(usize, Option<Access>)>,
    bound: Option<usize>,
    preemptions: usize,
}

impl Systematic {
    /// After `pick` runs its step, the sleepers that step does not touch sleep on.
    fn step(&mut self, pick: usize, d: &Decision) {
        let i = d.options.iter().position(|&o| o == pick);
        let access = i.and_then(|i| d.accesses.get(i).cloned().flatten());
        self.sleep
            .retain(|(t, a)| *t != pick && !dependent(a, &access));
    }
}

impl Strategy for Systematic {
    fn pick(&mut self, index: usize, d: &mut Decision) -> Option<usize> {
        if index + 1 < self.prefix.len() {
            return Some(self.prefix[index]);
        }
        if d.callbacks {
            // The loop's thread goes on whichever callback runs: the sleepers stay asleep.
            if index + 1 == self.prefix.len() {
                self.sleep = std::mem::take(&mut self.start_sleep);
            }
            d.sleep.clone_from(&self.sleep);
            return Some(self.prefix.get(index).copied().unwrap_or(0));
        }
        if index + 1 == self.prefix.len() {
            let pick = self.prefix[index];
            self.sleep = std::mem::take(&mut self.start_sleep);
            self.step(pick, d);
            return Some(pick);
        }
        d.sleep.clone_from(&self.sleep);
        let awake = |t: &usize| !self.sleep.iter().any(|s| s.0 == *t);
        let running = d.running.filter(|r| d.options.contains(r));
        let pick = match running {
            Some(r) if awake(&r) => r,
            Some(_) if self.bound.is_some_and(|b| self.preemptions >= b) => return None,
            _ => {
                let pick = d.options.iter().copied().find(awake)?;
                self.preemptions += usize::from(running.is_some());
                pick
            }
        };
        self.step(pick, d);
        Some(pick)
    }

    fn wants_accesses(&self) -> bool {
        true
    }
}
