//! Snapshots of `unitlab --root=DIR plan VERB UNIT` on a small fixture: job lists, `--json`, job
//! modes, failures and the manager's warnings (reference §6.1–6.2). The start transactions are
//! checked against `systemd --test` in `engine/tests/transaction_differential.rs`; the other verbs
//! follow the reference and systemd's source (`transaction.c`).
use camino::Utf8PathBuf;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

struct Root(Utf8PathBuf);

impl Root {
    fn new(tag: &str) -> Root {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("unitlab-plan-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("mkdir root");
        Root(Utf8PathBuf::from_path_buf(p).expect("utf-8 temp dir"))
    }
    fn unit(&self, name: &str, text: &str) -> &Root {
        let p = self.0.join("etc/systemd/system").join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        self
    }
    fn link(&self, rel: &str, target: &str) -> &Root {
        let p = self.0.join("etc/systemd/system").join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(target, Path::new(p.as_str())).expect("symlink");
        self
    }
    fn run(&self, env: &[(&str, &str)], args: &[&str]) -> String {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let mut argv: Vec<OsString> = vec!["unitlab".into(), format!("--root={}", self.0).into()];
        argv.extend(args.iter().map(OsString::from));
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let code = {
            let mut ctx = unitlab_sim::cli::Context {
                env,
                cwd: Utf8PathBuf::from("/"),
                out: &mut out,
                err: &mut err,
                fs: None,
            };
            unitlab_sim::cli::run_in(&mut ctx, argv)
        };
        format!(
            "$ unitlab {}\nexit {code}\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&err)
        )
        .replace(self.0.as_str(), "ROOT")
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixture() -> Root {
    let r = Root::new("fixture");
    r.unit("default.target", "[Unit]\nWants=multi-user.target\n")
        .unit(
            "multi-user.target",
            "[Unit]\nRequires=basic.target\nWants=web.service db.service\nAllowIsolate=yes\n",
        )
        .unit("basic.target", "[Unit]\nRequires=sysinit.target\nWants=sockets.target\n")
        .unit("sysinit.target", "[Unit]\n")
        .unit("sockets.target", "[Unit]\n")
        .unit("rescue.target", "[Unit]\nAllowIsolate=yes\nConflicts=multi-user.target\n")
        .unit(
            "web.service",
            "[Unit]\nRequires=db.service\nAfter=db.service\nWants=bad.service masked.service\n[Service]\nExecStart=/bin/web\nExecReload=/bin/kill -HUP $MAINPID\n",
        )
        .unit("db.service", "[Unit]\nPropagatesReloadTo=web.service\n[Service]\nExecStart=/bin/db\n")
        .unit("bad.service", "[Service]\nType=simple\n")
        .unit("web.socket", "[Socket]\nListenStream=80\n")
        .unit("needs-masked.service", "[Unit]\nRequires=masked.service\n[Service]\nExecStart=/bin/true\n")
        .unit("manual.service", "[Unit]\nRefuseManualStart=yes\n[Service]\nExecStart=/bin/true\n")
        .unit(
            "cycle.target",
            "[Unit]\nWants=c1.service c2.service\n",
        )
        .unit("c1.service", "[Unit]\nAfter=c2.service\n[Service]\nExecStart=/bin/true\n")
        .unit("c2.service", "[Unit]\nAfter=c1.service\n[Service]\nExecStart=/bin/true\n")
        .link("sockets.target.wants/web.socket", "../web.socket")
        .link("masked.service", "/dev/null");
    r
}

#[test]
fn verbs() {
    let r = fixture();
    let mut out = String::new();
    for args in [
        vec!["plan", "start", "multi-user.target"],
        vec!["plan", "start", "web"],
        vec!["plan", "stop", "db.service"],
        vec!["plan", "restart", "db.service"],
        vec!["plan", "try-restart", "db.service"],
        vec!["plan", "reload", "web.service"],
        vec!["plan", "reload", "db.service"],
        vec!["plan", "reload-or-restart", "web.service"],
        vec!["plan", "isolate", "rescue"],
        vec!["plan", "start", "cycle.target"],
    ] {
        out.push_str(&r.run(&[], &args));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn job_modes() {
    let r = fixture();
    let mut out = String::new();
    for args in [
        vec![
            "plan",
            "start",
            "web.service",
            "--job-mode=ignore-dependencies",
        ],
        vec![
            "plan",
            "start",
            "web.service",
            "--job-mode=ignore-requirements",
        ],
        vec!["plan", "start", "web.service", "--job-mode=fail"],
        vec!["plan", "start", "web.service", "--job-mode=isolate"],
        vec!["plan", "start", "multi-user.target", "--job-mode=isolate"],
        vec!["plan", "start", "web.service", "--job-mode=triggering"],
        vec!["plan", "stop", "web.service", "--job-mode=triggering"],
        vec!["plan", "start", "web.service", "--job-mode=bogus"],
    ] {
        out.push_str(&r.run(&[], &args));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn failures() {
    let r = fixture();
    let mut out = String::new();
    for args in [
        vec!["plan", "start", "masked.service"],
        vec!["plan", "start", "needs-masked.service"],
        vec!["plan", "start", "missing.service"],
        vec!["plan", "start", "bad.service"],
        vec!["plan", "start", "manual.service"],
        vec!["plan", "stop", "missing.service"],
        vec!["plan", "try-restart", "masked.service"],
        vec!["plan", "reload", "sockets.target"],
        vec!["plan", "stop", "--", "-.slice"],
    ] {
        out.push_str(&r.run(&[], &args));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn json() {
    let r = fixture();
    insta::assert_snapshot!(r.run(&[], &["plan", "start", "web.service", "--json"]));
}
