//! Driver facts for nx_os (config dialect; more arrives with the SSH driver).
//!
//! Every fact below cites where it comes from: the spec (`SPEC.md`), the corpus, or a
//! public source found with the search tools.

use crate::config::dialect::{Dialect, MultiValue};

/// How NX-OS writes its configuration, for parsing and diffing.
pub const DIALECT: Dialect = Dialect {
    name: "nx-os",
    // Two spaces per level (corpus/nxos/show-running-config-callhome/napalm-derived-1.txt;
    // the canonical block of SPEC §2.4.1).
    indent: 2,
    // `!Command:`, `!Time:`, `!Running configuration last done at:` (SPEC §2.4.1) and
    // `!#destination-profile … message-level 0` default markers inside callhome (corpus).
    comment_prefixes: &["!"],
    // `version 9.3(4) Bios:version 07.67` heads every sample (SPEC §2.4.1–§2.4.3).
    top_level_noise: &["version", "end"],
    // smartlic owns callhome (SPEC §2.4.1; DESIGN.md "Diff semantics").
    managed_roots: &["callhome"],
    single_valued: &[
        // One contact e-mail, one call-home VRF (SPEC §2.4.1 line meanings, §2.4.5).
        "email-contact",
        "transport http use-vrf",
    ],
    // Global lines shown together in a plan: DNS (`ip domain-lookup`, `ip name-server
    // [addr] use-vrf <vrf>`, `ip host`: Cisco NX-API REST guide "Configuring DNS") and
    // NTP (`ntp server 10.28.13.90 prefer`, SLP §2.5).
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
    // added as `destination-profile CiscoTAC-1 http <url>` (SPEC §2.4.1 note, §7.2 NX-2):
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
