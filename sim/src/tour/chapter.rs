//! Reading a chapter: a scenario file (see [`crate::scenario`]) whose prose paragraphs become
//! the explanations shown between the commands.
use crate::scenario::{self, ParseError, Scenario};
use camino::Utf8Path;

/// What a chapter needs from the simulator besides the shell and the install verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Requirement {
    /// The runtime manager (start, stop, status, journal): `requires = manager` in the
    /// `unitlab` block.
    Manager,
    /// Timers, sockets and paths starting units: `requires = activation` in a `tour` block.
    Activation,
    /// `systemctl --root=DIR` on a directory of the simulated machine: `requires =
    /// offline-root` in a `tour` block.
    OfflineRoot,
}

impl Requirement {
    /// The word used in the files (`manager`, `activation`).
    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::Manager => "manager",
            Requirement::Activation => "activation",
            Requirement::OfflineRoot => "offline-root",
        }
    }
}

/// One piece of a chapter, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A paragraph of explanation (its lines joined with spaces; list items and headings keep
    /// their own lines).
    Prose(String),
    /// The index of a step in [`Chapter::scenario`]'s steps.
    Step(usize),
    /// The table of what stop, disable and mask block, computed by the simulator
    /// ([`super::matrix`]): `show = matrix` in a `tour` block.
    Matrix,
}

/// A chapter of the tour.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// Its name (the file stem: `unitlab tour NAME`).
    pub name: String,
    /// Its title (the file's first `# ` heading).
    pub title: String,
    /// The scenario (settings and steps), exactly as `unitlab replay` reads the file.
    pub scenario: Scenario,
    /// What it needs from the simulator.
    pub requires: Vec<Requirement>,
    /// Prose, steps and tables in order.
    pub segments: Vec<Segment>,
}

/// Parses the chapter `name` from `text` (`path` names it in errors).
///
/// Besides the scenario format, a chapter may hold fenced blocks tagged `tour` (which
/// `unitlab replay` ignores) with `key = value` lines: `requires = activation`, and
/// `show = matrix` to place the computed table there. HTML comments (`<!-- ... -->`) are notes
/// for the file's readers and are not shown.
pub fn parse(name: &str, path: &Utf8Path, text: &str) -> Result<Chapter, ParseError> {
    let sc = scenario::parse(path, text)?;
    let err = |line: usize, message: String| ParseError::Syntax {
        path: path.to_owned(),
        line,
        message,
    };
    let mut requires = Vec::new();
    if sc.requires_manager {
        requires.push(Requirement::Manager);
    }
    let mut title = None;
    let mut segments = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let flush = |para: &mut Vec<String>, segments: &mut Vec<Segment>| {
        if !para.is_empty() {
            segments.push(Segment::Prose(para.join("\n")));
            para.clear();
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let fence = trimmed.starts_with("```") || trimmed.starts_with("~~~");
        if !fence && trimmed.starts_with("<!--") {
            // A comment for the file's readers, not part of the explanation.
            flush(&mut para, &mut segments);
            while i < lines.len() && !lines[i].contains("-->") {
                i += 1;
            }
            i += 1;
            continue;
        }
        if !fence {
            if line.trim().is_empty() {
                flush(&mut para, &mut segments);
            } else if title.is_none() && line.starts_with("# ") {
                title = Some(line[2..].trim().to_owned());
            } else {
                join_prose_line(&mut para, line);
            }
            i += 1;
            continue;
        }
        flush(&mut para, &mut segments);
        let marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        let tag = trimmed[marker.len()..]
            .split_whitespace()
            .next()
            .unwrap_or("");
        let open = i;
        i += 1;
        let start = i;
        while i < lines.len() && lines[i].trim() != marker {
            i += 1;
        }
        let body = &lines[start..i.min(lines.len())];
        i += 1;
        match tag {
            "console" => {
                // Steps whose `$ ` line lies in this block (1-based lines).
                for (k, st) in sc.steps.iter().enumerate() {
                    if st.line > open + 1 && st.line <= start + body.len() {
                        segments.push(Segment::Step(k));
                    }
                }
            }
            "tour" => {
                for (k, l) in body.iter().enumerate() {
                    let l = l.trim();
                    if l.is_empty() || l.starts_with('#') {
                        continue;
                    }
                    let (key, value) = l
                        .split_once('=')
                        .map(|(a, b)| (a.trim(), b.trim()))
                        .ok_or_else(|| {
                            err(
                                start + k + 1,
                                format!("expected `key = value`, found {l:?}"),
                            )
                        })?;
                    match (key, value) {
                        ("requires", "activation") => requires.push(Requirement::Activation),
                        ("requires", "offline-root") => requires.push(Requirement::OfflineRoot),
                        ("show", "matrix") => segments.push(Segment::Matrix),
                        _ => {
                            return Err(err(
                                start + k + 1,
                                format!("unknown tour setting {l:?} (known: `requires = activation`, `requires = offline-root`, `show = matrix`)"),
                            ))
                        }
                    }
                }
            }
            _ => {}
        }
    }
    flush(&mut para, &mut segments);
    requires.sort();
    requires.dedup();
    let title = title.ok_or_else(|| err(1, "a chapter needs a `# Title` heading".into()))?;
    Ok(Chapter {
        name: name.to_owned(),
        title,
        scenario: sc,
        requires,
        segments,
    })
}

/// Adds a Markdown line to a paragraph: continuation lines are joined with a space, list items
/// and headings start a new line.
fn join_prose_line(para: &mut Vec<String>, line: &str) {
    let t = line.trim();
    let starts_item = t.starts_with("- ")
        || t.starts_with("* ")
        || t.starts_with('#')
        || t.starts_with('|')
        || t.split_once(". ")
            .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty());
    match para.last_mut() {
        Some(last) if !starts_item && !last.starts_with('|') => {
            last.push(' ');
            last.push_str(t);
        }
        _ => para.push(t.to_owned()),
    }
}
