//! The runtime state a transaction is planned against: each unit's active state and the jobs
//! already queued.
//!
//! The planner consults the state through [`RuntimeView`], unit by unit, only for the units the
//! transaction touches (and the queued jobs): a manager with thousands of units answers from its
//! own tables instead of copying them into a map per request. [`RuntimeState`] is a map that
//! implements it, for callers that have no tables of their own.
use super::job::JobType;
use crate::name::UnitName;
use std::collections::HashMap;
use std::fmt;

/// A unit's active state (`ActiveState=`), as systemd 252 has them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ActiveState {
    /// `active`.
    Active,
    /// `reloading`.
    Reloading,
    /// `inactive` (the default).
    #[default]
    Inactive,
    /// `failed`.
    Failed,
    /// `activating`.
    Activating,
    /// `deactivating`.
    Deactivating,
    /// `maintenance`.
    Maintenance,
}

impl ActiveState {
    /// All states, in systemd's enum order.
    pub const ALL: [ActiveState; 7] = [
        ActiveState::Active,
        ActiveState::Reloading,
        ActiveState::Inactive,
        ActiveState::Failed,
        ActiveState::Activating,
        ActiveState::Deactivating,
        ActiveState::Maintenance,
    ];

    /// systemd's name (`active`, `inactive`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ActiveState::Active => "active",
            ActiveState::Reloading => "reloading",
            ActiveState::Inactive => "inactive",
            ActiveState::Failed => "failed",
            ActiveState::Activating => "activating",
            ActiveState::Deactivating => "deactivating",
            ActiveState::Maintenance => "maintenance",
        }
    }

    /// Parses systemd's name back.
    pub fn from_name(s: &str) -> Option<ActiveState> {
        ActiveState::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// `active` or `reloading`.
    pub fn is_active_or_reloading(self) -> bool {
        matches!(self, ActiveState::Active | ActiveState::Reloading)
    }

    /// `active`, `reloading` or `activating`.
    pub fn is_active_or_activating(self) -> bool {
        matches!(
            self,
            ActiveState::Active | ActiveState::Reloading | ActiveState::Activating
        )
    }

    /// `inactive` or `failed`.
    pub fn is_inactive_or_failed(self) -> bool {
        matches!(self, ActiveState::Inactive | ActiveState::Failed)
    }
}

impl fmt::Display for ActiveState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job already queued in the manager (installed), as a transaction sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstalledJob {
    /// Its type (one of the six transaction types).
    pub job_type: JobType,
    /// Queued with `replace-irreversibly`: no transaction may replace it.
    pub irreversible: bool,
}

/// The manager's state as the transaction planner consults it (see the module docs).
///
/// A unit whose state is not given (`None`) is `inactive`, except the perpetual units (see
/// [`RuntimeState`]).
pub trait RuntimeView {
    /// The active state of the unit with this id, if one is given.
    fn active_state(&self, unit: &UnitName) -> Option<ActiveState>;

    /// Calls `f` for every unit (by id) that has a queued job. The planner calls it once per
    /// request, unless the view answers unit by unit ([`RuntimeView::jobs_by_unit`]); the order
    /// does not change the transaction.
    fn for_each_job(&self, f: &mut dyn FnMut(&UnitName, InstalledJob));

    /// Whether [`RuntimeView::job_of`] answers for every unit. The planner then asks for the
    /// queued jobs of the units it looks at only (a unit it asks about, the neighbours it orders
    /// against), instead of reading every queued job first: planning costs what the transaction
    /// touches, however many jobs are queued. False by default.
    fn jobs_by_unit(&self) -> bool {
        false
    }

    /// The job queued for the unit with this id, if any (used when
    /// [`RuntimeView::jobs_by_unit`] is true).
    fn job_of(&self, _unit: &UnitName) -> Option<InstalledJob> {
        None
    }
}

/// The manager's state a transaction is planned against, as a map.
///
/// A unit that has not been given a state is `inactive`, except the perpetual units the manager
/// synthesizes and keeps running (`-.slice`, the system manager's `system.slice`, `-.mount`,
/// `init.scope`), which are `active` — as right after the manager started, which is what
/// `systemd --test` plans against. No job is queued unless one is given.
#[derive(Clone, Debug, Default)]
pub struct RuntimeState {
    states: HashMap<UnitName, ActiveState>,
    jobs: HashMap<UnitName, InstalledJob>,
}

impl RuntimeState {
    /// Every unit inactive (perpetual units active), no job queued.
    pub fn new() -> RuntimeState {
        RuntimeState::default()
    }

    /// Sets a unit's active state (by its id).
    pub fn set_active_state(&mut self, unit: UnitName, state: ActiveState) {
        self.states.insert(unit, state);
    }

    /// The state given for a unit, if any.
    pub fn given_state(&self, unit: &str) -> Option<ActiveState> {
        self.states.get(unit).copied()
    }

    /// Records a queued job for a unit (by its id); `None` removes it.
    pub fn set_job(&mut self, unit: UnitName, job: Option<InstalledJob>) {
        match job {
            Some(j) => {
                self.jobs.insert(unit, j);
            }
            None => {
                self.jobs.remove(unit.as_str());
            }
        }
    }

    /// The job queued for a unit, if any.
    pub fn job(&self, unit: &str) -> Option<InstalledJob> {
        self.jobs.get(unit).copied()
    }

    /// The units with a queued job.
    pub fn jobs(&self) -> impl Iterator<Item = (&UnitName, &InstalledJob)> {
        self.jobs.iter()
    }
}

impl RuntimeView for RuntimeState {
    fn active_state(&self, unit: &UnitName) -> Option<ActiveState> {
        if self.states.is_empty() {
            return None;
        }
        self.given_state(unit.as_str())
    }

    fn for_each_job(&self, f: &mut dyn FnMut(&UnitName, InstalledJob)) {
        for (u, j) in &self.jobs {
            f(u, *j);
        }
    }
}
