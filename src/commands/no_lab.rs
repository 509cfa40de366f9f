//! A smartlic built without its lab (cargo feature `lab` off): there is no `smartlic lab`
//! verb, and `--lab` is refused before anything runs (`commands::run`). This stands in for
//! `commands/lab.rs` so that the live verbs read the same either way.

use std::path::Path;

use crate::cli::RunArgs;
use crate::commands::ExitStatus;
use crate::live::LabTokens;
use crate::report::Style;
use crate::targets::Targets;

/// No lab can be served: no value of this type exists.
pub enum InProcessLab {}

impl InProcessLab {
    pub async fn start(_: &RunArgs, _: Style) -> Result<InProcessLab, ExitStatus> {
        eprintln!("error: --lab: this smartlic was built without the lab (cargo feature `lab`)");
        Err(ExitStatus::Usage)
    }

    pub async fn finish(self) {
        match self {}
    }

    pub fn point_at_devices(&self, _: &mut Targets) {
        match *self {}
    }

    pub fn known_hosts(&self) -> &Path {
        match *self {}
    }

    pub fn tokens(&self) -> &LabTokens {
        match *self {}
    }
}
