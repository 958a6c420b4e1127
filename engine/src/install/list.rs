//! `list-unit-files` (reference §4.11): every unit file in the search path with its state and
//! preset.
//!
//! # Speed
//!
//! systemd computes each entry's state with the full `is-enabled` algorithm, which rescans every
//! search directory and all its `.wants/`/`.requires/` subdirectories per unit: quadratic in the
//! size of the tree. Here the enablement links are read once into a [`LinkIndex`] (per search
//! directory: the names of the links in its `.wants/`/`.requires/` subdirectories, and its own
//! links by name and by target basename), and each unit's state is decided against it in
//! constant time per directory ([`state_with_index`]). Unit lookups go through a [`ReadCache`],
//! so that directories are listed and `lstat`ed once. [`list_unit_files_reference`] is the
//! straightforward algorithm; a property test proves both give the same answers.
use super::change::Errno;
use super::discover::{basename, join, Ctx};
use super::fnmatch::fnmatch;
use super::info::InstallInfo;
use super::preset_rules::Presets;
use super::read_cache::ReadCache;
use super::search_view::SearchView;
use super::state::state_by;
use super::symlink::hidden_or_backup;
use super::{Log, Options, UnitFileState};
use crate::fs::{resolve, FileKind, FileSystem, Follow};
use crate::load::LookupPaths;
use crate::name::{NameKind, UnitName};
use camino::Utf8PathBuf;
use std::collections::{HashMap, HashSet};

/// Filters of `list-unit-files`: shell globs on the name, state words, type suffixes (all empty =
/// everything).
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// `PATTERN…` (fnmatch on the unit name).
    pub patterns: Vec<String>,
    /// `--state=` (and load-state words given to `--type=`), matched against the state word.
    pub states: Vec<String>,
    /// `--type=`, matched against the suffix after the last dot.
    pub types: Vec<String>,
}

/// The PRESET column of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresetColumn {
    /// Not shown for this state (`alias`, `static`, `generated`, `transient`): `-`.
    Hidden,
    /// `enabled`.
    Enabled,
    /// `disabled`.
    Disabled,
    /// The presets could not be read: `n/a`.
    NotAvailable,
}

impl PresetColumn {
    /// The cell text (`None` for the empty cell systemctl prints as `-`, `null` in JSON).
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            PresetColumn::Hidden => None,
            PresetColumn::Enabled => Some("enabled"),
            PresetColumn::Disabled => Some("disabled"),
            PresetColumn::NotAvailable => Some("n/a"),
        }
    }
}

/// One row of `list-unit-files`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitFileEntry {
    /// The unit file's path (root-relative, first occurrence in the search path).
    pub path: Utf8PathBuf,
    /// Its name.
    pub name: String,
    /// Its state (`bad` if the lookup failed).
    pub state: UnitFileState,
    /// Its preset.
    pub preset: PresetColumn,
}

/// The result of a listing: the rows in systemctl's order and the lines logged on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    /// The rows, sorted like systemctl sorts them.
    pub entries: Vec<UnitFileEntry>,
    /// Warnings logged while computing states and presets, in order.
    pub logs: Vec<Log>,
    /// Why the listing failed (`Failed to get unit file list: …`): a search directory that cannot
    /// be opened for a reason systemd does not skip, such as a symlink loop (`ELOOP`).
    pub error: Option<Errno>,
}

/// Enablement links of one search directory.
#[derive(Debug, Default)]
struct DirLinks {
    /// Names of the symlinks in its `*.wants/` and `*.requires/` subdirectories.
    wants_names: HashSet<String>,
    /// Templates of those names (for instances and templates).
    wants_templates: HashSet<String>,
    /// Its own symlinks: name → target basenames (`None`: target ends with `/` or unreadable).
    top_by_name: HashMap<String, Vec<Option<String>>>,
    /// Its own symlinks: target basename → link names.
    top_by_dest: HashMap<String, Vec<String>>,
}

/// The enablement links of every search directory, read once.
#[derive(Debug, Default)]
pub struct LinkIndex {
    dirs: Vec<Option<DirLinks>>,
}

impl LinkIndex {
    /// Reads the links of every search directory of `lp`.
    pub fn build(fs: &dyn FileSystem, lp: &LookupPaths) -> LinkIndex {
        let dirs = lp
            .search_path()
            .iter()
            .map(|d| index_dir(fs, &d.path))
            .collect();
        LinkIndex { dirs }
    }
}

fn real_dir(fs: &dyn FileSystem, dir: &camino::Utf8Path) -> Option<Utf8PathBuf> {
    match resolve(fs, dir, Follow::Yes) {
        Ok(r) if r.target.kind() == Some(FileKind::Dir) => Some(r.path),
        _ => None,
    }
}

fn index_dir(fs: &dyn FileSystem, dir: &camino::Utf8Path) -> Option<DirLinks> {
    let real = real_dir(fs, dir)?;
    let entries = fs.read_dir(&real).ok()?;
    let mut out = DirLinks::default();
    for e in &entries {
        if hidden_or_backup(&e.name) {
            continue;
        }
        match e.kind {
            FileKind::Dir => {
                let suffix = e.name.rfind('.').map(|i| &e.name[i..]);
                if !matches!(suffix, Some(".wants") | Some(".requires")) {
                    continue;
                }
                let Some(sub) = real_dir(fs, &join(dir, &e.name)) else {
                    continue;
                };
                let Ok(subs) = fs.read_dir(&sub) else {
                    continue;
                };
                for s in subs {
                    if hidden_or_backup(&s.name) || s.kind != FileKind::Symlink {
                        continue;
                    }
                    if let Some(t) = UnitName::new(&s.name).ok().and_then(|n| n.template()) {
                        out.wants_templates.insert(t.into_string());
                    }
                    out.wants_names.insert(s.name);
                }
            }
            FileKind::Symlink => {
                let dest = match fs.read_link(&join(&real, &e.name)) {
                    Ok(d) => {
                        let d = d.into_string();
                        (!d.ends_with('/')).then(|| basename(&d).to_owned())
                    }
                    Err(_) => None,
                };
                if let Some(d) = &dest {
                    out.top_by_dest
                        .entry(d.clone())
                        .or_default()
                        .push(e.name.clone());
                }
                out.top_by_name
                    .entry(e.name.clone())
                    .or_default()
                    .push(dest);
            }
            _ => {}
        }
    }
    Some(out)
}

fn is_known_name(info: &InstallInfo, name: &str) -> bool {
    if name == info.name || info.aliases.iter().any(|a| a == name) {
        return true;
    }
    match (&info.default_instance, UnitName::new(&info.name)) {
        (Some(d), Ok(n)) if n.kind() == NameKind::Template => {
            n.with_instance(d).is_ok_and(|s| s.as_str() == name)
        }
        _ => false,
    }
}

fn template_of(name: &str) -> Option<String> {
    UnitName::new(name)
        .ok()
        .and_then(|n| n.template())
        .map(UnitName::into_string)
}

/// Whether directory `d` holds a link that enables `info` (`found`), or only a same-name link
/// (`same`): the index version of systemd's `find_symlinks()`.
fn scan(
    d: &DirLinks,
    info: &InstallInfo,
    match_name: bool,
    ignore_same_name: bool,
) -> (bool, bool) {
    let name = info.name.as_str();
    // `.wants/` and `.requires/` links, matched by name or by template.
    let wants_hit = if match_name {
        let mut candidates: Vec<String> = vec![name.to_owned()];
        candidates.extend(info.aliases.iter().cloned());
        if let (Some(di), Ok(n)) = (&info.default_instance, UnitName::new(name)) {
            if n.kind() == NameKind::Template {
                if let Ok(s) = n.with_instance(di) {
                    candidates.push(s.into_string());
                }
            }
        }
        candidates.iter().any(|c| {
            d.wants_names.contains(c)
                && (c == name || template_of(c).as_deref() == Some(name))
                && is_known_name(info, c)
        })
    } else {
        d.wants_names.contains(name) || d.wants_templates.contains(name)
    };
    if wants_hit {
        return (true, false);
    }
    let mut same = false;
    if let Some(links) = d.top_by_dest.get(name) {
        for l in links {
            let found_path = !ignore_same_name && l == name;
            if found_path {
                same = true;
            } else if !match_name || is_known_name(info, l) {
                return (true, same);
            }
        }
    }
    if !ignore_same_name {
        if let Some(dests) = d.top_by_name.get(name) {
            if dests.iter().any(|t| t.as_deref() != Some(name)) {
                return (true, same);
            }
        }
    }
    (false, same)
}

fn find_in_scope(
    lp: &LookupPaths,
    index: &LinkIndex,
    info: &InstallInfo,
    match_name: bool,
) -> Option<UnitFileState> {
    // A search directory that cannot be opened failed the whole listing before (`list_with`).
    let decided = super::state::decide_in_scope(
        lp,
        info,
        |i, _, ignore_same_name| {
            Ok(match index.dirs.get(i).and_then(Option::as_ref) {
                Some(l) => scan(l, info, match_name, ignore_same_name),
                None => (false, false),
            })
        },
        |_, _| None,
    );
    decided.unwrap_or(None)
}

/// The state of `name` decided against a prebuilt [`LinkIndex`] (equal to
/// [`lookup_state`](super::lookup_state) on the same tree).
pub fn state_with_index(
    ctx: &mut Ctx<'_>,
    index: &LinkIndex,
    name: &str,
) -> Result<UnitFileState, Errno> {
    state_by(ctx, name, |ctx, info, match_name| {
        Ok(find_in_scope(ctx.lp, index, info, match_name))
    })
}

/// The candidate unit files: `(name, path)` of every regular file or symlink with a valid unit
/// name in the search path, in search-path order, filtered by patterns. (Types are filtered after
/// the state lookup, whose warnings systemctl prints for every unit; see [`list_with`] for
/// repeated names.)
fn candidates(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    filter: &ListFilter,
) -> Result<Vec<(String, Utf8PathBuf)>, Errno> {
    let mut out = Vec::new();
    for d in lp.search_path() {
        // `unit_file_get_list()` skips a missing directory, a file and an inaccessible one, and
        // fails on anything else (a symlink loop).
        let real = match super::dropins::open_search_dir(fs, lp, &d.path) {
            Ok(Some(real)) => real,
            Ok(None) | Err(Errno::ENOTDIR | Errno::EACCES) => continue,
            Err(e) => return Err(e),
        };
        let Ok(entries) = fs.read_dir(&real) else {
            continue;
        };
        for e in entries {
            if !crate::name::is_valid(&e.name) {
                continue;
            }
            if !filter.patterns.is_empty() && !filter.patterns.iter().any(|p| fnmatch(p, &e.name)) {
                continue;
            }
            if !matches!(e.kind, FileKind::Symlink | FileKind::File) {
                continue;
            }
            let path = join(&d.path, &e.name);
            out.push((e.name, path));
        }
    }
    Ok(out)
}

/// systemctl's order: case-insensitively by the suffix from the last dot, then by name.
fn sort(entries: &mut [UnitFileEntry]) {
    fn lower(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b.to_ascii_lowercase()).collect()
    }
    entries.sort_by_cached_key(|e| {
        let n = e.name.as_str();
        let dot = n.rfind('.').unwrap_or(0);
        (lower(&n[dot..]), lower(n))
    });
}

fn finish(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    mut rows: Vec<UnitFileEntry>,
    mut logs: Vec<Log>,
) -> Listing {
    sort(&mut rows);
    let mut presets: Option<Result<Presets, Errno>> = None;
    for r in &mut rows {
        if matches!(
            r.state,
            UnitFileState::Alias
                | UnitFileState::Static
                | UnitFileState::Generated
                | UnitFileState::Transient
        ) {
            r.preset = PresetColumn::Hidden;
            continue;
        }
        let p = presets.get_or_insert_with(|| {
            let (p, mut l) = Presets::read(fs, lp);
            logs.append(&mut l);
            p
        });
        r.preset = match p.as_ref().map(|p| p.query(&r.name, false)) {
            Ok(Ok(v)) if v.enables() => PresetColumn::Enabled,
            Ok(Ok(_)) => PresetColumn::Disabled,
            _ => PresetColumn::NotAvailable,
        };
        if p.is_err() {
            // systemd retries reading the presets for every row when they failed.
            presets = None;
        }
    }
    Listing {
        entries: rows,
        logs,
        error: None,
    }
}

fn list_with(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    filter: &ListFilter,
    opts: Options,
    view: Option<std::rc::Rc<SearchView>>,
    state: &dyn Fn(&mut Ctx<'_>, &str) -> Result<UnitFileState, Errno>,
) -> Listing {
    let candidates = match candidates(fs, lp, filter) {
        Ok(c) => c,
        Err(e) => {
            return Listing {
                entries: Vec::new(),
                logs: Vec::new(),
                error: Some(e),
            }
        }
    };
    // The state depends on the name only: look every name up once, then walk the candidates in
    // order.
    let mut unique: Vec<&str> = Vec::new();
    {
        let mut seen: HashSet<&str> = HashSet::new();
        for (name, _) in &candidates {
            if seen.insert(name.as_str()) {
                unique.push(name.as_str());
            }
        }
    }
    let lookup = |name: &str| {
        let mut ctx = Ctx::with(fs, lp, &opts);
        ctx.view = view.clone();
        let s = state(&mut ctx, name).unwrap_or(UnitFileState::Bad);
        (s, ctx.logs)
    };
    let results: HashMap<&str, (UnitFileState, Vec<Log>)> =
        unique.iter().map(|n| (*n, lookup(n))).collect();
    let mut logs = Vec::new();
    let mut rows = Vec::new();
    // systemd records a name only once it passed the state filter: a name rejected by it is
    // looked up again (with its warnings) at every later occurrence.
    let mut listed: HashSet<&str> = HashSet::new();
    for (name, path) in &candidates {
        if listed.contains(name.as_str()) {
            continue;
        }
        let Some((s, l)) = results.get(name.as_str()) else {
            continue;
        };
        logs.extend(l.iter().cloned());
        if !filter.states.is_empty() && !filter.states.iter().any(|x| x == s.as_str()) {
            continue;
        }
        listed.insert(name.as_str());
        if !filter.types.is_empty() {
            let suffix = name.rfind('.').map_or("", |i| &name[i + 1..]);
            if !filter.types.iter().any(|t| t == suffix) {
                continue;
            }
        }
        rows.push(UnitFileEntry {
            path: path.clone(),
            name: name.clone(),
            state: *s,
            preset: PresetColumn::Hidden,
        });
    }
    finish(fs, lp, rows, logs)
}

/// `systemctl list-unit-files [PATTERN…]`: the rows (filtered and sorted) with their states and
/// presets, computed in time linear in the size of the tree.
pub fn list_unit_files(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    filter: &ListFilter,
    opts: Options,
) -> Listing {
    let cache = ReadCache::new(fs);
    let index = LinkIndex::build(&cache, lp);
    let view = std::rc::Rc::new(SearchView::build(&cache, lp));
    let mut listing = list_with(&cache, lp, filter, opts, Some(view), &|ctx, name| {
        state_with_index(ctx, &index, name)
    });
    listing.entries.shrink_to_fit();
    listing
}

/// The same listing computed the straightforward way (systemd's algorithm: every state by a full
/// [`lookup_state`](super::lookup_state)); quadratic, kept as the reference for tests.
pub fn list_unit_files_reference(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    filter: &ListFilter,
    opts: Options,
) -> Listing {
    list_with(fs, lp, filter, opts, None, &|ctx, name| {
        super::lookup_state(ctx, name)
    })
}
