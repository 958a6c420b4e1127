//! `systemctl` in the simulated shell: the install verbs run through the CLI on the machine's
//! filesystem (then the manager reloads, unless `--no-reload`); `reboot`, `poweroff` and `halt`
//! reboot the machine ([`Machine::reboot`]); every other verb goes to the manager of the
//! selected scope.
use super::shell::Io;
use super::Machine;
use std::ffi::OsString;
use unitlab_engine::load::Scope;

/// Install verbs and `cat`, run client-side through the CLI (`cat` reads the files itself).
const INSTALL_VERBS: &[&str] = &[
    "cat",
    "enable",
    "disable",
    "reenable",
    "link",
    "mask",
    "unmask",
    "revert",
    "add-wants",
    "add-requires",
    "set-default",
    "get-default",
    "is-enabled",
    "preset",
    "preset-all",
    "list-unit-files",
];

/// Install verbs that only read: no reload follows them.
const READ_ONLY: &[&str] = &["cat", "get-default", "is-enabled", "list-unit-files"];

/// Options that take a separate value (`-p NAME`, `--type TYPE`, ...).
const WITH_VALUE: &[&str] = &[
    "-p",
    "--property",
    "-t",
    "--type",
    "--state",
    "-s",
    "--signal",
    "-n",
    "--lines",
    "-o",
    "--output",
    "--root",
    "-H",
    "--host",
    "-M",
    "--machine",
    "--preset-mode",
    "--job-mode",
    "--kill-whom",
    "--kill-value",
    "--what",
    "--timestamp",
    "--legend",
    "--drop-in",
    "--when",
    "--message",
];

/// The verb: the first argument that is neither an option nor an option's value.
fn verb_index(args: &[String]) -> Option<usize> {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            return (i + 1 < args.len()).then_some(i + 1);
        }
        if !a.starts_with('-') || a == "-" {
            return Some(i);
        }
        i += if WITH_VALUE.contains(&a.as_str()) {
            2
        } else {
            1
        };
    }
    None
}

/// What `systemctl --version` (and `journalctl --version`) print: systemd 252 as Debian 12 builds
/// it, the version the simulator follows.
pub const VERSION: &str = "systemd 252 (252.38-1~deb12u1)
+PAM +AUDIT +SELINUX +APPARMOR +IMA +SMACK +SECCOMP +GCRYPT -GNUTLS +OPENSSL +ACL +BLKID +CURL +ELFUTILS +FIDO2 +IDN2 -IDN +IPTC +KMOD +LIBCRYPTSETUP +LIBFDISK +PCRE2 -PWQUALITY +P11KIT +QRENCODE +TPM2 +BZIP2 +LZ4 +XZ +ZLIB +ZSTD -BPF_FRAMEWORK -XKBCOMMON +UTMP +SYSVINIT default-hierarchy=unified
";

/// Runs `systemctl ARGS`.
pub fn run(m: &mut Machine, args: &[String], io: &mut Io<'_>) -> i32 {
    if args.iter().any(|a| a == "--version") {
        let _ = io.out.write_all(VERSION.as_bytes());
        return 0;
    }
    // Of --system/--user/--global the last one wins, as in systemctl.
    let mut user = false;
    let mut rest: Vec<String> = Vec::new();
    for a in args {
        match a.as_str() {
            "--user" => user = true,
            "--system" => user = false,
            _ => rest.push(a.clone()),
        }
    }
    let verb = verb_index(&rest).map(|i| rest[i].clone());
    let verb = verb.as_deref().unwrap_or("list-units");
    if INSTALL_VERBS.contains(&verb) {
        return install(m, user, verb, &rest, io);
    }
    if !user && matches!(verb, "reboot" | "poweroff" | "halt") {
        // The shell's session ends and the machine boots again (issue 6: a boot replay).
        m.reboot();
        return 0;
    }
    let scope = if user { Scope::User } else { Scope::System };
    let (manager, mut world) = m.manager_mut(scope);
    manager.systemctl(&mut world, &rest, io.out, io.err)
}

/// An install verb through the CLI, then `daemon-reload` and, with `--now`, start/stop.
fn install(m: &mut Machine, user: bool, verb: &str, args: &[String], io: &mut Io<'_>) -> i32 {
    let now = args.iter().any(|a| a == "--now");
    let no_reload = args.iter().any(|a| a == "--no-reload");
    let global = args.iter().any(|a| a == "--global");
    let has_root = args.iter().any(|a| a.starts_with("--root"));
    let mut argv: Vec<OsString> = vec!["unitlab".into()];
    if user {
        argv.push("--user".into());
    }
    argv.extend(
        args.iter()
            .filter(|a| !matches!(a.as_str(), "--now" | "--no-block" | "--no-ask-password"))
            .map(OsString::from),
    );
    let env = m.env(user);
    let status = {
        let mut ctx = crate::cli::Context {
            env,
            cwd: m.cwd.clone(),
            out: &mut *io.out,
            err: &mut *io.err,
            fs: Some(&m.fs),
        };
        crate::cli::run_in(&mut ctx, argv)
    };
    let scope = if user { Scope::User } else { Scope::System };
    let live = !global && !has_root;
    if status == 0 && live && !no_reload && !READ_ONLY.contains(&verb) {
        let (manager, mut world) = m.manager_mut(scope);
        manager.daemon_reload(&mut world);
    }
    if status == 0 && live && now && matches!(verb, "enable" | "disable" | "mask") {
        let units: Vec<String> = verb_index(args)
            .map(|i| {
                args[i + 1..]
                    .iter()
                    .filter(|a| !a.starts_with('-'))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let action = if verb == "enable" { "start" } else { "stop" };
        let mut call = vec![action.to_owned()];
        call.extend(units);
        let (manager, mut world) = m.manager_mut(scope);
        return manager.systemctl(&mut world, &call, io.out, io.err);
    }
    status
}
