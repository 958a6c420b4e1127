//! UTF-8 validity as systemd 252 defines it (`src/basic/utf8.c`): Rust's UTF-8 minus the
//! noncharacters U+FDD0..U+FDEF and U+xFFFE/U+xFFFF, plus the `utf8_escape_invalid()` rendering used in
//! the "not UTF-8 clean" message.

fn is_noncharacter(c: char) -> bool {
    let u = c as u32;
    (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE
}

/// The text as `&str` if systemd considers it valid UTF-8.
pub(crate) fn valid_str(bytes: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(bytes).ok()?;
    systemd_valid(s).then_some(s)
}

/// Whether systemd considers a Rust string valid UTF-8 (no noncharacters).
pub(crate) fn systemd_valid(s: &str) -> bool {
    s.is_ascii() || !s.chars().any(is_noncharacter)
}

/// The length of the valid character starting at `bytes[0]`, if any.
fn valid_char_len(bytes: &[u8]) -> Option<usize> {
    let lead = *bytes.first()?;
    let len = match lead {
        0x00..=0x7f => return Some(1),
        _ if lead & 0xe0 == 0xc0 => 2,
        _ if lead & 0xf0 == 0xe0 => 3,
        _ if lead & 0xf8 == 0xf0 => 4,
        _ => return None, // 5- and 6-byte forms always encode values above U+10FFFF
    };
    let seq = bytes.get(..len)?;
    let s = std::str::from_utf8(seq).ok()?;
    let c = s.chars().next()?;
    (!is_noncharacter(c)).then_some(len)
}

/// Replaces every byte that does not start a valid character with U+FFFD, one per byte.
pub(crate) fn escape_invalid(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        match valid_char_len(&bytes[i..]) {
            Some(n) => {
                // The sequence was just validated, so this cannot fail.
                out.push_str(std::str::from_utf8(&bytes[i..i + n]).unwrap_or("\u{FFFD}"));
                i += n;
            }
            None => {
                out.push('\u{FFFD}');
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noncharacters_are_invalid() {
        assert!(valid_str("a\u{FEFF}b".as_bytes()).is_some());
        assert!(valid_str("\u{FDD0}".as_bytes()).is_none());
        assert!(valid_str("\u{FFFE}".as_bytes()).is_none());
        assert!(valid_str("\u{1FFFF}".as_bytes()).is_none());
        assert!(valid_str(b"\xff").is_none());
    }

    #[test]
    fn escape_replaces_each_bad_byte() {
        assert_eq!(escape_invalid(b"a\xffb"), "a\u{FFFD}b");
        // a surrogate: the lead byte is refused, then each continuation byte on its own
        assert_eq!(
            escape_invalid(b"\xed\xa0\x80x"),
            "\u{FFFD}\u{FFFD}\u{FFFD}x"
        );
        assert_eq!(
            escape_invalid("é\u{FDD0}".as_bytes()),
            "é\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        assert_eq!(escape_invalid(b"\xc3"), "\u{FFFD}");
    }
}
