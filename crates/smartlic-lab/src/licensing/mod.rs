//! The device-side Smart Licensing agent of a lab device: the state machines of [CAT-TS] [NX-TS] [ACI-SL]
//! (classic) and [RTR-CMD] [NX-TSFAQ] [C9K-MIG] (Using Policy) on the lab clock, the `show license …`
//! outputs, and the network model that turns the running config into a real HTTPS call
//! to the lab back-end, or into Cisco's failure reason.
//!
//! API: [`agent`] builds the [`device::Licensing`](crate::device::Licensing) of one
//! device from its [`Identity`], its [`SharedState`], the lab's [`LabTopology`], the
//! device's [`DeviceNetwork`], the [`TrustAnchors`] built into every device, the
//! [`LabClock`] and a tokio runtime handle.
//!
//! Design:
//! - [`machine`] is pure: timestamps in lab seconds, time-driven transitions derived on
//!   demand, communications returned as due actions. The agent keeps one per device.
//! - Commands answer at once ([CAT-TS] [NX-TS] [ACI-SL]) and make an action due now. One background tokio
//!   task per device runs only while something is due: it sleeps until the next deadline
//!   (`clock.real_duration`, capped at [`MAX_SLEEP`] and woken by new commands), performs
//!   the action (every HTTP call bounded by [`LabTopology`]-independent `call_timeout`),
//!   feeds the outcome back, and exits when nothing is due. Dropping the agent aborts it.
//! - The agent never blocks on `DeviceState` from a CLI call (the CLI may hold it while
//!   calling): config is read with `try_lock` (falling back to the last snapshot), and
//!   syslog lines are queued and written by the background task.
//! - Timestamps: lab time; displayed and sent to the back-end as the *device* clock (lab
//!   time + the device's `clock_offset`). Log lines carry lab time (`LogLine.at`).

pub mod eventlog;
pub mod http;
pub mod logs;
pub mod machine;
pub mod show;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::LabClock;
use crate::device::{Identity, Licensing, LogLine, SharedState};
use crate::release::{LicensingModel, Platform};
use crate::tree::{Tree, words};

pub use crate::network::{self, DeviceNetwork, LabTopology};
use crate::network::{NoTransport, Transport, Unreachable};
use machine::{Account, Action, Classic, Failure, Grant, Policy, Syslog};
use show::{Entitlement, View};

/// The longest real-time sleep of the background task before it looks again.
pub const MAX_SLEEP: Duration = Duration::from_secs(60);
/// Default real-time bound of one HTTP call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// CAT-7 (docs/troubleshooting.md CAT-7).
pub const WAITING_FOR_REPLY: &str = "Waiting for reply";
/// CAT-4 (docs/troubleshooting.md).
pub const TRANSPORT_NOT_AVAILABLE: &str = "Communication transport not available.";
/// CAT-5 (docs/troubleshooting.md); also APIC ACI-1 and the NX-1 family (docs/troubleshooting.md).
pub const SEND_FAILED: &str = "Fail to send out Call Home HTTP message.";
/// NX-2 (docs/troubleshooting.md): an English gloss of [NX-TS]'s French title "Échec de l'analyse des
/// données de réponse du serveur SCH" — the device's English string is ⟨GAP⟩.
pub const NX_PLAIN_HTTP: &str = "Failed to parse SCH server response data.";
/// NX-3 (docs/troubleshooting.md): an English gloss of [NX-TS]'s French title "Échec de
/// l'envoi du message HTTP Call Home (échec de l'établissement de la connexion IPC avec
/// Call-Home - Quo Vadis Root CA)", for a back-end certificate chained to a root the
/// switch does not trust — the device's English string is ⟨GAP⟩.
pub const NX_UNTRUSTED_ROOT: &str = "Fail to send out Call Home HTTP message (failed to establish IPC connection with Call-Home - Quo Vadis Root CA).";
/// SLP transport failures ([C9400-174] [FN72578]): `(CSLU) : Unable to resolve server hostname/domain
/// name` (`[LOG-C1117]`) and the generic `(CSSM) : Communications failure` (FN72578).
pub const SLP_NO_DNS: &str = "Unable to resolve server hostname/domain name";
pub const SLP_COMM_FAILURE: &str = "Communications failure";
/// [CAT-TS], the IOS-XE reply (full text: public C9200L/CSR captures, search index ids 28523190061
/// and 4398888001).
pub const IOS_XE_REGISTER_REPLY: &str = "Registration process is in progress. Use the 'show license status' command to check the progress and result";
/// [NX-TS], its registration reply on NX-OS (also in its on-prem method).
pub const NX_OS_REGISTER_REPLY: &str =
    "Initiated device registration with backend. run show license status, for registration status";

/// The CA certificates every lab device trusts out of the box (the lab's "Cisco" root,
/// as Cisco's root CA is built into real devices), PEM.
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    pub built_in: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Machine {
    Classic(Box<Classic>),
    Policy(Box<Policy>),
}

/// What a device's licensing agent keeps between `--lab` runs ([`crate::saved`]):
/// its state machine (registration, authorization, trust, timers, event log), what the
/// back-end answered (product instance, ID certificate serial) and the device clock's
/// offset. Opaque outside this module: [`Agent::saved`] makes it, [`agent_from`] resumes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedAgent {
    machine: Machine,
    instance_id: Option<String>,
    id_cert_serial: Option<String>,
    next_report_id: u64,
    clock_offset: f64,
}

impl SavedAgent {
    /// Whether the device is registered (classic) or has trust installed (Using Policy).
    pub fn registered(&self) -> bool {
        match &self.machine {
            Machine::Classic(m) => m.phase == machine::Phase::Registered,
            Machine::Policy(p) => p.trust_installed.is_some(),
        }
    }
}

struct Inner {
    machine: Machine,
    pending_logs: Vec<LogLine>,
    /// The last running config read (for `show` when `DeviceState` is busy).
    config: Tree,
    /// The back-end's product instance id and the ID certificate serial (classic) from
    /// the last registration / renewal / trust (protocol `RegisterReply`, `TrustReply`).
    instance_id: Option<String>,
    id_cert_serial: Option<String>,
    next_report_id: u64,
}

struct Shared {
    identity: Identity,
    state: SharedState,
    lab: Arc<LabTopology>,
    device: DeviceNetwork,
    trust: Arc<TrustAnchors>,
    clock: LabClock,
    runtime: tokio::runtime::Handle,
    call_timeout: Duration,
    entitlements: Vec<Entitlement>,
    /// Device clock minus lab time, seconds: the inventory's `clock_offset` until
    /// `clock set` changes it ([`Licensing::set_clock_offset`]).
    clock_offset: Mutex<f64>,
    /// Waited before each call to the back-end: the latency profile's
    /// `registration_round_trip` ([`Agent::set_round_trip`]); zero by default.
    round_trip: Mutex<Duration>,
    inner: Mutex<Inner>,
    wake: tokio::sync::Notify,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// One device's licensing agent.
pub struct Agent {
    shared: Arc<Shared>,
}

/// Builds the licensing agent of one device. Its state starts at the clock's now: EVAL
/// (classic) or the Cisco default policy with no trust (Using Policy).
pub fn agent(
    identity: Identity,
    state: SharedState,
    lab: Arc<LabTopology>,
    device: DeviceNetwork,
    trust: Arc<TrustAnchors>,
    clock: LabClock,
    runtime: tokio::runtime::Handle,
) -> Arc<Agent> {
    agent_from(identity, state, lab, device, trust, clock, runtime, None)
}

/// As [`agent`], resuming `saved` (from [`Agent::saved`]) when given: the device is where
/// it was, and what fell due while the lab was stopped (a renewal, a report) goes out at
/// once. A saved state of the other licensing model is ignored (the device boots fresh).
#[allow(clippy::too_many_arguments)]
pub fn agent_from(
    identity: Identity,
    state: SharedState,
    lab: Arc<LabTopology>,
    device: DeviceNetwork,
    trust: Arc<TrustAnchors>,
    clock: LabClock,
    runtime: tokio::runtime::Handle,
    saved: Option<SavedAgent>,
) -> Arc<Agent> {
    let saved = saved.filter(|s| matches!(s.machine, Machine::Policy(_)) == is_policy(&identity));
    Arc::new(Agent::start(
        identity,
        state,
        lab,
        device,
        trust,
        clock,
        runtime,
        CALL_TIMEOUT,
        saved,
    ))
}

impl Agent {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        identity: Identity,
        state: SharedState,
        lab: Arc<LabTopology>,
        device: DeviceNetwork,
        trust: Arc<TrustAnchors>,
        clock: LabClock,
        runtime: tokio::runtime::Handle,
        call_timeout: Duration,
    ) -> Agent {
        Agent::start(
            identity,
            state,
            lab,
            device,
            trust,
            clock,
            runtime,
            call_timeout,
            None,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn start(
        identity: Identity,
        state: SharedState,
        lab: Arc<LabTopology>,
        device: DeviceNetwork,
        trust: Arc<TrustAnchors>,
        clock: LabClock,
        runtime: tokio::runtime::Handle,
        call_timeout: Duration,
        saved: Option<SavedAgent>,
    ) -> Agent {
        let now = clock.now();
        let mut pending_logs = Vec::new();
        let resumed = saved.is_some();
        let saved = saved.unwrap_or_else(|| {
            let machine = if is_policy(&identity) {
                let (policy, boot) = Policy::new(now);
                pending_logs.extend(boot.into_iter().map(|text| LogLine { at: now, text }));
                Machine::Policy(Box::new(policy))
            } else {
                Machine::Classic(Box::new(Classic::new(now)))
            };
            SavedAgent {
                machine,
                instance_id: None,
                id_cert_serial: None,
                next_report_id: now as u64,
                clock_offset: device.clock_offset_secs as f64,
            }
        });
        let config = state
            .try_lock()
            .map(|s| s.running.clone())
            .unwrap_or_default();
        let entitlements = show::entitlements(&identity);
        let agent = Agent {
            shared: Arc::new(Shared {
                identity,
                state,
                lab,
                device,
                trust,
                clock,
                runtime,
                call_timeout,
                entitlements,
                clock_offset: Mutex::new(saved.clock_offset),
                round_trip: Mutex::new(Duration::ZERO),
                inner: Mutex::new(Inner {
                    machine: saved.machine,
                    pending_logs,
                    config,
                    instance_id: saved.instance_id,
                    id_cert_serial: saved.id_cert_serial,
                    next_report_id: saved.next_report_id,
                }),
                wake: tokio::sync::Notify::new(),
                task: Mutex::new(None),
            }),
        };
        // The boot lines (Using Policy's `REPORTING_REQUIRED`) are in `show logging` at
        // once, not only after the first licensing command.
        agent.shared.flush_logs(false);
        if resumed {
            // Renewals and reports that fell due while the lab was stopped go out now.
            agent.shared.kick();
        }
        agent
    }

    /// Every later call to the back-end waits `round_trip` first (the latency profile's
    /// `registration_round_trip`, `crate::latency`).
    pub fn set_round_trip(&self, round_trip: Duration) {
        *self
            .shared
            .round_trip
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = round_trip;
    }

    /// The agent's state, to resume with [`agent_from`]. Its queued syslog lines are
    /// written to the device log first (do not hold the device state's lock).
    pub fn saved(&self) -> SavedAgent {
        self.shared.flush_logs(true);
        let inner = self.shared.lock();
        SavedAgent {
            machine: inner.machine.clone(),
            instance_id: inner.instance_id.clone(),
            id_cert_serial: inner.id_cert_serial.clone(),
            next_report_id: inner.next_report_id,
            clock_offset: self.shared.clock_offset(),
        }
    }

    /// Runs `f` on the state machine at lab time `now`, queues the syslog lines it returns,
    /// then makes sure the background task sees what became due.
    fn command<R>(&self, f: impl FnOnce(&mut Machine, f64) -> (R, Vec<String>)) -> R {
        let now = self.shared.clock.now();
        let result = {
            let mut inner = self.shared.lock();
            let (result, logs) = f(&mut inner.machine, now);
            inner
                .pending_logs
                .extend(logs.into_iter().map(|text| LogLine { at: now, text }));
            result
        };
        self.shared.flush_logs(false);
        self.shared.kick();
        result
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Some(task) = self
            .shared
            .task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            task.abort();
        }
    }
}

fn is_policy(identity: &Identity) -> bool {
    identity.model == LicensingModel::Policy && identity.platform != Platform::Apic
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn syslog(&self) -> Syslog {
        Syslog {
            ios_xe: self.identity.platform == Platform::IosXe,
        }
    }

    fn udi(&self) -> (&str, &str) {
        (&self.identity.pid, &self.identity.serial)
    }

    /// Moves queued syslog lines into `DeviceState.log`; `blocking`: wait for the lock
    /// (background task only).
    fn flush_logs(&self, blocking: bool) {
        let mut pending = std::mem::take(&mut self.lock().pending_logs);
        if pending.is_empty() {
            return;
        }
        let guard = if blocking {
            Some(self.state.lock().unwrap_or_else(|e| e.into_inner()))
        } else {
            self.state.try_lock().ok()
        };
        match guard {
            Some(mut state) => state.log.append(&mut pending),
            None => {
                let mut inner = self.lock();
                pending.append(&mut inner.pending_logs);
                inner.pending_logs = pending;
            }
        }
    }

    /// The running config now, or the last one read when the CLI holds the state.
    fn config(&self, blocking: bool) -> Tree {
        let fresh = if blocking {
            Some(
                self.state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .running
                    .clone(),
            )
        } else {
            self.state.try_lock().ok().map(|s| s.running.clone())
        };
        match fresh {
            Some(tree) => {
                self.lock().config = tree.clone();
                tree
            }
            None => self.lock().config.clone(),
        }
    }

    fn due(&self) -> Option<(f64, Action)> {
        let now = self.clock.now();
        let mut inner = self.lock();
        match &mut inner.machine {
            Machine::Classic(m) => {
                m.settle(now);
                m.due()
            }
            Machine::Policy(p) => p.due(),
        }
    }

    /// Starts the background task if none runs, else wakes it.
    fn kick(self: &Arc<Self>) {
        let mut slot = self.task.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_ref() {
            Some(task) if !task.is_finished() => self.wake.notify_one(),
            _ => {
                if self.due().is_some() || !self.lock().pending_logs.is_empty() {
                    let shared = Arc::clone(self);
                    *slot = Some(self.runtime.spawn(async move { shared.run().await }));
                }
            }
        }
    }

    async fn run(self: Arc<Self>) {
        loop {
            self.flush_logs(true);
            let Some((at, action)) = self.due() else {
                // Exit under the slot lock, so that a command either sees this task
                // still running (and wakes it) or sees no task (and starts one).
                let mut slot = self.task.lock().unwrap_or_else(|e| e.into_inner());
                if self.due().is_none() {
                    *slot = None;
                    return;
                }
                continue;
            };
            let now = self.clock.now();
            if at > now {
                let wait = self
                    .clock
                    .real_duration(Duration::from_secs_f64(at - now))
                    .min(MAX_SLEEP);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.wake.notified() => {}
                }
                continue;
            }
            self.perform(action).await;
        }
    }

    /// The transport the running config describes, for this device's model.
    fn transport(&self, tree: &Tree) -> Result<Transport, NoTransport> {
        match (self.identity.platform, is_policy(&self.identity)) {
            (p, true) => network::policy(p, tree),
            (Platform::IosXe, false) => network::ios_xe_call_home(tree),
            (Platform::NxOs, false) => network::nx_os_call_home(tree),
            (Platform::Apic, false) => network::apic(tree),
        }
    }

    fn clock_offset(&self) -> f64 {
        *self.clock_offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn device_time(&self) -> f64 {
        self.clock.now() + self.clock_offset()
    }

    /// The request body for `action`, in the back-end's protocol
    /// (`lab::backend::protocol::Request`, tagged by `kind`).
    fn request(&self, action: Action) -> Value {
        let device_time_ms = (self.device_time() * 1000.0) as i64;
        let mut inner = self.lock();
        let udi = json!({"pid": self.identity.pid, "serial": self.identity.serial});
        let token = match &inner.machine {
            Machine::Classic(m) => m.token.clone().map(|t| (t, m.force)),
            Machine::Policy(p) => p.pending_trust.clone(),
        };
        let (token, force) = token.unwrap_or_default();
        let instance = inner.instance_id.clone().unwrap_or_default();
        let serial = inner.id_cert_serial.clone().unwrap_or_default();
        let hostname = self.identity.name.clone();
        match action {
            Action::Register | Action::Trust => json!({
                "kind": if action == Action::Register { "register" } else { "trust" },
                "udi": udi, "token": token, "force": force,
                "device_time_ms": device_time_ms, "hostname": hostname,
            }),
            Action::Authorize => json!({
                "kind": "authorize", "udi": udi, "instance_id": instance,
                "id_cert_serial": serial, "device_time_ms": device_time_ms,
                "entitlements": self.entitlements.iter()
                    .map(|e| json!({"tag": e.tag, "count": e.count}))
                    .collect::<Vec<_>>(),
            }),
            Action::RenewId | Action::Deregister => json!({
                "kind": if action == Action::RenewId { "renew_id" } else { "deregister" },
                "udi": udi, "instance_id": instance, "id_cert_serial": serial,
                "device_time_ms": device_time_ms,
            }),
            Action::Report => {
                let now_ms = (self.clock.now() * 1000.0) as i64;
                let reports: Vec<Value> = self
                    .entitlements
                    .iter()
                    .map(|e| {
                        inner.next_report_id += 1;
                        json!({"report_id": inner.next_report_id, "tag": e.tag,
                               "count": e.count, "start_ms": now_ms, "end_ms": now_ms})
                    })
                    .collect();
                let mut body = json!({"kind": "report", "udi": udi, "reports": reports,
                                      "device_time_ms": device_time_ms});
                if let Some(id) = &inner.instance_id {
                    body["instance_id"] = json!(id);
                }
                body
            }
        }
    }

    /// Makes the call for `action` as the device would; the lab protocol's reply or the
    /// device's failure.
    async fn call(&self, body: Value) -> Result<Value, Failure> {
        let tree = self.config(true);
        let policy = is_policy(&self.identity);
        let transport = match self.transport(&tree) {
            Ok(t) => t,
            Err(NoTransport::NotAvailable { user_profile }) => {
                if user_profile && self.identity.platform == Platform::IosXe {
                    self.lock().pending_logs.push(LogLine {
                        at: self.clock.now(),
                        text: logs::CALL_HOME_FAILED_TO_ENABLE.to_string(),
                    });
                }
                return Err(Failure::TransportUnavailable(
                    TRANSPORT_NOT_AVAILABLE.to_string(),
                ));
            }
            Err(NoTransport::Off) => {
                return Err(Failure::TransportUnavailable(
                    TRANSPORT_NOT_AVAILABLE.to_string(),
                ));
            }
            Err(NoTransport::CsluUnset) => {
                return Err(Failure::Send {
                    reason: SLP_NO_DNS.to_string(),
                    url: String::new(),
                    timed_out: false,
                });
            }
        };
        let nx_os = self.identity.platform == Platform::NxOs;
        let send_failure =
            |unreachable: Option<&Unreachable>, timed_out: bool, untrusted_root: bool| {
                let reason = match unreachable {
                    Some(Unreachable::PlainHttpToCisco) if nx_os => NX_PLAIN_HTTP,
                    _ if nx_os && untrusted_root => NX_UNTRUSTED_ROOT,
                    Some(Unreachable::NoDns(_)) if policy && !transport.call_home => SLP_NO_DNS,
                    _ if policy && !transport.call_home => SLP_COMM_FAILURE,
                    _ => SEND_FAILED,
                };
                Failure::Send {
                    reason: reason.to_string(),
                    url: transport.url.clone(),
                    timed_out,
                }
            };
        let route = network::route(
            self.identity.platform,
            &tree,
            &transport,
            &self.lab,
            &self.device,
        )
        .map_err(|u| send_failure(Some(&u), false, false))?;
        let mut anchors = self.trust.built_in.clone();
        if self.identity.platform == Platform::NxOs {
            anchors.extend(self.lab.on_prem_cas.iter().cloned());
        }
        anchors.extend(
            self.state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .trusted_cas
                .values()
                .cloned(),
        );
        let round_trip = *self.round_trip.lock().unwrap_or_else(|e| e.into_inner());
        if !round_trip.is_zero() {
            tokio::time::sleep(round_trip).await;
        }
        let reply = tokio::time::timeout(
            self.call_timeout + Duration::from_secs(1),
            http::post(
                &route,
                &body,
                &anchors,
                transport.identity_check,
                self.call_timeout,
            ),
        )
        .await
        .unwrap_or(Err(http::CallError::Timeout));
        // NX-3 is the back-end's own chain ending at a root the switch lacks; an
        // intercepting proxy's CA is [CAT-TS]'s other case, with the plain reason.
        let reply = reply.map_err(|e| {
            let untrusted_root = e == http::CallError::UntrustedRoot && !route.via_proxy;
            send_failure(None, e == http::CallError::Timeout, untrusted_root)
        })?;
        if reply.get("ok").and_then(Value::as_bool) == Some(true) {
            // docs/troubleshooting.md CAT-7, [CAT-TS]: the reply's signing chain cannot be checked while the
            // CRL cannot be fetched, unless SLA-TrustPoint has `revocation-check none`.
            let crl_unreachable = reply
                .get(crate::backend::protocol::CRL_UNREACHABLE)
                .and_then(Value::as_bool)
                == Some(true);
            if crl_unreachable && checks_revocation(self.identity.platform, &tree) {
                return Err(Failure::NoReply(WAITING_FOR_REPLY.to_string()));
            }
            return Ok(reply);
        }
        let reason = reply
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or(SEND_FAILED)
            .to_string();
        // CAT-2's text (the back-end answers every bad token with it) and CAT-3 keep the
        // device REGISTERING (docs/troubleshooting.md CAT-2, 3); other refusals fail it (CAT-1).
        let code = reply.get("code").and_then(Value::as_str).unwrap_or("");
        if code == "invalid_data" {
            return Err(Failure::InvalidData(reason));
        }
        let retry = is_try_again(&reason) || code == "try_again" || code == "clock_skew";
        Err(Failure::Rejected { reason, retry })
    }

    async fn perform(&self, action: Action) {
        let body = self.request(action);
        let result = self.call(body).await;
        let now = self.clock.now();
        let syslog = self.syslog();
        let udi = self.udi();
        let mut inner = self.lock();
        if let Ok(reply) = &result {
            if let Some(id) = reply.get("instance_id").and_then(Value::as_str) {
                inner.instance_id = Some(id.to_string());
            }
            if let Some(serial) = reply.pointer("/id_cert/serial").and_then(Value::as_str) {
                inner.id_cert_serial = Some(serial.to_string());
            }
        }
        let config_cslu = inner.config_is_cslu(self);
        let logs = match (&mut inner.machine, result) {
            (Machine::Classic(m), Ok(reply)) => match action {
                Action::Register => m.registered(now, account(&reply), export(&reply), syslog),
                Action::Authorize => m.granted(now, grant(&reply), syslog),
                Action::RenewId => {
                    m.id_renewed(now);
                    Vec::new()
                }
                Action::Deregister => {
                    m.pending_deregister = false;
                    Vec::new()
                }
                Action::Trust | Action::Report => Vec::new(),
            },
            (Machine::Classic(m), Err(failure)) => m.failed(action, &failure, now, udi, syslog),
            (Machine::Policy(p), Ok(reply)) => {
                match action {
                    Action::Trust => p.trusted(
                        now,
                        account(&reply),
                        reply
                            .pointer("/policy/name")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    ),
                    _ => p.acknowledged(now, has_account(&reply).then(|| account(&reply))),
                }
                Vec::new()
            }
            (Machine::Policy(p), Err(failure)) => {
                let cslu = matches!(&failure, Failure::Send { url, .. } if url.contains("/cslu/"))
                    || config_cslu;
                match action {
                    Action::Trust => p.trust_failed(&failure, now),
                    _ => p.report_failed(&failure, cslu, now),
                }
            }
        };
        inner
            .pending_logs
            .extend(logs.into_iter().map(|text| LogLine { at: now, text }));
    }
}

impl Inner {
    fn config_is_cslu(&self, shared: &Shared) -> bool {
        matches!(
            network::policy(shared.identity.platform, &self.config),
            Err(NoTransport::CsluUnset) | Ok(Transport { cslu: true, .. })
        )
    }
}

/// Whether the device checks revocation for `SLA-TrustPoint`: IOS-XE only, unless the
/// trustpoint says `revocation-check none` ([CAT-TS]). A device without the block still
/// has the built-in trustpoint, which checks the CRL (the factory `revocation-check crl`).
fn checks_revocation(platform: Platform, tree: &Tree) -> bool {
    if platform != Platform::IosXe {
        return false;
    }
    let Some(block) = tree
        .lines
        .iter()
        .find(|l| words(&l.text) == "crypto pki trustpoint SLA-TrustPoint")
    else {
        return true;
    };
    !block.children.iter().any(|l| {
        let c = words(&l.text);
        c.strip_prefix("revocation-check ")
            .is_some_and(|methods| methods.split_whitespace().any(|m| m == "none"))
    })
}

/// CAT-2 and CAT-3 keep the device REGISTERING (docs/troubleshooting.md CAT-2) when the
/// back-end does not say `retry` itself.
fn is_try_again(reason: &str) -> bool {
    reason.contains("could not be processed right now") || reason.starts_with("{\"timestamp\"")
}

fn has_account(reply: &Value) -> bool {
    reply.get("smart_account").is_some()
}

fn account(reply: &Value) -> Account {
    let field = |k: &str| {
        reply
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("<none>")
            .to_string()
    };
    Account {
        smart: field("smart_account"),
        virtual_: field("virtual_account"),
    }
}

fn export(reply: &Value) -> bool {
    reply
        .get("export_controlled_allowed")
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

fn grant(reply: &Value) -> Grant {
    let status = reply
        .get("status")
        .or_else(|| reply.get("compliance"))
        .and_then(Value::as_str)
        .unwrap_or("authorized")
        .to_ascii_lowercase();
    if status.contains("out") {
        Grant::OutOfCompliance
    } else {
        Grant::InCompliance
    }
}

impl Licensing for Agent {
    fn register(&self, token: &str, force: bool) -> String {
        let platform = self.shared.identity.platform;
        let syslog = self.shared.syslog();
        self.command(|machine, now| match machine {
            Machine::Classic(m) => ((), m.register(token, force, now, syslog)),
            Machine::Policy(p) => {
                p.trust(token, force, now);
                ((), Vec::new())
            }
        });
        if is_policy(&self.shared.identity) {
            // The console reply to `license smart trust idtoken` is ⟨UNVERIFIED⟩ ([RTR-CMD] [NX-TSFAQ];
            // the only captured transcript is empty).
            return String::new();
        }
        match platform {
            Platform::IosXe => IOS_XE_REGISTER_REPLY.to_string(),
            Platform::NxOs => NX_OS_REGISTER_REPLY.to_string(),
            // APIC's reply is not in Cisco's documents ⟨GAP⟩.
            Platform::Apic => String::new(),
        }
    }

    fn deregister(&self) -> String {
        self.command(|machine, now| {
            if let Machine::Classic(m) = machine {
                m.deregister(now);
            }
            ((), Vec::new())
        });
        // The console reply is not in Cisco's documents ⟨GAP⟩.
        String::new()
    }

    fn renew(&self, id_certificate: bool) -> String {
        self.command(|machine, now| {
            if let Machine::Classic(m) = machine {
                m.renew_now(id_certificate, now);
            }
            ((), Vec::new())
        });
        // The console reply is not in Cisco's documents ⟨GAP⟩.
        String::new()
    }

    fn sync(&self) -> String {
        self.command(|machine, now| {
            if let Machine::Policy(p) = machine {
                p.sync(now);
            }
            ((), Vec::new())
        });
        String::new()
    }

    /// `clock set` (docs/troubleshooting.md CAT-3): what the device sends and prints from now on.
    fn set_clock_offset(&self, offset_secs: f64) {
        *self
            .shared
            .clock_offset
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = offset_secs;
    }

    fn network(&self) -> Option<(Arc<LabTopology>, DeviceNetwork)> {
        Some((Arc::clone(&self.shared.lab), self.shared.device.clone()))
    }

    fn show(&self, command: &str) -> Option<String> {
        let command = show::normalize(command);
        let now = self.shared.clock.now();
        let tree = self.shared.config(false);
        let transport = is_policy(&self.shared.identity).then(|| self.shared.transport(&tree));
        let mut inner = self.shared.lock();
        let view = View {
            identity: &self.shared.identity,
            now,
            offset: self.shared.clock_offset(),
            entitlements: &self.shared.entitlements,
            transport,
        };
        match &mut inner.machine {
            Machine::Classic(m) => {
                m.settle(now);
                show::classic(&command, m, &view)
            }
            Machine::Policy(p) => show::policy(&command, p, &view),
        }
    }
}

#[cfg(test)]
mod tests;
