//! `reenable` (reference §4.3).
use super::discover::{basename, Ctx, Search};
use super::enable::do_enable;
use super::{config_dir, disable, dry, Errno, Options, Outcome};
use crate::fs::FileSystem;
use crate::load::LookupPaths;

/// `systemctl reenable NAMES_OR_PATHS…`: `disable` of the names, then `enable`. Under `--root`,
/// a plain name that resolves to a file is enabled by that file's path (systemd's
/// `normalize_linked_files()`), so drop-ins are not read for it.
pub fn reenable(fs: &dyn FileSystem, lp: &LookupPaths, names: &[String], opts: Options) -> Outcome {
    match dry::run(fs, opts.dry_run, |fs| reenable_on(fs, lp, names, opts)) {
        Ok(o) => o,
        Err(e) => Outcome::err(Errno::from_fs(&e)),
    }
}

fn reenable_on(fs: &dyn FileSystem, lp: &LookupPaths, args: &[String], opts: Options) -> Outcome {
    let config = match config_dir(lp, &opts) {
        Ok(c) => c,
        Err(e) => return Outcome::err(e),
    };
    let mut logs = Vec::new();
    let mut names = Vec::new();
    let mut files = Vec::new();
    for a in args {
        if a.ends_with('/') {
            return Outcome::err(Errno::EISDIR);
        }
        let n = basename(a).to_owned();
        let mut file = a.clone();
        if !a.contains('/') {
            let mut scratch = Ctx::with(fs, lp, &opts);
            if let Ok(i) = scratch.discover(&n, Search::LOAD_FOLLOW, None) {
                if lp.root().is_some() {
                    if let Some(p) = &scratch.info(i).path {
                        file = p.to_string();
                    }
                }
            }
            logs.append(&mut scratch.logs);
        }
        names.push(n);
        files.push(file);
    }
    let mut changes = Vec::new();
    let mut ctx = Ctx::with(fs, lp, &opts);
    ctx.logs = logs;
    let r = disable::do_disable(&mut ctx, &config, &names, false, &mut changes);
    let result = match r {
        Err(e) => Err(e),
        Ok(()) => {
            let mut ctx2 = Ctx::with(fs, lp, &opts);
            let r = do_enable(&mut ctx2, &config, &files, opts, &mut changes);
            ctx.logs.append(&mut ctx2.logs);
            r
        }
    };
    Outcome {
        changes,
        logs: ctx.logs,
        result,
    }
}
