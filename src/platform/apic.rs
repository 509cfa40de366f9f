//! Driver facts for apic (config dialect; more arrives with the SSH driver).
