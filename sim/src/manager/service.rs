//! Starting, stopping, reloading and killing units, and the service state machine driven by
//! process exits and timers (systemd's `service_enter_*()` steps, reference §6.3, §11).
use super::config::{RestartPolicy, ServiceType};
use super::kill::KillOperation;
use super::process::{deliver, Behavior, ExecCommand, Exit, INSTANT};
use super::state::{JobResult, JobType, Sub, UnitResult};
use super::timefmt::INFINITY;
use super::units::{Proc, ProcRecord};
use super::{journal::ids, Event, Manager, Message, Shared};
use camino::Utf8Path;
use unitlab_engine::fs::{FileKind, FileSystem, MemFs};
use unitlab_engine::graph::DepKind;
use unitlab_engine::name::{UnitName, UnitType};

/// Which process of a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Main,
    Control,
}

impl Manager {
    /// Runs a start job's action on its unit.
    pub(crate) fn start_unit(&mut self, fs: &MemFs, id: &UnitName, job: u32) {
        let Some(u) = self.units.unit(id) else {
            return;
        };
        let active = u.active();
        if active.is_active_or_reloading() {
            self.finish_job(job, JobResult::Done, true);
            return;
        }
        if u.sub != Sub::AutoRestart && active == super::ActiveState::Activating {
            return;
        }
        if active == super::ActiveState::Deactivating {
            // Wait until the stop is over, then run again.
            if let Some(j) = self.jobs.get_mut(&job) {
                j.blocked = true;
            }
            return;
        }
        // A unit whose configuration is not loaded (masked since the job was queued) fails.
        if u.load_state() != unitlab_engine::load::LoadState::Loaded {
            self.finish_job(job, JobResult::Failed, false);
            return;
        }
        // BindsTo= dependencies that the unit is also ordered After= must be active (or
        // reloading); without After= systemd does not check, as that would be racy
        // (`unit_verify_deps()`).
        let bound_inactive = u
            .node
            .deps_of(DepKind::BindsTo)
            .map(|(d, _)| d)
            .find(|d| {
                u.node.has_dep(DepKind::After, d.as_str())
                    && !self.state_of(d).is_active_or_reloading()
            })
            .cloned();
        if let Some(other) = bound_inactive.filter(|_| u.sub != Sub::AutoRestart) {
            self.unit_log(
                id,
                5,
                format!("{id}: Bound to unit {other}, but unit isn't active."),
            );
            self.finish_job(job, JobResult::Dependency, false);
            return;
        }
        let now = self.now();
        if u.cfg.conditions.is_empty() && u.cfg.asserts.is_empty() {
            // No checks: what testing none gives, without copying the empty lists.
            let u = self.units.unit_mut(id).expect("unit exists");
            u.condition_result = Some(true);
            u.stamps.condition = Some(now);
            u.condition_failed = Vec::new();
            u.assert_result = Some(true);
            u.stamps.assert = Some(now);
            u.assert_failed = None;
            return self.start_by_type(fs, id, job);
        }
        let conditions = u.cfg.conditions.clone();
        let asserts = u.cfg.asserts.clone();
        let (cond_ok, outcomes) = self.test_checks(fs, id, &conditions);
        let u = self.units.unit_mut(id).expect("unit exists");
        u.condition_result = Some(cond_ok);
        u.stamps.condition = Some(now);
        u.condition_failed = failed_checks(&conditions, &outcomes, "Condition");
        if !cond_ok {
            let failed = reported_failure(&conditions, &outcomes)
                .map(|c| check_text(c, "Condition"))
                .unwrap_or_default();
            self.unit_log(
                id,
                6,
                format!("{id} was skipped because of an unmet condition check ({failed})."),
            );
            self.finish_job(job, JobResult::Done, false);
            return;
        }
        let (assert_ok, outcomes) = self.test_checks(fs, id, &asserts);
        let u = self.units.unit_mut(id).expect("unit exists");
        u.assert_result = Some(assert_ok);
        u.stamps.assert = Some(now);
        u.assert_failed = reported_failure(&asserts, &outcomes)
            .filter(|c| !c.trigger)
            .map(|c| check_text(c, "Assert"));
        if !assert_ok {
            self.finish_job(job, JobResult::Assert, false);
            return;
        }
        self.start_by_type(fs, id, job);
    }

    /// The start of `id` by its type, once its checks passed.
    fn start_by_type(&mut self, fs: &MemFs, id: &UnitName, job: u32) {
        let Some(u) = self.units.unit(id) else {
            return;
        };
        match u.unit_type() {
            UnitType::Service => self.service_start(id),
            UnitType::Socket => self.socket_start(fs, id, job),
            UnitType::Path => self.path_start(fs, id, job),
            UnitType::Timer => self.timer_start(fs, id, job),
            UnitType::Mount => self.set_sub(id, Sub::TypeActive("mounted")),
            UnitType::Swap | UnitType::Device => self.set_sub(id, Sub::TypeActive("plugged")),
            UnitType::Automount => self.set_sub(id, Sub::TypeActive("waiting")),
            UnitType::Scope => self.set_sub(id, Sub::Running),
            _ => self.set_sub(id, Sub::Active),
        }
    }

    /// Runs a stop (or restart's stop half) job's action on its unit.
    pub(crate) fn stop_unit(&mut self, fs: &MemFs, id: &UnitName, job: u32) {
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        if u.active().is_inactive_or_failed() {
            self.finish_job(job, JobResult::Done, true);
            return;
        }
        if u.unit_type() == UnitType::Timer {
            self.timer_stop(id);
            return;
        }
        if u.unit_type() == UnitType::Socket {
            self.socket_stop(fs, id);
            return;
        }
        if u.unit_type() != UnitType::Service {
            self.set_sub(id, Sub::Dead);
            return;
        }
        u.stop_requested = true;
        let sub = u.sub;
        match sub {
            Sub::AutoRestart => self.set_sub(id, Sub::Dead),
            Sub::StartPre | Sub::Start | Sub::StartPost | Sub::Reload | Sub::Condition => {
                self.emit_begin(id, JobType::Stop);
                self.enter_signal(id, Sub::StopSigterm, UnitResult::Success);
            }
            Sub::Running | Sub::Exited => {
                self.emit_begin(id, JobType::Stop);
                self.enter_stop(id, UnitResult::Success);
            }
            _ => {}
        }
    }

    /// Runs a reload job's action.
    pub(crate) fn reload_unit(&mut self, _fs: &MemFs, id: &UnitName, job: u32) {
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        if !u.active().is_active_or_reloading() {
            self.finish_job(job, JobResult::Invalid, false);
            return;
        }
        let cmds: Vec<(ExecCommand, &'static str)> = u
            .cfg
            .service
            .as_ref()
            .map(|s| s.reload.iter().map(|c| (c.clone(), "ExecReload")).collect())
            .unwrap_or_default();
        if cmds.is_empty() {
            self.finish_job(job, JobResult::Done, false);
            return;
        }
        self.emit_begin(id, JobType::Reload);
        if self.first_fork_fails(id, &cmds, Role::Control) {
            return;
        }
        self.set_sub(id, Sub::Reload);
        let t = self.timeout_start(id);
        self.arm_timer(id, t);
        self.run_commands(id, cmds, Role::Control, false);
    }

    /// `systemctl kill -s SIG`: delivers `sig` to the unit's processes.
    pub(crate) fn kill_unit(&mut self, id: &UnitName, sig: i32, whom: &str) {
        let Some(u) = self.units.unit(id) else {
            return;
        };
        let mut targets = Vec::new();
        if whom != "control" {
            if let Some(m) = &u.main {
                targets.push(m.pid);
            }
        }
        if whom != "main" {
            if let Some(c) = &u.control {
                targets.push(c.pid);
            }
        }
        let Some(exit) = deliver(sig) else {
            return;
        };
        let now = self.now();
        for pid in targets {
            self.schedule(
                now,
                Event::ProcExit {
                    unit: id.clone(),
                    pid,
                    exit,
                },
            );
        }
    }

    /// `kill(2)` from a simulated process: the main or control process `pid` of a loaded unit
    /// gets `sig` now (it ends, or survives a signal whose default action is to ignore or stop).
    /// Returns whether such a process exists.
    fn signal_pid(&mut self, pid: u32, sig: i32) -> bool {
        let owner = self.units.map.iter().find_map(|(id, u)| {
            u.main
                .iter()
                .chain(u.control.iter())
                .any(|p| p.pid == pid)
                .then(|| id.clone())
        });
        let Some(unit) = owner else {
            return false;
        };
        if let Some(exit) = deliver(sig) {
            let now = self.now();
            self.schedule(now, Event::ProcExit { unit, pid, exit });
        }
        true
    }

    fn timeout_start(&self, id: &UnitName) -> u64 {
        self.units
            .unit(id)
            .and_then(|u| u.cfg.service.as_ref())
            .map(|s| s.timeout_start)
            .unwrap_or(INFINITY)
    }

    fn timeout_stop(&self, id: &UnitName) -> u64 {
        self.units
            .unit(id)
            .and_then(|u| u.cfg.service.as_ref())
            .map(|s| s.timeout_stop)
            .unwrap_or(INFINITY)
    }

    fn arm_timer(&mut self, id: &UnitName, after: u64) {
        let now = self.now();
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        u.timer_gen += 1;
        let gen = u.timer_gen;
        if after != INFINITY {
            self.schedule(
                now.saturating_add(after),
                Event::Timer {
                    unit: id.clone(),
                    gen,
                },
            );
        }
    }

    fn disarm_timer(&mut self, id: &UnitName) {
        if let Some(u) = self.units.unit_mut(id) {
            u.timer_gen += 1;
        }
    }

    /// The variables a forked daemon sees (its parent's, [`super::environ::of`]).
    fn process_env(&self, id: &UnitName) -> Vec<(String, String)> {
        let files = self.env_files_of(id).unwrap_or_default();
        self.units
            .unit(id)
            .map(|u| super::environ::of(u, true, &files))
            .unwrap_or_default()
    }

    /// `PIDFile=` is set but no daemon wrote it (`service_load_pid_file()` failed, then
    /// `service_demand_pid_file()`): the unit stays in its state `after` until the file appears
    /// (never, in the model) or the start times out.
    fn pid_file_missing(&mut self, id: &UnitName, after: &str) -> bool {
        let Some(u) = self.units.unit(id) else {
            return false;
        };
        let Some(path) = u.cfg.service.as_ref().and_then(|s| s.pid_file.clone()) else {
            return false;
        };
        if u.main.is_some() {
            return false;
        }
        self.unit_log(
            id,
            6,
            format!(
                "{id}: Can't open PID file {path} (yet?) after {after}: No such file or directory"
            ),
        );
        true
    }

    /// Forks one process of the unit; fails, forking nothing, when its `EnvironmentFile=`s
    /// cannot be loaded.
    fn spawn(
        &mut self,
        id: &UnitName,
        cmd: ExecCommand,
        setting: &'static str,
        role: Role,
    ) -> Result<(), super::env_file::LoadError> {
        let files = self.env_files_for_fork(id)?;
        let pid = self.alloc_pid();
        let now = self.now();
        let env = self
            .units
            .unit(id)
            .map(|u| super::environ::of(u, role == Role::Control, &files))
            .unwrap_or_default();
        let run = cmd.expand(&env);
        let mut behavior = run.as_ref().unwrap_or(&cmd).behavior_in(&env);
        if let Behavior::Kill { sig, pid: target } = behavior {
            let found = self.signal_pid(target, sig);
            behavior = Behavior::Exit {
                after: INSTANT,
                status: if found { 0 } else { 1 },
            };
        }
        let forking = role == Role::Control
            && setting == "ExecStart"
            && self
                .units
                .unit(id)
                .and_then(|u| u.cfg.service.as_ref())
                .is_some_and(|s| s.kind == ServiceType::Forking);
        let background = forking && run.as_ref().unwrap_or(&cmd).background(&env).is_some();
        let Some(u) = self.units.unit_mut(id) else {
            return Ok(());
        };
        if forking {
            // The parent forks the daemon and exits: a program the model does not know does
            // so at once; a shell script leaves its background command behind; any other
            // command the model knows runs as it is (and leaves nothing).
            u.forking_daemon = behavior == Behavior::Forever || background;
            if behavior == Behavior::Forever {
                behavior = Behavior::Exit {
                    after: INSTANT,
                    status: 0,
                };
            }
        }
        let p = Proc {
            pid,
            cmd,
            run,
            setting,
        };
        match role {
            Role::Main => {
                u.main = Some(p);
                u.exec_main_pid = Some(pid);
                u.stamps.exec_main_start = Some(now);
                u.stamps.exec_main_exit = None;
            }
            Role::Control => u.control = Some(p),
        }
        if let Behavior::Exit { after, status } = behavior {
            self.schedule(
                now + after,
                Event::ProcExit {
                    unit: id.clone(),
                    pid,
                    exit: Exit::Exited(status),
                },
            );
        }
        Ok(())
    }

    /// Starts the first of `cmds` and keeps the rest pending (`next`: the commands left of
    /// the current phase). False when the process could not be forked: the unit has then taken
    /// systemd's failure path for that step, and the caller must not go on.
    fn run_commands(
        &mut self,
        id: &UnitName,
        mut cmds: Vec<(ExecCommand, &'static str)>,
        role: Role,
        next: bool,
    ) -> bool {
        if cmds.is_empty() {
            return true;
        }
        let (first, setting) = cmds.remove(0);
        if let Some(u) = self.units.unit_mut(id) {
            u.pending = cmds;
        }
        match self.spawn(id, first, setting, role) {
            Ok(()) => true,
            Err(e) => {
                self.spawn_failed(id, setting, role, next, e);
                false
            }
        }
    }

    /// Whether the first of `cmds` cannot be forked because the unit's `EnvironmentFile=`s
    /// cannot be loaded; the failure path is then taken at once. systemd forks a step's first
    /// process before it enters the step's state, so a unit that fails here never enters it
    /// (no `activating` timestamps, for example).
    fn first_fork_fails(
        &mut self,
        id: &UnitName,
        cmds: &[(ExecCommand, &'static str)],
        role: Role,
    ) -> bool {
        let Some((_, setting)) = cmds.first() else {
            return false;
        };
        match self.env_files_for_fork(id) {
            Ok(_) => false,
            Err(e) => {
                self.spawn_failed(id, setting, role, false, e);
                true
            }
        }
    }

    /// A process could not be forked because its `EnvironmentFile=`s could not be loaded
    /// (`exec_spawn()` fails before forking): each step's failure path of systemd's
    /// `service_enter_*()`, `service_run_next_control()` and `service_run_next_main()`, all
    /// with result `resources`.
    fn spawn_failed(
        &mut self,
        id: &UnitName,
        setting: &'static str,
        role: Role,
        next: bool,
        error: super::env_file::LoadError,
    ) {
        if let Some(u) = self.units.unit_mut(id) {
            u.pending.clear();
        }
        let sub = self.units.unit(id).map(|u| u.sub);
        let task = if next {
            match role {
                Role::Main => "next main",
                Role::Control => "next control",
            }
        } else {
            match setting {
                "ExecCondition" => "'exec-condition'",
                "ExecStartPre" => "'start-pre'",
                "ExecStartPost" => "'start-post'",
                "ExecReload" => "'reload'",
                "ExecStop" => "'stop'",
                "ExecStopPost" => "'stop-post'",
                _ => "'start'",
            }
        };
        self.unit_log(id, 4, format!("{id}: Failed to run {task} task: {error}"));
        let f = UnitResult::Resources;
        if setting == "ExecReload" {
            self.disarm_timer(id);
            if let Some(j) = self.units.unit(id).and_then(|u| u.job) {
                self.finish_job(j, JobResult::Failed, false);
            }
            self.reload_done(id);
            return;
        }
        match (next, role, setting) {
            (false, _, "ExecCondition" | "ExecStartPre") => self.enter_dead(id, f, true),
            (false, _, "ExecStartPost") => self.enter_stop(id, f),
            // `service_enter_signal(SERVICE_FINAL_SIGTERM)` finds no process left.
            (_, _, "ExecStopPost") => self.enter_dead(id, f, true),
            (false, _, _) => self.enter_signal(id, Sub::StopSigterm, f),
            (true, Role::Main, _) => self.enter_stop(id, f),
            (true, Role::Control, _) => match sub {
                Some(Sub::Condition | Sub::StartPre | Sub::StartPost | Sub::Stop) => {
                    self.enter_signal(id, Sub::StopSigterm, f)
                }
                _ => self.enter_stop(id, f),
            },
        }
    }

    /// `service_start()`: the start rate limit, then `ExecStartPre=`.
    fn service_start(&mut self, id: &UnitName) {
        let now = self.now();
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        let allowed = u.start_limit_test(now);
        u.start_limit_hit = !allowed;
        if !allowed {
            u.auto_restart = false;
            self.unit_log(id, 4, format!("{id}: Start request repeated too quickly."));
            self.enter_dead(id, UnitResult::StartLimitHit, false);
            return;
        }
        let u = self.units.unit_mut(id).expect("unit exists");
        if !u.auto_restart {
            u.n_restarts = 0;
        }
        u.auto_restart = false;
        u.result = UnitResult::Success;
        u.stop_requested = false;
        u.records.clear();
        u.forking_daemon = false;
        self.emit_begin(id, JobType::Start);
        let condition = self.exec_list(id, "ExecCondition", |s| &s.condition);
        if !self.start_phase(id, Sub::Condition, condition) {
            self.enter_start_pre(id);
        }
    }

    /// `service_enter_start_pre()`: `ExecStartPre=`, then the start.
    fn enter_start_pre(&mut self, id: &UnitName) {
        let pre = self.exec_list(id, "ExecStartPre", |s| &s.start_pre);
        if !self.start_phase(id, Sub::StartPre, pre) {
            self.enter_start(id);
        }
    }

    /// Runs `cmds` as control processes in the start sub-state `sub`, under the start timeout;
    /// false (nothing done) when there are none.
    fn start_phase(
        &mut self,
        id: &UnitName,
        sub: Sub,
        cmds: Vec<(ExecCommand, &'static str)>,
    ) -> bool {
        if cmds.is_empty() {
            return false;
        }
        if self.first_fork_fails(id, &cmds, Role::Control) {
            return true;
        }
        self.set_sub(id, sub);
        let t = self.timeout_start(id);
        self.arm_timer(id, t);
        self.run_commands(id, cmds, Role::Control, false);
        true
    }

    /// Runs the commands left of the current phase (the next `ExecStartPre=` line, ...).
    fn run_pending(&mut self, id: &UnitName, role: Role) {
        let cmds = std::mem::take(&mut self.units.unit_mut(id).expect("unit exists").pending);
        self.run_commands(id, cmds, role, true);
    }

    fn svc(&self, id: &UnitName) -> Option<&super::config::ServiceConfig> {
        self.units.unit(id).and_then(|u| u.cfg.service.as_ref())
    }

    /// The commands of one `Exec*=` setting of the service `id`, each with the setting's name.
    fn exec_list(
        &self,
        id: &UnitName,
        setting: &'static str,
        pick: fn(&super::config::ServiceConfig) -> &Vec<ExecCommand>,
    ) -> Vec<(ExecCommand, &'static str)> {
        self.svc(id)
            .map(|s| pick(s).iter().map(|c| (c.clone(), setting)).collect())
            .unwrap_or_default()
    }

    fn enter_start(&mut self, id: &UnitName) {
        let Some(s) = self.svc(id) else {
            return;
        };
        let kind = s.kind;
        let Some(first) = s.start.first() else {
            self.enter_start_post(id);
            return;
        };
        let first_cmd = (first.clone(), "ExecStart");
        let first = first.behavior();
        let role = if kind == ServiceType::Forking {
            Role::Control
        } else {
            Role::Main
        };
        if self.first_fork_fails(id, std::slice::from_ref(&first_cmd), role) {
            return;
        }
        drop(first_cmd);
        let t = self.timeout_start(id);
        match kind {
            ServiceType::Oneshot => {
                self.set_sub(id, Sub::Start);
                self.arm_timer(id, t);
                self.run_start(id, Role::Main);
            }
            ServiceType::Forking => {
                self.set_sub(id, Sub::Start);
                self.arm_timer(id, t);
                self.run_start(id, Role::Control);
            }
            ServiceType::Exec if matches!(first, Behavior::Exit { after, .. } if after <= INSTANT) =>
            {
                // The process ends before the manager hears that exec() succeeded: it is
                // handled as an exit during start (the live manager fails the job).
                self.set_sub(id, Sub::Start);
                self.arm_timer(id, t);
                self.run_start(id, Role::Main);
            }
            ServiceType::Notify => {
                let ends = first.ends();
                self.set_sub(id, Sub::Start);
                self.arm_timer(id, t);
                if !self.run_start(id, Role::Main) {
                    return;
                }
                if !ends {
                    // A daemon the model does not know sends READY=1 at once.
                    self.enter_start_post(id);
                }
            }
            _ => {
                if !self.run_start(id, Role::Main) {
                    return;
                }
                self.enter_start_post(id);
            }
        }
    }

    /// [`Manager::run_commands`] with the `ExecStart=` commands (there is at least one): the
    /// first is forked, the others are pending, kept in the unit's pending list as it is (no
    /// list of them is made). False when the fork failed (its failure path was taken).
    fn run_start(&mut self, id: &UnitName, role: Role) -> bool {
        let Some(u) = self.units.unit_mut(id) else {
            return true;
        };
        let super::units::Unit { cfg, pending, .. } = u;
        let Some(first) = cfg.service.as_ref().and_then(|s| s.start.first()) else {
            return true;
        };
        let first = first.clone();
        let rest = cfg.service.as_ref().map_or(&[][..], |s| &s.start[1..]);
        pending.clear();
        pending.extend(rest.iter().map(|c| (c.clone(), "ExecStart")));
        match self.spawn(id, first, "ExecStart", role) {
            Ok(()) => true,
            Err(e) => {
                self.spawn_failed(id, "ExecStart", role, false, e);
                false
            }
        }
    }

    fn enter_start_post(&mut self, id: &UnitName) {
        self.reset_watchdog(id);
        let post = self.exec_list(id, "ExecStartPost", |s| &s.start_post);
        if post.is_empty() {
            self.enter_running(id, UnitResult::Success);
        } else if !self.first_fork_fails(id, &post, Role::Control) {
            self.set_sub(id, Sub::StartPost);
            let t = self.timeout_start(id);
            self.arm_timer(id, t);
            self.run_commands(id, post, Role::Control, false);
        }
    }

    fn enter_running(&mut self, id: &UnitName, f: UnitResult) {
        if f != UnitResult::Success {
            self.enter_signal(id, Sub::StopSigterm, f);
            return;
        }
        let Some(u) = self.units.unit(id) else {
            return;
        };
        let remain = u.cfg.service.as_ref().is_some_and(|s| s.remain_after_exit);
        if u.main.is_some() {
            self.set_sub(id, Sub::Running);
            self.arm_runtime_limit(id);
        } else if remain {
            self.disarm_timer(id);
            self.set_sub(id, Sub::Exited);
        } else {
            self.enter_stop(id, UnitResult::Success);
        }
    }

    /// The end of a reload (`service_enter_running(s, SERVICE_SUCCESS)`): a service whose main
    /// process failed meanwhile is stopped with signals (no `ExecStop=`); otherwise it is running
    /// again (or `exited`, or stopped when its main process ended cleanly, as after an
    /// `ExecReload=/bin/kill -HUP $MAINPID` the simulated process does not survive).
    fn reload_done(&mut self, id: &UnitName) {
        let failed = self
            .units
            .unit(id)
            .is_some_and(|u| u.result != UnitResult::Success);
        if failed {
            self.enter_signal(id, Sub::StopSigterm, UnitResult::Success);
        } else {
            self.enter_running(id, UnitResult::Success);
        }
    }

    /// In `running`, the unit's timer is `RuntimeMaxSec=` counted from when the unit became
    /// active (`service_running_timeout()`: a reload keeps the deadline); a oneshot service
    /// has none.
    fn arm_runtime_limit(&mut self, id: &UnitName) {
        let now = self.now();
        let deadline = self.units.unit(id).and_then(|u| {
            let s = u.cfg.service.as_ref()?;
            if s.runtime_max == INFINITY || s.kind == ServiceType::Oneshot {
                return None;
            }
            Some(
                u.stamps
                    .active_enter
                    .unwrap_or(now)
                    .saturating_add(s.runtime_max),
            )
        });
        match deadline {
            Some(d) => self.arm_timer(id, d.saturating_sub(now)),
            None => self.disarm_timer(id),
        }
    }

    /// `WatchdogSec=`: the watchdog starts (again) when the service enters `start-post`; no
    /// simulated process ever sends `WATCHDOG=1`, so it fires `WatchdogSec=` later unless the
    /// service left `start-post`/`running`/`reload` or started again since.
    fn reset_watchdog(&mut self, id: &UnitName) {
        let now = self.now();
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        u.watchdog_gen += 1;
        let gen = u.watchdog_gen;
        let limit = u.cfg.service.as_ref().map(|s| s.watchdog).unwrap_or(0);
        if limit != 0 && limit != INFINITY {
            self.schedule(
                now.saturating_add(limit),
                Event::Watchdog {
                    unit: id.clone(),
                    gen,
                },
            );
        }
    }

    /// The watchdog of `id` fired (`service_dispatch_watchdog()`).
    pub(crate) fn watchdog_fired(&mut self, id: &UnitName, gen: u64) {
        let Some(u) = self.units.unit(id) else {
            return;
        };
        if u.watchdog_gen != gen || !matches!(u.sub, Sub::StartPost | Sub::Running | Sub::Reload) {
            return;
        }
        let limit = u.cfg.service.as_ref().map(|s| s.watchdog).unwrap_or(0);
        self.journal(
            Some(id),
            3,
            format!(
                "{id}: Watchdog timeout (limit {})!",
                super::timefmt::format_timespan(limit, 1)
            ),
            None,
            None,
            Vec::new(),
        );
        self.enter_signal(id, Sub::StopWatchdog, UnitResult::Watchdog);
    }

    fn record_result(&mut self, id: &UnitName, f: UnitResult) {
        if let Some(u) = self.units.unit_mut(id) {
            if u.result == UnitResult::Success {
                u.result = f;
            }
        }
    }

    fn enter_stop(&mut self, id: &UnitName, f: UnitResult) {
        self.record_result(id, f);
        let cmds = self.exec_list(id, "ExecStop", |s| &s.stop);
        let ran = self
            .units
            .unit(id)
            .is_some_and(|u| u.stamps.exec_main_start.is_some() || u.main.is_some());
        if cmds.is_empty() || !ran {
            self.enter_signal(id, Sub::StopSigterm, UnitResult::Success);
        } else if !self.first_fork_fails(id, &cmds, Role::Control) {
            self.set_sub(id, Sub::Stop);
            let t = self.timeout_stop(id);
            self.arm_timer(id, t);
            self.run_commands(id, cmds, Role::Control, false);
        }
    }

    fn enter_signal(&mut self, id: &UnitName, state: Sub, f: UnitResult) {
        self.record_result(id, f);
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        u.pending.clear();
        let pids: Vec<u32> = u
            .main
            .iter()
            .chain(u.control.iter())
            .map(|p| p.pid)
            .collect();
        if pids.is_empty() {
            self.enter_stop_post(id, UnitResult::Success);
            return;
        }
        // Which signal: `KillSignal=` for a stop, `RestartKillSignal=` for the stop half of a
        // restart job, `WatchdogSignal=` for a watchdog timeout, `SIGKILL` after a timeout.
        let restarting = u
            .job
            .and_then(|j| self.jobs.get(&j))
            .is_some_and(|j| j.kind == JobType::Restart);
        let op = match state {
            Sub::StopSigkill => KillOperation::Kill,
            Sub::StopWatchdog => KillOperation::Watchdog,
            _ if restarting => KillOperation::Restart,
            _ => KillOperation::Terminate,
        };
        let kill = u.cfg.kill.clone().unwrap_or_default();
        let sig = kill.signal_for(op);
        // A signal the process survives (`KillSignal=SIGCONT`) leaves it to the stop timeout;
        // `SendSIGHUP=` follows a plain stop's signal (not a restart's, `unit_kill_context()`).
        let exit = deliver(sig).or_else(|| {
            (kill.send_sighup && op == KillOperation::Terminate)
                .then(|| deliver(1))
                .flatten()
        });
        self.set_sub(id, state);
        let t = self.timeout_stop(id);
        self.arm_timer(id, t);
        let Some(exit) = exit else {
            return;
        };
        let now = self.now();
        for pid in pids {
            self.schedule(
                now,
                Event::ProcExit {
                    unit: id.clone(),
                    pid,
                    exit,
                },
            );
        }
    }

    fn enter_stop_post(&mut self, id: &UnitName, f: UnitResult) {
        self.record_result(id, f);
        let cmds = self.exec_list(id, "ExecStopPost", |s| &s.stop_post);
        if cmds.is_empty() {
            self.enter_dead(id, UnitResult::Success, true);
        } else if !self.first_fork_fails(id, &cmds, Role::Control) {
            self.set_sub(id, Sub::StopPost);
            let t = self.timeout_stop(id);
            self.arm_timer(id, t);
            self.run_commands(id, cmds, Role::Control, false);
        }
    }

    /// `service_enter_dead()`: the result, `Restart=`, and the final state.
    fn enter_dead(&mut self, id: &UnitName, f: UnitResult, allow_restart: bool) {
        self.record_result(id, f);
        self.disarm_timer(id);
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        u.pending.clear();
        u.main = None;
        u.control = None;
        let result = u.result;
        let policy = u
            .cfg
            .service
            .as_ref()
            .map(|s| s.restart)
            .unwrap_or(RestartPolicy::No);
        let restart_sec = u.cfg.service.as_ref().map(|s| s.restart_sec).unwrap_or(0);
        let restart = allow_restart && !u.stop_requested && shall_restart(policy, result);
        u.stop_requested = false;
        self.log_unit_result(id, result);
        let end = if matches!(result, UnitResult::Success | UnitResult::ExecCondition) {
            Sub::Dead
        } else {
            Sub::Failed
        };
        self.set_sub_ext(id, end, restart);
        if restart {
            self.set_sub_ext(id, Sub::AutoRestart, true);
            self.arm_timer(id, restart_sec);
        }
    }

    /// A process of `id` ended.
    pub(crate) fn process_exited(&mut self, _fs: &MemFs, id: &UnitName, pid: u32, exit: Exit) {
        let now = self.now();
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        let role = if u.main.as_ref().is_some_and(|p| p.pid == pid) {
            Role::Main
        } else if u.control.as_ref().is_some_and(|p| p.pid == pid) {
            Role::Control
        } else {
            return;
        };
        let p = match role {
            Role::Main => u.main.take(),
            Role::Control => u.control.take(),
        }
        .expect("the process is the unit's");
        let Some(svc) = u.cfg.service.as_ref() else {
            return;
        };
        let clean = match exit {
            Exit::Exited(s) => s == 0 || svc.success_status.contains(&s),
            Exit::Killed(sig) | Exit::Dumped(sig) => {
                (role == Role::Main
                    && svc.kind != ServiceType::Oneshot
                    && matches!(sig, 1 | 2 | 13 | 15))
                    || svc.success_signals.contains(&sig)
            }
        };
        let (svc_kind, svc_remain) = (svc.kind, svc.remain_after_exit);
        // One status per command (systemd keeps an exec status in each `Exec*=` entry): a
        // command that ran before in this start (a second reload, the forking parent's
        // `ExecStart=`, which the daemon shares) has its line replaced in place; every other
        // command gets its own, in the order they ran (a oneshot's several `ExecStart=` lines
        // each show). Two identical commands in one list share a line here.
        // A forking service's main process is the daemon its start left behind, not a
        // command: its end shows in `Main PID:` only (live user manager, user-forking.md).
        if !(role == Role::Main && svc_kind == ServiceType::Forking) {
            let record = ProcRecord {
                pid,
                setting: p.setting,
                cmd: p.cmd.clone(),
                exit,
            };
            match u
                .records
                .iter_mut()
                .find(|r| r.setting == p.setting && r.cmd == p.cmd)
            {
                Some(slot) => *slot = record,
                None => u.records.push(record),
            }
        }
        // An `ExecCondition=` command that exits 1–254 skips the unit: not a failure, and
        // logged at debug level only (reference: live user manager, user-exec-condition.md).
        let skip = role == Role::Control
            && u.sub == Sub::Condition
            && !clean
            && matches!(exit, Exit::Exited(1..=254));
        let f = if clean || p.cmd.ignore_failure {
            UnitResult::Success
        } else if skip {
            UnitResult::ExecCondition
        } else {
            match exit {
                Exit::Exited(_) => UnitResult::ExitCode,
                Exit::Killed(_) => UnitResult::Signal,
                Exit::Dumped(_) => UnitResult::CoreDump,
            }
        };
        let sub = u.sub;
        if role == Role::Main {
            u.exec_main = Some((pid, exit));
            u.stamps.exec_main_exit = Some(now);
        }
        if !skip && (f != UnitResult::Success || (!clean && p.cmd.ignore_failure)) {
            let what = if role == Role::Main {
                "Main"
            } else {
                "Control"
            };
            self.journal(
                Some(id),
                5,
                format!(
                    "{id}: {what} process exited, code={}, status={}",
                    exit.code_str(),
                    exit.journal_status()
                ),
                Some(ids::UNIT_PROCESS_EXIT),
                None,
                vec![
                    ("COMMAND", p.setting.to_owned()),
                    ("EXIT_CODE", exit.code_str().to_owned()),
                    ("EXIT_STATUS", exit.status().to_string()),
                ],
            );
        }
        let has_pending = self.units.unit(id).is_some_and(|u| !u.pending.is_empty());
        let others_alive = self
            .units
            .unit(id)
            .is_some_and(|u| u.main.is_some() || u.control.is_some());
        match (role, sub) {
            (Role::Main, Sub::Start) => {
                if f != UnitResult::Success {
                    self.enter_signal(id, Sub::StopSigterm, f);
                } else if svc_kind == ServiceType::Notify {
                    self.enter_signal(id, Sub::StopSigterm, UnitResult::Protocol);
                } else if has_pending {
                    self.run_pending(id, Role::Main);
                } else {
                    self.enter_start_post(id);
                }
            }
            (Role::Main, Sub::Running) => self.enter_running(id, f),
            (Role::Main, Sub::StartPost) | (Role::Main, Sub::Reload) => {
                // The main process is gone: with no control process left the state can never
                // end cleanly, so the service stops; otherwise the operation finishes first
                // (`service_sigchld_event()`).
                self.record_result(id, f);
                if !others_alive {
                    self.enter_stop(id, f);
                }
            }
            (Role::Main, Sub::Stop) => self.record_result(id, f),
            (_, Sub::StopSigterm) | (_, Sub::StopSigkill) | (_, Sub::StopWatchdog) => {
                if role == Role::Main {
                    self.record_result(id, f);
                }
                if !others_alive {
                    self.enter_stop_post(id, UnitResult::Success);
                }
            }
            (Role::Control, Sub::Condition) => {
                if f == UnitResult::ExecCondition {
                    let u = self.units.unit_mut(id).expect("unit exists");
                    u.condition_result = Some(false);
                    u.condition_failed.clear();
                    self.enter_signal(id, Sub::StopSigterm, f);
                } else if f != UnitResult::Success {
                    self.enter_signal(id, Sub::StopSigterm, f);
                } else if has_pending {
                    self.run_pending(id, Role::Control);
                } else {
                    self.enter_start_pre(id);
                }
            }
            (Role::Control, Sub::StartPre) => {
                if f != UnitResult::Success {
                    self.enter_signal(id, Sub::StopSigterm, f);
                } else if has_pending {
                    self.run_pending(id, Role::Control);
                } else {
                    self.enter_start(id);
                }
            }
            (Role::Control, Sub::Start) => {
                // The forking parent.
                if f != UnitResult::Success {
                    self.enter_signal(id, Sub::StopSigterm, f);
                } else {
                    let daemon = self.units.unit(id).is_some_and(|u| u.forking_daemon);
                    let pid_file = self.svc(id).and_then(|s| s.pid_file.clone());
                    if daemon {
                        // The shell's background command, or the program itself.
                        let env = self.process_env(id);
                        let run = p.run.as_ref().unwrap_or(&p.cmd);
                        let cmd = run.background(&env).unwrap_or_else(|| p.cmd.clone());
                        // With `PIDFile=`, the daemon is known once it wrote the file, which
                        // only a program the model does not know does.
                        if pid_file.is_none() || cmd.writes_pid_file() {
                            // The parent forks the daemon itself: no environment files to
                            // load (and they loaded for the parent a moment ago).
                            let _ = self.spawn(id, cmd, "ExecStart", Role::Main);
                        }
                    }
                    let post = self.svc(id).is_some_and(|s| !s.start_post.is_empty());
                    if !post && self.pid_file_missing(id, "start") {
                        return;
                    }
                    self.enter_start_post(id);
                }
            }
            (Role::Control, Sub::StartPost) => {
                if f != UnitResult::Success {
                    self.enter_stop(id, f);
                } else if has_pending {
                    self.run_pending(id, Role::Control);
                } else if !self.pid_file_missing(id, "start-post") {
                    self.enter_running(id, UnitResult::Success);
                }
            }
            (Role::Control, Sub::Reload) => {
                if has_pending && f == UnitResult::Success {
                    self.run_pending(id, Role::Control);
                    return;
                }
                self.disarm_timer(id);
                if f != UnitResult::Success {
                    if let Some(j) = self.units.unit(id).and_then(|u| u.job) {
                        self.finish_job(j, JobResult::Failed, false);
                    }
                }
                let _ = svc_remain;
                self.reload_done(id);
            }
            (Role::Control, Sub::Stop) => {
                self.record_result(id, f);
                if has_pending {
                    self.run_pending(id, Role::Control);
                } else {
                    self.enter_signal(id, Sub::StopSigterm, UnitResult::Success);
                }
            }
            (Role::Control, Sub::StopPost) => {
                self.record_result(id, f);
                if has_pending {
                    self.run_pending(id, Role::Control);
                } else {
                    self.enter_dead(id, UnitResult::Success, true);
                }
            }
            (Role::Main, Sub::Exited) | (Role::Main, _) | (Role::Control, _) => {}
        }
    }

    /// A unit's timer fired: a start/stop timeout or the end of `RestartSec=`.
    pub(crate) fn timer_fired(&mut self, fs: &MemFs, id: &UnitName) {
        let Some(u) = self.units.unit(id) else {
            return;
        };
        let sub = u.sub;
        let job = u.job;
        let msg = |what: &str| format!("{id}: {what}");
        match sub {
            Sub::Condition | Sub::StartPre | Sub::Start | Sub::StartPost => {
                // `TimeoutStartFailureMode=terminate` (the default).
                let what = format!("{} operation timed out. Terminating.", sub.as_str());
                self.journal(Some(id), 4, msg(&what), None, None, Vec::new());
                self.enter_signal(id, Sub::StopSigterm, UnitResult::Timeout);
            }
            Sub::Reload => {
                self.journal(
                    Some(id),
                    4,
                    msg("Reload operation timed out. Killing reload process."),
                    None,
                    None,
                    Vec::new(),
                );
                if let Some(j) = job {
                    self.finish_job(j, JobResult::Failed, false);
                }
                // `service_kill_control_process()`: the reload process gets `SIGKILL` and is
                // no longer watched.
                if let Some(u) = self.units.unit_mut(id) {
                    u.control = None;
                    u.pending.clear();
                }
                self.reload_done(id);
            }
            Sub::Stop => {
                self.journal(
                    Some(id),
                    4,
                    msg("Stopping timed out. Terminating."),
                    None,
                    None,
                    Vec::new(),
                );
                self.enter_signal(id, Sub::StopSigterm, UnitResult::Timeout);
            }
            Sub::StopSigterm | Sub::StopWatchdog => {
                let send_sigkill = u.cfg.kill.as_ref().is_none_or(|k| k.send_sigkill);
                let what = match (sub, send_sigkill) {
                    (Sub::StopSigterm, true) => "State 'stop-sigterm' timed out. Killing.",
                    (Sub::StopSigterm, false) => {
                        "State 'stop-sigterm' timed out. Skipping SIGKILL."
                    }
                    (_, true) => "State 'stop-watchdog' timed out. Killing.",
                    (_, false) => "State 'stop-watchdog' timed out. Skipping SIGKILL.",
                };
                self.journal(Some(id), 4, msg(what), None, None, Vec::new());
                if send_sigkill {
                    self.enter_signal(id, Sub::StopSigkill, UnitResult::Timeout);
                } else {
                    self.enter_stop_post(id, UnitResult::Timeout);
                }
            }
            Sub::Running => {
                // `RuntimeMaxSec=` elapsed.
                self.journal(
                    Some(id),
                    4,
                    msg("Service reached runtime time limit. Stopping."),
                    None,
                    None,
                    Vec::new(),
                );
                self.enter_stop(id, UnitResult::Timeout);
            }
            Sub::StopSigkill => {
                // `FinalKillSignal=` did not end the processes either.
                self.journal(
                    Some(id),
                    4,
                    msg("Processes still around after SIGKILL. Ignoring."),
                    None,
                    None,
                    Vec::new(),
                );
                self.enter_stop_post(id, UnitResult::Timeout);
            }
            Sub::StopPost => {
                self.journal(
                    Some(id),
                    4,
                    msg("State 'stop-post' timed out. Terminating."),
                    None,
                    None,
                    Vec::new(),
                );
                self.enter_dead(id, UnitResult::Timeout, true);
            }
            Sub::AutoRestart => {
                let u = self.units.unit_mut(id).expect("unit exists");
                u.n_restarts += 1;
                u.auto_restart = true;
                let n = u.n_restarts;
                // A running start job carries the restart. So does a running `verify-active`
                // job (a `Requisite=` check waiting while the unit is activating): systemd
                // merges the restart into it (`job_type_merge()`: verify-active + restart =
                // restart), which then ends as a start (manager_props regression: it waited
                // forever).
                let running_start = u
                    .job
                    .and_then(|j| self.jobs.get(&j))
                    .filter(|j| {
                        j.running && matches!(j.kind, JobType::Start | JobType::VerifyActive)
                    })
                    .map(|j| j.id);
                if let Some(j) = running_start.and_then(|jid| self.jobs.get_mut(&jid)) {
                    j.kind = JobType::Start;
                }
                let running_start = running_start.is_some();
                self.journal(
                    Some(id),
                    6,
                    Message::Parts {
                        before: "",
                        name: Shared::Name(id.clone()),
                        after: ": Scheduled restart job, restart counter is at ",
                        number: Some(n),
                        tail: ".",
                    },
                    Some(ids::UNIT_RESTART_SCHEDULED),
                    None,
                    Vec::new(),
                );
                if running_start {
                    self.service_start(id);
                } else if let Err(e) = self.enqueue(
                    fs,
                    id,
                    super::jobs::Request::Restart,
                    super::jobs::Mode::Replace,
                ) {
                    self.unit_log(
                        id,
                        3,
                        format!("{id}: Failed to schedule restart job: {}", e.message),
                    );
                    self.enter_dead(id, UnitResult::Resources, false);
                }
            }
            _ => {}
        }
    }

    /// Tests checks as systemd does (`condition_test_list()`): in its list order, which is the
    /// reverse of the file's (each setting is prepended), stopping at the first failed
    /// non-triggering check. Returns the result and each check's outcome by file index (`None`:
    /// not tested).
    fn test_checks(
        &self,
        fs: &MemFs,
        id: &UnitName,
        checks: &[super::config::Check],
    ) -> (bool, Vec<Option<bool>>) {
        let mut outcomes = vec![None; checks.len()];
        let mut triggered: Option<bool> = None;
        for (i, c) in checks.iter().enumerate().rev() {
            let ok = self.check(fs, id, c) != c.negate;
            outcomes[i] = Some(ok);
            if !c.trigger && !ok {
                return (false, outcomes);
            }
            if c.trigger && triggered != Some(true) {
                triggered = Some(ok);
            }
        }
        (triggered != Some(false), outcomes)
    }

    /// A setting of `id` with its specifiers expanded ([`super::printf`]); `None` when one
    /// cannot be resolved.
    pub(crate) fn expand_specifiers(&self, id: &UnitName, s: &str) -> Option<String> {
        let fragment = self
            .units
            .unit(id)
            .and_then(|u| u.node.unit.fragment_path.clone());
        super::printf::unit_printf(
            id,
            fragment.as_deref().map(|p| p.as_str()),
            &self.units.specifiers,
            s,
        )
    }

    fn check(&self, fs: &MemFs, id: &UnitName, c: &super::config::Check) -> bool {
        // systemd drops a condition whose specifiers fail to resolve at load ("Failed to resolve
        // unit specifiers ..., ignoring"): it then does not hold the unit back.
        let Some(param) = self.expand_specifiers(id, &c.param) else {
            return !c.negate;
        };
        let path = Utf8Path::new(&param);
        let resolved = || {
            if !path.is_absolute() {
                return None;
            }
            unitlab_engine::fs::resolve(fs, path, unitlab_engine::fs::Follow::Yes)
                .ok()
                .and_then(|r| {
                    let kind = match r.target {
                        unitlab_engine::fs::Target::DevNull => Some(FileKind::CharDevice),
                        t => t.kind(),
                    };
                    kind.map(|k| (r, k))
                })
        };
        let meta = || match resolved() {
            Some((r, _)) => match r.target {
                unitlab_engine::fs::Target::Exists(m) => Some(m),
                _ => None,
            },
            None => None,
        };
        match c.kind.as_str() {
            "PathExists" => resolved().is_some(),
            "PathIsDirectory" => matches!(resolved(), Some((_, FileKind::Dir))),
            "PathIsSymbolicLink" => fs.lstat(path).is_ok_and(|m| m.kind == FileKind::Symlink),
            "FileNotEmpty" => {
                matches!(resolved(), Some((_, FileKind::File)))
                    && meta().is_some_and(|m| m.size > 0)
            }
            "FileIsExecutable" => {
                matches!(resolved(), Some((_, FileKind::File)))
                    && meta().is_some_and(|m| m.mode & 0o111 != 0)
            }
            "DirectoryNotEmpty" => match resolved() {
                Some((r, FileKind::Dir)) => fs
                    .read_dir(&r.path)
                    .is_ok_and(|e| e.iter().any(|e| !e.name.starts_with('.'))),
                _ => false,
            },
            "PathExistsGlob" => {
                let (dir, pat) = match param.rsplit_once('/') {
                    Some((d, p)) => (if d.is_empty() { "/" } else { d }, p),
                    None => return false,
                };
                fs.read_dir(Utf8Path::new(dir)).is_ok_and(|es| {
                    es.iter()
                        .any(|e| unitlab_engine::install::fnmatch::fnmatch(pat, &e.name))
                })
            }
            "PathIsReadWrite" => resolved().is_some(),
            "PathIsMountPoint" => param == "/",
            "User" => {
                param == self.opts.user
                    || param == self.opts.uid.to_string()
                    || (param == "@system" && self.opts.uid < 1000)
            }
            "Group" => param == self.opts.user || param == self.opts.uid.to_string(),
            "Virtualization" => matches!(param.as_str(), "no" | "false" | "0"),
            _ => true,
        }
    }
}

/// `service_shall_restart()` for the result the service ended with.
fn shall_restart(policy: RestartPolicy, r: UnitResult) -> bool {
    use UnitResult::*;
    match policy {
        RestartPolicy::No => false,
        RestartPolicy::Always => !matches!(r, StartLimitHit | ExecCondition),
        RestartPolicy::OnSuccess => r == Success,
        RestartPolicy::OnFailure => !matches!(r, Success | StartLimitHit | ExecCondition),
        RestartPolicy::OnAbnormal => matches!(r, Signal | CoreDump | Timeout | Watchdog),
        RestartPolicy::OnWatchdog => r == Watchdog,
        RestartPolicy::OnAbort => matches!(r, Signal | CoreDump),
    }
}

/// `Condition`/`Assert` + key `=` `|` `!` parameter, as systemd names a check in messages.
fn check_text(c: &super::config::Check, prefix: &str) -> String {
    format!(
        "{prefix}{}={}{}{}",
        c.kind,
        if c.trigger { "|" } else { "" },
        if c.negate { "!" } else { "" },
        c.param
    )
}

/// The failed checks in the file's order, as `status` lists them under `Condition:` (the
/// manager's list is the reverse of the file's, and systemctl reverses it again when it reads
/// the `Conditions` property).
fn failed_checks(
    checks: &[super::config::Check],
    outcomes: &[Option<bool>],
    prefix: &str,
) -> Vec<String> {
    checks
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| **o == Some(false))
        .map(|(c, _)| check_text(c, prefix))
        .collect()
}

/// The check a failure is reported by (`unit_find_failed_condition()`): in list order, the first
/// non-triggering check that did not succeed, else the first triggering one that did not when
/// none did.
fn reported_failure<'c>(
    checks: &'c [super::config::Check],
    outcomes: &[Option<bool>],
) -> Option<&'c super::config::Check> {
    let mut failed_trigger = None;
    let mut trigger_ok = false;
    for (c, o) in checks.iter().zip(outcomes).rev() {
        if c.trigger {
            if *o == Some(true) {
                trigger_ok = true;
            } else if failed_trigger.is_none() {
                failed_trigger = Some(c);
            }
        } else if *o != Some(true) {
            return Some(c);
        }
    }
    failed_trigger.filter(|_| !trigger_ok)
}

impl Manager {
    /// The end of a unit that has no processes left (timers, sockets, paths): keeps the first
    /// failure's result (`f` when the unit had none) and logs it (`unit_log_result()`, success
    /// included). `None` when the unit is not loaded.
    pub(crate) fn settle_result(&mut self, id: &UnitName, f: UnitResult) -> Option<UnitResult> {
        let u = self.units.unit_mut(id)?;
        if u.result == UnitResult::Success {
            u.result = f;
        }
        let result = u.result;
        self.log_unit_result(id, result);
        Some(result)
    }

    /// `unit_log_result()`: the journal line of a unit that ended: `Deactivated successfully.`,
    /// `Skipped due to 'exec-condition'.` or `Failed with result 'X'.`, with their message ids.
    pub(crate) fn log_unit_result(&mut self, id: &UnitName, result: UnitResult) {
        let (priority, message, mid) = match result {
            UnitResult::Success => (
                6,
                Message::around("", Shared::Name(id.clone()), ": Deactivated successfully."),
                ids::UNIT_SUCCESS,
            ),
            UnitResult::ExecCondition => (
                6,
                format!("{id}: Skipped due to '{}'.", result.as_str()).into(),
                ids::UNIT_SKIPPED,
            ),
            _ => (
                4,
                format!("{id}: Failed with result '{}'.", result.as_str()).into(),
                ids::UNIT_FAILURE_RESULT,
            ),
        };
        let fields = if result == UnitResult::Success {
            Vec::new()
        } else {
            vec![("UNIT_RESULT", result.as_str().to_owned())]
        };
        self.journal(Some(id), priority, message, Some(mid), None, fields);
    }
}
