//! The shadow state of shared containers and variables: for each list its
//! length and items, for each map its set of keys and its entries (per key),
//! for each captured variable one location. Kept beside the values, in a
//! table keyed by address and split in shards, so that values carry nothing
//! for a detector that may not be running.
//!
//! A container's entry goes when the container is freed (its drop tells the
//! detector). A variable's entry holds a weak reference to the variable's
//! cell, which keeps its address from being reused while the entry lives;
//! entries of freed cells are swept out as the table grows.

use crate::value::{Rc, Weak};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use parking_lot::Mutex;

use crate::ast::Name;
use crate::value::{Entries, Key, Shared, Value, VarCell};

use super::loc::{Clash, Kind, Loc, SetLoc};
use super::report::{Found, Place};
use super::site::SiteId;
use super::thread::ThreadRace;

const SHARDS: usize = 64;

#[derive(Default)]
struct Shard {
    entries: HashMap<usize, Entry>,
    /// Variables' entries now, and after the last sweep.
    cells: usize,
    cells_kept: usize,
}

struct Entry {
    run: u64,
    shadow: Shadow,
}

enum Shadow {
    List(ListShadow),
    Map(MapShadow),
    Cell(Weak<VarCell>, Loc),
}

#[derive(Default)]
struct ListShadow {
    name: Option<Name>,
    len: SetLoc,
    items: Vec<Loc>,
}

#[derive(Default)]
struct MapShadow {
    name: Option<Name>,
    keys: SetLoc,
    entries: HashMap<Key, Loc, foldhash::fast::RandomState>,
}

static TABLE: LazyLock<Vec<Mutex<Shard>>> =
    LazyLock::new(|| (0..SHARDS).map(|_| Mutex::default()).collect());

fn shard(addr: usize) -> &'static Mutex<Shard> {
    let h = (addr >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58;
    &TABLE[h % SHARDS]
}

/// What an operation does to a list.
pub enum ListOp {
    /// Reads or writes one item.
    Item(usize, Kind),
    /// Writes the items in a range (an insertion or removal shifts them).
    Items(Range<usize>, Kind),
    /// Reads, writes or appends to the length.
    Len(Kind),
    /// Reads or writes every item and the length.
    All(Kind),
}

/// What an operation does to a map.
pub enum MapOp<'a> {
    /// Reads or writes one entry, reached as a field or not.
    Entry(&'a Key, Kind),
    Field(&'a Key, Kind),
    /// Reads or writes the set of keys, or inserts or removes one.
    Keys(Kind),
    /// Reads or writes every entry and the set of keys.
    All(Kind),
}

/// Forgets a freed container.
pub fn forget(addr: usize) {
    shard(addr).lock().entries.remove(&addr);
}

/// Forgets everything of run `run` (it is over).
pub fn forget_run(run: u64) {
    for shard in TABLE.iter() {
        let mut shard = shard.lock();
        shard.entries.retain(|_, e| e.run != run);
        shard.cells_kept = shard.cells_kept.min(shard.entries.len());
    }
}

/// Runs `f` on the shadow at `addr` of the current run, made by `make`
/// when there is none (or only one of another run).
fn with_shadow<R>(
    addr: usize,
    run: u64,
    make: impl FnOnce() -> Shadow,
    f: impl FnOnce(&mut Shadow) -> R,
) -> R {
    let mut shard = shard(addr).lock();
    let fresh = match shard.entries.get(&addr) {
        Some(e) => e.run != run,
        None => true,
    };
    if fresh {
        let shadow = make();
        if matches!(shadow, Shadow::Cell(..)) {
            shard.cells += 1;
        }
        shard.entries.insert(addr, Entry { run, shadow });
    }
    let entry = shard.entries.get_mut(&addr).expect("inserted above");
    f(&mut entry.shadow)
}

/// Sweeps out the entries of freed variables once they may be half the
/// variables of a shard.
fn sweep(addr: usize) {
    let mut shard = shard(addr).lock();
    if shard.cells <= 2 * shard.cells_kept + 256 {
        return;
    }
    shard.entries.retain(|_, e| match &e.shadow {
        Shadow::Cell(weak, _) => weak.strong_count() > 0,
        _ => true,
    });
    let cells = shard
        .entries
        .values()
        .filter(|e| matches!(e.shadow, Shadow::Cell(..)))
        .count();
    shard.cells = cells;
    shard.cells_kept = cells;
}

/// An access of the current thread to a captured variable.
pub fn cell(t: &mut ThreadRace, cell: &Rc<VarCell>, site: SiteId, name: &Name, kind: Kind) {
    let addr = Rc::as_ptr(cell) as usize;
    let now = t.access(site, kind);
    let mut out = Vec::new();
    with_shadow(
        addr,
        t.det.run,
        || Shadow::Cell(Rc::downgrade(cell), Loc::default()),
        |shadow| {
            if let Shadow::Cell(_, loc) = shadow {
                match kind {
                    Kind::Read => loc.read(now, &t.vc, &mut out),
                    _ => loc.write(now, &t.vc, &mut out),
                }
            }
        },
    );
    sweep(addr);
    let found = out.into_iter().map(|clash| Found {
        place: Place::Var(name.clone()),
        clash,
    });
    t.report(found.collect());
}

/// Operations `ops` of the current thread on `list`, at `site`, where the
/// code calls it `label`.
pub fn list(
    t: &mut ThreadRace,
    list: &Shared<Vec<Value>>,
    site: SiteId,
    label: Option<&Name>,
    ops: &[ListOp],
) {
    let addr = list as *const _ as usize;
    // Read with this thread's state borrowed: the container's own hook keeps out.
    let len = ops
        .iter()
        .any(|op| matches!(op, ListOp::All(_)))
        .then(|| list.len());
    let mut found = Vec::new();
    with_shadow(
        addr,
        t.det.run,
        || Shadow::List(ListShadow::default()),
        |shadow| {
            let Shadow::List(s) = shadow else { return };
            if s.name.is_none() {
                s.name = label.cloned();
            }
            let name = label.or(s.name.as_ref()).cloned();
            for op in ops {
                s.apply(t, site, op, len.unwrap_or(0), &name, &mut found);
            }
        },
    );
    t.report(found);
}

impl ListShadow {
    fn apply(
        &mut self,
        t: &mut ThreadRace,
        site: SiteId,
        op: &ListOp,
        len: usize,
        name: &Option<Name>,
        found: &mut Vec<Found>,
    ) {
        let mut out = Vec::new();
        let mut item = |s: &mut ListShadow, t: &mut ThreadRace, i: usize, kind: Kind| {
            if s.items.len() <= i {
                s.items.resize_with(i + 1, Loc::default);
            }
            let now = t.access(site, kind);
            let mut clashes = Vec::new();
            match kind {
                Kind::Read => s.items[i].read(now, &t.vc, &mut clashes),
                _ => s.items[i].write(now, &t.vc, &mut clashes),
            }
            out.extend(
                clashes
                    .into_iter()
                    .map(|c| (Place::Item(name.clone(), i), c)),
            );
        };
        match op {
            ListOp::Item(i, kind) => item(self, t, *i, *kind),
            ListOp::Items(range, kind) => {
                for i in range.clone() {
                    item(self, t, i, *kind);
                }
            }
            ListOp::All(kind) => {
                for i in 0..len.max(self.items.len()) {
                    item(self, t, i, *kind);
                }
            }
            ListOp::Len(_) => {}
        }
        let len_kind = match op {
            ListOp::Len(kind) | ListOp::All(kind) => Some(*kind),
            _ => None,
        };
        if let Some(kind) = len_kind {
            let now = t.access(site, kind);
            let mut clashes: Vec<Clash> = Vec::new();
            set_access(&mut self.len, now, &t.vc, &mut clashes);
            out.extend(clashes.into_iter().map(|c| (Place::Len(name.clone()), c)));
        }
        found.extend(out.into_iter().map(|(place, clash)| Found { place, clash }));
    }
}

/// An access to a length or a set of keys.
fn set_access(
    loc: &mut SetLoc,
    now: super::loc::Access,
    vc: &super::clock::Vc,
    out: &mut Vec<Clash>,
) {
    match now.kind() {
        Kind::Read => loc.read(now, vc, out),
        Kind::Write => loc.write(now, vc, out),
        Kind::Append | Kind::Insert | Kind::Remove => loc.change(now, vc, out),
    }
}

/// Operations `ops` of the current thread on `map`, at `site`, where the
/// code calls it `label`.
pub fn map(
    t: &mut ThreadRace,
    map: &Shared<Entries>,
    site: SiteId,
    label: Option<&Name>,
    ops: &[MapOp],
) {
    let addr = map as *const _ as usize;
    // Read with this thread's state borrowed: the container's own hook keeps out.
    let keys: Vec<Key> = if ops.iter().any(|op| matches!(op, MapOp::All(Kind::Write))) {
        map.read(|m| m.keys().cloned().collect())
    } else {
        Vec::new()
    };
    let mut found = Vec::new();
    with_shadow(
        addr,
        t.det.run,
        || Shadow::Map(MapShadow::default()),
        |shadow| {
            let Shadow::Map(s) = shadow else { return };
            if s.name.is_none() {
                s.name = label.cloned();
            }
            let name = label.or(s.name.as_ref()).cloned();
            for op in ops {
                s.apply(t, site, op, &keys, &name, &mut found);
            }
        },
    );
    t.report(found);
}

impl MapShadow {
    fn apply(
        &mut self,
        t: &mut ThreadRace,
        site: SiteId,
        op: &MapOp,
        keys: &[Key],
        name: &Option<Name>,
        found: &mut Vec<Found>,
    ) {
        let mut out: Vec<(Place, Clash)> = Vec::new();
        let mut entry = |s: &mut MapShadow, t: &mut ThreadRace, key: &Key, kind: Kind, dot| {
            let now = t.access(site, kind);
            let loc = s.entries.entry(key.clone()).or_default();
            let mut clashes = Vec::new();
            match kind {
                Kind::Read => loc.read(now, &t.vc, &mut clashes),
                _ => loc.write(now, &t.vc, &mut clashes),
            }
            out.extend(
                clashes
                    .into_iter()
                    .map(|c| (Place::Entry(name.clone(), key.clone(), dot), c)),
            );
        };
        let keys_kind = match op {
            MapOp::Entry(key, kind) | MapOp::Field(key, kind) => {
                entry(self, t, key, *kind, matches!(op, MapOp::Field(..)));
                None
            }
            MapOp::Keys(kind) => Some(*kind),
            MapOp::All(kind) => {
                let mut all: Vec<Key> = self.entries.keys().cloned().collect();
                all.extend(
                    keys.iter()
                        .filter(|k| !self.entries.contains_key(k))
                        .cloned(),
                );
                for key in &all {
                    entry(self, t, key, *kind, false);
                }
                Some(*kind)
            }
        };
        if let Some(kind) = keys_kind {
            let now = t.access(site, kind);
            let mut clashes = Vec::new();
            set_access(&mut self.keys, now, &t.vc, &mut clashes);
            out.extend(clashes.into_iter().map(|c| (Place::Keys(name.clone()), c)));
        }
        found.extend(out.into_iter().map(|(place, clash)| Found { place, clash }));
    }
}
