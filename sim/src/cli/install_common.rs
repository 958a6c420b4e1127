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
use unitlab_engine::fs::{resolve, DirFs, FileSystem, Follow, FsError, Target};
use unitlab_engine::install::{render_changes, Errno, Log, Outcome, RenderOptions};
use unitlab_engine::load::{LookupPaths, MapEnv, ProcessEnv, Scope};
use unitlab_engine::name::{mangle_with_notices, MangleOptions, UnitType};

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
    env.passwd_home = unitlab_engine::load::Env::passwd_home(&ProcessEnv::new());
    env
}

/// A [`DirFs`] whose `read_dir` returns entries in the host's `readdir()` order, as systemd
/// sees them (`DirFs` sorts them). The order of `disable`'s and `revert`'s `Removed` lines and the
/// outcome of some directory walks depend on it (reference §4.2 item 5).
#[derive(Debug)]
pub struct HostFs(pub DirFs);

impl FileSystem for HostFs {
    fn lstat(&self, path: &Utf8Path) -> Result<unitlab_engine::fs::Metadata, FsError> {
        self.0.lstat(path)
    }
    fn read(&self, path: &Utf8Path, limit: u64) -> Result<Vec<u8>, FsError> {
        self.0.read(path, limit)
    }
    fn read_link(&self, path: &Utf8Path) -> Result<Utf8PathBuf, FsError> {
        self.0.read_link(path)
    }
    fn read_dir(&self, path: &Utf8Path) -> Result<Vec<unitlab_engine::fs::DirEntry>, FsError> {
        let sorted = self.0.read_dir(path)?;
        let Ok(iter) = std::fs::read_dir(self.0.host_path(path)) else {
            return Ok(sorted);
        };
        let mut ordered = Vec::with_capacity(sorted.len());
        for e in iter.flatten() {
            if let Some(name) = e.file_name().to_str() {
                if let Ok(i) = sorted.binary_search_by(|d| d.name.as_str().cmp(name)) {
                    ordered.push(sorted[i].clone());
                }
            }
        }
        if ordered.len() != sorted.len() {
            return Ok(sorted);
        }
        Ok(ordered)
    }
    fn create_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.create_dir_all(path)
    }
    fn symlink(&self, target: &Utf8Path, link: &Utf8Path) -> Result<(), FsError> {
        self.0.symlink(target, link)
    }
    fn remove_file(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.remove_file(path)
    }
    fn remove_dir(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.remove_dir(path)
    }
    fn remove_dir_all(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.remove_dir_all(path)
    }
    fn write_atomic(&self, path: &Utf8Path, data: &[u8]) -> Result<(), FsError> {
        self.0.write_atomic(path, data)
    }
    fn rename(&self, from: &Utf8Path, to: &Utf8Path) -> Result<(), FsError> {
        self.0.rename(from, to)
    }
    fn create_char_device(&self, path: &Utf8Path) -> Result<(), FsError> {
        self.0.create_char_device(path)
    }
    fn set_mode(&self, path: &Utf8Path, mode: u32) -> Result<(), FsError> {
        self.0.set_mode(path, mode)
    }
}

/// The filesystem and lookup paths of the selected scope and root (`lookup_paths_init()`).
pub fn open(
    ctx: &Context<'_>,
    global: &Global,
    scope: Scope,
) -> Result<(HostFs, LookupPaths), Errno> {
    let root = root(ctx, global);
    let lp =
        LookupPaths::new(scope, root.as_deref(), &env(ctx)).map_err(|e| match e.strerror() {
            "Invalid argument" => Errno::EINVAL,
            "No such process" => Errno::ESRCH,
            "No medium found" => Errno::ENOMEDIUM,
            _ => Errno::ENOMEM,
        })?;
    let fs = DirFs::new(root.as_deref().unwrap_or(Utf8Path::new("/")))
        .map_err(|e| Errno::from_fs(&e))?;
    Ok((HostFs(fs), lp))
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

/// The result of the SysV step.
pub enum Sysv {
    /// Go on with these names (SysV-only names removed); for `is-enabled`, whether a script
    /// reported "enabled".
    Continue(bool),
    /// Stop with this exit status.
    Exit(i32),
}

fn script_enabled(fs: &dyn FileSystem, script: &str) -> bool {
    // systemd-sysv-install is-enabled: `ls ROOT/etc/rc[S5].d/S??NAME`.
    ["/etc/rcS.d", "/etc/rc5.d"].iter().any(|d| {
        let Ok(r) = resolve(fs, Utf8Path::new(d), Follow::Yes) else {
            return false;
        };
        let Ok(entries) = fs.read_dir(&r.path) else {
            return false;
        };
        entries.iter().any(|e| {
            let n = e.name.as_bytes();
            n.len() == script.len() + 3 && n[0] == b'S' && e.name.get(3..) == Some(script)
        })
    })
}

/// The Debian SysV step of `enable`, `disable` and `is-enabled` (reference §4.0.5).
///
/// For each `NAME.service` argument with `/etc/init.d/NAME` in the root, systemctl runs
/// `/lib/systemd/systemd-sysv-install`. unitlab never runs it: it prints the same notices and
/// emulates the script where the outcome is known from the tree — `is-enabled` (the script looks
/// for `/etc/rc[S5].d/S??NAME`) and, under `--root`, `enable`/`disable` when the root has no
/// `/usr/sbin/update-rc.d` (the script's `chroot` then fails, and so does systemctl). Otherwise
/// (update-rc.d present, or no root) the script is assumed to succeed: its own effects on
/// `/etc/rc?.d` are not reproduced.
pub fn sysv_step(
    ctx: &mut Context<'_>,
    global: &Global,
    verb: &str,
    names: &mut Vec<String>,
) -> Sysv {
    if global.scope() != Scope::System {
        return Sysv::Continue(false);
    }
    if ctx
        .var("SYSTEMCTL_SKIP_SYSV")
        .is_some_and(|v| matches!(v, "1" | "yes" | "y" | "true" | "t" | "on"))
    {
        return Sysv::Continue(false);
    }
    let root = root(ctx, global);
    let (fs, lp) = match open(ctx, global, Scope::System) {
        Ok(x) => x,
        Err(e) => {
            let _ = writeln!(
                ctx.err,
                "Failed to initialize unit search paths for root directory {}: {}",
                root.as_deref().map_or("/", |r| r.as_str()),
                e.strerror()
            );
            return Sysv::Exit(1);
        }
    };
    let mut enabled = false;
    let mut f = 0;
    let utf8 = is_utf8(ctx);
    while f < names.len() {
        let name = names[f].clone();
        f += 1;
        if !name.ends_with(".service") || name.starts_with('/') {
            continue;
        }
        // The SysV lookup excludes generator directories.
        // The SysV lookup leaves the generator directories out.
        let (r, logged) =
            unitlab_engine::install::unit_file_exists(&fs, &lp, &name, options(ctx, global), true);
        logs(ctx, &logged);
        let found_native = match r {
            Ok(b) => b,
            Err(Errno::ELOOP | Errno::ERFKILL | Errno::EADDRNOTAVAIL) => true,
            Err(e) => {
                let _ = writeln!(
                    ctx.err,
                    "Failed to look up unit file state: {}",
                    e.strerror()
                );
                return Sysv::Exit(1);
            }
        };
        if found_native && verb == "is-enabled" {
            continue;
        }
        let script = &name[..name.len() - ".service".len()];
        let path = format!("/etc/init.d/{script}");
        let exists = matches!(
            resolve(&fs, Utf8Path::new(&path), Follow::Yes),
            Ok(r) if r.target != Target::Missing
        );
        if !exists {
            continue;
        }
        let exe = "/lib/systemd/systemd-sysv-install";
        if !global.quiet {
            if found_native {
                let _ = writeln!(
                    ctx.err,
                    "Synchronizing state of {name} with SysV service script with {exe}."
                );
            } else {
                let _ = writeln!(
                    ctx.err,
                    "{name} is not a native service, redirecting to systemd-sysv-install."
                );
            }
        }
        let mut argv = vec![exe.to_owned()];
        if let Some(r) = &root {
            argv.push(format!("--root={r}"));
        }
        argv.push(verb.to_owned());
        argv.push(script.to_owned());
        if !global.quiet {
            let _ = writeln!(ctx.err, "Executing: {}", argv.join(" "));
        }
        if verb == "is-enabled" {
            let on = script_enabled(&fs, script);
            if !global.quiet {
                let _ = writeln!(ctx.out, "{}", if on { "enabled" } else { "disabled" });
            }
            enabled |= on;
        } else if root.is_some() {
            if let Some(why) = update_rc_d_failure(&fs) {
                let (l, r) = if utf8 { ("‘", "’") } else { ("'", "'") };
                let _ = writeln!(
                    ctx.err,
                    "chroot: failed to run command {l}/usr/sbin/update-rc.d{r}: {why}"
                );
                return Sysv::Exit(1);
            }
        }
        if found_native {
            continue;
        }
        f -= 1;
        names.remove(f);
    }
    Sysv::Continue(enabled)
}

/// Why `chroot ROOT /usr/sbin/update-rc.d` cannot even start, if it cannot: missing, or not
/// executable. (When it can, unitlab cannot run it and assumes success.)
fn update_rc_d_failure(fs: &dyn FileSystem) -> Option<&'static str> {
    match resolve(fs, Utf8Path::new("/usr/sbin/update-rc.d"), Follow::Yes) {
        Ok(r) => match r.target {
            Target::Exists(m)
                if m.kind == unitlab_engine::fs::FileKind::File && m.mode & 0o111 != 0 =>
            {
                None
            }
            Target::Exists(_) => Some("Permission denied"),
            _ => Some("No such file or directory"),
        },
        Err(_) => Some("No such file or directory"),
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
            "enable" => engine::enable(&fs, &lp, &names, opts),
            "disable" => engine::disable(&fs, &lp, &names, opts),
            "reenable" => engine::reenable(&fs, &lp, &names, opts),
            "link" => engine::link(&fs, &lp, &names, opts),
            "mask" => engine::mask(&fs, &lp, &names, opts),
            "unmask" => engine::unmask(&fs, &lp, &names, opts),
            _ => engine::revert(&fs, &lp, &names, opts),
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

/// `emit_cmdline_warning()` of `get-default`/`set-default`: without `--root` and `--quiet`, a
/// `systemd.unit=` or runlevel word on the kernel command line (`$SYSTEMD_PROC_CMDLINE`, else
/// `/proc/cmdline`) is reported as overriding the default unit. (Outside an initrd only: the
/// initrd's `rd.` runlevel table is not modelled.)
pub fn emit_cmdline_warning(ctx: &mut Context<'_>, global: &Global, fs: &dyn FileSystem) {
    if global.quiet || global.root.is_some() {
        return;
    }
    let text = match ctx.var("SYSTEMD_PROC_CMDLINE") {
        Some(v) => v.to_owned(),
        None => match fs.read(Utf8Path::new("/proc/cmdline"), 1 << 20) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => return,
        },
    };
    let mut found: Option<String> = None;
    for word in cmdline_words(&text) {
        let (key, value) = match word.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (word.clone(), None),
        };
        if key == "systemd.unit" {
            match value {
                None => {
                    let _ = writeln!(
                        ctx.err,
                        "Missing argument for systemd.unit= kernel command line switch, ignoring."
                    );
                }
                Some(v) => {
                    let ok = matches!(
                        unitlab_engine::name::classify(&v),
                        Some(unitlab_engine::name::NameKind::Plain)
                            | Some(unitlab_engine::name::NameKind::Instance)
                    );
                    if ok {
                        found = Some(key);
                    } else {
                        let _ = writeln!(
                            ctx.err,
                            "Unit name specified on systemd.unit= is not valid, ignoring: {v}"
                        );
                    }
                }
            }
        } else if value.is_none()
            && matches!(
                key.as_str(),
                "emergency"
                    | "-b"
                    | "rescue"
                    | "single"
                    | "-s"
                    | "s"
                    | "S"
                    | "1"
                    | "2"
                    | "3"
                    | "4"
                    | "5"
            )
        {
            found = Some(key);
        }
    }
    if let Some(k) = found {
        let _ = writeln!(
            ctx.err,
            "Note: found \"{k}\" on the kernel commandline, which overrides the default unit."
        );
    }
}

/// Kernel command line words (`extract_first_word(EXTRACT_UNQUOTE|EXTRACT_RELAX)`).
fn cmdline_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) if c == '\\' => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                in_word = true;
                quote = Some(c);
            }
            None if c == '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            None if c.is_ascii_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// The engine options of an install verb: `--runtime`, `--force`, the locale and the host facts
/// systemd's host specifiers use.
pub fn options(ctx: &Context<'_>, global: &Global) -> unitlab_engine::install::Options {
    unitlab_engine::install::Options {
        runtime: global.runtime,
        force: global.force,
        dry_run: false,
        utf8: is_utf8(ctx),
        host: Some(host_facts()),
    }
}

/// Facts about the running host, read once (systemctl reads them from the host, not from the
/// root): host name, kernel release and boot id from `/proc/sys/kernel`, the pretty host name
/// from `/etc/machine-info`, and the caller's user and group.
fn host_facts() -> &'static unitlab_engine::install::HostFacts {
    use std::sync::OnceLock;
    static FACTS: OnceLock<unitlab_engine::install::HostFacts> = OnceLock::new();
    FACTS.get_or_init(|| {
        let read = |p: &str| {
            std::fs::read_to_string(p)
                .ok()
                .map(|s| s.trim_end_matches('\n').to_owned())
                .filter(|s| !s.is_empty())
        };
        let pretty = read("/etc/machine-info").and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("PRETTY_HOSTNAME=")
                    .map(|v| v.trim_matches('"').to_owned())
            })
        });
        let status = read("/proc/self/status").unwrap_or_default();
        let id_of = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u32>().ok())
        };
        let name_of = |file: &str, id: u32| {
            read(file).and_then(|t| {
                t.lines().find_map(|l| {
                    let mut f = l.split(':');
                    let name = f.next()?;
                    let _ = f.next();
                    (f.next()?.parse::<u32>().ok()? == id).then(|| name.to_owned())
                })
            })
        };
        let user = match (id_of("Uid:"), id_of("Gid:")) {
            (Some(uid), Some(gid)) => Some((
                name_of("/etc/passwd", uid).unwrap_or_else(|| uid.to_string()),
                uid,
                name_of("/etc/group", gid).unwrap_or_else(|| gid.to_string()),
                gid,
            )),
            _ => None,
        };
        unitlab_engine::install::HostFacts {
            hostname: read("/proc/sys/kernel/hostname"),
            pretty_hostname: pretty,
            kernel_release: read("/proc/sys/kernel/osrelease"),
            boot_id: read("/proc/sys/kernel/random/boot_id").map(|b| b.replace('-', "")),
            user,
        }
    })
}
