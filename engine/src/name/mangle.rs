//! Mangling of command-line arguments into unit names, as `systemctl` does (reference §2.3,
//! systemd's `unit_name_mangle_with_suffix`).
//!
//! In order: an empty argument is refused; a valid unit name is kept; a glob made only of name and
//! glob bytes is kept when globs are allowed (otherwise it is noted and escaped); an absolute path
//! below `/dev/` or `/sys/` becomes a `.device` name, any other absolute path a `.mount` name (when
//! that conversion fails, the argument falls through to escaping); everything else has `/` turned
//! into `-` and every byte outside the name set (`[A-Za-z0-9:_.\-\\@]`, plus `[]!-*?` when globs are
//! allowed) escaped as `\xNN`, then the default suffix appended if the result is not already a unit
//! name (or a glob, when allowed). Without globs the result must be a valid unit name.

use super::escape::push_escaped;
use super::path::{is_device_path_bytes, name_from_path_bytes};
use super::unit_name::{is_glob_name_byte, is_name_byte_with_at, is_valid_bytes, unit_type_of};
use super::{NameError, UnitName, UnitType};

/// How to mangle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MangleOptions {
    /// The type appended when the argument has no valid suffix (`service` for most verbs, `target`
    /// for `set-default` and the target of `add-wants`).
    pub default_suffix: UnitType,
    /// Keep glob patterns (`*?[`) for verbs that accept them (`list-units PATTERN`, ...).
    pub allow_globs: bool,
}

impl Default for MangleOptions {
    /// `.service`, no globs.
    fn default() -> MangleOptions {
        MangleOptions {
            default_suffix: UnitType::Service,
            allow_globs: false,
        }
    }
}

/// The result of [`mangle`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mangled {
    /// The unit name (or, with `allow_globs`, possibly a glob pattern that is not a unit name).
    pub name: String,
    /// When bytes were escaped, the notice systemctl prints on stderr, without newline:
    /// `Invalid unit name "foo bar" escaped as "foo\x20bar" (maybe you should use systemd-escape?).`
    /// (the parenthesis is left out when the argument was a rejected glob).
    pub notice: Option<String>,
    /// The argument was a glob pattern but globs were not allowed; systemctl then first prints the
    /// notice given by [`glob_notice`].
    pub glob_rejected: bool,
}

impl Mangled {
    /// The result as a [`UnitName`], if it is one (it always is without `allow_globs`).
    pub fn unit_name(&self) -> Option<UnitName> {
        UnitName::new(&self.name).ok()
    }
}

/// The notice systemctl prints when a glob is passed to a verb that does not take globs, e.g.
/// `glob_notice(Some("to check"))` → `Glob pattern passed to check, but globs are not supported for
/// this.` (without newline).
pub fn glob_notice(operation: Option<&str>) -> String {
    match operation {
        Some(op) => format!("Glob pattern passed {op}, but globs are not supported for this."),
        None => "Glob pattern passed, but globs are not supported for this.".to_owned(),
    }
}

fn is_glob(s: &[u8]) -> bool {
    s.iter().any(|b| matches!(b, b'*' | b'?' | b'['))
}

/// Turns a command-line argument into a unit name as systemctl does (see the module docs). Fails for
/// empty arguments and arguments that cannot become a valid name (e.g. leading `@`, too long); note
/// that systemctl may already have printed a notice in that case (see [`mangle_with_notices`]).
pub fn mangle(arg: &str, opts: MangleOptions) -> Result<Mangled, NameError> {
    mangle_bytes(arg.as_bytes(), opts)
}

/// Byte-level [`mangle`] (for arguments that are not UTF-8; the notice shows them lossily).
pub fn mangle_bytes(bytes: &[u8], opts: MangleOptions) -> Result<Mangled, NameError> {
    let (glob_rejected, notice, result) = mangle_inner(bytes, opts);
    result.map(|name| Mangled {
        name,
        notice,
        glob_rejected,
    })
}

/// [`mangle`] plus the lines systemctl prints on stderr while mangling, in order and without
/// newlines: the glob notice (worded with `operation`, e.g. `Some("to check")` for `is-enabled`)
/// and the escape notice. They are printed even when mangling then fails.
pub fn mangle_with_notices(
    arg: &str,
    opts: MangleOptions,
    operation: Option<&str>,
) -> (Vec<String>, Result<Mangled, NameError>) {
    let (glob_rejected, notice, result) = mangle_inner(arg.as_bytes(), opts);
    let mut lines = Vec::new();
    if glob_rejected {
        lines.push(glob_notice(operation));
    }
    lines.extend(notice.clone());
    let result = result.map(|name| Mangled {
        name,
        notice,
        glob_rejected,
    });
    (lines, result)
}

/// The mangling itself: (glob rejected, escape notice, name or error).
fn mangle_inner(
    bytes: &[u8],
    opts: MangleOptions,
) -> (bool, Option<String>, Result<String, NameError>) {
    if bytes.is_empty() {
        let err = NameError::lossy(bytes, "cannot mangle an empty name");
        return (false, None, Err(err));
    }
    let arg = String::from_utf8_lossy(bytes);
    if is_valid_bytes(bytes) {
        return (false, None, Ok(arg.into_owned()));
    }
    let mut glob_rejected = false;
    if is_glob(bytes) && bytes.iter().all(|&b| is_glob_name_byte(b)) {
        if opts.allow_globs {
            return (false, None, Ok(arg.into_owned()));
        }
        glob_rejected = true;
    }
    if is_device_path_bytes(bytes) {
        if let Ok(n) = name_from_path_bytes(bytes, UnitType::Device) {
            return (glob_rejected, None, Ok(n.into_string()));
        }
    }
    if bytes.first() == Some(&b'/') {
        if let Ok(n) = name_from_path_bytes(bytes, UnitType::Mount) {
            return (glob_rejected, None, Ok(n.into_string()));
        }
    }
    let mut name = String::with_capacity(bytes.len() * 4 + 10);
    let mut escaped = false;
    for &b in bytes {
        let ok = if opts.allow_globs {
            is_glob_name_byte(b)
        } else {
            is_name_byte_with_at(b)
        };
        if b == b'/' {
            name.push('-');
            escaped = true;
        } else if !ok {
            push_escaped(&mut name, b);
            escaped = true;
        } else {
            name.push(char::from(b));
        }
    }
    let notice = escaped.then(|| {
        let hint = if glob_rejected {
            ""
        } else {
            " (maybe you should use systemd-escape?)"
        };
        format!("Invalid unit name \"{arg}\" escaped as \"{name}\"{hint}.")
    });
    if (!opts.allow_globs || !is_glob(name.as_bytes())) && unit_type_of(&name).is_none() {
        name.push('.');
        name.push_str(opts.default_suffix.as_str());
    }
    if !opts.allow_globs && !is_valid_bytes(name.as_bytes()) {
        let err = NameError::new(&name, "mangled name is not a valid unit name");
        return (glob_rejected, notice, Err(err));
    }
    (glob_rejected, notice, Ok(name))
}
