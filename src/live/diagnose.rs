//! `smartlic diagnose` on one device: read what the catalogue looks at (licensing status,
//! licensing log lines, running config, clock), match it (`crate::diagnose`) and say
//! which planned config lines would carry out each remedy. Read-only: only `show`s.

use super::device::{Device, Facts};
use super::record::{Outcome, Recorder};
use crate::diagnose::{Evidence, diagnose};
use crate::intent::Intent;
use crate::plan::{HostPlan, plan_host};
use crate::render::Templates;
use crate::targets::Target;

/// Reads the rest of the evidence, matches it, and records the findings.
pub(super) async fn run(
    device: &mut Device,
    facts: &Facts,
    plan: &HostPlan,
    preflight: Option<&Intent>,
    record: &mut Recorder<'_>,
) -> Outcome {
    let evidence = collect(device, facts, preflight, record).await;
    let findings = diagnose(device.platform, &evidence, &plan.commands);
    let failed_checks = record
        .run
        .preflight
        .iter()
        .flatten()
        .filter(|c| !c.ok)
        .map(|c| format!("preflight {}", c.check));
    let problems: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}", f.id, f.title))
        .chain(failed_checks)
        .collect();
    let outcome = match problems.is_empty() {
        true => Outcome::Ok,
        false => Outcome::Failed(problems.join("; ")),
    };
    record.run.findings = Some(findings);
    outcome
}

/// The evidence beyond the facts: licensing log lines, the clock, and (with `preflight`)
/// the preflight checks, recorded in the run.
async fn collect(
    device: &mut Device,
    facts: &Facts,
    preflight: Option<&Intent>,
    record: &mut Recorder<'_>,
) -> Evidence {
    record.step("read logs and clock");
    let mut log = Vec::new();
    for command in device.platform.licensing_log_commands() {
        // A release without the command (`% Invalid input`) just has less evidence.
        if let Ok(text) = device.exec(command).await {
            log.extend(Evidence::recent_log(&text));
        }
    }
    let clock_skew = super::preflight::clock_skew(device).await;
    let mut reachable = None;
    if let Some(intent) = preflight {
        record.step("preflight");
        let seen = super::preflight::Seen {
            running: Some(&facts.running),
            clock_skew,
        };
        let checks = super::preflight::run(device, intent, seen).await;
        reachable = checks
            .iter()
            .find(|c| c.check == "destination")
            .map(|c| c.ok);
        record.run.preflight = Some(checks);
    }
    Evidence {
        status: Evidence::lines(&facts.license_status),
        log,
        config: Evidence::lines(&facts.running),
        clock_skew,
        reachable,
    }
}

/// `apply --fix`: diagnoses the device first; where a finding's remedy is an intent
/// setting the intent lacks (`intent_fix`), makes it and plans again. `None`: nothing to
/// fix. The fixes made are recorded in the run.
pub(super) async fn fix(
    target: &Target,
    templates: Option<&Templates>,
    device: &mut Device,
    facts: &Facts,
    plan: &HostPlan,
    record: &mut Recorder<'_>,
) -> Result<Option<(Target, HostPlan)>, String> {
    let evidence = collect(device, facts, None, record).await;
    let findings = diagnose(device.platform, &evidence, &plan.commands);
    let mut fixed = target.clone();
    let mut made = Vec::new();
    for finding in &findings {
        for setting in &finding.intent_fix {
            setting.apply(&mut fixed.host.intent)?;
            made.push(format!("{}: {setting}", finding.id));
        }
    }
    record.run.findings = Some(findings);
    if made.is_empty() {
        return Ok(None);
    }
    record.run.fixes = made;
    match templates {
        Some(templates) => fixed.rerender(templates)?,
        None => fixed.rerender(&Templates::builtin())?,
    }
    let replanned = plan_host(&fixed, Ok(facts.running.clone()));
    Ok(Some((fixed, replanned)))
}
