//! Replays every scenario under `sim/scenarios/` on the simulated machine: each command's output
//! and exit status must match the scenario (wildcards allowed), the same seed must give the same
//! transcript, and each transcript is an insta snapshot.
//!
//! Scenarios marked `requires = manager` need the runtime manager (`sim/src/manager`); they run
//! like the others (`UNITLAB_REPLAY_MANAGER=0` skips them, with a note). Their expected output
//! was checked against a real user manager (`scripts/real-manager-replay`).

use camino::Utf8PathBuf;
use unitlab_sim::machine::Machine;
use unitlab_sim::scenario;

fn scenarios() -> Vec<Utf8PathBuf> {
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
fn every_scenario_replays() {
    let with_manager = std::env::var("UNITLAB_REPLAY_MANAGER").map_or(true, |v| v != "0");
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in scenarios() {
        let text = std::fs::read_to_string(&file).expect("read scenario");
        let rel = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .map(|p| format!("sim{p}"))
            .unwrap_or_else(|_| file.to_string());
        let sc = scenario::parse(rel.as_ref(), &text).unwrap_or_else(|e| panic!("{e}"));
        if sc.requires_manager && !with_manager {
            println!("SKIP {rel}: requires the runtime manager (UNITLAB_REPLAY_MANAGER=0)");
            continue;
        }
        let report = scenario::run(&sc, &mut Machine::new(sc.settings.clone()));
        let again = scenario::run(&sc, &mut Machine::new(sc.settings.clone()));
        assert_eq!(
            report.transcript(),
            again.transcript(),
            "{rel}: two runs with seed {} differ",
            sc.settings.seed
        );
        ran += 1;
        if !report.ok() {
            println!("{}", report.diff());
            failures.push(format!("{rel} (seed {})", report.seed));
        }
        let name = file.file_stem().unwrap_or("scenario").to_owned();
        insta::assert_snapshot!(name, report.transcript());
    }
    assert!(ran > 0, "no scenario ran");
    assert!(
        failures.is_empty(),
        "scenarios that do not replay: {failures:?}"
    );
}

#[test]
fn parse_errors_name_file_and_line() {
    let text = "# x\n\n```console\n$ cat > a <<'EOF'\nno end\n```\n";
    let e = scenario::parse("x.md".into(), text).expect_err("unterminated heredoc");
    assert_eq!(
        e.to_string(),
        "x.md:4: heredoc not terminated: no line `EOF` before the end of the block"
    );
    let text = "```unitlab\nscope = moon\n```\n";
    let e = scenario::parse("y.md".into(), text).expect_err("bad scope");
    assert_eq!(
        e.to_string(),
        "y.md:2: scope: expected `system` or `user`, found \"moon\""
    );
    let text = "```console\nhello\n```\n";
    let e = scenario::parse("z.md".into(), text).expect_err("output before command");
    assert!(
        e.to_string()
            .starts_with("z.md:2: expected a `$ COMMAND` line"),
        "{e}"
    );
}

#[test]
fn bless_rewrites_only_mismatches() {
    let text = "```console\n$ echo a\n[..]\n$ echo b\nwrong\n$ nosuch\n```\n";
    let sc = scenario::parse("b.md".into(), text).expect("parses");
    let report = scenario::run(&sc, &mut Machine::new(sc.settings.clone()));
    assert!(!report.ok());
    assert_eq!(
        report.blessed(&sc),
        "```console\n$ echo a\n[..]\n$ echo b\nb\n$ nosuch\n? 127\nbash: nosuch: command not found\n```\n"
    );
    let diff = report.diff();
    assert!(
        diff.contains("b.md:4: $ echo b\n--- b.md:5 (expected)\n"),
        "{diff}"
    );
}
