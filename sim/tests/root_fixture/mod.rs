//! A unit tree in a temporary directory and `unitlab --root=DIR` run on it in-process, for the
//! CLI snapshot tests.
#![allow(dead_code)]
use camino::Utf8PathBuf;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

/// A unit tree in a temporary directory, removed on drop.
pub struct Root(pub Utf8PathBuf);

impl Root {
    /// An empty tree; `tag` names the temporary directory.
    pub fn new(tag: &str) -> Root {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("unitlab-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("mkdir root");
        Root(Utf8PathBuf::from_path_buf(p).expect("utf-8 temp dir"))
    }
    /// Writes a unit file below `/etc/systemd/system`.
    pub fn unit(&self, name: &str, text: &str) -> &Root {
        let p = self.0.join("etc/systemd/system").join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        self
    }
    /// Creates a symlink below `/etc/systemd/system`.
    pub fn link(&self, rel: &str, target: &str) -> &Root {
        let p = self.0.join("etc/systemd/system").join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(target, Path::new(p.as_str())).expect("symlink");
        self
    }
    /// Runs `unitlab --root=DIR ARGS` in-process with `env`; the transcript, with the root
    /// shown as `ROOT`.
    pub fn run(&self, env: &[(&str, &str)], args: &[&str]) -> String {
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
