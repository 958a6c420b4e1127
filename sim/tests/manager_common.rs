//! Shared by the manager tests: a small user-scope machine (the stock user targets of systemd
//! 252 as Debian 12 ships them in /usr/lib/systemd/user), running commands against a
//! [`Manager`] and collecting a transcript.
#![allow(dead_code)]

use unitlab_engine::fs::MemFs;
use unitlab_engine::load::Scope;
use unitlab_sim::manager::{Clock, Journal, Manager, World};

/// The user unit directory of the test machine.
pub const UNIT_DIR: &str = "/home/user/.config/systemd/user";
/// The user's vendor-style unit directory (`~/.local/share/systemd/user`): units there can be
/// masked from [`UNIT_DIR`].
pub const SHARE_DIR: &str = "/home/user/.local/share/systemd/user";

/// Where a test unit goes: names prefixed `share:` go to [`SHARE_DIR`].
pub fn unit_path(name: &str) -> String {
    match name.strip_prefix("share:") {
        Some(n) => format!("{SHARE_DIR}/{n}"),
        None => format!("{UNIT_DIR}/{name}"),
    }
}

/// Stock user units (text of Debian 12's /usr/lib/systemd/user, comments dropped).
pub const BASE: &[(&str, &str)] = &[
    ("default.target", "[Unit]\nDescription=Main User Target\nDocumentation=man:systemd.special(7)\nRequires=basic.target\nAfter=basic.target\nAllowIsolate=yes\n"),
    ("basic.target", "[Unit]\nDescription=Basic System\nDocumentation=man:systemd.special(7)\nWants=sockets.target timers.target paths.target\nAfter=sockets.target timers.target paths.target\n"),
    ("paths.target", "[Unit]\nDescription=Paths\nDocumentation=man:systemd.special(7)\n"),
    ("sockets.target", "[Unit]\nDescription=Sockets\nDocumentation=man:systemd.special(7)\n"),
    ("timers.target", "[Unit]\nDescription=Timers\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nConflicts=shutdown.target\n"),
    ("shutdown.target", "[Unit]\nDescription=Shutdown\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nRefuseManualStart=yes\n"),
    ("app.slice", "[Unit]\nDescription=User Application Slice\nDocumentation=man:systemd.special(7)\n[Slice]\nCPUWeight=100\n"),
    ("exit.target", "[Unit]\nDescription=Exit the Session\nDocumentation=man:systemd.special(7)\nDefaultDependencies=no\nRequires=systemd-exit.service\nAfter=systemd-exit.service\nAllowIsolate=yes\n"),
];

/// A booted user-scope machine.
pub struct Machine {
    pub fs: MemFs,
    pub clock: Clock,
    pub journal: Journal,
    pub manager: Manager,
}

impl Machine {
    /// Boots a machine with the base units and `units` (name, text) in [`UNIT_DIR`].
    pub fn new(units: &[(&str, &str)]) -> Machine {
        let fs = MemFs::new();
        for (n, t) in BASE {
            fs.add_file(format!("/usr/lib/systemd/user/{n}"), *t)
                .expect("base unit");
        }
        for (n, t) in units {
            fs.add_file(unit_path(n), *t).expect("unit");
        }
        fs.add_dir(UNIT_DIR).expect("unit dir");
        fs.add_dir("/run/user/1000").expect("runtime dir");
        let mut m = Machine {
            fs,
            clock: Clock::new(1_795_524_451_000_000),
            journal: Journal::default(),
            manager: Manager::new(Scope::User),
        };
        m.manager.set_invariant_checks(true);
        let mut w = World {
            fs: &mut m.fs,
            clock: &mut m.clock,
            journal: &mut m.journal,
        };
        m.manager.boot(&mut w);
        m
    }

    /// Writes (or replaces) a unit file.
    pub fn write(&mut self, name: &str, text: &str) {
        use unitlab_engine::fs::FileSystem;
        let p = unit_path(name);
        self.fs
            .write_atomic(camino::Utf8Path::new(&p), text.as_bytes())
            .expect("write");
    }

    /// `systemctl --user mask NAME` as the machine does it: the link, then a daemon-reload.
    pub fn mask(&mut self, name: &str) {
        use unitlab_engine::fs::FileSystem;
        let p = format!("{UNIT_DIR}/{name}");
        self.fs
            .symlink(
                camino::Utf8Path::new("/dev/null"),
                camino::Utf8Path::new(&p),
            )
            .expect("mask link");
        self.daemon_reload();
    }

    /// `systemctl --user unmask NAME`: removes the link, then a daemon-reload.
    pub fn unmask(&mut self, name: &str) {
        use unitlab_engine::fs::FileSystem;
        let p = format!("{UNIT_DIR}/{name}");
        let _ = self.fs.remove_file(camino::Utf8Path::new(&p));
        self.daemon_reload();
    }

    /// Reloads the manager.
    pub fn daemon_reload(&mut self) {
        let mut w = World {
            fs: &mut self.fs,
            clock: &mut self.clock,
            journal: &mut self.journal,
        };
        self.manager.daemon_reload(&mut w);
    }

    /// Runs `systemctl --user ARGS`; returns (combined output, exit status).
    pub fn systemctl(&mut self, args: &str) -> (String, i32) {
        let args: Vec<String> = args.split_whitespace().map(str::to_owned).collect();
        let mut out: Vec<u8> = Vec::new();
        let mut err: Vec<u8> = Vec::new();
        let mut w = World {
            fs: &mut self.fs,
            clock: &mut self.clock,
            journal: &mut self.journal,
        };
        let code = self.manager.systemctl(&mut w, &args, &mut out, &mut err);
        let mut s = String::from_utf8_lossy(&err).into_owned();
        s.push_str(&String::from_utf8_lossy(&out));
        (s, code)
    }

    /// Advances the clock by `usec`, running what falls due.
    pub fn sleep(&mut self, usec: u64) {
        let until = self.clock.monotonic + usec;
        let mut w = World {
            fs: &mut self.fs,
            clock: &mut self.clock,
            journal: &mut self.journal,
        };
        self.manager.run_until(&mut w, until);
    }

    /// `systemctl --user show -p PROP --value UNIT`.
    pub fn prop(&mut self, unit: &str, prop: &str) -> String {
        self.systemctl(&format!("show -p {prop} --value {unit}"))
            .0
            .trim_end()
            .to_owned()
    }

    /// The journal messages so far, one per line.
    pub fn messages(&self) -> Vec<String> {
        self.journal
            .entries
            .iter()
            .map(|e| e.message.to_string())
            .collect()
    }
}
