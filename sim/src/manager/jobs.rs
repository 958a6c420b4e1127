//! Jobs: building the set of jobs a request needs, installing them, running them in the order
//! `After=`/`Before=` allow, finishing them with a result, and the state-change propagation of
//! `BindsTo=`, `StopWhenUnneeded=`, `Upholds=`, `OnFailure=` and `OnSuccess=` (reference §6).
//!
//! The jobs of a request are planned by the engine's transaction planner
//! ([`unitlab_engine::transaction::plan`]) on the manager's dependency graph, against the units'
//! runtime states and queued jobs; this module installs them (merging with or replacing queued
//! jobs, `canceled`), runs them and finishes them. The planner reads the states unit by unit from
//! the manager's tables (a `RuntimeView`), and a plan is kept for the next identical request while
//! nothing it depended on changed ([`super::plan_cache`]).
use super::plan_cache::{Plan, PlanKey, Recipe};
use super::state::{ActiveState, JobResult, JobType, Sub};
use super::{journal::ids, Job, Manager, Message};
use std::cell::RefCell;
use std::rc::Rc;
use unitlab_engine::diag::Severity;
use unitlab_engine::fs::MemFs;
use unitlab_engine::graph::DepKind;
use unitlab_engine::load::LoadState;
use unitlab_engine::name::{NameKind, UnitName, UnitType};
use unitlab_engine::transaction::{
    self, ActiveState as TActiveState, InstalledJob, JobMode, RuntimeView, TransactionError,
};

/// What a client asks for (before collapsing against the unit's state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// `start`.
    Start,
    /// `stop`.
    Stop,
    /// `restart`.
    Restart,
    /// `try-restart`.
    TryRestart,
    /// `reload`.
    Reload,
    /// `reload-or-restart`.
    ReloadOrRestart,
    /// `try-reload-or-restart`.
    TryReloadOrRestart,
}

/// The job mode (`--job-mode=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `replace` (default).
    Replace,
    /// `fail`.
    Fail,
    /// `isolate`.
    Isolate,
    /// `flush`.
    Flush,
    /// `ignore-dependencies`.
    IgnoreDependencies,
    /// `ignore-requirements`.
    IgnoreRequirements,
}

impl Mode {
    /// Parses `--job-mode=` values.
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "replace" | "replace-irreversibly" => Mode::Replace,
            "fail" => Mode::Fail,
            "isolate" => Mode::Isolate,
            "flush" => Mode::Flush,
            "ignore-dependencies" => Mode::IgnoreDependencies,
            "ignore-requirements" => Mode::IgnoreRequirements,
            _ => return None,
        })
    }
}

/// Why a request was refused (a D-Bus error in systemd).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnError {
    /// Which error.
    pub kind: TxnErrorKind,
    /// The bus error message (`Unit foo.service is masked.`).
    pub message: String,
}

/// The D-Bus error classes the manager returns for refused requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnErrorKind {
    /// `NoSuchUnit`.
    NoSuchUnit,
    /// `UnitMasked`.
    Masked,
    /// `BadUnitSetting`.
    BadSetting,
    /// `LoadFailed` and other load errors.
    LoadFailed,
    /// `JobTypeNotApplicable`.
    NotApplicable,
    /// `OnlyByDependency` and `NoIsolation`.
    Refused,
    /// `TransactionIsDestructive`.
    Destructive,
    /// `TransactionJobsConflicting`.
    Conflicting,
    /// A stop of a unit that is not loaded.
    NotLoaded,
    /// `InvalidArgs`: a template name without instance.
    InvalidName,
}

impl TxnError {
    fn new(kind: TxnErrorKind, message: String) -> TxnError {
        TxnError { kind, message }
    }

    /// systemctl's exit status for this error (reference §7.1).
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            TxnErrorKind::NoSuchUnit | TxnErrorKind::NotLoaded => 5,
            TxnErrorKind::NotApplicable => 3,
            TxnErrorKind::Refused | TxnErrorKind::Destructive => 4,
            _ => 1,
        }
    }

    /// Whether systemctl adds "See system logs and 'systemctl status X' for details.".
    pub fn hints_logs(&self) -> bool {
        !matches!(
            self.kind,
            TxnErrorKind::NoSuchUnit
                | TxnErrorKind::Masked
                | TxnErrorKind::NotApplicable
                | TxnErrorKind::NotLoaded
        )
    }
}

/// The error of a unit that is not loaded (reference §6.2).
fn load_error(u: &super::units::Unit) -> TxnError {
    let id = u.id();
    match u.load_state() {
        LoadState::NotFound => {
            TxnError::new(TxnErrorKind::NoSuchUnit, format!("Unit {id} not found."))
        }
        LoadState::Masked => TxnError::new(TxnErrorKind::Masked, format!("Unit {id} is masked.")),
        LoadState::BadSetting => TxnError::new(
            TxnErrorKind::BadSetting,
            format!("Unit {id} has a bad unit file setting."),
        ),
        LoadState::Error => {
            let why = u
                .node
                .unit
                .load_error
                .as_ref()
                .map(|e| e.strerror().to_owned())
                .unwrap_or_default();
            TxnError::new(
                TxnErrorKind::LoadFailed,
                format!("Unit {id} failed to load properly, please adjust/correct and reload service manager: {why}"),
            )
        }
        _ => TxnError::new(
            TxnErrorKind::LoadFailed,
            format!("Unit {id} is not loaded properly."),
        ),
    }
}

/// The bus error message of a unit that is not loaded (`Unit X is masked.`), as `status` shows
/// it after `Reason:`.
pub fn load_error_message(u: &super::units::Unit) -> String {
    load_error(u).message
}

/// Whether a unit can reload (`CanReload=`).
pub fn can_reload(u: &super::units::Unit) -> bool {
    match &u.cfg.service {
        Some(s) => !s.reload.is_empty(),
        None => false,
    }
}

impl Manager {
    /// Plans the jobs for `request` on `name` with the engine's transaction planner (against the
    /// units' runtime states and queued jobs) and installs them; returns the anchor job's id.
    /// `manual` applies the D-Bus method's checks (`RefuseManualStart=`, stopping a unit that is
    /// not loaded) as for a request from `systemctl`.
    pub(crate) fn enqueue(
        &mut self,
        fs: &MemFs,
        name: &UnitName,
        request: Request,
        mode: Mode,
    ) -> Result<u32, TxnError> {
        self.enqueue_ext(fs, name, request, mode, false)
    }

    pub(crate) fn enqueue_ext(
        &mut self,
        fs: &MemFs,
        name: &UnitName,
        request: Request,
        mode: Mode,
        manual: bool,
    ) -> Result<u32, TxnError> {
        // A loaded unit's id is never a template: the checks below are for other names.
        let id = match self.loaded_id(name) {
            Some(id) => id,
            None => {
                if name.kind() == NameKind::Template {
                    return Err(TxnError::new(
                        TxnErrorKind::InvalidName,
                        format!("Unit name {name} is missing the instance name."),
                    ));
                }
                let Some(id) = self.load_one(fs, name) else {
                    return Err(TxnError::new(
                        TxnErrorKind::NoSuchUnit,
                        format!("Unit {name} not found."),
                    ));
                };
                id
            }
        };
        let (job_type, reload_if) = match request {
            Request::Start => (JobType::Start, false),
            Request::Stop => (JobType::Stop, false),
            Request::Restart => (JobType::Restart, false),
            Request::TryRestart => (JobType::TryRestart, false),
            Request::Reload => (JobType::Reload, false),
            Request::ReloadOrRestart => (JobType::Restart, true),
            Request::TryReloadOrRestart => (JobType::TryRestart, true),
        };
        let tmode = match mode {
            Mode::Replace => JobMode::Replace,
            Mode::Fail => JobMode::Fail,
            Mode::Isolate => JobMode::Isolate,
            Mode::Flush => JobMode::Flush,
            Mode::IgnoreDependencies => JobMode::IgnoreDependencies,
            Mode::IgnoreRequirements => JobMode::IgnoreRequirements,
        };
        let key = PlanKey {
            unit: id.clone(),
            job_type,
            mode,
            manual,
            reload_if,
        };
        let plan = match self.kept_plan(&key) {
            Some(plan) => plan,
            None => {
                let Some(plan) = self.plan(&id, job_type, tmode, manual, reload_if) else {
                    return Err(TxnError::new(
                        TxnErrorKind::NoSuchUnit,
                        format!("Unit {name} not found."),
                    ));
                };
                let plan = Rc::new(plan);
                self.units.plans.insert(key, Rc::clone(&plan));
                plan
            }
        };
        for (unit, prio, text) in &plan.messages {
            self.journal(unit.as_ref(), *prio, text.clone(), None, None, Vec::new());
        }
        let recipe = plan.result.clone()?;
        self.install(&recipe, &id)
    }

    /// A kept plan for `key` that still holds (see [`super::plan_cache`]).
    fn kept_plan(&self, key: &PlanKey) -> Option<Rc<Plan>> {
        let found = self
            .units
            .plans
            .get(key)
            .iter()
            .find(|plan| self.plan_holds(plan))
            .cloned();
        debug_assert_eq!(
            found.as_ref().map(Rc::as_ptr),
            self.units
                .plans
                .get(key)
                .iter()
                .find(|plan| {
                    plan.consulted.iter().all(|(unit, was)| {
                        self.units.unit(unit).map(|u| to_tstate(u.active())) == *was
                    }) && plan
                        .jobs
                        .iter()
                        .all(|(unit, was)| queued_job(&self.units, &self.jobs, unit) == *was)
                })
                .map(Rc::as_ptr),
            "kept plan check by position differs"
        );
        found
    }

    /// Whether every unit the planner consulted for `plan` is as it was then: the same active
    /// state and the same queued job. Each unit is read at its position when the table still
    /// holds it there (the key at that position is the very name kept: two live names never
    /// share their text), else looked up.
    fn plan_holds(&self, plan: &Plan) -> bool {
        plan.checks.iter().all(|c| {
            let u = match self.units.map.get_index(c.at) {
                Some((k, u)) if std::ptr::eq(k.as_str(), c.key.as_str()) => Some(u),
                _ => self.units.unit(&c.key),
            };
            c.state
                .is_none_or(|was| u.map(|u| to_tstate(u.active())) == was)
                && c.job.is_none_or(|was| {
                    u.and_then(|u| u.job)
                        .and_then(|jid| self.jobs.get(&jid))
                        .map(|j| j.kind)
                        == was
                })
        })
    }

    /// Plans a request with the engine's planner against the manager's tables; `None` without a
    /// graph.
    fn plan(
        &self,
        id: &UnitName,
        job_type: JobType,
        mode: JobMode,
        manual: bool,
        reload_if: bool,
    ) -> Option<Plan> {
        let graph = self.units.graph.as_ref()?;
        let state = View {
            units: &self.units,
            jobs: &self.jobs,
            consulted: RefCell::new(Vec::new()),
            consulted_jobs: RefCell::new(Vec::new()),
        };
        let req = transaction::Request::new(id.as_str(), job_type)
            .mode(mode)
            .manual(manual)
            .reload_if_possible(reload_if);
        let mut messages = Vec::new();
        let planned = transaction::plan(graph, &req, &state, &mut messages);
        let messages = messages
            .into_iter()
            .filter_map(|m| {
                let prio = match m.severity {
                    Severity::Error => 3,
                    Severity::Warning => 4,
                    Severity::Notice => 5,
                    Severity::Info => 6,
                    Severity::Debug => return None,
                };
                let text = m.to_string();
                Some((m.unit, prio, text))
            })
            .collect();
        let result = planned.map_err(convert_error).map(|tr| {
            let mut jobs: Vec<(UnitName, JobType, bool, bool)> = Vec::new();
            for anchor in [true, false] {
                for j in tr.jobs.iter().filter(|j| j.anchor == anchor) {
                    jobs.push((j.unit.clone(), j.job_type, j.anchor, j.ignore_order));
                }
            }
            Rc::new(Recipe {
                jobs,
                cancelled: tr.cancelled,
            })
        });
        let mut consulted = state.consulted.into_inner();
        consulted.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        consulted.dedup_by(|a, b| a.0 == b.0);
        let mut jobs = state.consulted_jobs.into_inner();
        jobs.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        jobs.dedup_by(|a, b| a.0 == b.0);
        let checks = self.checks_of(&consulted, &jobs);
        Some(Plan {
            consulted,
            jobs,
            checks,
            messages,
            result,
        })
    }

    /// The consulted units' states and jobs (both sorted by name) merged into one list by unit,
    /// with each unit's key and position in the table.
    fn checks_of(
        &self,
        consulted: &[(UnitName, Option<TActiveState>)],
        jobs: &[(UnitName, Option<JobType>)],
    ) -> Vec<super::plan_cache::Consulted> {
        let mut out: Vec<super::plan_cache::Consulted> = Vec::new();
        let (mut a, mut b) = (consulted.iter().peekable(), jobs.iter().peekable());
        loop {
            let (name, state, job) = match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some((n, s)), Some((m, j))) if n == m => {
                    let r = (n, Some(*s), Some(*j));
                    a.next();
                    b.next();
                    r
                }
                (Some((n, s)), Some((m, _))) if n.as_str() < m.as_str() => {
                    let r = (n, Some(*s), None);
                    a.next();
                    r
                }
                (Some((n, s)), None) => {
                    let r = (n, Some(*s), None);
                    a.next();
                    r
                }
                (_, Some((m, j))) => {
                    let r = (m, None, Some(*j));
                    b.next();
                    r
                }
            };
            let (key, at) = match self.units.position(name) {
                Some(at) => match self.units.map.get_index(at) {
                    Some((k, _)) => (k.clone(), at),
                    None => (name.clone(), usize::MAX),
                },
                None => (name.clone(), usize::MAX),
            };
            out.push(super::plan_cache::Consulted {
                key,
                at,
                state,
                job,
            });
        }
        out
    }

    /// Installs a planned transaction: the anchor's job first, then the others; each merges
    /// with the unit's queued job or replaces it (`canceled`).
    fn install(&mut self, tr: &Recipe, anchor: &UnitName) -> Result<u32, TxnError> {
        // The states the transaction was planned against (installing changes no unit's state,
        // but read them all first all the same).
        // (On the stack for the usual few jobs: a timer's start installs one.)
        let state_of = |unit: &UnitName| {
            self.units
                .unit(unit)
                .map(|u| to_tstate(u.active()))
                .unwrap_or(TActiveState::Inactive)
        };
        let mut few = [TActiveState::Inactive; 8];
        let many: Vec<TActiveState>;
        let states: &[TActiveState] = if tr.jobs.len() <= few.len() {
            for (slot, (unit, ..)) in few.iter_mut().zip(&tr.jobs) {
                *slot = state_of(unit);
            }
            &few[..tr.jobs.len()]
        } else {
            many = tr.jobs.iter().map(|(unit, ..)| state_of(unit)).collect();
            &many
        };
        let mut anchor_id = 0;
        for ((unit, job_type, is_anchor, ignore_order), &active) in tr.jobs.iter().zip(states) {
            let kind = installed_type(job_type.collapse(active));
            if kind == JobType::Nop && !*is_anchor {
                continue;
            }
            if !self.units.has(unit) {
                continue;
            }
            let existing = self.units.unit(unit).and_then(|u| u.job);
            let id = match existing.and_then(|jid| self.jobs.get(&jid).map(|j| (jid, j.kind))) {
                Some((jid, k)) => match merge(k, kind) {
                    Some(m) => {
                        if let Some(j) = self.jobs.get_mut(&jid) {
                            if !j.running || m == k {
                                j.kind = m;
                            }
                        }
                        self.job_epoch += 1;
                        jid
                    }
                    None => {
                        self.finish_job(jid, JobResult::Canceled, false);
                        self.new_job(unit, kind, *ignore_order)
                    }
                },
                None => self.new_job(unit, kind, *ignore_order),
            };
            if *is_anchor || (unit == anchor && anchor_id == 0) {
                anchor_id = id;
            }
        }
        for c in &tr.cancelled {
            if let Some(jid) = self.units.unit(c).and_then(|u| u.job) {
                self.finish_job(jid, JobResult::Canceled, false);
            }
        }
        if anchor_id == 0 {
            // The anchor's job was dropped (redundant): a job that is done at once.
            anchor_id = self.new_job(anchor, JobType::Nop, true);
        }
        Ok(anchor_id)
    }

    pub(crate) fn new_job(&mut self, unit: &UnitName, kind: JobType, ignore_order: bool) -> u32 {
        let id = self.next_job_id;
        self.next_job_id += 1;
        // `attach_job` done in place: the unit's job becomes this one (its previous job, if
        // any, is no longer current), so the new job is current when the unit is loaded.
        let old = self.units.unit_mut(unit).map(|u| u.job.replace(id));
        if let Some(Some(old)) = old {
            if let Some(j) = self.jobs.get_mut(&old) {
                j.current = false;
            }
        }
        self.jobs.insert(
            id,
            Job {
                id,
                unit: unit.clone(),
                kind,
                running: false,
                ignore_order,
                blocked: false,
                current: old.is_some(),
            },
        );
        self.waiting.insert(id);
        self.job_epoch += 1;
        id
    }

    /// Makes job `id` (queued, of `unit`) the unit's job; the job it had before, if any, is
    /// no longer current.
    fn attach_job(&mut self, unit: &UnitName, id: u32) {
        self.job_epoch += 1;
        let Some(u) = self.units.unit_mut(unit) else {
            return;
        };
        let old = u.job.replace(id);
        if let Some(old) = old.filter(|o| *o != id) {
            if let Some(j) = self.jobs.get_mut(&old) {
                j.current = false;
            }
        }
        if let Some(j) = self.jobs.get_mut(&id) {
            j.current = true;
        }
    }

    /// Whether job `j` is its unit's job (the flag, checked against the table in debug builds).
    fn is_current(&self, j: &Job) -> bool {
        debug_assert_eq!(
            j.current,
            self.units.unit(&j.unit).and_then(|u| u.job) == Some(j.id),
            "job {} of {}: current flag out of date",
            j.id,
            j.unit
        );
        j.current
    }

    /// True if some waiting job may run now.
    pub(crate) fn any_runnable(&self) -> bool {
        debug_assert!(
            self.jobs
                .values()
                .all(|j| j.running != self.waiting.contains(&j.id))
                && self.waiting.iter().all(|id| self.jobs.contains_key(id)),
            "the waiting set is out of date"
        );
        self.waiting_jobs().any(|j| self.runnable(j))
    }

    /// The queued jobs that are not running, by id.
    fn waiting_jobs(&self) -> impl Iterator<Item = &Job> {
        self.waiting.iter().filter_map(|id| self.jobs.get(id))
    }

    fn runnable(&self, j: &Job) -> bool {
        if j.kind == JobType::Nop || j.ignore_order {
            return true;
        }
        // Only another unit's job can hold this one back: with no other job queued there is
        // nothing to look up (a unit's `job` always names a queued job of that unit).
        if self.jobs.len() <= 1 {
            debug_assert!(
                self.runnable_by_neighbours(j),
                "runnable: one-job path differs"
            );
            return true;
        }
        if self.jobs.len() <= 4 {
            // Few jobs: ask whether the other jobs' units are neighbours, instead of looking up
            // every neighbour (a service is ordered after and before a dozen units).
            let Some(u) = self.units.unit(&j.unit) else {
                return true;
            };
            let stopping = matches!(j.kind, JobType::Stop | JobType::Restart);
            let ok = self.jobs.values().all(|o| {
                if o.id == j.id || !self.is_current(o) {
                    return true;
                }
                let after = !stopping && u.node.has_dep(DepKind::After, o.unit.as_str());
                let before = matches!(o.kind, JobType::Stop | JobType::Restart)
                    && u.node.has_dep(DepKind::Before, o.unit.as_str());
                !(after || before)
            });
            debug_assert_eq!(
                ok,
                self.runnable_by_neighbours(j),
                "runnable: few-jobs path differs"
            );
            return ok;
        }
        self.runnable_by_neighbours(j)
    }

    /// [`Manager::runnable`] by looking at every `After=`/`Before=` neighbour's job (what
    /// systemd's `job_is_runnable()` does).
    fn runnable_by_neighbours(&self, j: &Job) -> bool {
        if j.kind == JobType::Nop || j.ignore_order {
            return true;
        }
        let Some(u) = self.units.unit(&j.unit) else {
            return true;
        };
        let stopping = matches!(j.kind, JobType::Stop | JobType::Restart);
        for (x, _) in u.node.deps_of(DepKind::After) {
            if let Some(xj) = self.units.unit(x).and_then(|x| x.job) {
                if xj != j.id && !stopping {
                    return false;
                }
            }
        }
        for (x, _) in u.node.deps_of(DepKind::Before) {
            if let Some(xj) = self.units.unit(x).and_then(|x| x.job) {
                if xj != j.id
                    && self
                        .jobs
                        .get(&xj)
                        .is_some_and(|o| matches!(o.kind, JobType::Stop | JobType::Restart))
                {
                    return false;
                }
            }
        }
        true
    }

    /// Runs every job that may run, until none can.
    pub(crate) fn dispatch(&mut self, fs: &MemFs) {
        for _ in 0..10_000 {
            // The runnable jobs in run-queue order; one job alone needs no ordering (and no
            // list).
            let (one, ready): (Option<u32>, Vec<u32>) = {
                let mut runnable = self.waiting_jobs().filter(|j| self.runnable(j));
                let Some(first) = runnable.next() else {
                    return;
                };
                match runnable.next() {
                    None => (Some(first.id), Vec::new()),
                    Some(second) => {
                        let mut ready: Vec<(std::cmp::Reverse<u8>, &str, u32)> = [first, second]
                            .into_iter()
                            .chain(runnable)
                            .map(|j| {
                                (
                                    std::cmp::Reverse(j.unit.unit_type() as u8),
                                    j.unit.as_str(),
                                    j.id,
                                )
                            })
                            .collect();
                        // systemd's run queue hands out runnable jobs by unit priority
                        // (`unit_compare_priority()`): the later unit type first (slices
                        // before services), then by name; so `a.service`'s start runs before
                        // the check of its `Requisite=` `b.service` (manager_props regression,
                        // verified on the live manager).
                        ready.sort_unstable();
                        (None, ready.into_iter().map(|(_, _, id)| id).collect())
                    }
                }
            };
            if let Some(id) = one {
                self.run_job(fs, id);
                continue;
            }
            // Whether a job may run depends on the queued jobs of its unit's neighbours and on
            // the graph: while neither changed since the list was made (running a oneshot's
            // start job changes neither), the jobs listed are still runnable.
            let (epoch, graph) = (self.job_epoch, self.units.plans.generation());
            for id in ready {
                let ok = self.jobs.get(&id).is_some_and(|j| {
                    !j.running
                        && if self.job_epoch == epoch && self.units.plans.generation() == graph {
                            debug_assert!(
                                self.runnable(j),
                                "dispatch: job {id} no longer runnable"
                            );
                            true
                        } else {
                            self.runnable(j)
                        }
                });
                if ok {
                    self.run_job(fs, id);
                }
            }
        }
    }

    fn run_job(&mut self, fs: &MemFs, id: u32) {
        let Some(j) = self.jobs.get_mut(&id) else {
            return;
        };
        j.running = true;
        let (unit, kind) = (j.unit.clone(), j.kind);
        self.waiting.remove(&id);
        if !self.units.has(&unit) {
            self.finish_job(id, JobResult::Done, true);
            return;
        }
        match kind {
            JobType::Nop => self.finish_job(id, JobResult::Done, true),
            JobType::VerifyActive => {
                let a = self.state_of(&unit);
                if a.is_active_or_reloading() {
                    self.finish_job(id, JobResult::Done, true);
                } else if a != ActiveState::Activating {
                    self.finish_job(id, JobResult::Skipped, false);
                }
            }
            JobType::Start => self.start_unit(fs, &unit, id),
            JobType::Stop | JobType::Restart => self.stop_unit(fs, &unit, id),
            JobType::Reload => self.reload_unit(fs, &unit, id),
            // Request types are never installed (`installed_type`).
            JobType::TryRestart | JobType::TryReload | JobType::ReloadOrStart => {
                self.finish_job(id, JobResult::Done, true)
            }
        }
    }

    /// Finishes a job with `result`; `already` suppresses the status message (the unit was
    /// already in the state asked for).
    pub(crate) fn finish_job(&mut self, id: u32, result: JobResult, already: bool) {
        let Some(job) = self.jobs.remove(&id) else {
            return;
        };
        self.job_epoch += 1;
        // A running job is not waiting (the set is kept so; `any_runnable` checks it in debug
        // builds): only a job that never ran is looked for there.
        if !job.running {
            self.waiting.remove(&id);
        }
        debug_assert!(
            !self.waiting.contains(&id),
            "finished job {id} still waiting"
        );
        let unit = job.unit.clone();
        let now = self.now();
        if let Some(u) = self.units.unit_mut(&unit) {
            if u.job == Some(id) {
                u.job = None;
            }
            u.last_job_end = Some(now);
        }
        if !already {
            self.emit_done(&job, result);
        }
        if job.kind == JobType::Restart && result == JobResult::Done {
            // The stop half is done: the job goes on as a start job.
            self.jobs.insert(
                id,
                Job {
                    kind: JobType::Start,
                    running: false,
                    current: false,
                    ..job
                },
            );
            self.waiting.insert(id);
            self.attach_job(&unit, id);
            return;
        }
        self.finished.insert(id, result);
        self.changed.push((unit.clone(), false));
        let starting = matches!(job.kind, JobType::Start | JobType::VerifyActive);
        if starting && result != JobResult::Done {
            self.fail_dependents(
                &unit,
                &[DepKind::RequiredBy, DepKind::BoundBy, DepKind::RequisiteOf],
            );
        }
        if job.kind == JobType::Start
            && result == JobResult::Done
            && self.state_of(&unit).is_inactive_or_failed()
        {
            self.fail_dependents(&unit, &[DepKind::RequisiteOf]);
        }
        if starting && matches!(result, JobResult::Timeout | JobResult::Dependency) {
            self.unit_log(
                &unit,
                5,
                format!(
                    "{unit}: Job {unit}/{} failed with result '{result}'.",
                    job.kind.as_str()
                ),
            );
            self.trigger(&unit, DepKind::OnFailure);
        }
    }

    fn fail_dependents(&mut self, unit: &UnitName, kinds: &[DepKind]) {
        let Some(u) = self.units.unit(unit) else {
            return;
        };
        let node = std::sync::Arc::clone(&u.node);
        for o in kinds.iter().flat_map(|k| node.deps_of(*k)).map(|(o, _)| o) {
            let jid = self.units.unit(o).and_then(|x| x.job);
            if let Some(jid) = jid {
                let is_start = self
                    .jobs
                    .get(&jid)
                    .is_some_and(|j| matches!(j.kind, JobType::Start | JobType::VerifyActive));
                if is_start {
                    self.finish_job(jid, JobResult::Dependency, false);
                }
            }
        }
    }

    /// The status message of a finished job (reference §6.3).
    fn emit_done(&mut self, job: &Job, result: JobResult) {
        let Some(u) = self.units.unit(&job.unit) else {
            return;
        };
        let d = u.description_shared();
        let ty = u.unit_type();
        let oneshot = u
            .cfg
            .service
            .as_ref()
            .is_some_and(|s| s.kind == super::config::ServiceType::Oneshot);
        let condition_failed = u.condition_result == Some(false);
        let (text, prio, mid) = match (job.kind, result) {
            (JobType::Start, JobResult::Done) => {
                let t = if condition_failed {
                    Message::around("Condition check resulted in ", d, " being skipped.")
                } else {
                    match ty {
                        UnitType::Target => Message::around("Reached target ", d, "."),
                        UnitType::Slice => Message::around("Created slice ", d, "."),
                        UnitType::Socket => Message::around("Listening on ", d, "."),
                        UnitType::Service if oneshot => Message::around("Finished ", d, "."),
                        _ => Message::around("Started ", d, "."),
                    }
                };
                (t, 6, ids::UNIT_STARTED)
            }
            (JobType::Start, JobResult::Failed) => {
                let t = match ty {
                    UnitType::Socket => Message::around("Failed to listen on ", d, "."),
                    _ => Message::around("Failed to start ", d, "."),
                };
                (t, 3, ids::UNIT_FAILED)
            }
            (JobType::Start, JobResult::Dependency) => (
                Message::around("Dependency failed for ", d, "."),
                4,
                ids::UNIT_FAILED,
            ),
            (JobType::Start, JobResult::Timeout) => (
                Message::around("Timed out starting ", d, "."),
                3,
                ids::UNIT_FAILED,
            ),
            (JobType::Start, JobResult::Assert) => (
                Message::around("Assertion failed for ", d, "."),
                4,
                ids::UNIT_FAILED,
            ),
            (JobType::Start, JobResult::Unsupported) => (
                Message::around("Starting of ", d, " unsupported."),
                4,
                ids::UNIT_FAILED,
            ),
            (JobType::VerifyActive, JobResult::Skipped) => {
                (Message::around("", d, " is inactive."), 5, ids::UNIT_FAILED)
            }
            (JobType::Stop | JobType::Restart, JobResult::Done) => {
                let t = match ty {
                    UnitType::Target => Message::around("Stopped target ", d, "."),
                    UnitType::Slice => Message::around("Removed slice ", d, "."),
                    UnitType::Socket => Message::around("Closed ", d, "."),
                    _ => Message::around("Stopped ", d, "."),
                };
                (t, 6, ids::UNIT_STOPPED)
            }
            (JobType::Stop | JobType::Restart, JobResult::Failed) => (
                Message::around("Stopped ", d, " with error."),
                3,
                ids::UNIT_STOPPED,
            ),
            (JobType::Stop | JobType::Restart, JobResult::Timeout) => (
                Message::around("Timed out stopping ", d, "."),
                3,
                ids::UNIT_STOPPED,
            ),
            (JobType::Reload, JobResult::Done) => {
                (Message::around("Reloaded ", d, "."), 6, ids::UNIT_RELOADED)
            }
            (JobType::Reload, JobResult::Failed) => (
                Message::around("Reload failed for ", d, "."),
                3,
                ids::UNIT_RELOADED,
            ),
            (JobType::Reload, JobResult::Timeout) => (
                Message::around("Timed out reloading ", d, "."),
                3,
                ids::UNIT_RELOADED,
            ),
            _ => return,
        };
        self.journal(
            Some(&job.unit),
            prio,
            text,
            Some(mid),
            Some((job.id, result)),
            Vec::new(),
        );
    }

    /// The "Starting X..." / "Stopping X..." / "Reloading X..." message of a job that begins.
    pub(crate) fn emit_begin(&mut self, unit: &UnitName, kind: JobType) {
        let Some(u) = self.units.unit(unit) else {
            return;
        };
        if matches!(u.unit_type(), UnitType::Target | UnitType::Slice) {
            return;
        }
        let d = u.description_shared();
        let jid = u.job;
        let (text, mid) = match kind {
            JobType::Start => (Message::around("Starting ", d, "..."), ids::UNIT_STARTING),
            JobType::Stop | JobType::Restart => {
                (Message::around("Stopping ", d, "..."), ids::UNIT_STOPPING)
            }
            JobType::Reload => (Message::around("Reloading ", d, "..."), ids::UNIT_RELOADING),
            _ => return,
        };
        self.journal(Some(unit), 6, text, Some(mid), None, Vec::new());
        // The begin message carries JOB_ID only.
        if let Some(last) = self.log.last_mut() {
            last.job = jid.map(|id| (id, ""));
        }
    }

    /// Starts the `OnFailure=`/`OnSuccess=` units of `unit`.
    pub(crate) fn trigger(&mut self, unit: &UnitName, kind: DepKind) {
        let Some(u) = self.units.unit(unit) else {
            return;
        };
        if !u.has_deps(kind) {
            return;
        }
        let targets = u.deps(kind);
        let name = if kind == DepKind::OnFailure {
            "OnFailure="
        } else {
            "OnSuccess="
        };
        self.unit_log(unit, 6, format!("{unit}: Triggering {name} dependencies."));
        self.pending_triggers
            .extend(targets.into_iter().map(|t| (unit.clone(), t, name)));
    }

    /// Sets a unit's sub-state and does what systemd's `unit_notify()` does: timestamps, the
    /// running job's completion, `OnFailure=`/`OnSuccess=`. `will_restart` suppresses both for
    /// a service about to restart.
    pub(crate) fn set_sub(&mut self, id: &UnitName, sub: Sub) {
        self.set_sub_ext(id, sub, false);
    }

    pub(crate) fn set_sub_ext(&mut self, id: &UnitName, sub: Sub, will_restart: bool) {
        let now = self.now();
        // Leaving the inactive states: remember whether a requirement could not load (the
        // invariant check then cannot tell which requirements systemd dropped).
        // One lookup by name; the unit is then addressed by its position (nothing here adds or
        // removes units before the position is used).
        let Some(idx) = self.units.position(id) else {
            return;
        };
        let Some((_, u)) = self.units.map.get_index(idx) else {
            return;
        };
        let leaving = u.active().is_inactive_or_failed()
            && !sub.service_active_state().is_inactive_or_failed();
        let unloaded_requirement = leaving
            && u.has_deps(DepKind::Requires)
            && u.node.deps_of(DepKind::Requires).any(|(d, _)| {
                self.units
                    .unit(d)
                    .is_some_and(|du| du.load_state() != unitlab_engine::load::LoadState::Loaded)
            });
        // Timers that trigger the unit follow its state (`notify_timers`).
        let timer_triggered = u.has_deps(DepKind::TriggeredBy)
            && u.node
                .deps_of(DepKind::TriggeredBy)
                .any(|(n, _)| super::triggers::is_timer(n));
        let Some((_, u)) = self.units.map.get_index_mut(idx) else {
            return;
        };
        if leaving {
            u.unloaded_requirement = unloaded_requirement;
        }
        let os = u.active();
        u.sub = sub;
        let ns = u.active();
        if os.is_inactive_or_failed()
            && ns.is_active_or_activating()
            && u.load_state() == unitlab_engine::load::LoadState::Masked
        {
            self.violations
                .push(format!("masked unit {id} became {}", ns.as_str()));
        }
        if os != ns {
            u.stamps.state_change = Some(now);
            if os.is_inactive_or_failed() && !ns.is_inactive_or_failed() {
                u.stamps.inactive_exit = Some(now);
            }
            if !os.is_active_or_reloading() && ns.is_active_or_reloading() {
                u.stamps.active_enter = Some(now);
            }
            if os.is_active_or_reloading() && !ns.is_active_or_reloading() {
                u.stamps.active_exit = Some(now);
            }
            if !os.is_inactive_or_failed() && ns.is_inactive_or_failed() {
                u.stamps.inactive_enter = Some(now);
            }
        }
        let job = u
            .job
            .and_then(|j| self.jobs.get(&j).map(|x| (x.id, x.kind, x.running)));
        if let Some((jid, kind, true)) = job {
            match kind {
                JobType::Start | JobType::VerifyActive => {
                    if ns.is_active_or_reloading() {
                        self.finish_job(jid, JobResult::Done, false);
                    } else if ns != ActiveState::Activating
                        && ns.is_inactive_or_failed()
                        && !will_restart
                    {
                        let r = if ns == ActiveState::Failed {
                            JobResult::Failed
                        } else {
                            JobResult::Done
                        };
                        self.finish_job(jid, r, false);
                    }
                }
                JobType::Stop | JobType::Restart => {
                    if ns.is_inactive_or_failed() {
                        self.finish_job(jid, JobResult::Done, false);
                    } else if ns != ActiveState::Deactivating {
                        self.finish_job(jid, JobResult::Failed, false);
                    }
                }
                JobType::Reload => {
                    // `unit_notify()`: done when active again; a unit that went down instead
                    // (its main process died during the reload) ends the job when it is
                    // inactive (done) or failed (failed).
                    if ns == ActiveState::Active {
                        self.finish_job(jid, JobResult::Done, false);
                    } else if ns.is_inactive_or_failed() {
                        let r = if ns == ActiveState::Failed {
                            JobResult::Failed
                        } else {
                            JobResult::Done
                        };
                        self.finish_job(jid, r, false);
                    }
                }
                JobType::Nop
                | JobType::TryRestart
                | JobType::TryReload
                | JobType::ReloadOrStart => {}
            }
        }
        if timer_triggered {
            self.notify_timers(id);
        }
        if os != ns {
            self.changed.push((id.clone(), true));
            if !will_restart {
                if ns == ActiveState::Failed {
                    self.trigger(id, DepKind::OnFailure);
                } else if ns == ActiveState::Inactive && !os.is_inactive_or_failed() {
                    self.trigger(id, DepKind::OnSuccess);
                }
            }
        }
    }

    /// After state changes: `BindsTo=` stops, `StopWhenUnneeded=`, `Upholds=`, and the queued
    /// `OnFailure=`/`OnSuccess=` starts.
    pub(crate) fn propagate(&mut self, fs: &MemFs) {
        for _ in 0..10_000 {
            let triggers = std::mem::take(&mut self.pending_triggers);
            for (from, t, name) in &triggers {
                if let Err(e) = self.enqueue(fs, t, Request::Start, Mode::Replace) {
                    self.unit_log(
                        from,
                        4,
                        format!(
                            "{from}: Failed to enqueue {name} job, ignoring: {}",
                            e.message
                        ),
                    );
                }
            }
            let mut changed = std::mem::take(&mut self.changed);
            if changed.is_empty() && triggers.is_empty() {
                self.changed = changed;
                return;
            }
            for (x, state_changed) in changed.drain(..) {
                self.check_after_change(fs, &x, state_changed);
                self.socket_notify(fs, &x);
                self.notify_triggering(fs, &x);
            }
            // Keep the list's room for the next round (nothing was added meanwhile, or the
            // additions are kept).
            if self.changed.is_empty() {
                self.changed = changed;
            }
        }
    }

    /// systemd's `auto_start_stop_ratelimit` (16 per 10 s per unit): false when exceeded.
    fn auto_allowed(&mut self, id: &UnitName) -> bool {
        let now = self.now();
        let Some(u) = self.units.unit_mut(id) else {
            return false;
        };
        match u.auto_rl {
            (Some(b), n) if now <= b + 10_000_000 => {
                u.auto_rl = (Some(b), n + 1);
                n < 16
            }
            _ => {
                u.auto_rl = (Some(now), 1);
                true
            }
        }
    }

    fn has_job(&self, id: &UnitName, kinds: &[JobType]) -> bool {
        self.units
            .unit(id)
            .and_then(|u| u.job)
            .and_then(|j| self.jobs.get(&j))
            .is_some_and(|j| kinds.contains(&j.kind))
    }

    /// What a change of `x` sets off: `state_changed` when its state changed (systemd's
    /// `unit_notify()`), false when only its job finished (`job_finish_and_invalidate()`,
    /// which re-checks `x` itself only: whether something upholds it, whether it is unneeded).
    fn check_after_change(&mut self, fs: &MemFs, x: &UnitName, state_changed: bool) {
        let Some(u) = self.units.unit(x) else {
            return;
        };
        let xa = u.active();
        let x_job = u.job.is_some();
        // Only an inactive unit without a job or an active one has anything to check (an
        // activating or deactivating unit is passed over below too): nothing to read for it.
        if !(xa.is_active_or_reloading() || xa.is_inactive_or_failed() && !x_job) {
            return;
        }
        let unneeded_stop = u.cfg.stop_when_unneeded;
        // The node as it is now (a shared handle: the lists are read while the manager
        // changes, as the copies of them were before), and the kinds it has (the node's map is
        // searched only for those).
        let node = std::sync::Arc::clone(&u.node);
        let bits = u.dep_bits();
        let has = |k: DepKind| bits & (1 << (k as u32)) != 0;
        if xa.is_inactive_or_failed() && !x_job && state_changed {
            if has(DepKind::BoundBy) {
                for (b, _) in node.deps_of(DepKind::BoundBy) {
                    let ba = self.state_of(b);
                    if ba.is_active_or_reloading()
                        && !self.has_job(b, &[JobType::Stop])
                        && self.auto_allowed(b)
                    {
                        self.unit_log(
                            b,
                            6,
                            format!("{b}: Unit is bound to inactive unit {x}. Stopping, too."),
                        );
                        let _ = self.enqueue(fs, b, Request::Stop, Mode::Replace);
                    }
                }
            }
            // `check_unneeded_dependencies()`: the units it pulled in may be unneeded now.
            for k in [
                DepKind::Requires,
                DepKind::Wants,
                DepKind::BindsTo,
                DepKind::Requisite,
                DepKind::Upholds,
            ] {
                if !has(k) {
                    continue;
                }
                for (d, _) in node.deps_of(k) {
                    self.check_unneeded(fs, d);
                }
            }
        }
        if xa.is_inactive_or_failed() && !x_job && has(DepKind::UpheldBy) {
            for (h, _) in node.deps_of(DepKind::UpheldBy) {
                if self.state_of(h).is_active_or_reloading() {
                    if self.auto_allowed(x) {
                        let _ = self.enqueue(fs, x, Request::Start, Mode::Replace);
                    } else {
                        self.unit_log(x, 5, format!("{x}: Unit needs to be started because active unit {h} upholds it, but not doing so since we tried this too often recently."));
                    }
                    break;
                }
            }
        }
        if xa.is_active_or_reloading() {
            // `check_unneeded(x)` as read just now: nothing ran since.
            if unneeded_stop && !x_job {
                self.check_unneeded(fs, x);
            }
            if has(DepKind::Upholds) && state_changed {
                for (d, _) in node.deps_of(DepKind::Upholds) {
                    let da = self.state_of(d);
                    let has = self.units.get(d.as_str()).is_some_and(|u| u.job.is_some());
                    if da.is_inactive_or_failed() && !has && self.auto_allowed(d) {
                        let _ = self.enqueue(fs, d, Request::Start, Mode::Replace);
                    }
                }
            }
        }
    }

    fn check_unneeded(&mut self, fs: &MemFs, d: &UnitName) {
        let Some(u) = self.units.unit(d) else {
            return;
        };
        // `unit_is_unneeded()`: only an active unit without a job is stopped, and a unit
        // pulling it in keeps it while that unit has any job or is not inactive or failed
        // (starting, stopping, or waiting to restart).
        if !u.cfg.stop_when_unneeded || u.active() != ActiveState::Active || u.job.is_some() {
            return;
        }
        let needed = [
            DepKind::RequiredBy,
            DepKind::WantedBy,
            DepKind::BoundBy,
            DepKind::RequisiteOf,
            DepKind::UpheldBy,
        ]
        .iter()
        .flat_map(|k| u.node.deps_of(*k))
        .any(|(o, _)| {
            !self.state_of(o).is_inactive_or_failed()
                || self.units.unit(o).is_some_and(|u| u.job.is_some())
        });
        if !needed && self.auto_allowed(d) {
            self.unit_log(d, 6, format!("{d}: Unit not needed anymore. Stopping."));
            let _ = self.enqueue(fs, d, Request::Stop, Mode::Fail);
        }
    }
}

/// The type of the job queued for unit `id` (its current job), if any: what the planner is told
/// by [`View::job_of`].
fn queued_job(
    units: &super::units::Units,
    jobs: &super::JobTable,
    id: &UnitName,
) -> Option<JobType> {
    let jid = units.unit(id)?.job?;
    jobs.get(&jid).map(|j| j.kind)
}

/// The units' runtime states and queued jobs as the transaction planner consults them: read
/// from the manager's tables unit by unit, only for the units a transaction touches, noting
/// what was asked (for [`super::plan_cache`]).
struct View<'a> {
    units: &'a super::units::Units,
    jobs: &'a super::JobTable,
    consulted: RefCell<Vec<(UnitName, Option<TActiveState>)>>,
    consulted_jobs: RefCell<Vec<(UnitName, Option<JobType>)>>,
}

impl RuntimeView for View<'_> {
    fn active_state(&self, unit: &UnitName) -> Option<TActiveState> {
        let st = self.units.unit(unit).map(|u| to_tstate(u.active()));
        self.consulted.borrow_mut().push((unit.clone(), st));
        st
    }

    fn jobs_by_unit(&self) -> bool {
        true
    }

    fn job_of(&self, unit: &UnitName) -> Option<InstalledJob> {
        let kind = queued_job(self.units, self.jobs, unit);
        debug_assert_eq!(
            kind,
            self.jobs
                .values()
                .find(|j| j.current && &j.unit == unit)
                .map(|j| j.kind),
            "job_of({unit}) differs from the current job"
        );
        self.consulted_jobs.borrow_mut().push((unit.clone(), kind));
        kind.map(|job_type| InstalledJob {
            job_type,
            irreversible: false,
        })
    }

    fn for_each_job(&self, f: &mut dyn FnMut(&UnitName, InstalledJob)) {
        for j in self.jobs.values() {
            debug_assert_eq!(
                j.current,
                self.units.unit(&j.unit).and_then(|u| u.job) == Some(j.id),
                "job {} of {}: current flag out of date",
                j.id,
                j.unit
            );
            if j.current {
                f(
                    &j.unit,
                    InstalledJob {
                        job_type: j.kind,
                        irreversible: false,
                    },
                );
            }
        }
    }
}

/// systemd's job merge table (reference §6.1); `None` for conflicting types.
fn merge(a: JobType, b: JobType) -> Option<JobType> {
    use JobType::*;
    if a == b {
        return Some(a);
    }
    Some(match (a, b) {
        (Nop, x) | (x, Nop) => x,
        (Start, VerifyActive) | (VerifyActive, Start) => Start,
        (Reload, VerifyActive) | (VerifyActive, Reload) => Reload,
        (Restart, Start | VerifyActive | Reload) | (Start | VerifyActive | Reload, Restart) => {
            Restart
        }
        (Reload, Start) | (Start, Reload) => Start,
        _ => return None,
    })
}

fn to_tstate(a: ActiveState) -> TActiveState {
    match a {
        ActiveState::Active => TActiveState::Active,
        ActiveState::Reloading => TActiveState::Reloading,
        ActiveState::Inactive => TActiveState::Inactive,
        ActiveState::Failed => TActiveState::Failed,
        ActiveState::Activating => TActiveState::Activating,
        ActiveState::Deactivating => TActiveState::Deactivating,
    }
}

/// The type a job is installed with: the request types (`try-restart`, `try-reload`,
/// `reload-or-start`) are collapsed against the unit's state before this, and map to what they
/// would run.
fn installed_type(t: JobType) -> JobType {
    match t {
        JobType::ReloadOrStart => JobType::Start,
        JobType::TryReload => JobType::Reload,
        JobType::TryRestart => JobType::Restart,
        t => t,
    }
}

/// The planner's error as the bus error systemctl prints, with its class.
fn convert_error(e: TransactionError) -> TxnError {
    let kind = match &e {
        TransactionError::NoSuchUnit(_) | TransactionError::NotFound(_) => TxnErrorKind::NoSuchUnit,
        TransactionError::Masked(_) => TxnErrorKind::Masked,
        TransactionError::BadSetting(_) => TxnErrorKind::BadSetting,
        TransactionError::NotApplicable { .. } => TxnErrorKind::NotApplicable,
        TransactionError::NotLoaded(_) => TxnErrorKind::NotLoaded,
        TransactionError::NoIsolation
        | TransactionError::OnlyByDependency(_)
        | TransactionError::IsolateOnlyForStart
        | TransactionError::TriggeringOnlyForStop => TxnErrorKind::Refused,
        TransactionError::Destructive { .. } => TxnErrorKind::Destructive,
        TransactionError::ConflictingJobs { .. } | TransactionError::OrderIsCyclic => {
            TxnErrorKind::Conflicting
        }
        _ => TxnErrorKind::LoadFailed,
    };
    TxnError::new(kind, e.to_string())
}
