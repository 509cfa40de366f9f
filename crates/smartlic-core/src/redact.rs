//! The one place secrets are masked in text streams: log lines and session transcripts.
//!
//! A [`Secret`] never prints itself (`Display`, `Debug` and serialisation all give
//! `<redacted>`, so one that reaches a log line, a diff, a report or a panic message by
//! mistake still leaks nothing), but its value is typed to devices, which echo it, and it
//! can end up in text smartlic did not format (a device's output, an
//! error message). So every secret value is [`register`]ed where it is put to use (the
//! password and key passphrase at login, the enable secret at `enable`, the ID token at
//! registration), and from then on [`redact`] replaces each occurrence of any of them with
//! [`REDACTED`]. A [`StreamRedactor`] does the same to text that arrives in pieces: it
//! holds back the end of each piece, so a secret split between two reads is still whole
//! when it is looked for.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::{PoisonError, RwLock};

pub const REDACTED: &str = "<redacted>";

/// A string that is never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself: call only where it is sent to a device.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

/// Variables whose value is a secret: the ID token, device passwords, the enable secret and
/// the SSH key passphrase. One home for the list: quoted source lines mask their values
/// ([`crate::source`]), and an inline `-e` setting one is never written to a plan file.
pub const SECRET_KEYS: [&str; 7] = [
    "token",
    "ansible_password",
    "ansible_ssh_pass",
    "ansible_become_password",
    "ansible_become_pass",
    "smartlic_private_key_passphrase",
    "enable_secret",
];

/// Whether the value of a key named `name` may be a secret: one of [`SECRET_KEYS`], a
/// near miss of one (a misspelt key still holds the secret the user meant to give), or a
/// name that says so (`proxy_password`, `api_token`). Masking one value too many costs a
/// less helpful quote; one too few leaks a secret into a CI log.
pub fn is_secret_key(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["token", "pass", "secret", "credential", "private_key"]
        .iter()
        .any(|word| lower.contains(word))
        || (could_be_a_typo_of_a_secret_key(&lower)
            && crate::suggest::did_you_mean(&lower, SECRET_KEYS).is_some())
}

/// A cheap first test before the edit distance, which an inventory of 100k keys would
/// otherwise pay for each key: a typo keeps the length within a third.
fn could_be_a_typo_of_a_secret_key(name: &str) -> bool {
    SECRET_KEYS
        .iter()
        .any(|key| name.len().abs_diff(key.len()) <= key.len() / 3 || key.starts_with(name))
}

/// Where the secret in a line of text begins, if the line assigns one (`key: value`,
/// `key=value`, in block or flow style): the character index after the separator. For text
/// no parser has read (a line after a syntax error, an `-e` argument), so it is
/// conservative: everything from there to the end of the line is the secret. A value that
/// is a reference (`{env: …}`, `{file: …}`) is not one.
pub fn secret_assignment_start(line: &str) -> Option<usize> {
    static ASSIGNMENT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"([A-Za-z0-9_-]+)["']?\s*[:=]\s*"#).expect("valid regex")
    });
    ASSIGNMENT.captures_iter(line).find_map(|c| {
        let (key, all) = (c.get(1)?, c.get(0)?);
        let rest = &line[all.end()..];
        let reference = rest.starts_with('{')
            && (rest[1..].trim_start().starts_with("env")
                || rest[1..].trim_start().starts_with("file"));
        (is_secret_key(key.as_str()) && !reference).then(|| line[..all.end()].chars().count())
    })
}

/// `text` with every secret assignment in it masked (see [`secret_assignment_start`]).
pub fn mask_assignments(text: &str) -> Cow<'_, str> {
    match secret_assignment_start(text) {
        None => Cow::Borrowed(text),
        Some(at) => Cow::Owned(text.chars().take(at).collect::<String>() + REDACTED),
    }
}

/// A set of secret values to mask.
pub struct Registry {
    values: RwLock<Vec<String>>,
}

/// The process-wide registry that [`register`] and [`redact`] use.
static GLOBAL: Registry = Registry::new();

/// Masks `secret` from now on in every log line and transcript.
pub fn register(secret: &str) {
    GLOBAL.add(secret);
}

/// `text` with every registered secret replaced by [`REDACTED`].
pub fn redact(text: &str) -> Cow<'_, str> {
    GLOBAL.redact(text)
}

impl Registry {
    pub const fn new() -> Registry {
        Registry {
            values: RwLock::new(Vec::new()),
        }
    }

    /// Adds `secret`, and its `{:?}`-escaped form when that differs (a password with a `"`
    /// or `\` in it, logged as a Debug field, reaches the log writer escaped).
    pub fn add(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut values = self.values.write().unwrap_or_else(PoisonError::into_inner);
        for form in [secret.to_string(), secret.escape_debug().to_string()] {
            if !values.contains(&form) {
                values.push(form);
            }
        }
    }

    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let values = self.values.read().unwrap_or_else(PoisonError::into_inner);
        let spans = secret_spans(&values, text);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        Cow::Owned(replace_spans(text, &spans))
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

/// Redacts text that arrives in chunks (a device's output, read by read). Each
/// [`push`](StreamRedactor::push) returns what is safe to show; an end that could be the
/// start of a secret (at most the longest secret − 1 bytes) waits for the next chunk.
/// [`finish`](StreamRedactor::finish) returns the rest.
pub struct StreamRedactor<'r> {
    registry: &'r Registry,
    pending: String,
}

impl StreamRedactor<'static> {
    /// A redactor for the process-wide registry.
    pub fn new() -> StreamRedactor<'static> {
        StreamRedactor::with(&GLOBAL)
    }
}

impl Default for StreamRedactor<'static> {
    fn default() -> Self {
        StreamRedactor::new()
    }
}

impl<'r> StreamRedactor<'r> {
    pub fn with(registry: &'r Registry) -> StreamRedactor<'r> {
        StreamRedactor {
            registry,
            pending: String::new(),
        }
    }

    /// Takes the next chunk; returns the redacted text that can no longer be part of a
    /// secret. Secrets registered meanwhile count from this chunk on.
    pub fn push(&mut self, chunk: &str) -> String {
        self.pending.push_str(chunk);
        let values = self
            .registry
            .values
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let spans = secret_spans(&values, &self.pending);
        let mut cut = self.pending.len() - secret_start_at_end(&values, &self.pending);
        // A secret found across the cut is held back whole, so it is replaced in one piece
        // together with anything overlapping it that arrives later.
        if let Some(straddling) = spans.iter().find(|s| s.start < cut && cut < s.end) {
            cut = straddling.start;
        }
        let ready: Vec<Range<usize>> = spans.into_iter().filter(|s| s.end <= cut).collect();
        let shown = replace_spans(&self.pending[..cut], &ready);
        self.pending.drain(..cut);
        shown
    }

    /// The end of the stream: what was held back, redacted.
    pub fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        self.registry.redact(&rest).into_owned()
    }
}

/// Where secrets occur in `text`, sorted, overlapping occurrences merged into one span
/// (two secrets sharing characters must not leave the non-shared part of either shown).
fn secret_spans(secrets: &[String], text: &str) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = secrets
        .iter()
        .flat_map(|secret| occurrences(text, secret))
        .collect();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// Every occurrence of `needle` in `text`, overlapping ones included (`aa` twice in `aaa`).
fn occurrences(text: &str, needle: &str) -> Vec<Range<usize>> {
    let step = needle.chars().next().map_or(1, char::len_utf8);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(needle) {
        let start = from + at;
        found.push(start..start + needle.len());
        from = start + step;
    }
    found
}

/// `text` with each span (sorted, disjoint) replaced by [`REDACTED`].
fn replace_spans(text: &str, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut shown_to = 0;
    for span in spans {
        out.push_str(&text[shown_to..span.start]);
        out.push_str(REDACTED);
        shown_to = span.end;
    }
    out.push_str(&text[shown_to..]);
    out
}

/// How many bytes at the end of `text` could be the start of a secret still arriving:
/// the longest end of `text` that is a proper prefix of a secret (at most the longest
/// secret − 1 bytes, and usually none, so a stream is not held back for nothing).
fn secret_start_at_end(secrets: &[String], text: &str) -> usize {
    secrets
        .iter()
        .filter_map(|secret| {
            (1..secret.len())
                .rev()
                .filter(|&n| secret.is_char_boundary(n))
                .find(|&n| text.ends_with(&secret[..n]))
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_their_typos_and_names_that_say_so() {
        for key in SECRET_KEYS {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "tokn",
            "ansible_pasword",
            "proxy_password",
            "API_TOKEN",
            "Enable_Secret",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "transport",
            "url",
            "vrf",
            "ansible_host",
            "ansible_port",
            "name",
            "var1",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn assignments_of_secrets_are_found_in_raw_text() {
        assert_eq!(
            mask_assignments("ansible_password: hunter2"),
            "ansible_password: <redacted>"
        );
        assert_eq!(
            mask_assignments("{x: 1, token: abc, y: 2}"),
            "{x: 1, token: <redacted>"
        );
        assert_eq!(mask_assignments("token=abc"), "token=<redacted>");
        assert_eq!(
            mask_assignments("\"token\": \"abc\""),
            "\"token\": <redacted>"
        );
        // References and other keys are left as they are.
        assert_eq!(
            mask_assignments("token: {env: SL_TOKEN}"),
            "token: {env: SL_TOKEN}"
        );
        assert_eq!(mask_assignments("transport: direct"), "transport: direct");
    }

    fn registry(secrets: &[&str]) -> Registry {
        let registry = Registry::new();
        for secret in secrets {
            registry.add(secret);
        }
        registry
    }

    /// Pushes `chunks` through a fresh stream redactor, then finishes it.
    fn streamed(registry: &Registry, chunks: &[&str]) -> String {
        let mut redactor = StreamRedactor::with(registry);
        let mut out: String = chunks.iter().map(|c| redactor.push(c)).collect();
        out.push_str(&redactor.finish());
        out
    }

    #[test]
    fn a_secret_in_one_chunk_is_replaced() {
        let secrets = registry(&["TOKEN123"]);
        assert_eq!(
            streamed(&secrets, &["register idtoken TOKEN123 force\n"]),
            "register idtoken <redacted> force\n"
        );
        assert_eq!(
            secrets.redact("a TOKEN123 b TOKEN123"),
            "a <redacted> b <redacted>"
        );
    }

    #[test]
    fn a_secret_split_across_two_chunks_is_replaced() {
        let secrets = registry(&["TOKEN123"]);
        assert_eq!(
            streamed(&secrets, &["idtoken TOK", "EN123 force"]),
            "idtoken <redacted> force"
        );
    }

    #[test]
    fn a_secret_split_across_three_chunks_is_replaced() {
        let secrets = registry(&["TOKEN123"]);
        assert_eq!(
            streamed(&secrets, &["idtoken TO", "KEN", "123 force"]),
            "idtoken <redacted> force"
        );
    }

    #[test]
    fn no_chunk_shows_a_secret_prefix_that_might_continue() {
        let secrets = registry(&["TOKEN123"]);
        let mut redactor = StreamRedactor::with(&secrets);
        // `TOKEN1` could be the token's start: it waits for the next chunk.
        assert_eq!(redactor.push("idtoken TOKEN1"), "idtoken ");
        assert_eq!(redactor.push("23\n"), "<redacted>\n");
        assert_eq!(
            redactor.push("cat1#"),
            "cat1#",
            "nothing held back for nothing"
        );
        assert_eq!(redactor.finish(), "");
    }

    #[test]
    fn a_secret_at_the_very_end_of_the_stream_is_replaced_at_finish() {
        let secrets = registry(&["TOKEN123"]);
        let mut redactor = StreamRedactor::with(&secrets);
        let shown = redactor.push("password TOKEN123");
        assert!(!shown.contains("TOKEN"), "{shown}");
        assert_eq!(
            format!("{shown}{}", redactor.finish()),
            "password <redacted>"
        );
    }

    #[test]
    fn overlapping_secrets_are_replaced_as_one_span() {
        let secrets = registry(&["abcdef", "defghi"]);
        assert_eq!(secrets.redact("x abcdefghi y"), "x <redacted> y");
        assert_eq!(
            streamed(&secrets, &["x abcd", "efg", "hi y"]),
            "x <redacted> y"
        );
        // One secret inside another, and a secret overlapping itself.
        let nested = registry(&["pass", "password"]);
        assert_eq!(nested.redact("my password"), "my <redacted>");
        let repeated = registry(&["aa"]);
        assert_eq!(repeated.redact("baaab"), "b<redacted>b");
    }

    #[test]
    fn a_stream_redacts_exactly_like_the_whole_text_at_every_split() {
        let secrets = registry(&["s3cr3t", "t0k3n-x"]);
        let text = "user s3cr3t then t0k3n-xs3cr3t and s3cr3 end";
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let chunks = [&text[..i], &text[i..j], &text[j..]];
                assert_eq!(
                    streamed(&secrets, &chunks),
                    secrets.redact(text),
                    "split at {i} and {j}"
                );
            }
        }
    }

    #[test]
    fn without_secrets_text_is_unchanged_and_not_held_back() {
        let empty = Registry::new();
        assert!(matches!(empty.redact("show version"), Cow::Borrowed(_)));
        let mut redactor = StreamRedactor::with(&empty);
        assert_eq!(redactor.push("cat1#show ver"), "cat1#show ver");
        assert_eq!(redactor.finish(), "");
        empty.add("");
        assert_eq!(
            empty.redact("an empty secret masks nothing"),
            "an empty secret masks nothing"
        );
    }

    #[test]
    fn multibyte_text_is_held_back_on_character_boundaries() {
        let secrets = registry(&["clé-secrète"]);
        let text = "ünïcødé: clé-secrète, ünïcødé";
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for &i in &boundaries {
            let chunks = [&text[..i], &text[i..]];
            assert_eq!(
                streamed(&secrets, &chunks),
                "ünïcødé: <redacted>, ünïcødé",
                "split at {i}"
            );
        }
    }

    #[test]
    fn a_secret_with_quotes_is_also_masked_in_its_debug_escaped_form() {
        let secrets = registry(&["pa\"ss\\wd"]);
        let logged = format!("password={:?}", "pa\"ss\\wd");
        assert_eq!(secrets.redact(&logged), "password=\"<redacted>\"");
    }

    #[test]
    fn the_process_wide_registry_masks_what_was_registered() {
        register("Global-Canary-51f0");
        assert_eq!(redact("x Global-Canary-51f0 y"), "x <redacted> y");
        let mut redactor = StreamRedactor::new();
        let shown = redactor.push("Global-Can") + &redactor.push("ary-51f0") + &redactor.finish();
        assert_eq!(shown, "<redacted>");
    }
}
