//! Config trees (indentation-scoped blocks) and the diff between desired and running.
