//! What a preflight check runs on the device itself, over real SSH (OpenSSH): `ping` and
//! `telnet` through the lab network (the same DNS, VRF and source-interface checks the
//! device's registration goes through, docs/lab.md "Reachability from the device"),
//! `show license eventlog`, `show logging | include …` and `show clock`.
//!
//! Each outcome is checked against the exact text the real device prints (sources in
//! `crates/smartlic-lab/src/cli/probe.rs` and docs/lab.md), and against registration on the same device:
//! a device that fails with CAT-5 for lack of DNS fails `ping tools.cisco.com` with the
//! unresolved-name text; the NX-1 device reaches CSSM through `management`, as the real
//! device did, but not from `vlan27`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use smartlic::lab::backend::Faults;

use crate::lab_harness::{LabSsh, host, inventory};

/// The lab's name server and CSSM's virtual address (docs/lab.md, network model).
const DNS: &str = "198.51.100.53";
const CSSM_IP: &str = "198.51.100.10";
const CSSM_URL: &str = "https://tools.cisco.com/its/service/oddce/services/DDCEService";
/// docs/troubleshooting.md CAT-5.
const SEND_FAILED: &str = "Failure reason: Fail to send out Call Home HTTP message.";
/// An address nothing in the lab has (RFC 5737).
const NOWHERE: &str = "192.0.2.7";

/// IOS `ping` to CSSM that went through: the lines after any `Translating …` line.
const IOS_PING_OK: &str = "Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to 198.51.100.10, timeout is 2 seconds:\n!!!!!\nSuccess rate is 100 percent (5/5), round-trip min/avg/max = 1/1/1 ms\n";
const IOS_PING_LOST: &str = "Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to 198.51.100.10, timeout is 2 seconds:\n.....\nSuccess rate is 0 percent (0/5)\n";
const IOS_TRANSLATED: &str =
    "Translating \"tools.cisco.com\"...domain server (198.51.100.53) [OK]\n";
/// [CAT-TS], with the lab's address for `x.x.x.x`.
const IOS_TELNET_OPEN: &str = "Trying tools.cisco.com (198.51.100.10, 443)... Open\n[Connection to tools.cisco.com closed by foreign host]\n";

fn catalyst(name: &str, version: &str, address: &str, lab: &str) -> String {
    host(name, "ios-xe", version, address, lab)
}

fn nexus(name: &str, address: &str, lab: &str) -> String {
    host(name, "nx-os", "9.3(5)", address, lab)
}

/// An IOS-XE privileged session typing `lines`; the screen.
fn privileged(lab: &LabSsh, device: &str, lines: &[&str]) -> String {
    let mut all = vec!["terminal length 0", "enable"];
    all.extend_from_slice(lines);
    all.push("exit");
    lab.session(device, &all)
}

/// An NX-OS session: `config` lines in config mode, then `exec` lines.
fn nx_session(lab: &LabSsh, device: &str, config: &[String], exec: &[&str]) -> String {
    let mut lines = vec!["terminal length 0".to_string(), "configure terminal".into()];
    lines.extend(config.iter().cloned());
    lines.push("end".into());
    lines.extend(exec.iter().map(|l| l.to_string()));
    lines.push("exit".into());
    lab.session(device, &lines)
}

fn register(lab: &LabSsh) -> String {
    let token = lab
        .backend
        .create_token("Example Account", "Default", 3650, None);
    format!("license smart register idtoken {token}")
}

/// The [NX-TS] callhome block to CSSM through `use-vrf management`.
fn nx_callhome() -> Vec<String> {
    [
        "callhome",
        "email-contact sch-smart-licensing@cisco.com",
        "destination-profile CiscoTAC-1 transport-method http",
        &format!("destination-profile CiscoTAC-1 http {CSSM_URL}"),
        "transport http use-vrf management",
        "enable",
        "exit",
    ]
    .iter()
    .map(|l| l.to_string())
    .collect()
}

/// The event lines of `show license eventlog` (after the header), as `(stamp, text)`.
fn events(eventlog: &str) -> Vec<(String, String)> {
    eventlog
        .lines()
        .filter(|l| l.starts_with("20"))
        .map(|l| {
            // `2021-09-10 14:03:56.089 UTC SAEVT_…`
            let (stamp, text) = l.split_at(27);
            (stamp.to_string(), text.trim_start().to_string())
        })
        .collect()
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

// ------------------------------------------------------------------------ IOS-XE

/// A device whose DNS reaches the lab: `ping` and `telnet` to CSSM succeed, a closed port
/// is refused, an address nothing has times out; it registers, and its event log shows the
/// registration after the boot events.
#[test]
fn ios_xe_healthy_device_pings_telnets_and_logs_its_registration() {
    let lab = LabSsh::start(&inventory(&catalyst("sw1", "16.12.5", "127.0.88.1", "")));
    privileged(
        &lab,
        "sw1",
        &[
            "configure terminal",
            &format!("ip name-server {DNS}"),
            "end",
        ],
    );
    assert_eq!(
        lab.exec("sw1", "ping tools.cisco.com"),
        format!("{IOS_TRANSLATED}\n{IOS_PING_OK}")
    );
    assert_eq!(lab.exec("sw1", &format!("ping {CSSM_IP}")), IOS_PING_OK);
    assert_eq!(
        lab.exec("sw1", "telnet tools.cisco.com 443"),
        format!("{IOS_TRANSLATED}{IOS_TELNET_OPEN}")
    );
    // Nothing listens on port 80 of CSSM; nothing has 192.0.2.7.
    assert_eq!(
        lab.exec("sw1", "telnet tools.cisco.com 80"),
        format!(
            "{IOS_TRANSLATED}Trying tools.cisco.com (198.51.100.10, 80)... \n% Connection refused by remote host\n\n"
        )
    );
    assert_eq!(
        lab.exec("sw1", &format!("telnet {NOWHERE} 443")),
        format!(
            "Trying {NOWHERE}, 443 ... \n% Connection timed out; remote host not responding\n\n"
        )
    );
    let lost = lab.exec("sw1", &format!("ping {NOWHERE} repeat 3"));
    assert!(
        lost.ends_with(".\nSuccess rate is 0 percent (0/3)\n") && lost.contains("\n...\n"),
        "{lost}"
    );

    // Typed at the prompt: after `Open` the session is back at `sw1#`.
    let screen = privileged(&lab, "sw1", &["telnet tools.cisco.com 443", "show clock"]);
    assert!(
        screen.contains("[Connection to tools.cisco.com closed by foreign host]\r\nsw1#show clock"),
        "{screen}"
    );

    // The event log: the boot events, then what the registration logged.
    let before = lab.exec("sw1", "show license eventlog");
    assert!(before.starts_with("**** Event Log ****\n\n"), "{before}");
    let boot = events(&before);
    let texts: Vec<&str> = boot.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts,
        [
            "SAEVT_READY",
            "SAEVT_ENABLED",
            "SAEVT_EXPORT_FLAG exportAllowed=\"False\"",
            "SAEVT_STATE_EVAL remainingSeconds=\"7776000\"",
            "SAEVT_INIT_CRYPTO success=\"True\"",
            "SAEVT_INIT_COMPLETE",
        ]
    );
    // Stamped like the device clock (`show clock`), in UTC.
    let clock = smartlic::platform::timefmt::parse_show_clock(&lab.exec("sw1", "show clock"))
        .expect("show clock parses");
    assert!((clock - unix_now()).abs() < 120, "show clock is off");
    assert!(boot[0].0.ends_with(" UTC"), "{before}");

    privileged(&lab, "sw1", &[&register(&lab)]);
    lab.until_status("sw1", "Status: AUTHORIZED on");
    let after = lab.exec("sw1", "show license eventlog");
    let all = events(&after);
    assert_eq!(all[..boot.len()], boot[..], "{after}");
    assert_eq!(
        all[boot.len()..]
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>(),
        ["SAEVT_EXPORT_FLAG exportAllowed=\"True\""],
        "{after}"
    );
    // `show license eventlog 1`: the last day (all of it here); `… 0`: nothing.
    assert_eq!(lab.exec("sw1", "show license eventlog 1"), after);
    assert_eq!(
        lab.exec("sw1", "show license eventlog 0"),
        " No EventLog Found.    \n"
    );

    // `show logging | include …`: only the licensing lines, regex alternation included.
    let smart = lab.exec("sw1", "show logging | include SMART_LIC");
    assert!(
        smart.contains("%SMART_LIC-6-AGENT_REG_SUCCESS")
            && smart.contains("%SMART_LIC-5-IN_COMPLIANCE"),
        "{smart}"
    );
    assert!(smart.lines().all(|l| l.contains("SMART_LIC")), "{smart}");
    let three = lab.exec("sw1", "show logging | include %SMART_LIC|%CALL_HOME|%PKI");
    for mnemonic in [
        "%PKI-4-NOCONFIGAUTOSAVE",
        "%CALL_HOME-6-SCH_REGISTRATION_IN_PROGRESS",
        "%SMART_LIC-6-AGENT_REG_SUCCESS",
    ] {
        assert!(three.contains(mnemonic), "{mnemonic}\n{three}");
    }
    assert!(
        !three.contains("%SYS-5-CONFIG_I") && !three.contains("Syslog logging"),
        "{three}"
    );
}

/// A factory device has no name server: registration fails with CAT-5, and so does
/// `ping tools.cisco.com`, with the unresolved-name text; the address itself answers.
#[test]
fn ios_xe_without_dns_fails_like_its_registration() {
    let lab = LabSsh::start(&inventory(&catalyst("nodns", "16.12.5", "127.0.88.2", "")));
    privileged(&lab, "nodns", &[&register(&lab)]);
    lab.until_status("nodns", SEND_FAILED);

    let unresolved = "Translating \"tools.cisco.com\"...domain server (255.255.255.255)\n";
    assert_eq!(
        lab.exec("nodns", "ping tools.cisco.com"),
        format!("{unresolved}% Unrecognized host or address, or protocol not running.\n")
    );
    assert_eq!(
        lab.exec("nodns", "telnet tools.cisco.com 443"),
        format!("{unresolved}\n% Bad IP address or host name\n")
    );
    assert_eq!(lab.exec("nodns", &format!("ping {CSSM_IP}")), IOS_PING_OK);
    // A name server that is not the lab's never answers; lookup off asks nobody.
    privileged(
        &lab,
        "nodns",
        &["configure terminal", "ip name-server 8.8.8.8", "end"],
    );
    assert_eq!(
        lab.exec("nodns", "ping tools.cisco.com"),
        "Translating \"tools.cisco.com\"...domain server (8.8.8.8)\n% Unrecognized host or address, or protocol not running.\n"
    );
    privileged(
        &lab,
        "nodns",
        &["configure terminal", "no ip domain lookup", "end"],
    );
    assert_eq!(
        lab.exec("nodns", "ping tools.cisco.com"),
        "Translating \"tools.cisco.com\"\n% Unrecognized host or address, or protocol not running.\n"
    );
    // The remedy of CAT-5: an `ip host` entry needs no DNS, for ping and registration alike.
    privileged(
        &lab,
        "nodns",
        &[
            "configure terminal",
            &format!("ip host tools.cisco.com {CSSM_IP}"),
            "end",
        ],
    );
    assert_eq!(lab.exec("nodns", "ping tools.cisco.com"), IOS_PING_OK);
    assert_eq!(
        lab.exec("nodns", "telnet tools.cisco.com 443"),
        IOS_TELNET_OPEN
    );
    privileged(&lab, "nodns", &[&register(&lab)]);
    lab.until_status("nodns", "Status: AUTHORIZED on");
}

/// CAT-5 through a VRF: DNS is in Mgmt-vrf, the global table has no path. `ping` and
/// `telnet` fail from the global table and from Vlan27, succeed through Mgmt-vrf and
/// from GigabitEthernet0/0 (the [CAT-TS] check), as registration does.
#[test]
fn ios_xe_wrong_vrf_or_source_interface_fails_like_its_registration() {
    let lab = LabSsh::start(&inventory(&catalyst(
        "c5v",
        "16.12.5",
        "127.0.88.3",
        "        reaches: [Mgmt-vrf]\n        interfaces: {GigabitEthernet0/0: Mgmt-vrf, Vlan27: null}\n",
    )));
    privileged(
        &lab,
        "c5v",
        &[
            "configure terminal",
            &format!("ip name-server vrf Mgmt-vrf {DNS}"),
            "end",
            &register(&lab),
        ],
    );
    lab.until_status("c5v", SEND_FAILED);

    let lost = format!("{IOS_TRANSLATED}\n{IOS_PING_LOST}");
    let ok = format!("{IOS_TRANSLATED}\n{IOS_PING_OK}");
    assert_eq!(lab.exec("c5v", "ping tools.cisco.com"), lost);
    assert_eq!(lab.exec("c5v", "ping vrf Mgmt-vrf tools.cisco.com"), ok);
    assert_eq!(lab.exec("c5v", "ping tools.cisco.com vrf Mgmt-vrf"), ok);
    assert_eq!(lab.exec("c5v", "ping tools.cisco.com source gi0/0"), ok);
    assert_eq!(
        lab.exec("c5v", "ping vrf Mgmt-vrf tools.cisco.com source Vlan27"),
        lost
    );
    assert_eq!(
        lab.exec("c5v", "telnet tools.cisco.com 443 /source-interface gi0/0"),
        format!("{IOS_TRANSLATED}{IOS_TELNET_OPEN}")
    );
    assert_eq!(
        lab.exec("c5v", "telnet tools.cisco.com 443 /vrf Mgmt-vrf"),
        format!("{IOS_TRANSLATED}{IOS_TELNET_OPEN}")
    );
    assert_eq!(
        lab.exec("c5v", "telnet tools.cisco.com 443 /source-interface Vlan27"),
        format!(
            "{IOS_TRANSLATED}Trying tools.cisco.com (198.51.100.10, 443)... \n% Destination unreachable; gateway or host down\n\n"
        )
    );
    // An interface the device does not have is refused where it is typed.
    assert_eq!(
        lab.exec("c5v", "telnet tools.cisco.com 443 /source-interface Gi0/9"),
        "telnet tools.cisco.com 443 /source-interface Gi0/9\n                                             ^\n% Invalid input detected at '^' marker.\n\n"
    );
    // The remedy registration needs makes no difference to the VRF-less ping: both
    // follow the same model, and the HTTP client now leaves from Gi0/0.
    privileged(
        &lab,
        "c5v",
        &[
            "configure terminal",
            "ip http client source-interface GigabitEthernet0/0",
            "end",
            &register(&lab),
        ],
    );
    lab.until_status("c5v", "Status: AUTHORIZED on");
}

/// CAT-6 injected as in `lab_catalyst`: the event log shows the deregister status, then
/// evaluation again.
#[test]
fn ios_xe_eventlog_shows_the_cat6_event() {
    let lab = LabSsh::start(&inventory(&catalyst("ev6", "16.12.5", "127.0.88.4", "")));
    let token = lab
        .backend
        .create_satellite_token("Example Account", "Default", 3650, None);
    let name = lab.backend.satellite.names[0].clone();
    let ip = lab.backend.satellite.virtual_addr.ip().to_string();
    let url = format!("https://{name}/Transportgateway/services/DeviceRequestHandler");
    let mut lines = vec![
        "configure terminal".to_string(),
        format!("ip host {name} {ip}"),
        "call-home".into(),
        "profile \"CiscoTAC-1\"".into(),
        format!("destination address http {url}"),
        "exit".into(),
        "exit".into(),
        "crypto pki trustpoint LicRoot".into(),
        "enrollment terminal".into(),
        "revocation-check none".into(),
        "exit".into(),
        "crypto pki authenticate LicRoot".into(),
    ];
    lines.extend(lab.backend.satellite_ca_pem.lines().map(str::to_string));
    lines.extend([
        "".into(),
        "yes".into(),
        "end".into(),
        format!("license smart register idtoken {token}"),
    ]);
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    privileged(&lab, "ev6", &lines);
    lab.until_status("ev6", "Status: AUTHORIZED on");
    // The satellite is reached by its name and port, as the device's telnet shows.
    let satellite_port = lab.backend.satellite.virtual_addr.port();
    let telnet = lab.exec("ev6", &format!("telnet {name} {satellite_port}"));
    assert_eq!(
        telnet,
        format!(
            "Trying {name} ({ip}, {satellite_port})... Open\n[Connection to {name} closed by foreign host]\n"
        )
    );

    lab.backend.set_faults(Faults {
        satellite_cert_expired: true,
        ..Faults::default()
    });
    privileged(&lab, "ev6", &["license smart renew auth"]);
    let eventlog = lab.until(
        "ev6",
        "show license eventlog",
        "SAEVT_DEREGISTER_STATUS",
        Duration::from_secs(20),
    );
    let texts: Vec<String> = events(&eventlog).into_iter().map(|(_, t)| t).collect();
    let at = texts
        .iter()
        .position(|t| t.starts_with("SAEVT_DEREGISTER_STATUS"))
        .unwrap();
    assert_eq!(
        texts[at],
        "SAEVT_DEREGISTER_STATUS msgStatus=\"LS_INVALID_DATA\" error=\"Missing Id cert serial number field; Missing signing cert serial number field; Signed data and certificate does not match\""
    );
    assert!(
        texts[at + 1].starts_with("SAEVT_STATE_EVAL remainingSeconds=\""),
        "{eventlog}"
    );
    let status = lab.exec("ev6", "show license status");
    assert!(status.contains("Status: EVAL MODE"), "{status}");
}

/// Using Policy (17.9): its own event log and syslog, and the same probes.
#[test]
fn ios_xe_using_policy_eventlog_logging_and_probes() {
    let lab = LabSsh::start(&inventory(&catalyst("slp", "17.9.4a", "127.0.88.5", "")));
    let eventlog = lab.exec("slp", "show license eventlog");
    let texts: Vec<String> = events(&eventlog).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        texts,
        [
            "SAEVT_READY",
            "SAEVT_ENABLED",
            "SAEVT_EXPORT_FLAG exportAllowed=\"False\"",
            "SAEVT_INIT_CRYPTO success=\"True\"",
            "SAEVT_INIT_COMPLETE",
        ],
        "{eventlog}"
    );
    let logging = lab.exec("slp", "show logging | include SMART_LIC");
    assert_eq!(logging.lines().count(), 1, "only the boot line:\n{logging}");
    assert!(
        logging.contains(
            "%SMART_LIC-6-REPORTING_REQUIRED: A Usage report acknowledgement will be required in 89 days."
        ),
        "{logging}"
    );
    assert_eq!(
        lab.exec("slp", "show logging | include %SMART_LIC|%CALL_HOME|%PKI"),
        logging
    );
    assert_eq!(
        lab.exec("slp", "ping smartreceiver.cisco.com"),
        "Translating \"smartreceiver.cisco.com\"...domain server (255.255.255.255)\n% Unrecognized host or address, or protocol not running.\n"
    );
}

// ------------------------------------------------------------------------ NX-OS

/// docs/troubleshooting.md NX-1: call-home uses `management`, the HTTP source is vlan27, registration
/// fails. From the switch, as in Cisco's evidence, `ping`/`telnet` through
/// `management` (typed at `(config)#`) reach CSSM; from vlan27 or the default VRF they do
/// not.
#[test]
fn nx_os_nx1_reaches_cssm_through_management_but_not_from_vlan27() {
    let lab = LabSsh::start(&inventory(&nexus(
        "dc-dmz",
        "127.0.88.6",
        "        reaches: [management]\n        interfaces: {mgmt0: management, Vlan27: null}\n",
    )));
    let mut config = vec![
        format!("ip name-server {DNS} use-vrf management"),
        "ip http source-interface vlan27".to_string(),
    ];
    config.extend(nx_callhome());
    let reg = register(&lab);
    nx_session(&lab, "dc-dmz", &config, &[&reg]);
    lab.until_status("dc-dmz", SEND_FAILED);

    let ping_ok = "PING tools.cisco.com (198.51.100.10): 56 data bytes\n64 bytes from 198.51.100.10: icmp_seq=0 ttl=64 time=0.512 ms\n64 bytes from 198.51.100.10: icmp_seq=1 ttl=64 time=0.512 ms\n64 bytes from 198.51.100.10: icmp_seq=2 ttl=64 time=0.512 ms\n64 bytes from 198.51.100.10: icmp_seq=3 ttl=64 time=0.512 ms\n64 bytes from 198.51.100.10: icmp_seq=4 ttl=64 time=0.512 ms\n\n--- tools.cisco.com ping statistics ---\n5 packets transmitted, 5 packets received, 0.00% packet loss\nround-trip min/avg/max = 0.512/0.512/0.512 ms\n";
    let telnet_ok = "Trying 198.51.100.10...\nConnected to tools.cisco.com.\nEscape character is '^]'.\nConnection closed by foreign host.\n";
    assert_eq!(
        lab.exec("dc-dmz", "ping tools.cisco.com vrf management"),
        ping_ok
    );
    assert_eq!(
        lab.exec("dc-dmz", "telnet tools.cisco.com 443 vrf management"),
        telnet_ok
    );
    // At `(config)#`, as the evidence of docs/troubleshooting.md NX-1 was typed.
    let screen = nx_session(
        &lab,
        "dc-dmz",
        &[
            "ping tools.cisco.com vrf management".to_string(),
            "telnet tools.cisco.com 443 vrf management".to_string(),
        ],
        &[],
    );
    assert!(
        screen.contains("(config)# ping tools.cisco.com vrf management\r\nPING tools.cisco.com (198.51.100.10): 56 data bytes"),
        "{screen}"
    );
    assert!(
        screen.contains("Connection closed by foreign host.\r\ndc-dmz(config)# "),
        "{screen}"
    );

    // From vlan27 (the source NX-1 got wrong) and from the default VRF: no route.
    let from_vlan = lab.exec(
        "dc-dmz",
        "ping tools.cisco.com vrf management source-interface vlan27",
    );
    assert!(
        from_vlan.starts_with("PING tools.cisco.com (198.51.100.10): 56 data bytes\nping: sendto 198.51.100.10 64 chars, No route to host\nRequest 0 timed out\n"),
        "{from_vlan}"
    );
    assert!(
        from_vlan.ends_with("\n\n--- tools.cisco.com ping statistics ---\n5 packets transmitted, 0 packets received, 100.00% packet loss\n"),
        "{from_vlan}"
    );
    assert_eq!(
        lab.exec(
            "dc-dmz",
            "ping tools.cisco.com count 2 source-interface mgmt0 vrf management"
        )
        .lines()
        .filter(|l| l.starts_with("64 bytes from"))
        .count(),
        2
    );
    assert_eq!(
        lab.exec("dc-dmz", "telnet tools.cisco.com 443"),
        "Trying 198.51.100.10...\ntelnet: Unable to connect to remote host: No route to host\n"
    );
    // A closed port, an address nothing has.
    assert_eq!(
        lab.exec("dc-dmz", "telnet tools.cisco.com 80 vrf management"),
        "Trying 198.51.100.10...\ntelnet: Unable to connect to remote host: Connection refused\n"
    );
    assert_eq!(
        lab.exec("dc-dmz", &format!("telnet {NOWHERE} 443 vrf management")),
        format!(
            "Trying {NOWHERE}...\ntelnet: Unable to connect to remote host: Connection timed out\n"
        )
    );
    let silent = lab.exec("dc-dmz", &format!("ping {NOWHERE} vrf management"));
    assert!(
        silent.starts_with(&format!(
            "PING {NOWHERE} ({NOWHERE}): 56 data bytes\nRequest 0 timed out\nRequest 1 timed out\n"
        )) && silent.contains("0 packets received, 100.00% packet loss"),
        "{silent}"
    );

    // `show logging | include …` is accepted and filters (NX-OS logs no SMART_LIC lines:
    // [CAT-TS] gives no NX-OS syslog sequence).
    assert_eq!(lab.exec("dc-dmz", "show logging | include SMART_LIC"), "");
    assert_eq!(
        lab.exec(
            "dc-dmz",
            "show logging | include %SMART_LIC|%CALL_HOME|%VSHD"
        ),
        lab.exec("dc-dmz", "show logging | include VSHD")
    );
    assert!(!lab.exec("dc-dmz", "show logging | include VSHD").is_empty());

    // `show clock`: NX-OS's form (day unpadded), and the lab's time.
    let clock = lab.exec("dc-dmz", "show clock");
    let re = regex::Regex::new(
        r"^\d\d:\d\d:\d\d\.\d{3} UTC [A-Z][a-z]{2} [A-Z][a-z]{2} [1-9]\d? \d{4}\n$",
    )
    .unwrap();
    assert!(re.is_match(&clock), "{clock:?}");
    let at = smartlic::platform::timefmt::parse_show_clock(&clock).unwrap();
    assert!((at - unix_now()).abs() < 120, "{clock}");
}

/// An NX-OS switch with no name server fails its registration (CAT-5 family) and
/// cannot resolve tools.cisco.com either; by address, through management, CSSM answers.
#[test]
fn nx_os_without_dns_fails_like_its_registration() {
    let lab = LabSsh::start(&inventory(&nexus(
        "n9k-nodns",
        "127.0.88.7",
        "        reaches: [management]\n",
    )));
    let reg = register(&lab);
    nx_session(&lab, "n9k-nodns", &nx_callhome(), &[&reg]);
    lab.until_status("n9k-nodns", SEND_FAILED);
    assert_eq!(
        lab.exec("n9k-nodns", "ping tools.cisco.com vrf management"),
        "% Invalid host/interface tools.cisco.com\n"
    );
    assert_eq!(
        lab.exec("n9k-nodns", "telnet tools.cisco.com 443 vrf management"),
        "telnet: could not resolve tools.cisco.com/443: Name or service not known\n"
    );
    assert_eq!(
        lab.exec("n9k-nodns", &format!("telnet {CSSM_IP} 443 vrf management")),
        format!(
            "Trying {CSSM_IP}...\nConnected to {CSSM_IP}.\nEscape character is '^]'.\nConnection closed by foreign host.\n"
        )
    );
    // The DNS remedy fixes both.
    let reg = register(&lab);
    nx_session(
        &lab,
        "n9k-nodns",
        &[format!("ip name-server {DNS} use-vrf management")],
        &[&reg],
    );
    assert!(
        lab.exec("n9k-nodns", "ping tools.cisco.com vrf management")
            .contains("5 packets received, 0.00% packet loss"),
    );
    lab.until_status("n9k-nodns", "Status: AUTHORIZED on");
}
