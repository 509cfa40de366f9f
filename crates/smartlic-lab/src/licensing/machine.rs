//! The licensing state machines as plain data driven by lab time: classic Smart Licensing
//! ([CAT-TS] [NX-TS] [ACI-SL]) and Smart Licensing Using Policy ([RTR-CMD] [NX-TSFAQ] [C9K-MIG]).
//!
//! Nothing here does I/O or reads a clock: every method takes `now` (lab seconds since the
//! epoch), time-driven transitions (authorization expiry, ID-certificate expiry, end of
//! evaluation) are derived from timestamps when asked ([`Classic::settle`],
//! [`Classic::auth_status`]), and communications are *due actions* ([`Classic::due`]) that
//! the agent performs and feeds back ([`Classic::registered`], [`Classic::failed`], …).
//! Syslog lines to write come back as strings.

use serde::{Deserialize, Serialize};

use super::eventlog::{self, EventLog};
use super::logs;

pub const MINUTE: f64 = 60.0;
pub const HOUR: f64 = 3_600.0;
pub const DAY: f64 = 86_400.0;

// [CAT-TS] [NX-TS] [ACI-SL].
/// "90 usage days", counted only while unregistered.
pub const EVAL_PERIOD: f64 = 90.0 * DAY;
/// ID certificate validity: 1 year.
pub const ID_CERT_VALIDITY: f64 = 365.0 * DAY;
/// ID certificate renewal "every 6 months"; the NX-OS sample of [NX-TS] and a real
/// C9200L 16.9.1 capture (search index id 28523190061) both show +180 days.
pub const ID_CERT_RENEWAL: f64 = 180.0 * DAY;
/// ID certificate renewal retry: once per hour.
pub const ID_RENEW_RETRY: f64 = HOUR;
/// Authorization validity: 90 days (`Communication Deadline`).
pub const AUTH_VALIDITY: f64 = 90.0 * DAY;
/// Authorization renewal every 30 days.
pub const AUTH_RENEWAL: f64 = 30.0 * DAY;
/// "automatically sends an authorization renewal request every day" while out of
/// compliance. (A real 2022 capture, corpus `iosxe/show-license-status/ntc-templates-1`,
/// shows +12 hours; Cisco's "every day" is used.)
pub const OOC_RENEWAL: f64 = DAY;
/// First retry after a failed communication: observed +30 s in scenarios 5 and 9.
pub const FIRST_RETRY: f64 = 30.0;
/// Initial registration retry: every 15 minutes for 4 hours, then every hour.
pub const REG_RETRY_FAST: f64 = 15.0 * MINUTE;
pub const REG_RETRY_FAST_FOR: f64 = 4.0 * HOUR;
pub const REG_RETRY_SLOW: f64 = HOUR;
/// Renewal retry while AUTHORIZED: every 23 hours.
pub const AUTHORIZED_RETRY: f64 = 23.0 * HOUR;
/// Renewal retry while OUT OF COMPLIANCE: every 15 minutes for 2 hours, then every 4 hours.
pub const OOC_RETRY_FAST: f64 = 15.0 * MINUTE;
pub const OOC_RETRY_FAST_FOR: f64 = 2.0 * HOUR;
pub const OOC_RETRY_SLOW: f64 = 4.0 * HOUR;
/// Renewal retry while AUTHORIZATION EXPIRED: every hour.
pub const EXPIRED_RETRY: f64 = HOUR;

/// When to try the initial registration again after a failure at `now`, the first of
/// this run of failures having been at `first_failure`.
pub fn registration_retry(first_failure: f64, now: f64) -> f64 {
    if now - first_failure < REG_RETRY_FAST_FOR {
        now + REG_RETRY_FAST
    } else {
        now + REG_RETRY_SLOW
    }
}

/// When to try an authorization renewal again after the `failures`-th failure in a row
/// at `now` (the run started at `failing_since`), in authorization state `status`.
pub fn renewal_retry(status: &AuthStatus, failures: u32, failing_since: f64, now: f64) -> f64 {
    if failures <= 1 {
        return now + FIRST_RETRY;
    }
    match status {
        AuthStatus::OutOfCompliance(_) => {
            if now - failing_since < OOC_RETRY_FAST_FOR {
                now + OOC_RETRY_FAST
            } else {
                now + OOC_RETRY_SLOW
            }
        }
        AuthStatus::Expired(_) => now + EXPIRED_RETRY,
        _ => now + AUTHORIZED_RETRY,
    }
}

/// A communication attempt and how it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// `None`: sent, no answer yet (`PENDING on …`).
    pub ok: Option<bool>,
    pub at: f64,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub smart: String,
    pub virtual_: String,
}

/// Registration as `Registration: Status:` shows it ([CAT-TS] [NX-TS] [ACI-SL]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    Unregistered,
    Registering,
    RegistrationFailed,
    Registered,
}

/// The authorization state at a given time ([CAT-TS] [NX-TS] [ACI-SL]: the licensing states).
#[derive(Clone, Debug, PartialEq)]
pub enum AuthStatus {
    /// Evaluation, with the lab seconds left.
    Eval(f64),
    EvalExpired,
    /// Registered, no entitlement answer yet.
    Pending,
    /// In compliance since the timestamp.
    Authorized(f64),
    OutOfCompliance(f64),
    /// The communication deadline (the timestamp) passed without a successful renewal.
    Expired(f64),
}

/// What the back-end granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grant {
    InCompliance,
    OutOfCompliance,
}

/// A communication the agent has to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Register,
    Authorize,
    RenewId,
    Deregister,
    Trust,
    Report,
}

/// How a communication failed ([CAT-TS] [NX-TS] [ACI-SL]; docs/troubleshooting.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Call-home unusable (CAT-4 `Communication transport not available.`): no retry.
    TransportUnavailable(String),
    /// The message could not be sent (CAT-5): DNS, VRF, TLS, connection; `url` is what
    /// the device tried, `timed_out` picks the `ERR` code of the log.
    Send {
        reason: String,
        url: String,
        timed_out: bool,
    },
    /// The back-end answered with an error. `retry`: the back-end asks to try again
    /// (CAT-2, CAT-3: the device stays REGISTERING); otherwise REGISTRATION FAILED (CAT-1).
    Rejected { reason: String, retry: bool },
    /// The on-prem server signs with an expired certificate (CAT-6, CSCvr41393): the
    /// device drops its registration (`SAEVT_DEREGISTER_STATUS msgStatus="LS_INVALID_DATA"
    /// error="<reason>"`; Registration `UNREGISTERED`, Authorization `EVAL MODE`).
    InvalidData(String),
    /// The message went out but no reply could be accepted: the CRL fetch for
    /// SLA-TrustPoint timed out (CAT-7): `PENDING on …`, `Waiting for reply`.
    NoReply(String),
}

impl Failure {
    pub fn reason(&self) -> &str {
        match self {
            Failure::TransportUnavailable(r) => r,
            Failure::Send { reason, .. } => reason,
            Failure::Rejected { reason, .. } => reason,
            Failure::InvalidData(r) | Failure::NoReply(r) => r,
        }
    }

    /// Whether the back-end's answer came back (SLP statistics: `INVALID STATUS CODE`
    /// rather than `NO REPLY`).
    pub fn answered(&self) -> bool {
        matches!(self, Failure::Rejected { .. } | Failure::InvalidData(_))
    }
}

/// docs/troubleshooting.md CAT-7: the PKI's log line when the reply could not be checked
/// because the CRL fetch for SLA-TrustPoint timed out. The PKI writes it, not the licensing
/// agent, so classic and Using Policy releases alike (only IOS-XE checks the CRL).
fn crl_fetch_log(failure: &Failure) -> Option<String> {
    matches!(failure, Failure::NoReply(_)).then(|| logs::CRL_FETCH_FAIL.to_string())
}

/// Whether a syslog sequence is printed: only IOS-XE has Cisco's sequences ([CAT-TS]:
/// [NX-TS] gives no syslog sequence; nothing is given for APIC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Syslog {
    pub ios_xe: bool,
}

/// The Smart Agent's events at boot, in the order of the real capture ([`eventlog`]):
/// `SAEVT_STATE_EVAL` only where there is an evaluation period (classic).
fn boot_events(now: f64, classic: bool) -> EventLog {
    let mut events = EventLog::default();
    events.push(now, eventlog::READY);
    events.push(now, eventlog::ENABLED);
    events.push(now, eventlog::export_flag(false));
    if classic {
        events.push(now, eventlog::state_eval(EVAL_PERIOD));
    }
    events.push(now, eventlog::INIT_CRYPTO);
    events.push(now, eventlog::INIT_COMPLETE);
    events
}

/// Classic Smart Licensing ([CAT-TS] [NX-TS] [ACI-SL]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classic {
    /// Evaluation used before `eval_since` (lab seconds), and since when it runs.
    eval_used: f64,
    eval_since: Option<f64>,
    pub phase: Phase,
    pub token: Option<String>,
    pub force: bool,
    /// `Initial Registration: SUCCEEDED|FAILED on …` and its failure reason.
    pub initial: Option<Attempt>,
    pub next_registration: Option<f64>,
    reg_failing_since: Option<f64>,
    pub key_generated: bool,
    pub registered_at: Option<f64>,
    pub id_cert_expires: f64,
    pub last_renewal: Option<Attempt>,
    pub next_renewal: f64,
    pub account: Option<Account>,
    pub export_allowed: bool,
    /// The last grant and since when it holds (`AUTHORIZED on …`, `OUT OF COMPLIANCE on …`).
    pub grant: Option<(Grant, f64)>,
    pub last_comm: Option<Attempt>,
    pub next_comm: Option<f64>,
    pub comm_deadline: Option<f64>,
    comm_failures: u32,
    comm_failing_since: f64,
    /// A deregistration to tell the back-end about (best effort).
    pub pending_deregister: bool,
    /// `show license eventlog` ([`eventlog`]).
    pub events: EventLog,
    /// The last communication failed to go out (the next success logs
    /// `SAEVT_COMM_RESTORED`).
    comm_down: bool,
}

impl Classic {
    /// A device that boots at `now`: unregistered, evaluation running ([CAT-TS] [NX-TS] [ACI-SL]: the licensing states).
    pub fn new(now: f64) -> Classic {
        Classic {
            eval_used: 0.0,
            eval_since: Some(now),
            phase: Phase::Unregistered,
            token: None,
            force: false,
            initial: None,
            next_registration: None,
            reg_failing_since: None,
            key_generated: false,
            registered_at: None,
            id_cert_expires: 0.0,
            last_renewal: None,
            next_renewal: 0.0,
            account: None,
            export_allowed: false,
            grant: None,
            last_comm: None,
            next_comm: None,
            comm_deadline: None,
            comm_failures: 0,
            comm_failing_since: 0.0,
            pending_deregister: false,
            events: boot_events(now, true),
            comm_down: false,
        }
    }

    /// A communication succeeded: `SAEVT_COMM_RESTORED` if the last one had failed.
    fn comm_ok(&mut self, now: f64) {
        if std::mem::take(&mut self.comm_down) {
            self.events.push(now, eventlog::COMM_RESTORED);
        }
    }

    /// Evaluation time left at `now`.
    pub fn eval_remaining(&self, now: f64) -> f64 {
        let running = self.eval_since.map_or(0.0, |since| (now - since).max(0.0));
        (EVAL_PERIOD - self.eval_used - running).max(0.0)
    }

    fn pause_eval(&mut self, now: f64) {
        if let Some(since) = self.eval_since.take() {
            self.eval_used += (now - since).max(0.0);
        }
    }

    fn resume_eval(&mut self, now: f64) {
        if self.eval_since.is_none() {
            self.eval_since = Some(now);
            let left = self.eval_remaining(now);
            self.events.push(now, eventlog::state_eval(left));
        }
    }

    /// Applies the transitions that happen by time alone up to `now`: the ID certificate
    /// expires one year after the last successful (re)registration or renewal, and the
    /// device falls back to evaluation with what is left of it ([CAT-TS] [NX-TS] [ACI-SL]).
    pub fn settle(&mut self, now: f64) {
        if self.phase == Phase::Registered && now >= self.id_cert_expires {
            let expired_at = self.id_cert_expires;
            self.drop_registration();
            self.resume_eval(expired_at);
        }
    }

    fn drop_registration(&mut self) {
        self.phase = Phase::Unregistered;
        self.registered_at = None;
        self.last_renewal = None;
        self.account = None;
        self.export_allowed = false;
        self.grant = None;
        self.last_comm = None;
        self.next_comm = None;
        self.comm_deadline = None;
        self.comm_failures = 0;
        self.next_registration = None;
        self.reg_failing_since = None;
        self.initial = None;
    }

    /// The authorization state at `now` (call [`Classic::settle`] first).
    pub fn auth_status(&self, now: f64) -> AuthStatus {
        if self.phase != Phase::Registered {
            let left = self.eval_remaining(now);
            return if left > 0.0 {
                AuthStatus::Eval(left)
            } else {
                AuthStatus::EvalExpired
            };
        }
        match (self.grant, self.comm_deadline) {
            (None, _) => AuthStatus::Pending,
            (Some(_), Some(deadline)) if now >= deadline => AuthStatus::Expired(deadline),
            (Some((Grant::InCompliance, at)), _) => AuthStatus::Authorized(at),
            (Some((Grant::OutOfCompliance, at)), _) => AuthStatus::OutOfCompliance(at),
        }
    }

    /// The next communication and when it is due.
    pub fn due(&self) -> Option<(f64, Action)> {
        if self.pending_deregister {
            return Some((f64::MIN, Action::Deregister));
        }
        match self.phase {
            Phase::Registering | Phase::RegistrationFailed => {
                self.next_registration.map(|at| (at, Action::Register))
            }
            Phase::Registered => {
                let auth = self.next_comm.map(|at| (at, Action::Authorize));
                let id = Some((self.next_renewal, Action::RenewId));
                [auth, id]
                    .into_iter()
                    .flatten()
                    .min_by(|a, b| a.0.total_cmp(&b.0))
            }
            Phase::Unregistered => None,
        }
    }

    /// `license smart register idtoken T [force]`: the registration starts at once
    /// ([CAT-TS] [NX-TS] [ACI-SL]: the licensing states). A device already registered starts over: the back-end decides
    /// (CAT-1 `Product Already Registered` without `force`). Returns the syslog lines of
    /// the start ([CAT-TS]: key generation, then call-home registration).
    pub fn register(&mut self, token: &str, force: bool, now: f64, syslog: Syslog) -> Vec<String> {
        if self.phase == Phase::Registered {
            self.drop_registration();
            self.resume_eval(now);
        }
        self.phase = Phase::Registering;
        self.token = Some(token.to_string());
        self.force = force;
        self.next_registration = Some(now);
        self.reg_failing_since = None;
        let mut logs = Vec::new();
        if syslog.ios_xe {
            if !self.key_generated {
                logs.push(logs::KEY_ADDITION.to_string());
                logs.push(logs::PKI_NOCONFIGAUTOSAVE.to_string());
            }
            logs.push(logs::SCH_REGISTRATION_IN_PROGRESS.to_string());
        }
        self.key_generated = true;
        logs
    }

    /// The back-end registered the device ([CAT-TS] [NX-TS] [ACI-SL]: the licensing states): ID certificate for a year,
    /// renewal in six months, evaluation paused, authorization requested at once.
    pub fn registered(
        &mut self,
        now: f64,
        account: Account,
        export_allowed: bool,
        syslog: Syslog,
    ) -> Vec<String> {
        self.pause_eval(now);
        self.phase = Phase::Registered;
        // From now on the ID certificate identifies the device; the token is not kept
        // (nor saved with the lab's state).
        self.token = None;
        self.initial = Some(Attempt {
            ok: Some(true),
            at: now,
            reason: None,
        });
        self.next_registration = None;
        self.reg_failing_since = None;
        self.registered_at = Some(now);
        self.id_cert_expires = now + ID_CERT_VALIDITY;
        self.next_renewal = now + ID_CERT_RENEWAL;
        self.last_renewal = None;
        self.account = Some(account);
        self.export_allowed = export_allowed;
        self.grant = None;
        self.last_comm = None;
        self.comm_deadline = None;
        self.comm_failures = 0;
        self.next_comm = Some(now);
        self.comm_ok(now);
        if export_allowed {
            self.events.push(now, eventlog::export_flag(true));
        }
        let mut logs = Vec::new();
        if syslog.ios_xe {
            if export_allowed {
                logs.push(logs::EXPORT_CONTROLLED.to_string());
            }
            logs.push(logs::AGENT_REG_SUCCESS.to_string());
            logs.push(logs::CONFIG_NOT_SAVED.to_string());
        }
        logs
    }

    /// The back-end answered an authorization request ([CAT-TS] [NX-TS] [ACI-SL]).
    pub fn granted(&mut self, now: f64, grant: Grant, syslog: Syslog) -> Vec<String> {
        let before = self.auth_status(now);
        let since = match (self.grant, grant) {
            (Some((old, at)), new) if old == new && !matches!(before, AuthStatus::Expired(_)) => at,
            _ => now,
        };
        self.grant = Some((grant, since));
        self.comm_ok(now);
        self.last_comm = Some(Attempt {
            ok: Some(true),
            at: now,
            reason: None,
        });
        self.comm_deadline = Some(now + AUTH_VALIDITY);
        self.comm_failures = 0;
        self.next_comm = Some(
            now + match grant {
                Grant::InCompliance => AUTH_RENEWAL,
                Grant::OutOfCompliance => OOC_RENEWAL,
            },
        );
        let mut logs = Vec::new();
        if syslog.ios_xe {
            match grant {
                Grant::InCompliance => {
                    if !matches!(before, AuthStatus::Authorized(_)) {
                        logs.push(logs::IN_COMPLIANCE.to_string());
                    }
                    logs.push(logs::AUTH_RENEW_SUCCESS.to_string());
                }
                Grant::OutOfCompliance => {
                    if !matches!(before, AuthStatus::OutOfCompliance(_)) {
                        logs.push(logs::OUT_OF_COMPLIANCE.to_string());
                    }
                }
            }
        }
        logs
    }

    /// The ID certificate was renewed ([CAT-TS] [NX-TS] [ACI-SL]).
    pub fn id_renewed(&mut self, now: f64) {
        self.comm_ok(now);
        self.id_cert_expires = now + ID_CERT_VALIDITY;
        self.next_renewal = now + ID_CERT_RENEWAL;
        self.last_renewal = Some(Attempt {
            ok: Some(true),
            at: now,
            reason: None,
        });
    }

    /// `action` failed at `now` ([CAT-TS] [NX-TS] [ACI-SL]; the logs of docs/troubleshooting.md).
    pub fn failed(
        &mut self,
        action: Action,
        failure: &Failure,
        now: f64,
        udi: (&str, &str),
        syslog: Syslog,
    ) -> Vec<String> {
        let reason = failure.reason().to_string();
        let mut logs = Vec::new();
        if let Failure::InvalidData(error) = failure {
            // docs/troubleshooting.md CAT-6: back to UNREGISTERED / EVAL MODE, no retry; the event is
            // the one `show logging` / `show license eventlog` shows.
            self.comm_ok(now);
            self.events
                .push(now, eventlog::deregister_status_invalid_data(error));
            if action != Action::Deregister {
                self.drop_registration();
                self.resume_eval(now);
            }
            self.pending_deregister = false;
            if syslog.ios_xe {
                logs.push(logs::deregister_status_invalid_data(error));
            }
            return logs;
        }
        if !failure.answered() {
            self.comm_down = true;
        } else {
            self.comm_ok(now);
        }
        if syslog.ios_xe {
            logs.extend(crl_fetch_log(failure));
        }
        // docs/troubleshooting.md CAT-7/8: `Last Communication Attempt: PENDING on …`.
        let answered = if matches!(failure, Failure::NoReply(_)) {
            None
        } else {
            Some(false)
        };
        match action {
            Action::Register => {
                self.initial = Some(Attempt {
                    ok: Some(false),
                    at: now,
                    reason: Some(reason.clone()),
                });
                let first = *self.reg_failing_since.get_or_insert(now);
                match failure {
                    Failure::TransportUnavailable(_) => {
                        self.phase = Phase::RegistrationFailed;
                        self.next_registration = None;
                    }
                    Failure::Rejected { retry: false, .. } => {
                        self.phase = Phase::RegistrationFailed;
                        self.next_registration = Some(registration_retry(first, now));
                    }
                    _ => {
                        self.phase = Phase::Registering;
                        self.next_registration = Some(registration_retry(first, now));
                    }
                }
                if syslog.ios_xe {
                    if let Failure::Send { url, timed_out, .. } = failure {
                        logs.push(logs::sl_message_failed(url, *timed_out));
                    }
                    logs.push(logs::agent_reg_failed(&reason));
                    if !matches!(failure, Failure::Rejected { .. }) {
                        logs.push(logs::comm_failed(&reason));
                    }
                }
            }
            Action::Authorize => {
                let status = self.auth_status(now);
                if self.comm_failures == 0 {
                    self.comm_failing_since = now;
                }
                self.comm_failures += 1;
                self.last_comm = Some(Attempt {
                    ok: answered,
                    at: now,
                    reason: Some(reason.clone()),
                });
                self.next_comm = Some(renewal_retry(
                    &status,
                    self.comm_failures,
                    self.comm_failing_since,
                    now,
                ));
                if syslog.ios_xe {
                    match failure {
                        Failure::Rejected { .. } => {
                            logs.push(logs::auth_renew_rejected(&reason, udi.0, udi.1));
                        }
                        Failure::Send { url, timed_out, .. } => {
                            logs.push(logs::sl_message_failed(url, *timed_out));
                            logs.push(logs::comm_failed(&reason));
                            logs.push(logs::auth_renew_send_failed(udi.0, udi.1));
                        }
                        Failure::TransportUnavailable(_) => {
                            logs.push(logs::comm_failed(&reason));
                        }
                        Failure::InvalidData(_) | Failure::NoReply(_) => {}
                    }
                }
            }
            Action::RenewId => {
                self.last_renewal = Some(Attempt {
                    ok: answered,
                    at: now,
                    reason: Some(reason.clone()),
                });
                self.next_renewal = now + ID_RENEW_RETRY;
                if syslog.ios_xe {
                    logs.push(logs::comm_failed(&reason));
                }
            }
            Action::Deregister => self.pending_deregister = false,
            Action::Trust | Action::Report => {}
        }
        logs
    }

    /// `license smart deregister` ([CAT-TS] [NX-TS] [ACI-SL]): back to evaluation at once; the
    /// back-end is told in the background.
    pub fn deregister(&mut self, now: f64) {
        let was_registered = self.phase == Phase::Registered;
        self.drop_registration();
        self.token = None;
        self.resume_eval(now);
        self.pending_deregister = was_registered;
    }

    /// `license smart renew id|auth`: the renewal is due now.
    pub fn renew_now(&mut self, id_certificate: bool, now: f64) -> bool {
        if self.phase != Phase::Registered {
            return false;
        }
        if id_certificate {
            self.next_renewal = now;
        } else {
            self.next_comm = Some(now);
        }
        true
    }
}

/// One block of the SLP tech-support `Communication Statistics:` ([GENIEPARSER]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CommStats {
    pub total: u32,
    pub success: u32,
    pub fail: u32,
    pub ongoing: u32,
    pub ongoing_comm: u32,
    /// `OK`, `OK_POLL`, `NO REPLY`, `INVALID STATUS CODE` … and when.
    pub last_response: Option<(String, f64)>,
    pub failure_reason: Option<String>,
    pub last_success: Option<f64>,
    pub last_failure: Option<f64>,
}

impl CommStats {
    pub fn succeeded(&mut self, response: &str, now: f64) {
        self.total += 1;
        self.success += 1;
        self.ongoing = 0;
        self.ongoing_comm = 0;
        self.last_response = Some((response.to_string(), now));
        self.failure_reason = None;
        self.last_success = Some(now);
    }

    /// `communication`: the message never got an answer (`NO REPLY`), else the back-end
    /// answered with an error (`INVALID STATUS CODE` + reason).
    pub fn failed(&mut self, communication: bool, reason: Option<&str>, now: f64) {
        self.total += 1;
        self.fail += 1;
        self.ongoing += 1;
        let response = if communication {
            self.ongoing_comm += 1;
            "NO REPLY"
        } else {
            "INVALID STATUS CODE"
        };
        self.last_response = Some((response.to_string(), now));
        self.failure_reason = reason.map(str::to_string);
        self.last_failure = Some(now);
    }
}

/// The policy in use ([C9400-174]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PolicyInUse {
    /// "Cisco default is the default policy that is always available".
    CiscoDefault,
    /// Installed with the trust code, e.g. `SLE Policy`.
    Customer { name: String, installed: f64 },
}

/// Reporting interval (`Reporting push interval: 30  days`, [RTR-CMD]: "once every
/// 30-days as a default time interval").
pub const REPORT_INTERVAL: f64 = 30.0 * DAY;
/// The ACK deadline after an ACK: the Cisco default policy's 90-day reporting frequency
/// for subscription licences ([C9400-174]; [GENIEPARSER] shows ACK + 90 days).
pub const ACK_WINDOW: f64 = 90.0 * DAY;
/// First ACK deadline after boot: Cisco default first report requirement for
/// subscription licences, 90 days ([C9400-174]).
pub const FIRST_REPORT: f64 = 90.0 * DAY;
/// Retry of a failed trust or report ⟨UNVERIFIED: no source gives the SLP retry
/// schedule; hourly like the classic ID-certificate retry⟩.
pub const SLP_RETRY: f64 = HOUR;

/// Smart Licensing Using Policy ([RTR-CMD] [NX-TSFAQ] [C9K-MIG]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub trust_installed: Option<f64>,
    pub pending_trust: Option<(String, bool)>,
    pub next_trust: Option<f64>,
    pub account: Option<(Account, f64)>,
    pub policy: PolicyInUse,
    pub last_ack: Option<f64>,
    pub next_ack_deadline: f64,
    pub next_report: Option<f64>,
    pub last_report: Option<f64>,
    pub trust_stats: CommStats,
    pub report_stats: CommStats,
    pub polling_stats: CommStats,
    pub sync_stats: CommStats,
    /// `show license eventlog` ([`eventlog`]).
    pub events: EventLog,
    comm_down: bool,
}

impl Policy {
    /// A device that boots at `now`: Cisco default policy, no trust, first ACK due after
    /// the first-report requirement. Returns the boot syslog ([C9400-174] [FN72578]
    /// `REPORTING_REQUIRED`, observed as `… required in 89 days.` with a 90-day policy).
    pub fn new(now: f64) -> (Policy, Vec<String>) {
        let policy = Policy {
            trust_installed: None,
            pending_trust: None,
            next_trust: None,
            account: None,
            policy: PolicyInUse::CiscoDefault,
            last_ack: None,
            next_ack_deadline: now + FIRST_REPORT,
            next_report: None,
            last_report: None,
            trust_stats: CommStats::default(),
            report_stats: CommStats::default(),
            polling_stats: CommStats::default(),
            sync_stats: CommStats::default(),
            events: boot_events(now, false),
            comm_down: false,
        };
        let days = ((FIRST_REPORT - 1.0) / DAY).floor() as i64;
        (policy, vec![logs::reporting_required(days)])
    }

    /// A communication went out and came back (answered, even with an error).
    fn comm_ok(&mut self, now: f64) {
        if std::mem::take(&mut self.comm_down) {
            self.events.push(now, eventlog::COMM_RESTORED);
        }
    }

    fn comm_result(&mut self, failure: &Failure, now: f64) {
        if failure.answered() {
            self.comm_ok(now);
        } else {
            self.comm_down = true;
        }
    }

    pub fn due(&self) -> Option<(f64, Action)> {
        let trust = self.next_trust.map(|at| (at, Action::Trust));
        let report = self.next_report.map(|at| (at, Action::Report));
        [trust, report]
            .into_iter()
            .flatten()
            .min_by(|a, b| a.0.total_cmp(&b.0))
    }

    /// `license smart trust idtoken T … [force]`.
    pub fn trust(&mut self, token: &str, force: bool, now: f64) {
        self.pending_trust = Some((token.to_string(), force));
        self.next_trust = Some(now);
    }

    /// Trust installed ([GENIEPARSER]); the usage report goes out at once ([GENIEPARSER]: policy
    /// and first ACK at the trust timestamp).
    pub fn trusted(&mut self, now: f64, account: Account, policy_name: Option<String>) {
        self.trust_installed = Some(now);
        self.pending_trust = None;
        self.next_trust = None;
        self.account = Some((account, now));
        if let Some(name) = policy_name {
            self.policy = PolicyInUse::Customer {
                name,
                installed: now,
            };
        }
        self.trust_stats.succeeded("OK", now);
        self.next_report = Some(now);
        self.comm_ok(now);
    }

    pub fn trust_failed(&mut self, failure: &Failure, now: f64) -> Vec<String> {
        self.comm_result(failure, now);
        let communication = !failure.answered();
        let reason = (!communication).then(|| failure.reason());
        self.trust_stats.failed(communication, reason, now);
        self.next_trust = match failure {
            Failure::Rejected { retry: false, .. } => None,
            _ => Some(now + SLP_RETRY),
        };
        if self.next_trust.is_none() {
            self.pending_trust = None;
        }
        let mut logs: Vec<String> = crl_fetch_log(failure).into_iter().collect();
        logs.push(logs::TRUST_CODE_INSTALL_FAILED.to_string());
        logs
    }

    /// `license smart sync …`: report now.
    pub fn sync(&mut self, now: f64) {
        self.next_report = Some(now);
    }

    /// Report accepted and acknowledged ([GENIEPARSER] `OK_POLL`, then `Result Polling` `OK`).
    pub fn acknowledged(&mut self, now: f64, account: Option<Account>) {
        self.comm_ok(now);
        self.report_stats.succeeded("OK_POLL", now);
        self.polling_stats.succeeded("OK", now);
        self.last_report = Some(now);
        self.last_ack = Some(now);
        self.next_ack_deadline = now + ACK_WINDOW;
        self.next_report = Some(now + REPORT_INTERVAL);
        if let Some(account) = account {
            self.account = Some((account, now));
        }
    }

    pub fn report_failed(&mut self, failure: &Failure, cslu: bool, now: f64) -> Vec<String> {
        self.comm_result(failure, now);
        let communication = !failure.answered();
        let reason = (!communication).then(|| failure.reason());
        self.report_stats.failed(communication, reason, now);
        self.next_report = Some(now + SLP_RETRY);
        let mut logs: Vec<String> = crl_fetch_log(failure).into_iter().collect();
        logs.push(logs::slp_comm_failed(cslu, failure.reason()));
        logs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: f64 = 1_700_000_000.0;
    const XE: Syslog = Syslog { ios_xe: true };

    fn account() -> Account {
        Account {
            smart: "Lab SA".into(),
            virtual_: "Lab VA".into(),
        }
    }

    fn registered_and_authorized() -> Classic {
        let mut m = Classic::new(T0);
        m.register("tok", false, T0 + 10.0, XE);
        m.registered(T0 + 20.0, account(), true, XE);
        m.granted(T0 + 21.0, Grant::InCompliance, XE);
        m
    }

    #[test]
    fn a_registered_device_keeps_no_token() {
        let mut m = Classic::new(T0);
        m.register("tok", false, T0 + 10.0, XE);
        assert_eq!(m.token.as_deref(), Some("tok"), "kept for the retries");
        m.registered(T0 + 20.0, account(), true, XE);
        assert_eq!(m.token, None);
    }

    #[test]
    fn evaluation_counts_usage_days_only_while_unregistered() {
        let mut m = Classic::new(T0);
        assert_eq!(m.auth_status(T0 + DAY), AuthStatus::Eval(89.0 * DAY));
        m.register("tok", false, T0 + 10.0 * DAY, XE);
        m.registered(T0 + 10.0 * DAY, account(), false, XE);
        // Registered for 100 days: the countdown stops.
        m.deregister(T0 + 110.0 * DAY);
        assert_eq!(
            m.auth_status(T0 + 110.0 * DAY),
            AuthStatus::Eval(80.0 * DAY)
        );
        assert_eq!(m.auth_status(T0 + 190.0 * DAY), AuthStatus::EvalExpired);
    }

    #[test]
    fn successful_registration_logs_the_spec_sequence_and_sets_the_timers() {
        let mut m = Classic::new(T0);
        let start = m.register("tok", false, T0, XE);
        assert!(start[0].starts_with("%CRYPTO_ENGINE-5-KEY_ADDITION"));
        assert!(start[1].starts_with("%PKI-4-NOCONFIGAUTOSAVE"));
        assert!(start[2].starts_with("%CALL_HOME-6-SCH_REGISTRATION_IN_PROGRESS"));
        assert_eq!(m.due(), Some((T0, Action::Register)));
        let reg = m.registered(T0 + 5.0, account(), true, XE);
        assert!(reg[0].starts_with("%SMART_LIC-6-EXPORT_CONTROLLED"));
        assert!(reg[1].starts_with("%SMART_LIC-6-AGENT_REG_SUCCESS"));
        assert!(reg[2].starts_with("%SMART_LIC-4-CONFIG_NOT_SAVED"));
        assert_eq!(m.auth_status(T0 + 5.0), AuthStatus::Pending);
        assert_eq!(m.due(), Some((T0 + 5.0, Action::Authorize)));
        let auth = m.granted(T0 + 6.0, Grant::InCompliance, XE);
        assert!(auth[0].starts_with("%SMART_LIC-5-IN_COMPLIANCE"));
        assert!(auth[1].starts_with("%SMART_LIC-6-AUTH_RENEW_SUCCESS"));
        assert_eq!(m.next_comm, Some(T0 + 6.0 + 30.0 * DAY));
        assert_eq!(m.comm_deadline, Some(T0 + 6.0 + 90.0 * DAY));
        assert_eq!(m.next_renewal, T0 + 5.0 + 180.0 * DAY);
        assert_eq!(m.id_cert_expires, T0 + 5.0 + 365.0 * DAY);
        assert_eq!(m.due(), Some((T0 + 6.0 + 30.0 * DAY, Action::Authorize)));
        // A second registration does not generate the key again.
        let again = m.register("tok", true, T0 + 7.0, XE);
        assert_eq!(again.len(), 1);
    }

    #[test]
    fn renewals_every_30_days_keep_the_device_authorized() {
        let mut m = registered_and_authorized();
        let mut t = T0 + 21.0;
        for _ in 0..12 {
            let (at, action) = m.due().unwrap();
            assert_eq!(action, Action::Authorize);
            assert_eq!(at, t + 30.0 * DAY);
            t = at;
            m.granted(t, Grant::InCompliance, XE);
            // ID certificate renewals interleave every 180 days.
            while let Some((at, Action::RenewId)) = m.due() {
                m.id_renewed(at);
            }
            m.settle(t);
            assert!(matches!(m.auth_status(t), AuthStatus::Authorized(_)));
        }
        assert_eq!(m.phase, Phase::Registered);
    }

    #[test]
    fn ninety_days_without_communication_expire_the_authorization() {
        let m = registered_and_authorized();
        let deadline = T0 + 21.0 + 90.0 * DAY;
        assert!(matches!(
            m.auth_status(deadline - 1.0),
            AuthStatus::Authorized(_)
        ));
        assert_eq!(m.auth_status(deadline), AuthStatus::Expired(deadline));
    }

    #[test]
    fn an_id_certificate_not_renewed_for_a_year_returns_the_device_to_evaluation() {
        let mut m = registered_and_authorized();
        let expiry = T0 + 20.0 + 365.0 * DAY;
        m.settle(expiry - 1.0);
        assert_eq!(m.phase, Phase::Registered);
        m.settle(expiry + DAY);
        assert_eq!(m.phase, Phase::Unregistered);
        // 20 s of evaluation were used until registered; one day since expiry.
        assert_eq!(
            m.auth_status(expiry + DAY),
            AuthStatus::Eval(EVAL_PERIOD - 20.0 - DAY)
        );
    }

    #[test]
    fn registration_retries_every_15_minutes_for_4_hours_then_hourly() {
        let mut m = Classic::new(T0);
        m.register("tok", false, T0, XE);
        let send = Failure::Send {
            reason: "Fail to send out Call Home HTTP message.".into(),
            url: "https://tools.cisco.com/its/service/oddce/services/DDCEService".into(),
            timed_out: false,
        };
        let mut t = T0;
        let mut gaps = Vec::new();
        for _ in 0..20 {
            let logs = m.failed(Action::Register, &send, t, ("P", "S"), XE);
            assert!(logs[0].starts_with("%CALL_HOME-5-SL_MESSAGE_FAILED"));
            assert_eq!(m.phase, Phase::Registering);
            let (next, action) = m.due().unwrap();
            assert_eq!(action, Action::Register);
            gaps.push(next - t);
            t = next;
        }
        assert!(gaps[..16].iter().all(|g| *g == 15.0 * MINUTE), "{gaps:?}");
        assert!(gaps[16..].iter().all(|g| *g == HOUR), "{gaps:?}");
    }

    #[test]
    fn transport_not_available_fails_the_registration_without_retry() {
        let mut m = Classic::new(T0);
        m.register("tok", false, T0, XE);
        let reason = "Communication transport not available.";
        let logs = m.failed(
            Action::Register,
            &Failure::TransportUnavailable(reason.into()),
            T0,
            ("P", "S"),
            XE,
        );
        assert_eq!(m.phase, Phase::RegistrationFailed);
        assert_eq!(m.due(), None);
        assert_eq!(logs[0], logs::agent_reg_failed(reason));
        assert_eq!(logs[1], logs::comm_failed(reason));
    }

    #[test]
    fn a_rejected_registration_fails_but_a_try_again_keeps_registering() {
        let mut m = Classic::new(T0);
        m.register("tok", false, T0, XE);
        let rejected = Failure::Rejected {
            reason: "Product Already Registered".into(),
            retry: false,
        };
        m.failed(Action::Register, &rejected, T0, ("P", "S"), XE);
        assert_eq!(m.phase, Phase::RegistrationFailed);
        assert_eq!(m.next_registration, Some(T0 + 15.0 * MINUTE));
        let again = Failure::Rejected {
            reason: "Your request could not be processed right now. Please try again".into(),
            retry: true,
        };
        m.failed(Action::Register, &again, T0 + 1.0, ("P", "S"), XE);
        assert_eq!(m.phase, Phase::Registering);
    }

    #[test]
    fn renewal_retries_follow_the_state_schedules() {
        let send = Failure::Send {
            reason: "Fail to send out Call Home HTTP message.".into(),
            url: "u".into(),
            timed_out: true,
        };
        // AUTHORIZED: +30 s (observed), then every 23 hours.
        let mut m = registered_and_authorized();
        let t = T0 + 21.0 + 30.0 * DAY;
        m.failed(Action::Authorize, &send, t, ("P", "S"), XE);
        assert_eq!(m.next_comm, Some(t + 30.0));
        m.failed(Action::Authorize, &send, t + 30.0, ("P", "S"), XE);
        assert_eq!(m.next_comm, Some(t + 30.0 + 23.0 * HOUR));
        // OUT OF COMPLIANCE: daily renewals; on failure 15 minutes for 2 hours, then 4 hours.
        let mut m = registered_and_authorized();
        m.granted(T0 + 100.0, Grant::OutOfCompliance, XE);
        assert_eq!(m.next_comm, Some(T0 + 100.0 + DAY));
        let mut t = T0 + 100.0 + DAY;
        m.failed(Action::Authorize, &send, t, ("P", "S"), XE);
        let mut gaps = Vec::new();
        for _ in 0..12 {
            let next = m.next_comm.unwrap();
            t = next;
            m.failed(Action::Authorize, &send, t, ("P", "S"), XE);
            gaps.push(m.next_comm.unwrap() - t);
        }
        assert_eq!(gaps[0], 15.0 * MINUTE);
        assert_eq!(*gaps.last().unwrap(), 4.0 * HOUR);
        // AUTHORIZATION EXPIRED: hourly.
        let mut m = registered_and_authorized();
        let late = T0 + 21.0 + 91.0 * DAY;
        m.failed(Action::Authorize, &send, late, ("P", "S"), XE);
        m.failed(Action::Authorize, &send, late + 30.0, ("P", "S"), XE);
        assert_eq!(m.next_comm, Some(late + 30.0 + HOUR));
        // Restored communication re-authorizes ([CAT-TS] [NX-TS] [ACI-SL]).
        m.granted(late + 31.0, Grant::InCompliance, XE);
        assert_eq!(
            m.auth_status(late + 32.0),
            AuthStatus::Authorized(late + 31.0)
        );
    }

    fn event_texts(events: &EventLog) -> Vec<String> {
        events.events().map(|e| e.text.clone()).collect()
    }

    #[test]
    fn the_event_log_records_boot_registration_restoration_and_cat_6() {
        let mut m = Classic::new(T0);
        assert_eq!(
            event_texts(&m.events),
            [
                "SAEVT_READY",
                "SAEVT_ENABLED",
                "SAEVT_EXPORT_FLAG exportAllowed=\"False\"",
                "SAEVT_STATE_EVAL remainingSeconds=\"7776000\"",
                "SAEVT_INIT_CRYPTO success=\"True\"",
                "SAEVT_INIT_COMPLETE",
            ]
        );
        let boot = m.events.events().count();
        // A registration that cannot be sent, then one that goes through.
        m.register("tok", false, T0 + 10.0, XE);
        let send = Failure::Send {
            reason: "Fail to send out Call Home HTTP message.".into(),
            url: "https://tools.cisco.com/x".into(),
            timed_out: false,
        };
        m.failed(Action::Register, &send, T0 + 11.0, ("P", "S"), XE);
        assert_eq!(m.events.events().count(), boot);
        m.registered(T0 + 20.0, account(), true, XE);
        assert_eq!(
            event_texts(&m.events)[boot..],
            [
                "SAEVT_COMM_RESTORED",
                "SAEVT_EXPORT_FLAG exportAllowed=\"True\""
            ]
        );
        // CAT-6: the deregister status, then evaluation again with what is left of it.
        m.failed(
            Action::Authorize,
            &Failure::InvalidData("E".into()),
            T0 + 30.0,
            ("P", "S"),
            XE,
        );
        let texts = event_texts(&m.events);
        let left = EVAL_PERIOD - 20.0;
        assert_eq!(
            texts[texts.len() - 2..],
            [
                "SAEVT_DEREGISTER_STATUS msgStatus=\"LS_INVALID_DATA\" error=\"E\"".to_string(),
                format!("SAEVT_STATE_EVAL remainingSeconds=\"{left}\""),
            ]
        );
        // Using Policy has no evaluation period.
        let (p, _) = Policy::new(T0);
        assert!(
            !event_texts(&p.events)
                .iter()
                .any(|t| t.starts_with("SAEVT_STATE_EVAL"))
        );
    }

    #[test]
    fn invalid_data_from_the_on_prem_server_unregisters_the_device() {
        // docs/troubleshooting.md CAT-6.
        let mut m = registered_and_authorized();
        let error = "Missing Id cert serial number field; Missing signing cert serial number field; Signed data and certificate does not match";
        let logs = m.failed(
            Action::Authorize,
            &Failure::InvalidData(error.into()),
            T0 + 100.0,
            ("P", "S"),
            XE,
        );
        assert_eq!(
            logs,
            vec![format!(
                "SAEVT_DEREGISTER_STATUS msgStatus=\"LS_INVALID_DATA\" error=\"{error}\""
            )]
        );
        assert_eq!(m.phase, Phase::Unregistered);
        assert!(matches!(m.auth_status(T0 + 100.0), AuthStatus::Eval(_)));
        assert_eq!(m.due(), None);
    }

    #[test]
    fn a_reply_that_cannot_be_validated_leaves_the_renewal_pending() {
        // docs/troubleshooting.md CAT-7/8.
        let mut m = registered_and_authorized();
        let t = T0 + 30.0 * DAY;
        let logs = m.failed(
            Action::Authorize,
            &Failure::NoReply("Waiting for reply".into()),
            t,
            ("P", "S"),
            XE,
        );
        assert_eq!(logs, vec![logs::CRL_FETCH_FAIL.to_string()]);
        let last = m.last_comm.clone().unwrap();
        assert_eq!(last.ok, None);
        assert_eq!(last.reason.as_deref(), Some("Waiting for reply"));
        assert!(matches!(m.auth_status(t), AuthStatus::Authorized(_)));
        assert_eq!(m.next_comm, Some(t + FIRST_RETRY));
    }

    #[test]
    fn out_of_compliance_keeps_its_start_time_across_renewals() {
        let mut m = registered_and_authorized();
        let first = m.granted(T0 + 100.0, Grant::OutOfCompliance, XE);
        assert_eq!(first, vec![logs::OUT_OF_COMPLIANCE.to_string()]);
        let second = m.granted(T0 + 100.0 + DAY, Grant::OutOfCompliance, XE);
        assert!(second.is_empty());
        assert_eq!(
            m.auth_status(T0 + 101.0 + DAY),
            AuthStatus::OutOfCompliance(T0 + 100.0)
        );
    }

    #[test]
    fn id_certificate_renewal_retries_hourly() {
        let mut m = registered_and_authorized();
        let at = m.next_renewal;
        let send = Failure::Send {
            reason: "x".into(),
            url: "u".into(),
            timed_out: false,
        };
        m.failed(Action::RenewId, &send, at, ("P", "S"), XE);
        assert_eq!(m.next_renewal, at + HOUR);
        m.id_renewed(at + HOUR);
        assert_eq!(m.id_cert_expires, at + HOUR + 365.0 * DAY);
        assert_eq!(m.next_renewal, at + HOUR + 180.0 * DAY);
    }

    #[test]
    fn nx_os_and_apic_write_no_syslog() {
        let none = Syslog { ios_xe: false };
        let mut m = Classic::new(T0);
        assert!(m.register("t", false, T0, none).is_empty());
        assert!(m.registered(T0, account(), true, none).is_empty());
        assert!(m.granted(T0, Grant::InCompliance, none).is_empty());
    }

    #[test]
    fn policy_trust_then_report_and_ack() {
        let (mut p, boot) = Policy::new(T0);
        assert_eq!(
            boot,
            vec!["%SMART_LIC-6-REPORTING_REQUIRED: A Usage report acknowledgement will be required in 89 days.".to_string()]
        );
        assert_eq!(p.due(), None);
        p.trust("tok", false, T0 + 1.0);
        assert_eq!(p.due(), Some((T0 + 1.0, Action::Trust)));
        let fail = Failure::Send {
            reason: "Fail to send out Call Home HTTP message.".into(),
            url: "u".into(),
            timed_out: false,
        };
        p.trust_failed(&fail, T0 + 1.0);
        assert_eq!(p.trust_stats.ongoing_comm, 1);
        assert_eq!(p.due(), Some((T0 + 1.0 + HOUR, Action::Trust)));
        p.trusted(T0 + 2.0, account(), Some("SLE Policy".into()));
        assert_eq!(p.due(), Some((T0 + 2.0, Action::Report)));
        p.acknowledged(T0 + 3.0, None);
        assert_eq!(p.next_ack_deadline, T0 + 3.0 + 90.0 * DAY);
        assert_eq!(p.due(), Some((T0 + 3.0 + 30.0 * DAY, Action::Report)));
        assert_eq!(p.trust_stats.success, 1);
    }
}
