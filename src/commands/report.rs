//! `smartlic report merge`: one report of many (sharded CI jobs).

use super::common::ExitStatus;
use crate::report::{self};

/// `smartlic report merge REPORT...`: prints the merged JSON; exits as the whole run would.
pub(crate) fn merge(paths: &[std::path::PathBuf], detailed_exitcode: bool) -> ExitStatus {
    let mut reports = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let parsed = crate::files::read(path, crate::files::PLAN_OR_REPORT)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(value) => reports.push((name, value)),
            Err(e) => {
                eprintln!("error: {name}: {e}");
                return ExitStatus::InvalidInput;
            }
        }
    }
    match report::merge::merge(&reports) {
        Ok(merged) => {
            print!("{}", report::emit(&merged, false));
            match report::merge::exit_code(&merged, detailed_exitcode) {
                1 => ExitStatus::HostFailed,
                2 => ExitStatus::Changes,
                _ => ExitStatus::Success,
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitStatus::InvalidInput
        }
    }
}
