//! [`Deps`]: a node's dependency maps, one [`DepMap`] per [`DepKind`], in kind order.
//!
//! A unit has a dozen kinds at most (a service: `Requires`, `After`, `Before`, `Conflicts`,
//! `References`, `InSlice`, ...), so the maps are kept in a vector sorted by kind: one
//! allocation and a search of a few bytes, where a `BTreeMap` allocated a tree node and walked
//! it for every dependency added or asked for. The methods are named and behave like
//! `BTreeMap<DepKind, DepMap>`'s (the type this replaces), so callers read the same.
use super::dep_map::DepMap;
use super::kind::DepKind;

/// Dependency kind → the other units of that kind (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deps(Vec<(DepKind, DepMap)>);

impl Deps {
    /// No dependency.
    pub fn new() -> Deps {
        Deps::default()
    }

    fn search(&self, kind: DepKind) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(&kind))
    }

    /// The map of one kind, if the unit has an entry for it.
    pub fn get(&self, kind: &DepKind) -> Option<&DepMap> {
        self.search(*kind).ok().map(|i| &self.0[i].1)
    }

    /// The map of one kind, mutably.
    pub fn get_mut(&mut self, kind: &DepKind) -> Option<&mut DepMap> {
        match self.search(*kind) {
            Ok(i) => Some(&mut self.0[i].1),
            Err(_) => None,
        }
    }

    /// True if there is an entry for `kind`.
    pub fn contains_key(&self, kind: &DepKind) -> bool {
        self.search(*kind).is_ok()
    }

    /// The entry of one kind, for in-place changes ([`DepsEntry::or_default`]).
    pub fn entry(&mut self, kind: DepKind) -> DepsEntry<'_> {
        DepsEntry { deps: self, kind }
    }

    /// Sets the map of one kind; returns the old one.
    pub fn insert(&mut self, kind: DepKind, map: DepMap) -> Option<DepMap> {
        match self.search(kind) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, map)),
            Err(i) => {
                self.0.insert(i, (kind, map));
                None
            }
        }
    }

    /// Removes the map of one kind.
    pub fn remove(&mut self, kind: &DepKind) -> Option<DepMap> {
        self.search(*kind).ok().map(|i| self.0.remove(i).1)
    }

    /// The number of kinds with an entry.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if no kind has an entry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The kinds and their maps, in kind order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&DepKind, &DepMap)> + ExactSizeIterator {
        self.0.iter().map(|(k, m)| (k, m))
    }

    /// The kinds and their maps, mutably, in kind order.
    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&DepKind, &mut DepMap)> + ExactSizeIterator {
        self.0.iter_mut().map(|(k, m)| (&*k, m))
    }

    /// The kinds with an entry, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &DepKind> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }

    /// The maps, in kind order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &DepMap> + ExactSizeIterator {
        self.0.iter().map(|(_, m)| m)
    }

    /// The maps, mutably, in kind order.
    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut DepMap> + ExactSizeIterator {
        self.0.iter_mut().map(|(_, m)| m)
    }

    /// Keeps the kinds for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&DepKind, &mut DepMap) -> bool) {
        self.0.retain_mut(|(k, m)| keep(k, m));
    }
}

impl<'a> IntoIterator for &'a Deps {
    type Item = (&'a DepKind, &'a DepMap);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (DepKind, DepMap)>,
        fn(&'a (DepKind, DepMap)) -> (&'a DepKind, &'a DepMap),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, m)| (k, m))
    }
}

impl FromIterator<(DepKind, DepMap)> for Deps {
    fn from_iter<I: IntoIterator<Item = (DepKind, DepMap)>>(iter: I) -> Deps {
        let mut d = Deps::new();
        for (k, m) in iter {
            d.insert(k, m);
        }
        d
    }
}

/// The entry of one kind of a [`Deps`] (see [`Deps::entry`]).
pub struct DepsEntry<'a> {
    deps: &'a mut Deps,
    kind: DepKind,
}

impl<'a> DepsEntry<'a> {
    /// The map, inserting `make()` first if the kind has no entry.
    pub fn or_insert_with(self, make: impl FnOnce() -> DepMap) -> &'a mut DepMap {
        let v = &mut self.deps.0;
        let i = match v.binary_search_by(|(k, _)| k.cmp(&self.kind)) {
            Ok(i) => i,
            Err(i) => {
                if v.capacity() == 0 {
                    // A service has nine to eleven kinds: one allocation.
                    v.reserve_exact(12);
                }
                v.insert(i, (self.kind, make()));
                i
            }
        };
        &mut v[i].1
    }

    /// The map, inserting an empty one first if the kind has no entry.
    pub fn or_default(self) -> &'a mut DepMap {
        self.or_insert_with(DepMap::new)
    }

    /// The map, inserting `map` first if the kind has no entry.
    pub fn or_insert(self, map: DepMap) -> &'a mut DepMap {
        self.or_insert_with(|| map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{DepInfo, DepMask};
    use crate::name::UnitName;
    use std::collections::BTreeMap;

    // Behaves like the BTreeMap it replaces: same kinds in the same order, same maps.
    #[test]
    fn behaves_like_a_btreemap() {
        let mut ours = Deps::new();
        let mut theirs: BTreeMap<DepKind, DepMap> = BTreeMap::new();
        let all = DepKind::ALL;
        for step in 0..300usize {
            let k = all[(step * 7) % all.len()];
            let name = UnitName::new(&format!("u{}.service", step % 5)).unwrap();
            let info = DepInfo {
                origin: DepMask::FILE,
                destination: DepMask::NONE,
            };
            match step % 6 {
                0..=3 => {
                    ours.entry(k).or_default().insert(name.clone(), info);
                    theirs.entry(k).or_default().insert(name, info);
                }
                4 => assert_eq!(ours.remove(&k), theirs.remove(&k)),
                _ => {
                    if let (Some(a), Some(b)) = (ours.get_mut(&k), theirs.get_mut(&k)) {
                        a.shift_remove(name.as_str());
                        b.shift_remove(name.as_str());
                    }
                }
            }
            assert!(ours.iter().eq(theirs.iter()), "step {step}");
            for k in all {
                assert_eq!(ours.get(&k), theirs.get(&k));
                assert_eq!(ours.contains_key(&k), theirs.contains_key(&k));
            }
        }
    }
}
