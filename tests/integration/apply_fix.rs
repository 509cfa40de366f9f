//! `apply --fix` over SSH against lab devices in a catalogue scenario whose remedy is an
//! intent setting the intent lacks: the setting is made, planned, pushed, and the device
//! converges on that apply (docs/troubleshooting.md CAT-7, NX-1 and NX-4).

use smartlic::intent::Secret;
use smartlic::lab::backend::Faults;
use smartlic::live::{HostRun, LabTokens, LiveOptions, Mode, Outcome};

use crate::lab_harness::{LabSsh, converged, host, inventory, lab_options, live_run, nx_callhome};

/// `apply --fix` (or without `fix`) of `hosts` with `intent` as the play's intent.
fn apply(lab: &LabSsh, hosts: &str, intent: &str, fix: bool) -> HostRun {
    run(lab, hosts, intent, Mode::Apply, fix)
}

/// One live run of the first host of `hosts` in `mode`, with lab tokens and the preflight.
fn run(lab: &LabSsh, hosts: &str, intent: &str, mode: Mode, fix: bool) -> HostRun {
    let token = || {
        Secret::new(
            lab.backend
                .create_token("Example Account", "Default", 30, None),
        )
    };
    let options = LiveOptions {
        lab_tokens: Some(LabTokens {
            cssm: token(),
            satellite: token(),
        }),
        preflight: true,
        fix,
        ..lab_options(lab, mode)
    };
    live_run(lab, hosts, intent, &options).remove(0)
}

const CSSM_URL: &str = "https://tools.cisco.com/its/service/oddce/services/DDCEService";

const DIRECT: &str = "    smart_licensing:\n      transport: direct\n      token: {env: UNUSED_WITH_LAB_TOKENS}\n      dns: {servers: [198.51.100.53]}\n      expect: {timeout: 30s}\n";

#[test]
fn cat_7_is_fixed_with_revocation_check_none_and_the_renewal_goes_through() {
    let hosts = host("fix-c7", "ios-xe", "16.12.5", "127.0.17.7", "");
    let lab = LabSsh::start(&inventory(&hosts));
    let first = apply(&lab, &hosts, DIRECT, false);
    assert_eq!(first.outcome, Outcome::Changed, "{first:#?}");
    // CAT-7: the CRL of SLA-TrustPoint cannot be fetched; the renewal waits for a reply.
    lab.backend.set_faults(Faults {
        crl_unreachable: true,
        ..Faults::default()
    });
    lab.session("fix-c7", &["enable", "license smart renew auth", "exit"]);
    lab.until_status("fix-c7", "Failure reason: Waiting for reply");

    // Without --fix the intent has nothing to change.
    let plain = apply(&lab, &hosts, DIRECT, false);
    assert_eq!(plain.outcome, Outcome::Ok, "{plain:#?}");
    assert!(plain.fixes.is_empty());

    let fixed = apply(&lab, &hosts, DIRECT, true);
    assert_eq!(fixed.outcome, Outcome::Changed, "{fixed:#?}");
    assert_eq!(
        fixed.fixes,
        ["CAT-7: sla_trustpoint_revocation_check: none"]
    );
    let commands = &fixed.plan.as_ref().unwrap().commands;
    assert!(
        commands.contains(&"revocation-check none".to_string()),
        "{commands:?}"
    );
    // Converged: with the CRL still unreachable, the next renewal succeeds.
    lab.session("fix-c7", &["enable", "license smart renew auth", "exit"]);
    let status = lab.until_status("fix-c7", "Last Communication Attempt: SUCCEEDED");
    assert!(status.contains("Status: AUTHORIZED on"), "{status}");
    assert!(!status.contains("Waiting for reply"), "{status}");
    // And diagnose agrees: the CRL failure logged before the renewal is over.
    let diagnosed = run(&lab, &hosts, DIRECT, Mode::Diagnose, false);
    assert_eq!(diagnosed.outcome, Outcome::Ok, "{diagnosed:#?}");
}

/// A Nexus on `address` whose call-home goes through the management VRF, configured with
/// `global` lines, that has tried to register and failed to send (docs/troubleshooting.md).
fn failing_nexus(name: &str, address: &str, interfaces: &str, global: &[&str]) -> (LabSsh, String) {
    let lab_block = format!("        reaches: [management]\n        interfaces: {interfaces}\n");
    let hosts = host(name, "nx-os", "9.3(5)", address, &lab_block);
    let lab = LabSsh::start(&inventory(&hosts));
    let token = lab
        .backend
        .create_token("Example Account", "Default", 30, None);
    let mut lines = vec!["configure terminal".to_string()];
    lines.extend(global.iter().map(|l| l.to_string()));
    lines.extend(nx_callhome(CSSM_URL, Some("management")));
    lines.extend([
        "end".into(),
        format!("license smart register idtoken {token}"),
        "exit".into(),
    ]);
    lab.session(name, &lines);
    lab.until_status(
        name,
        "Failure reason: Fail to send out Call Home HTTP message.",
    );
    (lab, hosts)
}

#[test]
fn nx_1_is_fixed_with_mgmt0_in_the_management_vrf_and_the_device_registers() {
    // docs/troubleshooting.md NX-1: call-home in the management VRF, HTTP sourced from a VLAN.
    let global = [
        "ip name-server 198.51.100.53 use-vrf management",
        "ip http source-interface vlan27",
    ];
    let interfaces = "{mgmt0: management, Vlan27: null}";
    let (lab, hosts) = failing_nexus("fix-nx1", "127.0.17.1", interfaces, &global);
    let fixed = apply(&lab, &hosts, DIRECT, true);
    assert_eq!(
        fixed.fixes,
        ["NX-1: source_interface: mgmt0", "NX-1: vrf: management"],
        "{fixed:#?}"
    );
    converged(&fixed);
    let run = lab.exec("fix-nx1", "show running-config");
    assert!(
        run.contains("ip http source-interface mgmt0 vrf management"),
        "{run}"
    );
}

#[test]
fn nx_4_is_fixed_with_dns_in_the_management_vrf_and_the_device_registers() {
    // docs/troubleshooting.md NX-4: the name server is in the default VRF, call-home in management.
    let global = ["ip name-server 198.51.100.53"];
    let (lab, hosts) = failing_nexus("fix-nx4", "127.0.17.4", "{mgmt0: management}", &global);
    let fixed = apply(&lab, &hosts, DIRECT, true);
    assert_eq!(fixed.fixes, ["NX-4: vrf: management"], "{fixed:#?}");
    converged(&fixed);
    let run = lab.exec("fix-nx4", "show running-config");
    assert!(
        run.contains("ip name-server 198.51.100.53 use-vrf management"),
        "{run}"
    );
}

/// The verb as a user runs it: the README's lab, two hosts, with the preflight.
#[test]
fn the_diagnose_command_prints_each_host_s_preflight_and_findings() {
    let out = crate::support::smartlic(
        &crate::support::root(),
        &[
            "diagnose",
            "-i",
            "inventory/lab/hosts.yml",
            "playbooks/smart-licensing.yml",
            "--lab",
            "--preflight",
            "--limit",
            "campus-access-2,apic-1",
        ],
    );
    let text = crate::support::text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for line in [
        "campus-access-2  UNREGISTERED / EVAL MODE\n  preflight FAIL destination  `telnet tools.cisco.com 443 /source-interface GigabitEthernet0/0 /vrf Mgmt-vrf`: the name does not resolve through the device's DNS: % Bad IP address or host name (CAT-5)\n",
        "  no catalogue scenario shows yet: fix the preflight failures\n",
        "apic-1  UNREGISTERED / EVAL MODE\n",
        "  ACI-10 Not registered (evaluation)  (docs/troubleshooting.md#aci-10; fix: INPUT)\n    seen:   Status: UNREGISTERED\n            Status: EVAL MODE\n    cause:  The APIC is not registered.\n",
        "  campus-access-2  failed: preflight destination",
        "  apic-1           failed: ACI-10 Not registered (evaluation)",
    ] {
        assert!(text.contains(line), "{line}\n---\n{text}");
    }
}
