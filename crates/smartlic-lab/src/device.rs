//! What a simulated device is and holds.
//!
//! The CLI engine changes a device's [`DeviceState`] (running config, trusted CAs) and the
//! licensing agent reads it when it calls the back-end (which URL, through which VRF and
//! DNS, trusting which CAs). Both share it behind a mutex; neither knows the other's
//! internals: the CLI talks to the agent only through [`Licensing`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::network::{DeviceNetwork, LabTopology};
use crate::release::{LicensingModel, Platform};
use crate::tree::Tree;

/// Who the device is (fixed for the lab's life).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The inventory name, also the hostname in prompts.
    pub name: String,
    pub platform: Platform,
    pub model: LicensingModel,
    /// The release as the platform prints it (`17.3.4`, `9.3(8)`, `4.2(7f)`).
    pub version: String,
    /// UDI product ID and serial number.
    pub pid: String,
    pub serial: String,
}

/// A syslog line, stamped with lab time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub at: f64,
    /// The message as the device prints it after the timestamp, e.g.
    /// `%SMART_LIC-6-AGENT_REG_SUCCESS: Smart Agent for Licensing Registration …`.
    pub text: String,
}

/// What the device holds and changes (saved between `--lab` runs, [`crate::saved`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceState {
    pub running: Tree,
    pub startup: Tree,
    /// CA certificates imported with `crypto pki authenticate`, PEM, by trustpoint name.
    pub trusted_cas: BTreeMap<String, String>,
    pub log: Vec<LogLine>,
    /// IOS-XE `configure terminal revert timer …` waiting for `configure confirm`.
    pub revert: Option<PendingRevert>,
    /// Config archive files written so far (IOS-XE names them `<path>-<time>-<n>`).
    pub archives: u32,
    /// NX-OS user checkpoints, oldest first.
    pub checkpoints: Vec<Checkpoint>,
}

/// A Rollback Confirmed Change in progress (IOS-XE): the running config as it was when
/// the timer started, restored when the timer expires unconfirmed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingRevert {
    /// Tells one timer from the next (a background waiter acts only on its own).
    pub id: u64,
    /// Lab time (not device time) at which the running config is restored.
    pub deadline: f64,
    /// `revert timer idle N`: the deadline moves N minutes past each command.
    pub idle_minutes: Option<u32>,
    /// The archive file the device names as the rollback target.
    pub archive: String,
    pub snapshot: Tree,
}

/// An NX-OS user checkpoint (`checkpoint NAME`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub name: String,
    /// Device time when it was taken.
    pub at: f64,
    pub user: String,
    pub running: Tree,
}

pub type SharedState = Arc<Mutex<DeviceState>>;

/// What the CLI asks of the device's licensing agent. Commands return at once with
/// the CLI's immediate answer, as on a device: the work goes on in the background and
/// `show license status` tells how it went.
pub trait Licensing: Send + Sync {
    /// `license smart register idtoken T [force]` (classic) or
    /// `license smart trust idtoken T [local|all] [force]` (Using Policy).
    fn register(&self, token: &str, force: bool) -> String;
    /// `license smart deregister`.
    fn deregister(&self) -> String;
    /// `license smart renew id` / `license smart renew auth`.
    fn renew(&self, id_certificate: bool) -> String;
    /// `license smart sync …` (Using Policy).
    fn sync(&self) -> String;
    /// `clock set …` moved the device clock to lab time + `offset_secs` (docs/troubleshooting.md CAT-3:
    /// the time the device sends to the back-end and prints).
    fn set_clock_offset(&self, offset_secs: f64) {
        let _ = offset_secs;
    }
    /// The device's place in the lab network — the model its registration calls go
    /// through (docs/lab.md "Network model") — for `ping` and `telnet`. `None`: the device
    /// is in no lab network, so nothing resolves and nothing answers.
    fn network(&self) -> Option<(Arc<LabTopology>, DeviceNetwork)> {
        None
    }
    /// The output of a `show license …` command (`status`, `summary`, `all`, `udi`,
    /// `usage`, `tech support`), or `None` when this platform has no such command.
    fn show(&self, command: &str) -> Option<String>;
}
