//! `unitlab demo`: loads a unit tree the way systemd 252's service manager does and explains, for
//! every unit, its load state, where its configuration comes from and why. Without `--root` it
//! uses an embedded example tree (`sim/src/demo/tree.txt`) that shows every kind of entry: plain
//! files, alias links, linked unit files, masks (a `/dev/null` link and an empty file), a dangling
//! link that shadows a vendor file, a template and an instance, drop-ins overriding each other by
//! basename, a rejected alias, a file that fails to parse and one that fails verification.
//!
//! Everything printed is computed by the engine; the explanations are chosen from the data
//! (entry kind, load state, drop-in order), never written per unit.
use super::{Context, Global};
use crate::demo::{embedded_tree, DEMO_INSTANCES};
use camino::Utf8Path;
use unitlab_engine::diag::{Diagnostic, Severity};
use unitlab_engine::fs::{DirFs, FileSystem};
use unitlab_engine::load::{
    load_unit, Catalog, EntryKind, LoadError, LoadOptions, LoadState, LoadedUnit, LookupPaths,
};
use unitlab_engine::name::UnitName;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only explain these units (default: every unit file in the tree).
    #[arg(value_name = "UNIT")]
    pub units: Vec<String>,
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    let (fs, root_label): (Box<dyn FileSystem>, String) = match &global.root {
        Some(root) => {
            let root = if root.is_absolute() {
                root.clone()
            } else {
                ctx.cwd.join(root)
            };
            match DirFs::new(&root) {
                Ok(fs) => (Box::new(fs), format!("the tree below {root}")),
                Err(e) => {
                    let _ = writeln!(ctx.err, "Failed to open root directory {root}: {e}");
                    return 1;
                }
            }
        }
        None => match embedded_tree() {
            Ok(fs) => (Box::new(fs), "an embedded example tree".to_owned()),
            Err(e) => {
                let _ = writeln!(ctx.err, "unitlab demo: the embedded tree is broken: {e}");
                return 1;
            }
        },
    };
    let env = super::install_common::env(ctx);
    // The filesystem is already rooted: the lookup paths are computed inside it.
    let paths = match LookupPaths::new(global.scope(), None, &env) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(
                ctx.err,
                "Failed to initialize unit search paths: {}",
                e.strerror()
            );
            return 1;
        }
    };
    let mut diags: Vec<Diagnostic> = Vec::new();
    let catalog = Catalog::build(fs.as_ref(), &paths, &mut diags);

    let mut names: Vec<UnitName> = Vec::new();
    if args.units.is_empty() {
        names.extend(catalog.entries().map(|e| e.name.clone()));
        if global.root.is_none() {
            names.extend(DEMO_INSTANCES.iter().filter_map(|n| UnitName::new(n).ok()));
        }
    } else {
        for u in &args.units {
            match UnitName::new(u) {
                Ok(n) => names.push(n),
                Err(e) => {
                    let _ = writeln!(ctx.err, "unitlab demo: {e}");
                    return 1;
                }
            }
        }
    }
    names.sort();
    names.dedup();

    let out = &mut *ctx.out;
    let _ = writeln!(
        out,
        "unitlab demo: {root_label}, loaded as systemd 252's {} manager loads it.",
        scope_word(global)
    );
    if global.root.is_none() {
        let _ = writeln!(
            out,
            "(Run `unitlab --root=DIR demo` to explain a tree of your own.)"
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Search path, highest priority first (the first directory that has a name wins):"
    );
    for dir in paths.search_path() {
        let exists = fs.lstat(&dir.path).is_ok();
        let _ = writeln!(
            out,
            "  {:<36} {:?}{}",
            dir.path.as_str(),
            dir.class,
            if exists { "" } else { " (absent)" }
        );
    }
    let _ = writeln!(out);

    let options = LoadOptions::default();
    let mut units: Vec<LoadedUnit> = Vec::new();
    for name in &names {
        units.push(load_unit(fs.as_ref(), &catalog, name, &options, &mut diags));
    }
    let width = names
        .iter()
        .map(|n| n.as_str().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(out, "{:<width$}  {:<11}  FRAGMENT", "UNIT", "LOAD");
    for unit in &units {
        let fragment = unit
            .fragment_path
            .as_deref()
            .map(Utf8Path::as_str)
            .unwrap_or("-");
        let _ = writeln!(
            out,
            "{:<width$}  {:<11}  {}",
            unit.requested.as_str(),
            unit.load_state.as_str(),
            fragment
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Why:");
    for unit in &units {
        for line in explain(fs.as_ref(), &catalog, unit) {
            let _ = writeln!(out, "  {line}");
        }
    }
    let shown: Vec<&Diagnostic> = dedup(&diags);
    if !shown.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "What systemd logs while loading these units:");
        for d in shown {
            let _ = writeln!(out, "  {d}");
        }
    }
    0
}

fn scope_word(global: &Global) -> &'static str {
    match global.scope() {
        unitlab_engine::load::Scope::System => "system",
        unitlab_engine::load::Scope::User => "user",
        unitlab_engine::load::Scope::Global => "global (all users')",
    }
}

fn dedup(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut seen = std::collections::BTreeSet::new();
    diags
        .iter()
        .filter(|d| d.severity <= Severity::Notice)
        .filter(|d| seen.insert(d.to_string()))
        .collect()
}

/// The explanation of one unit, chosen from what the engine found.
fn explain(fs: &dyn FileSystem, catalog: &Catalog, unit: &LoadedUnit) -> Vec<String> {
    let name = unit.requested.as_str();
    let mut lines = Vec::new();
    let entry = catalog.entry(name);
    match entry.map(|e| &e.kind) {
        Some(EntryKind::Alias { target, target_path }) => lines.push(format!(
            "{name} is an alias: {} is a symlink to {target_path}, inside the search path, so the name is another name of {target}.",
            entry.map(|e| e.path.as_str()).unwrap_or("?"),
        )),
        Some(EntryKind::Linked { target }) if unit.load_state != LoadState::Masked => lines.push(format!(
            "{name} is a linked unit file: {} points to {target}, outside the search path, so the link itself is the fragment.",
            entry.map(|e| e.path.as_str()).unwrap_or("?"),
        )),
        _ => {}
    }
    if entry.is_none() && unit.requested.instance().is_some() {
        if let Some(t) = unit.requested.template() {
            lines.push(format!(
                "{name} has no file of its own: the template {t} provides it, with %i = {}.",
                unit.requested.instance().unwrap_or("")
            ));
        }
    }
    match unit.load_state {
        LoadState::Masked => {
            let path = unit
                .fragment_path
                .as_deref()
                .map(Utf8Path::as_str)
                .unwrap_or("?");
            let how = match fs.read_link(Utf8Path::new(path)) {
                Ok(t) => format!("a symlink to {t}"),
                Err(_) => "an empty file".to_owned(),
            };
            lines.push(format!("{name} is masked: its fragment {path} is {how}; it cannot be started, not even by a dependency."));
        }
        LoadState::NotFound => {
            let why = match entry.map(|e| &e.kind) {
                Some(EntryKind::Alias { target, .. }) => format!("the alias points to {target}, which has no file; the link still shadows any lower-priority {name}"),
                Some(EntryKind::Linked { target }) => format!("the link points to {target}, which is missing"),
                _ => "no directory of the search path has a file of that name".to_owned(),
            };
            lines.push(format!("{name} is not-found: {why}."));
        }
        LoadState::Error => {
            let why = unit
                .load_error
                .as_ref()
                .map(|e| e.strerror().to_owned())
                .unwrap_or_default();
            lines.push(format!(
                "{name} failed to load ({why}): systemd refuses the whole file, see the log below."
            ));
        }
        LoadState::BadSetting => {
            let why = match &unit.load_error {
                Some(LoadError::BadSetting(message) | LoadError::FatalSetting { message, .. }) => {
                    message.clone()
                }
                Some(other) => other.strerror().to_owned(),
                None => String::new(),
            };
            lines.push(format!(
                "{name} has a bad setting and cannot be started: {}.",
                why.trim_end_matches('.')
            ));
        }
        _ => {}
    }
    if !unit.dropins.is_empty() {
        let list: Vec<&str> = unit.dropins.iter().map(|d| d.path.as_str()).collect();
        lines.push(format!("{name} has drop-ins, applied in this order (one file per basename, the highest directory wins): {}.", list.join(", ")));
    }
    let aliases: Vec<&str> = unit.aliases().map(UnitName::as_str).collect();
    if !aliases.is_empty() && !matches!(entry.map(|e| &e.kind), Some(EntryKind::Alias { .. })) {
        lines.push(format!("{name} is also known as {}.", aliases.join(", ")));
    }
    lines
}
