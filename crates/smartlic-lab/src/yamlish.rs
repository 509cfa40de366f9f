//! The lab's own YAML reader: values that remember where they were written.
//!
//! The lab reads the inventories its users give Ansible, and must say which file, line
//! and column a wrong value came from. It reads YAML through the event API of
//! `saphyr-parser` into a small tree of [`Value`]s, each with its [`Mark`]; it shares no
//! code with the client's reader, so a bug in one cannot hide the same bug in the other.
//!
//! What is read, and how:
//! - plain scalars by the YAML 1.2 core schema (`null`, `~` and nothing are null,
//!   `true`/`false` are booleans, `12`, `0x1F`, `0o17` integers, `1.5`, `.inf` numbers;
//!   `yes` is text); quoted and block scalars are always text. A number keeps the text it
//!   was written as ([`Value::scalar_text`]), because `os_version: 17.10` is a float to
//!   YAML but a release to the lab;
//! - anchors and aliases, and the `<<` merge key (a mapping or a list of mappings; keys
//!   written in the mapping win, then earlier merged mappings);
//! - local tags are kept (`!vault |` is text tagged `!vault`: Ansible-encrypted values
//!   must reach the caller, not be rejected); `!!str` and the other core tags type the
//!   scalar.
//!
//! What is refused: a key that is not a scalar, the same key twice in one mapping, more
//! than one document in a file (Ansible refuses them too), nesting deeper than
//! [`MAX_DEPTH`], aliases bringing in more than [`MAX_ALIASED_VALUES`] values ("billion
//! laughs"), and files larger than [`MAX_FILE_BYTES`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

/// Files above this size are refused before they are read: no inventory or vars file is
/// anywhere near it, and reading one whole would only exhaust memory.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// The deepest nesting of lists and mappings a document may have. Real inventories nest
/// a handful of levels; the bound keeps every recursive walk of a value (merge, clone,
/// drop) shallow whatever the file holds.
pub const MAX_DEPTH: usize = 100;

/// How many values aliases may bring in, in all, per file. Each alias copies what its
/// anchor holds, so a few lines of nested aliases would otherwise expand to gigabytes.
pub const MAX_ALIASED_VALUES: usize = 1_000_000;

/// Where a value or key was written: file, line and column, both 1-based.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mark {
    pub file: Arc<Path>,
    pub line: usize,
    pub column: usize,
}

impl Mark {
    /// The first character of `file`: where whole-file values (an empty document, a
    /// merged set of variables) are said to be.
    pub fn start_of(file: &Path) -> Mark {
        Mark {
            file: Arc::from(file),
            line: 1,
            column: 1,
        }
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A mapping key: always text (a key written `12` is the key `"12"`), and where it was
/// written, so that errors about a key (an unknown group key, a host) can point at it.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub mark: Mark,
}

/// What a value is.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Value>),
    /// Entries in file order (merged `<<` entries first); keys are unique.
    Map(Vec<(Key, Value)>),
}

impl Kind {
    /// A short name for messages such as "expected a mapping, found a list".
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

/// A YAML value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: Kind,
    pub mark: Mark,
    /// A tag other than the core schema's, as written (`!vault`); the value is then text.
    pub tag: Option<String>,
    /// For integers and numbers, the scalar as written (`17.10`, `0x1F`).
    pub written: Option<String>,
}

impl Value {
    pub fn new(kind: Kind, mark: Mark) -> Value {
        Value {
            kind,
            mark,
            tag: None,
            written: None,
        }
    }

    /// An empty mapping, the start of a stack of variable layers.
    pub fn empty_map(mark: Mark) -> Value {
        Value::new(Kind::Map(Vec::new()), mark)
    }

    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, value)| value)
    }

    /// The value at a dotted path of mapping keys (`smart_licensing.dns.servers`).
    pub fn get_path(&self, dotted: &str) -> Option<&Value> {
        dotted
            .split('.')
            .try_fold(self, |value, key| value.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.kind {
            Kind::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Value)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// A scalar as text: strings as they are, numbers as written, booleans as
    /// `true`/`false`. `None` for null, lists and mappings.
    pub fn scalar_text(&self) -> Option<Cow<'_, str>> {
        match &self.kind {
            Kind::Str(text) => Some(Cow::Borrowed(text)),
            Kind::Int(i) => Some(self.written_or(|| i.to_string())),
            Kind::Float(x) => Some(self.written_or(|| x.to_string())),
            Kind::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Kind::Null | Kind::Seq(_) | Kind::Map(_) => None,
        }
    }

    fn written_or(&self, format: impl FnOnce() -> String) -> Cow<'_, str> {
        match &self.written {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(format()),
        }
    }

    /// "a mapping", "a list", "a string", …: for "expected X, found Y" messages.
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }

    /// A reference to a secret rather than the secret: `{env: NAME}` or `{file: PATH}`
    /// (a mapping with no other keys).
    pub fn is_secret_source(&self) -> bool {
        self.as_map().is_some_and(|entries| {
            !entries.is_empty()
                && entries
                    .iter()
                    .all(|(k, _)| k.name == "env" || k.name == "file")
        })
    }

    /// Lays `upper`, a later variable layer, over this one: mappings merge key by key,
    /// recursively, the upper layer's values winning; anything else (lists, scalars,
    /// null) replaces what was here. A secret source under a key replaces whole, so
    /// `token: {env: X}` over `token: {file: Y}` is `token: {env: X}`: mixing both keys
    /// would name two secrets at once. (The layer itself is always merged, so a layer
    /// that happens to hold only a variable named `env` does not wipe the ones below.)
    pub fn merge_over(&mut self, upper: Value) {
        match (&mut self.kind, upper.kind) {
            (Kind::Map(lower), Kind::Map(entries)) => {
                for (key, value) in entries {
                    merge_entry(lower, key, value);
                }
            }
            (_, kind) => {
                *self = Value {
                    kind,
                    mark: upper.mark,
                    tag: upper.tag,
                    written: upper.written,
                }
            }
        }
    }
}

/// Merges one upper-layer entry into a mapping's entries.
fn merge_entry(lower: &mut Vec<(Key, Value)>, key: Key, value: Value) {
    match lower.iter_mut().find(|(k, _)| k.name == key.name) {
        Some((lower_key, lower_value)) => {
            *lower_key = key;
            if value.is_secret_source() {
                *lower_value = value;
            } else {
                lower_value.merge_over(value);
            }
        }
        None => lower.push((key, value)),
    }
}

/// A problem with a YAML file, where it is: `file:line:column: field: message`.
/// `line` 0 is the whole file (it could not be read); `field` may be empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabYamlError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// The dotted path of the value in question (`all.children.campus.hosts`).
    pub field: String,
    pub message: String,
}

impl LabYamlError {
    pub fn at(mark: &Mark, field: impl Into<String>, message: impl Into<String>) -> Self {
        LabYamlError {
            file: mark.file.to_path_buf(),
            line: mark.line,
            column: mark.column,
            field: field.into(),
            message: message.into(),
        }
    }

    /// An error about the file as a whole (it cannot be read, or is too large).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        LabYamlError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            field: String::new(),
            message: message.into(),
        }
    }
}

impl fmt::Display for LabYamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LabYamlError {}

/// Reads and parses the YAML file at `path`. An empty file is null.
pub fn load_file(path: &Path) -> Result<Value, LabYamlError> {
    let text = read_text(path)?;
    parse_str(&text, path)
}

/// Reads a YAML file's text, refusing files above [`MAX_FILE_BYTES`] and non-UTF-8 ones.
pub fn read_text(path: &Path) -> Result<String, LabYamlError> {
    let cannot_read =
        |e: std::io::Error| LabYamlError::whole_file(path, format!("cannot read: {e}"));
    let file = File::open(path).map_err(cannot_read)?;
    let too_large = || {
        LabYamlError::whole_file(
            path,
            format!(
                "larger than {} MiB; not read",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
    };
    if file.metadata().map_err(cannot_read)?.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    // The size is checked again while reading: the file may grow after the check.
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes)
        .map_err(|_| LabYamlError::whole_file(path, "not UTF-8 text; YAML files are UTF-8"))
}

/// Parses YAML `text` that was read from `file` (the name goes into every [`Mark`]).
pub fn parse_str(text: &str, file: &Path) -> Result<Value, LabYamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder::new(file);
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| builder.syntax_error(&e))?;
        builder.on_event(event, span)?;
    }
    Ok(builder.finish())
}

/// An anchored value, and what an alias to it adds to the file's size and depth.
struct Anchored {
    value: Value,
    size: usize,
    height: usize,
}

/// A list or mapping whose events are still being read.
struct Frame {
    mark: Mark,
    anchor: usize,
    tag: Option<String>,
    /// Values in it, itself and aliased copies included.
    size: usize,
    /// Levels of nesting from it down, itself included.
    height: usize,
    body: Body,
}

enum Body {
    Seq(Vec<Value>),
    Map(MapBody),
}

#[derive(Default)]
struct MapBody {
    entries: Vec<(Key, Value)>,
    /// The line each written key is on, to name both lines of a duplicate.
    key_lines: HashMap<String, usize>,
    merge_line: Option<usize>,
    /// Entries brought in by `<<`, earlier mappings first; written keys win over them.
    merged: Vec<(Key, Value)>,
    pending: Option<Pending>,
}

/// What the next value in a mapping belongs to.
enum Pending {
    Key(Key),
    Merge,
}

/// Turns the parser's events into a [`Value`], one open collection per [`Frame`]
/// (no recursion, so deep documents fail on [`MAX_DEPTH`], not on the stack).
struct Builder {
    file: Arc<Path>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    aliased_values: usize,
    documents: usize,
    root: Option<Value>,
}

impl Builder {
    fn new(file: &Path) -> Builder {
        Builder {
            file: Arc::from(file),
            stack: Vec::new(),
            anchors: HashMap::new(),
            aliased_values: 0,
            documents: 0,
            root: None,
        }
    }

    fn finish(self) -> Value {
        let file = self.file;
        self.root.unwrap_or_else(|| {
            Value::new(
                Kind::Null,
                Mark {
                    file,
                    line: 1,
                    column: 1,
                },
            )
        })
    }

    fn mark(&self, span: &Span) -> Mark {
        Mark {
            file: self.file.clone(),
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }

    fn error(&self, mark: &Mark, message: impl Into<String>) -> LabYamlError {
        LabYamlError::at(mark, self.field_path(), message)
    }

    fn syntax_error(&self, e: &ScanError) -> LabYamlError {
        let mark = Mark {
            file: self.file.clone(),
            line: e.marker().line(),
            column: e.marker().col() + 1,
        };
        self.error(&mark, format!("YAML syntax: {}", e.info()))
    }

    /// The dotted path to the value being read, e.g. `all.hosts.sw1[2]`.
    fn field_path(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            match &frame.body {
                Body::Seq(items) => path.push_str(&format!("[{}]", items.len())),
                Body::Map(map) => match &map.pending {
                    Some(Pending::Key(key)) => push_field(&mut path, &key.name),
                    Some(Pending::Merge) => push_field(&mut path, "<<"),
                    None => {}
                },
            }
        }
        path
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), LabYamlError> {
        let mark = self.mark(&span);
        match event {
            Event::DocumentStart(_) => self.start_document(&mark),
            Event::Scalar(text, style, anchor, tag) => {
                self.on_scalar(&text, style, anchor, tag.as_deref(), mark)
            }
            Event::Alias(anchor) => self.on_alias(anchor, mark),
            Event::SequenceStart(anchor, tag) => {
                self.open(Body::Seq(Vec::new()), anchor, tag.as_deref(), mark)
            }
            Event::MappingStart(anchor, tag) => {
                self.open(Body::Map(MapBody::default()), anchor, tag.as_deref(), mark)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        }
    }

    fn start_document(&mut self, mark: &Mark) -> Result<(), LabYamlError> {
        self.documents += 1;
        if self.documents > 1 {
            return Err(self.error(
                mark,
                "a second YAML document starts here; the file must hold one document",
            ));
        }
        Ok(())
    }

    /// True when the next value read is a key of the innermost mapping.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame { body: Body::Map(map), .. }) if map.pending.is_none()
        )
    }

    fn on_scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        mark: Mark,
    ) -> Result<(), LabYamlError> {
        let is_merge_key = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
        if self.expects_key() && is_merge_key {
            return self.set_merge_key(&mark);
        }
        let value =
            scalar_value(text, style, tag, mark.clone()).map_err(|m| self.error(&mark, m))?;
        self.remember(anchor, &value, 1, 0);
        if self.expects_key() {
            return self.set_key(Key {
                name: text.to_owned(),
                mark,
            });
        }
        self.attach(value, 1, 0)
    }

    fn on_alias(&mut self, anchor: usize, mark: Mark) -> Result<(), LabYamlError> {
        let Some(anchored) = self.anchors.get(&anchor) else {
            // The parser rejects unknown anchors, so this one is still open.
            return Err(self.error(
                &mark,
                "alias inside the value it names; a value cannot contain itself",
            ));
        };
        let (size, height) = (anchored.size, anchored.height);
        self.aliased_values += size;
        if self.aliased_values > MAX_ALIASED_VALUES {
            return Err(self.error(
                &mark,
                format!(
                    "aliases bring in more than {MAX_ALIASED_VALUES} values; refused as a YAML bomb"
                ),
            ));
        }
        if self.stack.len() + height > MAX_DEPTH {
            return Err(self.too_deep(&mark));
        }
        let mut value = anchored.value.clone();
        value.mark = mark.clone();
        if self.expects_key() {
            let Some(name) = value.scalar_text().map(Cow::into_owned) else {
                return Err(self.error(
                    &mark,
                    format!("a key must be text, not {}", value.kind_name()),
                ));
            };
            return self.set_key(Key { name, mark });
        }
        self.attach(value, size, height)
    }

    fn too_deep(&self, mark: &Mark) -> LabYamlError {
        self.error(mark, format!("nested more than {MAX_DEPTH} levels deep"))
    }

    fn open(
        &mut self,
        body: Body,
        anchor: usize,
        tag: Option<&Tag>,
        mark: Mark,
    ) -> Result<(), LabYamlError> {
        if self.expects_key() {
            let what = if matches!(body, Body::Seq(_)) {
                "a list"
            } else {
                "a mapping"
            };
            return Err(self.error(&mark, format!("a key must be text, not {what}")));
        }
        if self.stack.len() + 1 > MAX_DEPTH {
            return Err(self.too_deep(&mark));
        }
        self.stack.push(Frame {
            mark,
            anchor,
            tag: tag.and_then(kept_collection_tag),
            size: 1,
            height: 1,
            body,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), LabYamlError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let kind = match frame.body {
            Body::Seq(items) => Kind::Seq(items),
            Body::Map(map) => Kind::Map(map.into_entries()),
        };
        let value = Value {
            kind,
            mark: frame.mark,
            tag: frame.tag,
            written: None,
        };
        self.remember(frame.anchor, &value, frame.size, frame.height);
        self.attach(value, frame.size, frame.height)
    }

    fn remember(&mut self, anchor: usize, value: &Value, size: usize, height: usize) {
        if anchor != 0 {
            let value = value.clone();
            self.anchors.insert(
                anchor,
                Anchored {
                    value,
                    size,
                    height,
                },
            );
        }
    }

    fn set_key(&mut self, key: Key) -> Result<(), LabYamlError> {
        let Some(Frame {
            body: Body::Map(map),
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        if let Some(first) = map.key_lines.get(&key.name) {
            let message = format!("duplicate key `{}`: also written at line {first}", key.name);
            let mut field = self.field_path();
            push_field(&mut field, &key.name);
            return Err(LabYamlError::at(&key.mark, field, message));
        }
        map.key_lines.insert(key.name.clone(), key.mark.line);
        map.pending = Some(Pending::Key(key));
        Ok(())
    }

    fn set_merge_key(&mut self, mark: &Mark) -> Result<(), LabYamlError> {
        let Some(Frame {
            body: Body::Map(map),
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        if let Some(first) = map.merge_line {
            let message = format!("duplicate merge key `<<`: also written at line {first}");
            return Err(self.error(mark, message));
        }
        map.merge_line = Some(mark.line);
        map.pending = Some(Pending::Merge);
        Ok(())
    }

    /// Puts a finished value where it belongs: in the open list or mapping, or as the
    /// document.
    fn attach(&mut self, value: Value, size: usize, height: usize) -> Result<(), LabYamlError> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(value);
            return Ok(());
        };
        frame.size += size;
        frame.height = frame.height.max(height + 1);
        match &mut frame.body {
            Body::Seq(items) => items.push(value),
            Body::Map(map) => match map.pending.take() {
                Some(Pending::Key(key)) => map.entries.push((key, value)),
                Some(Pending::Merge) => {
                    let mark = value.mark.clone();
                    if let Err(message) = map.add_merged(value) {
                        map.pending = Some(Pending::Merge);
                        return Err(self.error(&mark, message));
                    }
                }
                None => {}
            },
        }
        Ok(())
    }
}

fn push_field(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

impl MapBody {
    /// The value of a `<<` key: a mapping, or a list of mappings where earlier ones win.
    fn add_merged(&mut self, value: Value) -> Result<(), String> {
        match value.kind {
            Kind::Map(entries) => self.add_merged_entries(entries),
            Kind::Seq(items) => {
                for item in items {
                    let Kind::Map(entries) = item.kind else {
                        return Err(format!(
                            "`<<` merges mappings; this list holds {}",
                            item.kind.name()
                        ));
                    };
                    self.add_merged_entries(entries);
                }
            }
            other => {
                return Err(format!(
                    "`<<` merges a mapping or a list of mappings, not {}",
                    other.name()
                ));
            }
        }
        Ok(())
    }

    fn add_merged_entries(&mut self, entries: Vec<(Key, Value)>) {
        for (key, value) in entries {
            if !self.merged.iter().any(|(k, _)| k.name == key.name) {
                self.merged.push((key, value));
            }
        }
    }

    /// Merged entries not overridden by a written key, then the written entries.
    fn into_entries(self) -> Vec<(Key, Value)> {
        if self.merged.is_empty() {
            return self.entries;
        }
        let key_lines = self.key_lines;
        let mut entries: Vec<(Key, Value)> = self
            .merged
            .into_iter()
            .filter(|(key, _)| !key_lines.contains_key(&key.name))
            .collect();
        entries.extend(self.entries);
        entries
    }
}

/// What a tag on a scalar means here.
enum TagMeaning {
    /// `!!str`, or the non-specific `!`: text whatever it looks like.
    Str,
    /// `!!null`, `!!bool`, `!!int`, `!!float`: the scalar must be one.
    Core(String),
    /// Anything else (`!vault`, `!!binary`): kept, and the value is its text.
    Other(String),
}

const CORE_HANDLE: &str = "tag:yaml.org,2002:";

impl TagMeaning {
    fn of(tag: &Tag) -> TagMeaning {
        let suffix = tag.suffix.as_str();
        match tag.handle.as_str() {
            CORE_HANDLE => match suffix {
                "str" => TagMeaning::Str,
                "null" | "bool" | "int" | "float" => TagMeaning::Core(suffix.to_owned()),
                _ => TagMeaning::Other(format!("!!{suffix}")),
            },
            "" if suffix == "!" => TagMeaning::Str,
            "" => TagMeaning::Other(format!("!<{suffix}>")),
            "!" => TagMeaning::Other(format!("!{suffix}")),
            handle => TagMeaning::Other(format!("{handle}{suffix}")),
        }
    }
}

/// The tag kept on a list or mapping: none for the core schema's (`!!seq`, `!!map`).
fn kept_collection_tag(tag: &Tag) -> Option<String> {
    match TagMeaning::of(tag) {
        TagMeaning::Other(name) if name != "!!seq" && name != "!!map" => Some(name),
        _ => None,
    }
}

fn scalar_value(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    mark: Mark,
) -> Result<Value, String> {
    let (kind, tag) = match tag.map(TagMeaning::of) {
        None if style == ScalarStyle::Plain => (plain_kind(text), None),
        None | Some(TagMeaning::Str) => (Kind::Str(text.to_owned()), None),
        Some(TagMeaning::Core(name)) => (core_tagged(&name, text)?, None),
        Some(TagMeaning::Other(name)) => (Kind::Str(text.to_owned()), Some(name)),
    };
    let written = matches!(kind, Kind::Int(_) | Kind::Float(_)).then(|| text.to_owned());
    Ok(Value {
        kind,
        mark,
        tag,
        written,
    })
}

/// A plain scalar by the YAML 1.2 core schema.
fn plain_kind(text: &str) -> Kind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Kind::Null,
        "true" | "True" | "TRUE" => Kind::Bool(true),
        "false" | "False" | "FALSE" => Kind::Bool(false),
        _ => match (parse_int(text), parse_float(text)) {
            (Some(i), _) => Kind::Int(i),
            (None, Some(x)) => Kind::Float(x),
            (None, None) => Kind::Str(text.to_owned()),
        },
    }
}

/// A scalar under `!!null`, `!!bool`, `!!int` or `!!float`, which it must match.
fn core_tagged(name: &str, text: &str) -> Result<Kind, String> {
    let kind = plain_kind(text);
    let matches = match (name, &kind) {
        ("null", Kind::Null) | ("bool", Kind::Bool(_)) | ("int", Kind::Int(_)) => true,
        ("float", Kind::Float(_)) => true,
        ("float", Kind::Int(i)) => return Ok(Kind::Float(*i as f64)),
        _ => false,
    };
    if matches {
        Ok(kind)
    } else {
        Err(format!("`!!{name}` on `{text}`, which is not one"))
    }
}

/// `12`, `-3`, `+4`, `0x1F`, `0o17`; `None` for anything else, or beyond 64 bits.
fn parse_int(text: &str) -> Option<i64> {
    let radix_digits = |digits: &str, radix: u32| {
        let valid = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
        valid
            .then(|| i64::from_str_radix(digits, radix).ok())
            .flatten()
    };
    if let Some(hex) = text.strip_prefix("0x") {
        return radix_digits(hex, 16);
    }
    if let Some(octal) = text.strip_prefix("0o") {
        return radix_digits(octal, 8);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let decimal = !unsigned.is_empty() && unsigned.chars().all(|c| c.is_ascii_digit());
    decimal.then(|| text.parse().ok()).flatten()
}

/// `1.5`, `-.5`, `1e3`, `2.`, `.inf`, `-.Inf`, `.nan`: the core schema's float forms.
fn parse_float(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(if text.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    is_decimal_float(unsigned)
        .then(|| text.parse().ok())
        .flatten()
}

/// `( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE][-+]?[0-9]+ )?`, without a sign.
fn is_decimal_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mantissa_ok =
        all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn parse(text: &str) -> Value {
        parse_str(text, Path::new("t.yml")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_err(text: &str) -> LabYamlError {
        match parse_str(text, Path::new("t.yml")) {
            Ok(value) => panic!("parsed, but expected an error: {value:?}"),
            Err(e) => e,
        }
    }

    fn at(value: &Value, path: &str) -> Value {
        value
            .get_path(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .clone()
    }

    #[test]
    fn values_and_keys_know_their_line_and_column() {
        let doc = parse("# comment\na:\n  b: [1, \"x\"]\n  c: {d: 4}\n");
        let b = at(&doc, "a.b");
        assert_eq!((b.mark.line, b.mark.column), (3, 6));
        let x = &b.as_seq().unwrap()[1];
        assert_eq!((x.mark.line, x.mark.column, x.as_str()), (3, 10, Some("x")));
        let c = at(&doc, "a.c");
        let (key, d) = &c.as_map().unwrap()[0];
        assert_eq!(
            (key.name.as_str(), key.mark.line, key.mark.column),
            ("d", 4, 7)
        );
        assert_eq!((d.mark.line, d.mark.column), (4, 10));
        assert_eq!(d.mark.to_string(), "t.yml:4:10");
    }

    #[test]
    fn plain_scalars_follow_the_core_schema_and_quoted_ones_are_text() {
        let doc = parse(concat!(
            "n1: ~\nn2:\nn3: null\nt: true\nf: False\nyes_is_text: yes\n",
            "i: -12\nhex: 0x1F\noct: 0o17\nx: 1.5\nexp: 1e3\ninf: -.inf\n",
            "release: 17.10\nversion: 16.12.5\nq: '12'\ndq: \"true\"\nip: 127.0.10.11\n",
        ));
        for null in ["n1", "n2", "n3"] {
            assert!(at(&doc, null).is_null(), "{null}");
        }
        assert_eq!(at(&doc, "t").as_bool(), Some(true));
        assert_eq!(at(&doc, "f").as_bool(), Some(false));
        assert_eq!(at(&doc, "yes_is_text").as_str(), Some("yes"));
        assert_eq!(at(&doc, "i").as_i64(), Some(-12));
        assert_eq!(at(&doc, "hex").as_i64(), Some(31));
        assert_eq!(at(&doc, "oct").as_i64(), Some(15));
        assert_eq!(at(&doc, "x").kind, Kind::Float(1.5));
        assert_eq!(at(&doc, "exp").kind, Kind::Float(1000.0));
        assert_eq!(at(&doc, "inf").kind, Kind::Float(f64::NEG_INFINITY));
        assert_eq!(at(&doc, "release").kind, Kind::Float(17.1));
        assert_eq!(at(&doc, "release").scalar_text().as_deref(), Some("17.10"));
        assert_eq!(at(&doc, "hex").scalar_text().as_deref(), Some("0x1F"));
        assert_eq!(at(&doc, "version").as_str(), Some("16.12.5"));
        assert_eq!(at(&doc, "q").as_str(), Some("12"));
        assert_eq!(at(&doc, "dq").as_str(), Some("true"));
        assert_eq!(at(&doc, "ip").as_str(), Some("127.0.10.11"));
    }

    #[test]
    fn number_shapes_that_are_not_numbers_stay_text() {
        for text in [
            "1.2.3", "0x", "0xG1", "1e", "e3", ".", "+", "1_000", "0b101", "12abc",
        ] {
            assert_eq!(plain_kind(text), Kind::Str(text.to_owned()), "{text}");
        }
        assert_eq!(plain_kind("2."), Kind::Float(2.0));
        assert_eq!(plain_kind("-.5"), Kind::Float(-0.5));
        assert!(matches!(plain_kind(".NaN"), Kind::Float(x) if x.is_nan()));
    }

    #[test]
    fn aliases_copy_their_anchor_and_merge_keys_let_written_keys_win() {
        let doc = parse(concat!(
            "base: &base {a: 1, b: 2}\n",
            "other: &other {b: 20, c: 30}\n",
            "copy: *base\n",
            "one:\n  <<: *base\n  a: 10\n",
            "many:\n  a: 100\n  <<: [*base, *other]\n",
        ));
        assert_eq!(at(&doc, "copy.b").as_i64(), Some(2));
        assert_eq!(
            at(&doc, "copy").mark.line,
            3,
            "an alias is where it is used"
        );
        assert_eq!(at(&doc, "one.a").as_i64(), Some(10));
        assert_eq!(at(&doc, "one.b").as_i64(), Some(2));
        assert_eq!(
            at(&doc, "many.a").as_i64(),
            Some(100),
            "written after << still wins"
        );
        assert_eq!(
            at(&doc, "many.b").as_i64(),
            Some(2),
            "earlier merged mapping wins"
        );
        assert_eq!(at(&doc, "many.c").as_i64(), Some(30));
        assert_eq!(at(&doc, "many").as_map().unwrap().len(), 3);
        assert!(at(&doc, "many").get("<<").is_none());
    }

    #[test]
    fn a_merge_key_must_bring_mappings() {
        let e = parse_err("s: &s text\nm:\n  <<: *s\n");
        assert_eq!((e.line, e.field.as_str()), (3, "m.<<"));
        assert!(e.message.contains("not a string"), "{e}");
        let e = parse_err("m:\n  <<: [{a: 1}, [2]]\n");
        assert!(e.message.contains("this list holds a list"), "{e}");
    }

    #[test]
    fn a_quoted_merge_key_is_an_ordinary_key() {
        let doc = parse("m:\n  '<<': {a: 1}\n");
        assert_eq!(
            at(&doc, "m")
                .get("<<")
                .and_then(|v| v.get("a"))
                .and_then(Value::as_i64),
            Some(1)
        );
    }

    #[test]
    fn duplicate_keys_name_both_lines() {
        let e = parse_err("top:\n  a: 1\n  b: 2\n  a: 3\n");
        assert_eq!((e.line, e.column, e.field.as_str()), (4, 3, "top.a"));
        assert!(e.message.contains("line 2"), "{e}");
        assert_eq!(
            e.to_string(),
            "t.yml:4:3: top.a: duplicate key `a`: also written at line 2"
        );
        let e = parse_err("m:\n  <<: {a: 1}\n  <<: {b: 1}\n");
        assert!(e.message.contains("line 2"), "{e}");
    }

    #[test]
    fn keys_must_be_scalars() {
        let e = parse_err("? [a]\n: 1\n");
        assert!(e.message.contains("a key must be text, not a list"), "{e}");
        let e = parse_err("l: &l [1]\n*l : 2\n");
        assert!(e.message.contains("not a list"), "{e}");
        let doc = parse("n: &n 12\n*n : twelve\n");
        assert_eq!(doc.get("12").and_then(Value::as_str), Some("twelve"));
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse_str(&nested(MAX_DEPTH), Path::new("t.yml")).is_ok());
        let e = parse_err(&nested(MAX_DEPTH + 1));
        assert!(e.message.contains("nested more than 100"), "{e}");
        assert_eq!((e.line, e.column), (1, MAX_DEPTH + 1));
    }

    #[test]
    fn aliases_cannot_nest_past_the_depth_bound() {
        let deep = format!("a: &a {}1{}\n", "[".repeat(60), "]".repeat(60));
        let text = format!("{deep}b: {}*a{}\n", "[".repeat(45), "]".repeat(45));
        let e = parse_err(&text);
        assert!(e.message.contains("nested more than"), "{e}");
        // Shallow enough, the same alias is accepted.
        let text = format!("{deep}b: {}*a{}\n", "[".repeat(30), "]".repeat(30));
        assert!(parse_str(&text, Path::new("t.yml")).is_ok());
    }

    #[test]
    fn a_billion_laughs_fails_fast() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..=9 {
            let aliases = vec![format!("*a{}", level - 1); 10].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{aliases}]\n"));
        }
        let started = Instant::now();
        let e = parse_err(&text);
        assert!(e.message.contains("YAML bomb"), "{e}");
        // Expanded, this is 10^9 strings: only a check before copying makes it quick.
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn the_alias_budget_counts_every_alias_in_the_file() {
        let mut text = String::from("big: &big [");
        text.push_str(&vec!["x"; 999].join(","));
        text.push_str("]\n");
        let under = format!("{text}c1: *big\n");
        assert!(
            parse_str(&under, Path::new("t.yml")).is_ok(),
            "1,000 values is fine"
        );
        let over: String = (0..1001).map(|i| format!("c{i}: *big\n")).collect();
        let e = parse_err(&format!("{text}{over}"));
        assert!(e.message.contains("YAML bomb"), "{e}");
        assert_eq!(e.line, 1002, "fails at the alias that crosses the budget");
    }

    #[test]
    fn an_alias_inside_its_own_anchor_is_refused() {
        let e = parse_err("a: &a [1, *a]\n");
        assert!(e.message.contains("cannot contain itself"), "{e}");
    }

    #[test]
    fn local_tags_are_kept_and_core_tags_type_the_scalar() {
        let doc = parse(concat!(
            "password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162636465\n",
            "s: !!str 12\nf: !!float 3\nu: !unsafe '{{ x }}'\nplain: ! 12\n",
        ));
        let password = at(&doc, "password");
        assert_eq!(password.tag.as_deref(), Some("!vault"));
        assert_eq!(
            password.as_str(),
            Some("$ANSIBLE_VAULT;1.1;AES256\n6162636465\n")
        );
        assert_eq!(
            (at(&doc, "s").as_str(), at(&doc, "s").tag),
            (Some("12"), None)
        );
        assert_eq!(at(&doc, "f").kind, Kind::Float(3.0));
        assert_eq!(at(&doc, "u").tag.as_deref(), Some("!unsafe"));
        assert_eq!(at(&doc, "plain").as_str(), Some("12"));
        let e = parse_err("n: !!int twelve\n");
        assert!(e.message.contains("`!!int` on `twelve`"), "{e}");
    }

    #[test]
    fn only_one_document_is_read() {
        assert_eq!(at(&parse("---\na: 1\n...\n"), "a").as_i64(), Some(1));
        let e = parse_err("a: 1\n---\nb: 2\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("second YAML document"), "{e}");
    }

    #[test]
    fn an_empty_document_is_null() {
        assert!(parse("").is_null());
        assert!(parse("# only a comment\n").is_null());
    }

    #[test]
    fn json_with_tabs_and_a_byte_order_mark_parse() {
        let doc = parse("\u{feff}{\n\t\"a\": [1,\n\t\t2],\n\t\"b\": {\"c\": null}\n}\n");
        assert_eq!(at(&doc, "a").as_seq().map(<[Value]>::len), Some(2));
        assert!(at(&doc, "b.c").is_null());
    }

    #[test]
    fn syntax_errors_say_where() {
        let e = parse_err("a: 1\n b: 2\n");
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.starts_with("YAML syntax: "), "{e}");
        let e = parse_err("a:\n  b: [1, 2\n");
        assert!(e.message.starts_with("YAML syntax: "), "{e}");
    }

    #[test]
    fn files_that_cannot_be_read_or_are_too_large_give_one_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.yml");
        let e = load_file(&missing).unwrap_err();
        assert_eq!((e.line, e.file.as_path()), (0, missing.as_path()));
        assert!(
            e.to_string()
                .starts_with(&format!("{}: cannot read: ", missing.display())),
            "{e}"
        );

        let large = dir.path().join("large.yml");
        let file = File::create(&large).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        let e = load_file(&large).unwrap_err();
        assert!(e.message.contains("larger than 32 MiB"), "{e}");

        let binary = dir.path().join("binary.yml");
        std::fs::write(&binary, [0x61, 0x3a, 0xff]).unwrap();
        assert!(
            load_file(&binary)
                .unwrap_err()
                .message
                .contains("not UTF-8")
        );

        let good = dir.path().join("good.yml");
        std::fs::write(&good, "a: [1]\n").unwrap();
        let doc = load_file(&good).unwrap();
        assert_eq!(&*at(&doc, "a").mark.file, good.as_path());
    }

    #[test]
    fn an_error_without_a_field_leaves_it_out() {
        let mark = Mark {
            file: Arc::from(Path::new("f.yml")),
            line: 2,
            column: 3,
        };
        assert_eq!(
            LabYamlError::at(&mark, "", "bad").to_string(),
            "f.yml:2:3: bad"
        );
        assert_eq!(
            LabYamlError::at(&mark, "a.b", "bad").to_string(),
            "f.yml:2:3: a.b: bad"
        );
    }

    #[test]
    fn merge_over_merges_mappings_deeply_and_replaces_the_rest() {
        let mut lower =
            parse("sl: {dns: {servers: [a], lookup: true}, vrf: mgmt}\nlist: [1, 2]\nkeep: 1\n");
        let upper = parse("sl: {dns: {servers: [b]}, vrf: null}\nlist: [3]\nnew: x\n");
        lower.merge_over(upper);
        let servers = at(&lower, "sl.dns.servers");
        assert_eq!(servers.as_seq().unwrap()[0].as_str(), Some("b"));
        assert_eq!(
            at(&lower, "sl.dns.lookup").as_bool(),
            Some(true),
            "deep keys survive"
        );
        assert!(at(&lower, "sl.vrf").is_null(), "null replaces");
        assert_eq!(
            at(&lower, "list").as_seq().unwrap().len(),
            1,
            "lists replace"
        );
        assert_eq!(at(&lower, "keep").as_i64(), Some(1));
        assert_eq!(at(&lower, "new").as_str(), Some("x"));
        assert_eq!(at(&lower, "new").mark.line, 3);
    }

    #[test]
    fn a_secret_source_replaces_whole() {
        let mut lower = parse("token: {file: /run/token}\nplain: {a: 1}\n");
        lower.merge_over(parse("token: {env: SMARTLIC_TOKEN}\nplain: {b: 2}\n"));
        let token = at(&lower, "token");
        assert_eq!(
            token.get("env").and_then(Value::as_str),
            Some("SMARTLIC_TOKEN")
        );
        assert!(token.get("file").is_none(), "the lower source is gone");
        assert_eq!(token.as_map().unwrap().len(), 1);
        assert_eq!(
            at(&lower, "plain").as_map().unwrap().len(),
            2,
            "other mappings merge"
        );
        let mut layers = parse("env: test\nkeep: 1\n");
        layers.merge_over(parse("env: production\n"));
        assert_eq!(
            at(&layers, "keep").as_i64(),
            Some(1),
            "a layer is never replaced whole"
        );
        assert_eq!(at(&layers, "env").as_str(), Some("production"));
        assert!(parse("{env: X, file: Y}").is_secret_source());
        assert!(!parse("{env: X, other: Y}").is_secret_source());
        assert!(!parse("{}").is_secret_source());
    }

    #[test]
    fn kind_names_read_well_in_messages() {
        let doc = parse("m: {}\nl: []\ns: x\nn: 1\nb: true\nz: ~\n");
        let names: Vec<_> = ["m", "l", "s", "n", "b", "z"]
            .iter()
            .map(|k| at(&doc, k).kind_name())
            .collect();
        assert_eq!(
            names,
            [
                "a mapping",
                "a list",
                "a string",
                "an integer",
                "a boolean",
                "null"
            ]
        );
    }
}
