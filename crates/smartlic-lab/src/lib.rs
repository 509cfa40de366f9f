//! smartlic-lab: a simulated fleet in one process — Cisco-like devices behind real SSH, and a
//! simulated licensing back-end behind real HTTP(S) — all on loopback.
//!
//! Pieces, each owning one concept:
//! - [`device`]: what a simulated device is and holds (identity, running/startup config,
//!   trusted CAs, log), and the [`device::Licensing`] seam to its licensing agent;
//! - [`terminal`]: the seam between the SSH server and a device's CLI (bytes in, bytes out);
//! - `cli` / `personality`: the CLI engine and each platform's prompts, modes and outputs;
//! - `ssh`: the russh server hosting every device on its own loopback address/port;
//! - `backend`: CSSM, satellite, transport gateway and proxy over HTTP(S);
//! - `licensing`: the device-side Smart Licensing agent and its state machine;
//! - [`clock`]: lab time, which may run faster than real time;
//! - [`saved`]: the lab's state between `--lab` runs, on disk;
//! - [`inventory`] / [`yamlish`] / [`schema`] / [`spec`]: the lab's own reading of an
//!   inventory's lab devices; [`release`]: which licensing a release speaks; [`tree`]: how a
//!   device stores its config.
//!
//! The lab is the oracle smartlic's tests are judged by, so this crate depends on no
//! smartlic crate and shares nothing with smartlic: not its YAML and inventory readers, not its intent rules, release table,
//! config trees or date formats. A wrong rule in the client must not be able to make a lab
//! test pass; the lab's facts come from Cisco's documents and captured outputs
//! (docs/sources.md).

pub mod backend;
pub mod cli;
pub mod clock;
pub mod device;
pub mod device_faults;
pub mod fleet;
pub mod inventory;
pub mod latency;
pub mod licensing;
pub mod network;
pub mod personality;
pub mod release;
pub mod run;
pub mod saved;
pub mod schema;
pub mod secret;
pub mod spec;
pub mod ssh;
pub mod terminal;
pub mod time;
pub mod tree;
pub mod yamlish;
