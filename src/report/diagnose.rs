//! `smartlic diagnose` for people: per host its licensing state, the preflight checks (with
//! `--preflight`), then each finding with the lines that show it, the cause, the remedy
//! and what would carry it out.

use std::fmt::Write;

use super::human::Style;
use crate::diagnose::Finding;
use crate::live::HostRun;
use crate::source::sanitize;

/// The host's block: state line, then its findings (or that none were found).
pub fn host(out: &mut String, run: &HostRun, findings: &[Finding], style: Style) {
    let state = run
        .licensing_before
        .as_ref()
        .map(|s| s.state_words())
        .unwrap_or_else(|| "licensing status unread".into());
    let _ = writeln!(out, "{}  {}", style.bold(&run.host), sanitize(&state));
    let mut preflight_failed = false;
    for check in run.preflight.iter().flatten() {
        let (word, leads_to) = match check.ok {
            true => (style.green("ok  "), String::new()),
            false => (style.red("FAIL"), format!(" ({})", check.scenario)),
        };
        preflight_failed |= !check.ok;
        let _ = writeln!(
            out,
            "  preflight {word} {:<12} {}{leads_to}",
            check.check,
            sanitize(&check.detail)
        );
    }
    if findings.is_empty() {
        let verdict = match preflight_failed {
            true => style.yellow("no catalogue scenario shows yet: fix the preflight failures"),
            false => style.green("no known failure"),
        };
        let _ = writeln!(out, "  {verdict}\n");
        return;
    }
    for f in findings {
        finding(out, f, style);
    }
    out.push('\n');
}

fn finding(out: &mut String, f: &Finding, style: Style) {
    let _ = writeln!(
        out,
        "  {} {}  {}",
        style.red(&f.id),
        sanitize(&f.title),
        style.dim(&format!("({}; fix: {})", f.spec, f.fix_class))
    );
    for (i, line) in f.evidence.iter().enumerate() {
        let label = if i == 0 { "seen:  " } else { "       " };
        let _ = writeln!(out, "    {label} {}", sanitize(line));
    }
    let _ = writeln!(out, "    cause:  {}", sanitize(&f.cause));
    let _ = writeln!(out, "    remedy: {}", sanitize(&f.remedy));
    if !f.config_fix.is_empty() {
        let _ = writeln!(out, "    {}", style.bold("`smartlic apply` fixes it with:"));
        for line in &f.config_fix {
            let _ = writeln!(out, "      {}", style.green(&sanitize(line)));
        }
    } else if f.config_fix_missing {
        let _ = writeln!(
            out,
            "    {}",
            style
                .yellow("the intent does not describe this fix: `smartlic apply` will not make it")
        );
    }
    if let Some(command) = &f.command_fix {
        let _ = writeln!(out, "    to fix: {}", sanitize(command));
    }
}
