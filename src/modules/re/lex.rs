//! The lexical half of `re`'s pattern syntax, as CPython 3.7's sre_parse reads it: the
//! tokenizer (a character or a backslash escape), the parser's state (groups, names,
//! warnings), escapes inside and outside sets, character sets, and inline flags, each
//! error with sre_parse's message and position. parse.rs holds the grammar.

use super::ast::{
    ASCII, At, Category, DEBUG, DOTALL, Fail, IGNORECASE, LOCALE, MULTILINE, Node, SetItem,
    TEMPLATE, UNICODE, VERBOSE, Warning,
};

const TYPE_FLAGS: u32 = ASCII | LOCALE | UNICODE;
const GLOBAL_FLAGS: u32 = DEBUG | TEMPLATE;

/// A token: one character, or a backslash and the character after it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Tok {
    C(char),
    Esc(char),
}

impl Tok {
    pub(super) fn len(self) -> usize {
        match self {
            Tok::C(_) => 1,
            Tok::Esc(_) => 2,
        }
    }
    pub(super) fn text(self) -> String {
        match self {
            Tok::C(c) => c.to_string(),
            Tok::Esc(c) => format!("\\{c}"),
        }
    }
    pub(super) fn is(self, set: &str) -> bool {
        matches!(self, Tok::C(c) if set.contains(c))
    }
}

pub(super) struct Tokenizer<'a> {
    pub(super) s: &'a [char],
    pub(super) text: bool,
    index: usize,
    pub(super) next: Option<Tok>,
}

impl<'a> Tokenizer<'a> {
    pub(super) fn new(s: &'a [char], text: bool) -> Result<Self, Fail> {
        let mut t = Tokenizer {
            s,
            text,
            index: 0,
            next: None,
        };
        t.advance()?;
        Ok(t)
    }
    pub(super) fn advance(&mut self) -> Result<(), Fail> {
        let Some(&c) = self.s.get(self.index) else {
            self.next = None;
            return Ok(());
        };
        if c == '\\' {
            let Some(&d) = self.s.get(self.index + 1) else {
                return Err(Fail::Error {
                    msg: "bad escape (end of pattern)".into(),
                    pos: Some(self.s.len() - 1),
                });
            };
            self.index += 2;
            self.next = Some(Tok::Esc(d));
        } else {
            self.index += 1;
            self.next = Some(Tok::C(c));
        }
        Ok(())
    }
    pub(super) fn matches(&mut self, c: char) -> Result<bool, Fail> {
        if self.next == Some(Tok::C(c)) {
            self.advance()?;
            return Ok(true);
        }
        Ok(false)
    }
    pub(super) fn get(&mut self) -> Result<Option<Tok>, Fail> {
        let this = self.next;
        self.advance()?;
        Ok(this)
    }
    pub(super) fn next_char(&self) -> Option<char> {
        match self.next {
            Some(Tok::C(c)) => Some(c),
            _ => None,
        }
    }
    /// Up to `n` more plain characters from `set`.
    pub(super) fn get_while(&mut self, n: usize, set: fn(char) -> bool) -> Result<String, Fail> {
        let mut out = String::new();
        for _ in 0..n {
            match self.next_char() {
                Some(c) if set(c) => {
                    out.push(c);
                    self.advance()?;
                }
                _ => break,
            }
        }
        Ok(out)
    }
    /// A group name up to `terminator`.
    pub(super) fn get_until(&mut self, terminator: char) -> Result<String, Fail> {
        let mut out = String::new();
        loop {
            let c = self.next;
            self.advance()?;
            match c {
                None if out.is_empty() => return Err(self.error("missing group name", 0)),
                None => {
                    let n = out.chars().count();
                    let msg = format!("missing {terminator}, unterminated name");
                    return Err(self.error(&msg, n));
                }
                Some(Tok::C(t)) if t == terminator => {
                    if out.is_empty() {
                        return Err(self.error("missing group name", 1));
                    }
                    return Ok(out);
                }
                Some(t) => out.push_str(&t.text()),
            }
        }
    }
    pub(super) fn tell(&self) -> usize {
        self.index - self.next.map_or(0, Tok::len)
    }
    pub(super) fn seek(&mut self, index: usize) -> Result<(), Fail> {
        self.index = index;
        self.advance()
    }
    pub(super) fn error(&self, msg: &str, offset: usize) -> Fail {
        Fail::Error {
            msg: msg.to_string(),
            pos: Some(self.tell().saturating_sub(offset)),
        }
    }
}

/// The parser's running state: flags, groups opened so far and their names and widths.
pub(super) struct State {
    pub(super) flags: u32,
    pub(super) names: Vec<(String, usize)>,
    pub(super) widths: Vec<Option<(u64, u64)>>,
    pub(super) lookbehind_groups: Option<usize>,
    pub(super) depth_limit: usize,
    /// Set when an inline `(?x)` turns VERBOSE on: the pattern is read again.
    pub(super) restart_verbose: bool,
    pub(super) warnings: Vec<Warning>,
}

impl State {
    pub(super) fn warn(&mut self, category: &'static str, message: String) {
        let w = Warning { category, message };
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }
}

impl State {
    pub(super) fn groups(&self) -> usize {
        self.widths.len()
    }
    pub(super) fn group_named(&self, name: &str) -> Option<usize> {
        self.names.iter().find(|(n, _)| n == name).map(|(_, g)| *g)
    }
    pub(super) fn check_group(&self, gid: usize) -> bool {
        gid < self.groups() && self.widths[gid].is_some()
    }
    pub(super) fn check_lookbehind_group(&self, gid: usize, src: &Tokenizer) -> Result<(), Fail> {
        if let Some(lb) = self.lookbehind_groups {
            if !self.check_group(gid) {
                return Err(src.error("cannot refer to an open group", 0));
            }
            if gid >= lb {
                let msg = "cannot refer to group defined in the same lookbehind subpattern";
                return Err(src.error(msg, 0));
            }
        }
        Ok(())
    }
}

fn flag_of(c: char) -> Option<u32> {
    Some(match c {
        'i' => IGNORECASE,
        'L' => LOCALE,
        'm' => MULTILINE,
        's' => DOTALL,
        'x' => VERBOSE,
        'a' => ASCII,
        't' => TEMPLATE,
        'u' => UNICODE,
        _ => return None,
    })
}

/// Inline flags after `(?`: `None` for global flags `(?i)` (added to the state), or the
/// flags a scoped group `(?i-s:...)` adds and removes.
pub(super) fn parse_flags(
    src: &mut Tokenizer,
    state: &mut State,
    first: char,
) -> Result<Option<(u32, u32)>, Fail> {
    let (mut add, mut del) = (0u32, 0u32);
    let mut char = Some(Tok::C(first));
    let plain = |t: Option<Tok>| match t {
        Some(Tok::C(c)) => Some(c),
        _ => None,
    };
    let is_alpha = |t: Tok| matches!(t, Tok::C(c) if c.is_alphabetic());
    if first != '-' {
        loop {
            let c = plain(char).expect("a flag letter");
            let flag = flag_of(c).expect("a flag letter");
            if src.text && c == 'L' {
                let msg = "bad inline flags: cannot use 'L' flag with a str pattern";
                return Err(src.error(msg, 0));
            }
            if !src.text && c == 'u' {
                let msg = "bad inline flags: cannot use 'u' flag with a bytes pattern";
                return Err(src.error(msg, 0));
            }
            add |= flag;
            if flag & TYPE_FLAGS != 0 && add & TYPE_FLAGS != flag {
                let msg = "bad inline flags: flags 'a', 'u' and 'L' are incompatible";
                return Err(src.error(msg, 0));
            }
            char = src.get()?;
            let Some(t) = char else {
                return Err(src.error("missing -, : or )", 0));
            };
            if t.is(")-:") {
                break;
            }
            if plain(char).and_then(flag_of).is_none() {
                let msg = if is_alpha(t) {
                    "unknown flag"
                } else {
                    "missing -, : or )"
                };
                return Err(src.error(msg, t.len()));
            }
        }
    }
    if char == Some(Tok::C(')')) {
        state.flags |= add;
        return Ok(None);
    }
    if add & GLOBAL_FLAGS != 0 {
        return Err(src.error("bad inline flags: cannot turn on global flag", 1));
    }
    if char == Some(Tok::C('-')) {
        char = src.get()?;
        let Some(t) = char else {
            return Err(src.error("missing flag", 0));
        };
        if plain(char).and_then(flag_of).is_none() {
            let msg = if is_alpha(t) {
                "unknown flag"
            } else {
                "missing flag"
            };
            return Err(src.error(msg, t.len()));
        }
        loop {
            let flag = plain(char).and_then(flag_of).expect("a flag letter");
            if flag & TYPE_FLAGS != 0 {
                let msg = "bad inline flags: cannot turn off flags 'a', 'u' and 'L'";
                return Err(src.error(msg, 0));
            }
            del |= flag;
            char = src.get()?;
            let Some(t) = char else {
                return Err(src.error("missing :", 0));
            };
            if t == Tok::C(':') {
                break;
            }
            if plain(char).and_then(flag_of).is_none() {
                let msg = if is_alpha(t) {
                    "unknown flag"
                } else {
                    "missing :"
                };
                return Err(src.error(msg, t.len()));
            }
        }
    }
    if del & GLOBAL_FLAGS != 0 {
        return Err(src.error("bad inline flags: cannot turn off global flag", 1));
    }
    if add & del != 0 {
        return Err(src.error("bad inline flags: flag turned on and off", 1));
    }
    Ok(Some((add, del)))
}

/// A character set after `[`.
pub(super) fn parse_set(src: &mut Tokenizer, state: &mut State) -> Result<Node, Fail> {
    let here = src.tell() - 1;
    let mut set: Vec<SetItem> = Vec::new();
    if src.next == Some(Tok::C('[')) {
        let msg = format!("Possible nested set at position {}", src.tell());
        state.warn("FutureWarning", msg);
    }
    let negate = src.matches('^')?;
    let unterminated = |src: &Tokenizer| {
        let offset = src.tell() - here;
        src.error("unterminated character set", offset)
    };
    loop {
        let Some(this) = src.get()? else {
            return Err(unterminated(src));
        };
        if this == Tok::C(']') && !set.is_empty() {
            break;
        }
        let code1 = match this {
            Tok::Esc(c) => class_escape(src, c)?,
            Tok::C(c) => {
                if !set.is_empty() && "-&~|".contains(c) && src.next == Some(this) {
                    let kind = match c {
                        '-' => "difference",
                        '&' => "intersection",
                        '~' => "symmetric difference",
                        _ => "union",
                    };
                    let msg = format!("Possible set {kind} at position {}", src.tell() - 1);
                    state.warn("FutureWarning", msg);
                }
                SetItem::Literal(c as u32)
            }
        };
        if src.matches('-')? {
            let Some(that) = src.get()? else {
                return Err(unterminated(src));
            };
            if that == Tok::C(']') {
                set.push(code1);
                set.push(SetItem::Literal('-' as u32));
                break;
            }
            let code2 = match that {
                Tok::Esc(c) => class_escape(src, c)?,
                Tok::C(c) => {
                    if c == '-' {
                        let msg = format!("Possible set difference at position {}", src.tell() - 2);
                        state.warn("FutureWarning", msg);
                    }
                    SetItem::Literal(c as u32)
                }
            };
            let msg = format!("bad character range {}-{}", this.text(), that.text());
            let offset = this.len() + 1 + that.len();
            match (code1, code2) {
                (SetItem::Literal(lo), SetItem::Literal(hi)) if lo <= hi => {
                    set.push(SetItem::Range(lo, hi))
                }
                _ => return Err(src.error(&msg, offset)),
            }
        } else {
            set.push(code1);
        }
    }
    let mut uniq: Vec<SetItem> = Vec::new();
    for s in set {
        if !uniq.contains(&s) {
            uniq.push(s);
        }
    }
    Ok(match uniq.as_slice() {
        [SetItem::Literal(c)] if negate => Node::NotLiteral(*c),
        [SetItem::Literal(c)] => Node::Literal(*c),
        _ => Node::In {
            negate,
            items: uniq,
        },
    })
}

fn category(c: char) -> Option<Category> {
    Some(match c {
        'd' => Category::Digit,
        'D' => Category::NotDigit,
        's' => Category::Space,
        'S' => Category::NotSpace,
        'w' => Category::Word,
        'W' => Category::NotWord,
        _ => return None,
    })
}

fn simple_escape(c: char) -> Option<u32> {
    Some(match c {
        'a' => 7,
        'b' => 8,
        'f' => 12,
        'n' => 10,
        'r' => 13,
        't' => 9,
        'v' => 11,
        '\\' => 92,
        _ => return None,
    })
}

/// `\x`, `\u`, `\U` escapes: exactly 2, 4 or 8 hex digits.
fn hex_escape(src: &mut Tokenizer, c: char) -> Result<Option<u32>, Fail> {
    let n = match c {
        'x' => 2,
        'u' if src.text => 4,
        'U' if src.text => 8,
        _ => return Ok(None),
    };
    let digits = src.get_while(n, |c| c.is_ascii_hexdigit())?;
    let escape = format!("\\{c}{digits}");
    if digits.len() != n {
        let msg = format!("incomplete escape {escape}");
        return Err(src.error(&msg, escape.chars().count()));
    }
    let v = u32::from_str_radix(&digits, 16).unwrap_or(u32::MAX);
    if v > 0x10ffff {
        let msg = format!("bad escape {escape}");
        return Err(src.error(&msg, escape.len()));
    }
    Ok(Some(v))
}

fn is_octal(c: char) -> bool {
    ('0'..='7').contains(&c)
}

/// An escape inside a character set (sre_parse._class_escape).
fn class_escape(src: &mut Tokenizer, c: char) -> Result<SetItem, Fail> {
    if let Some(v) = simple_escape(c) {
        return Ok(SetItem::Literal(v));
    }
    if let Some(cat) = category(c) {
        return Ok(SetItem::Category(cat));
    }
    if let Some(v) = hex_escape(src, c)? {
        return Ok(SetItem::Literal(v));
    }
    if is_octal(c) {
        let more = src.get_while(2, is_octal)?;
        let escape = format!("\\{c}{more}");
        let v = u32::from_str_radix(&escape[1..], 8).expect("octal digits");
        if v > 0o377 {
            let msg = format!("octal escape value {escape} outside of range 0-0o377");
            return Err(src.error(&msg, escape.len()));
        }
        return Ok(SetItem::Literal(v));
    }
    if c.is_ascii_alphanumeric() {
        let msg = format!("bad escape \\{c}");
        return Err(src.error(&msg, 2));
    }
    Ok(SetItem::Literal(c as u32))
}

/// An escape outside sets (sre_parse._escape): categories, anchors, literals, octal
/// escapes and group references.
pub(super) fn escape(src: &mut Tokenizer, c: char, state: &State) -> Result<Node, Fail> {
    match c {
        'A' => return Ok(Node::At(At::BeginningString)),
        'Z' => return Ok(Node::At(At::EndString)),
        'b' => return Ok(Node::At(At::Boundary)),
        'B' => return Ok(Node::At(At::NonBoundary)),
        _ => {}
    }
    if let Some(cat) = category(c) {
        return Ok(Node::In {
            negate: false,
            items: vec![SetItem::Category(cat)],
        });
    }
    if let Some(v) = simple_escape(c) {
        return Ok(Node::Literal(v));
    }
    if let Some(v) = hex_escape(src, c)? {
        return Ok(Node::Literal(v));
    }
    if c == '0' {
        let more = src.get_while(2, is_octal)?;
        let v = u32::from_str_radix(&format!("0{more}"), 8).expect("octal digits");
        return Ok(Node::Literal(v));
    }
    if c.is_ascii_digit() {
        let mut escape = format!("\\{c}");
        if let Some(d) = src.next_char().filter(char::is_ascii_digit) {
            src.advance()?;
            escape.push(d);
            if is_octal(c) && is_octal(d) && src.next_char().is_some_and(is_octal) {
                escape.push(src.next_char().expect("checked"));
                src.advance()?;
                let v = u32::from_str_radix(&escape[1..], 8).expect("octal digits");
                if v > 0o377 {
                    let msg = format!("octal escape value {escape} outside of range 0-0o377");
                    return Err(src.error(&msg, escape.len()));
                }
                return Ok(Node::Literal(v));
            }
        }
        let group: usize = escape[1..].parse().expect("digits");
        if group < state.groups() {
            if !state.check_group(group) {
                return Err(src.error("cannot refer to an open group", escape.len()));
            }
            state.check_lookbehind_group(group, src)?;
            return Ok(Node::GroupRef(group));
        }
        let msg = format!("invalid group reference {group}");
        return Err(src.error(&msg, escape.len() - 1));
    }
    if c.is_ascii_alphanumeric() {
        let msg = format!("bad escape \\{c}");
        return Err(src.error(&msg, 2));
    }
    Ok(Node::Literal(c as u32))
}
