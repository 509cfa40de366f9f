//! All integration tests build into one binary (see Cargo.toml `autotests = false`).

mod cli;
mod diff;
mod errors;
mod inventory;
mod lab_backend;
mod lab_cli;
mod lab_e2e;
mod lab_harness;
mod lab_licensing;
mod lab_parsers;
mod lab_ssh;
mod properties;
mod render;
mod support;
