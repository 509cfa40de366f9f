//! Integration tests: diff.
