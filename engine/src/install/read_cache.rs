//! A memoizing read-only view of a filesystem, for operations that only look (`list-unit-files`).
//!
//! The installer's lookups `lstat` the same directories over and over (every unit lookup walks
//! the search path and its drop-in directories component by component). Remembering `lstat`,
//! `read_link` and `read_dir` answers makes a whole-tree listing linear in the size of the tree.
//! Writes are refused: the cache would go stale.
use crate::fs::{DirEntry, FileSystem, FsError, Metadata};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::HashMap;
use std::sync::Mutex;

/// Remembered answers: a value, or "not found" (other errors are not remembered).
type Memo<T> = Mutex<HashMap<Utf8PathBuf, Option<T>>>;

/// A read-only, memoizing wrapper around another filesystem.
#[derive(Debug)]
pub struct ReadCache<'a> {
    inner: &'a dyn FileSystem,
    lstat: Memo<Metadata>,
    link: Memo<Utf8PathBuf>,
    dir: Memo<Vec<DirEntry>>,
}

impl<'a> ReadCache<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a dyn FileSystem) -> ReadCache<'a> {
        ReadCache {
            inner,
            lstat: Mutex::default(),
            link: Mutex::default(),
            dir: Mutex::default(),
        }
    }
}

fn memo<T: Clone>(
    m: &Memo<T>,
    path: &Utf8Path,
    f: impl FnOnce() -> Result<T, FsError>,
) -> Result<T, FsError> {
    if let Ok(g) = m.lock() {
        match g.get(path) {
            Some(Some(v)) => return Ok(v.clone()),
            Some(None) => {
                return Err(FsError::NotFound {
                    path: path.to_owned(),
                })
            }
            None => {}
        }
    }
    let v = f();
    let keep = match &v {
        Ok(x) => Some(Some(x.clone())),
        Err(e) if e.is_not_found() => Some(None),
        Err(_) => None,
    };
    if let (Some(k), Ok(mut g)) = (keep, m.lock()) {
        g.insert(path.to_owned(), k);
    }
    v
}

fn read_only(path: &Utf8Path) -> FsError {
    FsError::Unsupported {
        op: "write through a read cache",
        path: path.to_owned(),
    }
}

impl FileSystem for ReadCache<'_> {
    fn lstat(&self, path: &Utf8Path) -> Result<Metadata, FsError> {
        memo(&self.lstat, path, || self.inner.lstat(path))
    }
    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        self.inner.read(path, limit)
    }
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        memo(&self.link, path, || self.inner.read_link(path))
    }
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<DirEntry>, FsError> {
        memo(&self.dir, path, || self.inner.read_dir(path))
    }
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        Err(read_only(path))
    }
    fn symlink(&self, _target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        Err(read_only(link))
    }
    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
        Err(read_only(path))
    }
    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
        Err(read_only(path))
    }
    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        Err(read_only(path))
    }
    fn write_atomic(&self, path: &Utf8Path, _data: &[u8]) -> Result<(), FsError> {
        Err(read_only(path))
    }
    fn rename(&self, from: &Utf8Path, _to: &Utf8Path) -> Result<(), FsError> {
        Err(read_only(from))
    }
}
