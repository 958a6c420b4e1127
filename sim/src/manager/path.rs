//! Path units at runtime (systemd 252's `src/core/path.c`, verified on a real user manager: see
//! `sim/scenarios/user-path-*.md`).
//!
//! # The model
//!
//! A path unit watches one or more *specs* (`PathExists=`, `PathExistsGlob=`, `PathChanged=`,
//! `PathModified=`, `DirectoryNotEmpty=`; systemd keeps them in reverse order of assignment, an
//! empty assignment clears them all) and starts the unit it triggers (`Unit=`, or the same-name
//! `.service`: the graph's `Triggers=` edge) when one fires. Its sub-states are:
//!
//! * `dead` (inactive) and `failed` (with `Result=` `resources`, `start-limit-hit`,
//!   `unit-start-limit-hit` or `trigger-limit-hit`);
//! * `waiting` (active): the watches are set, nothing has fired;
//! * `running` (active): it fired, or the triggered unit is active. Watches are removed while
//!   running, so changes made meanwhile are missed.
//!
//! Entering `waiting` (at start, and whenever the triggered unit goes inactive without a job)
//! first checks the specs: `PathExists=` (the path exists, symlinks followed),
//! `PathExistsGlob=` (a match exists), `DirectoryNotEmpty=` (the directory holds an entry that is
//! not hidden or a backup file) fire whenever they hold, so a path unit whose condition holds
//! starts its unit again each time that unit ends: a oneshot service behind it soon hits its
//! start limit and the path unit fails with `unit-start-limit-hit`. `PathChanged=` and
//! `PathModified=` fire on such a check only when the file appeared or vanished since the last
//! check (never at start or after the triggered unit ended).
//!
//! Each firing counts against `TriggerLimitIntervalSec=`/`TriggerLimitBurst=` (2 s and 200 by
//! default); the firing after the burst logs "Trigger limit hit, refusing further activation."
//! and the unit fails with `trigger-limit-hit`. The counter survives a restart of the path unit
//! (it is kept while the unit is loaded) and is reset by daemon-reload.
//!
//! # Watches: the inotify model
//!
//! The simulated shell reports every file change ([`FileChange`]) through
//! [`Manager::path_changed`]. Watches are computed as systemd sets its inotify watches when a
//! unit enters `waiting`: if the whole path exists, the *primary* watch is on it (symlinks
//! followed), with the flags of the spec's type; otherwise the deepest existing directory of the
//! path is watched for entries created or moved in. A change seen by the primary watch of a
//! `PathChanged=`/`PathModified=` spec fires the unit; every other change that reaches a watch
//! makes the unit check its specs again. The simulated commands always close what they write,
//! so `PathChanged=` (close after write, attribute changes, creation, deletion, renames of the
//! path or of entries of a watched directory) and `PathModified=` (the same plus writes before
//! the close) fire alike on them; a program that writes and keeps the file open fires only
//! `PathModified=` on a real machine.
use super::jobs::{Mode, Request};
use super::state::{ActiveState, Sub, UnitResult};
use super::timefmt::parse_timespan;
use super::{Manager, Usec, World};
use camino::{Utf8Path, Utf8PathBuf};
use unitlab_engine::fs::{resolve, FileKind, FileSystem, Follow, MemFs, Target};
use unitlab_engine::graph::DepKind;
use unitlab_engine::load::LoadState;
use unitlab_engine::name::{UnitName, UnitType};

/// A change to the filesystem, as the simulated shell's commands make them (what inotify
/// reports for them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileChange {
    /// A file, directory or symlink was created (`touch`, `mkdir`, `ln -s`, a redirection to a
    /// new file).
    Created,
    /// An existing file was written and closed (`echo >`, `>>`, `tee`, `cat >`).
    Written,
    /// An existing file was opened for writing and its times changed (`touch`).
    Touched,
    /// The path (and everything below it) was removed (`rm`).
    Removed,
    /// The path was renamed away (`mv` source).
    MovedFrom,
    /// Something was renamed to the path, replacing what was there (`mv` destination).
    MovedTo,
}

/// The type of a spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Exists,
    ExistsGlob,
    DirectoryNotEmpty,
    Changed,
    Modified,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Exists => "PathExists",
            Kind::ExistsGlob => "PathExistsGlob",
            Kind::DirectoryNotEmpty => "DirectoryNotEmpty",
            Kind::Changed => "PathChanged",
            Kind::Modified => "PathModified",
        }
    }

    const ALL: [Kind; 5] = [
        Kind::Exists,
        Kind::ExistsGlob,
        Kind::DirectoryNotEmpty,
        Kind::Changed,
        Kind::Modified,
    ];

    /// The inotify flags of the primary watch (`flags_table` of path.c).
    fn mask(self) -> u32 {
        let base = IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB;
        let changed = base | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
        match self {
            Kind::Exists | Kind::ExistsGlob => base,
            Kind::Changed => changed,
            Kind::Modified => changed | IN_MODIFY,
            Kind::DirectoryNotEmpty => base | IN_CREATE | IN_MOVED_TO,
        }
    }
}

const IN_MODIFY: u32 = 0x2;
const IN_ATTRIB: u32 = 0x4;
const IN_CLOSE_WRITE: u32 = 0x8;
const IN_MOVED_FROM: u32 = 0x40;
const IN_MOVED_TO: u32 = 0x80;
const IN_CREATE: u32 = 0x100;
const IN_DELETE: u32 = 0x200;
const IN_DELETE_SELF: u32 = 0x400;
const IN_MOVE_SELF: u32 = 0x800;

/// Where a spec's watch is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Watch {
    /// The whole path exists: the primary watch on it (resolved).
    Full(String),
    /// It does not: the deepest existing directory on the way (resolved).
    Partial(String),
}

/// One `Path*=` setting.
#[derive(Clone, Debug)]
struct Spec {
    kind: Kind,
    path: String,
    previous_exists: bool,
    watch: Option<Watch>,
}

/// The runtime part of a path unit.
#[derive(Clone, Debug, Default)]
pub(crate) struct PathUnit {
    specs: Vec<Spec>,
    make_directory: bool,
    directory_mode: u32,
    limit_interval: Usec,
    limit_burst: u32,
    /// The trigger rate limit: window beginning and count.
    rl: (Option<Usec>, u32),
}

/// What a change does to a spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    /// A `PathChanged=`/`PathModified=` primary event: the unit fires.
    Fire,
    /// Any other watched event: the unit checks its specs again.
    Recheck,
}

/// systemd's `hidden_or_backup_file()`: entries `DirectoryNotEmpty=` ignores.
use unitlab_engine::load::hidden_or_backup;

use super::glob::exists;

/// The resolved path of an existing `path`.
fn resolved(fs: &MemFs, path: &str) -> Option<String> {
    let r = resolve(fs, Utf8Path::new(path), Follow::Yes).ok()?;
    match r.target {
        Target::Exists(_) | Target::DevNull => Some(r.path.to_string()),
        Target::Missing => None,
    }
}

/// `glob_first()`: the first match of a glob pattern, in sorted order.
fn glob_first(fs: &MemFs, pattern: &str) -> Option<String> {
    super::glob::glob_all(fs, pattern).into_iter().next()
}

/// `dir_is_empty(path, ignore_hidden_or_backup)` negated as `DirectoryNotEmpty=` uses it.
fn dir_not_empty(fs: &MemFs, path: &str) -> bool {
    let Ok(r) = resolve(fs, Utf8Path::new(path), Follow::Yes) else {
        return false;
    };
    match r.target {
        Target::Exists(m) if m.kind == FileKind::Dir => fs
            .read_dir(&r.path)
            .map(|es| es.iter().any(|e| !hidden_or_backup(&e.name)))
            .unwrap_or(false),
        _ => false,
    }
}

/// The watch systemd would set for `path` now (`path_spec_watch()`).
fn watch_of(fs: &MemFs, path: &str) -> Watch {
    if let Some(r) = resolved(fs, path) {
        return Watch::Full(r);
    }
    let mut deepest = "/".to_owned();
    let mut prefix = String::new();
    for comp in path.split('/').filter(|c| !c.is_empty()) {
        prefix.push('/');
        prefix.push_str(comp);
        match resolved(fs, &prefix) {
            Some(r) => deepest = r,
            None => break,
        }
    }
    Watch::Partial(deepest)
}

fn is_under(p: &str, ancestor: &str) -> bool {
    if ancestor == "/" {
        return p != "/";
    }
    p.len() > ancestor.len() && p.starts_with(ancestor) && p.as_bytes()[ancestor.len()] == b'/'
}

fn parent_of(p: &str) -> &str {
    match p.rfind('/') {
        Some(0) => "/",
        Some(i) => &p[..i],
        None => "",
    }
}

/// What `change` of `p` does to a spec of `kind` watched at `watch`.
fn wake(kind: Kind, watch: &Watch, p: &str, change: FileChange) -> Option<Wake> {
    match watch {
        Watch::Full(pp) => {
            let flags = if p == pp {
                match change {
                    FileChange::Written => IN_MODIFY | IN_CLOSE_WRITE,
                    FileChange::Touched => IN_ATTRIB | IN_CLOSE_WRITE,
                    FileChange::Removed | FileChange::MovedTo => IN_ATTRIB | IN_DELETE_SELF,
                    FileChange::MovedFrom => IN_MOVE_SELF,
                    FileChange::Created => 0,
                }
            } else if is_under(pp, p) {
                match change {
                    FileChange::Removed | FileChange::MovedTo => IN_ATTRIB | IN_DELETE_SELF,
                    // The ancestor's own IN_MOVE_SELF watch.
                    FileChange::MovedFrom => return Some(Wake::Recheck),
                    _ => 0,
                }
            } else if parent_of(p) == pp {
                match change {
                    FileChange::Created => IN_CREATE,
                    FileChange::Written => IN_MODIFY | IN_CLOSE_WRITE,
                    FileChange::Touched => IN_ATTRIB | IN_CLOSE_WRITE,
                    FileChange::Removed => IN_DELETE,
                    FileChange::MovedFrom => IN_MOVED_FROM,
                    FileChange::MovedTo => IN_MOVED_TO,
                }
            } else {
                0
            };
            if flags & kind.mask() == 0 {
                return None;
            }
            Some(if matches!(kind, Kind::Changed | Kind::Modified) {
                Wake::Fire
            } else {
                Wake::Recheck
            })
        }
        Watch::Partial(d) => {
            let hit = (parent_of(p) == d
                && matches!(change, FileChange::Created | FileChange::MovedTo))
                || ((p == d || is_under(d, p))
                    && matches!(
                        change,
                        FileChange::Removed | FileChange::MovedFrom | FileChange::MovedTo
                    ));
            hit.then_some(Wake::Recheck)
        }
    }
}

impl Manager {
    /// Tells the manager that the simulated machine changed `path` (absolute, with the
    /// directories on the way resolved): path units whose watches see the change fire or check
    /// their conditions, as inotify would make them. Runs the jobs this queues.
    pub fn path_changed(&mut self, world: &mut World<'_>, path: &Utf8Path, change: FileChange) {
        if self.path_units.is_empty() {
            return;
        }
        self.enter(world);
        let fs: &MemFs = world.fs;
        let p = path.as_str();
        let ids: Vec<UnitName> = self.path_units.keys().cloned().collect();
        let mut any = false;
        for id in ids {
            if self.units.unit(&id).map(|u| u.sub) != Some(Sub::TypeActive("waiting")) {
                continue;
            }
            let wakes: Vec<(usize, Wake)> = self.path_units[&id]
                .specs
                .iter()
                .enumerate()
                .filter_map(|(i, s)| Some((i, wake(s.kind, s.watch.as_ref()?, p, change)?)))
                .collect();
            for (i, w) in wakes {
                // Entering `running` closes the other watches: their events are lost.
                if self.units.unit(&id).map(|u| u.sub) != Some(Sub::TypeActive("waiting")) {
                    break;
                }
                any = true;
                match w {
                    Wake::Fire => {
                        let tp = self.path_units[&id].specs[i].path.clone();
                        self.path_enter_running(fs, &id, &tp);
                    }
                    Wake::Recheck => self.path_enter_waiting(fs, &id, false, false),
                }
            }
        }
        if any {
            self.run(fs, None);
        }
        self.leave(world);
    }

    /// The runtime part of the path unit `id`, read from its settings.
    fn path_config(&self, id: &UnitName) -> PathUnit {
        let Some(u) = self.units.unit(id) else {
            return PathUnit::default();
        };
        let s = &u.node.unit.settings;
        let file_rank: Vec<String> = s.files().map(|f| f.file.to_string()).collect();
        let mut all: Vec<(usize, u32, Kind, String)> = Vec::new();
        for kind in Kind::ALL {
            for v in s.list("Path", kind.name()) {
                let rank = file_rank
                    .iter()
                    .position(|f| f.as_str() == v.file.as_str())
                    .unwrap_or(0);
                let Some(path) = self.path_printf(id, v.value.trim()) else {
                    continue;
                };
                let Some(path) = simplify(&path) else {
                    continue;
                };
                all.push((rank, v.line, kind, path));
            }
        }
        all.sort_by_key(|(r, l, _, _)| (*r, *l));
        // LIST_PREPEND: the last assignment comes first.
        let specs = all
            .into_iter()
            .rev()
            .map(|(_, _, kind, path)| Spec {
                kind,
                path,
                previous_exists: false,
                watch: None,
            })
            .collect();
        let get = |k: &str| s.get("Path", k).map(|v| v.value.trim().to_owned());
        let interval = get("TriggerLimitIntervalSec")
            .and_then(|v| parse_timespan(&v, 1_000_000))
            .unwrap_or(2_000_000);
        let burst = get("TriggerLimitBurst")
            .and_then(|v| v.parse().ok())
            .unwrap_or(200);
        PathUnit {
            specs,
            make_directory: get("MakeDirectory")
                .and_then(|v| super::config::parse_bool(&v))
                .unwrap_or(false),
            directory_mode: get("DirectoryMode")
                .and_then(|v| u32::from_str_radix(&v, 8).ok())
                .unwrap_or(0o755),
            limit_interval: interval,
            limit_burst: burst,
            rl: (None, 0),
        }
    }

    /// `unit_path_printf()` ([`super::printf`]).
    fn path_printf(&self, id: &UnitName, text: &str) -> Option<String> {
        self.expand_specifiers(id, text)
    }

    /// The unit a path unit triggers (the first `Triggers=` edge).
    fn path_trigger(&self, id: &UnitName) -> Option<UnitName> {
        self.units
            .unit(id)?
            .node
            .deps_of(DepKind::Triggers)
            .next()
            .map(|(n, _)| n.clone())
    }

    /// `path_start()`: the start limit, the triggered unit must be loaded, `MakeDirectory=`,
    /// then `waiting` (or `running`).
    pub(crate) fn path_start(&mut self, fs: &MemFs, id: &UnitName, job: u32) {
        let Some(trigger) = self.path_trigger(id) else {
            self.unit_log(
                id,
                3,
                format!("{id}: Refusing to start, no unit to trigger."),
            );
            self.finish_job(job, super::JobResult::Failed, false);
            return;
        };
        self.load(fs, std::slice::from_ref(&trigger));
        let loaded = self
            .units
            .unit(&trigger)
            .is_some_and(|t| t.load_state() == LoadState::Loaded);
        if !loaded {
            self.unit_log(
                id,
                3,
                format!("{id}: Refusing to start, unit {trigger} to trigger not loaded."),
            );
            self.finish_job(job, super::JobResult::Failed, false);
            return;
        }
        if !self.path_start_limit(id) {
            self.path_enter_dead(id, UnitResult::StartLimitHit);
            return;
        }
        // A unit loaded afresh (never active) starts with a fresh trigger limit; otherwise the
        // limit is kept across stop and start.
        let fresh = self
            .units
            .unit(id)
            .is_none_or(|u| u.stamps.inactive_exit.is_none());
        let mut cfg = self.path_config(id);
        if let Some(old) = self.path_units.get(id).filter(|_| !fresh) {
            cfg.rl = old.rl;
        }
        if cfg.make_directory {
            for s in &cfg.specs {
                if !matches!(s.kind, Kind::Exists | Kind::ExistsGlob) {
                    make_dirs(fs, &s.path, cfg.directory_mode);
                }
            }
        }
        self.path_units.insert(id.clone(), cfg);
        if let Some(u) = self.units.unit_mut(id) {
            u.result = UnitResult::Success;
        }
        self.path_enter_waiting(fs, id, true, false);
    }

    /// `unit_test_start_limit()` for a path unit: false when the start limit is hit.
    fn path_start_limit(&mut self, id: &UnitName) -> bool {
        let now = self.now();
        let Some(u) = self.units.unit_mut(id) else {
            return false;
        };
        let ok = u.start_limit_test(now);
        u.start_limit_hit = !ok;
        if !ok {
            self.unit_log(id, 4, format!("{id}: Start request repeated too quickly."));
        }
        ok
    }

    /// `path_enter_waiting()`.
    fn path_enter_waiting(&mut self, fs: &MemFs, id: &UnitName, initial: bool, from_notify: bool) {
        if let Some(t) = self.path_trigger(id) {
            if !self.state_of(&t).is_inactive_or_failed() {
                self.path_unwatch(id);
                self.set_sub(id, Sub::Running);
                return;
            }
        }
        if let Some(tp) = self.path_check(fs, id, initial, from_notify) {
            self.path_enter_running(fs, id, &tp);
            return;
        }
        if let Some(p) = self.path_units.get_mut(id) {
            for s in &mut p.specs {
                s.watch = Some(watch_of(fs, &s.path));
            }
        }
        if let Some(tp) = self.path_check(fs, id, false, from_notify) {
            self.path_enter_running(fs, id, &tp);
            return;
        }
        self.set_sub(id, Sub::TypeActive("waiting"));
    }

    /// `path_check_good()`: the first spec that holds, with the path that made it hold.
    fn path_check(
        &mut self,
        fs: &MemFs,
        id: &UnitName,
        initial: bool,
        from_notify: bool,
    ) -> Option<String> {
        let p = self.path_units.get_mut(id)?;
        for s in &mut p.specs {
            let good = match s.kind {
                Kind::Exists => exists(fs, &s.path).then(|| s.path.clone()),
                Kind::ExistsGlob => glob_first(fs, &s.path),
                Kind::DirectoryNotEmpty => dir_not_empty(fs, &s.path).then(|| s.path.clone()),
                Kind::Changed | Kind::Modified => {
                    let b = exists(fs, &s.path);
                    let good = !initial && !from_notify && b != s.previous_exists;
                    s.previous_exists = b;
                    good.then(|| s.path.clone())
                }
            };
            if good.is_some() {
                return good;
            }
        }
        None
    }

    fn path_unwatch(&mut self, id: &UnitName) {
        if let Some(p) = self.path_units.get_mut(id) {
            for s in &mut p.specs {
                s.watch = None;
            }
        }
    }

    /// `path_enter_running()`: the trigger limit, then a start job for the triggered unit.
    fn path_enter_running(&mut self, fs: &MemFs, id: &UnitName, _trigger_path: &str) {
        let now = self.now();
        // Not while a stop of the path unit is pending.
        let stopping = self
            .units
            .unit(id)
            .and_then(|u| u.job)
            .and_then(|j| self.jobs.get(&j))
            .is_some_and(|j| matches!(j.kind, super::JobType::Stop | super::JobType::Restart));
        if stopping {
            return;
        }
        let below = match self.path_units.get_mut(id) {
            Some(p) => {
                match p.rl {
                    (Some(b), n) if now.saturating_sub(b) <= p.limit_interval => {
                        p.rl = (Some(b), n.saturating_add(1));
                    }
                    _ => p.rl = (Some(now), 1),
                }
                p.limit_burst == 0 || p.rl.1 <= p.limit_burst
            }
            None => true,
        };
        if !below {
            self.unit_log(
                id,
                4,
                format!("{id}: Trigger limit hit, refusing further activation."),
            );
            self.path_enter_dead(id, UnitResult::TriggerLimitHit);
            return;
        }
        let Some(trigger) = self.path_trigger(id) else {
            self.unit_log(id, 3, format!("{id}: Unit to trigger vanished."));
            self.path_enter_dead(id, UnitResult::Resources);
            return;
        };
        if let Err(e) = self.enqueue(fs, &trigger, Request::Start, Mode::Replace) {
            self.unit_log(
                id,
                4,
                format!("{id}: Failed to queue unit startup job: {}", e.message),
            );
            self.path_enter_dead(id, UnitResult::Resources);
            return;
        }
        self.set_sub(id, Sub::Running);
        self.path_unwatch(id);
    }

    /// `path_enter_dead()`: `dead`, or `failed` with the first failure's result.
    fn path_enter_dead(&mut self, id: &UnitName, f: UnitResult) {
        let Some(result) = self.settle_result(id, f) else {
            return;
        };
        self.path_unwatch(id);
        self.set_sub(
            id,
            if result == UnitResult::Success {
                Sub::Dead
            } else {
                Sub::Failed
            },
        );
    }

    /// `path_trigger_notify()`: the triggered unit `other` changed state or lost its job.
    pub(crate) fn path_trigger_notify(&mut self, fs: &MemFs, id: &UnitName, other: &UnitName) {
        let Some(sub) = self.units.unit(id).map(|u| u.sub) else {
            return;
        };
        let running = sub == Sub::Running;
        if !(running || sub == Sub::TypeActive("waiting")) {
            return;
        }
        let Some(o) = self.units.unit(other) else {
            return;
        };
        if o.start_limit_hit {
            self.path_enter_dead(id, UnitResult::UnitStartLimitHit);
            return;
        }
        if o.job.is_some() {
            return;
        }
        let inactive = o.active().is_inactive_or_failed();
        if (running && inactive) || (!running && !inactive) {
            self.path_enter_waiting(fs, id, false, true);
        }
    }

    /// After a daemon-reload: active path units read their settings again (keeping what each
    /// spec saw last) and enter `waiting` again, as at deserialization; trigger limits restart.
    pub(crate) fn paths_reloaded(&mut self, fs: &MemFs) {
        let active: Vec<UnitName> = self
            .units
            .map
            .values()
            .filter(|u| u.unit_type() == UnitType::Path && u.active() == ActiveState::Active)
            .map(|u| u.id().clone())
            .collect();
        for id in active {
            let mut cfg = self.path_config(&id);
            if let Some(old) = self.path_units.get(&id) {
                for s in &mut cfg.specs {
                    if let Some(o) = old
                        .specs
                        .iter()
                        .find(|o| o.kind == s.kind && o.path == s.path)
                    {
                        s.previous_exists = o.previous_exists;
                    }
                }
            }
            self.path_units.insert(id.clone(), cfg);
            self.path_enter_waiting(fs, &id, true, false);
        }
    }

    /// The path properties of `show`, in systemd's order (`Unit=`, `Paths=`, `MakeDirectory=`,
    /// `DirectoryMode=`, `Result=`, `TriggerLimitIntervalUSec=`, `TriggerLimitBurst=`).
    pub(crate) fn path_properties(&self, u: &super::units::Unit) -> Vec<(&'static str, String)> {
        let id = u.id();
        let cfg = match self.path_units.get(id) {
            Some(p) => p.clone(),
            None => self.path_config(id),
        };
        let yn = |b: bool| if b { "yes" } else { "no" }.to_owned();
        let mut p = vec![(
            "Unit",
            self.path_trigger(id)
                .map(|t| t.to_string())
                .unwrap_or_default(),
        )];
        // One `Paths=` line per spec (none without specs).
        p.extend(
            cfg.specs
                .iter()
                .map(|s| ("Paths", format!("{} ({})", s.path, s.kind.name()))),
        );
        p.extend([
            ("MakeDirectory", yn(cfg.make_directory)),
            ("DirectoryMode", format!("{:04o}", cfg.directory_mode)),
            ("Result", u.result.as_str().to_owned()),
            (
                "TriggerLimitIntervalUSec",
                super::timefmt::format_timespan(cfg.limit_interval, 1),
            ),
            ("TriggerLimitBurst", cfg.limit_burst.to_string()),
        ]);
        p
    }
}

/// `path_simplify_and_warn(PATH_CHECK_ABSOLUTE)`: the path with `//`, `/./` and a trailing `/`
/// removed; `None` (the setting is ignored) for a relative path or one with a `..` component.
pub(crate) fn simplify(p: &str) -> Option<String> {
    if !p.starts_with('/') {
        return None;
    }
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if parts.contains(&"..") {
        return None;
    }
    Some(format!("/{}", parts.join("/")))
}

/// `mkdir_p_label(path, mode)`: creates the missing directories of `path` with `mode`.
fn make_dirs(fs: &MemFs, path: &str, mode: u32) {
    let mut prefix = Utf8PathBuf::from("/");
    for comp in path.split('/').filter(|c| !c.is_empty()) {
        prefix.push(comp);
        if fs.lstat(&prefix).is_err() {
            if fs.create_dir_all(&prefix).is_err() {
                return;
            }
            let _ = fs.set_mode(&prefix, mode);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_files_are_ignored() {
        for n in [
            ".hidden",
            "x~",
            "a.bak",
            "a.dpkg-new",
            "lost+found",
            "b.swp",
        ] {
            assert!(hidden_or_backup(n), "{n}");
        }
        for n in ["x", "a.txt", "new"] {
            assert!(!hidden_or_backup(n), "{n}");
        }
    }

    #[test]
    fn changed_fires_on_primary_events_only() {
        let w = Watch::Full("/d/f".into());
        assert_eq!(
            wake(Kind::Changed, &w, "/d/f", FileChange::Written),
            Some(Wake::Fire)
        );
        assert_eq!(
            wake(Kind::Exists, &w, "/d/f", FileChange::Written),
            None,
            "no IN_CLOSE_WRITE in a PathExists= watch"
        );
        assert_eq!(wake(Kind::Changed, &w, "/d/g", FileChange::Created), None);
        assert_eq!(
            wake(Kind::Changed, &w, "/d", FileChange::Removed),
            Some(Wake::Fire)
        );
        let dir = Watch::Full("/d".into());
        assert_eq!(
            wake(Kind::Modified, &dir, "/d/x", FileChange::Touched),
            Some(Wake::Fire)
        );
        assert_eq!(
            wake(Kind::DirectoryNotEmpty, &dir, "/d/x", FileChange::Created),
            Some(Wake::Recheck)
        );
        let part = Watch::Partial("/d".into());
        assert_eq!(
            wake(Kind::Changed, &part, "/d/f", FileChange::Created),
            Some(Wake::Recheck)
        );
        assert_eq!(
            wake(Kind::Changed, &part, "/d/f/x", FileChange::Created),
            None
        );
    }

    #[test]
    fn globs_and_watches() {
        let fs = MemFs::new();
        fs.add_dir("/w/d").expect("dir");
        fs.add_file("/w/.h.x", "").expect("file");
        assert_eq!(glob_first(&fs, "/w/*.x"), None, "`*` skips a leading dot");
        fs.add_file("/w/b.x", "").expect("file");
        fs.add_file("/w/a.x", "").expect("file");
        assert_eq!(glob_first(&fs, "/w/*.x").as_deref(), Some("/w/a.x"));
        assert_eq!(glob_first(&fs, "/*/a.?").as_deref(), Some("/w/a.x"));
        assert_eq!(watch_of(&fs, "/w/d"), Watch::Full("/w/d".into()));
        assert_eq!(watch_of(&fs, "/w/d/x/y"), Watch::Partial("/w/d".into()));
        assert_eq!(watch_of(&fs, "/w/*.x"), Watch::Partial("/w".into()));
        assert!(!dir_not_empty(&fs, "/w/d"));
        fs.add_file("/w/d/n~", "").expect("file");
        assert!(!dir_not_empty(&fs, "/w/d"));
        fs.add_file("/w/d/n", "").expect("file");
        assert!(dir_not_empty(&fs, "/w/d"));
    }

    /// Root's shell and the system manager: `touch` fires a path unit in /etc/systemd/system.
    #[test]
    fn system_path_unit_fires_on_touch() {
        use crate::machine::{Machine, Settings};
        let mut m = Machine::new(Settings::default());
        for (line, want) in [
            ("cat > /etc/systemd/system/pt.path <<'EOF'\n[Path]\nPathExists=/tmp/pt-flag\nEOF", ""),
            ("cat > /etc/systemd/system/pt.service <<'EOF'\n[Service]\nExecStart=/bin/sleep 1000\nEOF", ""),
            ("systemctl daemon-reload", ""),
            ("systemctl start pt.path", ""),
            ("systemctl is-active pt.service", "inactive\n"),
            ("touch /tmp/pt-flag", ""),
            ("systemctl is-active pt.path pt.service", "active\nactive\n"),
        ] {
            assert_eq!(m.run(line).0, want, "{line}");
        }
    }

    #[test]
    fn simplify_paths() {
        assert_eq!(simplify("/a//b/./c/").as_deref(), Some("/a/b/c"));
        assert_eq!(simplify("a/b"), None);
        assert_eq!(simplify("/a/../b"), None, "not normalized");
    }
}
