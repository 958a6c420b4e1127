//! Small path and filesystem helpers shared by the install operations (root-relative paths).
use super::change::Errno;
use crate::fs::{resolve, FileKind, FileSystem, Follow, FsError, Metadata, Target};
use camino::{Utf8Path, Utf8PathBuf};

pub(crate) fn basename(p: &str) -> &str {
    match p.bytes().rposition(|b| b == b'/') {
        Some(i) => &p[i + 1..],
        None => p,
    }
}

/// [`parent`] borrowed from `p` where it is a plain path (no allocation).
pub(crate) fn parent_cow(p: &Utf8Path) -> std::borrow::Cow<'_, Utf8Path> {
    if plain_path(p.as_str()) {
        return std::borrow::Cow::Borrowed(Utf8Path::new(
            match p.as_str().bytes().rposition(|b| b == b'/') {
                Some(0) | None => "/",
                Some(cut) => &p.as_str()[..cut],
            },
        ));
    }
    std::borrow::Cow::Owned(parent(p))
}

pub(crate) fn parent(p: &Utf8Path) -> Utf8PathBuf {
    // A plain path's parent is the text before its last slash (what `Path::parent` gives, without
    // its component walk).
    if plain_path(p.as_str()) {
        return match p.as_str().bytes().rposition(|b| b == b'/') {
            Some(0) | None => Utf8PathBuf::from("/"),
            Some(cut) => Utf8PathBuf::from(&p.as_str()[..cut]),
        };
    }
    p.parent()
        .map_or_else(|| Utf8PathBuf::from("/"), Utf8Path::to_owned)
}

pub(crate) fn join(dir: &Utf8Path, name: &str) -> Utf8PathBuf {
    // A plain directory and one ordinary component: `normalize` would only concatenate them.
    if !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && plain_path(dir.as_str())
    {
        return crate::fs::child_path(dir, name);
    }
    crate::fs::normalize(dir, Utf8Path::new(name))
}

/// Whether `p` is a plain absolute path: no empty component and none starting with `.` (so no
/// `.` or `..`), no trailing slash (so that comparing or cutting its text is comparing or cutting
/// its components). Conservative: a path with a hidden component just takes the slow way.
pub(crate) fn plain_path(p: &str) -> bool {
    let b = p.as_bytes();
    if b.first() != Some(&b'/') {
        return false;
    }
    if b.len() > 1 && b[b.len() - 1] == b'/' {
        return false;
    }
    !has_slash_pair(b)
}

/// Whether `b` holds `//` or `/.`, looked for eight bytes at a time (this runs for nearly every
/// path the installer touches: a two-byte needle search costs more to set up, and a byte loop
/// more to run, than these short paths need).
fn has_slash_pair(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    /// 0x80 in every byte of `v` that is zero, 0 in the others (exact: no carry crosses a
    /// byte, since 0x7f + 0x7f < 0x100).
    fn zero_bytes(v: u64) -> u64 {
        !(((v & LOW7).wrapping_add(LOW7)) | v) & HIGH
    }
    // Whether the last byte of the previous chunk was a `/`.
    let mut carry = false;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        let w = u64::from_le_bytes(word);
        let slash = zero_bytes(w ^ (ONES * u64::from(b'/')));
        let follow = slash | zero_bytes(w ^ (ONES * u64::from(b'.')));
        // Byte i a `/` and byte i + 1 a `/` or `.`: `>> 8` moves byte i + 1's flag onto byte i.
        if slash & (follow >> 8) != 0 || (carry && follow & 0x80 != 0) {
            return true;
        }
        carry = slash >> 63 != 0;
    }
    let mut after_slash = carry;
    for &c in chunks.remainder() {
        if after_slash && (c == b'/' || c == b'.') {
            return true;
        }
        after_slash = c == b'/';
    }
    false
}

pub(crate) fn errno(e: &FsError) -> Errno {
    Errno::from_fs(e)
}

/// `lstat()` as the host does it: parent components are followed (inside the root), the last one
/// is not.
pub(crate) fn lstat_host(
    fs: &dyn FileSystem,
    path: &Utf8Path,
) -> Result<(Utf8PathBuf, Metadata), Errno> {
    let name = basename(path.as_str());
    let dir = parent(path);
    let r = resolve(fs, &dir, Follow::Yes).map_err(|e| errno(&e))?;
    match r.target {
        Target::Missing => return Err(Errno::ENOENT),
        Target::DevNull => return Err(Errno::ENOTDIR),
        Target::Exists(m) if m.kind != FileKind::Dir => return Err(Errno::ENOTDIR),
        Target::Exists(_) => {}
    }
    let real = if name.is_empty() {
        r.path
    } else {
        join(&r.path, name)
    };
    let meta = fs.lstat(&real).map_err(|e| errno(&e))?;
    Ok((real, meta))
}

/// `null_or_empty_path()` inside the root: follows links; `ENOENT` if nothing is there.
pub(crate) fn null_or_empty(fs: &dyn FileSystem, path: &Utf8Path) -> Result<bool, Errno> {
    // systemd's null_or_empty_path_with_root() takes `ROOT/dev/null` as a mask without looking.
    if path == "/dev/null" {
        return Ok(true);
    }
    let r = resolve(fs, path, Follow::Yes).map_err(|e| errno(&e))?;
    Ok(match r.target {
        Target::Missing => return Err(Errno::ENOENT),
        Target::DevNull => true,
        Target::Exists(m) => is_null_or_empty(&m),
    })
}

pub(crate) fn is_null_or_empty(m: &Metadata) -> bool {
    m.kind == FileKind::CharDevice || (m.kind == FileKind::File && m.size == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time search agrees with the plain definition on every string of up to 11
    /// bytes over `/ . a` (every alignment of every pair, across chunk boundaries), and on
    /// longer paths.
    #[test]
    fn slash_pair_search_agrees_with_contains() {
        let naive = |s: &str| s.contains("//") || s.contains("/.");
        let alphabet = [b'/', b'.', b'a'];
        for len in 0..=11u32 {
            for mut k in 0..3usize.pow(len) {
                let mut s = Vec::with_capacity(len as usize);
                for _ in 0..len {
                    s.push(alphabet[k % 3]);
                    k /= 3;
                }
                let s = String::from_utf8(s).expect("ascii");
                assert_eq!(has_slash_pair(s.as_bytes()), naive(&s), "{s:?}");
            }
        }
        for s in [
            "/etc/systemd/system/multi-user.target.wants/x.service",
            "/etc/systemd/system/multi-user.target.wants//x.service",
            "/etc/systemd/system/multi-user.target.wants/.x.service",
            "/usr/lib/systemd/system/",
            "/usr/lib/systemd/system/.",
            "/run/systemd/generator.late/a@b.service",
        ] {
            assert_eq!(has_slash_pair(s.as_bytes()), naive(s), "{s:?}");
            assert_eq!(
                plain_path(s),
                s.starts_with('/') && (s.len() == 1 || !s.ends_with('/')) && !naive(s),
                "{s:?}"
            );
        }
    }
}
