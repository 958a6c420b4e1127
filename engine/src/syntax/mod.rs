//! The unit-file parser (reference §3.1–3.2).
//!
//! # Model
//!
//! A unit file (or drop-in) is read in three layers, exactly as systemd 252's `config_parse()` does:
//!
//! 1. **Physical lines**: the bytes are split at `\n`, `\r`, `\0` and their combinations
//!    (`\r\n`, …) like `read_line()`; a line of 1 MiB or more stops the parse (`ENOBUFS`).
//! 2. **Logical lines**: a physical line whose first non-blank character is `#` or `;` is a comment and
//!    is dropped — this is decided on the *raw* line, before the UTF-8 BOM is removed (so `BOM# x` on
//!    line 1 is not a comment) and before continuations are joined (so a comment inside a continuation
//!    is dropped and the continuation goes on). A line ending in an odd number of backslashes
//!    continues: the last backslash becomes a space and the next non-comment line is appended verbatim.
//!    The logical line gets the number of its last physical line.
//! 3. **Sections and assignments**: each logical line is whitespace-stripped; `[Name]` opens a section,
//!    `Key=Value` (split at the first `=`) is an assignment. Which sections and keys are known depends
//!    on the [`Dialect`]: PID 1's view of one unit type, or the installer's view.
//!
//! Problems are **diagnostics, not errors**: [`parse`] never fails. Each problem is pushed to a
//! [`Sink`](crate::diag::Sink) as a [`Diagnostic`](crate::diag::Diagnostic) whose message and severity
//! are what systemd logs after the `FILE:LINE: ` prefix. Three problems are fatal in systemd — an
//! invalid section header (`EBADMSG`), a line that is not UTF-8 clean (`EINVAL`) and an over-long line
//! (`ENOBUFS`) — they end the parse and are recorded in [`ParsedFile::failure`]; the unit's load state
//! is then `error`. (Over-long lines are reported at [`Severity::Debug`](crate::diag::Severity::Debug):
//! PID 1 parses unit files without `CONFIG_PARSE_WARN`, so only the load failure is visible.)
//!
//! A [`ParsedFile`] keeps the original bytes (lossless) and the line and byte span of every section
//! and entry. It stores the text once: names, keys and values are offsets into it (only the joined
//! form of a continued line is copied), and [`Section`] and [`Entry`] are views that borrow from the
//! file. [`Settings`] merges a fragment and its drop-ins with each key's empty-assignment rule
//! from [`keys`]; it shares the parsed files (`Arc`) and records where each effective value is.
//!
//! ```
//! use unitlab_engine::syntax::{parse, Dialect};
//! use unitlab_engine::name::UnitType;
//! use camino::Utf8Path;
//!
//! let mut diags = Vec::new();
//! let text = b"[Unit]\nDescription=demo \\\n  continued\nBogus=1\n";
//! let f = parse(Utf8Path::new("/etc/systemd/system/a.service"), text, Dialect::Unit(UnitType::Service), &mut diags);
//! let entry = f.section(0).and_then(|s| s.entry(0)).expect("one assignment");
//! assert_eq!((entry.key, entry.value, entry.line), ("Description", "demo    continued", 3));
//! assert_eq!(diags[0].to_string(),
//!     "/etc/systemd/system/a.service:4: Unknown key 'Bogus' in section [Unit], ignoring.");
//! assert_eq!(f.as_bytes(), text);
//! ```

mod dialect;
mod file;
pub mod keys;
mod keys_table;
mod lines;
mod parse;
mod settings;
mod utf8;

pub use dialect::Dialect;
pub use file::{Entry, ParseFailure, ParsedFile, Section};
pub use keys::{KeyClass, KeyInfo};
pub use lines::LONG_LINE_MAX;
pub use parse::{parse, parse_owned};
pub use settings::{Setting, SettingValue, Settings};

/// systemd's `parse_boolean()`: `1`/`yes`/`y`/`true`/`t`/`on` and their negations, any case.
pub fn parse_boolean(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
