//! The real HTTPS call a device makes to the lab back-end, trusting only what the device
//! trusts.
//!
//! TLS is rustls with a verifier of our own ([`DeviceVerifier`]): the chain must end at one
//! of the device's trust anchors (the lab's "Cisco" root, as Cisco's root is built into
//! real devices, plus the CAs imported with `crypto pki authenticate`), and the
//! certificate must name the host *as configured on the device* (a DNS name or a virtual
//! address), whatever loopback socket the lab really connects to. The name check is
//! skipped only with `no http secure server-identity-check` ([CAT-TS]). reqwest's own
//! `tls_certs_only` + `danger_accept_invalid_hostnames` cannot check a *virtual* name, so
//! the rustls config is handed over with `tls_backend_preconfigured`.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::network::Route;

/// How a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The server's certificate chains to no root the device trusts.
    UntrustedRoot,
    /// Another TLS failure: the certificate does not name the host, a bad handshake.
    Tls(String),
    /// No connection (refused, reset, proxy refused the tunnel).
    Connect(String),
    Timeout,
    /// An answer that is not the lab protocol's JSON.
    BadReply(String),
}

/// The device's TLS client config.
pub fn tls_config(
    trust_anchors_pem: &[String],
    server_name: &str,
    check_identity: bool,
) -> Result<rustls::ClientConfig, CallError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    for pem in trust_anchors_pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()).flatten() {
            let _ = roots.add(cert);
        }
    }
    if roots.is_empty() {
        return Err(CallError::Tls("no trust anchors".into()));
    }
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| CallError::Tls(e.to_string()))?;
    let name = ServerName::try_from(server_name.to_string())
        .map_err(|e| CallError::Tls(format!("{server_name}: {e}")))?;
    let verifier = DeviceVerifier {
        inner,
        name,
        check_identity,
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CallError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(config)
}

/// Verifies the chain against the device's anchors and the name the device configured.
#[derive(Debug)]
struct DeviceVerifier {
    inner: Arc<WebPkiServerVerifier>,
    name: ServerName<'static>,
    check_identity: bool,
}

impl ServerCertVerifier for DeviceVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            &self.name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_identity => Ok(ServerCertVerified::assertion()),
            other => other,
        }
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

/// POSTs `body` along `route` and returns the reply's JSON. Connects only to the route's
/// loopback socket (never to what DNS or the environment's proxy settings say).
pub async fn post(
    route: &Route,
    body: &serde_json::Value,
    trust_anchors_pem: &[String],
    check_identity: bool,
    timeout: Duration,
) -> Result<serde_json::Value, CallError> {
    if !crate::network::is_lab_loopback(route.connect.ip()) {
        return Err(CallError::Connect(format!(
            "{} is outside 127.0.0.0/8",
            route.connect
        )));
    }
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if route.url.scheme() == "https" {
        builder = builder.tls_backend_preconfigured(tls_config(
            trust_anchors_pem,
            &route.server_name,
            check_identity,
        )?);
    }
    let mut url = route.url.clone();
    if route.via_proxy {
        // The proxy (a lab service) is given as its real socket; it resolves the target
        // itself, so the request keeps the URL as configured.
        let proxy = reqwest::Proxy::all(format!("http://{}", route.connect))
            .map_err(|e| CallError::Connect(e.to_string()))?;
        builder = builder.proxy(proxy);
    } else if route.server_name.parse::<std::net::IpAddr>().is_ok() {
        // An address literal cannot be overridden by name: connect to the real socket
        // (the verifier still checks the configured address).
        let _ = url.set_ip_host(route.connect.ip());
        let _ = url.set_port(Some(route.connect.port()));
    } else {
        // Keep the name (SNI, Host) and send it to the real socket.
        let _ = url.set_port(Some(route.connect.port()));
        builder = builder.resolve(&route.server_name, route.connect);
    }
    let client = builder
        .build()
        .map_err(|e| CallError::Connect(e.to_string()))?;
    let response = client.post(url).json(body).send().await.map_err(classify)?;
    // Any status but 200 is a transport failure (protocol: 503 outage, 404 wrong path).
    let status = response.status();
    if !status.is_success() {
        return Err(CallError::BadReply(format!("HTTP {status}")));
    }
    let text = response.text().await.map_err(classify)?;
    serde_json::from_str(&text).map_err(|_| CallError::BadReply(text.chars().take(200).collect()))
}

fn tls_error(err: &rustls::Error) -> CallError {
    match err {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            CallError::UntrustedRoot
        }
        other => CallError::Tls(other.to_string()),
    }
}

fn classify(err: reqwest::Error) -> CallError {
    if err.is_timeout() {
        return CallError::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(e) = source {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return tls_error(tls);
        }
        // An io::Error's `source()` skips the error it wraps (hyper wraps rustls's in two
        // of them): look inside it.
        source = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    CallError::Connect(format!("{err:#}"))
}
