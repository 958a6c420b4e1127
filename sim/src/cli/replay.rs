//! `unitlab replay FILE... [--bless] [--print] [--seed N]`: runs scenario files (the format is in
//! `crate::scenario`) on a fresh simulated machine each, and checks every command's output and
//! exit status. On a mismatch it prints a unified diff naming file:line, the seed, and exits 1.
//! `--bless` rewrites the expected output of mismatching commands in place; `--print` prints
//! each transcript; `--seed N` overrides the scenarios' seeds.
use super::{Context, Global};
use crate::machine::Machine;
use crate::scenario::{self, Shell};
use camino::Utf8PathBuf;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files (Markdown with `console` blocks).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<Utf8PathBuf>,
    /// Rewrite the expected output of mismatching commands with the actual output.
    #[arg(long)]
    pub bless: bool,
    /// Print each scenario's transcript.
    #[arg(long)]
    pub print: bool,
    /// The seed of the simulation (overrides the scenarios' `seed` settings).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, _global: &Global, args: Args) -> i32 {
    let mut status = 0;
    for file in &args.files {
        let path = if file.is_absolute() {
            file.clone()
        } else {
            ctx.cwd.join(file)
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(ctx.err, "{file}: {e}");
                status = 1;
                continue;
            }
        };
        let mut sc = match scenario::parse(file, &text) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(ctx.err, "{e}");
                status = 1;
                continue;
            }
        };
        if let Some(seed) = args.seed {
            sc.settings.seed = seed;
        }
        let mut machine = Machine::new(sc.settings.clone());
        let report = scenario::run(&sc, &mut machine as &mut dyn Shell);
        if args.print {
            let _ = write!(ctx.out, "{}", report.transcript());
        }
        if report.ok() {
            let _ = writeln!(ctx.err, "ok {file} ({} commands)", sc.steps.len());
            continue;
        }
        if args.bless {
            if let Err(e) = std::fs::write(&path, report.blessed(&sc)) {
                let _ = writeln!(ctx.err, "{file}: cannot write: {e}");
                status = 1;
            } else {
                let _ = writeln!(ctx.err, "blessed {file}");
            }
            continue;
        }
        let _ = write!(ctx.out, "{}", report.diff());
        let _ = writeln!(
            ctx.err,
            "FAILED {file} (seed {}; rerun with `unitlab replay --seed {} {file}`)",
            report.seed, report.seed
        );
        status = 1;
    }
    status
}
