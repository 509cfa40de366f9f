//! The lab keeps its state between `--lab` runs (issue 11), through the real binary in a
//! working folder of its own with no store or lab folder given: what one run applies, the
//! next run verifies; `lab reset` forgets it; a saved state that cannot be used is a
//! warning and a factory lab; `--lab` runs keep their own run store. And `lab fleet
//! --address/--port`, so two fleets run on one machine.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{root, text};

/// The lab inventory's hosts that converge (campus-access-2 is broken on purpose).
const HEALTHY: &str = "all:!campus-access-2";

/// `smartlic ARGS` in `dir`, as a user runs it there: no `SMARTLIC_STORE`, no
/// `SMARTLIC_LAB_DIR`, so both default to `.smartlic/…` in `dir`.
fn smartlic(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smartlic"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SMARTLIC_STORE")
        .env_remove("SMARTLIC_LAB_DIR")
        .env_remove("SMARTLIC_TOKEN")
        .output()
        .expect("the smartlic binary runs")
}

fn inventory() -> String {
    root()
        .join("inventory/lab/hosts.yml")
        .to_string_lossy()
        .into_owned()
}

/// `VERB -i inventory/lab/hosts.yml playbooks/smart-licensing.yml --lab ARGS` in `dir`.
fn lab_verb(dir: &Path, verb: &str, args: &[&str]) -> Output {
    let inventory = inventory();
    let playbook = root().join("playbooks/smart-licensing.yml");
    let mut all = vec![verb, "-i", &inventory, playbook.to_str().unwrap(), "--lab"];
    all.extend(args);
    smartlic(dir, &all)
}

/// Every `apply` of these tests goes through here, and must succeed.
fn apply(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--auto-approve", "--format", "json"];
    all.extend(args);
    let out = lab_verb(dir, "apply", &all);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    json(&out)
}

fn verify(dir: &Path, args: &[&str]) -> (Output, serde_json::Value) {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let out = lab_verb(dir, "verify", &all);
    let doc = json(&out);
    (out, doc)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", both(out)))
}

fn both(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// Each host's result (`ok`, `changed`, `failed`, `unreachable`) in a live report.
fn outcomes(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["host"].as_str().unwrap().to_string(),
                h["outcome"]["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn all_are(doc: &serde_json::Value, result: &str) -> bool {
    let outcomes = outcomes(doc);
    !outcomes.is_empty() && outcomes.iter().all(|(_, r)| r == result)
}

/// The one saved state file in `dir`'s lab folder.
fn state_file(dir: &Path) -> PathBuf {
    let lab = dir.join(".smartlic/lab");
    let folders: Vec<PathBuf> = std::fs::read_dir(&lab)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    folders[0].join("state.json")
}

#[test]
fn what_one_lab_run_applies_the_next_lab_run_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let applied = apply(dir.path(), &["--limit", HEALTHY]);
    assert!(all_are(&applied, "changed"), "{:?}", outcomes(&applied));
    assert_eq!(outcomes(&applied).len(), 7);

    // A second process: the devices are as the apply left them, registered.
    let (out, verified) = verify(dir.path(), &["--limit", HEALTHY]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(all_are(&verified, "ok"), "{:?}", outcomes(&verified));
    assert!(
        text(&out.stderr).contains("lab: 8 device(s) resumed from .smartlic/lab/hosts-"),
        "{}",
        text(&out.stderr)
    );

    // The lab's own run store has them registered; the real store was never touched.
    let out = smartlic(dir.path(), &["status", "--lab", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let status = json(&out);
    assert_eq!(status["store"], ".smartlic/lab/state.db");
    let hosts = status["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 7, "{status:#}");
    for host in hosts {
        let state = host["state"].as_str().unwrap_or_default();
        assert!(
            state == "REGISTERED / AUTHORIZED" || state == "TRUSTED",
            "{host:#}"
        );
    }
    assert!(dir.path().join(".smartlic/lab/state.db").is_file());
    assert!(!dir.path().join(".smartlic/state.db").exists());
    // Without --lab, status reads the real store, which no run wrote.
    let out = smartlic(dir.path(), &["status"]);
    assert_eq!(out.status.code(), Some(3), "{}", both(&out));
    assert!(
        text(&out.stderr).contains("no run store at .smartlic/state.db"),
        "{}",
        both(&out)
    );
}

#[test]
fn lab_reset_forgets_the_saved_lab() {
    let dir = tempfile::tempdir().unwrap();
    let applied = apply(dir.path(), &["--limit", "campus-core-1"]);
    assert!(all_are(&applied, "changed"), "{:?}", outcomes(&applied));
    let folder = state_file(dir.path()).parent().unwrap().to_path_buf();
    let folder = folder
        .strip_prefix(dir.path())
        .unwrap()
        .display()
        .to_string();

    let inventory = inventory();
    let out = smartlic(dir.path(), &["lab", "reset", "-i", &inventory]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        text(&out.stdout).starts_with(&format!(
            "removed {folder} (the saved lab of {inventory})\n"
        )),
        "{}",
        both(&out)
    );

    // Factory state again: the device shows the drift the apply had fixed.
    let (out, verified) = verify(dir.path(), &["--limit", "campus-core-1"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(all_are(&verified, "failed"), "{:?}", outcomes(&verified));
    assert!(!text(&out.stderr).contains("resumed"), "{}", both(&out));

    // Without -i: every inventory's saved lab (here the one that verify saved).
    let out = smartlic(dir.path(), &["lab", "reset"]);
    assert!(
        text(&out.stdout).starts_with(&format!("removed {folder} (the saved lab of ")),
        "{}",
        both(&out)
    );
    let out = smartlic(dir.path(), &["lab", "reset"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(text(&out.stdout), "no saved lab in .smartlic/lab\n");
}

#[test]
fn a_saved_lab_that_cannot_be_used_is_a_warning_and_a_factory_lab() {
    let dir = tempfile::tempdir().unwrap();
    apply(dir.path(), &["--limit", "campus-core-1"]);
    let state = state_file(dir.path());
    let saved = std::fs::read_to_string(&state).unwrap();
    let shown = state
        .strip_prefix(dir.path())
        .unwrap()
        .display()
        .to_string();

    std::fs::write(&state, &saved[..saved.len() / 2]).unwrap();
    let (out, verified) = verify(dir.path(), &["--limit", "campus-core-1"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "warning: the saved lab {shown} is not used (not a lab state file: EOF while parsing"
        )) && stderr.contains("the lab starts from factory state\n"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(all_are(&verified, "failed"), "{:?}", outcomes(&verified));

    // A state of another format (another smartlic version) is not read either.
    std::fs::write(
        &state,
        saved.replacen("{\"format\":1,", "{\"format\":99,", 1),
    )
    .unwrap();
    let (out, verified) = verify(dir.path(), &["--limit", "campus-core-1"]);
    assert!(
        text(&out.stderr).contains(&format!(
            "warning: the saved lab {shown} is not used (written in lab state format 99; this smartlic reads format 1); the lab starts from factory state"
        )),
        "{}",
        both(&out)
    );
    assert!(all_are(&verified, "failed"), "{:?}", outcomes(&verified));
}

/// Waits until something listens at every address (bounded).
fn wait_listening(addresses: &[&str]) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    let listening = |a: &&str| {
        let addr: SocketAddr = a.parse().unwrap();
        TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
    };
    while Instant::now() < deadline {
        if addresses.iter().all(listening) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn two_fleets_run_side_by_side_at_their_own_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = |address: &str, file: &str| {
        Command::new(env!("CARGO_BIN_EXE_smartlic"))
            .current_dir(dir.path())
            .args(["lab", "fleet", "--count", "3", "--port", "2300"])
            .args(["--address", address, "--write-inventory", file])
            .args(["--stop-after", "15"])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = fleet("127.0.3.0/24", "first.yml");
    let second = fleet("127.0.4.7", "second.yml");
    // Both serve at once, on the same port at their own addresses.
    let listening = wait_listening(&[
        "127.0.3.1:2300",
        "127.0.3.3:2300",
        "127.0.4.7:2300",
        "127.0.4.9:2300",
    ]);
    let first = first.wait_with_output().unwrap();
    let second = second.wait_with_output().unwrap();
    assert!(listening, "{}\n{}", both(&first), both(&second));
    for (out, address) in [(&first, "127.0.3.1"), (&second, "127.0.4.7")] {
        assert_eq!(out.status.code(), Some(0), "{}", both(out));
        let stdout = text(&out.stdout);
        assert!(stdout.starts_with("lab: 3 device(s) up"), "{stdout}");
        assert!(
            stdout.contains(&format!("ssh -p 2300 admin@{address}\n")),
            "{stdout}"
        );
    }
    let written = std::fs::read_to_string(dir.path().join("first.yml")).unwrap();
    assert!(written.contains("    ansible_port: 2300\n"), "{written}");
    assert!(written.contains("ansible_host: 127.0.3.3\n"), "{written}");

    // Outside loopback: refused, nothing written.
    for address in ["10.0.0.1", "10.0.0.0/24", "127.0.0.0/7"] {
        let out = smartlic(
            dir.path(),
            &[
                "lab",
                "fleet",
                "--count",
                "3",
                "--address",
                address,
                "--write-inventory",
                "refused.yml",
                "--stop-after",
                "1",
            ],
        );
        assert_eq!(out.status.code(), Some(4), "{}", both(&out));
        assert!(
            text(&out.stderr).contains(&format!(
                "error: --address `{address}` is outside 127.0.0.0/8: lab devices listen on loopback addresses only"
            )),
            "{}",
            both(&out)
        );
        assert!(!dir.path().join("refused.yml").exists());
    }
}
