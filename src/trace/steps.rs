//! The trace's recorder: every instruction the program's own code runs (the library's,
//! threading's bookkeeping, is left out), numbered from 1; the rows of the window asked
//! for, each with its thread, source line, instruction and the values it reads or writes
//! (`LOAD_GLOBAL balance -> 0`, `STORE_GLOBAL balance <- 5`); every GIL handoff in the
//! window with its reason; over the whole run, which places more than one thread touched
//! and the updates that were lost (a write over another thread's write made after the
//! writer had read the place).

use crate::bytecode::CodeObject;
use crate::bytecode::Opcode as Op;
use crate::bytecode::dis;
use crate::explore::access::{Location, describe, next_access};
use crate::explore::explain::short_value;
use crate::vm::frame::Frame;
use crate::vm::object::Object;
use crate::vm::threads::Observer;
use crate::vm::{Value, Vm};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

/// A code object's instructions as rows show them, by offset / 2.
struct CodeInfo {
    code: Arc<CodeObject>,
    /// (line, opname, dis's argument text)
    instructions: Vec<Option<(u32, &'static str, String)>>,
}

impl CodeInfo {
    fn new(code: &Arc<CodeObject>) -> CodeInfo {
        let mut instructions = vec![None; code.co_code.len() / 2 + 1];
        let mut line = code.co_firstlineno;
        for ins in dis::instructions(code) {
            if let Some(l) = ins.starts_line {
                line = l;
            }
            let Some(op) = ins.opcode else { continue };
            let arg = if ins.argrepr.is_empty() {
                ins.arg.map(|a| a.to_string()).unwrap_or_default()
            } else {
                ins.argrepr
            };
            instructions[ins.offset / 2] = Some((line, op.name(), arg));
        }
        CodeInfo {
            code: code.clone(),
            instructions,
        }
    }
}

/// One row of the trace.
#[derive(Clone, Debug)]
pub enum Row {
    Step(Step),
    /// The GIL went from one thread to another.
    Handoff {
        from: usize,
        to: usize,
        reason: String,
    },
}

#[derive(Clone, Debug)]
pub struct Step {
    pub number: u64,
    pub thread: usize,
    pub line: u32,
    /// The code object (by address) and offset: consecutive steps of one line of one
    /// frame make a line row.
    pub code: usize,
    pub offset: usize,
    /// `LOAD_GLOBAL balance -> 0`, `COMPARE_OP >`, `CALL_FUNCTION 1`.
    pub text: String,
    /// What it touches that another thread could (None: nothing).
    pub place: Option<Location>,
    /// `balance -> 0`, `balance <- 5`: the values of the access, for line rows.
    pub values: Option<String>,
    /// The source line's text.
    pub source: String,
}

/// An update lost: `thread` wrote `place` after `other` had, having read it before.
#[derive(Clone, Debug)]
pub struct LostUpdate {
    location: Location,
    pub step: u64,
    pub thread: usize,
    pub place: String,
    pub value: String,
    /// The step where the overwriting thread had read the place.
    pub read_step: u64,
    pub other: usize,
    pub other_step: u64,
    pub other_value: String,
}

/// A finished trace.
pub struct Trace {
    pub rows: Vec<Row>,
    pub thread_names: Vec<String>,
    pub total_steps: u64,
    pub lost: Vec<LostUpdate>,
    pub lost_count: u64,
    /// Rows were left out past the buffer's bound (`--only-shared` over a long window).
    pub truncated: bool,
}

/// Rows kept from `--from` on while `--only-shared` cannot yet tell which are shared.
const SHARED_BUFFER: usize = 200_000;

/// At most this many lost updates are described; the rest are counted.
const LOST_KEPT: usize = 20;

/// What the run did to one place so far.
#[derive(Default)]
struct PlaceLog {
    threads: Vec<usize>,
    /// A thread wrote it after another thread had touched it: shared, not just set up by
    /// one thread for the others to read.
    contended: bool,
    /// (step, thread, value) of the last write.
    last_write: Option<(u64, usize, String)>,
    /// Each thread's last read (thread, step).
    reads: Vec<(usize, u64)>,
}

pub struct Recorder {
    from: u64,
    steps: u64,
    only_shared: bool,
    step: u64,
    rows: Vec<Row>,
    kept_steps: u64,
    truncated: bool,
    codes: HashMap<usize, Rc<CodeInfo>>,
    last_code: Option<(usize, Rc<CodeInfo>)>,
    places: HashMap<Location, PlaceLog>,
    lost: Vec<LostUpdate>,
    lost_count: u64,
}

impl Recorder {
    pub fn new(from: u64, steps: u64, only_shared: bool) -> Recorder {
        Recorder {
            from: from.max(1),
            steps,
            only_shared,
            step: 0,
            rows: Vec::new(),
            kept_steps: 0,
            truncated: false,
            codes: HashMap::new(),
            last_code: None,
            places: HashMap::new(),
            lost: Vec::new(),
            lost_count: 0,
        }
    }

    fn code_info(&mut self, code: &Arc<CodeObject>) -> Rc<CodeInfo> {
        let key = Arc::as_ptr(code) as usize;
        if let Some((k, info)) = &self.last_code
            && *k == key
        {
            return info.clone();
        }
        let info = self
            .codes
            .entry(key)
            .or_insert_with(|| Rc::new(CodeInfo::new(code)))
            .clone();
        self.last_code = Some((key, info.clone()));
        info
    }

    /// Whether rows are being kept now (the next step is inside the window).
    fn in_window(&self) -> bool {
        self.step + 1 >= self.from && !self.window_full()
    }

    fn window_full(&self) -> bool {
        if self.only_shared {
            self.rows.len() >= SHARED_BUFFER
        } else {
            self.kept_steps >= self.steps
        }
    }

    /// Notes an access of `thread` to `place` at this step; a write may lose an update.
    fn note_access(&mut self, place: &Location, thread: usize, write: bool, value: &str) {
        let in_window = self.step >= self.from && !self.window_full();
        let log = self.places.entry(place.clone()).or_default();
        if write && log.threads.iter().any(|&t| t != thread) {
            log.contended = true;
        }
        if !log.threads.contains(&thread) {
            log.threads.push(thread);
        }
        if !write {
            match log.reads.iter_mut().find(|(t, _)| *t == thread) {
                Some(read) => read.1 = self.step,
                None => log.reads.push((thread, self.step)),
            }
            return;
        }
        let read = log.reads.iter().find(|(t, _)| *t == thread).map(|r| r.1);
        if let (Some(read), Some((at, other, other_value))) = (read, &log.last_write)
            && *other != thread
            && *at > read
        {
            self.lost_count += 1;
            // The first few, and those in the window, which its table names.
            if self.lost.len() < LOST_KEPT || (in_window && self.lost.len() < 4 * LOST_KEPT) {
                self.lost.push(LostUpdate {
                    location: place.clone(),
                    step: self.step,
                    thread,
                    place: String::new(),
                    value: value.to_string(),
                    read_step: read,
                    other: *other,
                    other_step: *at,
                    other_value: other_value.clone(),
                });
            }
        }
        log.last_write = Some((self.step, thread, value.to_string()));
    }

    pub fn finish(mut self, vm: &Vm) -> Trace {
        let shared: HashSet<&Location> = self
            .places
            .iter()
            .filter(|(l, p)| p.contended && !matches!(l, Location::Thread(_)))
            .map(|(l, _)| l)
            .collect();
        if self.only_shared {
            let mut kept = 0;
            let steps = self.steps;
            self.rows.retain(|row| match row {
                Row::Step(s) => {
                    let keep = kept < steps && s.place.as_ref().is_some_and(|p| shared.contains(p));
                    kept += u64::from(keep);
                    keep
                }
                Row::Handoff { .. } => kept < steps,
            });
        }
        // The lost updates' places, named now that the run is over.
        let mut lost = std::mem::take(&mut self.lost);
        for update in &mut lost {
            update.place = describe(vm, &update.location);
        }
        let truncated = self.truncated || (self.only_shared && self.window_full());
        Trace {
            rows: self.rows,
            thread_names: vm.threads.threads.iter().map(|t| t.name.clone()).collect(),
            total_steps: self.step,
            lost,
            lost_count: self.lost_count,
            truncated,
        }
    }
}

impl Observer for Recorder {
    fn step(&mut self, vm: &Vm, f: &Frame) {
        let code = f.code();
        if code.co_filename.starts_with("<minipy ") {
            return;
        }
        self.step += 1;
        let info = self.code_info(code);
        let Some((line, opname, arg)) = info.instructions.get(f.pc / 2).cloned().flatten() else {
            return;
        };
        let thread = vm.threads.current;
        let bottom = vm.frames.is_empty() && thread != 0;
        let ident = bottom.then(|| vm.threads.threads[thread].ident);
        let access = next_access(vm, f, ident);
        let values = values(vm, f, access.as_ref().map(|a| &a.location));
        if let (Some(a), Some(v)) = (&access, &values) {
            let written = v.split_once(" <- ").map_or("", |(_, w)| w);
            self.note_access(&a.location, thread, a.write, written);
        } else if let Some(a) = &access {
            self.note_access(&a.location, thread, a.write, "?");
        }
        if self.step < self.from || self.window_full() {
            return;
        }
        let text = match &values {
            Some(v) => format!("{opname} {v}"),
            None if arg.is_empty() => opname.to_string(),
            None => format!("{opname} {arg}"),
        };
        let source = vm
            .sources
            .get(&code.co_filename)
            .and_then(|lines| lines.get(line.saturating_sub(1) as usize))
            .map_or_else(String::new, |l| l.trim().to_string());
        self.rows.push(Row::Step(Step {
            number: self.step,
            thread,
            line,
            code: Arc::as_ptr(&info.code) as usize,
            offset: f.pc,
            text,
            place: access.map(|a| a.location),
            values,
            source,
        }));
        self.kept_steps += 1;
    }

    fn handoff(&mut self, vm: &Vm, from: usize) {
        let to = vm.threads.current;
        if from == to || !self.in_window() {
            return;
        }
        let reason = super::handoff_reason(vm, from).into_owned();
        self.rows.push(Row::Handoff { from, to, reason });
    }

    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

fn peek(f: &Frame, depth: usize) -> Option<Value> {
    f.stack.len().checked_sub(depth + 1).map(|i| f.stack[i])
}

/// The instruction at `f.pc` and its argument (EXTENDED_ARG folded).
fn instruction(f: &Frame) -> Option<(Op, usize)> {
    let bytes = &f.code().co_code;
    let mut pc = f.pc;
    let mut arg = usize::from(*bytes.get(pc + 1)?);
    while *bytes.get(pc)? == crate::bytecode::opcode::EXTENDED_ARG {
        pc += 2;
        arg = (arg << 8) | usize::from(*bytes.get(pc + 1)?);
    }
    Some((Op::from_byte(bytes[pc])?, arg))
}

/// The values the instruction reads or writes, as `name -> value` / `name <- value`: for
/// names (fast locals, globals, cells), attributes and items. `None` for other
/// instructions.
fn values(vm: &Vm, f: &Frame, place: Option<&Location>) -> Option<String> {
    let (op, arg) = instruction(f)?;
    let code = f.code();
    let show = |v: Option<Value>| v.map_or_else(|| "?".to_string(), |v| short_value(vm, v));
    let local = |i: usize| code.co_varnames.get(i).cloned().unwrap_or_default();
    let name = |i: usize| code.co_names.get(i).cloned().unwrap_or_default();
    Some(match op {
        Op::LOAD_FAST => format!(
            "{} -> {}",
            local(arg),
            show(f.fast.get(arg).copied().flatten())
        ),
        Op::STORE_FAST => format!("{} <- {}", local(arg), show(peek(f, 0))),
        Op::LOAD_GLOBAL | Op::LOAD_NAME => {
            let n = name(arg);
            let namespace = if op == Op::LOAD_NAME {
                f.locals.and_then(|l| vm.dict_get_str(l, &n))
            } else {
                None
            };
            let v = namespace
                .or_else(|| vm.dict_get_str(f.globals, &n))
                .or_else(|| vm.dict_get_str(vm.builtins, &n));
            format!("{n} -> {}", show(v))
        }
        Op::STORE_GLOBAL | Op::STORE_NAME => format!("{} <- {}", name(arg), show(peek(f, 0))),
        Op::LOAD_DEREF | Op::LOAD_CLASSDEREF => {
            let v = f.cells.get(arg).and_then(|c| match vm.heap.get(*c) {
                Object::Cell(v) => *v,
                _ => None,
            });
            format!("{} -> {}", cell_name(code, arg), show(v))
        }
        Op::STORE_DEREF => format!("{} <- {}", cell_name(code, arg), show(peek(f, 0))),
        Op::LOAD_ATTR => {
            let obj = peek(f, 0)?;
            let n = name(arg);
            let v = match vm.heap.get(obj.as_obj()?) {
                Object::Module { dict, .. } => vm.dict_get_str(*dict, &n),
                _ => vm.attr_of_instance(obj, &n),
            };
            format!("{} -> {}", place_name(vm, place, &n), show(v))
        }
        Op::STORE_ATTR => {
            let n = name(arg);
            format!("{} <- {}", place_name(vm, place, &n), show(peek(f, 1)))
        }
        Op::BINARY_SUBSCR => {
            let (container, key) = (peek(f, 1)?, peek(f, 0)?);
            let v = item(vm, container, key);
            format!(
                "{}[{}] -> {}",
                vm.type_name(container),
                show(Some(key)),
                show(v)
            )
        }
        Op::STORE_SUBSCR => {
            let (container, key, v) = (peek(f, 1)?, peek(f, 0)?, peek(f, 2)?);
            format!(
                "{}[{}] <- {}",
                vm.type_name(container),
                show(Some(key)),
                show(Some(v))
            )
        }
        _ => return None,
    })
}

fn cell_name(code: &CodeObject, i: usize) -> String {
    code.co_cellvars
        .iter()
        .chain(&code.co_freevars)
        .nth(i)
        .cloned()
        .unwrap_or_default()
}

/// `Counter.value` for an attribute of an instance, the global's name for a module's.
fn place_name(vm: &Vm, place: Option<&Location>, attr: &str) -> String {
    match place {
        Some(l) => describe(vm, l),
        None => attr.to_string(),
    }
}

/// A list's or dict's item, read without running any Python code (None otherwise).
fn item(vm: &Vm, container: Value, key: Value) -> Option<Value> {
    match vm.heap.get(container.as_obj()?) {
        Object::List(items) | Object::Tuple(items) => {
            let Value::Int(i) = key else { return None };
            let n = items.len() as i64;
            let i = if i < 0 { i + n } else { i };
            items.get(usize::try_from(i).ok()?).copied()
        }
        Object::Dict(_) => {
            let Value::Obj(k) = key else { return None };
            match vm.heap.get(k) {
                Object::Str(s) => vm.dict_get_str(container.as_obj()?, &s.text),
                _ => None,
            }
        }
        _ => None,
    }
}
