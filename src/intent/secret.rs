//! Secrets: the ID token and device passwords.
//!
//! A [`Secret`] never prints its value: `Display` and `Debug` both give `<redacted>`, so
//! a secret that reaches a log line, a diff, a report or a panic message by mistake
//! still leaks nothing. The value is read only through [`Secret::expose`], at the one
//! place that types it into a device.

use std::fmt;
use std::path::PathBuf;

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

/// Where the ID token comes from. Only the source is kept in the intent; the token
/// is read when a registration needs it, so a dry run never touches it.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenSource {
    /// `{env: NAME}`: an environment variable (CI secrets).
    Env(String),
    /// `{file: PATH}`: a file holding the token (e.g. a mounted secret).
    File(PathBuf),
    /// An ansible-vault encrypted value (`!vault |`), decrypted when it was read.
    Vault(Secret),
    /// A plain value written in a file, only with `--allow-plaintext-token`.
    Literal(Secret),
}

impl TokenSource {
    /// How the source is described in plans and reports (never the value).
    pub fn describe(&self) -> String {
        match self {
            TokenSource::Env(name) => format!("env:{name}"),
            TokenSource::File(path) => format!("file:{}", path.display()),
            TokenSource::Vault(_) => "ansible-vault".to_string(),
            TokenSource::Literal(_) => "plaintext".to_string(),
        }
    }
}

impl serde::Serialize for TokenSource {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.describe())
    }
}

/// Characters an ID token is made of: CSSM tokens are URL-safe base64 with
/// percent-escapes (e.g. `%0A`). Anything else could change the command line.
pub fn is_token_shaped(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 1024
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "%=+/._-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("NjQ0ZmE5YzYtYjQ");
        assert_eq!(format!("{s} {s:?}"), "<redacted> <redacted>");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
        let t = TokenSource::Literal(s);
        assert!(!format!("{t:?}").contains("NjQ0"));
    }

    #[test]
    fn token_shape() {
        assert!(is_token_shaped("NjQ0ZmE5YzYtYjQ%0AxMTY3NDk2NjA1Njd8"));
        assert!(!is_token_shaped("abc\nlicense smart deregister"));
        assert!(!is_token_shaped("abc def"));
        assert!(!is_token_shaped(""));
    }
}
