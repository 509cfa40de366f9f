//! Ansible Vault end to end through the binary: a group_vars file encrypted whole and an
//! inline `!vault` token, both made by ansible-vault itself (tests/fixtures/vault).

use crate::support::{root, smartlic, text};

const TOKEN: &str = "NjQ0ZmE5YzYtYjQ3Ni00YzNhLTk4ZDgtMWRmMDk5NTQ3ZWZj";

/// An inventory whose `all` vars are the encrypted `vars.yml` and whose token is the
/// inline `!vault` value.
fn vaulted_inventory() -> tempfile::TempDir {
    let fixtures = root().join("tests/fixtures/vault");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("group_vars")).unwrap();
    std::fs::copy(
        fixtures.join("vars.yml"),
        dir.path().join("group_vars/all.yml"),
    )
    .unwrap();
    let inline = std::fs::read_to_string(fixtures.join("inline.yml")).unwrap();
    let token: String = inline.lines().map(|l| format!("        {l}\n")).collect();
    std::fs::write(
        dir.path().join("hosts.yml"),
        format!(
            "all:\n  hosts:\n    sw1:\n      ansible_host: 127.0.0.1\n      platform: ios-xe\n      os_version: 16.12.5\n      smart_licensing:\n        transport: direct\n{token}"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("play.yml"), "- name: all\n  hosts: all\n").unwrap();
    dir
}

#[test]
fn vaulted_vars_and_tokens_open_with_the_password_file() {
    let dir = vaulted_inventory();
    let password = root().join("tests/fixtures/vault/password.txt");
    let out = smartlic(
        dir.path(),
        &[
            "inventory",
            "-i",
            "hosts.yml",
            "--host",
            "sw1",
            "--format",
            "json",
            "--vault-password-file",
            password.to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    // The decrypted vars are in effect; neither secret is shown.
    assert!(stdout.contains("noc@example.com"), "{stdout}");
    assert!(
        stdout.contains("\"token_source\": \"ansible-vault\""),
        "{stdout}"
    );
    assert!(
        !stdout.contains(TOKEN) && !stdout.contains("Vaulted-Pass-1"),
        "{stdout}"
    );
    let valid = smartlic(
        dir.path(),
        &[
            "validate",
            "-i",
            "hosts.yml",
            "play.yml",
            "--vault-password-file",
            password.to_str().unwrap(),
        ],
    );
    assert_eq!(valid.status.code(), Some(0), "{}", text(&valid.stderr));
}

#[test]
fn without_the_password_the_encrypted_inputs_are_named() {
    let dir = vaulted_inventory();
    let out = smartlic(dir.path(), &["validate", "-i", "hosts.yml", "play.yml"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("group_vars/all.yml"), "{stderr}");
    assert!(stderr.contains("--vault-password-file"), "{stderr}");
    // A wrong password is refused as such.
    let wrong = dir.path().join("wrong.txt");
    std::fs::write(&wrong, "not-the-password\n").unwrap();
    let out = smartlic(
        dir.path(),
        &[
            "validate",
            "-i",
            "hosts.yml",
            "play.yml",
            "--vault-password-file",
            wrong.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("does not open it"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_executable_password_file_is_run() {
    let dir = vaulted_inventory();
    let script = dir.path().join("pass.sh");
    std::fs::write(&script, "#!/bin/sh\necho smartlic-test-vault\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = smartlic(
        dir.path(),
        &[
            "validate",
            "-i",
            "hosts.yml",
            "play.yml",
            "--vault-password-file",
            script.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
