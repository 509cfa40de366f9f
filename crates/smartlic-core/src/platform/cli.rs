//! How a platform's CLI looks to a session: its prompt, paging, error lines and the
//! questions it asks. The values are each platform's (`ios_xe::CLI`, …); the SSH shell
//! (`ssh::shell`) applies them.

use std::sync::OnceLock;

use regex::Regex;

/// How one platform's CLI looks to a session.
pub struct CliProfile {
    /// A prompt, matched against the last line of output (no newline after it).
    pub prompt: &'static str,
    /// Sent once after login, before anything else (paging off, wide lines).
    pub setup: &'static [&'static str],
    /// The pager's marker; seen at the end of output, a space is sent.
    pub more: &'static str,
    /// Lines that mean the device refused a command (prefixes, after trimming).
    pub errors: &'static [&'static str],
    /// How to leave user exec (`host>`) for privileged exec, where the platform has one.
    pub enable: Option<Enable>,
    /// Questions the device may ask, and how smartlic answers them.
    pub questions: &'static [Question],
    /// Compiled `prompt`, built on first use.
    pub compiled: OnceLock<Regex>,
}

/// A platform's way from user exec to privileged exec.
pub struct Enable {
    /// The command, e.g. `enable`.
    pub command: &'static str,
    /// The question it asks for the secret.
    pub secret_prompt: &'static str,
    /// What it answers where the device has no enable secret (a vty login then cannot
    /// reach privileged exec at all).
    pub no_secret_set: &'static str,
}

/// An interactive question, e.g. `Destination filename [startup-config]?`.
pub struct Question {
    /// Matched against the last line of output.
    pub pattern: &'static str,
    pub answer: Answer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Accept the default shown in brackets (Enter).
    Default,
    Yes,
    /// The text the caller supplies for this command (e.g. a certificate to paste),
    /// then an empty line to end it.
    Paste,
}

impl CliProfile {
    pub fn prompt_regex(&self) -> &Regex {
        self.compiled
            .get_or_init(|| Regex::new(self.prompt).expect("platform prompt patterns are valid"))
    }

    pub fn is_prompt(&self, last_line: &str) -> bool {
        self.prompt_regex().is_match(last_line)
    }

    /// The question `fresh` (output since the last answer) ends with, if any: some are
    /// printed with a newline after them (`crypto pki authenticate`'s paste request).
    pub fn question(&self, fresh: &str) -> Option<&Question> {
        let line = fresh.trim_end().rsplit('\n').next().unwrap_or("");
        self.questions
            .iter()
            .find(|q| !line.is_empty() && line.ends_with(q.pattern))
    }

    /// The first line of `output` that is an error of this platform.
    pub fn error_in<'a>(&self, output: &'a str) -> Option<&'a str> {
        output.lines().map(str::trim).find(|line| {
            self.errors
                .iter()
                .any(|e| line.starts_with(e) || line.contains(e))
        })
    }
}
