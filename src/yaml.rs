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

use std::collections::HashMap;
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
            for (key, value) in over_entries {
                match base_entries.iter_mut().find(|(k, _)| k.name == key.name) {
                    Some((_, existing)) => merge(existing, value),
                    None => base_entries.push((key, value)),
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

struct Loader {
    file: Arc<SourceFile>,
    anchors: HashMap<usize, Node>,
}

/// A collection being built: the events between its start and end.
enum Frame {
    Seq {
        node: Node,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        node: Node,
        anchor: usize,
        entries: Vec<(Key, Node)>,
        merged: Vec<(Key, Node)>,
        pending_key: Option<Key>,
    },
}

impl Loader {
    fn new(file: Arc<SourceFile>) -> Self {
        Loader {
            file,
            anchors: HashMap::new(),
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
            let (event, span) = event.map_err(|e| {
                let m = e.marker();
                let origin = Origin::File(Location {
                    file: self.file.clone(),
                    line: m.line(),
                    col: m.col() + 1,
                    len: 1,
                });
                Diagnostic::error(&origin, "", format!("invalid YAML: {}", e.info()))
            })?;
            let done = match event {
                Event::Scalar(text, style, anchor, tag) => {
                    let len = span.end.index().saturating_sub(span.start.index());
                    let quoted = !matches!(style, ScalarStyle::Plain);
                    let value = if !quoted && matches!(&*text, "" | "~" | "null" | "Null" | "NULL")
                    {
                        Value::Null
                    } else {
                        Value::Scalar {
                            text: text.into_owned(),
                            quoted,
                        }
                    };
                    let mut node = Node::new(value, self.origin(&span, len));
                    node.tag = local_tag(tag.as_deref());
                    if anchor > 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    Some(node)
                }
                Event::Alias(id) => {
                    let node = self.anchors.get(&id).cloned().ok_or_else(|| {
                        Diagnostic::error(&self.origin(&span, 1), "", "alias to an unknown anchor")
                    })?;
                    Some(node)
                }
                Event::SequenceStart(anchor, tag) => {
                    let mut node = Node::new(Value::Null, self.origin(&span, 1));
                    node.tag = local_tag(tag.as_deref());
                    stack.push(Frame::Seq {
                        node,
                        anchor,
                        items: Vec::new(),
                    });
                    None
                }
                Event::MappingStart(anchor, tag) => {
                    let mut node = Node::new(Value::Null, self.origin(&span, 1));
                    node.tag = local_tag(tag.as_deref());
                    stack.push(Frame::Map {
                        node,
                        anchor,
                        entries: Vec::new(),
                        merged: Vec::new(),
                        pending_key: None,
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let frame = stack.pop().expect("parser balances collection events");
                    let (mut node, anchor, value) = match frame {
                        Frame::Seq {
                            node,
                            anchor,
                            items,
                        } => (node, anchor, Value::Seq(items)),
                        Frame::Map {
                            node,
                            anchor,
                            mut entries,
                            merged,
                            ..
                        } => {
                            // `<<` merge keys: explicit keys win, whatever their order.
                            for (k, v) in merged {
                                if !entries.iter().any(|(e, _)| e.name == k.name) {
                                    entries.push((k, v));
                                }
                            }
                            (node, anchor, Value::Map(entries))
                        }
                    };
                    node.value = value;
                    if anchor > 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    Some(node)
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
}

fn push_child(frame: &mut Frame, node: Node) -> Result<(), Diagnostic> {
    match frame {
        Frame::Seq { items, .. } => items.push(node),
        Frame::Map {
            entries,
            merged,
            pending_key,
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
                *pending_key = Some(Key {
                    name,
                    origin: node.origin,
                });
            }
            Some(key) if key.name == "<<" => merge_key_value(merged, &key, node)?,
            Some(key) => {
                if entries.iter().any(|(k, _)| k.name == key.name) {
                    return Err(Diagnostic::error(
                        &key.origin,
                        key.name.clone(),
                        "duplicate key in the same mapping",
                    ));
                }
                entries.push((key, node));
            }
        },
    }
    Ok(())
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
    for source in sources {
        let Value::Map(entries) = source.value else {
            return Err(Diagnostic::error(
                &source.origin,
                "<<",
                "a merge key takes a mapping or a list of mappings",
            ));
        };
        for (k, v) in entries {
            if !merged.iter().any(|(m, _)| m.name == k.name) {
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

    #[test]
    fn empty_file_is_null() {
        assert!(load("").is_null());
        assert!(load("# only a comment\n").is_null());
    }
}
