//! The lab's certificates, made at start with rcgen:
//!
//! - the lab "Cisco" root CA, which devices trust out of the box as real devices trust
//!   Cisco's root ([ACI-SL] "built-in certificate signed by the Cisco root CA"); it signs the
//!   CSSM certificate (`tools.cisco.com`, `smartreceiver.cisco.com`) and the transport
//!   gateway's (a TG needs no trustpoint import on the device, [ACI-SL]);
//! - the satellite's own private CA, which devices must import with
//!   `crypto pki authenticate` ([CAT-TS]), and the satellite's certificate for the names
//!   and/or IP addresses it was configured with ([CAT-TS] [ACI-SL]);
//! - the intercepting proxy's CA, which re-signs certificates for whatever host a device
//!   asks to reach ([CAT-TS]);
//! - a second public root that devices do **not** have built in, which signs CSSM's
//!   certificate under the [`super::Faults::cssm_new_root`] fault (the QuoVadis root
//!   change of docs/troubleshooting.md NX-3, [CAT-TS] [NX-TS], FN72115).
//!
//! Validity spans from 30 days before the earlier of lab time and real time to 10 years
//! after the later, so real-time clients (tests) and lab-time devices both accept them,
//! while a device whose clock is far behind sees a certificate that is not yet valid
//! (docs/troubleshooting.md CAT-3, `%PKI-3-CERTIFICATE_INVALID_NOT_YET_VALID`).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::BackendError;

const DAY: i64 = 86_400;

/// A certificate authority: its certificate and the key that signs with it.
pub struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Authority {
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }
}

/// A server certificate and its key.
pub struct Leaf {
    pub cert_pem: String,
    pub cert_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

/// The lab's three authorities and the validity window every certificate gets.
pub struct Pki {
    pub cisco_root: Authority,
    pub satellite_ca: Authority,
    pub proxy_ca: Authority,
    /// The root CSSM moves to under `cssm_new_root` (docs/troubleshooting.md NX-3).
    pub new_root: Authority,
    window: Window,
}

#[derive(Clone, Copy)]
struct Window {
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
}

impl Pki {
    /// Makes the three authorities; `lab_now` is the lab clock's reading.
    pub fn new(lab_now: f64) -> Result<Pki, BackendError> {
        let real_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(lab_now);
        let earliest = lab_now.min(real_now) as i64 - 30 * DAY;
        let latest = lab_now.max(real_now) as i64 + 3652 * DAY;
        let window = Window {
            not_before: civil_date(earliest),
            not_after: civil_date(latest),
        };
        Ok(Pki {
            cisco_root: authority(window, "Cisco Licensing Root CA (lab)", "Cisco (lab)")?,
            satellite_ca: authority(window, "SSM On-Prem CA (lab)", "Example Customer")?,
            proxy_ca: authority(window, "Proxy SSL Inspection CA (lab)", "Example Customer")?,
            new_root: authority(window, "Licensing Root CA 2 (lab)", "Cisco (lab)")?,
            window,
        })
    }

    /// A server certificate for `names` (DNS names or IP addresses), signed by `ca`.
    pub fn leaf(&self, ca: &Authority, names: &[String]) -> Result<Leaf, BackendError> {
        let failed = |source| BackendError::Certificate {
            what: format!("a certificate for {}", names.join(", ")),
            source,
        };
        let mut params = CertificateParams::new(names.to_vec()).map_err(failed)?;
        self.window.apply(&mut params);
        if let Some(first) = names.first() {
            params
                .distinguished_name
                .push(DnType::CommonName, first.as_str());
        }
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().map_err(failed)?;
        let cert = params.signed_by(&key, &ca.issuer).map_err(failed)?;
        Ok(Leaf {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_der: key.serialize_der(),
        })
    }
}

impl Window {
    fn apply(self, params: &mut CertificateParams) {
        let (y, m, d) = self.not_before;
        params.not_before = rcgen::date_time_ymd(y, m, d);
        let (y, m, d) = self.not_after;
        params.not_after = rcgen::date_time_ymd(y, m, d);
    }
}

fn authority(window: Window, common_name: &str, org: &str) -> Result<Authority, BackendError> {
    let failed = |source| BackendError::Certificate {
        what: format!("the CA {common_name}"),
        source,
    };
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
    window.apply(&mut params);
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, org);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().map_err(failed)?;
    let issuer = CertifiedIssuer::self_signed(params, key).map_err(failed)?;
    Ok(Authority { issuer })
}

/// The one crypto provider the lab uses (the crate builds rustls with aws-lc-rs only).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A rustls server configuration presenting `leaf` (HTTP/1.1 and h2 by ALPN).
pub fn server_config(leaf: &Leaf) -> Result<Arc<ServerConfig>, BackendError> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone()));
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .and_then(|b| {
            b.with_no_client_auth()
                .with_single_cert(vec![leaf.cert_der.clone()], key)
        })
        .map_err(|source| BackendError::Tls {
            what: "a server configuration".into(),
            source,
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The signing key and chain of `leaf`, for a certificate resolver.
pub fn certified_key(leaf: &Leaf) -> Result<Arc<rustls::sign::CertifiedKey>, BackendError> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone()));
    rustls::sign::CertifiedKey::from_der(vec![leaf.cert_der.clone()], key, &provider())
        .map(Arc::new)
        .map_err(|source| BackendError::Tls {
            what: "a certified key".into(),
            source,
        })
}

/// A rustls server configuration whose certificate `resolver` picks per handshake.
pub fn server_config_with(
    resolver: Arc<dyn rustls::server::ResolvesServerCert>,
) -> Result<Arc<ServerConfig>, BackendError> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|source| BackendError::Tls {
            what: "a server configuration".into(),
            source,
        })?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Year, month, day (UTC) of a Unix time (Howard Hinnant's `civil_from_days`).
fn civil_date(epoch_secs: i64) -> (i32, u8, u8) {
    let z = epoch_secs.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month as u8, day as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(951_782_400), (2000, 2, 29));
        assert_eq!(civil_date(1_526_135_268), (2018, 5, 12));
        assert_eq!(civil_date(-DAY), (1969, 12, 31));
    }

    #[test]
    fn leaves_carry_names_and_build_a_server_config() {
        let pki = Pki::new(1_700_000_000.0).unwrap();
        let leaf = pki
            .leaf(
                &pki.satellite_ca,
                &["satellite.example.com".into(), "198.51.100.20".into()],
            )
            .unwrap();
        assert!(leaf.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(pki.cisco_root.pem() != pki.satellite_ca.pem());
        server_config(&leaf).unwrap();
        assert!(pki.leaf(&pki.cisco_root, &["bäd.example".into()]).is_err());
    }
}
