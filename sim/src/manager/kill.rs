//! The kill context of the unit types that run processes (services, sockets, mounts, swaps,
//! scopes): `KillMode=`, `KillSignal=`, `RestartKillSignal=`, `FinalKillSignal=`,
//! `SendSIGKILL=`, `SendSIGHUP=` and `WatchdogSignal=`.
//!
//! Which signal a stop sends depends on why the unit stops (systemd's kill operations): a plain
//! stop sends `KillSignal=` (default `SIGTERM`), the stop half of a restart job
//! `RestartKillSignal=` (default: `KillSignal=`), a watchdog timeout `WatchdogSignal=` (default
//! `SIGABRT`), a stop that timed out `FinalKillSignal=` (default `SIGKILL`). A main process that dies of `SIGHUP`, `SIGINT`,
//! `SIGTERM` or `SIGPIPE` exited cleanly; any other signal (`KillSignal=SIGKILL`) leaves the
//! service `failed` with result `signal` (verified on the live user manager,
//! `user-kill-signal.md`).
use super::process::parse_signal;
use unitlab_engine::name::UnitType;
use unitlab_engine::syntax::Settings;

/// `KillMode=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KillMode {
    /// `control-group` (the default).
    ControlGroup,
    /// `process`.
    Process,
    /// `mixed`.
    Mixed,
    /// `none`.
    None,
}

impl KillMode {
    /// systemd's string.
    pub fn as_str(self) -> &'static str {
        match self {
            KillMode::ControlGroup => "control-group",
            KillMode::Process => "process",
            KillMode::Mixed => "mixed",
            KillMode::None => "none",
        }
    }

    fn parse(s: &str) -> Option<KillMode> {
        Some(match s {
            "control-group" => KillMode::ControlGroup,
            "process" => KillMode::Process,
            "mixed" => KillMode::Mixed,
            "none" => KillMode::None,
            _ => return None,
        })
    }
}

/// Why processes are signalled (systemd's `KillOperation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KillOperation {
    /// A stop.
    Terminate,
    /// The stop half of a restart job.
    Restart,
    /// A stop that timed out.
    Kill,
    /// A watchdog timeout.
    Watchdog,
}

/// The kill settings of one unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KillConfig {
    /// `KillMode=`.
    pub mode: KillMode,
    /// `KillSignal=`.
    pub signal: i32,
    /// `RestartKillSignal=`, if set (else `KillSignal=` applies).
    pub restart_signal: Option<i32>,
    /// `FinalKillSignal=`.
    pub final_signal: i32,
    /// `SendSIGKILL=`.
    pub send_sigkill: bool,
    /// `SendSIGHUP=`.
    pub send_sighup: bool,
    /// `WatchdogSignal=`.
    pub watchdog_signal: i32,
}

impl Default for KillConfig {
    fn default() -> KillConfig {
        KillConfig {
            mode: KillMode::ControlGroup,
            signal: 15,
            restart_signal: None,
            final_signal: 9,
            send_sigkill: true,
            send_sighup: false,
            watchdog_signal: 6,
        }
    }
}

/// The section holding the kill settings of a unit type, for the types that have them.
pub fn section_of(ty: UnitType) -> Option<&'static str> {
    matches!(
        ty,
        UnitType::Service | UnitType::Socket | UnitType::Mount | UnitType::Swap | UnitType::Scope
    )
    .then(|| ty.section())
}

impl KillConfig {
    /// Reads the kill settings of a unit of type `ty`; `None` for types without them. Values
    /// systemd refuses (an unknown signal or mode) leave the default, as systemd ignores them.
    pub fn of(s: &Settings, ty: UnitType) -> Option<KillConfig> {
        KillConfig::of_present(&super::config::Present::of(s), ty)
    }

    /// [`KillConfig::of`] on settings whose keys were listed already.
    pub(crate) fn of_present(s: &super::config::Present<'_>, ty: UnitType) -> Option<KillConfig> {
        let section = section_of(ty)?;
        let get = |key: &str| s.get(section, key).map(|v| v.value.trim());
        let signal = |key: &str| get(key).and_then(parse_signal);
        let flag = |key: &str, default: bool| {
            get(key)
                .and_then(super::config::parse_bool)
                .unwrap_or(default)
        };
        let d = KillConfig::default();
        Some(KillConfig {
            mode: get("KillMode").and_then(KillMode::parse).unwrap_or(d.mode),
            signal: signal("KillSignal").unwrap_or(d.signal),
            restart_signal: signal("RestartKillSignal"),
            final_signal: signal("FinalKillSignal").unwrap_or(d.final_signal),
            send_sigkill: flag("SendSIGKILL", d.send_sigkill),
            send_sighup: flag("SendSIGHUP", d.send_sighup),
            watchdog_signal: signal("WatchdogSignal").unwrap_or(d.watchdog_signal),
        })
    }

    /// The signal an operation sends to the unit's main and control processes
    /// (`unit_kill_context()`). The modes differ only for the other processes of the unit's
    /// control group, which the simulator does not have; `KillMode=none` (deprecated: it leaves
    /// the processes running after the unit stopped, still listed in its control group) is
    /// not modelled and signals them like `control-group`.
    pub fn signal_for(&self, op: KillOperation) -> i32 {
        match op {
            KillOperation::Terminate => self.signal,
            KillOperation::Restart => self.restart_signal.unwrap_or(self.signal),
            KillOperation::Kill => self.final_signal,
            KillOperation::Watchdog => self.watchdog_signal,
        }
    }

    /// The properties `systemctl show` prints, in systemd's order.
    pub fn properties(&self) -> [(&'static str, String); 7] {
        [
            ("KillMode", self.mode.as_str().to_owned()),
            ("KillSignal", self.signal.to_string()),
            (
                "RestartKillSignal",
                self.restart_signal.unwrap_or(self.signal).to_string(),
            ),
            ("FinalKillSignal", self.final_signal.to_string()),
            ("SendSIGKILL", yes_no(self.send_sigkill)),
            ("SendSIGHUP", yes_no(self.send_sighup)),
            ("WatchdogSignal", self.watchdog_signal.to_string()),
        ]
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_pick_their_signal() {
        let mut k = KillConfig::default();
        assert_eq!(k.signal_for(KillOperation::Terminate), 15);
        assert_eq!(k.signal_for(KillOperation::Restart), 15);
        assert_eq!(k.signal_for(KillOperation::Watchdog), 6);
        assert_eq!(k.signal_for(KillOperation::Kill), 9);
        k.signal = 2;
        assert_eq!(k.signal_for(KillOperation::Restart), 2);
        assert_eq!(k.signal_for(KillOperation::Kill), 9);
        k.final_signal = 3;
        assert_eq!(k.signal_for(KillOperation::Kill), 3);
        k.restart_signal = Some(10);
        assert_eq!(k.signal_for(KillOperation::Restart), 10);
    }
}
