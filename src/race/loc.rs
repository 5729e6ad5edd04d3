//! The shadow state of one shared location, by FastTrack (Flanagan and
//! Freund, PLDI 2009): the epoch of the last write, and the epoch of the
//! last read, which widens to one epoch per reading thread only while reads
//! are concurrent. Memory per location is bounded by the threads reading it
//! at once, and the common checks are one comparison.

use super::clock::{Epoch, Vc};

/// What an access did, for a report's wording.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Read,
    Write,
    /// A list's push: appends commute with each other.
    Append,
    /// A new key put in a map: insertions and removals of keys commute.
    Insert,
    Remove,
}

const KINDS: [Kind; 5] = [
    Kind::Read,
    Kind::Write,
    Kind::Append,
    Kind::Insert,
    Kind::Remove,
];

const KIND_SHIFT: u32 = 28;

/// One recorded access: its epoch, its site, its call stack (an id in the
/// accessing thread's depot) and its kind, in two words.
#[derive(Clone, Copy, Debug, Default)]
pub struct Access {
    pub epoch: Epoch,
    pub site: u32,
    stack_kind: u32,
}

impl Access {
    pub fn new(epoch: Epoch, site: u32, stack: u32, kind: Kind) -> Access {
        let kind = KINDS.iter().position(|&k| k == kind).unwrap_or(0) as u32;
        Access {
            epoch,
            site,
            stack_kind: stack & ((1 << KIND_SHIFT) - 1) | kind << KIND_SHIFT,
        }
    }

    pub fn stack(self) -> u32 {
        self.stack_kind & ((1 << KIND_SHIFT) - 1)
    }

    pub fn kind(self) -> Kind {
        KINDS[(self.stack_kind >> KIND_SHIFT) as usize]
    }

    /// The same access as another kind.
    pub fn as_kind(self, kind: Kind) -> Access {
        Access::new(self.epoch, self.site, self.stack(), kind)
    }
}

/// Two accesses no synchronisation orders: the one being made and an
/// earlier one of another thread.
#[derive(Clone, Copy, Debug)]
pub struct Clash {
    pub now: Access,
    pub earlier: Access,
}

/// A set of accesses of one sort (reads, or commuting changes): one epoch
/// while each happens before the next, else one per thread.
#[derive(Default)]
pub struct Reads {
    one: Access,
    // Boxed: most locations never have concurrent reads, and a location
    // is then a word smaller.
    #[allow(clippy::box_collection)]
    many: Option<Box<Vec<Access>>>,
}

impl Reads {
    fn all(&self) -> impl Iterator<Item = &Access> {
        let one = (!self.one.epoch.is_none()).then_some(&self.one);
        one.into_iter()
            .chain(self.many.iter().flat_map(|m| m.iter()))
    }

    /// Whether `e` is already recorded (the same thread, with nothing
    /// between that could order it differently).
    fn has(&self, e: Epoch) -> bool {
        self.all().any(|a| a.epoch == e)
    }

    /// Adds each access that does not happen before `vc` to `out`.
    fn clashes(&self, now: Access, vc: &Vc, out: &mut Vec<Clash>) {
        for &earlier in self.all() {
            if !vc.covers(earlier.epoch) {
                out.push(Clash { now, earlier });
            }
        }
    }

    /// Records `a`, made by a thread whose present is `vc`. Accesses that
    /// happen before it are forgotten: a later access that races with one
    /// of them races with `a` too, and is reported with it.
    fn add(&mut self, a: Access, vc: &Vc) {
        match &mut self.many {
            None if vc.covers(self.one.epoch) => self.one = a,
            None => {
                let one = std::mem::take(&mut self.one);
                self.many = Some(Box::new(vec![one, a]));
            }
            Some(many) => {
                many.retain(|x| !vc.covers(x.epoch));
                many.push(a);
                if many.len() == 1 {
                    self.one = many[0];
                    self.many = None;
                }
            }
        }
    }

    fn clear(&mut self) {
        *self = Reads::default();
    }
}

/// A location read and written: a variable, a list's item, a map's entry.
#[derive(Default)]
pub struct Loc {
    write: Access,
    reads: Reads,
}

impl Loc {
    pub fn read(&mut self, now: Access, vc: &Vc, out: &mut Vec<Clash>) {
        if self.write.epoch == now.epoch || self.reads.has(now.epoch) {
            return;
        }
        self.check_write(now, vc, out);
        self.reads.add(now, vc);
    }

    pub fn write(&mut self, now: Access, vc: &Vc, out: &mut Vec<Clash>) {
        if self.write.epoch == now.epoch {
            return;
        }
        self.check_write(now, vc, out);
        self.reads.clashes(now, vc, out);
        self.write = now;
        self.reads.clear();
    }

    fn check_write(&self, now: Access, vc: &Vc, out: &mut Vec<Clash>) {
        if !vc.covers(self.write.epoch) {
            out.push(Clash {
                now,
                earlier: self.write,
            });
        }
    }
}

/// A list's length or a map's set of keys: read, written, and also changed
/// by operations that commute (appends; insertions and removals of keys),
/// which clash with reads and writes but not with each other.
#[derive(Default)]
pub struct SetLoc {
    loc: Loc,
    changes: Reads,
}

impl SetLoc {
    pub fn read(&mut self, now: Access, vc: &Vc, out: &mut Vec<Clash>) {
        if self.loc.reads.has(now.epoch) {
            return;
        }
        self.changes.clashes(now, vc, out);
        self.loc.read(now, vc, out);
    }

    pub fn change(&mut self, now: Access, vc: &Vc, out: &mut Vec<Clash>) {
        if self.changes.has(now.epoch) {
            return;
        }
        self.loc.check_write(now, vc, out);
        self.loc.reads.clashes(now, vc, out);
        self.changes.add(now, vc);
    }

    pub fn write(&mut self, now: Access, vc: &Vc, out: &mut Vec<Clash>) {
        if self.loc.write.epoch == now.epoch && self.changes.all().next().is_none() {
            return;
        }
        self.changes.clashes(now, vc, out);
        self.changes.clear();
        self.loc.write(now, vc, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(tid: u32, clock: u64, kind: Kind) -> Access {
        Access::new(Epoch::new(tid, clock), 7, 3, kind)
    }

    fn present(entries: &[(u32, u64)]) -> Vc {
        let mut v = Vc::default();
        for &(t, c) in entries {
            v.set(Epoch::new(t, c));
        }
        v
    }

    #[test]
    fn an_access_keeps_its_site_stack_and_kind() {
        let a = at(2, 9, Kind::Remove);
        assert_eq!((a.site, a.stack(), a.kind()), (7, 3, Kind::Remove));
        assert_eq!(a.as_kind(Kind::Read).kind(), Kind::Read);
    }

    #[test]
    fn writes_of_two_threads_clash_unless_ordered() {
        let mut loc = Loc::default();
        let mut out = Vec::new();
        loc.write(at(1, 1, Kind::Write), &present(&[(1, 1)]), &mut out);
        // Thread 2 knows thread 1 up to step 1: ordered.
        loc.write(at(2, 1, Kind::Write), &present(&[(1, 1), (2, 1)]), &mut out);
        assert!(out.is_empty());
        // Thread 3 knows nothing of thread 2.
        loc.write(at(3, 1, Kind::Write), &present(&[(3, 1)]), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].earlier.epoch, Epoch::new(2, 1));
    }

    #[test]
    fn concurrent_reads_widen_and_a_write_clashes_with_each() {
        let mut loc = Loc::default();
        let mut out = Vec::new();
        loc.read(at(1, 1, Kind::Read), &present(&[(1, 1)]), &mut out);
        loc.read(at(2, 1, Kind::Read), &present(&[(2, 1)]), &mut out);
        assert!(out.is_empty());
        loc.write(at(3, 1, Kind::Write), &present(&[(1, 1), (3, 1)]), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].earlier.epoch, Epoch::new(2, 1));
    }

    #[test]
    fn appends_commute_but_clash_with_reads_of_the_length() {
        let mut len = SetLoc::default();
        let mut out = Vec::new();
        len.change(at(1, 1, Kind::Append), &present(&[(1, 1)]), &mut out);
        len.change(at(2, 1, Kind::Append), &present(&[(2, 1)]), &mut out);
        assert!(out.is_empty());
        len.read(at(3, 1, Kind::Read), &present(&[(1, 1), (3, 1)]), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].earlier.kind(), Kind::Append);
        // A reader that joined both appenders is ordered after them.
        out.clear();
        len.read(
            at(4, 1, Kind::Read),
            &present(&[(1, 1), (2, 1), (4, 1)]),
            &mut out,
        );
        assert!(out.is_empty());
    }
}
