//! The whole lab end to end, driven as an engineer would: OpenSSH's `ssh` into lab
//! devices (real SSH), configuring them on their CLI, registering with a token minted on
//! the lab back-end, and watching `show license status` reach the spec's states — the
//! device agent calls the back-end over real HTTPS on loopback.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use smartlic::lab::run::{self, Lab, LabOptions};
use smartlic::lab::spec::lab_hosts;

const PASSWORD: &str = "lab-pass";

/// A lab of the hosts in `inventory` (YAML), plus a folder for ssh's files.
fn lab(runtime: &tokio::runtime::Runtime, inventory: &str) -> (Lab, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.yml");
    std::fs::write(&path, inventory).unwrap();
    let hosts = lab_hosts(&smartlic::inventory::load(&path).unwrap()).unwrap();
    let lab = runtime
        .block_on(run::start(hosts, &LabOptions::default()))
        .unwrap();
    std::fs::write(dir.path().join("known_hosts"), lab.known_hosts()).unwrap();
    let askpass = dir.path().join("askpass");
    std::fs::write(&askpass, format!("#!/bin/sh\necho {PASSWORD}\n")).unwrap();
    set_executable(&askpass);
    (lab, dir)
}

fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `ssh` with strict host key checking against the lab's known_hosts, password from askpass.
fn ssh(lab: &Lab, dir: &Path, device: &str) -> Command {
    let d = lab.devices.iter().find(|d| d.host.name == device).unwrap();
    let mut command = Command::new("ssh");
    command
        .args([
            "-o",
            "BatchMode=no",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "ConnectTimeout=10",
        ])
        .arg("-o")
        .arg(format!(
            "UserKnownHostsFile={}",
            dir.join("known_hosts").display()
        ))
        .args([
            "-o",
            "PreferredAuthentications=password,keyboard-interactive",
            "-o",
            "NumberOfPasswordPrompts=1",
        ])
        .args(["-p", &d.address.port().to_string()])
        .arg(format!("admin@{}", d.address.ip()))
        .env("SSH_ASKPASS", dir.join("askpass"))
        .env("SSH_ASKPASS_REQUIRE", "force")
        .env("DISPLAY", "lab")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// An interactive session (`ssh -tt`) typing `lines`, as a person would; returns the screen.
fn session(lab: &Lab, dir: &Path, device: &str, lines: &[&str]) -> String {
    let mut child = ssh(lab, dir, device)
        .arg("-tt")
        .spawn()
        .expect("OpenSSH's ssh is installed");
    let script: String = lines.iter().map(|l| format!("{l}\n")).collect();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    wait(child)
}

/// One command over an SSH `exec` request.
fn exec(lab: &Lab, dir: &Path, device: &str, command: &str) -> String {
    let child = ssh(lab, dir, device).arg(command).spawn().unwrap();
    wait(child)
}

fn wait(child: std::process::Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut child = child;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "ssh did not finish within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Polls `show license status` until it contains `wanted` (or fails after 20 s).
fn until_status(lab: &Lab, dir: &Path, device: &str, wanted: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = exec(lab, dir, device, "show license status");
        if status.contains(wanted) {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "`{wanted}` never appeared:\n{status}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn inventory(hosts: &str) -> String {
    format!(
        "all:\n  vars:\n    ansible_user: admin\n    ansible_password: {PASSWORD}\n  hosts:\n{hosts}"
    )
}

#[test]
fn a_catalyst_configured_over_ssh_registers_and_is_authorized() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (lab, dir) = lab(
        &runtime,
        &inventory(
            "    cat1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 127.0.0.61\n      lab: {}\n",
        ),
    );
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    // A factory device has no DNS: registering fails the way SPEC §7.1 CAT-5 says.
    let screen = session(
        &lab,
        dir.path(),
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
    let status = until_status(
        &lab,
        dir.path(),
        "cat1",
        "Fail to send out Call Home HTTP message.",
    );
    assert!(
        status.contains("REGISTERING - REGISTRATION IN PROGRESS"),
        "{status}"
    );
    // Give it the lab's name server, save, and register again.
    let screen = session(
        &lab,
        dir.path(),
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
    let status = until_status(&lab, dir.path(), "cat1", "Status: AUTHORIZED");
    assert!(status.contains("Status: REGISTERED"), "{status}");
    let log = exec(&lab, dir.path(), "cat1", "show logging");
    assert!(log.contains("%SMART_LIC-6-AGENT_REG_SUCCESS"), "{log}");
    // The back-end really saw the registration.
    let snapshot = lab.backend.snapshot();
    assert!(
        format!("{snapshot:?}").contains(&lab.devices[0].host.serial),
        "{snapshot:?}"
    );
    runtime.block_on(lab.shutdown());
}

#[test]
fn a_nexus_with_an_http_destination_fails_and_the_https_fix_registers() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (lab, dir) = lab(
        &runtime,
        &inventory(
            "    nx1:\n      platform: nx-os\n      os_version: 9.3(8)\n      ansible_host: 127.0.0.62\n      lab: {}\n",
        ),
    );
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
    // SPEC §7.2 NX-2: an http:// destination to the Cisco cloud fails.
    let http = configure("http://tools.cisco.com/its/service/oddce/services/DDCEService");
    let screen = session(
        &lab,
        dir.path(),
        "nx1",
        &http.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(
        screen.contains("Initiated device registration with backend"),
        "{screen}"
    );
    let status = until_status(&lab, dir.path(), "nx1", "Initial Registration: FAILED");
    assert!(!status.contains("Status: REGISTERED"), "{status}");
    // The fix of §2.4.1: remove the http:// destination, add the https:// one.
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
    session(&lab, dir.path(), "nx1", &fix);
    let status = until_status(&lab, dir.path(), "nx1", "Status: REGISTERED");
    assert!(status.contains("Smart Licensing is ENABLED"), "{status}");
    let run = exec(&lab, dir.path(), "nx1", "show running-config callhome");
    assert!(run.contains("destination-profile CiscoTAC-1 index 1 http https://tools.cisco.com/its/service/oddce/services/DDCEService"), "{run}");
    runtime.block_on(lab.shutdown());
}

#[test]
fn a_satellite_is_trusted_only_after_its_ca_is_imported_over_ssh() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (lab, dir) = lab(
        &runtime,
        &inventory(
            "    branch1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 127.0.0.63\n      lab: {}\n",
        ),
    );
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
    session(&lab, dir.path(), "branch1", &configure);
    // The satellite's certificate comes from its private CA: untrusted (SPEC §3.2, CAT-5).
    until_status(
        &lab,
        dir.path(),
        "branch1",
        "Fail to send out Call Home HTTP message.",
    );
    // Import the CA as SPEC §3.2 does it, then register again.
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
    let screen = session(&lab, dir.path(), "branch1", &import);
    assert!(
        screen.contains("% Do you accept this certificate? [yes/no]:"),
        "{screen}"
    );
    assert!(
        screen.contains("% Certificate successfully imported"),
        "{screen}"
    );
    let status = until_status(&lab, dir.path(), "branch1", "Status: REGISTERED");
    assert!(!status.contains("Fail to send out"), "{status}");
    runtime.block_on(lab.shutdown());
}
