//! Driver facts for ios_xe (config dialect; more arrives with the SSH driver).
