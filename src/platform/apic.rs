//! Driver facts for apic (config dialect; more arrives with the SSH driver).
//!
//! Every fact below cites where it comes from (SPEC §2.5, from the `[ACI]` seed). APIC's
//! smart licensing config is flat: global `license smart …` lines, no managed block.

use crate::config::dialect::{Dialect, no_rewrite};

/// How the APIC NX-OS style CLI writes its licensing configuration.
pub const DIALECT: Dialect = Dialect {
    name: "apic",
    // The APIC CLI is "NX-OS style" (SPEC §2.5.2); the licensing lines are all
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
    // satellite url U | proxy ip-address A port P` (SPEC §2.5.1, §2.5.2).
    single_valued: &["license smart transport-mode"],
    // "All the configuration commands start with license smart" (SPEC §2.5.2).
    families: &["license smart"],
    hidden_defaults: &[],
    synonyms: &[],
    multi_value: &[],
    compare_rewrite: no_rewrite,
    add_rewrite: no_rewrite,
};
