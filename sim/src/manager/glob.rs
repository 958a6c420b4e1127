//! `glob(3)` over the simulated filesystem, as systemd uses it for `PathExistsGlob=` and
//! `EnvironmentFile=`: `*`, `?` and `[...]` match within one path component, a leading `.` only
//! when the pattern's component starts with one, symlinks are followed, and the matches come
//! back sorted (byte order, as in the C locale).
use camino::Utf8Path;
use unitlab_engine::fs::{resolve, FileSystem, Follow, MemFs, Target};
use unitlab_engine::install::fnmatch::fnmatch;

/// Every existing path matching the absolute `pattern`, sorted.
pub fn glob_all(fs: &MemFs, pattern: &str) -> Vec<String> {
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    let mut found = Vec::new();
    walk(fs, "", &parts, &mut found);
    found.sort();
    found
}

/// Whether `path` exists (symlinks followed, as `access(F_OK)`).
pub fn exists(fs: &MemFs, path: &str) -> bool {
    matches!(
        resolve(fs, Utf8Path::new(path), Follow::Yes).map(|r| r.target),
        Ok(Target::Exists(_) | Target::DevNull)
    )
}

fn walk(fs: &MemFs, base: &str, parts: &[&str], found: &mut Vec<String>) {
    let Some((first, rest)) = parts.split_first() else {
        let path = if base.is_empty() { "/" } else { base };
        if exists(fs, path) {
            found.push(path.to_owned());
        }
        return;
    };
    if !first.contains(['*', '?', '[']) {
        walk(fs, &format!("{base}/{first}"), rest, found);
        return;
    }
    let dir = if base.is_empty() { "/" } else { base };
    let Ok(real) = resolve(fs, Utf8Path::new(dir), Follow::Yes) else {
        return;
    };
    let Ok(entries) = fs.read_dir(&real.path) else {
        return;
    };
    for e in entries {
        let hidden_ok = !e.name.starts_with('.') || first.starts_with('.');
        if hidden_ok && fnmatch(first, &e.name) {
            walk(fs, &format!("{base}/{}", e.name), rest, found);
        }
    }
}
