//! One unit in the [`super::Graph`]: what loading gave, and its dependencies with their sources.
use super::deps::Deps;
use super::hash::NameHash;
use super::kind::DepKind;
use super::mask::{DepInfo, DepMask};
use crate::load::{LoadState, LoadedUnit};
use crate::name::UnitName;
use indexmap::IndexMap;

/// A unit of the graph.
#[derive(Clone, Debug)]
pub struct Node {
    /// The loaded unit (load state, fragment, drop-ins, names, settings).
    pub unit: LoadedUnit,
    /// `DefaultDependencies=` (after the unit's type adjusted it: `-.slice` and, for the system
    /// manager, `system.slice` have none).
    pub default_dependencies: bool,
    /// Dependencies per kind, other unit → sources, in the order they were added.
    pub deps: Deps,
    /// `RequiresMountsFor=` paths (explicit and implied), path → sources.
    pub requires_mounts_for: IndexMap<String, DepInfo, NameHash>,
    /// Position in the manager's load order (the order units left the load queue).
    pub load_order: usize,
}

impl Node {
    pub(crate) fn new(unit: LoadedUnit) -> Node {
        Node {
            unit,
            default_dependencies: true,
            deps: Deps::new(),
            requires_mounts_for: IndexMap::default(),
            load_order: usize::MAX,
        }
    }

    /// The unit's id.
    pub fn id(&self) -> &UnitName {
        &self.unit.id
    }

    /// The load state.
    pub fn load_state(&self) -> LoadState {
        self.unit.load_state
    }

    /// The other units of one kind, in the order the dependencies were added.
    pub fn deps_of(&self, kind: DepKind) -> impl Iterator<Item = (&UnitName, &DepInfo)> {
        self.deps.get(&kind).into_iter().flat_map(|m| m.iter())
    }

    /// True if this unit has a dependency of `kind` on `other`.
    pub fn has_dep(&self, kind: DepKind, other: &str) -> bool {
        self.deps.get(&kind).is_some_and(|m| m.contains_key(other))
    }

    /// The unit's slice, if it has one (`InSlice`).
    pub fn slice(&self) -> Option<&UnitName> {
        self.deps_of(DepKind::InSlice).next().map(|(n, _)| n)
    }

    pub(crate) fn add(
        &mut self,
        kind: DepKind,
        other: &UnitName,
        origin: DepMask,
        destination: DepMask,
    ) -> bool {
        self.deps.map_or_default(kind).add_sources(
            other,
            DepInfo {
                origin,
                destination,
            },
        )
    }
}
