//! `smartlic report merge`: the JSON reports of shards (`--shard i/N`) joined into one,
//! with totals recounted — the contract being that the shards' hosts are the whole run,
//! each host once.

use serde_json::{Value, json};

use crate::plan::FORMAT_VERSION;

/// Joins live run reports (same mode) or offline plan reports; a host in two reports, or
/// reports of different kinds, is an error naming it.
pub fn merge(reports: &[(String, Value)]) -> Result<Value, String> {
    let Some((first_name, first)) = reports.first() else {
        return Err("no reports to merge".into());
    };
    let mode = first.get("mode").cloned();
    let mut hosts: Vec<Value> = Vec::new();
    for (name, report) in reports {
        if report.get("format_version") != Some(&json!(FORMAT_VERSION)) {
            return Err(format!(
                "{name}: not a smartlic report of format {FORMAT_VERSION}"
            ));
        }
        if report.get("mode").cloned() != mode {
            return Err(format!(
                "{name}: a {} report cannot be merged with {first_name}'s {}",
                kind(report),
                kind(first)
            ));
        }
        for host in report["hosts"].as_array().into_iter().flatten() {
            let id = &host["host"];
            if hosts.iter().any(|h| &h["host"] == id) {
                return Err(format!("{name}: host {id} is already in another report"));
            }
            hosts.push(host.clone());
        }
    }
    Ok(match mode {
        Some(mode) => {
            let recap = recap(&hosts);
            json!({"format_version": FORMAT_VERSION, "mode": mode, "hosts": hosts, "recap": recap})
        }
        None => {
            let summary = summary(&hosts);
            json!({"format_version": FORMAT_VERSION, "hosts": hosts, "summary": summary})
        }
    })
}

fn kind(report: &Value) -> String {
    match report.get("mode").and_then(Value::as_str) {
        Some(mode) => format!("live {mode}"),
        None => "offline plan".into(),
    }
}

fn recap(hosts: &[Value]) -> Value {
    let count = |result: &str| {
        hosts
            .iter()
            .filter(|h| h["outcome"]["result"] == result)
            .count()
    };
    json!({
        "hosts": hosts.len(),
        "ok": count("ok"),
        "changed": count("changed"),
        "failed": count("failed"),
        "unreachable": count("unreachable"),
    })
}

fn summary(hosts: &[Value]) -> Value {
    let failed = hosts
        .iter()
        .filter(|h| h["errors"].as_array().is_some_and(|e| !e.is_empty()))
        .count();
    let changed = hosts
        .iter()
        .filter(|h| h["errors"].as_array().is_some_and(|e| e.is_empty()) && h["changed"] == true)
        .count();
    json!({
        "hosts": hosts.len(),
        "changed": changed,
        "unchanged": hosts.len() - changed - failed,
        "failed": failed,
    })
}

/// The exit status the merged run would have had: 1 if any host failed, 2 if a plan has
/// changes and `detailed` (`--detailed-exitcode`), else 0.
pub fn exit_code(merged: &Value, detailed: bool) -> u8 {
    let totals = merged.get("recap").or_else(|| merged.get("summary"));
    let n = |key: &str| {
        totals
            .and_then(|t| t.get(key))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    // An offline plan's document has a `summary` and no mode.
    let plan = merged.get("mode").is_none_or(|m| m == &json!("plan"));
    if n("failed") + n("unreachable") > 0 {
        1
    } else if n("changed") > 0 && plan && detailed {
        2
    } else {
        0
    }
}
