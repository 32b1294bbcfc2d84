//! The table that finds the methods of the built-in types: `builtin_method(class, name)`
//! looks along the class's MRO for a built-in type and returns its method (each type's
//! methods live in its own file: list.rs, dict.rs, set.rs, str.rs, bytes.rs ...).

use super::deque::*;
use super::dict::*;
use super::list::*;
use super::number::*;
use super::object::*;
use super::set::*;
use super::str::*;
use super::str_case::*;
use crate::vm::async_gen::{
    ag_aclose, ag_aiter, ag_anext, ag_asend, ag_athrow, st_close, st_next, st_self, st_send,
    st_throw,
};
use crate::vm::generators::{
    co_await, cw_close, cw_next, cw_send, cw_throw, g_close, g_next, g_send, g_throw,
};
use crate::vm::object::{Arity, NativeFn, Object, Owner};
use crate::vm::{ObjRef, Value, Vm};

/// The native method `name` of a built-in class (or of one a user class derives from).
pub fn builtin_method(vm: &mut Vm, class: ObjRef, name: &str) -> Option<Value> {
    let mro = vm.mro_of(class);
    for c in mro {
        let tag = match vm.heap.get(c) {
            Object::Class(k) => match k.builtin {
                Some(t) => t,
                None => continue,
            },
            _ => continue,
        };
        let f = table(tag, name);
        if let Some((n, func)) = f {
            if let Some(&made) = vm.builtin_methods.get(&(tag, n)) {
                return Some(made);
            }
            let method = vm.native(n, func);
            vm.builtin_methods.insert((tag, n), method);
            if let Some(added) = &mut vm.added_since_checkpoint {
                added.builtin_methods.push((tag, n));
            }
            if let Value::Obj(m) = method
                && let Object::Native(native) = vm.heap.get_mut(m)
            {
                native.is_method =
                    !matches!(n, "fromkeys" | "fromhex" | "maketrans" | "from_bytes");
                native.arity = method_arity(tag, n);
                // __new__ takes the class, not a value of the type, first; a set's repr
                // names a subclass (`S({1})`), so it is given the instance itself.
                let sees_instance = n == "__new__"
                    || matches!(
                        (tag, n),
                        (
                            "set" | "frozenset" | "deque" | "bytearray",
                            "__repr__" | "__str__"
                        )
                    );
                native.owner = Owner::of(tag).filter(|_| !sees_instance);
            }
            return Some(method);
        }
    }
    None
}

/// The native method `name` of the built-in type `tag` itself (not its bases).
fn table(tag: &'static str, name: &str) -> Option<(&'static str, NativeFn)> {
    if name.starts_with("__")
        && let Some(found) = super::dunders::lookup(tag, name)
    {
        return Some(found);
    }
    match (tag, name) {
        ("str", "split") => Some(("split", s_split)),
        ("str", "rsplit") => Some(("rsplit", s_rsplit)),
        ("str", "splitlines") => Some(("splitlines", s_splitlines)),
        ("str", "join") => Some(("join", s_join)),
        ("str", "strip") => Some(("strip", s_strip)),
        ("str", "lstrip") => Some(("lstrip", s_lstrip)),
        ("str", "rstrip") => Some(("rstrip", s_rstrip)),
        ("str", "replace") => Some(("replace", s_replace)),
        ("str", "find") => Some(("find", s_find)),
        ("str", "rfind") => Some(("rfind", s_rfind)),
        ("str", "index") => Some(("index", s_index)),
        ("str", "rindex") => Some(("rindex", s_rindex)),
        ("str", "count") => Some(("count", s_count)),
        ("str", "startswith") => Some(("startswith", s_startswith)),
        ("str", "endswith") => Some(("endswith", s_endswith)),
        ("str", "upper") => Some(("upper", s_upper)),
        ("str", "lower") => Some(("lower", s_lower)),
        ("str", "swapcase") => Some(("swapcase", s_swapcase)),
        ("str", "title") => Some(("title", s_title)),
        ("str", "capitalize") => Some(("capitalize", s_capitalize)),
        ("str", "isdigit") => Some(("isdigit", s_isdigit)),
        ("str", "isdecimal") => Some(("isdecimal", s_isdecimal)),
        ("str", "isnumeric") => Some(("isnumeric", s_isnumeric)),
        ("str", "isascii") => Some(("isascii", s_isascii)),
        ("str", "isprintable") => Some(("isprintable", s_isprintable)),
        ("str", "format_map") => Some(("format_map", s_format_map)),
        ("str", "maketrans") => Some(("maketrans", s_maketrans)),
        ("str", "translate") => Some(("translate", s_translate)),
        ("str", "isalpha") => Some(("isalpha", s_isalpha)),
        ("str", "isalnum") => Some(("isalnum", s_isalnum)),
        ("str", "isspace") => Some(("isspace", s_isspace)),
        ("str", "isupper") => Some(("isupper", s_isupper)),
        ("str", "islower") => Some(("islower", s_islower)),
        ("str", "isidentifier") => Some(("isidentifier", s_isidentifier)),
        ("str", "ljust") => Some(("ljust", s_ljust)),
        ("str", "rjust") => Some(("rjust", s_rjust)),
        ("str", "center") => Some(("center", s_center)),
        ("str", "zfill") => Some(("zfill", s_zfill)),
        ("str", "partition") => Some(("partition", s_partition)),
        ("str", "rpartition") => Some(("rpartition", s_rpartition)),
        ("str", "format") => Some(("format", s_format)),
        ("str", "encode") => Some(("encode", s_encode)),
        ("bytes", name) => super::bytes::lookup(name),
        ("array", name) => super::array::lookup(name),
        ("bytearray" | "memoryview", name) if super::bytearray::lookup(tag, name).is_some() => {
            super::bytearray::lookup(tag, name)
        }
        ("range", "index") => Some(("index", r_index)),
        ("range", "count") => Some(("count", r_count)),
        ("slice", "indices") => Some(("indices", sl_indices)),
        ("str", "istitle") => Some(("istitle", s_istitle)),
        ("str", "casefold") => Some(("casefold", s_casefold)),
        ("str", "expandtabs") => Some(("expandtabs", s_expandtabs)),
        ("list", "append") => Some(("append", l_append)),
        ("list", "extend") => Some(("extend", l_extend)),
        ("list", "insert") => Some(("insert", l_insert)),
        ("list", "pop") => Some(("pop", l_pop)),
        ("list", "remove") => Some(("remove", l_remove)),
        ("list", "sort") => Some(("sort", l_sort)),
        ("list", "reverse") => Some(("reverse", l_reverse)),
        ("list", "copy") => Some(("copy", l_copy)),
        ("list" | "dict" | "set", "clear") => Some(("clear", l_clear)),
        ("list" | "tuple", "index") => Some(("index", seq_index)),
        ("list" | "tuple", "count") => Some(("count", seq_count)),
        ("dict", "get") => Some(("get", d_get)),
        ("dict", "keys") => Some(("keys", d_keys)),
        ("dict", "values") => Some(("values", d_values)),
        ("dict", "items") => Some(("items", d_items)),
        ("dict", "pop") => Some(("pop", d_pop)),
        ("dict", "popitem") => Some(("popitem", d_popitem)),
        ("dict", "setdefault") => Some(("setdefault", d_setdefault)),
        ("dict", "update") => Some(("update", d_update)),
        ("list", "__init__") => Some(("__init__", l_init)),
        ("dict", "__init__") => Some(("__init__", d_init)),
        ("set", "__init__") => Some(("__init__", st_init)),
        ("bytearray", "__init__") => Some(("__init__", super::bytearray::ba_init)),
        ("dict" | "set" | "frozenset", "copy") => Some(("copy", d_copy)),
        ("dict", "fromkeys") => Some(("fromkeys", d_fromkeys)),
        ("set", "add") => Some(("add", st_add)),
        ("set", "remove") => Some(("remove", st_remove)),
        ("set", "discard") => Some(("discard", st_discard)),
        ("set", "pop") => Some(("pop", st_pop)),
        ("set", "update") => Some(("update", st_update)),
        ("set", "intersection_update") => Some(("intersection_update", st_intersection_update)),
        ("set", "difference_update") => Some(("difference_update", st_difference_update)),
        ("set", "symmetric_difference_update") => Some((
            "symmetric_difference_update",
            st_symmetric_difference_update,
        )),
        ("set" | "frozenset", "union") => Some(("union", st_union)),
        ("set" | "frozenset", "intersection") => Some(("intersection", st_intersection)),
        ("set" | "frozenset", "difference") => Some(("difference", st_difference)),
        ("set" | "frozenset", "symmetric_difference") => {
            Some(("symmetric_difference", st_symmetric_difference))
        }
        ("set" | "frozenset", "issubset") => Some(("issubset", st_issubset)),
        ("set" | "frozenset", "issuperset") => Some(("issuperset", st_issuperset)),
        ("set" | "frozenset" | "dict_keys" | "dict_items", "isdisjoint") => {
            Some(("isdisjoint", st_isdisjoint))
        }
        ("int" | "bool", "bit_length") => Some(("bit_length", i_bit_length)),
        ("int" | "bool", "to_bytes") => Some(("to_bytes", i_to_bytes)),
        ("int", "from_bytes") => Some(("from_bytes", i_from_bytes)),
        ("float", "is_integer") => Some(("is_integer", f_is_integer)),
        ("float", "as_integer_ratio") => Some(("as_integer_ratio", f_as_integer_ratio)),
        ("float", "hex") => Some(("hex", f_hex)),
        ("float", "fromhex") => Some(("fromhex", f_fromhex)),
        ("int" | "bool" | "float", "conjugate") => Some(("conjugate", super::dunders::conjugate)),
        ("complex", "conjugate") => Some(("conjugate", super::complex::c_conjugate)),
        ("generator" | "coroutine", "send") => Some(("send", g_send)),
        ("coroutine", "__await__") => Some(("__await__", co_await)),
        ("generator", "__next__") => Some(("__next__", g_next)),
        ("generator" | "coroutine", "throw") => Some(("throw", g_throw)),
        ("generator" | "coroutine", "close") => Some(("close", g_close)),
        ("deque", "append") => Some(("append", dq_append)),
        ("deque", "appendleft") => Some(("appendleft", dq_appendleft)),
        ("deque", "pop") => Some(("pop", dq_pop)),
        ("deque", "popleft") => Some(("popleft", dq_popleft)),
        ("deque", "extend") => Some(("extend", dq_extend)),
        ("deque", "extendleft") => Some(("extendleft", dq_extendleft)),
        ("deque", "clear") => Some(("clear", dq_clear)),
        ("deque", "copy" | "__copy__") => Some(("copy", dq_copy)),
        ("deque", "rotate") => Some(("rotate", dq_rotate)),
        ("deque", "reverse") => Some(("reverse", dq_reverse)),
        ("deque", "count") => Some(("count", dq_count)),
        ("deque", "index") => Some(("index", dq_index)),
        ("deque", "insert") => Some(("insert", dq_insert)),
        ("deque", "remove") => Some(("remove", dq_remove)),
        ("coroutine_wrapper", "send") => Some(("send", cw_send)),
        ("coroutine_wrapper", "throw") => Some(("throw", cw_throw)),
        ("coroutine_wrapper", "close") => Some(("close", cw_close)),
        ("coroutine_wrapper", "__next__") => Some(("__next__", cw_next)),
        ("coroutine_wrapper", "__iter__") => Some(("__iter__", st_self)),
        ("async_generator", "__aiter__") => Some(("__aiter__", ag_aiter)),
        ("async_generator", "__anext__") => Some(("__anext__", ag_anext)),
        ("async_generator", "asend") => Some(("asend", ag_asend)),
        ("async_generator", "athrow") => Some(("athrow", ag_athrow)),
        ("async_generator", "aclose") => Some(("aclose", ag_aclose)),
        ("async_generator_asend" | "async_generator_athrow", "send") => Some(("send", st_send)),
        ("async_generator_asend" | "async_generator_athrow", "throw") => Some(("throw", st_throw)),
        ("async_generator_asend" | "async_generator_athrow", "close") => Some(("close", st_close)),
        ("async_generator_asend" | "async_generator_athrow", "__next__") => {
            Some(("__next__", st_next))
        }
        ("async_generator_asend" | "async_generator_athrow", "__iter__") => {
            Some(("__iter__", st_self))
        }
        ("async_generator_asend" | "async_generator_athrow", "__await__") => {
            Some(("__await__", st_self))
        }
        ("BaseException", "__init__") => Some(("__init__", e_init)),
        ("BaseException", "with_traceback") => Some(("with_traceback", e_with_traceback)),
        (_, "__len__")
            if matches!(
                tag,
                "str" | "list" | "tuple" | "dict" | "set" | "frozenset" | "bytes" | "range"
            ) =>
        {
            Some(("__len__", len_method))
        }
        (_, "__contains__")
            if matches!(
                tag,
                "str" | "list" | "tuple" | "dict" | "set" | "frozenset" | "range" | "bytearray"
            ) =>
        {
            Some(("__contains__", contains_method))
        }
        (_, "__getitem__")
            if matches!(
                tag,
                "str" | "list" | "tuple" | "dict" | "range" | "bytes" | "bytearray" | "memoryview"
            ) =>
        {
            Some(("__getitem__", getitem_method))
        }
        (_, "__iter__")
            if matches!(
                tag,
                "str"
                    | "list"
                    | "tuple"
                    | "dict"
                    | "set"
                    | "frozenset"
                    | "range"
                    | "generator"
                    | "bytes"
                    | "bytearray"
                    | "memoryview"
            ) =>
        {
            Some(("__iter__", iter_method))
        }
        (_, "__next__")
            if tag.ends_with("iterator")
                || matches!(tag, "enumerate" | "zip" | "map" | "filter" | "reversed") =>
        {
            Some(("__next__", next_method))
        }
        (_, "__length_hint__") if tag.ends_with("iterator") || tag == "reversed" => {
            Some(("__length_hint__", super::object::length_hint))
        }
        ("lock" | "RLock", "acquire") => Some(("acquire", crate::sched::locks::l_acquire)),
        ("lock" | "RLock", "release") => Some(("release", crate::sched::locks::l_release)),
        ("lock", "locked") => Some(("locked", crate::sched::locks::l_locked)),
        ("RLock", "_release_save") => Some(("_release_save", crate::sched::locks::l_release_save)),
        ("RLock", "_acquire_restore") => {
            Some(("_acquire_restore", crate::sched::locks::l_acquire_restore))
        }
        ("RLock", "_is_owned") => Some(("_is_owned", crate::sched::locks::l_is_owned)),
        ("lock" | "RLock", "__enter__") => Some(("__enter__", crate::sched::locks::l_enter)),
        ("lock" | "RLock", "__exit__") => Some(("__exit__", crate::sched::locks::l_exit)),
        ("object", "__init__") => Some(("__init__", o_init)),
        ("object", "__repr__") => Some(("__repr__", o_repr)),
        (t, "__repr__") if t != "BaseException" => Some(("__repr__", value_repr)),
        ("object", "__str__") => Some(("__str__", o_str)),
        ("object", "__eq__") => Some(("__eq__", o_eq)),
        ("object", "__hash__") => Some(("__hash__", o_hash)),
        ("int" | "bool" | "float" | "str" | "tuple" | "frozenset", "__hash__") => {
            Some(("__hash__", value_hash))
        }
        ("object", "__setattr__") => Some(("__setattr__", o_setattr)),
        ("object", "__delattr__") => Some(("__delattr__", o_delattr)),
        ("object", "__init_subclass__") => Some(("__init_subclass__", o_init)),
        (_, "__new__") => Some(("__new__", o_new)),
        ("type", "__call__") => Some(("__call__", type_call)),
        ("type", "mro") => Some(("mro", super::object::type_mro)),
        (_, "__format__") => Some(("__format__", super::object::o_format)),
        ("type", "__subclasses__") => Some(("__subclasses__", super::class::type_subclasses)),
        ("object", "__getattribute__") => Some(("__getattribute__", o_getattribute)),
        ("object", "__reduce_ex__") => Some(("__reduce_ex__", super::reduce::o_reduce_ex)),
        ("object", "__reduce__") => Some(("__reduce__", super::reduce::o_reduce)),
        _ => None,
    }
}

/// Every name `table` answers for some type (bytes' own methods aside), for dir().
const NAMES: &[&str] = &[
    "__aiter__",
    "__anext__",
    "__await__",
    "__call__",
    "__contains__",
    "__delattr__",
    "__enter__",
    "__eq__",
    "__exit__",
    "__getattribute__",
    "__getitem__",
    "__hash__",
    "__init__",
    "__init_subclass__",
    "__iter__",
    "__len__",
    "__new__",
    "__next__",
    "__repr__",
    "__setattr__",
    "__str__",
    "_acquire_restore",
    "_is_owned",
    "_release_save",
    "aclose",
    "acquire",
    "add",
    "append",
    "appendleft",
    "asend",
    "athrow",
    "bit_length",
    "to_bytes",
    "from_bytes",
    "conjugate",
    "as_integer_ratio",
    "hex",
    "fromhex",
    "capitalize",
    "casefold",
    "center",
    "clear",
    "close",
    "copy",
    "count",
    "difference",
    "difference_update",
    "discard",
    "encode",
    "endswith",
    "expandtabs",
    "extend",
    "extendleft",
    "find",
    "format",
    "format_map",
    "fromkeys",
    "get",
    "index",
    "indices",
    "insert",
    "intersection",
    "intersection_update",
    "is_integer",
    "isalnum",
    "isalpha",
    "isascii",
    "isdecimal",
    "isdigit",
    "isdisjoint",
    "isidentifier",
    "islower",
    "isnumeric",
    "isprintable",
    "isspace",
    "issubset",
    "issuperset",
    "istitle",
    "isupper",
    "items",
    "join",
    "keys",
    "ljust",
    "locked",
    "lower",
    "lstrip",
    "maketrans",
    "partition",
    "pop",
    "popitem",
    "popleft",
    "release",
    "remove",
    "replace",
    "reverse",
    "rfind",
    "rindex",
    "rjust",
    "rotate",
    "rpartition",
    "rsplit",
    "rstrip",
    "send",
    "setdefault",
    "sort",
    "split",
    "splitlines",
    "startswith",
    "strip",
    "swapcase",
    "symmetric_difference",
    "symmetric_difference_update",
    "throw",
    "title",
    "translate",
    "union",
    "update",
    "upper",
    "values",
    "with_traceback",
    "zfill",
];

/// The names of the native methods of the built-in type `tag` (for dir()).
pub fn method_names(tag: &'static str) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = NAMES
        .iter()
        .copied()
        .filter(|n| table(tag, n).is_some())
        .collect();
    for name in super::dunders::names(tag) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match tag {
        "int" | "bool" => names.extend(["real", "imag", "numerator", "denominator"]),
        "float" => names.extend(["real", "imag"]),
        _ => {}
    }
    if tag == "bytes" {
        names.extend(super::bytes::method_names());
    }
    if tag == "array" {
        names.extend(super::array::method_names());
    }
    if matches!(tag, "bytearray" | "memoryview") {
        names.extend(super::bytearray::method_names(tag));
    }
    names
}

/// The positional arguments the everyday methods of lists, tuples, dicts, sets and strs
/// take, as CPython 3.11 checks them; the rest check their own or take any number.
fn method_arity(tag: &'static str, name: &str) -> Arity {
    let Some(owner) = Owner::of(tag) else {
        return Arity::Any;
    };
    match (tag, name) {
        (
            _,
            "reverse" | "copy" | "clear" | "keys" | "values" | "items" | "popitem" | "upper"
            | "lower" | "swapcase" | "title" | "capitalize" | "casefold" | "isdigit" | "isdecimal"
            | "isnumeric" | "isalpha" | "isalnum" | "isspace" | "isupper" | "islower"
            | "isidentifier" | "istitle",
        ) => Arity::NoArgs(owner),
        ("set", "pop") => Arity::NoArgs(owner),
        (
            _,
            "append"
            | "extend"
            | "remove"
            | "add"
            | "discard"
            | "issubset"
            | "issuperset"
            | "isdisjoint"
            | "symmetric_difference"
            | "join"
            | "zfill"
            | "partition"
            | "rpartition",
        ) => Arity::One(owner),
        ("list" | "tuple", "count") => Arity::One(owner),
        (_, "__contains__" | "__getitem__") => Arity::One(owner),
        // 3.7 parses these with PyArg_ParseTuple, ...
        ("list", "insert") => Arity::Parsed(owner, 2, 2),
        ("list", "pop") => Arity::Parsed(owner, 0, 1),
        ("list" | "tuple", "index") => Arity::Parsed(owner, 1, 3),
        ("str", "replace") => Arity::Parsed(owner, 2, 3),
        ("str", "ljust" | "rjust" | "center") => Arity::Parsed(owner, 1, 2),
        // ... and these with argument clinic.
        ("dict", "get" | "pop" | "setdefault") => Arity::Range(owner, 1, 2),
        ("str", "strip" | "lstrip" | "rstrip") => Arity::Range(owner, 0, 1),
        ("str", "find" | "rfind" | "index" | "rindex" | "count" | "startswith" | "endswith") => {
            Arity::Parsed(owner, 1, 3)
        }
        _ => Arity::Any,
    }
}

/// Attributes of class objects beyond their dicts (`dict.fromkeys`, `int.__name__` ...).
pub fn type_attr(vm: &mut Vm, class: ObjRef, name: &str) -> Option<Value> {
    builtin_method(vm, class, name)
}
