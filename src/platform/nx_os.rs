//! Driver facts for nx_os (config dialect; more arrives with the SSH driver).
