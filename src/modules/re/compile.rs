//! From the parsed pattern to a program for the backtracking matcher (matcher.rs), as
//! sre_compile does it: scoped flags decide each node's case folding, `.`, anchors and
//! categories; single-character repeats become one `Star` instruction; other repeats a
//! counted loop; look-behinds must have a fixed width. The program's instructions are
//! documented where the matcher runs them.

use super::ast::{
    ASCII, At, Category, DOTALL, Fail, IGNORECASE, LOCALE, MAXREPEAT, MULTILINE, Node, Parsed,
    SetItem, UNICODE, width,
};
use super::chars;

/// How a node compares characters: exactly, or ignoring case (ASCII or Unicode rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fold {
    None,
    Ascii,
    Unicode,
}

/// A zero-width assertion, resolved against the flags in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtCode {
    Beginning,
    BeginningLine,
    BeginningString,
    End,
    EndLine,
    EndString,
    Boundary { unicode: bool },
    NonBoundary { unicode: bool },
}

/// A character set with the flags it was compiled under.
#[derive(Clone, Debug)]
pub struct CharSet {
    pub negate: bool,
    pub items: Vec<SetItem>,
    pub fold: Fold,
    /// Categories (`\d`, `\w`, `\s`) use Unicode rules.
    pub unicode: bool,
}

/// A test of one character.
#[derive(Clone, Copy, Debug)]
pub enum One {
    Char(u32),
    NotChar(u32),
    /// Matches when the character lowers (per `Fold`) to this lowercase value.
    Folded(u32, Fold),
    NotFolded(u32, Fold),
    Set(usize),
    Any,
    AnyAll,
}

#[derive(Clone, Copy, Debug)]
pub enum Inst {
    One(One),
    /// A repeat of one character test.
    Star {
        one: One,
        min: usize,
        max: usize,
        greedy: bool,
    },
    At(AtCode),
    /// Records the position in a capture slot (group * 2 for the start, + 1 for the end).
    Save(usize),
    /// Tries `first`, then `second` on backtracking.
    Split(usize, usize),
    Jmp(usize),
    /// Starts counted repeat `id`.
    RepeatInit(usize),
    /// The head of counted repeat `id`: another iteration at `body` or out to `exit`.
    RepeatCheck {
        id: usize,
        min: usize,
        max: usize,
        greedy: bool,
        body: usize,
        exit: usize,
        more: usize,
    },
    /// A lazy repeat's next iteration, taken on backtracking.
    RepeatMore {
        id: usize,
        max: usize,
        body: usize,
    },
    Backref {
        group: usize,
        fold: Fold,
    },
    /// `(?(group)...)`: on to the next instruction if the group matched, else to `no`.
    IfGroup {
        group: usize,
        no: usize,
    },
    /// A look-around whose body starts at the next instruction and ends with `Succeed`;
    /// matching goes on at `next`. `behind` is the look-behind's fixed width.
    Assert {
        behind: Option<usize>,
        negate: bool,
        next: usize,
    },
    Match,
    Succeed,
}

pub struct Program {
    pub insts: Vec<Inst>,
    pub sets: Vec<CharSet>,
    /// Counted repeats, each with a counter while matching.
    pub repeats: usize,
    pub groups: usize,
    pub flags: u32,
    pub names: Vec<(String, usize)>,
    /// Every match starts at the search's start (the pattern begins with `\A` or `^`).
    pub anchored: bool,
    /// Every match starts with this character.
    pub first: Option<char>,
}

struct Compiler<'a> {
    insts: Vec<Inst>,
    sets: Vec<CharSet>,
    repeats: usize,
    widths: &'a [Option<(u64, u64)>],
    /// A conditional on a group that does not exist.
    invalid: bool,
}

const UNSET: usize = usize::MAX;

pub fn compile(parsed: &Parsed) -> Result<Program, Fail> {
    let widths: Vec<Option<(u64, u64)>> = parsed.widths.iter().map(|w| Some(*w)).collect();
    let mut c = Compiler {
        insts: Vec::new(),
        sets: Vec::new(),
        repeats: 0,
        widths: &widths,
        invalid: false,
    };
    c.seq(&parsed.nodes, parsed.flags, parsed.groups)?;
    if c.invalid {
        return Err(Fail::Runtime("invalid SRE code".into()));
    }
    c.insts.push(Inst::Match);
    let (anchored, first) = start_of(&c.insts);
    Ok(Program {
        insts: c.insts,
        sets: c.sets,
        repeats: c.repeats,
        groups: parsed.groups,
        flags: parsed.flags,
        names: parsed.names.clone(),
        anchored,
        first,
    })
}

/// What every match must begin with, to skip hopeless start positions.
fn start_of(insts: &[Inst]) -> (bool, Option<char>) {
    for inst in insts {
        match inst {
            Inst::Save(_) => continue,
            Inst::At(AtCode::Beginning | AtCode::BeginningString) => return (true, None),
            Inst::One(One::Char(c)) => return (false, char::from_u32(*c)),
            Inst::Star {
                one: One::Char(c),
                min,
                ..
            } if *min > 0 => return (false, char::from_u32(*c)),
            _ => break,
        }
    }
    (false, None)
}

/// sre_compile._combine_flags: a scoped type flag replaces the others.
fn combine(flags: u32, add: u32, del: u32) -> u32 {
    let type_flags = ASCII | LOCALE | UNICODE;
    let flags = if add & type_flags != 0 {
        flags & !type_flags
    } else {
        flags
    };
    (flags | add) & !del
}

fn fold_of(flags: u32) -> Fold {
    if flags & IGNORECASE == 0 {
        Fold::None
    } else if flags & UNICODE != 0 && flags & ASCII == 0 {
        Fold::Unicode
    } else {
        Fold::Ascii
    }
}

fn unicode_of(flags: u32) -> bool {
    flags & UNICODE != 0 && flags & ASCII == 0
}

fn usize_of(n: u64) -> usize {
    if n >= MAXREPEAT {
        usize::MAX
    } else {
        usize::try_from(n).unwrap_or(usize::MAX)
    }
}

impl Compiler<'_> {
    fn emit(&mut self, inst: Inst) -> usize {
        self.insts.push(inst);
        self.insts.len() - 1
    }

    fn pc(&self) -> usize {
        self.insts.len()
    }

    /// The character test for a single-character node, if it is one.
    fn one(&mut self, node: &Node, flags: u32) -> Option<One> {
        let fold = fold_of(flags);
        let unicode = unicode_of(flags);
        Some(match node {
            Node::Literal(c) | Node::NotLiteral(c) => {
                let not = matches!(node, Node::NotLiteral(_));
                if fold == Fold::None || !chars::is_cased(*c, fold == Fold::Unicode) {
                    if not { One::NotChar(*c) } else { One::Char(*c) }
                } else {
                    let lo = if fold == Fold::Unicode {
                        chars::lower(*c)
                    } else {
                        chars::ascii_lower(*c)
                    };
                    if not {
                        One::NotFolded(lo, fold)
                    } else {
                        One::Folded(lo, fold)
                    }
                }
            }
            Node::Any if flags & DOTALL != 0 => One::AnyAll,
            Node::Any => One::Any,
            Node::In { negate, items } => {
                self.sets.push(CharSet {
                    negate: *negate,
                    items: items.clone(),
                    fold,
                    unicode,
                });
                One::Set(self.sets.len() - 1)
            }
            _ => return None,
        })
    }

    fn seq(&mut self, nodes: &[Node], flags: u32, groups: usize) -> Result<(), Fail> {
        for node in nodes {
            self.node(node, flags, groups)?;
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, flags: u32, groups: usize) -> Result<(), Fail> {
        if let Some(one) = self.one(node, flags) {
            self.emit(Inst::One(one));
            return Ok(());
        }
        match node {
            Node::At(at) => {
                let multiline = flags & MULTILINE != 0;
                let unicode = unicode_of(flags);
                let code = match at {
                    At::Beginning if multiline => AtCode::BeginningLine,
                    At::Beginning => AtCode::Beginning,
                    At::End if multiline => AtCode::EndLine,
                    At::End => AtCode::End,
                    At::BeginningString => AtCode::BeginningString,
                    At::EndString => AtCode::EndString,
                    At::Boundary => AtCode::Boundary { unicode },
                    At::NonBoundary => AtCode::NonBoundary { unicode },
                };
                self.emit(Inst::At(code));
            }
            Node::Repeat {
                min,
                max,
                greedy,
                item,
            } => self.repeat(usize_of(*min), usize_of(*max), *greedy, item, flags, groups)?,
            Node::Group {
                group,
                add,
                del,
                body,
            } => {
                if let Some(g) = group {
                    self.emit(Inst::Save(g * 2));
                }
                self.seq(body, combine(flags, *add, *del), groups)?;
                if let Some(g) = group {
                    self.emit(Inst::Save(g * 2 + 1));
                }
            }
            Node::Assert {
                behind,
                negate,
                body,
            } => {
                let behind = if *behind {
                    let (lo, hi) = width(body, self.widths);
                    if lo != hi {
                        return Err(Fail::error("look-behind requires fixed-width pattern"));
                    }
                    Some(usize_of(lo))
                } else {
                    None
                };
                let at = self.emit(Inst::Assert {
                    behind,
                    negate: *negate,
                    next: UNSET,
                });
                self.seq(body, flags, groups)?;
                self.emit(Inst::Succeed);
                let end = self.pc();
                if let Inst::Assert { next, .. } = &mut self.insts[at] {
                    *next = end;
                }
            }
            Node::Branch(alts) => {
                let mut jumps = Vec::new();
                for (i, alt) in alts.iter().enumerate() {
                    if i + 1 == alts.len() {
                        self.seq(alt, flags, groups)?;
                        break;
                    }
                    let split = self.emit(Inst::Split(UNSET, UNSET));
                    let first = self.pc();
                    self.seq(alt, flags, groups)?;
                    jumps.push(self.emit(Inst::Jmp(UNSET)));
                    let second = self.pc();
                    self.insts[split] = Inst::Split(first, second);
                }
                let end = self.pc();
                for j in jumps {
                    self.insts[j] = Inst::Jmp(end);
                }
            }
            Node::GroupRef(g) => {
                self.emit(Inst::Backref {
                    group: *g,
                    fold: fold_of(flags),
                });
            }
            Node::GroupRefExists { group, yes, no } => {
                // sre's code validator refuses this after compiling the rest.
                self.invalid |= *group > groups;
                let test = self.emit(Inst::IfGroup {
                    group: *group,
                    no: UNSET,
                });
                self.seq(yes, flags, groups)?;
                let no_pc = match no {
                    Some(no) => {
                        let jump = self.emit(Inst::Jmp(UNSET));
                        let start = self.pc();
                        self.seq(no, flags, groups)?;
                        let end = self.pc();
                        self.insts[jump] = Inst::Jmp(end);
                        start
                    }
                    None => self.pc(),
                };
                self.insts[test] = Inst::IfGroup {
                    group: *group,
                    no: no_pc,
                };
            }
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => {
                unreachable!("single-character nodes are compiled by `one`")
            }
        }
        Ok(())
    }

    fn repeat(
        &mut self,
        min: usize,
        max: usize,
        greedy: bool,
        item: &[Node],
        flags: u32,
        groups: usize,
    ) -> Result<(), Fail> {
        // sre's REPEAT_ONE: one character test, repeated (scoped flags included).
        if let Some((node, inner)) = single(item, flags)
            && let Some(one) = self.one(node, inner)
        {
            self.emit(Inst::Star {
                one,
                min,
                max,
                greedy,
            });
            return Ok(());
        }
        let id = self.repeats;
        self.repeats += 1;
        self.emit(Inst::RepeatInit(id));
        let check = self.emit(Inst::Jmp(UNSET));
        let body = self.pc();
        self.seq(item, flags, groups)?;
        self.emit(Inst::Jmp(check));
        let more = self.emit(Inst::RepeatMore { id, max, body });
        let exit = self.pc();
        self.insts[check] = Inst::RepeatCheck {
            id,
            min,
            max,
            greedy,
            body,
            exit,
            more,
        };
        Ok(())
    }
}

/// The one character node a repeat's item is, looking through flag-only groups.
fn single(item: &[Node], flags: u32) -> Option<(&Node, u32)> {
    match item {
        [
            Node::Group {
                group: None,
                add,
                del,
                body,
            },
        ] => single(body, combine(flags, *add, *del)),
        [n @ (Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. })] => {
            Some((n, flags))
        }
        _ => None,
    }
}

/// Whether `c` (a character of the subject) is in the set.
pub fn set_contains(set: &CharSet, c: char) -> bool {
    let ch = c as u32;
    let found = match set.fold {
        Fold::None => set.items.iter().any(|i| item_has(i, ch, c, set.unicode)),
        Fold::Ascii | Fold::Unicode => {
            let unicode = set.fold == Fold::Unicode;
            let lc = if unicode {
                chars::lower(ch)
            } else {
                chars::ascii_lower(ch)
            };
            let uc = if unicode {
                chars::upper(lc)
            } else {
                chars::ascii_upper(lc)
            };
            let lc_char = char::from_u32(lc).unwrap_or(c);
            set.items.iter().any(|item| match *item {
                SetItem::Literal(l) => {
                    let l = if unicode {
                        chars::lower(l)
                    } else {
                        chars::ascii_lower(l)
                    };
                    if unicode {
                        chars::fold_eq(lc, l)
                    } else {
                        lc == l
                    }
                }
                SetItem::Range(a, b) => {
                    (a..=b).contains(&lc)
                        || (a..=b).contains(&uc)
                        || (unicode
                            && chars::equivalents(lc).iter().any(|&e| {
                                (a..=b).contains(&e) || (a..=b).contains(&chars::upper(e))
                            }))
                }
                SetItem::Category(cat) => category_has(cat, lc_char, set.unicode),
            })
        }
    };
    found != set.negate
}

fn item_has(item: &SetItem, ch: u32, c: char, unicode: bool) -> bool {
    match *item {
        SetItem::Literal(l) => l == ch,
        SetItem::Range(a, b) => (a..=b).contains(&ch),
        SetItem::Category(cat) => category_has(cat, c, unicode),
    }
}

pub fn category_has(cat: Category, c: char, unicode: bool) -> bool {
    match cat {
        Category::Digit => chars::is_digit(c, unicode),
        Category::NotDigit => !chars::is_digit(c, unicode),
        Category::Space => chars::is_space(c, unicode),
        Category::NotSpace => !chars::is_space(c, unicode),
        Category::Word => chars::is_word(c, unicode),
        Category::NotWord => !chars::is_word(c, unicode),
    }
}
