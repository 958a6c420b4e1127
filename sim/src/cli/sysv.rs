//! Debian's SysV compatibility step of `enable`, `disable` and `is-enabled` (reference §4.0.5).
use super::install_common::{is_utf8, logs, open, options, root};
use super::{Context, Global};
use camino::Utf8Path;
use unitlab_engine::fs::{resolve, FileSystem, Follow, Target};
use unitlab_engine::install::Errno;
use unitlab_engine::load::Scope;

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
