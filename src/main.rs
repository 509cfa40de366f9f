//! The `smartlic` binary: parse the command line, run the library, exit with its status.

use std::process::ExitCode;

use clap::Parser;
use smartlic::app::{self, ExitStatus};
use smartlic::cli::Cli;

fn main() -> ExitCode {
    let status = match Cli::try_parse() {
        Ok(cli) => app::run(cli),
        // --help and --version are not errors.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            ExitStatus::Success
        }
        Err(e) => app::usage_error(&e),
    };
    ExitCode::from(status.code())
}
