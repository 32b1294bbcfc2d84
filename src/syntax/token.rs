//! The token vocabulary of minipy, recognised by logos.
//!
//! `Tok` is both what logos produces from raw text and what the LALRPOP parser consumes.
//! The layout variants (`Newline`, `Indent`, `Dedent`) have no pattern: the wrapper in
//! `lexer.rs` synthesises them from line starts, as CPython's tokenizer does.

use logos::{Lexer, Logos};
use num_bigint::BigInt;
use std::fmt;

/// Why logos could not produce a token at some position.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum RawError {
    #[default]
    InvalidCharacter,
    UnterminatedString,
    UnterminatedTripleString,
    InvalidNumber,
}

#[derive(Logos, Debug, Clone, PartialEq)]
#[logos(error = RawError)]
#[logos(skip r"[ \t\x0c]+")]
#[logos(skip(r"#[^\r\n]*", allow_greedy = true))]
#[logos(skip r"\\\r?\n")]
pub enum Tok {
    // Layout, synthesised by the wrapper.
    Indent,
    Dedent,
    Newline,
    /// A physical line break; the wrapper turns it into `Newline` or drops it.
    #[regex(r"\r?\n")]
    LineBreak,

    #[regex(r"[\p{XID_Start}_][\p{XID_Continue}]*", |lex| lex.slice().to_string())]
    Name(String),
    #[regex(r"[0-9](_?[0-9])*", |lex| parse_int(lex.slice(), 10))]
    #[regex(r"0[xX](_?[0-9a-fA-F])+", |lex| parse_int(&lex.slice()[2..], 16))]
    #[regex(r"0[oO](_?[0-7])+", |lex| parse_int(&lex.slice()[2..], 8))]
    #[regex(r"0[bB](_?[01])+", |lex| parse_int(&lex.slice()[2..], 2))]
    Int(BigInt),
    #[regex(
        r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?",
        parse_float
    )]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?", parse_float)]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*", parse_float)]
    Float(f64),
    /// An imaginary literal (`2j`, `1.5e3J`): its imaginary part.
    #[regex(r"[0-9](_?[0-9])*[jJ]", parse_imag)]
    #[regex(
        r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?[jJ]",
        parse_imag
    )]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?[jJ]", parse_imag)]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*[jJ]", parse_imag)]
    Imag(f64),
    /// A string or bytes literal, raw text including prefix and quotes; `literal.rs` decodes it.
    #[regex(r#"([rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?["']"#, scan_string)]
    Str(String),

    #[token("False")]
    False,
    #[token("None")]
    None,
    #[token("True")]
    True,
    #[token("and")]
    And,
    #[token("as")]
    As,
    #[token("assert")]
    Assert,
    #[token("async")]
    Async,
    #[token("await")]
    Await,
    #[token("break")]
    Break,
    #[token("class")]
    Class,
    #[token("continue")]
    Continue,
    #[token("def")]
    Def,
    #[token("del")]
    Del,
    #[token("elif")]
    Elif,
    #[token("else")]
    Else,
    #[token("except")]
    Except,
    #[token("finally")]
    Finally,
    #[token("for")]
    For,
    #[token("from")]
    From,
    #[token("global")]
    Global,
    #[token("if")]
    If,
    #[token("import")]
    Import,
    #[token("in")]
    In,
    #[token("is")]
    Is,
    #[token("lambda")]
    Lambda,
    #[token("nonlocal")]
    Nonlocal,
    #[token("not")]
    Not,
    #[token("or")]
    Or,
    #[token("pass")]
    Pass,
    #[token("raise")]
    Raise,
    #[token("return")]
    Return,
    #[token("try")]
    Try,
    #[token("while")]
    While,
    #[token("with")]
    With,
    #[token("yield")]
    Yield,

    #[token("(")]
    LPar,
    #[token(")")]
    RPar,
    #[token("[")]
    LSqb,
    #[token("]")]
    RSqb,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(".")]
    Dot,
    #[token("...")]
    Ellipsis,
    #[token("->")]
    Arrow,
    #[token("=")]
    Assign,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("**")]
    DoubleStar,
    #[token("/")]
    Slash,
    #[token("//")]
    DoubleSlash,
    #[token("%")]
    Percent,
    #[token("@")]
    At,
    #[token("<<")]
    LShift,
    #[token(">>")]
    RShift,
    #[token("&")]
    Amper,
    #[token("|")]
    VBar,
    #[token("^")]
    Circumflex,
    #[token("~")]
    Tilde,
    #[token("<")]
    Less,
    #[token(">")]
    Greater,
    #[token("<=")]
    LessEqual,
    #[token(">=")]
    GreaterEqual,
    #[token("==")]
    EqEqual,
    #[token("!=")]
    NotEqual,
    #[token("+=")]
    PlusEqual,
    #[token("-=")]
    MinusEqual,
    #[token("*=")]
    StarEqual,
    #[token("**=")]
    DoubleStarEqual,
    #[token("/=")]
    SlashEqual,
    #[token("//=")]
    DoubleSlashEqual,
    #[token("%=")]
    PercentEqual,
    #[token("@=")]
    AtEqual,
    #[token("<<=")]
    LShiftEqual,
    #[token(">>=")]
    RShiftEqual,
    #[token("&=")]
    AmperEqual,
    #[token("|=")]
    VBarEqual,
    #[token("^=")]
    CircumflexEqual,
}

fn parse_int(digits: &str, radix: u32) -> Result<BigInt, RawError> {
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    // CPython rejects "0123": leading zeros are only allowed on zero itself.
    if radix == 10 && clean.len() > 1 && clean.starts_with('0') && clean.bytes().any(|b| b != b'0')
    {
        return Err(RawError::InvalidNumber);
    }
    BigInt::parse_bytes(clean.as_bytes(), radix).ok_or(RawError::InvalidNumber)
}

fn parse_imag(lex: &mut Lexer<Tok>) -> Result<f64, RawError> {
    let slice = lex.slice();
    let clean: String = slice[..slice.len() - 1]
        .chars()
        .filter(|&c| c != '_')
        .collect();
    clean.parse::<f64>().map_err(|_| RawError::InvalidNumber)
}

fn parse_float(lex: &mut Lexer<Tok>) -> Result<f64, RawError> {
    let clean: String = lex.slice().chars().filter(|&c| c != '_').collect();
    clean.parse::<f64>().map_err(|_| RawError::InvalidNumber)
}

/// Scans the body of a string literal whose prefix and opening quote logos has matched.
fn scan_string(lex: &mut Lexer<Tok>) -> Result<String, RawError> {
    let opening = lex.slice();
    let quote = opening.as_bytes()[opening.len() - 1];
    let is_raw = opening.bytes().any(|b| b == b'r' || b == b'R');
    let rest = lex.remainder().as_bytes();
    let triple = rest.len() >= 2 && rest[0] == quote && rest[1] == quote;
    let mut i = if triple { 2 } else { 0 };
    loop {
        let Some(&b) = rest.get(i) else {
            return Err(if triple {
                RawError::UnterminatedTripleString
            } else {
                RawError::UnterminatedString
            });
        };
        if b == b'\\' {
            // In raw strings a backslash still protects the next character from ending the literal.
            let _ = is_raw;
            i += 2;
            continue;
        }
        if b == b'\n' && !triple {
            return Err(RawError::UnterminatedString);
        }
        if b == quote {
            if !triple {
                i += 1;
                break;
            }
            if rest.get(i + 1) == Some(&quote) && rest.get(i + 2) == Some(&quote) {
                i += 3;
                break;
            }
        }
        i += 1;
    }
    let i = i.min(rest.len());
    lex.bump(i);
    Ok(lex.slice().to_string())
}

impl Tok {
    /// How CPython would name this token in a message, and how `minipy tokens` shows it.
    pub fn describe(&self) -> String {
        match self {
            Tok::Indent => "INDENT".into(),
            Tok::Dedent => "DEDENT".into(),
            Tok::Newline | Tok::LineBreak => "NEWLINE".into(),
            Tok::Name(n) => format!("NAME {n:?}"),
            Tok::Int(i) => format!("NUMBER {i}"),
            Tok::Float(f) => format!("NUMBER {f:?}"),
            Tok::Imag(f) => format!("NUMBER {f:?}j"),
            Tok::Str(s) => format!("STRING {s}"),
            other => format!("OP {:?}", other.text()),
        }
    }

    /// The source text of a keyword or operator token.
    pub fn text(&self) -> &'static str {
        match self {
            Tok::False => "False",
            Tok::None => "None",
            Tok::True => "True",
            Tok::And => "and",
            Tok::As => "as",
            Tok::Assert => "assert",
            Tok::Async => "async",
            Tok::Await => "await",
            Tok::Break => "break",
            Tok::Class => "class",
            Tok::Continue => "continue",
            Tok::Def => "def",
            Tok::Del => "del",
            Tok::Elif => "elif",
            Tok::Else => "else",
            Tok::Except => "except",
            Tok::Finally => "finally",
            Tok::For => "for",
            Tok::From => "from",
            Tok::Global => "global",
            Tok::If => "if",
            Tok::Import => "import",
            Tok::In => "in",
            Tok::Is => "is",
            Tok::Lambda => "lambda",
            Tok::Nonlocal => "nonlocal",
            Tok::Not => "not",
            Tok::Or => "or",
            Tok::Pass => "pass",
            Tok::Raise => "raise",
            Tok::Return => "return",
            Tok::Try => "try",
            Tok::While => "while",
            Tok::With => "with",
            Tok::Yield => "yield",
            Tok::LPar => "(",
            Tok::RPar => ")",
            Tok::LSqb => "[",
            Tok::RSqb => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::Semi => ";",
            Tok::Dot => ".",
            Tok::Ellipsis => "...",
            Tok::Arrow => "->",
            Tok::Assign => "=",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::DoubleStar => "**",
            Tok::Slash => "/",
            Tok::DoubleSlash => "//",
            Tok::Percent => "%",
            Tok::At => "@",
            Tok::LShift => "<<",
            Tok::RShift => ">>",
            Tok::Amper => "&",
            Tok::VBar => "|",
            Tok::Circumflex => "^",
            Tok::Tilde => "~",
            Tok::Less => "<",
            Tok::Greater => ">",
            Tok::LessEqual => "<=",
            Tok::GreaterEqual => ">=",
            Tok::EqEqual => "==",
            Tok::NotEqual => "!=",
            Tok::PlusEqual => "+=",
            Tok::MinusEqual => "-=",
            Tok::StarEqual => "*=",
            Tok::DoubleStarEqual => "**=",
            Tok::SlashEqual => "/=",
            Tok::DoubleSlashEqual => "//=",
            Tok::PercentEqual => "%=",
            Tok::AtEqual => "@=",
            Tok::LShiftEqual => "<<=",
            Tok::RShiftEqual => ">>=",
            Tok::AmperEqual => "&=",
            Tok::VBarEqual => "|=",
            Tok::CircumflexEqual => "^=",
            Tok::Indent
            | Tok::Dedent
            | Tok::Newline
            | Tok::LineBreak
            | Tok::Name(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Imag(_)
            | Tok::Str(_) => "",
        }
    }
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}
