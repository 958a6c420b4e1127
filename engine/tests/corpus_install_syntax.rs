//! Differential test of the installer's view, `Dialect::Install`, over the real-world corpus
//! (`scripts/fetch-corpus`): every corpus unit file and drop-in, as shipped and as a mutant (1–3
//! syntax accidents, `corpus::MUTATIONS`), is parsed by us and by `systemctl --root=DIR enable`
//! (systemd 252), which reads `[Install]` from a fragment and the drop-ins in `NAME.d/`
//! (reference §3.6).
//!
//! Each case gets a scratch root with the file at `/etc/systemd/system/<synthetic name>` (the same
//! synthetic names as `corpus_syntax`; a drop-in goes into `dN.TYPE.d/` beside a host fragment
//! `dN.TYPE` that holds only `[Install]`). We compare:
//!
//! * the parser messages systemctl prints for the case's file (`ROOT/etc/systemd/system/FILE:LINE:
//!   MESSAGE`) with our diagnostics (the same path; `Severity::Debug` left out);
//! * `Failed to enable unit, file "UNIT": STRERROR` with our `ParseFailure::strerror()`. Unlike PID 1
//!   (which ignores a drop-in's parse failure, see `corpus_syntax`), the installer fails the whole
//!   `enable` when a drop-in's parse fails, and names the unit.
//!
//! Everything else systemctl prints is not the parser's and is ignored (`Created symlink …`, the
//! template and non-existent-unit notices, `Failed to enable unit: Unit file … does not exist` for an
//! `Also=` that is not in the scratch root, `Unit … is added as a dependency to a non-existent
//! unit …`). `UNITLAB_SEED` reproduces the mutants.
mod corpus;
mod support;
mod syntax_oracle;

use camino::Utf8Path;
use camino::Utf8PathBuf;
use corpus::Case;
use syntax_oracle::InstallVerdict as Verdict;
use unitlab_engine::fs::DirFs;
use unitlab_engine::install;
use unitlab_engine::load::{LookupPaths, MapEnv, Scope};
use unitlab_engine::syntax::{parse, Dialect};

const UNIT_DIR: &str = "etc/systemd/system";

fn ours(root: &str, case: &Case) -> Verdict {
    let path = Utf8PathBuf::from(format!("{root}/{UNIT_DIR}/{}", case.file));
    let mut diags = Vec::new();
    let f = parse(&path, &case.text, Dialect::Install, &mut diags);
    Verdict {
        messages: syntax_oracle::printed(&diags),
        failure: f
            .failure
            .map(|x| x.strerror().to_owned())
            .or_else(|| value_failure(root, case)),
    }
}

/// A failure of the installer's *value* parsers (e.g. `Also=` naming something that is not a unit
/// name, as a stray continuation can make it: `Also=a.socket Also=b.socket`): systemctl prints the
/// same `Failed to enable unit, file "UNIT": …` line as for a syntax failure, so our side asks the
/// install engine (a dry run of `enable` on the same tree) and renders its change list the same way.
fn value_failure(root: &str, case: &Case) -> Option<String> {
    let fs = DirFs::new(root).ok()?;
    let lp = LookupPaths::new(Scope::System, Some(Utf8Path::new(root)), &MapEnv::new("/")).ok()?;
    let opts = install::Options {
        dry_run: true,
        utf8: true,
        ..install::Options::default()
    };
    let o = install::enable(&fs, &lp, std::slice::from_ref(&case.unit), opts);
    let lines = install::render_changes(
        &o.changes,
        o.result.map(|_| ()),
        install::RenderOptions {
            verb: "enable",
            quiet: false,
            utf8: true,
        },
    );
    let prefix = format!("Failed to enable unit, file \"{}\": ", case.unit);
    lines
        .iter()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
}

fn systemctl(root: &std::path::Path, case: &Case) -> Verdict {
    let dir = root.join(UNIT_DIR);
    let dest = dir.join(&case.file);
    std::fs::create_dir_all(dest.parent().expect("case file has a parent")).expect("mkdir");
    std::fs::write(&dest, &case.text).expect("write case");
    if let Some(host) = &case.host {
        std::fs::write(dir.join(host), "[Install]\n").expect("write host");
    }
    let path = format!("{}/{UNIT_DIR}/{}", root.display(), case.file);
    syntax_oracle::systemctl_enable(root, &case.unit, &path)
}

/// Compares every case; returns (mismatches, messages seen, failures seen).
fn compare_all(cases: &[Case]) -> (Vec<String>, usize, usize) {
    let mut bad = Vec::new();
    let (mut n_messages, mut n_failures) = (0, 0);
    for c in cases {
        let scratch = support::Scratch::new("corpus-install");
        let root = scratch.path().to_str().expect("utf-8 temp dir").to_owned();
        let theirs = systemctl(scratch.path(), c);
        n_messages += theirs.messages.len();
        n_failures += usize::from(theirs.failure.is_some());
        let mine = ours(&root, c);
        if theirs != mine {
            bad.push(format!(
                "{} (as {}):\n  systemctl: {theirs:?}\n  ours:      {mine:?}",
                c.origin, c.file
            ));
        }
    }
    (bad, n_messages, n_failures)
}

#[test]
fn corpus_install_view_matches_systemctl() {
    let Some(merged) = corpus::merged() else {
        return;
    };
    if !support::systemctl() {
        return;
    }
    let (cases, _) = corpus::cases(&merged);
    assert!(
        cases.len() >= 100,
        "corpus too small: {} files",
        cases.len()
    );
    let seed = support::seed_from_env("UNITLAB_SEED");
    eprintln!("corpus_install_syntax: seed {seed} (reproduce with UNITLAB_SEED={seed})");
    let mutants = corpus::mutants(&cases, seed, "");
    let (mut bad, m1, f1) = compare_all(&cases);
    let (bad2, m2, f2) = compare_all(&mutants);
    eprintln!(
        "corpus_install_syntax: {} shipped files ({m1} parser messages, {f1} failures), {} mutants \
         ({m2} parser messages, {f2} failures); {} mismatches",
        cases.len(),
        mutants.len(),
        bad.len() + bad2.len()
    );
    assert!(
        m2 > mutants.len() / 4,
        "the mutants drew only {m2} installer messages: the mutations do not bite"
    );
    bad.extend(bad2);
    assert!(
        bad.is_empty(),
        "{} files parse differently from systemctl's installer:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
