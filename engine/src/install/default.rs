//! `set-default` and `get-default` (reference §4.9).
use super::discover::{join, Ctx, Search};
use super::symlink::create_symlink;
use super::{dry, Errno, Log, Options, Outcome};
use crate::fs::FileSystem;
use crate::load::LookupPaths;
use crate::name::{UnitName, UnitType};

/// `systemctl set-default NAME`: `PERSISTENT_CONFIG/default.target` → the target's file (aliases
/// resolved, links in config directories refused), always replacing an existing link. `EINVAL`
/// for a non-target or `default.target` itself.
pub fn set_default(fs: &dyn FileSystem, lp: &LookupPaths, name: &str, opts: Options) -> Outcome {
    match UnitName::new(name) {
        Ok(n) if n.unit_type() == UnitType::Target && name != "default.target" => {}
        _ => return Outcome::err(Errno::EINVAL),
    }
    match dry::run(fs, opts.dry_run, |fs| {
        let mut ctx = Ctx::with(fs, lp, &opts);
        let mut changes = Vec::new();
        let result = (|| {
            let i = ctx.discover_and_check(name, Search::NONE, &mut changes)?;
            let path = ctx.info(i).path.clone().unwrap_or_default();
            let link = join(lp.persistent_config(), "default.target");
            create_symlink(&mut ctx, &path, &link, true, &mut changes)
        })();
        Outcome {
            changes,
            logs: ctx.logs,
            result,
        }
    }) {
        Ok(o) => o,
        Err(e) => Outcome::err(Errno::from_fs(&e)),
    }
}

/// `systemctl get-default`: the name `default.target` finally resolves to.
pub fn get_default(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    opts: Options,
) -> (Result<String, Errno>, Vec<Log>) {
    let mut ctx = Ctx::with(fs, lp, &opts);
    let r = ctx
        .discover("default.target", Search::FOLLOW, None)
        .map(|i| ctx.info(i).name.clone());
    (r, ctx.logs)
}
