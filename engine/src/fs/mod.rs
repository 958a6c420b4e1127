//! The filesystem abstraction: one object-safe trait, two backends, and the engine's own resolver.
//!
//! Every path handed to a [`FileSystem`] is an *absolute, lexically normal path inside the backend's
//! root* (`/etc/systemd/system/a.service`): no `.`, `..` or empty components. Backends never follow a
//! symlink in any component: a symlink met in a *parent* component is an error
//! ([`FsError::SymlinkInPath`]), and the last component is acted on as it is (lstat semantics).
//! Following symlinks is the job of [`resolve`], which does it component by component with systemd's
//! root rules, so that nothing outside the root is ever read or written.

#[doc(hidden)]
pub mod conformance;
mod copy;
mod dir;
mod error;
mod mem;
mod path;
mod resolve;

pub use copy::copy_tree;
pub use dir::DirFs;
pub use error::FsError;
pub use mem::MemFs;
pub use path::{check_path, normalize};
#[doc(hidden)]
pub use resolve::resolve_stepwise;
pub use resolve::{resolve, Follow, Resolved, Target, MAX_SYMLINK_HOPS};

use camino::{Utf8Path, Utf8PathBuf};

/// What kind of object a directory entry is (never following a symlink).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A character device (`/dev/null` and friends): a unit mask when it is a fragment.
    CharDevice,
    /// Anything else (fifo, socket, block device).
    Other,
}

/// The result of [`FileSystem::lstat`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// The kind of the object itself (symlinks are not followed).
    pub kind: FileKind,
    /// Size in bytes (for a symlink: the length of its target text).
    pub size: u64,
    /// Permission bits (`0o7777` mask).
    pub mode: u32,
    /// Modification time in nanoseconds since the epoch (a logical clock on [`MemFs`]).
    pub modified_ns: i128,
}

/// One entry of [`FileSystem::read_dir`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DirEntry {
    /// The entry's file name (one component).
    pub name: String,
    /// Its kind, as `d_type` reports it (symlinks not followed).
    pub kind: FileKind,
}

/// The default limit of [`FileSystem::read`] callers: systemd refuses unit files above this size.
pub const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Everything the engine needs from a filesystem. Object safe: the engine takes `&dyn FileSystem`.
///
/// See the module docs for the path contract. All methods act on the last component without
/// following it, except [`read`](FileSystem::read), which refuses a symlink with
/// [`FsError::IsASymlink`] (resolve first).
pub trait FileSystem: std::fmt::Debug + Send + Sync {
    /// Metadata of the object at `path`, not following a final symlink.
    fn lstat(&self, path: &Utf8Path) -> Result<Metadata, FsError>;
    /// The contents of the regular file at `path`; [`FsError::TooLarge`] above `limit` bytes.
    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError>;
    /// The target text of the symlink at `path`, verbatim.
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError>;
    /// The entries of the directory at `path`, without `.` and `..`, in the backend's order
    /// ([`MemFs`] sorts by name; [`DirFs`] keeps `readdir` order).
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<DirEntry>, FsError>;
    /// Creates `path` and any missing parents (mode 0755). Existing directories are fine.
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError>;
    /// Creates a symlink at `link` whose target text is `target` (any text; not checked).
    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError>;
    /// Removes a file, symlink or other non-directory at `path`.
    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError>;
    /// Removes the empty directory at `path`.
    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError>;
    /// Removes `path` and, if it is a directory, everything below it (never following symlinks).
    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError>;
    /// Atomically replaces (or creates) the regular file at `path` with `data` (mode 0644).
    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError>;
    /// Renames `from` to `to`, replacing a non-directory at `to`.
    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError>;
    /// Creates a character device node at `path` (what `/dev/null` is). Optional capability:
    /// [`MemFs`] supports it; [`DirFs`] does not (creating device nodes needs privileges).
    fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
        Err(FsError::Unsupported {
            op: "create_char_device",
            path: path.to_owned(),
        })
    }
    /// Sets the permission bits of `path`. Optional capability.
    fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
        let _ = mode;
        Err(FsError::Unsupported {
            op: "set_mode",
            path: path.to_owned(),
        })
    }
}
