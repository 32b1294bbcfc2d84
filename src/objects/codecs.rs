//! str.encode and bytes.decode for the codecs teaching programs use (UTF-8, ASCII,
//! Latin-1, and UTF-16 and UTF-32 in wide.rs) with the `strict`, `ignore` and `replace`
//! error handlers, and CPython's messages for what cannot be encoded or decoded.

use crate::vm::object::{Args, Object};
use crate::vm::{PyResult, Value, Vm};

#[derive(Clone, Copy, PartialEq)]
enum Codec {
    Utf8,
    Ascii,
    Latin1,
    /// UTF-16 or UTF-32 (code units of `width` bytes).
    Wide(super::codecs_wide::Wide),
}

impl Codec {
    fn named(name: &str) -> Option<Codec> {
        let name = name.to_ascii_lowercase().replace('_', "-");
        Some(match name.as_str() {
            "utf-8" | "utf8" | "u8" => Codec::Utf8,
            "ascii" | "us-ascii" | "646" => Codec::Ascii,
            "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" | "latin" => Codec::Latin1,
            other => Codec::Wide(super::codecs_wide::Wide::named(other)?),
        })
    }

    /// The name CPython's messages use.
    fn label(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
            Codec::Wide(wide) => wide.label(),
        }
    }

    /// The highest code point the codec encodes in one byte (UTF-8 encodes everything).
    fn limit(self) -> u32 {
        match self {
            Codec::Utf8 => u32::MAX,
            Codec::Ascii => 0x80,
            Codec::Latin1 => 0x100,
            Codec::Wide(_) => u32::MAX,
        }
    }
}

/// The `encoding` and `errors` arguments, positional or keyword, with their defaults.
fn codec_args(vm: &mut Vm, args: &Args, method: &str) -> PyResult<(Codec, String)> {
    crate::objects::args::check_keywords(vm, args, method, &["encoding", "errors"])?;
    // The argument as text, or 3.7's TypeError: it names a positional argument by its
    // number, a keyword by its name.
    let text_arg = |vm: &mut Vm, i: usize, name: &str| -> PyResult<Option<String>> {
        let (v, label) = match args.pos.get(i) {
            Some(&v) => (v, format!("{}", i + 1)),
            None => match crate::objects::args::kwarg(args, name) {
                Some(v) => (v, format!("'{name}'")),
                None => return Ok(None),
            },
        };
        match vm.str_of(v) {
            Some(text) => Ok(Some(text.to_string())),
            None => {
                let t = vm.type_name(v);
                Err(vm.type_error(&format!("{method}() argument {label} must be str, not {t}")))
            }
        }
    };
    let encoding = text_arg(vm, 0, "encoding")?.unwrap_or_else(|| "utf-8".to_string());
    let errors = text_arg(vm, 1, "errors")?.unwrap_or_else(|| "strict".to_string());
    match Codec::named(&encoding) {
        Some(codec) => Ok((codec, errors)),
        None => Err(vm.new_exception("LookupError", &format!("unknown encoding: {encoding}"))),
    }
}

fn unknown_handler(vm: &mut Vm, errors: &str) -> Value {
    vm.new_exception(
        "LookupError",
        &format!("unknown error handler name '{errors}'"),
    )
}

/// `str.encode(encoding='utf-8', errors='strict')`.
pub fn encode(vm: &mut Vm, text: &str, args: &Args) -> PyResult<Value> {
    let (codec, errors) = codec_args(vm, args, "encode")?;
    match codec {
        Codec::Utf8 => return Ok(vm.alloc(Object::Bytes(text.as_bytes().to_vec()))),
        Codec::Wide(wide) => return Ok(vm.alloc(Object::Bytes(wide.encode(text)))),
        _ => {}
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i] as u32;
        if c < codec.limit() {
            out.push(c as u8);
            i += 1;
            continue;
        }
        match errors.as_str() {
            "ignore" => {}
            "replace" => out.push(b'?'),
            "strict" => {
                // CPython reports the whole run of characters the codec cannot encode.
                let end = (i..chars.len())
                    .find(|&j| (chars[j] as u32) < codec.limit())
                    .unwrap_or(chars.len());
                let what = if end - i == 1 {
                    let shown =
                        crate::pyfmt::ascii_escape(&crate::pyfmt::str_repr(&chars[i].to_string()));
                    format!("character {shown} in position {i}")
                } else {
                    format!("characters in position {i}-{}", end - 1)
                };
                let msg = format!(
                    "'{}' codec can't encode {what}: ordinal not in range({})",
                    codec.label(),
                    codec.limit()
                );
                return Err(vm.new_exception("UnicodeEncodeError", &msg));
            }
            _ => return Err(unknown_handler(vm, &errors)),
        }
        i += 1;
    }
    Ok(vm.alloc(Object::Bytes(out)))
}

/// `bytes.decode(encoding='utf-8', errors='strict')`.
pub fn decode(vm: &mut Vm, bytes: &[u8], args: &Args) -> PyResult<Value> {
    let (codec, errors) = codec_args(vm, args, "decode")?;
    let mut out = String::with_capacity(bytes.len());
    match codec {
        Codec::Wide(wide) => match wide.decode(bytes, &errors) {
            Ok(text) => out = text,
            Err(super::codecs_wide::Failure::Handler) => return Err(unknown_handler(vm, &errors)),
            Err(super::codecs_wide::Failure::Strict(msg)) => {
                return Err(vm.new_exception("UnicodeDecodeError", &msg));
            }
        },
        Codec::Latin1 => out.extend(bytes.iter().map(|&b| char::from(b))),
        Codec::Ascii => {
            for (i, &b) in bytes.iter().enumerate() {
                if b < 0x80 {
                    out.push(char::from(b));
                    continue;
                }
                match errors.as_str() {
                    "ignore" => {}
                    "replace" => out.push('\u{fffd}'),
                    "strict" => {
                        let msg = format!(
                            "'ascii' codec can't decode byte 0x{b:02x} in position {i}: ordinal not in range(128)"
                        );
                        return Err(vm.new_exception("UnicodeDecodeError", &msg));
                    }
                    _ => return Err(unknown_handler(vm, &errors)),
                }
            }
        }
        Codec::Utf8 => {
            let mut rest = bytes;
            let mut offset = 0;
            loop {
                match std::str::from_utf8(rest) {
                    Ok(valid) => {
                        out.push_str(valid);
                        break;
                    }
                    Err(e) => {
                        let good = e.valid_up_to();
                        out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                        let bad_len = e.error_len().unwrap_or(rest.len() - good);
                        match errors.as_str() {
                            "ignore" => {}
                            "replace" => out.push('\u{fffd}'),
                            "strict" => {
                                let at = offset + good;
                                let byte = rest[good];
                                let why = match e.error_len() {
                                    None => "unexpected end of data",
                                    Some(_) if starts_sequence(byte) => "invalid continuation byte",
                                    Some(_) => "invalid start byte",
                                };
                                let msg = format!(
                                    "'utf-8' codec can't decode byte 0x{byte:02x} in position {at}: {why}"
                                );
                                return Err(vm.new_exception("UnicodeDecodeError", &msg));
                            }
                            _ => return Err(unknown_handler(vm, &errors)),
                        }
                        offset += good + bad_len;
                        rest = &rest[good + bad_len..];
                    }
                }
            }
        }
    }
    Ok(vm.new_str(out))
}

/// Whether `b` can begin a multi-byte UTF-8 sequence (so an error after it is in a
/// continuation byte).
fn starts_sequence(b: u8) -> bool {
    matches!(b, 0xc2..=0xf4)
}
