//! `show license …` outputs in the real formats.
//!
//! Shapes and labels come from the corpus and Cisco's documents; each renderer names its model:
//! - classic IOS-XE `status`/`all`: corpus `iosxe/show-license-status/genieparser-2`,
//!   `ntc-templates-1`, `iosxe/show-license-all/genieparser-3` (Smart Agent 4.x);
//!   `summary`: the real C9200L 16.9.1 capture (public Ansible README, search index id
//!   28523190061) and [CAT-TS]; failure lines: [CAT-TS] (labels `Next Registration
//!   Attempt` and the nesting of `Failure reason:` under its attempt are ⟨not verbatim⟩);
//! - NX-OS classic `status`, `summary`, `all`: [NX-TS]'s fields in the real N9K layout
//!   (indented, blank-line separated: tests/fixtures/corpus/nxos, `nx_sections`); `usage`:
//!   the NX-OS PAK-style table of corpus `nxos/show-license-usage/ntc-templates-1`;
//! - Using Policy: [GENIEPARSER] ([NTC-TEMPLATES] layout) for status, summary, all, tech
//!   support (corpus `x-show-license-tech-support/genieparser-9`), usage and udi; NX-OS
//!   [N3550-MIG] [NX-ART];
//! - APIC: no sample exists ([ACI-SL] ⟨GAP⟩): the NX-OS classic layout is used, without
//!   NX-OS's `Smart License Conversion:` block.
//!
//! - `eventlog [DAYS]` (IOS-XE): [`super::eventlog`].
//!
//! Display strings with no sample: `AUTHORIZATION EXPIRED on <ts>` and `EVAL EXPIRED`
//! ([CAT-TS] [NX-TS] [ACI-SL] ⟨GAP⟩).

use std::fmt::Write;

use super::eventlog;
use super::machine::{AuthStatus, Classic, CommStats, Phase, Policy, PolicyInUse};
use super::network::{NoTransport, Transport};
use crate::device::Identity;
use crate::release::Platform;
use crate::time::{Civil, countdown};

/// One licence the device uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entitlement {
    /// Classic display name (`C9300 Network Advantage`).
    pub classic_name: String,
    /// Using Policy feature name (`network-advantage`; empty on NX-OS).
    pub feature: String,
    /// The entitlement tag as shown in parentheses (`C9300-48 Network Advantage`).
    pub tag: String,
    pub description: String,
    pub count: u32,
    /// `Perpetual`, `Subscription` or NX-OS `Generic`.
    pub license_type: &'static str,
}

/// What the device uses, from its PID. The tags are the lab's (pools in the back-end are
/// keyed by them); the shapes follow the samples ([CAT-TS], [GENIEPARSER], corpus NX-OS).
/// APIC entitlements are not in Cisco's documents ⟨GAP⟩.
pub fn entitlements(identity: &Identity) -> Vec<Entitlement> {
    match identity.platform {
        Platform::IosXe => {
            // `C9300-48P` → series `C9300`, family `C9300-48`.
            let series = identity.pid.split('-').next().unwrap_or(&identity.pid);
            let family = match identity.pid.split('-').nth(1) {
                Some(size) => format!(
                    "{series}-{}",
                    size.trim_end_matches(|c: char| c.is_ascii_alphabetic())
                ),
                None => series.to_string(),
            };
            vec![
                Entitlement {
                    classic_name: format!("{series} Network Advantage"),
                    feature: "network-advantage".into(),
                    tag: format!("{family} Network Advantage"),
                    description: format!("{family} Network Advantage"),
                    count: 1,
                    license_type: "Perpetual",
                },
                Entitlement {
                    classic_name: format!("{series} DNA Advantage"),
                    feature: "dna-advantage".into(),
                    tag: format!("{family} DNA Advantage"),
                    description: format!("{family} DNA Advantage"),
                    count: 1,
                    license_type: "Subscription",
                },
            ]
        }
        Platform::NxOs => vec![Entitlement {
            classic_name: "LAN_ENTERPRISE_SERVICES_PKG".into(),
            feature: String::new(),
            tag: "LAN_ENTERPRISE_SERVICES_PKG".into(),
            description: format!("LAN license for Nexus {}", identity.pid),
            count: 1,
            license_type: "Generic",
        }],
        Platform::Apic => vec![Entitlement {
            classic_name: "ACI Essentials".into(),
            feature: String::new(),
            tag: "ACI Essentials".into(),
            description: "ACI Essentials".into(),
            count: 1,
            license_type: "Subscription",
        }],
    }
}

/// What every renderer needs besides the state.
pub struct View<'a> {
    pub identity: &'a Identity,
    /// Lab time now.
    pub now: f64,
    /// Device clock minus lab time, seconds (timestamps print in device time).
    pub offset: f64,
    pub entitlements: &'a [Entitlement],
    /// SLP: the transport as the running config says, for the `Transport:` section.
    pub transport: Option<Result<Transport, NoTransport>>,
}

impl View<'_> {
    fn ts(&self, lab_time: f64) -> String {
        Civil::from_epoch(lab_time + self.offset).licensing()
    }
}

/// The normalized `show license` sub-command: `status`, `summary`, `all`, `udi`, `usage`,
/// `tech support`.
pub fn normalize(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    let words = match words.as_slice() {
        ["show", "license", rest @ ..] => rest,
        ["license", rest @ ..] => rest,
        all => all,
    };
    let joined = words.join(" ");
    match joined.as_str() {
        "tech-support" | "techsupport" => "tech support".to_string(),
        _ => joined,
    }
}

const PRIVACY: &str = "Data Privacy:\n  Sending Hostname: yes\n    Callhome hostname privacy: DISABLED\n    Smart Licensing hostname privacy: DISABLED\n  Version privacy: DISABLED\n";
const EXPORT_KEY: &str = "Export Authorization Key:\n  Features Authorized:\n    <none>\n";
const UTILITY: &str = "Utility:\n  Status: DISABLED\n";

// ---------------------------------------------------------------- classic

fn export_text(m: &Classic, summary: bool) -> &'static str {
    match (m.phase == Phase::Registered && m.export_allowed, summary) {
        (true, true) => "Allowed",
        (true, false) => "ALLOWED",
        (false, _) => "Not Allowed",
    }
}

fn registration_status(m: &Classic) -> &'static str {
    match m.phase {
        Phase::Unregistered => "UNREGISTERED",
        Phase::Registering => "REGISTERING - REGISTRATION IN PROGRESS",
        Phase::RegistrationFailed => "UNREGISTERED - REGISTRATION FAILED",
        Phase::Registered => "REGISTERED",
    }
}

fn auth_status_text(v: &View, status: &AuthStatus, with_time: bool) -> String {
    let on = |label: &str, t: f64| {
        if with_time {
            format!("{label} on {}", v.ts(t))
        } else {
            label.to_string()
        }
    };
    match status {
        AuthStatus::Eval(_) | AuthStatus::Pending => "EVAL MODE".into(),
        AuthStatus::EvalExpired => "EVAL EXPIRED".into(),
        AuthStatus::Authorized(t) => on("AUTHORIZED", *t),
        AuthStatus::OutOfCompliance(t) => on("OUT OF COMPLIANCE", *t),
        AuthStatus::Expired(t) => on("AUTHORIZATION EXPIRED", *t),
    }
}

fn usage_status(status: &AuthStatus) -> &'static str {
    match status {
        AuthStatus::Eval(_) | AuthStatus::Pending => "EVAL MODE",
        AuthStatus::EvalExpired => "EVAL EXPIRED",
        AuthStatus::Authorized(_) => "AUTHORIZED",
        AuthStatus::OutOfCompliance(_) => "OUT OF COMPLIANCE",
        AuthStatus::Expired(_) => "AUTHORIZATION EXPIRED",
    }
}

/// The IOS-XE `Registration:` and `License Authorization:` sections (NX-OS and APIC:
/// [`nx_sections`]).
fn classic_sections(m: &Classic, v: &View, summary: bool) -> String {
    let i = "  ";
    let mut out = String::new();
    let status = m.auth_status(v.now);
    let _ = writeln!(out, "Registration:");
    let _ = writeln!(out, "{i}Status: {}", registration_status(m));
    if let (Phase::Registered, Some(a)) = (m.phase, &m.account) {
        let _ = writeln!(out, "{i}Smart Account: {}", a.smart);
        let _ = writeln!(out, "{i}Virtual Account: {}", a.virtual_);
    }
    let _ = writeln!(
        out,
        "{i}Export-Controlled Functionality: {}",
        export_text(m, summary)
    );
    if !summary && let Some(a) = &m.initial {
        let result = if a.ok == Some(true) {
            "SUCCEEDED"
        } else {
            "FAILED"
        };
        let _ = writeln!(out, "{i}Initial Registration: {result} on {}", v.ts(a.at));
        if let Some(reason) = &a.reason {
            let _ = writeln!(out, "{i}  Failure reason: {reason}");
        }
    }
    if m.phase != Phase::Registered
        && let Some(next) = m.next_registration
    {
        let _ = writeln!(out, "{i}Next Registration Attempt: {}", v.ts(next));
    }
    if m.phase == Phase::Registered {
        match &m.last_renewal {
            None => {
                let _ = writeln!(out, "{i}Last Renewal Attempt: None");
            }
            Some(a) => {
                let result = if a.ok == Some(true) {
                    "SUCCEEDED"
                } else {
                    "FAILED"
                };
                let _ = writeln!(out, "{i}Last Renewal Attempt: {result} on {}", v.ts(a.at));
                if let Some(reason) = &a.reason {
                    let _ = writeln!(out, "{i}  Failure reason: {reason}");
                }
            }
        }
        let _ = writeln!(out, "{i}Next Renewal Attempt: {}", v.ts(m.next_renewal));
        if !summary {
            let _ = writeln!(out, "{i}Registration Expires: {}", v.ts(m.id_cert_expires));
        }
    }
    let _ = writeln!(out);
    // The header carries a trailing blank (corpus genieparser-2, ntc-templates-1).
    let _ = writeln!(out, "License Authorization: ");
    let _ = writeln!(out, "{i}Status: {}", auth_status_text(v, &status, !summary));
    if let AuthStatus::Eval(left) = status {
        let _ = writeln!(out, "{i}Evaluation Period Remaining: {}", countdown(left));
    }
    if m.phase == Phase::Registered {
        if let Some(a) = &m.last_comm {
            let result = match a.ok {
                Some(true) => "SUCCEEDED",
                Some(false) => "FAILED",
                None => "PENDING",
            };
            if summary && a.ok == Some(true) {
                let _ = writeln!(out, "{i}Last Communication Attempt: {result}");
            } else {
                let _ = writeln!(
                    out,
                    "{i}Last Communication Attempt: {result} on {}",
                    v.ts(a.at)
                );
            }
            if let Some(reason) = &a.reason {
                let _ = writeln!(out, "{i}  Failure reason: {reason}");
            }
        }
        if let Some(next) = m.next_comm {
            let _ = writeln!(out, "{i}Next Communication Attempt: {}", v.ts(next));
        }
        if !summary && let Some(deadline) = m.comm_deadline {
            let _ = writeln!(out, "{i}Communication Deadline: {}", v.ts(deadline));
        }
    }
    out
}

/// `name (tag)` columns of the usage table: names cut to 20 + `...` past 23 characters,
/// tags to 22 + `...` past 25 (C9200L and C9300 samples).
fn usage_table(v: &View, status: &str, tag_header: &str, indent: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{indent}License                 {tag_header:<30}Count Status"
    );
    let _ = writeln!(out, "{indent}{}", "-".repeat(77));
    for e in v.entitlements {
        let name = if status == "IN USE" {
            &e.feature
        } else {
            &e.classic_name
        };
        let name = cut(name, 23, 20);
        let tag = format!("({})", cut(&e.tag, 25, 22));
        let _ = writeln!(out, "{indent}{name:<24}{tag:<30}{:>5} {status}", e.count);
    }
    out
}

fn cut(text: &str, max: usize, keep: usize) -> String {
    if text.chars().count() > max {
        let head: String = text.chars().take(keep).collect();
        format!("{head}...")
    } else {
        text.to_string()
    }
}

fn classic_usage_blocks(v: &View, status: &str) -> String {
    let mut out = String::new();
    for e in v.entitlements {
        let _ = writeln!(out, "{} ({}):", e.classic_name, e.tag);
        let _ = writeln!(out, "  Description: {}", e.description);
        let _ = writeln!(out, "  Count: {}", e.count);
        let _ = writeln!(out, "  Version: 1.0");
        let _ = writeln!(out, "  Status: {status}");
        let _ = writeln!(out, "  Export status: NOT RESTRICTED");
        let _ = writeln!(out);
    }
    out
}

/// Classic Smart Licensing outputs for the device's platform.
pub fn classic(command: &str, m: &Classic, v: &View) -> Option<String> {
    let status = m.auth_status(v.now);
    let udi = format!("PID:{},SN:{}", v.identity.pid, v.identity.serial);
    if v.identity.platform != Platform::IosXe {
        return nx_style(command, m, v, &status, &udi);
    }
    if let Some(days) = eventlog::days_of(command) {
        return Some(m.events.render(v.now, v.offset, days));
    }
    let out = match command {
        "status" => format!(
            "Smart Licensing is ENABLED\n\n{UTILITY}\n{PRIVACY}\nTransport:\n  Type: Callhome\n\n{}\n{EXPORT_KEY}",
            classic_sections(m, v, false)
        ),
        "summary" => format!(
            "Smart Licensing is ENABLED\n\n{}\nLicense Usage:\n{}",
            classic_sections(m, v, true),
            usage_table(v, usage_status(&status), "Entitlement tag", "  ")
        ),
        "all" => classic_all(m, v, &status, &udi),
        "udi" => format!("UDI: {udi}\n"),
        "usage" => format!(
            "License Authorization: \n  Status: {}\n\n{}",
            auth_status_text(v, &status, true),
            classic_usage_blocks(v, usage_status(&status))
        ),
        // No classic tech-support capture exists (corpus: SLP only) ⟨GAP⟩: the header of
        // the SLP captures, then `show license all`.
        "tech support" => format!(
            "Smart Licensing Tech Support info\n\n{}",
            classic_all(m, v, &status, &udi)
        ),
        _ => return None,
    };
    Some(out)
}

fn classic_all(m: &Classic, v: &View, status: &AuthStatus, udi: &str) -> String {
    let usage = match status {
        AuthStatus::Eval(_) | AuthStatus::EvalExpired | AuthStatus::Pending
            if v.entitlements.is_empty() =>
        {
            "No licenses in use\n\n".to_string()
        }
        _ => classic_usage_blocks(v, usage_status(status)),
    };
    format!(
        "Smart Licensing Status\n======================\n\nSmart Licensing is ENABLED\n\n{}\n{EXPORT_KEY}\n{UTILITY}\n{PRIVACY}\nTransport:\n  Type: Callhome\n\nLicense Usage\n==============\n\n{usage}Product Information\n===================\nUDI: {udi}\n\nAgent Version\n=============\nSmart Agent for Licensing: 4.8.5.4_rel/22\n\nReservation Info\n================\nLicense reservation: DISABLED\n",
        classic_sections(m, v, false)
    )
}

/// The NX-OS classic `Registration:` and `License Authorization:` sections in the device's
/// layout: two-space indented fields, sections separated by blank lines, the header
/// `License Authorization: ` with its trailing blank and a blank line after its `Status:`
/// (the real N9K `show license summary`, Cisco's *Nexus 9000 and 3000 NX-OS SLP User
/// Guide*, "Migrating to SLP", "before upgrade", copied in
/// tests/fixtures/corpus/nxos/show-license-summary/cisco-n9k-migration-1.txt). The fields
/// and their words are [NX-TS]'s `show license status` (a web rendering that lost the
/// indentation: tests/fixtures/corpus/nxos/show-license-status/cisco-tn217965-rendered-1.txt),
/// with `Export-Controlled Functionality: Allowed` in both commands (both sources). The summary
/// has no renewal or expiry lines and prints `Last Communication Attempt: SUCCEEDED`
/// without its date (the N9K capture). APIC prints the same (no APIC sample, [ACI-SL] ⟨GAP⟩).
fn nx_sections(m: &Classic, v: &View, summary: bool) -> String {
    let mut out = String::new();
    let status = m.auth_status(v.now);
    let _ = writeln!(out, "Registration:");
    let _ = writeln!(out, "  Status: {}", registration_status(m));
    if let (Phase::Registered, Some(a)) = (m.phase, &m.account) {
        let _ = writeln!(out, "  Smart Account: {}", a.smart);
        let _ = writeln!(out, "  Virtual Account: {}", a.virtual_);
    }
    let export = if m.phase == Phase::Registered && m.export_allowed {
        "Allowed"
    } else {
        "Not Allowed"
    };
    let _ = writeln!(out, "  Export-Controlled Functionality: {export}");
    // As on IOS-XE ([`classic_sections`]): only a communication attempt is ever `PENDING`.
    let attempt = |out: &mut String, label: &str, a: &super::machine::Attempt, dated: bool| {
        let result = match a.ok {
            Some(true) => "SUCCEEDED",
            None if label == "Last Communication Attempt" => "PENDING",
            _ => "FAILED",
        };
        if dated {
            let _ = writeln!(out, "  {label}: {result} on {}", v.ts(a.at));
        } else {
            let _ = writeln!(out, "  {label}: {result}");
        }
        if let Some(reason) = &a.reason {
            let _ = writeln!(out, "    Failure reason: {reason}");
        }
    };
    if !summary && let Some(a) = &m.initial {
        attempt(&mut out, "Initial Registration", a, true);
    }
    if m.phase != Phase::Registered
        && let Some(next) = m.next_registration
    {
        let _ = writeln!(out, "  Next Registration Attempt: {}", v.ts(next));
    }
    if m.phase == Phase::Registered && !summary {
        match &m.last_renewal {
            None => {
                let _ = writeln!(out, "  Last Renewal Attempt: None");
            }
            Some(a) => attempt(&mut out, "Last Renewal Attempt", a, true),
        }
        let _ = writeln!(out, "  Next Renewal Attempt: {}", v.ts(m.next_renewal));
        let _ = writeln!(out, "  Registration Expires: {}", v.ts(m.id_cert_expires));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "License Authorization: ");
    let _ = writeln!(out, "  Status: {}", auth_status_text(v, &status, true));
    if let AuthStatus::Eval(left) = status {
        let _ = writeln!(out, "  Evaluation Period Remaining: {}", countdown(left));
    }
    if m.phase == Phase::Registered {
        let _ = writeln!(out);
        if let Some(a) = &m.last_comm {
            // The summary drops the date of a success only (the N9K capture).
            attempt(
                &mut out,
                "Last Communication Attempt",
                a,
                !(summary && a.ok == Some(true)),
            );
        }
        if let Some(next) = m.next_comm {
            let _ = writeln!(out, "  Next Communication Attempt: {}", v.ts(next));
        }
        if let Some(deadline) = m.comm_deadline {
            let _ = writeln!(out, "  Communication Deadline: {}", v.ts(deadline));
        }
    }
    out
}

/// The NX-OS `License Usage:` table: unindented, a 27-wide `License` column with names cut
/// to 23 characters + `...`, `Entitlement tag` in parentheses, `Count` and `Status`, 75
/// dashes, the row ending in a blank (Cisco's Nexus 3550-T 10.2(3t) `show license
/// summary`, [N3550-MIG], copied in
/// tests/fixtures/corpus/nxos/show-license-summary/cisco-n3550t-slp-1.txt; the N9K classic
/// capture shows the same header start). `name` picks the shown name.
fn nx_usage_table(v: &View, status: &str, name: impl Fn(&Entitlement) -> String) -> String {
    let mut out = String::from(
        "License Usage:\nLicense                    Entitlement tag                 Count   Status\n",
    );
    let _ = writeln!(out, "{}", "-".repeat(75));
    for e in v.entitlements {
        let shown = cut(&name(e), 26, 23);
        let tag = format!("({})", e.tag);
        let _ = writeln!(out, "{shown:<27}{tag:<33}{:<8}{status} ", e.count);
    }
    out
}

/// NX-OS ([NX-TS] fields, the N9K capture's layout: [`nx_sections`]) and APIC (no sample,
/// [ACI-SL] ⟨GAP⟩: the NX-OS layout without the conversion block) classic outputs.
fn nx_style(
    command: &str,
    m: &Classic,
    v: &View,
    status: &AuthStatus,
    udi: &str,
) -> Option<String> {
    let nx = v.identity.platform == Platform::NxOs;
    // Present in both real NX-OS samples ([NX-TS] status, N9K summary), after License
    // Authorization.
    let conversion = if nx {
        "\nSmart License Conversion:\n  Automatic Conversion Enabled: False\n  Status: Not started\n"
    } else {
        ""
    };
    let status_text = format!(
        "Smart Licensing is ENABLED\n\n{}{conversion}",
        nx_sections(m, v, false)
    );
    let out = match command {
        "status" => status_text,
        // A superset of `status`: no NX-OS or APIC `show license all` capture was found
        // ⟨UNVERIFIED⟩, so the IOS-XE classic report's frame is used around the status
        // (corpus iosxe/show-license-all/genieparser-3: `Smart Licensing Status` / `=====`,
        // then `License Usage` blocks and `Product Information`).
        "all" => nx_all(&status_text, v, status, udi),
        "summary" => format!(
            "Smart Licensing is ENABLED\n\n{}{conversion}\n{}",
            nx_sections(m, v, true),
            nx_usage_table(v, usage_status(status), |e| e.classic_name.clone())
        ),
        "udi" => format!("UDI: {udi}\n"),
        "usage" if nx => {
            // The NX-OS 7.x–9.x table (corpus nxos/show-license-usage/ntc-templates-1).
            let mut out = String::from(
                "\nFeature                      Ins  Lic   Status Expiry Date Comments\n                                 Count\n",
            );
            let rule = "-".repeat(80);
            let _ = writeln!(out, "{rule}");
            for e in v.entitlements {
                let _ = writeln!(out, "{:<30}Yes   -   In use Never       -", e.tag);
            }
            let _ = writeln!(out, "{rule}");
            out
        }
        "usage" => format!(
            "License Authorization:\n  Status: {}\n\n{}",
            auth_status_text(v, status, true),
            classic_usage_blocks(v, usage_status(status))
        ),
        // No NX-OS/APIC tech-support capture ⟨GAP⟩: the IOS-XE header, then `all`.
        "tech support" => format!(
            "Smart Licensing Tech Support info\n\n{}",
            nx_all(&status_text, v, status, udi)
        ),
        _ => return None,
    };
    Some(out)
}

fn nx_all(status_text: &str, v: &View, status: &AuthStatus, udi: &str) -> String {
    format!(
        "Smart Licensing Status\n======================\n\n{status_text}\nLicense Usage\n==============\n\n{}Product Information\n===================\nUDI: {udi}\n",
        classic_usage_blocks(v, usage_status(status))
    )
}

// ---------------------------------------------------------------- Using Policy

fn account_block(p: &Policy, v: &View) -> String {
    match &p.account {
        Some((a, at)) => format!(
            "Account Information:\n  Smart Account: {} As of {}\n  Virtual Account: {}\n",
            a.smart,
            v.ts(*at),
            a.virtual_
        ),
        None => {
            "Account Information:\n  Smart Account: <none>\n  Virtual Account: <none>\n".to_string()
        }
    }
}

fn transport_block(v: &View, tech: bool) -> String {
    let mut out = String::from("Transport:\n");
    let proxy_and_vrf = |out: &mut String, t: &Transport| {
        match &t.proxy {
            None => out.push_str("  Proxy:\n    Not Configured\n"),
            Some((host, port)) => {
                let _ = write!(
                    out,
                    "  Proxy:\n    Address: {host}\n    Port: {port}\n    Username: <empty>\n    Password: <empty>\n"
                );
            }
        }
        if tech {
            let _ = writeln!(
                out,
                "  Server Identity Check: {}",
                if t.identity_check { "True" } else { "False" }
            );
        }
        match &t.vrf {
            None => out.push_str("  VRF:\n    Not Configured\n"),
            // Display of a configured VRF ⟨UNVERIFIED⟩ ([RTR-CMD] [CUBE]).
            Some(vrf) => {
                let _ = writeln!(out, "  VRF: {vrf}");
            }
        }
        if tech {
            out.push_str("  IP Mode: IPv4 ONLY\n  Trust Point: SLA-TrustPoint\n");
        }
    };
    match &v.transport {
        Some(Err(NoTransport::Off)) => out.push_str("  Type: Transport Off\n"),
        Some(Err(NoTransport::CsluUnset)) | None => {
            out.push_str("  Type: cslu\n  Cslu address: <empty>\n  Proxy:\n    Not Configured\n  VRF:\n    Not Configured\n");
        }
        Some(Err(NoTransport::NotAvailable { .. })) => out.push_str("  Type: Callhome\n"),
        Some(Ok(t)) if t.call_home => out.push_str("  Type: Callhome\n"),
        Some(Ok(t)) if t.cslu => {
            let _ = writeln!(out, "  Type: cslu\n  Cslu address: {}", t.url);
            proxy_and_vrf(&mut out, t);
        }
        Some(Ok(t)) => {
            let _ = writeln!(out, "  Type: Smart\n  URL: {}", t.url);
            proxy_and_vrf(&mut out, t);
        }
    }
    out
}

fn policy_block(p: &Policy, v: &View) -> String {
    let (head, source) = match &p.policy {
        PolicyInUse::CiscoDefault => (
            "  Policy in use: Merged from multiple sources.\n".to_string(),
            "CISCO default",
        ),
        PolicyInUse::Customer { name, installed } => (
            format!(
                "  Policy in use: Installed On {}\n  Policy name: {name}\n",
                v.ts(*installed)
            ),
            "Customer Policy",
        ),
    };
    // The Cisco default values ([C9400-174], [GENIEPARSER]); a customer policy is shown with
    // the same values ⟨lab simplification⟩.
    let rows = [
        ("Unenforced/Non-Export Perpetual Attributes:", [365, 0, 90]),
        (
            "Unenforced/Non-Export Subscription Attributes:",
            [90, 90, 90],
        ),
        (
            "Enforced (Perpetual/Subscription) License Attributes:",
            [0, 0, 0],
        ),
        (
            "Export (Perpetual/Subscription) License Attributes:",
            [0, 0, 0],
        ),
    ];
    let mut out = format!("Policy:\n{head}  Reporting ACK required: yes ({source})\n");
    for (title, [first, freq, change]) in rows {
        let _ = write!(
            out,
            "  {title}\n    First report requirement (days): {first} ({source})\n    Reporting frequency (days): {freq} ({source})\n    Report on change (days): {change} ({source})\n"
        );
    }
    out
}

fn or_none(v: &View, t: Option<f64>) -> String {
    t.map_or_else(|| "<none>".to_string(), |t| v.ts(t))
}

fn usage_reporting_block(p: &Policy, v: &View) -> String {
    format!(
        "Usage Reporting:\n  Last ACK received: {}\n  Next ACK deadline: {}\n  Reporting push interval: 30  days\n  Next ACK push check: <none>\n  Next report push: {}\n  Last report push: {}\n  Last report file write: <none>\n",
        or_none(v, p.last_ack),
        v.ts(p.next_ack_deadline),
        or_none(v, p.next_report),
        or_none(v, p.last_report),
    )
}

fn trust_line(p: &Policy, v: &View) -> String {
    format!("Trust Code Installed: {}\n", or_none(v, p.trust_installed))
}

/// The Using Policy status sections. `report` is `show license all` / `tech support`, where
/// `Miscellaneous:` comes before `Policy:` (all 26 real `all` and `tech support` captures of
/// the corpus, e.g. iosxe/show-license-all/genieparser-1 and -5, genielibs-1); `show license
/// status` prints `Policy:` first (its 4 captures, e.g. show-license-status/ntc-templates-3).
fn slp_status(p: &Policy, v: &View, tech: bool, report: bool) -> String {
    const MISC: &str = "Miscellaneous:\n  Custom Id: <empty>\n";
    let policy = policy_block(p, v);
    let (first, second) = if report {
        (MISC, policy.as_str())
    } else {
        (policy.as_str(), MISC)
    };
    format!(
        "{UTILITY}\nSmart Licensing Using Policy:\n  Status: ENABLED\n\n{}\n{PRIVACY}\n{}\n{first}\n{second}\n{}\n{}",
        account_block(p, v),
        transport_block(v, tech),
        usage_reporting_block(p, v),
        trust_line(p, v)
    )
}

/// `Usage Report Summary:` as every real Using Policy `show license all` ends (corpus
/// iosxe/show-license-all/genieparser-1, -5, genielibs-1; and 16 of the 20 tech-support
/// captures): `Total: N,  Purged: N` / `Total Acknowledged Received: N,  Waiting for Ack: N`
/// / `Available to Report: N  Collecting Data: N`, where Total = acknowledged + waiting +
/// available (genieparser-1: 70 = 64 + 0 + 6). The counts are the lab's model ⟨lab
/// simplification⟩: one RUM report per license in use is being collected, and each
/// acknowledged report push acknowledged one per license.
fn usage_report_summary(p: &Policy, v: &View) -> String {
    let n = v.entitlements.len() as u32;
    let acked = n * p.report_stats.success;
    format!(
        "Usage Report Summary:\n=====================\nTotal: {},  Purged: 0\nTotal Acknowledged Received: {acked},  Waiting for Ack: 0\nAvailable to Report: {n}  Collecting Data: {n}\n",
        acked + n
    )
}

fn slp_usage_blocks(v: &View) -> String {
    let nx = v.identity.platform == Platform::NxOs;
    let mut out = String::new();
    for e in v.entitlements {
        // NX-OS has no feature name: the block starts `(TAG):` flush left ([N3550-MIG] [NX-ART],
        // corpus nxos/show-license-usage/ntc-templates-2).
        let _ = writeln!(
            out,
            "{}",
            format!("{} ({}):", e.feature, e.tag).trim_start()
        );
        let _ = writeln!(out, "  Description: {}", e.description);
        let _ = writeln!(out, "  Count: {}", e.count);
        let _ = writeln!(out, "  Version: 1.0");
        let _ = writeln!(out, "  Status: IN USE");
        if nx {
            // NX-OS capitalisation ([N3550-MIG] [NX-ART]).
            let _ = writeln!(out, "  Enforcement Type: NOT ENFORCED");
            let _ = writeln!(out, "  License Type: {}", e.license_type);
        } else {
            let _ = writeln!(out, "  Export status: NOT RESTRICTED");
            let _ = writeln!(out, "  Feature Name: {}", e.feature);
            let _ = writeln!(out, "  Feature Description: {}", e.description);
            let _ = writeln!(out, "  Enforcement type: NOT ENFORCED");
            let _ = writeln!(out, "  License type: {}", e.license_type);
        }
        let _ = writeln!(out);
    }
    out
}

fn stats_block(title: &str, s: &CommStats, v: &View) -> String {
    let response = match &s.last_response {
        Some((r, t)) => format!("{r} on {}", v.ts(*t)),
        None => "<none>".into(),
    };
    format!(
        "{title}:\n  Attempts: Total={}, Success={}, Fail={}  Ongoing Failure: Overall={} Communication={}\n  Last Response: {response}\n    Failure Reason: {}\n  Last Success Time: {}\n  Last Failure Time: {}\n",
        s.total,
        s.success,
        s.fail,
        s.ongoing,
        s.ongoing_comm,
        s.failure_reason.as_deref().unwrap_or("<none>"),
        or_none(v, s.last_success),
        or_none(v, s.last_failure),
    )
}

fn slp_all(p: &Policy, v: &View, tech: bool) -> String {
    let udi = format!("PID:{},SN:{}", v.identity.pid, v.identity.serial);
    let mut out = String::new();
    if tech {
        out.push_str("Smart Licensing Tech Support info\n\n");
    }
    let _ = write!(
        out,
        "Smart Licensing Status\n======================\n\nSmart Licensing is ENABLED\n\nLicense Conversion:\n  Automatic Conversion Enabled: False\n  Last Data Push: <none>\n  Last File Export: <none>\n\n{EXPORT_KEY}\n{}\nLicense Usage\n=============\n\n{}Product Information\n===================\nUDI: {udi}\n\nAgent Version\n=============\nSmart Agent for Licensing: 5.11.4_rel/20\n\n",
        slp_status(p, v, tech, true),
        slp_usage_blocks(v)
    );
    if tech {
        let trusted = p.trust_installed.is_some();
        let level = if trusted { "DIRECT" } else { "INDIRECT" };
        let state = match (&v.transport, trusted) {
            (Some(Ok(t)), false) if !t.cslu && !t.call_home => {
                "Insufficient trust for direct communication"
            }
            _ => "<empty>",
        };
        let _ = write!(
            out,
            "Communication Statistics:\n=======================\nCommunication Level Allowed: {level}\nOverall State: {state}\n{}{}{}{}\n",
            stats_block("Trust Establishment", &p.trust_stats, v),
            stats_block("Usage Reporting", &p.report_stats, v),
            stats_block("Result Polling", &p.polling_stats, v),
            stats_block("Trust Sync", &p.sync_stats, v),
        );
        let p_s = format!("P:{},S:{}", v.identity.pid, v.identity.serial);
        let trust_line = if trusted {
            format!("{p_s}: {p_s}, state[2], Trust Data INSTALLED")
        } else {
            format!("{p_s}: No Trust Data")
        };
        let overall = if trusted { "INSTALLED (2)" } else { "No ID" };
        // Before `Other Info`, as in the tech-support captures that have it (corpus
        // x-show-license-tech-support/genieparser-9 …).
        let _ = write!(
            out,
            "{}\nOther Info\n==========\nAgent State: authorized\n{trust_line}\nOverall Trust: {overall}\nClock sync-ed with NTP: True\n",
            usage_report_summary(p, v)
        );
    } else {
        out.push_str("License Authorizations\n======================\nLast Data Push: <none>\nLast File Export: <none>\n\nOverall status:\n");
        let _ = write!(
            out,
            "  Active: {udi}\n    Status: NOT INSTALLED\n\nPurchased Licenses:\n  No Purchase Information Available\n\n{}",
            usage_report_summary(p, v)
        );
    }
    out
}

/// Using Policy outputs (IOS-XE; NX-OS SLP `status`/`all` have no sample ⟨UNVERIFIED⟩ and
/// use the IOS-XE grammar; [N3550-MIG] and [NX-ART] show only other commands).
pub fn policy(command: &str, p: &Policy, v: &View) -> Option<String> {
    if let Some(days) = eventlog::days_of(command) {
        // IOS-XE only: no NX-OS `show license eventlog` sample exists.
        return (v.identity.platform == Platform::IosXe)
            .then(|| p.events.render(v.now, v.offset, days));
    }
    let out = match command {
        "status" => slp_status(p, v, false, false),
        // NX-OS starts at `License Usage:`, its table unindented with the description as
        // the name ([N3550-MIG], the Nexus 3550-T capture: [`nx_usage_table`]).
        "summary" if v.identity.platform == Platform::NxOs => {
            nx_usage_table(v, "IN USE", |e| e.description.clone())
        }
        "summary" => {
            let table = usage_table(v, "IN USE", "Entitlement Tag", "  ");
            format!("{}\nLicense Usage:\n{table}", account_block(p, v))
        }
        "all" => slp_all(p, v, false),
        "tech support" => slp_all(p, v, true),
        "udi" => format!("UDI: PID:{},SN:{}\n", v.identity.pid, v.identity.serial),
        "usage" => format!(
            "\nLicense Authorization:\n  Status: Not Applicable\n\n{}",
            slp_usage_blocks(v)
        ),
        _ => return None,
    };
    Some(out)
}
