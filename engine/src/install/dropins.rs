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

/// Resolves the directory `path` the way the host would for systemd's root-less directory
/// walks: relative symlinks are followed inside the root; with a root, an absolute symlink leads
/// out of it and the directory counts as missing (`None`). Also `None` if it is not a directory.
pub(crate) fn resolve_hostlike(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    path: &Utf8Path,
) -> Option<Utf8PathBuf> {
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
            done = parent(&done);
            continue;
        }
        let next = join(&done, &c);
        let meta = fs.lstat(&next).ok()?;
        match meta.kind {
            FileKind::Dir => done = next,
            FileKind::Symlink => {
                hops += 1;
                if hops > crate::fs::MAX_SYMLINK_HOPS {
                    return None;
                }
                let target = fs.read_link(&next).ok()?;
                if target.as_str().starts_with('/') {
                    if lp.root().is_some() {
                        return None;
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
            _ => return None,
        }
    }
    Some(done)
}
