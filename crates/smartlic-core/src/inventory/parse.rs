//! Reading one YAML inventory document into a graph of groups and hosts.
//!
//! This follows Ansible's YAML inventory plugin (`plugins/inventory/yaml.py`): every
//! top-level key is a group; a group holds `hosts`, `vars` and `children`, nested to
//! any depth; a group or host may be written several times, and each mention adds to
//! it. Where Ansible only warns and skips (a key it does not know, a group body that
//! is not a mapping), smartlic reports an error, because a CI run should not go ahead
//! on half an inventory. Cycles, `ungrouped`, depth and variable precedence are
//! resolved afterwards, in `resolve.rs`.

use std::collections::{HashMap, HashSet};

use super::host_range;
use crate::source::{Diagnostic, Origin, did_you_mean};
use crate::yaml::{Key, Node, Value};

/// Index of the implicit `all` group; every other group descends from it.
pub(super) const ALL: usize = 0;
/// Index of the implicit `ungrouped` group: hosts that are in no group but `all`.
pub(super) const UNGROUPED: usize = 1;

const SECTIONS: [&str; 3] = ["hosts", "vars", "children"];

pub(super) struct GroupDef {
    pub name: String,
    pub origin: Origin,
    pub parents: Vec<usize>,
    pub children: Vec<Edge>,
    /// Hosts listed directly under this group, in file order.
    pub hosts: Vec<usize>,
    /// The group's `vars:` from the inventory file, merged over all its mentions.
    pub vars: Node,
}

/// A `children:` entry: where it was written, so a cycle can be reported there.
pub(super) struct Edge {
    pub child: usize,
    pub origin: Origin,
    pub field: String,
}

pub(super) struct HostDef {
    pub name: String,
    pub origin: Origin,
    /// Groups that list this host directly.
    pub groups: Vec<usize>,
    /// Variables written under the host in the inventory file, merged in file order.
    pub vars: Node,
}

#[derive(Default)]
pub(super) struct Graph {
    pub groups: Vec<GroupDef>,
    pub group_index: HashMap<String, usize>,
    pub hosts: Vec<HostDef>,
    pub host_index: HashMap<String, usize>,
    /// Known (parent, child) and (group, host) pairs, so that repeated mentions are
    /// deduplicated without scanning lists (10,000 hosts in one group stay linear).
    edges: HashSet<(usize, usize)>,
    members: HashSet<(usize, usize)>,
}

impl Graph {
    fn new() -> Self {
        let mut graph = Graph::default();
        graph.group("all", &Origin::Default);
        graph.group("ungrouped", &Origin::Default);
        graph.add_edge(ALL, UNGROUPED, Origin::Default, String::new());
        graph
    }

    /// The index of group `name`, created on first mention.
    fn group(&mut self, name: &str, origin: &Origin) -> usize {
        if let Some(&index) = self.group_index.get(name) {
            // The implicit groups take the origin of their first written mention.
            if self.groups[index].origin == Origin::Default {
                self.groups[index].origin = origin.clone();
            }
            return index;
        }
        let index = self.groups.len();
        self.groups.push(GroupDef {
            name: name.to_string(),
            origin: origin.clone(),
            parents: Vec::new(),
            children: Vec::new(),
            hosts: Vec::new(),
            vars: Node::empty_map(origin.clone()),
        });
        self.group_index.insert(name.to_string(), index);
        index
    }

    fn host(&mut self, name: &str, origin: &Origin) -> usize {
        if let Some(&index) = self.host_index.get(name) {
            return index;
        }
        let index = self.hosts.len();
        self.hosts.push(HostDef {
            name: name.to_string(),
            origin: origin.clone(),
            groups: Vec::new(),
            vars: Node::empty_map(origin.clone()),
        });
        self.host_index.insert(name.to_string(), index);
        index
    }

    pub(super) fn add_edge(&mut self, parent: usize, child: usize, origin: Origin, field: String) {
        if self.edges.insert((parent, child)) {
            self.groups[parent].children.push(Edge {
                child,
                origin,
                field,
            });
            self.groups[child].parents.push(parent);
        }
    }

    pub(super) fn remove_edge(&mut self, parent: usize, child: usize) {
        self.edges.remove(&(parent, child));
        self.groups[parent].children.retain(|e| e.child != child);
        self.groups[child].parents.retain(|&p| p != parent);
    }

    pub(super) fn add_member(&mut self, group: usize, host: usize) {
        if self.members.insert((group, host)) {
            self.groups[group].hosts.push(host);
            self.hosts[host].groups.push(group);
        }
    }

    pub(super) fn remove_member(&mut self, group: usize, host: usize) {
        if self.members.remove(&(group, host)) {
            self.groups[group].hosts.retain(|&h| h != host);
            self.hosts[host].groups.retain(|&g| g != group);
        }
    }
}

/// Reads the document's groups, hosts and inline vars; problems go to `diagnostics`.
/// Parses one inventory from its documents (one file, or each file of an inventory
/// folder, in order): a group or host named in several is one group or host.
pub(super) fn parse_documents(docs: &[Node], diagnostics: &mut Vec<Diagnostic>) -> Graph {
    let mut parser = Parser {
        graph: Graph::new(),
        diagnostics,
    };
    for doc in docs {
        parser.document(doc);
    }
    parser.graph
}

struct Parser<'d> {
    graph: Graph,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Parser<'_> {
    fn error(&mut self, origin: &Origin, field: &str, message: String) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::error(origin, field, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn document(&mut self, doc: &Node) {
        let entries = match &doc.value {
            Value::Map(entries) => entries,
            Value::Null => {
                self.error(&doc.origin, "", "the inventory is empty".into())
                    .help = Some(
                    "start it with `all:` and put `hosts:`, `vars:` or `children:` under it".into(),
                );
                return;
            }
            _ => {
                let message = format!(
                    "an inventory must be a mapping of group names such as `all:`, found {}",
                    doc.kind()
                );
                self.error(&doc.origin, "", message);
                return;
            }
        };
        if let Some((key, _)) = entries.iter().find(|(k, _)| k.name == "plugin") {
            self.error(
                &key.origin,
                "plugin",
                "this is an inventory plugin configuration, not a YAML inventory".into(),
            )
            .help = Some("smartlic reads static inventories: save one with `ansible-inventory -i FILE --list --yaml`".into());
            return;
        }
        for (key, body) in entries {
            if SECTIONS.contains(&key.name.as_str()) {
                let message = format!("`{}` at the top level must be inside a group", key.name);
                self.error(&key.origin, &key.name, message).help = Some(format!(
                    "start the file with `all:` and indent `{}:` under it",
                    key.name
                ));
                continue;
            }
            let group = self.graph.group(&key.name, &key.origin);
            self.group_body(group, body, &key.name);
        }
    }

    fn group_body(&mut self, group: usize, body: &Node, path: &str) {
        let entries = match &body.value {
            Value::Null => return,
            Value::Map(entries) => entries,
            _ => {
                let message = format!(
                    "group `{}` must be a mapping with `hosts`, `vars` or `children`, found {}",
                    self.graph.groups[group].name,
                    body.kind()
                );
                self.error(&body.origin, path, message);
                return;
            }
        };
        for (key, value) in entries {
            let field = format!("{path}.{}", key.name);
            match key.name.as_str() {
                "hosts" => self.hosts_section(group, value, &field),
                "children" => self.children_section(group, value, &field),
                "vars" => self.vars_section(group, value, &field),
                _ => self.unknown_section(group, key, &field),
            }
        }
    }

    fn unknown_section(&mut self, group: usize, key: &Key, field: &str) {
        let message = format!(
            "unknown key `{}` in group `{}`: a group holds `hosts`, `vars` and `children`",
            key.name, self.graph.groups[group].name
        );
        let help = match did_you_mean(&key.name, SECTIONS) {
            Some(section) => format!("did you mean `{section}`?"),
            None => format!("to set a variable, put `{}:` under `vars:`", key.name),
        };
        self.error(&key.origin, field, message).help = Some(help);
    }

    fn hosts_section(&mut self, group: usize, section: &Node, field: &str) {
        let Some(entries) = self.named_entries(group, section, field) else {
            return;
        };
        for (key, body) in entries {
            self.host_entry(group, &key, body, &format!("{field}.{}", key.name));
        }
    }

    fn host_entry(&mut self, group: usize, key: &Key, body: Option<&Node>, field: &str) {
        let parsed = match host_range::parse(&key.name) {
            Ok(parsed) => parsed,
            Err(message) => {
                self.error(&key.origin, field, message);
                return;
            }
        };
        let vars = match body {
            None => None,
            Some(node) if node.is_null() => None,
            Some(
                node @ Node {
                    value: Value::Map(_),
                    ..
                },
            ) => Some(node),
            Some(node) => {
                self.bad_host_body(&key.name, node, field);
                return;
            }
        };
        for name in &parsed.names {
            let host = self.graph.host(name, &key.origin);
            self.graph.add_member(group, host);
            let host_vars = &mut self.graph.hosts[host].vars;
            // As in Ansible, the key's `:port` comes first so a written `ansible_port` wins.
            if let Some(port) = &parsed.port {
                crate::intent::merge_vars(host_vars, port_var(port, &key.origin));
            }
            if let Some(vars) = vars {
                crate::intent::merge_vars(host_vars, vars.clone());
            }
        }
    }

    fn bad_host_body(&mut self, name: &str, body: &Node, field: &str) {
        let message = format!(
            "host `{name}` must be a mapping of variables or empty, found {}",
            body.kind()
        );
        let help = match body.scalar() {
            Some(text) => {
                format!("to give its address, write `ansible_host: {text}` under `{name}:`")
            }
            None => format!("write each variable as `name: value` under `{name}:`"),
        };
        self.error(&body.origin, field, message).help = Some(help);
    }

    fn children_section(&mut self, group: usize, section: &Node, field: &str) {
        let Some(entries) = self.named_entries(group, section, field) else {
            return;
        };
        for (key, body) in entries {
            let child_field = format!("{field}.{}", key.name);
            if key.name == "all" {
                let message =
                    "`all` is the root of every inventory and cannot be a child group".to_string();
                self.error(&key.origin, &child_field, message);
                continue;
            }
            let child = self.graph.group(&key.name, &key.origin);
            self.graph
                .add_edge(group, child, key.origin.clone(), child_field.clone());
            if let Some(body) = body {
                self.group_body(child, body, &child_field);
            }
        }
    }

    fn vars_section(&mut self, group: usize, section: &Node, field: &str) {
        match &section.value {
            Value::Null => {}
            Value::Map(_) => {
                crate::intent::merge_vars(&mut self.graph.groups[group].vars, section.clone())
            }
            _ => {
                let message = format!(
                    "`vars` of group `{}` must be a mapping of variable names, found {}",
                    self.graph.groups[group].name,
                    section.kind()
                );
                self.error(&section.origin, field, message);
            }
        }
    }

    /// The entries of `hosts:` or `children:`. Like Ansible, a single name written as a
    /// plain string (`hosts: sw1`) is accepted as a one-entry mapping.
    fn named_entries<'n>(
        &mut self,
        group: usize,
        section: &'n Node,
        field: &str,
    ) -> Option<Vec<(Key, Option<&'n Node>)>> {
        match &section.value {
            Value::Null => Some(Vec::new()),
            Value::Map(entries) => {
                Some(entries.iter().map(|(k, v)| (k.clone(), Some(v))).collect())
            }
            Value::Scalar { text, .. } => Some(vec![(
                Key {
                    name: text.clone(),
                    origin: section.origin.clone(),
                },
                None,
            )]),
            Value::Seq(_) => {
                let what = field.rsplit('.').next().unwrap_or(field);
                let message = format!(
                    "`{what}` of group `{}` must be a mapping of names, found a list",
                    self.graph.groups[group].name
                );
                self.error(&section.origin, field, message).help = Some(
                    "write each name as a key ending with `:`, one per line, without `- `".into(),
                );
                None
            }
        }
    }
}

fn port_var(port: &str, origin: &Origin) -> Node {
    let value = Node::new(
        Value::Scalar {
            text: port.to_string(),
            quoted: false,
        },
        origin.clone(),
    );
    let key = Key {
        name: "ansible_port".into(),
        origin: origin.clone(),
    };
    Node::new(Value::Map(vec![(key, value)]), origin.clone())
}
