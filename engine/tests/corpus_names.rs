//! Differential test of the name module over the real-world corpus (`scripts/fetch-corpus`): every
//! entry of the corpus's unit directories (files, symlinks, and directories such as `foo.service.d`
//! and `foo.target.wants`, whose names both sides must reject) must be classified by
//! `unitlab_engine::name` the way systemd 252 classifies it.
//!
//! Oracles:
//!
//! * **validity**: `systemd-analyze unit-files` run with `SYSTEMD_UNIT_PATH` set to the corpus's
//!   unit directories (once for the system ones, once for the user ones). It lists under `ids:` every
//!   entry whose name `unit_name_is_valid()` accepts and which it could map to a file (reference
//!   §3.3). Every listed name must be a valid [`UnitName`], every entry we reject must be absent, and
//!   every valid regular file must be listed. A symlink (or directory) with a valid name that systemd
//!   leaves out is left out for another reason than its name (e.g. a dangling link): it is printed,
//!   not failed (the corpus has none today).
//! * **kind**: `systemd-escape -u --instance NAME` succeeds exactly for instances (reporting the
//!   instance) and `systemd-escape --template=NAME x` exactly for templates (reference §2.2).
//! * **type**: the type is the suffix after the last dot (reference §2.1); a listed name's
//!   [`UnitName::unit_type`] must give it back.
mod corpus;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use unitlab_engine::name::{NameKind, UnitName};

/// `systemd-analyze unit-files` with the given corpus dirs as the whole search path: the `ids:`
/// map (name → what systemd printed as its target).
fn systemd_ids(merged: &Path, dirs: &[&str]) -> BTreeMap<String, String> {
    let path: Vec<String> = dirs
        .iter()
        .map(|d| merged.join(d).to_string_lossy().into_owned())
        .collect();
    let out = Command::new("systemd-analyze")
        .arg("unit-files")
        .env("SYSTEMD_UNIT_PATH", path.join(":"))
        .env("SYSTEMD_LOG_LEVEL", "err")
        .output()
        .expect("run systemd-analyze unit-files");
    assert!(
        out.status.success(),
        "systemd-analyze unit-files failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut ids = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("ids: ") {
            let (name, target) = rest.split_once(" → ").expect("ids: NAME → TARGET");
            ids.insert(name.to_owned(), target.to_owned());
        }
    }
    ids
}

/// systemd's kind of a name, from `systemd-escape` (see the module docs).
fn systemd_kind(name: &str) -> (Option<NameKind>, Option<String>) {
    let inst = Command::new("systemd-escape")
        .args(["-u", "--instance", name])
        .output()
        .expect("run systemd-escape --instance");
    let tmpl = Command::new("systemd-escape")
        .args([format!("--template={name}"), "x".to_owned()])
        .output()
        .expect("run systemd-escape --template");
    match (inst.status.success(), tmpl.status.success()) {
        (true, false) => (
            Some(NameKind::Instance),
            Some(String::from_utf8_lossy(&inst.stdout).trim_end().to_owned()),
        ),
        (false, true) => (Some(NameKind::Template), None),
        (false, false) => (Some(NameKind::Plain), None),
        (true, true) => (None, None),
    }
}

#[test]
fn corpus_names_classify_like_systemd() {
    let Some(merged) = corpus::merged() else {
        return;
    };
    if !support::systemd_analyze() || !support::systemd_escape() {
        return;
    }
    let mut bad = Vec::new();
    let (mut n_entries, mut n_listed, mut n_rejected, mut n_kind) = (0, 0, 0, 0);
    let mut left_out_links = Vec::new();
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (scope, dirs) in [("system", corpus::SYSTEM_DIRS), ("user", corpus::USER_DIRS)] {
        let ids = systemd_ids(&merged, dirs);
        // directories too: systemd checks the name before the file type, so `foo.service.d`,
        // `foo.target.wants` are rejected names for it as for us
        let entries: Vec<corpus::Entry> = corpus::entries(&merged, dirs);
        let names: BTreeSet<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        for listed in ids.keys() {
            if !names.contains(listed.as_str()) {
                bad.push(format!(
                    "{scope}: systemd lists {listed}, which is no entry of the corpus dirs"
                ));
            }
        }
        for e in &entries {
            n_entries += 1;
            let ours = UnitName::new(&e.name);
            let listed = ids.contains_key(&e.name);
            n_listed += usize::from(listed);
            match (&ours, listed) {
                (Err(err), true) => bad.push(format!(
                    "{}/{}: systemd lists it as a unit, we reject the name: {err}",
                    e.dir, e.name
                )),
                (Err(_), false) => n_rejected += 1,
                (Ok(_), false) if !e.symlink && !e.is_dir => bad.push(format!(
                    "{}/{}: a regular file with a name we accept, but systemd does not list it",
                    e.dir, e.name
                )),
                (Ok(_), false) if e.is_dir => {
                    left_out_links.push(format!("{}/{}/ (a directory)", e.dir, e.name))
                }
                (Ok(_), false) => left_out_links.push(format!(
                    "{}/{} -> {}",
                    e.dir,
                    e.name,
                    std::fs::read_link(&e.path)
                        .map(|t| t.display().to_string())
                        .unwrap_or_default()
                )),
                (Ok(_), true) => {}
            }
            let Ok(name) = ours else {
                continue;
            };
            // type: the suffix after the last dot
            let suffix = e.name.rsplit_once('.').map(|(_, s)| s).unwrap_or_default();
            if name.unit_type().as_str() != suffix {
                bad.push(format!(
                    "{}/{}: type {:?}, systemd's suffix is {suffix}",
                    e.dir,
                    e.name,
                    name.unit_type()
                ));
            }
            // kind, against systemd-escape
            n_kind += 1;
            let (kind, instance) = systemd_kind(&e.name);
            *kinds
                .entry(match name.kind() {
                    NameKind::Plain => "plain",
                    NameKind::Template => "template",
                    NameKind::Instance => "instance",
                })
                .or_default() += 1;
            if kind != Some(name.kind()) {
                bad.push(format!(
                    "{}/{}: kind {:?}, systemd-escape says {kind:?}",
                    e.dir,
                    e.name,
                    name.kind()
                ));
            }
            if let Some(inst) = instance {
                let ours = name
                    .instance()
                    .map(unitlab_engine::name::unescape)
                    .map(|r| r.map_err(|e| e.to_string()));
                if ours != Some(Ok(inst.clone())) {
                    bad.push(format!(
                        "{}/{}: unescaped instance {ours:?}, systemd-escape says {inst:?}",
                        e.dir, e.name
                    ));
                }
            }
        }
    }
    eprintln!(
        "corpus_names: {n_entries} entries ({n_listed} listed by systemd-analyze, {n_rejected} \
         rejected by both), kinds checked for {n_kind}: {kinds:?}; {} valid symlinks/dirs not listed; \
         {} mismatches",
        left_out_links.len(),
        bad.len()
    );
    for l in &left_out_links {
        eprintln!("  not listed by systemd: {l}");
    }
    assert!(n_entries >= 100, "corpus too small: {n_entries} entries");
    assert!(
        bad.is_empty(),
        "{} name(s) classified differently from systemd 252:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
