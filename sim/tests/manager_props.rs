//! Property tests of the runtime manager over random unit sets and command sequences, with names
//! from a tiny universe so that dependencies and commands collide. After every step the
//! manager's invariants must hold (issue 5): a masked unit never becomes active; an active unit's
//! `Requires=` dependencies are active or being started (unless they went down after it started,
//! which systemd allows); no job waits forever. The same inputs give the same transcript.
//! proptest prints the failing case (units and commands) and its seed.
mod manager_common;

use manager_common::Machine;
use proptest::prelude::*;

const SERVICES: [&str; 4] = ["a.service", "b.service", "c.service", "d.service"];
const ALL: [&str; 5] = [
    "a.service",
    "b.service",
    "c.service",
    "d.service",
    "t.target",
];
const EXEC: [&str; 7] = [
    "/bin/true",
    "/bin/false",
    "/bin/sleep 1",
    "/bin/sh -c 'exit 3'",
    "/bin/sh -c 'sleep 2; exit 1'",
    "/usr/bin/daemon --foreground",
    "-/bin/false",
];
const TYPES: [&str; 5] = ["simple", "oneshot", "forking", "notify", "exec"];
const RESTART: [&str; 5] = ["no", "on-failure", "always", "on-abnormal", "on-success"];
const DEPS: [&str; 11] = [
    "Requires",
    "Wants",
    "BindsTo",
    "Requisite",
    "PartOf",
    "Conflicts",
    "After",
    "Before",
    "OnFailure",
    "Upholds",
    "OnSuccess",
];

#[derive(Clone, Debug)]
struct UnitSpec {
    kind: usize,
    exec: usize,
    remain: bool,
    restart: usize,
    stop_when_unneeded: bool,
    pre: Option<usize>,
    deps: Vec<(usize, usize)>,
    /// 0: a file, 1: masked, 2: missing.
    presence: u8,
}

fn unit_spec() -> impl Strategy<Value = UnitSpec> {
    (
        0..TYPES.len(),
        0..EXEC.len(),
        any::<bool>(),
        0..RESTART.len(),
        prop::bool::weighted(0.2),
        prop::option::weighted(0.2, 0..EXEC.len()),
        prop::collection::vec((0..DEPS.len(), 0..ALL.len()), 0..4),
        prop_oneof![8 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
    )
        .prop_map(
            |(kind, exec, remain, restart, stop_when_unneeded, pre, deps, presence)| UnitSpec {
                kind,
                exec,
                remain,
                restart,
                stop_when_unneeded,
                pre,
                deps,
                presence,
            },
        )
}

fn render(name: &str, s: &UnitSpec) -> String {
    let mut t = String::from("[Unit]\n");
    for (k, o) in &s.deps {
        if ALL[*o] != name {
            t.push_str(&format!("{}={}\n", DEPS[*k], ALL[*o]));
        }
    }
    if s.stop_when_unneeded {
        t.push_str("StopWhenUnneeded=yes\n");
    }
    if name.ends_with(".target") {
        t.push_str("AllowIsolate=yes\n");
        return t;
    }
    t.push_str("[Service]\n");
    t.push_str(&format!("Type={}\n", TYPES[s.kind]));
    t.push_str(&format!("ExecStart={}\n", EXEC[s.exec]));
    if let Some(p) = s.pre {
        t.push_str(&format!("ExecStartPre={}\n", EXEC[p]));
    }
    if s.remain {
        t.push_str("RemainAfterExit=yes\n");
    }
    t.push_str(&format!(
        "Restart={}\nRestartSec=300ms\nTimeoutStartSec=5\n",
        RESTART[s.restart]
    ));
    t
}

#[derive(Clone, Debug)]
enum Cmd {
    Ctl(&'static str, usize),
    Kill(&'static str, usize),
    Sleep(u64),
    Mask(usize),
    Unmask(usize),
    Reload,
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        4 => (prop::sample::select(vec!["start", "stop", "restart", "try-restart", "reload-or-restart", "reset-failed", "is-active", "status"]), 0..ALL.len()).prop_map(|(v, u)| Cmd::Ctl(v, u)),
        1 => (prop::sample::select(vec!["KILL", "TERM", "HUP", "SEGV"]), 0..SERVICES.len()).prop_map(|(s, u)| Cmd::Kill(s, u)),
        2 => prop::sample::select(vec![1_000u64, 150_000, 1_000_000, 3_000_000]).prop_map(Cmd::Sleep),
        1 => (0..ALL.len()).prop_map(Cmd::Mask),
        1 => (0..ALL.len()).prop_map(Cmd::Unmask),
        1 => Just(Cmd::Reload),
    ]
}

/// Runs a case; returns the transcript, or the first invariant violation.
fn run(units: &[UnitSpec], cmds: &[Cmd]) -> Result<String, String> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut masked: Vec<String> = Vec::new();
    for (name, spec) in ALL.iter().zip(units) {
        match spec.presence {
            0 => files.push((name.to_string(), render(name, spec))),
            1 => {
                files.push((format!("share:{name}"), render(name, spec)));
                masked.push(name.to_string());
            }
            _ => {}
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let mut m = Machine::new(&refs);
    for n in &masked {
        m.mask(n);
    }
    let mut transcript = String::new();
    for (i, c) in cmds.iter().enumerate() {
        let line = match c {
            Cmd::Ctl(v, u) => {
                let (o, code) = m.systemctl(&format!("{v} {}", ALL[*u]));
                format!("$ {v} {}\n{o}? {code}\n", ALL[*u])
            }
            Cmd::Kill(s, u) => {
                let (o, code) = m.systemctl(&format!("kill -s {s} {}", SERVICES[*u]));
                format!("$ kill -s {s} {}\n{o}? {code}\n", SERVICES[*u])
            }
            Cmd::Sleep(us) => {
                m.sleep(*us);
                format!("$ sleep {us}us\n")
            }
            Cmd::Mask(u) => {
                let n = ALL[*u];
                use unitlab_engine::fs::FileSystem;
                let p = format!("{}/{n}", manager_common::UNIT_DIR);
                let _ = m.fs.remove_file(camino::Utf8Path::new(&p));
                m.mask(n);
                format!("$ mask {n}\n")
            }
            Cmd::Unmask(u) => {
                let n = ALL[*u];
                let spec = &units[*u];
                m.unmask(n);
                // Unmasking a unit whose file is in the masked directory brings the file back.
                if spec.presence == 0 {
                    m.write(n, &render(n, spec));
                }
                format!("$ unmask {n}\n")
            }
            Cmd::Reload => {
                m.daemon_reload();
                "$ daemon-reload\n".to_owned()
            }
        };
        transcript.push_str(&line);
        if let Some(v) = m.manager.violations().first() {
            return Err(format!("after step {i} ({c:?}): {v}\n{transcript}"));
        }
    }
    // Let everything settle: nothing may stay queued.
    m.sleep(120_000_000);
    if let Some(v) = m.manager.violations().first() {
        return Err(format!("after settling: {v}\n{transcript}"));
    }
    for e in &m.journal.entries {
        transcript.push_str(&format!("{} {}\n", e.monotonic, e.message));
    }
    Ok(transcript)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_and_runs_are_deterministic(
        units in prop::collection::vec(unit_spec(), ALL.len()),
        cmds in prop::collection::vec(cmd(), 1..25),
    ) {
        let first = run(&units, &cmds);
        prop_assert!(first.is_ok(), "{}", first.as_ref().err().cloned().unwrap_or_default());
        let second = run(&units, &cmds);
        prop_assert_eq!(first, second, "same inputs, different transcripts");
    }
}
