//! Calls: binding arguments to a Python function's parameters (3.7's rules and messages),
//! the fast path for calls that bind one to one, and native methods called without a
//! bound-method object.

use super::frame::{Frame, Resume};
use super::object::{Arity, DictKey, Function, NativeFn, Object};
use super::{Args, ObjRef, PyResult, Value, Vm};

/// A function's name for error messages: its qualname's last part, found only when an
/// error is actually formatted (binding arguments is on every call's path).
struct ShortName<'a>(&'a str);

impl std::fmt::Display for ShortName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.rsplit('.').next().unwrap_or(self.0))
    }
}

/// What preparing a call produced: a finished native result, or a frame to run.
pub enum Call {
    Done(Value),
    Frame(Box<Frame>),
}

impl Vm {
    /// The function behind `callable` when a call with `nargs` positional arguments binds
    /// them one to one: a plain Python function (not a generator or coroutine, no `*args`,
    /// `**kwargs`, keyword-only parameters or cells) taking exactly `nargs` parameters.
    /// Such a call needs none of `bind_function`'s rules, so the eval loop builds its frame
    /// straight from the value stack (`simple_frame`) without an `Args`.
    pub fn simple_function(&self, callable: Value, nargs: usize) -> Option<ObjRef> {
        use crate::bytecode::code::flags::{
            CO_ASYNC_GENERATOR, CO_COROUTINE, CO_GENERATOR, CO_VARARGS, CO_VARKEYWORDS,
        };
        let Value::Obj(r) = callable else {
            return None;
        };
        let Object::Function(func) = self.heap.get(r) else {
            return None;
        };
        let code = &func.code;
        let simple = code.co_flags
            & (CO_VARARGS | CO_VARKEYWORDS | CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)
            == 0
            && code.co_kwonlyargcount == 0
            && code.co_argcount as usize == nargs
            && code.co_cellvars.is_empty();
        simple.then_some(r)
    }

    /// The function of an unbound native method (`list.append` as LOAD_METHOD found it),
    /// which takes its receiver apart from the arguments.
    pub fn native_method(&self, callable: Value) -> Option<(NativeFn, &'static str, Arity)> {
        match self.heap.get(callable.as_obj()?) {
            Object::Native(n) if n.is_method && n.receiver.is_none() => {
                Some((n.func, n.name, n.arity))
            }
            _ => None,
        }
    }

    /// The frame of a call of a `simple_function`: `first` (a method's receiver) then `args`
    /// become its first fast locals, exactly as `bind_function` would place them.
    pub fn simple_frame(
        &mut self,
        func: ObjRef,
        first: Option<Value>,
        args: &[Value],
    ) -> Box<Frame> {
        let Object::Function(fd) = self.heap.get(func) else {
            unreachable!("simple_function checked it is a function")
        };
        let (consts, globals) = (fd.consts.clone(), fd.globals);
        let closure = fd.closure.clone();
        let mut frame = self.new_frame_with_consts(consts, globals, None, Resume::Push);
        let mut slots = frame.fast.iter_mut();
        for v in first.iter().chain(args) {
            *slots.next().expect("co_nlocals covers the parameters") = Some(*v);
        }
        frame.cells.extend(closure);
        frame
    }

    /// Binds arguments to a Python function's parameters (3.7's rules and messages).
    pub fn bind_function(&mut self, func: &Function, args: Args) -> PyResult<Box<Frame>> {
        let code = func.code.clone();
        let mut frame =
            self.new_frame_with_consts(func.consts.clone(), func.globals, None, Resume::Push);
        let argcount = code.co_argcount as usize;
        let kwonly = code.co_kwonlyargcount as usize;
        let has_varargs = code.co_flags & crate::bytecode::code::flags::CO_VARARGS != 0;
        let has_varkw = code.co_flags & crate::bytecode::code::flags::CO_VARKEYWORDS != 0;
        let name = ShortName(&func.qualname);
        let npos = args.pos.len();
        for (i, v) in args.pos.iter().take(argcount).enumerate() {
            frame.fast[i] = Some(*v);
        }
        let mut slot = argcount + kwonly;
        if has_varargs {
            let extra = if npos > argcount {
                args.pos[argcount..].to_vec()
            } else {
                vec![]
            };
            frame.fast[slot] = Some(self.new_tuple(extra));
            slot += 1;
        } else if npos > argcount {
            let given = npos;
            let msg = if func.defaults.is_empty() {
                format!(
                    "{name}() takes {argcount} positional argument{} but {given} {} given",
                    if argcount == 1 { "" } else { "s" },
                    if given == 1 { "was" } else { "were" }
                )
            } else {
                format!(
                    "{name}() takes from {} to {argcount} positional arguments but {given} were given",
                    argcount - func.defaults.len()
                )
            };
            return Err(self.type_error(&msg));
        }
        let kwdict = if has_varkw {
            let d = self.new_dict();
            frame.fast[slot] = Some(d);
            d.as_obj()
        } else {
            None
        };
        for (k, v) in args.kw {
            let pos = code.co_varnames[..argcount + kwonly]
                .iter()
                .position(|n| *n == k);
            match pos {
                Some(i) => {
                    if frame.fast[i].is_some() {
                        return Err(self.type_error(&format!(
                            "{name}() got multiple values for argument '{k}'"
                        )));
                    }
                    frame.fast[i] = Some(v);
                }
                None => match kwdict {
                    Some(d) => {
                        let key = self.new_str(k.clone());
                        if let Object::Dict(dict) = self.heap.get_mut(d) {
                            dict.insert(DictKey::Str(k.into()), (key, v));
                        }
                    }
                    None => {
                        return Err(self.type_error(&format!(
                            "{name}() got an unexpected keyword argument '{k}'"
                        )));
                    }
                },
            }
        }
        let ndefaults = func.defaults.len();
        let mut missing = Vec::new();
        for i in 0..argcount {
            if frame.fast[i].is_none() {
                if i + ndefaults >= argcount {
                    frame.fast[i] = Some(func.defaults[i + ndefaults - argcount]);
                } else {
                    missing.push(code.co_varnames[i].clone());
                }
            }
        }
        if !missing.is_empty() {
            let list = match missing.len() {
                1 => format!("'{}'", missing[0]),
                2 => format!("'{}' and '{}'", missing[0], missing[1]),
                _ => {
                    let (last, rest) = missing.split_last().expect("several");
                    format!(
                        "{}, and '{last}'",
                        rest.iter()
                            .map(|m| format!("'{m}'"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            };
            return Err(self.type_error(&format!(
                "{name}() missing {} required positional argument{}: {list}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" }
            )));
        }
        for i in argcount..argcount + kwonly {
            if frame.fast[i].is_none() {
                let pname = &code.co_varnames[i];
                match func.kwdefaults.iter().find(|(n, _)| n == pname) {
                    Some((_, v)) => frame.fast[i] = Some(*v),
                    None => {
                        return Err(self.type_error(&format!(
                            "{name}() missing 1 required keyword-only argument: '{pname}'"
                        )));
                    }
                }
            }
        }
        // Arguments that are also cells start in their cell.
        for (ci, cname) in code.co_cellvars.iter().enumerate() {
            if let Some(ai) = code.co_varnames.iter().position(|v| v == cname)
                && let Some(v) = frame.fast[ai]
            {
                let cell = frame.cells[ci];
                *self.heap.get_mut(cell) = Object::Cell(Some(v));
            }
        }
        frame.cells.extend(func.closure.iter().copied());
        Ok(frame)
    }
}
