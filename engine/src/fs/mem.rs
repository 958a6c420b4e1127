//! The in-memory backend (placeholder: see issue 2).

/// A deterministic in-memory filesystem.
#[derive(Debug, Default)]
pub struct MemFs {}
