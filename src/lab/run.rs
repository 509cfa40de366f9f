//! A running lab: the back-end, and every inventory device behind SSH with its CLI and
//! licensing agent, wired together. This is the only module that knows all the parts.
//!
//! It also gives the back-end's admin API the devices (`/admin/devices/{name}/faults`):
//! a device's faults change at run time in its SSH server record (new connections) and
//! in its CLI (the next command).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::lab::backend::{self, Backend, BackendConfig, DeviceAdmin};
use crate::lab::cli::{self, CliFaults, CliOptions};
use crate::lab::clock::LabClock;
use crate::lab::device::{DeviceState, Identity, SharedState};
use crate::lab::licensing::{self, DeviceNetwork, LabTopology, TrustAnchors};
use crate::lab::spec::{Faults, LabHost};
use crate::lab::ssh::{self, Endpoint, FaultHandle, Served, SshFaults};

/// How to run the lab.
#[derive(Clone, Debug)]
pub struct LabOptions {
    /// Lab seconds per real second (86,400: a lab day per second).
    pub time_scale: f64,
}

impl Default for LabOptions {
    fn default() -> Self {
        LabOptions { time_scale: 1.0 }
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
/// [`crate::lab::spec::lab_spec`]) and serves every host. Must run inside a tokio runtime.
pub async fn start_with(
    hosts: Vec<LabHost>,
    backend: BackendConfig,
    options: &LabOptions,
) -> Result<Lab, LabError> {
    let clock = LabClock::new(options.time_scale);
    let backend = backend::start(backend, clock.clone()).await?;
    let topology = Arc::new(LabTopology::for_backend(backend.services()));
    let trust = Arc::new(TrustAnchors {
        built_in: vec![backend.cisco_root_pem.clone()],
    });
    let runtime = tokio::runtime::Handle::current();
    let mut endpoints = Vec::with_capacity(hosts.len());
    let mut states = Vec::with_capacity(hosts.len());
    let mut clis = Vec::with_capacity(hosts.len());
    for host in &hosts {
        let state: SharedState = Arc::new(Mutex::new(DeviceState::default()));
        let identity = identity(host);
        let agent = licensing::agent(
            identity.clone(),
            state.clone(),
            topology.clone(),
            DeviceNetwork::from_lab_host(host),
            trust.clone(),
            clock.clone(),
            runtime.clone(),
        );
        let device = cli::device(
            identity,
            state.clone(),
            agent,
            clock.clone(),
            cli_options(host),
        );
        let console = cli::console_of(Arc::clone(&device));
        clis.push(device);
        endpoints.push(Endpoint {
            name: host.name.clone(),
            listen: host.listen,
            host_key_seed: host_key_seed(&host.name),
            users: vec![(host.username.clone(), host.password.clone())],
            faults: ssh_faults(&host.faults),
            console,
        });
        states.push(state);
    }
    let served = ssh::serve(endpoints).await?;
    let controls = Arc::new(Controls::new(&hosts, clis, served.fault_handles()));
    backend.attach_devices(Arc::clone(&controls) as Arc<dyn DeviceAdmin>);
    // `addresses` is in the order of `hosts`: no lookup by name (10,000 devices).
    let addresses: Vec<SocketAddr> = served.addresses().map(|(_, a)| a).collect();
    let devices = hosts
        .into_iter()
        .zip(states)
        .zip(addresses)
        .map(|((host, state), address)| served_device(address, host, state))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Lab {
        clock,
        backend,
        devices,
        ssh: served,
        controls,
    })
}

/// What the lab keeps per device to change its faults at run time.
struct Control {
    cli: Arc<cli::Device>,
    ssh: FaultHandle,
    /// The faults in force, as the inventory and the admin API write them.
    faults: Mutex<Faults>,
}

/// Every device's [`Control`], by name; the admin API's view of the devices.
struct Controls {
    list: Vec<Control>,
    by_name: HashMap<String, usize>,
}

impl Controls {
    fn new(hosts: &[LabHost], clis: Vec<Arc<cli::Device>>, ssh: Vec<FaultHandle>) -> Controls {
        let list: Vec<Control> = hosts
            .iter()
            .zip(clis.into_iter().zip(ssh))
            .map(|(host, (cli, ssh))| Control {
                cli,
                ssh,
                faults: Mutex::new(host.faults.clone()),
            })
            .collect();
        let by_name = hosts
            .iter()
            .enumerate()
            .map(|(i, h)| (h.name.clone(), i))
            .collect();
        Controls { list, by_name }
    }

    fn get(&self, name: &str) -> Option<&Control> {
        self.by_name.get(name).map(|&i| &self.list[i])
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
        control.ssh.set(ssh_faults(&faults));
        control.cli.set_faults(cli_faults(&faults));
        *current = faults;
        true
    }
}

impl Lab {
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

    #[test]
    fn host_key_seeds_are_stable_and_distinct() {
        assert_eq!(host_key_seed("sw1"), host_key_seed("sw1"));
        assert_ne!(host_key_seed("sw1"), host_key_seed("sw2"));
    }
}
