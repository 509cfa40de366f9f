//! Integration tests: inventory.
//!
//! Fixtures live in `tests/fixtures/inventory/`: `fleet/` is an inventory shaped like the
//! ones Ansible users already have (platform and site groups side by side, vars folders
//! in every form), `bad/` holds one broken inventory per kind of mistake.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use smartlic::inventory::{self, Inventory, Pattern};
use smartlic::source::Diagnostic;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inventory")
}

fn fleet() -> Inventory {
    inventory::load(&fixtures().join("fleet/hosts.yml")).unwrap_or_else(|d| panic!("{d:#?}"))
}

/// First line of each diagnostic, with the fixtures folder cut from paths.
fn problems(file: &str) -> Vec<String> {
    let diagnostics = inventory::load(&fixtures().join(file)).unwrap_err();
    diagnostics.iter().map(first_line).collect()
}

fn first_line(d: &Diagnostic) -> String {
    let prefix = format!("{}/", fixtures().display());
    d.to_string().lines().next().unwrap().replace(&prefix, "")
}

fn var<'a>(inv: &'a Inventory, host: &str, path: &str) -> &'a str {
    let mut node = &inv.host(host).unwrap().vars;
    for key in path.split('.') {
        node = node
            .get(key)
            .unwrap_or_else(|| panic!("{host}: no `{path}`"));
    }
    node.scalar().unwrap()
}

#[test]
fn fleet_graph_is_the_one_ansible_inventory_prints() {
    let expected = "\
@all:
  |--@apic:
  |  |--apic1.dc1.example.net
  |--@canary:
  |  |--leaf01.dc1.example.net
  |--@datacenters:
  |  |--@dc1:
  |  |  |--@dc1_leaves:
  |  |  |  |--leaf01.dc1.example.net
  |  |  |  |--leaf02.dc1.example.net
  |  |  |  |--leaf03.dc1.example.net
  |  |  |  |--leaf04.dc1.example.net
  |  |  |--apic1.dc1.example.net
  |  |  |--core-sw1.dc1.example.net
  |  |  |--core-sw2.dc1.example.net
  |  |--@dc2:
  |  |  |--edge-r1.dc2.example.net
  |  |  |--spine1.dc2.example.net
  |--@ios_xe:
  |  |--core-sw1.dc1.example.net
  |  |--core-sw2.dc1.example.net
  |  |--edge-r1.dc2.example.net
  |--@nx_fabric:
  |  |--@dc1_leaves:
  |  |  |--leaf01.dc1.example.net
  |  |  |--leaf02.dc1.example.net
  |  |  |--leaf03.dc1.example.net
  |  |  |--leaf04.dc1.example.net
  |--@nx_os:
  |  |--leaf01.dc1.example.net
  |  |--leaf02.dc1.example.net
  |  |--leaf03.dc1.example.net
  |  |--leaf04.dc1.example.net
  |  |--spine1.dc2.example.net
  |--@ungrouped:
  |  |--lab-csr1.example.net
";
    assert_eq!(fleet().graph(), expected);
}

#[test]
fn fleet_hosts_in_file_order_with_groups_in_precedence_order() {
    let inv = fleet();
    let hosts: Vec<&str> = inv.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        hosts[..3],
        [
            "lab-csr1.example.net",
            "core-sw1.dc1.example.net",
            "core-sw2.dc1.example.net"
        ]
    );
    assert_eq!(hosts.len(), 10);
    assert_eq!(
        inv.host("leaf01.dc1.example.net").unwrap().groups,
        [
            "all",
            "canary",
            "datacenters",
            "nx_fabric",
            "nx_os",
            "dc1",
            "dc1_leaves"
        ]
    );
    assert_eq!(
        inv.host("lab-csr1.example.net").unwrap().groups,
        ["all", "ungrouped"]
    );
}

#[test]
fn fleet_vars_merge_across_every_form_of_vars_file() {
    let inv = fleet();
    let edge = "edge-r1.dc2.example.net";
    // group_vars/dc2.json (depth 2) beats group_vars/all.yml.
    assert_eq!(var(&inv, edge, "smart_licensing.transport"), "proxy");
    assert_eq!(var(&inv, edge, "smart_licensing.proxy.port"), "3128");
    // group_vars/ios_xe/ folder, both files.
    assert_eq!(var(&inv, edge, "smart_licensing.vrf"), "Mgmt-vrf");
    assert_eq!(
        var(&inv, edge, "ansible_connection"),
        "ansible.netcommon.network_cli"
    );
    // host_vars/<host> without extension replaces the list, keeps its sibling.
    let dns = inv
        .host(edge)
        .unwrap()
        .vars
        .get("smart_licensing")
        .unwrap()
        .get("dns")
        .unwrap();
    let servers: Vec<_> = dns
        .get("servers")
        .unwrap()
        .items()
        .unwrap()
        .iter()
        .map(|n| n.scalar().unwrap())
        .collect();
    assert_eq!(servers, ["198.51.100.53"]);
    assert_eq!(var(&inv, edge, "smart_licensing.dns.domain_lookup"), "true");
    assert_eq!(var(&inv, edge, "ansible_port"), "2222");
    assert_eq!(var(&inv, edge, "ntp_server"), "198.51.100.123");
    assert_eq!(
        var(&inv, "leaf03.dc1.example.net", "smart_licensing.vrf"),
        "management"
    );
    assert_eq!(
        var(&inv, "leaf03.dc1.example.net", "ansible_network_os"),
        "cisco.nxos.nxos"
    );
}

#[test]
fn fleet_warns_about_a_host_vars_file_for_no_host() {
    let warnings: Vec<String> = fleet().warnings.iter().map(first_line).collect();
    assert_eq!(
        warnings,
        [
            "warning: fleet/host_vars/leaf05.dc1.example.net.yml:1:1: `leaf05.dc1.example.net` is not a name in the inventory, so this is not loaded"
        ]
    );
}

#[test]
fn fleet_limits_and_play_patterns() {
    let inv = fleet();
    let select = |pattern: &str| -> Vec<String> {
        let pattern = Pattern::limit(pattern).unwrap();
        let hosts = inventory::select(&inv, &pattern).unwrap_or_else(|d| panic!("{d}"));
        hosts.iter().map(|h| h.name.clone()).collect()
    };
    assert_eq!(
        select("dc1:&nx_os:!canary"),
        [
            "leaf02.dc1.example.net",
            "leaf03.dc1.example.net",
            "leaf04.dc1.example.net"
        ]
    );
    assert_eq!(
        select("*.dc2.example.net"),
        ["edge-r1.dc2.example.net", "spine1.dc2.example.net"]
    );
    assert_eq!(
        select("datacenters:&ios_xe"),
        [
            "core-sw1.dc1.example.net",
            "core-sw2.dc1.example.net",
            "edge-r1.dc2.example.net"
        ]
    );
    assert_eq!(
        select("dc1_leaves[0],apic"),
        ["leaf01.dc1.example.net", "apic1.dc1.example.net"]
    );
    let play = Pattern::parse("nx_os", smartlic::source::Origin::Default, "hosts").unwrap();
    let limit = Pattern::limit("dc2").unwrap();
    let hosts = inventory::select_limited(&inv, &play, Some(&limit)).unwrap();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].name, "spine1.dc2.example.net");
}

#[test]
fn every_problem_of_a_broken_inventory_is_reported() {
    assert_eq!(
        problems("bad/several_errors.yml"),
        [
            "error: bad/several_errors.yml:5:7: all.children.core.host: unknown key `host` in group `core`: a group holds `hosts`, `vars` and `children`",
            "error: bad/several_errors.yml:9:9: all.children.edge.hosts: `hosts` of group `edge` must be a mapping of names, found a list",
            "error: bad/several_errors.yml:13:30: all.children.access.hosts.acc-sw1.example.net: host `acc-sw1.example.net` must be a mapping of variables or empty, found a string",
            "error: bad/several_errors.yml:14:9: all.children.access.hosts.acc-sw[9:1].example.net: host range `[9:1]` starts after its end",
            "error: bad/several_errors.yml:19:13: all.children.loop_a.children.loop_b.children.loop_a: group `loop_a` is its own ancestor: loop_a > loop_b > loop_a",
            "error: bad/several_errors.yml:22:9: all.children.dmz.vars: `vars` of group `dmz` must be a mapping of variable names, found a list",
            "error: bad/several_errors.yml:23:7: all.children.dmz.ansible_group_priority: unknown key `ansible_group_priority` in group `dmz`: a group holds `hosts`, `vars` and `children`",
        ]
    );
}

#[test]
fn broken_top_levels() {
    assert_eq!(
        problems("bad/top_level_list.yml"),
        [
            "error: bad/top_level_list.yml:1:1: an inventory must be a mapping of group names such as `all:`, found a list"
        ]
    );
    assert_eq!(
        problems("bad/forgot_all.yml"),
        ["error: bad/forgot_all.yml:1:1: hosts: `hosts` at the top level must be inside a group"]
    );
    assert_eq!(
        problems("bad/plugin.yml"),
        [
            "error: bad/plugin.yml:1:1: plugin: this is an inventory plugin configuration, not a YAML inventory"
        ]
    );
    assert_eq!(
        problems("bad/group_scalar.yml"),
        [
            "error: bad/group_scalar.yml:3:11: all.children.core: group `core` must be a mapping with `hosts`, `vars` or `children`, found a string"
        ]
    );
    assert_eq!(
        problems("bad/empty.yml"),
        ["error: bad/empty.yml:1:1: the inventory is empty"]
    );
}

/// Scale: one process drives thousands of devices. 10,000 hosts in 200
/// groups (two levels, every group with a `group_vars/` file, every tenth host with a
/// `host_vars/` file) must load and merge in well under a second in release mode; the
/// bound here is loose enough for debug builds and still catches a quadratic lookup.
#[test]
fn ten_thousand_hosts_in_two_hundred_groups_load_fast() {
    let dir = tempfile::tempdir().unwrap();
    write_big_inventory(dir.path(), 10_000, 200);
    let started = Instant::now();
    let inv = inventory::load(&dir.path().join("hosts.yml")).unwrap_or_else(|d| panic!("{}", d[0]));
    let elapsed = started.elapsed();
    assert_eq!(inv.hosts.len(), 10_000);
    assert_eq!(inv.groups.len(), 2 + 10 + 200);
    assert_eq!(
        var(&inv, "sw09990.example.net", "smart_licensing.vrf"),
        "host-9990"
    );
    assert_eq!(
        var(&inv, "sw09991.example.net", "smart_licensing.vrf"),
        "leaf-199"
    );
    assert_eq!(
        var(&inv, "sw09991.example.net", "smart_licensing.transport"),
        "direct"
    );
    let limit = Pattern::limit("site9:&leaf19*:!sw0999*").unwrap();
    assert_eq!(inventory::select(&inv, &limit).unwrap().len(), 500 - 10);
    eprintln!("loaded 10,000 hosts in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

/// `site0`..`site9` each with 20 `leafNNN` children of 50 hosts.
fn write_big_inventory(dir: &Path, hosts: usize, groups: usize) {
    let per_group = hosts / groups;
    let mut text = String::from(
        "all:\n  vars:\n    smart_licensing: {transport: direct, vrf: all}\n  children:\n",
    );
    for site in 0..10 {
        let _ = writeln!(text, "    site{site}:\n      children:");
        for leaf in (site * groups / 10)..((site + 1) * groups / 10) {
            let _ = writeln!(text, "        leaf{leaf:03}:\n          hosts:");
            for host in leaf * per_group..(leaf + 1) * per_group {
                let _ = writeln!(
                    text,
                    "            sw{host:05}.example.net:\n              ansible_host: 192.0.2.{}",
                    host % 250 + 1
                );
            }
        }
    }
    std::fs::write(dir.join("hosts.yml"), text).unwrap();
    std::fs::create_dir_all(dir.join("group_vars")).unwrap();
    std::fs::create_dir_all(dir.join("host_vars")).unwrap();
    for leaf in 0..groups {
        let vars =
            format!("smart_licensing:\n  vrf: leaf-{leaf}\n  dns: {{servers: [192.0.2.53]}}\n");
        std::fs::write(dir.join(format!("group_vars/leaf{leaf:03}.yml")), vars).unwrap();
    }
    for host in (0..hosts).step_by(10) {
        let vars = format!("smart_licensing:\n  vrf: host-{host}\n");
        std::fs::write(
            dir.join(format!("host_vars/sw{host:05}.example.net.yml")),
            vars,
        )
        .unwrap();
    }
}
