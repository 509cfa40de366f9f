//! All integration tests build into one binary (see Cargo.toml `autotests = false`).

mod cli;
mod diff;
mod errors;
mod examples;
mod inventory;
mod lab_backend;
mod lab_catalyst;
mod lab_cli;
mod lab_datacenter;
mod lab_e2e;
mod lab_faults;
mod lab_harness;
mod lab_licensing;
mod lab_parsers;
mod lab_rollback;
mod lab_ssh;
mod lab_transports;
mod live;
mod properties;
mod render;
mod report_schema;
mod ssh_client;
mod ssh_openssh;
mod status_parse;
mod support;
mod vault;
