//! The run store, `status`, `apply --only-failed` and `renew`, through the real binary
//! against lab devices over SSH: what a run records, what a killed run keeps, and what
//! the fleet's health reads from it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::lab_harness::{LabSsh, host, inventory};
use crate::support::{smartlic_env, text};

/// A lab of two devices that register, an inventory naming them (plus `ghost`, where no
/// device listens) and a playbook, in a git repository with one commit.
pub(crate) struct Fleet {
    pub(crate) lab: LabSsh,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) token: String,
}

const INTENT: &str = "    platform: ios-xe\n    smart_licensing:\n      transport: direct\n      token: {env: SMARTLIC_TOKEN}\n      dns: {servers: [198.51.100.53]}\n      expect: {timeout: 30s}\n";

impl Fleet {
    pub(crate) fn start(extra_lab: &str) -> Fleet {
        let hosts = [
            host("edge-1", "ios-xe", "16.12.5", "127.0.14.1", extra_lab),
            host("edge-2", "ios-xe", "16.12.5", "127.0.14.2", ""),
        ]
        .concat();
        let lab = LabSsh::start(&inventory(&hosts));
        let token = lab
            .backend
            .create_token("Example Account", "Default", 30, None);
        let dir = tempfile::tempdir().unwrap();
        let mut live = inventory(&hosts).replacen("  vars:\n", &format!("  vars:\n{INTENT}"), 1);
        for d in &lab.devices {
            let at = format!("ansible_host: {}\n", d.address.ip());
            let port = format!("{at}      ansible_port: {}\n", d.address.port());
            live = live.replace(&at, &port);
        }
        // Nothing listens on port 1 of this address: the host is unreachable.
        live.push_str("    ghost:\n      ansible_host: 127.0.14.9\n      ansible_port: 1\n");
        std::fs::write(dir.path().join("hosts.yml"), live).unwrap();
        std::fs::write(dir.path().join("play.yml"), "- name: all\n  hosts: all\n").unwrap();
        git(dir.path(), &["init", "-q"]);
        git(dir.path(), &["add", "."]);
        git(
            dir.path(),
            &[
                "-c",
                "user.email=t@example.com",
                "-c",
                "user.name=t",
                "commit",
                "-qm",
                "fleet",
            ],
        );
        Fleet { lab, dir, token }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("state/runs.db")
    }

    pub(crate) fn smartlic(&self, args: &[&str]) -> Output {
        self.smartlic_env(args, &[("SMARTLIC_TOKEN", self.token.as_str())])
    }

    /// `smartlic ARGS` in the fleet's folder, with its known_hosts and store, and `env`
    /// (no token unless `env` gives one).
    pub(crate) fn smartlic_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let known_hosts = self.lab.known_hosts_file();
        let mut all = args.to_vec();
        all.extend(["--known-hosts", known_hosts.to_str().unwrap()]);
        let store = self.store();
        let mut env = env.to_vec();
        env.extend([
            ("SMARTLIC_STORE", store.to_str().unwrap()),
            ("USER", "nightly-bot"),
        ]);
        smartlic_env(self.dir.path(), &all, &env)
    }

    /// `smartlic ARGS` started in the fleet's folder with its known_hosts, token and
    /// store, output piped, not waited for.
    pub(crate) fn spawn(&self, args: &[&str]) -> std::process::Child {
        Command::new(env!("CARGO_BIN_EXE_smartlic"))
            .current_dir(self.dir.path())
            .args(args)
            .arg("--known-hosts")
            .arg(self.lab.known_hosts_file())
            .env("SMARTLIC_TOKEN", &self.token)
            .env("SMARTLIC_STORE", self.store())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    pub(crate) fn db(&self) -> Connection {
        Connection::open(self.store()).unwrap()
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)))
}

fn hosts_of(doc: &serde_json::Value) -> Vec<String> {
    doc["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap().to_string())
        .collect()
}

fn all(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_run_is_recorded_and_status_only_failed_and_renew_read_it() {
    let fleet = Fleet::start("");
    let apply = fleet.smartlic(&["apply", "--auto-approve", "-i", "hosts.yml", "play.yml"]);
    assert_eq!(apply.status.code(), Some(1), "{}", all(&apply));

    // Who, what, when, from which commit, and how it ended.
    let db = fleet.db();
    let head = Command::new("git")
        .current_dir(fleet.dir.path())
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let (verb, user, commit, exit, finished, targets): (String, String, String, i64, bool, String) =
        db.query_row(
            "SELECT verb, user, git_commit, exit_code, finished_at IS NOT NULL, targets FROM runs",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(
        (
            verb.as_str(),
            user.as_str(),
            commit.as_str(),
            exit,
            finished
        ),
        ("apply", "nightly-bot", text(&head.stdout).trim(), 1, true)
    );
    assert_eq!(targets, r#"["edge-1","edge-2","ghost"]"#);
    let outcomes: Vec<(String, String)> = db
        .prepare("SELECT host, outcome FROM host_results ORDER BY host")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        outcomes,
        [
            ("edge-1".into(), "changed".into()),
            ("edge-2".into(), "changed".into()),
            ("ghost".into(), "unreachable".into())
        ]
    );
    // The commands typed, the token masked; the licensing read back with its deadlines.
    let commands: String = db
        .query_row(
            "SELECT commands FROM host_results WHERE host = 'edge-1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        commands.contains("license smart register idtoken <redacted>")
            && commands.contains("ip name-server 198.51.100.53")
            && !commands.contains(&fleet.token),
        "{commands}"
    );
    let (state, deadline, observed): (String, i64, i64) = db
        .query_row(
            "SELECT state, communication_deadline, observed_at FROM licensing WHERE host = 'edge-1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(state, "REGISTERED / AUTHORIZED");
    // [CAT-TS] [NX-TS] [ACI-SL]: authorization lasts 90 days.
    let days = (deadline - observed) as f64 / 86_400.0;
    assert!((89.9..=90.01).contains(&days), "{days}");

    // Status from the store: healthy for 30 days, at risk within 100.
    let status = fleet.smartlic(&["status", "--format", "json"]);
    assert_eq!(status.status.code(), Some(0), "{}", all(&status));
    let doc = json(&status);
    assert_eq!(hosts_of(&doc), ["edge-1", "edge-2"]);
    assert_eq!(doc["hosts"][0]["days_left"], 89);
    assert_eq!(doc["hosts"][0]["smart_account"], "Example Account");
    let status = fleet.smartlic(&["status", "--expiring", "100d"]);
    assert_eq!(status.status.code(), Some(1), "{}", all(&status));
    assert!(
        text(&status.stdout).contains("edge-1: authorization expires in 89 day(s)"),
        "{}",
        all(&status)
    );
    // Over the inventory, the host never observed is at risk.
    let status = fleet.smartlic(&["status", "-i", "hosts.yml", "play.yml", "--format", "json"]);
    assert_eq!(status.status.code(), Some(1), "{}", all(&status));
    let doc = json(&status);
    assert_eq!(doc["summary"]["at_risk"], 1);
    let ghost = &doc["hosts"][2];
    assert_eq!(ghost["host"], "ghost");
    assert!(
        ghost["risks"][0]
            .as_str()
            .unwrap()
            .starts_with("never observed")
    );

    // Only what failed runs again.
    let retry = fleet.smartlic(&[
        "apply",
        "--auto-approve",
        "-i",
        "hosts.yml",
        "play.yml",
        "--only-failed",
        "--format",
        "json",
    ]);
    assert_eq!(retry.status.code(), Some(1), "{}", all(&retry));
    assert_eq!(hosts_of(&json(&retry)), ["ghost"]);
    assert!(text(&retry.stderr).contains("--only-failed: 1 host(s) left from run 1 (apply)"));

    // A live refresh: the reachable hosts are read again, the unreachable one is a risk.
    let refresh = fleet.smartlic(&[
        "status",
        "--refresh",
        "-i",
        "hosts.yml",
        "play.yml",
        "--format",
        "json",
    ]);
    assert_eq!(refresh.status.code(), Some(1), "{}", all(&refresh));
    let doc = json(&refresh);
    assert_eq!(doc["hosts"][0]["run_id"], 3, "{doc}");
    assert!(
        doc["hosts"][2]["risks"][0]
            .as_str()
            .unwrap()
            .starts_with("refresh failed:"),
        "{doc}"
    );

    // Renew the authorization of one host: the device shows a new attempt.
    std::thread::sleep(Duration::from_millis(1100));
    let renew = fleet.smartlic(&[
        "renew",
        "auth",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-1",
        "--format",
        "json",
    ]);
    assert_eq!(renew.status.code(), Some(0), "{}", all(&renew));
    let doc = json(&renew);
    assert_eq!(doc["mode"], "renew");
    assert_eq!(doc["hosts"][0]["outcome"]["result"], "changed", "{doc}");
    let before = doc["hosts"][0]["licensing_before"]["last_communication_attempt"].clone();
    let after = doc["hosts"][0]["licensing_after"]["last_communication_attempt"].clone();
    assert!(
        before != after && after.as_str().unwrap().starts_with("SUCCEEDED"),
        "{doc}"
    );
    let sent: String = fleet
        .db()
        .query_row(
            "SELECT commands FROM host_results WHERE run_id = 4",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sent, r#"["license smart renew auth"]"#);

    // `--expiring` renews only the hosts due: no ID certificate expires within 30 days,
    // one does within 400.
    let args = [
        "renew",
        "id",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-*",
        "--format",
        "json",
        "--expiring",
    ];
    let none_due = fleet.smartlic(&[&args[..], &["30d"]].concat());
    assert_eq!(none_due.status.code(), Some(0), "{}", all(&none_due));
    assert!(
        text(&none_due.stderr).contains("--expiring: 0 host(s) due"),
        "{}",
        all(&none_due)
    );
    let due = fleet.smartlic(&[&args[..], &["400d"]].concat());
    assert_eq!(due.status.code(), Some(0), "{}", all(&due));
    let doc = json(&due);
    assert_eq!(hosts_of(&doc), ["edge-1", "edge-2"]);
    let renewed = doc["hosts"][1]["licensing_after"]["last_renewal_attempt"].as_str();
    assert!(renewed.is_some_and(|r| r.starts_with("SUCCEEDED")), "{doc}");

    // `--no-store` leaves no trace.
    let runs = |db: &Connection| -> i64 {
        db.query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
            .unwrap()
    };
    let before = runs(&fleet.db());
    let verify = fleet.smartlic(&[
        "verify",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-*",
        "--no-store",
    ]);
    assert_eq!(verify.status.code(), Some(0), "{}", all(&verify));
    assert_eq!(runs(&fleet.db()), before);
}

#[test]
fn a_killed_run_keeps_the_hosts_it_finished() {
    // edge-1 hangs on its first read: the run is killed while it waits.
    let fleet = Fleet::start("        faults: {hang_on: [show version]}\n");
    let store = fleet.store();
    let mut child = fleet.spawn(&["apply", "--auto-approve", "-i", "hosts.yml", "play.yml"]);
    let deadline = Instant::now() + Duration::from_secs(90);
    let finished = |store: &Path| -> i64 {
        Connection::open(store)
            .and_then(|db| db.query_row("SELECT COUNT(*) FROM host_results", [], |r| r.get(0)))
            .unwrap_or(0)
    };
    // edge-2 and ghost finish; edge-1 never does.
    while finished(&store) < 2 {
        assert!(Instant::now() < deadline, "the other hosts did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let db = fleet.db();
    let (finished_at, recorded): (Option<i64>, i64) = db
        .query_row(
            "SELECT finished_at, (SELECT COUNT(*) FROM host_results) FROM runs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((finished_at, recorded), (None, 2));
    // The retry takes the host that never finished and the one that failed.
    let retry = fleet.smartlic(&[
        "apply",
        "--auto-approve",
        "-i",
        "hosts.yml",
        "play.yml",
        "--only-failed",
        "--format",
        "json",
        "--host-timeout",
        "5",
    ]);
    assert!(
        text(&retry.stderr).contains("2 host(s) left from run 1 (apply, which was interrupted)"),
        "{}",
        all(&retry)
    );
    assert_eq!(hosts_of(&json(&retry)), ["edge-1", "ghost"]);
}

#[test]
fn concurrent_runs_share_one_store() {
    let fleet = Fleet::start("");
    let store = fleet.store();
    let known_hosts = fleet.lab.known_hosts_file();
    let runs: Vec<_> = (0..3)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_smartlic"))
                .current_dir(fleet.dir.path())
                .args([
                    "plan",
                    "-i",
                    "hosts.yml",
                    "play.yml",
                    "--limit",
                    "edge-*",
                    "--known-hosts",
                ])
                .arg(&known_hosts)
                .env("SMARTLIC_STORE", &store)
                .env("SMARTLIC_TOKEN", &fleet.token)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let db = fleet.db();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL AND exit_code = 0"),
        3
    );
    assert_eq!(count("SELECT COUNT(*) FROM host_results"), 6);
    assert_eq!(count("SELECT COUNT(*) FROM licensing"), 6);
}
