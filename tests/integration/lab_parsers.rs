//! The lab's show outputs against the parsers network engineers already run on real
//! devices: genie (pyATS) for IOS-XE and ntc-templates (TextFSM) where a template exists
//! (`corpus/HOWTO.md` lists which). Devices are put into real states over SSH first —
//! factory, registered, failing, Using Policy with trust installed — and the outputs are
//! read over SSH, so the test sees exactly what a user's automation would.
//!
//! The parsers run in a Python virtualenv that `tests/parsers/setup.sh` creates once
//! (pinned in `tests/parsers/requirements.txt`; `.ci/run` calls it up front).
//!
//! Two outputs are deliberately not held to genie, because genie also rejects the real
//! device's output there: `show call-home` without a mail server (`Mail-server: Not yet
//! set up`, corpus `iosxe/show-call-home/muninn-1` fails genie's schema the same way) is
//! checked for genie's exact complaint instead, and classic `show license usage`, whose
//! genie schema requires the `Feature Name`/`License type` lines only Using Policy
//! releases print.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::lab_harness::{LabSsh, host, inventory};
use crate::support::root;

const CSSM_NAME_SERVER: &str = "ip name-server 198.51.100.53";
const SMART_URL: &str = "https://smartreceiver.cisco.com/licservice/license";

/// The virtualenv's python, created on first use.
pub fn parsers_python() -> String {
    let setup = root().join("tests/parsers/setup.sh");
    let out = Command::new(&setup)
        .output()
        .expect("tests/parsers/setup.sh runs");
    assert!(
        out.status.success(),
        "setting up the parser virtualenv failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    stdout.lines().last().unwrap().trim().to_string()
}

/// One output to parse: where it came from and what the parsers must read in it.
struct Case {
    os: &'static str,
    device: &'static str,
    command: &'static str,
    genie: Vec<(Vec<&'static str>, Value)>,
    ntc: Vec<(&'static str, &'static str)>,
}

fn case(os: &'static str, device: &'static str, command: &'static str) -> Case {
    Case {
        os,
        device,
        command,
        genie: vec![],
        ntc: vec![],
    }
}

impl Case {
    fn genie(mut self, path: &[&'static str], value: impl Into<Value>) -> Case {
        self.genie.push((path.to_vec(), value.into()));
        self
    }

    fn ntc(mut self, field: &'static str, value: &'static str) -> Case {
        self.ntc.push((field, value));
        self
    }
}

/// Reads every case's output over SSH into `dir` and writes the cases file for check.py.
fn collect(lab: &LabSsh, cases: &[Case], dir: &Path) -> std::path::PathBuf {
    let mut list = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let file = dir.join(format!("{i:02}-{}.txt", c.device));
        std::fs::write(&file, lab.exec(c.device, c.command)).unwrap();
        let genie: Vec<Value> = c.genie.iter().map(|(p, v)| json!([p, v])).collect();
        let ntc: serde_json::Map<String, Value> = c
            .ntc
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        list.push(json!({
            "os": c.os, "command": c.command, "file": file, "genie": genie, "ntc": ntc,
        }));
    }
    let path = dir.join("cases.json");
    std::fs::write(&path, serde_json::to_string_pretty(&list).unwrap()).unwrap();
    path
}

fn run_parsers(cases_file: &Path) -> (bool, String) {
    let out = Command::new(parsers_python())
        .arg(root().join("tests/parsers/check.py"))
        .arg(cases_file)
        .output()
        .expect("the parser virtualenv's python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Registers `device` (classic) after giving it the lab's name server, and waits for it.
fn register_classic(lab: &LabSsh, device: &str, extra_config: &[&str]) {
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let mut lines = vec![
        "terminal length 0",
        "enable",
        "configure terminal",
        CSSM_NAME_SERVER,
    ];
    lines.extend_from_slice(extra_config);
    let register = format!("license smart register idtoken {token}");
    lines.extend(["end", register.as_str(), "exit"]);
    lab.session(device, &lines);
    lab.until_status(device, "Status: AUTHORIZED");
}

/// Installs trust on a Using Policy device over the smart transport and waits for the ACK.
fn trust_policy(lab: &LabSsh, device: &str) {
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let url = format!("license smart url smart {SMART_URL}");
    let trust = format!("license smart trust idtoken {token} all");
    let lines = [
        "terminal length 0",
        "enable",
        "configure terminal",
        CSSM_NAME_SERVER,
        "license smart transport smart",
        url.as_str(),
        "end",
        trust.as_str(),
        "license smart sync all",
        "exit",
    ];
    lab.session(device, &lines);
    lab.until_status(device, "Trust Code Installed:");
    lab.until_status(device, "Last ACK received: ");
}

#[test]
fn genie_and_ntc_templates_parse_the_lab_outputs_in_every_state() {
    let lab = LabSsh::start(&inventory(
        &[
            host("fresh", "ios-xe", "16.12.5", "127.0.0.81", ""),
            host("registered", "ios-xe", "16.12.5", "127.0.0.82", ""),
            host("failing", "ios-xe", "16.12.5", "127.0.0.83", ""),
            host("policy", "ios-xe", "17.9.4", "127.0.0.84", ""),
            host("trusted", "ios-xe", "17.9.4", "127.0.0.85", ""),
            host("nexus", "nx-os", "9.3(8)", "127.0.0.86", ""),
            host("nexus10", "nx-os", "10.2(3)F", "127.0.0.87", ""),
        ]
        .concat(),
    ));
    register_classic(
        &lab,
        "registered",
        &["call-home", "mail-server 192.0.2.25 priority 1"],
    );
    // No DNS: the registration fails with docs/troubleshooting.md CAT-5's reason.
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let register = format!("license smart register idtoken {token}");
    lab.session("failing", &["enable", register.as_str(), "exit"]);
    lab.until_status("failing", "Fail to send out Call Home HTTP message.");
    trust_policy(&lab, "trusted");

    let serial = |name: &str| {
        let d = lab.devices.iter().find(|d| d.host.name == name).unwrap();
        Value::from(d.host.serial.clone())
    };
    let mut cases = Vec::new();
    for device in ["fresh", "registered", "failing", "policy", "trusted"] {
        cases.extend([
            case("iosxe", device, "show license status"),
            case("iosxe", device, "show license summary"),
            case("iosxe", device, "show license all"),
            case("iosxe", device, "show license udi").genie(&["udi_details", "sn"], serial(device)),
            case("iosxe", device, "show call-home profile all")
                .genie(
                    &["profile", "name", "CiscoTAC-1", "reporting_data"],
                    "Smart Call Home, Smart Licensing",
                )
                // `HTTP  address:` as every real capture prints it, classic images too:
                // genie reads no other form (corpus show-call-home-profile-all).
                .genie(
                    &["profile", "name", "CiscoTAC-1", "http_address"],
                    "https://tools.cisco.com/its/service/oddce/services/DDCEService",
                ),
            case("iosxe", device, "show crypto pki trustpoints")
                .genie(
                    &[
                        "trustpoints",
                        "SLA-TrustPoint",
                        "issuing_ca",
                        "subject",
                        "cn",
                    ],
                    "Cisco Licensing Root CA",
                )
                // The factory SUDI trustpoints real devices list (corpus
                // show-crypto-pki-trustpoints/muninn-1).
                .genie(
                    &[
                        "trustpoints",
                        "CISCO_IDEVID_SUDI",
                        "issuing_ca",
                        "subject",
                        "cn",
                    ],
                    "High Assurance SUDI CA",
                ),
        ]);
    }
    cases.extend([
        // What the parsers read must be the state the device is in.
        // ntc-templates reads the authorization status only with its `on <date>` (so not
        // EVAL MODE, on real devices either); genie drops the classic registration status
        // (corpus NOTES.md): each is held to what it does read.
        case("iosxe", "fresh", "show license status").ntc("reg_status", "UNREGISTERED"),
        case("iosxe", "registered", "show license status")
            .ntc("reg_status", "REGISTERED")
            .ntc("license_auth", "AUTHORIZED")
            .ntc("smart_acct", "Example Account")
            .ntc("virt_acct", "Default"),
        case("iosxe", "registered", "show license all")
            .genie(
                &[
                    "smart_licensing_status",
                    "account_information",
                    "smart_account",
                ],
                "Example Account",
            )
            .genie(
                &[
                    "smart_licensing_status",
                    "account_information",
                    "virtual_account",
                ],
                "Default",
            )
            .genie(&["product_information", "udi", "sn"], serial("registered")),
        case("iosxe", "registered", "show call-home")
            .genie(
                &[
                    "current_call_home_settings",
                    "mail_server",
                    "Mail-server[1]",
                    "address",
                ],
                "192.0.2.25",
            )
            .genie(
                &["current_call_home_settings", "call_home_feature"],
                "enable",
            ),
        // Using Policy prints `Smart Account: <name> As of <date>`, and both parsers keep
        // the date in (genie's own expected data does too, corpus genieparser-1).
        case("iosxe", "trusted", "show license status")
            .genie(&["account_information", "virtual_account"], "Default")
            .ntc("virt_acct", "Default"),
        // `Usage Report Summary:` ends every real Using Policy `show license all` (corpus
        // show-license-all/genieparser-1, -5, genielibs-1): one report collecting per
        // license in use (two on a lab C9300).
        case("iosxe", "trusted", "show license all")
            .genie(&["usage_report_summary", "available_to_report"], "2")
            .genie(&["usage_report_summary", "collecting_data"], "2")
            .genie(&["usage_report_summary", "purged"], "0"),
        case("iosxe", "policy", "show license usage"),
        case("iosxe", "trusted", "show license usage"),
        case("nxos", "nexus", "show license usage"),
        case("nxos", "nexus10", "show license usage"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (ok, report) = run_parsers(&collect(&lab, &cases, dir.path()));
    assert!(ok, "the parsers rejected lab outputs:\n{report}");
    assert!(
        report.contains(&format!("{0} of {0} parsed", cases.len())),
        "{report}"
    );
}

/// A device without a mail server prints `Mail-server: Not yet set up`, as the real
/// CSR1000v 17.3 capture (corpus `iosxe/show-call-home/muninn-1`) does; genie's schema
/// rejects both for the missing `mail_server` key. The lab keeps the real form.
#[test]
fn show_call_home_without_a_mail_server_is_the_real_form_genie_rejects() {
    let lab = LabSsh::start(&inventory(&host(
        "fresh",
        "ios-xe",
        "17.3.4",
        "127.0.0.88",
        "",
    )));
    let output = lab.exec("fresh", "show call-home");
    assert!(
        output.contains("\n    Mail-server: Not yet set up\n"),
        "{output}"
    );
    let dir = tempfile::tempdir().unwrap();
    let lab_file = dir.path().join("lab.txt");
    std::fs::write(&lab_file, &output).unwrap();
    let list = json!([{"os": "iosxe", "command": "show call-home", "file": lab_file}]);
    let file = dir.path().join("cases.json");
    std::fs::write(&file, serde_json::to_string(&list).unwrap()).unwrap();
    let (ok, report) = run_parsers(&file);
    assert!(!ok, "{report}");
    let complaint =
        "SchemaMissingKeyError: Missing keys: [['current_call_home_settings', 'mail_server']]";
    assert!(
        report.contains(complaint),
        "genie should reject the lab's output as it rejects the real capture:\n{report}"
    );
}
