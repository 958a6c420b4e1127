//! What every triggering unit type (timers, sockets, paths) shares: the notification a
//! triggering unit gets when the unit it triggers changes state, and the hints `systemctl` prints
//! about trigger relations (systemd 252's `systemctl-show.c` and `check_triggering_units()`,
//! verified on a real user manager: `sim/scenarios/user-path-*.md`).
//!
//! * `status` of a triggered unit prints, after the `Active:` (and `Duration:`) line, one
//!   `TriggeredBy:` line per loaded unit that triggers it; the bullet is the *triggering* unit's
//!   state glyph (`●` active, activating or deactivating, `○` inactive, `×` failed, `↻`
//!   reloading). `status` of a triggering unit prints `   Triggers: ● X` lines (the bullet is
//!   always `●`) after the `TriggeredBy:` lines (and a timer's `Trigger:` line). Continuation
//!   lines are indented to the same column. systemd lists several entries in the order of its
//!   dependency hash map, which differs from run to run; the simulator lists them in load order.
//! * `systemctl stop X` (not `restart`, not with `--no-block` or `--quiet`), once its jobs are
//!   done, prints to stderr for each *active* (or reloading) unit that triggers X:
//!   `Warning: Stopping X, but it can still be activated by:` and `  T` lines. Nothing is printed
//!   for a masked X, for a stop that failed to enqueue, or when the triggering units are
//!   inactive or failed.
use super::units::Unit;
use super::{ActiveState, Manager};
use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::graph::DepKind;
use unitlab_engine::load::LoadState;
use unitlab_engine::name::{UnitName, UnitType};

/// `unit_active_state_to_glyph()`.
pub fn state_glyph(a: ActiveState) -> &'static str {
    match a {
        ActiveState::Inactive => "○",
        ActiveState::Failed => "×",
        ActiveState::Reloading => "↻",
        ActiveState::Active | ActiveState::Activating | ActiveState::Deactivating => "●",
    }
}

/// Whether `n` names a timer unit: its suffix says so (a valid name's type is its suffix), read
/// without [`UnitName::unit_type`]'s general parse (this runs several times per state change).
#[inline]
pub(crate) fn is_timer(n: &UnitName) -> bool {
    let r = n.as_str().ends_with(".timer");
    debug_assert_eq!(r, n.unit_type() == UnitType::Timer, "{n}");
    r
}

/// Whether `n` names a path unit (see [`is_timer`]).
#[inline]
pub(crate) fn is_path(n: &UnitName) -> bool {
    let r = n.as_str().ends_with(".path");
    debug_assert_eq!(r, n.unit_type() == UnitType::Path, "{n}");
    r
}

impl Manager {
    /// `unit_trigger_notify()`: `x` changed state or lost its job; the units that trigger it
    /// react (a path unit re-enters `waiting` or fails with `unit-start-limit-hit`).
    pub(crate) fn notify_triggering(&mut self, fs: &MemFs, x: &UnitName) {
        let Some(u) = self.units.unit(x) else {
            return;
        };
        if !u.has_deps(DepKind::TriggeredBy)
            || !u
                .node
                .deps_of(DepKind::TriggeredBy)
                .any(|(t, _)| is_path(t))
        {
            return;
        }
        // Only path units react (a timer-triggered service changes state several times per
        // elapse: nothing is copied for it).
        let paths: Vec<UnitName> = u
            .node
            .deps_of(DepKind::TriggeredBy)
            .map(|(t, _)| t)
            .filter(|t| is_path(t))
            .cloned()
            .collect();
        for t in paths {
            self.path_trigger_notify(fs, &t, x);
        }
    }

    /// `u`'s dependencies of one kind on units that are loaded (the manager's graph also
    /// remembers garbage-collected units).
    fn loaded_deps(&self, u: &Unit, kind: DepKind) -> Vec<UnitName> {
        u.deps(kind)
            .into_iter()
            .filter(|t| self.units.has(t))
            .collect()
    }

    /// The `TriggeredBy:` lines of `status` for `u`.
    pub(crate) fn triggered_by_lines(&self, u: &Unit) -> String {
        let mut s = String::new();
        for (i, t) in self.loaded_deps(u, DepKind::TriggeredBy).iter().enumerate() {
            let label = if i == 0 {
                "TriggeredBy:"
            } else {
                "            "
            };
            let glyph = state_glyph(self.state_of(t));
            s.push_str(&format!("{label} {glyph} {t}\n"));
        }
        s
    }

    /// The `Triggers:` lines of `status` for `u`.
    pub(crate) fn triggers_lines(&self, u: &Unit) -> String {
        let mut s = String::new();
        for (i, t) in self.loaded_deps(u, DepKind::Triggers).iter().enumerate() {
            let label = if i == 0 {
                "   Triggers:"
            } else {
                "            "
            };
            s.push_str(&format!("{label} ● {t}\n"));
        }
        s
    }

    /// "Warning: Stopping X, but it can still be activated by:" and the active units that
    /// trigger `n`, after a successful stop (systemctl's `check_triggering_units()`).
    pub(crate) fn stop_trigger_warning(&mut self, fs: &MemFs, n: &UnitName, err: &mut dyn Write) {
        // systemctl reads LoadState and TriggeredBy over the bus, which loads the unit.
        let Some(id) = self.load_one(fs, n) else {
            return;
        };
        let Some(u) = self.units.unit(&id) else {
            return;
        };
        if u.load_state() == LoadState::Masked {
            return;
        }
        let active: Vec<UnitName> = self
            .loaded_deps(u, DepKind::TriggeredBy)
            .into_iter()
            .filter(|t| self.state_of(t).is_active_or_reloading())
            .collect();
        if active.is_empty() {
            return;
        }
        let _ = writeln!(
            err,
            "Warning: Stopping {n}, but it can still be activated by:"
        );
        for t in active {
            let _ = writeln!(err, "  {t}");
        }
    }
}
