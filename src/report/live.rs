//! Live runs for people and machines: each host's plan (as `plan --offline` prints it),
//! what happened, then a recap per host in Ansible's words.

use std::fmt::Write;

use serde_json::json;

use super::human::{Style, host_plan};
use crate::live::{HostRun, Mode, Outcome};
use crate::plan::FORMAT_VERSION;
use crate::platform::status::LicensingStatus;
use crate::source::sanitize;

/// Counts per outcome, for the recap line and JSON totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Recap {
    pub hosts: usize,
    pub ok: usize,
    pub changed: usize,
    pub failed: usize,
    pub unreachable: usize,
}

impl Recap {
    pub fn of(runs: &[HostRun]) -> Recap {
        let mut recap = Recap {
            hosts: runs.len(),
            ..Recap::default()
        };
        for run in runs {
            match run.outcome {
                Outcome::Ok => recap.ok += 1,
                Outcome::Changed => recap.changed += 1,
                Outcome::Failed(_) => recap.failed += 1,
                Outcome::Unreachable(_) => recap.unreachable += 1,
            }
        }
        recap
    }
}

pub fn human(runs: &[HostRun], mode: Mode, style: Style) -> String {
    let mut out = String::new();
    for run in runs {
        if let Some(findings) = &run.findings {
            super::diagnose::host(&mut out, run, findings, style);
        } else if let Some(plan) = &run.plan {
            host_plan(&mut out, plan, plan.platform.dialect().indent, style);
            if let Some(line) = licensing_line(run) {
                // Under the host's block, before its blank separator line.
                out.pop();
                let _ = writeln!(out, "  {} {line}\n", style.bold("licensing:"));
            }
        } else if let Some(line) = licensing_line(run) {
            // `status --refresh` and `renew` read no config: the state is the news.
            let _ = writeln!(
                out,
                "{}\n  {} {line}\n",
                style.bold(&run.host),
                style.bold("licensing:")
            );
        }
    }
    out.push_str(&recap(runs, mode, style));
    out
}

/// The recap alone: a line per host in Ansible's words, then the totals.
pub fn recap(runs: &[HostRun], mode: Mode, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold(&recap_title(mode)));
    let width = runs.iter().map(|r| r.host.len()).max().unwrap_or(0);
    for run in runs {
        let word = match &run.outcome {
            Outcome::Ok => style.green("ok"),
            Outcome::Changed => style.yellow(changed_word(mode)),
            Outcome::Failed(_) if run.changed => {
                format!("{}, {}", style.yellow("changed"), style.red("failed"))
            }
            Outcome::Failed(_) => style.red("failed"),
            Outcome::Unreachable(_) => style.red("unreachable"),
        };
        let _ = write!(out, "  {:width$}  {word}", run.host);
        if let Some(failure) = failure(run) {
            let joint = if run.failed_step.is_some() { " " } else { ": " };
            let _ = write!(out, "{joint}{failure}");
        }
        let _ = writeln!(
            out,
            "  {}",
            style.dim(&format!("({:.1}s)", run.millis as f64 / 1000.0))
        );
    }
    let r = Recap::of(runs);
    let _ = writeln!(
        out,
        "{} hosts: {} ok, {} {}, {} failed, {} unreachable.",
        r.hosts,
        r.ok,
        r.changed,
        changed_word(mode),
        r.failed,
        r.unreachable
    );
    out
}

/// A failed or unreachable host's reason, with the step it happened in:
/// `in register: registration failed: …`.
pub(super) fn failure(run: &HostRun) -> Option<String> {
    let reason = match &run.outcome {
        Outcome::Failed(reason) | Outcome::Unreachable(reason) => sanitize(reason),
        Outcome::Ok | Outcome::Changed => return None,
    };
    Some(match &run.failed_step {
        Some(step) => format!("in {}: {reason}", sanitize(step)),
        None => reason,
    })
}

/// A host's result in one line: `changed`, `failed in register: …`, `unreachable: …`.
pub fn result(run: &HostRun, mode: Mode) -> String {
    let word = result_word(run, mode);
    match failure(run) {
        Some(why) if run.failed_step.is_some() => format!("{word} {why}"),
        Some(why) => format!("{word}: {why}"),
        None => word.to_string(),
    }
}

/// The result word: Ansible's, with `changed, failed` for a host changed before it failed.
pub(super) fn result_word(run: &HostRun, mode: Mode) -> &'static str {
    match &run.outcome {
        Outcome::Ok => "ok",
        Outcome::Changed => changed_word(mode),
        Outcome::Failed(_) if run.changed => "changed, failed",
        Outcome::Failed(_) => "failed",
        Outcome::Unreachable(_) => "unreachable",
    }
}

/// `REGISTERED / AUTHORIZED (Example Account / Default) → expect REGISTERED / AUTHORIZED`;
/// without a plan (`status`, `renew`), the state and its deadline.
fn licensing_line(run: &HostRun) -> Option<String> {
    let before = run.licensing_before.as_ref()?;
    let Some(plan) = &run.plan else {
        let now = run.licensing_after.as_ref().unwrap_or(before);
        let deadline = now
            .communication_deadline
            .as_deref()
            .or(now.next_ack_deadline.as_deref())
            .map(|d| format!(", deadline {}", sanitize(d)))
            .unwrap_or_default();
        return Some(match &run.licensing_after {
            Some(after) => format!("{} → now {}{deadline}", state(before), state(after)),
            None => format!("{}{deadline}", state(before)),
        });
    };
    let expect = &plan.register.as_ref()?.expect;
    let mut line = state(before);
    if let Some(after) = &run.licensing_after {
        line = format!("{line} → now {}", state(after));
    }
    Some(format!(
        "{line}; expect {} / {}",
        expect.registration, expect.authorization
    ))
}

fn state(s: &LicensingStatus) -> String {
    let words = s.state_words();
    match (&s.smart_account, &s.virtual_account) {
        (Some(a), Some(v)) => format!("{words} ({} / {})", sanitize(a), sanitize(v)),
        _ => words,
    }
}

fn recap_title(mode: Mode) -> String {
    format!("{} RECAP", mode.name().to_uppercase())
}

/// `to change` for a plan, `changed` otherwise.
pub fn changed_word(mode: Mode) -> &'static str {
    match mode {
        Mode::Plan => "to change",
        _ => "changed",
    }
}

/// `{"format_version", "mode", "hosts": [...], "recap": {...}}`.
pub fn json(runs: &[HostRun], mode: Mode) -> serde_json::Value {
    json!({
        "format_version": FORMAT_VERSION,
        "mode": mode,
        "hosts": runs,
        "recap": Recap::of(runs),
    })
}
