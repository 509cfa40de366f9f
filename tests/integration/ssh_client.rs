//! smartlic's own SSH client (`smartlic::ssh`) against lab devices over real SSH: host key
//! policies, password and keyboard-interactive logins, legacy algorithms, the CLI shell
//! with prompts, config mode, questions and error lines, and deadlines that hold.

use std::time::{Duration, Instant};

use smartlic::intent::Secret;
use smartlic::platform::Platform;
use smartlic::ssh::shell::CommandError;
use smartlic::ssh::{
    self, Credentials, HostKeyError, HostKeyPolicy, SshError, Target, Timeouts, Verdict,
};

use crate::lab_harness::{LabSsh, PASSWORD, host, inventory};

fn target(lab: &LabSsh, device: &str) -> Target {
    let address = lab.address(device);
    Target {
        name: device.to_string(),
        address: address.ip().to_string(),
        port: address.port(),
        user: "admin".into(),
        credentials: Credentials {
            password: Some(Secret::new(PASSWORD)),
            ..Credentials::default()
        },
        host_keys: HostKeyPolicy::Strict,
        known_hosts: lab.known_hosts_file(),
        legacy_algorithms: false,
        timeouts: Timeouts {
            connect: Duration::from_secs(10),
            command: Duration::from_secs(5),
        },
    }
}

fn connect(lab: &LabSsh, target: &Target) -> Result<ssh::Connection, SshError> {
    lab.runtime().block_on(ssh::connect(target))
}

#[test]
fn a_catalyst_session_configures_saves_and_reports_refused_lines() {
    let lab = LabSsh::start(&inventory(&host(
        "cat1",
        "ios-xe",
        "16.12.5",
        "127.0.0.91",
        "",
    )));
    let t = target(&lab, "cat1");
    let connection = connect(&lab, &t).expect("strict host key check and password login");
    assert_eq!(connection.host_key, Verdict::Known);
    assert!(!connection.negotiated.kex.is_empty());
    lab.runtime().block_on(async {
        let mut shell = connection.shell(Platform::IosXe.cli(), None).await.unwrap();
        assert_eq!(shell.prompt, "cat1#");
        let version = shell.run("show version").await.unwrap();
        assert!(version.contains("Cisco IOS XE Software"), "{version}");
        assert!(!version.contains("--More--"), "{version}");
        shell.run("configure terminal").await.unwrap();
        assert_eq!(shell.prompt, "cat1(config)#");
        shell.run("ip name-server 198.51.100.53").await.unwrap();
        // A line this release refuses: the device's own message, and the command.
        let Err(CommandError::Device(refused)) = shell.run("ip name-servr 192.0.2.1").await else {
            panic!("a refused line must be an error");
        };
        assert_eq!(refused.command, "ip name-servr 192.0.2.1");
        assert!(
            refused.message.starts_with("% Invalid input detected"),
            "{refused}"
        );
        shell.run("end").await.unwrap();
        // `Destination filename [startup-config]?` is answered with Enter.
        shell
            .run("copy running-config startup-config")
            .await
            .unwrap();
        assert_eq!(shell.prompt, "cat1#");
        let startup = shell.run("show startup-config").await.unwrap();
        assert!(
            startup.contains("ip name-server 198.51.100.53"),
            "{startup}"
        );
        assert!(!startup.contains("name-servr"), "{startup}");
    });
}

#[test]
fn crypto_pki_authenticate_takes_the_pasted_certificate_and_is_accepted() {
    let lab = LabSsh::start(&inventory(&host(
        "cat2",
        "ios-xe",
        "16.12.5",
        "127.0.0.92",
        "",
    )));
    let connection = connect(&lab, &target(&lab, "cat2")).unwrap();
    let pem = lab.backend.satellite_ca_pem.clone();
    lab.runtime().block_on(async {
        let mut shell = connection.shell(Platform::IosXe.cli(), None).await.unwrap();
        for line in [
            "configure terminal",
            "crypto pki trustpoint LicRoot",
            "enrollment terminal",
            "revocation-check none",
            "exit",
        ] {
            shell.run(line).await.unwrap();
        }
        let out = shell
            .run_with("crypto pki authenticate LicRoot", Some(&pem))
            .await
            .unwrap();
        assert!(out.contains("% Certificate successfully imported"), "{out}");
        shell.run("end").await.unwrap();
        let trustpoints = shell.run("show crypto pki trustpoints").await.unwrap();
        assert!(trustpoints.contains("Trustpoint LicRoot"), "{trustpoints}");
    });
}

#[test]
fn nexus_and_apic_shells_find_their_prompts() {
    let lab = LabSsh::start(&inventory(
        &[
            host("nx1", "nx-os", "9.3(8)", "127.0.0.93", ""),
            host("apic1", "apic", "4.2(7f)", "127.0.0.94", ""),
        ]
        .concat(),
    ));
    for (device, platform, config_prompt) in [
        ("nx1", Platform::NxOs, "nx1(config-callhome)#"),
        ("apic1", Platform::Apic, "apic1(config)#"),
    ] {
        let connection = connect(&lab, &target(&lab, device)).unwrap();
        lab.runtime().block_on(async {
            let mut shell = connection.shell(platform.cli(), None).await.unwrap();
            assert_eq!(shell.prompt, format!("{device}#"));
            shell.run("configure terminal").await.unwrap();
            if platform == Platform::NxOs {
                shell.run("callhome").await.unwrap();
            }
            assert_eq!(shell.prompt, config_prompt);
            let Err(CommandError::Device(refused)) = shell.run("bogus command").await else {
                panic!("{device}: a refused line must be an error");
            };
            assert!(
                refused.message.starts_with("% Invalid command"),
                "{refused}"
            );
            shell.run("end").await.unwrap();
            let status = shell.run("show license status").await.unwrap();
            assert!(!status.trim().is_empty(), "{device}: {status}");
        });
    }
}

#[test]
fn accept_new_records_an_unknown_key_and_strict_then_knows_it() {
    let lab = LabSsh::start(&inventory(&host(
        "cat3",
        "ios-xe",
        "16.12.5",
        "127.0.0.95",
        "",
    )));
    let dir = tempfile::tempdir().unwrap();
    let mut t = target(&lab, "cat3");
    t.known_hosts = dir.path().join("known_hosts");
    let Err(SshError::HostKey(HostKeyError::Unknown { .. })) = connect(&lab, &t) else {
        panic!("strict must refuse an unknown host");
    };
    t.host_keys = HostKeyPolicy::AcceptNew;
    assert_eq!(connect(&lab, &t).unwrap().host_key, Verdict::Learned);
    t.host_keys = HostKeyPolicy::Strict;
    assert_eq!(connect(&lab, &t).unwrap().host_key, Verdict::Known);
    let recorded = std::fs::read_to_string(&t.known_hosts).unwrap();
    assert!(
        recorded.trim_start().starts_with("[127.0.0.95]:"),
        "{recorded}"
    );
}

#[test]
fn a_changed_host_key_fails_that_host_and_shows_both_fingerprints() {
    let lab = LabSsh::start(&inventory(&host(
        "cat4",
        "ios-xe",
        "16.12.5",
        "127.0.0.96",
        "        faults: {changed_host_key: true}\n",
    )));
    // known_hosts holds the key the device had (its seed's), as before the change.
    let dir = tempfile::tempdir().unwrap();
    let before = smartlic::lab::ssh::host_public_key(
        &smartlic::lab::run::host_key_seed("cat4"),
        &smartlic::lab::ssh::SshFaults::default(),
    )
    .unwrap();
    let line = smartlic::lab::ssh::known_hosts_line(lab.address("cat4"), &before).unwrap();
    let mut t = target(&lab, "cat4");
    t.known_hosts = dir.path().join("known_hosts");
    std::fs::write(&t.known_hosts, format!("{line}\n")).unwrap();
    for policy in [HostKeyPolicy::Strict, HostKeyPolicy::AcceptNew] {
        let t = Target {
            host_keys: policy,
            ..t.clone()
        };
        let e = match connect(&lab, &t) {
            Err(SshError::HostKey(e @ HostKeyError::Changed { .. })) => e,
            Err(other) => panic!("{policy:?}: a changed key must fail the host, got {other}"),
            Ok(_) => panic!("{policy:?}: a changed key must fail the host"),
        };
        let text = e.to_string();
        assert!(text.contains("HOST KEY CHANGED"), "{text}");
        assert_eq!(text.matches("SHA256:").count(), 2, "{text}");
    }
}

#[test]
fn a_legacy_only_device_needs_legacy_algorithms_enabled() {
    let lab = LabSsh::start(&inventory(&host(
        "old1",
        "ios-xe",
        "16.9.4",
        "127.0.0.97",
        "        faults: {legacy_ssh: true}\n",
    )));
    let mut t = target(&lab, "old1");
    let Err(SshError::Connect { message, .. }) = connect(&lab, &t) else {
        panic!("modern algorithms alone cannot reach a legacy-only device");
    };
    assert!(!message.is_empty());
    t.legacy_algorithms = true;
    let connection = connect(&lab, &t).expect("legacy algorithms reach it");
    let n = &connection.negotiated;
    assert!(
        n.kex.starts_with("diffie-hellman-group") || n.kex.starts_with("ecdh-sha2"),
        "{n:?}"
    );
}

#[test]
fn wrong_passwords_fail_after_trying_password_and_keyboard_interactive() {
    let lab = LabSsh::start(&inventory(&host(
        "cat5",
        "ios-xe",
        "16.12.5",
        "127.0.0.98",
        "",
    )));
    let mut t = target(&lab, "cat5");
    t.credentials.password = Some(Secret::new("not-the-password"));
    let Err(e @ SshError::Auth { .. }) = connect(&lab, &t) else {
        panic!("a wrong password must fail authentication");
    };
    let text = e.to_string();
    assert!(text.contains("password, keyboard-interactive"), "{text}");
    assert!(!text.contains("not-the-password"), "{text}");
}

#[test]
fn a_command_that_never_returns_its_prompt_times_out_on_time() {
    let lab = LabSsh::start(&inventory(&host(
        "cat6",
        "ios-xe",
        "16.12.5",
        "127.0.0.99",
        "        faults: {hang_on: [show license status]}\n",
    )));
    let mut t = target(&lab, "cat6");
    t.timeouts.command = Duration::from_millis(800);
    let connection = connect(&lab, &t).unwrap();
    lab.runtime().block_on(async {
        let mut shell = connection.shell(Platform::IosXe.cli(), None).await.unwrap();
        let started = Instant::now();
        let Err(CommandError::Ssh(SshError::Timeout { what, .. })) =
            shell.run("show license status").await
        else {
            panic!("a hung command must time out");
        };
        assert!(what.contains("show license status"), "{what}");
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(800) && waited < Duration::from_secs(3),
            "{waited:?}"
        );
    });
}

#[test]
fn a_keyboard_interactive_only_device_takes_the_password_through_it() {
    // No `password` method, as TACACS+/RADIUS-backed devices often offer: the client
    // answers `Password: ` with the password, then the lab's empty info-request round
    // with an empty list (russh issue #512).
    let lab = LabSsh::start(&inventory(&host(
        "tacacs1",
        "ios-xe",
        "16.12.5",
        "127.0.0.100",
        "        faults: {keyboard_interactive_only: true}\n",
    )));
    let t = target(&lab, "tacacs1");
    let connection = connect(&lab, &t).expect("keyboard-interactive login with the password");
    lab.runtime().block_on(async {
        let mut shell = connection.shell(Platform::IosXe.cli(), None).await.unwrap();
        assert_eq!(shell.prompt, "tacacs1#");
        let version = shell.run("show version").await.unwrap();
        assert!(version.contains("Cisco IOS XE Software"), "{version}");
    });

    // A wrong password still fails, having tried both methods, and is never shown.
    let mut t = target(&lab, "tacacs1");
    t.credentials.password = Some(Secret::new("not-the-password"));
    let Err(e @ SshError::Auth { .. }) = connect(&lab, &t) else {
        panic!("a wrong password must fail authentication");
    };
    let text = e.to_string();
    assert!(text.contains("password, keyboard-interactive"), "{text}");
    assert!(!text.contains("not-the-password"), "{text}");
}

/// A device that guards privileged exec with an enable secret: the shell reaches `#`
/// with the right secret and fails, naming `enable`, with a wrong one.
#[test]
fn enable_asks_for_the_secret_and_refuses_a_wrong_one() {
    let lab = LabSsh::start(&inventory(&host(
        "guarded",
        "ios-xe",
        "16.12.5",
        "127.0.0.100",
        "        enable_secret: En4ble-Secret\n",
    )));
    let connection = connect(&lab, &target(&lab, "guarded")).unwrap();
    lab.runtime().block_on(async {
        let shell = connection
            .shell(Platform::IosXe.cli(), Some(&Secret::new("En4ble-Secret")))
            .await
            .unwrap();
        assert_eq!(shell.prompt, "guarded#");
    });
    let connection = connect(&lab, &target(&lab, "guarded")).unwrap();
    lab.runtime().block_on(async {
        let Err(CommandError::Device(refused)) = connection
            .shell(
                Platform::IosXe.cli(),
                Some(&Secret::new("Not-The-Secret-9")),
            )
            .await
        else {
            panic!("a wrong enable secret must fail");
        };
        assert_eq!(refused.command, "enable");
        assert!(
            !refused.to_string().contains("Not-The-Secret-9"),
            "{refused}"
        );
    });
}
