//! `mask` (reference §4.5).
use super::discover::{join, Ctx};
use super::symlink::create_symlink;
use super::{config_dir, dry, Errno, Options, Outcome};
use crate::fs::FileSystem;
use crate::load::LookupPaths;
use crate::name::UnitName;
use camino::Utf8Path;

/// `systemctl mask NAMES…`: `CONFIG/NAME → /dev/null` for each valid name (no existence check);
/// invalid names are skipped and make the result `EINVAL`; the first error is returned.
pub fn mask(fs: &dyn FileSystem, lp: &LookupPaths, names: &[String], opts: Options) -> Outcome {
    match dry::run(fs, opts.dry_run, |fs| mask_on(fs, lp, names, opts)) {
        Ok(o) => o,
        Err(e) => Outcome::err(Errno::from_fs(&e)),
    }
}

fn mask_on(fs: &dyn FileSystem, lp: &LookupPaths, names: &[String], opts: Options) -> Outcome {
    let config = match config_dir(lp, &opts) {
        Ok(c) => c,
        Err(e) => return Outcome::err(e),
    };
    let mut ctx = Ctx::with(fs, lp, &opts);
    let mut changes = Vec::new();
    let mut r: Result<i32, Errno> = Ok(0);
    for n in names {
        if UnitName::new(n).is_err() {
            if r == Ok(0) {
                r = Err(Errno::EINVAL);
            }
            continue;
        }
        let q = create_symlink(
            &mut ctx,
            Utf8Path::new("/dev/null"),
            &join(&config, n),
            opts.force,
            &mut changes,
        );
        if let (Err(e), Ok(_)) = (q, r) {
            r = Err(e);
        }
    }
    Outcome {
        changes,
        logs: ctx.logs,
        result: r,
    }
}
