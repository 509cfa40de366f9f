//! The HTTPS services (CSSM, satellite, transport gateway): their routes, their transport
//! faults, and the supervisor that closes and reopens a listening socket for the
//! "connection refused" outage.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum_server::tls_rustls::RustlsConfig;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::sync::watch;

use super::faults::{Faults, Outage, ServiceKind};
use super::pki::{self, Pki};
use super::protocol::Realm;
use super::protocol::{self, Failure, FailureCode, Request};
use super::state::{Context, Endpoint};
use super::{BackendConfig, BackendError, Shared};

/// How often, and how long apart, a service tries to listen again after an outage.
const REBIND_ATTEMPTS: u32 = 50;
const REBIND_PAUSE: Duration = Duration::from_millis(20);

/// The TLS configuration of each HTTPS service.
pub(super) struct TlsConfigs {
    pub cssm: RustlsConfig,
    pub satellite: RustlsConfig,
    pub gateway: RustlsConfig,
}

impl TlsConfigs {
    /// `faults` picks CSSM's certificate per handshake (`cssm_new_root`, docs/troubleshooting.md NX-3).
    pub fn new(
        pki: &Pki,
        config: &BackendConfig,
        faults: watch::Receiver<Faults>,
    ) -> Result<TlsConfigs, BackendError> {
        let make = |ca, names: &[String]| -> Result<RustlsConfig, BackendError> {
            let leaf = pki.leaf(ca, names)?;
            Ok(RustlsConfig::from_config(pki::server_config(&leaf)?))
        };
        let cssm = CssmCertificates {
            usual: pki::certified_key(&pki.leaf(&pki.cisco_root, &config.cssm.names)?)?,
            new_root: pki::certified_key(&pki.leaf(&pki.new_root, &config.cssm.names)?)?,
            faults,
        };
        Ok(TlsConfigs {
            cssm: RustlsConfig::from_config(pki::server_config_with(Arc::new(cssm))?),
            satellite: make(&pki.satellite_ca, &config.satellite.names)?,
            gateway: make(&pki.cisco_root, &config.gateway.names)?,
        })
    }
}

/// CSSM's certificate: chained to the lab Cisco root, or under `cssm_new_root` to a root
/// devices do not have built in.
struct CssmCertificates {
    usual: Arc<CertifiedKey>,
    new_root: Arc<CertifiedKey>,
    faults: watch::Receiver<Faults>,
}

impl std::fmt::Debug for CssmCertificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CssmCertificates")
    }
}

impl ResolvesServerCert for CssmCertificates {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(if self.faults.borrow().cssm_new_root {
            Arc::clone(&self.new_root)
        } else {
            Arc::clone(&self.usual)
        })
    }
}

/// Serves one HTTPS service on `listener`, under the outage supervisor.
pub(super) fn spawn_https(
    shared: &Arc<Shared>,
    kind: ServiceKind,
    listener: std::net::TcpListener,
    tls: RustlsConfig,
) {
    let app = router(Arc::clone(shared), kind);
    let serve = move |listener: std::net::TcpListener| {
        let (app, tls) = (app.clone(), tls.clone());
        async move {
            if let Ok(server) = axum_server::from_tcp_rustls(listener, tls) {
                let _ = server.serve(app.into_make_service()).await;
            }
        }
    };
    shared.spawn(supervise(Arc::clone(shared), kind, listener, serve));
}

#[derive(Clone)]
struct Service {
    shared: Arc<Shared>,
    kind: ServiceKind,
}

fn router(shared: Arc<Shared>, kind: ServiceKind) -> Router {
    let service = Service { shared, kind };
    let router = Router::new();
    let router = match kind {
        ServiceKind::Cssm => router
            .route(
                protocol::PATH_CALL_HOME,
                post(|s: State<Service>, b: Bytes| s.0.answer(Endpoint::CallHome, b)),
            )
            .route(
                protocol::PATH_SMART,
                post(|s: State<Service>, b: Bytes| s.0.answer(Endpoint::Smart, b)),
            ),
        _ => router
            .route(
                protocol::PATH_ON_PREM,
                post(|s: State<Service>, b: Bytes| s.0.answer(Endpoint::OnPrem, b)),
            )
            .route(
                protocol::PATH_CSLU,
                post(|s: State<Service>, b: Bytes| s.0.answer(Endpoint::Cslu { account: None }, b)),
            )
            .route(
                &format!("{}/{{account}}", protocol::PATH_CSLU),
                post(|s: State<Service>, Path(account): Path<String>, b: Bytes| {
                    s.0.answer(
                        Endpoint::Cslu {
                            account: Some(account),
                        },
                        b,
                    )
                }),
            ),
    };
    router.with_state(service)
}

impl Service {
    /// The satellite keeps its own books; CSSM and the gateway (a relay) use CSSM's.
    fn realm(&self) -> Realm {
        match self.kind {
            ServiceKind::Satellite => Realm::Satellite,
            _ => Realm::Cssm,
        }
    }

    async fn answer(self, endpoint: Endpoint, body: Bytes) -> Response {
        let fault = self.shared.faults().service(self.kind);
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if fault.outage == Some(Outage::Unavailable) {
            return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
        }
        let request: Request = match serde_json::from_slice(&body) {
            Ok(request) => request,
            Err(e) => return bad_request(e),
        };
        // Read after the delay, so a fault changed meanwhile applies.
        let faults = self.shared.faults();
        let ctx = Context {
            realm: self.realm(),
            endpoint: &endpoint,
            now_ms: self.shared.now_ms(),
            faults: &faults,
        };
        let response = self.shared.books().handle(&ctx, &request);
        if faults.crl_unreachable && matches!(response, protocol::Response::Ok(_)) {
            // docs/troubleshooting.md CAT-7: the request went through; the device may not accept it.
            let mut body = serde_json::to_value(&response).unwrap_or_default();
            body[protocol::CRL_UNREACHABLE] = serde_json::Value::Bool(true);
            return axum::Json(body).into_response();
        }
        axum::Json(response).into_response()
    }
}

fn bad_request(e: serde_json::Error) -> Response {
    let failure = Failure::new(FailureCode::BadRequest, format!("malformed request: {e}"));
    let body = axum::Json(protocol::Response::Failed(failure));
    (StatusCode::BAD_REQUEST, body).into_response()
}

/// Runs `serve(listener)` while the service is up. When an outage fault asks for refused
/// connections, the serving future is dropped — which closes the listening socket, so
/// connecting fails at once — and the socket is bound again when the fault clears.
pub(super) async fn supervise<F, Fut>(
    shared: Arc<Shared>,
    kind: ServiceKind,
    listener: std::net::TcpListener,
    serve: F,
) where
    F: Fn(std::net::TcpListener) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(addr) = listener.local_addr() else {
        return;
    };
    let mut faults = shared.faults.subscribe();
    let mut listener = Some(listener);
    loop {
        if faults.borrow_and_update().refuses(kind) {
            drop(listener.take());
            if faults.changed().await.is_err() {
                return;
            }
            continue;
        }
        let bound = match listener.take() {
            Some(bound) => bound,
            None => match rebind(addr).await {
                Some(bound) => bound,
                None => return,
            },
        };
        let serving = serve(bound);
        tokio::pin!(serving);
        loop {
            tokio::select! {
                () = &mut serving => return,
                changed = faults.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    if faults.borrow().refuses(kind) {
                        break;
                    }
                }
            }
        }
    }
}

/// Listens again on the service's address after an outage (bounded retries).
async fn rebind(addr: SocketAddr) -> Option<std::net::TcpListener> {
    for _ in 0..REBIND_ATTEMPTS {
        if let Ok(listener) = super::bind("service", addr) {
            return Some(listener);
        }
        tokio::time::sleep(REBIND_PAUSE).await;
    }
    None
}
