//! docs/report.schema.json against real reports: an offline plan, live plan, apply and
//! verify runs against the lab, and the fleet status they leave in the run store — and a
//! report that breaks the schema is caught.

use std::path::Path;
use std::process::Command;

use crate::support::{root, smartlic, text};

pub fn validate(reports: &[&Path]) -> (bool, String) {
    let python = crate::lab_parsers::parsers_python();
    let out = Command::new(python)
        .arg(root().join("tests/parsers/schema.py"))
        .arg(root().join("docs/report.schema.json"))
        .args(reports)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

#[test]
fn real_reports_match_the_documented_schema() {
    let dir = tempfile::tempdir().unwrap();
    let mut reports = Vec::new();
    let mut save = |name: &str, args: &[&str]| {
        let out = smartlic(&root(), args);
        let path = dir.path().join(name);
        std::fs::write(&path, &out.stdout).unwrap();
        reports.push(path);
    };
    save(
        "offline.json",
        &[
            "plan",
            "-i",
            "inventory/example/hosts.yml",
            "playbooks/smart-licensing.yml",
            "--offline",
            "--running-dir",
            "tests/fixtures/running",
            "--format",
            "json",
        ],
    );
    let lab = [
        "-i",
        "inventory/lab/hosts.yml",
        "playbooks/smart-licensing.yml",
        "--lab",
    ];
    for verb in ["plan", "apply", "verify", "diagnose"] {
        let mut args = vec![verb];
        if verb == "apply" {
            args.push("--auto-approve");
        }
        args.extend(lab);
        args.extend(["--format", "json"]);
        save(&format!("{verb}.json"), &args);
    }
    // The fleet's status, from the run store those runs wrote to.
    save(
        "status.json",
        &["status", "--format", "json", "--expiring", "100d"],
    );
    // A saved plan: the live plan with its inputs.
    let saved = dir.path().join("saved-plan.json");
    let mut args = vec!["plan"];
    args.extend(lab);
    args.extend(["--out", saved.to_str().unwrap()]);
    smartlic(&root(), &args);
    reports.push(saved);
    let paths: Vec<&Path> = reports.iter().map(|p| p.as_path()).collect();
    let (ok, report) = validate(&paths);
    assert!(ok, "{report}");
    assert_eq!(report.matches("valid ").count(), 7, "{report}");

    // A field the schema does not know is caught: the schema is not vacuous.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&reports[2]).unwrap()).unwrap();
    doc["hosts"][0]["plan"]["surprise"] = serde_json::json!(true);
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, doc.to_string()).unwrap();
    let (ok, report) = validate(&[broken.as_path()]);
    assert!(!ok && report.contains("INVALID"), "{report}");
}
