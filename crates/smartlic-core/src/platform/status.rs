//! What a device's `show license status` says, as data: the licensing model, the
//! registration and authorization states in the canonical names of [CAT-TS] [NX-TS] [ACI-SL], the accounts,
//! the failure reason, the timers (kept as the device's text), the transport and, with
//! Smart Licensing Using Policy, trust and reporting ([GENIEPARSER]).
//!
//! Every platform prints the same sectioned grammar ([CAT-TS], [NX-TS], [GENIEPARSER]: a header
//! is a line ending in `:` with no value; `Status:` repeats under each header; a field is
//! split at the first `: `), its fields indented by two spaces and its sections separated by
//! blank lines on IOS-XE and NX-OS alike (corpus; Cisco's N9K capture,
//! tests/fixtures/corpus/nxos). Web renderings of Cisco's pages print it flush left, sometimes
//! with a blank line after every line ([NX-TS]); sections are found by their unindented
//! headers and blank lines skipped, so both read the same (tested on every capture,
//! flattened). APIC has no sample ([ACI-SL] ⟨GAP⟩); the lab prints the NX-OS layout
//! (`crates/smartlic-lab/src/licensing/show.rs`). One reader therefore serves the three platforms; what
//! differs per platform (`show version`) lives in the driver files.
//!
//! `show license all` and `show license tech support` embed the same sections (corpus
//! MANIFEST.md `x-` slugs, [GENIEPARSER]): the first occurrence of a field wins, so the
//! tech-support `Communication Statistics` blocks (a second `Usage Reporting:`) never
//! override the status block.

use std::fmt;

use serde::Serialize;

use super::{LicensingModel, Platform};
use crate::intent::Expect;

/// `Registration: Status:` in canonical form ([CAT-TS] [NX-TS] [ACI-SL]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// `UNREGISTERED`
    Unregistered,
    /// `REGISTERING - REGISTRATION IN PROGRESS`
    Registering,
    /// `REGISTERED`
    Registered,
    /// `UNREGISTERED - REGISTRATION FAILED`
    RegistrationFailed,
    /// Anything else, verbatim.
    Other(String),
}

/// `License Authorization: Status:` in canonical form ([CAT-TS] [NX-TS] [ACI-SL]; [N3550-MIG] [NX-ART]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Authorization {
    /// `EVAL MODE`
    EvalMode,
    /// `EVAL EXPIRED` ([CAT-TS] [NX-TS] [ACI-SL] "EVAL EXPIRY" mode; no verbatim sample — the lab's form).
    EvalExpired,
    /// `AUTHORIZED [on <ts>]`
    Authorized,
    /// `OUT OF COMPLIANCE on <ts>`
    OutOfCompliance,
    /// `AUTHORIZATION EXPIRED on <ts>` ([CAT-TS] [NX-TS] [ACI-SL] ⟨GAP: exact display string⟩ — the lab's).
    AuthorizationExpired,
    /// `Not Applicable` (Using Policy, [N3550-MIG] [NX-ART] `show license usage`).
    NotApplicable,
    /// Anything else, verbatim.
    Other(String),
}

impl fmt::Display for Registration {
    /// The device's own words ([CAT-TS] [NX-TS] [ACI-SL]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Registration::Unregistered => "UNREGISTERED",
            Registration::Registering => "REGISTERING",
            Registration::Registered => "REGISTERED",
            Registration::RegistrationFailed => "REGISTRATION FAILED",
            Registration::Other(text) => text,
        })
    }
}

impl fmt::Display for Authorization {
    /// The device's own words ([CAT-TS] [NX-TS] [ACI-SL]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Authorization::EvalMode => "EVAL MODE",
            Authorization::EvalExpired => "EVAL EXPIRED",
            Authorization::Authorized => "AUTHORIZED",
            Authorization::OutOfCompliance => "OUT OF COMPLIANCE",
            Authorization::AuthorizationExpired => "AUTHORIZATION EXPIRED",
            Authorization::NotApplicable => "NOT APPLICABLE",
            Authorization::Other(text) => text,
        })
    }
}

/// One stack/HA member under `Trust Code Installed:` ([GENIEPARSER] forms 3 and 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrustMember {
    /// `Active`, `Standby` or `Member`.
    pub role: String,
    /// `PID:C9300-24UX,SN:FCW2303D16Y`
    pub udi: String,
    /// The `<ts>` of `INSTALLED on <ts>`; `None` when the member shows no such line.
    pub installed: Option<String>,
}

/// What a tool needs from `show license status` ([CAT-TS] [NX-TS], [GENIEPARSER]). Timestamps are the
/// device's text (`Jun 22 16:15:41 2022 UTC`: the time zone is an abbreviation, [CAT-TS] [NX-TS]);
/// the unset markers `<none>`, `<empty>`, `None` and `Not Configured` ([GENIEPARSER]) read as
/// `None`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LicensingStatus {
    /// `Smart Licensing Using Policy:` present → policy, else classic ([GENIEPARSER] [NTC-TEMPLATES]).
    pub model: LicensingModel,
    /// `Smart Licensing is ENABLED|DISABLED`, or the Using Policy section's `Status:`.
    pub enabled: Option<bool>,
    /// Classic only; Using Policy has no registration ([GENIEPARSER] [NTC-TEMPLATES] [RTR-CMD]).
    pub registration: Option<Registration>,
    /// Classic; `Not Applicable` where a Using Policy output prints the section.
    pub authorization: Option<Authorization>,
    /// The `<ts>` of `AUTHORIZED on <ts>`, `OUT OF COMPLIANCE on <ts>`, ….
    pub authorization_since: Option<String>,
    /// Using Policy prints `Smart Account: X As of <ts>`: this is X ([GENIEPARSER]).
    pub smart_account: Option<String>,
    pub virtual_account: Option<String>,
    /// The `<ts>` of `As of <ts>` (Using Policy).
    pub account_as_of: Option<String>,
    /// `Export-Controlled Functionality:` verbatim (`ALLOWED`, `Allowed`, `NotAllowed`, `Not Allowed`).
    pub export_controlled: Option<String>,
    /// `Initial Registration:` verbatim (`SUCCEEDED on <ts>`, `FAILED on <ts>`).
    pub initial_registration: Option<String>,
    /// `Last Renewal Attempt:` verbatim (`SUCCEEDED on <ts>`; `None` reads as `None`).
    pub last_renewal_attempt: Option<String>,
    pub next_registration_attempt: Option<String>,
    pub next_renewal_attempt: Option<String>,
    pub registration_expires: Option<String>,
    /// `Last Communication Attempt:` verbatim (`SUCCEEDED [on <ts>]`, `FAILED on <ts>`,
    /// `PENDING on <ts>`).
    pub last_communication_attempt: Option<String>,
    pub next_communication_attempt: Option<String>,
    pub communication_deadline: Option<String>,
    /// `65 days, 18 hours, 43 minutes, 0 seconds`
    pub evaluation_period_remaining: Option<String>,
    /// The last `Failure reason:` of the `Registration:` section, verbatim.
    pub registration_failure: Option<String>,
    /// The `Failure reason:` of the `License Authorization:` section, verbatim.
    pub communication_failure: Option<String>,
    /// The last failure reason the output prints (registration, then authorization
    /// order, as the device prints them), verbatim — may be JSON (docs/troubleshooting.md CAT-3).
    pub failure_reason: Option<String>,
    /// `Transport: Type:` (`Callhome`, `Smart`, `cslu`, `Transport Off`).
    pub transport_type: Option<String>,
    /// `Transport: URL:` (smart) or `Cslu address:` (cslu), when set.
    pub transport_url: Option<String>,
    /// `Trust Code Installed:` — the date (single device), or, for a stack, the first
    /// member's install date when every member shows one (smartlic's rule, from the [GENIEPARSER] captures).
    pub trust_code_installed: Option<String>,
    pub trust_members: Vec<TrustMember>,
    pub policy_in_use: Option<String>,
    pub policy_name: Option<String>,
    pub last_ack_received: Option<String>,
    pub next_ack_deadline: Option<String>,
    pub last_report_push: Option<String>,
    pub next_report_push: Option<String>,
}

impl LicensingStatus {
    /// Whether the device is where the intent's `expect` wants it (`crates/smartlic-core/src/intent/mod.rs`
    /// `Expect`: classic `REGISTERED|UNREGISTERED|ANY` × `AUTHORIZED|OUT_OF_COMPLIANCE|
    /// EVAL|ANY`; Using Policy `TRUSTED|ANY` × `ANY`). Unknown words never match.
    pub fn satisfies(&self, expect: &Expect) -> bool {
        self.mismatches(expect).is_empty()
    }

    /// Each value that differs from `expect`, named: `registration is UNREGISTERED,
    /// expected REGISTERED`, `virtual account is Lab-VA, expected Default`. Empty when the
    /// state meets `expect`.
    pub fn mismatches(&self, expect: &Expect) -> Vec<String> {
        let registration = match expect.registration.to_ascii_uppercase().as_str() {
            "ANY" => true,
            "REGISTERED" => self.registration == Some(Registration::Registered),
            "UNREGISTERED" => self.registration == Some(Registration::Unregistered),
            "TRUSTED" => self.trust_code_installed.is_some(),
            _ => false,
        };
        let authorization = match expect.authorization.to_ascii_uppercase().as_str() {
            "ANY" => true,
            "AUTHORIZED" => self.authorization == Some(Authorization::Authorized),
            "OUT_OF_COMPLIANCE" => self.authorization == Some(Authorization::OutOfCompliance),
            "EVAL" => self.authorization == Some(Authorization::EvalMode),
            _ => false,
        };
        let shown = |value: Option<String>| value.unwrap_or_else(|| "not shown".into());
        let mut wrong = Vec::new();
        if !registration {
            let actual = match self.model {
                LicensingModel::Policy => self.state_words(),
                LicensingModel::Classic => {
                    shown(self.registration.as_ref().map(ToString::to_string))
                }
            };
            wrong.push(format!(
                "registration is {actual}, expected {}",
                expect.registration
            ));
        }
        if !authorization {
            wrong.push(format!(
                "authorization is {}, expected {}",
                shown(self.authorization.as_ref().map(ToString::to_string)),
                expect.authorization
            ));
        }
        let accounts = [
            ("smart account", &expect.smart_account, &self.smart_account),
            (
                "virtual account",
                &expect.virtual_account,
                &self.virtual_account,
            ),
        ];
        for (what, wanted, actual) in accounts {
            if let Some(w) = wanted
                && !actual.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(w))
            {
                wrong.push(format!("{what} is {}, expected {w}", shown(actual.clone())));
            }
        }
        wrong
    }

    /// The state in the device's words: `REGISTERED / AUTHORIZED` (classic), `TRUSTED`
    /// or `no trust code` (Using Policy); `?` for a field the output lacked.
    pub fn state_words(&self) -> String {
        let word = |w: Option<String>| w.unwrap_or_else(|| "?".into());
        match self.model {
            LicensingModel::Policy if self.trust_code_installed.is_some() => "TRUSTED".into(),
            LicensingModel::Policy => "no trust code".into(),
            LicensingModel::Classic => format!(
                "{} / {}",
                word(self.registration.as_ref().map(ToString::to_string)),
                word(self.authorization.as_ref().map(ToString::to_string))
            ),
        }
    }

    /// Registered to the account and virtual account `expect` names (any, if unset).
    pub fn in_expected_account(&self, expect: &Expect) -> bool {
        let matches = |wanted: &Option<String>, actual: &Option<String>| match wanted {
            None => true,
            Some(w) => actual.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(w)),
        };
        matches(&expect.smart_account, &self.smart_account)
            && matches(&expect.virtual_account, &self.virtual_account)
    }
}

/// The output holds no licensing section: not a `show license status` (an error message,
/// another command's output, a truncated capture).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusParseError {
    pub platform: Platform,
    /// The sections looked for.
    pub expected: &'static str,
    /// The output's first meaningful line, to show what came instead.
    pub found: Option<String>,
}

/// The sections that identify a `show license status` (as the [GENIEPARSER] and [NTC-TEMPLATES] captures tell them apart).
pub const EXPECTED_SECTIONS: &str =
    "`Registration:`, `License Authorization:` or `Smart Licensing Using Policy:`";

impl fmt::Display for StatusParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} `show license status`: no {} section in the output",
            self.platform, self.expected
        )?;
        match &self.found {
            Some(line) => write!(f, " (it begins `{line}`)"),
            None => write!(f, " (it is empty)"),
        }
    }
}

impl std::error::Error for StatusParseError {}

/// Reads `show license status` (or `show license all` / `tech support`, which embed it)
/// as `platform` prints it.
pub fn parse_license_status(
    platform: Platform,
    text: &str,
) -> Result<LicensingStatus, StatusParseError> {
    match platform {
        Platform::IosXe => super::ios_xe::parse_license_status(text),
        Platform::NxOs => super::nx_os::parse_license_status(text),
        Platform::Apic => super::apic::parse_license_status(text),
    }
}

/// The software version `show version` prints (`17.09.04a`, `9.3(8)`, `5.2(4e)`), for
/// [`super::version::Version::parse`]; `None` when no version line is found.
pub fn parse_version(platform: Platform, text: &str) -> Option<String> {
    match platform {
        Platform::IosXe => super::ios_xe::parse_version(text),
        Platform::NxOs => super::nx_os::parse_version(text),
        Platform::Apic => super::apic::parse_version(text),
    }
}

// ------------------------------------------------------------------ line helpers

/// What a meaningful line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind<'a> {
    /// `Registration:` — a label with no value ([CAT-TS] [NX-TS]).
    Header,
    /// `Status: REGISTERED` — split at the first `: ` ([GENIEPARSER]).
    Field(&'a str),
    /// `Not Configured`, `INSTALLED on <ts>`, `Smart Licensing is ENABLED`.
    Bare,
}

/// One meaningful line of a sectioned show output, with the headers in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// The last unindented header ("" before the first one).
    pub section: &'a str,
    /// The last indented header within the section, while lines stay deeper than it.
    pub sub: Option<&'a str>,
    pub indent: usize,
    /// The label (header, field key) or the whole trimmed text (bare line).
    pub label: &'a str,
    pub kind: Kind<'a>,
}

/// A show output as lines with their sections. Noise real captures carry is dropped:
/// `Load for five secs`/`Time source is` ([GENIEPARSER] [NTC-TEMPLATES]), prompts and echoed
/// commands (corpus `iosxe/show-license-status/genieparser-2`), blank and whitespace-only
/// lines ([GENIEPARSER]), CR of CRLF (corpus genieparser-1), `=====` underlines ([GENIEPARSER]).
#[derive(Clone, Debug, Default)]
pub struct Sections<'a> {
    pub lines: Vec<Line<'a>>,
}

/// `host#`, `host>`, `host(config)#`, optionally followed by the command typed.
fn is_prompt(line: &str) -> bool {
    let mut chars = line.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphanumeric() => {}
        _ => return false,
    }
    let mut in_mode = false;
    for (_, c) in chars {
        match c {
            '#' | '>' if !in_mode => return true,
            '(' if !in_mode => in_mode = true,
            ')' if in_mode => in_mode = false,
            c if c.is_ascii_alphanumeric() || "_.-@/".contains(c) => {}
            _ => return false,
        }
    }
    false
}

fn is_noise(trimmed: &str) -> bool {
    trimmed.is_empty()
        || trimmed.starts_with("Load for five secs")
        || trimmed.starts_with("Time source is")
        || trimmed.starts_with("show ")
        || trimmed.chars().all(|c| c == '=')
        // The `^` under the offending word of an IOS/NX-OS error (corpus NOTES.md).
        || trimmed == "^"
        || is_prompt(trimmed)
}

impl<'a> Sections<'a> {
    pub fn parse(text: &'a str) -> Sections<'a> {
        let mut lines = Vec::new();
        let mut section = "";
        let mut sub: Option<(&str, usize)> = None;
        for raw in text.split('\n') {
            let line = raw.trim_end();
            let trimmed = line.trim_start();
            if is_noise(trimmed) {
                continue;
            }
            let indent = line.len() - trimmed.len();
            let (label, kind) = match trimmed.split_once(": ") {
                Some((key, value)) if !value.trim().is_empty() => {
                    (key.trim(), Kind::Field(value.trim()))
                }
                _ => match trimmed.strip_suffix(':') {
                    Some(label) if !label.contains(": ") => (label.trim(), Kind::Header),
                    _ => (trimmed, Kind::Bare),
                },
            };
            if sub.is_some_and(|(_, at)| indent <= at) {
                sub = None;
            }
            if kind == Kind::Header {
                if indent == 0 {
                    section = label;
                    sub = None;
                } else {
                    sub = Some((label, indent));
                }
            }
            // A dated `Trust Code Installed: <ts>` still heads its member lines (corpus
            // x-show-license-tech-support/genieparser-19; [GENIEPARSER] form 4 glued line).
            if indent == 0 && label.eq_ignore_ascii_case("Trust Code Installed") {
                section = label;
                sub = None;
            }
            lines.push(Line {
                section,
                sub: sub.map(|(s, _)| s),
                indent,
                label,
                kind,
            });
        }
        Sections { lines }
    }

    /// Whether an unindented header `name` (without its colon) is present.
    pub fn has_section(&self, name: &str) -> bool {
        self.lines
            .iter()
            .any(|l| l.kind == Kind::Header && l.indent == 0 && l.label.eq_ignore_ascii_case(name))
    }

    /// Every value of field `key` in section `section` (case-insensitive labels: the
    /// releases differ, `Failure reason`/`Failure Reason`, [GENIEPARSER]), in output order.
    pub fn values<'s>(
        &'s self,
        section: &'s str,
        key: &'s str,
    ) -> impl Iterator<Item = &'a str> + 's {
        self.lines.iter().filter_map(move |l| match l.kind {
            Kind::Field(v)
                if l.section.eq_ignore_ascii_case(section) && l.label.eq_ignore_ascii_case(key) =>
            {
                Some(v)
            }
            _ => None,
        })
    }

    /// The first value of `key` in `section`.
    pub fn first(&self, section: &str, key: &str) -> Option<&'a str> {
        self.values(section, key).next()
    }

    /// The first value of `key` in the first of `sections` that has it.
    pub fn first_of(&self, sections: &[&str], key: &str) -> Option<&'a str> {
        sections.iter().find_map(|s| self.first(s, key))
    }

    /// The lines of `section`, in order.
    pub fn in_section<'s>(&'s self, section: &'s str) -> impl Iterator<Item = &'s Line<'a>> + 's {
        self.lines
            .iter()
            .filter(move |l| l.section.eq_ignore_ascii_case(section))
    }

    /// The first meaningful line, for error messages.
    pub fn first_line(&self) -> Option<String> {
        self.lines.first().map(|l| match l.kind {
            Kind::Field(v) => format!("{}: {v}", l.label),
            Kind::Header => format!("{}:", l.label),
            Kind::Bare => l.label.to_string(),
        })
    }
}

/// `None` for the unset markers ([GENIEPARSER]: `<none>`, `<empty>`, `Not Configured`; the
/// classic `Last Renewal Attempt: None`, [NX-TS]).
pub fn set(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    let unset = value.is_empty()
        || ["<none>", "<empty>", "none", "not configured"]
            .iter()
            .any(|m| value.eq_ignore_ascii_case(m));
    (!unset).then(|| value.to_string())
}

/// `AUTHORIZED on Jun 22 16:15:44 2022 UTC` → (`AUTHORIZED`, `Jun 22 16:15:44 2022 UTC`).
pub fn split_on(value: &str) -> (&str, Option<&str>) {
    match value.split_once(" on ") {
        Some((state, at)) => (state.trim(), Some(at.trim())),
        None => (value.trim(), None),
    }
}

/// Uppercase with single spaces, for comparing state words.
fn normal(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

/// [CAT-TS] [NX-TS] registration values; anything else is kept verbatim.
pub fn registration(text: &str) -> Registration {
    match normal(text).as_str() {
        "UNREGISTERED" => Registration::Unregistered,
        "REGISTERED" => Registration::Registered,
        "REGISTERING" | "REGISTERING - REGISTRATION IN PROGRESS" => Registration::Registering,
        "UNREGISTERED - REGISTRATION FAILED" => Registration::RegistrationFailed,
        _ => Registration::Other(text.trim().to_string()),
    }
}

/// [CAT-TS] [NX-TS] authorization values (without ` on <ts>`); anything else is kept verbatim.
pub fn authorization(text: &str) -> Authorization {
    let (state, _) = split_on(text);
    match normal(state).as_str() {
        "EVAL MODE" => Authorization::EvalMode,
        "EVAL EXPIRED" | "EVAL EXPIRY" => Authorization::EvalExpired,
        "AUTHORIZED" => Authorization::Authorized,
        "OUT OF COMPLIANCE" => Authorization::OutOfCompliance,
        "AUTHORIZATION EXPIRED" => Authorization::AuthorizationExpired,
        "NOT APPLICABLE" => Authorization::NotApplicable,
        _ => Authorization::Other(text.trim().to_string()),
    }
}

// ------------------------------------------------------------------ the shared reader

const REGISTRATION: &str = "Registration";
const AUTHORIZATION: &str = "License Authorization";
const POLICY: &str = "Smart Licensing Using Policy";
const ACCOUNT: &str = "Account Information";
const TRANSPORT: &str = "Transport";
const USAGE_REPORTING: &str = "Usage Reporting";
const TRUST: &str = "Trust Code Installed";

/// The reader every platform uses (module docs); `platform` names the error.
pub fn read(platform: Platform, sections: &Sections) -> Result<LicensingStatus, StatusParseError> {
    let s = sections;
    // [GENIEPARSER] [NTC-TEMPLATES]: `Smart Licensing Using Policy:` → policy, `Registration:` → classic; a
    // classic fragment may start at `License Authorization:` (docs/troubleshooting.md CAT-5).
    let auth_text = s.first(AUTHORIZATION, "Status");
    // `License Authorization: Status: Not Applicable` alone is Using Policy ([N3550-MIG] [NX-ART]).
    let not_applicable = !s.has_section(REGISTRATION)
        && auth_text.is_some_and(|t| authorization(t) == Authorization::NotApplicable);
    let model = if s.has_section(POLICY) || not_applicable {
        LicensingModel::Policy
    } else if s.has_section(REGISTRATION) || s.has_section(AUTHORIZATION) {
        LicensingModel::Classic
    } else {
        return Err(StatusParseError {
            platform,
            expected: EXPECTED_SECTIONS,
            found: s.first_line(),
        });
    };
    let enabled = s
        .lines
        .iter()
        .find_map(|l| match (l.kind, l.label) {
            (Kind::Bare, text) if normal(text).starts_with("SMART LICENSING IS ") => {
                Some(normal(text).ends_with(" ENABLED"))
            }
            _ => None,
        })
        .or_else(|| s.first(POLICY, "Status").map(|v| normal(v) == "ENABLED"));

    // Account: `Registration:` (classic), `Account Information:` (SLP, and genie's name for
    // it), `Smart Account: X As of <ts>` ([GENIEPARSER]; ntc strips the suffix the same way).
    let (smart_account, account_as_of) =
        match set(s.first_of(&[REGISTRATION, ACCOUNT], "Smart Account")) {
            Some(v) => match v.rsplit_once(" As of ") {
                Some((name, at)) => (Some(name.trim().to_string()), Some(at.trim().to_string())),
                None => (Some(v), None),
            },
            None => (None, None),
        };
    let registration_failure = s.values(REGISTRATION, "Failure reason").last();
    let communication_failure = s.values(AUTHORIZATION, "Failure reason").last();
    let failure_reason = s
        .lines
        .iter()
        .filter(|l| {
            l.section.eq_ignore_ascii_case(REGISTRATION)
                || l.section.eq_ignore_ascii_case(AUTHORIZATION)
        })
        .filter(|l| l.label.eq_ignore_ascii_case("Failure reason"))
        .filter_map(|l| match l.kind {
            Kind::Field(v) => Some(v),
            _ => None,
        })
        .next_back();
    let transport_url =
        set(s.first(TRANSPORT, "URL")).or_else(|| set(s.first(TRANSPORT, "Cslu address")));
    let (trust_code_installed, trust_members) = trust(s);

    Ok(LicensingStatus {
        model,
        enabled,
        registration: s.first(REGISTRATION, "Status").map(registration),
        authorization: auth_text.map(authorization),
        authorization_since: auth_text.and_then(|t| split_on(t).1).map(str::to_string),
        smart_account,
        virtual_account: set(s.first_of(&[REGISTRATION, ACCOUNT], "Virtual Account")),
        account_as_of,
        export_controlled: set(s.first(REGISTRATION, "Export-Controlled Functionality")),
        initial_registration: set(s.first(REGISTRATION, "Initial Registration")),
        last_renewal_attempt: set(s.first(REGISTRATION, "Last Renewal Attempt")),
        next_registration_attempt: set(s.first(REGISTRATION, "Next Registration Attempt")),
        next_renewal_attempt: set(s.first(REGISTRATION, "Next Renewal Attempt")),
        registration_expires: set(s.first(REGISTRATION, "Registration Expires")),
        last_communication_attempt: set(s.first(AUTHORIZATION, "Last Communication Attempt")),
        next_communication_attempt: set(s.first(AUTHORIZATION, "Next Communication Attempt")),
        communication_deadline: set(s.first(AUTHORIZATION, "Communication Deadline")),
        evaluation_period_remaining: set(s.first_of(
            &[AUTHORIZATION, REGISTRATION],
            "Evaluation Period Remaining",
        )),
        registration_failure: set(registration_failure),
        communication_failure: set(communication_failure),
        failure_reason: set(failure_reason),
        transport_type: set(s.first(TRANSPORT, "Type")),
        transport_url,
        trust_code_installed,
        trust_members,
        // `Policy:`, or `PolicyV2:` on 17.18+ (corpus NOTES.md, tech-support genieparser-19).
        policy_in_use: set(s.first_of(&["Policy", "PolicyV2"], "Policy in use")),
        policy_name: set(s.first_of(&["Policy", "PolicyV2"], "Policy name")),
        last_ack_received: set(s.first(USAGE_REPORTING, "Last ACK received")),
        next_ack_deadline: set(s.first(USAGE_REPORTING, "Next ACK deadline")),
        last_report_push: set(s.first(USAGE_REPORTING, "Last report push")),
        next_report_push: set(s.first(USAGE_REPORTING, "Next report push")),
    })
}

/// `Trust Code Installed:` in its four forms ([GENIEPARSER]): `<none>`; a date; member blocks
/// `Active: PID:…,SN:…` + `INSTALLED on <ts>`; and the newer agent's layout, whose first
/// line may be glued to `Trust Code Type: CSSM` and whose `INSTALLED on <ts>` may be
/// followed on the same line by `Valid on <ts>` after a run of blanks.
fn trust(s: &Sections) -> (Option<String>, Vec<TrustMember>) {
    let mut head = None;
    let mut members: Vec<TrustMember> = Vec::new();
    for line in s.in_section(TRUST) {
        match line.kind {
            Kind::Field(v)
                if line.indent == 0
                    && line.label.eq_ignore_ascii_case(TRUST)
                    && !v.starts_with("Trust Code Type")
                    && head.is_none() =>
            {
                head = set(Some(v));
            }
            Kind::Field(v) if ["Active", "Standby", "Member"].contains(&line.label) => {
                members.push(TrustMember {
                    role: line.label.to_string(),
                    udi: v.to_string(),
                    installed: None,
                });
            }
            Kind::Bare => {
                if let (Some(at), Some(member)) =
                    (line.label.strip_prefix("INSTALLED on "), members.last_mut())
                    && member.installed.is_none()
                {
                    let at = at.split("  ").next().unwrap_or(at).trim();
                    member.installed = Some(at.to_string());
                }
            }
            _ => {}
        }
    }
    let installed = head.or_else(|| {
        let all = !members.is_empty() && members.iter().all(|m| m.installed.is_some());
        all.then(|| members[0].installed.clone()).flatten()
    });
    (installed, members)
}

// The reader is also tested against the lab's own outputs, where the lab is at hand:
// smartlic's `src/status_against_lab.rs`.

#[cfg(test)]
mod tests {
    use super::*;

    /// Every real capture of a sectioned licensing output (tests/fixtures/corpus).
    fn captures() -> Vec<(String, String)> {
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/corpus");
        let mut out = Vec::new();
        for dir in [
            "iosxe/show-license-status",
            "iosxe/show-license-all",
            "iosxe/x-show-license-tech-support",
            "nxos/show-license-status",
            "nxos/show-license-summary",
        ] {
            let entries = std::fs::read_dir(format!("{corpus}/{dir}")).unwrap();
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "txt") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path.display().to_string(), text));
                }
            }
        }
        out
    }

    /// A web page's rendering of an output ([NX-TS]): every line flush left, a blank line
    /// after each.
    fn flattened(text: &str) -> String {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("{}\n\n", l.trim()))
            .collect()
    }

    #[test]
    fn the_flattened_rendering_of_every_capture_reads_as_the_capture() {
        let mut read = 0;
        for (file, text) in captures() {
            let platform = if file.contains("/nxos/") {
                Platform::NxOs
            } else {
                Platform::IosXe
            };
            let Ok(real) = parse_license_status(platform, &text) else {
                // The Using Policy NX-OS summary is a table alone (no status section).
                assert!(file.ends_with("cisco-n3550t-slp-1.txt"), "{file}");
                continue;
            };
            let flat = parse_license_status(platform, &flattened(&text))
                .unwrap_or_else(|e| panic!("{file} flattened: {e}"));
            assert_eq!(flat, real, "{file}");
            read += 1;
        }
        assert!(read >= 34, "{read} captures");
    }
}
