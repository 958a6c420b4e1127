//! `systemctl list-jobs [PATTERN...] [--after] [--before] [--no-legend]`: the queued jobs in
//! systemd 252's table (JOB, UNIT, TYPE, STATE, left-aligned, the last column unpadded). With
//! `--after`, each job is followed by the jobs that wait for it (`└─` and a tab, `blocking job N
//! (UNIT/TYPE)`); with `--before`, by the jobs it waits for (`waiting for job ...`). Without jobs
//! it prints `No jobs running.`, or `No jobs listed.` when jobs exist but no pattern matched.
//! Verified on the live user manager (2026-11-24). systemd lists the jobs in the order of its
//! hash table, which changes from one manager to the next; the simulator lists them by id.
use super::verbs::Opts;
use super::{Job, Manager};
use crate::manager::state::JobType;
use std::io::Write;
use unitlab_engine::graph::DepKind;
use unitlab_engine::install::fnmatch::fnmatch;

/// Runs `list-jobs`.
pub fn run(m: &Manager, o: &Opts, out: &mut dyn Write) -> i32 {
    let mut skipped = false;
    let mut jobs: Vec<&Job> = Vec::new();
    for j in m.jobs.values() {
        if !o.args.is_empty() && !o.args.iter().any(|p| fnmatch(p, j.unit.as_str())) {
            skipped = true;
            continue;
        }
        jobs.push(j);
    }
    if jobs.is_empty() {
        if !o.no_legend {
            let what = if skipped { "listed" } else { "running" };
            let _ = writeln!(out, "No jobs {what}.");
        }
        return 0;
    }
    let mut rows: Vec<[String; 4]> = Vec::new();
    if !o.no_legend {
        rows.push(["JOB", "UNIT", "TYPE", "STATE"].map(str::to_owned));
    }
    let describe = |x: &Job| format!("{} ({}/{})", x.id, x.unit, x.kind.as_str());
    for j in &jobs {
        let state = if j.running { "running" } else { "waiting" };
        rows.push([
            j.id.to_string(),
            j.unit.to_string(),
            j.kind.as_str().to_owned(),
            state.to_owned(),
        ]);
        let mut sub = |others: Vec<&Job>, label: &str| {
            for x in others {
                rows.push([
                    "└─".to_owned(),
                    format!("\t{label} {}", describe(x)),
                    "-".to_owned(),
                    "-".to_owned(),
                ]);
            }
        };
        if o.jobs_after {
            sub(m.jobs_waiting_for(j), "blocking job");
        }
        if o.jobs_before {
            sub(m.jobs_awaited_by(j), "waiting for job");
        }
    }
    let mut widths = [0usize; 4];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    for r in &rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                let pad = widths[i] - c.chars().count() + 1;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let _ = writeln!(out, "{line}");
    }
    if !o.no_legend {
        let _ = writeln!(out, "\n{} jobs listed.", jobs.len());
    }
    0
}

impl Manager {
    /// Whether job `a` must wait for job `b`, by the units' ordering (systemd's `job_compare()`):
    /// a stop (or a restart, a stop in disguise) goes first whatever the order; otherwise
    /// `After=` orders. Jobs that are no-ops or ignore ordering wait for nothing.
    fn job_waits_for(&self, a: &Job, b: &Job) -> bool {
        if a.id == b.id
            || a.kind == JobType::Nop
            || b.kind == JobType::Nop
            || a.ignore_order
            || b.ignore_order
        {
            return false;
        }
        let Some(u) = self.units.unit(&a.unit) else {
            return false;
        };
        let stop = |k: JobType| matches!(k, JobType::Stop | JobType::Restart);
        let after = u.node.deps_of(DepKind::After).any(|(x, _)| *x == b.unit);
        let before = u.node.deps_of(DepKind::Before).any(|(x, _)| *x == b.unit);
        (after && !stop(a.kind)) || (before && stop(b.kind))
    }

    /// The queued jobs that wait for `j` (`GetJobAfter`).
    fn jobs_waiting_for(&self, j: &Job) -> Vec<&Job> {
        self.jobs
            .values()
            .filter(|x| self.job_waits_for(x, j))
            .collect()
    }

    /// The queued jobs that `j` waits for (`GetJobBefore`).
    fn jobs_awaited_by(&self, j: &Job) -> Vec<&Job> {
        self.jobs
            .values()
            .filter(|x| self.job_waits_for(j, x))
            .collect()
    }
}
