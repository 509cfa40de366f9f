//! What a host's run is and how it is recorded as it goes: the verb ([`Mode`]), how the
//! host ended ([`Outcome`], Ansible's recap words), its steps and timings ([`HostRun`],
//! kept by a [`Recorder`]). The host's work (`host.rs`) and the verbs it hands over to
//! (`renew.rs`, `diagnose.rs`) all write here.

use std::time::Instant;

use serde::Serialize;

use super::Progress;
use crate::plan::HostPlan;
use crate::platform::status::LicensingStatus;
use crate::ssh::Negotiated;
use crate::targets::Target;

/// What a live run does to each host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Read and diff; never run a non-show command.
    Plan,
    /// Plan, then change, save, register and verify.
    Apply,
    /// Read only: pass when the diff is empty and the licensing state meets `expect`.
    Verify,
    /// Read only: the licensing status, for the run store (`smartlic status --refresh`).
    Status,
    /// `license smart renew id|auth` (`LiveOptions::renewal`), then wait for its result.
    Renew,
    /// Read only: match what the device shows against the failure catalogue.
    Diagnose,
}

impl Mode {
    /// The verb, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Plan => "plan",
            Mode::Apply => "apply",
            Mode::Verify => "verify",
            Mode::Status => "status",
            Mode::Renew => "renew",
            Mode::Diagnose => "diagnose",
        }
    }
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
    /// The device was changed (config typed and kept, a certificate imported, saved,
    /// registered), whatever the outcome: a host can be changed and then fail.
    pub changed: bool,
    /// The step that was under way when the host failed or timed out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<String>,
    pub plan: Option<HostPlan>,
    /// `show license status` before anything changed, as the device printed it.
    #[serde(skip)]
    pub status_before: Option<String>,
    /// The licensing state before and after (parsed).
    pub licensing_before: Option<LicensingStatus>,
    pub licensing_after: Option<LicensingStatus>,
    pub negotiated: Option<Negotiated>,
    pub steps: Vec<StepRecord>,
    pub millis: u128,
    /// The commands typed that were not `show`s, the token masked (for the run store).
    #[serde(skip)]
    pub sent: Vec<String>,
    /// `diagnose`: the catalogue entries the device matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<crate::diagnose::Finding>>,
    /// The preflight checks, when they ran (before a registration, `diagnose --preflight`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preflight: Option<Vec<super::preflight::Check>>,
    /// `apply --fix`: the intent settings made from the catalogue, `CAT-7: …`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<String>,
}

impl HostRun {
    /// A run of `host` that has not begun.
    pub fn new(host: &str) -> HostRun {
        HostRun {
            host: host.to_string(),
            outcome: Outcome::Ok,
            changed: false,
            failed_step: None,
            plan: None,
            status_before: None,
            licensing_before: None,
            licensing_after: None,
            negotiated: None,
            steps: Vec::new(),
            millis: 0,
            sent: Vec::new(),
            findings: None,
            preflight: None,
            fixes: Vec::new(),
        }
    }

    pub fn failed(target: &Target, reason: &str) -> HostRun {
        HostRun {
            outcome: Outcome::Failed(reason.to_string()),
            ..HostRun::new(&target.host.name)
        }
    }
}

/// Keeps the step log and tells the progress display.
pub(super) struct Recorder<'a> {
    pub(super) run: HostRun,
    progress: &'a dyn Progress,
    last: Instant,
}

impl<'a> Recorder<'a> {
    pub(super) fn new(host: &str, progress: &'a dyn Progress) -> Recorder<'a> {
        Recorder {
            run: HostRun::new(host),
            progress,
            last: Instant::now(),
        }
    }

    /// The step under way (the last one started).
    pub(super) fn current_step(&self) -> Option<&str> {
        self.run.steps.last().map(|s| s.step.as_str())
    }

    pub(super) fn step(&mut self, what: &str) {
        let now = Instant::now();
        if let Some(previous) = self.run.steps.last_mut() {
            previous.millis = now.duration_since(self.last).as_millis();
            let millis = previous.millis as u64;
            tracing::debug!(step = %previous.step, millis, "step done");
        }
        tracing::info!(step = what, "starting");
        self.last = now;
        self.run.steps.push(StepRecord {
            step: what.to_string(),
            millis: 0,
        });
        self.progress.step(&self.run.host, what);
    }
}
