//! Shared plumbing of the install verbs (`enable`, `disable`, `mask`, `is-enabled`, ...): root and
//! locale handling, name mangling, the Debian SysV step, rendering. The semantics live in
//! `unitlab_engine::install`; this file only reproduces what `systemctl` itself does around the
//! engine calls (reference §4.0.3–§4.0.5).
//!
//! What is not emulated:
//! * `/lib/systemd/systemd-sysv-install` is never run. Its `is-enabled` answer is computed from the
//!   tree (`/etc/rc[S5].d/S??NAME`); under `--root`, `enable`/`disable` fail exactly like the
//!   script when the root has no executable `/usr/sbin/update-rc.d`. Otherwise (a runnable
//!   update-rc.d, or no root) the script is assumed to succeed and its `/etc/rc?.d` links are not
//!   made.
//! * `is-enabled --full` under `--root`: systemctl lists the links of the *host* (it runs its
//!   dry-run `disable` without the root); unitlab lists nothing.
//! * The initrd variant of the kernel command line check (`rd.` runlevels) of `get-default`.
//! * Nothing online: no D-Bus, no daemon-reload (`--no-reload` is accepted), no `--now`.
use super::{Context, Global};
use camino::{Utf8Path, Utf8PathBuf};
use unitlab_engine::fs::{DirFs, FsError};
use unitlab_engine::install::{render_changes, Errno, Log, Outcome, RenderOptions};
use unitlab_engine::load::{LookupPaths, MapEnv, ProcessEnv, Scope};
use unitlab_engine::name::{mangle, mangle_with_notices, MangleOptions, UnitName, UnitType};

pub use super::cmdline::emit_cmdline_warning;
pub use super::host_fs::HostFs;
pub use super::sysv::{sysv_step, Sysv};

/// Whether systemctl would consider the locale UTF-8 (`is_locale_utf8()`): the effective
/// `LC_ALL`/`LC_CTYPE`/`LANG`; an unset locale counts as UTF-8, an explicit `C`/`POSIX` does not.
/// Locales other than C/POSIX are assumed to be UTF-8 (or not installed, which systemd also
/// treats as UTF-8).
pub fn is_utf8(ctx: &Context<'_>) -> bool {
    let set = |n: &str| ctx.var(n).is_some();
    let effective = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|n| ctx.var(n).filter(|v| !v.is_empty()));
    match effective {
        None => !(set("LC_ALL") || set("LC_CTYPE") || set("LANG")),
        Some("C") | Some("POSIX") => false,
        Some(_) => true,
    }
}

/// The root as systemctl parses `--root=` (absolute against the cwd, simplified; empty or `/`
/// is no root).
pub fn root(ctx: &Context<'_>, global: &Global) -> Option<Utf8PathBuf> {
    let r = global.root.as_ref()?;
    if r.as_str().is_empty() {
        return None;
    }
    let abs = unitlab_engine::fs::normalize(&ctx.cwd, r);
    (abs != "/").then_some(abs)
}

/// The environment the engine sees.
pub fn env(ctx: &Context<'_>) -> MapEnv {
    let mut env = MapEnv::from_vars(ctx.env.clone(), ctx.cwd.clone());
    env.passwd_home = match ctx.fs {
        // A simulated machine: its user's home, not the host's passwd entry.
        Some(_) => ctx.var("HOME").map(Utf8PathBuf::from),
        None => unitlab_engine::load::Env::passwd_home(&ProcessEnv::new()),
    };
    env
}

/// The filesystem the verbs act on: the host's (below `--root`), or the one injected in
/// [`Context::fs`] (the simulated machine's).
#[derive(Debug)]
pub enum CliFs<'a> {
    /// The host's filesystem below the root, in `readdir()` order.
    Host(Box<HostFs>),
    /// An injected filesystem.
    Injected(&'a dyn unitlab_engine::fs::FileSystem),
    /// A directory of the injected filesystem as the root (`--root=DIR` on the machine).
    Sub(unitlab_engine::fs::SubFs<'a>),
}

impl CliFs<'_> {
    /// The filesystem as a trait object.
    pub fn as_dyn(&self) -> &dyn unitlab_engine::fs::FileSystem {
        match self {
            CliFs::Host(fs) => &**fs,
            CliFs::Injected(fs) => *fs,
            CliFs::Sub(fs) => fs,
        }
    }
}

impl unitlab_engine::fs::FileSystem for CliFs<'_> {
    fn lstat(&self, path: &Utf8Path) -> Result<unitlab_engine::fs::Metadata, FsError> {
        self.as_dyn().lstat(path)
    }
    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        self.as_dyn().read(path, limit)
    }
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        self.as_dyn().read_link(path)
    }
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<unitlab_engine::fs::DirEntry>, FsError> {
        self.as_dyn().read_dir(path)
    }
    fn prefetch_dirs(&self, paths: &[&Utf8Path]) {
        self.as_dyn().prefetch_dirs(paths)
    }
    fn read_links(&self, dir: &Utf8Path, names: &[&str]) -> Vec<Result<Utf8PathBuf, FsError>> {
        self.as_dyn().read_links(dir, names)
    }
    fn read_dir_metadata(
        &self,
        path: &Utf8Path,
    ) -> Result<Vec<(unitlab_engine::fs::DirEntry, unitlab_engine::fs::Metadata)>, FsError> {
        self.as_dyn().read_dir_metadata(path)
    }
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.as_dyn().create_dir_all(path)
    }
    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        self.as_dyn().symlink(target, link)
    }
    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.as_dyn().remove_file(path)
    }
    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.as_dyn().remove_dir(path)
    }
    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.as_dyn().remove_dir_all(path)
    }
    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError> {
        self.as_dyn().write_atomic(path, data)
    }
    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError> {
        self.as_dyn().rename(from, to)
    }
    fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.as_dyn().create_char_device(path)
    }
    fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
        self.as_dyn().set_mode(path, mode)
    }
}

/// The injected filesystem of `ctx` (below `root` if given), else the host's below `root` (or
/// `/`).
fn fs_of<'a>(ctx: &Context<'a>, root: Option<&Utf8Path>) -> Result<CliFs<'a>, FsError> {
    if let Some(fs) = ctx.fs {
        return match root {
            Some(root) => unitlab_engine::fs::SubFs::new(fs, root).map(CliFs::Sub),
            None => Ok(CliFs::Injected(fs)),
        };
    }
    DirFs::new(root.unwrap_or(Utf8Path::new("/"))).map(|d| CliFs::Host(Box::new(HostFs::new(d))))
}

/// The filesystem and lookup paths of the selected scope and root (`lookup_paths_init()`).
pub fn open<'a>(
    ctx: &Context<'a>,
    global: &Global,
    scope: Scope,
) -> Result<(CliFs<'a>, LookupPaths), Errno> {
    let root = root(ctx, global);
    let lp =
        LookupPaths::new(scope, root.as_deref(), &env(ctx)).map_err(|e| match e.strerror() {
            "Invalid argument" => Errno::EINVAL,
            "No such process" => Errno::ESRCH,
            "No medium found" => Errno::ENOMEDIUM,
            _ => Errno::ENOMEM,
        })?;
    let fs = fs_of(ctx, root.as_deref()).map_err(|e| Errno::from_fs(&e))?;
    Ok((fs, lp))
}

/// Writes lines to stderr.
pub fn err_lines(ctx: &mut Context<'_>, lines: &[String]) {
    for l in lines {
        let _ = writeln!(ctx.err, "{l}");
    }
}

/// Writes logged lines to stderr.
pub fn logs(ctx: &mut Context<'_>, logs: &[Log]) {
    for l in logs {
        let _ = writeln!(ctx.err, "{}", l.text);
    }
}

/// Prints an operation's outcome the way systemctl does (logged lines, then the change list,
/// then the generic failure line) and returns the exit status.
pub fn report(ctx: &mut Context<'_>, global: &Global, verb: &str, o: &Outcome) -> i32 {
    logs(ctx, &o.logs);
    let lines = render_changes(
        &o.changes,
        o.result.map(|_| ()),
        RenderOptions {
            verb,
            quiet: global.quiet,
            utf8: is_utf8(ctx),
        },
    );
    err_lines(ctx, &lines);
    i32::from(o.result.is_err())
}

/// `mangle_names()`: path arguments (containing `/`) are made absolute against the cwd, others
/// mangled into unit names with `default` as suffix (notices printed unless `--quiet`).
/// On failure the error line is printed and `Err(exit status)` returned.
pub fn mangle_names(
    ctx: &mut Context<'_>,
    global: &Global,
    operation: &str,
    args: &[String],
) -> Result<Vec<String>, i32> {
    let mut out = Vec::new();
    for a in args {
        if a.contains('/') {
            out.push(if a.starts_with('/') {
                a.clone()
            } else {
                format!("{}/{a}", ctx.cwd)
            });
            continue;
        }
        out.push(mangle_one(ctx, global, a, operation, UnitType::Service)?);
    }
    Ok(out)
}

/// `unit_name_mangle_with_suffix()` for one argument; prints notices and the failure line
/// (`Failed to mangle unit name or path 'X': Invalid argument`, or, with `plain_error`, systemd's
/// other wording).
pub fn mangle_one(
    ctx: &mut Context<'_>,
    global: &Global,
    arg: &str,
    operation: &str,
    suffix: UnitType,
) -> Result<String, i32> {
    mangle_with(
        ctx,
        global,
        arg,
        operation,
        suffix,
        &format!("Failed to mangle unit name or path '{arg}'"),
    )
}

/// Like [`mangle_one`] with the failure line's prefix given (`Failed to mangle unit name` for
/// `set-default` and the target of `add-wants`).
pub fn mangle_with(
    ctx: &mut Context<'_>,
    global: &Global,
    arg: &str,
    operation: &str,
    suffix: UnitType,
    failure: &str,
) -> Result<String, i32> {
    let (notices, r) = mangle_with_notices(
        arg,
        MangleOptions {
            default_suffix: suffix,
            allow_globs: false,
        },
        Some(operation),
    );
    if !global.quiet {
        err_lines(ctx, &notices);
    }
    match r {
        Ok(m) => Ok(m.name),
        Err(_) => {
            let _ = writeln!(ctx.err, "{failure}: Invalid argument");
            Err(1)
        }
    }
}

/// Prints `Too few arguments.` / `Too many arguments.` if `n` is outside `min..=max`.
pub fn check_count(ctx: &mut Context<'_>, n: usize, min: usize, max: usize) -> Result<(), i32> {
    if n < min {
        let _ = writeln!(ctx.err, "Too few arguments.");
        return Err(1);
    }
    if n > max {
        let _ = writeln!(ctx.err, "Too many arguments.");
        return Err(1);
    }
    Ok(())
}

/// systemctl's `verb_enable()` (used by `enable`, `disable`, `reenable`, `link`, `mask`,
/// `unmask` and `revert`) in client-side mode.
pub fn verb_enable(ctx: &mut Context<'_>, global: &Global, verb: &str, args: &[String]) -> i32 {
    use unitlab_engine::install as engine;
    if let Err(code) = check_count(ctx, args.len(), 1, usize::MAX) {
        return code;
    }
    let mut names = match mangle_names(ctx, global, &format!("to {verb}"), args) {
        Ok(n) => n,
        Err(code) => return code,
    };
    if matches!(verb, "enable" | "disable") {
        if let Sysv::Exit(code) = sysv_step(ctx, global, verb, &mut names) {
            return code;
        }
    }
    if names.is_empty() {
        return 0;
    }
    if verb == "disable" {
        let mut was_path = false;
        for n in names.iter_mut() {
            if n.contains('/') {
                *n = n.rsplit('/').next().unwrap_or_default().to_owned();
                was_path = true;
            }
        }
        if was_path {
            let _ = writeln!(
                ctx.err,
                "Warning: Can't execute disable on the unit file path. Proceeding with the unit name."
            );
        }
    }
    if verb == "link" {
        let has_root = root(ctx, global).is_some()
            || global.root.as_ref().is_some_and(|r| !r.as_str().is_empty());
        for n in names.iter_mut() {
            if n.starts_with('/') {
                continue;
            }
            if has_root {
                let _ = writeln!(
                    ctx.err,
                    "Non-absolute paths are not allowed when --root is used: {n}"
                );
                return 1;
            }
            if !n.contains('/') {
                let _ = writeln!(
                    ctx.err,
                    "Link argument must contain at least one directory separator.\n\
                     If you intended to link a file in the current directory, try ./{n} instead."
                );
                return 1;
            }
            *n = format!("{}/{n}", ctx.cwd);
        }
    }
    let utf8 = is_utf8(ctx);
    let opts = options(ctx, global);
    let outcome = match open(ctx, global, global.scope()) {
        Err(e) => Outcome {
            changes: Vec::new(),
            logs: Vec::new(),
            result: Err(e),
        },
        Ok((fs, lp)) => match verb {
            "enable" => engine::enable(fs.as_dyn(), &lp, &names, opts),
            "disable" => engine::disable(fs.as_dyn(), &lp, &names, opts),
            "reenable" => engine::reenable(fs.as_dyn(), &lp, &names, opts),
            "link" => engine::link(fs.as_dyn(), &lp, &names, opts),
            "mask" => engine::mask(fs.as_dyn(), &lp, &names, opts),
            "unmask" => engine::unmask(fs.as_dyn(), &lp, &names, opts),
            _ => engine::revert(fs.as_dyn(), &lp, &names, opts),
        },
    };
    let code = report(ctx, global, verb, &outcome);
    if code != 0 {
        return code;
    }
    if matches!(verb, "enable" | "reenable") && outcome.result == Ok(0) && !global.quiet {
        let lines = unitlab_engine::install::render::no_install_config_notice(utf8);
        err_lines(ctx, &lines);
    }
    0
}

/// The engine options of an install verb: `--runtime`, `--force`, the locale and the host facts
/// systemd's host specifiers use.
pub fn options(ctx: &Context<'_>, global: &Global) -> unitlab_engine::install::Options {
    unitlab_engine::install::Options {
        runtime: global.runtime,
        force: global.force,
        dry_run: false,
        utf8: is_utf8(ctx),
        host: Some(unitlab_engine::install::HostSource(
            super::host_fs::host_facts,
        )),
    }
}

/// The rooted filesystem and lookup paths for the read-only verbs (`cat`, `show`,
/// `list-dependencies`), printing their failure lines.
pub fn open_readonly<'a>(
    ctx: &mut Context<'a>,
    global: &Global,
) -> Result<(CliFs<'a>, LookupPaths), i32> {
    let root = root(ctx, global);
    let paths = match LookupPaths::new(global.scope(), root.as_deref(), &env(ctx)) {
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
    match fs_of(ctx, root.as_deref()) {
        Ok(fs) => Ok((fs, paths)),
        Err(e) => {
            let _ = writeln!(ctx.err, "Failed to open root directory: {e}");
            Err(1)
        }
    }
}

/// Mangles unit arguments for the read-only verbs like systemctl (`foo` → `foo.service`,
/// notices unless `--quiet`). With `allow_globs`, arguments that stay patterns are returned
/// separately; without, they are an error. Failures print `Failed to mangle name: Invalid
/// argument`.
pub fn mangle_units(
    ctx: &mut Context<'_>,
    global: &Global,
    args: &[String],
    allow_globs: bool,
) -> Result<(Vec<UnitName>, Vec<String>), i32> {
    let opts = MangleOptions {
        default_suffix: UnitType::Service,
        allow_globs,
    };
    let (mut names, mut globs) = (Vec::new(), Vec::new());
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
            Some(n) if !(allow_globs && m.name.contains(['*', '?', '['])) => names.push(n),
            _ if allow_globs => globs.push(m.name),
            _ => {
                let _ = writeln!(ctx.err, "Failed to mangle name: Invalid argument");
                return Err(1);
            }
        }
    }
    Ok((names, globs))
}
