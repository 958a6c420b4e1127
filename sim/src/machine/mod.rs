//! The simulated machine: an in-memory filesystem, a virtual clock, a journal, the system
//! manager and one user's manager, and a small shell that runs the commands of a scenario.
//!
//! # The model
//!
//! A [`Machine`] is what a scenario's terminal is attached to. It owns the [`World`] (the
//! machine's [`MemFs`], [`Clock`] and [`Journal`]) and lends it to the two [`Manager`]s (system
//! and user scope) on every call, as the interface in [`crate::manager`] describes:
//!
//! * the filesystem starts as a Debian 12 machine with systemd 252's stock targets, slices and
//!   user units (`base.rs`), the user `user` (uid 1000, `HOME=/home/user`,
//!   `XDG_RUNTIME_DIR=/run/user/1000`) and root's home;
//! * at [`Machine::new`] the system manager boots, then the user manager, and the machine runs
//!   every event that falls due at boot;
//! * [`Machine::run`] runs one command line like bash would (quotes, `~` and `$VAR` expansion,
//!   `>`/`>>` redirections, `2>&1`, heredocs): coreutils-like commands act on the filesystem,
//!   `systemctl` install verbs run through the CLI (`crate::cli`) on the machine's filesystem and
//!   are followed by [`Manager::daemon_reload`] unless `--no-reload`, every other `systemctl`
//!   verb goes to [`Manager::systemctl`], `journalctl` renders the journal, and `sleep` moves the
//!   clock forward through the managers' events. After every command the machine runs the events
//!   due at the current time (a zero-length advance), so queued jobs complete.
//!
//! The shell's user is root (scope `system`, the default) or the user (scope `user`): it decides
//! `HOME`, the working directory, and the owner `ls -l` shows for new files. `systemctl --user`
//! always talks to the user's manager, also from root's shell (as `systemctl --user -M user@`
//! would).
//!
//! Everything is deterministic: the same settings and commands give the same transcript.
//!
//! ```
//! use unitlab_sim::machine::{Machine, Settings, ShellScope};
//! let mut m = Machine::new(Settings { scope: ShellScope::User, ..Settings::default() });
//! let (out, status) = m.run("mkdir -p ~/.config/systemd/user");
//! assert_eq!((out.as_str(), status), ("", 0));
//! m.run("cat > ~/.config/systemd/user/a.service <<'EOF'\n[Install]\nWantedBy=default.target\nEOF");
//! let (out, status) = m.run("systemctl --user enable a.service");
//! assert_eq!(status, 0);
//! assert!(out.starts_with("Created symlink /home/user/.config/systemd/user/default.target.wants/a.service"));
//! let (out, status) = m.run("nosuch");
//! assert_eq!((out.as_str(), status), ("bash: nosuch: command not found\n", 127));
//! // The journal and the managers are there to read.
//! let _entries = &m.journal().entries;
//! let _user_manager = m.manager(unitlab_engine::load::Scope::User);
//! ```

mod base;
mod commands;
mod journalctl;
mod shell;
mod systemctl;
mod term;
mod time;

pub use time::days_from_civil;

use crate::manager::{Clock, FileChange, Journal, Manager, Usec, World};
use camino::Utf8PathBuf;
use std::collections::BTreeMap;
use unitlab_engine::fs::MemFs;
use unitlab_engine::load::Scope;

/// Whose shell the scenario's terminal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellScope {
    /// root's shell (`HOME=/root`, cwd `/root`).
    System,
    /// The user's shell (`HOME=/home/USER`, cwd `HOME`); such scenarios can be replayed on a
    /// real user manager.
    User,
}

/// How a machine is set up (the `unitlab` block of a scenario).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Whose shell runs the commands.
    pub scope: ShellScope,
    /// The user's name.
    pub user: String,
    /// The user's uid (and gid).
    pub uid: u32,
    /// The seed of every random choice of the simulation.
    pub seed: u64,
    /// The wall clock at boot, in microseconds since the epoch.
    pub start: Usec,
    /// Whether the stock unit files of systemd 252 are installed.
    pub base: bool,
}

impl Default for Settings {
    /// root's shell, the user `user` (uid 1000), seed 0, 2026-11-24 12:00:00 UTC, stock units.
    fn default() -> Settings {
        Settings {
            scope: ShellScope::System,
            user: "user".to_owned(),
            uid: 1000,
            seed: 0,
            start: (days_from_civil(2026, 11, 24) as u64 * 86_400 + 12 * 3600) * 1_000_000,
            base: true,
        }
    }
}

impl Settings {
    /// The user's home directory (`/home/USER`).
    pub fn home(&self) -> String {
        format!("/home/{}", self.user)
    }

    /// The user's runtime directory (`/run/user/UID`).
    pub fn runtime_dir(&self) -> String {
        format!("/run/user/{}", self.uid)
    }
}

/// A simulated machine (see the [module docs](self)).
pub struct Machine {
    settings: Settings,
    fs: MemFs,
    clock: Clock,
    journal: Journal,
    system: Manager,
    user: Manager,
    cwd: Utf8PathBuf,
    /// `(filesystem stamp, wall clock)` before each command: maps the filesystem's logical
    /// modification stamps to wall-clock times for `ls -l`.
    stamps: Vec<(i128, Usec)>,
    /// Socket and FIFO files made by the sockets of earlier boots (path → kind and stamp).
    special: BTreeMap<String, crate::manager::SpecialFile>,
}

impl Machine {
    /// A machine booted with `settings`: both managers booted and idle.
    pub fn new(settings: Settings) -> Machine {
        let fs = base::initial_fs(&settings).expect("the embedded base tree is well-formed");
        let cwd = Utf8PathBuf::from(match settings.scope {
            ShellScope::System => "/root".to_owned(),
            ShellScope::User => settings.home(),
        });
        let settings_for_managers = settings.clone();
        let mut m = Machine {
            clock: Clock::new(settings.start),
            settings,
            fs,
            journal: Journal::default(),
            system: new_manager(&settings_for_managers, Scope::System),
            user: new_manager(&settings_for_managers, Scope::User),
            cwd,
            stamps: Vec::new(),
            special: BTreeMap::new(),
        };
        {
            let mut world = World {
                fs: &mut m.fs,
                clock: &mut m.clock,
                journal: &mut m.journal,
            };
            m.system.boot(&mut world);
            m.user.boot(&mut world);
        }
        m.settle();
        m
    }

    /// Runs one command line (with its heredoc lines and terminator, if any, after a newline)
    /// and returns what the terminal shows (stdout and stderr interleaved) and the exit status.
    pub fn run(&mut self, command: &str) -> (String, i32) {
        self.stamps.push((self.fs.clock(), self.clock.realtime()));
        let term = term::Term::default();
        let status = shell::run(self, command, &term);
        self.settle();
        (term.take(), status)
    }

    /// The machine's settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The machine's filesystem.
    pub fn fs(&self) -> &MemFs {
        &self.fs
    }

    /// The virtual clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The journal (every message of both managers).
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The manager of `scope` (`Scope::User` is the user's manager; anything else the system's).
    pub fn manager(&self, scope: Scope) -> &Manager {
        match scope {
            Scope::User => &self.user,
            _ => &self.system,
        }
    }

    /// The manager of `scope`, mutably, with the world it runs in (to call its methods directly).
    pub fn manager_mut(&mut self, scope: Scope) -> (&mut Manager, World<'_>) {
        let world = World {
            fs: &mut self.fs,
            clock: &mut self.clock,
            journal: &mut self.journal,
        };
        let m = match scope {
            Scope::User => &mut self.user,
            _ => &mut self.system,
        };
        (m, world)
    }

    /// Reboots the machine (`systemctl reboot`, or `poweroff` followed by a boot): `/run` and
    /// `/tmp` are emptied, so runtime masks, `enable --runtime` links and runtime drop-ins
    /// vanish (reference §7.3); `/etc`, `/usr` and the homes persist. The clock starts a new
    /// boot (monotonic time 0, the wall clock goes on), the journal keeps the earlier boots, and
    /// fresh system and user managers boot and settle.
    ///
    /// The managers are replaced without running stop jobs: shutting down is not simulated yet.
    pub fn reboot(&mut self) {
        use unitlab_engine::fs::FileSystem;
        for dir in ["/run", "/tmp"] {
            let path = camino::Utf8Path::new(dir);
            if let Ok(entries) = self.fs.read_dir(path) {
                for e in entries {
                    let child = path.join(&e.name);
                    let _ = if e.kind == unitlab_engine::fs::FileKind::Dir {
                        self.fs.remove_dir_all(&child)
                    } else {
                        self.fs.remove_file(&child)
                    };
                }
            }
        }
        for dir in [
            "/run/systemd/system".to_owned(),
            self.settings.runtime_dir(),
        ] {
            let _ = self.fs.add_dir(dir);
        }
        for m in [&self.system, &self.user] {
            for (p, f) in m.special_files() {
                self.special.insert(p.to_owned(), f);
            }
        }
        let now = self.clock.realtime();
        self.clock = Clock {
            monotonic: 0,
            boot_realtime: now,
            boot: self.clock.boot + 1,
        };
        self.system = new_manager(&self.settings, Scope::System);
        self.user = new_manager(&self.settings, Scope::User);
        {
            let mut world = World {
                fs: &mut self.fs,
                clock: &mut self.clock,
                journal: &mut self.journal,
            };
            self.system.boot(&mut world);
            self.user.boot(&mut world);
        }
        self.settle();
    }

    /// A client connects to `addr` (a socket path, relative to the shell's directory, or
    /// `[HOST:]PORT`) and closes the connection: the manager whose socket listens there is
    /// triggered ([`Manager::connect`]); `Connection refused` when nothing listens.
    pub fn connect(&mut self, addr: &str) -> Result<(), crate::manager::ConnectError> {
        use crate::manager::{Address, ConnectError};
        let target = if addr.starts_with('/') || addr.starts_with('.') || addr.contains('/') {
            Address::Path(
                unitlab_engine::fs::normalize(&self.cwd, camino::Utf8Path::new(addr)).to_string(),
            )
        } else {
            match Address::parse(addr) {
                Some(a) => a,
                None => return Err(ConnectError::Refused),
            }
        };
        let mut result = Err(ConnectError::Refused);
        for scope in [Scope::System, Scope::User] {
            let (manager, mut world) = self.manager_mut(scope);
            if let Some(r) = manager.connect(&mut world, &target) {
                result = r;
                break;
            }
        }
        self.settle();
        result
    }

    /// The `ls -l` type letter of a file a socket made (`s`, `p`), if `path` is still that file.
    pub(crate) fn special_kind(
        &self,
        path: &camino::Utf8Path,
        meta: &unitlab_engine::fs::Metadata,
    ) -> Option<char> {
        let managers = [&self.user, &self.system];
        let current = managers.iter().find_map(|m| {
            m.special_files()
                .find(|(p, _)| *p == path.as_str())
                .map(|(_, f)| f)
        });
        current
            .or_else(|| self.special.get(path.as_str()).copied())
            .filter(|f| f.stamp == meta.modified_ns)
            .map(|f| f.kind)
    }

    /// Tells both managers that the shell changed `path` (resolved: no symlinks on the way),
    /// so that their path units see it as inotify would show it to them.
    fn notify(&mut self, path: &camino::Utf8Path, change: FileChange) {
        let mut world = World {
            fs: &mut self.fs,
            clock: &mut self.clock,
            journal: &mut self.journal,
        };
        self.system.path_changed(&mut world, path, change);
        self.user.path_changed(&mut world, path, change);
    }

    /// Runs the events that are due now (a zero-length advance), until none is left.
    pub fn settle(&mut self) {
        let now = self.clock.monotonic;
        self.advance_to(now);
    }

    /// Moves the clock forward by `usec`, running every event that falls due on the way.
    pub fn advance(&mut self, usec: Usec) {
        let until = self.clock.monotonic.saturating_add(usec);
        self.advance_to(until);
    }

    fn advance_to(&mut self, until: Usec) {
        // Bounded so that a manager that keeps scheduling events "now" cannot hang the shell.
        for _ in 0..1_000_000 {
            let next = [self.system.next_event(), self.user.next_event()]
                .into_iter()
                .flatten()
                .min();
            let Some(at) = next.filter(|t| *t <= until) else {
                break;
            };
            self.clock.monotonic = self.clock.monotonic.max(at);
            let mut world = World {
                fs: &mut self.fs,
                clock: &mut self.clock,
                journal: &mut self.journal,
            };
            self.system.run_until(&mut world, at);
            self.user.run_until(&mut world, at);
        }
        self.clock.monotonic = self.clock.monotonic.max(until);
    }

    /// The environment a `systemctl` of `scope` runs with on this machine (for `Scope::User`,
    /// the user's: `HOME`, `USER`, `XDG_RUNTIME_DIR`, ...); the user manager needs the same to
    /// find its unit directories.
    pub fn env_of(&self, scope: Scope) -> BTreeMap<String, String> {
        self.env(scope == Scope::User)
    }

    /// The environment of the shell's user (or, with `user`, of the user whatever the shell).
    fn env(&self, user: bool) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        let as_user = user || self.settings.scope == ShellScope::User;
        let (name, home) = if as_user {
            (self.settings.user.clone(), self.settings.home())
        } else {
            ("root".to_owned(), "/root".to_owned())
        };
        env.insert("HOME".to_owned(), home);
        env.insert("USER".to_owned(), name.clone());
        env.insert("LOGNAME".to_owned(), name);
        env.insert(
            "PATH".to_owned(),
            "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin".to_owned(),
        );
        env.insert("SHELL".to_owned(), "/bin/bash".to_owned());
        if as_user {
            env.insert("XDG_RUNTIME_DIR".to_owned(), self.settings.runtime_dir());
            env.insert("UID".to_owned(), self.settings.uid.to_string());
        } else {
            env.insert("UID".to_owned(), "0".to_owned());
        }
        env
    }

    /// The wall-clock time a filesystem stamp was made at (for `ls -l`).
    fn mtime(&self, stamp: i128) -> Usec {
        self.stamps
            .iter()
            .rev()
            .find(|(s, _)| *s < stamp)
            .map(|(_, t)| *t)
            .unwrap_or(self.settings.start)
    }
}

/// The manager of `scope` for a machine set up with `settings`: the one place where managers
/// are made (at boot and at every reboot).
///
/// `Manager::new` knows only the default user (`user`, uid 1000); a machine with another user
/// needs the manager to take the user's name, uid and environment ([`Machine::env_of`]).
fn new_manager(settings: &Settings, scope: Scope) -> Manager {
    let mut m = Manager::new(scope);
    m.set_seed(settings.seed);
    m
}

impl crate::scenario::Shell for Machine {
    fn run(&mut self, command: &str) -> (String, i32) {
        Machine::run(self, command)
    }
}
