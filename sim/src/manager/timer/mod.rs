//! Timer units at runtime (systemd 252's `timer.c`, reference §5.4, §7.2): the states `dead`,
//! `waiting`, `running`, `elapsed` and `failed`, the elapse computation of every `On*=` value,
//! the start job a timer queues for its unit when it elapses, `Persistent=` stamps, and the
//! event-loop wake-ups that coalesce timers within their `AccuracySec=` windows.
//!
//! # The model
//!
//! * **Starting** a timer checks that the unit it triggers (`Unit=`, default the same-name
//!   service; the graph's `Triggers=` edge) is loaded (else `Refusing to start, unit X to trigger
//!   not loaded.`, job `failed`, the timer stays `dead`), reads the `Persistent=` stamp, and
//!   enters `waiting`.
//! * **Waiting** computes each value's next elapse as `timer_enter_waiting()` does: monotonic
//!   values from their base (the timer's activation, the boot, the manager's start, the
//!   triggered unit's last activation/deactivation or the last trigger, whichever is later),
//!   calendar values with [`CalendarSpec::next_elapse`] from the last trigger (or, while the
//!   timer is active, its activation; a timer that starts or is reloaded counts from now) and
//!   never before the manager started; one-time values that already passed are disabled; the
//!   earliest of each clock gets the random delay (`RandomizedDelaySec=`, seeded; or
//!   `FixedRandomDelay=`, a hash of machine, manager and unit). With nothing left to wait for,
//!   the timer is `elapsed` (`RemainAfterElapse=yes`, or a value relative to the unit) or `dead`.
//!   A timer started too often (the unit start rate limit) fails with `start-limit-hit`.
//! * **Wake-ups** follow sd-event: per clock (monotonic, realtime) the manager sleeps until the
//!   point [`elapse::sleep_between`] picks in the window from the earliest elapse to the earliest
//!   elapse plus accuracy, aligned to the boot's perturbation, and then dispatches every timer of
//!   that clock that is due. The perturbation and the random delays come from the machine's seed,
//!   so a run is reproducible.
//! * **Elapsing** queues a start job (`replace`) for the triggered unit, records the trigger time
//!   (and touches the stamp) and enters `running`; when the triggered unit becomes inactive again
//!   (`trigger_notify`), the timer computes its next elapse. A job that cannot be queued (the unit
//!   was masked meanwhile) logs `Failed to queue unit startup job: ...` and the timer fails with
//!   result `resources`.
//! * **Persistent=** stamps live in `/var/lib/systemd/timers/stamp-NAME.timer` (system) and
//!   `~/.local/share/systemd/timers/stamp-NAME.timer` (user, or `$XDG_DATA_HOME/systemd/timers`).
//!   systemd keeps the trigger time in the file's modification time; the simulated filesystem has
//!   a logical clock, so the stamp holds the time (microseconds since the epoch) as its text. A
//!   stamp survives reboots; a timer started with a stamp in the past computes its calendar
//!   elapses from it, so a missed elapse happens at once (catch-up).
//!
//! The `systemctl` side is in [`list`] (`list-timers`) and [`props`] (`show` properties, the
//! `Trigger:`/`Triggers:`/`TriggeredBy:` lines of `status`).
//!
//! # Verified
//!
//! Against a real systemd 252.38 user manager: the scenarios `sim/scenarios/user-timer-*.md`
//! (9 files, 143 commands: states, `list-timers`, `status`, `show`, masked and missing units,
//! repeating timers, `RemainAfterElapse=`, `Persistent=` stamps and catch-up, daemon-reload,
//! the start limit, calendar values, templates and enablement), the wake-up alignment of the
//! default one-minute accuracy (the boot ID's perturbation; [`elapse`] tests) and the
//! `FixedRandomDelay=` hash. Days-long behaviour (`system-timer-calendar.md`, `sim/tests/timer_elapse.rs`) follows 252's code.
//!
//! [`CalendarSpec::next_elapse`]: unitlab_engine::time::calendar::CalendarSpec::next_elapse
pub mod config;
pub mod elapse;
pub mod list;
pub mod props;

use super::state::{JobResult, Sub, UnitResult};
use super::{Event, Manager, Usec};
use camino::Utf8PathBuf;
use config::{Base, TimerConfig};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use unitlab_engine::fs::{FileSystem, MemFs};
use unitlab_engine::graph::DepKind;
use unitlab_engine::load::{LoadState, Scope};
use unitlab_engine::name::{UnitName, UnitType};
use unitlab_engine::time::zone::{FsZones, Zone};
use unitlab_engine::time::USEC_INFINITY;

/// `timer_state`: the sub-states of a timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerState {
    /// `dead`.
    Dead,
    /// `waiting`.
    Waiting,
    /// `running`: the triggered unit's start was queued and it has not become inactive again.
    Running,
    /// `elapsed`: nothing left to wait for.
    Elapsed,
    /// `failed`.
    Failed,
}

impl TimerState {
    /// The sub-state the manager stores.
    pub fn sub(self) -> Sub {
        match self {
            TimerState::Dead => Sub::Dead,
            TimerState::Waiting => Sub::TypeActive("waiting"),
            TimerState::Running => Sub::TypeActive("running"),
            TimerState::Elapsed => Sub::TypeActive("elapsed"),
            TimerState::Failed => Sub::Failed,
        }
    }

    /// The timer state of a sub-state.
    pub fn of(sub: Sub) -> TimerState {
        match sub {
            Sub::TypeActive("waiting") => TimerState::Waiting,
            Sub::TypeActive("running") => TimerState::Running,
            Sub::TypeActive("elapsed") => TimerState::Elapsed,
            Sub::Failed => TimerState::Failed,
            _ => TimerState::Dead,
        }
    }
}

/// The runtime state of one timer unit (kept with the unit; lost when it is garbage-collected,
/// as systemd frees the unit).
#[derive(Clone, Debug)]
pub struct TimerRt {
    /// The configuration in effect (re-read at start and at daemon-reload).
    pub cfg: Arc<TimerConfig>,
    /// `LastTriggerUSec` (realtime) and `LastTriggerUSecMonotonic`; 0 when unset.
    pub last_trigger: (Usec, Usec),
    /// `NextElapseUSecMonotonic` (infinity when not waiting).
    pub next_mono: Usec,
    /// `NextElapseUSecRealtime` (infinity when not waiting).
    pub next_rt: Usec,
    /// Each value's last computed elapse (`TimersMonotonic`' `next_elapse`).
    pub value_next: Vec<Usec>,
    /// One-time values that already elapsed.
    pub disabled: Vec<bool>,
    /// The timer's keys in the manager's clock queues (monotonic, realtime) while it is armed
    /// (`None`: not armed). Kept with the unit, so disarming looks nothing up by name.
    armed: Option<(Option<u32>, Option<u32>)>,
    /// The `Persistent=` stamp's path of a system manager's timer, once made (it depends on
    /// the unit's id alone; a user manager's depends on its environment and is made each time).
    system_stamp: Option<Utf8PathBuf>,
}

impl TimerRt {
    fn new(cfg: Arc<TimerConfig>) -> TimerRt {
        let n = cfg.values.len();
        TimerRt {
            cfg,
            last_trigger: (0, 0),
            next_mono: USEC_INFINITY,
            next_rt: USEC_INFINITY,
            value_next: vec![0; n],
            disabled: vec![false; n],
            armed: None,
            system_stamp: None,
        }
    }
}

/// The armed timers of one clock, ordered by earliest and by latest acceptable elapse.
///
/// Each armed timer has a slot (its key) holding its unit and a sequence number given in arming
/// order. The timers are kept in one binary heap per accuracy (a machine has a few distinct
/// `AccuracySec=` values), ordered by `(elapse, sequence, key)`: the earliest elapse is the least
/// of the heaps' tops, and the earliest *latest acceptable* elapse (elapse plus accuracy) the
/// least of each top plus its heap's accuracy, which is the order of the two sorted sets this
/// replaces (the sequence breaks ties as the key did). A timer that is disarmed only empties its
/// slot: heap entries whose slot is empty or holds a later arming are stale and are dropped when
/// they reach the top (or, when stale entries outnumber live ones, all at once), so arming and
/// disarming cost one heap push and a slot write, not two tree rebalances and a hash-map entry.
#[derive(Debug, Default)]
struct ClockQueue {
    groups: Vec<(Usec, TimerHeap)>,
    slots: Vec<Option<Armed>>,
    free: Vec<u32>,
    live: usize,
    /// Heap entries, stale ones included.
    entries: usize,
}

/// The armed timers of one accuracy, least `(elapse, sequence, key)` on top.
type TimerHeap = BinaryHeap<Reverse<(Usec, u64, u32)>>;

/// One armed timer of a [`ClockQueue`].
#[derive(Debug)]
struct Armed {
    seq: u64,
    unit: UnitName,
}

impl ClockQueue {
    /// Arms `unit` at `next` with `accuracy` (`seq` orders equal times, in arming order);
    /// returns its key.
    fn insert(&mut self, seq: u64, next: Usec, accuracy: Usec, unit: UnitName) -> u32 {
        // sd-event's default accuracy replaces 0.
        let acc = if accuracy == 0 { 250_000 } else { accuracy };
        let armed = Some(Armed { seq, unit });
        let key = match self.free.pop() {
            Some(k) => {
                self.slots[k as usize] = armed;
                k
            }
            None => {
                self.slots.push(armed);
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 armed timers")
            }
        };
        self.live += 1;
        self.entries += 1;
        let at = match self.groups.iter().position(|(a, _)| *a == acc) {
            Some(at) => at,
            None => {
                self.groups.push((acc, BinaryHeap::new()));
                self.groups.len() - 1
            }
        };
        self.groups[at].1.push(Reverse((next, seq, key)));
        key
    }

    /// Disarms the timer armed under `key`; returns its unit.
    fn remove(&mut self, key: u32) -> Option<UnitName> {
        let armed = self.slots.get_mut(key as usize)?.take()?;
        self.free.push(key);
        self.live -= 1;
        if self.entries > 2 * self.live + 64 {
            self.compact();
        }
        Some(armed.unit)
    }

    /// Whether a heap entry is the current arming of its slot.
    fn is_live(slots: &[Option<Armed>], seq: u64, key: u32) -> bool {
        slots
            .get(key as usize)
            .and_then(Option::as_ref)
            .is_some_and(|a| a.seq == seq)
    }

    /// Drops every stale heap entry.
    fn compact(&mut self) {
        let slots = &self.slots;
        let mut entries = 0;
        for (_, heap) in &mut self.groups {
            heap.retain(|Reverse((_, seq, key))| Self::is_live(slots, *seq, *key));
            entries += heap.len();
        }
        self.entries = entries;
    }

    /// Drops the stale entries at the tops of the heaps.
    fn prune(&mut self) {
        for (_, heap) in &mut self.groups {
            while let Some(Reverse((_, seq, key))) = heap.peek() {
                if Self::is_live(&self.slots, *seq, *key) {
                    break;
                }
                heap.pop();
                self.entries -= 1;
            }
        }
    }

    /// The group whose top is the earliest `(elapse, sequence)` (after [`ClockQueue::prune`]).
    fn first(&self) -> Option<(usize, (Usec, u64, u32))> {
        self.groups
            .iter()
            .enumerate()
            .filter_map(|(i, (_, h))| h.peek().map(|Reverse(t)| (i, *t)))
            .min_by_key(|(_, (next, seq, _))| (*next, *seq))
    }

    fn wake(&mut self, perturb: Usec) -> Option<Usec> {
        self.prune();
        let a = self.first()?.1 .0;
        let b = self
            .groups
            .iter()
            .filter_map(|(acc, h)| {
                h.peek()
                    .map(|Reverse((next, ..))| next.saturating_add(*acc))
            })
            .min()?;
        Some(elapse::sleep_between(perturb, a, b.max(a)))
    }

    /// Removes the units due at `now` and appends them to `due`, earliest first.
    fn take_due(&mut self, now: Usec, due: &mut Vec<UnitName>) {
        loop {
            self.prune();
            let Some((group, (next, _, key))) = self.first() else {
                break;
            };
            if next > now {
                break;
            }
            self.groups[group].1.pop();
            self.entries -= 1;
            if let Some(unit) = self.remove(key) {
                due.push(unit);
            }
        }
    }
}

/// The manager's timer machinery: the armed timers per clock, the scheduled wake-up, and the
/// seeded sources of the per-boot perturbation and the random delays.
#[derive(Debug)]
pub struct Timers {
    mono: ClockQueue,
    rt: ClockQueue,
    next_key: u64,
    wake_gen: u64,
    wake_at: Option<Usec>,
    rng: elapse::Rng,
    perturb: Usec,
    machine_id: [u8; 16],
    /// The monotonic time the manager started (`OnStartupSec=`, the calendar rebase).
    userspace: Usec,
    /// The last calendar elapses computed ([`CalendarMemo`]).
    calendar_memo: CalendarMemo,
    /// The distinct calendar specifications (with their zone) of the timers started, numbered
    /// from 1 in this order ([`TimerValue::calendar_id`](config::TimerValue::calendar_id)).
    calendars: Vec<(unitlab_engine::time::calendar::CalendarSpec, Zone)>,
}

/// The last few calendar elapses computed: (configuration, value index, base, next elapse).
/// `CalendarSpec::next_elapse` is a function of the spec, the zone and the base alone; timers
/// that elapse together (every `daily` timer at midnight) recompute the same spec from the same
/// base (their last trigger, the same instant), so all but the first find the result here. An
/// entry matches when the spec and the zone are equal (the same configuration object, or equal
/// values) and the base is the same.
#[derive(Debug, Default)]
struct CalendarMemo {
    entries: Vec<(Arc<TimerConfig>, usize, Usec, Option<Usec>)>,
    next: usize,
}

impl CalendarMemo {
    const SLOTS: usize = 8;

    /// The next elapse of `cfg`'s calendar value `i` after `base` (see
    /// [`CalendarSpec::next_elapse`]), from the memo when it was computed already.
    fn next_elapse(
        &mut self,
        cfg: &Arc<TimerConfig>,
        i: usize,
        base: Usec,
    ) -> Result<Option<Usec>, unitlab_engine::time::Errno> {
        let Some(v) = cfg.values.get(i) else {
            return Ok(None);
        };
        let Some(spec) = v.calendar.as_ref() else {
            return Ok(None);
        };
        let id = v.calendar_id;
        for (c, j, b, next) in &self.entries {
            // Numbered specifications are equal exactly when their numbers are.
            let numbered = id != 0 && c.values.get(*j).is_some_and(|w| w.calendar_id != 0);
            if *b == base && numbered && c.values.get(*j).is_some_and(|w| w.calendar_id == id) {
                debug_assert_eq!(
                    Ok(*next),
                    spec.next_elapse(base, &cfg.local),
                    "calendar memo"
                );
                return Ok(*next);
            }
            if *b == base
                && !numbered
                && (Arc::ptr_eq(c, cfg) && *j == i
                    || c.values.get(*j).and_then(|v| v.calendar.as_ref()) == Some(spec)
                        && c.local == cfg.local)
            {
                debug_assert_eq!(
                    Ok(*next),
                    spec.next_elapse(base, &cfg.local),
                    "calendar memo"
                );
                return Ok(*next);
            }
        }
        let next = spec.next_elapse(base, &cfg.local)?;
        let entry = (Arc::clone(cfg), i, base, next);
        if self.entries.len() < Self::SLOTS {
            self.entries.push(entry);
        } else {
            self.entries[self.next] = entry;
            self.next = (self.next + 1) % Self::SLOTS;
        }
        Ok(next)
    }
}

impl Default for Timers {
    fn default() -> Timers {
        Timers::seeded(0, 0, false)
    }
}

impl Timers {
    /// The machinery of a manager on a machine with `seed`, in boot number `boot`.
    pub fn seeded(seed: u64, boot: u32, user: bool) -> Timers {
        let mut machine = elapse::Rng::new(seed ^ 0x6d61_6368_696e_6521);
        let machine_id = machine.id128();
        let mut boots = elapse::Rng::new(seed ^ (u64::from(boot) << 32) ^ 0x626f_6f74);
        let boot_id = boots.id128();
        Timers {
            mono: ClockQueue::default(),
            rt: ClockQueue::default(),
            next_key: 0,
            wake_gen: 0,
            wake_at: None,
            rng: elapse::Rng::new(seed ^ (u64::from(boot) << 40) ^ u64::from(user)),
            perturb: elapse::perturbation(boot_id),
            machine_id,
            userspace: 0,
            calendar_memo: CalendarMemo::default(),
            calendars: Vec::new(),
        }
    }

    /// Numbers the calendar values of `cfg` ([`Timers::calendars`]); past
    /// [`Timers::MAX_CALENDARS`] distinct ones, new ones stay unnumbered (0).
    fn number_calendars(&mut self, cfg: &mut TimerConfig) {
        for v in &mut cfg.values {
            let Some(spec) = v.calendar.as_ref() else {
                continue;
            };
            let found = self
                .calendars
                .iter()
                .position(|(s, z)| s == spec && *z == cfg.local);
            v.calendar_id = match found {
                Some(at) => u32::try_from(at + 1).unwrap_or(0),
                None if self.calendars.len() < Self::MAX_CALENDARS => {
                    self.calendars.push((spec.clone(), cfg.local.clone()));
                    u32::try_from(self.calendars.len()).unwrap_or(0)
                }
                None => 0,
            };
        }
    }

    const MAX_CALENDARS: usize = 4096;

    /// The perturbation of the current boot (sd-event's wake-up alignment).
    pub fn perturbation(&self) -> Usec {
        self.perturb
    }
}

/// A timer's schedule as `list-timers` shows it ([`Manager::timer_info`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerInfo {
    /// The sub-state.
    pub state: TimerState,
    /// The next elapse (realtime, the earlier of both clocks), if the timer waits for one.
    pub next_elapse: Option<Usec>,
    /// The last trigger (realtime), if known.
    pub last_trigger: Option<Usec>,
    /// `AccuracySec=` in effect.
    pub accuracy: Usec,
}

/// The path of a timer's `Persistent=` stamp for a manager of `scope` with environment `env`
/// (`$XDG_DATA_HOME/systemd/timers/` or `~/.local/share/systemd/timers/` for users).
pub fn stamp_path(
    scope: Scope,
    home: Option<&str>,
    xdg_data_home: Option<&str>,
    id: &str,
) -> Option<Utf8PathBuf> {
    if scope == Scope::System {
        return Some(Utf8PathBuf::from(format!(
            "/var/lib/systemd/timers/stamp-{id}"
        )));
    }
    if let Some(d) = xdg_data_home.filter(|d| !d.is_empty()) {
        return Some(Utf8PathBuf::from(format!("{d}/systemd/timers/stamp-{id}")));
    }
    home.map(|h| Utf8PathBuf::from(format!("{h}/.local/share/systemd/timers/stamp-{id}")))
}

impl Manager {
    /// Seeds the timer machinery (perturbation, random delays, machine ID) from the machine's
    /// seed; the current boot number is taken from the clock at [`Manager::boot`].
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
    }

    /// The schedule of the loaded timer `name` (`None` if it is not a loaded timer).
    pub fn timer_info(&self, name: &str) -> Option<TimerInfo> {
        let u = self.units.get(name)?;
        if u.unit_type() != UnitType::Timer {
            return None;
        }
        let (next_rt, next_mono, last) = props::elapses(u);
        let next = props::calc_next_elapse(
            self.clock.realtime(),
            self.clock.monotonic,
            next_rt,
            next_mono,
        );
        let set = |t: Usec| (t > 0 && t != USEC_INFINITY).then_some(t);
        Some(TimerInfo {
            state: TimerState::of(u.sub),
            next_elapse: set(next),
            last_trigger: set(last.0),
            accuracy: u
                .timer
                .as_ref()
                .map(|rt| rt.cfg.accuracy)
                .unwrap_or(config::DEFAULT_ACCURACY),
        })
    }

    /// At boot: the machinery of this boot, and the manager's start time.
    pub(super) fn timers_boot(&mut self) {
        // The calendar numbers stay (timers keep their configurations across a boot).
        let calendars = std::mem::take(&mut self.timers.calendars);
        self.timers = Timers::seeded(self.seed, self.clock.boot, self.opts.scope != Scope::System);
        self.timers.calendars = calendars;
        // Fresh clock queues: no timer is armed in them.
        for u in self.units.map.values_mut() {
            if let Some(rt) = u.timer.as_mut() {
                rt.armed = None;
            }
        }
        self.timers.userspace = self.clock.monotonic;
    }

    /// The configuration of a timer unit as loaded now.
    pub(super) fn timer_config(&self, fs: &MemFs, u: &super::units::Unit) -> TimerConfig {
        let zones = FsZones::new(fs);
        let local = zones
            .local_zone(camino::Utf8Path::new("/etc/localtime"))
            .unwrap_or_else(Zone::utc);
        TimerConfig::of(&u.node.unit, &local, &zones)
    }

    /// The unit a timer triggers (its first `Triggers=` edge).
    pub(super) fn trigger_of(&self, id: &UnitName) -> Option<UnitName> {
        let u = self.units.unit(id)?;
        u.node
            .deps_of(DepKind::Triggers)
            .next()
            .map(|(n, _)| n.clone())
    }

    fn timer_state(&self, id: &UnitName) -> TimerState {
        self.units
            .unit(id)
            .map(|u| TimerState::of(u.sub))
            .unwrap_or(TimerState::Dead)
    }

    fn stamp_path_of(&self, id: &UnitName) -> Option<Utf8PathBuf> {
        let vars = &self.opts.env.vars;
        let home = vars.get("HOME").map(String::as_str);
        let xdg = vars.get("XDG_DATA_HOME").map(String::as_str);
        stamp_path(self.opts.scope, home, xdg, id.as_str())
    }

    /// Runs a start job on a timer (`timer_start()`, after the generic checks of `start_unit`).
    pub(crate) fn timer_start(&mut self, fs: &MemFs, id: &UnitName, job: u32) {
        if !self.timer_start_allowed(id) {
            self.unit_log(id, 4, format!("{id}: Start request repeated too quickly."));
            self.timer_enter_dead(id, UnitResult::StartLimitHit);
            return;
        }
        let trigger = self.trigger_of(id);
        let refusal = match &trigger {
            None => Some(format!("{id}: Refusing to start, no unit to trigger.")),
            Some(t) => {
                let loaded = self
                    .units
                    .unit(t)
                    .is_some_and(|x| x.load_state() == LoadState::Loaded);
                (!loaded)
                    .then(|| format!("{id}: Refusing to start, unit {t} to trigger not loaded."))
            }
        };
        if let Some(msg) = refusal {
            self.journal(Some(id), 3, msg, None, None, Vec::new());
            self.finish_job(job, JobResult::Failed, false);
            return;
        }
        let Some(u) = self.units.unit(id) else {
            return;
        };
        let mut cfg = self.timer_config(fs, u);
        self.timers.number_calendars(&mut cfg);
        let cfg = Arc::new(cfg);
        for w in &cfg.warnings {
            self.journal(Some(id), 4, w.clone(), None, None, Vec::new());
        }
        let now_rt = self.clock.realtime();
        let stamp = cfg.persistent.then(|| self.stamp_path_of(id)).flatten();
        let mut last_rt = 0;
        if let Some(path) = &stamp {
            match fs.read(path, 64) {
                Ok(bytes) => {
                    let t = String::from_utf8_lossy(&bytes)
                        .trim()
                        .parse::<Usec>()
                        .unwrap_or(0);
                    if t < now_rt {
                        last_rt = t;
                    } else {
                        let when = super::timefmt::format_timestamp(t);
                        self.unit_log(id, 4, format!("{id}: Not using persistent file timestamp {when} as it is in the future."));
                    }
                }
                Err(_) => write_stamp(fs, path, now_rt),
            }
        }
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        let old = u.timer.take();
        let armed = old.as_ref().and_then(|o| o.armed);
        let rt = match old {
            // The same values: keep the disabled one-time values (systemd keeps the unit object).
            Some(mut old) if old.cfg.values.len() == cfg.values.len() => {
                old.cfg = cfg;
                old
            }
            _ => {
                let mut rt = Box::new(TimerRt::new(cfg));
                rt.armed = armed;
                rt
            }
        };
        let mut rt = rt;
        rt.last_trigger = (last_rt, 0);
        for (i, v) in rt.cfg.values.iter().enumerate() {
            if v.base == Base::Active {
                rt.disabled[i] = false;
            }
        }
        u.timer = Some(rt);
        u.result = UnitResult::Success;
        self.timer_enter_waiting(id, false);
    }

    /// `timer_can_start()`: the unit's start rate limit (`StartLimitIntervalSec=`,
    /// `StartLimitBurst=`); false when it is hit.
    fn timer_start_allowed(&mut self, id: &UnitName) -> bool {
        let now = self.clock.monotonic;
        let Some(u) = self.units.unit_mut(id) else {
            return false;
        };
        u.start_limit_test(now)
    }

    /// Runs a stop job on a timer.
    pub(crate) fn timer_stop(&mut self, id: &UnitName) {
        self.timer_enter_dead(id, UnitResult::Success);
    }

    fn timer_set_state(&mut self, id: &UnitName, state: TimerState) {
        if state != TimerState::Waiting {
            self.timer_disarm(id);
            if let Some(rt) = self.units.unit_mut(id).and_then(|u| u.timer.as_mut()) {
                rt.next_mono = USEC_INFINITY;
                rt.next_rt = USEC_INFINITY;
            }
        }
        self.set_sub(id, state.sub());
    }

    fn timer_enter_dead(&mut self, id: &UnitName, f: UnitResult) {
        let Some(result) = self.settle_result(id, f) else {
            return;
        };
        if result == UnitResult::Success {
            self.timer_set_state(id, TimerState::Dead);
        } else {
            self.timer_set_state(id, TimerState::Failed);
        }
    }

    fn timer_enter_elapsed(&mut self, id: &UnitName, leave_around: bool) {
        let remain = self
            .units
            .unit(id)
            .and_then(|u| u.timer.as_ref())
            .is_some_and(|rt| rt.cfg.remain_after_elapse);
        if remain || leave_around {
            self.timer_set_state(id, TimerState::Elapsed);
        } else {
            self.timer_enter_dead(id, UnitResult::Success);
        }
    }

    /// `timer_enter_waiting()`: computes the next elapses and arms the wake-ups.
    pub(crate) fn timer_enter_waiting(&mut self, id: &UnitName, time_change: bool) {
        self.timer_enter_waiting_ext(id, time_change, false);
    }

    /// [`timer_enter_waiting`](Self::timer_enter_waiting); `coldplug` computes as for a timer
    /// that is not active yet, as systemd 252 does when it re-enters `waiting` after a
    /// daemon-reload (the unit's state is still `dead` then): `OnActiveSec=` and calendar values
    /// count from the reload (seen on a real 252.38 user manager: a 3 s `OnActiveSec=` timer
    /// reloaded after 3 s elapsed 3 s after the reload).
    fn timer_enter_waiting_ext(&mut self, id: &UnitName, time_change: bool, coldplug: bool) {
        let Some(trigger) = self.trigger_of(id) else {
            self.unit_log(id, 3, format!("{id}: Unit to trigger vanished."));
            self.timer_enter_dead(id, UnitResult::Resources);
            return;
        };
        let now_mono = self.clock.monotonic;
        let now_rt = self.clock.realtime();
        let boot_rt = self.clock.boot_realtime;
        let userspace = self.timers.userspace;
        let (t_exit, t_enter) = self
            .units
            .unit(&trigger)
            .map(|t| (t.stamps.inactive_exit, t.stamps.inactive_enter))
            .unwrap_or((None, None));
        let Some(u) = self.units.unit_mut(id) else {
            return;
        };
        let state = TimerState::of(u.sub);
        let is_active = !coldplug
            && matches!(
                state,
                TimerState::Waiting | TimerState::Running | TimerState::Elapsed
            );
        let inactive_exit = u.stamps.inactive_exit;
        let Some(rt) = u.timer.as_mut() else {
            return;
        };
        let cfg = rt.cfg.clone();
        let trigger_set = rt.last_trigger.0 > 0 || rt.last_trigger.1 > 0;
        let (mut found_mono, mut found_rt, mut leave_around) = (false, false, false);
        rt.next_mono = 0;
        rt.next_rt = 0;
        for (i, v) in cfg.values.iter().enumerate() {
            if rt.disabled[i] {
                continue;
            }
            if v.calendar.is_some() {
                // From the last trigger, else from the timer's activation while it is active;
                // a timer that starts (or is reloaded) counts from now, even if an earlier
                // activation of it is on record: a real 252.38 manager did not catch up a
                // stopped (non-persistent) timer's missed elapse at its next start.
                let b = if trigger_set {
                    rt.last_trigger.0
                } else if let Some(x) = inactive_exit.filter(|_| is_active) {
                    boot_rt + x
                } else {
                    now_rt
                };
                let Ok(Some(mut next)) = self.timers.calendar_memo.next_elapse(&cfg, i, b) else {
                    continue;
                };
                let rebased = boot_rt + userspace;
                if next < rebased {
                    next = rebased;
                }
                rt.value_next[i] = next;
                rt.next_rt = if found_rt { rt.next_rt.min(next) } else { next };
                found_rt = true;
                continue;
            }
            let base = match v.base {
                Base::Active => {
                    if is_active {
                        inactive_exit.unwrap_or(now_mono)
                    } else {
                        now_mono
                    }
                }
                Base::Boot => 0,
                Base::Startup => userspace,
                Base::UnitActive | Base::UnitInactive => {
                    leave_around = true;
                    let t = if v.base == Base::UnitActive {
                        t_exit
                    } else {
                        t_enter
                    };
                    if t.is_none() && rt.last_trigger.1 == 0 {
                        continue;
                    }
                    t.unwrap_or(0).max(rt.last_trigger.1)
                }
                Base::Calendar => continue,
            };
            let next = base.saturating_add(v.value);
            rt.value_next[i] = next;
            // A value that fired at this very instant counts as passed: the unit it started
            // failed in zero time (a start-limited service), which takes a little time on a
            // real manager, where the value is then in the past (else it fires forever).
            let fired_now =
                state == TimerState::Running && next == now_mono && rt.last_trigger.1 >= next;
            if trigger_set
                && !time_change
                && (next < now_mono || fired_now)
                && matches!(v.base, Base::Active | Base::Boot | Base::Startup)
            {
                rt.disabled[i] = true;
                continue;
            }
            rt.next_mono = if found_mono {
                rt.next_mono.min(next)
            } else {
                next
            };
            found_mono = true;
        }
        if !found_mono && !found_rt && !cfg.on_clock_change && !cfg.on_timezone_change {
            self.timer_enter_elapsed(id, leave_around);
            return;
        }
        let fixed = cfg.fixed_random_delay.then(|| {
            elapse::fixed_delay_hash(
                self.timers.machine_id,
                self.opts.scope == Scope::System,
                self.opts.uid,
                id.as_str(),
            )
        });
        let mut draw = || fixed.unwrap_or_else(|| self.timers.rng.next_u64());
        let (mut next_mono, mut next_rt) = (None, None);
        if found_mono {
            let d = if cfg.random > 0 { draw() } else { 0 };
            next_mono = Some(d);
        }
        if found_rt {
            let d = if cfg.random > 0 { draw() } else { 0 };
            next_rt = Some(d);
        }
        let Some(rt) = self.units.unit_mut(id).and_then(|u| u.timer.as_mut()) else {
            return;
        };
        if let Some(d) = next_mono {
            rt.next_mono = elapse::add_random(rt.next_mono, cfg.random, d);
        }
        if let Some(d) = next_rt {
            rt.next_rt = elapse::add_random(rt.next_rt, cfg.random, d);
        }
        let (nm, nr) = (rt.next_mono, rt.next_rt);
        self.timer_disarm(id);
        let mut keys = (None, None);
        if found_mono {
            let k = self.timers.next_key;
            self.timers.next_key += 1;
            keys.0 = Some(self.timers.mono.insert(k, nm, cfg.accuracy, id.clone()));
        }
        if found_rt {
            let k = self.timers.next_key;
            self.timers.next_key += 1;
            keys.1 = Some(self.timers.rt.insert(k, nr, cfg.accuracy, id.clone()));
        }
        if let Some(rt) = self.units.unit_mut(id).and_then(|u| u.timer.as_mut()) {
            rt.armed = Some(keys);
        }
        self.timers_rearm();
        self.set_sub(id, TimerState::Waiting.sub());
    }

    fn timer_disarm(&mut self, id: &UnitName) {
        if self.forget_armed(id) {
            self.timers_rearm();
        }
    }

    /// Takes the timer `id` out of both clocks' queues; false when it was not armed.
    fn forget_armed(&mut self, id: &UnitName) -> bool {
        let armed = self
            .units
            .unit_mut(id)
            .and_then(|u| u.timer.as_mut())
            .and_then(|rt| rt.armed.take());
        let Some((m, r)) = armed else {
            return false;
        };
        if let Some(k) = m {
            self.timers.mono.remove(k);
        }
        if let Some(k) = r {
            self.timers.rt.remove(k);
        }
        true
    }

    /// Schedules the next wake-up of the timer clocks (if it moved).
    fn timers_rearm(&mut self) {
        let p = self.timers.perturb;
        let boot_rt = self.clock.boot_realtime;
        let m = self.timers.mono.wake(p);
        let r = self.timers.rt.wake(p).map(|t| t.saturating_sub(boot_rt));
        let at = match (m, r) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let at = at.map(|t| t.max(self.clock.monotonic));
        if at == self.timers.wake_at {
            return;
        }
        self.timers.wake_at = at;
        self.timers.wake_gen += 1;
        if let Some(t) = at {
            let gen = self.timers.wake_gen;
            self.schedule(t, Event::TimerWake { gen });
        }
    }

    /// The wake-up of the timer clocks: dispatches every timer that is due.
    pub(super) fn timers_wake(&mut self, fs: &MemFs, gen: u64) {
        if gen != self.timers.wake_gen {
            return;
        }
        self.timers.wake_at = None;
        let now_rt = self.clock.realtime();
        let now_mono = self.clock.monotonic;
        let mut due = Vec::new();
        self.timers.rt.take_due(now_rt, &mut due);
        self.timers.mono.take_due(now_mono, &mut due);
        for id in &due {
            // The entry of the clock that fired is gone; forget both (re-armed on waiting).
            self.forget_armed(id);
        }
        for id in due {
            if self.timer_state(&id) == TimerState::Waiting {
                self.timer_enter_running(fs, &id);
            }
        }
        self.timers_rearm();
    }

    /// `timer_enter_running()`: queues the start job of the triggered unit.
    fn timer_enter_running(&mut self, fs: &MemFs, id: &UnitName) {
        let stopping = self
            .units
            .unit(id)
            .and_then(|u| u.job)
            .and_then(|j| self.jobs.get(&j))
            .is_some_and(|j| j.kind == super::JobType::Stop);
        if stopping {
            return;
        }
        let Some(trigger) = self.trigger_of(id) else {
            self.unit_log(id, 3, format!("{id}: Unit to trigger vanished."));
            self.timer_enter_dead(id, UnitResult::Resources);
            return;
        };
        if let Err(e) = self.enqueue(
            fs,
            &trigger,
            super::jobs::Request::Start,
            super::jobs::Mode::Replace,
        ) {
            self.unit_log(
                id,
                4,
                format!("{id}: Failed to queue unit startup job: {}", e.message),
            );
            self.timer_enter_dead(id, UnitResult::Resources);
            return;
        }
        let now = (self.clock.realtime(), self.clock.monotonic);
        let system = self.opts.scope == Scope::System;
        let persistent = match self.units.unit_mut(id).and_then(|u| u.timer.as_mut()) {
            Some(rt) => {
                rt.last_trigger = now;
                if rt.cfg.persistent && system {
                    let p = rt.system_stamp.get_or_insert_with(|| {
                        stamp_path(Scope::System, None, None, id.as_str())
                            .expect("a system manager's stamps have a path")
                    });
                    write_stamp(fs, p, now.0);
                }
                rt.cfg.persistent && !system
            }
            None => false,
        };
        if persistent {
            if let Some(p) = self.stamp_path_of(id) {
                write_stamp(fs, &p, now.0);
            }
        }
        self.timer_set_state(id, TimerState::Running);
    }

    /// `unit_trigger_notify()` for timers: a unit changed state, so the timers that trigger it
    /// recompute their elapses (`timer_trigger_notify()`).
    pub(crate) fn notify_timers(&mut self, changed: &UnitName) {
        let Some(u) = self.units.unit(changed) else {
            return;
        };
        let mut timers = u
            .node
            .deps_of(DepKind::TriggeredBy)
            .filter(|(n, _)| super::triggers::is_timer(n))
            .peekable();
        let Some((first, _)) = timers.next() else {
            return;
        };
        // Mostly one timer: the others' list stays empty (allocates nothing).
        let first = first.clone();
        let others: Vec<UnitName> = timers.map(|(n, _)| n.clone()).collect();
        let inactive = u.active().is_inactive_or_failed();
        for t in std::iter::once(first).chain(others) {
            let Some(tu) = self.units.unit_mut(&t) else {
                continue;
            };
            if let Some(rt) = tu.timer.as_mut() {
                for (i, v) in rt.cfg.values.iter().enumerate() {
                    if matches!(v.base, Base::UnitActive | Base::UnitInactive) {
                        rt.disabled[i] = false;
                    }
                }
            }
            match TimerState::of(tu.sub) {
                TimerState::Waiting | TimerState::Elapsed => self.timer_enter_waiting(&t, false),
                TimerState::Running if inactive => self.timer_enter_waiting(&t, false),
                _ => {}
            }
        }
    }

    /// After daemon-reload: timers re-read their values and recompute their elapses
    /// (systemd re-creates the units and re-enters `waiting` on coldplug).
    pub(super) fn timers_reloaded(&mut self, fs: &MemFs) {
        let ids: Vec<UnitName> = self
            .units
            .map
            .values()
            .filter(|u| u.unit_type() == UnitType::Timer && u.timer.is_some())
            .map(|u| u.id().clone())
            .collect();
        for id in ids {
            let Some(u) = self.units.unit(&id) else {
                continue;
            };
            let mut cfg = self.timer_config(fs, u);
            let state = TimerState::of(u.sub);
            self.timers.number_calendars(&mut cfg);
            let cfg = Arc::new(cfg);
            let Some(u) = self.units.unit_mut(&id) else {
                continue;
            };
            if let Some(rt) = u.timer.as_mut() {
                let (last, armed) = (rt.last_trigger, rt.armed);
                **rt = TimerRt::new(cfg);
                rt.last_trigger = last;
                rt.armed = armed;
            }
            if state == TimerState::Waiting {
                self.timer_enter_waiting_ext(&id, false, true);
            }
        }
    }
}

/// Writes a stamp file (and its directories).
///
/// The file is written first and its directories made only when that fails: a write that fails
/// changes nothing, and making directories that all exist changes nothing either, so this is
/// the same as making the directories first, without walking the path twice every time.
fn write_stamp(fs: &MemFs, path: &camino::Utf8Path, realtime: Usec) {
    // `format!("{realtime}\n")` without the formatting machinery.
    let mut buf = [0u8; 21];
    let mut at = buf.len() - 1;
    buf[at] = b'\n';
    let mut v = realtime;
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let text = &buf[at..];
    debug_assert_eq!(text, format!("{realtime}\n").as_bytes());
    if fs.write_atomic(path, text).is_ok() {
        return;
    }
    if let Some(dir) = path.parent() {
        let _ = fs.create_dir_all(dir);
    }
    let _ = fs.write_atomic(path, text);
}
