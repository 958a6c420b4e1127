//! The service manager at runtime (reference §6.3, §7): unit active states, the job queue, the
//! simulated processes, and the runtime `systemctl` verbs. One [`Manager`] per scope (the system
//! manager and each user's manager) runs over the machine's in-memory filesystem, a virtual
//! [`Clock`] and a shared [`Journal`].
//!
//! Interface contract between the machine (`crate::machine`, which owns the shell and the
//! scenario runner) and the manager (this module):
//! - the machine owns the [`World`] (filesystem, clock, journal) and lends it to every call;
//! - `systemctl` install verbs are run by the machine through the CLI on the machine's filesystem,
//!   followed by [`Manager::daemon_reload`] unless `--no-reload` was given, as a live systemctl
//!   asks the manager to reload;
//! - every other `systemctl` verb goes to [`Manager::systemctl`], which writes what systemctl
//!   would print to the terminal and returns the exit status;
//! - time advances only through [`Manager::next_event`] / [`Manager::run_until`]: the machine
//!   asks for the next due event and moves the clock there (`sleep`, and after every command
//!   with a zero-length advance so that queued jobs run).

mod clock;
mod journal;

pub use clock::{Clock, Usec};
pub use journal::{Journal, JournalEntry};

use std::io::Write;
use unitlab_engine::fs::MemFs;
use unitlab_engine::load::Scope;

/// What a manager call may touch: the machine's filesystem, clock and journal, and the terminal.
pub struct World<'a> {
    /// The machine's filesystem (root of the simulated machine).
    pub fs: &'a mut MemFs,
    /// The virtual clock.
    pub clock: &'a mut Clock,
    /// The journal shared by all managers of the machine.
    pub journal: &'a mut Journal,
}

/// A simulated systemd service manager of one scope.
pub struct Manager {
    scope: Scope,
}

impl Manager {
    /// A manager for `scope` (`Scope::System` or `Scope::User`), not yet booted.
    pub fn new(scope: Scope) -> Manager {
        Manager { scope }
    }

    /// The scope this manager serves.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Loads the units and starts the default target, as at boot (the machine then runs events
    /// until idle).
    pub fn boot(&mut self, _world: &mut World<'_>) {}

    /// Re-reads unit files (`systemctl daemon-reload`).
    pub fn daemon_reload(&mut self, _world: &mut World<'_>) {}

    /// Runs a runtime `systemctl` verb (`args` excludes the program name and the scope flag),
    /// writing systemctl's stdout and stderr, and returns its exit status.
    pub fn systemctl(
        &mut self,
        _world: &mut World<'_>,
        args: &[String],
        _out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> i32 {
        let verb = args.first().map(String::as_str).unwrap_or("");
        let _ = writeln!(err, "Unknown command verb {verb}.");
        1
    }

    /// The time of the next event this manager has scheduled, if any.
    pub fn next_event(&self) -> Option<Usec> {
        None
    }

    /// Runs every event due at or before `until` (the clock is moved to each event's time).
    pub fn run_until(&mut self, _world: &mut World<'_>, _until: Usec) {}
}
