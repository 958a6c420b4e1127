//! Diagnostics: problems found in unit files, collected as data and never returned as `Err`.
//!
//! A [`Diagnostic`] renders (with `Display`) exactly as systemd 252 logs it:
//! `FILE:LINE: MESSAGE` when it has a line, `FILE: MESSAGE` otherwise.
use camino::Utf8PathBuf;
use std::fmt;

/// How serious a diagnostic is; systemd's log levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// `LOG_ERR`: the file (or unit) could not be used.
    Error,
    /// `LOG_WARNING`: something was ignored.
    Warning,
    /// `LOG_NOTICE`.
    Notice,
    /// `LOG_INFO`.
    Info,
    /// `LOG_DEBUG`: systemd prints these only at debug level.
    Debug,
}

/// A stable, machine-readable identifier of a diagnostic's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Code {
    /// A physical or logical line is longer than 1 MiB.
    LineTooLong,
    /// A line is not valid UTF-8.
    InvalidUtf8,
    /// `[Section` without the closing bracket.
    InvalidSectionHeader,
    /// A section name with characters systemd refuses.
    BadSectionCharacters,
    /// A section systemd does not know for this unit type.
    UnknownSection,
    /// `key=value` before the first section header.
    AssignmentOutsideSection,
    /// A line without `=`.
    MissingEquals,
    /// `=value` with an empty key.
    MissingKey,
    /// A key systemd does not know in this section.
    UnknownKey,
    /// A value a setting parser refused.
    InvalidValue,
    /// A setting that is not allowed for this unit type.
    NotAllowed,
    /// A configuration file with suspicious permission bits.
    Permissions,
    /// A symlink the loader refused or distrusted (aliases).
    Symlink,
    /// A dependency that was dropped or could not be added.
    Dependency,
    /// A unit that failed its type's verification (load state `bad-setting`).
    BadSetting,
    /// A file that could not be read.
    Unreadable,
    /// Anything else.
    Other,
}

impl Code {
    /// The stable kebab-case name of the code, for JSON and snapshots.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::LineTooLong => "line-too-long",
            Code::InvalidUtf8 => "invalid-utf8",
            Code::InvalidSectionHeader => "invalid-section-header",
            Code::BadSectionCharacters => "bad-section-characters",
            Code::UnknownSection => "unknown-section",
            Code::AssignmentOutsideSection => "assignment-outside-section",
            Code::MissingEquals => "missing-equals",
            Code::MissingKey => "missing-key",
            Code::UnknownKey => "unknown-key",
            Code::InvalidValue => "invalid-value",
            Code::NotAllowed => "not-allowed",
            Code::Permissions => "permissions",
            Code::Symlink => "symlink",
            Code::Dependency => "dependency",
            Code::BadSetting => "bad-setting",
            Code::Unreadable => "unreadable",
            Code::Other => "other",
        }
    }
}

/// One problem in one file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// The file, as a path inside the root (what systemd prints).
    pub file: Utf8PathBuf,
    /// The 1-based line number, or 0 when the problem is not tied to a line.
    pub line: u32,
    /// How serious it is.
    pub severity: Severity,
    /// Its stable code.
    pub code: Code,
    /// The message, worded exactly as systemd 252 words it (without the `FILE:LINE: ` prefix).
    pub message: String,
}

impl Diagnostic {
    /// Builds a diagnostic.
    pub fn new(
        file: impl Into<Utf8PathBuf>,
        line: u32,
        severity: Severity,
        code: Code,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line,
            severity,
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// Where diagnostics go while something is parsed or loaded.
pub trait Sink {
    /// Records one diagnostic.
    fn push(&mut self, d: Diagnostic);
}

impl Sink for Vec<Diagnostic> {
    fn push(&mut self, d: Diagnostic) {
        Vec::push(self, d)
    }
}
