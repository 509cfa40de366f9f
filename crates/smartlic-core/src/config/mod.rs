//! Config trees (indentation-scoped blocks) and the diff between desired and running.
//!
//! [`tree`] parses `show running-config` text (whole or an excerpt) into a [`Tree`] and
//! renders it back; [`dialect`] describes what a platform's config text means (which
//! block smartlic owns, which settings hold one value, which defaults are not printed);
//! [`diff`](mod@diff) computes the commands that take running to desired and the before/after view
//! of a plan. The platform facts themselves live in `platform::*::DIALECT`.

pub mod dialect;
pub mod diff;
pub mod tree;

pub use dialect::Dialect;
pub use diff::{Command, ConfigDiff, diff, unified};
pub use tree::{Line, Tree};
