//! Why a transaction cannot be built. Each variant displays the text systemd 252 puts in the D-Bus
//! error (what `systemctl start` prints after `Failed to start X: `).
use super::job::JobType;
use crate::name::UnitName;

/// A refused or failed transaction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransactionError {
    /// The unit is not in the graph the transaction was planned on.
    #[error("Unit {0} not found.")]
    NoSuchUnit(String),
    /// Load state `not-found` (bus error `NoSuchUnit`, ENOENT).
    #[error("Unit {0} not found.")]
    NotFound(UnitName),
    /// Load state `bad-setting` (`BadUnitSetting`, ENOEXEC).
    #[error("Unit {0} has a bad unit file setting.")]
    BadSetting(UnitName),
    /// Load state `error`, with the `strerror()` text of the load error.
    #[error(
        "Unit {unit} failed to load properly, please adjust/correct and reload service manager: {strerror}"
    )]
    LoadFailed {
        /// The unit.
        unit: UnitName,
        /// The load error's `strerror()` text (`Bad message`, ...).
        strerror: String,
    },
    /// Load state `masked` (`UnitMasked`, ERFKILL).
    #[error("Unit {0} is masked.")]
    Masked(UnitName),
    /// Load state `stub` or `merged`.
    #[error("Unit {0} is not loaded properly.")]
    NotLoadedProperly(UnitName),
    /// The unit cannot do this job (EBADR): reload without reload support, stop or restart of a
    /// perpetual unit.
    #[error("Job type {job_type} is not applicable for unit {unit}.")]
    NotApplicable {
        /// The job type.
        job_type: JobType,
        /// The unit.
        unit: UnitName,
    },
    /// `isolate` with another job type than start.
    #[error("Isolate is only valid for start.")]
    IsolateOnlyForStart,
    /// `isolate` of a unit without `AllowIsolate=yes`.
    #[error("Operation refused, unit may not be isolated.")]
    NoIsolation,
    /// `triggering` with another job type than stop.
    #[error("--job-mode=triggering is only valid for stop.")]
    TriggeringOnlyForStop,
    /// A manual request on a unit with `RefuseManualStart=`/`RefuseManualStop=`.
    #[error(
        "Operation refused, unit {0} may be requested by dependency only (it is configured to refuse manual start/stop)."
    )]
    OnlyByDependency(UnitName),
    /// A manual stop of an inactive unit that failed to load.
    #[error("Unit {0} not loaded.")]
    NotLoaded(UnitName),
    /// An ordering cycle among jobs that all matter to the anchor.
    #[error("Transaction order is cyclic. See system logs for details.")]
    OrderIsCyclic,
    /// Two jobs for one unit that cannot merge, both needed by the anchor.
    #[error(
        "Transaction contains conflicting jobs '{first}' and '{second}' for {unit}. Probably contradicting requirement dependencies configured."
    )]
    ConflictingJobs {
        /// The type merged so far.
        first: JobType,
        /// The type that does not merge with it.
        second: JobType,
        /// The unit.
        unit: UnitName,
    },
    /// The transaction would replace a queued job it may not replace (mode `fail`, or an
    /// irreversible job).
    #[error(
        "Transaction for {anchor}/{anchor_type} is destructive ({unit} has '{queued}' job queued, but '{included}' is included in transaction)."
    )]
    Destructive {
        /// The anchor unit.
        anchor: UnitName,
        /// The anchor job's type.
        anchor_type: JobType,
        /// The unit whose queued job conflicts.
        unit: UnitName,
        /// The queued job's type.
        queued: JobType,
        /// The transaction's job type for that unit.
        included: JobType,
    },
}

impl TransactionError {
    /// The `strerror()` text of the errno systemd returns with this error (what `%m` prints in
    /// messages such as `Cannot add isolate job, ignoring: %m`).
    pub fn strerror(&self) -> &str {
        match self {
            TransactionError::NoSuchUnit(_) | TransactionError::NotFound(_) => {
                "No such file or directory"
            }
            TransactionError::NotLoaded(_) => "No such file or directory",
            TransactionError::BadSetting(_) => "Exec format error",
            TransactionError::LoadFailed { strerror, .. } => strerror,
            TransactionError::Masked(_) => "Operation not possible due to RF-kill",
            TransactionError::NotApplicable { .. } => "Invalid request descriptor",
            TransactionError::NotLoadedProperly(_) => "Invalid argument",
            // Never returned while adding jobs (the only place the errno text is shown).
            TransactionError::IsolateOnlyForStart
            | TransactionError::TriggeringOnlyForStop
            | TransactionError::NoIsolation
            | TransactionError::OnlyByDependency(_)
            | TransactionError::OrderIsCyclic
            | TransactionError::ConflictingJobs { .. }
            | TransactionError::Destructive { .. } => "Invalid argument",
        }
    }

    /// True for the errors a `Wants=` pull-in ignores silently (logged at debug level only): a
    /// masked or missing unit, or a job type the unit cannot do (ERFKILL, ENOENT, EBADR).
    pub fn is_quiet_for_wants(&self) -> bool {
        matches!(
            self,
            TransactionError::Masked(_)
                | TransactionError::NotFound(_)
                | TransactionError::NoSuchUnit(_)
                | TransactionError::NotApplicable { .. }
        )
    }
}
