//! Catalog build (the name → fragment map) and full load (every unit parsed with its drop-ins),
//! from memory (`MemFs`) and from disk (`DirFs`, warm page cache), on synthetic trees of 1k, 10k and
//! 100k units and on this machine's own unit files.
//!
//! Each tree is built the first time its benchmark runs, so a filter (`-- catalog-build-mem`) skips
//! the set-up of the others (writing a 100k-unit tree to disk takes a while).
use camino::Utf8Path;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use unitlab_benches::{load_all, synth_dirfs, synth_memfs, system_paths, TempTree};
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::fs::{DirFs, FileSystem, MemFs};
use unitlab_engine::load::Catalog;

fn build(fs: &dyn FileSystem) -> usize {
    let mut sink: Vec<Diagnostic> = Vec::new();
    let catalog = Catalog::build(fs, &system_paths(), &mut sink);
    catalog.entries().count()
}

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// Benchmarks `work` on an in-memory tree of each size.
fn on_memfs(c: &mut Criterion, group: &str, work: fn(&dyn FileSystem) -> usize) {
    let mut group = c.benchmark_group(group);
    group.sample_size(10);
    for n in SIZES {
        let mut tree: Option<MemFs> = None;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            let fs = tree.get_or_insert_with(|| synth_memfs(n).0);
            b.iter(|| work(fs))
        });
    }
    group.finish();
}

/// Benchmarks `work` on an on-disk tree of each size (page cache warmed by one run first) and on
/// this machine's own `/`.
fn on_disk(c: &mut Criterion, group: &str, work: fn(&dyn FileSystem) -> usize) {
    let mut group = c.benchmark_group(group);
    group.sample_size(10);
    for n in SIZES {
        let mut tree: Option<(TempTree, DirFs)> = None;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            let (_, fs) = tree.get_or_insert_with(|| {
                let (dir, fs) = synth_dirfs(n);
                work(&fs); // warm the page cache
                (dir, fs)
            });
            b.iter(|| work(fs))
        });
    }
    if let Ok(host) = DirFs::new(Utf8Path::new("/")) {
        group.bench_function("host", |b| b.iter(|| work(&host)));
    }
    group.finish();
}

fn bench_catalog(c: &mut Criterion) {
    on_memfs(c, "catalog-build-mem", build);
    on_disk(c, "catalog-build-disk", build);
    on_memfs(c, "catalog-load-all-mem", load_all);
    on_disk(c, "catalog-load-all-disk", load_all);
}

criterion_group!(benches, bench_catalog);
criterion_main!(benches);
