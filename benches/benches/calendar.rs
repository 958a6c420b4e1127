//! OnCalendar= next-elapse computation (`CalendarSpec::next_elapse`): one call, from a fixed
//! base, for typical specs in UTC, in Europe/Berlin (TZif rules, glibc `mktime` model) and with a
//! named zone. The target of issue 6 is ≤ 2 µs per call.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use unitlab_engine::time::calendar::CalendarSpec;
use unitlab_engine::time::zone::{Zone, ZoneMap};

/// Tue 2026-11-24 12:00:00 UTC in µs.
const BASE: u64 = 1_795_521_600_000_000;

const SPECS: &[&str] = &[
    "daily",
    "hourly",
    "Mon..Fri *-*-* 10:00",
    "*:0/5",
    "Sun *-*-1..7 1:00:00",
    "*-*~1 23:59",
    "*-02-29 12:00",
    "quarterly",
];

fn zone(name: &str) -> Option<Zone> {
    let bytes = std::fs::read(format!("/usr/share/zoneinfo/{name}")).ok()?;
    Zone::from_tzif(name, &bytes).ok()
}

fn bench_next_elapse(c: &mut Criterion) {
    let mut group = c.benchmark_group("calendar-next-elapse");
    let mut zones = ZoneMap::new();
    let mut locals = vec![("UTC", Zone::utc())];
    if let Some(berlin) = zone("Europe/Berlin") {
        zones.insert(berlin.clone());
        locals.push(("Europe/Berlin", berlin));
    }
    for (label, local) in &locals {
        for text in SPECS {
            let spec = CalendarSpec::parse(text, local, &zones).expect("valid spec");
            group.bench_with_input(BenchmarkId::new(*label, text), &spec, |b, spec| {
                b.iter(|| spec.next_elapse(black_box(BASE), local))
            });
        }
    }
    if zones.zone_names().any(|n| n == "Europe/Berlin") {
        let spec = CalendarSpec::parse("Mon..Fri 10:00 Europe/Berlin", &Zone::utc(), &zones)
            .expect("valid spec");
        group.bench_function("named-zone/Mon..Fri 10:00 Europe/Berlin", |b| {
            b.iter(|| spec.next_elapse(black_box(BASE), &Zone::utc()))
        });
    }
    group.finish();

    // A year of a daily timer: 365 chained calls, as a simulator advancing through time does.
    let spec = CalendarSpec::parse("daily", &Zone::utc(), &zones).expect("valid spec");
    c.bench_function("calendar-daily-year-chain/UTC", |b| {
        b.iter(|| {
            let mut t = BASE;
            for _ in 0..365 {
                t = spec
                    .next_elapse(t, &Zone::utc())
                    .ok()
                    .flatten()
                    .unwrap_or(t);
            }
            t
        })
    });
}

criterion_group!(benches, bench_next_elapse);
criterion_main!(benches);
