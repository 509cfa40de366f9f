//! The lab's own reading of inventory values: every problem collected with its file, line,
//! column and field, nothing shared with smartlic's intent checks (the lab judges them).

use std::fmt;
use std::path::PathBuf;

use crate::secret::Secret;
use crate::yamlish::{Key, Kind, LabYamlError, Mark, Value};

/// A problem in a lab inventory: where, which field, what, and a hint when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LabError {
    pub file: PathBuf,
    /// 0 when the problem is with the file as a whole.
    pub line: usize,
    pub column: usize,
    pub field: String,
    pub message: String,
    pub help: Option<String>,
}

impl From<LabYamlError> for LabError {
    fn from(e: LabYamlError) -> Self {
        LabError {
            file: e.file,
            line: e.line,
            column: e.column,
            field: e.field,
            message: e.message,
            help: None,
        }
    }
}

impl fmt::Display for LabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// Which characters a name may hold besides letters and digits, and how long it may be.
pub struct NameRule {
    pub what: &'static str,
    pub punctuation: &'static str,
    pub max_len: usize,
}

/// VRF names as Cisco's examples write them (`Mgmt-vrf`, `management`).
pub const VRF: NameRule = NameRule {
    what: "a VRF name",
    punctuation: "-_.",
    max_len: 32,
};
/// Interfaces with slot/port separators and sub-interface dots (`GigabitEthernet1/0/1.100`).
pub const INTERFACE: NameRule = NameRule {
    what: "an interface name",
    punctuation: "-_./",
    max_len: 64,
};
/// Product IDs and serial numbers (`C9300-48P`, `FOC2101X0AB`).
pub const PRODUCT_ID: NameRule = NameRule {
    what: "a product ID or serial number",
    punctuation: "-_./",
    max_len: 64,
};

/// Collects problems while values are read; each reader gives `None` after reporting one.
#[derive(Default)]
pub struct Check {
    pub errors: Vec<LabError>,
}

/// Anything a problem can be pointed at.
pub trait Located {
    fn mark(&self) -> &Mark;
}

impl Located for Mark {
    fn mark(&self) -> &Mark {
        self
    }
}

impl Located for Value {
    fn mark(&self) -> &Mark {
        &self.mark
    }
}

impl Located for Key {
    fn mark(&self) -> &Mark {
        &self.mark
    }
}

impl Check {
    pub fn error(&mut self, at: &impl Located, field: &str, message: impl Into<String>) {
        let mark = at.mark();
        self.errors.push(LabError {
            file: mark.file.to_path_buf(),
            line: mark.line,
            column: mark.column,
            field: field.to_string(),
            message: message.into(),
            help: None,
        });
    }

    fn error_with_help(&mut self, at: &impl Located, field: &str, message: String, help: String) {
        self.error(at, field, message);
        if let Some(last) = self.errors.last_mut() {
            last.help = Some(help);
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// A mapping whose keys are all in `known`; an unknown key is reported at its line,
    /// with the nearest known key as a hint.
    pub fn map<'v>(
        &mut self,
        value: &'v Value,
        field: &str,
        known: &[&str],
    ) -> Option<&'v [(Key, Value)]> {
        if value.is_null() {
            return Some(&[]);
        }
        let Some(entries) = value.as_map() else {
            self.error(
                value,
                field,
                format!("expected a mapping, found {}", value.kind_name()),
            );
            return None;
        };
        for (key, _) in entries {
            if known.contains(&key.name.as_str()) {
                continue;
            }
            let message = format!("unknown field; known: {}", known.join(", "));
            let field = join(field, &key.name);
            match nearest(&key.name, known) {
                Some(near) => {
                    self.error_with_help(key, &field, message, format!("did you mean `{near}`?"))
                }
                None => self.error(key, &field, message),
            }
        }
        Some(entries)
    }

    pub fn list<'v>(&mut self, value: &'v Value, field: &str) -> &'v [Value] {
        match &value.kind {
            Kind::Seq(items) => items,
            Kind::Null => &[],
            _ => {
                self.error(
                    value,
                    field,
                    format!("expected a list, found {}", value.kind_name()),
                );
                &[]
            }
        }
    }

    /// Text: a string, or a number or boolean as written (`os_version: 17.10`).
    pub fn string(&mut self, value: &Value, field: &str) -> Option<String> {
        match &value.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Int(_) | Kind::Float(_) | Kind::Bool(_) => {
                value.scalar_text().map(|t| t.into_owned())
            }
            _ => {
                self.error(
                    value,
                    field,
                    format!("expected a string, found {}", value.kind_name()),
                );
                None
            }
        }
    }

    pub fn bool(&mut self, value: &Value, field: &str) -> Option<bool> {
        let found = value.as_bool();
        if found.is_none() {
            self.error(
                value,
                field,
                format!("expected true or false, found {}", value.kind_name()),
            );
        }
        found
    }

    pub fn int(&mut self, value: &Value, field: &str, min: i64, max: i64) -> Option<i64> {
        match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) => {
                self.error(
                    value,
                    field,
                    format!("{n} is out of range ({min} to {max})"),
                );
                None
            }
            None => {
                self.error(
                    value,
                    field,
                    format!("expected a whole number, found {}", value.kind_name()),
                );
                None
            }
        }
    }

    /// A name of letters, digits and the rule's punctuation.
    pub fn name(&mut self, value: &Value, field: &str, rule: &NameRule) -> Option<String> {
        let text = self.string(value, field)?;
        let allowed = |c: char| c.is_ascii_alphanumeric() || rule.punctuation.contains(c);
        if text.is_empty() || text.len() > rule.max_len || !text.chars().all(allowed) {
            self.error(
                value,
                field,
                format!(
                    "is not {}: letters, digits and `{}`, 1 to {} characters",
                    rule.what, rule.punctuation, rule.max_len
                ),
            );
            return None;
        }
        Some(text)
    }

    /// A password-like value: plain text, `{env: NAME}` or `{file: PATH}` read now, or an
    /// Ansible `!vault` value opened by `vault` (the lab cannot open one by itself). The
    /// value itself is never part of a message.
    pub fn secret(&mut self, value: &Value, field: &str, vault: Option<&Vault>) -> Option<Secret> {
        if value.tag.as_deref() == Some("!vault") {
            let text = value.as_str().unwrap_or_default();
            return match vault.map(|open| open(text)) {
                Some(Ok(secret)) => Some(Secret::new(secret)),
                Some(Err(e)) => {
                    self.error(value, field, e);
                    None
                }
                None => {
                    self.error(
                        value,
                        field,
                        "is a !vault value, which this lab cannot open: give lab devices plain, {env: NAME} or {file: PATH} passwords",
                    );
                    None
                }
            };
        }
        match &value.kind {
            Kind::Str(s) => Some(Secret::new(s.clone())),
            Kind::Map(_) => self.secret_source(value, field),
            _ => {
                self.error(
                    value,
                    field,
                    format!(
                        "expected a string, {{env: NAME}} or {{file: PATH}}, found {}",
                        value.kind_name()
                    ),
                );
                None
            }
        }
    }

    fn secret_source(&mut self, value: &Value, field: &str) -> Option<Secret> {
        let entries = self.map(value, field, &["env", "file"])?;
        let [(key, source)] = entries else {
            self.error(value, field, "give one of env or file");
            return None;
        };
        let name = self.string(source, &join(field, &key.name))?;
        if key.name == "env" {
            return match std::env::var(&name) {
                Ok(secret) => Some(Secret::new(secret)),
                Err(_) => {
                    self.error(
                        source,
                        field,
                        format!("environment variable {name} is not set"),
                    );
                    None
                }
            };
        }
        match read_secret_file(&name) {
            Ok(secret) => Some(secret),
            Err(e) => {
                self.error(source, field, format!("cannot read {name}: {e}"));
                None
            }
        }
    }
}

/// Opens an Ansible `!vault` value, for the program that holds the vault password.
pub type Vault = dyn Fn(&str) -> Result<String, String> + Send + Sync;

/// A secret file: a regular file of at most 64 KiB, its first line the secret.
fn read_secret_file(path: &str) -> Result<Secret, String> {
    const MAX_SECRET_FILE: u64 = 64 * 1024;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_SECRET_FILE {
        return Err(format!("larger than {MAX_SECRET_FILE} bytes"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        return Err("it is empty".into());
    }
    Ok(Secret::new(line))
}

/// The value as JSON, for the back-end's serde types and for comparing values wherever
/// they were written.
pub fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match &value.kind {
        Kind::Null => Json::Null,
        Kind::Bool(b) => Json::Bool(*b),
        Kind::Int(n) => Json::from(*n),
        Kind::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Kind::Str(s) => Json::String(s.clone()),
        Kind::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Kind::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
    }
}

/// `parent.child`, or `child` at the top.
pub fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

/// The known word closest to a mistyped one, if it is close enough to be meant.
pub fn nearest<'a>(typed: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(typed, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// `90`, `90s`, `30m`, `1h`, `200d`, `1h30m`: seconds.
pub fn duration(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let number: u64 = rest[..digits].parse().ok()?;
        let unit = match rest[digits..].chars().next()? {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => return None,
        };
        total = total.checked_add(number.checked_mul(unit)?)?;
        rest = &rest[digits + 1..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units_and_combinations() {
        assert_eq!(duration("90"), Some(90));
        assert_eq!(duration("30m"), Some(1_800));
        assert_eq!(duration("1h30m"), Some(5_400));
        assert_eq!(duration("200d"), Some(17_280_000));
        for bad in ["", "h", "1x", "1h30", "-1h", "99999999999999999999d"] {
            assert_eq!(duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_take_no_command_separators() {
        let mark = Mark::start_of(std::path::Path::new("lab.yml"));
        for rule in [&VRF, &INTERFACE, &PRODUCT_ID] {
            for bad in [
                "a;reload",
                "a|include",
                "a\\b",
                "a!b",
                "#a",
                "a?",
                "a b",
                "",
                "é",
            ] {
                let mut c = Check::default();
                let value = Value::new(Kind::Str(bad.into()), mark.clone());
                assert_eq!(c.name(&value, "lab.pid", rule), None, "{bad}");
                assert!(c.errors[0].message.contains(rule.what), "{bad}");
            }
        }
        let mut c = Check::default();
        let value = Value::new(Kind::Str("GigabitEthernet1/0/1.100".into()), mark);
        assert!(c.name(&value, "lab.interfaces", &INTERFACE).is_some());
    }

    #[test]
    fn suggests_only_near_words() {
        assert_eq!(
            nearest("latency", &["latency_ms", "hang_on"]),
            Some("latency_ms")
        );
        assert_eq!(
            nearest("acounts", &["accounts", "faults"]),
            Some("accounts")
        );
        assert_eq!(nearest("zzz", &["accounts", "faults"]), None);
    }
}
