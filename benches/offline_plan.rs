//! Offline plan over a generated fleet of 10,000 hosts (goal: under 2 s).
//!
//! The fleet is written to a temporary directory once, the way a large Ansible user has
//! it: one YAML inventory with 10,000 hosts in 200 site groups under three platform
//! groups, `group_vars/` per platform and per site (transport, URL, proxy, DNS, NTP, VRF),
//! a playbook, and a saved running config per host: a third converged, a third with the
//! stale `http://` call-home destination (docs/troubleshooting.md NX-2), a third missing (never
//! configured). Running configs carry the rest of a real `show running-config`
//! (interfaces, lines) so parsing is not measured on toy input.
//!
//! Two benchmarks: the whole offline path the CLI runs (`targets::load` with the built-in
//! templates, then `plan::plan_offline`), and `plan_offline` alone on loaded targets.
//! A third loads a flat inventory of 100,000 hosts.
//! `cargo bench --bench offline_plan` takes about a minute and a half.

use std::fmt::Write as _;
use std::fs;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use smartlic::plan::plan_offline;
use smartlic::render::Templates;
use smartlic::targets::{self, Selection, Targets};

const SITES: usize = 200;
const HOSTS_PER_SITE: usize = 50;
/// Interfaces in each saved running config besides the licensing lines.
const INTERFACES: usize = 48;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    IosXe,
    NxOs,
    Apic,
}

impl Kind {
    /// 60 % IOS-XE, 30 % NX-OS, 10 % APIC, by site.
    fn of_site(site: usize) -> Kind {
        match site % 10 {
            0..=5 => Kind::IosXe,
            6..=8 => Kind::NxOs,
            _ => Kind::Apic,
        }
    }

    fn group(self) -> &'static str {
        match self {
            Kind::IosXe => "ios_xe",
            Kind::NxOs => "nx_os",
            Kind::Apic => "apic",
        }
    }
}

/// The generated fleet; the directory is removed when it is dropped.
struct Fleet {
    _dir: tempfile::TempDir,
    inventory: PathBuf,
    playbook: PathBuf,
    running: PathBuf,
}

impl Fleet {
    fn selection(&self) -> Selection {
        Selection {
            inventory: self.inventory.clone(),
            playbook: self.playbook.clone(),
            ..Selection::default()
        }
    }
}

fn host_name(site: usize, n: usize) -> String {
    format!("site{site:03}-sw{n:02}.example.net")
}

/// A mix of releases per site: some hosts before Smart Licensing Using Policy, some after.
fn os_version(kind: Kind, site: usize, n: usize) -> &'static str {
    let policy = (site + n).is_multiple_of(2);
    match (kind, site_transport(site), policy) {
        // A classic satellite URL is not a CSLU URL: those sites stay classic.
        (Kind::IosXe, "satellite", _) | (Kind::IosXe, _, false) => "16.12.5",
        (Kind::IosXe, _, true) => "17.9.4a",
        // NX-OS policy has no verified VRF command for smart transport: VRF sites are
        // transport-gateway (callhome), which both models take.
        (Kind::NxOs, _, false) => "9.3(8)",
        (Kind::NxOs, _, true) => "10.2(5)",
        (Kind::Apic, _, _) => "4.2(7f)",
    }
}

fn site_transport(site: usize) -> &'static str {
    match (Kind::of_site(site), site / 10 % 4) {
        (Kind::IosXe, 0) => "direct",
        (Kind::IosXe, 1) => "proxy",
        (Kind::IosXe, 2) => "satellite",
        (Kind::IosXe, _) => "transport-gateway",
        (Kind::NxOs, 0 | 1) => "direct",
        (Kind::NxOs, _) => "transport-gateway",
        (Kind::Apic, 0) => "proxy",
        (Kind::Apic, _) => "direct",
    }
}

/// `group_vars/<site>.yml`: where the site's devices send licensing data and how they
/// resolve names.
fn site_vars(site: usize) -> String {
    let kind = Kind::of_site(site);
    let net = site % 250;
    let mut sl = String::new();
    let transport = site_transport(site);
    let _ = writeln!(sl, "  transport: {transport}");
    match transport {
        "proxy" => {
            let _ = writeln!(sl, "  proxy: {{host: proxy{site}.example.net, port: 3128}}");
        }
        "satellite" => {
            let _ = writeln!(
                sl,
                "  url: https://sat{site}.example.net/Transportgateway/services/DeviceRequestHandler"
            );
        }
        "transport-gateway" => {
            let _ = writeln!(
                sl,
                "  url: https://tg{site}.example.net:8443/Transportgateway/services/DeviceRequestHandler"
            );
        }
        _ => {}
    }
    match kind {
        Kind::IosXe => {
            let _ = write!(
                sl,
                "  vrf: Mgmt-vrf\n  source_interface: GigabitEthernet0/0\n  dns:\n    servers: [10.{net}.0.53, 10.{net}.1.53]\n    domain_lookup: true\n    exclusive: true\n  ntp:\n    servers: [10.{net}.0.123]\n  sla_trustpoint_revocation_check: none\n"
            );
        }
        Kind::NxOs => {
            // A VRF only where the NX-OS templates have a verified command for it.
            if transport == "transport-gateway" {
                sl.push_str("  vrf: management\n");
            }
            let _ = write!(
                sl,
                "  source_interface: mgmt0\n  dns:\n    servers: [10.{net}.0.53]\n  ntp:\n    servers: [10.{net}.0.123, 10.{net}.1.123]\n"
            );
        }
        Kind::Apic => {}
    }
    format!("# Site {site}\nsmart_licensing:\n{sl}")
}

/// A saved `show running-config`: the licensing part (converged or stale) and the rest.
fn running_config(kind: Kind, host: &str, licensing: &str) -> String {
    let mut text = String::new();
    match kind {
        Kind::IosXe => {
            text.push_str("Building configuration...\n\nCurrent configuration : 18342 bytes\n!\nversion 17.9\nservice timestamps debug datetime msec\n");
            let _ = writeln!(text, "hostname {host}\n!\nip domain name example.net\n!");
            text.push_str(licensing);
            for i in 0..INTERFACES {
                let _ = write!(
                    text,
                    "!\ninterface GigabitEthernet1/0/{}\n description access port {i}\n switchport access vlan 100\n switchport mode access\n spanning-tree portfast\n",
                    i + 1
                );
            }
            text.push_str(
                "!\nline con 0\n stopbits 1\nline vty 0 4\n transport input ssh\n!\nend\n",
            );
        }
        Kind::NxOs => {
            text.push_str("!Command: show running-config\n!Time: Wed Jun 22 16:16:28 2022\n\nversion 9.3(8) Bios:version 07.68\n");
            let _ = writeln!(text, "hostname {host}\nfeature nxapi\n");
            text.push_str(licensing);
            for i in 0..INTERFACES {
                let _ = write!(
                    text,
                    "\ninterface Ethernet1/{}\n  description server port {i}\n  switchport access vlan 100\n  no shutdown\n",
                    i + 1
                );
            }
        }
        Kind::Apic => {
            text.push_str(licensing);
        }
    }
    text
}

/// Writes the fleet. Converged and stale running configs are made from the rendered
/// desired config, so they match what the plan compares against.
fn generate() -> Fleet {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    let group_vars = root.join("group_vars");
    let running = root.join("running");
    fs::create_dir_all(&group_vars).expect("group_vars");
    fs::create_dir_all(&running).expect("running");

    let mut inventory = String::from("all:\n  children:\n");
    for kind in [Kind::IosXe, Kind::NxOs, Kind::Apic] {
        let _ = writeln!(inventory, "    {}:\n      children:", kind.group());
        for site in (0..SITES).filter(|s| Kind::of_site(*s) == kind) {
            let _ = writeln!(inventory, "        site{site:03}:\n          hosts:");
            for n in 0..HOSTS_PER_SITE {
                let _ = writeln!(
                    inventory,
                    "            {}:\n              ansible_host: 10.{}.{}.{}\n              os_version: \"{}\"",
                    host_name(site, n),
                    site % 250,
                    n / 250,
                    n % 250 + 1,
                    os_version(kind, site, n)
                );
            }
            fs::write(
                group_vars.join(format!("site{site:03}.yml")),
                site_vars(site),
            )
            .expect("site group_vars");
        }
    }
    let inventory_path = root.join("hosts.yml");
    fs::write(&inventory_path, inventory).expect("inventory");
    let group_files = [
        (
            "all.yml",
            "ansible_user: netops\nsmart_licensing:\n  licensing_model: auto\n  token: {env: SMARTLIC_TOKEN}\n  contact_email: sch-smart-licensing@cisco.com\n  expect: {timeout: 10m}\n",
        ),
        ("ios_xe.yml", "ansible_network_os: cisco.ios.ios\n"),
        ("nx_os.yml", "ansible_network_os: cisco.nxos.nxos\n"),
        ("apic.yml", "platform: apic\n"),
    ];
    for (name, text) in group_files {
        fs::write(group_vars.join(name), text).expect("platform group_vars");
    }
    let playbook = root.join("smart-licensing.yml");
    fs::write(
        &playbook,
        "- name: Campus and branch Catalyst\n  hosts: ios_xe\n  steps: [configure, register, verify]\n\
         - name: Data centre Nexus\n  hosts: nx_os\n\
         - name: ACI fabrics\n  hosts: apic\n  steps: [configure, register]\n",
    )
    .expect("playbook");

    let fleet = Fleet {
        _dir: dir,
        inventory: inventory_path,
        playbook,
        running,
    };
    let targets = load(&fleet);
    assert_eq!(
        targets.targets.len(),
        SITES * HOSTS_PER_SITE,
        "every host is a target"
    );
    for (i, target) in targets.targets.iter().enumerate() {
        let kind = match target.host.intent.platform.name() {
            "ios-xe" => Kind::IosXe,
            "nx-os" => Kind::NxOs,
            _ => Kind::Apic,
        };
        let licensing = match i % 3 {
            0 => target.desired.clone(),
            1 => target.desired.replace("https://", "http://"),
            _ => continue,
        };
        let path = fleet.running.join(format!("{}.cfg", target.host.name));
        fs::write(path, running_config(kind, &target.host.name, &licensing)).expect("running");
    }
    fleet
}

fn load(fleet: &Fleet) -> Targets {
    targets::load(&fleet.selection(), &Templates::builtin()).unwrap_or_else(|diagnostics| {
        let shown: Vec<String> = diagnostics
            .iter()
            .take(5)
            .map(ToString::to_string)
            .collect();
        panic!("the generated fleet is invalid:\n{}", shown.join("\n"))
    })
}

/// The whole offline path, as `smartlic plan --offline` runs it (without printing).
fn full_plan(fleet: &Fleet) -> usize {
    let targets = load(fleet);
    plan_offline(&targets.targets, &fleet.running).len()
}

fn bench(c: &mut Criterion) {
    let started = Instant::now();
    let fleet = generate();
    eprintln!(
        "generated {} hosts in {:.2?} ({})",
        SITES * HOSTS_PER_SITE,
        started.elapsed(),
        fleet.inventory.display()
    );
    // The plan must find work on the stale and missing hosts and none on the converged.
    let targets = load(&fleet);
    let plans = plan_offline(&targets.targets, &fleet.running);
    let changed = plans.iter().filter(|p| p.changed).count();
    let failed = plans.iter().filter(|p| !p.errors.is_empty()).count();
    eprintln!(
        "plan: {} hosts, {changed} changed, {failed} failed",
        plans.len()
    );
    assert_eq!(failed, 0);
    // Every third host was saved exactly as rendered: converged.
    let converged_changed = plans.iter().step_by(3).filter(|p| p.changed).count();
    assert_eq!(converged_changed, 0, "converged hosts plan no change");
    assert!(changed >= plans.len() / 2, "stale and missing hosts change");

    let mut group = c.benchmark_group("offline_plan_10k");
    // One iteration takes a second or so: a flat, small sample keeps the run to about a
    // minute.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("load_and_plan", |b| b.iter(|| black_box(full_plan(&fleet))));
    group.bench_function("plan_offline", |b| {
        b.iter(|| black_box(plan_offline(&targets.targets, &fleet.running)))
    });
    group.finish();
}

/// One flat mapping of 100,000 hosts, as an export from a source of truth writes it:
/// loading it must stay linear in the number of hosts (issue 12: it was quadratic).
fn bench_big_inventory(c: &mut Criterion) {
    const HOSTS: usize = 100_000;
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("hosts.yml");
    let mut text = String::from("all:\n  vars:\n    ansible_network_os: cisco.ios.ios\n  hosts:\n");
    for i in 0..HOSTS {
        let _ = writeln!(
            text,
            "    h{i:06}: {{ansible_host: 10.{}.{}.{}}}",
            i >> 16,
            (i >> 8) & 255,
            i & 255
        );
    }
    fs::write(&path, text).expect("inventory");
    let inventory = smartlic::inventory::load(&path).expect("the generated inventory loads");
    assert_eq!(inventory.hosts.len(), HOSTS);
    let mut group = c.benchmark_group("inventory_100k");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("load", |b| {
        b.iter(|| black_box(smartlic::inventory::load(&path).map(|i| i.hosts.len())))
    });
    group.finish();
}

criterion_group!(benches, bench, bench_big_inventory);
criterion_main!(benches);
