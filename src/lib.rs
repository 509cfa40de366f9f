//! smartlic: Smart Licensing as code for Cisco IOS-XE, NX-OS and ACI fleets.
//!
//! The library is the product; `main.rs` only parses the command line and maps the
//! outcome to an exit code. The flow is: inventory + playbook → one [`intent::Intent`]
//! per host → render the platform's templates → diff against the running config →
//! plan (and, in later stages, apply and verify over SSH).

pub use smartlic_core::{
    config, diagnose, files, inputs, intent, inventory, plan, platform, playbook, redact, render,
    source, targets, vault, yaml,
};

pub mod cli;
pub mod commands;
pub mod health;
/// The lab (crates/smartlic-lab), an independent crate: `--lab`, `smartlic lab …` and the
/// tests. Behind the default feature `lab`.
#[cfg(feature = "lab")]
pub use smartlic_lab as lab;
pub mod live;
pub mod logging;
pub mod report;
pub mod ssh;
#[cfg(all(test, feature = "lab"))]
mod status_against_lab;
pub mod store;
