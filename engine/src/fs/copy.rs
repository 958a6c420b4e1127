//! [`copy_tree`]: copying a subtree from one backend to another.

use super::path::{child, split_last};
use super::{FileKind, FileSystem, FsError, MAX_FILE_SIZE};
use camino::Utf8Path;

/// Copies the object at `path` in `src` (and, for a directory, everything below it) to the same
/// path in `dst`, never following symlinks.
///
/// * regular files: contents (up to [`MAX_FILE_SIZE`]) and mode;
/// * directories: created (merged into an existing directory), then their mode is copied;
/// * symlinks: the target text verbatim;
/// * character devices: [`FileSystem::create_char_device`] (fails with
///   [`FsError::Unsupported`] on a backend that cannot create them, such as [`DirFs`](super::DirFs));
/// * other objects (fifos, sockets) are skipped.
///
/// Missing parent directories of `path` are created in `dst`. An existing non-directory in `dst`
/// is replaced; a directory in `dst` where `src` has a non-directory is an error
/// ([`FsError::IsADirectory`]). Modes are copied only where `dst` supports
/// [`FileSystem::set_mode`].
pub fn copy_tree(
    src: &dyn FileSystem,
    dst: &dyn FileSystem,
    path: &Utf8Path,
) -> Result<(), FsError> {
    let meta = src.lstat(path)?;
    if let Some((parent, _)) = split_last(path) {
        dst.create_dir_all(parent)?;
    }
    copy_one(src, dst, path, meta.kind, meta.mode)
}

fn copy_one(
    src: &dyn FileSystem,
    dst: &dyn FileSystem,
    path: &Utf8Path,
    kind: FileKind,
    mode: u32,
) -> Result<(), FsError> {
    match kind {
        FileKind::Dir => {
            match dst.lstat(path) {
                Ok(existing) if existing.kind == FileKind::Dir => {}
                Ok(_) => {
                    dst.remove_file(path)?;
                    dst.create_dir_all(path)?;
                }
                Err(FsError::NotFound { .. }) => dst.create_dir_all(path)?,
                Err(other) => return Err(other),
            }
            for entry in src.read_dir(path)? {
                let entry_path = child(path, &entry.name);
                let entry_mode = src.lstat(&entry_path)?.mode;
                copy_one(src, dst, &entry_path, entry.kind, entry_mode)?;
            }
            set_mode(dst, path, mode)
        }
        FileKind::File => {
            let data = src.read(path, MAX_FILE_SIZE)?;
            dst.write_atomic(path, &data)?;
            set_mode(dst, path, mode)
        }
        FileKind::Symlink => {
            let target = src.read_link(path)?;
            replace_non_dir(dst, path)?;
            dst.symlink(&target, path)
        }
        FileKind::CharDevice => {
            replace_non_dir(dst, path)?;
            dst.create_char_device(path)
        }
        FileKind::Other => Ok(()),
    }
}

/// Makes room for a new non-directory at `path` in `dst`.
fn replace_non_dir(dst: &dyn FileSystem, path: &Utf8Path) -> Result<(), FsError> {
    match dst.lstat(path) {
        Ok(existing) if existing.kind == FileKind::Dir => Err(FsError::IsADirectory {
            path: path.to_owned(),
        }),
        Ok(_) => dst.remove_file(path),
        Err(FsError::NotFound { .. }) => Ok(()),
        Err(other) => Err(other),
    }
}

fn set_mode(dst: &dyn FileSystem, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
    match dst.set_mode(path, mode) {
        Err(FsError::Unsupported { .. }) => Ok(()),
        other => other,
    }
}
