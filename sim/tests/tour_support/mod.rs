//! A real systemd 252 user manager as a [`Shell`], shared by the tour's tests and the scenario
//! differential (`replay_real_manager.rs`): commands run as the
//! sandbox user through `shared/tools/real-systemd as-user`, with the sandbox user's home,
//! runtime directory and name mapped to the scenario's (`/home/user`, `/run/user/1000`, `user`)
//! and `connect ADDRESS` provided as a shell function with the simulator's messages.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::process::Command;
use unitlab_sim::machine::Settings;
use unitlab_sim::scenario::Shell;

#[path = "../../../engine/tests/support/mod.rs"]
pub mod support;

/// `connect ADDRESS`: opens and closes an AF_UNIX stream connection to a socket path, or a TCP
/// one to `[HOST:]PORT`.
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

/// The real user manager, seen through a scenario's settings.
pub struct Real {
    home: String,
    runtime: String,
    user: String,
    settings: Settings,
}

impl Real {
    /// A shell on the real manager for a scenario with `settings`.
    pub fn new(settings: Settings) -> Real {
        let (env, _) = support::user_manager_env();
        let get = |k: &str| env.get(k).cloned().unwrap_or_default();
        Real {
            home: get("HOME"),
            runtime: get("XDG_RUNTIME_DIR"),
            user: get("USER"),
            settings,
        }
    }

    /// Runs a script as the sandbox user; stdout and stderr interleaved, and the status.
    pub fn raw(&self, script: &str) -> (String, i32) {
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

    /// Everything below the home and the runtime unit directories.
    pub fn snapshot(&self) -> BTreeSet<String> {
        let (out, _) = self.raw(
            "find ~ \"$XDG_RUNTIME_DIR/systemd\" -mindepth 1 -not -path '*/.cache*' 2>/dev/null | sort",
        );
        out.lines().map(str::to_owned).collect()
    }

    /// Stops the units the scenario created and removes every file it left.
    pub fn clean(&self, before: &BTreeSet<String>) {
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
