//! `smartlic inventory`: the inventory as smartlic reads it (graph, list, one host's merged vars).

use super::common::{ExitStatus, Styles, invalid};
use crate::cli::{Format, InventoryArgs};
use crate::intent::{ResolveOptions, resolve_host};
use crate::inventory;
use crate::playbook;
use crate::report::{self};
use crate::source::{Diagnostic, Origin, did_you_mean};
use crate::targets::{self};
use crate::yaml;

pub(crate) fn inventory(args: &InventoryArgs, styles: &Styles) -> ExitStatus {
    let inv = match inventory::load(&args.inventory) {
        Ok(inv) => inv,
        Err(diags) => {
            invalid(&diags, args.format, styles);
            return ExitStatus::InvalidInput;
        }
    };
    let Some(name) = &args.host else {
        match args.format {
            Format::Human | Format::Markdown => print!("{}", inv.graph()),
            doc => print!(
                "{}",
                report::emit(&report::inventory_json(&inv), doc == Format::Yaml)
            ),
        }
        return ExitStatus::Success;
    };
    match host_vars(args, &inv, name) {
        Ok(vars) => show_host(args, name, &vars, styles),
        Err(diags) => {
            invalid(&diags, args.format, styles);
            ExitStatus::InvalidInput
        }
    }
}

/// A host's merged vars: the first play that targets it (if a playbook is given), the
/// inventory layers, then `--extra-vars`.
pub(crate) fn host_vars(
    args: &InventoryArgs,
    inv: &inventory::Inventory,
    name: &str,
) -> Result<yaml::Node, Vec<Diagnostic>> {
    let Some(host) = inv.host(name) else {
        let mut d = Diagnostic::error(
            &Origin::CommandLine("--host".into()),
            "",
            format!("no host `{name}` in the inventory"),
        );
        if let Some(best) = did_you_mean(name, inv.hosts.iter().map(|h| h.name.as_str())) {
            d = d.with_help(format!("did you mean `{best}`?"));
        }
        return Err(vec![d]);
    };
    let mut vars = yaml::Node::empty_map(Origin::Default);
    if let Some(path) = &args.playbook {
        let plays = playbook::load(path)?;
        let play = plays.iter().find(|p| {
            inventory::Pattern::parse(&p.hosts, p.hosts_origin.clone(), "hosts")
                .and_then(|pattern| inventory::matches(inv, &pattern))
                .is_ok_and(|names| names.contains(name))
        });
        if let Some(play) = play {
            vars = play.vars.clone();
        }
    }
    crate::intent::merge_vars(&mut vars, host.vars.clone());
    crate::intent::merge_vars(
        &mut vars,
        targets::extra_vars(&args.extra_vars).map_err(|d| vec![d])?,
    );
    vars.origin = host.origin.clone();
    Ok(vars)
}

pub(crate) fn show_host(
    args: &InventoryArgs,
    name: &str,
    vars: &yaml::Node,
    styles: &Styles,
) -> ExitStatus {
    let (host, diags) = resolve_host(
        name,
        vars,
        &ResolveOptions {
            allow_plaintext_token: true,
        },
    );
    let Some(host) = host else {
        invalid(&diags, args.format, styles);
        return ExitStatus::InvalidInput;
    };
    match args.format {
        Format::Human | Format::Markdown => {
            eprint!("{}", report::diagnostics(&diags, styles.err));
            print!("{}", report::inventory_host(&host, vars, styles.out));
        }
        format => {
            let doc = serde_json::json!({
                "format_version": crate::plan::FORMAT_VERSION,
                "host": host.name,
                "connection": host.connection,
                "intent": host.intent,
                "token_source": host.intent.token.as_ref().map(|t| t.describe()),
            });
            print!("{}", report::emit(&doc, format == Format::Yaml));
        }
    }
    ExitStatus::Success
}
