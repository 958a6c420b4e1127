//! `add-wants` and `add-requires` (reference §4.8).
use super::apply::{apply_all, ApplyFlags};
use super::change::{Change, ChangeKind};
use super::discover::{Ctx, Search};
use super::{config_dir, dry, Errno, Options, Outcome};
use crate::fs::FileSystem;
use crate::load::LookupPaths;
use crate::name::UnitName;

/// Which dependency directory `add_dependency` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dependency {
    /// `TARGET.wants/`.
    Wants,
    /// `TARGET.requires/`.
    Requires,
}

/// `systemctl add-wants|add-requires TARGET UNITS…`: links each unit (aliases resolved, its
/// `[Install]` ignored) into `CONFIG/REALTARGET.wants/` (or `.requires/`).
pub fn add_dependency(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    target: &str,
    names: &[String],
    dep: Dependency,
    opts: Options,
) -> Outcome {
    match dry::run(fs, opts.dry_run, |fs| {
        run_on(fs, lp, target, names, dep, opts)
    }) {
        Ok(o) => o,
        Err(e) => Outcome::err(Errno::from_fs(&e)),
    }
}

fn run_on(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    target: &str,
    names: &[String],
    dep: Dependency,
    opts: Options,
) -> Outcome {
    let mut changes = Vec::new();
    if UnitName::new(target).is_err() {
        changes.push(Change::new(ChangeKind::Error(Errno::EUCLEAN), target, None));
        return Outcome {
            changes,
            logs: Vec::new(),
            result: Err(Errno::EUCLEAN),
        };
    }
    let config = match config_dir(lp, &opts) {
        Ok(c) => c,
        Err(e) => return Outcome::err(e),
    };
    let mut ctx = Ctx::with(fs, lp, &opts);
    let result = (|| {
        let t = ctx.discover_and_check(target, Search::FOLLOW, &mut changes)?;
        let tname = ctx.info(t).name.clone();
        for n in names {
            let i = ctx.discover_and_check(n, Search::FOLLOW, &mut changes)?;
            let info = &mut ctx.infos[i];
            match dep {
                Dependency::Wants => info.wanted_by = vec![tname.clone()],
                Dependency::Requires => info.required_by = vec![tname.clone()],
            }
        }
        let flags = ApplyFlags {
            force: opts.force,
            ignore_auxiliary_failure: false,
        };
        apply_all(&mut ctx, &config, Search::FOLLOW, flags, &mut changes)
    })();
    Outcome {
        changes,
        logs: ctx.logs,
        result,
    }
}
