//! The name → fragment map of the PID 1 loader (reference §3.3).
//!
//! [`Catalog::build`] reads every search directory once, in priority order, and records for each
//! valid unit name the *first* directory entry that carries it:
//!
//! * a regular file is the unit's fragment ([`EntryKind::File`]);
//! * a symlink whose target (made absolute and normalised, see [`Catalog::build`]) lies inside the
//!   search path is an alias of the unit its target names ([`EntryKind::Alias`]), if
//!   [`validate_alias`] accepts it; refused aliases are skipped, so a lower directory may still
//!   provide the name;
//! * any other symlink (also a dangling one, and `/dev/null`) is a linked unit file whose fragment is
//!   the symlink itself ([`EntryKind::Linked`]).
//!
//! Directories named `NAME.wants`, `NAME.requires` and `NAME.d` (or symlinks to directories with such
//! names) are recorded too: they are the only candidates for drop-in lookup ([`Catalog::has_dir`]).
//!
//! [`Catalog::lookup`] resolves a name as PID 1 does: alias chains (at most 8 hops), an alias target
//! that is a missing instance falls back to its template, a missing instance falls back to its
//! template's entry, and the unit's set of names (its aliases, including instance aliases of template
//! aliases) is collected from the reverse map ([`Catalog::aliases_of`]).
use super::alias::{validate_alias, AliasProblem};
use super::mask::{classify, FileState};
use super::name_index::NameIndex;
use super::name_parts::{basename, instance_of, kind, replace_instance, template_of};
use super::paths::LookupPaths;
use crate::diag::{Code, Diagnostic, Severity, Sink};
use crate::fs::{self, FileKind, FileSystem, Follow, FsError, Metadata, Target};
use crate::name::{NameKind, UnitName, UnitType};
use camino::{Utf8Path, Utf8PathBuf};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// How many alias hops a lookup follows before giving up with ELOOP (systemd's `FOLLOW_MAX`).
pub const MAX_ALIAS_HOPS: usize = 8;

/// One name of the map: the first directory entry that carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The entry's name (the directory entry's file name).
    pub name: UnitName,
    /// The entry's path (search directory + name).
    pub path: Utf8PathBuf,
    /// The index of its search directory in [`Catalog::search_path`].
    pub search_dir: usize,
    /// What the entry is.
    pub kind: EntryKind,
}

/// What a map entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file: the fragment is [`Entry::path`].
    File,
    /// A symlink leaving the search path (or dangling outside it, or to `/dev/null`): a linked unit
    /// file whose fragment is the *symlink's own path* [`Entry::path`].
    Linked {
        /// The normalised target.
        target: Utf8PathBuf,
    },
    /// A symlink into the search path: another name of the unit [`EntryKind::Alias::target`] names.
    Alias {
        /// The target's file name, the name this alias resolves to.
        target: UnitName,
        /// The normalised target path.
        target_path: Utf8PathBuf,
    },
}

impl Entry {
    /// The fragment path this entry stands for, or `None` for an alias.
    pub fn fragment(&self) -> Option<&Utf8Path> {
        match self.kind {
            EntryKind::File | EntryKind::Linked { .. } => Some(&self.path),
            EntryKind::Alias { .. } => None,
        }
    }

    /// The value `systemd-analyze unit-files` prints after `ids: NAME → `: the target name of an
    /// alias, else the fragment path.
    pub fn value(&self) -> &str {
        match &self.kind {
            EntryKind::Alias { target, .. } => target.as_str(),
            _ => self.path.as_str(),
        }
    }
}

/// Why a lookup found no fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Miss {
    /// No entry carries the name (ENOENT).
    NoEntry,
    /// An alias chain ended at a name with no entry (ENXIO): a dangling alias.
    DanglingAlias,
    /// More than [`MAX_ALIAS_HOPS`] aliases were followed (ELOOP): an alias cycle.
    TooManyHops,
}

/// The result of [`Catalog::lookup`]: PID 1's view of one requested name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The name that was asked for.
    pub requested: UnitName,
    /// The unit's id: the fragment's file name (with the requested instance filled into a
    /// template), or the requested name when there is no fragment.
    pub id: UnitName,
    /// The fragment path (a file, a linked-unit symlink or a mask), if any.
    pub fragment: Option<Utf8PathBuf>,
    /// All names of the unit, including `id` and `requested` (templates are instantiated).
    pub names: BTreeSet<UnitName>,
    /// Why there is no fragment (or [`Miss::TooManyHops`], which also aborts name collection).
    pub miss: Option<Miss>,
}

impl Lookup {
    /// The unit's other names: [`Lookup::names`] without [`Lookup::id`].
    pub fn aliases(&self) -> impl Iterator<Item = &UnitName> {
        self.names.iter().filter(move |n| **n != self.id)
    }
}

/// The name → fragment map of one search path, with the reverse alias map and the directory cache
/// used for drop-ins.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    search_path: Vec<Utf8PathBuf>,
    expanded: Vec<Utf8PathBuf>,
    /// Sorted by name, one per name (looked up through `entry_index`).
    entries: Vec<Entry>,
    /// `entries` by name (a hash index: see [`NameIndex`]).
    entry_index: NameIndex,
    /// The reverse map as `(fragment name, name)` pairs, sorted.
    aliases: Vec<(String, String)>,
    /// The first pair of each fragment name in `aliases`.
    alias_index: NameIndex,
    /// The reverse map as nested maps, made from `aliases` on first use of
    /// [`Catalog::aliases_map`].
    aliases_view: OnceLock<BTreeMap<String, BTreeSet<String>>>,
    /// Sorted by path text, without duplicates.
    dirs: Vec<Utf8PathBuf>,
    /// The file names of `dirs` (`foo.service.d`, `multi-user.target.wants`), so that a drop-in
    /// directory name that no search directory holds is dismissed with one lookup.
    dir_names: std::collections::HashSet<Box<str>, crate::fs::FastBuildHasher>,
    /// The heads (text before the first `-`, `@` or `.`) of `dir_names`: a unit whose name has
    /// another head has no drop-in directory of its own names (every name of its walk shares its
    /// head).
    dir_heads: std::collections::HashSet<Box<str>, crate::fs::FastBuildHasher>,
    /// The search directories (by index in `search_path`) that hold any recorded directory
    /// ([`Catalog::has_dirs_under`], computed once).
    dropin_search: Vec<usize>,
    stamp: Vec<(Utf8PathBuf, i128)>,
    unstamped: Vec<Utf8PathBuf>,
}

impl PartialEq for Catalog {
    fn eq(&self, other: &Catalog) -> bool {
        // `aliases_view` is a cache of `aliases`.
        self.search_path == other.search_path
            && self.expanded == other.expanded
            && self.entries == other.entries
            && self.aliases == other.aliases
            && self.dirs == other.dirs
            && self.stamp == other.stamp
            && self.unstamped == other.unstamped
    }
}

impl Eq for Catalog {}

/// One accepted directory entry while the map is being built, with the metadata of a regular
/// file (an empty one is a mask and stays out of the reverse map).
struct Scanned {
    entry: Entry,
    meta: Option<Metadata>,
}

/// The form of a search directory used to test whether a normalised path lies below it by text,
/// as `Path::strip_prefix` would component by component: `None` if it has a `..` component (no
/// normalised path can then start with it).
fn prefix_form(dir: &Utf8Path) -> Option<String> {
    let mut out = String::with_capacity(dir.as_str().len());
    for part in dir.as_str().split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => {
                out.push('/');
                out.push_str(p);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// `path` (a normalised absolute path) without the leading `prefix` (a [`prefix_form`]), like
/// `Path::strip_prefix`: `""` if they are equal.
fn strip_dir_prefix<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix == "/" {
        return path.strip_prefix('/');
    }
    let rest = path.strip_prefix(prefix)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix('/')
    }
}

impl Catalog {
    /// Builds the map for the search path of `paths` (reference §3.3). Problems (refused aliases,
    /// suspicious symlinks, unreadable directories) go to `sink` with systemd's wording.
    pub fn build(fs: &dyn FileSystem, paths: &LookupPaths, sink: &mut dyn Sink) -> Catalog {
        let dirs: Vec<Utf8PathBuf> = paths.search_path().iter().map(|d| d.path.clone()).collect();
        // Directories under systemd's exclusive control do not count for the cache stamp (§1.8).
        let unstamped: Vec<Utf8PathBuf> = [
            paths.generator(),
            paths.generator_early(),
            paths.generator_late(),
            paths.transient(),
            paths.persistent_control(),
            paths.runtime_control(),
        ]
        .into_iter()
        .flatten()
        .map(Utf8Path::to_owned)
        .collect();
        let mut cat = Catalog::build_from_dirs(fs, &dirs, sink);
        cat.unstamped = unstamped;
        cat.stamp = cat.current_stamp(fs);
        cat
    }

    /// The modification times of the search directories that exist (without those under systemd's
    /// exclusive control), the cache key PID 1 uses (reference §1.8, §7.4).
    fn current_stamp(&self, fs: &dyn FileSystem) -> Vec<(Utf8PathBuf, i128)> {
        self.search_path
            .iter()
            .filter(|d| !self.unstamped.contains(d))
            .filter_map(|d| match fs::resolve(fs, d, Follow::Yes) {
                Ok(r) => match r.target {
                    Target::Exists(m) => Some((d.clone(), m.modified_ns)),
                    _ => None,
                },
                Err(_) => None,
            })
            .collect()
    }

    /// Whether the search directories' modification times are unchanged since the map was built.
    /// PID 1 reuses its map while this holds; when it does not, a unit that is `not-found` is looked
    /// up again when referenced (reference §7.4), while loaded units keep their configuration until
    /// `daemon-reload`.
    pub fn is_current(&self, fs: &dyn FileSystem) -> bool {
        self.current_stamp(fs) == self.stamp
    }

    /// Builds the map for an explicit list of search directories (absolute paths inside the root of
    /// `fs`, highest priority first), e.g. what `SYSTEMD_UNIT_PATH=dir1:dir2` selects.
    ///
    /// Symlink targets are made absolute (relative ones against the link's directory; absolute ones
    /// are taken inside the root) and normalised component by component with [`fs::resolve`]
    /// without following the last component (systemd's `chase_symlinks(NOFOLLOW|NONEXISTENT)`). The
    /// target is inside the search path if it lies below one of the search directories or below the
    /// fully resolved version of one (a search directory may itself be a symlink, e.g. `/lib` →
    /// `usr/lib`).
    pub fn build_from_dirs(
        fs: &dyn FileSystem,
        dirs: &[Utf8PathBuf],
        sink: &mut dyn Sink,
    ) -> Catalog {
        let mut cat = Catalog {
            search_path: dirs.to_vec(),
            ..Catalog::default()
        };
        for dir in dirs {
            if !cat.expanded.contains(dir) {
                cat.expanded.push(dir.clone());
            }
            if let Ok(r) = fs::resolve(fs, dir, Follow::Yes) {
                if matches!(r.target, Target::Exists(_)) && !cat.expanded.contains(&r.path) {
                    cat.expanded.push(r.path);
                }
            }
        }
        let prefixes: Vec<Option<String>> = cat.expanded.iter().map(|d| prefix_form(d)).collect();
        let mut scanned: Vec<Vec<Scanned>> = Vec::with_capacity(dirs.len());
        for (index, dir) in dirs.iter().enumerate() {
            let found = cat.scan_dir(fs, index, dir, &scanned, &prefixes, sink);
            scanned.push(found);
        }
        let mut all: Vec<Scanned> = scanned.into_iter().flatten().collect();
        // Names are unique across directories (shadowed ones were skipped): sort once. Each
        // directory's part is already sorted, and the stable sort merges such runs in linear time.
        all.sort_by(|a, b| a.entry.name.as_str().cmp(b.entry.name.as_str()));
        let mut metas = Vec::with_capacity(all.len());
        cat.entries = all
            .into_iter()
            .map(|s| {
                metas.push(s.meta);
                s.entry
            })
            .collect();
        cat.entry_index = NameIndex::build(cat.entries.iter().map(|e| e.name.as_str()));
        cat.dirs.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        cat.dirs.dedup();
        cat.dir_names = cat
            .dirs
            .iter()
            .filter_map(|d| d.file_name())
            .map(Box::from)
            .collect();
        cat.dir_heads = cat
            .dir_names
            .iter()
            .map(|n| Box::from(name_head(n)))
            .collect();
        cat.dropin_search = (0..cat.search_path.len())
            .filter(|&i| cat.has_dirs_under(&cat.search_path[i]))
            .collect();
        cat.build_reverse_map(fs, &metas);
        cat.stamp = cat.current_stamp(fs);
        cat
    }

    /// The index in `entries` of the entry named `name`.
    fn find(&self, name: &str) -> Option<usize> {
        self.entry_index.find(
            name,
            |i| self.entries[i].name.as_str(),
            || {
                self.entries
                    .binary_search_by(|e| e.name.as_str().cmp(name))
                    .ok()
            },
        )
    }

    fn get(&self, name: &str) -> Option<&Entry> {
        self.find(name).map(|i| &self.entries[i])
    }

    /// Scans one search directory; `earlier` holds what the directories before it provided (each
    /// sorted by name), which shadows the same names here.
    fn scan_dir(
        &mut self,
        fs: &dyn FileSystem,
        index: usize,
        dir: &Utf8Path,
        earlier: &[Vec<Scanned>],
        prefixes: &[Option<String>],
        sink: &mut dyn Sink,
    ) -> Vec<Scanned> {
        let mut found: Vec<Scanned> = Vec::new();
        // The directory itself may be a symlink (`/lib` → `usr/lib`): read it through its resolved
        // path, but report entries under the search directory's own path, as systemd does.
        let real = match fs::resolve(fs, dir, Follow::Yes) {
            Ok(r) if matches!(r.target, Target::Exists(_)) => r.path,
            _ => dir.to_owned(),
        };
        let mut listing = match fs.read_dir_metadata(&real) {
            Ok(l) => l,
            Err(e) if e.is_not_found() => return found,
            Err(e) => {
                sink.push(Diagnostic::new(
                    dir,
                    0,
                    Severity::Warning,
                    Code::Unreadable,
                    format!("Failed to open \"{dir}\", ignoring: {}", e.strerror()),
                ));
                return found;
            }
        };
        if !listing.windows(2).all(|w| w[0].0.name <= w[1].0.name) {
            listing.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        }
        let shadowed = |name: &str| {
            earlier.iter().any(|d| {
                d.binary_search_by(|s| s.entry.name.as_str().cmp(name))
                    .is_ok()
            })
        };
        for (de, meta) in listing {
            let is_unit = crate::name::is_valid(&de.name);
            match de.kind {
                FileKind::File if is_unit => {}
                FileKind::Symlink if is_unit => {}
                FileKind::Dir => {
                    if directory_name_is_valid(&de.name) {
                        self.dirs.push(fs::child_path(dir, &de.name));
                    }
                    continue;
                }
                FileKind::Symlink => {
                    if directory_name_is_valid(&de.name)
                        && symlink_is_dir(fs, &fs::child_path(&real, &de.name))
                    {
                        self.dirs.push(fs::child_path(dir, &de.name));
                    }
                    continue;
                }
                _ => continue,
            }
            if shadowed(&de.name) {
                continue;
            }
            let (kind, meta) = if de.kind == FileKind::Symlink {
                match self.classify_symlink(fs, dir, &real, &de.name, prefixes, sink) {
                    Some(k) => (k, None),
                    None => continue,
                }
            } else {
                (EntryKind::File, Some(meta))
            };
            let path = fs::child_path(dir, &de.name);
            // The listing's own string becomes the name (validated above).
            let Ok(name) = UnitName::try_from(de.name) else {
                continue;
            };
            found.push(Scanned {
                entry: Entry {
                    path,
                    name,
                    search_dir: index,
                    kind,
                },
                meta,
            });
        }
        found
    }

    /// systemd's `unit_file_resolve_symlink()` for the loader: alias, linked file, or refused.
    fn classify_symlink(
        &self,
        fs: &dyn FileSystem,
        dir: &Utf8Path,
        real_dir: &Utf8Path,
        file_name: &str,
        prefixes: &[Option<String>],
        sink: &mut dyn Sink,
    ) -> Option<EntryKind> {
        let link = fs::child_path(dir, file_name);
        let target = match fs.read_link(&fs::child_path(real_dir, file_name)) {
            Ok(t) => t,
            Err(e) => {
                sink.push(Diagnostic::new(
                    &link,
                    0,
                    Severity::Warning,
                    Code::Symlink,
                    format!("Failed to read symlink {dir}/{file_name}: {}", e.strerror()),
                ));
                return None;
            }
        };
        let simplified = match simplify_target(fs, dir, &target) {
            Ok(p) => p,
            Err(e) => {
                sink.push(Diagnostic::new(
                    &link,
                    0,
                    Severity::Warning,
                    Code::Symlink,
                    format!(
                        "Failed to resolve symlink {dir}/{file_name} pointing to {target}: {}",
                        e.strerror()
                    ),
                ));
                return None;
            }
        };
        // `simplified` is normalised, so a text prefix test is `Path::strip_prefix`'s answer.
        let tail = prefixes
            .iter()
            .flatten()
            .find_map(|d| strip_dir_prefix(simplified.as_str(), d));
        let Some(tail) = tail else {
            return Some(EntryKind::Linked { target: simplified });
        };
        let tail_is_path = tail.contains('/');
        let target_name = simplified.file_name()?;
        if let Err(rej) = validate_alias(file_name, target_name) {
            let severity = if rej.problem == AliasProblem::SelfAlias {
                Severity::Debug
            } else {
                rej.severity
            };
            // systemd prefixes most of these with the entry's file name, not its path.
            let prefix = format!("{file_name}: ");
            let d = match rej.message.strip_prefix(&prefix) {
                Some(rest) => Diagnostic::new(file_name, 0, severity, Code::Symlink, rest),
                None => Diagnostic::new(&link, 0, severity, Code::Symlink, rej.message.clone()),
            };
            sink.push(d);
            return None;
        }
        if tail_is_path {
            sink.push(Diagnostic::new(
                &link,
                0,
                Severity::Warning,
                Code::Symlink,
                format!("Suspicious symlink {dir}/{file_name} \u{2192} {simplified}, treating as alias."),
            ));
        }
        let target = UnitName::new(target_name).ok()?;
        Some(EntryKind::Alias {
            target,
            target_path: simplified,
        })
    }

    /// The reverse map: for every name whose alias chain ends at a fragment that is not a mask,
    /// the fragment's file name (instantiated for an instance of a template) → the name.
    /// `metas` holds the scan-time metadata of each regular-file entry (parallel to `entries`):
    /// for those the emptiness test needs no further lookup.
    fn build_reverse_map(&mut self, fs: &dyn FileSystem, metas: &[Option<Metadata>]) {
        let mut pairs: Vec<(String, String)> = Vec::with_capacity(self.entries.len());
        for src in &self.entries {
            let Ok(index) = self.follow_index(src.name.as_str()) else {
                continue;
            };
            let fragment = &self.entries[index];
            // systemd's `null_or_empty_path()` on the fragment: masks and missing files are left
            // out, directories and other objects stay in.
            let counts = match (&fragment.kind, metas.get(index).copied().flatten()) {
                (EntryKind::File, Some(meta)) if meta.kind == FileKind::File => meta.size > 0,
                _ => matches!(
                    classify(fs, &fragment.path),
                    FileState::File { .. } | FileState::Other { .. }
                ),
            };
            if !counts {
                continue;
            }
            // An entry's path ends with its name: the fragment's file name is `fragment.name`.
            let base = fragment.name.as_str();
            let dst = if fragment.name.kind() == NameKind::Template {
                match src.name.instance() {
                    Some(inst) => match replace_instance(base, inst) {
                        Some(d) => d,
                        None => continue,
                    },
                    None => base.to_owned(),
                }
            } else {
                base.to_owned()
            };
            pairs.push((dst, src.name.as_str().to_owned()));
        }
        // Mostly sorted already (most names are their own fragment's name, and `entries` is sorted):
        // the stable sort takes advantage of the runs.
        // Pairs are unique: each name appears once as the second member.
        pairs.sort();
        self.alias_index = NameIndex::build(pairs.iter().map(|(d, _)| d.as_str()));
        self.aliases = pairs;
        self.aliases_view = OnceLock::new();
    }

    /// The reverse-map pairs whose fragment name is `name`, sorted by the other name.
    fn alias_pairs(&self, name: &str) -> &[(String, String)] {
        let found = self.alias_index.find(
            name,
            |i| self.aliases[i].0.as_str(),
            || {
                let start = self.aliases.partition_point(|(d, _)| d.as_str() < name);
                (self.aliases.get(start).map(|(d, _)| d.as_str()) == Some(name)).then_some(start)
            },
        );
        let Some(start) = found else {
            return &[];
        };
        let len = self.aliases[start..].partition_point(|(d, _)| d.as_str() == name);
        &self.aliases[start..start + len]
    }

    /// systemd's `unit_ids_map_get()`: follows aliases from `name` to a fragment path.
    fn follow(&self, name: &str) -> Result<Utf8PathBuf, Miss> {
        self.follow_index(name)
            .map(|i| self.entries[i].path.clone())
    }

    /// [`Catalog::follow`], giving the index of the fragment's entry.
    fn follow_index(&self, name: &str) -> Result<usize, Miss> {
        let mut id: Option<Cow<'_, str>> = None;
        for _ in 0..MAX_ALIAS_HOPS {
            let key = id.as_deref().unwrap_or(name);
            let index = match self.find(key) {
                Some(i) => i,
                None => {
                    let Some(current) = id.as_deref() else {
                        return Err(Miss::NoEntry);
                    };
                    if kind(current) != Some(NameKind::Instance)
                        && kind(current) != Some(NameKind::Template)
                    {
                        return Err(Miss::DanglingAlias);
                    }
                    let template = template_of(current).ok_or(Miss::DanglingAlias)?;
                    self.find(&template).ok_or(Miss::DanglingAlias)?
                }
            };
            match &self.entries[index].kind {
                EntryKind::Alias { target, .. } => id = Some(Cow::Borrowed(target.as_str())),
                _ => return Ok(index),
            }
        }
        Err(Miss::TooManyHops)
    }

    /// Resolves `name` as PID 1 does when it loads a unit (systemd's `unit_file_find_fragment()`).
    pub fn lookup(&self, name: &UnitName) -> Lookup {
        let requested = name.as_str();
        let name_kind = name.kind();
        // The common case, answered without building name sets: a plain name that no other name
        // aliases, whose fragment carries its own name. The general path below gives exactly
        // this: the name set is the name itself, and so is the id.
        if name_kind == NameKind::Plain
            && self
                .alias_pairs(requested)
                .iter()
                .all(|(_, alias)| alias == requested)
        {
            if let Ok(fragment) = self.follow(requested) {
                if basename(fragment.as_str()) == requested {
                    return Lookup {
                        requested: name.clone(),
                        id: name.clone(),
                        fragment: Some(fragment),
                        names: BTreeSet::from([name.clone()]),
                        miss: None,
                    };
                }
            }
        }
        let instance = instance_of(requested).map(str::to_owned);
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut miss = None;
        let mut fragment = None;

        let collected = self.add_names(None, name_kind, instance.as_deref(), &mut names, requested);
        if let Err(m) = collected {
            miss = Some(m);
        } else {
            match self.follow(requested) {
                Ok(p) => fragment = Some(p),
                Err(Miss::TooManyHops) => miss = Some(Miss::TooManyHops),
                Err(m) => {
                    miss = Some(m);
                    if name_kind == NameKind::Instance {
                        if let Some(template) = template_of(requested) {
                            match self.follow(&template) {
                                Ok(p) => {
                                    fragment = Some(p);
                                    miss = None;
                                }
                                Err(Miss::TooManyHops) => miss = Some(Miss::TooManyHops),
                                Err(_) => {}
                            }
                        }
                    }
                }
            }
            if let Some(frag) = &fragment {
                let base = basename(frag.as_str()).to_owned();
                if base != requested {
                    if let Err(m) = self.add_names(
                        Some(&base),
                        name_kind,
                        instance.as_deref(),
                        &mut names,
                        &base,
                    ) {
                        miss = Some(m);
                        fragment = None;
                    }
                }
            }
        }

        if miss == Some(Miss::TooManyHops) {
            // systemd aborts before merging names: the unit keeps only its own name.
            names = BTreeSet::from([requested.to_owned()]);
        }
        // Templates in the name set stand for the requested instance (systemd's unit_merge_by_name).
        let mut out = BTreeSet::new();
        for n in &names {
            let full = match (kind(n), instance.as_deref()) {
                (Some(NameKind::Template), Some(i)) => replace_instance(n, i),
                (Some(NameKind::Template), None) if name_kind != NameKind::Template => None,
                _ => Some(n.clone()),
            };
            if let Some(un) = full.and_then(|f| UnitName::new(&f).ok()) {
                out.insert(un);
            }
        }
        // The id becomes the fragment's name (instance filled in) only if that exact name is among
        // the collected names: systemd picks it while merging names, comparing the raw strings, so
        // an instance loaded from a template keeps the requested name unless an alias of the
        // template spells the instance out (e.g. the template itself is in the reverse map).
        let id = fragment
            .as_ref()
            .and_then(|f| {
                let base = basename(f.as_str());
                match (kind(base), instance.as_deref()) {
                    (Some(NameKind::Template), Some(i)) => replace_instance(base, i),
                    _ => Some(base.to_owned()),
                }
            })
            .filter(|candidate| name_kind == NameKind::Template || names.contains(candidate))
            .and_then(|s| UnitName::new(&s).ok())
            .filter(|n| n.unit_type() == name.unit_type())
            .unwrap_or_else(|| name.clone());
        if name_kind != NameKind::Template {
            out.insert(id.clone());
            out.insert(name.clone());
        }
        Lookup {
            requested: name.clone(),
            id,
            fragment,
            names: out,
            miss,
        }
    }

    /// systemd's `add_names()`: the name itself (unless a template) and its aliases from the reverse
    /// map, with template aliases instantiated for an instance (unless that instance resolves to a
    /// different fragment).
    fn add_names(
        &self,
        fragment_basename: Option<&str>,
        name_kind: NameKind,
        instance: Option<&str>,
        names: &mut BTreeSet<String>,
        name: &str,
    ) -> Result<(), Miss> {
        if name_kind != NameKind::Template {
            names.insert(name.to_owned());
        }
        for (_, alias) in self.alias_pairs(name) {
            if name_kind == NameKind::Instance && kind(alias) == Some(NameKind::Template) {
                let Some(inst) = instance.and_then(|i| replace_instance(alias, i)) else {
                    continue;
                };
                let inst_fragment = match self.follow(&inst) {
                    Ok(p) => Some(p),
                    Err(Miss::TooManyHops) => return Err(Miss::TooManyHops),
                    Err(_) => None,
                };
                if let (Some(f), Some(fb)) = (&inst_fragment, fragment_basename) {
                    if basename(f.as_str()) != fb {
                        continue;
                    }
                }
                names.insert(inst);
            } else {
                names.insert(alias.clone());
            }
        }
        Ok(())
    }

    /// The search directories, highest priority first.
    pub fn search_path(&self) -> &[Utf8PathBuf] {
        &self.search_path
    }

    /// The search directories plus the fully resolved version of each that is a symlink (the set
    /// that decides whether a symlink target is an alias).
    pub fn expanded_search_path(&self) -> &[Utf8PathBuf] {
        &self.expanded
    }

    /// The entry for `name`, if a directory entry carries it.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.get(name)
    }

    /// All entries, sorted by name (`systemd-analyze unit-files`' `ids:` lines).
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// The reverse map (`systemd-analyze unit-files`' `aliases:` lines): for a fragment's file name
    /// (instantiated for instance aliases of templates), every name that resolves to it. Masked,
    /// dangling and looping names are not in it. The catalog keeps the map as sorted pairs (what
    /// lookups use); this nested view is made on the first call and then kept.
    pub fn aliases_map(&self) -> &BTreeMap<String, BTreeSet<String>> {
        self.aliases_view.get_or_init(|| {
            let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (dst, src) in &self.aliases {
                map.entry(dst.clone()).or_default().insert(src.clone());
            }
            map
        })
    }

    /// The names that resolve to the fragment whose file name is `name` (see [`Catalog::aliases_map`]).
    pub fn aliases_of(&self, name: &str) -> impl Iterator<Item = &str> {
        self.alias_pairs(name).iter().map(|(_, src)| src.as_str())
    }

    /// Whether `path` (a search directory + `NAME.wants`/`NAME.requires`/`NAME.d`) was recorded as a
    /// directory while scanning (systemd's unit path cache): only those are drop-in candidates.
    pub fn has_dir(&self, path: &Utf8Path) -> bool {
        self.dirs
            .binary_search_by(|d| d.as_str().cmp(path.as_str()))
            .is_ok()
    }

    /// Whether some search directory holds a recorded `.wants`/`.requires`/`.d` directory named
    /// `file_name` (`foo.service.d`). False means [`Catalog::has_dir`] is false for every
    /// `SEARCH_DIR/file_name`.
    pub fn has_dir_named(&self, file_name: &str) -> bool {
        self.dir_names.contains(file_name)
    }

    /// Whether some recorded drop-in directory's name has the same head (the text before the
    /// first `-`, `@` or `.`) as `unit_name`. False means no directory is named after `unit_name`
    /// or any name of its drop-in walk (which all keep its head).
    pub fn may_have_dirs_for(&self, unit_name: &str) -> bool {
        self.dir_heads.contains(name_head(unit_name))
    }

    /// The search directories that hold any recorded `.wants`/`.requires`/`.d` directory, in
    /// search-path order (those for which [`Catalog::has_dirs_under`] holds).
    pub fn search_dirs_with_dirs(&self) -> impl Iterator<Item = &Utf8Path> {
        self.dropin_search
            .iter()
            .map(|&i| self.search_path[i].as_path())
    }

    /// Whether any recorded `.wants`/`.requires`/`.d` directory is inside `dir` (a search directory
    /// usually has none, and then no candidate path in it needs to be looked up).
    pub fn has_dirs_under(&self, dir: &Utf8Path) -> bool {
        // The paths that start with `dir/` are the smallest ones from `dir/` on.
        let dir = dir.as_str().trim_end_matches('/').as_bytes();
        let below = |d: &Utf8PathBuf| {
            let d = d.as_str().as_bytes();
            let n = dir.len().min(d.len());
            match d[..n].cmp(&dir[..n]) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Greater => false,
                std::cmp::Ordering::Equal => d.get(dir.len()).is_none_or(|&b| b < b'/'),
            }
        };
        let first = self.dirs.partition_point(below);
        self.dirs.get(first).is_some_and(|d| {
            let d = d.as_str().as_bytes();
            d.starts_with(dir) && d.get(dir.len()) == Some(&b'/')
        })
    }

    /// All recorded `.wants`/`.requires`/`.d` directories, sorted by their path text.
    pub fn dirs(&self) -> impl Iterator<Item = &Utf8Path> {
        self.dirs.iter().map(Utf8PathBuf::as_path)
    }
}

/// Makes a symlink target absolute and normalises it like `chase_symlinks(NOFOLLOW|NONEXISTENT)`.
fn simplify_target(
    fs: &dyn FileSystem,
    dir: &Utf8Path,
    target: &Utf8Path,
) -> Result<Utf8PathBuf, FsError> {
    let joined = if target.is_absolute() {
        target.to_owned()
    } else {
        dir.join(target)
    };
    match fs::resolve(fs, &joined, Follow::No) {
        Ok(r) => Ok(r.path),
        Err(FsError::InvalidPath { .. }) => {
            let normal = fs::normalize(dir, target);
            fs::resolve(fs, &normal, Follow::No).map(|r| r.path)
        }
        Err(e) => Err(e),
    }
}

/// A directory name the loader records for drop-ins: `X.wants`, `X.requires` or `X.d` where `X` is a
/// valid unit name or a unit type (`service.d`).
pub fn directory_name_is_valid(name: &str) -> bool {
    [".wants", ".requires", ".d"].iter().any(|suffix| {
        name.strip_suffix(suffix).is_some_and(|chopped| {
            UnitName::new(chopped).is_ok() || UnitType::from_suffix(chopped).is_some()
        })
    })
}

/// Whether a symlink found in a search directory leads to a directory. systemd checks the raw link
/// text from its working directory (`/` for PID 1), so relative targets are taken relative to `/`.
fn symlink_is_dir(fs: &dyn FileSystem, link: &Utf8Path) -> bool {
    let Ok(target) = fs.read_link(link) else {
        return false;
    };
    let abs = fs::normalize(Utf8Path::new("/"), &target);
    matches!(
        fs::resolve(fs, &abs, Follow::Yes),
        Ok(r) if matches!(r.target, Target::Exists(m) if m.kind == FileKind::Dir)
    )
}

/// The text of `name` before its first `-`, `@` or `.` (all of it if none).
fn name_head(name: &str) -> &str {
    let end = name
        .bytes()
        .position(|b| matches!(b, b'-' | b'@' | b'.'))
        .unwrap_or(name.len());
    &name[..end]
}
