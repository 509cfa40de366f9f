//! `smartlic apply`: plan, approve, apply, register, verify; also a saved plan.

use std::io::IsTerminal;

use super::common::{ExitStatus, Styles, load_for, needs};
use crate::cli::{ApplyArgs, RunArgs};
use crate::commands::live::Live;
use crate::live::Mode;
use crate::targets::{self, Targets};

pub(crate) fn apply(args: &ApplyArgs, styles: &Styles) -> ExitStatus {
    if args.run.inventory.is_none() {
        return apply_saved(args, styles);
    }
    let mode = if args.check { Mode::Plan } else { Mode::Apply };
    let ask = mode == Mode::Apply && !args.auto_approve;
    if ask && !std::io::stdin().is_terminal() {
        eprintln!(
            "error: apply changes devices and needs approval: run it on a terminal to review \
             the plan and answer, or pass --auto-approve (in CI: after a reviewed plan); \
             nothing was done"
        );
        return ExitStatus::Usage;
    }
    let how = Live {
        preflight: !args.no_preflight,
        fix: args.fix,
        ..Live::new(&args.live, mode)
    };
    let Ok(mut targets) = load_for(&args.run, Some(needs(&how)), styles) else {
        return ExitStatus::InvalidInput;
    };
    if args.only_failed {
        match only_failed(&args.run, &args.live.store_path(), &mut targets) {
            Ok(true) => {}
            Ok(false) => return ExitStatus::Success,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitStatus::InvalidInput;
            }
        }
    }
    let run = if ask {
        crate::commands::live::run_approved
    } else {
        crate::commands::live::run
    };
    run(&args.run, how, targets, styles.out, styles.err)
}

/// `smartlic apply PLAN`: the saved plan's inputs, unchanged, loaded again; each host is
/// applied only where the intent still gives exactly the saved lines for its device.
pub(crate) fn apply_saved(args: &ApplyArgs, styles: &Styles) -> ExitStatus {
    let path = &args.run.playbook;
    if args.run.limit.is_some()
        || !args.run.extra_vars.is_empty()
        || args.run.shard.is_some()
        || args.run.templates.is_some()
        || args.check
        || args.fix
        || args.only_failed
    {
        eprintln!(
            "error: `smartlic apply PLAN` takes its hosts, vars and templates from the plan: \
             --limit, -e, --shard, --templates, --check, --fix and --only-failed do not go \
             with it (to apply a playbook, give -i INVENTORY)"
        );
        return ExitStatus::Usage;
    }
    let saved = match crate::live::SavedPlan::read(path) {
        Ok(saved) => saved,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("  = help: to apply a playbook, give -i INVENTORY before it");
            return ExitStatus::InvalidInput;
        }
    };
    let inputs = saved.inputs.clone().unwrap_or_default();
    // A plan file is input too: the inventory and playbook it names must be among the
    // files whose digests it holds, or it could point apply at anything.
    let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.into());
    let recorded = |p: &std::path::Path| {
        let p = absolute(p);
        inputs
            .files
            .iter()
            .any(|f| absolute(&f.path).starts_with(&p))
    };
    if !recorded(&inputs.inventory) || !recorded(&inputs.playbook) {
        eprintln!(
            "error: {}: the plan does not record the digests of its inventory and playbook; \
             plan again, nothing was done",
            path.display()
        );
        return ExitStatus::InvalidInput;
    }
    let changed = crate::inputs::changed_since(&inputs.files);
    if !changed.is_empty() {
        eprintln!(
            "error: {}: the inputs changed since the plan was made: {}; plan again, nothing was done",
            path.display(),
            changed.join(", ")
        );
        return ExitStatus::InvalidInput;
    }
    let shard = match inputs
        .shard
        .as_deref()
        .map(targets::Shard::parse)
        .transpose()
    {
        Ok(shard) => shard,
        Err(e) => {
            eprintln!("error: {}: shard: {e}", path.display());
            return ExitStatus::InvalidInput;
        }
    };
    let run = RunArgs {
        inventory: Some(inputs.inventory.clone()),
        playbook: inputs.playbook.clone(),
        limit: inputs.limit.clone(),
        extra_vars: inputs.extra_vars.clone(),
        allow_plaintext_token: inputs.allow_plaintext_token,
        templates: inputs.templates.clone(),
        shard,
        ..args.run.clone()
    };
    let live_args = crate::cli::LiveArgs {
        lab: inputs.lab || args.live.lab,
        ..args.live.clone()
    };
    let planned: Vec<String> = saved.hosts.iter().map(|h| h.host.clone()).collect();
    let how = Live {
        saved: Some(std::sync::Arc::new(saved)),
        preflight: !args.no_preflight,
        ..Live::new(&live_args, Mode::Apply)
    };
    let Ok(mut targets) = load_for(&run, Some(needs(&how)), styles) else {
        return ExitStatus::InvalidInput;
    };
    targets.targets.retain(|t| planned.contains(&t.host.name));
    crate::commands::live::run(&run, how, targets, styles.out, styles.err)
}

/// `apply --only-failed`: keeps the targets that did not succeed in the last run of the
/// playbook. `Ok(false)`: nothing to do.
pub(crate) fn only_failed(
    args: &RunArgs,
    store: &std::path::Path,
    targets: &mut Targets,
) -> Result<bool, String> {
    let store = crate::store::Store::open(store).map_err(|e| e.to_string())?;
    let last = store
        .last_failed(&args.playbook)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "--only-failed: {} was never applied with the store {}",
                args.playbook.display(),
                store.path().display()
            )
        })?;
    targets
        .targets
        .retain(|t| last.hosts.contains(&t.host.name));
    let how = if last.interrupted {
        ", which was interrupted"
    } else {
        ""
    };
    eprintln!(
        "--only-failed: {} host(s) left from run {} ({}{how})",
        targets.targets.len(),
        last.id,
        last.verb
    );
    Ok(!targets.targets.is_empty())
}
