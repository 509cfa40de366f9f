//! The lab's reader of the Ansible YAML inventory its users already have: which devices
//! to simulate, and each one's variables merged the way Ansible merges them.
//!
//! The format is that of Ansible's YAML inventory plugin: every top-level key is a group
//! (normally `all:`); a group holds `hosts:` (host → its variables), `vars:` and
//! `children:` (group → group), nested to any depth. A host or group may be written in
//! several places, and each mention adds to it. Host keys may hold ranges
//! (`web[01:10]`, `db-[a:c]`, `[1:9:2]`) and a `:port`, as Ansible expands them. Where
//! Ansible only warns (an unknown key in a group, a group that is not a mapping), the lab
//! fails: a simulation of half an inventory would test the wrong fleet. INI inventories
//! are refused with a message saying so.
//!
//! Variables come in four layers, lowest first (Ansible's "Understanding variable
//! precedence"):
//! 1. group `vars:` in the inventory file, `all` first, then the host's other groups by
//!    depth (parents before children), then `ansible_group_priority` (default 1, higher
//!    later), then name — Ansible's `sort_groups`;
//! 2. `group_vars/<group>` files next to the inventory file, groups in the same order;
//! 3. the host's own variables in the inventory file;
//! 4. `host_vars/<host>` files.
//!
//! Layers merge with [`Value::merge_over`] (mappings deeply, a secret source whole),
//! like the client does, so lab and client see the same values.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use super::yamlish::{self, Key, Kind, LabYamlError, Mark, Value};

/// An inventory as the lab needs it.
#[derive(Clone, Debug)]
pub struct LabInventory {
    /// The inventory file, as given.
    pub path: PathBuf,
    /// In the order they first appear in the file.
    pub hosts: Vec<InventoryHost>,
    /// The `all` group's variables: its `vars:` in the inventory, then `group_vars/all`.
    pub all_vars: Value,
}

impl LabInventory {
    pub fn host(&self, name: &str) -> Option<&InventoryHost> {
        self.hosts.iter().find(|host| host.name == name)
    }
}

/// One host and everything it inherits.
#[derive(Clone, Debug)]
pub struct InventoryHost {
    pub name: String,
    /// Where the host is first listed.
    pub mark: Mark,
    /// Every group it is in, `all` and ancestors included, in the order their variables
    /// apply (the most specific last).
    pub groups: Vec<String>,
    /// All its variables, merged by precedence: always a mapping.
    pub vars: Value,
}

/// Reads the YAML inventory at `path` with the `group_vars/` and `host_vars/` folders
/// beside it. Every problem found is returned, not only the first. An inventory without
/// hosts is not an error here.
pub fn load(path: &Path) -> Result<LabInventory, Vec<LabYamlError>> {
    let root = read_inventory_file(path).map_err(|e| vec![e])?;
    let mut graph = Graph::new();
    graph.read_top_level(&root);
    graph.settle();
    let mut errors = std::mem::take(&mut graph.errors);
    let dir = path.parent().unwrap_or(Path::new(""));
    let group_files: Vec<Option<Value>> = graph
        .groups
        .iter()
        .map(|group| vars_layer(&dir.join("group_vars"), &group.name, &mut errors))
        .collect();
    let hosts: Vec<InventoryHost> = graph
        .hosts
        .iter()
        .map(|host| {
            let host_file = vars_layer(&dir.join("host_vars"), &host.name, &mut errors);
            graph.resolve_host(host, &group_files, host_file)
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let all_vars = graph.all_vars(path, group_files[ALL].as_ref());
    Ok(LabInventory {
        path: path.to_path_buf(),
        hosts,
        all_vars,
    })
}

fn read_inventory_file(path: &Path) -> Result<Value, LabYamlError> {
    if path.is_dir() {
        return Err(LabYamlError::whole_file(
            path,
            "a folder; the lab reads one YAML inventory file",
        ));
    }
    let text = yamlish::read_text(path)?;
    if let Some(line) = ini_section_line(&text) {
        let mark = Mark {
            line,
            ..Mark::start_of(path)
        };
        let message = "an INI inventory (`[group]` sections); the lab reads YAML inventories only";
        return Err(LabYamlError::at(&mark, "", message));
    }
    yamlish::parse_str(&text, path)
}

/// The line of the first `[group]`, `[group:vars]` or `[group:children]` written alone
/// at the start of a line, as INI inventories have. In a YAML inventory such a line
/// could only be a top-level list, which is no inventory either.
fn ini_section_line(text: &str) -> Option<usize> {
    let is_section = |line: &str| {
        let inner = line.trim_end().strip_prefix('[')?.strip_suffix(']')?;
        let name_chars = |c: char| c.is_ascii_alphanumeric() || "_-.:".contains(c);
        Some(!inner.is_empty() && inner.chars().all(name_chars))
    };
    text.lines()
        .position(|line| is_section(line) == Some(true))
        .map(|index| index + 1)
}

/// Index of the `all` group, which every other group descends from.
const ALL: usize = 0;

/// Ansible's `ansible_group_priority` when a group sets none.
const DEFAULT_PRIORITY: i64 = 1;

struct Group {
    name: String,
    parents: Vec<usize>,
    /// Its `vars:` in the inventory file, all mentions merged.
    vars: Option<Value>,
    priority: i64,
    /// Longest path from `all`, which is 0.
    depth: usize,
}

struct Host {
    name: String,
    mark: Mark,
    /// Groups that list it directly.
    groups: Vec<usize>,
    /// Its variables in the inventory file, all mentions merged.
    vars: Option<Value>,
}

/// Groups and hosts as written, before variables are merged.
struct Graph {
    groups: Vec<Group>,
    group_ids: HashMap<String, usize>,
    hosts: Vec<Host>,
    host_ids: HashMap<String, usize>,
    errors: Vec<LabYamlError>,
}

impl Graph {
    fn new() -> Graph {
        let mut graph = Graph {
            groups: Vec::new(),
            group_ids: HashMap::new(),
            hosts: Vec::new(),
            host_ids: HashMap::new(),
            errors: Vec::new(),
        };
        graph.group_id("all");
        graph
    }

    fn error(&mut self, mark: &Mark, field: &str, message: impl Into<String>) {
        self.errors.push(LabYamlError::at(mark, field, message));
    }

    fn group_id(&mut self, name: &str) -> usize {
        if let Some(&id) = self.group_ids.get(name) {
            return id;
        }
        self.groups.push(Group {
            name: name.to_owned(),
            parents: Vec::new(),
            vars: None,
            priority: DEFAULT_PRIORITY,
            depth: 0,
        });
        self.group_ids
            .insert(name.to_owned(), self.groups.len() - 1);
        self.groups.len() - 1
    }

    /// The host `name`, created where it is first listed.
    fn host_id(&mut self, name: &str, mark: &Mark) -> usize {
        if let Some(&id) = self.host_ids.get(name) {
            return id;
        }
        self.hosts.push(Host {
            name: name.to_owned(),
            mark: mark.clone(),
            groups: Vec::new(),
            vars: None,
        });
        self.host_ids.insert(name.to_owned(), self.hosts.len() - 1);
        self.hosts.len() - 1
    }

    fn read_top_level(&mut self, root: &Value) {
        match &root.kind {
            Kind::Null => {}
            Kind::Map(entries) => {
                for (key, body) in entries {
                    if key.name == "plugin" {
                        let message = "an inventory plugin's configuration; the lab reads YAML inventories only";
                        self.error(&key.mark, "plugin", message);
                        continue;
                    }
                    self.read_group(key, body, &key.name);
                }
            }
            _ => {
                let message = format!(
                    "an inventory is a mapping of groups (`all:` …), not {}; the lab reads YAML inventories only",
                    root.kind_name()
                );
                self.error(&root.mark, "", message);
            }
        }
    }

    /// Reads one mention of a group; returns the group.
    fn read_group(&mut self, name: &Key, body: &Value, field: &str) -> usize {
        let id = self.group_id(&name.name);
        match &body.kind {
            Kind::Null => {}
            Kind::Map(sections) => {
                for (section, value) in sections {
                    self.read_section(id, section, value, field);
                }
            }
            _ => {
                let message = format!(
                    "a group is a mapping of `hosts`, `vars` and `children`, or empty; found {}",
                    body.kind_name()
                );
                self.error(&body.mark, field, message);
            }
        }
        id
    }

    fn read_section(&mut self, group: usize, section: &Key, value: &Value, group_field: &str) {
        let field = format!("{group_field}.{}", section.name);
        match section.name.as_str() {
            "hosts" => self.read_hosts(group, value, &field),
            "vars" => self.read_group_vars(group, value, &field),
            "children" => self.read_children(group, value, &field),
            other => {
                let message = format!(
                    "unknown key `{other}` in group `{}`; a group holds `hosts`, `vars` and `children`",
                    self.groups[group].name
                );
                self.error(&section.mark, &field, message);
            }
        }
    }

    /// The entries of `hosts:` or `children:`. Like Ansible, a single name written as
    /// text (`hosts: sw1`) stands for a one-entry mapping.
    fn entries_of<'v>(
        &mut self,
        value: &'v Value,
        field: &str,
        what: &str,
    ) -> Cow<'v, [(Key, Value)]> {
        match &value.kind {
            Kind::Null => Cow::Borrowed(&[]),
            Kind::Map(entries) => Cow::Borrowed(entries),
            Kind::Str(name) => {
                let key = Key {
                    name: name.clone(),
                    mark: value.mark.clone(),
                };
                Cow::Owned(vec![(key, Value::new(Kind::Null, value.mark.clone()))])
            }
            _ => {
                let message = format!("{what}; found {}", value.kind_name());
                self.error(&value.mark, field, message);
                Cow::Borrowed(&[])
            }
        }
    }

    fn read_hosts(&mut self, group: usize, hosts: &Value, field: &str) {
        let what = "`hosts` is a mapping of host names to their variables";
        for (key, vars) in self.entries_of(hosts, field, what).iter() {
            let host_field = format!("{field}.{}", key.name);
            let (names, port) = match expand_host_key(&key.name) {
                Ok(expanded) => expanded,
                Err(message) => {
                    self.error(&key.mark, &host_field, message);
                    continue;
                }
            };
            let vars = self.inline_host_vars(vars, port, key, &host_field);
            for name in names {
                let id = self.host_id(&name, &key.mark);
                if !self.hosts[id].groups.contains(&group) {
                    self.hosts[id].groups.push(group);
                }
                if let Some(vars) = &vars {
                    merge_layer(&mut self.hosts[id].vars, vars.clone());
                }
            }
        }
    }

    /// One mention's variables for a host key: a `:port` suffix is its `ansible_port`
    /// (variables written under the key win, as in Ansible).
    fn inline_host_vars(
        &mut self,
        vars: &Value,
        port: Option<u16>,
        key: &Key,
        field: &str,
    ) -> Option<Value> {
        let mut layer = port.map(|port| port_var(port, &key.mark));
        match &vars.kind {
            Kind::Null => {}
            Kind::Map(_) => merge_layer(&mut layer, vars.clone()),
            _ => {
                let message = format!(
                    "a host's variables are a mapping, or empty; found {}",
                    vars.kind_name()
                );
                self.error(&vars.mark, field, message);
            }
        }
        layer
    }

    fn read_group_vars(&mut self, group: usize, vars: &Value, field: &str) {
        match &vars.kind {
            Kind::Null => {}
            Kind::Map(_) => {
                if let Some(priority) = vars.get("ansible_group_priority") {
                    self.set_priority(group, priority, field);
                }
                merge_layer(&mut self.groups[group].vars, vars.clone());
            }
            _ => {
                let message = format!(
                    "`vars` is a mapping of variable names to values; found {}",
                    vars.kind_name()
                );
                self.error(&vars.mark, field, message);
            }
        }
    }

    /// `ansible_group_priority` counts only from the inventory file: Ansible orders the
    /// groups before it reads `group_vars/`.
    fn set_priority(&mut self, group: usize, priority: &Value, field: &str) {
        let number = priority
            .as_i64()
            .or_else(|| priority.as_str().and_then(|text| text.trim().parse().ok()));
        match number {
            Some(number) => self.groups[group].priority = number,
            None => {
                let message = format!(
                    "`ansible_group_priority` is an integer; found {}",
                    priority.kind_name()
                );
                self.error(
                    &priority.mark,
                    &format!("{field}.ansible_group_priority"),
                    message,
                );
            }
        }
    }

    fn read_children(&mut self, parent: usize, children: &Value, field: &str) {
        let what = "`children` is a mapping of group names to groups";
        for (key, body) in self.entries_of(children, field, what).iter() {
            let child_field = format!("{field}.{}", key.name);
            let child = self.read_group(key, body, &child_field);
            self.add_child(parent, child, key, &child_field);
        }
    }

    /// Records `child` under `parent`, unless that would make a cycle (which would leave
    /// the groups without an order to apply their variables in).
    fn add_child(&mut self, parent: usize, child: usize, key: &Key, field: &str) {
        if child == ALL {
            self.error(
                &key.mark,
                field,
                "`all` cannot be a child group: every group is in it",
            );
            return;
        }
        if child == parent || self.is_ancestor(child, parent) {
            let (child_name, parent_name) = (&self.groups[child].name, &self.groups[parent].name);
            let message = format!(
                "group `{child_name}` under `{parent_name}` makes a cycle: `{child_name}` already contains `{parent_name}`"
            );
            self.error(&key.mark, field, message);
            return;
        }
        if !self.groups[child].parents.contains(&parent) {
            self.groups[child].parents.push(parent);
        }
    }

    fn is_ancestor(&self, candidate: usize, of: usize) -> bool {
        let mut seen = HashSet::new();
        let mut todo = self.groups[of].parents.clone();
        while let Some(group) = todo.pop() {
            if group == candidate {
                return true;
            }
            if seen.insert(group) {
                todo.extend(&self.groups[group].parents);
            }
        }
        false
    }

    /// What Ansible computes after reading: hosts in no group but `all` are also in
    /// `ungrouped`, groups without a parent go under `all`, and each group gets its depth.
    fn settle(&mut self) {
        for host in 0..self.hosts.len() {
            if self.hosts[host].groups.iter().all(|&group| group == ALL) {
                let ungrouped = self.group_id("ungrouped");
                self.hosts[host].groups.push(ungrouped);
            }
        }
        for group in self.groups.iter_mut().skip(1) {
            if group.parents.is_empty() {
                group.parents.push(ALL);
            }
        }
        self.set_depths();
    }

    /// Longest path from `all`, parents before children (Kahn's algorithm; the graph has
    /// no cycles, [`Graph::add_child`] refused them).
    fn set_depths(&mut self) {
        let mut children = vec![Vec::new(); self.groups.len()];
        let mut parents_left: Vec<usize> = self.groups.iter().map(|g| g.parents.len()).collect();
        for (id, group) in self.groups.iter().enumerate() {
            for &parent in &group.parents {
                children[parent].push(id);
            }
        }
        let mut ready = vec![ALL];
        while let Some(parent) = ready.pop() {
            for &child in &children[parent] {
                let depth = self.groups[parent].depth + 1;
                self.groups[child].depth = self.groups[child].depth.max(depth);
                parents_left[child] -= 1;
                if parents_left[child] == 0 {
                    ready.push(child);
                }
            }
        }
    }

    /// The host's groups with all their ancestors, in the order their variables apply.
    fn groups_of(&self, host: &Host) -> Vec<usize> {
        let mut seen = HashSet::from([ALL]);
        let mut groups = vec![ALL];
        let mut todo = host.groups.clone();
        while let Some(group) = todo.pop() {
            if seen.insert(group) {
                groups.push(group);
                todo.extend(&self.groups[group].parents);
            }
        }
        groups.sort_by_key(|&id| {
            let group = &self.groups[id];
            (group.depth, group.priority, group.name.as_str())
        });
        groups
    }

    fn resolve_host(
        &self,
        host: &Host,
        group_files: &[Option<Value>],
        host_file: Option<Value>,
    ) -> InventoryHost {
        let groups = self.groups_of(host);
        let inline_group_vars = groups
            .iter()
            .filter_map(|&id| self.groups[id].vars.as_ref());
        let group_vars_files = groups.iter().filter_map(|&id| group_files[id].as_ref());
        let mut vars = Value::empty_map(host.mark.clone());
        for layer in inline_group_vars
            .chain(group_vars_files)
            .chain(host.vars.as_ref())
        {
            vars.merge_over(layer.clone());
        }
        if let Some(host_file) = host_file {
            vars.merge_over(host_file);
        }
        InventoryHost {
            name: host.name.clone(),
            mark: host.mark.clone(),
            groups: groups
                .iter()
                .map(|&id| self.groups[id].name.clone())
                .collect(),
            vars,
        }
    }

    fn all_vars(&self, path: &Path, all_file: Option<&Value>) -> Value {
        let mut vars = Value::empty_map(Mark::start_of(path));
        for layer in self.groups[ALL].vars.iter().chain(all_file) {
            vars.merge_over(layer.clone());
        }
        vars
    }
}

fn merge_layer(slot: &mut Option<Value>, upper: Value) {
    match slot {
        Some(lower) => lower.merge_over(upper),
        None => *slot = Some(upper),
    }
}

/// `{ansible_port: PORT}`, from a `host:PORT` key.
fn port_var(port: u16, mark: &Mark) -> Value {
    let key = Key {
        name: "ansible_port".to_owned(),
        mark: mark.clone(),
    };
    let value = Value::new(Kind::Int(i64::from(port)), mark.clone());
    Value::new(Kind::Map(vec![(key, value)]), mark.clone())
}

/// Extensions of vars files, as Ansible's `host_group_vars` plugin accepts them.
const VARS_EXTENSIONS: [&str; 3] = ["yml", "yaml", "json"];

/// How deep folders under `group_vars/<group>/` are followed: far more than anyone
/// nests, and a bound against a symlink loop.
const MAX_VARS_FOLDER_DEPTH: usize = 16;

/// A group's or host's variables from its `group_vars/`/`host_vars/` files, merged in
/// order; `None` when it has none. A file that is empty is skipped (as Ansible does); one
/// that is not a mapping is an error.
fn vars_layer(vars_dir: &Path, name: &str, errors: &mut Vec<LabYamlError>) -> Option<Value> {
    let mut layer = None;
    for file in vars_files(vars_dir, name, errors) {
        let value = match yamlish::load_file(&file) {
            Ok(value) => value,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match value.kind {
            Kind::Null => {}
            Kind::Map(_) => merge_layer(&mut layer, value),
            _ => {
                let message = format!(
                    "a vars file is a mapping of variable names to values; found {}",
                    value.kind_name()
                );
                errors.push(LabYamlError::at(&value.mark, "", message));
            }
        }
    }
    layer
}

/// Ansible's lookup (`DataLoader.find_vars_files`): the first that exists of `<name>` (a
/// file, or a folder read whole), `<name>.yml`, `<name>.yaml` and `<name>.json` is used,
/// and only it.
fn vars_files(vars_dir: &Path, name: &str, errors: &mut Vec<LabYamlError>) -> Vec<PathBuf> {
    // A host named `../x` must not make the lab read outside the vars folder.
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
        return Vec::new();
    }
    let with_extensions = VARS_EXTENSIONS
        .iter()
        .map(|ext| vars_dir.join(format!("{name}.{ext}")));
    for candidate in std::iter::once(vars_dir.join(name)).chain(with_extensions) {
        if candidate.is_dir() {
            return files_in_vars_folder(&candidate, 0, errors);
        }
        if candidate.exists() {
            return vec![candidate];
        }
    }
    Vec::new()
}

/// The vars files in a folder, as Ansible lists them: sorted by name, hidden (`.x`) and
/// backup (`x~`) entries skipped, files without an extension or with a vars extension
/// kept, folders without an extension read the same way, in their place in the order.
fn files_in_vars_folder(
    folder: &Path,
    depth: usize,
    errors: &mut Vec<LabYamlError>,
) -> Vec<PathBuf> {
    if depth > MAX_VARS_FOLDER_DEPTH {
        let message =
            format!("vars folders nested more than {MAX_VARS_FOLDER_DEPTH} deep (a symlink loop?)");
        errors.push(LabYamlError::whole_file(folder, message));
        return Vec::new();
    }
    let mut names = match folder_entries(folder) {
        Ok(names) => names,
        Err(e) => {
            errors.push(LabYamlError::whole_file(
                folder,
                format!("cannot list: {e}"),
            ));
            return Vec::new();
        }
    };
    names.sort();
    let mut found = Vec::new();
    for name in names {
        let text = name.to_string_lossy();
        if text.starts_with('.') || text.ends_with('~') {
            continue;
        }
        let path = folder.join(&name);
        match Path::new(&name)
            .extension()
            .map(|ext| ext.to_string_lossy())
        {
            None if path.is_dir() => found.extend(files_in_vars_folder(&path, depth + 1, errors)),
            None if path.is_file() => found.push(path),
            Some(ext) if VARS_EXTENSIONS.contains(&ext.as_ref()) && path.is_file() => {
                found.push(path)
            }
            _ => {}
        }
    }
    found
}

fn folder_entries(folder: &Path) -> std::io::Result<Vec<OsString>> {
    fs::read_dir(folder)?
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect()
}

/// More hosts than this from one key is a typo such as `[1:100000]`; expanding it would
/// only exhaust memory before any error is shown.
const MAX_HOSTS_PER_KEY: usize = 100_000;

/// The host names a key under `hosts:` stands for, and its `:port` if it has one.
fn expand_host_key(key: &str) -> Result<(Vec<String>, Option<u16>), String> {
    let (pattern, port) = split_port(key)?;
    Ok((expand_ranges(pattern)?, port))
}

/// `sw1:2222` → (`sw1`, 2222). Only a single colon outside brackets, followed by digits,
/// is a port: `2001:db8::1` is an address and the colons of `[1:3]` are a range's.
fn split_port(key: &str) -> Result<(&str, Option<u16>), String> {
    let mut depth = 0usize;
    let mut colons = Vec::new();
    for (at, c) in key.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => colons.push(at),
            _ => {}
        }
    }
    let [at] = colons[..] else {
        return Ok((key, None));
    };
    let port = &key[at + 1..];
    if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
        return Ok((key, None));
    }
    let port = port
        .parse()
        .map_err(|_| format!("port `{port}` of `{key}` is above 65535"))?;
    Ok((&key[..at], Some(port)))
}

/// Expands every `[begin:end]` / `[begin:end:step]` of `pattern`, the first range varying
/// slowest, as Ansible's `expand_hostname_range` does.
fn expand_ranges(pattern: &str) -> Result<Vec<String>, String> {
    let mut names = vec![String::new()];
    let mut rest = pattern;
    while let Some(open) = rest.find('[') {
        let close = rest[open..]
            .find(']')
            .map(|offset| open + offset)
            .ok_or_else(|| format!("host pattern `{pattern}` opens `[` without closing it"))?;
        let values = range_values(&rest[open + 1..close])?;
        if names.len().saturating_mul(values.len()) > MAX_HOSTS_PER_KEY {
            return Err(format!(
                "host pattern `{pattern}` stands for more than {MAX_HOSTS_PER_KEY} hosts"
            ));
        }
        let head = &rest[..open];
        names = names
            .iter()
            .flat_map(|name| {
                values
                    .iter()
                    .map(move |value| format!("{name}{head}{value}"))
            })
            .collect();
        rest = &rest[close + 1..];
    }
    for name in &mut names {
        name.push_str(rest);
    }
    Ok(names)
}

/// The values of one range, formatted as they go into host names.
fn range_values(range: &str) -> Result<Vec<String>, String> {
    let bounds: Vec<&str> = range.split(':').collect();
    let (begin, end, step) = match bounds[..] {
        [begin, end] => (begin, end, "1"),
        [begin, end, step] => (begin, end, step),
        _ => {
            return Err(format!(
                "host range `[{range}]` is not begin:end or begin:end:step"
            ));
        }
    };
    // Ansible reads a missing begin as 0; a missing end is an error.
    let begin = if begin.is_empty() { "0" } else { begin };
    if end.is_empty() {
        return Err(format!("host range `[{range}]` has no end"));
    }
    let step = step
        .parse::<usize>()
        .ok()
        .filter(|&step| step > 0)
        .ok_or_else(|| {
            format!("host range `[{range}]`: step `{step}` is not a positive integer")
        })?;
    match (letter_index(begin), letter_index(end)) {
        (Some(begin), Some(end)) => letter_range(begin, end, step, range),
        _ => number_range(begin, end, step, range),
    }
}

/// Letters run as in Python's `string.ascii_letters`: `a`..`z`, then `A`..`Z`.
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn letter_index(bound: &str) -> Option<usize> {
    let mut chars = bound.chars();
    match (chars.next(), chars.next()) {
        (Some(letter), None) => LETTERS.find(letter),
        _ => None,
    }
}

fn letter_range(begin: usize, end: usize, step: usize, range: &str) -> Result<Vec<String>, String> {
    if begin > end {
        return Err(format!("host range `[{range}]` begins after its end"));
    }
    Ok(LETTERS[begin..=end]
        .chars()
        .step_by(step)
        .map(String::from)
        .collect())
}

/// `[1:10]`, or `[01:10]` keeping the leading zeros: then both bounds must have the same
/// number of digits, as Ansible requires.
fn number_range(begin: &str, end: &str, step: usize, range: &str) -> Result<Vec<String>, String> {
    let number = |bound: &str| {
        let digits = !bound.is_empty() && bound.chars().all(|c| c.is_ascii_digit());
        digits.then(|| bound.parse::<u64>().ok()).flatten()
    };
    let (Some(first), Some(last)) = (number(begin), number(end)) else {
        return Err(format!(
            "host range `[{range}]` needs two numbers or two letters"
        ));
    };
    let width = if begin.len() > 1 && begin.starts_with('0') {
        begin.len()
    } else {
        0
    };
    if width > 0 && end.len() != width {
        return Err(format!(
            "host range `[{range}]`: a zero-padded begin needs an end of as many digits"
        ));
    }
    if first > last {
        return Err(format!("host range `[{range}]` begins after its end"));
    }
    if (last - first) / step as u64 >= MAX_HOSTS_PER_KEY as u64 {
        return Err(format!(
            "host range `[{range}]` stands for more than {MAX_HOSTS_PER_KEY} hosts"
        ));
    }
    Ok((first..=last)
        .step_by(step)
        .map(|n| format!("{n:0width$}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `text` at `relative` under `dir`, creating folders.
    fn write(dir: &Path, relative: &str, text: &str) {
        let path = dir.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn load_ok(path: &Path) -> LabInventory {
        load(path).unwrap_or_else(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{}", lines.join("\n"))
        })
    }

    /// An inventory from `text` in a fresh folder, with `files` beside it.
    fn inventory(text: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "hosts.yml", text);
        for (relative, contents) in files {
            write(dir.path(), relative, contents);
        }
        let path = dir.path().join("hosts.yml");
        (dir, path)
    }

    fn load_errors(text: &str) -> Vec<LabYamlError> {
        let (_dir, path) = inventory(text, &[]);
        match load(&path) {
            Ok(_) => panic!("loaded, but expected errors"),
            Err(errors) => errors,
        }
    }

    /// The text of the scalar at a dotted path of `host`'s variables.
    fn var(inventory: &LabInventory, host: &str, path: &str) -> String {
        let host = inventory
            .host(host)
            .unwrap_or_else(|| panic!("no host {host}"));
        let value = host
            .vars
            .get_path(path)
            .unwrap_or_else(|| panic!("{} has no {path}", host.name));
        value
            .scalar_text()
            .unwrap_or_else(|| panic!("{path} is {}", value.kind_name()))
            .into_owned()
    }

    /// The texts in the list at a dotted path of `host`'s variables.
    fn strings(inventory: &LabInventory, host: &str, path: &str) -> Vec<String> {
        let vars = &inventory.host(host).unwrap().vars;
        let list = vars
            .get_path(path)
            .and_then(Value::as_seq)
            .unwrap_or_else(|| panic!("{path} is no list"));
        list.iter()
            .map(|item| item.scalar_text().unwrap().into_owned())
            .collect()
    }

    fn names(inventory: &LabInventory) -> Vec<&str> {
        inventory
            .hosts
            .iter()
            .map(|host| host.name.as_str())
            .collect()
    }

    const PRECEDENCE: &str = "\
all:
  vars:
    inline_order: all
    files_beat_inline: inline-all
  children:
    region:
      vars: {inline_order: region}
      children:
        core:
          vars: {inline_order: core, depth_wins: core, files_beat_inline: inline-core, host_beats_files: inline-core}
          hosts:
            h1:
              host_beats_files: inline-host
              host_files_win: inline-host
    zone:
      vars: {ansible_group_priority: 10, depth_wins: zone}
      hosts: {h1: , h2: }
    alpha:
      vars: {ansible_group_priority: 5, priority_wins: alpha}
      hosts: {h1: }
    beta:
      vars: {priority_wins: beta, name_wins: beta}
      hosts: {h1: }
    gamma:
      vars: {name_wins: gamma}
      hosts: {h1: }
";

    fn precedence_inventory() -> (tempfile::TempDir, LabInventory) {
        let (dir, path) = inventory(
            PRECEDENCE,
            &[
                (
                    "group_vars/all.yml",
                    "files_beat_inline: file-all\nsl: {a: 1, b: 1, token: {env: T}}\n",
                ),
                ("group_vars/alpha.yml", "file_order: alpha\n"),
                ("group_vars/beta.yml", "file_order: beta\n"),
                (
                    "group_vars/core.yml",
                    "host_beats_files: file-core\nfile_depth: core\n",
                ),
                ("group_vars/zone.yml", "file_depth: zone\n"),
                (
                    "host_vars/h1.yml",
                    "host_files_win: file-host\nsl: {b: 2, token: {file: /run/t}}\n",
                ),
            ],
        );
        let inventory = load_ok(&path);
        (dir, inventory)
    }

    #[test]
    fn groups_apply_by_depth_then_priority_then_name() {
        let (_dir, inv) = precedence_inventory();
        let h1 = inv.host("h1").unwrap();
        assert_eq!(
            h1.groups,
            ["all", "beta", "gamma", "region", "alpha", "zone", "core"]
        );
        assert_eq!(
            var(&inv, "h1", "inline_order"),
            "core",
            "children after parents"
        );
        assert_eq!(
            var(&inv, "h1", "depth_wins"),
            "core",
            "deeper beats priority 10 and name"
        );
        assert_eq!(
            var(&inv, "h1", "priority_wins"),
            "alpha",
            "priority 5 beats the name beta"
        );
        assert_eq!(
            var(&inv, "h1", "name_wins"),
            "gamma",
            "same depth and priority: by name"
        );
        assert_eq!(var(&inv, "h2", "depth_wins"), "zone");
        assert_eq!(inv.host("h2").unwrap().groups, ["all", "zone"]);
    }

    #[test]
    fn the_four_layers_stack_in_ansibles_order() {
        let (_dir, inv) = precedence_inventory();
        assert_eq!(
            var(&inv, "h1", "files_beat_inline"),
            "file-all",
            "group_vars/all beats any inline group"
        );
        assert_eq!(
            var(&inv, "h1", "file_order"),
            "alpha",
            "group_vars files in group order"
        );
        assert_eq!(var(&inv, "h1", "file_depth"), "core");
        assert_eq!(
            var(&inv, "h1", "host_beats_files"),
            "inline-host",
            "host inline beats group_vars"
        );
        assert_eq!(
            var(&inv, "h1", "host_files_win"),
            "file-host",
            "host_vars beat host inline"
        );
        assert_eq!(
            var(&inv, "h1", "sl.a"),
            "1",
            "mappings merge deeply across layers"
        );
        assert_eq!(var(&inv, "h1", "sl.b"), "2");
        assert_eq!(var(&inv, "h2", "sl.b"), "1");
    }

    #[test]
    fn a_secret_source_from_a_higher_layer_replaces_the_lower_one() {
        let (_dir, inv) = precedence_inventory();
        let token = inv.host("h1").unwrap().vars.get_path("sl.token").unwrap();
        assert_eq!(token.get("file").and_then(Value::as_str), Some("/run/t"));
        assert!(token.get("env").is_none(), "not both sources");
        assert_eq!(var(&inv, "h2", "sl.token.env"), "T");
    }

    #[test]
    fn all_vars_are_the_inventory_ones_under_group_vars_all() {
        let (_dir, inv) = precedence_inventory();
        assert_eq!(
            inv.all_vars.get("inline_order").and_then(Value::as_str),
            Some("all")
        );
        assert_eq!(
            inv.all_vars
                .get("files_beat_inline")
                .and_then(Value::as_str),
            Some("file-all")
        );
        assert!(inv.all_vars.get("depth_wins").is_none());
    }

    #[test]
    fn a_vars_folder_is_read_whole_in_name_order() {
        let (_dir, path) = inventory(
            "all:\n  children:\n    site:\n      hosts: {s1: }\n",
            &[
                ("group_vars/site/10-base.yml", "d: 1\ne: base\nlast: base\n"),
                ("group_vars/site/20-over.yaml", "e: over\n"),
                ("group_vars/site/plain", "last: plain\np: plain\n"),
                (
                    "group_vars/site/sub/30.json",
                    "{\"last\": \"sub\", \"j\": true}",
                ),
                ("group_vars/site/.hidden.yml", "d: hidden\n"),
                ("group_vars/site/backup.yml~", "e: backup\n"),
                ("group_vars/site/notes.txt", "not: [yaml\n"),
                ("group_vars/site/empty.yml", "# nothing yet\n"),
                (
                    "group_vars/site.yml",
                    "e: file-beside-the-folder\nignored: true\n",
                ),
            ],
        );
        let inv = load_ok(&path);
        assert_eq!(var(&inv, "s1", "d"), "1", "hidden files are skipped");
        assert_eq!(
            var(&inv, "s1", "e"),
            "over",
            "later files win; backups skipped"
        );
        assert_eq!(
            var(&inv, "s1", "p"),
            "plain",
            "files without extension are read"
        );
        assert_eq!(var(&inv, "s1", "j"), "true", "sub-folders are read");
        assert_eq!(var(&inv, "s1", "last"), "sub", "sub/ sorts after plain");
        assert!(
            inv.host("s1").unwrap().vars.get("ignored").is_none(),
            "the folder, found first, is used alone"
        );
    }

    #[test]
    fn a_vars_file_is_found_by_extension_in_ansibles_order() {
        let (_dir, path) = inventory(
            "all:\n  hosts: {h1: , h2: }\n",
            &[
                ("host_vars/h1.yaml", "x: yaml\n"),
                ("host_vars/h1.json", "{\"x\": \"json\"}"),
                ("host_vars/h2.json", "{\"x\": \"json\"}"),
            ],
        );
        let inv = load_ok(&path);
        assert_eq!(var(&inv, "h1", "x"), "yaml");
        assert_eq!(var(&inv, "h2", "x"), "json");
    }

    #[test]
    fn a_vars_file_that_is_not_a_mapping_is_an_error_naming_it() {
        let (dir, path) = inventory(
            "all:\n  hosts: {h1: }\n",
            &[
                ("group_vars/all.yml", "- a\n- b\n"),
                ("host_vars/h1.yml", "a: [\n"),
            ],
        );
        let errors = load(&path).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].file, dir.path().join("group_vars/all.yml"));
        assert!(errors[0].message.contains("found a list"), "{}", errors[0]);
        assert_eq!(errors[1].file, dir.path().join("host_vars/h1.yml"));
        assert!(
            errors[1].message.starts_with("YAML syntax"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn an_unknown_group_key_is_an_error_at_the_key() {
        let errors = load_errors("all:\n  children:\n    campus:\n      hostz:\n        sw1:\n");
        assert_eq!(errors.len(), 1);
        let e = &errors[0];
        assert_eq!(
            (e.line, e.column, e.field.as_str()),
            (4, 7, "all.children.campus.hostz")
        );
        assert!(
            e.message.contains("unknown key `hostz` in group `campus`"),
            "{e}"
        );
    }

    #[test]
    fn every_error_is_reported_not_only_the_first() {
        let errors = load_errors(concat!(
            "all:\n  children:\n    campus:\n      hosts:\n        sw[1:x]:\n        sw2: [a]\n",
            "      vars: [1]\n      vars2: {}\n    dc: 3\n",
        ));
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "all.children.campus.hosts.sw[1:x]",
                "all.children.campus.hosts.sw2",
                "all.children.campus.vars",
                "all.children.campus.vars2",
                "all.children.dc",
            ]
        );
        assert!(
            errors[0].message.contains("two numbers or two letters"),
            "{}",
            errors[0]
        );
        assert!(
            errors[4].message.contains("found an integer"),
            "{}",
            errors[4]
        );
    }

    #[test]
    fn ini_inventories_are_refused_with_a_clear_message() {
        let (_dir, path) = inventory("# hosts\nsw0\n[campus]\nsw1 ansible_host=192.0.2.1\n", &[]);
        let errors = load(&path).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(
            errors[0].message.contains("YAML inventories only"),
            "{}",
            errors[0]
        );
        let errors = load_errors("sw1 ansible_host=192.0.2.1\n");
        assert!(
            errors[0].message.contains("YAML inventories only"),
            "{}",
            errors[0]
        );
        let errors = load_errors("plugin: amazon.aws.aws_ec2\n");
        assert!(
            errors[0].message.contains("plugin's configuration"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn host_ranges_expand_as_ansible_expands_them() {
        let (_dir, path) = inventory(
            concat!(
                "all:\n  hosts:\n    web[01:03]: {role: web}\n    db-[a:c]:\n    n[1:10:4]:\n",
                "    sw[1:2]-[a:b].lab:\n    edge:2222:\n    core[8:9]:22: {ansible_port: 2022}\n",
            ),
            &[],
        );
        let inv = load_ok(&path);
        assert_eq!(
            names(&inv),
            [
                "web01",
                "web02",
                "web03",
                "db-a",
                "db-b",
                "db-c",
                "n1",
                "n5",
                "n9",
                "sw1-a.lab",
                "sw1-b.lab",
                "sw2-a.lab",
                "sw2-b.lab",
                "edge",
                "core8",
                "core9",
            ]
        );
        assert_eq!(var(&inv, "web02", "role"), "web");
        assert_eq!(inv.host("web03").unwrap().mark.line, 3);
        assert_eq!(
            inv.host("edge")
                .unwrap()
                .vars
                .get("ansible_port")
                .and_then(Value::as_i64),
            Some(2222)
        );
        assert_eq!(
            var(&inv, "core9", "ansible_port"),
            "2022",
            "written vars beat the :port"
        );
    }

    #[test]
    fn bad_host_ranges_say_why() {
        let cases = [
            ("sw[1:3:0]", "not a positive integer"),
            ("sw[01:100]", "as many digits"),
            ("sw[a:3]", "two numbers or two letters"),
            ("sw[3:1]", "begins after its end"),
            ("sw[c:a]", "begins after its end"),
            ("sw[1:3", "without closing"),
            ("sw[1]", "begin:end"),
            ("sw[1:]", "no end"),
            ("sw[0:999999]", "more than 100000"),
            ("sw[0:999][0:999]", "more than 100000"),
            ("sw1:70000", "above 65535"),
        ];
        for (key, why) in cases {
            let error = expand_host_key(key).unwrap_err();
            assert!(error.contains(why), "{key}: {error}");
        }
        assert_eq!(expand_host_key("[:2]x").unwrap().0, ["0x", "1x", "2x"]);
        assert!(
            expand_host_key("h[Y:b]")
                .unwrap_err()
                .contains("begins after its end")
        );
        assert_eq!(
            expand_host_key("h[y:B]").unwrap().0,
            ["hy", "hz", "hA", "hB"]
        );
        assert_eq!(
            expand_host_key("2001:db8::1").unwrap(),
            (vec!["2001:db8::1".to_owned()], None)
        );
    }

    #[test]
    fn hosts_and_groups_written_twice_are_one() {
        let (_dir, path) = inventory(
            concat!(
                "all:\n  children:\n    a:\n      children:\n        shared:\n          hosts: {s1: {x: 1}}\n",
                "    b:\n      hosts:\n        s1: {y: 2}\n      children:\n        shared:\n",
                "          hosts: {s2: }\n          vars: {v: shared}\n",
            ),
            &[],
        );
        let inv = load_ok(&path);
        assert_eq!(names(&inv), ["s1", "s2"]);
        assert_eq!(
            inv.host("s1").unwrap().mark.line,
            6,
            "where it is first listed"
        );
        assert_eq!(inv.host("s1").unwrap().groups, ["all", "a", "b", "shared"]);
        assert_eq!(inv.host("s2").unwrap().groups, ["all", "a", "b", "shared"]);
        assert_eq!(
            (var(&inv, "s1", "x"), var(&inv, "s1", "y")),
            ("1".into(), "2".into())
        );
        assert_eq!(var(&inv, "s1", "v"), "shared");
        assert_eq!(var(&inv, "s2", "v"), "shared");
    }

    #[test]
    fn hosts_in_no_group_are_in_ungrouped() {
        let (_dir, path) = inventory(
            "all:\n  hosts: {lonely: , both: }\n  children:\n    g: {hosts: {both: }}\n",
            &[("group_vars/ungrouped.yml", "alone: true\n")],
        );
        let inv = load_ok(&path);
        assert_eq!(inv.host("lonely").unwrap().groups, ["all", "ungrouped"]);
        assert_eq!(var(&inv, "lonely", "alone"), "true");
        assert_eq!(inv.host("both").unwrap().groups, ["all", "g"]);
    }

    #[test]
    fn top_level_groups_are_under_all() {
        let (_dir, path) = inventory("campus:\n  hosts: {sw1: }\nall:\n  vars: {u: admin}\n", &[]);
        let inv = load_ok(&path);
        assert_eq!(inv.host("sw1").unwrap().groups, ["all", "campus"]);
        assert_eq!(var(&inv, "sw1", "u"), "admin");
    }

    #[test]
    fn group_cycles_are_errors() {
        let errors = load_errors(
            "all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n",
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("makes a cycle"), "{}", errors[0]);
        let errors = load_errors("g:\n  children:\n    all:\n");
        assert!(
            errors[0].message.contains("`all` cannot be a child"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn an_inventory_without_hosts_loads() {
        for text in ["", "# nothing\n", "all:\n", "all:\n  vars: {a: 1}\n"] {
            let (_dir, path) = inventory(text, &[]);
            assert!(load_ok(&path).hosts.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn a_missing_inventory_or_a_folder_is_one_error() {
        let dir = tempfile::tempdir().unwrap();
        let errors = load(&dir.path().join("nope.yml")).unwrap_err();
        assert!(
            errors[0].message.starts_with("cannot read"),
            "{}",
            errors[0]
        );
        let errors = load(dir.path()).unwrap_err();
        assert!(errors[0].message.contains("a folder"), "{}", errors[0]);
    }

    fn repo_inventory(relative: &str) -> LabInventory {
        // The repository's inventories, two folders above this crate.
        load_ok(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(relative),
        )
    }

    #[test]
    fn the_lab_inventory_of_this_repository_loads() {
        let inv = repo_inventory("inventory/lab/hosts.yml");
        assert_eq!(inv.hosts.len(), 8);
        assert_eq!(names(&inv)[..2], ["campus-core-1", "campus-access-1"]);
        assert_eq!(var(&inv, "campus-core-1", "ansible_host"), "127.0.10.11");
        assert_eq!(
            var(&inv, "campus-core-1", "platform"),
            "ios-xe",
            "from group_vars/campus.yml"
        );
        assert_eq!(
            var(&inv, "campus-core-1", "ansible_user"),
            "admin",
            "from the inventory's all vars"
        );
        assert_eq!(
            var(&inv, "campus-core-1", "smart_licensing.transport"),
            "direct"
        );
        let servers = strings(&inv, "campus-core-1", "smart_licensing.dns.servers");
        assert_eq!(servers, ["198.51.100.53"], "from group_vars/all.yml");
        let servers = strings(&inv, "campus-access-2", "smart_licensing.dns.servers");
        assert_eq!(
            servers,
            ["192.0.2.53"],
            "the host's own, over group_vars/all.yml"
        );
        let apic = &inv.host("apic-1").unwrap().vars;
        assert!(
            apic.get_path("smart_licensing.dns").unwrap().is_null(),
            "aci.yml's null wins"
        );
        assert_eq!(
            var(&inv, "apic-1", "smart_licensing.contact_email"),
            "sch-smart-licensing@cisco.com"
        );
    }

    #[test]
    fn the_example_inventory_of_this_repository_loads() {
        let inv = repo_inventory("inventory/example/hosts.yml");
        assert_eq!(inv.hosts.len(), 7);
        assert_eq!(
            var(&inv, "campus-access-1", "smart_licensing.trust_scope"),
            "all",
            "host_vars"
        );
        assert_eq!(
            var(&inv, "campus-access-1", "smart_licensing.dns.domain_lookup"),
            "true"
        );
        assert_eq!(var(&inv, "campus-access-1", "ansible_user"), "netops");
        assert_eq!(var(&inv, "dc-leaf-1", "smart_licensing.vrf"), "management");
        let dc_leaf_2 = &inv.host("dc-leaf-2").unwrap().vars;
        assert!(
            dc_leaf_2.get_path("smart_licensing.vrf").unwrap().is_null(),
            "host_vars null wins"
        );
        assert_eq!(
            var(&inv, "dc-leaf-2", "smart_licensing.source_interface"),
            "mgmt0"
        );
        assert_eq!(
            var(&inv, "branch-east-rtr", "smart_licensing.token.env"),
            "SMARTLIC_SATELLITE_TOKEN"
        );
        let token = inv.all_vars.get_path("smart_licensing.token").unwrap();
        assert_eq!(
            token.get("env").and_then(Value::as_str),
            Some("SMARTLIC_TOKEN")
        );
    }
}
