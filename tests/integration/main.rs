//! All integration tests build into one binary (see Cargo.toml `autotests = false`).

mod cli;
mod diff;
mod errors;
mod inventory;
mod properties;
mod render;
mod support;
