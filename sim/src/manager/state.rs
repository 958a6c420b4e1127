//! The runtime vocabulary of the manager: active states, service sub-states and results, job
//! types and job results, with the strings systemd 252 prints for them.
use std::fmt;

/// A unit's high-level activation state (`ActiveState=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActiveState {
    /// `active`.
    Active,
    /// `reloading`.
    Reloading,
    /// `inactive`.
    Inactive,
    /// `failed`.
    Failed,
    /// `activating`.
    Activating,
    /// `deactivating`.
    Deactivating,
}

impl ActiveState {
    /// systemd's string.
    pub fn as_str(self) -> &'static str {
        match self {
            ActiveState::Active => "active",
            ActiveState::Reloading => "reloading",
            ActiveState::Inactive => "inactive",
            ActiveState::Failed => "failed",
            ActiveState::Activating => "activating",
            ActiveState::Deactivating => "deactivating",
        }
    }

    /// `UNIT_IS_ACTIVE_OR_RELOADING`.
    pub fn is_active_or_reloading(self) -> bool {
        matches!(self, ActiveState::Active | ActiveState::Reloading)
    }

    /// `UNIT_IS_INACTIVE_OR_FAILED`.
    pub fn is_inactive_or_failed(self) -> bool {
        matches!(self, ActiveState::Inactive | ActiveState::Failed)
    }

    /// `UNIT_IS_ACTIVE_OR_ACTIVATING` (active, reloading or activating).
    pub fn is_active_or_activating(self) -> bool {
        matches!(
            self,
            ActiveState::Active | ActiveState::Reloading | ActiveState::Activating
        )
    }
}

impl fmt::Display for ActiveState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A service's low-level state (`SubState=` of services); other types use a subset (`dead`,
/// `active`, `failed` for targets and slices).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sub {
    /// `dead`.
    Dead,
    /// `condition` (not used: conditions are checked synchronously).
    Condition,
    /// `start-pre`: running `ExecStartPre=`.
    StartPre,
    /// `start`: waiting for the main process (oneshot, forking, notify).
    Start,
    /// `start-post`: running `ExecStartPost=`.
    StartPost,
    /// `running`.
    Running,
    /// `exited`: `RemainAfterExit=yes` after the main process ended.
    Exited,
    /// `reload`: running `ExecReload=`.
    Reload,
    /// `stop`: running `ExecStop=`.
    Stop,
    /// `stop-watchdog`: signalling after a watchdog timeout.
    StopWatchdog,
    /// `stop-sigterm`.
    StopSigterm,
    /// `stop-sigkill`.
    StopSigkill,
    /// `stop-post`.
    StopPost,
    /// `failed`.
    Failed,
    /// `auto-restart`: waiting `RestartSec=` before restarting.
    AutoRestart,
    /// `active` (targets, slices).
    Active,
    /// `listening`, `waiting`, `elapsed`, ... placeholders for sockets, timers and paths
    /// (issue 6): reported as `active`'s sub-state of those types.
    TypeActive(&'static str),
}

impl Sub {
    /// systemd's string.
    pub fn as_str(self) -> &'static str {
        match self {
            Sub::Dead => "dead",
            Sub::Condition => "condition",
            Sub::StartPre => "start-pre",
            Sub::Start => "start",
            Sub::StartPost => "start-post",
            Sub::Running => "running",
            Sub::Exited => "exited",
            Sub::Reload => "reload",
            Sub::Stop => "stop",
            Sub::StopWatchdog => "stop-watchdog",
            Sub::StopSigterm => "stop-sigterm",
            Sub::StopSigkill => "stop-sigkill",
            Sub::StopPost => "stop-post",
            Sub::Failed => "failed",
            Sub::AutoRestart => "auto-restart",
            Sub::Active => "active",
            Sub::TypeActive(s) => s,
        }
    }

    /// The active state a service sub-state maps to (systemd's `state_translation_table`).
    pub fn service_active_state(self) -> ActiveState {
        match self {
            Sub::Dead => ActiveState::Inactive,
            Sub::Condition | Sub::StartPre | Sub::Start | Sub::StartPost | Sub::AutoRestart => {
                ActiveState::Activating
            }
            Sub::Running | Sub::Exited | Sub::Active | Sub::TypeActive(_) => ActiveState::Active,
            Sub::Reload => ActiveState::Reloading,
            Sub::Stop | Sub::StopWatchdog | Sub::StopSigterm | Sub::StopSigkill | Sub::StopPost => {
                ActiveState::Deactivating
            }
            Sub::Failed => ActiveState::Failed,
        }
    }
}

/// A unit's `Result=` (services; other types keep `success`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitResult {
    /// `success`.
    Success,
    /// `resources`.
    Resources,
    /// `protocol`: a notify service exited before `READY=1`.
    Protocol,
    /// `timeout`.
    Timeout,
    /// `exit-code`.
    ExitCode,
    /// `signal`.
    Signal,
    /// `core-dump`.
    CoreDump,
    /// `watchdog`.
    Watchdog,
    /// `start-limit-hit`.
    StartLimitHit,
    /// `service-start-limit-hit` (sockets).
    ServiceStartLimitHit,
    /// `unit-start-limit-hit`: the unit a path or timer triggers hit its start limit.
    UnitStartLimitHit,
    /// `trigger-limit-hit`: a path or socket unit fired too often.
    TriggerLimitHit,
    /// `exec-condition`: an `ExecCondition=` command exited 1–254 (the unit is skipped, not
    /// failed).
    ExecCondition,
}

impl UnitResult {
    /// systemd's string.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitResult::Success => "success",
            UnitResult::Resources => "resources",
            UnitResult::Protocol => "protocol",
            UnitResult::Timeout => "timeout",
            UnitResult::ExitCode => "exit-code",
            UnitResult::Signal => "signal",
            UnitResult::CoreDump => "core-dump",
            UnitResult::Watchdog => "watchdog",
            UnitResult::StartLimitHit => "start-limit-hit",
            UnitResult::ServiceStartLimitHit => "service-start-limit-hit",
            UnitResult::UnitStartLimitHit => "unit-start-limit-hit",
            UnitResult::TriggerLimitHit => "trigger-limit-hit",
            UnitResult::ExecCondition => "exec-condition",
        }
    }
}

/// The type of a job: the engine's ([`unitlab_engine::transaction::JobType`]); an installed job
/// holds one of the six types a transaction holds (the request types collapse before).
pub use unitlab_engine::transaction::JobType;

/// How a job ended (`JOB_RESULT=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobResult {
    /// `done`.
    Done,
    /// `canceled`.
    Canceled,
    /// `timeout`.
    Timeout,
    /// `failed`.
    Failed,
    /// `dependency`.
    Dependency,
    /// `skipped`.
    Skipped,
    /// `invalid`.
    Invalid,
    /// `assert`.
    Assert,
    /// `unsupported`.
    Unsupported,
    /// `collected`.
    Collected,
    /// `once`.
    Once,
}

impl JobResult {
    /// systemd's string.
    pub fn as_str(self) -> &'static str {
        match self {
            JobResult::Done => "done",
            JobResult::Canceled => "canceled",
            JobResult::Timeout => "timeout",
            JobResult::Failed => "failed",
            JobResult::Dependency => "dependency",
            JobResult::Skipped => "skipped",
            JobResult::Invalid => "invalid",
            JobResult::Assert => "assert",
            JobResult::Unsupported => "unsupported",
            JobResult::Collected => "collected",
            JobResult::Once => "once",
        }
    }
}

impl fmt::Display for JobResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
