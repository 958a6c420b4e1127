//! A memoizing view of a filesystem, for operations that look a lot (`list-unit-files`,
//! `preset-all`).
//!
//! The installer's lookups `lstat` the same directories over and over (every unit lookup walks
//! the search path and its drop-in directories component by component). Remembering `lstat`,
//! `read_link` and `read_dir` answers makes a whole-tree listing linear in the size of the tree;
//! once a directory has been listed, an `lstat` of a name it does not hold is answered "not found"
//! without asking the filesystem, and an `lstat` of a regular file or symlink it holds is answered
//! by reading the file (kept for the `read` that follows) or the link, which costs fewer system
//! calls than a checked `lstat`. Such synthesized metadata carries the kind and size only (mode and
//! time are 0): enough for the installer, which looks at nothing else. Writes go through to the
//! wrapped filesystem and drop what they could have changed (the path, its parent's listing; all
//! of it for `remove_dir_all`, `rename` and `write_atomic`).
use crate::fs::{DirEntry, FileKind, FileSystem, FsError, Metadata};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::HashMap;
use std::sync::Mutex;

/// Paths are short and trusted here: SipHash's DoS resistance buys nothing.
type FastMap<V> = HashMap<String, V, crate::fs::FastBuildHasher>;

/// A remembered answer: a value, or "not found" as seen at a generation (other errors are not
/// remembered).
type Cached<T> = Result<T, u64>;

/// Remembered answers.
#[derive(Default)]
struct State {
    lstat: FastMap<Cached<Metadata>>,
    link: FastMap<Cached<Utf8PathBuf>>,
    dir: FastMap<Cached<Vec<DirEntry>>>,
    /// Bumped by every write that creates something.
    generation: u64,
    /// Bumped by every call that may change the tree (see [`ReadCache::writes`]).
    writes: u64,
    /// Paths created through the cache, with the generation of their creation: a "not found"
    /// below one of them that is older than the creation is stale (the path may now lead
    /// somewhere, or through a symlink).
    created: FastMap<u64>,
    /// For every directory listed: the names it holds, with their kinds.
    names: FastMap<HashMap<String, FileKind, crate::fs::FastBuildHasher>>,
    /// Contents read to answer an `lstat`, waiting for the `read`.
    content: FastMap<Vec<u8>>,
    /// Directories whose every component `create_dir_all` found known to be a real directory
    /// (a few: `preset-all` makes links in the same `.wants/` directories over and over);
    /// forgotten when they or a parent may change ([`ReadCache::invalidate`]).
    dirs_ok: Vec<String>,
}

/// A memoizing wrapper around another filesystem.
pub struct ReadCache<'a> {
    inner: &'a dyn FileSystem,
    state: Mutex<State>,
}

impl std::fmt::Debug for ReadCache<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<'a> ReadCache<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a dyn FileSystem) -> ReadCache<'a> {
        ReadCache {
            inner,
            state: Mutex::default(),
        }
    }
}

fn not_found(path: &Utf8Path) -> FsError {
    FsError::NotFound {
        path: path.to_owned(),
    }
}

fn remember<T: Clone>(v: &Result<T, FsError>, generation: u64) -> Option<Cached<T>> {
    match v {
        Ok(x) => Some(Ok(x.clone())),
        Err(e) if e.is_not_found() => Some(Err(generation)),
        Err(_) => None,
    }
}

impl State {
    /// A remembered answer for `p` that is still valid.
    fn fresh<T: Clone>(&self, map: &FastMap<Cached<T>>, p: &str) -> Option<Cached<T>> {
        match map.get(p)? {
            Ok(x) => Some(Ok(x.clone())),
            Err(g) => {
                let mut q = p;
                while let Some(cut) = q.bytes().rposition(|b| b == b'/') {
                    q = if cut == 0 { "/" } else { &q[..cut] };
                    if self.created.get(q).is_some_and(|c| c > g) {
                        return None;
                    }
                    if cut == 0 {
                        break;
                    }
                }
                Some(Err(*g))
            }
        }
    }
}

impl ReadCache<'_> {
    /// Forgets what a change at `path` can affect: the path itself (entry, link, listing) and
    /// its parent's listing.
    fn invalidate(&self, path: &Utf8Path) {
        let Ok(mut g) = self.state.lock() else {
            return;
        };
        let p = path.as_str();
        g.lstat.remove(p);
        g.link.remove(p);
        g.content.remove(p);
        g.dir.remove(p);
        g.names.remove(p);
        g.dirs_ok.retain(|d| {
            !(d.starts_with(p) && (d.len() == p.len() || p == "/" || d.as_bytes()[p.len()] == b'/'))
        });
        if let Some(cut) = p.bytes().rposition(|b| b == b'/') {
            let parent = if cut == 0 { "/" } else { &p[..cut] };
            g.dir.remove(parent);
            g.names.remove(parent);
        }
    }

    fn remember<T: Clone>(&self, v: &Result<T, FsError>) -> Option<Cached<T>> {
        let generation = self.state.lock().map_or(0, |g| g.generation);
        remember(v, generation)
    }

    /// Records that `path` was created (see [`State::created`]).
    fn created(&self, path: &Utf8Path) {
        if let Ok(mut g) = self.state.lock() {
            g.generation += 1;
            let generation = g.generation;
            g.created.insert(path.as_str().to_owned(), generation);
        }
        self.invalidate(path);
    }

    /// Whether `path` is known (from a remembered `lstat` or its parent's listing) to be a real
    /// directory.
    fn known_dir(&self, path: &Utf8Path) -> bool {
        let Ok(g) = self.state.lock() else {
            return false;
        };
        let p = path.as_str();
        if p == "/" {
            return true;
        }
        if let Some(Ok(m)) = g.lstat.get(p) {
            return m.kind == FileKind::Dir;
        }
        let Some(cut) = p.bytes().rposition(|b| b == b'/') else {
            return false;
        };
        let parent = if cut == 0 { "/" } else { &p[..cut] };
        g.names
            .get(parent)
            .and_then(|set| set.get(&p[cut + 1..]))
            .is_some_and(|k| *k == FileKind::Dir)
    }

    /// Whether `path` is known (from a remembered `lstat` or its parent's listing) to exist.
    fn known_to_exist(&self, path: &Utf8Path) -> bool {
        let Ok(g) = self.state.lock() else {
            return false;
        };
        let p = path.as_str();
        if let Some(Ok(_)) = g.lstat.get(p) {
            return true;
        }
        let Some(cut) = p.bytes().rposition(|b| b == b'/') else {
            return false;
        };
        let parent = if cut == 0 { "/" } else { &p[..cut] };
        g.names
            .get(parent)
            .is_some_and(|set| set.contains_key(&p[cut + 1..]))
    }

    /// Forgets everything (but the count of writes).
    fn clear(&self) {
        if let Ok(mut g) = self.state.lock() {
            let writes = g.writes;
            *g = State::default();
            g.writes = writes;
        }
    }

    /// Counts a call about to be passed to the wrapped filesystem that may change the tree.
    fn writing(&self) {
        if let Ok(mut g) = self.state.lock() {
            g.writes += 1;
        }
    }

    /// How many calls that may change the tree went through so far: while it stays the same,
    /// the tree has not changed through this cache (a view of it taken meanwhile is still valid).
    pub(crate) fn writes(&self) -> u64 {
        self.state.lock().map_or(u64::MAX, |g| g.writes)
    }
}

impl FileSystem for ReadCache<'_> {
    fn lstat(&self, path: &Utf8Path) -> Result<Metadata, FsError> {
        let p = path.as_str();
        let mut listed: Option<FileKind> = None;
        if let Ok(g) = self.state.lock() {
            if let Some(v) = g.fresh(&g.lstat, p) {
                return v.map_err(|_| not_found(path));
            }
            if let Some(cut) = p.bytes().rposition(|b| b == b'/') {
                let parent = if cut == 0 { "/" } else { &p[..cut] };
                if let Some(set) = g.names.get(parent) {
                    match set.get(&p[cut + 1..]) {
                        None => return Err(not_found(path)),
                        Some(k) => listed = Some(*k),
                    }
                }
            }
        }
        let synth = |kind: FileKind, size: usize| Metadata {
            kind,
            size: size as u64,
            mode: 0,
            modified_ns: 0,
        };
        let v = match listed {
            Some(FileKind::File) => match self.inner.read(path, crate::fs::MAX_FILE_SIZE) {
                Ok(bytes) => {
                    let m = synth(FileKind::File, bytes.len());
                    if let Ok(mut g) = self.state.lock() {
                        g.content.insert(p.to_owned(), bytes);
                    }
                    Ok(m)
                }
                Err(_) => self.inner.lstat(path),
            },
            Some(FileKind::Symlink) => match self.read_link(path) {
                Ok(t) => Ok(synth(FileKind::Symlink, t.as_str().len())),
                Err(_) => self.inner.lstat(path),
            },
            _ => self.inner.lstat(path),
        };
        if let (Some(k), Ok(mut g)) = (self.remember(&v), self.state.lock()) {
            g.lstat.insert(p.to_owned(), k);
        }
        v
    }
    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        if let Ok(mut g) = self.state.lock() {
            if let Some(bytes) = g.content.remove(path.as_str()) {
                if bytes.len() as u64 <= limit {
                    return Ok(bytes);
                }
            }
        }
        self.inner.read(path, limit)
    }
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        if let Ok(g) = self.state.lock() {
            if let Some(v) = g.fresh(&g.link, path.as_str()) {
                return v.map_err(|_| not_found(path));
            }
        }
        let v = self.inner.read_link(path);
        if let (Some(k), Ok(mut g)) = (self.remember(&v), self.state.lock()) {
            g.link.insert(path.as_str().to_owned(), k);
        }
        v
    }
    fn prefetch_dirs(&self, paths: &[&Utf8Path]) {
        self.inner.prefetch_dirs(paths)
    }
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<DirEntry>, FsError> {
        if let Ok(g) = self.state.lock() {
            if let Some(v) = g.fresh(&g.dir, path.as_str()) {
                return v.map_err(|_| not_found(path));
            }
        }
        let v = self.inner.read_dir(path);
        if let (Some(k), Ok(mut g)) = (self.remember(&v), self.state.lock()) {
            if let Ok(entries) = &k {
                let names = entries.iter().map(|e| (e.name.clone(), e.kind)).collect();
                g.names.insert(path.as_str().to_owned(), names);
            }
            g.dir.insert(path.as_str().to_owned(), k);
        }
        v
    }
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        // Components known to be real directories already are left alone by the call: only the
        // others can change, so only they are forgotten (creating a link in an existing
        // `.wants/` directory must not drop the listing of the config directory).
        if self
            .state
            .lock()
            .is_ok_and(|g| g.dirs_ok.iter().any(|d| d == path.as_str()))
        {
            return Ok(());
        }
        let mut unknown = Vec::new();
        let mut p = Some(path);
        while let Some(x) = p {
            if !self.known_dir(x) {
                unknown.push(x);
            }
            p = x.parent();
        }
        if unknown.is_empty() {
            // Every component is a real directory already: the call could change nothing.
            // Only plain paths: their text names their components (so that a change to a
            // parent, seen by its text, finds them).
            let plain = super::fsutil::plain_path(path.as_str());
            if let (true, Ok(mut g)) = (plain, self.state.lock()) {
                if g.dirs_ok.len() >= 16 {
                    g.dirs_ok.clear();
                }
                g.dirs_ok.push(path.as_str().to_owned());
            }
            return Ok(());
        }
        self.writing();
        let r = self.inner.create_dir_all(path);
        for x in unknown {
            self.created(x);
        }
        r
    }
    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        // Something known to be at `link` makes `symlink()` fail with EEXIST (the target being
        // valid, and `link` a contract path whose parents were checked when it was seen): answer
        // that without asking. (`preset-all` re-creates thousands of existing `.wants/` links.)
        // The parent is listed once (cheaper than one refused `symlink()` per existing link).
        let t = target.as_str();
        let valid = !t.is_empty() && !t.contains('\0') && crate::fs::check_path(link).is_ok();
        let split = link.as_str().bytes().rposition(|b| b == b'/').map(|cut| {
            (
                if cut == 0 { "/" } else { &link.as_str()[..cut] },
                &link.as_str()[cut + 1..],
            )
        });
        if valid {
            if let Some((parent, _)) = split {
                let listed = self
                    .state
                    .lock()
                    .is_ok_and(|g| g.names.contains_key(parent));
                if !listed {
                    let _ = self.read_dir(Utf8Path::new(parent));
                }
            }
            if self.known_to_exist(link) {
                return Err(FsError::AlreadyExists {
                    path: link.to_owned(),
                });
            }
        }
        self.writing();
        let r = self.inner.symlink(target, link);
        // A refused link changed nothing.
        if matches!(r, Err(FsError::AlreadyExists { .. })) {
            return r;
        }
        // The parent's set of names stays valid with the new link added (its ordered listing
        // is dropped: the new entry's place in `readdir()` order is unknown).
        let names = split.and_then(|(parent, _)| {
            self.state
                .lock()
                .ok()
                .and_then(|mut g| g.names.remove(parent).map(|n| (parent, n)))
        });
        self.created(link);
        if let (Ok(()), Some((parent, mut set)), Some((_, name))) = (&r, names, split) {
            set.insert(name.to_owned(), FileKind::Symlink);
            if let Ok(mut g) = self.state.lock() {
                g.names.insert(parent.to_owned(), set);
            }
        }
        r
    }
    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.writing();
        let r = self.inner.remove_file(path);
        self.invalidate(path);
        r
    }
    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.writing();
        let r = self.inner.remove_dir(path);
        self.invalidate(path);
        r
    }
    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.writing();
        let r = self.inner.remove_dir_all(path);
        self.clear();
        r
    }
    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError> {
        self.writing();
        let r = self.inner.write_atomic(path, data);
        self.clear();
        r
    }
    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError> {
        self.writing();
        let r = self.inner.rename(from, to);
        self.clear();
        r
    }
    fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.writing();
        let r = self.inner.create_char_device(path);
        self.created(path);
        r
    }
    fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
        self.writing();
        let r = self.inner.set_mode(path, mode);
        self.invalidate(path);
        r
    }
}
