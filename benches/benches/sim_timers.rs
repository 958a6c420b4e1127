//! Timer units in the simulator (issue 6 speed target): one year of a machine with 1,000 timers,
//! mixed calendar and monotonic ones as a real machine has them (daily, weekly and monthly jobs,
//! a few hourly ones, `OnBootSec=`+`OnUnitActiveSec=` and `OnUnitInactiveSec=` repeaters, some
//! with `RandomizedDelaySec=`, `Persistent=` or the default one-minute accuracy), each starting a
//! oneshot service. Every elapse queues a start job, runs the service and recomputes the timer.
//! The year is simulated in monthly steps, dropping the journal between them (it would hold
//! millions of lines).
//!
//! `UNITLAB_BENCH_TIMERS` and `UNITLAB_BENCH_DAYS` change the size (default 1,000 and 365);
//! `UNITLAB_BENCH_ONCE=1` makes only the one untimed run (printed on stderr) and skips criterion.
//! `UNITLAB_BENCH_DIGEST=1` (with `UNITLAB_BENCH_ONCE=1`) also prints a digest of everything the
//! run made observable (every journal entry, the timers' schedules, the units' states, the
//! `Persistent=` stamp files), to compare two builds of the manager on the same year.
use camino::Utf8Path;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hash::{DefaultHasher, Hash, Hasher};
use unitlab_engine::fs::FileSystem;
use unitlab_engine::fs::MemFs;
use unitlab_engine::load::Scope;
use unitlab_sim::manager::{Clock, Journal, Manager, World};

const TARGETS: &[(&str, &str)] = &[
    ("multi-user.target", "[Unit]\nDescription=Multi-User System\nRequires=basic.target\nAfter=basic.target\nAllowIsolate=yes\n"),
    ("basic.target", "[Unit]\nDescription=Basic System\nRequires=sysinit.target\nWants=timers.target\nAfter=sysinit.target\n"),
    ("sysinit.target", "[Unit]\nDescription=System Initialization\nDefaultDependencies=no\n"),
    ("timers.target", "[Unit]\nDescription=Timers\nDefaultDependencies=no\nConflicts=shutdown.target\n"),
    ("time-set.target", "[Unit]\nDescription=System Time Set\n"),
    ("time-sync.target", "[Unit]\nDescription=System Time Synchronized\n"),
    ("shutdown.target", "[Unit]\nDescription=System Shutdown\nDefaultDependencies=no\nRefuseManualStart=yes\n"),
    ("system.slice", "[Unit]\nDescription=System Slice\nDefaultDependencies=no\n"),
];

/// The `[Timer]` section of timer `i` (the mix of a year's machine).
fn timer_section(i: usize) -> &'static str {
    match i % 50 {
        0 => "OnCalendar=hourly\n",
        1..=20 => "OnCalendar=daily\nPersistent=yes\n",
        21..=27 => "OnCalendar=*-*-* 03:10:00\nRandomizedDelaySec=1h\n",
        28..=33 => "OnCalendar=weekly\nPersistent=yes\n",
        34..=36 => "OnCalendar=monthly\n",
        37..=39 => "OnCalendar=Mon..Fri 09:00\nAccuracySec=1s\n",
        40..=45 => "OnBootSec=15min\nOnUnitActiveSec=1d\nRandomizedDelaySec=30min\n",
        _ => "OnBootSec=5min\nOnUnitInactiveSec=12h\n",
    }
}

fn machine(n: usize) -> MemFs {
    let fs = MemFs::new();
    for (name, text) in TARGETS {
        fs.add_file(format!("/lib/systemd/system/{name}"), *text)
            .expect("target");
    }
    fs.add_symlink("/lib/systemd/system/default.target", "multi-user.target")
        .expect("default.target");
    for i in 0..n {
        fs.add_file(
            format!("/lib/systemd/system/t{i}.timer"),
            format!(
                "[Timer]\n{}\n[Install]\nWantedBy=timers.target\n",
                timer_section(i)
            ),
        )
        .expect("timer");
        fs.add_file(
            format!("/lib/systemd/system/t{i}.service"),
            "[Service]\nType=oneshot\nExecStart=/bin/true\n",
        )
        .expect("service");
        fs.add_symlink(
            format!("/etc/systemd/system/timers.target.wants/t{i}.timer"),
            format!("/lib/systemd/system/t{i}.timer"),
        )
        .expect("wants link");
    }
    fs
}

const DAY: u64 = 86_400_000_000;

/// Boots the machine and runs `days` days; returns the events processed.
fn run(fs: &mut MemFs, days: u64) -> u64 {
    run_digest(fs, days, None)
}

/// Feeds a journal entry's fields into `h`.
fn digest_entry(h: &mut impl Hasher, e: &unitlab_sim::manager::JournalEntry) {
    (e.boot, e.realtime, e.monotonic, e.user, e.pid, e.priority).hash(h);
    e.identifier.hash(h);
    e.unit.as_ref().map(|u| u.as_str()).hash(h);
    e.message.text().hash(h);
    (e.message_id, e.job, &e.fields).hash(h);
}

/// [`run`], feeding what the run makes observable into `digest` when given.
fn run_digest(fs: &mut MemFs, days: u64, mut digest: Option<&mut DefaultHasher>) -> u64 {
    let mut clock = Clock::new(1_795_524_451_000_000);
    let mut journal = Journal::default();
    let mut m = Manager::new(Scope::System);
    m.set_invariant_checks(false);
    m.set_seed(1);
    let mut w = World {
        fs,
        clock: &mut clock,
        journal: &mut journal,
    };
    m.boot(&mut w);
    let mut t = 0;
    while t < days {
        let step = (days - t).min(30);
        t += step;
        m.run_until(&mut w, t * DAY);
        if let Some(h) = digest.as_deref_mut() {
            for e in &w.journal.entries {
                digest_entry(h, e);
            }
        }
        w.journal.entries.clear();
    }
    if let Some(h) = digest {
        for name in m.loaded_units() {
            (
                &name,
                format!("{:?}", m.active_state(&name)),
                m.sub_state(&name),
            )
                .hash(h);
            format!("{:?}", m.timer_info(&name)).hash(h);
        }
        format!("{:?}", m.jobs()).hash(h);
        let mut stamps = 0;
        if let Ok(entries) = w.fs.read_dir(Utf8Path::new("/var/lib/systemd/timers")) {
            for e in entries {
                let p = format!("/var/lib/systemd/timers/{}", e.name);
                if let Ok(text) = w.fs.read(Utf8Path::new(&p), 1 << 16) {
                    (&p, text).hash(h);
                    stamps += 1;
                }
            }
        }
        eprintln!("digest: {:016x} ({stamps} stamp files)", h.finish());
    }
    m.events_processed()
}

fn one_year(c: &mut Criterion) {
    let n: usize = std::env::var("UNITLAB_BENCH_TIMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let days: u64 = std::env::var("UNITLAB_BENCH_DAYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(365);
    let mut fs = machine(n);
    let start = std::time::Instant::now();
    let cpu = unitlab_benches::thread_cpu_ns();
    let mut digest = std::env::var("UNITLAB_BENCH_DIGEST")
        .is_ok_and(|v| v == "1")
        .then(DefaultHasher::new);
    let events = run_digest(&mut fs, days, digest.as_mut());
    eprintln!(
        "sim-timers: {n} timers, {days} days: {events} events in {:.2?}, {:.3} s CPU (one untimed run)",
        start.elapsed(),
        (unitlab_benches::thread_cpu_ns() - cpu) as f64 / 1e9
    );
    if std::env::var("UNITLAB_BENCH_ONCE").is_ok_and(|v| v == "1") {
        // The untimed run only (a year takes minutes with the current manager core).
        return;
    }
    let mut group = c.benchmark_group("sim-timers");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function(format!("{n}-timers-{days}-days"), |b| {
        b.iter(|| run(&mut fs, days))
    });
    group.finish();
}

criterion_group!(benches, one_year);
criterion_main!(benches);
