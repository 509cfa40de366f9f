//! Output for people: plans with coloured diffs, renders, diagnostics, provenance.

use std::fmt::Write;

use crate::intent::HostVars;
use crate::plan::{HostPlan, Summary};
use crate::source::{Diagnostic, Origin, sanitize};
use crate::targets::Target;
use crate::yaml::Node;

/// Whether to colour output (decided once from `--color` and the terminal).
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub(super) fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub(super) fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    pub(super) fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub(super) fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub(super) fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    pub(super) fn cyan(self, text: &str) -> String {
        self.paint("36", text)
    }
}

/// Every diagnostic, separated by blank lines.
pub fn diagnostics(diags: &[Diagnostic], style: Style) -> String {
    let mut out = String::new();
    for d in diags {
        let text = d.to_string();
        let (label, rest) = text.split_once(": ").unwrap_or(("", &text));
        let label = if d.is_error() {
            style.red(label)
        } else {
            style.yellow(label)
        };
        let _ = writeln!(out, "{}: {rest}\n", style.bold(&label));
    }
    out
}

/// Errors that come as one line each (the lab's inventory problems), the way
/// [`diagnostics`] prints its own.
pub fn error_lines(errors: &[String], style: Style) -> String {
    let mut out = String::new();
    for e in errors {
        let _ = writeln!(
            out,
            "{}: {}\n",
            style.bold(&style.red("error")),
            sanitize(e)
        );
    }
    out
}

/// The plan for people: per host a header, the diff, the commands and the steps after.
pub fn plan(
    plans: &[HostPlan],
    summary: Summary,
    indent: impl Fn(&HostPlan) -> usize,
    style: Style,
) -> String {
    let mut out = String::new();
    for p in plans {
        host_plan(&mut out, p, indent(p), style);
    }
    let _ = writeln!(
        out,
        "{} {} {}: {} to change, {} unchanged, {} failed.",
        style.bold("Plan:"),
        summary.hosts,
        if summary.hosts == 1 { "host" } else { "hosts" },
        summary.changed,
        summary.unchanged,
        summary.failed
    );
    out
}

pub(super) fn host_plan(out: &mut String, p: &HostPlan, indent: usize, style: Style) {
    let status = if !p.errors.is_empty() {
        style.red("failed")
    } else if p.changed {
        style.yellow("changes")
    } else {
        style.green("no changes")
    };
    let _ = writeln!(
        out,
        "{} ({}, {}): {status}",
        style.bold(&p.host),
        p.platform,
        p.licensing_model
    );
    for e in &p.errors {
        let _ = writeln!(out, "  {} {}", style.red("error:"), sanitize(e));
    }
    if !p.diff.is_empty() {
        for line in p.diff.lines() {
            let _ = writeln!(out, "  {}", diff_line(line, style));
        }
    }
    if !p.commands.is_empty() {
        let _ = writeln!(out, "  {}", style.bold("commands:"));
        for (text, depth) in p.commands.iter().zip(&p.depths) {
            let _ = writeln!(out, "    {}{}", " ".repeat(depth * indent), sanitize(text));
        }
    }
    if let Some(net) = &p.safety_net {
        safety_net(out, net, style);
    }
    for step in &p.exec {
        let _ = writeln!(out, "  {} {step}", style.bold("then:"));
    }
    if let Some(r) = &p.register {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            style.bold("register:"),
            r.command,
            style.dim(&format!(
                "(token from {}; only if not already {}; wait up to {}s)",
                r.token_source, r.expect.registration, r.expect.timeout_secs
            ))
        );
    }
    out.push('\n');
}

/// The safety net around the change: what arms it, the check, and what follows either way.
fn safety_net(out: &mut String, net: &crate::plan::SafetyNetPlan, style: Style) {
    let label = style.bold("safety net:");
    if net.kind == "none" {
        let _ = writeln!(
            out,
            "  {label} {}",
            style.yellow(&format!("none ({})", sanitize(&net.reason)))
        );
        return;
    }
    let _ = writeln!(
        out,
        "  {label} {} {}",
        net.kind,
        style.dim(&format!("({})", sanitize(&net.reason)))
    );
    for step in &net.before {
        let _ = writeln!(out, "    before: {step}");
    }
    if let Some(enter) = &net.enter {
        let _ = writeln!(out, "    enter:  {enter}");
    }
    let _ = writeln!(out, "    check:  {}", net.check);
    if !net.confirm.is_empty() {
        let _ = writeln!(out, "    passed: {}", net.confirm.join("; "));
    }
    if !net.on_failure.is_empty() {
        let _ = writeln!(out, "    failed: {}", net.on_failure.join("; "));
    } else if let Some(minutes) = net.revert_minutes {
        let _ = writeln!(
            out,
            "    failed: {}",
            style.dim(&format!(
                "nothing is sent: unconfirmed, the device restores its archived config after {minutes} min"
            ))
        );
    }
}

fn diff_line(line: &str, style: Style) -> String {
    let line = sanitize(line);
    if line.starts_with("+++") || line.starts_with("---") {
        style.bold(&line)
    } else if line.starts_with('+') {
        style.green(&line)
    } else if line.starts_with('-') {
        style.red(&line)
    } else if line.starts_with("@@") {
        style.cyan(&line)
    } else {
        line
    }
}

/// Rendered configs: a comment header per host, then the config text.
pub fn render(targets: &[Target], style: Style) -> String {
    let mut out = String::new();
    for t in targets {
        let i = &t.host.intent;
        let header = format!(
            "! {}: {} {} via {} (play \"{}\")",
            t.host.name,
            i.platform,
            i.licensing_model,
            i.transport.name(),
            t.play
        );
        let _ = writeln!(out, "{}", style.dim(&header));
        out.push_str(&t.desired);
        out.push('\n');
    }
    out
}

/// A host's resolved intent, each value followed by where it came from.
pub fn inventory_host(host: &HostVars, vars: &Node, style: Style) -> String {
    let intent = &host.intent;
    let mut out = String::new();
    let version = host
        .os_version
        .map(|v| format!(", os_version {v}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} ({}, {}{version})",
        style.bold(&host.name),
        intent.platform,
        intent.licensing_model
    );
    let c = &host.connection;
    let _ = writeln!(
        out,
        "connection: {}:{}{}{}",
        c.address,
        c.port,
        c.user
            .as_ref()
            .map(|u| format!(" as {u}"))
            .unwrap_or_default(),
        if c.password.is_some() {
            ", password <redacted>"
        } else {
            ""
        }
    );
    let value = serde_json::to_value(intent).expect("an intent always serialises");
    let mut rows = Vec::new();
    flatten("", &value, &mut rows);
    if let Some(token) = &intent.token {
        rows.push(("token".to_string(), token.describe()));
    }
    let width = rows
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .max()
        .unwrap_or(0)
        + 4;
    let _ = writeln!(out, "smart_licensing:");
    for (path, shown) in rows {
        if matches!(path.as_str(), "host" | "platform" | "licensing_model") {
            continue;
        }
        let origin = origin_of(vars, &format!("smart_licensing.{path}"));
        let pad = " ".repeat(width.saturating_sub(path.len() + shown.len()));
        let _ = writeln!(
            out,
            "  {path}: {shown}{pad}{}",
            style.dim(&format!("# {origin}"))
        );
    }
    out
}

/// Leaves of a JSON value as `a.b[0]` paths with their compact text.
fn flatten(prefix: &str, value: &serde_json::Value, rows: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, rows);
            }
        }
        other => rows.push((prefix.to_string(), other.to_string())),
    }
}

/// Where the value at a dotted path was written; `default` when no layer set it.
fn origin_of(vars: &Node, path: &str) -> String {
    let mut node = vars;
    for part in path.split('.') {
        match node.get(part) {
            Some(child) => node = child,
            None => return Origin::Default.to_string(),
        }
    }
    node.origin.to_string()
}
