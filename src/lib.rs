//! smartlic: Smart Licensing as code for Cisco IOS-XE, NX-OS and ACI fleets.
//!
//! The library is the product; `main.rs` only parses the command line and maps the
//! outcome to an exit code. The flow is: inventory + playbook → one [`intent::Intent`]
//! per host → render the platform's templates → diff against the running config →
//! plan (and, in later stages, apply and verify over SSH).

pub mod app;
pub mod cli;
pub mod config;
pub mod diagnose;
pub mod files;
pub mod health;
pub mod inputs;
pub mod intent;
pub mod inventory;
/// The lab (crates/smartlic-lab), an independent crate: `--lab`, `smartlic lab …` and the
/// tests. Behind the default feature `lab`.
#[cfg(feature = "lab")]
pub use smartlic_lab as lab;
#[cfg(feature = "lab")]
mod lab_app;
#[cfg(not(feature = "lab"))]
#[path = "no_lab.rs"]
mod lab_app;
pub mod live;
mod live_app;
pub mod logging;
pub mod plan;
pub mod platform;
pub mod playbook;
pub mod redact;
pub mod render;
pub mod report;
pub mod source;
pub mod ssh;
mod status_app;
pub mod store;
pub mod targets;
pub mod vault;
pub mod yaml;
