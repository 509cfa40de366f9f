//! Every transport end to end over real SSH, on IOS-XE and NX-OS: an HTTPS proxy (a
//! tunnelling one, and an intercepting one whose CA is untrusted until imported,
//! [CAT-TS]), the transport gateway (port required, case-sensitive path, [CAT-TS]), the
//! satellite on NX-OS (IOS-XE's is in `lab_e2e`), and Smart Licensing Using Policy on
//! IOS-XE 17.x and NX-OS 10.2+ (`license smart trust idtoken …` then `license smart sync`,
//! [RTR-CMD] [NX-TSFAQ]). Each test fails the way Cisco's documents say, applies the remedy and converges.

use std::time::{Duration, Instant};

use smartlic::lab::backend::protocol::Udi;
use smartlic::lab::backend::{Faults, Outage, Realm, ServiceFault};

use crate::lab_harness::{LabSsh, host, inventory};

/// docs/troubleshooting.md CAT-5.
const SEND_FAILED: &str = "Failure reason: Fail to send out Call Home HTTP message.";
/// docs/troubleshooting.md CAT-2: the back-end's answer to a token from the wrong back-end ([ACI-SL]).
const TRY_AGAIN: &str =
    "Failure reason: Your request could not be processed right now. Please try again";
const CSSM_URL: &str = "https://tools.cisco.com/its/service/oddce/services/DDCEService";
/// [CAT-TS]: case-sensitive.
const ON_PREM_PATH: &str = "/Transportgateway/services/DeviceRequestHandler";
const DNS: &str = "198.51.100.53";

fn owned(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

/// An IOS-XE session: privileged, `config` lines in config mode, then `exec` lines.
fn xe_session(config: &[String], exec: &[String]) -> Vec<String> {
    let mut lines = owned(&["terminal length 0", "enable", "configure terminal"]);
    lines.extend(config.iter().cloned());
    lines.push("end".into());
    lines.extend(exec.iter().cloned());
    lines.push("exit".into());
    lines
}

/// An NX-OS session (the admin lands privileged).
fn nx_session(config: &[String], exec: &[String]) -> Vec<String> {
    let mut lines = owned(&["terminal length 0", "configure terminal"]);
    lines.extend(config.iter().cloned());
    lines.push("end".into());
    lines.extend(exec.iter().cloned());
    lines.push("exit".into());
    lines
}

/// The [NX-TS] callhome block for `url`, plus `extra` callhome lines.
fn nx_callhome(url: &str, extra: &[&str]) -> Vec<String> {
    let mut lines = owned(&[
        "callhome",
        "email-contact sch-smart-licensing@cisco.com",
        "destination-profile CiscoTAC-1 transport-method http",
    ]);
    lines.push(format!("destination-profile CiscoTAC-1 http {url}"));
    lines.extend(owned(extra));
    lines.extend(owned(&["enable", "exit"]));
    lines
}

/// The IOS-XE profile lines that replace destination `old` by `new` ([CAT-TS]).
fn xe_destination(old: Option<&str>, new: &str) -> Vec<String> {
    let mut lines = owned(&["call-home", "profile \"CiscoTAC-1\""]);
    if let Some(old) = old {
        lines.push(format!("no destination address http {old}"));
    }
    lines.push(format!("destination address http {new}"));
    lines.extend(owned(&["exit", "exit"]));
    lines
}

/// [CAT-TS]: a CA imported as trustpoint `name`, typed as Cisco's documents show.
fn xe_import_ca(name: &str, pem: &str) -> Vec<String> {
    let mut lines = vec![
        format!("crypto pki trustpoint {name}"),
        "enrollment terminal".into(),
        "revocation-check none".into(),
        "exit".into(),
        format!("crypto pki authenticate {name}"),
    ];
    lines.extend(pem.lines().map(str::to_string));
    lines.extend(owned(&["", "yes"]));
    lines
}

fn register(token: &str) -> String {
    format!("license smart register idtoken {token}")
}

fn udi(lab: &LabSsh) -> Udi {
    Udi {
        pid: lab.devices[0].host.pid.clone(),
        serial: lab.devices[0].host.serial.clone(),
    }
}

fn proxy_down() -> Faults {
    Faults {
        proxy: ServiceFault {
            outage: Some(Outage::Refused),
            delay_ms: 0,
        },
        ..Faults::default()
    }
}

/// Polls `command` until `ok` holds for its output (`what` names it); 15 s at most.
fn until(
    lab: &LabSsh,
    device: &str,
    command: &str,
    what: &str,
    ok: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let output = lab.exec(device, command);
        if ok(&output) {
            return output;
        }
        assert!(
            Instant::now() < deadline,
            "{what} never showed in `{command}` on {device}:\n{output}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

// ------------------------------------------------------------------- HTTPS proxy

#[test]
fn ios_xe_registers_through_a_tunnelling_proxy() {
    let lab = LabSsh::start(&inventory(&host(
        "cat-proxy",
        "ios-xe",
        "16.12.5",
        "127.0.0.81",
        "",
    )));
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    // The proxy is down: the device really goes through it.
    lab.backend.set_faults(proxy_down());
    let proxy = &lab.backend.proxy;
    let config = vec![
        format!("ip name-server {DNS}"),
        "call-home".into(),
        format!(
            "http-proxy \"{}\" port {}",
            proxy.names[0],
            proxy.virtual_addr.port()
        ),
        "exit".into(),
    ];
    lab.session("cat-proxy", &xe_session(&config, &[register(&token)]));
    let status = lab.until_status("cat-proxy", SEND_FAILED);
    assert!(
        status.contains("Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );

    lab.backend.set_faults(Faults::default());
    lab.session("cat-proxy", &xe_session(&[], &[register(&token)]));
    let status = lab.until_status("cat-proxy", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    let run = lab.exec("cat-proxy", "show running-config");
    assert!(
        run.contains(" http-proxy \"proxy.example.com\" port 3128"),
        "{run}"
    );
}

#[test]
fn ios_xe_behind_an_intercepting_proxy_registers_once_the_proxy_ca_is_imported() {
    // [CAT-TS]: an SSL-intercepting proxy is unsupported unless the certificate it
    // presents is imported as a trustpoint ([CAT-TS]).
    let lab = LabSsh::start(&inventory(&host(
        "cat-mitm",
        "ios-xe",
        "16.12.5",
        "127.0.0.82",
        "",
    )));
    lab.backend.set_faults(Faults {
        proxy_intercept: true,
        ..Faults::default()
    });
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let config = owned(&[
        "ip name-server 198.51.100.53",
        "call-home",
        "http-proxy \"proxy.example.com\" port 3128",
        "exit",
    ]);
    lab.session("cat-mitm", &xe_session(&config, &[register(&token)]));
    lab.until_status("cat-mitm", SEND_FAILED);
    let log = lab.exec("cat-mitm", "show logging");
    assert!(
        log.contains("%CALL_HOME-5-SL_MESSAGE_FAILED: Fail to send out Smart Licensing message to: https://tools.cisco.com/its/service/oddce/services/DDCEService"),
        "{log}"
    );
    assert_eq!(
        lab.backend
            .snapshot()
            .counters(Realm::Cssm, &udi(&lab))
            .register_requests,
        0
    );

    let import = xe_import_ca("ProxyCA", &lab.backend.proxy_ca_pem);
    let screen = lab.session("cat-mitm", &xe_session(&import, &[register(&token)]));
    assert!(
        screen.contains("Trustpoint CA certificate accepted."),
        "{screen}"
    );
    assert!(
        screen.contains("% Certificate successfully imported"),
        "{screen}"
    );
    let status = lab.until_status("cat-mitm", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
}

#[test]
fn nx_os_registers_through_a_proxy_once_it_stops_intercepting() {
    // NX-OS proxy commands are ⟨GAP⟩ ([NX-TS]); docs/platform-notes.md gives
    // `transport http proxy server … port …` and `transport http proxy enable`. NX-OS
    // trustpoint import is not in Cisco's documents, so the remedy is [CAT-TS]'s first option:
    // disable SSL interception on the proxy.
    let lab = LabSsh::start(&inventory(&host(
        "n9k-proxy",
        "nx-os",
        "9.3(8)",
        "127.0.0.83",
        "",
    )));
    lab.backend.set_faults(Faults {
        proxy_intercept: true,
        ..Faults::default()
    });
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let mut config = vec![format!("ip name-server {DNS}")];
    config.extend(nx_callhome(
        CSSM_URL,
        &[
            "transport http proxy server proxy.example.com port 3128",
            "transport http proxy enable",
        ],
    ));
    lab.session("n9k-proxy", &nx_session(&config, &[register(&token)]));
    let status = lab.until_status("n9k-proxy", SEND_FAILED);
    assert!(!status.contains("Status: REGISTERED"), "{status}");

    lab.backend.set_faults(Faults::default());
    lab.session("n9k-proxy", &nx_session(&[], &[register(&token)]));
    let status = lab.until_status("n9k-proxy", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    let run = lab.exec("n9k-proxy", "show running-config callhome");
    assert!(
        run.contains("transport http proxy server proxy.example.com port 3128"),
        "{run}"
    );
    // The renewals go through the proxy too.
    lab.backend.set_faults(proxy_down());
    lab.session(
        "n9k-proxy",
        &nx_session(&[], &["license smart renew auth".into()]),
    );
    let status = lab.until_status("n9k-proxy", "Last Communication Attempt: FAILED on ");
    assert!(status.contains(SEND_FAILED), "{status}");
}

// ------------------------------------------------------------- transport gateway

/// The TG URLs: without its port, with a wrongly cased path, and right ([CAT-TS]).
fn gateway_urls(lab: &LabSsh) -> [String; 3] {
    let tg = &lab.backend.gateway.names[0];
    let port = lab.backend.gateway.virtual_addr.port();
    [
        format!("https://{tg}{ON_PREM_PATH}"),
        format!("https://{tg}:{port}/TransportGateway/services/DeviceRequestHandler"),
        format!("https://{tg}:{port}{ON_PREM_PATH}"),
    ]
}

#[test]
fn ios_xe_transport_gateway_needs_its_port_and_the_exact_path() {
    let lab = LabSsh::start(&inventory(&host(
        "cat-tg",
        "ios-xe",
        "16.12.5",
        "127.0.0.84",
        "",
    )));
    // The TG relays to CSSM: a CSSM token ([CAT-TS] [NX-TS] [ACI-SL]), no trustpoint import ([ACI-SL]).
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let [no_port, wrong_case, right] = gateway_urls(&lab);

    let mut config = vec![format!("ip name-server {DNS}")];
    config.extend(xe_destination(None, &no_port));
    lab.session("cat-tg", &xe_session(&config, &[register(&token)]));
    lab.until_status("cat-tg", SEND_FAILED);
    let log = lab.exec("cat-tg", "show logging");
    assert!(
        log.contains(&format!(
            "Fail to send out Smart Licensing message to: {no_port}"
        )),
        "{log}"
    );

    lab.session(
        "cat-tg",
        &xe_session(
            &xe_destination(Some(&no_port), &wrong_case),
            &[register(&token)],
        ),
    );
    let log = until(
        &lab,
        "cat-tg",
        "show logging",
        "the wrong-case URL's failure",
        |l| {
            l.contains(&format!(
                "Fail to send out Smart Licensing message to: {wrong_case}"
            ))
        },
    );
    assert!(log.contains("%CALL_HOME-5-SL_MESSAGE_FAILED"), "{log}");
    let status = lab.exec("cat-tg", "show license status");
    assert!(status.contains(SEND_FAILED), "{status}");

    lab.session(
        "cat-tg",
        &xe_session(
            &xe_destination(Some(&wrong_case), &right),
            &[register(&token)],
        ),
    );
    let status = lab.until_status("cat-tg", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    let profile = lab.exec("cat-tg", "show call-home profile all");
    assert!(
        profile.contains(&format!("    HTTP  address: {right}\n")),
        "{profile}"
    );
    let counters = lab.backend.snapshot().counters(Realm::Cssm, &udi(&lab));
    assert_eq!((counters.register_requests, counters.registrations), (1, 1));
}

#[test]
fn nx_os_transport_gateway_needs_its_port_and_the_exact_path() {
    let lab = LabSsh::start(&inventory(&host(
        "n9k-tg",
        "nx-os",
        "9.3(8)",
        "127.0.0.85",
        "",
    )));
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let [no_port, wrong_case, right] = gateway_urls(&lab);
    let replace = |old: &str, new: &str| {
        vec![
            "callhome".to_string(),
            format!("no destination-profile CiscoTAC-1 index 1 http {old}"),
            format!("destination-profile CiscoTAC-1 http {new}"),
            "exit".to_string(),
        ]
    };
    let mut config = vec![format!("ip name-server {DNS}")];
    config.extend(nx_callhome(&no_port, &[]));
    lab.session("n9k-tg", &nx_session(&config, &[register(&token)]));
    lab.until_status("n9k-tg", SEND_FAILED);

    let first = failed_at(&lab.exec("n9k-tg", "show license status"));
    // A second later, so that the next failure shows another timestamp.
    std::thread::sleep(Duration::from_millis(1100));
    lab.session(
        "n9k-tg",
        &nx_session(&replace(&no_port, &wrong_case), &[register(&token)]),
    );
    // The wrong path reaches the gateway's web server (HTTP 404), no licensing service.
    let status = until(
        &lab,
        "n9k-tg",
        "show license status",
        "a new failure",
        |s| s.contains(SEND_FAILED) && failed_at(s) != first,
    );
    assert!(!status.contains("Status: REGISTERED"), "{status}");

    lab.session(
        "n9k-tg",
        &nx_session(&replace(&wrong_case, &right), &[register(&token)]),
    );
    let status = lab.until_status("n9k-tg", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    let run = lab.exec("n9k-tg", "show running-config callhome");
    assert!(
        run.contains(&format!(
            "destination-profile CiscoTAC-1 index 1 http {right}"
        )),
        "{run}"
    );
    // Only the right URL ever reached the licensing service behind the gateway.
    let counters = lab.backend.snapshot().counters(Realm::Cssm, &udi(&lab));
    assert_eq!((counters.register_requests, counters.registrations), (1, 1));
}

/// The `Initial Registration: FAILED on <ts>` line.
fn failed_at(status: &str) -> String {
    status
        .lines()
        .find(|l| l.contains("Initial Registration: FAILED on "))
        .unwrap_or_default()
        .to_string()
}

// --------------------------------------------------------------------- satellite

#[test]
fn nx_os_registers_with_a_satellite_using_a_satellite_token() {
    // [NX-TS] Method 3 and [ACI-SL]: the token must come from the satellite.
    let lab = LabSsh::start(&inventory(&host(
        "n9k-sat",
        "nx-os",
        "9.3(8)",
        "127.0.0.86",
        "        reaches: [management]\n        interfaces: {mgmt0: management}\n",
    )));
    let satellite = &lab.backend.satellite.names[0];
    let url = format!("https://{satellite}{ON_PREM_PATH}");
    let cssm_token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let mut config = vec![format!(
        "ip host {satellite} {}",
        lab.backend.satellite.virtual_addr.ip()
    )];
    config.extend(nx_callhome(&url, &["transport http use-vrf management"]));
    let screen = lab.session("n9k-sat", &nx_session(&config, &[register(&cssm_token)]));
    assert!(
        screen.contains("Initiated device registration with backend."),
        "{screen}"
    );
    let status = lab.until_status("n9k-sat", TRY_AGAIN);
    assert!(
        status.contains("Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );

    let token = lab
        .backend
        .create_satellite_token("Example Account", "Default", 30, None);
    lab.session(
        "n9k-sat",
        &nx_session(&[], &[format!("{} force", register(&token))]),
    );
    let status = lab.until_status("n9k-sat", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    assert!(
        status.contains("Smart Account: Example Account"),
        "{status}"
    );
    let snapshot = lab.backend.snapshot();
    assert!(snapshot.instance(Realm::Satellite, &udi(&lab)).is_some());
    assert!(snapshot.instance(Realm::Cssm, &udi(&lab)).is_none());
}

// ---------------------------------------------------------- Using Policy (SLP)

fn trusted(status: &str) -> bool {
    status.contains("Trust Code Installed: ") && !status.contains("Trust Code Installed: <none>")
}

fn acked(status: &str) -> bool {
    status.contains("Last ACK received: ") && !status.contains("Last ACK received: <none>")
}

/// Waits until the back-end has received more than `seen` reports from the device.
fn until_reports(lab: &LabSsh, seen: u32) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reports = lab
            .backend
            .snapshot()
            .counters(Realm::Cssm, &udi(lab))
            .reports;
        if reports > seen {
            return reports;
        }
        assert!(Instant::now() < deadline, "no report after {seen}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn ios_xe_17_establishes_trust_reports_and_syncs() {
    let lab = LabSsh::start(&inventory(&host(
        "cat17",
        "ios-xe",
        "17.9.4",
        "127.0.0.87",
        "",
    )));
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    // [RTR-CMD] "Direct to CSSM, smart transport".
    let config = owned(&[
        "ip name-server 198.51.100.53",
        "license smart transport smart",
        "license smart url default",
    ]);
    lab.session("cat17", &xe_session(&config, &[]));
    let status = lab.exec("cat17", "show license status");
    assert!(
        status.contains("Smart Licensing Using Policy:\n  Status: ENABLED"),
        "{status}"
    );
    assert!(status.contains("Trust Code Installed: <none>"), "{status}");
    assert!(status.contains("Last ACK received: <none>"), "{status}");
    assert!(
        status.contains("  Type: Smart\n  URL: https://smartreceiver.cisco.com/licservice/license"),
        "{status}"
    );
    assert!(!status.contains("Registration:"), "{status}");

    // [RTR-CMD] [NX-TSFAQ]: privileged EXEC, `local` = this product instance.
    let trust = format!("license smart trust idtoken {token} local");
    lab.session("cat17", &xe_session(&[], &[trust]));
    let status = until(&lab, "cat17", "show license status", "an ACK", |s| {
        trusted(s) && acked(s)
    });
    assert!(
        status.contains("Smart Account: Example Account As of "),
        "{status}"
    );
    assert!(status.contains("Virtual Account: Default"), "{status}");
    let tech = lab.exec("cat17", "show license tech support");
    assert!(
        tech.contains("Communication Level Allowed: DIRECT"),
        "{tech}"
    );
    assert!(tech.contains("Overall Trust: INSTALLED (2)"), "{tech}");

    // [GENIELIBS]: `license smart sync all` sends a report now.
    let reports = until_reports(&lab, 0);
    lab.session(
        "cat17",
        &xe_session(&[], &owned(&["license smart sync all"])),
    );
    until_reports(&lab, reports);

    // [NX-TSFAQ] [CUBE]: trust is already installed, so a new one needs `force` ([NX-TSFAQ]).
    let again = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    lab.session(
        "cat17",
        &xe_session(&[], &[format!("license smart trust idtoken {again} local")]),
    );
    let log = until(&lab, "cat17", "show logging", "the trust failure", |l| {
        l.contains(
            "%SMART_LIC-3-TRUST_CODE_INSTALL_FAILED: The install of a new licensing trust co",
        )
    });
    assert!(!log.contains("%SMART_LIC-6-AGENT_REG_SUCCESS"), "{log}");
    lab.session(
        "cat17",
        &xe_session(
            &[],
            &[format!("license smart trust idtoken {again} local force")],
        ),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while lab
        .backend
        .snapshot()
        .counters(Realm::Cssm, &udi(&lab))
        .trusts
        < 2
    {
        assert!(Instant::now() < deadline, "the forced trust never arrived");
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = lab.exec("cat17", "show license status");
    assert!(trusted(&status) && acked(&status), "{status}");
}

#[test]
fn ios_xe_17_trust_through_an_intercepting_proxy_needs_the_proxy_ca() {
    // [RTR-CMD] [CUBE] proxy lines; [CAT-TS] (interception) applies ⟨UNVERIFIED for SLP⟩.
    let lab = LabSsh::start(&inventory(&host(
        "c8k",
        "ios-xe",
        "17.6.5",
        "127.0.0.88",
        "",
    )));
    lab.backend.set_faults(Faults {
        proxy_intercept: true,
        ..Faults::default()
    });
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let config = owned(&[
        "ip name-server 198.51.100.53",
        "license smart transport smart",
        "license smart url smart https://smartreceiver.cisco.com/licservice/license",
        "license smart proxy address proxy.example.com",
        "license smart proxy port 3128",
    ]);
    let trust = format!("license smart trust idtoken {token} all");
    lab.session("c8k", &xe_session(&config, std::slice::from_ref(&trust)));
    let tech = until(
        &lab,
        "c8k",
        "show license tech support",
        "a failed trust",
        |t| t.contains("Trust Establishment:\n  Attempts: Total=1, Success=0, Fail=1"),
    );
    assert!(tech.contains("Last Response: NO REPLY on "), "{tech}");
    assert!(
        tech.contains("Overall State: Insufficient trust for direct communication"),
        "{tech}"
    );
    let status = lab.exec("c8k", "show license status");
    assert!(status.contains("Trust Code Installed: <none>"), "{status}");
    assert!(
        status.contains("  Proxy:\n    Address: proxy.example.com\n    Port: 3128\n"),
        "{status}"
    );

    let import = xe_import_ca("ProxyCA", &lab.backend.proxy_ca_pem);
    lab.session("c8k", &xe_session(&import, &[trust]));
    let status = until(
        &lab,
        "c8k",
        "show license status",
        "trust and an ACK",
        |s| trusted(s) && acked(s),
    );
    assert!(
        status.contains("Smart Account: Example Account"),
        "{status}"
    );
}

#[test]
fn nx_os_10_2_establishes_trust_and_syncs() {
    // [C9K-MIG] [TN-217046] [NX-UG]: NX-OS 10.2(1)F+ is Using Policy only; [NX-TSFAQ]: no `local|all` on NX-OS. The
    // NX-OS transport keywords are ⟨UNVERIFIED⟩ (docs/platform-notes.md, assumed).
    let lab = LabSsh::start(&inventory(&host(
        "n9k10",
        "nx-os",
        "10.2(3)",
        "127.0.0.89",
        "",
    )));
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let config = owned(&[
        "ip name-server 198.51.100.53",
        "license smart transport smart",
    ]);
    lab.session("n9k10", &nx_session(&config, &[]));
    let status = lab.exec("n9k10", "show license status");
    assert!(
        status.contains("Smart Licensing Using Policy:\n  Status: ENABLED"),
        "{status}"
    );
    assert!(status.contains("Trust Code Installed: <none>"), "{status}");

    lab.session(
        "n9k10",
        &nx_session(&[], &[format!("license smart trust idtoken {token}")]),
    );
    let status = until(
        &lab,
        "n9k10",
        "show license status",
        "trust and an ACK",
        |s| trusted(s) && acked(s),
    );
    assert!(
        status.contains("Smart Account: Example Account As of "),
        "{status}"
    );
    let usage = lab.exec("n9k10", "show license usage");
    assert!(
        usage.contains("License Authorization:\n  Status: Not Applicable"),
        "{usage}"
    );
    assert!(
        usage.contains("  Enforcement Type: NOT ENFORCED"),
        "{usage}"
    );

    let reports = until_reports(&lab, 0);
    lab.session(
        "n9k10",
        &nx_session(&[], &owned(&["license smart sync all"])),
    );
    until_reports(&lab, reports);
    let status = lab.exec("n9k10", "show license status");
    assert!(trusted(&status) && acked(&status), "{status}");
}
