//! `re`'s pattern grammar, as CPython 3.7's sre_parse reads it: alternation, sequences,
//! repeats, groups and extensions, conditionals, and the flags a pattern ends with; each
//! error with sre_parse's message and position. The tokens, escapes, sets and inline flags
//! are lex.rs's; the result, a tree of `Node`s with the group table, is ast.rs's, and
//! compile.rs turns it into a program.

use super::ast::{
    ASCII, At, Fail, LOCALE, MAXGROUPS, MAXREPEAT, Node, Parsed, SetItem, UNICODE, VERBOSE,
    Warning, quote, width,
};
use super::chars;
use super::lex::{State, Tok, Tokenizer, escape, parse_flags, parse_set};

/// Parses `pattern` (a str's characters, or a bytes pattern's as latin-1 when `text` is
/// false) with `flags`, as sre_parse.parse does; the warnings it issues go to `warnings`.
pub fn parse(
    pattern: &[char],
    flags: u32,
    text: bool,
    depth_limit: usize,
    warnings: &mut Vec<Warning>,
) -> Result<Parsed, Fail> {
    let mut flags = flags;
    loop {
        let mut state = State {
            flags,
            names: Vec::new(),
            widths: vec![None],
            lookbehind_groups: None,
            depth_limit,
            restart_verbose: false,
            warnings: std::mem::take(warnings),
        };
        let mut src = Tokenizer::new(pattern, text)?;
        let result = parse_sub(&mut src, &mut state, flags & VERBOSE != 0, 0);
        *warnings = std::mem::take(&mut state.warnings);
        let nodes = match result {
            Err(_) if state.restart_verbose => {
                flags |= VERBOSE;
                continue;
            }
            r => r?,
        };
        let flags = fix_flags(state.flags, text)?;
        if src.next.is_some() {
            return Err(src.error("unbalanced parenthesis", 0));
        }
        let widths = state.widths.iter().map(|w| w.unwrap_or((0, 0))).collect();
        return Ok(Parsed {
            nodes,
            flags,
            groups: state.groups() - 1,
            names: state.names,
            widths,
        });
    }
}

/// sre_parse.fix_flags: a str pattern is UNICODE unless ASCII; conflicting type flags fail.
pub fn fix_flags(mut flags: u32, text: bool) -> Result<u32, Fail> {
    if text {
        if flags & LOCALE != 0 {
            return Err(Fail::Value(
                "cannot use LOCALE flag with a str pattern".into(),
            ));
        }
        if flags & ASCII == 0 {
            flags |= UNICODE;
        } else if flags & UNICODE != 0 {
            return Err(Fail::Value(
                "ASCII and UNICODE flags are incompatible".into(),
            ));
        }
    } else {
        if flags & UNICODE != 0 {
            return Err(Fail::Value(
                "cannot use UNICODE flag with a bytes pattern".into(),
            ));
        }
        if flags & LOCALE != 0 && flags & ASCII != 0 {
            return Err(Fail::Value(
                "ASCII and LOCALE flags are incompatible".into(),
            ));
        }
    }
    Ok(flags)
}

fn parse_sub(
    src: &mut Tokenizer,
    state: &mut State,
    verbose: bool,
    nested: usize,
) -> Result<Vec<Node>, Fail> {
    if nested > state.depth_limit {
        return Err(Fail::Recursion);
    }
    let mut items = Vec::new();
    loop {
        let first = nested == 0 && items.is_empty();
        items.push(parse_seq(src, state, verbose, nested + 1, first)?);
        if !src.matches('|')? {
            break;
        }
    }
    if items.len() == 1 {
        return Ok(items.pop().expect("one item"));
    }
    // A branch of single characters or sets is one set (as sre_parse makes it).
    let mut set = Vec::new();
    let all_single = items.iter().all(|item| match item.as_slice() {
        [Node::Literal(c)] => {
            set.push(SetItem::Literal(*c));
            true
        }
        [
            Node::In {
                negate: false,
                items,
            },
        ] => {
            set.extend(items.iter().copied());
            true
        }
        _ => false,
    });
    if all_single {
        let mut uniq: Vec<SetItem> = Vec::new();
        for s in set {
            if !uniq.contains(&s) {
                uniq.push(s);
            }
        }
        return Ok(vec![Node::In {
            negate: false,
            items: uniq,
        }]);
    }
    Ok(vec![Node::Branch(items)])
}

/// Parses a sequence up to `|`, `)` or the end (sre_parse._parse).
fn parse_seq(
    src: &mut Tokenizer,
    state: &mut State,
    verbose: bool,
    nested: usize,
    first: bool,
) -> Result<Vec<Node>, Fail> {
    let mut seq: Vec<Node> = Vec::new();
    while let Some(this) = src.next {
        if this.is("|)") {
            break;
        }
        src.advance()?;
        if verbose {
            if this.is(" \t\n\r\x0b\x0c") {
                continue;
            }
            if this == Tok::C('#') {
                loop {
                    match src.get()? {
                        None | Some(Tok::C('\n')) => break,
                        _ => {}
                    }
                }
                continue;
            }
        }
        match this {
            Tok::Esc(c) => seq.push(escape(src, c, state)?),
            Tok::C(c) if !".\\[{()*+?^$|".contains(c) => seq.push(Node::Literal(c as u32)),
            Tok::C('[') => seq.push(parse_set(src, state)?),
            Tok::C(c @ ('*' | '+' | '?' | '{')) => parse_repeat(src, &mut seq, c)?,
            Tok::C('.') => seq.push(Node::Any),
            Tok::C('(') => {
                let at_start = first && seq.is_empty();
                if let Some(node) = parse_group(src, state, verbose, nested, at_start)? {
                    seq.push(node);
                }
            }
            Tok::C('^') => seq.push(Node::At(At::Beginning)),
            Tok::C('$') => seq.push(Node::At(At::End)),
            Tok::C(_) => return Err(src.error("unsupported special character", 0)),
        }
    }
    // Non-capturing groups without flags are spliced into the sequence.
    let mut out = Vec::with_capacity(seq.len());
    for node in seq {
        match node {
            Node::Group {
                group: None,
                add: 0,
                del: 0,
                body,
            } => out.extend(body),
            n => out.push(n),
        }
    }
    Ok(out)
}

fn parse_repeat(src: &mut Tokenizer, seq: &mut Vec<Node>, this: char) -> Result<(), Fail> {
    let here = src.tell();
    let (mut min, mut max) = (0u64, MAXREPEAT);
    match this {
        '?' => max = 1,
        '+' => min = 1,
        '{' => {
            if src.next == Some(Tok::C('}')) {
                seq.push(Node::Literal('{' as u32));
                return Ok(());
            }
            let digits = |src: &mut Tokenizer| -> Result<String, Fail> {
                let mut s = String::new();
                while let Some(c) = src.next_char().filter(char::is_ascii_digit) {
                    s.push(c);
                    src.advance()?;
                }
                Ok(s)
            };
            let lo = digits(src)?;
            let hi = if src.matches(',')? {
                digits(src)?
            } else {
                lo.clone()
            };
            if !src.matches('}')? {
                seq.push(Node::Literal('{' as u32));
                src.seek(here)?;
                return Ok(());
            }
            let number = |s: &str| -> Result<u64, Fail> {
                match s.parse::<u64>() {
                    Ok(n) if n < MAXREPEAT => Ok(n),
                    _ => Err(Fail::Overflow("the repetition number is too large".into())),
                }
            };
            if !lo.is_empty() {
                min = number(&lo)?;
            }
            if !hi.is_empty() {
                max = number(&hi)?;
                if max < min {
                    let offset = src.tell() - here;
                    return Err(src.error("min repeat greater than max repeat", offset));
                }
            }
        }
        _ => {}
    }
    let offset = src.tell() - here + 1;
    let item = match seq.pop() {
        None | Some(Node::At(_)) => return Err(src.error("nothing to repeat", offset)),
        Some(Node::Repeat { .. }) => return Err(src.error("multiple repeat", offset)),
        Some(Node::Group {
            group: None,
            add: 0,
            del: 0,
            body,
        }) => body,
        Some(n) => vec![n],
    };
    let greedy = !src.matches('?')?;
    seq.push(Node::Repeat {
        min,
        max,
        greedy,
        item,
    });
    Ok(())
}

/// A group or extension after `(`; `None` for a comment or a global flags group.
fn parse_group(
    src: &mut Tokenizer,
    state: &mut State,
    verbose: bool,
    nested: usize,
    at_start: bool,
) -> Result<Option<Node>, Fail> {
    let start = src.tell() - 1;
    let mut capture = true;
    let mut name: Option<String> = None;
    let (mut add, mut del) = (0, 0);
    if src.matches('?')? {
        let Some(tok) = src.get()? else {
            return Err(src.error("unexpected end of pattern", 0));
        };
        let char = match tok {
            Tok::C(c) => c,
            Tok::Esc(_) => {
                let msg = format!("unknown extension ?{}", tok.text());
                return Err(src.error(&msg, tok.len() + 1));
            }
        };
        match char {
            'P' => {
                if src.matches('<')? {
                    let n = src.get_until('>')?;
                    if !chars::is_identifier(&n) {
                        let msg = format!("bad character in group name {}", quote(&n));
                        return Err(src.error(&msg, n.chars().count() + 1));
                    }
                    name = Some(n);
                } else if src.matches('=')? {
                    let n = src.get_until(')')?;
                    let offset = n.chars().count() + 1;
                    if !chars::is_identifier(&n) {
                        let msg = format!("bad character in group name {}", quote(&n));
                        return Err(src.error(&msg, offset));
                    }
                    let Some(gid) = state.group_named(&n) else {
                        let msg = format!("unknown group name {}", quote(&n));
                        return Err(src.error(&msg, offset));
                    };
                    if !state.check_group(gid) {
                        return Err(src.error("cannot refer to an open group", offset));
                    }
                    state.check_lookbehind_group(gid, src)?;
                    return Ok(Some(Node::GroupRef(gid)));
                } else {
                    let Some(t) = src.get()? else {
                        return Err(src.error("unexpected end of pattern", 0));
                    };
                    let msg = format!("unknown extension ?P{}", t.text());
                    return Err(src.error(&msg, t.len() + 2));
                }
            }
            ':' => capture = false,
            '#' => loop {
                if src.next.is_none() {
                    let offset = src.tell() - start;
                    return Err(src.error("missing ), unterminated comment", offset));
                }
                if src.get()? == Some(Tok::C(')')) {
                    return Ok(None);
                }
            },
            '=' | '!' | '<' => {
                let mut kind = char;
                let mut behind = false;
                let outer_lookbehind = state.lookbehind_groups;
                if char == '<' {
                    let Some(t) = src.get()? else {
                        return Err(src.error("unexpected end of pattern", 0));
                    };
                    if !t.is("=!") {
                        let msg = format!("unknown extension ?<{}", t.text());
                        return Err(src.error(&msg, t.len() + 2));
                    }
                    kind = if t == Tok::C('=') { '=' } else { '!' };
                    behind = true;
                    if outer_lookbehind.is_none() {
                        state.lookbehind_groups = Some(state.groups());
                    }
                }
                let body = parse_sub(src, state, verbose, nested + 1)?;
                if behind && outer_lookbehind.is_none() {
                    state.lookbehind_groups = None;
                }
                if !src.matches(')')? {
                    let offset = src.tell() - start;
                    return Err(src.error("missing ), unterminated subpattern", offset));
                }
                return Ok(Some(Node::Assert {
                    behind,
                    negate: kind == '!',
                    body,
                }));
            }
            '(' => return parse_conditional(src, state, verbose, nested, start).map(Some),
            c if "iLmsxatu-".contains(c) => match parse_flags(src, state, c)? {
                None => {
                    if !at_start {
                        let head: String = src.s.iter().take(20).collect();
                        let shown = if src.text {
                            quote(&head)
                        } else {
                            let bytes: Vec<u8> = head.chars().map(|c| c as u32 as u8).collect();
                            crate::pyfmt::bytes_repr(&bytes)
                        };
                        let more = if src.s.len() > 20 { " (truncated)" } else { "" };
                        let msg = format!("Flags not at the start of the expression {shown}{more}");
                        state.warn("DeprecationWarning", msg);
                    }
                    if state.flags & VERBOSE != 0 && !verbose {
                        state.restart_verbose = true;
                        return Err(Fail::error("verbose"));
                    }
                    return Ok(None);
                }
                Some((a, d)) => {
                    add = a;
                    del = d;
                    capture = false;
                }
            },
            c => {
                let msg = format!("unknown extension ?{c}");
                return Err(src.error(&msg, 2));
            }
        }
    }
    let group = if capture {
        let gid = state.groups();
        state.widths.push(None);
        if gid as u64 >= MAXGROUPS {
            return Err(src.error("too many groups", 0));
        }
        if let Some(n) = &name {
            if let Some(old) = state.group_named(n) {
                let msg = format!(
                    "redefinition of group name {} as group {gid}; was group {old}",
                    quote(n)
                );
                return Err(src.error(&msg, n.chars().count() + 1));
            }
            state.names.push((n.clone(), gid));
        }
        Some(gid)
    } else {
        None
    };
    let sub_verbose = (verbose || add & VERBOSE != 0) && del & VERBOSE == 0;
    let body = parse_sub(src, state, sub_verbose, nested + 1)?;
    if !src.matches(')')? {
        let offset = src.tell() - start;
        return Err(src.error("missing ), unterminated subpattern", offset));
    }
    if let Some(gid) = group {
        state.widths[gid] = Some(width(&body, &state.widths));
    }
    Ok(Some(Node::Group {
        group,
        add,
        del,
        body,
    }))
}

/// `(?(group)yes|no)`.
fn parse_conditional(
    src: &mut Tokenizer,
    state: &mut State,
    verbose: bool,
    nested: usize,
    start: usize,
) -> Result<Node, Fail> {
    let name = src.get_until(')')?;
    let offset = name.chars().count() + 1;
    let group = if chars::is_identifier(&name) {
        match state.group_named(&name) {
            Some(g) => g,
            None => {
                let msg = format!("unknown group name {}", quote(&name));
                return Err(src.error(&msg, offset));
            }
        }
    } else {
        let n = match name.parse::<u64>() {
            Ok(n) if name.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => {
                let msg = format!("bad character in group name {}", quote(&name));
                return Err(src.error(&msg, offset));
            }
        };
        if n == 0 {
            return Err(src.error("bad group number", offset));
        }
        if n >= MAXGROUPS {
            let msg = format!("invalid group reference {n}");
            return Err(src.error(&msg, offset));
        }
        n as usize
    };
    state.check_lookbehind_group(group, src)?;
    let yes = parse_seq(src, state, verbose, nested + 1, false)?;
    let no = if src.matches('|')? {
        let no = parse_seq(src, state, verbose, nested + 1, false)?;
        if src.next == Some(Tok::C('|')) {
            let msg = "conditional backref with more than two branches";
            return Err(src.error(msg, 0));
        }
        Some(no)
    } else {
        None
    };
    if !src.matches(')')? {
        let offset = src.tell() - start;
        return Err(src.error("missing ), unterminated subpattern", offset));
    }
    Ok(Node::GroupRefExists { group, yes, no })
}
