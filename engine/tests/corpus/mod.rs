//! Shared helpers for the tests that run over the real-world corpus built by `scripts/fetch-corpus`
//! (unit files of ~180 Debian 12 packages, merged into one tree; see `scripts/README.md`).
//!
//! Include with `mod corpus;` from a test crate in `engine/tests/`.
//!
//! Where the corpus lives: `$UNITLAB_CORPUS_DIR/merged`, default `$HOME/.cache/unitlab/corpus/merged`.
//! When it is missing the test is skipped with a message, except under `CI=true` where it fails
//! (`scripts/test` runs `scripts/fetch-corpus` first under CI).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use crate::support;

/// The unit directories of the system scope inside the merged tree, highest priority first.
pub const SYSTEM_DIRS: &[&str] = &[
    "etc/systemd/system",
    "lib/systemd/system",
    "usr/lib/systemd/system",
];

/// The unit directories of the user scope inside the merged tree, highest priority first.
pub const USER_DIRS: &[&str] = &[
    "etc/systemd/user",
    "lib/systemd/user",
    "usr/lib/systemd/user",
];

/// The cache directory `scripts/fetch-corpus` fills.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("UNITLAB_CORPUS_DIR") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".cache/unitlab/corpus")
}

/// The merged corpus tree, or `None` (after printing why) when it has not been fetched.
/// Panics under `CI=true` when it is missing.
pub fn merged() -> Option<PathBuf> {
    let m = cache_dir().join("merged");
    let present = SYSTEM_DIRS.iter().any(|d| m.join(d).is_dir());
    if present {
        return Some(m);
    }
    let why = format!(
        "the real-world corpus is missing at {}: run scripts/fetch-corpus",
        m.display()
    );
    if support::in_ci() {
        panic!("{why} (required under CI=true; scripts/test does it)");
    }
    eprintln!("SKIP: {why}");
    None
}

/// One entry of a unit directory.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The unit directory, relative to the merged tree (one of [`SYSTEM_DIRS`] or [`USER_DIRS`]).
    pub dir: &'static str,
    /// The file name.
    pub name: String,
    /// The full host path.
    pub path: PathBuf,
    /// Whether it is a symlink (not followed).
    pub symlink: bool,
    /// Whether it is a directory (not a symlink to one).
    pub is_dir: bool,
}

/// The entries (files, symlinks and directories) directly inside the given unit directories of
/// `merged`, sorted by directory then name.
pub fn entries(merged: &Path, dirs: &[&'static str]) -> Vec<Entry> {
    let mut out = Vec::new();
    for &dir in dirs {
        let Ok(rd) = std::fs::read_dir(merged.join(dir)) else {
            continue;
        };
        let mut v: Vec<Entry> = rd
            .map(|e| e.expect("read corpus dir entry"))
            .map(|e| {
                let ft = e.file_type().expect("file type of corpus entry");
                Entry {
                    dir,
                    name: e.file_name().to_string_lossy().into_owned(),
                    path: e.path(),
                    symlink: ft.is_symlink(),
                    is_dir: ft.is_dir(),
                }
            })
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(v);
    }
    out
}

/// Regular files directly inside `dir`, sorted by name.
pub fn regular_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut v: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.expect("read corpus dir entry"))
                .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
