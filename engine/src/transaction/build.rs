//! Adding jobs and their dependency jobs to a transaction (`transaction_add_job_and_dependencies()`,
//! reference §6.2 step 2). Jobs and the links between them live in arenas indexed by number; the
//! recursion of systemd is an explicit stack here, so that deep graphs cannot overflow the stack.
use super::error::TransactionError;
use super::job::JobType;
use super::result::{Message, Via};
use super::state::{ActiveState, RuntimeView};
use super::unit_info;
use crate::diag::Severity;
use crate::graph::{DepKind, Graph, Manager, Node};
use crate::load::LoadState;

/// One job in the arena (a transaction job, or the stand-in of a job already queued).
#[derive(Clone, Debug)]
pub(crate) struct JobSlot {
    pub unit: usize,
    pub job_type: JobType,
    pub alive: bool,
    /// The stand-in of a queued job (only the ordering check looks at these).
    pub installed: bool,
    pub irreversible: bool,
    pub ignore_order: bool,
    pub matters: bool,
    /// The unit's other transaction jobs: `next` is older, `prev` newer (the head is the newest).
    pub next: Option<usize>,
    pub prev: Option<usize>,
    /// Links this job pulled (it is their subject).
    pub subjects: Vec<usize>,
    /// Links that pulled this job (it is their object).
    pub objects: Vec<usize>,
    pub live_objects: u32,
    pub generation: u32,
    pub marker: Option<usize>,
}

/// A dependency between two jobs: `subject` pulled `object` in.
#[derive(Clone, Debug)]
pub(crate) struct Link {
    pub subject: usize,
    pub object: usize,
    pub matters: bool,
    pub conflicts: bool,
    pub via: Via,
    pub alive: bool,
}

/// What happens when adding a dependency job fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Policy {
    /// The pulling job fails too (except "not applicable", which is ignored).
    Fatal,
    /// Ignored; logged as a warning unless the unit is masked, missing or cannot do the job.
    Wants,
    /// Ignored with a warning.
    Warn,
    /// Ignored with the reload warning.
    Reload,
}

#[derive(Clone, Copy, Debug)]
struct Pull {
    unit: usize,
    job_type: JobType,
    matters: bool,
    conflicts: bool,
    policy: Policy,
    via: Via,
}

struct Frame {
    job: usize,
    pulls: Vec<Pull>,
    next: usize,
}

/// The per-unit tables of a planner, indexed by graph position. They are as long as the graph
/// but only the entries of the units a transaction touches are ever set, so a finished planner
/// resets just those and hands the tables to the next planner of the thread: planning costs
/// what the transaction touches, not the size of the graph.
#[derive(Default)]
struct Tables {
    heads: Vec<Option<usize>>,
    seen: Vec<bool>,
    installed: Vec<Option<usize>>,
    probed: Vec<bool>,
}

thread_local! {
    /// The tables of the last finished planner (all entries unset).
    static SPARE: std::cell::RefCell<Option<Tables>> = const { std::cell::RefCell::new(None) };
}

impl Tables {
    /// Clean tables for a graph of `n` units (the spare ones if there are).
    fn take(n: usize) -> Tables {
        let mut t = SPARE
            .try_with(|s| s.borrow_mut().take())
            .ok()
            .flatten()
            .unwrap_or_default();
        if t.heads.len() < n {
            t.heads.resize(n, None);
            t.seen.resize(n, false);
            t.installed.resize(n, None);
            t.probed.resize(n, false);
        }
        t
    }
}

/// The transaction being built and activated.
pub(crate) struct Planner<'g> {
    pub graph: &'g Graph,
    pub manager: Manager,
    pub jobs: Vec<JobSlot>,
    pub links: Vec<Link>,
    /// Unit → its newest transaction job.
    pub heads: Vec<Option<usize>>,
    /// Units in the order they first got a job (the iteration order of the transaction).
    pub unit_order: Vec<usize>,
    seen: Vec<bool>,
    /// Unit → the stand-in of its queued job (read it through [`Planner::installed_at`]: with
    /// a view that answers unit by unit, an entry is set when first asked for).
    installed: Vec<Option<usize>>,
    /// Unit → its queued job was looked up (views that answer unit by unit).
    probed: Vec<bool>,
    /// The units with a queued job, or (unit-by-unit views) whose job was looked up.
    installed_units: Vec<usize>,
    /// The view answers unit by unit ([`RuntimeView::jobs_by_unit`]).
    lazy: bool,
    pub anchor: Option<usize>,
    pub irreversible: bool,
    pub messages: &'g mut Vec<Message>,
    state: &'g dyn RuntimeView,
}

impl Drop for Planner<'_> {
    /// Resets the table entries this planner set and keeps the tables for the next planner.
    fn drop(&mut self) {
        let mut t = Tables {
            heads: std::mem::take(&mut self.heads),
            seen: std::mem::take(&mut self.seen),
            installed: std::mem::take(&mut self.installed),
            probed: std::mem::take(&mut self.probed),
        };
        for &u in &self.unit_order {
            t.heads[u] = None;
            t.seen[u] = false;
        }
        for &u in &self.installed_units {
            t.installed[u] = None;
            t.probed[u] = false;
        }
        let _ = SPARE.try_with(|s| *s.borrow_mut() = Some(t));
    }
}

impl<'g> Planner<'g> {
    pub fn new(
        graph: &'g Graph,
        state: &'g dyn RuntimeView,
        irreversible: bool,
        messages: &'g mut Vec<Message>,
    ) -> Planner<'g> {
        let tables = Tables::take(graph.len());
        let manager = graph.options().manager;
        let mut p = Planner {
            graph,
            manager,
            jobs: Vec::new(),
            links: Vec::new(),
            heads: tables.heads,
            unit_order: Vec::new(),
            seen: tables.seen,
            installed: tables.installed,
            probed: tables.probed,
            installed_units: Vec::new(),
            lazy: state.jobs_by_unit(),
            anchor: None,
            irreversible,
            messages,
            state,
        };
        if p.lazy {
            return p;
        }
        let mut queued = Vec::new();
        state.for_each_job(&mut |unit, job| {
            if let Some(i) = graph.index_of(unit.as_str()) {
                queued.push((i, job));
            }
        });
        for (i, job) in queued {
            if p.installed[i].is_some() {
                continue;
            }
            let id = p.new_slot(i, job.job_type);
            p.jobs[id].installed = true;
            p.jobs[id].irreversible = job.irreversible;
            p.installed[i] = Some(id);
            p.installed_units.push(i);
        }
        p
    }

    pub fn node(&self, unit: usize) -> &'g Node {
        self.graph.node_at(unit)
    }

    /// The unit's active state (given, else inactive; perpetual units active).
    pub fn active_state(&self, unit: usize) -> ActiveState {
        let node = self.node(unit);
        self.state.active_state(node.id()).unwrap_or_else(|| {
            if unit_info::is_perpetual(node, self.manager) {
                ActiveState::Active
            } else {
                ActiveState::Inactive
            }
        })
    }

    /// The stand-in slot of the unit's queued job, if it has one. With a view that answers unit
    /// by unit, the job is looked up (and its stand-in made) the first time it is asked for.
    pub fn installed_at(&mut self, unit: usize) -> Option<usize> {
        if self.lazy && !self.probed[unit] {
            self.probed[unit] = true;
            self.installed_units.push(unit);
            if let Some(job) = self.state.job_of(self.graph.node_at(unit).id()) {
                let id = self.new_slot(unit, job.job_type);
                self.jobs[id].installed = true;
                self.jobs[id].irreversible = job.irreversible;
                self.installed[unit] = Some(id);
            }
        }
        self.installed[unit]
    }

    /// The queued job's type for a unit, if any.
    pub fn installed_type(&mut self, unit: usize) -> Option<JobType> {
        self.installed_at(unit).map(|j| self.jobs[j].job_type)
    }

    pub fn log(&mut self, severity: Severity, unit: Option<usize>, text: String) {
        let unit = unit.map(|u| self.node(u).id().clone());
        self.messages.push(Message {
            severity,
            unit,
            text,
        });
    }

    fn new_slot(&mut self, unit: usize, job_type: JobType) -> usize {
        self.jobs.push(JobSlot {
            unit,
            job_type,
            alive: true,
            installed: false,
            irreversible: false,
            ignore_order: false,
            matters: false,
            next: None,
            prev: None,
            subjects: Vec::new(),
            objects: Vec::new(),
            live_objects: 0,
            generation: 0,
            marker: None,
        });
        self.jobs.len() - 1
    }

    /// The unit's transaction jobs, newest first.
    pub fn unit_jobs(&self, unit: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = self.heads[unit];
        while let Some(j) = cur {
            out.push(j);
            cur = self.jobs[j].next;
        }
        out
    }

    /// `transaction_add_one_job()`: the unit's job of this type, or a new one (the new head).
    fn add_one_job(&mut self, job_type: JobType, unit: usize) -> (usize, bool) {
        let mut cur = self.heads[unit];
        while let Some(j) = cur {
            if self.jobs[j].job_type == job_type {
                return (j, false);
            }
            cur = self.jobs[j].next;
        }
        let id = self.new_slot(unit, job_type);
        self.jobs[id].irreversible = self.irreversible;
        let old = self.heads[unit];
        self.jobs[id].next = old;
        if let Some(o) = old {
            self.jobs[o].prev = Some(id);
        }
        self.heads[unit] = Some(id);
        if !self.seen[unit] {
            self.seen[unit] = true;
            self.unit_order.push(unit);
        }
        (id, true)
    }

    pub fn link(
        &mut self,
        subject: usize,
        object: usize,
        matters: bool,
        conflicts: bool,
        via: Via,
    ) {
        let id = self.links.len();
        self.links.push(Link {
            subject,
            object,
            matters,
            conflicts,
            via,
            alive: true,
        });
        self.jobs[subject].subjects.push(id);
        self.jobs[object].objects.push(id);
        self.jobs[object].live_objects += 1;
    }

    /// Adds a job and, recursively, its dependency jobs. `by` is the pulling job with the link's
    /// `matters`/`conflicts` flags; `None` makes the job the anchor.
    pub fn add_job_and_dependencies(
        &mut self,
        job_type: JobType,
        unit: usize,
        by: Option<(usize, bool, bool, Via)>,
        ignore_requirements: bool,
        ignore_order: bool,
    ) -> Result<(), TransactionError> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut result = match self.enter(job_type, unit, by, ignore_requirements, ignore_order) {
            Err(e) => return Err(e),
            Ok(None) => return Ok(()),
            Ok(Some(frame)) => {
                stack.push(frame);
                None
            }
        };
        // `result` is the outcome of the child job the top frame added last.
        while let Some(top) = stack.last_mut() {
            if let Some(res) = result.take() {
                let pull = top.pulls[top.next - 1];
                if let Err(e) = res {
                    match pull.policy {
                        Policy::Fatal => {
                            if !matches!(e, TransactionError::NotApplicable { .. }) {
                                stack.pop();
                                result = Some(Err(e));
                                continue;
                            }
                        }
                        Policy::Wants => {
                            let severity = if e.is_quiet_for_wants() {
                                Severity::Debug
                            } else {
                                Severity::Warning
                            };
                            self.log(
                                severity,
                                Some(pull.unit),
                                format!("Cannot add dependency job, ignoring: {e}"),
                            );
                        }
                        Policy::Warn => self.log(
                            Severity::Warning,
                            Some(pull.unit),
                            format!("Cannot add dependency job, ignoring: {e}"),
                        ),
                        Policy::Reload => self.log(
                            Severity::Warning,
                            Some(pull.unit),
                            format!("Cannot add dependency reload job, ignoring: {e}"),
                        ),
                    }
                }
            }
            let Some(top) = stack.last_mut() else { break };
            if top.next == top.pulls.len() {
                stack.pop();
                result = Some(Ok(()));
                continue;
            }
            let pull = top.pulls[top.next];
            top.next += 1;
            let by = Some((top.job, pull.matters, pull.conflicts, pull.via));
            match self.enter(pull.job_type, pull.unit, by, false, ignore_order) {
                Err(e) => result = Some(Err(e)),
                Ok(None) => result = Some(Ok(())),
                Ok(Some(frame)) => stack.push(frame),
            }
        }
        result.unwrap_or(Ok(()))
    }

    /// Checks and adds one job; returns the frame of dependency jobs to add if it is new.
    fn enter(
        &mut self,
        job_type: JobType,
        unit: usize,
        by: Option<(usize, bool, bool, Via)>,
        ignore_requirements: bool,
        ignore_order: bool,
    ) -> Result<Option<Frame>, TransactionError> {
        let node = self.node(unit);
        if matches!(node.load_state(), LoadState::Stub | LoadState::Merged) {
            return Err(TransactionError::NotLoadedProperly(node.id().clone()));
        }
        if job_type != JobType::Stop {
            if let Some(e) = unit_info::load_state_error(node) {
                return Err(e);
            }
        }
        if !unit_info::job_is_applicable(node, self.manager, job_type) {
            return Err(TransactionError::NotApplicable {
                job_type,
                unit: node.id().clone(),
            });
        }
        let (job, is_new) = self.add_one_job(job_type, unit);
        self.jobs[job].ignore_order |= ignore_order;
        match by {
            Some((subject, matters, conflicts, via)) => {
                self.link(subject, job, matters, conflicts, via)
            }
            None => self.anchor = Some(job),
        }
        if !is_new || ignore_requirements || job_type == JobType::Nop {
            return Ok(None);
        }
        let pulls = self.pulls(unit, job_type);
        if pulls.is_empty() {
            return Ok(None);
        }
        Ok(Some(Frame {
            job,
            pulls,
            next: 0,
        }))
    }

    /// The dependency jobs a new job of this type pulls in, in systemd's order of atoms.
    fn pulls(&self, node: usize, job_type: JobType) -> Vec<Pull> {
        let adjacency = self.graph.adjacency();
        let mut out = Vec::new();
        let mut add = |kinds: &[DepKind],
                       f: &dyn Fn(usize) -> Option<JobType>,
                       matters: bool,
                       conflicts: bool,
                       policy: Policy| {
            for &kind in kinds {
                for unit in adjacency.deps(node, kind) {
                    if let Some(t) = f(unit) {
                        out.push(Pull {
                            unit,
                            job_type: t,
                            matters,
                            conflicts,
                            policy,
                            via: Via::Dependency(kind),
                        });
                    }
                }
            }
        };
        if matches!(job_type, JobType::Start | JobType::Restart) {
            let start = |_| Some(JobType::Start);
            add(
                &[DepKind::Requires, DepKind::BindsTo],
                &start,
                true,
                false,
                Policy::Fatal,
            );
            add(
                &[DepKind::Wants, DepKind::Upholds],
                &start,
                false,
                false,
                Policy::Wants,
            );
            add(
                &[DepKind::Requisite],
                &|_| Some(JobType::VerifyActive),
                true,
                false,
                Policy::Fatal,
            );
            let stop = |_| Some(JobType::Stop);
            add(&[DepKind::Conflicts], &stop, true, true, Policy::Fatal);
            add(&[DepKind::ConflictedBy], &stop, false, false, Policy::Warn);
        }
        if matches!(job_type, JobType::Stop | JobType::Restart) {
            let (kinds, ptype): (&[DepKind], JobType) = if job_type == JobType::Restart {
                (
                    &[
                        DepKind::RequiredBy,
                        DepKind::RequisiteOf,
                        DepKind::BoundBy,
                        DepKind::ConsistsOf,
                    ],
                    JobType::TryRestart,
                )
            } else {
                (
                    &[
                        DepKind::RequiredBy,
                        DepKind::RequisiteOf,
                        DepKind::BoundBy,
                        DepKind::ConsistsOf,
                        DepKind::PropagatesStopTo,
                    ],
                    JobType::Stop,
                )
            };
            let collapse = |u: usize| {
                let t = ptype.collapse(self.active_state(u));
                (t != JobType::Nop).then_some(t)
            };
            add(kinds, &collapse, true, false, Policy::Fatal);
        }
        if job_type == JobType::Reload {
            let collapse = |u: usize| {
                let t = JobType::TryReload.collapse(self.active_state(u));
                (t != JobType::Nop).then_some(t)
            };
            add(
                &[DepKind::PropagatesReloadTo],
                &collapse,
                false,
                false,
                Policy::Reload,
            );
        }
        out
    }

    /// Removes a job from the transaction (`transaction_delete_job()`): frees its links, and with
    /// `delete_dependencies` also deletes the jobs that need it (that pulled it in through a link
    /// that matters), recursively.
    pub fn delete_job(&mut self, job: usize, delete_dependencies: bool) {
        let mut work = vec![job];
        while let Some(j) = work.pop() {
            if !self.jobs[j].alive {
                continue;
            }
            self.unlist(j);
            self.jobs[j].alive = false;
            let subjects = std::mem::take(&mut self.jobs[j].subjects);
            for l in subjects {
                if self.links[l].alive {
                    self.links[l].alive = false;
                    let o = self.links[l].object;
                    self.jobs[o].live_objects -= 1;
                }
            }
            let objects = std::mem::take(&mut self.jobs[j].objects);
            for l in objects {
                if !self.links[l].alive {
                    continue;
                }
                self.links[l].alive = false;
                self.jobs[j].live_objects -= 1;
                if self.links[l].matters && delete_dependencies {
                    work.push(self.links[l].subject);
                }
            }
        }
    }

    /// Takes a job out of its unit's list.
    fn unlist(&mut self, j: usize) {
        let (prev, next, unit) = (self.jobs[j].prev, self.jobs[j].next, self.jobs[j].unit);
        match prev {
            Some(p) => self.jobs[p].next = next,
            None => {
                if self.heads[unit] == Some(j) {
                    self.heads[unit] = next;
                }
            }
        }
        if let Some(n) = next {
            self.jobs[n].prev = prev;
        }
        self.jobs[j].prev = None;
        self.jobs[j].next = None;
    }
}
