//! Driver facts for nx_os (config dialect; more arrives with the SSH driver).
//!
//! Every fact below cites where it comes from: a document listed in docs/sources.md, the
//! captures of public parsers' test data ("corpus"), or a
//! public source found with the search tools.

use std::sync::OnceLock;

use super::cli::CliProfile;
use crate::config::dialect::{Dialect, MultiValue};

/// How NX-OS writes its configuration, for parsing and diffing.
pub const DIALECT: Dialect = Dialect {
    name: "nx-os",
    // Two spaces per level (corpus/nxos/show-running-config-callhome/napalm-derived-1.txt;
    // the canonical block of [NX-TS]).
    indent: 2,
    // `!Command:`, `!Time:`, `!Running configuration last done at:` ([NX-TS]) and
    // `!#destination-profile … message-level 0` default markers inside callhome (corpus).
    comment_prefixes: &["!"],
    // `version 9.3(4) Bios:version 07.67` heads every sample ([NX-TS]).
    top_level_noise: &["version", "end"],
    // smartlic owns callhome ([NX-TS]; README "What a plan owns").
    managed_roots: &["callhome"],
    single_valued: &[
        // One contact e-mail, one call-home VRF ([NX-TS]: the meaning of each line).
        "email-contact",
        "transport http use-vrf",
    ],
    // Global lines shown together in a plan: DNS (`ip domain-lookup`, `ip name-server
    // [addr] use-vrf <vrf>`, `ip host`: Cisco NX-API REST guide "Configuring DNS") and
    // NTP (`ntp server 10.28.13.90 prefer`, [NX-UG]).
    families: &[
        "ip name-server",
        "ip domain-lookup",
        "ip host {name}",
        "ntp server",
    ],
    // No unprinted default is sourced for NX-OS: defaults show as `!#` lines (corpus).
    hidden_defaults: &[],
    synonyms: &[],
    // `ip name-server A B use-vrf V` holds several servers (Ansible nxos_system
    // `parse_name_servers` skips `use-vrf <vrf>`); `ip name-server A` adds one and
    // `no ip name-server A` removes one (Ansible nxos_system integration tests).
    multi_value: &[MultiValue {
        prefix: "ip name-server",
        option_keywords: &["use-vrf"],
    }],
    // The URL shows as `destination-profile CiscoTAC-1 index 1 http <url>` but is
    // added as `destination-profile CiscoTAC-1 http <url>` ([NX-TS]; docs/troubleshooting.md NX-2):
    // compare without the index, type the add form, remove the shown form verbatim.
    compare_rewrite: without_destination_index,
    add_rewrite: without_destination_index,
};

/// `destination-profile <name> index <n> http <url>` → `destination-profile <name> http
/// <url>`; `None` for any other line.
pub fn without_destination_index(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (negation, body) = match words.first() {
        Some(&"no") => ("no ", &words[1..]),
        _ => ("", &words[..]),
    };
    match body {
        ["destination-profile", name, "index", _, rest @ ..] if rest.first() == Some(&"http") => {
            Some(format!(
                "{negation}destination-profile {name} {}",
                rest.join(" ")
            ))
        }
        _ => None,
    }
}

/// Words that make a planned line risky (see `Platform::risky_line`): `transport http
/// use-vrf`, `use-vrf` on name servers and NTP, `vrf` on `ip http source-interface`,
/// `source-interface`, and the `transport http proxy …` lines.
pub const RISKY_KEYWORDS: &[&str] = &["use-vrf", "vrf", "source-interface", "proxy"];

/// The NX-OS CLI as a session sees it: `switch# `, `switch(config-callhome)# `; errors
/// `% Invalid command at '^' marker.` and its Incomplete/Ambiguous kin (the lab's NX-OS
/// personality, docs/platform-notes.md). NX-OS saves without a question.
pub static CLI: CliProfile = CliProfile {
    prompt: r"^[A-Za-z0-9][\w.\-@/:]*(\([\w.\-]+\))?[>#] ?$",
    setup: &["terminal length 0", "terminal width 511"],
    more: "--More--",
    errors: &[
        "% Invalid command",
        "% Incomplete command",
        "% Ambiguous command",
        "% Invalid parameter",
    ],
    enable: None,
    questions: &[],
    compiled: OnceLock::new(),
};

/// `show license status` on NX-OS. The device indents its fields by two spaces and
/// separates the sections with blank lines, as IOS-XE does (Cisco's N9K `show license
/// summary`, tests/fixtures/corpus/nxos/show-license-summary/cisco-n9k-migration-1.txt);
/// Cisco's web pages render the same output flush left, sometimes with a blank line after
/// every line ([NX-TS], tests/fixtures/corpus/nxos/show-license-status/cisco-tn217965-rendered-1.txt),
/// and text pasted from them reads the same: only the unindented headers
/// (`Registration:`, `License Authorization:`, `Smart License Conversion:`) tell the three
/// `Status:` lines apart, and blank lines are skipped ([CAT-TS] [NX-TS]). No NX-OS Using
/// Policy `show license status` was found ([N3550-MIG] [NX-ART] ⟨UNVERIFIED⟩): it is read
/// with the IOS-XE grammar, as the lab prints it. Shared: [`super::status::read`].
pub fn parse_license_status(
    text: &str,
) -> Result<super::status::LicensingStatus, super::status::StatusParseError> {
    use super::status::{Sections, read};
    read(super::Platform::NxOs, &Sections::parse(text))
}

/// The release in `show version`: `NXOS: version 10.2(3) [Feature Release]` (9.3+ and
/// 10.x), else `system:    version 7.0(3)I7(1)` (older releases) — [GENIEPARSER], genieparser
/// `nxos/tests/ShowVersion` fixtures. `Host NXOS:` and `BIOS:` lines are not the release.
pub fn parse_version(text: &str) -> Option<String> {
    let after = |label: &str| {
        text.lines().find_map(|line| {
            let rest = line.trim().strip_prefix(label)?.trim_start();
            let rest = rest.strip_prefix("version")?;
            rest.split_whitespace().next().map(str::to_string)
        })
    };
    after("NXOS:").or_else(|| after("system:"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::status::{Authorization, Registration};

    /// Cisco documentation samples (tests/fixtures/corpus/PROVENANCE.md, "NX-OS samples").
    fn fixture(path: &str) -> String {
        let file = format!(
            "{}/../../tests/fixtures/corpus/nxos/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    #[test]
    fn reads_the_flattened_rendering_of_nx_ts() {
        // Flush left, a blank line after every line, the prompt line on top.
        let text = fixture("show-license-status/cisco-tn217965-rendered-1.txt");
        assert!(text.lines().all(|l| !l.starts_with(' ')));
        let s = parse_license_status(&text).unwrap();
        assert_eq!(s.model, crate::platform::LicensingModel::Classic);
        assert_eq!(s.enabled, Some(true));
        assert_eq!(s.registration, Some(Registration::Registered));
        assert_eq!(s.smart_account.as_deref(), Some("ldap_user_test"));
        assert_eq!(s.virtual_account.as_deref(), Some("Default"));
        assert_eq!(s.export_controlled.as_deref(), Some("Allowed"));
        assert_eq!(
            s.initial_registration.as_deref(),
            Some("SUCCEEDED on Jun 22 16:15:41 2022 UTC")
        );
        assert_eq!(s.last_renewal_attempt, None);
        assert_eq!(
            s.next_renewal_attempt.as_deref(),
            Some("Dec 19 16:15:41 2022 UTC")
        );
        assert_eq!(
            s.registration_expires.as_deref(),
            Some("Jun 22 16:13:53 2023 UTC")
        );
        // The conversion block's `Status: Not started` is not the authorization's.
        assert_eq!(s.authorization, Some(Authorization::Authorized));
        assert_eq!(
            s.authorization_since.as_deref(),
            Some("Jun 22 16:15:44 2022 UTC")
        );
        assert_eq!(
            s.last_communication_attempt.as_deref(),
            Some("SUCCEEDED on Jun 22 16:15:44 2022 UTC")
        );
        assert_eq!(
            s.next_communication_attempt.as_deref(),
            Some("Jul 22 16:15:43 2022 UTC")
        );
        assert_eq!(
            s.communication_deadline.as_deref(),
            Some("Sep 20 16:12:55 2022 UTC")
        );
    }

    #[test]
    fn reads_the_real_indented_layout_of_the_n9k_capture() {
        let text = fixture("show-license-summary/cisco-n9k-migration-1.txt");
        assert!(text.contains("\n  Status: REGISTERED\n"));
        let s = parse_license_status(&text).unwrap();
        assert_eq!(s.registration, Some(Registration::Registered));
        assert_eq!(s.smart_account.as_deref(), Some("BU Production Test 1"));
        assert_eq!(s.virtual_account.as_deref(), Some("N9K_SA_49_Testing"));
        assert_eq!(s.export_controlled.as_deref(), Some("Allowed"));
        assert_eq!(s.authorization, Some(Authorization::Authorized));
        assert_eq!(
            s.authorization_since.as_deref(),
            Some("Jul 16 14:26:01 2021 UTC")
        );
        // After the blank line inside `License Authorization:`, still that section.
        assert_eq!(s.last_communication_attempt.as_deref(), Some("SUCCEEDED"));
        assert_eq!(
            s.communication_deadline.as_deref(),
            Some("Oct 14 14:20:59 2021 UTC")
        );
    }

    #[test]
    fn both_layouts_of_one_output_read_the_same() {
        // The N9K capture flattened as the web renders [NX-TS]: no indentation, a blank
        // line after every line.
        let real = fixture("show-license-summary/cisco-n9k-migration-1.txt");
        let flat: String = real
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("{}\n\n", l.trim()))
            .collect();
        assert_ne!(real, flat);
        assert_eq!(
            parse_license_status(&real).unwrap(),
            parse_license_status(&flat).unwrap()
        );
    }

    #[test]
    fn a_usage_table_alone_is_not_a_status() {
        // The Using Policy summary has no status section (the Nexus 3550-T capture).
        let text = fixture("show-license-summary/cisco-n3550t-slp-1.txt");
        let e = parse_license_status(&text).unwrap_err();
        assert_eq!(e.found.as_deref(), Some("License Usage:"));
    }

    #[test]
    fn destination_index_is_dropped_from_the_url_line_only() {
        assert_eq!(
            without_destination_index(
                "destination-profile CiscoTAC-1 index 1 http https://tools.cisco.com/x"
            )
            .as_deref(),
            Some("destination-profile CiscoTAC-1 http https://tools.cisco.com/x")
        );
        assert_eq!(
            without_destination_index("no destination-profile CiscoTAC-1 index 2 http http://a")
                .as_deref(),
            Some("no destination-profile CiscoTAC-1 http http://a")
        );
        assert_eq!(
            without_destination_index("destination-profile CiscoTAC-1 transport-method http"),
            None
        );
    }

    #[test]
    fn shown_and_added_url_forms_compare_equal() {
        assert_eq!(
            DIALECT.canonical("destination-profile CiscoTAC-1 index 1 http https://a"),
            DIALECT.canonical("destination-profile CiscoTAC-1 http https://a")
        );
    }
}
