//! Differential test of `name::mangle` against systemctl's own mangling (reference §2.3):
//! `systemctl --root=EMPTY is-enabled -- ARG` mangles ARG with the default suffix `.service`,
//! printing the glob notice and the "Invalid unit name ... escaped as ..." notice when applicable,
//! then `Failed to get unit file state for NAME: No such file or directory` (or, when mangling
//! fails, `Failed to mangle unit name or path 'ARG': Invalid argument`). We predict the whole stderr
//! from `mangle(ARG, service)` and compare. Arguments contain no `/`, because systemctl's install
//! verbs take those as unit-file paths before mangling (reference §4.0.4). Set `UNITLAB_SEED` to
//! replay; the seed and case count are printed.

mod support;

use std::process::Command;
use support::Rng;

use unitlab_engine::name::{mangle_with_notices, MangleOptions};

const PIECES: &[&str] = &[
    "a",
    "b",
    "Z",
    "0",
    ":",
    "_",
    ".",
    "-",
    "\\",
    "@",
    "%",
    " ",
    "ü",
    "*",
    "?",
    "[",
    "]",
    "!",
    "\t",
    "'",
    "x",
    "\\x2d",
    ".service",
    ".target",
    "@.service",
    ".waldo",
    "service",
    "mount",
];

fn arg(rng: &mut Rng) -> String {
    let len = match rng.below(12) {
        0..=7 => 1 + rng.below(5),
        8..=10 => 5 + rng.below(20),
        _ => 50 + rng.below(40),
    };
    (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

/// Checks systemctl's stderr for `is-enabled ARG` against our model: the notices come first, and
/// the last line names the mangled unit (or reports that mangling failed). Lines in between (e.g.
/// the loader's complaint that a mount cannot be templated) are the install logic's business.
/// Returns whether the argument was escaped and whether it was refused.
fn check(arg: &str, stderr: &str, seed: u64) -> (bool, bool) {
    let (notices, result) = mangle_with_notices(arg, MangleOptions::default(), Some("to check"));
    let lines: Vec<&str> = stderr.lines().collect();
    let ctx = || format!("seed {seed}: systemctl is-enabled -- {arg:?}; stderr:\n{stderr}");
    assert!(lines.len() > notices.len(), "{}", ctx());
    assert_eq!(&lines[..notices.len()], &notices[..], "{}", ctx());
    let last = lines[lines.len() - 1];
    match &result {
        Err(_) => assert_eq!(
            last,
            format!("Failed to mangle unit name or path '{arg}': Invalid argument"),
            "{}",
            ctx()
        ),
        Ok(m) => {
            let name = last
                .strip_prefix("Failed to get unit file state for ")
                .and_then(|rest| rest.rsplit_once(": "))
                .map(|(name, _)| name);
            assert_eq!(name, Some(m.name.as_str()), "{}", ctx());
        }
    }
    (
        result.as_ref().is_ok_and(|m| m.notice.is_some()),
        result.is_err(),
    )
}

#[test]
fn mangle_matches_systemctl() {
    if !support::systemctl() {
        return;
    }
    let root = support::Scratch::new("mangle-root");
    let seed = support::seed_from_env("UNITLAB_SEED");
    println!("name_mangle_systemctl seed: {seed} (replay with UNITLAB_SEED={seed})");
    let mut rng = Rng::new(seed);
    let fixed = [
        "foo bar",
        "foo",
        "foo*",
        "x.waldo",
        "@foo",
        "foo@",
        "a.b",
        "foo@bar baz.socket",
    ];
    let mut args: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    args.push("a".repeat(247));
    args.push("a".repeat(248));
    args.extend((0..600).map(|_| arg(&mut rng)));
    let (mut escaped, mut failed) = (0, 0);
    for a in &args {
        let out = Command::new("systemctl")
            .arg(format!("--root={}", root.path().display()))
            .args(["is-enabled", "--", a])
            .env("LC_ALL", "C")
            .env("SYSTEMCTL_SKIP_SYSV", "1")
            .env("SYSTEMD_LOG_COLOR", "0")
            .output()
            .expect("run systemctl");
        let (e, f) = check(a, &String::from_utf8_lossy(&out.stderr), seed);
        escaped += usize::from(e);
        failed += usize::from(f);
    }
    println!(
        "name_mangle_systemctl: {} cases agree with systemctl ({escaped} escaped, {failed} refused)",
        args.len()
    );
}
