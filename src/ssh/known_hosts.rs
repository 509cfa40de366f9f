//! Host key verification against an OpenSSH known_hosts file (plain and hashed `|1|`
//! entries, `[host]:port` for other ports), under the policy the inventory chose.

use std::path::{Path, PathBuf};

use russh::keys::{HashAlg, PublicKey};

/// What to do with a host key (Ansible's `host_key_checking`, OpenSSH's
/// `StrictHostKeyChecking`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKeyPolicy {
    /// Only keys already in the file are accepted (the default).
    #[default]
    Strict,
    /// An unknown host's key is trusted on first use and recorded; a changed key still fails.
    AcceptNew,
    /// No verification (explicit, and warned about).
    Off,
}

impl HostKeyPolicy {
    pub fn parse(text: &str) -> Option<HostKeyPolicy> {
        match text {
            "strict" | "yes" => Some(HostKeyPolicy::Strict),
            "accept-new" => Some(HostKeyPolicy::AcceptNew),
            "off" | "no" => Some(HostKeyPolicy::Off),
            _ => None,
        }
    }
}

/// The outcome of checking one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Known,
    /// Unknown, recorded under `accept-new`.
    Learned,
    /// Accepted without a check (`off`).
    Unchecked,
    Rejected(HostKeyError),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostKeyError {
    #[error(
        "host key for {host} is not in {file} (offered {offered}); add it (ssh-keyscan) or use host_key_checking: accept-new"
    )]
    Unknown {
        host: String,
        file: String,
        offered: String,
    },
    #[error(
        "HOST KEY CHANGED for {host}: {file}:{line} has {known}, the host offered {offered}; if the device was replaced, remove that line"
    )]
    Changed {
        host: String,
        file: String,
        line: usize,
        known: String,
        offered: String,
    },
    #[error("cannot read or write {file}: {message}")]
    File { file: String, message: String },
}

/// Checks host keys for one host.
#[derive(Clone, Debug)]
pub struct HostKeyCheck {
    pub host: String,
    pub port: u16,
    pub file: PathBuf,
    pub policy: HostKeyPolicy,
}

impl HostKeyCheck {
    pub fn check(&self, key: &PublicKey) -> Verdict {
        if self.policy == HostKeyPolicy::Off {
            return Verdict::Unchecked;
        }
        match russh::keys::check_known_hosts_path(&self.host, self.port, key, &self.file) {
            Ok(true) => Verdict::Known,
            // Known under another key type: as suspicious as a changed key, and never learned.
            Ok(false) if let Some((line, known)) = self.recorded().into_iter().next() => {
                Verdict::Rejected(HostKeyError::Changed {
                    host: self.label(),
                    file: self.file.display().to_string(),
                    line,
                    known: fingerprint(&known),
                    offered: fingerprint(key),
                })
            }
            Ok(false) if self.policy == HostKeyPolicy::AcceptNew => self.learn(key),
            Ok(false) => Verdict::Rejected(HostKeyError::Unknown {
                host: self.label(),
                file: self.file.display().to_string(),
                offered: fingerprint(key),
            }),
            Err(russh::keys::Error::KeyChanged { line }) => {
                Verdict::Rejected(HostKeyError::Changed {
                    host: self.label(),
                    file: self.file.display().to_string(),
                    line,
                    known: self.known_fingerprint(line, key),
                    offered: fingerprint(key),
                })
            }
            Err(e) => Verdict::Rejected(self.file_error(e)),
        }
    }

    fn learn(&self, key: &PublicKey) -> Verdict {
        match russh::keys::known_hosts::learn_known_hosts_path(
            &self.host, self.port, key, &self.file,
        ) {
            Ok(()) => Verdict::Learned,
            Err(e) => Verdict::Rejected(self.file_error(e)),
        }
    }

    /// The keys recorded for this host, with their line numbers.
    fn recorded(&self) -> Vec<(usize, PublicKey)> {
        russh::keys::known_hosts::known_host_keys_path(&self.host, self.port, &self.file)
            .unwrap_or_default()
    }

    /// The fingerprint recorded on `line`, for the message that shows both.
    fn known_fingerprint(&self, line: usize, offered: &PublicKey) -> String {
        self.recorded()
            .into_iter()
            .find(|(l, _)| *l == line)
            .map(|(_, k)| fingerprint(&k))
            .unwrap_or_else(|| format!("another {} key", offered.algorithm()))
    }

    fn label(&self) -> String {
        if self.port == 22 {
            self.host.clone()
        } else {
            format!("[{}]:{}", self.host, self.port)
        }
    }

    fn file_error(&self, e: russh::keys::Error) -> HostKeyError {
        HostKeyError::File {
            file: self.file.display().to_string(),
            message: e.to_string(),
        }
    }
}

/// `ssh-ed25519 SHA256:…`, as OpenSSH prints it.
pub fn fingerprint(key: &PublicKey) -> String {
    format!("{} {}", key.algorithm(), key.fingerprint(HashAlg::Sha256))
}

/// The default known_hosts file: `~/.ssh/known_hosts`.
pub fn default_file() -> Option<PathBuf> {
    std::env::home_dir().map(|h| h.join(".ssh").join("known_hosts"))
}

/// True when `path` exists and names at least one key for host:port.
pub fn has_entry(path: &Path, host: &str, port: u16) -> bool {
    russh::keys::known_hosts::known_host_keys_path(host, port, path).is_ok_and(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use russh::keys::PrivateKey;

    fn key(seed: u8) -> PublicKey {
        PrivateKey::from(russh::keys::ssh_key::private::Ed25519Keypair::from_seed(
            &[seed; 32],
        ))
        .public_key()
        .clone()
    }

    fn check(dir: &Path, policy: HostKeyPolicy) -> HostKeyCheck {
        HostKeyCheck {
            host: "127.0.0.9".into(),
            port: 2222,
            file: dir.join("known_hosts"),
            policy,
        }
    }

    fn write_entry(dir: &Path, key: &PublicKey) {
        let line = format!("[127.0.0.9]:2222 {}\n", key.to_openssh().unwrap());
        std::fs::write(dir.join("known_hosts"), line).unwrap();
    }

    #[test]
    fn strict_accepts_a_known_key_and_refuses_an_unknown_one() {
        let dir = tempfile::tempdir().unwrap();
        write_entry(dir.path(), &key(1));
        let strict = check(dir.path(), HostKeyPolicy::Strict);
        assert_eq!(strict.check(&key(1)), Verdict::Known);
        let other_host = HostKeyCheck {
            port: 2223,
            ..strict.clone()
        };
        let Verdict::Rejected(e) = other_host.check(&key(1)) else {
            panic!("an unknown host must be refused");
        };
        assert!(e.to_string().contains("[127.0.0.9]:2223 is not in"), "{e}");
    }

    #[test]
    fn a_changed_key_shows_both_fingerprints_under_every_checking_policy() {
        let dir = tempfile::tempdir().unwrap();
        write_entry(dir.path(), &key(1));
        for policy in [HostKeyPolicy::Strict, HostKeyPolicy::AcceptNew] {
            let Verdict::Rejected(e) = check(dir.path(), policy).check(&key(2)) else {
                panic!("a changed key must be refused");
            };
            let text = e.to_string();
            assert!(text.contains(&fingerprint(&key(1))), "{text}");
            assert!(text.contains(&fingerprint(&key(2))), "{text}");
            assert!(text.contains("known_hosts:1"), "{text}");
        }
    }

    #[test]
    fn accept_new_records_the_key_then_knows_it() {
        let dir = tempfile::tempdir().unwrap();
        let tofu = check(dir.path(), HostKeyPolicy::AcceptNew);
        assert_eq!(tofu.check(&key(3)), Verdict::Learned);
        assert_eq!(tofu.check(&key(3)), Verdict::Known);
        let strict = check(dir.path(), HostKeyPolicy::Strict);
        assert_eq!(strict.check(&key(3)), Verdict::Known);
        assert!(has_entry(&tofu.file, "127.0.0.9", 2222));
    }

    #[test]
    fn hashed_entries_match() {
        // Hashed by OpenSSH itself (`ssh-keygen -H`), as `HashKnownHosts yes` writes them.
        let dir = tempfile::tempdir().unwrap();
        write_entry(dir.path(), &key(4));
        let file = dir.path().join("known_hosts");
        let status = std::process::Command::new("ssh-keygen")
            .arg("-H")
            .arg("-f")
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("ssh-keygen (OpenSSH) is installed");
        assert!(status.success());
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("|1|"), "{text}");
        let strict = check(dir.path(), HostKeyPolicy::Strict);
        assert_eq!(strict.check(&key(4)), Verdict::Known);
        assert!(matches!(
            strict.check(&key(5)),
            Verdict::Rejected(HostKeyError::Changed { .. })
        ));
    }

    #[test]
    fn off_checks_nothing() {
        let dir = tempfile::tempdir().unwrap();
        write_entry(dir.path(), &key(1));
        assert_eq!(
            check(dir.path(), HostKeyPolicy::Off).check(&key(2)),
            Verdict::Unchecked
        );
    }
}
