//! The search directories of one lookup context, resolved once ([`SearchView`]).
//!
//! Looking a unit up ([`Ctx::search`](super::discover::Ctx::search)) tries `DIR/NAME` in every
//! search directory (resolving `DIR` each time, as `lstat()` on the host does), and then walks
//! `DIR/NAME.d/` in every search directory for drop-ins. For an operation that looks up every
//! unit of the tree (`list-unit-files`, the prepare phase of `preset-all`), nearly all of those
//! probes miss, and each miss re-walks the directory's path component by component.
//!
//! A view resolves each search directory once, both ways the installer does (inside the root
//! like `lstat()`'s parent walk, and like the root-less host walk of the drop-in directories), and
//! lists each resulting directory once. A probe of `DIR/NAME` or `DIR/NAME.d` whose directory does
//! not exist, or whose listing lacks the name, is then answered without touching the filesystem;
//! every other probe takes the ordinary path, so that the answers (and the lines logged) are those
//! of the plain lookup.
//!
//! A view is only valid while the tree does not change: operations attach it to their contexts
//! for read-only phases only (and drop it before they write).
use super::change::Errno;
use super::dropins::resolve_hostlike;
use super::fsutil::{errno, join, parent};
use crate::fs::FastBuildHasher;
use crate::fs::{resolve, FileKind, FileSystem, Follow, Target};
use crate::load::LookupPaths;
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::{HashMap, HashSet};

/// The names listed in one directory (`None`: it could not be listed, so nothing can be
/// concluded from it).
type Names = Option<HashSet<String, FastBuildHasher>>;

/// One search directory, resolved.
#[derive(Debug)]
struct DirView {
    /// The directory as the lookups walk it (the parent of `join(DIR, NAME)`).
    dir: Utf8PathBuf,
    /// Where a child's parent walk ends (`lstat_host`): the real directory, or the error the
    /// walk gives.
    parent: Result<Utf8PathBuf, Errno>,
    /// The listing of `parent`.
    parent_names: usize,
    /// Where the host-like walk of the directory ends, if at a directory inside the root.
    hostlike: Option<Utf8PathBuf>,
    /// The listing of `hostlike`.
    hostlike_names: usize,
}

/// The search directories of a [`LookupPaths`], resolved and listed once.
#[derive(Debug)]
pub struct SearchView {
    dirs: Vec<DirView>,
    listings: Vec<Names>,
    /// Answers of `unit_file_exists()` (by name and whether generator directories are left
    /// out) with the lines their lookup logged: valid as long as the view (the tree does not
    /// change meanwhile).
    exists: std::cell::RefCell<HashMap<(String, bool), ExistsAnswer, FastBuildHasher>>,
}

/// A remembered `unit_file_exists()` answer and the lines its lookup logged.
pub(crate) type ExistsAnswer = (Result<bool, Errno>, Vec<super::Log>);

/// What a view says about a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Probe {
    /// The plain lookup would fail with this error, without logging anything.
    Fails(Errno),
    /// The plain lookup must be run to know.
    Ask,
}

impl SearchView {
    /// Resolves and lists every search directory of `lp` on `fs`.
    pub fn build(fs: &dyn FileSystem, lp: &LookupPaths) -> SearchView {
        let mut listed: HashMap<Utf8PathBuf, usize, FastBuildHasher> = HashMap::default();
        let mut listings: Vec<Names> = vec![None];
        let mut list = |dir: &Utf8Path| -> usize {
            if let Some(i) = listed.get(dir) {
                return *i;
            }
            let names = fs.read_dir(dir).ok().map(|v| {
                v.into_iter()
                    .map(|e| e.name)
                    .collect::<HashSet<String, FastBuildHasher>>()
            });
            listings.push(names);
            listed.insert(dir.to_owned(), listings.len() - 1);
            listings.len() - 1
        };
        let dirs = lp
            .search_path()
            .iter()
            .map(|d| {
                // Exactly the directory the lookups walk: the parent of `join(DIR, NAME)`.
                let dir = parent(&join(&d.path, "x"));
                let parent = match resolve(fs, &dir, Follow::Yes) {
                    Err(e) => Err(errno(&e)),
                    Ok(r) => match r.target {
                        Target::Missing => Err(Errno::ENOENT),
                        Target::DevNull => Err(Errno::ENOTDIR),
                        Target::Exists(m) if m.kind != FileKind::Dir => Err(Errno::ENOTDIR),
                        Target::Exists(_) => Ok(r.path),
                    },
                };
                let parent_names = match &parent {
                    Ok(p) => list(p),
                    Err(_) => 0,
                };
                let hostlike = resolve_hostlike(fs, lp, &dir);
                let hostlike_names = hostlike.as_deref().map_or(0, &mut list);
                DirView {
                    dir,
                    parent,
                    parent_names,
                    hostlike,
                    hostlike_names,
                }
            })
            .collect();
        SearchView {
            dirs,
            listings,
            exists: Default::default(),
        }
    }

    /// The remembered `unit_file_exists()` answer for `name`, if any.
    pub(crate) fn exists(&self, name: &str, exclude_generated: bool) -> Option<ExistsAnswer> {
        self.exists
            .borrow()
            .get(&(name.to_owned(), exclude_generated))
            .cloned()
    }

    /// Remembers a `unit_file_exists()` answer for `name`.
    pub(crate) fn remember_exists(&self, name: &str, exclude_generated: bool, a: ExistsAnswer) {
        self.exists
            .borrow_mut()
            .insert((name.to_owned(), exclude_generated), a);
    }

    fn lists(&self, listing: usize, name: &str) -> Option<bool> {
        self.listings
            .get(listing)
            .and_then(Option::as_ref)
            .map(|s| s.contains(name))
    }

    /// `lstat_host(DIR/NAME)` for search directory `k` (index into the lookup paths' search
    /// path), as far as the view knows.
    pub(crate) fn probe_unit(&self, k: usize, name: &str) -> Probe {
        let Some(d) = self.dirs.get(k) else {
            return Probe::Ask;
        };
        match &d.parent {
            Err(e) => Probe::Fails(*e),
            Ok(_) => match self.lists(d.parent_names, name) {
                Some(false) => Probe::Fails(Errno::ENOENT),
                _ => Probe::Ask,
            },
        }
    }

    /// Where the parent walk of `lstat_host` ends for a path in `dir` (one of the search
    /// directories): the real directory (`None`: not a search directory, or the walk failed,
    /// so the caller walks itself).
    pub(crate) fn real_dir(&self, dir: &Utf8Path) -> Option<&Utf8Path> {
        self.dirs
            .iter()
            .find(|d| d.dir.as_str() == dir.as_str())
            .and_then(|d| d.parent.as_deref().ok())
    }

    /// Whether `DIR/NAME.d` (for search directory `k`) may hold drop-ins: `false` when the
    /// host-like walk of it cannot end at a directory.
    pub(crate) fn may_have_dropins(&self, k: usize, dir_name: &str) -> bool {
        let Some(d) = self.dirs.get(k) else {
            return true;
        };
        if d.hostlike.is_none() {
            return false;
        }
        self.lists(d.hostlike_names, dir_name) != Some(false)
    }
}
