//! The result of a parse: the original bytes plus the sections and assignments systemd would see.
//!
//! A [`ParsedFile`] stores the text once. Section names, keys and values are kept as small offsets
//! into that text ([`Str`]); only a value (or key, or section name) read from a continued line, whose
//! joined form is not a slice of the text, is copied into one side buffer per file. The public view
//! types [`Section`] and [`Entry`] borrow from the file and hand out plain `&str`s.
use super::keys::KeyInfo;
use camino::Utf8Path;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// The file-level error that stops a parse and gives the unit the load state `error`.
///
/// systemd stops reading the file at this point; the assignments before it stay in effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParseFailure {
    /// `EBADMSG`: an invalid section header (`[Unit` without `]`, or bad characters in the name).
    BadMessage {
        /// The line of the header.
        line: u32,
    },
    /// `ENOBUFS`: a physical line of 1 MiB or more, or a continued line longer than 1 MiB.
    LineTooLong {
        /// The line systemd was reading (for a physical line: the number of the line before it).
        line: u32,
    },
    /// `EINVAL`: a line that is not valid UTF-8 ("String is not UTF-8 clean, …").
    InvalidUtf8 {
        /// The line.
        line: u32,
    },
}

impl ParseFailure {
    /// The errno text systemd prints for it, e.g. in "Unit a.service failed to load properly, please
    /// adjust/correct and reload service manager: Bad message".
    pub fn strerror(self) -> &'static str {
        match self {
            ParseFailure::BadMessage { .. } => "Bad message",
            ParseFailure::LineTooLong { .. } => "No buffer space available",
            ParseFailure::InvalidUtf8 { .. } => "Invalid argument",
        }
    }

    /// The errno name (`EBADMSG`, `ENOBUFS`, `EINVAL`).
    pub fn errno_name(self) -> &'static str {
        match self {
            ParseFailure::BadMessage { .. } => "EBADMSG",
            ParseFailure::LineTooLong { .. } => "ENOBUFS",
            ParseFailure::InvalidUtf8 { .. } => "EINVAL",
        }
    }

    /// The line where parsing stopped.
    pub fn line(self) -> u32 {
        match self {
            ParseFailure::BadMessage { line }
            | ParseFailure::LineTooLong { line }
            | ParseFailure::InvalidUtf8 { line } => line,
        }
    }
}

/// A string of a parsed file: `len` bytes at `start` of the file's text, or of its side buffer of
/// joined continuation lines when the [`Str::JOINED`] bit of `len` is set. Strings come from one
/// logical line, which is at most [`LONG_LINE_MAX`](super::LONG_LINE_MAX) bytes, so the bit is free.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Str {
    start: u32,
    len: u32,
}

impl Str {
    const JOINED: u32 = 1 << 31;

    /// `len` bytes at `start` of the text.
    pub(crate) fn text(start: u32, len: u32) -> Str {
        Str { start, len }
    }

    /// `len` bytes at `start` of the side buffer.
    pub(crate) fn joined(start: u32, len: u32) -> Str {
        Str {
            start,
            len: len | Str::JOINED,
        }
    }

    /// Whether it is in the side buffer, and its byte range there or in the text.
    pub(crate) fn place(self) -> (bool, Range<usize>) {
        let start = self.start as usize;
        let len = (self.len & !Str::JOINED) as usize;
        (self.len & Str::JOINED != 0, start..start + len)
    }
}

/// The stored form of a section (see [`Section`] for the meaning of the fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RawSection {
    pub(crate) name: Str,
    pub(crate) line: u32,
    pub(crate) known: bool,
    /// Its entries: `first..first + count` of [`ParsedFile::entries`].
    pub(crate) first: u32,
    pub(crate) count: u32,
    pub(crate) span: (u32, u32),
}

/// The stored form of an entry (see [`Entry`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RawEntry {
    pub(crate) key: Str,
    pub(crate) value: Str,
    /// The key table's entry when the key is known in its section.
    pub(crate) info: Option<&'static KeyInfo>,
    pub(crate) line: u32,
    pub(crate) span: (u32, u32),
}

/// The original bytes of a file: as a `str` when the whole text is valid UTF-8 (the usual case), so
/// that its strings can be handed out without checking them again.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) enum Text {
    Utf8(Box<str>),
    Bytes(Box<[u8]>),
}

impl Text {
    pub(crate) fn from_slice(text: &[u8]) -> Text {
        match std::str::from_utf8(text) {
            Ok(s) => Text::Utf8(Box::from(s)),
            Err(_) => Text::Bytes(Box::from(text)),
        }
    }

    pub(crate) fn from_vec(text: Vec<u8>) -> Text {
        match String::from_utf8(text) {
            Ok(s) => Text::Utf8(s.into_boxed_str()),
            Err(e) => Text::Bytes(e.into_bytes().into_boxed_slice()),
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Text::Utf8(s) => s.as_bytes(),
            Text::Bytes(b) => b,
        }
    }
}

/// A parsed unit file or drop-in. Never an error: problems are diagnostics, fatal ones also set
/// [`ParsedFile::failure`].
///
/// The sections and their assignments are read through [`ParsedFile::sections`] (views that borrow
/// from the file).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ParsedFile {
    /// The path it was parsed as (the path systemd prints in diagnostics), shared with whatever else
    /// refers to the same file.
    pub file: Arc<Utf8Path>,
    /// The error that stopped the parse, if any.
    pub failure: Option<ParseFailure>,
    /// The original bytes, unchanged.
    pub(crate) text: Text,
    /// Joined continuation lines' strings (usually empty).
    pub(crate) joined: Box<str>,
    pub(crate) raw_sections: Box<[RawSection]>,
    pub(crate) raw_entries: Box<[RawEntry]>,
}

impl ParsedFile {
    /// The original bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// The original text (lossy only if the file was not UTF-8).
    pub fn render(&self) -> String {
        String::from_utf8_lossy(self.as_bytes()).into_owned()
    }

    /// Whether the parse failed (the unit's load state would be `error`).
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// The string stored as `s`. Strings were validated when they were parsed, so the fallback to
    /// `""` is never taken.
    pub(crate) fn str(&self, s: Str) -> &str {
        let (joined, range) = s.place();
        if joined {
            return self.joined.get(range).unwrap_or("");
        }
        match &self.text {
            Text::Utf8(t) => t.get(range).unwrap_or(""),
            Text::Bytes(b) => b
                .get(range)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or(""),
        }
    }

    fn section_view<'a>(&'a self, raw: &'a RawSection) -> Section<'a> {
        let first = raw.first as usize;
        let entries = self
            .raw_entries
            .get(first..first + raw.count as usize)
            .unwrap_or(&[]);
        Section {
            name: self.str(raw.name),
            line: raw.line,
            known: raw.known,
            span: raw.span.0 as usize..raw.span.1 as usize,
            file: self,
            entries,
        }
    }

    pub(crate) fn entry_view<'a>(&'a self, raw: &'a RawEntry) -> Entry<'a> {
        Entry {
            key: self.str(raw.key),
            value: self.str(raw.value),
            line: raw.line,
            known: raw.info.is_some(),
            info: raw.info,
            span: raw.span.0 as usize..raw.span.1 as usize,
        }
    }

    /// The sections in file order. The same name may occur more than once.
    pub fn sections(
        &self,
    ) -> impl ExactSizeIterator<Item = Section<'_>> + DoubleEndedIterator + Clone + '_ {
        self.raw_sections.iter().map(move |s| self.section_view(s))
    }

    /// The `index`th section in file order.
    pub fn section(&self, index: usize) -> Option<Section<'_>> {
        self.raw_sections.get(index).map(|s| self.section_view(s))
    }

    /// Forgets every section and entry that starts after `line`: what is left is what systemd had
    /// read when a setting parser refused line `line` fatally and ended the parse (reference §3.4).
    pub fn cut_after_line(&mut self, line: u32) {
        let entries = self
            .raw_entries
            .iter()
            .take_while(|e| e.line <= line)
            .count();
        let sections: Vec<RawSection> = self
            .raw_sections
            .iter()
            .take_while(|s| s.line <= line)
            .map(|s| {
                let end = (s.first + s.count).min(entries as u32);
                RawSection {
                    count: end.saturating_sub(s.first),
                    ..*s
                }
            })
            .collect();
        self.raw_sections = sections.into_boxed_slice();
        self.raw_entries = self.raw_entries[..entries].to_vec().into_boxed_slice();
    }

    /// All entries of the parsed sections named `section` whose key is `key`, in file order (known
    /// or not).
    pub fn entries<'a>(
        &'a self,
        section: &'a str,
        key: &'a str,
    ) -> impl Iterator<Item = Entry<'a>> + 'a {
        self.sections()
            .filter(move |s| s.known && s.name == section)
            .flat_map(|s| s.entries())
            .filter(move |e| e.key == key)
    }
}

impl fmt::Debug for ParsedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedFile")
            .field("file", &self.file)
            .field("failure", &self.failure)
            .field("sections", &self.sections().collect::<Vec<_>>())
            .field("text", &String::from_utf8_lossy(self.as_bytes()))
            .finish()
    }
}

/// A section header and the assignments under it: a view into a [`ParsedFile`].
#[derive(Clone)]
pub struct Section<'a> {
    /// The name between the brackets.
    pub name: &'a str,
    /// The line of the header.
    pub line: u32,
    /// Whether the dialect parses this section. Unknown and silently ignored sections have no entries.
    pub known: bool,
    /// The bytes of the header line in the original text.
    pub span: Range<usize>,
    file: &'a ParsedFile,
    entries: &'a [RawEntry],
}

impl<'a> Section<'a> {
    /// The assignments in file order, including unknown keys.
    pub fn entries(
        &self,
    ) -> impl ExactSizeIterator<Item = Entry<'a>> + DoubleEndedIterator + Clone + 'a {
        let file = self.file;
        self.entries.iter().map(move |e| file.entry_view(e))
    }

    /// The `index`th assignment.
    pub fn entry(&self, index: usize) -> Option<Entry<'a>> {
        self.entries.get(index).map(|e| self.file.entry_view(e))
    }

    /// How many assignments the section has.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }
}

impl fmt::Debug for Section<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("line", &self.line)
            .field("known", &self.known)
            .field("span", &self.span)
            .field("entries", &self.entries().collect::<Vec<_>>())
            .finish()
    }
}

/// One assignment `Key=Value` inside a section that the dialect parses: a view into a
/// [`ParsedFile`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry<'a> {
    /// The key, whitespace-stripped. Case-sensitive.
    pub key: &'a str,
    /// The value, whitespace-stripped, continuation lines joined (each continuation backslash becomes a
    /// space). No unquoting: that is each setting's business.
    pub value: &'a str,
    /// The line number systemd reports for this assignment: the *last* physical line of a continued
    /// assignment (one past the last line if the continuation is still open at EOF).
    pub line: u32,
    /// Whether the key is known in this section (unknown keys were warned about, unless `X-`).
    /// systemd ignores unknown keys; they are kept here for tools.
    pub known: bool,
    /// The key table's entry for a known key.
    pub info: Option<&'static KeyInfo>,
    /// The bytes of the original text this assignment was read from (from the start of its first
    /// physical line to the end of its last one, line ends excluded). Comment lines inside a
    /// continuation are included in the span.
    pub span: Range<usize>,
}
