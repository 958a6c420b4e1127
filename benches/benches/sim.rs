//! The simulator's runtime manager (issue 5 speed targets): booting a system of 10,000 services
//! to `multi-user.target`, and the event throughput of a busy machine (1,000 services that exit
//! and are restarted every few seconds: every exit and every restart timer is one event), and
//! replaying every scenario of `sim/scenarios/` (each on a fresh machine, as `unitlab replay`
//! does).
use criterion::{criterion_group, Criterion, Throughput};
use unitlab_engine::fs::MemFs;
use unitlab_engine::load::Scope;
use unitlab_sim::machine::Machine;
use unitlab_sim::manager::{Clock, Journal, Manager, World};
use unitlab_sim::scenario;

const TARGETS: &[(&str, &str)] = &[
    ("multi-user.target", "[Unit]\nDescription=Multi-User System\nRequires=basic.target\nConflicts=rescue.service rescue.target\nAfter=basic.target rescue.service rescue.target\nAllowIsolate=yes\n"),
    ("basic.target", "[Unit]\nDescription=Basic System\nRequires=sysinit.target\nWants=sockets.target timers.target paths.target slices.target\nAfter=sysinit.target sockets.target paths.target slices.target tmp.mount\n"),
    ("sysinit.target", "[Unit]\nDescription=System Initialization\nDefaultDependencies=no\nConflicts=emergency.service emergency.target\nAfter=local-fs.target swap.target emergency.service emergency.target\n"),
    ("sockets.target", "[Unit]\nDescription=Sockets\n"),
    ("timers.target", "[Unit]\nDescription=Timers\nDefaultDependencies=no\nConflicts=shutdown.target\n"),
    ("paths.target", "[Unit]\nDescription=Path Units\n"),
    ("slices.target", "[Unit]\nDescription=Slice Units\nWants=-.slice system.slice\nAfter=-.slice system.slice\n"),
    ("local-fs.target", "[Unit]\nDescription=Local File Systems\nDefaultDependencies=no\n"),
    ("swap.target", "[Unit]\nDescription=Swaps\n"),
    ("shutdown.target", "[Unit]\nDescription=System Shutdown\nDefaultDependencies=no\nRefuseManualStart=yes\n"),
    ("system.slice", "[Unit]\nDescription=System Slice\nDefaultDependencies=no\nBefore=slices.target\nRequires=-.slice\nAfter=-.slice\n"),
];

/// A system with `n` services wanted by multi-user.target (`default.target` is multi-user).
fn system(n: usize, service: &str) -> MemFs {
    let fs = MemFs::new();
    for (name, text) in TARGETS {
        fs.add_file(format!("/lib/systemd/system/{name}"), *text)
            .expect("target");
    }
    fs.add_symlink("/lib/systemd/system/default.target", "multi-user.target")
        .expect("default.target");
    for i in 0..n {
        fs.add_file(format!("/lib/systemd/system/s{i}.service"), service)
            .expect("service");
        fs.add_symlink(
            format!("/etc/systemd/system/multi-user.target.wants/s{i}.service"),
            format!("/lib/systemd/system/s{i}.service"),
        )
        .expect("wants link");
    }
    fs
}

fn boot(fs: &mut MemFs) -> Manager {
    let mut clock = Clock::new(1_795_524_451_000_000);
    let mut journal = Journal::default();
    let mut m = Manager::new(Scope::System);
    m.set_invariant_checks(false);
    let mut w = World {
        fs,
        clock: &mut clock,
        journal: &mut journal,
    };
    m.boot(&mut w);
    m
}

fn boot_10k(c: &mut Criterion) {
    let mut fs = system(
        10_000,
        "[Unit]\nDescription=A service\n[Service]\nExecStart=/opt/app/bin/daemon --foreground\n",
    );
    let m = boot(&mut fs);
    assert_eq!(m.active_state("multi-user.target").as_str(), "active");
    let mut group = c.benchmark_group("sim-boot");
    group.sample_size(10);
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("10000-services-to-multi-user", |b| b.iter(|| boot(&mut fs)));
    group.finish();
}

fn events(c: &mut Criterion) {
    let mut fs = system(
        1_000,
        "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sleep 1\nRestart=always\nRestartSec=1\n",
    );
    let run = |fs: &mut MemFs| {
        let mut clock = Clock::new(1_795_524_451_000_000);
        let mut journal = Journal::default();
        let mut m = Manager::new(Scope::System);
        m.set_invariant_checks(false);
        let mut w = World {
            fs,
            clock: &mut clock,
            journal: &mut journal,
        };
        m.boot(&mut w);
        let before = m.events_processed();
        m.run_until(&mut w, 100_000_000);
        m.events_processed() - before
    };
    let n = run(&mut fs);
    let mut group = c.benchmark_group("sim-events");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n));
    group.bench_function("1000-restarting-services-100s", |b| b.iter(|| run(&mut fs)));
    group.finish();
}

fn replay_directory(c: &mut Criterion) {
    let dir = camino::Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sim/scenarios");
    let mut files: Vec<camino::Utf8PathBuf> = std::fs::read_dir(&dir)
        .expect("sim/scenarios exists")
        .filter_map(|e| camino::Utf8PathBuf::from_path_buf(e.ok()?.path()).ok())
        .filter(|p| p.extension() == Some("md") && p.file_name() != Some("README.md"))
        .collect();
    files.sort();
    let scenarios: Vec<scenario::Scenario> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("read scenario");
            scenario::parse(f, &text).expect("scenario parses")
        })
        .collect();
    let run = || {
        let mut ok = 0;
        for sc in &scenarios {
            let report = scenario::run(sc, &mut Machine::new(sc.settings.clone()));
            ok += usize::from(report.ok());
        }
        ok
    };
    assert_eq!(run(), scenarios.len(), "every scenario replays");
    let mut group = c.benchmark_group("sim-replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(scenarios.len() as u64));
    group.bench_function("scenario-directory", |b| b.iter(run));
    group.finish();
}

/// `UNITLAB_BENCH_ONCE=1`: one untimed run of the boot and the events workloads, printing the
/// thread's CPU time for each (and for the manager's drop) instead of running criterion;
/// `UNITLAB_BENCH_ONCE=boot` or `=events` runs only that one (for profilers).
fn once(what: &str) {
    if what != "events" {
        once_boot();
    }
    if what != "boot" {
        once_events();
    }
}

fn once_boot() {
    let mut fs = system(
        10_000,
        "[Unit]\nDescription=A service\n[Service]\nExecStart=/opt/app/bin/daemon --foreground\n",
    );
    let t0 = unitlab_benches::thread_cpu_ns();
    let m = boot(&mut fs);
    let t1 = unitlab_benches::thread_cpu_ns();
    drop(m);
    let t2 = unitlab_benches::thread_cpu_ns();
    eprintln!(
        "sim-boot: 10,000 services: {:.1} ms CPU ({:.1} ms with the drop)",
        (t1 - t0) as f64 / 1e6,
        (t2 - t0) as f64 / 1e6
    );
}

fn once_events() {
    let mut fs = system(
        1_000,
        "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sleep 1\nRestart=always\nRestartSec=1\n",
    );
    let mut clock = Clock::new(1_795_524_451_000_000);
    let mut journal = Journal::default();
    let t0 = unitlab_benches::thread_cpu_ns();
    let mut m = Manager::new(Scope::System);
    m.set_invariant_checks(false);
    let mut w = World {
        fs: &mut fs,
        clock: &mut clock,
        journal: &mut journal,
    };
    m.boot(&mut w);
    let before = m.events_processed();
    m.run_until(&mut w, 100_000_000);
    let n = m.events_processed() - before;
    drop(m);
    let t1 = unitlab_benches::thread_cpu_ns();
    let s = (t1 - t0) as f64 / 1e9;
    eprintln!(
        "sim-events: {n} events in {:.3} s CPU (boot and drop included): {:.0} events/s",
        s,
        n as f64 / s
    );
}

criterion_group!(benches, boot_10k, events, replay_directory);

fn main() {
    if let Ok(what) = std::env::var("UNITLAB_BENCH_ONCE") {
        if !what.is_empty() && what != "0" {
            once(&what);
            return;
        }
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
