//! `unitlab cat` (placeholder).
use super::{Context, Global};

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Operands.
    pub args: Vec<String>,
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    let _ = (global, args);
    let _ = writeln!(ctx.err, "not implemented yet");
    1
}
