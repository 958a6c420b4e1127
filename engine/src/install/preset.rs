//! `preset` and `preset-all` (reference §4.12).
//!
//! Both work in two phases, like systemd's `unit_file_preset()`/`unit_file_preset_all()`:
//!
//! 1. *prepare*: each name (for `preset-all`: every regular file or symlink with a valid unit
//!    name in every search directory, in directory order) is looked up once; names that resolve
//!    to another unit (aliases) and names already collected are skipped; the preset rules then
//!    put the unit into the *enable* set (checked like `enable`: masked → `ERFKILL`, generated →
//!    `EADDRNOTAVAIL`; for a template with an instance list, the listed instances instead) or
//!    the *disable* set. `preset` stops at the first error; `preset-all` ignores the per-unit
//!    errors systemd ignores (they are still recorded);
//! 2. *execute*: unless `enable-only`, the disable set is removed like `disable` (its `[Install]`
//!    is not read, so `Also=` units are not disabled); then, unless `disable-only`, the enable
//!    set is applied like `enable`, with invalid `WantedBy=` targets skipped silently.
//!
//! So the `Removed` lines come before the `Created` lines.
use super::apply::{apply_all, mark_for_removal, ApplyFlags};
use super::change::{Change, Errno};
use super::discover::{Ctx, Search};
use super::preset_rules::{PresetVerdict, Presets};
use super::symlink::{remove_marked, RemoveSet};
use super::{config_dir, dry, Log, Options, Outcome};
use crate::fs::{FileKind, FileSystem};
use crate::load::LookupPaths;
use camino::Utf8Path;

/// `--preset-mode=`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PresetMode {
    /// Enable and disable (`full`, the default).
    #[default]
    Full,
    /// Only enable (`enable-only`).
    EnableOnly,
    /// Only disable (`disable-only`).
    DisableOnly,
}

impl PresetMode {
    /// Parses `full`, `enable-only` or `disable-only`.
    pub fn parse(s: &str) -> Option<PresetMode> {
        match s {
            "full" => Some(PresetMode::Full),
            "enable-only" => Some(PresetMode::EnableOnly),
            "disable-only" => Some(PresetMode::DisableOnly),
            _ => None,
        }
    }
}

/// `systemctl preset NAMES…`: applies the preset rules to the named units.
pub fn preset(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    names: &[String],
    mode: PresetMode,
    opts: Options,
) -> Outcome {
    match dry::run(fs, opts.dry_run, |fs| run(fs, lp, Some(names), mode, opts)) {
        Ok(o) => o,
        Err(e) => Outcome::err(Errno::from_fs(&e)),
    }
}

/// `systemctl preset-all`: applies the preset rules to every unit file in the search path.
pub fn preset_all(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    mode: PresetMode,
    opts: Options,
) -> Outcome {
    match dry::run(fs, opts.dry_run, |fs| run(fs, lp, None, mode, opts)) {
        Ok(o) => o,
        Err(e) => Outcome::err(Errno::from_fs(&e)),
    }
}

/// Errors `preset-all` shrugs off for a single unit.
fn tolerated(e: Errno) -> bool {
    use Errno::*;
    matches!(
        e,
        EEXIST
            | ERFKILL
            | EADDRNOTAVAIL
            | EBADSLT
            | EIDRM
            | EUCLEAN
            | ELOOP
            | ENOENT
            | EUNATCH
            | EXDEV
    )
}

struct Phase<'a, 'b> {
    plus: Ctx<'a>,
    minus: Ctx<'a>,
    presets: &'b Presets,
    changes: Vec<Change>,
    logs: Vec<Log>,
}

impl Phase<'_, '_> {
    fn drain(&mut self) {
        self.logs.append(&mut self.plus.logs);
        self.logs.append(&mut self.minus.logs);
    }

    /// `preset_prepare_one()`.
    fn prepare_one(&mut self, name: &str) -> Result<(), Errno> {
        if self.plus.infos.contains_key(name) || self.minus.infos.contains_key(name) {
            return Ok(());
        }
        let mut tmp = self.plus.scratch();
        let r = tmp.discover(name, Search::FOLLOW, Some(&mut self.changes));
        // The second lookup of the same name (below) may start where this one found the unit
        // when this one logged nothing (see `discover::Found`).
        let found = match (&r, tmp.first_found.take()) {
            (Ok(i), Some((j, found))) if *i == j && tmp.logs.is_empty() => Some(found),
            _ => None,
        };
        self.logs.append(&mut tmp.logs);
        let i = r?;
        if tmp.info(i).name != name {
            return Ok(());
        }
        let verdict = self.presets.query(name, true)?;
        let r = match verdict {
            PresetVerdict::EnableInstances(list) => {
                let mut r = Ok(());
                for s in &list {
                    if let Err(e) =
                        self.plus
                            .discover_and_check(s, Search::LOAD_FOLLOW, &mut self.changes)
                    {
                        r = Err(e);
                        break;
                    }
                }
                r
            }
            PresetVerdict::Enable => {
                self.plus.resume = found;
                let r = self
                    .plus
                    .discover_and_check(name, Search::LOAD_FOLLOW, &mut self.changes)
                    .map(|_| ());
                self.plus.resume = None;
                r
            }
            PresetVerdict::Disable => {
                self.minus.resume = found;
                let r = self
                    .minus
                    .discover(name, Search::FOLLOW, Some(&mut self.changes))
                    .map(|_| ());
                self.minus.resume = None;
                r
            }
        };
        self.drain();
        r
    }
}

fn run(
    fs: &dyn FileSystem,
    lp: &LookupPaths,
    names: Option<&[String]>,
    mode: PresetMode,
    opts: Options,
) -> Outcome {
    // Every unit is looked up along the whole search path: remember what was seen.
    let cache = super::read_cache::ReadCache::new(fs);
    let fs: &dyn FileSystem = &cache;
    let config = match config_dir(lp, &opts) {
        Ok(c) => c,
        Err(e) => return Outcome::err(e),
    };
    let (presets, logs) = Presets::read(fs, lp);
    let presets = match presets {
        Ok(p) => p,
        Err(e) => {
            return Outcome {
                changes: Vec::new(),
                logs,
                result: Err(e),
            }
        }
    };
    let mut ph = Phase {
        plus: Ctx::with(fs, lp, &opts),
        minus: Ctx::with(fs, lp, &opts),
        presets: &presets,
        changes: Vec::new(),
        logs,
    };
    let mut prepared_view = None;
    let prepared = match names {
        Some(names) => names.iter().try_for_each(|n| ph.prepare_one(n)),
        None => {
            // Nothing is written while preparing: every lookup may use one resolved view of
            // the search directories (dropped again before the execution phase writes).
            let view = std::rc::Rc::new(super::search_view::SearchView::build(fs, lp));
            ph.plus.view = Some(view.clone());
            ph.minus.view = Some(view.clone());
            prepared_view = Some((view, cache.writes()));
            let r = prepare_all(&mut ph, fs, lp);
            ph.plus.view = None;
            ph.minus.view = None;
            r
        }
    };
    let result = match prepared {
        Err(e) => Err(e),
        Ok(()) => execute(
            &mut ph,
            &config,
            mode,
            opts,
            names.is_none(),
            &cache,
            prepared_view,
        ),
    };
    ph.drain();
    Outcome {
        changes: ph.changes,
        logs: ph.logs,
        result,
    }
}

fn prepare_all(ph: &mut Phase<'_, '_>, fs: &dyn FileSystem, lp: &LookupPaths) -> Result<(), Errno> {
    for d in lp.search_path() {
        // `unit_file_preset_all()` skips only a missing directory: a file or a symlink loop in
        // the search path fails the whole operation before anything is written.
        let Some(real) = super::dropins::open_search_dir(fs, lp, &d.path)? else {
            continue;
        };
        let entries = fs.read_dir(&real).map_err(|e| Errno::from_fs(&e))?;
        for e in entries {
            if !crate::name::is_valid(&e.name) {
                continue;
            }
            if !matches!(e.kind, FileKind::Symlink | FileKind::File) {
                continue;
            }
            if let Err(err) = ph.prepare_one(&e.name) {
                if !tolerated(err) {
                    return Err(err);
                }
            }
        }
    }
    Ok(())
}

/// `execute_preset()`.
fn execute(
    ph: &mut Phase<'_, '_>,
    config: &Utf8Path,
    mode: PresetMode,
    opts: Options,
    all: bool,
    cache: &super::read_cache::ReadCache<'_>,
    prepared_view: Option<(std::rc::Rc<super::search_view::SearchView>, u64)>,
) -> Result<i32, Errno> {
    let mut r: Result<i32, Errno> = Ok(0);
    if mode != PresetMode::EnableOnly {
        let mut set = RemoveSet::new();
        mark_for_removal(&mut ph.minus, &mut set, &mut ph.changes)?;
        r = remove_marked(&mut ph.minus, &mut set, config, false, &mut ph.changes).map(|()| 0);
    }
    if mode != PresetMode::DisableOnly {
        let flags = ApplyFlags {
            force: opts.force,
            ignore_auxiliary_failure: true,
        };
        if all {
            // A view of the tree as the disable half left it (the one of the prepare phase if
            // nothing was written since); `create_symlink` drops it at the first change it
            // makes (on a tree where the links exist already, none).
            ph.plus.view = Some(match prepared_view {
                Some((view, writes)) if writes == cache.writes() => view,
                _ => std::rc::Rc::new(super::search_view::SearchView::build(
                    ph.plus.fs, ph.plus.lp,
                )),
            });
        }
        let q = apply_all(&mut ph.plus, config, Search::LOAD, flags, &mut ph.changes);
        ph.plus.view = None;
        if let Ok(n) = r {
            r = q.map(|m| n + m);
        }
    }
    r
}
