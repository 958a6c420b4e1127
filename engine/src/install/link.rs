//! `link` (reference §4.4).
use super::change::{Change, ChangeKind};
use super::discover::{basename, join, lstat_host, parent, Ctx};
use super::symlink::create_symlink;
use super::{config_dir, dry, Errno, Options, Outcome};
use crate::fs::{FileKind, FileSystem};
use crate::load::LookupPaths;
use crate::name::UnitName;
use camino::{Utf8Path, Utf8PathBuf};

/// `systemctl link PATHS…`: links unit files from outside the search path into the config
/// directory. Every argument is checked first (absolute, valid unit name, an existing regular
/// file); a file directly in the search path is skipped, one below it is `ETXTBSY`.
///
/// Quirk kept from systemd 252: the argument is compared with the search path *including the
/// root*, so under `--root` neither check ever matches (reference §1.6).
pub fn link(fs: &dyn FileSystem, lp: &LookupPaths, files: &[String], opts: Options) -> Outcome {
    match dry::run(fs, opts.dry_run, |fs| link_on(fs, lp, files, opts)) {
        Ok(o) => o,
        Err(e) => Outcome::err(Errno::from_fs(&e)),
    }
}

fn link_on(fs: &dyn FileSystem, lp: &LookupPaths, files: &[String], opts: Options) -> Outcome {
    let config = match config_dir(lp, &opts) {
        Ok(c) => c,
        Err(e) => return Outcome::err(e),
    };
    let mut ctx = Ctx::with(fs, lp, &opts);
    let mut changes = Vec::new();
    let fail = |changes: Vec<Change>, e: Errno, f: &str, ctx: Ctx<'_>| {
        let mut changes = changes;
        changes.push(Change::new(ChangeKind::Error(e), f, None));
        Outcome {
            changes,
            logs: ctx.logs,
            result: Err(e),
        }
    };
    let hosts: Vec<Utf8PathBuf> = lp
        .search_path()
        .iter()
        .map(|d| lp.host_path(&d.path))
        .collect();
    let mut todo: Vec<String> = Vec::new();
    for f in files {
        if !f.starts_with('/') {
            return fail(changes, Errno::EINVAL, f, ctx);
        }
        if UnitName::new(basename(f)).is_err() {
            return fail(changes, Errno::EUCLEAN, f, ctx);
        }
        let inside = crate::fs::normalize(Utf8Path::new("/"), Utf8Path::new(f));
        match lstat_host(fs, &inside) {
            Err(e) => return fail(changes, e, f, ctx),
            Ok((_, m)) => match m.kind {
                FileKind::File => {}
                FileKind::Dir => return fail(changes, Errno::EISDIR, f, ctx),
                FileKind::Symlink => return fail(changes, Errno::ELOOP, f, ctx),
                _ => return fail(changes, Errno::EBADFD, f, ctx),
            },
        }
        let arg = Utf8Path::new(f);
        let dir = parent(&crate::fs::normalize(Utf8Path::new("/"), arg));
        if hosts.contains(&dir) {
            continue;
        }
        if hosts.iter().any(|h| arg.starts_with(h)) {
            return fail(changes, Errno::ETXTBSY, f, ctx);
        }
        if !todo.contains(f) {
            todo.push(f.clone());
        }
    }
    let mut result = Ok(0);
    for f in &todo {
        let link = join(&config, basename(f));
        let q = create_symlink(&mut ctx, Utf8Path::new(f), &link, opts.force, &mut changes);
        if let (Err(e), Ok(_)) = (q, result) {
            result = Err(e);
        }
    }
    Outcome {
        changes,
        logs: ctx.logs,
        result,
    }
}
