//! The `smartlic` binary: parse the command line, run the library, exit with its status.

use std::process::ExitCode;

use clap::Parser;
use smartlic::cli::Cli;
use smartlic::commands::{self, ExitStatus};

fn main() -> ExitCode {
    let status = match Cli::try_parse() {
        Ok(cli) => commands::run(cli),
        // --help and --version are not errors.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            ExitStatus::Success
        }
        Err(e) => commands::usage_error(&e),
    };
    ExitCode::from(status.code())
}
