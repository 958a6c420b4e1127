//! What planning produces: the transaction's jobs, why each one is there, and the manager's
//! messages.
use super::job::{JobMode, JobType};
use crate::diag::Severity;
use crate::graph::DepKind;
use crate::name::UnitName;
use std::fmt;

/// How a job was pulled into the transaction by another job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Via {
    /// A dependency of the pulling job's unit, of this kind (`Requires`, `Wants`, `Conflicts`,
    /// `ConflictedBy`, `RequiredBy` for stop propagation, `PropagatesReloadTo`, ...).
    Dependency(DepKind),
    /// A stop job added by `isolate` for a unit that is not in the transaction.
    Isolate,
    /// A stop job added by `triggering` for a unit that triggers the anchor's unit.
    Triggering,
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Via::Dependency(k) => f.write_str(k.as_str()),
            Via::Isolate => f.write_str("isolate"),
            Via::Triggering => f.write_str("triggering"),
        }
    }
}

/// One job that pulled another one in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PulledInBy {
    /// The pulling job's unit.
    pub unit: UnitName,
    /// The pulling job's type (after merging).
    pub job_type: JobType,
    /// The dependency it was pulled through.
    pub via: Via,
}

/// One job of a planned transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The unit (its id).
    pub unit: UnitName,
    /// The job type after merging and collapsing: one of `start`, `verify-active`, `stop`,
    /// `reload`, `restart`, `nop`.
    pub job_type: JobType,
    /// True for the job that was asked for (the anchor).
    pub anchor: bool,
    /// True if the anchor needs this job (reachable from the anchor through requirement links:
    /// `Requires=`, `BindsTo=`, `Requisite=`, `Conflicts=`, stop propagation, isolate).
    pub matters_to_anchor: bool,
    /// Queued with `replace-irreversibly`.
    pub irreversible: bool,
    /// Ordering is ignored for this job (`ignore-dependencies`).
    pub ignore_order: bool,
    /// The jobs that pulled this one in, first link first (empty for the anchor).
    pub pulled_in_by: Vec<PulledInBy>,
}

/// A planned transaction: what the manager would queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// The anchor unit.
    pub anchor: UnitName,
    /// The anchor job's type.
    pub anchor_type: JobType,
    /// The job mode.
    pub mode: JobMode,
    /// The jobs, one per unit, sorted by unit name.
    pub jobs: Vec<Job>,
    /// Queued jobs (units) that applying the transaction would cancel (`isolate`, `flush`).
    pub cancelled: Vec<UnitName>,
}

impl Transaction {
    /// The job for a unit, if the transaction has one.
    pub fn job(&self, unit: &str) -> Option<&Job> {
        self.jobs
            .binary_search_by(|j| j.unit.as_str().cmp(unit))
            .ok()
            .map(|i| &self.jobs[i])
    }
}

/// A message the manager logs while building a transaction (`X: Cannot add dependency job,
/// ignoring: ...`, the ordering-cycle messages), worded as systemd 252 logs it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    /// The log level.
    pub severity: Severity,
    /// The unit the message is logged for (its `X: ` prefix), if any.
    pub unit: Option<UnitName>,
    /// The text after the prefix.
    pub text: String,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.unit {
            Some(u) => write!(f, "{u}: {}", self.text),
            None => f.write_str(&self.text),
        }
    }
}
