//! The safety net of a risky change, on the lab over real SSH: IOS-XE's Rollback
//! Confirmed Change (`configure terminal revert timer N`, `configure confirm`, the config
//! archive it needs) and NX-OS checkpoints, typed with OpenSSH's `ssh`; then smartlic's
//! apply inside them, kept when the post-change check passes and taken back when it fails
//! (docs/platform-notes.md "Safety net").
//!
//! The lab clock runs fast (`time_scale`) so a revert timer of a minute or two expires in
//! seconds; every wait is bounded.

use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use smartlic::intent::ResolveOptions;
use smartlic::lab::run::LabOptions;
use smartlic::lab::spec::Faults;
use smartlic::lab::tree::Line;
use smartlic::live::{self, HostRun, LiveOptions, Mode, Outcome, Progress};
use smartlic::render::Templates;
use smartlic::targets::{self, Selection, Targets};

use crate::lab_harness::{LabSsh, host, inventory};

/// Lab seconds per real second: a one-minute timer runs out in three seconds.
const SCALE: f64 = 20.0;

fn fast_lab(inventory: &str) -> LabSsh {
    LabSsh::start_with(
        inventory,
        &LabOptions {
            time_scale: SCALE,
            ..LabOptions::default()
        },
    )
}

/// Whether any line of `device`'s running config (at any depth) contains `text`, read
/// from the device state itself: no command runs, so nothing but the lab's own timer can
/// have reverted it.
fn running_has(lab: &LabSsh, device: &str, text: &str) -> bool {
    fn walk(lines: &[Line], text: &str) -> bool {
        lines
            .iter()
            .any(|l| l.text.contains(text) || walk(&l.children, text))
    }
    let served = lab.devices.iter().find(|d| d.host.name == device).unwrap();
    let state = served.state.lock().unwrap();
    walk(&state.running.lines, text)
}

fn checkpoints(lab: &LabSsh, device: &str) -> Vec<String> {
    let served = lab.devices.iter().find(|d| d.host.name == device).unwrap();
    let state = served.state.lock().unwrap();
    state.checkpoints.iter().map(|c| c.name.clone()).collect()
}

/// Polls `probe` every 100 ms until it holds; false after `limit`.
fn eventually(limit: Duration, mut probe: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if probe() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn archive(lab: &LabSsh, device: &str) {
    let screen = lab.session(
        device,
        &[
            "enable",
            "configure terminal",
            "archive",
            "path flash:archive",
            "end",
            "exit",
        ],
    );
    assert!(screen.contains("(config-archive)#"), "{screen}");
}

// ------------------------------------------------------------------ the lab, over ssh

#[test]
fn ios_xe_refuses_a_revert_timer_without_the_archive() {
    let lab = fast_lab(&inventory(&host(
        "sw1",
        "ios-xe",
        "16.12.5",
        "127.0.77.1",
        "",
    )));
    let screen = lab.session(
        "sw1",
        &["enable", "configure terminal revert timer 1", "exit"],
    );
    assert!(
        screen.contains("%Turn config archive on before using Rollback Confirmed Change"),
        "{screen}"
    );
    assert!(!screen.contains("(config)#"), "{screen}");
    let screen = lab.session("sw1", &["enable", "configure confirm", "exit"]);
    assert!(
        screen.contains("%No Rollback Confirmed Change pending"),
        "{screen}"
    );
}

#[test]
fn ios_xe_reverts_an_unconfirmed_change_when_the_timer_runs_out() {
    let lab = fast_lab(&inventory(&host(
        "sw1",
        "ios-xe",
        "16.12.5",
        "127.0.77.2",
        "",
    )));
    archive(&lab, "sw1");
    let started = Instant::now();
    let screen = lab.session(
        "sw1",
        &[
            "enable",
            "configure terminal revert timer 1",
            "ip host unconfirmed.example.com 192.0.2.7",
            "end",
            "exit",
        ],
    );
    assert!(
        screen.contains(
            "Rollback Confirmed Change: Backing up current running config to flash:archive-"
        ),
        "{screen}"
    );
    assert!(screen.contains("sw1(config)#"), "{screen}");
    // The change is in force while the timer runs (unless the machine was too slow).
    let in_force = running_has(&lab, "sw1", "unconfirmed.example.com");
    assert!(
        in_force || started.elapsed() > Duration::from_secs(2),
        "the change never took"
    );
    // A minute of lab time is 3 s: the lab's timer restores the archived config by
    // itself, with no command typed.
    assert!(
        eventually(Duration::from_secs(20), || !running_has(
            &lab,
            "sw1",
            "unconfirmed.example.com"
        )),
        "the unconfirmed change was never reverted"
    );
    assert!(started.elapsed() >= Duration::from_millis(2500));
    let log = lab.exec("sw1", "show logging");
    assert!(
        log.contains("%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_BACKUP: Backing up current running config to flash:archive-"),
        "{log}"
    );
    assert!(
        log.contains(
            "%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_ROLLBACK_START: Start rolling to: flash:archive-"
        ),
        "{log}"
    );
    assert!(
        !lab.exec("sw1", "show running-config")
            .contains("unconfirmed.example.com")
    );
}

#[test]
fn ios_xe_keeps_a_confirmed_change() {
    let lab = fast_lab(&inventory(&host(
        "sw1",
        "ios-xe",
        "17.9.4a",
        "127.0.77.3",
        "",
    )));
    archive(&lab, "sw1");
    let screen = lab.session(
        "sw1",
        &[
            "enable",
            "configure terminal revert timer 1",
            "ip host confirmed.example.com 192.0.2.8",
            "end",
            "configure confirm",
            "exit",
        ],
    );
    assert!(!screen.contains("% "), "{screen}");
    // Well past the minute (3 s): still there.
    std::thread::sleep(Duration::from_secs(5));
    assert!(running_has(&lab, "sw1", "confirmed.example.com"));
    assert!(
        lab.exec("sw1", "show running-config")
            .contains("ip host confirmed.example.com")
    );
    let screen = lab.session("sw1", &["enable", "configure confirm", "exit"]);
    assert!(
        screen.contains("%No Rollback Confirmed Change pending"),
        "{screen}"
    );
}

#[test]
fn nx_os_rollback_restores_what_the_checkpoint_had() {
    let lab = fast_lab(&inventory(&host(
        "nx1",
        "nx-os",
        "9.3(8)",
        "127.0.77.4",
        "",
    )));
    let screen = lab.session(
        "nx1",
        &[
            "checkpoint before-change",
            "configure terminal",
            "ip host changed.example.com 192.0.2.9",
            "end",
            "exit",
        ],
    );
    assert!(screen.contains(".Done"), "{screen}");
    assert!(running_has(&lab, "nx1", "changed.example.com"));
    assert_eq!(checkpoints(&lab, "nx1"), ["before-change"]);

    let screen = lab.session(
        "nx1",
        &["rollback running-config checkpoint before-change", "exit"],
    );
    assert!(
        screen.contains("Rollback completed successfully."),
        "{screen}"
    );
    assert!(!running_has(&lab, "nx1", "changed.example.com"));
    assert!(
        !lab.exec("nx1", "show running-config")
            .contains("changed.example.com")
    );

    // A name is taken once; `no checkpoint` frees it; `clear checkpoint database` empties.
    let again = lab.exec("nx1", "checkpoint before-change");
    assert!(again.contains("ERROR"), "{again}");
    lab.exec("nx1", "no checkpoint before-change");
    assert!(checkpoints(&lab, "nx1").is_empty());
    let gone = lab.exec("nx1", "rollback running-config checkpoint before-change");
    assert!(gone.contains("ERROR"), "{gone}");
    lab.exec("nx1", "checkpoint a");
    lab.exec("nx1", "checkpoint b");
    assert_eq!(checkpoints(&lab, "nx1").len(), 2);
    lab.exec("nx1", "clear checkpoint database");
    assert!(checkpoints(&lab, "nx1").is_empty());
}

// ------------------------------------------------------------------ smartlic apply

const PLAYBOOK: &str = "- name: safety net\n  hosts: all\n  steps: [configure, verify]\n";

/// A Catalyst and a Nexus whose intents move call-home into a VRF with a source
/// interface: risky lines, so `auto` arms the safety net. The revert timer is 2 minutes
/// of lab time (6 s).
fn estate() -> String {
    let lines = [
        "all:",
        "  vars:",
        "    ansible_user: admin",
        &format!("    ansible_password: {}", crate::lab_harness::PASSWORD),
        "  hosts:",
        "    cat1:",
        "      platform: ios-xe",
        "      os_version: \"16.12.5\"",
        "      ansible_host: 127.0.78.1",
        "      lab: {reaches: [Mgmt-vrf], interfaces: {GigabitEthernet0/0: Mgmt-vrf}}",
        "      smart_licensing: {vrf: Mgmt-vrf, source_interface: GigabitEthernet0/0, revert_timer: 2}",
        "    nx1:",
        "      platform: nx-os",
        "      os_version: \"9.3(8)\"",
        "      ansible_host: 127.0.78.2",
        "      lab: {reaches: [management], interfaces: {mgmt0: management}}",
        "      smart_licensing: {vrf: management, source_interface: mgmt0}",
    ];
    lines.join("\n") + "\n"
}

struct Estate {
    lab: LabSsh,
    targets: Targets,
    _dir: tempfile::TempDir,
}

fn start_estate() -> Estate {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("hosts.yml");
    let playbook = dir.path().join("playbook.yml");
    std::fs::write(&inventory, estate()).unwrap();
    std::fs::write(&playbook, PLAYBOOK).unwrap();
    let lab = fast_lab(&estate());
    archive(&lab, "cat1");
    let targets = load(&lab, &inventory, &playbook);
    Estate {
        lab,
        targets,
        _dir: dir,
    }
}

fn load(lab: &LabSsh, inventory: &Path, playbook: &Path) -> Targets {
    let selection = Selection {
        inventory: inventory.to_path_buf(),
        playbook: playbook.to_path_buf(),
        limit: None,
        extra_vars: vec![],
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

fn options(lab: &LabSsh) -> LiveOptions {
    LiveOptions {
        mode: Mode::Apply,
        forks: 50,
        known_hosts: Some(lab.known_hosts_file()),
        host_deadline: Duration::from_secs(60),
        lab_tokens: None,
        saved: None,
        session_log: None,
        preflight: false,
        fix: false,
        templates: None,
        renewal: smartlic::platform::Renewal::Auth,
    }
}

/// The host that reached the hooked step, and how to tell it to go on.
type Paused = (String, mpsc::Sender<()>);

/// Records steps; at `hook`'s step it hands control to the test (which injects a fault)
/// and waits for that host's go-ahead.
struct Steps {
    seen: Mutex<Vec<(String, String)>>,
    hook: Option<(&'static str, Mutex<mpsc::Sender<Paused>>)>,
}

impl Progress for Steps {
    fn step(&self, host: &str, what: &str) {
        self.seen.lock().unwrap().push((host.into(), what.into()));
        if let Some((on, told)) = &self.hook
            && what == *on
        {
            let (go_on, wait) = mpsc::channel();
            told.lock()
                .unwrap()
                .send((host.to_string(), go_on))
                .unwrap();
            wait.recv_timeout(Duration::from_secs(30))
                .expect("the test answers");
        }
    }

    fn done(&self, _run: &HostRun) {}
}

impl Steps {
    fn of(&self, host: &str) -> Vec<String> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|(h, _)| h == host)
            .map(|(_, s)| s.clone())
            .collect()
    }
}

fn outcome<'a>(runs: &'a [HostRun], host: &str) -> &'a Outcome {
    &runs.iter().find(|r| r.host == host).unwrap().outcome
}

#[test]
fn apply_confirms_a_risky_change_that_passes_its_check() {
    let Estate { lab, targets, _dir } = start_estate();
    let steps = Arc::new(Steps {
        seen: Mutex::new(Vec::new()),
        hook: None,
    });
    let runs = lab.runtime().block_on(live::run_hosts(
        &targets.targets,
        &options(&lab),
        steps.clone(),
    ));
    for host in ["cat1", "nx1"] {
        assert_eq!(outcome(&runs, host), &Outcome::Changed, "{host}: {runs:#?}");
    }
    // The plans show the nets.
    let plan = |host: &str| {
        runs.iter()
            .find(|r| r.host == host)
            .and_then(|r| r.plan.clone())
            .and_then(|p| p.safety_net)
            .unwrap()
    };
    assert_eq!(plan("cat1").kind, "revert-timer");
    assert_eq!(
        plan("cat1").enter.as_deref(),
        Some("configure terminal revert timer 2")
    );
    assert_eq!(plan("nx1").kind, "checkpoint");

    let cat = steps.of("cat1");
    let at = |s: &str| {
        cat.iter()
            .position(|x| x == s)
            .unwrap_or_else(|| panic!("{s}: {cat:?}"))
    };
    assert!(at("configure terminal revert timer 2") < at("post-change check"));
    assert!(at("post-change check") < at("configure confirm"));
    assert!(
        at("configure confirm") < at("write memory"),
        "saved only once kept: {cat:?}"
    );

    let nx = steps.of("nx1");
    let checkpoint = nx
        .iter()
        .find(|s| s.starts_with("checkpoint smartlic-"))
        .unwrap();
    let name = checkpoint.strip_prefix("checkpoint ").unwrap();
    assert!(nx.contains(&format!("no checkpoint {name}")), "{nx:?}");
    assert!(!nx.iter().any(|s| s.starts_with("rollback ")), "{nx:?}");
    assert!(
        checkpoints(&lab, "nx1").is_empty(),
        "the checkpoint is removed"
    );

    // Past the revert timer (2 lab minutes = 6 s): the confirmed change stays.
    std::thread::sleep(Duration::from_secs(8));
    assert!(running_has(&lab, "cat1", "vrf Mgmt-vrf"));
    assert!(
        lab.exec("cat1", "show running-config")
            .contains(" vrf Mgmt-vrf")
    );
    assert!(running_has(&lab, "nx1", "use-vrf management"));
}

#[test]
fn a_failed_post_change_check_fails_the_host_and_the_device_reverts() {
    let Estate { lab, targets, _dir } = start_estate();
    let (told_tx, told) = mpsc::channel::<Paused>();
    let steps = Arc::new(Steps {
        seen: Mutex::new(Vec::new()),
        hook: Some((live::safety::CHECK_STEP, Mutex::new(told_tx))),
    });
    let run_targets = targets.targets.clone();
    let run_options = options(&lab);
    let progress = steps.clone();
    let handle = lab
        .runtime()
        .spawn(async move { live::run_hosts(&run_targets, &run_options, progress).await });
    // Each host reaches its check with the change in place; from now on the device
    // refuses new logins (the change "cut it off"), so the check's new SSH login fails.
    for _ in 0..2 {
        let (host, go_on) = told
            .recv_timeout(Duration::from_secs(60))
            .expect("a host reaches its post-change check");
        let changed = match host.as_str() {
            "cat1" => running_has(&lab, "cat1", "vrf Mgmt-vrf"),
            _ => running_has(&lab, "nx1", "use-vrf management"),
        };
        assert!(changed, "{host}: the change is in place before the check");
        lab.set_device_faults(
            &host,
            Faults {
                auth_failure: true,
                ..Faults::default()
            },
        )
        .unwrap();
        go_on.send(()).unwrap();
    }
    let runs = lab.runtime().block_on(handle).unwrap();
    for host in ["cat1", "nx1"] {
        match outcome(&runs, host) {
            Outcome::Failed(reason) => assert!(
                reason.contains("post-change check failed") && reason.contains("SSH login"),
                "{host}: {reason}"
            ),
            other => panic!("{host}: {other:?}"),
        }
    }
    let cat1 = outcome(&runs, "cat1");
    assert!(
        format!("{cat1:?}").contains("revert timer runs out"),
        "{cat1:?}"
    );
    // NX-OS: rolled back at once, checkpoint removed.
    let nx = steps.of("nx1");
    assert!(
        nx.iter()
            .any(|s| s.starts_with("rollback running-config checkpoint smartlic-")),
        "{nx:?}"
    );
    assert!(!running_has(&lab, "nx1", "use-vrf management"));
    assert!(checkpoints(&lab, "nx1").is_empty());
    // IOS-XE: never confirmed, nothing saved; the device's own timer reverts it.
    let cat = steps.of("cat1");
    assert!(
        !cat.iter()
            .any(|s| s == "configure confirm" || s == "write memory"),
        "{cat:?}"
    );
    assert!(
        eventually(Duration::from_secs(30), || !running_has(
            &lab,
            "cat1",
            "vrf Mgmt-vrf"
        )),
        "the unconfirmed change was never reverted"
    );
    for host in ["cat1", "nx1"] {
        lab.set_device_faults(host, Faults::default()).unwrap();
    }
    assert!(
        !lab.exec("cat1", "show running-config")
            .contains("vrf Mgmt-vrf")
    );
}
