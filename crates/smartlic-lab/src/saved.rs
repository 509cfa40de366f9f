//! The lab's state between `--lab` runs (issue 11): each device's running and startup
//! config, trusted CAs, log, revert timer, checkpoints, clock offset and licensing agent,
//! and the back-end's authorities and books (accounts, tokens, product instances), so a
//! device registered in one run is registered, and known to the back-end, in the next.
//!
//! Where: one folder per inventory under the lab folder (`.smartlic/lab/`, relative to
//! the working folder like the run store, or `$SMARTLIC_LAB_DIR`), named after the
//! inventory file and a digest of its absolute path, so two inventories never mix. The
//! folder holds `state.json` (serde JSON, written to a temporary file then renamed).
//! The lab folder also holds the run store of `--lab` runs ([`store_path`]).
//!
//! A state file that cannot be read, or was written in another [`FORMAT`], is not used:
//! [`Folder::load`] says why and the lab starts from factory state.
//!
//! This module only reads and writes; [`crate::run::start_from`] resumes a lab from
//! a [`SavedLab`] and [`crate::run::LabSaver`] makes one.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::backend::SavedBackend;
use crate::device::{DeviceState, Identity};
use crate::licensing::SavedAgent;

/// The layout of `state.json`; a file of another format is not read.
pub const FORMAT: u32 = 1;
/// The lab folder unless `SMARTLIC_LAB_DIR` says otherwise.
pub const DEFAULT_DIR: &str = ".smartlic/lab";
/// The environment variable naming another lab folder.
pub const DIR_ENV: &str = "SMARTLIC_LAB_DIR";
/// The state file in an inventory's folder.
pub const STATE_FILE: &str = "state.json";
/// The run store of `--lab` runs, in the lab folder.
pub const STORE_FILE: &str = "state.db";
/// The log lines a device keeps (the newest), as a device's logging buffer holds only so
/// many.
pub const LOG_LINES: usize = 1_000;

/// The lab folder: `$SMARTLIC_LAB_DIR`, else `.smartlic/lab`.
pub fn lab_dir() -> PathBuf {
    std::env::var_os(DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR))
}

/// The run store of `--lab` runs: `state.db` in the lab folder.
pub fn store_path() -> PathBuf {
    lab_dir().join(STORE_FILE)
}

/// A whole lab as saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedLab {
    pub format: u32,
    /// The inventory's absolute path (informational: the folder's name is its digest).
    pub inventory: String,
    /// Lab time when saved, seconds since the epoch; the next run's lab clock does not
    /// start before it.
    pub lab_time: f64,
    pub backend: SavedBackend,
    /// By inventory host name.
    pub devices: BTreeMap<String, SavedDevice>,
}

/// One device as saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedDevice {
    /// Who it was: a device whose identity changed starts from factory state.
    pub identity: SavedIdentity,
    /// Device clock minus lab time, seconds (`lab.clock_offset`, or what `clock set` made it).
    pub clock_offset: f64,
    /// The inventory's `lab.clock_offset` when saved: when the inventory changes it, the
    /// new value wins over `clock_offset`.
    pub inventory_clock_offset: i64,
    pub state: DeviceState,
    pub licensing: SavedAgent,
}

/// The parts of a device's [`Identity`] that make it the same device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedIdentity {
    pub platform: String,
    pub model: String,
    pub version: String,
    pub pid: String,
    pub serial: String,
}

impl SavedIdentity {
    pub fn of(identity: &Identity) -> SavedIdentity {
        SavedIdentity {
            platform: identity.platform.name().to_string(),
            model: identity.model.name().to_string(),
            version: identity.version.clone(),
            pid: identity.pid.clone(),
            serial: identity.serial.clone(),
        }
    }
}

/// The saved state of one inventory.
#[derive(Clone, Debug)]
pub struct Folder {
    path: PathBuf,
    inventory: PathBuf,
}

impl Folder {
    /// The folder of `inventory` in the lab folder ([`lab_dir`]).
    pub fn of(inventory: &Path) -> Folder {
        Folder::in_dir(&lab_dir(), inventory)
    }

    /// The folder of `inventory` in `lab_dir`: `<file stem>-<16 hex digits of the SHA-256
    /// of its absolute path>`.
    pub fn in_dir(lab_dir: &Path, inventory: &Path) -> Folder {
        let inventory = std::fs::canonicalize(inventory)
            .or_else(|_| std::path::absolute(inventory))
            .unwrap_or_else(|_| inventory.to_path_buf());
        let digest = Sha256::digest(inventory.to_string_lossy().as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let stem: String = inventory
            .file_stem()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Folder {
            path: lab_dir.join(format!("{stem}-{hex}")),
            inventory,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn state_file(&self) -> PathBuf {
        self.path.join(STATE_FILE)
    }

    /// The saved lab; `Ok(None)` when there is none, `Err(why)` when there is one that
    /// cannot be used (unreadable, not JSON, another format, a missing field…).
    pub fn load(&self) -> Result<Option<SavedLab>, String> {
        let path = self.state_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        parse(&text).map(Some)
    }

    /// Writes `lab` (as this inventory's) to a temporary file in the folder, then renames
    /// it over `state.json`: a reader sees the old state or the new one, never half.
    pub fn save(&self, mut lab: SavedLab) -> io::Result<()> {
        lab.format = FORMAT;
        lab.inventory = self.inventory.to_string_lossy().into_owned();
        let text = serde_json::to_vec(&lab).map_err(io::Error::other)?;
        std::fs::create_dir_all(&self.path)?;
        // One temporary file per save, so two saves at once (the end of a run and a
        // Ctrl-C) never write the same file.
        static SAVES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = SAVES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let temp = self
            .path
            .join(format!("{STATE_FILE}.{}-{n}.tmp", std::process::id()));
        let written = (|| {
            let mut file = private_file(&temp)?;
            file.write_all(&text)?;
            file.sync_all()?;
            std::fs::rename(&temp, self.state_file())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written
    }

    /// Deletes the folder; `false` if there was none.
    pub fn remove(&self) -> io::Result<bool> {
        match std::fs::remove_dir_all(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// A saved lab from `state.json`'s text, or why it cannot be used.
pub fn parse(text: &str) -> Result<SavedLab, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a lab state file: {e}"))?;
    match value.get("format").and_then(serde_json::Value::as_u64) {
        Some(n) if n == u64::from(FORMAT) => {}
        Some(n) => {
            return Err(format!(
                "written in lab state format {n}; this smartlic reads format {FORMAT}"
            ));
        }
        None => return Err("not a lab state file: no `format`".to_string()),
    }
    serde_json::from_value(value).map_err(|e| format!("not a lab state file: {e}"))
}

/// A saved state folder found in the lab folder, and the inventory it was saved for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub inventory: Option<String>,
}

/// Every inventory's state folder in `lab_dir` (folders holding a `state.json`).
pub fn folders(lab_dir: &Path) -> io::Result<Vec<Found>> {
    let entries = match std::fs::read_dir(lab_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let state = path.join(STATE_FILE);
        if !path.is_dir() || !state.is_file() {
            continue;
        }
        let inventory = std::fs::read_to_string(&state)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v.get("inventory")?.as_str().map(str::to_string));
        found.push(Found { path, inventory });
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// A file only its owner can read (the state holds the lab's CA keys and tokens: test
/// data, but no one else's business).
fn private_file(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_inventory_has_its_own_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/hosts.yml"), "").unwrap();
        std::fs::write(dir.path().join("hosts.yml"), "").unwrap();
        let lab = Path::new("/lab");
        let a = Folder::in_dir(lab, &dir.path().join("a/hosts.yml"));
        let same = Folder::in_dir(lab, &dir.path().join("a/../a/hosts.yml"));
        let other = Folder::in_dir(lab, &dir.path().join("hosts.yml"));
        assert_eq!(a.path(), same.path());
        assert_ne!(a.path(), other.path());
        let name = a.path().file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("hosts-") && name.len() == "hosts-".len() + 16,
            "{name}"
        );
        assert_eq!(a.path().parent(), Some(lab));
    }

    fn lab(folder: &Folder) -> SavedLab {
        let mut books = crate::backend::state::Books::new(
            &crate::backend::AccountSeed::lab_default(),
            crate::backend::Policy::cisco_default(),
            3600,
        );
        let pki = crate::backend::pki::Pki::new(1_700_000_000.0).unwrap();
        SavedLab {
            format: FORMAT,
            inventory: folder.inventory.to_string_lossy().into_owned(),
            // Not representable in few digits: a save must keep every bit of a clock.
            lab_time: 1_796_664_290.322_452_5,
            backend: SavedBackend {
                pki: pki.saved(),
                books: books.saved(1_700_000_000_000),
            },
            devices: BTreeMap::new(),
        }
    }

    #[test]
    fn saves_and_loads_and_refuses_what_it_cannot_use() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::in_dir(&dir.path().join("lab"), Path::new("hosts.yml"));
        assert_eq!(folder.load(), Ok(None), "nothing saved yet");
        let saved = lab(&folder);
        folder.save(saved.clone()).unwrap();
        assert_eq!(folder.load(), Ok(Some(saved.clone())));
        // Only the state file: the temporary one was renamed.
        let files: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
        assert_eq!(files.len(), 1);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder.state_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            folders(&dir.path().join("lab")).unwrap(),
            [Found {
                path: folder.path().to_path_buf(),
                inventory: Some(saved.inventory.clone()),
            }]
        );

        // Corrupted, of another format, or not a state at all: why, never a panic.
        let text = std::fs::read_to_string(folder.state_file()).unwrap();
        std::fs::write(folder.state_file(), &text[..text.len() / 2]).unwrap();
        let why = folder.load().unwrap_err();
        assert!(why.starts_with("not a lab state file: EOF"), "{why}");
        std::fs::write(
            folder.state_file(),
            text.replacen("\"format\":1", "\"format\":99", 1),
        )
        .unwrap();
        let why = folder.load().unwrap_err();
        assert_eq!(
            why,
            "written in lab state format 99; this smartlic reads format 1"
        );
        std::fs::write(folder.state_file(), "{\"format\":1,\"devices\":{}}").unwrap();
        assert!(folder.load().unwrap_err().contains("missing field"));
        std::fs::write(folder.state_file(), "[]").unwrap();
        assert!(folder.load().is_err());

        assert!(folder.remove().unwrap());
        assert!(!folder.remove().unwrap());
        assert_eq!(folder.load(), Ok(None));
    }
}
