//! `smartlic validate`: read and check everything, touch nothing.

use super::common::{ExitStatus, Styles, load_for};
use crate::cli::{Format, RunArgs};
use crate::report::{self};
use crate::targets::Needs;

/// Accepts exactly what `apply` accepts: the live reading of every host, and every
/// token source and key file readable.
pub(crate) fn validate(args: &RunArgs, styles: &Styles) -> ExitStatus {
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
