//! [`DepMap`]: the other units of one dependency kind of a node, with their sources, in the order
//! they were added.
//!
//! Most of these maps are tiny (a service has one slice, a few `After=`), a few are huge
//! (`sysinit.target`'s `RequiredBy` on a big system): a map of one entry holds it inline (no
//! allocation: most of a service's kinds have one unit), a small map is a plain vector searched
//! linearly (one allocation, no hashing), and a map that grows past [`SMALL`] entries becomes an
//! [`IndexMap`]. The methods are named and behave like [`IndexMap`]'s.
use super::hash::NameHash;
use super::mask::DepInfo;
use crate::name::UnitName;
use indexmap::IndexMap;

/// Entries up to which a map stays a vector.
const SMALL: usize = 12;

#[derive(Clone, Debug)]
enum Repr {
    /// Exactly one entry.
    One((UnitName, DepInfo)),
    /// No entry, or two up to [`SMALL`].
    Small(Vec<(UnitName, DepInfo)>),
    Large(IndexMap<UnitName, DepInfo, NameHash>),
}

/// Other units → sources, in insertion order (see the module docs).
#[derive(Clone, Debug)]
pub struct DepMap(Repr);

impl Default for DepMap {
    fn default() -> Self {
        DepMap(Repr::Small(Vec::new()))
    }
}

impl PartialEq for DepMap {
    /// Same entries in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for DepMap {}

impl DepMap {
    /// An empty map.
    pub fn new() -> DepMap {
        DepMap::default()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::One(_) => 1,
            Repr::Small(v) => v.len(),
            Repr::Large(m) => m.len(),
        }
    }

    /// True if there is no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries of a map that is not large.
    fn slice(&self) -> Option<&[(UnitName, DepInfo)]> {
        match &self.0 {
            Repr::One(p) => Some(std::slice::from_ref(p)),
            Repr::Small(v) => Some(v),
            Repr::Large(_) => None,
        }
    }

    fn small_position(v: &[(UnitName, DepInfo)], key: &str) -> Option<usize> {
        // Names are mostly shared: the same text is the same name without comparing bytes.
        v.iter().position(|(k, _)| {
            let k = k.as_str();
            k.len() == key.len() && (k.as_ptr() == key.as_ptr() || k == key)
        })
    }

    /// The position of `key`, if present.
    pub fn get_index_of<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<usize> {
        match (self.slice(), &self.0) {
            (Some(v), _) => DepMap::small_position(v, key.as_ref()),
            (None, Repr::Large(m)) => m.get_index_of(key.as_ref()),
            (None, _) => None,
        }
    }

    /// True if `key` has an entry.
    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> bool {
        self.get_index_of(key).is_some()
    }

    /// The sources of `key`.
    pub fn get<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<&DepInfo> {
        match (self.slice(), &self.0) {
            (Some(v), _) => DepMap::small_position(v, key.as_ref()).map(|i| &v[i].1),
            (None, Repr::Large(m)) => m.get(key.as_ref()),
            (None, _) => None,
        }
    }

    /// The sources of `key`, mutably.
    pub fn get_mut<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<&mut DepInfo> {
        match &mut self.0 {
            Repr::One(p) => (p.0.as_str() == key.as_ref()).then_some(&mut p.1),
            Repr::Small(v) => DepMap::small_position(v, key.as_ref()).map(move |i| &mut v[i].1),
            Repr::Large(m) => m.get_mut(key.as_ref()),
        }
    }

    /// The entry at a position.
    pub fn get_index(&self, index: usize) -> Option<(&UnitName, &DepInfo)> {
        match (self.slice(), &self.0) {
            (Some(v), _) => v.get(index).map(|(k, i)| (k, i)),
            (None, Repr::Large(m)) => m.get_index(index),
            (None, _) => None,
        }
    }

    /// The first entry.
    pub fn first(&self) -> Option<(&UnitName, &DepInfo)> {
        self.get_index(0)
    }

    fn grow_if_full(&mut self) {
        if let Repr::Small(v) = &mut self.0 {
            if v.len() >= SMALL {
                let mut m = IndexMap::with_capacity_and_hasher(v.len() * 2, NameHash::default());
                m.extend(v.drain(..));
                self.0 = Repr::Large(m);
            }
        }
    }

    /// The entry of `key`, for in-place changes ([`Entry::or_insert_with`] and the like).
    pub fn entry(&mut self, key: UnitName) -> Entry<'_> {
        if let Some(i) = self.get_index_of(&key) {
            return Entry::Occupied(self.value_at_mut(i));
        }
        Entry::Vacant(VacantEntry { map: self, key })
    }

    fn value_at_mut(&mut self, index: usize) -> &mut DepInfo {
        match &mut self.0 {
            // The only entry (index 0).
            Repr::One(p) => &mut p.1,
            Repr::Small(v) => &mut v[index].1,
            Repr::Large(m) => m.get_index_mut(index).expect("index found in this map").1,
        }
    }

    fn push_new(&mut self, key: UnitName, value: DepInfo) -> &mut DepInfo {
        // In place: the representation is only rebuilt when it changes (empty → one entry →
        // vector → `IndexMap`).
        if matches!(&self.0, Repr::Small(v) if v.is_empty()) {
            // The first entry (a kind's map is created empty just before): held inline.
            self.0 = Repr::One((key, value));
            return self.value_at_mut(0);
        }
        match &mut self.0 {
            Repr::Small(v) if !v.is_empty() && v.len() < SMALL => v.push((key, value)),
            Repr::Large(m) => {
                m.insert(key, value);
            }
            _ => return self.push_slow(key, value),
        }
        // A new key is appended: it is the last entry.
        let last = self.len() - 1;
        self.value_at_mut(last)
    }

    /// [`DepMap::push_new`] when the representation changes: one entry becomes a vector, a full
    /// vector an `IndexMap`.
    fn push_slow(&mut self, key: UnitName, value: DepInfo) -> &mut DepInfo {
        self.grow_if_full();
        self.0 = match std::mem::replace(&mut self.0, Repr::Small(Vec::new())) {
            Repr::Small(v) if v.is_empty() => Repr::One((key, value)),
            Repr::One(first) => {
                let mut v = Vec::with_capacity(4);
                v.push(first);
                v.push((key, value));
                Repr::Small(v)
            }
            Repr::Small(mut v) => {
                v.push((key, value));
                Repr::Small(v)
            }
            Repr::Large(mut m) => {
                m.insert(key, value);
                Repr::Large(m)
            }
        };
        // A new key is appended: it is the last entry.
        let last = self.len() - 1;
        self.value_at_mut(last)
    }

    /// Adds sources to `key`'s (appending the key if new); true if anything changed. The key is
    /// only cloned when it is new.
    pub(crate) fn add_sources(&mut self, key: &UnitName, add: DepInfo) -> bool {
        // A large map hashes the name once (a clone only counts a reference).
        if let Repr::Large(m) = &mut self.0 {
            return match m.entry(key.clone()) {
                indexmap::map::Entry::Occupied(mut e) => {
                    let info = e.get_mut();
                    let before = *info;
                    info.origin |= add.origin;
                    info.destination |= add.destination;
                    *info != before
                }
                indexmap::map::Entry::Vacant(e) => {
                    e.insert(add);
                    true
                }
            };
        }
        match self.get_index_of(key) {
            Some(i) => {
                let info = self.value_at_mut(i);
                let before = *info;
                info.origin |= add.origin;
                info.destination |= add.destination;
                *info != before
            }
            None => {
                self.push_new(key.clone(), add);
                true
            }
        }
    }

    /// Sets the sources of `key` (appended if new, in place if present); returns the old ones.
    pub fn insert(&mut self, key: UnitName, value: DepInfo) -> Option<DepInfo> {
        match self.get_index_of(&key) {
            Some(i) => Some(std::mem::replace(self.value_at_mut(i), value)),
            None => {
                self.push_new(key, value);
                None
            }
        }
    }

    /// Removes `key`, keeping the order of the others (like [`IndexMap::shift_remove`]).
    pub fn shift_remove<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<DepInfo> {
        match &mut self.0 {
            Repr::One(p) if p.0.as_str() == key.as_ref() => {
                match std::mem::replace(&mut self.0, Repr::Small(Vec::new())) {
                    Repr::One((_, info)) => Some(info),
                    _ => None,
                }
            }
            Repr::One(_) => None,
            Repr::Small(v) => DepMap::small_position(v, key.as_ref()).map(|i| v.remove(i).1),
            Repr::Large(m) => m.shift_remove(key.as_ref()),
        }
    }

    /// Keeps the entries for which `keep` is true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&UnitName, &mut DepInfo) -> bool) {
        match &mut self.0 {
            Repr::One((k, i)) => {
                if !keep(k, i) {
                    self.0 = Repr::Small(Vec::new());
                }
            }
            Repr::Small(v) => v.retain_mut(|(k, i)| keep(k, i)),
            Repr::Large(m) => m.retain(|k, i| keep(k, i)),
        }
    }

    /// The entries in order.
    pub fn iter(&self) -> Iter<'_> {
        match &self.0 {
            Repr::One(p) => Iter::Small(std::slice::from_ref(p).iter()),
            Repr::Small(v) => Iter::Small(v.iter()),
            Repr::Large(m) => Iter::Large(m.iter()),
        }
    }

    /// The other units in order.
    pub fn keys(&self) -> impl Iterator<Item = &UnitName> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The sources in order.
    pub fn values(&self) -> impl Iterator<Item = &DepInfo> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

/// An iterator over a [`DepMap`]'s entries in order.
pub enum Iter<'a> {
    #[doc(hidden)]
    Small(std::slice::Iter<'a, (UnitName, DepInfo)>),
    #[doc(hidden)]
    Large(indexmap::map::Iter<'a, UnitName, DepInfo>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a UnitName, &'a DepInfo);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(it) => it.next().map(|(k, v)| (k, v)),
            Iter::Large(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Small(it) => it.size_hint(),
            Iter::Large(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a DepMap {
    type Item = (&'a UnitName, &'a DepInfo);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl FromIterator<(UnitName, DepInfo)> for DepMap {
    fn from_iter<I: IntoIterator<Item = (UnitName, DepInfo)>>(iter: I) -> DepMap {
        let mut m = DepMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl Extend<(UnitName, DepInfo)> for DepMap {
    fn extend<I: IntoIterator<Item = (UnitName, DepInfo)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

/// An entry of a [`DepMap`] (see [`DepMap::entry`]).
pub enum Entry<'a> {
    /// The key is present: its sources.
    Occupied(&'a mut DepInfo),
    /// The key is absent.
    Vacant(VacantEntry<'a>),
}

/// An absent key of a [`DepMap`], ready to be inserted.
pub struct VacantEntry<'a> {
    map: &'a mut DepMap,
    key: UnitName,
}

impl<'a> VacantEntry<'a> {
    /// Appends the key with `value`.
    pub fn insert(self, value: DepInfo) -> &'a mut DepInfo {
        self.map.push_new(self.key, value)
    }
}

impl<'a> Entry<'a> {
    /// The sources, inserting `value` first if the key is absent.
    pub fn or_insert(self, value: DepInfo) -> &'a mut DepInfo {
        match self {
            Entry::Occupied(v) => v,
            Entry::Vacant(e) => e.insert(value),
        }
    }

    /// The sources, inserting `make()` first if the key is absent.
    pub fn or_insert_with(self, make: impl FnOnce() -> DepInfo) -> &'a mut DepInfo {
        match self {
            Entry::Occupied(v) => v,
            Entry::Vacant(e) => e.insert(make()),
        }
    }

    /// The sources, inserting empty ones first if the key is absent.
    pub fn or_default(self) -> &'a mut DepInfo {
        self.or_insert_with(DepInfo::default)
    }

    /// Changes the sources in place if the key is present.
    pub fn and_modify(self, change: impl FnOnce(&mut DepInfo)) -> Self {
        match self {
            Entry::Occupied(v) => {
                change(v);
                Entry::Occupied(v)
            }
            e => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::DepMask;

    fn n(i: usize) -> UnitName {
        UnitName::new(&format!("u{i}.service")).unwrap()
    }

    fn info(bits: DepMask) -> DepInfo {
        DepInfo {
            origin: bits,
            destination: DepMask::NONE,
        }
    }

    // The map behaves like an IndexMap through the change of representation: same entries, same
    // order, same answers, with removals and re-insertions on both sides of the threshold.
    // The same with three keys: the map stays small and goes between empty, one entry (held
    // inline) and a vector, with removals and retains.
    #[test]
    fn behaves_like_an_indexmap_when_small() {
        let masks = [DepMask::FILE, DepMask::DEFAULT, DepMask::IMPLICIT];
        let mut ours = DepMap::new();
        let mut theirs: IndexMap<UnitName, DepInfo> = IndexMap::new();
        for step in 0..600usize {
            let k = n((step * 7 + step / 5) % 3);
            let m = masks[step % 3];
            match step % 7 {
                0 | 1 => {
                    ours.entry(k.clone()).or_insert_with(|| info(m)).origin |= m;
                    theirs.entry(k).or_insert_with(|| info(m)).origin |= m;
                }
                2 => assert_eq!(ours.insert(k.clone(), info(m)), theirs.insert(k, info(m))),
                3 => {
                    let changed = ours.add_sources(&k, info(m));
                    let before = theirs.get(k.as_str()).copied();
                    let e = theirs.entry(k).or_default();
                    e.origin |= m;
                    assert_eq!(changed, before != Some(*e), "step {step}");
                }
                4 => {
                    if let (Some(a), Some(b)) =
                        (ours.get_mut(k.as_str()), theirs.get_mut(k.as_str()))
                    {
                        a.destination |= m;
                        b.destination |= m;
                    }
                }
                5 => {
                    let drop = n(step % 3);
                    ours.retain(|key, _| *key != drop);
                    theirs.retain(|key, _| *key != drop);
                }
                _ => assert_eq!(
                    ours.shift_remove(k.as_str()),
                    theirs.shift_remove(k.as_str())
                ),
            }
            assert_eq!(ours.len(), theirs.len());
            assert!(ours.iter().eq(theirs.iter()), "step {step}");
            for probe in 0..4 {
                let p = n(probe);
                assert_eq!(ours.get(p.as_str()), theirs.get(p.as_str()));
                assert_eq!(
                    ours.get_index_of(p.as_str()),
                    theirs.get_index_of(p.as_str())
                );
                assert_eq!(ours.get_index(probe), theirs.get_index(probe));
            }
            assert_eq!(ours.clone(), ours);
        }
    }

    #[test]
    fn behaves_like_an_indexmap() {
        let mut ours = DepMap::new();
        let mut theirs: IndexMap<UnitName, DepInfo> = IndexMap::new();
        let masks = [DepMask::FILE, DepMask::DEFAULT, DepMask::IMPLICIT];
        for step in 0..400usize {
            let k = n((step * 7) % 41);
            let m = masks[step % 3];
            match step % 5 {
                0..=2 => {
                    ours.entry(k.clone()).or_insert_with(|| info(m)).origin |= m;
                    theirs.entry(k).or_insert_with(|| info(m)).origin |= m;
                }
                3 => assert_eq!(ours.insert(k.clone(), info(m)), theirs.insert(k, info(m))),
                _ => assert_eq!(
                    ours.shift_remove(k.as_str()),
                    theirs.shift_remove(k.as_str())
                ),
            }
            assert_eq!(ours.len(), theirs.len());
            assert!(ours.iter().eq(theirs.iter()), "step {step}");
            for probe in 0..41 {
                let p = n(probe);
                assert_eq!(ours.get(p.as_str()), theirs.get(p.as_str()));
                assert_eq!(
                    ours.get_index_of(p.as_str()),
                    theirs.get_index_of(p.as_str())
                );
            }
        }
        let clone = ours.clone();
        assert_eq!(clone, ours);
    }
}
