//! Paths as unit names (reference §2.3): `escape_path`, `unescape_path`, `name_from_path`, plus the
//! lexical path predicates systemd applies on the way (`path_simplify`, `path_is_valid`,
//! `path_is_normalized`, `is_device_path`), reimplemented on bytes with the same edge cases:
//!
//! * a component is a maximal run of non-`/` bytes; `.` components are skipped; a component longer
//!   than 255 bytes (`NAME_MAX`) makes the path invalid, and simplification stops there, copying
//!   the rest verbatim;
//! * a valid path is non-empty with every component ≤ 255 bytes and shorter than 4096 bytes;
//! * a normalized path is valid, has no `..` component, no `//`, and no `.` component.

use camino::Utf8PathBuf;

use super::escape::{escape_bytes, unescape_bytes};
use super::{hash, unit_name, NameError, UnitType, UNIT_NAME_MAX};

/// `NAME_MAX`: the longest path component.
const NAME_MAX: usize = 255;
/// `PATH_MAX`, counted with the trailing NUL.
const PATH_MAX: usize = 4096;

/// Skips `/` bytes and `./` pairs from `i`.
fn skip_slash_or_dot(s: &[u8], mut i: usize) -> usize {
    while i < s.len() {
        if s[i] == b'/' {
            i += 1;
        } else if s[i..].starts_with(b"./") {
            i += 2;
        } else {
            break;
        }
    }
    i
}

/// One step of systemd's `path_find_first_component`: from `pos`, the next component as
/// `(start, len)` (or `None` at the end) and the position after it and its trailing separators.
/// `Err` for a component longer than `NAME_MAX`, or `..` when `accept_dot_dot` is false.
fn next_component(
    s: &[u8],
    pos: usize,
    accept_dot_dot: bool,
) -> Result<(Option<(usize, usize)>, usize), ()> {
    let first = skip_slash_or_dot(s, pos);
    if first == s.len() {
        return Ok((None, first));
    }
    if &s[first..] == b"." {
        return Ok((None, first + 1));
    }
    let end = s[first..]
        .iter()
        .position(|&b| b == b'/')
        .map_or(s.len(), |e| first + e);
    let len = end - first;
    if len > NAME_MAX || (!accept_dot_dot && &s[first..end] == b"..") {
        return Err(());
    }
    let next = skip_slash_or_dot(s, end);
    let next = if &s[next..] == b"." { next + 1 } else { next };
    Ok((Some((first, len)), next))
}

/// systemd's `path_simplify`: drops duplicate and trailing slashes and `.` components; an
/// all-dots relative path becomes `.`.
pub(crate) fn simplify(s: &[u8]) -> Vec<u8> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(s.len());
    let mut pos = 0;
    if s[0] == b'/' {
        out.push(b'/');
        pos = 1;
    }
    let mut add_slash = false;
    loop {
        match next_component(s, pos, true) {
            Ok((None, _)) => break,
            Ok((Some((start, len)), next)) => {
                if add_slash {
                    out.push(b'/');
                }
                out.extend_from_slice(&s[start..start + len]);
                pos = next;
                add_slash = true;
            }
            Err(()) => {
                if add_slash {
                    out.push(b'/');
                }
                out.extend_from_slice(&s[pos..]);
                return out;
            }
        }
    }
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// systemd's `path_is_valid_full`.
fn is_valid_full(s: &[u8], accept_dot_dot: bool) -> bool {
    if s.is_empty() {
        return false;
    }
    let mut pos = 0;
    loop {
        match next_component(s, pos, accept_dot_dot) {
            Err(()) => return false,
            Ok((_, next)) => pos = next,
        }
        if pos >= PATH_MAX {
            return false;
        }
        if pos == s.len() {
            return true;
        }
    }
}

/// systemd's `path_is_valid`: non-empty, every component ≤ 255 bytes, shorter than 4096 bytes
/// (`..` allowed).
pub fn path_is_valid(s: &[u8]) -> bool {
    is_valid_full(s, true)
}

/// systemd's `path_is_normalized`: valid, no `..` component, no `.` component, no `//`.
pub fn path_is_normalized(s: &[u8]) -> bool {
    if !is_valid_full(s, false) {
        return false;
    }
    let has = |needle: &[u8]| s.windows(needle.len()).any(|w| w == needle);
    !(s == b"." || s.starts_with(b"./") || s.ends_with(b"/.") || has(b"/./") || has(b"//"))
}

/// `path_equal(s, "/")`.
fn is_root(s: &[u8]) -> bool {
    s.first() == Some(&b'/') && matches!(next_component(s, 0, true), Ok((None, _)))
}

/// systemd's `path_startswith` (component-wise, `..` accepted): the rest of `path` after `prefix`,
/// or `None`.
fn path_startswith<'a>(path: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    if (path.first() == Some(&b'/')) != (prefix.first() == Some(&b'/')) {
        return None;
    }
    let (mut p, mut q) = (0, 0);
    loop {
        let (pc, pn) = next_component(path, p, true).ok()?;
        let (qc, qn) = next_component(prefix, q, true).ok()?;
        let Some((qs, ql)) = qc else {
            return Some(match pc {
                Some((ps, _)) => &path[ps..],
                None => &path[pn..],
            });
        };
        let (ps, pl) = pc?;
        if pl != ql || path[ps..ps + pl] != prefix[qs..qs + ql] {
            return None;
        }
        p = pn;
        q = qn;
    }
}

/// Whether `path` names something below `/dev/` or `/sys/` (systemd's `is_device_path`): `/dev/sda`
/// yes, `/dev` no.
pub fn is_device_path(path: &str) -> bool {
    is_device_path_bytes(path.as_bytes())
}

/// Byte-level [`is_device_path`].
pub(crate) fn is_device_path_bytes(p: &[u8]) -> bool {
    [&b"/dev/"[..], b"/sys/"]
        .into_iter()
        .any(|prefix| path_startswith(p, prefix).is_some_and(|rest| !rest.is_empty()))
}

/// Escapes a path (systemd's `unit_name_path_escape`): simplified, `/` (or empty) → `-`, otherwise
/// leading and trailing slashes dropped and [`super::escape`]d. Paths that are not normalized after
/// simplification (`..` components, components over 255 bytes, a bare `.`) are refused.
/// `/foo//bar/` → `foo-bar`.
pub fn escape_path(path: &str) -> Result<String, NameError> {
    escape_path_bytes(path.as_bytes()).map_err(|reason| NameError::new(path, reason))
}

/// Byte-level [`escape_path`].
pub fn escape_path_bytes(path: &[u8]) -> Result<String, &'static str> {
    let p = simplify(path);
    if p.is_empty() || is_root(&p) {
        return Ok("-".to_owned());
    }
    if !path_is_normalized(&p) {
        return Err("not a normalized path");
    }
    let end = p.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
    let start = p[..end].iter().position(|&b| b != b'/').unwrap_or(end);
    Ok(escape_bytes(&p[start..end]))
}

/// Unescapes an escaped path (systemd's `unit_name_path_unescape`): `-` → `/`; otherwise the
/// unescaped string must not start or end with `/`, gets a leading `/`, and must be normalized.
pub fn unescape_path_bytes(s: &[u8]) -> Result<Vec<u8>, NameError> {
    if s.is_empty() {
        return Err(NameError::lossy(s, "empty"));
    }
    if s == b"-" {
        return Ok(b"/".to_vec());
    }
    let w = unescape_bytes(s)?;
    if w.first() == Some(&b'/') || w.last() == Some(&b'/') {
        return Err(NameError::lossy(s, "leading or trailing slash"));
    }
    let mut out = Vec::with_capacity(w.len() + 1);
    out.push(b'/');
    out.extend_from_slice(&w);
    if !path_is_normalized(&out) {
        return Err(NameError::lossy(s, "not a normalized path"));
    }
    Ok(out)
}

/// [`unescape_path_bytes`] as a UTF-8 path; fails if the bytes are not UTF-8.
pub fn unescape_path(s: &str) -> Result<Utf8PathBuf, NameError> {
    let bytes = unescape_path_bytes(s.as_bytes())?;
    String::from_utf8(bytes)
        .map(Utf8PathBuf::from)
        .map_err(|_| NameError::new(s, "unescapes to bytes that are not UTF-8"))
}

/// The unit name for a path (systemd's `unit_name_from_path`): [`escape_path`] + `.suffix`; names
/// longer than 255 bytes are shortened with a hash (see the `hash` module), e.g.
/// `/home` + mount → `home.mount`.
pub fn name_from_path(path: &str, suffix: UnitType) -> Result<unit_name::UnitName, NameError> {
    name_from_path_bytes(path.as_bytes(), suffix).map_err(|reason| NameError::new(path, reason))
}

/// Byte-level [`name_from_path`].
pub(crate) fn name_from_path_bytes(
    path: &[u8],
    suffix: UnitType,
) -> Result<unit_name::UnitName, &'static str> {
    let mut name = escape_path_bytes(path)?;
    name.push('.');
    name.push_str(suffix.as_str());
    if name.len() > UNIT_NAME_MAX {
        name = hash::hash_long_name(&name, suffix.as_str().len());
    }
    match unit_name::UnitName::try_from(name) {
        Ok(n) if n.kind() == unit_name::NameKind::Plain => Ok(n),
        _ => Err("does not give a valid plain unit name"),
    }
}
