//! `smartlic diagnose`: read each host's failure and explain it from the catalogue.

use super::common::{ExitStatus, Styles, live};
use crate::cli::DiagnoseArgs;
use crate::commands::live::Live;
use crate::live::Mode;

pub(crate) fn diagnose(args: &DiagnoseArgs, styles: &Styles) -> ExitStatus {
    let how = Live {
        preflight: args.preflight,
        ..Live::new(&args.live, Mode::Diagnose)
    };
    live(&args.run, how, styles)
}
