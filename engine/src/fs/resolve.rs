//! Component-by-component path resolution with systemd's `--root` rules (placeholder: see issue 2).
use super::{FileSystem, FsError, Metadata};
use camino::{Utf8Path, Utf8PathBuf};

/// How many symlinks one resolution may follow before it fails with ELOOP (systemd: 32).
pub const MAX_SYMLINK_HOPS: usize = 32;

/// Whether the last component of a path is followed when it is a symlink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    /// Follow a final symlink (and the symlinks it leads to).
    Yes,
    /// Stop at a final symlink.
    No,
}

/// What a resolved path designates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The final path does not exist (its parent does).
    Missing,
    /// A link led to `/dev/null`, which was recognised as a mask without being followed.
    DevNull,
    /// An existing object.
    Exists(Metadata),
}

/// The outcome of [`resolve`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The final path inside the root, with every followed symlink replaced by its target.
    pub path: Utf8PathBuf,
    /// What it designates.
    pub target: Target,
    /// How many symlinks were followed.
    pub hops: usize,
}

/// Lexically normalises `path` as an absolute path inside a root: drops empty and `.` components,
/// and lets `..` remove the previous component but never climb above `/`. A relative `path` is
/// taken relative to `base` (itself absolute).
pub fn normalize(base: &Utf8Path, path: &Utf8Path) -> Utf8PathBuf {
    let _ = (base, path);
    todo!("issue 2: fs helper")
}

/// Resolves `path` inside the root of `fs`, one component at a time.
pub fn resolve(fs: &dyn FileSystem, path: &Utf8Path, follow: Follow) -> Result<Resolved, FsError> {
    let _ = (fs, path, follow);
    todo!("issue 2: fs helper")
}
