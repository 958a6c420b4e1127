//! Differential test of `syntax::parse` over the real-world corpus (`scripts/fetch-corpus`): every
//! unit file and every drop-in (`*.conf` in `NAME.d/`) of the corpus's system and user unit
//! directories is parsed by us and by the real systemd 252 (`systemd --test`, run through
//! `shared/tools/real-systemd test-transaction`), and the parser's messages are compared.
//!
//! # How a file reaches systemd
//!
//! Each corpus file becomes one *case* with a synthetic, unique unit name so that files with the
//! same name in different directories (or packages) never collide and no corpus unit pulls in
//! another by name:
//!
//! * a unit file `foo.service` is copied to `fN.service` (a template `foo@.service` to `fN@.service`,
//!   loaded through the instance `fN@i.service`; a file named like an instance keeps its kind);
//! * a drop-in `foo.service.d/x.conf` is copied to `dN.service.d/x.conf` next to a minimal host
//!   fragment `dN.service` (`[Unit]` + `Description=`), so that loading `dN.service` parses it.
//!
//! A batch of cases is written into one scratch directory with a `root.target` that `Wants=` every
//! case, so one systemd run loads (and parses) the whole batch. Both sides see the same path
//! (`/tmp/real-systemd-test.XXXXXX/NAME`, the random part normalised), so console truncation of long
//! lines (reference §3.1) hits both alike. The dialect is PID 1's view of the unit's type
//! (`Dialect::Unit(type)`; for a drop-in, the type of the unit it belongs to).
//!
//! For every case we compare, in order, the parser's messages (`PATH:LINE: MESSAGE`; our
//! diagnostics rendered with `Display`, `Severity::Debug` left out because PID 1 does not print them)
//! and whether the unit's load state is `error` (our `ParsedFile::failure` for a fragment; a drop-in
//! whose parse fails leaves its unit `loaded` in systemd 252, so for drop-ins the expected state is
//! never `error`).
//!
//! Two tests: the corpus files as shipped, and *mutants* of them — every file with 1–3 plausible
//! syntax accidents (lower-cased key, lost `=`, broken or odd section header, stray continuation,
//! CRLF, BOM, a byte that is not UTF-8, …; see `corpus::MUTATIONS`) so that the parser's error paths run
//! over real content. The shipped files are almost clean for systemd 252, the mutants are not.
//!
//! # Filter (documented)
//!
//! Only *syntax-level* messages are compared for now: lines whose message starts with one of
//! [`PARSER_MESSAGES`] (everything `config_parse()` and its line parser log: unknown keys and
//! sections, assignments outside a section, missing `=` or key, bad section headers, non-UTF-8 lines,
//! over-long lines). Everything else systemd prints about a case's file is *setting-level* and
//! filtered: messages of the individual setting parsers (`Failed to parse …`, `Invalid …`,
//! `… ignoring: …`, `Support for option … has been removed …`, `Unknown … specifier …`), unit
//! verification (`Service has no ExecStart=…`, `Where= setting doesn't match unit name…`) and
//! dependency/transaction messages. Lines that do not name a case's file at all (the transaction,
//! the dump) are not looked at. The filtered lines are counted and their most frequent message
//! shapes are printed, so the filter stays visible. When a setting parser refuses a value fatally
//! (`Unit configuration has fatal error, unit will not be started.`, e.g. an `ExecStart=` with
//! unbalanced quotes), systemd stops reading the file at that line; our parser does not judge
//! values, so only our messages up to that line are compared (the count is printed).
//!
//! Scope units are left out: systemd does not load a scope from a unit file outside of
//! `systemctl set-property`/transient creation, so their drop-ins are never parsed by `--test`
//! (the count is printed).
mod corpus;
mod support;
mod syntax_oracle;

use camino::Utf8PathBuf;
use std::collections::BTreeMap;

use corpus::Case;
use syntax_oracle::{DIR, PARSER_MESSAGES};
use unitlab_engine::name::UnitType;
use unitlab_engine::syntax::{parse, Dialect};

/// Cases per systemd run.
const BATCH: usize = 250;

/// What one side says about one case.
#[derive(Debug, PartialEq, Eq, Default)]
struct Verdict {
    messages: Vec<String>,
    failed: bool,
}

fn ours(case: &Case) -> Verdict {
    let path = Utf8PathBuf::from(format!("{DIR}/{}", case.file));
    let mut diags = Vec::new();
    let f = parse(&path, &case.text, Dialect::Unit(case.ty), &mut diags);
    Verdict {
        messages: syntax_oracle::printed(&diags),
        // A drop-in whose parse fails (invalid header, line not UTF-8 clean) does not fail its unit:
        // PID 1 ignores config_parse()'s result for drop-ins; the unit stays `loaded` (verified by
        // this test's mutants). Only a fragment's failure makes the load state `error`.
        failed: f.failure.is_some() && case.host.is_none(),
    }
}

/// The line at which the loader's setting scan stops the fragment of `case` (loaded as
/// `case.unit`), if any.
fn our_fatal_line(case: &Case) -> Option<u32> {
    let path = Utf8PathBuf::from(format!("{DIR}/{}", case.file));
    let f = parse(&path, &case.text, Dialect::Unit(case.ty), &mut Vec::new());
    let unit = unitlab_engine::name::UnitName::new(&case.unit).ok()?;
    unitlab_engine::load::scan_settings(&unit, &f)
        .fatal
        .map(|(line, _)| line)
}

/// Everything systemd said about one batch.
struct OracleRun {
    verdicts: BTreeMap<String, Verdict>,
    loaded: BTreeMap<String, bool>,
    filtered: Vec<String>,
    /// Units whose parse a setting parser stopped with a fatal error (`Unit configuration has
    /// fatal error, unit will not be started.`; load state `bad-setting`), with the line of the
    /// last setting-level message for their file: systemd parsed nothing after that line.
    stopped: BTreeMap<String, u32>,
}

/// The line number in a rendered `PATH:LINE: MESSAGE`, if any.
fn line_of(rendered: &str) -> Option<u32> {
    let rest = rendered.strip_prefix(DIR)?;
    let (_, after) = rest.split_once(':')?;
    after.split_once(':')?.0.parse().ok()
}

/// The message part of `LINE: MESSAGE` or ` MESSAGE` (what follows `PATH:`).
fn message_of(after_path: &str) -> &str {
    let t = after_path.trim_start_matches(|c: char| c.is_ascii_digit());
    t.strip_prefix(": ")
        .or_else(|| t.strip_prefix(' '))
        .unwrap_or(t)
}

fn oracle(cases: &[&Case]) -> OracleRun {
    let dir = support::Scratch::new("corpus-syntax");
    let mut root = String::from("[Unit]\nDescription=corpus root\n");
    for c in cases {
        let dest = dir.path().join(&c.file);
        std::fs::create_dir_all(dest.parent().expect("case file has a parent"))
            .expect("create case dir");
        std::fs::write(&dest, &c.text).expect("write case");
        if let Some(host) = &c.host {
            std::fs::write(
                dir.path().join(host),
                "[Unit]\nDescription=host of a corpus drop-in\n",
            )
            .expect("write host");
        }
        root.push_str(&format!("Wants={}\n", c.unit));
    }
    std::fs::write(dir.path().join("root.target"), root).expect("write root.target");
    let out = support::run_test_transaction(dir.path(), "root.target");

    // file (as in the scratch dir) -> case unit, and unit -> file
    let by_file: BTreeMap<&str, &str> = cases
        .iter()
        .map(|c| (c.file.as_str(), c.unit.as_str()))
        .collect();
    let mut verdicts: BTreeMap<String, Verdict> = cases
        .iter()
        .map(|c| (c.unit.clone(), Verdict::default()))
        .collect();
    let mut loaded: BTreeMap<String, bool> =
        cases.iter().map(|c| (c.unit.clone(), false)).collect();
    let mut filtered = Vec::new();
    let mut last_setting_line: BTreeMap<String, u32> = BTreeMap::new();
    let mut stopped: BTreeMap<String, u32> = BTreeMap::new();
    let mut saw_dump = false;
    let mut current_unit: Option<String> = None;
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("/tmp/real-systemd-test.") {
            let Some((_, rest)) = rest.split_once('/') else {
                continue;
            };
            let Some((file, after)) = rest.split_once(':') else {
                continue;
            };
            let Some(unit) = by_file.get(file) else {
                continue;
            };
            let message = message_of(after);
            if PARSER_MESSAGES.iter().any(|p| message.starts_with(p)) {
                let v = verdicts.get_mut(*unit).expect("case verdict");
                v.messages.push(format!("{DIR}/{rest}"));
            } else {
                filtered.push(message.to_owned());
                if let Some(n) = line_of(&format!("{DIR}/{rest}")) {
                    last_setting_line.insert((*unit).to_owned(), n);
                }
            }
        } else if let Some(unit) =
            line.strip_suffix(": Unit configuration has fatal error, unit will not be started.")
        {
            if let Some(&n) = last_setting_line.get(unit) {
                stopped.insert(unit.to_owned(), n);
            }
        } else if let Some(u) = line.trim_start().strip_prefix("-> Unit ") {
            saw_dump = true;
            current_unit = u.strip_suffix(':').map(str::to_owned);
            if let Some(l) = current_unit.as_ref().and_then(|u| loaded.get_mut(u)) {
                *l = true;
            }
        } else if let Some(state) = line.trim_start().strip_prefix("Unit Load State: ") {
            if let Some(v) = current_unit.take().and_then(|u| verdicts.get_mut(&u)) {
                v.failed = state == "error";
            }
        }
    }
    assert!(saw_dump, "systemd printed no unit dump; output:\n{out}");
    OracleRun {
        verdicts,
        loaded,
        filtered,
        stopped,
    }
}

/// The shape of a filtered message for the summary: quoted parts and numbers elided.
fn shape(message: &str) -> String {
    let mut s = String::new();
    let mut in_quote = false;
    for ch in message.chars() {
        match ch {
            '\'' | '"' => {
                if !in_quote {
                    s.push_str("'…'");
                }
                in_quote = !in_quote;
            }
            _ if in_quote => {}
            '0'..='9' => {
                if !s.ends_with('#') {
                    s.push('#');
                }
            }
            _ => s.push(ch),
        }
    }
    s.chars().take(70).collect()
}

/// A case with four parser messages (unknown key, unknown section, missing `=`, and an
/// invalid section header that ends the parse: load state `error`).
fn canary(batch: usize) -> Case {
    let unit = format!("canary{batch}.service");
    Case {
        origin: format!("<canary of batch {batch}>"),
        ty: UnitType::Service,
        text:
            b"[Unit]\nDescription=canary\nNoSuchKey=1\n[Bogus]\nA=1\n[Service]\nnoequals\n[Broken\n"
                .to_vec(),
        file: unit.clone(),
        host: None,
        unit,
    }
}

/// Totals of one comparison over many batches.
#[derive(Default)]
struct Report {
    mismatches: Vec<String>,
    not_loaded: Vec<String>,
    filtered: BTreeMap<String, usize>,
    n_filtered: usize,
    n_messages: usize,
    n_failed: usize,
    n_dropins: usize,
    n_stopped: usize,
}

/// Runs `cases` through systemd in batches (each with a canary) and compares every case.
fn compare_all(cases: &[Case]) -> Report {
    let mut r = Report::default();
    for (b, chunk) in cases.chunks(BATCH).enumerate() {
        // A canary with known syntax errors rides along in every batch: it proves that systemd's
        // parser messages for the batch are seen at all (the corpus itself is almost clean).
        let mut batch: Vec<&Case> = chunk.iter().collect();
        let canary = canary(b);
        batch.push(&canary);
        let run = oracle(&batch);
        let seen = &run.verdicts[&canary.unit];
        assert!(
            run.loaded[&canary.unit] && seen.messages.len() == 4 && seen.failed,
            "batch {b}: systemd's messages for the canary were not seen as expected: {seen:?}"
        );
        assert_eq!(
            &ours(&canary),
            seen,
            "batch {b}: the canary parses differently"
        );
        let batch = &batch[..batch.len() - 1];
        r.n_filtered += run.filtered.len();
        for m in &run.filtered {
            *r.filtered.entry(shape(m)).or_default() += 1;
        }
        for &c in batch {
            if !run.loaded[&c.unit] {
                r.not_loaded.push(format!("{} (as {})", c.origin, c.unit));
                continue;
            }
            let theirs = &run.verdicts[&c.unit];
            r.n_messages += theirs.messages.len();
            r.n_failed += usize::from(theirs.failed);
            r.n_dropins += usize::from(c.host.is_some());
            let mut mine = ours(c);
            // The loader's judgement of setting values (`load::scan_settings`) must stop a
            // fragment's parse at the same line as systemd's setting parsers (reference §3.4).
            if c.host.is_none() {
                let ours_stop = our_fatal_line(c);
                let theirs_stop = run.stopped.get(&c.unit).copied();
                if ours_stop != theirs_stop {
                    r.mismatches.push(format!(
                        "{} (as {}): fatal setting line: systemd {theirs_stop:?}, ours {ours_stop:?}\n  text: {:?}",
                        c.origin,
                        c.unit,
                        String::from_utf8_lossy(&c.text)
                    ));
                }
            }
            if let Some(&stop) = run.stopped.get(&c.unit) {
                // A setting parser refused a value fatally at line `stop` (e.g. `ExecStart=` with
                // unbalanced quotes): systemd stopped parsing there. Value parsing is not the
                // parser's business (the graph and simulator issues model it), so compare only
                // the lines systemd read.
                mine.messages
                    .retain(|m| line_of(m).is_none_or(|n| n <= stop));
                mine.failed = false;
                r.n_stopped += 1;
            }
            if &mine != theirs {
                let text = if c.text.len() > 400 || c.origin.starts_with("mutant") {
                    String::new()
                } else {
                    format!("\n  text:    {:?}", String::from_utf8_lossy(&c.text))
                };
                r.mismatches.push(format!(
                    "{} (parsed as {}, dialect Unit({:?})):{text}\n  systemd: {:?}\n  ours:    {:?}",
                    c.origin, c.file, c.ty, theirs, mine
                ));
            }
        }
    }
    r
}

/// Prints the totals and fails on any mismatch.
fn conclude(label: &str, cases: &[Case], left_out: usize, r: Report) {
    let mut shapes: Vec<(usize, String)> = r.filtered.into_iter().map(|(s, n)| (n, s)).collect();
    shapes.sort_by(|a, b| b.cmp(a));
    eprintln!(
        "{label}: {} files compared ({} unit files, {} drop-ins; {} scope files left out), \
         {} parser messages, {} load failures, {} setting-level lines filtered, {} parses stopped \
         by a fatal setting; {} mismatches",
        cases.len(),
        cases.len() - r.n_dropins,
        r.n_dropins,
        left_out,
        r.n_messages,
        r.n_failed,
        r.n_filtered,
        r.n_stopped,
        r.mismatches.len()
    );
    for (n, s) in shapes.iter().take(20) {
        eprintln!("  filtered {n:4} × {s}");
    }
    assert!(
        r.not_loaded.is_empty(),
        "{label}: systemd did not load {} case(s), so their warnings were not seen:\n{}",
        r.not_loaded.len(),
        r.not_loaded.join("\n")
    );
    assert!(
        r.mismatches.is_empty(),
        "{label}: {} of {} files parse differently from systemd 252:\n{}",
        r.mismatches.len(),
        cases.len(),
        r.mismatches.join("\n")
    );
}

/// The corpus as cases, or `None` when the test must be skipped.
fn corpus_cases() -> Option<(Vec<Case>, usize)> {
    let merged = corpus::merged()?;
    if !support::test_transaction() {
        return None;
    }
    let (cases, left_out) = corpus::cases(&merged);
    assert!(
        cases.len() >= 100,
        "the corpus at {} has only {} unit files and drop-ins: rerun scripts/fetch-corpus",
        merged.display(),
        cases.len()
    );
    Some((cases, left_out))
}

#[test]
fn corpus_unit_files_parse_like_systemd() {
    let Some((cases, left_out)) = corpus_cases() else {
        return;
    };
    let r = compare_all(&cases);
    conclude("corpus_syntax", &cases, left_out, r);
}

/// Held-out variations of real files: every corpus file with 1–3 plausible syntax accidents.
/// Set `UNITLAB_SEED=<u64>` to reproduce a run (the seed is printed; the failing mutants' mutation
/// lists are in the report).
#[test]
fn corpus_mutants_parse_like_systemd() {
    let Some((cases, left_out)) = corpus_cases() else {
        return;
    };
    let seed = support::seed_from_env("UNITLAB_SEED");
    eprintln!("corpus_mutants: seed {seed} (reproduce with UNITLAB_SEED={seed})");
    let mutants = corpus::mutants(&cases, seed, "m");
    let r = compare_all(&mutants);
    assert!(
        r.n_messages > mutants.len() / 2,
        "the mutants drew only {} parser messages from systemd: the mutations do not bite",
        r.n_messages
    );
    conclude("corpus_mutants", &mutants, left_out, r);
}
