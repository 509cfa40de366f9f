//! `smartlic render`: the config each host's intent gives, as the templates render it.

use super::common::{ExitStatus, Styles, load};
use crate::cli::{Format, RunArgs};
use crate::report::{self};

pub(crate) fn render(args: &RunArgs, styles: &Styles) -> ExitStatus {
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
