//! The CI examples under examples/ are valid YAML, and every smartlic command in them is
//! one smartlic's own command line parser accepts (flags that exist, values that parse).

use clap::Parser;

use crate::support::root;

#[test]
fn every_smartlic_command_in_the_ci_examples_parses() {
    let examples: Vec<std::path::PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(examples.len(), 3, "{examples:?}");
    let out = std::process::Command::new(crate::lab_parsers::parsers_python())
        .arg(root().join("tests/parsers/examples.py"))
        .args(&examples)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let commands: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    let verbs: Vec<&str> = commands.iter().map(|c| c[1].as_str()).collect();
    for verb in ["plan", "apply", "report", "status", "renew"] {
        assert!(
            verbs.contains(&verb),
            "no `smartlic {verb}` in the examples"
        );
    }
    for argv in &commands {
        if let Err(e) = smartlic::cli::Cli::try_parse_from(argv) {
            panic!("`{}` does not parse:\n{e}", argv.join(" "));
        }
    }
}
