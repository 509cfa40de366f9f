//! What the verbs share: how a run ended ([`ExitStatus`], the one place exit codes are
//! decided), output styles, and loading and checking the inputs before any work.

use std::io::IsTerminal;

use crate::cli::{Color, Format, RunArgs};
use crate::commands::live::Live;
use crate::intent::ResolveOptions;
use crate::live::Mode;
use crate::render::Templates;
use crate::report::{self, Style};
use crate::source::{Diagnostic, Origin};
use crate::targets::{self, Needs, Selection, Targets};

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
    pub(crate) fn new(color: Color) -> Styles {
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

pub(crate) fn selection(args: &RunArgs, live: bool) -> Selection {
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
pub(crate) fn load(args: &RunArgs, styles: &Styles) -> Result<Targets, ExitStatus> {
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

pub(crate) fn invalid(diags: &[Diagnostic], format: Format, styles: &Styles) {
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

pub(crate) fn templates(args: &RunArgs, styles: &Styles) -> Result<Templates, ExitStatus> {
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

/// What a live verb's hosts need: keys to connect, and (`apply`, not against the lab,
/// which mints its own) the token of every host that may register.
pub(crate) fn needs(live: &Live) -> Needs {
    Needs {
        tokens: live.mode == Mode::Apply && !live.args.lab,
        keys: true,
    }
}

/// A live verb: load and validate everything, then run it against the devices.
pub(crate) fn live(run: &RunArgs, live: Live, styles: &Styles) -> ExitStatus {
    let Ok(targets) = load_for(run, Some(needs(&live)), styles) else {
        return ExitStatus::InvalidInput;
    };
    crate::commands::live::run(run, live, targets, styles.out, styles.err)
}
