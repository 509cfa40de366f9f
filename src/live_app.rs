//! The live verbs — `plan` (without `--offline`), `apply`, `verify`, `renew`, `status
//! --refresh` — from parsed arguments to a printed result and an exit status. Each run
//! is recorded in the run store as its hosts finish. With `--lab` the built-in lab is
//! served in this process and the run goes against it.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::app::ExitStatus;
use crate::cli::{Format, LiveArgs, RunArgs};
use crate::intent::Secret;
use crate::lab::run::Lab;
use crate::lab::saved;
use crate::lab::spec::lab_spec;
use crate::live::{self, HostRun, LabTokens, LiveOptions, Mode, Outcome, Progress, SavedPlan};
use crate::plan::FORMAT_VERSION;
use crate::platform::Renewal;
use crate::render::Templates;
use crate::report::{self, Style};
use crate::store;
use crate::targets::Targets;

/// What a live verb adds to the common arguments.
pub struct Live<'a> {
    pub args: &'a LiveArgs,
    pub mode: Mode,
    /// `plan --out FILE`.
    pub save_to: Option<&'a Path>,
    /// `apply --plan FILE`.
    pub saved: Option<&'a Path>,
    /// `renew id|auth`.
    pub renewal: Renewal,
    /// Run the preflight checks (before registering; `diagnose --preflight`).
    pub preflight: bool,
    /// `apply --fix`.
    pub fix: bool,
}

impl<'a> Live<'a> {
    /// `mode` with nothing saved or loaded, no preflight and no fixes.
    pub fn new(args: &'a LiveArgs, mode: Mode) -> Live<'a> {
        Live {
            args,
            mode,
            save_to: None,
            saved: None,
            renewal: Renewal::Auth,
            preflight: false,
            fix: false,
        }
    }
}

/// Runs `targets` live and prints the result.
pub fn run(args: &RunArgs, live: Live, targets: Targets, out: Style, err: Style) -> ExitStatus {
    let mode = live.mode;
    let save_to = live.save_to;
    let junit = live.args.junit.clone();
    let runs = match execute(args, live, targets, err) {
        Ok(runs) => runs,
        Err(status) => return status,
    };
    print_runs(&runs.hosts, mode, args.format, out);
    if let Some(path) = &junit
        && let Err(e) = std::fs::write(path, report::live_junit(&runs.hosts, mode))
    {
        eprintln!(
            "error: cannot write the JUnit report to {}: {e}",
            path.display()
        );
        return ExitStatus::HostFailed;
    }
    if let Some(path) = save_to {
        let doc = report::emit(&report::live_json(&runs.hosts, mode), false);
        if let Err(e) = std::fs::write(path, doc) {
            eprintln!("error: cannot write the plan to {}: {e}", path.display());
            return ExitStatus::HostFailed;
        }
    }
    runs.status
}

/// A finished live run: each host's run, and how the run ended.
pub struct Runs {
    pub hosts: Vec<HostRun>,
    pub status: ExitStatus,
}

/// Runs `targets` live, recording them in the run store; prints only progress.
pub fn execute(
    args: &RunArgs,
    live: Live,
    mut targets: Targets,
    err: Style,
) -> Result<Runs, ExitStatus> {
    let (live_args, mode) = (live.args, live.mode);
    let saved = match live.saved.map(|path| read_saved(path, &mut targets)) {
        None => None,
        Some(Ok(saved)) => Some(Arc::new(saved)),
        Some(Err(message)) => {
            eprintln!("error: {message}");
            return Err(ExitStatus::InvalidInput);
        }
    };
    let writer = match start_recording(args, live_args, mode, &targets) {
        Ok(writer) => writer,
        Err(e) => {
            eprintln!("error: {e}; nothing was done");
            return Err(ExitStatus::HostFailed);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Err(ExitStatus::HostFailed);
        }
    };
    let runs = runtime.block_on(async {
        let lab = match live_args.lab {
            true => Some(start_lab(args, err).await?),
            false => None,
        };
        if let Some(lab) = &lab {
            lab.point_at_devices(&mut targets);
        }
        let options = LiveOptions {
            mode,
            forks: live_args.forks,
            known_hosts: lab
                .as_ref()
                .map(|l| l.known_hosts.path().to_path_buf())
                .or_else(|| live_args.known_hosts.clone()),
            host_deadline: Duration::from_secs(live_args.host_timeout),
            lab_tokens: lab.as_ref().map(|l| l.tokens.clone()),
            saved,
            session_log: live_args.session_log.clone(),
            renewal: live.renewal,
            preflight: live.preflight,
            fix: live.fix,
            templates: templates(args, live.fix)?,
        };
        let display = progress(args.format, targets.targets.len());
        let recorded = Arc::new(Recorded {
            display: display.clone(),
            writer: writer.clone(),
        });
        let runs = live::run_hosts(&targets.targets, &options, recorded).await;
        display.finish();
        if let Some(lab) = lab {
            lab.finish().await;
        }
        Ok(runs)
    })?;
    let status = exit_status(&runs, mode);
    if let Some(writer) = writer
        && let Err(e) = writer.finish(status.code())
    {
        eprintln!("warning: {e}: this run is not fully recorded");
    }
    Ok(Runs {
        hosts: runs,
        status,
    })
}

/// The `--templates` overrides again, for `apply --fix` to render a fixed intent.
fn templates(args: &RunArgs, fix: bool) -> Result<Option<Arc<Templates>>, ExitStatus> {
    match (&args.templates, fix) {
        (Some(dir), true) => Templates::with_overrides(dir)
            .map(|t| Some(Arc::new(t)))
            .map_err(|e| {
                eprintln!("error: --templates {}: {e}", dir.display());
                ExitStatus::InvalidInput
            }),
        _ => Ok(None),
    }
}

/// Opens the run store and records the run's start (unless `--no-store`).
fn start_recording(
    args: &RunArgs,
    live_args: &LiveArgs,
    mode: Mode,
    targets: &Targets,
) -> Result<Option<Arc<store::Writer>>, store::StoreError> {
    if live_args.no_store {
        return Ok(None);
    }
    let info = store::RunInfo {
        verb: mode.name().to_string(),
        playbook: Some(args.playbook.clone()),
        inventory: Some(args.inventory.clone()),
        limit: args.limit.clone(),
        shard: args.shard.map(|s| format!("{}/{}", s.index, s.count)),
        targets: targets
            .targets
            .iter()
            .map(|t| t.host.name.clone())
            .collect(),
    };
    let store = store::Store::open(&live_args.store_path())?;
    Ok(Some(Arc::new(store::Writer::start(store, &info)?)))
}

/// The progress display, with each finished host also sent to the run store.
struct Recorded {
    display: Arc<dyn Display>,
    writer: Option<Arc<store::Writer>>,
}

impl Progress for Recorded {
    fn step(&self, host: &str, what: &str) {
        self.display.step(host, what);
    }

    fn done(&self, run: &HostRun) {
        if let Some(writer) = &self.writer {
            writer.record(run);
        }
        self.display.done(run);
    }
}

/// Reads a saved plan and keeps only its hosts in `targets`; every saved host must be
/// in the inventory selection.
fn read_saved(path: &Path, targets: &mut Targets) -> Result<SavedPlan, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the plan {}: {e}", path.display()))?;
    let saved: SavedPlan = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a smartlic plan: {e}", path.display()))?;
    if saved.format_version != FORMAT_VERSION || saved.mode != Mode::Plan {
        return Err(format!(
            "{}: a plan of format {} made by `{:?}`; `apply --plan` needs a plan of format {FORMAT_VERSION} made by `plan --out`",
            path.display(),
            saved.format_version,
            saved.mode
        ));
    }
    let missing: Vec<&str> = saved
        .hosts
        .iter()
        .map(|h| h.host.as_str())
        .filter(|h| !targets.targets.iter().any(|t| t.host.name == *h))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{}: planned host(s) not in this inventory selection: {}",
            path.display(),
            missing.join(", ")
        ));
    }
    targets
        .targets
        .retain(|t| saved.hosts.iter().any(|h| h.host == t.host.name));
    Ok(saved)
}

/// The lab served for `--lab`: its devices' host keys in a temporary known_hosts file
/// and a token minted on its back-end; resumed from, and saved to, the inventory's saved
/// lab (`crate::lab::saved`).
struct InProcessLab {
    lab: Lab,
    known_hosts: tempfile::NamedTempFile,
    tokens: LabTokens,
    folder: saved::Folder,
}

impl InProcessLab {
    /// Saves the lab's state for the next `--lab` run, then stops it.
    async fn finish(self) {
        let _ = crate::lab_app::save_lab(&self.folder, &self.lab.saver());
        self.lab.shutdown().await;
    }

    /// Connects each target to where its lab device really listens (the inventory may
    /// leave the port to the lab).
    fn point_at_devices(&self, targets: &mut Targets) {
        for target in &mut targets.targets {
            if let Some(device) = self
                .lab
                .devices
                .iter()
                .find(|d| d.host.name == target.host.name)
            {
                target.host.connection.address = device.address.ip().to_string();
                target.host.connection.port = device.address.port();
            }
        }
    }
}

async fn start_lab(args: &RunArgs, err: Style) -> Result<InProcessLab, ExitStatus> {
    let spec = crate::inventory::load(&args.inventory).and_then(|inv| lab_spec(&inv));
    let spec = spec.map_err(|diags| {
        eprint!("{}", report::diagnostics(&diags, err));
        eprintln!("the lab was not started");
        ExitStatus::InvalidInput
    })?;
    let (lab, folder) = crate::lab_app::start_saved(&args.inventory, spec.hosts, spec.backend)
        .await
        .map_err(|e| {
            eprintln!("error: the lab did not start: {e}");
            ExitStatus::HostFailed
        })?;
    let known_hosts = tempfile::NamedTempFile::new()
        .and_then(|mut f| {
            use std::io::Write;
            f.write_all(lab.known_hosts().as_bytes())?;
            Ok(f)
        })
        .map_err(|e| {
            eprintln!("error: cannot write the lab's known_hosts: {e}");
            ExitStatus::HostFailed
        })?;
    let backend = &lab.backend;
    let tokens = LabTokens {
        cssm: Secret::new(backend.create_token("Example Account", "Default", 30, None)),
        satellite: Secret::new(backend.create_satellite_token(
            "Example Account",
            "Default",
            30,
            None,
        )),
    };
    eprintln!(
        "lab: {} device(s) served in this process; tokens were minted on its back-end",
        lab.devices.len()
    );
    Ok(InProcessLab {
        lab,
        known_hosts,
        tokens,
        folder,
    })
}

/// A display of per-host progress: spinners on a terminal, plain lines otherwise.
trait Display: Progress {
    fn finish(&self);
}

fn progress(format: Format, hosts: usize) -> Arc<dyn Display> {
    if format == Format::Human && std::io::stderr().is_terminal() {
        Arc::new(Bars::new(hosts))
    } else {
        Arc::new(Lines)
    }
}

/// Plain lines on stderr: one per step, greppable in CI logs.
struct Lines;

impl Progress for Lines {
    fn step(&self, host: &str, what: &str) {
        eprintln!("{host}: {what}");
    }

    fn done(&self, run: &HostRun) {
        eprintln!("{}: {}", run.host, outcome_word(&run.outcome));
    }
}

impl Display for Lines {
    fn finish(&self) {}
}

/// indicatif: one line per active host, and a total.
struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    active: Mutex<std::collections::HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new(hosts: usize) -> Bars {
        let multi = MultiProgress::new();
        let total = multi.add(ProgressBar::new(hosts as u64));
        total.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} hosts  {elapsed}")
                .expect("valid template"),
        );
        Bars {
            multi,
            total,
            active: Mutex::new(Default::default()),
        }
    }
}

impl Progress for Bars {
    fn step(&self, host: &str, what: &str) {
        let mut active = self.active.lock().expect("no panic while held");
        let bar = active.entry(host.to_string()).or_insert_with(|| {
            let bar = self
                .multi
                .insert_before(&self.total, ProgressBar::new_spinner());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_message(format!("{host}: {what}"));
    }

    fn done(&self, run: &HostRun) {
        if let Some(bar) = self
            .active
            .lock()
            .expect("no panic while held")
            .remove(&run.host)
        {
            bar.finish_and_clear();
        }
        self.total.inc(1);
    }
}

impl Display for Bars {
    fn finish(&self) {
        self.total.finish_and_clear();
    }
}

fn outcome_word(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => "ok",
        Outcome::Changed => "changed",
        Outcome::Failed(_) => "failed",
        Outcome::Unreachable(_) => "unreachable",
    }
}

fn print_runs(runs: &[HostRun], mode: Mode, format: Format, out: Style) {
    match format {
        Format::Human => print!("{}", report::live_human(runs, mode, out)),
        Format::Markdown => print!("{}", report::live_markdown(runs, mode)),
        doc => print!(
            "{}",
            report::emit(&report::live_json(runs, mode), doc == Format::Yaml)
        ),
    }
}

/// Plan: 2 when changes are pending. Apply: 2 when changes were made. 1 when any host
/// failed or was unreachable.
fn exit_status(runs: &[HostRun], mode: Mode) -> ExitStatus {
    let failed = runs
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Failed(_) | Outcome::Unreachable(_)));
    let changed = runs.iter().any(|r| r.outcome == Outcome::Changed);
    match (failed, changed, mode) {
        (true, _, _) => ExitStatus::HostFailed,
        (false, true, Mode::Plan | Mode::Apply) => ExitStatus::Changes,
        _ => ExitStatus::Success,
    }
}
