//! What a fragment or drop-in path designates once followed: a mask, a readable file, or nothing
//! (reference §3.3 "Masked", §3.7).
use crate::fs::{self, FileKind, FileSystem, Follow, FsError, Metadata, Target};
use camino::{Utf8Path, Utf8PathBuf};

/// The state of a configuration path after following its symlinks.
#[derive(Debug)]
pub enum FileState {
    /// `/dev/null` (any form), another character device, or an empty regular file: a mask.
    Masked,
    /// A non-empty regular file, at `resolved` (the final path), with its metadata.
    File {
        /// The final path after following symlinks (inside the root).
        resolved: Utf8PathBuf,
        /// Its metadata (mode is used for the permission warnings of reference §3.1).
        meta: Metadata,
    },
    /// Something that exists but is neither a file nor a mask (a directory, a fifo...).
    Other {
        /// The final path after following symlinks.
        resolved: Utf8PathBuf,
        /// Its kind.
        kind: FileKind,
    },
    /// Nothing there (dangling symlink or missing file).
    Missing,
    /// The path could not be resolved (symlink loop, a file used as a directory...).
    Unresolvable(FsError),
}

impl FileState {
    /// True for [`FileState::Masked`] (systemd's `null_or_empty_path() > 0`).
    pub fn is_masked(&self) -> bool {
        matches!(self, FileState::Masked)
    }
}

/// Follows `path` and classifies what it designates.
pub fn classify(fs: &dyn FileSystem, path: &Utf8Path) -> FileState {
    match fs::resolve(fs, path, Follow::Yes) {
        Ok(r) => match r.target {
            Target::DevNull => FileState::Masked,
            Target::Missing => FileState::Missing,
            Target::Exists(meta) => match meta.kind {
                FileKind::CharDevice => FileState::Masked,
                FileKind::File if meta.size == 0 => FileState::Masked,
                FileKind::File => FileState::File {
                    resolved: r.path,
                    meta,
                },
                kind => FileState::Other {
                    resolved: r.path,
                    kind,
                },
            },
        },
        Err(e) if e.is_not_found() => FileState::Missing,
        Err(e) => FileState::Unresolvable(e),
    }
}
