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
    utf8: bool,
) -> (Result<UnitFileState, Errno>, Vec<Log>) {
    let mut ctx = Ctx::new(fs, lp, utf8);
    let r = super::lookup_state(&mut ctx, name);
    (r, ctx.logs)
}

/// `is-enabled --full`: the symlinks a `disable` of `name` would remove (systemd runs a dry-run
/// disable in **system** scope, whatever scope was asked for).
pub fn installation_targets(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    name: &str,
    runtime: bool,
    utf8: bool,
) -> (Result<Vec<String>, Errno>, Vec<Log>) {
    let opts = Options {
        runtime,
        force: false,
        dry_run: true,
        utf8,
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
