//! Physical lines, split exactly like systemd's `read_line()` (v252 `src/basic/fileio.c`).
//!
//! A line ends at EOF or at a run of end-of-line markers in which each of `\n`, `\r` and `\0` occurs
//! at most once and nothing follows a `\0`: `\n`, `\r`, `\0`, `\r\n`, `\n\r`, `\n\0`, `\r\0`, `\r\n\0`,
//! `\n\r\0` are single line ends, while `\n\n` or `\0\n` are two. A file ending in a line end has no
//! extra empty line. A line of [`LONG_LINE_MAX`] or more content bytes cannot be read at all: systemd
//! checks the limit before reading each character, so even an exactly 1 MiB line at EOF fails.
use std::ops::Range;

/// systemd's `LONG_LINE_MAX`: 1 MiB.
pub const LONG_LINE_MAX: usize = 1024 * 1024;

/// The result of reading one physical line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PhysicalLine {
    /// A line: its content (without line-end markers) and the offset where the next line starts.
    Line {
        /// The content bytes.
        content: Range<usize>,
        /// Where the next line starts (after the line-end markers).
        next: usize,
    },
    /// The line starting here has at least [`LONG_LINE_MAX`] content bytes (`ENOBUFS`).
    TooLong,
    /// Nothing left.
    Eof,
}

const EOL_TEN: u8 = 1;
const EOL_THIRTEEN: u8 = 2;
const EOL_ZERO: u8 = 4;

fn eol_kind(b: u8) -> u8 {
    match b {
        b'\n' => EOL_TEN,
        b'\r' => EOL_THIRTEEN,
        0 => EOL_ZERO,
        _ => 0,
    }
}

/// Whether a byte ends a line.
fn is_eol(b: u8) -> bool {
    b == b'\n' || b == b'\r' || b == 0
}

/// The index of the first line-end byte (`\n`, `\r` or `\0`) in `s`, or its length.
///
/// Eight bytes at a time: a word without any byte below 14 (the line ends are 0, 10 and 13) is
/// skipped whole; only a word that has one (line ends, rarely a tab) is looked at byte by byte.
fn line_end(s: &[u8]) -> usize {
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const FOURTEEN: u64 = u64::from_ne_bytes([14; 8]);
    let mut i = 0;
    let mut chunks = s.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(word);
        // "has a byte less than n" (for n <= 128): sets the high bit of such bytes (and maybe of
        // some after them, never of one before the first).
        if x.wrapping_sub(FOURTEEN) & !x & HIGHS != 0 {
            if let Some(p) = chunk.iter().position(|&b| is_eol(b)) {
                return i + p;
            }
        }
        i += 8;
    }
    i + chunks
        .remainder()
        .iter()
        .position(|&b| is_eol(b))
        .unwrap_or(chunks.remainder().len())
}

/// Reads the physical line starting at byte `start` of `text`.
pub(crate) fn read_line(text: &[u8], start: usize) -> PhysicalLine {
    if start >= text.len() {
        return PhysicalLine::Eof;
    }
    let rest = &text[start..];
    let len = line_end(rest);
    if len >= LONG_LINE_MAX {
        return PhysicalLine::TooLong;
    }
    let mut pos = len;
    let mut seen = 0u8;
    while let Some(&b) = rest.get(pos) {
        let kind = eol_kind(b);
        if seen & EOL_ZERO != 0 || kind == 0 || seen & kind != 0 {
            break;
        }
        seen |= kind;
        pos += 1;
    }
    PhysicalLine::Line {
        content: start..start + len,
        next: start + pos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &[u8]) -> Vec<&[u8]> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let PhysicalLine::Line { content, next } = read_line(text, pos) {
            out.push(&text[content]);
            pos = next;
        }
        out
    }

    #[test]
    fn line_end_combinations_follow_read_line() {
        // fileio.c read_line_full: each marker kind at most once per line end, nothing after a NUL.
        assert_eq!(split(b"a\nb"), vec![&b"a"[..], b"b"]);
        assert_eq!(split(b"a\n"), vec![&b"a"[..]]);
        assert_eq!(
            split(b"a\r\nb\n\rc\r\n\0d"),
            vec![&b"a"[..], b"b", b"c", b"d"]
        );
        assert_eq!(split(b"a\n\nb"), vec![&b"a"[..], b"", b"b"]);
        assert_eq!(split(b"a\0\nb"), vec![&b"a"[..], b"", b"b"]);
        assert_eq!(split(b"a\r\rb"), vec![&b"a"[..], b"", b"b"]);
        assert_eq!(split(b"a\r\0\nb"), vec![&b"a"[..], b"", b"b"]);
        assert_eq!(split(b""), Vec::<&[u8]>::new());
        assert_eq!(split(b"\n"), vec![&b""[..]]);
    }

    #[test]
    fn line_end_finds_the_first_marker_in_any_position() {
        for len in 0..40 {
            for at in 0..=len {
                for marker in [b'\n', b'\r', 0] {
                    let mut s: Vec<u8> = (0..len).map(|i| b"a\t b\x7f\xff"[i % 6]).collect();
                    if at < len {
                        s[at] = marker;
                    }
                    assert_eq!(line_end(&s), at, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn limit_is_checked_before_each_character() {
        let ok = vec![b'x'; LONG_LINE_MAX - 1];
        assert!(matches!(read_line(&ok, 0), PhysicalLine::Line { .. }));
        let bad = vec![b'x'; LONG_LINE_MAX];
        assert_eq!(read_line(&bad, 0), PhysicalLine::TooLong);
    }
}
