//! Shared helpers for the parser differential tests (`syntax_differential`, `corpus_syntax`,
//! `syntax_install_differential`, `corpus_install_syntax`): what systemd prints about a parse, and
//! our diagnostics in the same form.
//!
//! Include with `mod syntax_oracle;` from a test crate in `engine/tests/` (after `mod support;`).
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use unitlab_engine::diag::{Diagnostic, Severity};

/// The directory our side pretends the files are in: systemd's temp dir with its random part
/// normalised. It has the same length as the real one, because systemd truncates long log lines
/// (`FILE:LINE: MESSAGE` at 2039 bytes on the console).
pub const DIR: &str = "/tmp/real-systemd-test.XXXXXX";

/// Message beginnings of everything `config_parse()`/`parse_line()`/`next_assignment()` logs.
pub const PARSER_MESSAGES: &[&str] = &[
    "Unknown key '",
    "Unknown section '",
    "Assignment outside of section. Ignoring.",
    "Missing '=', ignoring line.",
    "Missing key name before '=', ignoring line.",
    "Invalid section header '",
    "Bad characters in section header '",
    "String is not UTF-8 clean, ignoring assignment: ",
    "Line too long",
    "Continuation line too long",
];

/// Our diagnostics as systemd prints them (`Display`), leaving out `Severity::Debug`, which
/// systemd does not print.
pub fn printed(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity != Severity::Debug)
        .map(|d| d.to_string())
        .collect()
}

/// What the installer says about one file.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct InstallVerdict {
    /// The parser messages about the file (`PATH:LINE: MESSAGE`).
    pub messages: Vec<String>,
    /// The strerror of `Failed to enable unit, file "UNIT": STRERROR`, if the parse failed.
    pub failure: Option<String>,
}

/// Runs `systemctl --root=ROOT enable UNIT` and returns the lines of its stderr about the file
/// `path` (a host path) and its failure for `unit`; systemctl's other output is not the parser's.
pub fn systemctl_enable(root: &Path, unit: &str, path: &str) -> InstallVerdict {
    let out = Command::new("systemctl")
        .arg(format!("--root={}", root.display()))
        .arg("enable")
        .arg(unit)
        .env("SYSTEMCTL_SKIP_SYSV", "1")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("run systemctl");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let prefix = format!("{path}:");
    let failed_prefix = format!("Failed to enable unit, file \"{unit}\": ");
    let mut v = InstallVerdict::default();
    for line in stderr.lines() {
        if let Some(e) = line.strip_prefix(&failed_prefix) {
            v.failure = Some(e.to_owned());
        } else if line.starts_with(&prefix) {
            v.messages.push(line.to_owned());
        }
    }
    v
}
