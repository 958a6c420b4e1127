//! Creating and removing enablement symlinks (reference §4.0.2, §4.2 item 3).
use super::change::{Change, ChangeKind, Errno};
use super::discover::{basename, errno, join, lstat_host, parent, Ctx};
use super::dropins::{walk_hostlike, Hostlike};
use crate::fs::{resolve, FileKind, FileSystem, Follow, FsError, Target};
use camino::Utf8Path;
use std::collections::HashSet;

/// systemd's `hidden_or_backup_file()`: entries every directory walk skips (one definition,
/// in [`crate::load`]).
pub use crate::load::hidden_or_backup;

/// `chroot_unit_symlinks_equivalent()`: is an existing link at `link` with target text `a`
/// as good as a new one with target `b`? (reference §4.0.2; systemd-stable v252
/// `src/shared/install.c`, read for the facts.) systemd joins each target to the root (absolute)
/// or to the link's directory (relative) *without* normalising, then:
///
/// 1. `path_equal()`: the same components, `.` and repeated `/` ignored, `..` a component like
///    any other;
/// 2. `files_same()`: `stat()` of both **on the host**, so an absolute symlink met on the way
///    leaves the root (and what it leads to is invisible to us: only the host's `/dev/null` is
///    known to exist), and a `..` above the root climbs out of it;
/// 3. the same last component, both lexically inside the search path. A last component that is
///    `..` makes systemd's filename extraction fail, and the error counts as "equivalent".
fn equivalent(ctx: &Ctx<'_>, link: &Utf8Path, a: &str, b: &str) -> bool {
    if a == b {
        // The same text joins and simplifies to the same path (step 1).
        return true;
    }
    let dir = parent(link);
    let text = |t: &str| {
        if t.starts_with('/') {
            simplify(t)
        } else {
            simplify(&format!("{dir}/{t}"))
        }
    };
    let (pa, pb) = (text(a), text(b));
    if pa == pb {
        return true;
    }
    let same_file = |p: &str| match walk_hostlike(ctx.fs, ctx.lp, Utf8Path::new(p)) {
        Hostlike::Inside(path, _) => Some(Some(path)),
        Hostlike::Outside(t) if t == "/dev/null" => Some(None),
        Hostlike::Outside(_) | Hostlike::Missing | Hostlike::Error(_) => None,
    };
    if let (Some(x), Some(y)) = (same_file(&pa), same_file(&pb)) {
        if x == y {
            return true;
        }
    }
    let (na, nb) = (basename(&pa), basename(&pb));
    if na == ".." || nb == ".." {
        return true;
    }
    na == nb
        && ctx.lp.in_search_path(Utf8Path::new(&pa))
        && ctx.lp.in_search_path(Utf8Path::new(&pb))
}

/// systemd's `path_simplify()` for an absolute path: empty and `.` components dropped, `..`
/// kept (it is not resolved lexically).
fn simplify(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.split('/').filter(|c| !c.is_empty() && *c != ".") {
        out.push('/');
        out.push_str(c);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// `create_symlink()`: makes `link` (root-relative) point to `target` (root-relative text).
/// Returns 1 on success (including an equivalent existing link); errors are also recorded.
pub fn create_symlink(
    ctx: &mut Ctx<'_>,
    target: &Utf8Path,
    link: &Utf8Path,
    force: bool,
    changes: &mut Vec<Change>,
) -> Result<i32, Errno> {
    let fs = ctx.fs;
    let lp = ctx.lp;
    let host = || lp.host_path(link).into_string();
    // Anything but "the link exists already" may have changed the tree (directories made, a
    // link made or replaced): a resolved view of the search path is stale from here on.
    let view = ctx.view.take();
    let _ = fs.create_dir_all(&parent(link));
    let fail = |changes: &mut Vec<Change>, e: Errno, source: Option<&str>| {
        changes.push(Change::new(ChangeKind::Error(e), &host(), source));
        Err(e)
    };
    match fs.symlink(target, link) {
        Ok(()) => {
            changes.push(Change::new(
                ChangeKind::Symlink,
                &host(),
                Some(target.as_str()),
            ));
            return Ok(1);
        }
        Err(FsError::AlreadyExists { .. }) => {}
        Err(e) => {
            // A missing parent shows up as ENOENT, a file as parent as ENOTDIR.
            return fail(changes, errno(&e), None);
        }
    }
    ctx.view = view;
    let dest = match fs.read_link(link) {
        Ok(d) => d,
        Err(FsError::NotASymlink { .. }) => return fail(changes, Errno::EEXIST, None),
        Err(e) => return fail(changes, errno(&e), None),
    };
    if equivalent(ctx, link, dest.as_str(), target.as_str()) {
        return Ok(1);
    }
    if !force {
        return fail(changes, Errno::EEXIST, Some(dest.as_str()));
    }
    ctx.view = None;
    if let Err(e) = fs.remove_file(link).and_then(|()| fs.symlink(target, link)) {
        return fail(changes, errno(&e), None);
    }
    let host = host();
    changes.push(Change::new(ChangeKind::Unlink, &host, None));
    changes.push(Change::new(
        ChangeKind::Symlink,
        &host,
        Some(target.as_str()),
    ));
    Ok(1)
}

/// `rmdir_parents()`: removes the now-empty directories above `path`, up to (not including) `stop`.
fn rmdir_parents(fs: &dyn FileSystem, path: &Utf8Path, stop: &Utf8Path) {
    let mut d = parent(path);
    while d != stop && d.starts_with(stop) {
        if fs.remove_dir(&d).is_err() {
            break;
        }
        d = parent(&d);
    }
}

/// The set of names and root-relative paths whose links are to be removed.
pub type RemoveSet = HashSet<String>;

/// `remove_marked_symlinks()`: walks `config` recursively and removes every symlink with a unit
/// name that is named like a marked unit (or its template), or whose fully resolved target (or that
/// target's basename) is marked; removed paths are marked in turn and the walk repeats (not in a dry
/// run).
pub fn remove_marked(
    ctx: &mut Ctx<'_>,
    set: &mut RemoveSet,
    config: &Utf8Path,
    dry_run: bool,
    changes: &mut Vec<Change>,
) -> Result<(), Errno> {
    if set.is_empty() {
        return Ok(());
    }
    match resolve(ctx.fs, config, Follow::Yes) {
        Ok(r) if r.target.kind() == Some(FileKind::Dir) => {}
        Ok(r) if r.target == Target::Missing => return Ok(()),
        Ok(_) => return Err(Errno::ENOTDIR),
        Err(e) => return Err(errno(&e)),
    }
    let mut result = Ok(());
    loop {
        let mut restart = false;
        let q = remove_in(ctx, set, config, config, dry_run, &mut restart, changes);
        if result.is_ok() {
            result = q;
        }
        if !restart {
            break;
        }
    }
    result
}

fn remove_in(
    ctx: &mut Ctx<'_>,
    set: &mut RemoveSet,
    dir: &Utf8Path,
    config: &Utf8Path,
    dry_run: bool,
    restart: &mut bool,
    changes: &mut Vec<Change>,
) -> Result<(), Errno> {
    let fs = ctx.fs;
    let real = match lstat_host(fs, dir) {
        Ok((real, m)) if m.kind == FileKind::Dir => real,
        Ok((real, m)) if m.kind == FileKind::Symlink && dir == config => {
            match resolve(fs, &real, Follow::Yes) {
                Ok(r) => r.path,
                Err(e) => return Err(errno(&e)),
            }
        }
        Ok(_) => return Err(Errno::ENOTDIR),
        Err(e) => return Err(e),
    };
    let entries = fs.read_dir(&real).map_err(|e| errno(&e))?;
    let mut r = Ok(());
    for e in entries {
        if hidden_or_backup(&e.name) {
            continue;
        }
        let p = join(dir, &e.name);
        match e.kind {
            FileKind::Dir => {
                let q = remove_in(ctx, set, &p, config, dry_run, restart, changes);
                if q.is_err() && r.is_ok() {
                    r = q;
                }
            }
            FileKind::Symlink => {
                if !crate::name::is_valid(&e.name) {
                    continue;
                }
                let mut found = set.contains(&e.name);
                if !found {
                    if let Some(t) = crate::name::UnitName::new(&e.name)
                        .ok()
                        .and_then(|n| n.template())
                    {
                        found = set.contains(t.as_str());
                    }
                }
                if !found {
                    match resolve(fs, &p, Follow::Yes) {
                        Ok(res) => {
                            // systemd compares the chased path *with* the root prefix.
                            let dest = ctx.host(&res.path);
                            found = set.contains(&dest) || set.contains(basename(&dest));
                        }
                        Err(err) => {
                            let q = errno(&err);
                            let host = ctx.host(&p);
                            changes.push(Change::new(ChangeKind::Error(q), &host, None));
                            if r.is_ok() {
                                r = Err(q);
                            }
                            continue;
                        }
                    }
                }
                if !found {
                    continue;
                }
                let host = ctx.host(&p);
                if !dry_run {
                    match fs.remove_file(&join(&real, &e.name)) {
                        Ok(()) | Err(FsError::NotFound { .. }) => {}
                        Err(err) => {
                            let q = errno(&err);
                            if r.is_ok() {
                                r = Err(q);
                            }
                            changes.push(Change::new(ChangeKind::Error(q), &host, None));
                            continue;
                        }
                    }
                    rmdir_parents(fs, &p, config);
                }
                changes.push(Change::new(ChangeKind::Unlink, &host, None));
                if set.insert(p.to_string()) && !dry_run {
                    *restart = true;
                }
            }
            _ => {}
        }
    }
    r
}
