//! The system-scope scenarios that only edit files and run install verbs, replayed with the
//! real `systemctl --root=DIR` (systemd 252) on a copy of the simulated machine's initial
//! filesystem: every command's output and status must match the scenario (wildcards allowed).
//! The install verbs give the same output through a running manager and offline (checked in
//! user scope by `replay_real_manager.rs`), so this pins the system-scope scenarios to systemd.
//!
//! A scenario takes part when its shell is root's and none of its commands needs a manager
//! (`--user`, runtime verbs) or the simulated shell alone (`connect`). Commands run in a real
//! bash with absolute paths (`/etc`, `/usr`, `/run`, `/lib`, `/home`, `/root`) moved below the
//! copy, `systemctl` given `--root`, and the copy's path removed from the output.
//!
//! `--root` is not the live system in every case: `unmask` of a mask whose name other links in
//! the configuration directory point at removes those links on a live system (checked on the
//! real user manager, `user-masked-rename.md`) but not under `--root`. System scenarios that
//! take part here avoid such cases.
#[path = "../../engine/tests/support/mod.rs"]
mod support;

use camino::{Utf8Path, Utf8PathBuf};
use std::process::Command;
use unitlab_engine::fs::{copy_tree, DirFs};
use unitlab_sim::machine::{Machine, ShellScope};
use unitlab_sim::scenario::{self, Shell};

const OFFLINE_VERBS: &[&str] = &[
    "enable",
    "disable",
    "reenable",
    "mask",
    "unmask",
    "add-wants",
    "add-requires",
    "set-default",
    "get-default",
    "is-enabled",
    "list-unit-files",
];

struct Rooted {
    root: Utf8PathBuf,
}

impl Rooted {
    fn map_command(&self, line: &str) -> String {
        let mut out = String::new();
        let mut prev = ' ';
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            if c == '/' && matches!(prev, ' ' | '\'' | '"' | '=') {
                let top = rest[1..].split(['/', ' ', '\'', '"']).next().unwrap_or("");
                if ["etc", "usr", "run", "lib", "home", "root"].contains(&top) {
                    out.push_str(self.root.as_str());
                }
            }
            out.push(c);
            prev = c;
            rest = &rest[c.len_utf8()..];
        }
        out.replacen("systemctl ", &format!("systemctl --root={} ", self.root), 1)
    }
}

impl Shell for Rooted {
    fn run(&mut self, command: &str) -> (String, i32) {
        let (first, rest) = command.split_once('\n').unwrap_or((command, ""));
        let mut script = self.map_command(first);
        if !rest.is_empty() {
            script.push('\n');
            script.push_str(rest);
        }
        let out = Command::new("bash")
            .args(["-c", &format!("exec 2>&1\ncd /tmp\n{script}\n")])
            .env("SYSTEMD_OFFLINE", "1")
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .output()
            .expect("run bash");
        let text = String::from_utf8_lossy(&out.stdout).replace(self.root.as_str(), "");
        let text = text
            .lines()
            .map(|l| match l.strip_prefix("bash: line ") {
                Some(r) => match r.split_once(": ") {
                    Some((n, msg)) if n.chars().all(|c| c.is_ascii_digit()) => {
                        format!("bash: {msg}\n")
                    }
                    _ => format!("{l}\n"),
                },
                None => format!("{l}\n"),
            })
            .collect();
        (text, out.status.code().unwrap_or(-1))
    }
}

fn takes_part(sc: &scenario::Scenario) -> bool {
    sc.settings.scope == ShellScope::System
        && !sc.requires_manager
        && sc.steps.iter().all(|s| {
            let words: Vec<&str> = s.command.split_whitespace().collect();
            match words.first() {
                Some(&"systemctl") => {
                    !words.contains(&"--user")
                        && words
                            .iter()
                            .skip(1)
                            .find(|w| !w.starts_with('-'))
                            .is_some_and(|v| OFFLINE_VERBS.contains(v))
                }
                Some(&"connect") | Some(&"sleep") | Some(&"journalctl") | Some(&"cd") => false,
                Some(_) => !s.command.contains('~') && !s.command.contains("$HOME"),
                None => false,
            }
        })
}

#[test]
fn system_scope_install_scenarios_match_systemctl_root() {
    if !support::systemctl() {
        return;
    }
    let dir = Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<Utf8PathBuf> = std::fs::read_dir(&dir)
        .expect("sim/scenarios")
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.ok()?.path()).ok())
        .filter(|p| p.extension() == Some("md") && p.file_name() != Some("README.md"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read scenario");
        let sc = scenario::parse(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        if !takes_part(&sc) {
            continue;
        }
        let scratch = support::Scratch::new("replay-root");
        let root = Utf8Path::from_path(scratch.path())
            .expect("utf-8 temp dir")
            .to_owned();
        let machine = Machine::new(sc.settings.clone());
        let dst = DirFs::new(&root).expect("scratch root");
        // Everything but /dev (a DirFs cannot make device nodes; masks only name /dev/null).
        for top in [
            "/usr", "/etc", "/run", "/home", "/root", "/var", "/tmp", "/lib", "/bin", "/sbin",
        ] {
            copy_tree(machine.fs(), &dst, Utf8Path::new(top)).expect("copy the machine's tree");
        }
        let report = scenario::run(&sc, &mut Rooted { root });
        ran += 1;
        if report.ok() {
            println!("ok {file} ({} commands)", sc.steps.len());
        } else {
            println!("MISMATCH {file}\n{}", report.diff());
            failures.push(file.to_string());
        }
    }
    println!("{ran} system-scope scenarios replayed with systemctl --root");
    assert!(ran > 0, "no scenario takes part");
    assert!(
        failures.is_empty(),
        "scenarios systemctl --root disagrees with: {failures:?}"
    );
}
