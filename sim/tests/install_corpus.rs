//! The install verbs on the real-world corpus (issue 3): the merged tree of ~180 Debian 12
//! packages' units built by `scripts/fetch-corpus` (see `scripts/README.md`), compared with
//! `systemctl --root`:
//!
//! - `list-unit-files`, in system scope and with `--global` (plain table, `-o json`);
//! - `is-enabled` of every unit (system scope) and of every user unit (`--global`);
//! - `preset-all` (system and `--global`): output and resulting tree;
//! - `enable`, `disable`, `mask` and `unmask` of every unit, each on a fresh copy.
//!
//! Everything must be identical: stdout, stderr (root replaced by `ROOT`), exit status and the
//! whole tree afterwards. "Fresh copy" is implemented by restoring `etc/` and `run/` of the twin
//! copies from the pristine corpus after every step (the only places these verbs write to; the
//! whole tree is still compared after every step, so a stray write elsewhere would be caught).
//!
//! Without a corpus the test prints `SKIP` and passes; under `CI=true` it fails.

#[path = "../../engine/tests/support/mod.rs"]
mod support;

#[path = "../../engine/tests/corpus/mod.rs"]
mod corpus;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_tree(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).expect("mkdir");
    for e in fs::read_dir(src).expect("read_dir").flatten() {
        let from = e.path();
        let to = dst.join(e.file_name());
        let meta = fs::symlink_metadata(&from).expect("lstat");
        if meta.file_type().is_symlink() {
            symlink(fs::read_link(&from).expect("readlink"), &to).expect("symlink");
        } else if meta.is_dir() {
            copy_tree(&from, &to);
        } else {
            fs::copy(&from, &to).expect("copy");
        }
    }
}

fn snapshot_tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(rd) = fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(root)
                .expect("inside root")
                .to_string_lossy()
                .into_owned();
            let Ok(meta) = fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                let t = fs::read_link(&p).map(|t| t.display().to_string());
                out.insert(rel, format!("-> {}", t.unwrap_or_default()));
            } else if meta.is_dir() {
                out.insert(rel, "dir".to_owned());
                walk(root, &p, out);
            } else {
                out.insert(rel, format!("file {}", meta.len()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[derive(Debug, PartialEq, Eq)]
struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run(program: &Path, root: &Path, args: &[&str]) -> Run {
    let out = Command::new(program)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("LC_ALL", "C.UTF-8")
        .env("SYSTEMCTL_SKIP_SYSV", "1")
        .arg(format!("--root={}", root.display()))
        .arg("--no-pager")
        .args(args)
        .output()
        .expect("run");
    let norm = |b: &[u8]| String::from_utf8_lossy(b).replace(&root.display().to_string(), "ROOT");
    Run {
        stdout: norm(&out.stdout),
        stderr: norm(&out.stderr),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Twin copies of the corpus and the pristine original.
struct Twins {
    pristine: PathBuf,
    a: PathBuf,
    b: PathBuf,
    _scratch: support::Scratch,
}

impl Twins {
    fn new(pristine: &Path) -> Twins {
        let scratch = support::Scratch::new("install-corpus");
        let (a, b) = (scratch.path().join("a"), scratch.path().join("b"));
        copy_tree(pristine, &a);
        copy_tree(pristine, &b);
        Twins {
            pristine: pristine.to_owned(),
            a,
            b,
            _scratch: scratch,
        }
    }

    /// Puts `etc/` and `run/` back as in the corpus.
    fn restore(&self) {
        for t in [&self.a, &self.b] {
            for d in ["etc", "run"] {
                let _ = fs::remove_dir_all(t.join(d));
                if self.pristine.join(d).is_dir() {
                    copy_tree(&self.pristine.join(d), &t.join(d));
                }
            }
        }
    }

    /// Runs `args` on both copies; a description of the difference, if any.
    fn compare(&self, args: &[&str]) -> Option<String> {
        let ours = PathBuf::from(env!("CARGO_BIN_EXE_unitlab"));
        let want = run(Path::new("systemctl"), &self.a, args);
        let got = run(&ours, &self.b, args);
        let (ta, tb) = (snapshot_tree(&self.a), snapshot_tree(&self.b));
        if want == got && ta == tb {
            return None;
        }
        let mut diff = String::new();
        for k in ta.keys().chain(tb.keys()) {
            if ta.get(k) != tb.get(k) && !diff.contains(&format!("    {k}:")) {
                diff.push_str(&format!(
                    "    {k}: systemctl {:?} / unitlab {:?}\n",
                    ta.get(k),
                    tb.get(k)
                ));
            }
        }
        Some(format!(
            "`{}`:\n  systemctl: {want:?}\n  unitlab:   {got:?}\n{diff}",
            args.join(" ")
        ))
    }
}

/// Valid unit names in the given directories of the corpus.
fn unit_names(merged: &Path, dirs: &[&'static str]) -> Vec<String> {
    let set: BTreeSet<String> = corpus::entries(merged, dirs)
        .into_iter()
        .filter(|e| !e.is_dir && unitlab_engine::name::is_valid(&e.name))
        .map(|e| e.name)
        .collect();
    set.into_iter().collect()
}

fn finish(what: &str, checks: usize, failures: Vec<String>) {
    eprintln!(
        "install_corpus {what}: {checks} checks, {} differ",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{what}: {} of {checks} corpus checks differ from systemctl:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn setup() -> Option<PathBuf> {
    if !support::systemctl() {
        return None;
    }
    corpus::merged()
}

#[test]
fn corpus_list_unit_files_and_is_enabled() {
    let Some(merged) = setup() else {
        return;
    };
    let twins = Twins::new(&merged);
    let mut failures = Vec::new();
    let mut checks = 0;
    for args in [
        vec!["list-unit-files"],
        vec!["list-unit-files", "-o", "json"],
        vec!["--global", "list-unit-files"],
        vec!["--global", "list-unit-files", "-o", "json-pretty"],
    ] {
        checks += 1;
        failures.extend(twins.compare(&args));
    }
    for name in unit_names(&merged, corpus::SYSTEM_DIRS) {
        checks += 1;
        failures.extend(twins.compare(&["is-enabled", &name]));
    }
    for name in unit_names(&merged, corpus::USER_DIRS) {
        checks += 1;
        failures.extend(twins.compare(&["--global", "is-enabled", &name]));
    }
    finish("list-unit-files/is-enabled", checks, failures);
}

#[test]
fn corpus_preset_all() {
    let Some(merged) = setup() else {
        return;
    };
    let mut failures = Vec::new();
    let mut checks = 0;
    for args in [
        vec!["preset-all"],
        vec!["--global", "preset-all"],
        vec!["preset-all", "--preset-mode=enable-only"],
        vec!["preset-all", "--preset-mode=disable-only"],
    ] {
        let twins = Twins::new(&merged);
        checks += 1;
        failures.extend(twins.compare(&args));
        // The state of every unit afterwards, in one listing.
        checks += 1;
        failures.extend(twins.compare(&["list-unit-files"]));
    }
    finish("preset-all", checks, failures);
}

#[test]
fn corpus_enable_disable_mask_unmask_every_unit() {
    let Some(merged) = setup() else {
        return;
    };
    let names = unit_names(&merged, corpus::SYSTEM_DIRS);
    let work: Vec<(&'static str, String)> = ["enable", "disable", "mask", "unmask"]
        .into_iter()
        .flat_map(|v| names.iter().map(move |n| (v, n.clone())))
        .collect();
    let half = work.len() / 2;
    let (w1, w2) = work.split_at(half);
    let (w1, w2) = (w1.to_vec(), w2.to_vec());
    let handles: Vec<_> = [w1, w2]
        .into_iter()
        .map(|chunk| {
            let merged = merged.clone();
            std::thread::spawn(move || {
                let twins = Twins::new(&merged);
                let mut failures = Vec::new();
                for (verb, name) in &chunk {
                    if let Some(f) = twins.compare(&[verb, name]) {
                        failures.push(f);
                    }
                    twins.restore();
                }
                (chunk.len(), failures)
            })
        })
        .collect();
    let mut failures = Vec::new();
    let mut checks = 0;
    for h in handles {
        let (n, f) = h.join().expect("worker");
        checks += n;
        failures.extend(f);
    }
    finish("enable/disable/mask/unmask", checks, failures);
}
