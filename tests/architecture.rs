//! The architecture's promises, checked on the source tree: the engine (every module under `src/` outside
//! `src/transforms/`) names no transform, and its modules form no cycle. Comments and test modules do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The module's code without its test module (`#[cfg(test)]` followed by `mod`, which by this crate's convention
/// closes a file) and comment lines. A `#[cfg(test)]` helper elsewhere does not hide what follows it.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<&str> = text.lines().collect();
    let tests = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod "))
        .unwrap_or(lines.len());
    lines[..tests].iter().filter(|l| !l.trim_start().starts_with("//")).copied().collect::<Vec<_>>().join("\n")
}

/// The crate modules `code` uses: `crate::name` paths and the names of `crate::{a, b::c}` groups.
fn crate_uses(code: &str) -> BTreeSet<String> {
    let word = |s: &str| -> String { s.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect() };
    let mut uses = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                uses.extend(group.split(',').map(|item| word(item.trim())).filter(|w| !w.is_empty()));
            }
            None => {
                uses.insert(word(rest));
            }
        }
    }
    uses
}

/// The engine's modules: `src/*.rs` but the crate roots.
fn engine_modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_stem().and_then(|n| n.to_str()).map(str::to_string) else { continue };
        if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            modules.insert(name, code_of(&path));
        }
    }
    modules
}

#[test]
fn the_checks_read_groups_and_keep_code_after_a_test_helper() {
    let uses = crate_uses("use crate::{pipeline, report::Mode};\nlet x = crate::edit::Edit::insert(0, \"\");");
    assert_eq!(uses, ["edit", "pipeline", "report"].map(str::to_string).into());
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("m.rs");
    std::fs::write(
        &file,
        "#[cfg(test)]\nfn helper() {}\nuse crate::pipeline;\n#[cfg(test)]\nmod tests {\nuse crate::report;\n}\n",
    )
    .expect("write");
    let code = code_of(&file);
    assert!(code.contains("crate::pipeline") && !code.contains("crate::report"), "{code}");
}

#[test]
fn the_engine_names_no_transform() {
    let ids = express_harden::transforms::all_ids();
    let mut named = Vec::new();
    for (module, code) in engine_modules() {
        // `transforms::{helmet, ...}` groups name transforms too.
        let grouped: Vec<&str> = code
            .match_indices("transforms::{")
            .flat_map(|(at, _)| {
                let group = &code[at + "transforms::{".len()..];
                group[..group.find('}').unwrap_or(group.len())].split(',').map(str::trim)
            })
            .collect();
        for id in &ids {
            let module_name = id.replace('-', "_");
            for needle in [format!("\"{id}\""), format!("transforms::{module_name}")] {
                if code.contains(&needle) {
                    named.push(format!("src/{module}.rs names {needle}"));
                }
            }
            if grouped.iter().any(|item| item.split("::").next() == Some(module_name.as_str())) {
                named.push(format!("src/{module}.rs names transforms::{{{module_name}}}"));
            }
        }
        if code.contains("transforms::shared") {
            named.push(format!("src/{module}.rs uses the transforms' shared helpers"));
        }
    }
    assert!(named.is_empty(), "the engine must not know the transforms:\n{}", named.join("\n"));
}

#[test]
fn engine_modules_form_no_cycle() {
    let modules = engine_modules();
    let names: BTreeSet<&String> = modules.keys().collect();
    let mut graph: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &modules {
        let uses = crate_uses(code).into_iter().filter(|used| used != module && names.contains(used)).collect();
        graph.insert(module, uses);
    }
    // Depth-first search; a module met again on the current path closes a cycle.
    fn visit<'a>(
        module: &'a str,
        graph: &'a BTreeMap<&str, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| *m == module) {
            cycles.push(format!("{} -> {module}", path[at..].join(" -> ")));
            return;
        }
        if !done.insert(module) {
            return;
        }
        path.push(module);
        for next in &graph[module] {
            visit(next, graph, path, done, cycles);
        }
        path.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "cycles among engine modules:\n{}", cycles.join("\n"));
}
