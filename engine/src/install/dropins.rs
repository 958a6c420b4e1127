//! The installer's drop-in view (reference §3.6): `*.conf` files of `NAME.d/` (and, for
//! instances, `TEMPLATE.d/`) in every search directory.
use super::fsutil::{join, parent};
use crate::fs::{FileKind, FileSystem};
use crate::load::LookupPaths;
use camino::{Utf8Path, Utf8PathBuf};

/// `conf_files_list_strv(".conf")`: entries named `*.conf` (any type, hidden and backup files
/// skipped) in `dirs`, the first of each basename winning, sorted by basename. Paths are in the
/// resolved directory, as systemd reports them.
///
/// systemd opens these directories on the host without the root, so a directory reached through
/// an absolute symlink lies outside the root: it is treated as missing here (see
/// [`resolve_hostlike`]).
pub(crate) fn conf_files(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    dirs: &[Utf8PathBuf],
) -> Vec<Utf8PathBuf> {
    let mut by_name: std::collections::BTreeMap<String, Utf8PathBuf> = Default::default();
    for d in dirs {
        let Some(real) = resolve_hostlike(fs, lp, d) else {
            continue;
        };
        let Ok(entries) = fs.read_dir(&real) else {
            continue;
        };
        for e in entries {
            if super::symlink::hidden_or_backup(&e.name) || !e.name.ends_with(".conf") {
                continue;
            }
            by_name
                .entry(e.name.clone())
                .or_insert_with(|| join(&real, &e.name));
        }
    }
    by_name.into_values().collect()
}

/// Where a root-less host walk of a path ends (see [`walk_hostlike`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hostlike {
    /// Inside the root, at this existing object.
    Inside(Utf8PathBuf, crate::fs::Metadata),
    /// A symlink with this absolute target, or a `..` above the root, led out of the root to this
    /// host path (only with a root).
    Outside(Utf8PathBuf),
    /// Nothing there.
    Missing,
    /// The walk failed (`ELOOP` after too many links, `ENOTDIR` for a file used as a directory).
    Error(super::change::Errno),
}

/// Walks `path` the way the host would for systemd's root-less operations on root-prefixed
/// paths: relative symlinks are followed inside the root; with a root, an absolute symlink or a
/// `..` above the root leads out of it onto the host ([`Hostlike::Outside`]); without one an
/// absolute symlink restarts at `/` and `..` stops at `/`. The last component is followed too.
pub(crate) fn walk_hostlike(fs: &dyn FileSystem, lp: &LookupPaths, path: &Utf8Path) -> Hostlike {
    let mut todo: Vec<String> = path
        .as_str()
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .rev()
        .map(str::to_owned)
        .collect();
    let mut done = Utf8PathBuf::from("/");
    let mut hops = 0;
    while let Some(c) = todo.pop() {
        if c == ".." {
            if done == "/" {
                if let Some(root) = lp.root() {
                    // The host's `..` of the root directory: out of the root.
                    let rest: Vec<String> = todo.iter().rev().cloned().collect();
                    return Hostlike::Outside(crate::fs::normalize(
                        Utf8Path::new("/"),
                        Utf8Path::new(&format!("{root}/../{}", rest.join("/"))),
                    ));
                }
            }
            done = parent(&done);
            continue;
        }
        let next = join(&done, &c);
        let meta = match fs.lstat(&next) {
            Ok(m) => m,
            Err(e) if e.is_not_found() => return Hostlike::Missing,
            Err(e) => return Hostlike::Error(super::change::Errno::from_fs(&e)),
        };
        match meta.kind {
            FileKind::Symlink => {
                hops += 1;
                if hops > crate::fs::MAX_SYMLINK_HOPS {
                    return Hostlike::Error(super::change::Errno::ELOOP);
                }
                let target = match fs.read_link(&next) {
                    Ok(t) => t,
                    Err(e) => return Hostlike::Error(super::change::Errno::from_fs(&e)),
                };
                if target.as_str().starts_with('/') {
                    if lp.root().is_some() {
                        let rest: Vec<String> = todo.iter().rev().cloned().collect();
                        let outside = crate::fs::normalize(
                            Utf8Path::new("/"),
                            Utf8Path::new(&format!("{target}/{}", rest.join("/"))),
                        );
                        return Hostlike::Outside(outside);
                    }
                    done = Utf8PathBuf::from("/");
                }
                todo.extend(
                    target
                        .as_str()
                        .split('/')
                        .filter(|x| !x.is_empty() && *x != ".")
                        .rev()
                        .map(str::to_owned),
                );
            }
            FileKind::Dir => done = next,
            _ if todo.is_empty() => return Hostlike::Inside(next, meta),
            _ => return Hostlike::Error(super::change::Errno::ENOTDIR),
        }
    }
    match fs.lstat(&done) {
        Ok(m) => Hostlike::Inside(done, m),
        Err(_) => Hostlike::Missing,
    }
}

/// `opendir()` of the search directory `path`, walked like [`walk_hostlike`]: `Ok(Some(dir))` for
/// a directory inside the root, `Ok(None)` when nothing is there (`ENOENT`; also a directory out
/// of the root, which is never read), else the error (`ENOTDIR` for a file, `ELOOP` for a symlink
/// loop). Callers skip the errors systemd skips (reference §4: `list-unit-files` and `is-enabled`
/// skip `ENOTDIR` and `EACCES`, `preset-all` does not).
pub(crate) fn open_search_dir(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    path: &Utf8Path,
) -> Result<Option<Utf8PathBuf>, super::change::Errno> {
    match walk_hostlike(fs, lp, path) {
        Hostlike::Inside(p, m) if m.kind == FileKind::Dir => Ok(Some(p)),
        Hostlike::Inside(..) => Err(super::change::Errno::ENOTDIR),
        Hostlike::Missing | Hostlike::Outside(_) => Ok(None),
        Hostlike::Error(super::change::Errno::ENOENT) => Ok(None),
        Hostlike::Error(e) => Err(e),
    }
}

/// Why `find_symlinks()` and `unit_file_get_list()` fail on the search directory `path`: an
/// [`open_search_dir`] error other than the `ENOTDIR` and `EACCES` they skip (`ELOOP`, "Too many
/// levels of symbolic links", for a directory that is a symlink loop).
pub(crate) fn search_dir_failure(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    path: &Utf8Path,
) -> Option<super::change::Errno> {
    use super::change::Errno;
    match open_search_dir(fs, lp, path) {
        Err(e) if !matches!(e, Errno::ENOTDIR | Errno::EACCES) => Some(e),
        _ => None,
    }
}

/// Resolves the directory `path` like [`walk_hostlike`]; `None` unless it ends at a directory
/// inside the root.
pub(crate) fn resolve_hostlike(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    path: &Utf8Path,
) -> Option<Utf8PathBuf> {
    match walk_hostlike(fs, lp, path) {
        Hostlike::Inside(p, m) if m.kind == FileKind::Dir => Some(p),
        _ => None,
    }
}
