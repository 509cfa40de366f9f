//! How results are shown: for people (coloured on a terminal) and as versioned JSON.
//!
//! Everything printed passes through here, so this is where device text is cleaned of
//! control characters and where the JSON documents' shape is fixed.

mod diagnose;
mod human;
mod json;
mod junit;
mod live;
mod markdown;
pub mod merge;
mod status;

pub use human::{
    Style, diagnostics, error_lines, inventory_host, plan as plan_human, render as render_human,
};
pub use json::{
    diagnostics as diagnostics_json, emit, inventory as inventory_json, plan as plan_json,
    render as render_json, validate as validate_json,
};
pub use junit::{live as live_junit, plan as plan_junit};
pub use live::{
    Recap, changed_word, human as live_human, json as live_json, recap as live_recap,
    result as live_result,
};
pub use markdown::{live as live_markdown, plan as plan_markdown};
pub use status::{Fleet, human as status_human, json as status_json};
