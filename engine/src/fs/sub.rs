//! [`SubFs`]: a directory of another backend seen as a root of its own, as `--root=DIR` sees a
//! directory of the host. The simulated machine uses it for `systemctl --root=DIR` on its
//! in-memory filesystem.
//!
//! Paths are mapped by prefixing the base directory; symlink targets stay verbatim, so an
//! absolute target is re-rooted at the base by [`super::resolve`], exactly as for [`DirFs`]
//! (`..` never climbs above the base either, since resolution is lexical on the mapped root).
//! Errors carry the inner backend's path (the base directory included).
//!
//! [`DirFs`]: super::DirFs

use super::{path::check_path, resolve, DirEntry, FileSystem, Follow, FsError, Metadata, Target};
use camino::{Utf8Path, Utf8PathBuf};

/// A directory of `inner` used as the root.
#[derive(Debug)]
pub struct SubFs<'a> {
    inner: &'a dyn FileSystem,
    base: Utf8PathBuf,
}

impl<'a> SubFs<'a> {
    /// The directory `base` of `inner` as a root. `base` is resolved in `inner` (symlinks
    /// followed, re-rooted at `inner`'s root) and must be a directory.
    pub fn new(inner: &'a dyn FileSystem, base: &Utf8Path) -> Result<SubFs<'a>, FsError> {
        let r = resolve(inner, base, Follow::Yes)?;
        match r.target {
            Target::Exists(m) if m.kind == super::FileKind::Dir => Ok(SubFs {
                inner,
                base: r.path,
            }),
            Target::Missing => Err(FsError::NotFound { path: r.path }),
            _ => Err(FsError::NotADirectory { path: r.path }),
        }
    }

    /// The base directory, resolved, as a path of the inner backend.
    pub fn base(&self) -> &Utf8Path {
        &self.base
    }

    fn map(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        check_path(path)?;
        let rel = path.as_str().trim_start_matches('/');
        Ok(if rel.is_empty() {
            self.base.clone()
        } else {
            self.base.join(rel)
        })
    }
}

impl FileSystem for SubFs<'_> {
    fn lstat(&self, path: &Utf8Path) -> Result<Metadata, FsError> {
        self.inner.lstat(&self.map(path)?)
    }
    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        self.inner.read(&self.map(path)?, limit)
    }
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        self.inner.read_link(&self.map(path)?)
    }
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<DirEntry>, FsError> {
        self.inner.read_dir(&self.map(path)?)
    }
    fn read_dir_metadata(&self, path: &Utf8Path) -> Result<Vec<(DirEntry, Metadata)>, FsError> {
        self.inner.read_dir_metadata(&self.map(path)?)
    }
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.inner.create_dir_all(&self.map(path)?)
    }
    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        self.inner.symlink(target, &self.map(link)?)
    }
    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.inner.remove_file(&self.map(path)?)
    }
    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
        if path == "/" {
            return Err(FsError::InvalidPath {
                path: path.to_string(),
                reason: "the root cannot be removed",
            });
        }
        self.inner.remove_dir(&self.map(path)?)
    }
    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        if path == "/" {
            return Err(FsError::InvalidPath {
                path: path.to_string(),
                reason: "the root cannot be removed",
            });
        }
        self.inner.remove_dir_all(&self.map(path)?)
    }
    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError> {
        self.inner.write_atomic(&self.map(path)?, data)
    }
    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError> {
        if from == "/" || to == "/" {
            return Err(FsError::InvalidPath {
                path: from.to_string(),
                reason: "the root cannot be renamed",
            });
        }
        self.inner.rename(&self.map(from)?, &self.map(to)?)
    }
    fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.inner.create_char_device(&self.map(path)?)
    }
    fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
        self.inner.set_mode(&self.map(path)?, mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    #[test]
    fn a_directory_becomes_the_root() {
        let mem = MemFs::new();
        mem.add_file(Utf8Path::new("/mnt/img/etc/a.service"), b"x")
            .unwrap();
        mem.add_symlink(Utf8Path::new("/mnt/img/etc/b.service"), "/etc/a.service")
            .unwrap();
        mem.add_symlink(Utf8Path::new("/mnt/img/etc/up"), "../../../../etc")
            .unwrap();
        mem.add_file(Utf8Path::new("/etc/secret"), b"host").unwrap();
        mem.add_symlink(Utf8Path::new("/mnt/link"), "img").unwrap();
        let sub = SubFs::new(&mem, Utf8Path::new("/mnt/link")).unwrap();
        assert_eq!(sub.base(), "/mnt/img");
        assert_eq!(sub.read(Utf8Path::new("/etc/a.service"), 10).unwrap(), b"x");
        // An absolute target is re-rooted at the base, and `..` stops at it: nothing of the
        // outer tree is reachable.
        let r = resolve(&sub, Utf8Path::new("/etc/b.service"), Follow::Yes).unwrap();
        assert_eq!(r.path, "/etc/a.service");
        let r = resolve(&sub, Utf8Path::new("/etc/up/secret"), Follow::Yes).unwrap();
        assert_eq!(r.path, "/etc/secret");
        assert!(matches!(r.target, Target::Missing));
        sub.create_dir_all(Utf8Path::new("/etc/x.wants")).unwrap();
        assert!(mem.lstat(Utf8Path::new("/mnt/img/etc/x.wants")).is_ok());
        assert!(sub.remove_dir_all(Utf8Path::new("/")).is_err());
        assert!(SubFs::new(&mem, Utf8Path::new("/nope")).is_err());
        assert!(SubFs::new(&mem, Utf8Path::new("/etc/secret")).is_err());
    }
}
