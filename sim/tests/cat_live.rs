//! `unitlab --user cat` against the real `systemctl --user cat` of a live systemd 252 user manager
//! (started with `shared/tools/real-systemd user-manager start`). Skipped with a reason when the
//! manager cannot start; mandatory under `CI=true`.
#[path = "../../engine/tests/support/mod.rs"]
mod support;

use camino::Utf8PathBuf;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::process::Command;

fn tool(args: &[&str]) -> std::process::Output {
    support::real_systemd(args)
}

fn as_user_env() -> (BTreeMap<String, String>, String) {
    support::user_manager_env()
}

fn ours(env: &BTreeMap<String, String>, unit: &str) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv: Vec<OsString> = vec!["unitlab".into(), "--user".into(), "cat".into(), unit.into()];
    let code = {
        let mut ctx = unitlab_sim::cli::Context {
            env: env.clone(),
            cwd: Utf8PathBuf::from("/tmp"),
            out: &mut out,
            err: &mut err,
            fs: None,
        };
        unitlab_sim::cli::run_in(&mut ctx, argv)
    };
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

fn theirs(unit: &str) -> (i32, String, String) {
    // Force systemctl's client-side lookup (what it does when no systemd is booted, and what
    // `unitlab cat` implements), so the comparison does not depend on the host's PID 1.
    let out = tool(&[
        "as-user",
        "env",
        "SYSTEMCTL_INSTALL_CLIENT_SIDE=1",
        "systemctl",
        "--user",
        "--no-pager",
        "cat",
        unit,
    ]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cat_matches_systemctl_user_cat() {
    if !support::user_manager() {
        return;
    }
    let (env, dir) = as_user_env();
    let d = std::path::Path::new(&dir);
    let write = |rel: &str, text: &str| {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    };
    write(
        "lab-a.service",
        "[Unit]\nDescription=A\n\n[Service]\nExecStart=/bin/true\n",
    );
    write("lab-a.service.d/10-x.conf", "[Unit]\nDescription=drop-in\n");
    write("lab-a.service.d/20-y.conf", "[Service]\nEnvironment=A=1");
    write("lab-bad.service", "[Unit]\nDescription=no exec\n");
    write("lab-err.service", "[Service\nExecStart=/bin/true\n");
    write(
        "lab-err.service.d/10-x.conf",
        "[Unit]\nDescription=not loaded after a failed fragment\n",
    );
    write(
        "lab-m.service.d/10-x.conf",
        "[Unit]\nDescription=drop-in of a masked unit\n",
    );
    // A prefix drop-in applies to every lab-*.service, also to names that have no fragment.
    write(
        "lab-.service.d/50-prefix.conf",
        "[Unit]\nDocumentation=man:lab(1)\n",
    );
    let _ = std::fs::remove_file(d.join("lab-m.service"));
    std::os::unix::fs::symlink("/dev/null", d.join("lab-m.service")).expect("mask link");
    let _ = Command::new("chown")
        .arg("-R")
        .arg("unitlab-oracle:")
        .arg(&dir)
        .status();
    let _ = tool(&["as-user", "systemctl", "--user", "daemon-reload"]);
    let mut failures = Vec::new();
    for unit in [
        "lab-a.service",
        "lab-bad.service",
        "lab-err.service",
        "lab-m.service",
        "lab-nope.service",
        "lab-a",
    ] {
        let (o, t) = (ours(&env, unit), theirs(unit));
        if o != t {
            failures.push(format!("{unit}:\n  systemctl: {t:?}\n  unitlab:   {o:?}"));
        }
    }
    let _ = std::fs::remove_dir_all(d.join("lab-.service.d"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
