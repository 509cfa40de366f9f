//! One host in a live run: connect, read its facts, plan, and (for `apply`) push the
//! planned lines, save, register and verify. Every step is recorded; the first failure
//! ends the host with the step and the device's own words.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::device::{Device, DeviceError, Facts};
use super::{LiveOptions, Progress};
use crate::plan::{HostPlan, plan_host};
use crate::playbook::Step;
use crate::ssh::Negotiated;
use crate::targets::Target;

/// What a live run does to each host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Read and diff; never run a non-show command.
    Plan,
    /// Plan, then change, save, register and verify.
    Apply,
    /// Read only: pass when the diff is empty and the licensing state meets `expect`.
    Verify,
}

/// How a host ended (Ansible's recap words).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "reason", rename_all = "lowercase")]
pub enum Outcome {
    /// Nothing to change (plan, verify) or nothing changed (apply).
    Ok,
    /// Changes pending (plan) or made (apply).
    Changed,
    /// Reached, but a step failed (or verify found drift).
    Failed(String),
    /// Never reached: connection, host key, authentication, or the deadline.
    Unreachable(String),
}

/// One step's record, for the report.
#[derive(Clone, Debug, Serialize)]
pub struct StepRecord {
    pub step: String,
    pub millis: u128,
}

/// Everything about one host's run.
#[derive(Clone, Debug, Serialize)]
pub struct HostRun {
    pub host: String,
    pub outcome: Outcome,
    pub plan: Option<HostPlan>,
    /// `show license status` before anything changed, as the device printed it.
    #[serde(skip)]
    pub status_before: Option<String>,
    pub negotiated: Option<Negotiated>,
    pub steps: Vec<StepRecord>,
    pub millis: u128,
}

impl HostRun {
    pub fn failed(target: &Target, reason: &str) -> HostRun {
        HostRun {
            host: target.host.name.clone(),
            outcome: Outcome::Failed(reason.to_string()),
            plan: None,
            status_before: None,
            negotiated: None,
            steps: Vec::new(),
            millis: 0,
        }
    }
}

/// Runs one host within the run's per-host deadline.
pub async fn run_bounded(
    target: &Target,
    options: &LiveOptions,
    progress: &dyn Progress,
) -> HostRun {
    let started = Instant::now();
    let mut record = Recorder {
        run: HostRun {
            host: target.host.name.clone(),
            outcome: Outcome::Ok,
            plan: None,
            status_before: None,
            negotiated: None,
            steps: Vec::new(),
            millis: 0,
        },
        progress,
        last: Instant::now(),
    };
    let deadline = options.host_deadline;
    let outcome = match tokio::time::timeout(deadline, run(target, options, &mut record)).await {
        Ok(outcome) => outcome,
        Err(_) => Outcome::Unreachable(format!(
            "no result within the host deadline ({}s)",
            deadline.as_secs()
        )),
    };
    let mut run = record.run;
    run.outcome = outcome;
    run.millis = started.elapsed().as_millis();
    run
}

/// Keeps the step log and tells the progress display.
struct Recorder<'a> {
    run: HostRun,
    progress: &'a dyn Progress,
    last: Instant,
}

impl Recorder<'_> {
    fn step(&mut self, what: &str) {
        let now = Instant::now();
        if let Some(previous) = self.run.steps.last_mut() {
            previous.millis = now.duration_since(self.last).as_millis();
        }
        self.last = now;
        self.run.steps.push(StepRecord {
            step: what.to_string(),
            millis: 0,
        });
        self.progress.step(&self.run.host, what);
    }
}

async fn run(target: &Target, options: &LiveOptions, record: &mut Recorder<'_>) -> Outcome {
    let vars = &target.host;
    record.step("connect");
    let ssh_target =
        super::device::target(&vars.name, &vars.connection, options.known_hosts.as_deref());
    let mut device = match Device::open(
        &ssh_target,
        vars.intent.platform,
        vars.connection.enable_secret.as_ref(),
    )
    .await
    {
        Ok(device) => device,
        Err(DeviceError::Ssh(e)) => return Outcome::Unreachable(e.to_string()),
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    record.run.negotiated = Some(device.negotiated.clone());
    let outcome = work(target, options, &mut device, record).await;
    device.close().await;
    outcome
}

async fn work(
    target: &Target,
    options: &LiveOptions,
    device: &mut Device,
    record: &mut Recorder<'_>,
) -> Outcome {
    record.step("read facts");
    let facts = match device.facts().await {
        Ok(facts) => facts,
        Err(e) => return Outcome::Failed(format!("reading the device: {e}")),
    };
    let plan = plan_host(target, Ok(facts.running.clone()));
    record.run.status_before = Some(facts.license_status.clone());
    if let Some(error) = plan.errors.first() {
        let reason = error.clone();
        record.run.plan = Some(plan);
        return Outcome::Failed(reason);
    }
    let outcome = match options.mode {
        Mode::Plan => changed_if(plan.changed),
        Mode::Verify if plan.changed => Outcome::Failed(format!(
            "the configuration drifted: {} line(s) differ from the intent",
            plan.commands.len()
        )),
        Mode::Verify => Outcome::Ok,
        Mode::Apply => apply(target, device, &plan, &facts, record).await,
    };
    record.run.plan = Some(plan);
    outcome
}

fn changed_if(changed: bool) -> Outcome {
    if changed {
        Outcome::Changed
    } else {
        Outcome::Ok
    }
}

/// Pushes the planned lines, imports certificates and saves. Registration follows in
/// [`super::register`] once the config is in place.
async fn apply(
    target: &Target,
    device: &mut Device,
    plan: &HostPlan,
    _facts: &Facts,
    record: &mut Recorder<'_>,
) -> Outcome {
    let intent = &target.host.intent;
    if !plan.commands.is_empty() {
        record.step("configure");
        if let Err(e) = device.configure(&plan.commands).await {
            return Outcome::Failed(e.to_string());
        }
    }
    for command in &plan.exec {
        record.step(command);
        let result = match command.strip_prefix("crypto pki authenticate ") {
            Some(name) => import_ca(device, intent, name, command).await,
            None => device.exec(command).await.map(drop),
        };
        if let Err(e) = result {
            return Outcome::Failed(e.to_string());
        }
    }
    let _ = target.steps.contains(&Step::Register);
    changed_if(plan.changed)
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
    let pem = std::fs::read_to_string(&path).map_err(|e| {
        DeviceError::Refused(super::device::Refused {
            line: command.to_string(),
            message: format!("cannot read {}: {e}", path.display()),
        })
    })?;
    device.exec_pasting(command, &pem).await.map(drop)
}

/// How long to wait between status polls: 2 s doubling to 30 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs((2u64 << attempt.min(4)).min(30))
}
