//! One host in a live run: connect, read its facts, plan, and (for `apply`) push the
//! planned lines, save, register and verify. Every step is recorded; the first failure
//! ends the host with the step and the device's own words.

use std::time::{Duration, Instant};

use super::device::{Device, DeviceError};
use super::poll::{poll_wait, read_status};
use super::record::{HostRun, Mode, Outcome, Recorder};
use super::{LiveOptions, Progress, interrupt};
use crate::diagnose::Evidence;
use crate::intent::{TokenSource, Transport};
use crate::plan::{HostPlan, plan_host};
use crate::platform::status::parse_version;
use crate::platform::status::{LicensingStatus, Registration, parse_license_status};
use crate::platform::version::{Version, model_of};
use crate::platform::{LicensingModel, Platform};
use crate::playbook::Step;
use crate::targets::Target;

/// Runs one host within the run's per-host deadline.
#[tracing::instrument(name = "host", skip_all, fields(host = %target.host.name))]
pub async fn run_bounded(
    target: &Target,
    options: &LiveOptions,
    progress: &dyn Progress,
) -> HostRun {
    let started = Instant::now();
    let mut record = Recorder::new(&target.host.name, progress);
    let deadline = options.host_deadline;
    let outcome = match tokio::time::timeout(deadline, run(target, options, &mut record)).await {
        Ok(outcome) => outcome,
        // Logged in: the device was reached, and a step did not finish in time.
        Err(_) if record.run.negotiated.is_some() => Outcome::Failed(format!(
            "timed out in {} after {}s (the host deadline, --host-timeout)",
            record.current_step().unwrap_or("connect"),
            deadline.as_secs()
        )),
        Err(_) => Outcome::Unreachable(format!(
            "no SSH session within the host deadline ({}s)",
            deadline.as_secs()
        )),
    };
    let mut run = record.run;
    // A diagnosis's findings are what it reports, not a step that failed.
    let broke = matches!(outcome, Outcome::Failed(_) | Outcome::Unreachable(_));
    if broke && options.mode != Mode::Diagnose {
        run.failed_step = run.steps.last().map(|s| s.step.clone());
    }
    run.outcome = outcome;
    run.millis = started.elapsed().as_millis();
    tracing::info!(outcome = ?run.outcome, millis = run.millis as u64, "host done");
    run
}

async fn run(target: &Target, options: &LiveOptions, record: &mut Recorder<'_>) -> Outcome {
    let vars = &target.host;
    record.step("connect");
    let ssh_target =
        super::device::target(&vars.name, &vars.connection, options.known_hosts.as_deref());
    let mut device = match Device::open_logged(
        &ssh_target,
        vars.intent.platform,
        vars.connection.enable_secret.as_ref(),
        options.session_log.as_deref(),
    )
    .await
    {
        Ok(device) => device,
        Err(DeviceError::Ssh(e)) => return Outcome::Unreachable(e.to_string()),
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    record.run.negotiated = Some(device.negotiated.clone());
    let outcome = work(target, options, &mut device, record).await;
    record.run.sent = device.sent();
    device.close().await;
    outcome
}

async fn work(
    target: &Target,
    options: &LiveOptions,
    device: &mut Device,
    record: &mut Recorder<'_>,
) -> Outcome {
    match options.mode {
        Mode::Status => return observe(device, record).await,
        Mode::Renew => return super::renew::renew(target, options, device, record).await,
        Mode::Plan | Mode::Apply | Mode::Verify | Mode::Diagnose => {}
    }
    record.step("read facts");
    let facts = match device.facts().await {
        Ok(facts) => facts,
        Err(e) => return Outcome::Failed(format!("reading the device: {e}")),
    };
    let mut target = match &target.model_choice {
        None => target,
        Some(choice) => match device_model(target, &facts.version) {
            Some(model) => match choice.pick(model) {
                Ok(reading) => reading,
                Err(errors) => {
                    return Outcome::Failed(format!(
                        "the device runs {} licensing, for which the intent is invalid: {errors}",
                        model_name(model)
                    ));
                }
            },
            None => {
                return Outcome::Failed(
                    "`show version` gives no release to decide the licensing model from: \
                     set os_version or licensing_model"
                        .into(),
                );
            }
        },
    };
    if let Err(reason) = check_model(target, &facts.version) {
        return Outcome::Failed(reason);
    }
    let mut plan = plan_host(target, Ok(facts.running.clone()));
    let fixed;
    if options.fix && matches!(options.mode, Mode::Apply | Mode::Plan) {
        let templates = options.templates.as_deref();
        match super::diagnose::fix(target, templates, device, &facts, &plan, record).await {
            Ok(None) => {}
            Ok(Some((target_fixed, replanned))) => {
                fixed = target_fixed;
                target = &fixed;
                plan = replanned;
            }
            Err(reason) => return Outcome::Failed(format!("--fix: {reason}")),
        }
    }
    record.run.status_before = Some(facts.license_status.clone());
    let status = parse_license_status(device.platform, &facts.license_status).ok();
    record.run.licensing_before = status.clone();
    let registers = needs_registration(target, status.as_ref());
    if let Some(register) = plan.register.as_mut() {
        register.pending = Some(registers);
    }
    let refusal = match (plan.errors.first(), &options.saved) {
        (Some(error), _) => Some(error.clone()),
        // Only lines this intent gives for this device are ever typed.
        (None, Some(saved)) => super::saved::check_host(&plan, registers, saved).err(),
        (None, None) => None,
    };
    record.run.plan = Some(plan.clone());
    if let Some(reason) = refusal {
        return Outcome::Failed(reason);
    }
    match options.mode {
        Mode::Plan => plan_outcome(target, options, &plan, status.as_ref()),
        Mode::Verify => {
            record.step("verify");
            verify(target, &plan, status.as_ref())
        }
        Mode::Apply => apply(target, options, device, &plan, status.as_ref(), record).await,
        Mode::Diagnose => {
            let preflight = options.preflight.then_some(&target.host.intent);
            super::diagnose::run(device, &facts, &plan, preflight, record).await
        }
        Mode::Status | Mode::Renew => unreachable!("handled before the facts are read"),
    }
}

/// `status --refresh`: only `show license status`, read and recorded.
async fn observe(device: &mut Device, record: &mut Recorder<'_>) -> Outcome {
    record.step("read licensing");
    match read_status(device).await {
        Ok(status) => {
            record.run.licensing_before = Some(status);
            Outcome::Ok
        }
        Err(reason) => Outcome::Failed(reason),
    }
}

/// The licensing model the device's release runs ([C9K-MIG] [NX-UG]), from `show version`.
fn device_model(target: &Target, show_version: &str) -> Option<LicensingModel> {
    let platform = target.host.intent.platform;
    let version = Version::parse(&parse_version(platform, show_version)?)?;
    Some(model_of(platform, version))
}

/// The device must run the licensing model the config was rendered for: the inventory's
/// `os_version` (or an explicit `licensing_model`) can be out of date.
fn check_model(target: &Target, show_version: &str) -> Result<(), String> {
    let intent = &target.host.intent;
    // Not every release prints a parseable version; the status read decides later.
    let Some(model) = device_model(target, show_version) else {
        return Ok(());
    };
    if intent.platform != Platform::Apic && model != intent.licensing_model {
        return Err(format!(
            "the device runs {} licensing but the plan was made for {} licensing: \
             update os_version (or licensing_model) in the inventory",
            model_name(model),
            model_name(intent.licensing_model)
        ));
    }
    Ok(())
}

fn model_name(model: LicensingModel) -> &'static str {
    match model {
        LicensingModel::Classic => "classic Smart",
        LicensingModel::Policy => "Using Policy",
    }
}

/// A plan is changed when config lines or a registration are pending; a host that would
/// register but whose token cannot be read fails now, not at apply time.
fn plan_outcome(
    target: &Target,
    options: &LiveOptions,
    plan: &HostPlan,
    status: Option<&LicensingStatus>,
) -> Outcome {
    let registers = needs_registration(target, status);
    if registers && options.lab_tokens.is_none() {
        let source = target.host.intent.token.as_ref();
        if let Some(Err(reason)) = source.map(TokenSource::read) {
            return Outcome::Failed(format!("it would register, but {reason}"));
        }
    }
    changed_if(plan.changed || registers)
}

fn changed_if(changed: bool) -> Outcome {
    if changed {
        Outcome::Changed
    } else {
        Outcome::Ok
    }
}

/// Read-only convergence: no config drift, and the licensing state meets `expect`. A
/// failure names every value that differs: each drifted line, the state, the accounts.
fn verify(target: &Target, plan: &HostPlan, status: Option<&LicensingStatus>) -> Outcome {
    let mut wrong = Vec::new();
    if plan.changed {
        wrong.push(drift(plan));
    }
    if target.steps.contains(&Step::Register) {
        match status {
            Some(s) => {
                wrong.extend(s.mismatches(&target.host.intent.expect));
                if !wrong.is_empty()
                    && let Some(reason) = &s.failure_reason
                {
                    wrong.push(format!("the device's failure reason: {reason}"));
                }
            }
            None => wrong.push("`show license status` could not be read".into()),
        }
    }
    match wrong.is_empty() {
        true => Outcome::Ok,
        false => Outcome::Failed(wrong.join("; ")),
    }
}

/// `the configuration drifted: - old line, + new line` from the plan's diff (at most ten
/// lines named; the report's diff has them all).
fn drift(plan: &HostPlan) -> String {
    const SHOWN: usize = 10;
    let lines: Vec<String> = plan
        .diff
        .lines()
        .filter(|l| !l.starts_with("+++") && !l.starts_with("---"))
        .filter(|l| l.starts_with('+') || l.starts_with('-'))
        .map(|l| format!("`{}{}`", &l[..1], l[1..].trim()))
        .collect();
    let mut named = lines
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if lines.len() > SHOWN {
        named.push_str(&format!(" and {} more", lines.len() - SHOWN));
    }
    if named.is_empty() {
        // Only exec steps (a certificate to import) are missing.
        named = plan
            .exec
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(", ");
    }
    format!("the configuration drifted from the intent: {named}")
}

/// Whether the register step would use the token: not yet where `expect` wants it.
/// A device already registered (or trusted) is left alone, so a second apply never
/// spends the token again.
fn needs_registration(target: &Target, status: Option<&LicensingStatus>) -> bool {
    let intent = &target.host.intent;
    target.steps.contains(&Step::Register)
        && intent.token.is_some()
        && !status.is_some_and(|s| {
            already_there(s, intent.licensing_model) && s.in_expected_account(&intent.expect)
        })
}

fn already_there(status: &LicensingStatus, model: LicensingModel) -> bool {
    match model {
        LicensingModel::Classic => status.registration == Some(Registration::Registered),
        LicensingModel::Policy => status.trust_code_installed.is_some(),
    }
}

/// Pushes the planned lines, imports certificates, saves, then registers if needed and
/// verifies.
async fn apply(
    target: &Target,
    options: &LiveOptions,
    device: &mut Device,
    plan: &HostPlan,
    status: Option<&LicensingStatus>,
    record: &mut Recorder<'_>,
) -> Outcome {
    let intent = &target.host.intent;
    if !plan.commands.is_empty() {
        if let Some(stop) = interrupt::stop_before("configuring") {
            return Outcome::Failed(stop);
        }
        // Until the outcome is known, the device may have been changed (a deadline can
        // end the host in the middle).
        record.run.changed = true;
        // Inside the plan's safety net, if it has one (revert timer, checkpoint).
        let mut step = |what: &str| record.step(what);
        if let Err(failure) =
            super::safety::configure(target, options, device, plan, &mut step).await
        {
            record.run.changed = failure.device_changed;
            return Outcome::Failed(failure.reason);
        }
    }
    for command in &plan.exec {
        if let Some(stop) = interrupt::stop_before(&format!("`{command}`")) {
            return Outcome::Failed(stop);
        }
        record.step(command);
        let result = match command.strip_prefix("crypto pki authenticate ") {
            Some(name) => import_ca(device, intent, name, command).await,
            None => device.exec(command).await.map(drop),
        };
        if let Err(e) = result {
            return Outcome::Failed(e.to_string());
        }
        record.run.changed = true;
    }
    let mut changed = plan.changed;
    if needs_registration(target, status) {
        if let Some(stop) = interrupt::stop_before("registering (the token was not used)") {
            return Outcome::Failed(stop);
        }
        match register(target, options, device, status, record).await {
            Ok(()) => {
                changed = true;
                record.run.changed = true;
            }
            Err(reason) => return Outcome::Failed(reason),
        }
    }
    if target.steps.contains(&Step::Verify) {
        record.step("verify");
        let after = match device.facts().await {
            Ok(facts) => facts,
            Err(e) => return Outcome::Failed(format!("verifying: {e}")),
        };
        let replan = plan_host(target, Ok(after.running));
        let status = parse_license_status(device.platform, &after.license_status).ok();
        record.run.licensing_after = status.clone();
        if let Outcome::Failed(reason) = verify(target, &replan, status.as_ref()) {
            return Outcome::Failed(format!("after the change, {reason}"));
        }
    }
    changed_if(changed)
}

/// Registers (classic) or establishes trust and reports (Using Policy), then polls the
/// status until `expect` is met, a failure is reported, or `expect.timeout` passes.
async fn register(
    target: &Target,
    options: &LiveOptions,
    device: &mut Device,
    before: Option<&LicensingStatus>,
    record: &mut Recorder<'_>,
) -> Result<(), String> {
    let intent = &target.host.intent;
    if let Some(s) = before.filter(|s| already_there(s, intent.licensing_model))
        && !intent.force
    {
        // Registered, but elsewhere: re-registering needs the operator's consent (CAT-1).
        return Err(format!(
            "registered to {} / {}, not the expected {} / {}: set `force: true` to re-register",
            s.smart_account.as_deref().unwrap_or("?"),
            s.virtual_account.as_deref().unwrap_or("?"),
            intent.expect.smart_account.as_deref().unwrap_or("any"),
            intent.expect.virtual_account.as_deref().unwrap_or("any")
        ));
    }
    if options.preflight {
        record.step("preflight");
        // Read afresh: the config was just changed.
        let checks = super::preflight::run(device, intent, Default::default()).await;
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.failure())
            .collect();
        record.run.preflight = Some(checks);
        if !failed.is_empty() {
            return Err(format!(
                "preflight failed, so the token was not used: {}",
                failed.join("; ")
            ));
        }
    }
    let token = match &options.lab_tokens {
        Some(lab) if intent.transport == Transport::Satellite => lab.satellite.clone(),
        Some(lab) => lab.cssm.clone(),
        None => intent
            .token
            .as_ref()
            .expect("needs_registration checked it")
            .read()?,
    };
    // Masked from here on in logs and session transcripts (the device echoes it).
    crate::redact::register(token.expose());
    record.step("register");
    let command = intent.platform.register_command(intent, token.expose());
    let sent = if intent.platform.registers_in_config_mode() {
        device.configure(std::slice::from_ref(&command)).await
    } else {
        device.exec(&command).await.map(drop)
    };
    sent.map_err(|e| crate::redact::redact(&e.to_string()).into_owned())?;
    let failures_before = before.map(failure_text).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(intent.expect.timeout_secs);
    let mut synced = false;
    for attempt in 0.. {
        tokio::time::sleep(poll_wait(attempt, deadline)).await;
        if interrupt::requested() {
            return Err(
                "interrupted while waiting for licensing: the registration was sent \
                        and the device goes on by itself; `smartlic verify` shows where it got"
                    .into(),
            );
        }
        record.step("wait for licensing");
        let status = read_status(device).await?;
        let trusted = already_there(&status, intent.licensing_model);
        if trusted && !synced {
            if let Some(sync) = device.platform.sync_command(intent.licensing_model) {
                record.step(sync);
                device.exec(sync).await.map_err(|e| e.to_string())?;
            }
            synced = true;
        }
        if trusted && status.satisfies(&intent.expect) {
            record.run.licensing_after = Some(status);
            return Ok(());
        }
        let failures = failure_text(&status);
        // A new failure ends the wait; so does an old one still shown after a few polls
        // (the device keeps it until its next scheduled retry, minutes away).
        if !failures.is_empty() && (failures != failures_before || attempt >= 2) {
            let explained =
                crate::diagnose::explain(device.platform, &Evidence::of_status(&status))
                    .map(|e| format!(" — {e}"))
                    .unwrap_or_default();
            let reason = format!(
                "registration failed: {} ({}){explained}",
                status.failure_reason.as_deref().unwrap_or(&failures),
                status.state_words()
            );
            record.run.licensing_after = Some(status);
            return Err(reason);
        }
        if Instant::now() >= deadline {
            let reason = format!(
                "licensing did not reach {} / {} within {}s: it is {}",
                intent.expect.registration,
                intent.expect.authorization,
                intent.expect.timeout_secs,
                status.state_words()
            );
            record.run.licensing_after = Some(status);
            return Err(reason);
        }
    }
    unreachable!("the loop returns")
}

/// Every failure the status shows, as one comparable text.
fn failure_text(status: &LicensingStatus) -> String {
    [
        &status.registration_failure,
        &status.communication_failure,
        &status.failure_reason,
    ]
    .iter()
    .filter_map(|f| f.as_deref())
    .collect::<Vec<_>>()
    .join(" / ")
}

async fn import_ca(
    device: &mut Device,
    intent: &crate::intent::Intent,
    name: &str,
    command: &str,
) -> Result<(), DeviceError> {
    let path = intent
        .trustpoints
        .iter()
        .find(|t| t.name == name)
        .and_then(|t| t.ca_cert.clone())
        .expect("the plan imports only trustpoints with a certificate");
    let pem = crate::files::read(&path, crate::files::CA_CERT).map_err(|e| {
        DeviceError::Refused(super::device::Refused {
            line: command.to_string(),
            message: format!("cannot read {}: {e}", path.display()),
        })
    })?;
    device.exec_pasting(command, &pem).await.map(drop)
}
