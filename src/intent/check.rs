//! Reading YAML nodes into typed values, collecting every problem as a diagnostic.
//!
//! [`Checker`] is used by the intent, the connection variables and playbooks alike:
//! unknown keys get a "did you mean", wrong kinds say what was expected, and values
//! that end up on a device's command line are checked so that none can inject a
//! second command (docs/intent.md).

use crate::source::{Diagnostic, did_you_mean, sanitize};
use crate::yaml::{Node, Value};

/// Collects the diagnostics found while reading one document or one host.
#[derive(Default)]
pub struct Checker {
    pub diagnostics: Vec<Diagnostic>,
}

impl Checker {
    pub fn error(&mut self, node: &Node, field: &str, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(&node.origin, field, message));
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The node as a mapping whose keys are all in `allowed`; unknown keys are errors.
    pub fn map<'a>(&mut self, node: &'a Node, field: &str, allowed: &[&str]) -> Option<&'a Node> {
        let Some(entries) = node.entries() else {
            self.error(
                node,
                field,
                format!("expected a mapping, found {}", node.kind()),
            );
            return None;
        };
        for (key, _) in entries {
            if allowed.contains(&key.name.as_str()) {
                continue;
            }
            let path = join(field, &key.name);
            let mut d = Diagnostic::error(&key.origin, path, "unknown key");
            d = match did_you_mean(&key.name, allowed.iter().copied()) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None => d.with_help(format!("allowed keys: {}", allowed.join(", "))),
            };
            self.push(d);
        }
        Some(node)
    }

    /// A scalar's text; `None` (with an error) for lists, mappings and null.
    pub fn string(&mut self, node: &Node, field: &str) -> Option<String> {
        match node.scalar() {
            Some(text) => Some(text.to_string()),
            None => {
                self.error(
                    node,
                    field,
                    format!("expected a string, found {}", node.kind()),
                );
                None
            }
        }
    }

    pub fn bool(&mut self, node: &Node, field: &str) -> Option<bool> {
        let value = node.as_bool();
        if value.is_none() {
            self.error(
                node,
                field,
                format!("expected true or false, found {}", node.kind()),
            );
        }
        value
    }

    /// An integer within `range`.
    pub fn int(&mut self, node: &Node, field: &str, min: i64, max: i64) -> Option<i64> {
        match node.as_int() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) => {
                self.error(node, field, format!("{n} is out of range {min}..={max}"));
                None
            }
            None if is_whole_number(node) => {
                let text = node.scalar().unwrap_or_default();
                self.error(node, field, format!("{text} is out of range {min}..={max}"));
                None
            }
            None => {
                self.error(
                    node,
                    field,
                    format!("expected a number, found {}", node.kind()),
                );
                None
            }
        }
    }

    /// One of a fixed set of words, with a suggestion for a near miss.
    pub fn choice<T: Copy>(
        &mut self,
        node: &Node,
        field: &str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let text = self.string(node, field)?;
        if let Some((_, value)) = choices.iter().find(|(name, _)| *name == text) {
            return Some(*value);
        }
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        let mut d = Diagnostic::error(
            &node.origin,
            field,
            format!(
                "unknown value `{}`; expected one of: {}",
                sanitize(&text),
                names.join(", ")
            ),
        );
        if let Some(best) = did_you_mean(&text, names.iter().copied()) {
            d = d.with_help(format!("did you mean `{best}`?"));
        }
        self.push(d);
        None
    }

    /// A list; a single scalar is not silently promoted.
    pub fn list<'a>(&mut self, node: &'a Node, field: &str) -> &'a [Node] {
        match node.items() {
            Some(items) => items,
            None => {
                self.error(
                    node,
                    field,
                    format!("expected a list, found {}", node.kind()),
                );
                &[]
            }
        }
    }

    /// A string that will be typed on a device's command line as one word.
    pub fn word(&mut self, node: &Node, field: &str, max_len: usize) -> Option<String> {
        let text = self.string(node, field)?;
        match cli_word_problem(&text, max_len) {
            None => Some(text),
            Some(problem) => {
                self.error(node, field, problem);
                None
            }
        }
    }
}

/// A plain whole number, as YAML reads one, however big (`as_int` has no room for it).
fn is_whole_number(node: &Node) -> bool {
    match &node.value {
        Value::Scalar {
            text,
            quoted: false,
        } => {
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// Why `value` cannot be typed as one word of a device command, if it cannot.
///
/// A newline or carriage return would end the command and start another; other control
/// characters are line-editing keys on IOS; `?` asks the CLI for help mid-line; `!` and
/// `#` start a comment; quotes change how the rest of the line is split.
pub fn cli_word_problem(value: &str, max_len: usize) -> Option<String> {
    if value.is_empty() {
        return Some("must not be empty".to_string());
    }
    if value.contains(['\n', '\r']) {
        return Some("must not contain a line break (it would start a second command)".to_string());
    }
    if value.chars().any(char::is_control) {
        return Some("must not contain control characters".to_string());
    }
    if value.starts_with(['!', '#']) {
        return Some("must not start with `!` or `#` (the device reads a comment)".to_string());
    }
    if value.contains(['"', '\'']) {
        return Some("must not contain quotes".to_string());
    }
    if value.contains('?') {
        return Some("must not contain `?` (the device CLI answers it with help)".to_string());
    }
    if value.chars().any(char::is_whitespace) {
        return Some("must be a single word without spaces".to_string());
    }
    if !value.is_ascii() {
        return Some("must be plain ASCII".to_string());
    }
    if value.chars().count() > max_len {
        return Some(format!("is longer than {max_len} characters"));
    }
    None
}

/// `parent.child`, or `child` at the top.
pub fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

/// Parses `90s`, `10m`, `1h`, `1h30m` or a plain number of seconds. A duration too big
/// to count is `u64::MAX` (out of any range), not "not a duration".
pub fn parse_duration(text: &str) -> Option<u64> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Some(text.parse().unwrap_or(u64::MAX));
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        if number.is_empty() {
            return None;
        }
        let n: u64 = number.parse().unwrap_or(u64::MAX);
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
    }
    (number.is_empty() && !text.is_empty()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_words() {
        assert_eq!(cli_word_problem("Mgmt-vrf", 32), None);
        assert_eq!(cli_word_problem("GigabitEthernet0/0.100", 64), None);
        assert!(
            cli_word_problem("mgmt\nend", 32)
                .unwrap()
                .contains("line break")
        );
        assert!(cli_word_problem("!x", 32).unwrap().contains("comment"));
        assert!(cli_word_problem("a b", 32).unwrap().contains("single word"));
        assert!(cli_word_problem("a\"b", 32).unwrap().contains("quotes"));
        assert!(cli_word_problem("abc", 2).unwrap().contains("longer"));
        assert!(cli_word_problem("a?", 8).unwrap().contains("help"));
        assert!(cli_word_problem("a\u{7}", 8).unwrap().contains("control"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10m"), Some(600));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("45"), Some(45));
        assert_eq!(parse_duration("10x"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("10m5"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("99999999999999999999"), Some(u64::MAX));
        assert_eq!(parse_duration("99999999999999999999h"), Some(u64::MAX));
    }
}
