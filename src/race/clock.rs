//! Vector clocks and epochs (Lamport's happens-before, as FastTrack uses it).
//!
//! Each script thread counts its own steps; a thread's vector clock says,
//! for every thread, how many of its steps happen before this thread's
//! present. An epoch is one entry, `clock@thread`: one point of one thread.

/// A script thread's number in the detector: its creation number.
pub type Tid = u32;

/// Threads past this number are not tracked (their epochs would not fit).
pub const MAX_TID: u64 = (1 << TID_BITS) - 1;

const TID_BITS: u32 = 24;
const CLOCK_BITS: u32 = 64 - TID_BITS;

/// One step of one thread, packed in a word: the thread in the high bits.
/// `Epoch::NONE` stands for no access at all.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Epoch(u64);

impl Epoch {
    pub const NONE: Epoch = Epoch(0);

    pub fn new(tid: Tid, clock: u64) -> Epoch {
        Epoch((tid as u64) << CLOCK_BITS | clock)
    }

    pub fn tid(self) -> Tid {
        (self.0 >> CLOCK_BITS) as Tid
    }

    pub fn clock(self) -> u64 {
        self.0 & ((1 << CLOCK_BITS) - 1)
    }

    pub fn is_none(self) -> bool {
        self.clock() == 0
    }
}

/// A vector clock: the latest step of each thread known to happen before,
/// one epoch per thread, sorted by thread. Threads absent are at 0. Kept
/// sparse, as most threads learn of only a few others (a spawner and the
/// threads it joined), however many threads a run makes.
#[derive(Clone, Default, Debug, PartialEq, Eq)]
pub struct Vc(Vec<Epoch>);

impl Vc {
    /// The clock of `tid` in this vector.
    pub fn get(&self, tid: Tid) -> u64 {
        match self.0.binary_search_by_key(&tid, |e| e.tid()) {
            Ok(i) => self.0[i].clock(),
            Err(_) => 0,
        }
    }

    /// Whether the step `e` happens before the present this vector stands for.
    #[inline]
    pub fn covers(&self, e: Epoch) -> bool {
        e.is_none() || self.get(e.tid()) >= e.clock()
    }

    /// Raises the entry of `e`'s thread to `e`'s clock.
    pub fn set(&mut self, e: Epoch) {
        match self.0.binary_search_by_key(&e.tid(), |x| x.tid()) {
            Ok(i) => self.0[i] = e,
            Err(i) => self.0.insert(i, e),
        }
    }

    /// Whether everything `other` knows happens before is known here too.
    pub fn covers_all(&self, other: &Vc) -> bool {
        other.0.iter().all(|&e| self.covers(e))
    }

    /// Everything `other` knows happens before this too (the pointwise maximum).
    pub fn join(&mut self, other: &Vc) {
        if self.covers_all(other) {
            return;
        }
        let mut merged = Vec::with_capacity(self.0.len() + other.0.len());
        let (mut a, mut b) = (self.0.iter().peekable(), other.0.iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.tid() == y.tid() => {
                    let bigger = if x.clock() >= y.clock() { **x } else { **y };
                    a.next();
                    b.next();
                    bigger
                }
                (Some(x), Some(y)) if x.tid() < y.tid() => *a.next().expect("peeked"),
                (Some(_), Some(_)) | (None, Some(_)) => *b.next().expect("peeked"),
                (Some(_), None) => *a.next().expect("peeked"),
                (None, None) => break,
            };
            merged.push(next);
        }
        self.0 = merged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vc(entries: &[(Tid, u64)]) -> Vc {
        let mut v = Vc::default();
        for &(t, c) in entries {
            v.set(Epoch::new(t, c));
        }
        v
    }

    #[test]
    fn an_epoch_packs_its_thread_and_clock() {
        let e = Epoch::new(5000, 123_456_789);
        assert_eq!((e.tid(), e.clock()), (5000, 123_456_789));
        assert!(Epoch::NONE.is_none() && !e.is_none());
    }

    #[test]
    fn join_takes_the_pointwise_maximum() {
        let mut a = vc(&[(0, 3), (2, 1)]);
        a.join(&vc(&[(0, 1), (1, 4), (2, 5), (7, 1)]));
        assert_eq!(a, vc(&[(0, 3), (1, 4), (2, 5), (7, 1)]));
    }

    #[test]
    fn covers_compares_with_the_threads_entry() {
        let a = vc(&[(0, 3), (4, 2)]);
        assert!(a.covers(Epoch::new(0, 3)) && a.covers(Epoch::new(4, 1)));
        assert!(!a.covers(Epoch::new(0, 4)) && !a.covers(Epoch::new(1, 1)));
        assert!(a.covers(Epoch::NONE));
    }
}
