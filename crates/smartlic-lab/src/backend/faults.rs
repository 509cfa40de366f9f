//! Faults the back-end can be told to show, at start ([`super::BackendConfig::faults`]) or
//! at run time (`POST /admin/faults`). Transport faults are per service; the others change
//! what the licensing logic answers.

use serde::{Deserialize, Serialize};

/// Every fault the back-end can show. JSON fields may be left out (= no fault).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    pub cssm: ServiceFault,
    pub satellite: ServiceFault,
    pub gateway: ServiceFault,
    pub proxy: ServiceFault,
    /// Every licensing request fails with docs/troubleshooting.md CAT-2's "Your request could not be
    /// processed right now. Please try again".
    pub try_again: bool,
    /// Authorization *renewals* fail with CAT-9's "Data and signature do not match", for
    /// the product instances registered before the fault came on (a new registration, the
    /// spec's remedy, is in sync).
    pub signature_mismatch: bool,
    /// The satellite's signing certificate expired (CAT-6, CSCvr41393): every satellite
    /// request fails with `LS_INVALID_DATA`.
    pub satellite_cert_expired: bool,
    /// The CRL distribution point of the licensing certificates does not answer (docs/troubleshooting.md
    /// CAT-7): replies carry [`super::protocol::CRL_UNREACHABLE`], and a device whose
    /// SLA-TrustPoint checks revocation times out fetching the CRL.
    pub crl_unreachable: bool,
    /// The proxy terminates TLS with its own CA and re-originates the request (SSL
    /// interception, [CAT-TS]) instead of tunnelling.
    pub proxy_intercept: bool,
    /// CSSM presents a certificate chained to a root CA devices do not have built in:
    /// the QuoVadis root change of docs/troubleshooting.md NX-3 (FN72115). Devices fail to send until
    /// they trust [`super::Backend::new_root_pem`].
    pub cssm_new_root: bool,
}

/// A transport fault of one service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceFault {
    pub outage: Option<Outage>,
    /// Real (not lab) milliseconds to wait before answering.
    pub delay_ms: u64,
}

/// How a service is down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outage {
    /// The listening socket is closed: connections are refused.
    Refused,
    /// The service answers HTTP 503 (the proxy answers CONNECT with 503).
    Unavailable,
}

/// The services of the back-end, to pick a [`ServiceFault`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    Cssm,
    Satellite,
    Gateway,
    Proxy,
}

impl ServiceKind {
    pub fn name(self) -> &'static str {
        match self {
            ServiceKind::Cssm => "cssm",
            ServiceKind::Satellite => "satellite",
            ServiceKind::Gateway => "gateway",
            ServiceKind::Proxy => "proxy",
        }
    }
}

impl Faults {
    pub fn service(&self, kind: ServiceKind) -> ServiceFault {
        match kind {
            ServiceKind::Cssm => self.cssm,
            ServiceKind::Satellite => self.satellite,
            ServiceKind::Gateway => self.gateway,
            ServiceKind::Proxy => self.proxy,
        }
    }

    /// Whether `kind`'s listening socket must be closed.
    pub fn refuses(&self, kind: ServiceKind) -> bool {
        self.service(kind).outage == Some(Outage::Refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_json_leaves_the_rest_off() {
        let faults: Faults =
            serde_json::from_str(r#"{"cssm": {"outage": "refused"}, "try_again": true}"#).unwrap();
        assert!(faults.refuses(ServiceKind::Cssm));
        assert!(!faults.refuses(ServiceKind::Satellite));
        assert!(faults.try_again && !faults.proxy_intercept);
        assert!(serde_json::from_str::<Faults>(r#"{"bogus": 1}"#).is_err());
    }
}
