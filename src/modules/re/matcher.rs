//! The backtracking matcher: runs a compiled program (compile.rs) over a subject's
//! characters with sre's semantics (leftmost-first alternation, greedy and lazy repeats,
//! sre's guard against repeating an empty iteration, captures that keep their last
//! iteration, atomic look-arounds, backreferences). Choice points and the undo records of
//! captures and counters live on one explicit stack, so long subjects never deepen the
//! Rust stack; only nested look-arounds recurse, as deep as the pattern nests them.
//! Also the search loop with CPython 3.7's rule for empty matches (`must_advance`).

use super::chars;
use super::compile::{AtCode, Fold, Inst, One, Program, set_contains};

const UNSET: usize = usize::MAX;

/// A character of a subject: a `char` of a str, or a byte (of bytes, read as latin-1, or
/// of a str whose characters are all ASCII, matched in place without a copy).
pub trait Unit: Copy {
    fn ch(self) -> char;
}

impl Unit for char {
    fn ch(self) -> char {
        self
    }
}

impl Unit for u8 {
    fn ch(self) -> char {
        char::from(self)
    }
}

/// How a match is tried.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// At the start position only (`match`).
    Match,
    /// At the start position only, and to the end (`fullmatch`).
    Full,
    /// At the first start position that matches (`search`).
    Search,
}

/// A successful match: each group's span (`None` when it did not take part) and the index
/// of the group closed last (`lastindex`).
#[derive(Clone, Debug)]
pub struct Captures {
    pub spans: Vec<Option<(usize, usize)>>,
    pub lastindex: Option<usize>,
}

enum Bt {
    Alt {
        pc: usize,
        sp: usize,
    },
    Slot {
        slot: usize,
        old: usize,
    },
    LastIndex(usize),
    Counter {
        id: usize,
        count: usize,
        last: usize,
    },
    /// A greedy `Star` that may give back characters: `n` taken from `base`.
    Star {
        pc: usize,
        base: usize,
        n: usize,
        min: usize,
    },
    /// A lazy `Star` that may take one more character.
    LazyStar {
        pc: usize,
        base: usize,
        n: usize,
    },
}

struct Matcher<'a, C: Unit> {
    prog: &'a Program,
    text: &'a [C],
    end: usize,
    slots: Vec<usize>,
    lastindex: usize,
    counters: Vec<(usize, usize)>,
    bt: Vec<Bt>,
    /// The start of the current attempt (for `must_advance`).
    start: usize,
    match_all: bool,
    must_advance: bool,
}

/// Tries `prog` over `text[..end]` from `pos`; `must_advance` refuses an empty match at
/// `pos` (the rule finditer, sub and split use after an empty match).
pub fn search<C: Unit>(
    prog: &Program,
    text: &[C],
    pos: usize,
    end: usize,
    mode: Mode,
    must_advance: bool,
) -> Option<Captures> {
    if pos > end {
        return None;
    }
    let mut m = Matcher {
        prog,
        text,
        end,
        slots: vec![UNSET; (prog.groups + 1) * 2],
        lastindex: UNSET,
        counters: vec![(0, UNSET); prog.repeats],
        bt: Vec::new(),
        start: pos,
        match_all: mode == Mode::Full,
        must_advance,
    };
    let mut at = pos;
    loop {
        let skip = prog.first.is_some_and(|c| at >= end || text[at].ch() != c);
        if !skip {
            m.start = at;
            if let Some(stop) = m.run(0, at, true) {
                let mut spans = Vec::with_capacity(prog.groups + 1);
                spans.push(Some((at, stop)));
                for g in 1..=prog.groups {
                    let (s, e) = (m.slots[g * 2], m.slots[g * 2 + 1]);
                    spans.push((s != UNSET && e != UNSET).then_some((s, e)));
                }
                let lastindex = (m.lastindex != UNSET).then_some(m.lastindex);
                return Some(Captures { spans, lastindex });
            }
        }
        m.must_advance = false;
        if mode != Mode::Search || prog.anchored || at >= end {
            return None;
        }
        at += 1;
        m.slots.fill(UNSET);
        m.lastindex = UNSET;
    }
}

impl<C: Unit> Matcher<'_, C> {
    fn one(&self, one: One, sp: usize) -> bool {
        if sp >= self.end {
            return false;
        }
        let c = self.text[sp].ch();
        let ch = c as u32;
        match one {
            One::Char(x) => ch == x,
            One::NotChar(x) => ch != x,
            One::Folded(lo, fold) => folded_eq(ch, lo, fold),
            One::NotFolded(lo, fold) => !folded_eq(ch, lo, fold),
            One::Set(i) => set_contains(&self.prog.sets[i], c),
            One::Any => c != '\n',
            One::AnyAll => true,
        }
    }

    fn is_word(&self, i: usize, unicode: bool) -> bool {
        chars::is_word(self.text[i].ch(), unicode)
    }

    fn at(&self, code: AtCode, sp: usize) -> bool {
        let text = self.text;
        match code {
            AtCode::Beginning | AtCode::BeginningString => sp == 0,
            AtCode::BeginningLine => sp == 0 || text[sp - 1].ch() == '\n',
            AtCode::End => sp == self.end || (sp + 1 == self.end && text[sp].ch() == '\n'),
            AtCode::EndLine => sp == self.end || text[sp].ch() == '\n',
            AtCode::EndString => sp == self.end,
            AtCode::Boundary { unicode } | AtCode::NonBoundary { unicode } => {
                if self.end == 0 {
                    return false;
                }
                let before = sp > 0 && self.is_word(sp - 1, unicode);
                let here = sp < self.end && self.is_word(sp, unicode);
                (before != here) == matches!(code, AtCode::Boundary { .. })
            }
        }
    }

    fn set_slot(&mut self, base: usize, slot: usize, value: usize) {
        if self.bt.len() > base {
            self.bt.push(Bt::Slot {
                slot,
                old: self.slots[slot],
            });
        }
        self.slots[slot] = value;
    }

    fn set_lastindex(&mut self, base: usize, value: usize) {
        if self.bt.len() > base {
            self.bt.push(Bt::LastIndex(self.lastindex));
        }
        self.lastindex = value;
    }

    fn set_counter(&mut self, base: usize, id: usize, count: usize, last: usize) {
        if self.bt.len() > base {
            let (c, l) = self.counters[id];
            self.bt.push(Bt::Counter {
                id,
                count: c,
                last: l,
            });
        }
        self.counters[id] = (count, last);
    }

    /// Runs from `pc` at `sp` until `Match` (top level) or `Succeed` (a look-around's
    /// body); the end position, or `None` when every choice has failed. Choice points
    /// this run pushed are gone when it returns.
    fn run(&mut self, mut pc: usize, mut sp: usize, top: bool) -> Option<usize> {
        let base = self.bt.len();
        let insts = &self.prog.insts;
        loop {
            let ok = match insts[pc] {
                Inst::One(one) => {
                    let ok = self.one(one, sp);
                    sp += 1;
                    pc += 1;
                    ok
                }
                Inst::Star {
                    one,
                    min,
                    max,
                    greedy,
                } => {
                    let limit = max.min(self.end - sp);
                    if greedy {
                        let mut n = 0;
                        while n < limit && self.one(one, sp + n) {
                            n += 1;
                        }
                        if n < min {
                            false
                        } else {
                            if n > min {
                                self.bt.push(Bt::Star {
                                    pc: pc + 1,
                                    base: sp,
                                    n,
                                    min,
                                });
                            }
                            sp += n;
                            pc += 1;
                            true
                        }
                    } else {
                        let mut n = 0;
                        while n < min && n < limit && self.one(one, sp + n) {
                            n += 1;
                        }
                        if n < min {
                            false
                        } else {
                            if n < limit {
                                self.bt.push(Bt::LazyStar { pc, base: sp, n });
                            }
                            sp += n;
                            pc += 1;
                            true
                        }
                    }
                }
                Inst::At(code) => {
                    pc += 1;
                    self.at(code, sp)
                }
                Inst::Save(slot) => {
                    self.set_slot(base, slot, sp);
                    if slot % 2 == 1 {
                        self.set_lastindex(base, slot / 2);
                    }
                    pc += 1;
                    true
                }
                Inst::Split(first, second) => {
                    self.bt.push(Bt::Alt { pc: second, sp });
                    pc = first;
                    true
                }
                Inst::Jmp(to) => {
                    pc = to;
                    true
                }
                Inst::RepeatInit(id) => {
                    self.set_counter(base, id, 0, UNSET);
                    pc += 1;
                    true
                }
                Inst::RepeatCheck {
                    id,
                    min,
                    max,
                    greedy,
                    body,
                    exit,
                    more,
                } => {
                    let (count, last) = self.counters[id];
                    if count < min {
                        self.set_counter(base, id, count + 1, last);
                        pc = body;
                    } else if greedy {
                        if count < max && sp != last {
                            self.bt.push(Bt::Alt { pc: exit, sp });
                            self.set_counter(base, id, count + 1, sp);
                            pc = body;
                        } else {
                            pc = exit;
                        }
                    } else {
                        self.bt.push(Bt::Alt { pc: more, sp });
                        pc = exit;
                    }
                    true
                }
                Inst::RepeatMore { id, max, body } => {
                    let (count, last) = self.counters[id];
                    if count >= max || sp == last {
                        false
                    } else {
                        self.set_counter(base, id, count + 1, sp);
                        pc = body;
                        true
                    }
                }
                Inst::Backref { group, fold } => {
                    pc += 1;
                    match self.backref(group, fold, sp) {
                        Some(next) => {
                            sp = next;
                            true
                        }
                        None => false,
                    }
                }
                Inst::IfGroup { group, no } => {
                    let set = self.slots[group * 2] != UNSET && self.slots[group * 2 + 1] != UNSET;
                    pc = if set { pc + 1 } else { no };
                    true
                }
                Inst::Assert {
                    behind,
                    negate,
                    next,
                } => {
                    let from = match behind {
                        Some(w) => sp.checked_sub(w),
                        None => Some(sp),
                    };
                    let ok = self.assert(base, pc + 1, from, negate);
                    pc = next;
                    ok
                }
                Inst::Match => {
                    if (self.match_all && sp != self.end) || (self.must_advance && sp == self.start)
                    {
                        false
                    } else {
                        self.bt.truncate(base);
                        return Some(sp);
                    }
                }
                Inst::Succeed => {
                    debug_assert!(!top, "Succeed ends a look-around body");
                    self.bt.truncate(base);
                    return Some(sp);
                }
            };
            if !ok {
                match self.backtrack(base) {
                    Some((p, s)) => {
                        pc = p;
                        sp = s;
                    }
                    None => return None,
                }
            }
        }
    }

    /// Pops the stack down to the newest choice point above `base`, undoing what was
    /// recorded on the way; where to resume, or `None` if none is left.
    fn backtrack(&mut self, base: usize) -> Option<(usize, usize)> {
        while self.bt.len() > base {
            match self.bt.pop().expect("above base") {
                Bt::Alt { pc, sp } => return Some((pc, sp)),
                Bt::Slot { slot, old } => self.slots[slot] = old,
                Bt::LastIndex(old) => self.lastindex = old,
                Bt::Counter { id, count, last } => self.counters[id] = (count, last),
                Bt::Star {
                    pc,
                    base: at,
                    n,
                    min,
                } => {
                    let mut n = n - 1;
                    // As sre does: when a literal follows, only stop where it matches.
                    if let Some(Inst::One(One::Char(c))) = self.prog.insts.get(pc) {
                        while n > min && (at + n >= self.end || self.text[at + n].ch() as u32 != *c)
                        {
                            n -= 1;
                        }
                    }
                    if n > min {
                        self.bt.push(Bt::Star {
                            pc,
                            base: at,
                            n,
                            min,
                        });
                    }
                    return Some((pc, at + n));
                }
                Bt::LazyStar { pc, base: at, n } => {
                    let Inst::Star { one, max, .. } = self.prog.insts[pc] else {
                        unreachable!("LazyStar points at a Star")
                    };
                    if n < max && self.one(one, at + n) {
                        if n + 1 < max.min(self.end - at) {
                            self.bt.push(Bt::LazyStar {
                                pc,
                                base: at,
                                n: n + 1,
                            });
                        }
                        return Some((pc + 1, at + n + 1));
                    }
                }
            }
        }
        None
    }

    fn backref(&self, group: usize, fold: Fold, sp: usize) -> Option<usize> {
        let (s, e) = (self.slots[group * 2], self.slots[group * 2 + 1]);
        if s == UNSET || e == UNSET || e < s {
            return None;
        }
        let len = e - s;
        if sp + len > self.end {
            return None;
        }
        let same = (0..len).all(|i| {
            let (a, b) = (self.text[s + i].ch() as u32, self.text[sp + i].ch() as u32);
            match fold {
                Fold::None => a == b,
                Fold::Ascii => chars::ascii_lower(a) == chars::ascii_lower(b),
                Fold::Unicode => chars::lower(a) == chars::lower(b),
            }
        });
        same.then_some(sp + len)
    }

    /// Runs a look-around's body from `from` (`None`: a look-behind reaching before the
    /// start). Its captures stay when it succeeds, recorded so that backtracking in the
    /// enclosing run undoes them; a failed or negative body leaves none.
    fn assert(&mut self, base: usize, body: usize, from: Option<usize>, negate: bool) -> bool {
        let Some(from) = from else {
            return negate;
        };
        let saved_slots = self.slots.clone();
        let saved_last = self.lastindex;
        let (saved_start, saved_all, saved_adv) = (self.start, self.match_all, self.must_advance);
        self.match_all = false;
        self.must_advance = false;
        let matched = self.run(body, from, false).is_some();
        self.start = saved_start;
        self.match_all = saved_all;
        self.must_advance = saved_adv;
        if matched && !negate {
            if self.bt.len() > base {
                for (slot, old) in saved_slots.iter().enumerate() {
                    if self.slots[slot] != *old {
                        self.bt.push(Bt::Slot { slot, old: *old });
                    }
                }
                if self.lastindex != saved_last {
                    self.bt.push(Bt::LastIndex(saved_last));
                }
            }
            return true;
        }
        self.slots = saved_slots;
        self.lastindex = saved_last;
        negate && !matched
    }
}

fn folded_eq(ch: u32, lo: u32, fold: Fold) -> bool {
    match fold {
        Fold::None => ch == lo,
        Fold::Ascii => chars::ascii_lower(ch) == lo,
        Fold::Unicode => chars::fold_eq(chars::lower(ch), lo),
    }
}
