//! Which hosts a run touches, and what each must become.
//!
//! Inventory + playbook + `--limit` + `--extra-vars` → one validated [`Target`] per
//! play and host. Everything is read and checked here, before any device is touched:
//! if anything is wrong, the run stops with every problem listed and nothing done.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::intent::{HostVars, ResolveOptions, merge_vars, resolve_host};
use crate::inventory::{self, Inventory, Pattern};
use crate::platform::LicensingModel;
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
    /// A live run: `licensing_model: auto` without `os_version` is allowed, and decided
    /// per host from the device's `show version`.
    pub live: bool,
    /// `--shard i/N`: only the hosts of shard i (1-based) of N.
    pub shard: Option<Shard>,
}

/// One of N deterministic parts of an inventory: a host's shard depends on its name only,
/// so it is stable across runs, machines and inventory reorderings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `i/N` with 1 ≤ i ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not i/N"))?;
        let (index, count): (u32, u32) = (
            i.trim()
                .parse()
                .map_err(|_| format!("`{i}` is not a number"))?,
            n.trim()
                .parse()
                .map_err(|_| format!("`{n}` is not a number"))?,
        );
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard {index}/{count}: need 1 ≤ i ≤ N"));
        }
        Ok(Shard { index, count })
    }

    /// Whether `host` belongs to this shard (FNV-1a of the name, modulo N).
    pub fn holds(&self, host: &str) -> bool {
        let hash = host.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        hash % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// One host in one play.
#[derive(Clone, Debug)]
pub struct Target {
    pub play: String,
    pub steps: Vec<Step>,
    pub host: HostVars,
    /// The desired config, rendered from the platform's templates.
    pub desired: String,
    /// Live runs, `licensing_model: auto` and no `os_version`: the host read both ways,
    /// each validated and rendered up front; the device's release picks one.
    pub model_choice: Option<Arc<ModelChoice>>,
}

/// A host's two readings; `Err` holds why that reading is invalid.
#[derive(Debug)]
pub struct ModelChoice {
    pub classic: Result<Target, String>,
    pub policy: Result<Target, String>,
}

impl ModelChoice {
    pub fn pick(&self, model: LicensingModel) -> Result<&Target, &str> {
        let reading = match model {
            LicensingModel::Classic => &self.classic,
            LicensingModel::Policy => &self.policy,
        };
        reading.as_ref().map_err(String::as_str)
    }
}

/// The validated run: its targets, and warnings worth showing.
#[derive(Clone, Debug, Default)]
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
                    let read = Reading {
                        play,
                        host,
                        extra: &extra,
                        options: &selection.options,
                        templates,
                    };
                    let found = if selection.live && model_left_to_the_device(&read.vars()) {
                        read.both_models(&mut diagnostics)
                    } else {
                        read.target(&read.vars(), &mut diagnostics)
                    };
                    targets.extend(found);
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
    if let Some(shard) = selection.shard {
        targets.retain(|t| shard.holds(&t.host.name));
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

/// One host of one play, to be read into a [`Target`].
struct Reading<'a> {
    play: &'a Play,
    host: &'a inventory::Host,
    extra: &'a Node,
    options: &'a ResolveOptions,
    templates: &'a Templates,
}

/// `licensing_model` is `auto` (or unset) and there is no `os_version` to decide from.
fn model_left_to_the_device(vars: &Node) -> bool {
    let declared = vars
        .get("smart_licensing")
        .and_then(|sl| sl.get("licensing_model"))
        .and_then(Node::scalar);
    let version = vars.get("os_version").filter(|n| !n.is_null());
    version.is_none() && matches!(declared, None | Some("auto"))
}

impl Reading<'_> {
    /// The layers merged: play vars < inventory < extra vars.
    fn vars(&self) -> Node {
        let mut vars = self.play.vars.clone();
        merge_vars(&mut vars, self.host.vars.clone());
        merge_vars(&mut vars, self.extra.clone());
        vars.origin = self.host.origin.clone();
        vars
    }

    /// Both readings of a host whose model the device decides. Valid if either is; the
    /// errors of a reading that fails are kept for the host's run.
    fn both_models(&self, diagnostics: &mut Vec<Diagnostic>) -> Option<Target> {
        let read = |model: &str| {
            let mut vars = self.vars();
            let origin = Origin::CommandLine(format!("licensing_model {model} (from the device)"));
            let layer = key_values(&format!("smart_licensing.licensing_model={model}"), &origin)
                .expect("a well-formed key=value");
            merge_vars(&mut vars, layer);
            let mut found = Vec::new();
            let target = self.target(&vars, &mut found);
            target
                .ok_or_else(|| {
                    let errors: Vec<String> = found
                        .iter()
                        .filter(|d| d.is_error())
                        .map(ToString::to_string)
                        .collect();
                    errors.join("; ")
                })
                .map_err(|e| (e, found))
        };
        let (classic, policy) = (read("classic"), read("policy"));
        let chosen = match (&classic, &policy) {
            (Ok(t), _) | (_, Ok(t)) => t.clone(),
            (Err((_, found)), Err(_)) => {
                diagnostics.extend(found.iter().cloned());
                return None;
            }
        };
        let choice = ModelChoice {
            classic: classic.map_err(|(e, _)| e),
            policy: policy.map_err(|(e, _)| e),
        };
        Some(Target {
            model_choice: Some(Arc::new(choice)),
            ..chosen
        })
    }

    /// Resolves the host from `vars` and renders its desired config.
    fn target(&self, vars: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Target> {
        let (play, host) = (self.play, self.host);
        let (resolved, found) = resolve_host(&host.name, vars, self.options);
        diagnostics.extend(found.into_iter().map(|d| d.with_host(&host.name)));
        let resolved = resolved?;
        if play.steps.contains(&Step::Register) && resolved.intent.token.is_none() {
            // One error for the play, naming its hosts (merged in `finish`).
            diagnostics.push(
                Diagnostic::error(
                    &play.hosts_origin,
                    format!("play `{}`", play.name),
                    "runs the register step, but the hosts below have no smart_licensing.token",
                )
                .with_help(
                    "set `token: {env: NAME}` or `token: {file: PATH}`, or drop `register` from `steps`",
                )
                .with_host(&host.name),
            );
            return None;
        }
        // A template may refuse an intent it cannot express (e.g. a setting with no verified
        // command on that platform): that is invalid input, found before any device is touched.
        let intent = &resolved.intent;
        let desired = match self.templates.render(
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
            model_choice: None,
        })
    }
}

impl Target {
    /// Renders the desired config again after the intent changed (`apply --fix`).
    pub fn rerender(&mut self, templates: &Templates) -> Result<(), String> {
        let intent = &self.host.intent;
        self.desired = templates
            .render(
                intent.platform.name(),
                intent.licensing_model.name(),
                intent,
            )
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// What a run reads from outside the inventory once it has started, checked up front.
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    /// The ID token of every host that may register (a `--lab` run mints its own).
    pub tokens: bool,
    /// SSH private key files (any run that connects).
    pub keys: bool,
}

/// Reads now what each host's run will need later: every token source of a host whose
/// play registers, and every SSH key file. One error per broken source, naming the
/// hosts that depend on it, so a run never pushes config and then finds no token.
pub fn check_run_inputs(targets: &[Target], needs: Needs) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if needs.tokens {
        diagnostics.extend(token_problems(targets));
    }
    if needs.keys {
        for target in targets {
            let host = &target.host;
            if let Some(path) = &host.connection.private_key_file
                && let Err(e) = readable_file(path)
            {
                diagnostics.push(Diagnostic::error(
                    &host.origin,
                    "ansible_ssh_private_key_file",
                    format!("host {}: the SSH key {}: {e}", host.name, path.display()),
                ));
            }
        }
    }
    finish(diagnostics)
}

/// Each broken token source once, with the hosts that would register with it.
fn token_problems(targets: &[Target]) -> Vec<Diagnostic> {
    // By source, in the order first met: (the first host's target, every host's name).
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut by_source: Vec<(&Target, Vec<&str>)> = Vec::new();
    for target in targets.iter().filter(|t| t.steps.contains(&Step::Register)) {
        let Some(source) = &target.host.intent.token else {
            continue;
        };
        match at.get(&source.describe()) {
            Some(&i) => by_source[i].1.push(&target.host.name),
            None => {
                at.insert(source.describe(), by_source.len());
                by_source.push((target, vec![&target.host.name]));
            }
        }
    }
    by_source
        .into_iter()
        .filter_map(|(first, hosts)| {
            let intent = &first.host.intent;
            let reason = intent.token.as_ref()?.read().err()?;
            let origin = intent.token_origin.as_ref().unwrap_or(&first.host.origin);
            let diagnostic = Diagnostic::error(
                origin,
                "smart_licensing.token",
                format!("{reason}; the hosts below would register with it"),
            )
            .with_help(
                "provide the token before `apply` runs, or run against the built-in lab \
                 with --lab, which mints its own",
            );
            Some(hosts.into_iter().fold(diagnostic, Diagnostic::with_host))
        })
        .collect()
}

/// A key file that a run will be able to read.
fn readable_file(path: &Path) -> Result<(), String> {
    crate::files::read_bytes(path, crate::files::SSH_KEY)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Errors first, each reported once with every host it concerns (a group var error
/// would repeat for every host).
fn finish(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut unique: Vec<Diagnostic> = Vec::new();
    // (diagnostic, host) pairs already listed: a check per host, not a scan of the list.
    let mut listed: HashSet<(usize, String)> = HashSet::new();
    for d in diagnostics {
        let key = format!("{:?}|{}|{}", d.origin, d.field, d.message);
        match seen.get(&key) {
            Some(&at) => {
                for host in d.hosts {
                    if listed.insert((at, host.clone())) {
                        unique[at].hosts.push(host);
                    }
                }
            }
            None => {
                let at = unique.len();
                listed.extend(d.hosts.iter().map(|h| (at, h.clone())));
                seen.insert(key, at);
                unique.push(d);
            }
        }
    }
    unique.sort_by_key(|d| std::cmp::Reverse(d.severity));
    unique
}

/// Parses every `--extra-vars` value into one mapping, later values winning.
pub fn extra_vars(values: &[String]) -> Result<Node, Diagnostic> {
    let origin = Origin::CommandLine("--extra-vars".into());
    let mut merged = Node::empty_map(origin.clone());
    for value in values {
        let layer = if let Some(file) = value.strip_prefix('@') {
            yaml::load_file(Path::new(file)).map_err(|e| unreadable(e, file, &origin))?
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
                format!(
                    "`{}` is not a mapping of variables",
                    crate::redact::mask_assignments(value)
                ),
            ));
        }
        merge_vars(&mut merged, layer);
    }
    Ok(merged)
}

/// The error of an `-e @FILE` that cannot be loaded. A name holding what looks like a
/// secret assignment (`@ansible_password=…`, a mistyped `-e`) is told masked.
fn unreadable(error: Diagnostic, file: &str, origin: &Origin) -> Diagnostic {
    match crate::redact::mask_assignments(file) {
        std::borrow::Cow::Borrowed(_) => error,
        std::borrow::Cow::Owned(masked) => Diagnostic::error(
            origin,
            "",
            format!("`@{masked}` cannot be read as a file of variables"),
        ),
    }
}

/// `a=1 b.c=x`: space-separated pairs; a dotted key sets a nested value.
fn key_values(text: &str, origin: &Origin) -> Result<Node, Diagnostic> {
    let mut result = Node::empty_map(origin.clone());
    for (n, pair) in text.split_whitespace().enumerate() {
        let Some((key, value)) = pair.split_once('=') else {
            // Not quoted: a word typed alone may be the secret itself (`-e hunter2`).
            return Err(Diagnostic::error(
                origin,
                "",
                format!(
                    "word {} of `-e` is not key=value, @file or a YAML mapping (not shown: it may be a secret)",
                    n + 1
                ),
            ));
        };
        if key.split('.').count() > yaml::MAX_DEPTH {
            return Err(Diagnostic::error(
                origin,
                "",
                format!(
                    "a dotted key of more than {} parts is refused",
                    yaml::MAX_DEPTH
                ),
            ));
        }
        if key.split('.').any(str::is_empty) {
            // The value is not quoted: it may be a secret.
            return Err(Diagnostic::error(
                origin,
                "",
                format!("`{key}=…`: a variable name must not be empty (NAME=value, A.B=value)"),
            ));
        }
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
    fn an_unreadable_extra_vars_file_named_like_a_secret_is_told_masked() {
        let text = "@cert-authority ansible_password=Canary-Extra-1".to_string();
        let shown = extra_vars(&[text]).unwrap_err().to_string();
        assert!(!shown.contains("Canary-Extra-1"), "{shown}");
        assert!(shown.contains("cannot be read"), "{shown}");
    }

    #[test]
    fn extra_vars_rejects_garbage() {
        let err = extra_vars(&["transport".into()]).unwrap_err();
        assert!(err.message.contains("not key=value"), "{}", err.message);
        // What is refused is quoted, but never a secret in it.
        for value in [
            "token:CANARY-Z9Q",
            "{token: CANARY-Z9Q",
            "[ansible_password: CANARY-Z9Q]",
            "- {token: CANARY-Z9Q}",
        ] {
            let err = extra_vars(&[value.into()]).unwrap_err().to_string();
            assert!(!err.contains("CANARY"), "{err}");
        }
    }

    #[test]
    fn extra_vars_dotted_keys_are_bounded() {
        let deep = format!("{}=1", vec!["a"; 20_000].join("."));
        let err = extra_vars(&[deep]).unwrap_err();
        assert!(
            err.message.contains("dotted key of more than"),
            "{}",
            err.message
        );
        let ok = format!("{}=1", vec!["a"; yaml::MAX_DEPTH].join("."));
        assert!(extra_vars(&[ok]).is_ok());
    }
}
