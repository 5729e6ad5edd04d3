//! The cycle collector: frees what reference counting cannot, objects that
//! refer to each other in a cycle (a record whose methods capture it, a
//! list that contains itself, functions that call each other) once nothing
//! else refers to them.
//!
//! How, in short (docs/CHOICES.md has the why):
//!
//! - [`registry`]: every list, map and capturing function made is known to
//!   the collector by a weak reference, in a young and an old generation.
//!   Enough new objects make a collection due.
//! - [`world`]: a collection runs with every script thread stopped at a
//!   safepoint (the check of the limits every 1024 operations) or waiting;
//!   a thread that is slow to stop makes it give up and try later.
//! - [`trial`]: trial deletion finds the objects that only other members
//!   of the generation refer to and that no outside reference reaches, and
//!   empties them: their lists, maps and variables let go of what they
//!   held, which breaks the cycles, and reference counting frees the rest
//!   as usual ([`super::free`]), once the world runs again.
//!
//! The collector frees nothing itself, and empties only what no thread can
//! reach: a mistake in it could lose a value, never free memory in use,
//! except for a `let` variable that is never reassigned, which closures
//! read without a lock and which it empties only while every thread is
//! stopped (see [`super::FixedCell::take_unreachable`]).

mod registry;
mod trial;
mod world;

use crate::value::Rc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

use super::{Closure, Entries, Shared, Value};

pub use trial::is_node;
pub use world::{detach, Lease};

/// How long a collection due waits for every thread to stop before it
/// gives up for now: far longer than threads take between safepoints.
const PATIENCE: Duration = Duration::from_millis(10);

/// How long [`collect_now`] waits.
const HOST_PATIENCE: Duration = Duration::from_secs(5);

/// Held by the one collection under way (or trying to start).
static COLLECTING: Mutex<()> = Mutex::new(());

/// Collections run, and objects they freed, since the process started.
static COLLECTIONS: AtomicU64 = AtomicU64::new(0);
static FREED: AtomicU64 = AtomicU64::new(0);

/// The collector's note on an object: while a collection runs, its place
/// among the collection's members, from 1; 0 when it is none (and always
/// outside collections). Only the collecting thread touches it.
#[derive(Default)]
pub struct Mark(AtomicU32);

impl Mark {
    fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self, n: u32) {
        self.0.store(n, Ordering::Relaxed)
    }
}

pub fn track_list(l: &Rc<Shared<Vec<Value>>>) {
    registry::track(registry::Tracked::list(l));
}

pub fn track_map(m: &Rc<Shared<Entries>>) {
    registry::track(registry::Tracked::map(m));
}

pub fn track_func(c: &Rc<Closure>) {
    registry::track(registry::Tracked::func(c));
}

/// Attaches the calling thread until the guard goes: it is about to run
/// script code. A thread starts there with nothing uncounted in hand, so
/// a collection due runs there too: a script shorter than a safepoint's
/// interval still collects what scripts before it left.
pub fn attach() -> world::Attached {
    let attached = world::attach();
    if registry::due() {
        collect_due();
    }
    attached
}

/// A safepoint of an attached thread, which holds no reference it has not
/// counted: it stops here while a collection runs, and starts one if one
/// is due.
#[inline]
pub fn safepoint() {
    if world::stopping() {
        world::stop_here();
    }
    if registry::due() {
        collect_due();
    }
}

#[cold]
#[inline(never)]
fn collect_due() {
    if !world::may_stop_the_world() {
        return;
    }
    // Detached, the thread holds up no collection, and frees what it found
    // without holding up the next one (on another thread) either: freeing
    // can take longer than finding, and the threads making garbage must
    // not outrun the one freeing it. Should another thread be collecting,
    // attaching again waits for it to end.
    let _detached = world::detach();
    let garbage = {
        let Some(_one) = COLLECTING.try_lock() else {
            return;
        };
        if !registry::due() {
            return;
        }
        let found = collect(false, PATIENCE);
        if found.is_none() {
            registry::put_off();
        }
        found
    };
    drop(garbage);
}

/// Collects the young generation (and the old one, if `full` or due) with
/// the world stopped, which the caller must not be attached to; `None` if
/// it did not stop within `patience`. The garbage found is emptied, and
/// freed as the caller drops it.
fn collect(full: bool, patience: Duration) -> Option<trial::Garbage> {
    world::stopped(patience, || {
        let members = registry::take_members(full);
        let found = trial::collect(members.objects);
        registry::survived(found.survivors, found.size, members.full);
        COLLECTIONS.fetch_add(1, Ordering::Relaxed);
        FREED.fetch_add(found.freed as u64, Ordering::Relaxed);
        found.garbage
    })
}

/// Collects everything now, from any thread (attached or not), waiting a
/// few seconds at most for the script threads to stop. `false` if they
/// did not.
pub fn collect_now() -> bool {
    let _detached = world::detach();
    let garbage = {
        let _one = COLLECTING.lock();
        collect(true, HOST_PATIENCE)
    };
    garbage.is_some()
}

/// Forgets what a run made and freed: called when a run or an engine is
/// over (see [`registry::forget_freed`]).
pub fn forget_freed() {
    registry::forget_freed();
}

/// How many objects the collector knows, alive or freed (a freed one's
/// header stays until it is forgotten).
pub fn tracked_objects() -> usize {
    registry::tracked()
}

/// How many lists, maps and capturing functions are alive now.
pub fn live_objects() -> usize {
    registry::live()
}

/// How many collections ran, and how many objects they freed, since the
/// process started.
pub fn stats() -> (u64, u64) {
    (
        COLLECTIONS.load(Ordering::Relaxed),
        FREED.load(Ordering::Relaxed),
    )
}
