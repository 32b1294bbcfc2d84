//! String, bytes and f-string literals: prefix and quote handling, escape decoding,
//! implicit concatenation and the f-string mini-language (nested expressions, `!r`/`!s`/`!a`,
//! format specs with nested fields).

use super::ast::*;
use super::error::SyntaxError;
use super::parser;

struct Literal<'a> {
    is_bytes: bool,
    is_raw: bool,
    is_fstring: bool,
    body: &'a str,
    /// Source offset of `body`'s first byte.
    body_offset: usize,
    /// Source offset of the whole token (prefix included).
    token_offset: usize,
}

fn split(offset: usize, raw: &str) -> Literal<'_> {
    let quote_at = raw
        .find(['\'', '"'])
        .expect("the lexer only makes literals with a quote");
    let prefix = raw[..quote_at].to_ascii_lowercase();
    let rest = &raw[quote_at..];
    let q = &rest[..1];
    let quote_len = if rest.len() >= 6 && rest.starts_with(&q.repeat(3)) {
        3
    } else {
        1
    };
    Literal {
        is_bytes: prefix.contains('b'),
        is_raw: prefix.contains('r'),
        is_fstring: prefix.contains('f'),
        body: &rest[quote_len..rest.len() - quote_len],
        body_offset: offset + quote_at + quote_len,
        token_offset: offset,
    }
}

/// Joins adjacent literals (`"a" 'b' f"{c}"`) into one constant or f-string node.
pub fn join(parts: Vec<(usize, String)>, l: usize, r: usize) -> Result<Expr, SyntaxError> {
    let literals: Vec<Literal> = parts.iter().map(|(o, s)| split(*o, s)).collect();
    let any_bytes = literals.iter().any(|lit| lit.is_bytes);
    if any_bytes && !literals.iter().all(|lit| lit.is_bytes) {
        return Err(SyntaxError::at_node(
            "cannot mix bytes and nonbytes literals",
            l,
        ));
    }
    if any_bytes {
        let mut out = Vec::new();
        for lit in &literals {
            out.extend(decode_bytes(lit)?);
        }
        return Ok(Expr::new(ExprKind::Constant(Constant::Bytes(out)), l, r));
    }
    let mut values = Vec::new();
    let mut pending = String::new();
    // As 3.7, any f-string part makes the whole a JoinedStr, fields or not: f"" is
    // BUILD_STRING 0, and f"abc" is no docstring.
    let mut any_fstring = false;
    for lit in &literals {
        if lit.is_fstring {
            any_fstring = true;
            parse_fstring(lit, &mut pending, &mut values, 0)?;
        } else {
            pending.push_str(&decode_str(lit.body, lit.is_raw, lit.body_offset)?);
        }
    }
    if !any_fstring {
        return Ok(Expr::new(ExprKind::Constant(Constant::Str(pending)), l, r));
    }
    flush(&mut pending, &mut values, l, r);
    Ok(Expr::new(ExprKind::JoinedStr(values), l, r))
}

fn flush(pending: &mut String, values: &mut Vec<Expr>, l: usize, r: usize) {
    if !pending.is_empty() {
        values.push(Expr::new(
            ExprKind::Constant(Constant::Str(std::mem::take(pending))),
            l,
            r,
        ));
    }
}

/// Parses an f-string body into `values`; returns whether it held any `{field}`.
fn parse_fstring(
    lit: &Literal,
    pending: &mut String,
    values: &mut Vec<Expr>,
    depth: usize,
) -> Result<bool, SyntaxError> {
    let body = lit.body;
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut literal_start = 0;
    let mut any = false;
    let at = |i: usize| lit.body_offset + i;
    while i < bytes.len() {
        // Doubled braces are literal braces only at the top level (as CPython's
        // fstring_find_literal): in a format spec `{{1}.pop()}` is a field holding a set.
        match bytes[i] {
            b'{' if depth == 0 && bytes.get(i + 1) == Some(&b'{') => {
                pending.push_str(&decode_str(
                    &body[literal_start..i + 1],
                    lit.is_raw,
                    at(literal_start),
                )?);
                i += 2;
                literal_start = i;
            }
            b'}' if depth == 0 && bytes.get(i + 1) == Some(&b'}') => {
                pending.push_str(&decode_str(
                    &body[literal_start..i + 1],
                    lit.is_raw,
                    at(literal_start),
                )?);
                i += 2;
                literal_start = i;
            }
            b'}' => {
                return Err(SyntaxError::at_node(
                    "f-string: single '}' is not allowed",
                    lit.token_offset,
                ));
            }
            b'{' => {
                if depth >= 2 {
                    return Err(SyntaxError::at_node(
                        "f-string: expressions nested too deeply",
                        lit.token_offset,
                    ));
                }
                pending.push_str(&decode_str(
                    &body[literal_start..i],
                    lit.is_raw,
                    at(literal_start),
                )?);
                flush(pending, values, at(i), at(i));
                i = parse_field(lit, i + 1, values, depth)?;
                any = true;
                literal_start = i;
            }
            _ => i += 1,
        }
    }
    pending.push_str(&decode_str(
        &body[literal_start..],
        lit.is_raw,
        at(literal_start),
    )?);
    Ok(any)
}

/// Parses one `{expr!c:spec}` field starting after its `{`; returns the index after its `}`.
fn parse_field(
    lit: &Literal,
    start: usize,
    values: &mut Vec<Expr>,
    depth: usize,
) -> Result<usize, SyntaxError> {
    let body = lit.body;
    let bytes = body.as_bytes();
    let at = |i: usize| lit.body_offset + i;
    let mut i = start;
    let mut nesting = 0usize;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' {
            return Err(SyntaxError::at_node(
                "f-string expression part cannot include a backslash",
                lit.token_offset,
            ));
        }
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
        } else {
            match b {
                b'#' => {
                    return Err(SyntaxError::at_node(
                        "f-string expression part cannot include '#'",
                        lit.token_offset,
                    ));
                }
                b'\'' | b'"' => quote = Some(b),
                b'(' | b'[' | b'{' => nesting += 1,
                b')' | b']' => nesting = nesting.saturating_sub(1),
                b'}' if nesting > 0 => nesting -= 1,
                b'}' | b':' if nesting == 0 => break,
                b'!' if nesting == 0 && bytes.get(i + 1) != Some(&b'=') => break,
                _ => {}
            }
        }
        i += 1;
    }
    if quote.is_some() {
        return Err(SyntaxError::at_node(
            "f-string: unterminated string",
            lit.token_offset,
        ));
    }
    if i >= bytes.len() {
        return Err(SyntaxError::at_node(
            "f-string: expecting '}'",
            lit.token_offset,
        ));
    }
    let text = &body[start..i];
    if text.trim().is_empty() {
        return Err(SyntaxError::at_node(
            "f-string: empty expression not allowed",
            lit.token_offset,
        ));
    }
    let value = parser::parse_fstring_expression(text, at(start))?;
    let mut conversion = None;
    if bytes[i] == b'!' {
        match bytes.get(i + 1) {
            Some(&c @ (b's' | b'r' | b'a')) => conversion = Some(c as char),
            _ => {
                return Err(SyntaxError::at_node(
                    "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                    lit.token_offset,
                ));
            }
        }
        i += 2;
        if i >= bytes.len() || (bytes[i] != b':' && bytes[i] != b'}') {
            return Err(SyntaxError::at_node(
                "f-string: expecting '}'",
                lit.token_offset,
            ));
        }
    }
    let mut format_spec = None;
    if bytes[i] == b':' {
        // The spec runs to the `}` that closes this field; it may hold nested fields.
        let spec_start = i + 1;
        let mut j = spec_start;
        let mut nesting = 0usize;
        while j < bytes.len() {
            match bytes[j] {
                b'{' => nesting += 1,
                b'}' if nesting == 0 => break,
                b'}' => nesting -= 1,
                _ => {}
            }
            j += 1;
        }
        if j >= bytes.len() {
            return Err(SyntaxError::at_node(
                "f-string: expecting '}'",
                lit.token_offset,
            ));
        }
        let spec_lit = Literal {
            is_bytes: false,
            is_raw: lit.is_raw,
            is_fstring: true,
            body: &body[spec_start..j],
            body_offset: at(spec_start),
            token_offset: lit.token_offset,
        };
        let mut spec_pending = String::new();
        let mut spec_values = Vec::new();
        parse_fstring(&spec_lit, &mut spec_pending, &mut spec_values, depth + 1)?;
        flush(&mut spec_pending, &mut spec_values, at(spec_start), at(j));
        format_spec = Some(Box::new(
            if spec_values.len() == 1 && matches!(spec_values[0].node, ExprKind::Constant(_)) {
                spec_values.pop().expect("one value")
            } else {
                Expr::new(ExprKind::JoinedStr(spec_values), at(spec_start), at(j))
            },
        ));
        i = j;
    }
    values.push(Expr::new(
        ExprKind::FormattedValue {
            value: Box::new(value),
            conversion,
            format_spec,
        },
        at(start - 1),
        at(i + 1),
    ));
    Ok(i + 1)
}

fn escape_error(offset: usize, what: &str) -> SyntaxError {
    SyntaxError::at_node(
        format!("(unicode error) 'unicodeescape' codec can't decode bytes: {what}"),
        offset,
    )
}

/// Decodes the escapes of a str literal body (or keeps them, for raw strings).
pub fn decode_str(body: &str, raw: bool, offset: usize) -> Result<String, SyntaxError> {
    if raw || !body.contains('\\') {
        return Ok(body.replace("\r\n", "\n"));
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            if c != '\r' {
                out.push(c);
            }
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\n' => {}
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut value = e.to_digit(8).expect("octal digit");
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(value).expect("octal escapes stay below U+0200"));
            }
            'x' | 'u' | 'U' => {
                let width = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits: String = (0..width)
                    .filter_map(|_| chars.next_if(|c| c.is_ascii_hexdigit()))
                    .collect();
                if digits.len() != width {
                    let what = match e {
                        'x' => "truncated \\xXX escape",
                        'u' => "truncated \\uXXXX escape",
                        _ => "truncated \\UXXXXXXXX escape",
                    };
                    return Err(escape_error(offset, what));
                }
                let value = u32::from_str_radix(&digits, 16).expect("hex digits");
                match char::from_u32(value) {
                    Some(ch) => out.push(ch),
                    None => return Err(escape_error(offset, "illegal Unicode character")),
                }
            }
            'N' => {
                let named = if chars.next_if_eq(&'{').is_some() {
                    let name: String =
                        std::iter::from_fn(|| chars.next_if(|c| *c != '}')).collect();
                    chars
                        .next_if_eq(&'}')
                        .and_then(|_| unicode_names2::character(&name))
                } else {
                    None
                };
                match named {
                    Some(ch) => out.push(ch),
                    None => return Err(escape_error(offset, "malformed \\N character escape")),
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

fn decode_bytes(lit: &Literal) -> Result<Vec<u8>, SyntaxError> {
    if !lit.body.is_ascii() {
        return Err(SyntaxError::at_node(
            "bytes can only contain ASCII literal characters.",
            lit.token_offset,
        ));
    }
    if lit.is_raw || !lit.body.contains('\\') {
        return Ok(lit.body.replace("\r\n", "\n").into_bytes());
    }
    let src = lit.body.as_bytes();
    let mut out = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        let b = src[i];
        i += 1;
        if b != b'\\' {
            if b != b'\r' {
                out.push(b);
            }
            continue;
        }
        let Some(&e) = src.get(i) else {
            out.push(b'\\');
            break;
        };
        i += 1;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match src.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            b'x' => {
                let hex = src
                    .get(i..i + 2)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                let Some(hex) = hex else {
                    return Err(SyntaxError::at_node(
                        format!("(value error) invalid \\x escape at position {}", i - 2),
                        lit.body_offset,
                    ));
                };
                let text = std::str::from_utf8(hex).expect("ascii hex digits");
                out.push(u8::from_str_radix(text, 16).expect("hex digits"));
                i += 2;
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}
