//! Live runs against the lab over real SSH: `apply` converges the example estate
//! (inventory/lab), a second `apply` sends nothing and spends no token, `verify` passes
//! after it, and each injected fault ends its own host only, within its deadline.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smartlic::intent::{ResolveOptions, Secret};
use smartlic::lab::backend::Realm;
use smartlic::lab::backend::protocol::Udi;
use smartlic::live::device::Device;
use smartlic::live::{self, HostRun, LabTokens, LiveOptions, Mode, Outcome, Progress};
use smartlic::platform::Platform;
use smartlic::render::Templates;
use smartlic::ssh;
use smartlic::targets::{self, Selection, Targets};

use crate::lab_harness::{LabSsh, host, inventory};
use crate::support::root;

/// Records every step of every host, to prove what a run did and did not do.
#[derive(Default)]
struct Steps(Mutex<Vec<(String, String)>>);

impl Progress for Steps {
    fn step(&self, host: &str, what: &str) {
        self.0.lock().unwrap().push((host.into(), what.into()));
    }

    fn done(&self, _run: &HostRun) {}
}

impl Steps {
    fn of(&self, host: &str) -> Vec<String> {
        let steps = self.0.lock().unwrap();
        steps
            .iter()
            .filter(|(h, _)| h == host)
            .map(|(_, s)| s.clone())
            .collect()
    }
}

/// The targets of `inventory` × `playbook`, pointed at the lab's devices.
fn load(lab: &LabSsh, inventory: &std::path::Path, playbook: &std::path::Path) -> Targets {
    load_with(lab, inventory, playbook, None, &[])
}

fn load_with(
    lab: &LabSsh,
    inventory: &std::path::Path,
    playbook: &std::path::Path,
    limit: Option<&str>,
    extra_vars: &[&str],
) -> Targets {
    let selection = Selection {
        inventory: inventory.to_path_buf(),
        playbook: playbook.to_path_buf(),
        limit: limit.map(str::to_string),
        extra_vars: extra_vars.iter().map(|v| v.to_string()).collect(),
        options: ResolveOptions::default(),
        live: true,
        shard: None,
    };
    let mut loaded = targets::load(&selection, &Templates::builtin()).expect("valid");
    for t in &mut loaded.targets {
        let address = lab.address(&t.host.name);
        t.host.connection.address = address.ip().to_string();
        t.host.connection.port = address.port();
    }
    loaded
}

fn options(lab: &LabSsh, mode: Mode) -> LiveOptions {
    with_known_hosts(lab, mode, lab.known_hosts_file())
}

fn with_known_hosts(lab: &LabSsh, mode: Mode, known_hosts: std::path::PathBuf) -> LiveOptions {
    LiveOptions {
        mode,
        forks: 50,
        known_hosts: Some(known_hosts),
        host_deadline: Duration::from_secs(60),
        lab_tokens: Some(LabTokens {
            cssm: Secret::new(
                lab.backend
                    .create_token("Example Account", "Default", 30, None),
            ),
            satellite: Secret::new(lab.backend.create_satellite_token(
                "Example Account",
                "Default",
                30,
                None,
            )),
        }),
        saved: None,
        session_log: None,
        preflight: false,
        fix: false,
        templates: None,
        renewal: smartlic::platform::Renewal::Auth,
    }
}

fn run(lab: &LabSsh, targets: &Targets, options: &LiveOptions) -> (Vec<HostRun>, Arc<Steps>) {
    let steps = Arc::new(Steps::default());
    let runs = lab
        .runtime()
        .block_on(live::run_hosts(&targets.targets, options, steps.clone()));
    (runs, steps)
}

fn outcome<'a>(runs: &'a [HostRun], host: &str) -> &'a Outcome {
    &runs.iter().find(|r| r.host == host).unwrap().outcome
}

/// Token uses on the back-end, CSSM and satellite together.
fn token_uses(lab: &LabSsh) -> u32 {
    lab.backend.snapshot().tokens.iter().map(|t| t.uses).sum()
}

#[test]
fn apply_converges_the_lab_estate_and_a_second_apply_changes_nothing() {
    let inventory = root().join("inventory/lab/hosts.yml");
    let playbook = root().join("playbooks/smart-licensing.yml");
    let lab = LabSsh::start_file(&inventory);
    let targets = load(&lab, &inventory, &playbook);
    let apply = options(&lab, Mode::Apply);

    let (first, steps) = run(&lab, &targets, &apply);
    let healthy: Vec<&str> = first
        .iter()
        .map(|r| r.host.as_str())
        .filter(|h| *h != "campus-access-2")
        .collect();
    assert_eq!(healthy.len(), 7);
    for host in &healthy {
        assert_eq!(
            outcome(&first, host),
            &Outcome::Changed,
            "{host}: {first:#?}"
        );
        assert!(steps.of(host).contains(&"register".to_string()), "{host}");
    }
    // The misconfigured device fails with the reason the device gives (docs/troubleshooting.md CAT-5).
    let Outcome::Failed(reason) = outcome(&first, "campus-access-2") else {
        panic!("campus-access-2 must fail: {first:#?}");
    };
    assert!(
        reason.contains("Fail to send out Call Home HTTP message."),
        "{reason}"
    );
    // Classic hosts registered, Using Policy hosts established trust and reported.
    let snapshot = lab.backend.snapshot();
    let registered = |name: &str| {
        let d = lab.devices.iter().find(|d| d.host.name == name).unwrap();
        let udi = Udi {
            pid: d.host.pid.clone(),
            serial: d.host.serial.clone(),
        };
        [Realm::Cssm, Realm::Satellite]
            .iter()
            .map(|realm| snapshot.counters(*realm, &udi))
            .fold(0, |n, c| n + c.registrations + c.trusts)
    };
    for host in &healthy {
        assert_eq!(registered(host), 1, "{host} registered once");
    }
    let uses = token_uses(&lab);
    assert_eq!(uses, 7);

    // Again: nothing to type, no token spent, only the broken host still fails.
    let (second, steps) = run(&lab, &targets, &apply);
    for host in &healthy {
        assert_eq!(outcome(&second, host), &Outcome::Ok, "{host}: {second:#?}");
        let done = steps.of(host);
        assert!(!done.contains(&"configure".to_string()), "{host}: {done:?}");
        assert!(!done.contains(&"register".to_string()), "{host}: {done:?}");
    }
    assert_eq!(token_uses(&lab), uses, "a second apply spends no token");

    // verify is read-only and passes on every converged host.
    let (verified, steps) = run(&lab, &targets, &options(&lab, Mode::Verify));
    for host in &healthy {
        assert_eq!(
            outcome(&verified, host),
            &Outcome::Ok,
            "{host}: {verified:#?}"
        );
        assert_eq!(
            steps.of(host),
            ["connect", "read facts", "verify"],
            "{host}"
        );
    }
    assert!(matches!(
        outcome(&verified, "campus-access-2"),
        Outcome::Failed(_)
    ));
}

/// The preflight runs before each registration: every healthy lab host (direct, proxy,
/// satellite, both models, all platforms) passes it and registers; the host whose name
/// server is unreachable fails it and never types the register command.
#[test]
fn preflight_passes_where_registration_works_and_stops_it_where_it_cannot() {
    let inventory = root().join("inventory/lab/hosts.yml");
    let playbook = root().join("playbooks/smart-licensing.yml");
    let lab = LabSsh::start_file(&inventory);
    let targets = load(&lab, &inventory, &playbook);
    let apply = LiveOptions {
        preflight: true,
        ..options(&lab, Mode::Apply)
    };
    let (runs, steps) = run(&lab, &targets, &apply);
    for run in runs.iter().filter(|r| r.host != "campus-access-2") {
        assert_eq!(run.outcome, Outcome::Changed, "{}: {:#?}", run.host, run);
        let checks = run.preflight.as_ref().expect("the preflight ran");
        assert!(checks.iter().all(|c| c.ok), "{}: {checks:#?}", run.host);
        let done = steps.of(&run.host);
        let at = |step: &str| done.iter().position(|s| s == step);
        let (preflight, register) = (at("preflight"), at("register"));
        assert!(
            preflight.is_some() && preflight < register,
            "{}: {done:?}",
            run.host
        );
    }
    let broken = runs.iter().find(|r| r.host == "campus-access-2").unwrap();
    let Outcome::Failed(reason) = &broken.outcome else {
        panic!("{broken:#?}");
    };
    assert!(
        reason.starts_with("preflight failed, so the token was not used: destination (CAT-5): `telnet tools.cisco.com 443 /source-interface GigabitEthernet0/0 /vrf Mgmt-vrf`"),
        "{reason}"
    );
    assert!(
        !steps
            .of("campus-access-2")
            .contains(&"register".to_string())
    );
    assert!(
        !broken.sent.iter().any(|c| c.contains("idtoken")),
        "{:?}",
        broken.sent
    );
}

/// A plan, then an apply of it: the saved lines are applied where the device still
/// matches the plan; a device changed in between is refused, and left as it is.
#[test]
fn a_saved_plan_is_applied_exactly_and_refused_where_the_device_drifted() {
    let inventory = root().join("inventory/lab/hosts.yml");
    let playbook = root().join("playbooks/smart-licensing.yml");
    let lab = LabSsh::start_file(&inventory);
    let mut targets = load(&lab, &inventory, &playbook);
    targets
        .targets
        .retain(|t| ["campus-core-1", "dc-leaf-1"].contains(&t.host.name.as_str()));
    let (planned, _) = run(&lab, &targets, &options(&lab, Mode::Plan));
    let document =
        smartlic::report::emit(&smartlic::report::live_json(&planned, Mode::Plan), false);
    let saved: live::SavedPlan = serde_json::from_str(&document).unwrap();
    // Someone edits campus-core-1's call-home block after the plan was made.
    lab.session(
        "campus-core-1",
        &[
            "enable",
            "lab-enable",
            "configure terminal",
            "call-home",
            "contact-email-addr noc@example.com",
            "end",
            "exit",
        ],
    );
    let mut apply = options(&lab, Mode::Apply);
    apply.saved = Some(Arc::new(saved));
    let (applied, _) = run(&lab, &targets, &apply);
    let Outcome::Failed(reason) = outcome(&applied, "campus-core-1") else {
        panic!("a drifted host must be refused: {applied:#?}");
    };
    assert!(
        reason.contains("changed since the plan was made"),
        "{reason}"
    );
    let running = lab.exec("campus-core-1", "show running-config | section call-home");
    assert!(running.contains("noc@example.com"), "{running}");
    assert!(
        !running.contains("vrf Mgmt-vrf"),
        "nothing was pushed: {running}"
    );
    assert_eq!(
        outcome(&applied, "dc-leaf-1"),
        &Outcome::Changed,
        "{applied:#?}"
    );
    let planned_lines = &planned[1].plan.as_ref().unwrap().commands;
    let run_config = lab.exec("dc-leaf-1", "show running-config callhome");
    for line in planned_lines
        .iter()
        .filter(|l| l.starts_with("transport http use-vrf"))
    {
        assert!(run_config.contains(line.trim()), "{line} in {run_config}");
    }
}

/// Applies the example playbook to `host` of inventory/lab/hosts.yml, which boots with a
/// real-sized config (inventory/lab/configs), and checks that every line that changed in
/// `show running-config` is one smartlic typed (added), negated or gave a new value
/// (removed). Its config before and after.
fn apply_and_check_only_typed_lines_changed(host: &str) -> (String, String) {
    let inventory = root().join("inventory/lab/hosts.yml");
    let playbook = root().join("playbooks/smart-licensing.yml");
    let lab = LabSsh::start_file(&inventory);
    let show = || lab.exec(host, "show running-config");
    let before = show();
    assert!(before.lines().count() > 300, "{before}");
    let targets = load_with(&lab, &inventory, &playbook, Some(host), &[]);
    let (runs, _) = run(&lab, &targets, &options(&lab, Mode::Apply));
    assert_eq!(outcome(&runs, host), &Outcome::Changed, "{runs:#?}");
    let after = show();
    let sent: Vec<String> = runs[0].sent.iter().map(|l| l.trim().to_string()).collect();
    let mut changed = Vec::new();
    for change in similar::TextDiff::from_lines(&before, &after).iter_all_changes() {
        let line = change.value().trim();
        // The header (size, last change, time) moves with every change.
        let header = [
            "Current configuration",
            "! Last configuration change",
            "!Time:",
            "!Running configuration last done",
        ];
        // Blank lines and `!` only separate blocks.
        if line.is_empty() || line == "!" || header.iter().any(|h| line.starts_with(h)) {
            continue;
        }
        match change.tag() {
            similar::ChangeTag::Equal => {}
            similar::ChangeTag::Insert => {
                // As typed, or as the device prints what was typed (NX-OS adds `index 1`
                // to a destination-profile URL): the typed words, in order, in the line.
                let printed_as = |s: &String| {
                    let mut words = line.split_whitespace();
                    s.split_whitespace().next() == line.split_whitespace().next()
                        && s.split_whitespace().all(|w| words.any(|l| l == w))
                };
                assert!(
                    sent.iter().any(printed_as),
                    "{host}: added but never typed: {line}\n{sent:#?}"
                );
                changed.push(format!("+{line}"));
            }
            similar::ChangeTag::Delete => {
                // Negated, or a single-value setting given a new value (`revocation-check
                // crl` replaced by `revocation-check none`).
                let setting = |l: &str| l.rsplit_once(' ').map(|(s, _)| s.to_string());
                let removed_by = |s: &String| {
                    s == &format!("no {line}")
                        || setting(s).is_some_and(|w| Some(w) == setting(line))
                };
                assert!(
                    sent.iter().any(removed_by),
                    "{host}: removed but never typed over: {line}\n{sent:#?}"
                );
                changed.push(format!("-{line}"));
            }
        }
    }
    assert!(!changed.is_empty(), "{host}: the apply changed the config");
    (before, after)
}

/// campus-core-1 (IOS-XE) boots with about 500 lines (VLANs, 57 interfaces, AAA, a
/// self-signed certificate chain, a banner, lines, SNMP): an apply that configures and
/// registers it changes only lines it typed; the banner's text, the certificate's hex and
/// the untouched blocks are still there, in order.
#[test]
fn an_apply_touches_nothing_else_in_a_real_sized_ios_xe_config() {
    let (before, after) = apply_and_check_only_typed_lines_changed("campus-core-1");
    // The device prints its own `version` and `end` lines, once.
    for line in ["version 16.12", "end"] {
        assert_eq!(
            before.lines().filter(|l| *l == line).count(),
            1,
            "{line}: {before}"
        );
    }
    for kept in [
        "banner motd ^C\n! Authorised access only.\n  Activity on this device is monitored and logged.\n",
        "line vty 5 15\n access-class VTY-ACCESS in vrf-also\n exec-timeout 15 0\n transport input ssh\n",
        "interface GigabitEthernet1/0/48\n shutdown\n",
        "snmp-server community Lab-Read-Only RO\n",
    ] {
        assert!(after.contains(kept), "{kept} lost:\n{after}");
    }
    let chain = |text: &str| -> String {
        let start = text
            .find("crypto pki certificate chain TP-self-signed")
            .unwrap();
        let end = start + text[start..].find("quit").unwrap();
        text[start..end].to_string()
    };
    assert_eq!(chain(&before), chain(&after));
}

/// dc-leaf-1 (NX-OS 9.3(8)) boots with about 380 lines (features, users, VDC limits, VLANs
/// and SVIs, 54 Ethernet ports, the management VRF, lines): the same holds.
#[test]
fn an_apply_touches_nothing_else_in_a_real_sized_nx_os_config() {
    let (before, after) = apply_and_check_only_typed_lines_changed("dc-leaf-1");
    assert_eq!(before.matches("\nversion 9.3(8)").count(), 1, "{before}");
    for kept in [
        "vdc dc-leaf-1 id 1\n  limit-resource vlan minimum 16 maximum 4094\n",
        "interface Ethernet1/54\n  description spine-uplink-6\n  no switchport\n  mtu 9216\n",
        "interface mgmt0\n  vrf member management\n  ip address 192.0.2.31/24\n",
        "vrf context management\n  ip route 0.0.0.0/0 192.0.2.1\n",
    ] {
        assert!(after.contains(kept), "{kept} lost:\n{after}");
    }
}

/// A device registered to another virtual account than `expect` names is not silently
/// re-registered: without `force` the host fails and says so, and no token is spent.
#[test]
fn a_device_registered_elsewhere_needs_force() {
    let inventory = root().join("inventory/lab/hosts.yml");
    let playbook = root().join("playbooks/smart-licensing.yml");
    let lab = LabSsh::start_file(&inventory);
    let limit = Some("campus-core-1");
    let targets = load_with(&lab, &inventory, &playbook, limit, &[]);
    let (first, _) = run(&lab, &targets, &options(&lab, Mode::Apply));
    assert_eq!(
        outcome(&first, "campus-core-1"),
        &Outcome::Changed,
        "{first:#?}"
    );
    let uses = token_uses(&lab);
    let elsewhere = ["smart_licensing.expect.virtual_account=Lab-VA"];
    let targets = load_with(&lab, &inventory, &playbook, limit, &elsewhere);
    let (second, _) = run(&lab, &targets, &options(&lab, Mode::Apply));
    let Outcome::Failed(reason) = outcome(&second, "campus-core-1") else {
        panic!("registered elsewhere must fail without force: {second:#?}");
    };
    assert!(
        reason.contains("registered to Example Account / Default, not the expected any / Lab-VA"),
        "{reason}"
    );
    assert!(reason.contains("force"), "{reason}");
    assert_eq!(token_uses(&lab), uses);
    // verify says the same, read-only.
    let (verified, _) = run(&lab, &targets, &options(&lab, Mode::Verify));
    assert!(matches!(
        outcome(&verified, "campus-core-1"),
        Outcome::Failed(_)
    ));
}

/// Without `os_version`, `licensing_model: auto` is decided per device from its
/// `show version`: both readings were validated up front, the device picks one.
#[test]
fn auto_without_os_version_takes_the_model_from_the_device() {
    let inventory = root().join("inventory/lab/hosts.yml");
    let playbook = root().join("playbooks/smart-licensing.yml");
    let lab = LabSsh::start_file(&inventory);
    let targets = load_with(
        &lab,
        &inventory,
        &playbook,
        Some("campus:datacenter"),
        &["{os_version: null}"],
    );
    assert!(targets.targets.iter().all(|t| t.model_choice.is_some()));
    let (runs, _) = run(&lab, &targets, &options(&lab, Mode::Plan));
    let model = |host: &str| {
        let run = runs.iter().find(|r| r.host == host).unwrap();
        let plan = run.plan.as_ref().unwrap_or_else(|| panic!("{run:#?}"));
        plan.licensing_model.name()
    };
    assert_eq!(model("campus-core-1"), "classic"); // 16.12.5
    assert_eq!(model("campus-access-1"), "policy"); // 17.9.4a
    assert_eq!(model("dc-leaf-1"), "classic"); // 9.3(8)
    assert_eq!(model("dc-leaf-2"), "policy"); // 10.2(5)
    let policy_plan = runs[1].plan.as_ref().unwrap();
    assert!(
        policy_plan
            .commands
            .contains(&"license smart transport smart".to_string()),
        "{policy_plan:#?}"
    );
}

#[test]
fn plan_reads_devices_and_never_changes_them() {
    let inventory = root().join("inventory/lab/hosts.yml");
    let playbook = root().join("playbooks/smart-licensing.yml");
    let lab = LabSsh::start_file(&inventory);
    let targets = load(&lab, &inventory, &playbook);
    let (runs, steps) = run(&lab, &targets, &options(&lab, Mode::Plan));
    for run in &runs {
        assert_eq!(
            run.outcome,
            Outcome::Changed,
            "{}: {:?}",
            run.host,
            run.outcome
        );
        let plan = run.plan.as_ref().unwrap();
        assert!(!plan.commands.is_empty(), "{}", run.host);
        assert_eq!(steps.of(&run.host), ["connect", "read facts"]);
        assert!(run.licensing_before.is_some(), "{}", run.host);
    }
    // Nothing reached a device's config or the back-end.
    let fresh = lab.exec("campus-core-1", "show running-config | include name-server");
    assert!(!fresh.contains("198.51.100.53"), "{fresh}");
    assert_eq!(token_uses(&lab), 0);
}

/// One healthy device and one per fault, in one run: each faulty host ends as the fault
/// says, within its deadline, and the healthy one converges regardless.
#[test]
fn each_fault_ends_its_own_host_only_and_on_time() {
    let faults = [
        ("healthy", ""),
        ("slow", "latency_ms: 300"),
        ("hangs", "hang_on: [show license status]"),
        ("refuses", "invalid: [ip name-server]"),
        ("locked", "auth_failure: true"),
        ("rekeyed", "changed_host_key: true"),
        ("legacy", "legacy_ssh: true"),
        ("drops", "drop_after: 3"),
    ];
    let hosts: String = faults
        .iter()
        .enumerate()
        .map(|(i, (name, fault))| {
            let lab = if fault.is_empty() {
                String::new()
            } else {
                format!("        faults: {{{fault}}}\n")
            };
            host(
                name,
                "ios-xe",
                "16.12.5",
                &format!("127.0.11.{}", i + 1),
                &lab,
            )
        })
        .collect();
    // The hosts with an intent, and a short command timeout so a hang ends quickly.
    let intent = "    ansible_command_timeout: 3\n    platform: ios-xe\n    smart_licensing:\n      transport: direct\n      token: {env: SMARTLIC_TOKEN}\n      dns: {servers: [198.51.100.53]}\n      expect: {timeout: 30s}\n";
    let text = inventory(&hosts).replacen("  vars:\n", &format!("  vars:\n{intent}"), 1);
    let lab = LabSsh::start(&text);
    let dir = tempfile::tempdir().unwrap();
    let inventory_file = dir.path().join("hosts.yml");
    std::fs::write(&inventory_file, &text).unwrap();
    let playbook = dir.path().join("play.yml");
    std::fs::write(&playbook, "- name: all\n  hosts: all\n").unwrap();
    let targets = load(&lab, &inventory_file, &playbook);
    // known_hosts as it was before `rekeyed` got its new key (its seed's own key).
    let before = smartlic::lab::ssh::host_public_key(
        &smartlic::lab::run::host_key_seed("rekeyed"),
        &smartlic::lab::ssh::SshFaults::default(),
    )
    .unwrap();
    let old_line = smartlic::lab::ssh::known_hosts_line(lab.address("rekeyed"), &before).unwrap();
    let known_hosts = dir.path().join("known_hosts");
    let lines: String = lab
        .devices
        .iter()
        .map(|d| match d.host.name.as_str() {
            "rekeyed" => format!("{old_line}\n"),
            _ => format!("{}\n", d.known_hosts_line),
        })
        .collect();
    std::fs::write(&known_hosts, lines).unwrap();
    let started = Instant::now();
    let (runs, _) = run(
        &lab,
        &targets,
        &with_known_hosts(&lab, Mode::Apply, known_hosts),
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(outcome(&runs, "healthy"), &Outcome::Changed, "{runs:#?}");
    assert_eq!(outcome(&runs, "slow"), &Outcome::Changed, "{runs:#?}");
    let reason = |host: &str| match outcome(&runs, host) {
        Outcome::Failed(r) => format!("failed: {r}"),
        Outcome::Unreachable(r) => format!("unreachable: {r}"),
        other => format!("{other:?}"),
    };
    assert!(
        reason("hangs").starts_with("failed:") && reason("hangs").contains("timed out"),
        "{}",
        reason("hangs")
    );
    assert!(
        reason("refuses").contains("refused `ip name-server 198.51.100.53`"),
        "{}",
        reason("refuses")
    );
    assert!(
        reason("locked").starts_with("unreachable: authentication"),
        "{}",
        reason("locked")
    );
    assert!(
        reason("rekeyed").contains("HOST KEY CHANGED"),
        "{}",
        reason("rekeyed")
    );
    assert!(
        reason("legacy").starts_with("unreachable:"),
        "{}",
        reason("legacy")
    );
    assert!(
        reason("drops").starts_with("failed:"),
        "{}",
        reason("drops")
    );
}

/// How a login reaches privileged exec on IOS-XE, over real SSH: a privilege-15 login
/// needs no `enable`; `enable` with the right secret works; a wrong secret, a secret the
/// inventory does not give, and a device without any enable secret (`% No password set`)
/// each fail that host alone, with a message saying which it was and no secret in it.
#[test]
fn enable_reaches_privileged_exec_or_says_why_not() {
    const SECRET: &str = "Lab-Enable-5c1e";
    let guarded = format!("        enable_secret: {SECRET}\n");
    let become_pass = |pass: &str, entry: String| {
        entry.replacen(
            "      lab:",
            &format!("      ansible_become_password: {pass}\n      lab:"),
            1,
        )
    };
    let hosts = [
        host("level-15", "ios-xe", "16.12.5", "127.0.13.1", ""),
        become_pass(
            SECRET,
            host("right", "ios-xe", "16.12.5", "127.0.13.2", &guarded),
        ),
        become_pass(
            "Wrong-Guess-2",
            host("wrong", "ios-xe", "17.9.4a", "127.0.13.3", &guarded),
        ),
        host("not-given", "ios-xe", "16.12.5", "127.0.13.4", &guarded),
        host(
            "no-secret",
            "ios-xe",
            "16.12.5",
            "127.0.13.5",
            "        privilege: 1\n",
        ),
    ]
    .concat();
    let lab = LabSsh::start(&inventory(&hosts));
    let intent = "    platform: ios-xe\n    smart_licensing:\n      transport: direct\n      token: {env: UNUSED_WITH_LAB_TOKENS}\n";
    let runs = crate::lab_harness::live_run(&lab, &hosts, intent, &options(&lab, Mode::Plan));
    assert_eq!(outcome(&runs, "level-15"), &Outcome::Changed, "{runs:#?}");
    assert_eq!(outcome(&runs, "right"), &Outcome::Changed, "{runs:#?}");
    let failure = |host: &str| match outcome(&runs, host) {
        Outcome::Failed(reason) => reason.clone(),
        other => panic!("{host}: {other:?}"),
    };
    let wrong = failure("wrong");
    assert!(
        wrong.contains("enable secret (ansible_become_password) was refused"),
        "{wrong}"
    );
    let not_given = failure("not-given");
    assert!(
        not_given.contains("asks for an enable secret and the inventory gives none"),
        "{not_given}"
    );
    let none_set = failure("no-secret");
    assert!(
        none_set.contains("answered `% No password set`") && none_set.contains("privilege-15 user"),
        "{none_set}"
    );
    for reason in [&wrong, &not_given, &none_set] {
        assert!(
            !reason.contains(SECRET) && !reason.contains("Wrong-Guess-2"),
            "{reason}"
        );
    }
}

/// The README's main command, as a newcomer pastes it (the binary, `--lab`).
#[test]
fn the_readme_main_command_applies_the_example_playbook_to_the_lab() {
    let args = [
        "apply",
        "-i",
        "inventory/lab/hosts.yml",
        "playbooks/smart-licensing.yml",
        "--lab",
        "--auto-approve",
    ];
    // The command the README gives is this one, and its test command is what CI runs.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let command = format!("cargo run --release -- {}\n", args.join(" "));
    assert!(readme.contains(&command), "README: {command}");
    assert!(readme.contains("\nscripts/test\n"), "README's test command");
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(ci.trim_end().ends_with("\nscripts/test"), "{ci}");
    let out = crate::support::smartlic(&root(), &args);
    let stdout = crate::support::text(&out.stdout);
    let stderr = crate::support::text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("APPLY RECAP"), "{stdout}");
    assert!(
        stdout.contains("8 hosts: 0 ok, 7 changed, 1 failed, 0 unreachable."),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "campus-access-2  changed, failed in preflight: preflight failed, so the token was not used: destination (CAT-5): `telnet tools.cisco.com 443 /source-interface GigabitEthernet0/0 /vrf Mgmt-vrf`: the name does not resolve through the device's DNS: % Bad IP address or host name"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("+ip name-server 198.51.100.53"), "{stdout}");
    // Neither the lab password, the enable secret its IOS-XE devices ask for, nor a token
    // reaches the output.
    for text in [&stdout, &stderr] {
        assert!(!text.contains("lab-pass"));
        assert!(!text.contains("lab-enable"));
        for line in text.lines().filter(|l| l.contains("idtoken ")) {
            assert!(line.contains("idtoken <redacted>"), "{line}");
        }
    }
}

/// A recognisable token and password go through a full apply of the real binary, against
/// lab devices it reaches over SSH like real ones: neither appears in anything printed,
/// in any format.
#[test]
fn the_token_and_password_never_appear_in_an_apply() {
    const CANARY_PASSWORD: &str = "Canary-Pass-7f3a9";
    const CANARY_ENABLE: &str = "Canary-Enable-3b8d";
    let guarded = format!("        enable_secret: {CANARY_ENABLE}\n");
    let hosts = [
        host("canary-c", "ios-xe", "16.12.5", "127.0.12.1", &guarded),
        host("canary-p", "ios-xe", "17.9.4", "127.0.12.2", &guarded),
    ]
    .concat();
    let text = inventory(&hosts).replace(crate::lab_harness::PASSWORD, CANARY_PASSWORD);
    let lab = LabSsh::start(&text);
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let dir = tempfile::tempdir().unwrap();
    // The same hosts, where the lab really listens, with the password from the
    // environment and an intent.
    let mut live_text = text.replace(
        &format!("ansible_password: {CANARY_PASSWORD}"),
        "ansible_password: {env: CANARY_PASSWORD}\n    ansible_become_password: {env: CANARY_ENABLE}\n    platform: ios-xe\n    smart_licensing:\n      transport: direct\n      token: {env: SMARTLIC_TOKEN}\n      dns: {servers: [198.51.100.53]}\n      expect: {timeout: 30s}",
    );
    for d in &lab.devices {
        live_text = live_text.replace(
            &format!("ansible_host: {}\n", d.address.ip()),
            &format!(
                "ansible_host: {}\n      ansible_port: {}\n",
                d.address.ip(),
                d.address.port()
            ),
        );
    }
    std::fs::write(dir.path().join("hosts.yml"), live_text).unwrap();
    std::fs::write(dir.path().join("play.yml"), "- name: all\n  hosts: all\n").unwrap();
    let known_hosts = lab.known_hosts_file();
    let store = dir.path().join("state.db");
    let env = [
        ("SMARTLIC_TOKEN", token.as_str()),
        ("CANARY_PASSWORD", CANARY_PASSWORD),
        ("CANARY_ENABLE", CANARY_ENABLE),
        ("SMARTLIC_STORE", store.to_str().unwrap()),
    ];
    let mut outputs = Vec::new();
    // The first apply, which registers, also logs at -vvv and writes session logs.
    let verbose = ["-vvv", "--session-log", "logs"];
    let mut first_stderr = String::new();
    for format in ["human", "json", "yaml"] {
        let mut args = vec![
            "apply",
            "--auto-approve",
            "-i",
            "hosts.yml",
            "play.yml",
            "--known-hosts",
            known_hosts.to_str().unwrap(),
            "--format",
            format,
        ];
        if format == "human" {
            args.extend(verbose);
        }
        let out = crate::support::smartlic_env(dir.path(), &args, &env);
        if format == "human" {
            first_stderr = crate::support::text(&out.stderr);
        }
        let all = format!(
            "{}{}",
            crate::support::text(&out.stdout),
            crate::support::text(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(0), "{format}: {all}");
        outputs.push(all);
    }
    // The first apply registered both (so the token really went through), the next ones
    // found them registered.
    assert!(
        outputs[0].contains("2 hosts: 0 ok, 2 changed"),
        "{}",
        outputs[0]
    );
    assert!(outputs[1].contains("\"result\": \"ok\""), "{}", outputs[1]);
    assert_eq!(
        lab.backend.snapshot().tokens[0].uses,
        2,
        "both devices registered with the canary token"
    );
    // And in what it writes: a saved plan, a JUnit report, a Markdown comment.
    let written = ["plan.json", "junit.xml"].map(|f| dir.path().join(f));
    let out = crate::support::smartlic_env(
        dir.path(),
        &[
            "plan",
            "-i",
            "hosts.yml",
            "play.yml",
            "--known-hosts",
            known_hosts.to_str().unwrap(),
            "--out",
            written[0].to_str().unwrap(),
            "--junit",
            written[1].to_str().unwrap(),
            "--format",
            "markdown",
        ],
        &env,
    );
    outputs.push(crate::support::text(&out.stdout));
    for file in &written {
        outputs.push(std::fs::read_to_string(file).expect("written"));
    }
    let plan_file = std::fs::read_to_string(&written[0]).unwrap();
    assert!(plan_file.contains("\"inputs\""), "a plan with its inputs");
    // Applying the saved plan prints nothing secret either.
    let saved = crate::support::smartlic_env(
        dir.path(),
        &[
            "apply",
            written[0].to_str().unwrap(),
            "--known-hosts",
            known_hosts.to_str().unwrap(),
        ],
        &env,
    );
    assert_eq!(
        saved.status.code(),
        Some(0),
        "{}",
        crate::support::text(&saved.stderr)
    );
    outputs.push(crate::support::text(&saved.stdout) + &crate::support::text(&saved.stderr));
    // The logs name the commands sent, with the token masked where it was typed.
    for logged in [
        "show license status",
        "license smart register idtoken <redacted>",
        "license smart trust idtoken <redacted> local",
    ] {
        assert!(first_stderr.contains(logged), "{logged}:\n{first_stderr}");
    }
    outputs.extend(session_logs_of_the_canary_apply(&dir.path().join("logs")));
    // And in the run store, which recorded the commands typed (the token masked), with its
    // write-ahead log folded in.
    let db = rusqlite::Connection::open(&store).unwrap();
    let commands: String = db
        .query_row(
            "SELECT group_concat(commands, ' ') FROM host_results",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(commands.contains("idtoken <redacted>"), "{commands}");
    db.pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .unwrap();
    drop(db);
    outputs.push(String::from_utf8_lossy(&std::fs::read(&store).unwrap()).into_owned());
    for output in &outputs {
        assert!(!output.contains(&token), "the token leaked:\n{output}");
        for secret in [CANARY_PASSWORD, CANARY_ENABLE] {
            assert!(!output.contains(secret), "{secret} leaked:\n{output}");
        }
    }
}

/// The two canary hosts' transcripts: the device's own output and prompts, and where the
/// token and the enable secret were typed, `<redacted>`.
fn session_logs_of_the_canary_apply(dir: &std::path::Path) -> Vec<String> {
    let logs = ["canary-c", "canary-p"].map(|host| {
        let log = std::fs::read_to_string(dir.join(format!("{host}.log"))).expect("a transcript");
        assert!(
            log.starts_with(&format!("=== smartlic session: {host} (")),
            "{log}"
        );
        assert!(
            log.contains(&format!("{host}>enable\nPassword: <redacted>\n{host}#")),
            "{log}"
        );
        assert!(
            log.contains(&format!("{host}#show license status\n")),
            "{log}"
        );
        log
    });
    assert!(
        logs[0].contains("Smart Licensing is ENABLED"),
        "{}",
        logs[0]
    );
    assert!(
        logs[0].contains("#license smart register idtoken <redacted>\n"),
        "{}",
        logs[0]
    );
    assert!(
        logs[1].contains("#license smart trust idtoken <redacted> local\n"),
        "{}",
        logs[1]
    );
    logs.into()
}

/// A secret that reaches the transcript in pieces, over several reads from the device, is
/// still masked: smartlic types a command only after it has read the prompt, so the
/// prompt that ends one read and the echo of the next command that starts the next read
/// are in different SSH packets, and a registered secret made of them spans the reads.
#[test]
fn a_secret_spread_over_several_device_reads_is_masked_in_the_transcript() {
    let lab = LabSsh::start(&inventory(&host(
        "split1",
        "ios-xe",
        "16.12.5",
        "127.0.15.1",
        "",
    )));
    // The end of read 1, all of read 2 (an empty output and the prompt), the start of 3.
    let over_three_reads = "split1#terminal length 0\nsplit1#show version";
    // The end of read 3 and the start of read 4.
    let over_two_reads = "split1#show license";
    smartlic::redact::register(over_three_reads);
    smartlic::redact::register(over_two_reads);
    let dir = tempfile::tempdir().unwrap();
    let target = ssh_target(&lab, "split1");
    lab.runtime().block_on(async {
        let mut device = Device::open_logged(&target, Platform::IosXe, None, Some(dir.path()))
            .await
            .expect("a session on the lab device");
        for command in [
            "show clock",
            "terminal length 0",
            "show version",
            "show license status",
        ] {
            device.exec(command).await.unwrap();
        }
        device.close().await;
    });
    let log = std::fs::read_to_string(dir.path().join("split1.log")).unwrap();
    assert!(!log.contains(over_three_reads), "{log}");
    assert!(!log.contains(over_two_reads), "{log}");
    // Each secret is one marker, and the device output around them is all there.
    assert!(log.contains("split1#show clock\n"), "{log}");
    assert!(log.contains("<redacted>\nCisco IOS XE Software"), "{log}");
    assert!(
        log.contains("<redacted> status\nSmart Licensing is ENABLED"),
        "{log}"
    );
    assert!(log.ends_with("split1#\n"), "{log}");
}

fn ssh_target(lab: &LabSsh, device: &str) -> ssh::Target {
    let address = lab.address(device);
    ssh::Target {
        name: device.to_string(),
        address: address.ip().to_string(),
        port: address.port(),
        user: "admin".into(),
        credentials: ssh::Credentials {
            password: Some(Secret::new(crate::lab_harness::PASSWORD)),
            ..ssh::Credentials::default()
        },
        host_keys: ssh::HostKeyPolicy::Strict,
        known_hosts: lab.known_hosts_file(),
        legacy_algorithms: false,
        timeouts: ssh::Timeouts::default(),
    }
}

/// The transports the estate above does not use, applied end to end: a Catalyst through
/// the transport gateway, a Using Policy Catalyst and a Nexus through the HTTPS proxy.
#[test]
fn apply_through_the_transport_gateway_and_the_proxy() {
    let hosts = [
        host("tg-1", "ios-xe", "16.12.5", "127.0.13.1", ""),
        host("proxy-slp", "ios-xe", "17.9.4", "127.0.13.2", ""),
        host("proxy-nx", "nx-os", "9.3(8)", "127.0.13.3", ""),
    ]
    .concat();
    let intents = [
        (
            "tg-1",
            "ios-xe",
            "transport: transport-gateway\n        url: https://tg.example.com:8443/Transportgateway/services/DeviceRequestHandler",
        ),
        (
            "proxy-slp",
            "ios-xe",
            "transport: proxy\n        proxy: {host: proxy.example.com, port: 3128}",
        ),
        (
            "proxy-nx",
            "nx-os",
            "transport: proxy\n        proxy: {host: proxy.example.com, port: 3128}",
        ),
    ];
    let mut text = inventory(&hosts);
    for (name, platform, intent) in intents {
        text = text.replace(
            &format!("    {name}:\n      platform: {platform}\n"),
            &format!(
                "    {name}:\n      platform: {platform}\n      smart_licensing:\n        {intent}\n        token: {{env: SMARTLIC_TOKEN}}\n        dns: {{servers: [198.51.100.53]}}\n        expect: {{timeout: 30s}}\n"
            ),
        );
    }
    let lab = LabSsh::start(&text);
    let dir = tempfile::tempdir().unwrap();
    let inventory_file = dir.path().join("hosts.yml");
    std::fs::write(&inventory_file, &text).unwrap();
    let playbook = dir.path().join("play.yml");
    std::fs::write(&playbook, "- name: all\n  hosts: all\n").unwrap();
    let targets = load(&lab, &inventory_file, &playbook);
    let (runs, _) = run(&lab, &targets, &options(&lab, Mode::Apply));
    for run in &runs {
        assert_eq!(run.outcome, Outcome::Changed, "{}: {run:#?}", run.host);
    }
    let (again, _) = run(&lab, &targets, &options(&lab, Mode::Verify));
    for run in &again {
        assert_eq!(run.outcome, Outcome::Ok, "{}: {run:#?}", run.host);
    }
    // Each device now names its transport in its own running config.
    let tg = lab.exec("tg-1", "show running-config | section call-home");
    assert!(
        tg.contains("https://tg.example.com:8443/Transportgateway/services/DeviceRequestHandler"),
        "{tg}"
    );
    let slp = lab.exec(
        "proxy-slp",
        "show running-config | include license smart proxy",
    );
    assert!(
        slp.contains("license smart proxy address proxy.example.com"),
        "{slp}"
    );
    let nx = lab.exec("proxy-nx", "show running-config callhome");
    assert!(nx.contains("proxy.example.com"), "{nx}");
    // And each registered (or established trust) once.
    assert_eq!(lab.backend.snapshot().instances.len(), 3);
}

/// Using Policy's on-prem and offline transports converge as config only: the device
/// reports to SSM On-Prem (`cslu`) or nowhere (`off`), with no trust step.
#[test]
fn using_policy_cslu_and_off_transports_converge() {
    let hosts = [
        host("slp-cslu", "ios-xe", "17.9.4", "127.0.14.1", ""),
        host("slp-off", "ios-xe", "17.9.4", "127.0.14.2", ""),
    ]
    .concat();
    let intents = [
        (
            "slp-cslu",
            "transport: cslu\n        url: https://satellite.example.com/cslu/v1/pi",
        ),
        ("slp-off", "transport: \"off\""),
    ];
    let mut text = inventory(&hosts);
    for (name, intent) in intents {
        text = text.replace(
            &format!("    {name}:\n      platform: ios-xe\n"),
            &format!(
                "    {name}:\n      platform: ios-xe\n      smart_licensing:\n        {intent}\n        dns: {{servers: [198.51.100.53]}}\n        expect: {{registration: ANY}}\n"
            ),
        );
    }
    let lab = LabSsh::start(&text);
    let dir = tempfile::tempdir().unwrap();
    let inventory_file = dir.path().join("hosts.yml");
    std::fs::write(&inventory_file, &text).unwrap();
    let playbook = dir.path().join("play.yml");
    std::fs::write(
        &playbook,
        "- name: all\n  hosts: all\n  steps: [configure, verify]\n",
    )
    .unwrap();
    let targets = load(&lab, &inventory_file, &playbook);
    let (runs, _) = run(&lab, &targets, &options(&lab, Mode::Apply));
    for run in &runs {
        assert_eq!(run.outcome, Outcome::Changed, "{}: {run:#?}", run.host);
    }
    let status = lab.exec("slp-cslu", "show license status");
    assert!(status.contains("Type: cslu"), "{status}");
    let status = lab.exec("slp-off", "show license status");
    assert!(status.contains("Type: Transport Off"), "{status}");
    let (again, _) = run(&lab, &targets, &options(&lab, Mode::Apply));
    for run in &again {
        assert_eq!(run.outcome, Outcome::Ok, "{}: {run:#?}", run.host);
    }
}

/// `--format markdown` for a pull-request comment: the counts, the failure first with the
/// device's reason, then a collapsible diff per host.
#[test]
fn a_markdown_report_puts_failures_first() {
    let out = crate::support::smartlic(
        &root(),
        &[
            "apply",
            "--auto-approve",
            "-i",
            "inventory/lab/hosts.yml",
            "playbooks/smart-licensing.yml",
            "--lab",
            "--format",
            "markdown",
            // The registration itself fails, explained from the catalogue.
            "--no-preflight",
        ],
    );
    let md = crate::support::text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{md}");
    assert!(
        md.starts_with("### smartlic apply: 8 hosts — 0 ok, 7 changed, 1 failed, 0 unreachable\n"),
        "{md}"
    );
    // Without the preflight nothing showed the cause: the device's reason, no guess.
    let failure = md.find("| `campus-access-2` | **changed, failed** | in wait for licensing: registration failed: Fail to send out Call Home HTTP message. (REGISTERING / EVAL MODE) |").expect("the failure row");
    let first_host = md.find("<details>").expect("a host block");
    assert!(failure < first_host, "{md}");
    assert_eq!(md.matches("<details>").count(), 8, "{md}");
    assert!(md.contains("```diff\n"), "{md}");
}

/// `--junit PATH`: a well-formed JUnit report (read back with Python's XML parser), one
/// case per host and step, the one failure on the failing host's last step.
#[test]
fn a_junit_report_has_a_case_per_host_and_step() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("junit.xml");
    let out = crate::support::smartlic(
        &root(),
        &[
            "apply",
            "--auto-approve",
            "-i",
            "inventory/lab/hosts.yml",
            "playbooks/smart-licensing.yml",
            "--lab",
            "--junit",
            report.to_str().unwrap(),
            "--no-preflight",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let script = "import sys, xml.etree.ElementTree as E\n\
        suite = E.parse(sys.argv[1]).getroot().find('testsuite')\n\
        cases = suite.findall('testcase')\n\
        failed = [c for c in cases if c.find('failure') is not None]\n\
        hosts = sorted({c.get('classname') for c in cases})\n\
        print(suite.get('tests'), len(cases), len(failed), len(hosts))\n\
        print(failed[0].get('classname'), failed[0].get('name'))\n\
        print(failed[0].find('failure').get('message'))\n";
    let parsed = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&report)
        .output()
        .unwrap();
    let text = crate::support::text(&parsed.stdout);
    assert!(
        parsed.status.success(),
        "{}",
        crate::support::text(&parsed.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    let counts: Vec<usize> = lines[0].split(' ').map(|n| n.parse().unwrap()).collect();
    assert_eq!(counts[0], counts[1], "the suite counts its cases");
    assert!(counts[1] > 8 * 3, "steps per host: {text}");
    assert_eq!((counts[2], counts[3]), (1, 8), "{text}");
    assert_eq!(
        lines[1],
        "smartlic.apply.campus-access-2 wait for licensing"
    );
    assert!(
        lines[2].contains("Fail to send out Call Home HTTP message."),
        "{text}"
    );
}
