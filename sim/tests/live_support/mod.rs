//! The machinery of the live runtime differentials (`manager_live.rs`: hand-written cases;
//! `runtime_random_live.rs`: random ones). A case (unit files and `systemctl --user` steps) runs
//! on the live systemd 252 user manager (`support::user_manager()`) and on the simulator, and the
//! outputs (stdout and stderr interleaved) and exit statuses are compared after normalizing what
//! is volatile (PIDs, times, the home directory, cgroup paths). Every case cleans up after itself.
#![allow(dead_code)]

#[path = "../manager_common.rs"]
mod manager_common;
#[path = "../../../engine/tests/support/mod.rs"]
pub mod support;

use manager_common::Machine;
use std::path::{Path, PathBuf};

/// One step of a case.
#[derive(Clone, Copy, Debug)]
pub enum Step<'a> {
    /// `systemctl --user ARGS`.
    Ctl(&'a str),
    /// `systemctl --user ARGS`, output not compared: the live result is racy (whether a stop
    /// warns about a changed unit file depends on whether the unit was garbage-collected before
    /// systemctl asked; whether a `Type=exec` start of `/bin/false` fails depends on whether the
    /// exit or the exec() acknowledgement arrives first; both happen on the live manager).
    Racy(&'a str),
    /// Wait this many milliseconds.
    Sleep(u64),
    /// Rewrite a unit file (name, text).
    Write(&'a str, &'a str),
    /// `systemctl --user mask`/`unmask` (output not compared: the install verbs are the CLI's).
    Mask(&'a str),
    /// See [`Step::Mask`].
    Unmask(&'a str),
}
use Step::*;

/// Unit files (a `share:` prefix puts one in `~/.local/share/systemd/user`) and the steps.
pub struct Case<'a> {
    pub name: &'a str,
    pub units: &'a [(&'a str, &'a str)],
    pub steps: &'a [Step<'a>],
}

/// Where the live manager's units go.
pub struct Live {
    pub home: String,
    pub unit_dir: PathBuf,
    pub share_dir: PathBuf,
}

impl Live {
    /// The live manager, or `None` (with the reason printed; a panic under `CI=true`).
    pub fn start() -> Option<Live> {
        if !support::user_manager() {
            return None;
        }
        let (env, unit_dir) = support::user_manager_env();
        let home = env.get("HOME").cloned().expect("HOME of the oracle user");
        let share_dir = Path::new(&home).join(".local/share/systemd/user");
        Some(Live {
            home,
            unit_dir: PathBuf::from(unit_dir),
            share_dir,
        })
    }

    /// Runs `case` on both sides; one description per command whose output or status differs,
    /// and the number of commands compared. `print` shows both transcripts.
    pub fn compare(&self, case: &Case<'_>, print: bool) -> (Vec<String>, usize) {
        let theirs = run_real(case, &self.unit_dir, &self.share_dir);
        let (ours, violations) = run_sim(case);
        assert!(
            violations.is_empty(),
            "{}: invariant violations {violations:?}",
            case.name
        );
        let cmds: Vec<&str> = case
            .steps
            .iter()
            .filter_map(|s| if let Ctl(a) = s { Some(*a) } else { None })
            .collect();
        assert_eq!(theirs.len(), cmds.len(), "{}: live transcript", case.name);
        assert_eq!(ours.len(), cmds.len(), "{}: our transcript", case.name);
        let mut failures = Vec::new();
        for ((cmd, (t, tc)), (o, oc)) in cmds.iter().zip(&theirs).zip(&ours) {
            let t = normalize(t, &self.home);
            let o = normalize(o, "/home/user");
            if print {
                println!("$ systemctl --user {cmd}\n{t}? {tc}");
                if t != o || tc != oc {
                    println!("--- ours\n{o}? {oc}");
                }
            }
            if t != o || tc != oc {
                failures.push(format!(
                    "[{}] $ systemctl --user {cmd}\n--- live (exit {tc})\n{t}--- ours (exit {oc})\n{o}",
                    case.name
                ));
            }
        }
        (failures, cmds.len())
    }
}

/// Makes both transcripts comparable: PIDs, times and paths are volatile.
pub fn normalize(s: &str, home: &str) -> String {
    let s = s.replace(home, "~");
    let mut out = String::new();
    for line in s.lines() {
        let mut l = line.to_owned();
        // Which conflicting pair systemd names comes from iterating a hash table keyed by unit
        // pointers with a random per-process hash key (`transaction_merge_jobs()`).
        if let Some(i) = l.find("Transaction contains conflicting jobs ") {
            l.truncate(i);
            l.push_str("Transaction contains conflicting jobs [..]");
        }
        if let Some(i) = l.find(" since ") {
            l.truncate(i);
            l.push_str(" since [..]");
        }
        for key in ["   Duration: ", "     CGroup: "] {
            if let Some(rest) = l.strip_prefix(key) {
                let _ = rest;
                l = format!("{key}[..]");
            }
        }
        for key in ["    Process: ", "   Main PID: "] {
            if let Some(rest) = l.strip_prefix(key) {
                let tail = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                l = format!("{key}N{tail}");
            }
        }
        if let Some(i) = l.find("└─").or_else(|| l.find("├─")) {
            let (head, rest) = l.split_at(i + "└─".len());
            let tail = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            l = format!("{head}N{tail}");
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

fn real(args: &[&str]) -> (String, i32) {
    let out = support::real_systemd(args);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn real_ctl(args: &str) -> (String, i32) {
    // From `/`, where no file matches a unit pattern such as `rr-*` (bash would expand it).
    let cmd = format!("cd / && stdbuf -oL -eL systemctl --user --no-pager {args} 2>&1");
    real(&["as-user", "bash", "-c", &cmd])
}

struct Cleanup(Vec<PathBuf>, Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let names = self.1.join(" ");
        real_ctl(&format!("stop {names}"));
        real_ctl(&format!("reset-failed {names}"));
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
        real_ctl("daemon-reload");
    }
}

/// Runs a case on the live manager; reruns it (up to 3 times) when the files vanished meanwhile
/// or the manager reloaded behind our back (other tests share the oracle user and its manager).
fn run_real(case: &Case<'_>, unit_dir: &Path, share_dir: &Path) -> Vec<(String, i32)> {
    let mut last = Vec::new();
    for _ in 0..3 {
        let (out, undisturbed) = run_real_once(case, unit_dir, share_dir);
        if undisturbed {
            return out;
        }
        last = out;
    }
    last
}

fn run_real_once(case: &Case<'_>, unit_dir: &Path, share_dir: &Path) -> (Vec<(String, i32)>, bool) {
    let mut files = Vec::new();
    let mut names = Vec::new();
    let _ = std::fs::create_dir_all(share_dir);
    for (n, t) in case.units {
        let (dir, name) = match n.strip_prefix("share:") {
            Some(x) => (share_dir, x),
            None => (unit_dir, *n),
        };
        let p = dir.join(name);
        std::fs::write(&p, t).expect("write unit");
        files.push(p);
        names.push(name.to_owned());
    }
    for d in [unit_dir, share_dir] {
        let _ = std::process::Command::new("chown")
            .args(["-R", "unitlab-oracle:"])
            .arg(d)
            .status();
    }
    let _cleanup = Cleanup(files, names);
    real_ctl("daemon-reload");
    std::thread::sleep(std::time::Duration::from_millis(100));
    let mut out = Vec::new();
    for step in case.steps {
        match *step {
            Ctl(a) => out.push(real_ctl(a)),
            Racy(a) => {
                real_ctl(a);
            }
            Sleep(ms) => std::thread::sleep(std::time::Duration::from_millis(ms)),
            Write(n, t) => {
                std::fs::write(unit_dir.join(n), t).expect("rewrite unit");
            }
            Mask(n) => {
                real_ctl(&format!("mask {n}"));
            }
            Unmask(n) => {
                real_ctl(&format!("unmask {n}"));
            }
        }
        // The next command comes a moment later, as typed.
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    let present = _cleanup.0.iter().all(|p| p.exists());
    (out, present)
}

fn run_sim(case: &Case<'_>) -> (Vec<(String, i32)>, Vec<String>) {
    let mut m = Machine::new(case.units);
    let mut out = Vec::new();
    for step in case.steps {
        match *step {
            Ctl(a) => out.push(m.systemctl(a)),
            Racy(a) => {
                m.systemctl(a);
            }
            Sleep(ms) => m.sleep(ms * 1000),
            Write(n, t) => m.write(n, t),
            Mask(n) => m.mask(n),
            Unmask(n) => m.unmask(n),
        }
        m.sleep(30_000);
    }
    (out, m.manager.violations().to_vec())
}
