//! The intent: what one host's Smart Licensing set-up must be.
//!
//! An intent is merged from layers (platform defaults, playbook `vars`, inventory
//! `group_vars`/`host_vars`, `--extra-vars`; see [`merge_vars`]) and then
//! resolved here into typed values, with every rule of Cisco's documents checked first. This
//! module owns the intent's shape and its validation; it does not know how a platform
//! spells the config (that is in `templates/`) or how to reach a device.

pub(crate) mod check;
mod resolve;
mod secret;
mod url;

use std::path::PathBuf;
use std::time::Duration;

mod host_key;
pub use host_key::HostKeyPolicy;

use serde::Serialize;

pub use crate::redact::{REDACTED, Secret};
use crate::release::{LicensingModel, Platform};
use crate::yaml::{self, Key, Node, Value};
pub use resolve::{HostVars, ResolveOptions, resolve_host, secret_value, smart_licensing_keys};
pub use secret::{TokenSource, is_token_shaped};
pub use url::Url;

/// The Cisco cloud (CSSM) call-home service, the classic direct destination ([CAT-TS]).
pub const CSSM_CALLHOME_URL: &str =
    "https://tools.cisco.com/its/service/oddce/services/DDCEService";
/// The CSSM smart-transport receiver used by Smart Licensing Using Policy ([RTR-CMD] [GENIELIBS]).
pub const CSSM_SMART_URL: &str = "https://smartreceiver.cisco.com/licservice/license";
/// The on-prem / transport gateway service path; case-sensitive ([CAT-TS]).
pub const ONPREM_PATH: &str = "/Transportgateway/services/DeviceRequestHandler";
/// The CSLU / SSM On-Prem path under Smart Licensing Using Policy ([RTR-CMD] [GENIELIBS]).
pub const CSLU_PATH: &str = "/cslu/v1/pi";
/// The call-home profile that Cisco presets for Smart Licensing ([CAT-TS] [NX-TS] [ACI-SL]).
pub const DEFAULT_PROFILE: &str = "CiscoTAC-1";
/// The contact address Cisco documents for Smart Licensing call-home ([CAT-TS]).
pub const DEFAULT_CONTACT_EMAIL: &str = "sch-smart-licensing@cisco.com";

/// Merges a later layer of variables over `base`, as [`yaml::merge`] does, except
/// that a token source is replaced whole: a host's `token: {file: F}` over its group's
/// `token: {env: E}` is the file alone, not both keys (and an error then names the layer
/// that set each). Every place that stacks variable layers merges through this.
pub fn merge_vars(base: &mut Node, mut over: Node) {
    let token = take_token(&mut over);
    yaml::merge(base, over);
    if let Some(token) = token {
        put_token(base, token);
    }
}

const TOKEN_PATH: [&str; 2] = ["smart_licensing", "token"];

/// Removes `smart_licensing.token` from `layer`, key and all.
fn take_token(layer: &mut Node) -> Option<(Key, Node)> {
    let entries = entries_mut(layer)?;
    let (_, sl) = entries.iter_mut().find(|(k, _)| k.name == TOKEN_PATH[0])?;
    let entries = entries_mut(sl)?;
    let at = entries.iter().position(|(k, _)| k.name == TOKEN_PATH[1])?;
    Some(entries.remove(at))
}

/// Sets `smart_licensing.token` of `vars`, whose `smart_licensing` is a mapping: the
/// layer that held the token had one, and it was just merged in.
fn put_token(vars: &mut Node, token: (Key, Node)) {
    let sl = entries_mut(vars)
        .and_then(|e| e.iter_mut().find(|(k, _)| k.name == TOKEN_PATH[0]))
        .and_then(|(_, sl)| entries_mut(sl))
        .expect("smart_licensing was merged in from the token's layer");
    match sl.iter_mut().find(|(k, _)| k.name == TOKEN_PATH[1]) {
        Some(slot) => *slot = token,
        None => sl.push(token),
    }
}

fn entries_mut(node: &mut Node) -> Option<&mut Vec<(Key, Node)>> {
    match &mut node.value {
        Value::Map(entries) => Some(entries),
        _ => None,
    }
}

/// How the device reaches the licensing back-end ([CAT-TS] [NX-TS] [ACI-SL], [RTR-CMD]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    Direct,
    Proxy,
    Satellite,
    TransportGateway,
    /// Cisco Smart Licensing Utility (Using Policy only).
    Cslu,
    /// No transport: offline reporting (Using Policy only).
    Off,
}

impl Transport {
    pub const ALL: [(&'static str, Transport); 6] = [
        ("direct", Transport::Direct),
        ("proxy", Transport::Proxy),
        ("satellite", Transport::Satellite),
        ("transport-gateway", Transport::TransportGateway),
        ("cslu", Transport::Cslu),
        ("off", Transport::Off),
    ];

    pub fn name(self) -> &'static str {
        Transport::ALL
            .iter()
            .find(|(_, t)| *t == self)
            .map(|(n, _)| *n)
            .expect("every transport is listed")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RevocationCheck {
    None,
    Crl,
    Ocsp,
}

impl RevocationCheck {
    pub const ALL: [(&'static str, RevocationCheck); 3] = [
        ("none", RevocationCheck::None),
        ("crl", RevocationCheck::Crl),
        ("ocsp", RevocationCheck::Ocsp),
    ];
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Proxy {
    pub host: String,
    pub port: u16,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DnsHost {
    pub name: String,
    pub address: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dns {
    pub servers: Vec<String>,
    /// `None` leaves the device's default (lookup enabled) alone.
    pub domain_lookup: Option<bool>,
    pub hosts: Vec<DnsHost>,
    /// The server list is the whole list: other name servers are removed.
    pub exclusive: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ntp {
    pub servers: Vec<String>,
    pub exclusive: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trustpoint {
    pub name: String,
    /// The CA certificate (PEM) to authenticate the trustpoint with, resolved
    /// relative to the file that named it.
    pub ca_cert: Option<PathBuf>,
    pub revocation_check: Option<RevocationCheck>,
}

/// The licensing state to reach after registration, and how long to wait for it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expect {
    /// Classic: `REGISTERED` or `UNREGISTERED`. Using Policy: `TRUSTED` or `ANY`.
    pub registration: String,
    /// Classic: `AUTHORIZED`, `OUT_OF_COMPLIANCE`, `EVAL` or `ANY`. Using Policy: `ANY`.
    pub authorization: String,
    #[serde(rename = "timeout")]
    pub timeout_secs: u64,
    /// The Smart Account and virtual account the device must be registered to (as
    /// `show license status` prints them); unset: any.
    pub smart_account: Option<String>,
    pub virtual_account: Option<String>,
}

/// What an HA pair or stack establishes trust for ([RTR-CMD] [NX-TSFAQ]: `local` or `all`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustScope {
    Local,
    All,
}

/// When a change gets a safety net (docs/platform-notes.md "Safety net"): IOS-XE enters
/// config mode with `configure terminal revert timer N` and confirms after a post-change
/// check; NX-OS takes a checkpoint and rolls back to it if the check fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SafetyNet {
    /// When the planned lines touch how the device reaches the licensing back-end (VRF,
    /// source interface, proxy), and the device has what the safety net needs.
    Auto,
    /// For every change; a device without the prerequisite fails before anything changes.
    Always,
    Off,
}

impl SafetyNet {
    pub const ALL: [(&'static str, SafetyNet); 3] = [
        ("auto", SafetyNet::Auto),
        ("always", SafetyNet::Always),
        ("off", SafetyNet::Off),
    ];
}

/// The IOS-XE revert timer when the intent sets none, in minutes.
pub const DEFAULT_REVERT_TIMER: u32 = 5;

/// One host's resolved Smart Licensing intent. Serialised, it is the template context.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Intent {
    pub host: String,
    pub platform: Platform,
    pub licensing_model: LicensingModel,
    pub transport: Transport,
    /// The destination; `None` only with transport `off`.
    pub url: Option<String>,
    pub proxy: Option<Proxy>,
    pub vrf: Option<String>,
    pub source_interface: Option<String>,
    pub dns: Option<Dns>,
    pub ntp: Option<Ntp>,
    pub trustpoints: Vec<Trustpoint>,
    pub sla_trustpoint_revocation_check: Option<RevocationCheck>,
    pub server_identity_check: bool,
    pub contact_email: String,
    pub profile: String,
    #[serde(skip)]
    pub token: Option<TokenSource>,
    /// Where the token source was written, for errors about it.
    #[serde(skip)]
    pub token_origin: Option<crate::source::Origin>,
    pub force: bool,
    pub trust_scope: TrustScope,
    pub save: bool,
    pub expect: Expect,
    pub safety_net: SafetyNet,
    /// IOS-XE `configure terminal revert timer N`, 1–120 minutes.
    pub revert_timer: u32,
}

/// How smartlic reaches a host: Ansible's connection variables (`ansible_host`,
/// `ansible_user`, `ansible_password`, `ansible_ssh_private_key_file`,
/// `ansible_become_password`, `ansible_host_key_checking`, `ansible_connect_timeout`,
/// `ansible_command_timeout`) plus smartlic's own `smartlic_*` ones.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Connection {
    pub address: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub private_key_file: Option<PathBuf>,
    pub private_key_passphrase: Option<Secret>,
    /// The `enable` secret (Ansible's become password with `become_method: enable`).
    pub enable_secret: Option<Secret>,
    pub host_key_checking: HostKeyPolicy,
    /// `smartlic_known_hosts`; default `~/.ssh/known_hosts` (or `--known-hosts`).
    pub known_hosts: Option<PathBuf>,
    /// `smartlic_ssh_legacy_algorithms`: also offer SHA-1 key exchange, CBC ciphers and
    /// `ssh-rsa` host keys, for releases that know nothing newer.
    pub legacy_algorithms: bool,
    #[serde(with = "seconds")]
    pub connect_timeout: Duration,
    #[serde(with = "seconds")]
    pub command_timeout: Duration,
}

/// Durations as whole seconds in reports.
mod seconds {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::load_str;
    use std::path::Path;

    fn layer(file: &str, yaml: &str) -> Node {
        load_str(Path::new(file), yaml.to_string()).unwrap()
    }

    #[test]
    fn a_token_source_replaces_whole_and_other_keys_merge() {
        let mut vars = layer(
            "group_vars/all.yml",
            "smart_licensing:\n  vrf: Mgmt\n  token: {env: GROUP}\n",
        );
        merge_vars(
            &mut vars,
            layer(
                "host_vars/sw1.yml",
                "smart_licensing:\n  token: {file: t.txt}\n",
            ),
        );
        let sl = vars.get("smart_licensing").unwrap();
        assert_eq!(sl.get("vrf").unwrap().scalar(), Some("Mgmt"));
        let token = sl.get("token").unwrap();
        assert!(token.get("env").is_none(), "{token:?}");
        let file = token.get("file").unwrap();
        assert_eq!(file.origin.to_string(), "host_vars/sw1.yml:2");
    }

    #[test]
    fn a_layer_without_a_token_keeps_the_one_below() {
        let mut vars = layer(
            "group_vars/all.yml",
            "smart_licensing:\n  token: {env: GROUP}\n",
        );
        merge_vars(
            &mut vars,
            layer("host_vars/sw1.yml", "smart_licensing:\n  vrf: x\n"),
        );
        merge_vars(&mut vars, layer("host_vars/sw1.yml", "other: 1\n"));
        let token = vars.get("smart_licensing").unwrap().get("token").unwrap();
        assert_eq!(token.get("env").unwrap().scalar(), Some("GROUP"));
    }

    #[test]
    fn a_token_is_set_where_nothing_was() {
        let mut vars = layer("group_vars/all.yml", "smart_licensing: null\n");
        merge_vars(
            &mut vars,
            layer(
                "host_vars/sw1.yml",
                "smart_licensing: {token: {env: HOST}}\n",
            ),
        );
        let token = vars.get("smart_licensing").unwrap().get("token").unwrap();
        assert_eq!(token.get("env").unwrap().scalar(), Some("HOST"));
    }
}
