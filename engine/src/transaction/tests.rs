//! Unit tests of the planner on small in-memory trees (reference §6.1–6.2).
use super::*;
use crate::fs::MemFs;
use crate::graph::GraphOptions;
use crate::load::{Catalog, LookupPaths, MapEnv, Scope};
use crate::name::UnitName;

fn graph(files: &[(&str, &str)], roots: &[&str]) -> Graph {
    let fs = MemFs::new();
    let stubs = [("sysinit.target", "[Unit]\n"), ("basic.target", "[Unit]\n")];
    for (name, text) in files.iter().chain(stubs.iter()) {
        let path = format!("/etc/systemd/system/{name}");
        if *text == "@mask" {
            fs.add_symlink(path.as_str(), "/dev/null").expect("link");
        } else {
            fs.add_file(path.as_str(), text.as_bytes()).expect("file");
        }
    }
    let paths = LookupPaths::new(Scope::System, None, &MapEnv::new("/")).expect("paths");
    let mut diags = Vec::new();
    let catalog = Catalog::build(&fs, &paths, &mut diags);
    let roots: Vec<UnitName> = roots
        .iter()
        .map(|r| UnitName::new(r).expect("name"))
        .collect();
    Graph::build(&fs, &catalog, &roots, GraphOptions::default(), &mut diags)
}

fn jobs(tr: &Transaction) -> Vec<String> {
    tr.jobs
        .iter()
        .map(|j| format!("{} {}", j.unit, j.job_type))
        .collect()
}

const SVC: &str = "[Service]\nExecStart=/bin/true\n";

// reference §6.2 example: Requires= on a masked unit fails the transaction; Wants= does not.
#[test]
fn requires_masked_fails_wants_ignored() {
    let g = graph(
        &[
            ("a.target", "[Unit]\nRequires=m.service\n"),
            ("b.target", "[Unit]\nWants=m.service missing.service\n"),
            ("m.service", "@mask"),
        ],
        &["a.target", "b.target"],
    );
    let mut msgs = Vec::new();
    let st = RuntimeState::new();
    let e = plan(
        &g,
        &Request::new("a.target", JobType::Start),
        &st,
        &mut msgs,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "Unit m.service is masked.");
    let tr = plan(
        &g,
        &Request::new("b.target", JobType::Start),
        &st,
        &mut msgs,
    )
    .expect("ok");
    assert_eq!(jobs(&tr), ["b.target start"]);
}

// reference §6.1: stop propagates to RequiredBy; stop of an inactive unit is kept as the anchor only.
#[test]
fn stop_propagation_and_redundancy() {
    let g = graph(
        &[
            (
                "a.service",
                "[Unit]\nRequires=b.service\n[Service]\nExecStart=/bin/a\n",
            ),
            ("b.service", SVC),
        ],
        &["a.service"],
    );
    let mut msgs = Vec::new();
    let mut st = RuntimeState::new();
    let tr = plan(
        &g,
        &Request::new("b.service", JobType::Stop),
        &st,
        &mut msgs,
    )
    .expect("ok");
    assert_eq!(jobs(&tr), ["b.service stop"]);
    let tr = plan(
        &g,
        &Request::new("a.service", JobType::Start),
        &st,
        &mut msgs,
    )
    .expect("ok");
    assert_eq!(
        jobs(&tr),
        ["a.service start", "b.service start", "sysinit.target start"]
    );
    st.set_active_state(UnitName::new("a.service").expect("n"), ActiveState::Active);
    st.set_active_state(UnitName::new("b.service").expect("n"), ActiveState::Active);
    let tr = plan(
        &g,
        &Request::new("b.service", JobType::Stop),
        &st,
        &mut msgs,
    )
    .expect("ok");
    assert_eq!(jobs(&tr), ["a.service stop", "b.service stop"]);
    let tr = plan(
        &g,
        &Request::new("b.service", JobType::Restart),
        &st,
        &mut msgs,
    )
    .expect("ok");
    // A restart also pulls in the start jobs of its requirements.
    assert_eq!(
        jobs(&tr),
        [
            "a.service restart",
            "b.service restart",
            "sysinit.target start"
        ]
    );
}

// reference §6.2 step 4.5: a cycle of jobs that all matter is fatal.
#[test]
fn unfixable_cycle() {
    let g = graph(
        &[
            (
                "a.service",
                "[Unit]\nRequires=b.service\nAfter=b.service\n[Service]\nExecStart=/bin/a\n",
            ),
            (
                "b.service",
                "[Unit]\nAfter=a.service\n[Service]\nExecStart=/bin/b\n",
            ),
        ],
        &["a.service"],
    );
    let mut msgs = Vec::new();
    let e = plan(
        &g,
        &Request::new("a.service", JobType::Start),
        &RuntimeState::new(),
        &mut msgs,
    )
    .unwrap_err();
    assert_eq!(e, TransactionError::OrderIsCyclic);
    assert!(msgs
        .iter()
        .any(|m| m.text.starts_with("Unable to break cycle starting with")));
}

// reference §6.1: isolate needs AllowIsolate=yes; reload needs reload support.
#[test]
fn mode_and_type_checks() {
    let g = graph(
        &[
            ("a.service", SVC),
            ("i.target", "[Unit]\nAllowIsolate=yes\n"),
        ],
        &["a.service", "i.target"],
    );
    let mut msgs = Vec::new();
    let st = RuntimeState::new();
    let r = Request::new("a.service", JobType::Start).mode(JobMode::Isolate);
    assert_eq!(
        plan(&g, &r, &st, &mut msgs).unwrap_err(),
        TransactionError::NoIsolation
    );
    let r = Request::new("a.service", JobType::Reload);
    assert_eq!(
        plan(&g, &r, &st, &mut msgs).unwrap_err().to_string(),
        "Job type reload is not applicable for unit a.service."
    );
    let mut st = RuntimeState::new();
    st.set_active_state(UnitName::new("a.service").expect("n"), ActiveState::Active);
    let r = Request::new("i.target", JobType::Start).mode(JobMode::Isolate);
    let tr = plan(&g, &r, &st, &mut msgs).expect("ok");
    assert_eq!(jobs(&tr), ["a.service stop", "i.target start"]);
    assert_eq!(
        tr.job("a.service").map(|j| j.pulled_in_by[0].via),
        Some(Via::Isolate)
    );
}
