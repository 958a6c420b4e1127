//! Shared by the transaction differentials: what `systemd --test --system --unit=U` reports about
//! the start transaction (jobs or failure, the job messages), what the engine plans for the same
//! tree, and the comparison.
//!
//! Include with `mod transaction_common;` (after `mod support;`).
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use unitlab_engine::diag::Severity;
use unitlab_engine::graph::DepKind;
use unitlab_engine::graph::Graph;
use unitlab_engine::transaction::{
    plan, JobMode, JobType, Message, Request, RuntimeState, TransactionError,
};

/// What systemd reported for one start transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Oracle {
    /// `unit → job type` of the installed jobs (`-> By jobs:`), or empty on failure.
    pub jobs: BTreeMap<String, String>,
    /// The failure text after `Failed to start default target: `, if the transaction failed.
    pub failure: Option<String>,
    /// The transaction messages (dependency job warnings and ordering cycles), as printed.
    pub messages: BTreeSet<String>,
    /// Units whose job a `Wants=`-like dependency failed to add (any log level; ours only).
    pub ignored: BTreeSet<String>,
    /// The whole output (for failure reports).
    pub text: String,
}

/// True for the manager's transaction messages (not the loader's).
pub fn is_transaction_message(line: &str) -> bool {
    [
        "Cannot add dependency job",
        "Cannot add dependency reload job",
        "Found ordering cycle on",
        "Found dependency on",
        "deleted to break ordering cycle",
        "Unable to break cycle starting with",
        "Requested transaction contains",
    ]
    .iter()
    .any(|p| line.contains(p))
}

/// Parses `systemd --test` output.
pub fn parse_oracle(text: &str) -> Oracle {
    let mut o = Oracle {
        text: text.to_owned(),
        ..Oracle::default()
    };
    let mut in_jobs = false;
    let mut previous = "";
    for line in text.lines() {
        for p in [
            "Failed to start default target: ",
            "Failed to isolate default target: ",
        ] {
            if let Some(f) = line.strip_prefix(p) {
                o.failure = Some(f.to_owned());
            }
        }
        // The unit itself failed to load: its error, then the fallback.
        if line == "Falling back to rescue.target." && o.failure.is_none() {
            o.failure = Some(previous.to_owned());
        }
        previous = line;
        if !line.starts_with('\t') && is_transaction_message(line) {
            o.messages.insert(line.to_owned());
        }
        if line == "-> By jobs:" {
            in_jobs = true;
            continue;
        }
        if in_jobs {
            if let Some(a) = line.trim_start().strip_prefix("Action: ") {
                if let Some((u, t)) = a.split_once(" -> ") {
                    o.jobs.insert(u.to_owned(), t.to_owned());
                }
            }
        }
    }
    o
}

/// What the engine plans for a start of `unit` on `graph` (all units inactive, as in `systemd
/// --test`), in the oracle's shape. Like systemd's default-target job, the start is an `isolate`
/// if the unit allows it, else a `replace`. Debug messages are left out (systemd does not print
/// them).
pub fn ours(graph: &Graph, unit: &str) -> Oracle {
    let mut messages: Vec<Message> = Vec::new();
    let state = RuntimeState::new();
    let request = Request::new(unit, JobType::Start).mode(JobMode::Isolate);
    let mut result = plan(graph, &request, &state, &mut messages);
    if result == Err(TransactionError::NoIsolation) {
        let request = Request::new(unit, JobType::Start);
        result = plan(graph, &request, &state, &mut messages);
    }
    let mut o = Oracle::default();
    match result {
        Ok(tr) => {
            for j in tr.jobs {
                o.jobs.insert(j.unit.to_string(), j.job_type.to_string());
            }
        }
        Err(e) => o.failure = Some(e.to_string()),
    }
    o.ignored = messages
        .iter()
        .filter(|m| m.text.starts_with("Cannot add dependency job"))
        .filter_map(|m| m.unit.as_ref().map(|u| u.to_string()))
        .collect();
    o.messages = messages
        .iter()
        .filter(|m| m.severity <= Severity::Info)
        .map(|m| m.to_string())
        .collect();
    o
}

/// How one comparison came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agreement {
    /// Same jobs (or same failure text) and same messages.
    Exact,
    /// Differs from systemd's first run but equals another run of systemd on the same tree:
    /// systemd's hash order changes from run to run.
    OtherRun,
    /// Both broke an ordering cycle by deleting a job, and systemd's choice (hash order) differs
    /// from ours; everything else agrees as far as it can.
    CycleChoice,
    /// Both failed on a failing required dependency, but systemd met another failing one first
    /// (hash order); the unit systemd names fails the same way in our graph. Or both failed on
    /// conflicting jobs, found on different units (hash order).
    FailureChoice,
    /// The job sets differ only below units that a `Wants=`-like dependency failed to add: such a
    /// unit keeps the dependency jobs added before the failing one, and systemd's order varies
    /// from run to run.
    PartialWants,
}

/// Compares systemd's and our result; `keep(unit)` selects the units compared (the tree's, not the
/// host's). `graph` is ours, used to check systemd's alternative choices.
pub fn compare(
    theirs: &Oracle,
    mine: &Oracle,
    graph: &Graph,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Agreement, String> {
    let jobs = |o: &Oracle| -> BTreeMap<String, String> {
        o.jobs
            .iter()
            .filter(|(u, _)| keep(u))
            .map(|(u, t)| (u.clone(), t.clone()))
            .collect()
    };
    let msgs = |o: &Oracle| -> BTreeSet<String> {
        o.messages
            .iter()
            .filter(|m| !is_cycle_message(m))
            .filter(|m| {
                // messages naming host units only are not compared
                m.split(": ").next().is_none_or(keep)
            })
            .cloned()
            .collect()
    };
    let (tj, mj) = (jobs(theirs), jobs(mine));
    let (tm, mm) = (msgs(theirs), msgs(mine));
    let (tc, mc) = (cycles(theirs), cycles(mine));
    let cycle_broken = |o: &Oracle| {
        o.messages
            .iter()
            .any(|m| m.contains("deleted to break ordering cycle"))
    };
    let mut diffs = Vec::new();
    match (&theirs.failure, &mine.failure) {
        (Some(a), Some(b)) if a == b => {}
        (Some(a), Some(b)) => {
            // Another failing requirement met first?
            if failure_is_possible(graph, a) && failure_is_possible(graph, b) {
                return Ok(Agreement::FailureChoice);
            }
            let conflicting = |s: &str| s.starts_with("Transaction contains conflicting jobs");
            if conflicting(a) && conflicting(b) {
                return Ok(Agreement::FailureChoice);
            }
            diffs.push(format!("failure: systemd {a:?}, ours {b:?}"));
        }
        (Some(a), None) => diffs.push(format!("failure only systemd: {a}")),
        (None, Some(b)) => diffs.push(format!("failure only ours: {b}")),
        (None, None) => {
            if tj != mj {
                let only_t: Vec<String> = tj
                    .iter()
                    .filter(|(u, t)| mj.get(*u) != Some(t))
                    .map(|(u, t)| format!("{u} {t}"))
                    .collect();
                let only_m: Vec<String> = mj
                    .iter()
                    .filter(|(u, t)| tj.get(*u) != Some(t))
                    .map(|(u, t)| format!("{u} {t}"))
                    .collect();
                diffs.push(format!(
                    "jobs only systemd: {only_t:?}\njobs only ours: {only_m:?}"
                ));
            }
        }
    }
    if tm != mm {
        for m in tm.difference(&mm) {
            diffs.push(format!("message only systemd: {m}"));
        }
        for m in mm.difference(&tm) {
            diffs.push(format!("message only ours:    {m}"));
        }
    }
    if tc.unfixable != mc.unfixable {
        diffs.push(format!(
            "unfixable cycle: systemd {}, ours {}",
            tc.unfixable, mc.unfixable
        ));
    }
    let same_cycles = tc == mc;
    if diffs.is_empty() && same_cycles {
        return Ok(Agreement::Exact);
    }
    if cycle_broken(theirs) && cycle_broken(mine) && theirs.failure == mine.failure {
        return Ok(Agreement::CycleChoice);
    }
    // A failed transaction stops at the first fatal error: which ignored failures were met
    // before it depends on the order.
    if theirs.failure.is_some()
        && theirs.failure == mine.failure
        && same_cycles
        && tm
            .symmetric_difference(&mm)
            .all(|m| m.contains("Cannot add dependency"))
    {
        return Ok(Agreement::FailureChoice);
    }
    if theirs.failure.is_none() && mine.failure.is_none() && !mine.ignored.is_empty() {
        let below = pulled_below(graph, &mine.ignored);
        let differing = tj
            .iter()
            .filter(|(u, t)| mj.get(*u) != Some(t))
            .chain(mj.iter().filter(|(u, t)| tj.get(*u) != Some(t)))
            .map(|(u, _)| u);
        let messages_ok = tm
            .symmetric_difference(&mm)
            .all(|m| m.split(": ").next().is_some_and(|u| below.contains(u)));
        if messages_ok && differing.into_iter().all(|u| below.contains(u)) {
            return Ok(Agreement::PartialWants);
        }
    }
    if !same_cycles {
        diffs.push(format!("cycles: systemd {tc:?}\n        ours    {mc:?}"));
    }
    Err(diffs.join("\n"))
}

/// The units reachable from `roots` through the dependencies that pull jobs in (roots included).
fn pulled_below(graph: &Graph, roots: &BTreeSet<String>) -> BTreeSet<String> {
    let kinds = [
        DepKind::Requires,
        DepKind::BindsTo,
        DepKind::Wants,
        DepKind::Upholds,
        DepKind::Requisite,
        DepKind::Conflicts,
        DepKind::ConflictedBy,
    ];
    let mut seen: BTreeSet<String> = roots.clone();
    let mut work: Vec<String> = roots.iter().cloned().collect();
    while let Some(u) = work.pop() {
        let Some(node) = graph.get(&u) else { continue };
        for k in kinds {
            for (o, _) in node.deps_of(k) {
                if seen.insert(o.to_string()) {
                    work.push(o.to_string());
                }
            }
        }
    }
    seen
}

/// True for the ordering-cycle messages (their wording depends on where the search started).
fn is_cycle_message(m: &str) -> bool {
    m.contains("Found ordering cycle on")
        || m.contains("Found dependency on")
        || m.contains("deleted to break ordering cycle")
        || m.contains("Unable to break cycle")
        || m.contains("unfixable cyclic ordering dependency")
}

/// The ordering cycles a run reported, independent of where the search started: the jobs on
/// cycles, the jobs deleted, and whether a cycle could not be broken.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cycles {
    /// `unit/type` of every job on a reported cycle.
    pub members: BTreeSet<String>,
    /// `unit/type` of the deleted jobs.
    pub deleted: BTreeSet<String>,
    /// A cycle could not be broken.
    pub unfixable: bool,
}

/// Extracts [`Cycles`] from the messages.
pub fn cycles(o: &Oracle) -> Cycles {
    let mut c = Cycles::default();
    for m in &o.messages {
        for p in ["Found ordering cycle on ", "Found dependency on "] {
            if let Some(i) = m.find(p) {
                c.members.insert(m[i + p.len()..].to_owned());
            }
        }
        if let Some(i) = m.find(": Job ") {
            if let Some(j) = m[i + 6..].split(' ').next() {
                c.deleted.insert(j.to_owned());
            }
        }
        if m.contains("Unable to break cycle") {
            c.unfixable = true;
        }
    }
    c
}

/// True if `text` is a load-state failure of a unit of our graph that fails that way.
fn failure_is_possible(graph: &Graph, text: &str) -> bool {
    let Some(rest) = text.strip_prefix("Unit ") else {
        return false;
    };
    let Some(unit) = rest.split(' ').next() else {
        return false;
    };
    let Some(node) = graph.get(unit) else {
        return false;
    };
    let expected = match node.load_state().as_str() {
        "not-found" => format!("Unit {unit} not found."),
        "masked" => format!("Unit {unit} is masked."),
        "bad-setting" => format!("Unit {unit} has a bad unit file setting."),
        "error" => format!("Unit {unit} failed to load properly"),
        _ => return false,
    };
    text.starts_with(&expected)
}

/// Counts of a differential run.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Cases compared.
    pub cases: usize,
    /// Exact agreements.
    pub exact: usize,
    /// Cycle-breaking choices that differ (hash order).
    pub cycle_choice: usize,
    /// Failure choices that differ (hash order).
    pub failure_choice: usize,
    /// Partial `Wants=` additions (systemd itself varies).
    pub partial_wants: usize,
    /// Equal to another run of systemd.
    pub other_run: usize,
    /// Failed transactions among the cases.
    pub failures: usize,
    /// Jobs compared.
    pub jobs: usize,
}

impl Tally {
    /// Records one comparison.
    pub fn add(&mut self, a: Agreement, theirs: &Oracle) {
        self.cases += 1;
        self.jobs += theirs.jobs.len();
        if theirs.failure.is_some() {
            self.failures += 1;
        }
        match a {
            Agreement::Exact => self.exact += 1,
            Agreement::CycleChoice => self.cycle_choice += 1,
            Agreement::FailureChoice => self.failure_choice += 1,
            Agreement::PartialWants => self.partial_wants += 1,
            Agreement::OtherRun => self.other_run += 1,
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cases ({} failing transactions, {} jobs): {} exact, {} equal to another systemd run, {} differ only in the cycle-breaking choice, {} only in which failure is reported, {} only below a partially added Wants= unit",
            self.cases, self.failures, self.jobs, self.exact, self.other_run, self.cycle_choice, self.failure_choice, self.partial_wants
        )
    }
}

/// Compares, and when the result is not exact, runs systemd again (`rerun`, up to `tries` times)
/// to see whether another of its hash orders gives exactly our result.
pub fn compare_with_reruns(
    theirs: &Oracle,
    mine: &Oracle,
    graph: &Graph,
    keep: &dyn Fn(&str) -> bool,
    tries: usize,
    rerun: &mut dyn FnMut() -> Oracle,
) -> Result<Agreement, String> {
    let first = compare(theirs, mine, graph, keep);
    if first == Ok(Agreement::Exact) {
        return first;
    }
    for _ in 0..tries {
        if compare(&rerun(), mine, graph, keep) == Ok(Agreement::Exact) {
            return Ok(Agreement::OtherRun);
        }
    }
    first
}
