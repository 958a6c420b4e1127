//! Differential tests of `syntax::parse` against the real systemd 252 (`systemd --test`, run through
//! `shared/tools/real-systemd test-transaction`).
//!
//! Each case is written as `NAME.service` into one scratch directory together with a `root.target`
//! that `Wants=` every case, so one systemd run loads (and parses) a whole batch. For every case we
//! compare, in order:
//!
//! * the parser's messages systemd prints (`PATH:LINE: MESSAGE` lines) with our diagnostics rendered
//!   with `Display` (the temp dir's random part is normalised, see [`DIR`]); diagnostics at `Severity::Debug` are not
//!   printed by PID 1 and are left out;
//! * the unit's `Unit Load State:` being `error` with our `ParsedFile::failure` being set.
//!
//! **Filter (documented):** systemd also logs setting-level messages that are not the parser's business
//! (e.g. `Support for option Capabilities= has been removed…`, `Invalid URL, ignoring: …`,
//! `Executable path is not absolute…`). Only lines whose message starts with one of the parser's own
//! message texts ([`PARSER_MESSAGES`]) are compared; the number of filtered lines is printed. Cases use
//! keys whose values are always valid (Description=, Documentation= with a URL, X- and unknown keys) so
//! that few such lines occur.
//!
//! Random cases come from proptest with lines drawn from a small universe of fragments (so that headers,
//! continuations, comments and BOMs collide). Set `UNITLAB_SEED=<u64>` to reproduce a run; the seed and
//! case counts are printed.
mod support;
mod syntax_oracle;

use camino::Utf8PathBuf;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::collections::BTreeMap;
use syntax_oracle::{DIR, PARSER_MESSAGES};
use unitlab_engine::name::UnitType;
use unitlab_engine::syntax::{parse, Dialect, LONG_LINE_MAX};

struct Case {
    name: String,
    text: Vec<u8>,
}

impl Case {
    fn new(name: &str, text: impl AsRef<[u8]>) -> Case {
        Case {
            name: name.to_owned(),
            text: text.as_ref().to_vec(),
        }
    }
}

/// What one side says about one case.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    messages: Vec<String>,
    failed: bool,
}

fn ours(case: &Case) -> Verdict {
    let path = Utf8PathBuf::from(format!("{DIR}/{}.service", case.name));
    let mut diags = Vec::new();
    let f = parse(
        &path,
        &case.text,
        Dialect::Unit(UnitType::Service),
        &mut diags,
    );
    Verdict {
        messages: syntax_oracle::printed(&diags),
        failed: f.failure.is_some(),
    }
}

struct OracleRun {
    verdicts: BTreeMap<String, Verdict>,
    filtered: usize,
}

/// Counters printed at the end of a run.
#[derive(Default)]
struct Stats {
    files: usize,
    messages: usize,
    failed_files: usize,
    filtered: usize,
}

fn oracle(cases: &[Case]) -> OracleRun {
    let dir = support::Scratch::new("syntax-diff");
    let mut root = String::from("[Unit]\nDescription=root\n");
    for c in cases {
        std::fs::write(dir.path().join(format!("{}.service", c.name)), &c.text)
            .expect("write case");
        root.push_str(&format!("Wants={}.service\n", c.name));
    }
    std::fs::write(dir.path().join("root.target"), root).expect("write root.target");
    let out = support::run_test_transaction(dir.path(), "root.target");

    let mut verdicts: BTreeMap<String, Verdict> = cases
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                Verdict {
                    messages: Vec::new(),
                    failed: false,
                },
            )
        })
        .collect();
    let mut filtered = 0;
    let mut saw_dump = false;
    let mut current_unit: Option<String> = None;
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("/tmp/real-systemd-test.") {
            // "/tmp/real-systemd-test.XXXXXX/NAME.service:LINE: MESSAGE"
            let Some((_, rest)) = rest.split_once('/') else {
                continue;
            };
            let Some((file, after)) = rest.split_once(':') else {
                continue;
            };
            let Some(unit) = file.strip_suffix(".service") else {
                continue;
            };
            let Some(v) = verdicts.get_mut(unit) else {
                continue;
            };
            let message = after.split_once(": ").map_or(after, |(_, m)| m);
            if PARSER_MESSAGES.iter().any(|p| message.starts_with(p)) {
                v.messages.push(format!("{DIR}/{rest}"));
            } else {
                filtered += 1;
            }
        } else if let Some(u) = line.trim_start().strip_prefix("-> Unit ") {
            saw_dump = true;
            current_unit = u.strip_suffix(".service:").map(str::to_owned);
        } else if let Some(state) = line.trim_start().strip_prefix("Unit Load State: ") {
            if let Some(v) = current_unit.take().and_then(|u| verdicts.get_mut(&u)) {
                v.failed = state == "error";
            }
        }
    }
    assert!(saw_dump, "systemd printed no unit dump; output:\n{out}");
    OracleRun { verdicts, filtered }
}

/// Compares a batch; returns the descriptions of all mismatches.
fn compare(cases: &[Case], stats: &mut Stats) -> Vec<String> {
    let run = oracle(cases);
    stats.filtered += run.filtered;
    let mut bad = Vec::new();
    for c in cases {
        let theirs = &run.verdicts[&c.name];
        stats.files += 1;
        stats.messages += theirs.messages.len();
        stats.failed_files += usize::from(theirs.failed);
        let mine = ours(c);
        if &mine != theirs {
            let shown = if c.text.len() > 200 {
                format!("<{} bytes>", c.text.len())
            } else {
                format!("{:?}", String::from_utf8_lossy(&c.text))
            };
            bad.push(format!(
                "case {}: text {shown}\n  systemd: {}\n  ours:    {}",
                c.name,
                short(theirs),
                short(&mine)
            ));
        }
    }
    bad
}

/// A verdict for a failure report, long messages elided.
fn short(v: &Verdict) -> String {
    let msgs: Vec<String> = v
        .messages
        .iter()
        .map(|m| {
            if m.len() > 160 {
                let cut = (0..=160)
                    .rev()
                    .find(|&i| m.is_char_boundary(i))
                    .unwrap_or(0);
                format!("{}…<{} bytes>", &m[..cut], m.len())
            } else {
                m.clone()
            }
        })
        .collect();
    format!("failed={} {:?}", v.failed, msgs)
}

fn hand_cases() -> Vec<Case> {
    let bom = "\u{feff}";
    let mut v = vec![
        Case::new("bom-comment", format!("{bom}# c\n[Unit]\nDescription=x\n")),
        Case::new("bom-header", format!("{bom}[Unit]\nDescription=x\n")),
        Case::new("bom-twice", format!("{bom}[Unit]\n{bom}Description=x\n")),
        Case::new(
            "bom-line2",
            format!("[Unit]\n{bom}Description=x\n{bom}Bogus=1\n"),
        ),
        Case::new("bom-after-comment", format!("# c\n{bom}[Unit]\nBogus=1\n")),
        Case::new("bom-only", bom),
        Case::new("bom-bad-header", format!("{bom}[Unit\n")),
        Case::new(
            "cont-comment",
            "[Unit]\nDescription=one \\\n# c\n  two \\\\\nBogus=1\n",
        ),
        Case::new("cont-eof", "[Unit]\nBogus=a \\\n"),
        Case::new("cont-eof-comment", "[Unit]\nBogus=a \\\n# c\n; d\n"),
        Case::new("cont-eof-empty", "[Unit]\nBogus=a \\\n\n"),
        Case::new(
            "cont-into-header",
            "[Unit]\nDescription=a\\\n[Weird]\nBogus=1\n",
        ),
        Case::new("cont-header", "[Un\\\nit]\nBogus=1\n"),
        Case::new("cont-header-ok", "[Un\\\n]\nBogus=1\n"),
        Case::new("cont-three-bs", "[Unit]\nBogus=a\\\\\\\nb\nBogus2=c\n"),
        Case::new("cont-double-bs", "[Unit]\nBogus=a\\\\\nBogus2=b\n"),
        Case::new("cont-key", "[Unit]\nBog\\\nus=1\n"),
        Case::new("cont-only-bs", "[Unit]\n\\\n\\\nBogus=1\n"),
        Case::new("cont-bs-space", "[Unit]\nBogus=a\\ \nBogus2=b\n"),
        Case::new("cont-x-key", "[Unit]\nX-A=1 \\\nBogus=2\n"),
        Case::new("cont-comment-first", "[Unit]\n  # c \\\nBogus=1\n"),
        Case::new(
            "unknown-section",
            "[Weird]\nA=b\nNoEquals\n=v\n[Unit]\nBogus=1\n",
        ),
        Case::new(
            "x-section",
            "[X-Ext]\nA=b\n[Unit]\nX-Key=1\nX-=2\nx-lower=3\n",
        ),
        Case::new("empty-section", "[]\nA=b\n"),
        Case::new("section-spaces", "[ Unit ]\nA=b\n  [Unit]   \nBogus=1\n"),
        Case::new(
            "section-case",
            "[unit]\nA=b\n[UNIT]\n[Unit]\ndescription=x\n",
        ),
        Case::new("section-brackets", "[a]b]\n[Unit]\n[[Unit]]\n"),
        Case::new("section-trailing-text", "[Unit] x\n"),
        Case::new("bad-header-mid", "[Unit]\nDescription=x\n[Unit\nBogus=1\n"),
        Case::new("bad-header-first", "[Unit\nBogus=1\n"),
        Case::new("bad-header-lone", "[\n"),
        Case::new("bad-chars-quote", "[Un\"it]\n"),
        Case::new("bad-chars-squote", "[Un'it]\n"),
        Case::new("bad-chars-bs", "[Un\\it]\n"),
        Case::new("bad-chars-ctl", "[Unit]\nBogus=1\n[\u{1}]\nBogus=2\n"),
        Case::new("bad-chars-del", "[\u{7f}]\n"),
        Case::new("bad-chars-tab", "[a\tb]\n"),
        Case::new("outside", "Description=x\nNoEq\n[Unit]\n"),
        Case::new("outside-after-ignored", "[Weird]\nA=1\n[X-Y]\nB=2\n"),
        Case::new("missing-eq", "[Unit]\nNoEquals\n  Spaced  \n"),
        Case::new("missing-key", "[Unit]\n=v\n   = v\n\t=\n"),
        Case::new(
            "key-spacing",
            "[Unit]\n  Description  =  x  \n\tBogus\t=\t1\t\nFoo Bar=1\nBogus==1\n",
        ),
        Case::new("empty-value", "[Unit]\nBogus=\nDescription=\n"),
        Case::new("crlf", "[Unit]\r\nBogus=1\r\n\r\nBogus2=2\r\n"),
        Case::new("cr", "[Unit]\rBogus=1\r\rBogus2=2\n\rBogus3=3\n\nBogus4=4"),
        Case::new(
            "nul",
            "[Unit]\nBogus=1\0Bogus2=2\0\nBogus3=3\r\0Bogus4=4\r\n\0Bogus5=5\n",
        ),
        Case::new("nul-in-key", "[Unit]\nBog\0us=1\n"),
        Case::new("cont-crlf", "[Unit]\r\nBogus=a\\\r\nb\r\nBogus2=c\n"),
        Case::new("invalid-utf8-ff", b"[Unit]\nDescription=a\xffb\nBogus=1\n"),
        Case::new("invalid-utf8-surrogate", b"[Unit]\nBogus=\xed\xa0\x80x\n"),
        Case::new("invalid-utf8-nonchar", b"[Unit]\nBogus=\xef\xb7\x90\n"),
        Case::new("invalid-utf8-fffe", b"[Unit]\nBogus=\xef\xbf\xbe\n"),
        Case::new("invalid-utf8-overlong", b"[Unit]\nBogus=\xc0\xaf\n"),
        Case::new("invalid-utf8-truncated", b"[Unit]\nBogus=\xc3"),
        Case::new("invalid-utf8-header", b"[\xff]\n"),
        Case::new("invalid-utf8-comment", b"# \xff\n[Unit]\nBogus=1\n"),
        Case::new("invalid-utf8-ignored-section", b"[Weird]\n\xff\nA=b\n"),
        Case::new("invalid-utf8-outside", b"\xfe=1\n"),
        Case::new(
            "valid-utf8",
            "[Unit]\nDescription=h\u{e9}llo \u{1F600}\nB\u{f6}gus=1\n",
        ),
        Case::new(
            "other-type-sections",
            "[Socket]\nListenStream=1\n[Mount]\nWhat=/x\n[Unit]\n",
        ),
        Case::new(
            "other-type-keys",
            "[Unit]\nExecStart=/bin/true\n[Service]\nListenStream=1\nWhat=/dev/sda\nWhere=/x\n",
        ),
        Case::new(
            "install-keys",
            "[Install]\nBogus=1\nX-A=1\nDefaultInstance=x\n",
        ),
        Case::new(
            "legacy-key",
            "[Service]\nCapabilities=x\nSysVStartPriority=1\n[Unit]\nIgnoreOnSnapshot=1\n",
        ),
        Case::new(
            "documentation",
            "[Unit]\nDocumentation=man:foo(1) https://example.org\n",
        ),
        Case::new("long-key", format!("[Unit]\n{}=1\n", "K".repeat(3000))),
        Case::new("long-section", format!("[{}]\n", "S".repeat(3000))),
        Case::new("long-bad-header", format!("[{}\n", "S".repeat(3000))),
        Case::new("empty-file", ""),
        Case::new("blank-file", "  \n\t\n"),
        Case::new("comment-file", "# only\n; comments\n"),
        Case::new("no-final-newline", "[Unit]\nBogus=1"),
        Case::new("tab-comment", "[Unit]\n\t# c\n \t; c\nBogus=1\n"),
        Case::new("semicolon-value", "[Unit]\nBogus=a;b # c\n"),
    ];
    // LONG_LINE_MAX: a physical line of exactly 1 MiB fails, one byte less is fine; a joined line
    // over 1 MiB fails.
    let mut exact = b"[Unit]\nDescription=".to_vec();
    exact.resize(7 + LONG_LINE_MAX, b'x');
    exact.extend_from_slice(b"\n[Weird]\n");
    v.push(Case::new("line-1mib", &exact));
    let mut shorter = b"[Unit]\nDescription=".to_vec();
    shorter.resize(7 + LONG_LINE_MAX - 1, b'x');
    shorter.extend_from_slice(b"\n[Weird]\n");
    v.push(Case::new("line-1mib-minus-1", &shorter));
    let mut at_eof = b"[Unit]\nBogus=1\n".to_vec();
    at_eof.resize(at_eof.len() + LONG_LINE_MAX, b'x');
    v.push(Case::new("line-1mib-eof", &at_eof));
    let mut joined = b"[Unit]\nDescription=".to_vec();
    joined.resize(600_000, b'x');
    joined.extend_from_slice(b"\\\n");
    joined.resize(joined.len() + 600_000, b'y');
    joined.extend_from_slice(b"\n[Weird]\n");
    v.push(Case::new("cont-too-long", &joined));
    let mut joined_ok = b"[Unit]\nDescription=".to_vec();
    joined_ok.resize(500_000, b'x');
    joined_ok.extend_from_slice(b"\\\n");
    joined_ok.resize(joined_ok.len() + 500_000, b'y');
    joined_ok.extend_from_slice(b"\n[Weird]\n");
    v.push(Case::new("cont-long-ok", &joined_ok));
    v
}

#[test]
fn hand_written_cases_match_systemd() {
    if !support::test_transaction() {
        return;
    }
    let cases = hand_cases();
    let mut stats = Stats::default();
    let bad = compare(&cases, &mut stats);
    eprintln!(
        "syntax differential: {} hand-written files compared ({} parser messages, {} failed loads), \
         {} non-parser systemd lines filtered",
        stats.files, stats.messages, stats.failed_files, stats.filtered
    );
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The universe random lines are drawn from.
const FRAGMENTS: &[&[u8]] = &[
    b"[Unit]",
    b"[Service]",
    b"[Install]",
    b"[Weird]",
    b"[X-Ext]",
    b"[Socket]",
    b"[Unit",
    b"[]",
    b"  [Unit]  ",
    b"[Un\"it]",
    b"Description=hello",
    b"Description=a \\",
    b"Description=b\\\\",
    b"Bogus=1",
    b"Bogus=x \\",
    b"X-Key=1",
    b"X-Key=2 \\",
    b"NoEquals",
    b"=v",
    b"  Description = spaced  ",
    b"Documentation=man:x(1)",
    b"WantedBy=multi-user.target",
    b"ListenStream=1",
    b"# comment",
    b"; comment \\",
    b"  # indented",
    b"",
    b"   ",
    b"\\",
    b"\\\\",
    b"\xEF\xBB\xBF[Unit]",
    b"\xEF\xBB\xBF# c",
    b"\xEF\xBB\xBFBogus=2",
    b"Description=caf\xC3\xA9",
    b"Description=\xFF",
];

const EOLS: &[&[u8]] = &[b"\n", b"\n", b"\n", b"\n", b"\r\n", b"\r", b"\0", b"\n\r"];

fn file_strategy() -> impl Strategy<Value = Vec<u8>> {
    // Invalid UTF-8 ends the parse, so it is drawn rarely (index weighting).
    let line = (0..FRAGMENTS.len() * 4, 0..EOLS.len());
    (prop::collection::vec(line, 0..14), any::<bool>()).prop_map(|(lines, final_eol)| {
        let mut text = Vec::new();
        let n = lines.len();
        for (i, (f, e)) in lines.into_iter().enumerate() {
            // indices past the universe map onto the first 34 fragments (not the invalid one)
            let frag = if f < FRAGMENTS.len() {
                f
            } else {
                f % (FRAGMENTS.len() - 1)
            };
            text.extend_from_slice(FRAGMENTS[frag]);
            if i + 1 < n || final_eol {
                text.extend_from_slice(EOLS[e]);
            }
        }
        text
    })
}

#[test]
fn random_files_match_systemd() {
    if !support::test_transaction() {
        return;
    }
    let seed: u64 = support::seed_from_env("UNITLAB_SEED");
    const BATCH: usize = 100;
    const BATCHES: u32 = 8;
    eprintln!("syntax differential: seed {seed} (reproduce with UNITLAB_SEED={seed})");
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases: BATCHES,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let stats = std::cell::RefCell::new(Stats::default());
    let result = runner.run(&prop::collection::vec(file_strategy(), BATCH), |files| {
        let cases: Vec<Case> = files
            .iter()
            .enumerate()
            .map(|(i, t)| Case::new(&format!("r{i}"), t))
            .collect();
        let bad = compare(&cases, &mut stats.borrow_mut());
        if bad.is_empty() {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "{} mismatches:\n{}",
                bad.len(),
                bad.join("\n")
            )))
        }
    });
    let stats = stats.into_inner();
    eprintln!(
        "syntax differential: {} random files compared incl. any shrinking ({} parser messages, \
         {} failed loads), {} non-parser systemd lines filtered",
        stats.files, stats.messages, stats.failed_files, stats.filtered
    );
    if let Err(e) = result {
        panic!("seed {seed}: {e}");
    }
}

/// Every key of the generated table (`tools/gen-keys`) is known to systemd. One file per key: the key
/// with an empty value, then a control key `Bogus=`. systemd must warn about `Bogus` and not about the
/// key. `[Unit]`/`[Install]` keys go into `.service` files, type-section keys into files of their type.
/// If the control key is not reported the key could not be checked: its setting parser aborted the
/// parse on the empty value (`Unit configuration has fatal error`), or the type is never loaded from a
/// file (scope units); these are counted and printed.
#[test]
fn every_table_key_is_known_to_systemd() {
    if !support::test_transaction() {
        return;
    }
    use unitlab_engine::syntax::keys;
    let suffix_of = |section: &str| match section {
        "Unit" | "Install" | "Service" => "service",
        other => match other {
            "Socket" => "socket",
            "Mount" => "mount",
            "Automount" => "automount",
            "Swap" => "swap",
            "Timer" => "timer",
            "Path" => "path",
            "Slice" => "slice",
            "Scope" => "scope",
            "Target" => "target",
            _ => "device",
        },
    };
    let dir = support::Scratch::new("syntax-keys");
    let mut root = String::from("[Unit]\n");
    let mut files = Vec::new();
    for section in keys::sections() {
        for (i, k) in section.keys.iter().enumerate() {
            let unit = format!(
                "k-{}-{i}.{}",
                section.name.to_lowercase(),
                suffix_of(section.name)
            );
            let text = format!("[{}]\n{}=\nBogus=\n", section.name, k.name);
            std::fs::write(dir.path().join(&unit), text).expect("write");
            root.push_str(&format!("Wants={unit}\n"));
            files.push((unit, section.name, k.name));
        }
    }
    std::fs::write(dir.path().join("root.target"), root).expect("write root");
    let out = support::run_test_transaction(dir.path(), "root.target");
    let mut unknown_lines = std::collections::HashMap::<String, Vec<String>>::new();
    for line in out.lines() {
        let Some(rest) = line.strip_prefix("/tmp/real-systemd-test.") else {
            continue;
        };
        let Some((_, rest)) = rest.split_once('/') else {
            continue;
        };
        let Some((unit, msg)) = rest.split_once(':') else {
            continue;
        };
        if msg.contains(": Unknown key '") {
            unknown_lines
                .entry(unit.to_owned())
                .or_default()
                .push(msg.to_owned());
        }
    }
    let (mut checked, mut unchecked) = (0, Vec::new());
    let mut bad = Vec::new();
    for (unit, section, key) in &files {
        let lines = unknown_lines.get(unit).cloned().unwrap_or_default();
        let control = format!("3: Unknown key 'Bogus' in section [{section}], ignoring.");
        if lines.iter().any(|l| l == &control) {
            checked += 1;
        } else {
            unchecked.push(format!("{section}.{key}"));
        }
        if lines.iter().any(|l| l.starts_with("2:")) {
            bad.push(format!("{section}.{key}: {lines:?}"));
        }
    }
    eprintln!(
        "syntax differential: {} table keys, {checked} confirmed known by systemd, {} not checkable \
         (parse aborted on the empty value, or type not loaded from files): {unchecked:?}",
        files.len(),
        unchecked.len()
    );
    assert!(
        bad.is_empty(),
        "keys systemd does not know:\n{}",
        bad.join("\n")
    );
    assert!(
        checked * 10 >= files.len() * 9,
        "too few keys could be checked"
    );
}
