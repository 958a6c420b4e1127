//! Dry runs: run an operation on an in-memory copy of the tree.
use crate::fs::{FileKind, FileSystem, FsError, MemFs};
use camino::Utf8Path;

/// Copies everything below `/` of `src` into a fresh [`MemFs`].
pub fn snapshot(src: &dyn FileSystem) -> Result<MemFs, FsError> {
    let dst = MemFs::new();
    copy_dir(src, &dst, Utf8Path::new("/"))?;
    Ok(dst)
}

fn copy_dir(src: &dyn FileSystem, dst: &MemFs, dir: &Utf8Path) -> Result<(), FsError> {
    for e in src.read_dir(dir)? {
        let p = dir.join(&e.name);
        match e.kind {
            FileKind::Dir => {
                dst.add_dir(&p)?;
                copy_dir(src, dst, &p)?;
            }
            FileKind::Symlink => dst.add_symlink(&p, src.read_link(&p)?)?,
            FileKind::File => dst.add_file(&p, src.read(&p, crate::fs::MAX_FILE_SIZE)?)?,
            FileKind::CharDevice => dst.add_char_device(&p)?,
            FileKind::Other => {}
        }
    }
    Ok(())
}

/// Runs `op` on `fs`, or on a copy of it for a dry run.
pub fn run<T>(
    fs: &dyn FileSystem,
    dry_run: bool,
    op: impl FnOnce(&dyn FileSystem) -> T,
) -> Result<T, FsError> {
    if dry_run {
        let copy = snapshot(fs)?;
        Ok(op(&copy))
    } else {
        Ok(op(fs))
    }
}
