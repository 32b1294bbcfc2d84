//! UTF-16 and UTF-32, as CPython 3.7's codecs: `utf-16`/`utf-32` write a byte order mark
//! and little-endian units (this machine's order) and read either order by its mark;
//! the `-le`/`-be` forms write no mark. Decoding errors name the byte order read
//! (`'utf-16-le' codec can't decode ...`), with CPython's reasons: truncated data, an
//! unpaired surrogate, a code point past U+10FFFF.

/// A wide codec: the unit width (2 or 4 bytes) and the byte order (None: by the mark).
#[derive(Clone, Copy, PartialEq)]
pub struct Wide {
    width: usize,
    big_endian: Option<bool>,
}

/// Why decoding stopped: an unknown error handler, or a strict error's message.
pub enum Failure {
    Handler,
    Strict(String),
}

impl Wide {
    /// The codec for a normalized name (lowercase, `-` for `_`).
    pub fn named(name: &str) -> Option<Wide> {
        let (width, big_endian) = match name {
            "utf-16" | "utf16" | "u16" => (2, None),
            "utf-16-le" | "utf-16le" => (2, Some(false)),
            "utf-16-be" | "utf-16be" => (2, Some(true)),
            "utf-32" | "utf32" | "u32" => (4, None),
            "utf-32-le" | "utf-32le" => (4, Some(false)),
            "utf-32-be" | "utf-32be" => (4, Some(true)),
            _ => return None,
        };
        Some(Wide { width, big_endian })
    }

    pub fn label(self) -> &'static str {
        match (self.width, self.big_endian) {
            (2, None) => "utf-16",
            (2, Some(false)) => "utf-16-le",
            (2, Some(true)) => "utf-16-be",
            (_, None) => "utf-32",
            (_, Some(false)) => "utf-32-le",
            (_, Some(true)) => "utf-32-be",
        }
    }

    fn unit_bytes(self, unit: u32, big_endian: bool) -> Vec<u8> {
        let bytes = unit.to_le_bytes();
        let mut unit = bytes[..self.width].to_vec();
        if big_endian {
            unit.reverse();
        }
        unit
    }

    pub fn encode(self, text: &str) -> Vec<u8> {
        let big_endian = self.big_endian.unwrap_or(false);
        let mut out = Vec::new();
        if self.big_endian.is_none() {
            out.extend(self.unit_bytes(0xfeff, false));
        }
        for c in text.chars() {
            if self.width == 2 {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.extend(self.unit_bytes(u32::from(*unit), big_endian));
                }
            } else {
                out.extend(self.unit_bytes(c as u32, big_endian));
            }
        }
        out
    }

    pub fn decode(self, bytes: &[u8], errors: &str) -> Result<String, Failure> {
        // The mark decides the order of `utf-16`/`utf-32` (little-endian without one).
        let mark_le = self.unit_bytes(0xfeff, false);
        let mark_be = self.unit_bytes(0xfeff, true);
        let (big_endian, mut at) = match self.big_endian {
            Some(order) => (order, 0),
            None if bytes.starts_with(&mark_be) => (true, self.width),
            None if bytes.starts_with(&mark_le) => (false, self.width),
            None => (false, 0),
        };
        let label = Wide {
            big_endian: Some(big_endian),
            ..self
        }
        .label();
        let unit_at = |i: usize| -> u32 {
            let mut chunk = bytes[i..i + self.width].to_vec();
            if big_endian {
                chunk.reverse();
            }
            chunk
                .iter()
                .rev()
                .fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
        };
        let mut out = String::new();
        while at < bytes.len() {
            let problem = if bytes.len() - at < self.width {
                Some((at, bytes.len(), "truncated data"))
            } else {
                let unit = unit_at(at);
                match (self.width, unit) {
                    (2, 0xd800..=0xdbff) => {
                        if bytes.len() - at < 4 {
                            Some((at, bytes.len().min(at + 2), "unexpected end of data"))
                        } else {
                            let low = unit_at(at + 2);
                            if (0xdc00..=0xdfff).contains(&low) {
                                let c = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                                out.extend(char::from_u32(c));
                                at += 4;
                                continue;
                            }
                            Some((at, at + 2, "illegal UTF-16 surrogate"))
                        }
                    }
                    (2, 0xdc00..=0xdfff) => Some((at, at + 2, "illegal encoding")),
                    _ => match char::from_u32(unit) {
                        Some(c) => {
                            out.push(c);
                            at += self.width;
                            continue;
                        }
                        None => Some((at, at + self.width, "code point not in range(0x110000)")),
                    },
                }
            };
            let Some((start, end, why)) = problem else {
                continue;
            };
            match errors {
                "ignore" => {}
                "replace" => out.push('\u{fffd}'),
                "strict" => {
                    let place = if end - start == 1 {
                        format!("byte 0x{:02x} in position {start}", bytes[start])
                    } else {
                        format!("bytes in position {start}-{}", end - 1)
                    };
                    return Err(Failure::Strict(format!(
                        "'{label}' codec can't decode {place}: {why}"
                    )));
                }
                _ => return Err(Failure::Handler),
            }
            at = end;
        }
        Ok(out)
    }
}
