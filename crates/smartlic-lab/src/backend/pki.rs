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
//! The authorities' certificates and keys are kept between `--lab` runs
//! ([`Pki::saved`], [`Pki::resume`]), so a CA certificate a device imported in one run
//! still signs the satellite's certificate in the next.
//!
//! Validity spans from 30 days before the earlier of lab time and real time to 10 years
//! after the later, so real-time clients (tests) and lab-time devices both accept them,
//! while a device whose clock is far behind sees a certificate that is not yet valid
//! (docs/troubleshooting.md CAT-3, `%PKI-3-CERTIFICATE_INVALID_NOT_YET_VALID`).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData,
};
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::{Deserialize, Serialize};

use super::BackendError;

const DAY: i64 = 86_400;

/// A certificate authority: its certificate and the key that signs with it.
pub struct Authority {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
    der: CertificateDer<'static>,
}

impl Authority {
    pub fn pem(&self) -> String {
        self.pem.clone()
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.der.clone()
    }

    fn saved(&self) -> SavedAuthority {
        SavedAuthority {
            cert_pem: self.pem.clone(),
            key_pem: self.issuer.key().serialize_pem(),
        }
    }
}

/// An authority's certificate and private key, PEM (lab test keys, not secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedAuthority {
    pub cert_pem: String,
    pub key_pem: String,
}

/// The lab's authorities as [`Pki::saved`] keeps them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPki {
    pub cisco_root: SavedAuthority,
    pub satellite_ca: SavedAuthority,
    pub proxy_ca: SavedAuthority,
    pub new_root: SavedAuthority,
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

/// The authorities' subjects: common name and organisation.
const CISCO_ROOT: (&str, &str) = ("Cisco Licensing Root CA (lab)", "Cisco (lab)");
const SATELLITE_CA: (&str, &str) = ("SSM On-Prem CA (lab)", "Example Customer");
const PROXY_CA: (&str, &str) = ("Proxy SSL Inspection CA (lab)", "Example Customer");
const NEW_ROOT: (&str, &str) = ("Licensing Root CA 2 (lab)", "Cisco (lab)");

impl Pki {
    /// Makes the three authorities; `lab_now` is the lab clock's reading.
    pub fn new(lab_now: f64) -> Result<Pki, BackendError> {
        let window = Window::around(lab_now);
        Ok(Pki {
            cisco_root: authority(window, CISCO_ROOT)?,
            satellite_ca: authority(window, SATELLITE_CA)?,
            proxy_ca: authority(window, PROXY_CA)?,
            new_root: authority(window, NEW_ROOT)?,
            window,
        })
    }

    /// The authorities of an earlier run ([`Pki::saved`]); server certificates are made
    /// anew, signed by them.
    pub fn resume(saved: &SavedPki, lab_now: f64) -> Result<Pki, BackendError> {
        let window = Window::around(lab_now);
        Ok(Pki {
            cisco_root: resumed_authority(window, CISCO_ROOT, &saved.cisco_root)?,
            satellite_ca: resumed_authority(window, SATELLITE_CA, &saved.satellite_ca)?,
            proxy_ca: resumed_authority(window, PROXY_CA, &saved.proxy_ca)?,
            new_root: resumed_authority(window, NEW_ROOT, &saved.new_root)?,
            window,
        })
    }

    /// The authorities' certificates and keys, for [`Pki::resume`].
    pub fn saved(&self) -> SavedPki {
        SavedPki {
            cisco_root: self.cisco_root.saved(),
            satellite_ca: self.satellite_ca.saved(),
            proxy_ca: self.proxy_ca.saved(),
            new_root: self.new_root.saved(),
        }
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
    /// From 30 days before the earlier of lab time and real time to 10 years after the later.
    fn around(lab_now: f64) -> Window {
        let real_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(lab_now);
        let earliest = lab_now.min(real_now) as i64 - 30 * DAY;
        let latest = lab_now.max(real_now) as i64 + 3652 * DAY;
        Window {
            not_before: civil_date(earliest),
            not_after: civil_date(latest),
        }
    }

    fn apply(self, params: &mut CertificateParams) {
        let (y, m, d) = self.not_before;
        params.not_before = rcgen::date_time_ymd(y, m, d);
        let (y, m, d) = self.not_after;
        params.not_after = rcgen::date_time_ymd(y, m, d);
    }
}

fn authority(window: Window, subject: (&str, &str)) -> Result<Authority, BackendError> {
    let failed = |source| BackendError::Certificate {
        what: format!("the CA {}", subject.0),
        source,
    };
    let params = authority_params(window, subject).map_err(failed)?;
    let key = KeyPair::generate().map_err(failed)?;
    let cert = params.self_signed(&key).map_err(failed)?;
    Ok(Authority {
        pem: cert.pem(),
        der: cert.der().clone(),
        issuer: Issuer::new(params, key),
    })
}

/// An authority from its saved certificate and key; refused if the key is not the
/// certificate's.
fn resumed_authority(
    window: Window,
    subject: (&str, &str),
    saved: &SavedAuthority,
) -> Result<Authority, BackendError> {
    let failed = |source| BackendError::Certificate {
        what: format!("the saved CA {}", subject.0),
        source,
    };
    let key = KeyPair::from_pem(&saved.key_pem).map_err(failed)?;
    let der = CertificateDer::from_pem_slice(saved.cert_pem.as_bytes())
        .map_err(|_| failed(rcgen::Error::CouldNotParseCertificate))?;
    let public = key.der_bytes();
    if !der.windows(public.len()).any(|w| w == public) {
        return Err(failed(rcgen::Error::CouldNotParseCertificate));
    }
    let params = authority_params(window, subject).map_err(failed)?;
    Ok(Authority {
        pem: saved.cert_pem.clone(),
        der,
        issuer: Issuer::new(params, key),
    })
}

/// A CA's certificate parameters; the same subject and key usages every run, so a
/// resumed authority signs as the one whose certificate devices hold.
fn authority_params(
    window: Window,
    (common_name, org): (&str, &str),
) -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
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
    Ok(params)
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

/// Year, month, day (UTC) of a Unix time, as certificate validity takes them.
fn civil_date(epoch_secs: i64) -> (i32, u8, u8) {
    let (year, month, day) = crate::clock::civil_date(epoch_secs);
    (year as i32, month as u8, day as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A server certificate of a resumed authority is trusted by whoever imported the
    /// authority's certificate in the earlier run.
    #[test]
    fn a_resumed_authority_signs_for_its_old_certificate() {
        use rustls::client::WebPkiServerVerifier;
        use rustls::client::danger::ServerCertVerifier;
        use rustls::pki_types::{ServerName, UnixTime};

        let first = Pki::new(1_700_000_000.0).unwrap();
        let saved = first.saved();
        let text = serde_json::to_string(&saved).unwrap();
        let saved: SavedPki = serde_json::from_str(&text).unwrap();
        let next = Pki::resume(&saved, 1_700_086_400.0).unwrap();
        assert_eq!(next.satellite_ca.pem(), first.satellite_ca.pem());
        assert_eq!(next.cisco_root.der(), first.cisco_root.der());
        assert_eq!(next.saved(), saved);

        let names = vec!["satellite.example.com".to_string()];
        let leaf = next.leaf(&next.satellite_ca, &names).unwrap();
        let verify = |ca: &Authority| {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca.der()).unwrap();
            let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .unwrap();
            verifier
                .verify_server_cert(
                    &leaf.cert_der,
                    &[],
                    &ServerName::try_from("satellite.example.com").unwrap(),
                    &[],
                    UnixTime::now(),
                )
                .is_ok()
        };
        assert!(
            verify(&first.satellite_ca),
            "the old CA certificate trusts it"
        );
        assert!(!verify(&first.proxy_ca), "another CA does not");

        // A key that is not the certificate's is refused.
        let mut mixed = saved.clone();
        mixed.satellite_ca.key_pem = saved.proxy_ca.key_pem.clone();
        assert!(Pki::resume(&mixed, 1_700_086_400.0).is_err());
        let mut broken = saved;
        broken.cisco_root.cert_pem = "not a certificate".into();
        assert!(Pki::resume(&broken, 1_700_086_400.0).is_err());
    }
}
