//! The tour's chapters that work below `/mnt/sysimage` with `systemctl --root` (a rescue system
//! repairing a disk), replayed in a real bash with the real `systemctl` of systemd 252:
//! `/mnt/sysimage` is moved into a scratch directory, and its path removed from the output.
//! Every command's output and status must match the chapter (wildcards allowed). This pins
//! those chapters' expected output to real systemd, whether or not the simulator can run them.
//!
//! The other system-scope chapters (install verbs on `/etc` and `/usr`, and a reboot) run on a
//! copy of the simulated machine's initial tree: absolute paths are moved below the copy,
//! `systemctl` gets `--root`, and `systemctl reboot` empties the copy's `/run` and `/tmp` (what
//! a boot does to them, reference §7.3).
#[path = "../../engine/tests/support/mod.rs"]
mod support;

use camino::Utf8Path;
use std::process::Command;
use unitlab_engine::fs::{copy_tree, DirFs};
use unitlab_sim::machine::{Machine, ShellScope};
use unitlab_sim::scenario::{self, Shell};
use unitlab_sim::tour;

const IMAGE: &str = "/mnt/sysimage";

struct Rescue {
    scratch: String,
}

impl Shell for Rescue {
    fn run(&mut self, command: &str) -> (String, i32) {
        let mapped = command.replace(IMAGE, &format!("{}{IMAGE}", self.scratch));
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("exec 2>&1\n{mapped}\n"))
            .env("SYSTEMD_LOG_COLOR", "0")
            .output()
            .expect("run bash");
        (
            String::from_utf8_lossy(&out.stdout).replace(&self.scratch, ""),
            out.status.code().unwrap_or(-1),
        )
    }
}

#[test]
fn rescue_chapters_match_the_real_systemctl_root() {
    if !support::systemctl() {
        return;
    }
    let mut ran = 0;
    for c in tour::chapters() {
        let sc = &c.scenario;
        let only_image = sc.steps.iter().all(|st| st.command.contains(IMAGE));
        if !only_image {
            continue;
        }
        let dir =
            std::env::temp_dir().join(format!("unitlab-tour-{}-{}", c.name, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let mut shell = Rescue {
            scratch: dir.to_string_lossy().into_owned(),
        };
        let report = scenario::run(sc, &mut shell);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            report.ok(),
            "{}: real systemctl --root disagrees:\n{}",
            c.name,
            report.diff()
        );
        println!("ok {} ({} commands)", c.name, sc.steps.len());
        ran += 1;
    }
    assert!(ran > 0, "no chapter works below {IMAGE}");
}

/// A copy of the machine's tree, driven by a real bash and the real `systemctl --root`.
struct Rooted {
    root: String,
}

impl Rooted {
    /// Moves absolute paths (after a space, quote or `=`) of the machine's top directories
    /// below the copy, and gives `systemctl` `--root`.
    fn map_line(&self, line: &str) -> String {
        let mut out = String::new();
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            if c == '/' && matches!(prev, ' ' | '\'' | '"' | '=' | '>') {
                let top = line[i + 1..]
                    .split(['/', ' ', '\'', '"'])
                    .next()
                    .unwrap_or("");
                if ["etc", "usr", "run", "lib", "home", "root", "tmp", "mnt"].contains(&top) {
                    out.push_str(&self.root);
                }
            }
            out.push(c);
            prev = c;
        }
        out.replacen("systemctl ", &format!("systemctl --root={} ", self.root), 1)
    }
}

impl Shell for Rooted {
    fn run(&mut self, command: &str) -> (String, i32) {
        let (first, rest) = command.split_once('\n').unwrap_or((command, ""));
        let mut script = if first.trim() == "systemctl reboot" {
            let r = &self.root;
            format!(
                "rm -rf {r}/run/* {r}/tmp/* && mkdir -p {r}/run/systemd/system {r}/run/user/1000"
            )
        } else {
            self.map_line(first)
        };
        if !rest.is_empty() {
            script.push('\n');
            script.push_str(rest);
        }
        let out = Command::new("bash")
            .args(["-c", &format!("exec 2>&1\ncd {}\n{script}\n", self.root)])
            .env("SYSTEMD_OFFLINE", "1")
            .env_remove("LANG")
            .env_remove("LC_ALL")
            .output()
            .expect("run bash");
        (
            String::from_utf8_lossy(&out.stdout).replace(&self.root, ""),
            out.status.code().unwrap_or(-1),
        )
    }
}

#[test]
fn system_chapters_match_the_real_systemctl_root() {
    if !support::systemctl() {
        return;
    }
    let mut ran = 0;
    for c in tour::chapters() {
        let sc = &c.scenario;
        let offline = sc.settings.scope == ShellScope::System
            && !sc.requires_manager
            && sc.steps.iter().all(|st| {
                !st.command.contains(IMAGE)
                    && !st.command.contains("--user")
                    && !st.command.contains('~')
                    && (!st.command.starts_with("systemctl")
                        || st.command == "systemctl reboot"
                        || [" enable", " disable", " mask", " unmask", " is-enabled"]
                            .iter()
                            .any(|v| st.command.contains(v)))
            });
        if !offline {
            continue;
        }
        let scratch = support::Scratch::new("tour-root");
        let root = Utf8Path::from_path(&scratch.0)
            .expect("utf-8 temp dir")
            .to_owned();
        let machine = Machine::new(sc.settings.clone());
        let dst = DirFs::new(&root).expect("scratch root");
        for top in [
            "/usr", "/etc", "/run", "/home", "/root", "/var", "/tmp", "/lib", "/bin", "/sbin",
        ] {
            copy_tree(machine.fs(), &dst, Utf8Path::new(top)).expect("copy the machine's tree");
        }
        let report = scenario::run(
            sc,
            &mut Rooted {
                root: root.to_string(),
            },
        );
        assert!(
            report.ok(),
            "{}: real systemctl --root disagrees:\n{}",
            c.name,
            report.diff()
        );
        println!("ok {} ({} commands)", c.name, sc.steps.len());
        ran += 1;
    }
    assert!(ran >= 2, "the system chapters no longer take part");
}
