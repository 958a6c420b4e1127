//! `unitlab [--root=DIR] [--user|--global] cat UNIT...`: prints a unit's fragment and drop-ins like
//! `systemctl cat` of systemd 252 (`verb_cat()` and `cat_files()`), but offline: the unit is loaded by
//! the engine (as the service manager would load it) instead of being asked over D-Bus, so `--root`
//! works (real systemctl refuses `cat` with `--root`).
//!
//! Output, per unit (stdout): `# FRAGMENT` and its lines, then for each drop-in a blank line,
//! `# DROPIN` and its lines; a blank line separates units. Every line is printed with a newline, so
//! a file without a final newline gets one. This is systemctl's *client-side* `cat` (what
//! it does offline, with `--global`, or when no systemd is booted): the fragment comes from the
//! name map and the drop-ins from every name's drop-in directories, without loading the unit. So a
//! masked unit prints its mask's path with no content and a unit whose fragment fails to parse
//! still prints its files (verified against a live systemd 252, `sim/tests/cat_live.rs`). (Through
//! a running manager, systemctl would instead print `# Unit X is masked.` / `# Unit X could not be
//! loaded.`.) A unit without files prints
//! `No files found for X.` on stderr and makes the exit status 1. Templates are looked up without
//! loading (systemctl does that client-side too). Paths are shown inside the root. Globs are
//! matched against the names in the unit directories (systemctl matches the units the manager has
//! loaded).
use super::{Context, Global};
use camino::{Utf8Path, Utf8PathBuf};
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::fs::FileSystem;
use unitlab_engine::load::{classify, conf_dropins, Catalog, FileState};
use unitlab_engine::name::{NameKind, UnitName};

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Units to print (names are mangled like systemctl: `foo` → `foo.service`; globs allowed).
    #[arg(value_name = "UNIT")]
    pub units: Vec<String>,
}

/// What `cat` found for one unit.
enum Found {
    Files(Option<Utf8PathBuf>, Vec<Utf8PathBuf>),
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    if let Err(code) = super::install_common::check_count(ctx, args.units.len(), 1, usize::MAX) {
        return code;
    }
    let (fs, paths) = match super::install_common::open_readonly(ctx, global) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // The manager logs loader problems to its journal, not to systemctl's terminal: drop them.
    let mut diags: Vec<Diagnostic> = Vec::new();
    let catalog = Catalog::build(&fs, &paths, &mut diags);

    let names = match expand(ctx, global, &catalog, &args.units) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let mut first = true;
    let mut status = 0;
    for name in &names {
        let found = find(&fs, &catalog, name, &mut diags);
        let (fragment, dropins) = match found {
            Found::Files(f, d) => (f, d),
        };
        if fragment.is_none() && dropins.is_empty() {
            let _ = writeln!(ctx.err, "No files found for {name}.");
            status = 1;
            continue;
        }
        if first {
            first = false;
        } else {
            let _ = writeln!(ctx.out);
        }
        let mut newline = false;
        for path in fragment.iter().chain(dropins.iter()) {
            if let Err(e) = cat_file(ctx, &fs, path, newline) {
                let _ = writeln!(ctx.err, "Failed to cat {path}: {e}");
                return 1;
            }
            newline = true;
        }
    }
    status
}

/// Mangles the arguments; globs are expanded against the catalog's names (appended, sorted).
fn expand(
    ctx: &mut Context<'_>,
    global: &Global,
    catalog: &Catalog,
    args: &[String],
) -> Result<Vec<UnitName>, i32> {
    let (mut names, globs) = super::install_common::mangle_units(ctx, global, args, true)?;
    if !globs.is_empty() {
        // systemctl matches the ids of the units the manager has; we take the id each unit-file name
        // resolves to.
        let mut matched: Vec<UnitName> = catalog
            .entries()
            .filter(|e| e.name.kind() != NameKind::Template)
            .map(|e| catalog.lookup(&e.name).id)
            .filter(|id| {
                globs
                    .iter()
                    .any(|g| fnmatch(g.as_bytes(), id.as_str().as_bytes()))
            })
            .collect();
        matched.sort();
        matched.dedup();
        names.extend(matched);
    }
    Ok(names)
}

/// The fragment and drop-ins `cat` prints for `name`: systemctl's client-side lookup (what it does
/// offline, with `--global`, or when no systemd is booted): the fragment from the name map (a mask's
/// own path for masked units; no load state is computed, so a unit that fails to parse still shows
/// its files) and the drop-ins of every name of the unit.
fn find(
    fs: &dyn FileSystem,
    catalog: &Catalog,
    name: &UnitName,
    _diags: &mut Vec<Diagnostic>,
) -> Found {
    let lookup = catalog.lookup(name);
    let names: Vec<&UnitName> = lookup.names.iter().collect();
    let dropins = match names.first() {
        Some(first) => conf_dropins_for(fs, catalog, first, &names[1..]),
        None => Vec::new(),
    };
    Found::Files(lookup.fragment, dropins)
}

fn conf_dropins_for(
    fs: &dyn FileSystem,
    catalog: &Catalog,
    id: &UnitName,
    aliases: &[&UnitName],
) -> Vec<Utf8PathBuf> {
    conf_dropins(fs, catalog, id, aliases)
}

/// Prints one file like systemd's `cat_file()`: an optional blank line, `# PATH`, then every line of
/// the file (systemd's `read_line()` splits at `\n`, `\r`, `\0` and their combinations).
fn cat_file(
    ctx: &mut Context<'_>,
    fs: &dyn FileSystem,
    path: &Utf8Path,
    newline: bool,
) -> Result<(), String> {
    let text = match classify(fs, path) {
        FileState::File { resolved, .. } => fs
            .read(&resolved, unitlab_engine::fs::MAX_FILE_SIZE)
            .map_err(|e| e.strerror().to_owned())?,
        FileState::Masked => Vec::new(),
        FileState::Missing => return Err("No such file or directory".to_owned()),
        FileState::Other { .. } => return Err("Is a directory".to_owned()),
        FileState::Unresolvable(e) => return Err(e.strerror().to_owned()),
    };
    let mut out = Vec::new();
    if newline {
        out.push(b'\n');
    }
    out.extend_from_slice(format!("# {path}\n").as_bytes());
    for line in split_lines(&text) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    ctx.out.write_all(&out).map_err(|e| e.to_string())
}

/// Splits like systemd's `read_line()`: an end of line is a run of `\n`, `\r` and `\0` in which
/// each occurs at most once and nothing follows a `\0`.
pub fn split_lines(text: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let start = i;
        while i < text.len() && !matches!(text[i], b'\n' | b'\r' | 0) {
            i += 1;
        }
        lines.push(&text[start..i]);
        let mut seen = 0u8;
        while i < text.len() {
            let bit = match text[i] {
                b'\n' => 1,
                b'\r' => 2,
                0 => 4,
                _ => break,
            };
            if seen & 4 != 0 || seen & bit != 0 {
                break;
            }
            seen |= bit;
            i += 1;
        }
    }
    lines
}

/// `fnmatch(3)` without flags: `*`, `?`, `[...]` (with `!`/`^` negation and ranges).
fn fnmatch(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.first() {
        None => text.is_empty(),
        Some(b'*') => (0..=text.len()).any(|k| fnmatch(&pattern[1..], &text[k..])),
        Some(b'?') => !text.is_empty() && fnmatch(&pattern[1..], &text[1..]),
        Some(b'[') => {
            let Some(&c) = text.first() else { return false };
            let mut i = 1;
            let negate = matches!(pattern.get(i), Some(b'!' | b'^'));
            if negate {
                i += 1;
            }
            let mut matched = false;
            let mut first = true;
            while i < pattern.len() && (first || pattern[i] != b']') {
                first = false;
                let lo = pattern[i];
                if pattern.get(i + 1) == Some(&b'-')
                    && pattern.get(i + 2).is_some_and(|&h| h != b']')
                {
                    let hi = pattern[i + 2];
                    matched |= lo <= c && c <= hi;
                    i += 3;
                } else {
                    matched |= lo == c;
                    i += 1;
                }
            }
            if i >= pattern.len() {
                // No closing bracket: `[` is literal.
                return c == b'[' && fnmatch(&pattern[1..], &text[1..]);
            }
            matched != negate && fnmatch(&pattern[i + 1..], &text[1..])
        }
        Some(&p) => text.first() == Some(&p) && fnmatch(&pattern[1..], &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_like_read_line() {
        assert_eq!(split_lines(b"a\nb"), vec![&b"a"[..], b"b"]);
        assert_eq!(split_lines(b"a\n\nb\n"), vec![&b"a"[..], b"", b"b"]);
        assert_eq!(
            split_lines(b"a\r\nb\n\rc\rd"),
            vec![&b"a"[..], b"b", b"c", b"d"]
        );
        assert_eq!(split_lines(b""), Vec::<&[u8]>::new());
        assert_eq!(split_lines(b"\n"), vec![&b""[..]]);
    }

    #[test]
    fn globs() {
        assert!(fnmatch(b"a*.service", b"abc.service"));
        assert!(!fnmatch(b"a*.service", b"b.service"));
        assert!(fnmatch(b"[ab].service", b"b.service"));
        assert!(fnmatch(b"[!a].service", b"b.service"));
        assert!(fnmatch(b"?.socket", b"c.socket"));
    }
}
