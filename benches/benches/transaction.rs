//! Transactions (issue 4): planning a start transaction.
//!
//! - `txn-corpus`: `plan start multi-user.target` on the Debian corpus (`scripts/fetch-corpus`)
//!   after `systemctl --root preset-all`: the plan alone on a built graph, and catalog + graph +
//!   plan from disk (what `unitlab plan` does in-process);
//! - `txn-process`: the same as whole processes, side by side: `unitlab --root=DIR plan start
//!   multi-user.target` (the release binary, `target/release/unitlab`; build it first) and
//!   `systemd --test --system --unit=multi-user.target` on the same units (as `nobody`, like
//!   `real-systemd test-transaction`; needs root);
//! - `txn-synth`: the full start transaction of a synthetic graph of 1k, 10k and 100k services in
//!   25 layers (each service `Requires=`/`Wants=` 1–3 services of the next layer and is ordered
//!   `After=` them; default dependencies on), pulled in by one target. The graph is built once; the
//!   benchmark plans on it.
//!
//! Before criterion runs, a table of the transaction's memory is printed (counting allocator): the
//! graph's adjacency by position (built once per graph, on the first plan, and kept with it), the
//! peak of heap bytes allocated while planning, and the bytes the result keeps, per unit.
use camino::Utf8PathBuf;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicIsize, Ordering};
use unitlab_benches::Rng;
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::fs::{DirFs, FileSystem, MemFs};
use unitlab_engine::graph::{Graph, GraphOptions};
use unitlab_engine::load::{Catalog, LookupPaths, MapEnv, Scope};
use unitlab_engine::name::UnitName;
use unitlab_engine::transaction::{plan, JobType, Request, RuntimeState, Transaction};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grew(by: isize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: forwards to the system allocator and only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grew(new_size as isize - layout.size() as isize);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const DIRS: [&str; 3] = [
    "/etc/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
];

fn paths() -> LookupPaths {
    let mut env = MapEnv::new("/");
    env.vars.insert("SYSTEMD_UNIT_PATH".into(), DIRS.join(":"));
    LookupPaths::new(Scope::System, None, &env).expect("paths")
}

fn graph_of(fs: &dyn FileSystem, root: &str) -> Graph {
    let mut sink: Vec<Diagnostic> = Vec::new();
    let catalog = Catalog::build(fs, &paths(), &mut sink);
    let root = UnitName::new(root).expect("name");
    Graph::build(fs, &catalog, &[root], GraphOptions::default(), &mut sink)
}

fn start(graph: &Graph, unit: &str) -> Transaction {
    let mut messages = Vec::new();
    plan(
        graph,
        &Request::new(unit, JobType::Start),
        &RuntimeState::new(),
        &mut messages,
    )
    .expect("the start transaction succeeds")
}

// ---------------------------------------------------------------------------------------------
// The synthetic graph.

const LAYERS: usize = 25;

/// `n` services in 25 layers under `root.target`, in `/lib/systemd/system` of a `MemFs`.
fn synth(n: usize) -> MemFs {
    let fs = MemFs::new();
    let mut rng = Rng::new(n as u64);
    let per = n.div_ceil(LAYERS);
    let name = |layer: usize, i: usize| format!("l{layer}-u{i}.service");
    let mut root = String::from("[Unit]\nDefaultDependencies=no\n");
    for i in 0..per {
        root.push_str(&format!("Wants={}\n", name(0, i)));
    }
    fs.add_file("/lib/systemd/system/root.target", root.as_bytes())
        .expect("file");
    for t in ["sysinit.target", "basic.target", "shutdown.target"] {
        fs.add_file(
            format!("/lib/systemd/system/{t}").as_str(),
            "[Unit]\n".as_bytes(),
        )
        .expect("file");
    }
    for layer in 0..LAYERS {
        for i in 0..per {
            let mut text = String::from("[Unit]\n");
            if layer + 1 < LAYERS {
                // One edge that keeps every unit of the next layer reachable, and 0–2 random ones.
                let mut targets = vec![i];
                for _ in 0..rng.below(3) {
                    targets.push(rng.below(per as u64) as usize);
                }
                for t in targets {
                    let kind = if rng.below(2) == 0 {
                        "Requires"
                    } else {
                        "Wants"
                    };
                    let other = name(layer + 1, t);
                    text.push_str(&format!("{kind}={other}\nAfter={other}\n"));
                }
            }
            text.push_str("[Service]\nExecStart=/bin/true\n");
            fs.add_file(
                format!("/lib/systemd/system/{}", name(layer, i)).as_str(),
                text.as_bytes(),
            )
            .expect("file");
        }
    }
    fs
}

fn synthetic(c: &mut Criterion) {
    let mut group = c.benchmark_group("txn-synth");
    group.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let fs = synth(n);
        let graph = graph_of(&fs, "root.target");
        group.throughput(Throughput::Elements(graph.len() as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| start(&graph, "root.target").jobs.len())
        });
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// The corpus.

fn corpus_merged() -> Option<PathBuf> {
    let base = std::env::var_os("UNITLAB_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into()))
                .join(".cache/unitlab/corpus")
        });
    let m = base.join("merged");
    m.join("lib/systemd/system").is_dir().then_some(m)
}

/// Copies a tree, making absolute symlinks (other than masks) relative to `root_of_copy`.
fn copy_relative(src: &Path, dst: &Path, root_of_copy: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for e in std::fs::read_dir(src).expect("read_dir").flatten() {
        let from = e.path();
        let to = dst.join(e.file_name());
        let meta = std::fs::symlink_metadata(&from).expect("lstat");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&from).expect("readlink");
            let target = if target.is_absolute() && target != Path::new("/dev/null") {
                let abs = root_of_copy.join(target.strip_prefix("/").expect("absolute"));
                let f: Vec<_> = dst.components().collect();
                let t: Vec<_> = abs.components().collect();
                let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
                let mut rel = PathBuf::new();
                for _ in common..f.len() {
                    rel.push("..");
                }
                for c in &t[common..] {
                    rel.push(c);
                }
                rel
            } else {
                target
            };
            std::os::unix::fs::symlink(target, &to).expect("symlink");
        } else if meta.is_dir() {
            copy_relative(&from, &to, root_of_copy);
        } else {
            std::fs::copy(&from, &to).expect("copy");
        }
    }
}

/// The corpus after `systemctl --root preset-all`, with relative links (so that `systemd --test`
/// resolves them inside the copy), readable by everyone.
fn corpus_after_preset() -> Option<unitlab_benches::TempTree> {
    let merged = corpus_merged()?;
    let dir = std::env::temp_dir().join(format!("unitlab-bench-txn-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let tree = unitlab_benches::TempTree(dir.clone());
    let stage = dir.join("stage");
    copy_relative(&merged, &stage, &stage);
    let status = Command::new("systemctl")
        .env("SYSTEMCTL_SKIP_SYSV", "1")
        .arg(format!("--root={}", stage.display()))
        .arg("preset-all")
        .output()
        .expect("systemctl preset-all");
    assert!(matches!(status.status.code(), Some(0 | 1)), "preset-all");
    let root = dir.join("tree");
    copy_relative(&stage, &root, &root);
    std::fs::create_dir_all(dir.join("nogen")).expect("mkdir");
    let _ = Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(&dir)
        .status();
    Some(tree)
}

fn corpus(c: &mut Criterion) {
    let Some(tree) = corpus_after_preset() else {
        eprintln!("txn-corpus: no corpus (run scripts/fetch-corpus); skipped");
        return;
    };
    let root = tree.0.join("tree");
    let fs = DirFs::new(Utf8PathBuf::from_path_buf(root.clone()).expect("utf-8")).expect("dirfs");
    let graph = graph_of(&fs, "multi-user.target");
    let jobs = start(&graph, "multi-user.target").jobs.len();
    eprintln!(
        "txn-corpus: {} units loaded, {jobs} jobs in the transaction",
        graph.len()
    );
    let mut group = c.benchmark_group("txn-corpus");
    group.bench_function("plan-only", |b| {
        b.iter(|| start(&graph, "multi-user.target").jobs.len())
    });
    group.bench_function("catalog+graph+plan", |b| {
        b.iter(|| {
            start(&graph_of(&fs, "multi-user.target"), "multi-user.target")
                .jobs
                .len()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("txn-process");
    group.sample_size(10);
    let unitlab = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/unitlab");
    if unitlab.exists() {
        group.bench_function("unitlab plan", |b| {
            b.iter(|| {
                let out = Command::new(&unitlab)
                    .arg(format!("--root={}", root.display()))
                    .args(["plan", "start", "multi-user.target"])
                    .output()
                    .expect("run unitlab");
                assert!(out.status.success());
                out.stdout.len()
            })
        });
    } else {
        eprintln!(
            "txn-process: {} missing (cargo build --release -p unitlab-sim)",
            unitlab.display()
        );
    }
    let unit_path: Vec<String> = DIRS
        .iter()
        .map(|d| format!("{}{d}", root.display()))
        .collect();
    let nogen = tree.0.join("nogen");
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    if is_root && Path::new("/lib/systemd/systemd").exists() {
        group.bench_function("systemd --test", |b| {
            b.iter(|| {
                let out = Command::new("setpriv")
                    .current_dir("/tmp")
                    .args([
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        "env",
                        "-i",
                    ])
                    .arg("PATH=/usr/bin:/bin")
                    .arg(format!("SYSTEMD_UNIT_PATH={}", unit_path.join(":")))
                    .arg(format!("SYSTEMD_GENERATOR_PATH={}", nogen.display()))
                    .arg(format!(
                        "SYSTEMD_ENVIRONMENT_GENERATOR_PATH={}",
                        nogen.display()
                    ))
                    .args([
                        "/lib/systemd/systemd",
                        "--test",
                        "--system",
                        "--unit=multi-user.target",
                        "--no-pager",
                    ])
                    .output()
                    .expect("run systemd --test");
                out.stdout.len()
            })
        });
    } else {
        eprintln!("txn-process: systemd --test needs root; skipped");
    }
    group.finish();
    drop(tree);
}

/// Prints the memory table (not a criterion measurement).
fn memory(_: &mut Criterion) {
    println!("| units in graph | jobs | graph's index adjacency, bytes/unit | peak heap while planning, bytes/unit | result kept, bytes/unit |");
    println!("|---:|---:|---:|---:|---:|");
    for n in [1_000usize, 10_000, 100_000] {
        let fs = synth(n);
        let graph = graph_of(&fs, "root.target");
        // The graph's adjacency by position is built once per graph (on the first plan) and kept.
        let base = LIVE.load(Ordering::Relaxed);
        let _ = graph.adjacency();
        let adjacency = LIVE.load(Ordering::Relaxed) - base;
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let tr = start(&graph, "root.target");
        let peak = PEAK.load(Ordering::Relaxed) - base;
        let kept = LIVE.load(Ordering::Relaxed) - base;
        let units = graph.len() as isize;
        println!(
            "| {} | {} | {} | {} | {} |",
            units,
            tr.jobs.len(),
            adjacency / units,
            peak / units,
            kept / units
        );
    }
}

criterion_group!(benches, memory, synthetic, corpus);
criterion_main!(benches);
