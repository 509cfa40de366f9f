use std::path::Path;

use super::*;
use crate::live::HostRun;
use crate::platform::Platform;
use crate::platform::status::parse_license_status;

/// [NX-TS]'s NX-OS sample: registered, authorized, with every deadline.
const REGISTERED: &str = "Smart Licensing is ENABLED
Registration:
Status: REGISTERED
Smart Account: ldap_user_test
Virtual Account: Default
Initial Registration: SUCCEEDED on Jun 22 16:15:41 2022 UTC
Next Renewal Attempt: Dec 19 16:15:41 2022 UTC
Registration Expires: Jun 22 16:13:53 2023 UTC
License Authorization:
Status: AUTHORIZED on Jun 22 16:15:44 2022 UTC
Communication Deadline: Sep 20 16:12:55 2022 UTC
";

fn host(name: &str, outcome: Outcome, status: Option<&str>) -> HostRun {
    HostRun {
        host: name.into(),
        outcome,
        changed: false,
        failed_step: None,
        plan: None,
        status_before: None,
        licensing_before: None,
        licensing_after: status.map(|s| parse_license_status(Platform::NxOs, s).unwrap()),
        negotiated: None,
        steps: Vec::new(),
        millis: 5,
        sent: vec!["license smart register idtoken <redacted>".into()],
        findings: None,
        preflight: None,
        fixes: Vec::new(),
    }
}

fn info(playbook: &Path, targets: &[&str]) -> RunInfo {
    RunInfo {
        verb: "apply".into(),
        playbook: Some(playbook.to_path_buf()),
        targets: targets.iter().map(|s| s.to_string()).collect(),
        ..RunInfo::default()
    }
}

#[test]
fn records_hosts_with_their_deadlines_as_instants() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("sub/state.db")).unwrap();
    let run = store.begin_run(&info(dir.path(), &["a", "b"])).unwrap();
    store
        .record_hosts(run, &[host("a", Outcome::Changed, Some(REGISTERED))])
        .unwrap();
    store.finish_run(run, 0).unwrap();
    let seen = store.latest_licensing().unwrap();
    assert_eq!(seen.len(), 1);
    let a = &seen[0];
    assert_eq!((a.host.as_str(), a.run_id), ("a", run));
    assert_eq!(a.state, "REGISTERED / AUTHORIZED");
    assert_eq!(a.smart_account.as_deref(), Some("ldap_user_test"));
    // Sep 20 16:12:55 2022 UTC and Jun 22 16:13:53 2023 UTC.
    assert_eq!(a.communication_deadline, Some(1_663_690_375));
    assert_eq!(a.registration_expires, Some(1_687_450_433));
    let sent: String = store
        .conn
        .query_row(
            "SELECT commands FROM host_results WHERE host = 'a'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sent, r#"["license smart register idtoken <redacted>"]"#);
}

#[test]
fn reopening_keeps_the_schema_and_the_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let first = Store::open(&path)
        .unwrap()
        .begin_run(&info(dir.path(), &["a"]))
        .unwrap();
    let store = Store::open(&path).unwrap();
    let second = store.begin_run(&info(dir.path(), &["a"])).unwrap();
    assert_eq!(second, first + 1);
    let version: i64 = store
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version as usize, MIGRATIONS.len());
}

#[test]
fn only_failed_takes_the_failed_unreachable_and_unfinished_hosts_of_the_last_run() {
    let dir = tempfile::tempdir().unwrap();
    let playbook = dir.path().join("site.yml");
    std::fs::write(&playbook, "[]").unwrap();
    let mut store = Store::open(&dir.path().join("state.db")).unwrap();
    assert!(store.last_failed(&playbook).unwrap().is_none());

    let run = store
        .begin_run(&info(&playbook, &["a", "b", "c", "d"]))
        .unwrap();
    store
        .record_hosts(
            run,
            &[
                host("a", Outcome::Ok, None),
                host("b", Outcome::Failed("refused".into()), None),
                host("c", Outcome::Unreachable("timeout".into()), None),
            ],
        )
        .unwrap();
    // Killed before `d` finished and before `finish_run`.
    let last = store.last_failed(&playbook).unwrap().unwrap();
    assert_eq!((last.id, last.interrupted), (run, true));
    assert_eq!(last.hosts, ["b", "c", "d"]);

    // A later run of another playbook does not count.
    let other = dir.path().join("other.yml");
    std::fs::write(&other, "[]").unwrap();
    store.begin_run(&info(&other, &["a"])).unwrap();
    assert_eq!(store.last_failed(&playbook).unwrap().unwrap().id, run);
    // Nor does a later plan or verify of the same playbook: they change nothing, and
    // would hide the apply's failures.
    for verb in ["plan", "verify"] {
        let read_only = RunInfo {
            verb: verb.into(),
            ..info(&playbook, &["a", "b", "c", "d"])
        };
        let id = store.begin_run(&read_only).unwrap();
        store.finish_run(id, 0).unwrap();
    }
    assert_eq!(store.last_failed(&playbook).unwrap().unwrap().id, run);

    // Re-running the failed ones: only what still fails is left.
    let retry = store.begin_run(&info(&playbook, &["b", "c", "d"])).unwrap();
    store
        .record_hosts(
            retry,
            &[
                host("b", Outcome::Changed, None),
                host("c", Outcome::Ok, None),
                host("d", Outcome::Failed("CAT-5".into()), None),
            ],
        )
        .unwrap();
    store.finish_run(retry, 1).unwrap();
    let last = store.last_failed(&playbook).unwrap().unwrap();
    assert_eq!((last.id, last.interrupted), (retry, false));
    assert_eq!(last.hosts, ["d"]);
}

#[test]
fn the_latest_observation_of_each_host_wins() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("state.db")).unwrap();
    let unregistered = "Smart Licensing is ENABLED\nRegistration:\nStatus: UNREGISTERED\n\
                        License Authorization:\nStatus: EVAL MODE\n\
                        Evaluation Period Remaining: 10 days, 0 hours, 0 minutes, 0 seconds\n";
    let run = store.begin_run(&info(dir.path(), &["a"])).unwrap();
    store
        .record_hosts(run, &[host("a", Outcome::Ok, Some(REGISTERED))])
        .unwrap();
    // A second observation in a later second.
    store
        .conn
        .execute("UPDATE licensing SET observed_at = observed_at - 10", [])
        .unwrap();
    let later = store.begin_run(&info(dir.path(), &["a"])).unwrap();
    store
        .record_hosts(later, &[host("a", Outcome::Ok, Some(unregistered))])
        .unwrap();
    let seen = store.latest_licensing().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].run_id, later);
    assert_eq!(seen[0].state, "UNREGISTERED / EVAL MODE");
    let left = seen[0].evaluation_ends.unwrap() - seen[0].observed_at;
    assert_eq!(left, 10 * 86_400);
}

#[test]
fn concurrent_writers_on_one_store_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    Store::open(&path).unwrap();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (path, dir) = (path.clone(), dir.path().to_path_buf());
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let run = store.begin_run(&info(&dir, &[])).unwrap();
                for i in 0..50 {
                    let name = format!("w{w}-h{i}");
                    store
                        .record_hosts(run, &[host(&name, Outcome::Ok, Some(REGISTERED))])
                        .unwrap();
                }
                store.finish_run(run, 0).unwrap();
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let count = |sql: &str| -> i64 { store.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM host_results"), 200);
    assert_eq!(
        count("SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL"),
        4
    );
    assert_eq!(store.latest_licensing().unwrap().len(), 200);
}

#[test]
fn the_writer_commits_every_host_and_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let writer =
        Writer::start(Store::open(&path).unwrap(), &info(dir.path(), &["a", "b"])).unwrap();
    let run = writer.run_id();
    writer.record(&host("a", Outcome::Ok, Some(REGISTERED)));
    writer.record(&host("b", Outcome::Failed("x".into()), None));
    writer.finish(1).unwrap();
    let store = Store::open(&path).unwrap();
    let (hosts, exit): (i64, i64) = store
        .conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM host_results WHERE run_id = ?1), exit_code FROM runs WHERE id = ?1",
            [run],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((hosts, exit), (2, 1));
}
