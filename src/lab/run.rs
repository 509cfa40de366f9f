//! A running lab: the back-end, and every inventory device behind SSH with its CLI and
//! licensing agent, wired together. This is the only module that knows all the parts.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::lab::backend::{self, Backend, BackendConfig};
use crate::lab::cli::{self, CliOptions};
use crate::lab::clock::LabClock;
use crate::lab::device::{DeviceState, Identity, SharedState};
use crate::lab::licensing::{self, DeviceNetwork, LabTopology, TrustAnchors};
use crate::lab::spec::LabHost;
use crate::lab::ssh::{self, Endpoint, Served, SshFaults};

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

/// Starts the back-end and serves every host. Must run inside a tokio runtime.
pub async fn start(hosts: Vec<LabHost>, options: &LabOptions) -> Result<Lab, LabError> {
    let clock = LabClock::new(options.time_scale);
    let backend = backend::start(BackendConfig::default(), clock.clone()).await?;
    let topology = Arc::new(LabTopology::for_backend(backend.services()));
    let trust = Arc::new(TrustAnchors {
        built_in: vec![backend.cisco_root_pem.clone()],
    });
    let runtime = tokio::runtime::Handle::current();
    let mut endpoints = Vec::with_capacity(hosts.len());
    let mut states = Vec::with_capacity(hosts.len());
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
        let console = cli::console(
            identity,
            state.clone(),
            agent,
            clock.clone(),
            cli_options(host),
        );
        endpoints.push(Endpoint {
            name: host.name.clone(),
            listen: host.listen,
            host_key_seed: host_key_seed(&host.name),
            users: vec![(host.username.clone(), host.password.clone())],
            faults: ssh_faults(host),
            console,
        });
        states.push(state);
    }
    let served = ssh::serve(endpoints).await?;
    let devices = hosts
        .into_iter()
        .zip(states)
        .map(|(host, state)| served_device(&served, host, state))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Lab {
        clock,
        backend,
        devices,
        ssh: served,
    })
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

    /// The OpenSSH known_hosts text for every device.
    pub fn known_hosts(&self) -> String {
        self.devices
            .iter()
            .map(|d| format!("{}\n", d.known_hosts_line))
            .collect()
    }
}

fn served_device(
    served: &Served,
    host: LabHost,
    state: SharedState,
) -> Result<ServedDevice, LabError> {
    let address = served.address(&host.name).unwrap_or(host.listen);
    let key_error = |message: String| LabError::HostKey {
        device: host.name.clone(),
        message,
    };
    let key =
        ssh::host_public_key(&host_key_seed(&host.name), &ssh_faults(&host)).map_err(key_error)?;
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

fn ssh_faults(host: &LabHost) -> SshFaults {
    SshFaults {
        reject_auth: host.faults.auth_failure,
        legacy_only: host.faults.legacy_ssh,
        changed_host_key: host.faults.changed_host_key,
        drop_after_commands: host.faults.drop_after,
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
