//! `apply` as a careful engineer needs it on a production fleet: nothing is touched until
//! everything a host's run needs is known, through the real binary against lab devices
//! over SSH.

use std::process::Output;

use crate::run_store::Fleet;
use crate::support::{smartlic, text};

/// A folder holding `hosts.yml` (the given text) and `play.yml`, one play that only
/// configures every host.
fn offline_dir(hosts: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hosts.yml"), hosts).unwrap();
    std::fs::write(
        dir.path().join("play.yml"),
        "- name: all\n  hosts: all\n  steps: [configure]\n",
    )
    .unwrap();
    dir
}

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
    let out = fleet.smartlic_env(
        &["apply", "--auto-approve", "-i", "hosts.yml", "play.yml"],
        &[],
    );
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
                "--auto-approve",
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
    let dir = offline_dir("all:\n  hosts:\n    sw1:\n      platform: ios-xe\n");
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

/// `smartlic plan --out FILE` then `smartlic apply FILE`, nothing else on the command line:
/// the recorded inputs (here a `-e` and a `--limit`) are used again, and the devices end
/// as planned. The plan file holds no secret.
#[test]
fn a_saved_plan_records_its_inputs_and_applies_alone() {
    let fleet = Fleet::start("");
    let contact = "smart_licensing.contact_email=noc@example.com";
    let plan = fleet.smartlic(&[
        "plan",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-*",
        "-e",
        contact,
        "--out",
        "plan.json",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", all(&plan));
    let detailed = fleet.smartlic(&[
        "plan",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-*",
        "--detailed-exitcode",
    ]);
    assert_eq!(detailed.status.code(), Some(2), "{}", all(&detailed));
    let file = std::fs::read_to_string(fleet.dir.path().join("plan.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(doc["inputs"]["limit"], "edge-*");
    assert_eq!(doc["inputs"]["extra_vars"][0], contact);
    let files: Vec<&str> = doc["inputs"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"hosts.yml") && files.contains(&"play.yml"),
        "{files:?}"
    );
    assert!(!file.contains(&fleet.token) && !file.contains(crate::lab_harness::PASSWORD));

    let apply = fleet.smartlic(&["apply", "plan.json"]);
    let said = all(&apply);
    assert_eq!(apply.status.code(), Some(0), "{said}");
    assert!(
        said.contains("2 hosts: 0 ok, 2 changed, 0 failed"),
        "{said}"
    );
    for device in ["edge-1", "edge-2"] {
        let config = fleet
            .lab
            .exec(device, "show running-config | section call-home");
        assert!(
            config.contains("contact-email-addr noc@example.com"),
            "{config}"
        );
    }
}

/// A plan file is input too: a line added by hand is never typed, a changed inventory
/// refuses the whole plan naming the file, and a drifted device refuses its host.
#[test]
fn an_edited_plan_a_changed_input_or_a_drifted_device_is_refused() {
    let fleet = Fleet::start("");
    let dir = fleet.dir.path();
    let plan = fleet.smartlic(&[
        "plan",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-*",
        "--out",
        "plan.json",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", all(&plan));
    let text = std::fs::read_to_string(dir.join("plan.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let commands = doc["hosts"][0]["plan"]["commands"].as_array_mut().unwrap();
    commands.push("username intruder privilege 15 secret x".into());
    std::fs::write(dir.join("edited.json"), doc.to_string()).unwrap();
    // Someone changes edge-2 between plan and apply.
    fleet.lab.session(
        "edge-2",
        &[
            "enable",
            "configure terminal",
            "call-home",
            "contact-email-addr x@example.com",
            "end",
            "exit",
        ],
    );

    let apply = fleet.smartlic(&["apply", "edited.json"]);
    let said = all(&apply);
    assert_eq!(apply.status.code(), Some(1), "{said}");
    assert!(
        said.contains("the saved plan's lines are not the ones the intent gives"),
        "{said}"
    );
    assert!(said.contains("username intruder privilege 15"), "{said}");
    assert!(said.contains("changed since the plan was made"), "{said}");
    for device in ["edge-1", "edge-2"] {
        let config = fleet.lab.exec(device, "show running-config");
        assert!(!config.contains("intruder"), "{config}");
        assert!(
            !config.contains("destination address http"),
            "nothing pushed: {config}"
        );
    }

    // A plan pointed at another inventory than the one whose digest it holds.
    doc = serde_json::from_str(&text).unwrap();
    doc["inputs"]["inventory"] = "/etc/passwd".into();
    std::fs::write(dir.join("elsewhere.json"), doc.to_string()).unwrap();
    let apply = fleet.smartlic(&["apply", "elsewhere.json"]);
    let said = all(&apply);
    assert_eq!(apply.status.code(), Some(3), "{said}");
    assert!(
        said.contains("does not record the digests of its inventory"),
        "{said}"
    );
    assert!(!said.contains("root:"), "{said}");

    let inventory = std::fs::read_to_string(dir.join("hosts.yml")).unwrap();
    std::fs::write(dir.join("hosts.yml"), inventory.replace("30s", "40s")).unwrap();
    let apply = fleet.smartlic(&["apply", "plan.json"]);
    let said = all(&apply);
    assert_eq!(apply.status.code(), Some(3), "{said}");
    assert!(
        said.contains("inputs changed since the plan was made: hosts.yml (changed)"),
        "{said}"
    );
}

/// Terraform's rule: without a terminal to ask on and without --auto-approve, apply
/// stops before touching anything (exit 4). An inline secret is never saved in a plan.
#[test]
fn apply_needs_approval_and_a_plan_never_holds_an_inline_secret() {
    let fleet = Fleet::start("");
    let apply = fleet.smartlic(&["apply", "-i", "hosts.yml", "play.yml"]);
    let said = all(&apply);
    assert_eq!(apply.status.code(), Some(4), "{said}");
    assert!(said.contains("--auto-approve"), "{said}");
    assert!(!said.contains("edge-1: connect"), "{said}");
    let config = fleet.lab.exec("edge-1", "show running-config");
    assert!(!config.contains("destination address http"), "{config}");

    let out = fleet.smartlic(&[
        "plan",
        "-i",
        "hosts.yml",
        "play.yml",
        "-e",
        "ansible_password=CANARY-PW-1",
        "--out",
        "p.json",
    ]);
    let said = all(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(said.contains("`ansible_password`"), "{said}");
    assert!(!said.contains("CANARY-PW-1") && !fleet.dir.path().join("p.json").exists());
}

/// On a terminal, apply shows the plan and asks as Terraform does; anything but `yes`
/// cancels with nothing changed, `yes` applies exactly what was shown.
#[test]
fn on_a_terminal_apply_shows_the_plan_and_asks() {
    let fleet = Fleet::start("");
    let on_a_terminal = |answer: &str| {
        let command = format!(
            "{} apply -i hosts.yml play.yml --limit edge-1 --known-hosts {}",
            env!("CARGO_BIN_EXE_smartlic"),
            fleet.lab.known_hosts_file().display()
        );
        let mut child = std::process::Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .current_dir(fleet.dir.path())
            .env("SMARTLIC_TOKEN", &fleet.token)
            .env("SMARTLIC_STORE", fleet.dir.path().join("store.db"))
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("script(1) from util-linux runs");
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        (out.status.code(), all(&out))
    };
    let (code, said) = on_a_terminal("no");
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("+ip name-server 198.51.100.53") && said.contains("PLAN RECAP"),
        "the plan is shown: {said}"
    );
    assert!(
        said.contains("Apply these changes to 1 host(s)? Only 'yes' will be accepted:"),
        "{said}"
    );
    assert!(said.contains("Apply cancelled."), "{said}");
    let config = fleet.lab.exec("edge-1", "show running-config");
    assert!(!config.contains("ip name-server"), "{config}");

    let (code, said) = on_a_terminal("yes");
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("APPLY RECAP"), "{said}");
    assert!(
        said.contains("1 hosts: 0 ok, 1 changed, 0 failed"),
        "{said}"
    );
    let config = fleet.lab.exec("edge-1", "show running-config");
    assert!(config.contains("ip name-server 198.51.100.53"), "{config}");
    let status = fleet.lab.exec("edge-1", "show license status");
    assert!(status.contains("Status: REGISTERED"), "{status}");
}

/// The recap says what happened to each device, as Ansible's does: configured and saved,
/// then failed, is `changed, failed` with the step; the JSON report and the run store say
/// the same.
#[test]
fn a_host_changed_then_failed_is_reported_as_both_with_its_step() {
    // edge-1's back-end is only reachable through a VRF the intent does not name: the
    // config goes in and is saved, then the registration fails.
    let fleet = Fleet::start("        reaches: [Mgmt-vrf]\n");
    let out = fleet.smartlic(&[
        "apply",
        "--auto-approve",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-*",
        "--no-preflight",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let edge1 = doc["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["host"] == "edge-1")
        .unwrap();
    assert_eq!(edge1["outcome"]["result"], "failed", "{edge1}");
    assert_eq!(edge1["changed"], true, "{edge1}");
    assert_eq!(edge1["failed_step"], "wait for licensing", "{edge1}");
    let edge2 = doc["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["host"] == "edge-2")
        .unwrap();
    assert_eq!(
        (&edge2["outcome"]["result"], &edge2["changed"]),
        (&"changed".into(), &true.into())
    );
    let stored: (bool, String) = fleet
        .db()
        .query_row(
            "SELECT changed, failed_step FROM host_results WHERE host = 'edge-1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(stored, (true, "wait for licensing".to_string()));

    // The human recap and the Markdown report say it too (a second apply: edge-1 still
    // cannot register, and its config is already there, so it is not changed now).
    let again = fleet.smartlic(&[
        "apply",
        "--auto-approve",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-1",
        "--no-preflight",
    ]);
    let said = all(&again);
    assert!(
        said.contains("edge-1  failed in wait for licensing: registration failed"),
        "{said}"
    );
}

/// A deadline hit after login is the host's failure in the step it stopped in; only a
/// host no session could be opened to is unreachable.
#[test]
fn a_deadline_after_login_is_a_failure_in_its_step() {
    let fleet = Fleet::start("        faults: {hang_on: [show license status]}\n");
    let out = fleet.smartlic(&["plan", "-i", "hosts.yml", "play.yml", "--host-timeout", "3"]);
    let said = all(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("edge-1  failed in read facts: timed out in read facts after 3s"),
        "{said}"
    );
    assert!(
        said.contains("unreachable in connect: cannot connect"),
        "{said}"
    );
}

/// `verify` names each value that differs: every drifted line, the state, the accounts;
/// in JUnit, under the `verify` step.
#[test]
fn verify_names_each_differing_value() {
    let fleet = Fleet::start("");
    let apply = fleet.smartlic(&[
        "apply",
        "--auto-approve",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-1",
    ]);
    assert_eq!(apply.status.code(), Some(0), "{}", all(&apply));
    fleet.lab.session(
        "edge-1",
        &[
            "enable",
            "configure terminal",
            "no ip name-server 198.51.100.53",
            "end",
            "exit",
        ],
    );
    let out = fleet.smartlic(&[
        "verify",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-1",
        "-e",
        "smart_licensing.expect.virtual_account=Lab-VA",
        "--junit",
        "junit.xml",
    ]);
    let said = all(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("edge-1  failed in verify: the configuration drifted from the intent: `+ip name-server 198.51.100.53`; virtual account is Default, expected Lab-VA"),
        "{said}"
    );
    let junit = std::fs::read_to_string(fleet.dir.path().join("junit.xml")).unwrap();
    let case = junit
        .split("<testcase")
        .find(|c| c.contains("name=\"verify\""))
        .expect("a verify case");
    assert!(
        case.contains("<failure message=\"failed: in verify: the configuration drifted"),
        "{junit}"
    );
    assert!(
        case.contains("virtual account is Default, expected Lab-VA"),
        "{junit}"
    );
}

/// A registration wait uses the whole `expect.timeout`: with a back-end answering each
/// call after 4 s (registration, then authorization: about 8 s) and a 13 s timeout, the
/// wait does not give up at its 6 s poll (the next backoff would overshoot the deadline)
/// but polls again at the deadline, when the device is authorized.
#[test]
fn a_registration_wait_uses_the_whole_timeout() {
    let fleet = Fleet::start("");
    let mut faults = fleet.lab.backend.faults();
    faults.cssm.delay_ms = 4_000;
    fleet.lab.backend.set_faults(faults);
    let out = fleet.smartlic(&[
        "apply",
        "--auto-approve",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-1",
        "--no-preflight",
        "-e",
        "smart_licensing.expect.timeout=13s",
    ]);
    let said = all(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("1 hosts: 0 ok, 1 changed, 0 failed"),
        "{said}"
    );
}

/// Usage errors are coloured as the rest of the output is: never through a pipe, with
/// `NO_COLOR` or `--color never`; with `--color always`, yes. Suggestions are right or
/// absent.
#[test]
fn usage_errors_honour_colour_settings_and_suggest_only_close_words() {
    // smartlic's own suggestions, further down: a swapped pair is found, a far-off word
    // gets none.
    let dir = offline_dir(
        "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 17.9.4\n      smart_licensing: {vfr: Mgmt, xyz: 1}\n",
    );
    let run = |args: &[&str]| smartlic(dir.path(), args);
    for args in [
        &["plan", "--bogus"][..],
        &["plan", "--bogus", "--color", "never"],
        &["plan", "--bogus", "--color=never"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(4));
        assert!(
            !text(&out.stderr).contains('\u{1b}'),
            "{args:?}: {:?}",
            text(&out.stderr)
        );
    }
    let coloured = run(&["plan", "--bogus", "--color", "always"]);
    assert!(
        text(&coloured.stderr).contains("\u{1b}["),
        "{:?}",
        text(&coloured.stderr)
    );
    let typo = run(&["apply", "--auto-aprove"]);
    assert!(text(&typo.stderr).contains("a similar argument exists: '--auto-approve'"));
    let said = all(&run(&["validate", "-i", "hosts.yml", "play.yml"]));
    assert!(
        said.contains("smart_licensing.vfr: unknown key\n") && said.contains("did you mean `vrf`?"),
        "{said}"
    );
    let xyz = said.split("smart_licensing.xyz").nth(1).unwrap();
    assert!(!xyz.contains("did you mean"), "{said}");
}

/// `-i FOLDER` as Ansible reads it: every YAML file in it makes one inventory, with the
/// group_vars/ and host_vars/ inside the folder; another file is named, not read.
#[test]
fn an_inventory_folder_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inventory");
    std::fs::create_dir_all(inv.join("group_vars")).unwrap();
    std::fs::create_dir_all(inv.join("host_vars")).unwrap();
    std::fs::write(
        inv.join("campus.yml"),
        "all:\n  children:\n    campus:\n      hosts:\n        sw1: {os_version: 17.9.4}\n",
    )
    .unwrap();
    std::fs::write(
        inv.join("dc.yaml"),
        "all:\n  children:\n    dc:\n      hosts:\n        leaf1: {platform: nx-os, os_version: 9.3(8)}\n",
    )
    .unwrap();
    std::fs::write(inv.join("group_vars/all.yml"), "platform: ios-xe\n").unwrap();
    std::fs::write(
        inv.join("host_vars/leaf1.yml"),
        "smart_licensing: {vrf: management}\n",
    )
    .unwrap();
    std::fs::write(inv.join("notes.txt"), "not an inventory\n").unwrap();
    std::fs::write(
        dir.path().join("play.yml"),
        "- name: a\n  hosts: all\n  steps: [configure]\n",
    )
    .unwrap();
    let out = smartlic(dir.path(), &["render", "-i", "inventory", "play.yml"]);
    let said = all(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("notes.txt is not read"), "{said}");
    assert!(said.contains("sw1") && said.contains("leaf1"), "{said}");
    assert!(
        said.contains("use-vrf management"),
        "host_vars inside the folder: {said}"
    );
}

/// Ctrl-C: no new host starts, the host in progress stops at a safe point (here before
/// registering, its config whole), the recap is printed, the run is recorded as
/// interrupted, and `apply --only-failed` resumes with what was left.
#[test]
fn ctrl_c_stops_at_a_safe_point_and_only_failed_resumes() {
    // Every command on edge-1 takes 400 ms: its apply is under way when Ctrl-C comes.
    let fleet = Fleet::start("        faults: {latency_ms: 400}\n");
    let child = fleet.spawn(&[
        "apply",
        "--auto-approve",
        "-i",
        "hosts.yml",
        "play.yml",
        "--forks",
        "1",
    ]);
    // Wait until edge-1 is being configured, then interrupt.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let said = all(&out);
    assert_eq!(out.status.code(), Some(130), "{said}");
    assert!(said.contains("APPLY RECAP"), "{said}");
    assert!(
        said.contains("edge-1  ") && said.contains("interrupted before"),
        "{said}"
    );
    assert!(
        said.contains("not started: the run was interrupted"),
        "{said}"
    );
    assert!(
        said.contains("`smartlic apply --only-failed` (same inventory and playbook) resumes"),
        "{said}"
    );
    // edge-1 was never left half-configured: its planned line is there whole, or not at all,
    // and the device is not in config mode (a new session starts at the exec prompt).
    let config = fleet.lab.exec("edge-1", "show running-config");
    let lines = config.matches("ip name-server 198.51.100.53").count();
    assert!(lines <= 1, "{config}");
    let interrupted: (bool, Option<i64>) = fleet
        .db()
        .query_row("SELECT interrupted, exit_code FROM runs", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(interrupted, (true, Some(130)));

    let resumed = fleet.smartlic(&[
        "apply",
        "--auto-approve",
        "-i",
        "hosts.yml",
        "play.yml",
        "--only-failed",
    ]);
    let said = all(&resumed);
    assert!(
        said.contains("--only-failed: 3 host(s) left from run 1 (apply, which was interrupted)"),
        "{said}"
    );
    assert!(said.contains("edge-2  changed"), "{said}");
}

/// Progress on a terminal: the run's elapsed time and a timer per active host, the total
/// line, and a failure shown as it happens (before the recap); in a pipe, one plain
/// line per step and per result.
#[test]
fn progress_shows_time_totals_and_failures_as_they_happen() {
    let fleet = Fleet::start("        faults: {latency_ms: 300}\n");
    let command = format!(
        "{} plan -i hosts.yml play.yml --known-hosts {}",
        env!("CARGO_BIN_EXE_smartlic"),
        fleet.lab.known_hosts_file().display()
    );
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(fleet.dir.path())
        .env("SMARTLIC_TOKEN", &fleet.token)
        .env("SMARTLIC_STORE", fleet.dir.path().join("store.db"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let screen = all(&out);
    assert!(
        screen.contains("00:00:0"),
        "the run's elapsed time: {screen}"
    );
    assert!(
        screen.contains("edge-1: read facts"),
        "a line per active host: {screen}"
    );
    assert!(screen.contains("/3 hosts"), "the total: {screen}");
    let failure = screen
        .find("ghost: unreachable in connect: cannot connect")
        .expect("the failure as it happened");
    assert!(failure < screen.find("PLAN RECAP").unwrap(), "{screen}");

    let piped = fleet.smartlic(&["plan", "-i", "hosts.yml", "play.yml"]);
    let lines = text(&piped.stderr);
    assert!(lines.contains("edge-1: read facts\n"), "{lines}");
    assert!(
        lines.contains("ghost: unreachable in connect: cannot connect"),
        "{lines}"
    );
    assert!(lines.contains("edge-2: to change\n"), "{lines}");
}

/// An intent error names the hosts it concerns: once for a group's vars, with each host.
#[test]
fn an_intent_error_names_every_host_it_concerns() {
    let dir = offline_dir(
        "all:\n  vars:\n    platform: ios-xe\n    os_version: 17.9.4\n    smart_licensing: {transport: bogus}\n  hosts:\n    sw1:\n    sw2:\n",
    );
    let out = smartlic(dir.path(), &["validate", "-i", "hosts.yml", "play.yml"]);
    let said = all(&out);
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert_eq!(
        said.matches("smart_licensing.transport").count(),
        1,
        "{said}"
    );
    assert!(said.contains("   = hosts: sw1, sw2\n"), "{said}");
    let json = smartlic(
        dir.path(),
        &[
            "validate",
            "-i",
            "hosts.yml",
            "play.yml",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        doc["diagnostics"][0]["hosts"],
        serde_json::json!(["sw1", "sw2"])
    );
}

/// Ansible's habits: `-C` is `--check` (a plan, nothing typed), `-f` is `--forks`, `--diff`
/// is accepted.
#[test]
fn ansible_short_flags_work() {
    let fleet = Fleet::start("");
    let out = fleet.smartlic(&[
        "apply",
        "-C",
        "-f",
        "2",
        "--diff",
        "-i",
        "hosts.yml",
        "play.yml",
        "--limit",
        "edge-1",
    ]);
    let said = all(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("PLAN RECAP") && said.contains("+ip name-server 198.51.100.53"),
        "{said}"
    );
    let config = fleet.lab.exec("edge-1", "show running-config");
    assert!(
        !config.contains("ip name-server"),
        "--check typed nothing: {config}"
    );
}

/// `smartlic apply PLAN` takes everything from the plan: a flag that would change what
/// it applies is a usage error, before anything is read.
#[test]
fn a_saved_plan_takes_no_selection_flags() {
    let dir = tempfile::tempdir().unwrap();
    for extra in [&["--limit", "sw1"][..], &["-e", "a=1"], &["--check"]] {
        let mut args = vec!["apply", "plan.json"];
        args.extend(extra);
        let out = smartlic(dir.path(), &args);
        let said = all(&out);
        assert_eq!(out.status.code(), Some(4), "{extra:?}: {said}");
        assert!(
            said.contains("takes its hosts, vars and templates from the plan"),
            "{said}"
        );
    }
}

/// An offline plan warns of a host without a saved config (it is planned against an
/// empty one) and of a token source that an apply would find missing.
#[test]
fn an_offline_plan_warns_of_missing_configs_and_tokens() {
    let dir = offline_dir(
        "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 17.9.4\n      smart_licensing: {token: {env: SMARTLIC_TEST_UNSET_TOKEN}}\n",
    );
    std::fs::write(dir.path().join("play.yml"), "- name: all\n  hosts: all\n").unwrap();
    std::fs::create_dir(dir.path().join("saved")).unwrap();
    let out = smartlic(
        dir.path(),
        &[
            "plan",
            "-i",
            "hosts.yml",
            "play.yml",
            "--offline",
            "--running-dir",
            "saved",
        ],
    );
    let said = all(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains(
            "warning: --running-dir: saved/sw1.cfg does not exist: planned against an empty config"
        ),
        "{said}"
    );
    assert!(
        said.contains("warning: hosts.yml:")
            && said.contains("SMARTLIC_TEST_UNSET_TOKEN is not set"),
        "{said}"
    );
}
