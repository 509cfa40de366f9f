//! Network automation clients nobody here wrote, installed from PyPI and run unchanged with
//! their default settings, against lab devices over SSH (issue 13): netmiko
//! (`cisco_ios`, `cisco_nxos`), NAPALM (`ios`, `nxos_ssh`) and scrapli 2.x
//! (`cisco_iosxe`, `cisco_nxos`, system ssh transport), classic (pre-2.x) scrapli
//! (`cisco_iosxe`, `cisco_nxos`), and pyATS/unicon with genie's parsers (`iosxe`, `nxos`
//! plugins). Each drives IOS-XE 16.12.5
//! (classic), IOS-XE 17.9.4a (Using Policy), NX-OS 9.3(8) (classic) and NX-OS 10.2(5)
//! (Using Policy) through its normal workflow (`tests/clients/drive.py`), and the test
//! checks what the client got back against what the lab really holds.
//!
//! The clients live in a Python virtualenv that `tests/clients/setup.sh` creates once
//! (pinned in `tests/clients/requirements.txt`; `scripts/test` calls it up front). A venv
//! that cannot be made fails the tests: they never skip. unicon and genie run from the
//! parsers' virtualenv (`tests/parsers/setup.sh`), where pyats, unicon and genie are pinned.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::lab_harness::{LabSsh, PASSWORD, host, inventory};
use crate::support::root;

/// How long one client run (connect, its whole workflow, disconnect) may take.
const CLIENT_DEADLINE: Duration = Duration::from_secs(240);

const ENABLE_SECRET: &str = "Lab-Enable-9";

/// The virtualenv's python, created on first use (fails the test if it cannot be).
fn clients_python() -> String {
    venv_python("tests/clients/setup.sh")
}

/// The python of the virtualenv `setup` (a script under the repository) makes.
fn venv_python(setup: &str) -> String {
    let setup = root().join(setup);
    let out = Command::new(&setup)
        .output()
        .unwrap_or_else(|e| panic!("{} runs: {e}", setup.display()));
    assert!(
        out.status.success(),
        "setting up the clients' virtualenv failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    stdout.lines().last().unwrap().trim().to_string()
}

/// The four lab devices, at `base` (`127.0.N`), IOS-XE ones with an enable secret.
fn lab(base: &str) -> LabSsh {
    let secret = format!("        enable_secret: {ENABLE_SECRET}\n");
    let hosts = [
        host(
            "xe-classic",
            "ios-xe",
            "16.12.5",
            &format!("{base}.1"),
            &secret,
        ),
        host(
            "xe-policy",
            "ios-xe",
            "17.9.4a",
            &format!("{base}.2"),
            &secret,
        ),
        host("nx-classic", "nx-os", "9.3(8)", &format!("{base}.3"), ""),
        host("nx-policy", "nx-os", "10.2(5)", &format!("{base}.4"), ""),
    ]
    .concat();
    LabSsh::start(&inventory(&hosts))
}

const DEVICES: [(&str, &str); 4] = [
    ("xe-classic", "ios"),
    ("xe-policy", "ios"),
    ("nx-classic", "nxos"),
    ("nx-policy", "nxos"),
];

/// Runs `drive.py CLIENT KIND …` against `device`; its JSON, which must hold no error.
fn drive(python: &str, lab: &LabSsh, client: &str, device: &str, kind: &str) -> Value {
    drive_with(python, lab, client, device, kind, &[])
}

/// As [`drive`], with more of drive.py's options (`--parse`, `--config-line`, …). The
/// password and the enable secret go in the environment, never on the command line.
fn drive_with(
    python: &str,
    lab: &LabSsh,
    client: &str,
    device: &str,
    kind: &str,
    options: &[&str],
) -> Value {
    let address = lab.address(device);
    let mut command = Command::new(python);
    command
        .arg(root().join("tests/clients/drive.py"))
        .args([client, kind])
        .arg(address.ip().to_string())
        .arg(address.port().to_string())
        .arg("admin")
        .args(["--hostname", device])
        .arg("--known-hosts")
        .arg(lab.known_hosts_file())
        .args(options)
        .env("SMARTLIC_PASSWORD", PASSWORD)
        .env_remove("SMARTLIC_ENABLE_SECRET");
    if kind == "ios" {
        command.env("SMARTLIC_ENABLE_SECRET", ENABLE_SECRET);
    } else {
        command.args(["--include", "callhome"]);
    }
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the venv's python runs");
    let out = wait_within(child, CLIENT_DEADLINE, &format!("{client} on {device}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{client} on {device}: no JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        json.get("error").is_none(),
        "{client} on {device} failed: {}\n{}",
        json["error"],
        json["traceback"].as_str().unwrap_or_default()
    );
    json
}

fn text<'a>(json: &'a Value, path: &[&str]) -> &'a str {
    let mut v = json;
    for p in path {
        v = &v[*p];
    }
    v.as_str()
        .unwrap_or_else(|| panic!("no text at {path:?} in {json:#}"))
}

/// Device error text a client must never have taken for an answer.
fn no_device_error(what: &str, output: &str) {
    for error in ["% Invalid", "% Incomplete", "% Ambiguous", "% Unknown"] {
        assert!(!output.contains(error), "{what}: {output}");
    }
}

/// What `show license status` prints on each model (the licensing text the lab prints).
fn licensing_text(device: &str) -> &'static str {
    match device {
        "xe-policy" | "nx-policy" => "Smart Licensing Using Policy:",
        _ => "Smart Licensing is ENABLED",
    }
}

/// The serial number the lab gave `device`.
fn serial(lab: &LabSsh, device: &str) -> String {
    lab.devices
        .iter()
        .find(|d| d.host.name == device)
        .unwrap()
        .host
        .serial
        .clone()
}

/// The lab's running config on `device`, read over plain OpenSSH.
fn running(lab: &LabSsh, device: &str) -> String {
    lab.exec(device, "show running-config")
}

#[test]
fn netmiko_runs_unchanged() {
    let python = clients_python();
    let lab = lab("127.0.131");
    for (device, kind) in DEVICES {
        let json = drive(&python, &lab, "netmiko", device, kind);
        assert!(
            text(&json, &["prompt"]).starts_with(device),
            "{device}: {json:#}"
        );
        assert!(
            text(&json, &["prompt"]).ends_with('#'),
            "{device}: {json:#}"
        );
        let shows = &json["shows"];
        for (command, output) in shows.as_object().unwrap() {
            no_device_error(&format!("{device} {command}"), output.as_str().unwrap());
        }
        assert!(
            text(shows, &["show license status"]).contains(licensing_text(device)),
            "{device}: {json:#}"
        );
        assert!(
            text(shows, &["show version"]).contains(if kind == "ios" {
                "Cisco IOS XE Software"
            } else {
                "Cisco Nexus Operating System"
            }),
            "{device}: {json:#}"
        );
        // netmiko's `use_textfsm=True` (ntc-templates) reads the lab's `show version`.
        let parsed = &json["parsed_version"][0];
        assert_eq!(parsed["hostname"], device, "{json:#}");
        let serial = serial(&lab, device);
        if kind == "ios" {
            assert_eq!(parsed["serial"][0], serial.as_str(), "{json:#}");
            assert_eq!(parsed["hardware"][0], "C9300-48P", "{json:#}");
        } else {
            assert_eq!(parsed["serial"], serial.as_str(), "{json:#}");
            assert_eq!(parsed["platform"], "N9K-C9348GC-FXP", "{json:#}");
        }
        if kind == "ios" {
            // The factory call-home block ([CAT-TS]); a factory NX-OS prints no callhome.
            assert!(
                text(shows, &["show running-config | include call-home"])
                    .contains("service call-home"),
                "{device}: {json:#}"
            );
        }
        let line = "ip host smartlic-test 192.0.2.10";
        no_device_error(device, text(&json, &["config"]));
        assert!(text(&json, &["after"]).contains(line), "{device}: {json:#}");
        assert!(running(&lab, device).contains(line), "{device}");
        let save = text(&json, &["save"]);
        no_device_error(device, save);
        assert!(
            save.contains(if kind == "ios" {
                "[OK]"
            } else {
                "Copy complete"
            }),
            "{device}: {save}"
        );
        assert!(
            lab.exec(device, "show startup-config").contains(line),
            "{device}: saved"
        );
    }
}

#[test]
fn napalm_runs_unchanged() {
    let python = clients_python();
    let lab = lab("127.0.132");
    for (device, kind) in DEVICES {
        let json = drive(&python, &lab, "napalm", device, kind);
        let facts = &json["facts"];
        assert_eq!(text(facts, &["hostname"]), device, "{json:#}");
        for field in ["model", "os_version", "serial_number", "vendor"] {
            let value = text(facts, &[field]);
            assert!(!value.is_empty(), "{device} {field}: {json:#}");
            no_device_error(&format!("{device} {field}"), value);
        }
        assert_eq!(text(facts, &["vendor"]), "Cisco");
        assert_eq!(text(facts, &["serial_number"]), serial(&lab, device));
        let (model, version) = if kind == "ios" {
            ("C9300-48P", "Version ")
        } else {
            ("Nexus9000 N9K-C9348GC-FXP Chassis", "")
        };
        assert_eq!(text(facts, &["model"]), model, "{json:#}");
        let release = &lab
            .devices
            .iter()
            .find(|d| d.host.name == device)
            .unwrap()
            .host
            .version;
        assert!(
            text(facts, &["os_version"]).contains(&format!("{version}{release}")),
            "{device}: {json:#}"
        );
        let interfaces = facts["interface_list"].as_array().unwrap();
        assert!(!interfaces.is_empty(), "{json:#}");
        for name in interfaces {
            let name = name.as_str().unwrap();
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || c == '/'),
                "{device}: interface {name:?} {json:#}"
            );
        }
        for config in ["running", "startup"] {
            let text = text(&json, &[config]);
            assert!(
                text.contains(&format!("hostname {device}")),
                "{device} {config}: {text}"
            );
            no_device_error(&format!("{device} {config}"), text);
        }
    }
}

#[test]
fn scrapli_runs_unchanged() {
    let python = clients_python();
    let lab = lab("127.0.133");
    for (device, kind) in DEVICES {
        let json = drive(&python, &lab, "scrapli", device, kind);
        assert!(
            text(&json, &["prompt"]).starts_with(device),
            "{device}: {json:#}"
        );
        let shows = &json["shows"];
        for (command, output) in shows.as_object().unwrap() {
            assert_eq!(output["failed"], false, "{device} {command}: {json:#}");
            no_device_error(&format!("{device} {command}"), text(output, &["result"]));
        }
        assert!(
            text(shows, &["show license status", "result"]).contains(licensing_text(device)),
            "{device}: {json:#}"
        );
        assert_eq!(
            json["parsed_version"][0]["hostname"], device,
            "{device}: {json:#}"
        );
        assert_eq!(json["config"]["failed"], false, "{device}: {json:#}");
        let line = "ip host smartlic-test 192.0.2.10";
        assert!(
            text(&json, &["after", "result"]).contains(line),
            "{device}: {json:#}"
        );
        assert!(running(&lab, device).contains(line), "{device}");
    }
}

/// One `ansible-playbook` run of tests/clients/ansible/play.yml over `dir`'s `hosts.yml`
/// (`dir` is its home too), with the `ansible.posix.json` callback; its JSON report.
fn ansible_playbook(python: &str, dir: &std::path::Path, extra: &[&str]) -> Value {
    let bin = std::path::Path::new(python).parent().unwrap();
    let mut command = Command::new(bin.join("ansible-playbook"));
    command
        .current_dir(dir)
        .args(["-i", "hosts.yml"])
        .arg(root().join("tests/clients/ansible/play.yml"))
        .args(extra)
        .env("HOME", dir)
        .env("ANSIBLE_STDOUT_CALLBACK", "ansible.posix.json")
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env_remove("ANSIBLE_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("ansible-playbook runs");
    let out = wait_within(child, CLIENT_DEADLINE, "ansible-playbook");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "ansible-playbook {extra:?}: no JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The child's output, or a failed test if it outlives `limit`.
fn wait_within(
    mut child: std::process::Child,
    limit: Duration,
    what: &str,
) -> std::process::Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what} did not finish within {limit:?}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

/// Every host's stats in an `ansible.posix.json` report: (changed, failures + unreachable).
fn ansible_stats(report: &Value, host: &str) -> (u64, u64) {
    let stats = &report["stats"][host];
    let count = |k: &str| {
        stats[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{host} {k}: {report:#}"))
    };
    (count("changed"), count("failures") + count("unreachable"))
}

/// One host's result of the task named `task` in an `ansible.posix.json` report.
fn ansible_result<'a>(report: &'a Value, task: &str, host: &str) -> &'a Value {
    report["plays"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|play| play["tasks"].as_array().unwrap())
        .filter(|t| t["task"]["name"] == task)
        .find_map(|t| t["hosts"].get(host))
        .unwrap_or_else(|| panic!("no {task} result for {host}: {report:#}"))
}

/// Ansible's cisco.ios and cisco.nxos collections over network_cli, unchanged: `--check
/// --diff` reports the line it would add and leaves the devices alone, the apply adds and
/// saves it, a second apply changes nothing, and `*_facts` (min) read the lab's identity.
#[test]
fn ansible_runs_unchanged() {
    let python = clients_python();
    let lab = lab("127.0.135");
    let dir = tempfile::tempdir().unwrap();
    // paramiko (network_cli's SSH without ansible-pylibssh) reads ~/.ssh/known_hosts
    // from $HOME: the lab's keys are there, and host key checking stays on.
    std::fs::create_dir(dir.path().join(".ssh")).unwrap();
    std::fs::copy(lab.known_hosts_file(), dir.path().join(".ssh/known_hosts")).unwrap();
    let line = "ip host smartlic-ansible 192.0.2.11";
    let hosts = |kind: &str| -> String {
        DEVICES
            .iter()
            .filter(|(_, k)| *k == kind)
            .map(|(device, _)| {
                let at = lab.address(device);
                format!(
                    "        {device}: {{ansible_host: {}, ansible_port: {}}}\n",
                    at.ip(),
                    at.port()
                )
            })
            .collect()
    };
    let inventory = format!(
        "all:\n  vars:\n    ansible_user: admin\n    ansible_password: {PASSWORD}\n    ansible_connection: ansible.netcommon.network_cli\n    config_lines: [\"{line}\"]\n  children:\n    ios:\n      vars: {{ansible_network_os: cisco.ios.ios, ansible_become: true, ansible_become_method: enable, ansible_become_password: {ENABLE_SECRET}}}\n      hosts:\n{}    nxos:\n      vars: {{ansible_network_os: cisco.nxos.nxos}}\n      hosts:\n{}",
        hosts("ios"),
        hosts("nxos")
    );
    std::fs::write(dir.path().join("hosts.yml"), inventory).unwrap();

    let check = ansible_playbook(&python, dir.path(), &["--check", "--diff"]);
    for (device, _) in DEVICES {
        assert_eq!(ansible_stats(&check, device), (1, 0), "{device}: {check:#}");
        let config = ansible_result(&check, "Config", device);
        assert_eq!(
            config["updates"],
            serde_json::json!([line]),
            "{device}: {check:#}"
        );
        assert!(
            !running(&lab, device).contains(line),
            "{device}: check changed it"
        );
        let facts = &ansible_result(&check, "Facts", device)["ansible_facts"];
        assert_eq!(facts["ansible_net_hostname"], *device, "{facts:#}");
        assert_eq!(
            facts["ansible_net_serialnum"],
            serial(&lab, device),
            "{facts:#}"
        );
        let release = &lab
            .devices
            .iter()
            .find(|d| d.host.name == *device)
            .unwrap()
            .host
            .version;
        let version = facts["ansible_net_version"].as_str().unwrap_or_default();
        // IOS-XE prints its release zero-padded (`17.09.04a` for 17.9.4a).
        let unpadded: String = version
            .split('.')
            .map(|p| p.trim_start_matches('0'))
            .collect::<Vec<_>>()
            .join(".");
        assert!(
            version == release || unpadded == *release,
            "{device}: {version} vs {release}"
        );
    }

    let apply = ansible_playbook(&python, dir.path(), &[]);
    for (device, _) in DEVICES {
        assert_eq!(ansible_stats(&apply, device), (1, 0), "{device}: {apply:#}");
        assert!(running(&lab, device).contains(line), "{device}");
        assert!(
            lab.exec(device, "show startup-config").contains(line),
            "{device}: saved"
        );
    }

    let again = ansible_playbook(&python, dir.path(), &[]);
    for (device, _) in DEVICES {
        assert_eq!(ansible_stats(&again, device), (0, 0), "{device}: {again:#}");
    }
}

/// Classic scrapli (the pre-2.x API, `scrapli==2026.2.20` in its own venv,
/// `tests/clients/setup-classic.sh`): `Scrapli(platform="cisco_iosxe"|"cisco_nxos")` with
/// its default system ssh transport and strict host key checking, `open`, `get_prompt`,
/// `send_command` of the shows, `send_configs`, `close`.
#[test]
fn scrapli_classic_runs_unchanged() {
    let python = venv_python("tests/clients/setup-classic.sh");
    let lab = lab("127.0.136");
    for (device, kind) in DEVICES {
        let json = drive(&python, &lab, "scrapli_classic", device, kind);
        assert_eq!(text(&json, &["version"]), "2026.02.20", "{json:#}");
        let prompt = text(&json, &["prompt"]);
        assert_eq!(prompt, format!("{device}#"), "{json:#}");
        let shows = &json["shows"];
        for (command, output) in shows.as_object().unwrap() {
            assert_eq!(output["failed"], false, "{device} {command}: {json:#}");
            no_device_error(&format!("{device} {command}"), text(output, &["result"]));
        }
        assert!(
            text(shows, &["show license status", "result"]).contains(licensing_text(device)),
            "{device}: {json:#}"
        );
        assert!(
            text(shows, &["show version", "result"]).contains(&serial(&lab, device)),
            "{device}: {json:#}"
        );
        assert_eq!(json["config"]["failed"], false, "{device}: {json:#}");
        let line = "ip host smartlic-test 192.0.2.10";
        no_device_error(device, text(&json, &["config", "result"]));
        assert_eq!(
            text(&json, &["after", "result"]),
            line,
            "{device}: {json:#}"
        );
        assert!(running(&lab, device).contains(line), "{device}");
    }
}

/// What the clients above read, typed over plain OpenSSH: the shows NAPALM's getters and
/// netmiko's drivers ask for answer as the real devices do, from the running config, and
/// a command the lab does not know is still refused the device's way.
#[test]
fn the_shows_clients_ask_for_answer_like_the_devices() {
    let lab = lab("127.0.134");
    let xe = lab.session(
        "xe-classic",
        &[
            "show privilege",
            "enable",
            ENABLE_SECRET,
            "show privilege",
            "configure terminal",
            "ip host smartlic-test 192.0.2.10",
            "ip domain name example.net",
            "end",
            "show hosts",
            "show ip interface brief",
            "dir flash:",
            "dir flash:/smartlic.cfg",
            "dir nvram:",
            "show frobnicate",
            "exit",
        ],
    );
    assert!(xe.contains("Current privilege level is 1\r\n"), "{xe}");
    assert!(xe.contains("Current privilege level is 15\r\n"), "{xe}");
    assert!(xe.contains("Default domain is example.net\r\n"), "{xe}");
    assert!(
        xe.contains("smartlic-test             None  (perm, OK)  0   IP      192.0.2.10"),
        "{xe}"
    );
    assert!(
        xe.contains("Interface              IP-Address      OK? Method Status"),
        "{xe}"
    );
    assert!(
        xe.contains("% Invalid input detected at '^' marker."),
        "{xe}"
    );
    // `dir`, as netmiko's file transfer reads it: the listing, the free space, and the
    // error for a file that is not there; another file system is refused.
    assert!(xe.contains("Directory of flash:/\r\n"), "{xe}");
    assert!(xe.contains("  packages.conf\r\n"), "{xe}");
    assert!(
        xe.contains("11534336000 bytes total (10661913362 bytes free)"),
        "{xe}"
    );
    assert!(
        xe.contains("%Error opening flash:/smartlic.cfg (No such file or directory)"),
        "{xe}"
    );
    assert!(
        xe.contains(&format!(
            "dir nvram:\r\n{}^\r\n% Invalid input detected",
            " ".repeat("xe-classic#dir ".len())
        )),
        "{xe}"
    );

    let nx = lab.session(
        "nx-policy",
        &[
            "configure terminal",
            "ip host smartlic-test 192.0.2.10",
            "show hostname",
            "show running-config | include smartlic",
            "show license status | include Status",
            "end",
            "show hosts",
            "show inventory",
            "show interface status",
            "show inventory | json",
            "dir bootflash:",
            "dir bootflash:missing.bin",
            "show hostname | json",
            "show clock | json",
            "terminal dont-ask",
            "no terminal dont-ask",
            "show frobnicate",
            "exit",
        ],
    );
    assert!(nx.contains("nx-policy \r\n"), "{nx}");
    // Shows with a filter, typed in config mode (NX-OS runs exec commands there).
    assert!(
        nx.contains("include smartlic\r\nip host smartlic-test 192.0.2.10\r\n"),
        "{nx}"
    );
    assert!(
        nx.contains("include Status\r\n  Status: DISABLED\r\n  Status: ENABLED\r\n"),
        "{nx}"
    );
    assert!(nx.contains("DNS lookup enabled\r\n"), "{nx}");
    assert!(nx.contains("smartlic-test   192.0.2.10"), "{nx}");
    let serial = serial(&lab, "nx-policy");
    assert!(
        nx.contains("NAME: \"Chassis\",  DESCR: \"Nexus9000 C9348GC-FXP Chassis\""),
        "{nx}"
    );
    assert!(nx.contains(&format!("SN: {serial}")), "{nx}");
    assert!(
        nx.contains("mgmt0         --                 connected routed"),
        "{nx}"
    );
    assert!(nx.contains("% Invalid command at '^' marker."), "{nx}");
    assert!(
        nx.contains(&format!(
            "{{\"TABLE_inv\":{{\"ROW_inv\":[{{\"name\":\"\\\"Chassis\\\"\",\"desc\":\"\\\"Nexus9000 C9348GC-FXP Chassis\\\"\",\"productid\":\"N9K-C9348GC-FXP\",\"vendorid\":\"V01\",\"serialnum\":\"{serial}\"}}]}}}}"
        )),
        "{nx}"
    );
    assert!(nx.contains("{\"hostname\":\"nx-policy\"}"), "{nx}");
    assert!(nx.contains("  nxos64-cs.10.2.5.F.bin\r\n"), "{nx}");
    assert!(
        nx.contains("\r\nUsage for bootflash://\r\n 2848521728 bytes used\r\n"),
        "{nx}"
    );
    assert!(
        nx.contains("missing.bin\r\nNo such file or directory\r\n"),
        "{nx}"
    );
    // `show clock` has no JSON form in the lab: refused under `json`, as by a release
    // without JSON output for it.
    assert!(
        nx.contains(&format!(
            "show clock | json\r\n{}^\r\n% Invalid command at '^' marker.",
            " ".repeat("nx-policy# show clock | ".len())
        )),
        "{nx}"
    );
    assert!(!nx.contains("dont-ask\r\n% "), "{nx}");
}

/// What genie parsed on one command (`device.parse`), which must not have failed.
fn parsed<'a>(json: &'a Value, device: &str, command: &str) -> &'a Value {
    assert!(
        json["parse_errors"].get(command).is_none(),
        "{device}: genie failed on `{command}`: {}",
        json["parse_errors"][command]
    );
    let value = &json["parsed"][command];
    assert!(
        value.is_object(),
        "{device}: nothing parsed for `{command}`: {json:#}"
    );
    value
}

/// pyATS/unicon connects with its default connection settings, so with its plugins'
/// connect-time commands (IOS-XE: `term length 0`, `term width 0`, `show version`, then
/// `no logging console`, `line console 0`, `exec-timeout 0`, `line vty 0 4`,
/// `exec-timeout 0`; NX-OS: `terminal session-timeout 0` and `terminal width 511` typed at
/// `(config-console)#` among them), and genie's `device.parse` reads over that connection
/// what genie has parsers for. What genie returns is checked against what the lab holds,
/// and the connect-time config lines against the running config they left. unicon runs
/// from the parsers' venv (`tests/parsers/setup.sh`), where pyats, unicon and genie are
/// pinned.
#[test]
fn unicon_connects_and_genie_parses_unchanged() {
    let python = crate::lab_parsers::parsers_python();
    let lab = lab("127.0.135");
    for (device, kind) in DEVICES {
        let policy = device.ends_with("policy");
        let serial = serial(&lab, device);
        let release = lab
            .devices
            .iter()
            .find(|d| d.host.name == device)
            .unwrap()
            .host
            .version
            .clone();
        let mut options: Vec<&str> = Vec::new();
        let commands: &[&str] = if kind == "ios" {
            // A mail server first: without one genie rejects `show call-home`, as it
            // rejects the real capture (tests/integration/lab_parsers.rs).
            options.extend([
                "--config-line",
                "call-home",
                "--config-line",
                "mail-server 192.0.2.25 priority 1",
            ]);
            &[
                "show version",
                "show license status",
                "show license summary",
                "show license all",
                "show license udi",
                "show call-home",
                "show crypto pki trustpoints",
            ]
        } else {
            options.extend(["--config-line", "ip host smartlic-test 192.0.2.10"]);
            &["show version", "show inventory"]
        };
        for command in commands {
            options.extend(["--parse", command]);
        }
        // genie parses classic `show license usage` only in the Using Policy form (its
        // schema wants lines classic releases never print; lab_parsers.rs).
        if kind == "ios" && policy {
            options.extend(["--parse", "show license usage"]);
        }
        options.extend(["--execute", "show license status"]);
        let logs = tempfile::tempdir().unwrap();
        let log_dir = logs.path().to_str().unwrap();
        options.extend(["--log-dir", log_dir]);
        let json = drive_with(&python, &lab, "unicon", device, kind, &options);
        assert_eq!(json["state"], "enable", "{device}: {json:#}");
        let status = text(&json, &["executed", "show license status"]);
        no_device_error(device, status);
        assert!(
            status.contains(licensing_text(device)),
            "{device}: {status}"
        );
        let running = running(&lab, device);
        no_device_error(device, text(&json, &["config"]));
        if kind == "ios" {
            let version = parsed(&json, device, "show version");
            assert_eq!(version["version"]["hostname"], device, "{json:#}");
            assert_eq!(
                version["version"]["chassis_sn"],
                serial.as_str(),
                "{json:#}"
            );
            assert_eq!(version["version"]["chassis"], "C9300-48P", "{json:#}");
            assert_eq!(version["version"]["version"], release.as_str(), "{json:#}");
            let udi = parsed(&json, device, "show license udi");
            assert_eq!(udi["udi_details"]["sn"], serial.as_str(), "{json:#}");
            assert_eq!(udi["udi_details"]["pid"], "C9300-48P", "{json:#}");
            let all = parsed(&json, device, "show license all");
            assert_eq!(all["product_information"]["udi"]["sn"], serial.as_str());
            // A fresh device: classic in EVAL MODE over call-home, Using Policy with its
            // licenses IN USE and the CSLU transport (the lab's factory state).
            let (in_use, transport) = if policy {
                ("IN USE", "cslu")
            } else {
                ("EVAL MODE", "Callhome")
            };
            let status = parsed(&json, device, "show license status");
            assert_eq!(status["transport"]["type"], transport, "{json:#}");
            if policy {
                assert_eq!(
                    status["smart_licensing_using_policy"]["status"], "ENABLED",
                    "{json:#}"
                );
            }
            let summary = parsed(&json, device, "show license summary");
            let usage = summary["license_usage"].as_object().unwrap();
            assert_eq!(usage.len(), 2, "{json:#}");
            for entry in usage.values() {
                assert_eq!(entry["status"], in_use, "{json:#}");
                assert_eq!(entry["count"], "1", "{json:#}");
            }
            let licenses = all["license_usage"]["license_name"].as_object().unwrap();
            assert_eq!(licenses.len(), 2, "{json:#}");
            for entry in licenses.values() {
                assert_eq!(entry["status"], in_use, "{json:#}");
            }
            let call_home = parsed(&json, device, "show call-home");
            let settings = &call_home["current_call_home_settings"];
            assert_eq!(settings["call_home_feature"], "enable", "{json:#}");
            assert_eq!(
                settings["mail_server"]["Mail-server[1]"]["address"], "192.0.2.25",
                "{json:#}"
            );
            let trustpoints = parsed(&json, device, "show crypto pki trustpoints");
            assert_eq!(
                trustpoints["trustpoints"]["SLA-TrustPoint"]["issuing_ca"]["subject"]["cn"],
                "Cisco Licensing Root CA",
                "{json:#}"
            );
            if policy {
                let usage = parsed(&json, device, "show license usage");
                let features: Vec<&Value> = usage["license_name"]
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|l| &l["feature_name"])
                    .collect();
                assert_eq!(features, ["network-advantage", "dna-advantage"], "{json:#}");
            }
            // The connect-time lines, as a real IOS-XE config prints them.
            assert!(running.contains("\nno logging console\n"), "{running}");
            assert!(
                running.contains("\nline con 0\n exec-timeout 0 0\n"),
                "{running}"
            );
            assert!(
                running.contains("\nline vty 0 4\n exec-timeout 0 0\n"),
                "{running}"
            );
            assert!(running.contains(" mail-server 192.0.2.25 priority 1\n"));
        } else {
            let version = parsed(&json, device, "show version");
            assert_eq!(version["platform"]["hardware"]["device_name"], device);
            assert_eq!(
                version["platform"]["hardware"]["processor_board_id"],
                serial.as_str(),
                "{json:#}"
            );
            let inventory = parsed(&json, device, "show inventory");
            assert_eq!(
                inventory["name"]["Chassis"]["serial_number"],
                serial.as_str(),
                "{json:#}"
            );
            assert_eq!(inventory["name"]["Chassis"]["pid"], "N9K-C9348GC-FXP");
            assert!(running.contains("\nno logging console\n"), "{running}");
            assert!(
                running.contains("\nline console\n  exec-timeout 0\n"),
                "{running}"
            );
            assert!(
                running.contains("\nline vty\n  exec-timeout 0\n"),
                "{running}"
            );
            assert!(running.contains("ip host smartlic-test 192.0.2.10"));
        }
    }
}
