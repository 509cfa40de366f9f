//! A lab driven as an engineer drives real devices: OpenSSH's `ssh` (not smartlic's own
//! client) into lab devices, interactive sessions and `exec` requests, and polling
//! `show license status` until Cisco's strings appear. Shared by the end-to-end tests.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use smartlic::lab::run::{self, Lab, LabOptions};
use smartlic::lab::spec::load_lab_spec;

pub const PASSWORD: &str = "lab-pass";

/// How long a single `ssh` run may take before the test fails.
const SSH_DEADLINE: Duration = Duration::from_secs(30);

/// A running lab with a folder holding its known_hosts and an askpass script.
pub struct LabSsh {
    lab: Option<Lab>,
    dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
}

/// An inventory of `hosts` (YAML lines indented by four spaces) with the lab's login.
pub fn inventory(hosts: &str) -> String {
    format!(
        "all:\n  vars:\n    ansible_user: admin\n    ansible_password: {PASSWORD}\n  hosts:\n{hosts}"
    )
}

/// One host entry for `inventory`: `name` on `platform`/`version` at `address`, with the
/// extra `lab:` block lines in `lab` (each already indented by eight spaces), if any.
pub fn host(name: &str, platform: &str, version: &str, address: &str, lab: &str) -> String {
    let lab = if lab.is_empty() {
        "      lab: {}\n".to_string()
    } else {
        format!("      lab:\n{lab}")
    };
    format!(
        "    {name}:\n      platform: {platform}\n      os_version: \"{version}\"\n      ansible_host: {address}\n{lab}"
    )
}

impl LabSsh {
    /// Starts a lab of the hosts in `inventory` (YAML) at real time, with the back-end its
    /// `lab_backend` declares (or the default one).
    pub fn start(inventory: &str) -> LabSsh {
        Self::start_with(inventory, &LabOptions::default())
    }

    pub fn start_with(inventory: &str, options: &LabOptions) -> LabSsh {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lab.yml");
        std::fs::write(&path, inventory).unwrap();
        Self::serve(&path, dir, options)
    }

    /// Starts a lab of the inventory file at `path` (its group_vars and host_vars too).
    pub fn start_file(path: &Path) -> LabSsh {
        Self::serve(path, tempfile::tempdir().unwrap(), &LabOptions::default())
    }

    fn serve(path: &Path, dir: tempfile::TempDir, options: &LabOptions) -> LabSsh {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let spec = load_lab_spec(path, None).unwrap();
        let lab = runtime
            .block_on(run::start_with(spec.hosts, spec.backend, options))
            .unwrap();
        lab.write_known_hosts(&dir.path().join("known_hosts"))
            .unwrap();
        let askpass = dir.path().join("askpass");
        std::fs::write(&askpass, format!("#!/bin/sh\necho {PASSWORD}\n")).unwrap();
        set_executable(&askpass);
        LabSsh {
            lab: Some(lab),
            dir,
            runtime,
        }
    }

    /// The lab's tokio runtime, for async clients.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }

    /// The OpenSSH known_hosts file holding every device's key.
    pub fn known_hosts_file(&self) -> std::path::PathBuf {
        self.dir.path().join("known_hosts")
    }

    /// Where `device` listens.
    pub fn address(&self, device: &str) -> std::net::SocketAddr {
        self.devices
            .iter()
            .find(|d| d.host.name == device)
            .unwrap_or_else(|| panic!("no lab device {device}"))
            .address
    }

    /// `ssh` with strict host key checking against the lab's known_hosts, the password
    /// from askpass (never on the command line).
    pub fn ssh(&self, device: &str) -> Command {
        let d = self
            .devices
            .iter()
            .find(|d| d.host.name == device)
            .unwrap_or_else(|| panic!("no lab device {device}"));
        let dir = self.dir.path();
        let mut command = Command::new("ssh");
        command
            .args(["-o", "BatchMode=no", "-o", "StrictHostKeyChecking=yes"])
            .args(["-o", "ConnectTimeout=10"])
            .arg("-o")
            .arg(format!(
                "UserKnownHostsFile={}",
                dir.join("known_hosts").display()
            ))
            .args([
                "-o",
                "PreferredAuthentications=password,keyboard-interactive",
            ])
            .args(["-o", "NumberOfPasswordPrompts=1"])
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

    /// An interactive session (`ssh -tt`) typing `lines`, as a person would; the screen.
    pub fn session<S: AsRef<str>>(&self, device: &str, lines: &[S]) -> String {
        let mut child = self
            .ssh(device)
            .arg("-tt")
            .spawn()
            .expect("OpenSSH's ssh is installed");
        let script: String = lines.iter().map(|l| format!("{}\n", l.as_ref())).collect();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        wait(child)
    }

    /// One command over an SSH `exec` request; its output.
    pub fn exec(&self, device: &str, command: &str) -> String {
        wait(self.ssh(device).arg(command).spawn().unwrap())
    }

    /// One `exec` request that must end within `limit`: its output and ssh's exit status,
    /// or `None` if ssh was still waiting then (it is killed: a hung device).
    pub fn exec_within(
        &self,
        device: &str,
        command: &str,
        limit: Duration,
    ) -> Option<(String, Option<i32>)> {
        let mut child = self.ssh(device).arg(command).spawn().unwrap();
        let deadline = Instant::now() + limit;
        while child.try_wait().unwrap().is_none() {
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Some((text, out.status.code()))
    }

    /// Polls `command` until its output contains `wanted`; fails after `timeout`.
    pub fn until(&self, device: &str, command: &str, wanted: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let output = self.exec(device, command);
            if output.contains(wanted) {
                return output;
            }
            assert!(
                Instant::now() < deadline,
                "`{wanted}` never appeared in `{command}` on {device}:\n{output}"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Polls `show license status` until it contains `wanted` (20 s at most).
    pub fn until_status(&self, device: &str, wanted: &str) -> String {
        self.until(
            device,
            "show license status",
            wanted,
            Duration::from_secs(20),
        )
    }
}

/// The harness is the lab plus a way in: `lab.backend`, `lab.devices` read through.
impl std::ops::Deref for LabSsh {
    type Target = Lab;

    fn deref(&self) -> &Lab {
        self.lab.as_ref().expect("the lab runs until dropped")
    }
}

impl Drop for LabSsh {
    fn drop(&mut self) {
        // Stop the devices and the back-end before the runtime goes.
        if let Some(lab) = self.lab.take() {
            self.runtime.block_on(lab.shutdown());
        }
    }
}

fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn wait(mut child: std::process::Child) -> String {
    let deadline = Instant::now() + SSH_DEADLINE;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("ssh did not finish within {SSH_DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Progress nobody watches.
pub struct Quiet;

impl smartlic::live::Progress for Quiet {
    fn step(&self, _host: &str, _what: &str) {}
    fn done(&self, _run: &smartlic::live::HostRun) {}
}

/// Live options against `lab`: its known_hosts, a 90 s host deadline, nothing else.
pub fn lab_options(lab: &LabSsh, mode: smartlic::live::Mode) -> smartlic::live::LiveOptions {
    smartlic::live::LiveOptions {
        mode,
        forks: 10,
        known_hosts: Some(lab.known_hosts_file()),
        host_deadline: Duration::from_secs(90),
        lab_tokens: None,
        saved: None,
        session_log: None,
        preflight: false,
        fix: false,
        templates: None,
        renewal: smartlic::platform::Renewal::Auth,
    }
}

/// Runs the lab inventory `hosts` with `intent` (YAML lines under `all: vars:`) as one
/// play over every host, live against the lab, with `options`.
pub fn live_run(
    lab: &LabSsh,
    hosts: &str,
    intent: &str,
    options: &smartlic::live::LiveOptions,
) -> Vec<smartlic::live::HostRun> {
    let dir = tempfile::tempdir().unwrap();
    let text = inventory(hosts).replacen("  vars:\n", &format!("  vars:\n{intent}"), 1);
    std::fs::write(dir.path().join("hosts.yml"), text).unwrap();
    std::fs::write(dir.path().join("play.yml"), "- name: all\n  hosts: all\n").unwrap();
    let selection = smartlic::targets::Selection {
        inventory: dir.path().join("hosts.yml"),
        playbook: dir.path().join("play.yml"),
        limit: None,
        extra_vars: Vec::new(),
        options: smartlic::intent::ResolveOptions::default(),
        live: true,
        shard: None,
    };
    let templates = smartlic::render::Templates::builtin();
    let mut loaded = smartlic::targets::load(&selection, &templates).expect("valid");
    for t in &mut loaded.targets {
        let address = lab.address(&t.host.name);
        t.host.connection.address = address.ip().to_string();
        t.host.connection.port = address.port();
    }
    lab.runtime().block_on(smartlic::live::run_hosts(
        &loaded.targets,
        options,
        std::sync::Arc::new(Quiet),
    ))
}

/// The [NX-TS] NX-OS callhome block, typed in config mode, for `url` (with
/// `transport http use-vrf VRF` when given).
pub fn nx_callhome(url: &str, use_vrf: Option<&str>) -> Vec<String> {
    let mut lines = vec![
        "callhome".to_string(),
        "email-contact sch-smart-licensing@cisco.com".into(),
        "destination-profile CiscoTAC-1 transport-method http".into(),
        format!("destination-profile CiscoTAC-1 http {url}"),
    ];
    if let Some(vrf) = use_vrf {
        lines.push(format!("transport http use-vrf {vrf}"));
    }
    lines.extend(["enable".into(), "exit".into()]);
    lines
}

/// The host converged on an apply: changed by it, registered and authorized after it.
pub fn converged(run: &smartlic::live::HostRun) {
    assert_eq!(run.outcome, smartlic::live::Outcome::Changed, "{run:#?}");
    let after = run
        .licensing_after
        .as_ref()
        .expect("verified after the apply");
    assert_eq!(after.state_words(), "REGISTERED / AUTHORIZED", "{run:#?}");
}
