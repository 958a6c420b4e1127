//! String escaping for unit names (reference §2.3), as `systemd-escape` and `%I`/`%P` do it.
//!
//! Escaping maps `/` to `-` and writes every byte outside `[A-Za-z0-9:_.]` (including `-`, `\`, `@`
//! and every non-ASCII byte) as `\xNN` with lowercase hex; a leading `.` is escaped too so that no
//! name starts with a dot. Unescaping is the inverse: `-` becomes `/`, `\xNN` (either case) a byte,
//! any other `\` sequence is an error.
//!
//! Like systemd, which works on NUL-terminated C strings, an unescaped `\x00` ends the result: the
//! bytes after it are still checked for valid escapes but dropped.

use super::unit_name::is_name_byte;
use super::NameError;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `\xNN` for `b` to `out`.
pub(crate) fn push_escaped(out: &mut String, b: u8) {
    out.push('\\');
    out.push('x');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// Escapes `s` for use in a unit name (systemd's `unit_name_escape`), e.g. `foo bar/baz-qux` →
/// `foo\x20bar-baz\x2dqux`.
pub fn escape(s: &str) -> String {
    escape_bytes(s.as_bytes())
}

/// Byte-level [`escape`] (for arguments that are not UTF-8). The result is always ASCII.
pub fn escape_bytes(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() * 4);
    let mut rest = s;
    if let Some((&b'.', tail)) = s.split_first() {
        push_escaped(&mut out, b'.');
        rest = tail;
    }
    for &b in rest {
        if b == b'/' {
            out.push('-');
        } else if b == b'-' || b == b'\\' || !is_name_byte(b) {
            push_escaped(&mut out, b);
        } else {
            out.push(char::from(b));
        }
    }
    out
}

fn unhex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Unescapes `s` (systemd's `unit_name_unescape`) into bytes: `-` → `/`, `\xNN` → the byte; any
/// other backslash sequence is an error. The result ends at the first NUL byte, as in systemd.
pub fn unescape_bytes(bytes: &[u8]) -> Result<Vec<u8>, NameError> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' => {
                out.push(b'/');
                i += 1;
            }
            b'\\' => {
                let hi = bytes.get(i + 2).copied().and_then(unhex);
                let lo = bytes.get(i + 3).copied().and_then(unhex);
                match (bytes.get(i + 1), hi, lo) {
                    (Some(b'x'), Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(NameError::lossy(bytes, "invalid escape sequence")),
                }
                i += 4;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    if let Some(nul) = out.iter().position(|&b| b == 0) {
        out.truncate(nul);
    }
    Ok(out)
}

/// Unescapes `s` (see [`unescape_bytes`]); fails if the bytes are not UTF-8.
pub fn unescape(s: &str) -> Result<String, NameError> {
    String::from_utf8(unescape_bytes(s.as_bytes())?)
        .map_err(|_| NameError::new(s, "unescapes to bytes that are not UTF-8"))
}
