//! `smartlic diagnose` against lab devices over SSH: each catalogue scenario injected as
//! the lab tests of SPEC §7 do, then diagnosed: the entry named, with the evidence and the
//! remedy — and, when the intent describes the fix, the config lines `apply` would send.

use std::sync::Arc;
use std::time::Duration;

use smartlic::diagnose::Finding;
use smartlic::intent::ResolveOptions;
use smartlic::lab::backend::Faults;
use smartlic::live::{self, HostRun, LiveOptions, Mode, Outcome, Progress};
use smartlic::render::Templates;
use smartlic::targets::{self, Selection};

use crate::lab_harness::{LabSsh, host, inventory};

/// The lab DNS server (docs/lab.md) and the CSSM URL (SPEC §2.2).
const DNS: &str = "ip name-server 198.51.100.53";

/// An intent for every host: direct to CSSM with the lab's DNS and SLA-TrustPoint without
/// CRL checks (the CAT-5 and CAT-7 remedies).
const INTENT: &str = "    smart_licensing:\n      transport: direct\n      token: {env: NOT_READ_BY_DIAGNOSE}\n      dns: {servers: [198.51.100.53]}\n      sla_trustpoint_revocation_check: none\n";

struct Quiet;

impl Progress for Quiet {
    fn step(&self, _host: &str, _what: &str) {}
    fn done(&self, _run: &HostRun) {}
}

/// A lab of `hosts` and what diagnosing them takes.
struct Fleet {
    lab: LabSsh,
    hosts: String,
}

impl Fleet {
    fn start(hosts: &[String]) -> Fleet {
        let hosts = hosts.concat();
        Fleet {
            lab: LabSsh::start(&inventory(&hosts)),
            hosts,
        }
    }

    fn token(&self) -> String {
        self.lab
            .backend
            .create_token("Example Account", "Default", 3650, None)
    }

    /// A privileged session typing `lines`.
    fn privileged(&self, device: &str, lines: &[&str]) -> String {
        let mut all = vec!["terminal length 0", "enable"];
        all.extend_from_slice(lines);
        all.push("exit");
        self.lab.session(device, &all)
    }

    /// `smartlic diagnose` on every host, with `intent` as the play's intent.
    fn diagnose(&self, intent: &str) -> Vec<HostRun> {
        let dir = tempfile::tempdir().unwrap();
        let text = inventory(&self.hosts).replacen("  vars:\n", &format!("  vars:\n{intent}"), 1);
        std::fs::write(dir.path().join("hosts.yml"), text).unwrap();
        std::fs::write(dir.path().join("play.yml"), "- name: all\n  hosts: all\n").unwrap();
        let selection = Selection {
            inventory: dir.path().join("hosts.yml"),
            playbook: dir.path().join("play.yml"),
            limit: None,
            extra_vars: Vec::new(),
            options: ResolveOptions::default(),
            live: true,
            shard: None,
        };
        let mut loaded = targets::load(&selection, &Templates::builtin()).expect("valid");
        for t in &mut loaded.targets {
            let address = self.lab.address(&t.host.name);
            t.host.connection.address = address.ip().to_string();
            t.host.connection.port = address.port();
        }
        let options = LiveOptions {
            mode: Mode::Diagnose,
            forks: 10,
            known_hosts: Some(self.lab.known_hosts_file()),
            host_deadline: Duration::from_secs(60),
            lab_tokens: None,
            saved: None,
            session_log: None,
            preflight: false,
            fix: false,
            renewal: smartlic::platform::Renewal::Auth,
        };
        self.lab
            .runtime()
            .block_on(live::run_hosts(&loaded.targets, &options, Arc::new(Quiet)))
    }
}

fn findings(run: &HostRun) -> &[Finding] {
    run.findings.as_deref().expect("diagnose records findings")
}

fn ids(run: &HostRun) -> Vec<&str> {
    findings(run).iter().map(|f| f.id.as_str()).collect()
}

fn catalyst(name: &str, address: &str) -> String {
    host(name, "ios-xe", "16.12.5", address, "")
}

#[test]
fn a_healthy_device_has_no_finding_and_cat_7_is_named_with_its_fix() {
    let fleet = Fleet::start(&[catalyst("c7", "127.0.15.7")]);
    let token = fleet.token();
    fleet.privileged(
        "c7",
        &[
            "configure terminal",
            DNS,
            "end",
            &format!("license smart register idtoken {token}"),
        ],
    );
    fleet.lab.until_status("c7", "Status: AUTHORIZED on");
    let runs = fleet.diagnose(INTENT);
    assert_eq!(runs[0].outcome, Outcome::Ok, "{:?}", runs[0].findings);
    assert!(findings(&runs[0]).is_empty());

    // CAT-7: the CRL cannot be fetched; a renewal waits for a reply.
    fleet.lab.backend.set_faults(Faults {
        crl_unreachable: true,
        ..Faults::default()
    });
    fleet.privileged("c7", &["license smart renew auth"]);
    fleet
        .lab
        .until_status("c7", "Failure reason: Waiting for reply");
    let runs = fleet.diagnose(INTENT);
    let run = &runs[0];
    assert_eq!(ids(run), ["CAT-7"]);
    assert!(
        matches!(&run.outcome, Outcome::Failed(r) if r == "CAT-7 CRL fetch for SLA-TrustPoint times out"),
        "{:?}",
        run.outcome
    );
    let cat7 = &findings(run)[0];
    assert!(
        cat7.evidence[0]
            .contains("%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint SLA-TrustPoint failed"),
        "{cat7:?}"
    );
    assert_eq!(
        cat7.config_fix,
        [
            "crypto pki trustpoint SLA-TrustPoint",
            "revocation-check none"
        ]
    );

    // The JSON report carries the findings in the documented shape.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("diagnose.json");
    let doc = smartlic::report::live_json(&runs, Mode::Diagnose);
    std::fs::write(&report, doc.to_string()).unwrap();
    let (valid, said) = crate::report_schema::validate(&[report.as_path()]);
    assert!(valid, "{said}");
    assert_eq!(doc["hosts"][0]["findings"][0]["id"], "CAT-7");

    // Without the remedy in the intent, diagnose says apply will not make it.
    let runs = fleet.diagnose(
        "    smart_licensing:\n      transport: direct\n      token: {env: NOT_READ_BY_DIAGNOSE}\n      dns: {servers: [198.51.100.53]}\n",
    );
    let cat7 = &findings(&runs[0])[0];
    assert!(
        cat7.config_fix.is_empty() && cat7.config_fix_missing,
        "{cat7:?}"
    );
}

#[test]
fn cat_5_without_dns_is_named_and_the_intent_s_dns_is_the_fix() {
    let fleet = Fleet::start(&[catalyst("c5", "127.0.15.5")]);
    let token = fleet.token();
    fleet.privileged("c5", &[&format!("license smart register idtoken {token}")]);
    fleet.lab.until_status(
        "c5",
        "Failure reason: Fail to send out Call Home HTTP message.",
    );
    let runs = fleet.diagnose(INTENT);
    let run = &runs[0];
    assert_eq!(ids(run), ["CAT-5"]);
    let cat5 = &findings(run)[0];
    assert_eq!(
        cat5.evidence[0],
        "Failure reason: Fail to send out Call Home HTTP message."
    );
    assert!(
        cat5.config_fix
            .contains(&"ip name-server 198.51.100.53".to_string()),
        "{cat5:?}"
    );
}
