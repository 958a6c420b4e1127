//! In-process cost of the install verbs of issue 3 on synthetic trees (`synth_tree`: 60% of the
//! units with `WantedBy=multi-user.target` and enabled, 10% with an alias, 5% masked) of 1k, 10k
//! and 100k units, from memory (`MemFs`) and from disk (`DirFs`, warm page cache):
//!
//! * `list-unit-files` (the whole listing with states and presets);
//! * `is-enabled` of one unit (an enabled one, and a static one, which needs every search
//!   directory's links read: systemd's "indirect" pass);
//! * `preset-all` (no preset files: every unit is enabled, most links exist already) on a fresh
//!   copy of the tree for each iteration (the copy is not timed).
//!
//! The whole-process figures, side by side with `systemctl --root`, come from
//! `scripts/bench-install` (see benches/README.md).
use camino::Utf8Path;
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use unitlab_benches::{synth_dirfs, synth_memfs, system_paths, TempTree};
use unitlab_engine::fs::{copy_tree, DirFs, FileSystem, MemFs};
use unitlab_engine::install::{
    is_enabled, list_unit_files, preset_all, ListFilter, Options, PresetMode,
};

fn opts() -> Options {
    Options {
        utf8: true,
        ..Options::default()
    }
}

fn list(fs: &dyn FileSystem) -> usize {
    list_unit_files(fs, &system_paths(), &ListFilter::default(), opts())
        .entries
        .len()
}

/// An enabled unit and a static one of the synthetic tree of `n` units.
fn probes(fs: &dyn FileSystem) -> (String, String) {
    let lp = system_paths();
    let wants = Utf8Path::new("/etc/systemd/system/multi-user.target.wants");
    let enabled = fs
        .read_dir(wants)
        .ok()
        .and_then(|v| v.into_iter().next())
        .map(|e| e.name)
        .unwrap_or_default();
    let mut stat = String::new();
    if let Ok(entries) = fs.read_dir(Utf8Path::new(unitlab_benches::VENDOR)) {
        for e in entries {
            if let (Ok(unitlab_engine::install::UnitFileState::Static), _) =
                is_enabled(fs, &lp, &e.name, opts())
            {
                if e.name.ends_with(".service") {
                    stat = e.name;
                    break;
                }
            }
        }
    }
    (enabled, stat)
}

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn bench_list(c: &mut Criterion) {
    let mut group = c.benchmark_group("install-list-mem");
    group.sample_size(10);
    for n in SIZES {
        let mut tree: Option<MemFs> = None;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            let fs = tree.get_or_insert_with(|| synth_memfs(n).0);
            b.iter(|| list(fs))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("install-list-disk");
    group.sample_size(10);
    for n in SIZES {
        let mut tree: Option<(TempTree, DirFs)> = None;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            let (_, fs) = tree.get_or_insert_with(|| {
                let (dir, fs) = synth_dirfs(n);
                list(&fs);
                (dir, fs)
            });
            b.iter(|| list(fs))
        });
    }
    group.finish();
}

fn bench_is_enabled(c: &mut Criterion) {
    let mut group = c.benchmark_group("install-is-enabled-disk");
    for n in [1_000, 10_000] {
        let (_dir, fs) = synth_dirfs(n);
        let (enabled, stat) = probes(&fs);
        let lp = system_paths();
        group.bench_function(BenchmarkId::new("enabled", n), |b| {
            b.iter(|| is_enabled(&fs, &lp, &enabled, opts()).0)
        });
        group.bench_function(BenchmarkId::new("static", n), |b| {
            b.iter(|| is_enabled(&fs, &lp, &stat, opts()).0)
        });
    }
    group.finish();
}

fn bench_preset_all(c: &mut Criterion) {
    let mut group = c.benchmark_group("install-preset-all-mem");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let (src, _) = synth_memfs(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_batched(
                || {
                    let fs = MemFs::new();
                    copy_tree(&src, &fs, Utf8Path::new("/")).expect("copy in memory");
                    fs
                },
                |fs| {
                    preset_all(&fs, &system_paths(), PresetMode::Full, opts())
                        .changes
                        .len()
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench_list, bench_is_enabled, bench_preset_all);
criterion_main!(benches);
