//! The HTTP CONNECT proxy ([CAT-TS] [NX-TS] [ACI-SL] "HTTPS proxy"). It tunnels `CONNECT host:port` to the
//! lab service behind that name or virtual address, and nowhere else (loopback only).
//!
//! With [`super::Faults::proxy_intercept`] it does what SSL-inspecting proxies do
//! ([CAT-TS]): the tunnel ends at an interceptor that presents a certificate for the
//! requested host signed by the proxy's own CA, reads the HTTP request, and re-originates
//! it over a new TLS connection to the real service, checking that service's certificate
//! for the requested host against the lab Cisco root and the satellite CA. A device that has
//! not imported the proxy CA as a trustpoint therefore fails its TLS handshake.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_server::tls_rustls::RustlsConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::faults::{Outage, ServiceKind};
use super::{BackendError, Shared, pki, service};

const HEAD_LIMIT: usize = 8192;
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest a tunnel stays open.
const TUNNEL_LIMIT: Duration = Duration::from_secs(300);
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);
const BODY_LIMIT: usize = 1 << 20;
/// At most this many interceptors (one per distinct `host:port` asked for).
const INTERCEPTOR_LIMIT: usize = 64;

const ESTABLISHED: &[u8] = b"HTTP/1.1 200 Connection established\r\n\r\n";
const BAD_REQUEST: &str =
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const NOT_ALLOWED: &str =
    "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const BAD_GATEWAY: &str =
    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const UNAVAILABLE: &str =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Hop-by-hop headers an interceptor does not copy upstream.
const HOP_BY_HOP: [HeaderName; 6] = [
    header::HOST,
    header::CONNECTION,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::TE,
    header::UPGRADE,
];

struct Proxy {
    shared: Arc<Shared>,
    /// Interceptor address per requested `host:port`.
    interceptors: Mutex<HashMap<(String, u16), SocketAddr>>,
}

/// Serves the proxy on `listener`, under the outage supervisor.
pub(super) fn spawn(shared: &Arc<Shared>, listener: std::net::TcpListener) {
    let proxy = Arc::new(Proxy {
        shared: Arc::clone(shared),
        interceptors: Mutex::new(HashMap::new()),
    });
    let serve = move |listener| Arc::clone(&proxy).accept(listener);
    shared.spawn(service::supervise(
        Arc::clone(shared),
        ServiceKind::Proxy,
        listener,
        serve,
    ));
}

impl Proxy {
    async fn accept(self: Arc<Self>, listener: std::net::TcpListener) {
        let Ok(listener) = listener
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpListener::from_std(listener))
        else {
            return;
        };
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(Arc::clone(&self).client(stream));
                }
                // Out of file descriptors and the like: let it pass.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    async fn client(self: Arc<Self>, mut stream: TcpStream) {
        let Ok(Ok((head, rest))) = timeout(HEAD_TIMEOUT, read_head(&mut stream)).await else {
            return;
        };
        match self.open(&head).await {
            Err(status) => {
                let _ = stream.write_all(status.as_bytes()).await;
            }
            Ok(mut upstream) => {
                if stream.write_all(ESTABLISHED).await.is_err()
                    || upstream.write_all(&rest).await.is_err()
                {
                    return;
                }
                let _ = timeout(TUNNEL_LIMIT, copy_bidirectional(&mut stream, &mut upstream)).await;
            }
        }
    }

    /// Connects the tunnel's far end, or says which status line to answer.
    async fn open(&self, head: &str) -> Result<TcpStream, &'static str> {
        let (host, port) = parse_connect(head)?;
        let fault = self.shared.faults().service(ServiceKind::Proxy);
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if fault.outage == Some(Outage::Unavailable) {
            return Err(UNAVAILABLE);
        }
        let service = self
            .shared
            .services
            .resolve(&host, port)
            .ok_or(BAD_GATEWAY)?;
        let target = if self.shared.faults().proxy_intercept {
            self.interceptor(&host, port, service)?
        } else {
            service
        };
        match timeout(CONNECT_TIMEOUT, TcpStream::connect(target)).await {
            Ok(Ok(stream)) => Ok(stream),
            _ => Err(BAD_GATEWAY),
        }
    }

    fn interceptor(
        &self,
        host: &str,
        port: u16,
        upstream: SocketAddr,
    ) -> Result<SocketAddr, &'static str> {
        let key = (host.to_ascii_lowercase(), port);
        let mut interceptors = self.interceptors.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(addr) = interceptors.get(&key) {
            return Ok(*addr);
        }
        if interceptors.len() >= INTERCEPTOR_LIMIT {
            return Err(BAD_GATEWAY);
        }
        let addr = self
            .start_interceptor(host, port, upstream)
            .map_err(|_| BAD_GATEWAY)?;
        interceptors.insert(key, addr);
        Ok(addr)
    }

    /// An HTTPS server presenting a proxy-CA certificate for `host` that re-originates
    /// every request to `upstream`.
    fn start_interceptor(
        &self,
        host: &str,
        port: u16,
        upstream: SocketAddr,
    ) -> Result<SocketAddr, BackendError> {
        let pki = &self.shared.pki;
        let leaf = pki.leaf(&pki.proxy_ca, &[host.to_string()])?;
        let tls = RustlsConfig::from_config(pki::server_config(&leaf)?);
        let ip = self.shared.services.proxy.listen.ip();
        let listener = super::bind("proxy interceptor", SocketAddr::new(ip, 0))?;
        let addr = super::local_addr(&listener)?;
        let roots = [
            pki.cisco_root.der(),
            pki.satellite_ca.der(),
            pki.new_root.der(),
        ];
        let forward = Arc::new(Forward {
            client: pinned_client(&roots, host)?,
            upstream,
            host_header: if port == 443 {
                host.to_string()
            } else {
                format!("{host}:{port}")
            },
        });
        let app = Router::new().fallback(forward_request).with_state(forward);
        self.shared.spawn(async move {
            if let Ok(server) = axum_server::from_tcp_rustls(listener, tls) {
                let _ = server.serve(app.into_make_service()).await;
            }
        });
        Ok(addr)
    }
}

/// Reads an HTTP request head (up to [`HEAD_LIMIT`] bytes); returns it and any bytes read
/// past it.
async fn read_head(stream: &mut TcpStream) -> io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    while buf.len() <= HEAD_LIMIT {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
    }
    Err(io::ErrorKind::InvalidData.into())
}

/// `CONNECT host:port HTTP/1.1` → host and port.
fn parse_connect(head: &str) -> Result<(String, u16), &'static str> {
    let mut words = head.lines().next().unwrap_or("").split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return Err(BAD_REQUEST);
    };
    if !method.eq_ignore_ascii_case("CONNECT") {
        return Err(NOT_ALLOWED);
    }
    let (host, port) = target.rsplit_once(':').ok_or(BAD_REQUEST)?;
    let port = port.parse().map_err(|_| BAD_REQUEST)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(BAD_REQUEST);
    }
    Ok((host.to_string(), port))
}

struct Forward {
    client: reqwest::Client,
    upstream: SocketAddr,
    host_header: String,
}

async fn forward_request(
    State(forward): State<Arc<Forward>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("https://{}{path}", forward.upstream);
    let mut upstream = forward.client.request(parts.method, url).body(body);
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(name) {
            upstream = upstream.header(name, value);
        }
    }
    let sent = upstream.header(header::HOST, &forward.host_header).send();
    let Ok(Ok(reply)) = timeout(UPSTREAM_TIMEOUT, sent).await else {
        return (StatusCode::BAD_GATEWAY, "the upstream request failed").into_response();
    };
    let status = reply.status();
    let content_type = reply.headers().get(header::CONTENT_TYPE).cloned();
    let Ok(bytes) = reply.bytes().await else {
        return (StatusCode::BAD_GATEWAY, "the upstream reply failed").into_response();
    };
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
    }
    response
}

/// A client that trusts `roots` and checks the server's certificate for `host`, whatever
/// address it connects to (the interceptor connects to the service's loopback socket).
fn pinned_client(
    roots: &[CertificateDer<'static>],
    host: &str,
) -> Result<reqwest::Client, BackendError> {
    let failed = |e: &dyn std::fmt::Display| BackendError::Tls {
        what: format!("the interceptor's client for {host}"),
        source: rustls::Error::General(e.to_string()),
    };
    let mut store = RootCertStore::empty();
    for root in roots {
        store.add(root.clone()).map_err(|e| failed(&e))?;
    }
    let name = ServerName::try_from(host.to_string()).map_err(|e| failed(&e))?;
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(store), pki::provider())
        .build()
        .map_err(|e| failed(&e))?;
    let config = ClientConfig::builder_with_provider(pki::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(&e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned { inner, name }))
        .with_no_client_auth();
    reqwest::Client::builder()
        .no_proxy()
        .tls_backend_preconfigured(config)
        .build()
        .map_err(|e| failed(&e))
}

/// Web PKI verification against a fixed server name.
#[derive(Debug)]
struct Pinned {
    inner: Arc<WebPkiServerVerifier>,
    name: ServerName<'static>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, &self.name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_lines_parse() {
        let head = "CONNECT tools.cisco.com:443 HTTP/1.1\r\nHost: tools.cisco.com:443\r\n\r\n";
        assert_eq!(parse_connect(head), Ok(("tools.cisco.com".into(), 443)));
        assert_eq!(
            parse_connect("CONNECT [::1]:8443 HTTP/1.1\r\n\r\n"),
            Ok(("::1".into(), 8443))
        );
        assert_eq!(
            parse_connect("GET http://x/ HTTP/1.1\r\n\r\n"),
            Err(NOT_ALLOWED)
        );
        assert_eq!(
            parse_connect("CONNECT nohost HTTP/1.1\r\n\r\n"),
            Err(BAD_REQUEST)
        );
        assert_eq!(parse_connect(""), Err(BAD_REQUEST));
    }
}
