//! `show license …` outputs in the real formats.
//!
//! Shapes and labels come from the corpus and Cisco's documents; each renderer names its model:
//! - classic IOS-XE `status`/`all`: corpus `iosxe/show-license-status/genieparser-2`,
//!   `ntc-templates-1`, `iosxe/show-license-all/genieparser-3` (Smart Agent 4.x);
//!   `summary`: the real C9200L 16.9.1 capture (public Ansible README, search index id
//!   28523190061) and [CAT-TS]; failure lines: [CAT-TS] (labels `Next Registration
//!   Attempt` and the nesting of `Failure reason:` under its attempt are ⟨not verbatim⟩);
//! - NX-OS classic `status`: [NX-TS] (flush left, as in that document); `usage`: the NX-OS
//!   PAK-style table of corpus `nxos/show-license-usage/ntc-templates-1`;
//! - Using Policy: [GENIEPARSER] ([NTC-TEMPLATES] layout) for status, summary, all, tech
//!   support (corpus `x-show-license-tech-support/genieparser-9`), usage and udi; NX-OS
//!   [N3550-MIG] [NX-ART];
//! - APIC: no sample exists ([ACI-SL] ⟨GAP⟩): the NX-OS classic layout is used.
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

/// The `Registration:` and `License Authorization:` sections; `indent` is `"  "` on
/// IOS-XE and empty on NX-OS/APIC ([NX-TS]).
fn classic_sections(m: &Classic, v: &View, indent: &str, summary: bool) -> String {
    let i = indent;
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
    // The header carries a trailing blank on IOS-XE (corpus genieparser-2, ntc-templates-1).
    let header = if indent.is_empty() {
        "License Authorization:"
    } else {
        "License Authorization: "
    };
    let _ = writeln!(out, "{header}");
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
            classic_sections(m, v, "  ", false)
        ),
        "summary" => format!(
            "Smart Licensing is ENABLED\n\n{}\nLicense Usage:\n{}",
            classic_sections(m, v, "  ", true),
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
        classic_sections(m, v, "  ", false)
    )
}

/// NX-OS ([NX-TS]) and APIC (no sample ⟨GAP⟩) classic outputs.
fn nx_style(
    command: &str,
    m: &Classic,
    v: &View,
    status: &AuthStatus,
    udi: &str,
) -> Option<String> {
    let nx = v.identity.platform == Platform::NxOs;
    let conversion = if nx {
        "Smart License Conversion:\nAutomatic Conversion Enabled: False\nStatus: Not started\n"
    } else {
        ""
    };
    let sections = classic_sections(m, v, "", false).replace("\n\n", "\n");
    let out = match command {
        "status" | "all" => format!("Smart Licensing is ENABLED\n{sections}{conversion}"),
        "summary" => format!(
            "Smart Licensing is ENABLED\n{}License Usage:\n{}",
            classic_sections(m, v, "", true).replace("\n\n", "\n"),
            usage_table(v, usage_status(status), "Entitlement tag", "")
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
        "tech support" => format!(
            "Smart Licensing Tech Support info\n\nSmart Licensing is ENABLED\n{sections}{conversion}"
        ),
        _ => return None,
    };
    Some(out)
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

fn slp_status(p: &Policy, v: &View, tech: bool) -> String {
    format!(
        "{UTILITY}\nSmart Licensing Using Policy:\n  Status: ENABLED\n\n{}\n{PRIVACY}\n{}\n{}\nMiscellaneous:\n  Custom Id: <empty>\n\n{}\n{}",
        account_block(p, v),
        transport_block(v, tech),
        policy_block(p, v),
        usage_reporting_block(p, v),
        trust_line(p, v)
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
        slp_status(p, v, tech),
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
        let _ = write!(
            out,
            "Other Info\n==========\nAgent State: authorized\n{trust_line}\nOverall Trust: {overall}\nClock sync-ed with NTP: True\n"
        );
    } else {
        out.push_str("License Authorizations\n======================\nLast Data Push: <none>\nLast File Export: <none>\n\nOverall status:\n");
        let _ = write!(
            out,
            "  Active: {udi}\n    Status: NOT INSTALLED\n\nPurchased Licenses:\n  No Purchase Information Available\n"
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
        "status" => slp_status(p, v, false),
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
