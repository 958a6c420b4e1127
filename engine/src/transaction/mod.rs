//! Transactions (reference §6.1–6.2): the jobs the service manager would queue when asked to start,
//! stop, restart, reload or isolate a unit, computed offline from a [`Graph`].
//!
//! # The model
//!
//! A *job* is one action on one unit ([`JobType`]: `start`, `verify-active`, `stop`, `reload`,
//! `restart`, `nop`). A *transaction* is the set of jobs one request adds, built around the
//! *anchor* job (the one asked for) as `manager_add_job()` builds it:
//!
//! 1. **Checks.** `isolate` only with start and only for units with `AllowIsolate=yes`;
//!    `triggering` only with stop. A manual request (`systemctl start`) also honours
//!    `RefuseManualStart=`/`RefuseManualStop=` and refuses to stop an inactive unit that failed to
//!    load. `try-restart`, `try-reload` and `reload-or-start` collapse against the unit's state.
//! 2. **Jobs and dependency jobs**, recursively: every job but `stop` needs its unit `loaded`
//!    (else `Unit X is masked.`, `Unit X not found.`, `Unit X has a bad unit file setting.` or
//!    `Unit X failed to load properly, ...`), and the unit must support the job type (`Job type
//!    reload is not applicable for unit X.`). A start or restart pulls in start jobs over
//!    `Requires=`/`BindsTo=` (their failure fails the whole transaction), over `Wants=`/`Upholds=`
//!    (failures ignored, with `X: Cannot add dependency job, ignoring: ...` as a warning unless the
//!    unit is masked, missing or cannot do the job), `verify-active` over `Requisite=`, and stop jobs
//!    over `Conflicts=` (fatal) and `ConflictedBy` (ignored with a warning). A stop propagates stop
//!    jobs to the units that require, are bound to, are part of or get stop propagated from it; a
//!    restart propagates `try-restart` to the same units but `PropagatesStopTo=`; a reload
//!    propagates `try-reload` over `PropagatesReloadTo=`. `isolate` adds stop jobs for every active
//!    unit not in the transaction (except `IgnoreOnIsolate=` units and units triggered by kept
//!    units); `triggering` adds stop jobs for the active units that trigger the anchor's unit.
//!    `ignore-requirements` and `ignore-dependencies` add no dependency job (the latter also ignores
//!    ordering). Each job records the jobs that pulled it in and through which dependency
//!    ([`Job::pulled_in_by`]).
//! 3. **Activation.** Jobs reachable from the anchor through requirement links *matter*. In mode
//!    `fail`, jobs that do not matter and would stop a running unit or change a queued job are
//!    dropped. Redundant jobs are dropped against the [`RuntimeState`] (start of an active unit,
//!    stop of an inactive one; never the anchor), then jobs nothing pulls in any more. Ordering
//!    cycles among the jobs (over `After=`/`Before=`, stops before starts) are broken by deleting a
//!    unit's jobs that do not matter, with systemd's messages (`X: Found ordering cycle on Y/start`,
//!    `X: Found dependency on Z/start`, `X: Job Y/start deleted to break ordering cycle starting
//!    with X/start`), or fail the transaction (`Transaction order is cyclic. See system logs for
//!    details.`). Each unit's jobs are merged into one ([`JobType::merge`]); two that cannot merge
//!    lose the one that matters less or fail the transaction (`Transaction contains conflicting
//!    jobs 'start' and 'stop' for X. ...`). Finally a transaction that would replace a queued job in
//!    mode `fail`, or an irreversible one, is refused (`Transaction for A/start is destructive
//!    ...`).
//!
//! The result ([`Transaction`]) has one job per unit, sorted by unit name, and the queued jobs that
//! `isolate`/`flush` would cancel. Messages go to the caller's list ([`Message`]), worded as systemd
//! logs them; errors ([`TransactionError`]) display systemd's D-Bus error text.
//!
//! The runtime state is all inactive by default (the perpetual `-.slice`, `system.slice`,
//! `-.mount` and `init.scope` active, as in a freshly started manager and in `systemd --test`);
//! a simulator passes the real states and queued jobs.
//!
//! # Where the result may differ from systemd
//!
//! systemd walks a unit's dependencies and the transaction's jobs in hash-table order, which is not
//! stable across builds or runs. The engine walks them in a fixed order (dependency kinds in
//! systemd's enum order, units in the order the dependencies were added; the transaction's units in
//! the order they got their first job, the anchor first). The job set agrees wherever the order
//! does not matter, which is everywhere except:
//! - **which job is deleted to break an ordering cycle**: systemd deletes the first unit that does
//!   not matter on the way back along the cycle from where its search closed it, and where the
//!   search starts depends on hash order. The engine detects the same cycles and deletes one
//!   non-mattering unit of each, but not necessarily the same one;
//! - **which failure is reported** when several required dependencies fail: systemd reports the
//!   first one it meets;
//! - a `Wants=` dependency whose own requirements fail keeps the jobs systemd added for it before
//!   meeting the failure, so which of its other dependencies got jobs depends on the order too;
//! - `isolate` keeps a unit whose triggering unit already has a job in the transaction, including an
//!   isolate stop job added just before: whether a triggered service is stopped with its socket
//!   depends on which of the two the walk over all units meets first (the engine walks units in
//!   load order).
//!
//! Not modelled: units "following" others (device aliases), reloading a `not-found` unit when the
//! unit directories changed since the last load, and installing the jobs (merging with queued jobs
//! of the same unit is the simulator's business: [`JobType::merge`] and [`JobType::collapse`] give
//! the rules).
//!
//! systemd itself is not deterministic here: its hash key is random per run, and the same tree can
//! give different transactions from one run to the next (verified: a `Wants=` unit whose
//! requirement is masked keeps or loses its other dependency jobs from run to run).
//!
//! Verified against `systemd --test --system` (tests `transaction_differential`: hand-written trees
//! for the rules above and ≥ 500 random graphs per run; `transaction_corpus`: the Debian corpus
//! before and after `preset-all`, with the graph's load states and dependency lines): start
//! transactions only, since that is all `systemd --test` plans (in mode `isolate` for units with
//! `AllowIsolate=yes`, as its default-target job). When the result differs from systemd's first run,
//! systemd is run again: the result must equal one of its runs, or differ only in the documented
//! ways. Stop, restart, try-restart and reload propagation, `triggering` and `isolate` are checked
//! against a live user manager (sim test `plan_live`: the units the manager stops, restarts, reloads
//! or starts are exactly the planned jobs). The other modes and the manual-request checks follow
//! the reference and systemd's source
//! (`transaction.c`, `job.c`, `manager.c`, `dbus-unit.c`), with unit tests and CLI snapshots.
//!
//! # Cost
//!
//! Linear in jobs and dependency links: jobs and the links between them live in arenas indexed by
//! number, the recursion of systemd is an explicit stack (deep graphs cannot overflow the stack),
//! garbage collection works from a work list, and the graph is walked by position
//! ([`Graph::adjacency`], built once per graph) without hashing names. Independent of the graph's
//! size: the runtime state is asked unit by unit ([`RuntimeView`]) for the units the transaction
//! touches, and the per-unit tables are kept per thread between plans (only the entries a plan set
//! are reset), so a simulator with thousands of units plans a small restart in microseconds
//! (`isolate` and `flush` still look at every unit).
//!
//! # Example
//!
//! ```
//! use unitlab_engine::fs::MemFs;
//! use unitlab_engine::graph::{Graph, GraphOptions};
//! use unitlab_engine::load::{Catalog, LookupPaths, MapEnv, Scope};
//! use unitlab_engine::name::UnitName;
//! use unitlab_engine::transaction::{plan, JobType, Request, RuntimeState};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fs = MemFs::new();
//! fs.add_file("/etc/systemd/system/app.target", "[Unit]\nRequires=db.service\nWants=gone.service\n")?;
//! fs.add_file("/etc/systemd/system/db.service", "[Unit]\nDefaultDependencies=no\n[Service]\nExecStart=/bin/db\n")?;
//! let paths = LookupPaths::new(Scope::System, None, &MapEnv::new("/"))?;
//! let mut diags = Vec::new();
//! let catalog = Catalog::build(&fs, &paths, &mut diags);
//! let app = UnitName::new("app.target")?;
//! let graph = Graph::build(&fs, &catalog, &[app], GraphOptions::default(), &mut diags);
//!
//! let mut messages = Vec::new();
//! let tr = plan(&graph, &Request::new("app.target", JobType::Start), &RuntimeState::new(), &mut messages)?;
//! let jobs: Vec<String> = tr.jobs.iter().map(|j| format!("{} {}", j.unit, j.job_type)).collect();
//! // gone.service is missing: a Wants= failure is ignored. system.slice is already active.
//! assert_eq!(jobs, ["app.target start", "db.service start"]);
//! assert_eq!(tr.job("db.service").map(|j| j.pulled_in_by[0].via.to_string()).as_deref(), Some("Requires"));
//! # Ok(())
//! # }
//! ```
//!
//! [`Graph`]: crate::graph::Graph

mod activate;
mod build;
mod error;
mod finish;
mod job;
mod modes;
mod result;
mod state;
mod unit_info;

pub use error::TransactionError;
pub use job::{JobMode, JobType};
pub use result::{Job, Message, PulledInBy, Transaction, Via};
pub use state::{ActiveState, InstalledJob, RuntimeState, RuntimeView};

use crate::graph::Graph;
use crate::load::LoadState;
use build::Planner;

/// What is asked for: a job type on a unit, with a job mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The unit (an id or another name the graph knows it by).
    pub unit: String,
    /// The job type asked for (`start`, `stop`, `restart`, `reload`, `try-restart`, ...).
    pub job_type: JobType,
    /// The job mode (default `replace`).
    pub mode: JobMode,
    /// A manual request as `systemctl` makes it: also apply the D-Bus method's checks
    /// (`RefuseManualStart=`/`RefuseManualStop=`, `Unit X not loaded.` for stopping an inactive
    /// unit that failed to load). `systemd --test` makes no such checks. Default false.
    pub manual: bool,
    /// `reload-or-restart`/`try-reload-or-restart`: a restart becomes `reload-or-start` and a
    /// try-restart `try-reload` if the unit can reload. Default false.
    pub reload_if_possible: bool,
}

impl Request {
    /// A request with mode `replace`, not manual.
    pub fn new(unit: impl Into<String>, job_type: JobType) -> Request {
        Request {
            unit: unit.into(),
            job_type,
            mode: JobMode::Replace,
            manual: false,
            reload_if_possible: false,
        }
    }

    /// The same request with another mode.
    pub fn mode(mut self, mode: JobMode) -> Request {
        self.mode = mode;
        self
    }

    /// The same request, made manually (see [`Request::manual`]).
    pub fn manual(mut self, manual: bool) -> Request {
        self.manual = manual;
        self
    }

    /// The same request, reloading if possible (see [`Request::reload_if_possible`]).
    pub fn reload_if_possible(mut self, yes: bool) -> Request {
        self.reload_if_possible = yes;
        self
    }
}

/// Plans the transaction of `request` on `graph` against `state` (see the module docs). The
/// graph must hold the unit (load it with [`Graph::load`] first). Messages are appended to
/// `messages` whether the transaction succeeds or not.
///
/// `state` is consulted unit by unit ([`RuntimeView`]): planning costs what the transaction
/// touches (plus the queued jobs), not the size of the graph — except `isolate` and `flush`, which
/// look at every unit.
pub fn plan<S: RuntimeView>(
    graph: &Graph,
    request: &Request,
    state: &S,
    messages: &mut Vec<Message>,
) -> Result<Transaction, TransactionError> {
    plan_in(graph, request, state, messages)
}

fn plan_in(
    graph: &Graph,
    request: &Request,
    state: &dyn RuntimeView,
    messages: &mut Vec<Message>,
) -> Result<Transaction, TransactionError> {
    let index = graph
        .resolve(&request.unit)
        .and_then(|id| graph.index_of(id.as_str()))
        .ok_or_else(|| TransactionError::NoSuchUnit(request.unit.clone()))?;
    let node = graph.node_at(index);
    let manager = graph.options().manager;
    let id = node.id().clone();
    let active = state
        .active_state(&id)
        .unwrap_or(if unit_info::is_perpetual(node, manager) {
            ActiveState::Active
        } else {
            ActiveState::Inactive
        });

    // The D-Bus method (bus_unit_queue_job()).
    let mut job_type = request.job_type;
    if request.reload_if_possible && unit_info::can_reload(node) {
        job_type = match job_type {
            JobType::Restart => JobType::ReloadOrStart,
            JobType::TryRestart => JobType::TryReload,
            t => t,
        };
    }
    if request.manual {
        if job_type == JobType::Stop
            && matches!(
                node.load_state(),
                LoadState::NotFound | LoadState::Error | LoadState::BadSetting
            )
            && active == ActiveState::Inactive
        {
            return Err(TransactionError::NotLoaded(id));
        }
        let start = unit_info::refuse_manual_start(node);
        let stop = unit_info::refuse_manual_stop(node);
        let refused = match job_type {
            JobType::Start => start,
            JobType::Stop => stop,
            JobType::Restart | JobType::TryRestart => start || stop,
            JobType::ReloadOrStart => job_type.collapse(active) == JobType::Start && start,
            _ => false,
        };
        if refused {
            return Err(TransactionError::OnlyByDependency(id));
        }
    }

    // manager_add_job().
    let mode = request.mode;
    if mode == JobMode::Isolate && job_type != JobType::Start {
        return Err(TransactionError::IsolateOnlyForStart);
    }
    if mode == JobMode::Isolate && !unit_info::allow_isolate(node) {
        return Err(TransactionError::NoIsolation);
    }
    if mode == JobMode::Triggering && job_type != JobType::Stop {
        return Err(TransactionError::TriggeringOnlyForStop);
    }
    let job_type = job_type.collapse(active);

    let mut p = Planner::new(graph, state, mode == JobMode::ReplaceIrreversibly, messages);
    p.add_job_and_dependencies(
        job_type,
        index,
        None,
        matches!(
            mode,
            JobMode::IgnoreDependencies | JobMode::IgnoreRequirements
        ),
        mode == JobMode::IgnoreDependencies,
    )?;
    if mode == JobMode::Isolate {
        p.add_isolate_jobs();
    }
    if mode == JobMode::Triggering {
        p.add_triggering_jobs(index);
    }
    p.activate(mode)?;
    Ok(p.finish(mode, index, job_type))
}

#[cfg(test)]
mod tests;
