//! str's case conversions (upper, lower, swapcase, title, capitalize, casefold) and its
//! character-class tests (isdigit, isalpha, isidentifier ...). bytes reuses them over a
//! text view (bytes.rs).

use super::str::str_recv;
use super::unicode_props as uni;
use crate::vm::object::Args;
use crate::vm::{PyResult, Value, Vm};

type R = PyResult<Value>;

pub(super) fn map_str(vm: &mut Vm, r: Option<Value>, f: impl Fn(&str) -> String) -> R {
    let s = str_recv(vm, r);
    Ok(vm.new_str(f(&s)))
}

pub(super) fn s_upper(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    map_str(vm, r, str::to_uppercase)
}
pub(super) fn s_lower(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    map_str(vm, r, str::to_lowercase)
}
pub(super) fn s_swapcase(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    map_str(vm, r, |s| {
        s.chars()
            .map(|c| {
                if c.is_uppercase() {
                    c.to_lowercase().collect::<String>()
                } else {
                    c.to_uppercase().collect()
                }
            })
            .collect()
    })
}
pub(super) fn s_title(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    map_str(vm, r, |s| {
        let mut out = String::new();
        let mut prev_cased = false;
        for c in s.chars() {
            if prev_cased {
                out.extend(c.to_lowercase());
            } else {
                uni::to_title(c, &mut out);
            }
            prev_cased = uni::is_cased(c);
        }
        out
    })
}
pub(super) fn s_capitalize(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    map_str(vm, r, |s| {
        let mut chars = s.chars();
        match chars.next() {
            Some(c) => c
                .to_uppercase()
                .chain(chars.flat_map(char::to_lowercase))
                .collect(),
            None => String::new(),
        }
    })
}

pub(super) fn predicate(vm: &mut Vm, r: Option<Value>, f: impl Fn(&str) -> bool) -> R {
    let s = str_recv(vm, r);
    Ok(Value::Bool(!s.is_empty() && f(&s)))
}
pub(super) fn s_isdigit(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    predicate(vm, r, |s| s.chars().all(uni::is_digit))
}
pub(super) fn s_isdecimal(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    predicate(vm, r, |s| s.chars().all(uni::is_decimal))
}
pub(super) fn s_isnumeric(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    predicate(vm, r, |s| s.chars().all(uni::is_numeric))
}
pub(super) fn s_isascii(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let s = str_recv(vm, r);
    Ok(Value::Bool(s.is_ascii()))
}
pub(super) fn s_isprintable(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    let s = str_recv(vm, r);
    Ok(Value::Bool(s.chars().all(crate::pyfmt::is_printable)))
}

/// str.casefold: lowercase, plus the full case foldings that lowercasing misses.
pub(super) fn s_casefold(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    map_str(vm, r, |s| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                'ß' | 'ẞ' => out.push_str("ss"),
                'ς' => out.push('σ'),
                'ﬀ' => out.push_str("ff"),
                'ﬁ' => out.push_str("fi"),
                'ﬂ' => out.push_str("fl"),
                'ﬃ' => out.push_str("ffi"),
                'ﬄ' => out.push_str("ffl"),
                'ﬅ' | 'ﬆ' => out.push_str("st"),
                c => out.extend(c.to_lowercase()),
            }
        }
        out
    })
}

pub(super) fn s_isalpha(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    predicate(vm, r, |s| s.chars().all(uni::is_letter))
}
pub(super) fn s_isalnum(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    predicate(vm, r, |s| s.chars().all(uni::is_alnum))
}
pub(super) fn s_isspace(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    predicate(vm, r, |s| s.chars().all(char::is_whitespace))
}
pub(super) fn s_isupper(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    // A titlecase letter (ǅ) is neither.
    predicate(vm, r, |s| {
        s.chars().any(char::is_uppercase)
            && !s.chars().any(|c| c.is_lowercase() || uni::is_titlecase(c))
    })
}
pub(super) fn s_islower(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    predicate(vm, r, |s| {
        s.chars().any(char::is_lowercase)
            && !s.chars().any(|c| c.is_uppercase() || uni::is_titlecase(c))
    })
}
pub(super) fn s_isidentifier(vm: &mut Vm, r: Option<Value>, _: Args) -> R {
    predicate(vm, r, |s| {
        let mut c = s.chars();
        c.next()
            .is_some_and(|f| f == '_' || unicode_ident::is_xid_start(f))
            && c.all(unicode_ident::is_xid_continue)
    })
}
