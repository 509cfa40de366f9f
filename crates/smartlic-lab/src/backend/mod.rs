//! The simulated licensing back-end, over real HTTP(S) on loopback (issue 3, docs/lab.md):
//!
//! - **CSSM** (`tools.cisco.com`, `smartreceiver.cisco.com`): classic call-home
//!   ([`protocol::PATH_CALL_HOME`]) and Using Policy smart transport ([`protocol::PATH_SMART`]);
//!   its certificate chains to the lab "Cisco" root that devices trust out of the box;
//! - the **satellite** (SSM On-Prem): [`protocol::PATH_ON_PREM`] and the CSLU path
//!   [`protocol::PATH_CSLU`]`[/<account>]`, with its own private CA and its own tokens and
//!   product instances;
//! - the **transport gateway**: the same paths as the satellite, relaying to CSSM's books
//!   (it takes CSSM tokens, [CAT-TS] [NX-TS] [ACI-SL]); its certificate chains to the lab Cisco root, so
//!   devices need no import for it ([ACI-SL]);
//! - an **HTTP CONNECT proxy** that tunnels, or with [`Faults::proxy_intercept`] terminates
//!   TLS with its own CA and re-originates the request ([CAT-TS]);
//! - the **admin API** ([`admin`]), plain HTTP.
//!
//! Each listens on its own 127.0.0.0/8 socket (port 0 picks one); anything else is refused
//! (issue 3: "never binds or connects outside 127.0.0.0/8"). Each service also has a
//! *virtual* address in the documentation ranges (docs/lab.md, network model): devices
//! resolve names to it, and [`Backend::resolve`] maps it to the loopback socket.
//!
//! The licensing logic is in [`state`], the JSON the devices speak in [`protocol`], the
//! certificates in [`pki`], the faults in [`faults`]. The back-end owns no device state.

pub mod admin;
mod admin_client;
pub mod devices;
pub mod faults;
pub mod pki;
pub mod protocol;
mod proxy;
mod service;
pub mod state;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::LabClock;

pub use admin_client::{
    create_token_via_admin, services_via_admin, set_faults_via_admin, state_via_admin,
};
pub use devices::{
    DeviceAdmin, DeviceFaults, DeviceList, device_faults_via_admin, devices_via_admin,
    set_device_faults_via_admin,
};
pub use faults::{Faults, Outage, ServiceFault, ServiceKind};
pub use protocol::Policy;
pub use protocol::{PoolRequest, Realm, RevokeRequest, TokenReply, TokenRequest};
pub use state::{AccountSeed, Counters, SavedBooks, StateSnapshot, VirtualAccountSeed};

use pki::{Pki, SavedPki};
use state::Books;

/// Where one service listens and what it is called.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceConfig {
    /// A 127.0.0.0/8 socket; port 0 picks a free port.
    pub listen: SocketAddr,
    /// DNS names and/or IP addresses for its certificate (the first is the subject CN).
    /// [CAT-TS] [ACI-SL]: a device must use one of these in its URL.
    pub names: Vec<String>,
    /// The address devices reach it at in the lab's network model (not bound).
    pub virtual_addr: SocketAddr,
}

/// How to start the back-end. [`Default`] is a complete lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackendConfig {
    pub cssm: ServiceConfig,
    pub satellite: ServiceConfig,
    pub gateway: ServiceConfig,
    /// The proxy has no certificate of its own; `names` are what devices configure.
    pub proxy: ServiceConfig,
    pub admin: SocketAddr,
    pub accounts: Vec<AccountSeed>,
    /// The policy installed with trust and sent with each ACK ([C9400-174]).
    pub policy: Policy,
    /// How far a device clock may be off before CAT-3 ([NX-TSFAQ]: under one hour).
    pub clock_skew_tolerance_secs: u64,
    pub faults: Faults,
}

impl Default for BackendConfig {
    fn default() -> BackendConfig {
        let service = |names: &[&str], virtual_addr: [u8; 4], port| ServiceConfig {
            listen: loopback(0),
            names: names.iter().map(|n| n.to_string()).collect(),
            virtual_addr: SocketAddr::from((virtual_addr, port)),
        };
        BackendConfig {
            // [CAT-TS] and [RTR-CMD] [GENIELIBS]: the two CSSM host names.
            cssm: service(
                &["tools.cisco.com", "smartreceiver.cisco.com"],
                [198, 51, 100, 10],
                443,
            ),
            satellite: service(&["satellite.example.com"], [198, 51, 100, 20], 443),
            // [CAT-TS]: the TG URL carries its port.
            gateway: service(&["tg.example.com"], [198, 51, 100, 30], 8443),
            proxy: service(&["proxy.example.com"], [198, 51, 100, 40], 3128),
            admin: loopback(0),
            accounts: AccountSeed::lab_default(),
            policy: Policy::cisco_default(),
            clock_skew_tolerance_secs: 3600,
            faults: Faults::default(),
        }
    }
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// A running service, as devices and tests need to know it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// The loopback socket it really listens on.
    pub listen: SocketAddr,
    pub virtual_addr: SocketAddr,
    /// The CA to trust for it: the lab Cisco root (CSSM, gateway), the satellite's CA, or
    /// the proxy's interception CA.
    pub ca_pem: String,
    /// The names (and IPs) in its certificate.
    pub names: Vec<String>,
}

/// Every service of a running back-end (`GET /admin/services`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Services {
    pub cssm: ServiceInfo,
    pub satellite: ServiceInfo,
    pub gateway: ServiceInfo,
    pub proxy: ServiceInfo,
    pub admin: SocketAddr,
    /// The lab Cisco root, trusted by devices out of the box.
    pub cisco_root_pem: String,
}

impl Services {
    /// The loopback socket behind `host:port` as a device names it: one of a service's
    /// names or its virtual address (with its virtual port), or a service's own loopback
    /// socket. `None` for anything else: the lab connects nowhere outside loopback.
    pub fn resolve(&self, host: &str, port: u16) -> Option<SocketAddr> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let ip = host.parse::<IpAddr>().ok();
        let services = [&self.cssm, &self.satellite, &self.gateway, &self.proxy];
        services.iter().find_map(|s| {
            let named = s.names.iter().any(|n| n.eq_ignore_ascii_case(host));
            let by_virtual =
                (named || ip == Some(s.virtual_addr.ip())) && port == s.virtual_addr.port();
            let direct = ip == Some(s.listen.ip()) && port == s.listen.port();
            (by_virtual || direct).then_some(s.listen)
        })
    }
}

/// Why the back-end could not start, or an admin call failed.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("the lab back-end's {service} must use 127.0.0.0/8, not {addr}")]
    NotLoopback {
        service: &'static str,
        addr: SocketAddr,
    },
    #[error("the lab back-end's {service} could not listen on {addr}: {source}")]
    Bind {
        service: &'static str,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error("the lab back-end's {service} needs at least one name for its certificate")]
    NoNames { service: &'static str },
    #[error("could not make {what}: {source}")]
    Certificate {
        what: String,
        #[source]
        source: rcgen::Error,
    },
    #[error("could not build {what}: {source}")]
    Tls {
        what: String,
        #[source]
        source: rustls::Error,
    },
    #[error("the lab admin API at {admin}: {message}")]
    Admin { admin: SocketAddr, message: String },
}

/// Refuses any address outside 127.0.0.0/8.
pub fn require_loopback(service: &'static str, addr: SocketAddr) -> Result<(), BackendError> {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => Ok(()),
        _ => Err(BackendError::NotLoopback { service, addr }),
    }
}

/// What every task of the back-end shares.
pub(crate) struct Shared {
    books: Mutex<Books>,
    faults: watch::Sender<Faults>,
    clock: LabClock,
    services: Services,
    pki: Pki,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// The lab's devices, for the admin API's device part (attached once, by `lab::run`).
    devices: std::sync::OnceLock<Arc<dyn DeviceAdmin>>,
}

impl Shared {
    fn books(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now_ms(&self) -> i64 {
        (self.clock.now() * 1000.0) as i64
    }

    fn faults(&self) -> Faults {
        self.faults.borrow().clone()
    }

    fn set_faults(&self, faults: Faults) {
        self.faults.send_replace(faults);
    }

    fn snapshot(&self) -> StateSnapshot {
        let now = self.now_ms();
        self.books().snapshot(now)
    }

    fn mint_token(&self, request: &TokenRequest) -> TokenReply {
        let now = self.now_ms();
        self.books().mint_token(request, now)
    }

    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(task);
        self.tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(handle);
    }

    fn abort_tasks(&self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            task.abort();
        }
    }
}

/// A running back-end. Dropping it stops every service.
pub struct Backend {
    pub cssm: ServiceInfo,
    pub satellite: ServiceInfo,
    pub gateway: ServiceInfo,
    pub proxy: ServiceInfo,
    pub admin: SocketAddr,
    /// The lab Cisco root (devices trust it out of the box).
    pub cisco_root_pem: String,
    /// The satellite's private CA (devices import it with `crypto pki authenticate`).
    pub satellite_ca_pem: String,
    /// The intercepting proxy's CA.
    pub proxy_ca_pem: String,
    /// The root CSSM's certificate chains to under `cssm_new_root` (docs/troubleshooting.md NX-3).
    pub new_root_pem: String,
    shared: Arc<Shared>,
}

/// Real time a request may take from the device to the back-end's books, added (scaled to
/// lab time) to the clock-skew tolerance.
const TRANSIT_ALLOWANCE: std::time::Duration = std::time::Duration::from_secs(1);

/// What the back-end keeps between `--lab` runs ([`crate::saved`]): its
/// authorities (so a CA certificate a device imported stays good) and its books.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedBackend {
    pub pki: SavedPki,
    pub books: SavedBooks,
}

/// Starts every service. Must run inside a tokio runtime.
pub async fn start(config: BackendConfig, clock: LabClock) -> Result<Backend, BackendError> {
    start_from(config, clock, None).await
}

/// As [`start`], resuming `saved` (from [`Backend::saved`]) when given.
pub async fn start_from(
    config: BackendConfig,
    clock: LabClock,
    saved: Option<&SavedBackend>,
) -> Result<Backend, BackendError> {
    let listeners = Listeners::bind(&config)?;
    let pki = match saved {
        Some(saved) => Pki::resume(&saved.pki, clock.now())?,
        None => Pki::new(clock.now())?,
    };
    let faults = watch::Sender::new(config.faults.clone());
    let tls = service::TlsConfigs::new(&pki, &config, faults.subscribe())?;
    let services = listeners.services(&config, &pki)?;
    // A request's device time is taken when it is built and checked when it arrives: on
    // a fast lab clock the (real) transit time is many lab seconds, which must not read
    // as a wrong device clock (docs/troubleshooting.md CAT-3 is about the clock, not the network).
    let transit_secs = (clock.scale() * TRANSIT_ALLOWANCE.as_secs_f64()).ceil() as u64;
    let mut books = Books::new(
        &config.accounts,
        config.policy.clone(),
        config
            .clock_skew_tolerance_secs
            .saturating_add(transit_secs),
    );
    if let Some(saved) = saved {
        books.resume(saved.books.clone());
    }
    let shared = Arc::new(Shared {
        books: Mutex::new(books),
        faults,
        clock,
        services: services.clone(),
        pki,
        tasks: Mutex::new(Vec::new()),
        devices: std::sync::OnceLock::new(),
    });
    listeners.spawn(&shared, tls)?;
    Ok(Backend {
        new_root_pem: shared.pki.new_root.pem(),
        cisco_root_pem: services.cisco_root_pem.clone(),
        satellite_ca_pem: services.satellite.ca_pem.clone(),
        proxy_ca_pem: services.proxy.ca_pem.clone(),
        cssm: services.cssm,
        satellite: services.satellite,
        gateway: services.gateway,
        proxy: services.proxy,
        admin: services.admin,
        shared,
    })
}

/// The five listening sockets, bound before anything else so a port clash fails early.
struct Listeners {
    cssm: std::net::TcpListener,
    satellite: std::net::TcpListener,
    gateway: std::net::TcpListener,
    proxy: std::net::TcpListener,
    admin: std::net::TcpListener,
}

impl Listeners {
    fn bind(config: &BackendConfig) -> Result<Listeners, BackendError> {
        let named = [
            ("CSSM", &config.cssm),
            ("satellite", &config.satellite),
            ("transport gateway", &config.gateway),
            ("proxy", &config.proxy),
        ];
        for (service, s) in named {
            require_loopback(service, s.listen)?;
            if s.names.is_empty() {
                return Err(BackendError::NoNames { service });
            }
        }
        require_loopback("admin API", config.admin)?;
        Ok(Listeners {
            cssm: bind("CSSM", config.cssm.listen)?,
            satellite: bind("satellite", config.satellite.listen)?,
            gateway: bind("transport gateway", config.gateway.listen)?,
            proxy: bind("proxy", config.proxy.listen)?,
            admin: bind("admin API", config.admin)?,
        })
    }

    fn services(&self, config: &BackendConfig, pki: &Pki) -> Result<Services, BackendError> {
        let info = |listener: &std::net::TcpListener, s: &ServiceConfig, ca: String| {
            Ok(ServiceInfo {
                listen: local_addr(listener)?,
                virtual_addr: s.virtual_addr,
                ca_pem: ca,
                names: s.names.clone(),
            })
        };
        let root = pki.cisco_root.pem();
        Ok(Services {
            cssm: info(&self.cssm, &config.cssm, root.clone())?,
            satellite: info(&self.satellite, &config.satellite, pki.satellite_ca.pem())?,
            gateway: info(&self.gateway, &config.gateway, root.clone())?,
            proxy: info(&self.proxy, &config.proxy, pki.proxy_ca.pem())?,
            admin: local_addr(&self.admin)?,
            cisco_root_pem: root,
        })
    }

    fn spawn(self, shared: &Arc<Shared>, tls: service::TlsConfigs) -> Result<(), BackendError> {
        service::spawn_https(shared, ServiceKind::Cssm, self.cssm, tls.cssm);
        service::spawn_https(
            shared,
            ServiceKind::Satellite,
            self.satellite,
            tls.satellite,
        );
        service::spawn_https(shared, ServiceKind::Gateway, self.gateway, tls.gateway);
        proxy::spawn(shared, self.proxy);
        let admin = tokio_listener("admin API", self.admin)?;
        let app = admin::router(Arc::clone(shared));
        shared.spawn(async move {
            let _ = axum::serve(admin, app).await;
        });
        Ok(())
    }
}

fn local_addr(listener: &std::net::TcpListener) -> Result<SocketAddr, BackendError> {
    listener.local_addr().map_err(|source| BackendError::Bind {
        service: "back-end",
        addr: loopback(0),
        source,
    })
}

/// Binds a listening socket with `SO_REUSEADDR`, so a service closed by an outage fault can
/// listen again on the same port while old connections linger in TIME_WAIT.
fn bind(service: &'static str, addr: SocketAddr) -> Result<std::net::TcpListener, BackendError> {
    let bound = || -> io::Result<std::net::TcpListener> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(1024)?.into_std()
    };
    bound().map_err(|source| BackendError::Bind {
        service,
        addr,
        source,
    })
}

fn tokio_listener(
    service: &'static str,
    listener: std::net::TcpListener,
) -> Result<tokio::net::TcpListener, BackendError> {
    let addr = local_addr(&listener)?;
    listener
        .set_nonblocking(true)
        .and_then(|()| tokio::net::TcpListener::from_std(listener))
        .map_err(|source| BackendError::Bind {
            service,
            addr,
            source,
        })
}

impl Backend {
    /// Mints a CSSM token ([CAT-TS] [NX-TS] [ACI-SL] "New Token"); `max_uses: None` is unlimited.
    pub fn create_token(
        &self,
        account: &str,
        virtual_account: &str,
        expires_days: u32,
        max_uses: Option<u32>,
    ) -> String {
        let request = TokenRequest {
            expires_days,
            max_uses,
            ..TokenRequest::new(account, virtual_account)
        };
        self.mint_token(&request).token
    }

    /// Mints a token on the satellite (usable only against the satellite).
    pub fn create_satellite_token(
        &self,
        account: &str,
        virtual_account: &str,
        expires_days: u32,
        max_uses: Option<u32>,
    ) -> String {
        let request = TokenRequest {
            realm: Realm::Satellite,
            expires_days,
            max_uses,
            ..TokenRequest::new(account, virtual_account)
        };
        self.mint_token(&request).token
    }

    pub fn mint_token(&self, request: &TokenRequest) -> TokenReply {
        self.shared.mint_token(request)
    }

    /// Revokes a token; false if there is no such token.
    pub fn revoke_token(&self, token: &str) -> bool {
        self.shared.books().revoke_token(token)
    }

    /// Sets how many licenses of `tag` a virtual account holds.
    pub fn set_pool(&self, account: &str, virtual_account: &str, tag: &str, count: i64) {
        self.shared.books().set_pool(&PoolRequest {
            account: account.to_string(),
            virtual_account: virtual_account.to_string(),
            tag: tag.to_string(),
            count,
        });
    }

    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Gives the admin API the lab's devices (`/admin/devices/…`); only the first call
    /// counts. Returns whether this one did.
    pub fn attach_devices(&self, devices: Arc<dyn DeviceAdmin>) -> bool {
        self.shared.devices.set(devices).is_ok()
    }

    /// Replaces the faults; services pick them up at once.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// Accounts, pools, tokens, product instances and per-UDI counters.
    pub fn snapshot(&self) -> StateSnapshot {
        self.shared.snapshot()
    }

    pub fn services(&self) -> &Services {
        &self.shared.services
    }

    /// Its authorities and books now, for [`start_from`].
    pub fn saved(&self) -> SavedBackend {
        self.saver().saved()
    }

    /// A handle that reads [`Backend::saved`] without the `Backend` (e.g. from a signal
    /// handler's task).
    pub fn saver(&self) -> BackendSaver {
        BackendSaver(Arc::clone(&self.shared))
    }

    /// See [`Services::resolve`].
    pub fn resolve(&self, host: &str, port: u16) -> Option<SocketAddr> {
        self.shared.services.resolve(host, port)
    }

    pub fn clock(&self) -> &LabClock {
        &self.shared.clock
    }

    /// Stops every service (also done on drop).
    pub fn shutdown(&self) {
        self.shared.abort_tasks();
    }
}

/// See [`Backend::saver`].
#[derive(Clone)]
pub struct BackendSaver(Arc<Shared>);

impl BackendSaver {
    pub fn saved(&self) -> SavedBackend {
        let now = self.0.now_ms();
        SavedBackend {
            pki: self.0.pki.saved(),
            books: self.0.books().saved(now),
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.shared.abort_tasks();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ipv4_loopback_is_allowed() {
        assert!(require_loopback("x", "127.0.0.1:0".parse().unwrap()).is_ok());
        assert!(require_loopback("x", "127.3.2.1:22".parse().unwrap()).is_ok());
        for addr in [
            "0.0.0.0:0",
            "10.0.0.1:443",
            "[::1]:443",
            "198.51.100.10:443",
        ] {
            let err = require_loopback("CSSM", addr.parse().unwrap()).unwrap_err();
            assert!(err.to_string().contains(addr), "{err}");
        }
    }

    #[tokio::test]
    async fn start_refuses_a_non_loopback_listen_address() {
        let mut config = BackendConfig::default();
        config.satellite.listen = "0.0.0.0:0".parse().unwrap();
        let err = start(config, LabClock::new(1.0)).await.err().unwrap();
        assert_eq!(
            err.to_string(),
            "the lab back-end's satellite must use 127.0.0.0/8, not 0.0.0.0:0"
        );
    }

    #[test]
    fn resolve_maps_names_and_virtual_addresses_only() {
        let info = |listen: &str, virtual_addr: &str, names: &[&str]| ServiceInfo {
            listen: listen.parse().unwrap(),
            virtual_addr: virtual_addr.parse().unwrap(),
            ca_pem: String::new(),
            names: names.iter().map(|n| n.to_string()).collect(),
        };
        let services = Services {
            cssm: info("127.0.0.1:1001", "198.51.100.10:443", &["tools.cisco.com"]),
            satellite: info("127.0.0.1:1002", "198.51.100.20:443", &["sat.example.com"]),
            gateway: info("127.0.0.1:1003", "198.51.100.30:8443", &["tg.example.com"]),
            proxy: info(
                "127.0.0.1:1004",
                "198.51.100.40:3128",
                &["proxy.example.com"],
            ),
            admin: "127.0.0.1:1005".parse().unwrap(),
            cisco_root_pem: String::new(),
        };
        let cssm = Some("127.0.0.1:1001".parse().unwrap());
        assert_eq!(services.resolve("TOOLS.cisco.com", 443), cssm);
        assert_eq!(services.resolve("198.51.100.10", 443), cssm);
        assert_eq!(services.resolve("127.0.0.1", 1001), cssm);
        assert_eq!(services.resolve("tools.cisco.com", 80), None);
        assert_eq!(services.resolve("tg.example.com", 443), None);
        assert_eq!(services.resolve("example.org", 443), None);
    }
}
