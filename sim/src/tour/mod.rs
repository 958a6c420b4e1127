//! The teaching tour (`unitlab tour`): short stories about stop, disable and mask, played on
//! the simulated machine.
//!
//! # The model
//!
//! A chapter is a scenario file (the format of [`crate::scenario`], so `unitlab replay` checks
//! it and `scripts/real-manager-replay` compares it with a real user manager) whose prose
//! paragraphs are the explanations. The chapters live in `sim/tour/*.md` and are embedded in the
//! binary. Playing a chapter ([`play`]) runs its commands one by one on a fresh
//! [`Machine`] and prints, in reading order, each explanation, each
//! command (`$ cmd`) and the output the simulator produces for it *now*, not the output written
//! in the file; checking ([`check`]) compares that live output with the file's expected output
//! (wildcards allowed), which came from real systemd 252.
//!
//! Besides the scenario format, a chapter may contain fenced blocks tagged `tour`:
//! `requires = activation` marks a chapter that needs timers, sockets and paths to start units,
//! and `show = matrix` places the table of what stop, disable and mask block ([`matrix`]),
//! which the simulator computes on small machines each time it is shown.
//!
//! A chapter that needs something the simulator lacks (`requires = manager`, `requires =
//! activation`, `requires = offline-root`) is skipped, with the reason, when
//! [`Capabilities::probe`] finds it missing: the probe runs tiny experiments on a machine, so
//! chapters come in by themselves once the simulator can run them (`unitlab tour --unsupported`
//! plays them anyway, marking where the simulator differs from the expected output).
//!
//! The API: [`chapters`] and [`find`] give the embedded chapters ([`Chapter`]: name, title,
//! [`Scenario`](crate::scenario::Scenario), requirements, [`Segment`]s), [`parse`] reads one
//! from text, [`play`] writes a playback, [`check`] compares with the expected output, and
//! [`matrix`] computes the table.
//!
//! ```
//! use unitlab_sim::tour;
//! let names: Vec<&str> = tour::chapters().iter().map(|c| c.name.as_str()).collect();
//! assert!(names.contains(&"stop-disable-mask"));
//! ```

mod chapter;
pub mod matrix;
mod play;

pub use chapter::{parse, Chapter, Requirement, Segment};
pub use play::{check, play, CheckOutcome, Style};

use crate::machine::{Machine, Settings, ShellScope};
use std::sync::OnceLock;

/// `(name, text)` of the chapter `sim/tour/NAME.md`, embedded.
macro_rules! chapter {
    ($name:literal) => {
        ($name, include_str!(concat!("../../tour/", $name, ".md")))
    };
}

/// The embedded chapters, in playing order: (name, text).
const CHAPTERS: &[(&str, &str)] = &[
    chapter!("stop-disable-mask"),
    chapter!("still-runs"),
    chapter!("socket-activation"),
    chapter!("masked-dependency"),
    chapter!("start-limit"),
    chapter!("mask-file-exists"),
    chapter!("rescue-with-root"),
    chapter!("runtime-mask-reboot"),
    chapter!("unmask-not-enable"),
    chapter!("edit-without-reload"),
];

/// Every chapter, in playing order (parsed once).
pub fn chapters() -> &'static [Chapter] {
    static PARSED: OnceLock<Vec<Chapter>> = OnceLock::new();
    PARSED.get_or_init(|| {
        CHAPTERS
            .iter()
            .map(|(name, text)| {
                let path = format!("sim/tour/{name}.md");
                parse(name, path.as_str().into(), text)
                    .expect("the embedded chapters are checked by the tests")
            })
            .collect()
    })
}

/// The chapter called `name`.
pub fn find(name: &str) -> Option<&'static Chapter> {
    chapters().iter().find(|c| c.name == name)
}

/// What the simulator can do, found by running experiments on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// The runtime manager starts a service (`systemctl --user start`, then `is-active`).
    pub manager: bool,
    /// A timer, a socket and a path unit each start their service.
    pub activation: bool,
    /// `systemctl --root=DIR is-enabled` reads the unit files below a directory of the machine.
    pub offline_root: bool,
}

impl Capabilities {
    /// Probes the simulator (once per process).
    pub fn probe() -> Capabilities {
        static CAPS: OnceLock<Capabilities> = OnceLock::new();
        *CAPS.get_or_init(|| {
            let manager = probe_commands(&[
                "mkdir -p ~/.local/share/systemd/user",
                "cat > ~/.local/share/systemd/user/probe.service <<'EOF'\n[Service]\nExecStart=/bin/sleep 1000\nEOF",
                "systemctl --user daemon-reload",
                "systemctl --user start probe.service",
            ]);
            // The `stop` column of the matrix: each trigger must start a merely stopped service.
            let activation = manager
                && matrix::TRIGGERS
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.activation)
                    .all(|(row, _)| {
                        matrix::Cell {
                            row,
                            column: 0,
                            prefix: format!("probe{row}"),
                        }
                        .run()
                        .state
                            == "active"
                    });
            let offline_root = {
                let mut m = Machine::new(Settings::default());
                m.run("mkdir -p /mnt/probe/usr/lib/systemd/system");
                m.run("cat > /mnt/probe/usr/lib/systemd/system/probe.service <<'EOF'\n[Service]\nExecStart=/bin/true\nEOF");
                m.run("systemctl --root=/mnt/probe is-enabled probe.service") == ("static\n".to_owned(), 0)
            };
            Capabilities {
                manager,
                activation,
                offline_root,
            }
        })
    }

    /// Whether `r` is available.
    pub fn has(&self, r: Requirement) -> bool {
        match r {
            Requirement::Manager => self.manager,
            Requirement::Activation => self.activation,
            Requirement::OfflineRoot => self.offline_root,
        }
    }

    /// Why `chapter` cannot run here, if it cannot.
    pub fn missing(&self, chapter: &Chapter) -> Option<String> {
        let missing: Vec<&str> = chapter
            .requires
            .iter()
            .filter(|r| !self.has(**r))
            .map(|r| r.as_str())
            .collect();
        (!missing.is_empty()).then(|| {
            let what: Vec<&str> = missing
                .iter()
                .map(|m| match *m {
                    "manager" => "the runtime manager (start, stop, status, journal)",
                    "activation" => "timers, sockets and path units that start services",
                    _ => "`systemctl --root=DIR` on a directory of the simulated machine",
                })
                .collect();
            format!(
                "it needs {}, which the simulator does not have yet",
                what.join(" and ")
            )
        })
    }
}

/// Whether the commands all succeed and the last one leaves `probe.service` active.
fn probe_commands(commands: &[&str]) -> bool {
    let mut m = Machine::new(Settings {
        scope: ShellScope::User,
        ..Settings::default()
    });
    for c in commands {
        if m.run(c).1 != 0 {
            return false;
        }
    }
    m.run("systemctl --user is-active probe.service") == ("active\n".to_owned(), 0)
}
