//! The machine-readable documents: stable, versioned (`format_version`), documented in
//! the README, printed as JSON or YAML.

use serde::Serialize;
use serde_json::json;

use crate::plan::{FORMAT_VERSION, HostPlan, Summary};
use crate::source::{Diagnostic, Origin, Severity};
use crate::targets::Target;

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    field: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    /// The hosts whose intent the problem is in.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    hosts: &'a [String],
}

fn diagnostic(d: &Diagnostic) -> JsonDiagnostic<'_> {
    let loc = d.origin.location();
    JsonDiagnostic {
        severity: match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        file: match &d.origin {
            Origin::File(l) => Some(l.path().display().to_string()),
            Origin::CommandLine(what) => Some(what.clone()),
            Origin::Default => None,
        },
        line: loc.map(|l| l.line),
        column: loc.map(|l| l.col),
        field: &d.field,
        message: &d.message,
        help: d.help.as_deref(),
        hosts: &d.hosts,
    }
}

/// `{"format_version": 1, "diagnostics": [...]}` for input that failed validation.
pub fn diagnostics(diags: &[Diagnostic]) -> serde_json::Value {
    let list: Vec<_> = diags.iter().map(diagnostic).collect();
    json!({"format_version": FORMAT_VERSION, "valid": false, "hosts": [], "diagnostics": list})
}

/// The result of `validate`: the hosts and plays found valid, and any warnings.
pub fn validate(targets: &[Target], warnings: &[Diagnostic]) -> serde_json::Value {
    let hosts: Vec<_> = targets
        .iter()
        .map(|t| target(t, "transport", json!(t.host.intent.transport)))
        .collect();
    let list: Vec<_> = warnings.iter().map(diagnostic).collect();
    json!({"format_version": FORMAT_VERSION, "valid": true, "hosts": hosts, "diagnostics": list})
}

/// The plan document: per host, what would change; plus totals.
pub fn plan(plans: &[HostPlan], summary: Summary) -> serde_json::Value {
    json!({"format_version": FORMAT_VERSION, "hosts": plans, "summary": summary})
}

/// The document as text in the chosen format, ending with a newline.
pub fn emit(value: &serde_json::Value, yaml: bool) -> String {
    let mut text = if yaml {
        serde_saphyr::to_string(value).expect("JSON values always serialise to YAML")
    } else {
        serde_json::to_string_pretty(value).expect("JSON values always serialise")
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// `inventory --list`: groups with their direct hosts and children (no variables, so
/// no password can leak), in the spirit of `ansible-inventory --list`.
pub fn inventory(inv: &crate::inventory::Inventory) -> serde_json::Value {
    let groups: serde_json::Map<String, serde_json::Value> = inv
        .groups
        .iter()
        .map(|g| {
            (
                g.name.clone(),
                json!({"hosts": g.hosts, "children": g.children}),
            )
        })
        .collect();
    let hosts: Vec<&str> = inv.hosts.iter().map(|h| h.name.as_str()).collect();
    json!({"format_version": FORMAT_VERSION, "groups": groups, "hosts": hosts})
}

/// `render --format json`: each host's desired config.
pub fn render(targets: &[Target]) -> serde_json::Value {
    let hosts: Vec<_> = targets
        .iter()
        .map(|t| target(t, "config", json!(t.desired)))
        .collect();
    json!({"format_version": FORMAT_VERSION, "hosts": hosts})
}

/// A target's identifying fields plus one more.
fn target(t: &Target, key: &str, value: serde_json::Value) -> serde_json::Value {
    let mut doc = json!({
        "host": t.host.name,
        "play": t.play,
        "platform": t.host.intent.platform,
        "licensing_model": t.host.intent.licensing_model,
    });
    doc[key] = value;
    doc
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_inventory_lists_groups_without_variables() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/inventory/fleet/hosts.yml");
        let inv = crate::inventory::load(&path).unwrap();
        let json = super::inventory(&inv);
        let groups = &json["groups"];
        assert_eq!(groups["all"]["children"][0], "ungrouped");
        assert_eq!(
            groups["ungrouped"]["hosts"],
            serde_json::json!(["lab-csr1.example.net"])
        );
        assert_eq!(groups["dc1"]["children"], serde_json::json!(["dc1_leaves"]));
        // Variables (passwords, vault blobs) are never listed.
        assert!(!json.to_string().contains("ANSIBLE_VAULT"), "{json}");
    }
}
