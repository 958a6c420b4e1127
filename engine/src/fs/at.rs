//! Directory handles of a [`DirFs`](super::DirFs) root: system calls relative to an open
//! directory (`openat`, `readlinkat`, `fstatat`, `getdents64`, through `rustix`) instead of
//! host paths that the kernel walks from `/` every time.
//!
//! # The model
//!
//! A **handle** is an `O_PATH` file descriptor of a directory *inside the root*, reached by our
//! own resolution, one component at a time: the root's own descriptor (opened once, from its
//! canonical path), then for `/a/b` the name `a` opened relative to the root and `b` relative to
//! that, each with `O_DIRECTORY | O_NOFOLLOW`, so that a symlink (or anything that is not a
//! directory) at any component makes the open fail instead of being followed. Every name given
//! to the kernel relative to a handle is a **single component** (no `/`, never `.` or `..`
//! except the `.` that names the handle's own directory for a listing), and every operation on a
//! last component acts on it without following it (`AT_SYMLINK_NOFOLLOW`, `O_NOFOLLOW`,
//! `readlinkat`). So nothing outside the root is reached, whatever the tree contains.
//!
//! Handles are remembered by contract path (at most [`MAX_HANDLES`] of them, far below the
//! usual limit of 1,024 open files; when that many are open, all are closed and the remembering
//! starts again) and forgotten whenever the `DirFs` forgets its checked directories (an operation that
//! can remove, rename or replace a directory).
//!
//! Any failure or doubt (a handle that cannot be opened, an error other than "not found")
//! returns `None` to the caller, which then takes its careful path-based route: that route
//! gives the precise error ([`FsError::SymlinkInPath`](super::FsError::SymlinkInPath) naming the
//! component, [`FsError::NotADirectory`](super::FsError::NotADirectory), ...), exactly as before
//! handles existed.
use super::{DirEntry, FastBuildHasher, FileKind, Metadata};
use camino::Utf8Path;
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;
use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex, MutexGuard};

/// How many directory handles a `DirFs` keeps open at most.
pub(crate) const MAX_HANDLES: usize = 64;

/// The handles of one root (see the module docs).
#[derive(Debug)]
pub(crate) struct Handles {
    /// The root directory itself; `None` if it could not be opened (every operation then takes
    /// the path-based route).
    root: Option<Arc<OwnedFd>>,
    /// Contract path of a directory → its handle.
    dirs: Mutex<HashMap<Box<str>, Arc<OwnedFd>, FastBuildHasher>>,
}

/// The result of one relative operation: `Some(Ok)`, `Some(Err(NotFound))` (the name is not in a
/// directory our resolution reached), or `None` (any other case: take the careful route).
pub(crate) type At<T> = Option<Result<T, Missing>>;

/// "No such entry" in a directory reached by resolution.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Missing;

/// Flags of a directory handle: never follow, only a directory, no read permission needed.
fn handle_flags() -> OFlags {
    OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// Set once the kernel refused `O_NOATIME` (`EPERM`: the caller neither owns the file nor has
/// `CAP_FOWNER`); from then on files and directories are opened without it.
static NOATIME_REFUSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `openat(dir, name, flags | O_NOATIME)`: reading a unit file or listing a directory does not
/// update its access time (under `relatime` the first read after a change writes the inode: on a
/// freshly copied tree that is one inode update per file read). Where the kernel refuses
/// `O_NOATIME` (`EPERM`) the open is retried without it, and `O_NOATIME` is not tried again.
/// The access time is the only difference from a plain open: contents, errors and the tree are
/// the same.
fn open_noatime(dir: &OwnedFd, name: &str, flags: OFlags) -> rustix::io::Result<OwnedFd> {
    use std::sync::atomic::Ordering::Relaxed;
    if !NOATIME_REFUSED.load(Relaxed) {
        match rustix::fs::openat(dir, name, flags | OFlags::NOATIME, Mode::empty()) {
            Err(Errno::PERM) => NOATIME_REFUSED.store(true, Relaxed),
            other => return other,
        }
    }
    rustix::fs::openat(dir, name, flags, Mode::empty())
}

/// A plain name usable relative to a handle.
fn is_plain(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.bytes().any(|b| b == b'/' || b == 0)
}

/// The parent of a contract path and its last component (`None` for `/` or a last component
/// that is not a plain name).
pub(crate) fn split(path: &Utf8Path) -> Option<(&str, &str)> {
    let text = path.as_str();
    let cut = text.bytes().rposition(|b| b == b'/')?;
    let name = &text[cut + 1..];
    if !is_plain(name) {
        return None;
    }
    Some((if cut == 0 { "/" } else { &text[..cut] }, name))
}

impl Handles {
    /// Opens the handle of the (canonical) root directory `root`.
    pub(crate) fn open(root: &Utf8Path) -> Handles {
        let root = rustix::fs::open(root.as_str(), handle_flags(), Mode::empty())
            .ok()
            .map(Arc::new);
        Handles {
            root,
            dirs: Mutex::new(HashMap::default()),
        }
    }

    fn map(&self) -> MutexGuard<'_, HashMap<Box<str>, Arc<OwnedFd>, FastBuildHasher>> {
        self.dirs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets every handle but the root's.
    pub(crate) fn forget(&self) {
        self.map().clear();
    }

    /// The handle of the directory at the contract path `dir` (which must pass the path
    /// contract), opened component by component from the nearest remembered ancestor.
    /// `Some(Err(Missing))` if a component does not exist (every component before it being a
    /// real directory: the path-based walk fails there too, with "not found"); `None` if a
    /// component is a symlink, not a directory, or cannot be opened.
    pub(crate) fn dir(&self, dir: &str) -> At<Arc<OwnedFd>> {
        if dir == "/" {
            return self.root.clone().map(Ok);
        }
        if let Some(h) = self.map().get(dir) {
            return Some(Ok(h.clone()));
        }
        let cut = dir.bytes().rposition(|b| b == b'/')?;
        let name = &dir[cut + 1..];
        if !is_plain(name) {
            return None;
        }
        let parent = match self.dir(if cut == 0 { "/" } else { &dir[..cut] })? {
            Ok(parent) => parent,
            Err(Missing) => return Some(Err(Missing)),
        };
        let fd = match rustix::fs::openat(&*parent, name, handle_flags(), Mode::empty()) {
            Ok(fd) => Arc::new(fd),
            Err(Errno::NOENT) => return Some(Err(Missing)),
            Err(_) => return None,
        };
        let mut map = self.map();
        if map.len() >= MAX_HANDLES {
            // Full: start again (the handles in use stay open until their operations end).
            map.clear();
        }
        map.insert(dir.into(), fd.clone());
        Some(Ok(fd))
    }

    /// The handle of `path`'s parent and its last component.
    fn parent_of<'p>(&self, path: &'p Utf8Path) -> At<(Arc<OwnedFd>, &'p str)> {
        let (parent, name) = split(path)?;
        Some(self.dir(parent)?.map(|h| (h, name)))
    }

    /// `lstat` of `path` relative to its parent's handle.
    pub(crate) fn lstat(&self, path: &Utf8Path) -> At<Metadata> {
        match self.parent_of(path)? {
            Ok((dir, name)) => stat_at(&dir, name),
            Err(Missing) => Some(Err(Missing)),
        }
    }

    /// `readlink` of `path` relative to its parent's handle: the target bytes, or `Err(true)`
    /// if it is not a symlink (`EINVAL`), `Err(false)` if it is missing.
    pub(crate) fn read_link(&self, path: &Utf8Path) -> Option<Result<Vec<u8>, bool>> {
        match self.parent_of(path)? {
            Ok((dir, name)) => read_link_at(&dir, name),
            Err(Missing) => Some(Err(false)),
        }
    }

    /// Opens the last component of `path` for reading relative to its parent's handle, never
    /// following it (`O_NOFOLLOW`), never blocking (a fifo) and never acquiring a terminal.
    pub(crate) fn open_file(&self, path: &Utf8Path) -> At<std::fs::File> {
        let (dir, name) = match self.parent_of(path)? {
            Ok(found) => found,
            Err(Missing) => return Some(Err(Missing)),
        };
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY;
        match open_noatime(&dir, name, flags | OFlags::CLOEXEC) {
            Ok(fd) => Some(Ok(std::fs::File::from(fd))),
            Err(Errno::NOENT) => Some(Err(Missing)),
            Err(_) => None,
        }
    }

    /// The entries of the directory at `dir` in `readdir()` order (names that are not UTF-8
    /// skipped), with each entry's `lstat` metadata when `with_meta` (an entry gone before its
    /// `lstat` is left out). `None`: take the careful route (it also gives the precise error).
    pub(crate) fn list(
        &self,
        dir: &Utf8Path,
        with_meta: bool,
    ) -> At<Vec<(DirEntry, Option<Metadata>)>> {
        let handle = match self.dir(dir.as_str())? {
            Ok(handle) => handle,
            Err(Missing) => return Some(Err(Missing)),
        };
        // The handle is an O_PATH descriptor: open the directory itself (`.`) for reading.
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = open_noatime(&handle, ".", flags).ok()?;
        thread_local! {
            /// The getdents64 buffer (32 KiB: a 10,000-entry directory in ~14 calls).
            static BUF: std::cell::RefCell<Vec<std::mem::MaybeUninit<u8>>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        BUF.with(|buf| {
            let mut buf = buf.try_borrow_mut().ok()?;
            if buf.len() < 32 * 1024 {
                buf.resize(32 * 1024, std::mem::MaybeUninit::uninit());
            }
            let mut raw = rustix::fs::RawDir::new(&fd, &mut buf[..]);
            let mut out = Vec::new();
            while let Some(entry) = raw.next() {
                let entry = entry.ok()?;
                let bytes = entry.file_name().to_bytes();
                if bytes == b"." || bytes == b".." {
                    continue;
                }
                let Ok(name) = std::str::from_utf8(bytes) else {
                    continue;
                };
                let kind = match entry.file_type() {
                    FileType::Unknown => None,
                    t => Some(kind_of(t)),
                };
                if with_meta || kind.is_none() {
                    // An entry gone before its `lstat` is left out.
                    if let Ok(meta) = stat_at(&handle, name)? {
                        out.push((
                            DirEntry {
                                name: name.to_owned(),
                                kind: meta.kind,
                            },
                            with_meta.then_some(meta),
                        ));
                    }
                } else if let Some(kind) = kind {
                    out.push((
                        DirEntry {
                            name: name.to_owned(),
                            kind,
                        },
                        None,
                    ));
                }
            }
            Some(Ok(out))
        })
    }

    /// The targets of the links `names` of the directory `dir` (each as [`Handles::read_link`]
    /// gives it); `None` if the directory has no handle.
    pub(crate) fn read_links(&self, dir: &Utf8Path, names: &[&str]) -> Option<Vec<LinkAt>> {
        let handle = match self.dir(dir.as_str())? {
            Ok(handle) => handle,
            Err(Missing) => {
                return Some(
                    names
                        .iter()
                        .map(|n| is_plain(n).then_some(Err(false)))
                        .collect(),
                )
            }
        };
        Some(
            names
                .iter()
                .map(|n| {
                    if is_plain(n) {
                        read_link_at(&handle, n)
                    } else {
                        None
                    }
                })
                .collect(),
        )
    }
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`.
fn stat_at(dir: &OwnedFd, name: &str) -> At<Metadata> {
    match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Some(Ok(Metadata {
            kind: kind_of(FileType::from_raw_mode(st.st_mode)),
            size: u64::try_from(st.st_size).unwrap_or(0),
            mode: st.st_mode & 0o7777,
            modified_ns: i128::from(st.st_mtime) * 1_000_000_000 + i128::from(st.st_mtime_nsec),
        })),
        Err(Errno::NOENT) => Some(Err(Missing)),
        Err(_) => None,
    }
}

/// One `readlinkat`: the target bytes, `Err(true)` not a symlink, `Err(false)` missing; `None`
/// take the careful route.
pub(crate) type LinkAt = Option<Result<Vec<u8>, bool>>;

/// `readlinkat(dir, name)`: the target bytes; `Err(true)` not a symlink, `Err(false)` missing.
fn read_link_at(dir: &OwnedFd, name: &str) -> Option<Result<Vec<u8>, bool>> {
    // Into a buffer on the stack first (one allocation of the exact size, not a growing one); a
    // target that may not fit is read again the allocating way.
    let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 1024];
    match rustix::fs::readlinkat_raw(dir, name, &mut buf) {
        Ok((target, _)) if target.len() < 1024 => return Some(Ok(target.to_vec())),
        Ok(_) => {}
        Err(Errno::INVAL) => return Some(Err(true)),
        Err(Errno::NOENT) => return Some(Err(false)),
        Err(_) => return None,
    }
    match rustix::fs::readlinkat(dir, name, Vec::new()) {
        Ok(target) => Some(Ok(target.into_bytes())),
        Err(Errno::INVAL) => Some(Err(true)),
        Err(Errno::NOENT) => Some(Err(false)),
        Err(_) => None,
    }
}

fn kind_of(t: FileType) -> FileKind {
    match t {
        FileType::RegularFile => FileKind::File,
        FileType::Directory => FileKind::Dir,
        FileType::Symlink => FileKind::Symlink,
        FileType::CharacterDevice => FileKind::CharDevice,
        _ => FileKind::Other,
    }
}
