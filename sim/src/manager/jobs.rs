//! Jobs: building the set of jobs a request needs, installing them, running them in the order
//! `After=`/`Before=` allow, finishing them with a result, and the state-change propagation of
//! `BindsTo=`, `StopWhenUnneeded=`, `Upholds=`, `OnFailure=` and `OnSuccess=` (reference §6).
//!
//! The job-building here ([`Manager::enqueue`]) is a stand-in for the engine's transaction
//! planner (issue 4, being written in parallel): it follows reference §6.2 for what the runtime
//! needs (pulling dependencies in, load-state errors, conflicts, redundant jobs against the runtime
//! states, isolate) and does not detect ordering cycles. It is to be replaced by
//! `unitlab_engine::transaction` once that lands, fed with the runtime states.
use super::state::{ActiveState, JobResult, JobType, Sub};
use super::{journal::ids, Job, Manager};
use unitlab_engine::fs::MemFs;
use unitlab_engine::graph::DepKind;
use unitlab_engine::load::LoadState;
use unitlab_engine::name::{UnitName, UnitType};

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// One job of a transaction being built.
#[derive(Clone, Debug)]
struct Planned {
    unit: UnitName,
    kind: JobType,
    matters: bool,
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
    /// Builds and installs the jobs for `request` on `name`; returns the anchor job's id.
    pub(crate) fn enqueue(
        &mut self,
        fs: &MemFs,
        name: &UnitName,
        request: Request,
        mode: Mode,
    ) -> Result<u32, TxnError> {
        let Some(id) = self.load_one(fs, name) else {
            return Err(TxnError::new(
                TxnErrorKind::NoSuchUnit,
                format!("Unit {name} not found."),
            ));
        };
        let active = self.active_state(id.as_str());
        let kind = match request {
            Request::Start => JobType::Start,
            Request::Stop => JobType::Stop,
            Request::Restart => JobType::Restart,
            Request::TryRestart => {
                if active.is_active_or_activating() {
                    JobType::Restart
                } else {
                    JobType::Nop
                }
            }
            Request::Reload => JobType::Reload,
            Request::ReloadOrRestart | Request::TryReloadOrRestart => {
                let u = &self.units.map[&id];
                if request == Request::TryReloadOrRestart && !active.is_active_or_activating() {
                    JobType::Nop
                } else if can_reload(u) && active.is_active_or_reloading() {
                    JobType::Reload
                } else {
                    JobType::Restart
                }
            }
        };
        let mut plan: Vec<Planned> = Vec::new();
        let deps = !matches!(mode, Mode::IgnoreDependencies | Mode::IgnoreRequirements);
        self.plan_job(fs, &mut plan, &id, kind, true, true, deps)?;
        if mode == Mode::Isolate {
            let keep: Vec<UnitName> = plan.iter().map(|p| p.unit.clone()).collect();
            let others: Vec<UnitName> = self
                .units
                .map
                .values()
                .filter(|u| {
                    !keep.contains(u.id())
                        && !u.cfg.ignore_on_isolate
                        && u.unit_type() != UnitType::Slice
                        && (u.active().is_active_or_activating() || u.job.is_some())
                })
                .map(|u| u.id().clone())
                .collect();
            for o in others {
                let _ = self.plan_job(fs, &mut plan, &o, JobType::Stop, false, false, true);
            }
        }
        self.install(plan, &id, mode, kind)
    }

    /// Adds a job and (recursively) its dependency jobs to `plan`.
    #[allow(clippy::too_many_arguments)]
    fn plan_job(
        &mut self,
        fs: &MemFs,
        plan: &mut Vec<Planned>,
        id: &UnitName,
        kind: JobType,
        matters: bool,
        anchor: bool,
        deps: bool,
    ) -> Result<(), TxnError> {
        let Some(u) = self.units.map.get(id) else {
            return Ok(());
        };
        if kind != JobType::Stop && kind != JobType::Nop && u.load_state() != LoadState::Loaded {
            return Err(load_error(u));
        }
        if kind == JobType::Reload && !can_reload(u) {
            return Err(TxnError::new(
                TxnErrorKind::NotApplicable,
                format!("Job type reload is not applicable for unit {id}."),
            ));
        }
        let active = u.active();
        // Redundant jobs are left out (never the anchor), and so is what only they pull in.
        if !anchor {
            let redundant = match kind {
                JobType::Start | JobType::VerifyActive => {
                    active.is_active_or_reloading() && u.job.is_none()
                }
                JobType::Stop => active.is_inactive_or_failed() && u.job.is_none(),
                JobType::Nop => true,
                _ => false,
            };
            if redundant {
                return Ok(());
            }
        }
        if let Some(p) = plan.iter_mut().find(|p| &p.unit == id) {
            let merged = merge(p.kind, kind);
            match merged {
                Some(m) => {
                    p.kind = m;
                    p.matters |= matters;
                    return Ok(());
                }
                None => {
                    if !matters {
                        return Ok(());
                    }
                    if !p.matters {
                        p.kind = kind;
                        p.matters = true;
                    } else {
                        let (a, b) = (p.kind.as_str(), kind.as_str());
                        return Err(TxnError::new(
                            TxnErrorKind::Conflicting,
                            format!("Transaction contains conflicting jobs '{a}' and '{b}' for {id}. Probably contradicting requirement dependencies configured."),
                        ));
                    }
                    return Ok(());
                }
            }
        }
        plan.push(Planned {
            unit: id.clone(),
            kind,
            matters,
        });
        if !deps {
            return Ok(());
        }
        let u = &self.units.map[id];
        let get = |k: DepKind| u.deps(k);
        match kind {
            JobType::Start | JobType::Restart => {
                let required: Vec<UnitName> = get(DepKind::Requires)
                    .into_iter()
                    .chain(get(DepKind::BindsTo))
                    .collect();
                let wanted: Vec<UnitName> = get(DepKind::Wants)
                    .into_iter()
                    .chain(get(DepKind::Upholds))
                    .collect();
                let requisite = get(DepKind::Requisite);
                let conflicts = get(DepKind::Conflicts);
                let conflicted_by = get(DepKind::ConflictedBy);
                let restart_of: Vec<UnitName> = if kind == JobType::Restart {
                    propagate_stop_kinds()
                        .iter()
                        .flat_map(|k| get(*k))
                        .collect()
                } else {
                    Vec::new()
                };
                for d in required {
                    match self.plan_job(fs, plan, &d, JobType::Start, matters, false, true) {
                        Err(e) if e.kind != TxnErrorKind::NotApplicable => return Err(e),
                        _ => {}
                    }
                }
                for d in wanted {
                    if let Err(e) = self.plan_job(fs, plan, &d, JobType::Start, false, false, true)
                    {
                        if !matches!(e.kind, TxnErrorKind::Masked | TxnErrorKind::NoSuchUnit) {
                            self.journal(
                                Some(id),
                                4,
                                format!("{d}: Cannot add dependency job, ignoring: {}", e.message),
                                None,
                                None,
                                Vec::new(),
                            );
                        }
                    }
                }
                for d in requisite {
                    self.plan_job(fs, plan, &d, JobType::VerifyActive, matters, false, true)?;
                }
                for d in conflicts {
                    self.plan_job(fs, plan, &d, JobType::Stop, true, false, true)?;
                }
                for d in conflicted_by {
                    let _ = self.plan_job(fs, plan, &d, JobType::Stop, false, false, true);
                }
                for d in restart_of {
                    let try_kind = if self.active_state(d.as_str()).is_active_or_activating() {
                        JobType::Restart
                    } else {
                        continue;
                    };
                    let _ = self.plan_job(fs, plan, &d, try_kind, false, false, true);
                }
            }
            JobType::Stop => {
                let stop: Vec<UnitName> = propagate_stop_kinds()
                    .iter()
                    .flat_map(|k| get(*k))
                    .collect();
                for d in stop {
                    self.plan_job(fs, plan, &d, JobType::Stop, matters, false, true)?;
                }
            }
            JobType::Reload => {
                for d in get(DepKind::PropagatesReloadTo) {
                    let ok = self
                        .units
                        .map
                        .get(&d)
                        .is_some_and(|x| can_reload(x) && x.active().is_active_or_reloading());
                    if ok {
                        let _ = self.plan_job(fs, plan, &d, JobType::Reload, false, false, true);
                    }
                }
            }
            JobType::VerifyActive | JobType::Nop => {}
        }
        Ok(())
    }

    /// Installs the planned jobs, merging with or replacing installed ones.
    fn install(
        &mut self,
        plan: Vec<Planned>,
        anchor: &UnitName,
        mode: Mode,
        anchor_kind: JobType,
    ) -> Result<u32, TxnError> {
        if mode == Mode::Fail {
            for p in &plan {
                if let Some(jid) = self.units.map[&p.unit].job {
                    let j = &self.jobs[&jid];
                    if merge(j.kind, p.kind).is_none() {
                        return Err(TxnError::new(
                            TxnErrorKind::Destructive,
                            format!(
                                "Transaction for {anchor}/{} is destructive ({} has '{}' job queued, but '{}' is included in transaction).",
                                anchor_kind.as_str(),
                                p.unit,
                                j.kind.as_str(),
                                p.kind.as_str()
                            ),
                        ));
                    }
                }
            }
        }
        let mut anchor_id = 0;
        let mut installed: Vec<u32> = Vec::new();
        for p in plan {
            let existing = self.units.map[&p.unit].job;
            let id = match existing.and_then(|jid| self.jobs.get(&jid).map(|j| (jid, j.kind))) {
                Some((jid, k)) => match merge(k, p.kind) {
                    Some(m) => {
                        if let Some(j) = self.jobs.get_mut(&jid) {
                            if !j.running || m == k {
                                j.kind = m;
                            }
                        }
                        jid
                    }
                    None => {
                        self.finish_job(jid, JobResult::Canceled, false);
                        self.new_job(&p.unit, p.kind, mode == Mode::IgnoreDependencies)
                    }
                },
                None => self.new_job(&p.unit, p.kind, mode == Mode::IgnoreDependencies),
            };
            if &p.unit == anchor && anchor_id == 0 {
                anchor_id = id;
            }
            installed.push(id);
        }
        if matches!(mode, Mode::Isolate | Mode::Flush) {
            let stale: Vec<u32> = self
                .jobs
                .keys()
                .filter(|k| !installed.contains(k))
                .copied()
                .collect();
            for s in stale {
                self.finish_job(s, JobResult::Canceled, false);
            }
        }
        Ok(anchor_id)
    }

    fn new_job(&mut self, unit: &UnitName, kind: JobType, ignore_order: bool) -> u32 {
        let id = self.next_job_id;
        self.next_job_id += 1;
        self.jobs.insert(
            id,
            Job {
                id,
                unit: unit.clone(),
                kind,
                running: false,
                ignore_order,
            },
        );
        if let Some(u) = self.units.map.get_mut(unit) {
            u.job = Some(id);
        }
        id
    }

    /// True if some waiting job may run now.
    pub(crate) fn any_runnable(&self) -> bool {
        self.jobs.values().any(|j| !j.running && self.runnable(j))
    }

    fn runnable(&self, j: &Job) -> bool {
        if j.kind == JobType::Nop || j.ignore_order {
            return true;
        }
        let Some(u) = self.units.map.get(&j.unit) else {
            return true;
        };
        let stopping = matches!(j.kind, JobType::Stop | JobType::Restart);
        for (x, _) in u.node.deps_of(DepKind::After) {
            if let Some(xj) = self.units.map.get(x).and_then(|x| x.job) {
                if xj != j.id && !stopping {
                    return false;
                }
            }
        }
        for (x, _) in u.node.deps_of(DepKind::Before) {
            if let Some(xj) = self.units.map.get(x).and_then(|x| x.job) {
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
        loop {
            let ready: Vec<u32> = self
                .jobs
                .values()
                .filter(|j| !j.running && self.runnable(j))
                .map(|j| j.id)
                .collect();
            if ready.is_empty() {
                return;
            }
            for id in ready {
                let ok = self
                    .jobs
                    .get(&id)
                    .is_some_and(|j| !j.running && self.runnable(j));
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
        if !self.units.map.contains_key(&unit) {
            self.finish_job(id, JobResult::Done, true);
            return;
        }
        match kind {
            JobType::Nop => self.finish_job(id, JobResult::Done, true),
            JobType::VerifyActive => {
                let a = self.active_state(unit.as_str());
                if a.is_active_or_reloading() {
                    self.finish_job(id, JobResult::Done, true);
                } else if a != ActiveState::Activating {
                    self.finish_job(id, JobResult::Skipped, false);
                }
            }
            JobType::Start => self.start_unit(fs, &unit, id),
            JobType::Stop | JobType::Restart => self.stop_unit(fs, &unit, id),
            JobType::Reload => self.reload_unit(fs, &unit, id),
        }
    }

    /// Finishes a job with `result`; `already` suppresses the status message (the unit was
    /// already in the state asked for).
    pub(crate) fn finish_job(&mut self, id: u32, result: JobResult, already: bool) {
        let Some(job) = self.jobs.remove(&id) else {
            return;
        };
        let unit = job.unit.clone();
        if let Some(u) = self.units.map.get_mut(&unit) {
            if u.job == Some(id) {
                u.job = None;
            }
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
                    ..job
                },
            );
            if let Some(u) = self.units.map.get_mut(&unit) {
                u.job = Some(id);
            }
            return;
        }
        self.finished.insert(id, result);
        self.changed.push(unit.clone());
        let starting = matches!(job.kind, JobType::Start | JobType::VerifyActive);
        if starting && result != JobResult::Done {
            self.fail_dependents(
                &unit,
                &[DepKind::RequiredBy, DepKind::BoundBy, DepKind::RequisiteOf],
            );
        }
        if job.kind == JobType::Start
            && result == JobResult::Done
            && self.active_state(unit.as_str()).is_inactive_or_failed()
        {
            self.fail_dependents(&unit, &[DepKind::RequisiteOf]);
        }
        if starting && matches!(result, JobResult::Timeout | JobResult::Dependency) {
            self.journal(
                Some(&unit),
                5,
                format!(
                    "{unit}: Job {unit}/{} failed with result '{result}'.",
                    job.kind.as_str()
                ),
                None,
                None,
                Vec::new(),
            );
            self.trigger(&unit, DepKind::OnFailure);
        }
    }

    fn fail_dependents(&mut self, unit: &UnitName, kinds: &[DepKind]) {
        let Some(u) = self.units.map.get(unit) else {
            return;
        };
        let others: Vec<UnitName> = kinds.iter().flat_map(|k| u.deps(*k)).collect();
        for o in others {
            let jid = self.units.map.get(&o).and_then(|x| x.job);
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
        let Some(u) = self.units.map.get(&job.unit) else {
            return;
        };
        let d = u.description();
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
                    format!("Condition check resulted in {d} being skipped.")
                } else {
                    match ty {
                        UnitType::Target => format!("Reached target {d}."),
                        UnitType::Slice => format!("Created slice {d}."),
                        UnitType::Socket => format!("Listening on {d}."),
                        UnitType::Service if oneshot => format!("Finished {d}."),
                        _ => format!("Started {d}."),
                    }
                };
                (t, 6, ids::UNIT_STARTED)
            }
            (JobType::Start, JobResult::Failed) => {
                let t = match ty {
                    UnitType::Socket => format!("Failed to listen on {d}."),
                    _ => format!("Failed to start {d}."),
                };
                (t, 3, ids::UNIT_FAILED)
            }
            (JobType::Start, JobResult::Dependency) => {
                (format!("Dependency failed for {d}."), 4, ids::UNIT_FAILED)
            }
            (JobType::Start, JobResult::Timeout) => {
                (format!("Timed out starting {d}."), 3, ids::UNIT_FAILED)
            }
            (JobType::Start, JobResult::Assert) => {
                (format!("Assertion failed for {d}."), 4, ids::UNIT_FAILED)
            }
            (JobType::Start, JobResult::Unsupported) => {
                (format!("Starting of {d} unsupported."), 4, ids::UNIT_FAILED)
            }
            (JobType::VerifyActive, JobResult::Skipped) => {
                (format!("{d} is inactive."), 5, ids::UNIT_FAILED)
            }
            (JobType::Stop | JobType::Restart, JobResult::Done) => {
                let t = match ty {
                    UnitType::Target => format!("Stopped target {d}."),
                    UnitType::Slice => format!("Removed slice {d}."),
                    UnitType::Socket => format!("Closed {d}."),
                    _ => format!("Stopped {d}."),
                };
                (t, 6, ids::UNIT_STOPPED)
            }
            (JobType::Stop | JobType::Restart, JobResult::Failed) => {
                (format!("Stopped {d} with error."), 3, ids::UNIT_STOPPED)
            }
            (JobType::Stop | JobType::Restart, JobResult::Timeout) => {
                (format!("Timed out stopping {d}."), 3, ids::UNIT_STOPPED)
            }
            (JobType::Reload, JobResult::Done) => (format!("Reloaded {d}."), 6, ids::UNIT_RELOADED),
            (JobType::Reload, JobResult::Failed) => {
                (format!("Reload failed for {d}."), 3, ids::UNIT_RELOADED)
            }
            (JobType::Reload, JobResult::Timeout) => {
                (format!("Timed out reloading {d}."), 3, ids::UNIT_RELOADED)
            }
            _ => return,
        };
        let unit = job.unit.clone();
        self.journal(
            Some(&unit),
            prio,
            text,
            Some(mid),
            Some((job.id, result)),
            Vec::new(),
        );
    }

    /// The "Starting X..." / "Stopping X..." / "Reloading X..." message of a job that begins.
    pub(crate) fn emit_begin(&mut self, unit: &UnitName, kind: JobType) {
        let Some(u) = self.units.map.get(unit) else {
            return;
        };
        if matches!(u.unit_type(), UnitType::Target | UnitType::Slice) {
            return;
        }
        let d = u.description();
        let jid = u.job;
        let (text, mid) = match kind {
            JobType::Start => (format!("Starting {d}..."), ids::UNIT_STARTING),
            JobType::Stop | JobType::Restart => (format!("Stopping {d}..."), ids::UNIT_STOPPING),
            JobType::Reload => (format!("Reloading {d}..."), ids::UNIT_RELOADING),
            _ => return,
        };
        let job = jid.map(|j| (j, JobResult::Done));
        self.journal(Some(unit), 6, text, Some(mid), job, Vec::new());
        // The begin message carries JOB_ID only.
        if let Some(last) = self.log.last_mut() {
            if let Some((id, _)) = last.job.take() {
                last.job = Some((id, String::new()));
            }
        }
    }

    /// Starts the `OnFailure=`/`OnSuccess=` units of `unit`.
    pub(crate) fn trigger(&mut self, unit: &UnitName, kind: DepKind) {
        let Some(u) = self.units.map.get(unit) else {
            return;
        };
        let targets = u.deps(kind);
        if targets.is_empty() {
            return;
        }
        let name = if kind == DepKind::OnFailure {
            "OnFailure="
        } else {
            "OnSuccess="
        };
        self.journal(
            Some(unit),
            6,
            format!("{unit}: Triggering {name} dependencies."),
            None,
            None,
            Vec::new(),
        );
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
        let Some(u) = self.units.map.get_mut(id) else {
            return;
        };
        let os = u.active();
        u.sub = sub;
        let ns = u.active();
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
                    if ns == ActiveState::Active {
                        self.finish_job(jid, JobResult::Done, false);
                    } else if ns != ActiveState::Reloading {
                        self.finish_job(jid, JobResult::Failed, false);
                    }
                }
                JobType::Nop => {}
            }
        }
        if os != ns {
            self.changed.push(id.clone());
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
        loop {
            let triggers = std::mem::take(&mut self.pending_triggers);
            for (from, t, name) in &triggers {
                if let Err(e) = self.enqueue(fs, t, Request::Start, Mode::Replace) {
                    self.journal(
                        Some(from),
                        4,
                        format!(
                            "{from}: Failed to enqueue {name} job, ignoring: {}",
                            e.message
                        ),
                        None,
                        None,
                        Vec::new(),
                    );
                }
            }
            let changed = std::mem::take(&mut self.changed);
            if changed.is_empty() && triggers.is_empty() {
                return;
            }
            for x in changed {
                self.check_after_change(fs, &x);
            }
        }
    }

    fn has_job(&self, id: &UnitName, kinds: &[JobType]) -> bool {
        self.units
            .map
            .get(id)
            .and_then(|u| u.job)
            .and_then(|j| self.jobs.get(&j))
            .is_some_and(|j| kinds.contains(&j.kind))
    }

    fn check_after_change(&mut self, fs: &MemFs, x: &UnitName) {
        let Some(u) = self.units.map.get(x) else {
            return;
        };
        let xa = u.active();
        let x_job = u.job.is_some();
        let bound_by = u.deps(DepKind::BoundBy);
        let upheld_by = u.deps(DepKind::UpheldBy);
        let upholds = u.deps(DepKind::Upholds);
        let pulled: Vec<UnitName> = [
            DepKind::Requires,
            DepKind::Wants,
            DepKind::BindsTo,
            DepKind::Requisite,
        ]
        .iter()
        .flat_map(|k| u.deps(*k))
        .collect();
        if xa.is_inactive_or_failed() && !x_job {
            for b in bound_by {
                let ba = self.active_state(b.as_str());
                if ba.is_active_or_reloading() && !self.has_job(&b, &[JobType::Stop]) {
                    self.journal(
                        Some(&b),
                        6,
                        format!("{b}: Unit is bound to inactive unit {x}. Stopping, too."),
                        None,
                        None,
                        Vec::new(),
                    );
                    let _ = self.enqueue(fs, &b, Request::Stop, Mode::Replace);
                }
            }
            for d in pulled {
                self.check_unneeded(fs, &d);
            }
            for h in upheld_by {
                if self.active_state(h.as_str()).is_active_or_reloading() {
                    let _ = self.enqueue(fs, x, Request::Start, Mode::Replace);
                    break;
                }
            }
        }
        if xa.is_active_or_reloading() {
            self.check_unneeded(fs, x);
            for d in upholds {
                let da = self.active_state(d.as_str());
                let has = self.units.get(d.as_str()).is_some_and(|u| u.job.is_some());
                if da.is_inactive_or_failed() && !has {
                    let _ = self.enqueue(fs, &d, Request::Start, Mode::Replace);
                }
            }
        }
    }

    fn check_unneeded(&mut self, fs: &MemFs, d: &UnitName) {
        let Some(u) = self.units.map.get(d) else {
            return;
        };
        if !u.cfg.stop_when_unneeded || !u.active().is_active_or_reloading() || u.job.is_some() {
            return;
        }
        let users: Vec<UnitName> = [
            DepKind::RequiredBy,
            DepKind::WantedBy,
            DepKind::BoundBy,
            DepKind::RequisiteOf,
            DepKind::UpheldBy,
        ]
        .iter()
        .flat_map(|k| u.deps(*k))
        .collect();
        let needed = users.iter().any(|o| {
            self.active_state(o.as_str()).is_active_or_activating()
                || self.has_job(
                    o,
                    &[JobType::Start, JobType::Restart, JobType::VerifyActive],
                )
        });
        if !needed {
            self.journal(
                Some(d),
                6,
                format!("{d}: Unit not needed anymore. Stopping."),
                None,
                None,
                Vec::new(),
            );
            let _ = self.enqueue(fs, d, Request::Stop, Mode::Fail);
        }
    }
}

/// The kinds through which a stop (or restart) propagates: `RequiredBy`, `RequisiteOf`,
/// `BoundBy`, `ConsistsOf` (`PartOf=` from the other side) and `PropagatesStopTo`.
fn propagate_stop_kinds() -> [DepKind; 5] {
    [
        DepKind::RequiredBy,
        DepKind::RequisiteOf,
        DepKind::BoundBy,
        DepKind::ConsistsOf,
        DepKind::PropagatesStopTo,
    ]
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
