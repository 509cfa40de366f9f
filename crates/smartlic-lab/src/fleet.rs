//! Generated lab fleets: `smartlic lab fleet --count N` writes an inventory of N lab
//! devices that the lab then serves, and that playbooks run against like any other.
//!
//! Each device gets its own loopback address (127.0.1.1, 127.0.1.2, …, or from the
//! `--address` given) and the same port (`--port`), so the inventory is stable across lab
//! restarts and needs no port discovery, and two fleets at different addresses or ports
//! run side by side.

use std::fmt::Write;
use std::net::Ipv4Addr;

use crate::release::Platform;

/// The port every generated device listens on (unprivileged, so no root is needed).
pub const FLEET_PORT: u16 = 2222;
/// The most devices `lab fleet` generates: the largest fleet the lab is measured with
/// (docs/performance.md). Each device is a listening socket and its tasks in one process,
/// so a bigger count would run out of file descriptors or memory rather than serve.
pub const MAX_FLEET: usize = 10_000;
/// The enable secret of a fleet's IOS-XE devices (a lab value, like its password `admin`).
pub const FLEET_ENABLE_SECRET: &str = "lab-enable";
/// The first device's address unless `--address` says otherwise.
pub const FLEET_BASE: &str = "127.0.1.1";

/// Where a fleet's devices go: `from` upwards to `to` (inclusive), skipping addresses
/// that end in .0 or .255.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FleetAddresses {
    from: Ipv4Addr,
    to: Ipv4Addr,
    /// As the user wrote it, for messages.
    block: Option<(Ipv4Addr, u8)>,
}

impl FleetAddresses {
    /// A base address (`127.0.3.1`: from it up to the end of 127.0.0.0/8) or a CIDR block
    /// (`127.0.3.0/24`: its addresses). Anything outside 127.0.0.0/8 is refused: the lab
    /// listens on loopback only.
    pub fn parse(text: &str) -> Result<FleetAddresses, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => {
                let prefix: u8 = prefix
                    .parse()
                    .ok()
                    .filter(|p| *p <= 32)
                    .ok_or_else(|| format!("`{text}`: the prefix length must be 0 to 32"))?;
                (addr, Some(prefix))
            }
            None => (text, None),
        };
        let addr: Ipv4Addr = addr.parse().map_err(|_| {
            format!("`{text}` is not an IPv4 address or CIDR block (e.g. 127.0.3.1, 127.0.3.0/24)")
        })?;
        let outside = || {
            format!(
                "`{text}` is outside 127.0.0.0/8: lab devices listen on loopback addresses only"
            )
        };
        let loopback_end = Ipv4Addr::new(127, 255, 255, 255);
        match prefix {
            None if addr.is_loopback() => Ok(FleetAddresses {
                from: addr,
                to: loopback_end,
                block: None,
            }),
            Some(prefix) if prefix >= 8 && addr.is_loopback() => {
                let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                let network = u32::from(addr) & mask;
                Ok(FleetAddresses {
                    from: Ipv4Addr::from(network),
                    to: Ipv4Addr::from(network | !mask),
                    block: Some((Ipv4Addr::from(network), prefix)),
                })
            }
            _ => Err(outside()),
        }
    }

    /// The addresses of `count` devices, or why they do not fit.
    pub fn take(&self, count: usize) -> Result<Vec<Ipv4Addr>, String> {
        let mut out = Vec::with_capacity(count);
        let (mut next, to) = (u32::from(self.from), u32::from(self.to));
        while out.len() < count && next <= to {
            let last_octet = next & 0xff;
            if last_octet != 0 && last_octet != 255 {
                out.push(Ipv4Addr::from(next));
            }
            match next.checked_add(1) {
                Some(n) => next = n,
                None => break,
            }
        }
        if out.len() < count {
            let room = match self.block {
                Some((network, prefix)) => format!("{network}/{prefix}"),
                None => format!("{} up to the end of 127.0.0.0/8", self.from),
            };
            return Err(format!(
                "{room} has room for {} device(s), not {count}: give a larger block or a lower address",
                out.len()
            ));
        }
        Ok(out)
    }
}

impl Default for FleetAddresses {
    fn default() -> FleetAddresses {
        FleetAddresses::parse(FLEET_BASE).expect("a loopback address")
    }
}

/// The loopback address of the `index`-th generated device (0-based): 127.0.1.1 upwards,
/// skipping .0 and .255 in each /24.
pub fn fleet_address(index: usize) -> String {
    let per_subnet = 254;
    let subnet = 1 + index / per_subnet;
    let host = 1 + index % per_subnet;
    format!("127.{}.{}.{}", subnet / 256, subnet % 256, host)
}

/// A release per platform and model, so a fleet exercises both licensing models.
fn version(platform: Platform, policy: bool) -> &'static str {
    match (platform, policy) {
        (Platform::IosXe, false) => "16.12.5",
        (Platform::IosXe, true) => "17.9.4a",
        (Platform::NxOs, false) => "9.3(8)",
        (Platform::NxOs, true) => "10.2(5)",
        (Platform::Apic, _) => "4.2(7f)",
    }
}

/// The group a generated device is in: `lab_<platform>_<model>`.
fn group(platform: Platform, policy: bool) -> String {
    let model = if policy && platform != Platform::Apic {
        "policy"
    } else {
        "classic"
    };
    format!("lab_{}_{model}", platform.name().replace('-', "_"))
}

/// The inventory text for `count` devices spread round-robin over `platforms`, half of
/// the IOS-XE and NX-OS ones on Smart Licensing Using Policy releases.
pub fn fleet_inventory(count: usize, platforms: &[Platform]) -> String {
    let addresses: Vec<Ipv4Addr> = (0..count)
        .map(|i| fleet_address(i).parse().expect("an IPv4 address"))
        .collect();
    fleet_inventory_at(&addresses, FLEET_PORT, platforms)
}

/// As [`fleet_inventory`], a device per address of `addresses`, all on `port`.
pub fn fleet_inventory_at(addresses: &[Ipv4Addr], port: u16, platforms: &[Platform]) -> String {
    let count = addresses.len();
    let platforms = if platforms.is_empty() {
        &Platform::ALL[..]
    } else {
        platforms
    };
    let mut groups: Vec<(String, Platform, bool, Vec<usize>)> = Vec::new();
    for index in 0..count {
        let platform = platforms[index % platforms.len()];
        let policy = (index / platforms.len()) % 2 == 1 && platform != Platform::Apic;
        let name = group(platform, policy);
        match groups.iter_mut().find(|(g, ..)| *g == name) {
            Some((.., members)) => members.push(index),
            None => groups.push((name, platform, policy, vec![index])),
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# A generated lab fleet of {count} devices (smartlic lab fleet). Each device"
    );
    let _ = writeln!(out, "# listens on its own loopback address, port {port}.");
    let _ = writeln!(
        out,
        "all:\n  vars:\n    ansible_user: admin\n    ansible_password: admin\n    ansible_port: {port}"
    );
    let _ = writeln!(out, "  children:");
    for (name, platform, policy, members) in &groups {
        let _ = writeln!(out, "    {name}:\n      vars:");
        let _ = writeln!(
            out,
            "        platform: {}\n        os_version: \"{}\"",
            platform.name(),
            version(*platform, *policy)
        );
        // IOS-XE logins land in user exec and `enable` asks for the secret, as on a
        // device configured with `enable secret` and no privilege-15 user.
        let lab = if *platform == Platform::IosXe {
            let _ = writeln!(
                out,
                "        ansible_become_password: {FLEET_ENABLE_SECRET}"
            );
            format!("{{enable_secret: {FLEET_ENABLE_SECRET}}}")
        } else {
            "{}".to_string()
        };
        let _ = writeln!(out, "      hosts:");
        for index in members {
            let _ = writeln!(
                out,
                "        lab-{}-{:05}:\n          ansible_host: {}\n          lab: {lab}",
                platform.name(),
                index + 1,
                addresses[*index]
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::lab_hosts;

    #[test]
    fn addresses_stay_in_loopback_and_skip_network_and_broadcast() {
        assert_eq!(fleet_address(0), "127.0.1.1");
        assert_eq!(fleet_address(253), "127.0.1.254");
        assert_eq!(fleet_address(254), "127.0.2.1");
        assert_eq!(fleet_address(9_999), "127.0.40.94");
    }

    fn take(text: &str, count: usize) -> Result<Vec<String>, String> {
        FleetAddresses::parse(text)
            .and_then(|a| a.take(count))
            .map(|list| list.iter().map(|a| a.to_string()).collect())
    }

    #[test]
    fn fleet_addresses_from_a_base_or_a_block() {
        assert_eq!(
            take("127.0.3.253", 4).unwrap(),
            ["127.0.3.253", "127.0.3.254", "127.0.4.1", "127.0.4.2"]
        );
        assert_eq!(
            take("127.0.3.0/24", 3).unwrap(),
            ["127.0.3.1", "127.0.3.2", "127.0.3.3"]
        );
        // Host bits in a block are ignored: the block is what is meant.
        assert_eq!(
            take("127.0.3.77/30", 4).unwrap(),
            ["127.0.3.76", "127.0.3.77", "127.0.3.78", "127.0.3.79"]
        );
        assert_eq!(take("127.0.3.9/32", 1).unwrap(), ["127.0.3.9"]);
        assert_eq!(take("127.255.255.254", 1).unwrap(), ["127.255.255.254"]);
        // The default is today's fleet.
        let default = FleetAddresses::default().take(300).unwrap();
        assert!((0..300).all(|i| default[i].to_string() == fleet_address(i)));
        let full = take("127.0.3.0/24", 255).unwrap_err();
        assert!(
            full.contains("127.0.3.0/24 has room for 254 device(s), not 255"),
            "{full}"
        );
        assert!(
            take("127.255.255.254", 2)
                .unwrap_err()
                .contains("room for 1 ")
        );
    }

    #[test]
    fn fleet_addresses_outside_loopback_are_refused() {
        for text in [
            "10.0.0.1",
            "0.0.0.0",
            "128.0.0.1",
            "10.0.0.0/8",
            "127.0.0.0/7",
            "0.0.0.0/0",
        ] {
            let error = FleetAddresses::parse(text).unwrap_err();
            assert!(error.contains("outside 127.0.0.0/8"), "{text}: {error}");
        }
        for text in ["::1", "localhost", "127.0.0.1/33", "127.0.0.1/x"] {
            assert!(FleetAddresses::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_fleet_at_another_address_and_port() {
        let addresses = FleetAddresses::parse("127.0.3.0/24")
            .unwrap()
            .take(3)
            .unwrap();
        let text = fleet_inventory_at(&addresses, 2300, &[]);
        let inventory = crate::spec::tests::inventory(&text);
        let hosts = lab_hosts(&inventory, None).unwrap();
        let mut listen: Vec<String> = hosts.iter().map(|h| h.listen.to_string()).collect();
        listen.sort();
        assert_eq!(
            listen,
            ["127.0.3.1:2300", "127.0.3.2:2300", "127.0.3.3:2300"]
        );
    }

    #[test]
    fn a_generated_fleet_is_a_valid_lab_inventory() {
        let text = fleet_inventory(10, &Platform::ALL);
        let inventory = crate::spec::tests::inventory(&text);
        let hosts = lab_hosts(&inventory, None).unwrap();
        assert_eq!(hosts.len(), 10);
        assert!(
            hosts
                .iter()
                .all(|h| h.listen.ip().is_loopback() && h.listen.port() == FLEET_PORT)
        );
        let models: std::collections::HashSet<_> =
            hosts.iter().map(|h| (h.platform, h.model)).collect();
        assert_eq!(models.len(), 5, "every platform and model: {models:?}");
        // IOS-XE devices ask for an enable secret, which the inventory gives the client.
        for host in &hosts {
            let ios = host.platform == Platform::IosXe;
            let secret = host.enable_secret.as_ref().map(|s| s.expose().to_string());
            assert_eq!(secret.is_some(), ios, "{}", host.name);
            assert_eq!(host.privilege, if ios { 1 } else { 15 }, "{}", host.name);
        }
        let become_lines = text
            .lines()
            .filter(|l| l.trim() == format!("ansible_become_password: {FLEET_ENABLE_SECRET}"))
            .count();
        assert_eq!(become_lines, 2, "one per IOS-XE group:\n{text}");
    }
}
