//! The whole lab end to end, driven as an engineer would: OpenSSH's `ssh` into lab
//! devices (real SSH), configuring them on their CLI, registering with a token minted on
//! the lab back-end, and watching `show license status` reach Cisco's states — the
//! device agent calls the back-end over real HTTPS on loopback.

use crate::lab_harness::{LabSsh, host, inventory};

#[test]
fn a_catalyst_configured_over_ssh_registers_and_is_authorized() {
    let lab = LabSsh::start(&inventory(&host(
        "cat1",
        "ios-xe",
        "16.12.5",
        "127.0.0.61",
        "",
    )));
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    // A factory device has no DNS: registering fails the way docs/troubleshooting.md CAT-5 says.
    let screen = lab.session(
        "cat1",
        &[
            "terminal length 0",
            "enable",
            &format!("license smart register idtoken {token}"),
            "exit",
        ],
    );
    assert!(
        screen.contains("Registration process is in progress"),
        "{screen}"
    );
    let status = lab.until_status("cat1", "Fail to send out Call Home HTTP message.");
    assert!(
        status.contains("REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    // Give it the lab's name server, save, and register again.
    let screen = lab.session(
        "cat1",
        &[
            "terminal length 0",
            "enable",
            "configure terminal",
            "ip name-server 198.51.100.53",
            "end",
            "write memory",
            &format!("license smart register idtoken {token}"),
            "exit",
        ],
    );
    assert!(screen.contains("cat1(config)#"), "{screen}");
    let status = lab.until_status("cat1", "Status: AUTHORIZED");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    let log = lab.exec("cat1", "show logging");
    assert!(log.contains("%SMART_LIC-6-AGENT_REG_SUCCESS"), "{log}");
    // The back-end really saw the registration.
    let snapshot = lab.backend.snapshot();
    assert!(
        format!("{snapshot:?}").contains(&lab.devices[0].host.serial),
        "{snapshot:?}"
    );
}

#[test]
fn a_nexus_with_an_http_destination_fails_and_the_https_fix_registers() {
    let lab = LabSsh::start(&inventory(&host(
        "nx1",
        "nx-os",
        "9.3(8)",
        "127.0.0.62",
        "",
    )));
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let configure = |url: &str| {
        vec![
            "terminal length 0".to_string(),
            "configure terminal".to_string(),
            "ip name-server 198.51.100.53".to_string(),
            "callhome".to_string(),
            "email-contact sch-smart-licensing@cisco.com".to_string(),
            "destination-profile CiscoTAC-1 transport-method http".to_string(),
            format!("destination-profile CiscoTAC-1 http {url}"),
            "enable".to_string(),
            "end".to_string(),
            format!("license smart register idtoken {token}"),
            "exit".to_string(),
        ]
    };
    // docs/troubleshooting.md NX-2: an http:// destination to the Cisco cloud fails.
    let http = configure("http://tools.cisco.com/its/service/oddce/services/DDCEService");
    let screen = lab.session("nx1", &http);
    assert!(
        screen.contains("Initiated device registration with backend"),
        "{screen}"
    );
    let status = lab.until_status("nx1", "Initial Registration: FAILED");
    assert!(!status.contains("Status: REGISTERED"), "{status}");
    // The fix of [NX-TS]: remove the http:// destination, add the https:// one.
    let fix = [
        "terminal length 0",
        "configure terminal",
        "callhome",
        "no destination-profile CiscoTAC-1 index 1 http http://tools.cisco.com/its/service/oddce/services/DDCEService",
        "destination-profile CiscoTAC-1 http https://tools.cisco.com/its/service/oddce/services/DDCEService",
        "end",
        &format!("license smart register idtoken {token}"),
        "exit",
    ];
    lab.session("nx1", &fix);
    let status = lab.until_status("nx1", "Status: REGISTERED");
    assert!(status.contains("Smart Licensing is ENABLED"), "{status}");
    let run = lab.exec("nx1", "show running-config callhome");
    assert!(run.contains("destination-profile CiscoTAC-1 index 1 http https://tools.cisco.com/its/service/oddce/services/DDCEService"), "{run}");
}

#[test]
fn a_satellite_is_trusted_only_after_its_ca_is_imported_over_ssh() {
    let lab = LabSsh::start(&inventory(&host(
        "branch1",
        "ios-xe",
        "16.12.5",
        "127.0.0.63",
        "",
    )));
    let token = lab
        .backend
        .create_satellite_token("Example Account", "Default", 30, None);
    let satellite = lab.backend.satellite.names[0].clone();
    let ip = lab.backend.satellite.virtual_addr.ip().to_string();
    let url = format!("https://{satellite}/Transportgateway/services/DeviceRequestHandler");
    let register = format!("license smart register idtoken {token}");
    let configure = [
        "terminal length 0",
        "enable",
        "configure terminal",
        &format!("ip host {satellite} {ip}"),
        "call-home",
        "profile \"CiscoTAC-1\"",
        &format!("destination address http {url}"),
        "end",
        &register,
        "exit",
    ];
    lab.session("branch1", &configure);
    // The satellite's certificate comes from its private CA: untrusted ([CAT-TS], CAT-5).
    lab.until_status("branch1", "Fail to send out Call Home HTTP message.");
    // Import the CA as [CAT-TS] does it, then register again.
    let mut import = vec![
        "terminal length 0",
        "enable",
        "configure terminal",
        "crypto pki trustpoint LicRoot",
        "enrollment terminal",
        "revocation-check none",
        "exit",
        "crypto pki authenticate LicRoot",
    ];
    let pem = lab.backend.satellite_ca_pem.clone();
    import.extend(pem.lines());
    import.extend(["", "yes", "end", &register, "exit"]);
    let screen = lab.session("branch1", &import);
    assert!(
        screen.contains("% Do you accept this certificate? [yes/no]:"),
        "{screen}"
    );
    assert!(
        screen.contains("% Certificate successfully imported"),
        "{screen}"
    );
    let status = lab.until_status("branch1", "Status: REGISTERED");
    assert!(!status.contains("Fail to send out"), "{status}");
}
