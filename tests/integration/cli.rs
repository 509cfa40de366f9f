//! The command line end to end: shipped examples, the offline plan, exit codes, secrets.

use crate::support::{check_golden, root, smartlic, smartlic_env, smartlic_with_tokens, text};

const INVENTORY: &str = "inventory/example/hosts.yml";
const PLAYBOOK: &str = "playbooks/smart-licensing.yml";
const RUNNING: &str = "tests/fixtures/running";

fn plan(extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "plan",
        "-i",
        INVENTORY,
        PLAYBOOK,
        "--offline",
        "--running-dir",
        RUNNING,
    ];
    args.extend_from_slice(extra);
    smartlic(&root(), &args)
}

#[test]
fn every_shipped_example_validates() {
    let mut checked = 0;
    for inventory in std::fs::read_dir(root().join("inventory")).unwrap() {
        let hosts = inventory.unwrap().path().join("hosts.yml");
        for playbook in std::fs::read_dir(root().join("playbooks")).unwrap() {
            let playbook = playbook.unwrap().path();
            let out = smartlic_with_tokens(
                &root(),
                &[
                    "validate",
                    "-i",
                    hosts.to_str().unwrap(),
                    playbook.to_str().unwrap(),
                ],
            );
            assert_eq!(
                out.status.code(),
                Some(0),
                "{} with {}: {}",
                hosts.display(),
                playbook.display(),
                text(&out.stderr)
            );
            assert!(text(&out.stdout).starts_with("valid: "));
            checked += 1;
        }
    }
    assert!(checked >= 1);
}

#[test]
fn offline_plan_of_the_example_matches_golden_output() {
    let human = plan(&[]);
    assert_eq!(human.status.code(), Some(0), "{}", text(&human.stderr));
    let json = plan(&["--format", "json"]);
    assert_eq!(json.status.code(), Some(0));
    let markdown = plan(&["--format", "markdown"]);
    assert_eq!(markdown.status.code(), Some(0));
    let golden = root().join("tests/golden/plan");
    let failures: Vec<String> = [
        check_golden(&golden.join("example.txt"), &text(&human.stdout)),
        check_golden(&golden.join("example.json"), &text(&json.stdout)),
        check_golden(&golden.join("example.md"), &text(&markdown.stdout)),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_plan_has_the_documented_fields() {
    let out = plan(&["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format_version"], 1);
    for host in doc["hosts"].as_array().unwrap() {
        for field in [
            "host",
            "platform",
            "licensing_model",
            "changed",
            "commands",
            "diff",
            "register",
            "errors",
        ] {
            assert!(host.get(field).is_some(), "{field} missing in {host}");
        }
    }
    let leaf = doc["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["host"] == "dc-leaf-1")
        .unwrap();
    assert_eq!(
        leaf["commands"][1],
        "no destination-profile CiscoTAC-1 index 1 http http://tools.cisco.com/its/service/oddce/services/DDCEService"
    );
    assert_eq!(
        leaf["register"]["command"],
        "license smart register idtoken <redacted>"
    );
}

#[test]
fn exit_codes_follow_the_readme() {
    // A converged host: nothing to change.
    let converged = ["--limit", "branch-west-rtr", "--detailed-exitcode"];
    assert_eq!(plan(&converged).status.code(), Some(0));
    // Changes pending: 0, or 2 with --detailed-exitcode (Terraform's rule).
    assert_eq!(plan(&["--limit", "dc-leaf-1"]).status.code(), Some(0));
    let pending = ["--limit", "dc-leaf-1", "--detailed-exitcode"];
    assert_eq!(plan(&pending).status.code(), Some(2));
    // A host whose running config cannot be read fails; the others are still planned.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dc-leaf-1.cfg")).unwrap();
    let out = smartlic(
        &root(),
        &[
            "plan",
            "-i",
            INVENTORY,
            PLAYBOOK,
            "--offline",
            "--running-dir",
            dir.path().to_str().unwrap(),
            "--limit",
            "datacenter",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("dc-leaf-1 (nx-os, classic): failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("dc-leaf-2 (nx-os, policy): changes"),
        "{stdout}"
    );
    // Invalid input.
    let out = smartlic(&root(), &["validate", "-i", "nope.yml", PLAYBOOK]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("nope.yml"));
    // Usage errors.
    assert_eq!(
        smartlic(&root(), &["plan", "--bogus"]).status.code(),
        Some(4)
    );
    assert_eq!(
        smartlic(&root(), &["plan", "--offline", "-i", INVENTORY, PLAYBOOK])
            .status
            .code(),
        Some(4),
        "--offline needs --running-dir"
    );
    assert_eq!(smartlic(&root(), &["--help"]).status.code(), Some(0));
}

#[test]
fn the_token_never_appears_in_any_output() {
    let secret = "NjQ0ZmE5YzYtYjQ3Ni00YzNhLTk4ZDgtMWRmMDk5NTQ3ZWZj";
    let dir = tempfile::tempdir().unwrap();
    let inventory = format!(
        "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      smart_licensing:\n        token: {secret}\n        vrf: \"bad vrf\"\n"
    );
    std::fs::write(dir.path().join("hosts.yml"), inventory).unwrap();
    std::fs::write(dir.path().join("play.yml"), "- hosts: all\n").unwrap();
    let mut outputs = Vec::new();
    for format in ["human", "json"] {
        for verb in ["validate", "render", "plan"] {
            let mut args = vec![
                verb,
                "-i",
                "hosts.yml",
                "play.yml",
                "--format",
                format,
                "--allow-plaintext-token",
            ];
            if verb == "plan" {
                args.extend(["--offline", "--running-dir", "."]);
            }
            outputs.push(smartlic(dir.path(), &args));
            args.pop();
            outputs.push(smartlic(dir.path(), &args));
        }
    }
    outputs.push(smartlic_env(
        &root(),
        &[
            "plan",
            "-i",
            INVENTORY,
            PLAYBOOK,
            "--offline",
            "--running-dir",
            RUNNING,
            "--format",
            "json",
        ],
        &[("SMARTLIC_TOKEN", secret)],
    ));
    outputs.push(smartlic(
        dir.path(),
        &["inventory", "-i", "hosts.yml", "--host", "sw1"],
    ));
    for out in &outputs {
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(secret), "token leaked:\n{all}");
    }
    // The bad vrf is reported, so the runs above did read the file.
    assert!(text(&outputs[0].stderr).contains("smart_licensing.vrf"));
}

#[test]
fn inventory_host_shows_where_each_value_came_from() {
    let out = smartlic(
        &root(),
        &["inventory", "-i", INVENTORY, "--host", "campus-access-1"],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let line = |key: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("vrf:").ends_with("# inventory/example/group_vars/campus.yml:4"),
        "{stdout}"
    );
    assert!(
        line("trust_scope:").ends_with("# inventory/example/host_vars/campus-access-1.yml:3"),
        "{stdout}"
    );
    assert!(line("save:").ends_with("# default"), "{stdout}");
    assert!(line("token:").contains("env:SMARTLIC_TOKEN"), "{stdout}");
}

#[test]
fn extra_vars_win_over_the_inventory() {
    let out = smartlic(
        &root(),
        &[
            "render",
            "-i",
            INVENTORY,
            PLAYBOOK,
            "--limit",
            "branch-west-rtr",
            "-e",
            "smart_licensing.proxy.port=8080",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(" http-proxy \"proxy.branch.example.net\" port 8080"),
        "{stdout}"
    );
}

#[test]
fn templates_can_be_overridden_from_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("apic")).unwrap();
    std::fs::write(
        dir.path().join("apic/classic.j2"),
        "license smart transport-mode smart-licensing\n! site template for {{ host }}\n",
    )
    .unwrap();
    let out = smartlic(
        &root(),
        &[
            "render",
            "-i",
            INVENTORY,
            PLAYBOOK,
            "--limit",
            "apic-1",
            "--templates",
            dir.path().to_str().unwrap(),
        ],
    );
    assert!(
        text(&out.stdout).contains("! site template for apic-1"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn limit_patterns_select_hosts() {
    let out = smartlic_with_tokens(
        &root(),
        &[
            "validate",
            "-i",
            INVENTORY,
            PLAYBOOK,
            "--limit",
            "campus:datacenter:&*-1:!dc-*",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hosts: Vec<&str> = doc["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["campus-core-1", "campus-access-1"]);
}

#[test]
fn an_exclusive_dns_list_in_a_vrf_leaves_the_global_list_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("campus-core-1.cfg"),
        "ip name-server 10.0.0.1\nip name-server vrf Mgmt-vrf 192.0.2.53 10.9.9.9\n",
    )
    .unwrap();
    let out = smartlic(
        &root(),
        &[
            "plan",
            "-i",
            INVENTORY,
            PLAYBOOK,
            "--offline",
            "--running-dir",
            dir.path().to_str().unwrap(),
            "--limit",
            "campus-core-1",
            "-e",
            "smart_licensing.dns.exclusive=true",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let commands: Vec<&str> = doc["hosts"][0]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        commands.contains(&"no ip name-server vrf Mgmt-vrf 10.9.9.9"),
        "{commands:?}"
    );
    assert!(
        !commands.iter().any(|c| c.contains("10.0.0.1")),
        "{commands:?}"
    );
}

#[test]
fn lab_fleet_writes_its_inventory_and_known_hosts_and_serves_until_told_to_stop() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("fleet.yml");
    let known_hosts = dir.path().join("known_hosts");
    let out = smartlic(
        dir.path(),
        &[
            "lab",
            "fleet",
            "--count",
            "3",
            "--write-inventory",
            inventory.to_str().unwrap(),
            "--known-hosts",
            known_hosts.to_str().unwrap(),
            "--stop-after",
            "1",
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.starts_with("lab: 3 device(s) up"), "{stdout}");
    assert!(stdout.contains("ssh -p 2222 admin@127.0.1.1"), "{stdout}");
    let keys = std::fs::read_to_string(&known_hosts).unwrap();
    assert_eq!(
        keys.lines()
            .filter(|l| l.starts_with("[127.0.1.") && l.contains(" ssh-ed25519 "))
            .count(),
        3,
        "{keys}"
    );
    // The written inventory is a valid lab inventory for the verbs that read one.
    let out = smartlic(
        dir.path(),
        &["inventory", "-i", inventory.to_str().unwrap(), "--list"],
    );
    assert!(
        text(&out.stdout).contains("lab-nx-os-00002"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn lab_fleet_refuses_a_count_above_its_limit_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("fleet.yml");
    let out = smartlic(
        dir.path(),
        &[
            "lab",
            "fleet",
            "--count",
            "10001",
            "--write-inventory",
            inventory.to_str().unwrap(),
            "--stop-after",
            "1",
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("--count 10001 is more than the lab's limit of 10000 devices"),
        "{err}"
    );
    assert!(
        !inventory.exists(),
        "nothing is written for a refused count"
    );
}

#[test]
fn lab_refuses_an_inventory_address_outside_loopback() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hosts.yml"),
        "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 192.0.2.11\n      lab: {}\n",
    )
    .unwrap();
    let out = smartlic(
        dir.path(),
        &["lab", "serve", "-i", "hosts.yml", "--stop-after", "1"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("192.0.2.11 is not in 127.0.0.0/8"),
        "{}",
        text(&out.stderr)
    );
}

/// The lab reads its inventory itself: every problem of every host, each with file, line,
/// column and field, a group's only once, and no password in what it prints.
#[test]
fn lab_inventory_errors_name_their_place_and_hide_passwords() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hosts.yml"),
        concat!(
            "all:\n",
            "  vars:\n",
            "    ansible_password: Hunter2-Lab-Secret\n",
            "  hosts:\n",
            "    sw1:\n",
            "      platform: ios-xr\n",
            "      ansible_host: 127.0.0.5\n",
            "      lab: {enable_secret: {env: SMARTLIC_TEST_SURELY_UNSET_ENABLE}}\n",
            "    sw2:\n",
            "      platform: nx-os\n",
            "      os_version: banana\n",
            "      ansible_host: 127.0.0.6\n",
            "      lab: {faults: {latency: 5}}\n",
        ),
    )
    .unwrap();
    let out = smartlic(
        dir.path(),
        &["lab", "serve", "-i", "hosts.yml", "--stop-after", "1"],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    for expected in [
        "hosts.yml:6:17: platform: `ios-xr` is not a platform the lab simulates",
        "hosts.yml:8:34: lab.enable_secret: environment variable SMARTLIC_TEST_SURELY_UNSET_ENABLE is not set",
        "hosts.yml:11:19: os_version: `banana` is not a release",
        "hosts.yml:13:22: lab.faults.latency: unknown field",
        "did you mean `latency_ms`?",
        "the lab was not started",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert!(!err.contains("Hunter2-Lab-Secret"), "{err}");
    assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
}

#[test]
fn completions_and_the_man_page_come_from_the_cli_definition() {
    let out = smartlic(&root(), &["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    let script = text(&out.stdout);
    for verb in ["apply", "verify", "plan", "lab"] {
        assert!(script.contains(verb), "{verb} missing");
    }
    // The script is valid bash.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("smartlic.bash");
    std::fs::write(&file, &script).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .status()
        .unwrap();
    assert!(check.success());
    let man = smartlic(&root(), &["man"]);
    assert_eq!(man.status.code(), Some(0));
    let page = text(&man.stdout);
    assert!(
        page.contains(".SH NAME") && page.contains("apply"),
        "{page}"
    );
    // A page per verb, with its examples and exit codes.
    let dir = tempfile::tempdir().unwrap();
    let out = smartlic(dir.path(), &["man", "--out-dir", "pages"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for verb in ["apply", "plan", "verify", "lab-serve", "report-merge"] {
        let page = std::fs::read_to_string(dir.path().join(format!("pages/smartlic-{verb}.1")))
            .unwrap_or_else(|e| panic!("smartlic-{verb}.1: {e}"));
        assert!(page.contains(&format!(".TH smartlic-{verb} 1")), "{page}");
    }
    let apply = text(&smartlic(&root(), &["man", "apply"]).stdout);
    assert!(
        apply.contains("Exit codes") && apply.contains("auto\\-approve"),
        "{apply}"
    );
    let help = text(&smartlic(&root(), &["plan", "--help"]).stdout);
    assert!(
        help.contains("Examples:") && help.contains("--detailed-exitcode"),
        "{help}"
    );
    assert_eq!(smartlic(&root(), &["man", "nope"]).status.code(), Some(4));
}

/// `--shard i/N` on a real inventory: the shards' hosts are the whole selection, once each.
#[test]
fn shards_of_the_example_inventory_cover_it_once() {
    let hosts = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["validate", "-i", INVENTORY, PLAYBOOK, "--format", "json"];
        args.extend_from_slice(extra);
        let out = smartlic_with_tokens(&root(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut names: Vec<String> = doc["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["host"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    let all = hosts(&[]);
    let mut union: Vec<String> = ["1/3", "2/3", "3/3"]
        .iter()
        .flat_map(|s| hosts(&["--shard", s]))
        .collect();
    union.sort();
    assert_eq!(union, all);
    assert_eq!(
        smartlic(
            &root(),
            &["validate", "-i", INVENTORY, PLAYBOOK, "--shard", "4/3"]
        )
        .status
        .code(),
        Some(4)
    );
}

/// Shards' JSON reports merged give the whole run's hosts, totals and exit code; a host in
/// two reports is refused.
#[test]
fn report_merge_joins_shards_into_the_whole_plan() {
    let dir = tempfile::tempdir().unwrap();
    let plan_json = |extra: &[&str]| {
        let mut args = vec![
            "plan",
            "-i",
            INVENTORY,
            PLAYBOOK,
            "--offline",
            "--running-dir",
            "tests/fixtures/running",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        smartlic(&root(), &args).stdout
    };
    let whole: serde_json::Value = serde_json::from_slice(&plan_json(&[])).unwrap();
    let mut shards = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let path = dir.path().join(format!("shard-{}.json", &shard[..1]));
        std::fs::write(&path, plan_json(&["--shard", shard])).unwrap();
        shards.push(path.to_str().unwrap().to_string());
    }
    let mut args = vec!["report", "merge"];
    args.extend(shards.iter().map(String::as_str));
    let out = smartlic(&root(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    args.push("--detailed-exitcode");
    let detailed = smartlic(&root(), &args);
    assert_eq!(
        detailed.status.code(),
        Some(2),
        "{}",
        text(&detailed.stderr)
    );
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(merged["summary"], whole["summary"]);
    let names = |doc: &serde_json::Value| {
        let mut n: Vec<String> = doc["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["host"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&merged), names(&whole));
    let busy = shards
        .iter()
        .find(|s| std::fs::read_to_string(s).unwrap().contains("\"host\""))
        .unwrap();
    let twice = smartlic(&root(), &["report", "merge", busy, busy]);
    assert_eq!(twice.status.code(), Some(3));
    assert!(text(&twice.stderr).contains("already in another report"));
}
