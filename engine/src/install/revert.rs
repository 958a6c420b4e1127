//! `revert` (reference §4.7).
use super::change::{Change, ChangeKind};
use super::discover::{join, lstat_host, Ctx};
use super::symlink::{hidden_or_backup, remove_marked, RemoveSet};
use super::{dry, Errno, Options, Outcome};
use crate::fs::{FileKind, FileSystem};
use crate::load::LookupPaths;
use crate::name::UnitName;
use camino::Utf8PathBuf;

/// `systemctl revert NAMES…`: removes drop-in directories in config, control and transient
/// directories and, when a vendor version of the unit exists, the overriding files and masks in
/// the persistent and runtime config directories; then links that pointed to removed paths.
pub fn revert(fs: &dyn FileSystem, lp: &LookupPaths, names: &[String], opts: Options) -> Outcome {
    match dry::run(fs, opts.dry_run, |fs| revert_on(fs, lp, names, opts)) {
        Ok(o) => o,
        Err(e) => Outcome::err(Errno::from_fs(&e)),
    }
}

fn revert_on(fs: &dyn FileSystem, lp: &LookupPaths, names: &[String], opts: Options) -> Outcome {
    let mut ctx = Ctx::with(fs, lp, &opts);
    let mut changes = Vec::new();
    let result = run(&mut ctx, names, &mut changes);
    Outcome {
        changes,
        logs: ctx.logs,
        result,
    }
}

fn shall_revert(lp: &LookupPaths, dropin: &camino::Utf8Path) -> bool {
    lp.is_config(dropin) || lp.is_control(dropin) || lp.is_transient(dropin)
}

fn run(ctx: &mut Ctx<'_>, names: &[String], changes: &mut Vec<Change>) -> Result<i32, Errno> {
    let lp = ctx.lp;
    let fs = ctx.fs;
    let mut todo: Vec<Utf8PathBuf> = Vec::new();
    let push = |todo: &mut Vec<Utf8PathBuf>, p: Utf8PathBuf| {
        if !todo.contains(&p) {
            todo.push(p);
        }
    };
    let fail = |changes: &mut Vec<Change>, e: Errno, p: &camino::Utf8Path| {
        changes.push(Change::new(
            ChangeKind::Error(e),
            lp.host_path(p).as_str(),
            None,
        ));
        Err(e)
    };
    for n in names {
        if UnitName::new(n).is_err() {
            return Err(Errno::EINVAL);
        }
        let mut has_vendor = false;
        for d in lp.search_path() {
            let path = join(&d.path, n);
            match lstat_host(fs, &path) {
                Err(Errno::ENOENT) => {}
                Err(e) => return fail(changes, e, &path),
                Ok((_, m)) if m.kind == FileKind::File => {
                    if lp.is_vendor(&path) {
                        has_vendor = true;
                    }
                }
                Ok(_) => {}
            }
            let dropin = join(&d.path, &format!("{n}.d"));
            match lstat_host(fs, &dropin) {
                Err(Errno::ENOENT) => {}
                Err(e) => return fail(changes, e, &dropin),
                Ok((_, m)) if m.kind == FileKind::Dir => {
                    if shall_revert(lp, &dropin) {
                        push(&mut todo, dropin);
                    }
                }
                Ok(_) => {}
            }
        }
        if !has_vendor {
            continue;
        }
        for d in lp.search_path() {
            let path = join(&d.path, n);
            match lstat_host(fs, &path) {
                Err(Errno::ENOENT) => {}
                Err(e) => return fail(changes, e, &path),
                Ok((_, m)) if matches!(m.kind, FileKind::File | FileKind::Symlink) => {
                    if lp.is_config(&path) {
                        push(&mut todo, path);
                    }
                }
                Ok(_) => {}
            }
        }
    }
    let mut set = RemoveSet::new();
    let mut r = Ok(0);
    for p in &todo {
        let listed: Vec<String> = match fs.lstat(p) {
            Ok(m) if m.kind == FileKind::Dir => fs
                .read_dir(p)
                .map(|v| {
                    v.into_iter()
                        .map(|e| e.name)
                        .filter(|n| !hidden_or_backup(n))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        match fs.remove_dir_all(p) {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                if r.is_ok() {
                    r = Err(Errno::from_fs(&e));
                }
                continue;
            }
        }
        for e in &listed {
            changes.push(Change::new(
                ChangeKind::Unlink,
                lp.host_path(&join(p, e)).as_str(),
                None,
            ));
        }
        changes.push(Change::new(
            ChangeKind::Unlink,
            lp.host_path(p).as_str(),
            None,
        ));
        set.insert(p.to_string());
    }
    for config in [lp.runtime_config(), Some(lp.persistent_config())]
        .into_iter()
        .flatten()
    {
        let config = config.to_owned();
        let q = remove_marked(ctx, &mut set, &config, false, changes);
        if r.is_ok() {
            r = q.map(|()| 0);
        }
    }
    r
}
