//! A driver for profilers (`valgrind --tool=callgrind`): runs one workload on a synthetic tree.
//!
//! `cargo build --release -p unitlab-benches --example profile` then
//! `valgrind --tool=callgrind target/release/examples/profile build-mem 10000`.
//! Workloads: `build-mem`, `build-disk`, `load-all-mem`, `parse` (synthetic), `parse-host` (this
//! machine's unit files).
use camino::Utf8Path;
use unitlab_benches::{
    host_unit_files, load_all, synth_dirfs, synth_memfs, synth_unit_texts, system_paths,
};
use unitlab_engine::diag::Diagnostic;
use unitlab_engine::load::Catalog;
use unitlab_engine::syntax::{parse, Dialect};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("build-mem");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut sink: Vec<Diagnostic> = Vec::new();
    match what {
        "build-mem" => {
            let (fs, _) = synth_memfs(n);
            for _ in 0..reps {
                let t = std::time::Instant::now();
                let c = Catalog::build(&fs, &system_paths(), &mut sink);
                eprintln!("{} entries in {:?}", c.entries().count(), t.elapsed());
            }
        }
        "build-disk" => {
            let (_dir, fs) = synth_dirfs(n);
            for _ in 0..reps {
                let t = std::time::Instant::now();
                let c = Catalog::build(&fs, &system_paths(), &mut sink);
                eprintln!("{} entries in {:?}", c.entries().count(), t.elapsed());
            }
        }
        "load-all-mem" => {
            let (fs, _) = synth_memfs(n);
            for _ in 0..reps {
                let t = std::time::Instant::now();
                let k = load_all(&fs);
                eprintln!("{k} loaded in {:?}", t.elapsed());
            }
        }
        "parse" | "parse-host" => {
            let files = if what == "parse" {
                synth_unit_texts(n)
            } else {
                host_unit_files()
            };
            let bytes: usize = files.iter().map(|f| f.2.len()).sum();
            for _ in 0..reps {
                let t = std::time::Instant::now();
                let mut s = 0;
                for (path, ty, text) in &files {
                    s += parse(Utf8Path::new(path), text, Dialect::Unit(*ty), &mut sink)
                        .sections()
                        .len();
                }
                let e = t.elapsed();
                eprintln!(
                    "{s} sections, {bytes} bytes in {e:?}: {:.0} MB/s",
                    bytes as f64 / e.as_secs_f64() / 1e6
                );
            }
        }
        other => eprintln!("unknown workload {other}"),
    }
}
