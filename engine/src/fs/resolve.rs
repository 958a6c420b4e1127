//! Component-by-component path resolution with systemd's `--root` rules.
//!
//! This is the engine's equivalent of systemd's `chase_symlinks()` with a root directory and
//! "non-existent tail allowed" semantics (reference §1.6, §3.3, §3.7). It runs entirely on top of
//! the [`FileSystem`] trait (`lstat` and `read_link` only), so it behaves identically on every
//! backend and can never leave the root:
//!
//! * the path is walked one component at a time, starting at the root `/`;
//! * a symlink found on the way (and the final one, with [`Follow::Yes`]) is replaced by its
//!   target: a relative target continues from the link's directory, an **absolute target is
//!   re-rooted** (it starts again at the backend's root, never at the host's `/`);
//! * `..` removes the last resolved component but never climbs above the root (as in a chroot);
//! * the symlink budget is [`MAX_SYMLINK_HOPS`]: the 32nd symlink met is [`FsError::TooManyLinks`]
//!   (systemd's ELOOP), so at most 31 are followed;
//! * a symlink whose target, normalised against the link's (physical, already resolved)
//!   directory, is exactly `/dev/null` is
//!   **not** followed: it yields [`Target::DevNull`] (a mask, even when the root has no
//!   `/dev/null`), for the forms `/dev/null`, `../../../../dev/null` and `/usr/../dev/null` alike.
//!   "Physical" matters when the link's directory is reached through a symlink: `systemctl
//!   --root` 252 masks `/usr/lib/systemd/system/x.service -> ../../dev/null` when
//!   `/usr/lib/systemd/system -> ../../../opt/units` (physically `/dev/null`) and not the lexical
//!   reading (checked by `engine/tests/fs_oracle.rs`);
//! * a missing component ends the walk with [`Target::Missing`]: the rest of the path is appended
//!   lexically (dangling links, units that are not installed); if that rest contains `..` the
//!   result would be meaningless and the walk fails with [`FsError::NotFound`] instead (systemd's
//!   `CHASE_NONEXISTENT` does the same);
//! * an existing non-directory used as a directory is [`FsError::NotADirectory`].

use super::path::{check_path, normalize, split_last};
use super::{FileKind, FileSystem, FsError, Metadata};
use camino::{Utf8Path, Utf8PathBuf};

/// systemd's symlink budget for one resolution (`CHASE_SYMLINKS_MAX`, 32).
///
/// As in systemd 252's `chase_symlinks()`, the budget is decremented *before* each symlink is
/// followed and resolution fails with ELOOP when it reaches zero: the 32nd symlink met fails, so
/// a successful resolution follows at most `MAX_SYMLINK_HOPS - 1` (31) symlinks.
pub const MAX_SYMLINK_HOPS: usize = 32;

/// The one path that is recognised as a mask without being followed.
const DEV_NULL: &str = "/dev/null";

/// Whether the last component of a path is followed when it is a symlink.
///
/// Symlinks in the *parent* components are always followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Follow {
    /// Follow a final symlink (and the symlinks it leads to).
    Yes,
    /// Stop at a final symlink.
    No,
}

/// What a resolved path designates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The final path does not exist (the path is completed lexically).
    Missing,
    /// A link led to `/dev/null`, which was recognised as a mask without being followed.
    DevNull,
    /// An existing object: its metadata (for a real character device reached by resolution,
    /// `kind` is [`FileKind::CharDevice`]; callers treat that as a mask too, reference §3.7).
    Exists(Metadata),
}

impl Target {
    /// The kind of an existing target, `None` for [`Target::Missing`] and [`Target::DevNull`].
    pub fn kind(&self) -> Option<FileKind> {
        match self {
            Target::Exists(meta) => Some(meta.kind),
            Target::Missing | Target::DevNull => None,
        }
    }
}

/// The outcome of [`resolve`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The final path inside the root, with every followed symlink replaced by its target. It
    /// always obeys the path contract (absolute, normal, never contains `..`). For
    /// [`Target::DevNull`] it is `/dev/null`.
    pub path: Utf8PathBuf,
    /// What it designates.
    pub target: Target,
    /// How many symlinks were followed (including the one that led to `/dev/null`).
    pub hops: usize,
}

/// Resolves `path` inside the root of `fs`, one component at a time (see the module docs).
///
/// `path` must be absolute; it need not be normal (`.`, `..`, `//` are handled during the walk,
/// `..` *after* following the symlinks before it, like the kernel does). Errors:
/// [`FsError::InvalidPath`] for a relative path or one with NUL, [`FsError::TooManyLinks`] at the
/// [`MAX_SYMLINK_HOPS`]th symlink, [`FsError::NotADirectory`] when a file is used as a directory,
/// [`FsError::NotFound`] for a missing component followed by `..` (all naming `path`), and any
/// error of the backend's `lstat`/`read_link`.
pub fn resolve(fs: &dyn FileSystem, path: &Utf8Path, follow: Follow) -> Result<Resolved, FsError> {
    resolve_impl(fs, path, follow, true)
}

/// [`resolve`] without its `lstat` shortcut: the plain component-by-component walk. Test support:
/// the conformance suite checks that both always agree.
#[doc(hidden)]
pub fn resolve_stepwise(
    fs: &dyn FileSystem,
    path: &Utf8Path,
    follow: Follow,
) -> Result<Resolved, FsError> {
    resolve_impl(fs, path, follow, false)
}

fn resolve_impl(
    fs: &dyn FileSystem,
    path: &Utf8Path,
    follow: Follow,
    use_shortcut: bool,
) -> Result<Resolved, FsError> {
    let text = path.as_str();
    if !text.starts_with('/') {
        return Err(FsError::InvalidPath {
            path: text.to_owned(),
            reason: "not absolute",
        });
    }
    if text.contains('\0') {
        return Err(FsError::InvalidPath {
            path: text.to_owned(),
            reason: "contains a NUL byte",
        });
    }
    let mut todo = Todo::default();
    // The resolved part: a physical path inside the root, every component a real directory.
    let mut done = String::from("/");
    let mut hops = 0;
    // Try the shortcut at the start and after each symlink followed.
    let mut try_shortcut = use_shortcut;
    // The shortcut below, before any allocation: when the `lstat` of a contract path succeeds,
    // every parent is a real directory (backends report a symlink among them), so the path is
    // either its own answer or a final symlink to follow from its parent.
    let mut walked = false;
    if use_shortcut && check_path(path).is_ok() {
        if let (Ok(meta), Some((parent, _))) = (fs.lstat(path), split_last(path)) {
            if meta.kind != FileKind::Symlink || follow == Follow::No {
                return Ok(Resolved {
                    path: path.to_owned(),
                    target: Target::Exists(meta),
                    hops: 0,
                });
            }
            // The final symlink, exactly as the walk below takes it.
            hops = 1;
            let target = fs.read_link(path)?;
            if target.as_str().contains('\0') {
                return Err(FsError::InvalidPath {
                    path: target.into_string(),
                    reason: "symlink target contains a NUL byte",
                });
            }
            if normalize(parent, &target) == DEV_NULL {
                return Ok(Resolved {
                    path: Utf8PathBuf::from(DEV_NULL),
                    target: Target::DevNull,
                    hops,
                });
            }
            if !target.as_str().starts_with('/') {
                done = parent.as_str().to_owned();
            }
            todo.push_front(target.as_str());
            walked = true;
        }
    }
    if !walked {
        todo.push_front(text);
    }

    loop {
        if try_shortcut {
            try_shortcut = false;
            if let Some(done_now) = shortcut(fs, &mut done, &mut todo, follow, hops)? {
                return Ok(done_now);
            }
        }
        let Some((start, end)) = todo.pop_front() else {
            break;
        };
        let name = &todo.buf[start..end];
        if name == ".." {
            pop_last(&mut done);
            continue;
        }
        // `done` becomes the candidate; `parent_len` takes it back.
        let parent_len = done.len();
        push_child(&mut done, name);
        let is_last = todo.is_empty();
        let meta = match fs.lstat(Utf8Path::new(&done)) {
            Ok(meta) => meta,
            Err(FsError::NotFound { .. }) => {
                // Like systemd's CHASE_NONEXISTENT: a missing tail is only accepted if it does
                // not climb back with `..` (it would name something we cannot know).
                if todo.components().any(|part| part == "..") {
                    return Err(FsError::NotFound {
                        path: path.to_owned(),
                    });
                }
                // Complete the missing tail lexically.
                let mut rest = done;
                for part in todo.components() {
                    rest.push('/');
                    rest.push_str(part);
                }
                let completed = normalize(Utf8Path::new("/"), Utf8Path::new(&rest));
                return Ok(Resolved {
                    path: completed,
                    target: Target::Missing,
                    hops,
                });
            }
            Err(other) => return Err(other),
        };
        match meta.kind {
            FileKind::Dir => {}
            FileKind::Symlink if !is_last || follow == Follow::Yes => {
                hops += 1;
                if hops >= MAX_SYMLINK_HOPS {
                    return Err(FsError::TooManyLinks {
                        path: path.to_owned(),
                    });
                }
                let target = fs.read_link(Utf8Path::new(&done))?;
                if target.as_str().contains('\0') {
                    return Err(FsError::InvalidPath {
                        path: target.into_string(),
                        reason: "symlink target contains a NUL byte",
                    });
                }
                done.truncate(parent_len);
                if is_last && normalize(Utf8Path::new(&done), &target) == DEV_NULL {
                    return Ok(Resolved {
                        path: Utf8PathBuf::from(DEV_NULL),
                        target: Target::DevNull,
                        hops,
                    });
                }
                if target.as_str().starts_with('/') {
                    // Absolute targets are taken inside the root.
                    done.clear();
                    done.push('/');
                }
                todo.push_front(target.as_str());
                try_shortcut = use_shortcut;
            }
            _ if !is_last => {
                return Err(FsError::NotADirectory {
                    path: path.to_owned(),
                })
            }
            _ => {
                return Ok(Resolved {
                    path: Utf8PathBuf::from(done),
                    target: Target::Exists(meta),
                    hops,
                })
            }
        }
    }
    // The walk ended on a directory (or on `/`, or after a trailing `..`).
    let meta = fs.lstat(Utf8Path::new(&done))?;
    Ok(Resolved {
        path: Utf8PathBuf::from(done),
        target: Target::Exists(meta),
        hops,
    })
}

/// The components still to walk, front first: one string (the text of the link targets met,
/// each in front of what remained) read from `pos` on. Empty and `.` components are skipped when
/// read, so a symlink costs one string operation instead of one allocation per component.
#[derive(Default)]
struct Todo {
    buf: String,
    pos: usize,
}

impl Todo {
    /// Puts the components of `text` in front.
    fn push_front(&mut self, text: &str) {
        let rest = &self.buf[self.pos..];
        let mut buf = String::with_capacity(text.len() + 1 + rest.len());
        buf.push_str(text);
        if !rest.is_empty() {
            buf.push('/');
            buf.push_str(rest);
        }
        self.buf = buf;
        self.pos = 0;
    }

    /// The byte range of the next component in `buf` (never empty or `.`), consumed.
    fn pop_front(&mut self) -> Option<(usize, usize)> {
        let (start, end) = next_component(&self.buf, self.pos)?;
        self.pos = end;
        Some((start, end))
    }

    /// The next component, not consumed.
    fn front(&self) -> Option<&str> {
        next_component(&self.buf, self.pos).map(|(s, e)| &self.buf[s..e])
    }

    fn is_empty(&self) -> bool {
        next_component(&self.buf, self.pos).is_none()
    }

    /// The remaining components, in order.
    fn components(&self) -> impl Iterator<Item = &str> {
        self.buf[self.pos..]
            .split('/')
            .filter(|c| !c.is_empty() && *c != ".")
    }
}

/// The first component of `buf` at or after `from` that is neither empty nor `.`.
fn next_component(buf: &str, from: usize) -> Option<(usize, usize)> {
    let b = buf.as_bytes();
    let mut i = from;
    while i < b.len() {
        if b[i] == b'/' {
            i += 1;
            continue;
        }
        let end = b[i..]
            .iter()
            .position(|&c| c == b'/')
            .map_or(b.len(), |n| i + n);
        if &buf[i..end] != "." {
            return Some((i, end));
        }
        i = end;
    }
    None
}

/// Appends `/name` to the path `done` (no doubled slash after `/`).
fn push_child(done: &mut String, name: &str) {
    if !done.ends_with('/') {
        done.push('/');
    }
    done.push_str(name);
}

/// Takes the path `done` one level up (`/` stays `/`).
fn pop_last(done: &mut String) {
    if done == "/" {
        return;
    }
    match done.bytes().rposition(|b| b == b'/') {
        Some(0) => done.truncate(1),
        Some(cut) => done.truncate(cut),
        None => {}
    }
}

/// A shortcut that does not change the result: one `lstat` of the whole remaining path. Backends
/// check every parent component anyway and report the first symlink among them
/// ([`FsError::SymlinkInPath`]), so a path without symlinks is answered by one call instead of one
/// per component (on [`DirFs`](super::DirFs) that saves a quadratic number of `lstat`s), and
/// otherwise the walk jumps straight to the first symlink. Any other outcome leaves the walk as
/// it was.
fn shortcut(
    fs: &dyn FileSystem,
    done: &mut String,
    todo: &mut Todo,
    follow: Follow,
    hops: usize,
) -> Result<Option<Resolved>, FsError> {
    // Leading `..` components only take `done` (a resolved, physical directory) one level up,
    // exactly as the walk does without looking anything up: apply them first (common for
    // relative link targets such as `../../lib/systemd/system/x.service`).
    while todo.front() == Some("..") {
        todo.pop_front();
        pop_last(done);
    }
    let count = todo.components().count();
    if count < 2 || todo.components().any(|part| part == "..") {
        return Ok(None);
    }
    let mut full = done.trim_end_matches('/').to_owned();
    for part in todo.components() {
        full.push('/');
        full.push_str(part);
    }
    let full = Utf8PathBuf::from(full);
    let verified = match fs.lstat(&full) {
        Ok(meta) if meta.kind != FileKind::Symlink || follow == Follow::No => {
            return Ok(Some(Resolved {
                path: full,
                target: Target::Exists(meta),
                hops,
            }));
        }
        // A final symlink to follow: every parent is a real directory.
        Ok(_) => count - 1,
        // Every component before the first symlink is a real directory.
        Err(FsError::SymlinkInPath { component, .. }) => {
            let depth = |p: &str| p.split('/').filter(|c| !c.is_empty()).count();
            let (have, upto) = (depth(done), depth(component.as_str()));
            if !full.as_str().starts_with(component.as_str()) || upto <= have || upto - have > count
            {
                return Ok(None);
            }
            upto - have - 1
        }
        Err(_) => return Ok(None),
    };
    for _ in 0..verified {
        if let Some((start, end)) = todo.pop_front() {
            push_child(done, &todo.buf[start..end]);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    fn r(fs: &MemFs, path: &str) -> Result<Resolved, FsError> {
        resolve(fs, Utf8Path::new(path), Follow::Yes)
    }

    #[test]
    fn basic_cases() {
        let fs = MemFs::new();
        fs.add_file("/usr/lib/systemd/system/a.service", "")
            .expect("add");
        fs.add_symlink("/lib", "usr/lib").expect("add");
        fs.add_symlink("/etc/systemd/system/m1.service", "/dev/null")
            .expect("add");
        fs.add_symlink("/etc/systemd/system/m2.service", "../../../../dev/null")
            .expect("add");
        fs.add_symlink("/etc/systemd/system/m3.service", "/usr/../dev/null")
            .expect("add");
        fs.add_symlink(
            "/etc/systemd/system/b.service",
            "/lib/systemd/system/a.service",
        )
        .expect("add");

        let res = r(&fs, "/lib/systemd/system/a.service").expect("resolve");
        assert_eq!(
            (res.path.as_str(), res.hops),
            ("/usr/lib/systemd/system/a.service", 1)
        );
        assert_eq!(res.target.kind(), Some(FileKind::File));

        let res = r(&fs, "/etc/systemd/system/b.service").expect("resolve");
        assert_eq!(
            (res.path.as_str(), res.hops),
            ("/usr/lib/systemd/system/a.service", 2)
        );

        for m in ["m1", "m2", "m3"] {
            let res = r(&fs, &format!("/etc/systemd/system/{m}.service")).expect("resolve");
            assert_eq!(
                (res.path.as_str(), res.target, res.hops),
                ("/dev/null", Target::DevNull, 1),
                "{m}"
            );
        }

        let res = r(&fs, "/usr/lib/nothere/x").expect("resolve");
        assert_eq!(
            (res.path.as_str(), res.target),
            ("/usr/lib/nothere/x", Target::Missing)
        );

        assert!(matches!(
            r(&fs, "/usr/lib/systemd/system/a.service/x"),
            Err(FsError::NotADirectory { .. })
        ));
        assert!(matches!(
            r(&fs, "relative"),
            Err(FsError::InvalidPath { .. })
        ));
        assert_eq!(r(&fs, "/").expect("root").path, "/");
        assert_eq!(r(&fs, "/../..").expect("root").path, "/");
    }
}
