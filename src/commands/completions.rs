//! `smartlic completions SHELL`: shell completion scripts.

use super::common::ExitStatus;
use crate::cli::Cli;

/// `smartlic completions SHELL`: generated from the CLI definition, so never stale.
pub(crate) fn completions(shell: clap_complete::Shell) -> ExitStatus {
    use clap::CommandFactory;
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "smartlic", &mut std::io::stdout());
    ExitStatus::Success
}
