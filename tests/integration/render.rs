//! Integration tests: render.
//!
//! Golden cases live in `tests/golden/render/<case>/`: `context.json` is the template context
//! (the serialised intent) and the expected result is either `expected.cfg` (the exact desired
//! configuration, as `show running-config` prints it) or `expected.err` (the error message of
//! an intent the templates refuse). `UPDATE_GOLDEN=1 cargo test --test integration render`
//! rewrites the expected files from the current output; review the change before committing.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use smartlic::render::{RenderError, Templates};

const CONFIG_FILE: &str = "expected.cfg";
const ERROR_FILE: &str = "expected.err";

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/render")
}

fn golden_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(golden_root())
        .expect("tests/golden/render exists")
        .map(|entry| entry.expect("readable golden entry").path())
        .filter(|path| path.join("context.json").is_file())
        .collect();
    cases.sort();
    cases
}

fn read_context(case: &Path) -> Value {
    let text = fs::read_to_string(case.join("context.json")).expect("readable context.json");
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", case.display()))
}

fn render_context(templates: &Templates, context: &Value) -> Result<String, RenderError> {
    let platform = context["platform"].as_str().expect("platform is a string");
    let model = context["licensing_model"]
        .as_str()
        .expect("licensing_model is a string");
    templates.render(platform, model, context)
}

/// The expected file a case compares against, and the text it should hold.
fn render_case(templates: &Templates, case: &Path) -> (&'static str, String) {
    match render_context(templates, &read_context(case)) {
        Ok(text) => (CONFIG_FILE, text),
        Err(err) => (ERROR_FILE, format!("{err}\n")),
    }
}

fn unified_diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .header("expected", "actual")
        .to_string()
}

fn update_golden(case: &Path, file: &str, actual: &str) {
    for stale in [CONFIG_FILE, ERROR_FILE]
        .iter()
        .filter(|name| **name != file)
    {
        let _ = fs::remove_file(case.join(stale));
    }
    fs::write(case.join(file), actual).expect("writable golden file");
}

#[test]
fn golden_renders_match() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|value| value == "1");
    let templates = Templates::builtin();
    let cases = golden_cases();
    assert!(
        cases.len() >= 30,
        "golden cases went missing: {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let (file, actual) = render_case(&templates, case);
        if update {
            update_golden(case, file, &actual);
            continue;
        }
        let name = case.file_name().unwrap().to_string_lossy();
        match fs::read_to_string(case.join(file)) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{name}/{file}:\n{}",
                unified_diff(&expected, &actual)
            )),
            Err(_) => failures.push(format!("{name}: no {file}; rendered:\n{actual}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden case(s) differ (UPDATE_GOLDEN=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every platform × transport × model Cisco's documents cover renders (not refuses).
#[test]
fn golden_cases_cover_every_supported_transport() {
    let classic = ["direct", "proxy", "satellite", "transport-gateway"];
    let policy = [
        "direct",
        "proxy",
        "satellite",
        "transport-gateway",
        "cslu",
        "off",
    ];
    let mut expected: Vec<String> = Vec::new();
    for platform in ["ios-xe", "nx-os", "apic"] {
        expected.extend(classic.iter().map(|t| format!("{platform}-classic-{t}")));
    }
    for platform in ["ios-xe", "nx-os"] {
        expected.extend(policy.iter().map(|t| format!("{platform}-policy-{t}")));
    }
    for name in expected {
        let case = golden_root().join(&name);
        let refused = name == "nx-os-policy-proxy"; // no verified NX-OS SLP proxy command
        let file = if refused { ERROR_FILE } else { CONFIG_FILE };
        assert!(case.join(file).is_file(), "missing golden {name}/{file}");
    }
}

/// What a device prints: one newline at the end, no blank line, no trailing blank, no comment,
/// children indented by the platform's step (IOS-XE 1 space, NX-OS 2 spaces).
#[test]
fn golden_configs_are_clean_running_config_text() {
    for case in golden_cases() {
        let path = case.join(CONFIG_FILE);
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let name = path.display();
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "{name}: final newline"
        );
        let step = match read_context(&case)["platform"].as_str() {
            Some("nx-os") => 2,
            _ => 1,
        };
        for (index, line) in text.lines().enumerate() {
            let at = format!("{name}:{}", index + 1);
            assert!(!line.trim().is_empty(), "{at}: blank line");
            assert_eq!(line, line.trim_end(), "{at}: trailing blank");
            assert!(!line.trim_start().starts_with('!'), "{at}: comment line");
            let indent = line.len() - line.trim_start().len();
            assert_eq!(
                indent % step,
                0,
                "{at}: indent {indent} is not a multiple of {step}"
            );
        }
    }
}

fn ios_xe_context() -> Value {
    read_context(&golden_root().join("ios-xe-classic-direct"))
}

#[test]
fn a_template_with_an_undefined_variable_fails() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("ios-xe")).unwrap();
    fs::write(
        dir.path().join("ios-xe/classic.j2"),
        "call-home\n contact-email-addr {{ contact_emial }}\n",
    )
    .unwrap();
    let templates = Templates::with_overrides(dir.path()).unwrap();
    let err = render_context(&templates, &ios_xe_context()).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, RenderError::Template { .. }), "{message}");
    assert!(message.contains("undefined"), "{message}");
    assert!(message.contains("ios-xe/classic.j2:2"), "{message}");
}

#[test]
fn an_override_file_wins_and_the_rest_stay_embedded() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("apic")).unwrap();
    fs::write(
        dir.path().join("apic/classic.j2"),
        "license smart transport-mode smart-licensing\n{% include \"apic/_extra.j2\" %}",
    )
    .unwrap();
    fs::write(dir.path().join("apic/_extra.j2"), "# {{ host }}\n").unwrap();
    let overridden = Templates::with_overrides(dir.path()).unwrap();
    let builtin = Templates::builtin();

    let apic = json!({"host": "apic-9", "platform": "apic", "licensing_model": "classic"});
    assert_eq!(
        render_context(&overridden, &apic).unwrap(),
        "license smart transport-mode smart-licensing\n# apic-9\n"
    );
    let ios_xe = ios_xe_context();
    assert_eq!(
        render_context(&overridden, &ios_xe).unwrap(),
        render_context(&builtin, &ios_xe).unwrap()
    );
}

#[test]
fn an_override_of_a_partial_changes_every_template_that_includes_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("ios-xe")).unwrap();
    fs::write(dir.path().join("ios-xe/_globals.j2"), "").unwrap();
    let templates = Templates::with_overrides(dir.path()).unwrap();
    let context =
        read_context(&golden_root().join("ios-xe-classic-satellite-vrf-dns-ntp-trustpoints"));
    let text = render_context(&templates, &context).unwrap();
    assert!(text.contains("call-home\n"), "{text}");
    assert!(!text.contains("ip name-server"), "{text}");
}

#[test]
fn a_missing_override_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let err = Templates::with_overrides(&missing).expect_err("an error");
    assert!(matches!(err, RenderError::Override { .. }), "{err}");
    assert!(err.to_string().contains("no-such-dir"), "{err}");
}

#[test]
fn a_syntax_error_in_an_override_is_reported_when_loading() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("nx-os")).unwrap();
    fs::write(dir.path().join("nx-os/classic.j2"), "callhome\n{% if %}\n").unwrap();
    let err = Templates::with_overrides(dir.path()).expect_err("an error");
    let message = err.to_string();
    assert!(message.contains("nx-os/classic.j2:2"), "{message}");
}

#[test]
fn a_value_with_a_control_character_never_reaches_the_output() {
    let mut context = ios_xe_context();
    context["contact_email"] = json!("noc@example.net\rno service call-home");
    let err = render_context(&Templates::builtin(), &context).unwrap_err();
    assert!(
        matches!(err, RenderError::ControlCharacter { line: 3, .. }),
        "{err}"
    );
}

#[test]
fn a_platform_without_the_model_has_no_template() {
    let context = json!({"platform": "apic", "licensing_model": "policy"});
    let err = render_context(&Templates::builtin(), &context).unwrap_err();
    assert!(matches!(err, RenderError::NoTemplate { .. }), "{err}");
    assert!(err.to_string().contains("apic/policy.j2"), "{err}");
}

/// Scale: one process renders thousands of hosts. The bound is loose so a loaded
/// debug build passes; a release build takes a few milliseconds.
#[test]
fn ten_thousand_hosts_render_quickly() {
    let templates = Templates::builtin();
    let mut context =
        read_context(&golden_root().join("ios-xe-classic-satellite-vrf-dns-ntp-trustpoints"));
    let started = Instant::now();
    let mut bytes = 0;
    for index in 0..10_000 {
        context["host"] = json!(format!("sw{index}"));
        bytes += render_context(&templates, &context).unwrap().len();
    }
    let elapsed = started.elapsed();
    assert!(bytes > 10_000 * 100, "{bytes}");
    assert!(
        elapsed < Duration::from_secs(5),
        "10,000 renders took {elapsed:?}"
    );
}
