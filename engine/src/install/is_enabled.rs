//! `is-enabled` (reference §4.10).
use super::discover::Ctx;
use super::{disable, ChangeKind, Errno, Log, Options, UnitFileState};
use crate::fs::FileSystem;
use crate::load::LookupPaths;

/// The state of one unit, with the lines logged while looking it up.
pub fn is_enabled(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    name: &str,
    opts: Options,
) -> (Result<UnitFileState, Errno>, Vec<Log>) {
    let mut ctx = Ctx::with(fs, lp, &opts);
    let r = super::state::lookup_state_once(&mut ctx, name);
    (r, ctx.logs)
}

/// `is-enabled --full`: the symlinks a `disable` of `name` would remove (systemd runs a dry-run
/// disable in **system** scope, whatever scope was asked for). `opts.runtime` selects the
/// runtime config directory; `dry_run` is forced.
pub fn installation_targets(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    name: &str,
    opts: Options,
) -> (Result<Vec<String>, Errno>, Vec<Log>) {
    let opts = Options {
        dry_run: true,
        force: false,
        ..opts
    };
    let o = disable(fs, lp, &[name.to_owned()], opts);
    let links = o
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Unlink)
        .map(|c| c.path.clone())
        .collect();
    (o.result.map(|_| links), o.logs)
}
