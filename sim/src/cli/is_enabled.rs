//! `unitlab is-enabled NAME…`: like `systemctl --root=DIR is-enabled` (reference §4.10).
//!
//! Deviation: with `--full`, systemctl lists the links of a dry-run `disable` run in system scope
//! **on the host** (it passes no root), even under `--root`; unitlab never reads outside the
//! root and lists nothing under `--root`.
use super::{install_common, Context, Global};
use unitlab_engine::install::{installation_targets, is_enabled};
use unitlab_engine::load::Scope;

/// Arguments of this verb.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Unit names.
    pub args: Vec<String>,
}

/// Runs the verb.
pub fn run(ctx: &mut Context<'_>, global: &Global, args: Args) -> i32 {
    if let Err(code) = install_common::check_count(ctx, args.args.len(), 1, usize::MAX) {
        return code;
    }
    let mut names = match install_common::mangle_names(ctx, global, "to check", &args.args) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let mut enabled = match install_common::sysv_step(ctx, global, "is-enabled", &mut names) {
        install_common::Sysv::Exit(code) => return code,
        install_common::Sysv::Continue(e) => e,
    };
    let opened = install_common::open(ctx, global, global.scope());
    for name in &names {
        let (fs, lp) = match &opened {
            Ok(x) => x,
            Err(e) => {
                let _ = writeln!(
                    ctx.err,
                    "Failed to get unit file state for {name}: {}",
                    e.strerror()
                );
                return 1;
            }
        };
        let (r, logged) = is_enabled(fs, lp, name, install_common::options(ctx, global));
        install_common::logs(ctx, &logged);
        let state = match r {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(
                    ctx.err,
                    "Failed to get unit file state for {name}: {}",
                    e.strerror()
                );
                return 1;
            }
        };
        enabled |= state.counts_as_enabled();
        if global.quiet {
            continue;
        }
        let _ = writeln!(ctx.out, "{state}");
        if global.full && install_common::root(ctx, global).is_none() {
            let sys = install_common::open(ctx, global, Scope::System);
            if let Ok((fs, lp)) = sys {
                let (r, logged) =
                    installation_targets(&fs, &lp, name, install_common::options(ctx, global));
                install_common::logs(ctx, &logged);
                match r {
                    Ok(links) => {
                        for l in links {
                            let _ = writeln!(ctx.out, "  {l}");
                        }
                    }
                    Err(e) => {
                        let _ = writeln!(
                            ctx.err,
                            "Failed to get file links for {name}: {}",
                            e.strerror()
                        );
                        return 1;
                    }
                }
            }
        }
    }
    i32::from(!enabled)
}
