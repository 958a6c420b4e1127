//! The filesystem abstraction: one object-safe trait, two backends, and the engine's own resolver.
//!
//! # The model
//!
//! The engine looks at a systemd installation through a **root**: the real `/`, an image given
//! with `--root=DIR`, or a tree that exists only in memory. Everything it reads or writes is
//! named by a path *inside* that root, and nothing outside the root may ever be read or written
//! (reference §1.6: with `--root`, systemd takes absolute symlink targets inside the root too).
//!
//! Three layers keep that promise:
//!
//! 1. **The path contract.** Every path handed to a [`FileSystem`] is absolute, lexically normal
//!    (no `.`, `..` or empty components, no trailing slash) and free of NUL bytes:
//!    `/etc/systemd/system/a.service`. Anything else is [`FsError::InvalidPath`]
//!    ([`check_path`] is the test; [`normalize`] produces such paths).
//! 2. **Backends never follow symlinks.** A symlink met in a *parent* component is an error
//!    ([`FsError::SymlinkInPath`]), and every operation acts on the last component itself (lstat
//!    semantics): [`FileSystem::read`] refuses a symlink ([`FsError::IsASymlink`]),
//!    [`FileSystem::remove_file`] removes the link, [`FileSystem::write_atomic`] replaces it.
//! 3. **The engine resolves, not the OS.** Following symlinks is the job of [`resolve`], which
//!    walks a path one component at a time with systemd's root rules: absolute targets are
//!    re-rooted, `..` stops at the root, at most 31 links are followed (systemd's
//!    `chase_symlinks()` budget), a link to `/dev/null` is recognised as a mask without being
//!    followed (reference §3.3, §3.7), and a missing tail is reported rather than failing. The
//!    OS cannot do this for us: the host kernel would take `/usr/lib/...` in a link target as the
//!    *host's* `/usr`, and a `..` chain would climb out of the image. Because `resolve` only uses
//!    `lstat` and `read_link`, it behaves identically on every backend.
//!
//! # Backends
//!
//! * [`MemFs`]: a deterministic in-memory tree (files with bytes and mode, directories, symlinks
//!   with verbatim target text, character devices), with a logical clock for modification
//!   times. Fast, `Clone` as a snapshot, ideal for tests and simulation.
//! * [`DirFs`]: a real directory of the host used as the root, with defence in depth (every
//!   parent component is checked not to be a symlink before each operation).
//!
//! Both pass the same conformance suite (`fs_conformance!`, in `engine/tests/fs_conformance.rs`),
//! and [`copy_tree`] moves trees between them.
//!
//! ```
//! use unitlab_engine::fs::{resolve, FileSystem, Follow, MemFs, Target};
//! use camino::Utf8Path;
//! let fs = MemFs::new();
//! fs.add_file("/usr/lib/systemd/system/a.service", "[Unit]\n")?;
//! fs.add_symlink("/lib", "usr/lib")?;
//! fs.add_symlink("/etc/systemd/system/b.service", "../../../lib/systemd/system/a.service")?;
//! fs.add_symlink("/etc/systemd/system/c.service", "/usr/../dev/null")?;
//!
//! // Backends never follow links...
//! assert!(fs.read(Utf8Path::new("/lib/systemd/system/a.service"), 1024).is_err());
//! // ...resolve does, inside the root.
//! let r = resolve(&fs, Utf8Path::new("/etc/systemd/system/b.service"), Follow::Yes)?;
//! assert_eq!((r.path.as_str(), r.hops), ("/usr/lib/systemd/system/a.service", 2));
//! assert_eq!(fs.read(&r.path, 1024)?, b"[Unit]\n");
//! // A mask is recognised without following the link.
//! let r = resolve(&fs, Utf8Path::new("/etc/systemd/system/c.service"), Follow::Yes)?;
//! assert_eq!(r.target, Target::DevNull);
//! # Ok::<(), unitlab_engine::fs::FsError>(())
//! ```

mod at;
#[doc(hidden)]
pub mod conformance;
mod copy;
mod dir;
mod error;
mod fast_hash;
mod forward;
mod mem;
mod path;
mod resolve;
mod sub;

pub use copy::copy_tree;
pub use dir::DirFs;
pub use error::FsError;
pub use fast_hash::{FastBuildHasher, FastHasher};
pub use mem::MemFs;
pub(crate) use path::child as child_path;
pub use path::{check_path, normalize};
#[doc(hidden)]
pub use resolve::resolve_stepwise;
pub use resolve::{resolve, Follow, Resolved, Target, MAX_SYMLINK_HOPS};
pub use sub::SubFs;

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
    /// The entries of the directory at `path`, without `.` and `..`, sorted by name (byte order;
    /// both backends sort, so results are deterministic). A symlink to a directory is not a
    /// directory: [`FsError::NotADirectory`]. [`DirFs`] skips names that are not UTF-8.
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<DirEntry>, FsError>;
    /// Creates `path` and any missing parents (mode 0755), one component at a time. Existing
    /// directories are fine; a symlink on the way is [`FsError::SymlinkInPath`] (never followed),
    /// and an existing non-directory at `path` is [`FsError::AlreadyExists`].
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError>;
    /// Creates a symlink at `link` whose target text is `target`, verbatim and not interpreted
    /// (it may dangle). [`FsError::AlreadyExists`] if anything is at `link`; an empty target or
    /// one with NUL is [`FsError::InvalidPath`] (no real filesystem can store it).
    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError>;
    /// Removes a file, symlink (never its target) or other non-directory at `path`;
    /// [`FsError::IsADirectory`] for a directory.
    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError>;
    /// Removes the empty directory at `path`: [`FsError::DirectoryNotEmpty`] if it has entries,
    /// [`FsError::NotADirectory`] for anything else (a symlink to a directory included). The
    /// root cannot be removed ([`FsError::InvalidPath`]).
    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError>;
    /// Removes `path` and, if it is a directory, everything below it (never following symlinks:
    /// a link to a directory is removed as a link). The root cannot be removed.
    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError>;
    /// Atomically replaces (or creates) the regular file at `path` with `data` (mode 0644,
    /// whatever the previous mode). A symlink at `path` is replaced, its target untouched;
    /// a directory is [`FsError::IsADirectory`]. The parent must exist.
    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError>;
    /// Renames `from` to `to` with `rename(2)` semantics on the last components: a non-directory
    /// replaces a non-directory, a directory replaces an empty directory
    /// ([`FsError::DirectoryNotEmpty`] otherwise), mixing kinds is [`FsError::IsADirectory`] /
    /// [`FsError::NotADirectory`], moving a directory below itself or renaming the root is
    /// [`FsError::InvalidPath`], and `from == to` is a no-op.
    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError>;
    /// [`FileSystem::read_dir`] with each entry's `lstat` metadata, in the same order (the
    /// directory is checked like `read_dir` does). An entry that disappears between the listing
    /// and its `lstat` is left out. The provided implementation calls `lstat` for each entry;
    /// backends override it when they can do better ([`DirFs`] stats each name relative to the
    /// open directory, [`MemFs`] reads the metadata during the listing). The catalog uses it to
    /// learn the size of every fragment (an empty file is a mask) with one directory scan.
    fn read_dir_metadata(&self, path: &Utf8Path) -> Result<Vec<(DirEntry, Metadata)>, FsError> {
        let entries = self.read_dir(path)?;
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            match self.lstat(&path::child(path, &entry.name)) {
                Ok(meta) => out.push((entry, meta)),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
    /// The target texts of the symlinks named `names` (plain names, no `/`) in the directory
    /// `dir`: for each name, in order, exactly what [`read_link`](FileSystem::read_link) of
    /// `dir/name` gives. For callers that need the targets of many links of one directory (the
    /// state of a unit depends on every link of the config directory): a backend may read them
    /// faster together (`DirFs` reads them relative to the directory's handle). The provided
    /// implementation calls `read_link` for each name.
    fn read_links(&self, dir: &Utf8Path, names: &[&str]) -> Vec<Result<Utf8PathBuf, FsError>> {
        names
            .iter()
            .map(|n| self.read_link(&path::child(dir, n)))
            .collect()
    }
    /// A hint that the directories `paths` (contract paths, in the order given) are about to be
    /// listed with [`read_dir`](FileSystem::read_dir): a backend may start reading them in the
    /// background. It never changes any result, and later changes through the same backend make
    /// it forget what it read ahead. The provided implementation does nothing.
    fn prefetch_dirs(&self, paths: &[&Utf8Path]) {
        let _ = paths;
    }
    /// Creates a character device node at `path` (what `/dev/null` is). Optional capability:
    /// [`MemFs`] supports it; [`DirFs`] does not (creating device nodes needs privileges).
    fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
        Err(FsError::Unsupported {
            op: "create_char_device",
            path: path.to_owned(),
        })
    }
    /// Sets the permission bits (`0o7777`) of `path`. Optional capability. A symlink is
    /// [`FsError::IsASymlink`] (`chmod` would follow it).
    fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
        let _ = mode;
        Err(FsError::Unsupported {
            op: "set_mode",
            path: path.to_owned(),
        })
    }
}
