//! The installer's own unit lookup (systemd's `unit_file_search()` / `install_info_traverse()`,
//! reference §4.1 item 1, §3.6, §3.7).
//!
//! A [`Ctx`] holds the units an operation deals with, in the order they became known (arguments
//! first, then `Also=` units and alias targets as they are discovered). Looking a unit up:
//!
//! 1. the search directories are tried in order for `NAME`, then (for an instance without its own
//!    file) for its template; the first entry that exists decides;
//! 2. a regular file is read (`[Install]` only, [`Dialect::Install`](crate::syntax::Dialect::Install)); an empty file or a character
//!    device is a mask; a symlink is read once: a target inside the search path makes an *alias*
//!    (validated like PID 1 validates alias symlinks), one outside a *linked* unit; a target that is
//!    `/dev/null`, an empty file or a device makes a mask;
//! 3. unless masked, drop-ins `*.conf` from `DIR/NAME.d/` for every search dir, then (instances)
//!    `DIR/TEMPLATE.d/`, are read in basename order, the first file of a basename shadowing later
//!    ones (§3.6);
//! 4. links are followed (at most 64 times): a linked unit or an alias with the same name
//!    continues on the same entry; an alias to another name continues on a new entry for that name
//!    (with the instance propagated to a template target); without
//!    [`Search::follow_config`], a link in a config directory is refused with `ELOOP`.
use super::alias::validate_alias_symlink;
use super::change::{Change, ChangeKind, Errno};
use super::dropins::conf_files;
use super::fsutil::is_null_or_empty;
pub(crate) use super::fsutil::{basename, errno, join, lstat_host, null_or_empty, parent};
use super::info::{InstallInfo, Mode};
use super::printf::{expand, Subject};
use super::Log;
use crate::diag::Severity;
use crate::fs::{resolve, FileKind, FileSystem, Follow, Target};
use crate::load::{LookupPaths, Scope};
use crate::name::{NameKind, UnitName};
use camino::{Utf8Path, Utf8PathBuf};
use indexmap::IndexMap;

/// `lp.is_generator(path) || lp.is_transient(path)`, without simplifying a plain path (which
/// is its own simplification) twice over.
fn generated_or_transient(lp: &LookupPaths, path: &Utf8Path) -> bool {
    if super::fsutil::plain_path(path.as_str()) {
        let dir = super::fsutil::parent_cow(path);
        return [
            lp.generator(),
            lp.generator_early(),
            lp.generator_late(),
            lp.transient(),
        ]
        .into_iter()
        .flatten()
        .any(|d| d.as_str() == dir.as_str());
    }
    lp.is_generator(path) || lp.is_transient(path)
}

/// How many links a traversal follows before it fails with `ELOOP`.
pub const FOLLOW_MAX: usize = 64;

/// Search flags (systemd's `SearchFlags`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Search {
    /// Read the `[Install]` section (else only classify the file).
    pub load: bool,
    /// Follow links that live in a config directory.
    pub follow_config: bool,
}

impl Search {
    /// `SEARCH_LOAD | SEARCH_FOLLOW_CONFIG_SYMLINKS`.
    pub const LOAD_FOLLOW: Search = Search {
        load: true,
        follow_config: true,
    };
    /// `SEARCH_LOAD`.
    pub const LOAD: Search = Search {
        load: true,
        follow_config: false,
    };
    /// `SEARCH_FOLLOW_CONFIG_SYMLINKS`.
    pub const FOLLOW: Search = Search {
        load: false,
        follow_config: true,
    };
    /// No flags.
    pub const NONE: Search = Search {
        load: false,
        follow_config: false,
    };
}

/// The installer's working set: the units known so far and what was logged.
pub struct Ctx<'a> {
    /// The filesystem holding the root.
    pub fs: &'a dyn FileSystem,
    /// The lookup paths.
    pub lp: &'a LookupPaths,
    /// Units in the order they became known.
    pub infos: IndexMap<String, InstallInfo, crate::fs::FastBuildHasher>,
    /// Which entries of `infos` were processed already (`have_processed`). Entries are only ever
    /// set to `true` (by [`Ctx::next_unprocessed`], which looks from the last one it returned).
    pub processed: Vec<bool>,
    /// Lines logged on stderr while working (parser warnings, notices).
    pub logs: Vec<Log>,
    /// Whether the locale is UTF-8 (for arrows in log lines).
    pub utf8: bool,
    /// Facts about the running host for the host specifiers (`%H`, `%v`, ...), if known.
    pub host: Option<super::printf::HostSource>,
    /// Leave the generator directories out of the search path (systemd's
    /// `LOOKUP_PATHS_EXCLUDE_GENERATED`, used by the SysV step).
    pub exclude_generated: bool,
    /// The search directories resolved once ([`SearchView`](super::search_view::SearchView)),
    /// for lookups on a tree that does not change meanwhile; `None`: look at the tree every time.
    pub view: Option<std::rc::Rc<super::search_view::SearchView>>,
    /// Every entry of `processed` before this index is `true` (where [`Ctx::next_unprocessed`]
    /// starts looking; entries are only ever marked processed, so it only moves forward).
    unprocessed_from: usize,
    /// Where the first name-based search of this context found its unit (with the entry it was
    /// for), see [`Found`].
    pub(crate) first_found: Option<(usize, Found)>,
    /// A [`Found`] of an earlier search of the same name on the same unchanged tree: the next
    /// name-based search starts there (taken by that search).
    pub(crate) resume: Option<Found>,
    /// Which directories of the search path are plain paths (see `fsutil::plain_path`),
    /// worked out once.
    search_plain: std::cell::OnceCell<Vec<bool>>,
}

/// Where a name-based search found its unit: the candidate name (0: the name itself, 1: its
/// template) and the search directory (index into the search path), and the drop-in files it
/// listed (`None` if it did not get that far).
///
/// Every probe before that position missed without logging or changing anything (a probe that
/// logs is not a plain miss: only a search that logged nothing hands its position on), and
/// whether a probe misses does not depend on [`Search::load`] (classifying and loading agree on
/// "not there"); the drop-in listing does not depend on the flags either. So a second search of
/// the same name on the same unchanged tree, with other flags, may start at this position and
/// take these drop-ins: it then does exactly what the full search would do from there on.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    candidate: usize,
    dir: usize,
    dropins: Option<Vec<Utf8PathBuf>>,
}

impl<'a> Ctx<'a> {
    /// An empty context.
    pub fn new(fs: &'a dyn FileSystem, lp: &'a LookupPaths, utf8: bool) -> Ctx<'a> {
        Ctx {
            fs,
            lp,
            infos: IndexMap::default(),
            processed: Vec::new(),
            logs: Vec::new(),
            utf8,
            host: None,
            exclude_generated: false,
            view: None,
            unprocessed_from: 0,
            first_found: None,
            resume: None,
            search_plain: std::cell::OnceCell::new(),
        }
    }

    /// For each directory of the search path (all of it, generator directories included):
    /// whether it is a plain path, so that comparing its text is comparing its components.
    pub(crate) fn search_dirs_plain(&self) -> &[bool] {
        self.search_plain.get_or_init(|| {
            self.lp
                .search_path()
                .iter()
                .map(|d| super::fsutil::plain_path(d.path.as_str()))
                .collect()
        })
    }

    /// The search path this context looks units up in.
    pub fn search_dirs(&self) -> Vec<crate::load::SearchDir> {
        self.lp
            .search_path()
            .iter()
            .filter(|d| !(self.exclude_generated && d.class.is_generator()))
            .cloned()
            .collect()
    }

    /// An empty context with the locale and host facts of `opts`.
    pub fn with(fs: &'a dyn FileSystem, lp: &'a LookupPaths, opts: &super::Options) -> Ctx<'a> {
        let mut ctx = Ctx::new(fs, lp, opts.utf8);
        ctx.host = opts.host;
        ctx
    }

    /// A fresh context on the same tree, locale and host facts (for side lookups).
    pub fn scratch(&self) -> Ctx<'a> {
        let mut ctx = Ctx::new(self.fs, self.lp, self.utf8);
        ctx.host = self.host;
        ctx.exclude_generated = self.exclude_generated;
        ctx.view = self.view.clone();
        ctx
    }

    /// The scope.
    pub fn scope(&self) -> Scope {
        self.lp.scope()
    }

    /// The host path of a root-relative path, as a string.
    pub fn host(&self, p: &Utf8Path) -> String {
        self.lp.host_path(p).into_string()
    }

    pub(crate) fn log(&mut self, severity: Severity, text: String) {
        self.logs.push(Log { severity, text });
    }

    /// Entry `i`.
    pub fn info(&self, i: usize) -> &InstallInfo {
        &self.infos[i]
    }

    pub(crate) fn info_mut(&mut self, i: usize) -> &mut InstallInfo {
        &mut self.infos[i]
    }

    /// The first entry not processed yet, marked processed (`ordered_hashmap_first` + move).
    pub fn next_unprocessed(&mut self) -> Option<usize> {
        let from = self.unprocessed_from.min(self.processed.len());
        let i = from + self.processed[from..].iter().position(|p| !p)?;
        self.processed[i] = true;
        self.unprocessed_from = i + 1;
        Some(i)
    }

    /// `install_info_add()`: registers `name` (or the basename of `path`); returns its index and
    /// whether it is new. `EINVAL` for an invalid name.
    pub fn add(
        &mut self,
        name: Option<&str>,
        path: Option<Utf8PathBuf>,
        auxiliary: bool,
    ) -> Result<(usize, bool), Errno> {
        let from_path;
        let name = match name {
            Some(n) => n,
            None => {
                from_path = basename(path.as_ref().map_or("", |p| p.as_str())).to_owned();
                from_path.as_str()
            }
        };
        if !crate::name::is_valid(name) {
            return Err(Errno::EINVAL);
        }
        if let Some(i) = self.infos.get_index_of(name) {
            let info = &mut self.infos[i];
            info.auxiliary = info.auxiliary && auxiliary;
            return Ok((i, false));
        }
        let info = InstallInfo::new(name, path, auxiliary);
        let (i, _) = self.infos.insert_full(name.to_owned(), info);
        self.processed.push(false);
        Ok((i, true))
    }

    /// `install_info_add_auto()`: an absolute argument is a path inside the root, anything else a
    /// name.
    pub fn add_auto(&mut self, name_or_path: &str) -> Result<usize, Errno> {
        if name_or_path.starts_with('/') {
            let p = crate::fs::normalize(Utf8Path::new("/"), Utf8Path::new(name_or_path));
            let name = basename(name_or_path).to_owned();
            self.add(Some(&name), Some(p), false).map(|x| x.0)
        } else {
            self.add(Some(name_or_path), None, false).map(|x| x.0)
        }
    }

    /// `install_info_discover()`: add + traverse; a failure is recorded as an error change about
    /// `name_or_path` (when `changes` is given).
    pub fn discover(
        &mut self,
        name_or_path: &str,
        flags: Search,
        changes: Option<&mut Vec<Change>>,
    ) -> Result<usize, Errno> {
        let r = self
            .add_auto(name_or_path)
            .and_then(|i| self.traverse(i, flags));
        if let (Err(e), Some(ch)) = (r, changes) {
            ch.push(Change::new(ChangeKind::Error(e), name_or_path, None));
        }
        r
    }

    /// `install_info_discover_and_check()`: discover, then refuse masked (`ERFKILL`) and generated
    /// or transient (`EADDRNOTAVAIL`) units.
    pub fn discover_and_check(
        &mut self,
        name_or_path: &str,
        flags: Search,
        changes: &mut Vec<Change>,
    ) -> Result<usize, Errno> {
        let i = self.discover(name_or_path, flags, Some(changes))?;
        self.may_process(i, changes)?;
        Ok(i)
    }

    /// `install_info_may_process()`.
    pub fn may_process(&self, i: usize, changes: &mut Vec<Change>) -> Result<(), Errno> {
        let info = self.info(i);
        let empty = Utf8PathBuf::new();
        let path = info.path.as_ref().unwrap_or(&empty);
        if info.mode == Some(Mode::Masked) {
            changes.push(Change::new(
                ChangeKind::Error(Errno::ERFKILL),
                &self.host(path),
                None,
            ));
            return Err(Errno::ERFKILL);
        }
        if generated_or_transient(self.lp, path) {
            changes.push(Change::new(
                ChangeKind::Error(Errno::EADDRNOTAVAIL),
                &self.host(path),
                None,
            ));
            return Err(Errno::EADDRNOTAVAIL);
        }
        Ok(())
    }

    /// `install_info_traverse()`: searches entry `start` and follows links; returns the entry of
    /// the final unit.
    pub fn traverse(&mut self, start: usize, flags: Search) -> Result<usize, Errno> {
        self.search(start, flags)?;
        let mut i = start;
        let mut k = 0;
        while matches!(self.info(i).mode, Some(Mode::Alias) | Some(Mode::Linked)) {
            k += 1;
            if k > FOLLOW_MAX {
                return Err(Errno::ELOOP);
            }
            if !flags.follow_config {
                let p = self.info(i).path.clone().unwrap_or_default();
                if self.lp.is_config(&p) {
                    return Err(Errno::ELOOP);
                }
            }
            let linked = self.info(i).mode == Some(Mode::Linked);
            let mut r = self.follow(i, flags, linked);
            if r == Err(Errno::EXDEV) {
                if let Some(target) = self.info(i).symlink_target.clone() {
                    let mut bn = basename(target.as_str()).to_owned();
                    let own = UnitName::new(&self.info(i).name).ok();
                    let tgt = UnitName::new(&bn).ok();
                    if let (Some(own), Some(tgt)) = (own, tgt) {
                        if own.kind() == NameKind::Instance && tgt.kind() == NameKind::Template {
                            let inst = own.instance().unwrap_or_default();
                            let buffer = tgt.with_instance(inst).map_err(|_| Errno::EINVAL)?;
                            if buffer.as_str() == own.as_str() {
                                self.follow(i, flags, true)?;
                                continue;
                            }
                            bn = buffer.into_string();
                        }
                    }
                    let (j, _) = self.add(Some(&bn), None, false)?;
                    i = j;
                    r = match self.search(i, flags) {
                        Err(Errno::ENOENT) => return Err(Errno::ENOLINK),
                        other => other,
                    };
                }
            }
            r?;
        }
        Ok(i)
    }

    /// `install_info_follow()`.
    fn follow(
        &mut self,
        i: usize,
        flags: Search,
        ignore_different_name: bool,
    ) -> Result<i32, Errno> {
        let info = self.info(i);
        if !matches!(info.mode, Some(Mode::Alias) | Some(Mode::Linked)) {
            return Err(Errno::EINVAL);
        }
        let Some(target) = info.symlink_target.clone() else {
            return Err(Errno::EINVAL);
        };
        if !ignore_different_name && basename(target.as_str()) != info.name {
            return Err(Errno::EXDEV);
        }
        let info = self.info_mut(i);
        info.path = Some(target.clone());
        info.symlink_target = None;
        info.mode = None;
        self.load_or_readlink(i, &target, flags, false)
    }

    /// `unit_file_search()`: finds and loads entry `i` (no-op if already loaded).
    pub fn search(&mut self, i: usize, flags: Search) -> Result<i32, Errno> {
        let resume = self.resume.take();
        if self.info(i).mode.is_some() {
            return Ok(0);
        }
        if let Some(p) = self.info(i).path.clone() {
            return self.load_or_readlink(i, &p, flags, false);
        }
        let name = self.info(i).name.clone();
        let kind = crate::name::classify(&name);
        let template = if kind == Some(NameKind::Instance) {
            UnitName::new(&name)
                .ok()
                .and_then(|n| n.template())
                .map(UnitName::into_string)
        } else {
            None
        };
        // Indices into the search path (without the generator directories if excluded).
        let lp = self.lp;
        let exclude_generated = self.exclude_generated;
        let dirs = || {
            lp.search_path()
                .iter()
                .enumerate()
                .filter(move |(_, d)| !(exclude_generated && d.class.is_generator()))
                .map(|(k, _)| k)
        };
        // The view may answer a probe only where `load()` would get as far as its `lstat`
        // (names of a type that cannot be templated log an error first).
        let view = self.view.clone().filter(|_| match kind {
            Some(NameKind::Plain) => true,
            Some(_) => crate::name::unit_type_of(&name).is_some_and(|t| t.can_template()),
            None => false,
        });
        let mut found: Option<i32> = None;
        let mut found_at = (0, 0);
        for (c, candidate) in std::iter::once(&name).chain(template.iter()).enumerate() {
            for k in dirs() {
                if resume
                    .as_ref()
                    .is_some_and(|r| (c, k) < (r.candidate, r.dir))
                {
                    continue;
                }
                if let Some(v) = &view {
                    if let super::search_view::Probe::Fails(
                        Errno::ENOENT | Errno::ENOTDIR | Errno::EACCES,
                    ) = v.probe_unit(k, candidate)
                    {
                        continue;
                    }
                }
                let path = join(&self.lp.search_path()[k].path, candidate);
                match self.load_or_readlink(i, &path, flags, false) {
                    Ok(r) => {
                        self.info_mut(i).path = Some(path);
                        found = Some(r);
                        found_at = (c, k);
                        break;
                    }
                    Err(Errno::ENOENT | Errno::ENOTDIR | Errno::EACCES) => {}
                    Err(e) => return Err(e),
                }
            }
            if found.is_some() {
                break;
            }
        }
        let Some(result) = found else {
            return Err(Errno::ENOENT);
        };
        let record = self.first_found.is_none();
        if record {
            let (candidate, dir) = found_at;
            let found = Found {
                candidate,
                dir,
                dropins: None,
            };
            self.first_found = Some((i, found));
        }
        if self.info(i).mode == Some(Mode::Masked) {
            return Ok(result);
        }
        if let Some(files) = resume.and_then(|r| r.dropins) {
            for f in &files {
                self.load_or_readlink(i, f, flags, true)?;
            }
            return Ok(result);
        }
        let mut dropin_dirs: Vec<Utf8PathBuf> = Vec::new();
        for unit in std::iter::once(&name).chain(template.iter()) {
            let mut dir_name = String::with_capacity(unit.len() + 2);
            dir_name.push_str(unit);
            dir_name.push_str(".d");
            for k in dirs() {
                if self
                    .view
                    .as_ref()
                    .is_some_and(|v| !v.may_have_dropins(k, &dir_name))
                {
                    continue;
                }
                dropin_dirs.push(join(&self.lp.search_path()[k].path, &dir_name));
            }
        }
        let files = if dropin_dirs.is_empty() {
            Vec::new()
        } else {
            conf_files(self.fs, self.lp, &dropin_dirs)
        };
        for f in &files {
            self.load_or_readlink(i, f, flags, true)?;
        }
        if record {
            if let Some((_, found)) = &mut self.first_found {
                found.dropins = Some(files);
            }
        }
        Ok(result)
    }

    /// `unit_file_load_or_readlink()`.
    fn load_or_readlink(
        &mut self,
        i: usize,
        path: &Utf8Path,
        flags: Search,
        dropin: bool,
    ) -> Result<i32, Errno> {
        let r = self.load(i, path, flags, dropin);
        if r != Err(Errno::ELOOP) || dropin {
            return r;
        }
        // A symlink: read it once and classify it.
        let (target, outside) = self.resolve_symlink(path)?;
        // systemd's null_or_empty_path_with_root() on the (root-prefixed) target: a target of
        // exactly /dev/null is a mask. Otherwise it prefixes the root a second time, so under
        // --root the stat finds nothing and the link is never a mask; without a root the target
        // is followed to its end.
        let masked = if target == "/dev/null" {
            true
        } else if self.lp.root().is_some() {
            false
        } else {
            match null_or_empty(self.fs, &target) {
                Ok(b) => b,
                Err(Errno::ENOENT) => false,
                Err(e) => return Err(e),
            }
        };
        let info = self.info_mut(i);
        info.mode = Some(if masked {
            Mode::Masked
        } else if outside {
            Mode::Linked
        } else {
            Mode::Alias
        });
        info.symlink_target = Some(target);
        Ok(0)
    }

    /// `unit_file_resolve_symlink()` for installation: the link's target, made absolute and
    /// normalised inside the root (parent components followed, the last one not); whether it
    /// lies outside the search path. Alias targets are validated.
    fn resolve_symlink(&mut self, path: &Utf8Path) -> Result<(Utf8PathBuf, bool), Errno> {
        // `unit_file_resolve_symlink()` reads the link by its full path (no directory: systemd
        // prints "(null)" in front of it), e.g. through a search directory that is a loop.
        let read = self
            .lstat_host(path)
            .and_then(|(real, _)| self.fs.read_link(&real).map_err(|e| errno(&e)));
        let target = match read {
            Ok(t) => t,
            Err(e) => {
                let host = self.host(path);
                self.log(
                    Severity::Warning,
                    format!("Failed to read symlink (null){host}: {}", e.strerror()),
                );
                return Err(e);
            }
        };
        let dir = parent(path);
        let filename = basename(path.as_str()).to_owned();
        let abs = if target.as_str().starts_with('/') {
            crate::fs::normalize(Utf8Path::new("/"), &target)
        } else {
            crate::fs::normalize(&dir, &target)
        };
        let simplified = match resolve(self.fs, &abs, Follow::No) {
            Ok(r) => r.path,
            Err(e) => {
                let e = errno(&e);
                let host_dir = self.host(&dir);
                let host_target = self.host(&abs);
                self.log(
                    Severity::Warning,
                    format!(
                        "Failed to resolve symlink {host_dir}/{filename} pointing to {host_target}: {}",
                        e.strerror()
                    ),
                );
                return Err(e);
            }
        };
        let exclude_generated = self.exclude_generated;
        let Some(sd) = self
            .lp
            .search_path()
            .iter()
            .filter(|d| !(exclude_generated && d.class.is_generator()))
            .find(|d| simplified.starts_with(&d.path))
        else {
            return Ok((simplified, true));
        };
        if let Err((e, msg)) = validate_alias_symlink(&filename, simplified.as_str()) {
            if let Some(m) = msg {
                self.log(Severity::Notice, m);
            }
            return Err(e);
        }
        let tail = simplified
            .as_str()
            .strip_prefix(sd.path.as_str())
            .unwrap_or("")
            .trim_start_matches('/');
        if tail.contains('/') {
            let host_dir = self.host(&dir);
            let host_target = self.host(&simplified);
            let arrow = super::render::arrow(self.utf8);
            self.log(
                Severity::Warning,
                format!("Suspicious symlink {host_dir}/{filename} {arrow} {host_target}, treating as alias."),
            );
        }
        Ok((simplified, false))
    }

    /// [`lstat_host`], with the parent walk taken from the view when the path lies in a search
    /// directory (the same walk, done once).
    fn lstat_host(&self, path: &Utf8Path) -> Result<(Utf8PathBuf, crate::fs::Metadata), Errno> {
        if let Some(v) = &self.view {
            let name = basename(path.as_str());
            if !name.is_empty() {
                if let Some(real) = v.real_dir(&super::fsutil::parent_cow(path)) {
                    let real = join(real, name);
                    let meta = self.fs.lstat(&real).map_err(|e| errno(&e))?;
                    return Ok((real, meta));
                }
            }
        }
        lstat_host(self.fs, path)
    }

    /// `unit_file_load()`: classifies (and with `load`, parses) the file at `path` for entry `i`.
    fn load(
        &mut self,
        i: usize,
        path: &Utf8Path,
        flags: Search,
        dropin: bool,
    ) -> Result<i32, Errno> {
        let real = if !dropin {
            let name = &self.info(i).name;
            let kind = crate::name::classify(name).ok_or(Errno::EINVAL)?;
            let ty = match kind {
                NameKind::Plain => None,
                _ => crate::name::unit_type_of(name),
            };
            if let Some(ty) = ty.filter(|t| !t.can_template()) {
                let host = self.host(path);
                self.log(
                    Severity::Error,
                    format!("{host}: unit type {ty} cannot be templated, ignoring."),
                );
                return Err(Errno::EINVAL);
            }
            let (real, meta) = self.lstat_host(path)?;
            if !flags.load {
                let mode = if is_null_or_empty(&meta) {
                    Mode::Masked
                } else {
                    match meta.kind {
                        FileKind::File => Mode::Regular,
                        FileKind::Symlink => return Err(Errno::ELOOP),
                        FileKind::Dir => return Err(Errno::EISDIR),
                        _ => return Err(Errno::ENOTTY),
                    }
                };
                self.info_mut(i).mode = Some(mode);
                return Ok(0);
            }
            match meta.kind {
                FileKind::Symlink => return Err(Errno::ELOOP),
                _ if is_null_or_empty(&meta) => {
                    self.info_mut(i).mode = Some(Mode::Masked);
                    return Ok(0);
                }
                FileKind::File => {}
                FileKind::Dir => return Err(Errno::EISDIR),
                _ => return Err(Errno::EBADFD),
            }
            real
        } else {
            if !flags.load {
                return Ok(0);
            }
            let r = resolve(self.fs, path, Follow::Yes).map_err(|e| errno(&e))?;
            match r.target {
                Target::Missing => return Err(Errno::ENOENT),
                // The drop-in is opened inside the root: a link to /dev/null only works if the
                // root has a /dev/null.
                Target::DevNull => {
                    return match self.fs.lstat(Utf8Path::new("/dev/null")) {
                        Ok(_) => Ok(0),
                        Err(e) => Err(errno(&e)),
                    }
                }
                Target::Exists(m) if is_null_or_empty(&m) => return Ok(0),
                Target::Exists(m) if m.kind == FileKind::File => {}
                Target::Exists(m) if m.kind == FileKind::Dir => return Err(Errno::EISDIR),
                Target::Exists(_) => return Err(Errno::EBADFD),
            }
            r.path
        };
        let bytes = self
            .fs
            .read(&real, crate::fs::MAX_FILE_SIZE)
            .map_err(|e| errno(&e))?;
        let host = self.lp.host_path(path);
        self.apply_file(i, &host, &bytes)?;
        let info = self.info_mut(i);
        if !dropin {
            info.mode = Some(Mode::Regular);
        }
        Ok((info.aliases.len() + info.wanted_by.len() + info.required_by.len()) as i32)
    }

    /// `install_name_printf()` for entry `i`.
    pub fn printf(&self, i: usize, format: &str) -> Result<String, Errno> {
        let info = self.info(i);
        expand(
            format,
            &Subject {
                name: &info.name,
                default_instance: info.default_instance.as_deref(),
                scope: self.scope(),
                fs: self.fs,
                host: self.host,
            },
        )
    }
}
