//! Every Catalyst (IOS-XE, classic Smart Licensing) failure scenario of docs/troubleshooting.md
//! (CAT-1 … CAT-9) end to end over real SSH, and the timers of [CAT-TS] [NX-TS] [ACI-SL] on a fast lab
//! clock. Each test configures a lab device as an engineer would (OpenSSH, interactive
//! sessions), sets the back-end fault the scenario needs, checks that `show license status`
//! and `show logging` reach Cisco's strings, then applies Cisco's remedy and checks
//! that the device converges (registered and authorized).

use std::time::{Duration, Instant};

use smartlic::lab::backend::protocol::Udi;
use smartlic::lab::backend::{Faults, Outage, Realm, ServiceFault, StateSnapshot};
use smartlic::lab::run::LabOptions;
use smartlic::lab::time::Civil;

use crate::lab_harness::{LabSsh, host, inventory};

/// The lab's name server (docs/lab.md, network model).
const DNS: &str = "ip name-server 198.51.100.53";
const SEND_FAILED: &str = "Fail to send out Call Home HTTP message.";
const DDCE: &str = "https://tools.cisco.com/its/service/oddce/services/DDCEService";
const DAY: i64 = 86_400;

/// One Catalyst 9300 on IOS-XE 16.12.5 (classic Smart Licensing).
fn catalyst(name: &str, address: &str, lab: &str) -> String {
    host(name, "ios-xe", "16.12.5", address, lab)
}

fn start(hosts: &[String]) -> LabSsh {
    LabSsh::start(&inventory(&hosts.concat()))
}

/// A privileged session typing `lines`.
fn privileged(lab: &LabSsh, device: &str, lines: &[&str]) -> String {
    let mut all = vec!["terminal length 0", "enable"];
    all.extend_from_slice(lines);
    all.push("exit");
    lab.session(device, &all)
}

fn register(token: &str) -> String {
    format!("license smart register idtoken {token}")
}

fn token(lab: &LabSsh, virtual_account: &str) -> String {
    lab.backend
        .create_token("Example Account", virtual_account, 3650, None)
}

/// The value after `label: ` on the first line that has it (`show license …` lines).
fn value<'a>(text: &'a str, label: &str) -> &'a str {
    let prefix = format!("{label}: ");
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no `{label}:` in:\n{text}"))
        .trim_end()
}

/// Whether a line of `text`, trimmed, is exactly `line`.
fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l.trim() == line)
}

/// `Jun 22 16:15:41 2022 UTC` ([CAT-TS] [NX-TS] timestamp grammar), possibly after
/// `SUCCEEDED on ` and the like, to Unix seconds.
fn stamp(text: &str) -> i64 {
    let text = text.rsplit(" on ").next().unwrap_or(text);
    let words: Vec<&str> = text.split_whitespace().collect();
    let [month, day, time, year, "UTC"] = words[..] else {
        panic!("not a device timestamp: {text}");
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month).unwrap() + 1;
    let hms: Vec<u32> = time.split(':').map(|p| p.parse().unwrap()).collect();
    smartlic::lab::time::to_epoch(
        year.parse().unwrap(),
        month,
        day.parse().unwrap(),
        hms[0],
        hms[1],
        hms[2],
    ) as i64
}

fn udi(lab: &LabSsh, device: &str) -> Udi {
    let d = lab.devices.iter().find(|d| d.host.name == device).unwrap();
    Udi {
        pid: d.host.pid.clone(),
        serial: d.host.serial.clone(),
    }
}

/// Polls the back-end's books until `ok` holds (10 s at most).
fn until_books(lab: &LabSsh, what: &str, ok: impl Fn(&StateSnapshot) -> bool) -> StateSnapshot {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let snapshot = lab.backend.snapshot();
        if ok(&snapshot) {
            return snapshot;
        }
        assert!(Instant::now() < deadline, "{what} never held: {snapshot:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Polls `show license status` until one of its lines, trimmed, is `line` (20 s at most).
fn until_line(lab: &LabSsh, device: &str, line: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = lab.exec(device, "show license status");
        if has_line(&status, line) {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "no line `{line}` on {device}:\n{status}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn log(lab: &LabSsh, device: &str) -> String {
    lab.exec(device, "show logging")
}

/// Registers `device` (DNS to the lab, then `register idtoken`) and waits until authorized.
fn register_and_authorize(lab: &LabSsh, device: &str, token: &str) -> String {
    privileged(
        lab,
        device,
        &["configure terminal", DNS, "end", &register(token)],
    );
    let status = lab.until_status(device, "Status: AUTHORIZED on");
    assert!(has_line(&status, "Status: REGISTERED"), "{status}");
    status
}

// ------------------------------------------------------------------ CAT-1 … CAT-9

/// CAT-1: a deregistration that never reached CSSM leaves the product instance there;
/// registering again fails with `Product Already Registered` until `force`.
#[test]
fn cat1_a_product_still_in_cssm_needs_register_force() {
    let lab = start(&[catalyst("c1", "127.0.0.121", "")]);
    let t = token(&lab, "Default");
    register_and_authorize(&lab, "c1", &t);
    // CSSM is unreachable while the engineer deregisters: the back-end keeps the instance.
    lab.backend.set_faults(Faults {
        cssm: ServiceFault {
            outage: Some(Outage::Refused),
            delay_ms: 0,
        },
        ..Faults::default()
    });
    privileged(&lab, "c1", &["license smart deregister", &register(&t)]);
    // The registration after the deregistration failed too: both were attempted.
    let status = lab.until_status("c1", SEND_FAILED);
    assert!(
        has_line(&status, "Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    let books = lab.backend.snapshot();
    assert!(
        books.instance(Realm::Cssm, &udi(&lab, "c1")).is_some(),
        "{books:?}"
    );
    // CSSM is back; the plain register is refused (docs/troubleshooting.md CAT-1).
    lab.backend.set_faults(Faults::default());
    privileged(&lab, "c1", &[&register(&t)]);
    let status = lab.until_status("c1", "Failure reason: Product Already Registered");
    assert!(
        has_line(&status, "Status: UNREGISTERED - REGISTRATION FAILED"),
        "{status}"
    );
    assert!(
        value(&status, "Initial Registration").starts_with("FAILED on "),
        "{status}"
    );
    // The next attempt is 15 minutes later ([CAT-TS] [NX-TS] [ACI-SL], initial registration retry).
    let failed = stamp(value(&status, "Initial Registration"));
    let next = stamp(value(&status, "Next Registration Attempt"));
    assert_eq!(next - failed, 15 * 60, "{status}");
    let logging = log(&lab, "c1");
    assert!(logging.contains("%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite failed: Product Already Registered"), "{logging}");
    // The remedy: `license smart register idtoken <TOKEN> force`.
    privileged(&lab, "c1", &[&format!("{} force", register(&t))]);
    let status = lab.until_status("c1", "Status: AUTHORIZED on");
    assert!(has_line(&status, "Status: REGISTERED"), "{status}");
    assert!(
        value(&status, "Initial Registration").starts_with("SUCCEEDED on "),
        "{status}"
    );
}

/// CAT-2: `Your request could not be processed right now. Please try again` keeps the
/// device REGISTERING; a new token registers it.
#[test]
fn cat2_try_again_keeps_registering_and_a_new_token_registers() {
    let lab = start(&[
        catalyst("c2a", "127.0.0.122", ""),
        catalyst("c2b", "127.0.0.123", ""),
    ]);
    const TRY_AGAIN: &str =
        "Failure reason: Your request could not be processed right now. Please try again";
    // The back-end cannot process requests right now.
    lab.backend.set_faults(Faults {
        try_again: true,
        ..Faults::default()
    });
    let first = token(&lab, "Default");
    privileged(
        &lab,
        "c2a",
        &["configure terminal", DNS, "end", &register(&first)],
    );
    let status = lab.until_status("c2a", TRY_AGAIN);
    assert!(
        has_line(&status, "Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    assert!(
        value(&status, "Initial Registration").starts_with("FAILED on "),
        "{status}"
    );
    let next = stamp(value(&status, "Next Registration Attempt"));
    assert_eq!(
        next - stamp(value(&status, "Initial Registration")),
        15 * 60
    );
    // A token CSSM no longer honours fails the same way (the lab answers every token
    // failure with CAT-2's text, whose remedy is a new token).
    lab.backend.set_faults(Faults::default());
    assert!(lab.backend.revoke_token(&first));
    privileged(
        &lab,
        "c2b",
        &["configure terminal", DNS, "end", &register(&first)],
    );
    let status = lab.until_status("c2b", TRY_AGAIN);
    assert!(
        has_line(&status, "Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    // The remedy: a new token, and register again.
    let second = token(&lab, "Default");
    for device in ["c2a", "c2b"] {
        privileged(&lab, device, &[&register(&second)]);
        let status = lab.until_status(device, "Status: AUTHORIZED on");
        assert!(has_line(&status, "Status: REGISTERED"), "{status}");
    }
}

/// CAT-3: a device clock 200 days behind gets the `{"timestamp": …}` reason with its own
/// date in epoch milliseconds; `clock set` + `clock calendar-valid` fixes it.
#[test]
fn cat3_a_wrong_clock_is_refused_until_clock_set_and_calendar_valid() {
    let lab = start(&[catalyst(
        "c3",
        "127.0.0.124",
        "        clock_offset: -200d\n",
    )]);
    let t = token(&lab, "Default");
    privileged(
        &lab,
        "c3",
        &["configure terminal", DNS, "end", &register(&t)],
    );
    let status = lab.until_status("c3", "Failure reason: {\"timestamp\": [\"The device date '");
    assert!(
        has_line(&status, "Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    let reason = value(&status, "Failure reason");
    let millis: i64 = reason
        .strip_prefix("{\"timestamp\": [\"The device date '")
        .and_then(|r| r.split_once('\''))
        .map(|(ms, rest)| {
            assert_eq!(
                rest, " is offset beyond the allowed tolerance limit.\"]}",
                "{reason}"
            );
            ms.parse().unwrap()
        })
        .unwrap_or_else(|| panic!("{reason}"));
    let behind = lab.clock.now() - millis as f64 / 1000.0;
    assert!(
        (200.0 * DAY as f64 - behind).abs() < 120.0,
        "the device date {millis} is not 200 days behind the lab: {behind} s"
    );
    // The device clock is not trusted (docs/troubleshooting.md CAT-3: not by default).
    let clock = lab.exec("c3", "show clock");
    assert!(clock.starts_with('*'), "{clock}");
    // The remedy: set the clock by hand, check it, make it authoritative, register again.
    let now = Civil::from_epoch(lab.clock.now());
    let set = format!(
        "clock set {:02}:{:02}:{:02} {} {} {}",
        now.hour,
        now.minute,
        now.second,
        now.day,
        now.month_name(),
        now.year
    );
    let screen = privileged(
        &lab,
        "c3",
        &[
            &set,
            "configure terminal",
            "clock calendar-valid",
            "end",
            "show clock",
            &register(&t),
        ],
    );
    assert!(!screen.contains("% Invalid input"), "{screen}");
    let clock = lab.exec("c3", "show clock");
    assert!(!clock.starts_with('*'), "{clock}");
    assert!(
        clock.contains(&format!("{} {} {}", now.month_name(), now.day, now.year)),
        "{clock}"
    );
    let status = lab.until_status("c3", "Status: AUTHORIZED on");
    assert!(has_line(&status, "Status: REGISTERED"), "{status}");
    // The device now prints (and sent) the right date.
    let registered = stamp(value(&status, "Initial Registration"));
    assert!(
        (registered as f64 - lab.clock.now()).abs() < 120.0,
        "{status}"
    );
}

/// CAT-4, call-home off: `no service call-home` → `Communication transport not
/// available.`; `service call-home` fixes it.
#[test]
fn cat4_call_home_disabled_is_transport_not_available() {
    let lab = start(&[catalyst("c4", "127.0.0.125", "")]);
    let t = token(&lab, "Default");
    privileged(
        &lab,
        "c4",
        &[
            "configure terminal",
            DNS,
            "no service call-home",
            "end",
            &register(&t),
        ],
    );
    let status = lab.until_status(
        "c4",
        "Failure reason: Communication transport not available.",
    );
    assert!(
        has_line(&status, "Status: UNREGISTERED - REGISTRATION FAILED"),
        "{status}"
    );
    assert!(
        value(&status, "Initial Registration").starts_with("FAILED on "),
        "{status}"
    );
    let logging = log(&lab, "c4");
    assert!(logging.contains("%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite failed: Communication transport not available."), "{logging}");
    assert!(logging.contains("%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart Software Manager or satellite: Communication transport not available."), "{logging}");
    assert!(!logging.contains("CALL_HOME_FAILED_TO_ENABLE"), "{logging}");
    // The remedy: `service call-home` in the running config, then register again.
    privileged(
        &lab,
        "c4",
        &[
            "configure terminal",
            "service call-home",
            "end",
            &register(&t),
        ],
    );
    lab.until_status("c4", "Status: AUTHORIZED on");
    let run = lab.exec("c4", "show running-config");
    assert!(has_line(&run, "service call-home"), "{run}");
}

/// CAT-4, user profile: an active user profile without `reporting smart-licensing-data`
/// stops call-home from being enabled for the Smart Agent (the CALL_HOME-3 log);
/// `reporting smart-licensing-data` under that profile fixes it.
#[test]
fn cat4_a_user_profile_needs_reporting_smart_licensing_data() {
    let lab = start(&[catalyst("c4u", "127.0.0.126", "")]);
    let t = token(&lab, "Default");
    let destination = format!("destination address http {DDCE}");
    privileged(
        &lab,
        "c4u",
        &[
            "configure terminal",
            DNS,
            "call-home",
            "profile \"CiscoTAC-1\"",
            "no active",
            "exit",
            "profile \"SCH-Ops\"",
            "active",
            "destination transport-method http",
            &destination,
            "end",
            &register(&t),
        ],
    );
    let status = lab.until_status(
        "c4u",
        "Failure reason: Communication transport not available.",
    );
    assert!(
        has_line(&status, "Status: UNREGISTERED - REGISTRATION FAILED"),
        "{status}"
    );
    let logging = log(&lab, "c4u");
    for line in [
        "%CALL_HOME-3-CALL_HOME_FAILED_TO_ENABLE: Failed to enable call-home from Smart Agent for Licensing: The command failed to enable smart call home due to an existing active user profile.If you are using a user profile other than CiscoTAC-1 profile to send data to SCH server in Cisco, enter reporting smart-licensing-data under profile mode to configure that profile for smart licensing.For more details about SCH, check <http://www.cisco.com/go/smartcallhome>",
        "%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite failed: Communication transport not available.",
        "%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart Software Manager or satellite: Communication transport not available.",
    ] {
        assert!(logging.contains(line), "{line}\n{logging}");
    }
    // The remedy ([CAT-TS]): the active profile reports Smart Licensing data.
    let screen = privileged(
        &lab,
        "c4u",
        &[
            "configure terminal",
            "call-home",
            "profile \"SCH-Ops\"",
            "reporting smart-licensing-data",
            "end",
            &register(&t),
        ],
    );
    assert!(screen.contains("(cfg-call-home-profile)#"), "{screen}");
    let status = lab.until_status("c4u", "Status: AUTHORIZED on");
    assert!(has_line(&status, "Status: REGISTERED"), "{status}");
}

/// CAT-5 through a VRF: the name server is in Mgmt-vrf but HTTPS leaves from the global
/// table; `ip http client source-interface` ([CAT-TS], "required") fixes it. Later a
/// renewal that cannot be sent shows the scenario 5 authorization lines and logs.
#[test]
fn cat5_the_vrf_needs_ip_http_client_source_interface() {
    let lab = start(&[catalyst(
        "c5",
        "127.0.0.127",
        "        reaches: [Mgmt-vrf]\n        interfaces: {GigabitEthernet0/0: Mgmt-vrf, Vlan27: null}\n",
    )]);
    let t = token(&lab, "Default");
    privileged(
        &lab,
        "c5",
        &[
            "configure terminal",
            "ip name-server vrf Mgmt-vrf 198.51.100.53",
            "end",
            &register(&t),
        ],
    );
    let status = lab.until_status("c5", &format!("Failure reason: {SEND_FAILED}"));
    assert!(
        has_line(&status, "Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    let logging = log(&lab, "c5");
    assert!(
        logging.contains(&format!(
            "%CALL_HOME-5-SL_MESSAGE_FAILED: Fail to send out Smart Licensing message to: {DDCE} (ERR 205 : Request Aborted)"
        )),
        "{logging}"
    );
    // The remedy: HTTPS leaves from the interface in Mgmt-vrf.
    privileged(
        &lab,
        "c5",
        &[
            "configure terminal",
            "ip http client source-interface GigabitEthernet0/0",
            "end",
            &register(&t),
        ],
    );
    lab.until_status("c5", "Status: AUTHORIZED on");
    // Remove it again: the next renewal cannot be sent (docs/troubleshooting.md CAT-5).
    privileged(
        &lab,
        "c5",
        &[
            "configure terminal",
            "no ip http client source-interface GigabitEthernet0/0",
            "end",
            "license smart renew auth",
        ],
    );
    let status = lab.until_status("c5", "Last Communication Attempt: FAILED on");
    assert!(has_line(&status, "Status: REGISTERED"), "{status}");
    assert!(
        status.contains("Status: AUTHORIZED on"),
        "a failed renewal keeps the authorization: {status}"
    );
    assert!(
        status.contains(&format!("Failure reason: {SEND_FAILED}")),
        "{status}"
    );
    // Observed in scenario 5: the next attempt 30 s after the failure.
    let failed = stamp(value(&status, "Last Communication Attempt"));
    assert_eq!(
        stamp(value(&status, "Next Communication Attempt")) - failed,
        30
    );
    let logging = log(&lab, "c5");
    let d = &lab.devices[0].host;
    for line in [
        format!(
            "%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart Software Manager or satellite: {SEND_FAILED}"
        ),
        format!(
            "%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the Cisco Smart Software Manager or satellite: Communication message send error for udi PID:{}, SN: {}",
            d.pid, d.serial
        ),
    ] {
        assert!(logging.contains(&line), "{line}\n{logging}");
    }
    // And back: the renewal goes through.
    privileged(
        &lab,
        "c5",
        &[
            "configure terminal",
            "ip http client source-interface GigabitEthernet0/0",
            "end",
            "license smart renew auth",
        ],
    );
    lab.until_status("c5", "Last Communication Attempt: SUCCEEDED on");
}

/// The satellite's private CA imported as [CAT-TS] does it, and the satellite URL.
fn satellite_setup(lab: &LabSsh, device: &str, token: &str) -> String {
    let name = lab.backend.satellite.names[0].clone();
    let ip = lab.backend.satellite.virtual_addr.ip().to_string();
    let url = format!("https://{name}/Transportgateway/services/DeviceRequestHandler");
    let pem = lab.backend.satellite_ca_pem.clone();
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
    lines.extend(pem.lines().map(str::to_string));
    lines.extend(["".into(), "yes".into(), "end".into(), register(token)]);
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    privileged(lab, device, &lines)
}

/// CAT-6: the on-prem server's signing certificate expired (CSCvr41393): the device logs
/// `SAEVT_DEREGISTER_STATUS msgStatus="LS_INVALID_DATA"` and is back to UNREGISTERED /
/// EVAL MODE; once the on-prem certificate is renewed, the device registers again.
#[test]
fn cat6_an_expired_on_prem_certificate_drops_the_registration() {
    let lab = start(&[catalyst("c6", "127.0.0.128", "")]);
    let t = lab
        .backend
        .create_satellite_token("Example Account", "Default", 3650, None);
    let screen = satellite_setup(&lab, "c6", &t);
    assert!(
        screen.contains("% Certificate successfully imported"),
        "{screen}"
    );
    lab.until_status("c6", "Status: AUTHORIZED on");
    lab.backend.set_faults(Faults {
        satellite_cert_expired: true,
        ..Faults::default()
    });
    privileged(&lab, "c6", &["license smart renew auth"]);
    let status = until_line(&lab, "c6", "Status: UNREGISTERED");
    assert!(has_line(&status, "Status: EVAL MODE"), "{status}");
    assert!(status.contains("Evaluation Period Remaining: "), "{status}");
    let logging = log(&lab, "c6");
    assert!(
        logging.contains("SAEVT_DEREGISTER_STATUS msgStatus=\"LS_INVALID_DATA\" error=\"Missing Id cert serial number field; Missing signing cert serial number field; Signed data and certificate does not match\""),
        "{logging}"
    );
    // While the certificate stays expired, registering fails the same way.
    privileged(&lab, "c6", &[&format!("{} force", register(&t))]);
    until_books(&lab, "a second satellite registration request", |b| {
        b.counters(Realm::Satellite, &udi(&lab, "c6"))
            .register_requests
            >= 2
    });
    let status = until_line(&lab, "c6", "Status: UNREGISTERED");
    assert!(has_line(&status, "Status: EVAL MODE"), "{status}");
    // The remedy is on the on-prem server (a CSCvr41393 workaround renews its
    // certificate); then the device registers again (force: the satellite still has it).
    lab.backend.set_faults(Faults::default());
    privileged(&lab, "c6", &[&format!("{} force", register(&t))]);
    let status = lab.until_status("c6", "Status: AUTHORIZED on");
    assert!(has_line(&status, "Status: REGISTERED"), "{status}");
}

/// CAT-7: the CRL of SLA-TrustPoint cannot be fetched: the renewal stays `PENDING` /
/// `Waiting for reply` with the CRL_FETCH_FAIL log; `revocation-check none` fixes it.
#[test]
fn cat7_a_crl_timeout_is_fixed_by_revocation_check_none() {
    let lab = start(&[catalyst("c7", "127.0.0.129", "")]);
    let t = token(&lab, "Default");
    register_and_authorize(&lab, "c7", &t);
    // The factory SLA-TrustPoint checks the CRL.
    let run = lab.exec("c7", "show running-config");
    assert!(
        run.contains(
            "crypto pki trustpoint SLA-TrustPoint\n enrollment pkcs12\n revocation-check crl"
        ),
        "{run}"
    );
    lab.backend.set_faults(Faults {
        crl_unreachable: true,
        ..Faults::default()
    });
    privileged(&lab, "c7", &["license smart renew auth"]);
    let status = lab.until_status("c7", "Failure reason: Waiting for reply");
    assert!(
        value(&status, "Last Communication Attempt").starts_with("PENDING on "),
        "{status}"
    );
    assert!(status.contains("Status: AUTHORIZED on"), "{status}");
    assert!(status.contains("Next Communication Attempt: "), "{status}");
    let logging = log(&lab, "c7");
    assert!(
        logging.contains("%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint SLA-TrustPoint failed Reason : Failed to select socket.Timeout : 5 (Connection timed out)"),
        "{logging}"
    );
    // The remedy of [CAT-TS], with the CRL still unreachable.
    let screen = privileged(
        &lab,
        "c7",
        &[
            "configure terminal",
            "crypto pki trustpoint SLA-TrustPoint",
            "revocation-check none",
            "end",
            "license smart renew auth",
        ],
    );
    assert!(screen.contains("(ca-trustpoint)#"), "{screen}");
    let status = lab.until_status("c7", "Last Communication Attempt: SUCCEEDED on");
    assert!(status.contains("Status: AUTHORIZED on"), "{status}");
    assert!(!status.contains("Waiting for reply"), "{status}");
    let run = lab.exec("c7", "show running-config");
    assert!(
        run.contains(
            "crypto pki trustpoint SLA-TrustPoint\n enrollment pkcs12\n revocation-check none"
        ),
        "{run}"
    );
}

/// CAT-8: the virtual account has no Network Advantage left: OUT OF COMPLIANCE and the
/// OUT_OF_COMPLIANCE log (no CRL_FETCH_FAIL); licenses added, a renewal authorizes.
#[test]
fn cat8_an_exhausted_pool_is_out_of_compliance_until_licenses_are_added() {
    let lab = start(&[catalyst("c8", "127.0.0.130", "")]);
    let pid = lab.devices[0].host.pid.clone();
    // `C9300-48P` uses the `C9300-48 …` tags (lab entitlements).
    let family = pid.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let tag = format!("{family} Network Advantage");
    lab.backend.set_pool("Example Account", "Default", &tag, 0);
    let t = token(&lab, "Default");
    privileged(
        &lab,
        "c8",
        &["configure terminal", DNS, "end", &register(&t)],
    );
    let status = lab.until_status("c8", "Status: OUT OF COMPLIANCE on");
    assert!(has_line(&status, "Status: REGISTERED"), "{status}");
    assert!(
        value(&status, "Last Communication Attempt").starts_with("SUCCEEDED on "),
        "{status}"
    );
    let logging = log(&lab, "c8");
    assert!(
        logging.contains(
            "%SMART_LIC-3-OUT_OF_COMPLIANCE: One or more entitlements are out of compliance."
        ),
        "{logging}"
    );
    assert!(!logging.contains("CRL_FETCH_FAIL"), "{logging}");
    let all = lab.exec("c8", "show license all");
    assert!(all.contains("Status: OUT OF COMPLIANCE on"), "{all}");
    assert!(
        all.contains(&format!("({tag}):")) && has_line(&all, "Status: OUT OF COMPLIANCE"),
        "the usage block shows the state: {all}"
    );
    let books = lab.backend.snapshot();
    let pool = books.pool("Example Account", "Default", &tag).unwrap();
    assert_eq!((pool.purchased, pool.in_use, pool.balance), (0, 1, -1));
    // OOC renews daily ([CAT-TS] [NX-TS] [ACI-SL]).
    let last = stamp(value(&status, "Last Communication Attempt"));
    assert_eq!(
        stamp(value(&status, "Next Communication Attempt")) - last,
        DAY
    );
    // The remedy: licenses in the virtual account, then a renewal.
    lab.backend.set_pool("Example Account", "Default", &tag, 5);
    privileged(&lab, "c8", &["license smart renew auth"]);
    let status = lab.until_status("c8", "Status: AUTHORIZED on");
    assert!(!status.contains("OUT OF COMPLIANCE"), "{status}");
    let logging = log(&lab, "c8");
    assert!(
        logging.contains("%SMART_LIC-5-IN_COMPLIANCE: All entitlements and licenses in use on this device are authorized"),
        "{logging}"
    );
}

/// CAT-9: a renewal answered `Data and signature do not match` keeps the device
/// AUTHORIZED with a failed communication; deregister + register force with a new token
/// brings it back in sync.
#[test]
fn cat9_signature_mismatch_is_fixed_by_deregister_and_forced_registration() {
    let lab = start(&[catalyst("c9", "127.0.0.131", "")]);
    let first = token(&lab, "Default");
    register_and_authorize(&lab, "c9", &first);
    lab.backend.set_faults(Faults {
        signature_mismatch: true,
        ..Faults::default()
    });
    privileged(&lab, "c9", &["license smart renew auth"]);
    let status = lab.until_status("c9", "Failure reason: Data and signature do not match");
    assert!(status.contains("Status: AUTHORIZED on"), "{status}");
    let failed = value(&status, "Last Communication Attempt");
    assert!(failed.starts_with("FAILED on "), "{status}");
    assert_eq!(
        stamp(value(&status, "Next Communication Attempt")) - stamp(failed),
        30,
        "{status}"
    );
    let logging = log(&lab, "c9");
    let d = &lab.devices[0].host;
    let line = format!(
        "%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the Cisco Smart Software Manager (CSSM) : Error received from Smart Software Manager: Data and signature do not match for udi PID:{},SN:{}",
        d.pid, d.serial
    );
    assert!(logging.contains(&line), "{line}\n{logging}");
    // The remedy, with the back-end unchanged: deregister, then a new token with force.
    let second = token(&lab, "Default");
    privileged(
        &lab,
        "c9",
        &[
            "license smart deregister",
            &format!("{} force", register(&second)),
        ],
    );
    let status = lab.until_status("c9", "Last Communication Attempt: SUCCEEDED on");
    assert!(status.contains("Status: AUTHORIZED on"), "{status}");
    // Renewals go through again.
    let before = lab
        .backend
        .snapshot()
        .counters(Realm::Cssm, &udi(&lab, "c9"))
        .authorizations;
    privileged(&lab, "c9", &["license smart renew auth"]);
    until_books(&lab, "one more authorization", |b| {
        b.counters(Realm::Cssm, &udi(&lab, "c9")).authorizations > before
    });
    let status = lab.until_status("c9", "Last Communication Attempt: SUCCEEDED on");
    assert!(!status.contains("Data and signature"), "{status}");
    let books = lab.backend.snapshot();
    let counters = books.counters(Realm::Cssm, &udi(&lab, "c9"));
    assert_eq!(
        (counters.registrations, counters.deregistrations),
        (2, 1),
        "{books:?}"
    );
}

// ------------------------------------------------------------------ timers ([CAT-TS] [NX-TS] [ACI-SL])

fn fast_lab(name: &str, address: &str, days_per_second: f64) -> LabSsh {
    let options = LabOptions {
        time_scale: days_per_second * DAY as f64,
        ..LabOptions::default()
    };
    LabSsh::start_with(&inventory(&catalyst(name, address, "")), &options)
}

/// A registered device renews its authorization every 30 days: `Last Communication
/// Attempt` moves to the announced `Next Communication Attempt`, the next one is 30 days
/// later and the deadline 90 days later.
#[test]
fn authorization_renews_every_30_days() {
    let lab = fast_lab("t1", "127.0.0.132", 10.0);
    let t = token(&lab, "Default");
    let first = register_and_authorize(&lab, "t1", &t);
    let last = stamp(value(&first, "Last Communication Attempt"));
    let next = stamp(value(&first, "Next Communication Attempt"));
    assert_eq!(next - last, 30 * DAY, "{first}");
    assert_eq!(
        stamp(value(&first, "Communication Deadline")) - last,
        90 * DAY
    );
    let registered = stamp(value(&first, "Initial Registration"));
    assert_eq!(
        stamp(value(&first, "Next Renewal Attempt")) - registered,
        180 * DAY
    );
    assert_eq!(
        stamp(value(&first, "Registration Expires")) - registered,
        365 * DAY
    );
    // Wait for the renewal (three real seconds at ten lab days per second).
    let deadline = Instant::now() + Duration::from_secs(12);
    let renewed = loop {
        let status = lab.exec("t1", "show license status");
        let now_last = value(&status, "Last Communication Attempt");
        if stamp(now_last) != last {
            break status;
        }
        assert!(Instant::now() < deadline, "no renewal:\n{status}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let last2 = value(&renewed, "Last Communication Attempt");
    assert!(last2.starts_with("SUCCEEDED on "), "{renewed}");
    let last2 = stamp(last2);
    // On time: not before the announced date, and late by at most the real time of one
    // HTTPS call (0.3 real seconds are three lab days), or a whole number of periods later.
    let late = (last2 - next).rem_euclid(30 * DAY);
    assert!(last2 >= next && late < 3 * DAY, "{first}\n{renewed}");
    assert_eq!(
        stamp(value(&renewed, "Next Communication Attempt")) - last2,
        30 * DAY
    );
    assert_eq!(
        stamp(value(&renewed, "Communication Deadline")) - last2,
        90 * DAY
    );
    assert!(renewed.contains("Status: AUTHORIZED on"), "{renewed}");
    let books = lab.backend.snapshot();
    assert!(
        books.counters(Realm::Cssm, &udi(&lab, "t1")).authorizations >= 2,
        "{books:?}"
    );
}

/// The ID certificate renews at 6 months: `Last Renewal Attempt: SUCCEEDED`, the next
/// renewal 180 days later and a new one-year expiry.
#[test]
fn the_id_certificate_renews_at_six_months() {
    let lab = fast_lab("t2", "127.0.0.133", 40.0);
    let t = token(&lab, "Default");
    let first = register_and_authorize(&lab, "t2", &t);
    assert!(has_line(&first, "Last Renewal Attempt: None"), "{first}");
    let registered = stamp(value(&first, "Initial Registration"));
    let renewal = stamp(value(&first, "Next Renewal Attempt"));
    assert_eq!(renewal - registered, 180 * DAY);
    let status = lab.until(
        "t2",
        "show license status",
        "Last Renewal Attempt: SUCCEEDED on",
        Duration::from_secs(12),
    );
    let renewed = stamp(value(&status, "Last Renewal Attempt"));
    // Never early; late by at most the real time of one HTTPS call at 40 lab days per
    // second (a quarter of a real second is ten lab days).
    assert!(
        renewed >= renewal && renewed - renewal < 10 * DAY,
        "{first}\n{status}"
    );
    assert_eq!(
        stamp(value(&status, "Next Renewal Attempt")) - renewed,
        180 * DAY
    );
    assert_eq!(
        stamp(value(&status, "Registration Expires")) - renewed,
        365 * DAY
    );
    assert!(has_line(&status, "Status: REGISTERED"), "{status}");
    assert!(status.contains("Status: AUTHORIZED on"), "{status}");
    let books = lab.backend.snapshot();
    assert_eq!(
        books.counters(Realm::Cssm, &udi(&lab, "t2")).id_renewals,
        1,
        "{books:?}"
    );
}

/// With CSSM down: the authorization expires at its communication deadline (90 days),
/// the ID certificate renewal fails at 6 months, and at one year the ID certificate
/// expires and the device is unregistered again ([CAT-TS] [NX-TS] [ACI-SL]: the licensing states).
#[test]
fn without_cssm_authorization_expires_at_90_days_and_registration_at_a_year() {
    let lab = fast_lab("t3", "127.0.0.134", 60.0);
    let t = token(&lab, "Default");
    register_and_authorize(&lab, "t3", &t);
    lab.backend.set_faults(Faults {
        cssm: ServiceFault {
            outage: Some(Outage::Refused),
            delay_ms: 0,
        },
        ..Faults::default()
    });
    // Once a renewal has failed, no success can come: the deadline is fixed.
    let status = lab.until(
        "t3",
        "show license status",
        "Last Communication Attempt: FAILED on",
        Duration::from_secs(10),
    );
    let deadline = value(&status, "Communication Deadline").to_string();
    let registered = stamp(value(&status, "Initial Registration"));
    let expires = value(&status, "Registration Expires").to_string();
    assert_eq!(stamp(&expires) - registered, 365 * DAY);
    let expired = lab.until(
        "t3",
        "show license status",
        "Status: AUTHORIZATION EXPIRED on",
        Duration::from_secs(10),
    );
    assert!(
        has_line(
            &expired,
            &format!("Status: AUTHORIZATION EXPIRED on {deadline}")
        ),
        "{status}\n{expired}"
    );
    assert!(has_line(&expired, "Status: REGISTERED"), "{expired}");
    assert!(
        expired.contains(&format!("Failure reason: {SEND_FAILED}")),
        "{expired}"
    );
    // 6 months: the ID certificate renewal fails; the registration still expires at a year.
    let failing = lab.until(
        "t3",
        "show license status",
        "Last Renewal Attempt: FAILED on",
        Duration::from_secs(10),
    );
    assert!(
        stamp(value(&failing, "Last Renewal Attempt")) >= registered + 180 * DAY,
        "{failing}"
    );
    assert_eq!(value(&failing, "Registration Expires"), expires);
    assert!(has_line(&failing, "Status: REGISTERED"), "{failing}");
    // One year: unregistered, back to evaluation (or evaluation expired if none is left).
    let gone = until_line(&lab, "t3", "Status: UNREGISTERED");
    assert!(
        has_line(&gone, "Status: EVAL MODE") || has_line(&gone, "Status: EVAL EXPIRED"),
        "{gone}"
    );
    assert!(!gone.contains("Registration Expires"), "{gone}");
    // CSSM removed the product instance too ([CAT-TS] [NX-TS] [ACI-SL]).
    let books = lab.backend.snapshot();
    assert!(
        books.instance(Realm::Cssm, &udi(&lab, "t3")).is_none(),
        "{books:?}"
    );
}
