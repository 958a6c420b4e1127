//! The rooted real-directory backend (placeholder: see issue 2).

/// A real directory used as the root.
#[derive(Debug)]
pub struct DirFs {}
