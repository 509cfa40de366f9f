//! Files and values from the user that must not take the tool somewhere unintended: host
//! names used as file names, FIFOs and huge files, token sources over layers, and loose
//! values (issue 12, items 8 to 11). Each run is bounded in time, so a regression fails
//! instead of hanging.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::support::{smartlic_env, smartlic_within, text};

const LIMIT: Duration = Duration::from_secs(30);
const HOST: &str = "      platform: ios-xe\n      os_version: 16.12.5\n";
const CONFIGURE: &str = "- hosts: all\n  steps: [configure]\n";
const REGISTER: &str = "- hosts: all\n  steps: [configure, register]\n";
const TOKEN: &str = "VGVzdFRva2VuLWZvci12YWxpZGF0ZQ";

/// A folder holding `files` (path, content), folders created as needed.
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        write(&dir.path().join(path), content);
    }
    dir
}

fn write(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn hosts(name: &str, vars: &str) -> String {
    format!("all:\n  hosts:\n    \"{name}\":\n{HOST}{vars}")
}

/// Runs smartlic in `dir`; a run that has not ended within [`LIMIT`] fails the test.
fn run(dir: &Path, args: &[&str]) -> Output {
    smartlic_within(dir, args, LIMIT)
        .unwrap_or_else(|| panic!("`smartlic {}` still ran after {LIMIT:?}", args.join(" ")))
}

fn all_output(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(path);
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

// Item 8: host names used as file names.

#[test]
fn a_host_name_cannot_lead_plan_outside_the_running_dir() {
    let dir = workspace(&[
        ("hosts.yml", &hosts("../outside/secret", "")),
        ("play.yml", CONFIGURE),
        ("running/.keep", ""),
        ("outside/secret.cfg", "hostname OUTSIDE-SECRET-LINE\n"),
    ]);
    let out = run(
        dir.path(),
        &[
            "plan",
            "-i",
            "hosts.yml",
            "play.yml",
            "--offline",
            "--running-dir",
            "running",
        ],
    );
    let all = all_output(&out);
    assert!(!all.contains("OUTSIDE-SECRET-LINE"), "read outside:\n{all}");
    // The host's saved config is looked for inside the folder, under the session-log rule.
    assert!(
        all.contains(".._outside_secret.cfg does not exist"),
        "{all}"
    );
}

// Item 9: non-regular and oversized files.

/// Every kind of file smartlic reads from its input: as a FIFO, the run must end promptly
/// with exit 3, naming the file; a saved running config fails its host alone (exit 1), as
/// an unreadable one always has.
#[test]
fn a_fifo_as_any_input_file_is_refused_promptly() {
    let plan_offline = ["--offline", "--running-dir", "running"];
    let cases: [(&str, &str, &[&str]); 9] = [
        ("inventory", "hosts.yml", &[]),
        ("group vars", "group_vars/all.yml", &[]),
        ("host vars", "host_vars/sw1.yml", &[]),
        ("playbook", "play.yml", &[]),
        ("-e @file", "vars.yml", &["-e", "@vars.yml"]),
        ("saved running config", "running/sw1.cfg", &plan_offline),
        ("CA certificate", "ca.pem", &[]),
        (
            "template override",
            "tpl/ios-xe/classic.j2",
            &["--templates", "tpl"],
        ),
        (
            "vault password file",
            "vault-pass.txt",
            &["--vault-password-file", "vault-pass.txt"],
        ),
    ];
    let trustpoint =
        "      smart_licensing:\n        trustpoints: [{name: LicRoot, ca_cert: ca.pem}]\n";
    for (kind, fifo, extra) in cases {
        let dir = workspace(&[
            ("hosts.yml", &hosts("sw1", trustpoint)),
            ("play.yml", CONFIGURE),
            (
                "ca.pem",
                "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
            ),
            ("running/other.cfg", ""),
        ]);
        mkfifo(&dir.path().join(fifo));
        let verb = if extra == plan_offline {
            "plan"
        } else {
            "validate"
        };
        let mut args = vec![verb, "-i", "hosts.yml", "play.yml"];
        args.extend_from_slice(extra);
        let out = run(dir.path(), &args);
        let all = all_output(&out);
        let code = if verb == "plan" { 1 } else { 3 };
        assert_eq!(out.status.code(), Some(code), "{kind}:\n{all}");
        assert!(all.contains(fifo), "{kind}: the file is not named:\n{all}");
        assert!(
            all.contains("not a regular file"),
            "{kind}: no reason given:\n{all}"
        );
    }
}

#[test]
fn a_device_file_as_inventory_is_refused_without_reading_it() {
    let dir = workspace(&[("play.yml", CONFIGURE)]);
    for args in [
        ["validate", "-i", "/dev/zero", "play.yml"],
        ["validate", "-i", "hosts.yml", "/dev/zero"],
    ] {
        write(&dir.path().join("hosts.yml"), &hosts("sw1", ""));
        let out = run(dir.path(), &args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains("/dev/zero"), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
}

#[test]
fn a_fifo_in_an_inventory_folder_is_refused_not_skipped() {
    let dir = workspace(&[("inv/a.yml", &hosts("sw1", "")), ("play.yml", CONFIGURE)]);
    mkfifo(&dir.path().join("inv/b.yml"));
    let out = run(dir.path(), &["validate", "-i", "inv", "play.yml"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("inv/b.yml"), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

/// A file over its kind's limit is refused before it is read (the files here are sparse:
/// they take no disk space, and reading one would take seconds and its size in memory).
#[test]
fn an_oversized_file_is_refused_with_its_limit() {
    let cases: [(&str, u64, &str, &[&str]); 3] = [
        ("group_vars/all.yml", 4 << 30, "32 MiB", &["validate"]),
        (
            "vars.yml",
            33 << 20,
            "32 MiB",
            &["validate", "-e", "@vars.yml"],
        ),
        (
            "running/sw1.cfg",
            9 << 20,
            "8 MiB",
            &["plan", "--offline", "--running-dir", "running"],
        ),
    ];
    for (file, size, limit, args) in cases {
        let dir = workspace(&[("hosts.yml", &hosts("sw1", "")), ("play.yml", CONFIGURE)]);
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::File::create(&path).unwrap().set_len(size).unwrap();
        let mut all_args = vec![args[0], "-i", "hosts.yml", "play.yml"];
        all_args.extend_from_slice(&args[1..]);
        let out = run(dir.path(), &all_args);
        let all = all_output(&out);
        let code = if args[0] == "plan" { 1 } else { 3 };
        assert_eq!(out.status.code(), Some(code), "{file}:\n{all}");
        assert!(all.contains(file), "{file}:\n{all}");
        assert!(all.contains(limit), "{file}: no limit named:\n{all}");
    }
}

// Item 10: a token source replaces the whole source.

fn token_workspace(host_token: &str) -> tempfile::TempDir {
    workspace(&[
        ("hosts.yml", &hosts("sw1", "")),
        ("play.yml", REGISTER),
        (
            "group_vars/all.yml",
            "smart_licensing:\n  token: {env: GROUP_TOKEN}\n",
        ),
        (
            "host_vars/sw1.yml",
            &format!("smart_licensing:\n  token: {host_token}\n"),
        ),
        ("host_vars/token.txt", &format!("{TOKEN}\n")),
    ])
}

fn offline_json_plan(dir: &Path) -> Output {
    let args = [
        "plan",
        "-i",
        "hosts.yml",
        "play.yml",
        "--offline",
        "--running-dir",
        ".",
        "--format",
        "json",
    ];
    smartlic_env(dir, &args, &[("GROUP_TOKEN", TOKEN)])
}

#[test]
fn a_host_token_source_replaces_the_group_source() {
    for host_token in ["{file: token.txt}", "{env: null, file: token.txt}"] {
        let dir = token_workspace(host_token);
        let out = offline_json_plan(dir.path());
        let all = all_output(&out);
        assert!(
            matches!(out.status.code(), Some(0 | 2)),
            "{host_token}:\n{all}"
        );
        // Relative to the file that names it.
        assert!(
            text(&out.stdout).contains("\"token_source\": \"file:host_vars/token.txt\""),
            "{host_token}:\n{all}"
        );
        assert!(!all.contains("env:GROUP_TOKEN"), "{host_token}:\n{all}");
    }
}

#[test]
fn a_broken_token_source_is_reported_where_it_was_set() {
    let dir = token_workspace("{file: missing.txt}");
    let out = smartlic_env(
        dir.path(),
        &["validate", "-i", "hosts.yml", "play.yml"],
        &[("GROUP_TOKEN", TOKEN)],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("host_vars/sw1.yml:2"), "{stderr}");
    assert!(stderr.contains("missing.txt"), "{stderr}");
    assert!(!stderr.contains("group_vars"), "{stderr}");
}

#[test]
fn both_token_keys_in_one_source_name_where_each_was_set() {
    let dir = token_workspace("{env: GROUP_TOKEN, file: token.txt}");
    let out = smartlic_env(
        dir.path(),
        &["validate", "-i", "hosts.yml", "play.yml"],
        &[("GROUP_TOKEN", TOKEN)],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("smart_licensing.token"), "{stderr}");
    assert!(
        stderr.contains("`env` (host_vars/sw1.yml:2)")
            && stderr.contains("`file` (host_vars/sw1.yml:2)"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN), "{stderr}");
}

// Item 11: loose values.

#[test]
fn zero_forks_or_host_timeout_is_a_usage_error() {
    let dir = workspace(&[("hosts.yml", &hosts("sw1", "")), ("play.yml", CONFIGURE)]);
    for (flag, value) in [("--forks", "0"), ("--host-timeout", "0")] {
        let out = run(
            dir.path(),
            &[
                "apply",
                "-i",
                "hosts.yml",
                "play.yml",
                flag,
                value,
                "--check",
            ],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{flag}:\n{stderr}");
        assert!(stderr.contains(flag), "{flag}:\n{stderr}");
    }
}

#[test]
fn an_extra_var_without_a_name_is_refused() {
    let dir = workspace(&[("hosts.yml", &hosts("sw1", "")), ("play.yml", CONFIGURE)]);
    for value in ["=value", "smart_licensing..vrf=x", "a.=1"] {
        let out = run(
            dir.path(),
            &["validate", "-i", "hosts.yml", "play.yml", "-e", value],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{value}:\n{stderr}");
        assert!(stderr.contains("--extra-vars"), "{value}:\n{stderr}");
        assert!(stderr.contains("empty"), "{value}:\n{stderr}");
    }
}

#[test]
fn an_undefined_variable_in_a_template_override_is_named() {
    let dir = workspace(&[
        ("hosts.yml", &hosts("sw1", "")),
        ("play.yml", CONFIGURE),
        (
            "tpl/ios-xe/classic.j2",
            "call-home\n profile {{ profile }}\n vrf {{ no_such_variable }}\n",
        ),
    ]);
    let out = run(
        dir.path(),
        &[
            "render",
            "-i",
            "hosts.yml",
            "play.yml",
            "--templates",
            "tpl",
        ],
    );
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("no_such_variable"), "{stderr}");
    assert!(stderr.contains("ios-xe/classic.j2"), "{stderr}");
}

#[test]
fn loose_intent_values_get_clear_errors() {
    let timeout =
        |value: &str| format!("      smart_licensing:\n        expect: {{timeout: {value}}}\n");
    let cases = [
        (
            timeout("0"),
            "smart_licensing.expect.timeout",
            "first status check",
        ),
        (
            timeout("99999999999999999999"),
            "smart_licensing.expect.timeout",
            "out of range",
        ),
        (
            timeout("99999999999999999999h"),
            "smart_licensing.expect.timeout",
            "out of range",
        ),
        (
            "      ansible_port: 99999999999999999999\n".into(),
            "ansible_port",
            "out of range",
        ),
        (
            "      smart_licensing:\n        revert_timer: -99999999999999999999\n".into(),
            "smart_licensing.revert_timer",
            "out of range",
        ),
        (
            "      ansible_password: [a, b]\n".into(),
            "ansible_password",
            "found a list",
        ),
        (
            "      smart_licensing: null\n".into(),
            "smart_licensing",
            "is null",
        ),
    ];
    for (vars, field, fragment) in cases {
        let dir = workspace(&[("hosts.yml", &hosts("sw1", &vars)), ("play.yml", CONFIGURE)]);
        let out = run(dir.path(), &["validate", "-i", "hosts.yml", "play.yml"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{vars}:\n{stderr}");
        // The value's line: the last of the host's vars.
        let line = 5 + vars.lines().count();
        assert!(
            stderr.contains(&format!("hosts.yml:{line}:")),
            "{vars}:\n{stderr}"
        );
        assert!(stderr.contains(&format!(" {field}: ")), "{vars}:\n{stderr}");
        assert!(stderr.contains(fragment), "{vars}:\n{stderr}");
        assert!(!stderr.contains("found a string"), "{vars}:\n{stderr}");
    }
}
