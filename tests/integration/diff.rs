//! Integration tests: diff.
//!
//! Golden cases live in `tests/golden/diff/<case>/`: `platform` (ios-xe | nx-os | apic),
//! `desired.cfg`, `running.cfg`, optional `exclusive` (one prefix per line), and the
//! expected `expected.commands` (one command per line, indented by depth) and
//! `expected.diff` (unified before/after). `UPDATE_GOLDEN=1 cargo test --test integration
//! diff` rewrites the expected files; read them before committing.
//!
//! Every case also checks idempotency: the desired config diffed against its own
//! rendering, and against the after view, yields no command.

use std::fs;
use std::path::{Path, PathBuf};

use smartlic::config::{ConfigDiff, Dialect, Tree, diff};
use smartlic::platform::{apic, ios_xe, nx_os};

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/diff")
}

fn dialect_named(name: &str) -> &'static Dialect {
    match name {
        "ios-xe" => &ios_xe::DIALECT,
        "nx-os" => &nx_os::DIALECT,
        "apic" => &apic::DIALECT,
        other => panic!("unknown platform {other:?}"),
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Case {
    name: String,
    dir: PathBuf,
    dialect: &'static Dialect,
    desired: Tree,
    running: Tree,
    exclusive: Vec<String>,
}

impl Case {
    fn load(dir: PathBuf) -> Case {
        let dialect = dialect_named(read(&dir.join("platform")).trim());
        let exclusive_path = dir.join("exclusive");
        let exclusive = if exclusive_path.exists() {
            read(&exclusive_path)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        } else {
            Vec::new()
        };
        Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            desired: Tree::parse(&read(&dir.join("desired.cfg")), dialect),
            running: Tree::parse(&read(&dir.join("running.cfg")), dialect),
            dialect,
            exclusive,
            dir,
        }
    }

    fn diff_against(&self, running: &Tree) -> ConfigDiff {
        let exclusive: Vec<&str> = self.exclusive.iter().map(String::as_str).collect();
        diff(self.dialect, &self.desired, running, &exclusive)
    }

    fn unified(&self, plan: &ConfigDiff) -> String {
        plan.unified(
            &format!("{}/running", self.name),
            &format!("{}/after", self.name),
        )
    }
}

fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(golden_root())
        .expect("tests/golden/diff exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter().map(Case::load).collect()
}

/// Compares `actual` with the file, or rewrites it under UPDATE_GOLDEN=1; returns a
/// mismatch message.
fn check_golden(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(path, actual).unwrap();
        return None;
    }
    let expected = fs::read_to_string(path).unwrap_or_default();
    (expected != actual).then(|| {
        format!(
            "{} differs\n--- expected\n{expected}--- actual\n{actual}",
            path.display()
        )
    })
}

#[test]
fn golden_diff_cases() {
    let cases = cases();
    assert!(cases.len() >= 11, "golden cases missing: {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let plan = case.diff_against(&case.running);
        let commands = plan.render_commands(case.dialect.indent);
        failures.extend(check_golden(&case.dir.join("expected.commands"), &commands));
        failures.extend(check_golden(
            &case.dir.join("expected.diff"),
            &case.unified(&plan),
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_desired_is_converged_against_its_own_rendering() {
    for case in cases() {
        let rendered = Tree::parse(&case.desired.render(case.dialect.indent), case.dialect);
        let plan = case.diff_against(&rendered);
        assert!(plan.is_empty(), "{}: {:?}", case.name, plan.commands);
    }
}

#[test]
fn golden_after_view_is_converged() {
    for case in cases() {
        let plan = case.diff_against(&case.running);
        let after = Tree::parse(&plan.after, case.dialect);
        let again = case.diff_against(&after);
        assert!(
            again.is_empty(),
            "{}: after view still differs: {:?}",
            case.name,
            again.commands
        );
        assert_eq!(
            again.before, plan.after,
            "{}: after view is stable",
            case.name
        );
    }
}

#[test]
fn golden_converged_cases_send_nothing_and_show_no_diff() {
    for case in cases().iter().filter(|c| c.name.contains("converged")) {
        let plan = case.diff_against(&case.running);
        assert!(plan.is_empty(), "{}: {:?}", case.name, plan.commands);
        assert_eq!(case.unified(&plan), "", "{}", case.name);
    }
}

/// Random IOS-XE configs from realistic choices per setting: whatever running is, the
/// after view of a plan is converged, and the desired config is converged against
/// itself. This is smartlic's idempotency promise (README "What a plan owns").
mod idempotency {
    use super::*;
    use proptest::prelude::*;

    /// One optional line per setting, so a generated config never contradicts itself.
    fn choose(options: &'static [&'static str]) -> impl Strategy<Value = Option<&'static str>> {
        proptest::option::of(proptest::sample::select(options))
    }

    fn ios_xe_config() -> impl Strategy<Value = String> {
        let call_home = (
            choose(&[
                "contact-email-addr sch-smart-licensing@cisco.com",
                "contact-email-addr noc@example.net",
            ]),
            choose(&["vrf Mgmt-vrf"]),
            choose(&[
                "no http secure server-identity-check",
                "http secure server-identity-check",
            ]),
            choose(&["active"]),
            choose(&[
                "destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService",
                "destination address http https://10.0.0.5/Transportgateway/services/DeviceRequestHandler",
                "no destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService",
            ]),
        );
        let globals = (
            choose(&["ip domain lookup", "no ip domain-lookup"]),
            choose(&[
                "ip name-server 192.0.2.1",
                "ip name-server 192.0.2.1 192.0.2.2",
                "ip name-server 192.0.2.2",
            ]),
            choose(&[
                "ip http client source-interface Gi0/0",
                "ip http client source-interface Vlan1",
            ]),
            choose(&[
                "license smart transport smart",
                "license smart transport cslu",
            ]),
        );
        (call_home, globals).prop_map(
            |((contact, vrf, identity, active, dest), (lookup, dns, http, transport))| {
                let mut text = String::from("call-home\n");
                for line in [contact, vrf, identity].into_iter().flatten() {
                    text.push_str(&format!(" {line}\n"));
                }
                text.push_str(" profile \"CiscoTAC-1\"\n");
                for line in [active, dest].into_iter().flatten() {
                    text.push_str(&format!("  {line}\n"));
                }
                for line in [lookup, dns, http, transport].into_iter().flatten() {
                    text.push_str(&format!("{line}\n"));
                }
                text
            },
        )
    }

    proptest! {
        #[test]
        fn after_view_is_converged(desired in ios_xe_config(), running in ios_xe_config(), exclusive in any::<bool>()) {
            let dialect = &ios_xe::DIALECT;
            let exclusive: &[&str] = if exclusive { &["ip name-server"] } else { &[] };
            let desired = Tree::parse(&desired, dialect);
            let plan = diff(dialect, &desired, &Tree::parse(&running, dialect), exclusive);
            let again = diff(dialect, &desired, &Tree::parse(&plan.after, dialect), exclusive);
            prop_assert!(again.is_empty(), "after:\n{}\nstill sends {:?}", plan.after, again.commands);
            let itself = diff(dialect, &desired, &Tree::parse(&desired.render(1), dialect), exclusive);
            prop_assert!(itself.is_empty());
        }
    }
}
