//! The run store: every live run and what each host showed, in an embedded SQLite
//! database (default `.smartlic/state.db`, `--store PATH`). It answers "what did the
//! last run do" (`apply --only-failed`) and "how healthy is the fleet" (`smartlic
//! status`) without touching a device.
//!
//! Safe to share: WAL lets readers and one writer work at once and a busy timeout makes
//! concurrent runs queue instead of failing. Crash-safe: the run row is written before
//! the first host starts and each host's result is committed as soon as it ends, so a
//! killed run keeps every host already done (its `finished_at` stays empty).

pub mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::live::{HostRun, Outcome};
use crate::platform::status::LicensingStatus;
use crate::platform::timefmt::{now, parse_countdown, parse_stamp};

pub use writer::Writer;

/// Where the store lives unless `--store` says otherwise (relative to the working folder,
/// like Terraform's `.terraform/`).
pub const DEFAULT_PATH: &str = ".smartlic/state.db";

/// How long a writer waits for another run's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema, one step per version (`PRAGMA user_version`); a new version appends a step.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE runs (
    id               INTEGER PRIMARY KEY,
    started_at       INTEGER NOT NULL,   -- Unix seconds
    finished_at      INTEGER,            -- NULL: still running, or the run was killed
    verb             TEXT NOT NULL,
    playbook         TEXT,
    inventory        TEXT,
    limit_pattern    TEXT,
    shard            TEXT,
    user             TEXT,
    machine          TEXT,
    git_commit       TEXT,
    smartlic_version TEXT NOT NULL,
    targets          TEXT NOT NULL,      -- JSON array: every host the run set out to do
    exit_code        INTEGER
);
CREATE TABLE host_results (
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    host        TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    outcome     TEXT NOT NULL,           -- ok | changed | failed | unreachable
    reason      TEXT,
    millis      INTEGER NOT NULL,
    commands    TEXT NOT NULL,           -- JSON array of what was typed (secrets redacted)
    steps       TEXT NOT NULL,           -- JSON array of step names
    PRIMARY KEY (run_id, host)
);
CREATE TABLE licensing (
    run_id                 INTEGER NOT NULL REFERENCES runs(id),
    host                   TEXT NOT NULL,
    observed_at            INTEGER NOT NULL,
    model                  TEXT NOT NULL,
    state                  TEXT NOT NULL,
    registration           TEXT,
    authorization          TEXT,
    smart_account          TEXT,
    virtual_account        TEXT,
    next_renewal           INTEGER,      -- Unix seconds, when the device's text could be read
    registration_expires   INTEGER,
    communication_deadline INTEGER,
    next_ack_deadline      INTEGER,
    evaluation_ends        INTEGER,
    failure_reason         TEXT,
    status                 TEXT NOT NULL, -- the parsed status as JSON (the device's texts)
    PRIMARY KEY (run_id, host)
);
CREATE INDEX licensing_by_host ON licensing (host, observed_at);
CREATE INDEX runs_by_playbook ON runs (playbook, id);
"#,
    // 2: whether a host's device was changed (also when it then failed), the step a
    // failed host was in, and whether a run was interrupted.
    r#"
ALTER TABLE host_results ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE host_results ADD COLUMN failed_step TEXT;
-- 1: stopped by Ctrl-C (its hosts in progress at a safe point); finished_at is set.
ALTER TABLE runs ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
"#,
];

/// Who started a run, and with what: the store's `runs` row.
#[derive(Clone, Debug, Default)]
pub struct RunInfo {
    pub verb: String,
    pub playbook: Option<PathBuf>,
    pub inventory: Option<PathBuf>,
    pub limit: Option<String>,
    pub shard: Option<String>,
    pub targets: Vec<String>,
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A store error, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("run store {path}: {message}")]
pub struct StoreError {
    path: String,
    message: String,
}

impl Store {
    /// Opens (creating it and its folder if needed) and brings the schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let fail = |e: &dyn std::fmt::Display| StoreError {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        }
        let conn = Connection::open(path).map_err(|e| fail(&e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| fail(&e))?;
        // WAL: a reader never blocks the writer; FULL: a committed host survives power loss.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| fail(&e))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| fail(&e))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| fail(&e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate().map_err(|e| fail(&e))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, e: rusqlite::Error) -> StoreError {
        StoreError {
            path: self.path.display().to_string(),
            message: e.to_string(),
        }
    }

    fn migrate(&mut self) -> rusqlite::Result<()> {
        // IMMEDIATE: two runs opening a new store at once must not both migrate it.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (index, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(step)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
        }
        tx.commit()
    }

    /// Records that a run starts; returns its id.
    pub fn begin_run(&self, info: &RunInfo) -> Result<i64, StoreError> {
        let text = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        self.conn
            .execute(
                "INSERT INTO runs (started_at, verb, playbook, inventory, limit_pattern, shard,
                                   user, machine, git_commit, smartlic_version, targets)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    now(),
                    info.verb,
                    text(&info.playbook.as_deref().map(absolute)),
                    text(&info.inventory.as_deref().map(absolute)),
                    info.limit,
                    info.shard,
                    who(),
                    machine(),
                    info.playbook.as_deref().and_then(git_commit),
                    env!("CARGO_PKG_VERSION"),
                    serde_json::to_string(&info.targets).expect("strings serialise"),
                ],
            )
            .map_err(|e| self.error(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records finished hosts, all in one transaction.
    pub fn record_hosts(&mut self, run_id: i64, runs: &[HostRun]) -> Result<(), StoreError> {
        let write = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            for run in runs {
                insert_host(&tx, run_id, run)?;
            }
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| self.error(e))
    }

    /// Records how the run ended.
    pub fn finish_run(&self, run_id: i64, exit_code: u8) -> Result<(), StoreError> {
        let interrupted = exit_code == crate::live::interrupt::EXIT_CODE;
        self.conn
            .execute(
                "UPDATE runs SET finished_at = ?1, exit_code = ?2, interrupted = ?3 WHERE id = ?4",
                params![now(), exit_code, interrupted, run_id],
            )
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// The hosts that did not succeed in the last apply of this playbook (`apply
    /// --only-failed`): failed, unreachable, or — when that run was killed — never
    /// finished. `None` when the playbook was never applied (a later `plan` or `verify`
    /// does not hide an apply's failures).
    pub fn last_failed(&self, playbook: &Path) -> Result<Option<LastRun>, StoreError> {
        let playbook = absolute(playbook).display().to_string();
        let last = self
            .conn
            .query_row(
                "SELECT id, verb, targets, finished_at IS NULL OR interrupted FROM runs
                 WHERE playbook = ?1 AND verb = 'apply' ORDER BY id DESC LIMIT 1",
                params![playbook],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.error(e))?;
        let Some((id, verb, targets, interrupted)) = last else {
            return Ok(None);
        };
        let targets: Vec<String> = serde_json::from_str(&targets).unwrap_or_default();
        let mut statement = self
            .conn
            .prepare("SELECT host, outcome FROM host_results WHERE run_id = ?1")
            .map_err(|e| self.error(e))?;
        let done: Vec<(String, String)> = statement
            .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.error(e))?;
        let succeeded = |host: &str| {
            done.iter()
                .any(|(h, outcome)| h == host && matches!(outcome.as_str(), "ok" | "changed"))
        };
        Ok(Some(LastRun {
            id,
            verb,
            interrupted,
            hosts: targets.into_iter().filter(|h| !succeeded(h)).collect(),
        }))
    }

    /// Each host's most recent licensing observation, by host name.
    pub fn latest_licensing(&self) -> Result<Vec<Observation>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT l.host, l.run_id, l.observed_at, l.model, l.state, l.registration,
                        l.authorization, l.smart_account, l.virtual_account, l.next_renewal,
                        l.registration_expires, l.communication_deadline, l.next_ack_deadline,
                        l.evaluation_ends, l.failure_reason
                 FROM licensing l
                 WHERE l.run_id = (SELECT m.run_id FROM licensing m WHERE m.host = l.host
                                   ORDER BY m.observed_at DESC, m.run_id DESC LIMIT 1)
                 ORDER BY l.host",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement.query_map([], |r| {
            Ok(Observation {
                host: r.get(0)?,
                run_id: r.get(1)?,
                observed_at: r.get(2)?,
                model: r.get(3)?,
                state: r.get(4)?,
                registration: r.get(5)?,
                authorization: r.get(6)?,
                smart_account: r.get(7)?,
                virtual_account: r.get(8)?,
                next_renewal: r.get(9)?,
                registration_expires: r.get(10)?,
                communication_deadline: r.get(11)?,
                next_ack_deadline: r.get(12)?,
                evaluation_ends: r.get(13)?,
                failure_reason: r.get(14)?,
            })
        });
        rows.and_then(|rows| rows.collect())
            .map_err(|e| self.error(e))
    }
}

/// What `apply --only-failed` needs from the last run of a playbook.
#[derive(Clone, Debug)]
pub struct LastRun {
    pub id: i64,
    pub verb: String,
    /// Killed before it finished.
    pub interrupted: bool,
    /// Hosts that failed, were unreachable, or never finished.
    pub hosts: Vec<String>,
}

/// One host's licensing as last seen, with its deadlines as Unix seconds.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Observation {
    pub host: String,
    pub run_id: i64,
    pub observed_at: i64,
    pub model: String,
    pub state: String,
    pub registration: Option<String>,
    pub authorization: Option<String>,
    pub smart_account: Option<String>,
    pub virtual_account: Option<String>,
    pub next_renewal: Option<i64>,
    pub registration_expires: Option<i64>,
    pub communication_deadline: Option<i64>,
    pub next_ack_deadline: Option<i64>,
    pub evaluation_ends: Option<i64>,
    pub failure_reason: Option<String>,
}

fn insert_host(tx: &rusqlite::Transaction, run_id: i64, run: &HostRun) -> rusqlite::Result<()> {
    let (outcome, reason) = match &run.outcome {
        Outcome::Ok => ("ok", None),
        Outcome::Changed => ("changed", None),
        Outcome::Failed(r) => ("failed", Some(r.as_str())),
        Outcome::Unreachable(r) => ("unreachable", Some(r.as_str())),
    };
    let steps: Vec<&str> = run.steps.iter().map(|s| s.step.as_str()).collect();
    tx.execute(
        "INSERT OR REPLACE INTO host_results
             (run_id, host, recorded_at, outcome, reason, millis, commands, steps, changed,
              failed_step)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            run_id,
            run.host,
            now(),
            outcome,
            reason,
            run.millis as i64,
            serde_json::to_string(&run.sent).expect("strings serialise"),
            serde_json::to_string(&steps).expect("strings serialise"),
            run.changed,
            run.failed_step,
        ],
    )?;
    match run
        .licensing_after
        .as_ref()
        .or(run.licensing_before.as_ref())
    {
        Some(status) => insert_licensing(tx, run_id, &run.host, status),
        None => Ok(()),
    }
}

fn insert_licensing(
    tx: &rusqlite::Transaction,
    run_id: i64,
    host: &str,
    status: &LicensingStatus,
) -> rusqlite::Result<()> {
    let observed_at = now();
    let stamp = |text: &Option<String>| text.as_deref().and_then(parse_stamp);
    let evaluation_ends = status
        .evaluation_period_remaining
        .as_deref()
        .and_then(parse_countdown)
        .map(|left| observed_at + left);
    tx.execute(
        "INSERT OR REPLACE INTO licensing
             (run_id, host, observed_at, model, state, registration, authorization,
              smart_account, virtual_account, next_renewal, registration_expires,
              communication_deadline, next_ack_deadline, evaluation_ends, failure_reason, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            run_id,
            host,
            observed_at,
            status.model.name(),
            status.state_words(),
            status.registration.as_ref().map(ToString::to_string),
            status.authorization.as_ref().map(ToString::to_string),
            status.smart_account,
            status.virtual_account,
            stamp(&status.next_renewal_attempt),
            stamp(&status.registration_expires),
            stamp(&status.communication_deadline),
            stamp(&status.next_ack_deadline),
            evaluation_ends,
            status.failure_reason,
            serde_json::to_string(status).expect("a status serialises"),
        ],
    )
    .map(drop)
}

/// Paths are stored absolute so a run from another folder finds the same playbook.
fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn who() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

fn machine() -> Option<String> {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
}

/// The commit the playbook is at, from git, or from the CI's variables when the checkout
/// has no git metadata.
fn git_commit(playbook: &Path) -> Option<String> {
    let dir = absolute(playbook).parent()?.to_path_buf();
    let from_git = std::process::Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_string());
    from_git.or_else(|| {
        ["GITHUB_SHA", "CI_COMMIT_SHA"]
            .iter()
            .find_map(|name| std::env::var(name).ok())
    })
}

#[cfg(test)]
mod tests;
