//! Data-centre devices end to end over real SSH: the Nexus issues of docs/troubleshooting.md (NX-1, NX-3,
//! NX-4; NX-2 is in `lab_e2e`) and the APIC cases of docs/troubleshooting.md that the APIC CLI can show
//! (ACI-1 … ACI-7). Each test configures the device as an engineer would, registers, checks
//! Cisco's failure text, applies Cisco's remedy and watches the device converge.
//!
//! The English device strings of the Nexus issues are ⟨GAP⟩ (docs/troubleshooting.md gives French titles
//! only); the lab shows the IOS-XE family text `Fail to send out Call Home HTTP message.`
//! for the send failures, as docs/troubleshooting.md NX-1 infers. APIC faults are a GUI view (docs/troubleshooting.md);
//! on the CLI the lab shows the fault's reason under `show license status` (no APIC
//! `show license …` sample exists, [ACI-SL] ⟨GAP⟩).

use std::time::{Duration, Instant};

use smartlic::lab::backend::protocol::Udi;
use smartlic::lab::backend::{Faults, Outage, Realm, ServiceFault};
use smartlic::lab::run::LabOptions;

use crate::lab_harness::{LabSsh, host, inventory, nx_callhome};

/// docs/troubleshooting.md CAT-5; docs/troubleshooting.md NX-1 (inferred family) and ACI-1's fault reason.
const SEND_FAILED: &str = "Failure reason: Fail to send out Call Home HTTP message.";
/// docs/troubleshooting.md CAT-2: the back-end's answer to a bad token (ACI-4's fault text is ⟨GAP⟩).
const TRY_AGAIN: &str =
    "Failure reason: Your request could not be processed right now. Please try again";
const CSSM_URL: &str = "https://tools.cisco.com/its/service/oddce/services/DDCEService";
const ON_PREM_PATH: &str = "/Transportgateway/services/DeviceRequestHandler";
/// The lab DNS server (docs/lab.md).
const DNS: &str = "198.51.100.53";

/// An NX-OS session: `config` lines in config mode, then `exec` lines.
fn nx_session(config: &[String], exec: &[String]) -> Vec<String> {
    let mut lines = vec![
        "terminal length 0".to_string(),
        "configure terminal".to_string(),
    ];
    lines.extend(config.iter().cloned());
    lines.push("end".to_string());
    lines.extend(exec.iter().cloned());
    lines.push("exit".to_string());
    lines
}

/// An APIC session: everything is typed in `configure` mode ([ACI-SL]).
fn apic_session(lines: &[String]) -> Vec<String> {
    let mut all = vec!["terminal length 0".to_string(), "configure".to_string()];
    all.extend(lines.iter().cloned());
    all.extend(["end".to_string(), "exit".to_string()]);
    all
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

/// The APIC GUI's System > Smart Licensing > Import/Remove Private Certificate ([ACI-SL]):
/// Cisco's documents give no CLI for it ⟨GAP⟩, so the test does what the GUI does to the device
/// state. The lab satellite's certificate chains to its own private CA, which stands for
/// the certificate [ACI-SL] imports.
fn import_private_certificate(lab: &LabSsh) {
    lab.devices[0]
        .state
        .lock()
        .unwrap()
        .trusted_cas
        .insert("private".into(), lab.backend.satellite_ca_pem.clone());
}

// ------------------------------------------------------------------------ Nexus

#[test]
fn nx1_callhome_sourced_from_vlan_27_fails_until_the_source_is_mgmt0() {
    // docs/troubleshooting.md NX-1: call-home uses `transport http use-vrf management`, but the HTTP
    // source interface is `vlan 27` (global table), not mgmt0 (VRF management).
    let lab = LabSsh::start(&inventory(&host(
        "dc-dmz",
        "nx-os",
        "9.3(5)",
        "127.0.0.71",
        "        reaches: [management]\n        interfaces: {mgmt0: management, Vlan27: null}\n",
    )));
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let mut config = vec![
        format!("ip name-server {DNS} use-vrf management"),
        // The NX-OS source-interface command is ⟨GAP⟩ in [NX-TS]; docs/platform-notes.md.
        "ip http source-interface vlan27".to_string(),
    ];
    config.extend(nx_callhome(CSSM_URL, Some("management")));
    let screen = lab.session("dc-dmz", &nx_session(&config, &[register(&token)]));
    assert!(
        screen.contains(
            "Initiated device registration with backend. run show license status, for registration status"
        ),
        "{screen}"
    );
    let status = lab.until_status("dc-dmz", SEND_FAILED);
    assert!(
        status.contains("Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    assert!(
        status.contains("Initial Registration: FAILED on "),
        "{status}"
    );

    // The remedy: the HTTP source interface is mgmt0.
    let fix = ["ip http source-interface mgmt0 vrf management".to_string()];
    lab.session("dc-dmz", &nx_session(&fix, &[register(&token)]));
    let status = lab.until_status("dc-dmz", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    assert!(
        status.contains("Initial Registration: SUCCEEDED on "),
        "{status}"
    );
    let run = lab.exec("dc-dmz", "show running-config");
    assert!(
        run.contains("ip http source-interface mgmt0 vrf management"),
        "{run}"
    );
    assert!(!run.contains("ip http source-interface vlan27"), "{run}");
    assert!(run.contains("transport http use-vrf management"), "{run}");
}

#[test]
fn nx3_a_cssm_certificate_from_an_unknown_root_fails_until_the_new_root_is_trusted() {
    // docs/troubleshooting.md NX-3: the QuoVadis root CA problem (FN72115). CSSM's certificate chains
    // to a root the switch does not have built in.
    let lab = LabSsh::start(&inventory(&host(
        "n9k1",
        "nx-os",
        "9.3(5)",
        "127.0.0.72",
        "",
    )));
    lab.backend.set_faults(Faults {
        cssm_new_root: true,
        ..Faults::default()
    });
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let mut config = vec![format!("ip name-server {DNS}")];
    config.extend(nx_callhome(CSSM_URL, None));
    lab.session("n9k1", &nx_session(&config, &[register(&token)]));
    // The switch's reason names the root CA (docs/troubleshooting.md NX-3's gloss).
    let status = lab.until_status(
        "n9k1",
        "Failure reason: Fail to send out Call Home HTTP message (failed to establish IPC connection with Call-Home - Quo Vadis Root CA).",
    );
    assert!(
        status.contains("Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    assert_eq!(
        lab.backend
            .snapshot()
            .counters(Realm::Cssm, &udi(&lab))
            .register_requests,
        0,
        "the TLS handshake failed: CSSM never saw a request"
    );

    // The remedy is FN72115's: software that trusts the new root. Cisco's documents give no
    // NX-OS command for it ⟨GAP⟩; the test installs the root as the fixed release's
    // trust bundle would, then registers again.
    lab.devices[0]
        .state
        .lock()
        .unwrap()
        .trusted_cas
        .insert("FN72115".into(), lab.backend.new_root_pem.clone());
    lab.session("n9k1", &nx_session(&[], &[register(&token)]));
    let status = lab.until_status("n9k1", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    assert!(!status.contains("Fail to send out"), "{status}");
}

#[test]
fn nx4_no_dns_answer_in_the_callhome_vrf_blocks_callhome_until_dns_is_reachable() {
    // docs/troubleshooting.md NX-4 (CSCvv67469): no DNS response blocks callhome. The name server is
    // configured in the default VRF, which has no path; callhome uses VRF management.
    let lab = LabSsh::start(&inventory(&host(
        "n9k2",
        "nx-os",
        "9.3(5)",
        "127.0.0.73",
        "        reaches: [management]\n        interfaces: {mgmt0: management}\n",
    )));
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let mut config = vec![format!("ip name-server {DNS}")];
    config.extend(nx_callhome(CSSM_URL, Some("management")));
    lab.session("n9k2", &nx_session(&config, &[register(&token)]));
    let status = lab.until_status("n9k2", SEND_FAILED);
    assert!(!status.contains("Status: REGISTERED"), "{status}");

    // Make DNS answer in the callhome VRF (docs/troubleshooting.md NX-4, inferred remedy).
    let fix = [format!("ip name-server {DNS} use-vrf management")];
    lab.session("n9k2", &nx_session(&fix, &[register(&token)]));
    let status = lab.until_status("n9k2", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
}

// ------------------------------------------------------------------------- APIC

fn apic(address: &str) -> LabSsh {
    LabSsh::start(&inventory(&host("apic1", "apic", "4.2(7f)", address, "")))
}

#[test]
fn aci1_a_transport_gateway_url_without_its_port_fails_until_the_port_is_given() {
    // docs/troubleshooting.md ACI-1 ("check the port numbers for TG"); [CAT-TS] [ACI-SL]: the TG URL
    // must carry the TG port.
    let lab = apic("127.0.0.74");
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let tg = &lab.backend.gateway.names[0];
    let port = lab.backend.gateway.virtual_addr.port();
    let no_port = format!("https://{tg}{ON_PREM_PATH}");
    lab.session(
        "apic1",
        &apic_session(&[
            format!("license smart transport-mode satellite url {no_port}"),
            register(&token),
        ]),
    );
    let status = lab.until_status("apic1", SEND_FAILED);
    assert!(
        status.contains("Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );

    let with_port = format!("https://{tg}:{port}{ON_PREM_PATH}");
    lab.session(
        "apic1",
        &apic_session(&[
            format!("license smart transport-mode satellite url {with_port}"),
            register(&token),
        ]),
    );
    let status = lab.until_status("apic1", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    let run = lab.exec("apic1", "show running-config");
    assert!(
        run.contains(&format!(
            "license smart transport-mode satellite url {with_port}"
        )),
        "{run}"
    );
    // The gateway relays to CSSM's books: a CSSM token, a CSSM product instance.
    assert!(
        lab.backend
            .snapshot()
            .instance(Realm::Cssm, &udi(&lab))
            .is_some()
    );
}

#[test]
fn aci2_a_satellite_needs_the_private_certificate_and_the_name_in_its_certificate() {
    // docs/troubleshooting.md ACI-2, [ACI-SL]: Satellite with HTTPS needs the private certificate imported
    // before registering; ACI-1: the URL host must be what the satellite's SSL certificate
    // was made with (hostname, not IP).
    let lab = apic("127.0.0.75");
    let token = lab
        .backend
        .create_satellite_token("Example Account", "Default", 30, None);
    let satellite = &lab.backend.satellite.names[0];
    let by_name = format!("https://{satellite}{ON_PREM_PATH}");
    let by_ip = format!(
        "https://{}{ON_PREM_PATH}",
        lab.backend.satellite.virtual_addr.ip()
    );
    let mode = |url: &str| format!("license smart transport-mode satellite url {url}");
    lab.session("apic1", &apic_session(&[mode(&by_name), register(&token)]));
    lab.until_status("apic1", SEND_FAILED);

    import_private_certificate(&lab);
    // With the certificate, but the URL names the satellite by IP: its certificate was
    // made with the hostname, so the check of the server identity fails.
    lab.session("apic1", &apic_session(&[mode(&by_ip), register(&token)]));
    let status = lab.until_status("apic1", SEND_FAILED);
    assert!(!status.contains("Status: REGISTERED"), "{status}");
    assert_eq!(
        lab.backend
            .snapshot()
            .counters(Realm::Satellite, &udi(&lab))
            .register_requests,
        0,
        "no request may reach the satellite before both fixes"
    );

    lab.session("apic1", &apic_session(&[mode(&by_name), register(&token)]));
    let status = lab.until_status("apic1", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    // [CAT-TS]: on a Satellite, the APIC instance also appears on the Satellite.
    assert!(
        lab.backend
            .snapshot()
            .instance(Realm::Satellite, &udi(&lab))
            .is_some()
    );
}

#[test]
fn aci3_a_proxy_with_the_wrong_port_keeps_registering_until_the_port_is_fixed() {
    // docs/troubleshooting.md ACI-3: proxy mode with a wrong IP/port: `Registering` lasts; fix the port
    // to restart registration. The lab proxy listens on 198.51.100.40:3128 (docs/lab.md).
    let lab = apic("127.0.0.76");
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let proxy = lab.backend.proxy.virtual_addr;
    let mode = |port: u16| {
        format!(
            "license smart transport-mode proxy ip-address {} port {port}",
            proxy.ip()
        )
    };
    // The port of the [ACI-SL] example, where nothing listens in the lab.
    lab.session("apic1", &apic_session(&[mode(4440), register(&token)]));
    let status = lab.until_status("apic1", SEND_FAILED);
    assert!(
        status.contains("Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    assert!(status.contains("Next Registration Attempt: "), "{status}");
    // Still registering a moment later: the device retries on its own schedule.
    std::thread::sleep(Duration::from_millis(500));
    let status = lab.exec("apic1", "show license status");
    assert!(
        status.contains("Status: REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );

    lab.session(
        "apic1",
        &apic_session(&[mode(proxy.port()), register(&token)]),
    );
    let status = lab.until_status("apic1", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    // The traffic really goes through the proxy: with the proxy down, a renewal fails.
    lab.backend.set_faults(Faults {
        proxy: ServiceFault {
            outage: Some(Outage::Refused),
            delay_ms: 0,
        },
        ..Faults::default()
    });
    lab.session("apic1", &apic_session(&["license smart renew auth".into()]));
    let status = lab.until_status("apic1", "Last Communication Attempt: FAILED on ");
    assert!(status.contains(SEND_FAILED), "{status}");
}

#[test]
fn aci4_an_expired_token_or_a_cssm_token_on_a_satellite_fails_until_a_new_satellite_token() {
    // docs/troubleshooting.md ACI-4, [CAT-TS] [NX-TS] [ACI-SL]: an expired token fails; a CSSM token used against a
    // Satellite fails; the remedy is a new token generated on the Satellite.
    let lab = apic("127.0.0.77");
    let expired = lab
        .backend
        .create_token("Example Account", "Default", 0, None);
    lab.session(
        "apic1",
        &apic_session(&[
            "license smart transport-mode smart-licensing".into(),
            register(&expired),
        ]),
    );
    let status = lab.until_status("apic1", TRY_AGAIN);
    assert!(!status.contains("Status: REGISTERED"), "{status}");
    let snapshot = lab.backend.snapshot();
    let counters = snapshot.counters(Realm::Cssm, &udi(&lab));
    assert!(counters.register_requests >= 1, "{counters:?}");
    assert_eq!(counters.registrations, 0, "{counters:?}");

    // Satellite mode with a fresh CSSM token: still refused ("Do not use the token from
    // the CSSM account").
    import_private_certificate(&lab);
    let cssm_token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let satellite = &lab.backend.satellite.names[0];
    let mode =
        format!("license smart transport-mode satellite url https://{satellite}{ON_PREM_PATH}");
    lab.session(
        "apic1",
        &apic_session(&[mode.clone(), register(&cssm_token)]),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while lab
        .backend
        .snapshot()
        .counters(Realm::Satellite, &udi(&lab))
        .register_requests
        == 0
    {
        assert!(
            Instant::now() < deadline,
            "the satellite never saw the request"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = lab.until_status("apic1", TRY_AGAIN);
    assert!(!status.contains("Status: REGISTERED"), "{status}");
    assert_eq!(
        lab.backend.snapshot().token(&cssm_token).unwrap().uses,
        0,
        "a CSSM token is never used up on a satellite"
    );

    let satellite_token =
        lab.backend
            .create_satellite_token("Example Account", "Default", 30, None);
    lab.session("apic1", &apic_session(&[mode, register(&satellite_token)]));
    let status = lab.until_status("apic1", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    assert!(!status.contains("Please try again"), "{status}");
}

#[test]
fn aci5_and_aci6_out_of_compliance_until_licenses_are_added_and_authorization_renewed() {
    // docs/troubleshooting.md ACI-5: out of compliance upon registering (not enough licenses of the
    // required type in the VA the token comes from). ACI-6: once the licenses are there,
    // Renew Authorization (`license smart renew auth`, [ACI-SL]) re-triggers validation.
    let lab = apic("127.0.0.78");
    let token = lab
        .backend
        .create_token("Example Account", "Empty", 30, None);
    lab.session(
        "apic1",
        &apic_session(&[
            "license smart transport-mode smart-licensing".into(),
            register(&token),
        ]),
    );
    let status = lab.until_status("apic1", "Status: OUT OF COMPLIANCE on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    assert!(status.contains("Virtual Account: Empty"), "{status}");
    let summary = lab.exec("apic1", "show license summary");
    assert!(summary.contains("OUT OF COMPLIANCE"), "{summary}");

    // Licenses deposited into the VA (docs/troubleshooting.md ACI-6 "Cisco Licensing deposits them").
    let tag = "ACI Essentials";
    lab.backend.set_pool("Example Account", "Empty", tag, 10);
    lab.session("apic1", &apic_session(&["license smart renew auth".into()]));
    let status = lab.until_status("apic1", "Status: AUTHORIZED on ");
    assert!(
        status.contains("Last Communication Attempt: SUCCEEDED on "),
        "{status}"
    );
    let snapshot = lab.backend.snapshot();
    let pool = snapshot.pool("Example Account", "Empty", tag).unwrap();
    assert_eq!((pool.purchased, pool.in_use, pool.balance), (10, 1, 9));
}

#[test]
fn aci7_authorization_expired_until_the_network_is_back_and_authorization_renewed() {
    // docs/troubleshooting.md ACI-7: connectivity to CSSM lost, the periodic report fails, and after
    // 90 days the authorization expires ([CAT-TS] [NX-TS] [ACI-SL]: the licensing states). Fix the network, then Renew
    // Authorization. Lab time runs at about 23 lab days per real second (90 days ≈ 4 s;
    // the 1-year ID certificate lasts ≈ 16 s, longer than this test).
    let lab = LabSsh::start_with(
        &inventory(&host("apic1", "apic", "4.2(7f)", "127.0.0.79", "")),
        &LabOptions {
            time_scale: 2_000_000.0,
            ..LabOptions::default()
        },
    );
    let token = lab
        .backend
        .create_token("Example Account", "Default", 3650, None);
    lab.session(
        "apic1",
        &apic_session(&[
            "license smart transport-mode smart-licensing".into(),
            register(&token),
        ]),
    );
    lab.until_status("apic1", "Status: AUTHORIZED on ");
    lab.backend.set_faults(Faults {
        cssm: ServiceFault {
            outage: Some(Outage::Refused),
            delay_ms: 0,
        },
        ..Faults::default()
    });
    // The display string of this state is ⟨GAP⟩ ([CAT-TS] [NX-TS] [ACI-SL]): the lab's is
    // `AUTHORIZATION EXPIRED on <deadline>`; the GUI fault is `License Authorization Expired`.
    let status = lab.until_status("apic1", "Status: AUTHORIZATION EXPIRED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    assert!(
        status.contains("Last Communication Attempt: FAILED on "),
        "{status}"
    );
    assert!(status.contains(SEND_FAILED), "{status}");

    lab.backend.set_faults(Faults::default());
    lab.session("apic1", &apic_session(&["license smart renew auth".into()]));
    let status = lab.until_status("apic1", "Status: AUTHORIZED on ");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    assert!(!status.contains("AUTHORIZATION EXPIRED"), "{status}");
}
