//! Snapshots of `unitlab --root=DIR cat` on small fixtures (format of systemctl 252's `cat`:
//! `# PATH` headers, a blank line between files and between units, masked/not-found/error texts).
use camino::Utf8PathBuf;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

struct Root(Utf8PathBuf);

impl Root {
    fn new(tag: &str) -> Root {
        let p = std::env::temp_dir().join(format!("unitlab-cat-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("mkdir root");
        Root(Utf8PathBuf::from_path_buf(p).expect("utf-8 temp dir"))
    }
    fn file(&self, rel: &str, text: &str) -> &Root {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        self
    }
    fn link(&self, rel: &str, target: &str) -> &Root {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(target, Path::new(p.as_str())).expect("symlink");
        self
    }
    /// Runs `unitlab --root=ROOT cat ARGS...`; returns "exit N", stdout and stderr as one text.
    fn cat(&self, args: &[&str]) -> String {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let mut argv: Vec<OsString> = vec![
            "unitlab".into(),
            format!("--root={}", self.0).into(),
            "cat".into(),
        ];
        argv.extend(args.iter().map(OsString::from));
        let code = {
            let mut ctx = unitlab_sim::cli::Context {
                env: BTreeMap::new(),
                cwd: Utf8PathBuf::from("/"),
                out: &mut out,
                err: &mut err,
                fs: None,
            };
            unitlab_sim::cli::run_in(&mut ctx, argv)
        };
        format!(
            "exit {code}\n--- stdout\n{}--- stderr\n{}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&err)
        )
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const ETC: &str = "etc/systemd/system";
const LIB: &str = "lib/systemd/system";

fn fixture(tag: &str) -> Root {
    let r = Root::new(tag);
    r.file(
        &format!("{LIB}/a.service"),
        "[Unit]\nDescription=A\n\n[Service]\nExecStart=/bin/true\n",
    )
    .file(
        &format!("{LIB}/a.service.d/10-lib.conf"),
        "[Unit]\nDescription=lib drop-in\n",
    )
    .file(
        &format!("{ETC}/a.service.d/20-etc.conf"),
        "[Service]\nEnvironment=X=1",
    )
    .file(
        &format!("{ETC}/service.d/99-all.conf"),
        "[Unit]\nDocumentation=man:x(1)\n",
    )
    .link(
        &format!("{ETC}/al.service"),
        "/lib/systemd/system/a.service",
    )
    .link(&format!("{ETC}/m.service"), "/dev/null")
    .file(
        &format!("{LIB}/m.service"),
        "[Service]\nExecStart=/bin/true\n",
    )
    .file(
        &format!("{ETC}/e.service"),
        "[Service\nExecStart=/bin/true\n",
    )
    .file(
        &format!("{ETC}/bad.service"),
        "[Unit]\nDescription=no ExecStart\n",
    )
    .file(
        &format!("{LIB}/t@.service"),
        "[Service]\nExecStart=/bin/echo %i\n",
    )
    .file(
        &format!("{LIB}/t@x.service.d/x.conf"),
        "[Unit]\nDescription=instance x\n",
    )
    .file(
        &format!("{ETC}/crlf.service"),
        "[Service]\r\nExecStart=/bin/true\r\n",
    );
    r
}

#[test]
fn cat_fragment_and_dropins() {
    let r = fixture("frag");
    insta::assert_snapshot!(r.cat(&["a.service"]));
}

#[test]
fn cat_mangles_and_follows_aliases() {
    let r = fixture("alias");
    insta::assert_snapshot!(r.cat(&["al"]));
}

#[test]
fn cat_several_units_and_failures() {
    let r = fixture("several");
    insta::assert_snapshot!(r.cat(&[
        "a.service",
        "m.service",
        "nope.service",
        "e.service",
        "bad.service",
        "crlf.service"
    ]));
}

#[test]
fn cat_templates_and_instances() {
    let r = fixture("tmpl");
    insta::assert_snapshot!(r.cat(&["t@.service", "t@x.service"]));
}

#[test]
fn cat_glob() {
    let r = fixture("glob");
    insta::assert_snapshot!(r.cat(&["[ab]*.service"]));
}
