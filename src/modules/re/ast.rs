//! The parsed form of a pattern: the flag constants, the nodes sre_parse produces, the
//! ways a pattern fails to compile, parser warnings, and a sequence's width (for
//! look-behinds, which must have a fixed one).

use super::chars;

pub const TEMPLATE: u32 = 1;
pub const IGNORECASE: u32 = 2;
pub const LOCALE: u32 = 4;
pub const MULTILINE: u32 = 8;
pub const DOTALL: u32 = 16;
pub const UNICODE: u32 = 32;
pub const VERBOSE: u32 = 64;
pub const DEBUG: u32 = 128;
pub const ASCII: u32 = 256;

/// sre's MAXREPEAT: a repeat bound of this value means "no upper bound".
pub const MAXREPEAT: u64 = 4_294_967_295;
pub const MAXGROUPS: u64 = 2_147_483_647;

/// How a pattern fails to compile: `re.error` (with sre_parse's position) or one of the
/// other exceptions sre raises.
#[derive(Debug, Clone, PartialEq)]
pub enum Fail {
    Error { msg: String, pos: Option<usize> },
    Overflow(String),
    Value(String),
    Runtime(String),
    Recursion,
}

impl Fail {
    pub fn error(msg: impl Into<String>) -> Fail {
        Fail::Error {
            msg: msg.into(),
            pos: None,
        }
    }
}

/// What `\d`, `\s`, `\w` and their negations stand for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Digit,
    NotDigit,
    Space,
    NotSpace,
    Word,
    NotWord,
}

/// The zero-width assertions: `^`, `$`, `\A`, `\Z`, `\b`, `\B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    Beginning,
    End,
    BeginningString,
    EndString,
    Boundary,
    NonBoundary,
}

/// One member of a character set; code points stay `u32` (a `\ud800` escape is legal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetItem {
    Literal(u32),
    Range(u32, u32),
    Category(Category),
}

/// A node of the parsed pattern (sre_parse's opcodes).
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Literal(u32),
    NotLiteral(u32),
    Any,
    In {
        negate: bool,
        items: Vec<SetItem>,
    },
    At(At),
    Repeat {
        min: u64,
        max: u64,
        greedy: bool,
        item: Vec<Node>,
    },
    /// A group: capturing when `group` is set; `add`/`del` are scoped inline flags.
    Group {
        group: Option<usize>,
        add: u32,
        del: u32,
        body: Vec<Node>,
    },
    Assert {
        behind: bool,
        negate: bool,
        body: Vec<Node>,
    },
    Branch(Vec<Vec<Node>>),
    GroupRef(usize),
    GroupRefExists {
        group: usize,
        yes: Vec<Node>,
        no: Option<Vec<Node>>,
    },
}

/// A parsed pattern: its nodes, flags (inline ones included), group count and names, and
/// each group's width (for look-behind checks).
pub struct Parsed {
    pub nodes: Vec<Node>,
    pub flags: u32,
    pub groups: usize,
    pub names: Vec<(String, usize)>,
    pub widths: Vec<(u64, u64)>,
}

/// A warning sre_parse issues while parsing: its category and message.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    pub category: &'static str,
    pub message: String,
}

/// `repr()` of a group name, for messages.
pub fn quote(s: &str) -> String {
    chars::py_repr(s)
}

/// The (min, max) width of a sequence (SubPattern.getwidth), capped as sre caps it.
pub fn width(nodes: &[Node], groups: &[Option<(u64, u64)>]) -> (u64, u64) {
    let (mut lo, mut hi) = (0u64, 0u64);
    for node in nodes {
        let (i, j) = match node {
            Node::Branch(alts) => {
                let mut i = MAXREPEAT - 1;
                let mut j = 0;
                for a in alts {
                    let (l, h) = width(a, groups);
                    i = i.min(l);
                    j = j.max(h);
                }
                (i, j)
            }
            Node::Group { body, .. } => width(body, groups),
            Node::Repeat { min, max, item, .. } => {
                let (i, j) = width(item, groups);
                (i.saturating_mul(*min), j.saturating_mul(*max))
            }
            Node::Literal(_) | Node::NotLiteral(_) | Node::Any | Node::In { .. } => (1, 1),
            Node::GroupRef(g) => groups.get(*g).copied().flatten().unwrap_or((0, 0)),
            Node::GroupRefExists { yes, no, .. } => {
                let (i, j) = width(yes, groups);
                match no {
                    Some(no) => {
                        let (l, h) = width(no, groups);
                        (i.min(l), j.max(h))
                    }
                    None => (0, j),
                }
            }
            Node::At(_) | Node::Assert { .. } => (0, 0),
        };
        lo = lo.saturating_add(i);
        hi = hi.saturating_add(j);
    }
    (lo.min(MAXREPEAT - 1), hi.min(MAXREPEAT))
}
