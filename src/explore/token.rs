//! Replay tokens: a schedule as short printable text, `mpy1-<program>-<choices>`. The
//! program part is a hash of its compiled form (its dis listing, which is CPython 3.7's and
//! the same on every machine and build); the choices are the decisions that did not keep
//! to the running thread, as (decisions skipped since the last one, thread) pairs in base
//! 36 separated by dots. A token for another program, or another compiled form of it, is
//! refused rather than replayed wrong.

/// FNV-1a, 64 bits: stable across machines, Rust versions and builds.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The program part of a token.
pub fn program_hash(dis_listing: &str) -> String {
    format!("{:012x}", fnv1a(dis_listing.as_bytes()) >> 16)
}

fn base36(mut n: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ascii digits")
}

/// A token for `choices` (decision index, thread): only those that differ from keeping
/// to the running thread need be given (`defaults` says which did not).
pub fn encode(program: &str, choices: &[(usize, usize)]) -> String {
    let mut parts = Vec::new();
    let mut last = 0;
    for &(index, thread) in choices {
        parts.push(base36(index - last));
        parts.push(base36(thread));
        last = index;
    }
    format!("mpy1-{program}-{}", parts.join("."))
}

/// The choices a token holds, if it is well formed and for `program`.
pub fn decode(token: &str, program: &str) -> Result<Vec<(usize, usize)>, String> {
    let token = token.trim();
    let mut fields = token.splitn(3, '-');
    let (Some("mpy1"), Some(hash), Some(body)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(format!(
            "'{token}' is not a replay token (they look like mpy1-<hash>-<choices>)"
        ));
    };
    if hash != program {
        return Err(format!(
            "this replay token is for another program (or another compiled form of it): \
             it was made for {hash}, this program is {program}"
        ));
    }
    let numbers: Result<Vec<usize>, _> = if body.is_empty() {
        Ok(vec![])
    } else {
        body.split('.')
            .map(|n| usize::from_str_radix(n, 36))
            .collect()
    };
    let numbers = numbers.map_err(|_| format!("'{token}' has a malformed choice list"))?;
    if numbers.len() % 2 != 0 {
        return Err(format!("'{token}' has a malformed choice list"));
    }
    let mut index = 0;
    Ok(numbers
        .chunks(2)
        .map(|pair| {
            index += pair[0];
            (index, pair[1])
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_other_programs() {
        let choices = vec![(0, 1), (5, 0), (40, 2), (1300, 1)];
        let token = encode("abc123", &choices);
        assert_eq!(decode(&token, "abc123"), Ok(choices));
        assert!(decode(&token, "ffffff").is_err());
        assert!(decode("mpy1-abc123-1.2.3", "abc123").is_err());
        assert_eq!(decode("mpy1-abc123-", "abc123"), Ok(vec![]));
    }
}
