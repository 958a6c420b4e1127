//! `unmask` (reference §4.6).
use super::change::{Change, ChangeKind};
use super::discover::{join, Ctx};
use super::dropins::{walk_hostlike, Hostlike};
use super::info::Mode;
use super::symlink::{remove_marked, RemoveSet};
use super::{config_dir, Errno, Options, Outcome};
use crate::fs::FileKind;
use crate::fs::{FileSystem, FsError};
use crate::load::LookupPaths;
use crate::name::UnitName;

/// `systemctl unmask NAMES…`: removes `CONFIG/NAME` when it is a mask (a `/dev/null` link or an
/// empty file), then the links in the config directory that pointed to it. Without a root, a
/// mask made by a generator is reported (`IsMaskedGenerator`). A dry run removes nothing.
pub fn unmask(fs: &dyn FileSystem, lp: &LookupPaths, names: &[String], opts: Options) -> Outcome {
    let config = match config_dir(lp, &opts) {
        Ok(c) => c,
        Err(e) => return Outcome::err(e),
    };
    let mut ctx = Ctx::with(fs, lp, &opts);
    let mut changes = Vec::new();
    let result = run(&mut ctx, &config, names, opts.dry_run, &mut changes);
    Outcome {
        changes,
        logs: ctx.logs,
        result,
    }
}

fn run(
    ctx: &mut Ctx<'_>,
    config: &camino::Utf8Path,
    names: &[String],
    dry_run: bool,
    changes: &mut Vec<Change>,
) -> Result<i32, Errno> {
    let mut todo: Vec<String> = Vec::new();
    for n in names {
        if UnitName::new(n).is_err() {
            return Err(Errno::EINVAL);
        }
        if ctx.lp.root().is_none() {
            let mut scratch = ctx.scratch();
            if let Ok((j, _)) = scratch.add(Some(n), None, false) {
                if scratch.search(j, super::discover::Search::NONE).is_ok() {
                    let info = scratch.info(j);
                    if let (Some(Mode::Masked), Some(p)) = (info.mode, &info.path) {
                        if ctx.lp.is_generator(p) {
                            let host = ctx.host(p);
                            changes.push(Change::new(
                                ChangeKind::IsMaskedGenerator,
                                n,
                                Some(&host),
                            ));
                        }
                    }
                }
            }
            ctx.logs.append(&mut scratch.logs);
        }
        // systemd stats the root-prefixed path on the host: an absolute link leaves the root
        // (only the host's /dev/null is known to be a mask).
        let is_mask = match walk_hostlike(ctx.fs, ctx.lp, &join(config, n)) {
            Hostlike::Inside(_, m) => {
                m.kind == FileKind::CharDevice || (m.kind == FileKind::File && m.size == 0)
            }
            Hostlike::Outside(t) => t == "/dev/null",
            Hostlike::Missing => false,
            Hostlike::Error(e) => return Err(e),
        };
        if !is_mask {
            continue;
        }
        if !todo.contains(n) {
            todo.push(n.clone());
        }
    }
    let mut set = RemoveSet::new();
    let mut r = Ok(0);
    for n in &todo {
        let path = join(config, n);
        let host = ctx.host(&path);
        if !dry_run {
            match ctx.fs.remove_file(&path) {
                Ok(()) => {}
                Err(FsError::NotFound { .. }) => continue,
                Err(e) => {
                    let e = Errno::from_fs(&e);
                    if r.is_ok() {
                        r = Err(e);
                    }
                    changes.push(Change::new(ChangeKind::Error(e), &host, None));
                    continue;
                }
            }
        }
        changes.push(Change::new(ChangeKind::Unlink, &host, None));
        set.insert(path.to_string());
    }
    let q = remove_marked(ctx, &mut set, config, dry_run, changes);
    if r.is_ok() {
        r = q.map(|()| 0);
    }
    r
}
