//! The workspace's separations, as `cargo metadata` resolves them (every dependency,
//! direct or not): the lab shares no smartlic crate with the client it judges (issue 13),
//! and the core stays offline and synchronous.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

/// The names of every package `package` depends on, through normal dependencies.
fn dependency_closure(package: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
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
