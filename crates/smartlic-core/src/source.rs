//! Where a value came from, and diagnostics that point at it.
//!
//! Every value smartlic reads from YAML keeps its [`Origin`]: the file, line and
//! column it was written at, or the fact that it is a built-in default or came from
//! the command line. Errors and warnings are [`Diagnostic`]s: they render as
//! `file:line:col: field: message`, then the source line with a caret under the value,
//! so that a CI log or a terminal points at the exact spot to fix.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

pub use crate::suggest::did_you_mean;

/// A file's text, shared by every location inside it so diagnostics can quote it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Where secrets were written, so a quoted line never shows one.
    secrets: Mutex<SecretMarks>,
}

/// The secret values a parser found in a file, and from which line on it could not tell.
#[derive(Debug, Default)]
struct SecretMarks {
    /// (line, column) from and to, 1-based lines and 0-based character columns.
    spans: Vec<((usize, usize), (usize, usize))>,
    /// The first line the parser did not read (after a syntax error): there, any
    /// assignment to a secret-bearing key is masked to the end of its line.
    unparsed_from: Option<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> Arc<Self> {
        Arc::new(SourceFile {
            path: path.into(),
            text,
            secrets: Mutex::default(),
        })
    }

    /// The text of 1-based line `line`, without its line ending.
    pub fn line(&self, line: usize) -> Option<&str> {
        self.text
            .lines()
            .nth(line.checked_sub(1)?)
            .map(|l| l.trim_end_matches('\r'))
    }

    /// Records that a secret was written from `start` to `end` ((line, column): 1-based
    /// line, 0-based character column, end exclusive).
    pub fn mark_secret(&self, start: (usize, usize), end: (usize, usize)) {
        self.marks().spans.push((start, end));
    }

    /// Records that the parser stopped before `line`: secrets from there on are unknown.
    pub fn mark_unparsed_from(&self, line: usize) {
        self.marks().unparsed_from = Some(line);
    }

    fn marks(&self) -> std::sync::MutexGuard<'_, SecretMarks> {
        self.secrets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The character ranges of line `line`, whose text is `text`, that hold secrets.
    fn secret_columns(&self, line: usize, text: &str) -> Vec<Range<usize>> {
        let chars = text.chars().count();
        let marks = self.marks();
        let mut hidden: Vec<Range<usize>> = marks
            .spans
            .iter()
            .filter(|((from, _), (to, _))| *from <= line && line <= *to)
            .map(|(from, to)| {
                let start = if from.0 == line { from.1 } else { 0 };
                let end = if to.0 == line { to.1 } else { chars };
                start.min(chars)..end.min(chars)
            })
            .collect();
        if marks.unparsed_from.is_some_and(|first| line >= first)
            && let Some(at) = crate::redact::secret_assignment_start(text)
        {
            hidden.push(at.min(chars)..chars);
        }
        hidden
    }
}

/// A span in a source file: 1-based line and column (in characters), length in characters.
#[derive(Clone)]
pub struct Location {
    pub file: Arc<SourceFile>,
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

impl Location {
    pub fn path(&self) -> &Path {
        &self.file.path
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.path.display(), self.line, self.col)
    }
}

impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        self.file.path == other.file.path
            && (self.line, self.col, self.len) == (other.line, other.col, other.len)
    }
}

/// Where a value came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Written in a file.
    File(Location),
    /// Given on the command line, e.g. `--extra-vars`.
    CommandLine(String),
    /// smartlic's built-in default.
    Default,
}

impl Origin {
    pub fn location(&self) -> Option<&Location> {
        match self {
            Origin::File(loc) => Some(loc),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(loc) => write!(f, "{}:{}", loc.file.path.display(), loc.line),
            Origin::CommandLine(what) => write!(f, "command line ({what})"),
            Origin::Default => f.write_str("default"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in the input, pointing at where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub origin: Origin,
    /// Dotted path of the field, e.g. `smart_licensing.proxy.port`; empty for file-level problems.
    pub field: String,
    pub message: String,
    pub help: Option<String>,
    /// The quoted source line holds a secret: print it with the value masked.
    pub secret: bool,
    /// The hosts whose intent the problem is in (a group's vars: each host of it).
    pub hosts: Vec<String>,
}

impl Diagnostic {
    pub fn error(origin: &Origin, field: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            origin: origin.clone(),
            field: field.into(),
            message: message.into(),
            help: None,
            secret: false,
            hosts: Vec::new(),
        }
    }

    pub fn warning(origin: &Origin, field: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(origin, field, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Names a host the problem concerns.
    pub fn with_host(mut self, host: &str) -> Self {
        self.hosts.push(host.to_string());
        self
    }

    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: ")?;
        match &self.origin {
            Origin::File(loc) => write!(f, "{loc}: ")?,
            Origin::CommandLine(what) => write!(f, "{what}: ")?,
            Origin::Default => {}
        }
        // Field names and messages can quote input (a key, a path): never let it drive the
        // terminal, nor show a secret written on the line they are about.
        // The quoted line, and where its secrets are, found once for all that follows.
        let quote = match &self.origin {
            Origin::File(loc) => loc.file.line(loc.line).map(|text| {
                let chars: Vec<char> = text.chars().collect();
                let hidden = loc.file.secret_columns(loc.line, text);
                (loc, chars, hidden)
            }),
            _ => None,
        };
        let secrets: Vec<String> = quote
            .iter()
            .flat_map(|(_, chars, hidden)| hidden.iter().map(|r| chars[r.clone()].iter().collect()))
            .map(|s: String| s.trim_matches(['"', '\'']).to_string())
            .collect();
        let shown = |text: &str| sanitize(&mask_texts(text, &secrets));
        if !self.field.is_empty() {
            write!(f, "{}: ", shown(&self.field))?;
        }
        write!(f, "{}", shown(&self.message))?;
        if let Some((loc, chars, hidden)) = quote {
            write_snippet(f, loc, &chars, hidden, self.secret)?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {}", shown(help))?;
        }
        if !self.hosts.is_empty() {
            write!(f, "\n   = {}", sanitize(&host_list(&self.hosts)))?;
        }
        Ok(())
    }
}

/// `text` with each of `secrets` in it replaced by `<redacted>`. Values of fewer than four
/// characters (`a`, `no`) are left: replacing them would garble the message, and the quoted
/// line masks them by position anyway.
fn mask_texts(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|secret| secret.chars().count() >= 4)
        .fold(text.to_string(), |text, secret| {
            text.replace(secret.as_str(), crate::redact::REDACTED)
        })
}

/// The widest source line a diagnostic quotes, in characters: a longer one is cut around
/// the caret (a minified file must not put megabytes on stderr).
const QUOTE_WIDTH: usize = 120;

/// Quotes the source line with a caret under the span. Every secret on the line is shown as
/// `<redacted>`, and so is the span itself when `secret`.
fn write_snippet(
    f: &mut fmt::Formatter<'_>,
    loc: &Location,
    chars: &[char],
    mut hidden: Vec<Range<usize>>,
    secret: bool,
) -> fmt::Result {
    let start = loc.col.saturating_sub(1).min(chars.len());
    let end = (start + loc.len.max(1)).min(chars.len());
    if secret {
        hidden.push(start..end);
    }
    let (shown, caret) = mask_line(chars, hidden, start..end);
    let (shown, caret) = cut_to_width(shown, caret);
    let number = loc.line.to_string();
    let pad = " ".repeat(number.len());
    let indent: String = shown[..caret.start]
        .iter()
        .map(|c| if *c == '\t' { '\t' } else { ' ' })
        .collect();
    let shown: String = shown.into_iter().collect();
    write!(
        f,
        "\n {number} | {}\n {pad} | {indent}{}",
        sanitize(&shown),
        "^".repeat(caret.len().max(1))
    )
}

/// `chars` with each `hidden` range replaced by `<redacted>`, and where `focus` ends up.
fn mask_line(
    chars: &[char],
    mut hidden: Vec<Range<usize>>,
    focus: Range<usize>,
) -> (Vec<char>, Range<usize>) {
    hidden.retain(|r| r.start < r.end);
    hidden.sort_by_key(|r| r.start);
    // Overlapping ranges (a parsed secret and a guessed one) are masked as one.
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(hidden.len());
    for r in hidden {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let hidden = merged;
    let mut shown = Vec::with_capacity(chars.len());
    let (mut caret_start, mut caret_end) = (None, None);
    let mut i = 0;
    let mut ranges = hidden.iter().peekable();
    while i <= chars.len() {
        if i == focus.start && caret_start.is_none() {
            caret_start = Some(shown.len());
        }
        if i == focus.end && caret_end.is_none() {
            caret_end = Some(shown.len());
        }
        if i == chars.len() {
            break;
        }
        match ranges.peek() {
            Some(r) if r.start <= i => {
                let r = ranges.next().expect("peeked");
                let end = r.end.max(i + 1);
                if (i..end).contains(&focus.start) && caret_start.is_none() {
                    caret_start = Some(shown.len());
                }
                shown.extend(crate::redact::REDACTED.chars());
                if (i + 1..end).contains(&focus.end) && caret_end.is_none() {
                    caret_end = Some(shown.len());
                }
                i = end;
            }
            _ => {
                shown.push(chars[i]);
                i += 1;
            }
        }
    }
    let caret_start = caret_start.unwrap_or(shown.len());
    let caret_end = caret_end.unwrap_or(shown.len()).max(caret_start);
    (shown, caret_start..caret_end)
}

/// A line longer than [`QUOTE_WIDTH`] cut to a window around the caret, `…` where cut.
fn cut_to_width(shown: Vec<char>, caret: Range<usize>) -> (Vec<char>, Range<usize>) {
    if shown.len() <= QUOTE_WIDTH {
        return (shown, caret);
    }
    let from = caret.start.saturating_sub(QUOTE_WIDTH / 3);
    let to = (from + QUOTE_WIDTH).min(shown.len());
    let mut window = Vec::with_capacity(QUOTE_WIDTH + 2);
    let lead = usize::from(from > 0);
    if from > 0 {
        window.push('…');
    }
    window.extend_from_slice(&shown[from..to]);
    if to < shown.len() {
        window.push('…');
    }
    let start = caret.start - from + lead;
    let end = (caret.end.min(to) - from + lead).max(start);
    (window, start..end)
}

/// `host: a` or `hosts: a, b, c`, the first ten and how many more.
fn host_list(hosts: &[String]) -> String {
    const SHOWN: usize = 10;
    let word = if hosts.len() == 1 { "host" } else { "hosts" };
    let mut list = hosts[..hosts.len().min(SHOWN)].join(", ");
    if hosts.len() > SHOWN {
        list.push_str(&format!(" and {} more", hosts.len() - SHOWN));
    }
    format!("{word}: {list}")
}

/// Replaces control characters so quoted input cannot drive the terminal.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() && c != '\t' { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(text: &str, line: usize, col: usize, len: usize) -> Origin {
        Origin::File(Location {
            file: SourceFile::new("group_vars/all.yml", text.to_string()),
            line,
            col,
            len,
        })
    }

    #[test]
    fn renders_caret_under_the_value() {
        let origin = loc("smart_licensing:\n  transport: drect\n", 2, 14, 5);
        let d = Diagnostic::error(
            &origin,
            "smart_licensing.transport",
            "unknown transport `drect`",
        )
        .with_help("did you mean `direct`?");
        assert_eq!(
            d.to_string(),
            "error: group_vars/all.yml:2:14: smart_licensing.transport: unknown transport `drect`\n \
             2 |   transport: drect\n   |              ^^^^^\n   = help: did you mean `direct`?"
        );
    }

    #[test]
    fn masks_secret_values() {
        let origin = loc("token: s3cr3t-value # x\n", 1, 8, 12);
        let d = Diagnostic::error(&origin, "token", "plain token").secret();
        let text = d.to_string();
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("token: <redacted> # x"), "{text}");
    }

    #[test]
    fn control_characters_in_fields_and_messages_are_neutralised() {
        let d = Diagnostic::error(
            &Origin::Default,
            "dns.hosts.x\u{1b}[2Jy",
            "cannot read x\u{1b}[2Jy",
        )
        .with_help("\u{7}");
        assert_eq!(
            d.to_string(),
            "error: dns.hosts.x?[2Jy: cannot read x?[2Jy\n   = help: ?"
        );
    }

    #[test]
    fn suggests_close_words_only() {
        let keys = ["transport", "url", "proxy"];
        assert_eq!(did_you_mean("transprot", keys), Some("transport"));
        assert_eq!(did_you_mean("zzz", keys), None);
        // Short words: a swap or one wrong letter, but never a far-off guess.
        let keys = ["vrf", "url", "dns", "ntp", "token"];
        assert_eq!(did_you_mean("vfr", keys), Some("vrf"));
        assert_eq!(did_you_mean("tokn", keys), Some("token"));
        assert_eq!(did_you_mean("xyz", keys), None);
        assert_eq!(did_you_mean("proxy", keys), None);
        // Two candidates as close: no guess.
        assert_eq!(did_you_mean("sw3", ["sw1", "sw2"]), None);
        assert_eq!(did_you_mean("SW1", ["sw1", "sw2"]), Some("sw1"));
    }
}
