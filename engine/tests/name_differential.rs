//! Differential test of `unitlab_engine::name` against the real `systemd-escape` 252 (reference §2.2,
//! §2.3): random strings from a small, collision-prone alphabet (ASCII, spaces, `/`, `.`, `-`, `\`,
//! `@`, `%`, glob bytes, non-ASCII, escape fragments, components longer than 255 bytes) are escaped,
//! path-escaped, unescaped, mangled, put into a template and given a suffix, by us and by
//! `systemd-escape`, many strings per process.
//!
//! Successes are compared in batches (the whole stdout must be identical); every string we refuse is
//! run on its own and `systemd-escape` must refuse it too. Set `UNITLAB_SEED` to replay a run; the
//! seed and the number of cases are printed.

mod support;

use std::process::{Command, Output};
use support::Rng;

use unitlab_engine::name::{self, MangleOptions, UnitName, UnitType};

/// Pieces that strings are made of: a tiny universe so that interesting collisions happen.
const PIECES: &[&str] = &[
    "a",
    "b",
    "Z",
    "0",
    "9",
    ":",
    "_",
    ".",
    "..",
    "-",
    "--",
    "\\",
    "@",
    "%",
    "%i",
    " ",
    "/",
    "//",
    "/./",
    "/../",
    "ü",
    "€",
    "\u{1f600}",
    "*",
    "?",
    "[",
    "]",
    "!",
    "\t",
    "'",
    "\"",
    "x",
    "\\x",
    "\\x2",
    "\\x2d",
    "\\x2F",
    "\\xzz",
    "\\x00",
    "\\xc3\\xbc",
    "\\xff",
    ".service",
    "@.service",
    ".mount",
    ".waldo",
    "service",
    "dev",
    "sys",
];

/// Pieces for strings that are meant to be unescaped (valid and invalid escapes).
const UNESCAPE_PIECES: &[&str] = &[
    "a",
    "b",
    ".",
    "-",
    "--",
    "\\x2d",
    "\\x2D",
    "\\x2f",
    "\\x2e",
    "\\x20",
    "\\x40",
    "\\xc3\\xbc",
    "\\xff",
    "\\x00",
    "\\x",
    "\\x4",
    "\\y41",
    "\\",
    "\\xg0",
    "@",
    " ",
    "\\x5c",
    ":",
    "_",
];

fn random_string(rng: &mut Rng, pieces: &[&str]) -> String {
    let len = match rng.below(10) {
        0 => 0,
        1..=6 => 1 + rng.below(6),
        7 | 8 => 5 + rng.below(20),
        _ => 40 + rng.below(120),
    };
    let mut s = String::new();
    for _ in 0..len {
        s.push_str(rng.pick(pieces));
    }
    s
}

/// A random path: absolute or relative, with short and long components (some over 255 bytes),
/// doubled slashes and dot components, so that long names get hashed.
fn random_path(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.below(8) != 0 {
        s.push('/');
    }
    let max = if rng.below(3) == 0 { 12 } else { 4 };
    let n = 1 + rng.below(max);
    for i in 0..n {
        if i > 0 {
            s.push_str(rng.pick(&["/", "/", "/", "//", "/./"]));
        }
        match rng.below(12) {
            0 => s.push_str(rng.pick(&[".", "..", ".hidden", "-", "dev", "sys"])),
            1 => s.push_str(&"L".repeat(200 + rng.below(70))),
            2 | 3 => s.push_str(&"a".repeat(20 + rng.below(60))),
            _ => s.push_str(&random_string(rng, PIECES).replace('/', "")),
        }
    }
    if rng.below(6) == 0 {
        s.push('/');
    }
    s
}

fn run_escape(opts: &[&str], args: &[String]) -> Output {
    Command::new("systemd-escape")
        .args(opts)
        .arg("--")
        .args(args)
        .output()
        .expect("run systemd-escape")
}

/// Our model of one operand's output (`Err(())` = we expect a failure).
type Model = Box<dyn Fn(&str) -> Result<Vec<u8>, ()>>;

/// One mode of `systemd-escape` and our model of it.
struct Mode {
    opts: Vec<String>,
    ours: Model,
}

/// Runs all `inputs` through `mode`, comparing with `systemd-escape`; returns the number of cases.
fn check_mode(mode: &Mode, inputs: &[String], seed: u64) -> usize {
    let opts: Vec<&str> = mode.opts.iter().map(String::as_str).collect();
    let mut ok_args = Vec::new();
    let mut ok_out: Vec<u8> = Vec::new();
    let mut failures = Vec::new();
    for input in inputs {
        match (mode.ours)(input) {
            Ok(out) => {
                if !ok_args.is_empty() {
                    ok_out.push(b' ');
                }
                ok_out.extend_from_slice(&out);
                ok_args.push(input.clone());
            }
            Err(()) => failures.push(input.clone()),
        }
    }
    ok_out.push(b'\n');
    if !ok_args.is_empty() {
        let real = run_escape(&opts, &ok_args);
        if real.stdout != ok_out || !real.status.success() {
            // Find the first differing case for a readable report.
            for input in &ok_args {
                let real = run_escape(&opts, std::slice::from_ref(input));
                let mut ours = (mode.ours)(input).expect("succeeded above");
                ours.push(b'\n');
                assert!(
                    real.status.success() && real.stdout == ours,
                    "seed {seed}: systemd-escape {opts:?} -- {input:?}: real {:?} (stderr {:?}, {}), ours {:?}",
                    String::from_utf8_lossy(&real.stdout),
                    String::from_utf8_lossy(&real.stderr),
                    real.status,
                    String::from_utf8_lossy(&ours),
                );
            }
            panic!("seed {seed}: batch for {opts:?} differs but no single case does");
        }
    }
    for input in &failures {
        let real = run_escape(&opts, std::slice::from_ref(input));
        assert!(
            !real.status.success(),
            "seed {seed}: we refuse {input:?} with {opts:?}, systemd-escape gives {:?}",
            String::from_utf8_lossy(&real.stdout)
        );
    }
    let hashed = String::from_utf8_lossy(&ok_out)
        .split(' ')
        .filter(|n| {
            n.trim_end().len() == 255 && UnitName::new(n.trim_end()).is_ok_and(|n| n.is_hashed())
        })
        .count();
    println!(
        "  systemd-escape {opts:?}: {} agree, {} refused by both, {hashed} hashed names",
        ok_args.len(),
        failures.len()
    );
    inputs.len()
}

fn escape_mode() -> Mode {
    Mode {
        opts: vec![],
        ours: Box::new(|s| Ok(name::escape(s).into_bytes())),
    }
}

fn path_mode() -> Mode {
    Mode {
        opts: vec!["--path".into()],
        ours: Box::new(|s| name::escape_path(s).map(String::into_bytes).map_err(|_| ())),
    }
}

fn unescape_mode() -> Mode {
    Mode {
        opts: vec!["--unescape".into()],
        ours: Box::new(|s| name::unescape_bytes(s.as_bytes()).map_err(|_| ())),
    }
}

fn unescape_path_mode() -> Mode {
    Mode {
        opts: vec!["--unescape".into(), "--path".into()],
        ours: Box::new(|s| name::unescape_path_bytes(s.as_bytes()).map_err(|_| ())),
    }
}

fn mangle_mode() -> Mode {
    Mode {
        opts: vec!["--mangle".into()],
        ours: Box::new(|s| {
            name::mangle(s, MangleOptions::default())
                .map(|m| m.name.into_bytes())
                .map_err(|_| ())
        }),
    }
}

fn template_mode(template: &'static str, path: bool) -> Mode {
    let mut opts = vec![format!("--template={template}")];
    if path {
        opts.push("--path".into());
    }
    Mode {
        opts,
        ours: Box::new(move |s| {
            let t = UnitName::new(template).expect("valid template");
            let escaped = if path {
                name::escape_path(s).map_err(|_| ())?
            } else {
                name::escape(s)
            };
            t.with_instance(&escaped)
                .map(|n| n.into_string().into_bytes())
                .map_err(|_| ())
        }),
    }
}

fn suffix_mode(ty: UnitType, path: bool) -> Mode {
    let mut opts = vec![format!("--suffix={ty}")];
    if path {
        opts.push("--path".into());
    }
    Mode {
        opts,
        ours: Box::new(move |s| {
            let escaped = if path {
                name::escape_path(s).map_err(|_| ())?
            } else {
                name::escape(s)
            };
            Ok(format!("{escaped}.{ty}").into_bytes())
        }),
    }
}

/// `--unescape --instance` and `--unescape --template=T`: the instance of an instance name,
/// unescaped; everything else fails.
fn unescape_instance_mode(template: Option<&'static str>, path: bool) -> Mode {
    let mut opts = vec!["--unescape".to_string()];
    match template {
        Some(t) => opts.push(format!("--template={t}")),
        None => opts.push("--instance".into()),
    }
    if path {
        opts.push("--path".into());
    }
    Mode {
        opts,
        ours: Box::new(move |s| {
            let n = UnitName::new(s).map_err(|_| ())?;
            let instance = n.instance().ok_or(())?;
            if let Some(t) = template {
                if n.template().map(String::from).as_deref() != Some(t) {
                    return Err(());
                }
            }
            if path {
                name::unescape_path_bytes(instance.as_bytes()).map_err(|_| ())
            } else {
                name::unescape_bytes(instance.as_bytes()).map_err(|_| ())
            }
        }),
    }
}

#[test]
fn differential_against_systemd_escape() {
    if !support::systemd_escape() {
        return;
    }
    let seed = support::seed_from_env("UNITLAB_SEED");
    println!("name_differential seed: {seed} (replay with UNITLAB_SEED={seed})");
    let mut rng = Rng::new(seed);
    let n = 300;
    let strings: Vec<String> = (0..n).map(|_| random_string(&mut rng, PIECES)).collect();
    let paths: Vec<String> = (0..n).map(|_| random_path(&mut rng)).collect();
    let mut unescapable: Vec<String> = (0..n / 2)
        .map(|_| random_string(&mut rng, UNESCAPE_PIECES))
        .collect();
    unescapable.extend(strings.iter().take(n / 4).map(|s| name::escape(s)));
    unescapable.extend(
        paths
            .iter()
            .take(n / 4)
            .filter_map(|p| name::escape_path(p).ok()),
    );
    let mut mixed = strings.clone();
    mixed.extend(paths.iter().cloned());
    // Names for --instance/--template: escaped instances of a few templates, plus noise.
    let mut names: Vec<String> = Vec::new();
    for (i, s) in unescapable.iter().enumerate() {
        let prefix = ["foo", "bar", "foo@x", "@foo", ""][i % 5];
        let suffix = ["service", "socket", "waldo"][i % 3];
        names.push(format!("{prefix}@{s}.{suffix}"));
    }
    names.extend(strings.iter().take(50).cloned());

    let mut cases = 0;
    cases += check_mode(&escape_mode(), &mixed, seed);
    cases += check_mode(&path_mode(), &mixed, seed);
    cases += check_mode(&unescape_mode(), &unescapable, seed);
    cases += check_mode(&unescape_path_mode(), &unescapable, seed);
    cases += check_mode(&mangle_mode(), &mixed, seed);
    cases += check_mode(&template_mode("foo@.service", false), &mixed, seed);
    cases += check_mode(&template_mode("a@.timer", true), &paths, seed);
    let ty = UnitType::ALL[rng.below(UnitType::ALL.len())];
    cases += check_mode(&suffix_mode(ty, false), &strings, seed);
    cases += check_mode(&suffix_mode(UnitType::Mount, true), &paths, seed);
    cases += check_mode(&unescape_instance_mode(None, false), &names, seed);
    cases += check_mode(
        &unescape_instance_mode(Some("foo@.service"), true),
        &names,
        seed,
    );
    println!("name_differential: {cases} cases agree with systemd-escape");
    assert!(cases >= 2000, "only {cases} cases ran");
}
