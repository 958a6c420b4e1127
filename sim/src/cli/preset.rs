//! `unitlab preset NAME…`: like `systemctl --root=DIR preset` (reference §4.12). Thin: the work is
//! done by `unitlab_engine::install::preset`, the printing by `install_common`.
use super::{install_common, Context, Global};
use unitlab_engine::install::{preset, Outcome, PresetMode};

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Unit names or paths.
    pub args: Vec<String>,
}

/// `--preset-mode=`: the mode, or the exit status after printing systemctl's error.
pub fn preset_mode(ctx: &mut Context<'_>, global: &Global) -> Result<PresetMode, i32> {
    match global.preset_mode.as_deref() {
        None => Ok(PresetMode::Full),
        Some("help") => {
            let _ = ctx.out.write_all(b"full\nenable-only\ndisable-only\n");
            Err(0)
        }
        Some(s) => PresetMode::parse(s).ok_or_else(|| {
            let _ = writeln!(ctx.err, "Failed to parse preset mode: {s}.");
            1
        }),
    }
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    let mode = match preset_mode(ctx, global) {
        Ok(m) => m,
        Err(code) => return code,
    };
    if let Err(code) = install_common::check_count(ctx, args.args.len(), 1, usize::MAX) {
        return code;
    }
    let names = match install_common::mangle_names(ctx, global, "to preset", &args.args) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let opts = install_common::options(ctx, global);
    let outcome = match install_common::open(ctx, global, global.scope()) {
        Err(e) => Outcome {
            changes: Vec::new(),
            logs: Vec::new(),
            result: Err(e),
        },
        Ok((fs, lp)) => preset(&fs, &lp, &names, mode, opts),
    };
    install_common::report(ctx, global, "preset", &outcome)
}
