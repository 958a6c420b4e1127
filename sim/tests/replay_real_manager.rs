//! The real-manager differential of the scenarios (issue 5): every scenario in user scope
//! (`scope = user` in its `unitlab` block) is replayed against a real systemd 252 `systemd --user`
//! manager, through `shared/tools/real-systemd as-user`, and its output compared with the
//! scenario's expected output (wildcards allowed), exactly as `unitlab replay` compares the
//! simulator's. The sandbox user's home, runtime directory and name are mapped to the scenario's
//! (`/home/user`, `/run/user/1000`, `user`). `connect ADDRESS` is provided as a small shell
//! function with the simulator's messages.
//!
//! With `UNITLAB_REPLAY_BLESS_REAL=1`, mismatching scenarios are rewritten with the real
//! manager's output instead (review the result and add wildcards for volatile values).
//!
//! Runs every `sim/scenarios/*.md` in user scope, or the files in `UNITLAB_REPLAY_FILES`
//! (space-separated; `scripts/real-manager-replay FILE...` sets it). Skipped with a reason when
//! the manager cannot start; mandatory under `CI=true`.
//!
//! Each scenario's traces are removed afterwards: files and directories it created in the home
//! and in `$XDG_RUNTIME_DIR/systemd` are deleted (after stopping the units they define) and the
//! manager is reloaded. The manager is shared: scenarios use unit names no other test uses.
#[path = "../../engine/tests/support/mod.rs"]
mod support;

use camino::Utf8PathBuf;
use std::collections::BTreeSet;
use std::process::Command;
use unitlab_sim::machine::{Settings, ShellScope};
use unitlab_sim::scenario::{self, Shell};

/// `connect ADDRESS` on the real machine: a socket path (AF_UNIX stream) or `[HOST:]PORT`.
const PRELUDE: &str = r#"connect() {
  python3 - "$1" <<'PY'
import socket, sys
a = sys.argv[1]
try:
    if a.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(a)
    else:
        h, _, p = a.rpartition(":"); s = socket.create_connection((h or "127.0.0.1", int(p)))
    s.close()
except OSError as e:
    print("connect: %s: %s" % (a, "Connection refused" if isinstance(e, (ConnectionRefusedError, FileNotFoundError)) else e.strerror), file=sys.stderr)
    sys.exit(1)
PY
}"#;

struct Real {
    home: String,
    runtime: String,
    user: String,
    settings: Settings,
}

impl Real {
    fn new(settings: Settings) -> Real {
        let (env, _) = support::user_manager_env();
        let get = |k: &str| env.get(k).cloned().unwrap_or_default();
        Real {
            home: get("HOME"),
            runtime: get("XDG_RUNTIME_DIR"),
            user: get("USER"),
            settings,
        }
    }

    fn raw(&self, script: &str) -> (String, i32) {
        let full = format!("exec 2>&1\ncd ~ || exit 1\n{PRELUDE}\n{script}\n");
        let out = Command::new("bash")
            .arg(support::real_systemd_tool())
            .args(["as-user", "stdbuf", "-oL", "-eL", "bash", "-c", &full])
            .output()
            .expect("run real-systemd as-user");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }

    /// Everything below the home and the runtime unit directories (to clean up afterwards).
    fn snapshot(&self) -> BTreeSet<String> {
        let (out, _) =
            self.raw("find ~ \"$XDG_RUNTIME_DIR/systemd\" -mindepth 1 -not -path '*/.cache*' 2>/dev/null | sort");
        out.lines().map(str::to_owned).collect()
    }

    fn clean(&self, before: &BTreeSet<String>) {
        let after = self.snapshot();
        let new: Vec<&String> = after.difference(before).collect();
        let units: Vec<String> = new
            .iter()
            .filter_map(|p| p.rsplit('/').next())
            .filter(|n| {
                [".service", ".socket", ".timer", ".path", ".target"]
                    .iter()
                    .any(|s| n.ends_with(s))
            })
            .map(|n| format!("'{n}'"))
            .collect();
        let mut script = String::new();
        if !units.is_empty() {
            let list = units.join(" ");
            script.push_str(&format!(
                "systemctl --user stop {list} >/dev/null 2>&1; systemctl --user reset-failed {list} >/dev/null 2>&1\n"
            ));
        }
        for p in new.iter().rev() {
            script.push_str(&format!("rm -rf '{p}'\n"));
        }
        script.push_str("systemctl --user daemon-reload\n");
        let _ = self.raw(&script);
    }
}

impl Shell for Real {
    fn run(&mut self, command: &str) -> (String, i32) {
        let s = &self.settings;
        let command = command
            .replace(&s.home(), &self.home)
            .replace(&s.runtime_dir(), &self.runtime);
        let (out, status) = self.raw(&command);
        let out = out
            .replace(&self.home, &s.home())
            .replace(&self.runtime, &s.runtime_dir())
            .replace(&self.user, &s.user);
        // A non-interactive bash names the script line in its messages; a terminal's does not.
        let out = out
            .lines()
            .map(|l| match l.strip_prefix("bash: line ") {
                Some(rest) => match rest.split_once(": ") {
                    Some((n, msg)) if n.chars().all(|c| c.is_ascii_digit()) => {
                        format!("bash: {msg}\n")
                    }
                    _ => format!("{l}\n"),
                },
                None => format!("{l}\n"),
            })
            .collect();
        (out, status)
    }
}

fn scenario_files() -> Vec<Utf8PathBuf> {
    if let Ok(list) = std::env::var("UNITLAB_REPLAY_FILES") {
        if !list.trim().is_empty() {
            return list.split_whitespace().map(Utf8PathBuf::from).collect();
        }
    }
    let dir = Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<Utf8PathBuf> = std::fs::read_dir(&dir)
        .expect("sim/scenarios exists")
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.ok()?.path()).ok())
        .filter(|p| p.extension() == Some("md") && p.file_name() != Some("README.md"))
        .collect();
    files.sort();
    files
}

#[test]
fn user_scope_scenarios_match_a_real_user_manager() {
    if !support::user_manager() {
        return;
    }
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in scenario_files() {
        let text = std::fs::read_to_string(&file).expect("read scenario");
        let sc = scenario::parse(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        if sc.settings.scope != ShellScope::User {
            continue;
        }
        let mut real = Real::new(sc.settings.clone());
        let before = real.snapshot();
        let report = scenario::run(&sc, &mut real);
        real.clean(&before);
        ran += 1;
        if report.ok() {
            println!("ok {file} ({} commands)", sc.steps.len());
        } else if std::env::var("UNITLAB_REPLAY_BLESS_REAL").is_ok_and(|v| v == "1") {
            // Take the real manager's output as the expectation (then review it, and add
            // wildcards for times and PIDs).
            std::fs::write(&file, report.blessed(&sc)).expect("write scenario");
            println!("blessed {file} from the real user manager");
        } else {
            println!("MISMATCH {file}\n{}", report.diff());
            failures.push(file.to_string());
        }
    }
    println!("{ran} user-scope scenarios replayed on the real user manager");
    assert!(
        failures.is_empty(),
        "scenarios whose expected output a real systemd --user manager does not give: {failures:?}"
    );
}
