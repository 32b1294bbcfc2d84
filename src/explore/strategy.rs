//! The strategies that decide who runs at each decision: following a prefix of choices
//! then keeping to the running thread (systematic search and replays), uniformly at
//! random, and PCT (probabilistic concurrency testing: random thread priorities with
//! `depth - 1` random points where the running thread's priority drops). Each may be
//! bounded in preemptions (CHESS): past the bound, the running thread keeps running.

use super::access::Access;

/// One place where more than one thread could run.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// The threads that could run (table indices), the running one among them if it could
    /// go on.
    pub options: Vec<usize>,
    /// The thread holding the GIL, if it could keep it.
    pub running: Option<usize>,
    pub chosen: usize,
    /// For strategies that ask: what each option's next step touches (as `options`).
    pub accesses: Vec<Option<Access>>,
    /// Set by the systematic search: the threads asleep here (whose step was explored
    /// already from an equivalent state), with their next access.
    pub sleep: Vec<(usize, Option<Access>)>,
    /// A choice among an event loop's ready callbacks (options are their places in line,
    /// 0 the first), not among threads.
    pub callbacks: bool,
}

/// What decides at each decision: the explorer's strategies and replays.
pub trait Strategy {
    /// Decision number `index` (counting only decisions with a choice): which of
    /// `decision.options` runs; `None` gives the run up.
    fn pick(&mut self, index: usize, decision: &mut Decision) -> Option<usize>;

    /// Whether `pick` wants `decision.accesses` filled in.
    fn wants_accesses(&self) -> bool {
        false
    }
}

/// A small seeded generator (xorshift64*), so strategies repeat for a seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5851_f42d_4c95_7f2d | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The choice that keeps to the running thread (or, when it cannot go on, the first).
pub fn default_choice(running: Option<usize>, options: &[usize]) -> usize {
    running
        .filter(|r| options.contains(r))
        .unwrap_or(options[0])
}

/// Counts preemptions (switching away from a thread that could go on) against a bound.
struct Preemptions {
    bound: Option<usize>,
    used: usize,
}

impl Preemptions {
    /// `pick` if the bound allows it, else the running thread.
    fn limit(&mut self, running: Option<usize>, options: &[usize], pick: usize) -> usize {
        match running.filter(|r| options.contains(r)) {
            Some(r) if r != pick => {
                if self.bound.is_some_and(|b| self.used >= b) {
                    return r;
                }
                self.used += 1;
                pick
            }
            _ => pick,
        }
    }
}

/// Follows `choices` (decision index, thread), keeping to the running thread elsewhere:
/// the systematic search's runs and replays.
pub struct Follow {
    pub choices: Vec<(usize, usize)>,
    next: usize,
}

impl Follow {
    pub fn new(choices: Vec<(usize, usize)>) -> Follow {
        Follow { choices, next: 0 }
    }
}

impl Strategy for Follow {
    fn pick(&mut self, index: usize, d: &mut Decision) -> Option<usize> {
        if let Some(&(at, thread)) = self.choices.get(self.next)
            && at == index
        {
            self.next += 1;
            if d.options.contains(&thread) {
                return Some(thread);
            }
        }
        Some(default_choice(d.running, &d.options))
    }
}

pub struct Random {
    rng: Rng,
    preemptions: Preemptions,
}

impl Random {
    pub fn new(seed: u64, bound: Option<usize>) -> Random {
        Random {
            rng: Rng::new(seed),
            preemptions: Preemptions { bound, used: 0 },
        }
    }
}

impl Strategy for Random {
    fn pick(&mut self, _: usize, d: &mut Decision) -> Option<usize> {
        let pick = d.options[self.rng.below(d.options.len())];
        Some(self.preemptions.limit(d.running, &d.options, pick))
    }
}

/// PCT: every thread gets a random priority when first seen; the highest-priority thread
/// that can run runs; at `depth - 1` decisions drawn at random from the expected length,
/// the running thread's priority drops below every other.
pub struct Pct {
    rng: Rng,
    priorities: Vec<u64>,
    change_points: Vec<usize>,
    lowered: u64,
    preemptions: Preemptions,
}

impl Pct {
    pub fn new(seed: u64, depth: usize, expected_decisions: usize, bound: Option<usize>) -> Pct {
        let mut rng = Rng::new(seed);
        let span = expected_decisions.max(1);
        let change_points = (1..depth.max(1)).map(|_| rng.below(span)).collect();
        Pct {
            rng,
            priorities: Vec::new(),
            change_points,
            lowered: 0,
            preemptions: Preemptions { bound, used: 0 },
        }
    }

    fn priority(&mut self, thread: usize) -> u64 {
        while self.priorities.len() <= thread {
            // Above every lowered priority, distinct with overwhelming probability.
            let p = (self.rng.next() >> 1) | (1 << 62);
            self.priorities.push(p);
        }
        self.priorities[thread]
    }
}

impl Strategy for Pct {
    fn pick(&mut self, index: usize, d: &mut Decision) -> Option<usize> {
        let (running, options) = (d.running, &d.options);
        if let Some(r) = running
            && self.change_points.contains(&index)
        {
            self.priority(r);
            self.lowered += 1;
            self.priorities[r] = self.lowered;
        }
        let mut best = options[0];
        for &t in options {
            if self.priority(t) > self.priority(best) {
                best = t;
            }
        }
        Some(self.preemptions.limit(running, options, best))
    }
}
