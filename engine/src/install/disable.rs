//! `disable` (reference §4.2).
use super::apply::mark_for_removal;
use super::change::{Change, ChangeKind};
use super::discover::Ctx;
use super::symlink::{remove_marked, RemoveSet};
use super::{config_dir, Errno, Options, Outcome};
use crate::fs::FileSystem;
use crate::load::LookupPaths;
use crate::name::UnitName;
use camino::Utf8Path;

/// `systemctl disable NAMES…`: removes, from the config directory, every symlink named after the
/// units (their `Also=` units included) or pointing to them, repeatedly. A dry run reports what
/// would go (systemd's `UNIT_FILE_DRY_RUN`: one pass, no repetition).
pub fn disable(fs: &dyn FileSystem, lp: &LookupPaths, names: &[String], opts: Options) -> Outcome {
    let config = match config_dir(lp, &opts) {
        Ok(c) => c,
        Err(e) => return Outcome::err(e),
    };
    let mut ctx = Ctx::with(fs, lp, &opts);
    let mut changes = Vec::new();
    let result = do_disable(&mut ctx, &config, names, opts.dry_run, &mut changes).map(|()| 0);
    Outcome {
        changes,
        logs: ctx.logs,
        result,
    }
}

pub(crate) fn do_disable(
    ctx: &mut Ctx<'_>,
    config: &Utf8Path,
    names: &[String],
    dry_run: bool,
    changes: &mut Vec<Change>,
) -> Result<(), Errno> {
    for n in names {
        if UnitName::new(n).is_err() {
            changes.push(Change::new(ChangeKind::Error(Errno::EUCLEAN), n, None));
            return Err(Errno::EUCLEAN);
        }
        ctx.add(Some(n), None, false)?;
    }
    let mut set = RemoveSet::new();
    mark_for_removal(ctx, &mut set, changes)?;
    remove_marked(ctx, &mut set, config, dry_run, changes)
}
