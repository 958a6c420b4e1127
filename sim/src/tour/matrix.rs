//! The table of what `stop`, `disable` and `mask` block, computed on small simulated machines.
//!
//! Every cell is an experiment on a fresh machine in user scope: a service `tmRC.service`
//! (enabled, `WantedBy=default.target`, running) and, for the row's trigger, the unit that starts
//! it (a service that `Wants=` or `Requires=` it, a timer, a socket, a path unit). The column's
//! action turns the service off (`stop`, `disable --now`, `mask --now`); then the row's trigger
//! fires (for the boot row, the machine reboots), and the cell says whether the service runs
//! afterwards (`systemctl --user is-active`).
//! Nothing in the table is written by hand: a row whose trigger the simulator does not model
//! yet shows what the simulator does (and a note says so, computed from the `stop` column,
//! where every trigger must start the service).
//!
//! [`Cell::scenario`] renders an experiment as a scenario file, so that the same commands can
//! be replayed on a real user manager (`unitlab tour --export-matrix DIR`, then
//! `scripts/real-manager-replay DIR/*.md`).
use crate::machine::{Machine, Settings, ShellScope};

/// The service every experiment is about.
const SERVICE: &str = "[Unit]
Description=The service being turned off

[Service]
ExecStart=/bin/sleep 1000

[Install]
WantedBy=default.target
";

/// What turns the service off (a column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// Column heading.
    pub heading: &'static str,
    /// The command, with `UNIT` for the service's name.
    pub command: &'static str,
}

/// Something that starts the service (a row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trigger {
    /// Row label.
    pub label: &'static str,
    /// Extra unit files: (suffix after the prefix, text with `PREFIX` for the prefix).
    pub units: &'static [(&'static str, &'static str)],
    /// The commands that fire the trigger (`PREFIX` for the prefix).
    pub commands: &'static [&'static str],
    /// Whether the trigger is a timer, socket or path unit (`requires = activation`).
    pub activation: bool,
    /// Whether the trigger reboots the machine (such cells cannot run on a real user manager:
    /// [`Cell::scenario`] gives `None`).
    pub reboots: bool,
}

/// The columns.
pub const ACTIONS: &[Action] = &[
    Action {
        heading: "stop",
        command: "systemctl --user stop UNIT",
    },
    Action {
        heading: "disable --now",
        command: "systemctl --user disable --now UNIT",
    },
    Action {
        heading: "mask --now",
        command: "systemctl --user mask --now UNIT",
    },
];

/// The rows.
pub const TRIGGERS: &[Trigger] = &[
    Trigger {
        label: "the next boot",
        units: &[],
        commands: &["systemctl reboot"],
        activation: false,
        reboots: true,
    },
    Trigger {
        label: "systemctl start",
        units: &[],
        commands: &["systemctl --user start PREFIX.service"],
        activation: false,
        reboots: false,
    },
    Trigger {
        label: "another unit Wants= it",
        units: &[(
            "-app.service",
            "[Unit]\nWants=PREFIX.service\nAfter=PREFIX.service\n\n[Service]\nExecStart=/bin/sleep 1000\n",
        )],
        commands: &["systemctl --user start PREFIX-app.service"],
        activation: false,
        reboots: false,
    },
    Trigger {
        label: "another unit Requires= it",
        units: &[(
            "-app.service",
            "[Unit]\nRequires=PREFIX.service\nAfter=PREFIX.service\n\n[Service]\nExecStart=/bin/sleep 1000\n",
        )],
        commands: &["systemctl --user start PREFIX-app.service"],
        activation: false,
        reboots: false,
    },
    Trigger {
        label: "its timer elapses",
        units: &[(
            ".timer",
            "[Timer]\nOnActiveSec=1s\nAccuracySec=1us\n",
        )],
        commands: &["systemctl --user start PREFIX.timer", "sleep 2"],
        activation: true,
        reboots: false,
    },
    Trigger {
        label: "a client connects to its socket",
        units: &[(".socket", "[Socket]\nListenStream=%t/PREFIX.sock\n")],
        commands: &[
            "systemctl --user start PREFIX.socket",
            "connect $XDG_RUNTIME_DIR/PREFIX.sock",
            "sleep 1",
        ],
        activation: true,
        reboots: false,
    },
    Trigger {
        label: "its path unit sees a file",
        units: &[(".path", "[Path]\nPathExists=%h/PREFIX.flag\n")],
        commands: &[
            "systemctl --user start PREFIX.path",
            "touch ~/PREFIX.flag",
            "sleep 1",
        ],
        activation: true,
        reboots: false,
    },
];

/// One experiment.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Row index in [`TRIGGERS`].
    pub row: usize,
    /// Column index in [`ACTIONS`].
    pub column: usize,
    /// The unit-name prefix (unique per cell: the real user manager is shared).
    pub prefix: String,
}

/// What one experiment printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellOutcome {
    /// `(command, output, status)` of every command, in order.
    pub transcript: Vec<(String, String, i32)>,
    /// The final `systemctl --user is-active` answer (`active`, `inactive`, `failed`, ...).
    pub state: String,
}

impl Cell {
    /// Every cell, row by row.
    pub fn all() -> Vec<Cell> {
        let mut v = Vec::new();
        for row in 0..TRIGGERS.len() {
            for column in 0..ACTIONS.len() {
                v.push(Cell {
                    row,
                    column,
                    prefix: format!("tm{row}{column}"),
                });
            }
        }
        v
    }

    /// The commands of the experiment (with heredocs), in order.
    pub fn commands(&self) -> Vec<String> {
        let p = &self.prefix;
        let t = &TRIGGERS[self.row];
        let unit = format!("{p}.service");
        let mut v = vec!["mkdir -p ~/.local/share/systemd/user".to_owned()];
        let mut write = |name: String, body: &str| {
            v.push(format!(
                "cat > ~/.local/share/systemd/user/{name} <<'EOF'\n{}EOF",
                body.replace("PREFIX", p)
            ));
        };
        write(unit.clone(), SERVICE);
        for (suffix, body) in t.units {
            write(format!("{p}{suffix}"), body);
        }
        v.push(format!("systemctl --user enable --now {unit}"));
        v.push(ACTIONS[self.column].command.replace("UNIT", &unit));
        for c in t.commands {
            v.push(c.replace("PREFIX", p));
        }
        v.push(format!("systemctl --user is-active {unit}"));
        v
    }

    /// Runs the experiment on a fresh simulated machine in user scope.
    pub fn run(&self) -> CellOutcome {
        let mut m = Machine::new(Settings {
            scope: ShellScope::User,
            ..Settings::default()
        });
        let mut transcript = Vec::new();
        for c in self.commands() {
            let (out, status) = m.run(&c);
            transcript.push((c, out, status));
        }
        let state = transcript
            .last()
            .map(|(_, out, _)| out.trim().to_owned())
            .unwrap_or_default();
        CellOutcome { transcript, state }
    }

    /// The experiment as a scenario file in user scope, its expected output being what the
    /// simulator printed (`result`), to replay on a real user manager; `None` for a trigger
    /// that reboots (a real user manager cannot be rebooted by a test).
    pub fn scenario(&self, result: &CellOutcome) -> Option<String> {
        if TRIGGERS[self.row].reboots {
            return None;
        }
        let mut s = format!(
            "# {} after `{}`\n\nA cell of the tour's stop/disable/mask table, as the simulator computed it.\n\n```unitlab\nscope = user\nrequires = manager\n```\n\n```console\n",
            TRIGGERS[self.row].label, ACTIONS[self.column].heading
        );
        for (c, out, status) in &result.transcript {
            // The command line, then the heredoc lines: the output goes after the terminator.
            s.push_str("$ ");
            s.push_str(c);
            s.push('\n');
            if *status != 0 {
                s.push_str(&format!("? {status}\n"));
            }
            s.push_str(out);
        }
        s.push_str("```\n");
        Some(s)
    }
}

/// The whole table: for every row, each column's result.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// `cells[row][column]`.
    pub cells: Vec<Vec<CellOutcome>>,
}

impl Matrix {
    /// Runs every experiment.
    pub fn compute() -> Matrix {
        let mut cells: Vec<Vec<CellOutcome>> = vec![Vec::new(); TRIGGERS.len()];
        for cell in Cell::all() {
            cells[cell.row].push(cell.run());
        }
        Matrix { cells }
    }

    /// The table as text: a header, one line per trigger, and notes for rows whose trigger
    /// does not start even a merely stopped service (the simulator does not model it yet).
    pub fn render(&self) -> String {
        let word = |r: &CellOutcome| {
            if r.state == "active" {
                "starts it".to_owned()
            } else {
                format!("stays off ({})", r.state)
            }
        };
        const CORNER: &str = "what tries to start it";
        let label_w = TRIGGERS
            .iter()
            .map(|t| t.label.len())
            .chain([CORNER.len()])
            .max()
            .unwrap_or(0);
        let headings: Vec<String> = ACTIONS
            .iter()
            .map(|a| format!("after {}", a.heading))
            .collect();
        let mut widths: Vec<usize> = headings.iter().map(String::len).collect();
        for row in &self.cells {
            for (k, r) in row.iter().enumerate() {
                widths[k] = widths[k].max(word(r).len());
            }
        }
        let mut s = String::new();
        let mut line = format!("{CORNER:label_w$}");
        for (k, h) in headings.iter().enumerate() {
            line.push_str(&format!(" | {:w$}", h, w = widths[k]));
        }
        s.push_str(line.trim_end());
        s.push('\n');
        let mut rule = "-".repeat(label_w);
        for w in &widths {
            rule.push_str(&format!("-+-{}", "-".repeat(*w)));
        }
        s.push_str(&rule);
        s.push('\n');
        let mut unmodelled = Vec::new();
        for (t, row) in TRIGGERS.iter().zip(&self.cells) {
            let mut line = format!("{:label_w$}", t.label);
            for (k, r) in row.iter().enumerate() {
                line.push_str(&format!(" | {:w$}", word(r), w = widths[k]));
            }
            s.push_str(line.trim_end());
            s.push('\n');
            if row.first().is_some_and(|r| r.state != "active") {
                unmodelled.push(format!("\"{}\"", t.label));
            }
        }
        if !unmodelled.is_empty() {
            s.push_str(&format!(
                "\nNote: {} did not start even a merely stopped service: the simulator does not run timers, sockets or path units yet, so those rows show what it does today, not what systemd does (see the chapter still-runs).\n",
                unmodelled.join(", ")
            ));
        }
        s
    }
}
