//! Shell-style pattern matching as glibc's `fnmatch(pattern, name, FNM_NOESCAPE)` does it
//! (used by preset rules, reference §4.12, and `list-unit-files` patterns, §4.11).
//!
//! `*` matches any run of bytes (including `/` and a leading `.`, as no `FNM_PATHNAME` or
//! `FNM_PERIOD` is given), `?` one byte, `[...]` one byte from a set (`!` or `^` negates, `a-z`
//! ranges, `[:alpha:]`-style classes, a `]` right after the opening bracket is literal). With
//! `FNM_NOESCAPE` a backslash is an ordinary character. A `[` without a closing `]` matches itself.

/// Whether `name` matches `pattern`.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    matches(pattern.as_bytes(), name.as_bytes())
}

fn matches(p: &[u8], s: &[u8]) -> bool {
    // Iterative matcher with single-star backtracking (classic wildcard algorithm).
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    while pi < p.len() && p[pi] == b'*' {
                        pi += 1;
                    }
                    star = Some((pi, si));
                    continue;
                }
                b'?' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                b'[' => {
                    if let Some((hit, next)) = bracket(p, pi, s[si]) {
                        if hit {
                            pi = next;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == b'[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                c => {
                    if c == s[si] {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Matches byte `c` against the bracket expression starting at `p[start] == b'['`. Returns
/// whether it matched and the index after the closing `]`, or `None` if the bracket is not
/// closed (then `[` is literal).
fn bracket(p: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = i < p.len() && (p[i] == b'!' || p[i] == b'^');
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    loop {
        if i >= p.len() {
            return None;
        }
        let b = p[i];
        if b == b']' && !first {
            i += 1;
            break;
        }
        first = false;
        if b == b'[' && i + 1 < p.len() && p[i + 1] == b':' {
            if let Some(end) = find_class_end(p, i + 2) {
                let class = &p[i + 2..end];
                if class_matches(class, c) {
                    hit = true;
                }
                i = end + 2;
                continue;
            }
        }
        let lo = b;
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            let hi = p[i + 2];
            if lo <= c && c <= hi {
                hit = true;
            }
            i += 3;
            continue;
        }
        if lo == c {
            hit = true;
        }
        i += 1;
    }
    Some((hit != negate, i))
}

fn find_class_end(p: &[u8], from: usize) -> Option<usize> {
    let mut j = from;
    while j + 1 < p.len() {
        if p[j] == b':' && p[j + 1] == b']' {
            return Some(j);
        }
        if !p[j].is_ascii_alphabetic() {
            return None;
        }
        j += 1;
    }
    None
}

fn class_matches(class: &[u8], c: u8) -> bool {
    match class {
        b"alnum" => c.is_ascii_alphanumeric(),
        b"alpha" => c.is_ascii_alphabetic(),
        b"blank" => c == b' ' || c == b'\t',
        b"cntrl" => c.is_ascii_control(),
        b"digit" => c.is_ascii_digit(),
        b"graph" => c.is_ascii_graphic(),
        b"lower" => c.is_ascii_lowercase(),
        b"print" => c.is_ascii_graphic() || c == b' ',
        b"punct" => c.is_ascii_punctuation(),
        b"space" => c.is_ascii_whitespace() || c == 0x0b,
        b"upper" => c.is_ascii_uppercase(),
        b"xdigit" => c.is_ascii_hexdigit(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn basics() {
        assert!(fnmatch("*", "a.service"));
        assert!(fnmatch("*-yes.*", "preset-yes.service"));
        assert!(!fnmatch("*-yes.*", "preset-no.service"));
        assert!(fnmatch("a?.service", "ab.service"));
        assert!(fnmatch("[ab].service", "b.service"));
        assert!(!fnmatch("[!ab].service", "b.service"));
        assert!(fnmatch("[a-c]*", "c@.service"));
        assert!(fnmatch("[[:digit:]]x", "1x"));
        assert!(fnmatch("a\\b", "a\\b"));
        assert!(fnmatch("[x", "[x"));
        assert!(fnmatch("[]]", "]"));
        assert!(!fnmatch("", "a"));
        assert!(fnmatch("*a*b", "xxaxxb"));
        assert!(!fnmatch("*a*b", "xxaxxbc"));
    }
}
