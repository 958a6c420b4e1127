//! Argument parsing and dispatch. Each verb lives in its own file and only parses its arguments,
//! calls the engine and renders; nothing here decides semantics.
use camino::Utf8PathBuf;
use clap::{Parser, Subcommand};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;

mod cat;
mod demo;
mod escape;
mod graph_load;
mod list_dependencies;
mod show;
mod unit_paths;

/// What the command line runs against: the process environment, or a simulated one.
pub struct Context<'a> {
    /// Environment variables (`XDG_*`, `SYSTEMD_UNIT_PATH`, `HOME`, `LANG`/`LC_*`, ...).
    pub env: BTreeMap<String, String>,
    /// The current directory (relative paths are made absolute against it).
    pub cwd: Utf8PathBuf,
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
}

impl Context<'_> {
    /// The value of an environment variable, if set.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }
}

/// Options shared by every verb, as systemctl spells them. Of `--system`, `--user` and `--global`
/// the last one given wins, as in systemctl.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Operate on the unit files below this directory, offline.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<Utf8PathBuf>,
    /// Talk to the system manager's configuration (the default).
    #[arg(long, global = true, overrides_with_all = ["user", "global"])]
    pub system: bool,
    /// Operate on the calling user's configuration.
    #[arg(long, global = true, overrides_with_all = ["system", "global"])]
    pub user: bool,
    /// Operate on the configuration of all users.
    #[arg(long, global = true, overrides_with_all = ["system", "user"])]
    pub global: bool,
    /// Accepted for compatibility: unitlab never pages.
    #[arg(long, global = true)]
    pub no_pager: bool,
    /// Suppress informational output.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

impl Global {
    /// The scope the flags select (`--system` unless `--user` or `--global` came last).
    pub fn scope(&self) -> unitlab_engine::load::Scope {
        use unitlab_engine::load::Scope;
        if self.user {
            Scope::User
        } else if self.global {
            Scope::Global
        } else {
            Scope::System
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "unitlab",
    version,
    about = "Offline systemd 252 unit-file engine and simulator"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    verb: Verb,
}

#[derive(Debug, Subcommand)]
enum Verb {
    /// Escape and unescape strings for unit names, like systemd-escape.
    Escape(escape::Args),
    /// Print the unit search path, like `systemd-analyze unit-paths`.
    UnitPaths(unit_paths::Args),
    /// Print unit files and drop-ins, like `systemctl cat`, offline.
    Cat(cat::Args),
    /// Load a unit tree (an embedded example, or --root) and explain every unit's state.
    Demo(demo::Args),
    /// Print a unit's load state, files and dependency properties, like `systemctl show`, offline.
    Show(show::Args),
    /// Print a unit's dependency tree, like `systemctl list-dependencies`, offline.
    ListDependencies(list_dependencies::Args),
}

/// Runs the command line against the real process environment and returns the exit status.
pub fn run(args: Vec<OsString>) -> i32 {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|p| Utf8PathBuf::from_path_buf(p).ok())
        .unwrap_or_else(|| Utf8PathBuf::from("/"));
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut ctx = Context {
        env,
        cwd,
        out: &mut out,
        err: &mut err,
    };
    run_in(&mut ctx, args)
}

/// Runs the command line in `ctx` (used by tests and the simulator).
pub fn run_in(ctx: &mut Context<'_>, args: Vec<OsString>) -> i32 {
    // `escape` parses its own arguments like systemd-escape's getopt_long (clap would eat a leading
    // `--` and take `-h`).
    if let Some(rest) = escape::raw_args(&args) {
        let status = escape::run_raw(ctx, rest);
        let _ = ctx.out.flush();
        let _ = ctx.err.flush();
        return status;
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let text = e.render().to_string();
            let sink: &mut dyn Write = if e.use_stderr() {
                &mut *ctx.err
            } else {
                &mut *ctx.out
            };
            let _ = sink.write_all(text.as_bytes());
            return code;
        }
    };
    let status = match cli.verb {
        Verb::Escape(a) => escape::run(ctx, &cli.global, a),
        Verb::UnitPaths(a) => unit_paths::run(ctx, &cli.global, a),
        Verb::Cat(a) => cat::run(ctx, &cli.global, a),
        Verb::Demo(a) => demo::run(ctx, &cli.global, a),
        Verb::Show(a) => show::run(ctx, &cli.global, a),
        Verb::ListDependencies(a) => list_dependencies::run(ctx, &cli.global, a),
    };
    let _ = ctx.out.flush();
    let _ = ctx.err.flush();
    status
}
