//! Default dependencies (`DefaultDependencies=yes`, reference §5.3), origin `default`, and the
//! automatic ordering of targets after the units they pull in.
use super::build::{Loader, Manager};
use super::kind::DepKind;
use super::mask::DepMask;
use crate::load::LoadState;
use crate::name::{UnitName, UnitType};

fn by_name(l: &mut Loader<'_>, id: &UnitName, kinds: &[DepKind], name: &str) {
    let _ = l.add_by_name(id, kinds, name, true, DepMask::DEFAULT);
}

/// The default dependencies of one unit's type, if it has `DefaultDependencies=yes`.
pub(crate) fn type_defaults(l: &mut Loader<'_>, id: &UnitName) {
    if !l.node(id).default_dependencies {
        return;
    }
    let system = l.graph.options.manager == Manager::System;
    let shutdown = [DepKind::Before, DepKind::Conflicts];
    let sysinit = [DepKind::After, DepKind::Requires];
    match id.unit_type() {
        UnitType::Service => {
            if system {
                by_name(l, id, &sysinit, "sysinit.target");
            } else {
                by_name(l, id, &[DepKind::Requires], "basic.target");
            }
            by_name(l, id, &[DepKind::After], "basic.target");
            by_name(l, id, &shutdown, "shutdown.target");
        }
        UnitType::Socket => {
            by_name(l, id, &[DepKind::Before], "sockets.target");
            if system {
                by_name(l, id, &sysinit, "sysinit.target");
            }
            by_name(l, id, &shutdown, "shutdown.target");
        }
        UnitType::Timer => {
            by_name(l, id, &[DepKind::Before], "timers.target");
            if system {
                by_name(l, id, &sysinit, "sysinit.target");
                let calendar = !l
                    .node(id)
                    .unit
                    .settings
                    .list("Timer", "OnCalendar")
                    .is_empty();
                if calendar {
                    by_name(l, id, &[DepKind::After], "time-sync.target");
                    by_name(l, id, &[DepKind::After], "time-set.target");
                }
            }
            by_name(l, id, &shutdown, "shutdown.target");
        }
        UnitType::Automount if system => {
            by_name(l, id, &[DepKind::Before], "local-fs.target");
            by_name(l, id, &[DepKind::After], "local-fs-pre.target");
            by_name(
                l,
                id,
                &[DepKind::Before, DepKind::Conflicts],
                "umount.target",
            );
        }
        UnitType::Path => {
            by_name(l, id, &[DepKind::Before], "paths.target");
            if system {
                by_name(l, id, &sysinit, "sysinit.target");
            }
            by_name(l, id, &shutdown, "shutdown.target");
        }
        UnitType::Target if id.as_str() != "shutdown.target" => {
            by_name(l, id, &shutdown, "shutdown.target");
        }
        UnitType::Slice => by_name(l, id, &shutdown, "shutdown.target"),
        _ => {}
    }
}

/// `unit_add_default_target_dependency(u, t)`: the target `t` gets `After=u` if both are loaded,
/// both have default dependencies and `t` is not already ordered before `u`.
fn default_target_dependency(l: &mut Loader<'_>, u: &UnitName, t: &UnitName) {
    if t.unit_type() != UnitType::Target {
        return;
    }
    let (Some(ui), Some(ti)) = (l.position(u), l.position(t)) else {
        return;
    };
    let (un, tn) = (&l.graph.nodes[ui], &l.graph.nodes[ti]);
    if un.load_state() != LoadState::Loaded || tn.load_state() != LoadState::Loaded {
        return;
    }
    if !un.default_dependencies || !tn.default_dependencies {
        return;
    }
    if tn.has_dep(DepKind::Before, u.as_str()) {
        return;
    }
    l.add(t, DepKind::After, u, true, DepMask::DEFAULT);
}

/// The target's side, when the target is loaded: for every unit it requires, requisites, wants,
/// binds to, is part of or upholds that left the load queue before it.
pub(crate) fn target_side(l: &mut Loader<'_>, t: &UnitName) {
    if !l.node(t).default_dependencies {
        return;
    }
    let kinds = [
        DepKind::Requires,
        DepKind::Requisite,
        DepKind::Wants,
        DepKind::BindsTo,
        DepKind::PartOf,
        DepKind::Upholds,
    ];
    let tn = &l.node(t);
    let order = tn.load_order;
    let others: Vec<UnitName> = kinds
        .iter()
        .flat_map(|k| tn.deps_of(*k).map(|(n, _)| n.clone()))
        .filter(|u| l.graph.nodes.get(u).is_some_and(|n| n.load_order < order))
        .collect();
    for u in others {
        default_target_dependency(l, &u, t);
    }
}

/// The units' side, once the load queue is empty (`manager_dispatch_target_deps_queue()`): every
/// unit loaded since `first` (most recent first, as the queue is a stack) orders the targets that
/// require, requisite, want, bind to or uphold it after itself. (Not `PartOf=`: a target is only
/// ordered after a unit it is part of when that unit was loaded before the target.)
pub(crate) fn queue_side(l: &mut Loader<'_>, first: usize) {
    let kinds = [
        DepKind::RequiredBy,
        DepKind::RequisiteOf,
        DepKind::WantedBy,
        DepKind::BoundBy,
        DepKind::UpheldBy,
    ];
    // Units by position (each is found once, not by name per kind).
    let mut units: Vec<(usize, usize)> = l
        .graph
        .nodes
        .values()
        .enumerate()
        .filter(|(_, n)| n.load_order != usize::MAX && n.load_order >= first)
        .filter(|(_, n)| n.load_state() == LoadState::Loaded)
        .map(|(i, n)| (n.load_order, i))
        .collect();
    units.sort_by_key(|u| std::cmp::Reverse(u.0));
    let mut targets: Vec<UnitName> = Vec::new();
    for (_, i) in units {
        let n = &l.graph.nodes[i];
        let u = n.id().clone();
        targets.clear();
        targets.extend(
            kinds
                .iter()
                .flat_map(|k| n.deps_of(*k).map(|(t, _)| t.clone())),
        );
        for t in &targets {
            default_target_dependency(l, &u, t);
        }
    }
}
