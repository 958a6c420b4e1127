//! The extra jobs of the `isolate` and `triggering` modes (`transaction_add_isolate_jobs()`,
//! `transaction_add_triggering_jobs()`).
use super::build::Planner;
use super::job::JobType;
use super::result::Via;
use super::unit_info;
use crate::diag::Severity;
use crate::graph::DepKind;

impl Planner<'_> {
    /// True if isolating would stop the unit: not `IgnoreOnIsolate=`, and no job for it yet.
    fn shall_stop_on_isolate(&self, unit: usize) -> bool {
        !unit_info::ignore_on_isolate(self.node(unit)) && self.heads[unit].is_none()
    }

    /// True if the unit is inactive or failed and has no queued job: nothing to stop.
    fn nothing_to_stop(&mut self, unit: usize) -> bool {
        self.active_state(unit).is_inactive_or_failed() && self.installed_at(unit).is_none()
    }

    /// `isolate`: a stop job (pulled by the anchor, mattering) for every unit that is active or has
    /// a queued job, is not in the transaction, does not ignore isolation and is not triggered by a
    /// unit that stays.
    pub fn add_isolate_jobs(&mut self) {
        let Some(anchor) = self.anchor else { return };
        for unit in 0..self.graph.len() {
            if self.nothing_to_stop(unit) || !self.shall_stop_on_isolate(unit) {
                continue;
            }
            let kept_trigger = self
                .graph
                .adjacency()
                .deps(unit, DepKind::TriggeredBy)
                .any(|t| !self.shall_stop_on_isolate(t));
            if kept_trigger {
                continue;
            }
            let by = Some((anchor, true, false, Via::Isolate));
            if let Err(e) = self.add_job_and_dependencies(JobType::Stop, unit, by, false, false) {
                let text = format!("Cannot add isolate job, ignoring: {}", e.strerror());
                self.log(Severity::Warning, Some(unit), text);
            }
        }
    }

    /// `triggering`: a stop job (pulled by the anchor, mattering) for every unit that triggers the
    /// anchor's unit and is active or has a queued job.
    pub fn add_triggering_jobs(&mut self, unit: usize) {
        let Some(anchor) = self.anchor else { return };
        let triggers: Vec<usize> = self
            .graph
            .adjacency()
            .deps(unit, DepKind::TriggeredBy)
            .collect();
        for t in triggers {
            if self.nothing_to_stop(t) || self.heads[t].is_some() {
                continue;
            }
            let by = Some((anchor, true, false, Via::Triggering));
            if let Err(e) = self.add_job_and_dependencies(JobType::Stop, t, by, false, false) {
                let text = format!("Cannot add triggered by job, ignoring: {}", e.strerror());
                self.log(Severity::Warning, Some(unit), text);
            }
        }
    }
}
