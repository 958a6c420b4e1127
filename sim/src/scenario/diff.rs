//! A unified diff of expected and actual lines, with hunks numbered by the scenario file's lines.

/// Renders a unified diff between `expected` (which starts at 1-based line `first_line` of
/// `file`) and `actual`. Lines that match through wildcards are shown as context. The header
/// names the file and line (`--- file:line (expected)` / `+++ actual`).
pub fn unified_diff(
    file: &str,
    first_line: usize,
    expected: &[String],
    actual: &[String],
) -> String {
    let ops = align(expected, actual);
    let mut out = format!("--- {file}:{first_line} (expected)\n+++ actual\n");
    out.push_str(&format!(
        "@@ -{},{} +1,{} @@\n",
        first_line,
        expected.len(),
        actual.len()
    ));
    for op in ops {
        match op {
            Op::Same(e) => out.push_str(&format!(" {e}\n")),
            Op::Del(e) => out.push_str(&format!("-{e}\n")),
            Op::Add(a) => out.push_str(&format!("+{a}\n")),
        }
    }
    out
}

enum Op<'a> {
    Same(&'a str),
    Del(&'a str),
    Add(&'a str),
}

/// A longest-common-subsequence alignment where two lines are "equal" when the expected one
/// matches the actual one (`[..]`); a `...` line matches nothing and is shown as removed unless
/// the whole output matches.
fn align<'a>(e: &'a [String], a: &'a [String]) -> Vec<Op<'a>> {
    let (n, m) = (e.len(), a.len());
    let eq = |i: usize, j: usize| e[i] != "..." && super::line_matches(&e[i], &a[j]);
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if eq(i, j) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::new();
    while i < n || j < m {
        if i < n && j < m && eq(i, j) {
            ops.push(Op::Same(&e[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(Op::Add(&a[j]));
            j += 1;
        } else {
            ops.push(Op::Del(&e[i]));
            i += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_changed_lines() {
        let e: Vec<String> = ["a", "b[..]", "c"].iter().map(|s| s.to_string()).collect();
        let a: Vec<String> = ["a", "bxx", "d"].iter().map(|s| s.to_string()).collect();
        let d = unified_diff("f.md", 7, &e, &a);
        assert_eq!(
            d,
            "--- f.md:7 (expected)\n+++ actual\n@@ -7,3 +1,3 @@\n a\n b[..]\n+d\n-c\n"
        );
    }
}
