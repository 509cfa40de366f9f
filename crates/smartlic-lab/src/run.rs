//! A running lab: the back-end, and every inventory device behind SSH with its CLI and
//! licensing agent, wired together. This is the only module that knows all the parts.
//!
//! It resumes a lab saved by an earlier run ([`start_from`], [`crate::saved`]) and
//! reads what to save ([`Lab::saver`]).
//!
//! It also gives the back-end's admin API the devices (`/admin/devices/{name}/faults`):
//! a device's faults change at run time in its SSH server record (new connections) and
//! in its CLI (the next command).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::backend::protocol::Udi;
use crate::backend::{self, Backend, BackendConfig, BackendSaver, DeviceAdmin};
use crate::cli::{self, CliFaults, CliOptions};
use crate::clock::LabClock;
use crate::device::{DeviceState, Identity, Licensing, SharedState};
use crate::latency::Latency;
use crate::licensing::{self, Agent, DeviceNetwork, LabTopology, TrustAnchors};
use crate::saved::{self, SavedDevice, SavedIdentity, SavedLab};
use crate::spec::{Faults, LabHost};
use crate::ssh::{self, Endpoint, FaultHandle, Served, SshFaults};

/// How to run the lab.
#[derive(Clone, Debug)]
pub struct LabOptions {
    /// Lab seconds per real second (86,400: a lab day per second).
    pub time_scale: f64,
    /// The devices' delays ([`crate::latency`]): instant unless asked.
    pub latency: Latency,
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions {
            time_scale: 1.0,
            latency: Latency::Instant,
        }
    }
}

/// One served device.
pub struct ServedDevice {
    pub host: LabHost,
    /// Where it really listens (the port is picked when the inventory says 0).
    pub address: SocketAddr,
    /// Its line for an OpenSSH known_hosts file.
    pub known_hosts_line: String,
    pub state: SharedState,
}

/// A running lab. Dropping it stops everything.
pub struct Lab {
    pub clock: LabClock,
    pub backend: Backend,
    pub devices: Vec<ServedDevice>,
    ssh: Served,
    controls: Arc<Controls>,
    saver: LabSaver,
}

/// How a lab started from a saved one ([`start_from`]) came up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resumed {
    /// Devices that resumed their saved state.
    pub resumed: Vec<String>,
    /// Devices that started from factory state: new in the inventory, or their `lab:`
    /// identity (platform, release, PID, serial) changed.
    pub factory: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("lab back-end: {0}")]
    Backend(#[from] backend::BackendError),
    #[error(transparent)]
    Ssh(#[from] ssh::SshError),
    #[error("lab device {device}: {message}")]
    HostKey { device: String, message: String },
}

/// Starts the default back-end and serves every host. Must run inside a tokio runtime.
pub async fn start(hosts: Vec<LabHost>, options: &LabOptions) -> Result<Lab, LabError> {
    start_with(hosts, BackendConfig::default(), options).await
}

/// Starts the back-end `backend` describes (an inventory's `lab_backend`, see
/// [`crate::spec::lab_spec`]) and serves every host. Must run inside a tokio runtime.
pub async fn start_with(
    hosts: Vec<LabHost>,
    backend: BackendConfig,
    options: &LabOptions,
) -> Result<Lab, LabError> {
    start_from(hosts, backend, options, None)
        .await
        .map(|(lab, _)| lab)
}

/// As [`start_with`], resuming `saved` when given ([`crate::saved`]): each device
/// whose identity is unchanged is where it was (configs, CAs, log, clock, licensing),
/// the others start from factory state, and the back-end keeps its authorities and books
/// (less the product instances of the devices that start from factory state). Lab time
/// starts where it stopped, or at real time if that is later.
pub async fn start_from(
    hosts: Vec<LabHost>,
    backend: BackendConfig,
    options: &LabOptions,
    saved: Option<SavedLab>,
) -> Result<(Lab, Resumed), LabError> {
    let (clock, mut saved_devices, mut saved_backend) = match saved {
        Some(saved) => {
            let real_now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs_f64();
            let start = saved.lab_time.max(real_now);
            (
                LabClock::starting_at(start, options.time_scale),
                saved.devices,
                Some(saved.backend),
            )
        }
        None => (LabClock::new(options.time_scale), BTreeMap::new(), None),
    };
    // Which devices resume; the back-end forgets the others' product instances.
    let mut resumed = Resumed::default();
    let mut resuming: Vec<Option<SavedDevice>> = Vec::with_capacity(hosts.len());
    for host in &hosts {
        let device = saved_devices
            .remove(&host.name)
            .filter(|d| d.identity == SavedIdentity::of(&identity(host)));
        match &device {
            Some(_) => resumed.resumed.push(host.name.clone()),
            None => {
                resumed.factory.push(host.name.clone());
                if let Some(books) = saved_backend.as_mut().map(|b| &mut b.books) {
                    books.forget(&Udi {
                        pid: host.pid.clone(),
                        serial: host.serial.clone(),
                    });
                }
            }
        }
        resuming.push(device);
    }
    if let Some(books) = saved_backend.as_mut().map(|b| &mut b.books) {
        for gone in saved_devices.values() {
            books.forget(&Udi {
                pid: gone.identity.pid.clone(),
                serial: gone.identity.serial.clone(),
            });
        }
    }
    let backend = backend::start_from(backend, clock.clone(), saved_backend.as_ref()).await?;
    let topology = Arc::new(LabTopology::for_backend(backend.services()));
    let trust = Arc::new(TrustAnchors {
        built_in: vec![backend.cisco_root_pem.clone()],
    });
    let runtime = tokio::runtime::Handle::current();
    let mut endpoints = Vec::with_capacity(hosts.len());
    let mut states = Vec::with_capacity(hosts.len());
    let mut clis = Vec::with_capacity(hosts.len());
    let mut saving = Vec::with_capacity(hosts.len());
    for (host, saved) in hosts.iter().zip(resuming) {
        let profile = options.latency.profile(host.platform);
        let mut options = cli_options(host);
        options.profile = profile;
        let (state, agent_state) = match saved {
            Some(saved) => {
                // The inventory's clock offset wins if it changed since the save.
                if saved.inventory_clock_offset == host.clock_offset_secs {
                    options.clock_offset_secs = saved.clock_offset;
                }
                (saved.state, Some(saved.licensing))
            }
            None => (DeviceState::default(), None),
        };
        let revert_pending = state.revert.is_some();
        let state: SharedState = Arc::new(Mutex::new(state));
        let identity = identity(host);
        let agent = licensing::agent_from(
            identity.clone(),
            state.clone(),
            topology.clone(),
            DeviceNetwork::from_lab_host(host),
            trust.clone(),
            clock.clone(),
            runtime.clone(),
            agent_state,
        );
        agent.set_clock_offset(options.clock_offset_secs);
        agent.set_round_trip(profile.registration_round_trip);
        let device = cli::device(
            identity.clone(),
            state.clone(),
            Arc::clone(&agent) as Arc<dyn Licensing>,
            clock.clone(),
            options,
        );
        if revert_pending {
            cli::rollback::resume(&device);
        }
        saving.push(SavingDevice {
            name: host.name.clone(),
            identity: SavedIdentity::of(&identity),
            inventory_clock_offset: host.clock_offset_secs,
            state: state.clone(),
            agent,
            cli: Arc::clone(&device),
        });
        let console = cli::console_of(Arc::clone(&device));
        clis.push(device);
        endpoints.push(Endpoint {
            name: host.name.clone(),
            listen: host.listen,
            host_key_seed: host_key_seed(&host.name),
            users: vec![(host.username.clone(), host.password.clone())],
            faults: ssh_faults(&host.faults),
            console,
            handshake: profile.handshake,
        });
        states.push(state);
    }
    let served = ssh::serve(endpoints).await?;
    let saver = LabSaver {
        clock: clock.clone(),
        backend: backend.saver(),
        devices: Arc::new(saving),
    };
    // `addresses` is in the order of `hosts`: no lookup by name (10,000 devices).
    let addresses: Vec<SocketAddr> = served.addresses().map(|(_, a)| a).collect();
    let controls = Arc::new(Controls::new(
        &hosts,
        clis,
        served.fault_handles(),
        &addresses,
    ));
    backend.attach_devices(Arc::clone(&controls) as Arc<dyn DeviceAdmin>);
    let devices = hosts
        .into_iter()
        .zip(states)
        .zip(addresses)
        .map(|((host, state), address)| served_device(address, host, state))
        .collect::<Result<Vec<_>, _>>()?;
    let lab = Lab {
        clock,
        backend,
        devices,
        ssh: served,
        controls,
        saver,
    };
    Ok((lab, resumed))
}

/// Reads a running lab's state to save ([`Lab::saver`]); cheap to clone, and usable
/// without the [`Lab`] (e.g. from a Ctrl-C handler's task).
#[derive(Clone)]
pub struct LabSaver {
    clock: LabClock,
    backend: BackendSaver,
    devices: Arc<Vec<SavingDevice>>,
}

/// The parts of one device that hold what is saved.
struct SavingDevice {
    name: String,
    identity: SavedIdentity,
    inventory_clock_offset: i64,
    state: SharedState,
    agent: Arc<Agent>,
    cli: Arc<cli::Device>,
}

impl LabSaver {
    /// The lab as it is now, for [`start_from`] (with [`saved::Folder::save`]).
    pub fn saved(&self) -> SavedLab {
        let devices = self
            .devices
            .iter()
            .map(|d| {
                // The agent first: it writes its queued log lines into the state.
                let licensing = d.agent.saved();
                let mut state = d.state.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let extra = state.log.len().saturating_sub(saved::LOG_LINES);
                state.log.drain(..extra);
                let device = SavedDevice {
                    identity: d.identity.clone(),
                    clock_offset: d.cli.clock_offset(),
                    inventory_clock_offset: d.inventory_clock_offset,
                    state,
                    licensing,
                };
                (d.name.clone(), device)
            })
            .collect();
        SavedLab {
            format: saved::FORMAT,
            inventory: String::new(),
            lab_time: self.clock.now(),
            backend: self.backend.saved(),
            devices,
        }
    }
}

/// What the lab keeps per device to change its faults at run time.
struct Control {
    cli: Arc<cli::Device>,
    ssh: FaultHandle,
    /// Where it listens, for its known_hosts line.
    address: SocketAddr,
    /// The faults in force, as the inventory and the admin API write them.
    faults: Mutex<Faults>,
}

/// Every device's [`Control`], by name; the admin API's view of the devices.
struct Controls {
    list: Vec<Control>,
    by_name: HashMap<String, usize>,
    /// The known_hosts file the lab wrote ([`Lab::write_known_hosts`]), kept up to date
    /// when a device starts offering another kind of host key.
    known_hosts: Mutex<Option<std::path::PathBuf>>,
}

impl Controls {
    fn new(
        hosts: &[LabHost],
        clis: Vec<Arc<cli::Device>>,
        ssh: Vec<FaultHandle>,
        addresses: &[SocketAddr],
    ) -> Controls {
        let list: Vec<Control> = hosts
            .iter()
            .zip(clis.into_iter().zip(ssh))
            .zip(addresses)
            .map(|((host, (cli, ssh)), &address)| Control {
                cli,
                ssh,
                address,
                faults: Mutex::new(host.faults.clone()),
            })
            .collect();
        let by_name = hosts
            .iter()
            .enumerate()
            .map(|(i, h)| (h.name.clone(), i))
            .collect();
        Controls {
            list,
            by_name,
            known_hosts: Mutex::new(None),
        }
    }

    fn get(&self, name: &str) -> Option<&Control> {
        self.by_name.get(name).map(|&i| &self.list[i])
    }

    /// A device made `legacy_ssh` while the lab runs offers its RSA key: adds that key's
    /// line to the known_hosts file the lab wrote, so a client checking host keys strictly
    /// still connects. The seed's own key, whatever `changed_host_key` says: that fault
    /// must still show as a changed key. (The RSA key is made here, once per device and
    /// process: a moment's work the device's next connection needs anyway.)
    fn learn_legacy_key(&self, name: &str, address: SocketAddr) -> Result<(), String> {
        let Some(path) = self
            .known_hosts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        else {
            return Ok(());
        };
        let legacy = SshFaults {
            legacy_only: true,
            ..SshFaults::default()
        };
        let key = ssh::host_public_key(&host_key_seed(name), &legacy)?;
        let line = ssh::known_hosts_line(address, &key)?;
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.lines().any(|l| l == line) {
            return Ok(());
        }
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| writeln!(f, "{line}"))
            .map_err(|e| format!("cannot add to {}: {e}", path.display()))
    }
}

impl DeviceAdmin for Controls {
    fn device_names(&self) -> Vec<String> {
        self.list.iter().map(|c| c.ssh.name().to_string()).collect()
    }

    fn device_faults(&self, name: &str) -> Option<Faults> {
        let control = self.get(name)?;
        Some(
            control
                .faults
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }

    fn set_device_faults(&self, name: &str, faults: Faults) -> bool {
        let Some(control) = self.get(name) else {
            return false;
        };
        let mut current = control.faults.lock().unwrap_or_else(|e| e.into_inner());
        if faults.legacy_ssh
            && !current.legacy_ssh
            && let Err(e) = self.learn_legacy_key(name, control.address)
        {
            // The fault still applies; a strict client will say the key is unknown.
            tracing::warn!("lab device {name}: known_hosts not updated: {e}");
        }
        control.ssh.set(ssh_faults(&faults));
        control.cli.set_faults(cli_faults(&faults));
        *current = faults;
        true
    }
}

impl Lab {
    /// What to save of this lab, now or later ([`LabSaver::saved`]).
    pub fn saver(&self) -> LabSaver {
        self.saver.clone()
    }

    /// Runs until the SSH server stops (it stops when the lab is shut down).
    pub async fn wait(self) {
        self.ssh.wait().await;
    }

    /// Stops every device and the back-end.
    pub async fn shutdown(self) {
        self.ssh.shutdown().await;
        self.backend.shutdown();
    }

    /// The faults in force on a device; `None`: no such device.
    pub fn device_faults(&self, name: &str) -> Option<Faults> {
        self.controls.device_faults(name)
    }

    /// Changes a device's faults while the lab runs, as `PUT /admin/devices/{name}/faults`
    /// does: SSH faults for new connections, CLI faults from the next command on.
    pub fn set_device_faults(&self, name: &str, faults: Faults) -> Result<(), String> {
        let problems = faults.problems();
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        if self.controls.set_device_faults(name, faults) {
            Ok(())
        } else {
            Err(format!("no lab device `{name}`"))
        }
    }

    /// The OpenSSH known_hosts text for every device.
    pub fn known_hosts(&self) -> String {
        self.devices
            .iter()
            .map(|d| format!("{}\n", d.known_hosts_line))
            .collect()
    }

    /// Writes [`Lab::known_hosts`] to `path` and keeps it up to date: a device made
    /// `legacy_ssh` later gets its RSA key added there.
    pub fn write_known_hosts(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::fs::write(path, self.known_hosts())?;
        *self
            .controls
            .known_hosts
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(path.to_path_buf());
        Ok(())
    }
}

fn served_device(
    address: SocketAddr,
    host: LabHost,
    state: SharedState,
) -> Result<ServedDevice, LabError> {
    let key_error = |message: String| LabError::HostKey {
        device: host.name.clone(),
        message,
    };
    let key = ssh::host_public_key(&host_key_seed(&host.name), &ssh_faults(&host.faults))
        .map_err(key_error)?;
    let known_hosts_line = ssh::known_hosts_line(address, &key).map_err(key_error)?;
    Ok(ServedDevice {
        host,
        address,
        known_hosts_line,
        state,
    })
}

fn identity(host: &LabHost) -> Identity {
    Identity {
        name: host.name.clone(),
        platform: host.platform,
        model: host.model,
        version: host.version.clone(),
        pid: host.pid.clone(),
        serial: host.serial.clone(),
    }
}

fn cli_options(host: &LabHost) -> CliOptions {
    CliOptions {
        enable_secret: host.enable_secret.as_ref().map(|s| s.expose().to_string()),
        privileged_login: host.privilege == 15,
        startup_config: host.startup_config.clone(),
        invalid_commands: host.faults.invalid.clone(),
        hang_on: host.faults.hang_on.clone(),
        latency: Duration::from_millis(host.faults.latency_ms),
        clock_offset_secs: host.clock_offset_secs as f64,
        username: Some(host.username.clone()),
        ..CliOptions::default()
    }
}

fn ssh_faults(faults: &Faults) -> SshFaults {
    SshFaults {
        reject_auth: faults.auth_failure,
        legacy_only: faults.legacy_ssh,
        changed_host_key: faults.changed_host_key,
        drop_after_commands: faults.drop_after,
        keyboard_interactive_only: faults.keyboard_interactive_only,
    }
}

fn cli_faults(faults: &Faults) -> CliFaults {
    CliFaults {
        invalid_commands: faults.invalid.clone(),
        hang_on: faults.hang_on.clone(),
        latency: Duration::from_millis(faults.latency_ms),
    }
}

/// A device's host key seed, from its name: the same device keeps the same host key
/// across lab restarts, so a known_hosts file written once keeps working. (FNV-1a, run
/// four times with different offsets: these are test keys, not secrets.)
pub fn host_key_seed(name: &str) -> [u8; 32] {
    let mut seed = [0u8; 32];
    for (i, chunk) in seed.chunks_mut(8).enumerate() {
        let hash = name
            .bytes()
            .chain([i as u8])
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        chunk.copy_from_slice(&hash.to_le_bytes());
    }
    seed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::{LogLine, PendingRevert};
    use crate::saved::Folder;
    use crate::tree::Line;

    #[test]
    fn host_key_seeds_are_stable_and_distinct() {
        assert_eq!(host_key_seed("sw1"), host_key_seed("sw1"));
        assert_ne!(host_key_seed("sw1"), host_key_seed("sw2"));
    }

    fn hosts(versions: &[(&str, &str, &str)]) -> Vec<LabHost> {
        let mut text = String::from(
            "all:\n  vars:\n    ansible_user: admin\n    ansible_password: pw\n  hosts:\n",
        );
        for (name, platform, version) in versions {
            text.push_str(&format!(
                "    {name}:\n      platform: {platform}\n      os_version: \"{version}\"\n      ansible_host: 127.0.0.1\n      lab: {{}}\n"
            ));
        }
        let inventory = crate::spec::tests::inventory(&text);
        crate::spec::lab_hosts(&inventory, None).unwrap()
    }

    fn device<'a>(lab: &'a Lab, name: &str) -> &'a Arc<cli::Device> {
        &lab.controls.get(name).unwrap().cli
    }

    fn state(lab: &Lab, name: &str) -> DeviceState {
        device(lab, name).state.lock().unwrap().clone()
    }

    /// Time until a lab device at `address` sends its SSH identification line, over a
    /// plain TCP connection.
    async fn identification_after(address: SocketAddr) -> (Duration, String) {
        use tokio::io::AsyncReadExt;
        let started = std::time::Instant::now();
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\n") {
            let n = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut byte))
                .await
                .expect("the device sends its identification")
                .unwrap();
            assert_eq!(n, 1, "connection closed after {line:?}");
            line.push(byte[0]);
        }
        (
            started.elapsed(),
            String::from_utf8_lossy(&line).into_owned(),
        )
    }

    /// `--latency realistic`: a new SSH connection waits the profile's handshake before
    /// the device's identification, each reply its per-command delay, and an NX-OS save
    /// its `write memory` delay on top; the default lab adds none of them. Lower bounds
    /// only (a busy machine is slower, never faster). The replies' delays are the values
    /// the SSH channel sleeps (`ssh/channel.rs`); tests/integration/lab_faults.rs times
    /// them through OpenSSH.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_realistic_profile_delays_handshakes_commands_and_saves() {
        use crate::latency::LatencyProfile;
        let fleet = hosts(&[("sw1", "ios-xe", "17.9.4a"), ("nx1", "nx-os", "9.3(8)")]);

        assert_eq!(LabOptions::default().latency, Latency::Instant);
        let lab = start(fleet.clone(), &LabOptions::default()).await.unwrap();
        for name in ["sw1", "nx1"] {
            let device = device(&lab, name);
            assert_eq!(device.options.profile, LatencyProfile::INSTANT);
            let save = cli::session::exec_reply(device, "copy running-config startup-config");
            assert_eq!(save.delay, Duration::ZERO, "{name}");
        }
        let (_, line) = identification_after(lab.devices[0].address).await;
        assert!(line.starts_with("SSH-2.0-"), "{line}");
        lab.shutdown().await;

        let options = LabOptions {
            latency: Latency::Realistic,
            ..LabOptions::default()
        };
        let lab = start(fleet, &options).await.unwrap();
        let xe = Latency::Realistic.profile(crate::release::Platform::IosXe);
        let nx = Latency::Realistic.profile(crate::release::Platform::NxOs);
        assert!(!xe.handshake.is_zero() && !xe.per_command.is_zero());
        assert!(!nx.write_memory.is_zero());
        for served in &lab.devices {
            let (waited, line) = identification_after(served.address).await;
            assert!(line.starts_with("SSH-2.0-"), "{line}");
            assert!(
                waited >= xe.handshake,
                "{}: identification after {waited:?}, the handshake is {:?}",
                served.host.name,
                xe.handshake
            );
        }
        let sw1 = device(&lab, "sw1");
        assert_eq!(sw1.options.profile, xe);
        let show = cli::session::exec_reply(sw1, "show version");
        assert!(show.delay >= xe.per_command, "{:?}", show.delay);
        let nx1 = device(&lab, "nx1");
        assert_eq!(nx1.options.profile, nx);
        let save = cli::session::exec_reply(nx1, "copy running-config startup-config");
        assert!(
            save.delay >= nx.per_command + nx.write_memory,
            "{:?}",
            save.delay
        );
        // The save's delay is for the save only: the next command is back to normal.
        let show = cli::session::exec_reply(nx1, "show version");
        assert!(show.delay < nx.write_memory, "{:?}", show.delay);
        lab.shutdown().await;
    }

    /// A lab saved to disk comes back where it was: each device's configs, CAs, log and
    /// clock, a revert timer that ran out while it was stopped, and the back-end's tokens
    /// and authorities; a device whose release changed comes back from the factory.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_saved_lab_resumes_where_it_stopped() {
        let first_hosts = hosts(&[
            ("sw1", "ios-xe", "16.12.5"),
            ("sw2", "nx-os", "9.3(8)"),
            ("sw3", "ios-xe", "17.9.4a"),
        ]);
        let options = LabOptions::default();
        let lab = start_with(first_hosts.clone(), BackendConfig::default(), &options)
            .await
            .unwrap();
        let sw1 = device(&lab, "sw1");
        let satellite_ca = lab.backend.satellite_ca_pem.clone();
        {
            let mut s = sw1.state.lock().unwrap();
            s.running
                .lines
                .push(Line::leaf("ip domain name lab.example"));
            s.trusted_cas.insert("SAT".into(), satellite_ca.clone());
            s.log.push(LogLine {
                at: lab.clock.now(),
                text: "%SYS-5-CONFIG_I: Configured from console by admin".into(),
            });
        }
        sw1.set_clock(lab.clock.now() + 7_200.0);
        let sw3 = device(&lab, "sw3");
        let factory = state(&lab, "sw3").running;
        {
            let mut s = sw3.state.lock().unwrap();
            s.running
                .lines
                .push(Line::leaf("ip domain name unconfirmed.example"));
            s.revert = Some(PendingRevert {
                id: 1,
                deadline: lab.clock.now() - 1.0,
                idle_minutes: None,
                archive: "flash:archive-1".into(),
                snapshot: factory.clone(),
            });
        }
        lab.backend
            .set_pool("Example Account", "Extra", "dna-advantage", 5);
        let sw1_before = state(&lab, "sw1");

        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::in_dir(dir.path(), std::path::Path::new("lab.yml"));
        folder.save(lab.saver().saved()).unwrap();
        lab.shutdown().await;
        let saved = folder.load().unwrap().unwrap();
        assert_eq!(saved.devices.len(), 3);

        // sw2 is upgraded in the inventory: a new device as far as the lab knows.
        let mut next_hosts = first_hosts;
        next_hosts[1].version = "10.2(5)".into();
        let (lab, resumed) =
            start_from(next_hosts, BackendConfig::default(), &options, Some(saved))
                .await
                .unwrap();
        assert_eq!(resumed.resumed, ["sw1", "sw3"]);
        assert_eq!(resumed.factory, ["sw2"]);
        let sw1_after = state(&lab, "sw1");
        assert_eq!(sw1_after.running, sw1_before.running);
        assert_eq!(sw1_after.startup, sw1_before.startup);
        assert_eq!(sw1_after.trusted_cas, sw1_before.trusted_cas);
        assert_eq!(sw1_after.log, sw1_before.log);
        let offset = device(&lab, "sw1").clock_offset();
        assert!((offset - 7_200.0).abs() < 5.0, "{offset}");
        // The revert timer ran out: the unconfirmed change is gone.
        let sw3_after = state(&lab, "sw3");
        assert!(sw3_after.revert.is_none());
        assert_eq!(sw3_after.running, factory);
        // sw2 is fresh from the factory.
        let sw2 = state(&lab, "sw2");
        assert_eq!(
            sw2.running,
            cli::factory_state(&device(&lab, "sw2").identity).running
        );
        // The back-end kept its books and its CA (the one sw1 imported).
        let books = lab.backend.snapshot();
        let pool = books.pool("Example Account", "Extra", "dna-advantage");
        assert_eq!(pool.map(|p| p.purchased), Some(5));
        assert_eq!(lab.backend.satellite_ca_pem, satellite_ca);
        assert!(lab.clock.now() >= sw1_before.log.last().unwrap().at);
        lab.shutdown().await;
    }
}
