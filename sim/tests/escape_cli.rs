//! Differential test of `unitlab escape` against the real `systemd-escape` 252 (reference §2.3): the
//! same random argv (options, option errors, conflicting combinations and random strings, many per
//! invocation) is given to both; stdout, stderr and the exit status must be identical byte for byte.
//! `systemd-escape` runs with `argv[0]` = `unitlab escape` so that its getopt messages and help name
//! the program as ours do. Set `UNITLAB_SEED` to replay; the seed and case count are printed.

#[path = "../../engine/tests/support/mod.rs"]
mod support;

use std::os::unix::process::CommandExt;
use std::process::{Command, Output};
use support::Rng;

/// Options, valid and not, in every spelling `getopt_long` accepts.
const OPTIONS: &[&str] = &[
    "-u",
    "-p",
    "-m",
    "-up",
    "-pu",
    "-um",
    "--path",
    "--unescape",
    "--mangle",
    "--instance",
    "--in",
    "--suffix=service",
    "--suffix=mount",
    "--suffix=device",
    "--suffix=foo",
    "--suffix=",
    "--suffix",
    "--suf=timer",
    "--template=foo@.service",
    "--template=foo.service",
    "--template=a@b.service",
    "--template=@.service",
    "--te=x@.socket",
    "--template",
    "--",
    "-",
    "-x",
    "-i",
    "-uZ",
    "--foo",
    "--foo=bar",
    "--unescape=1",
    "--path=",
    "--=x",
    "---",
    "-h",
    "--help",
];

/// Operand pieces: a tiny universe with escapes, paths, unit names and non-ASCII.
const PIECES: &[&str] = &[
    "a",
    "b",
    "Z",
    "0",
    ":",
    "_",
    ".",
    "..",
    "-",
    "\\",
    "@",
    "%",
    " ",
    "/",
    "//",
    "/./",
    "ü",
    "€",
    "*",
    "?",
    "[",
    "x",
    "\\x",
    "\\x2d",
    "\\x2F",
    "\\xzz",
    "\\x00",
    "\\xc3\\xbc",
    "\\xff",
    ".service",
    "@.service",
    "foo@",
    ".mount",
    "dev",
    "-h",
    "-u",
    "--",
];

fn operand(rng: &mut Rng) -> String {
    let len = match rng.below(10) {
        0 => 0,
        1..=7 => 1 + rng.below(6),
        8 => 5 + rng.below(20),
        _ => 60 + rng.below(80),
    };
    let mut s = String::new();
    if rng.below(3) == 0 {
        s.push('/');
    }
    for _ in 0..len {
        s.push_str(rng.pick(PIECES));
    }
    s
}

fn argv(rng: &mut Rng) -> Vec<String> {
    let mut v = Vec::new();
    let n_opts = rng.below(4);
    let n_operands = if rng.below(12) == 0 {
        0
    } else {
        1 + rng.below(25)
    };
    let total = n_opts + n_operands;
    let mut opts_left = n_opts;
    for i in 0..total {
        let remaining = total - i;
        if opts_left > 0 && rng.below(remaining) < opts_left {
            v.push(rng.pick(OPTIONS).to_string());
            opts_left -= 1;
        } else {
            v.push(operand(rng));
        }
    }
    v
}

fn clean(cmd: &mut Command) -> &mut Command {
    cmd.env_remove("POSIXLY_CORRECT")
        .env("LC_ALL", "C")
        .env("SYSTEMD_LOG_COLOR", "0")
}

fn real<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    clean(Command::new("systemd-escape").arg0("unitlab escape"))
        .args(args)
        .output()
        .expect("run systemd-escape")
}

fn ours<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    clean(&mut Command::new(env!("CARGO_BIN_EXE_unitlab")))
        .arg("escape")
        .args(args)
        .output()
        .expect("run unitlab")
}

/// Compares one invocation; returns whether it succeeded.
fn compare<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S], seed: u64) -> bool {
    let (r, o) = (real(args), ours(args));
    let show = |x: &Output| {
        format!(
            "status {:?}\n stdout {:?}\n stderr {:?}",
            x.status.code(),
            String::from_utf8_lossy(&x.stdout),
            String::from_utf8_lossy(&x.stderr)
        )
    };
    assert!(
        r.status.code() == o.status.code() && r.stdout == o.stdout && r.stderr == o.stderr,
        "seed {seed}: argv {args:?}\nsystemd-escape: {}\nunitlab escape: {}",
        show(&r),
        show(&o)
    );
    r.status.success()
}

/// Fixed cases: every documented error message and exit path.
#[test]
fn error_paths_match_systemd_escape() {
    if !support::systemd_escape() {
        return;
    }
    let cases: &[&[&str]] = &[
        &[],
        &["--suffix=foo", "a"],
        &["--template=foo", "a"],
        &["--template=foo@.service", "--suffix=service", "a"],
        &["-m", "--suffix=service", "a"],
        &["-m", "-p", "a"],
        &["--instance", "a"],
        &["-u", "--instance", "--template=foo@.service", "a"],
        &["-u", "--suffix=service", "a"],
        &["-p", ""],
        &["-p", "foo"],
        &["-p", "."],
        &["-p", "/../a"],
        &["-p", "a/../b"],
        &["-u", "a\\xZZ"],
        &["a", "b", "-u", "c\\x"],
        &["-u", "--instance", "foo.service"],
        &["-u", "--instance", "foo@.service"],
        &["-u", "--template=foo@.service", "bar@x.service"],
        &["-u", "--template=foo@.service", "foo@x.service"],
        &["--foo"],
        &["--suffix"],
        &["-x"],
        &["-h"],
        &["-h", "--foo"],
        &["--foo", "-h"],
        &["--", "-a"],
        &["--suf=service", "a"],
        &["-u", "a\\x00b"],
        &["-u", "-p", "a\\x00"],
        &["-m", ""],
        &["-m", "@foo"],
        &["--template=foo@.service", ""],
        &["-u", "-p", "-"],
        &["-u", "-p", ""],
    ];
    for case in cases {
        let args: Vec<String> = case.iter().map(|s| s.to_string()).collect();
        compare(&args, 0);
    }
}

/// Arguments that are not UTF-8 are processed as bytes, as systemd-escape does.
#[test]
fn non_utf8_arguments_match_systemd_escape() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    if !support::systemd_escape() {
        return;
    }
    let b = |v: &[u8]| OsString::from_vec(v.to_vec());
    let cases: Vec<Vec<OsString>> = vec![
        vec![b(b"\xff/a"), b(b"\xc3")],
        vec![b(b"-u"), b(b"\xff\\x41")],
        vec![b(b"-u"), b(b"-p"), b(b"a\xff")],
        vec![b(b"-m"), b(b"\xfe b")],
        vec![b(b"-m"), b(b"/dev/\xff")],
        vec![b(b"-p"), b(b"/\xff//x/")],
        vec![b(b"-p"), b(b"\xff")],
        vec![b(b"--suffix=\xff"), b(b"a")],
        vec![b(b"--template=\xff@.service"), b(b"a")],
        vec![b(b"--template=a@.service"), b(b"\xff")],
        vec![b(b"-u"), b(b"--instance"), b(b"a@\xff.service")],
        vec![b(b"--\xff")],
        vec![b(b"-\xff")],
    ];
    for case in &cases {
        compare(case, 0);
    }
}

#[test]
fn random_argv_matches_systemd_escape() {
    if !support::systemd_escape() {
        return;
    }
    let seed = support::seed_from_env("UNITLAB_SEED");
    println!("escape_cli seed: {seed} (replay with UNITLAB_SEED={seed})");
    let mut rng = Rng::new(seed);
    let (mut invocations, mut strings, mut succeeded) = (0, 0, 0);
    for _ in 0..400 {
        let args = argv(&mut rng);
        strings += args.len();
        invocations += 1;
        succeeded += usize::from(compare(&args, seed));
    }
    println!(
        "escape_cli: {invocations} invocations ({succeeded} exit 0, the rest exit 1) with {strings} \
         arguments agree with systemd-escape"
    );
}
