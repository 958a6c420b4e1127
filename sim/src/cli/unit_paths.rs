//! `unitlab unit-paths`: prints the unit search path, one directory per line, exactly like
//! `systemd-analyze [--user|--global] unit-paths` (reference §1.2–1.5).
//!
//! Like systemd-analyze 252, the verb takes no operands and refuses `--root` (unless it is empty or
//! `/`): systemd-analyze only supports `--root` for `cat-config`, `verify`, `condition` and
//! `security --offline`. The environment (`XDG_*`, `HOME`, `SYSTEMD_UNIT_PATH`) and the current
//! directory come from the [`Context`] (with `$PWD` preferred when it names the same directory,
//! as glibc's `get_current_dir_name()` does), not from the process. When `HOME` is unusable, the home
//! directory falls back to the real user database, as systemd's does.
use super::{Context, Global};
use camino::Utf8Path;
use unitlab_engine::load::{current_dir_name, Env, LookupPaths, MapEnv, ProcessEnv, Scope};

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Operands (none are accepted; systemd-analyze says "Too many arguments.").
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Runs the verb: prints the search path of the selected scope to `ctx.out`; errors go to
/// `ctx.err` with exit status 1.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    // systemd-analyze takes its cwd from get_current_dir_name(), which prefers $PWD.
    let cwd = current_dir_name(ctx.var("PWD"), &ctx.cwd);
    if let Some(r) = global.root.as_deref() {
        if !r.as_str().is_empty() && !r.is_absolute() && !cwd.is_absolute() {
            // parse_path_argument() cannot make the root absolute (safe_getcwd: ENOMEDIUM).
            let _ = writeln!(
                ctx.err,
                "Failed to parse path \"{r}\" and make it absolute: No medium found"
            );
            return 1;
        }
    }
    if root_given(global.root.as_deref(), &cwd) {
        let _ = writeln!(
            ctx.err,
            "Options --root= and --image= are only supported for cat-config, verify, condition and \
             security when used with --offline= right now."
        );
        return 1;
    }
    if !args.args.is_empty() {
        let _ = writeln!(ctx.err, "Too many arguments.");
        return 1;
    }
    let scope = if global.user {
        Scope::User
    } else if global.global {
        Scope::Global
    } else {
        Scope::System
    };
    let mut env = MapEnv::from_vars(ctx.env.clone(), cwd);
    env.passwd_home = ProcessEnv::new().passwd_home();
    match LookupPaths::new(scope, None, &env) {
        Ok(paths) => {
            for dir in paths.search_path() {
                let _ = writeln!(ctx.out, "{}", dir.path);
            }
            0
        }
        Err(e) => {
            let _ = writeln!(
                ctx.err,
                "Failed to initialize unit search paths: {}",
                e.strerror()
            );
            1
        }
    }
}

/// systemd-analyze's `--root` parsing: made absolute and simplified; empty or `/` means no root.
fn root_given(root: Option<&Utf8Path>, cwd: &Utf8Path) -> bool {
    match root {
        None => false,
        Some(r) if r.as_str().is_empty() => false,
        Some(r) => {
            let abs = if r.is_absolute() {
                r.to_owned()
            } else {
                cwd.join(r)
            };
            // Lexically, like path_simplify(): "/", "//", "/./" are all the root directory ("/.."
            // is not: systemd keeps ".." components).
            abs.components().any(|c| {
                matches!(
                    c,
                    camino::Utf8Component::Normal(_) | camino::Utf8Component::ParentDir
                )
            })
        }
    }
}
