//! The host side of the install verbs: a [`DirFs`] that keeps `readdir()` order, and the host
//! facts systemd's host specifiers read.
use camino::{Utf8Path, Utf8PathBuf};
use unitlab_engine::fs::{DirFs, FileSystem, FsError};

/// A [`DirFs`] whose `read_dir` returns entries in the host's `readdir()` order, as systemd
/// sees them (`DirFs` sorts them). The order of `disable`'s and `revert`'s `Removed` lines and the
/// outcome of some directory walks depend on it (reference §4.2 item 5).
#[derive(Debug)]
pub struct HostFs(pub DirFs);

impl FileSystem for HostFs {
    fn lstat(&self, path: &Utf8Path) -> Result<unitlab_engine::fs::Metadata, FsError> {
        self.0.lstat(path)
    }
    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        self.0.read(path, limit)
    }
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        self.0.read_link(path)
    }
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<unitlab_engine::fs::DirEntry>, FsError> {
        let sorted = self.0.read_dir(path)?;
        let Ok(iter) = std::fs::read_dir(self.0.host_path(path)) else {
            return Ok(sorted);
        };
        let mut ordered = Vec::with_capacity(sorted.len());
        for e in iter.flatten() {
            if let Some(name) = e.file_name().to_str() {
                if let Ok(i) = sorted.binary_search_by(|d| d.name.as_str().cmp(name)) {
                    ordered.push(sorted[i].clone());
                }
            }
        }
        if ordered.len() != sorted.len() {
            return Ok(sorted);
        }
        Ok(ordered)
    }
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.create_dir_all(path)
    }
    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        self.0.symlink(target, link)
    }
    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.remove_file(path)
    }
    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.remove_dir(path)
    }
    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.remove_dir_all(path)
    }
    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError> {
        self.0.write_atomic(path, data)
    }
    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError> {
        self.0.rename(from, to)
    }
    fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.create_char_device(path)
    }
    fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
        self.0.set_mode(path, mode)
    }
}

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
