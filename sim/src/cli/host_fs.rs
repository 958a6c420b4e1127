//! The host side of the install verbs: a [`DirFs`] that keeps `readdir()` order, and the host
//! facts systemd's host specifiers read.
use camino::{Utf8Path, Utf8PathBuf};
use unitlab_engine::fs::{DirFs, FileSystem, FsError};

/// A [`DirFs`] whose `read_dir` returns entries in the host's `readdir()` order, as systemd
/// sees them (`DirFs` sorts them). The order of `disable`'s and `revert`'s `Removed` lines and the
/// outcome of some directory walks depend on it (reference §4.2 item 5).
///
/// It also remembers which directories it has checked (while listing them) to be real
/// directories inside the root, so that reading the links of a listed directory costs one
/// `readlink` each instead of a walk of every parent. Creating links, files or directories and
/// removing files cannot turn a real directory into something else; removing or renaming
/// directories (and replacing files) forgets them all.
///
/// Loading resolves the same paths over and over (every `.wants/` link walks `/lib`,
/// `/lib/systemd`, ... and is read several times), so the results of `lstat` and `read_link` that
/// succeeded are remembered too ([`Known`]); **every** change made through this `HostFs` forgets
/// them all (a new entry changes its directory's mtime, a replaced link its target). Changes made
/// behind its back are not seen: a `HostFs` lives for one CLI command.
#[derive(Debug)]
pub struct HostFs(pub DirFs, Checked, Known);

/// Successful `lstat` and `read_link` results (root-relative paths), forgotten on every change.
#[derive(Debug, Default)]
pub struct Known {
    meta: std::sync::Mutex<std::collections::HashMap<Utf8PathBuf, unitlab_engine::fs::Metadata>>,
    links: std::sync::Mutex<std::collections::HashMap<Utf8PathBuf, Utf8PathBuf>>,
}

/// Directories (root-relative) known to be real directories all the way down from the root.
#[derive(Debug, Default)]
pub struct Checked(std::sync::Mutex<std::collections::HashSet<Utf8PathBuf>>);

impl HostFs {
    /// Wraps `fs`.
    pub fn new(fs: DirFs) -> HostFs {
        HostFs(fs, Checked::default(), Known::default())
    }

    /// Forgets the remembered `lstat`/`read_link` results (anything may have changed).
    fn changed(&self) {
        if let Ok(mut m) = self.2.meta.lock() {
            m.clear();
        }
        if let Ok(mut l) = self.2.links.lock() {
            l.clear();
        }
    }

    fn known_meta(&self, path: &Utf8Path) -> Option<unitlab_engine::fs::Metadata> {
        self.2.meta.lock().ok()?.get(path).copied()
    }

    fn known_link(&self, path: &Utf8Path) -> Option<Utf8PathBuf> {
        self.2.links.lock().ok()?.get(path).cloned()
    }

    fn remember_meta(&self, path: &Utf8Path, meta: unitlab_engine::fs::Metadata) {
        if let Ok(mut m) = self.2.meta.lock() {
            m.insert(path.to_owned(), meta);
        }
    }

    fn remember_link(&self, path: &Utf8Path, target: &Utf8Path) {
        if let Ok(mut l) = self.2.links.lock() {
            l.insert(path.to_owned(), target.to_owned());
        }
    }

    fn checked(&self, dir: &Utf8Path) -> bool {
        self.1 .0.lock().is_ok_and(|s| s.contains(dir))
    }

    fn remember(&self, dir: &Utf8Path) {
        if let Ok(mut s) = self.1 .0.lock() {
            s.insert(dir.to_owned());
        }
    }

    /// Forgets the checked directories (the tree changed).
    fn forget(&self) {
        if let Ok(mut s) = self.1 .0.lock() {
            s.clear();
        }
    }
}

impl HostFs {
    fn lstat_uncached(&self, path: &Utf8Path) -> Result<unitlab_engine::fs::Metadata, FsError> {
        use std::os::unix::fs::MetadataExt;
        use unitlab_engine::fs::{FileKind, Metadata};
        let in_checked = path.parent().is_some_and(|d| {
            path.file_name().is_some_and(|n| n != "." && n != "..") && self.checked(d)
        });
        if in_checked {
            if let Ok(m) = std::fs::symlink_metadata(self.0.host_path(path)) {
                let t = m.file_type();
                let kind = if t.is_symlink() {
                    FileKind::Symlink
                } else if t.is_dir() {
                    FileKind::Dir
                } else if t.is_file() {
                    FileKind::File
                } else if std::os::unix::fs::FileTypeExt::is_char_device(&t) {
                    FileKind::CharDevice
                } else {
                    FileKind::Other
                };
                return Ok(Metadata {
                    kind,
                    size: m.len(),
                    mode: m.mode() & 0o7777,
                    modified_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
                });
            }
        }
        let r = self.0.lstat(path);
        // Success means every parent was checked to be a real directory.
        if r.is_ok() {
            if let Some(d) = path.parent() {
                self.remember(d);
            }
        }
        if let Ok(m) = &r {
            if m.kind == FileKind::Dir {
                self.remember(path);
            }
        }
        r
    }
    fn read_link_uncached(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        // In a checked directory the link's own path needs no walk: read it directly; any
        // failure or doubt goes to `DirFs` for the precise answer.
        if let Some(dir) = path.parent() {
            if path.file_name().is_some_and(|n| n != "." && n != "..") && self.checked(dir) {
                if let Ok(t) = std::fs::read_link(self.0.host_path(path)) {
                    if let Ok(t) = Utf8PathBuf::from_path_buf(t) {
                        return Ok(t);
                    }
                }
            }
        }
        let r = self.0.read_link(path);
        if r.is_ok() {
            if let Some(d) = path.parent() {
                self.remember(d);
            }
        }
        r
    }
}

impl FileSystem for HostFs {
    fn lstat(&self, path: &Utf8Path) -> Result<unitlab_engine::fs::Metadata, FsError> {
        if let Some(m) = self.known_meta(path) {
            return Ok(m);
        }
        let r = self.lstat_uncached(path);
        if let Ok(m) = &r {
            self.remember_meta(path, *m);
        }
        r
    }
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        if let Some(t) = self.known_link(path) {
            return Ok(t);
        }
        let r = self.read_link_uncached(path);
        if let Ok(t) = &r {
            self.remember_link(path, t);
        }
        r
    }
    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        // In a checked directory only the last component can be a symlink, and opening with
        // O_NOFOLLOW refuses it: no need for `DirFs`'s proof that no symlink was crossed. A
        // regular file within the limit is read here; anything else (or any error) goes to
        // `DirFs` for the precise answer.
        if let Some(flags) = NOFOLLOW_OPEN_FLAGS {
            let in_checked = path.parent().is_some_and(|d| {
                path.file_name().is_some_and(|n| n != "." && n != "..") && self.checked(d)
            });
            if in_checked {
                use std::io::Read;
                use std::os::unix::fs::OpenOptionsExt;
                if let Ok(file) = std::fs::OpenOptions::new()
                    .read(true)
                    .custom_flags(flags)
                    .open(self.0.host_path(path))
                {
                    if let Ok(meta) = file.metadata() {
                        if meta.is_file() && meta.len() <= limit {
                            let mut data =
                                Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
                            if file
                                .take(limit.saturating_add(1))
                                .read_to_end(&mut data)
                                .is_ok()
                                && data.len() as u64 <= limit
                            {
                                return Ok(data);
                            }
                        }
                    }
                }
            }
        }
        self.0.read(path, limit)
    }
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<unitlab_engine::fs::DirEntry>, FsError> {
        // One pass in readdir() order. `DirFs::lstat` checks the path as `DirFs::read_dir` does
        // (every component a real directory inside the root); entries and kinds (d_type) are
        // taken exactly as `DirFs::read_dir` takes them. Any doubt: `DirFs` gives the answer
        // (sorted) or the precise error.
        use std::os::unix::fs::FileTypeExt;
        use unitlab_engine::fs::{DirEntry, FileKind};
        match self.0.lstat(path) {
            Ok(m) if m.kind == FileKind::Dir => self.remember(path),
            _ => return self.0.read_dir(path),
        }
        let Ok(iter) = std::fs::read_dir(self.0.host_path(path)) else {
            return self.0.read_dir(path);
        };
        let mut entries = Vec::new();
        for e in iter {
            let Ok(e) = e else {
                return self.0.read_dir(path);
            };
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            let Ok(t) = e.file_type() else {
                return self.0.read_dir(path);
            };
            let kind = if t.is_symlink() {
                FileKind::Symlink
            } else if t.is_dir() {
                FileKind::Dir
            } else if t.is_file() {
                FileKind::File
            } else if t.is_char_device() {
                FileKind::CharDevice
            } else {
                FileKind::Other
            };
            entries.push(DirEntry { name, kind });
        }
        Ok(entries)
    }
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.changed();
        // A checked directory exists with all its parents: nothing to do.
        if self.checked(path) {
            return Ok(());
        }
        let r = self.0.create_dir_all(path);
        if r.is_ok() {
            self.remember(path);
        }
        r
    }
    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        self.changed();
        self.0.symlink(target, link)
    }
    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.changed();
        self.0.remove_file(path)
    }
    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.changed();
        self.forget();
        self.0.remove_dir(path)
    }
    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.changed();
        self.forget();
        self.0.remove_dir_all(path)
    }
    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError> {
        self.changed();
        self.forget();
        self.0.write_atomic(path, data)
    }
    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError> {
        self.changed();
        self.forget();
        self.0.rename(from, to)
    }
    fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.changed();
        self.0.create_char_device(path)
    }
    fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
        self.changed();
        self.0.set_mode(path, mode)
    }
}

/// `O_NOFOLLOW | O_NONBLOCK | O_NOCTTY` where their values are known (the fast `read` is
/// skipped elsewhere).
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "x86", target_arch = "riscv64")
))]
const NOFOLLOW_OPEN_FLAGS: Option<i32> = Some(0o400000 | 0o4000 | 0o400);
#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "x86", target_arch = "riscv64")
)))]
const NOFOLLOW_OPEN_FLAGS: Option<i32> = None;

/// Facts about the running host, read once (systemctl reads them from the host, not from the
/// root): host name, kernel release and boot id from `/proc/sys/kernel`, the pretty host name
/// from `/etc/machine-info`, and the caller's user and group.
pub fn host_facts() -> &'static unitlab_engine::install::HostFacts {
    use std::sync::OnceLock;
    static FACTS: OnceLock<unitlab_engine::install::HostFacts> = OnceLock::new();
    FACTS.get_or_init(|| {
        let read = |p: &str| {
            std::fs::read_to_string(p)
                .ok()
                .map(|s| s.trim_end_matches('\n').to_owned())
                .filter(|s| !s.is_empty())
        };
        let pretty = read("/etc/machine-info").and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("PRETTY_HOSTNAME=")
                    .map(|v| v.trim_matches('"').to_owned())
            })
        });
        let status = read("/proc/self/status").unwrap_or_default();
        let id_of = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u32>().ok())
        };
        let name_of = |file: &str, id: u32| {
            read(file).and_then(|t| {
                t.lines().find_map(|l| {
                    let mut f = l.split(':');
                    let name = f.next()?;
                    let _ = f.next();
                    (f.next()?.parse::<u32>().ok()? == id).then(|| name.to_owned())
                })
            })
        };
        let user = match (id_of("Uid:"), id_of("Gid:")) {
            (Some(uid), Some(gid)) => Some((
                name_of("/etc/passwd", uid).unwrap_or_else(|| uid.to_string()),
                uid,
                name_of("/etc/group", gid).unwrap_or_else(|| gid.to_string()),
                gid,
            )),
            _ => None,
        };
        unitlab_engine::install::HostFacts {
            hostname: read("/proc/sys/kernel/hostname"),
            pretty_hostname: pretty,
            kernel_release: read("/proc/sys/kernel/osrelease"),
            boot_id: read("/proc/sys/kernel/random/boot_id").map(|b| b.replace('-', "")),
            user,
        }
    })
}
