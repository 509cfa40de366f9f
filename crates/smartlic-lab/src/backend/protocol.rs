//! The back-end's wire types, in one place: the lab's licensing protocol (what a device's
//! agent `POST`s to a back-end service and what it gets back) and, at the end, the bodies
//! of the admin API (`admin.rs` serves them, `admin_client.rs` sends them). It is the
//! lab's own JSON (docs/lab.md, "Licensing ↔ back-end"): it simulates Cisco's behaviour,
//! not its wire format.
//!
//! A request is one JSON object tagged by `kind`:
//!
//! ```json
//! {"kind": "register", "udi": {"pid": "C9300-48P", "serial": "FOC2101X0AB"},
//!  "token": "…", "force": false, "device_time_ms": 1700000000000}
//! ```
//!
//! The reply is `{"ok": true, "kind": "register", …}` or
//! `{"ok": false, "reason": "<Cisco's failure reason, verbatim>", "code": "…"}` with HTTP
//! 200 either way. Any other HTTP status (503 on an outage, 404 on a wrong path, 400 on a
//! malformed body) is a transport failure: the device shows its own transport failure text
//! (docs/troubleshooting.md CAT-5), never the body.
//!
//! The agent displays `reason` as the device's `Failure reason:` ([CAT-TS]) and decides
//! what to do from `code`, which also tells tests the lab-side cause when several causes share
//! one spec string (e.g. every bad token answers CAT-2's text).
//!
//! Times are milliseconds since the Unix epoch in lab time ([`crate::clock::LabClock`]),
//! or in device time for `device_time_ms` (the device clock may be off, docs/troubleshooting.md CAT-3).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Classic call-home transport to CSSM ([CAT-TS]).
pub const PATH_CALL_HOME: &str = "/its/service/oddce/services/DDCEService";
/// Using Policy smart transport to CSSM ([RTR-CMD] [GENIELIBS]; `smartreceiver.cisco.com`).
pub const PATH_SMART: &str = "/licservice/license";
/// On-prem satellite and transport gateway; case-sensitive ([CAT-TS]).
pub const PATH_ON_PREM: &str = "/Transportgateway/services/DeviceRequestHandler";
/// SSM On-Prem's CSLU endpoint under Using Policy, optionally followed by `/<account>`
/// ([RTR-CMD] [GENIELIBS] [NX-TSFAQ] [CUBE]).
pub const PATH_CSLU: &str = "/cslu/v1/pi";

/// A device's Unique Device Identifier.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Udi {
    /// Product ID, e.g. `C9300-48P`.
    pub pid: String,
    /// Serial number, e.g. `FOC2101X0AB`.
    pub serial: String,
}

/// One request; the JSON `kind` field selects the variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// Classic `license smart register idtoken T [force]` ([CAT-TS] [NX-TS] [ACI-SL]).
    Register(RegisterRequest),
    /// Classic entitlement request / 30-day authorization renewal ([CAT-TS] [NX-TS] [ACI-SL]).
    Authorize(AuthorizeRequest),
    /// Classic ID-certificate renewal ([CAT-TS] [NX-TS] [ACI-SL]).
    RenewId(InstanceRequest),
    /// Classic `license smart deregister` ([CAT-TS] [NX-TS] [ACI-SL]).
    Deregister(InstanceRequest),
    /// Using Policy `license smart trust idtoken T [local|all] [force]` ([RTR-CMD] [NX-TSFAQ]).
    Trust(TrustRequest),
    /// Using Policy RUM report upload, answered by an ACK ([C9400-174]).
    Report(ReportRequest),
}

impl Request {
    /// The device time the request carries (checked against the back-end's clock).
    pub fn device_time_ms(&self) -> i64 {
        match self {
            Request::Register(r) => r.device_time_ms,
            Request::Authorize(r) => r.device_time_ms,
            Request::RenewId(r) | Request::Deregister(r) => r.device_time_ms,
            Request::Trust(r) => r.device_time_ms,
            Request::Report(r) => r.device_time_ms,
        }
    }

    /// The UDI of the device sending the request.
    pub fn udi(&self) -> &Udi {
        match self {
            Request::Register(r) => &r.udi,
            Request::Authorize(r) => &r.udi,
            Request::RenewId(r) | Request::Deregister(r) => &r.udi,
            Request::Trust(r) => &r.udi,
            Request::Report(r) => &r.udi,
        }
    }
}

/// `kind: "register"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub udi: Udi,
    /// The ID token typed on the CLI.
    pub token: String,
    /// `force` was given: replace an existing product instance ([CAT-TS] [NX-TS] [ACI-SL], CAT-1).
    #[serde(default)]
    pub force: bool,
    /// The device's clock when it sent the request (docs/troubleshooting.md CAT-3).
    pub device_time_ms: i64,
    /// The device's hostname, shown in the back-end's state (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// `kind: "authorize"`: the device reports what it uses and asks for authorization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    pub udi: Udi,
    /// From [`RegisterReply::instance_id`].
    pub instance_id: String,
    /// The serial of the ID certificate the device holds ([`IdCert::serial`]).
    pub id_cert_serial: String,
    /// Entitlements in use on the device.
    #[serde(default)]
    pub entitlements: Vec<Entitlement>,
    pub device_time_ms: i64,
}

/// `kind: "renew_id"` and `kind: "deregister"`: requests that only prove identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceRequest {
    pub udi: Udi,
    pub instance_id: String,
    pub id_cert_serial: String,
    pub device_time_ms: i64,
}

/// `kind: "trust"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRequest {
    pub udi: Udi,
    pub token: String,
    /// `force`: install a new trust code even if one exists ([NX-TSFAQ]).
    #[serde(default)]
    pub force: bool,
    pub device_time_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// `kind: "report"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRequest {
    pub udi: Udi,
    /// From [`TrustReply::instance_id`]. Required by CSSM (direct communication needs
    /// trust, [GENIEPARSER] "Insufficient trust"); the CSLU endpoint accepts reports without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    pub reports: Vec<RumReport>,
    pub device_time_ms: i64,
}

/// One RUM report ([C9400-174]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RumReport {
    /// The device's report id, e.g. `1634211151`.
    pub report_id: u64,
    /// Entitlement tag or feature name measured, e.g. `dna-advantage`.
    pub tag: String,
    pub count: u32,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// An entitlement in use: tag and count.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entitlement {
    /// The entitlement tag, e.g. `regid.2017-03.com.cisco.advantagek9,1.0_…` or a short
    /// name such as `network-advantage`; the lab treats it as an opaque key.
    pub tag: String,
    pub count: u32,
}

/// A reply: success or Cisco's failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    Ok(Success),
    Failed(Failure),
}

/// A successful reply; the JSON `kind` echoes the request's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Success {
    Register(RegisterReply),
    Authorize(AuthorizeReply),
    RenewId(RenewIdReply),
    Deregister(DeregisterReply),
    Trust(TrustReply),
    Report(ReportReply),
}

/// The registration response: identity and the ID certificate ([CAT-TS] [NX-TS] [ACI-SL]: "validity and
/// renewal period are sent in the Registration Response").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterReply {
    /// The product instance's identifier in the back-end (UUID-shaped).
    pub instance_id: String,
    /// Shown by the device as `Smart Account:` / `Virtual Account:`.
    pub smart_account: String,
    pub virtual_account: String,
    pub id_cert: IdCert,
    /// `Export-Controlled Functionality: ALLOWED` ([CAT-TS] `%SMART_LIC-6-EXPORT_CONTROLLED`).
    pub export_controlled_allowed: bool,
}

/// The device's ID certificate as far as the lab models it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCert {
    /// Opaque serial; the device sends it back to prove its identity.
    pub serial: String,
    pub issued_ms: i64,
    /// Issued + 1 year ([CAT-TS] [NX-TS] [ACI-SL]).
    pub expires_ms: i64,
    /// Issued + 6 months: when the device should renew ([CAT-TS] [NX-TS] [ACI-SL]).
    pub renew_after_ms: i64,
}

/// Overall authorization result ([CAT-TS] [NX-TS] [ACI-SL] `AUTHORIZED` / `OUT_OF_COMPLIANCE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthStatus {
    Authorized,
    OutOfCompliance,
}

/// The authorization response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeReply {
    /// `OutOfCompliance` when any entitlement's virtual-account balance is negative.
    pub status: AuthStatus,
    pub entitlements: Vec<EntitlementStatus>,
    pub authorized_ms: i64,
    /// Authorized + 90 days: the device's `Communication Deadline` ([CAT-TS] [NX-TS] [ACI-SL]).
    pub expires_ms: i64,
    /// Authorized + 30 days: the next renewal ([CAT-TS] [NX-TS] [ACI-SL]).
    pub next_renewal_ms: i64,
}

/// One entitlement's result in an [`AuthorizeReply`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementStatus {
    pub tag: String,
    pub count: u32,
    pub status: AuthStatus,
    /// Purchased minus in use in the virtual account, after this request.
    pub balance: i64,
}

/// The ID-certificate renewal response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewIdReply {
    pub id_cert: IdCert,
}

/// The deregistration response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeregisterReply {
    pub instance_id: String,
}

/// The trust response: the trust code, the policy and the first ACK arrive together
/// ([GENIEPARSER]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustReply {
    pub instance_id: String,
    /// Shown in `show license tech support` as `TrustId:<n>` ([GENIEPARSER]).
    pub trust_id: u64,
    pub installed_ms: i64,
    pub smart_account: String,
    pub virtual_account: String,
    pub policy: Policy,
    pub ack_ms: i64,
}

/// The report response: an ACK ([C9400-174]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportReply {
    /// The report ids acknowledged.
    pub acked: Vec<u64>,
    pub ack_ms: i64,
    pub policy: Policy,
}

/// A reporting policy ([C9400-174]). `name: None` is the Cisco default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub ack_required: bool,
    pub unenforced_perpetual: PolicyTerms,
    pub unenforced_subscription: PolicyTerms,
    pub enforced: PolicyTerms,
    pub export: PolicyTerms,
}

/// One attribute group of a [`Policy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyTerms {
    pub first_report_days: u32,
    pub reporting_frequency_days: u32,
    pub report_on_change_days: u32,
}

impl Policy {
    /// The Cisco default policy as devices print it ([C9400-174], [GENIEPARSER]).
    pub fn cisco_default() -> Policy {
        let terms = |first, frequency, change| PolicyTerms {
            first_report_days: first,
            reporting_frequency_days: frequency,
            report_on_change_days: change,
        };
        Policy {
            name: None,
            ack_required: true,
            unenforced_perpetual: terms(365, 0, 90),
            unenforced_subscription: terms(90, 90, 90),
            enforced: terms(0, 0, 0),
            export: terms(0, 0, 0),
        }
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::cisco_default()
    }
}

/// A failed reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// Cisco's failure reason, verbatim (see [`reason`]).
    pub reason: String,
    /// The lab-side cause.
    pub code: FailureCode,
    /// A human explanation for logs and tests (not a device string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Why a request failed, for the agent's logic and for tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureCode {
    /// The UDI already has a product instance and `force` was not given (CAT-1).
    AlreadyRegistered,
    /// The back-end's transient failure (CAT-2 fault).
    TryAgain,
    /// The device clock is beyond the tolerance (CAT-3).
    ClockSkew,
    /// No such token here.
    TokenUnknown,
    TokenExpired,
    /// The token's maximum number of uses is reached.
    TokenUsedUp,
    TokenRevoked,
    /// A CSSM token used against the satellite, or the reverse ([CAT-TS] [NX-TS] [ACI-SL], ACI-4).
    TokenWrongBackend,
    /// The device's identity data does not match the back-end's (CAT-9).
    SignatureMismatch,
    /// No such product instance (deregistered, removed after its ID certificate expired).
    UnknownInstance,
    /// The on-prem server's signing certificate expired: `LS_INVALID_DATA` (CAT-6).
    InvalidData,
    /// The request is not valid JSON of this protocol (HTTP 400).
    BadRequest,
}

impl Failure {
    pub fn new(code: FailureCode, reason: impl Into<String>) -> Failure {
        Failure {
            reason: reason.into(),
            code,
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Failure {
        self.detail = Some(detail.into());
        self
    }
}

/// A field the back-end adds (`true`) to its successful replies while the CRL distribution
/// point of its signing certificates does not answer ([`super::Faults::crl_unreachable`]):
/// a device that checks revocation for SLA-TrustPoint cannot accept the reply (docs/troubleshooting.md
/// CAT-7). The request itself was processed.
pub const CRL_UNREACHABLE: &str = "crl_unreachable";

/// The back-end's failure reasons, verbatim from Cisco's documents.
pub mod reason {
    use super::Udi;

    /// docs/troubleshooting.md CAT-1, `show license all` of scenario 1 ([CAT-TS]).
    pub const ALREADY_REGISTERED: &str = "Product Already Registered";
    /// docs/troubleshooting.md CAT-1, third form.
    pub const CONSUMPTION_NO_FORCE: &str =
        "Existing Product Instance has Consumption and Force Flag is False";
    /// docs/troubleshooting.md CAT-2 (no final period in [CAT-TS]).
    pub const TRY_AGAIN: &str = "Your request could not be processed right now. Please try again";
    /// docs/troubleshooting.md CAT-9.
    pub const SIGNATURE_MISMATCH: &str = "Data and signature do not match";
    /// docs/troubleshooting.md CAT-6: the `error=` of `SAEVT_DEREGISTER_STATUS msgStatus="LS_INVALID_DATA"`.
    pub const INVALID_DATA: &str = "Missing Id cert serial number field; Missing signing cert serial number field; Signed data and certificate does not match";
    /// docs/troubleshooting.md CAT-6: the `msgStatus` that goes with [`INVALID_DATA`].
    pub const INVALID_DATA_STATUS: &str = "LS_INVALID_DATA";

    /// docs/troubleshooting.md CAT-1, second form: `The product <X> and sudi containing
    /// udiSerialNumber:<SerialNumber>,udiPid:<Product> has already been registered.` [CAT-TS]
    /// does not say what `<X>` is; the lab puts the PID there.
    pub fn already_registered_sudi(udi: &Udi) -> String {
        format!(
            "The product {} and sudi containing udiSerialNumber:{},udiPid:{} has already been registered.",
            udi.pid, udi.serial, udi.pid
        )
    }

    /// docs/troubleshooting.md CAT-3, with the device's date in epoch milliseconds.
    pub fn clock_skew(device_time_ms: i64) -> String {
        format!(
            "{{\"timestamp\": [\"The device date '{device_time_ms}' is offset beyond the allowed tolerance limit.\"]}}"
        )
    }

    /// [GENIEPARSER] (a tech-support capture via a proxy), no space after `valid.` as in the capture.
    pub fn identity_not_valid(instance_id: &str) -> String {
        format!(
            "{{\"product_instance_identifier\":[\"The identity for the instance {instance_id} is not valid.Please re-register the instance.\"]}}"
        )
    }
}

// `{"ok": true, <Success fields>}` / `{"ok": false, <Failure fields>}`, `ok` first.
impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (ok, body) = match self {
            Response::Ok(success) => (true, serde_json::to_value(success)),
            Response::Failed(failure) => (false, serde_json::to_value(failure)),
        };
        let body = body.map_err(serde::ser::Error::custom)?;
        let mut map = Map::new();
        map.insert("ok".into(), Value::Bool(ok));
        if let Value::Object(fields) = body {
            map.extend(fields);
        }
        Value::Object(map).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Response {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Response, D::Error> {
        let mut value = Value::deserialize(deserializer)?;
        let ok = value
            .as_object_mut()
            .and_then(|map| map.remove("ok"))
            .and_then(|ok| ok.as_bool())
            .ok_or_else(|| serde::de::Error::missing_field("ok"))?;
        let parsed = if ok {
            serde_json::from_value(value).map(Response::Ok)
        } else {
            serde_json::from_value(value).map(Response::Failed)
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

// ------------------------------------------------------------------ the admin API's bodies

/// Which books a request is checked against.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Realm {
    #[default]
    Cssm,
    Satellite,
}

/// `POST /admin/tokens`: mint an ID token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    pub account: String,
    pub virtual_account: String,
    /// Which back-end issues it (`cssm` by default, or `satellite`).
    #[serde(default)]
    pub realm: Realm,
    /// [CAT-TS] [NX-TS] [ACI-SL] "Expire After" (days of lab time).
    #[serde(default = "default_expiry")]
    pub expires_days: u32,
    /// How many registrations it allows (`None`: unlimited; [CAT-TS] [NX-TS] [ACI-SL] "one token can
    /// register many devices").
    #[serde(default)]
    pub max_uses: Option<u32>,
    #[serde(default)]
    pub description: Option<String>,
}

fn default_expiry() -> u32 {
    30
}

impl TokenRequest {
    /// A CSSM token for `account`/`virtual_account` with the defaults (30 days, unlimited).
    pub fn new(account: &str, virtual_account: &str) -> TokenRequest {
        TokenRequest {
            account: account.to_string(),
            virtual_account: virtual_account.to_string(),
            realm: Realm::Cssm,
            expires_days: default_expiry(),
            max_uses: None,
            description: None,
        }
    }

    /// The field that no token can have as asked, and why: a token that expires at once
    /// or allows no registration registers nothing. (The lab's own tests still mint
    /// expired tokens in process, through [`super::Backend::create_token`].)
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if self.expires_days == 0 {
            return Some(("expires_days", "must be at least 1"));
        }
        if self.max_uses == Some(0) {
            return Some(("max_uses", "must be at least 1"));
        }
        None
    }
}

/// The minted token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenReply {
    pub token: String,
    pub realm: Realm,
    pub account: String,
    pub virtual_account: String,
    pub expires_ms: i64,
    pub max_uses: Option<u32>,
}

/// `POST /admin/tokens/revoke`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeRequest {
    pub token: String,
}

/// `POST /admin/pools`: set how many licenses of `tag` the virtual account holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolRequest {
    pub account: String,
    pub virtual_account: String,
    pub tag: String,
    pub count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udi() -> Udi {
        Udi {
            pid: "C9300-48P".into(),
            serial: "FOC2101X0AB".into(),
        }
    }

    #[test]
    fn requests_are_tagged_by_kind() {
        let json = r#"{"kind": "register", "udi": {"pid": "C9300-48P", "serial": "FOC2101X0AB"},
                       "token": "T", "device_time_ms": 5}"#;
        let request: Request = serde_json::from_str(json).unwrap();
        assert_eq!(
            request,
            Request::Register(RegisterRequest {
                udi: udi(),
                token: "T".into(),
                force: false,
                device_time_ms: 5,
                hostname: None,
            })
        );
        let renew = serde_json::to_value(Request::RenewId(InstanceRequest {
            udi: udi(),
            instance_id: "i".into(),
            id_cert_serial: "s".into(),
            device_time_ms: 1,
        }))
        .unwrap();
        assert_eq!(renew["kind"], "renew_id");
    }

    #[test]
    fn replies_carry_ok_first_and_round_trip() {
        let failed = Response::Failed(Failure::new(
            FailureCode::AlreadyRegistered,
            reason::ALREADY_REGISTERED,
        ));
        let text = serde_json::to_string(&failed).unwrap();
        assert!(text.starts_with(r#"{"ok":false,"reason":"Product Already Registered""#));
        assert_eq!(serde_json::from_str::<Response>(&text).unwrap(), failed);

        let ok = Response::Ok(Success::Deregister(DeregisterReply {
            instance_id: "x".into(),
        }));
        let text = serde_json::to_string(&ok).unwrap();
        assert_eq!(text, r#"{"ok":true,"kind":"deregister","instance_id":"x"}"#);
        assert_eq!(serde_json::from_str::<Response>(&text).unwrap(), ok);
    }

    #[test]
    fn clock_skew_reason_is_the_spec_string() {
        // docs/troubleshooting.md CAT-3, verbatim.
        assert_eq!(
            reason::clock_skew(1526135268653),
            r#"{"timestamp": ["The device date '1526135268653' is offset beyond the allowed tolerance limit."]}"#
        );
    }

    #[test]
    fn sudi_reason_names_serial_and_pid() {
        assert_eq!(
            reason::already_registered_sudi(&udi()),
            "The product C9300-48P and sudi containing udiSerialNumber:FOC2101X0AB,udiPid:C9300-48P has already been registered."
        );
    }
}
