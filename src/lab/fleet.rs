//! Generated lab fleets: `smartlic lab fleet --count N` writes an inventory of N lab
//! devices that the lab then serves, and that playbooks run against like any other.
//!
//! Each device gets its own loopback address (127.0.1.1, 127.0.1.2, …) and the same port,
//! so the inventory is stable across lab restarts and needs no port discovery.

use std::fmt::Write;

use crate::platform::Platform;

/// The port every generated device listens on (unprivileged, so no root is needed).
pub const FLEET_PORT: u16 = 2222;

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
    let _ = writeln!(
        out,
        "# listens on its own loopback address, port {FLEET_PORT}."
    );
    let _ = writeln!(
        out,
        "all:\n  vars:\n    ansible_user: admin\n    ansible_password: admin\n    ansible_port: {FLEET_PORT}"
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
        let _ = writeln!(out, "      hosts:");
        for index in members {
            let _ = writeln!(
                out,
                "        lab-{}-{:05}:\n          ansible_host: {}\n          lab: {{}}",
                platform.name(),
                index + 1,
                fleet_address(*index)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::spec::lab_hosts;
    use std::path::Path;

    #[test]
    fn addresses_stay_in_loopback_and_skip_network_and_broadcast() {
        assert_eq!(fleet_address(0), "127.0.1.1");
        assert_eq!(fleet_address(253), "127.0.1.254");
        assert_eq!(fleet_address(254), "127.0.2.1");
        assert_eq!(fleet_address(9_999), "127.0.40.94");
    }

    #[test]
    fn a_generated_fleet_is_a_valid_lab_inventory() {
        let text = fleet_inventory(10, &Platform::ALL);
        let inventory = crate::inventory::load_str(Path::new("fleet.yml"), text).unwrap();
        let hosts = lab_hosts(&inventory).unwrap();
        assert_eq!(hosts.len(), 10);
        assert!(
            hosts
                .iter()
                .all(|h| h.listen.ip().is_loopback() && h.listen.port() == FLEET_PORT)
        );
        let models: std::collections::HashSet<_> =
            hosts.iter().map(|h| (h.platform, h.model)).collect();
        assert_eq!(models.len(), 5, "every platform and model: {models:?}");
    }
}
