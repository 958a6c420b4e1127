//! Small path and filesystem helpers shared by the install operations (root-relative paths).
use super::change::Errno;
use crate::fs::{resolve, FileKind, FileSystem, Follow, FsError, Metadata, Target};
use camino::{Utf8Path, Utf8PathBuf};

pub(crate) fn basename(p: &str) -> &str {
    match p.bytes().rposition(|b| b == b'/') {
        Some(i) => &p[i + 1..],
        None => p,
    }
}

/// [`parent`] borrowed from `p` where it is a plain path (no allocation).
pub(crate) fn parent_cow(p: &Utf8Path) -> std::borrow::Cow<'_, Utf8Path> {
    if plain_path(p.as_str()) {
        return std::borrow::Cow::Borrowed(Utf8Path::new(
            match p.as_str().bytes().rposition(|b| b == b'/') {
                Some(0) | None => "/",
                Some(cut) => &p.as_str()[..cut],
            },
        ));
    }
    std::borrow::Cow::Owned(parent(p))
}

pub(crate) fn parent(p: &Utf8Path) -> Utf8PathBuf {
    // A plain path's parent is the text before its last slash (what `Path::parent` gives, without
    // its component walk).
    if plain_path(p.as_str()) {
        return match p.as_str().bytes().rposition(|b| b == b'/') {
            Some(0) | None => Utf8PathBuf::from("/"),
            Some(cut) => Utf8PathBuf::from(&p.as_str()[..cut]),
        };
    }
    p.parent()
        .map_or_else(|| Utf8PathBuf::from("/"), Utf8Path::to_owned)
}

pub(crate) fn join(dir: &Utf8Path, name: &str) -> Utf8PathBuf {
    // A plain directory and one ordinary component: `normalize` would only concatenate them.
    if !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && plain_path(dir.as_str())
    {
        return crate::fs::child_path(dir, name);
    }
    crate::fs::normalize(dir, Utf8Path::new(name))
}

/// Whether `p` is a plain absolute path: no empty component and none starting with `.` (so no
/// `.` or `..`), no trailing slash (so that comparing or cutting its text is comparing or cutting
/// its components). Conservative: a path with a hidden component just takes the slow way.
pub(crate) fn plain_path(p: &str) -> bool {
    let b = p.as_bytes();
    if b.first() != Some(&b'/') {
        return false;
    }
    if b.len() > 1 && b[b.len() - 1] == b'/' {
        return false;
    }
    // No `//` and no `/.` (the searcher of a two-byte needle scans many bytes at a time).
    !p.contains("//") && !p.contains("/.")
}

pub(crate) fn errno(e: &FsError) -> Errno {
    Errno::from_fs(e)
}

/// `lstat()` as the host does it: parent components are followed (inside the root), the last one
/// is not.
pub(crate) fn lstat_host(
    fs: &dyn FileSystem,
    path: &Utf8Path,
) -> Result<(Utf8PathBuf, Metadata), Errno> {
    let name = basename(path.as_str());
    let dir = parent(path);
    let r = resolve(fs, &dir, Follow::Yes).map_err(|e| errno(&e))?;
    match r.target {
        Target::Missing => return Err(Errno::ENOENT),
        Target::DevNull => return Err(Errno::ENOTDIR),
        Target::Exists(m) if m.kind != FileKind::Dir => return Err(Errno::ENOTDIR),
        Target::Exists(_) => {}
    }
    let real = if name.is_empty() {
        r.path
    } else {
        join(&r.path, name)
    };
    let meta = fs.lstat(&real).map_err(|e| errno(&e))?;
    Ok((real, meta))
}

/// `null_or_empty_path()` inside the root: follows links; `ENOENT` if nothing is there.
pub(crate) fn null_or_empty(fs: &dyn FileSystem, path: &Utf8Path) -> Result<bool, Errno> {
    // systemd's null_or_empty_path_with_root() takes `ROOT/dev/null` as a mask without looking.
    if path == "/dev/null" {
        return Ok(true);
    }
    let r = resolve(fs, path, Follow::Yes).map_err(|e| errno(&e))?;
    Ok(match r.target {
        Target::Missing => return Err(Errno::ENOENT),
        Target::DevNull => true,
        Target::Exists(m) => is_null_or_empty(&m),
    })
}

pub(crate) fn is_null_or_empty(m: &Metadata) -> bool {
    m.kind == FileKind::CharDevice || (m.kind == FileKind::File && m.size == 0)
}
