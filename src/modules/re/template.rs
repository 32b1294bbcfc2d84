//! Replacement templates for `sub`, `subn` and `Match.expand`, as CPython 3.7's
//! sre_parse.parse_template reads them: `\1`, `\g<1>`, `\g<name>`, octal and character
//! escapes, and the errors (with positions) for bad ones; and their expansion.

use super::chars;

/// A piece of a parsed template.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Literal(String),
    Group(usize),
}

/// Why a template is refused: `re.error` (message, position) or IndexError.
pub enum TemplateFail {
    Error(String, usize),
    Index(String),
}

struct Reader<'a> {
    s: &'a [char],
    at: usize,
}

impl Reader<'_> {
    /// The next token: a character, or a backslash with the character after it.
    fn get(&mut self) -> Result<Option<(char, Option<char>)>, TemplateFail> {
        let Some(&c) = self.s.get(self.at) else {
            return Ok(None);
        };
        if c != '\\' {
            self.at += 1;
            return Ok(Some((c, None)));
        }
        match self.s.get(self.at + 1) {
            Some(&d) => {
                self.at += 2;
                Ok(Some(('\\', Some(d))))
            }
            None => Err(TemplateFail::Error(
                "bad escape (end of pattern)".into(),
                self.s.len() - 1,
            )),
        }
    }
    fn peek(&self) -> Option<char> {
        self.s.get(self.at).copied().filter(|&c| c != '\\')
    }
}

/// Parses a template for a pattern with `groups` groups named as in `names`.
pub fn parse_template(
    source: &[char],
    groups: usize,
    names: &[(String, usize)],
) -> Result<Vec<Piece>, TemplateFail> {
    let mut r = Reader { s: source, at: 0 };
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let err = |r: &Reader, msg: String, offset: usize| {
        TemplateFail::Error(msg, r.at.saturating_sub(offset))
    };
    let add_group = |pieces: &mut Vec<Piece>, literal: &mut String, index: usize| {
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(literal)));
        }
        pieces.push(Piece::Group(index));
    };
    while let Some((c, escaped)) = r.get()? {
        let Some(e) = escaped else {
            literal.push(c);
            continue;
        };
        match e {
            'g' => {
                if r.peek() != Some('<') {
                    return Err(err(&r, "missing <".into(), 0));
                }
                r.at += 1;
                let mut name = String::new();
                loop {
                    match r.get()? {
                        None if name.is_empty() => {
                            return Err(err(&r, "missing group name".into(), 0));
                        }
                        None => {
                            let n = name.chars().count();
                            return Err(err(&r, "missing >, unterminated name".into(), n));
                        }
                        Some(('>', None)) if name.is_empty() => {
                            return Err(err(&r, "missing group name".into(), 1));
                        }
                        Some(('>', None)) => break,
                        Some((c, None)) => name.push(c),
                        Some((_, Some(d))) => {
                            name.push('\\');
                            name.push(d);
                        }
                    }
                }
                let offset = name.chars().count() + 1;
                let index = if chars::is_identifier(&name) {
                    match names.iter().find(|(n, _)| *n == name) {
                        Some((_, g)) => *g,
                        None => {
                            let msg = format!("unknown group name {}", chars::py_repr(&name));
                            return Err(TemplateFail::Index(msg));
                        }
                    }
                } else {
                    let digits = name.strip_prefix('+').unwrap_or(&name);
                    match digits.parse::<u64>() {
                        Ok(n)
                            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            if n >= 2_147_483_647 {
                                let msg = format!("invalid group reference {n}");
                                return Err(err(&r, msg, offset));
                            }
                            n as usize
                        }
                        _ => {
                            let msg =
                                format!("bad character in group name {}", chars::py_repr(&name));
                            return Err(err(&r, msg, offset));
                        }
                    }
                };
                if index > groups {
                    let msg = format!("invalid group reference {index}");
                    return Err(err(&r, msg, offset));
                }
                add_group(&mut pieces, &mut literal, index);
            }
            '0' => {
                let mut digits = String::from("0");
                for _ in 0..2 {
                    match r.peek() {
                        Some(d @ '0'..='7') => {
                            digits.push(d);
                            r.at += 1;
                        }
                        _ => break,
                    }
                }
                let v = u32::from_str_radix(&digits, 8).expect("octal digits") & 0xff;
                literal.push(char::from_u32(v).expect("a byte is a char"));
            }
            '1'..='9' => {
                let mut this = e.to_string();
                let mut octal = false;
                if let Some(d @ '0'..='9') = r.peek() {
                    r.at += 1;
                    this.push(d);
                    if e <= '7' && d <= '7' && matches!(r.peek(), Some('0'..='7')) {
                        this.push(r.peek().expect("checked"));
                        r.at += 1;
                        octal = true;
                        let v = u32::from_str_radix(&this, 8).expect("octal digits");
                        if v > 0o377 {
                            let msg =
                                format!("octal escape value \\{this} outside of range 0-0o377");
                            return Err(err(&r, msg, this.len() + 1));
                        }
                        literal.push(char::from_u32(v).expect("a byte is a char"));
                    }
                }
                if !octal {
                    let index: usize = this.parse().expect("digits");
                    if index > groups {
                        let msg = format!("invalid group reference {index}");
                        return Err(err(&r, msg, this.len()));
                    }
                    add_group(&mut pieces, &mut literal, index);
                }
            }
            _ => match simple(e) {
                Some(v) => literal.push(v),
                None if e.is_ascii_alphabetic() => {
                    return Err(err(&r, format!("bad escape \\{e}"), 2));
                }
                None => {
                    literal.push('\\');
                    literal.push(e);
                }
            },
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

fn simple(c: char) -> Option<char> {
    Some(match c {
        'a' => '\x07',
        'b' => '\x08',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        '\\' => '\\',
        _ => return None,
    })
}
