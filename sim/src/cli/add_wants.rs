//! `unitlab add-wants|add-requires TARGET UNIT…`: like `systemctl --root=DIR add-wants`
//! (reference §4.8).
use super::{install_common, Context, Global};
use unitlab_engine::install::{add_dependency, Dependency};
use unitlab_engine::name::UnitType;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The target, then the units.
    pub args: Vec<String>,
}

/// Runs the verb (`requires` selects `add-requires`).
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args, requires: bool) -> i32 {
    if let Err(code) = install_common::check_count(ctx, args.args.len(), 2, usize::MAX) {
        return code;
    }
    let target = match install_common::mangle_with(
        ctx,
        global,
        &args.args[0],
        "as target",
        UnitType::Target,
        "Failed to mangle unit name",
    ) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let names = match install_common::mangle_names(ctx, global, "as dependency", &args.args[1..]) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let opts = install_common::options(ctx, global);
    let dep = if requires {
        Dependency::Requires
    } else {
        Dependency::Wants
    };
    let outcome = match install_common::open(ctx, global, global.scope()) {
        Ok((fs, lp)) => add_dependency(&fs, &lp, &target, &names, dep, opts),
        Err(e) => unitlab_engine::install::Outcome {
            changes: Vec::new(),
            logs: Vec::new(),
            result: Err(e),
        },
    };
    install_common::report(ctx, global, "add dependency on", &outcome)
}
