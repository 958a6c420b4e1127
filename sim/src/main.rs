//! `unitlab`: the systemctl-compatible command line.
fn main() {
    std::process::exit(unitlab_sim::cli::run(std::env::args_os().collect()));
}
