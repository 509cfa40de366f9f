//! The device-side licensing agent against the real lab back-end over HTTPS on loopback:
//! a device registers and reaches REGISTERED/AUTHORIZED, and each failure scenario ends
//! with Cisco's state and failure reason (docs/troubleshooting.md, [CAT-TS] [NX-TS] [ACI-SL]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smartlic::lab::backend::{self, BackendConfig};
use smartlic::lab::clock::LabClock;
use smartlic::lab::device::{DeviceState, Identity, Licensing, SharedState};
use smartlic::lab::licensing::{Agent, DeviceNetwork, LabTopology, TrustAnchors};
use smartlic::lab::release::{LicensingModel, Platform};
use smartlic::lab::tree::Tree;

const CALL_HOME: &str = "ip name-server vrf Mgmt-vrf 198.51.100.53\nservice call-home\ncall-home\n contact-email-addr sch-smart-licensing@cisco.com\n vrf Mgmt-vrf\n profile \"CiscoTAC-1\"\n  active\n  destination transport-method http\n";

struct Lab {
    backend: backend::Backend,
    topology: Arc<LabTopology>,
    trust: Arc<TrustAnchors>,
    clock: LabClock,
}

async fn lab() -> Lab {
    // One lab minute per real second: retries (15 min) stay out of the way of a test.
    let clock = LabClock::new(60.0);
    let backend = backend::start(BackendConfig::default(), clock.clone())
        .await
        .expect("the back-end starts on loopback");
    let topology = Arc::new(LabTopology::for_backend(backend.services()));
    let trust = Arc::new(TrustAnchors {
        built_in: vec![backend.cisco_root_pem.clone()],
    });
    Lab {
        backend,
        topology,
        trust,
        clock,
    }
}

struct Device {
    agent: Agent,
    state: SharedState,
}

fn device(lab: &Lab, serial: &str, config: &str, clock_offset_secs: i64) -> Device {
    let state: SharedState = Arc::new(Mutex::new(DeviceState {
        running: Tree::parse(config),
        ..DeviceState::default()
    }));
    let agent = Agent::new(
        Identity {
            name: format!("lab-{serial}"),
            platform: Platform::IosXe,
            model: LicensingModel::Classic,
            version: "16.12.5".into(),
            pid: "C9300-48P".into(),
            serial: serial.into(),
        },
        Arc::clone(&state),
        Arc::clone(&lab.topology),
        DeviceNetwork {
            reaches: vec!["Mgmt-vrf".into()],
            clock_offset_secs,
            ..DeviceNetwork::default()
        },
        Arc::clone(&lab.trust),
        lab.clock.clone(),
        tokio::runtime::Handle::current(),
        Duration::from_secs(5),
    );
    Device { agent, state }
}

async fn wait_for(d: &Device, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let out = d.agent.show("status").expect("show license status");
        if out.contains(want) || Instant::now() > deadline {
            return out;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn token(lab: &Lab) -> String {
    lab.backend
        .create_token("Example Account", "Default", 30, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_registers_and_is_authorized() {
    let lab = lab().await;
    let d = device(&lab, "FOC0000A001", CALL_HOME, 0);
    d.agent.register(&token(&lab), false);
    let out = wait_for(&d, "Status: AUTHORIZED on").await;
    assert!(out.contains("  Status: REGISTERED\n"), "{out}");
    assert!(out.contains("  Smart Account: Example Account\n"), "{out}");
    assert!(out.contains("  Virtual Account: Default\n"), "{out}");
    assert!(out.contains("  Status: AUTHORIZED on "), "{out}");
    let log = d.state.lock().unwrap().log.clone();
    assert!(
        log.iter()
            .any(|l| l.text.starts_with("%SMART_LIC-6-AGENT_REG_SUCCESS"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_vrf_and_no_dns_cannot_send() {
    let lab = lab().await;
    for config in [
        CALL_HOME.replace(" vrf Mgmt-vrf\n", ""),
        CALL_HOME.replace("ip name-server vrf Mgmt-vrf 198.51.100.53\n", ""),
    ] {
        let d = device(&lab, "FOC0000A002", &config, 0);
        d.agent.register(&token(&lab), false);
        let out = wait_for(&d, "Failure reason").await;
        assert!(
            out.contains("  Status: REGISTERING - REGISTRATION IN PROGRESS\n"),
            "{out}"
        );
        assert!(
            out.contains("    Failure reason: Fail to send out Call Home HTTP message.\n"),
            "{out}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_satellite_needs_its_ca_imported() {
    let lab = lab().await;
    let config = format!(
        "{CALL_HOME}  destination address http https://satellite.example.com/Transportgateway/services/DeviceRequestHandler\n"
    );
    let d = device(&lab, "FOC0000A003", &config, 0);
    let token = lab
        .backend
        .create_satellite_token("Example Account", "Default", 30, None);
    d.agent.register(&token, false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("Failure reason: Fail to send out Call Home HTTP message."),
        "{out}"
    );
    d.state
        .lock()
        .unwrap()
        .trusted_cas
        .insert("SATELLITE".into(), lab.backend.satellite_ca_pem.clone());
    d.agent.register(&token, false);
    let out = wait_for(&d, "Status: AUTHORIZED on").await;
    assert!(out.contains("  Status: REGISTERED\n"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_cisco_is_refused() {
    let lab = lab().await;
    let config = format!(
        "{CALL_HOME}  destination address http http://tools.cisco.com/its/service/oddce/services/DDCEService\n"
    );
    let d = device(&lab, "FOC0000A004", &config, 0);
    d.agent.register(&token(&lab), false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("Failure reason: Fail to send out Call Home HTTP message."),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skewed_clock_is_cat_3() {
    let lab = lab().await;
    let d = device(&lab, "FOC0000A005", CALL_HOME, -200 * 86_400);
    d.agent.register(&token(&lab), false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(
        out.contains("  Status: REGISTERING - REGISTRATION IN PROGRESS\n"),
        "{out}"
    );
    assert!(
        out.contains("    Failure reason: {\"timestamp\": [\"The device date '"),
        "{out}"
    );
    assert!(out.contains("is offset beyond the allowed tolerance limit.\"]}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_fails() {
    let lab = lab().await;
    let expired = lab
        .backend
        .create_token("Example Account", "Default", 0, None);
    let d = device(&lab, "FOC0000A006", CALL_HOME, 0);
    d.agent.register(&expired, false);
    let out = wait_for(&d, "Failure reason").await;
    assert!(out.contains("  Initial Registration: FAILED on "), "{out}");
    assert!(!out.contains("  Status: REGISTERED\n"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_already_registered_product_needs_force() {
    let lab = lab().await;
    let first = device(&lab, "FOC0000A007", CALL_HOME, 0);
    first.agent.register(&token(&lab), false);
    wait_for(&first, "Status: AUTHORIZED on").await;
    // The same UDI again (a replaced device, a reload that lost the registration).
    let again = device(&lab, "FOC0000A007", CALL_HOME, 0);
    again.agent.register(&token(&lab), false);
    let out = wait_for(&again, "Failure reason").await;
    assert!(
        out.contains("  Status: UNREGISTERED - REGISTRATION FAILED\n"),
        "{out}"
    );
    assert!(
        out.contains("Failure reason: Product Already Registered")
            || out.contains("has already been registered."),
        "{out}"
    );
    again.agent.register(&token(&lab), true);
    let out = wait_for(&again, "Status: AUTHORIZED on").await;
    assert!(out.contains("  Status: REGISTERED\n"), "{out}");
}
