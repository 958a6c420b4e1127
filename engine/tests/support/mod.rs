//! Shared helpers for differential tests against the real systemd 252 oracles.
//!
//! With `CI=true` an oracle that is missing is a hard failure; elsewhere the test is skipped with the
//! reason printed. Include from other test crates with
//! `#[path = "../../engine/tests/support/mod.rs"] mod support;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// True when running under CI (`CI=true`): oracles are mandatory.
pub fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate dir has a parent")
        .to_path_buf()
}

/// `shared/tools/real-systemd`: `$UNITLAB_REAL_SYSTEMD`, else the first `shared/tools/real-systemd`
/// found beside the workspace or one of its ancestors (CI clones the repo with `shared/` beside it).
pub fn real_systemd_tool() -> PathBuf {
    if let Ok(p) = std::env::var("UNITLAB_REAL_SYSTEMD") {
        return PathBuf::from(p);
    }
    let root = workspace_root();
    for dir in root.ancestors() {
        let candidate = dir.join("shared/tools/real-systemd");
        if candidate.exists() {
            return candidate;
        }
    }
    root.join("../shared/tools/real-systemd")
}

/// Checks that an oracle is usable. Returns `true` if the test should run, `false` (after printing
/// why) if it should be skipped; panics under CI.
pub fn oracle(name: &str, usable: Result<(), String>) -> bool {
    match usable {
        Ok(()) => true,
        Err(why) => {
            if in_ci() {
                panic!("oracle {name} is required under CI=true but unusable: {why}");
            }
            eprintln!("SKIP: oracle {name} unusable: {why}");
            false
        }
    }
}

/// Checks that `program --version` runs and mentions systemd 252.
pub fn probe_systemd_binary(program: &str) -> Result<(), String> {
    let out = Command::new(program)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("systemd 252") {
        Ok(())
    } else {
        Err(format!(
            "{program} --version says {:?}, not systemd 252",
            text.lines().next()
        ))
    }
}

/// Gate for the `systemctl --root` oracle.
pub fn systemctl() -> bool {
    oracle("systemctl", probe_systemd_binary("systemctl"))
}

/// Gate for the `systemd-analyze` oracle.
pub fn systemd_analyze() -> bool {
    oracle("systemd-analyze", probe_systemd_binary("systemd-analyze"))
}

/// Gate for the `systemd-escape` oracle.
pub fn systemd_escape() -> bool {
    oracle("systemd-escape", probe_systemd_binary("systemd-escape"))
}

/// Gate for `real-systemd test-transaction` (`systemd --test`, run as `nobody`).
pub fn test_transaction() -> bool {
    let tool = real_systemd_tool();
    let usable = if !tool.exists() {
        Err(format!("{} is missing", tool.display()))
    } else if !Path::new("/lib/systemd/systemd").exists() {
        Err("/lib/systemd/systemd is missing".to_string())
    } else if !is_root() {
        Err("real-systemd test-transaction needs root (it switches to nobody)".to_string())
    } else {
        Ok(())
    };
    oracle("real-systemd test-transaction", usable)
}

/// Runs `real-systemd test-transaction DIR UNIT` and returns systemd's dump (stdout+stderr).
pub fn run_test_transaction(dir: &Path, unit: &str) -> String {
    let out = Command::new("bash")
        .arg(real_systemd_tool())
        .arg("test-transaction")
        .arg(dir)
        .arg(unit)
        .output()
        .expect("run real-systemd test-transaction");
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    s
}

/// The uid this test runs as (`id -u`).
pub fn current_uid() -> u32 {
    let out = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("numeric uid")
}

/// A command running `program` as `uid`: directly when `uid` is `my_uid`, else through
/// `setpriv --reuid UID --regid UID --clear-groups`.
pub fn command_as(program: &str, uid: u32, my_uid: u32) -> Command {
    if uid == my_uid {
        Command::new(program)
    } else {
        let mut c = Command::new("setpriv");
        let id = uid.to_string();
        c.args(["--reuid", &id, "--regid", &id, "--clear-groups", program]);
        c
    }
}

/// The environment variable `var` parsed as a `T`, else `default` (unset or unparseable).
pub fn env_or<T: std::str::FromStr>(var: &str, default: T) -> T {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A fresh scratch directory under the system temp dir, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// Creates a new empty scratch directory whose name starts with `tag`.
    pub fn new(tag: &str) -> Scratch {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("unitlab-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create scratch dir");
        Scratch(p)
    }
    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts (or finds running) the real `systemd --user` manager of `real-systemd`, and returns
/// whether tests may use it (printing the reason when not; panicking under CI).
///
/// On hosts whose PID 1 is not systemd, `/run/systemd/system` is missing and `systemd --user`
/// refuses to start ("the system has not been booted with systemd"). Then the manager is started in
/// a private mount namespace where a tmpfs over `/run/systemd` holds an empty `system/` directory,
/// which is what `sd_booted()` checks. Nothing changes for other processes on the host; the
/// manager's sockets live in `/run/user/UID`, which stays shared, so `real-systemd as-user` reaches
/// it as usual.
pub fn user_manager() -> bool {
    oracle("real-systemd user-manager", start_user_manager())
}

fn start_user_manager() -> Result<(), String> {
    let tool = real_systemd_tool();
    if !tool.exists() {
        return Err(format!("{} is missing", tool.display()));
    }
    if !is_root() {
        return Err("real-systemd user-manager needs root".to_string());
    }
    let status = Command::new("bash")
        .arg(&tool)
        .args(["user-manager", "status"])
        .output();
    if matches!(&status, Ok(o) if o.status.success()) {
        return Ok(());
    }
    let direct = Command::new("bash")
        .arg(&tool)
        .args(["user-manager", "start"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", tool.display()))?;
    if direct.status.success() {
        return Ok(());
    }
    let script = format!(
        "mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/system && exec bash '{}' user-manager start",
        tool.display()
    );
    let namespaced = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash", "-c", &script])
        .output()
        .map_err(|e| format!("cannot run unshare: {e}"))?;
    if namespaced.status.success() {
        Ok(())
    } else {
        Err(format!(
            "the user manager did not start, directly ({}) nor in a private mount namespace ({})",
            String::from_utf8_lossy(&direct.stderr)
                .trim()
                .replace('\n', " "),
            String::from_utf8_lossy(&namespaced.stderr)
                .trim()
                .replace('\n', " ")
        ))
    }
}

/// The seed of a random run: the environment variable `var` if it is set and parses as a `u64`,
/// else the clock. Prints nothing: each test prints its own reproduction line.
pub fn seed_from_env(var: &str) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
}

/// A small deterministic generator (splitmix64) for random tests, seeded from `seed_from_env`.
pub struct Rng(pub u64);

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    /// One of `items`, which must not be empty.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Every path below `root` (relative, sorted) with what it is: `-> TARGET` for a symlink (target
/// text verbatim), `dir`, and for a file `= CONTENT` (lossy UTF-8) when `contents`, else
/// `file SIZE`. Used to compare the trees two implementations leave behind.
pub fn tree_listing(root: &Path, contents: bool) -> std::collections::BTreeMap<String, String> {
    fn walk(
        root: &Path,
        dir: &Path,
        contents: bool,
        out: &mut std::collections::BTreeMap<String, String>,
    ) {
        let rd =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read_dir {}: {e}", dir.display()));
        for e in rd {
            let p = e.expect("directory entry").path();
            let rel = p
                .strip_prefix(root)
                .expect("inside root")
                .to_string_lossy()
                .into_owned();
            let meta = std::fs::symlink_metadata(&p).expect("lstat");
            if meta.file_type().is_symlink() {
                let t = std::fs::read_link(&p).expect("readlink");
                out.insert(rel, format!("-> {}", t.display()));
            } else if meta.is_dir() {
                out.insert(rel, "dir".to_owned());
                walk(root, &p, contents, out);
            } else if contents {
                let c = std::fs::read(&p).expect("read");
                out.insert(rel, format!("= {}", String::from_utf8_lossy(&c)));
            } else {
                out.insert(rel, format!("file {}", meta.len()));
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(root, root, contents, &mut out);
    out
}

/// Runs `real-systemd ARGS...` and returns its output.
pub fn real_systemd(args: &[&str]) -> std::process::Output {
    Command::new("bash")
        .arg(real_systemd_tool())
        .args(args)
        .output()
        .expect("run real-systemd")
}

/// The environment `real-systemd as-user` gives commands (HOME, XDG_RUNTIME_DIR, ...), and the
/// sandbox user's unit directory.
pub fn user_manager_env() -> (std::collections::BTreeMap<String, String>, String) {
    hold_real_manager_lock();
    let out = real_systemd(&["as-user", "env"]);
    let mut env = std::collections::BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some((k, v)) = line.split_once('=') {
            env.insert(k.to_owned(), v.to_owned());
        }
    }
    let unit_dir = String::from_utf8_lossy(&real_systemd(&["unit-dir"]).stdout)
        .trim()
        .to_owned();
    (env, unit_dir)
}

/// Serialises the use of the one sandbox user manager across processes: several test binaries
/// (and several checkouts' test runs on one machine) drive the same real `systemd --user`, and
/// one run's `daemon-reload`s, unit files and `list-units` output must not leak into another's.
/// The first call takes an exclusive lock on a file in /tmp and keeps it until the process ends.
pub fn hold_real_manager_lock() {
    static LOCK: std::sync::OnceLock<Option<std::fs::File>> = std::sync::OnceLock::new();
    LOCK.get_or_init(|| {
        let path = std::env::temp_dir().join("unitlab-real-user-manager.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .ok()?;
        if file.try_lock().is_err() {
            eprintln!(
                "waiting for {} (another test run uses the real user manager)",
                path.display()
            );
            file.lock().ok()?;
        }
        Some(file)
    });
}
