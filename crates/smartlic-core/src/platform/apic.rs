//! Driver facts for apic (config dialect; more arrives with the SSH driver).
//!
//! Every fact below cites where it comes from ([ACI-SL]). APIC's
//! smart licensing config is flat: global `license smart …` lines, no managed block.

use std::sync::OnceLock;

use super::cli::CliProfile;
use crate::config::dialect::{Dialect, no_rewrite};

/// How the APIC NX-OS style CLI writes its licensing configuration.
pub const DIALECT: Dialect = Dialect {
    name: "apic",
    // The APIC CLI is "NX-OS style" ([ACI-SL]); the licensing lines are all
    // top-level, so the width only matters for rendering nested text.
    indent: 2,
    // Not verified for APIC: the NX-OS style `!` comments. No APIC running-config
    // capture was found (corpus/NOTES.md "ACI / APIC": nothing found).
    // `#` too: the lab's APIC personality prints a `# Command:` / `# Time:` header (also
    // unverified), and no APIC licensing config line starts with `#`.
    comment_prefixes: &["!", "#"],
    top_level_noise: &["version", "end"],
    managed_roots: &[],
    // One transport setting at a time: `license smart transport-mode smart-licensing |
    // satellite url U | proxy ip-address A port P` ([ACI-SL]).
    single_valued: &["license smart transport-mode"],
    // "All the configuration commands start with license smart" ([ACI-SL]).
    families: &["license smart"],
    hidden_defaults: &[],
    synonyms: &[],
    multi_value: &[],
    compare_rewrite: no_rewrite,
    add_rewrite: no_rewrite,
};

/// APIC has no safety net smartlic knows, so no line is singled out.
pub const RISKY_KEYWORDS: &[&str] = &[];

/// The APIC CLI as a session sees it: NX-OS-style prompts and errors ([ACI-SL]).
pub static CLI: CliProfile = CliProfile {
    prompt: r"^[A-Za-z0-9][\w.\-@/:]*(\([\w.\-]+\))?[>#] ?$",
    setup: &["terminal length 0"],
    more: "--More--",
    errors: &[
        "% Invalid command",
        "% Incomplete command",
        "% Ambiguous command",
        "Error:",
    ],
    enable: None,
    questions: &[],
    compiled: OnceLock::new(),
};

/// `show license status` on APIC. No APIC output was found ([ACI-SL] ⟨GAP⟩; corpus
/// NOTES.md "ACI / APIC": nothing): the NX-OS-style classic layout the lab prints is read
/// with the shared grammar, [`super::status::read`]. ⟨UNVERIFIED against a real APIC⟩
pub fn parse_license_status(
    text: &str,
) -> Result<super::status::LicensingStatus, super::status::StatusParseError> {
    use super::status::{Sections, read};
    read(super::Platform::Apic, &Sections::parse(text))
}

/// The controller's release in APIC `show version`: the `Role Pod Node Name Version`
/// table, first `controller` row, last column (`5.1(2e)`); switch rows carry
/// `n9000-15.1(2e)` and are skipped (genieparser `apic/show_platform.py` ShowVersion and
/// its genielibs unicon mock data; the lab prints the same table).
pub fn parse_version(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["controller", _pod, _node, .., version] if words.len() >= 4 => {
                Some(version.to_string())
            }
            _ => None,
        }
    })
}
