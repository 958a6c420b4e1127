//! Planned transactions kept for the next identical request.
//!
//! A service with `Restart=` asks for the same restart transaction every time it dies; with
//! thousands of such services the planner would run once per event. The planner is a function of
//! the graph, the request, the queued jobs and the active states it consulted, so a plan can be
//! reused while the graph is unchanged (the cache is emptied whenever a unit is loaded or the graph
//! is rebuilt) and every unit the planner asked about is still in the state it answered and has
//! the same queued job (or none) as it had then: the planner asks for the queued jobs unit by
//! unit too (`RuntimeView::job_of`), so jobs of units it never looked at cannot change its plan.
//! Reusing it gives exactly what planning again would: the same jobs, the same refusal, the same
//! journal messages. Checking a kept plan costs what the planner consulted, not the length of
//! the job queue.
use super::jobs::{Mode, TxnError};
use super::state::JobType;
use indexmap::IndexMap;
use std::rc::Rc;
use unitlab_engine::graph::NameHash;
use unitlab_engine::name::UnitName;
use unitlab_engine::transaction::ActiveState;

/// What was asked for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PlanKey {
    pub unit: UnitName,
    pub job_type: JobType,
    pub mode: Mode,
    pub manual: bool,
    pub reload_if: bool,
}

/// The jobs of a planned transaction as the manager installs them: (unit, type, anchor,
/// ignore-order), the anchor's first, and the queued jobs it cancels.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recipe {
    pub jobs: Vec<(UnitName, JobType, bool, bool)>,
    pub cancelled: Vec<UnitName>,
}

/// What the planner was told about one unit, for checking a kept plan: the unit as the table
/// knows it (its key, shared, so that the position can be confirmed by address) and its
/// position then, so a check looks nothing up while the table is unchanged.
#[derive(Clone, Debug)]
pub(crate) struct Consulted {
    /// The table's key for the unit (the name asked for when it was not loaded).
    pub key: UnitName,
    /// Its position in the table when planned (`usize::MAX` when not loaded).
    pub at: usize,
    /// Its active state when asked (`None`: not asked; `Some(None)`: not loaded).
    pub state: Option<Option<ActiveState>>,
    /// Its queued job when asked (`None`: not asked; `Some(None)`: no job).
    pub job: Option<Option<JobType>>,
}

/// One kept plan.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The units the planner asked about and what it was told (`None`: not loaded).
    pub consulted: Vec<(UnitName, Option<ActiveState>)>,
    /// The units whose queued job the planner asked for and what it was told (`None`: no job).
    pub jobs: Vec<(UnitName, Option<JobType>)>,
    /// Both lists merged by unit, with the units' positions (what a check reads).
    pub checks: Vec<Consulted>,
    /// The planner's journal messages: (unit, priority, text).
    pub messages: Vec<(Option<UnitName>, u8, String)>,
    /// The jobs, or why the request was refused.
    pub result: Result<Rc<Recipe>, TxnError>,
}

/// The kept plans (bounded: emptied when it grows past [`PlanCache::LIMIT`] requests). A
/// request keeps its last [`PlanCache::VARIANTS`] plans (newest first), made against different
/// queues: a burst of timer elapses asks for the same start behind a queue that differs from day
/// to day (a weekly timer joins on Mondays), and the next ordinary day finds its plan again.
#[derive(Debug, Default)]
pub(crate) struct PlanCache {
    plans: IndexMap<PlanKey, Vec<Rc<Plan>>, NameHash>,
    /// Counts [`PlanCache::clear`] calls: the graph changed (or may have) when it moves.
    generation: u64,
}

impl PlanCache {
    const LIMIT: usize = 4096;
    const VARIANTS: usize = 4;

    /// Forgets every plan (the graph changed).
    pub fn clear(&mut self) {
        self.plans.clear();
        self.generation += 1;
    }

    /// The number of times the cache was emptied because the graph changed: a unit's
    /// dependencies are unchanged while it stays the same.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The plans kept for `key`, newest first (the caller checks which still holds).
    pub fn get(&self, key: &PlanKey) -> &[Rc<Plan>] {
        self.plans.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Keeps a plan.
    pub fn insert(&mut self, key: PlanKey, plan: Rc<Plan>) {
        if self.plans.len() >= Self::LIMIT && !self.plans.contains_key(&key) {
            self.plans.clear();
        }
        let kept = self.plans.entry(key).or_default();
        kept.insert(0, plan);
        kept.truncate(Self::VARIANTS);
    }
}
