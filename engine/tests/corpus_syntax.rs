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
//! and whether the unit's load state is `error` (our `ParsedFile::failure`).
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
//! shapes are printed, so the filter stays visible.
//!
//! Scope units are left out: systemd does not load a scope from a unit file outside of
//! `systemctl set-property`/transient creation, so their drop-ins are never parsed by `--test`
//! (the count is printed).
mod corpus;
mod support;

use camino::Utf8PathBuf;
use std::collections::BTreeMap;
use std::path::Path;
use unitlab_engine::diag::Severity;
use unitlab_engine::name::{NameKind, UnitName, UnitType};
use unitlab_engine::syntax::{parse, Dialect};

/// The directory our side pretends the files are in: systemd's temp dir with its random part
/// normalised (same length as the real one).
const DIR: &str = "/tmp/real-systemd-test.XXXXXX";

/// Message beginnings of everything `config_parse()`/`parse_line()`/`next_assignment()` logs.
const PARSER_MESSAGES: &[&str] = &[
    "Unknown key '",
    "Unknown section '",
    "Assignment outside of section. Ignoring.",
    "Missing '=', ignoring line.",
    "Missing key name before '=', ignoring line.",
    "Invalid section header '",
    "Bad characters in section header '",
    "String is not UTF-8 clean, ignoring assignment: ",
    "Line too long",
    "Continuation line too long",
];

/// Cases per systemd run.
const BATCH: usize = 250;

/// One corpus file turned into a case.
struct Case {
    /// The corpus file, relative to the merged tree (for reports).
    origin: String,
    /// The unit type whose dialect parses it.
    ty: UnitType,
    /// The file's bytes.
    text: Vec<u8>,
    /// Where the file goes in the scratch dir (relative), e.g. `f3@.service` or `d1.service.d/x.conf`.
    file: String,
    /// The host fragment to write beside a drop-in (`dN.TYPE`), if any.
    host: Option<String>,
    /// The unit name `root.target` wants.
    unit: String,
}

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
        messages: diags
            .iter()
            .filter(|d| d.severity != Severity::Debug)
            .map(|d| d.to_string())
            .collect(),
        failed: f.failure.is_some(),
    }
}

/// Everything systemd said about one batch.
struct OracleRun {
    verdicts: BTreeMap<String, Verdict>,
    loaded: BTreeMap<String, bool>,
    filtered: Vec<String>,
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

/// Turns the corpus into cases; returns them and the number of files left out (scope units).
fn cases(merged: &Path) -> (Vec<Case>, usize) {
    let mut out = Vec::new();
    let mut left_out = 0;
    let mut n_frag = 0;
    let mut n_drop = 0;
    for dirs in [corpus::SYSTEM_DIRS, corpus::USER_DIRS] {
        for e in corpus::entries(merged, dirs) {
            let origin = format!("{}/{}", e.dir, e.name);
            if e.is_dir {
                // a drop-in directory NAME.d: its *.conf files belong to a unit of NAME's type
                let Some(unit) = e.name.strip_suffix(".d") else {
                    continue;
                };
                let Some(ty) = unit
                    .rsplit_once('.')
                    .and_then(|(_, s)| UnitType::from_suffix(s))
                else {
                    continue; // .wants/.requires/.upholds and other directories
                };
                for (conf, path) in corpus::regular_files(&e.path) {
                    if !conf.ends_with(".conf") {
                        continue;
                    }
                    if ty == UnitType::Scope {
                        left_out += 1;
                        continue;
                    }
                    n_drop += 1;
                    let host = format!("d{n_drop}.{}", ty.as_str());
                    out.push(Case {
                        origin: format!("{origin}/{conf}"),
                        ty,
                        text: std::fs::read(&path).expect("read corpus drop-in"),
                        file: format!("{host}.d/{conf}"),
                        unit: host.clone(),
                        host: Some(host),
                    });
                }
            } else if !e.symlink && e.path.is_file() {
                let Ok(name) = UnitName::new(&e.name) else {
                    continue; // not a unit file (corpus_names checks these against systemd)
                };
                let ty = name.unit_type();
                if ty == UnitType::Scope {
                    left_out += 1;
                    continue;
                }
                n_frag += 1;
                let (file, unit) = match name.kind() {
                    NameKind::Plain => {
                        let f = format!("f{n_frag}.{}", ty.as_str());
                        (f.clone(), f)
                    }
                    NameKind::Template => (
                        format!("f{n_frag}@.{}", ty.as_str()),
                        format!("f{n_frag}@i.{}", ty.as_str()),
                    ),
                    NameKind::Instance => {
                        let f = format!("f{n_frag}@i.{}", ty.as_str());
                        (f.clone(), f)
                    }
                };
                out.push(Case {
                    origin,
                    ty,
                    text: std::fs::read(&e.path).expect("read corpus unit file"),
                    file,
                    host: None,
                    unit,
                });
            }
        }
    }
    (out, left_out)
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

#[test]
fn corpus_unit_files_parse_like_systemd() {
    let Some(merged) = corpus::merged() else {
        return;
    };
    if !support::test_transaction() {
        return;
    }
    let (cases, left_out) = cases(&merged);
    assert!(
        cases.len() >= 100,
        "the corpus at {} has only {} unit files and drop-ins: rerun scripts/fetch-corpus",
        merged.display(),
        cases.len()
    );

    let mut mismatches = Vec::new();
    let mut not_loaded = Vec::new();
    let mut filtered: BTreeMap<String, usize> = BTreeMap::new();
    let (mut n_filtered, mut n_messages, mut n_failed, mut n_dropins) = (0, 0, 0, 0);
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
        n_filtered += run.filtered.len();
        for m in &run.filtered {
            *filtered.entry(shape(m)).or_default() += 1;
        }
        for &c in batch {
            if !run.loaded[&c.unit] {
                not_loaded.push(format!("{} (as {})", c.origin, c.unit));
                continue;
            }
            let theirs = &run.verdicts[&c.unit];
            n_messages += theirs.messages.len();
            n_failed += usize::from(theirs.failed);
            n_dropins += usize::from(c.host.is_some());
            let mine = ours(c);
            if &mine != theirs {
                mismatches.push(format!(
                    "{} (parsed as {}, dialect Unit({:?})):\n  systemd: {:?}\n  ours:    {:?}",
                    c.origin, c.file, c.ty, theirs, mine
                ));
            }
        }
    }

    let mut shapes: Vec<(usize, String)> = filtered.into_iter().map(|(s, n)| (n, s)).collect();
    shapes.sort_by(|a, b| b.cmp(a));
    eprintln!(
        "corpus_syntax: {} files compared ({} unit files, {} drop-ins; {} scope files left out), \
         {} parser messages, {} load failures, {} setting-level lines filtered; {} mismatches",
        cases.len(),
        cases.len() - n_dropins,
        n_dropins,
        left_out,
        n_messages,
        n_failed,
        n_filtered,
        mismatches.len()
    );
    for (n, s) in shapes.iter().take(20) {
        eprintln!("  filtered {n:4} × {s}");
    }
    assert!(
        not_loaded.is_empty(),
        "systemd did not load {} case(s), so their warnings were not seen:\n{}",
        not_loaded.len(),
        not_loaded.join("\n")
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} corpus files parse differently from systemd 252:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}
