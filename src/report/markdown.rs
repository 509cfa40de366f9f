//! Markdown for pull-request comments: the counts, then failures first, then one
//! collapsible block per host with its diff and the exact commands.

use std::fmt::Write;

use crate::live::{HostRun, Mode, Outcome};
use crate::plan::HostPlan;
use crate::source::sanitize;

use super::live::Recap;

/// A live run (`plan`, `apply`, `verify`) as a pull-request comment.
pub fn live(runs: &[HostRun], mode: Mode) -> String {
    let r = Recap::of(runs);
    let verb = mode.name();
    let changed = if mode == Mode::Plan {
        "to change"
    } else {
        "changed"
    };
    let mut out = format!(
        "### smartlic {verb}: {} hosts — {} ok, {} {changed}, {} failed, {} unreachable\n\n",
        r.hosts, r.ok, r.changed, r.failed, r.unreachable
    );
    let mut ordered: Vec<&HostRun> = runs.iter().collect();
    ordered.sort_by_key(|run| rank(&run.outcome));
    let failures: Vec<&&HostRun> = ordered
        .iter()
        .filter(|run| rank(&run.outcome) == 0)
        .collect();
    if !failures.is_empty() {
        out.push_str("| host | result | reason |\n|---|---|---|\n");
        for run in failures {
            let word = super::live::result_word(run, mode);
            let reason = super::live::failure(run).unwrap_or_default();
            let _ = writeln!(out, "| `{}` | **{word}** | {} |", run.host, cell(&reason));
        }
        out.push('\n');
    }
    for run in ordered {
        let word = super::live::result_word(run, mode);
        match &run.plan {
            Some(plan) if !plan.diff.is_empty() || !plan.commands.is_empty() => {
                host_block(&mut out, &run.host, word, plan);
            }
            _ => {
                let _ = writeln!(out, "- `{}`: {word}", run.host);
            }
        }
    }
    out
}

/// An offline plan as a pull-request comment.
pub fn plan(plans: &[HostPlan]) -> String {
    let failed = plans.iter().filter(|p| !p.errors.is_empty()).count();
    let changed = plans
        .iter()
        .filter(|p| p.errors.is_empty() && p.changed)
        .count();
    let mut out = format!(
        "### smartlic plan: {} hosts — {changed} to change, {} unchanged, {failed} failed\n\n",
        plans.len(),
        plans.len() - changed - failed
    );
    let mut ordered: Vec<&HostPlan> = plans.iter().collect();
    ordered.sort_by_key(|p| (p.errors.is_empty(), !p.changed));
    for p in ordered {
        if let Some(error) = p.errors.first() {
            let _ = writeln!(out, "- `{}`: **failed** — {}", p.host, cell(error));
        } else if p.changed {
            host_block(&mut out, &p.host, "to change", p);
        } else {
            let _ = writeln!(out, "- `{}`: no changes", p.host);
        }
    }
    out
}

/// Failures first, then changes, then the rest.
fn rank(outcome: &Outcome) -> u8 {
    match outcome {
        Outcome::Failed(_) | Outcome::Unreachable(_) => 0,
        Outcome::Changed => 1,
        Outcome::Ok => 2,
    }
}

fn host_block(out: &mut String, host: &str, word: &str, plan: &HostPlan) {
    let _ = writeln!(
        out,
        "<details><summary><code>{host}</code> ({}, {}): {word}</summary>\n",
        plan.platform, plan.licensing_model
    );
    if !plan.diff.is_empty() {
        let _ = writeln!(out, "```diff\n{}```\n", fenced(&plan.diff));
    }
    if !plan.commands.is_empty() || !plan.exec.is_empty() {
        let mut lines = String::new();
        for (text, depth) in plan.commands.iter().zip(&plan.depths) {
            let _ = writeln!(lines, "{}{text}", " ".repeat(*depth));
        }
        for step in &plan.exec {
            let _ = writeln!(lines, "{step}");
        }
        let _ = writeln!(out, "Commands:\n\n```\n{}```\n", fenced(&lines));
    }
    if let Some(r) = &plan.register {
        let _ = writeln!(
            out,
            "Then `{}` (token from {}).\n",
            r.command, r.token_source
        );
    }
    out.push_str("</details>\n\n");
}

/// Device text inside a code fence: control characters gone, and no line that could
/// close the fence.
fn fenced(text: &str) -> String {
    text.lines()
        .map(|line| format!("{}\n", sanitize(line).replace("```", "ʼʼʼ")))
        .collect()
}

/// Text in a table cell: one line, pipes escaped, HTML left inert.
fn cell(text: &str) -> String {
    sanitize(&text.replace('\n', " "))
        .replace('|', "\\|")
        .replace('<', "&lt;")
}
