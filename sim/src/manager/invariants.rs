//! Invariants checked after every step (issue 5):
//! - a masked unit never becomes active (checked at every state change: a unit that was running
//!   when it was masked and reloaded stays active, with load state `masked`, as the live manager
//!   shows);
//! - an active unit's `Requires=` dependencies are active or have start jobs — unless the
//!   dependency went down or had a job end *after* the unit began activating, which systemd
//!   allows (a stop or failure does not propagate through `Requires=`, only a stop job does, and a
//!   failed dependency job fails the unit's *queued* job, not a unit already activating;
//!   reference §6.3), or was loaded afresh since (garbage-collected in between: the live
//!   manager shows the same states, see the `manager_props` regression of a `Requires=`
//!   dependency collected while its dependent was not-found);
//! - no job waits forever: jobs are queued only while something can still happen (a running job,
//!   a runnable job or a pending event).
use super::state::JobType;
use super::{ActiveState, Manager};
use unitlab_engine::graph::DepKind;
use unitlab_engine::load::LoadState;

impl Manager {
    pub(crate) fn check_all_invariants(&mut self) {
        let mut found = Vec::new();
        for u in self.units.map.values() {
            let a = u.active();
            if !a.is_active_or_reloading() || u.job.is_some() {
                continue;
            }
            let Some(began) = u.stamps.inactive_exit else {
                continue;
            };
            // A unit with a requirement that could not load (masked, not found, bad setting)
            // when it started may have been started without the rest of its requirements:
            // systemd adds the unit's job first, then its requirements one by one, and stops at
            // the first that fails; pulled in through `Wants=`/`Upholds=`, the unit keeps its
            // job (reference §6.2 step 2; e.g. `c` `Requires=a.service` with a bad `a` runs
            // without its slice).
            if u.unloaded_requirement {
                continue;
            }
            for d in u.deps(DepKind::Requires) {
                let Some(du) = self.units.unit(&d) else {
                    continue;
                };
                if du.load_state() != LoadState::Loaded {
                    continue;
                }
                let da = du.active();
                let starting = du
                    .job
                    .and_then(|j| self.jobs.get(&j))
                    .is_some_and(|j| matches!(j.kind, JobType::Start | JobType::Restart));
                // A dependency loaded (again) after the unit began activating remembers
                // nothing of that time: garbage-collected while the unit was not-found, say.
                let down_before = du.loaded_at <= began
                    && du.stamps.state_change.is_none_or(|t| t < began)
                    && du.last_job_end.is_none_or(|t| t < began);
                // A dependency that ran its job and then ended cleanly by itself (a `/bin/true`
                // service) is what systemd allows too: `Requires=` pulls the start job in, it
                // does not hold the dependency up (a unit ordered after another requirement
                // starts later, with this one long dead).
                let ran_and_ended = da == ActiveState::Inactive && du.last_job_end.is_some();
                if !da.is_active_or_activating() && !starting && down_before && !ran_and_ended {
                    found.push(format!(
                        "{} is {} but its Requires= dependency {} has been {} since before it started, without a start job",
                        u.id(),
                        a.as_str(),
                        d,
                        da.as_str()
                    ));
                }
            }
        }
        if !self.jobs.is_empty()
            && !self.jobs.values().any(|j| j.running)
            && self.events.is_empty()
            && !self.any_runnable()
        {
            let j: Vec<String> = self
                .jobs
                .values()
                .map(|j| format!("{}/{}", j.unit, j.kind.as_str()))
                .collect();
            found.push(format!("jobs wait forever: {}", j.join(", ")));
        }
        self.violations.extend(found);
    }
}
