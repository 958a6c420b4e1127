//! Job types and modes (reference §6.1), and the pure rules on types: merging, collapsing against the
//! unit's state, redundancy and the execution order of two jobs.
use super::state::ActiveState;
use std::fmt;

/// What a job does to its unit. The first six are the types a transaction holds; `TryRestart`,
/// `TryReload` and `ReloadOrStart` are requests that collapse ([`JobType::collapse`]) into one of
/// them against the unit's active state before they enter a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobType {
    /// `start`.
    Start,
    /// `verify-active`: pulled in by `Requisite=`; fails unless the unit is active.
    VerifyActive,
    /// `stop`.
    Stop,
    /// `reload`.
    Reload,
    /// `restart`: stop, then start unconditionally.
    Restart,
    /// `nop`: does nothing (what `try-restart` of an inactive unit becomes).
    Nop,
    /// `try-restart`: `restart` if the unit is active, activating or reloading, else `nop`.
    TryRestart,
    /// `try-reload`: `reload` if the unit is active or reloading, else `nop`.
    TryReload,
    /// `reload-or-start`: `reload` if the unit is active or reloading, else `start`.
    ReloadOrStart,
}

impl JobType {
    /// All types, in systemd's enum order.
    pub const ALL: [JobType; 9] = [
        JobType::Start,
        JobType::VerifyActive,
        JobType::Stop,
        JobType::Reload,
        JobType::Restart,
        JobType::Nop,
        JobType::TryRestart,
        JobType::TryReload,
        JobType::ReloadOrStart,
    ];

    /// systemd's name (`start`, `verify-active`, ...), as in `systemctl list-jobs` and the dump.
    pub fn as_str(self) -> &'static str {
        match self {
            JobType::Start => "start",
            JobType::VerifyActive => "verify-active",
            JobType::Stop => "stop",
            JobType::Reload => "reload",
            JobType::Restart => "restart",
            JobType::Nop => "nop",
            JobType::TryRestart => "try-restart",
            JobType::TryReload => "try-reload",
            JobType::ReloadOrStart => "reload-or-start",
        }
    }

    /// Parses systemd's name back.
    pub fn from_name(s: &str) -> Option<JobType> {
        JobType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// True for the five types that merge with each other (`start` … `restart`).
    fn merging(self) -> bool {
        matches!(
            self,
            JobType::Start
                | JobType::VerifyActive
                | JobType::Stop
                | JobType::Reload
                | JobType::Restart
        )
    }

    /// The type two jobs for one unit merge into (reference §6.1), or `None` if they conflict:
    /// start+verify-active → start; reload+start → reload-or-start; reload+verify-active → reload;
    /// restart+{start, verify-active, reload} → restart; stop with anything else → conflict.
    /// Only the five merging types merge; any other pair of different types conflicts.
    pub fn merge(self, other: JobType) -> Option<JobType> {
        use JobType::*;
        if self == other {
            return Some(self);
        }
        if !self.merging() || !other.merging() {
            return None;
        }
        let (a, b) = if self > other {
            (self, other)
        } else {
            (other, self)
        };
        match (a, b) {
            (VerifyActive, Start) => Some(Start),
            (Reload, Start) => Some(ReloadOrStart),
            (Reload, VerifyActive) => Some(Reload),
            (Restart, Start | VerifyActive | Reload) => Some(Restart),
            _ => None,
        }
    }

    /// True if two jobs for one unit cannot both be pending: neither is `nop` and they do not merge.
    pub fn conflicts_with(self, other: JobType) -> bool {
        self != JobType::Nop && other != JobType::Nop && self.merge(other).is_none()
    }

    /// The type a request becomes against the unit's active state: `try-restart`, `try-reload` and
    /// `reload-or-start` collapse; every other type stays.
    pub fn collapse(self, state: ActiveState) -> JobType {
        match self {
            JobType::TryRestart if state.is_active_or_activating() => JobType::Restart,
            JobType::TryRestart => JobType::Nop,
            JobType::TryReload if state.is_active_or_reloading() => JobType::Reload,
            JobType::TryReload => JobType::Nop,
            JobType::ReloadOrStart if state.is_active_or_reloading() => JobType::Reload,
            JobType::ReloadOrStart => JobType::Start,
            t => t,
        }
    }

    /// True if a job of this type has nothing to do on a unit in `state`: start and verify-active
    /// of an active or reloading unit, stop of an inactive or failed unit, reload of a reloading unit,
    /// and `nop`. Restarts are never redundant.
    pub fn is_redundant(self, state: ActiveState) -> bool {
        match self {
            JobType::Start | JobType::VerifyActive => state.is_active_or_reloading(),
            JobType::Stop => state.is_inactive_or_failed(),
            JobType::Reload => state == ActiveState::Reloading,
            JobType::Nop => true,
            _ => false,
        }
    }

    /// True for the types that run like a stop first (`stop`, `restart`): they go before the other
    /// jobs they are ordered with, whichever way the ordering points.
    pub fn stops_first(self) -> bool {
        matches!(self, JobType::Stop | JobType::Restart)
    }
}

impl fmt::Display for JobType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a transaction treats the jobs already queued and the units it does not need
/// (`systemctl --job-mode=`, reference §6.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum JobMode {
    /// `fail`: refuse if a queued job would be replaced; leave out jobs that do not matter to the
    /// anchor and would stop running units or change queued jobs.
    Fail,
    /// `replace` (the default): queued conflicting jobs are replaced.
    #[default]
    Replace,
    /// `replace-irreversibly`: like `replace`, and the new jobs cannot be replaced later.
    ReplaceIrreversibly,
    /// `isolate` (start only, units with `AllowIsolate=yes`): also stop every active unit that is not
    /// in the transaction, except `IgnoreOnIsolate=yes` units and units triggered by kept units.
    Isolate,
    /// `flush`: like `replace`, and cancel every queued job not in the transaction.
    Flush,
    /// `ignore-dependencies`: the unit's job alone, without dependency jobs and ignoring ordering.
    IgnoreDependencies,
    /// `ignore-requirements`: the unit's job alone, without dependency jobs (ordering still holds).
    IgnoreRequirements,
    /// `triggering` (stop only): also stop the active units that trigger the unit.
    Triggering,
}

impl JobMode {
    /// All modes, in systemd's enum order.
    pub const ALL: [JobMode; 8] = [
        JobMode::Fail,
        JobMode::Replace,
        JobMode::ReplaceIrreversibly,
        JobMode::Isolate,
        JobMode::Flush,
        JobMode::IgnoreDependencies,
        JobMode::IgnoreRequirements,
        JobMode::Triggering,
    ];

    /// systemd's name (`replace`, `ignore-dependencies`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            JobMode::Fail => "fail",
            JobMode::Replace => "replace",
            JobMode::ReplaceIrreversibly => "replace-irreversibly",
            JobMode::Isolate => "isolate",
            JobMode::Flush => "flush",
            JobMode::IgnoreDependencies => "ignore-dependencies",
            JobMode::IgnoreRequirements => "ignore-requirements",
            JobMode::Triggering => "triggering",
        }
    }

    /// Parses systemd's name back.
    pub fn from_name(s: &str) -> Option<JobMode> {
        JobMode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl fmt::Display for JobMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobType::*;

    // reference §6.1: the merge table, symmetric, and stop conflicts with every other merging type.
    #[test]
    fn merge_table() {
        assert_eq!(Start.merge(VerifyActive), Some(Start));
        assert_eq!(Reload.merge(Start), Some(ReloadOrStart));
        assert_eq!(VerifyActive.merge(Reload), Some(Reload));
        for t in [Start, VerifyActive, Reload] {
            assert_eq!(Restart.merge(t), Some(Restart));
            assert_eq!(t.merge(Restart), Some(Restart));
        }
        for t in [Start, VerifyActive, Reload, Restart] {
            assert_eq!(Stop.merge(t), None);
            assert!(Stop.conflicts_with(t));
        }
        for a in JobType::ALL {
            assert_eq!(a.merge(a), Some(a));
            assert!(!a.conflicts_with(Nop));
            for b in JobType::ALL {
                assert_eq!(a.merge(b), b.merge(a));
            }
        }
    }

    // reference §6.1: collapsing the try-/or- types against the state.
    #[test]
    fn collapse_and_redundancy() {
        use ActiveState::*;
        assert_eq!(TryRestart.collapse(Activating), Restart);
        assert_eq!(TryRestart.collapse(Inactive), Nop);
        assert_eq!(TryReload.collapse(Activating), Nop);
        assert_eq!(TryReload.collapse(Reloading), Reload);
        assert_eq!(ReloadOrStart.collapse(Failed), Start);
        assert_eq!(ReloadOrStart.collapse(Active), Reload);
        assert!(Start.is_redundant(Active));
        assert!(!Start.is_redundant(Activating));
        assert!(Stop.is_redundant(Failed));
        assert!(!Restart.is_redundant(Active));
        assert!(Nop.is_redundant(Inactive));
        for t in JobType::ALL {
            assert_eq!(JobType::from_name(t.as_str()), Some(t));
        }
        for m in JobMode::ALL {
            assert_eq!(JobMode::from_name(m.as_str()), Some(m));
        }
    }
}
