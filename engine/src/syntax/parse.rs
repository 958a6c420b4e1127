//! The line parser: physical lines → logical lines → sections and assignments, with systemd 252's
//! diagnostics (v252-stable `src/shared/conf-parser.c`, `config_parse()` and `parse_line()`).
use super::dialect::{Dialect, SectionRule};
use super::file::{ParseFailure, ParsedFile, RawEntry, RawSection, Str, Text};
use super::keys;
use super::lines::{read_line, PhysicalLine, LONG_LINE_MAX};
use super::utf8;
use crate::diag::{Code, Diagnostic, Severity, Sink};
use camino::Utf8Path;
use std::cell::Cell;
use std::ops::Range;
use std::sync::Arc;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// systemd formats syntax messages into a `LINE_MAX` (2048) byte buffer: longer messages are cut.
const MESSAGE_MAX: usize = 2047;
/// On the console (and in `systemd --test` output) the whole `MESSAGE=FILE:LINE: text` field is
/// formatted into another `LINE_MAX` buffer, so the rendered line is at most 2047 - 8 bytes.
const RENDERED_MAX: usize = 2047 - "MESSAGE=".len();

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The range of `s` without leading and trailing whitespace.
fn trim(s: &[u8]) -> Range<usize> {
    let start = s.iter().position(|&b| !is_ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|&b| !is_ws(b)).map_or(start, |i| i + 1);
    start..end
}

/// Offsets are stored as `u32` (see [`parse`]); every offset handed to this is below the length of a
/// text that was checked to fit.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

thread_local! {
    /// Reused vectors for the sections and entries of a parse.
    static SCRATCH: Cell<(Vec<RawSection>, Vec<RawEntry>)> = const { Cell::new((Vec::new(), Vec::new())) };
}

/// Scratch vectors that grew beyond this many entries are dropped rather than kept.
const SCRATCH_MAX: usize = 4096;

/// The largest text whose offsets fit the parsed file's `u32` offsets.
const TEXT_MAX: usize = u32::MAX as usize;

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
    sections: Vec<RawSection>,
    entries: Vec<RawEntry>,
    /// Strings of joined continuation lines (they are not slices of the text).
    joined: String,
    /// Index of the current known section in `sections`, and of its key table in `keys::sections()`.
    current: Option<(usize, Option<usize>)>,
    /// The last header was an ignored section: assignments are skipped without a word.
    section_ignored: bool,
    /// The whole text as `&str` when systemd would accept all of it as UTF-8 (the usual case): each
    /// line taken from it needs no validation of its own.
    whole: Option<&'a str>,
    /// The text, for the names in messages.
    text: &'a [u8],
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

    /// Ends the current section: its entries are the ones added since it started.
    fn flush(&mut self) {
        if let Some((idx, _)) = self.current {
            let total = to_u32(self.entries.len());
            if let Some(s) = self.sections.get_mut(idx) {
                s.count = total - s.first;
            }
        }
    }

    /// Stores `l[range]`: as offsets into the text when `l` starts at byte `base` of it, else as a
    /// copy in the side buffer.
    fn store(&mut self, l: &str, base: Option<usize>, range: Range<usize>) -> Str {
        let len = to_u32(range.len());
        match base {
            Some(b) => Str::text(to_u32(b + range.start), len),
            None => {
                let at = to_u32(self.joined.len());
                self.joined.push_str(l.get(range).unwrap_or(""));
                Str::joined(at, len)
            }
        }
    }

    /// A stored string, for a message.
    fn stored(&self, s: Str) -> &str {
        let (joined, range) = s.place();
        if joined {
            self.joined.get(range).unwrap_or("")
        } else {
            self.text
                .get(range)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or("")
        }
    }

    /// `parse_line()`: one logical line. `Err` is a failure that ends the parse. `offset` is where
    /// `raw` starts in the text, for a line read straight from it (`None` for a joined continuation).
    fn line(
        &mut self,
        raw: &[u8],
        offset: Option<usize>,
        line: u32,
        span: Range<usize>,
    ) -> Result<(), ParseFailure> {
        let t = trim(raw);
        if t.is_empty() {
            return Ok(());
        }
        // Where the stripped line starts in the text.
        let base = offset.map(|o| o + t.start);
        let checked = match (self.whole, base) {
            (Some(w), Some(b)) => w.get(b..b + t.len()),
            _ => None,
        };
        let Some(l) = checked.or_else(|| utf8::valid_str(&raw[t.clone()])) else {
            let shown = utf8::escape_invalid(&raw[t]);
            self.diag(
                line,
                Severity::Warning,
                Code::InvalidUtf8,
                format!("String is not UTF-8 clean, ignoring assignment: {shown}"),
            );
            return Err(ParseFailure::InvalidUtf8 { line });
        };
        let span = (to_u32(span.start), to_u32(span.end));

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
            let name_str = self.store(l, base, 1..1 + name.len());
            self.sections.push(RawSection {
                name: name_str,
                line,
                known,
                first: to_u32(self.entries.len()),
                count: 0,
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

        // Keys are short: a plain scan beats `memchr`'s set-up.
        let Some(eq) = l.bytes().position(|b| b == b'=') else {
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
        let bytes = l.as_bytes();
        let k = trim(&bytes[..eq]);
        let v = trim(&bytes[eq + 1..]);
        let v = eq + 1 + v.start..eq + 1 + v.end;
        // The whitespace is ASCII, so the cut points are character boundaries.
        let key = l.get(k.clone()).unwrap_or("");
        let info = table.and_then(|t| keys::lookup_in(t, key));
        if info.is_none() && !key.starts_with("X-") {
            let section = self.sections.get(idx).map_or("", |s| self.stored(s.name));
            let message = format!("Unknown key '{key}' in section [{section}], ignoring.");
            self.diag(line, Severity::Warning, Code::UnknownKey, message);
        }
        let key = self.store(l, base, k);
        let value = self.store(l, base, v);
        self.entries.push(RawEntry {
            key,
            value,
            info,
            line,
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
                PhysicalLine::Line { content, .. } if content.end > TEXT_MAX => {
                    // Offsets are `u32`: a text of 4 GiB or more ends like an over-long line.
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
            let offset = content.end - l.len();
            if let Err(f) = self.line(l, Some(offset), line, content) {
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
///
/// The parsed file keeps offsets into the text as `u32`: a text of 4 GiB or more is parsed up to the
/// first line that ends beyond 4 GiB, which fails like an over-long line (`ENOBUFS`). Unit files are
/// read with a limit far below that ([`MAX_FILE_SIZE`](crate::fs::MAX_FILE_SIZE)).
pub fn parse(file: &Utf8Path, text: &[u8], dialect: Dialect, sink: &mut dyn Sink) -> ParsedFile {
    parse_text(Arc::from(file), Text::from_slice(text), dialect, sink)
}

/// [`parse`] for a caller that owns the text and shares the path: the text is moved into the
/// parsed file instead of copied, and the path is not copied again.
pub fn parse_owned(
    file: Arc<Utf8Path>,
    text: Vec<u8>,
    dialect: Dialect,
    sink: &mut dyn Sink,
) -> ParsedFile {
    parse_text(file, Text::from_vec(text), dialect, sink)
}

fn parse_text(
    file: Arc<Utf8Path>,
    text: Text,
    dialect: Dialect,
    sink: &mut dyn Sink,
) -> ParsedFile {
    let whole = match &text {
        Text::Utf8(s) => utf8::systemd_valid(s).then_some(&**s),
        Text::Bytes(_) => None,
    };
    let bytes = text.as_bytes();
    // The sections and entries are collected in this thread's scratch vectors (taken out of the
    // cell, so a sink that parses too just gets fresh ones), then copied into exact-size boxes.
    let (sections, entries) = SCRATCH.with(Cell::take);
    let mut parser = Parser {
        file: &file,
        dialect,
        sink,
        sections,
        entries,
        joined: String::new(),
        current: None,
        section_ignored: false,
        whole,
        text: bytes,
    };
    let failure = parser.run(bytes);
    parser.flush();
    let (mut sections, mut entries) = (parser.sections, parser.entries);
    let raw_sections = Box::from(&sections[..]);
    let raw_entries = Box::from(&entries[..]);
    if entries.capacity() <= SCRATCH_MAX {
        sections.clear();
        entries.clear();
        SCRATCH.with(|c| c.set((sections, entries)));
    }
    let joined = parser.joined.into_boxed_str();
    ParsedFile {
        file,
        failure,
        text,
        joined,
        raw_sections,
        raw_entries,
    }
}
