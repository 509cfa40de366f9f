//! Where the ID token comes from, and what a token looks like. The value itself is a
//! [`Secret`] (`redact.rs`), which never prints itself.

use std::path::PathBuf;

use crate::redact::Secret;

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

impl TokenSource {
    /// The token, read from its source now: the environment variable is set, or the
    /// file is a readable regular file holding one non-empty line; the value is shaped
    /// like an ID token. `Err` says what is wrong with the source, never the value.
    pub fn read(&self) -> Result<Secret, String> {
        let value = match self {
            TokenSource::Env(name) => match std::env::var(name) {
                Ok(value) => value,
                Err(std::env::VarError::NotPresent) => {
                    return Err(format!("the environment variable {name} is not set"));
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(format!("the environment variable {name} is not UTF-8"));
                }
            },
            TokenSource::File(path) => read_token_file(path)?,
            TokenSource::Literal(secret) | TokenSource::Vault(secret) => {
                secret.expose().to_string()
            }
        };
        let lines: Vec<&str> = value.lines().filter(|l| !l.trim().is_empty()).collect();
        let value = match lines.as_slice() {
            [] => return Err(format!("the token from {} is empty", self.describe())),
            [one] => one.trim(),
            more => {
                return Err(format!(
                    "the token from {} has {} lines; an ID token is one line",
                    self.describe(),
                    more.len()
                ));
            }
        };
        if !is_token_shaped(value) {
            return Err(format!(
                "the token from {} is not shaped like an ID token (letters, digits, %=+/._- only)",
                self.describe()
            ));
        }
        Ok(Secret::new(value))
    }
}

/// A token file's text: a regular file (not a folder, FIFO or device), of a token's size.
fn read_token_file(path: &std::path::Path) -> Result<String, String> {
    crate::files::read(path, crate::files::SECRET_FILE)
        .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))
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
    fn token_sources_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            TokenSource::File(path)
        };
        let good = file("good", "NjQ0ZmE5YzYtYjQ%0AxMTY\n");
        assert_eq!(good.read().unwrap().expose(), "NjQ0ZmE5YzYtYjQ%0AxMTY");
        let err = |source: TokenSource| source.read().unwrap_err();
        assert!(err(file("empty", "\n  \n")).contains("is empty"));
        assert!(err(file("two", "abc\ndef\n")).contains("2 lines"));
        assert!(err(file("bad", "abc def\n")).contains("not shaped"));
        assert!(err(TokenSource::File(dir.path().to_path_buf())).contains("is a folder"));
        assert!(err(TokenSource::File(dir.path().join("absent"))).contains("cannot read"));
        assert!(err(TokenSource::File("/dev/null".into())).contains("not a regular file"));
        let unset = TokenSource::Env("SMARTLIC_TEST_SURELY_UNSET_VARIABLE".into());
        assert!(err(unset).contains("SMARTLIC_TEST_SURELY_UNSET_VARIABLE is not set"));
        // A secret never appears in the reason.
        let shaped_wrong = TokenSource::Literal(Secret::new("CANARY secret"));
        assert!(!err(shaped_wrong).contains("CANARY"));
    }

    #[test]
    fn token_shape() {
        assert!(is_token_shaped("NjQ0ZmE5YzYtYjQ%0AxMTY3NDk2NjA1Njd8"));
        assert!(!is_token_shaped("abc\nlicense smart deregister"));
        assert!(!is_token_shaped("abc def"));
        assert!(!is_token_shaped(""));
    }
}
