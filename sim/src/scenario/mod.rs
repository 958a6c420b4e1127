//! Scenarios: terminal sessions written as Markdown, replayed on a simulated machine.
//!
//! # The format (a contract: other tools and people write these files)
//!
//! * A scenario is a Markdown file; prose is documentation. Every fenced block tagged `console`
//!   is executed in order, in one machine.
//! * In a block, a line `$ COMMAND` runs a command. The lines after it, up to the next `$ ` line
//!   or the end of the block, are its expected output: stdout and stderr interleaved as a
//!   terminal shows them.
//! * A line `? N` directly after the command line (after the heredoc, if any) asserts exit status
//!   N; without it, 0 is expected.
//! * In expected output, `[..]` matches any text within a line, and a line consisting of `...`
//!   matches any number of lines (see [`matches()`]).
//! * A command ending in a heredoc (`cat > PATH <<'EOF'`, `<<EOF`, `<<"EOF"`, `tee PATH <<EOF`)
//!   takes the following lines up to the delimiter line as its input; they are not output.
//! * One optional fenced block tagged `unitlab` before the first `console` block holds the
//!   machine's [`Settings`], one `key = value` a line (`#` comments):
//!   `scope` (`system`: root's shell, the default; `user`: the user's shell), `user`, `uid`,
//!   `seed`, `start` (`YYYY-MM-DD HH:MM:SS` UTC), `base` (`stock`, the default, or `none`),
//!   `requires` (`manager`: the scenario needs the runtime manager).
//!
//! [`parse`] reads a file into a [`Scenario`] (errors name file:line), [`run`] replays it on any
//! [`Shell`] (the simulated [`Machine`](crate::machine::Machine), or a real one in the
//! differential tests), [`Report::diff`] renders mismatches as a unified diff with file:line,
//! and [`Report::blessed`] rewrites the file with the actual output.

mod diff;
mod matcher;
mod parse;
mod run;

pub use diff::unified_diff;
pub use matcher::{line_matches, matches};
pub use parse::{parse, parse_settings, ParseError};
pub use run::{run, Outcome, Report, Shell};

use crate::machine::Settings;
use camino::Utf8PathBuf;

/// A parsed scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it was read from (for messages).
    pub path: Utf8PathBuf,
    /// The file's text, split in lines (without line ends), for [`Report::blessed`].
    pub lines: Vec<String>,
    /// The machine settings (defaults unless a `unitlab` block says otherwise).
    pub settings: Settings,
    /// Whether the scenario needs the runtime manager (`requires = manager`).
    pub requires_manager: bool,
    /// The commands of every `console` block, in order.
    pub steps: Vec<Step>,
}

/// One `$ COMMAND` and what it must print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// 1-based line of the `$ ` line.
    pub line: usize,
    /// The command line (without `$ `).
    pub command: String,
    /// The heredoc's lines, if the command has one.
    pub input: Option<Vec<String>>,
    /// The expected exit status.
    pub status: i32,
    /// 1-based line of the first expected-output line (where it would be if empty).
    pub output_line: usize,
    /// Index (0-based, in [`Scenario::lines`]) of the first line after the command, its heredoc
    /// and the terminator: where `? N` is or would go.
    pub status_at: usize,
    /// Whether a `? N` line is present.
    pub has_status_line: bool,
    /// The expected output lines.
    pub expected: Vec<String>,
    /// Index (0-based) one past the last expected-output line.
    pub end: usize,
}

impl Step {
    /// The full command text as a shell reads it: the command line, then the heredoc lines and
    /// its terminator, one a line.
    pub fn text(&self) -> String {
        let mut s = self.command.clone();
        if let Some(input) = &self.input {
            for l in input {
                s.push('\n');
                s.push_str(l);
            }
            if let Some(delim) = heredoc_delimiter(&self.command) {
                s.push('\n');
                s.push_str(&delim);
            }
        }
        s
    }
}

/// The delimiter of a heredoc (`<<EOF`, `<<'EOF'`, `<<"EOF"`, `<<-EOF`) in a command line.
pub fn heredoc_delimiter(command: &str) -> Option<String> {
    let at = command.find("<<")?;
    let rest = command[at + 2..].trim_start_matches('-').trim_start();
    let word: String = if let Some(r) = rest.strip_prefix('\'') {
        r.split('\'').next()?.to_owned()
    } else if let Some(r) = rest.strip_prefix('"') {
        r.split('"').next()?.to_owned()
    } else {
        rest.split_whitespace().next()?.to_owned()
    };
    (!word.is_empty()).then_some(word)
}
