//! `unitlab preset-all`: like `systemctl --root=DIR preset-all` (reference §4.12).
use super::{install_common, Context, Global};
use unitlab_engine::install::{preset_all, Outcome};

/// Arguments of this verb (none; extra ones are refused like systemctl refuses them).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Not accepted.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    let mode = match super::preset::preset_mode(ctx, global) {
        Ok(m) => m,
        Err(code) => return code,
    };
    if let Err(code) = install_common::check_count(ctx, args.args.len(), 0, 0) {
        return code;
    }
    let opts = install_common::options(ctx, global);
    let outcome = match install_common::open(ctx, global, global.scope()) {
        Err(e) => Outcome {
            changes: Vec::new(),
            logs: Vec::new(),
            result: Err(e),
        },
        Ok((fs, lp)) => preset_all(&fs, &lp, mode, opts),
    };
    install_common::report(ctx, global, "preset", &outcome)
}
