//! Replaying a scenario on a [`Shell`] and reporting mismatches.
use super::{matches, unified_diff, Scenario, Step};

/// Something that runs command lines like a terminal: the simulated machine, or a real one.
pub trait Shell {
    /// Runs `command` (the command line, then its heredoc lines and terminator if any) and
    /// returns what the terminal shows (stdout and stderr interleaved) and the exit status.
    fn run(&mut self, command: &str) -> (String, i32);
}

/// What one step printed, and whether it was expected.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The step.
    pub step: Step,
    /// The actual output, in lines.
    pub actual: Vec<String>,
    /// The actual exit status.
    pub status: i32,
}

impl Outcome {
    /// Whether output and status match the expectation.
    pub fn ok(&self) -> bool {
        self.status == self.step.status && matches(&self.step.expected, &self.actual)
    }
}

/// The result of replaying a scenario.
#[derive(Debug, Clone)]
pub struct Report {
    /// The scenario's file (as given).
    pub file: String,
    /// The seed the machine ran with.
    pub seed: u64,
    /// Every step's outcome, in order.
    pub outcomes: Vec<Outcome>,
}

/// Runs every step of `scenario` on `shell`, in order (steps after a mismatch still run).
pub fn run(scenario: &Scenario, shell: &mut dyn Shell) -> Report {
    let outcomes = scenario
        .steps
        .iter()
        .map(|step| {
            let (out, status) = shell.run(&step.text());
            Outcome {
                step: step.clone(),
                actual: out.lines().map(str::to_owned).collect(),
                status,
            }
        })
        .collect();
    Report {
        file: scenario.path.to_string(),
        seed: scenario.settings.seed,
        outcomes,
    }
}

impl Report {
    /// Whether every step matched.
    pub fn ok(&self) -> bool {
        self.outcomes.iter().all(Outcome::ok)
    }

    /// The mismatches: for each failing step, `file:line: $ COMMAND`, the status difference and
    /// a unified diff of the output. Empty when everything matched.
    pub fn diff(&self) -> String {
        let mut s = String::new();
        for o in self.outcomes.iter().filter(|o| !o.ok()) {
            s.push_str(&format!(
                "{}:{}: $ {}\n",
                self.file, o.step.line, o.step.command
            ));
            if o.status != o.step.status {
                s.push_str(&format!(
                    "exit status: expected {}, got {}\n",
                    o.step.status, o.status
                ));
            }
            if !matches(&o.step.expected, &o.actual) {
                s.push_str(&unified_diff(
                    &self.file,
                    o.step.output_line,
                    &o.step.expected,
                    &o.actual,
                ));
            }
        }
        s
    }

    /// The session as a terminal showed it, in the scenario format: each command (with its
    /// heredoc), `? N` when the status is not 0, and the actual output.
    pub fn transcript(&self) -> String {
        let mut s = String::new();
        for o in &self.outcomes {
            s.push_str("$ ");
            s.push_str(&o.step.text());
            s.push('\n');
            if o.status != 0 {
                s.push_str(&format!("? {}\n", o.status));
            }
            for l in &o.actual {
                s.push_str(l);
                s.push('\n');
            }
        }
        s
    }

    /// The scenario file's text with the expected output and statuses of mismatching steps
    /// replaced by the actual ones (matching steps keep their wildcards).
    pub fn blessed(&self, scenario: &Scenario) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut at = 0;
        for o in &self.outcomes {
            let st = &o.step;
            out.extend(scenario.lines[at..st.status_at].iter().cloned());
            if o.ok() {
                out.extend(scenario.lines[st.status_at..st.end].iter().cloned());
            } else {
                if o.status != 0 {
                    out.push(format!("? {}", o.status));
                }
                out.extend(o.actual.iter().cloned());
            }
            at = st.end;
        }
        out.extend(scenario.lines[at..].iter().cloned());
        let mut text = out.join("\n");
        text.push('\n');
        text
    }
}
