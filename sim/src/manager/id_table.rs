//! Tables keyed by job id: the manager's queued jobs and the set of those waiting to run.
//!
//! Job ids are handed out in increasing order and a job lives briefly (a restarting service's
//! job is installed, run and finished within one event), so a table of live jobs is a short
//! run of recent ids. [`IdTable`] keeps them in a vector sorted by id, with the removed ones left
//! as holes that are skipped and dropped from the front, the back, or in one sweep once they
//! outnumber the live entries: inserting a new (largest) id is a push, finding one a binary
//! search over the live run, removing one a store. A `BTreeMap` allocated its root node whenever
//! the table went from empty to one job and freed it again when the job finished, which was most
//! of what a job cost (`sim-events`). Iteration is in id order, as the `BTreeMap`'s was; the
//! method names are the `BTreeMap`/`BTreeSet` ones, so the job code reads the same.

/// A map from job id to `T`, iterated in id order (see the module docs).
#[derive(Clone, Debug)]
pub(crate) struct IdTable<T> {
    /// Ids of `vals`, strictly increasing (holes keep their id).
    ids: Vec<u32>,
    /// The entries; `None` is a hole (removed).
    vals: Vec<Option<T>>,
    /// Entries before `head` are holes.
    head: usize,
    /// Number of `Some` entries.
    live: usize,
}

impl<T> Default for IdTable<T> {
    fn default() -> IdTable<T> {
        IdTable {
            ids: Vec::new(),
            vals: Vec::new(),
            head: 0,
            live: 0,
        }
    }
}

/// Holes beyond the live entries' count after which a removal sweeps them out.
const SLACK: usize = 32;

impl<T> IdTable<T> {
    /// An empty table.
    pub(crate) fn new() -> IdTable<T> {
        IdTable::default()
    }

    /// The index of `id` in `vals` (hole or not).
    #[inline]
    fn find(&self, id: u32) -> Option<usize> {
        let ids = &self.ids[self.head..];
        // The newest ids are asked for most: look at the last one first.
        match ids.last() {
            None => None,
            Some(&last) if last == id => Some(self.ids.len() - 1),
            Some(&last) if last < id => None,
            _ => ids.binary_search(&id).ok().map(|i| i + self.head),
        }
    }

    /// The entry of `id`.
    #[inline]
    pub(crate) fn get(&self, id: &u32) -> Option<&T> {
        self.vals[self.find(*id)?].as_ref()
    }

    /// The entry of `id`, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, id: &u32) -> Option<&mut T> {
        let i = self.find(*id)?;
        self.vals[i].as_mut()
    }

    /// Whether `id` has an entry.
    #[inline]
    pub(crate) fn contains_key(&self, id: &u32) -> bool {
        self.get(id).is_some()
    }

    /// Sets the entry of `id`; returns the one it had.
    pub(crate) fn insert(&mut self, id: u32, val: T) -> Option<T> {
        if let Some(i) = self.find(id) {
            let old = self.vals[i].replace(val);
            if old.is_none() {
                self.live += 1;
            }
            return old;
        }
        if self.live == 0 {
            self.ids.clear();
            self.vals.clear();
            self.head = 0;
        }
        if self.ids.last().is_none_or(|&last| last < id) {
            self.ids.push(id);
            self.vals.push(Some(val));
        } else {
            // An id older than the newest (a restart job going on as a start job keeps its
            // id): put it in its place.
            self.sweep();
            let at = self.ids.partition_point(|&x| x < id);
            self.ids.insert(at, id);
            self.vals.insert(at, Some(val));
        }
        self.live += 1;
        None
    }

    /// Removes the entry of `id`; returns it.
    pub(crate) fn remove(&mut self, id: &u32) -> Option<T> {
        let i = self.find(*id)?;
        let old = self.vals[i].take()?;
        self.live -= 1;
        if self.live == 0 {
            self.ids.clear();
            self.vals.clear();
            self.head = 0;
            return Some(old);
        }
        while self.vals.last().is_some_and(Option::is_none) {
            self.vals.pop();
            self.ids.pop();
        }
        while self.vals[self.head].is_none() {
            self.head += 1;
        }
        if self.vals.len() - self.head - self.live > self.live + SLACK {
            self.sweep();
        }
        Some(old)
    }

    /// Drops every hole.
    fn sweep(&mut self) {
        let mut keep = self.vals.iter().map(Option::is_some);
        self.ids.retain(|_| keep.next().unwrap_or(false));
        self.vals.retain(Option::is_some);
        self.head = 0;
        debug_assert_eq!(self.vals.len(), self.live);
    }

    /// The number of entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Whether the table is empty.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The entries in id order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &T> + '_ {
        self.vals[self.head..].iter().filter_map(Option::as_ref)
    }

    /// The ids in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &u32> + '_ {
        self.ids[self.head..]
            .iter()
            .zip(&self.vals[self.head..])
            .filter_map(|(id, v)| v.as_ref().map(|_| id))
    }
}

/// A set of job ids in increasing order (the `BTreeSet` methods the manager uses).
#[derive(Clone, Debug, Default)]
pub(crate) struct IdSet(IdTable<()>);

impl IdSet {
    /// An empty set.
    pub(crate) fn new() -> IdSet {
        IdSet::default()
    }

    /// Adds `id`; false if it was there.
    #[inline]
    pub(crate) fn insert(&mut self, id: u32) -> bool {
        self.0.insert(id, ()).is_none()
    }

    /// Removes `id`; false if it was not there.
    #[inline]
    pub(crate) fn remove(&mut self, id: &u32) -> bool {
        self.0.remove(id).is_some()
    }

    /// Whether `id` is in the set.
    #[inline]
    pub(crate) fn contains(&self, id: &u32) -> bool {
        self.0.contains_key(id)
    }

    /// The ids in increasing order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &u32> + '_ {
        self.0.keys()
    }

    /// The number of ids.
    #[allow(dead_code)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A tiny deterministic generator (xorshift), so the test needs no dependency.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Random inserts (mostly new, largest ids; some older ones), removals and lookups, against
    /// a `BTreeMap`.
    #[test]
    fn behaves_like_a_btree_map() {
        for seed in 1..40u64 {
            let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            let mut t: IdTable<u64> = IdTable::new();
            let mut m: BTreeMap<u32, u64> = BTreeMap::new();
            let mut next_id = 1u32;
            for step in 0..3_000u64 {
                let r = next(&mut s);
                let id = match r % 4 {
                    0 | 1 => {
                        next_id += 1 + (r >> 8) as u32 % 3;
                        next_id
                    }
                    _ => 1 + (r >> 16) as u32 % next_id.max(1),
                };
                match (r >> 4) % 5 {
                    0 | 1 => assert_eq!(t.insert(id, step), m.insert(id, step), "seed {seed}"),
                    2 | 3 => assert_eq!(t.remove(&id), m.remove(&id), "seed {seed}"),
                    _ => {
                        if let Some(v) = t.get_mut(&id) {
                            *v += 1;
                        }
                        if let Some(v) = m.get_mut(&id) {
                            *v += 1;
                        }
                    }
                }
                assert_eq!(t.get(&id), m.get(&id), "seed {seed}");
                assert_eq!(t.contains_key(&id), m.contains_key(&id));
                assert_eq!(t.len(), m.len());
                assert_eq!(t.is_empty(), m.is_empty());
                if step % 37 == 0 {
                    assert!(t.values().eq(m.values()), "seed {seed} step {step}");
                    assert!(t.keys().eq(m.keys()), "seed {seed} step {step}");
                }
            }
        }
    }

    #[test]
    fn set_keeps_order() {
        let mut s = IdSet::new();
        assert!(s.insert(5));
        assert!(s.insert(9));
        assert!(s.insert(7));
        assert!(!s.insert(7));
        assert!(s.iter().copied().eq([5, 7, 9]));
        assert!(s.remove(&5));
        assert!(!s.remove(&5));
        assert!(s.contains(&7) && !s.contains(&5));
        assert_eq!(s.len(), 2);
    }
}
