//! `smartlic status`: the fleet's licensing health from the run store, optionally read
//! live first (`--refresh`), with the exit code a nightly job alerts on (1: a host is at
//! risk). Also the store query behind `renew --expiring`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::cli::{Format, RunArgs, StatusArgs};
use crate::commands::common::{ExitStatus, Styles, load_for};
use crate::commands::live::{Live, execute};
use crate::health::{Health, assess};
use crate::live::{Mode, Outcome};
use crate::platform::Renewal;
use crate::platform::timefmt::{DAY, now};
use crate::report;
use crate::store::{Observation, Store};

pub fn status(args: StatusArgs, styles: &Styles) -> ExitStatus {
    let window = args.expiring;
    let run = run_args(&args);
    let mut hosts: Option<Vec<String>> = None;
    let mut refresh_failures = HashMap::new();
    if let Some(run) = &run {
        // As a live verb would: `licensing_model: auto` is decided by the device.
        let Ok(targets) = load_for(
            run,
            Some(crate::targets::Needs {
                tokens: false,
                keys: true,
            }),
            styles,
        ) else {
            return ExitStatus::InvalidInput;
        };
        hosts = Some(
            targets
                .targets
                .iter()
                .map(|t| t.host.name.clone())
                .collect(),
        );
        if args.refresh {
            let how = Live::new(&args.live, Mode::Status);
            match execute(run, &how, targets, styles.err, Vec::new()) {
                Ok(runs) => refresh_failures = failures(&runs.hosts),
                Err(status) => return status,
            }
        }
    }
    let store_path = &args.live.store_path();
    let seen = match read_store(store_path) {
        Ok(seen) => seen,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::InvalidInput;
        }
    };
    let names = hosts.unwrap_or_else(|| seen.keys().cloned().collect());
    let now = now();
    let fleet: Vec<Health> = names
        .iter()
        .map(|host| {
            let mut health = assess(host, seen.get(host), now, window);
            if let Some(reason) = refresh_failures.get(host) {
                health.risks.insert(0, format!("refresh failed: {reason}"));
            }
            health
        })
        .collect();
    print(&fleet, now, window, store_path, args.format, styles);
    if fleet.iter().any(Health::at_risk) {
        ExitStatus::HostFailed
    } else {
        ExitStatus::Success
    }
}

/// The inventory and playbook as the other verbs take them, when given.
fn run_args(args: &StatusArgs) -> Option<RunArgs> {
    Some(RunArgs {
        inventory: Some(args.inventory.clone()?),
        playbook: args.playbook.clone()?,
        limit: args.limit.clone(),
        extra_vars: args.extra_vars.clone(),
        // The status is read without the token: where it comes from does not matter here.
        allow_plaintext_token: true,
        format: args.format,
        templates: None,
        shard: None,
        vault: args.vault.clone(),
    })
}

/// Hosts whose refresh failed, with why.
fn failures(runs: &[crate::live::HostRun]) -> HashMap<String, String> {
    runs.iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(reason) | Outcome::Unreachable(reason) => {
                Some((r.host.clone(), reason.clone()))
            }
            Outcome::Ok | Outcome::Changed => None,
        })
        .collect()
}

/// Each host's latest observation. A missing store is an error, not an empty fleet.
fn read_store(path: &Path) -> Result<BTreeMap<String, Observation>, String> {
    if !path.exists() {
        return Err(format!(
            "no run store at {}: run an apply or `smartlic status --refresh` first (or pass --store)",
            path.display()
        ));
    }
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let seen = store.latest_licensing().map_err(|e| e.to_string())?;
    Ok(seen.into_iter().map(|o| (o.host.clone(), o)).collect())
}

fn print(fleet: &[Health], now: i64, window: i64, store: &Path, format: Format, styles: &Styles) {
    let store = store.display().to_string();
    let doc = report::Fleet {
        hosts: fleet,
        now,
        window_days: window / DAY,
        store: &store,
    };
    match format {
        Format::Human | Format::Markdown => print!("{}", report::status_human(&doc, styles.out)),
        yaml_or_json => print!(
            "{}",
            report::emit(&report::status_json(&doc), yaml_or_json == Format::Yaml)
        ),
    }
}

/// `renew --expiring`: whether a host's deadline for `renewal` falls within `window` —
/// or is unknown, since a host never seen may be the one about to lapse.
pub fn due(store: &Path, renewal: Renewal, window: i64) -> Result<impl Fn(&str) -> bool, String> {
    let seen = read_store(store)?;
    let limit = now() + window;
    Ok(move |host: &str| {
        let deadline = seen.get(host).and_then(|o| match renewal {
            Renewal::Id => o.registration_expires,
            Renewal::Auth => o.communication_deadline.or(o.next_ack_deadline),
        });
        deadline.is_none_or(|at| at < limit)
    })
}
