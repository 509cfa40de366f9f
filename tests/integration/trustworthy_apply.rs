//! `apply` as a careful engineer needs it on a production fleet: nothing is touched until
//! everything a host's run needs is known, through the real binary against lab devices
//! over SSH.

use std::process::Output;

use crate::run_store::Fleet;
use crate::support::{smartlic, text};

fn all(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// The lines of `show running-config` that a run of the fleet's intent would add.
fn callhome_lines(fleet: &Fleet, device: &str) -> Vec<String> {
    fleet
        .lab
        .exec(device, "show running-config")
        .lines()
        .filter(|l| l.contains("call-home") || l.contains("destination address http"))
        .map(str::to_string)
        .collect()
}

#[test]
fn an_unset_token_stops_apply_before_any_device_is_touched() {
    let fleet = Fleet::start("");
    let before = callhome_lines(&fleet, "edge-1");
    let out = fleet.smartlic_env(&["apply", "-i", "hosts.yml", "play.yml"], &[]);
    let said = all(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(
        said.contains("environment variable SMARTLIC_TOKEN is not set"),
        "{said}"
    );
    // Each host that would register with it is named, and the file that set the source.
    assert!(said.contains("hosts.yml:"), "{said}");
    assert!(said.contains("edge-1, edge-2"), "{said}");
    // No host was started: no progress line, no config change.
    assert!(!said.contains("edge-1: connect"), "{said}");
    assert_eq!(callhome_lines(&fleet, "edge-1"), before);

    // validate and a live plan report the same problem (plan: for the hosts that would
    // register), before and without any change.
    let validate = smartlic(
        fleet.dir.path(),
        &["validate", "-i", "hosts.yml", "play.yml"],
    );
    assert_eq!(validate.status.code(), Some(3), "{}", all(&validate));
    assert!(all(&validate).contains("SMARTLIC_TOKEN is not set"));
    let plan = fleet.smartlic_env(
        &["plan", "-i", "hosts.yml", "play.yml", "--limit", "edge-1"],
        &[],
    );
    let said = all(&plan);
    assert_eq!(plan.status.code(), Some(1), "{said}");
    assert!(
        said.contains("it would register, but the environment variable SMARTLIC_TOKEN is not set"),
        "{said}"
    );
}

#[test]
fn a_token_file_that_is_a_folder_or_holds_two_lines_is_refused_up_front() {
    let fleet = Fleet::start("");
    let dir = fleet.dir.path();
    std::fs::create_dir(dir.join("token-dir")).unwrap();
    std::fs::write(dir.join("two-lines"), "abc\ndef\n").unwrap();
    for (file, expected) in [
        ("token-dir", "is a folder"),
        ("two-lines", "has 2 lines"),
        ("absent", "cannot read the token file"),
    ] {
        let inventory = std::fs::read_to_string(dir.join("hosts.yml")).unwrap();
        let source = format!("token: {{file: {}}}", dir.join(file).display());
        let inventory = inventory.replace("token: {env: SMARTLIC_TOKEN}", &source);
        std::fs::write(dir.join("by-file.yml"), inventory).unwrap();
        let out = fleet.smartlic_env(
            &[
                "apply",
                "-i",
                "by-file.yml",
                "play.yml",
                "--limit",
                "edge-1",
            ],
            &[],
        );
        let said = all(&out);
        assert_eq!(out.status.code(), Some(3), "{file}: {said}");
        assert!(said.contains(expected), "{file}: {said}");
        assert!(!said.contains("edge-1: connect"), "{file}: {said}");
    }
}

/// `validate` accepts what the live verbs accept: without `os_version`, the licensing
/// model is read from the device. Only the offline verbs need it.
#[test]
fn validate_accepts_what_apply_accepts_and_offline_verbs_still_need_os_version() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hosts.yml"),
        "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("play.yml"),
        "- name: all\n  hosts: all\n  steps: [configure]\n",
    )
    .unwrap();
    let validate = smartlic(dir.path(), &["validate", "-i", "hosts.yml", "play.yml"]);
    assert_eq!(validate.status.code(), Some(0), "{}", all(&validate));
    let render = smartlic(dir.path(), &["render", "-i", "hosts.yml", "play.yml"]);
    let said = all(&render);
    assert_eq!(render.status.code(), Some(3), "{said}");
    assert!(
        said.contains("hosts.yml:3:5: smart_licensing.licensing_model: is `auto` but the host has no `os_version` to decide from offline"),
        "{said}"
    );
}
