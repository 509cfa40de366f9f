//! The workspace's separations, as `cargo metadata` resolves them (every dependency,
//! direct or not): the lab shares no smartlic crate with the client it judges (issue 13),
//! and the core stays offline and synchronous.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

/// The platform rustc builds for here (`host:` of `rustc -vV`).
fn host_platform() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names its host")
        .to_string()
}

/// The names of every package `package` depends on, through normal dependencies.
fn dependency_closure(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // This machine's platform only: a build fetches no crate that only other platforms
    // need, so offline metadata of every platform would find them missing.
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host_platform()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let name_of: HashMap<&str, &str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let root = name_of
        .iter()
        .find(|(_, name)| **name == package)
        .map(|(id, _)| *id)
        .unwrap_or_else(|| panic!("no package {package} in the workspace"));
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(id) = todo.pop() {
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let normal = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null());
            let dep_id = dep["pkg"].as_str().unwrap();
            if normal && seen.insert(name_of[dep_id].to_string()) {
                todo.push(dep_id);
            }
        }
    }
    seen
}

#[test]
fn the_lab_depends_on_no_smartlic_crate() {
    let deps = dependency_closure("smartlic-lab");
    assert!(deps.contains("russh"), "the closure was read: {deps:?}");
    let ours: Vec<_> = deps.iter().filter(|d| d.starts_with("smartlic")).collect();
    assert!(ours.is_empty(), "the lab depends on {ours:?}");
}

#[test]
fn the_core_needs_no_network_runtime_or_database() {
    let deps = dependency_closure("smartlic-core");
    assert!(deps.contains("minijinja"), "the closure was read: {deps:?}");
    for heavy in [
        "tokio",
        "russh",
        "rusqlite",
        "reqwest",
        "axum",
        "hyper",
        "smartlic-lab",
    ] {
        assert!(!deps.contains(heavy), "smartlic-core depends on {heavy}");
    }
}

/// The top-level modules of the crate at `src` (relative to the repository) and the other
/// top-level modules each one's code names as `crate::…`. Test code (from `#[cfg(test)]`
/// on, and `tests.rs` files) and comments are left out: tests may reach anywhere.
fn module_graph(src: &str) -> BTreeMap<String, BTreeSet<String>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(src);
    let reference = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let relative = path.strip_prefix(&root).unwrap();
            let top = relative
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let top = top.trim_end_matches(".rs").to_string();
            let is_rust = path.extension().is_some_and(|e| e == "rs");
            let is_root = ["lib", "main"].contains(&top.as_str());
            if !is_rust || is_root || path.file_name().unwrap() == "tests.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            let deps = graph.entry(top.clone()).or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for found in reference.captures_iter(line) {
                    if found[1] != top {
                        deps.insert(found[1].to_string());
                    }
                }
            }
        }
    }
    graph
}

/// A path of modules that leads from one back to itself, if any.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_string());
            return Some(cycle);
        }
        if !done.insert(module.to_string()) {
            return None;
        }
        path.push(module.to_string());
        for next in graph.get(module).into_iter().flatten() {
            if graph.contains_key(next)
                && let Some(cycle) = visit(next, graph, path, done)
            {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_s_modules_import_each_other_in_a_cycle() {
    for src in ["src", "crates/smartlic-core/src", "crates/smartlic-lab/src"] {
        let graph = module_graph(src);
        assert!(graph.len() > 5, "{src}: the modules were read: {graph:?}");
        if let Some(cycle) = find_cycle(&graph) {
            panic!("{src}: modules import each other: {}", cycle.join(" -> "));
        }
    }
    // The check finds a cycle where there is one.
    let mut cyclic = BTreeMap::new();
    cyclic.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    cyclic.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(find_cycle(&cyclic).unwrap(), ["a", "b", "a"]);
}
