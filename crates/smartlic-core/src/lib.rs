//! smartlic-core: what smartlic knows and decides without touching a device. Offline and
//! synchronous: no async runtime, SSH, database or HTTP here (the `smartlic` crate has
//! those), so `cargo test -p smartlic-core` is the fast loop.
//!
//! The flow: inventory + playbook ([`inventory`], [`playbook`], [`targets`]) → one
//! [`intent::Intent`] per host → the platform's templates ([`render`], facts in
//! [`platform`]) → diff against the running config ([`config`]) → [`plan`]. Around it:
//! sources and diagnostics ([`source`]), secrets and redaction ([`redact`], [`vault`]),
//! YAML ([`yaml`]), bounded file reads ([`files`], [`inputs`]) and the failure catalogue
//! ([`diagnose`]).

pub mod config;
pub mod diagnose;
pub mod files;
pub mod inputs;
pub mod intent;
pub mod inventory;
pub mod plan;
pub mod platform;
pub mod playbook;
pub mod redact;
pub mod release;
pub mod render;
pub mod source;
pub mod suggest;
pub mod targets;
pub mod vault;
pub mod yaml;
