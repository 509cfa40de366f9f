//! Live runs: many hosts at once over SSH, each bounded by its own deadline, none able
//! to stop or slow the others. [`run_hosts`] is the fan-out; [`host`] is what happens
//! on one device for `plan`, `apply` and `verify`.

pub mod device;
mod diagnose;
pub mod host;
pub mod interrupt;
mod poll;
pub mod preflight;
pub mod record;
pub mod renew;
pub mod safety;
pub mod saved;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

pub use record::{HostRun, Mode, Outcome};
pub use saved::SavedPlan;

use crate::intent::Secret;
use crate::targets::Target;

/// Settings for a live run.
#[derive(Clone, Debug)]
pub struct LiveOptions {
    pub mode: Mode,
    /// Hosts worked on at the same time.
    pub forks: usize,
    /// The known_hosts file for hosts that do not name their own.
    pub known_hosts: Option<PathBuf>,
    /// No host takes longer than this, whatever its device does.
    pub host_deadline: Duration,
    /// Tokens to use instead of the intents' sources (a `--lab` run mints them).
    pub lab_tokens: Option<LabTokens>,
    /// `smartlic apply PLAN` (or a plan approved on the terminal): a host is applied only
    /// where its fresh plan is exactly the saved one.
    pub saved: Option<Arc<SavedPlan>>,
    /// Check from the device what registration needs before spending the token
    /// (`apply`), or as part of `diagnose --preflight`.
    pub preflight: bool,
    /// `apply --fix`: make the catalogue's intent remedies the intent lacks, then plan.
    pub fix: bool,
    /// The templates targets were rendered with (`--templates`), to render a fixed
    /// intent again; `None`: the built-in ones.
    pub templates: Option<Arc<crate::render::Templates>>,
    /// What `renew` renews (read only by `Mode::Renew`).
    pub renewal: crate::platform::Renewal,
    /// `--session-log DIR`: each host's CLI session, redacted, in DIR/<host>.log.
    pub session_log: Option<PathBuf>,
}

/// Tokens minted on the lab's back-end: a CSSM one, and a satellite one for hosts whose
/// transport is the satellite ([ACI-SL]: a CSSM token does not work there).
#[derive(Clone, Debug)]
pub struct LabTokens {
    pub cssm: Secret,
    pub satellite: Secret,
}

/// Something that shows progress: a TTY spinner set or plain lines.
pub trait Progress: Send + Sync {
    fn step(&self, host: &str, what: &str);
    fn done(&self, run: &HostRun);
}

/// Runs every target, at most `forks` at a time, and returns their runs in target order.
pub async fn run_hosts(
    targets: &[Target],
    options: &LiveOptions,
    progress: Arc<dyn Progress>,
) -> Vec<HostRun> {
    let permits = Arc::new(Semaphore::new(options.forks.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, target) in targets.iter().enumerate() {
        let (target, options, progress) = (target.clone(), options.clone(), progress.clone());
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("never closed");
            let run = match interrupt::requested() {
                true => HostRun::failed(&target, "not started: the run was interrupted"),
                false => host::run_bounded(&target, &options, progress.as_ref()).await,
            };
            progress.done(&run);
            (index, run)
        });
    }
    let mut runs: Vec<Option<HostRun>> = targets.iter().map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, run)) => runs[index] = Some(run),
            // A panic in one host's task is that host's failure; the index is lost with
            // it, so it is filled in below.
            Err(e) => eprintln!("smartlic: internal error in a host task: {e}"),
        }
    }
    runs.into_iter()
        .zip(targets)
        .map(|(run, target)| {
            run.unwrap_or_else(|| HostRun::failed(target, "internal error (see above)"))
        })
        .collect()
}
