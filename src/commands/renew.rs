//! `smartlic renew`: renew the ID certificate or the authorization where due.

use super::common::{ExitStatus, Styles, load_for, needs};
use crate::cli::{RenewArgs, RenewWhat};
use crate::commands::live::Live;
use crate::live::Mode;
use crate::platform::Renewal;

pub(crate) fn renew(args: &RenewArgs, styles: &Styles) -> ExitStatus {
    let renewal = match args.what {
        RenewWhat::Id => Renewal::Id,
        RenewWhat::Auth => Renewal::Auth,
    };
    let how = Live {
        renewal,
        ..Live::new(&args.live, Mode::Renew)
    };
    let Ok(mut targets) = load_for(&args.run, Some(needs(&how)), styles) else {
        return ExitStatus::InvalidInput;
    };
    if let Some(window) = args.expiring {
        match crate::commands::status::due(&args.live.store_path(), renewal, window) {
            Ok(due) => targets.targets.retain(|t| due(&t.host.name)),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitStatus::InvalidInput;
            }
        }
        eprintln!(
            "--expiring: {} host(s) due for renewal",
            targets.targets.len()
        );
        if targets.targets.is_empty() {
            return ExitStatus::Success;
        }
    }
    crate::commands::live::run(&args.run, how, targets, styles.out, styles.err)
}
