//! Drop-ins: `*.conf` files in `.d/` directories and dependency symlinks in `.wants/`/`.requires/`
//! (reference §3.5 for PID 1, §3.6 for the installer).
//!
//! **Manager view.** For a unit with id `N`, other names `A` and type `T`, the candidate directories
//! are, each only if it exists and was recorded by the catalog scan ([`Catalog::has_dir`]):
//! 1. for every search dir `p`: the *name walk* of `N`: `p/N.d`, then (for an instance) the walk of its
//!    template, then the walk of the name one dash level up (`foo-bar-baz.service` →
//!    `foo-bar-.service`, keeping the instance: `foo-bar@x.service` → `foo-@x.service`);
//! 2. the same for every name in `A`;
//! 3. for every search dir `p`: the type-level `p/T.d` (`service.d`).
//!
//! Files are keyed by basename: the first directory in that list that has a basename wins, and the
//! survivors are applied in `strcmp` order of their basenames ([`conf_files`]). A `/dev/null` or empty
//! drop-in still occupies its basename. `.wants/` and `.requires/` use the same walk and shadowing
//! ([`dependency_entries`]).
//!
//! **Installer view** ([`installer_dropins`]): only `p/N.d` for every search dir and, for an instance,
//! `p/TEMPLATE.d`; no prefix, alias or type-level directories.
use super::alias::names_compatible;
use super::catalog::Catalog;
use super::mask::classify;
use super::name_parts::{instance_of, parts, template_of};
use crate::diag::{Code, Diagnostic, Severity, Sink};
use crate::fs::{self, DirEntry, FileKind, FileSystem, Follow, Target};
use crate::name::{self, NameKind, UnitName, UnitType};
use camino::{Utf8Path, Utf8PathBuf};
use std::collections::BTreeMap;

/// Which kind of drop-in directory is searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DirSuffix {
    /// `NAME.d/` with `*.conf` files.
    Conf,
    /// `NAME.wants/` with symlinks (→ `Wants=`).
    Wants,
    /// `NAME.requires/` with symlinks (→ `Requires=`).
    Requires,
}

impl DirSuffix {
    /// The directory suffix (`.d`, `.wants`, `.requires`).
    pub fn as_str(self) -> &'static str {
        match self {
            DirSuffix::Conf => ".d",
            DirSuffix::Wants => ".wants",
            DirSuffix::Requires => ".requires",
        }
    }

    /// The dependency name systemd uses in messages (`Wants`, `Requires`); `None` for `.d`.
    pub fn dependency(self) -> Option<&'static str> {
        match self {
            DirSuffix::Conf => None,
            DirSuffix::Wants => Some("Wants"),
            DirSuffix::Requires => Some("Requires"),
        }
    }
}

/// The candidate drop-in directories of a unit in the manager's order (see the module docs). Each
/// returned path is the directory's resolved path (symlinks followed), as systemd reports it.
pub fn dropin_dirs(
    fs: &dyn FileSystem,
    catalog: &Catalog,
    id: &UnitName,
    aliases: &[&UnitName],
    suffix: DirSuffix,
) -> Vec<Utf8PathBuf> {
    DropinWalk::new(catalog, id, aliases).dirs(fs, catalog, suffix)
}

/// The name walks of a unit's names (id first, then its aliases) and the search directories that
/// hold any recorded drop-in directory: what [`dropin_dirs`] needs for every suffix, computed once
/// per unit.
pub(crate) struct DropinWalk<'a> {
    /// One walk per name, in order.
    chains: Vec<Vec<String>>,
    /// Search directories with at least one recorded `.d`/`.wants`/`.requires` directory.
    search: Vec<&'a Utf8Path>,
    /// The unit's type (`service`), for the type-level directories.
    type_name: &'static str,
}

impl<'a> DropinWalk<'a> {
    pub(crate) fn new(catalog: &'a Catalog, id: &UnitName, aliases: &[&UnitName]) -> Self {
        // Search directories without any recorded directory cannot contribute.
        let search: Vec<&Utf8Path> = catalog.search_dirs_with_dirs().collect();
        let mut chains = Vec::new();
        if !search.is_empty() {
            for name in std::iter::once(id).chain(aliases.iter().copied()) {
                let mut chain = Vec::new();
                if catalog.may_have_dirs_for(name.as_str()) {
                    name_walk(name.as_str(), &mut chain);
                }
                chains.push(chain);
            }
        }
        DropinWalk {
            chains,
            search,
            type_name: id.unit_type().as_str(),
        }
    }

    /// [`dropin_dirs`] for one suffix.
    pub(crate) fn dirs(
        &self,
        fs: &dyn FileSystem,
        catalog: &Catalog,
        suffix: DirSuffix,
    ) -> Vec<Utf8PathBuf> {
        let mut out = Vec::new();
        if self.search.is_empty() {
            return out;
        }
        let suffix = suffix.as_str();
        // The candidate paths are only built in a reused buffer: most do not exist, and the
        // catalog knows every directory that does.
        let mut buf = String::new();
        let mut add = |dir: &Utf8Path, name: &str| {
            buf.clear();
            buf.push_str(dir.as_str());
            if !buf.is_empty() && !buf.ends_with('/') {
                buf.push('/');
            }
            buf.push_str(name);
            buf.push_str(suffix);
            let path = Utf8Path::new(&buf);
            if !catalog.has_dir(path) {
                return;
            }
            if let Ok(r) = fs::resolve(fs, path, Follow::Yes) {
                if let Target::Exists(_) = r.target {
                    out.push(r.path);
                }
            }
        };
        // A name that no search directory holds (most of them) is dropped up front with one
        // lookup: the same directories remain, in the same order.
        // The name is put together on the stack (a unit name has at most 255 bytes): this runs
        // for every unit and suffix, and most names are dropped here.
        let mut stack = [0u8; 272];
        let mut held = |n: &str| {
            let total = n.len() + suffix.len();
            match stack.get_mut(..total) {
                Some(out) => {
                    out[..n.len()].copy_from_slice(n.as_bytes());
                    out[n.len()..].copy_from_slice(suffix.as_bytes());
                    std::str::from_utf8(out).is_ok_and(|f| catalog.has_dir_named(f))
                }
                None => catalog.has_dir_named(&format!("{n}{suffix}")),
            }
        };
        let mut chain: Vec<&str> = Vec::new();
        for names in &self.chains {
            chain.clear();
            chain.extend(names.iter().map(String::as_str).filter(|n| held(n)));
            for p in &self.search {
                for n in &chain {
                    add(p, n);
                }
            }
        }
        if held(self.type_name) {
            for p in &self.search {
                add(p, self.type_name);
            }
        }
        out
    }
}

/// The names of the recursive name walk (systemd's `unit_file_find_dirs()`), in order: the same for
/// every search directory.
fn name_walk(name: &str, out: &mut Vec<String>) {
    out.push(name.to_owned());
    let kind = super::name_parts::kind(name);
    if kind == Some(NameKind::Instance) {
        if let Some(template) = template_of(name) {
            name_walk(&template, out);
        }
    }
    let Some(p) = parts(name) else { return };
    let mut prefix = p.prefix.to_owned();
    let mut chopped = false;
    loop {
        let Some(dash) = prefix.rfind('-') else {
            return;
        };
        if dash == 0 {
            return;
        }
        if dash + 1 != prefix.len() || chopped {
            prefix.truncate(dash + 1);
            break;
        }
        prefix.truncate(dash);
        chopped = true;
    }
    if !name::is_valid_prefix(&prefix) {
        return;
    }
    let built = match instance_of(name) {
        Some(i) => format!("{prefix}@{i}.{}", p.suffix),
        None => format!("{prefix}.{}", p.suffix),
    };
    if !name::is_valid(&built) {
        return;
    }
    name_walk(&built, out);
}

/// Lists the files of `dirs` like systemd's `conf_files_list_strv()`: hidden and backup files are
/// skipped, only names ending in `suffix` (if given) count, the first directory that has a basename
/// wins, and the result is sorted by basename (`strcmp` order). Unreadable directories are skipped.
pub fn conf_files(
    fs: &dyn FileSystem,
    dirs: &[Utf8PathBuf],
    suffix: Option<&str>,
) -> Vec<Utf8PathBuf> {
    if let [dir] = dirs {
        // One directory (the usual case): nothing to shadow, the names are unique; sorting them
        // gives the same order as the map below.
        let resolved = match fs::resolve(fs, dir, Follow::Yes) {
            Ok(r) if matches!(r.target, Target::Exists(m) if m.kind == FileKind::Dir) => r.path,
            _ => return Vec::new(),
        };
        let Ok(listing) = fs.read_dir(&resolved) else {
            return Vec::new();
        };
        let mut names: Vec<String> = listing
            .into_iter()
            .map(|de| de.name)
            .filter(|n| !hidden_or_backup(n) && suffix.is_none_or(|s| n.ends_with(s)))
            .collect();
        names.sort_unstable();
        return names.iter().map(|n| fs::child_path(&resolved, n)).collect();
    }
    let mut seen_dirs: Vec<Utf8PathBuf> = Vec::new();
    let mut files: BTreeMap<String, Utf8PathBuf> = BTreeMap::new();
    for dir in dirs {
        let resolved = match fs::resolve(fs, dir, Follow::Yes) {
            Ok(r) if matches!(r.target, Target::Exists(m) if m.kind == FileKind::Dir) => r.path,
            _ => continue,
        };
        if seen_dirs.contains(&resolved) {
            continue;
        }
        seen_dirs.push(resolved.clone());
        let Ok(listing) = fs.read_dir(&resolved) else {
            continue;
        };
        for de in listing {
            if hidden_or_backup(&de.name) {
                continue;
            }
            if suffix.is_some_and(|s| !de.name.ends_with(s)) {
                continue;
            }
            files
                .entry(de.name.clone())
                .or_insert_with(|| resolved.join(&de.name));
        }
    }
    files.into_values().collect()
}

/// systemd's `hidden_or_backup_file()`: dot files, `~` backups and package-manager leftovers.
pub fn hidden_or_backup(name: &str) -> bool {
    if name.starts_with('.')
        || ["lost+found", "aquota.user", "aquota.group"].contains(&name)
        || name.ends_with('~')
    {
        return true;
    }
    let Some(dot) = name.rfind('.') else {
        return false;
    };
    [
        "rpmnew",
        "rpmsave",
        "rpmorig",
        "dpkg-old",
        "dpkg-new",
        "dpkg-tmp",
        "dpkg-dist",
        "dpkg-bak",
        "dpkg-backup",
        "dpkg-remove",
        "ucf-new",
        "ucf-old",
        "ucf-dist",
        "swp",
        "bak",
        "old",
        "new",
    ]
    .contains(&&name[dot + 1..])
}

/// The `*.conf` drop-ins of a unit in application order (manager view, reference §3.5).
pub fn conf_dropins(
    fs: &dyn FileSystem,
    catalog: &Catalog,
    id: &UnitName,
    aliases: &[&UnitName],
) -> Vec<Utf8PathBuf> {
    conf_dropins_walked(fs, catalog, &DropinWalk::new(catalog, id, aliases))
}

/// [`conf_dropins`] with the unit's walk computed already.
pub(crate) fn conf_dropins_walked(
    fs: &dyn FileSystem,
    catalog: &Catalog,
    walk: &DropinWalk<'_>,
) -> Vec<Utf8PathBuf> {
    let dirs = walk.dirs(fs, catalog, DirSuffix::Conf);
    if dirs.is_empty() {
        return Vec::new();
    }
    conf_files(fs, &dirs, Some(".conf"))
}

/// One accepted entry of a `.wants/` or `.requires/` directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DependencyEntry {
    /// The entry's path (resolved directory + entry name).
    pub path: Utf8PathBuf,
    /// The unit depended on: the entry's *name* (a template is instantiated later, by the caller).
    pub name: UnitName,
    /// The symlink's target text, verbatim.
    pub target: Utf8PathBuf,
}

/// The dependency symlinks of a unit's `.wants/` or `.requires/` directories (reference §3.5), with
/// systemd's warnings for entries that are not symlinks or not valid unit names. Masked entries
/// (`/dev/null`, empty) are skipped silently. `unit_is_instance` enables the template → template
/// compatibility rule of the name check (which only warns).
pub fn dependency_entries(
    fs: &dyn FileSystem,
    catalog: &Catalog,
    id: &UnitName,
    aliases: &[&UnitName],
    suffix: DirSuffix,
    sink: &mut dyn Sink,
) -> Vec<DependencyEntry> {
    let walk = DropinWalk::new(catalog, id, aliases);
    dependency_entries_walked(fs, catalog, id, &walk, suffix, sink)
}

/// [`dependency_entries`] with the unit's walk computed already.
pub(crate) fn dependency_entries_walked(
    fs: &dyn FileSystem,
    catalog: &Catalog,
    id: &UnitName,
    walk: &DropinWalk<'_>,
    suffix: DirSuffix,
    sink: &mut dyn Sink,
) -> Vec<DependencyEntry> {
    let dep = suffix.dependency().unwrap_or("Wants");
    let dirs = walk.dirs(fs, catalog, suffix);
    if dirs.is_empty() {
        return Vec::new();
    }
    let unit = Utf8PathBuf::from(id.as_str());
    let mut out = Vec::new();
    if let [dir] = dirs.as_slice() {
        // One directory (the usual case): one listing gives every entry's `lstat`, and the
        // links' targets are read together, where each entry's `lstat` and `readlink` walked
        // the whole path again. What the listing cannot give the same way (an `lstat` error
        // other than a vanished entry) goes the general way below.
        let resolved = match fs::resolve(fs, dir, Follow::Yes) {
            Ok(r) if matches!(r.target, Target::Exists(m) if m.kind == FileKind::Dir) => r.path,
            _ => return out,
        };
        if let Ok(listing) = fs.read_dir_metadata(&resolved) {
            let listing: Vec<(DirEntry, fs::Metadata)> = listing
                .into_iter()
                .filter(|(de, _)| !hidden_or_backup(&de.name))
                .collect();
            let links: Vec<&str> = listing
                .iter()
                .filter(|(_, m)| m.kind == FileKind::Symlink)
                .map(|(de, _)| de.name.as_str())
                .collect();
            let mut targets = fs.read_links(&resolved, &links).into_iter();
            for (de, m) in &listing {
                let link = if m.kind == FileKind::Symlink {
                    targets.next()
                } else {
                    None
                };
                let path = fs::child_path(&resolved, &de.name);
                let meta = Ok(*m);
                if let Some(e) = accept_entry(fs, sink, &unit, id, dep, path, &de.name, &meta, link)
                {
                    out.push(e);
                }
            }
            return out;
        }
    }
    for path in conf_files(fs, &dirs, None) {
        let entry = path.file_name().unwrap_or_default().to_owned();
        // One `lstat` and one `readlink` of the entry serve the mask check, the symlink check and
        // the target (see `entry_is_masked`).
        let meta = fs.lstat(&path);
        let link = match &meta {
            Ok(m) if m.kind == FileKind::Symlink => Some(fs.read_link(&path)),
            _ => None,
        };
        if let Some(e) = accept_entry(fs, sink, &unit, id, dep, path, &entry, &meta, link) {
            out.push(e);
        }
    }
    out
}

/// One entry of a `.wants/`/`.requires/` directory, given its `lstat` and (for a symlink) its
/// `readlink`: the dependency it stands for, or `None` with systemd's message when it is masked,
/// not a symlink, unreadable or not a unit name.
#[allow(clippy::too_many_arguments)]
fn accept_entry(
    fs: &dyn FileSystem,
    sink: &mut dyn Sink,
    unit: &Utf8Path,
    id: &UnitName,
    dep: &str,
    path: Utf8PathBuf,
    entry: &str,
    meta: &Result<fs::Metadata, fs::FsError>,
    link: Option<Result<Utf8PathBuf, fs::FsError>>,
) -> Option<DependencyEntry> {
    let warn = |sink: &mut dyn Sink, message: String| {
        sink.push(Diagnostic::new(
            unit.to_owned(),
            0,
            Severity::Warning,
            Code::Dependency,
            message,
        ));
    };
    if entry_is_masked(fs, &path, meta, link.as_ref()) {
        sink.push(Diagnostic::new(
            unit.to_owned(),
            0,
            Severity::Debug,
            Code::Dependency,
            format!("{dep} dependency on {entry} is masked by {path}, ignoring."),
        ));
        return None;
    }
    match meta {
        Ok(m) if m.kind == FileKind::Symlink => {}
        Ok(_) => {
            warn(
                sink,
                format!("{dep} dependency dropin {path} is not a symlink, ignoring."),
            );
            return None;
        }
        Err(e) => {
            warn(
                sink,
                format!("{dep} dropin {path} unreadable, ignoring: {}", e.strerror()),
            );
            return None;
        }
    }
    let Ok(name) = UnitName::new(entry) else {
        warn(
            sink,
            format!("{dep} dependency dropin {path} is not a valid unit name, ignoring."),
        );
        return None;
    };
    let target = match link {
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            warn(
                sink,
                format!("readlink(\"{path}\") failed, ignoring: {}", e.strerror()),
            );
            return None;
        }
        None => return None,
    };
    let target_base = super::name_parts::basename(target.as_str());
    if !names_compatible(entry, target_base, id.kind() == NameKind::Instance) {
        warn(
            sink,
            format!("{dep} dependency dropin {path} target {target} has different name"),
        );
    }
    Some(DependencyEntry { path, name, target })
}

/// Whether the entry `path` of a resolved (physical) drop-in directory is a mask, exactly as
/// [`classify`] of the path would say (`null_or_empty_path()`), given the entry's `lstat` and, for
/// a symlink, its `readlink`: a non-symlink is its own answer; a symlink's target is followed from
/// the directory. A target whose lexical form the walk would not reproduce (a `..` after another
/// component) falls back to [`classify`] of the entry.
fn entry_is_masked(
    fs: &dyn FileSystem,
    path: &Utf8Path,
    meta: &Result<fs::Metadata, fs::FsError>,
    link: Option<&Result<Utf8PathBuf, fs::FsError>>,
) -> bool {
    let m = match meta {
        Ok(m) => m,
        // `classify` would fail the same way (missing or unresolvable): not a mask.
        Err(_) => return false,
    };
    if m.kind != FileKind::Symlink {
        return m.kind == FileKind::CharDevice || (m.kind == FileKind::File && m.size == 0);
    }
    let target = match link {
        Some(Ok(t)) => t,
        _ => return false,
    };
    if target.as_str().contains('\0') {
        return false;
    }
    // The walk takes leading `..` components as steps up from the (physical) directory, and
    // other components one by one: without a later `..`, that is the lexical normal form.
    // (A target without two dots in a row has no `..` at all.)
    let mut parts = target
        .as_str()
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .skip_while(|c| *c == "..");
    if has_dot_dot(target.as_str()) && parts.any(|c| c == "..") {
        return classify(fs, path).is_masked();
    }
    let Some(parent) = path.parent() else {
        return classify(fs, path).is_masked();
    };
    let full = lexical_join(parent.as_str(), target.as_str());
    let full = Utf8Path::new(full.as_ref());
    if full == "/dev/null" {
        return true;
    }
    // `full` obeys the path contract by construction (a physical directory joined with
    // components that are neither empty, `.` nor `..`), so a successful `lstat` of something
    // that is not a symlink is the whole answer, as the first step of `resolve` finds it.
    debug_assert!(fs::check_path(full).is_ok(), "{full}");
    if let Ok(m) = fs.lstat(full) {
        if m.kind != FileKind::Symlink {
            return m.kind == FileKind::CharDevice || (m.kind == FileKind::File && m.size == 0);
        }
    }
    match fs::resolve(fs, full, Follow::Yes) {
        // The entry itself was one hop already.
        Ok(r) if r.hops + 1 < fs::MAX_SYMLINK_HOPS => match r.target {
            Target::DevNull => true,
            Target::Exists(m) => {
                m.kind == FileKind::CharDevice || (m.kind == FileKind::File && m.size == 0)
            }
            Target::Missing => false,
        },
        _ => false,
    }
}

/// `fs::normalize(parent, target)` for a normal absolute `parent`, without its allocations:
/// `..` steps up (never above `/`), empty and `.` components vanish.
fn lexical_join<'t>(parent: &str, target: &'t str) -> std::borrow::Cow<'t, str> {
    if is_normal_absolute(target) {
        // Already its own normal form (the usual `.wants/` link target).
        return std::borrow::Cow::Borrowed(target);
    }
    let mut full = String::with_capacity(parent.len() + target.len() + 1);
    if !target.starts_with('/') && parent != "/" {
        full.push_str(parent);
    }
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                let cut = full.rfind('/').unwrap_or(0);
                full.truncate(cut);
            }
            c => {
                full.push('/');
                full.push_str(c);
            }
        }
    }
    if full.is_empty() {
        full.push('/');
    }
    std::borrow::Cow::Owned(full)
}

/// True if `text` has two dots in a row (a `..` component needs them).
fn has_dot_dot(text: &str) -> bool {
    text.as_bytes().windows(2).any(|w| w == b"..")
}

/// True if `text` is an absolute path in lexical normal form: no empty, `.` or `..` component
/// and no trailing slash (`/` itself is normal).
fn is_normal_absolute(text: &str) -> bool {
    let b = text.as_bytes();
    if b.first() != Some(&b'/') {
        return false;
    }
    if b.len() == 1 {
        return true;
    }
    b[1..]
        .split(|&c| c == b'/')
        .all(|c| !c.is_empty() && c != b"." && c != b"..")
}

/// The `*.conf` drop-ins the installer reads for `name` (reference §3.6): `p/NAME.d` for every search
/// dir, then, for an instance, `p/TEMPLATE.d`; same shadowing and order as [`conf_files`].
pub fn installer_dropins(
    fs: &dyn FileSystem,
    search_path: &[Utf8PathBuf],
    name: &UnitName,
) -> Vec<Utf8PathBuf> {
    let mut dirs: Vec<Utf8PathBuf> = search_path
        .iter()
        .map(|p| p.join(format!("{name}.d")))
        .collect();
    if name.kind() == NameKind::Instance {
        if let Some(template) = template_of(name.as_str()) {
            dirs.extend(search_path.iter().map(|p| p.join(format!("{template}.d"))));
        }
    }
    conf_files(fs, &dirs, Some(".conf"))
}

/// The name of the type-level drop-in directory of `t` for `suffix` (`service.d`, `target.wants`).
pub fn type_dir_name(t: UnitType, suffix: DirSuffix) -> String {
    format!("{}{}", t.as_str(), suffix.as_str())
}

#[cfg(test)]
mod join_tests {
    use super::lexical_join;
    use camino::Utf8Path;

    // The allocation-free join agrees with the file-system layer's normalisation.
    #[test]
    fn same_as_normalize() {
        for parent in ["/", "/a", "/etc/systemd/system/multi-user.target.wants"] {
            for target in [
                "/lib/systemd/system/x.service",
                "../../../lib/systemd/system/x.service",
                "../../../../../../../dev/null",
                "x.service",
                "./x.service",
                "..//a/./b",
                "/../a",
                "/",
                "..",
                "a/",
            ] {
                assert_eq!(
                    lexical_join(parent, target),
                    crate::fs::normalize(Utf8Path::new(parent), Utf8Path::new(target)).as_str(),
                    "{parent} + {target}"
                );
            }
        }
    }
}

#[cfg(test)]
mod lexical_tests {
    use super::*;

    // The fast path gives what the general join gives, for normal and abnormal targets.
    #[test]
    fn lexical_join_fast_path_agrees() {
        let slow = |parent: &str, target: &str| {
            fs::normalize(Utf8Path::new(parent), Utf8Path::new(target)).into_string()
        };
        for parent in ["/", "/etc/systemd/system/multi-user.target.wants"] {
            for target in [
                "/lib/systemd/system/a.service",
                "/",
                "//a",
                "/a/",
                "/a/./b",
                "/a/../b",
                "/..",
                "../a.service",
                "a.service",
                "./a",
                "/a/b/..",
                "/a..b/c",
                "/.a/b",
            ] {
                assert_eq!(
                    lexical_join(parent, target),
                    slow(parent, target),
                    "{parent} {target}"
                );
            }
        }
    }
}
