//! A platform's config dialect: the facts about its running-config text that parsing and
//! diffing need, as data (plus two small text rewrites as fn pointers).
//!
//! This module owns the *shape* of those facts and the helpers that apply them
//! (canonical form, slots, families, expansion, negation). The facts themselves live in
//! `platform::{ios_xe, nx_os, apic}` beside the rest of each platform's knowledge, each
//! with the source it came from. Nothing here knows a particular platform.

use std::borrow::Cow;

/// The config facts of one platform.
#[derive(Debug)]
pub struct Dialect {
    /// Name used in messages and golden cases (`ios-xe`, `nx-os`, `apic`).
    pub name: &'static str,
    /// Spaces per nesting level in `show running-config`.
    pub indent: usize,
    /// A line whose trimmed text starts with one of these is a comment at any depth.
    pub comment_prefixes: &'static [&'static str],
    /// Top-level lines that are output decoration, not config (matched as word prefixes
    /// on the whitespace-collapsed text).
    pub top_level_noise: &'static [&'static str],
    /// Canonical headers of the blocks smartlic owns entirely: inside them, lines that
    /// are not desired are removed.
    pub managed_roots: &'static [&'static str],
    /// Canonical word prefixes of settings that hold one value: sending a new value
    /// replaces the old one, so the old line is not negated first.
    pub single_valued: &'static [&'static str],
    /// Canonical word prefixes grouping global lines that belong together in a plan's
    /// before/after view. `{name}` stands for any one word (so `crypto pki trustpoint
    /// {name}` groups per trustpoint). Synonyms must not change a line's first word.
    pub families: &'static [&'static str],
    /// Values the device has without printing them in `show running-config`.
    pub hidden_defaults: &'static [HiddenDefault],
    /// Alternative spellings: a canonical line starting with `from` is rewritten to start
    /// with `to` (after an optional leading `no`).
    pub synonyms: &'static [Synonym],
    /// Lines that carry a list of values (`ip name-server A B C`), compared per value.
    pub multi_value: &'static [MultiValue],
    /// Extra rewrite of an already whitespace-collapsed line for comparison only;
    /// `None` keeps it as is.
    pub compare_rewrite: fn(&str) -> Option<String>,
    /// Rewrite of a desired line (written in the form the device shows) into the form
    /// that must be typed to add it; `None` sends it as written.
    pub add_rewrite: fn(&str) -> Option<String>,
}

/// A setting the device has by default and does not print.
#[derive(Debug)]
pub struct HiddenDefault {
    /// Canonical headers of the enclosing blocks, outermost first (empty: global).
    pub scope: &'static [&'static str],
    /// The canonical line the default is equivalent to.
    pub line: &'static str,
    /// Canonical word prefixes of lines that, present in the same block, mean the
    /// default no longer holds.
    pub overridden_by: &'static [&'static str],
}

/// Two spellings of the same command prefix.
#[derive(Debug)]
pub struct Synonym {
    pub from: &'static str,
    pub to: &'static str,
}

/// A command prefix followed by a list of values, with keyword options (`vrf V`,
/// `use-vrf V`) that apply to every value and stay where they were written.
#[derive(Debug)]
pub struct MultiValue {
    pub prefix: &'static str,
    /// Keywords that take exactly one argument and are not values.
    pub option_keywords: &'static [&'static str],
}

/// The identity rewrite, for dialects without one.
pub fn no_rewrite(_: &str) -> Option<String> {
    None
}

/// Whether `line` is `prefix` or starts with `prefix` followed by a space. Both are
/// expected in canonical form (single spaces).
pub fn starts_with_words(line: &str, prefix: &str) -> bool {
    match line.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with(' '),
        None => false,
    }
}

/// `line` without a leading `no ` (canonical form).
pub fn strip_no(line: &str) -> &str {
    line.strip_prefix("no ").unwrap_or(line)
}

impl Dialect {
    /// The form two lines are compared in: single spaces, double quotes around tokens
    /// removed (`profile "CiscoTAC-1"` is `profile CiscoTAC-1`), synonyms resolved, then
    /// the dialect's own rewrite.
    pub fn canonical(&self, text: &str) -> String {
        let collapsed = collapse_words(text);
        let resolved = self.resolve_synonym(&collapsed).unwrap_or(collapsed);
        (self.compare_rewrite)(&resolved).unwrap_or(resolved)
    }

    fn resolve_synonym(&self, line: &str) -> Option<String> {
        let (negation, body) = match line.strip_prefix("no ") {
            Some(body) => ("no ", body),
            None => ("", line),
        };
        let synonym = self
            .synonyms
            .iter()
            .find(|s| starts_with_words(body, s.from))?;
        Some(format!(
            "{negation}{}{}",
            synonym.to,
            &body[synonym.from.len()..]
        ))
    }

    /// Whether a trimmed line is a comment (`!` in IOS-XE and NX-OS output).
    pub fn is_comment(&self, trimmed: &str) -> bool {
        self.comment_prefixes.iter().any(|p| trimmed.starts_with(p))
    }

    /// Whether a top-level trimmed line is output decoration (`Building configuration...`).
    pub fn is_top_level_noise(&self, trimmed: &str) -> bool {
        let collapsed = collapse_spaces(trimmed);
        self.top_level_noise
            .iter()
            .any(|p| starts_with_words(&collapsed, p))
    }

    /// Whether a canonical header opens a block smartlic owns.
    pub fn is_managed_root(&self, canonical: &str) -> bool {
        self.managed_roots.contains(&canonical)
    }

    /// The single-valued prefix a canonical line sets, if any (longest match wins, `no`
    /// ignored).
    pub fn single_valued_key(&self, canonical: &str) -> Option<&'static str> {
        let body = strip_no(canonical);
        self.single_valued
            .iter()
            .filter(|key| starts_with_words(body, key))
            .max_by_key(|key| key.len())
            .copied()
    }

    /// What a canonical line configures, regardless of value or negation: two lines in
    /// the same slot and block cannot both stand, so sending one replaces the other.
    pub fn slot<'a>(&self, canonical: &'a str) -> &'a str {
        self.single_valued_key(canonical)
            .unwrap_or_else(|| strip_no(canonical))
    }

    /// The group a canonical line is shown with in a plan: the matching family pattern's
    /// words, else the multi-value prefix, else its slot.
    pub fn family<'a>(&self, canonical: &'a str) -> &'a str {
        let body = strip_no(canonical);
        if let Some(len) = self
            .families
            .iter()
            .filter_map(|pattern| matched_pattern_len(body, pattern))
            .max()
        {
            return &body[..len];
        }
        if let Some(multi) = self
            .multi_value
            .iter()
            .find(|m| starts_with_words(body, m.prefix))
        {
            return &body[..multi.prefix.len()];
        }
        self.slot(canonical)
    }

    /// One line per value for a multi-value line (`ip name-server vrf V A B` becomes
    /// `ip name-server vrf V A` and `ip name-server vrf V B`); any other line is itself.
    pub fn expand(&self, text: &str) -> Vec<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let negated = words.first() == Some(&"no");
        let body = if negated { &words[1..] } else { &words[..] };
        let Some((multi, prefix_len)) = self.multi_value.iter().find_map(|m| {
            let prefix: Vec<&str> = m.prefix.split(' ').collect();
            body.starts_with(&prefix).then_some((m, prefix.len()))
        }) else {
            return vec![text.to_string()];
        };
        let values = split_values(&body[prefix_len..], multi.option_keywords);
        if values.values.len() <= 1 {
            return vec![text.to_string()];
        }
        let head = if negated { "no " } else { "" };
        values
            .values
            .iter()
            .map(|value| {
                let mut words = body[..prefix_len].to_vec();
                words.extend(&values.before);
                words.push(value);
                words.extend(&values.after);
                format!("{head}{}", words.join(" "))
            })
            .collect()
    }

    /// The command that undoes a running line: `no X` for `X`, `X` for `no X`.
    pub fn negate(&self, text: &str) -> String {
        let trimmed = text.trim();
        match trimmed.strip_prefix("no ") {
            Some(rest) => rest.trim_start().to_string(),
            None => format!("no {trimmed}"),
        }
    }

    /// The command that adds a desired line (written as the device shows it).
    pub fn add_command(&self, text: &str) -> String {
        (self.add_rewrite)(text).unwrap_or_else(|| text.to_string())
    }

    /// The hidden default equal to a canonical line in the block at `path`, if any.
    pub fn hidden_default(&self, path: &[String], canonical: &str) -> Option<&HiddenDefault> {
        self.hidden_defaults.iter().find(|d| {
            d.line == canonical
                && d.scope.len() == path.len()
                && d.scope.iter().zip(path).all(|(s, p)| s == p)
        })
    }
}

impl HiddenDefault {
    /// Whether a block holding these canonical lines no longer has the default: some
    /// other line there starts with an overriding prefix.
    pub fn is_overridden_by<'a>(&self, mut block: impl Iterator<Item = &'a str>) -> bool {
        block.any(|line| {
            line != self.line
                && self
                    .overridden_by
                    .iter()
                    .any(|p| starts_with_words(line, p))
        })
    }
}

/// Values and options of a multi-value line's tail.
struct SplitValues<'a> {
    before: Vec<&'a str>,
    values: Vec<&'a str>,
    after: Vec<&'a str>,
}

fn split_values<'a>(tail: &[&'a str], option_keywords: &[&str]) -> SplitValues<'a> {
    let mut split = SplitValues {
        before: Vec::new(),
        values: Vec::new(),
        after: Vec::new(),
    };
    let mut words = tail.iter();
    while let Some(&word) = words.next() {
        if option_keywords.contains(&word) {
            let options = if split.values.is_empty() {
                &mut split.before
            } else {
                &mut split.after
            };
            options.push(word);
            options.extend(words.next());
        } else {
            split.values.push(word);
        }
    }
    split
}

/// Length of the prefix of `line` matched by a family pattern (`{name}` = any word).
fn matched_pattern_len(line: &str, pattern: &str) -> Option<usize> {
    let mut end = 0;
    let mut line_words = line.split(' ');
    for expected in pattern.split(' ') {
        let word = line_words.next()?;
        if expected != "{name}" && expected != word {
            return None;
        }
        let separator = usize::from(end > 0);
        end += separator + word.len();
    }
    Some(end)
}

/// Whitespace collapsed to single spaces and double quotes around words removed.
fn collapse_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(strip_quotes(word));
    }
    out
}

fn strip_quotes(word: &str) -> &str {
    word.strip_prefix('"')
        .and_then(|w| w.strip_suffix('"'))
        .unwrap_or(word)
}

fn collapse_spaces(text: &str) -> Cow<'_, str> {
    if text.contains("  ") || text.contains('\t') {
        Cow::Owned(text.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST: Dialect = Dialect {
        name: "test",
        indent: 1,
        comment_prefixes: &["!"],
        top_level_noise: &["end", "version"],
        managed_roots: &["call-home"],
        single_valued: &["license smart url", "license smart url smart", "contact"],
        families: &["ip name-server", "crypto pki trustpoint {name}"],
        hidden_defaults: &[HiddenDefault {
            scope: &["call-home"],
            line: "lookup",
            overridden_by: &["no lookup"],
        }],
        synonyms: &[Synonym {
            from: "ip domain-lookup",
            to: "ip domain lookup",
        }],
        multi_value: &[
            MultiValue {
                prefix: "ip name-server",
                option_keywords: &["vrf", "use-vrf"],
            },
            MultiValue {
                prefix: "ntp server",
                option_keywords: &[],
            },
        ],
        compare_rewrite: no_rewrite,
        add_rewrite: no_rewrite,
    };

    #[test]
    fn canonical_collapses_spaces_and_strips_quotes() {
        assert_eq!(
            TEST.canonical("  profile   \"CiscoTAC-1\"  "),
            "profile CiscoTAC-1"
        );
    }

    #[test]
    fn canonical_resolves_synonyms_under_no() {
        assert_eq!(TEST.canonical("no ip domain-lookup"), "no ip domain lookup");
        assert_eq!(
            TEST.canonical("ip domain-lookup source-interface Gi0/0"),
            "ip domain lookup source-interface Gi0/0"
        );
        assert_eq!(TEST.canonical("ip domain-lookups"), "ip domain-lookups");
    }

    #[test]
    fn words_match_on_boundaries_only() {
        assert!(starts_with_words(
            "license smart transport smart",
            "license smart transport"
        ));
        assert!(starts_with_words(
            "license smart transport",
            "license smart transport"
        ));
        assert!(!starts_with_words(
            "license smart transport-mode x",
            "license smart transport"
        ));
    }

    #[test]
    fn single_valued_key_prefers_the_longest_prefix() {
        assert_eq!(
            TEST.single_valued_key("license smart url smart https://a"),
            Some("license smart url smart")
        );
        assert_eq!(
            TEST.single_valued_key("license smart url https://a"),
            Some("license smart url")
        );
        assert_eq!(TEST.single_valued_key("contacts x"), None);
    }

    #[test]
    fn slot_ignores_negation_and_value() {
        assert_eq!(TEST.slot("no ip domain lookup"), "ip domain lookup");
        assert_eq!(TEST.slot("contact a@b"), "contact");
        assert_eq!(TEST.slot("no contact"), "contact");
    }

    #[test]
    fn family_uses_patterns_then_multi_value_then_slot() {
        assert_eq!(
            TEST.family("crypto pki trustpoint SLA-TrustPoint"),
            "crypto pki trustpoint SLA-TrustPoint"
        );
        assert_eq!(
            TEST.family("ip name-server vrf V 1.1.1.1"),
            "ip name-server"
        );
        assert_eq!(TEST.family("ntp server 1.1.1.1"), "ntp server");
        assert_eq!(TEST.family("no contact"), "contact");
        assert_eq!(TEST.family("crypto pki"), "crypto pki");
    }

    #[test]
    fn expand_keeps_leading_and_trailing_options() {
        assert_eq!(
            TEST.expand("ip name-server vrf Mgmt-vrf 192.0.2.1 192.0.2.2"),
            [
                "ip name-server vrf Mgmt-vrf 192.0.2.1",
                "ip name-server vrf Mgmt-vrf 192.0.2.2"
            ]
        );
        assert_eq!(
            TEST.expand("no ip name-server 192.0.2.1 192.0.2.2 use-vrf management"),
            [
                "no ip name-server 192.0.2.1 use-vrf management",
                "no ip name-server 192.0.2.2 use-vrf management"
            ]
        );
    }

    #[test]
    fn expand_leaves_single_values_verbatim() {
        assert_eq!(
            TEST.expand("ip name-server  192.0.2.1"),
            ["ip name-server  192.0.2.1"]
        );
        assert_eq!(
            TEST.expand("ip host a 1.1.1.1 2.2.2.2"),
            ["ip host a 1.1.1.1 2.2.2.2"]
        );
    }

    #[test]
    fn negate_flips_the_no_form() {
        assert_eq!(
            TEST.negate("ip http client source-interface Vlan1"),
            "no ip http client source-interface Vlan1"
        );
        assert_eq!(TEST.negate(" no ip domain lookup"), "ip domain lookup");
    }

    #[test]
    fn hidden_default_needs_the_exact_scope() {
        let path = vec!["call-home".to_string()];
        assert!(TEST.hidden_default(&path, "lookup").is_some());
        assert!(TEST.hidden_default(&[], "lookup").is_none());
        let default = TEST.hidden_default(&path, "lookup").unwrap();
        assert!(default.is_overridden_by(["no lookup"].into_iter()));
        assert!(!default.is_overridden_by(["lookup", "other"].into_iter()));
    }

    #[test]
    fn top_level_noise_matches_word_prefixes() {
        assert!(TEST.is_top_level_noise("version 17.3"));
        assert!(TEST.is_top_level_noise("end"));
        assert!(!TEST.is_top_level_noise("endpoint x"));
    }
}
