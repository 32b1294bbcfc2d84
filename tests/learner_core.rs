//! The core's object model, builtins and native modules against CPython 3.7: each learner
//! program listed here (tests/learner/NAME.mpy) must print exactly what python3.7 printed
//! (stdout, exit status and the last line of stderr, recorded in `.expected` by
//! scripts/record_corpus37.py). Programs that depend on reference-counting timing (an object
//! freed the moment its last reference goes) are not listed: minipy's collector traces.

mod common;
use common::check_programs;

/// exec, eval, compile, dir, vars, globals and locals; imports from source files.
const NAMESPACES: &[&str] = &[
    "builtin_compile",
    "builtin_compile_errors",
    "builtin_dir",
    "builtin_eval",
    "builtin_exec_eval_details",
    "builtin_exec_function_locals",
    "builtin_exec_globals",
    "builtin_vars_locals",
    "byterun_exec_dict",
    "import_files",
];

/// The object model: reprs, comparisons, keys decided by __eq__, function attributes, bound
/// methods, reversed(), weak proxies and methods.
const OBJECT_MODEL: &[&str] = &[
    "builtin_reversed_sequence",
    "builtin_container_corners",
    "builtin_more_corners",
    "error_texts_calls_str",
    "slice_index_fromhex_property",
    "repr_str_subclass_zero_division",
    "codecs_utf16_utf32",
    "set_name_error_str_of_repr",
    "iterator_types_subclassed",
    "unittest_module",
    "del_dict_split_keywords",
    "instance_attrs_shared_names",
    "iterator_type_names",
    "super_mappingproxy_fstring_spec",
    "metaclass_prepare_mapping_locals",
    "class_bases_subclasses",
    "exception_fields_outside_dict",
    "getattribute_metaclass_numbers",
    "dict_keys_custom_eq_numbers",
    "module_dict_format_printable",
    "slots_and_class_assignment",
    "chainmap_userdict_metaclass_hooks",
    "dict_keys_by_eq",
    "func_attributes_basic",
    "func_attributes_custom",
    "func_qualname_nested",
    "obj_bound_method_eq",
    "obj_eq_ne_order",
    "obj_int_subclass_key",
    "obj_repr_object",
    "obj_repr_recursion",
    "mod_weakref_finalize",
    "mod_weakref_proxy_method",
];

/// Generators: throw, StopIteration inside, re-entrance.
const GENERATORS: &[&str] = &[
    "gen_already_executing",
    "gen_stopiteration_escapes",
    "gen_throw_stopiteration",
];

/// Numbers and text: int/float conversions, % formatting, complex and cmath, bytearray,
/// memoryview, math.
const NUMBERS_AND_TEXT: &[&str] = &[
    "builtin_float_dunder",
    "builtin_int_to_bytes",
    "builtin_int_trunc",
    "builtin_ord_bytes",
    "bytearray_memoryview_corners",
    "bytearray_methods",
    "bytes_percent_format",
    "complex_basics",
    "complex_cmath",
    "complex_constructor",
    "complex_corners",
    "complex_errors",
    "math_factorial_gcd",
    "math_fmod_modf",
    "math_gamma_erf_values",
    "math_pow_edges",
    "math_special_functions",
    "memoryview_methods",
    "str_percent_corners",
    "str_percent_dict",
    "str_percent_errors",
];

/// Syntax and source reading.
const SYNTAX: &[&str] = &[
    "builtin_literal_item_assign",
    "syntax_cr_only_source",
    "syntax_crlf_exec",
    "syntax_crlf_source",
];

/// sys and time.
const SYS_AND_TIME: &[&str] = &[
    "mod_time_calendar",
    "mod_time_gmtime",
    "sys_misc_attributes",
    "sys_modules_sync",
    "sys_stdout_buffer",
];

/// struct and array.
const STRUCT_AND_ARRAY: &[&str] = &[
    "mod_array_basic",
    "mod_array_corners",
    "mod_struct_basic",
    "mod_struct_corners",
    "mod_struct_errors",
    "mod_struct_ranges",
];

const DIR: &str = "tests/learner";

#[test]
fn namespaces() {
    check_programs(DIR, NAMESPACES);
}

#[test]
fn object_model() {
    check_programs(DIR, OBJECT_MODEL);
}

#[test]
fn generators() {
    check_programs(DIR, GENERATORS);
}

#[test]
fn numbers_and_text() {
    check_programs(DIR, NUMBERS_AND_TEXT);
}

#[test]
fn syntax() {
    check_programs(DIR, SYNTAX);
}

#[test]
fn sys_and_time() {
    check_programs(DIR, SYS_AND_TIME);
}

#[test]
fn struct_and_array() {
    check_programs(DIR, STRUCT_AND_ARRAY);
}
