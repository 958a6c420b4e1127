//! `enable` (reference §4.1).
use super::apply::{apply_all, ApplyFlags};
use super::discover::{Ctx, Search};
use super::{config_dir, dry, Errno, Options, Outcome};
use crate::fs::FileSystem;
use crate::load::LookupPaths;
use camino::Utf8Path;

/// `systemctl enable NAMES_OR_PATHS…`: every argument is discovered first (the first failure
/// aborts before any change), then the `[Install]` rules of all units (arguments, then `Also=`
/// units) are applied. `result` is the number of units that carried rules.
pub fn enable(fs: &dyn FileSystem, lp: &LookupPaths, names: &[String], opts: Options) -> Outcome {
    match dry::run(fs, opts.dry_run, |fs| enable_on(fs, lp, names, opts)) {
        Ok(o) => o,
        Err(e) => Outcome::err(Errno::from_fs(&e)),
    }
}

fn enable_on(fs: &dyn FileSystem, lp: &LookupPaths, names: &[String], opts: Options) -> Outcome {
    let config = match config_dir(lp, &opts) {
        Ok(c) => c,
        Err(e) => return Outcome::err(e),
    };
    let mut ctx = Ctx::with(fs, lp, &opts);
    let mut changes = Vec::new();
    let result = do_enable(&mut ctx, &config, names, opts, &mut changes);
    Outcome {
        changes,
        logs: ctx.logs,
        result,
    }
}

pub(crate) fn do_enable(
    ctx: &mut Ctx<'_>,
    config: &Utf8Path,
    names: &[String],
    opts: Options,
    changes: &mut Vec<super::Change>,
) -> Result<i32, Errno> {
    for n in names {
        ctx.discover_and_check(n, Search::LOAD_FOLLOW, changes)?;
    }
    let flags = ApplyFlags {
        force: opts.force,
        ignore_auxiliary_failure: false,
    };
    apply_all(ctx, config, Search::LOAD, flags, changes)
}
