//! Reading YAML nodes into typed values, collecting every problem as a diagnostic.
//!
//! [`Checker`] is used by the intent, the connection variables and playbooks alike:
//! unknown keys get a "did you mean", wrong kinds say what was expected, and values
//! that end up on a device's command line are checked against the characters their
//! kind allows, so that none can inject a second command (docs/intent.md).

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

    /// A name typed on a device line: one word of the characters its kind allows.
    pub fn name(&mut self, node: &Node, field: &str, kind: &NameKind) -> Option<String> {
        self.line_value(node, field, |text| name_problem(text, kind))
    }

    /// A host name or an IP address typed on a device line.
    pub fn host(&mut self, node: &Node, field: &str) -> Option<String> {
        self.line_value(node, field, host_problem)
    }

    /// A string typed on a device line as one word, then checked by its own rule.
    pub fn line_value(
        &mut self,
        node: &Node,
        field: &str,
        rule: impl FnOnce(&str) -> Option<String>,
    ) -> Option<String> {
        let text = self.string(node, field)?;
        match one_word_problem(&text).or_else(|| rule(&text)) {
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

/// A kind of name typed on a device line, and the characters its syntax allows: ASCII
/// letters, digits and `punctuation`. An allow-list, not a deny-list: `;` separates NX-OS
/// commands, `|` pipes and `!` comments on IOS, `\` escapes, so no set holds them.
/// Cisco documents these names as alphanumeric strings; the punctuation is what Cisco's
/// own examples use in them (`Mgmt-vrf`, `CiscoTAC-1`, `SLA-TrustPoint`, `VRF_1`,
/// `GigabitEthernet0/0.100`; docs/intent.md "Names", docs/sources.md).
pub struct NameKind {
    /// What the name is, with its article: "a VRF name".
    pub what: &'static str,
    pub punctuation: &'static str,
    pub max_len: usize,
}

/// IOS-XE and NX-OS VRF names are at most 32 characters.
pub const VRF_NAME: NameKind = NameKind {
    what: "a VRF name",
    punctuation: "-_.",
    max_len: 32,
};
/// Slot/port separators and sub-interface dots: `GigabitEthernet1/0/1.100`.
pub const INTERFACE_NAME: NameKind = NameKind {
    what: "an interface name",
    punctuation: "-_./",
    max_len: 64,
};
pub const PROFILE_NAME: NameKind = NameKind {
    what: "a call-home profile name",
    punctuation: "-_.",
    max_len: 31,
};
pub const TRUSTPOINT_NAME: NameKind = NameKind {
    what: "a trustpoint name",
    punctuation: "-_.",
    max_len: 64,
};

/// The longest host name DNS allows (RFC 1123).
pub const MAX_HOST_NAME: usize = 253;
const MAX_EMAIL: usize = 128;

/// Why `value` cannot be typed as one word of a device line, whatever its kind. A line
/// break would end the command and start another; other control characters are
/// line-editing keys on IOS; a space splits the word.
pub fn one_word_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("must not be empty".to_string());
    }
    if value.contains(['\n', '\r']) {
        return Some("must not contain a line break (it would start a second command)".to_string());
    }
    if value.chars().any(char::is_control) {
        return Some("must not contain control characters".to_string());
    }
    if value.chars().any(char::is_whitespace) {
        return Some("must be a single word without spaces".to_string());
    }
    None
}

/// Why `value` is not a name of `kind`, if it is not.
pub fn name_problem(value: &str, kind: &NameKind) -> Option<String> {
    if let Some(problem) = one_word_problem(value) {
        return Some(problem);
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || kind.punctuation.contains(c);
    if !value.chars().all(allowed) {
        return Some(format!(
            "`{value}` is not {what}: {what} is letters, digits and `{}`",
            kind.punctuation,
            what = kind.what
        ));
    }
    if value.len() > kind.max_len {
        return Some(format!("is longer than {} characters", kind.max_len));
    }
    None
}

/// An RFC 1123 host name: dot-separated labels of letters, digits and hyphens, none
/// starting or ending with a hyphen; a last label of digits only would be a broken
/// IPv4 address.
pub fn is_host_name(text: &str) -> bool {
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let last_is_numeric = text
        .rsplit('.')
        .next()
        .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()));
    text.len() <= MAX_HOST_NAME && text.split('.').all(label_ok) && !last_is_numeric
}

/// Why `value` is neither an IP address nor an RFC 1123 host name, if it is not.
pub fn host_problem(value: &str) -> Option<String> {
    if value.parse::<std::net::IpAddr>().is_ok() || is_host_name(value) {
        return None;
    }
    Some(format!(
        "`{value}` is neither an IP address nor a host name (letters, digits, `-` and dots)"
    ))
}

/// Why `value` is not a conservative `local@domain` e-mail address, if it is not: the
/// local part letters, digits and `._+-` (no leading, trailing or double dot), the
/// domain a host name with at least one dot.
pub fn email_problem(value: &str) -> Option<String> {
    let local_ok = |local: &str| {
        (1..=64).contains(&local.len())
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
    };
    let ok = value.len() <= MAX_EMAIL
        && value.split_once('@').is_some_and(|(local, domain)| {
            local_ok(local) && domain.contains('.') && is_host_name(domain)
        });
    (!ok).then(|| {
        format!(
            "`{value}` is not an e-mail address: write local@domain.tld, the local part letters, digits and `._+-`"
        )
    })
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
    fn names_follow_their_kind() {
        assert_eq!(name_problem("Mgmt-vrf", &VRF_NAME), None);
        assert_eq!(name_problem("VRF_1", &VRF_NAME), None);
        assert_eq!(
            name_problem("GigabitEthernet0/0.100", &INTERFACE_NAME),
            None
        );
        assert_eq!(name_problem("CiscoTAC-1", &PROFILE_NAME), None);
        assert!(
            name_problem("mgmt\nend", &VRF_NAME)
                .unwrap()
                .contains("line break")
        );
        assert!(
            name_problem("a b", &VRF_NAME)
                .unwrap()
                .contains("single word")
        );
        assert!(
            name_problem("a\u{7}", &VRF_NAME)
                .unwrap()
                .contains("control")
        );
        assert!(
            name_problem(&"a".repeat(33), &VRF_NAME)
                .unwrap()
                .contains("longer")
        );
        assert!(
            name_problem("a/b", &VRF_NAME)
                .unwrap()
                .contains("not a VRF name")
        );
        assert!(name_problem("é", &VRF_NAME).is_some());
    }

    /// `;` separates NX-OS commands, `|` pipes and `!` comments on IOS, `\` escapes: no
    /// name kind takes them, wherever they stand (issue 12 item 5).
    #[test]
    fn command_separators_are_no_name() {
        for kind in [&VRF_NAME, &INTERFACE_NAME, &PROFILE_NAME, &TRUSTPOINT_NAME] {
            for bad in [
                "a;reload",
                "a|include",
                "a\\b",
                "a!b",
                "!a",
                "#a",
                "a?",
                "a\"b",
                "a'b",
                "a$b",
            ] {
                let problem = name_problem(bad, kind).unwrap_or_else(|| panic!("{bad} passed"));
                assert!(problem.contains(kind.what), "{bad}: {problem}");
            }
        }
        assert_eq!(
            name_problem("a;reload", &VRF_NAME).unwrap(),
            "`a;reload` is not a VRF name: a VRF name is letters, digits and `-_.`"
        );
    }

    #[test]
    fn hosts() {
        for good in [
            "tools.cisco.com",
            "ntp1",
            "xn--bcher-kva.example",
            "192.0.2.1",
            "2001:db8::1",
        ] {
            assert_eq!(host_problem(good), None, "{good}");
        }
        for bad in [
            "a;b.example",
            "a|b",
            "a$b.example",
            "a_b.example",
            "-a.example",
            "a-.example",
            "a..example",
            "tools.cisco.com.",
            "192.0.2.300",
            "[2001:db8::1]",
        ] {
            assert!(host_problem(bad).is_some(), "{bad} passed");
        }
        assert!(!is_host_name(&format!("{}.example", "a".repeat(64))));
    }

    #[test]
    fn emails() {
        for good in [
            "noc@example.net",
            "first.last+sl@mail.example.net",
            "a_b-c@x.io",
        ] {
            assert_eq!(email_problem(good), None, "{good}");
        }
        for bad in [
            "licensing.example.net",
            "a;reload@example.net",
            "a|b@example.net",
            "a\\b@example.net",
            "a!b@example.net",
            "a@b@example.net",
            ".a@example.net",
            "a..b@example.net",
            "a@localhost",
            "a@example.net;reload",
            "@example.net",
        ] {
            assert!(email_problem(bad).is_some(), "{bad} passed");
        }
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
