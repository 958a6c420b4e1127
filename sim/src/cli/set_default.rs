//! `unitlab set-default NAME`: like `systemctl --root=DIR set-default` (reference §4.9).
use super::{install_common, Context, Global};
use unitlab_engine::install::{get_default, set_default, Options, Outcome};
use unitlab_engine::name::UnitType;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The target.
    pub args: Vec<String>,
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    if let Err(code) = install_common::check_count(ctx, args.args.len(), 1, 1) {
        return code;
    }
    let unit = match install_common::mangle_with(
        ctx,
        global,
        &args.args[0],
        "set-default",
        UnitType::Target,
        "Failed to mangle unit name",
    ) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let opts = Options {
        runtime: false,
        force: true,
        ..install_common::options(ctx, global)
    };
    let opened = install_common::open(ctx, global, global.scope());
    let outcome = match &opened {
        Ok((fs, lp)) => set_default(fs, lp, &unit, opts),
        Err(e) => Outcome {
            changes: Vec::new(),
            logs: Vec::new(),
            result: Err(*e),
        },
    };
    let code = install_common::report(ctx, global, "set default", &outcome);
    if code != 0 {
        return code;
    }
    let Ok((fs, lp)) = &opened else {
        return code;
    };
    install_common::emit_cmdline_warning(ctx, global, fs);
    if global.quiet {
        return code;
    }
    let (r, logged) = get_default(fs, lp, opts);
    install_common::logs(ctx, &logged);
    match r {
        Ok(name) => {
            if name != unit {
                let _ = writeln!(
                    ctx.err,
                    "Note: \"{name}\" is the default unit (possibly a runtime override)."
                );
            }
            0
        }
        Err(e) => {
            let _ = writeln!(ctx.err, "Failed to get default target: {}", e.strerror());
            1
        }
    }
}
