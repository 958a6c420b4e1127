//! The path contract and lexical normalisation.
//!
//! Paths handed to a [`FileSystem`](super::FileSystem) are *contract paths*: absolute, lexically
//! normal (no empty, `.` or `..` components, no trailing slash except for `/` itself) and free of
//! NUL bytes. [`check_path`] enforces that; [`normalize`] turns any path text into one.

use super::FsError;
use camino::{Utf8Path, Utf8PathBuf};

/// Checks that `path` obeys the path contract: absolute, lexically normal, no NUL.
///
/// Returns [`FsError::InvalidPath`] naming the path and the rule it breaks.
pub fn check_path(path: &Utf8Path) -> Result<(), FsError> {
    let text = path.as_str();
    let invalid = |reason| {
        Err(FsError::InvalidPath {
            path: text.to_owned(),
            reason,
        })
    };
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'/') {
        return invalid("not absolute");
    }
    if bytes.contains(&0) {
        return invalid("contains a NUL byte");
    }
    if bytes.len() == 1 {
        return Ok(());
    }
    // Components in order (the first bad one names the rule), one pass over the bytes.
    let mut start = 1;
    for end in (1..=bytes.len()).filter(|&i| i == bytes.len() || bytes[i] == b'/') {
        match &bytes[start..end] {
            b"" => return invalid("empty component (double or trailing slash)"),
            b"." => return invalid("contains a `.` component"),
            b".." => return invalid("contains a `..` component"),
            _ => {}
        }
        start = end + 1;
    }
    Ok(())
}

/// Lexically normalises `path` as an absolute path inside a root: drops empty and `.` components,
/// and lets `..` remove the previous component but never climb above `/`. A relative `path` is
/// taken relative to `base` (itself absolute; it is normalised the same way).
///
/// Nothing is looked up: a `..` after a symlink is applied to the link's *name*, as systemd does
/// when it makes a unit symlink's target absolute (reference §3.3). The result always obeys the
/// path contract unless it would contain a NUL byte (which is kept verbatim).
///
/// ```
/// use unitlab_engine::fs::normalize;
/// use camino::Utf8Path;
/// let p = normalize(Utf8Path::new("/etc/systemd/system"), Utf8Path::new("../../../../dev/null"));
/// assert_eq!(p, "/dev/null");
/// assert_eq!(normalize(Utf8Path::new("/"), Utf8Path::new("/usr/../dev//./null")), "/dev/null");
/// ```
pub fn normalize(base: &Utf8Path, path: &Utf8Path) -> Utf8PathBuf {
    let mut stack: Vec<&str> = Vec::new();
    if !path.as_str().starts_with('/') {
        push_components(&mut stack, base.as_str());
    }
    push_components(&mut stack, path.as_str());
    join_components(&stack)
}

/// Applies the components of `text` to `stack` (`.`/empty dropped, `..` pops, clamped at root).
fn push_components<'a>(stack: &mut Vec<&'a str>, text: &'a str) {
    for component in text.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                stack.pop();
            }
            other => stack.push(other),
        }
    }
}

/// Builds `/a/b/c` from components (`/` for none).
pub(crate) fn join_components(components: &[&str]) -> Utf8PathBuf {
    if components.is_empty() {
        return Utf8PathBuf::from("/");
    }
    let len = components.iter().map(|c| c.len() + 1).sum();
    let mut out = String::with_capacity(len);
    for component in components {
        out.push('/');
        out.push_str(component);
    }
    Utf8PathBuf::from(out)
}

/// The components of a contract path (`/` has none).
pub(crate) fn components(path: &Utf8Path) -> impl Iterator<Item = &str> {
    path.as_str().split('/').filter(|c| !c.is_empty())
}

/// The parent of a contract path and its last component; `None` for `/`.
pub(crate) fn split_last(path: &Utf8Path) -> Option<(&Utf8Path, &str)> {
    let text = path.as_str();
    if text == "/" {
        return None;
    }
    let cut = text.bytes().rposition(|b| b == b'/')?;
    let parent = if cut == 0 { "/" } else { &text[..cut] };
    Some((Utf8Path::new(parent), &text[cut + 1..]))
}

/// True if `inner` is `outer` or lies below it (both contract paths).
pub(crate) fn is_within(outer: &Utf8Path, inner: &Utf8Path) -> bool {
    let (o, i) = (outer.as_str(), inner.as_str());
    o == "/" || i == o || (i.starts_with(o) && i.as_bytes().get(o.len()) == Some(&b'/'))
}

/// Joins one component to a contract path.
pub(crate) fn child(parent: &Utf8Path, name: &str) -> Utf8PathBuf {
    let mut out = String::with_capacity(parent.as_str().len() + name.len() + 1);
    out.push_str(parent.as_str());
    if !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(name);
    Utf8PathBuf::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(base: &str, path: &str) -> Utf8PathBuf {
        normalize(Utf8Path::new(base), Utf8Path::new(path))
    }

    #[test]
    fn normalize_cases() {
        assert_eq!(n("/", "/"), "/");
        assert_eq!(n("/a/b", ""), "/a/b");
        assert_eq!(n("/a/b", "."), "/a/b");
        assert_eq!(n("/a/b", ".."), "/a");
        assert_eq!(n("/a/b", "../../../.."), "/");
        assert_eq!(n("/a/b", "c//d/./e/"), "/a/b/c/d/e");
        assert_eq!(n("/a/b", "/x/../y"), "/y");
        // reference §3.3: both mask forms normalise to /dev/null
        assert_eq!(
            n("/etc/systemd/system", "../../../../dev/null"),
            "/dev/null"
        );
        assert_eq!(n("/etc/systemd/system", "/usr/../dev/null"), "/dev/null");
        // a non-normal base is normalised too
        assert_eq!(n("//a/./b/../c", "d"), "/a/c/d");
    }

    #[test]
    fn check_path_cases() {
        for ok in ["/", "/a", "/a/b.service", "/a/.b", "/a/..b", "/a/b..."] {
            assert!(check_path(Utf8Path::new(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a/b", "//", "/a/", "/a//b", "/a/./b", "/a/../b", "/..", "/.", "/a\0b",
        ] {
            assert!(
                matches!(
                    check_path(Utf8Path::new(bad)),
                    Err(FsError::InvalidPath { .. })
                ),
                "{bad:?}"
            );
        }
    }

    /// The component-splitting formulation `check_path` had before its one-pass byte loop.
    fn check_path_reference(text: &str) -> Result<(), &'static str> {
        if !text.starts_with('/') {
            return Err("not absolute");
        }
        if text.contains('\0') {
            return Err("contains a NUL byte");
        }
        if text == "/" {
            return Ok(());
        }
        for component in text[1..].split('/') {
            match component {
                "" => return Err("empty component (double or trailing slash)"),
                "." => return Err("contains a `.` component"),
                ".." => return Err("contains a `..` component"),
                _ => {}
            }
        }
        Ok(())
    }

    /// Every string over a tiny alphabet (so that `/`, `.`, `..`, NUL and empty components
    /// collide) gets the same verdict and the same reason as from the reference, and
    /// `split_last` cuts at the last `/`.
    #[test]
    fn check_path_equals_reference_exhaustively() {
        let alphabet = ['/', '.', 'a', '\0'];
        let mut texts = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..7 {
            layer = layer
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(layer.iter().cloned());
        }
        assert!(texts.len() > 20_000);
        for t in &texts {
            let got = match check_path(Utf8Path::new(t)) {
                Ok(()) => Ok(()),
                Err(FsError::InvalidPath { reason, path }) => {
                    assert_eq!(&path, t);
                    Err(reason)
                }
                Err(e) => panic!("{t:?}: {e:?}"),
            };
            assert_eq!(got, check_path_reference(t), "{t:?}");
            if got.is_ok() && t != "/" {
                let (parent, name) = split_last(Utf8Path::new(t)).expect("not the root");
                let cut = t.rfind('/').expect("absolute");
                assert_eq!(name, &t[cut + 1..]);
                assert_eq!(parent, if cut == 0 { "/" } else { &t[..cut] });
            }
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(
            split_last(Utf8Path::new("/a")),
            Some((Utf8Path::new("/"), "a"))
        );
        assert_eq!(
            split_last(Utf8Path::new("/a/b")),
            Some((Utf8Path::new("/a"), "b"))
        );
        assert_eq!(split_last(Utf8Path::new("/")), None);
        assert!(is_within(Utf8Path::new("/a"), Utf8Path::new("/a/b")));
        assert!(is_within(Utf8Path::new("/a"), Utf8Path::new("/a")));
        assert!(!is_within(Utf8Path::new("/a"), Utf8Path::new("/ab")));
        assert!(is_within(Utf8Path::new("/"), Utf8Path::new("/ab")));
        assert_eq!(child(Utf8Path::new("/"), "x"), "/x");
        assert_eq!(child(Utf8Path::new("/a"), "x"), "/a/x");
        assert_eq!(components(Utf8Path::new("/")).count(), 0);
        assert_eq!(
            components(Utf8Path::new("/a/b")).collect::<Vec<_>>(),
            ["a", "b"]
        );
    }
}
