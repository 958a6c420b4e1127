//! `unitlab get-default`: like `systemctl --root=DIR get-default` (reference §4.9).
use super::{install_common, Context, Global};
use unitlab_engine::install::get_default;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// No operands are accepted.
    pub args: Vec<String>,
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    if let Err(code) = install_common::check_count(ctx, args.args.len(), 0, 0) {
        return code;
    }
    let opened = install_common::open(ctx, global, global.scope());
    let r = match &opened {
        Ok((fs, lp)) => {
            let (r, logged) = get_default(fs, lp, install_common::options(ctx, global));
            install_common::logs(ctx, &logged);
            r
        }
        Err(e) => Err(*e),
    };
    match r {
        Ok(name) => {
            let _ = writeln!(ctx.out, "{name}");
            if let Ok((fs, _)) = &opened {
                install_common::emit_cmdline_warning(ctx, global, fs);
            }
            0
        }
        Err(e) => {
            let _ = writeln!(ctx.err, "Failed to get default target: {}", e.strerror());
            1
        }
    }
}
