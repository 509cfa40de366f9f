//! YAML documents as trees of [`Node`]s that remember where each value was written.
//!
//! smartlic merges values from many files (playbook vars, group_vars, host_vars,
//! `--extra-vars`) and must still say which file and line each merged value came from,
//! so it reads YAML through the event API of `saphyr-parser` (the maintained YAML 1.2
//! parser of the saphyr project) instead of deserialising straight into structs.
//!
//! What Ansible inventories use is supported: anchors and aliases, `<<` merge keys, and
//! tags (`!vault` values keep their tag so the caller can treat them as secrets).
//! Plain scalars are kept as text and typed on demand, the way Ansible (YAML 1.1)
//! reads them: `yes`/`no`/`true`/`false` are booleans, digits are integers.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::source::{Diagnostic, Location, Origin, SourceFile};

/// A YAML value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub origin: Origin,
    /// A local tag such as `!vault`, without arguments.
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// Scalar text; `quoted` scalars are always strings.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    /// Entries in file order; keys are unique.
    Map(Vec<(Key, Node)>),
}

/// A mapping key and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub origin: Origin,
}

impl Node {
    pub fn new(value: Value, origin: Origin) -> Self {
        Node {
            value,
            origin,
            tag: None,
        }
    }

    pub fn string(text: impl Into<String>, origin: Origin) -> Self {
        Node::new(
            Value::Scalar {
                text: text.into(),
                quoted: true,
            },
            origin,
        )
    }

    pub fn empty_map(origin: Origin) -> Self {
        Node::new(Value::Map(Vec::new()), origin)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The entry for `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    pub fn entries(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The scalar's text, whatever its type.
    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => match text.as_str() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
                    Some(false)
                }
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => parse_int(text),
            _ => None,
        }
    }

    /// A short name for the node's kind, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Scalar { .. } if self.as_bool().is_some() => "a boolean",
            Value::Scalar { .. } if self.as_int().is_some() => "a number",
            Value::Scalar { .. } => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The value as JSON, typing plain scalars the way [`Node::as_bool`]/[`Node::as_int`] do.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Scalar { text, quoted } => {
                if !quoted {
                    if let Some(b) = self.as_bool() {
                        return J::Bool(b);
                    }
                    if let Some(i) = self.as_int() {
                        return J::from(i);
                    }
                    if let Some(f) = text.parse::<f64>().ok().filter(|f| f.is_finite()) {
                        return J::from(f);
                    }
                }
                J::String(text.clone())
            }
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Merges `over` into `base`: mappings merge key by key, recursively; anything else
/// (scalars, lists, null) in `over` replaces what `base` had. Each value keeps the
/// origin of the layer it came from, which is what provenance reports show.
pub fn merge(base: &mut Node, over: Node) {
    match (&mut base.value, over.value) {
        (Value::Map(base_entries), Value::Map(over_entries)) => {
            // Found through an index, so merging two mappings of 100k keys is linear.
            let indexed = over_entries.len() > INDEXED_KEYS;
            let mut index: HashMap<String, usize> = HashMap::new();
            if indexed {
                index.extend(
                    base_entries
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.name.clone(), i)),
                );
            }
            for (key, value) in over_entries {
                let at = if indexed {
                    index.get(&key.name).copied()
                } else {
                    base_entries.iter().position(|(k, _)| k.name == key.name)
                };
                match at {
                    Some(i) => merge(&mut base_entries[i].1, value),
                    None => {
                        if indexed {
                            index.insert(key.name.clone(), base_entries.len());
                        }
                        base_entries.push((key, value));
                    }
                }
            }
        }
        (_, value) => {
            *base = Node {
                value,
                origin: over.origin,
                tag: over.tag,
            };
        }
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(sign * value)
}

/// Reads and parses a YAML file (decrypted first if ansible-vault encrypted it whole). An
/// empty file is a null node.
pub fn load_file(path: &Path) -> Result<Node, Diagnostic> {
    let error = |message: String| {
        Diagnostic::error(
            &Origin::CommandLine(path.display().to_string()),
            "",
            message,
        )
    };
    let text = crate::files::read(path, crate::files::YAML)
        .map_err(|e| error(format!("cannot read file: {e}")))?;
    crate::inputs::record(path, text.as_bytes());
    if crate::vault::is_vault(&text) {
        let plain = crate::vault::open(&text).map_err(|e| error(e.to_string()))?;
        return load_str(path, plain.expose().to_string());
    }
    load_str(path, text)
}

/// Parses YAML text that was read from `path` (used in messages only).
pub fn load_str(path: &Path, text: String) -> Result<Node, Diagnostic> {
    let file = SourceFile::new(path, text);
    Loader::new(file.clone()).run(&file.text)
}

/// The deepest nesting of collections a document may have. Real inventories nest a few
/// levels; a deeper document is a mistake or an attack on every recursive walk after it.
pub const MAX_DEPTH: usize = 100;

/// How many values aliases may bring in, in all: each alias copies what its anchor holds,
/// so a few hundred bytes of nested aliases ("billion laughs") would otherwise expand to
/// gigabytes.
pub const MAX_ALIASED_VALUES: usize = 1_000_000;

/// Above this many keys, a mapping being read checks duplicates through a hash set, so a
/// mapping of 100k hosts loads in linear time.
const INDEXED_KEYS: usize = 16;

struct Loader {
    file: Arc<SourceFile>,
    /// Each anchor's value and how many values it holds (what an alias to it adds).
    anchors: HashMap<usize, (Node, usize)>,
    /// Values read so far, aliases counted with all they hold.
    values: usize,
    /// Values brought in by aliases so far.
    aliased: usize,
}

/// A collection being built: the events between its start and end.
enum Frame {
    Seq {
        node: Node,
        anchor: usize,
        values_before: usize,
        items: Vec<Node>,
    },
    Map {
        node: Node,
        anchor: usize,
        values_before: usize,
        entries: Vec<(Key, Node)>,
        /// The keys of `entries` once there are more than [`INDEXED_KEYS`].
        index: Option<HashSet<String>>,
        merged: Vec<(Key, Node)>,
        pending_key: Option<Key>,
        /// The pending key may hold a secret ([`crate::redact::is_secret_key`]).
        pending_secret: bool,
    },
}

impl Frame {
    fn values_before(&self) -> usize {
        match self {
            Frame::Seq { values_before, .. } | Frame::Map { values_before, .. } => *values_before,
        }
    }
}

impl Loader {
    fn new(file: Arc<SourceFile>) -> Self {
        Loader {
            file,
            anchors: HashMap::new(),
            values: 0,
            aliased: 0,
        }
    }

    fn origin(&self, span: &Span, len: usize) -> Origin {
        Origin::File(Location {
            file: self.file.clone(),
            line: span.start.line(),
            col: span.start.col() + 1,
            len: len.max(1),
        })
    }

    fn run(mut self, text: &str) -> Result<Node, Diagnostic> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut document: Option<Node> = None;
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| self.syntax_error(&e))?;
            let done = match event {
                Event::Scalar(text, style, anchor, tag) => {
                    let node = self.scalar(&span, text.into_owned(), style, tag.as_deref());
                    if is_secret_value(&stack) {
                        self.file.mark_secret(
                            (span.start.line(), span.start.col()),
                            (span.end.line(), span.end.col()),
                        );
                    }
                    self.values += 1;
                    if anchor > 0 {
                        self.anchors.insert(anchor, (node.clone(), 1));
                    }
                    Some(node)
                }
                Event::Alias(id) => Some(self.alias(id, &span, is_secret_value(&stack))?),
                Event::SequenceStart(anchor, tag) => {
                    self.check_depth(&stack, &span)?;
                    let mut node = Node::new(Value::Null, self.origin(&span, 1));
                    node.tag = local_tag(tag.as_deref());
                    stack.push(Frame::Seq {
                        node,
                        anchor,
                        values_before: self.values,
                        items: Vec::new(),
                    });
                    self.values += 1;
                    None
                }
                Event::MappingStart(anchor, tag) => {
                    self.check_depth(&stack, &span)?;
                    let mut node = Node::new(Value::Null, self.origin(&span, 1));
                    node.tag = local_tag(tag.as_deref());
                    stack.push(Frame::Map {
                        node,
                        anchor,
                        values_before: self.values,
                        entries: Vec::new(),
                        index: None,
                        merged: Vec::new(),
                        pending_key: None,
                        pending_secret: false,
                    });
                    self.values += 1;
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let frame = stack.pop().expect("parser balances collection events");
                    Some(self.close(frame))
                }
                Event::DocumentStart(_) => {
                    if document.is_some() {
                        return Err(Diagnostic::error(
                            &self.origin(&span, 3),
                            "",
                            "only one YAML document is allowed per file",
                        ));
                    }
                    None
                }
                _ => None,
            };
            if let Some(node) = done {
                match stack.last_mut() {
                    None => document = Some(node),
                    Some(frame) => push_child(frame, node)?,
                }
            }
        }
        let empty = Origin::File(Location {
            file: self.file.clone(),
            line: 1,
            col: 1,
            len: 1,
        });
        Ok(document.unwrap_or_else(|| Node::new(Value::Null, empty)))
    }

    fn syntax_error(&self, e: &saphyr_parser::ScanError) -> Diagnostic {
        // Where the parser stopped, it cannot tell a secret from anything else: mask every
        // line that looks like it assigns one.
        self.file.mark_unparsed_from(1);
        let m = e.marker();
        let origin = Origin::File(Location {
            file: self.file.clone(),
            line: m.line(),
            col: m.col() + 1,
            len: 1,
        });
        Diagnostic::error(&origin, "", format!("invalid YAML: {}", e.info()))
    }

    fn scalar(
        &self,
        span: &Span,
        text: String,
        style: ScalarStyle,
        tag: Option<&saphyr_parser::Tag>,
    ) -> Node {
        let len = span.end.index().saturating_sub(span.start.index());
        let quoted = !matches!(style, ScalarStyle::Plain);
        let value = if !quoted && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
            Value::Null
        } else {
            Value::Scalar { text, quoted }
        };
        let mut node = Node::new(value, self.origin(span, len));
        node.tag = local_tag(tag);
        node
    }

    /// A copy of what anchor `id` holds, within [`MAX_ALIASED_VALUES`].
    fn alias(&mut self, id: usize, span: &Span, secret: bool) -> Result<Node, Diagnostic> {
        let (node, size) = self.anchors.get(&id).ok_or_else(|| {
            Diagnostic::error(&self.origin(span, 1), "", "alias to an unknown anchor")
        })?;
        self.aliased += size;
        if self.aliased > MAX_ALIASED_VALUES {
            return Err(Diagnostic::error(
                &self.origin(span, 1),
                "",
                format!(
                    "aliases expand to more than {MAX_ALIASED_VALUES} values: refused \
                     (nested aliases can make a small file huge)"
                ),
            ));
        }
        self.values += size;
        if secret {
            // `password: *pw`: the secret is where the anchor was written.
            if let (Some(loc), Value::Scalar { .. }) = (node.origin.location(), &node.value) {
                let start = (loc.line, loc.col - 1);
                self.file
                    .mark_secret(start, (loc.line, loc.col - 1 + loc.len));
            }
        }
        Ok(node.clone())
    }

    fn check_depth(&self, stack: &[Frame], span: &Span) -> Result<(), Diagnostic> {
        if stack.len() < MAX_DEPTH {
            return Ok(());
        }
        Err(Diagnostic::error(
            &self.origin(span, 1),
            "",
            format!("nested more than {MAX_DEPTH} levels deep: refused"),
        ))
    }

    /// The node a finished collection makes, remembered if it was anchored.
    fn close(&mut self, frame: Frame) -> Node {
        let size = self.values - frame.values_before();
        let (mut node, anchor, value) = match frame {
            Frame::Seq {
                node,
                anchor,
                items,
                ..
            } => (node, anchor, Value::Seq(items)),
            Frame::Map {
                node,
                anchor,
                mut entries,
                index,
                merged,
                ..
            } => {
                // `<<` merge keys: explicit keys win, whatever their order.
                if !merged.is_empty() {
                    let mut keys = index
                        .unwrap_or_else(|| entries.iter().map(|(k, _)| k.name.clone()).collect());
                    for (k, v) in merged {
                        if keys.insert(k.name.clone()) {
                            entries.push((k, v));
                        }
                    }
                }
                (node, anchor, Value::Map(entries))
            }
        };
        node.value = value;
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        node
    }
}

/// Whether a scalar read now is a secret: a value (not a key) under a secret-bearing key,
/// at any depth (`password: [a, b]`), except the name in a reference (`token: {env: X}`).
fn is_secret_value(stack: &[Frame]) -> bool {
    let Some(innermost) = stack.last() else {
        return false;
    };
    let (is_key, reference) = match innermost {
        Frame::Map { pending_key, .. } => (
            pending_key.is_none(),
            pending_key
                .as_ref()
                .is_some_and(|k| k.name == "env" || k.name == "file"),
        ),
        Frame::Seq { .. } => (false, false),
    };
    if is_key {
        return false;
    }
    stack.iter().enumerate().any(|(depth, frame)| {
        let secret = matches!(
            frame,
            Frame::Map {
                pending_secret: true,
                ..
            }
        );
        secret && !(reference && depth + 1 < stack.len())
    })
}

fn push_child(frame: &mut Frame, node: Node) -> Result<(), Diagnostic> {
    match frame {
        Frame::Seq { items, .. } => items.push(node),
        Frame::Map {
            entries,
            index,
            merged,
            pending_key,
            pending_secret,
            ..
        } => match pending_key.take() {
            None => {
                let name = match &node.value {
                    Value::Scalar { text, .. } => text.clone(),
                    Value::Null => String::new(),
                    _ => {
                        return Err(Diagnostic::error(
                            &node.origin,
                            "",
                            "mapping keys must be plain scalars",
                        ));
                    }
                };
                *pending_secret = crate::redact::is_secret_key(&name);
                *pending_key = Some(Key {
                    name,
                    origin: node.origin,
                });
            }
            Some(key) if key.name == "<<" => merge_key_value(merged, &key, node)?,
            Some(key) => {
                *pending_secret = false;
                if has_key(entries, index, &key.name) {
                    return Err(Diagnostic::error(
                        &key.origin,
                        key.name.clone(),
                        "duplicate key in the same mapping",
                    ));
                }
                if let Some(index) = index {
                    index.insert(key.name.clone());
                } else if entries.len() >= INDEXED_KEYS {
                    let mut keys: HashSet<String> =
                        entries.iter().map(|(k, _)| k.name.clone()).collect();
                    keys.insert(key.name.clone());
                    *index = Some(keys);
                }
                entries.push((key, node));
            }
        },
    }
    Ok(())
}

fn has_key(entries: &[(Key, Node)], index: &Option<HashSet<String>>, name: &str) -> bool {
    match index {
        Some(keys) => keys.contains(name),
        None => entries.iter().any(|(k, _)| k.name == name),
    }
}

/// Collects the entries a `<<` merge key brings in: one mapping, or a list of them
/// where earlier mappings win.
fn merge_key_value(merged: &mut Vec<(Key, Node)>, key: &Key, node: Node) -> Result<(), Diagnostic> {
    let sources: Vec<Node> = match node.value {
        Value::Map(_) => vec![node],
        Value::Seq(items) => items,
        _ => {
            return Err(Diagnostic::error(
                &key.origin,
                "<<",
                "a merge key takes a mapping or a list of mappings",
            ));
        }
    };
    let mut seen: HashSet<String> = merged.iter().map(|(k, _)| k.name.clone()).collect();
    for source in sources {
        let Value::Map(entries) = source.value else {
            return Err(Diagnostic::error(
                &source.origin,
                "<<",
                "a merge key takes a mapping or a list of mappings",
            ));
        };
        for (k, v) in entries {
            if seen.insert(k.name.clone()) {
                merged.push((k, v));
            }
        }
    }
    Ok(())
}

/// Keeps local tags such as `!vault`; core-schema tags (`!!str`) carry no meaning here.
fn local_tag(tag: Option<&saphyr_parser::Tag>) -> Option<String> {
    let tag = tag?;
    (tag.handle == "!").then(|| format!("!{}", tag.suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Node {
        load_str(Path::new("t.yml"), text.to_string()).unwrap()
    }

    fn line_col(node: &Node) -> (usize, usize) {
        let loc = node.origin.location().unwrap();
        (loc.line, loc.col)
    }

    #[test]
    fn keeps_line_and_column_of_values() {
        let doc = load("a:\n  b: 12\n  c: [x, 'y']\n");
        let b = doc.get("a").unwrap().get("b").unwrap();
        assert_eq!(b.as_int(), Some(12));
        assert_eq!(line_col(b), (2, 6));
        let c = doc.get("a").unwrap().get("c").unwrap().items().unwrap();
        assert_eq!(c[1].scalar(), Some("y"));
        assert_eq!(line_col(&c[1]), (3, 10));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let doc = load("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n");
        let other = doc.get("other").unwrap();
        assert_eq!(other.get("x").unwrap().as_int(), Some(1));
        assert_eq!(other.get("y").unwrap().as_int(), Some(3));
    }

    #[test]
    fn vault_tag_is_kept() {
        let doc = load("pw: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n");
        assert_eq!(doc.get("pw").unwrap().tag.as_deref(), Some("!vault"));
    }

    #[test]
    fn quoted_scalars_are_strings() {
        let doc = load("a: 'yes'\nb: yes\nc: '80'\nd: ~\n");
        assert_eq!(doc.get("a").unwrap().as_bool(), None);
        assert_eq!(doc.get("b").unwrap().as_bool(), Some(true));
        assert_eq!(doc.get("c").unwrap().as_int(), None);
        assert!(doc.get("d").unwrap().is_null());
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = load_str(Path::new("t.yml"), "a: 1\na: 2\n".into()).unwrap_err();
        assert_eq!(err.field, "a");
        assert_eq!(err.origin.location().unwrap().line, 2);
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let err = load_str(Path::new("t.yml"), "a: [1, 2\nb: 3\n".into()).unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
    }

    #[test]
    fn merge_is_deep_for_maps_and_replaces_lists() {
        let mut base =
            load("sl: {transport: direct, dns: {servers: [a, b], domain_lookup: true}}\n");
        let over = load("sl: {dns: {servers: [c]}, vrf: mgmt}\n");
        merge(&mut base, over);
        let sl = base.get("sl").unwrap();
        assert_eq!(sl.get("transport").unwrap().scalar(), Some("direct"));
        assert_eq!(sl.get("vrf").unwrap().scalar(), Some("mgmt"));
        let dns = sl.get("dns").unwrap();
        assert_eq!(dns.get("domain_lookup").unwrap().as_bool(), Some(true));
        let servers: Vec<_> = dns
            .get("servers")
            .unwrap()
            .items()
            .unwrap()
            .iter()
            .map(|n| n.scalar().unwrap())
            .collect();
        assert_eq!(servers, ["c"]);
    }

    /// An error at `field` of the document `text`, rendered as the user sees it.
    fn error_at(text: &str, path: &[&str], message: &str) -> String {
        let doc = load(text);
        let node = path.iter().fold(&doc, |n, k| n.get(k).unwrap());
        Diagnostic::error(&node.origin, path.join("."), message).to_string()
    }

    #[test]
    fn secrets_on_a_quoted_line_are_masked_whatever_the_error() {
        let shown = error_at(
            "smart_licensing: {token: CANARY-TOKEN-Z9Q, transport: bogus}\n",
            &["smart_licensing", "transport"],
            "unknown value `bogus`",
        );
        assert!(!shown.contains("CANARY"), "{shown}");
        // The caret stays under the value the error is about.
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(
            lines[1],
            " 1 | smart_licensing: {token: <redacted>, transport: bogus}"
        );
        assert_eq!(lines[2].find('^'), lines[1].find("bogus"), "{shown}");
        assert!(lines[2].ends_with("^^^^^"), "{shown}");
        let shown = error_at(
            "sw1: {ansible_password: PASSW0RD-CANARY, ansible_port: x}\n",
            &["sw1", "ansible_port"],
            "expected a number",
        );
        assert!(!shown.contains("PASSW0RD"), "{shown}");
        // Lists, misspelt keys, quoted values and aliases to a secret.
        for text in [
            "a: {ansible_become_pass: [PW-CANARY-1, PW-CANARY-2], x: 1}\n",
            "a: {tokn: \"PW-CANARY\", x: 1}\n",
            "pw: &p PW-CANARY\na: {ansible_password: *p, x: 1}\n",
        ] {
            let shown = error_at(text, &["a", "x"], "bad");
            assert!(!shown.contains("PW-CANARY"), "{shown}");
        }
        let shown = error_at(
            "pw: &p PW-CANARY\na: {ansible_password: *p}\n",
            &["pw"],
            "x",
        );
        assert!(!shown.contains("PW-CANARY"), "{shown}");
        // A reference names no secret: it stays readable.
        let shown = error_at("t: {token: {env: SL_TOKEN}, x: 1}\n", &["t", "x"], "bad");
        assert!(shown.contains("{env: SL_TOKEN}"), "{shown}");
    }

    #[test]
    fn a_message_never_quotes_a_secret_of_its_line() {
        let shown = error_at(
            "a: {enable_secret: Hunter2-CANARY}\n",
            &["a", "enable_secret"],
            "`Hunter2-CANARY` is too short",
        );
        assert!(!shown.contains("Hunter2"), "{shown}");
    }

    #[test]
    fn a_syntax_error_masks_what_looks_like_a_secret() {
        let err = load_str(
            Path::new("t.yml"),
            "a: 1\nansible_password: PW-CANARY: [\n".into(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("invalid YAML"), "{err}");
        assert!(!err.contains("PW-CANARY"), "{err}");
    }

    #[test]
    fn a_long_line_is_quoted_around_the_caret_only() {
        let text = format!("a: [{}bad]\n", "x, ".repeat(500_000));
        let doc = load(&text);
        let bad = doc.get("a").unwrap().items().unwrap().last().unwrap();
        let shown = Diagnostic::error(&bad.origin, "a", "bad").to_string();
        assert!(shown.len() < 600, "{} bytes", shown.len());
        let lines: Vec<&str> = shown.lines().collect();
        let quote = lines[1];
        let caret = lines[2];
        let at = caret.chars().position(|c| c == '^').unwrap();
        let under: String = quote.chars().skip(at).take(3).collect();
        assert_eq!(under, "bad", "{shown}");
        assert!(quote.contains('…'), "{shown}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("l0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("l{i}: &a{i} [{refs}]\n"));
        }
        let err = load_str(Path::new("bomb.yml"), text).unwrap_err();
        assert!(err.message.contains("aliases expand to more than"), "{err}");
        assert!(err.origin.location().unwrap().line > 1);
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        let err = load_str(Path::new("deep.yml"), deep).unwrap_err();
        assert!(err.message.contains("nested more than"), "{err}");
        let block: String = (0..=MAX_DEPTH)
            .map(|i| format!("{}k:\n", "  ".repeat(i)))
            .collect();
        let err = load_str(Path::new("deep.yml"), block).unwrap_err();
        assert!(err.message.contains("nested more than"), "{err}");
        let ok = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(load_str(Path::new("ok.yml"), ok).is_ok());
    }

    #[test]
    fn big_mappings_load_and_merge_with_duplicates_found() {
        let hosts: String = (0..20_000).map(|i| format!("h{i}: {{a: {i}}}\n")).collect();
        let mut base = load(&hosts);
        assert_eq!(base.entries().unwrap().len(), 20_000);
        let over: String = (0..20_000).map(|i| format!("h{i}: {{b: {i}}}\n")).collect();
        merge(&mut base, load(&over));
        let last = base.entries().unwrap().last().unwrap();
        assert_eq!(last.1.get("a").unwrap().as_int(), Some(19_999));
        assert_eq!(last.1.get("b").unwrap().as_int(), Some(19_999));
        let err = load_str(Path::new("t.yml"), format!("{hosts}h10000: 1\n")).unwrap_err();
        assert_eq!(err.field, "h10000");
        assert_eq!(err.origin.location().unwrap().line, 20_001);
    }

    #[test]
    fn empty_file_is_null() {
        assert!(load("").is_null());
        assert!(load("# only a comment\n").is_null());
    }
}
