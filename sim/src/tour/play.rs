//! Playing a chapter on a fresh machine, and checking it against its expected output.
use super::{matrix::Matrix, Chapter, Segment};
use crate::machine::Machine;
use crate::scenario::{self, Outcome};
use std::io::{self, Write};

/// How the playback looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// ANSI colours (bold commands, dim explanations' markers); off for plain text.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// The width explanations are wrapped to.
const WIDTH: usize = 78;

/// Plays `chapter` on a fresh machine, writing the explanations, every command and its live
/// output to `out` as it goes; returns each step's outcome. Where the live output differs from
/// the chapter's expected output (real systemd's), the expected one follows, marked.
pub fn play(chapter: &Chapter, style: Style, out: &mut dyn Write) -> io::Result<Vec<Outcome>> {
    let mut machine = Machine::new(chapter.scenario.settings.clone());
    let mut outcomes = Vec::new();
    writeln!(
        out,
        "{}",
        style.paint(
            "1;36",
            &format!("=== {}: {} ===", chapter.name, chapter.title)
        )
    )?;
    let mut after_step = false;
    for seg in &chapter.segments {
        let is_step = matches!(seg, Segment::Step(_));
        // Commands of one block follow each other like in a terminal; explanations and tables
        // get a blank line around them.
        if !(is_step && after_step) {
            writeln!(out)?;
        }
        after_step = is_step;
        match seg {
            Segment::Prose(text) => {
                for l in wrap(text) {
                    writeln!(out, "{l}")?;
                }
            }
            Segment::Step(k) => {
                let step = &chapter.scenario.steps[*k];
                let text = step.text();
                let mut lines = text.lines();
                if let Some(first) = lines.next() {
                    writeln!(out, "{}", style.paint("1", &format!("$ {first}")))?;
                }
                for l in lines {
                    writeln!(out, "{}", style.paint("2", l))?;
                }
                out.flush()?;
                let (output, status) = machine.run(&text);
                write!(out, "{output}")?;
                if status != 0 {
                    writeln!(
                        out,
                        "{}",
                        style.paint("33", &format!("[exit status {status}]"))
                    )?;
                }
                let outcome = Outcome {
                    step: step.clone(),
                    actual: output.lines().map(str::to_owned).collect(),
                    status,
                };
                if !outcome.ok() {
                    // The explanations describe real systemd: say where the simulator differs.
                    let what = if step.expected.is_empty() && step.status == 0 {
                        "[the simulator differs here; real systemd 252 printed nothing]"
                    } else {
                        "[the simulator differs here; real systemd 252 printed:]"
                    };
                    writeln!(out, "{}", style.paint("33", what))?;
                    for l in &step.expected {
                        writeln!(out, "{}", style.paint("33", &format!("| {l}")))?;
                    }
                    if step.status != 0 {
                        writeln!(
                            out,
                            "{}",
                            style.paint("33", &format!("| [exit status {}]", step.status))
                        )?;
                    }
                }
                out.flush()?;
                outcomes.push(outcome);
            }
            Segment::Matrix => {
                for l in Matrix::compute().render().lines() {
                    if l.starts_with("Note:") {
                        for w in wrap(l) {
                            writeln!(out, "{w}")?;
                        }
                    } else {
                        writeln!(out, "{l}")?;
                    }
                }
            }
        }
    }
    writeln!(out)?;
    Ok(outcomes)
}

/// The result of checking a chapter.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    /// The mismatches as a unified diff naming file:line (empty when the chapter passes).
    pub diff: String,
    /// The number of commands compared.
    pub commands: usize,
}

impl CheckOutcome {
    /// Whether every command printed what the chapter expects.
    pub fn ok(&self) -> bool {
        self.diff.is_empty()
    }
}

/// Replays `chapter` on a fresh machine (as `unitlab replay` does) and compares every
/// command's output and status with the chapter's expected ones.
pub fn check(chapter: &Chapter) -> CheckOutcome {
    let sc = &chapter.scenario;
    let mut machine = Machine::new(sc.settings.clone());
    let report = scenario::run(sc, &mut machine);
    CheckOutcome {
        diff: report.diff(),
        commands: sc.steps.len(),
    }
}

/// Wraps a paragraph (lines that are list items or headings stay separate) to [`WIDTH`]
/// columns, list items with a hanging indent.
fn wrap(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('|') {
            out.push(line.to_owned());
            continue;
        }
        let indent = if line.starts_with("- ") || line.starts_with("* ") {
            "  "
        } else {
            ""
        };
        let mut cur = String::new();
        for word in line.split_whitespace() {
            if !cur.is_empty() && cur.len() + 1 + word.len() > WIDTH {
                out.push(std::mem::take(&mut cur));
                cur.push_str(indent);
            } else if !cur.is_empty() && cur != indent {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        if !cur.trim().is_empty() {
            out.push(cur);
        }
    }
    out
}
