//! What the inventory says about lab devices: each host's `lab:` block.
//!
//! ```yaml
//! campus-core-1:
//!   platform: ios-xe
//!   os_version: 16.12.5
//!   ansible_host: 127.0.0.11        # where the lab device listens (loopback only)
//!   ansible_port: 2201              # 0 or absent: pick a free port
//!   lab:
//!     pid: C9300-48P                # UDI product ID (default per platform)
//!     serial: FOC2101X0AB           # default derived from the name
//!     enable_secret: {env: LAB_ENABLE}
//!     privilege: 1                  # the login's level: 1 (user exec) or 15 (privileged)
//!     startup_config: configs/campus-core-1.cfg   # boots with it (path from the inventory's folder)
//!     reaches: [Mgmt-vrf]           # VRFs with a path to the licensing back-end
//!     interfaces: {GigabitEthernet0/0: Mgmt-vrf, Vlan27: null}
//!     clock_offset: -200d           # the device's clock, off by this much
//!     faults: {auth_failure: true, latency_ms: 200, drop_after: 5, hang_on: [show license status],
//!              invalid: [license smart transport], legacy_ssh: true, changed_host_key: true,
//!              keyboard_interactive_only: true}
//! ```
//!
//! And what it says about the lab's licensing back-end: the `lab_backend` var of the `all`
//! group (all of it optional; what is left out is [`BackendConfig::default`]):
//!
//! ```yaml
//! all:
//!   vars:
//!     lab_backend:
//!       accounts:                       # replaces the default `Example Account`
//!         - name: Acme Corp
//!           virtual_accounts:
//!             - name: Campus
//!               pools: {C9300 DNA Advantage: 1}   # licenses per entitlement tag
//!               default_count: 0                  # for any tag not in pools (default none)
//!       satellite_name: ssm.acme.example          # the satellite's DNS name (certificate, lab DNS)
//!       clock_skew_tolerance: 1h                  # device clock error before CAT-3
//!       # the back-end's faults at start, with the fields of `POST /admin/faults`:
//!       faults: {try_again: false, signature_mismatch: false, satellite_cert_expired: false,
//!                proxy_intercept: false, cssm: {outage: refused, delay_ms: 0},
//!                satellite: {outage: unavailable}, gateway: {}, proxy: {}}
//! ```
//! Validated like every other input: errors name the file, line and field, and nothing is
//! served until the whole inventory is right.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use std::path::Path;

use crate::backend::{AccountSeed, BackendConfig, Faults as BackendFaults, VirtualAccountSeed};
pub use crate::device_faults::{FAULT_KEYS, Faults, MAX_DROP_AFTER, MAX_LATENCY_MS};
use crate::inventory::{self, LabInventory};
use crate::release::{LicensingModel, Platform, Release};
use crate::schema::{Check, INTERFACE, LabError, PRODUCT_ID, VRF, Vault, duration, join, to_json};
use crate::secret::Secret;
use crate::yamlish::{Kind, Mark, Value};

/// One lab device, as the inventory declares it.
#[derive(Clone, Debug)]
pub struct LabHost {
    pub name: String,
    pub platform: Platform,
    pub model: LicensingModel,
    pub version: String,
    pub listen: SocketAddr,
    pub username: String,
    pub password: Secret,
    pub enable_secret: Option<Secret>,
    /// The login's privilege level: 15 lands at `#` (`username … privilege 15`), 1 at `>`.
    pub privilege: u8,
    /// The config the device boots with (`lab.startup_config`'s file), instead of the
    /// factory one.
    pub startup_config: Option<String>,
    pub pid: String,
    pub serial: String,
    /// VRF names (or `default`) that have a path to the back-end.
    pub reaches: Vec<String>,
    /// Interfaces and the VRF each is in (`None`: the global table).
    pub interfaces: BTreeMap<String, Option<String>>,
    /// Seconds the device clock is ahead (positive) or behind (negative).
    pub clock_offset_secs: i64,
    pub faults: Faults,
}

const LAB_KEYS: &[&str] = &[
    "pid",
    "serial",
    "enable_secret",
    "privilege",
    "startup_config",
    "reaches",
    "interfaces",
    "clock_offset",
    "faults",
];

/// The lab devices of an inventory: every host that has a `lab:` block. `vault` opens
/// `!vault` passwords, where the caller holds the vault password.
pub fn lab_hosts(
    inventory: &LabInventory,
    vault: Option<&Vault>,
) -> Result<Vec<LabHost>, Vec<LabError>> {
    let mut c = Check::default();
    let folder = inventory
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let hosts: Vec<LabHost> = inventory
        .hosts
        .iter()
        .filter(|h| h.vars.get("lab").is_some())
        .filter_map(|h| lab_host(&mut c, &h.name, &h.mark, &h.vars, vault, &folder))
        .collect();
    // A group's value is every member's: its problem is told once.
    let mut seen = std::collections::HashSet::new();
    c.errors.retain(|e| seen.insert(e.clone()));
    if hosts.is_empty() && !c.has_errors() {
        c.errors.push(LabError {
            file: inventory.path.clone(),
            line: 0,
            column: 0,
            field: String::new(),
            message: "no host has a `lab:` block, so there is nothing to serve".into(),
            help: None,
        });
    }
    if c.has_errors() {
        Err(c.errors)
    } else {
        Ok(hosts)
    }
}

/// One lab device; every problem of its vars is reported, not only the first.
fn lab_host(
    c: &mut Check,
    name: &str,
    listed_at: &Mark,
    vars: &Value,
    vault: Option<&Vault>,
    folder: &Path,
) -> Option<LabHost> {
    let lab = vars.get("lab")?;
    let known = c.map(lab, "lab", LAB_KEYS).is_some();
    let platform = platform(c, name, listed_at, vars);
    let version = platform.and_then(|p| release(c, p, vars));
    let listen = listen_address(c, name, listed_at, vars);
    let username = match vars.get("ansible_user") {
        Some(user) => c.string(user, "ansible_user"),
        None => Some("admin".into()),
    };
    let password = match ["ansible_password", "ansible_ssh_pass"]
        .iter()
        .find_map(|k| Some((*k, vars.get(k)?)))
    {
        Some((key, value)) => c.secret(value, key, vault),
        None => Some(Secret::new("admin")),
    };
    let enable_secret = lab
        .get("enable_secret")
        .map(|n| c.secret(n, "lab.enable_secret", vault));
    let privilege = lab.get("privilege").map(|n| login_privilege(c, n));
    let startup_config = lab
        .get("startup_config")
        .map(|n| startup_config(c, n, folder));
    let pid = lab.get("pid").map(|n| c.name(n, "lab.pid", &PRODUCT_ID));
    let serial = lab
        .get("serial")
        .map(|n| c.name(n, "lab.serial", &PRODUCT_ID));
    let reaches = lab.get("reaches").map(|n| words(c, n, "lab.reaches"));
    let interfaces = lab.get("interfaces").map(|n| interfaces(c, n));
    let clock_offset = lab.get("clock_offset").map(|n| clock_offset(c, n));
    let faults = lab.get("faults").map(|f| faults(c, f));
    let (platform, version) = (platform?, version?);
    if !known {
        return None;
    }
    Some(LabHost {
        name: name.to_string(),
        platform,
        // The release decides how the device licenses, whatever an intent expects of it.
        model: platform.licensing_model(Release::parse(&version)?),
        version,
        listen: listen?,
        username: username?,
        password: password?,
        // Without an enable secret a user-exec login could never reach `#`: such a
        // device logs its users in at 15 unless `privilege: 1` asks for that dead end.
        privilege: privilege.unwrap_or(Some(if enable_secret.is_some() { 1 } else { 15 }))?,
        enable_secret: enable_secret.map_or(Some(None), |s| s.map(Some))?,
        startup_config: startup_config.map_or(Some(None), |s| s.map(Some))?,
        pid: pid.unwrap_or_else(|| Some(default_pid(platform).to_string()))?,
        serial: serial.unwrap_or_else(|| Some(default_serial(name)))?,
        reaches: reaches.unwrap_or_else(|| vec!["default".to_string()]),
        interfaces: interfaces.unwrap_or_default(),
        clock_offset_secs: clock_offset.unwrap_or(Some(0))?,
        faults: faults.unwrap_or_default(),
    })
}

/// `lab.privilege`: 1 or 15, the two levels a login lands at on IOS (Cisco, "Configuring
/// Security with Passwords, Privilege Levels, and Login Usernames for CLI Sessions").
fn login_privilege(c: &mut Check, value: &Value) -> Option<u8> {
    let level = c.int(value, "lab.privilege", 1, 15)?;
    if level != 1 && level != 15 {
        c.error(
            value,
            "lab.privilege",
            format!("{level}: the lab logs in at 1 (user exec, `>`) or 15 (privileged, `#`)"),
        );
        return None;
    }
    Some(level as u8)
}

/// `lab.startup_config`: a config file, its path relative to the inventory's folder; its
/// text, read now so that a missing file is told before anything starts.
fn startup_config(c: &mut Check, value: &Value, folder: &Path) -> Option<String> {
    let path = folder.join(c.string(value, "lab.startup_config")?);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            c.error(
                value,
                "lab.startup_config",
                format!("cannot read {}: {e}", path.display()),
            );
            None
        }
    }
}

/// `platform:` (`ios-xe`, `nx-os`, `apic`), or Ansible's `ansible_network_os`.
fn platform(c: &mut Check, name: &str, listed_at: &Mark, vars: &Value) -> Option<Platform> {
    let Some((field, value)) = ["platform", "ansible_network_os"]
        .iter()
        .find_map(|k| Some((*k, vars.get(k)?)))
    else {
        c.error(
            listed_at,
            "platform",
            format!("lab device {name} needs a platform: ios-xe, nx-os or apic"),
        );
        return None;
    };
    let text = c.string(value, field)?;
    let found = Platform::from_inventory(&text);
    if found.is_none() {
        c.error(
            value,
            field,
            format!("`{text}` is not a platform the lab simulates: ios-xe, nx-os or apic"),
        );
    }
    found
}

/// `os_version` as written (`9.3(8)`, `16.12.5`): the device prints its release that way.
fn release(c: &mut Check, platform: Platform, vars: &Value) -> Option<String> {
    let Some(value) = vars.get("os_version").filter(|v| !v.is_null()) else {
        return Some(platform.default_release().to_string());
    };
    let text = c.string(value, "os_version")?;
    if Release::parse(&text).is_none() {
        c.error(
            value,
            "os_version",
            format!("`{text}` is not a release like 17.3.4a, 9.3(8) or 4.2(7f)"),
        );
        return None;
    }
    Some(text)
}

/// The lab listens where the inventory says the device is: `ansible_host` must be a
/// loopback address, so the lab never binds anything else. Without `ansible_port` (22 for
/// a real device) a lab device picks a free port.
fn listen_address(c: &mut Check, name: &str, listed_at: &Mark, vars: &Value) -> Option<SocketAddr> {
    let (address, at) = match vars.get("ansible_host") {
        Some(value) => (c.string(value, "ansible_host")?, value.mark.clone()),
        None => (name.to_string(), listed_at.clone()),
    };
    let port = match vars.get("ansible_port") {
        Some(value) => c.int(value, "ansible_port", 0, 65_535)? as u16,
        None => 0,
    };
    let ip: IpAddr = match address.parse() {
        Ok(ip) => ip,
        Err(_) => {
            c.error(
                &at,
                "ansible_host",
                format!("a lab device needs a loopback IP address, not `{address}`"),
            );
            return None;
        }
    };
    if !is_lab_address(ip) {
        c.error(
            &at,
            "ansible_host",
            format!("{ip} is not in 127.0.0.0/8: the lab binds loopback addresses only"),
        );
        return None;
    }
    Some(SocketAddr::new(ip, port))
}

/// The lab's whole network: 127.0.0.0/8.
pub fn is_lab_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(_) => false,
    }
}

fn faults(c: &mut Check, node: &Value) -> Faults {
    if c.map(node, "lab.faults", FAULT_KEYS).is_none() {
        return Faults::default();
    }
    let field = |k: &str| join("lab.faults", k);
    let flag = |c: &mut Check, k: &str| {
        node.get(k)
            .and_then(|n| c.bool(n, &field(k)))
            .unwrap_or(false)
    };
    Faults {
        auth_failure: flag(c, "auth_failure"),
        legacy_ssh: flag(c, "legacy_ssh"),
        changed_host_key: flag(c, "changed_host_key"),
        keyboard_interactive_only: flag(c, "keyboard_interactive_only"),
        latency_ms: node
            .get("latency_ms")
            .and_then(|n| c.int(n, &field("latency_ms"), 0, MAX_LATENCY_MS as i64))
            .unwrap_or(0) as u64,
        drop_after: node
            .get("drop_after")
            .and_then(|n| c.int(n, &field("drop_after"), 1, MAX_DROP_AFTER as i64))
            .map(|n| n as usize),
        hang_on: node
            .get("hang_on")
            .map(|n| commands(c, n, &field("hang_on")))
            .unwrap_or_default(),
        invalid: node
            .get("invalid")
            .map(|n| commands(c, n, &field("invalid")))
            .unwrap_or_default(),
    }
}

fn commands(c: &mut Check, node: &Value, field: &str) -> Vec<String> {
    c.list(node, field)
        .iter()
        .filter_map(|n| c.string(n, field))
        .collect()
}

fn words(c: &mut Check, node: &Value, field: &str) -> Vec<String> {
    c.list(node, field)
        .iter()
        .enumerate()
        .filter_map(|(i, n)| c.name(n, &format!("{field}[{i}]"), &VRF))
        .collect()
}

fn interfaces(c: &mut Check, node: &Value) -> BTreeMap<String, Option<String>> {
    let Some(entries) = node.as_map() else {
        c.error(
            node,
            "lab.interfaces",
            format!(
                "expected a mapping of interface: vrf, found {}",
                node.kind_name()
            ),
        );
        return BTreeMap::new();
    };
    entries
        .iter()
        .filter_map(|(k, v)| {
            let field = join("lab.interfaces", &k.name);
            let key = Value::new(Kind::Str(k.name.clone()), k.mark.clone());
            let interface = c.name(&key, &field, &INTERFACE);
            let vrf = if v.is_null() {
                None
            } else {
                c.name(v, &field, &VRF)
            };
            Some((interface?, vrf))
        })
        .collect()
}

/// `-200d`, `+3h`, `90s`: how far the device clock is off.
fn clock_offset(c: &mut Check, node: &Value) -> Option<i64> {
    let text = c.string(node, "lab.clock_offset")?;
    let (sign, magnitude) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(&text)),
    };
    match duration(magnitude) {
        Some(secs) => Some(sign * secs as i64),
        None => {
            c.error(
                node,
                "lab.clock_offset",
                format!("`{text}` is not an offset like -200d, +3h or 90s"),
            );
            None
        }
    }
}

// ------------------------------------------------------------------ lab_backend

const BACKEND_KEYS: &[&str] = &[
    "accounts",
    "satellite_name",
    "clock_skew_tolerance",
    "faults",
];
const ACCOUNT_KEYS: &[&str] = &["name", "virtual_accounts"];
const VIRTUAL_ACCOUNT_KEYS: &[&str] = &["name", "pools", "default_count"];
/// The most licenses a lab pool holds (and the most a `default_count` gives).
const MAX_POOL: i64 = 1_000_000;

/// A whole lab as an inventory declares it: its devices and its back-end.
#[derive(Clone, Debug)]
pub struct LabSpec {
    pub hosts: Vec<LabHost>,
    pub backend: BackendConfig,
}

/// Reads the inventory at `path` with the lab's own reader and gives the lab it declares.
/// `vault` opens `!vault` passwords, where the caller holds the vault password.
pub fn load_lab_spec(path: &Path, vault: Option<&Vault>) -> Result<LabSpec, Vec<LabError>> {
    let inventory = inventory::load(path)
        .map_err(|errors| errors.into_iter().map(LabError::from).collect::<Vec<_>>())?;
    lab_spec(&inventory, vault)
}

/// The devices ([`lab_hosts`]) and the back-end ([`lab_backend`]) of an inventory, with
/// every problem of both reported together.
pub fn lab_spec(inventory: &LabInventory, vault: Option<&Vault>) -> Result<LabSpec, Vec<LabError>> {
    match (lab_hosts(inventory, vault), lab_backend(inventory)) {
        (Ok(hosts), Ok(backend)) => Ok(LabSpec {
            hosts,
            backend: backend.unwrap_or_default(),
        }),
        (hosts, backend) => {
            let mut all = hosts.err().unwrap_or_default();
            all.extend(backend.err().unwrap_or_default());
            Err(all)
        }
    }
}

/// The back-end an inventory declares in its `all` vars (`lab_backend`, inventory file or
/// `group_vars/all`); `None` when it declares none (the lab then uses the defaults).
pub fn lab_backend(inventory: &LabInventory) -> Result<Option<BackendConfig>, Vec<LabError>> {
    let mut c = Check::default();
    let node = inventory.all_vars.get("lab_backend");
    // The back-end is the whole lab's: a host or group of its own cannot change it.
    let wanted = node.map(to_json);
    let differs = inventory.hosts.iter().find_map(|h| {
        let own = h.vars.get("lab_backend")?;
        (Some(to_json(own)) != wanted).then_some((h, own))
    });
    if let Some((host, own)) = differs {
        c.error(
            own,
            "lab_backend",
            format!(
                "`lab_backend` differs for host {}: the lab has one back-end, so set it in the `all` group's vars only",
                host.name
            ),
        );
    }
    let config = node.and_then(|n| backend_config(&mut c, n));
    if c.has_errors() {
        Err(c.errors)
    } else {
        Ok(config)
    }
}

fn backend_config(c: &mut Check, node: &Value) -> Option<BackendConfig> {
    if node.is_null() {
        return Some(BackendConfig::default());
    }
    c.map(node, "lab_backend", BACKEND_KEYS)?;
    let mut config = BackendConfig::default();
    if let Some(list) = node.get("accounts") {
        let accounts = accounts(c, list);
        if accounts.is_empty() && !c.has_errors() {
            c.error(
                list,
                "lab_backend.accounts",
                "needs at least one account (leave `accounts` out for the lab's default)",
            );
        }
        config.accounts = accounts;
    }
    if let Some(name) = node.get("satellite_name")
        && let Some(name) = dns_name(c, name, "lab_backend.satellite_name")
    {
        config.satellite.names = vec![name];
    }
    if let Some(n) = node.get("clock_skew_tolerance") {
        let field = "lab_backend.clock_skew_tolerance";
        if let Some(text) = c.string(n, field) {
            match duration(&text) {
                Some(secs) if secs > 0 => config.clock_skew_tolerance_secs = secs,
                _ => c.error(
                    n,
                    field,
                    format!("`{text}` is not a duration like 1h, 30m or 90s"),
                ),
            }
        }
    }
    if let Some(n) = node.get("faults") {
        config.faults = backend_faults(c, n);
    }
    Some(config)
}

fn accounts(c: &mut Check, node: &Value) -> Vec<AccountSeed> {
    let mut seen = Vec::new();
    c.list(node, "lab_backend.accounts")
        .iter()
        .enumerate()
        .filter_map(|(i, account)| {
            let field = format!("lab_backend.accounts[{i}]");
            c.map(account, &field, ACCOUNT_KEYS)?;
            let name = required_name(c, account, &field, &mut seen)?;
            let mut vas_seen = Vec::new();
            let virtual_accounts = match account.get("virtual_accounts") {
                Some(list) => {
                    let field = join(&field, "virtual_accounts");
                    c.list(list, &field)
                        .iter()
                        .enumerate()
                        .filter_map(|(j, va)| {
                            virtual_account(c, va, &format!("{field}[{j}]"), &mut vas_seen)
                        })
                        .collect()
                }
                // An account alone gets the lab's usual `Default` VA, plenty of everything.
                None => vec![VirtualAccountSeed {
                    name: "Default".into(),
                    pools: BTreeMap::new(),
                    default_count: Some(1000),
                }],
            };
            Some(AccountSeed {
                name,
                virtual_accounts,
            })
        })
        .collect()
}

fn virtual_account(
    c: &mut Check,
    node: &Value,
    field: &str,
    seen: &mut Vec<String>,
) -> Option<VirtualAccountSeed> {
    c.map(node, field, VIRTUAL_ACCOUNT_KEYS)?;
    let name = required_name(c, node, field, seen)?;
    let pools = match node.get("pools") {
        None => BTreeMap::new(),
        Some(pools) => {
            let field = join(field, "pools");
            let Some(entries) = pools.as_map() else {
                c.error(
                    pools,
                    &field,
                    format!(
                        "expected a mapping of entitlement tag: count, found {}",
                        pools.kind_name()
                    ),
                );
                return None;
            };
            entries
                .iter()
                .filter_map(|(tag, count)| {
                    let field = join(&field, &tag.name);
                    if tag.name.trim().is_empty() || tag.name.chars().any(char::is_control) {
                        c.error(count, &field, "an entitlement tag must be printable text");
                        return None;
                    }
                    let count = c.int(count, &field, 0, MAX_POOL)?;
                    Some((tag.name.clone(), count))
                })
                .collect()
        }
    };
    let default_count = node
        .get("default_count")
        .and_then(|n| c.int(n, &join(field, "default_count"), 0, MAX_POOL));
    Some(VirtualAccountSeed {
        name,
        pools,
        default_count,
    })
}

/// A `name:` that must be there, be printable and be unique among its siblings.
fn required_name(
    c: &mut Check,
    node: &Value,
    field: &str,
    seen: &mut Vec<String>,
) -> Option<String> {
    let field = join(field, "name");
    let Some(n) = node.get("name") else {
        c.error(node, &field, "a name is required");
        return None;
    };
    let name = c.string(n, &field)?;
    if name.trim().is_empty() || name.chars().any(char::is_control) || name.len() > 64 {
        c.error(n, &field, "must be printable text of 1 to 64 characters");
        return None;
    }
    if seen.contains(&name) {
        c.error(n, &field, format!("`{name}` is listed twice"));
        return None;
    }
    seen.push(name.clone());
    Some(name)
}

/// A DNS host name (letters, digits, `-`, dots between labels).
fn dns_name(c: &mut Check, node: &Value, field: &str) -> Option<String> {
    let name = c.string(node, field)?;
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if name.len() <= 253 && name.split('.').all(label_ok) {
        Some(name.to_ascii_lowercase())
    } else {
        c.error(
            node,
            field,
            format!("`{name}` is not a DNS host name like ssm.example.com"),
        );
        None
    }
}

/// The back-end's faults, with the field names of `POST /admin/faults` (read through the
/// same serde type, so every fault the back-end knows can be set here); each field is
/// checked on its own, so an error names its line.
fn backend_faults(c: &mut Check, node: &Value) -> BackendFaults {
    let field = "lab_backend.faults";
    let Some(entries) = node.as_map() else {
        if !node.is_null() {
            c.error(
                node,
                field,
                format!("expected a mapping, found {}", node.kind_name()),
            );
        }
        return BackendFaults::default();
    };
    let mut ok = true;
    for (key, value) in entries {
        let one = serde_json::json!({ key.name.clone(): to_json(value) });
        if let Err(e) = serde_json::from_value::<BackendFaults>(one) {
            ok = false;
            let at = if e.to_string().starts_with("unknown field") {
                &key.mark
            } else {
                &value.mark
            };
            c.error(at, &join(field, &key.name), e.to_string());
        }
    }
    if !ok {
        return BackendFaults::default();
    }
    serde_json::from_value(to_json(node)).unwrap_or_else(|e| {
        c.error(node, field, e.to_string());
        BackendFaults::default()
    })
}

/// Product IDs seen in Cisco's samples ([CAT-TS] [NX-TS] [ACI-SL]).
fn default_pid(platform: Platform) -> &'static str {
    match platform {
        Platform::IosXe => "C9300-48P",
        Platform::NxOs => "N9K-C9348GC-FXP",
        Platform::Apic => "APIC-SERVER-M3",
    }
}

/// A stable, Cisco-shaped serial number (`FOC` + 8) derived from the host name, so a
/// device keeps its identity (and its product instance) across lab restarts.
fn default_serial(name: &str) -> String {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("FOC{:08X}", hash as u32)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `text` as an inventory file, read by the lab's own reader.
    pub(crate) fn inventory(text: &str) -> LabInventory {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lab.yml");
        std::fs::write(&path, text).unwrap();
        inventory::load(&path).unwrap()
    }

    fn hosts(text: &str) -> Result<Vec<LabHost>, Vec<LabError>> {
        lab_hosts(&inventory(text), None)
    }

    #[test]
    fn reads_a_lab_block_with_defaults() {
        let found = hosts(
            "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 127.0.0.11\n      lab:\n        reaches: [Mgmt-vrf]\n        clock_offset: -200d\n        faults: {latency_ms: 50, hang_on: [show license status]}\n",
        )
        .unwrap();
        let h = &found[0];
        assert_eq!(h.listen, "127.0.0.11:0".parse().unwrap());
        assert_eq!(h.version, "16.12.5");
        assert_eq!(h.model, LicensingModel::Classic);
        assert_eq!(h.reaches, ["Mgmt-vrf"]);
        assert_eq!(h.clock_offset_secs, -200 * 86_400);
        assert_eq!(h.faults.latency_ms, 50);
        assert_eq!(h.faults.hang_on, ["show license status"]);
        assert!(h.serial.starts_with("FOC") && h.serial.len() == 11);
    }

    /// One IOS-XE host whose `lab.enable_secret` is `value` (YAML).
    fn with_enable_secret(value: &str) -> Result<Vec<LabHost>, Vec<LabError>> {
        hosts(&format!(
            "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 127.0.0.11\n      lab:\n        enable_secret: {value}\n"
        ))
    }

    fn enable_secret(found: &[LabHost]) -> Option<&str> {
        found[0].enable_secret.as_ref().map(Secret::expose)
    }

    #[test]
    fn the_login_privilege_defaults_to_where_enable_can_lead() {
        let host = |lab: &str| {
            let text = format!(
                "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 127.0.0.11\n      lab: {lab}\n"
            );
            lab_hosts(&inventory(&text), None)
        };
        assert_eq!(host("{}").unwrap()[0].privilege, 15);
        assert_eq!(host("{enable_secret: s}").unwrap()[0].privilege, 1);
        assert_eq!(host("{privilege: 1}").unwrap()[0].privilege, 1);
        assert_eq!(
            host("{enable_secret: s, privilege: 15}").unwrap()[0].privilege,
            15
        );
        for bad in ["{privilege: 7}", "{privilege: 16}", "{privilege: high}"] {
            let errors = host(bad).unwrap_err();
            assert_eq!(errors[0].field, "lab.privilege", "{bad}: {errors:?}");
            assert_eq!(errors[0].line, 7, "{bad}: {errors:?}");
        }
    }

    #[test]
    fn a_startup_config_is_read_from_the_inventory_folder_and_a_missing_one_is_told() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("configs")).unwrap();
        std::fs::write(dir.path().join("configs/sw1.cfg"), "hostname sw1\n").unwrap();
        let host = |file: &str| {
            let text = format!(
                "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 127.0.0.11\n      lab: {{startup_config: {file}}}\n"
            );
            let path = dir.path().join("hosts.yml");
            std::fs::write(&path, text).unwrap();
            lab_hosts(&crate::inventory::load(&path).unwrap(), None)
        };
        let found = host("configs/sw1.cfg").unwrap();
        assert_eq!(found[0].startup_config.as_deref(), Some("hostname sw1\n"));
        let errors = host("configs/missing.cfg").unwrap_err();
        assert_eq!(errors[0].field, "lab.startup_config", "{errors:?}");
        assert_eq!(errors[0].line, 7, "{errors:?}");
        assert!(errors[0].message.contains("missing.cfg"), "{errors:?}");
    }

    #[test]
    fn enable_secret_takes_every_source_a_password_takes() {
        let plain = with_enable_secret("Lab-Enable-1").unwrap();
        assert_eq!(enable_secret(&plain), Some("Lab-Enable-1"));

        // A variable every test process has (tests cannot set one: no `unsafe`).
        let env = with_enable_secret("{env: PATH}").unwrap();
        assert_eq!(enable_secret(&env), std::env::var("PATH").ok().as_deref());

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("enable.txt");
        std::fs::write(&file, "From-File-3\n").unwrap();
        let from_file = with_enable_secret(&format!("{{file: {}}}", file.display())).unwrap();
        assert_eq!(enable_secret(&from_file), Some("From-File-3"));

        // A source that gives nothing is an error naming the field and line, not a
        // device without an enable secret.
        let errors =
            with_enable_secret("{env: SMARTLIC_TEST_SURELY_UNSET_LAB_ENABLE}").unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "lab.enable_secret", "{errors:?}");
        assert!(errors[0].message.contains("not set"), "{errors:?}");
        assert_eq!(errors[0].line, 8);
        let errors = with_enable_secret("{vault: x}").unwrap_err();
        assert!(
            errors[0].field.starts_with("lab.enable_secret"),
            "{errors:?}"
        );
    }

    #[test]
    fn every_problem_of_every_host_is_told_once() {
        let errors = hosts(concat!(
            "all:\n",
            "  vars:\n",
            "    ansible_password: {env: SMARTLIC_TEST_SURELY_UNSET_LAB_PASSWORD}\n",
            "  hosts:\n",
            "    sw1:\n",
            "      platform: ios-xr\n",
            "      ansible_host: 10.0.0.1\n",
            "      lab: {pid: \"a;b\"}\n",
            "    sw2:\n",
            "      platform: nx-os\n",
            "      os_version: banana\n",
            "      ansible_host: 127.0.0.5\n",
            "      lab: {enable_secret: !vault x}\n",
        ))
        .unwrap_err();
        let found: Vec<(String, usize)> =
            errors.iter().map(|e| (e.field.clone(), e.line)).collect();
        assert_eq!(
            found,
            [
                ("platform".to_string(), 6),
                ("ansible_host".to_string(), 7),
                ("ansible_password".to_string(), 3),
                ("lab.pid".to_string(), 8),
                ("os_version".to_string(), 11),
                ("lab.enable_secret".to_string(), 13),
            ],
            "{errors:?}"
        );
        assert!(errors[5].message.contains("cannot open"), "{errors:?}");
    }

    #[test]
    fn the_release_decides_the_licensing_model_whatever_the_intent_says() {
        let found = hosts(
            "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 17.9.4a\n      ansible_host: 127.0.0.11\n      smart_licensing: {licensing_model: classic}\n      lab: {}\n    sw2:\n      ansible_network_os: cisco.nxos.nxos\n      ansible_host: 127.0.0.12\n      lab: {}\n",
        )
        .unwrap();
        assert_eq!(found[0].model, LicensingModel::Policy);
        // No os_version: the platform's default release, 9.3(8) on NX-OS, classic.
        assert_eq!(found[1].version, "9.3(8)");
        assert_eq!(found[1].model, LicensingModel::Classic);
    }

    #[test]
    fn vault_passwords_are_opened_by_the_caller_s_vault() {
        let inventory = inventory(
            "all:\n  vars:\n    ansible_password: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      3132\n  hosts:\n    sw1:\n      platform: ios-xe\n      ansible_host: 127.0.0.11\n      lab: {}\n",
        );
        let vault = |text: &str| {
            assert!(text.starts_with("$ANSIBLE_VAULT;1.1;AES256"), "{text}");
            Ok("opened-password".to_string())
        };
        let found = lab_hosts(&inventory, Some(&vault)).unwrap();
        assert_eq!(found[0].password.expose(), "opened-password");
        let refused = |_: &str| Err("wrong vault password".to_string());
        let errors = lab_hosts(&inventory, Some(&refused)).unwrap_err();
        assert_eq!(errors[0].field, "ansible_password");
        assert_eq!(errors[0].message, "wrong vault password");
    }

    #[test]
    fn refuses_to_bind_outside_loopback() {
        let errors = hosts(
            "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 192.0.2.11\n      lab: {}\n",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].message.contains("not in 127.0.0.0/8"),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[0].line, 6);
    }

    const ONE_HOST: &str = "  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 127.0.0.11\n      lab: {}\n";

    fn backend(vars: &str) -> Result<Option<BackendConfig>, Vec<LabError>> {
        let text = format!("all:\n  vars:\n{vars}{ONE_HOST}");
        let inventory = inventory(&text);
        lab_backend(&inventory)
    }

    #[test]
    fn no_lab_backend_means_the_default_back_end() {
        assert_eq!(backend("    x: 1\n").unwrap(), None);
        let text = format!("all:\n{ONE_HOST}");
        let inventory = inventory(&text);
        let spec = lab_spec(&inventory, None).unwrap();
        assert_eq!(spec.backend, BackendConfig::default());
        assert_eq!(spec.hosts.len(), 1);
    }

    #[test]
    fn reads_a_lab_backend() {
        let config = backend(concat!(
            "    lab_backend:\n",
            "      accounts:\n",
            "        - name: Acme Corp\n",
            "          virtual_accounts:\n",
            "            - name: Campus\n",
            "              pools:\n",
            "                C9300-48 DNA Advantage: 1\n",
            "                C9300-48 Network Advantage: 2\n",
            "            - {name: Spare, default_count: 5}\n",
            "        - name: Beta\n",
            "      satellite_name: SSM.acme.example\n",
            "      clock_skew_tolerance: 30m\n",
            "      faults: {try_again: true, cssm: {outage: refused, delay_ms: 20}}\n",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(config.accounts.len(), 2);
        let acme = &config.accounts[0];
        assert_eq!(acme.name, "Acme Corp");
        assert_eq!(acme.virtual_accounts[0].name, "Campus");
        assert_eq!(acme.virtual_accounts[0].pools["C9300-48 DNA Advantage"], 1);
        assert_eq!(
            acme.virtual_accounts[0].pools["C9300-48 Network Advantage"],
            2
        );
        assert_eq!(acme.virtual_accounts[0].default_count, None);
        assert_eq!(acme.virtual_accounts[1].default_count, Some(5));
        // An account without virtual accounts gets the usual `Default` one.
        assert_eq!(config.accounts[1].virtual_accounts[0].name, "Default");
        assert_eq!(config.satellite.names, ["ssm.acme.example"]);
        assert_eq!(config.clock_skew_tolerance_secs, 1800);
        assert!(config.faults.try_again);
        assert_eq!(
            config.faults.cssm.outage,
            Some(crate::backend::Outage::Refused)
        );
        assert_eq!(config.faults.cssm.delay_ms, 20);
        // What was left out keeps the defaults.
        let default = BackendConfig::default();
        assert_eq!(config.cssm, default.cssm);
        assert_eq!(config.policy, default.policy);
    }

    #[test]
    fn lab_backend_errors_name_line_and_field() {
        let errors = backend(concat!(
            "    lab_backend:\n",
            "      acounts: []\n",
            "      satellite_name: not a name\n",
            "      clock_skew_tolerance: soon\n",
            "      faults:\n",
            "        try_agian: true\n",
            "        cssm: {outage: down}\n",
        ))
        .unwrap_err();
        let found: Vec<(String, usize)> =
            errors.iter().map(|e| (e.field.clone(), e.line)).collect();
        assert_eq!(
            found,
            [
                ("lab_backend.acounts".to_string(), 4),
                ("lab_backend.satellite_name".to_string(), 5),
                ("lab_backend.clock_skew_tolerance".to_string(), 6),
                ("lab_backend.faults.try_agian".to_string(), 8),
                ("lab_backend.faults.cssm".to_string(), 9),
            ],
            "{errors:?}"
        );
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `accounts`?"));
        assert!(
            errors[3].message.contains("unknown field"),
            "{}",
            errors[3].message
        );

        let errors = backend(concat!(
            "    lab_backend:\n",
            "      accounts:\n",
            "        - name: A\n",
            "          virtual_accounts:\n",
            "            - name: V\n",
            "              pools: {TAG: -1}\n",
            "        - name: A\n",
            "        - virtual_accounts: []\n",
        ))
        .unwrap_err();
        let found: Vec<(String, usize)> =
            errors.iter().map(|e| (e.field.clone(), e.line)).collect();
        assert_eq!(
            found,
            [
                (
                    "lab_backend.accounts[0].virtual_accounts[0].pools.TAG".to_string(),
                    8
                ),
                ("lab_backend.accounts[1].name".to_string(), 9),
                ("lab_backend.accounts[2].name".to_string(), 10),
            ],
            "{errors:?}"
        );
    }

    #[test]
    fn lab_backend_belongs_to_the_all_group() {
        let text = "all:\n  hosts:\n    sw1:\n      platform: ios-xe\n      os_version: 16.12.5\n      ansible_host: 127.0.0.11\n      lab: {}\n      lab_backend: {clock_skew_tolerance: 1h}\n";
        let inventory = inventory(text);
        let errors = lab_spec(&inventory, None).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "lab_backend");
        assert!(errors[0].message.contains("sw1"), "{}", errors[0].message);
        assert_eq!(errors[0].line, 8);
    }

    #[test]
    fn device_faults_check_the_inventory_bounds() {
        let mut faults = Faults::default();
        assert!(faults.problems().is_empty());
        faults.set("latency_ms", "600001", true).unwrap();
        faults.set("drop_after", "0", true).unwrap();
        faults.set("hang_on", "  ", true).unwrap();
        assert!(faults.hang_on.is_empty());
        faults.hang_on.push("\u{1b}x".into());
        assert_eq!(faults.problems().len(), 3, "{:?}", faults.problems());
    }

    #[test]
    fn unknown_fault_names_get_a_suggestion() {
        let errors = hosts(
            "all:\n  hosts:\n    sw1:\n      platform: nx-os\n      os_version: 9.3(8)\n      ansible_host: 127.0.0.12\n      lab:\n        faults: {latency: 5}\n",
        )
        .unwrap_err();
        assert_eq!(errors[0].field, "lab.faults.latency");
        assert_eq!(
            errors[0].help.as_deref(),
            Some("did you mean `latency_ms`?")
        );
    }
}
