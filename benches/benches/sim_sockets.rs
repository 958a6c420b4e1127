//! Socket activation in the simulator (issue 6 speed target: 100,000 socket connections
//! ≤ 1 s). A user manager with two sockets: `Accept=no` in front of a daemon (every connection
//! goes to the running service), and `Accept=yes` (every connection makes, starts, finishes and
//! garbage-collects an instance of `echo@.service`; the clock moves 2 ms after each so that the
//! instance, a `/bin/true`, has ended). Each iteration makes 100,000 connections through
//! `Manager::connect`, as the machine's `connect` command does.
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use unitlab_engine::fs::MemFs;
use unitlab_engine::load::Scope;
use unitlab_sim::manager::{Address, Clock, Journal, Manager, World};

const N: u64 = 100_000;
const DIR: &str = "/home/user/.config/systemd/user";

fn machine() -> (MemFs, Clock, Journal, Manager) {
    let mut fs = MemFs::new();
    let files = [
        ("daemon.socket", "[Socket]\nListenStream=%t/daemon.sock\n"),
        (
            "daemon.service",
            "[Service]\nExecStart=/opt/app/bin/daemon\n",
        ),
        (
            "echo.socket",
            "[Socket]\nListenStream=%t/echo.sock\nAccept=yes\nTriggerLimitBurst=0\n",
        ),
        ("echo@.service", "[Service]\nExecStart=/bin/true\n"),
        ("default.target", "[Unit]\nDescription=Main User Target\n"),
        ("app.slice", "[Unit]\nDescription=User Application Slice\n"),
        ("basic.target", "[Unit]\nDescription=Basic System\n"),
        ("sockets.target", "[Unit]\nDescription=Sockets\n"),
        (
            "shutdown.target",
            "[Unit]\nDescription=Shutdown\nDefaultDependencies=no\n",
        ),
    ];
    for (name, text) in files {
        fs.add_file(format!("{DIR}/{name}"), text)
            .expect("unit file");
    }
    fs.add_dir("/run/user/1000").expect("runtime dir");
    let mut clock = Clock::new(1_795_524_451_000_000);
    let mut journal = Journal::default();
    let mut m = Manager::new(Scope::User);
    m.set_invariant_checks(false);
    {
        let mut w = World {
            fs: &mut fs,
            clock: &mut clock,
            journal: &mut journal,
        };
        m.boot(&mut w);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let args = [
            "start".to_owned(),
            "daemon.socket".into(),
            "echo.socket".into(),
        ];
        assert_eq!(m.systemctl(&mut w, &args, &mut out, &mut err), 0);
    }
    (fs, clock, journal, m)
}

/// The workload: `N` connections to `addr`, the clock moved `advance` µs after each one (and the
/// jobs they queued run).
fn connect_n(m: &mut Manager, w: &mut World<'_>, addr: &Address, advance: u64) {
    for _ in 0..N {
        let r = m.connect(w, addr);
        assert_eq!(r, Some(Ok(())));
        if advance > 0 {
            let until = w.clock.monotonic + advance;
            m.run_until(w, until);
        }
    }
}

fn connections(c: &mut Criterion) {
    let mut group = c.benchmark_group("sim_sockets");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N));
    for (name, path, advance) in [
        ("accept_no_100k", "/run/user/1000/daemon.sock", 0),
        ("accept_yes_100k", "/run/user/1000/echo.sock", 2_000),
    ] {
        let addr = Address::Path(path.to_owned());
        group.bench_function(name, |b| {
            b.iter_batched(
                machine,
                |(mut fs, mut clock, mut journal, mut m)| {
                    let mut w = World {
                        fs: &mut fs,
                        clock: &mut clock,
                        journal: &mut journal,
                    };
                    connect_n(&mut m, &mut w, &addr, advance);
                    m
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// `UNITLAB_BENCH_ONCE=1`: one untimed run of each workload, printing the thread's CPU time
/// (the manager's drop included) instead of running criterion.
fn once() {
    for (name, path, advance) in [
        ("accept_no_100k", "/run/user/1000/daemon.sock", 0),
        ("accept_yes_100k", "/run/user/1000/echo.sock", 2_000),
    ] {
        let addr = Address::Path(path.to_owned());
        let (mut fs, mut clock, mut journal, mut m) = machine();
        let t0 = unitlab_benches::thread_cpu_ns();
        {
            let mut w = World {
                fs: &mut fs,
                clock: &mut clock,
                journal: &mut journal,
            };
            connect_n(&mut m, &mut w, &addr, advance);
        }
        drop(m);
        let t1 = unitlab_benches::thread_cpu_ns();
        eprintln!(
            "sim_sockets/{name}: {N} connections in {:.3} s CPU",
            (t1 - t0) as f64 / 1e9
        );
    }
}

criterion_group!(benches, connections);

fn main() {
    if std::env::var("UNITLAB_BENCH_ONCE").is_ok_and(|v| v == "1") {
        once();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
