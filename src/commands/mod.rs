//! The verbs, one file each (as cargo and uv lay theirs out): each turns parsed arguments
//! into work, prints the result, and says how the run ended. [`run`] dispatches;
//! [`common`] holds what they share, exit codes included.

mod apply;
mod common;
mod completions;
mod diagnose;
mod inventory;
#[cfg(feature = "lab")]
mod lab;
#[cfg(not(feature = "lab"))]
#[path = "no_lab.rs"]
mod lab;
mod live;
mod man;
mod plan;
mod render;
mod renew;
mod report;
mod status;
mod validate;
mod verify;

pub use common::ExitStatus;
use common::Styles;

use crate::cli::{Cli, Color, Command};

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
        Command::Validate(args) => validate::validate(&args, &styles),
        Command::Render(args) => render::render(&args, &styles),
        Command::Plan(args) => plan::plan(&args, &styles),
        Command::Apply(args) => apply::apply(&args, &styles),
        Command::Verify(args) => verify::verify(&args, &styles),
        Command::Status(args) => status::status(args, &styles),
        Command::Renew(args) => renew::renew(&args, &styles),
        Command::Diagnose(args) => diagnose::diagnose(&args, &styles),
        Command::Inventory(args) => inventory::inventory(&args, &styles),
        #[cfg(feature = "lab")]
        Command::Lab(command) => lab::run(command, styles.err),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man(args) => man::man(&args),
        Command::Report(crate::cli::ReportCommand::Merge {
            reports,
            detailed_exitcode,
        }) => report::merge(&reports, detailed_exitcode),
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
