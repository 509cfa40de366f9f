//! Where a value came from, and diagnostics that point at it.
//!
//! Every value smartlic reads from YAML keeps its [`Origin`]: the file, line and
//! column it was written at, or the fact that it is a built-in default or came from
//! the command line. Errors and warnings are [`Diagnostic`]s: they render as
//! `file:line:col: field: message`, then the source line with a caret under the value,
//! so that a CI log or a terminal points at the exact spot to fix.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file's text, shared by every location inside it so diagnostics can quote it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> Arc<Self> {
        Arc::new(SourceFile {
            path: path.into(),
            text,
        })
    }

    /// The text of 1-based line `line`, without its line ending.
    pub fn line(&self, line: usize) -> Option<&str> {
        self.text
            .lines()
            .nth(line.checked_sub(1)?)
            .map(|l| l.trim_end_matches('\r'))
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
        // Field names and messages can quote input (a key, a path): never let it drive the terminal.
        if !self.field.is_empty() {
            write!(f, "{}: ", sanitize(&self.field))?;
        }
        write!(f, "{}", sanitize(&self.message))?;
        if let Origin::File(loc) = &self.origin {
            write_snippet(f, loc, self.secret)?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n   = help: {}", sanitize(help))?;
        }
        if !self.hosts.is_empty() {
            write!(f, "\n   = {}", sanitize(&host_list(&self.hosts)))?;
        }
        Ok(())
    }
}

/// Quotes the source line with a caret under the span; a secret value is masked.
fn write_snippet(f: &mut fmt::Formatter<'_>, loc: &Location, secret: bool) -> fmt::Result {
    let Some(text) = loc.file.line(loc.line) else {
        return Ok(());
    };
    let start = loc.col.saturating_sub(1);
    let chars: Vec<char> = text.chars().collect();
    let start = start.min(chars.len());
    let len = loc.len.max(1).min(chars.len().saturating_sub(start).max(1));
    let shown: String = if secret {
        let head: String = chars[..start].iter().collect();
        let tail: String = chars[(start + len).min(chars.len())..].iter().collect();
        format!("{head}<redacted>{tail}")
    } else {
        sanitize(text)
    };
    let caret_len = if secret { "<redacted>".len() } else { len };
    let number = loc.line.to_string();
    let pad = " ".repeat(number.len());
    let indent: String = chars[..start]
        .iter()
        .map(|c| if *c == '\t' { '\t' } else { ' ' })
        .collect();
    write!(
        f,
        "\n {number} | {shown}\n {pad} | {indent}{}",
        "^".repeat(caret_len)
    )
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

/// The closest candidate to `word`, if it is close enough to be a likely typo: a few
/// edits away (a swap of two neighbours is one), at most a third of the word, or the
/// candidate cut short. Nothing is
/// better than a wrong guess, so a tie between two candidates suggests neither.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let allowed = (word.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| {
            let (w, l) = (word.to_lowercase(), c.to_lowercase());
            // A word cut short (`latency` for `latency_ms`) is one slip.
            let cut_short = w.chars().count() >= 4 && l.starts_with(&w);
            (
                if cut_short {
                    1
                } else {
                    strsim::osa_distance(&w, &l)
                },
                c,
            )
        })
        .filter(|(distance, _)| *distance <= allowed)
        .collect();
    scored.sort_by_key(|(distance, _)| *distance);
    match scored.as_slice() {
        [(best, c), (next, _), ..] if best < next => Some(c),
        [(_, c)] => Some(c),
        _ => None,
    }
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
