//! Argument parsing and dispatch. Each verb lives in its own file and only parses its arguments,
//! calls the engine and renders; nothing here decides semantics.
use camino::Utf8PathBuf;
use clap::{Parser, Subcommand};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;

mod add_wants;
mod calendar;
mod cat;
mod cmdline;
mod demo;
mod disable;
mod enable;
mod escape;
mod get_default;
mod graph_load;
mod host_fs;
mod install_common;
mod is_enabled;
mod link;
mod list_dependencies;
mod list_unit_files;
mod mask;
mod plan;
mod preset;
mod preset_all;
mod reenable;
mod replay;
mod revert;
mod set_default;
mod show;
mod sysv;
mod tour;
mod unit_paths;
mod unmask;

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
    /// The filesystem the verbs act on instead of the host's (the simulated machine's `MemFs`):
    /// `None` means the host, with `--root` as given.
    pub fs: Option<&'a dyn unitlab_engine::fs::FileSystem>,
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
    /// Install verbs: make changes only until the next reboot (`/run`).
    #[arg(long, global = true)]
    pub runtime: bool,
    /// Install verbs: replace conflicting symlinks.
    #[arg(short, long, global = true)]
    pub force: bool,
    /// Accepted for compatibility: unitlab never talks to a running manager.
    #[arg(long, global = true)]
    pub no_reload: bool,
    /// `is-enabled`: also list the symlinks that enable the unit.
    #[arg(short = 'l', long, global = true)]
    pub full: bool,
    /// `preset`, `preset-all`: `full`, `enable-only` or `disable-only`.
    #[arg(long, global = true, value_name = "MODE")]
    pub preset_mode: Option<String>,
    /// `list-unit-files`: only these states (comma-separated).
    #[arg(long, global = true, value_name = "STATES")]
    pub state: Vec<String>,
    /// `list-unit-files`: only these unit types (comma-separated).
    #[arg(short = 't', long = "type", global = true, value_name = "TYPES")]
    pub types: Vec<String>,
    /// Output format (`json`, `json-pretty`, ...).
    #[arg(short = 'o', long, global = true, value_name = "MODE")]
    pub output: Option<String>,
    /// Do not print the legend (header and footer).
    #[arg(long, global = true)]
    pub no_legend: bool,
    /// Print or hide the legend (boolean).
    #[arg(long, global = true, value_name = "BOOL")]
    pub legend: Option<String>,
    /// Whether to print the legend, from `--legend=`, `--no-legend`, `-q` and `-o json*` in
    /// command-line order (set by `run_in`).
    #[arg(skip)]
    pub show_legend: Option<bool>,
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
    /// Normalize calendar specs and compute their elapses, like `systemd-analyze calendar`.
    Calendar(calendar::CalendarArgs),
    /// Parse time spans, like `systemd-analyze timespan`.
    Timespan(calendar::TimespanArgs),
    /// Parse timestamps, like `systemd-analyze timestamp`.
    Timestamp(calendar::TimestampArgs),
    /// Print the unit search path, like `systemd-analyze unit-paths`.
    UnitPaths(unit_paths::Args),
    /// Print unit files and drop-ins, like `systemctl cat`, offline.
    Cat(cat::Args),
    /// Enable units (create their [Install] symlinks), like `systemctl enable`.
    Enable(enable::Args),
    /// Disable units (remove their symlinks), like `systemctl disable`.
    Disable(disable::Args),
    /// Disable, then enable units, like `systemctl reenable`.
    Reenable(reenable::Args),
    /// Link unit files from outside the search path, like `systemctl link`.
    Link(link::Args),
    /// Mask units, like `systemctl mask`.
    Mask(mask::Args),
    /// Unmask units, like `systemctl unmask`.
    Unmask(unmask::Args),
    /// Revert units to their vendor state, like `systemctl revert`.
    Revert(revert::Args),
    /// Add Wants= dependencies to a target, like `systemctl add-wants`.
    AddWants(add_wants::Args),
    /// Add Requires= dependencies to a target, like `systemctl add-requires`.
    AddRequires(add_wants::Args),
    /// Set the default target, like `systemctl set-default`.
    SetDefault(set_default::Args),
    /// Print the default target, like `systemctl get-default`.
    GetDefault(get_default::Args),
    /// Print unit file states, like `systemctl is-enabled`.
    IsEnabled(is_enabled::Args),
    /// Enable or disable units as the preset files say, like `systemctl preset`.
    Preset(preset::Args),
    /// Apply the preset files to every unit file, like `systemctl preset-all`.
    PresetAll(preset_all::Args),
    /// List unit files with their states and presets, like `systemctl list-unit-files`.
    ListUnitFiles(list_unit_files::Args),
    /// Load a unit tree (an embedded example, or --root) and explain every unit's state.
    Demo(demo::Args),
    /// Print a unit's load state, files and dependency properties, like `systemctl show`, offline.
    Show(show::Args),
    /// Print a unit's dependency tree, like `systemctl list-dependencies`, offline.
    ListDependencies(list_dependencies::Args),
    /// Replay scenario files on a simulated machine and check their output.
    Replay(replay::Args),
    /// Print the jobs `systemctl start|stop|restart|reload|isolate UNIT` would queue, offline.
    Plan(plan::Args),
    /// Play the teaching tour: stop, disable and mask on a simulated machine.
    Tour(tour::Args),
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
        fs: None,
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
    let legend = list_unit_files::legend_from_argv(&args);
    let mut cli = match Cli::try_parse_from(args) {
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
    cli.global.show_legend = legend;
    let status = match cli.verb {
        Verb::Escape(a) => escape::run(ctx, &cli.global, a),
        Verb::Calendar(a) => calendar::run_calendar(ctx, &cli.global, a),
        Verb::Timespan(a) => calendar::run_timespan(ctx, &cli.global, a),
        Verb::Timestamp(a) => calendar::run_timestamp(ctx, &cli.global, a),
        Verb::UnitPaths(a) => unit_paths::run(ctx, &cli.global, a),
        Verb::Cat(a) => cat::run(ctx, &cli.global, a),
        Verb::Enable(a) => enable::run(ctx, &cli.global, a),
        Verb::Disable(a) => disable::run(ctx, &cli.global, a),
        Verb::Reenable(a) => reenable::run(ctx, &cli.global, a),
        Verb::Link(a) => link::run(ctx, &cli.global, a),
        Verb::Mask(a) => mask::run(ctx, &cli.global, a),
        Verb::Unmask(a) => unmask::run(ctx, &cli.global, a),
        Verb::Revert(a) => revert::run(ctx, &cli.global, a),
        Verb::AddWants(a) => add_wants::run(ctx, &cli.global, a, false),
        Verb::AddRequires(a) => add_wants::run(ctx, &cli.global, a, true),
        Verb::SetDefault(a) => set_default::run(ctx, &cli.global, a),
        Verb::GetDefault(a) => get_default::run(ctx, &cli.global, a),
        Verb::IsEnabled(a) => is_enabled::run(ctx, &cli.global, a),
        Verb::Preset(a) => preset::run(ctx, &cli.global, a),
        Verb::PresetAll(a) => preset_all::run(ctx, &cli.global, a),
        Verb::ListUnitFiles(a) => list_unit_files::run(ctx, &cli.global, a),
        Verb::Demo(a) => demo::run(ctx, &cli.global, a),
        Verb::Show(a) => show::run(ctx, &cli.global, a),
        Verb::ListDependencies(a) => list_dependencies::run(ctx, &cli.global, a),
        Verb::Replay(a) => replay::run(ctx, &cli.global, a),
        Verb::Plan(a) => plan::run(ctx, &cli.global, a),
        Verb::Tour(a) => tour::run(ctx, &cli.global, a),
    };
    let _ = ctx.out.flush();
    let _ = ctx.err.flush();
    status
}
