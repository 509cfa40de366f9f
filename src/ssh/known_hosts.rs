//! Host key verification against an OpenSSH known_hosts file (plain and hashed `|1|`
//! entries, `[host]:port` for other ports), under the policy the inventory chose.

use std::path::{Path, PathBuf};

use russh::keys::{HashAlg, PublicKey};

pub use crate::intent::HostKeyPolicy;

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
        "host key for {host} is not in {file} (offered {offered}); add it (ssh-keyscan) or set smartlic_host_key_checking: accept-new"
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
    #[error("host key for {host} is REVOKED in {file}:{line} ({offered}): the host is not trusted")]
    Revoked {
        host: String,
        file: String,
        line: usize,
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
        // An `@revoked` key is refused whatever else the file says, and never learned.
        if let Some(line) = revoked_line(key, &self.file) {
            return Verdict::Rejected(HostKeyError::Revoked {
                host: self.label(),
                file: self.file.display().to_string(),
                line,
                offered: fingerprint(key),
            });
        }
        match check_key(&self.host, self.port, key, &self.file) {
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
        match append_entry(&self.file, &self.label(), key) {
            Ok(()) => Verdict::Learned,
            Err(e) => Verdict::Rejected(HostKeyError::File {
                file: self.file.display().to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// The keys recorded for this host, with their line numbers.
    fn recorded(&self) -> Vec<(usize, PublicKey)> {
        host_keys(&self.host, self.port, &self.file).unwrap_or_default()
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

/// Appends `host key` to `file` as OpenSSH does (one write, so hosts learned at once do
/// not interleave). Not russh's `learn_known_hosts_path`: it starts a new or empty file
/// with a blank line, which OpenSSH never writes and which shifts the line numbers a
/// changed-key error shows (seen against OpenSSH's sshd in `tests/integration/ssh_openssh.rs`).
fn append_entry(file: &Path, host: &str, key: &PublicKey) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = file.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    let existing = match crate::files::read_bytes(file, crate::files::KNOWN_HOSTS) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut key = key.clone();
    key.set_comment("");
    let key = key.to_openssh().map_err(std::io::Error::other)?;
    // A last line without its newline is ended first, as OpenSSH does.
    let separator = if existing.last().is_some_and(|b| *b != b'\n') {
        "\n"
    } else {
        ""
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?
        .write_all(format!("{separator}{host} {}\n", key.trim_end()).as_bytes())
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
    host_keys(host, port, path).is_ok_and(|k| !k.is_empty())
}

/// russh's `check_known_hosts_path`, over [`host_keys`]: a recorded key of the offered
/// key's algorithm that differs from it is a changed key (the first such line), even if
/// another line records the offered key; else known if a line records it.
fn check_key(
    host: &str,
    port: u16,
    key: &PublicKey,
    file: &Path,
) -> Result<bool, russh::keys::Error> {
    let mut known = false;
    for (line, recorded) in host_keys(host, port, file)? {
        if recorded.algorithm() == key.algorithm() {
            if recorded != *key {
                return Err(russh::keys::Error::KeyChanged { line });
            }
            known = true;
        }
    }
    Ok(known)
}

/// The keys `file` records for host:port, with russh's line numbers, in file order: what
/// russh's `known_host_keys_path` returns, without reading the whole file per host.
///
/// russh reads and scans every line of the file on each call, so a run over N hosts
/// whose keys share one known_hosts file (a fleet, the lab) did N × N line reads: at
/// 10,000 hosts that was about 40 % of a live plan's CPU (`benches/live_fleet.rs`). The
/// file is now read once and indexed by host name, and read again only when its length
/// or modification time changes (an `accept-new` entry appended, an edit), or when it
/// had changed less than a second before it was read (a rewrite of the same length within
/// one tick of the file system's clock would otherwise go unseen). Files with
/// hashed (`|1|`) entries still go through russh, which matches those by HMAC.
fn host_keys(
    host: &str,
    port: u16,
    file: &Path,
) -> Result<Vec<(usize, PublicKey)>, russh::keys::Error> {
    let Some(index) = index(file)? else {
        return Ok(Vec::new());
    };
    let Some(hosts) = &index.hosts else {
        return russh::keys::known_hosts::known_host_keys_path(host, port, file);
    };
    let name = if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    };
    let mut keys = Vec::new();
    for (line, key) in hosts.get(&name).into_iter().flatten() {
        keys.push((*line, russh::keys::parse_public_key_base64(key)?));
    }
    Ok(keys)
}

/// The line of `file` that marks `key` `@revoked` (for any host, as a revoked key is
/// not trusted anywhere), if one does.
fn revoked_line(key: &PublicKey, file: &Path) -> Option<usize> {
    let index = index(file).ok()??;
    index.revoked.iter().find_map(|(line, revoked)| {
        russh::keys::parse_public_key_base64(revoked)
            .is_ok_and(|r| r == *key)
            .then_some(*line)
    })
}

/// One parsed file: plain host names → (russh line number, base64 key field), and the
/// `@revoked` keys.
struct Index {
    len: u64,
    modified: Option<std::time::SystemTime>,
    /// The file had not changed for a second when it was read.
    settled: bool,
    /// `None` when the file has a hashed entry.
    hosts: Option<std::collections::HashMap<String, Vec<(usize, String)>>>,
    revoked: Vec<(usize, String)>,
}

/// `file`, parsed once and read again only when it changed; `None` when it does not
/// exist (no keys, as in russh).
fn index(file: &Path) -> Result<Option<std::sync::Arc<Index>>, russh::keys::Error> {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, Mutex};

    static FILES: LazyLock<Mutex<HashMap<PathBuf, Arc<Index>>>> = LazyLock::new(Default::default);

    let Ok(meta) = std::fs::metadata(file) else {
        return Ok(None);
    };
    let (len, modified) = (meta.len(), meta.modified().ok());
    let index = {
        let mut files = FILES.lock().unwrap_or_else(|e| e.into_inner());
        match files.get(file) {
            Some(index) if index.settled && index.len == len && index.modified == modified => {
                index.clone()
            }
            _ => {
                let text = match crate::files::read(file, crate::files::KNOWN_HOSTS) {
                    Ok(text) => text,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
                let Entries { hosts, revoked } = parse_entries(&text);
                let settled = modified
                    .and_then(|m| std::time::SystemTime::now().duration_since(m).ok())
                    .is_some_and(|age| age > std::time::Duration::from_secs(1));
                let index = Arc::new(Index {
                    len,
                    modified,
                    settled,
                    hosts,
                    revoked,
                });
                files.insert(file.to_path_buf(), index.clone());
                index
            }
        }
    };
    Ok(Some(index))
}

/// The entries of a known_hosts file that [`host_keys`] and [`revoked_line`] look in.
pub struct Entries {
    /// Plain host names → (russh line number, base64 key field); `None` when the file
    /// has a hashed (`|1|`) entry, which only russh can match.
    pub hosts: Option<std::collections::HashMap<String, Vec<(usize, String)>>>,
    /// `@revoked` keys: (russh line number, base64 key field).
    pub revoked: Vec<(usize, String)>,
}

/// Reads the text of a known_hosts file (any text: it is the user's file).
pub fn parse_entries(text: &str) -> Entries {
    let mut hosts = Some(std::collections::HashMap::<String, Vec<(usize, String)>>::new());
    let mut revoked = Vec::new();
    // russh's numbering: comment lines are not counted.
    let mut line = 1;
    for text in text.split_inclusive('\n') {
        if text.starts_with('#') {
            continue;
        }
        let mut fields = text.split(' ');
        // `@revoked NAMES TYPE KEY`: never a host named `@revoked`.
        if text.starts_with("@revoked ") {
            if let Some(key) = fields.nth(3) {
                revoked.push((line, key.trim_end().to_string()));
            }
            line += 1;
            continue;
        }
        // `@cert-authority` lines (host certificates) are not supported: no key of theirs
        // is trusted as a host's own.
        if text.starts_with('@') {
            line += 1;
            continue;
        }
        let (names, _, key) = (fields.next(), fields.next(), fields.next());
        if let (Some(names), Some(key), Some(map)) = (names, key, hosts.as_mut()) {
            if names.contains("|1|") {
                hosts = None;
            } else {
                for name in names.split(',') {
                    map.entry(name.to_string())
                        .or_default()
                        .push((line, key.to_string()));
                }
            }
        }
        line += 1;
    }
    Entries { hosts, revoked }
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

    /// `@revoked` is honoured: the key is refused even where another line records it for
    /// the host, and never learned under accept-new (it was read as a host named
    /// `@revoked` before). `@cert-authority` keys are never taken as the host's own.
    #[test]
    fn a_revoked_key_is_refused_and_never_learned() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("known_hosts");
        let text = format!(
            "@revoked * {}\n[127.0.0.9]:2222 {}\n@cert-authority [127.0.0.9]:2222 {}\n",
            key(1).to_openssh().unwrap(),
            key(1).to_openssh().unwrap(),
            key(3).to_openssh().unwrap()
        );
        std::fs::write(&file, &text).unwrap();
        for policy in [HostKeyPolicy::Strict, HostKeyPolicy::AcceptNew] {
            let Verdict::Rejected(e) = check(dir.path(), policy).check(&key(1)) else {
                panic!("a revoked key must be refused");
            };
            assert!(e.to_string().contains("REVOKED in"), "{e}");
            assert!(e.to_string().contains("known_hosts:1"), "{e}");
        }
        let strict = check(dir.path(), HostKeyPolicy::Strict);
        assert!(matches!(strict.check(&key(3)), Verdict::Rejected(_)));
        // Another host, accept-new, offering the revoked key: refused, not learned.
        let other = HostKeyCheck {
            port: 2300,
            ..check(dir.path(), HostKeyPolicy::AcceptNew)
        };
        assert!(matches!(other.check(&key(1)), Verdict::Rejected(_)));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
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
        // One line, as OpenSSH writes it: no blank first line, no comment.
        let text = std::fs::read_to_string(&tofu.file).unwrap();
        let line = format!("[127.0.0.9]:2222 {}\n", key(3).to_openssh().unwrap());
        assert_eq!(text, line);
        // A file whose last line lacks its newline gets one before the new entry.
        std::fs::write(&tofu.file, line.trim_end()).unwrap();
        let other = HostKeyCheck {
            host: "127.0.0.10".into(),
            ..tofu.clone()
        };
        assert_eq!(other.check(&key(6)), Verdict::Learned);
        let text = std::fs::read_to_string(&tofu.file).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.ends_with('\n'));
        assert_eq!(strict.check(&key(3)), Verdict::Known);
        assert_eq!(other.check(&key(6)), Verdict::Known);
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
    fn a_file_rewritten_at_once_with_the_same_length_is_read_again() {
        // The index of a file is kept only once the file has settled: a rewrite within
        // the same tick of the file system's clock (same length, same mtime) is seen.
        let dir = tempfile::tempdir().unwrap();
        write_entry(dir.path(), &key(7));
        let strict = check(dir.path(), HostKeyPolicy::Strict);
        assert_eq!(strict.check(&key(7)), Verdict::Known);
        write_entry(dir.path(), &key(8));
        assert_eq!(strict.check(&key(8)), Verdict::Known);
        assert!(matches!(
            strict.check(&key(7)),
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
