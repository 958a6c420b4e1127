//! Differential test of the installer's view, `Dialect::Install`, against `systemctl --root=DIR enable`
//! (systemd 252): the installer parses a unit file with only `[Install]` known, `[Unit]` and the type
//! sections skipped silently and other sections warned about (reference §3.1, v252 `install.c`).
//!
//! For each file (written as `/etc/systemd/system/NAME.service` in a scratch root) we compare the
//! parser messages systemctl prints (`PATH:LINE: MESSAGE`, host path normalised) with our diagnostics,
//! and `Failed to enable unit, file "NAME.service": STRERROR` with our `ParseFailure::strerror()`.
//! Other systemctl output ("Created symlink …", "… non-existent unit …") is not the parser's and is
//! ignored. Empty files are left out (they are masks, not parse results). `UNITLAB_SEED` reproduces.
mod support;
mod syntax_oracle;

use camino::Utf8PathBuf;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use syntax_oracle::InstallVerdict as Verdict;
use unitlab_engine::syntax::{parse, Dialect};

const UNIT_DIR: &str = "/etc/systemd/system";

fn ours(root: &str, name: &str, text: &[u8]) -> Verdict {
    let path = Utf8PathBuf::from(format!("{root}{UNIT_DIR}/{name}.service"));
    let mut diags = Vec::new();
    let f = parse(&path, text, Dialect::Install, &mut diags);
    Verdict {
        messages: syntax_oracle::printed(&diags),
        failure: f.failure.map(|x| x.strerror().to_owned()),
    }
}

fn systemctl(root: &std::path::Path, name: &str, text: &[u8]) -> Verdict {
    let dir = root.join(&UNIT_DIR[1..]);
    std::fs::create_dir_all(&dir).expect("create unit dir");
    std::fs::write(dir.join(format!("{name}.service")), text).expect("write unit");
    let path = format!("{}{UNIT_DIR}/{name}.service", root.display());
    syntax_oracle::systemctl_enable(root, &format!("{name}.service"), &path)
}

fn compare(name: &str, text: &[u8]) -> Option<String> {
    let scratch = support::Scratch::new("syntax-install");
    let root = scratch.path().to_str().expect("utf-8 temp dir").to_owned();
    let theirs = systemctl(scratch.path(), name, text);
    let mine = ours(&root, name, text);
    (theirs != mine).then(|| {
        format!(
            "{name}: text {:?}\n  systemctl: {theirs:?}\n  ours:      {mine:?}",
            String::from_utf8_lossy(text)
        )
    })
}

const HAND: &[(&str, &[u8])] = &[
    ("sections", b"[Unit]\nBogus=1\nNoEq\n[Socket]\nX=1\n[Weird]\nA=b\n[X-Y]\nB=1\n[Install]\nWantedBy=a.target\nBogus=2\nX-K=1\n"),
    ("outside", b"Foo=1\n[Install]\nWantedBy=a.target\n"),
    ("missing", b"[Install]\nNoEq\n=v\n"),
    ("bad-header", b"[Install]\nWantedBy=a.target\n[Install\n"),
    ("bad-chars", b"[Install]\n[In\x01stall]\n"),
    ("utf8", b"[Unit]\nDescription=\xff\n[Install]\nWantedBy=a.target\n"),
    ("bom-comment", b"\xEF\xBB\xBF# c\n[Install]\nWantedBy=a.target\n"),
    ("continuation", b"[Install]\nWantedBy=a.target \\\n# c\n b.target\nBogus=x \\\n"),
    ("case", b"[install]\nWantedBy=a.target\n[Install]\nwantedby=a.target\n"),
    ("service-keys", b"[Install]\nExecStart=/bin/true\nDescription=x\n"),
];

#[test]
fn installer_view_matches_systemctl() {
    if !support::systemctl() {
        return;
    }
    let mut bad = Vec::new();
    for (name, text) in HAND {
        bad.extend(compare(name, text));
    }
    eprintln!(
        "syntax install differential: {} hand-written files compared",
        HAND.len()
    );
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

const FRAGMENTS: &[&[u8]] = &[
    b"[Unit]",
    b"[Install]",
    b"[Service]",
    b"[Weird]",
    b"[X-Ext]",
    b"[Install",
    b"WantedBy=a.target",
    b"Alias=b.service",
    b"Bogus=1",
    b"X-Key=1 \\",
    b"Description=a \\",
    b"NoEquals",
    b"=v",
    b"# comment",
    b"; c \\",
    b"",
    b"\\",
    b"\xEF\xBB\xBF[Install]",
    b"\xEF\xBB\xBF# c",
    b"Description=\xFF",
];

#[test]
fn random_files_match_systemctl() {
    if !support::systemctl() {
        return;
    }
    let seed: u64 = support::seed_from_env("UNITLAB_SEED");
    eprintln!("syntax install differential: seed {seed} (reproduce with UNITLAB_SEED={seed})");
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let line = (
        0..FRAGMENTS.len() * 3,
        prop::sample::select(vec![&b"\n"[..], b"\n", b"\r\n", b"\0"]),
    );
    let file = prop::collection::vec(line, 1..10).prop_map(|lines| {
        let mut text = Vec::new();
        for (f, eol) in lines {
            // the last fragment (invalid UTF-8) is drawn 3 times less often than the others
            let f = if f < FRAGMENTS.len() {
                f
            } else {
                f % (FRAGMENTS.len() - 1)
            };
            text.extend_from_slice(FRAGMENTS[f]);
            text.extend_from_slice(eol);
        }
        text
    });
    let count = std::cell::Cell::new(0usize);
    let result = runner.run(&file, |text| {
        count.set(count.get() + 1);
        match compare("r", &text) {
            None => Ok(()),
            Some(m) => Err(TestCaseError::fail(m)),
        }
    });
    eprintln!(
        "syntax install differential: {} random files compared",
        count.get()
    );
    if let Err(e) = result {
        panic!("seed {seed}: {e}");
    }
}
