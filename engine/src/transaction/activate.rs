//! Activating a built transaction (`transaction_activate()`, reference §6.2 step 4): which jobs
//! matter to the anchor, dropping redundant and unneeded jobs, breaking ordering cycles, merging the
//! jobs of each unit and checking the queued jobs.
use super::build::Planner;
use super::error::TransactionError;
use super::job::{JobMode, JobType};
use crate::diag::Severity;
use crate::graph::{DepKind, Graph};

impl Planner<'_> {
    /// Runs every activation step; on success one job per unit is left.
    pub fn activate(&mut self, mode: JobMode) -> Result<(), TransactionError> {
        self.find_jobs_that_matter();
        if mode == JobMode::Fail {
            self.minimize_impact();
        }
        self.drop_redundant();
        let mut generation = 1;
        loop {
            if mode != JobMode::Isolate {
                self.collect_garbage();
            }
            generation += 1;
            match self.verify_order(generation) {
                Ok(true) => break,
                Ok(false) => continue,
                Err(e) => {
                    self.log(
                        Severity::Warning,
                        None,
                        format!(
                            "Requested transaction contains an unfixable cyclic ordering dependency: {e}"
                        ),
                    );
                    return Err(e);
                }
            }
        }
        loop {
            match self.merge_jobs() {
                Ok(true) => break,
                Ok(false) => {
                    if mode != JobMode::Isolate {
                        self.collect_garbage();
                    }
                }
                Err(e) => {
                    self.log(
                        Severity::Warning,
                        None,
                        format!("Requested transaction contains unmergeable jobs: {e}"),
                    );
                    return Err(e);
                }
            }
        }
        self.drop_redundant();
        if let Err(e) = self.check_destructive(mode) {
            self.log(
                Severity::Notice,
                None,
                format!("Requested transaction contradicts existing jobs: {e}"),
            );
            return Err(e);
        }
        Ok(())
    }

    /// Marks the jobs reachable from the anchor through links that matter.
    fn find_jobs_that_matter(&mut self) {
        let Some(anchor) = self.anchor else { return };
        let mut work = vec![anchor];
        self.jobs[anchor].matters = true;
        while let Some(j) = work.pop() {
            for i in 0..self.jobs[j].subjects.len() {
                let l = self.jobs[j].subjects[i];
                let link = &self.links[l];
                if !link.alive || !link.matters {
                    continue;
                }
                let o = link.object;
                if !self.jobs[o].matters {
                    self.jobs[o].matters = true;
                    work.push(o);
                }
            }
        }
    }

    /// Mode `fail`: drops the jobs that do not matter and would stop a running unit or change a
    /// queued job.
    fn minimize_impact(&mut self) {
        'rescan: loop {
            for idx in 0..self.unit_order.len() {
                let unit = self.unit_order[idx];
                for j in self.unit_jobs(unit) {
                    let (matters, job_type) = (self.jobs[j].matters, self.jobs[j].job_type);
                    if matters {
                        continue;
                    }
                    let stops_running = job_type == JobType::Stop
                        && self.active_state(unit).is_active_or_activating();
                    let changes_queued = self
                        .installed_type(unit)
                        .is_some_and(|q| job_type.conflicts_with(q));
                    if stops_running || changes_queued {
                        self.delete_job(j, true);
                        continue 'rescan;
                    }
                }
            }
            break;
        }
    }

    /// Drops every job of the units whose jobs are all redundant (never the anchor, never a job
    /// that conflicts with the unit's queued job).
    fn drop_redundant(&mut self) {
        for idx in 0..self.unit_order.len() {
            let unit = self.unit_order[idx];
            let Some(head) = self.heads[unit] else {
                continue;
            };
            let state = self.active_state(unit);
            if self.jobs[head].next.is_none() {
                // One job (the common case): no list to build.
                let t = self.jobs[head].job_type;
                let keep = Some(head) == self.anchor
                    || !t.is_redundant(state)
                    || self
                        .installed_type(unit)
                        .is_some_and(|q| t.conflicts_with(q));
                if !keep {
                    self.delete_job(head, false);
                }
                continue;
            }
            let jobs = self.unit_jobs(unit);
            let queued = self.installed_type(unit);
            let keep = jobs.iter().any(|&k| {
                let t = self.jobs[k].job_type;
                Some(k) == self.anchor
                    || !t.is_redundant(state)
                    || queued.is_some_and(|q| t.conflicts_with(q))
            });
            if !keep {
                for j in jobs {
                    self.delete_job(j, false);
                }
            }
        }
    }

    /// Deletes the jobs (newest of their unit) that no other job pulled in, until none is left.
    fn collect_garbage(&mut self) {
        let mut work: Vec<usize> = self
            .unit_order
            .iter()
            .filter_map(|&u| self.heads[u])
            .collect();
        while let Some(j) = work.pop() {
            let job = &self.jobs[j];
            if !job.alive || Some(j) == self.anchor || job.live_objects > 0 {
                continue;
            }
            if self.heads[job.unit] != Some(j) {
                continue;
            }
            let unit = job.unit;
            let objects: Vec<usize> = job
                .subjects
                .iter()
                .filter(|&&l| self.links[l].alive)
                .map(|&l| self.links[l].object)
                .collect();
            self.delete_job(j, true);
            work.extend(objects);
            if let Some(h) = self.heads[unit] {
                work.push(h);
            }
        }
    }

    /// The jobs a job must run before, by the ordering dependencies of its unit (`job_compare()`):
    /// over `Before=` unless the other job stops, over `After=` when this job stops. Jobs queued
    /// earlier count for units without a transaction job.
    fn runs_before(&mut self, j: usize) -> Vec<usize> {
        let (job_type, unit) = (self.jobs[j].job_type, self.jobs[j].unit);
        let mut out = Vec::new();
        if job_type == JobType::Nop || self.jobs[j].ignore_order {
            return out;
        }
        let graph: &Graph = self.graph;
        let adjacency = graph.adjacency();
        for kind in [DepKind::Before, DepKind::After] {
            for u in adjacency.deps(unit, kind) {
                let Some(o) = self.heads[u].or_else(|| self.installed_at(u)) else {
                    continue;
                };
                let other_job = &self.jobs[o];
                if other_job.job_type == JobType::Nop || other_job.ignore_order {
                    continue;
                }
                let before = match kind {
                    DepKind::Before => !other_job.job_type.stops_first(),
                    _ => job_type.stops_first(),
                };
                if before {
                    out.push(o);
                }
            }
        }
        out
    }

    /// One sweep of the ordering check. `Ok(true)`: no cycle; `Ok(false)`: a job was deleted to
    /// break a cycle (check again); `Err`: a cycle of jobs that all matter.
    fn verify_order(&mut self, generation: u32) -> Result<bool, TransactionError> {
        for idx in 0..self.unit_order.len() {
            let unit = self.unit_order[idx];
            let Some(start) = self.heads[unit] else {
                continue;
            };
            if !self.verify_order_from(start, generation)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Depth-first search from one job; a job seen on the current path closes a cycle.
    fn verify_order_from(
        &mut self,
        start: usize,
        generation: u32,
    ) -> Result<bool, TransactionError> {
        if self.jobs[start].generation == generation {
            return Ok(true);
        }
        self.jobs[start].generation = generation;
        self.jobs[start].marker = Some(start);
        let mut stack: Vec<(usize, Vec<usize>, usize)> = vec![(start, self.runs_before(start), 0)];
        while let Some((j, next, i)) = stack.last_mut() {
            if *i == next.len() {
                let j = *j;
                self.jobs[j].marker = None;
                stack.pop();
                continue;
            }
            let o = next[*i];
            *i += 1;
            let from = *j;
            if self.jobs[o].generation == generation {
                if self.jobs[o].marker.is_none() {
                    continue;
                }
                return self.break_cycle(o, from, generation);
            }
            self.jobs[o].generation = generation;
            self.jobs[o].marker = Some(from);
            let succ = self.runs_before(o);
            stack.push((o, succ, 0));
        }
        Ok(true)
    }

    /// A cycle closes at `j`, reached from `from`: walks back along the markers, logs the cycle,
    /// and deletes the first unit on the way back whose jobs do not matter to the anchor.
    fn break_cycle(
        &mut self,
        j: usize,
        from: usize,
        generation: u32,
    ) -> Result<bool, TransactionError> {
        let mut path = Vec::new();
        let mut delete = None;
        let mut k = Some(from);
        while let Some(cur) = k {
            path.push(cur);
            let unit = self.jobs[cur].unit;
            if delete.is_none()
                && !self.jobs[cur].installed
                && self.heads[unit].is_some()
                && !self.unit_jobs(unit).iter().any(|&x| self.jobs[x].matters)
            {
                delete = Some(cur);
            }
            if cur == j {
                break;
            }
            let job = &self.jobs[cur];
            k = match job.marker {
                Some(m) if job.generation == generation && m != cur => Some(m),
                _ => None,
            };
        }
        let ju = self.jobs[j].unit;
        for (n, &p) in path.iter().enumerate() {
            let what = if n == 0 {
                "ordering cycle"
            } else {
                "dependency"
            };
            let text = format!(
                "Found {what} on {}/{}",
                self.node(self.jobs[p].unit).id(),
                self.jobs[p].job_type
            );
            self.log(Severity::Warning, Some(ju), text);
        }
        let start = format!("{}/{}", self.node(ju).id(), self.jobs[j].job_type);
        match delete {
            Some(d) => {
                let du = self.jobs[d].unit;
                let text = format!(
                    "Job {}/{} deleted to break ordering cycle starting with {start}",
                    self.node(du).id(),
                    self.jobs[d].job_type
                );
                self.log(Severity::Error, Some(ju), text);
                for x in self.unit_jobs(du) {
                    self.delete_job(x, true);
                }
                Ok(false)
            }
            None => {
                self.log(
                    Severity::Error,
                    Some(ju),
                    format!("Unable to break cycle starting with {start}"),
                );
                Err(TransactionError::OrderIsCyclic)
            }
        }
    }

    /// Merges each unit's jobs into one. `Ok(false)`: an unmergeable job was deleted (collect
    /// garbage and merge again).
    fn merge_jobs(&mut self) -> Result<bool, TransactionError> {
        for idx in 0..self.unit_order.len() {
            let unit = self.unit_order[idx];
            if self.heads[unit].is_none_or(|h| self.jobs[h].next.is_none()) {
                continue; // nothing to merge
            }
            let jobs = self.unit_jobs(unit);
            let Some((&head, rest)) = jobs.split_first() else {
                continue;
            };
            let mut t = self.jobs[head].job_type;
            for &k in rest {
                let kt = self.jobs[k].job_type;
                if let Some(m) = t.merge(kt) {
                    t = m.collapse(self.active_state(unit));
                    continue;
                }
                if self.delete_one_unmergeable(&jobs) {
                    return Ok(false);
                }
                return Err(TransactionError::ConflictingJobs {
                    first: t,
                    second: kt,
                    unit: self.node(unit).id().clone(),
                });
            }
        }
        for idx in 0..self.unit_order.len() {
            let unit = self.unit_order[idx];
            if self.heads[unit].is_none_or(|h| self.jobs[h].next.is_none()) {
                continue; // nothing to merge
            }
            let jobs = self.unit_jobs(unit);
            let Some((&head, rest)) = jobs.split_first() else {
                continue;
            };
            let mut t = self.jobs[head].job_type;
            for &k in rest {
                if let Some(m) = t.merge(self.jobs[k].job_type) {
                    t = m.collapse(self.active_state(unit));
                }
            }
            let mut j = head;
            for &k in rest {
                if Some(k) == self.anchor {
                    self.merge_into(k, j, t);
                    j = k;
                } else {
                    self.merge_into(j, k, t);
                }
            }
            self.jobs[j].job_type = t;
        }
        Ok(true)
    }

    /// `delete_one_unmergeable_job()`: finds two jobs of the unit that do not merge and deletes the
    /// one that matters less. False if both matter.
    fn delete_one_unmergeable(&mut self, jobs: &[usize]) -> bool {
        for (a, &j) in jobs.iter().enumerate() {
            for &k in &jobs[a + 1..] {
                let (jt, kt) = (self.jobs[j].job_type, self.jobs[k].job_type);
                if jt.merge(kt).is_some() {
                    continue;
                }
                let (jm, km) = (self.jobs[j].matters, self.jobs[k].matters);
                let d = if !jm && !km {
                    if jt == JobType::Stop {
                        if self.is_conflicted_by(j) {
                            k
                        } else {
                            j
                        }
                    } else if kt == JobType::Stop {
                        if self.is_conflicted_by(k) {
                            j
                        } else {
                            k
                        }
                    } else {
                        j
                    }
                } else if !jm {
                    j
                } else if !km {
                    k
                } else {
                    return false;
                };
                self.delete_job(d, true);
                return true;
            }
        }
        false
    }

    /// True if a `Conflicts=` link pulled the job in.
    fn is_conflicted_by(&self, j: usize) -> bool {
        self.jobs[j]
            .objects
            .iter()
            .any(|&l| self.links[l].alive && self.links[l].conflicts)
    }

    /// Merges `other` into `j` (`transaction_merge_and_delete_job()`).
    fn merge_into(&mut self, j: usize, other: usize, t: JobType) {
        self.jobs[j].job_type = t;
        self.jobs[j].irreversible |= self.jobs[other].irreversible;
        self.jobs[j].matters |= self.jobs[other].matters;
        let subjects = std::mem::take(&mut self.jobs[other].subjects);
        for &l in &subjects {
            self.links[l].subject = j;
        }
        self.jobs[j].subjects.extend(subjects);
        let objects = std::mem::take(&mut self.jobs[other].objects);
        for &l in &objects {
            self.links[l].object = j;
        }
        self.jobs[j].live_objects += self.jobs[other].live_objects;
        self.jobs[other].live_objects = 0;
        self.jobs[j].objects.extend(objects);
        self.delete_job(other, true);
    }

    /// Refuses to replace a queued job in mode `fail`, or an irreversible one.
    fn check_destructive(&mut self, mode: JobMode) -> Result<(), TransactionError> {
        let Some(anchor) = self.anchor else {
            return Ok(());
        };
        for idx in 0..self.unit_order.len() {
            let unit = self.unit_order[idx];
            let Some(j) = self.heads[unit] else { continue };
            let Some(q) = self.installed_at(unit) else {
                continue;
            };
            let (qt, jt) = (self.jobs[q].job_type, self.jobs[j].job_type);
            if (mode == JobMode::Fail || self.jobs[q].irreversible) && qt.conflicts_with(jt) {
                return Err(TransactionError::Destructive {
                    anchor: self.node(self.jobs[anchor].unit).id().clone(),
                    anchor_type: self.jobs[anchor].job_type,
                    unit: self.node(unit).id().clone(),
                    queued: qt,
                    included: jt,
                });
            }
        }
        Ok(())
    }
}
