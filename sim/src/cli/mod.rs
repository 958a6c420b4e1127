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
mod output;
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
    // Both streams buffered together, in order (see `output`); written out by `run_in`'s
    // flushes and when `streams` is dropped at the end of this function.
    let streams = output::Shared::stdio();
    let mut out = output::Half::out(&streams);
    let mut err = output::Half::err(&streams);
    let mut ctx = Context {
        env,
        cwd,
        out: &mut out,
        err: &mut err,
        fs: None,
    };
    run_in(&mut ctx, args)
}

/// The verbs' names (as clap derives them from `Verb`) and their argument definitions.
macro_rules! verb_table {
    ($($name:literal => $args:ty,)*) => {
        /// A command holding only the subcommand `name` (with its arguments), as `Verb` defines it.
        fn one_verb_command(name: &str) -> Option<clap::Command> {
            use clap::Args as _;
            match name {
                $($name => Some(<$args>::augment_args(clap::Command::new($name))),)*
                _ => None,
            }
        }
        #[cfg(test)]
        const VERB_NAMES: &[&str] = &[$($name),*];
    };
}

verb_table! {
    "escape" => escape::Args,
    "calendar" => calendar::CalendarArgs,
    "timespan" => calendar::TimespanArgs,
    "timestamp" => calendar::TimestampArgs,
    "unit-paths" => unit_paths::Args,
    "cat" => cat::Args,
    "enable" => enable::Args,
    "disable" => disable::Args,
    "reenable" => reenable::Args,
    "link" => link::Args,
    "mask" => mask::Args,
    "unmask" => unmask::Args,
    "revert" => revert::Args,
    "add-wants" => add_wants::Args,
    "add-requires" => add_wants::Args,
    "set-default" => set_default::Args,
    "get-default" => get_default::Args,
    "is-enabled" => is_enabled::Args,
    "preset" => preset::Args,
    "preset-all" => preset_all::Args,
    "list-unit-files" => list_unit_files::Args,
    "demo" => demo::Args,
    "show" => show::Args,
    "list-dependencies" => list_dependencies::Args,
    "replay" => replay::Args,
    "plan" => plan::Args,
    "tour" => tour::Args,
}

/// Parses `args` with a command tree that holds only the verb named by the first argument that
/// does not start with `-`: building clap's whole tree (27 verbs) is a fair part of a short
/// command's run (~1 M instructions of `is-enabled`'s 7 M). Only a **successful** parse is
/// used: the partial tree has the same global options and the same definition of that verb, so
/// whatever it accepts the whole tree accepts with the same result. Anything else (no such verb,
/// `--root DIR` with a space, help, version, any error) returns `None`, and the whole tree
/// parses the arguments again and gives its own messages.
fn parse_one_verb(args: &[OsString]) -> Option<Cli> {
    use clap::{Args as _, FromArgMatches as _};
    let name = args
        .iter()
        .skip(1)
        .map(|a| a.to_str())
        .find(|a| !a.is_some_and(|a| a.starts_with('-')))??;
    let verb = one_verb_command(name)?;
    let command = Global::augment_args(clap::Command::new("unitlab"))
        .subcommand_required(true)
        .subcommand(verb);
    let matches = command.try_get_matches_from(args).ok()?;
    Cli::from_arg_matches(&matches).ok()
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
    let parsed = match parse_one_verb(&args) {
        Some(cli) => Ok(cli),
        None => Cli::try_parse_from(args),
    };
    let mut cli = match parsed {
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Args as _, CommandFactory};

    /// The table of `parse_one_verb` names exactly the verbs of the whole tree, each with the
    /// same arguments (ids, long and short names, whether they take values, positionals).
    #[test]
    fn one_verb_commands_match_the_whole_tree() {
        let mut whole = Cli::command();
        whole.build();
        // clap's own `help` subcommand is not in the table: `unitlab help ...` falls back.
        let names: Vec<&str> = whole
            .get_subcommands()
            .map(|c| c.get_name())
            .filter(|n| *n != "help")
            .collect();
        assert_eq!(names, VERB_NAMES);
        for sub in whole.get_subcommands().filter(|c| c.get_name() != "help") {
            let one = one_verb_command(sub.get_name()).expect("in the table");
            let describe = |c: &clap::Command| {
                c.get_arguments()
                    .filter(|a| !a.is_global_set())
                    .filter(|a| a.get_id() != "help" && a.get_id() != "version")
                    .map(|a| {
                        format!(
                            "{} {:?} {:?} {:?} {:?} {:?}",
                            a.get_id(),
                            a.get_long(),
                            a.get_short(),
                            a.get_num_args(),
                            a.get_index(),
                            a.get_action()
                        )
                    })
                    .collect::<Vec<_>>()
            };
            let mut one_built = Global::augment_args(clap::Command::new("unitlab"))
                .subcommand_required(true)
                .subcommand(one);
            one_built.build();
            let one = one_built
                .find_subcommand(sub.get_name())
                .expect("the subcommand");
            assert_eq!(describe(one), describe(sub), "{}", sub.get_name());
        }
    }

    /// Arguments the partial tree parses give the same `Cli` as the whole tree; those it does
    /// not (help, version, errors, a verb hidden behind `--root DIR`) fall back.
    #[test]
    fn one_verb_parse_equals_whole_parse() {
        let cases: &[&[&str]] = &[
            &["unitlab", "--root=/r", "is-enabled", "a.service"],
            &["unitlab", "--root", "/r", "is-enabled", "a.service"],
            &[
                "unitlab",
                "is-enabled",
                "--root=/r",
                "-l",
                "a.service",
                "b.socket",
            ],
            &[
                "unitlab",
                "--user",
                "--system",
                "list-unit-files",
                "--state=enabled",
                "-t",
                "service",
            ],
            &[
                "unitlab",
                "--root=/r",
                "preset-all",
                "--preset-mode=enable-only",
            ],
            &[
                "unitlab",
                "--root=/r",
                "plan",
                "start",
                "multi-user.target",
                "--json",
            ],
            &["unitlab", "--root=/r", "plan", "start"],
            &["unitlab", "--root=/r", "enable", "--now", "a.service"],
            &["unitlab", "--root=/r", "is-enabled", "--help"],
            &["unitlab", "--version"],
            &["unitlab", "--root=/r"],
            &["unitlab", "bogus-verb", "x"],
            &["unitlab", "--root", "enable", "is-enabled", "x"],
            &[
                "unitlab",
                "add-requires",
                "a.target",
                "b.service",
                "--runtime",
            ],
            &[
                "unitlab",
                "list-dependencies",
                "--reverse",
                "--all",
                "a.target",
            ],
            &["unitlab", "show", "-p", "Wants,After", "a.service"],
        ];
        for args in cases {
            let args: Vec<OsString> = args.iter().map(OsString::from).collect();
            let whole = Cli::try_parse_from(args.clone()).map(|c| format!("{c:?}"));
            if let Some(one) = parse_one_verb(&args) {
                assert_eq!(Ok(format!("{one:?}")), whole.map_err(|_| ()), "{args:?}");
            }
        }
        // The common shapes do take the short way.
        let args: Vec<OsString> = ["unitlab", "--root=/r", "is-enabled", "a.service"]
            .iter()
            .map(OsString::from)
            .collect();
        assert!(parse_one_verb(&args).is_some());
    }
}
