//! The source tree keeps the shape ARCHITECTURE.md gives it: no file in src/ over 1,000
//! lines, the core (src/vm/) names no module, scheduler or tool, and no two files import
//! each other, directly or round a circle. Imports are read from `use crate::...`,
//! `use super::...` and inline `crate::`/`super::` paths, resolved to the file that
//! defines the module they name.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Every `.rs` file under src/, by its path relative to src/.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix("src").expect("under src/");
                let text = fs::read_to_string(&path).expect("utf-8 source");
                out.insert(rel.to_string_lossy().replace('\\', "/"), text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(Path::new("src"), &mut out);
    out
}

/// The module path a file defines: `vm/eval.rs` is [vm, eval], `vm/mod.rs` is [vm].
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Source without `//` comments (doc comments mention paths they do not import).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file refers to, as (root, segments): `crate::a::b` and `super::x`, with the
/// one level of braces of `use a::{b, c::d}` expanded.
fn references(code: &str) -> Vec<(String, Vec<String>)> {
    let mut refs = Vec::new();
    let bytes = code.as_bytes();
    for root in ["crate", "super"] {
        let mut at = 0;
        while let Some(i) = code[at..].find(root).map(|i| i + at) {
            at = i + root.len();
            let boundary =
                i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
            if !boundary || !code[at..].starts_with("::") {
                continue;
            }
            let rest = &code[at..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let path = &rest[..end];
            let prefix: Vec<String> = path
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if rest[end..].starts_with('{') {
                let close = rest[end..].find('}').map_or(rest.len(), |c| end + c);
                for item in rest[end + 1..close].split(',') {
                    let mut segs = prefix.clone();
                    segs.extend(
                        item.split("::")
                            .map(|s| s.trim().split(' ').next().unwrap_or("").to_string())
                            .filter(|s| !s.is_empty() && s != "{"),
                    );
                    refs.push((root.to_string(), segs));
                }
            } else {
                refs.push((root.to_string(), prefix));
            }
        }
    }
    refs
}

/// The file-level import graph: file -> files it imports.
fn import_graph(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeMap<Vec<String>, String> =
        files.keys().map(|f| (module_of(f), f.clone())).collect();
    let mut graph = BTreeMap::new();
    for (file, text) in files {
        let me = module_of(file);
        let is_dir_module = file.ends_with("mod.rs") || file == "lib.rs" || file == "main.rs";
        let parent: Vec<String> = if is_dir_module {
            me.clone()
        } else {
            me[..me.len().saturating_sub(1)].to_vec()
        };
        let mut targets = BTreeSet::new();
        for (root, mut segs) in references(&code_of(text)) {
            let mut base = if root == "crate" {
                vec![]
            } else {
                parent.clone()
            };
            while segs.first().map(String::as_str) == Some("super") {
                base.pop();
                segs.remove(0);
            }
            // The longest prefix that names a file's module.
            for n in (1..=segs.len()).rev() {
                let mut key = base.clone();
                key.extend_from_slice(&segs[..n]);
                if let Some(target) = modules.get(&key) {
                    if target != file {
                        targets.insert(target.clone());
                    }
                    break;
                }
            }
        }
        graph.insert(file.clone(), targets);
    }
    graph
}

/// A circle of imports, if there is one (depth-first search for a back edge).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in &graph[node] {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = path.iter().position(|p| p == next).expect("on the path");
                    let mut cycle = path[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0
            && let Some(c) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn no_file_is_over_a_thousand_lines() {
    let long: Vec<String> = sources()
        .iter()
        .filter(|(_, text)| text.lines().count() > 1000)
        .map(|(f, text)| format!("src/{f}: {} lines", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split by topic: {long:?}");
}

#[test]
fn the_core_names_no_module_scheduler_or_tool() {
    let files = sources();
    let graph = import_graph(&files);
    let mut offences = Vec::new();
    for (file, targets) in &graph {
        if !file.starts_with("vm/") {
            continue;
        }
        for t in targets {
            let allowed = ["vm/", "bytecode/", "objects/"]
                .iter()
                .any(|folder| t.starts_with(folder))
                || matches!(t.as_str(), "compile/mod.rs" | "pyfmt.rs");
            if !allowed {
                offences.push(format!("src/{file} imports src/{t}"));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
    // The check itself sees imports: the eval loop's opcode table, for one.
    assert!(graph["vm/eval.rs"].contains("bytecode/opcode.rs"));
}

#[test]
fn no_two_files_import_each_other() {
    let graph = import_graph(&sources());
    assert!(graph.len() > 50, "only {} files found", graph.len());
    assert_eq!(find_cycle(&graph), None, "an import circle");
}

#[test]
fn the_cycle_finder_finds_a_planted_circle() {
    let mut files = BTreeMap::new();
    files.insert("a/mod.rs".to_string(), "mod x; mod y;".to_string());
    files.insert("a/x.rs".to_string(), "use super::y::f;".to_string());
    files.insert(
        "a/y.rs".to_string(),
        "fn f() { crate::a::x::g() }".to_string(),
    );
    let cycle = find_cycle(&import_graph(&files));
    assert_eq!(
        cycle,
        Some(vec!["a/x.rs".into(), "a/y.rs".into(), "a/x.rs".into()])
    );
}
