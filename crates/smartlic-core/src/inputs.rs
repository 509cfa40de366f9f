//! The files a run's intent is made of (inventory, its vars files, the playbook, `-e @`
//! files, CA certificates, template overrides), each with the digest of what was read.
//!
//! A saved plan records them; `smartlic apply PLAN` reads them again and refuses the plan
//! if any changed, naming it. Every reader of such a file records it here, so the list is
//! complete by construction rather than rebuilt from the inventory's layout. Token files
//! are not inputs: a token may be rotated between plan and apply.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// One input file and the `sha256:…` of its bytes when it was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    pub path: PathBuf,
    pub sha256: String,
}

static READ: Mutex<BTreeMap<PathBuf, String>> = Mutex::new(BTreeMap::new());

/// Notes that `path` was read with `bytes` as its content.
pub fn record(path: &Path, bytes: &[u8]) {
    let digest = crate::files::digest_bytes(bytes);
    READ.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(absolute(path), digest);
}

/// Every input read so far in this process, by path: relative to the working folder
/// when inside it (a plan is applied from the folder it was made in, as Terraform's).
pub fn read_so_far() -> Vec<InputFile> {
    let here = std::env::current_dir().ok();
    READ.lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|(path, sha256)| InputFile {
            path: here
                .as_ref()
                .and_then(|h| path.strip_prefix(h).ok())
                .unwrap_or(path)
                .to_path_buf(),
            sha256: sha256.clone(),
        })
        .collect()
}

/// The recorded files whose content is no longer what was recorded: `path (why)`.
pub fn changed_since(recorded: &[InputFile]) -> Vec<String> {
    recorded
        .iter()
        // YAML's is the largest limit of the kinds recorded here.
        .filter_map(
            |file| match crate::files::read_bytes(&file.path, crate::files::YAML) {
                Ok(bytes) if crate::files::digest_bytes(&bytes) == file.sha256 => None,
                Ok(_) => Some(format!("{} (changed)", file.path.display())),
                Err(e) => Some(format!("{} ({e})", file.path.display())),
            },
        )
        .collect()
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_or_removed_input_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.yml"), dir.path().join("b.yml"));
        std::fs::write(&a, "x: 1\n").unwrap();
        std::fs::write(&b, "y: 2\n").unwrap();
        record(&a, b"x: 1\n");
        record(&b, b"y: 2\n");
        let ours: Vec<InputFile> = read_so_far()
            .into_iter()
            .filter(|f| f.path.starts_with(dir.path()))
            .collect();
        assert_eq!(ours.len(), 2);
        assert!(changed_since(&ours).is_empty());
        std::fs::write(&a, "x: 2\n").unwrap();
        std::fs::remove_file(&b).unwrap();
        let changed = changed_since(&ours);
        assert_eq!(changed.len(), 2, "{changed:?}");
        assert!(changed[0].ends_with("a.yml (changed)"), "{changed:?}");
        assert!(changed[1].contains("b.yml ("), "{changed:?}");
    }
}
