//! Error messages, exactly: one folder per kind of bad input under tests/golden/errors/,
//! each with a `hosts.yml` (and maybe a `playbook.yml`) and the `expected.stderr` that
//! `smartlic validate` must print, with exit code 3.

use crate::support::{check_golden, root, smartlic, text};

#[test]
fn every_bad_input_gets_its_exact_message() {
    let cases = root().join("tests/golden/errors");
    let mut failures = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(&cases).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        count += 1;
        let playbook = if dir.join("playbook.yml").exists() {
            "playbook.yml"
        } else {
            "../playbook.yml"
        };
        let out = smartlic(&dir, &["validate", "-i", "hosts.yml", playbook]);
        if out.status.code() != Some(3) {
            failures.push(format!(
                "{}: exit {:?}, expected 3",
                dir.display(),
                out.status.code()
            ));
        }
        if !out.stdout.is_empty() {
            failures.push(format!(
                "{}: printed to stdout: {}",
                dir.display(),
                text(&out.stdout)
            ));
        }
        // Cases plant secrets named CANARY: whatever the error, none is printed.
        if text(&out.stderr).contains("CANARY") {
            failures.push(format!("{}: a secret was printed", dir.display()));
        }
        failures.extend(check_golden(
            &dir.join("expected.stderr"),
            &text(&out.stderr),
        ));
    }
    assert!(count >= 20, "only {count} error cases");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every string field that reaches a device command line refuses a value that would
/// start a second command.
#[test]
fn no_string_field_can_inject_a_command() {
    let injection = "x\\nno service call-home";
    let fields = [
        ("vrf", format!("vrf: \"{injection}\"")),
        (
            "source_interface",
            format!("source_interface: \"{injection}\""),
        ),
        (
            "url",
            format!("transport: satellite\n        url: \"https://sat/{injection}\""),
        ),
        (
            "proxy.host",
            format!("transport: proxy\n        proxy: {{host: \"{injection}\", port: 80}}"),
        ),
        (
            "dns.servers[0]",
            format!("dns: {{servers: [\"{injection}\"]}}"),
        ),
        (
            "dns.hosts.tools.cisco.com",
            format!("dns: {{hosts: {{tools.cisco.com: \"{injection}\"}}}}"),
        ),
        (
            "ntp.servers[0]",
            format!("ntp: {{servers: [\"{injection}\"]}}"),
        ),
        (
            "trustpoints[0].name",
            format!("trustpoints: [{{name: \"{injection}\"}}]"),
        ),
        (
            "contact_email",
            format!("contact_email: \"a@b.c{injection}\""),
        ),
        ("profile", format!("profile: \"{injection}\"")),
        ("token", format!("token: \"{injection}\"")),
    ];
    let dir = tempfile::tempdir().unwrap();
    let playbook = root().join("tests/golden/errors/playbook.yml");
    for (field, yaml) in fields {
        let inventory = format!(
            "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      smart_licensing:\n        {yaml}\n"
        );
        std::fs::write(dir.path().join("hosts.yml"), inventory).unwrap();
        let out = smartlic(
            dir.path(),
            &[
                "validate",
                "-i",
                "hosts.yml",
                playbook.to_str().unwrap(),
                "--allow-plaintext-token",
            ],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{field}: {stderr}");
        assert!(
            stderr.contains(&format!("smart_licensing.{field}: ")),
            "{field}: {stderr}"
        );
        assert!(
            !stderr.contains("no service call-home\n"),
            "{field} echoed the injected line raw: {stderr}"
        );
    }
}

/// NX-OS runs `;`-separated commands: a VRF of `a;reload` would type
/// `transport http use-vrf a;reload` (issue 12 item 5). Refused before any device is touched,
/// naming the file, line and field.
#[test]
fn a_command_separator_in_a_nx_os_vrf_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = "all:\n  hosts:\n    n9k:\n      platform: nx-os\n      os_version: 9.3(8)\n      smart_licensing:\n        vrf: \"a;reload\"\n";
    std::fs::write(dir.path().join("hosts.yml"), inventory).unwrap();
    let playbook = root().join("tests/golden/errors/playbook.yml");
    let out = smartlic(
        dir.path(),
        &["validate", "-i", "hosts.yml", playbook.to_str().unwrap()],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("hosts.yml:7:14: smart_licensing.vrf: `a;reload` is not a VRF name"),
        "{stderr}"
    );
}
