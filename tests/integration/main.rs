//! All integration tests build into one binary (see Cargo.toml `autotests = false`).

mod diff;
mod inventory;
mod render;
