//! The host side of the install verbs: a [`DirFs`] that keeps `readdir()` order, and the host
//! facts systemd's host specifiers read.
use camino::{Utf8Path, Utf8PathBuf};
use std::sync::Mutex;
use unitlab_engine::fs::{
    DirEntry, DirFs, FastBuildHasher, FileKind, FileSystem, FsError, Metadata,
};

/// A [`DirFs`] whose `read_dir` returns entries in the host's `readdir()` order, as systemd
/// sees them (`DirFs` sorts them). The order of `disable`'s and `revert`'s `Removed` lines and the
/// outcome of some directory walks depend on it (reference §4.2 item 5).
///
/// The system calls themselves are `DirFs`'s: relative to open handles of directories reached
/// inside the root component by component (`readlinkat`, `fstatat`, `openat` with `O_NOFOLLOW`,
/// `getdents64`), so reading the links of a directory costs one `readlinkat` each, not a walk of
/// every parent. It also remembers which directories it has checked to be real directories
/// inside the root (for `create_dir_all`). Creating links, files or directories and removing
/// files cannot turn a real directory into something else; removing or renaming directories (and
/// replacing files) forgets them all.
///
/// Loading resolves the same paths over and over (every `.wants/` link walks `/lib`,
/// `/lib/systemd`, ... and is read several times), so the results of `lstat` (found or not found)
/// and `read_link` (found) are remembered too ([`Known`]), in maps keyed by the path text with a
/// fast hasher; **every** change made through this `HostFs` forgets
/// them all (a new entry changes its directory's mtime, a replaced link its target). Changes made
/// behind its back are not seen: a `HostFs` lives for one CLI command.
///
/// [`FileSystem::prefetch_dirs`] starts one background thread that lists the directories named
/// (already checked to be real directories inside the root) while the caller works on other
/// things; `read_dir` takes such a listing instead of reading the directory again, waits for it
/// if it is being read, or reads the directory itself if the thread has not started it yet. A
/// change made through this `HostFs` discards what was read ahead.
#[derive(Debug)]
pub struct HostFs(pub DirFs, Checked, Known, Prefetch);

/// Listings read ahead by a background thread, by root-relative path.
#[derive(Debug, Default)]
pub struct Prefetch(Mutex<FastMap<std::sync::Arc<Slot>>>);

/// One directory read ahead.
#[derive(Debug, Default)]
struct Slot {
    state: Mutex<SlotState>,
    ready: std::sync::Condvar,
}

#[derive(Debug, Default)]
enum SlotState {
    /// Not started: whoever comes first takes it.
    #[default]
    Pending,
    /// The background thread is reading it.
    Running,
    /// Read (`None`: the listing failed; the caller reads it the careful way).
    Done(Option<Vec<DirEntry>>),
    /// Taken by the caller.
    Taken,
}

/// `dir/name` for a contract path `dir` and a plain name.
#[cfg(test)]
fn child(dir: &Utf8Path, name: &str) -> Utf8PathBuf {
    let mut p = String::with_capacity(dir.as_str().len() + name.len() + 1);
    p.push_str(dir.as_str());
    if !p.ends_with('/') {
        p.push('/');
    }
    p.push_str(name);
    Utf8PathBuf::from(p)
}

/// Lists a host directory in `readdir()` order with d_type kinds (names that are not UTF-8 are
/// skipped, as `DirFs` does); `None` on any error.
fn list_host(host: &std::path::Path) -> Option<Vec<DirEntry>> {
    let mut entries = Vec::new();
    for e in std::fs::read_dir(host).ok()? {
        let e = e.ok()?;
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        let kind = kind_of(e.file_type().ok()?);
        entries.push(DirEntry { name, kind });
    }
    Some(entries)
}

type FastMap<V> = std::collections::HashMap<Box<str>, V, FastBuildHasher>;

/// `lstat` results (successes and "not found", as `None`) and `read_link` successes
/// (root-relative paths), forgotten on every change.
#[derive(Debug, Default)]
pub struct Known {
    meta: Mutex<FastMap<Option<Metadata>>>,
    links: Mutex<FastMap<Utf8PathBuf>>,
    /// The kinds (d_type) of the entries of the directories listed.
    kinds: Mutex<FastMap<FileKind>>,
}

/// Directories (root-relative) known to be real directories all the way down from the root.
#[derive(Debug, Default)]
pub struct Checked(Mutex<std::collections::HashSet<Box<str>, FastBuildHasher>>);

/// A poisoned lock only means another thread panicked while holding it; the maps are always
/// consistent (single inserts and clears).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The kind of a `std` file type (symlinks not followed).
fn kind_of(t: std::fs::FileType) -> FileKind {
    use std::os::unix::fs::FileTypeExt;
    if t.is_symlink() {
        FileKind::Symlink
    } else if t.is_dir() {
        FileKind::Dir
    } else if t.is_file() {
        FileKind::File
    } else if t.is_char_device() {
        FileKind::CharDevice
    } else {
        FileKind::Other
    }
}

impl HostFs {
    /// Wraps `fs`.
    pub fn new(fs: DirFs) -> HostFs {
        HostFs(
            fs,
            Checked::default(),
            Known::default(),
            Prefetch::default(),
        )
    }

    /// Forgets the remembered `lstat`/`read_link` results (anything may have changed).
    fn changed(&self) {
        lock(&self.2.meta).clear();
        lock(&self.2.links).clear();
        lock(&self.2.kinds).clear();
        lock(&self.3 .0).clear();
    }

    /// The listing of `path` read ahead, if one was asked for: waits for the background thread if
    /// it is reading it; `None` if it was not asked for, failed, or was not started (then it is
    /// marked taken and the caller reads the directory itself).
    fn prefetched(&self, path: &Utf8Path) -> Option<Vec<DirEntry>> {
        let slot = lock(&self.3 .0).remove(path.as_str())?;
        let mut state = lock(&slot.state);
        loop {
            match std::mem::take(&mut *state) {
                SlotState::Pending | SlotState::Taken => {
                    *state = SlotState::Taken;
                    return None;
                }
                SlotState::Running => {
                    *state = SlotState::Running;
                    state = slot
                        .ready
                        .wait(state)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                SlotState::Done(listing) => {
                    *state = SlotState::Taken;
                    return listing;
                }
            }
        }
    }

    fn checked(&self, dir: &str) -> bool {
        lock(&self.1 .0).contains(dir)
    }

    fn remember(&self, dir: &str) {
        let mut s = lock(&self.1 .0);
        if !s.contains(dir) {
            s.insert(dir.into());
        }
    }

    /// Forgets the checked directories (the tree changed).
    fn forget(&self) {
        lock(&self.1 .0).clear();
    }

    fn remember_parent(&self, path: &Utf8Path) {
        let p = path.as_str();
        if let Some(cut) = p.bytes().rposition(|b| b == b'/') {
            self.remember(if cut == 0 { "/" } else { &p[..cut] });
        }
    }

    fn lstat_uncached(&self, path: &Utf8Path) -> Result<Metadata, FsError> {
        // `DirFs` answers relative to the parent directory's handle when it can.
        let r = self.0.lstat(path);
        // Success means every parent was checked to be a real directory.
        if let Ok(m) = &r {
            self.remember_parent(path);
            if m.kind == FileKind::Dir {
                self.remember(path.as_str());
            }
        }
        r
    }

    fn read_link_uncached(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        let r = self.0.read_link(path);
        if r.is_ok() {
            self.remember_parent(path);
        }
        r
    }

    /// Reads an open regular file of known size: one `read` of `size + 1` bytes normally
    /// suffices (a short read of a regular file ends at its end). `None` if anything differs
    /// (the file grew, an error): the caller takes the careful path.
    fn read_sized(mut file: std::fs::File, size: u64, limit: u64) -> Option<Vec<u8>> {
        use std::io::Read;
        if size > limit {
            return None;
        }
        let size = usize::try_from(size).ok()?;
        let mut data = vec![0u8; size + 1];
        let mut got = 0;
        loop {
            match file.read(&mut data[got..]) {
                Ok(0) => break,
                Ok(n) => {
                    got += n;
                    if got > size {
                        return None;
                    }
                    if got == size {
                        // A short read: the end of the file, unless it grew meanwhile (the
                        // next read tells, only in that rare case).
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        data.truncate(got);
        Some(data)
    }

    /// Reads an open file known (from its directory's listing) to be a regular file, size
    /// unknown: a short read of a regular file ends at its end, so a small file takes one `read`.
    /// `None` above `limit` or on an error (the caller takes the careful path).
    fn read_unsized(mut file: std::fs::File, limit: u64) -> Option<Vec<u8>> {
        use std::io::Read;
        thread_local! {
            /// Where files of unknown size are read (zeroed once, reused: a fresh zeroed buffer
            /// per file would cost more than reading it).
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with(|scratch| {
            let mut data = scratch.borrow_mut();
            if data.len() < 16 * 1024 {
                data.resize(16 * 1024, 0);
            }
            let mut got = 0;
            loop {
                if got == data.len() {
                    if got as u64 > limit {
                        return None;
                    }
                    let grown = got * 2;
                    data.resize(grown, 0);
                }
                match file.read(&mut data[got..]) {
                    Ok(0) => break,
                    Ok(n) => {
                        got += n;
                        if got < data.len() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => return None,
                }
            }
            if got as u64 > limit {
                return None;
            }
            Some(data[..got].to_vec())
        })
    }

    /// Lists `path` in `readdir()` order with d_type kinds, and with each entry's `lstat`
    /// metadata (taken relative to the open directory) when `with_meta`. `None`: let `DirFs`
    /// answer (precise errors, odd trees).
    fn list(&self, path: &Utf8Path, with_meta: bool) -> Option<Vec<(DirEntry, Option<Metadata>)>> {
        let entries = self.0.read_dir_unsorted(path, with_meta).ok()?;
        self.remember(path.as_str());
        if !with_meta {
            let mut kinds = lock(&self.2.kinds);
            let mut child = String::with_capacity(path.as_str().len() + 64);
            for (e, _) in &entries {
                if e.kind != FileKind::File {
                    continue;
                }
                child.clear();
                child.push_str(path.as_str());
                if path.as_str() != "/" {
                    child.push('/');
                }
                child.push_str(&e.name);
                kinds.insert(child.as_str().into(), e.kind);
            }
        }
        Some(entries)
    }
}

impl FileSystem for HostFs {
    fn lstat(&self, path: &Utf8Path) -> Result<Metadata, FsError> {
        if let Some(m) = lock(&self.2.meta).get(path.as_str()) {
            return m.ok_or_else(|| FsError::NotFound {
                path: path.to_owned(),
            });
        }
        let r = self.lstat_uncached(path);
        match &r {
            Ok(m) => {
                lock(&self.2.meta).insert(path.as_str().into(), Some(*m));
            }
            Err(FsError::NotFound { path: p }) if p == path => {
                lock(&self.2.meta).insert(path.as_str().into(), None);
            }
            Err(_) => {}
        }
        r
    }
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        if let Some(t) = lock(&self.2.links).get(path.as_str()) {
            return Ok(t.clone());
        }
        let r = self.read_link_uncached(path);
        if let Ok(t) = &r {
            lock(&self.2.links).insert(path.as_str().into(), t.clone());
        }
        r
    }
    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        // `DirFs` opens the last component with O_NOFOLLOW relative to its parent directory's
        // handle (no symlink crossed, a symlink refused). A regular file within the limit is
        // read here (open, one read, close, plus `fstat` only when the size is not known);
        // anything else (or any error) goes to `DirFs::read` for the precise answer.
        if let Some(file) = self.0.open_nofollow(path) {
            // A regular file whose size a listing or `lstat` gave needs no `fstat` (O_NOFOLLOW
            // opened the name itself; a size that changed meanwhile makes `read_sized` give up).
            let known = lock(&self.2.meta).get(path.as_str()).copied().flatten();
            if let Some(m) = known.filter(|m| m.kind == FileKind::File) {
                if let Some(data) = Self::read_sized(file, m.size, limit) {
                    return Ok(data);
                }
                return self.0.read(path, limit);
            }
            // A regular file by its directory's listing: no `fstat` either.
            if lock(&self.2.kinds).get(path.as_str()) == Some(&FileKind::File) {
                if let Some(data) = Self::read_unsized(file, limit) {
                    return Ok(data);
                }
                return self.0.read(path, limit);
            }
            if let Ok(meta) = file.metadata() {
                if meta.is_file() {
                    if let Some(data) = Self::read_sized(file, meta.len(), limit) {
                        return Ok(data);
                    }
                }
            }
        }
        self.0.read(path, limit)
    }
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<DirEntry>, FsError> {
        // One pass in readdir() order. The path is checked as `DirFs::read_dir` checks it
        // (every component a real directory inside the root); entries and kinds (d_type) are
        // taken exactly as `DirFs::read_dir` takes them. Any doubt: `DirFs` gives the answer
        // (sorted) or the precise error.
        if let Some(listing) = self.prefetched(path) {
            // Read ahead by the background thread from the host path of a directory that was
            // checked then; check it again as `list` does.
            if matches!(self.lstat(path), Ok(m) if m.kind == FileKind::Dir) {
                self.remember(path.as_str());
                return Ok(listing);
            }
        }
        match self.list(path, false) {
            Some(l) => Ok(l.into_iter().map(|(e, _)| e).collect()),
            None => self.0.read_dir(path),
        }
    }
    fn read_links(&self, dir: &Utf8Path, names: &[&str]) -> Vec<Result<Utf8PathBuf, FsError>> {
        // `DirFs` reads them with `readlinkat` relative to the directory's handle, on this
        // thread. (Reading a long list on two threads overlapped the halves on an idle machine,
        // but cost CPU time: `is-enabled` of a static unit on the 10k tree, 40 alternating runs
        // at load 11, CPU median 5.33 ms with the second thread, 5.05 ms without.)
        self.0.read_links(dir, names)
    }
    fn prefetch_dirs(&self, paths: &[&Utf8Path]) {
        // Only real directories inside the root (checked through `lstat`, which refuses a
        // symlink anywhere on the way) are read ahead, so nothing outside the root is read.
        let mut work = Vec::new();
        {
            for path in paths {
                if !matches!(self.lstat(path), Ok(m) if m.kind == FileKind::Dir) {
                    continue;
                }
                let slot = std::sync::Arc::new(Slot::default());
                lock(&self.3 .0).insert(path.as_str().into(), slot.clone());
                work.push((slot, self.0.host_path(path).into_std_path_buf()));
            }
        }
        if work.is_empty() {
            return;
        }
        // A detached thread: if the command ends before it does, the process exit ends it.
        let spawned = std::thread::Builder::new()
            .name("unitlab-readahead".into())
            .spawn(move || {
                for (slot, host) in work {
                    {
                        let mut state = lock(&slot.state);
                        if !matches!(*state, SlotState::Pending) {
                            continue;
                        }
                        *state = SlotState::Running;
                    }
                    let listing = list_host(&host);
                    *lock(&slot.state) = SlotState::Done(listing);
                    slot.ready.notify_all();
                }
            });
        if spawned.is_err() {
            // Nothing was started: every slot stays pending and `read_dir` reads it itself.
        }
    }
    fn read_dir_metadata(&self, path: &Utf8Path) -> Result<Vec<(DirEntry, Metadata)>, FsError> {
        // One pass, each entry `lstat`ed relative to the open directory; the results are
        // remembered for later `lstat`s. Sorted, as the trait promises.
        let Some(list) = self.list(path, true) else {
            return self.0.read_dir_metadata(path);
        };
        let mut out: Vec<(DirEntry, Metadata)> = Vec::with_capacity(list.len());
        {
            let mut known = lock(&self.2.meta);
            let mut child = String::with_capacity(path.as_str().len() + 64);
            for (e, m) in list {
                let Some(m) = m else { continue };
                child.clear();
                child.push_str(path.as_str());
                if path.as_str() != "/" {
                    child.push('/');
                }
                child.push_str(&e.name);
                known.insert(child.as_str().into(), Some(m));
                out.push((e, m));
            }
        }
        out.sort_unstable_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(out)
    }
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.changed();
        // A checked directory exists with all its parents: nothing to do.
        if self.checked(path.as_str()) {
            return Ok(());
        }
        let r = self.0.create_dir_all(path);
        if r.is_ok() {
            self.remember(path.as_str());
        }
        r
    }
    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        let r = self.0.symlink(target, link);
        // A link refused because something is there changed nothing.
        if !matches!(r, Err(FsError::AlreadyExists { .. })) {
            self.changed();
        }
        r
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `read_links` (relative to the directory handle) gives, name by name, what `read_link` gives:
    /// targets of every shape, a name that is not a link, a missing name.
    #[test]
    fn read_links_equals_read_link_one_by_one() {
        let dir = std::env::temp_dir().join(format!("unitlab-read-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let links = dir.join("etc/systemd/system");
        std::fs::create_dir_all(&links).expect("mkdir");
        let mut names = Vec::new();
        for i in 0..700 {
            let name = format!("u{i}.service");
            let target = match i % 4 {
                0 => format!("/lib/systemd/system/{name}"),
                1 => "/dev/null".to_owned(),
                2 => format!("../../../lib/systemd/system/x{i}.service"),
                _ => name.clone(),
            };
            std::os::unix::fs::symlink(&target, links.join(&name)).expect("symlink");
            names.push(name);
        }
        std::fs::write(links.join("plain.service"), "").expect("write");
        names.insert(350, "plain.service".to_owned());
        names.insert(10, "missing.service".to_owned());
        let root = Utf8PathBuf::from_path_buf(dir.clone()).expect("utf-8 temp dir");
        let fs = HostFs::new(DirFs::new(&root).expect("root"));
        let d = Utf8Path::new("/etc/systemd/system");
        fs.read_dir(d).expect("list");
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let together = fs.read_links(d, &refs);
        let fresh = HostFs::new(DirFs::new(&root).expect("root"));
        for (n, got) in names.iter().zip(together) {
            let want = fresh.read_link(&child(d, n));
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{n}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
