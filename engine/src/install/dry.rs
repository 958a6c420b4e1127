//! Dry runs: run an operation on a copy-on-write overlay of the tree.
//!
//! [`Overlay`] is a [`FileSystem`] that reads through to a base filesystem and keeps every change
//! in memory: created objects live in an upper [`MemFs`], removed paths are remembered as
//! *whiteouts*. A whited-out directory that is created again is opaque (its base entries stay
//! hidden). The base is never written, so an operation run on an overlay computes exactly the
//! changes it would make, at the cost of the paths it touches only.
use crate::fs::{DirEntry, FileKind, FileSystem, FsError, MemFs, Metadata};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// A copy-on-write view of `base` (see the module docs).
#[derive(Debug)]
pub struct Overlay<'a> {
    base: &'a dyn FileSystem,
    upper: MemFs,
    whiteouts: Mutex<BTreeSet<Utf8PathBuf>>,
}

impl<'a> Overlay<'a> {
    /// An overlay with no changes yet.
    pub fn new(base: &'a dyn FileSystem) -> Overlay<'a> {
        Overlay {
            base,
            upper: MemFs::new(),
            whiteouts: Mutex::new(BTreeSet::new()),
        }
    }

    fn whiteouts(&self) -> std::sync::MutexGuard<'_, BTreeSet<Utf8PathBuf>> {
        match self.whiteouts.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Whether `path` or one of its ancestors was removed.
    fn hidden(&self, path: &Utf8Path) -> bool {
        let w = self.whiteouts();
        path.ancestors().any(|a| w.contains(a))
    }

    fn in_upper(&self, path: &Utf8Path) -> Option<Metadata> {
        self.upper.lstat(path).ok()
    }

    fn whiteout(&self, path: &Utf8Path) {
        self.whiteouts().insert(path.to_owned());
    }

    fn not_found(path: &Utf8Path) -> FsError {
        FsError::NotFound {
            path: path.to_owned(),
        }
    }

    /// Makes sure the parent of `path` exists in the upper layer (it must exist in the view).
    fn prepare_parent(&self, path: &Utf8Path) -> Result<(), FsError> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        match self.lstat(parent)?.kind {
            FileKind::Dir => self.upper.create_dir_all(parent),
            _ => Err(FsError::NotADirectory {
                path: parent.to_owned(),
            }),
        }
    }
}

impl FileSystem for Overlay<'_> {
    fn lstat(&self, path: &Utf8Path) -> Result<Metadata, FsError> {
        if let Some(m) = self.in_upper(path) {
            return Ok(m);
        }
        if self.hidden(path) {
            return Err(Self::not_found(path));
        }
        self.base.lstat(path)
    }

    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        if self.in_upper(path).is_some() {
            return self.upper.read(path, limit);
        }
        if self.hidden(path) {
            return Err(Self::not_found(path));
        }
        self.base.read(path, limit)
    }

    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        if self.in_upper(path).is_some() {
            return self.upper.read_link(path);
        }
        if self.hidden(path) {
            return Err(Self::not_found(path));
        }
        self.base.read_link(path)
    }

    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<DirEntry>, FsError> {
        let hidden = self.hidden(path);
        let upper = self.upper.read_dir(path).ok();
        let mut out: Vec<DirEntry> = if hidden {
            Vec::new()
        } else {
            match (self.base.read_dir(path), &upper) {
                (Ok(v), _) => v,
                (Err(_), Some(_)) => Vec::new(),
                (Err(e), None) => return Err(e),
            }
        };
        if hidden && upper.is_none() {
            return Err(Self::not_found(path));
        }
        // Drop base entries that were removed or replaced, then add the upper ones.
        let w = self.whiteouts().clone();
        out.retain(|e| !w.contains(&path.join(&e.name)));
        if let Some(up) = upper {
            for e in up {
                match out.iter_mut().find(|x| x.name == e.name) {
                    Some(x) => *x = e,
                    None => out.push(e),
                }
            }
        }
        Ok(out)
    }

    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        // Every existing ancestor must be a directory in the view.
        for a in path.ancestors().collect::<Vec<_>>().into_iter().rev() {
            match self.lstat(a) {
                Ok(m) if m.kind == FileKind::Dir => {}
                Ok(_) => {
                    return Err(FsError::NotADirectory { path: a.to_owned() });
                }
                Err(_) => break,
            }
        }
        self.upper.create_dir_all(path)
    }

    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        if self.lstat(link).is_ok() {
            return Err(FsError::AlreadyExists {
                path: link.to_owned(),
            });
        }
        self.prepare_parent(link)?;
        self.upper.symlink(target, link)
    }

    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
        let m = self.lstat(path)?;
        if m.kind == FileKind::Dir {
            return Err(FsError::IsADirectory {
                path: path.to_owned(),
            });
        }
        if self.in_upper(path).is_some() {
            self.upper.remove_file(path)?;
        }
        self.whiteout(path);
        Ok(())
    }

    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
        let m = self.lstat(path)?;
        if m.kind != FileKind::Dir {
            return Err(FsError::NotADirectory {
                path: path.to_owned(),
            });
        }
        if !self.read_dir(path)?.is_empty() {
            return Err(FsError::DirectoryNotEmpty {
                path: path.to_owned(),
            });
        }
        if self.in_upper(path).is_some() {
            self.upper.remove_dir_all(path)?;
        }
        self.whiteout(path);
        Ok(())
    }

    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.lstat(path)?;
        if self.in_upper(path).is_some() {
            self.upper.remove_dir_all(path)?;
        }
        self.whiteout(path);
        Ok(())
    }

    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError> {
        if let Ok(m) = self.lstat(path) {
            if m.kind == FileKind::Dir {
                return Err(FsError::IsADirectory {
                    path: path.to_owned(),
                });
            }
            if self.in_upper(path).is_some() {
                self.upper.remove_file(path)?;
            }
        }
        self.prepare_parent(path)?;
        self.upper.write_atomic(path, data)
    }

    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError> {
        let m = self.lstat(from)?;
        match m.kind {
            FileKind::Symlink => {
                let t = self.read_link(from)?;
                if self.lstat(to).is_ok() {
                    self.remove_file(to)?;
                }
                self.symlink(&t, to)?;
            }
            FileKind::File => {
                let data = self.read(from, u64::MAX)?;
                self.write_atomic(to, &data)?;
            }
            _ => {
                return Err(FsError::Unsupported {
                    op: "rename",
                    path: from.to_owned(),
                })
            }
        }
        self.remove_file(from)
    }
}

/// Runs `op` on `fs`, or on an [`Overlay`] of it for a dry run.
pub fn run<T>(
    fs: &dyn FileSystem,
    dry_run: bool,
    op: impl FnOnce(&dyn FileSystem) -> T,
) -> Result<T, FsError> {
    if dry_run {
        let overlay = Overlay::new(fs);
        Ok(op(&overlay))
    } else {
        Ok(op(fs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_hides_removals_and_keeps_the_base() {
        let base = MemFs::new();
        base.add_file("/etc/a/x", "1").expect("file");
        base.add_file("/etc/a/y", "2").expect("file");
        base.add_symlink("/etc/l", "/dev/null").expect("link");
        let before = format!("{base:?}");
        let o = Overlay::new(&base);
        o.remove_file(Utf8Path::new("/etc/a/x")).expect("rm");
        assert!(o.lstat(Utf8Path::new("/etc/a/x")).is_err());
        let names: Vec<String> = o
            .read_dir(Utf8Path::new("/etc/a"))
            .expect("ls")
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, vec!["y"]);
        o.symlink(Utf8Path::new("/t"), Utf8Path::new("/etc/a/x"))
            .expect("ln");
        assert_eq!(
            o.read_link(Utf8Path::new("/etc/a/x")).expect("readlink"),
            "/t"
        );
        assert!(matches!(
            o.symlink(Utf8Path::new("/t"), Utf8Path::new("/etc/l")),
            Err(FsError::AlreadyExists { .. })
        ));
        o.remove_dir_all(Utf8Path::new("/etc/a")).expect("rm -r");
        o.create_dir_all(Utf8Path::new("/etc/a/new"))
            .expect("mkdir");
        let names: Vec<String> = o
            .read_dir(Utf8Path::new("/etc/a"))
            .expect("ls")
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, vec!["new"]);
        assert_eq!(format!("{base:?}"), before);
    }
}
