//! The result of a parse: the original bytes plus the sections and assignments systemd would see.
use camino::Utf8PathBuf;
use std::ops::Range;

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

/// One assignment `Key=Value` inside a section that the dialect parses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The key, whitespace-stripped. Case-sensitive.
    pub key: String,
    /// The value, whitespace-stripped, continuation lines joined (each continuation backslash becomes a
    /// space). No unquoting: that is each setting's business.
    pub value: String,
    /// The line number systemd reports for this assignment: the *last* physical line of a continued
    /// assignment (one past the last line if the continuation is still open at EOF).
    pub line: u32,
    /// Whether the key is known in this section (unknown keys were warned about, unless `X-`).
    /// systemd ignores unknown keys; they are kept here for tools.
    pub known: bool,
    /// The bytes of the original text this assignment was read from (from the start of its first
    /// physical line to the end of its last one, line ends excluded). Comment lines inside a
    /// continuation are included in the span.
    pub span: Range<usize>,
}

/// A section header and the assignments under it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Section {
    /// The name between the brackets.
    pub name: String,
    /// The line of the header.
    pub line: u32,
    /// Whether the dialect parses this section. Unknown and silently ignored sections have no entries.
    pub known: bool,
    /// The assignments in file order, including unknown keys.
    pub entries: Vec<Entry>,
    /// The bytes of the header line in the original text.
    pub span: Range<usize>,
}

/// A parsed unit file or drop-in. Never an error: problems are diagnostics, fatal ones also set
/// [`ParsedFile::failure`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParsedFile {
    /// The path it was parsed as (the path systemd prints in diagnostics).
    pub file: Utf8PathBuf,
    /// The original bytes, unchanged.
    pub text: Vec<u8>,
    /// The sections in file order. The same name may occur more than once.
    pub sections: Vec<Section>,
    /// The error that stopped the parse, if any.
    pub failure: Option<ParseFailure>,
}

impl ParsedFile {
    /// The original bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.text
    }

    /// The original text (lossy only if the file was not UTF-8).
    pub fn render(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }

    /// Whether the parse failed (the unit's load state would be `error`).
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// All known-section entries of `section` named `key`, in file order (known or not).
    pub fn entries<'a>(
        &'a self,
        section: &'a str,
        key: &'a str,
    ) -> impl Iterator<Item = &'a Entry> {
        self.sections
            .iter()
            .filter(move |s| s.known && s.name == section)
            .flat_map(|s| s.entries.iter())
            .filter(move |e| e.key == key)
    }
}
