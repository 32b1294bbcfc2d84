//! Explanations: the steps of a schedule that touched what more than one thread touched
//! (one of them writing), per thread, in order, with source line, instruction and the
//! values read and written, ending with the updates that were lost ("Thread-2's write of
//! balance = 8 overwrote Thread-1's write of 5"): the tutorial's hand-drawn table,
//! generated from a real run.

use super::access::{Access, Location};
use crate::bytecode::Opcode as Op;
use crate::vm::frame::Frame;
use crate::vm::object::Object;
use crate::vm::{Value, Vm};
use std::collections::{HashMap, HashSet};

/// A step of a schedule as the explanation shows it.
#[derive(Clone, Debug)]
pub struct Shown {
    pub thread: usize,
    pub access: Access,
    /// `balance -> 0`, `balance <- 5`, `Counter.value -> 1` ...
    pub text: String,
    /// The value written, for lost-update sentences.
    pub written: Option<String>,
}

/// A value as a learner reads it: the repr of a number, string, bool or None; the type
/// name of anything else (no Python code runs to show it).
pub fn short_value(vm: &Vm, v: Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::pyfmt::float_repr(f),
        Value::Obj(r) => match vm.heap.get(r) {
            Object::Str(s) => crate::pyfmt::str_repr(&s.text),
            Object::BigInt(b) => b.to_string(),
            _ => format!("<{}>", vm.type_name(v)),
        },
    }
}

fn peek(f: &Frame, depth: usize) -> Option<Value> {
    f.stack.len().checked_sub(depth + 1).map(|i| f.stack[i])
}

/// The text of an access about to run in frame `f`: the name and the value it reads or
/// writes.
pub fn show(vm: &Vm, f: &Frame, access: &Access, thread: usize) -> Shown {
    let name = match &access.location {
        Location::Global(_, n) => n.clone(),
        Location::Attr(obj, n) => format!("{}.{n}", vm.type_name(Value::Obj(*obj))),
        other => super::access::describe(vm, other),
    };
    let op = Op::from_byte(f.code().co_code[f.pc]);
    let (text, written) = match (&access.location, access.write, op) {
        (Location::Global(dict, n), false, _) => {
            let v = vm
                .dict_get_str(*dict, n)
                .or_else(|| vm.dict_get_str(vm.builtins, n));
            let shown = v.map_or("?".into(), |v| short_value(vm, v));
            (format!("{name} -> {shown}"), None)
        }
        (Location::Global(..), true, Some(Op::STORE_GLOBAL | Op::STORE_NAME)) => {
            let shown = peek(f, 0).map_or("?".into(), |v| short_value(vm, v));
            (format!("{name} <- {shown}"), Some(shown))
        }
        (Location::Attr(obj, n), false, _) => {
            let v = vm.attr_of_instance(Value::Obj(*obj), n);
            let shown = v.map_or("?".into(), |v| short_value(vm, v));
            (format!("{name} -> {shown}"), None)
        }
        (Location::Attr(..), true, Some(Op::STORE_ATTR)) => {
            let shown = peek(f, 1).map_or("?".into(), |v| short_value(vm, v));
            (format!("{name} <- {shown}"), Some(shown))
        }
        (_, write, _) => (
            format!("{} {name}", if write { "writes" } else { "reads" }),
            None,
        ),
    };
    Shown {
        thread,
        access: Access {
            line: f.code().line_at(f.pc),
            ..access.clone()
        },
        text,
        written,
    }
}

/// The explanation of a schedule's shown steps, with `names` the threads' names.
pub fn explain(steps: &[Shown], names: &[String]) -> String {
    // Places more than one thread touched, one of them writing.
    let mut touched: HashMap<&Location, (HashSet<usize>, bool)> = HashMap::new();
    for s in steps {
        let entry = touched.entry(&s.access.location).or_default();
        entry.0.insert(s.thread);
        entry.1 |= s.access.write;
    }
    let shared = |l: &Location| touched.get(l).is_some_and(|(t, w)| t.len() > 1 && *w);
    let shown: Vec<&Shown> = steps
        .iter()
        .filter(|s| shared(&s.access.location))
        .filter(|s| !matches!(s.access.location, Location::Thread(_)))
        .collect();
    let threads: Vec<usize> = {
        let mut t: Vec<usize> = shown.iter().map(|s| s.thread).collect();
        t.sort_unstable();
        t.dedup();
        t
    };
    let cell = |s: &Shown| format!("line {:<3} {} {}", s.access.line, s.access.opname, s.text);
    let width = shown
        .iter()
        .map(|s| cell(s).len())
        .max()
        .unwrap_or(10)
        .max(12);
    let mut out = String::new();
    out.push_str(&format!("  {:>4}", "step"));
    for &t in &threads {
        let name = names
            .get(t)
            .cloned()
            .unwrap_or_else(|| format!("thread {t}"));
        out.push_str(&format!("  {name:<width$}"));
    }
    out.push('\n');
    for (i, s) in shown.iter().enumerate() {
        out.push_str(&format!("  {:>4}", i + 1));
        for &t in &threads {
            let text = if t == s.thread {
                cell(s)
            } else {
                String::new()
            };
            out.push_str(&format!("  {text:<width$}"));
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
    }
    for sentence in lost_updates(&shown, names) {
        out.push_str(&format!("  {sentence}\n"));
    }
    out
}

/// Lost updates: a thread read a place, another wrote it, then the first wrote it too
/// (from what it had read): the second thread's write is overwritten.
fn lost_updates(steps: &[&Shown], names: &[String]) -> Vec<String> {
    let name = |t: usize| {
        names
            .get(t)
            .cloned()
            .unwrap_or_else(|| format!("thread {t}"))
    };
    let mut sentences = Vec::new();
    // Per place: each thread's last read (step index) and the writes since (step, thread).
    let mut last_read: HashMap<(&Location, usize), usize> = HashMap::new();
    // (step, thread, the value written)
    type Write = (usize, usize, Option<String>);
    let mut writes: HashMap<&Location, Vec<Write>> = HashMap::new();
    for (k, s) in steps.iter().enumerate() {
        let loc = &s.access.location;
        if !s.access.write {
            last_read.insert((loc, s.thread), k);
            continue;
        }
        if let Some(&read) = last_read.get(&(loc, s.thread))
            && let Some(list) = writes.get(loc)
        {
            for (at, other, value) in list.iter().rev() {
                if *at > read && *other != s.thread {
                    let place = match loc {
                        Location::Global(_, n) => n.clone(),
                        Location::Attr(_, n) => n.clone(),
                        _ => "it".into(),
                    };
                    sentences.push(format!(
                        "{}'s write of {place} = {} overwrote {}'s write of {}: {}'s update was lost.",
                        name(s.thread),
                        s.written.clone().unwrap_or_else(|| "?".into()),
                        name(*other),
                        value.clone().unwrap_or_else(|| "?".into()),
                        name(*other),
                    ));
                    break;
                }
            }
        }
        writes
            .entry(loc)
            .or_default()
            .push((k, s.thread, s.written.clone()));
    }
    sentences
}
