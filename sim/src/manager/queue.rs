//! The manager's event queue: events in order of their time, and events due at the same time
//! in the order they were scheduled (the order a heap of `(time, sequence number)` pops them).
//!
//! Kept as a calendar: one FIFO per distinct time, the times in a `BTreeMap`. The simulated
//! services mostly schedule many events for few distinct times (1,000 services restarting in
//! step share each second's time stamps), so a push is one short map lookup and a FIFO append
//! and a pop a FIFO take, where a binary heap of ~2,000 events moved every popped event's
//! successors down eleven levels. Emptied FIFOs are kept for reuse, so that a time stamp
//! seen once costs no allocation either.
use super::Usec;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, VecDeque};

/// How many emptied FIFOs are kept for reuse.
const SPARE: usize = 64;

pub(super) struct Calendar<T> {
    due: BTreeMap<Usec, VecDeque<T>>,
    spare: Vec<VecDeque<T>>,
}

impl<T> Calendar<T> {
    pub(super) fn new() -> Self {
        Calendar {
            due: BTreeMap::new(),
            spare: Vec::new(),
        }
    }

    /// Schedules `ev` at `at`, after every event already scheduled at `at`.
    pub(super) fn push(&mut self, at: Usec, ev: T) {
        match self.due.entry(at) {
            Entry::Occupied(e) => e.into_mut().push_back(ev),
            Entry::Vacant(v) => {
                let mut q = self.spare.pop().unwrap_or_default();
                q.push_back(ev);
                v.insert(q);
            }
        }
    }

    /// The time of the next event.
    pub(super) fn next_at(&self) -> Option<Usec> {
        self.due.first_key_value().map(|(at, _)| *at)
    }

    /// Takes the next event (the earliest, and of those the first scheduled).
    pub(super) fn pop(&mut self) -> Option<(Usec, T)> {
        let mut first = self.due.first_entry()?;
        let at = *first.key();
        let ev = first.get_mut().pop_front();
        if first.get().is_empty() {
            let q = first.remove();
            if self.spare.len() < SPARE {
                self.spare.push(q);
            }
        }
        // A FIFO in the map is never empty.
        ev.map(|ev| (at, ev))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.due.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::Calendar;

    #[test]
    fn pops_by_time_then_by_scheduling_order() {
        let mut q = Calendar::new();
        for (at, n) in [(5, 0), (1, 1), (5, 2), (3, 3), (1, 4), (5, 5)] {
            q.push(at, n);
        }
        assert_eq!(q.next_at(), Some(1));
        let mut out = Vec::new();
        while let Some(x) = q.pop() {
            out.push(x);
            if x.1 == 3 {
                q.push(3, 6);
                q.push(4, 7);
            }
        }
        assert_eq!(
            out,
            [
                (1, 1),
                (1, 4),
                (3, 3),
                (3, 6),
                (4, 7),
                (5, 0),
                (5, 2),
                (5, 5)
            ]
        );
        assert!(q.is_empty());
        assert_eq!(q.next_at(), None);
    }
}
