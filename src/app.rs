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
use crate::targets::{self, Selection, Targets};
use crate::yaml;

/// How a run ended; Terraform's `-detailed-exitcode` idea (DESIGN.md).
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
        Command::Lab(_) | Command::Report(_) | Command::Completions { .. } | Command::Man => None,
    };
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
        Command::Lab(command) => crate::lab_app::run(command, styles.err),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
        Command::Report(crate::cli::ReportCommand::Merge { reports }) => merge(&reports),
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
    std::fs::read_to_string(path).map_err(|e| format!("vault password file {shown}: {e}"))
}

fn selection(args: &RunArgs, live: bool) -> Selection {
    Selection {
        live,
        shard: args.shard,
        inventory: args.inventory.clone(),
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
    load_for(args, false, styles)
}

/// Loads for an offline verb or (`live`) one that reads the devices first.
pub(crate) fn load_for(args: &RunArgs, live: bool, styles: &Styles) -> Result<Targets, ExitStatus> {
    let templates = templates(args, styles)?;
    match targets::load(&selection(args, live), &templates) {
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

fn validate(args: &RunArgs, styles: &Styles) -> ExitStatus {
    let Ok(targets) = load(args, styles) else {
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

/// A live verb: load and validate everything, then run it against the devices.
fn live(run: &RunArgs, live: Live, styles: &Styles) -> ExitStatus {
    let Ok(targets) = load_for(run, true, styles) else {
        return ExitStatus::InvalidInput;
    };
    crate::live_app::run(run, live, targets, styles.out, styles.err)
}

fn apply(args: &ApplyArgs, styles: &Styles) -> ExitStatus {
    let mode = if args.check { Mode::Plan } else { Mode::Apply };
    let how = Live {
        saved: args.plan.as_deref(),
        preflight: !args.no_preflight,
        fix: args.fix,
        ..Live::new(&args.live, mode)
    };
    if !args.only_failed {
        return live(&args.run, how, styles);
    }
    let Ok(mut targets) = load_for(&args.run, true, styles) else {
        return ExitStatus::InvalidInput;
    };
    match only_failed(&args.run, &args.live.store_path(), &mut targets) {
        Ok(true) => crate::live_app::run(&args.run, how, targets, styles.out, styles.err),
        Ok(false) => ExitStatus::Success,
        Err(message) => {
            eprintln!("error: {message}");
            ExitStatus::InvalidInput
        }
    }
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
                "--only-failed: {} has never run against the store {}",
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
    let Ok(mut targets) = load_for(&args.run, true, styles) else {
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
    } else if summary.changed > 0 {
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
    yaml::merge(&mut vars, host.vars.clone());
    yaml::merge(
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
fn merge(paths: &[std::path::PathBuf]) -> ExitStatus {
    let mut reports = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let parsed = std::fs::read_to_string(path)
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
            match report::merge::exit_code(&merged) {
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

/// `smartlic man`: the man page, generated from the CLI definition.
fn man() -> ExitStatus {
    use clap::CommandFactory;
    match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
        Ok(()) => ExitStatus::Success,
        Err(e) => {
            eprintln!("error: cannot write the man page: {e}");
            ExitStatus::HostFailed
        }
    }
}

/// Used by `main` for clap's own errors.
pub fn usage_error(message: &str) -> ExitStatus {
    eprint!("{message}");
    ExitStatus::Usage
}
