//! The line parser: physical lines → logical lines → sections and assignments, with systemd 252's
//! diagnostics (v252-stable `src/shared/conf-parser.c`, `config_parse()` and `parse_line()`).
use super::dialect::{Dialect, SectionRule};
use super::file::{Entry, ParseFailure, ParsedFile, Section};
use super::keys;
use super::lines::{read_line, PhysicalLine, LONG_LINE_MAX};
use super::utf8;
use crate::diag::{Code, Diagnostic, Severity, Sink};
use camino::Utf8Path;
use std::ops::Range;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// systemd formats syntax messages into a `LINE_MAX` (2048) byte buffer: longer messages are cut.
const MESSAGE_MAX: usize = 2047;
/// On the console (and in `systemd --test` output) the whole `MESSAGE=FILE:LINE: text` field is
/// formatted into another `LINE_MAX` buffer, so the rendered line is at most 2047 - 8 bytes.
const RENDERED_MAX: usize = 2047 - "MESSAGE=".len();

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn strip(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_ws(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_ws(*last) {
            break;
        }
        s = rest;
    }
    s
}

fn strip_str(s: &str) -> &str {
    // The whitespace is ASCII, so the cut points are character boundaries.
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|&b| !is_ws(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_ws(b))
        .map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or("")
}

/// Whether a section name passes systemd's `string_is_safe()`: no control characters, quotes,
/// backslashes or DEL.
fn is_safe(name: &str) -> bool {
    !name
        .bytes()
        .any(|b| (1..b' ').contains(&b) || matches!(b, b'"' | b'\'' | b'\\' | 0x7f))
}

/// Odd number of trailing backslashes: systemd's forward escape scan ends "escaped".
fn ends_escaped(s: &[u8]) -> bool {
    s.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

struct Parser<'a> {
    file: &'a Utf8Path,
    dialect: Dialect,
    sink: &'a mut dyn Sink,
    sections: Vec<Section>,
    /// Index of the current known section in `sections`, and of its key table in `keys::sections()`.
    current: Option<(usize, Option<usize>)>,
    /// The last header was an ignored section: assignments are skipped without a word.
    section_ignored: bool,
    /// The assignments of the current section, moved into it (with no spare capacity) when the
    /// section ends: cheaper than growing and then shrinking each section's vector.
    pending: Vec<Entry>,
    /// The whole text as `&str` when systemd would accept all of it as UTF-8 (the usual case): each
    /// line taken from it needs no validation of its own.
    whole: Option<&'a str>,
}

impl Parser<'_> {
    fn diag(&mut self, line: u32, severity: Severity, code: Code, mut message: String) {
        let prefix = if line > 0 {
            self.file.as_str().len() + 3 + line.to_string().len()
        } else {
            self.file.as_str().len() + 2
        };
        let limit = MESSAGE_MAX.min(RENDERED_MAX.saturating_sub(prefix));
        if message.len() > limit {
            let mut cut = limit;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
        }
        self.sink
            .push(Diagnostic::new(self.file, line, severity, code, message));
    }

    /// Moves the pending assignments into the current section.
    fn flush(&mut self) {
        if let Some((idx, _)) = self.current {
            if !self.pending.is_empty() {
                let mut entries = Vec::with_capacity(self.pending.len());
                entries.append(&mut self.pending);
                self.sections[idx].entries = entries;
            }
        }
    }

    /// `parse_line()`: one logical line. `Err` is a failure that ends the parse. `checked` is the
    /// same line as `&str` when it is already known to be valid UTF-8.
    fn line(
        &mut self,
        raw: &[u8],
        checked: Option<&str>,
        line: u32,
        span: Range<usize>,
    ) -> Result<(), ParseFailure> {
        // `strip_str` removes the same ASCII bytes as `strip`.
        let valid = match checked {
            Some(s) => Some(strip_str(s)),
            None => {
                let l = strip(raw);
                if l.is_empty() {
                    return Ok(());
                }
                utf8::valid_str(l)
            }
        };
        if valid.is_some_and(str::is_empty) {
            return Ok(());
        }
        let Some(l) = valid else {
            let l = strip(raw);
            let shown = utf8::escape_invalid(l);
            self.diag(
                line,
                Severity::Warning,
                Code::InvalidUtf8,
                format!("String is not UTF-8 clean, ignoring assignment: {shown}"),
            );
            return Err(ParseFailure::InvalidUtf8 { line });
        };

        if let Some(inner) = l.strip_prefix('[') {
            let Some(name) = inner.strip_suffix(']') else {
                self.diag(
                    line,
                    Severity::Error,
                    Code::InvalidSectionHeader,
                    format!("Invalid section header '{l}'"),
                );
                return Err(ParseFailure::BadMessage { line });
            };
            if !is_safe(name) {
                self.diag(
                    line,
                    Severity::Error,
                    Code::BadSectionCharacters,
                    format!("Bad characters in section header '{l}'"),
                );
                return Err(ParseFailure::BadMessage { line });
            }
            let rule = self.dialect.section_rule(name);
            if rule == SectionRule::Unknown {
                self.diag(
                    line,
                    Severity::Warning,
                    Code::UnknownSection,
                    format!("Unknown section '{name}'. Ignoring."),
                );
            }
            let known = rule == SectionRule::Known;
            self.flush();
            self.sections.push(Section {
                name: name.to_owned(),
                line,
                known,
                entries: Vec::new(),
                span,
            });
            self.current = known.then(|| (self.sections.len() - 1, keys::section_index(name)));
            self.section_ignored = !known;
            return Ok(());
        }

        let Some((idx, table)) = self.current else {
            if !self.section_ignored {
                self.diag(
                    line,
                    Severity::Warning,
                    Code::AssignmentOutsideSection,
                    "Assignment outside of section. Ignoring.".to_owned(),
                );
            }
            return Ok(());
        };

        let Some(eq) = l.find('=') else {
            self.diag(
                line,
                Severity::Warning,
                Code::MissingEquals,
                "Missing '=', ignoring line.".to_owned(),
            );
            return Ok(());
        };
        if eq == 0 {
            self.diag(
                line,
                Severity::Warning,
                Code::MissingKey,
                "Missing key name before '=', ignoring line.".to_owned(),
            );
            return Ok(());
        }
        let key = strip_str(&l[..eq]);
        let value = strip_str(&l[eq + 1..]);
        let section = &self.sections[idx].name;
        let known = table.and_then(|t| keys::lookup_in(t, key)).is_some();
        if !known && !key.starts_with("X-") {
            let message = format!("Unknown key '{key}' in section [{section}], ignoring.");
            self.diag(line, Severity::Warning, Code::UnknownKey, message);
        }
        self.pending.push(Entry {
            key: key.to_owned(),
            value: value.to_owned(),
            line,
            known,
            span,
        });
        Ok(())
    }

    /// `config_parse()`: the physical-line loop with comments, BOM and continuations.
    fn run(&mut self, text: &[u8]) -> Option<ParseFailure> {
        let mut pos = 0usize;
        let mut line: u32 = 0;
        let mut bom_seen = false;
        // An open continuation: the joined text so far and where its first physical line starts.
        let mut continuation: Option<(Vec<u8>, usize)> = None;
        let mut last_end = 0usize;
        loop {
            let content = match read_line(text, pos) {
                PhysicalLine::Eof => break,
                PhysicalLine::TooLong => {
                    self.diag(
                        line,
                        Severity::Debug,
                        Code::LineTooLong,
                        "Line too long".to_owned(),
                    );
                    return Some(ParseFailure::LineTooLong { line });
                }
                PhysicalLine::Line { content, next } => {
                    pos = next;
                    content
                }
            };
            line = line.saturating_add(1);
            let raw = &text[content.clone()];

            // Comments are recognised on the raw line, before BOM removal and continuation joining.
            if let Some(&first) = raw.iter().find(|&&b| !is_ws(b)) {
                if first == b'#' || first == b';' {
                    continue;
                }
            }

            let mut l = raw;
            if !bom_seen {
                if let Some(rest) = raw.strip_prefix(BOM) {
                    l = rest;
                    bom_seen = true;
                }
            }

            if let Some((buf, start)) = continuation.as_mut() {
                if buf.len() + l.len() > LONG_LINE_MAX {
                    self.diag(
                        line,
                        Severity::Debug,
                        Code::LineTooLong,
                        "Continuation line too long".to_owned(),
                    );
                    return Some(ParseFailure::LineTooLong { line });
                }
                buf.extend_from_slice(l);
                last_end = content.end;
                if ends_escaped(buf) {
                    if let Some(b) = buf.last_mut() {
                        *b = b' ';
                    }
                    continue;
                }
                let (buf, start) = (std::mem::take(buf), *start);
                continuation = None;
                if let Err(f) = self.line(&buf, None, line, start..content.end) {
                    return Some(f);
                }
                continue;
            }

            if ends_escaped(l) {
                let mut buf = l.to_vec();
                if let Some(b) = buf.last_mut() {
                    *b = b' ';
                }
                continuation = Some((buf, content.start));
                last_end = content.end;
                continue;
            }
            // `l` is `raw` or `raw` without its first three bytes (a BOM).
            let checked = self
                .whole
                .and_then(|w| w.get(content.end - l.len()..content.end));
            if let Err(f) = self.line(l, checked, line, content) {
                return Some(f);
            }
        }
        if let Some((buf, start)) = continuation.take() {
            line = line.saturating_add(1);
            if let Err(f) = self.line(&buf, None, line, start..last_end) {
                return Some(f);
            }
        }
        None
    }
}

/// Parses a unit file or drop-in as systemd 252 does (reference §3.1).
///
/// `file` is the path printed in diagnostics. Never fails and never panics: problems go to `sink`
/// (in file order, worded as systemd words them), and a fatal one is recorded in
/// [`ParsedFile::failure`], after which the rest of the file is not parsed (as in systemd).
pub fn parse(file: &Utf8Path, text: &[u8], dialect: Dialect, sink: &mut dyn Sink) -> ParsedFile {
    let mut parser = Parser {
        file,
        dialect,
        sink,
        sections: Vec::new(),
        current: None,
        section_ignored: false,
        pending: Vec::new(),
        whole: utf8::valid_str(text),
    };
    let failure = parser.run(text);
    parser.flush();
    // A parsed file is kept for the unit's lifetime: drop the growth slack (shrinking reallocates
    // in place, so this is cheap).
    let mut sections = parser.sections;
    sections.shrink_to_fit();
    ParsedFile {
        file: file.to_owned(),
        text: text.to_vec(),
        sections,
        failure,
    }
}
