//! The layout wrapper around the logos lexer: it owns the indent stack and the bracket
//! depth and turns physical lines into NEWLINE, INDENT and DEDENT tokens the way CPython's
//! tokenizer does. Blank and comment-only lines never change indentation; newlines inside
//! brackets are dropped; the end of input closes every open level.

use super::error::SyntaxError;
use super::token::{RawError, Tok};
use logos::Logos;
use std::collections::VecDeque;

/// A token with its byte span, the triple LALRPOP expects from an external lexer.
pub type Spanned = (usize, Tok, usize);

/// Deeper bracket nesting than this is a SyntaxError, so nothing later can overflow the stack.
pub const MAX_BRACKET_DEPTH: usize = 200;

/// Deeper indentation than this is an IndentationError, as in CPython's tokenizer.
pub const MAX_INDENT: usize = 100;

pub struct Layout<'src> {
    src: &'src str,
    raw: logos::SpannedIter<'src, Tok>,
    pending: VecDeque<Spanned>,
    /// (column with tabs to multiples of 8, column with tabs as 1), CPython's indstack/altindstack.
    indents: Vec<(usize, usize)>,
    depth: usize,
    line_has_tokens: bool,
    last_end: usize,
    done: bool,
    /// Added to every offset: an f-string field is lexed on its own but reports file offsets.
    base: usize,
}

/// Tokenises a whole source text, layout tokens included.
pub fn lex(src: &str) -> Result<Vec<Spanned>, SyntaxError> {
    Layout::new(src).collect()
}

impl<'src> Layout<'src> {
    pub fn new(src: &'src str) -> Self {
        Layout {
            src,
            raw: Tok::lexer(src).spanned(),
            pending: VecDeque::new(),
            indents: vec![(0, 0)],
            depth: 0,
            line_has_tokens: false,
            last_end: 0,
            done: false,
            base: 0,
        }
    }

    /// A lexer over a fragment that starts at byte `base` of the file.
    pub fn with_base(src: &'src str, base: usize) -> Self {
        Layout {
            base,
            ..Layout::new(src)
        }
    }

    fn line_end(&self, offset: usize) -> usize {
        self.src[offset..]
            .find('\n')
            .map_or(self.src.len(), |i| offset + i)
    }

    /// The last character of the line holding `offset`: where 3.7 puts end-of-line carets.
    fn line_last_char(&self, offset: usize) -> usize {
        let end = self.line_end(offset);
        let line_start = self.src[..offset].rfind('\n').map_or(0, |i| i + 1);
        end.saturating_sub(1).max(line_start)
    }

    /// Emits INDENT or DEDENTs for a logical line whose first token starts at `start`.
    fn indent_line(&mut self, start: usize) -> Result<(), SyntaxError> {
        let line_start = self.src[..start].rfind('\n').map_or(0, |i| i + 1);
        let (mut col, mut altcol) = (0usize, 0usize);
        for b in self.src[line_start..start].bytes() {
            match b {
                b' ' => {
                    col += 1;
                    altcol += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    altcol += 1;
                }
                b'\x0c' => {
                    col = 0;
                    altcol = 0;
                }
                // A backslash continuation ended the previous line: not an indentation.
                _ => return Ok(()),
            }
        }
        let &(top, alttop) = self
            .indents
            .last()
            .expect("indent stack always holds level 0");
        if col == top {
            if altcol != alttop {
                return Err(SyntaxError::tab(self.line_last_char(start)));
            }
        } else if col > top {
            if altcol <= alttop {
                return Err(SyntaxError::tab(self.line_last_char(start)));
            }
            // CPython's tokenizer stops at 100 levels (MAXINDENT).
            if self.indents.len() > MAX_INDENT {
                return Err(SyntaxError::indentation(
                    "too many levels of indentation",
                    self.line_last_char(start),
                ));
            }
            self.indents.push((col, altcol));
            self.pending.push_back((line_start, Tok::Indent, start));
        } else {
            while self.indents.len() > 1 && col < self.indents.last().expect("non-empty").0 {
                self.indents.pop();
                self.pending.push_back((start, Tok::Dedent, start));
            }
            let &(top, alttop) = self
                .indents
                .last()
                .expect("indent stack always holds level 0");
            if col != top {
                return Err(SyntaxError::indentation(
                    "unindent does not match any outer indentation level",
                    self.line_last_char(start),
                ));
            }
            if altcol != alttop {
                return Err(SyntaxError::tab(self.line_last_char(start)));
            }
        }
        Ok(())
    }

    fn raw_error(&self, err: RawError, span: std::ops::Range<usize>) -> SyntaxError {
        match err {
            RawError::UnterminatedString => SyntaxError::new(
                "EOL while scanning string literal",
                self.line_end(span.start),
            ),
            RawError::UnterminatedTripleString => SyntaxError::new(
                "EOF while scanning triple-quoted string literal",
                self.src.len(),
            ),
            RawError::InvalidNumber => {
                SyntaxError::new("invalid token", span.end.saturating_sub(1))
            }
            RawError::InvalidCharacter => {
                let ch = self.src[span.start..].chars().next().unwrap_or(' ');
                if ch == '$' || ch == '?' || ch == '`' || ch == '!' {
                    SyntaxError::new("invalid syntax", span.start)
                } else {
                    SyntaxError::new("invalid character in identifier", span.start)
                }
            }
        }
    }

    fn next_token(&mut self) -> Option<Result<Spanned, SyntaxError>> {
        loop {
            if let Some(tok) = self.pending.pop_front() {
                return Some(Ok(tok));
            }
            if self.done {
                return None;
            }
            let Some((result, span)) = self.raw.next() else {
                self.done = true;
                let end = self.src.len();
                if self.depth > 0 {
                    return Some(Err(SyntaxError::new(
                        "unexpected EOF while parsing",
                        self.last_end,
                    )));
                }
                if self.line_has_tokens {
                    self.pending
                        .push_back((self.last_end, Tok::Newline, self.last_end));
                }
                for _ in 1..self.indents.len() {
                    self.pending.push_back((end, Tok::Dedent, end));
                }
                self.indents.truncate(1);
                continue;
            };
            let tok = match result {
                Ok(tok) => tok,
                Err(err) => {
                    self.done = true;
                    return Some(Err(self.raw_error(err, span)));
                }
            };
            if tok == Tok::LineBreak {
                if self.depth > 0 || !self.line_has_tokens {
                    continue;
                }
                self.line_has_tokens = false;
                return Some(Ok((span.start, Tok::Newline, span.end)));
            }
            if !self.line_has_tokens
                && self.depth == 0
                && let Err(err) = self.indent_line(span.start)
            {
                self.done = true;
                return Some(Err(err));
            }
            self.line_has_tokens = true;
            match tok {
                Tok::LPar | Tok::LSqb | Tok::LBrace => {
                    self.depth += 1;
                    if self.depth > MAX_BRACKET_DEPTH {
                        self.done = true;
                        return Some(Err(SyntaxError::new(
                            "too many nested parentheses",
                            span.start,
                        )));
                    }
                }
                Tok::RPar | Tok::RSqb | Tok::RBrace => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
            self.last_end = span.end;
            self.pending.push_back((span.start, tok, span.end));
        }
    }
}

impl Iterator for Layout<'_> {
    type Item = Result<Spanned, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        let base = self.base;
        self.next_token().map(|item| match item {
            Ok((start, tok, end)) => Ok((start + base, tok, end + base)),
            Err(mut err) => {
                err.offset += base;
                Err(err)
            }
        })
    }
}
