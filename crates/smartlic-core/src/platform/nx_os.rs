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

/// `show license status` on NX-OS: classic prints every line flush left ([NX-TS]), so
/// only the headers (`Registration:`, `License Authorization:`, `Smart License
/// Conversion:`) tell the three `Status:` lines apart ([CAT-TS] [NX-TS]). No NX-OS Using Policy
/// `show license status` was found ([N3550-MIG] [NX-ART] ⟨UNVERIFIED⟩): it is read with the IOS-XE
/// grammar, as the lab prints it. Shared: [`super::status::read`].
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
