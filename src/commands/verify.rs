//! `smartlic verify`: read each host and check it converged.

use super::common::{ExitStatus, Styles, live};
use crate::cli::VerifyArgs;
use crate::commands::live::Live;
use crate::live::Mode;

pub(crate) fn verify(args: &VerifyArgs, styles: &Styles) -> ExitStatus {
    let how = Live::new(&args.live, Mode::Verify);
    live(&args.run, how, styles)
}
