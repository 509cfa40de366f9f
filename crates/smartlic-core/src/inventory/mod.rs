//! Ansible-style YAML inventories: hosts, groups, their variables, and host patterns.
//!
//! smartlic reads the inventories its users already have for Ansible
//! (docs/intent.md "Where the values come from"): the YAML format of `ansible-inventory` (`all:`,
//! `hosts:`, `vars:`, `children:`, nested to any depth), with `group_vars/` and
//! `host_vars/` next to the inventory file, and `--limit`-style patterns ([`pattern`]).
//!
//! This module owns finding and merging each host's variables, in Ansible's precedence
//! order, lowest first (Ansible docs, "Understanding variable precedence", and
//! `VariableManager.get_vars` with the default `VARIABLE_PRECEDENCE`):
//!
//! 1. group `vars:` written in the inventory file: `all`'s, then the host's other
//!    groups in [`Host::groups`] order (parents before children; groups at the same
//!    depth by `ansible_group_priority`, then by name);
//! 2. `group_vars/` files: `all`, then the other groups in the same order;
//! 3. the host's variables written in the inventory file;
//! 4. `host_vars/` files.
//!
//! Unlike Ansible's default (`hash_behaviour = replace`), mappings merge deeply and
//! lists replace, and a token source replaces whole ([`crate::intent::merge_vars`]), as
//! smartlic's intent does; every merged value keeps
//! the origin of the layer it came from, so `smartlic inventory --host H` can show it.
//!
//! Variables are not interpreted here: every one is kept, unknown ones included, with
//! `!vault` tags and Jinja expressions as written. What `smart_licensing`,
//! `ansible_host` or `platform` mean is the intent module's business. Playbook-level
//! `group_vars/` and `--extra-vars` are merged there too, on top of [`Host::vars`].

mod host_range;
mod parse;
pub mod pattern;
mod resolve;
mod vars_files;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use pattern::{Pattern, matches, select, select_limited};

use crate::source::{Diagnostic, Origin};
use crate::yaml::{self, Node};
use parse::Graph;
use resolve::Order;

/// A loaded inventory. Built only by [`load`] or [`load_str`], which keep its indexes
/// consistent with its lists: read its fields, don't edit them.
#[derive(Debug)]
pub struct Inventory {
    /// The inventory file, as given.
    pub path: PathBuf,
    /// In the order they first appear in the file.
    pub hosts: Vec<Host>,
    /// `all` and `ungrouped` first, then in the order they first appear in the file.
    pub groups: Vec<Group>,
    /// Problems that do not stop the load, e.g. a `host_vars/` file naming no host.
    pub warnings: Vec<Diagnostic>,
    host_index: HashMap<String, usize>,
    group_index: HashMap<String, usize>,
    /// For each group, the hosts in it or in any descendant, in inventory order.
    members: Vec<Vec<usize>>,
}

#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    /// Where the host is first listed.
    pub origin: Origin,
    /// Every group it belongs to, ancestors and `all` included, in the order their
    /// variables are applied: `all` first, the most specific last.
    pub groups: Vec<String>,
    /// All its variables, merged by precedence; each leaf keeps its own origin.
    pub vars: Node,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    /// Where the group is first written; [`Origin::Default`] for an implicit `all` or
    /// `ungrouped`.
    pub origin: Origin,
    pub parents: Vec<String>,
    pub children: Vec<String>,
    /// Hosts listed directly under the group.
    pub hosts: Vec<String>,
    /// Longest path from `all` (0).
    pub depth: usize,
    /// `ansible_group_priority` from the inventory file (default 1).
    pub priority: i64,
    /// The group's `vars:` from the inventory file.
    pub vars: Node,
    /// The group's `group_vars/` files merged, if it has any.
    pub file_vars: Option<Node>,
}

/// Reads the inventory at `path` with the `group_vars/` and `host_vars/` beside it (or,
/// for an inventory folder, inside it). Every problem found is returned, not only the
/// first; warnings come along with errors.
pub fn load(path: &Path) -> Result<Inventory, Vec<Diagnostic>> {
    if path.is_dir() {
        return load_dir(path);
    }
    let text = crate::files::read(path, crate::files::YAML).map_err(|e| {
        let origin = Origin::CommandLine(path.display().to_string());
        vec![Diagnostic::error(
            &origin,
            "",
            format!("cannot read file: {e}"),
        )]
    })?;
    crate::inputs::record(path, text.as_bytes());
    load_str(path, text)
}

/// Like [`load`] for text already read from `path`; vars folders are still looked for
/// next to `path`.
pub fn load_str(path: &Path, text: String) -> Result<Inventory, Vec<Diagnostic>> {
    let ini = looks_like_ini(&text);
    let vars_dir = path.parent().unwrap_or(Path::new(""));
    let result = yaml::load_str(path, text)
        .map_err(|e| vec![e])
        .and_then(|doc| build(path, vars_dir, &[doc]));
    result.map_err(|mut diagnostics| {
        if ini && let Some(first) = diagnostics.iter_mut().find(|d| d.is_error()) {
            first.help = Some(INI_HELP.into());
        }
        diagnostics
    })
}

/// An inventory folder, as Ansible reads one: every `.yml`, `.yaml` and `.json` file in
/// it, by name (hidden files aside), one inventory; `group_vars/` and `host_vars/` are
/// inside the folder. Another file is named in a warning (smartlic reads YAML only).
fn load_dir(dir: &Path) -> Result<Inventory, Vec<Diagnostic>> {
    let origin = Origin::CommandLine(dir.display().to_string());
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![Diagnostic::error(
            &origin,
            "",
            format!("cannot read folder: {e}"),
        )]
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        // Not only regular files: a FIFO named `*.yml` is refused by name, not skipped.
        .filter(|p| !p.is_dir())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    let is_yaml = |p: &PathBuf| {
        p.extension()
            .is_some_and(|e| ["yml", "yaml", "json"].contains(&&*e.to_string_lossy()))
    };
    let mut warnings: Vec<Diagnostic> = files
        .iter()
        .filter(|p| !is_yaml(p))
        .map(|p| {
            let message = format!(
                "{} is not read: smartlic reads YAML inventory files (.yml, .yaml, .json)",
                p.display()
            );
            Diagnostic::warning(&origin, "", message)
        })
        .collect();
    files.retain(is_yaml);
    if files.is_empty() {
        let message = "the inventory folder holds no .yml, .yaml or .json file";
        return Err(vec![Diagnostic::error(&origin, "", message)]);
    }
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for file in &files {
        match yaml::load_file(file) {
            Ok(doc) => docs.push(doc),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut inventory = build(dir, dir, &docs)?;
    warnings.append(&mut inventory.warnings);
    inventory.warnings = warnings;
    Ok(inventory)
}

const INI_HELP: &str = "this looks like an INI inventory, which smartlic does not read: \
     convert it with `ansible-inventory -i FILE --list --yaml > hosts.yml`";

/// An INI inventory, the other format Ansible users have, starts sections with
/// `[group]`, `[group:vars]` or `[group:children]` alone on a line.
fn looks_like_ini(text: &str) -> bool {
    text.lines().map(str::trim).any(|line| {
        line.len() > 2
            && line.starts_with('[')
            && line.ends_with(']')
            && !line[1..line.len() - 1].contains(['[', ']', ',', ' '])
    })
}

/// The inventory `path` names, from its documents, with vars folders in `dir`.
fn build(path: &Path, dir: &Path, docs: &[Node]) -> Result<Inventory, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut graph = parse::parse_documents(docs, &mut diagnostics);
    resolve::break_cycles(&mut graph, &mut diagnostics);
    resolve::reconcile(&mut graph);
    let order = resolve::order(&graph, &mut diagnostics);
    let group_names: Vec<&str> = graph.groups.iter().map(|g| g.name.as_str()).collect();
    let group_files = vars_files::load(&dir.join("group_vars"), &group_names, &mut diagnostics);
    warn_ignored_priority(&graph, &group_files, &mut diagnostics);
    let host_names: Vec<&str> = graph.hosts.iter().map(|h| h.name.as_str()).collect();
    let host_files = vars_files::load(&dir.join("host_vars"), &host_names, &mut diagnostics);
    warn_host_named_like_group(&graph, &mut diagnostics);
    // Found in several passes; shown in the order of the files and lines they point at.
    diagnostics.sort_by_key(|d| {
        d.origin
            .location()
            .map(|l| (l.path().to_path_buf(), l.line, l.col))
    });
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let layers = Layers {
        graph: &graph,
        order: &order,
        group_files: &group_files,
        host_files: &host_files,
    };
    Ok(layers.assemble(path, diagnostics))
}

/// Everything a host's variables are merged from.
struct Layers<'a> {
    graph: &'a Graph,
    order: &'a Order,
    group_files: &'a [Option<Node>],
    host_files: &'a [Option<Node>],
}

impl Layers<'_> {
    fn assemble(&self, path: &Path, warnings: Vec<Diagnostic>) -> Inventory {
        let graph = self.graph;
        let mut members = vec![Vec::new(); graph.groups.len()];
        let mut seen = vec![usize::MAX; graph.groups.len()];
        let hosts = (0..graph.hosts.len())
            .map(|host| {
                let groups =
                    resolve::host_groups(&graph.hosts[host].groups, self.order, &mut seen, host);
                for &group in &groups {
                    members[group].push(host);
                }
                self.host(host, &groups)
            })
            .collect();
        Inventory {
            path: path.to_path_buf(),
            hosts,
            groups: (0..graph.groups.len()).map(|g| self.group(g)).collect(),
            warnings,
            host_index: graph.host_index.clone(),
            group_index: graph.group_index.clone(),
            members,
        }
    }

    /// The precedence order of the module docs, lowest first.
    fn host(&self, host: usize, groups: &[usize]) -> Host {
        let def = &self.graph.hosts[host];
        let mut vars = Node::empty_map(def.origin.clone());
        let inline = groups.iter().map(|&g| Some(&self.graph.groups[g].vars));
        let files = groups.iter().map(|&g| self.group_files[g].as_ref());
        let own = [Some(&def.vars), self.host_files[host].as_ref()];
        for layer in inline.chain(files).chain(own).flatten() {
            if layer.entries().is_some_and(|e| !e.is_empty()) {
                crate::intent::merge_vars(&mut vars, layer.clone());
            }
        }
        Host {
            name: def.name.clone(),
            origin: def.origin.clone(),
            groups: groups
                .iter()
                .map(|&g| self.graph.groups[g].name.clone())
                .collect(),
            vars,
        }
    }

    fn group(&self, group: usize) -> Group {
        let def = &self.graph.groups[group];
        let name = |g: usize| self.graph.groups[g].name.clone();
        Group {
            name: def.name.clone(),
            origin: def.origin.clone(),
            parents: def.parents.iter().map(|&g| name(g)).collect(),
            children: def.children.iter().map(|e| name(e.child)).collect(),
            hosts: def
                .hosts
                .iter()
                .map(|&h| self.graph.hosts[h].name.clone())
                .collect(),
            depth: self.order.depth[group],
            priority: self.order.priority[group],
            vars: def.vars.clone(),
            file_vars: self.group_files[group].clone(),
        }
    }
}

fn warn_ignored_priority(
    graph: &Graph,
    group_files: &[Option<Node>],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (group, vars) in graph.groups.iter().zip(group_files) {
        if let Some(node) = vars.as_ref().and_then(|v| v.get("ansible_group_priority")) {
            diagnostics.push(
                Diagnostic::warning(
                    &node.origin,
                    "ansible_group_priority",
                    format!("ignored for the order of group `{}`: Ansible reads it only from the inventory file", group.name),
                )
                .with_help(format!("move it under `{}: vars:` in the inventory", group.name)),
            );
        }
    }
}

/// Ansible warns too: a pattern naming both picks the host, which surprises people.
fn warn_host_named_like_group(graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    for host in &graph.hosts {
        if graph.group_index.contains_key(&host.name) {
            diagnostics.push(Diagnostic::warning(
                &host.origin,
                "",
                format!(
                    "`{}` is both a host and a group; in a pattern it means the host",
                    host.name
                ),
            ));
        }
    }
}

impl Inventory {
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.host_index.get(name).map(|&i| &self.hosts[i])
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.group_index.get(name).map(|&i| &self.groups[i])
    }

    /// The hosts in `group` or any group below it, in inventory order.
    pub fn hosts_in(&self, group: &str) -> impl Iterator<Item = &Host> {
        let members = self
            .group_index
            .get(group)
            .map(|&g| self.members[g].as_slice());
        members.unwrap_or_default().iter().map(|&h| &self.hosts[h])
    }

    /// The tree of groups and hosts as `ansible-inventory --graph` prints it: children
    /// and hosts sorted by name, a group under several parents shown under each, hosts
    /// of `all` shown under `ungrouped`. Ends with a newline.
    pub fn graph(&self) -> String {
        let mut out = String::new();
        self.graph_group(parse::ALL, 0, &mut out);
        out
    }

    fn graph_group(&self, group: usize, depth: usize, out: &mut String) {
        let group = &self.groups[group];
        let _ = writeln!(out, "{}@{}:", graph_prefix(depth), group.name);
        let mut children: Vec<&String> = group.children.iter().collect();
        children.sort();
        for child in children {
            self.graph_group(self.group_index[child.as_str()], depth + 1, out);
        }
        if group.name != "all" {
            let mut hosts: Vec<&String> = group.hosts.iter().collect();
            hosts.sort();
            for host in hosts {
                let _ = writeln!(out, "{}{host}", graph_prefix(depth + 1));
            }
        }
    }
}

fn graph_prefix(depth: usize) -> String {
    if depth == 0 {
        String::new()
    } else {
        format!("{}--", "  |".repeat(depth))
    }
}

#[cfg(test)]
mod tests;
