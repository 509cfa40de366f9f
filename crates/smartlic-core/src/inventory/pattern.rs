//! Host patterns: a play's `hosts:` and `--limit`, read as Ansible reads them.
//!
//! The forms are those of Ansible's docs ("Patterns: targeting hosts and groups") and
//! `InventoryManager` (`inventory/manager.py`):
//!
//! - a host or group name, `all` or `*`; a group selects every host below it;
//! - `a:b` or `a,b`: union. With a comma anywhere, only commas separate (so IPv6
//!   addresses and `[1:3]` keep their colons); otherwise colons and spaces do, except
//!   inside brackets;
//! - `a:&b`: intersection, `a:!b`: exclusion. Unions are applied first, then
//!   intersections, then exclusions, whatever their order in the text; a pattern with
//!   only `&`/`!` parts starts from `all`;
//! - shell wildcards `*`, `?`, `[abc]`, `[!abc]`, matched against group names and host
//!   names; `~regex`, matched from the start of the name (Python's `re.match`);
//! - a subscript after a name or wildcard, `web[0]`, `web[-1]`, `web[1:3]` (inclusive),
//!   `web[2:]`, taken from the matched hosts in inventory order.
//!
//! A plain name that is a host is that host, even when a group has the same name. A
//! name with a dot is looked for among hosts even when a group matches.
//!
//! Where Ansible warns "Could not match supplied host pattern, ignoring", smartlic fails
//! with a did-you-mean: a pipeline should not silently skip a mistyped device. `@file`
//! limits are not supported.

use std::collections::HashSet;

use regex::Regex;

use super::{Host, Inventory};
use crate::source::{Diagnostic, Location, Origin, did_you_mean};
use crate::yaml::{Node, Value};

/// A parsed host pattern and where it was written, for diagnostics.
#[derive(Debug)]
pub struct Pattern {
    text: String,
    origin: Origin,
    field: String,
    terms: Vec<Term>,
    /// Commas separated the terms, so colons inside them were not separators.
    comma_separated: bool,
}

#[derive(Debug)]
struct Term {
    op: Op,
    /// The term as written, without its `&`/`!`.
    text: String,
    /// Character offset of `text` in the pattern, to point at it.
    offset: usize,
    matcher: Matcher,
    subscript: Option<Subscript>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Union,
    Intersection,
    Exclusion,
}

#[derive(Debug)]
enum Matcher {
    All,
    /// A name without wildcards; `dotted` names are also looked for among hosts.
    Name {
        name: String,
        dotted: bool,
    },
    /// A wildcard or `~` regex, matched against groups and hosts.
    Regex(Regex),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Subscript {
    Index(i64),
    Range(usize, Option<usize>),
}

impl Pattern {
    /// Parses `text`, written at `origin` (a play's `hosts:` value) under `field`.
    pub fn parse(
        text: &str,
        origin: Origin,
        field: impl Into<String>,
    ) -> Result<Pattern, Diagnostic> {
        let mut pattern = Pattern {
            text: text.to_string(),
            origin,
            field: field.into(),
            terms: Vec::new(),
            comma_separated: text.contains(','),
        };
        let pieces = split(text);
        if pieces.is_empty() {
            return Err(pattern.error(0, text.chars().count(), "empty host pattern".into()));
        }
        for (offset, piece) in pieces {
            let term = pattern.term(offset, piece)?;
            pattern.terms.push(term);
        }
        Ok(pattern)
    }

    /// A `--limit` given on the command line.
    pub fn limit(text: &str) -> Result<Pattern, Diagnostic> {
        Pattern::parse(text, Origin::CommandLine("--limit".into()), "")
    }

    /// A play's `hosts:`: one pattern, or a list of them (Ansible accepts both).
    pub fn from_node(node: &Node, field: impl Into<String>) -> Result<Pattern, Diagnostic> {
        let field = field.into();
        match &node.value {
            Value::Scalar { text, .. } => Pattern::parse(text, node.origin.clone(), field),
            Value::Seq(items) => {
                let texts: Option<Vec<&str>> = items.iter().map(Node::scalar).collect();
                match texts {
                    Some(texts) => Pattern::parse(&texts.join(","), node.origin.clone(), field),
                    None => Err(Diagnostic::error(
                        &node.origin,
                        field,
                        "a host pattern list must hold names only",
                    )),
                }
            }
            _ => Err(Diagnostic::error(
                &node.origin,
                field,
                format!(
                    "a host pattern must be a string or a list of strings, found {}",
                    node.kind()
                ),
            )),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    fn term(&self, offset: usize, piece: &str) -> Result<Term, Diagnostic> {
        let (op, text, offset) = match piece.chars().next() {
            Some('&') => (Op::Intersection, &piece[1..], offset + 1),
            Some('!') => (Op::Exclusion, &piece[1..], offset + 1),
            _ => (Op::Union, piece, offset),
        };
        if text.is_empty() {
            let message = format!("`{piece}` needs a host or group name after it");
            return Err(self.error(offset.saturating_sub(1), 1, message));
        }
        if text.starts_with('@') {
            let message = format!("`{text}`: reading hosts from a file is not supported");
            return Err(self
                .error(offset, text.chars().count(), message)
                .with_help("list the hosts separated by `,` instead"));
        }
        let (expr, subscript) = split_subscript(text);
        let matcher = if let Some(regex) = expr.strip_prefix('~') {
            let regex = Regex::new(&format!("^(?:{regex})")).map_err(|e| {
                let message = format!(
                    "invalid regular expression `{regex}`: {}",
                    first_line(&e.to_string())
                );
                self.error(offset, text.chars().count(), message)
            })?;
            Matcher::Regex(regex)
        } else if expr == "all" || expr == "*" {
            Matcher::All
        } else if expr.contains(['*', '?', '[']) {
            let regex = glob_regex(expr).map_err(|e| {
                let message = format!(
                    "wildcard `{expr}` is too complex: {}",
                    first_line(&e.to_string())
                );
                self.error(offset, text.chars().count(), message)
            })?;
            Matcher::Regex(regex)
        } else {
            Matcher::Name {
                name: expr.to_string(),
                dotted: expr.contains('.'),
            }
        };
        Ok(Term {
            op,
            text: text.to_string(),
            offset,
            matcher,
            subscript,
        })
    }

    /// Names of the hosts the pattern selects; empty is not an error, but a term that
    /// names no host or group is.
    pub fn matches<'a>(&self, inventory: &'a Inventory) -> Result<HashSet<&'a str>, Diagnostic> {
        let selected = self.evaluate(inventory)?;
        Ok(selected_hosts(inventory, &selected)
            .map(|h| h.name.as_str())
            .collect())
    }

    /// Which hosts (by index) are selected, in Ansible's order of evaluation.
    fn evaluate(&self, inventory: &Inventory) -> Result<Vec<bool>, Diagnostic> {
        let mut selected = vec![false; inventory.hosts.len()];
        if !self.terms.iter().any(|t| t.op == Op::Union) {
            selected.fill(true);
        }
        for op in [Op::Union, Op::Intersection, Op::Exclusion] {
            for term in self.terms.iter().filter(|t| t.op == op) {
                let hosts = self.term_hosts(term, inventory)?;
                apply(op, &mut selected, &hosts);
            }
        }
        Ok(selected)
    }

    /// The hosts one term matches, in inventory order.
    fn term_hosts(&self, term: &Term, inventory: &Inventory) -> Result<Vec<usize>, Diagnostic> {
        // Ansible checks a whole union term against host names before anything else.
        if term.op == Op::Union
            && let Some(&host) = inventory.host_index.get(&term.text)
        {
            return Ok(vec![host]);
        }
        let mut hit = vec![false; inventory.hosts.len()];
        let named_something = match &term.matcher {
            Matcher::All => {
                hit.fill(true);
                true
            }
            Matcher::Name { name, dotted } => mark_name(inventory, name, *dotted, &mut hit),
            Matcher::Regex(regex) => mark_regex(inventory, regex, &mut hit),
        };
        if !named_something {
            return Err(self.no_match(term, inventory));
        }
        let hosts: Vec<usize> = (0..hit.len()).filter(|&h| hit[h]).collect();
        match term.subscript {
            None => Ok(hosts),
            Some(subscript) => apply_subscript(&hosts, subscript).ok_or_else(|| {
                let message = format!(
                    "subscript of `{}` is out of range: it matches {} host(s)",
                    term.text,
                    hosts.len()
                );
                self.error(term.offset, term.text.chars().count(), message)
            }),
        }
    }

    fn no_match(&self, term: &Term, inventory: &Inventory) -> Diagnostic {
        let message = format!(
            "host pattern `{}` matches no host or group in the inventory",
            term.text
        );
        let names = inventory
            .hosts
            .iter()
            .map(|h| h.name.as_str())
            .chain(inventory.groups.iter().map(|g| g.name.as_str()));
        let help = if self.comma_separated && term.text.contains(':') {
            "with a `,` in a pattern, only `,` separates: write `a,b,&c` or `a:b:&c`".to_string()
        } else if let Some(close) = did_you_mean(&term.text, names) {
            format!("did you mean `{close}`?")
        } else {
            format!(
                "hosts and groups are listed by `smartlic inventory {}`",
                inventory.path.display()
            )
        };
        self.error(term.offset, term.text.chars().count(), message)
            .with_help(help)
    }

    /// A diagnostic pointing at characters `offset..offset + len` of the pattern when
    /// its source line shows it, else at the whole value.
    fn error(&self, offset: usize, len: usize, message: String) -> Diagnostic {
        Diagnostic::error(&self.sub_origin(offset, len), self.field.clone(), message)
    }

    fn sub_origin(&self, offset: usize, len: usize) -> Origin {
        let Origin::File(loc) = &self.origin else {
            return self.origin.clone();
        };
        let Some(line) = loc.file.line(loc.line) else {
            return self.origin.clone();
        };
        let rest: String = line.chars().skip(loc.col.saturating_sub(1)).collect();
        let quote = if rest.starts_with(&self.text) {
            0
        } else if rest.starts_with(['"', '\'']) && rest[1..].starts_with(&self.text) {
            1
        } else {
            return self.origin.clone();
        };
        Origin::File(Location {
            col: loc.col + quote + offset,
            len: len.max(1),
            ..loc.clone()
        })
    }
}

fn first_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
}

/// Marks the hosts of the group `name`, or the host `name`; false if neither exists.
fn mark_name(inventory: &Inventory, name: &str, dotted: bool, hit: &mut [bool]) -> bool {
    let group = inventory.group_index.get(name);
    if let Some(&group) = group {
        for &host in &inventory.members[group] {
            hit[host] = true;
        }
    }
    let mut found = group.is_some();
    if (group.is_none() || dotted)
        && let Some(&host) = inventory.host_index.get(name)
    {
        hit[host] = true;
        found = true;
    }
    found
}

/// Marks hosts of matching groups and matching hosts; false if nothing matched.
fn mark_regex(inventory: &Inventory, regex: &Regex, hit: &mut [bool]) -> bool {
    let mut found = false;
    for (group, def) in inventory.groups.iter().enumerate() {
        if regex.is_match(&def.name) {
            found = true;
            for &host in &inventory.members[group] {
                hit[host] = true;
            }
        }
    }
    for (host, def) in inventory.hosts.iter().enumerate() {
        if regex.is_match(&def.name) {
            found = true;
            hit[host] = true;
        }
    }
    found
}

fn apply(op: Op, selected: &mut [bool], hosts: &[usize]) {
    match op {
        Op::Union => hosts.iter().for_each(|&h| selected[h] = true),
        Op::Exclusion => hosts.iter().for_each(|&h| selected[h] = false),
        Op::Intersection => {
            let mut keep = vec![false; selected.len()];
            hosts.iter().for_each(|&h| keep[h] = true);
            selected.iter_mut().zip(keep).for_each(|(s, k)| *s &= k);
        }
    }
}

fn selected_hosts<'a>(
    inventory: &'a Inventory,
    selected: &[bool],
) -> impl Iterator<Item = &'a Host> {
    inventory
        .hosts
        .iter()
        .zip(selected)
        .filter(|(_, s)| **s)
        .map(|(h, _)| h)
}

/// Names of the hosts `pattern` selects (see [`Pattern::matches`]).
pub fn matches<'a>(
    inventory: &'a Inventory,
    pattern: &Pattern,
) -> Result<HashSet<&'a str>, Diagnostic> {
    pattern.matches(inventory)
}

/// The hosts `pattern` selects, in inventory order; selecting none is an error.
pub fn select<'a>(
    inventory: &'a Inventory,
    pattern: &Pattern,
) -> Result<Vec<&'a Host>, Diagnostic> {
    let selected = pattern.evaluate(inventory)?;
    let hosts: Vec<&Host> = selected_hosts(inventory, &selected).collect();
    if hosts.is_empty() {
        let len = pattern.text.chars().count();
        let message = format!("host pattern `{}` selects no hosts", pattern.text);
        return Err(pattern
            .error(0, len, message)
            .with_help("each part names hosts, but the `&` and `!` parts leave none"));
    }
    Ok(hosts)
}

/// A play's hosts narrowed by `--limit`, as Ansible applies a subset: hosts selected by
/// both, in inventory order. Selecting none is an error.
pub fn select_limited<'a>(
    inventory: &'a Inventory,
    play: &Pattern,
    limit: Option<&Pattern>,
) -> Result<Vec<&'a Host>, Diagnostic> {
    let Some(limit) = limit else {
        return select(inventory, play);
    };
    let mut selected = play.evaluate(inventory)?;
    let allowed = limit.evaluate(inventory)?;
    selected.iter_mut().zip(allowed).for_each(|(s, a)| *s &= a);
    let hosts: Vec<&Host> = selected_hosts(inventory, &selected).collect();
    if hosts.is_empty() {
        let message = format!(
            "no host is in both `hosts: {}` and `--limit {}`",
            play.text, limit.text
        );
        return Err(limit.error(0, limit.text.chars().count(), message));
    }
    Ok(hosts)
}

/// Splits a pattern into its terms with their character offsets, as Ansible's
/// `split_host_pattern` does.
fn split(text: &str) -> Vec<(usize, &str)> {
    let mut pieces = Vec::new();
    if text.contains(',') {
        let mut start = 0;
        for piece in text.split(',') {
            push_trimmed(text, start, piece, &mut pieces);
            start += piece.len() + 1;
        }
    } else if is_ipv6(text.trim()) {
        push_trimmed(text, 0, text, &mut pieces);
    } else {
        let mut start = None;
        let mut depth = 0usize;
        for (at, c) in text.char_indices() {
            let separator = depth == 0 && (c == ':' || c.is_whitespace());
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            match (separator, start) {
                (true, Some(s)) => {
                    pieces.push((s, &text[s..at]));
                    start = None;
                }
                (false, None) => start = Some(at),
                _ => {}
            }
        }
        if let Some(s) = start {
            pieces.push((s, &text[s..]));
        }
    }
    pieces
        .into_iter()
        .map(|(byte, piece)| (text[..byte].chars().count(), piece))
        .collect()
}

fn push_trimmed<'t>(
    text: &'t str,
    start: usize,
    piece: &'t str,
    pieces: &mut Vec<(usize, &'t str)>,
) {
    let trimmed = piece.trim();
    if !trimmed.is_empty() {
        let lead = piece.len() - piece.trim_start().len();
        pieces.push((
            start + lead,
            &text[start + lead..start + lead + trimmed.len()],
        ));
    }
}

/// An IPv6 address as a whole pattern (`2001:db8::1`), which colons must not split.
fn is_ipv6(text: &str) -> bool {
    let colons = text.matches(':').count();
    (text.contains("::") || colons == 7)
        && text
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
}

/// `web[0]`, `web[-1]`, `web[1:3]`, `web[2:]` (and the old `web[1-3]`), as Ansible's
/// `PATTERN_WITH_SUBSCRIPT`; regexes have none.
fn split_subscript(text: &str) -> (&str, Option<Subscript>) {
    if text.starts_with('~') || !text.ends_with(']') {
        return (text, None);
    }
    let Some(open) = text.rfind('[').filter(|&o| o > 0) else {
        return (text, None);
    };
    let inner = &text[open + 1..text.len() - 1];
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let subscript = if let Some(sep) = inner.find([':', '-']).filter(|&at| at > 0) {
        let (start, end) = (&inner[..sep], &inner[sep + 1..]);
        (is_number(start) && (end.is_empty() || is_number(end))).then(|| {
            // Past the largest number is past the last host.
            let end = (!end.is_empty()).then(|| end.parse().unwrap_or(usize::MAX));
            Subscript::Range(start.parse().unwrap_or(usize::MAX), end)
        })
    } else {
        let digits = inner.strip_prefix('-').unwrap_or(inner);
        // An index too large for a number is out of range, never a wrapped or default one.
        let overflow = if inner.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        };
        is_number(digits).then(|| Subscript::Index(inner.parse().unwrap_or(overflow)))
    };
    match subscript {
        Some(s) => (&text[..open], Some(s)),
        None => (text, None),
    }
}

/// The hosts a subscript keeps; `None` when an index is out of range.
fn apply_subscript(hosts: &[usize], subscript: Subscript) -> Option<Vec<usize>> {
    match subscript {
        Subscript::Index(i) => {
            let i = if i < 0 { hosts.len() as i64 + i } else { i };
            let host = *hosts.get(usize::try_from(i).ok()?)?;
            Some(vec![host])
        }
        Subscript::Range(start, end) => {
            let end = end.unwrap_or(usize::MAX).min(hosts.len().saturating_sub(1));
            Some(
                hosts
                    .get(start..=end)
                    .map(<[usize]>::to_vec)
                    .unwrap_or_default(),
            )
        }
    }
}

/// A shell wildcard as an anchored regex, as Python's `fnmatch.translate` builds it:
/// `*` any text, `?` one character, `[abc]`/`[!abc]` a set; the rest is literal.
fn glob_regex(glob: &str) -> Result<Regex, regex::Error> {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::from("^(?s:");
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '[' => match class_end(&chars, i) {
                Some(end) => {
                    out.push_str(&class_regex(&chars[i + 1..end]));
                    i = end;
                }
                None => out.push_str(r"\["),
            },
            c => out.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    out.push_str(")$");
    // Valid by construction; only a size limit can refuse it (a pattern of 100k `*`).
    Regex::new(&out)
}

/// The index of the `]` closing the set opened at `open`; a `]` right after `[` or
/// `[!` is part of the set, as in fnmatch.
fn class_end(chars: &[char], open: usize) -> Option<usize> {
    let mut j = open + 1;
    if chars.get(j) == Some(&'!') {
        j += 1;
    }
    if chars.get(j) == Some(&']') {
        j += 1;
    }
    (j..chars.len()).find(|&k| chars[k] == ']')
}

/// A set as a regex class. Like fnmatch, a range whose start is after its end (`[z-a]`)
/// matches nothing, and a set left empty matches no character.
fn class_regex(inner: &[char]) -> String {
    let (negated, inner) = match inner.split_first() {
        Some(('!', rest)) => (true, rest),
        _ => (false, inner),
    };
    let mut items = String::new();
    let mut k = 0;
    while k < inner.len() {
        let c = inner[k];
        if inner.get(k + 1) == Some(&'-') && k + 2 < inner.len() {
            let end = inner[k + 2];
            if c <= end {
                items.push_str(&format!("{}-{}", class_char(c), class_char(end)));
            }
            k += 3;
        } else {
            items.push_str(&class_char(c));
            k += 1;
        }
    }
    match (items.is_empty(), negated) {
        (true, false) => r"[^\x00-\x{10FFFF}]".to_string(),
        (true, true) => ".".to_string(),
        (false, false) => format!("[{items}]"),
        (false, true) => format!("[^{items}]"),
    }
}

/// A character as a literal inside a regex class.
fn class_char(c: char) -> String {
    if matches!(c, '\\' | '[' | ']' | '&' | '~' | '^' | '-') {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<(usize, &str)> {
        split(text)
    }

    #[test]
    fn splits_on_colons_outside_brackets_or_on_commas_only() {
        assert_eq!(
            terms("core:edge:&lab:!sw1"),
            [(0, "core"), (5, "edge"), (10, "&lab"), (15, "!sw1")]
        );
        assert_eq!(
            terms("core, edge ,&lab"),
            [(0, "core"), (6, "edge"), (12, "&lab")]
        );
        assert_eq!(terms("sw[1:3]:edge"), [(0, "sw[1:3]"), (8, "edge")]);
        assert_eq!(terms("2001:db8::1"), [(0, "2001:db8::1")]);
        assert_eq!(terms("a,b:c"), [(0, "a"), (2, "b:c")]);
    }

    #[test]
    fn subscripts() {
        assert_eq!(
            split_subscript("web[0]"),
            ("web", Some(Subscript::Index(0)))
        );
        assert_eq!(
            split_subscript("web[-1]"),
            ("web", Some(Subscript::Index(-1)))
        );
        assert_eq!(
            split_subscript("web[1:3]"),
            ("web", Some(Subscript::Range(1, Some(3))))
        );
        assert_eq!(
            split_subscript("web[2:]"),
            ("web", Some(Subscript::Range(2, None)))
        );
        assert_eq!(split_subscript("sw[ab]"), ("sw[ab]", None));
        // Numbers too large for an index are out of range, not index 0.
        let (_, huge) = split_subscript("all[99999999999999999999]");
        assert_eq!(huge, Some(Subscript::Index(i64::MAX)));
        assert_eq!(apply_subscript(&[1, 2], huge.unwrap()), None);
        let (_, tiny) = split_subscript("all[-99999999999999999999]");
        assert_eq!(apply_subscript(&[1, 2], tiny.unwrap()), None);
        let (_, range) = split_subscript("all[99999999999999999999:]");
        assert_eq!(apply_subscript(&[1, 2], range.unwrap()), Some(vec![]));
        assert_eq!(split_subscript("~sw[0]"), ("~sw[0]", None));
        let hosts = [10, 11, 12, 13];
        assert_eq!(
            apply_subscript(&hosts, Subscript::Index(-1)),
            Some(vec![13])
        );
        assert_eq!(
            apply_subscript(&hosts, Subscript::Range(1, Some(2))),
            Some(vec![11, 12])
        );
        assert_eq!(
            apply_subscript(&hosts, Subscript::Range(3, Some(1))),
            Some(vec![])
        );
        assert_eq!(apply_subscript(&hosts, Subscript::Index(4)), None);
    }

    #[test]
    fn wildcards_follow_fnmatch() {
        let re = glob_regex("sw?.*.example.net").unwrap();
        assert!(re.is_match("sw1.dc1.example.net"));
        assert!(!re.is_match("sw10.dc1.example.net"));
        assert!(!re.is_match("sw1.dc1.example.net.evil"));
        let re = glob_regex("leaf[!0-4]").unwrap();
        assert!(re.is_match("leaf7"));
        assert!(!re.is_match("leaf3"));
        assert!(glob_regex("odd[name").unwrap().is_match("odd[name"));
        // Found by the fuzzer: a reversed range is empty, as in fnmatch, not a panic.
        let re = glob_regex("x[-1\\[-1]").unwrap();
        assert!(re.is_match("x-") && re.is_match("x\\") && !re.is_match("x["));
        assert!(glob_regex("a[z-a0]").unwrap().is_match("a0"));
        assert!(!glob_regex("a[z-a]").unwrap().is_match("az"));
        assert!(glob_regex("a[!z-a]").unwrap().is_match("az"));
        assert!(glob_regex("a[-x]").unwrap().is_match("a-"));
    }
}
