//! The live verbs — `plan` (without `--offline`), `apply`, `verify`, `renew`, `status
//! --refresh` — from parsed arguments to a printed result and an exit status. Each run
//! is recorded in the run store as its hosts finish. With `--lab` the built-in lab is
//! served in this process and the run goes against it.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::cli::{Format, LiveArgs, RunArgs};
use crate::commands::ExitStatus;
use crate::commands::lab::InProcessLab;
use crate::live::saved::{PlanInputs, inline_secret};
use crate::live::{self, HostRun, LiveOptions, Mode, Outcome, Progress, SavedPlan};
use crate::platform::Renewal;
use crate::render::Templates;
use crate::report::{self, Style};
use crate::store;
use crate::targets::Targets;

/// What a live verb adds to the common arguments.
#[derive(Clone)]
pub struct Live<'a> {
    pub args: &'a LiveArgs,
    pub mode: Mode,
    /// `plan --out FILE`.
    pub save_to: Option<&'a Path>,
    /// `apply PLAN` (or the plan just approved on the terminal): only its lines.
    pub saved: Option<Arc<SavedPlan>>,
    /// `renew id|auth`.
    pub renewal: Renewal,
    /// Run the preflight checks (before registering; `diagnose --preflight`).
    pub preflight: bool,
    /// `apply --fix`.
    pub fix: bool,
    /// `plan --detailed-exitcode`: exit 2 when changes are pending.
    pub detailed_exitcode: bool,
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
            detailed_exitcode: false,
        }
    }
}

/// Runs `targets` live and prints the result.
pub fn run(args: &RunArgs, live: Live, targets: Targets, out: Style, err: Style) -> ExitStatus {
    if live.save_to.is_some()
        && let Some(key) = inline_secret(&args.extra_vars)
    {
        eprintln!(
            "error: -e sets `{key}` to a plain value, which a plan file must not hold: give it \
             as {{env: NAME}} or {{file: PATH}}, or in an @vars.yml file; nothing was done"
        );
        return ExitStatus::InvalidInput;
    }
    let runs = match execute(args, &live, targets, err, Vec::new()) {
        Ok(runs) => runs,
        Err(status) => return status,
    };
    print_runs(&runs.hosts, live.mode, args.format, out);
    finish_reports(args, &live, &runs)
}

/// After the recap of an interrupted run: what was left, and how to go on.
fn say_interrupted(runs: &Runs, mode: Mode) {
    if runs.status != ExitStatus::Interrupted {
        return;
    }
    let left = runs
        .hosts
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_) | Outcome::Unreachable(_)))
        .count();
    let resume = match mode {
        Mode::Apply => "; `smartlic apply --only-failed` (same inventory and playbook) resumes",
        _ => "",
    };
    eprintln!("Interrupted: {left} host(s) not finished{resume}.");
}

/// The JUnit report and the saved plan, as asked; the run's exit status.
fn finish_reports(args: &RunArgs, live: &Live, runs: &Runs) -> ExitStatus {
    say_interrupted(runs, live.mode);
    if let Some(path) = &live.args.junit
        && let Err(e) = std::fs::write(path, report::live_junit(&runs.hosts, live.mode))
    {
        eprintln!(
            "error: cannot write the JUnit report to {}: {e}",
            path.display()
        );
        return ExitStatus::HostFailed;
    }
    if let Some(path) = live.save_to
        && let Err(e) = write_plan(path, args, live.args.lab, &runs.hosts)
    {
        eprintln!("error: cannot write the plan to {}: {e}", path.display());
        return ExitStatus::HostFailed;
    }
    runs.status
}

/// `plan --out FILE`: the live plan document with the run's inputs, written whole or
/// not at all.
fn write_plan(path: &Path, args: &RunArgs, lab: bool, hosts: &[HostRun]) -> std::io::Result<()> {
    let inputs = PlanInputs {
        inventory: args.inventory_path().to_path_buf(),
        playbook: args.playbook.clone(),
        limit: args.limit.clone(),
        shard: args.shard.map(|s| format!("{}/{}", s.index, s.count)),
        extra_vars: args.extra_vars.clone(),
        templates: args.templates.clone(),
        allow_plaintext_token: args.allow_plaintext_token,
        lab,
        files: crate::inputs::read_so_far(),
    };
    let mut doc = report::live_json(hosts, Mode::Plan);
    doc["inputs"] = serde_json::to_value(inputs).map_err(std::io::Error::other)?;
    let text = crate::redact::redact(&report::emit(&doc, false)).into_owned();
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let mut file = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `apply` on a terminal without `--auto-approve`, as Terraform does it: plan every host
/// (recording nothing), show the plan, ask, then apply exactly what was shown to the hosts
/// that have changes. A host whose device changed in between is refused.
pub fn run_approved(
    args: &RunArgs,
    live: Live,
    targets: Targets,
    out: Style,
    err: Style,
) -> ExitStatus {
    let quiet = LiveArgs {
        no_store: true,
        junit: None,
        ..live.args.clone()
    };
    let planning = Live {
        args: &quiet,
        mode: Mode::Plan,
        saved: None,
        save_to: None,
        ..live.clone()
    };
    let planned = match execute(args, &planning, targets.clone(), err, Vec::new()) {
        Ok(runs) if runs.status == ExitStatus::Interrupted => {
            print_runs(&runs.hosts, Mode::Plan, args.format, out);
            eprintln!("Interrupted while planning: nothing was changed.");
            return runs.status;
        }
        Ok(runs) => runs,
        Err(status) => return status,
    };
    let shown = args.format == Format::Human;
    let text = report::live_human(&planned.hosts, Mode::Plan, if shown { out } else { err });
    let to_change: Vec<&HostRun> = planned
        .hosts
        .iter()
        .filter(|r| r.outcome == Outcome::Changed)
        .collect();
    let question = match to_change.len() {
        0 => None,
        n => Some(format!(
            "\nApply these changes to {n} host(s)? Only 'yes' will be accepted: "
        )),
    };
    if !ask(&text, question.as_deref(), shown) {
        let word = if question.is_some() {
            "Apply cancelled."
        } else {
            "No changes to apply."
        };
        say(&format!("{word}\n"), shown);
        return match (question, planned.status) {
            (Some(_), _) => ExitStatus::HostFailed,
            (None, status) => status,
        };
    }
    let approved = SavedPlan::of(to_change.iter().filter_map(|r| {
        let plan = r.plan.clone()?;
        let registers = plan
            .register
            .as_ref()
            .and_then(|g| g.pending)
            .unwrap_or(false);
        Some((r.host.clone(), plan, registers))
    }));
    let mut targets = targets;
    targets
        .targets
        .retain(|t| to_change.iter().any(|r| r.host == t.host.name));
    let settled: Vec<HostRun> = planned
        .hosts
        .iter()
        .filter(|r| r.outcome != Outcome::Changed)
        .cloned()
        .collect();
    let applying = Live {
        saved: Some(Arc::new(approved)),
        ..live
    };
    let runs = match execute(args, &applying, targets, err, settled) {
        Ok(runs) => runs,
        Err(status) => return status,
    };
    match args.format {
        Format::Human => print!("{}", report::live_recap(&runs.hosts, Mode::Apply, out)),
        _ => print_runs(&runs.hosts, Mode::Apply, args.format, out),
    }
    finish_reports(args, &applying, &runs)
}

/// Shows the plan and, if there is a question, asks it; true only for `yes`.
fn ask(plan: &str, question: Option<&str>, on_stdout: bool) -> bool {
    say(plan, on_stdout);
    let Some(question) = question else {
        return false;
    };
    say(question, on_stdout);
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok() && answer.trim() == "yes"
}

/// Text for the person at the terminal: stdout when it carries the human output,
/// stderr when stdout carries a document.
fn say(text: &str, on_stdout: bool) {
    use std::io::Write;
    if on_stdout {
        print!("{text}");
        let _ = std::io::stdout().flush();
    } else {
        eprint!("{text}");
    }
}

/// A finished live run: each host's run, and how the run ended.
pub struct Runs {
    pub hosts: Vec<HostRun>,
    pub status: ExitStatus,
}

/// Runs `targets` live, recording them in the run store; prints only progress. `settled`
/// are hosts already finished (by the plan an apply was approved on): recorded with the
/// run and returned with the others, in inventory order.
pub fn execute(
    args: &RunArgs,
    live: &Live,
    mut targets: Targets,
    err: Style,
    settled: Vec<HostRun>,
) -> Result<Runs, ExitStatus> {
    let (live_args, mode) = (live.args, live.mode);
    let mut order: Vec<String> = targets
        .targets
        .iter()
        .map(|t| t.host.name.clone())
        .collect();
    order.extend(settled.iter().map(|r| r.host.clone()));
    let writer = match start_recording(args, live_args, mode, &order) {
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
    let mut runs = runtime.block_on(async {
        live::interrupt::listen();
        let lab = match live_args.lab {
            true => Some(InProcessLab::start(args, err).await?),
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
                .map(|l| l.known_hosts().to_path_buf())
                .or_else(|| live_args.known_hosts.clone()),
            host_deadline: Duration::from_secs(live_args.host_timeout),
            lab_tokens: lab.as_ref().map(|l| l.tokens().clone()),
            saved: live.saved.clone(),
            session_log: live_args.session_log.clone(),
            renewal: live.renewal,
            preflight: live.preflight,
            fix: live.fix,
            templates: templates(args, live.fix)?,
        };
        let display = progress(args.format, mode, targets.targets.len());
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
    if let Some(writer) = &writer {
        settled.iter().for_each(|run| writer.record(run));
    }
    if !settled.is_empty() {
        // run_hosts keeps target order; hosts settled by the plan go back in theirs.
        let position: std::collections::HashMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, h)| (h.as_str(), i))
            .collect();
        runs.extend(settled);
        runs.sort_by_key(|r| position.get(r.host.as_str()).copied());
    }
    let status = match live::interrupt::requested() {
        true => ExitStatus::Interrupted,
        false => exit_status(&runs, mode, live.detailed_exitcode),
    };
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
    hosts: &[String],
) -> Result<Option<Arc<store::Writer>>, store::StoreError> {
    if live_args.no_store {
        return Ok(None);
    }
    let info = store::RunInfo {
        verb: mode.name().to_string(),
        playbook: Some(args.playbook.clone()),
        inventory: args.inventory.clone(),
        limit: args.limit.clone(),
        shard: args.shard.map(|s| format!("{}/{}", s.index, s.count)),
        targets: hosts.to_vec(),
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

/// A display of per-host progress: spinners on a terminal, plain lines otherwise.
trait Display: Progress {
    fn finish(&self);
}

fn progress(format: Format, mode: Mode, hosts: usize) -> Arc<dyn Display> {
    if format == Format::Human && std::io::stderr().is_terminal() {
        Arc::new(Bars::new(hosts, mode))
    } else {
        Arc::new(Lines { mode })
    }
}

/// Plain lines on stderr: one per step, and each host's result as it ends (with the
/// step and the reason of a failure), greppable in CI logs.
struct Lines {
    mode: Mode,
}

impl Progress for Lines {
    fn step(&self, host: &str, what: &str) {
        eprintln!("{host}: {what}");
    }

    fn done(&self, run: &HostRun) {
        eprintln!("{}: {}", run.host, report::live_result(run, self.mode));
    }
}

impl Display for Lines {
    fn finish(&self) {}
}

/// Host lines shown at once: the total line stays on screen below them however many
/// hosts are active (the others are counted on one line).
const SHOWN_HOSTS: usize = 16;

/// indicatif: a line per active host with its own timer, a line counting the active
/// hosts not shown, and the total with the run's elapsed time, always last; a failure is
/// printed above them as it happens.
struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    mode: Mode,
    state: Mutex<BarsState>,
}

#[derive(Default)]
struct BarsState {
    /// Shown hosts' lines; hosts past `SHOWN_HOSTS` are only counted, on `more`.
    shown: std::collections::HashMap<String, ProgressBar>,
    hidden: std::collections::HashSet<String>,
    more: Option<ProgressBar>,
    changed: usize,
    failed: usize,
}

impl Bars {
    fn new(hosts: usize, mode: Mode) -> Bars {
        let multi = MultiProgress::new();
        let total = multi.add(ProgressBar::new(hosts as u64));
        total.set_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} hosts  {msg}",
            )
            .expect("valid template"),
        );
        total.enable_steady_tick(Duration::from_millis(200));
        Bars {
            multi,
            total,
            mode,
            state: Mutex::new(BarsState::default()),
        }
    }

    /// The `… and N more` line, there only while some active host has no line.
    fn count_hidden(&self, state: &mut BarsState) {
        match (state.hidden.len(), state.more.take()) {
            (0, Some(more)) => {
                more.finish_and_clear();
                self.multi.remove(&more);
            }
            (0, None) => {}
            (n, more) => {
                let more = more.unwrap_or_else(|| {
                    let bar = self
                        .multi
                        .insert_before(&self.total, ProgressBar::new_spinner());
                    bar.set_style(ProgressStyle::with_template("  {msg}").expect("valid"));
                    bar
                });
                more.set_message(format!("… and {n} more host(s) in progress"));
                state.more = Some(more);
            }
        }
    }

    /// Where a new host line goes: above the `more` line and the total.
    fn above(&self, state: &BarsState) -> ProgressBar {
        let bar = ProgressBar::new_spinner();
        match &state.more {
            Some(more) => self.multi.insert_before(more, bar),
            None => self.multi.insert_before(&self.total, bar),
        }
    }
}

impl Progress for Bars {
    fn step(&self, host: &str, what: &str) {
        let mut state = self.state.lock().expect("no panic while held");
        if let Some(bar) = state.shown.get(host) {
            bar.set_message(format!("{host}: {what}"));
            return;
        }
        if state.shown.len() >= SHOWN_HOSTS {
            state.hidden.insert(host.to_string());
            self.count_hidden(&mut state);
            return;
        }
        let bar = self.above(&state);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}").expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.set_message(format!("{host}: {what}"));
        state.shown.insert(host.to_string(), bar);
    }

    fn done(&self, run: &HostRun) {
        let mut state = self.state.lock().expect("no panic while held");
        if let Some(bar) = state.shown.remove(&run.host) {
            bar.finish_and_clear();
        }
        if state.hidden.remove(&run.host) {
            self.count_hidden(&mut state);
        }
        match run.outcome {
            Outcome::Changed => state.changed += 1,
            Outcome::Failed(_) | Outcome::Unreachable(_) => {
                state.failed += 1;
                let line = format!("{}: {}", run.host, report::live_result(run, self.mode));
                let _ = self.multi.println(line);
            }
            Outcome::Ok => {}
        }
        let changed = report::changed_word(self.mode);
        self.total.set_message(format!(
            "{} {changed}, {} failed",
            state.changed, state.failed
        ));
        self.total.inc(1);
    }
}

impl Display for Bars {
    fn finish(&self) {
        if let Some(more) = self.state.lock().expect("no panic while held").more.take() {
            more.finish_and_clear();
        }
        self.total.finish_and_clear();
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

/// Terraform's rule: 1 when any host failed or was unreachable, else 0; a plan with
/// `--detailed-exitcode` exits 2 when changes are pending.
fn exit_status(runs: &[HostRun], mode: Mode, detailed: bool) -> ExitStatus {
    let failed = runs
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Failed(_) | Outcome::Unreachable(_)));
    let changed = runs.iter().any(|r| r.outcome == Outcome::Changed);
    match (failed, changed && detailed && mode == Mode::Plan) {
        (true, _) => ExitStatus::HostFailed,
        (false, true) => ExitStatus::Changes,
        (false, false) => ExitStatus::Success,
    }
}
