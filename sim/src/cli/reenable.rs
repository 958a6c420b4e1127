//! `unitlab reenable`: like `systemctl --root=DIR reenable` (reference §4). Thin: the work is done by
//! `unitlab_engine::install`, the printing by `install_common`.
use super::{install_common, Context, Global};

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Unit names or paths.
    pub args: Vec<String>,
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    install_common::verb_enable(ctx, global, "reenable", &args.args)
}
