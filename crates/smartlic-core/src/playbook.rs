//! Playbooks: a YAML list of plays, each naming its hosts, vars and steps.
//!
//! ```yaml
//! - name: Campus switches straight to CSSM
//!   hosts: campus:!lab
//!   vars:
//!     smart_licensing: {transport: direct, token: {env: SMARTLIC_TOKEN}}
//!   steps: [configure, register, verify]
//! ```
//! This module reads and checks the plays' shape; the `vars` are validated with the
//! host's other layers once merged (see [`crate::intent`]).

use std::path::Path;

use serde::Serialize;

use crate::intent::check::{Checker, join};
use crate::source::{Diagnostic, Origin};
use crate::yaml::{self, Node};

/// What a play does to each host, always in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Configure,
    Register,
    Verify,
}

impl Step {
    pub const ALL: [(&'static str, Step); 3] = [
        ("configure", Step::Configure),
        ("register", Step::Register),
        ("verify", Step::Verify),
    ];
}

#[derive(Clone, Debug)]
pub struct Play {
    pub name: String,
    /// The host pattern, in Ansible's pattern syntax.
    pub hosts: String,
    pub hosts_origin: Origin,
    /// The play's variables (a mapping), the lowest layer above platform defaults.
    pub vars: Node,
    /// The steps to run, sorted and without duplicates.
    pub steps: Vec<Step>,
}

const PLAY_KEYS: &[&str] = &["name", "hosts", "vars", "steps"];

/// Reads and checks a playbook; every problem is reported, not only the first.
pub fn load(path: &Path) -> Result<Vec<Play>, Vec<Diagnostic>> {
    let doc = yaml::load_file(path).map_err(|d| vec![d])?;
    let mut c = Checker::default();
    let plays: Vec<Play> = match doc.items() {
        Some(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, node)| play(&mut c, node, i))
            .collect(),
        None => {
            c.error(
                &doc,
                "",
                format!("a playbook is a list of plays, found {}", doc.kind()),
            );
            Vec::new()
        }
    };
    if plays.is_empty() && !c.has_errors() {
        c.error(&doc, "", "the playbook has no plays");
    }
    if c.has_errors() {
        Err(c.diagnostics)
    } else {
        Ok(plays)
    }
}

fn play(c: &mut Checker, node: &Node, index: usize) -> Option<Play> {
    let field = format!("plays[{index}]");
    c.map(node, &field, PLAY_KEYS)?;
    let name = node
        .get("name")
        .and_then(|n| c.string(n, &join(&field, "name")))
        .unwrap_or_else(|| format!("play {}", index + 1));
    let hosts_node = node.get("hosts").filter(|n| !n.is_null());
    let Some(hosts_node) = hosts_node else {
        c.error(
            node,
            &join(&field, "hosts"),
            "is required (a host or group pattern, e.g. `all`)",
        );
        return None;
    };
    let hosts = c.string(hosts_node, &join(&field, "hosts"))?;
    let vars = match node.get("vars").filter(|n| !n.is_null()) {
        Some(vars) if vars.entries().is_some() => Some(vars.clone()),
        Some(vars) => {
            c.error(
                vars,
                &join(&field, "vars"),
                format!("expected a mapping, found {}", vars.kind()),
            );
            None
        }
        None => Some(Node::empty_map(Origin::Default)),
    };
    let steps = steps(c, node.get("steps"), &join(&field, "steps"));
    Some(Play {
        name,
        hosts,
        hosts_origin: hosts_node.origin.clone(),
        vars: vars?,
        steps: steps?,
    })
}

fn steps(c: &mut Checker, node: Option<&Node>, field: &str) -> Option<Vec<Step>> {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return Some(Step::ALL.iter().map(|(_, s)| *s).collect());
    };
    let mut steps = Vec::new();
    for (i, item) in c.list(node, field).iter().enumerate() {
        let step = c.choice(item, &format!("{field}[{i}]"), &Step::ALL)?;
        if steps.contains(&step) {
            c.error(item, &format!("{field}[{i}]"), "is listed twice");
            return None;
        }
        steps.push(step);
    }
    if steps.is_empty() {
        c.error(
            node,
            field,
            "lists no step: give configure, register and/or verify",
        );
        return None;
    }
    steps.sort();
    Some(steps)
}
