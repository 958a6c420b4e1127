//! The manager's unit table: units are loaded on demand through the engine's loader and
//! [`Graph`] (the loaded unit and everything it references), kept until garbage-collected, and
//! re-read only by `daemon-reload` (reference §7.4, §11).
use super::config::Config;
use super::printf::Specifiers;
use super::process::{ExecCommand, Exit};
use super::state::{ActiveState, Sub, UnitResult};
use super::Usec;
use indexmap::IndexMap;
use std::sync::Arc;
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::fs::{FileSystem, MemFs};
use unitlab_engine::graph::{DepKind, Graph, GraphOptions, NameHash, Node};
use unitlab_engine::load::{load_unit, Catalog, LoadOptions, LoadState, LookupPaths};
use unitlab_engine::name::{UnitName, UnitType};

/// A simulated process of a unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proc {
    /// Its PID.
    pub pid: u32,
    /// The command as configured (`Process:` lines show it).
    pub cmd: ExecCommand,
    /// The command as executed, when variables changed it (`CGroup:` lines show it).
    pub run: Option<ExecCommand>,
    /// The setting it came from (`ExecStart`, `ExecStartPre`, ...).
    pub setting: &'static str,
}

/// A finished process, as `status` lists it in `Process:` lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcRecord {
    /// PID.
    pub pid: u32,
    /// The setting (`ExecStart`).
    pub setting: &'static str,
    /// The command (`status` prints its line).
    pub cmd: ExecCommand,
    /// How it ended.
    pub exit: Exit,
}

/// Timestamps of state changes (monotonic microseconds), `None` if never.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stamps {
    /// `StateChangeTimestamp`.
    pub state_change: Option<Usec>,
    /// `InactiveExitTimestamp`.
    pub inactive_exit: Option<Usec>,
    /// `ActiveEnterTimestamp`.
    pub active_enter: Option<Usec>,
    /// `ActiveExitTimestamp`.
    pub active_exit: Option<Usec>,
    /// `InactiveEnterTimestamp`.
    pub inactive_enter: Option<Usec>,
    /// `ConditionTimestamp`.
    pub condition: Option<Usec>,
    /// `AssertTimestamp`.
    pub assert: Option<Usec>,
    /// `ExecMainStartTimestamp`.
    pub exec_main_start: Option<Usec>,
    /// `ExecMainExitTimestamp`.
    pub exec_main_exit: Option<Usec>,
}

/// One loaded unit: its configuration as loaded and its runtime state.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The graph node as loaded (load state, settings, dependencies), shared with the graph
    /// until either side changes it (copy on write).
    pub node: Arc<Node>,
    /// The dependency kinds `node` has other units of, one bit per kind (`1 << kind as u32`):
    /// [`Unit::has_deps`] answers from it without searching the node's map. Whoever changes
    /// `node` calls [`Unit::node_changed`] (checked in debug builds at every use).
    dep_kinds: u64,
    /// The unit's type (from its id, kept: the id is parsed once).
    pub ty: UnitType,
    /// The runtime configuration read from the node.
    pub cfg: Config,
    /// Files read at load time and their modification times (for `NeedDaemonReload=`).
    pub stamp: LoadStamp,
    /// The sub-state (the active state follows from it).
    pub sub: Sub,
    /// `Result=`.
    pub result: UnitResult,
    /// The installed job's id.
    pub job: Option<u32>,
    /// The main process.
    pub main: Option<Proc>,
    /// The control process (`ExecStartPre=`, `ExecStop=`, ...).
    pub control: Option<Proc>,
    /// The commands left to run in the current phase.
    pub pending: Vec<(ExecCommand, &'static str)>,
    /// The last main process that ended (`ExecMainPID`, code, status).
    pub exec_main: Option<(u32, Exit)>,
    /// The PID of the main process even while running (`ExecMainPID`).
    pub exec_main_pid: Option<u32>,
    /// Finished processes for `status` (control processes and the main process).
    pub records: Vec<ProcRecord>,
    /// `NRestarts=`.
    pub n_restarts: u32,
    /// Start rate limit: the window's beginning and the attempts in it.
    pub rl_begin: Option<Usec>,
    /// Start attempts in the current window.
    pub rl_num: u32,
    /// The next start comes from `Restart=` (keeps `NRestarts`).
    pub auto_restart: bool,
    /// When the unit's last job finished (monotonic).
    pub last_job_end: Option<Usec>,
    /// Rate limit of the automatic starts and stops (`Upholds=`, `BindsTo=`,
    /// `StopWhenUnneeded=`): window beginning and count (systemd: 16 per 10 s).
    pub auto_rl: (Option<Usec>, u32),
    /// Timestamps.
    pub stamps: Stamps,
    /// `ConditionResult=`, `AssertResult=`.
    pub condition_result: Option<bool>,
    /// `AssertResult=`.
    pub assert_result: Option<bool>,
    /// The `Condition*=` checks that failed at the last start, as `status` lists them
    /// (`ConditionPathExists=!/tmp`), in the file's order.
    pub condition_failed: Vec<String>,
    /// The failed `Assert*=` check `status` names (`AssertPathExists=/x`), or `None` when only
    /// triggering asserts failed.
    pub assert_failed: Option<String>,
    /// Generation of the unit's timer: a timer event of an older generation is stale.
    pub timer_gen: u64,
    /// Generation of the service watchdog: a watchdog event of an older generation is stale.
    pub watchdog_gen: u64,
    /// A stop was requested (no `Restart=` then).
    pub stop_requested: bool,
    /// The forking parent leaves a daemon behind when it exits successfully.
    pub forking_daemon: bool,
    /// A timer unit's runtime state ([`super::timer`]).
    pub timer: Option<Box<super::timer::TimerRt>>,
    /// The last start ran into the start limit (`unit->start_limit_hit`; sockets follow it).
    pub start_limit_hit: bool,
    /// When this unit object was loaded (monotonic): a unit garbage-collected and loaded again
    /// remembers nothing of before.
    pub loaded_at: super::Usec,
    /// One of the unit's `Requires=` dependencies could not load when the unit last left the
    /// inactive states (systemd may then have dropped its other requirements' jobs).
    pub unloaded_requirement: bool,
}

/// What `NeedDaemonReload=` compares: the fragment and drop-ins with their modification times.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStamp {
    /// (path, mtime) of the fragment and each drop-in, in order.
    pub files: Vec<(String, Option<i128>)>,
    /// The load state at load time.
    pub load_state: Option<LoadState>,
}

/// The dependency kinds a node has other units of, as bits (see [`Unit::has_deps`]).
fn dep_kinds(node: &Node) -> u64 {
    node.deps
        .iter()
        .filter(|(_, m)| !m.is_empty())
        .fold(0, |bits, (k, _)| bits | 1 << (*k as u32))
}

impl Unit {
    /// Whether the unit has dependencies of `kind` (the same as
    /// `node.deps_of(kind).next().is_some()`, without searching the node's map).
    #[inline]
    pub fn has_deps(&self, kind: DepKind) -> bool {
        let has = self.dep_kinds & (1 << (kind as u32)) != 0;
        debug_assert_eq!(
            has,
            self.node.deps_of(kind).next().is_some(),
            "{}: dependency kinds out of date ({kind:?})",
            self.node.id()
        );
        has
    }

    /// The dependency kinds `node` has other units of, one bit per kind (`1 << kind as u32`).
    #[inline]
    pub fn dep_bits(&self) -> u64 {
        debug_assert_eq!(
            self.dep_kinds,
            dep_kinds(&self.node),
            "{}: dependency kinds out of date",
            self.node.id()
        );
        self.dep_kinds
    }

    /// Re-reads the dependency kinds after `node` was changed or replaced.
    pub fn node_changed(&mut self) {
        self.dep_kinds = dep_kinds(&self.node);
    }

    /// A unit fresh from loading: inactive, dead.
    pub fn new(node: Arc<Node>, stamp: LoadStamp, sp: &Specifiers) -> Unit {
        let cfg = Config::of(&node.unit, sp);
        Unit {
            ty: node.id().unit_type(),
            dep_kinds: dep_kinds(&node),
            node,
            cfg,
            stamp,
            sub: Sub::Dead,
            result: UnitResult::Success,
            job: None,
            main: None,
            control: None,
            pending: Vec::new(),
            exec_main: None,
            exec_main_pid: None,
            records: Vec::new(),
            n_restarts: 0,
            rl_begin: None,
            rl_num: 0,
            auto_restart: false,
            auto_rl: (None, 0),
            last_job_end: None,
            stamps: Stamps::default(),
            condition_result: None,
            assert_result: None,
            condition_failed: Vec::new(),
            assert_failed: None,
            timer_gen: 0,
            watchdog_gen: 0,
            stop_requested: false,
            forking_daemon: false,
            timer: None,
            start_limit_hit: false,
            loaded_at: 0,
            unloaded_requirement: false,
        }
    }

    /// systemd's start rate limit (`StartLimitIntervalSec=`/`StartLimitBurst=`, a
    /// `ratelimit_below()` window): counts a start attempt at `now`; false when it is one too
    /// many. A zero interval or burst disables the limit.
    pub fn start_limit_test(&mut self, now: super::Usec) -> bool {
        let (interval, burst) = (self.cfg.start_limit_interval, self.cfg.start_limit_burst);
        if interval == 0 || burst == 0 {
            return true;
        }
        match self.rl_begin {
            Some(b) if now <= b.saturating_add(interval) => {
                self.rl_num += 1;
                self.rl_num <= burst
            }
            _ => {
                self.rl_begin = Some(now);
                self.rl_num = 1;
                true
            }
        }
    }

    /// The unit's id.
    pub fn id(&self) -> &UnitName {
        self.node.id()
    }

    /// The unit's type.
    pub fn unit_type(&self) -> UnitType {
        self.ty
    }

    /// The load state.
    pub fn load_state(&self) -> LoadState {
        self.node.load_state()
    }

    /// `ActiveState=`.
    pub fn active(&self) -> ActiveState {
        self.sub.service_active_state()
    }

    /// The description systemd shows (`Description=` or the id).
    pub fn description(&self) -> String {
        match &self.cfg.description {
            Some(d) => d.to_string(),
            None if self.id().as_str() == "-.slice" => "Root Slice".into(),
            None => self.id().to_string(),
        }
    }

    /// The description systemd shows, shared (for journal messages, see [`Unit::description`]).
    pub fn description_shared(&self) -> super::Shared {
        match &self.cfg.description {
            Some(d) => super::Shared::Text(std::sync::Arc::clone(d)),
            None if self.id().as_str() == "-.slice" => super::Shared::Text("Root Slice".into()),
            None => super::Shared::Name(self.id().clone()),
        }
    }

    /// The description systemd shows, borrowed (see [`Unit::description`]).
    pub fn description_str(&self) -> &str {
        match &self.cfg.description {
            Some(d) => d,
            None if self.id().as_str() == "-.slice" => "Root Slice",
            None => self.id().as_str(),
        }
    }

    /// Other units of one dependency kind.
    pub fn deps(&self, kind: DepKind) -> Vec<UnitName> {
        self.node.deps_of(kind).map(|(n, _)| n.clone()).collect()
    }
}

/// Computes the reload stamp of a loaded unit from the filesystem now.
pub fn stamp_of(fs: &dyn FileSystem, unit: &unitlab_engine::load::LoadedUnit) -> LoadStamp {
    let mut files = Vec::new();
    let mtime = |p: &str| {
        fs.lstat(camino::Utf8Path::new(p))
            .ok()
            .map(|m| m.modified_ns)
    };
    if let Some(f) = &unit.fragment_path {
        files.push((f.to_string(), mtime(f.as_str())));
    }
    for d in unit.dropin_paths() {
        files.push((d.to_string(), mtime(d.as_str())));
    }
    LoadStamp {
        files,
        load_state: Some(unit.load_state),
    }
}

/// The unit table and the loader state.
#[derive(Debug)]
pub struct Units {
    /// Units by id, in load order.
    pub map: IndexMap<UnitName, Unit, NameHash>,
    /// Every name a unit is known by → its id.
    pub names: std::collections::HashMap<String, UnitName, NameHash>,
    /// The unit-file cache (rebuilt when the search path changed, as systemd does for new names).
    catalog: Option<Catalog>,
    /// The graph options (system or user manager, credentials).
    pub options: GraphOptions,
    /// What the manager's specifiers expand to.
    pub specifiers: Specifiers,
    /// Loader messages (kept for the journal).
    pub diagnostics: Vec<Diagnostic>,
    /// The configuration the transaction planner works on: every unit loaded since the last
    /// daemon-reload, garbage-collected ones included (rebuilt when a collected unit that is
    /// referenced again changed on disk).
    pub graph: Option<Graph>,
    /// Plans kept for repeated requests (emptied whenever the graph changes).
    pub(crate) plans: super::plan_cache::PlanCache,
    /// The files of every unit in the graph as they were when the graph read them.
    graph_stamps: std::collections::HashMap<UnitName, LoadStamp, NameHash>,
    /// Where units were found in `map`, by the address of the name's text ([`Units::position`]).
    positions: PositionCache,
    /// The last unit found by the address of its key's text: (address, position). The state
    /// machine looks the same unit up many times in a row; a hit here needs no check against
    /// the table, because it is emptied wherever a key leaves the table or positions move
    /// ([`Units::unload`], [`Units::take_map`]; `map` itself only ever grows at the end or
    /// replaces a value in place elsewhere), so the address is a live key's at that position.
    last: std::cell::Cell<(usize, usize)>,
    /// The unit found before `last` (same rules): a step of the state machine alternates
    /// between its unit and a neighbour (`sysinit.target` for a requirement check) at times.
    prev: std::cell::Cell<(usize, usize)>,
}

/// Slots of the position cache (a power of two: `1 << POSITION_BITS`). A machine with a few
/// thousand busy units keeps them all (with 256 slots, 1,000 restarting services missed half
/// the time).
const POSITION_BITS: u32 = 12;
const POSITION_SLOTS: usize = 1 << POSITION_BITS;

/// A direct-mapped cache of positions in the unit table, keyed by the address of a
/// [`UnitName`]'s shared text. The manager passes the same name objects around (the table's
/// keys are the graph's node ids, which jobs, events and dependency lists share), so a unit is
/// mostly looked up by a name whose text *is* the table key's. A hit is checked against the
/// table itself (the key at the cached position must have that very address, and two live names
/// cannot share one), so the cache needs no invalidation: a stale slot just misses.
struct PositionCache(Box<[std::cell::Cell<(usize, usize)>]>);

impl Default for PositionCache {
    fn default() -> PositionCache {
        PositionCache(
            (0..POSITION_SLOTS)
                .map(|_| std::cell::Cell::new((0, 0)))
                .collect(),
        )
    }
}

impl std::fmt::Debug for PositionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PositionCache")
    }
}

impl PositionCache {
    #[inline]
    fn slot(&self, addr: usize) -> &std::cell::Cell<(usize, usize)> {
        let i =
            ((addr as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - POSITION_BITS)) as usize;
        &self.0[i % POSITION_SLOTS]
    }
}

impl Units {
    /// An empty table.
    pub fn new(options: GraphOptions, specifiers: Specifiers) -> Units {
        Units {
            specifiers,
            map: IndexMap::default(),
            names: std::collections::HashMap::default(),
            catalog: None,
            options,
            diagnostics: Vec::new(),
            graph: None,
            graph_stamps: std::collections::HashMap::default(),
            plans: Default::default(),
            positions: PositionCache::default(),
            last: std::cell::Cell::new((0, 0)),
            prev: std::cell::Cell::new((0, 0)),
        }
    }

    /// Takes the whole table out (daemon-reload reads every unit again), forgetting where units
    /// were found.
    pub fn take_map(&mut self) -> IndexMap<UnitName, Unit, NameHash> {
        self.forget_last();
        std::mem::take(&mut self.map)
    }

    /// The position of unit `id` in [`Units::map`]: from the position cache when `id` shares
    /// its text with the table's key, else by hashing.
    #[inline]
    pub fn position(&self, id: &UnitName) -> Option<usize> {
        let addr = id.as_str().as_ptr() as usize;
        let last = self.last.get();
        if last.0 == addr {
            self.check_last(id, last.1);
            return Some(last.1);
        }
        let prev = self.prev.get();
        if prev.0 == addr {
            self.check_last(id, prev.1);
            self.prev.set(last);
            self.last.set(prev);
            return Some(prev.1);
        }
        // Names are never empty and each has its own allocation: two live names with the same
        // text address are the same name.
        let slot = self.positions.slot(addr);
        let (cached, at) = slot.get();
        if cached == addr
            && self
                .map
                .get_index(at)
                .is_some_and(|(k, _)| k.as_str().as_ptr() as usize == addr)
        {
            debug_assert_eq!(Some(at), self.map.get_index_of(id), "position cache");
            self.prev.set(last);
            self.last.set((addr, at));
            return Some(at);
        }
        let at = self.map.get_index_of(id)?;
        slot.set((addr, at));
        if self
            .map
            .get_index(at)
            .is_some_and(|(k, _)| k.as_str().as_ptr() as usize == addr)
        {
            self.prev.set(last);
            self.last.set((addr, at));
        }
        Some(at)
    }

    /// Debug builds: a remembered position holds (the key there has that text address).
    #[inline]
    fn check_last(&self, id: &UnitName, at: usize) {
        debug_assert!(
            self.map.get_index(at).is_some_and(|(k, _)| std::ptr::eq(
                k.as_str().as_ptr(),
                id.as_str().as_ptr()
            ) && k.as_str().len() == id.as_str().len()),
            "remembered position of {id} out of date"
        );
    }

    /// Forgets the remembered positions (a key leaves the table or positions move).
    fn forget_last(&self) {
        self.last.set((0, 0));
        self.prev.set((0, 0));
    }

    /// The loaded unit `id` (by id, not by alias).
    #[inline]
    pub fn unit(&self, id: &UnitName) -> Option<&Unit> {
        let at = self.position(id)?;
        self.map.get_index(at).map(|(_, u)| u)
    }

    /// The loaded unit `id`, mutably.
    #[inline]
    pub fn unit_mut(&mut self, id: &UnitName) -> Option<&mut Unit> {
        let at = self.position(id)?;
        self.map.get_index_mut(at).map(|(_, u)| u)
    }

    /// Whether unit `id` is loaded (by id).
    #[inline]
    pub fn has(&self, id: &UnitName) -> bool {
        self.position(id).is_some()
    }

    /// The id of a loaded unit known by `name`.
    pub fn resolve(&self, name: &str) -> Option<UnitName> {
        self.names.get(name).cloned()
    }

    /// The loaded unit known by `name`.
    pub fn get(&self, name: &str) -> Option<&Unit> {
        self.unit(self.names.get(name)?)
    }

    /// The loaded unit known by `name`, mutably.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Unit> {
        let at = self.position(self.names.get(name)?)?;
        self.map.get_index_mut(at).map(|(_, u)| u)
    }

    fn catalog(&mut self, fs: &MemFs, paths: &LookupPaths) -> &Catalog {
        let stale = match &self.catalog {
            Some(c) => !c.is_current(fs),
            None => true,
        };
        if stale {
            self.catalog = Some(Catalog::build(fs, paths, &mut self.diagnostics));
        }
        self.catalog.as_ref().expect("catalog was just built")
    }

    /// Forgets the unit-file cache (daemon-reload).
    pub fn flush_cache(&mut self) {
        self.catalog = None;
    }

    /// Loads `names` (and everything they reference) if not loaded yet; returns the new ids.
    pub fn load(&mut self, fs: &MemFs, paths: &LookupPaths, names: &[UnitName]) -> Vec<UnitName> {
        let todo: Vec<UnitName> = names
            .iter()
            .filter(|n| !self.names.contains_key(n.as_str()))
            .cloned()
            .collect();
        if todo.is_empty() {
            return Vec::new();
        }
        // The graph changes: kept plans no longer hold.
        self.plans.clear();
        let mut diags = std::mem::take(&mut self.diagnostics);
        self.catalog(fs, paths);
        let catalog = self.catalog.take().expect("catalog was just built");
        // A collected unit that is referenced again is read afresh if it changed on disk; the
        // graph cannot drop one unit, so it is rebuilt from the units loaded now.
        let stamps = &self.graph_stamps;
        let stale = self.graph.as_ref().is_some_and(|g| {
            todo.iter().any(|n| {
                g.get(n.as_str()).is_some_and(|node| {
                    let fresh = load_unit(
                        fs,
                        &catalog,
                        node.id(),
                        &LoadOptions::default(),
                        &mut Vec::new(),
                    );
                    stamps.get(node.id()) != Some(&stamp_of(fs, &fresh))
                })
            })
        });
        if stale || self.graph.is_none() {
            self.graph_stamps.clear();
            let mut roots: Vec<UnitName> = self.map.keys().cloned().collect();
            roots.extend(todo.iter().cloned());
            self.graph = Some(Graph::build(
                fs,
                &catalog,
                &roots,
                self.options.clone(),
                &mut diags,
            ));
        } else if let Some(g) = self.graph.as_mut() {
            for n in &todo {
                g.load(fs, &catalog, n, &mut diags);
            }
        }
        self.diagnostics = diags;
        self.catalog = Some(catalog);
        self.sync_from_graph(fs, &todo)
    }

    /// Copies new units from the graph and refreshes the dependencies of loaded ones (inverse
    /// edges of units loaded later); returns the new ids.
    fn sync_from_graph(&mut self, fs: &MemFs, asked: &[UnitName]) -> Vec<UnitName> {
        let Some(graph) = self.graph.as_ref() else {
            return Vec::new();
        };
        // Loaded units get their dependencies refreshed (inverse edges of later units); units
        // reachable from the ones asked for (what loading them references) are added.
        let mut reach: std::collections::HashSet<UnitName, NameHash> =
            std::collections::HashSet::default();
        let mut stack: Vec<UnitName> = asked
            .iter()
            .filter_map(|n| graph.resolve(n.as_str()).cloned())
            .collect();
        while let Some(n) = stack.pop() {
            if !reach.insert(n.clone()) {
                continue;
            }
            if let Some(node) = graph.get(n.as_str()) {
                for k in [DepKind::References, DepKind::InSlice, DepKind::Triggers] {
                    for (o, _) in node.deps_of(k) {
                        if !reach.contains(o) {
                            stack.push(o.clone());
                        }
                    }
                }
            }
        }
        let mut added = Vec::new();
        for node in graph.shared_nodes() {
            match self.map.get_mut(node.id()) {
                // Still the graph's node (`ptr_eq`): nothing to refresh.
                Some(u)
                    if u.node.load_state() == node.load_state() && !Arc::ptr_eq(&u.node, node) =>
                {
                    Arc::make_mut(&mut u.node).deps = node.deps.clone();
                    u.node_changed();
                }
                Some(_) => {}
                None if reach.contains(node.id()) => {
                    let id = node.id().clone();
                    let stamp = self
                        .graph_stamps
                        .entry(id.clone())
                        .or_insert_with(|| stamp_of(fs, &node.unit))
                        .clone();
                    self.map
                        .insert(id.clone(), Unit::new(node.clone(), stamp, &self.specifiers));
                    added.push(id);
                }
                None => {}
            }
        }
        for id in &added {
            let u = &self.map[id];
            self.names.insert(id.as_str().to_owned(), id.clone());
            for n in &u.node.unit.names {
                if !self.names.contains_key(n.as_str()) {
                    self.names.insert(n.as_str().to_owned(), id.clone());
                }
            }
        }
        for n in asked {
            if let Some(id) = graph.resolve(n.as_str()) {
                if self.map.contains_key(id) && !self.names.contains_key(n.as_str()) {
                    self.names.insert(n.as_str().to_owned(), id.clone());
                }
            }
        }
        added
    }

    /// Forgets the graph (daemon-reload): the next load rebuilds it from disk.
    pub fn reset_graph(&mut self) {
        self.plans.clear();
        self.graph = None;
        self.graph_stamps.clear();
    }

    /// Drops a unit (garbage collection): it and the other units' edges to it.
    pub fn unload(&mut self, id: &UnitName) {
        self.forget_last();
        let Some(u) = self.map.shift_remove(id) else {
            return;
        };
        for (kind, others) in &u.node.deps {
            for other in others.keys() {
                if let Some(o) = self.map.get_mut(other) {
                    if o.node.has_dep(kind.inverse(), id.as_str()) {
                        if let Some(m) = Arc::make_mut(&mut o.node).deps.get_mut(&kind.inverse()) {
                            m.shift_remove(id);
                        }
                        o.node_changed();
                    }
                }
            }
        }
        self.names.retain(|_, v| v != id);
    }

    /// Whether a loaded unit's files changed on disk since it was loaded.
    pub fn need_reload(&mut self, fs: &MemFs, paths: &LookupPaths, id: &UnitName) -> bool {
        let Some(u) = self.map.get(id) else {
            return false;
        };
        let old = u.stamp.clone();
        let name = id.clone();
        let mut diags = Vec::new();
        let catalog = Catalog::build(fs, paths, &mut diags);
        let fresh = load_unit(fs, &catalog, &name, &LoadOptions::default(), &mut diags);
        let new = stamp_of(fs, &fresh);
        old.files != new.files
    }
}
