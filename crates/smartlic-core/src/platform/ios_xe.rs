//! Driver facts for ios_xe (config dialect; more arrives with the SSH driver).
//!
//! Every fact below cites where it comes from: a Cisco document or public code listed in
//! docs/sources.md (`[CAT-TS]`, `[RTR-CMD]`, …), public running configs (docs/platform-notes.md),
//! or the captures of public parsers' test data ("corpus").

use std::sync::OnceLock;

use super::cli::{Answer, CliProfile, Enable, Question};
use crate::config::dialect::{Dialect, HiddenDefault, MultiValue, Synonym, no_rewrite};

/// The CSSM call-home URL, default of profile CiscoTAC-1 ([CAT-TS]).
pub const CISCO_TAC_DESTINATION: &str =
    "destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService";

/// Words that make a planned line risky (see `Platform::risky_line`): call-home `vrf`,
/// `source-interface`, `http-proxy`; `ip http client source-interface`, `ip domain lookup
/// [vrf V] source-interface`, `ip name-server vrf`, `ntp server vrf`, `license smart vrf`
/// (`license smart proxy …` is matched by its prefix).
pub const RISKY_KEYWORDS: &[&str] = &["vrf", "source-interface", "http-proxy"];

/// The `path` of the config archive, which `configure terminal revert timer` needs
/// (Cisco, "Configuration Rollback Confirmed Change": "You must configure a configuration
/// archive before performing this procedure"; docs/platform-notes.md "Safety net").
pub fn archive_path(running: &crate::config::Tree) -> Option<String> {
    running
        .lines
        .iter()
        .filter(|l| l.text.split_whitespace().eq(["archive"]))
        .flat_map(|l| l.children.iter())
        .find_map(|c| {
            let mut words = c.text.split_whitespace();
            (words.next() == Some("path")).then(|| words.collect::<Vec<_>>().join(" "))
        })
        .filter(|p| !p.is_empty())
}

/// How IOS-XE writes its configuration, for parsing and diffing.
pub const DIALECT: Dialect = Dialect {
    name: "ios-xe",
    // `show running-config` indents one space per level (the real call-home block, docs/platform-notes.md).
    indent: 1,
    // `!` lines are separators and comments, also inside blocks: call-home prints
    // ` ! If contact email address in call-home is configured as …` (real configs, docs/platform-notes.md).
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
    // smartlic owns call-home (README "What a plan owns"; [CAT-TS]).
    managed_roots: &["call-home"],
    single_valued: &[
        // One contact per call-home: the auto-generated block carries exactly one
        // (real configs, docs/platform-notes.md), and the brief lists it as single-valued.
        "contact-email-addr",
        // `no ip http client source-interface` takes no argument (genielibs, [RTR-CMD] [CUBE]).
        "ip http client source-interface",
        // One revocation setting per trustpoint; `revocation-check crl none` lists
        // methods on one line ([CAT-TS]; [RTR-CMD] [CUBE]).
        "revocation-check",
        // `no license smart … transport | url … | proxy … | vrf …` ([RTR-CMD]): one
        // transport type, one URL per kind, one proxy address and port, one VRF
        // ([RTR-CMD] [CUBE]; `no license smart url cslu` takes no URL, [GENIELIBS]).
        "license smart transport",
        "license smart url smart",
        "license smart url cslu",
        "license smart proxy address",
        "license smart proxy port",
        "license smart vrf",
    ],
    // Global lines shown together in a plan ([CAT-TS]; [RTR-CMD];
    // global lines of real configs, docs/platform-notes.md). Host entries and trustpoints group per name.
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
        // `show running-config all` does (real configs, docs/platform-notes.md; [CAT-TS]). A configured
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
        // The HTTPS server identity check is on by default ([CAT-TS]); its `no` form
        // is printed under call-home (real configs, docs/platform-notes.md; public configs and genielibs
        // `configure_call_home_profile` put it there).
        HiddenDefault {
            scope: &["call-home"],
            line: "http secure server-identity-check",
            overridden_by: &["no http secure server-identity-check"],
        },
    ],
    // [CAT-TS] writes `ip domain-lookup`, real configs print
    // `ip domain lookup …` (real configs, docs/platform-notes.md; Ansible cisco.ios ios_system parses
    // `ip domain lookup (vrf …) source-interface …`).
    synonyms: &[Synonym {
        from: "ip domain-lookup",
        to: "ip domain lookup",
    }],
    // `ip name-server [vrf V] A B …` holds several servers on one line ([CAT-TS];
    // [RTR-CMD] [CUBE] `ip name-server 10.0.0.1 10.0.0.10`; Ansible ios_system splits the
    // values); `no ip name-server [vrf V] A` removes one.
    multi_value: &[MultiValue {
        prefix: "ip name-server",
        option_keywords: &["vrf"],
    }],
    compare_rewrite: no_rewrite,
    add_rewrite: no_rewrite,
};

/// The IOS-XE CLI as a session sees it. Prompts `host>`, `host#`, `host(config…)#`; errors
/// as the lab and real transcripts print them (docs/platform-notes.md); the save and
/// `crypto pki authenticate` questions of [CAT-TS]; `[confirm]` accepted with Enter.
pub static CLI: CliProfile = CliProfile {
    prompt: r"^[A-Za-z0-9][\w.\-@/:]*(\([\w.\-]+\))?[>#] ?$",
    setup: &["terminal length 0", "terminal width 0"],
    more: "--More--",
    errors: &[
        "% Invalid input detected",
        "% Incomplete command",
        "% Ambiguous command",
        "Command authorization failed",
        "% Error",
        // Rollback Confirmed Change refusals (docs/platform-notes.md "Safety net").
        "%Turn config archive on",
        "%No Rollback Confirmed Change pending",
    ],
    enable: Some(Enable {
        command: "enable",
        secret_prompt: "Password:",
        // [IOS-SEC-CLI] (docs/sources.md): a vty user without an enable secret on the
        // device cannot reach privileged exec.
        no_secret_set: "% No password set",
    }),
    questions: &[
        Question {
            pattern: "Destination filename [startup-config]?",
            answer: Answer::Default,
        },
        Question {
            pattern: "[confirm]",
            answer: Answer::Default,
        },
        Question {
            pattern: "End with a blank line or the word \"quit\" on a line by itself",
            answer: Answer::Paste,
        },
        Question {
            pattern: "% Do you accept this certificate? [yes/no]:",
            answer: Answer::Yes,
        },
    ],
    compiled: OnceLock::new(),
};

/// `show license status` on IOS-XE: indented two blanks per level, both models ([GENIEPARSER] [NTC-TEMPLATES];
/// corpus `iosxe/show-license-status`). A flush-left `Virtual Account:` line inside
/// `Registration:` (corpus `iosxe/show-license-all/genieparser-3`) stays in its section,
/// as only headers open sections. The grammar is shared: [`super::status::read`].
pub fn parse_license_status(
    text: &str,
) -> Result<super::status::LicensingStatus, super::status::StatusParseError> {
    use super::status::{Sections, read};
    read(super::Platform::IosXe, &Sections::parse(text))
}

/// The release in `show version`: `Cisco IOS XE Software, Version 17.03.03 - SMU-PATCHED`
/// gives `17.03.03`; when that value is a build label (`BLD_POLARIS_DEV_LATEST_…`), the
/// `Cisco IOS Software […], …, Version 17.5.1a, RELEASE SOFTWARE` or `… Experimental
/// Version 17.13.20230512:105008` line is used instead ([GENIEPARSER], genieparser ShowVersion
/// fixtures). 16.x prints both lines too (`Version 16.12.5`). The first value that
/// [`super::version::Version::parse`] reads wins; else the first one found.
pub fn parse_version(text: &str) -> Option<String> {
    let mut found: Vec<&str> = Vec::new();
    // XE lines first: they are the release (`17.09.04a`), the IOS line its short form.
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Cisco IOS XE Software, Version ") {
            found.extend(first_word(rest));
        }
    }
    for line in text.lines().map(str::trim) {
        if line.starts_with("Cisco IOS Software")
            && let Some((_, rest)) = line.split_once("Version ")
        {
            found.extend(first_word(rest));
        }
    }
    found
        .iter()
        .find(|v| super::version::Version::parse(v).is_some())
        .or(found.first())
        .map(|v| v.to_string())
}

/// `17.5.1a, RELEASE SOFTWARE` → `17.5.1a`.
fn first_word(text: &str) -> Option<&str> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .find(|w| !w.is_empty())
}
