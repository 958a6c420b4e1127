//! Catalog build (the name → fragment map) and full load (every unit parsed with its drop-ins),
//! from memory (`MemFs`) and from disk (`DirFs`, warm page cache), on synthetic trees of 1k, 10k and
//! 100k units and on this machine's own unit files.
use camino::Utf8Path;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use unitlab_benches::{load_all, synth_dirfs, synth_memfs, system_paths};
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::fs::{DirFs, FileSystem};
use unitlab_engine::load::Catalog;

fn build(fs: &dyn FileSystem) -> usize {
    let mut sink: Vec<Diagnostic> = Vec::new();
    let catalog = Catalog::build(fs, &system_paths(), &mut sink);
    catalog.entries().count()
}

fn bench_catalog(c: &mut Criterion) {
    let sizes = [1_000usize, 10_000, 100_000];
    let mut group = c.benchmark_group("catalog-build-mem");
    group.sample_size(10);
    for &n in &sizes {
        let (fs, _) = synth_memfs(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &fs, |b, fs| {
            b.iter(|| build(fs))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("catalog-build-disk");
    group.sample_size(10);
    for &n in &sizes {
        let (_dir, fs) = synth_dirfs(n);
        build(&fs); // warm the page cache
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &fs, |b, fs| {
            b.iter(|| build(fs))
        });
    }
    if let Ok(host) = DirFs::new(Utf8Path::new("/")) {
        group.bench_function("host", |b| b.iter(|| build(&host)));
    }
    group.finish();

    let mut group = c.benchmark_group("catalog-load-all-mem");
    group.sample_size(10);
    for &n in &sizes {
        let (fs, _) = synth_memfs(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &fs, |b, fs| {
            b.iter(|| load_all(fs))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("catalog-load-all-disk");
    group.sample_size(10);
    for &n in &sizes {
        let (_dir, fs) = synth_dirfs(n);
        load_all(&fs);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &fs, |b, fs| {
            b.iter(|| load_all(fs))
        });
    }
    if let Ok(host) = DirFs::new(Utf8Path::new("/")) {
        group.bench_function("host", |b| b.iter(|| load_all(&host)));
    }
    group.finish();
}

criterion_group!(benches, bench_catalog);
criterion_main!(benches);
