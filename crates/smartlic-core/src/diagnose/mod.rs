//! Diagnosis: what a device shows, matched against the failure catalogue (docs/troubleshooting.md,
//! `catalogue.yml`). The catalogue is data; this module reads it once and matches a host's
//! [`Evidence`] against each entry, giving [`Finding`]s with the lines that prove them and
//! the remedy — as config lines `apply` would send, when the intent describes the fix.

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::platform::Platform;

/// The catalogue, as shipped.
const CATALOGUE: &str = include_str!("catalogue.yml");

/// One scenario of the catalogue.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub spec: String,
    pub platforms: Vec<Platform>,
    pub title: String,
    #[serde(default)]
    pub all: Vec<Condition>,
    #[serde(default)]
    pub any: Vec<Condition>,
    #[serde(default)]
    pub none: Vec<Condition>,
    pub cause: String,
    pub remedy: String,
    pub fix_class: String,
    #[serde(default)]
    pub config_fix: Vec<Pattern>,
    pub command_fix: Option<String>,
    /// Intent settings that make the plan carry out the remedy, for `apply --fix` when the
    /// intent does not describe it (only remedies that need no operator data).
    #[serde(default)]
    pub intent_fix: Vec<IntentFix>,
}

/// One intent setting `apply --fix` may make (the fields of `smart_licensing`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum IntentFix {
    SlaTrustpointRevocationCheck(String),
    ServerIdentityCheck(bool),
    SourceInterface(String),
    Vrf(String),
}

impl IntentFix {
    /// Makes the setting; `Err` for a value the intent does not take.
    pub fn apply(&self, intent: &mut crate::intent::Intent) -> Result<(), String> {
        use crate::intent::RevocationCheck;
        match self {
            IntentFix::SlaTrustpointRevocationCheck(value) => {
                let (_, check) = RevocationCheck::ALL
                    .iter()
                    .find(|(name, _)| name == value)
                    .ok_or_else(|| format!("revocation check `{value}`"))?;
                intent.sla_trustpoint_revocation_check = Some(*check);
            }
            IntentFix::ServerIdentityCheck(on) => intent.server_identity_check = *on,
            IntentFix::SourceInterface(name) => intent.source_interface = Some(name.clone()),
            IntentFix::Vrf(name) => intent.vrf = Some(name.clone()),
        }
        Ok(())
    }
}

impl std::fmt::Display for IntentFix {
    /// As it would be written in the intent: `sla_trustpoint_revocation_check: none`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntentFix::SlaTrustpointRevocationCheck(v) => {
                write!(f, "sla_trustpoint_revocation_check: {v}")
            }
            IntentFix::ServerIdentityCheck(v) => write!(f, "server_identity_check: {v}"),
            IntentFix::SourceInterface(v) => write!(f, "source_interface: {v}"),
            IntentFix::Vrf(v) => write!(f, "vrf: {v}"),
        }
    }
}

/// What must be seen for an entry to match.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// A line of `show license status`.
    Status(Pattern),
    /// A line of the device's log.
    Log(Pattern),
    /// A line of the running config.
    Config(Pattern),
    /// The device clock is more than this many seconds off the runner's.
    ClockSkew(i64),
    /// Whether TCP 443 to the destination opened from the device (preflight).
    Reachable(bool),
}

/// A catalogue regex: case-insensitive, over lines with blanks collapsed.
#[derive(Clone, Debug)]
pub struct Pattern(Regex);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pattern, D::Error> {
        let text = String::deserialize(d)?;
        // Lines are trimmed, so `^` anchors at the first non-blank.
        Regex::new(&format!("(?i){text}"))
            .map(Pattern)
            .map_err(|e| serde::de::Error::custom(format!("`{text}`: {e}")))
    }
}

impl Pattern {
    fn first_in<'a>(&self, lines: &'a [String]) -> Option<&'a str> {
        lines
            .iter()
            .find(|l| self.0.is_match(l))
            .map(String::as_str)
    }
}

/// What a host showed, as the catalogue reads it: every line trimmed, blanks collapsed.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    pub status: Vec<String>,
    pub log: Vec<String>,
    pub config: Vec<String>,
    /// Device clock minus the runner's, in seconds, when the clock was read.
    pub clock_skew: Option<i64>,
    /// Whether TCP 443 to the destination opened, when it was tried.
    pub reachable: Option<bool>,
}

impl Evidence {
    /// Lines of `text`, as the catalogue matches them.
    pub fn lines(text: &str) -> Vec<String> {
        text.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The lines of a log (oldest first) after its last success message: a failure logged
    /// before the device last registered, renewed or got back in compliance is over. The
    /// success messages are [CAT-TS]'s `%SMART_LIC-6-AGENT_REG_SUCCESS`,
    /// `%SMART_LIC-5-IN_COMPLIANCE` and `%SMART_LIC-6-AUTH_RENEW_SUCCESS`, and the
    /// eventlog's `SAEVT_COMM_RESTORED`.
    pub fn recent_log(text: &str) -> Vec<String> {
        const SUCCESS: [&str; 4] = [
            "%SMART_LIC-6-AGENT_REG_SUCCESS",
            "%SMART_LIC-5-IN_COMPLIANCE",
            "%SMART_LIC-6-AUTH_RENEW_SUCCESS",
            "SAEVT_COMM_RESTORED",
        ];
        let lines = Evidence::lines(text);
        let start = lines
            .iter()
            .rposition(|l| SUCCESS.iter().any(|s| l.contains(s)))
            .map_or(0, |last| last + 1);
        lines[start..].to_vec()
    }
}

impl Evidence {
    /// What a parsed status shows, as `show license status` lines: enough for the
    /// entries keyed on the status (after a failed registration, without more reads).
    pub fn of_status(status: &crate::platform::status::LicensingStatus) -> Evidence {
        let mut lines = Vec::new();
        if let Some(r) = &status.registration {
            lines.push(format!("Status: {r}"));
        }
        if let Some(a) = &status.authorization {
            lines.push(format!("Status: {a}"));
        }
        for reason in [
            &status.registration_failure,
            &status.communication_failure,
            &status.failure_reason,
        ]
        .into_iter()
        .flatten()
        {
            lines.push(format!("Failure reason: {reason}"));
        }
        Evidence {
            status: lines.iter().map(|l| Evidence::lines(l).concat()).collect(),
            ..Evidence::default()
        }
    }
}

/// What the catalogue says of a failure, in one line:
/// `CAT-5 (docs/troubleshooting.md#cat-5): remedy`.
pub fn explain(platform: Platform, evidence: &Evidence) -> Option<String> {
    let found = diagnose(platform, evidence, &[]);
    let first = found.iter().find(|f| f.id != "UNKNOWN")?;
    Some(format!("{} ({}): {}", first.id, first.spec, first.remedy))
}

/// A matched entry, with the lines that show it and how to fix it.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub id: String,
    pub spec: String,
    pub title: String,
    pub evidence: Vec<String>,
    pub cause: String,
    pub remedy: String,
    pub fix_class: String,
    /// The config lines `apply` would send that carry out the remedy.
    pub config_fix: Vec<String>,
    /// The remedy is config the intent does not describe (so `apply` will not fix it).
    pub config_fix_missing: bool,
    pub command_fix: Option<String>,
    /// What `apply --fix` would set in the intent, when the intent lacks the remedy.
    pub intent_fix: Vec<IntentFix>,
}

/// The shipped catalogue, read once.
pub fn catalogue() -> &'static [Entry] {
    static PARSED: OnceLock<Vec<Entry>> = OnceLock::new();
    PARSED.get_or_init(|| parse(CATALOGUE).expect("the shipped catalogue is valid"))
}

/// Reads a catalogue (YAML).
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let node = crate::yaml::load_str(std::path::Path::new("catalogue.yml"), text.to_string())
        .map_err(|d| d.to_string())?;
    serde_json::from_value(node.to_json()).map_err(|e| e.to_string())
}

/// The catalogue entries `evidence` matches on `platform`, in catalogue order. A failure
/// no entry explains is still a finding (`UNKNOWN`): a failing device is never "healthy".
/// `planned` are the config lines `apply` would send, to say which carry out a remedy.
pub fn diagnose(platform: Platform, evidence: &Evidence, planned: &[String]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = catalogue()
        .iter()
        .filter(|e| e.platforms.contains(&platform))
        .filter_map(|e| matches(e, evidence).map(|lines| finding(e, lines, planned)))
        .collect();
    if findings.is_empty()
        && let Some(reason) = unexplained_failure(evidence)
    {
        findings.push(unknown(reason));
    }
    findings
}

/// The lines that show `entry`, if it matches.
fn matches(entry: &Entry, evidence: &Evidence) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    for condition in &entry.all {
        lines.push(holds(condition, evidence)?);
    }
    if !entry.any.is_empty() {
        let shown: Vec<String> = entry
            .any
            .iter()
            .filter_map(|c| holds(c, evidence))
            .collect();
        if shown.is_empty() {
            return None;
        }
        lines.extend(shown);
    }
    if entry.none.iter().any(|c| holds(c, evidence).is_some()) {
        return None;
    }
    lines.dedup();
    Some(lines)
}

/// The line (or fact) that makes `condition` hold.
fn holds(condition: &Condition, evidence: &Evidence) -> Option<String> {
    match condition {
        Condition::Status(p) => p.first_in(&evidence.status).map(String::from),
        Condition::Log(p) => p.first_in(&evidence.log).map(String::from),
        Condition::Config(p) => p.first_in(&evidence.config).map(String::from),
        Condition::ClockSkew(limit) => evidence
            .clock_skew
            .filter(|skew| skew.abs() > *limit)
            .map(|skew| format!("the device clock is {skew:+} s off this machine's")),
        Condition::Reachable(wanted) => {
            evidence.reachable.filter(|r| r == wanted).map(|r| match r {
                true => "TCP 443 to the destination opens from the device".into(),
                false => "TCP 443 to the destination does not open from the device".into(),
            })
        }
    }
}

fn finding(entry: &Entry, evidence: Vec<String>, planned: &[String]) -> Finding {
    let config_fix: Vec<String> = planned
        .iter()
        .filter(|line| {
            let line = line.trim();
            entry.config_fix.iter().any(|p| p.0.is_match(line))
        })
        .cloned()
        .collect();
    Finding {
        id: entry.id.clone(),
        spec: entry.spec.clone(),
        title: entry.title.clone(),
        evidence,
        cause: entry.cause.clone(),
        remedy: entry.remedy.clone(),
        fix_class: entry.fix_class.clone(),
        config_fix_missing: !entry.config_fix.is_empty() && config_fix.is_empty(),
        intent_fix: match config_fix.is_empty() {
            true => entry.intent_fix.clone(),
            false => Vec::new(),
        },
        config_fix,
        command_fix: entry.command_fix.clone(),
    }
}

/// A failure reason, or a failed state, that the status shows.
fn unexplained_failure(evidence: &Evidence) -> Option<String> {
    evidence
        .status
        .iter()
        .find(|l| {
            let l = l.to_ascii_lowercase();
            l.starts_with("failure reason:")
                || l.contains("registration failed")
                || l.contains("out of compliance")
                || l.contains("authorization expired")
        })
        .cloned()
}

fn unknown(line: String) -> Finding {
    Finding {
        id: "UNKNOWN".into(),
        spec: "docs/troubleshooting.md#unknown".into(),
        title: "A failure no catalogue entry explains".into(),
        // The device's own words, with any secret it echoed masked.
        evidence: vec![crate::redact::redact(&line).into_owned()],
        cause: "Not in the catalogue.".into(),
        remedy: "Follow the generic flow (docs/troubleshooting.md#unknown): check the configuration, connectivity to \
                 the back-end (`smartlic diagnose --preflight` tests it from the device), `show tech-support license`, \
                 and the debugs."
            .into(),
        fix_class: "MANUAL".into(),
        config_fix: Vec::new(),
        config_fix_missing: false,
        command_fix: None,
        intent_fix: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
