//! Parser throughput: MB/s of unit-file text through `syntax::parse`, on the synthetic corpus and
//! on the unit files installed on this machine.
use camino::Utf8Path;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use unitlab_benches::{host_unit_files, synth_unit_texts};
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::name::UnitType;
use unitlab_engine::syntax::{parse, Dialect};

fn parse_all(files: &[(String, UnitType, Vec<u8>)]) -> usize {
    let mut sink: Vec<Diagnostic> = Vec::new();
    let mut sections = 0;
    for (path, ty, text) in files {
        let parsed = parse(Utf8Path::new(path), text, Dialect::Unit(*ty), &mut sink);
        sections += parsed.sections().len();
    }
    sections
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (label, files) in [
        ("synthetic-1k", synth_unit_texts(1_000)),
        ("synthetic-10k", synth_unit_texts(10_000)),
        ("synthetic-100k", synth_unit_texts(100_000)),
        ("host", host_unit_files()),
    ] {
        if files.is_empty() {
            continue;
        }
        let bytes: usize = files.iter().map(|(_, _, t)| t.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_with_input(BenchmarkId::from_parameter(label), &files, |b, files| {
            b.iter(|| parse_all(files))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
