//! [`Deps`]: a node's dependency maps, one [`DepMap`] per [`DepKind`], in kind order.
//!
//! A unit has a dozen kinds at most (a service: `Requires`, `After`, `Before`, `Conflicts`,
//! `References`, `InSlice`, ...), so the maps are kept in one vector in kind order (one
//! allocation), and a kind's map is found from a bit set of the kinds present (its position is
//! the number of present kinds before it), where a `BTreeMap` allocated a tree node and walked
//! it for every dependency added or asked for. The methods are named and behave like
//! `BTreeMap<DepKind, DepMap>`'s (the type this replaces), so callers read the same.
use super::dep_map::DepMap;
use super::kind::DepKind;

/// The kinds by position (`kind as usize`), for references that outlive a call.
static KINDS: [DepKind; 31] = DepKind::ALL;

/// Dependency kind → the other units of that kind (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deps {
    /// Bit `kind as u32` is set for each kind with a map.
    present: u32,
    /// The maps of the present kinds, in kind order.
    maps: Vec<DepMap>,
}

impl Deps {
    /// No dependency.
    pub fn new() -> Deps {
        Deps::default()
    }

    /// Whether `kind` has a map, and the position its map has (or would have) in `maps`.
    #[inline]
    fn slot(&self, kind: DepKind) -> (bool, usize) {
        let bit = 1u32 << (kind as u32);
        (
            self.present & bit != 0,
            (self.present & (bit - 1)).count_ones() as usize,
        )
    }

    /// The map of one kind, if the unit has an entry for it.
    pub fn get(&self, kind: &DepKind) -> Option<&DepMap> {
        match self.slot(*kind) {
            (true, i) => self.maps.get(i),
            (false, _) => None,
        }
    }

    /// The map of one kind, mutably.
    pub fn get_mut(&mut self, kind: &DepKind) -> Option<&mut DepMap> {
        match self.slot(*kind) {
            (true, i) => self.maps.get_mut(i),
            (false, _) => None,
        }
    }

    /// True if there is an entry for `kind`.
    pub fn contains_key(&self, kind: &DepKind) -> bool {
        self.slot(*kind).0
    }

    /// The map of one kind, inserting an empty one first if the kind has none (what
    /// `entry(kind).or_default()` gives, for the graph builder's hot path).
    #[inline]
    pub(crate) fn map_or_default(&mut self, kind: DepKind) -> &mut DepMap {
        match self.slot(kind) {
            (true, i) => &mut self.maps[i],
            (false, _) => self.entry(kind).or_default(),
        }
    }

    /// The entry of one kind, for in-place changes ([`DepsEntry::or_default`]).
    pub fn entry(&mut self, kind: DepKind) -> DepsEntry<'_> {
        DepsEntry { deps: self, kind }
    }

    /// Sets the map of one kind; returns the old one.
    pub fn insert(&mut self, kind: DepKind, map: DepMap) -> Option<DepMap> {
        match self.slot(kind) {
            (true, i) => Some(std::mem::replace(&mut self.maps[i], map)),
            (false, i) => {
                self.present |= 1u32 << (kind as u32);
                self.maps.insert(i, map);
                None
            }
        }
    }

    /// Removes the map of one kind.
    pub fn remove(&mut self, kind: &DepKind) -> Option<DepMap> {
        match self.slot(*kind) {
            (true, i) => {
                self.present &= !(1u32 << (*kind as u32));
                Some(self.maps.remove(i))
            }
            (false, _) => None,
        }
    }

    /// The number of kinds with an entry.
    pub fn len(&self) -> usize {
        self.maps.len()
    }

    /// True if no kind has an entry.
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty()
    }

    /// The kinds and their maps, in kind order.
    pub fn iter(&self) -> DepsIter<'_> {
        DepsIter {
            present: self.present,
            maps: self.maps.iter(),
        }
    }

    /// The kinds with an entry, in order.
    pub fn keys(&self) -> impl Iterator<Item = &DepKind> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The maps, in kind order.
    pub fn values(&self) -> impl Iterator<Item = &DepMap> + '_ {
        self.maps.iter()
    }

    /// The maps, mutably, in kind order.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut DepMap> + '_ {
        self.maps.iter_mut()
    }

    /// The kinds and their maps, mutably, in kind order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&DepKind, &mut DepMap)> + '_ {
        let mut present = self.present;
        self.maps.iter_mut().map(move |m| {
            let i = present.trailing_zeros() as usize;
            present &= present.wrapping_sub(1);
            (&KINDS[i], m)
        })
    }

    /// Keeps the kinds for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&DepKind, &mut DepMap) -> bool) {
        let old = std::mem::take(self);
        let mut present = old.present;
        for mut m in old.maps {
            let i = present.trailing_zeros() as usize;
            present &= present.wrapping_sub(1);
            if keep(&KINDS[i], &mut m) {
                self.present |= 1u32 << i;
                self.maps.push(m);
            }
        }
    }
}

/// An iterator over a [`Deps`]' kinds and maps, in kind order.
pub struct DepsIter<'a> {
    present: u32,
    maps: std::slice::Iter<'a, DepMap>,
}

impl<'a> Iterator for DepsIter<'a> {
    type Item = (&'a DepKind, &'a DepMap);

    fn next(&mut self) -> Option<Self::Item> {
        let m = self.maps.next()?;
        let i = self.present.trailing_zeros() as usize;
        self.present &= self.present.wrapping_sub(1);
        Some((&KINDS[i], m))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.maps.size_hint()
    }
}

impl ExactSizeIterator for DepsIter<'_> {}

impl<'a> IntoIterator for &'a Deps {
    type Item = (&'a DepKind, &'a DepMap);
    type IntoIter = DepsIter<'a>;

    fn into_iter(self) -> DepsIter<'a> {
        self.iter()
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
        let d = self.deps;
        let i = match d.slot(self.kind) {
            (true, i) => i,
            (false, i) => {
                if d.maps.capacity() == 0 {
                    // A service has nine to eleven kinds: one allocation.
                    d.maps.reserve_exact(12);
                }
                d.present |= 1u32 << (self.kind as u32);
                d.maps.insert(i, make());
                i
            }
        };
        &mut d.maps[i]
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
