//! The verbs: each turns parsed arguments into work, prints the result, and says how
//! the run ended. Exit codes are decided here, in [`ExitStatus`], and nowhere else.

use std::io::IsTerminal;

use crate::cli::{
    ApplyArgs, Cli, Color, Command, DiagnoseArgs, Format, InventoryArgs, PlanArgs, RenewArgs,
    RenewWhat, RunArgs, VerifyArgs,
};
use crate::intent::{ResolveOptions, resolve_host};
use crate::inventory;
use crate::live::Mode;
use crate::live_app::Live;
use crate::plan::{Summary, plan_offline};
use crate::platform::Renewal;
use crate::playbook;
use crate::render::Templates;
use crate::report::{self, Style};
use crate::source::{Diagnostic, Origin, did_you_mean};
use crate::targets::{self, Needs, Selection, Targets};
use crate::yaml;

/// How a run ended; Terraform's `-detailed-exitcode` idea.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success, and nothing to change.
    Success = 0,
    /// At least one host failed; the others ran.
    HostFailed = 1,
    /// Success, and changes are pending (plan).
    Changes = 2,
    /// The inventory, playbook or an intent is invalid; nothing was done.
    InvalidInput = 3,
    /// The command line itself is wrong.
    Usage = 4,
    /// Ctrl-C: the run stopped its hosts at safe points (128 + SIGINT).
    Interrupted = crate::live::interrupt::EXIT_CODE as isize,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Output streams' styles, decided once.
pub(crate) struct Styles {
    pub out: Style,
    pub err: Style,
}

impl Styles {
    fn new(color: Color) -> Styles {
        let wanted = |terminal: bool| match color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        };
        Styles {
            out: Style {
                color: wanted(std::io::stdout().is_terminal()),
            },
            err: Style {
                color: wanted(std::io::stderr().is_terminal()),
            },
        }
    }
}

pub fn run(cli: Cli) -> ExitStatus {
    let styles = Styles::new(cli.color);
    crate::logging::init(cli.verbose, styles.err.color);
    let vault = match &cli.command {
        Command::Validate(a) | Command::Render(a) => Some(&a.vault),
        Command::Plan(a) => Some(&a.run.vault),
        Command::Apply(a) => Some(&a.run.vault),
        Command::Verify(a) => Some(&a.run.vault),
        Command::Renew(a) => Some(&a.run.vault),
        Command::Diagnose(a) => Some(&a.run.vault),
        Command::Status(a) => Some(&a.vault),
        Command::Inventory(a) => Some(&a.vault),
        #[cfg(feature = "lab")]
        Command::Lab(_) => None,
        Command::Report(_) | Command::Completions { .. } | Command::Man(_) => None,
    };
    if cli.command.live_args().is_some_and(|live| live.lab) && !cfg!(feature = "lab") {
        eprintln!(
            "error: --lab: this smartlic was built without the lab (cargo feature `lab`); nothing was done"
        );
        return ExitStatus::Usage;
    }
    if let Some(vault) = vault
        && let Err(message) = unlock_vault(vault)
    {
        eprintln!("error: {message}");
        return ExitStatus::InvalidInput;
    }
    match cli.command {
        Command::Validate(args) => validate(&args, &styles),
        Command::Render(args) => render(&args, &styles),
        Command::Plan(args) => plan(&args, &styles),
        Command::Apply(args) => apply(&args, &styles),
        Command::Verify(args) => verify(&args, &styles),
        Command::Status(args) => crate::status_app::status(args, &styles),
        Command::Renew(args) => renew(&args, &styles),
        Command::Diagnose(args) => diagnose(&args, &styles),
        Command::Inventory(args) => inventory(&args, &styles),
        #[cfg(feature = "lab")]
        Command::Lab(command) => crate::lab_app::run(command, styles.err),
        Command::Completions { shell } => completions(shell),
        Command::Man(args) => man(&args),
        Command::Report(crate::cli::ReportCommand::Merge {
            reports,
            detailed_exitcode,
        }) => merge(&reports, detailed_exitcode),
    }
}

/// Reads the vault password, if one is given, before anything is loaded.
fn unlock_vault(args: &crate::cli::VaultArgs) -> Result<(), String> {
    let password = if let Some(path) = &args.vault_password_file {
        vault_password_file(path)?
    } else if args.ask_vault_pass {
        rpassword::prompt_password("Vault password: ")
            .map_err(|e| format!("cannot read the vault password: {e}"))?
    } else {
        return Ok(());
    };
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err("the vault password is empty".into());
    }
    crate::redact::register(&password);
    crate::vault::unlock(crate::intent::Secret::new(password));
    Ok(())
}

/// Ansible's rule: an executable password file is run and its output is the password.
fn vault_password_file(path: &std::path::Path) -> Result<String, String> {
    use std::os::unix::fs::PermissionsExt;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("vault password file {shown}: {e}"))?;
    if meta.permissions().mode() & 0o111 != 0 {
        let out = std::process::Command::new(path)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("vault password script {shown}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "vault password script {shown} failed ({})",
                out.status
            ));
        }
        return String::from_utf8(out.stdout)
            .map_err(|_| format!("vault password script {shown} printed non-UTF-8"));
    }
    crate::files::read(path, crate::files::SECRET_FILE)
        .map_err(|e| format!("vault password file {shown}: {e}"))
}

fn selection(args: &RunArgs, live: bool) -> Selection {
    Selection {
        live,
        shard: args.shard,
        inventory: args.inventory_path().to_path_buf(),
        playbook: args.playbook.clone(),
        limit: args.limit.clone(),
        extra_vars: args.extra_vars.clone(),
        options: ResolveOptions {
            allow_plaintext_token: args.allow_plaintext_token,
        },
    }
}

/// Loads and validates the run (templates included); on failure prints why and returns
/// the exit status.
fn load(args: &RunArgs, styles: &Styles) -> Result<Targets, ExitStatus> {
    load_for(args, None, styles)
}

/// Loads for an offline verb (`None`) or one that reads the devices first, with what
/// its hosts' runs will need checked now (`Some`): nothing is touched until it is known.
pub(crate) fn load_for(
    args: &RunArgs,
    live: Option<Needs>,
    styles: &Styles,
) -> Result<Targets, ExitStatus> {
    let templates = templates(args, styles)?;
    let loaded = targets::load(&selection(args, live.is_some()), &templates).and_then(|targets| {
        let mut problems = targets::check_run_inputs(&targets.targets, live.unwrap_or_default());
        if problems.is_empty() {
            return Ok(targets);
        }
        problems.extend(targets.warnings);
        Err(problems)
    });
    match loaded {
        Ok(targets) => {
            if matches!(args.format, Format::Human | Format::Markdown) {
                eprint!("{}", report::diagnostics(&targets.warnings, styles.err));
            }
            Ok(targets)
        }
        Err(diags) => {
            invalid(&diags, args.format, styles);
            Err(ExitStatus::InvalidInput)
        }
    }
}

fn invalid(diags: &[Diagnostic], format: Format, styles: &Styles) {
    match format {
        Format::Human | Format::Markdown => {
            eprint!("{}", report::diagnostics(diags, styles.err));
            let errors = diags.iter().filter(|d| d.is_error()).count();
            eprintln!("{errors} error(s): nothing was done");
        }
        doc => print!(
            "{}",
            report::emit(&report::diagnostics_json(diags), doc == Format::Yaml)
        ),
    }
}

/// Accepts exactly what `apply` accepts: the live reading of every host, and every
/// token source and key file readable.
fn validate(args: &RunArgs, styles: &Styles) -> ExitStatus {
    let needs = Needs {
        tokens: true,
        keys: true,
    };
    let Ok(targets) = load_for(args, Some(needs), styles) else {
        return ExitStatus::InvalidInput;
    };
    match args.format {
        Format::Human | Format::Markdown => {
            let plays: std::collections::BTreeSet<&str> =
                targets.targets.iter().map(|t| t.play.as_str()).collect();
            println!(
                "valid: {} host(s) in {} play(s), {} warning(s)",
                targets.targets.len(),
                plays.len(),
                targets.warnings.len()
            );
        }
        doc => print!(
            "{}",
            report::emit(
                &report::validate_json(&targets.targets, &targets.warnings),
                doc == Format::Yaml
            )
        ),
    }
    ExitStatus::Success
}

fn templates(args: &RunArgs, styles: &Styles) -> Result<Templates, ExitStatus> {
    match &args.templates {
        None => Ok(Templates::builtin()),
        Some(dir) => Templates::with_overrides(dir).map_err(|e| {
            let d = Diagnostic::error(
                &Origin::CommandLine("--templates".into()),
                "",
                e.to_string(),
            );
            invalid(&[d], args.format, styles);
            ExitStatus::InvalidInput
        }),
    }
}

fn render(args: &RunArgs, styles: &Styles) -> ExitStatus {
    let Ok(targets) = load(args, styles) else {
        return ExitStatus::InvalidInput;
    };
    match args.format {
        Format::Human | Format::Markdown => {
            print!("{}", report::render_human(&targets.targets, styles.out))
        }
        doc => print!(
            "{}",
            report::emit(&report::render_json(&targets.targets), doc == Format::Yaml)
        ),
    }
    ExitStatus::Success
}

/// What a live verb's hosts need: keys to connect, and (`apply`, not against the lab,
/// which mints its own) the token of every host that may register.
fn needs(live: &Live) -> Needs {
    Needs {
        tokens: live.mode == Mode::Apply && !live.args.lab,
        keys: true,
    }
}

/// A live verb: load and validate everything, then run it against the devices.
fn live(run: &RunArgs, live: Live, styles: &Styles) -> ExitStatus {
    let Ok(targets) = load_for(run, Some(needs(&live)), styles) else {
        return ExitStatus::InvalidInput;
    };
    crate::live_app::run(run, live, targets, styles.out, styles.err)
}

fn apply(args: &ApplyArgs, styles: &Styles) -> ExitStatus {
    if args.run.inventory.is_none() {
        return apply_saved(args, styles);
    }
    let mode = if args.check { Mode::Plan } else { Mode::Apply };
    let ask = mode == Mode::Apply && !args.auto_approve;
    if ask && !std::io::stdin().is_terminal() {
        eprintln!(
            "error: apply changes devices and needs approval: run it on a terminal to review \
             the plan and answer, or pass --auto-approve (in CI: after a reviewed plan); \
             nothing was done"
        );
        return ExitStatus::Usage;
    }
    let how = Live {
        preflight: !args.no_preflight,
        fix: args.fix,
        ..Live::new(&args.live, mode)
    };
    let Ok(mut targets) = load_for(&args.run, Some(needs(&how)), styles) else {
        return ExitStatus::InvalidInput;
    };
    if args.only_failed {
        match only_failed(&args.run, &args.live.store_path(), &mut targets) {
            Ok(true) => {}
            Ok(false) => return ExitStatus::Success,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitStatus::InvalidInput;
            }
        }
    }
    let run = if ask {
        crate::live_app::run_approved
    } else {
        crate::live_app::run
    };
    run(&args.run, how, targets, styles.out, styles.err)
}

/// `smartlic apply PLAN`: the saved plan's inputs, unchanged, loaded again; each host is
/// applied only where the intent still gives exactly the saved lines for its device.
fn apply_saved(args: &ApplyArgs, styles: &Styles) -> ExitStatus {
    let path = &args.run.playbook;
    if args.run.limit.is_some()
        || !args.run.extra_vars.is_empty()
        || args.run.shard.is_some()
        || args.run.templates.is_some()
        || args.check
        || args.fix
        || args.only_failed
    {
        eprintln!(
            "error: `smartlic apply PLAN` takes its hosts, vars and templates from the plan: \
             --limit, -e, --shard, --templates, --check, --fix and --only-failed do not go \
             with it (to apply a playbook, give -i INVENTORY)"
        );
        return ExitStatus::Usage;
    }
    let saved = match crate::live::SavedPlan::read(path) {
        Ok(saved) => saved,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("  = help: to apply a playbook, give -i INVENTORY before it");
            return ExitStatus::InvalidInput;
        }
    };
    let inputs = saved.inputs.clone().unwrap_or_default();
    // A plan file is input too: the inventory and playbook it names must be among the
    // files whose digests it holds, or it could point apply at anything.
    let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.into());
    let recorded = |p: &std::path::Path| {
        let p = absolute(p);
        inputs
            .files
            .iter()
            .any(|f| absolute(&f.path).starts_with(&p))
    };
    if !recorded(&inputs.inventory) || !recorded(&inputs.playbook) {
        eprintln!(
            "error: {}: the plan does not record the digests of its inventory and playbook; \
             plan again, nothing was done",
            path.display()
        );
        return ExitStatus::InvalidInput;
    }
    let changed = crate::inputs::changed_since(&inputs.files);
    if !changed.is_empty() {
        eprintln!(
            "error: {}: the inputs changed since the plan was made: {}; plan again, nothing was done",
            path.display(),
            changed.join(", ")
        );
        return ExitStatus::InvalidInput;
    }
    let shard = match inputs
        .shard
        .as_deref()
        .map(targets::Shard::parse)
        .transpose()
    {
        Ok(shard) => shard,
        Err(e) => {
            eprintln!("error: {}: shard: {e}", path.display());
            return ExitStatus::InvalidInput;
        }
    };
    let run = RunArgs {
        inventory: Some(inputs.inventory.clone()),
        playbook: inputs.playbook.clone(),
        limit: inputs.limit.clone(),
        extra_vars: inputs.extra_vars.clone(),
        allow_plaintext_token: inputs.allow_plaintext_token,
        templates: inputs.templates.clone(),
        shard,
        ..args.run.clone()
    };
    let live_args = crate::cli::LiveArgs {
        lab: inputs.lab || args.live.lab,
        ..args.live.clone()
    };
    let planned: Vec<String> = saved.hosts.iter().map(|h| h.host.clone()).collect();
    let how = Live {
        saved: Some(std::sync::Arc::new(saved)),
        preflight: !args.no_preflight,
        ..Live::new(&live_args, Mode::Apply)
    };
    let Ok(mut targets) = load_for(&run, Some(needs(&how)), styles) else {
        return ExitStatus::InvalidInput;
    };
    targets.targets.retain(|t| planned.contains(&t.host.name));
    crate::live_app::run(&run, how, targets, styles.out, styles.err)
}

/// `apply --only-failed`: keeps the targets that did not succeed in the last run of the
/// playbook. `Ok(false)`: nothing to do.
fn only_failed(
    args: &RunArgs,
    store: &std::path::Path,
    targets: &mut Targets,
) -> Result<bool, String> {
    let store = crate::store::Store::open(store).map_err(|e| e.to_string())?;
    let last = store
        .last_failed(&args.playbook)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "--only-failed: {} was never applied with the store {}",
                args.playbook.display(),
                store.path().display()
            )
        })?;
    targets
        .targets
        .retain(|t| last.hosts.contains(&t.host.name));
    let how = if last.interrupted {
        ", which was interrupted"
    } else {
        ""
    };
    eprintln!(
        "--only-failed: {} host(s) left from run {} ({}{how})",
        targets.targets.len(),
        last.id,
        last.verb
    );
    Ok(!targets.targets.is_empty())
}

fn diagnose(args: &DiagnoseArgs, styles: &Styles) -> ExitStatus {
    let how = Live {
        preflight: args.preflight,
        ..Live::new(&args.live, Mode::Diagnose)
    };
    live(&args.run, how, styles)
}

fn renew(args: &RenewArgs, styles: &Styles) -> ExitStatus {
    let renewal = match args.what {
        RenewWhat::Id => Renewal::Id,
        RenewWhat::Auth => Renewal::Auth,
    };
    let how = Live {
        renewal,
        ..Live::new(&args.live, Mode::Renew)
    };
    let Ok(mut targets) = load_for(&args.run, Some(needs(&how)), styles) else {
        return ExitStatus::InvalidInput;
    };
    if let Some(window) = args.expiring {
        match crate::status_app::due(&args.live.store_path(), renewal, window) {
            Ok(due) => targets.targets.retain(|t| due(&t.host.name)),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitStatus::InvalidInput;
            }
        }
        eprintln!(
            "--expiring: {} host(s) due for renewal",
            targets.targets.len()
        );
        if targets.targets.is_empty() {
            return ExitStatus::Success;
        }
    }
    crate::live_app::run(&args.run, how, targets, styles.out, styles.err)
}

fn verify(args: &VerifyArgs, styles: &Styles) -> ExitStatus {
    let how = Live::new(&args.live, Mode::Verify);
    live(&args.run, how, styles)
}

fn plan(args: &PlanArgs, styles: &Styles) -> ExitStatus {
    let Some(running_dir) = args.running_dir.as_deref().filter(|_| args.offline) else {
        let how = Live {
            save_to: args.out.as_deref(),
            detailed_exitcode: args.detailed_exitcode,
            ..Live::new(&args.live, Mode::Plan)
        };
        return live(&args.run, how, styles);
    };
    let Ok(targets) = load(&args.run, styles) else {
        return ExitStatus::InvalidInput;
    };
    if !running_dir.is_dir() {
        let d = Diagnostic::error(
            &Origin::CommandLine("--running-dir".into()),
            "",
            format!("{} is not a folder", running_dir.display()),
        );
        invalid(&[d], args.run.format, styles);
        return ExitStatus::InvalidInput;
    }
    let mut warnings = crate::plan::missing_running(&targets.targets, running_dir);
    // The token is not read by an offline plan, but a pipeline should learn before the
    // apply that it will be missing.
    let tokens = Needs {
        tokens: true,
        keys: false,
    };
    warnings.extend(
        targets::check_run_inputs(&targets.targets, tokens)
            .into_iter()
            .map(|d| Diagnostic {
                severity: crate::source::Severity::Warning,
                ..d
            }),
    );
    if matches!(args.run.format, Format::Human | Format::Markdown) {
        eprint!("{}", report::diagnostics(&warnings, styles.err));
    }
    let plans = plan_offline(&targets.targets, running_dir);
    let summary = Summary::of(&plans);
    if let Some(path) = &args.live.junit
        && let Err(e) = std::fs::write(path, report::plan_junit(&plans))
    {
        eprintln!(
            "error: cannot write the JUnit report to {}: {e}",
            path.display()
        );
        return ExitStatus::HostFailed;
    }
    match args.run.format {
        Format::Human => print!(
            "{}",
            report::plan_human(&plans, summary, |p| p.platform.dialect().indent, styles.out)
        ),
        Format::Markdown => print!("{}", report::plan_markdown(&plans)),
        doc => print!(
            "{}",
            report::emit(&report::plan_json(&plans, summary), doc == Format::Yaml)
        ),
    }
    if summary.failed > 0 {
        ExitStatus::HostFailed
    } else if summary.changed > 0 && args.detailed_exitcode {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

fn inventory(args: &InventoryArgs, styles: &Styles) -> ExitStatus {
    let inv = match inventory::load(&args.inventory) {
        Ok(inv) => inv,
        Err(diags) => {
            invalid(&diags, args.format, styles);
            return ExitStatus::InvalidInput;
        }
    };
    let Some(name) = &args.host else {
        match args.format {
            Format::Human | Format::Markdown => print!("{}", inv.graph()),
            doc => print!(
                "{}",
                report::emit(&report::inventory_json(&inv), doc == Format::Yaml)
            ),
        }
        return ExitStatus::Success;
    };
    match host_vars(args, &inv, name) {
        Ok(vars) => show_host(args, name, &vars, styles),
        Err(diags) => {
            invalid(&diags, args.format, styles);
            ExitStatus::InvalidInput
        }
    }
}

/// A host's merged vars: the first play that targets it (if a playbook is given), the
/// inventory layers, then `--extra-vars`.
fn host_vars(
    args: &InventoryArgs,
    inv: &inventory::Inventory,
    name: &str,
) -> Result<yaml::Node, Vec<Diagnostic>> {
    let Some(host) = inv.host(name) else {
        let mut d = Diagnostic::error(
            &Origin::CommandLine("--host".into()),
            "",
            format!("no host `{name}` in the inventory"),
        );
        if let Some(best) = did_you_mean(name, inv.hosts.iter().map(|h| h.name.as_str())) {
            d = d.with_help(format!("did you mean `{best}`?"));
        }
        return Err(vec![d]);
    };
    let mut vars = yaml::Node::empty_map(Origin::Default);
    if let Some(path) = &args.playbook {
        let plays = playbook::load(path)?;
        let play = plays.iter().find(|p| {
            inventory::Pattern::parse(&p.hosts, p.hosts_origin.clone(), "hosts")
                .and_then(|pattern| inventory::matches(inv, &pattern))
                .is_ok_and(|names| names.contains(name))
        });
        if let Some(play) = play {
            vars = play.vars.clone();
        }
    }
    crate::intent::merge_vars(&mut vars, host.vars.clone());
    crate::intent::merge_vars(
        &mut vars,
        targets::extra_vars(&args.extra_vars).map_err(|d| vec![d])?,
    );
    vars.origin = host.origin.clone();
    Ok(vars)
}

fn show_host(args: &InventoryArgs, name: &str, vars: &yaml::Node, styles: &Styles) -> ExitStatus {
    let (host, diags) = resolve_host(
        name,
        vars,
        &ResolveOptions {
            allow_plaintext_token: true,
        },
    );
    let Some(host) = host else {
        invalid(&diags, args.format, styles);
        return ExitStatus::InvalidInput;
    };
    match args.format {
        Format::Human | Format::Markdown => {
            eprint!("{}", report::diagnostics(&diags, styles.err));
            print!("{}", report::inventory_host(&host, vars, styles.out));
        }
        format => {
            let doc = serde_json::json!({
                "format_version": crate::plan::FORMAT_VERSION,
                "host": host.name,
                "connection": host.connection,
                "intent": host.intent,
                "token_source": host.intent.token.as_ref().map(|t| t.describe()),
            });
            print!("{}", report::emit(&doc, format == Format::Yaml));
        }
    }
    ExitStatus::Success
}

/// `smartlic report merge REPORT...`: prints the merged JSON; exits as the whole run would.
fn merge(paths: &[std::path::PathBuf], detailed_exitcode: bool) -> ExitStatus {
    let mut reports = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let parsed = crate::files::read(path, crate::files::PLAN_OR_REPORT)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(value) => reports.push((name, value)),
            Err(e) => {
                eprintln!("error: {name}: {e}");
                return ExitStatus::InvalidInput;
            }
        }
    }
    match report::merge::merge(&reports) {
        Ok(merged) => {
            print!("{}", report::emit(&merged, false));
            match report::merge::exit_code(&merged, detailed_exitcode) {
                1 => ExitStatus::HostFailed,
                2 => ExitStatus::Changes,
                _ => ExitStatus::Success,
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitStatus::InvalidInput
        }
    }
}

/// `smartlic completions SHELL`: generated from the CLI definition, so never stale.
fn completions(shell: clap_complete::Shell) -> ExitStatus {
    use clap::CommandFactory;
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "smartlic", &mut std::io::stdout());
    ExitStatus::Success
}

/// `smartlic man [VERB] [--out-dir DIR]`: man pages generated from the CLI definition,
/// one for smartlic and one per verb (`smartlic-apply(1)`, `smartlic-lab-serve(1)`).
fn man(args: &crate::cli::ManArgs) -> ExitStatus {
    use clap::CommandFactory;
    let root = Cli::command();
    let result = match &args.out_dir {
        Some(dir) => write_man_pages(&root, dir),
        None => match find_verb(&root, &args.verb) {
            Some(command) => clap_mangen::Man::new(command).render(&mut std::io::stdout()),
            None => {
                eprintln!(
                    "error: no verb `{}`: see `smartlic --help`",
                    args.verb.join(" ")
                );
                return ExitStatus::Usage;
            }
        },
    };
    match result {
        Ok(()) => ExitStatus::Success,
        Err(e) => {
            eprintln!("error: cannot write the man page: {e}");
            ExitStatus::HostFailed
        }
    }
}

/// The command `path` names under `root` (`["lab", "serve"]`), named as its page is:
/// `smartlic-lab-serve`.
fn find_verb(root: &clap::Command, path: &[String]) -> Option<clap::Command> {
    let mut command = root.clone();
    let mut name = root.get_name().to_string();
    for verb in path {
        command = command.find_subcommand(verb)?.clone();
        name = format!("{name}-{verb}");
    }
    Some(command.name(name))
}

/// Every page, written into `dir`.
fn write_man_pages(root: &clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut pending = vec![(Vec::<String>::new(), root.clone())];
    while let Some((path, command)) = pending.pop() {
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut sub_path = path.clone();
            sub_path.push(sub.get_name().to_string());
            pending.push((sub_path, sub.clone()));
        }
        let page = find_verb(root, &path).expect("found while walking");
        let mut file = std::fs::File::create(dir.join(format!("{}.1", page.get_name())))?;
        clap_mangen::Man::new(page).render(&mut file)?;
    }
    Ok(())
}

/// Used by `main` for clap's own errors: coloured as the rest of the output would have
/// been (`--color`, `NO_COLOR`, a terminal), read from the raw arguments since they did
/// not parse.
pub fn usage_error(error: &clap::Error) -> ExitStatus {
    let rendered = error.render();
    let text = match Styles::new(color_asked(std::env::args())).err.color {
        true => rendered.ansi().to_string(),
        false => rendered.to_string(),
    };
    eprint!("{text}");
    ExitStatus::Usage
}

/// `--color WHEN` or `--color=WHEN` among raw arguments (the last wins); `auto` if none
/// or unreadable.
fn color_asked(args: impl Iterator<Item = String>) -> Color {
    let args: Vec<String> = args.collect();
    let mut asked = Color::Auto;
    for (i, arg) in args.iter().enumerate() {
        let value = match arg.strip_prefix("--color") {
            Some("") => args.get(i + 1).map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        asked = match value {
            Some("always") => Color::Always,
            Some("never") => Color::Never,
            Some("auto") => Color::Auto,
            _ => asked,
        };
    }
    asked
}

/// Run by CI as `cargo test --no-default-features --lib`: a build without the lab.
#[cfg(all(test, not(feature = "lab")))]
mod without_the_lab {
    use super::*;
    use clap::Parser;

    #[test]
    fn lab_runs_are_refused_before_anything_runs() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("state.db");
        let root = env!("CARGO_MANIFEST_DIR");
        let cli = Cli::try_parse_from([
            "smartlic",
            "plan",
            "-i",
            &format!("{root}/inventory/lab/hosts.yml"),
            &format!("{root}/playbooks/smart-licensing.yml"),
            "--lab",
            "--store",
            store.to_str().unwrap(),
        ])
        .unwrap();
        assert_eq!(run(cli), ExitStatus::Usage);
        assert!(!store.exists(), "the run store was touched");
        assert!(Cli::try_parse_from(["smartlic", "lab", "reset"]).is_err());
    }
}
