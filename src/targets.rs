//! Which hosts a run touches, and what each must become.
//!
//! Inventory + playbook + `--limit` + `--extra-vars` → one validated [`Target`] per
//! play and host. Everything is read and checked here, before any device is touched:
//! if anything is wrong, the run stops with every problem listed and nothing done.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::intent::{HostVars, ResolveOptions, resolve_host};
use crate::inventory::{self, Inventory, Pattern};
use crate::playbook::{self, Play, Step};
use crate::render::Templates;
use crate::source::{Diagnostic, Origin};
use crate::yaml::{self, Key, Node, Value};

/// What the user asked for on the command line.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub inventory: PathBuf,
    pub playbook: PathBuf,
    pub limit: Option<String>,
    /// `--extra-vars` values: `key=value`, `@file.yml`, or inline YAML/JSON.
    pub extra_vars: Vec<String>,
    pub options: ResolveOptions,
}

/// One host in one play.
#[derive(Clone, Debug)]
pub struct Target {
    pub play: String,
    pub steps: Vec<Step>,
    pub host: HostVars,
    /// The desired config, rendered from the platform's templates.
    pub desired: String,
}

/// The validated run: its targets, and warnings worth showing.
#[derive(Debug, Default)]
pub struct Targets {
    pub targets: Vec<Target>,
    pub warnings: Vec<Diagnostic>,
}

/// Loads and validates everything; on error returns all diagnostics (errors first).
pub fn load(selection: &Selection, templates: &Templates) -> Result<Targets, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let inventory = inventory::load(&selection.inventory)
        .map_err(|e| diagnostics.extend(e))
        .ok();
    if let Some(inventory) = &inventory {
        diagnostics.extend(inventory.warnings.iter().cloned());
    }
    let plays = playbook::load(&selection.playbook)
        .map_err(|e| diagnostics.extend(e))
        .ok();
    let extra = extra_vars(&selection.extra_vars)
        .map_err(|e| diagnostics.push(e))
        .ok();
    let (Some(inventory), Some(plays), Some(extra)) = (inventory, plays, extra) else {
        return Err(finish(diagnostics));
    };
    let mut targets = Vec::new();
    let mut matched_limit = false;
    for play in &plays {
        match play_hosts(&inventory, play, selection.limit.as_deref()) {
            Ok(hosts) => {
                matched_limit |= !hosts.is_empty();
                for host in hosts {
                    targets.extend(target(
                        play,
                        host,
                        &extra,
                        &selection.options,
                        templates,
                        &mut diagnostics,
                    ));
                }
            }
            Err(d) => diagnostics.push(d),
        }
    }
    if let Some(limit) = &selection.limit
        && !matched_limit
        && !diagnostics.iter().any(Diagnostic::is_error)
    {
        diagnostics.push(Diagnostic::error(
            &Origin::CommandLine("--limit".into()),
            "",
            format!("`{limit}` leaves no host in any play"),
        ));
    }
    let diagnostics = finish(diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    Ok(Targets {
        targets,
        warnings: diagnostics,
    })
}

/// The play's hosts, narrowed by `--limit` (a limit that matches none of this play's
/// hosts just skips the play, as in Ansible).
fn play_hosts<'a>(
    inventory: &'a Inventory,
    play: &Play,
    limit: Option<&str>,
) -> Result<Vec<&'a inventory::Host>, Diagnostic> {
    let field = format!("hosts of play `{}`", play.name);
    let pattern = Pattern::parse(&play.hosts, play.hosts_origin.clone(), field)?;
    let hosts = inventory::select(inventory, &pattern)?;
    let Some(limit) = limit else {
        return Ok(hosts);
    };
    let allowed = inventory::matches(inventory, &Pattern::limit(limit)?)?;
    Ok(hosts
        .into_iter()
        .filter(|h| allowed.contains(h.name.as_str()))
        .collect())
}

/// Merges the layers for one host (play vars < inventory < extra vars) and resolves it.
fn target(
    play: &Play,
    host: &inventory::Host,
    extra: &Node,
    options: &ResolveOptions,
    templates: &Templates,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Target> {
    let mut vars = play.vars.clone();
    yaml::merge(&mut vars, host.vars.clone());
    yaml::merge(&mut vars, extra.clone());
    vars.origin = host.origin.clone();
    let (resolved, found) = resolve_host(&host.name, &vars, options);
    diagnostics.extend(found);
    let resolved = resolved?;
    if play.steps.contains(&Step::Register) && resolved.intent.token.is_none() {
        diagnostics.push(Diagnostic::error(
            &play.hosts_origin,
            format!("play `{}`", play.name),
            format!("runs the register step but host `{}` has no smart_licensing.token", host.name),
        ).with_help("set `token: {env: NAME}` or `token: {file: PATH}`, or drop `register` from `steps`"));
        return None;
    }
    // A template may refuse an intent it cannot express (e.g. a setting with no verified
    // command on that platform): that is invalid input, found before any device is touched.
    let intent = &resolved.intent;
    let desired = match templates.render(
        intent.platform.name(),
        intent.licensing_model.name(),
        intent,
    ) {
        Ok(desired) => desired,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                &host.origin,
                format!("host {}", host.name),
                e.to_string(),
            ));
            return None;
        }
    };
    Some(Target {
        play: play.name.clone(),
        steps: play.steps.clone(),
        host: resolved,
        desired,
    })
}

/// Errors first, each reported once (a group var error would repeat for every host).
fn finish(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    let mut unique: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| seen.insert(format!("{:?}|{}|{}", d.origin, d.field, d.message)))
        .collect();
    unique.sort_by_key(|d| std::cmp::Reverse(d.severity));
    unique
}

/// Parses every `--extra-vars` value into one mapping, later values winning.
pub fn extra_vars(values: &[String]) -> Result<Node, Diagnostic> {
    let origin = Origin::CommandLine("--extra-vars".into());
    let mut merged = Node::empty_map(origin.clone());
    for value in values {
        let layer = if let Some(file) = value.strip_prefix('@') {
            yaml::load_file(Path::new(file))?
        } else if value.trim_start().starts_with('{') {
            let mut node = yaml::load_str(Path::new("--extra-vars"), value.clone())?;
            set_origin(&mut node, &origin);
            node
        } else {
            key_values(value, &origin)?
        };
        if layer.entries().is_none() {
            return Err(Diagnostic::error(
                &origin,
                "",
                format!("`{value}` is not a mapping of variables"),
            ));
        }
        yaml::merge(&mut merged, layer);
    }
    Ok(merged)
}

/// `a=1 b.c=x`: space-separated pairs; a dotted key sets a nested value.
fn key_values(text: &str, origin: &Origin) -> Result<Node, Diagnostic> {
    let mut result = Node::empty_map(origin.clone());
    for pair in text.split_whitespace() {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(Diagnostic::error(
                origin,
                "",
                format!("`{pair}` is not key=value, @file or a YAML mapping"),
            ));
        };
        let leaf = Node::new(
            Value::Scalar {
                text: value.to_string(),
                quoted: false,
            },
            origin.clone(),
        );
        let nested = key.rsplit('.').fold(leaf, |inner, part| {
            Node::new(
                Value::Map(vec![(
                    Key {
                        name: part.to_string(),
                        origin: origin.clone(),
                    },
                    inner,
                )]),
                origin.clone(),
            )
        });
        yaml::merge(&mut result, nested);
    }
    Ok(result)
}

/// Values given on the command line say so, wherever they were parsed from.
fn set_origin(node: &mut Node, origin: &Origin) {
    node.origin = origin.clone();
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| set_origin(n, origin)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            k.origin = origin.clone();
            set_origin(v, origin);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_vars_forms_merge_in_order() {
        let vars = extra_vars(&[
            "smart_licensing.transport=proxy smart_licensing.force=true".into(),
            "{smart_licensing: {vrf: Mgmt-vrf}}".into(),
        ])
        .unwrap();
        let sl = vars.get("smart_licensing").unwrap();
        assert_eq!(sl.get("transport").unwrap().scalar(), Some("proxy"));
        assert_eq!(sl.get("force").unwrap().as_bool(), Some(true));
        assert_eq!(sl.get("vrf").unwrap().scalar(), Some("Mgmt-vrf"));
        assert_eq!(
            sl.get("vrf").unwrap().origin,
            Origin::CommandLine("--extra-vars".into())
        );
    }

    #[test]
    fn extra_vars_rejects_garbage() {
        let err = extra_vars(&["transport".into()]).unwrap_err();
        assert!(err.message.contains("not key=value"), "{}", err.message);
    }
}
