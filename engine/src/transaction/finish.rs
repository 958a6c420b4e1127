//! Turning the activated arena into a [`Transaction`].
use super::build::Planner;
use super::job::{JobMode, JobType};
use super::result::{Job, PulledInBy, Transaction};
use super::unit_info;

impl Planner<'_> {
    /// The transaction's jobs (one per unit, sorted by unit name) and the queued jobs it cancels.
    /// `unit` and `job_type` are the anchor's, for the (impossible) case that its job is gone.
    pub fn finish(&mut self, mode: JobMode, unit: usize, job_type: JobType) -> Transaction {
        let mut jobs = Vec::new();
        for &u in &self.unit_order {
            let Some(j) = self.heads[u] else { continue };
            let slot = &self.jobs[j];
            let mut pulled_in_by = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for &l in &slot.objects {
                let link = &self.links[l];
                if !link.alive || link.subject == j {
                    continue;
                }
                let subject = &self.jobs[link.subject];
                let by = PulledInBy {
                    unit: self.node(subject.unit).id().clone(),
                    job_type: subject.job_type,
                    via: link.via,
                };
                if seen.insert((link.subject, link.via)) {
                    pulled_in_by.push(by);
                }
            }
            jobs.push(Job {
                unit: self.node(u).id().clone(),
                job_type: slot.job_type,
                anchor: Some(j) == self.anchor,
                matters_to_anchor: slot.matters,
                irreversible: slot.irreversible,
                ignore_order: slot.ignore_order,
                pulled_in_by,
            });
        }
        jobs.sort_by(|a, b| a.unit.as_str().cmp(b.unit.as_str()));
        let mut cancelled = Vec::new();
        if matches!(mode, JobMode::Isolate | JobMode::Flush) {
            for u in 0..self.graph.len() {
                if self.heads[u].is_none()
                    && self.installed_at(u).is_some()
                    && !unit_info::ignore_on_isolate(self.node(u))
                {
                    cancelled.push(self.node(u).id().clone());
                }
            }
            cancelled.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        }
        let anchor_type = match self.anchor {
            Some(a) if self.jobs[a].alive => self.jobs[a].job_type,
            _ => job_type,
        };
        let anchor = self.node(unit).id().clone();
        Transaction {
            anchor,
            anchor_type,
            mode,
            jobs,
            cancelled,
        }
    }
}
