//! Unit file states (`unit_file_lookup_state()`, reference §4.10).
use super::change::Errno;
use super::discover::{errno, join, Ctx, Search};
use super::dropins::search_dir_failure;
use super::info::{InstallInfo, Mode};
use super::symlink::hidden_or_backup;
use crate::fs::{resolve, FileKind, Follow};
use crate::load::{is_user_config_dir, LookupPaths, Scope, SearchDir};
use crate::name::{NameKind, UnitName};
use camino::{Utf8Path, Utf8PathBuf};
use std::fmt;

/// The state `is-enabled` reports (v252 has no `not-found`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum UnitFileState {
    Enabled,
    EnabledRuntime,
    Linked,
    LinkedRuntime,
    Alias,
    Masked,
    MaskedRuntime,
    Static,
    Disabled,
    Indirect,
    Generated,
    Transient,
    Bad,
}

impl UnitFileState {
    /// The word systemctl prints.
    pub fn as_str(self) -> &'static str {
        use UnitFileState::*;
        match self {
            Enabled => "enabled",
            EnabledRuntime => "enabled-runtime",
            Linked => "linked",
            LinkedRuntime => "linked-runtime",
            Alias => "alias",
            Masked => "masked",
            MaskedRuntime => "masked-runtime",
            Static => "static",
            Disabled => "disabled",
            Indirect => "indirect",
            Generated => "generated",
            Transient => "transient",
            Bad => "bad",
        }
    }

    /// Whether `is-enabled` counts this state as enabled (exit status 0).
    pub fn counts_as_enabled(self) -> bool {
        use UnitFileState::*;
        matches!(
            self,
            Enabled | EnabledRuntime | Static | Alias | Indirect | Generated
        )
    }
}

impl fmt::Display for UnitFileState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn is_known_name(info: &InstallInfo, name: &str) -> bool {
    if name == info.name || info.aliases.iter().any(|a| a == name) {
        return true;
    }
    if let (Some(d), Ok(n)) = (&info.default_instance, UnitName::new(&info.name)) {
        if n.kind() == NameKind::Template {
            if let Ok(s) = n.with_instance(d) {
                return s.as_str() == name;
            }
        }
    }
    false
}

/// Whether the link `name` in the directory `real` refers to the unit of `info`
/// (`find_symlinks_in_directory()`): by its own name (`found_path`) and by the basename of its
/// target, or, with `ignore_destination`, by being an instance of the template (`found_dest`).
/// `None` if the link vanished; the errno if it cannot be read.
fn link_matches(
    ctx: &Ctx<'_>,
    real: &Utf8Path,
    name: &str,
    info: &InstallInfo,
    ignore_destination: bool,
    ignore_same_name: bool,
) -> Result<Option<(bool, bool)>, Errno> {
    let dest = if ignore_destination {
        None
    } else {
        Some(ctx.fs.read_link(&crate::fs::child_path(real, name)))
    };
    link_matches_read(name, info, dest, ignore_destination, ignore_same_name)
}

/// [`link_matches`] with the link's target already read (`dest`: `None` with
/// `ignore_destination`).
fn link_matches_read(
    name: &str,
    info: &InstallInfo,
    dest: Option<Result<Utf8PathBuf, crate::fs::FsError>>,
    ignore_destination: bool,
    ignore_same_name: bool,
) -> Result<Option<(bool, bool)>, Errno> {
    let mut found_dest = false;
    if let Some(dest) = dest {
        let dest = match dest {
            Ok(d) => d,
            Err(err) if err.is_not_found() => return Ok(None),
            Err(err) => return Err(errno(&err)),
        };
        found_dest = super::discover::basename(dest.as_str().trim_end_matches('/')) == info.name
            && !dest.as_str().ends_with('/');
    }
    let found_path = (ignore_destination || !ignore_same_name) && name == info.name;
    if !found_path && ignore_destination {
        if let Some(t) = UnitName::new(name).ok().and_then(|n| n.template()) {
            found_dest = t.as_str() == info.name;
        }
    }
    Ok(Some((found_path, found_dest)))
}

#[allow(clippy::too_many_arguments)]
fn in_directory(
    ctx: &Ctx<'_>,
    dir: &Utf8Path,
    info: &InstallInfo,
    ignore_destination: bool,
    match_name: bool,
    ignore_same_name: bool,
    config: &Utf8Path,
    same_name_link: &mut bool,
) -> Result<bool, Errno> {
    let real = match resolve(ctx.fs, dir, Follow::Yes) {
        Ok(r) if r.target.kind() == Some(FileKind::Dir) => r.path,
        _ => return Ok(false),
    };
    let entries = ctx.fs.read_dir(&real).map_err(|e| errno(&e))?;
    let mut r = Ok(false);
    for e in entries {
        if e.kind != FileKind::Symlink || hidden_or_backup(&e.name) {
            continue;
        }
        let (found_path, found_dest) = match link_matches(
            ctx,
            &real,
            &e.name,
            info,
            ignore_destination,
            ignore_same_name,
        ) {
            Ok(Some(m)) => m,
            Ok(None) => continue,
            Err(err) => {
                if r == Ok(false) {
                    r = Err(err);
                }
                continue;
            }
        };
        let b = found_path && found_dest && join(dir, &e.name) == join(config, &info.name);
        if b {
            *same_name_link = true;
        } else if (found_path || found_dest) && (!match_name || is_known_name(info, &e.name)) {
            return Ok(true);
        }
    }
    r
}

/// Whether the directory `dir` (followed to a real directory) holds a symlink named `name`
/// (hidden and backup names never count).
fn wants_link_exists(ctx: &Ctx<'_>, dir: &Utf8Path, name: &str) -> bool {
    if hidden_or_backup(name) {
        return false;
    }
    let real = match resolve(ctx.fs, dir, Follow::Yes) {
        Ok(r) if r.target.kind() == Some(FileKind::Dir) => r.path,
        _ => return false,
    };
    ctx.fs
        .lstat(&join(&real, name))
        .is_ok_and(|m| m.kind == FileKind::Symlink)
}

fn find_symlinks(
    ctx: &Ctx<'_>,
    info: &InstallInfo,
    match_name: bool,
    ignore_same_name: bool,
    config: &Utf8Path,
    same_name_link: &mut bool,
) -> Result<bool, Errno> {
    let real = match resolve(ctx.fs, config, Follow::Yes) {
        Ok(r) if r.target.kind() == Some(FileKind::Dir) => r.path,
        Ok(_) => return Ok(false),
        Err(_) => return search_dir_failure(ctx.fs, ctx.lp, config).map_or(Ok(false), Err),
    };
    let entries = ctx.fs.read_dir(&real).map_err(|e| errno(&e))?;
    for e in &entries {
        if e.kind != FileKind::Dir || hidden_or_backup(&e.name) {
            continue;
        }
        let suffix = e.name.rfind('.').map(|i| &e.name[i..]);
        if !matches!(suffix, Some(".wants") | Some(".requires")) {
            continue;
        }
        let sub = join(config, &e.name);
        // Only a link named like the unit itself can match in a `.wants/` directory unless the
        // unit is a template (whose instances match too): look that one name up instead of
        // listing the whole directory. The answer is `in_directory`'s: a link there counts
        // (`is_known_name` holds for the unit's own name), anything else does not, and errors
        // of a subdirectory are ignored either way.
        if crate::name::classify(&info.name) != Some(NameKind::Template) {
            if wants_link_exists(ctx, &sub, &info.name) {
                return Ok(true);
            }
            continue;
        }
        if let Ok(true) = in_directory(
            ctx,
            &sub,
            info,
            true,
            match_name,
            ignore_same_name,
            config,
            same_name_link,
        ) {
            return Ok(true);
        }
    }
    in_directory(
        ctx,
        config,
        info,
        false,
        match_name,
        ignore_same_name,
        config,
        same_name_link,
    )
}

fn find_in_scope(
    ctx: &Ctx<'_>,
    info: &InstallInfo,
    match_name: bool,
) -> Result<Option<UnitFileState>, Errno> {
    decide_in_scope(
        ctx.lp,
        info,
        |_, d, ignore_same_name| {
            let mut same = false;
            let found = find_symlinks(ctx, info, match_name, ignore_same_name, &d.path, &mut same)?;
            Ok((found, same))
        },
        |_, d| search_dir_failure(ctx.fs, ctx.lp, &d.path),
    )
}

/// The enablement decision of `find_symlinks_in_scope()` (reference §4.10): walks the search
/// path in order; `scan(index, dir, ignore_same_name)` says whether the directory holds an
/// enablement link for the unit (`found`) and whether it holds a same-name link (`same`). Shared
/// by the straightforward lookup and the indexed `list-unit-files`, so that both decide alike.
pub(crate) fn decide_in_scope(
    lp: &LookupPaths,
    info: &InstallInfo,
    mut scan: impl FnMut(usize, &SearchDir, bool) -> Result<(bool, bool), Errno>,
    mut probe: impl FnMut(usize, &SearchDir) -> Option<Errno>,
) -> Result<Option<UnitFileState>, Errno> {
    let (mut same_runtime, mut same_config, mut in_runtime, mut at_all, mut ignore_same_name) =
        (false, false, false, false, false);
    let empty = Utf8PathBuf::new();
    let path = info.path.as_ref().unwrap_or(&empty);
    let path_plain = plain_path(path.as_str());
    for (i, d) in lp.search_path().iter().enumerate() {
        let (found, same) = if can_decide(lp, info, d) {
            scan(i, d, ignore_same_name)?
        } else if let Some(e) = probe(i, d) {
            // Not read, as its links cannot decide; but systemd would have failed opening it.
            return Err(e);
        } else {
            (false, false)
        };
        if found {
            if d.path == lp.persistent_config() {
                return Ok(Some(UnitFileState::Enabled));
            }
            if lp.scope() == Scope::User && is_user_config_dir(&d.path) {
                return Ok(Some(UnitFileState::Enabled));
            }
            if lp.is_runtime_dir(&d.path) {
                in_runtime = true;
            } else {
                at_all = true;
            }
        } else if same {
            if d.path == lp.persistent_config() {
                same_config = true;
            } else if lp.is_runtime_dir(&d.path) {
                same_runtime = true;
            }
        }
        if !ignore_same_name && path_starts_with_plain(path, path_plain, &d.path) {
            ignore_same_name = true;
        }
    }
    if in_runtime {
        return Ok(Some(UnitFileState::EnabledRuntime));
    }
    if at_all && crate::name::classify(&info.name) == Some(NameKind::Instance) {
        return Ok(Some(UnitFileState::Static));
    }
    if same_config {
        return Ok(Some(UnitFileState::Linked));
    }
    if same_runtime {
        return Ok(Some(UnitFileState::LinkedRuntime));
    }
    Ok(None)
}

/// Whether a scan of the search directory `d` can change [`decide_in_scope`]'s answer for the
/// unit of `info`. A link found in a directory that is neither the persistent config directory,
/// nor a runtime directory, nor (user scope) the user config directory only sets `at_all`, which
/// decides nothing unless the unit is an instance, and a same-name link there is never looked
/// at: for a unit that is not an instance such a directory (the vendor directories, the
/// control and attached directories in `/etc`) need not be read at all. The answer is the same as
/// with the scan, unless the scan itself would fail (a directory that cannot be listed, or a
/// listed link that cannot be read: errors running as root does not meet on a quiet tree).
pub(crate) fn can_decide(lp: &LookupPaths, info: &InstallInfo, d: &SearchDir) -> bool {
    crate::name::classify(&info.name) == Some(NameKind::Instance)
        || d.path == lp.persistent_config()
        || (lp.scope() == Scope::User && is_user_config_dir(&d.path))
        || lp.is_runtime_dir(&d.path)
}

/// What one directory scan found, for both values of `match_name` (index 0: `true`, 1:
/// `false`).
#[derive(Clone, Copy, Debug, Default)]
struct BothScan {
    found: [bool; 2],
    same: bool,
    error: Option<Errno>,
}

impl BothScan {
    fn result(&self, m: usize) -> Result<bool, Errno> {
        match (self.found[m], self.error) {
            (true, _) => Ok(true),
            (false, Some(e)) => Err(e),
            (false, None) => Ok(false),
        }
    }
}

/// [`in_directory`] for both values of `match_name` in one pass: every entry is read (and every
/// link target read) once. Equal to two calls of `in_directory`: a hit does not depend on the
/// order of the entries, the first error is the same in both (same entries, same order), and
/// the same-name flag only matters when nothing was found, i.e. after every entry was seen.
fn in_directory_both(
    ctx: &Ctx<'_>,
    dir: &Utf8Path,
    info: &InstallInfo,
    ignore_destination: bool,
    ignore_same_name: bool,
    config: &Utf8Path,
    listed: Option<(Utf8PathBuf, Vec<crate::fs::DirEntry>)>,
) -> BothScan {
    let mut out = BothScan::default();
    let (real, entries) = match listed {
        Some(l) => l,
        None => {
            let real = match resolve(ctx.fs, dir, Follow::Yes) {
                Ok(r) if r.target.kind() == Some(FileKind::Dir) => r.path,
                _ => return out,
            };
            match ctx.fs.read_dir(&real) {
                Ok(e) => (real, e),
                Err(e) => {
                    out.error = Some(errno(&e));
                    return out;
                }
            }
        }
    };
    let same_name_path = join(config, &info.name);
    let links: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == FileKind::Symlink && !hidden_or_backup(&e.name))
        .map(|e| e.name.as_str())
        .collect();
    // Every link's target is needed (unless an early one decides): read them together.
    let mut dests = if ignore_destination {
        Vec::new()
    } else {
        ctx.fs.read_links(&real, &links)
    }
    .into_iter();
    for name in links {
        let dest = if ignore_destination {
            None
        } else {
            Some(
                dests
                    .next()
                    .unwrap_or_else(|| ctx.fs.read_link(&crate::fs::child_path(&real, name))),
            )
        };
        let (found_path, found_dest) =
            match link_matches_read(name, info, dest, ignore_destination, ignore_same_name) {
                Ok(Some(m)) => m,
                Ok(None) => continue,
                Err(err) => {
                    if out.error.is_none() {
                        out.error = Some(err);
                    }
                    continue;
                }
            };
        if found_path && found_dest && join(dir, name) == same_name_path {
            out.same = true;
        } else if found_path || found_dest {
            out.found[1] = true;
            if is_known_name(info, name) {
                out.found[0] = true;
            }
            if out.found[0] {
                break;
            }
        }
    }
    out
}

/// [`find_symlinks`] for both values of `match_name` (see [`in_directory_both`]); `.wants/`
/// directories are probed for the unit's own name unless it is a template.
fn find_symlinks_both(
    ctx: &Ctx<'_>,
    info: &InstallInfo,
    ignore_same_name: bool,
    config: &Utf8Path,
    before_top_scan: &mut dyn FnMut(),
) -> BothScan {
    let mut out = BothScan::default();
    let real = match resolve(ctx.fs, config, Follow::Yes) {
        Ok(r) if r.target.kind() == Some(FileKind::Dir) => r.path,
        Ok(_) => return out,
        Err(_) => {
            out.error = search_dir_failure(ctx.fs, ctx.lp, config);
            return out;
        }
    };
    let entries = match ctx.fs.read_dir(&real) {
        Ok(e) => e,
        Err(e) => {
            out.error = Some(errno(&e));
            return out;
        }
    };
    let template = crate::name::classify(&info.name) == Some(NameKind::Template);
    let mut sub_found = [false; 2];
    for e in &entries {
        if e.kind != FileKind::Dir || hidden_or_backup(&e.name) {
            continue;
        }
        let suffix = e.name.rfind('.').map(|i| &e.name[i..]);
        if !matches!(suffix, Some(".wants") | Some(".requires")) {
            continue;
        }
        let sub = join(config, &e.name);
        if !template {
            if wants_link_exists(ctx, &sub, &info.name) {
                sub_found = [true, true];
            }
        } else {
            let b = in_directory_both(ctx, &sub, info, true, ignore_same_name, config, None);
            for (m, f) in sub_found.iter_mut().enumerate() {
                *f |= b.result(m) == Ok(true);
            }
        }
        if sub_found == [true, true] {
            break;
        }
    }
    if sub_found == [true, true] {
        return BothScan {
            found: [true, true],
            same: false,
            error: None,
        };
    }
    // The top directory was listed above: scan that listing (the same one `in_directory` would
    // read again).
    before_top_scan();
    let mut top = in_directory_both(
        ctx,
        config,
        info,
        false,
        ignore_same_name,
        config,
        Some((real, entries)),
    );
    for (f, s) in top.found.iter_mut().zip(sub_found) {
        *f |= s;
    }
    top
}

/// [`lookup_state`] with every directory scanned once for both of systemd's passes (enabled by
/// a known name, then by any name), instead of once per pass. Same answers; used by
/// `is-enabled`.
pub fn lookup_state_once(ctx: &mut Ctx<'_>, name: &str) -> Result<UnitFileState, Errno> {
    let mut scans: Vec<Option<BothScan>> = Vec::new();
    let mut prefetched = false;
    state_by(ctx, name, |ctx, info, match_name| {
        let m = usize::from(!match_name);
        let (fs, lp) = (ctx.fs, ctx.lp);
        decide_in_scope(
            ctx.lp,
            info,
            |i, d, ignore_same_name| {
                if scans.len() <= i {
                    scans.resize(i + 1, None);
                }
                let b = match scans[i] {
                    Some(b) => b,
                    None => {
                        // When a directory's `.wants/` probes did not decide, its links must all be
                        // read, and so must every later directory (any link there may point at the
                        // unit): let the backend start reading the later ones, last first (the
                        // vendor directories, the largest, come last), while this one's links are
                        // read.
                        let mut ahead = || {
                            if !std::mem::replace(&mut prefetched, true) {
                                prefetch_after(ctx, info, i);
                            }
                        };
                        let b =
                            find_symlinks_both(ctx, info, ignore_same_name, &d.path, &mut ahead);
                        scans[i] = Some(b);
                        b
                    }
                };
                let found = b.result(m)?;
                Ok((found, b.same))
            },
            |_, d| search_dir_failure(fs, lp, &d.path),
        )
    })
}

/// [`FileSystem::prefetch_dirs`](crate::fs::FileSystem::prefetch_dirs) for the search
/// directories after the `i`th that [`decide_in_scope`] will scan (resolved; those that are
/// directories), last first.
fn prefetch_after(ctx: &Ctx<'_>, info: &InstallInfo, i: usize) {
    let real_dirs: Vec<Utf8PathBuf> = ctx
        .lp
        .search_path()
        .iter()
        .skip(i + 1)
        .rev()
        .filter(|d| can_decide(ctx.lp, info, d))
        .filter_map(|d| match resolve(ctx.fs, &d.path, Follow::Yes) {
            Ok(r) if r.target.kind() == Some(FileKind::Dir) => Some(r.path),
            _ => None,
        })
        .collect();
    let hint: Vec<&Utf8Path> = real_dirs.iter().map(Utf8PathBuf::as_path).collect();
    ctx.fs.prefetch_dirs(&hint);
}

/// Whether `p` is a plain absolute path: no empty or `.`-leading component, no trailing slash
/// (so that comparing text is comparing components).
fn plain_path(p: &str) -> bool {
    let b = p.as_bytes();
    if b.first() != Some(&b'/') {
        return false;
    }
    if b.len() > 1 && b[b.len() - 1] == b'/' {
        return false;
    }
    !b.windows(2)
        .any(|w| w[0] == b'/' && (w[1] == b'/' || w[1] == b'.'))
}

/// `Path::starts_with` (whole components) for a `path` already known to be plain or not: by
/// text when both are plain, else by components.
fn path_starts_with_plain(path: &Utf8Path, path_plain: bool, prefix: &Utf8Path) -> bool {
    let (p, q) = (path.as_str(), prefix.as_str());
    if !(path_plain && plain_path(q)) {
        return path.starts_with(prefix);
    }
    q == "/" || p == q || (p.starts_with(q) && p.as_bytes().get(q.len()) == Some(&b'/'))
}

#[cfg(test)]
fn path_starts_with(path: &Utf8Path, prefix: &Utf8Path) -> bool {
    path_starts_with_plain(path, plain_path(path.as_str()), prefix)
}

/// The state of `name` (reference §4.10). Lookup failures are errors (`ENOENT`, `ENOLINK` for a
/// dangling alias, `EXDEV`, `ELOOP`, ...).
pub fn lookup_state(ctx: &mut Ctx<'_>, name: &str) -> Result<UnitFileState, Errno> {
    state_by(ctx, name, |ctx, info, match_name| {
        find_in_scope(ctx, info, match_name)
    })
}

/// `unit_file_lookup_state()`: the state of `name`, where `in_scope(ctx, info, match_name)` is
/// the enablement-link scan of [`decide_in_scope`] (done on the tree, or against a prebuilt
/// index by `list-unit-files`).
pub(crate) fn state_by(
    ctx: &mut Ctx<'_>,
    name: &str,
    mut in_scope: impl FnMut(&Ctx<'_>, &InstallInfo, bool) -> Result<Option<UnitFileState>, Errno>,
) -> Result<UnitFileState, Errno> {
    if !crate::name::is_valid(name) {
        return Err(Errno::EINVAL);
    }
    let i = ctx.discover(name, Search::LOAD_FOLLOW, None)?;
    let info = ctx.info(i).clone();
    let path = info.path.clone().unwrap_or_default();
    let lp = ctx.lp;
    Ok(match info.mode {
        Some(Mode::Masked) => {
            if lp.is_runtime(&path) {
                UnitFileState::MaskedRuntime
            } else {
                UnitFileState::Masked
            }
        }
        _ => {
            if super::discover::basename(path.as_str()) != name
                && crate::name::classify(&info.name) != Some(NameKind::Instance)
            {
                UnitFileState::Alias
            } else if lp.is_generator(&path) {
                UnitFileState::Generated
            } else if lp.is_transient(&path) {
                UnitFileState::Transient
            } else if let Some(s) = in_scope(ctx, &info, true)? {
                s
            } else if in_scope(ctx, &info, false)?.is_some() {
                UnitFileState::Indirect
            } else if info.has_rules() {
                UnitFileState::Disabled
            } else if info.has_also() {
                UnitFileState::Indirect
            } else {
                UnitFileState::Static
            }
        }
    })
}

#[cfg(test)]
mod path_prefix_tests {
    use super::path_starts_with;
    use camino::Utf8Path;

    /// The text comparison agrees with `Path::starts_with` on every pair of a small universe of
    /// paths, plain and odd.
    #[test]
    fn agrees_with_path_starts_with() {
        let paths = [
            "",
            "/",
            "/a",
            "/a/",
            "/ab",
            "/a/b",
            "/a/b/",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/a/.b",
            "/a/b/c",
            "a",
            "a/b",
            "/lib/systemd/system",
            "/lib/systemd/system/x.service",
            "/lib/systemd/systemx",
            "/lib/systemd",
        ];
        for p in paths {
            for q in paths {
                let (p, q) = (Utf8Path::new(p), Utf8Path::new(q));
                assert_eq!(
                    path_starts_with(p, q),
                    p.starts_with(q),
                    "{p:?} starts with {q:?}"
                );
            }
        }
    }
}
