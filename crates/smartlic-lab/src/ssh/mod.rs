//! The lab's SSH server: every simulated device as a real SSH endpoint on its own
//! loopback address/port, all served by one process.
//!
//! Owns: binding (127.0.0.0/8 only; port 0 picks a free port), host keys that stay the
//! same across restarts ([`keys`]), the Cisco-like identification, password and
//! keyboard-interactive login, PTY `shell` and `exec` sessions piped to the device's
//! [`Console`], and the SSH faults ([`SshFaults`]: rejected logins, legacy-only
//! algorithms, a changed host key, dropped connections, keyboard-interactive only), which
//! can also change at run time.
//! Does not own: what a device prints or how it edits lines (the CLI behind `Console`).
//!
//! Scale: an idle device costs one listening socket, one small accept task and its
//! [`Device`] record; its russh `Config` (which holds the host key, so cannot be shared
//! between devices) is built on first connection and then shared by its sessions.

mod channel;
mod connection;
pub mod keys;
mod profile;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::Disconnect;
use russh::keys::PublicKey;
use russh::server::Config;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

use crate::secret::Secret;
use crate::terminal::Console;

pub use channel::WindowSize;
pub use profile::{PASSWORD_PROMPT, SERVER_ID};

use connection::Connection;
use profile::Profile;

/// How long [`Served::shutdown`] waits for sessions to end after telling them to.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// After a failed `accept` (e.g. out of file descriptors), wait before the next try
/// rather than spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// One device to serve.
pub struct Endpoint {
    pub name: String,
    /// Must be in 127.0.0.0/8; port 0 picks a free port (see [`Served::address`]).
    pub listen: SocketAddr,
    /// The same seed gives the same host key in every run, so known_hosts keeps working.
    pub host_key_seed: [u8; 32],
    /// Accepted logins (user, password).
    pub users: Vec<(String, Secret)>,
    pub faults: SshFaults,
    pub console: Arc<dyn Console>,
    /// How long a new connection waits before the device sends its SSH identification:
    /// the latency profile's `handshake` (`crate::latency`); zero by default.
    pub handshake: Duration,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("listen", &self.listen)
            .field("users", &self.users)
            .field("faults", &self.faults)
            .field("handshake", &self.handshake)
            .finish_non_exhaustive()
    }
}

/// SSH-level faults of a device (issue 3, "Faults").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SshFaults {
    /// Every login fails, whatever the credentials.
    pub reject_auth: bool,
    /// Only diffie-hellman-group14-sha1, an `ssh-rsa` host key, aes*-cbc and hmac-sha1,
    /// as old IOS releases offer.
    pub legacy_only: bool,
    /// The device presents a different (still stable) host key than its seed gives.
    pub changed_host_key: bool,
    /// The connection is dropped (SSH disconnect, no exit status) when the client enters
    /// command N+1: N shell lines or `exec` requests per connection are served.
    pub drop_after_commands: Option<usize>,
    /// Only keyboard-interactive is offered (no `password` method), as devices that
    /// authenticate through TACACS+ or RADIUS often do; the login still ends with an
    /// empty info-request round.
    pub keyboard_interactive_only: bool,
}

impl SshFaults {
    fn profile(&self) -> Profile {
        Profile {
            legacy_only: self.legacy_only,
            changed_host_key: self.changed_host_key,
            keyboard_interactive_only: self.keyboard_interactive_only,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error(
        "lab device {device}: {address} is not a loopback address (the lab binds only 127.0.0.0/8)"
    )]
    NotLoopback { device: String, address: SocketAddr },
    #[error("lab device {device}: cannot listen on {address}: {source}")]
    Bind {
        device: String,
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("lab device {device}: host key: {message}")]
    HostKey { device: String, message: String },
}

/// The host key a device made from `seed` presents under `faults`: what a known_hosts
/// file should hold (with `changed_host_key`, deliberately not the seed's own).
pub fn host_public_key(seed: &[u8; 32], faults: &SshFaults) -> Result<PublicKey, String> {
    let profile = faults.profile();
    keys::host_public_key(seed, profile.key_kind(), profile.changed_host_key)
}

/// The known_hosts line for a device at `address` with `key`, as OpenSSH writes it
/// (`[127.0.1.1]:2222 ssh-ed25519 AAAA…`; a bare address on port 22).
pub fn known_hosts_line(address: SocketAddr, key: &PublicKey) -> Result<String, String> {
    let host = match address.port() {
        22 => address.ip().to_string(),
        port => format!("[{}]:{port}", address.ip()),
    };
    let mut key = key.clone();
    key.set_comment("");
    let text = key.to_openssh().map_err(|e| e.to_string())?;
    Ok(format!("{host} {}", text.trim_end()))
}

/// What the server keeps per device, shared by its listener and its connections.
pub struct Device {
    name: String,
    seed: [u8; 32],
    users: Vec<(String, Secret)>,
    console: Arc<dyn Console>,
    faults: Mutex<SshFaults>,
    /// See [`Endpoint::handshake`].
    handshake: Duration,
    /// The russh configuration for the last fault profile used, built on first connection.
    config: tokio::sync::Mutex<Option<(Profile, Arc<Config>)>>,
}

impl Device {
    fn faults(&self) -> SshFaults {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The configuration for the current faults; an RSA key is generated (on a blocking
    /// thread, once per seed and process) only for `legacy_only`.
    async fn config(&self) -> Result<Arc<Config>, SshError> {
        let profile = self.faults().profile();
        let mut cached = self.config.lock().await;
        if let Some((p, config)) = cached.as_ref()
            && *p == profile
        {
            return Ok(Arc::clone(config));
        }
        let seed = self.seed;
        let key = tokio::task::spawn_blocking(move || {
            keys::host_key(&seed, profile.key_kind(), profile.changed_host_key)
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|key| key)
        .map_err(|message| SshError::HostKey {
            device: self.name.clone(),
            message,
        })?;
        let config = Arc::new(profile::config(profile, key));
        *cached = Some((profile, Arc::clone(&config)));
        Ok(config)
    }
}

/// One device's SSH faults, to read and change while the server runs (cheap to clone;
/// see [`Served::fault_handles`]). Connections opened after a change see it.
#[derive(Clone)]
pub struct FaultHandle(Arc<Device>);

impl FaultHandle {
    pub fn name(&self) -> &str {
        &self.0.name
    }

    pub fn get(&self) -> SshFaults {
        self.0.faults()
    }

    pub fn set(&self, faults: SshFaults) {
        *self.0.faults.lock().unwrap_or_else(|e| e.into_inner()) = faults;
    }
}

impl fmt::Debug for FaultHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FaultHandle").field(&self.0.name).finish()
    }
}

/// Counters of a running lab server.
#[derive(Debug, Default)]
struct Counters {
    accepted: AtomicUsize,
    active: AtomicUsize,
}

/// Decrements the active count when a connection task ends, however it ends.
struct ActiveGuard(Arc<Counters>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Stops a running lab server; cheap to clone and hand to a signal handler.
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    stop: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Listeners stop accepting and every session is disconnected.
    pub fn shutdown(&self) {
        self.stop.send_replace(true);
    }
}

/// The running server. Dropping it shuts everything down.
pub struct Served {
    devices: Vec<(Arc<Device>, SocketAddr)>,
    shutdown: ShutdownHandle,
    counters: Arc<Counters>,
    /// Closes when every listener and connection task has ended (each holds a sender).
    done: mpsc::Receiver<()>,
    tracker: Option<mpsc::Sender<()>>,
}

impl Served {
    /// Where each device listens, in the order given to [`serve`].
    pub fn addresses(&self) -> impl Iterator<Item = (&str, SocketAddr)> {
        self.devices.iter().map(|(d, a)| (d.name.as_str(), *a))
    }

    /// Where `name` listens.
    pub fn address(&self, name: &str) -> Option<SocketAddr> {
        self.device(name).map(|(_, a)| *a)
    }

    /// Changes a device's SSH faults at run time; connections opened afterwards see them.
    /// False if there is no such device.
    pub fn set_faults(&self, name: &str, faults: SshFaults) -> bool {
        let Some((device, _)) = self.device(name) else {
            return false;
        };
        *device.faults.lock().unwrap_or_else(|e| e.into_inner()) = faults;
        true
    }

    /// A handle on each device's SSH faults, in the order given to [`serve`].
    pub fn fault_handles(&self) -> Vec<FaultHandle> {
        self.devices
            .iter()
            .map(|(d, _)| FaultHandle(Arc::clone(d)))
            .collect()
    }

    /// Connections accepted so far, and how many are open now.
    pub fn connections(&self) -> (usize, usize) {
        (
            self.counters.accepted.load(Ordering::SeqCst),
            self.counters.active.load(Ordering::SeqCst),
        )
    }

    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Stops accepting, disconnects every session, and waits (a few seconds at most)
    /// for them to end. Returns whether everything ended in time.
    pub async fn shutdown(mut self) -> bool {
        self.shutdown.shutdown();
        self.tracker = None;
        tokio::time::timeout(SHUTDOWN_GRACE, self.done.recv())
            .await
            .is_ok()
    }

    /// Runs until [`ShutdownHandle::shutdown`] is called (e.g. on Ctrl-C).
    pub async fn wait(mut self) {
        stopped(&mut self.shutdown.stop.subscribe()).await;
        self.tracker = None;
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, self.done.recv()).await;
    }

    fn device(&self, name: &str) -> Option<&(Arc<Device>, SocketAddr)> {
        self.devices.iter().find(|(d, _)| d.name == name)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.shutdown.shutdown();
    }
}

/// Binds every endpoint and serves them until the returned [`Served`] is shut down or
/// dropped. Nothing is bound if any address is outside 127.0.0.0/8.
pub async fn serve(endpoints: Vec<Endpoint>) -> Result<Served, SshError> {
    for endpoint in &endpoints {
        check_loopback(&endpoint.name, endpoint.listen)?;
    }
    let listeners = bind_all(&endpoints)?;
    let (stop, _) = watch::channel(false);
    let shutdown = ShutdownHandle {
        stop: Arc::new(stop),
    };
    let (tracker, done) = mpsc::channel(1);
    let counters = Arc::new(Counters::default());
    let mut devices = Vec::with_capacity(endpoints.len());
    for (endpoint, (socket, address)) in endpoints.into_iter().zip(listeners) {
        let socket = TcpListener::from_std(socket).map_err(|source| SshError::Bind {
            device: endpoint.name.clone(),
            address,
            source,
        })?;
        let device = Arc::new(Device {
            name: endpoint.name,
            seed: endpoint.host_key_seed,
            users: endpoint.users,
            console: endpoint.console,
            faults: Mutex::new(endpoint.faults),
            handshake: endpoint.handshake,
            config: tokio::sync::Mutex::new(None),
        });
        let listener = Listener {
            socket,
            device: Arc::clone(&device),
            stop: shutdown.stop.subscribe(),
            tracker: tracker.clone(),
            counters: Arc::clone(&counters),
        };
        tokio::spawn(listener.run());
        devices.push((device, address));
    }
    Ok(Served {
        devices,
        shutdown,
        counters,
        done,
        tracker: Some(tracker),
    })
}

/// Refuses anything outside 127.0.0.0/8 (IPv6 loopback included: the lab's address
/// plan is IPv4).
fn check_loopback(device: &str, address: SocketAddr) -> Result<(), SshError> {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => Ok(()),
        _ => Err(SshError::NotLoopback {
            device: device.to_string(),
            address,
        }),
    }
}

fn bind_all(endpoints: &[Endpoint]) -> Result<Vec<(std::net::TcpListener, SocketAddr)>, SshError> {
    endpoints
        .iter()
        .map(|endpoint| {
            let bind_error = |source| SshError::Bind {
                device: endpoint.name.clone(),
                address: endpoint.listen,
                source,
            };
            let listener = std::net::TcpListener::bind(endpoint.listen).map_err(bind_error)?;
            listener.set_nonblocking(true).map_err(bind_error)?;
            let address = listener.local_addr().map_err(bind_error)?;
            Ok((listener, address))
        })
        .collect()
}

/// One device's accept loop.
struct Listener {
    socket: TcpListener,
    device: Arc<Device>,
    stop: watch::Receiver<bool>,
    tracker: mpsc::Sender<()>,
    counters: Arc<Counters>,
}

impl Listener {
    async fn run(mut self) {
        loop {
            let accepted = tokio::select! {
                _ = stopped(&mut self.stop) => return,
                accepted = self.socket.accept() => accepted,
            };
            match accepted {
                Ok((stream, _peer)) => self.spawn_connection(stream),
                Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
            }
        }
    }

    fn spawn_connection(&self, stream: TcpStream) {
        self.counters.accepted.fetch_add(1, Ordering::SeqCst);
        self.counters.active.fetch_add(1, Ordering::SeqCst);
        let active = ActiveGuard(Arc::clone(&self.counters));
        let device = Arc::clone(&self.device);
        let stop = self.stop.clone();
        let tracker = self.tracker.clone();
        tokio::spawn(async move {
            run_connection(stream, device, stop).await;
            drop((active, tracker));
        });
    }
}

/// Serves one TCP connection until it ends or the server shuts down.
async fn run_connection(stream: TcpStream, device: Arc<Device>, mut stop: watch::Receiver<bool>) {
    let Ok(config) = device.config().await else {
        return;
    };
    // russh applies `Config::nodelay` only in its own accept loop, not in `run_stream`;
    // without it every reply waits ~40 ms for Nagle and delayed ACKs.
    let _ = stream.set_nodelay(true);
    // The latency profile's SSH set-up, in one lump before the identification line.
    if !device.handshake.is_zero() {
        tokio::select! {
            _ = stopped(&mut stop) => return,
            _ = tokio::time::sleep(device.handshake) => {}
        }
    }
    let handler = Connection::new(Arc::clone(&device));
    let session = tokio::select! {
        _ = stopped(&mut stop) => return,
        session = russh::server::run_stream(config, stream, handler) => match session {
            Ok(session) => session,
            Err(_) => return,
        },
    };
    let handle = session.handle();
    tokio::select! {
        _ = stopped(&mut stop) => {
            let _ = handle
                .disconnect(Disconnect::ByApplication, "lab shutting down".into(), String::new())
                .await;
        }
        _ = session => {}
    }
}

/// Resolves on shutdown, or when the server is dropped (the sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_127_slash_8_is_accepted() {
        for ok in ["127.0.0.1:0", "127.1.2.3:2222", "127.255.255.254:22"] {
            assert!(check_loopback("d", ok.parse().unwrap()).is_ok(), "{ok}");
        }
        for bad in [
            "0.0.0.0:22",
            "10.0.0.1:22",
            "128.0.0.1:22",
            "[::1]:22",
            "[::]:22",
        ] {
            let error = check_loopback("core1", bad.parse().unwrap()).unwrap_err();
            assert!(error.to_string().contains("core1"), "{bad}");
        }
    }

    #[test]
    fn known_hosts_lines_name_the_port_unless_22() {
        let key = host_public_key(&[1; 32], &SshFaults::default()).unwrap();
        let line = known_hosts_line("127.0.1.1:2222".parse().unwrap(), &key).unwrap();
        assert!(
            line.starts_with("[127.0.1.1]:2222 ssh-ed25519 AAAA"),
            "{line}"
        );
        let line = known_hosts_line("127.0.1.1:22".parse().unwrap(), &key).unwrap();
        assert!(line.starts_with("127.0.1.1 ssh-ed25519 AAAA"), "{line}");
        assert_eq!(line.split(' ').count(), 3);
    }
}
