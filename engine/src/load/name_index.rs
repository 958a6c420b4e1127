//! [`NameIndex`]: finds a name in a sorted list of names by hashing, without a binary search.
//!
//! The catalog keeps its entries and its reverse alias map sorted by name (listings and
//! `systemd-analyze` print them in that order); a binary search of 10,000 names compares a
//! dozen strings scattered over the heap for every lookup, and loading a unit looks names up
//! several times. The index is a table of positions (open addressing, linear probing) keyed by
//! the engine's fast name hash; the list itself stays the only copy of the names.
use crate::fs::FastBuildHasher;
use std::hash::BuildHasher;

/// An empty slot.
const EMPTY: u32 = u32::MAX;

/// Positions of the first occurrence of each name of a sorted list (see the module docs).
#[derive(Clone, Debug, Default)]
pub(crate) struct NameIndex {
    /// Positions in the list, `EMPTY` for none; the length is a power of two (or zero).
    slots: Vec<u32>,
}

fn hash(name: &str) -> usize {
    FastBuildHasher::default().hash_one(name) as usize
}

impl NameIndex {
    /// Indexes `names` (sorted, so equal names are adjacent: the first of a run is indexed).
    pub(crate) fn build<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> NameIndex {
        let n = names.len();
        if n == 0 || u32::try_from(n).is_err() {
            return NameIndex::default();
        }
        let size = (n * 2).next_power_of_two();
        let mask = size - 1;
        let mut slots = vec![EMPTY; size];
        let mut previous: Option<&str> = None;
        for (i, name) in names.enumerate() {
            if previous == Some(name) {
                continue;
            }
            previous = Some(name);
            let mut s = hash(name) & mask;
            while slots[s] != EMPTY {
                s = (s + 1) & mask;
            }
            // `n` fits in a u32 (checked above).
            slots[s] = i as u32;
        }
        NameIndex { slots }
    }

    /// The position of the first occurrence of `name`; `name_at` gives the list's name at a
    /// position. `None` if the list has no such name (or was too long to index: then the
    /// caller's `fallback` answers).
    pub(crate) fn find<'a>(
        &self,
        name: &str,
        name_at: impl Fn(usize) -> &'a str,
        fallback: impl FnOnce() -> Option<usize>,
    ) -> Option<usize> {
        if self.slots.is_empty() {
            return fallback();
        }
        let mask = self.slots.len() - 1;
        let mut s = hash(name) & mask;
        loop {
            let at = self.slots[s];
            if at == EMPTY {
                return None;
            }
            if name_at(at as usize) == name {
                return Some(at as usize);
            }
            s = (s + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Agrees with a binary search of the sorted list (first occurrence), hits and misses, on a
    // list with runs of equal names.
    #[test]
    fn agrees_with_binary_search() {
        let mut names: Vec<String> = (0..500).map(|i| format!("u{}.service", i % 180)).collect();
        names.sort();
        let index = NameIndex::build(names.iter().map(String::as_str));
        for probe in (0..200)
            .map(|i| format!("u{i}.service"))
            .chain(["".into(), "x".into()])
        {
            let expected = {
                let p = names.partition_point(|n| n.as_str() < probe.as_str());
                (names.get(p) == Some(&probe)).then_some(p)
            };
            let got = index.find(&probe, |i| names[i].as_str(), || unreachable!());
            assert_eq!(got, expected, "{probe}");
        }
        let empty = NameIndex::build(std::iter::empty());
        assert_eq!(empty.find("a", |_| "", || Some(7)), Some(7));
    }
}
