//! Agent tests: show formats against the corpus, and the agent end to end over real HTTPS
//! (a stub back-end on loopback speaking the lab protocol) through the network model.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use serde_json::{Value, json};

use super::*;
use crate::device::DeviceState;

/// Real captures with their provenance (tests/fixtures/corpus/PROVENANCE.md).
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/corpus");

fn identity(platform: Platform, model: LicensingModel) -> Identity {
    Identity {
        name: "lab-sw1".into(),
        platform,
        model,
        version: "16.12.5".into(),
        pid: "C9300-48P".into(),
        serial: "FOC2101X0AB".into(),
    }
}

/// The section headers and field labels of a show output, in order, indentation ignored.
fn labels(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':').map(|(label, _)| label.trim().to_string()))
        .collect()
}

fn corpus(path: &str) -> String {
    std::fs::read_to_string(format!("{CORPUS}/{path}"))
        .unwrap_or_else(|e| panic!("the capture {CORPUS}/{path}: {e}"))
}

fn view<'a>(id: &'a Identity, ents: &'a [Entitlement], now: f64) -> View<'a> {
    View {
        identity: id,
        now,
        offset: 0.0,
        entitlements: ents,
        transport: None,
    }
}

const T0: f64 = 1_710_317_364.0; // Mar 13 08:09:24 2024 UTC

fn registered_machine() -> Classic {
    let xe = Syslog { ios_xe: true };
    let mut m = Classic::new(T0 - 100.0);
    m.register("tok", false, T0 - 1.0, xe);
    m.registered(
        T0,
        Account {
            smart: "Cisco Systems, TAC".into(),
            virtual_: "RADKit-LMM-NA".into(),
        },
        true,
        xe,
    );
    m.granted(T0 + 4.0, Grant::InCompliance, xe);
    m
}

#[test]
fn classic_status_has_the_corpus_structure() {
    let id = identity(Platform::IosXe, LicensingModel::Classic);
    let ents = show::entitlements(&id);
    let m = registered_machine();
    let out = show::classic("status", &m, &view(&id, &ents, T0 + 10.0)).unwrap();
    // corpus iosxe/show-license-status/genieparser-2 (a registered CSR1000V).
    let real = corpus("iosxe/show-license-status/genieparser-2.txt");
    let mut expected = labels(&real);
    expected.retain(|l| !l.starts_with("c1000v-5#"));
    assert_eq!(labels(&out), expected, "{out}");
    assert!(out.contains("  Status: AUTHORIZED on Mar 13 08:09:28 2024 UTC\n"));
    assert!(out.contains("  Initial Registration: SUCCEEDED on Mar 13 08:09:24 2024 UTC\n"));
    assert!(out.contains("\nLicense Authorization: \n"));
    assert!(out.contains("  Next Communication Attempt: Apr 12 08:09:28 2024 UTC\n"));
}

#[test]
fn classic_all_has_the_corpus_structure() {
    let id = identity(Platform::IosXe, LicensingModel::Classic);
    let m = registered_machine();
    let out = show::classic("all", &m, &view(&id, &[], T0 + 10.0)).unwrap();
    let real = corpus("iosxe/show-license-all/genieparser-3.txt");
    assert_eq!(labels(&out), labels(&real), "{out}");
}

#[test]
fn classic_summary_matches_the_c9200l_capture() {
    // Real 16.9.1 capture (search index id 28523190061), line by line for the eval case.
    let mut id = identity(Platform::IosXe, LicensingModel::Classic);
    id.pid = "C9200L-48P-4X".into();
    let ents = vec![Entitlement {
        classic_name: "C9200L Network Essentials".into(),
        feature: "network-essentials".into(),
        tag: "C9200L-NW-E-48".into(),
        description: "C9200L-NW-E-48".into(),
        count: 1,
        license_type: "Perpetual",
    }];
    let start = T0;
    let m = Classic::new(start);
    let left = (71.0 * 86_400.0) + 22.0 * 3_600.0 + 60.0 + 59.0;
    let now = start + machine::EVAL_PERIOD - left;
    let out = show::classic("summary", &m, &view(&id, &ents, now)).unwrap();
    let expected = "Smart Licensing is ENABLED\n\nRegistration:\n  Status: UNREGISTERED\n  Export-Controlled Functionality: Not Allowed\n\nLicense Authorization: \n  Status: EVAL MODE\n  Evaluation Period Remaining: 71 days, 22 hours, 1 minutes, 59 seconds\n\nLicense Usage:\n  License                 Entitlement tag               Count Status\n  -----------------------------------------------------------------------------\n  C9200L Network Essen... (C9200L-NW-E-48)                  1 EVAL MODE\n";
    assert_eq!(out, expected);
}

#[test]
fn failure_reasons_and_next_attempts_show_in_status() {
    let id = identity(Platform::IosXe, LicensingModel::Classic);
    let xe = Syslog { ios_xe: true };
    let mut m = Classic::new(T0);
    m.register("tok", false, T0, xe);
    m.failed(
        Action::Register,
        &Failure::Rejected {
            reason: "Product Already Registered".into(),
            retry: false,
        },
        T0,
        ("P", "S"),
        xe,
    );
    let out = show::classic("status", &m, &view(&id, &[], T0 + 1.0)).unwrap();
    assert!(
        out.contains("  Status: UNREGISTERED - REGISTRATION FAILED\n"),
        "{out}"
    );
    assert!(out.contains("  Initial Registration: FAILED on Mar 13 08:09:24 2024 UTC\n"));
    assert!(out.contains("    Failure reason: Product Already Registered\n"));
    assert!(out.contains("  Next Registration Attempt: Mar 13 08:24:24 2024 UTC\n"));
    assert!(out.contains("  Status: EVAL MODE\n"));
}

/// A show output's layout with the values masked: each line's indentation and label (with
/// the colon, and the blanks after a header's colon), bare lines whole, blank lines empty.
fn shape(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| match line.split_once(':') {
            Some((key, value)) if !value.trim().is_empty() => format!("{key}:"),
            _ => line.to_string(),
        })
        .collect()
}

/// The capture without the prompt line that heads it and the blank line after it.
fn without_prompt(text: &str) -> String {
    let body = text.split_once('\n').map_or(text, |(_, rest)| rest);
    body.strip_prefix('\n').unwrap_or(body).to_string()
}

#[test]
fn nx_os_status_has_the_real_fields_in_the_real_layout() {
    let id = identity(Platform::NxOs, LicensingModel::Classic);
    let m = registered_machine();
    let out = show::classic("status", &m, &view(&id, &[], T0 + 10.0)).unwrap();
    // The fields and their order: [NX-TS]'s sample (a flattened web rendering).
    let rendered = corpus("nxos/show-license-status/cisco-tn217965-rendered-1.txt");
    assert_eq!(labels(&out), labels(&rendered), "{out}");
    // The layout: the real N9K capture's (indented fields, a blank line before each
    // section, the trailing blank of `License Authorization: `, a blank line after its
    // `Status:`), and [NX-TS]'s `Allowed`.
    let expected = [
        "Smart Licensing is ENABLED",
        "",
        "Registration:",
        "  Status:",
        "  Smart Account:",
        "  Virtual Account:",
        "  Export-Controlled Functionality:",
        "  Initial Registration:",
        "  Last Renewal Attempt:",
        "  Next Renewal Attempt:",
        "  Registration Expires:",
        "",
        "License Authorization: ",
        "  Status:",
        "",
        "  Last Communication Attempt:",
        "  Next Communication Attempt:",
        "  Communication Deadline:",
        "",
        "Smart License Conversion:",
        "  Automatic Conversion Enabled:",
        "  Status:",
    ];
    assert_eq!(shape(&out), expected, "{out}");
    assert!(
        out.contains("  Export-Controlled Functionality: Allowed\n"),
        "{out}"
    );
    assert!(
        out.contains("  Last Communication Attempt: SUCCEEDED on Mar 13 08:09:28 2024 UTC\n"),
        "{out}"
    );
}

#[test]
fn nx_os_summary_is_laid_out_as_the_n9k_capture() {
    let id = identity(Platform::NxOs, LicensingModel::Classic);
    let ents = show::entitlements(&id);
    let m = registered_machine();
    let out = show::classic("summary", &m, &view(&id, &ents, T0 + 10.0)).unwrap();
    // The capture stops at `License Usage:`: everything up to there has its shape.
    let real = without_prompt(&corpus(
        "nxos/show-license-summary/cisco-n9k-migration-1.txt",
    ));
    let real_shape = shape(&real);
    assert_eq!(shape(&out)[..real_shape.len()], real_shape[..], "{out}");
    assert!(
        out.contains("  Last Communication Attempt: SUCCEEDED\n"),
        "{out}"
    );
    // The table's header and rule are the NX-OS ones (the 3550-T capture).
    let table = corpus("nxos/show-license-summary/cisco-n3550t-slp-1.txt");
    let header: Vec<&str> = table.lines().skip(3).take(2).collect();
    let ours: Vec<&str> = out
        .lines()
        .skip_while(|l| *l != "License Usage:")
        .skip(1)
        .take(2)
        .collect();
    assert_eq!(ours, header, "{out}");
    assert!(
        out.ends_with(
            "LAN_ENTERPRISE_SERVICES... (LAN_ENTERPRISE_SERVICES_PKG)    1       AUTHORIZED \n"
        ),
        "{out}"
    );
}

#[test]
fn nx_os_policy_summary_matches_the_3550t_capture() {
    let id = identity(Platform::NxOs, LicensingModel::Policy);
    let ents = vec![Entitlement {
        classic_name: String::new(),
        feature: String::new(),
        tag: "NXOS_ESSENTIALS".into(),
        // Longer than the column: the capture shows it cut at 23 characters.
        description: "NX-OS essentials license for the lab".into(),
        count: 1,
        license_type: "Generic",
    }];
    let (p, _) = Policy::new(T0);
    let out = show::policy("summary", &p, &view(&id, &ents, T0)).unwrap();
    let real = corpus("nxos/show-license-summary/cisco-n3550t-slp-1.txt");
    assert_eq!(out, without_prompt(&real));
}

#[test]
fn nx_os_and_apic_all_contain_their_status() {
    for platform in [Platform::NxOs, Platform::Apic] {
        let id = identity(platform, LicensingModel::Classic);
        let ents = show::entitlements(&id);
        let m = registered_machine();
        let v = view(&id, &ents, T0 + 10.0);
        let status = show::classic("status", &m, &v).unwrap();
        let all = show::classic("all", &m, &v).unwrap();
        assert!(all.starts_with("Smart Licensing Status\n======================\n\n"));
        assert!(all.contains(&status), "{platform:?}:\n{all}");
        assert!(all.contains("\nLicense Usage\n"), "{all}");
        assert!(
            all.contains("\nUDI: PID:C9300-48P,SN:FOC2101X0AB\n"),
            "{all}"
        );
        assert_ne!(all, status);
        // APIC has no sample of its own: the NX-OS layout without the conversion block.
        assert_eq!(
            status.contains("Smart License Conversion:"),
            platform == Platform::NxOs
        );
        assert!(status.contains("\n\nLicense Authorization: \n  Status: AUTHORIZED on "));
    }
}

#[test]
fn policy_status_has_the_corpus_structure() {
    let id = identity(Platform::IosXe, LicensingModel::Policy);
    let (mut p, _) = Policy::new(T0);
    p.trusted(
        T0,
        Account {
            smart: "Eg-SA".into(),
            virtual_: "Eg-VA".into(),
        },
        Some("SLE Policy".into()),
    );
    p.acknowledged(T0 + 60.0, None);
    let tree = Tree::parse("license smart transport smart\n");
    let mut v = view(&id, &[], T0 + 120.0);
    v.transport = Some(network::policy(Platform::IosXe, &tree));
    let out = show::policy("status", &p, &v).unwrap();
    // corpus iosxe/show-license-status/ntc-templates-3 (smart transport, trust, SLE Policy).
    let real = corpus("iosxe/show-license-status/ntc-templates-3.txt");
    assert_eq!(labels(&out), labels(&real), "{out}");
    assert!(out.contains("\nTrust Code Installed: Mar 13 08:09:24 2024 UTC\n"));
    assert!(out.contains("  Smart Account: Eg-SA As of Mar 13 08:09:24 2024 UTC\n"));
    assert!(out.contains("  Reporting push interval: 30  days\n"));
}

/// The unindented section headers of a show output, in order (`Policy:`, `Usage Report
/// Summary:`, `Product Information`…): the lines that start a block.
fn headers(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            !l.is_empty()
                && !l.starts_with(' ')
                && (l.ends_with(':') || lines.get(i + 1).is_some_and(|n| n.starts_with("===")))
        })
        .map(|(_, l)| l.to_string())
        .collect()
}

#[test]
fn policy_all_has_the_corpus_section_order_and_usage_report_summary() {
    let id = identity(Platform::IosXe, LicensingModel::Policy);
    let ents = show::entitlements(&id);
    let (p, _) = Policy::new(T0);
    let tree = Tree::parse("license smart transport smart\n");
    let mut v = view(&id, &ents, T0 + 120.0);
    v.transport = Some(network::policy(Platform::IosXe, &tree));
    let out = show::policy("all", &p, &v).unwrap();
    let ours = headers(&out);
    // The C9300 capture (corpus show-license-all/genielibs-1): every section the lab
    // prints, in its order (Miscellaneous before Policy; Usage Report Summary near the end).
    let real = headers(&corpus("iosxe/show-license-all/genielibs-1.txt"));
    let common: Vec<&String> = real.iter().filter(|h| ours.contains(h)).collect();
    let ours_common: Vec<&String> = ours.iter().filter(|h| real.contains(h)).collect();
    assert_eq!(ours_common, common, "{out}");
    for wanted in [
        "Miscellaneous:",
        "Policy:",
        "Usage Report Summary:",
        "License Usage",
    ] {
        assert!(common.iter().any(|h| *h == wanted), "{wanted}: {common:?}");
    }
    assert!(
        out.ends_with("Usage Report Summary:\n=====================\nTotal: 2,  Purged: 0\nTotal Acknowledged Received: 0,  Waiting for Ack: 0\nAvailable to Report: 2  Collecting Data: 2\n"),
        "{out}"
    );
    // `show license status` keeps Policy before Miscellaneous (its 4 captures).
    let status = headers(&show::policy("status", &p, &v).unwrap());
    let at = |h: &str| status.iter().position(|s| s == h).unwrap();
    assert!(at("Policy:") < at("Miscellaneous:"), "{status:?}");
}

#[test]
fn policy_usage_summary_and_udi_have_the_corpus_shapes() {
    let id = identity(Platform::IosXe, LicensingModel::Policy);
    let ents = show::entitlements(&id);
    let (p, _) = Policy::new(T0);
    let v = view(&id, &ents, T0);
    let summary = show::policy("summary", &p, &v).unwrap();
    assert!(
        summary.contains("  License                 Entitlement Tag               Count Status\n")
    );
    assert!(
        summary.contains("  network-advantage       (C9300-48 Network Advan...)       1 IN USE\n")
    );
    let usage = show::policy("usage", &p, &v).unwrap();
    {
        let real = corpus("iosxe/show-license-usage/genieparser-1.txt");
        // Field labels only (the licence header lines name other models).
        let fields = |t: &str| -> Vec<String> {
            labels(t).into_iter().filter(|l| !l.contains('(')).collect()
        };
        let real_fields: Vec<String> = fields(&real).into_iter().skip(2).collect();
        let ours = fields(&usage);
        assert_eq!(ours, real_fields[..ours.len()].to_vec());
    }
    assert_eq!(
        show::policy("udi", &p, &v).unwrap(),
        "UDI: PID:C9300-48P,SN:FOC2101X0AB\n"
    );
    let tech = show::policy("tech support", &p, &v).unwrap();
    assert!(tech.starts_with("Smart Licensing Tech Support info\n\nSmart Licensing Status\n"));
    assert!(tech.contains("Trust Establishment:\n  Attempts: Total=0, Success=0, Fail=0  Ongoing Failure: Overall=0 Communication=0\n"));
    assert!(tech.contains("Overall Trust: No ID\n"));
}

// ------------------------------------------------------------------ end to end

const CSSM_IP: &str = "198.51.100.10";
const DNS_IP: &str = "198.51.100.53";

struct Stub {
    addr: SocketAddr,
    ca_pem: String,
    requests: Arc<Mutex<Vec<Value>>>,
    handle: axum_server::Handle<SocketAddr>,
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

/// A loopback HTTPS back-end answering the lab protocol; `reply` decides per request.
async fn stub(reply: fn(&Value) -> Value) -> Stub {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Cisco Licensing Root CA (test)");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_params = CertificateParams::new(vec![
        "tools.cisco.com".to_string(),
        "smartreceiver.cisco.com".to_string(),
    ])
    .unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        leaf_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    let app = axum::Router::new().fallback(axum::routing::post(
        move |axum::Json(body): axum::Json<Value>| {
            let seen = Arc::clone(&seen);
            async move {
                seen.lock().unwrap().push(body.clone());
                axum::Json(reply(&body))
            }
        },
    ));
    let handle = axum_server::Handle::new();
    let server = axum_server::bind_rustls(
        "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
        axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)),
    )
    .handle(handle.clone());
    tokio::spawn(server.serve(app.into_make_service()));
    let addr = tokio::time::timeout(Duration::from_secs(5), handle.listening())
        .await
        .unwrap()
        .unwrap();
    Stub {
        addr,
        ca_pem: ca.pem(),
        requests,
        handle,
    }
}

fn cssm_reply(body: &Value) -> Value {
    match body["kind"].as_str().unwrap_or("") {
        "register" if body["token"] == "expired" => {
            json!({"ok": false, "reason": "Your request could not be processed right now. Please try again", "code": "token_expired"})
        }
        "register" if body["token"] == "again" && body["force"] == false => {
            json!({"ok": false, "reason": "Product Already Registered", "code": "already_registered"})
        }
        "register" => json!({"ok": true, "kind": "register", "instance_id": "i-1",
            "smart_account": "Lab SA", "virtual_account": "Lab VA",
            "id_cert": {"serial": "c-1", "issued_ms": 0, "expires_ms": 0, "renew_after_ms": 0},
            "export_controlled_allowed": true}),
        "authorize" => json!({"ok": true, "kind": "authorize", "status": "AUTHORIZED",
            "entitlements": [], "authorized_ms": 0, "expires_ms": 0, "next_renewal_ms": 0}),
        "trust" => json!({"ok": true, "kind": "trust", "instance_id": "i-2", "trust_id": 552,
            "installed_ms": 0, "smart_account": "Lab SA", "virtual_account": "Lab VA",
            "policy": {"name": "SLE Policy"}, "ack_ms": 0}),
        "report" => json!({"ok": true, "kind": "report", "acked": [], "ack_ms": 0, "policy": {}}),
        _ => json!({"ok": true, "kind": body["kind"], "instance_id": "i-1"}),
    }
}

fn topology(stub: &Stub) -> Arc<LabTopology> {
    Arc::new(
        LabTopology::new()
            .dns_server(DNS_IP.parse().unwrap())
            .name("tools.cisco.com", CSSM_IP.parse().unwrap())
            .name("smartreceiver.cisco.com", CSSM_IP.parse().unwrap())
            .service(format!("{CSSM_IP}:443").parse().unwrap(), stub.addr)
            .unwrap(),
    )
}

const XE_CALL_HOME: &str = "ip name-server vrf Mgmt-vrf 198.51.100.53\nservice call-home\ncall-home\n contact-email-addr sch-smart-licensing@cisco.com\n vrf Mgmt-vrf\n profile \"CiscoTAC-1\"\n  active\n  destination transport-method http\n";

struct Device {
    agent: Arc<Agent>,
    state: SharedState,
    clock: LabClock,
}

fn device(
    stub: &Stub,
    model: LicensingModel,
    config: &str,
    trust_stub: bool,
    offset: i64,
) -> Device {
    let platform = Platform::IosXe;
    let state: SharedState = Arc::new(Mutex::new(DeviceState {
        running: Tree::parse(config),
        ..DeviceState::default()
    }));
    let anchors = if trust_stub {
        vec![stub.ca_pem.clone()]
    } else {
        Vec::new()
    };
    // One lab hour per real second.
    let clock = LabClock::new(3_600.0);
    let agent = Arc::new(Agent::new(
        identity(platform, model),
        Arc::clone(&state),
        topology(stub),
        network(offset),
        Arc::new(TrustAnchors { built_in: anchors }),
        clock.clone(),
        tokio::runtime::Handle::current(),
        Duration::from_secs(5),
    ));
    Device {
        agent,
        state,
        clock,
    }
}

fn network(offset: i64) -> DeviceNetwork {
    DeviceNetwork {
        reaches: vec!["Mgmt-vrf".into()],
        interfaces: BTreeMap::new(),
        clock_offset_secs: offset,
    }
}

/// Polls `show license status` until `want` appears (bounded).
async fn wait_for(d: &Device, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = d.agent.show("status").unwrap();
        if out.contains(want) || Instant::now() > deadline {
            return out;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn log_text(d: &Device) -> String {
    let state = d.state.lock().unwrap();
    state
        .log
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_and_authorizes_over_https() {
    let stub = stub(cssm_reply).await;
    let d = device(&stub, LicensingModel::Classic, XE_CALL_HOME, true, 0);
    assert_eq!(d.agent.register("tok", false), IOS_XE_REGISTER_REPLY);
    let out = wait_for(&d, "Status: AUTHORIZED on").await;
    assert!(out.contains("  Status: REGISTERED\n"), "{out}");
    assert!(out.contains("  Smart Account: Lab SA\n"), "{out}");
    assert!(out.contains("  Status: AUTHORIZED on"), "{out}");
    let logs = log_text(&d);
    for mnemonic in [
        "%CRYPTO_ENGINE-5-KEY_ADDITION",
        "%CALL_HOME-6-SCH_REGISTRATION_IN_PROGRESS",
        "%SMART_LIC-6-AGENT_REG_SUCCESS",
        "%SMART_LIC-4-CONFIG_NOT_SAVED",
        "%SMART_LIC-5-IN_COMPLIANCE",
        "%SMART_LIC-6-AUTH_RENEW_SUCCESS",
    ] {
        assert!(logs.contains(mnemonic), "{mnemonic} missing from:\n{logs}");
    }
    let requests = stub.requests.lock().unwrap().clone();
    assert_eq!(requests[0]["kind"], "register");
    assert_eq!(requests[1]["kind"], "authorize");
    assert_eq!(requests[1]["instance_id"], "i-1");
    assert_eq!(requests[1]["id_cert_serial"], "c-1");
}

/// The next `--lab` run resumes a registered device: still registered and authorized,
/// with the same product instance and ID certificate, and it renews with them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_agent_resumes_registered_and_renews_with_its_instance() {
    let stub = stub(cssm_reply).await;
    let d = device(&stub, LicensingModel::Classic, XE_CALL_HOME, true, 0);
    d.agent.register("tok", false);
    wait_for(&d, "Status: AUTHORIZED on").await;
    // Ten days ahead (`clock set`).
    d.agent.set_clock_offset(864_000.0);
    let before = d.agent.show("status").unwrap();
    let saved = d.agent.saved();
    assert!(saved.registered());
    let text = serde_json::to_string(&saved).unwrap();
    let saved: SavedAgent = serde_json::from_str(&text).unwrap();
    let stopped_at = d.clock.now();
    drop(d.agent);

    let requests = stub.requests.lock().unwrap().len();
    let clock = LabClock::starting_at(stopped_at, 3_600.0);
    let resume = |saved, model| {
        agent_from(
            identity(Platform::IosXe, model),
            Arc::clone(&d.state),
            topology(&stub),
            network(0),
            Arc::new(TrustAnchors {
                built_in: vec![stub.ca_pem.clone()],
            }),
            clock.clone(),
            tokio::runtime::Handle::current(),
            saved,
        )
    };
    let agent = resume(Some(saved.clone()), LicensingModel::Classic);
    let status = agent.show("status").unwrap();
    assert!(status.contains("  Status: REGISTERED\n"), "{status}");
    assert!(status.contains("  Smart Account: Lab SA\n"), "{status}");
    let registered_on = |s: &str| {
        s.lines()
            .find(|l| l.contains("Initial Registration: SUCCEEDED on"))
            .map(str::to_string)
    };
    assert_eq!(registered_on(&status), registered_on(&before));
    assert_eq!(agent.saved(), saved, "nothing changed by resuming");
    agent.renew(false);
    let deadline = Instant::now() + Duration::from_secs(10);
    while stub.requests.lock().unwrap().len() == requests && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let renewal = stub.requests.lock().unwrap()[requests].clone();
    assert_eq!(renewal["kind"], "authorize");
    assert_eq!(renewal["instance_id"], "i-1");
    assert_eq!(renewal["id_cert_serial"], "c-1");
    // The device clock's offset came back too: the request carries it.
    let sent = renewal["device_time_ms"].as_i64().unwrap() as f64 / 1000.0;
    assert!(sent - clock.now() > 432_000.0, "{sent} vs {}", clock.now());

    // A saved state of the other licensing model is not used: the device boots fresh.
    let policy = resume(Some(saved), LicensingModel::Policy);
    assert!(!policy.saved().registered());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_failures_show_the_spec_reasons() {
    let stub = stub(cssm_reply).await;
    // Wrong VRF: call-home in the global table, which does not reach the back-end.
    let d = device(
        &stub,
        LicensingModel::Classic,
        &XE_CALL_HOME.replace(" vrf Mgmt-vrf\n", ""),
        true,
        0,
    );
    d.agent.register("tok", false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("  Status: REGISTERING - REGISTRATION IN PROGRESS\n"),
        "{out}"
    );
    assert!(out.contains("    Failure reason: Fail to send out Call Home HTTP message.\n"));
    assert!(out.contains("  Next Registration Attempt: "));
    assert!(log_text(&d).contains("%CALL_HOME-5-SL_MESSAGE_FAILED: Fail to send out Smart Licensing message to: https://tools.cisco.com/its/service/oddce/services/DDCEService (ERR 205 : Request Aborted)"));
    // No DNS.
    let d = device(
        &stub,
        LicensingModel::Classic,
        &XE_CALL_HOME.replace("ip name-server vrf Mgmt-vrf 198.51.100.53\n", ""),
        true,
        0,
    );
    d.agent.register("tok", false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("Fail to send out Call Home HTTP message."),
        "{out}"
    );
    // Untrusted server certificate: the same CAT-5 failure, a real TLS handshake refused.
    let d = device(&stub, LicensingModel::Classic, XE_CALL_HOME, false, 0);
    d.agent.register("tok", false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("Fail to send out Call Home HTTP message."),
        "{out}"
    );
    // ... until the CA is imported as a trustpoint.
    d.state
        .lock()
        .unwrap()
        .trusted_cas
        .insert("LabRoot".into(), stub.ca_pem.clone());
    d.agent.register("tok", false);
    let out = wait_for(&d, "Status: AUTHORIZED on").await;
    assert!(out.contains("  Status: REGISTERED\n"), "{out}");
    // http:// to the Cisco cloud.
    let http = format!(
        "{XE_CALL_HOME}  destination address http http://tools.cisco.com/its/service/oddce/services/DDCEService\n"
    );
    let d = device(&stub, LicensingModel::Classic, &http, true, 0);
    d.agent.register("tok", false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("Fail to send out Call Home HTTP message."),
        "{out}"
    );
    // Call-home not enabled: CAT-4, no retry.
    let d = device(
        &stub,
        LicensingModel::Classic,
        &XE_CALL_HOME.replace("service call-home\n", ""),
        true,
        0,
    );
    d.agent.register("tok", false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("  Status: UNREGISTERED - REGISTRATION FAILED\n"),
        "{out}"
    );
    assert!(out.contains("    Failure reason: Communication transport not available.\n"));
    assert!(!out.contains("Next Registration Attempt"));
    assert!(log_text(&d).contains("%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite failed: Communication transport not available."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_end_refusals_show_their_reason() {
    let stub = stub(cssm_reply).await;
    let d = device(&stub, LicensingModel::Classic, XE_CALL_HOME, true, 0);
    d.agent.register("again", false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("  Status: UNREGISTERED - REGISTRATION FAILED\n"),
        "{out}"
    );
    assert!(
        out.contains("    Failure reason: Product Already Registered\n"),
        "{out}"
    );
    d.agent.register("again", true);
    let out = wait_for(&d, "Status: AUTHORIZED on").await;
    assert!(out.contains("  Status: REGISTERED\n"), "{out}");
    // A transient refusal keeps the device registering.
    let d = device(&stub, LicensingModel::Classic, XE_CALL_HOME, true, 0);
    d.agent.register("expired", false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("  Status: REGISTERING - REGISTRATION IN PROGRESS\n"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn using_policy_trust_over_smart_transport() {
    let stub = stub(cssm_reply).await;
    let config = "ip name-server vrf Mgmt-vrf 198.51.100.53\nlicense smart transport smart\nlicense smart vrf Mgmt-vrf\n";
    let d = device(&stub, LicensingModel::Policy, config, true, 0);
    assert_eq!(d.agent.register("tok", false), "");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut out = String::new();
    while Instant::now() < deadline {
        out = d.agent.show("status").unwrap();
        if out.contains("Last ACK received: ") && !out.contains("Last ACK received: <none>") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!out.contains("Trust Code Installed: <none>"), "{out}");
    assert!(out.contains("  Policy name: SLE Policy\n"), "{out}");
    assert!(
        out.contains("  Type: Smart\n  URL: https://smartreceiver.cisco.com/licservice/license\n")
    );
    let requests = stub.requests.lock().unwrap().clone();
    assert_eq!(requests[0]["kind"], "trust");
    assert_eq!(requests[1]["kind"], "report");
    assert_eq!(requests[1]["instance_id"], "i-2");
    assert!(log_text(&d).contains("%SMART_LIC-6-REPORTING_REQUIRED"));
}

#[test]
fn only_revocation_check_none_on_sla_trustpoint_skips_the_crl() {
    // docs/troubleshooting.md CAT-7, [CAT-TS].
    let xe = |text: &str| Tree::parse(text);
    let factory =
        "crypto pki trustpoint SLA-TrustPoint\n enrollment pkcs12\n revocation-check crl\n";
    assert!(checks_revocation(Platform::IosXe, &xe(factory)));
    assert!(checks_revocation(Platform::IosXe, &Tree::default()));
    let none = factory.replace("revocation-check crl", "revocation-check none");
    assert!(!checks_revocation(Platform::IosXe, &xe(&none)));
    let fallback = factory.replace("revocation-check crl", "revocation-check crl none");
    assert!(!checks_revocation(Platform::IosXe, &xe(&fallback)));
    // Another trustpoint's setting does not count.
    let other = format!("{factory}crypto pki trustpoint LicRoot\n revocation-check none\n");
    assert!(checks_revocation(Platform::IosXe, &xe(&other)));
    assert!(!checks_revocation(Platform::NxOs, &Tree::default()));
}
