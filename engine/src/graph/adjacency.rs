//! The graph's dependencies by position ([`super::Graph::index_of`]), for algorithms that walk the
//! same graph many times (transaction planning): built once per graph state, no hashing of names
//! while walking.
use super::hash::NameHash;
use super::kind::DepKind;
use super::Graph;
use std::collections::HashMap;

/// Per unit, its dependencies as `(kind, other unit's position)`, grouped by kind in systemd's kind
/// order and, within a kind, in the order they were added (compressed rows: `edges[start[i]..
/// start[i + 1]]` are unit `i`'s).
#[derive(Clone, Debug, Default)]
pub struct Adjacency {
    start: Vec<u32>,
    edges: Vec<(DepKind, u32)>,
}

impl Adjacency {
    pub(crate) fn build(graph: &Graph) -> Adjacency {
        // An edge's name shares its text with the node's id (names are cloned, not rebuilt,
        // when dependencies are added), so the address of the text finds the node without
        // hashing and comparing the name; a name with text of its own is looked up by name.
        // Two live names at one address with one length are the same text.
        let mut by_address: HashMap<usize, u32, NameHash> =
            HashMap::with_capacity_and_hasher(graph.len(), NameHash::default());
        for (i, node) in graph.nodes().enumerate() {
            by_address.insert(
                node.id().as_str().as_ptr() as usize,
                u32::try_from(i).unwrap_or(u32::MAX),
            );
        }
        let position = |other: &str| -> Option<u32> {
            if let Some(&i) = by_address.get(&(other.as_ptr() as usize)) {
                if graph.node_at(i as usize).id().as_str().len() == other.len() {
                    return Some(i);
                }
            }
            graph
                .index_of(other)
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        };
        let mut start = Vec::with_capacity(graph.len() + 1);
        let mut edges = Vec::new();
        for node in graph.nodes() {
            start.push(u32::try_from(edges.len()).unwrap_or(u32::MAX));
            for (kind, others) in &node.deps {
                if matches!(kind, DepKind::References | DepKind::ReferencedBy) {
                    continue;
                }
                for other in others.keys() {
                    if let Some(i) = position(other.as_str()) {
                        edges.push((*kind, i));
                    }
                }
            }
        }
        start.push(u32::try_from(edges.len()).unwrap_or(u32::MAX));
        Adjacency { start, edges }
    }

    /// The positions of the units that unit `unit` has a dependency of `kind` on. A row is sorted
    /// by kind, so this costs the logarithm of the unit's dependency count plus the answer (a
    /// target that thousands of units are ordered against is cheap to ask for its `Requires=`).
    pub fn deps(&self, unit: usize, kind: DepKind) -> impl Iterator<Item = usize> + '_ {
        let (a, b) = (self.start[unit] as usize, self.start[unit + 1] as usize);
        let row = &self.edges[a..b];
        let from = row.partition_point(|(k, _)| *k < kind);
        let to = from + row[from..].partition_point(|(k, _)| *k == kind);
        row[from..to].iter().map(|(_, o)| *o as usize)
    }
}
