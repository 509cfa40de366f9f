//! The device CLI engine: a pure, synchronous simulator of a Cisco command line that
//! implements `lab::terminal::{Console, Terminal}` for every personality.
//!
//! It owns the line discipline ([`line`]), command resolution with abbreviations and
//! the device's error texts ([`grammar`]), modes and interactive dialogues
//! ([`session`]), how config lines change the running config ([`config`]), and the show
//! commands derived from the device state ([`show`]), `ping`/`telnet` through the lab
//! network ([`probe`]). What differs per platform and
//! release is data in `lab::personality`. It does not own licensing: `license smart …`
//! commands and `show license …` go to the device's `dyn Licensing`.
//!
//! Construction: [`console`] builds a device's console from its identity, shared state,
//! licensing agent, lab clock and [`CliOptions`] (enable secret and the CLI faults).
//! [`factory_state`] gives a device fresh from the factory and [`reload`] what it is
//! after a reload (the saved config, unsaved changes lost).

pub mod cert;
pub mod config;
pub mod grammar;
pub mod line;
pub mod probe;
pub mod rollback;
pub mod session;
pub mod show;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::LabClock;
use crate::device::{DeviceState, Identity, Licensing, SharedState};
use crate::latency::LatencyProfile;
use crate::personality::{self, Personality};
use crate::terminal::{Console, ExecReply, Terminal};
use crate::tree::Tree;

/// How a device's CLI behaves beyond its personality: credentials and injected faults
/// (issue 3 "Faults"). The defaults are a healthy device without an enable secret.
#[derive(Clone, Debug, Default)]
pub struct CliOptions {
    /// The `enable` secret; `None`: on IOS-XE `enable` answers `% No password set` from a
    /// user-exec login, as a device without `enable secret` does on its vty lines.
    pub enable_secret: Option<String>,
    /// The login lands in privileged exec (IOS-XE `username … privilege 15`), not user exec.
    pub privileged_login: bool,
    /// The config the device boots with instead of its personality's factory one.
    pub startup_config: Option<String>,
    /// Commands this device's release does not know: a line starting with one of them
    /// (keywords spelled out, e.g. `license smart transport`) is refused with `% Invalid
    /// input` and the caret under its last word.
    pub invalid_commands: Vec<String>,
    /// Commands after which the device never returns a prompt (the session hangs).
    pub hang_on: Vec<String>,
    /// Delay before every reply to a command.
    pub latency: Duration,
    /// The device's latency profile (`per_command` and `write_memory` apply here; see
    /// [`crate::latency`]); instant by default.
    pub profile: LatencyProfile,
    /// The session is dropped when the command after the first `n` is entered.
    pub drop_after: Option<usize>,
    /// A login banner instead of the personality's (e.g. a configured `banner motd`).
    pub banner: Option<String>,
    /// The device clock's offset from lab time, in seconds (a skewed clock).
    pub clock_offset_secs: f64,
    /// Who is logged in, for `%SYS-5-CONFIG_I` log lines (default `admin`).
    pub username: Option<String>,
}

/// The CLI faults in force on a device: they start as [`CliOptions`] gives them and can be
/// changed while the device runs ([`Device::set_faults`]); every session reads them at each
/// command, so a change applies from the next command on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CliFaults {
    /// As [`CliOptions::invalid_commands`].
    pub invalid_commands: Vec<String>,
    /// As [`CliOptions::hang_on`].
    pub hang_on: Vec<String>,
    /// As [`CliOptions::latency`]; also delays `exec` replies.
    pub latency: Duration,
}

/// One device as the CLI sees it, shared by all its sessions.
pub struct Device {
    pub identity: Identity,
    pub personality: &'static Personality,
    pub state: SharedState,
    pub licensing: Arc<dyn Licensing>,
    pub clock: LabClock,
    pub options: CliOptions,
    /// Device clock minus lab time: `options.clock_offset_secs` until `clock set`.
    clock_offset: Mutex<f64>,
    booted_at: f64,
    /// Lab time of the last config change (NX-OS `!Running configuration last done at:`).
    last_change: Mutex<f64>,
    /// The CLI faults now in force (see [`CliFaults`]).
    faults: Mutex<Arc<CliFaults>>,
}

impl Device {
    /// Device time: lab time plus the configured clock offset.
    pub fn now(&self) -> f64 {
        self.clock.now() + *self.clock_offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `clock set`: the device clock reads `device_time` (Unix seconds) now; the licensing
    /// agent sends and prints that time from now on (docs/troubleshooting.md CAT-3).
    pub fn set_clock(&self, device_time: f64) {
        let offset = device_time - self.clock.now();
        *self.clock_offset.lock().unwrap_or_else(|e| e.into_inner()) = offset;
        self.licensing.set_clock_offset(offset);
    }

    /// Device clock minus lab time, seconds.
    pub fn clock_offset(&self) -> f64 {
        *self.clock_offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn booted_at(&self) -> f64 {
        self.booted_at
    }

    pub fn last_change(&self) -> f64 {
        *self.last_change.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn touch(&self) {
        *self.last_change.lock().unwrap_or_else(|e| e.into_inner()) = self.now();
    }

    /// Restores the archived config if an IOS-XE revert timer ran out unconfirmed (every
    /// command checks this first; a waiter thread does it on time too).
    pub fn expire_revert(&self) {
        if rollback::expire(&self.state, &self.clock, self.now()) {
            self.touch();
        }
    }

    /// The CLI faults in force now.
    pub fn faults(&self) -> Arc<CliFaults> {
        Arc::clone(&self.faults.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Changes the CLI faults while the device runs; open sessions see them from their
    /// next command on.
    pub fn set_faults(&self, faults: CliFaults) {
        *self.faults.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(faults);
    }
}

/// The console of one device. Fills an empty running config with the factory config,
/// so a default `DeviceState` boots like a new device.
pub fn console(
    identity: Identity,
    state: SharedState,
    licensing: Arc<dyn Licensing>,
    clock: LabClock,
    options: CliOptions,
) -> Arc<dyn Console> {
    console_of(device(identity, state, licensing, clock, options))
}

/// The console of a device made with [`device`] (to keep the device, e.g. to change its
/// faults at run time, and serve its console).
pub fn console_of(device: Arc<Device>) -> Arc<dyn Console> {
    Arc::new(DeviceConsole(device))
}

/// The shared device behind [`console`], for callers that want [`Device`] itself.
pub fn device(
    identity: Identity,
    state: SharedState,
    licensing: Arc<dyn Licensing>,
    clock: LabClock,
    options: CliOptions,
) -> Arc<Device> {
    let personality = personality::for_identity(&identity);
    {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        if s.running.is_empty() && s.startup.is_empty() {
            // The licensing agent may have logged already (Using Policy's boot line).
            let log = std::mem::take(&mut s.log);
            *s = match &options.startup_config {
                Some(text) => booted_with(text),
                None => factory_state(&identity),
            };
            s.log = log;
        }
    }
    let now = clock.now() + options.clock_offset_secs;
    let faults = CliFaults {
        invalid_commands: options.invalid_commands.clone(),
        hang_on: options.hang_on.clone(),
        latency: options.latency,
    };
    Arc::new(Device {
        identity,
        personality,
        state,
        licensing,
        clock,
        clock_offset: Mutex::new(options.clock_offset_secs),
        options,
        booted_at: now,
        last_change: Mutex::new(now),
        faults: Mutex::new(Arc::new(faults)),
    })
}

/// A device fresh from the factory: the personality's factory config, saved.
pub fn factory_state(identity: &Identity) -> DeviceState {
    let personality = personality::for_identity(identity);
    booted_with(
        &personality
            .factory_config
            .replace("{hostname}", &identity.name),
    )
}

/// A device booted with `config` saved (and the CA certificates it holds trusted). A
/// saved config's `version` and `end` lines are the device's to print, not lines of it.
fn booted_with(config: &str) -> DeviceState {
    let mut tree = Tree::parse(config);
    tree.lines
        .retain(|l| l.text != "end" && !l.text.starts_with("version "));
    DeviceState {
        trusted_cas: cert::certificates_in(&tree),
        running: tree.clone(),
        startup: tree,
        ..DeviceState::default()
    }
}

/// A reload: the running config becomes the saved one and imported CA certificates
/// are what the saved config holds (IOS-XE keeps them in `crypto pki certificate
/// chain` blocks); unsaved changes are lost. The log is kept (it is the device's
/// buffer only until a real reload, but the lab keeps it for tests to read).
pub fn reload(state: &SharedState) {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.running = s.startup.clone();
    s.trusted_cas = cert::certificates_in(&s.running);
}

/// One-shot execution of a command, as an SSH `exec` request: the output and an exit
/// status (0, or 1 when the CLI refused the command — a lab convention; IOS gives no
/// documented status). Runs in privileged exec, without paging.
pub fn exec(device: &Arc<Device>, command: &str) -> (Vec<u8>, u32) {
    session::exec_once(device, command)
}

/// The `Console` the SSH server holds for a device.
struct DeviceConsole(Arc<Device>);

impl Console for DeviceConsole {
    fn open(&self) -> Box<dyn Terminal> {
        Box::new(session::Session::new(Arc::clone(&self.0)))
    }

    fn exec(&self, command: &str) -> (Vec<u8>, u32) {
        exec(&self.0, command)
    }

    fn exec_reply(&self, command: &str) -> ExecReply {
        session::exec_reply(&self.0, command)
    }
}
