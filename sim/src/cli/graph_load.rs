//! Shared by `show` and `list-dependencies`: builds the offline dependency graph for the scope and
//! root the global options select, as the manager would have it after starting: `default.target`
//! and the units asked for, with everything they reference, loaded.
use super::{Context, Global};
use camino::{Utf8Path, Utf8PathBuf};
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::fs::DirFs;
use unitlab_engine::graph::{Credentials, Graph, GraphOptions, Manager};
use unitlab_engine::load::{Catalog, Env, LookupPaths, MapEnv, ProcessEnv, Scope};
use unitlab_engine::name::{mangle, MangleOptions, UnitName, UnitType};

/// Mangles unit arguments like systemctl (`foo` → `foo.service`), printing the escape notice.
pub fn mangle_units(
    ctx: &mut Context<'_>,
    global: &Global,
    args: &[String],
) -> Result<Vec<UnitName>, i32> {
    let opts = MangleOptions {
        default_suffix: UnitType::Service,
        allow_globs: false,
    };
    let mut out = Vec::new();
    for arg in args {
        let m = match mangle(arg, opts) {
            Ok(m) => m,
            Err(_) => {
                let _ = writeln!(ctx.err, "Failed to mangle name: Invalid argument");
                return Err(1);
            }
        };
        if let (Some(notice), false) = (&m.notice, global.quiet) {
            let _ = writeln!(ctx.err, "{notice}");
        }
        match m.unit_name() {
            Some(n) => out.push(n),
            None => {
                let _ = writeln!(ctx.err, "Failed to mangle name: Invalid argument");
                return Err(1);
            }
        }
    }
    Ok(out)
}

/// Builds the graph holding `default.target` and `units`.
pub fn build(ctx: &mut Context<'_>, global: &Global, units: &[UnitName]) -> Result<Graph, i32> {
    let scope = global.scope();
    let root: Option<Utf8PathBuf> = global.root.as_ref().map(|r| {
        if r.is_absolute() {
            r.clone()
        } else {
            ctx.cwd.join(r)
        }
    });
    let mut env = MapEnv::from_vars(ctx.env.clone(), ctx.cwd.clone());
    env.passwd_home = ProcessEnv::new().passwd_home();
    let paths = match LookupPaths::new(scope, root.as_deref(), &env) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(
                ctx.err,
                "Failed to initialize unit search paths: {}",
                e.strerror()
            );
            return Err(1);
        }
    };
    let fs = match DirFs::new(root.as_deref().unwrap_or(Utf8Path::new("/"))) {
        Ok(fs) => fs,
        Err(e) => {
            let _ = writeln!(ctx.err, "Failed to open root directory: {e}");
            return Err(1);
        }
    };
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
