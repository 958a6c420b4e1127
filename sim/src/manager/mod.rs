//! The service manager at runtime (reference §6.3, §7, §11): unit active states, the job queue,
//! the simulated processes, and the runtime `systemctl` verbs. One [`Manager`] per scope (the
//! system manager and each user's manager) runs over the machine's in-memory filesystem, a
//! virtual [`Clock`] and a shared [`Journal`].
//!
//! # The model
//!
//! * **Units** are loaded on demand (at boot, and when a command names one) through the
//!   engine's loader and dependency [`Graph`](unitlab_engine::graph::Graph), and then kept: edits
//!   on disk are seen only after [`Manager::daemon_reload`] (`NeedDaemonReload=yes` meanwhile).
//!   Like systemd, a unit that is inactive (not failed), has no job and is referenced by no
//!   other loaded unit is garbage-collected, so a later command reads it afresh (reference §11).
//! * **Jobs** are planned by the engine's transaction planner
//!   ([`unitlab_engine::transaction::plan`]) on the manager's graph against the runtime states and
//!   queued jobs, queued per unit (one job per unit, merged or replaced as systemd does) and run
//!   when their `After=`/`Before=` neighbours allow (reference §6.3). Results (`done`, `failed`,
//!   `dependency`, `canceled`, `timeout`, `skipped`, `assert`) propagate to the jobs of units that
//!   `Requires=`/`BindsTo=`/`Requisite=` the unit.
//! * **Processes** follow the model of [`process`]: a few commands end by themselves, the rest
//!   run until stopped. Services go through systemd's sub-states (`start-pre`, `start`,
//!   `start-post`, `running`, `exited`, `stop`, `stop-sigterm`, `auto-restart`, `failed`, ...).
//! * **Path units** (`path.rs`) watch files as systemd's inotify watches do: the machine reports
//!   every file change its commands make through [`Manager::path_changed`], and a path unit
//!   whose spec fires starts the unit it triggers (`dead`, `waiting`, `running`, `failed` with
//!   `resources`, `start-limit-hit`, `unit-start-limit-hit` or `trigger-limit-hit`).
//! * **Trigger relations** (`triggers.rs`): a triggering unit is told when the unit it triggers
//!   changes state or loses its job (`unit_trigger_notify()`); `status` prints `TriggeredBy:` and
//!   `Triggers:` lines, and `stop` warns "Warning: Stopping X, but it can still be activated
//!   by:" when an active unit triggers X.
//! * **Time** is a discrete-event queue ordered by (time, sequence number): every run with the
//!   same inputs gives the same transcript. Nothing happens between events.
//!
//! # Interface contract with the machine
//!
//! - the machine owns the [`World`] (filesystem, clock, journal) and lends it to every call;
//! - `systemctl` install verbs are run by the machine through the CLI on the machine's filesystem,
//!   followed by [`Manager::daemon_reload`] unless `--no-reload` was given, as a live systemctl
//!   asks the manager to reload;
//! - every other `systemctl` verb goes to [`Manager::systemctl`], which writes what systemctl
//!   would print to the terminal and returns the exit status. Verbs that wait for their jobs
//!   (`start`, `stop`, `restart`, ...) run this manager's events until the jobs finish, moving
//!   the clock forward (a `systemctl start` of a oneshot `sleep 2` takes 2 s of virtual time),
//!   and every call then takes [`COMMAND_LATENCY`] more;
//! - time advances otherwise only through [`Manager::next_event`] / [`Manager::run_until`]: the
//!   machine asks for the next due event and moves the clock there (`sleep`, and after every
//!   command with a zero-length advance so that queued jobs run).
//!
//! # Verified
//!
//! `sim/tests/manager_live.rs` runs 13 command sequences (121 compared commands: start, stop,
//! restart, reload, kill, status, show, list-units, is-active, is-failed, reset-failed,
//! daemon-reload, mask) on a live systemd 252 user manager and on the simulator and compares
//! the outputs and exit statuses; `manager_props.rs` checks the invariants over random unit sets
//! and command sequences. Path units and the trigger hints are checked by the scenarios
//! `user-path-*.md` and `user-trigger-hints.md` (blessed from the real user manager, replayed on
//! both), and `activation_props.rs` checks the issue-6 properties (masked units are never
//! triggered, disabled ones are triggered like enabled ones, a reboot forgets runtime state).
//! Timers: the 9 scenarios `sim/scenarios/user-timer-*.md` were blessed from a real systemd 252
//! user manager, and the wake-up alignment and `FixedRandomDelay=` hash were checked against one
//! (see [`timer`]).
//!
//! # Not modelled yet
//!
//! - Mounts and devices are loaded and listed, but starting one only moves it to `active` with
//!   a placeholder sub-state;
//! - timers run ([`timer`]: elapses, coalescing, random delays, `Persistent=`, `list-timers`),
//!   except `OnClockChange=`/`OnTimezoneChange=` (the simulated clock never jumps) and
//!   specifiers in `On*=` values;
//! - sockets listen, accept and trigger their services (`socket.rs` module docs: `Accept=no`/
//!   `yes`, `MaxConnections=`, trigger limits, `service-start-limit-hit`, `list-sockets`); not
//!   modelled there: sockets' `Exec*=` commands, `SocketUser=`, `MaxConnectionsPerSource=`,
//!   FIFO writes and datagrams as triggers;
//! - path units: `PathModified=` fires like `PathChanged=` (the shell's commands always close
//!   what they write), symlinks in a watched path are followed but the link itself is not
//!   watched, the directories `MakeDirectory=` creates notify no other path unit, and the
//!   `TRIGGER_PATH=` environment of the triggered service is not kept;
//! - several `TriggeredBy:`/`Triggers:` entries are listed in load order (systemd: the order of
//!   its dependency hash map, which differs from run to run);
//! - `systemctl status` prints no journal lines and no `Tasks:`/`Memory:`/`CPU:` lines; `show`
//!   prints the properties the simulator computes (no `ExecStart=`
//!   structures, no resource accounting, no `InvocationID`);
//! - `ExecCondition=`, `ExecStopPost=` failures' finer points, `KillMode=none` (processes are
//!   signalled as with `control-group`; the kill settings are otherwise followed, `kill.rs`),
//!   processes that ignore or trap signals (every simulated process dies of a signal whose
//!   default action ends it), processes a service leaves in its control group besides its
//!   main and control processes (a `Type=forking` start's background command becomes the main
//!   process; other leftovers are not kept), a PID file that exists before the daemon writes
//!   it (`PIDFile=`: a program the model does not know writes it, the commands it knows never
//!   do), `JobTimeoutSec=`, `FailureAction=`/`SuccessAction=`,
//!   `Type=dbus`/`idle` (run as `simple`), `RuntimeRandomizedExtraSec=`, `PassEnvironment=`
//!   and the manager's own variables (only `Environment=`, `EnvironmentFile=` and `$MAINPID`
//!   reach the processes, `environ.rs`, `env_file.rs`), `WATCHDOG=1` pings
//!   (no simulated process sends one, so `WatchdogSec=` always runs out; a changed
//!   `RuntimeMaxSec=`/`WatchdogSec=` applies from the next start, not at daemon-reload), the
//!   `Consumed ... CPU time` journal line;
//! - processes take no virtual time (`/bin/true` exits at the instant it starts), so a failure
//!   loop (`OnFailure=` a unit that pulls the failing unit in again) runs at one instant and is
//!   reported as a livelock, where the live manager sees the exits between rounds and its start
//!   limit ends the loop;
//! - a garbage-collected unit stays in the planner's graph until it is referenced again (then
//!   the graph is rebuilt if its files changed), so other units' edits may be seen by the
//!   planner at that moment without a daemon-reload.

mod clock;
mod config;
mod env_file;
mod environ;
mod glob;
mod id_table;
mod invariants;
mod jobs;
mod journal;
mod kill;
mod list;
pub mod list_deps;
mod list_jobs;
mod path;
mod plan_cache;
mod printf;
pub mod process;
mod queue;
mod service;
mod show;
mod socket;
pub mod state;
mod status;
pub mod timefmt;
pub mod timer;
mod triggers;
mod units;
mod verbs;

pub use clock::{Clock, Usec};
pub use journal::{ids as message_ids, Journal, JournalEntry, Message, Shared};
pub use path::FileChange;
pub use socket::{Address, ConnectError, SpecialFile};
pub use state::{ActiveState, JobResult, JobType, Sub, UnitResult};

use indexmap::IndexMap;
use process::Exit;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::graph::{Credentials, GraphOptions, NameHash};
use unitlab_engine::load::{LookupPaths, MapEnv, Scope};
use unitlab_engine::name::{NameKind, UnitName};
use units::Units;

/// The virtual time a `systemctl` call takes after its work is done (the client's round trip),
/// so that processes which end at once (`/bin/false` in a simple service) have ended when the
/// next command runs, as on a real machine.
pub const COMMAND_LATENCY: Usec = 10_000;

/// How long a waiting `systemctl` waits for its jobs (virtual time) before giving up.
const MAX_WAIT: Usec = 600 * 1_000_000;

/// Steps at one point in virtual time after which the manager gives up: the livelock is reported
/// as an invariant violation and the manager stops running anything ([`Manager::livelocked`]).
/// systemd 252 has such livelocks too: a unit that `Upholds=` a unit whose start fails at once
/// (say it is `Requisite=` on an inactive unit) makes the real manager spin, using all of a CPU
/// and answering no client any more (`sim/tests/manager_livelock.rs`).
const LIVELOCK_STEPS: u32 = 100_000;

/// What a manager call may touch: the machine's filesystem, clock and journal, and the terminal.
pub struct World<'a> {
    /// The machine's filesystem (root of the simulated machine).
    pub fs: &'a mut MemFs,
    /// The virtual clock.
    pub clock: &'a mut Clock,
    /// The journal shared by all managers of the machine.
    pub journal: &'a mut Journal,
}

/// How a manager is set up.
#[derive(Clone, Debug)]
pub struct ManagerOptions {
    /// System or user manager.
    pub scope: Scope,
    /// The environment the manager computes its search path from (`HOME`, `XDG_RUNTIME_DIR`,
    /// `XDG_CONFIG_HOME`, ...).
    pub env: MapEnv,
    /// The user the manager runs as (user scope), for specifiers and `ConditionUser=`.
    pub user: String,
    /// That user's uid.
    pub uid: u32,
    /// The manager's own PID (journal entries show it).
    pub pid: u32,
    /// The first PID handed to a process.
    pub first_pid: u32,
}

impl ManagerOptions {
    /// The defaults of issue 5: the system manager as PID 1; the user manager of `user`
    /// (uid 1000, HOME=/home/user, XDG_RUNTIME_DIR=/run/user/1000).
    pub fn new(scope: Scope) -> ManagerOptions {
        match scope {
            Scope::System => ManagerOptions {
                scope,
                env: MapEnv::new("/"),
                user: "root".into(),
                uid: 0,
                pid: 1,
                first_pid: 100,
            },
            _ => {
                let env = MapEnv::new("/home/user")
                    .with_var("HOME", "/home/user")
                    .with_var("USER", "user")
                    .with_var("XDG_RUNTIME_DIR", "/run/user/1000")
                    .with_passwd_home("/home/user");
                ManagerOptions {
                    scope: Scope::User,
                    env,
                    user: "user".into(),
                    uid: 1000,
                    pid: 900,
                    first_pid: 1000,
                }
            }
        }
    }
}

/// Something that happens at a point in virtual time.
#[derive(Clone, Debug)]
enum Event {
    /// A process ends.
    ProcExit {
        unit: UnitName,
        pid: u32,
        exit: Exit,
    },
    /// A unit's timer fires (start/stop timeout, restart delay); stale if `gen` is old.
    Timer { unit: UnitName, gen: u64 },
    /// The timer units' clocks wake up ([`timer`]); stale if `gen` is old.
    TimerWake { gen: u64 },
    /// A service's watchdog (`WatchdogSec=`) runs out; stale if `gen` is old.
    Watchdog { unit: UnitName, gen: u64 },
}

/// Why a wait of the simulated client ended without its condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stuck {
    /// [`MAX_WAIT`] of virtual time passed.
    Timeout,
    /// The manager livelocked.
    Livelock,
    /// No job can run and no event is left.
    NothingLeft,
}

/// An installed job.
#[derive(Clone, Debug)]
struct Job {
    id: u32,
    unit: UnitName,
    kind: JobType,
    running: bool,
    /// `ignore-dependencies`: ordering is ignored.
    ignore_order: bool,
    /// A start waiting for its unit to finish deactivating (systemd's `-EAGAIN`).
    blocked: bool,
    /// The job is its unit's job (`Unit::job` names it): kept up to date where a unit's job
    /// changes ([`Manager::attach_job`]), so that listing the queued jobs looks nothing up. A
    /// job that is not current is one a later job of its unit took over without finishing it.
    current: bool,
}

/// The installed jobs by id ([`id_table::IdTable`]).
type JobTable = id_table::IdTable<Job>;

/// Results of finished jobs that a client may still wait for. Only a `systemctl` call waits
/// for jobs (the verbs read the results of the jobs they queued before the call returns), so
/// results are kept only during such a call ([`Manager::systemctl`] turns it on and empties the
/// table at the end): a manager running events between commands (`run_until`) keeps none.
#[derive(Debug, Default)]
struct Finished {
    results: HashMap<u32, JobResult, NameHash>,
    recording: bool,
}

impl Finished {
    /// Notes the result of job `id` (while a client call may wait for it).
    fn insert(&mut self, id: u32, result: JobResult) {
        if self.recording {
            self.results.insert(id, result);
        }
    }

    /// Takes the result of job `id`.
    fn remove(&mut self, id: &u32) -> Option<JobResult> {
        self.results.remove(id)
    }

    /// Starts or ends a client call; results not taken during a call are dropped at its end.
    fn record(&mut self, on: bool) {
        self.recording = on;
        if !on {
            self.results.clear();
        }
    }
}

/// A simulated systemd service manager of one scope.
pub struct Manager {
    opts: ManagerOptions,
    paths: Option<LookupPaths>,
    units: Units,
    jobs: JobTable,
    /// The ids of the queued jobs that are not running yet (kept with `jobs`: the jobs the
    /// main loop and `dispatch` look at, however many jobs are running).
    waiting: id_table::IdSet,
    /// Counts changes to the job table that can change whether a job may run (`jobs.rs`).
    job_epoch: u64,
    next_job_id: u32,
    next_pid: u32,
    events: queue::Calendar<Event>,
    clock: Clock,
    log: Vec<JournalEntry>,
    /// `log` is the machine's journal, taken for the current call ([`Manager::enter`]).
    log_is_world: bool,
    /// Results of finished jobs that a client may still wait for.
    finished: Finished,
    /// `OnFailure=`/`OnSuccess=` starts to enqueue: (from, unit, setting name).
    pending_triggers: Vec<(UnitName, UnitName, &'static str)>,
    /// Units whose state changed since the last propagation pass.
    changed: Vec<(UnitName, bool)>,
    /// Invariant violations seen (checked after every step when enabled).
    violations: Vec<String>,
    /// A livelock was detected: the manager runs nothing any more, as a spinning systemd answers
    /// nothing.
    livelocked: bool,
    check_invariants: bool,
    booted: bool,
    events_processed: u64,
    /// The timer units' wake-ups and random sources ([`timer`]).
    timers: timer::Timers,
    /// The machine's seed (timer perturbation and random delays).
    seed: u64,
    /// Socket units' runtime state (`socket.rs`).
    sockets: socket::Sockets,
    /// The runtime part of path units (watches, trigger limit), by id.
    path_units: HashMap<UnitName, path::PathUnit>,
    /// What the loaded units' `EnvironmentFile=`s hold now ([`env_file::Cache`]).
    env_files: env_file::Cache,
}

impl Manager {
    /// A manager for `scope` (`Scope::System` or `Scope::User`) with the default options, not
    /// yet booted.
    pub fn new(scope: Scope) -> Manager {
        Manager::with_options(ManagerOptions::new(scope))
    }

    /// A manager with explicit options.
    pub fn with_options(opts: ManagerOptions) -> Manager {
        let manager = if opts.scope == Scope::System {
            unitlab_engine::graph::Manager::System
        } else {
            unitlab_engine::graph::Manager::User
        };
        let credentials = if opts.scope == Scope::System {
            Credentials::root()
        } else {
            Credentials {
                user: opts.user.clone(),
                group: opts.user.clone(),
                uid: opts.uid,
                gid: opts.uid,
            }
        };
        let options = GraphOptions {
            manager,
            credentials,
            ..GraphOptions::default()
        };
        let paths = LookupPaths::new(opts.scope, None, &opts.env).ok();
        let specifiers = printf::Specifiers::of(&opts);
        Manager {
            next_pid: opts.first_pid,
            opts,
            paths,
            units: Units::new(options, specifiers),
            jobs: JobTable::new(),
            waiting: id_table::IdSet::new(),
            job_epoch: 0,
            next_job_id: 1,
            events: queue::Calendar::new(),
            clock: Clock::new(0),
            log: Vec::new(),
            log_is_world: false,
            finished: Finished::default(),
            env_files: env_file::Cache::default(),
            changed: Vec::new(),
            pending_triggers: Vec::new(),
            violations: Vec::new(),
            livelocked: false,
            check_invariants: cfg!(debug_assertions),
            booted: false,
            events_processed: 0,
            timers: timer::Timers::default(),
            seed: 0,
            sockets: socket::Sockets::default(),
            path_units: HashMap::new(),
        }
    }

    /// The scope this manager serves.
    pub fn scope(&self) -> Scope {
        self.opts.scope
    }

    /// Turns the invariant checks after every step on or off (on by default in debug builds).
    pub fn set_invariant_checks(&mut self, on: bool) {
        self.check_invariants = on;
    }

    /// Invariant violations seen so far (empty when all is well): a masked unit became active,
    /// an active unit's `Requires=` dependency is neither active nor being started, a job waits
    /// for nothing that can happen.
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    /// Whether the manager hit a livelock (jobs and events that keep each other going without
    /// time passing, `LIVELOCK_STEPS`). It then runs no job and no event any more: a real
    /// systemd in that state spins and serves no client.
    pub fn livelocked(&self) -> bool {
        self.livelocked
    }

    /// How many events ran since the manager was created.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// The start of a call that lends the manager the world. The machine's journal is taken for
    /// the call (when nothing is waiting in `log`): entries are written straight into it, in
    /// order after the entries it has, and [`Manager::leave`] gives it back, so a busy call's
    /// entries are not copied from one list to the other afterwards.
    fn enter(&mut self, world: &mut World<'_>) {
        self.clock = world.clock.clone();
        self.refresh_env_files(world.fs);
        if self.log.is_empty() && !self.log_is_world {
            std::mem::swap(&mut self.log, &mut world.journal.entries);
            self.log_is_world = true;
        }
    }

    fn leave(&mut self, world: &mut World<'_>) {
        if self.clock.monotonic > world.clock.monotonic {
            world.clock.monotonic = self.clock.monotonic;
        }
        if self.log_is_world {
            std::mem::swap(&mut self.log, &mut world.journal.entries);
            self.log_is_world = false;
        }
        world.journal.entries.append(&mut self.log);
    }

    /// Loads the units and starts the default target, as at boot, and runs until idle.
    pub fn boot(&mut self, world: &mut World<'_>) {
        self.enter(world);
        self.booted = true;
        self.timers_boot();
        let fs: &MemFs = world.fs;
        let root = UnitName::new("-.slice").expect("valid name");
        let default = UnitName::new("default.target").expect("valid name");
        self.load(fs, &[root.clone(), default.clone()]);
        // The root slice is always active.
        if self.units.has(&root) {
            self.set_sub(&root, Sub::Active);
        }
        let _ = self.enqueue(fs, &default, jobs::Request::Start, jobs::Mode::Isolate);
        self.run(fs, None);
        self.leave(world);
    }

    /// Re-reads unit files (`systemctl daemon-reload`): every loaded unit is reloaded from disk,
    /// keeping its runtime state.
    pub fn daemon_reload(&mut self, world: &mut World<'_>) {
        self.enter(world);
        let fs: &MemFs = world.fs;
        self.reload_units(fs);
        self.run(fs, None);
        self.leave(world);
    }

    /// Runs a runtime `systemctl` verb (`args` excludes the program name and the scope flag),
    /// writing systemctl's stdout and stderr, and returns its exit status.
    pub fn systemctl(
        &mut self,
        world: &mut World<'_>,
        args: &[String],
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> i32 {
        self.enter(world);
        let fs: &MemFs = world.fs;
        self.finished.record(true);
        let code = verbs::run(self, fs, args, out, err);
        self.finished.record(false);
        let settle = self.clock.monotonic + COMMAND_LATENCY;
        self.run(fs, Some(settle));
        self.clock.monotonic = self.clock.monotonic.max(settle);
        self.leave(world);
        code
    }

    /// The time of the next event this manager has scheduled, if any (the current time if jobs
    /// are ready to run).
    pub fn next_event(&self) -> Option<Usec> {
        if self.livelocked {
            return None;
        }
        if self.any_runnable() {
            return Some(self.clock.monotonic);
        }
        self.events.next_at()
    }

    /// Runs every event due at or before `until` (the clock is moved to each event's time, and
    /// to `until` at the end).
    pub fn run_until(&mut self, world: &mut World<'_>, until: Usec) {
        self.enter(world);
        let fs: &MemFs = world.fs;
        self.run(fs, Some(until));
        if until > self.clock.monotonic && until != Usec::MAX {
            self.clock.monotonic = until;
        }
        self.leave(world);
    }

    /// The active state of a unit (`inactive` for units not loaded).
    pub fn active_state(&self, name: &str) -> ActiveState {
        self.units
            .get(name)
            .map(|u| u.active())
            .unwrap_or(ActiveState::Inactive)
    }

    /// The active state of unit `id` as [`Manager::active_state`] gives it, without going
    /// through the alias table when `id` is a loaded unit's id (an id is always its own name).
    fn state_of(&self, id: &UnitName) -> ActiveState {
        match self.units.unit(id) {
            Some(u) => u.active(),
            None => self.active_state(id.as_str()),
        }
    }

    /// The sub-state of a unit (`dead` for units not loaded).
    pub fn sub_state(&self, name: &str) -> &'static str {
        self.units
            .get(name)
            .map(|u| self.sub_of(u))
            .unwrap_or("dead")
    }

    /// The ids of the loaded units, in load order.
    pub fn loaded_units(&self) -> Vec<String> {
        self.units.map.keys().map(|k| k.to_string()).collect()
    }

    /// The queued and running jobs: (id, unit, type, running).
    pub fn jobs(&self) -> Vec<(u32, String, JobType, bool)> {
        self.jobs
            .values()
            .map(|j| (j.id, j.unit.to_string(), j.kind, j.running))
            .collect()
    }

    // ---- internals shared by the submodules ----

    fn lookup_paths(&self) -> Option<&LookupPaths> {
        self.paths.as_ref()
    }

    fn load(&mut self, fs: &MemFs, names: &[UnitName]) -> Vec<UnitName> {
        let Some(paths) = self.paths.as_ref() else {
            return Vec::new();
        };
        let added = self.units.load(fs, paths, names);
        self.env_files_loaded(fs, &added);
        self.socket_reapply_edges();
        let now = self.clock.monotonic;
        for id in &added {
            if let Some(u) = self.units.unit_mut(id) {
                u.loaded_at = now;
            }
        }
        added
    }

    /// Loads one unit by name and returns its id.
    fn load_one(&mut self, fs: &MemFs, name: &UnitName) -> Option<UnitName> {
        if let Some(id) = self.loaded_id(name) {
            return Some(id);
        }
        // A template name without instance is never a unit of the manager
        // (`manager_load_unit_prepare()` refuses it).
        if name.kind() == NameKind::Template {
            return None;
        }
        self.load(fs, std::slice::from_ref(name));
        self.units.resolve(name.as_str())
    }

    /// `name` when it is the id of a loaded unit and loading it again would do nothing (no
    /// socket connection whose edges a load re-applies): the unit's own id, as
    /// [`Self::load_one`] would return it, found through the position cache without hashing
    /// the name twice.
    #[inline]
    fn loaded_id(&self, name: &UnitName) -> Option<UnitName> {
        if !self.sockets.conns.is_empty() || self.paths.is_none() {
            return None;
        }
        let at = self.units.position(name)?;
        let id = self.units.map.get_index(at).map(|(k, _)| k.clone())?;
        debug_assert_eq!(Some(&id), self.units.resolve(name.as_str()).as_ref());
        Some(id)
    }

    fn schedule(&mut self, at: Usec, ev: Event) {
        self.events.push(at, ev);
    }

    fn alloc_pid(&mut self) -> u32 {
        let p = self.next_pid;
        self.next_pid += 1;
        p
    }

    fn now(&self) -> Usec {
        self.clock.monotonic
    }

    /// Writes a plain journal line about `unit` (no message id, job or extra fields), as
    /// systemd's `log_unit_*()` calls do.
    fn unit_log(&mut self, unit: &UnitName, priority: u8, message: impl Into<Message>) {
        self.journal(Some(unit), priority, message, None, None, Vec::new());
    }

    /// Writes a journal entry from the manager about `unit`.
    fn journal(
        &mut self,
        unit: Option<&UnitName>,
        priority: u8,
        message: impl Into<Message>,
        message_id: Option<&'static str>,
        job: Option<(u32, JobResult)>,
        fields: Vec<(&'static str, String)>,
    ) {
        self.log.push(JournalEntry {
            boot: self.clock.boot,
            realtime: self.clock.realtime(),
            monotonic: self.clock.monotonic,
            user: self.opts.scope != Scope::System,
            identifier: std::borrow::Cow::Borrowed("systemd"),
            pid: self.opts.pid,
            unit: unit.cloned(),
            message: message.into(),
            message_id,
            job: job.map(|(id, r)| (id, r.as_str())),
            priority,
            fields,
        });
    }

    /// The sub-state string of a unit, by type.
    fn sub_of(&self, u: &units::Unit) -> &'static str {
        u.sub.as_str()
    }

    /// The main loop: runs jobs and events until nothing is due (or `until` is reached).
    fn run(&mut self, fs: &MemFs, until: Option<Usec>) {
        let until = until.unwrap_or(self.clock.monotonic);
        let mut spins = 0u32;
        let mut last = self.clock.monotonic;
        loop {
            if self.clock.monotonic != last {
                last = self.clock.monotonic;
                spins = 0;
            }
            spins += 1;
            if self.livelocked || spins > LIVELOCK_STEPS {
                self.note_livelock(last);
                break;
            }
            self.dispatch(fs);
            self.propagate(fs);
            if self.any_runnable() {
                continue;
            }
            let Some(next) = self.events.next_at() else {
                break;
            };
            if next > until {
                break;
            }
            if let Some((t, ev)) = self.events.pop() {
                if t > self.clock.monotonic {
                    self.clock.monotonic = t;
                }
                self.events_processed += 1;
                self.handle_event(fs, ev);
            }
        }
        self.collect_garbage();
        if self.check_invariants {
            self.check_all_invariants();
        }
    }

    /// Runs events (moving the clock) until none of `ids` is queued any more; returns false if
    /// that cannot happen (nothing left to run).
    fn wait_for(&mut self, fs: &MemFs, ids: &[u32]) -> bool {
        match self.wait_until(fs, &|m: &Manager| {
            ids.iter().all(|id| !m.jobs.contains_key(id))
        }) {
            Ok(()) => true,
            Err(Stuck::NothingLeft) => {
                let waiting: Vec<String> = ids
                    .iter()
                    .filter_map(|id| self.jobs.get(id))
                    .map(|j| format!("{}/{}", j.unit, j.kind.as_str()))
                    .collect();
                self.violations
                    .push(format!("job waits forever: {}", waiting.join(", ")));
                false
            }
            Err(_) => false,
        }
    }

    /// Runs events (moving the clock) until `done` holds. A real client would wait forever where
    /// the simulated one gives up: after [`MAX_WAIT`] of virtual time, on a livelock, or when
    /// nothing is left to run.
    fn wait_until(&mut self, fs: &MemFs, done: &dyn Fn(&Manager) -> bool) -> Result<(), Stuck> {
        let mut spins = 0u32;
        let mut last = self.clock.monotonic;
        let give_up = self.clock.monotonic.saturating_add(MAX_WAIT);
        loop {
            if self.clock.monotonic > give_up {
                // A start that never ends (a oneshot restarting forever) makes a real systemctl
                // wait forever too; the simulated client gives up.
                return Err(Stuck::Timeout);
            }
            if self.clock.monotonic != last {
                last = self.clock.monotonic;
                spins = 0;
            }
            spins += 1;
            if self.livelocked || spins > LIVELOCK_STEPS {
                self.note_livelock(last);
                return Err(Stuck::Livelock);
            }
            self.dispatch(fs);
            self.propagate(fs);
            if done(self) {
                self.collect_garbage();
                return Ok(());
            }
            if self.any_runnable() {
                continue;
            }
            let Some((t, ev)) = self.events.pop() else {
                return Err(Stuck::NothingLeft);
            };
            if t > self.clock.monotonic {
                self.clock.monotonic = t;
            }
            self.events_processed += 1;
            self.handle_event(fs, ev);
        }
    }

    /// `systemctl --wait`: runs until every unit of `names` is inactive or failed; false if the
    /// simulated client gave up (a unit that never stops).
    pub(crate) fn wait_inactive(&mut self, fs: &MemFs, names: &[UnitName]) -> bool {
        self.wait_until(fs, &|m: &Manager| {
            names
                .iter()
                .all(|n| m.active_state(n.as_str()).is_inactive_or_failed())
        })
        .is_ok()
    }

    /// Records a livelock at `at` (once) and freezes the manager.
    fn note_livelock(&mut self, at: Usec) {
        if !self.livelocked {
            self.livelocked = true;
            self.violations
                .push(format!("livelock: no progress in time at {at} us"));
        }
    }

    fn handle_event(&mut self, fs: &MemFs, ev: Event) {
        match ev {
            Event::ProcExit { unit, pid, exit } => self.process_exited(fs, &unit, pid, exit),
            Event::Timer { unit, gen } => {
                let current = self.units.unit(&unit).map(|u| u.timer_gen);
                if current == Some(gen) {
                    self.timer_fired(fs, &unit);
                }
            }
            Event::TimerWake { gen } => self.timers_wake(fs, gen),
            Event::Watchdog { unit, gen } => self.watchdog_fired(&unit, gen),
        }
    }

    /// Unloads units nothing needs any more (reference §11): systemd's mark and sweep
    /// (`unit_gc_sweep()`). A unit that is not inactive, has a job or processes cannot be
    /// collected; a unit referenced by a unit that is kept is kept too; everything else goes,
    /// units that only reference each other (`Wants=` one way, `After=` the other) included.
    fn collect_garbage(&mut self) {
        use unitlab_engine::graph::DepKind;
        // A unit that may go: inactive, without a job or processes.
        let collectable = |u: &units::Unit| {
            u.sub == Sub::Dead
                && u.job.is_none()
                && u.control.is_none()
                && u.main.is_none()
                && u.id().as_str() != "-.slice"
        };
        // Those that no unit which must stay references directly (usually none: this runs
        // after every command).
        let open: Vec<UnitName> = self
            .units
            .map
            .values()
            .filter(|u| {
                collectable(u)
                    && !u
                        .node
                        .deps_of(DepKind::ReferencedBy)
                        .any(|(r, _)| self.units.unit(r).is_some_and(|ru| !collectable(ru)))
            })
            .map(|u| u.id().clone())
            .collect();
        if open.is_empty() {
            return;
        }
        // Of those, kept: the ones referenced by a collectable unit that is kept (directly, or
        // through others), until nothing changes.
        let open_set: HashSet<&UnitName> = open.iter().collect();
        let mut kept: HashSet<&UnitName> = HashSet::new();
        loop {
            let before = kept.len();
            for c in &open {
                if kept.contains(c) {
                    continue;
                }
                let Some(u) = self.units.unit(c) else {
                    continue;
                };
                let referenced = u
                    .node
                    .deps_of(DepKind::ReferencedBy)
                    .any(|(r, _)| self.units.has(r) && (!open_set.contains(r) || kept.contains(r)));
                if referenced {
                    kept.insert(c);
                }
            }
            if kept.len() == before {
                break;
            }
        }
        let victims: Vec<UnitName> = open.iter().filter(|c| !kept.contains(c)).cloned().collect();
        for v in victims {
            self.units.unload(&v);
        }
    }

    /// Re-reads every loaded unit from disk (daemon-reload), keeping runtime state.
    fn reload_units(&mut self, fs: &MemFs) {
        let old: IndexMap<UnitName, units::Unit, NameHash> = self.units.take_map();
        self.sockets.forget_prototypes();
        self.units.names.clear();
        self.units.flush_cache();
        self.units.reset_graph();
        let ids: Vec<UnitName> = old.keys().cloned().collect();
        self.load(fs, &ids);
        for (id, o) in old {
            if let Some(u) = self.units.unit_mut(&id) {
                let node = std::mem::replace(&mut u.node, o.node.clone());
                let stamp = u.stamp.clone();
                let cfg = u.cfg.clone();
                *u = o;
                u.node = node;
                u.node_changed();
                u.stamp = stamp;
                u.cfg = cfg;
                // systemd 252 does not serialize the start and auto-start/stop rate limits
                // (src/core/unit-serialize.c): a reloaded unit starts with fresh windows, so a
                // unit that ran into its start limit can be started again after daemon-reload.
                u.rl_begin = None;
                u.rl_num = 0;
                u.auto_rl = (None, 0);
                // Nor the exit statuses of the finished commands: after a reload `status`
                // shows no `Process:` lines (the `Main PID:` line stays, from ExecMain*).
                // Verified on the live user manager (user-status-after-reload.md).
                u.records.clear();
            } else if o.job.is_some() || o.sub != Sub::Dead {
                // Renamed away (e.g. now an alias): keep the runtime unit as it was.
                self.units.names.insert(id.to_string(), id.clone());
                self.units.map.insert(id, o);
            }
        }
        self.timers_reloaded(fs);
        self.paths_reloaded(fs);
    }
}
