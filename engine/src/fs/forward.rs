//! [`FileSystem`] for references and smart pointers, so that `&MemFs`, `Box<dyn FileSystem>` and
//! `Arc<DirFs>` can be passed wherever a backend is expected.

use super::{DirEntry, FileSystem, FsError, Metadata};
use camino::{Utf8Path, Utf8PathBuf};
use std::sync::Arc;

macro_rules! forward {
    ($($ty:ty),*) => {$(
        impl<T: FileSystem + ?Sized> FileSystem for $ty {
            fn lstat(&self, path: &Utf8Path) -> Result<Metadata, FsError> {
                (**self).lstat(path)
            }
            fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
                (**self).read(path, limit)
            }
            fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
                (**self).read_link(path)
            }
            fn read_dir(&self, path: &Utf8Path) -> Result<Vec<DirEntry>, FsError> {
                (**self).read_dir(path)
            }
            fn read_dir_metadata(
                &self,
                path: &Utf8Path,
            ) -> Result<Vec<(DirEntry, Metadata)>, FsError> {
                (**self).read_dir_metadata(path)
            }
            fn prefetch_dirs(&self, paths: &[&Utf8Path]) {
                (**self).prefetch_dirs(paths)
            }
            fn read_links(
                &self,
                dir: &Utf8Path,
                names: &[&str],
            ) -> Vec<Result<Utf8PathBuf, FsError>> {
                (**self).read_links(dir, names)
            }
            fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
                (**self).create_dir_all(path)
            }
            fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
                (**self).symlink(target, link)
            }
            fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
                (**self).remove_file(path)
            }
            fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
                (**self).remove_dir(path)
            }
            fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
                (**self).remove_dir_all(path)
            }
            fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError> {
                (**self).write_atomic(path, data)
            }
            fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError> {
                (**self).rename(from, to)
            }
            fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
                (**self).create_char_device(path)
            }
            fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
                (**self).set_mode(path, mode)
            }
        }
    )*};
}

forward!(&T, Box<T>, Arc<T>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::{resolve, Follow, MemFs};

    #[test]
    fn pointers_forward_every_method() {
        let fs = Arc::new(MemFs::new());
        let boxed: Box<dyn FileSystem> = Box::new(fs.clone());
        boxed.create_dir_all(Utf8Path::new("/d")).expect("mkdir");
        boxed
            .write_atomic(Utf8Path::new("/d/f"), b"x")
            .expect("write");
        boxed
            .create_char_device(Utf8Path::new("/d/null"))
            .expect("mknod");
        boxed.set_mode(Utf8Path::new("/d/f"), 0o600).expect("chmod");
        boxed
            .symlink(Utf8Path::new("f"), Utf8Path::new("/d/l"))
            .expect("symlink");
        let r = resolve(&boxed, Utf8Path::new("/d/l"), Follow::Yes).expect("resolve");
        assert_eq!(r.path, "/d/f");
        assert_eq!(fs.lstat(Utf8Path::new("/d/f")).expect("lstat").mode, 0o600);
        let by_ref: &dyn FileSystem = &&*fs;
        assert_eq!(by_ref.read(Utf8Path::new("/d/f"), 1).expect("read"), b"x");
        assert_eq!(
            boxed.read_dir(Utf8Path::new("/d")).expect("read_dir").len(),
            3
        );
    }
}
