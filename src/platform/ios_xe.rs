//! Driver facts for ios_xe (config dialect; more arrives with the SSH driver).
//!
//! Every fact below cites where it comes from: the spec (`SPEC.md`, `SLP.md`), the notes
//! (`notes/DEVICE-FACTS.md`), the corpus, or a public source found with the search tools.

use crate::config::dialect::{Dialect, HiddenDefault, MultiValue, Synonym, no_rewrite};

/// The CSSM call-home URL, default of profile CiscoTAC-1 (SPEC §2.2, §2.3.1).
pub const CISCO_TAC_DESTINATION: &str =
    "destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService";

/// How IOS-XE writes its configuration, for parsing and diffing.
pub const DIALECT: Dialect = Dialect {
    name: "ios-xe",
    // `show running-config` indents one space per level (DEVICE-FACTS call-home block).
    indent: 1,
    // `!` lines are separators and comments, also inside blocks: call-home prints
    // ` ! If contact email address in call-home is configured as …` (DEVICE-FACTS).
    comment_prefixes: &["!"],
    // Header and trailer of `show running-config` (corpus/NOTES.md; a public full
    // config: `Building configuration...`, `Current configuration : 1599 bytes`,
    // `version 12.4`, ..., `end`).
    top_level_noise: &[
        "Building configuration...",
        "Current configuration :",
        "version",
        "end",
    ],
    // smartlic owns call-home (DESIGN.md "Diff semantics"; SPEC §2.3.6).
    managed_roots: &["call-home"],
    single_valued: &[
        // One contact per call-home: the auto-generated block carries exactly one
        // (DEVICE-FACTS), and the brief lists it as single-valued.
        "contact-email-addr",
        // `no ip http client source-interface` takes no argument (genielibs, SLP §2.2.6).
        "ip http client source-interface",
        // One revocation setting per trustpoint; `revocation-check crl none` lists
        // methods on one line (SPEC §3.1, §3.2; SLP §2.2.6).
        "revocation-check",
        // `no license smart … transport | url … | proxy … | vrf …` (SLP §2.1): one
        // transport type, one URL per kind, one proxy address and port, one VRF
        // (SLP §2.2.1–§2.2.6; `no license smart url cslu` takes no URL, §2.2.3).
        "license smart transport",
        "license smart url smart",
        "license smart url cslu",
        "license smart proxy address",
        "license smart proxy port",
        "license smart vrf",
    ],
    // Global lines shown together in a plan (SPEC §2.3.3, §2.3.6, §3.1; SLP §2.4;
    // DEVICE-FACTS global lines). Host entries and trustpoints group per name.
    families: &[
        "service call-home",
        "ip name-server",
        "ip host {name}",
        "ip domain lookup",
        "ip http client",
        "ntp server",
        "crypto pki trustpoint {name}",
        "license smart",
    ],
    hidden_defaults: &[
        // `show running-config` does not print the CiscoTAC-1 destination address;
        // `show running-config all` does (DEVICE-FACTS; SPEC §6.1.4). A configured
        // address, or the printed `no destination address http …DDCEService` seen in a
        // public C9K config (search index id 66528282587), overrides it.
        HiddenDefault {
            scope: &["call-home", "profile CiscoTAC-1"],
            line: CISCO_TAC_DESTINATION,
            overridden_by: &["destination address http", "no destination address http"],
        },
        // DNS lookup is enabled by default; only `no ip domain-lookup` is printed
        // (Cisco IOS in a Nutshell, `ip domain-lookup`: "Default: Enabled").
        HiddenDefault {
            scope: &[],
            line: "ip domain lookup",
            overridden_by: &["no ip domain lookup"],
        },
        // The HTTPS server identity check is on by default (SPEC §3.4); its `no` form
        // is printed under call-home (DEVICE-FACTS; public configs and genielibs
        // `configure_call_home_profile` put it there).
        HiddenDefault {
            scope: &["call-home"],
            line: "http secure server-identity-check",
            overridden_by: &["no http secure server-identity-check"],
        },
    ],
    // The spec writes `ip domain-lookup` (SPEC §2.3.3), real configs print
    // `ip domain lookup …` (DEVICE-FACTS; Ansible cisco.ios ios_system parses
    // `ip domain lookup (vrf …) source-interface …`).
    synonyms: &[Synonym {
        from: "ip domain-lookup",
        to: "ip domain lookup",
    }],
    // `ip name-server [vrf V] A B …` holds several servers on one line (SPEC §2.3.3;
    // SLP §2.2.6 `ip name-server 10.0.0.1 10.0.0.10`; Ansible ios_system splits the
    // values); `no ip name-server [vrf V] A` removes one.
    multi_value: &[MultiValue {
        prefix: "ip name-server",
        option_keywords: &["vrf"],
    }],
    compare_rewrite: no_rewrite,
    add_rewrite: no_rewrite,
};
