//! Matching actual output against expected output with wildcards: `[..]` matches any text within
//! a line (possibly empty), and a line consisting of `...` matches any number of lines (possibly
//! none).

/// Whether one actual line matches one expected line (`[..]` wildcards).
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let mut parts = expected.split("[..]");
    let Some(first) = parts.next() else {
        return expected == actual;
    };
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        return expected == actual;
    }
    let Some(mut tail) = actual.strip_prefix(first) else {
        return false;
    };
    let (last, middle) = rest.split_last().expect("rest is not empty");
    for part in middle {
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    tail.len() >= last.len() && tail.ends_with(last)
}

/// Whether the actual lines match the expected lines (`[..]` within lines, `...` lines).
pub fn matches(expected: &[String], actual: &[String]) -> bool {
    // memo[i][j]: expected[i..] vs actual[j..] already known not to match.
    let mut failed = vec![vec![false; actual.len() + 1]; expected.len() + 1];
    match_from(expected, actual, 0, 0, &mut failed)
}

fn match_from(e: &[String], a: &[String], i: usize, j: usize, failed: &mut [Vec<bool>]) -> bool {
    if failed[i][j] {
        return false;
    }
    let ok = if i == e.len() {
        j == a.len()
    } else if e[i] == "..." {
        (j..=a.len()).any(|k| match_from(e, a, i + 1, k, failed))
    } else {
        j < a.len() && line_matches(&e[i], &a[j]) && match_from(e, a, i + 1, j + 1, failed)
    };
    if !ok {
        failed[i][j] = true;
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn wildcards_within_lines() {
        assert!(line_matches("a[..]c", "abbbc"));
        assert!(line_matches("a[..]c", "ac"));
        assert!(!line_matches("a[..]c", "abd"));
        assert!(line_matches("[..]", ""));
        assert!(line_matches("x [..] y [..] z", "x 1 y 2 z"));
        assert!(!line_matches("ab[..]ba", "aba"));
        assert!(!line_matches("plain", "plain "));
    }

    #[test]
    fn ellipsis_lines() {
        assert!(matches(&v(&["...", "end"]), &v(&["a", "b", "end"])));
        assert!(matches(&v(&["...", "end"]), &v(&["end"])));
        assert!(matches(&v(&["a", "..."]), &v(&["a"])));
        assert!(!matches(&v(&["a", "...", "z"]), &v(&["a", "b"])));
        assert!(matches(&v(&["..."]), &v(&[])));
        assert!(!matches(&v(&[]), &v(&["x"])));
    }
}
