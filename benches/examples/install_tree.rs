//! Writes a synthetic unit tree (`unitlab_benches::synth_tree`) of N units into a directory, for
//! the whole-process runs of `scripts/bench-install`.
//!
//! `cargo run --release -p unitlab-benches --example install_tree -- DIR N`
use camino::Utf8PathBuf;
use unitlab_benches::synth_tree;
use unitlab_engine::fs::DirFs;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(n)) = (
        args.get(1),
        args.get(2).and_then(|s| s.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: install_tree DIR N");
        std::process::exit(2);
    };
    let dir = Utf8PathBuf::from(dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {dir}: {e}");
        std::process::exit(1);
    }
    let fs = match DirFs::new(&dir) {
        Ok(fs) => fs,
        Err(e) => {
            eprintln!("cannot open {dir}: {e}");
            std::process::exit(1);
        }
    };
    match synth_tree(&fs, n) {
        Ok(bytes) => eprintln!("{n} units, {bytes} bytes of unit text in {dir}"),
        Err(e) => {
            eprintln!("writing the tree failed: {e}");
            std::process::exit(1);
        }
    }
}
