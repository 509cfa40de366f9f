//! `group_vars/` and `host_vars/` next to the inventory file.
//!
//! Files are found the way Ansible's `host_group_vars` plugin finds them
//! (`DataLoader.find_vars_files`): for a group or host `NAME`, the first of `NAME`,
//! `NAME.yml`, `NAME.yaml` and `NAME.json` that exists is used, and only that one. When
//! it is a folder, every file in it (and in its subfolders) is loaded, sorted by name,
//! skipping hidden files, `~` backups and files whose extension is not one of those;
//! later files override earlier ones. smartlic adds warnings where Ansible is silent:
//! a file that names no group or host (a typo), and a file shadowed by another form.
//!
//! Playbook-level `group_vars/` beside a playbook are the playbook module's concern.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::source::{Diagnostic, Location, Origin, SourceFile, did_you_mean};
use crate::yaml::{self, Node, Value};

/// Extensions Ansible accepts for vars files (`YAML_FILENAME_EXTENSIONS`), after a bare name.
const FORMS: [&str; 4] = ["", ".yml", ".yaml", ".json"];

/// The variables of each named entity read from one vars folder, by the names' order.
pub(super) fn load(
    dir: &Path,
    names: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Option<Node>> {
    let Some(listing) = Listing::read(dir, diagnostics) else {
        return vec![None; names.len()];
    };
    let mut used = vec![false; listing.entries.len()];
    let vars = names
        .iter()
        .map(|name| {
            let files = listing.files_for(name, &mut used, diagnostics);
            merge_files(&files, diagnostics)
        })
        .collect();
    listing.warn_unused(&used, names, diagnostics);
    vars
}

/// A vars folder's entries, read once so that 10,000 hosts cost one `read_dir`, not
/// 40,000 `stat`s.
struct Listing {
    dir: PathBuf,
    /// Entry name → (index in `entries`, is a folder).
    index: HashMap<String, (usize, bool)>,
    entries: Vec<String>,
}

impl Listing {
    fn read(dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Listing> {
        let read = match std::fs::read_dir(dir) {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    &file_origin(dir),
                    "",
                    format!("cannot read folder: {e}"),
                ));
                return None;
            }
        };
        let mut entries: Vec<String> = read
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().into_string().ok())
            .collect();
        entries.sort();
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), (i, dir.join(name).is_dir())))
            .collect();
        Some(Listing {
            dir: dir.to_path_buf(),
            index,
            entries,
        })
    }

    /// The files for `name`, in load order; warns about forms the first one shadows.
    fn files_for(
        &self,
        name: &str,
        used: &mut [bool],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<PathBuf> {
        let mut found: Option<(String, Vec<PathBuf>)> = None;
        for form in FORMS {
            let entry = format!("{name}{form}");
            let Some(&(i, is_dir)) = self.index.get(&entry) else {
                continue;
            };
            used[i] = true;
            let path = self.dir.join(&entry);
            if let Some((first, _)) = &found {
                let message = format!(
                    "not loaded: `{first}` comes first, and Ansible reads only the first of \
                     `{name}`, `{name}.yml`, `{name}.yaml` and `{name}.json`"
                );
                diagnostics.push(Diagnostic::warning(&file_origin(&path), "", message));
            } else if is_dir {
                found = Some((entry, dir_files(&path, diagnostics)));
            } else {
                found = Some((entry, vec![path]));
            }
        }
        found.map(|(_, files)| files).unwrap_or_default()
    }

    fn warn_unused(&self, used: &[bool], names: &[&str], diagnostics: &mut Vec<Diagnostic>) {
        for (entry, _) in self.entries.iter().zip(used).filter(|(_, used)| !**used) {
            if skipped(entry) {
                continue;
            }
            let stem = FORMS[1..]
                .iter()
                .find_map(|ext| entry.strip_suffix(ext))
                .unwrap_or(entry);
            let mut warning = Diagnostic::warning(
                &file_origin(&self.dir.join(entry)),
                "",
                format!("`{stem}` is not a name in the inventory, so this is not loaded"),
            );
            if let Some(close) = did_you_mean(stem, names.iter().copied()) {
                warning = warning.with_help(format!("did you mean `{close}`?"));
            }
            diagnostics.push(warning);
        }
    }
}

/// Hidden files and editor backups, which Ansible skips.
fn skipped(entry: &str) -> bool {
    entry.starts_with('.') || entry.ends_with('~')
}

/// Every vars file under a `NAME/` folder, depth first, sorted by name at each level.
fn dir_files(dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut entries: Vec<String> = match std::fs::read_dir(dir) {
        Ok(read) => read
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .collect(),
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                &file_origin(dir),
                "",
                format!("cannot read folder: {e}"),
            ));
            return Vec::new();
        }
    };
    entries.sort();
    let mut files = Vec::new();
    for entry in entries.iter().filter(|e| !skipped(e)) {
        let path = dir.join(entry);
        let ext = extension(entry);
        if path.is_dir() && ext.is_empty() {
            files.extend(dir_files(&path, diagnostics));
        } else if path.is_file() && (ext.is_empty() || FORMS.contains(&ext)) {
            files.push(path);
        }
    }
    files
}

/// Python's `os.path.splitext` extension: from the last dot, ignoring leading dots.
fn extension(name: &str) -> &str {
    let trimmed = name.trim_start_matches('.');
    match trimmed.rfind('.') {
        Some(dot) => &trimmed[dot..],
        None => "",
    }
}

fn merge_files(files: &[PathBuf], diagnostics: &mut Vec<Diagnostic>) -> Option<Node> {
    let mut merged: Option<Node> = None;
    for path in files {
        let node = match yaml::load_file(path) {
            Ok(node) => node,
            Err(e) => {
                diagnostics.push(e);
                continue;
            }
        };
        match &node.value {
            Value::Null => {}
            Value::Map(_) => match &mut merged {
                Some(base) => crate::intent::merge_vars(base, node),
                None => merged = Some(node),
            },
            _ => diagnostics.push(Diagnostic::error(
                &node.origin,
                "",
                format!(
                    "a vars file must be a mapping of variable names, found {}",
                    node.kind()
                ),
            )),
        }
    }
    merged
}

/// Points at a file or folder as a whole; the empty text means no line is quoted.
pub(super) fn file_origin(path: &Path) -> Origin {
    Origin::File(Location {
        file: SourceFile::new(path, String::new()),
        line: 1,
        col: 1,
        len: 1,
    })
}
