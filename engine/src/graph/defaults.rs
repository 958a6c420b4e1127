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
    if !l.graph.nodes[id].default_dependencies {
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
                let calendar = !l.graph.nodes[id]
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
        UnitType::Path => {
            by_name(l, id, &[DepKind::Before], "paths.target");
            if system {
                by_name(l, id, &sysinit, "sysinit.target");
            }
            by_name(l, id, &shutdown, "shutdown.target");
        }
        UnitType::Target => {
            if id.as_str() != "shutdown.target" {
                by_name(l, id, &shutdown, "shutdown.target");
            }
        }
        UnitType::Slice => by_name(l, id, &shutdown, "shutdown.target"),
        _ => {}
    }
}

/// `unit_add_default_target_dependency()` for every target and every unit it pulls in or is part
/// of (`Requires=`, `Requisite=`, `Wants=`, `BindsTo=`, `Upholds=`, `PartOf=`): the target gets
/// `After=` the unit if both are loaded, both have default dependencies and the target is not
/// already ordered before the unit.
///
/// systemd does this from both ends: when the target is loaded (for units already loaded) and,
/// after the load queue ran, for every loaded unit (through the unit's `RequiredBy`, `RequisiteOf`,
/// `WantedBy`, `BoundBy`, `UpheldBy`, but not `ConsistsOf`). So for `PartOf=` the target is only
/// ordered if the unit left the load queue before the target did.
pub(crate) fn target_ordering(l: &mut Loader<'_>) {
    let kinds = [
        DepKind::Requires,
        DepKind::Requisite,
        DepKind::Wants,
        DepKind::BindsTo,
        DepKind::PartOf,
        DepKind::Upholds,
    ];
    let ids: Vec<UnitName> = l.graph.nodes.keys().cloned().collect();
    for t in ids {
        let tn = &l.graph.nodes[&t];
        if t.unit_type() != UnitType::Target
            || tn.load_state() != LoadState::Loaded
            || !tn.default_dependencies
        {
            continue;
        }
        let t_order = tn.load_order;
        let others: Vec<(DepKind, UnitName)> = kinds
            .iter()
            .flat_map(|k| tn.deps_of(*k).map(|(n, _)| (*k, n.clone())))
            .collect();
        for (kind, u) in others {
            let Some(un) = l.graph.nodes.get(&u) else {
                continue;
            };
            if un.load_state() != LoadState::Loaded || !un.default_dependencies {
                continue;
            }
            if kind == DepKind::PartOf && un.load_order > t_order {
                continue;
            }
            if l.graph.nodes[&t].has_dep(DepKind::Before, u.as_str()) {
                continue;
            }
            l.add(&t, DepKind::After, &u, true, DepMask::DEFAULT);
        }
    }
}
