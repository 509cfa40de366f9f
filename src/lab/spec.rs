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
//!     reaches: [Mgmt-vrf]           # VRFs with a path to the licensing back-end
//!     interfaces: {GigabitEthernet0/0: Mgmt-vrf, Vlan27: null}
//!     clock_offset: -200d           # the device's clock, off by this much
//!     faults: {auth_failure: true, latency_ms: 200, drop_after: 5, hang_on: [show license status],
//!              invalid: [license smart transport], legacy_ssh: true, changed_host_key: true}
//! ```
//! Validated like every other input: errors name the file, line and field, and nothing is
//! served until the whole inventory is right.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use crate::intent::check::{Checker, join, parse_duration};
use crate::intent::{ResolveOptions, Secret, resolve_host};
use crate::inventory::Inventory;
use crate::platform::{LicensingModel, Platform};
use crate::source::Diagnostic;
use crate::yaml::Node;

/// Faults a lab device can be told to show (issue 3's list).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    pub auth_failure: bool,
    pub latency_ms: u64,
    pub drop_after: Option<usize>,
    pub hang_on: Vec<String>,
    pub invalid: Vec<String>,
    pub legacy_ssh: bool,
    pub changed_host_key: bool,
}

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
    "reaches",
    "interfaces",
    "clock_offset",
    "faults",
];
const FAULT_KEYS: &[&str] = &[
    "auth_failure",
    "latency_ms",
    "drop_after",
    "hang_on",
    "invalid",
    "legacy_ssh",
    "changed_host_key",
];

/// The lab devices of an inventory: every host that has a `lab:` block.
pub fn lab_hosts(inventory: &Inventory) -> Result<Vec<LabHost>, Vec<Diagnostic>> {
    let mut c = Checker::default();
    let hosts: Vec<LabHost> = inventory
        .hosts
        .iter()
        .filter(|h| h.vars.get("lab").is_some())
        .filter_map(|h| {
            let mut vars = h.vars.clone();
            vars.origin = h.origin.clone();
            lab_host(&mut c, &h.name, &vars)
        })
        .collect();
    if hosts.is_empty() && !c.has_errors() {
        c.push(Diagnostic::error(
            &crate::source::Origin::CommandLine(inventory.path.display().to_string()),
            "",
            "no host has a `lab:` block, so there is nothing to serve",
        ));
    }
    if c.has_errors() {
        Err(c.diagnostics)
    } else {
        Ok(hosts)
    }
}

fn lab_host(c: &mut Checker, name: &str, vars: &Node) -> Option<LabHost> {
    let options = ResolveOptions {
        allow_plaintext_token: true,
    };
    let (resolved, diagnostics) = resolve_host(name, vars, &options);
    c.diagnostics.extend(diagnostics);
    let resolved = resolved?;
    let lab = vars.get("lab")?;
    c.map(lab, "lab", LAB_KEYS)?;
    let listen = listen_address(
        c,
        vars,
        &resolved.connection.address,
        resolved.connection.port,
    )?;
    let faults = lab.get("faults").map(|f| faults(c, f)).unwrap_or_default();
    let platform = resolved.intent.platform;
    Some(LabHost {
        name: name.to_string(),
        platform,
        model: resolved.intent.licensing_model,
        // As written (`9.3(8)`, `16.12.5`): the device prints its release that way.
        version: vars
            .get("os_version")
            .and_then(|n| n.scalar())
            .unwrap_or(default_version(platform))
            .to_string(),
        listen,
        username: resolved
            .connection
            .user
            .clone()
            .unwrap_or_else(|| "admin".into()),
        password: resolved
            .connection
            .password
            .clone()
            .unwrap_or_else(|| Secret::new("admin")),
        enable_secret: lab
            .get("enable_secret")
            .and_then(|n| n.scalar())
            .map(Secret::new),
        pid: text_or(c, lab, "pid", default_pid(platform)),
        serial: text_or(c, lab, "serial", &default_serial(name)),
        reaches: lab
            .get("reaches")
            .map(|n| words(c, n, "lab.reaches"))
            .unwrap_or_else(|| vec!["default".to_string()]),
        interfaces: lab
            .get("interfaces")
            .map(|n| interfaces(c, n))
            .unwrap_or_default(),
        clock_offset_secs: lab
            .get("clock_offset")
            .and_then(|n| clock_offset(c, n))
            .unwrap_or(0),
        faults,
    })
}

/// The lab listens where the inventory says the device is: `ansible_host` must be a
/// loopback address, so the lab never binds anything else.
fn listen_address(c: &mut Checker, vars: &Node, address: &str, port: u16) -> Option<SocketAddr> {
    let node = vars.get("ansible_host").unwrap_or(vars);
    let ip: IpAddr = match address.parse() {
        Ok(ip) => ip,
        Err(_) => {
            c.error(
                node,
                "ansible_host",
                format!("a lab device needs a loopback IP address, not `{address}`"),
            );
            return None;
        }
    };
    if !is_lab_address(ip) {
        c.error(
            node,
            "ansible_host",
            format!("{ip} is not in 127.0.0.0/8: the lab binds loopback addresses only"),
        );
        return None;
    }
    // ansible_port absent means 22 for real devices; a lab device picks a free port then.
    let port = if vars.get("ansible_port").is_some() {
        port
    } else {
        0
    };
    Some(SocketAddr::new(ip, port))
}

/// The lab's whole network: 127.0.0.0/8.
pub fn is_lab_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(_) => false,
    }
}

fn faults(c: &mut Checker, node: &Node) -> Faults {
    if c.map(node, "lab.faults", FAULT_KEYS).is_none() {
        return Faults::default();
    }
    let field = |k: &str| join("lab.faults", k);
    let flag = |c: &mut Checker, k: &str| {
        node.get(k)
            .and_then(|n| c.bool(n, &field(k)))
            .unwrap_or(false)
    };
    Faults {
        auth_failure: flag(c, "auth_failure"),
        legacy_ssh: flag(c, "legacy_ssh"),
        changed_host_key: flag(c, "changed_host_key"),
        latency_ms: node
            .get("latency_ms")
            .and_then(|n| c.int(n, &field("latency_ms"), 0, 600_000))
            .unwrap_or(0) as u64,
        drop_after: node
            .get("drop_after")
            .and_then(|n| c.int(n, &field("drop_after"), 1, 1_000_000))
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

fn commands(c: &mut Checker, node: &Node, field: &str) -> Vec<String> {
    c.list(node, field)
        .iter()
        .filter_map(|n| c.string(n, field))
        .collect()
}

fn words(c: &mut Checker, node: &Node, field: &str) -> Vec<String> {
    c.list(node, field)
        .iter()
        .enumerate()
        .filter_map(|(i, n)| c.word(n, &format!("{field}[{i}]"), 32))
        .collect()
}

fn interfaces(c: &mut Checker, node: &Node) -> BTreeMap<String, Option<String>> {
    let Some(entries) = node.entries() else {
        c.error(
            node,
            "lab.interfaces",
            format!(
                "expected a mapping of interface: vrf, found {}",
                node.kind()
            ),
        );
        return BTreeMap::new();
    };
    entries
        .iter()
        .map(|(k, v)| {
            let vrf = if v.is_null() {
                None
            } else {
                c.word(v, &join("lab.interfaces", &k.name), 32)
            };
            (k.name.clone(), vrf)
        })
        .collect()
}

/// `-200d`, `+3h`, `90s`: how far the device clock is off.
fn clock_offset(c: &mut Checker, node: &Node) -> Option<i64> {
    let text = c.string(node, "lab.clock_offset")?;
    let (sign, magnitude) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(&text)),
    };
    match parse_duration(magnitude) {
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

fn text_or(c: &mut Checker, lab: &Node, key: &str, default: &str) -> String {
    lab.get(key)
        .and_then(|n| c.word(n, &join("lab", key), 64))
        .unwrap_or_else(|| default.to_string())
}

/// A release each personality runs when the inventory names none.
fn default_version(platform: Platform) -> &'static str {
    match platform {
        Platform::IosXe => "17.3.4",
        Platform::NxOs => "9.3(8)",
        Platform::Apic => "4.2(7f)",
    }
}

/// Product IDs seen in the spec's samples (SPEC §1, §6.2).
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
mod tests {
    use super::*;
    use std::path::Path;

    fn hosts(text: &str) -> Result<Vec<LabHost>, Vec<Diagnostic>> {
        let inventory = crate::inventory::load_str(Path::new("lab.yml"), text.to_string()).unwrap();
        lab_hosts(&inventory)
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
        assert_eq!(errors[0].origin.location().unwrap().line, 6);
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
