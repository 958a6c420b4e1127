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

use crate::support::{self, Rng};
use unitlab_engine::name::{NameKind, UnitName, UnitType};

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

/// Line-level edits that real files could plausibly suffer (typos, editor accidents), each of
/// which exercises a path of the line parser with real content around it.
pub const MUTATIONS: &[&str] = &[
    "lowercase-key",    // `ExecStart=` -> `execStart=`: unknown key
    "drop-equals",      // `Key=value` -> `Keyvalue`: missing '='
    "empty-key",        // `Key=value` -> `=value`: missing key
    "unknown-section",  // a `[Frobnicate]` header before a line
    "x-section",        // a `[X-Vendor]` header before a line (silently ignored)
    "broken-header",    // a section header loses its `]`: the parse fails
    "bad-header-chars", // `[Service]` -> `[Ser\"vice]`
    "outside-section",  // an assignment before the first header
    "continuation",     // a trailing backslash joins the next line (and maybe a comment)
    "crlf",             // every `\n` becomes `\r\n`
    "bom",              // a UTF-8 BOM in front
    "bad-utf8",         // a byte 0xFF inside a value: the parse fails
    "whitespace",       // blanks and tabs around keys and values, blank and comment lines
    "x-key",            // an `X-Foo=` key (no warning)
];

/// A mutant of every case: 1–3 random mutations (`mutate`) drawn from `seed`; the mutant's file,
/// host and unit names get `prefix` in front, and its origin names the mutations and the seed.
pub fn mutants(cases: &[Case], seed: u64, prefix: &str) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    cases
        .iter()
        .map(|c| {
            let mut applied = Vec::new();
            let text = mutate(&c.text, &mut rng, &mut applied);
            Case {
                origin: format!("mutant {applied:?} of {} (UNITLAB_SEED={seed})", c.origin),
                ty: c.ty,
                text,
                file: format!("{prefix}{}", c.file),
                host: c.host.as_ref().map(|h| format!("{prefix}{h}")),
                unit: format!("{prefix}{}", c.unit),
            }
        })
        .collect()
}

/// Applies 1–3 random mutations to `text`.
pub fn mutate(text: &[u8], rng: &mut Rng, applied: &mut Vec<&'static str>) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let is_assignment = |l: &[u8]| {
        let t = l.trim_ascii_start();
        !t.is_empty() && !matches!(t[0], b'#' | b';' | b'[') && t.contains(&b'=')
    };
    let is_header = |l: &[u8]| l.trim_ascii().starts_with(b"[") && l.trim_ascii().ends_with(b"]");
    let mut crlf = false;
    let mut bom = false;
    for _ in 0..1 + rng.below(3) {
        let m = MUTATIONS[rng.below(MUTATIONS.len())];
        applied.push(m);
        let assignments: Vec<usize> = (0..lines.len())
            .filter(|&i| is_assignment(&lines[i]))
            .collect();
        let headers: Vec<usize> = (0..lines.len()).filter(|&i| is_header(&lines[i])).collect();
        let at = rng.below(lines.len());
        let pick_assignment = |rng: &mut Rng| -> Option<usize> {
            (!assignments.is_empty()).then(|| assignments[rng.below(assignments.len())])
        };
        match m {
            "lowercase-key" => {
                if let Some(i) = pick_assignment(rng) {
                    let l = &mut lines[i];
                    if let Some(p) = l.iter().position(|b| !b.is_ascii_whitespace()) {
                        l[p] = l[p].to_ascii_lowercase();
                    }
                }
            }
            "drop-equals" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = lines[i]
                        .iter()
                        .position(|&b| b == b'=')
                        .expect("assignment has '='");
                    lines[i].remove(p);
                }
            }
            "empty-key" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = lines[i]
                        .iter()
                        .position(|&b| b == b'=')
                        .expect("assignment has '='");
                    lines[i].drain(..p);
                }
            }
            "unknown-section" => lines.insert(at, b"[Frobnicate]".to_vec()),
            "x-section" => lines.insert(at, b"[X-Vendor]".to_vec()),
            "broken-header" => {
                if !headers.is_empty() {
                    let i = headers[rng.below(headers.len())];
                    let l = &mut lines[i];
                    if let Some(p) = l.iter().rposition(|&b| b == b']') {
                        l.remove(p);
                    }
                }
            }
            "bad-header-chars" => {
                if !headers.is_empty() {
                    let i = headers[rng.below(headers.len())];
                    let l = &mut lines[i];
                    let p = l.iter().position(|&b| b == b'[').expect("header has '['");
                    l.insert(p + 2, b'"');
                }
            }
            "outside-section" => lines.insert(0, b"Description=before any section".to_vec()),
            "continuation" => {
                if let Some(i) = pick_assignment(rng) {
                    lines[i].push(b'\\');
                    if rng.below(2) == 0 {
                        lines.insert(i + 1, b"# a comment inside the continuation".to_vec());
                    }
                }
            }
            "crlf" => crlf = true,
            "bom" => bom = true,
            "bad-utf8" => {
                if let Some(i) = pick_assignment(rng) {
                    lines[i].push(0xFF);
                }
            }
            "whitespace" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = lines[i]
                        .iter()
                        .position(|&b| b == b'=')
                        .expect("assignment has '='");
                    lines[i].splice(p..p + 1, b" \t= \t".iter().copied());
                    lines[i].splice(0..0, b"\t ".iter().copied());
                    lines[i].extend_from_slice(b" \t");
                }
                lines.insert(at, b"  ; a comment".to_vec());
                lines.insert(at, b" \t ".to_vec());
            }
            "x-key" => {
                if !headers.is_empty() {
                    let i = headers[rng.below(headers.len())];
                    lines.insert(i + 1, b"X-Foo=bar".to_vec());
                }
            }
            "header-comment" => {
                if !headers.is_empty() {
                    let i = headers[rng.below(headers.len())];
                    lines[i].extend_from_slice(b" # main");
                }
            }
            "lowercase-section" => {
                if !headers.is_empty() {
                    let i = headers[rng.below(headers.len())];
                    let l = &mut lines[i];
                    let p = l.iter().position(|&b| b == b'[').expect("header has '['");
                    if p + 1 < l.len() {
                        l[p + 1] = l[p + 1].to_ascii_lowercase();
                    }
                }
            }
            "space-in-key" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = lines[i]
                        .iter()
                        .position(|&b| b == b'=')
                        .expect("assignment has '='");
                    if p > 2 {
                        lines[i].insert(p / 2 + 1, b' ');
                    }
                }
            }
            "non-ascii-key" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = lines[i]
                        .iter()
                        .position(|&b| b == b'=')
                        .expect("assignment has '='");
                    lines[i].splice(p..p, "ñ".bytes());
                }
            }
            "include" => lines.insert(at, b".include /dev/null".to_vec()),
            "nul-byte" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = rng.below(lines[i].len());
                    lines[i].insert(p, 0);
                }
            }
            "lone-cr" => {
                if at + 1 < lines.len() {
                    let next = lines.remove(at + 1);
                    lines[at].push(b'\r');
                    lines[at].extend_from_slice(&next);
                }
            }
            "eof-continuation" => {
                while lines.last().is_some_and(|l| l.is_empty()) {
                    lines.pop();
                }
                if let Some(l) = lines.last_mut() {
                    l.push(b'\\');
                }
            }
            "empty-value" => {
                if let Some(i) = pick_assignment(rng) {
                    let p = lines[i]
                        .iter()
                        .position(|&b| b == b'=')
                        .expect("assignment has '='");
                    lines[i].truncate(p + 1);
                }
            }
            _ => unreachable!("every mutation is handled"),
        }
    }
    let sep: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    out.extend_from_slice(&lines.join(sep));
    out
}

/// One corpus file turned into a case.
pub struct Case {
    /// The corpus file, relative to the merged tree (for reports).
    pub origin: String,
    /// The unit type whose dialect parses it.
    pub ty: UnitType,
    /// The file's bytes.
    pub text: Vec<u8>,
    /// Where the file goes in the scratch dir (relative), e.g. `f3@.service` or `d1.service.d/x.conf`.
    pub file: String,
    /// The host fragment to write beside a drop-in (`dN.TYPE`), if any.
    pub host: Option<String>,
    /// The unit name `root.target` wants.
    pub unit: String,
}

/// Turns the corpus into cases; returns them and the number of files left out (scope units).
pub fn cases(merged: &Path) -> (Vec<Case>, usize) {
    let mut out = Vec::new();
    let mut left_out = 0;
    let mut n_frag = 0;
    let mut n_drop = 0;
    for dirs in [SYSTEM_DIRS, USER_DIRS] {
        for e in entries(merged, dirs) {
            let origin = format!("{}/{}", e.dir, e.name);
            if e.is_dir {
                // a drop-in directory NAME.d: its *.conf files belong to a unit of NAME's type
                let Some(unit) = e.name.strip_suffix(".d") else {
                    continue;
                };
                let Some(ty) = unit
                    .rsplit_once('.')
                    .and_then(|(_, s)| UnitType::from_suffix(s))
                else {
                    continue; // .wants/.requires/.upholds and other directories
                };
                for (conf, path) in regular_files(&e.path) {
                    if !conf.ends_with(".conf") {
                        continue;
                    }
                    if ty == UnitType::Scope {
                        left_out += 1;
                        continue;
                    }
                    n_drop += 1;
                    let host = format!("d{n_drop}.{}", ty.as_str());
                    out.push(Case {
                        origin: format!("{origin}/{conf}"),
                        ty,
                        text: std::fs::read(&path).expect("read corpus drop-in"),
                        file: format!("{host}.d/{conf}"),
                        unit: host.clone(),
                        host: Some(host),
                    });
                }
            } else if !e.symlink && e.path.is_file() {
                let Ok(name) = UnitName::new(&e.name) else {
                    continue; // not a unit file (corpus_names checks these against systemd)
                };
                let ty = name.unit_type();
                if ty == UnitType::Scope {
                    left_out += 1;
                    continue;
                }
                n_frag += 1;
                let (file, unit) = match name.kind() {
                    NameKind::Plain => {
                        let f = format!("f{n_frag}.{}", ty.as_str());
                        (f.clone(), f)
                    }
                    NameKind::Template => (
                        format!("f{n_frag}@.{}", ty.as_str()),
                        format!("f{n_frag}@i.{}", ty.as_str()),
                    ),
                    NameKind::Instance => {
                        let f = format!("f{n_frag}@i.{}", ty.as_str());
                        (f.clone(), f)
                    }
                };
                out.push(Case {
                    origin,
                    ty,
                    text: std::fs::read(&e.path).expect("read corpus unit file"),
                    file,
                    host: None,
                    unit,
                });
            }
        }
    }
    (out, left_out)
}
