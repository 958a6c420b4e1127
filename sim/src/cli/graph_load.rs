//! Shared by `show` and `list-dependencies`: builds the offline dependency graph for the scope and
//! root the global options select, as the manager would have it after starting: `default.target`
//! and the units asked for, with everything they reference, loaded.
use super::{Context, Global};
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::graph::{Credentials, Graph, GraphOptions, Manager};
use unitlab_engine::load::{Catalog, Scope};
use unitlab_engine::name::UnitName;

/// Mangles unit arguments like systemctl (`foo` → `foo.service`), printing the escape notice.
pub fn mangle_units(
    ctx: &mut Context<'_>,
    global: &Global,
    args: &[String],
) -> Result<Vec<UnitName>, i32> {
    super::install_common::mangle_units(ctx, global, args, false).map(|(names, _)| names)
}

/// Builds the graph holding `default.target` and `units`.
pub fn build(ctx: &mut Context<'_>, global: &Global, units: &[UnitName]) -> Result<Graph, i32> {
    let scope = global.scope();
    let (fs, paths) = super::install_common::open_readonly(ctx, global)?;
    // The manager logs loader problems to its journal, not to systemctl's terminal.
    let mut diags: Vec<Diagnostic> = Vec::new();
    let catalog = Catalog::build(&fs, &paths, &mut diags);
    let manager = if scope == Scope::System {
        Manager::System
    } else {
        Manager::User
    };
    let credentials = if manager == Manager::System {
        Credentials::root()
    } else {
        let user = ctx.var("USER").unwrap_or("root").to_owned();
        Credentials {
            group: user.clone(),
            user,
            uid: 0,
            gid: 0,
        }
    };
    let options = GraphOptions {
        manager,
        credentials,
        ..GraphOptions::default()
    };
    let mut roots = vec![UnitName::new("default.target").expect("valid name")];
    roots.extend(units.iter().cloned());
    Ok(Graph::build(&fs, &catalog, &roots, options, &mut diags))
}

/// Whether glyphs are drawn in UTF-8 (systemd's `is_locale_utf8()`): yes unless the locale in
/// effect is `C`/`POSIX` set explicitly, or names a non-UTF-8 codeset.
pub fn locale_is_utf8(ctx: &Context<'_>) -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|v| ctx.var(v).filter(|s| !s.is_empty()));
    match locale {
        None => true,
        Some("C") | Some("POSIX") => false,
        Some(l) => {
            let lower = l.to_ascii_lowercase();
            match lower.split_once('.') {
                Some((_, codeset)) => {
                    let cs = codeset.split('@').next().unwrap_or("");
                    cs == "utf-8" || cs == "utf8"
                }
                None => true,
            }
        }
    }
}
